/*
 * admin — the operator HTTP API on libmicrohttpd, in external-poll mode on
 * the libev loop: an ev_io watches MHD's epoll descriptor and an ev_timer
 * follows MHD_get_timeout(), each calling MHD_run(). No threads.
 *
 * Every request is checked here in this order: per-client rate limit (429),
 * route (404) and method (405), bearer token (401; 403 for the read-only
 * token on a change), declared body size (413), path argument and query filters (400); once the
 * body is in: its size again (413) and its JSON (400). GET /healthz is
 * answered here. Everything else becomes a typed struct admin_req pushed on
 * the dispatcher's queue as MSG_ADMIN, and the connection is suspended until
 * admin_reply() resumes it with the core's answer. A client that goes away
 * while waiting is noticed (its socket reads EOF) and dropped; a request the
 * dispatcher never answers gets 503 after the reply timeout. This file never
 * looks at scheduler state.
 *
 * Once admin.token_file is set, every request but the probes (/healthz,
 * /readyz: they tell no more than "up" and "ready") needs a token, reads
 * included: job specs and task lists are not for anyone on the network.
 * HTTPS is libmicrohttpd's GnuTLS, with the certificate and key read once at
 * start.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ev.h>
#include <jansson.h>
#include <microhttpd.h>

#include "mesos/v1/mesos.pb-c.h"

#include "admin.h"
#include "buf.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "secret.h"
#include "xmalloc.h"

#define ADMIN_BODY_MAX		(64 * 1024)	/* bytes of request body */
#define ADMIN_ARG_MAX		1024		/* bytes of a path argument */
#define ADMIN_REASON_MAX	1024		/* bytes of a blacklist reason */
#define ADMIN_INSTANCES_MAX	100000		/* PATCH instances bound */
#define ADMIN_CLIENTS_MAX	1024		/* rate-limit entries kept */
#define ADMIN_CONN_MAX		256		/* concurrent connections */
#define ADMIN_CONN_PER_IP	64
#define ADMIN_IDLE_TIMEOUT	60		/* s before MHD drops idle ones */

/* Not an admin_op: answered by admin.c itself. */
#define ADMIN_OP_HEALTHZ	ADMIN_OP_MAX

/* TLS 1.2 and 1.3 only, GnuTLS's usual suites. */
#define ADMIN_TLS_PRIORITIES	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

/* What a token lets its holder do; a route needs one of these. */
enum admin_access {
	ADMIN_ACCESS_NONE,	/* no token, or none needed */
	ADMIN_ACCESS_READ,	/* GET and HEAD */
	ADMIN_ACCESS_WRITE,	/* everything */
	ADMIN_ACCESS_MAX
};

/*
 * One route: "*" in the path matches one non-empty segment, the argument.
 * keys lists the body fields the route accepts ("" = no body).
 */
struct admin_route {
	const char	*method;
	const char	*path;
	int		 op;		/* enum admin_op or ADMIN_OP_HEALTHZ */
	const char	*keys;
};

static const struct admin_route admin_routes[] = {
	{ "GET", "/healthz", ADMIN_OP_HEALTHZ, "" },
	{ "GET", "/readyz", ADMIN_READYZ, "" },
	{ "GET", "/metrics", ADMIN_METRICS, "" },
	{ "GET", "/v1/state", ADMIN_GET_STATE, "" },
	{ "GET", "/v1/jobs", ADMIN_GET_JOBS, "" },
	{ "GET", "/v1/jobs/*", ADMIN_GET_JOB, "" },
	{ "PATCH", "/v1/jobs/*", ADMIN_PATCH_JOB, "instances suspended" },
	{ "POST", "/v1/jobs/*/restart", ADMIN_RESTART_JOB, "" },
	{ "GET", "/v1/tasks", ADMIN_GET_TASKS, "" },
	{ "POST", "/v1/tasks/*/kill", ADMIN_KILL_TASK, "" },
	{ "GET", "/v1/agents", ADMIN_GET_AGENTS, "" },
	{ "GET", "/v1/blacklist", ADMIN_GET_BLACKLIST, "" },
	{ "PUT", "/v1/blacklist/*", ADMIN_PUT_BLACKLIST, "reason" },
	{ "DELETE", "/v1/blacklist/*", ADMIN_DEL_BLACKLIST, "" },
	{ "POST", "/v1/reconcile", ADMIN_RECONCILE, "" },
	{ "POST", "/v1/reload", ADMIN_RELOAD, "" },
	{ "POST", "/v1/teardown", ADMIN_TEARDOWN, "confirm" },
};
#define ADMIN_NROUTES (sizeof admin_routes / sizeof admin_routes[0])

/* Where a request is in its life. */
enum admin_conn_state {
	ADMIN_CONN_READING,	/* headers accepted, body arriving */
	ADMIN_CONN_ANSWERED,	/* a response is queued; swallow the rest */
	ADMIN_CONN_WAITING,	/* suspended, handed to the dispatcher */
	ADMIN_CONN_REPLIED,	/* resumed with the reply to send */
	ADMIN_CONN_GONE,	/* resumed because the client went away */
	ADMIN_CONN_STATE_MAX
};

/* One request: MHD's per-request context (con_cls). */
struct admin_conn {
	struct admin		*admin;
	struct MHD_Connection	*conn;
	enum admin_conn_state	 state;
	const struct admin_route *route;
	struct admin_req	*req;	/* being built; handed over on push */
	struct buf		 body;	/* bounded by ADMIN_BODY_MAX */
	int			 too_big;
	uint64_t		 id;	/* set when handed to the dispatcher */
	int			 status;	/* the reply, once REPLIED */
	char			*ctype;
	char			*rbody;
	size_t			 rlen;
	ev_timer		 timeout;	/* reply timeout while WAITING */
	ev_io			 watch;		/* client EOF while WAITING */
	struct admin_conn	*prev, *next;	/* the pending list */
};

/* Token bucket of one client address. */
struct admin_client {
	int		 family;
	unsigned char	 addr[16];
	double		 tokens;
	ev_tstamp	 last;
};

struct admin {
	struct ev_loop		*loop;
	struct MHD_Daemon	*daemon;
	struct msg_queue	*queue;
	ev_io			 io;		/* MHD's epoll descriptor */
	ev_timer		 timer;		/* MHD's next timeout */
	char			*token;		/* NULL = no token required */
	size_t			 token_len;
	char			*read_token;	/* may only read; or NULL */
	size_t			 read_token_len;
	int			 open_metrics;	/* /metrics without a token */
	char			*tls_cert;	/* PEM, NULL = plain HTTP; */
	char			*tls_key;	/* MHD keeps pointers to both */
	int			 port;
	uint64_t		 next_id;
	struct admin_conn	*pending;	/* WAITING, newest first */
	size_t			 npending;
	double			 rate;		/* tokens per second */
	double			 burst;		/* bucket size */
	double			 reply_timeout;	/* s */
	struct admin_client	*clients;
	size_t			 nclients;
};

static void	admin_run(struct admin *);

/* Returns a new request with "unchanged" defaults (caller frees). */
static struct admin_req *
admin_req_create(enum admin_op op)
{
	struct admin_req *r = xcalloc(1, sizeof *r);

	r->op = op;
	r->instances = -1;
	r->suspended = -1;
	return r;
}

/*
 * Returns {"error": msg} as a heap string the caller frees. Bytes outside
 * printable ASCII (a client's path may hold anything) become '?'.
 */
static char *
admin_error_json(const char *msg)
{
	char *clean = xstrdup(msg), *s;
	json_t *j;

	for (char *p = clean; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || (unsigned char)*p > '~')
			*p = '?';
	j = json_pack("{s:s}", "error", clean);
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	free(clean);
	if (s == NULL)
		s = xstrdup("{\"error\":\"unprintable error\"}");
	return s;
}

/*
 * Queues a response on c: body is copied; one extra header (hname, hval)
 * when hname is not NULL. Counts it in ark_admin_responses_total.
 */
static enum MHD_Result
admin_respond(struct MHD_Connection *c, int status, const char *ctype,
    const char *body, size_t len, const char *hname, const char *hval)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char labels[32];

	r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    ctype != NULL ? ctype : "application/json");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (hname != NULL)
		MHD_add_response_header(r, hname, hval);
	ret = MHD_queue_response(c, (unsigned int)status, r);
	MHD_destroy_response(r);
	snprintf(labels, sizeof labels, "code=\"%d\"", status);
	metrics_add("ark_admin_responses_total", labels, 1);
	return ret;
}

/* Queues {"error": ...} with status and an optional header; marks it done. */
static enum MHD_Result admin_fail(struct admin_conn *, int, const char *,
    const char *, const char *, ...) __attribute__((format(printf, 5, 6)));

static enum MHD_Result
admin_fail(struct admin_conn *ac, int status, const char *hname,
    const char *hval, const char *fmt, ...)
{
	va_list ap;
	char *msg, *body;
	enum MHD_Result ret;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	for (char *p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || (unsigned char)*p > '~')
			*p = '?';
	log_debug("admin: %d %s", status, msg);
	body = admin_error_json(msg);
	ret = admin_respond(ac->conn, status, NULL, body, strlen(body), hname,
	    hval);
	free(body);
	free(msg);
	ac->state = ADMIN_CONN_ANSWERED;
	return ret;
}

/*
 * Matches path against a route pattern. On a match returns 1 and sets *arg
 * to the segment "*" matched (a new string the caller frees, or NULL).
 */
static int
admin_path_match(const char *pattern, const char *path, char **arg)
{
	const char *p = pattern, *s = path;
	char *found = NULL;

	while (*p != '\0' && *s != '\0') {
		if (*p == '*') {
			const char *end = strchr(s, '/');
			size_t n = end != NULL ? (size_t)(end - s) : strlen(s);

			if (n == 0 || found != NULL)
				goto out;
			found = xstrndup(s, n);
			p++;
			s += n;
			continue;
		}
		if (*p != *s)
			goto out;
		p++;
		s++;
	}
	if (*p != '\0' || *s != '\0')
		goto out;
	*arg = found;
	return 1;
out:
	free(found);
	return 0;
}

/* What a request on route with method needs once a token is configured. */
static enum admin_access
admin_route_need(const struct admin *a, const struct admin_route *route,
    const char *method)
{
	if (route->op == ADMIN_OP_HEALTHZ || route->op == ADMIN_READYZ)
		return ADMIN_ACCESS_NONE;
	if (route->op == ADMIN_METRICS && a->open_metrics)
		return ADMIN_ACCESS_NONE;
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return ADMIN_ACCESS_READ;
	return ADMIN_ACCESS_WRITE;
}

/*
 * Finds the route for method and url. Returns it with *arg set (caller
 * frees), or NULL with *status 404, or 405 and allow filled.
 */
static const struct admin_route *
admin_route_find(const char *method, const char *url, char **arg, int *status,
    struct buf *allow)
{
	char *path, *a;
	size_t n;
	const struct admin_route *found = NULL;
	int path_known = 0;

	/* HEAD is GET without a body (MHD drops the body). */
	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	path = xstrdup(url);
	n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	*arg = NULL;
	for (size_t i = 0; i < ADMIN_NROUTES; i++) {
		if (!admin_path_match(admin_routes[i].path, path, &a))
			continue;
		if (strcmp(admin_routes[i].method, method) == 0) {
			free(*arg);
			*arg = a;
			found = &admin_routes[i];
			break;
		}
		free(a);
		if (path_known)
			buf_addstr(allow, ", ");
		buf_addstr(allow, admin_routes[i].method);
		path_known = 1;
	}
	free(path);
	if (found == NULL)
		*status = path_known ? MHD_HTTP_METHOD_NOT_ALLOWED :
		    MHD_HTTP_NOT_FOUND;
	return found;
}

/* Whether s is a usable path argument or filter (printable ASCII, no space). */
static int
admin_word_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > ADMIN_ARG_MAX)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s > '~')
			return 0;
	return 1;
}

/*
 * Maps a task state filter to its Mesos name: "running", "TASK_RUNNING" and
 * "task_running" all give "TASK_RUNNING"; "launching" gives "LAUNCHING".
 * Returns a new string (caller frees) or NULL if it names no state.
 */
static char *
admin_task_state(const char *s)
{
	char *up, *name;
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return NULL;
	up = xstrdup(s);
	for (char *p = up; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	if (strcmp(up, "LAUNCHING") == 0)
		return up;
	if (strncmp(up, "TASK_", 5) == 0)
		name = up;
	else {
		name = xasprintf("TASK_%s", up);
		free(up);
	}
	if (protobuf_c_enum_descriptor_get_value_by_name(
	    &mesos__v1__task_state__descriptor, name) == NULL) {
		free(name);
		return NULL;
	}
	return name;
}

/* What the query iterator collects and the first problem it met. */
struct admin_query {
	struct admin_req	*req;
	int			 filters;	/* the route takes task filters */
	unsigned		 seen;		/* bit per filter already given */
	char			*error;
};

/* Takes one query argument into the request; -1 (q->error set) if bad. */
static int
admin_query_take(struct admin_query *q, const char *key, const char *value)
{
	char **slot = NULL;
	unsigned bit;

	if (q->error != NULL)
		return -1;
	if (q->filters) {
		if (strcmp(key, "job") == 0)
			slot = &q->req->job;
		else if (strcmp(key, "state") == 0)
			slot = &q->req->state;
		else if (strcmp(key, "agent") == 0)
			slot = &q->req->agent;
	}
	if (slot == NULL) {
		q->error = q->filters ? xasprintf("unknown query parameter "
		    "\"%s\" (expected job, state or agent)", key) :
		    xasprintf("unknown query parameter \"%s\" (this request "
		    "takes none)", key);
		return -1;
	}
	bit = slot == &q->req->job ? 1u : slot == &q->req->state ? 2u : 4u;
	if (q->seen & bit) {
		q->error = xasprintf("query parameter \"%s\" given twice", key);
		return -1;
	}
	q->seen |= bit;
	if (value == NULL || value[0] == '\0')
		return 0;		/* "job=" means any job */
	if (slot == &q->req->state) {
		*slot = admin_task_state(value);
		if (*slot == NULL)
			q->error = xasprintf("unknown task state \"%s\" (a Mesos "
			    "name such as TASK_RUNNING, or LAUNCHING)", value);
	} else if (!admin_word_ok(value))
		q->error = xasprintf("bad %s filter (1 to %d printable ASCII "
		    "characters, no spaces)", key, ADMIN_ARG_MAX);
	else
		*slot = xstrdup(value);
	return q->error != NULL ? -1 : 0;
}

/* Takes one query argument from MHD (MHD_KeyValueIterator). */
static enum MHD_Result
admin_query_cb(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	return admin_query_take(cls, key, value) == 0 ? MHD_YES : MHD_NO;
}

/* Whether name is in the space-separated list keys. */
static int
admin_key_allowed(const char *keys, const char *name)
{
	size_t n = strlen(name);
	const char *p = keys;

	while (*p != '\0') {
		const char *end = strchr(p, ' ');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, name, n) == 0)
			return 1;
		p += len;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/*
 * Validates the body of route into req. Returns 0, or -1 with *cause set
 * (caller frees) saying what is wrong.
 */
static int
admin_parse_body(const struct admin_route *route, const char *data, size_t len,
    struct admin_req *req, char **cause)
{
	json_t *j = NULL, *v;
	json_error_t err;
	const char *key;
	size_t i;
	int rc = -1;

	for (i = 0; i < len; i++)
		if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r' &&
		    data[i] != '\n')
			break;
	if (i == len) {
		if (route->op == ADMIN_PATCH_JOB) {
			*cause = xstrdup("body must set \"instances\" and/or "
			    "\"suspended\"");
			goto out;
		}
		if (route->op == ADMIN_TEARDOWN) {
			*cause = xstrdup("body must be {\"confirm\": "
			    "\"yes-really\"}");
			goto out;
		}
		return 0;
	}
	j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
	if (j == NULL) {
		*cause = xasprintf("malformed JSON body: %s (line %d, column "
		    "%d)", err.text, err.line, err.column);
		goto out;
	}
	if (!json_is_object(j)) {
		*cause = xstrdup("body must be a JSON object");
		goto out;
	}
	json_object_foreach(j, key, v) {
		if (!admin_key_allowed(route->keys, key)) {
			if (route->keys[0] == '\0')
				*cause = xasprintf("unknown field \"%s\" (this "
				    "request takes no fields)", key);
			else
				*cause = xasprintf("unknown field \"%s\" "
				    "(expected: %s)", key, route->keys);
			goto out;
		}
		if (strcmp(key, "reason") == 0) {
			if (json_is_null(v))
				continue;
			if (!json_is_string(v) ||
			    json_string_length(v) > ADMIN_REASON_MAX ||
			    strlen(json_string_value(v)) !=
			    json_string_length(v)) {
				*cause = xasprintf("reason: expected a string "
				    "of at most %d bytes", ADMIN_REASON_MAX);
				goto out;
			}
			req->reason = xstrdup(json_string_value(v));
		} else if (strcmp(key, "instances") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > ADMIN_INSTANCES_MAX) {
				*cause = xasprintf("instances: expected an "
				    "integer from 0 to %d", ADMIN_INSTANCES_MAX);
				goto out;
			}
			req->instances = (int64_t)json_integer_value(v);
		} else if (strcmp(key, "suspended") == 0) {
			if (!json_is_boolean(v)) {
				*cause = xstrdup("suspended: expected true or "
				    "false");
				goto out;
			}
			req->suspended = json_is_true(v) ? 1 : 0;
		} else if (strcmp(key, "confirm") == 0) {
			if (!json_is_string(v) ||
			    strcmp(json_string_value(v), "yes-really") != 0) {
				*cause = xstrdup("confirm: must be "
				    "\"yes-really\"");
				goto out;
			}
		}
	}
	if (route->op == ADMIN_PATCH_JOB && req->instances == -1 &&
	    req->suspended == -1) {
		*cause = xstrdup("body must set \"instances\" and/or "
		    "\"suspended\"");
		goto out;
	}
	if (route->op == ADMIN_TEARDOWN && json_object_get(j, "confirm") ==
	    NULL) {
		*cause = xstrdup("body must be {\"confirm\": \"yes-really\"}");
		goto out;
	}
	rc = 0;
out:
	json_decref(j);
	return rc;
}

/* Compares a and b in time that does not depend on where they differ. */
static int
admin_token_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char d = alen != blen;
	size_t n = alen > blen ? alen : blen;

	for (size_t i = 0; i < n; i++) {
		unsigned char x = i < alen ? (unsigned char)a[i] : 0;
		unsigned char y = i < blen ? (unsigned char)b[i] : 0;

		d |= x ^ y;
	}
	return d == 0;
}

/*
 * Checks the Authorization header: sets *access to what its token allows.
 * Returns NULL, or why the header is refused.
 */
static const char *
admin_auth_check(struct admin *a, struct MHD_Connection *c,
    enum admin_access *access)
{
	const char *h, *t;
	size_t n;

	*access = ADMIN_ACCESS_NONE;
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL)
		return "this request needs Authorization: Bearer <token>";
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return "Authorization must be Bearer <token>";
	t = h + 7;
	while (*t == ' ')
		t++;
	n = strlen(t);
	while (n > 0 && t[n - 1] == ' ')
		n--;
	/* Both comparisons always run: the time taken tells nothing. */
	if (admin_token_equal(t, n, a->token, a->token_len))
		*access = ADMIN_ACCESS_WRITE;
	if (a->read_token != NULL && admin_token_equal(t, n, a->read_token,
	    a->read_token_len) && *access == ADMIN_ACCESS_NONE)
		*access = ADMIN_ACCESS_READ;
	if (*access == ADMIN_ACCESS_NONE)
		return "wrong bearer token";
	return NULL;
}

/* Takes a token from the client's bucket; 0 if it has none left. */
static int
admin_rate_take(struct admin *a, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;
	unsigned char key[16];
	int family;
	ev_tstamp now = ev_now(a->loop);
	struct admin_client *cl = NULL;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL)
		return 1;
	sa = ci->client_addr;
	memset(key, 0, sizeof key);
	family = sa->sa_family;
	if (family == AF_INET)
		memcpy(key, &((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr, 4);
	else if (family == AF_INET6)
		memcpy(key, &((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr, 16);
	else
		return 1;
	for (size_t i = 0; i < a->nclients; i++)
		if (a->clients[i].family == family &&
		    memcmp(a->clients[i].addr, key, 16) == 0) {
			cl = &a->clients[i];
			break;
		}
	if (cl == NULL) {
		if (a->nclients == ADMIN_CLIENTS_MAX) {
			/* Forget clients whose bucket has refilled; if none
			 * has, the one seen longest ago. */
			size_t j = 0, oldest = 0;

			for (size_t i = 0; i < a->nclients; i++) {
				struct admin_client *x = &a->clients[i];

				if (x->tokens + (now - x->last) * a->rate >=
				    a->burst)
					continue;
				a->clients[j++] = *x;
			}
			if (j == a->nclients) {
				for (size_t i = 1; i < a->nclients; i++)
					if (a->clients[i].last <
					    a->clients[oldest].last)
						oldest = i;
				a->clients[oldest] = a->clients[--j];
			}
			a->nclients = j;
		}
		cl = &a->clients[a->nclients++];
		cl->family = family;
		memcpy(cl->addr, key, 16);
		cl->tokens = a->burst;
		cl->last = now;
	}
	cl->tokens += (now - cl->last) * a->rate;
	if (cl->tokens > a->burst)
		cl->tokens = a->burst;
	cl->last = now;
	if (cl->tokens < 1)
		return 0;
	cl->tokens -= 1;
	return 1;
}

/* Asks for MHD_run() on the next loop iteration. */
static void
admin_kick(struct admin *a)
{
	ev_timer_stop(a->loop, &a->timer);
	ev_timer_set(&a->timer, 0., 0.);
	ev_timer_start(a->loop, &a->timer);
}

/* Takes a waiting request off the pending list and stops its watchers. */
static void
admin_conn_unwait(struct admin *a, struct admin_conn *ac)
{
	ev_timer_stop(a->loop, &ac->timeout);
	ev_io_stop(a->loop, &ac->watch);
	if (ac->prev != NULL)
		ac->prev->next = ac->next;
	else
		a->pending = ac->next;
	if (ac->next != NULL)
		ac->next->prev = ac->prev;
	ac->prev = ac->next = NULL;
	a->npending--;
}

/*
 * Resumes a waiting request with a reply to send (body copied; NULL body =
 * the client is gone and the connection is to be closed).
 */
static void
admin_conn_resume(struct admin *a, struct admin_conn *ac, int status,
    const char *ctype, const char *body, size_t len)
{
	admin_conn_unwait(a, ac);
	if (body == NULL)
		ac->state = ADMIN_CONN_GONE;
	else {
		ac->state = ADMIN_CONN_REPLIED;
		ac->status = status;
		ac->ctype = xstrdup(ctype != NULL ? ctype :
		    "application/json");
		ac->rbody = xmalloc(len + 1);
		memcpy(ac->rbody, body, len);
		ac->rbody[len] = '\0';
		ac->rlen = len;
	}
	MHD_resume_connection(ac->conn);
	admin_kick(a);
}

/* Answers 503 a request the dispatcher did not answer in time. */
static void
admin_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct admin_conn *ac = w->data;
	char *msg, *body;

	log_warn("admin: request %llu (%s) not answered within %g s",
	    (unsigned long long)ac->id, admin_op_name(ac->route->op),
	    ac->admin->reply_timeout);
	msg = xasprintf("arkd did not answer within %g s",
	    ac->admin->reply_timeout);
	body = admin_error_json(msg);
	admin_conn_resume(ac->admin, ac, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
	    body, strlen(body));
	free(body);
	free(msg);
}

/*
 * Notices a waiting client that hung up (EOF or error on its socket) and
 * drops its request. Data (a pipelined request) just stops the watch.
 */
static void
admin_watch_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct admin_conn *ac = w->data;
	char ch;
	ssize_t n;

	n = recv(w->fd, &ch, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n > 0) {
		ev_io_stop(loop, w);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	log_debug("admin: client of request %llu went away",
	    (unsigned long long)ac->id);
	admin_conn_resume(ac->admin, ac, 0, NULL, NULL, 0);
}

/* Hands a complete, valid request to the dispatcher and suspends it. */
static void
admin_conn_wait(struct admin *a, struct admin_conn *ac)
{
	struct msg *m;
	const union MHD_ConnectionInfo *ci;

	ac->id = ++a->next_id;
	ac->req->id = ac->id;
	m = msg_create(MSG_ADMIN);
	m->u.admin = ac->req;
	ac->req = NULL;
	log_debug("admin: request %llu %s%s%s", (unsigned long long)ac->id,
	    admin_op_name(m->u.admin->op), m->u.admin->arg != NULL ? " " : "",
	    m->u.admin->arg != NULL ? m->u.admin->arg : "");
	msg_queue_push(a->queue, m);
	ac->state = ADMIN_CONN_WAITING;
	ac->next = a->pending;
	if (a->pending != NULL)
		a->pending->prev = ac;
	a->pending = ac;
	a->npending++;
	MHD_suspend_connection(ac->conn);
	ev_timer_init(&ac->timeout, admin_timeout_cb, a->reply_timeout, 0.);
	ac->timeout.data = ac;
	ev_timer_start(a->loop, &ac->timeout);
	ci = MHD_get_connection_info(ac->conn,
	    MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci != NULL && ci->connect_fd >= 0) {
		ev_io_init(&ac->watch, admin_watch_cb, ci->connect_fd, EV_READ);
		ac->watch.data = ac;
		ev_io_start(a->loop, &ac->watch);
	}
}

/* The error for a request no route takes (caller frees). */
static char *
admin_route_error(const char *method, const char *url, int status,
    const char *allow)
{
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		return xasprintf("method %s not allowed on %s (allowed: %s)",
		    method, url, allow);
	return xasprintf("no such endpoint: %s", url);
}

/* The error for a path argument admin_word_ok refuses (caller frees). */
static char *
admin_arg_error(const char *url)
{
	return xasprintf("bad identifier in path %s (1 to %d printable ASCII "
	    "characters, no spaces)", url, ADMIN_ARG_MAX);
}

struct admin_req *
admin_parse(const char *method, const char *path, const char *const *query,
    const char *body, size_t len, int *status, char **cause)
{
	const struct admin_route *route;
	struct admin_query q;
	struct admin_req *req = NULL;
	struct buf allow;
	char *arg = NULL;

	*status = 0;
	buf_init(&allow, 256);
	route = admin_route_find(method, path, &arg, status, &allow);
	if (route == NULL) {
		*cause = admin_route_error(method, path, *status, allow.data);
		goto out;
	}
	if (len > ADMIN_BODY_MAX) {
		*status = MHD_HTTP_CONTENT_TOO_LARGE;
		*cause = xasprintf("request body larger than %d bytes",
		    ADMIN_BODY_MAX);
		goto out;
	}
	if (arg != NULL && !admin_word_ok(arg)) {
		*status = MHD_HTTP_BAD_REQUEST;
		*cause = admin_arg_error(path);
		goto out;
	}
	if (route->op == ADMIN_OP_HEALTHZ) {
		*status = MHD_HTTP_OK;
		goto out;
	}
	req = admin_req_create((enum admin_op)route->op);
	req->arg = arg;
	arg = NULL;
	memset(&q, 0, sizeof q);
	q.req = req;
	q.filters = route->op == ADMIN_GET_TASKS;
	for (; query != NULL && query[0] != NULL; query += 2)
		if (admin_query_take(&q, query[0], query[1]) != 0)
			break;
	if (q.error != NULL) {
		*cause = q.error;
		goto bad;
	}
	if (admin_parse_body(route, body, len, req, cause) != 0)
		goto bad;
	goto out;
bad:
	*status = MHD_HTTP_BAD_REQUEST;
	admin_req_free(req);
	req = NULL;
out:
	free(arg);
	buf_clear(&allow);
	return req;
}

/* The first call for a request: everything the headers can tell. */
static enum MHD_Result
admin_begin(struct admin *a, struct admin_conn *ac, const char *url,
    const char *method)
{
	const struct admin_route *route;
	struct buf allow;
	struct admin_query q;
	char *arg = NULL;
	const char *why, *cl;
	int status = 0;
	enum admin_access need;
	enum MHD_Result ret;

	if (!admin_rate_take(a, ac->conn))
		return admin_fail(ac, MHD_HTTP_TOO_MANY_REQUESTS,
		    MHD_HTTP_HEADER_RETRY_AFTER, "1",
		    "too many requests from this address (limit %g/s, burst "
		    "%g)", a->rate, a->burst);
	buf_init(&allow, 256);
	route = admin_route_find(method, url, &arg, &status, &allow);
	if (route == NULL) {
		char *msg = admin_route_error(method, url, status, allow.data);

		ret = admin_fail(ac, status, status ==
		    MHD_HTTP_METHOD_NOT_ALLOWED ? MHD_HTTP_HEADER_ALLOW : NULL,
		    allow.data, "%s", msg);
		free(msg);
		buf_clear(&allow);
		return ret;
	}
	buf_clear(&allow);
	need = a->token != NULL ? admin_route_need(a, route, method) :
	    ADMIN_ACCESS_NONE;
	if (need != ADMIN_ACCESS_NONE) {
		enum admin_access got;

		why = admin_auth_check(a, ac->conn, &got);
		if (why != NULL) {
			free(arg);
			return admin_fail(ac, MHD_HTTP_UNAUTHORIZED,
			    MHD_HTTP_HEADER_WWW_AUTHENTICATE,
			    "Bearer realm=\"arkd\"", "%s", why);
		}
		if (got < need) {
			free(arg);
			return admin_fail(ac, MHD_HTTP_FORBIDDEN, NULL, NULL,
			    "the read-only token may not change anything "
			    "(%s %s needs the token of admin.token_file)",
			    method, url);
		}
	}
	cl = MHD_lookup_connection_value(ac->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno != 0 || end == cl || n > ADMIN_BODY_MAX) {
			free(arg);
			return admin_fail(ac, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
			    NULL, "request body larger than %d bytes",
			    ADMIN_BODY_MAX);
		}
	}
	if (arg != NULL && !admin_word_ok(arg)) {
		char *msg = admin_arg_error(url);

		free(arg);
		ret = admin_fail(ac, MHD_HTTP_BAD_REQUEST, NULL, NULL, "%s",
		    msg);
		free(msg);
		return ret;
	}
	ac->route = route;
	if (route->op != ADMIN_OP_HEALTHZ) {
		ac->req = admin_req_create((enum admin_op)route->op);
		ac->req->arg = arg;
		arg = NULL;
	}
	free(arg);
	memset(&q, 0, sizeof q);
	q.req = ac->req;
	q.filters = route->op == ADMIN_GET_TASKS;
	if (q.req == NULL)
		q.req = admin_req_create(ADMIN_GET_STATE);	/* scratch */
	MHD_get_connection_values(ac->conn, MHD_GET_ARGUMENT_KIND,
	    admin_query_cb, &q);
	if (ac->req == NULL)
		admin_req_free(q.req);
	if (q.error != NULL) {
		ret = admin_fail(ac, MHD_HTTP_BAD_REQUEST, NULL, NULL, "%s",
		    q.error);
		free(q.error);
		return ret;
	}
	ac->state = ADMIN_CONN_READING;
	return MHD_YES;
}

/* The whole request is in: validate the body, then answer or hand over. */
static enum MHD_Result
admin_finish(struct admin *a, struct admin_conn *ac)
{
	static const char ok[] = "{\"ok\":true}";
	char *cause = NULL;
	enum MHD_Result ret;

	if (ac->too_big)
		return admin_fail(ac, MHD_HTTP_CONTENT_TOO_LARGE, NULL, NULL,
		    "request body larger than %d bytes", ADMIN_BODY_MAX);
	if (ac->route->op == ADMIN_OP_HEALTHZ) {
		ac->state = ADMIN_CONN_ANSWERED;
		return admin_respond(ac->conn, MHD_HTTP_OK, NULL, ok,
		    sizeof ok - 1, NULL, NULL);
	}
	if (admin_parse_body(ac->route, ac->body.data, ac->body.len, ac->req,
	    &cause) != 0) {
		ret = admin_fail(ac, MHD_HTTP_BAD_REQUEST, NULL, NULL, "%s",
		    cause);
		free(cause);
		return ret;
	}
	buf_clear(&ac->body);
	admin_conn_wait(a, ac);
	return MHD_YES;
}

/* MHD's access handler: called for headers, body chunks, and resumption. */
static enum MHD_Result
admin_access_cb(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct admin *a = cls;
	struct admin_conn *ac = *con_cls;
	char *body;
	enum MHD_Result ret;

	if (ac == NULL) {
		ac = xcalloc(1, sizeof *ac);
		ac->admin = a;
		ac->conn = c;
		buf_init(&ac->body, ADMIN_BODY_MAX);
		*con_cls = ac;
		return admin_begin(a, ac, url, method);
	}
	switch (ac->state) {
	case ADMIN_CONN_READING:
		if (*upload_data_size != 0) {
			if (!ac->too_big && buf_add(&ac->body, upload_data,
			    *upload_data_size) != 0) {
				ac->too_big = 1;
				buf_clear(&ac->body);
			}
			*upload_data_size = 0;
			return MHD_YES;
		}
		return admin_finish(a, ac);
	case ADMIN_CONN_ANSWERED:
		*upload_data_size = 0;
		return MHD_YES;
	case ADMIN_CONN_REPLIED:
		ac->state = ADMIN_CONN_ANSWERED;
		return admin_respond(c, ac->status, ac->ctype, ac->rbody,
		    ac->rlen, NULL, NULL);
	case ADMIN_CONN_WAITING:
		/* Not resumed by us: answer rather than hang. */
		body = admin_error_json("request resumed without an answer");
		ac->state = ADMIN_CONN_ANSWERED;
		ret = admin_respond(c, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL,
		    body, strlen(body), NULL, NULL);
		free(body);
		return ret;
	case ADMIN_CONN_GONE:
	default:
		/* An answer no one reads; MHD closes when sending fails. */
		body = admin_error_json("client went away");
		ac->state = ADMIN_CONN_ANSWERED;
		ret = admin_respond(c, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
		    body, strlen(body), MHD_HTTP_HEADER_CONNECTION, "close");
		free(body);
		return ret;
	}
}

/* Frees a request's context when MHD is done with it, however it ended. */
static void
admin_completed_cb(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct admin *a = cls;
	struct admin_conn *ac = *con_cls;

	if (ac == NULL)
		return;
	if (ac->state == ADMIN_CONN_WAITING)
		admin_conn_unwait(a, ac);
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && ac->id != 0)
		log_debug("admin: request %llu ended without a complete "
		    "answer (%d)", (unsigned long long)ac->id, (int)toe);
	admin_req_free(ac->req);
	buf_clear(&ac->body);
	free(ac->ctype);
	free(ac->rbody);
	free(ac);
	*con_cls = NULL;
}

/* Sends libmicrohttpd's own complaints to our log. */
static void admin_mhd_log_cb(void *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
admin_mhd_log_cb(void *cls, const char *fmt, va_list ap)
{
	char *s = xvasprintf(fmt, ap);
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '\n')
		s[--n] = '\0';
	log_warn("admin: libmicrohttpd: %s", s);
	free(s);
}

/* Lets MHD do its work, then re-arms the timer from MHD's next timeout. */
static void
admin_run(struct admin *a)
{
	MHD_UNSIGNED_LONG_LONG ms;

	MHD_run(a->daemon);
	ev_timer_stop(a->loop, &a->timer);
	if (MHD_get_timeout(a->daemon, &ms) == MHD_YES) {
		ev_timer_set(&a->timer, (double)ms / 1000.0, 0.);
		ev_timer_start(a->loop, &a->timer);
	}
}

/* MHD's epoll descriptor is readable: let MHD work. */
static void
admin_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	admin_run(w->data);
}

/* MHD's timeout passed, or admin_kick asked for a run. */
static void
admin_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	admin_run(w->data);
}

/*
 * Parses "host:port" or "[v6]:port" into ss. Sets *loopback when the address
 * is 127.0.0.0/8 or ::1 (or "localhost"). Returns 0, or -1 with *cause set.
 */
static int
admin_parse_listen(const char *listen, struct sockaddr_storage *ss,
    int *loopback, char **cause)
{
	char *host = NULL, *end;
	const char *colon, *portstr;
	unsigned long port;
	struct addrinfo hints, *res = NULL;
	int rc = -1, e;

	if (listen[0] == '[') {
		const char *rb = strchr(listen, ']');

		if (rb == NULL || rb[1] != ':') {
			*cause = xasprintf("admin listen address \"%s\": "
			    "expected [ipv6]:port", listen);
			goto out;
		}
		host = xstrndup(listen + 1, (size_t)(rb - listen - 1));
		portstr = rb + 2;
	} else {
		colon = strrchr(listen, ':');
		if (colon == NULL || colon == listen) {
			*cause = xasprintf("admin listen address \"%s\": "
			    "expected host:port", listen);
			goto out;
		}
		host = xstrndup(listen, (size_t)(colon - listen));
		if (strchr(host, ':') != NULL) {
			*cause = xasprintf("admin listen address \"%s\": an "
			    "IPv6 address goes in brackets, [::1]:8090",
			    listen);
			goto out;
		}
		portstr = colon + 1;
	}
	errno = 0;
	port = strtoul(portstr, &end, 10);
	if (portstr[0] < '0' || portstr[0] > '9' || *end != '\0' ||
	    errno != 0 || port > 65535) {
		*cause = xasprintf("admin listen address \"%s\": bad port "
		    "\"%s\" (0 to 65535)", listen, portstr);
		goto out;
	}
	if (strcmp(host, "localhost") == 0) {
		free(host);
		host = xstrdup("127.0.0.1");
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	e = getaddrinfo(host, portstr, &hints, &res);
	if (e != 0 || res == NULL) {
		*cause = xasprintf("admin listen address \"%s\": %s", listen,
		    e != 0 ? gai_strerror(e) : "no address");
		goto out;
	}
	memset(ss, 0, sizeof *ss);
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		*loopback = (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)ss;
		const uint8_t *b = sin6->sin6_addr.s6_addr;

		*loopback = IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr) ||
		    (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) && b[12] == 127);
	}
	rc = 0;
out:
	if (res != NULL)
		freeaddrinfo(res);
	free(host);
	return rc;
}

/* Reads a token file; returns the token (secret_free) or NULL with *cause. */
static char *
admin_read_token(const char *path, size_t *len, char **cause)
{
	char *tok = NULL, *why = NULL;

	if (secret_read(path, SECRET_TOKEN, &tok, len, &why) != 0) {
		*cause = xasprintf("admin token file %s", why);
		free(why);
		return NULL;
	}
	return tok;
}

/* Releases what admin_create took before the daemon (or failing it). */
static void
admin_release(struct admin *a)
{
	secret_free(a->token);
	secret_free(a->read_token);
	secret_free(a->tls_key);
	free(a->tls_cert);
	free(a->clients);
	free(a);
}

struct admin *
admin_create(struct ev_loop *loop, const struct admin_opts *o,
    struct msg_queue *q, char **cause)
{
	struct admin *a;
	struct sockaddr_storage ss;
	struct MHD_OptionItem mo[12];
	size_t nmo = 0;
	int loopback = 0;
	unsigned int flags;
	uint16_t port;
	const union MHD_DaemonInfo *di;

	if (admin_parse_listen(o->listen, &ss, &loopback, cause) != 0)
		return NULL;
	if (!loopback && !o->insecure && (o->token_file == NULL ||
	    o->tls_cert_file == NULL)) {
		*cause = xasprintf("admin listen address \"%s\" is beyond "
		    "loopback: set %s (or admin.insecure: true to accept an "
		    "open or unencrypted API)", o->listen,
		    o->token_file == NULL && o->tls_cert_file == NULL ?
		    "admin.token_file and admin.tls_cert_file/tls_key_file" :
		    o->token_file == NULL ? "admin.token_file so that requests "
		    "need a bearer token" : "admin.tls_cert_file and "
		    "admin.tls_key_file so that tokens travel encrypted");
		return NULL;
	}
	if (o->read_token_file != NULL && o->token_file == NULL) {
		*cause = xstrdup("admin.read_token_file needs admin.token_file");
		return NULL;
	}
	if ((o->tls_cert_file == NULL) != (o->tls_key_file == NULL)) {
		*cause = xstrdup("admin.tls_cert_file and admin.tls_key_file "
		    "go together");
		return NULL;
	}
	if (o->tls_cert_file != NULL &&
	    MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		*cause = xstrdup("admin.tls_cert_file: this libmicrohttpd was "
		    "built without TLS");
		return NULL;
	}
	metrics_declare("ark_admin_responses_total", METRICS_COUNTER,
	    "Admin API responses by HTTP status code.");
	a = xcalloc(1, sizeof *a);
	a->loop = loop;
	a->queue = q;
	a->rate = 50;
	a->burst = 100;
	a->reply_timeout = 30;
	a->open_metrics = o->open_metrics;
	a->clients = xcalloc(ADMIN_CLIENTS_MAX, sizeof *a->clients);
	if (o->token_file != NULL) {
		a->token = admin_read_token(o->token_file, &a->token_len,
		    cause);
		if (a->token == NULL)
			goto fail;
	}
	if (o->read_token_file != NULL) {
		a->read_token = admin_read_token(o->read_token_file,
		    &a->read_token_len, cause);
		if (a->read_token == NULL)
			goto fail;
	}
	flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	if (o->tls_cert_file != NULL) {
		char *why = NULL;

		if (secret_read(o->tls_cert_file, SECRET_PEM_CERT, &a->tls_cert,
		    NULL, &why) != 0 || secret_read(o->tls_key_file,
		    SECRET_PEM_KEY, &a->tls_key, NULL, &why) != 0) {
			*cause = xasprintf("admin TLS: %s", why);
			free(why);
			goto fail;
		}
		flags |= MHD_USE_TLS;
		mo[nmo++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT,
		    0, a->tls_cert };
		mo[nmo++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY,
		    0, a->tls_key };
		mo[nmo++] = (struct MHD_OptionItem){
		    MHD_OPTION_HTTPS_PRIORITIES, 0,
		    (void *)(uintptr_t)ADMIN_TLS_PRIORITIES };
	}
	mo[nmo++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)&ss;

		flags |= IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr) ?
		    MHD_USE_DUAL_STACK : MHD_USE_IPv6;
		port = ntohs(sin6->sin6_port);
	} else
		port = ntohs(((const struct sockaddr_in *)(const void *)&ss)->
		    sin_port);
	a->daemon = MHD_start_daemon(flags, port, NULL, NULL, admin_access_cb, a,
	    MHD_OPTION_EXTERNAL_LOGGER, admin_mhd_log_cb, a,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_NOTIFY_COMPLETED, admin_completed_cb, a,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)ADMIN_CONN_MAX,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)ADMIN_CONN_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)ADMIN_IDLE_TIMEOUT,
	    MHD_OPTION_ARRAY, mo,
	    MHD_OPTION_END);
	if (a->daemon == NULL) {
		*cause = xasprintf("admin listen address \"%s\": cannot listen "
		    "(address in use, or not an address of this host?%s)",
		    o->listen, a->tls_cert != NULL ? " or a TLS certificate "
		    "and key that do not belong together: see libmicrohttpd's "
		    "message" : "");
		goto fail;
	}
	di = MHD_get_daemon_info(a->daemon, MHD_DAEMON_INFO_BIND_PORT);
	a->port = di != NULL ? di->port : 0;
	di = MHD_get_daemon_info(a->daemon, MHD_DAEMON_INFO_EPOLL_FD);
	if (di == NULL) {
		*cause = xstrdup("admin: libmicrohttpd has no epoll descriptor");
		goto fail;
	}
	ev_io_init(&a->io, admin_io_cb, di->epoll_fd, EV_READ);
	a->io.data = a;
	ev_io_start(loop, &a->io);
	ev_timer_init(&a->timer, admin_timer_cb, 0., 0.);
	a->timer.data = a;
	admin_run(a);
	if (!loopback && o->insecure && (a->token == NULL ||
	    a->tls_cert == NULL))
		log_warn("admin: listening beyond loopback %s%s%s "
		    "(admin.insecure)", a->tls_cert == NULL ?
		    "without TLS" : "", a->tls_cert == NULL && a->token == NULL ?
		    " and " : "", a->token == NULL ? "without a token" : "");
	log_info("admin: listening on %s%s (port %d)%s%s", a->tls_cert != NULL ?
	    "https://" : "", o->listen, a->port, a->token != NULL ?
	    ", requests need the bearer token" : "", a->read_token != NULL ?
	    " (or the read-only one for reads)" : "");
	return a;
fail:
	if (a->daemon != NULL)
		MHD_stop_daemon(a->daemon);
	admin_release(a);
	return NULL;
}

void
admin_free(struct admin *a)
{
	static const char stopping[] = "{\"error\":\"arkd is stopping\"}";

	if (a == NULL)
		return;
	/* Answer every waiting request, and let MHD queue those answers,
	 * so that no connection is still suspended when the daemon stops. */
	while (a->pending != NULL)
		admin_conn_resume(a, a->pending, MHD_HTTP_SERVICE_UNAVAILABLE,
		    NULL, stopping, sizeof stopping - 1);
	for (int i = 0; i < 3; i++)
		MHD_run(a->daemon);
	ev_io_stop(a->loop, &a->io);
	ev_timer_stop(a->loop, &a->timer);
	MHD_stop_daemon(a->daemon);
	admin_release(a);
}

int
admin_port(const struct admin *a)
{
	return a->port;
}

void
admin_set_limits(struct admin *a, double rate, double burst,
    double reply_timeout)
{
	a->rate = rate;
	a->burst = burst;
	a->reply_timeout = reply_timeout;
}

size_t
admin_pending(const struct admin *a)
{
	return a->npending;
}

void
admin_reply(struct admin *a, uint64_t id, int status, const char *content_type,
    const char *body, size_t len)
{
	struct admin_conn *ac;

	for (ac = a->pending; ac != NULL; ac = ac->next)
		if (ac->id == id)
			break;
	if (ac == NULL) {
		log_debug("admin: reply to request %llu dropped (client gone "
		    "or timed out)", (unsigned long long)id);
		return;
	}
	if (body == NULL) {
		body = "";
		len = 0;
	}
	admin_conn_resume(a, ac, status, content_type, body, len);
}
