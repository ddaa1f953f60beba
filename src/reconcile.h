/*
 * reconcile — the Mesos reconciliation algorithm as its own small state
 * machine inside the pure core (docs/reconciliation.md):
 *
 *   start = now; remaining = every non-terminal task; RECONCILE(remaining);
 *   wait (truncated exponential backoff); remaining = tasks with no update
 *   since start; repeat until none remain; then one implicit RECONCILE.
 *
 * The core owns the tasks; each task embeds a reconcile_item that this
 * module links into its list of outstanding tasks, so an update costs O(1)
 * and a retry O(outstanding). RECONCILE calls go out in batches of at most
 * `batch` tasks. One run at a time: reconcile_begin() abandons a run in
 * progress. Every phase change goes through one function that logs
 * "from -> to (cause)".
 */
#ifndef ARK_RECONCILE_H
#define ARK_RECONCILE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "effect.h"

enum reconcile_phase {
	RECONCILE_IDLE,		/* no run in progress */
	RECONCILE_EXPLICIT,	/* tasks outstanding; retrying with backoff */
	RECONCILE_IMPLICIT,	/* explicit done; the empty RECONCILE went out
				 * and its answers are arriving */
	RECONCILE_PHASE_MAX
};

/* Embedded in each task the core knows. */
struct reconcile_item {
	const char	*task_id;	/* borrowed from the task */
	const char	*agent_id;	/* borrowed; may be NULL */
	int		 outstanding;	/* linked in the outstanding list */
	struct reconcile_item *prev, *next;
};

struct reconcile {
	enum reconcile_phase phase;
	/* parameters (from the config) */
	double		 initial_s, factor, max_s, interval_s;
	uint32_t	 batch;
	/* the run in progress */
	int64_t		 started;	/* monotonic ms */
	int64_t		 started_wall;	/* wall ms, for the admin API */
	double		 wait_s;	/* current backoff */
	int64_t		 next_at;	/* retry / end of implicit; INT64_MAX */
	int64_t		 round_at;	/* monotonic ms the last round went out */
	int64_t		 last_answer;	/* monotonic ms of the run's latest
					 * answer; -1 = none yet */
	struct reconcile_item head;	/* outstanding list (sentinel) */
	size_t		 outstanding;
	/* history */
	uint64_t	 runs;		/* runs begun */
	uint64_t	 rounds;	/* RECONCILE rounds sent (explicit) */
	uint64_t	 completed;	/* runs whose explicit part finished */
	uint64_t	 unknown_tasks;	/* updates for tasks ark did not know */
	int64_t		 last_duration_ms;	/* of the last explicit part */
	int64_t		 last_done_wall;	/* wall ms it finished */
	int64_t		 last_end;	/* monotonic ms the last run ended */
	int		 done;		/* explicit part done since begin */
};

void		 reconcile_init(struct reconcile *, const struct config *);
/* Takes new parameters (a reload); a run in progress keeps going. */
void		 reconcile_configure(struct reconcile *, const struct config *);
void		 reconcile_item_init(struct reconcile_item *, const char *task_id,
		    const char *agent_id);
/* Starts a new explicit run (abandoning any); add its tasks next. */
void		 reconcile_begin(struct reconcile *, int64_t now, int64_t wall,
		    const char *cause);
/* Adds a task to the run just begun. */
void		 reconcile_add(struct reconcile *, struct reconcile_item *);
/*
 * Sends the first round of the run begun (or, with no task outstanding,
 * goes straight to the implicit part).
 */
void		 reconcile_send(struct reconcile *, const char *fid, int64_t now,
		    struct effects *out);
/*
 * A status update for the item's task arrived: it is no longer outstanding.
 * When it was the last one, the explicit part ends (effects: the implicit
 * RECONCILE).
 */
void		 reconcile_seen(struct reconcile *, struct reconcile_item *,
		    const char *fid, int64_t now, struct effects *out);
/* The task is gone from the core: unlink it without ending anything. */
void		 reconcile_forget(struct reconcile *, struct reconcile_item *);
/* Handles the deadline (retry round, end of implicit part) if due. */
void		 reconcile_tick(struct reconcile *, const char *fid, int64_t now,
		    struct effects *out);
/* Abandons the run (the connection went away). */
void		 reconcile_stop(struct reconcile *, const char *cause);
/* When the core must call reconcile_tick next; INT64_MAX: never. */
int64_t		 reconcile_deadline(const struct reconcile *);
/* Whether a periodic run is due (idle, and the interval has passed). */
int		 reconcile_periodic_due(const struct reconcile *, int64_t now);
/* Whether the task's reconciliation is outstanding. */
int		 reconcile_pending(const struct reconcile_item *);
const char	*reconcile_phase_name(enum reconcile_phase);

#endif
