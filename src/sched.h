/*
 * sched — the scheduling core: a pure reducer. sched_apply(state, message)
 * changes the state in memory and appends effects (calls, store rows,
 * replies, ...) as data; it does no I/O and reads no clock (time comes in the
 * message), so tests drive it message by message with no sockets and replays
 * of recorded incidents make the same decisions. State: jobs and their slots,
 * tasks, agents, outstanding offers, the blacklist, the FrameworkID, the
 * connection state and the reconciliation in progress.
 */
#ifndef ARK_SCHED_H
#define ARK_SCHED_H

#include <stdint.h>

#include "config.h"
#include "effect.h"
#include "msg.h"
#include "store.h"

struct sched;

/*
 * Builds the state from the configuration and what the store held at start
 * (snap may be NULL). Both are copied; the caller keeps ownership.
 */
struct sched	*sched_create(const struct config *, const struct store_snapshot *,
		    int64_t now, int64_t wall);
void		 sched_free(struct sched *);
/*
 * Handles one message and appends its effects to out. The core may take what
 * the message owns by setting the pointer in the message to NULL (a reload's
 * config); the caller frees the message afterwards as usual.
 */
void		 sched_apply(struct sched *, struct msg *, struct effects *out);
/* The monotonic time (ms) at which the core wants a MSG_TICK; INT64_MAX: none. */
int64_t		 sched_next_deadline(const struct sched *);
/* The FrameworkID to subscribe with, NULL before the first SUBSCRIBED. */
const char	*sched_framework_id(const struct sched *);
/*
 * The operator's runtime changes, as JSON (new reference): {"blacklist":
 * [{"agent", "reason"}, ...] (sorted by agent), "jobs": {"<id>":
 * {"instances": n (only when set at runtime), "suspended": bool}}} for the
 * configured jobs. With ha.zk the leader mirrors it into ZooKeeper.
 */
json_t		*sched_runtime_json(const struct sched *);
/* Sets gauges (tasks by state and job, offers, reconciliation) in metrics. */
void		 sched_metrics(const struct sched *);

#endif
