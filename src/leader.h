/*
 * leader — leader election between arkd instances of one framework
 * through ZooKeeper (ha.zk = zk://hosts/path), by the recipe of the
 * ZooKeeper documentation: every instance creates an ephemeral sequential
 * node path/member_<token>_<seq>; the lowest sequence number leads; every
 * other instance watches only the node just before its own (no herd
 * effect) and looks again when that one goes. The FrameworkID is shared
 * through the persistent node path/framework_id, which the leader writes
 * and an instance that becomes leader reads before it may act; so are the
 * operator's runtime changes, through path/runtime.
 *
 * Losing the connection, the session or its own node ends leadership at
 * once (LEADER_DEPOSED): the owner must stop acting before anything else.
 * Like zk.c it only decides what ZooKeeper says about leadership; what
 * arkd does about it is the dispatcher's (dispatch.c).
 */
#ifndef ARK_LEADER_H
#define ARK_LEADER_H

#include <stddef.h>

struct ev_loop;
struct leader;

#define LEADER_PREFIX	"member_"	/* the election nodes' names */
#define LEADER_FID_NODE	"framework_id"	/* path/framework_id */
#define LEADER_RUNTIME_NODE "runtime"	/* path/runtime */

enum leader_role {
	LEADER_JOINING,		/* no session, or our node is not there yet */
	LEADER_FOLLOWING,	/* another instance leads: we wait */
	LEADER_ELECTING,	/* our node is the lowest: reading the
				 * shared FrameworkID before acting */
	LEADER_LEADING,		/* elected: this instance acts */
	LEADER_ROLE_MAX
};

enum leader_event_type {
	LEADER_ELECTED,		/* this instance leads now: act */
	LEADER_DEPOSED,		/* it led and must stop acting at once */
	LEADER_FOLLOWER,	/* another instance leads (after joining, and
				 * whenever the leader changes) */
	LEADER_EVENT_MAX
};

/* What the owner's callback gets; the strings live during the call. */
struct leader_event {
	enum leader_event_type type;
	const char	*reason;	/* DEPOSED: why; FOLLOWER: who leads */
	const char	*framework_id;	/* ELECTED: from path/framework_id,
					 * NULL if none was written yet */
	int		 removed;	/* ELECTED: Mesos removed that framework */
	const char	*error;		/* ELECTED: path/framework_id could not
					 * be used (the owner must not act) */
	const char	*runtime;	/* ELECTED: path/runtime, the operator's
					 * changes the last leader mirrored
					 * there (JSON text), or NULL */
};

/*
 * Prepares the election at the zk:// url as instance_id (how the others
 * see us). Nothing happens before leader_start. NULL with *cause (caller
 * frees) on a bad URL.
 */
struct leader	*leader_create(struct ev_loop *, const char *url,
		    const char *instance_id, double session_timeout_s,
		    char **cause);
/* Joins the election; cb(arg, ev) tells the owner, on the loop thread. */
int		 leader_start(struct leader *,
		    void (*cb)(void *arg, const struct leader_event *),
		    void *arg, char **cause);
/* Leaves (our node goes at once with the session) and frees it all. */
void		 leader_free(struct leader *);
enum leader_role leader_role(const struct leader *);
const char	*leader_role_name(enum leader_role);
/* The election path ("/ark/web"). */
const char	*leader_path(const struct leader *);
/*
 * While leading: records the FrameworkID (and whether Mesos removed it)
 * in path/framework_id, unless it is there already. Ignored otherwise.
 */
void		 leader_publish(struct leader *, const char *framework_id,
		    int removed);
/*
 * While leading: mirrors the operator's runtime changes (JSON text, see
 * sched_runtime_json) into path/runtime, unless they are there already.
 */
void		 leader_publish_runtime(struct leader *, const char *json);
/*
 * Gives leadership up (another scheduler took the framework over in
 * Mesos): LEADER_DEPOSED, our node is deleted, and we join again at the
 * end of the line after a session timeout.
 */
void		 leader_resign(struct leader *, const char *reason);

/* The pure parts, exposed for the unit tests. */

/*
 * Parses path/framework_id's data: {"framework_id": "...", "removed":
 * false, ...}. -1 with *cause (caller frees) if it is not that.
 */
int		 leader_fid_parse(const char *data, size_t len, char **fid,
		    int *removed, char **cause);
/* The JSON written to path/framework_id (caller frees). */
char		*leader_fid_json(const char *framework_id, int removed,
		    const char *instance_id);

#endif
