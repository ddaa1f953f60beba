/*
 * metrics — the registry is a small open hash of series keyed by
 * "name{labels}"; metric families keep their help text and kind. Histograms
 * use one fixed set of buckets in seconds, fit for call and commit latency.
 */
#include <sys/resource.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "xmalloc.h"

static const double metrics_buckets[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
	2.5, 5, 10
};
#define METRICS_NBUCKETS (sizeof metrics_buckets / sizeof metrics_buckets[0])

struct metrics_family {
	char			*name;
	enum metrics_kind	 kind;
	char			*help;
	struct metrics_family	*next;	/* in declaration order */
};

struct metrics_series {
	struct metrics_family	*family;
	char			*labels;
	double			 value;		/* counter/gauge; histogram sum */
	uint64_t		 count;		/* histogram observations */
	uint64_t		 buckets[METRICS_NBUCKETS];
	struct metrics_series	*hnext;		/* hash chain */
	struct metrics_series	*fnext;		/* next series of the family */
};

#define METRICS_HASH 1024
static struct metrics_series *metrics_table[METRICS_HASH];
static struct metrics_family *metrics_families, *metrics_families_tail;
/* series of each family, kept in a list for rendering */
static struct {
	struct metrics_family *f;
	struct metrics_series *head;
} *metrics_index;
static size_t metrics_nindex;

static uint32_t
metrics_hash(const char *a, const char *b)
{
	uint32_t h = 2166136261u;

	for (; *a != '\0'; a++)
		h = (h ^ (unsigned char)*a) * 16777619u;
	h = (h ^ '{') * 16777619u;
	for (; *b != '\0'; b++)
		h = (h ^ (unsigned char)*b) * 16777619u;
	return h;
}

static struct metrics_family *
metrics_family_get(const char *name, enum metrics_kind kind, const char *help)
{
	struct metrics_family *f;

	for (f = metrics_families; f != NULL; f = f->next)
		if (strcmp(f->name, name) == 0) {
			if (help != NULL && f->help == NULL)
				f->help = xstrdup(help);
			return f;
		}
	f = xcalloc(1, sizeof *f);
	f->name = xstrdup(name);
	f->kind = kind;
	f->help = help != NULL ? xstrdup(help) : NULL;
	if (metrics_families_tail != NULL)
		metrics_families_tail->next = f;
	else
		metrics_families = f;
	metrics_families_tail = f;
	metrics_index = xreallocarray(metrics_index, metrics_nindex + 1,
	    sizeof *metrics_index);
	metrics_index[metrics_nindex].f = f;
	metrics_index[metrics_nindex].head = NULL;
	metrics_nindex++;
	return f;
}

void
metrics_declare(const char *name, enum metrics_kind kind, const char *help)
{
	metrics_family_get(name, kind, help);
}

/* Finds or creates the series name{labels}. */
static struct metrics_series *
metrics_series_get(const char *name, const char *labels,
    enum metrics_kind kind)
{
	uint32_t h;
	struct metrics_series *s;
	struct metrics_family *f;

	if (labels == NULL)
		labels = "";
	h = metrics_hash(name, labels) % METRICS_HASH;
	for (s = metrics_table[h]; s != NULL; s = s->hnext)
		if (strcmp(s->family->name, name) == 0 &&
		    strcmp(s->labels, labels) == 0)
			return s;
	f = metrics_family_get(name, kind, NULL);
	s = xcalloc(1, sizeof *s);
	s->family = f;
	s->labels = xstrdup(labels);
	s->hnext = metrics_table[h];
	metrics_table[h] = s;
	for (size_t i = 0; i < metrics_nindex; i++)
		if (metrics_index[i].f == f) {
			s->fnext = metrics_index[i].head;
			metrics_index[i].head = s;
			break;
		}
	return s;
}

void
metrics_add(const char *name, const char *labels, double v)
{
	metrics_series_get(name, labels, METRICS_COUNTER)->value += v;
}

void
metrics_set(const char *name, const char *labels, double v)
{
	metrics_series_get(name, labels, METRICS_GAUGE)->value = v;
}

void
metrics_observe(const char *name, const char *labels, double v)
{
	struct metrics_series *s;

	s = metrics_series_get(name, labels, METRICS_HISTOGRAM);
	s->value += v;
	s->count++;
	for (size_t i = 0; i < METRICS_NBUCKETS; i++)
		if (v <= metrics_buckets[i])
			s->buckets[i]++;
}

/* Drops every series of the family: from the hash and from the family. */
void
metrics_reset(const char *name)
{
	for (size_t i = 0; i < metrics_nindex; i++) {
		struct metrics_series *s, *next, **pp;

		if (strcmp(metrics_index[i].f->name, name) != 0)
			continue;
		for (s = metrics_index[i].head; s != NULL; s = next) {
			next = s->fnext;
			pp = &metrics_table[metrics_hash(name, s->labels) %
			    METRICS_HASH];
			while (*pp != s)
				pp = &(*pp)->hnext;
			*pp = s->hnext;
			free(s->labels);
			free(s);
		}
		metrics_index[i].head = NULL;
		return;
	}
}

double
metrics_get(const char *name, const char *labels)
{
	uint32_t h;

	if (labels == NULL)
		labels = "";
	h = metrics_hash(name, labels) % METRICS_HASH;
	for (struct metrics_series *s = metrics_table[h]; s != NULL;
	    s = s->hnext)
		if (strcmp(s->family->name, name) == 0 &&
		    strcmp(s->labels, labels) == 0)
			return s->family->kind == METRICS_HISTOGRAM ?
			    (double)s->count : s->value;
	return 0;
}

char *
metrics_label_escape(const char *value)
{
	struct buf b;

	buf_init(&b, 0);
	buf_addstr(&b, "");
	for (const char *p = value; *p != '\0'; p++) {
		if (*p == '\\')
			buf_addstr(&b, "\\\\");
		else if (*p == '"')
			buf_addstr(&b, "\\\"");
		else if (*p == '\n')
			buf_addstr(&b, "\\n");
		else
			buf_add(&b, p, 1);
	}
	return buf_steal(&b, NULL);
}

/* Appends help text escaped as HELP lines need: \\ and \n. */
static void
metrics_render_help(struct buf *out, const char *help)
{
	for (const char *p = help; *p != '\0'; p++) {
		if (*p == '\\')
			buf_addstr(out, "\\\\");
		else if (*p == '\n')
			buf_addstr(out, "\\n");
		else
			buf_add(out, p, 1);
	}
}

static void
metrics_render_value(struct buf *out, double v)
{
	if (isnan(v))
		buf_addstr(out, "NaN");
	else if (isinf(v))
		buf_addstr(out, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		buf_printf(out, "%.0f", v);
	else
		buf_printf(out, "%.15g", v);
}

/* Writes name{labels[,extra]} */
static void
metrics_render_name(struct buf *out, const char *name, const char *suffix,
    const char *labels, const char *extra)
{
	int any = labels[0] != '\0' || extra != NULL;

	buf_printf(out, "%s%s", name, suffix);
	if (!any)
		return;
	buf_addstr(out, "{");
	buf_addstr(out, labels);
	if (extra != NULL)
		buf_printf(out, "%s%s", labels[0] != '\0' ? "," : "", extra);
	buf_addstr(out, "}");
}

void
metrics_render(struct buf *out)
{
	static const char *kinds[METRICS_KIND_MAX] = {
		"counter", "gauge", "histogram"
	};

	for (size_t i = 0; i < metrics_nindex; i++) {
		struct metrics_family *f = metrics_index[i].f;
		struct metrics_series *s;

		if (f->help != NULL) {
			buf_printf(out, "# HELP %s ", f->name);
			metrics_render_help(out, f->help);
			buf_addstr(out, "\n");
		}
		buf_printf(out, "# TYPE %s %s\n", f->name, kinds[f->kind]);
		for (s = metrics_index[i].head; s != NULL; s = s->fnext) {
			if (f->kind != METRICS_HISTOGRAM) {
				metrics_render_name(out, f->name, "", s->labels,
				    NULL);
				buf_addstr(out, " ");
				metrics_render_value(out, s->value);
				buf_addstr(out, "\n");
				continue;
			}
			for (size_t b = 0; b < METRICS_NBUCKETS; b++) {
				char le[40];

				snprintf(le, sizeof le, "le=\"%g\"",
				    metrics_buckets[b]);
				metrics_render_name(out, f->name, "_bucket",
				    s->labels, le);
				buf_printf(out, " %llu\n",
				    (unsigned long long)s->buckets[b]);
			}
			metrics_render_name(out, f->name, "_bucket", s->labels,
			    "le=\"+Inf\"");
			buf_printf(out, " %llu\n", (unsigned long long)s->count);
			metrics_render_name(out, f->name, "_sum", s->labels,
			    NULL);
			buf_addstr(out, " ");
			metrics_render_value(out, s->value);
			buf_addstr(out, "\n");
			metrics_render_name(out, f->name, "_count", s->labels,
			    NULL);
			buf_printf(out, " %llu\n", (unsigned long long)s->count);
		}
	}
}

void
metrics_free_all(void)
{
	for (size_t i = 0; i < METRICS_HASH; i++) {
		struct metrics_series *s = metrics_table[i], *n;

		for (; s != NULL; s = n) {
			n = s->hnext;
			free(s->labels);
			free(s);
		}
		metrics_table[i] = NULL;
	}
	while (metrics_families != NULL) {
		struct metrics_family *f = metrics_families;

		metrics_families = f->next;
		free(f->name);
		free(f->help);
		free(f);
	}
	metrics_families_tail = NULL;
	free(metrics_index);
	metrics_index = NULL;
	metrics_nindex = 0;
}

/*
 * Reads the start time (seconds since the epoch), virtual size and resident
 * pages of this process from /proc. Returns 0, or -1 if /proc says nothing.
 */
static int
metrics_proc_stat(double *start, double *vsize, double *rss_pages)
{
	char buf[1024], *p;
	unsigned long long starttime, vsz;
	struct timespec boot, wall;
	long long rss;
	long tck = sysconf(_SC_CLK_TCK);
	FILE *f;
	size_t n;
	int ok;

	f = fopen("/proc/self/stat", "r");
	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the command name may hold anything: fields start after its ')' */
	p = strrchr(buf, ')');
	if (p == NULL || tck <= 0)
		return -1;
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime priority nice threads
	 * itrealvalue starttime vsize rss */
	ok = sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u "
	    "%*u %*d %*d %*d %*d %*d %*d %llu %llu %lld", &starttime, &vsz,
	    &rss) == 3;
	if (!ok)
		return -1;
	/* starttime counts ticks of the boot-time clock: the age of the
	 * process taken from now on the wall clock (/proc/stat's btime is
	 * whole seconds and drifts from the wall clock by seconds) */
	if (clock_gettime(CLOCK_BOOTTIME, &boot) != 0 ||
	    clock_gettime(CLOCK_REALTIME, &wall) != 0)
		return -1;
	*start = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9 -
	    ((double)boot.tv_sec + (double)boot.tv_nsec / 1e9 -
	    (double)starttime / (double)tck);
	*vsize = (double)vsz;
	*rss_pages = (double)rss;
	return 0;
}

/* The number of open file descriptors, or -1 if /proc cannot tell. */
static long
metrics_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own descriptor */
}

void
metrics_process_update(void)
{
	struct rusage ru;
	struct rlimit rl;
	double start, vsize, rss;
	long fds, page = sysconf(_SC_PAGESIZE);

	metrics_declare("process_cpu_seconds_total", METRICS_COUNTER,
	    "Total user and system CPU time spent in seconds.");
	metrics_declare("process_resident_memory_bytes", METRICS_GAUGE,
	    "Resident memory size in bytes.");
	metrics_declare("process_virtual_memory_bytes", METRICS_GAUGE,
	    "Virtual memory size in bytes.");
	metrics_declare("process_open_fds", METRICS_GAUGE,
	    "Number of open file descriptors.");
	metrics_declare("process_max_fds", METRICS_GAUGE,
	    "Maximum number of open file descriptors.");
	metrics_declare("process_start_time_seconds", METRICS_GAUGE,
	    "Start time of the process since unix epoch in seconds.");
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		metrics_set("process_cpu_seconds_total", "",
		    (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
		    ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) /
		    1e6);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		metrics_set("process_max_fds", "", (double)rl.rlim_cur);
	fds = metrics_open_fds();
	if (fds >= 0)
		metrics_set("process_open_fds", "", (double)fds);
	if (metrics_proc_stat(&start, &vsize, &rss) == 0) {
		metrics_set("process_start_time_seconds", "", start);
		metrics_set("process_virtual_memory_bytes", "", vsize);
		if (page > 0)
			metrics_set("process_resident_memory_bytes", "",
			    rss * (double)page);
	}
}
