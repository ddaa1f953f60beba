/*
 * master — everything about the leading Mesos master: which master leads
 * (list of URLs, 307 redirects, /redirect, or the leader found in ZooKeeper
 * by master-zk.c), the life of the
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
#include "http.h"

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
	uint64_t	 calls_queued;	/* made and not finished, in flight too */
	int		 stream_paused;	/* flow control holds the stream */
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
/*
 * zk:// master detection: url (normalized like a configured URL; NULL:
 * none known) is now the one candidate. When it differs from the master of
 * the attempt or subscription in progress, that one ends and SUBSCRIBE goes
 * to url; with NULL a live subscription is kept until it ends by itself.
 */
void		 master_set_leader(struct master *, const char *url);
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

/*
 * Replaces the configuration after a reload (cfg must outlive the master).
 * Timeouts, backoff and the FrameworkInfo of the next SUBSCRIBE follow the
 * new one; a changed list of masters applies at the next detection. -1 with
 * *cause (caller frees) on a bad master URL, the old config kept.
 */
int		 master_reconfigure(struct master *, const struct config *cfg,
		    char **cause);
/* The FrameworkID of the last SUBSCRIBED or master_set_framework_id. */
const char	*master_framework_id(const struct master *);
/* Sets ark_heartbeat_age_seconds (call before rendering /metrics). */
void		 master_update_metrics(const struct master *);

/*
 * How arkd learns that the connection gave up for good: a MSG_SESSION with
 * state SESSION_DISCONNECTED and fatal set (to 401 when the master refused
 * our principal, to 1 when it removed the framework). The master then stays MASTER_IDLE.
 */

/* The pure parts, exposed for the unit tests. */

/*
 * Truncated exponential backoff with full jitter: u (in [0, 1)) times
 * min(max, initial * 2^attempt).
 */
double		 master_backoff_delay(double initial, double max,
		    unsigned attempt, double u);
/*
 * Turns a master URL from the configuration into its scheduler endpoint:
 * "host:port" and "http://host:port" get /api/v1/scheduler, a path prefix
 * ("http://proxy/mesos") gets it appended, a full endpoint stays. NULL with
 * *cause for zk:// (master-zk.c reads those), other schemes or an empty
 * host.
 */
char		*master_url_normalize(const char *url, char **cause);
/*
 * Resolves a Location header against the URL that answered it: scheme-
 * relative ("//leader:5050/master/api/v1/scheduler", path used as given),
 * absolute ("http://...") and relative ("/x", "x") forms. A Location with
 * no path (as /redirect sends it) gets /api/v1/scheduler. Returns a new
 * string, or NULL with *cause.
 */
char		*master_location_resolve(const char *base, const char *location,
		    char **cause);
/* The operator API endpoint (".../api/v1") next to a scheduler endpoint. */
char		*master_url_operator(const char *scheduler_url);
/* "host:port" of a URL (new string). */
char		*master_url_hostport(const char *url);
/*
 * Reads an HTTP Basic secret (trailing newline dropped). Refuses a file
 * that group or others may read, naming the file and its mode.
 */
int		 master_secret_read(const char *path, char **secret,
		    char **cause);
/* The lane a call goes out on. */
enum http_lane	 master_call_lane(int type);
/* 1 if a call may be sent again after a 5xx, a timeout or no answer. */
int		 master_call_retryable(int type);
/* 1 if a call stays queued across a lost subscription (else dropped). */
int		 master_call_survives(int type);

#endif
