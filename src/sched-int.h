/*
 * sched-int — the core's state, shared by the files of the sched family
 * (sched.c: the entry and the state; one file per concern below it, from
 * sched-effect.c at the bottom to sched-offer.c, sched-admin.c and
 * sched-reload.c; the order is in sched.c's header and HACKING.md). A file
 * calls only the files below it. Nothing outside the family includes it
 * (but the core's tests); the public contract is sched.h.
 *
 * Ownership: struct sched owns its config copy, every job, slot, task and
 * agent, the blacklist and the in-flight call records. A job owns its slots;
 * tasks are owned by the sched (tasks hash) and point at their job, slot and
 * agent, which outlive them (a slot or agent is only freed once no task
 * refers to it).
 */
#ifndef ARK_SCHED_INT_H
#define ARK_SCHED_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"
#include "effect.h"
#include "hash.h"
#include "heap.h"
#include "msg.h"
#include "reconcile.h"
#include "sched.h"
#include "store.h"

/* The state of a task before its first status update (a launch intent). */
#define SCHED_LAUNCHING		STORE_TASK_LAUNCHING
/* TaskState values are 0 .. SCHED_NSTATES - 1. */
#define SCHED_NSTATES		14
/* store_slot.backoff_until of a slot its restart policy leaves empty. */
#define SCHED_SLOT_DONE_MARK	(-1)
/* Offers whose maintenance starts within this are not used (ms). */
#define SCHED_UNAVAILABLE_HORIZON_MS	(3600 * 1000)
/*
 * Wanting offers and getting none this long: REVIVE again (ms), in case the
 * last REVIVE was lost. Each such resend that brings no offer doubles the
 * wait up to the cap, so a slot that fits nowhere does not make arkd clear
 * the master's filters every 30 s forever; an offer or new work resets it.
 */
#define SCHED_REVIVE_RESEND_MS	(30 * 1000)
#define SCHED_REVIVE_RESEND_MAX_MS	(300 * 1000)
/* How many finished task ids are remembered to ignore late updates. */
#define SCHED_DEAD_MAX		8192
/*
 * Launches per OFFERS event. A burst's TaskInfos, store rows and calls are
 * all alive until sent; bounding them bounds the heap a burst leaves behind.
 * Offers left over are declined without a filter: the next round has them.
 */
#define SCHED_LAUNCH_BURST	10000
/* Ended tasks each slot remembers (GET /v1/jobs/{id}, the store). */
#define SCHED_HISTORY_MAX	10

enum sched_slot_state {
	SLOT_PENDING,	/* wants a task and may get one now */
	SLOT_BACKOFF,	/* wants a task once its backoff ends */
	SLOT_ACTIVE,	/* has a task (launching or live) */
	SLOT_DONE,	/* its restart policy leaves it empty */
	SLOT_STATE_MAX
};

/* Why ark asked a task to die; decides what its slot does next. */
enum sched_kill {
	KILL_NONE,
	KILL_ADMIN,	/* POST /v1/tasks/{id}/kill: refill per policy */
	KILL_ROLL,	/* rolling restart or changed job: refill now */
	KILL_BLACKLIST,	/* its agent was blacklisted */
	KILL_DRAIN,	/* its replacement runs (drain, inverse offer) */
	KILL_SURPLUS,	/* a second task in one slot */
	KILL_REMOVED,	/* its job left the configuration */
	KILL_SCALE,	/* its slot is gone (scaled down) */
	KILL_SUSPEND,	/* its job was suspended */
	KILL_MAX
};

enum sched_timer_kind {
	TIMER_SLOT,	/* a slot's backoff */
	TIMER_TASK	/* a task's launch check, unreachable grace, kill retry */
};

struct sched_timer {
	struct heap_node node;	/* first: the heap hands back this address */
	enum sched_timer_kind kind;
};

struct sched_agent {
	char		*id;
	char		*hostname;	/* NULL until known */
	struct config_kv *attrs;	/* attributes as text */
	size_t		 nattrs;
	double		 cpus, mem, disk;	/* totals, for display */
	int		 listed;	/* in the master's last GET_AGENTS answer */
	int		 active;	/* the master says it is up */
	int		 offered;	/* an offer came from it */
	int		 drain_info;	/* the operator drains it (DRAIN_AGENT) */
	int		 inverse;	/* an inverse offer came: we move off */
	int64_t		 unavailable_at;	/* wall ms maintenance starts */
	int64_t		 unavailable_until;	/* and ends (INT64_MAX: open) */
	int64_t		 last_offer;	/* monotonic ms */
	struct sched_task *tasks;	/* tasks on it (anext list) */
	size_t		 ntasks;
};

struct sched_task {
	char		*id;
	struct sched_job *job;
	struct sched_slot *slot;	/* NULL: a task of no slot */
	char		*slot_key;
	struct sched_agent *agent;	/* NULL while the agent is unknown */
	char		*agent_id;
	char		*hostname;
	char		*offer_id;
	char		*job_hash;
	int		 state;		/* TaskState or SCHED_LAUNCHING */
	double		 ts[2];		/* timestamp of the last status applied,
					 * per clock: [0] the master's, [1] the
					 * agent's (clocks of two machines are
					 * never compared) */
	int64_t		 launched_at;	/* wall ms */
	int64_t		 updated_at;	/* wall ms of the last update, 0 none */
	int64_t		 running_since;	/* monotonic ms of the first RUNNING */
	int		 healthy;	/* -1 unknown, 0, 1 */
	char		*message;	/* of the last update, or NULL */
	int		 reason;	/* of the last update, -1 none */
	int		 source;	/* of the last update, -1 none */
	enum sched_kill	 kill;		/* why ark wants it dead */
	int64_t		 kill_at;	/* monotonic ms the last KILL went out */
	int		 retire;	/* kill it once its slot's task runs */
	int64_t		 unreachable_at;	/* monotonic ms; 0: reachable */
	int64_t		 launch_check;	/* monotonic deadline; 0: none */
	int64_t		 launch_wait;	/* current launch check interval */
	struct sched_timer timer;
	struct reconcile_item rec;
	struct sched_task *jnext, *jprev;	/* the job's tasks */
	struct sched_task *anext, *aprev;	/* the agent's tasks */
};

struct sched_slot {
	struct sched_job *job;
	char		*key;		/* "0".."N-1" or the agent id */
	long		 index;		/* key as a number; -1 if not one */
	enum sched_slot_state state;
	struct sched_task *task;	/* the slot's task, or NULL */
	size_t		 ntasks;	/* tasks pointing here (task included) */
	uint32_t	 restarts;	/* consecutive failed runs */
	int64_t		 backoff_until;	/* wall ms; 0 none */
	struct sched_timer timer;	/* backoff end */
	const char	*why;		/* why it could not launch (static) */
	int		 roll;		/* to be replaced by the rolling restart */
	int		 doomed;	/* delete once empty (scaled down) */
	int		 held;		/* daemon: DONE while its agent is not
					 * eligible, PENDING again once it is */
	struct sched_agent *agent;	/* daemon: the agent it is for */
	struct store_history *hist;	/* its last ended tasks, oldest
					 * first (owned; nhist of them) */
	size_t		 nhist;
	uint64_t	 hist_seq;	/* seq of the newest entry */
	struct sched_slot *next, *prev;		/* the job's slots, in order */
	struct sched_slot *pnext, *pprev;	/* the job's pending slots */
	int		 in_pending;
};

/* Counting constraint state of one OFFERS event (UNIQUE, MAX_PER). */
struct sched_count {
	char		*value;
	uint32_t	 n;
};

struct sched_job {
	char		*id;
	const struct config_job *cfg;	/* in sched->cfg; NULL once removed */
	int		 removed;	/* left the configuration: draining */
	uint32_t	 instances;	/* service: desired (override included) */
	int		 instances_set;	/* an admin override is in force */
	int		 suspended;
	struct hash	*slots;		/* key -> struct sched_slot */
	struct sched_slot *slot_head, *slot_tail;
	size_t		 nslots;
	struct sched_slot *pend_head, *pend_tail;
	size_t		 npending;
	struct sched_task *task_head;
	size_t		 ntasks;
	int		 rolling;	/* a rolling replace is in progress */
	struct sched_slot *roll_slot;	/* the slot being replaced */
	struct hash	**counts;	/* per constraint, UNIQUE/MAX_PER */
	size_t		 ncounts;	/* entries in counts */
	uint64_t	 counts_gen;	/* event the counts belong to */
	/* for /metrics, since arkd started */
	uint64_t	 launched;	/* tasks launched */
	uint64_t	 restarts;	/* slots relaunching after their task ended */
	uint64_t	 health_to[2];	/* health changes: [0] to unhealthy,
					 * [1] to healthy */
	struct sched_failure *failures;	/* tasks that ended on their own,
					 * other than TASK_FINISHED */
	size_t		 nfailures;
	struct sched_job *next;
};

/* How often tasks of a job ended in state for reason (one per pair). */
struct sched_failure {
	int		 state;		/* a TaskState */
	int		 reason;	/* a TaskStatus.Reason, -1 for none */
	uint64_t	 n;
};

/* A call whose outcome (MSG_CALL_DONE) matters. */
struct sched_call {
	char		 key[24];	/* the cookie in decimal */
	int		 type;		/* Mesos__V1__Scheduler__Call__Type */
	char		**tasks;	/* ACCEPT: the task ids launched */
	size_t		 ntasks;
	int		 constraints;	/* UPDATE_FRAMEWORK carried constraints */
};

struct sched_blacklist {
	char		*agent;		/* agent id or hostname */
	char		*reason;
	int64_t		 since;		/* wall ms */
};

struct sched {
	struct config	*cfg;		/* owned copy */
	char		*fid;		/* FrameworkID, NULL before SUBSCRIBED */
	char		*old_fid;	/* from the store; tasks belong to it */
	int		 subscribed;
	enum msg_session_state session;
	int64_t		 session_since;	/* wall ms */
	char		*conn_error;	/* the last connection error, or NULL */
	int64_t		 conn_error_at;	/* wall ms it was reported */
	int64_t		 conn_failing_since; /* wall ms of the first error
					 * since the last SUBSCRIBED; 0: none */
	uint64_t	 conn_failures;	/* errors since the last SUBSCRIBED */
	char		*master;
	char		*stream_id;
	int		 shutdown;
	int		 exited;
	int64_t		 exit_at;	/* give up waiting for calls; monotonic */

	struct hash	*jobs;		/* id -> struct sched_job */
	struct sched_job *job_head, *job_tail;
	struct hash	*tasks;		/* id -> struct sched_task */
	struct hash	*agents;	/* id -> struct sched_agent */
	struct hash	*blacklist;	/* agent -> struct sched_blacklist */
	struct hash	*calls;		/* cookie -> struct sched_call */
	struct heap	 timers;
	struct reconcile rec;

	struct hash	*dead;		/* recently finished task ids */
	char		**dead_ring;
	size_t		 dead_pos;

	int		 suppressed;	/* SUPPRESS is in force (as we sent) */
	int		 revive_wanted;	/* new work since the last REVIVE */
	int64_t		 last_revive, last_suppress, last_offers;
	int64_t		 revive_resend;	/* current resend wait (ms) */
	int64_t		 revive_at;	/* debounced REVIVE due; INT64_MAX */
	int		 constraints_unsupported;
	int		 framework_dirty;	/* UPDATE_FRAMEWORK to (re)send */
	size_t		 constraints_sent;	/* hostnames the master has */
	int64_t		 agents_at;	/* next GET_AGENTS; INT64_MAX */
	int64_t		 agents_asked;	/* monotonic ms of the last ask */
	int		 ever_subscribed;
	int		 ha_hold;	/* ha.zk: no launch until the
					 * reconciliation after SUBSCRIBED
					 * (implicit part too) is done */

	uint64_t	 seq;		/* task id suffixes */
	uint64_t	 cookie;	/* last cookie handed out */
	uint64_t	 event_gen;	/* OFFERS events seen */
	size_t		 burst_left;	/* launches left in this OFFERS event */
	int64_t		 now, wall;	/* of the message being handled */

	/* counters for metrics and the admin API */
	uint64_t	 offers_received, offers_accepted, offers_declined;
	uint64_t	 updates, acks;
	uint64_t	 inverse_offers;
};

/* sched-effect.c: names of states, the effects every part appends */
const char	*sched_slot_state_name(enum sched_slot_state st);
const char	*sched_kill_name(enum sched_kill k);
const char	*sched_state_name(int state);
int		 sched_state_parse(const char *name, int *state);
int		 sched_state_terminal(int state);
char		*sched_strdup(const char *s);
void		 sched_set_str(char **dst, const char *src);
void		 sched_store_task(const struct sched_task *t,
		    struct effects *out);
void		 sched_store_str(struct effects *out, enum store_op_type type,
		    const char *v);
void		 sched_store_slot(const struct sched_slot *sl,
		    struct effects *out);
void		 sched_store_kv(struct effects *out, const char *key,
		    const char *value);
void		 sched_send(struct sched *s, struct effects *out,
		    Mesos__V1__Scheduler__Call *c, uint64_t cookie);
struct sched_call	*sched_call_track(struct sched *s, int type,
		    uint64_t *cookie);
void		 sched_call_free(struct sched_call *c);
int64_t		 sched_ms(double s);

/* sched-agent.c: agents: lookups, eligibility, task lists */
struct sched_agent	*sched_agent_get(struct sched *s, const char *id,
		    int create);
void		 sched_agent_free(struct sched_agent *a);
const char	*sched_agent_field(const struct sched_agent *a, const char *f);
int		 sched_agent_draining(const struct sched *s,
		    const struct sched_agent *a);
const struct sched_blacklist	*sched_blacklisted(const struct sched *s,
		    const struct sched_agent *a);
int		 sched_constraints_ok(const struct config_job *j,
		    const struct sched_agent *a);
int		 sched_eligible(const struct sched *s,
		    const struct sched_job *job, const struct sched_agent *a,
		    const char **why);
void		 sched_agent_link(struct sched_agent *a, struct sched_task *t);
void		 sched_agent_unlink(struct sched_task *t);

/* sched-task.c: task life cycle: ids, creation, freeing, timer, kills */
struct sched_task	*sched_task_new(struct sched *s, struct sched_job *j,
		    struct sched_slot *sl, const char *id, const char *slot_key,
		    const char *agent_id, int state);
void		 sched_task_destroy(struct sched_task *t);
void		 sched_task_free(struct sched *s, struct sched_task *t);
void		 sched_dead_add(struct sched *s, const char *id);
int64_t		 sched_kill_retry_ms(const struct sched_task *t);
void		 sched_task_timer(struct sched *s, struct sched_task *t);
void		 sched_task_kill_send(struct sched *s, struct sched_task *t,
		    struct effects *out);
void		 sched_task_kill(struct sched *s, struct sched_task *t,
		    enum sched_kill why, struct effects *out);
char		*sched_task_id(struct sched *s, const struct sched_slot *sl);
int		 sched_task_id_parse(const char *id, char **job, char **slot);

/* sched-roll.c: rolling replace */
void		 sched_job_roll(struct sched *s, struct sched_job *j,
		    const char *hash, struct effects *out);
void		 sched_roll_step(struct sched *s, struct sched_job *j,
		    struct effects *out);

/* sched-slot.c: slots: states, pending list, restart policy and backoff */
long		 sched_slot_index(const char *key);
struct sched_slot	*sched_slot_new(struct sched *s, struct sched_job *j,
		    const char *key, struct sched_agent *a);
void		 sched_slot_set(struct sched *s, struct sched_slot *sl,
		    enum sched_slot_state st, const char *cause);
void		 sched_slot_hist_free(struct sched_slot *sl);
void		 sched_slot_hist_add(struct sched_slot *sl,
		    struct store_history *h);
void		 sched_hist_dup(struct store_history *dst,
		    const struct store_history *src);
void		 sched_slot_hist_record(struct sched *s, struct sched_slot *sl,
		    const struct sched_task *t, int state, struct effects *out);
void		 sched_slot_delete(struct sched *s, struct sched_slot *sl,
		    struct effects *out);
void		 sched_slot_after(struct sched *s, struct sched_slot *sl,
		    int state, enum sched_kill kill, int64_t ran_ms,
		    int launch_failed, struct effects *out);
int		 sched_slot_reconciling(const struct sched_slot *sl);
int		 sched_slot_occupied(const struct sched_slot *sl);
void		 sched_slot_reconcile_others(struct sched *s,
		    const struct sched_slot *sl, struct effects *out);

/* sched-job.c: jobs: creation, counts, suspension, removal */
struct sched_job	*sched_job_new(struct sched *s,
		    const struct config_job *cfg);
struct sched_job	*sched_job_orphan(struct sched *s, const char *id);
void		 sched_job_counts_clear(struct sched_job *j);
void		 sched_job_counts_reset(struct sched_job *j, size_t n);
void		 sched_job_free(struct sched_job *j);
void		 sched_job_maybe_free(struct sched *s, struct sched_job *j);
void		 sched_job_suspend(struct sched *s, struct sched_job *j, int on,
		    struct effects *out);
void		 sched_job_remove(struct sched *s, struct sched_job *j,
		    struct effects *out);

/* sched-service.c: service jobs: instance slots, scaling */
void		 sched_job_set_instances(struct sched *s, struct sched_job *j,
		    uint32_t n, struct effects *out);

/* sched-update.c: status updates, a task's end, its deadlines */
void		 sched_task_end(struct sched *s, struct sched_task *t,
		    int state, struct effects *out);
void		 sched_on_update(struct sched *s,
		    const Mesos__V1__TaskStatus *st, struct effects *out);
void		 sched_task_drop(struct sched *s, struct sched_task *t,
		    struct effects *out);
void		 sched_task_fire(struct sched *s, struct sched_task *t,
		    struct effects *out);

/* sched-session.c: subscription, ERROR, shutdown, UPDATE_FRAMEWORK */
void		 sched_reconcile_start(struct sched *s, const char *cause,
		    struct effects *out);
int		 sched_ready(const struct sched *s, const char **why);
void		 sched_framework_update(struct sched *s, int info_changed,
		    struct effects *out);
void		 sched_on_subscribed(struct sched *s,
		    const Mesos__V1__Scheduler__Event__Subscribed *ev,
		    struct effects *out);
void		 sched_exit(struct sched *s, int code, const char *reason,
		    struct effects *out);
void		 sched_on_error(struct sched *s, const char *message,
		    struct effects *out);
void		 sched_on_session(struct sched *s, const struct msg_session *ss,
		    struct effects *out);
void		 sched_on_shutdown(struct sched *s, struct effects *out);

/* sched-daemon.c: agents' news, daemon coverage, eviction from agents */
void		 sched_daemon_sync(struct sched *s, struct sched_agent *a,
		    struct effects *out);
void		 sched_daemon_sync_all(struct sched *s, struct effects *out);
struct sched_agent	*sched_agent_from_offer(struct sched *s,
		    const Mesos__V1__Offer *o, struct effects *out);
void		 sched_blacklist_apply(struct sched *s, struct effects *out);
void		 sched_on_inverse_offers(struct sched *s,
		    const Mesos__V1__Scheduler__Event__InverseOffers *ev,
		    struct effects *out);
void		 sched_on_agents(struct sched *s,
		    const Mesos__V1__Master__Response__GetAgents *ga,
		    struct effects *out);

/* sched-offer.c: offer matching, launches, REVIVE/SUPPRESS */
int		 sched_want_offers(const struct sched *s);
void		 sched_on_offers(struct sched *s,
		    const Mesos__V1__Scheduler__Event__Offers *ev,
		    struct effects *out);
void		 sched_pace(struct sched *s, struct effects *out);

/* sched.c: the reducer's entry, the state */
int		 sched_check(const struct sched *s, char **cause);

/* sched-admin.c */
void		 sched_admin_apply(struct sched *, const struct admin_req *,
		    struct effects *);
json_t		*sched_admin_task_json(const struct sched_task *);

/* sched-reload.c */
void		 sched_reload_apply(struct sched *, struct config *newcfg,
		    struct effects *);

#endif
