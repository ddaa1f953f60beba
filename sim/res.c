/*
 * res — the resources ark-sim models: cpus, mem, disk, gpus (scalars, with
 * Mesos' three decimal digits of precision) and ports (ranges). Parses
 * Mesos' text form and protobuf Resource lists, does the arithmetic the
 * allocator and the launch validation need, and builds Resource messages
 * for events without a malloc per resource. Reservations, volumes and
 * other resource names are not modelled: a name it does not know makes a
 * request that no agent can satisfy.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "xmalloc.h"

/* Mesos compares scalars at a precision of 0.001. */
#define RES_EPS	0.0005

/* The deprecated Resource.role field, written as a real master does. */
static char res_star[] = "*";

/* Sets r to no resources. */
void
res_init(struct sim_res *r)
{
	memset(r, 0, sizeof *r);
}

/* Frees what r owns. */
void
res_clear(struct sim_res *r)
{
	free(r->ports);
	free(r->unknown_name);
	res_init(r);
}

/* Copies src into dst (dst's old contents are freed). */
void
res_copy(struct sim_res *dst, const struct sim_res *src)
{
	if (dst == src)
		return;
	res_clear(dst);
	*dst = *src;
	dst->ports = NULL;
	dst->unknown_name = NULL;
	if (src->nports > 0) {
		dst->ports = xreallocarray(NULL, src->nports,
		    sizeof *dst->ports);
		memcpy(dst->ports, src->ports, src->nports * sizeof *src->ports);
	}
	if (src->unknown_name != NULL)
		dst->unknown_name = xstrdup(src->unknown_name);
}

/* 1 if r holds nothing. */
int
res_empty(const struct sim_res *r)
{
	return r->cpus < RES_EPS && r->mem < RES_EPS && r->disk < RES_EPS &&
	    r->gpus < RES_EPS && r->nports == 0 && !r->unknown;
}

/* Adds the range [begin, end] to r's ports, keeping them coalesced. */
void
res_add_range(struct sim_res *r, uint64_t begin, uint64_t end)
{
	size_t i, j;

	if (begin > end)
		return;
	/* Find the first range that could touch [begin, end]. */
	for (i = 0; i < r->nports && r->ports[i].end + 1 < begin &&
	    r->ports[i].end != UINT64_MAX; i++)
		;
	j = i;
	while (j < r->nports && (end == UINT64_MAX ||
	    r->ports[j].begin <= end + 1)) {
		if (r->ports[j].begin < begin)
			begin = r->ports[j].begin;
		if (r->ports[j].end > end)
			end = r->ports[j].end;
		j++;
	}
	/* Replace ranges [i, j) with one. */
	if (j == i) {
		r->ports = xreallocarray(r->ports, r->nports + 1,
		    sizeof *r->ports);
		memmove(&r->ports[i + 1], &r->ports[i],
		    (r->nports - i) * sizeof *r->ports);
		r->nports++;
	} else if (j > i + 1) {
		memmove(&r->ports[i + 1], &r->ports[j],
		    (r->nports - j) * sizeof *r->ports);
		r->nports -= j - i - 1;
	}
	r->ports[i].begin = begin;
	r->ports[i].end = end;
}

/* Removes [begin, end] from r's ports. */
static void
res_sub_range(struct sim_res *r, uint64_t begin, uint64_t end)
{
	size_t i = 0;

	while (i < r->nports) {
		struct sim_range *p = &r->ports[i];

		if (p->end < begin || p->begin > end) {
			i++;
			continue;
		}
		if (p->begin >= begin && p->end <= end) {
			memmove(p, p + 1, (r->nports - i - 1) * sizeof *p);
			r->nports--;
			continue;
		}
		if (p->begin < begin && p->end > end) {
			uint64_t oend = p->end;

			p->end = begin - 1;
			r->ports = xreallocarray(r->ports, r->nports + 1,
			    sizeof *r->ports);
			p = &r->ports[i];
			memmove(p + 2, p + 1,
			    (r->nports - i - 1) * sizeof *p);
			r->nports++;
			p[1].begin = end + 1;
			p[1].end = oend;
			return;
		}
		if (p->begin < begin)
			p->end = begin - 1;
		else
			p->begin = end + 1;
		i++;
	}
}

/* a += b. */
void
res_add(struct sim_res *a, const struct sim_res *b)
{
	size_t i;

	a->cpus += b->cpus;
	a->mem += b->mem;
	a->disk += b->disk;
	a->gpus += b->gpus;
	for (i = 0; i < b->nports; i++)
		res_add_range(a, b->ports[i].begin, b->ports[i].end);
}

/* Rounds away float noise below Mesos' precision. */
static double
res_round(double v)
{
	v = round(v * 1000.0) / 1000.0;
	return v < RES_EPS ? 0 : v;
}

/* a -= b (b is contained in a). */
void
res_sub(struct sim_res *a, const struct sim_res *b)
{
	size_t i;

	a->cpus = res_round(a->cpus - b->cpus);
	a->mem = res_round(a->mem - b->mem);
	a->disk = res_round(a->disk - b->disk);
	a->gpus = res_round(a->gpus - b->gpus);
	for (i = 0; i < b->nports; i++)
		res_sub_range(a, b->ports[i].begin, b->ports[i].end);
}

/* 1 if every range of b lies within a's ranges. */
static int
res_ranges_contain(const struct sim_res *a, const struct sim_res *b)
{
	size_t i, j = 0;

	for (i = 0; i < b->nports; i++) {
		while (j < a->nports && a->ports[j].end < b->ports[i].begin)
			j++;
		if (j == a->nports || a->ports[j].begin > b->ports[i].begin ||
		    a->ports[j].end < b->ports[i].end)
			return 0;
	}
	return 1;
}

/* 1 if a contains b. */
int
res_contains(const struct sim_res *a, const struct sim_res *b)
{
	if (b->unknown)
		return 0;
	return b->cpus <= a->cpus + RES_EPS && b->mem <= a->mem + RES_EPS &&
	    b->disk <= a->disk + RES_EPS && b->gpus <= a->gpus + RES_EPS &&
	    res_ranges_contain(a, b);
}

/* Returns the scalar slot for name, or NULL. */
static double *
res_slot(struct sim_res *r, const char *name)
{
	if (strcmp(name, "cpus") == 0)
		return &r->cpus;
	if (strcmp(name, "mem") == 0)
		return &r->mem;
	if (strcmp(name, "disk") == 0)
		return &r->disk;
	if (strcmp(name, "gpus") == 0)
		return &r->gpus;
	return NULL;
}

/* Parses "[a-b,c-d]" into r's ports; -1 if malformed. */
static int
res_parse_ranges(struct sim_res *r, const char *s)
{
	char *end;

	if (*s++ != '[')
		return -1;
	while (*s != ']') {
		unsigned long long b, e;

		while (*s == ' ' || *s == ',')
			s++;
		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		b = strtoull(s, &end, 10);
		if (errno != 0 || *end != '-')
			return -1;
		s = end + 1;
		if (!isdigit((unsigned char)*s))
			return -1;
		e = strtoull(s, &end, 10);
		if (errno != 0 || e < b)
			return -1;
		res_add_range(r, b, e);
		s = end;
		while (*s == ' ')
			s++;
		if (*s != ',' && *s != ']')
			return -1;
	}
	return s[1] == '\0' ? 0 : -1;
}

/*
 * Parses Mesos' resource text ("cpus:4;mem:1024;ports:[31000-32000]",
 * roles in parentheses accepted and ignored) into r (added to it).
 */
int
res_parse(struct sim_res *r, const char *text, char **cause)
{
	char *copy = xstrdup(text), *save = NULL, *item;
	int rc = -1;

	for (item = strtok_r(copy, ";", &save); item != NULL;
	    item = strtok_r(NULL, ";", &save)) {
		char *colon = strchr(item, ':'), *paren, *end;
		double *slot, v;

		while (*item == ' ')
			item++;
		if (colon == NULL) {
			*cause = xasprintf("resource '%s' has no ':'", item);
			goto out;
		}
		*colon = '\0';
		paren = strchr(item, '(');
		if (paren != NULL)
			*paren = '\0';
		if (strcmp(item, "ports") == 0) {
			if (res_parse_ranges(r, colon + 1) != 0) {
				*cause = xasprintf("bad ports ranges '%s'",
				    colon + 1);
				goto out;
			}
			continue;
		}
		slot = res_slot(r, item);
		errno = 0;
		v = strtod(colon + 1, &end);
		if (slot == NULL || errno != 0 || end == colon + 1 ||
		    *end != '\0' || v < 0 || !isfinite(v)) {
			*cause = slot == NULL ?
			    xasprintf("unknown resource '%s' (ark-sim models "
			    "cpus, mem, disk, gpus and ports)", item) :
			    xasprintf("bad value '%s' for %s", colon + 1, item);
			goto out;
		}
		*slot += v;
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

/* Sums a protobuf Resource list into r. */
int
res_from_pb(struct sim_res *r, Mesos__V1__Resource *const *v, size_t n,
    char **cause)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const Mesos__V1__Resource *x = v[i];
		double *slot;

		if (x->name == NULL || x->name[0] == '\0') {
			*cause = xstrdup("Invalid resources: Empty resource name");
			return -1;
		}
		if (x->type == MESOS__V1__VALUE__TYPE__SCALAR) {
			if (x->scalar == NULL || x->scalar->value < 0 ||
			    !isfinite(x->scalar->value)) {
				*cause = xasprintf("Invalid resources: Invalid "
				    "scalar resource %s", x->name);
				return -1;
			}
			slot = res_slot(r, x->name);
			if (slot != NULL) {
				*slot = res_round(*slot + x->scalar->value);
				continue;
			}
		} else if (x->type == MESOS__V1__VALUE__TYPE__RANGES &&
		    strcmp(x->name, "ports") == 0) {
			if (x->ranges == NULL) {
				*cause = xstrdup("Invalid resources: Invalid "
				    "ranges resource ports");
				return -1;
			}
			for (j = 0; j < x->ranges->n_range; j++) {
				const Mesos__V1__Value__Range *g =
				    x->ranges->range[j];

				if (g->begin > g->end) {
					*cause = xasprintf("Invalid resources: "
					    "Invalid ranges resource ports: "
					    "[%" PRIu64 "-%" PRIu64 "]",
					    g->begin, g->end);
					return -1;
				}
				res_add_range(r, g->begin, g->end);
			}
			continue;
		}
		if (!r->unknown) {
			r->unknown = 1;
			r->unknown_name = xstrdup(x->name);
		}
	}
	return 0;
}

/* Appends a scalar as Mesos prints it (no trailing zeros). */
static void
res_format_num(struct buf *b, double v)
{
	char tmp[64];
	size_t n;

	snprintf(tmp, sizeof tmp, "%.3f", v);
	n = strlen(tmp);
	while (n > 0 && tmp[n - 1] == '0')
		n--;
	if (n > 0 && tmp[n - 1] == '.')
		n--;
	buf_add(b, tmp, n);
}

/* Appends r in Mesos' text form with the given allocation role. */
void
res_format(struct buf *b, const struct sim_res *r, const char *role)
{
	static const char *names[] = { "cpus", "mem", "disk", "gpus" };
	double vals[4] = { r->cpus, r->mem, r->disk, r->gpus };
	int first = 1;
	size_t i;

	if (r->nports > 0) {
		buf_printf(b, "ports(allocated: %s):[", role);
		for (i = 0; i < r->nports; i++)
			buf_printf(b, "%s%" PRIu64 "-%" PRIu64, i ? ", " : "",
			    r->ports[i].begin, r->ports[i].end);
		buf_addstr(b, "]");
		first = 0;
	}
	for (i = 0; i < 4; i++) {
		if (vals[i] < RES_EPS)
			continue;
		buf_printf(b, "%s%s(allocated: %s):", first ? "" : "; ",
		    names[i], role);
		res_format_num(b, vals[i]);
		first = 0;
	}
	if (r->unknown)
		buf_printf(b, "%s%s(allocated: %s):?", first ? "" : "; ",
		    r->unknown_name, role);
}

/* Returns r as a JSON object (new reference). */
json_t *
res_to_json(const struct sim_res *r)
{
	struct buf b;
	json_t *o;
	size_t i;

	buf_init(&b, 0);
	buf_addstr(&b, "[");
	for (i = 0; i < r->nports; i++)
		buf_printf(&b, "%s%" PRIu64 "-%" PRIu64, i ? ", " : "",
		    r->ports[i].begin, r->ports[i].end);
	buf_addstr(&b, "]");
	o = json_pack("{s:f,s:f,s:f,s:f,s:s}", "cpus", r->cpus, "mem", r->mem,
	    "disk", r->disk, "gpus", r->gpus, "ports", b.data);
	buf_clear(&b);
	return o;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
/* Fills one Resource message of p. */
static Mesos__V1__Resource *
res_pb_one(struct res_pb *p, const char *name, int allocated)
{
	Mesos__V1__Resource *x = &p->r[p->n];

	mesos__v1__resource__init(x);
	x->name = (char *)name;
	x->role = res_star;
	if (allocated)
		x->allocation_info = &p->alloc;
	p->p[p->n] = x;
	p->n++;
	return x;
}

/*
 * Builds r as Resource messages in p (ports first, as a Mesos master lists
 * them). role must outlive p; allocated adds allocation_info {role}.
 */
void
res_pb_build(struct res_pb *p, const struct sim_res *r, const char *role,
    int allocated)
{
	static const char *names[] = { "cpus", "mem", "disk", "gpus" };
	double vals[4] = { r->cpus, r->mem, r->disk, r->gpus };
	size_t i, nsc = 0;

	memset(p, 0, sizeof *p);
	mesos__v1__resource__allocation_info__init(&p->alloc);
	p->alloc.role = (char *)role;
	if (r->nports > 0) {
		Mesos__V1__Resource *x = res_pb_one(p, "ports", allocated);

		x->type = MESOS__V1__VALUE__TYPE__RANGES;
		mesos__v1__value__ranges__init(&p->ranges);
		p->rangev = xcalloc(r->nports, sizeof *p->rangev);
		p->rangep = xcalloc(r->nports, sizeof *p->rangep);
		for (i = 0; i < r->nports; i++) {
			mesos__v1__value__range__init(&p->rangev[i]);
			p->rangev[i].begin = r->ports[i].begin;
			p->rangev[i].end = r->ports[i].end;
			p->rangep[i] = &p->rangev[i];
		}
		p->ranges.n_range = r->nports;
		p->ranges.range = p->rangep;
		x->ranges = &p->ranges;
	}
	for (i = 0; i < 4; i++) {
		Mesos__V1__Resource *x;

		if (vals[i] < RES_EPS)
			continue;
		x = res_pb_one(p, names[i], allocated);
		x->type = MESOS__V1__VALUE__TYPE__SCALAR;
		mesos__v1__value__scalar__init(&p->sc[nsc]);
		p->sc[nsc].value = vals[i];
		x->scalar = &p->sc[nsc++];
	}
}
#pragma GCC diagnostic pop

/* Frees what res_pb_build allocated. */
void
res_pb_clear(struct res_pb *p)
{
	free(p->rangev);
	free(p->rangep);
	p->rangev = NULL;
	p->rangep = NULL;
}
