/*
 * bench/store — group commit throughput of the SQLite store: task rows
 * (status updates as the core writes them) committed per second in groups
 * of 1, 10, 100 and 1000 rows, with the commit latency (mean, p50, p99,
 * max), under synchronous=FULL (arkd's setting) and NORMAL for comparison.
 * The store lives in a directory on the build tree's disk ($ARK_BIN, else
 * the current directory), not in a tmpfs, so that fsync costs what it
 * costs. Each run is bounded in time and in commits. Exits non-zero when
 * FULL with groups of 1000 rows stays under the floor: four times the
 * end-to-end target of 25,000 status updates persisted per second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "xmalloc.h"

#define RUN_SECS	1.0		/* per configuration */
#define MAX_COMMITS	20000
#define TASKS		100000		/* distinct task ids updated */
#define FLOOR_ROWS	100000.0	/* rows/s, FULL, groups of 1000 */

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Commits groups of batch task rows for RUN_SECS; prints rows/s and the
 * commit latency. Returns rows/s.
 */
static double
bench_run(struct store *s, int full, size_t batch, char (*ids)[40])
{
	struct store_op *ops = xcalloc(batch, sizeof *ops);
	double *lat = xcalloc(MAX_COMMITS, sizeof *lat);
	double start, el, sum = 0;
	size_t ncommits = 0, next = 0;
	char *cause = NULL;

	if (store_set_sync(s, full) != 0) {
		fprintf(stderr, "store: cannot set synchronous\n");
		exit(1);
	}
	start = bench_now();
	do {
		double t0;

		for (size_t i = 0; i < batch; i++) {
			struct store_task *t = &ops[i].u.task;
			size_t k = next++ % TASKS;

			ops[i].type = STORE_TASK_PUT;
			t->task_id = ids[k];
			t->job = (char *)"bench";
			t->slot = ids[k] + 6;
			t->agent_id = (char *)"a9b8c7d6-0000-4000-8000-S17";
			t->hostname = (char *)"agent-17.example.net";
			t->offer_id = (char *)"a9b8c7d6-0000-4000-8000-O1234";
			t->state = 1 + (int)(next % 3);
			t->job_hash = (char *)"0123456789abcdef";
			t->launched_at = 1700000000000;
			t->updated_at = 1700000000000 + (int64_t)next;
		}
		t0 = bench_now();
		if (store_commit(s, ops, batch, &cause) != 0) {
			fprintf(stderr, "%s\n", cause);
			exit(1);
		}
		lat[ncommits] = bench_now() - t0;
		sum += lat[ncommits];
		ncommits++;
		el = bench_now() - start;
	} while (el < RUN_SECS && ncommits < MAX_COMMITS);
	qsort(lat, ncommits, sizeof *lat, bench_cmp);
	printf("store %-6s batch %4zu: %9.0f rows/s %8.0f commits/s  "
	    "commit ms mean %.3f p50 %.3f p99 %.3f max %.3f\n",
	    full ? "FULL" : "NORMAL", batch,
	    (double)(ncommits * batch) / el, (double)ncommits / el,
	    sum / (double)ncommits * 1e3, lat[ncommits / 2] * 1e3,
	    lat[ncommits * 99 / 100] * 1e3, lat[ncommits - 1] * 1e3);
	free(ops);
	free(lat);
	return (double)(ncommits * batch) / el;
}

int
main(void)
{
	static const size_t batches[] = { 1, 10, 100, 1000 };
	const char *base = getenv("ARK_BIN");
	char dir[4096], (*ids)[40];
	struct store *s;
	char *cause = NULL, *cmd;
	double floor_rate = 0;
	int rc = 0;

	log_init("bench-store", LOG_LEVEL_WARN, LOG_FORMAT_PLAIN);
	snprintf(dir, sizeof dir, "%s/bench-store.%ld",
	    base != NULL ? base : ".", (long)getpid());
	s = store_open(dir, &cause);
	if (s == NULL) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	ids = xcalloc(TASKS, sizeof *ids);
	for (size_t i = 0; i < TASKS; i++)
		snprintf(ids[i], sizeof ids[i], "bench.%zu.2f3a9c1e", i);
	for (int full = 1; full >= 0; full--)
		for (size_t b = 0; b < sizeof batches / sizeof batches[0];
		    b++) {
			double r = bench_run(s, full, batches[b], ids);

			if (full && batches[b] == 1000)
				floor_rate = r;
		}
	store_close(s);
	free(ids);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	if (floor_rate < FLOOR_ROWS) {
		printf("store: FAIL: %.0f rows/s in groups of 1000 under "
		    "synchronous=FULL, floor %.0f\n", floor_rate, FLOOR_ROWS);
		rc = 1;
	} else {
		printf("store: ok: %.0f rows/s in groups of 1000 under "
		    "synchronous=FULL (floor %.0f)\n", floor_rate, FLOOR_ROWS);
	}
	return rc;
}
