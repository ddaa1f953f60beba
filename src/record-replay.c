/*
 * record-replay — `arkd replay FILE`: rebuilds the core from a record file's
 * start record (configuration and store snapshot), feeds it every recorded
 * message at its recorded clocks, and prints each message and each effect
 * it produced, one per line. The core is pure, so the decisions printed are
 * the ones arkd made (or, with another configuration, would have made).
 * Nothing is sent and nothing is written but the output.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "effect.h"
#include "record.h"
#include "sched.h"
#include "xmalloc.h"

/* Prints a time relative to the start as +s.mmm. */
static void
replay_time(FILE *out, int64_t t, int64_t start)
{
	int64_t d = t - start;

	fprintf(out, "%s%" PRId64 ".%03" PRId64, d < 0 ? "-" : "+",
	    (d < 0 ? -d : d) / 1000, (d < 0 ? -d : d) % 1000);
}

int
record_replay(const char *path, const struct config *cfg, FILE *out,
    char **cause)
{
	struct record_reader *rd;
	struct record_entry e = { 0 };
	const struct store_snapshot *snap;
	struct effects fx;
	struct sched *s;
	uint64_t nmsgs = 0, neffects = 0, nnotes = 0;
	int64_t start;
	char *why = NULL;
	int rc;

	rd = record_reader_open(path, cause);
	if (rd == NULL)
		return -1;
	if (cfg == NULL)
		cfg = record_reader_config(rd);
	snap = record_reader_snapshot(rd);
	start = record_reader_start_now(rd);
	fprintf(out, "# replay of %s: configuration %s (%s, %zu jobs); "
	    "store: framework %s%s, %zu tasks, %zu slots, %zu blacklisted\n",
	    path, cfg->path, cfg->version, cfg->njobs,
	    snap->framework_id != NULL ? snap->framework_id : "none",
	    snap->framework_removed ? " (removed)" : "", snap->ntasks,
	    snap->nslots, snap->nblacklist);
	s = sched_create(cfg, snap, start, record_reader_start_wall(rd));
	effects_init(&fx);
	while ((rc = record_read(rd, &e, &why)) == 1) {
		char *line;

		replay_time(out, e.now, start);
		if (e.msg == NULL) {
			fprintf(out, " # %s: %s\n", e.kind,
			    e.note != NULL ? e.note : "");
			nnotes++;
			continue;
		}
		line = record_describe_msg(e.msg);
		fprintf(out, " %s\n", line);
		free(line);
		sched_apply(s, e.msg, &fx);
		nmsgs++;
		for (size_t i = 0; i < fx.n; i++) {
			line = record_describe_effect(&fx.v[i]);
			fprintf(out, "\t%s\n", line);
			free(line);
		}
		neffects += fx.n;
		effects_clear(&fx);
	}
	record_entry_clear(&e);
	if (rc == 0 && why != NULL) {
		fprintf(out, "# %s\n", why);
		free(why);
		why = NULL;
	}
	fprintf(out, "# %" PRIu64 " messages, %" PRIu64 " effects, %" PRIu64
	    " notes\n", nmsgs, neffects, nnotes);
	effects_clear(&fx);
	sched_free(s);
	record_reader_close(rd);
	if (rc == -1) {
		*cause = why;
		return -1;
	}
	return 0;
}
