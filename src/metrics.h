/*
 * metrics — one process-wide registry of counters, gauges and histograms,
 * rendered in the Prometheus text exposition format for GET /metrics. ark is
 * single-threaded, so updates take no lock. A series is a metric name plus a
 * label string written as Prometheus writes it: `type="ACCEPT",code="202"`.
 */
#ifndef ARK_METRICS_H
#define ARK_METRICS_H

#include "buf.h"

enum metrics_kind {
	METRICS_COUNTER,
	METRICS_GAUGE,
	METRICS_HISTOGRAM,
	METRICS_KIND_MAX
};

/*
 * Declares a metric with its help text (once, at start-up; declaring again is
 * harmless). Undeclared metrics are declared on first use with no help.
 */
void	metrics_declare(const char *name, enum metrics_kind, const char *help);
void	metrics_add(const char *name, const char *labels, double v);	/* counter */
void	metrics_set(const char *name, const char *labels, double v);	/* gauge */
void	metrics_observe(const char *name, const char *labels, double v);
/* Drops every series of a gauge (before setting a fresh set of them). */
void	metrics_reset(const char *name);
double	metrics_get(const char *name, const char *labels);	/* 0 if none */
/*
 * Returns value escaped for a label: backslash, double quote and newline
 * become \\, \" and \n (caller frees). Label values that come from outside
 * (job ids, agent names) must go through it.
 */
char	*metrics_label_escape(const char *value);
/*
 * Sets the Prometheus standard process_* series of this process
 * (process_cpu_seconds_total, process_resident_memory_bytes,
 * process_virtual_memory_bytes, process_open_fds, process_max_fds,
 * process_start_time_seconds) from getrusage(2), getrlimit(2) and /proc;
 * a value that cannot be read is left out. For each scrape.
 */
void	metrics_process_update(void);
/* Appends the exposition text to out. */
void	metrics_render(struct buf *out);
void	metrics_free_all(void);

#endif
