/*
 * zk — the ZooKeeper client glue (see zk.h).
 *
 * Threads: libzookeeper_mt runs an I/O thread and a completion thread per
 * handle. Its watcher and completion callbacks (zk_watcher_cb, zk_*_done)
 * copy what they were given into a struct zk_item, append it to the inbox
 * under the mutex and ev_async_send() the loop; nothing else. On the loop
 * thread zk_wake_cb takes the whole inbox and delivers each item to the
 * owner, dropping items of an older session (each handle has a generation
 * number, carried by its watcher context and by every request).
 *
 * Session expiry: the loop side closes the expired handle (zookeeper_close
 * does not wait for the servers then) and opens a new one. If a handle
 * cannot even be created (zookeeper_init failed), a timer tries again every
 * second. Requests made without a handle end at once with ZINVALIDSTATE.
 *
 * Not here: what the nodes mean (master-zk.c for Mesos masters, leader.c
 * for the election between arkd instances).
 */
#include <sys/socket.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ev.h>
#include <zookeeper/zookeeper.h>

#include "buf.h"
#include "log.h"
#include "xmalloc.h"
#include "zk.h"

_Static_assert(ZK_OK == ZOK && ZK_NONODE == ZNONODE &&
    ZK_NODEEXISTS == ZNODEEXISTS && ZK_NOTEMPTY == ZNOTEMPTY,
    "zk.h's result codes are ZooKeeper's");

/* Seconds between attempts to create a handle when zookeeper_init fails. */
#define ZK_REOPEN_S	1.0

/* One thing learned on a ZooKeeper thread, waiting for the loop. */
struct zk_item {
	struct zk_item	*next;
	enum zk_event_type type;
	unsigned	 session;	/* generation of the handle */
	int		 zstate;	/* SESSION: ZooKeeper's state */
	int		 ztype;		/* WATCH: ZooKeeper's event type */
	enum zk_op	 op;		/* RESULT */
	uint64_t	 tag;
	int		 rc;
	char		*path;		/* owned */
	char		*data;		/* GET (owned, NUL-terminated) */
	size_t		 len;
	int		 version;
	char		**children;	/* CHILDREN (owned) */
	size_t		 nchildren;
	char		*created;	/* CREATE (owned) */
};

/* The watcher context of one handle. */
struct zk_handle {
	struct zk	*zk;
	unsigned	 session;
};

/* The completion context of one request (freed by its completion). */
struct zk_req {
	struct zk	*zk;
	unsigned	 session;
	enum zk_op	 op;
	uint64_t	 tag;
	char		*path;		/* owned */
};

struct zk {
	struct ev_loop	*loop;
	char		*hosts;
	int		 timeout_ms;	/* asked for */
	zhandle_t	*zh;		/* NULL while none could be made */
	struct zk_handle *handle;	/* zh's watcher context */
	unsigned	 session;	/* generation of zh */
	enum zk_session_state state;
	double		 negotiated_s;	/* session timeout granted */
	void		(*cb)(void *, const struct zk_event *);
	void		*arg;

	pthread_mutex_t	 mu;		/* guards head and tail */
	struct zk_item	*head, *tail;	/* the inbox */
	ev_async	 wake;
	ev_timer	 reopen;
	unsigned	 open_failures;	/* zookeeper_init failures in a row */
};

static const char *zk_state_names[ZK_SESSION_MAX] = {
	"connecting", "connected", "expired"
};

static const char *zk_op_names[ZK_OP_MAX] = {
	"create", "delete", "exists", "get", "set", "children"
};

const char *
zk_session_state_name(enum zk_session_state s)
{
	return s < ZK_SESSION_MAX ? zk_state_names[s] : "?";
}

const char *
zk_op_name(enum zk_op op)
{
	return op < ZK_OP_MAX ? zk_op_names[op] : "?";
}

const char *
zk_error(int rc)
{
	return zerror(rc);
}

int
zk_rc_lost(int rc)
{
	return rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT ||
	    rc == ZSESSIONEXPIRED || rc == ZCLOSING || rc == ZINVALIDSTATE ||
	    rc == ZSESSIONMOVED;
}

/* ---- pure helpers ---- */

/* Checks one "host:port" or "[v6]:port" of a zk:// URL; NULL if fine. */
static const char *
zk_url_host_check(const char *h, size_t n)
{
	const char *colon, *end = h + n, *p;
	long port = 0;

	if (n == 0)
		return "an empty host between commas";
	if (h[0] == '[') {
		p = memchr(h, ']', n);
		if (p == NULL || p + 1 >= end || p[1] != ':')
			return "an IPv6 host is written [addr]:port";
		for (const char *q = h + 1; q < p; q++)
			if (!isxdigit((unsigned char)*q) && *q != ':' &&
			    *q != '.')
				return "a bad IPv6 address";
		colon = p + 1;
	} else {
		colon = NULL;
		for (p = h; p < end; p++)
			if (*p == ':')
				colon = p;
		if (colon == NULL)
			return "a host without a port (host:port)";
		if (colon == h)
			return "a port without a host";
		for (p = h; p < colon; p++)
			if (!isalnum((unsigned char)*p) && *p != '.' &&
			    *p != '-' && *p != '_')
				return "a bad host name";
	}
	if (colon + 1 == end)
		return "a host without a port (host:port)";
	for (p = colon + 1; p < end; p++) {
		if (!isdigit((unsigned char)*p))
			return "a port that is not a number";
		port = port * 10 + (*p - '0');
		if (port > 65535)
			return "a port above 65535";
	}
	if (port == 0)
		return "port 0";
	return NULL;
}

int
zk_url_parse(const char *url, struct zk_url *out, char **cause)
{
	const char *p, *slash, *c, *why = NULL;
	char *hosts = NULL, *path = NULL;
	size_t n;

	memset(out, 0, sizeof *out);
	if (strncasecmp(url, "zk://", 5) != 0) {
		*cause = xasprintf("ZooKeeper URL '%s' does not start with "
		    "zk://", url);
		return -1;
	}
	p = url + 5;
	slash = strchr(p, '/');
	if (slash == NULL) {
		*cause = xasprintf("ZooKeeper URL '%s' has no path (as in "
		    "zk://host:2181/mesos)", url);
		return -1;
	}
	hosts = xstrndup(p, (size_t)(slash - p));
	if (*hosts == '\0')
		why = "no host";
	else if (strchr(hosts, '@') != NULL)
		why = "credentials (user:secret@) are not supported";
	for (c = hosts; why == NULL; ) {
		const char *e = strchr(c, ',');

		n = e != NULL ? (size_t)(e - c) : strlen(c);
		why = zk_url_host_check(c, n);
		if (e == NULL)
			break;
		c = e + 1;
	}
	if (why != NULL) {
		*cause = xasprintf("ZooKeeper URL '%s': %s", url, why);
		goto fail;
	}
	n = strlen(slash);
	while (n > 1 && slash[n - 1] == '/')
		n--;
	path = xstrndup(slash, n);
	if (strcmp(path, "/") == 0)
		why = "the path must name a node below the root, as in /mesos";
	for (c = path; why == NULL && *c != '\0'; ) {
		const char *e = strchr(c + 1, '/');
		size_t len = e != NULL ? (size_t)(e - c - 1) : strlen(c + 1);

		if (len == 0)
			why = "the path has an empty component (//)";
		else if ((len == 1 && c[1] == '.') ||
		    (len == 2 && c[1] == '.' && c[2] == '.'))
			why = "the path has a . or .. component";
		for (size_t i = 1; why == NULL && i <= len; i++) {
			unsigned char ch = (unsigned char)c[i];

			if (ch < 0x20 || ch == 0x7f)
				why = "the path has a control character";
			else if (ch == '?' || ch == '#')
				why = "a query or fragment is not allowed";
		}
		if (e == NULL)
			break;
		c = e;
	}
	if (why != NULL) {
		*cause = xasprintf("ZooKeeper URL '%s': %s", url, why);
		goto fail;
	}
	out->hosts = hosts;
	out->path = path;
	return 0;
fail:
	free(hosts);
	free(path);
	return -1;
}

void
zk_url_clear(struct zk_url *u)
{
	free(u->hosts);
	free(u->path);
	u->hosts = u->path = NULL;
}

int64_t
zk_seq(const char *name, const char *prefix)
{
	size_t pl = strlen(prefix), n = strlen(name), d = 0;
	int64_t v = 0;

	if (n < pl || strncmp(name, prefix, pl) != 0)
		return -1;
	while (d < n - pl && isdigit((unsigned char)name[n - 1 - d]))
		d++;
	if (d < 10 || d > 18)
		return -1;
	for (size_t i = n - d; i < n; i++)
		v = v * 10 + (name[i] - '0');
	return v;
}

long
zk_lowest(char *const *names, size_t n, const char *prefix)
{
	long best = -1;
	int64_t bs = 0, s;

	for (size_t i = 0; i < n; i++) {
		s = zk_seq(names[i], prefix);
		if (s < 0)
			continue;
		if (best < 0 || s < bs || (s == bs &&
		    strcmp(names[i], names[best]) < 0)) {
			best = (long)i;
			bs = s;
		}
	}
	return best;
}

long
zk_before(char *const *names, size_t n, const char *prefix, int64_t seq)
{
	long best = -1;
	int64_t bs = 0, s;

	for (size_t i = 0; i < n; i++) {
		s = zk_seq(names[i], prefix);
		if (s < 0 || s >= seq)
			continue;
		if (best < 0 || s > bs) {
			best = (long)i;
			bs = s;
		}
	}
	return best;
}

/* ---- the inbox (any thread) ---- */

static void
zk_item_free(struct zk_item *it)
{
	free(it->path);
	free(it->data);
	for (size_t i = 0; i < it->nchildren; i++)
		free(it->children[i]);
	free(it->children);
	free(it->created);
	free(it);
}

/* Appends an item and wakes the loop (takes it). */
static void
zk_post(struct zk *z, struct zk_item *it)
{
	pthread_mutex_lock(&z->mu);
	if (z->tail != NULL)
		z->tail->next = it;
	else
		z->head = it;
	z->tail = it;
	pthread_mutex_unlock(&z->mu);
	ev_async_send(z->loop, &z->wake);
}

/* A result item for request r (which it consumes). */
static struct zk_item *
zk_result(struct zk_req *r, int rc)
{
	struct zk_item *it = xcalloc(1, sizeof *it);

	it->type = ZK_EVENT_RESULT;
	it->session = r->session;
	it->op = r->op;
	it->tag = r->tag;
	it->rc = rc;
	it->path = r->path;
	it->version = -1;
	free(r);
	return it;
}

/* ---- ZooKeeper's threads ---- */

static void
zk_watcher_cb(zhandle_t *zh, int type, int state, const char *path,
    void *ctx)
{
	struct zk_handle *h = ctx;
	struct zk_item *it;

	if (h == NULL)
		return;
	it = xcalloc(1, sizeof *it);
	it->session = h->session;
	if (type == ZOO_SESSION_EVENT) {
		it->type = ZK_EVENT_SESSION;
		it->zstate = state;
	} else {
		it->type = ZK_EVENT_WATCH;
		it->ztype = type;
		it->path = xstrdup(path != NULL ? path : "");
	}
	zk_post(h->zk, it);
}

static void
zk_void_done(int rc, const void *data)
{
	struct zk_req *r = (struct zk_req *)(uintptr_t)data;
	struct zk *z = r->zk;

	zk_post(z, zk_result(r, rc));
}

static void
zk_stat_done(int rc, const struct Stat *st, const void *data)
{
	struct zk_req *r = (struct zk_req *)(uintptr_t)data;
	struct zk *z = r->zk;
	struct zk_item *it = zk_result(r, rc);

	if (rc == ZOK && st != NULL)
		it->version = st->version;
	zk_post(z, it);
}

static void
zk_data_done(int rc, const char *value, int len, const struct Stat *st,
    const void *data)
{
	struct zk_req *r = (struct zk_req *)(uintptr_t)data;
	struct zk *z = r->zk;
	struct zk_item *it = zk_result(r, rc);

	if (rc == ZOK) {
		if (value != NULL && len > 0) {
			it->data = xmalloc((size_t)len + 1);
			memcpy(it->data, value, (size_t)len);
			it->data[len] = '\0';
			it->len = (size_t)len;
		} else
			it->data = xstrdup("");
		if (st != NULL)
			it->version = st->version;
	}
	zk_post(z, it);
}

static void
zk_strings_done(int rc, const struct String_vector *sv, const void *data)
{
	struct zk_req *r = (struct zk_req *)(uintptr_t)data;
	struct zk *z = r->zk;
	struct zk_item *it = zk_result(r, rc);

	if (rc == ZOK && sv != NULL && sv->count > 0) {
		it->children = xcalloc((size_t)sv->count, sizeof *it->children);
		for (int32_t i = 0; i < sv->count; i++)
			it->children[i] = xstrdup(sv->data[i] != NULL ?
			    sv->data[i] : "");
		it->nchildren = (size_t)sv->count;
	}
	zk_post(z, it);
}

static void
zk_string_done(int rc, const char *value, const void *data)
{
	struct zk_req *r = (struct zk_req *)(uintptr_t)data;
	struct zk *z = r->zk;
	struct zk_item *it = zk_result(r, rc);

	if (rc == ZOK && value != NULL)
		it->created = xstrdup(value);
	zk_post(z, it);
}

/* The client library's log lines, at debug (it retries noisily). */
static void
zk_log_cb(const char *message)
{
	size_t n = strlen(message);

	while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == '\r'))
		n--;
	log_debug("zookeeper: %.*s", (int)n, message);
}

/* ---- the loop thread ---- */

char *
zk_open_error(const char *hosts, int err)
{
	struct buf b;
	const char *p = hosts, *e, *colon;

	buf_init(&b, 4096);
	while (p != NULL && *p != '\0') {
		struct addrinfo hints, *res = NULL;
		char host[256];
		size_t n;
		int rc;

		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		/* "host:port" or "[v6]:port": the port goes */
		colon = memrchr(p, ':', n);
		if (p[0] == '[') {
			const char *rb = memchr(p, ']', n);

			p++;
			n = rb != NULL ? (size_t)(rb - p) : n - 1;
		} else if (colon != NULL)
			n = (size_t)(colon - p);
		snprintf(host, sizeof host, "%.*s", (int)n, p);
		p = e != NULL ? e + 1 : NULL;
		if (host[0] == '\0')
			continue;
		memset(&hints, 0, sizeof hints);
		hints.ai_socktype = SOCK_STREAM;
		rc = getaddrinfo(host, NULL, &hints, &res);
		if (res != NULL)
			freeaddrinfo(res);
		if (rc == 0)
			continue;
		buf_printf(&b, "%scannot resolve host '%s': %s", b.len > 0 ?
		    "; " : "", host, rc == EAI_SYSTEM ? strerror(errno) :
		    gai_strerror(rc));
	}
	if (b.len == 0)
		buf_printf(&b, "%s", strerror(err));
	return buf_steal(&b, NULL);
}

static void zk_reopen_cb(struct ev_loop *, ev_timer *, int);

/* Opens a new handle (a new session); arms a retry if that fails. */
static void
zk_open(struct zk *z)
{
	struct zk_handle *h = xcalloc(1, sizeof *h);

	z->session++;
	h->zk = z;
	h->session = z->session;
	z->state = ZK_CONNECTING;
	z->negotiated_s = 0;
	z->zh = zookeeper_init2(z->hosts, zk_watcher_cb, z->timeout_ms, NULL,
	    h, 0, zk_log_cb);
	if (z->zh == NULL) {
		int err = errno;
		char *why;

		/* logged once, then quietly retried */
		if (z->open_failures++ == 0) {
			why = zk_open_error(z->hosts, err);
			log_warn("zookeeper %s: cannot start a session (%s); "
			    "trying again every %.0fs", z->hosts, why,
			    ZK_REOPEN_S);
			free(why);
		} else if (LOG_LEVEL_DEBUG <= log_level_current) {
			why = zk_open_error(z->hosts, err);
			log_debug("zookeeper %s: cannot start a session (%s)",
			    z->hosts, why);
			free(why);
		}
		free(h);
		ev_timer_stop(z->loop, &z->reopen);
		ev_timer_set(&z->reopen, ZK_REOPEN_S, 0.);
		ev_timer_start(z->loop, &z->reopen);
		return;
	}
	z->handle = h;
	z->open_failures = 0;
}

/* Closes the handle; afterwards none of its callbacks runs any more. */
static void
zk_close(struct zk *z)
{
	if (z->zh != NULL)
		zookeeper_close(z->zh);
	z->zh = NULL;
	free(z->handle);
	z->handle = NULL;
}

static void
zk_reopen_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	zk_open(w->data);
}

/* Tells the owner. */
static void
zk_emit(struct zk *z, const struct zk_event *ev)
{
	z->cb(z->arg, ev);
}

/* Handles a session state change. */
static void
zk_on_session(struct zk *z, int zstate)
{
	struct zk_event ev;
	enum zk_session_state st;

	if (zstate == ZOO_CONNECTED_STATE)
		st = ZK_CONNECTED;
	else if (zstate == ZOO_EXPIRED_SESSION_STATE ||
	    zstate == ZOO_AUTH_FAILED_STATE)
		st = ZK_EXPIRED;
	else
		st = ZK_CONNECTING;
	if (st == z->state)
		return;
	memset(&ev, 0, sizeof ev);
	ev.type = ZK_EVENT_SESSION;
	ev.state = st;
	if (st == ZK_CONNECTED && z->zh != NULL) {
		const clientid_t *c = zoo_client_id(z->zh);

		z->negotiated_s = zoo_recv_timeout(z->zh) / 1000.0;
		log_info("zookeeper %s: session 0x%llx established (timeout "
		    "%.1fs)", z->hosts, c != NULL ?
		    (unsigned long long)c->client_id : 0ULL, z->negotiated_s);
	} else if (st == ZK_EXPIRED)
		log_warn("zookeeper %s: session %s; starting a new one",
		    z->hosts, zstate == ZOO_AUTH_FAILED_STATE ?
		    "refused (authentication failed)" : "expired");
	else
		log_warn("zookeeper %s: connection lost; reconnecting",
		    z->hosts);
	z->state = st;
	zk_emit(z, &ev);
	if (st == ZK_EXPIRED) {
		zk_close(z);
		zk_open(z);
	}
}

/* Delivers one item from the inbox to the owner. */
static void
zk_deliver(struct zk *z, struct zk_item *it)
{
	struct zk_event ev;

	if (it->session != z->session)
		return;		/* from a closed handle */
	if (it->type == ZK_EVENT_SESSION) {
		zk_on_session(z, it->zstate);
		return;
	}
	memset(&ev, 0, sizeof ev);
	ev.type = it->type;
	ev.state = z->state;
	ev.path = it->path;
	if (it->type == ZK_EVENT_WATCH) {
		if (it->ztype == ZOO_CREATED_EVENT)
			ev.watch = ZK_WATCH_CREATED;
		else if (it->ztype == ZOO_DELETED_EVENT)
			ev.watch = ZK_WATCH_DELETED;
		else if (it->ztype == ZOO_CHANGED_EVENT)
			ev.watch = ZK_WATCH_CHANGED;
		else if (it->ztype == ZOO_CHILD_EVENT)
			ev.watch = ZK_WATCH_CHILD;
		else
			ev.watch = ZK_WATCH_OTHER;
	} else {
		ev.op = it->op;
		ev.tag = it->tag;
		ev.rc = it->rc;
		ev.data = it->data;
		ev.len = it->len;
		ev.version = it->version;
		ev.children = it->children;
		ev.nchildren = it->nchildren;
		ev.created = it->created;
	}
	zk_emit(z, &ev);
}

static void
zk_wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct zk *z = w->data;
	struct zk_item *list, *it;

	pthread_mutex_lock(&z->mu);
	list = z->head;
	z->head = z->tail = NULL;
	pthread_mutex_unlock(&z->mu);
	while ((it = list) != NULL) {
		list = it->next;
		zk_deliver(z, it);
		zk_item_free(it);
	}
}

struct zk *
zk_create(struct ev_loop *loop, const char *hosts, double session_timeout_s,
    void (*cb)(void *, const struct zk_event *), void *arg, char **cause)
{
	struct zk *z;

	if (hosts == NULL || *hosts == '\0') {
		*cause = xstrdup("ZooKeeper: no hosts to connect to");
		return NULL;
	}
	z = xcalloc(1, sizeof *z);
	z->loop = loop;
	z->hosts = xstrdup(hosts);
	z->timeout_ms = (int)(session_timeout_s * 1000);
	if (z->timeout_ms < 1000)
		z->timeout_ms = 1000;
	z->cb = cb;
	z->arg = arg;
	pthread_mutex_init(&z->mu, NULL);
	ev_async_init(&z->wake, zk_wake_cb);
	z->wake.data = z;
	ev_async_start(loop, &z->wake);
	ev_timer_init(&z->reopen, zk_reopen_cb, ZK_REOPEN_S, 0.);
	z->reopen.data = z;
	/* The library's own lines go through zk_log_cb once a handle
	 * exists; below WARN it is chatty. */
	zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);
	zk_open(z);
	return z;
}

void
zk_free(struct zk *z)
{
	struct zk_item *it;

	if (z == NULL)
		return;
	zk_close(z);
	ev_timer_stop(z->loop, &z->reopen);
	ev_async_stop(z->loop, &z->wake);
	while ((it = z->head) != NULL) {
		z->head = it->next;
		zk_item_free(it);
	}
	pthread_mutex_destroy(&z->mu);
	free(z->hosts);
	free(z);
}

int
zk_session_credentials(const struct zk *z, int64_t *id, char passwd[16])
{
	const clientid_t *c;

	if (z->zh == NULL || z->state != ZK_CONNECTED)
		return -1;
	c = zoo_client_id(z->zh);
	if (c == NULL || c->client_id == 0)
		return -1;
	*id = c->client_id;
	memcpy(passwd, c->passwd, 16);
	return 0;
}

enum zk_session_state
zk_state(const struct zk *z)
{
	return z->state;
}

double
zk_session_timeout(const struct zk *z)
{
	return z->negotiated_s;
}

/* A request context for op on path. */
static struct zk_req *
zk_req_new(struct zk *z, enum zk_op op, const char *path, uint64_t tag)
{
	struct zk_req *r = xcalloc(1, sizeof *r);

	r->zk = z;
	r->session = z->session;
	r->op = op;
	r->tag = tag;
	r->path = xstrdup(path);
	return r;
}

/* Ends a request that could not be sent: its result comes through the
 * inbox all the same, so owners have one path for every outcome. */
static void
zk_sent(struct zk *z, struct zk_req *r, int rc)
{
	if (rc == ZOK)
		return;
	log_debug("zookeeper: %s %s not sent: %s", zk_op_name(r->op),
	    r->path, zerror(rc));
	zk_post(z, zk_result(r, rc));
}

void
zk_get_children(struct zk *z, const char *path, int watch, uint64_t tag)
{
	struct zk_req *r = zk_req_new(z, ZK_OP_CHILDREN, path, tag);

	zk_sent(z, r, z->zh == NULL ? ZINVALIDSTATE :
	    zoo_aget_children(z->zh, path, watch, zk_strings_done, r));
}

void
zk_get(struct zk *z, const char *path, int watch, uint64_t tag)
{
	struct zk_req *r = zk_req_new(z, ZK_OP_GET, path, tag);

	zk_sent(z, r, z->zh == NULL ? ZINVALIDSTATE :
	    zoo_aget(z->zh, path, watch, zk_data_done, r));
}

void
zk_exists(struct zk *z, const char *path, int watch, uint64_t tag)
{
	struct zk_req *r = zk_req_new(z, ZK_OP_EXISTS, path, tag);

	zk_sent(z, r, z->zh == NULL ? ZINVALIDSTATE :
	    zoo_aexists(z->zh, path, watch, zk_stat_done, r));
}

void
zk_create_node(struct zk *z, const char *path, const char *data, size_t len,
    int ephemeral, int sequence, uint64_t tag)
{
	struct zk_req *r = zk_req_new(z, ZK_OP_CREATE, path, tag);
	int flags = (ephemeral ? ZOO_EPHEMERAL : 0) |
	    (sequence ? ZOO_SEQUENCE : 0);

	zk_sent(z, r, z->zh == NULL ? ZINVALIDSTATE :
	    zoo_acreate(z->zh, path, data, data != NULL ? (int)len : -1,
	    &ZOO_OPEN_ACL_UNSAFE, flags, zk_string_done, r));
}

void
zk_set(struct zk *z, const char *path, const char *data, size_t len,
    int version, uint64_t tag)
{
	struct zk_req *r = zk_req_new(z, ZK_OP_SET, path, tag);

	zk_sent(z, r, z->zh == NULL ? ZINVALIDSTATE :
	    zoo_aset(z->zh, path, data, (int)len, version, zk_stat_done, r));
}

void
zk_delete(struct zk *z, const char *path, int version, uint64_t tag)
{
	struct zk_req *r = zk_req_new(z, ZK_OP_DELETE, path, tag);

	zk_sent(z, r, z->zh == NULL ? ZINVALIDSTATE :
	    zoo_adelete(z->zh, path, version, zk_void_done, r));
}
