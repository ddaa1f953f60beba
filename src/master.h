/*
 * master — everything about the leading Mesos master: which master leads
 * (list of URLs, 307 redirects, /redirect, zk:// later), the life of the
 * subscription (SUBSCRIBE, Mesos-Stream-Id, heartbeat watchdog, truncated
 * exponential backoff with full jitter, resubscribe with the FrameworkID) and
 * the call lanes (ordered lane for SUPPRESS/REVIVE/UPDATE_FRAMEWORK/ACCEPT/
 * KILL; a pool of keep-alive connections for ACKNOWLEDGE and DECLINE).
 *
 * It decides nothing about tasks: events and connection changes go onto the
 * dispatcher's queue as messages (MSG_EVENT, MSG_SESSION, MSG_CALL_DONE,
 * MSG_AGENTS). Retries of calls that are safe to repeat happen here; the
 * final outcome of a call with a cookie is reported as MSG_CALL_DONE.
 */
#ifndef ARK_MASTER_H
#define ARK_MASTER_H

#include <stdint.h>

#include "codec.h"

struct config;
struct ev_loop;
struct msg_queue;
struct master;

enum master_state {
	MASTER_IDLE,		/* not started, or stopped */
	MASTER_DETECTING,	/* looking for the leading master */
	MASTER_SUBSCRIBING,	/* SUBSCRIBE sent, waiting for SUBSCRIBED */
	MASTER_SUBSCRIBED,	/* stream open, SUBSCRIBED seen */
	MASTER_BACKOFF,		/* waiting before the next attempt */
	MASTER_FENCED,		/* another instance took over: no calls */
	MASTER_STATE_MAX
};

/* A snapshot for the admin API's /v1/state (strings owned by the master). */
struct master_status {
	enum master_state state;
	const char	*leader;	/* "host:port", NULL if none */
	const char	*stream_id;
	int64_t		 since;		/* wall ms of the last state change */
	double		 heartbeat_s;	/* interval the master announced */
	int64_t		 last_event;	/* monotonic ms of the last byte/event */
	uint64_t	 reconnects;
	uint64_t	 calls_in_flight;
};

/*
 * Creates the connection manager; nothing happens until master_start().
 * cfg must outlive the master (or be replaced with master_reconfigure).
 * Returns NULL with *cause set (caller frees) on a bad master URL or an
 * unreadable secret file (including one readable by others).
 */
struct master	*master_create(struct ev_loop *, const struct config *cfg,
		    struct msg_queue *q, char **cause);
void		 master_free(struct master *);
/* The FrameworkID to put into SUBSCRIBE from now on (copied; NULL = none). */
void		 master_set_framework_id(struct master *, const char *);
void		 master_start(struct master *);
/* Sends call (ownership taken). cookie != 0: report as MSG_CALL_DONE. */
void		 master_send(struct master *, Mesos__V1__Scheduler__Call *call,
		    uint64_t cookie);
void		 master_get_agents(struct master *);	/* -> MSG_AGENTS */
void		 master_resubscribe(struct master *, const char *reason);
void		 master_fence(struct master *, const char *reason);
/* Closes the stream after in-flight calls finish (shutdown). */
void		 master_stop(struct master *);
int		 master_idle(const struct master *);	/* nothing in flight */
void		 master_status(const struct master *, struct master_status *);
const char	*master_state_name(enum master_state);
/*
 * Optional tap on every raw event record as received (for arkd --record):
 * called with the encoding and bytes before decoding.
 */
void		 master_set_tap(struct master *,
		    void (*fn)(void *arg, enum codec_type, const char *, size_t),
		    void *arg);

#endif
