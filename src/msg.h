/*
 * msg — the one input type of the dispatcher. Every input (a Mesos event, a
 * change of the master connection, a call's outcome, the clock, an operator
 * request, a reload, a signal) becomes a struct msg, queued FIFO and handed
 * to the pure core one at a time. Callbacks of libcurl, libev, libmicrohttpd
 * and ZooKeeper only decode and enqueue; they never change scheduler state.
 */
#ifndef ARK_MSG_H
#define ARK_MSG_H

#include <stdint.h>

#include "codec.h"

struct admin_req;
struct config;

enum msg_type {
	MSG_EVENT,	/* u.event: a decoded Mesos event */
	MSG_SESSION,	/* u.session: the master connection changed */
	MSG_CALL_DONE,	/* u.call_done: final outcome of a call with a cookie */
	MSG_AGENTS,	/* u.agents: the master's GET_AGENTS answer */
	MSG_TICK,	/* the clock reached the core's next deadline */
	MSG_ADMIN,	/* u.admin: an operator request */
	MSG_RELOAD,	/* u.config: a new, fully validated configuration */
	MSG_SHUTDOWN,	/* SIGTERM/SIGINT: stop launching, finish, exit */
	MSG_MAX
};

enum msg_session_state {
	SESSION_DISCONNECTED,	/* the stream ended or was never there */
	SESSION_CONNECTED,	/* the stream is open, SUBSCRIBED not yet seen */
	SESSION_FOLLOWER,	/* another arkd instance leads (ha.zk): this
				 * one does not subscribe, and waits */
	SESSION_STATE_MAX
};

struct msg_session {
	enum msg_session_state state;
	char	*master;	/* "host:port" of the master (owned) */
	char	*stream_id;	/* Mesos-Stream-Id while connected (owned) */
	char	*reason;	/* why it changed, for logs (owned) */
	int	 failed;	/* an attempt to reach or stay with a master
				 * failed (reason says why): the admin API
				 * shows it as the last connection error */
	int	 fatal;		/* the master connection gave up for good
				 * (credentials refused, framework removed):
				 * arkd should exit with an error; 401 when
				 * the master refused our credentials */
};

struct msg_call_done {
	uint64_t cookie;	/* as set on the EFFECT_CALL */
	int	 type;		/* Mesos__V1__Scheduler__Call__Type */
	int	 status;	/* HTTP status; 0 if no answer came (transport
				 * error, timeout, dropped while disconnected) */
	char	*error;		/* NULL on success, else why (owned) */
	char	*body;		/* response body, e.g. of UPDATE_FRAMEWORK (owned) */
};

struct msg {
	enum msg_type	 type;
	int64_t		 now;	/* monotonic clock, ms: deadlines and ages */
	int64_t		 wall;	/* wall clock, ms since the epoch: records */
	union {
		Mesos__V1__Scheduler__Event		*event;
		struct msg_session			 session;
		struct msg_call_done			 call_done;
		Mesos__V1__Master__Response__GetAgents	*agents;
		struct admin_req			*admin;
		struct config				*config;
	} u;
	struct msg	*next;	/* queue link (private to the queue) */
};

/* Returns a zeroed message of the given type (caller frees with msg_free). */
struct msg	*msg_create(enum msg_type);
/* Frees the message and everything its union owns; accepts NULL. */
void		 msg_free(struct msg *);
const char	*msg_type_name(enum msg_type);

/* A FIFO of messages. */
struct msg_queue {
	struct msg	*head;
	struct msg	*tail;
	size_t		 len;
};

void		 msg_queue_push(struct msg_queue *, struct msg *);
struct msg	*msg_queue_pop(struct msg_queue *);	/* NULL if empty */

/* Monotonic and wall clocks in ms. */
int64_t		 msg_clock_now(void);
int64_t		 msg_clock_wall(void);

#endif
