/*
 * master — the connection to the leading Mesos master.
 *
 * Detection and subscription are one step: SUBSCRIBE goes to a candidate
 * (the last leader first, then each configured URL in turn; with a zk://
 * URL the one candidate is the leader that master-zk.c found in ZooKeeper
 * and handed over with master_set_leader, and none until then); a 307 sends it
 * on to the Location given (at most redirect_limit times in a row), a 307
 * without Location makes us ask that master's /redirect. When every
 * candidate failed, or a subscription is lost, the next round waits a
 * truncated exponential backoff with full jitter; the backoff starts over
 * after a subscription that lasted.
 *
 * The stream: its 200 head brings Mesos-Stream-Id (MSG_SESSION connected),
 * its body is RecordIO (recordio.c) of events (codec.c), each queued as
 * MSG_EVENT. A watchdog closes the stream when no byte came for
 * heartbeat_misses heartbeat intervals (before SUBSCRIBED: call_timeout_s).
 * ERROR "Framework has been removed" stops us for good (MSG_SESSION
 * fatal); any other ERROR, "Framework failed over" included, resubscribes
 * with backoff. Whether "failed over" means that another scheduler took
 * the framework (then the dispatcher fences us: master_fence) or that the
 * master carried out a SUBSCRIBE of our own that it received late is not
 * this connection's to decide: only leadership can tell (dispatch.c).
 *
 * Calls wait in our queues until subscribed. The ordered lane sends one at
 * a time and a retried call keeps its place at the head, so SUPPRESS/REVIVE
 * and ACCEPT-before-KILL keep their order; ACKNOWLEDGE and DECLINE go over a
 * pool of ack_connections. Answers: 2xx done; 307/403 and a 400 about the
 * stream id mean the subscription is gone (resubscribe); 401 is fatal; other
 * 400s are logged and reported, never retried; 5xx, timeouts and transport
 * errors are retried with backoff when the call is safe to repeat, else
 * reported. When the subscription is lost, calls in flight are cancelled:
 * those still meaningful on the next subscription wait for it, ACCEPT and
 * DECLINE die with their offers (ACCEPT reported as MSG_CALL_DONE status 0).
 * Flow control: while too many events wait for the dispatcher and calls for
 * their answer, the stream is not read (a status storm waits in the
 * master's socket instead of our heap); it resumes once they drained.
 *
 * No globals: each struct master owns its http client, timers and queues.
 * libcurl callbacks only decode and enqueue; the few decisions taken here
 * (fence, stop, resubscribe) concern this connection only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "config.h"
#include "framework.h"
#include "http.h"
#include "log.h"
#include "master.h"
#include "metrics.h"
#include "msg.h"
#include "recordio.h"
#include "secret.h"
#include "xmalloc.h"

#define MASTER_SCHED_PATH	"/api/v1/scheduler"
#define MASTER_CALL_ATTEMPTS	10	/* sends of one retryable call */
#define MASTER_CALL_MAX_BODY	(1024u * 1024)
#define MASTER_HEARTBEAT_DEFAULT 15.0
/*
 * Flow control: while this many events wait for the dispatcher and calls
 * wait to go out (each UPDATE read becomes an ACKNOWLEDGE), the stream is
 * not read; reading resumes below the low mark. The backlog then waits in
 * the master's socket, not in our heap.
 */
#define MASTER_FLOW_HIGH	4096
#define MASTER_FLOW_LOW		1024

struct master_call;
TAILQ_HEAD(master_calls, master_call);

/* A call on its way to the master. */
struct master_call {
	struct master		*m;
	Mesos__V1__Scheduler__Call *call;	/* owned */
	uint64_t		 cookie;	/* != 0: report MSG_CALL_DONE */
	int			 type;
	enum http_lane		 lane;
	unsigned		 attempts;	/* sends so far */
	ev_tstamp		 not_before;	/* retry backoff */
	ev_tstamp		 sent_at;
	struct http_req		*req;		/* while in flight */
	struct master_calls	*list;		/* the queue it is on */
	TAILQ_ENTRY(master_call) link;
};

struct master {
	struct ev_loop		*loop;
	const struct config	*cfg;
	struct msg_queue	*q;
	struct http		*http;
	enum codec_type		 codec;
	char			*secret;

	enum master_state	 state;
	int64_t			 since;		/* wall ms of the last change */
	int			 stopping;	/* master_stop: drain, then idle */

	/* detection */
	int			 zk;		/* zk://: urls come from
						 * master_set_leader */
	char			**urls;		/* scheduler endpoints */
	size_t			 nurls;
	size_t			 cand;		/* next list candidate */
	size_t			 round_left;	/* candidates left this round */
	char			*pref_url;	/* try this next (leader, 307) */
	unsigned		 redirects;	/* followed in a row */
	char			*target;	/* URL of the current attempt */
	char			*leader_url;	/* the master we subscribed to */
	char			*leader;	/* its "host:port" */
	unsigned		 backoff_n;	/* failed rounds in a row */
	uint64_t		 rng;

	/* subscription */
	char			*framework_id;
	char			*stream_id;
	double			 heartbeat_s;
	struct http_req		*stream;
	int			 stream_paused;	/* flow control holds it */
	struct http_req		*probe;		/* GET /redirect */
	unsigned		 stream_gen;	/* bumped when a stream ends */
	int			 connected;	/* MSG_SESSION connected sent */
	struct recordio_reader	 rio;
	ev_tstamp		 last_byte;
	int64_t			 last_event;	/* monotonic ms */
	ev_tstamp		 subscribed_at;
	uint64_t		 reconnects;

	/* calls */
	struct master_calls	 ordered;	/* head may be in flight */
	struct master_calls	 pool_wait;
	struct master_calls	 pool_busy;
	size_t			 ncalls;
	int			 pumping;
	int			 pump_again;
	struct http_req		*agents_req;

	struct ev_timer		 watchdog;
	struct ev_timer		 backoff;
	struct ev_timer		 retry;
	struct ev_prepare	 flow_watch;	/* while paused: after each
						 * dispatcher drain */

	void			(*tap)(void *, enum codec_type, const char *,
				    size_t);
	void			*tap_arg;
};

static const char *master_state_names[MASTER_STATE_MAX] = {
	"idle", "detecting", "subscribing", "subscribed", "backoff", "fenced"
};

static void	master_attempt(struct master *);
static void	master_lost(struct master *, const char *reason);
static void	master_pump(struct master *);
static void	master_flow(struct master *);
static void	master_flow_cb(struct ev_loop *, struct ev_prepare *, int);

const char *
master_state_name(enum master_state s)
{
	return s < MASTER_STATE_MAX ? master_state_names[s] : "?";
}

/* Name of a call type as Mesos spells it. */
static const char *
master_call_name(int type)
{
	return codec_enum_name(&mesos__v1__scheduler__call__type__descriptor,
	    type);
}

/* The configured values, with the documented defaults for unset ones. */
static double
master_cfg_call_timeout(const struct master *m)
{
	return m->cfg->call_timeout_s > 0 ? m->cfg->call_timeout_s : 75.0;
}

static double
master_cfg_backoff_initial(const struct master *m)
{
	return m->cfg->backoff_initial_s > 0 ? m->cfg->backoff_initial_s : 0.5;
}

static double
master_cfg_backoff_max(const struct master *m)
{
	double max = m->cfg->backoff_max_s > 0 ? m->cfg->backoff_max_s : 15.0;

	return max < master_cfg_backoff_initial(m) ?
	    master_cfg_backoff_initial(m) : max;
}

static double
master_cfg_misses(const struct master *m)
{
	return m->cfg->heartbeat_misses > 0 ? m->cfg->heartbeat_misses : 5.0;
}

/* A uniform draw in [0, 1) from the master's own generator. */
static double
master_random(struct master *m)
{
	uint64_t x = m->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	m->rng = x;
	return (double)((x * 2685821657736338717ull) >> 11) *
	    (1.0 / 9007199254740992.0);
}

double
master_backoff_delay(double initial, double max, unsigned attempt, double u)
{
	double cap = initial;
	unsigned i;

	for (i = 0; i < attempt && cap < max; i++)
		cap *= 2;
	if (cap > max)
		cap = max;
	if (u < 0)
		u = 0;
	if (u >= 1)
		u = 0.999999;
	return u * cap;
}

/* Changes state, logging the transition at debug (the reasons go at info). */
static void
master_set_state(struct master *m, enum master_state s, const char *why)
{
	if (m->state == s)
		return;
	log_debug("master: %s -> %s (%s)", master_state_name(m->state),
	    master_state_name(s), why);
	m->state = s;
	m->since = msg_clock_wall();
}

/* Queues a MSG_SESSION (strings copied); failed: reason is an error. */
static void
master_push_session(struct master *m, enum msg_session_state st,
    const char *reason, int fatal, int failed)
{
	struct msg *msg = msg_create(MSG_SESSION);

	msg->u.session.state = st;
	msg->u.session.master = m->leader != NULL ? xstrdup(m->leader) :
	    (m->target != NULL ? master_url_hostport(m->target) : NULL);
	if (st == SESSION_CONNECTED && m->stream_id != NULL)
		msg->u.session.stream_id = xstrdup(m->stream_id);
	msg->u.session.reason = reason != NULL ? xstrdup(reason) : NULL;
	msg->u.session.fatal = fatal;
	msg->u.session.failed = failed;
	msg_queue_push(m->q, msg);
}

/* URLs. */

char *
master_url_hostport(const char *url)
{
	const char *p = strstr(url, "//"), *e;

	p = p != NULL ? p + 2 : url;
	e = strchr(p, '/');
	return e != NULL ? xstrndup(p, (size_t)(e - p)) : xstrdup(p);
}

/* Length of "scheme://host:port" at the start of url (0 if none). */
static size_t
master_url_origin_len(const char *url)
{
	const char *p = strstr(url, "://"), *e;

	if (p == NULL)
		return 0;
	e = strchr(p + 3, '/');
	return e != NULL ? (size_t)(e - url) : strlen(url);
}

/*
 * True if the n bytes at h are a usable "host[:port]": a name, an IPv4
 * address or a bracketed IPv6 one, with an optional non-empty port.
 */
static int
master_host_ok(const char *h, size_t n)
{
	size_t i;

	if (n == 0 || h[0] == ':' || h[n - 1] == ':')
		return 0;
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789.-_:[]%", h[i]) == NULL || h[i] == '\0')
			return 0;
	return 1;
}

/* True if s ends with suffix. */
static int
master_ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

char *
master_url_normalize(const char *url, char **cause)
{
	const char *rest, *path;
	char *scheme, *hostport, *out;
	size_t plen;

	while (*url == ' ' || *url == '\t')
		url++;
	if (strncasecmp(url, "zk://", 5) == 0) {
		*cause = xasprintf("master URL %s: a zk:// URL names ZooKeeper, "
		    "not a master; give it as the only entry of master.masters",
		    url);
		return NULL;
	}
	if (strncasecmp(url, "http://", 7) == 0) {
		scheme = xstrdup("http");
		rest = url + 7;
	} else if (strncasecmp(url, "https://", 8) == 0) {
		scheme = xstrdup("https");
		rest = url + 8;
	} else if (strstr(url, "://") != NULL) {
		*cause = xasprintf("master URL %s: unsupported scheme (use "
		    "http:// or https://)", url);
		return NULL;
	} else {
		scheme = xstrdup("http");
		rest = url;
	}
	path = strchr(rest, '/');
	hostport = path != NULL ? xstrndup(rest, (size_t)(path - rest)) :
	    xstrdup(rest);
	if (!master_host_ok(hostport, strlen(hostport))) {
		*cause = xasprintf("master URL %s: %s", url, *hostport == '\0' ?
		    "no host" : "bad host");
		free(scheme);
		free(hostport);
		return NULL;
	}
	if (path == NULL)
		path = "";
	plen = strlen(path);
	while (plen > 0 && path[plen - 1] == '/')
		plen--;
	if (master_ends_with(path, plen, MASTER_SCHED_PATH))
		out = xasprintf("%s://%s%.*s", scheme, hostport, (int)plen, path);
	else
		out = xasprintf("%s://%s%.*s%s", scheme, hostport, (int)plen,
		    path, MASTER_SCHED_PATH);
	free(scheme);
	free(hostport);
	return out;
}

char *
master_location_resolve(const char *base, const char *location, char **cause)
{
	const char *colon, *slash, *b;
	size_t n, origin;
	char *loc, *out = NULL;

	while (*location == ' ' || *location == '\t')
		location++;
	n = strlen(location);
	while (n > 0 && (location[n - 1] == ' ' || location[n - 1] == '\t' ||
	    location[n - 1] == '\r' || location[n - 1] == '\n'))
		n--;
	if (n == 0) {
		*cause = xasprintf("empty Location in the redirect from %s",
		    base);
		return NULL;
	}
	loc = xstrndup(location, n);
	origin = master_url_origin_len(base);
	if (origin == 0) {
		*cause = xasprintf("cannot resolve Location %s against %s",
		    loc, base);
		goto out;
	}
	colon = strstr(loc, "://");
	slash = strchr(loc, '/');
	if (loc[0] == '/' && loc[1] == '/') {
		/* Scheme-relative, as Mesos sends it. */
		b = strstr(base, "://");
		out = xasprintf("%.*s:%s", (int)(b - base), base, loc);
	} else if (colon != NULL && (slash == NULL || colon < slash)) {
		if (strncasecmp(loc, "http://", 7) != 0 &&
		    strncasecmp(loc, "https://", 8) != 0) {
			*cause = xasprintf("redirect from %s to an unsupported "
			    "scheme: %s", base, loc);
			goto out;
		}
		out = xstrdup(loc);
	} else if (loc[0] == '/')
		out = xasprintf("%.*s%s", (int)origin, base, loc);
	else {
		/* Relative to the directory of base's path. */
		slash = strrchr(base + origin, '/');
		n = slash != NULL ? (size_t)(slash - base) + 1 : origin;
		out = xasprintf("%.*s%s%s", (int)n, base,
		    slash != NULL ? "" : "/", loc);
	}
	/* No path at all (/redirect's answer): the scheduler endpoint. */
	origin = master_url_origin_len(out);
	if (origin == 0 || out[origin] == '\0' ||
	    strcmp(out + origin, "/") == 0) {
		char *full = xasprintf("%.*s%s", (int)origin, out,
		    MASTER_SCHED_PATH);

		free(out);
		out = full;
	}
	b = strstr(out, "://") + 3;
	if (!master_host_ok(b, master_url_origin_len(out) -
	    (size_t)(b - out))) {
		*cause = xasprintf("redirect from %s to %s has %s", base, loc,
		    *b == '\0' || *b == '/' ? "no host" : "a bad host");
		free(out);
		out = NULL;
	}
out:
	free(loc);
	return out;
}

char *
master_url_operator(const char *url)
{
	size_t n = strlen(url);

	if (master_ends_with(url, n, "/master" MASTER_SCHED_PATH))
		return xasprintf("%.*s/api/v1",
		    (int)(n - strlen("/master" MASTER_SCHED_PATH)), url);
	if (master_ends_with(url, n, "/scheduler"))
		return xstrndup(url, n - strlen("/scheduler"));
	return xasprintf("%.*s/api/v1", (int)master_url_origin_len(url), url);
}

/* The URL of the master's /redirect endpoint next to url. */
static char *
master_url_redirect(const char *url)
{
	return xasprintf("%.*s/redirect", (int)master_url_origin_len(url), url);
}

int
master_secret_read(const char *path, char **secret, char **cause)
{
	char *why = NULL;

	if (secret_read(path, SECRET_LINE, secret, NULL, &why) != 0) {
		*cause = xasprintf("secret file %s", why);
		free(why);
		return -1;
	}
	return 0;
}

/* Call kinds. */

enum http_lane
master_call_lane(int type)
{
	switch (type) {
	case MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE:
	case MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE_OPERATION_STATUS:
	case MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE:
	case MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE_INVERSE_OFFERS:
		return HTTP_LANE_POOL;
	default:
		return HTTP_LANE_ORDERED;
	}
}

int
master_call_retryable(int type)
{
	switch (type) {
	case MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE:
	case MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE_OPERATION_STATUS:
	case MESOS__V1__SCHEDULER__CALL__TYPE__RECONCILE:
	case MESOS__V1__SCHEDULER__CALL__TYPE__RECONCILE_OPERATIONS:
	case MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE:
	case MESOS__V1__SCHEDULER__CALL__TYPE__KILL:
	case MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS:
	case MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE:
		return 1;
	default:
		return 0;
	}
}

int
master_call_survives(int type)
{
	switch (type) {
	case MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT:
	case MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE:
	case MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT_INVERSE_OFFERS:
	case MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE_INVERSE_OFFERS:
		/* Offers die with the connection. */
		return 0;
	default:
		return 1;
	}
}

/* Queues of calls. */

static void
master_call_link(struct master_call *c, struct master_calls *list, int head)
{
	if (head)
		TAILQ_INSERT_HEAD(list, c, link);
	else
		TAILQ_INSERT_TAIL(list, c, link);
	c->list = list;
}

static void
master_call_unlink(struct master_call *c)
{
	if (c->list != NULL) {
		TAILQ_REMOVE(c->list, c, link);
		c->list = NULL;
	}
}

/*
 * Ends a call: reports it when it has a cookie (status and strings copied)
 * and frees it. The call must not be in flight.
 */
static void
master_call_finish(struct master *m, struct master_call *c, int status,
    const char *error, const char *body)
{
	struct msg *msg;

	if (c->cookie != 0) {
		msg = msg_create(MSG_CALL_DONE);
		msg->u.call_done.cookie = c->cookie;
		msg->u.call_done.type = c->type;
		msg->u.call_done.status = status;
		msg->u.call_done.error = error != NULL ? xstrdup(error) : NULL;
		msg->u.call_done.body = body != NULL ? xstrdup(body) : NULL;
		msg_queue_push(m->q, msg);
	}
	master_call_unlink(c);
	m->ncalls--;
	codec_free(c->call);
	free(c);
}

/* Ends every call, in flight or queued, with the same outcome. */
static void
master_calls_finish_all(struct master *m, int status, const char *error)
{
	struct master_calls *lists[3] = {
		&m->ordered, &m->pool_busy, &m->pool_wait
	};
	struct master_call *c;
	int i;

	for (i = 0; i < 3; i++)
		while ((c = TAILQ_FIRST(lists[i])) != NULL) {
			http_req_cancel(c->req);
			c->req = NULL;
			master_call_finish(m, c, status, error, NULL);
		}
}

/*
 * The subscription is gone: cancels calls in flight, keeps those that stay
 * meaningful for the next subscription (in their order) and ends the rest.
 */
static void
master_calls_disconnected(struct master *m, const char *reason)
{
	/* the queues whose calls are kept or ended, in this order */
	struct master_calls *lists[2] = { &m->ordered, &m->pool_wait };
	struct master_call *c, *next;
	char *why = xasprintf("not sent: %s", reason);
	int i;

	/* In-flight pool calls go back to the front of the pool queue. */
	while ((c = TAILQ_LAST(&m->pool_busy, master_calls)) != NULL) {
		http_req_cancel(c->req);
		c->req = NULL;
		master_call_unlink(c);
		master_call_link(c, &m->pool_wait, 1);
	}
	c = TAILQ_FIRST(&m->ordered);
	if (c != NULL && c->req != NULL) {
		http_req_cancel(c->req);
		c->req = NULL;
	}
	for (i = 0; i < 2; i++)
		for (c = TAILQ_FIRST(lists[i]); c != NULL; c = next) {
			next = TAILQ_NEXT(c, link);
			if (!master_call_survives(c->type))
				master_call_finish(m, c, 0, why, NULL);
			else {
				c->attempts = 0;
				c->not_before = 0;
			}
		}
	ev_timer_stop(m->loop, &m->retry);
	free(why);
}

/* The stream. */

/* Stops the watchdog and the stream; reports it if it was connected. */
static void
master_close_stream(struct master *m, const char *reason, int report)
{
	ev_timer_stop(m->loop, &m->watchdog);
	http_req_cancel(m->stream);
	m->stream = NULL;
	m->stream_paused = 0;
	ev_prepare_stop(m->loop, &m->flow_watch);
	http_req_cancel(m->probe);
	m->probe = NULL;
	m->stream_gen++;
	recordio_reader_clear(&m->rio);
	if (m->connected && report)
		master_push_session(m, SESSION_DISCONNECTED, reason, 0, 0);
	m->connected = 0;
	free(m->stream_id);
	m->stream_id = NULL;
}

/* Seconds without a byte after which the stream counts as dead. */
static double
master_watch_limit(const struct master *m)
{
	if (m->state == MASTER_SUBSCRIBED)
		return master_cfg_misses(m) * m->heartbeat_s;
	return master_cfg_call_timeout(m);
}

/* (Re)arms the watchdog for the time left before the limit. */
static void
master_watchdog_arm(struct master *m)
{
	double left = m->last_byte + master_watch_limit(m) -
	    ev_now(m->loop);

	ev_timer_stop(m->loop, &m->watchdog);
	ev_timer_set(&m->watchdog, left > 0.001 ? left : 0.001, 0.);
	ev_timer_start(m->loop, &m->watchdog);
}

static void
master_watchdog_cb(struct ev_loop *loop, struct ev_timer *w, int revents)
{
	struct master *m = w->data;
	double limit = master_watch_limit(m);
	double age = ev_now(loop) - m->last_byte;
	char *why;

	if (age + 0.0005 < limit) {
		master_watchdog_arm(m);
		return;
	}
	if (m->state == MASTER_SUBSCRIBED)
		why = xasprintf("no heartbeat for %.*fs", age < 10 ? 1 : 0,
		    age);
	else
		why = xasprintf("no SUBSCRIBED within %.*fs", age < 10 ? 1 : 0,
		    age);
	master_lost(m, why);
	free(why);
}

/* Starts the backoff before the next round of attempts. */
static void
master_schedule(struct master *m, const char *reason, int was_subscribed)
{
	double stable, delay;

	if (was_subscribed) {
		/* A subscription that lasted starts the backoff over. */
		stable = master_cfg_backoff_max(m);
		if (stable < 3 * m->heartbeat_s)
			stable = 3 * m->heartbeat_s;
		if (ev_now(m->loop) - m->subscribed_at >= stable)
			m->backoff_n = 0;
	}
	delay = master_backoff_delay(master_cfg_backoff_initial(m),
	    master_cfg_backoff_max(m), m->backoff_n, master_random(m));
	if (m->backoff_n < 64)
		m->backoff_n++;
	if (was_subscribed)
		log_warn("master %s lost: %s; resubscribing in %.1fs",
		    m->leader != NULL ? m->leader : "?", reason, delay);
	else
		log_warn("no leading master: %s; trying again in %.1fs",
		    reason, delay);
	master_set_state(m, MASTER_BACKOFF, reason);
	ev_timer_stop(m->loop, &m->backoff);
	ev_timer_set(&m->backoff, delay, 0.);
	ev_timer_start(m->loop, &m->backoff);
}

static void
master_backoff_cb(struct ev_loop *loop, struct ev_timer *w, int revents)
{
	struct master *m = w->data;

	m->round_left = m->nurls;
	m->redirects = 0;
	if (m->pref_url == NULL && m->leader_url != NULL)
		m->pref_url = xstrdup(m->leader_url);
	master_attempt(m);
}

/*
 * The current attempt or subscription ended. A subscription lost waits the
 * backoff; a failed attempt moves on to the next candidate, or waits the
 * backoff when the round is over.
 */
static void
master_lost(struct master *m, const char *reason)
{
	int was = m->state == MASTER_SUBSCRIBED;

	if (m->state == MASTER_IDLE || m->state == MASTER_FENCED ||
	    m->state == MASTER_BACKOFF)
		return;
	/* connected or not, the core learns why: the operator sees the
	 * last connection error while nothing works */
	master_close_stream(m, reason, 0);
	master_push_session(m, SESSION_DISCONNECTED, reason, 0, 1);
	master_calls_disconnected(m, reason);
	if (was) {
		m->reconnects++;
		metrics_add("ark_reconnects_total", "", 1);
	}
	if (m->stopping) {
		master_calls_finish_all(m, 0, "shutting down");
		master_set_state(m, MASTER_IDLE, "stopped");
		return;
	}
	if (!was && (m->pref_url != NULL || m->round_left > 0)) {
		log_info("master %s: %s; trying the next master", m->target !=
		    NULL ? m->target : "?", reason);
		master_attempt(m);
		return;
	}
	master_schedule(m, reason, was);
}

/* Gives up for good: credentials refused or framework removed. */
static void
master_give_up(struct master *m, const char *reason, int status)
{
	master_close_stream(m, reason, 0);
	ev_timer_stop(m->loop, &m->backoff);
	ev_timer_stop(m->loop, &m->retry);
	master_calls_finish_all(m, status, reason);
	master_set_state(m, MASTER_IDLE, reason);
	master_push_session(m, SESSION_DISCONNECTED, reason,
	    status == 401 ? 401 : 1, 1);
}

/* 401: the master refuses our principal. */
static void
master_unauthorized(struct master *m, const char *where)
{
	char *why = xasprintf("master %s refused the credentials of principal "
	    "'%s' (401 Unauthorized); check framework.principal and "
	    "framework.secret_file", where,
	    m->cfg->principal != NULL ? m->cfg->principal : "(none)");

	log_error("%s", why);
	master_give_up(m, why, 401);
	free(why);
}

/* A master's message in a body, trimmed to one printable line. */
static char *
master_body_text(const char *body, size_t len)
{
	char *s;
	size_t i;

	if (len > 512)
		len = 512;
	s = xstrndup(body, len);
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] == '\n' || s[i] == '\r' || (unsigned char)s[i] < 0x20)
			s[i] = ' ';
	while (i > 0 && s[i - 1] == ' ')
		s[--i] = '\0';
	return s;
}

/* An event arrived on the stream. */
static void
master_on_event(struct master *m, Mesos__V1__Scheduler__Event *ev)
{
	const char *name = codec_enum_name(
	    &mesos__v1__scheduler__event__type__descriptor, ev->type);
	char labels[64], *why = NULL;
	struct msg *msg;
	int type = ev->type;
	const char *text = NULL;

	snprintf(labels, sizeof labels, "type=\"%s\"", name);
	metrics_add("ark_events_total", labels, 1);
	if (type == MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED &&
	    ev->subscribed != NULL) {
		if (ev->subscribed->framework_id != NULL &&
		    ev->subscribed->framework_id->value != NULL) {
			free(m->framework_id);
			m->framework_id =
			    xstrdup(ev->subscribed->framework_id->value);
		}
		m->heartbeat_s = ev->subscribed->has_heartbeat_interval_seconds &&
		    ev->subscribed->heartbeat_interval_seconds > 0 ?
		    ev->subscribed->heartbeat_interval_seconds :
		    MASTER_HEARTBEAT_DEFAULT;
	}
	if (type == MESOS__V1__SCHEDULER__EVENT__TYPE__ERROR &&
	    ev->error != NULL && ev->error->message != NULL)
		why = xasprintf("master sent ERROR: %s", ev->error->message);
	msg = msg_create(MSG_EVENT);
	msg->u.event = ev;
	msg_queue_push(m->q, msg);

	if (type == MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED &&
	    m->state != MASTER_SUBSCRIBED) {
		free(m->leader_url);
		m->leader_url = xstrdup(m->target);
		free(m->leader);
		m->leader = master_url_hostport(m->target);
		free(m->pref_url);
		m->pref_url = NULL;
		m->redirects = 0;
		m->subscribed_at = ev_now(m->loop);
		master_set_state(m, MASTER_SUBSCRIBED, "SUBSCRIBED");
		log_info("master %s: subscribed as %s (stream %s, heartbeat "
		    "%gs, encoding %s)", m->leader, m->framework_id != NULL ?
		    m->framework_id : "?", m->stream_id != NULL ?
		    m->stream_id : "?", m->heartbeat_s, codec_name(m->codec));
		master_watchdog_arm(m);
		master_pump(m);
	} else if (type == MESOS__V1__SCHEDULER__EVENT__TYPE__ERROR) {
		text = why != NULL ? why : "master sent ERROR";
		if (strstr(text, "has been removed") != NULL) {
			log_error("master %s: %s; not subscribing again",
			    m->leader != NULL ? m->leader : m->target, text);
			master_give_up(m, text, 0);
		} else
			master_lost(m, text);
	}
	free(why);
}

static void
master_stream_head_cb(void *arg, struct http_req *r,
    const struct http_response *resp)
{
	struct master *m = arg;
	enum codec_type ct;
	char *why;

	if (r != m->stream || resp->status != 200)
		return;		/* the done callback handles the rest */
	if (resp->stream_id == NULL || *resp->stream_id == '\0' ||
	    strlen(resp->stream_id) > 256) {
		master_lost(m, "SUBSCRIBE answered 200 without a usable "
		    "Mesos-Stream-Id");
		return;
	}
	if (resp->content_type != NULL &&
	    codec_from_content_type(resp->content_type, &ct) == 0 &&
	    ct != m->codec) {
		why = xasprintf("stream has Content-Type %s, not %s",
		    resp->content_type, codec_content_type(m->codec));
		master_lost(m, why);
		free(why);
		return;
	}
	free(m->stream_id);
	m->stream_id = xstrdup(resp->stream_id);
	free(m->leader);
	m->leader = master_url_hostport(m->target);
	m->last_byte = ev_now(m->loop);
	m->connected = 1;
	master_set_state(m, MASTER_SUBSCRIBING, "stream open");
	log_info("master %s: stream open (stream %s), waiting for SUBSCRIBED",
	    m->leader, m->stream_id);
	master_push_session(m, SESSION_CONNECTED, "stream open", 0, 0);
	master_watchdog_arm(m);
}

static void
master_stream_data_cb(void *arg, struct http_req *r, const char *p, size_t n)
{
	struct master *m = arg;
	unsigned gen = m->stream_gen;
	Mesos__V1__Scheduler__Event *ev;
	const char *data, *err;
	enum recordio_status st;
	char *cause = NULL, *why;
	size_t len;

	if (r != m->stream)
		return;
	m->last_byte = ev_now(m->loop);
	m->last_event = msg_clock_now();
	if (recordio_feed(&m->rio, p, n) != 0) {
		master_lost(m, "stream failed earlier");
		return;
	}
	for (;;) {
		st = recordio_next(&m->rio, &data, &len, &err);
		if (st == RECORDIO_NEED_MORE)
			break;
		if (st == RECORDIO_ERROR) {
			why = xasprintf("malformed stream: %s", err);
			master_lost(m, why);
			free(why);
			return;
		}
		if (m->tap != NULL)
			m->tap(m->tap_arg, m->codec, data, len);
		ev = codec_decode_event(m->codec, data, len, &cause);
		if (ev == NULL) {
			why = xasprintf("undecodable event: %s", cause);
			free(cause);
			master_lost(m, why);
			free(why);
			return;
		}
		master_on_event(m, ev);
		if (m->stream_gen != gen)
			return;		/* the event ended the stream */
	}
	/* the rest of what was read comes after the dispatcher's turn */
	master_flow(m);
}

/* Asks the master at url's /redirect who leads (it answered 307 bare). */
static void master_probe_done_cb(void *, struct http_req *,
    const struct http_response *);

static void
master_probe(struct master *m, const char *url)
{
	char *u = master_url_redirect(url);

	log_info("master %s: redirect without Location; asking %s", url, u);
	m->probe = http_req_create(m->http, HTTP_LANE_DIRECT, u, m);
	http_req_timeout(m->probe, master_cfg_call_timeout(m));
	http_req_max_body(m->probe, 64 * 1024);
	http_req_on_done(m->probe, master_probe_done_cb);
	free(u);
	http_submit(m->probe);
}

/* Follows a Location to the next attempt; any problem fails this one. */
static void
master_follow(struct master *m, const char *from, const char *location)
{
	unsigned limit = m->cfg->redirect_limit;
	char *to, *cause = NULL, *why;

	if (m->redirects >= limit) {
		why = xasprintf("%u redirects in a row (limit %u), last from "
		    "%s", m->redirects + 1, limit, from);
		free(m->pref_url);
		m->pref_url = NULL;
		master_lost(m, why);
		free(why);
		return;
	}
	to = master_location_resolve(from, location, &cause);
	if (to == NULL) {
		master_lost(m, cause);
		free(cause);
		return;
	}
	m->redirects++;
	log_info("master %s: not the leader; redirected to %s", from, to);
	free(m->pref_url);
	m->pref_url = to;
	master_close_stream(m, "redirected", 1);
	master_attempt(m);
}

static void
master_probe_done_cb(void *arg, struct http_req *r,
    const struct http_response *resp)
{
	struct master *m = arg;
	char *why, *from;

	m->probe = NULL;
	if (resp->status / 100 == 3 && resp->location != NULL) {
		from = master_url_redirect(m->target);
		master_follow(m, from, resp->location);
		free(from);
		return;
	}
	why = xasprintf("its /redirect answered %d%s%s", resp->status,
	    resp->error != NULL ? ": " : "",
	    resp->error != NULL ? resp->error : "");
	master_lost(m, why);
	free(why);
}

static void
master_stream_done_cb(void *arg, struct http_req *r,
    const struct http_response *resp)
{
	struct master *m = arg;
	char *why, *text;

	if (r != m->stream)
		return;
	m->stream = NULL;
	text = master_body_text(resp->body, resp->body_len);
	switch (resp->status) {
	case 200:
		why = resp->error != NULL ?
		    xasprintf("stream failed: %s", resp->error) :
		    xstrdup("stream closed by the master");
		master_lost(m, why);
		free(why);
		break;
	case 301: case 302: case 303: case 307: case 308:
		if (resp->location == NULL || *resp->location == '\0') {
			if (m->redirects >= m->cfg->redirect_limit) {
				master_follow(m, m->target, "");
				break;
			}
			master_close_stream(m, "redirected", 1);
			master_probe(m, m->target);
		} else
			master_follow(m, m->target, resp->location);
		break;
	case 401:
		master_unauthorized(m, m->target);
		break;
	case 0:
		why = xasprintf("cannot reach %s: %s", m->target,
		    resp->error != NULL ? resp->error : "no answer");
		master_lost(m, why);
		free(why);
		break;
	default:
		why = xasprintf("SUBSCRIBE to %s answered %d%s%s", m->target,
		    resp->status, *text != '\0' ? ": " : "", text);
		if (resp->status == 400)
			log_error("%s", why);
		master_lost(m, why);
		free(why);
		break;
	}
	free(text);
}

/* Sends SUBSCRIBE to the next candidate. */
static void
master_attempt(struct master *m)
{
	Mesos__V1__Scheduler__Call *call;
	struct buf body;
	char *cause = NULL, *data;
	size_t len;

	if (m->pref_url == NULL && m->nurls == 0) {
		/* zk:// and no leader known: master_set_leader starts us. */
		free(m->target);
		m->target = NULL;
		master_set_state(m, MASTER_DETECTING, "no leader known");
		log_info("master: no leading master known in ZooKeeper yet; "
		    "waiting");
		master_push_session(m, SESSION_DISCONNECTED, "no leading "
		    "master known in ZooKeeper", 0, 1);
		return;
	}
	free(m->target);
	if (m->pref_url != NULL) {
		m->target = m->pref_url;
		m->pref_url = NULL;
	} else {
		m->target = xstrdup(m->urls[m->cand]);
		m->cand = (m->cand + 1) % m->nurls;
		m->redirects = 0;	/* a new candidate: count afresh */
		if (m->round_left > 0)
			m->round_left--;
	}
	call = framework_subscribe_call(m->cfg, m->framework_id);
	buf_init(&body, CODEC_MAX_BODY);
	if (codec_encode_call(m->codec, call, &body, &cause) != 0) {
		/* Cannot happen with a FrameworkInfo we built ourselves. */
		log_error("master: cannot encode SUBSCRIBE: %s", cause);
		free(cause);
		codec_free(call);
		buf_clear(&body);
		master_set_state(m, MASTER_DETECTING, "retry");
		master_schedule(m, "cannot encode SUBSCRIBE", 0);
		return;
	}
	codec_free(call);
	data = buf_steal(&body, &len);
	master_set_state(m, MASTER_DETECTING, m->target);
	log_debug("master: SUBSCRIBE to %s%s%s", m->target,
	    m->framework_id != NULL ? " as " : "",
	    m->framework_id != NULL ? m->framework_id : "");
	recordio_reader_clear(&m->rio);
	recordio_reader_init(&m->rio, RECORDIO_DEFAULT_MAX);
	m->stream = http_req_create(m->http, HTTP_LANE_DIRECT, m->target, m);
	http_req_header(m->stream, "Content-Type: %s",
	    codec_content_type(m->codec));
	http_req_header(m->stream, "Accept: %s", codec_content_type(m->codec));
	http_req_body(m->stream, data, len);
	http_req_max_body(m->stream, MASTER_CALL_MAX_BODY);
	http_req_stream(m->stream, master_stream_head_cb,
	    master_stream_data_cb);
	http_req_on_done(m->stream, master_stream_done_cb);
	m->last_byte = ev_now(m->loop);
	master_watchdog_arm(m);
	http_submit(m->stream);
}

/* Calls. */

static void master_call_done_cb(void *, struct http_req *,
    const struct http_response *);

/* Puts a call on the wire; ends it if it cannot be encoded. */
static void
master_call_send(struct master *m, struct master_call *c)
{
	struct buf body;
	char *cause = NULL, *data, *why;
	size_t len;

	if (c->call->framework_id == NULL && m->framework_id != NULL)
		c->call->framework_id = framework_id_build(m->framework_id);
	buf_init(&body, CODEC_MAX_BODY);
	if (codec_encode_call(m->codec, c->call, &body, &cause) != 0) {
		why = xasprintf("cannot encode %s: %s",
		    master_call_name(c->type), cause);
		log_error("master: %s", why);
		master_call_finish(m, c, 0, why, NULL);
		free(why);
		free(cause);
		buf_clear(&body);
		return;
	}
	data = buf_steal(&body, &len);
	c->req = http_req_create(m->http, c->lane, m->leader_url, c);
	http_req_header(c->req, "Content-Type: %s",
	    codec_content_type(m->codec));
	http_req_header(c->req, "Accept: %s", codec_content_type(m->codec));
	http_req_header(c->req, "Mesos-Stream-Id: %s", m->stream_id);
	http_req_body(c->req, data, len);
	http_req_timeout(c->req, master_cfg_call_timeout(m));
	http_req_max_body(c->req, MASTER_CALL_MAX_BODY);
	http_req_on_done(c->req, master_call_done_cb);
	c->attempts++;
	c->sent_at = ev_now(m->loop);
	http_submit(c->req);	/* may call back at once: c is gone then */
}

/* Pool calls that may be in flight at once. */
static size_t
master_pool_size(const struct master *m)
{
	return m->cfg->ack_connections > 0 ? m->cfg->ack_connections : 8;
}

/* Arms the retry timer for the earliest retry, if any. */
static void
master_retry_arm(struct master *m, ev_tstamp when)
{
	double left = when - ev_now(m->loop);

	ev_timer_stop(m->loop, &m->retry);
	ev_timer_set(&m->retry, left > 0.001 ? left : 0.001, 0.);
	ev_timer_start(m->loop, &m->retry);
}

static void
master_retry_cb(struct ev_loop *loop, struct ev_timer *w, int revents)
{
	master_pump(w->data);
}

/*
 * Pauses the stream while too much waits (events queued for the dispatcher,
 * calls not yet answered), resumes it once that drained. Called as events
 * are queued, calls made and calls answered. Only a subscribed stream is
 * held: calls wait for SUBSCRIBED, which must be read. A pause longer than
 * the watchdog's limit counts as a dead master.
 */
static void
master_flow(struct master *m)
{
	size_t load = m->ncalls + m->q->len;
	int hold;

	if (m->stream == NULL)
		return;
	hold = m->state == MASTER_SUBSCRIBED && (m->stream_paused ?
	    load > MASTER_FLOW_LOW : load >= MASTER_FLOW_HIGH);
	if (hold == m->stream_paused)
		return;
	m->stream_paused = hold;
	log_debug("master: %s the stream (%zu events and calls waiting)",
	    hold ? "pausing" : "resuming", load);
	/* events drained without a call made or answered must resume it too */
	if (hold)
		ev_prepare_start(m->loop, &m->flow_watch);
	else
		ev_prepare_stop(m->loop, &m->flow_watch);
	http_req_pause(m->stream, hold);
}

static void
master_flow_cb(struct ev_loop *loop, struct ev_prepare *w, int revents)
{
	master_flow(w->data);
}

/*
 * Sends what may go now: the head of the ordered lane when nothing of it is
 * in flight, and pool calls while the pool has room. When stopping and
 * nothing is left, closes the stream.
 */
static void
master_pump(struct master *m)
{
	struct master_call *c, *next;
	ev_tstamp now, wake;
	size_t busy;

	if (m->pumping) {
		m->pump_again = 1;
		return;
	}
	m->pumping = 1;
	do {
		m->pump_again = 0;
		if (m->state != MASTER_SUBSCRIBED)
			break;
		now = ev_now(m->loop);
		wake = 0;
		c = TAILQ_FIRST(&m->ordered);
		if (c != NULL && c->req == NULL) {
			if (c->not_before <= now)
				master_call_send(m, c);
			else
				wake = c->not_before;
		}
		busy = 0;
		TAILQ_FOREACH(c, &m->pool_busy, link)
			busy++;
		for (c = TAILQ_FIRST(&m->pool_wait); c != NULL &&
		    busy < master_pool_size(m); c = next) {
			next = TAILQ_NEXT(c, link);
			if (c->not_before > now) {
				if (wake == 0 || c->not_before < wake)
					wake = c->not_before;
				continue;
			}
			master_call_unlink(c);
			master_call_link(c, &m->pool_busy, 0);
			busy++;
			master_call_send(m, c);
			if (m->pump_again)
				break;	/* a callback changed the queues */
		}
		if (wake != 0 && !m->pump_again)
			master_retry_arm(m, wake);
	} while (m->pump_again);
	m->pumping = 0;
	if (m->stopping && m->ncalls == 0 && m->state == MASTER_SUBSCRIBED) {
		master_close_stream(m, "shutting down", 1);
		master_set_state(m, MASTER_IDLE, "stopped");
		log_info("master: stopped");
	}
}

/* True if a 400's message is about the Mesos-Stream-Id. */
static int
master_is_stream_error(const char *text)
{
	return strcasestr(text, "stream-id") != NULL ||
	    strcasestr(text, "stream id") != NULL;
}

static void
master_call_done_cb(void *arg, struct http_req *r,
    const struct http_response *resp)
{
	struct master_call *c = arg;
	struct master *m = c->m;
	const char *name = master_call_name(c->type);
	char labels[96], *text, *why = NULL;
	const char *from;
	double delay;

	c->req = NULL;
	snprintf(labels, sizeof labels, "type=\"%s\",code=\"%d\"", name,
	    resp->status);
	metrics_add("ark_calls_total", labels, 1);
	snprintf(labels, sizeof labels, "type=\"%s\"", name);
	metrics_observe("ark_call_latency_seconds", labels,
	    ev_now(m->loop) - c->sent_at);
	text = master_body_text(resp->body, resp->body_len);
	if (resp->status / 100 == 2 && resp->error == NULL) {
		master_call_finish(m, c, resp->status, NULL,
		    resp->status == 200 ? resp->body : NULL);
	} else if (resp->status == 307 || resp->status == 403 ||
	    (resp->status == 400 && master_is_stream_error(text))) {
		if (resp->status == 307 && resp->location != NULL) {
			from = m->leader_url != NULL ? m->leader_url : "";
			free(m->pref_url);
			m->pref_url = master_location_resolve(from,
			    resp->location, &why);
			free(why);
		}
		why = xasprintf("%s answered %d%s%s", name, resp->status,
		    *text != '\0' ? ": " : "", text);
		if (c->list == &m->pool_busy) {
			master_call_unlink(c);
			master_call_link(c, &m->pool_wait, 1);
		}
		master_lost(m, why);
	} else if (resp->status == 401) {
		master_unauthorized(m, m->leader != NULL ? m->leader : "?");
	} else if (resp->status == 400) {
		why = xasprintf("master rejected %s: 400 %s", name, text);
		log_warn("master %s: %s", m->leader, why);
		master_call_finish(m, c, 400, why, NULL);
	} else if ((resp->status == 0 || resp->status >= 500) &&
	    master_call_retryable(c->type) &&
	    c->attempts < MASTER_CALL_ATTEMPTS) {
		delay = master_backoff_delay(master_cfg_backoff_initial(m),
		    master_cfg_backoff_max(m), c->attempts - 1,
		    master_random(m));
		log_info("master %s: %s failed (%s%s%d); retry %u in %.1fs",
		    m->leader, name, resp->error != NULL ? resp->error : "",
		    resp->error != NULL ? ", status " : "status ",
		    resp->status, c->attempts, delay);
		c->not_before = ev_now(m->loop) + delay;
		if (c->list == &m->pool_busy) {
			master_call_unlink(c);
			master_call_link(c, &m->pool_wait, 0);
		}
	} else {
		why = xasprintf("%s failed: %s%s%d%s%s", name,
		    resp->error != NULL ? resp->error : "",
		    resp->error != NULL ? ", status " : "status ",
		    resp->status, *text != '\0' ? ": " : "", text);
		log_warn("master %s: %s", m->leader, why);
		master_call_finish(m, c, resp->status, why, NULL);
	}
	free(why);
	free(text);
	master_pump(m);
	master_flow(m);
}

/* The public interface. */

/* Whether the masters are found through ZooKeeper (one zk:// URL). */
static int
master_is_zk(const struct config *cfg)
{
	return cfg->nmasters == 1 && strncasecmp(cfg->masters[0], "zk://",
	    5) == 0;
}

/* Parses the configured master URLs into scheduler endpoints. */
static int
master_parse_urls(const struct config *cfg, char ***urlsp, size_t *np,
    char **cause)
{
	char **urls;
	size_t i;

	if (cfg->nmasters == 0) {
		*cause = xstrdup("no master URL configured (master.masters)");
		return -1;
	}
	if (master_is_zk(cfg)) {
		*urlsp = NULL;
		*np = 0;
		return 0;
	}
	urls = xcalloc(cfg->nmasters, sizeof *urls);
	for (i = 0; i < cfg->nmasters; i++) {
		urls[i] = master_url_normalize(cfg->masters[i], cause);
		if (urls[i] == NULL) {
			while (i-- > 0)
				free(urls[i]);
			free(urls);
			return -1;
		}
	}
	*urlsp = urls;
	*np = cfg->nmasters;
	return 0;
}

static void
master_free_urls(char **urls, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
}

struct master *
master_create(struct ev_loop *loop, const struct config *cfg,
    struct msg_queue *q, char **cause)
{
	struct master *m = xcalloc(1, sizeof *m);
	struct http_opts o;

	m->loop = loop;
	m->cfg = cfg;
	m->q = q;
	TAILQ_INIT(&m->ordered);
	TAILQ_INIT(&m->pool_wait);
	TAILQ_INIT(&m->pool_busy);
	recordio_reader_init(&m->rio, RECORDIO_DEFAULT_MAX);
	if (cfg->encoding == NULL || strcmp(cfg->encoding, "protobuf") == 0)
		m->codec = CODEC_PROTOBUF;
	else if (strcmp(cfg->encoding, "json") == 0)
		m->codec = CODEC_JSON;
	else {
		*cause = xasprintf("master.encoding: unknown encoding '%s' "
		    "(protobuf or json)", cfg->encoding);
		goto fail;
	}
	if (master_parse_urls(cfg, &m->urls, &m->nurls, cause) != 0)
		goto fail;
	m->zk = master_is_zk(cfg);
	if (cfg->secret_file != NULL) {
		if (cfg->principal == NULL) {
			*cause = xasprintf("framework.secret_file %s needs "
			    "framework.principal", cfg->secret_file);
			goto fail;
		}
		if (master_secret_read(cfg->secret_file, &m->secret, cause) != 0)
			goto fail;
	}
	memset(&o, 0, sizeof o);
	o.ca_file = cfg->ca_file;
	o.tls_verify = cfg->tls_verify;
	o.cert_file = cfg->cert_file;
	o.key_file = cfg->key_file;
	o.username = cfg->secret_file != NULL ? cfg->principal : NULL;
	o.password = m->secret;
	o.pool_size = (unsigned)master_pool_size(m);
	/* A master that drops SYNs must not hold up the next one for long. */
	o.connect_timeout_s = master_cfg_call_timeout(m) < 10 ?
	    master_cfg_call_timeout(m) : 10;
	m->http = http_create(loop, &o);
	m->heartbeat_s = MASTER_HEARTBEAT_DEFAULT;
	m->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^
	    (uint64_t)(uintptr_t)m;
	if (m->rng == 0)
		m->rng = 0x9e3779b97f4a7c15ull;
	ev_timer_init(&m->watchdog, master_watchdog_cb, 1., 0.);
	m->watchdog.data = m;
	ev_timer_init(&m->backoff, master_backoff_cb, 1., 0.);
	m->backoff.data = m;
	ev_timer_init(&m->retry, master_retry_cb, 1., 0.);
	m->retry.data = m;
	ev_prepare_init(&m->flow_watch, master_flow_cb);
	/* the lowest priority: after the dispatcher's drain */
	ev_set_priority(&m->flow_watch, EV_MINPRI);
	m->flow_watch.data = m;
	m->state = MASTER_IDLE;
	m->since = msg_clock_wall();

	metrics_declare("ark_calls_total", METRICS_COUNTER,
	    "Calls answered by the master, by type and HTTP status "
	    "(0: no answer).");
	metrics_declare("ark_call_latency_seconds", METRICS_HISTOGRAM,
	    "Time from sending a call to its answer.");
	metrics_declare("ark_events_total", METRICS_COUNTER,
	    "Events received from the master, by type.");
	metrics_declare("ark_reconnects_total", METRICS_COUNTER,
	    "Subscriptions lost and started again.");
	/* a counter is there from the start, at 0, not from its first loss */
	metrics_add("ark_reconnects_total", "", 0);
	metrics_declare("ark_heartbeat_age_seconds", METRICS_GAUGE,
	    "Seconds since the last byte on the subscription stream.");
	return m;
fail:
	master_free(m);
	return NULL;
}

void
master_free(struct master *m)
{
	struct master_calls *lists[3];
	struct master_call *c;
	int i;

	if (m == NULL)
		return;
	/* Frees every request without calling back. */
	http_free(m->http);
	lists[0] = &m->ordered;
	lists[1] = &m->pool_busy;
	lists[2] = &m->pool_wait;
	for (i = 0; i < 3; i++)
		while ((c = TAILQ_FIRST(lists[i])) != NULL) {
			TAILQ_REMOVE(lists[i], c, link);
			codec_free(c->call);
			free(c);
		}
	ev_timer_stop(m->loop, &m->watchdog);
	ev_timer_stop(m->loop, &m->backoff);
	ev_timer_stop(m->loop, &m->retry);
	ev_prepare_stop(m->loop, &m->flow_watch);
	recordio_reader_clear(&m->rio);
	master_free_urls(m->urls, m->nurls);
	if (m->secret != NULL) {
		secret_free(m->secret);
	}
	free(m->pref_url);
	free(m->target);
	free(m->leader_url);
	free(m->leader);
	free(m->framework_id);
	free(m->stream_id);
	free(m);
}

void
master_set_framework_id(struct master *m, const char *id)
{
	free(m->framework_id);
	m->framework_id = id != NULL ? xstrdup(id) : NULL;
}

const char *
master_framework_id(const struct master *m)
{
	return m->framework_id;
}

void
master_start(struct master *m)
{
	if (m->state != MASTER_IDLE && m->state != MASTER_FENCED)
		return;
	m->stopping = 0;
	m->round_left = m->nurls;
	m->redirects = 0;
	m->backoff_n = 0;
	master_attempt(m);
}

void
master_send(struct master *m, Mesos__V1__Scheduler__Call *call,
    uint64_t cookie)
{
	struct master_call *c;
	const char *why = NULL;

	if (call == NULL)
		return;
	c = xcalloc(1, sizeof *c);
	c->m = m;
	c->call = call;
	c->cookie = cookie;
	c->type = call->has_type ? (int)call->type : 0;
	c->lane = master_call_lane(c->type);
	m->ncalls++;
	if (c->type == MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE ||
	    c->type == MESOS__V1__SCHEDULER__CALL__TYPE__UNKNOWN)
		why = "the master connection subscribes by itself; call refused";
	else if (m->state == MASTER_FENCED)
		why = "fenced: another scheduler instance took over";
	else if (m->stopping)
		why = "shutting down";
	else if (m->state != MASTER_SUBSCRIBED &&
	    !master_call_survives(c->type))
		why = "not subscribed: offers died with the connection";
	if (why != NULL) {
		log_debug("master: %s not sent: %s", master_call_name(c->type),
		    why);
		c->list = NULL;
		master_call_finish(m, c, 0, why, NULL);
		return;
	}
	master_call_link(c, c->lane == HTTP_LANE_POOL ? &m->pool_wait :
	    &m->ordered, 0);
	master_pump(m);
	master_flow(m);
}

static void
master_agents_done_cb(void *arg, struct http_req *r,
    const struct http_response *resp)
{
	struct master *m = arg;
	Mesos__V1__Master__Response *res;
	struct msg *msg;
	char *cause = NULL, *text;

	m->agents_req = NULL;
	if (resp->status != 200 || resp->error != NULL) {
		text = master_body_text(resp->body, resp->body_len);
		log_warn("master %s: GET_AGENTS failed: %s%s%d%s%s",
		    m->leader != NULL ? m->leader : "?",
		    resp->error != NULL ? resp->error : "",
		    resp->error != NULL ? ", status " : "status ",
		    resp->status, *text != '\0' ? ": " : "", text);
		free(text);
		return;
	}
	res = (Mesos__V1__Master__Response *)codec_decode(m->codec,
	    &mesos__v1__master__response__descriptor, resp->body,
	    resp->body_len, &cause);
	if (res == NULL) {
		log_warn("master %s: GET_AGENTS answer undecodable: %s",
		    m->leader != NULL ? m->leader : "?", cause);
		free(cause);
		return;
	}
	if (res->get_agents == NULL) {
		log_warn("master %s: GET_AGENTS answer without get_agents",
		    m->leader != NULL ? m->leader : "?");
		codec_free(res);
		return;
	}
	msg = msg_create(MSG_AGENTS);
	msg->u.agents = res->get_agents;
	res->get_agents = NULL;
	codec_free(res);
	msg_queue_push(m->q, msg);
}

void
master_get_agents(struct master *m)
{
	Mesos__V1__Master__Call call = MESOS__V1__MASTER__CALL__INIT;
	struct buf body;
	char *cause = NULL, *url, *data;
	size_t len;

	if (m->agents_req != NULL || m->leader_url == NULL ||
	    m->state == MASTER_FENCED || m->state == MASTER_IDLE)
		return;
	call.has_type = 1;
	call.type = MESOS__V1__MASTER__CALL__TYPE__GET_AGENTS;
	buf_init(&body, 0);
	if (codec_encode(m->codec, &call.base, &body, &cause) != 0) {
		log_error("master: cannot encode GET_AGENTS: %s", cause);
		free(cause);
		buf_clear(&body);
		return;
	}
	data = buf_steal(&body, &len);
	url = master_url_operator(m->leader_url);
	m->agents_req = http_req_create(m->http, HTTP_LANE_DIRECT, url, m);
	free(url);
	http_req_header(m->agents_req, "Content-Type: %s",
	    codec_content_type(m->codec));
	http_req_header(m->agents_req, "Accept: %s",
	    codec_content_type(m->codec));
	http_req_body(m->agents_req, data, len);
	http_req_timeout(m->agents_req, master_cfg_call_timeout(m));
	http_req_max_body(m->agents_req, CODEC_MAX_BODY);
	http_req_on_done(m->agents_req, master_agents_done_cb);
	http_submit(m->agents_req);
}

void
master_resubscribe(struct master *m, const char *reason)
{
	if (m->state != MASTER_SUBSCRIBED) {
		log_debug("master: resubscribe (%s) ignored while %s",
		    reason != NULL ? reason : "asked",
		    master_state_name(m->state));
		return;
	}
	master_lost(m, reason != NULL ? reason : "resubscribe asked");
}

void
master_fence(struct master *m, const char *reason)
{
	if (m->state == MASTER_FENCED)
		return;
	log_warn("master %s: fenced (%s): no more calls",
	    m->leader != NULL ? m->leader : "-",
	    reason != NULL ? reason : "asked");
	master_close_stream(m, reason != NULL ? reason : "fenced", 1);
	ev_timer_stop(m->loop, &m->backoff);
	ev_timer_stop(m->loop, &m->retry);
	http_req_cancel(m->agents_req);
	m->agents_req = NULL;
	master_calls_finish_all(m, 0, "fenced: another scheduler instance "
	    "took over");
	master_set_state(m, MASTER_FENCED, reason != NULL ? reason : "fence");
}

void
master_stop(struct master *m)
{
	m->stopping = 1;
	ev_timer_stop(m->loop, &m->backoff);
	if (m->state == MASTER_SUBSCRIBED) {
		master_pump(m);
		return;
	}
	if (m->state == MASTER_FENCED || m->state == MASTER_IDLE)
		return;
	master_close_stream(m, "shutting down", 1);
	master_calls_finish_all(m, 0, "shutting down");
	master_set_state(m, MASTER_IDLE, "stopped");
}

int
master_idle(const struct master *m)
{
	return m->ncalls == 0 && m->agents_req == NULL;
}

void
master_status(const struct master *m, struct master_status *st)
{
	const struct master_call *c;

	memset(st, 0, sizeof *st);
	st->state = m->state;
	st->leader = m->state == MASTER_SUBSCRIBED ||
	    m->state == MASTER_SUBSCRIBING ? m->leader : NULL;
	st->stream_id = m->stream_id;
	st->since = m->since;
	st->heartbeat_s = m->heartbeat_s;
	st->last_event = m->last_event;
	st->reconnects = m->reconnects;
	st->calls_queued = m->ncalls;
	st->stream_paused = m->stream_paused;
	TAILQ_FOREACH(c, &m->pool_busy, link)
		st->calls_in_flight++;
	c = TAILQ_FIRST(&m->ordered);
	if (c != NULL && c->req != NULL)
		st->calls_in_flight++;
}

void
master_update_metrics(const struct master *m)
{
	double age = 0;

	if (m->state == MASTER_SUBSCRIBED || m->state == MASTER_SUBSCRIBING)
		age = ev_now(m->loop) - m->last_byte;
	metrics_set("ark_heartbeat_age_seconds", "", age);
}

int
master_reconfigure(struct master *m, const struct config *cfg, char **cause)
{
	char **urls;
	size_t n;

	/* zk://: the leader stays what ZooKeeper said */
	if (!m->zk || !master_is_zk(cfg)) {
		if (master_parse_urls(cfg, &urls, &n, cause) != 0)
			return -1;
		master_free_urls(m->urls, m->nurls);
		m->urls = urls;
		m->nurls = n;
		m->cand = 0;
		if (m->round_left > n)
			m->round_left = n;
	}
	m->cfg = cfg;
	/* the watchdog's deadline follows the new heartbeat_misses */
	if (ev_is_active(&m->watchdog))
		master_watchdog_arm(m);
	return 0;
}

void
master_set_tap(struct master *m,
    void (*fn)(void *, enum codec_type, const char *, size_t), void *arg)
{
	m->tap = fn;
	m->tap_arg = arg;
}

void
master_set_leader(struct master *m, const char *url)
{
	char *u = NULL, *cause = NULL, *a, *b;
	int same;

	if (url != NULL) {
		u = master_url_normalize(url, &cause);
		if (u == NULL) {
			log_warn("master: leader %s refused: %s", url, cause);
			free(cause);
			return;
		}
	}
	if (u == NULL ? m->nurls == 0 :
	    m->nurls == 1 && strcmp(u, m->urls[0]) == 0) {
		free(u);
		return;
	}
	master_free_urls(m->urls, m->nurls);
	m->urls = NULL;
	m->nurls = 0;
	if (u != NULL) {
		m->urls = xcalloc(1, sizeof *m->urls);
		m->urls[0] = u;
		m->nurls = 1;
	}
	m->cand = 0;
	m->round_left = m->nurls;
	m->redirects = 0;
	free(m->pref_url);
	m->pref_url = NULL;
	if (m->leader_url != NULL && (u == NULL ||
	    strcmp(m->leader_url, u) != 0)) {
		free(m->leader_url);
		m->leader_url = NULL;
	}
	log_info("master: the leading master is now %s", u != NULL ? u :
	    "unknown");
	if (u == NULL)
		return;		/* a live subscription ends by itself */
	switch (m->state) {
	case MASTER_BACKOFF:
		ev_timer_stop(m->loop, &m->backoff);
		master_attempt(m);
		break;
	case MASTER_DETECTING:
	case MASTER_SUBSCRIBING:
	case MASTER_SUBSCRIBED:
		if (m->target == NULL) {	/* waiting for a leader */
			master_attempt(m);
			break;
		}
		a = master_url_hostport(m->target);
		b = master_url_hostport(u);
		same = strcmp(a, b) == 0;
		free(a);
		free(b);
		if (!same)
			master_lost(m, "the leading master changed");
		break;
	default:
		break;		/* idle or fenced: master_start picks it up */
	}
}
