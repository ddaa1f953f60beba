/*
 * store — arkd's durable state in SQLite (WAL mode, schema version with
 * migrations): the FrameworkID, the task journal (launch intents included),
 * per-slot restart counters and the last tasks each slot ended (history),
 * the blacklist and runtime changes made through the admin API. Writes arrive as store_op rows (effects of the core) and are
 * group-committed: one transaction per loop iteration, committed before any
 * ACKNOWLEDGE or ACCEPT of that iteration is sent. The state directory is
 * locked so that two arkd processes never share it.
 */
#ifndef ARK_STORE_H
#define ARK_STORE_H

#include <stddef.h>
#include <stdint.h>

/* store_task.state of a launch intent that has had no status update yet */
#define STORE_TASK_LAUNCHING	(-1)

struct store_task {
	char	*task_id;
	char	*job;		/* config_job.id */
	char	*slot;		/* service: "0".."N-1"; daemon: the agent id */
	char	*agent_id;	/* where it was launched; never NULL once ACCEPTed */
	char	*hostname;
	char	*offer_id;	/* the offer the launch used */
	int	 state;		/* mesos TaskState or STORE_TASK_LAUNCHING */
	char	*job_hash;	/* config_job.hash the task was launched with */
	int64_t	 launched_at;	/* wall clock, ms since the epoch */
	int64_t	 updated_at;	/* wall clock of the last status update, 0 = none */
};

struct store_slot {
	char	*job;
	char	*slot;
	uint32_t restarts;	/* consecutive failed runs, for backoff */
	int64_t	 backoff_until;	/* wall clock ms; 0 = may launch now */
};

/* A task that ended, kept in its slot's history (the last few). */
struct store_history {
	char	*job;
	char	*slot;
	uint64_t seq;		/* per slot, growing: the newest is the highest */
	uint32_t keep;		/* put: rows of the slot with seq <= seq - keep
				 * go (0 keeps all) */
	char	*task_id;
	int	 state;		/* final TaskState; STORE_TASK_LAUNCHING: the
				 * launch itself failed */
	int	 reason;	/* TaskStatus.Reason, -1 none */
	int	 source;	/* TaskStatus.Source, -1 none */
	char	*message;	/* of its last status, or NULL */
	char	*agent_id;
	char	*hostname;
	int64_t	 launched_at;	/* wall clock ms */
	int64_t	 ended_at;	/* wall clock ms */
};

struct store_blacklist {
	char	*agent;		/* agent id or hostname */
	char	*reason;
	int64_t	 since;		/* wall clock ms */
};

struct store_kv {
	char	*key;		/* e.g. "job/web/instances", "job/web/suspended" */
	char	*value;		/* JSON text */
};

enum store_op_type {
	STORE_FRAMEWORK_ID,	/* u.str: the FrameworkID to reuse */
	STORE_FRAMEWORK_REMOVED,/* the master removed it: never reuse it */
	STORE_TASK_PUT,		/* u.task: insert or replace by task_id */
	STORE_TASK_DEL,		/* u.str: task id */
	STORE_SLOT_PUT,		/* u.slot: insert or replace by (job, slot) */
	STORE_SLOT_DEL,		/* u.slot: job and slot set; its history too */
	STORE_BLACKLIST_PUT,	/* u.blacklist */
	STORE_BLACKLIST_DEL,	/* u.str: agent */
	STORE_KV_PUT,		/* u.kv */
	STORE_KV_DEL,		/* u.str: key */
	STORE_HISTORY_PUT,	/* u.history: an ended task of a slot */
	STORE_OP_MAX
};

/* One row to write; every string is owned by the op. */
struct store_op {
	enum store_op_type type;
	union {
		char			*str;
		struct store_task	 task;
		struct store_slot	 slot;
		struct store_blacklist	 blacklist;
		struct store_kv		 kv;
		struct store_history	 history;
	} u;
};

/* Everything the store holds, as loaded at start-up (all owned). */
struct store_snapshot {
	char			*framework_id;		/* NULL: none yet */
	int			 framework_removed;
	struct store_task	*tasks;
	size_t			 ntasks;
	struct store_slot	*slots;
	size_t			 nslots;
	struct store_blacklist	*blacklist;
	size_t			 nblacklist;
	struct store_kv		*kv;
	size_t			 nkv;
	struct store_history	*history;	/* by job, slot, seq */
	size_t			 nhistory;
};

struct store;

/*
 * Opens (creating if needed, mode 0700) the state directory and its database,
 * locks it, and migrates an older schema. Returns NULL with *cause (caller
 * frees) if the directory is locked by another process, the file is corrupt,
 * or its schema is newer than this arkd: the file is never changed then.
 */
struct store	*store_open(const char *dir, char **cause);
void		 store_close(struct store *);
int		 store_load(struct store *, struct store_snapshot *, char **cause);
void		 store_snapshot_clear(struct store_snapshot *);
/* Applies ops in one transaction (group commit); -1 with *cause on failure. */
int		 store_commit(struct store *, const struct store_op *, size_t n,
		    char **cause);
/*
 * Chooses how a commit waits for the disk: full = 1 (the default) fsyncs
 * the WAL on every commit; 0 (synchronous=NORMAL) survives a crash of arkd
 * but not of the machine. For benchmarks and tests; -1 on error.
 */
int		 store_set_sync(struct store *, int full);
/* The schema version this arkd writes (PRAGMA user_version). */
int		 store_schema_version(void);
/* Checks a store offline (arkd --check-store): 0 if sound, else -1 + cause. */
int		 store_check(const char *dir, char **cause);
void		 store_op_clear(struct store_op *);
const char	*store_op_name(enum store_op_type);
/* Copies a row (deep); the result is owned by the caller. */
void		 store_task_copy(struct store_task *dst, const struct store_task *);
void		 store_task_clear(struct store_task *);
void		 store_history_clear(struct store_history *);

#endif
