/*
 * check_metrics — the Prometheus text exposition (format 0.0.4) that
 * metrics.c renders for GET /metrics. Two judges: a validator written here
 * from the format's rules (names, HELP/TYPE lines, label escaping, families
 * kept together, histogram buckets with le, +Inf, cumulative counts, _sum
 * and _count), itself tested on broken samples; and promtool (Debian's
 * prometheus package, installed by scripts/install-deps), whose `check
 * metrics` must accept the rendering without a single lint remark.
 */
#include <sys/wait.h>
#include <check.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "metrics.h"
#include "xmalloc.h"

#define MAX_FAMILIES 64
#define MAX_SERIES 64

/* ---- a validator of the exposition format -------------------------------- */

/* One histogram series being checked: its labels without le. */
struct hist {
	char	 key[512];
	double	 last_le;
	double	 last_count;
	double	 inf;		/* count of le="+Inf", -1 if not seen */
	double	 count;		/* _count, -1 if not seen */
	int	 has_sum;
};

/* Everything the validator remembers while reading. */
struct vstate {
	char	 families[MAX_FAMILIES][128];	/* in order of appearance */
	char	 types[MAX_FAMILIES][16];
	int	 has_help[MAX_FAMILIES];
	int	 done[MAX_FAMILIES];	/* samples seen, then another's */
	int	 nfam;
	int	 current;	/* family of the previous sample, -1 */
	struct hist hists[MAX_SERIES];
	int	 nhist;
};

static char verror[512];

static int vfail(int line, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records the first error with its line number; returns -1. */
static int
vfail(int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (verror[0] != '\0')
		return -1;
	n = snprintf(verror, sizeof verror, "line %d: ", line);
	va_start(ap, fmt);
	vsnprintf(verror + n, sizeof verror - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Length of the metric name at s ([a-zA-Z_:][a-zA-Z0-9_:]*), 0 if none. */
static size_t
name_len(const char *s, int colon)
{
	size_t n = 0;

	if (!(isalpha((unsigned char)s[0]) || s[0] == '_' ||
	    (colon && s[0] == ':')))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_' ||
	    (colon && s[n] == ':'))
		n++;
	return n;
}

/* Parses a sample value: a float, NaN, +Inf or -Inf. */
static int
parse_value(const char *s, double *v)
{
	char *end;

	if (strcmp(s, "NaN") == 0) {
		*v = NAN;
		return 0;
	}
	if (strcmp(s, "+Inf") == 0) {
		*v = INFINITY;
		return 0;
	}
	if (strcmp(s, "-Inf") == 0) {
		*v = -INFINITY;
		return 0;
	}
	*v = strtod(s, &end);
	return end != s && *end == '\0' && !isinf(*v) && !isnan(*v) ? 0 : -1;
}

/* The family a sample name belongs to (histogram suffixes stripped). */
static int
family_of(struct vstate *st, const char *name, const char **suffix)
{
	static const char *sfx[] = { "_bucket", "_sum", "_count" };

	*suffix = "";
	for (int i = 0; i < st->nfam; i++)
		if (strcmp(st->families[i], name) == 0)
			return i;
	for (size_t k = 0; k < 3; k++) {
		size_t n = strlen(name), m = strlen(sfx[k]);

		if (n <= m || strcmp(name + n - m, sfx[k]) != 0)
			continue;
		for (int i = 0; i < st->nfam; i++)
			if (strlen(st->families[i]) == n - m &&
			    strncmp(st->families[i], name, n - m) == 0 &&
			    strcmp(st->types[i], "histogram") == 0) {
				*suffix = sfx[k];
				return i;
			}
	}
	return -1;
}

/* Finds or adds the histogram series with these labels. */
static struct hist *
hist_get(struct vstate *st, const char *key)
{
	for (int i = 0; i < st->nhist; i++)
		if (strcmp(st->hists[i].key, key) == 0)
			return &st->hists[i];
	if (st->nhist == MAX_SERIES)
		return NULL;
	snprintf(st->hists[st->nhist].key, sizeof st->hists[0].key, "%s", key);
	st->hists[st->nhist].last_le = -INFINITY;
	st->hists[st->nhist].last_count = 0;
	st->hists[st->nhist].inf = -1;
	st->hists[st->nhist].count = -1;
	st->hists[st->nhist].has_sum = 0;
	return &st->hists[st->nhist++];
}

/* Ends a histogram family: every series complete and consistent. */
static int
hist_close(struct vstate *st, int line)
{
	for (int i = 0; i < st->nhist; i++) {
		struct hist *h = &st->hists[i];

		if (h->inf < 0)
			return vfail(line, "histogram {%s} has no le=\"+Inf\" "
			    "bucket", h->key);
		if (h->count < 0 || !h->has_sum)
			return vfail(line, "histogram {%s} lacks _sum or "
			    "_count", h->key);
		if (h->count != h->inf)
			return vfail(line, "histogram {%s}: _count %g is not "
			    "the +Inf bucket %g", h->key, h->count, h->inf);
	}
	st->nhist = 0;
	return 0;
}

/*
 * Parses the labels at *p ("{" ... "}") into key (labels but le, in order)
 * and le; returns -1 on a format error.
 */
static int
parse_labels(const char **p, int line, char *key, size_t keylen, char *le,
    size_t lelen)
{
	const char *s = *p;
	char names[16][64];
	int n = 0;

	key[0] = '\0';
	le[0] = '\0';
	if (*s != '{')
		return 0;
	s++;
	while (*s != '}') {
		size_t len = name_len(s, 0);
		char name[64], val[256];
		size_t vl = 0;

		if (len == 0 || len >= sizeof name)
			return vfail(line, "bad label name at \"%s\"", s);
		snprintf(name, sizeof name, "%.*s", (int)len, s);
		for (int i = 0; i < n; i++)
			if (strcmp(names[i], name) == 0)
				return vfail(line, "label %s twice", name);
		if (n < 16)
			snprintf(names[n++], sizeof names[0], "%s", name);
		s += len;
		if (s[0] != '=' || s[1] != '"')
			return vfail(line, "label %s: expected =\"", name);
		s += 2;
		while (*s != '"') {
			if (*s == '\0' || *s == '\n')
				return vfail(line, "label %s: unterminated "
				    "value", name);
			if (*s == '\\') {
				if (s[1] != '\\' && s[1] != '"' && s[1] != 'n')
					return vfail(line, "label %s: bad escape "
					    "\\%c", name, s[1]);
				s++;
			}
			if (vl + 1 < sizeof val)
				val[vl++] = *s;
			s++;
		}
		val[vl] = '\0';
		s++;
		if (strcmp(name, "le") == 0) {
			if (strlen(val) >= lelen)
				return vfail(line, "le too long");
			memcpy(le, val, strlen(val) + 1);
		} else {
			size_t kl = strlen(key);

			snprintf(key + kl, keylen - kl, "%s%s=%s",
			    kl > 0 ? "," : "", name, val);
		}
		if (*s == ',')
			s++;
		else if (*s != '}')
			return vfail(line, "expected , or } after label %s",
			    name);
	}
	*p = s + 1;
	return 0;
}

/* Checks one sample line. */
static int
check_sample(struct vstate *st, const char *l, int line)
{
	char name[128], key[512], le[64];
	const char *p = l, *suffix;
	size_t n = name_len(l, 1);
	int f;
	double v;

	if (n == 0 || n >= sizeof name)
		return vfail(line, "bad metric name in \"%s\"", l);
	snprintf(name, sizeof name, "%.*s", (int)n, l);
	p += n;
	if (parse_labels(&p, line, key, sizeof key, le, sizeof le) != 0)
		return -1;
	if (*p != ' ')
		return vfail(line, "expected a space before the value");
	p++;
	{
		char val[64];
		const char *sp = strchr(p, ' ');

		snprintf(val, sizeof val, "%.*s", sp != NULL ? (int)(sp - p) :
		    (int)strlen(p), p);
		if (parse_value(val, &v) != 0)
			return vfail(line, "bad value \"%s\"", val);
	}
	f = family_of(st, name, &suffix);
	if (f < 0)
		return vfail(line, "sample %s before its # TYPE", name);
	if (st->current != f) {
		if (st->current >= 0) {
			if (strcmp(st->types[st->current], "histogram") == 0 &&
			    hist_close(st, line) != 0)
				return -1;
			st->done[st->current] = 1;
		}
		if (st->done[f])
			return vfail(line, "family %s is split",
			    st->families[f]);
		st->current = f;
	}
	if (strcmp(st->types[f], "histogram") == 0) {
		struct hist *h;

		if (suffix[0] == '\0')
			return vfail(line, "histogram %s: a sample without "
			    "_bucket/_sum/_count", name);
		h = hist_get(st, key);
		if (h == NULL)
			return vfail(line, "too many series");
		if (strcmp(suffix, "_bucket") == 0) {
			double bound;

			if (le[0] == '\0')
				return vfail(line, "%s without le", name);
			if (parse_value(le, &bound) != 0 || isnan(bound))
				return vfail(line, "bad le \"%s\"", le);
			if (bound <= h->last_le)
				return vfail(line, "le %s not increasing", le);
			if (v < h->last_count)
				return vfail(line, "bucket le=%s is %g, less "
				    "than the one before (%g): not cumulative",
				    le, v, h->last_count);
			h->last_le = bound;
			h->last_count = v;
			if (isinf(bound))
				h->inf = v;
		} else if (le[0] != '\0')
			return vfail(line, "le on %s", name);
		else if (strcmp(suffix, "_sum") == 0)
			h->has_sum = 1;
		else
			h->count = v;
	} else if (le[0] != '\0' && strcmp(st->types[f], "counter") == 0)
		return vfail(line, "le label on a counter");
	if (strcmp(st->types[f], "counter") == 0 && !(v >= 0))
		return vfail(line, "counter %s is %g", name, v);
	return 0;
}

/* Checks a "# HELP" or "# TYPE" line; other comments are allowed. */
static int
check_comment(struct vstate *st, const char *l, int line)
{
	int help = strncmp(l, "# HELP ", 7) == 0;
	int type = strncmp(l, "# TYPE ", 7) == 0;
	const char *p = l + 7;
	size_t n;
	int f = -1;

	if (!help && !type)
		return 0;
	n = name_len(p, 1);
	if (n == 0 || (p[n] != ' ' && !(help && p[n] == '\0')))
		return vfail(line, "bad name in \"%s\"", l);
	for (int i = 0; i < st->nfam; i++)
		if (strlen(st->families[i]) == n &&
		    strncmp(st->families[i], p, n) == 0)
			f = i;
	if (f < 0) {
		if (st->nfam == MAX_FAMILIES)
			return vfail(line, "too many families");
		f = st->nfam++;
		snprintf(st->families[f], sizeof st->families[0], "%.*s",
		    (int)n, p);
		st->types[f][0] = '\0';
	}
	p += n;
	if (help) {
		if (st->has_help[f]++)
			return vfail(line, "second HELP for %s",
			    st->families[f]);
		for (p++; *p != '\0'; p++)
			if (*p == '\\' && p[1] != '\\' && p[1] != 'n')
				return vfail(line, "bad escape in HELP");
			else if (*p == '\\')
				p++;
		return 0;
	}
	if (st->types[f][0] != '\0')
		return vfail(line, "second TYPE for %s", st->families[f]);
	if (st->current == f)
		return vfail(line, "TYPE after samples of %s",
		    st->families[f]);
	p++;
	if (strcmp(p, "counter") != 0 && strcmp(p, "gauge") != 0 &&
	    strcmp(p, "histogram") != 0 && strcmp(p, "summary") != 0 &&
	    strcmp(p, "untyped") != 0)
		return vfail(line, "unknown type \"%s\"", p);
	snprintf(st->types[f], sizeof st->types[0], "%s", p);
	return 0;
}

/* Validates a whole exposition; NULL if good, else the first error. */
static const char *
validate(const char *text)
{
	struct vstate *st = xcalloc(1, sizeof *st);
	const char *p = text;
	int line = 0, rc = 0;

	verror[0] = '\0';
	st->current = -1;
	if (text[0] != '\0' && text[strlen(text) - 1] != '\n')
		vfail(0, "no final newline");
	while (rc == 0 && *p != '\0') {
		const char *e = strchr(p, '\n');
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
		char *l = xstrndup(p, n);

		line++;
		if (l[0] == '#')
			rc = check_comment(st, l, line);
		else if (l[0] != '\0')
			rc = check_sample(st, l, line);
		free(l);
		p = e != NULL ? e + 1 : p + n;
	}
	if (rc == 0 && st->current >= 0 &&
	    strcmp(st->types[st->current], "histogram") == 0)
		hist_close(st, line);
	free(st);
	return verror[0] != '\0' ? verror : NULL;
}

/* ---- promtool ------------------------------------------------------------ */

/*
 * Runs `promtool check metrics` on text; returns its exit status and its
 * output in *out (caller frees). Fails the test if promtool is missing.
 */
static int
promtool(const char *text, char **out)
{
	char in[] = "/tmp/ark-metrics-XXXXXX";
	char *cmd;
	FILE *f;
	struct buf b;
	char chunk[1024];
	size_t n;
	int fd, status;

	ck_assert_msg(system("command -v promtool >/dev/null 2>&1") == 0,
	    "promtool is missing: run scripts/install-deps (Debian package "
	    "prometheus)");
	fd = mkstemp(in);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	cmd = xasprintf("promtool check metrics < %s 2>&1", in);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	buf_init(&b, 0);
	buf_addstr(&b, "");
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	status = pclose(f);
	unlink(in);
	free(cmd);
	*out = buf_steal(&b, NULL);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- the sample registry ------------------------------------------------- */

/* Fills the registry with what arkd exports: every kind, with labels. */
static void
fill(void)
{
	char *job = metrics_label_escape("we\"b\\1\nx");
	char *labels;

	metrics_declare("ark_events_total", METRICS_COUNTER,
	    "Mesos events received, by type.");
	metrics_declare("ark_calls_total", METRICS_COUNTER,
	    "Calls sent to the master, by type and HTTP status.");
	metrics_declare("ark_call_latency_seconds", METRICS_HISTOGRAM,
	    "Time from sending a call to its answer.");
	metrics_declare("ark_heartbeat_age_seconds", METRICS_GAUGE,
	    "Seconds since the last HEARTBEAT; help with a \\ and a\nnewline.");
	metrics_declare("ark_tasks", METRICS_GAUGE, "Tasks by job and state.");
	metrics_declare("ark_store_commit_seconds", METRICS_HISTOGRAM,
	    "Store commit latency.");
	metrics_add("ark_events_total", "type=\"OFFERS\"", 12);
	metrics_add("ark_events_total", "type=\"UPDATE\"", 3);
	metrics_add("ark_events_total", "type=\"HEARTBEAT\"", 1);
	metrics_add("ark_calls_total", "type=\"ACCEPT\",code=\"202\"", 5);
	metrics_add("ark_calls_total", "type=\"DECLINE\",code=\"503\"", 1);
	metrics_observe("ark_call_latency_seconds", "type=\"ACCEPT\"", 0.0001);
	metrics_observe("ark_call_latency_seconds", "type=\"ACCEPT\"", 0.003);
	metrics_observe("ark_call_latency_seconds", "type=\"ACCEPT\"", 0.3);
	metrics_observe("ark_call_latency_seconds", "type=\"ACCEPT\"", 100);
	metrics_observe("ark_call_latency_seconds", "type=\"KILL\"", 0.02);
	metrics_set("ark_heartbeat_age_seconds", "", 2.5);
	labels = xasprintf("job=\"%s\",state=\"TASK_RUNNING\"", job);
	metrics_set("ark_tasks", labels, 3);
	metrics_set("ark_tasks", "job=\"db\",state=\"TASK_STAGING\"", 1);
	metrics_observe("ark_store_commit_seconds", "", 0.004);
	free(labels);
	free(job);
}

static char *
render(void)
{
	struct buf b;

	buf_init(&b, 0);
	buf_addstr(&b, "");
	metrics_render(&b);
	return buf_steal(&b, NULL);
}

static void
teardown(void)
{
	metrics_free_all();
}

/* ---- tests --------------------------------------------------------------- */

START_TEST(test_render_valid)
{
	char *text;
	const char *err;

	fill();
	text = render();
	err = validate(text);
	ck_assert_msg(err == NULL, "%s in:\n%s", err, text);
	free(text);
}
END_TEST

START_TEST(test_promtool)
{
	char *text, *out;
	int rc;

	fill();
	text = render();
	rc = promtool(text, &out);
	ck_assert_msg(rc == 0 && out[0] == '\0', "promtool exit %d:\n%s\n"
	    "on:\n%s", rc, out, text);
	free(out);
	/* and promtool does catch what is broken */
	rc = promtool("# TYPE x_total counter\nx_total{a=\"b} 1\n", &out);
	ck_assert_int_ne(rc, 0);
	free(out);
	free(text);
}
END_TEST

START_TEST(test_label_escape)
{
	char *s;

	s = metrics_label_escape("plain-id.1");
	ck_assert_str_eq(s, "plain-id.1");
	free(s);
	s = metrics_label_escape("a\"b\\c\nd");
	ck_assert_str_eq(s, "a\\\"b\\\\c\\nd");
	free(s);
	s = metrics_label_escape("");
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_help_escaped)
{
	char *text;

	fill();
	text = render();
	ck_assert_msg(strstr(text, "# HELP ark_heartbeat_age_seconds Seconds "
	    "since the last HEARTBEAT; help with a \\\\ and a\\nnewline.\n") !=
	    NULL, "%s", text);
	ck_assert(strstr(text, "job=\"we\\\"b\\\\1\\nx\"") != NULL);
	free(text);
}
END_TEST

START_TEST(test_histogram)
{
	char *text;

	fill();
	text = render();
	/* 0.0001 <= 0.0005; 0.003 <= 0.005; 0.3 <= 0.5; 100 only in +Inf */
	ck_assert(strstr(text, "ark_call_latency_seconds_bucket{type=\"ACCEPT\","
	    "le=\"0.0005\"} 1\n") != NULL);
	ck_assert(strstr(text, "ark_call_latency_seconds_bucket{type=\"ACCEPT\","
	    "le=\"0.005\"} 2\n") != NULL);
	ck_assert(strstr(text, "ark_call_latency_seconds_bucket{type=\"ACCEPT\","
	    "le=\"0.5\"} 3\n") != NULL);
	ck_assert(strstr(text, "ark_call_latency_seconds_bucket{type=\"ACCEPT\","
	    "le=\"10\"} 3\n") != NULL);
	ck_assert(strstr(text, "ark_call_latency_seconds_bucket{type=\"ACCEPT\","
	    "le=\"+Inf\"} 4\n") != NULL);
	ck_assert(strstr(text, "ark_call_latency_seconds_count{type=\"ACCEPT\"} "
	    "4\n") != NULL);
	ck_assert(strstr(text, "ark_call_latency_seconds_sum{type=\"ACCEPT\"} "
	    "100.3031\n") != NULL);
	ck_assert(strstr(text, "ark_store_commit_seconds_bucket{le=\"+Inf\"} "
	    "1\n") != NULL);
	ck_assert_int_eq((int)metrics_get("ark_call_latency_seconds",
	    "type=\"ACCEPT\""), 4);
	free(text);
}
END_TEST

START_TEST(test_reset_drops)
{
	char *text;

	fill();
	metrics_reset("ark_tasks");
	ck_assert(metrics_get("ark_tasks", "job=\"db\",state=\"TASK_STAGING\"")
	    == 0);
	metrics_set("ark_tasks", "job=\"db\",state=\"TASK_RUNNING\"", 2);
	text = render();
	ck_assert_msg(strstr(text, "TASK_STAGING") == NULL, "%s", text);
	ck_assert(strstr(text, "ark_tasks{job=\"db\",state=\"TASK_RUNNING\"} "
	    "2\n") != NULL);
	ck_assert(strstr(text, "# TYPE ark_tasks gauge\n") != NULL);
	ck_assert_ptr_null(validate(text));
	free(text);
	/* resetting twice, or an unknown family, is harmless */
	metrics_reset("ark_tasks");
	metrics_reset("ark_tasks");
	metrics_reset("ark_nothing");
	ck_assert(metrics_get("ark_tasks", "job=\"db\",state=\"TASK_RUNNING\"")
	    == 0);
}
END_TEST

/* The value of an unlabelled series in text (-1 if absent). */
static double
value_of(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = text; (p = strstr(p, name)) != NULL; p += n)
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

/* The process_* series under their standard names, with sane values. */
START_TEST(test_process)
{
	char *text, *out = NULL;
	double v;
	time_t now = time(NULL);
	volatile double spin = 0;

	for (int i = 0; i < 3000000; i++)	/* some CPU time to see */
		spin += i;
	metrics_process_update();
	text = render();
	ck_assert_msg(validate(text) == NULL, "%s", verror);
	ck_assert_msg(promtool(text, &out) == 0, "%s", out);
	free(out);
	ck_assert(strstr(text, "# TYPE process_cpu_seconds_total counter\n"));
	ck_assert(strstr(text, "# TYPE process_resident_memory_bytes gauge\n"));
	v = value_of(text, "process_cpu_seconds_total");
	ck_assert_msg(v > 0 && v < 3600, "cpu %g", v);
	v = value_of(text, "process_resident_memory_bytes");
	ck_assert_msg(v > 1e5 && v < 1e10, "rss %g", v);
	ck_assert(value_of(text, "process_virtual_memory_bytes") >= v);
	v = value_of(text, "process_open_fds");
	ck_assert_msg(v >= 3 && v < 1e6, "fds %g", v);	/* stdin/out/err */
	ck_assert(value_of(text, "process_max_fds") >= v);
	/* this test process started within the last hour (/proc/stat's boot
	 * time is whole seconds: allow for rounding) */
	v = value_of(text, "process_start_time_seconds");
	ck_assert_msg(v > (double)now - 3600 && v <= (double)now + 2,
	    "start %f, now %lld", v, (long long)now);
	free(text);
	(void)spin;
}
END_TEST

START_TEST(test_special_values)
{
	char *text;

	metrics_declare("ark_x", METRICS_GAUGE, "x.");
	metrics_set("ark_x", "k=\"nan\"", NAN);
	metrics_set("ark_x", "k=\"inf\"", INFINITY);
	metrics_set("ark_x", "k=\"ninf\"", -INFINITY);
	metrics_set("ark_x", "k=\"big\"", 1e300);
	metrics_set("ark_x", "k=\"small\"", -0.000125);
	/* a time in seconds keeps its milliseconds */
	metrics_set("ark_x", "k=\"epoch\"", 1796683030.125);
	text = render();
	ck_assert(strstr(text, "ark_x{k=\"nan\"} NaN\n") != NULL);
	ck_assert(strstr(text, "ark_x{k=\"inf\"} +Inf\n") != NULL);
	ck_assert(strstr(text, "ark_x{k=\"ninf\"} -Inf\n") != NULL);
	ck_assert(strstr(text, "ark_x{k=\"small\"} -0.000125\n") != NULL);
	ck_assert_msg(strstr(text, "ark_x{k=\"epoch\"} 1796683030.125\n") !=
	    NULL, "%s", text);
	ck_assert_msg(validate(text) == NULL, "%s", verror);
	free(text);
}
END_TEST

/* The validator itself catches each class of mistake. */
static const struct broken {
	const char *text;
	const char *error;
} broken[] = {
	{ "# TYPE 1x counter\n", "bad name" },
	{ "x 1\n", "before its # TYPE" },
	{ "# TYPE x gauge\nx{a=\"b} 1\n", "unterminated" },
	{ "# TYPE x gauge\nx{a=\"\\t\"} 1\n", "bad escape" },
	{ "# TYPE x gauge\nx{a=\"1\",a=\"2\"} 1\n", "twice" },
	{ "# TYPE x gauge\nx{1a=\"1\"} 1\n", "bad label name" },
	{ "# TYPE x gauge\nx one\n", "bad value" },
	{ "# TYPE x gauge\nx 1", "no final newline" },
	{ "# TYPE x gauge\n# TYPE x counter\n", "second TYPE" },
	{ "# TYPE x gauge\nx 1\n# TYPE x gauge\n", "second TYPE" },
	{ "# TYPE x blob\n", "unknown type" },
	{ "# TYPE x_total counter\nx_total -1\n", "counter" },
	{ "# HELP x a \\q\n", "bad escape in HELP" },
	{ "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"2\"} 1\n"
	    "h_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n", "not cumulative" },
	{ "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",
	    "+Inf" },
	{ "# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\n",
	    "not increasing" },
	{ "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",
	    "_count 3" },
	{ "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n",
	    "lacks _sum" },
	{ "# TYPE h histogram\nh_bucket 2\n", "without le" },
	{ "# TYPE h histogram\nh 2\n", "without _bucket" },
	{ "# TYPE x gauge\n# TYPE y gauge\nx 1\ny 1\nx{a=\"1\"} 2\n",
	    "family x is split" },
};

START_TEST(test_validator_catches)
{
	const char *err = validate(broken[_i].text);

	ck_assert_msg(err != NULL, "accepted:\n%s", broken[_i].text);
	ck_assert_msg(strstr(err, broken[_i].error) != NULL,
	    "\"%s\" lacks \"%s\"", err, broken[_i].error);
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("exposition");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_render_valid);
	tcase_add_test(tc, test_promtool);
	tcase_add_test(tc, test_label_escape);
	tcase_add_test(tc, test_help_escaped);
	tcase_add_test(tc, test_histogram);
	tcase_add_test(tc, test_reset_drops);
	tcase_add_test(tc, test_special_values);
	tcase_add_test(tc, test_process);
	tcase_add_loop_test(tc, test_validator_catches, 0,
	    (int)(sizeof broken / sizeof broken[0]));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(metrics_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
