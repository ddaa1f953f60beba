/*
 * offers — parsing an offer into usable pieces and carving tasks out of it.
 * Pieces that a plain task must not take are skipped: persistent volumes and
 * sourced disks (they go whole or not at all), revocable and shared
 * resources, and resources of resource providers. Amounts follow Mesos'
 * fixed point (three decimals), so comparisons allow a small epsilon.
 */
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "call.h"
#include "offers.h"
#include "xmalloc.h"

#define OFFERS_EPS 1e-6

static const char *offers_kind_names[OFFERS_KIND_MAX] = {
	"cpus", "mem", "disk", "gpus"
};

/* The amount job asks for of kind k. */
static double
offers_need(const struct config_job *job, int k)
{
	switch (k) {
	case OFFERS_CPUS:
		return job->cpus;
	case OFFERS_MEM:
		return job->mem;
	case OFFERS_DISK:
		return job->disk;
	case OFFERS_GPUS:
		return job->gpus;
	default:
		return 0;
	}
}

/* Whether a piece of the offer may go to a plain task. */
static int
offers_usable(const Mesos__V1__Resource *r)
{
	if (r->provider_id != NULL || r->revocable != NULL || r->shared != NULL)
		return 0;
	if (r->disk != NULL && (r->disk->persistence != NULL ||
	    r->disk->source != NULL))
		return 0;
	return r->name != NULL;
}

void
offers_pool_init(struct offers_pool *p, const Mesos__V1__Offer *o)
{
	const char *orole = NULL;

	p->offer = o;
	p->v = NULL;
	p->n = 0;
	if (o->allocation_info != NULL && o->allocation_info->role != NULL)
		orole = o->allocation_info->role;
	if (o->n_resources > 0)
		p->v = xcalloc(o->n_resources, sizeof *p->v);
	for (size_t i = 0; i < o->n_resources; i++) {
		const Mesos__V1__Resource *r = o->resources[i];
		struct offers_piece *x;
		const char *role = orole;
		int kind = -2;

		if (r == NULL || !offers_usable(r))
			continue;
		for (int k = 0; k < OFFERS_KIND_MAX; k++)
			if (strcmp(r->name, offers_kind_names[k]) == 0 &&
			    r->type == MESOS__V1__VALUE__TYPE__SCALAR &&
			    r->scalar != NULL)
				kind = k;
		if (strcmp(r->name, "ports") == 0 &&
		    r->type == MESOS__V1__VALUE__TYPE__RANGES && r->ranges != NULL)
			kind = -1;
		if (kind == -2)
			continue;
		if (r->allocation_info != NULL && r->allocation_info->role != NULL)
			role = r->allocation_info->role;
		x = &p->v[p->n++];
		x->res = r;
		x->role = role != NULL ? xstrdup(role) : NULL;
		x->kind = kind;
		if (kind >= 0) {
			x->left = r->scalar->value;
			continue;
		}
		x->ranges = xcalloc(r->ranges->n_range * 2 + 1,
		    sizeof *x->ranges);
		for (size_t j = 0; j < r->ranges->n_range; j++) {
			const Mesos__V1__Value__Range *rg = r->ranges->range[j];

			if (rg == NULL || rg->end < rg->begin)
				continue;
			x->ranges[2 * x->nranges] = rg->begin;
			x->ranges[2 * x->nranges + 1] = rg->end;
			x->nranges++;
		}
	}
}

void
offers_pool_clear(struct offers_pool *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].role);
		free(p->v[i].ranges);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

/* Whether a piece allocated to prole may serve a task of role. */
static int
offers_role_ok(const char *prole, const char *role)
{
	return prole == NULL || role == NULL || strcmp(prole, role) == 0;
}

/* Number of ports still free in a ports piece. */
static uint64_t
offers_ports_left(const struct offers_piece *x)
{
	uint64_t n = 0;

	for (size_t j = 0; j < x->nranges; j++)
		n += x->ranges[2 * j + 1] - x->ranges[2 * j] + 1;
	return n;
}

int
offers_fit(const struct offers_pool *p, const struct config_job *job,
    const char *role, const char **why)
{
	double have[OFFERS_KIND_MAX] = { 0 };
	uint64_t ports = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct offers_piece *x = &p->v[i];

		if (!offers_role_ok(x->role, role))
			continue;
		if (x->kind >= 0)
			have[x->kind] += x->left;
		else
			ports += offers_ports_left(x);
	}
	for (int k = 0; k < OFFERS_KIND_MAX; k++)
		if (offers_need(job, k) > have[k] + OFFERS_EPS) {
			if (why != NULL)
				*why = offers_kind_names[k];
			return 0;
		}
	if (job->nports > ports) {
		if (why != NULL)
			*why = "ports";
		return 0;
	}
	return 1;
}

/* Rounds to Mesos' fixed point (three decimals). */
static double
offers_round(double v)
{
	return round(v * 1000.0) / 1000.0;
}

/* A copy of piece x's resource carrying the scalar amount v. */
static Mesos__V1__Resource *
offers_scalar_copy(const struct offers_piece *x, double v)
{
	Mesos__V1__Resource *r = call_dup(&x->res->base);

	if (r->scalar == NULL) {
		r->scalar = xmalloc(sizeof *r->scalar);
		mesos__v1__value__scalar__init(r->scalar);
	}
	r->scalar->value = offers_round(v);
	return r;
}

/* A copy of ports piece x's resource carrying ports[0..n) as ranges. */
static Mesos__V1__Resource *
offers_ports_copy(const struct offers_piece *x, const uint32_t *ports,
    size_t n)
{
	Mesos__V1__Resource *r = call_dup(&x->res->base);
	Mesos__V1__Value__Ranges *rs;

	protobuf_c_message_free_unpacked(&r->ranges->base, NULL);
	rs = r->ranges = xmalloc(sizeof *rs);
	mesos__v1__value__ranges__init(rs);
	rs->range = xcalloc(n, sizeof *rs->range);
	for (size_t i = 0; i < n; i++) {
		Mesos__V1__Value__Range *rg;

		if (rs->n_range > 0 &&
		    rs->range[rs->n_range - 1]->end + 1 == ports[i]) {
			rs->range[rs->n_range - 1]->end = ports[i];
			continue;
		}
		rg = xmalloc(sizeof *rg);
		mesos__v1__value__range__init(rg);
		rg->begin = rg->end = ports[i];
		rs->range[rs->n_range++] = rg;
	}
	return r;
}

/* Takes up to want ports from piece x into out; returns how many. */
static size_t
offers_ports_from(struct offers_piece *x, uint32_t *out, size_t want)
{
	size_t got = 0;

	while (got < want && x->nranges > 0) {
		uint64_t *b = &x->ranges[0], *e = &x->ranges[1];

		out[got++] = (uint32_t)*b;
		if (*b == *e) {
			memmove(x->ranges, x->ranges + 2,
			    (x->nranges - 1) * 2 * sizeof *x->ranges);
			x->nranges--;
		} else
			(*b)++;
	}
	return got;
}

Mesos__V1__Resource **
offers_take(struct offers_pool *p, const struct config_job *job,
    const char *role, size_t *n, uint32_t *ports)
{
	Mesos__V1__Resource **out = NULL;
	size_t nout = 0, cap = 0, gotports = 0;

	for (int k = 0; k < OFFERS_KIND_MAX; k++) {
		double need = offers_need(job, k);

		for (size_t i = 0; i < p->n && need > OFFERS_EPS; i++) {
			struct offers_piece *x = &p->v[i];
			double take;

			if (x->kind != k || !offers_role_ok(x->role, role) ||
			    x->left <= OFFERS_EPS)
				continue;
			take = x->left < need ? x->left : need;
			if (nout == cap) {
				cap = cap == 0 ? 8 : cap * 2;
				out = xreallocarray(out, cap, sizeof *out);
			}
			out[nout++] = offers_scalar_copy(x, take);
			x->left = offers_round(x->left - take);
			need = offers_round(need - take);
		}
	}
	for (size_t i = 0; i < p->n && gotports < job->nports; i++) {
		struct offers_piece *x = &p->v[i];
		size_t got;

		if (x->kind != -1 || !offers_role_ok(x->role, role))
			continue;
		got = offers_ports_from(x, ports + gotports,
		    job->nports - gotports);
		if (got == 0)
			continue;
		if (nout == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			out = xreallocarray(out, cap, sizeof *out);
		}
		out[nout++] = offers_ports_copy(x, ports + gotports, got);
		gotports += got;
	}
	*n = nout;
	return out;
}

double
offers_scalar_total(Mesos__V1__Resource *const *r, size_t n, const char *name)
{
	double v = 0;

	for (size_t i = 0; i < n; i++)
		if (r[i] != NULL && r[i]->name != NULL &&
		    strcmp(r[i]->name, name) == 0 && r[i]->scalar != NULL)
			v += r[i]->scalar->value;
	return offers_round(v);
}

char *
offers_attr_text(const Mesos__V1__Attribute *a)
{
	struct buf b;

	switch (a->type) {
	case MESOS__V1__VALUE__TYPE__TEXT:
		return a->text != NULL && a->text->value != NULL ?
		    xstrdup(a->text->value) : NULL;
	case MESOS__V1__VALUE__TYPE__SCALAR:
		return a->scalar != NULL ?
		    xasprintf("%g", a->scalar->value) : NULL;
	case MESOS__V1__VALUE__TYPE__SET:
		if (a->set == NULL)
			return NULL;
		buf_init(&b, 0);
		for (size_t i = 0; i < a->set->n_item; i++)
			buf_printf(&b, "%s%s", i > 0 ? "," : "",
			    a->set->item[i]);
		return buf_steal(&b, NULL);
	case MESOS__V1__VALUE__TYPE__RANGES:
		if (a->ranges == NULL)
			return NULL;
		buf_init(&b, 0);
		buf_addstr(&b, "[");
		for (size_t i = 0; i < a->ranges->n_range; i++)
			buf_printf(&b, "%s%llu-%llu", i > 0 ? "," : "",
			    (unsigned long long)a->ranges->range[i]->begin,
			    (unsigned long long)a->ranges->range[i]->end);
		buf_addstr(&b, "]");
		return buf_steal(&b, NULL);
	default:
		return NULL;
	}
}

int
offers_constraint_ok(const struct config_constraint *c, const char *value)
{
	switch (c->op) {
	case CONSTRAINT_EQUALS:
		return value != NULL && c->value != NULL &&
		    strcmp(value, c->value) == 0;
	case CONSTRAINT_LIKE:
		return value != NULL && c->value != NULL &&
		    regexec(&c->re, value, 0, NULL, 0) == 0;
	case CONSTRAINT_UNLIKE:
		return value == NULL || c->value == NULL ||
		    regexec(&c->re, value, 0, NULL, 0) != 0;
	default:
		return 1;
	}
}

int64_t
offers_unavailable_at(const Mesos__V1__Offer *o)
{
	if (o->unavailability == NULL || o->unavailability->start == NULL)
		return 0;
	return o->unavailability->start->nanoseconds / 1000000;
}

int64_t
offers_unavailable_until(const Mesos__V1__Offer *o)
{
	if (o->unavailability == NULL || o->unavailability->start == NULL)
		return 0;
	if (o->unavailability->duration == NULL)
		return INT64_MAX;
	return (o->unavailability->start->nanoseconds +
	    o->unavailability->duration->nanoseconds) / 1000000;
}
