/*
 * check_admin — the admin HTTP server in-process: a libev loop runs in the
 * test's main thread with an admin server on an ephemeral loopback port;
 * each request is made by a second thread with libcurl easy while the loop
 * runs. The test plays the dispatcher: it drains MSG_ADMIN messages, checks
 * the typed request, and answers with admin_reply (an echo of the request),
 * or holds the answer back to test timeouts and clients that hang up.
 */
#include <sys/stat.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <ev.h>
#include <jansson.h>

#include "admin.h"
#include "buf.h"
#include "log.h"
#include "msg.h"
#include "xmalloc.h"

#define MAX_SEEN 64

static struct ev_loop *loop;
static struct msg_queue queue;
static struct admin *adm;
static ev_prepare drain;
static int hold;		/* 1: do not answer requests */
static struct admin_req *seen[MAX_SEEN];	/* requests received */
static size_t nseen;
static char tmpdir[256];

/* One HTTP exchange, run by a client thread. */
struct call {
	const char	*method;
	char		 url[512];
	const char	*body;		/* NULL = none */
	size_t		 body_len;
	const char	*auth;		/* Authorization header value */
	const char	*ca_file;	/* https: the CA to verify with */
	int		 chunked;	/* send the body chunked */
	long		 timeout_ms;
	long		 status;	/* 0 if no answer */
	CURLcode	 rc;
	struct buf	 resp;
	struct buf	 headers;
	volatile int	 done;
	ev_async	 async;
};

/* Returns an echo of the request as JSON (caller frees). */
static char *
echo(const struct admin_req *r)
{
	json_t *j = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:I, s:i}",
	    "op", admin_op_name(r->op), "arg", r->arg, "job", r->job,
	    "state", r->state, "agent", r->agent, "reason", r->reason,
	    "instances", (json_int_t)r->instances, "suspended", r->suspended);
	char *s = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	return s;
}

/* Plays the dispatcher: takes every queued request, answers unless held. */
static void
drain_cb(struct ev_loop *l, ev_prepare *w, int revents)
{
	struct msg *m;

	/* New requests: let run_until look at its condition again. */
	if (queue.head != NULL)
		ev_break(l, EVBREAK_ONE);
	while ((m = msg_queue_pop(&queue)) != NULL) {
		struct admin_req *r;

		ck_assert_int_eq(m->type, MSG_ADMIN);
		r = m->u.admin;
		m->u.admin = NULL;
		msg_free(m);
		ck_assert_uint_lt(nseen, MAX_SEEN);
		seen[nseen++] = r;
		if (!hold) {
			char *body = echo(r);

			admin_reply(adm, r->id, 200, NULL, body, strlen(body));
			free(body);
		}
	}
}

static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	buf_add(b, p, size * n);
	return size * n;
}

/* The client thread: one libcurl easy request. */
static void *
call_thread(void *arg)
{
	struct call *c = arg;
	CURL *h = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	char *auth = NULL;

	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
	if (strcmp(c->method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms > 0 ?
	    c->timeout_ms : 20000L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &c->resp);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &c->headers);
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (c->ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	if (c->auth != NULL) {
		auth = xasprintf("Authorization: %s", c->auth);
		hdrs = curl_slist_append(hdrs, auth);
	}
	if (c->body != NULL) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		if (c->chunked)
			hdrs = curl_slist_append(hdrs,
			    "Transfer-Encoding: chunked");
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body);
		if (!c->chunked)
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)c->body_len);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	c->rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->status);
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	free(auth);
	c->done = 1;
	ev_async_send(loop, &c->async);
	return NULL;
}

static void
async_cb(struct ev_loop *l, ev_async *w, int revents)
{
	ev_break(l, EVBREAK_ALL);
}

static void
deadline_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	ev_break(l, EVBREAK_ALL);
}

/* Runs the loop until pred() holds or seconds pass; returns pred(). */
static int
run_until(int (*pred)(void *), void *arg, double seconds)
{
	ev_timer deadline;

	ev_timer_init(&deadline, deadline_cb, seconds, 0.);
	ev_timer_start(loop, &deadline);
	while (!pred(arg) && ev_is_active(&deadline))
		ev_run(loop, EVRUN_ONCE);
	ev_timer_stop(loop, &deadline);
	return pred(arg);
}

static int
call_done(void *arg)
{
	return ((struct call *)arg)->done;
}

/* Whether at least *(size_t *)arg requests were received. */
static int
seen_at_least(void *arg)
{
	return nseen >= *(size_t *)arg;
}

static int
none_pending(void *arg)
{
	return admin_pending(adm) == 0;
}

/* Prepares a request to port; change fields, then call_launch. */
static const char *call_scheme = "http";	/* of call_init's URLs */
static const char *call_ca;			/* and the CA for https */

static void
call_init(struct call *c, int port, const char *method, const char *path,
    const char *body)
{
	memset(c, 0, sizeof *c);
	c->method = method;
	snprintf(c->url, sizeof c->url, "%s://127.0.0.1:%d%s", call_scheme,
	    port, path);
	c->ca_file = call_ca;
	c->body = body;
	c->body_len = body != NULL ? strlen(body) : 0;
	buf_init(&c->resp, 0);
	buf_init(&c->headers, 0);
}

/* Starts the request in a thread; finish it with call_wait. */
static void
call_launch(struct call *c, pthread_t *t)
{
	ev_async_init(&c->async, async_cb);
	ev_async_start(loop, &c->async);
	ck_assert_int_eq(pthread_create(t, NULL, call_thread, c), 0);
}

/* Runs the loop until the request is done (30 s at most) and joins it. */
static void
call_wait(struct call *c, pthread_t t)
{
	ck_assert_msg(run_until(call_done, c, 30), "request %s %s hung",
	    c->method, c->url);
	pthread_join(t, NULL);
	ev_async_stop(loop, &c->async);
}

static void
call_clear(struct call *c)
{
	buf_clear(&c->resp);
	buf_clear(&c->headers);
}

/* One request to adm, start to end, with a header and chunking. */
static void
call_ex(struct call *c, const char *method, const char *path, const char *body,
    const char *auth, int chunked)
{
	pthread_t t;

	call_init(c, admin_port(adm), method, path, body);
	c->auth = auth;
	c->chunked = chunked;
	call_launch(c, &t);
	call_wait(c, t);
}

/* One request to adm, start to end; the caller clears c. */
static void
call(struct call *c, const char *method, const char *path, const char *body)
{
	call_ex(c, method, path, body, NULL, 0);
}

/* The "error" member of a JSON error body (static copy), or "". */
static const char *
error_of(const struct call *c)
{
	static char out[1024];
	json_t *j = json_loads(c->resp.data != NULL ? c->resp.data : "", 0,
	    NULL);
	const char *e;

	out[0] = '\0';
	if (j == NULL)
		return out;
	e = json_string_value(json_object_get(j, "error"));
	if (e != NULL)
		snprintf(out, sizeof out, "%s", e);
	json_decref(j);
	return out;
}

/* Whether the response has header "name: value..." (case-insensitive). */
static int
has_header(const struct call *c, const char *line)
{
	return c->headers.data != NULL && strcasestr(c->headers.data, line) !=
	    NULL;
}

static void
seen_clear(void)
{
	for (size_t i = 0; i < nseen; i++)
		admin_req_free(seen[i]);
	nseen = 0;
}

static void
loop_setup(void)
{
	log_init("check_admin", getenv("ADMIN_DEBUG") != NULL ?
	    LOG_LEVEL_DEBUG : LOG_LEVEL_WARN, LOG_FORMAT_PLAIN);
	loop = ev_loop_new(EVFLAG_AUTO);
	memset(&queue, 0, sizeof queue);
	hold = 0;
	nseen = 0;
	ev_prepare_init(&drain, drain_cb);
	ev_prepare_start(loop, &drain);
	call_scheme = "http";
	call_ca = NULL;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/check_admin.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
loop_teardown(void)
{
	struct msg *m;
	char cmd[300];

	admin_free(adm);
	adm = NULL;
	seen_clear();
	while ((m = msg_queue_pop(&queue)) != NULL)
		msg_free(m);
	ev_prepare_stop(loop, &drain);
	ev_loop_destroy(loop);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Starts an admin server on listen with an optional token; NULL on error. */
static struct admin *
admin_at(const char *listen, const char *token_file, char **cause)
{
	struct admin_opts o = { .listen = listen, .token_file = token_file };

	return admin_create(loop, &o, &queue, cause);
}

/*
 * Copies tests/tls/name into tmpdir with mode (keys must be 0600 for arkd;
 * git keeps no modes). Returns the copy's path (caller frees).
 */
static char *
tls_file(const char *name, mode_t mode)
{
	char *src = xasprintf("%s/tests/tls/%s", ARK_SRCDIR, name);
	char *dst = xasprintf("%s/%s", tmpdir, name);
	char *cmd = xasprintf("cp '%s' '%s'", src, dst);

	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(chmod(dst, mode), 0);
	free(cmd);
	free(src);
	return dst;
}

static void
setup(void)
{
	char *cause = NULL;

	loop_setup();
	adm = admin_at("127.0.0.1:0", NULL, &cause);
	ck_assert_msg(adm != NULL, "admin_create: %s", cause);
	ck_assert_int_gt(admin_port(adm), 0);
}

/* Writes a token file with the given mode; returns its path (static). */
static const char *
token_file(const char *token, mode_t mode)
{
	static char path[512];
	int fd;

	snprintf(path, sizeof path, "%s/token", tmpdir);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, token, strlen(token)), (ssize_t)strlen(token));
	close(fd);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

/* Every route, parsed into the right typed request. */
static const struct route_case {
	const char	*method;
	const char	*path;
	const char	*body;
	enum admin_op	 op;
	const char	*arg, *job, *state, *agent, *reason;
	int64_t		 instances;
	int		 suspended;
} route_cases[] = {
	{ "GET", "/v1/state", NULL, ADMIN_GET_STATE, NULL, NULL, NULL, NULL,
	    NULL, -1, -1 },
	{ "HEAD", "/v1/state", NULL, ADMIN_GET_STATE, NULL, NULL, NULL, NULL,
	    NULL, -1, -1 },
	{ "GET", "/v1/jobs", NULL, ADMIN_GET_JOBS, NULL, NULL, NULL, NULL, NULL,
	    -1, -1 },
	{ "GET", "/v1/jobs/", NULL, ADMIN_GET_JOBS, NULL, NULL, NULL, NULL,
	    NULL, -1, -1 },
	{ "GET", "/v1/jobs/web", NULL, ADMIN_GET_JOB, "web", NULL, NULL, NULL,
	    NULL, -1, -1 },
	{ "GET", "/v1/jobs/a%2Eb", NULL, ADMIN_GET_JOB, "a.b", NULL, NULL, NULL,
	    NULL, -1, -1 },
	{ "PATCH", "/v1/jobs/web", "{\"instances\": 5}", ADMIN_PATCH_JOB, "web",
	    NULL, NULL, NULL, NULL, 5, -1 },
	{ "PATCH", "/v1/jobs/web", "{\"suspended\": true}", ADMIN_PATCH_JOB,
	    "web", NULL, NULL, NULL, NULL, -1, 1 },
	{ "PATCH", "/v1/jobs/web", "{\"instances\": 0, \"suspended\": false}",
	    ADMIN_PATCH_JOB, "web", NULL, NULL, NULL, NULL, 0, 0 },
	{ "POST", "/v1/jobs/web/restart", NULL, ADMIN_RESTART_JOB, "web", NULL,
	    NULL, NULL, NULL, -1, -1 },
	{ "POST", "/v1/jobs/web/restart", "{}", ADMIN_RESTART_JOB, "web", NULL,
	    NULL, NULL, NULL, -1, -1 },
	{ "GET", "/v1/tasks", NULL, ADMIN_GET_TASKS, NULL, NULL, NULL, NULL,
	    NULL, -1, -1 },
	{ "GET", "/v1/tasks?job=web&state=TASK_RUNNING&agent=S1", NULL,
	    ADMIN_GET_TASKS, NULL, "web", "TASK_RUNNING", "S1", NULL, -1, -1 },
	{ "GET", "/v1/tasks?state=running", NULL, ADMIN_GET_TASKS, NULL, NULL,
	    "TASK_RUNNING", NULL, NULL, -1, -1 },
	{ "GET", "/v1/tasks?state=launching&job=", NULL, ADMIN_GET_TASKS, NULL,
	    NULL, "LAUNCHING", NULL, NULL, -1, -1 },
	{ "POST", "/v1/tasks/web.1.x/kill", NULL, ADMIN_KILL_TASK, "web.1.x",
	    NULL, NULL, NULL, NULL, -1, -1 },
	{ "GET", "/v1/agents", NULL, ADMIN_GET_AGENTS, NULL, NULL, NULL, NULL,
	    NULL, -1, -1 },
	{ "GET", "/v1/blacklist", NULL, ADMIN_GET_BLACKLIST, NULL, NULL, NULL,
	    NULL, NULL, -1, -1 },
	{ "PUT", "/v1/blacklist/agent-7", NULL, ADMIN_PUT_BLACKLIST, "agent-7",
	    NULL, NULL, NULL, NULL, -1, -1 },
	{ "PUT", "/v1/blacklist/agent-7", "{\"reason\": \"bad disk\"}",
	    ADMIN_PUT_BLACKLIST, "agent-7", NULL, NULL, NULL, "bad disk", -1,
	    -1 },
	{ "DELETE", "/v1/blacklist/agent-7", NULL, ADMIN_DEL_BLACKLIST,
	    "agent-7", NULL, NULL, NULL, NULL, -1, -1 },
	{ "POST", "/v1/reconcile", NULL, ADMIN_RECONCILE, NULL, NULL, NULL,
	    NULL, NULL, -1, -1 },
	{ "POST", "/v1/reload", NULL, ADMIN_RELOAD, NULL, NULL, NULL, NULL,
	    NULL, -1, -1 },
	{ "POST", "/v1/teardown", "{\"confirm\": \"yes-really\"}",
	    ADMIN_TEARDOWN, NULL, NULL, NULL, NULL, NULL, -1, -1 },
	{ "GET", "/readyz", NULL, ADMIN_READYZ, NULL, NULL, NULL, NULL, NULL,
	    -1, -1 },
	{ "GET", "/metrics", NULL, ADMIN_METRICS, NULL, NULL, NULL, NULL, NULL,
	    -1, -1 },
};

static void
assert_str(const char *what, const char *want, const char *got)
{
	if (want == NULL)
		ck_assert_msg(got == NULL, "%s: want NULL, got \"%s\"", what,
		    got);
	else
		ck_assert_msg(got != NULL && strcmp(want, got) == 0,
		    "%s: want \"%s\", got \"%s\"", what, want,
		    got != NULL ? got : "(null)");
}

START_TEST(test_routes)
{
	const struct route_case *rc = &route_cases[_i];
	struct call c;
	struct admin_req *r;

	call(&c, rc->method, rc->path, rc->body);
	ck_assert_msg(c.rc == CURLE_OK, "%s %s: %s", rc->method, rc->path,
	    curl_easy_strerror(c.rc));
	ck_assert_msg(c.status == 200, "%s %s: status %ld: %s", rc->method,
	    rc->path, c.status, c.resp.data);
	ck_assert_uint_eq(nseen, 1);
	r = seen[0];
	ck_assert_msg(r->op == rc->op, "%s %s: op %s, want %s", rc->method,
	    rc->path, admin_op_name(r->op), admin_op_name(rc->op));
	ck_assert_uint_ne(r->id, 0);
	assert_str("arg", rc->arg, r->arg);
	assert_str("job", rc->job, r->job);
	assert_str("state", rc->state, r->state);
	assert_str("agent", rc->agent, r->agent);
	assert_str("reason", rc->reason, r->reason);
	ck_assert_int_eq(r->instances, rc->instances);
	ck_assert_int_eq(r->suspended, rc->suspended);
	if (strcmp(rc->method, "HEAD") != 0) {
		/* the reply made it back to the client unchanged */
		char *want = echo(r);

		ck_assert_str_eq(c.resp.data, want);
		free(want);
		ck_assert(has_header(&c, "Content-Type: application/json"));
	}
	ck_assert_uint_eq(admin_pending(adm), 0);
	call_clear(&c);
}
END_TEST

START_TEST(test_healthz_local)
{
	struct call c;

	call(&c, "GET", "/healthz", NULL);
	ck_assert_int_eq(c.status, 200);
	ck_assert_str_eq(c.resp.data, "{\"ok\":true}");
	ck_assert_uint_eq(nseen, 0);
	call_clear(&c);
}
END_TEST

START_TEST(test_ids_unique)
{
	struct call c;

	for (int i = 0; i < 5; i++) {
		call(&c, "GET", "/v1/state", NULL);
		ck_assert_int_eq(c.status, 200);
		call_clear(&c);
	}
	ck_assert_uint_eq(nseen, 5);
	for (size_t i = 1; i < nseen; i++)
		ck_assert_uint_gt(seen[i]->id, seen[i - 1]->id);
}
END_TEST

START_TEST(test_content_type)
{
	struct call c;
	pthread_t t;
	static const char text[] = "# TYPE x counter\nx 1\n";

	size_t one = 1;

	hold = 1;
	call_init(&c, admin_port(adm), "GET", "/metrics", NULL);
	call_launch(&c, &t);
	ck_assert(run_until(seen_at_least, &one, 10));
	admin_reply(adm, seen[0]->id, 200, "text/plain; version=0.0.4", text,
	    sizeof text - 1);
	call_wait(&c, t);
	ck_assert_int_eq(c.status, 200);
	ck_assert_str_eq(c.resp.data, text);
	ck_assert(has_header(&c, "Content-Type: text/plain; version=0.0.4"));
	call_clear(&c);
}
END_TEST

/* Requests admin.c refuses itself: status, words of the error, a header. */
static const struct bad_case {
	const char	*method;
	const char	*path;
	const char	*body;
	int		 status;
	const char	*error;		/* substring of {"error"} */
	const char	*header;	/* substring of the headers, or NULL */
} bad_cases[] = {
	{ "GET", "/nope", NULL, 404, "no such endpoint", NULL },
	{ "GET", "/v1", NULL, 404, "no such endpoint", NULL },
	{ "GET", "/v1/jobs/web/extra", NULL, 404, "no such endpoint", NULL },
	{ "DELETE", "/v1/state", NULL, 405, "not allowed", "Allow: GET" },
	{ "POST", "/v1/jobs", NULL, 405, "not allowed", "Allow: GET" },
	{ "GET", "/v1/blacklist/a1", NULL, 405, "not allowed",
	    "Allow: PUT, DELETE" },
	{ "DELETE", "/v1/jobs/web", NULL, 405, "not allowed",
	    "Allow: GET, PATCH" },
	{ "GET", "/v1/reconcile", NULL, 405, "not allowed", "Allow: POST" },
	{ "PATCH", "/v1/jobs/web", "{\"instances\": 3", 400,
	    "malformed JSON body", NULL },
	{ "PATCH", "/v1/jobs/web", "not json", 400, "malformed JSON body",
	    NULL },
	{ "PATCH", "/v1/jobs/web", "{}", 400, "instances", NULL },
	{ "PATCH", "/v1/jobs/web", NULL, 400, "instances", NULL },
	{ "PATCH", "/v1/jobs/web", "{\"instances\": -1}", 400,
	    "instances: expected an integer", NULL },
	{ "PATCH", "/v1/jobs/web", "{\"instances\": \"3\"}", 400,
	    "instances: expected an integer", NULL },
	{ "PATCH", "/v1/jobs/web", "{\"instances\": 1.5}", 400,
	    "instances: expected an integer", NULL },
	{ "PATCH", "/v1/jobs/web", "{\"instances\": 100001}", 400,
	    "instances: expected an integer", NULL },
	{ "PATCH", "/v1/jobs/web", "{\"suspended\": 1}", 400,
	    "suspended: expected true or false", NULL },
	{ "PATCH", "/v1/jobs/web", "{\"instances\": 2, \"color\": 1}", 400,
	    "unknown field \"color\"", NULL },
	{ "PATCH", "/v1/jobs/web", "{\"instances\": 1, \"instances\": 2}", 400,
	    "malformed JSON body", NULL },
	{ "PATCH", "/v1/jobs/web", "[1]", 400, "must be a JSON object", NULL },
	{ "PUT", "/v1/blacklist/a1", "{\"reason\": 5}", 400,
	    "reason: expected a string", NULL },
	{ "POST", "/v1/reconcile", "{\"now\": true}", 400,
	    "takes no fields", NULL },
	{ "POST", "/v1/teardown", NULL, 400, "yes-really", NULL },
	{ "POST", "/v1/teardown", "{\"confirm\": \"yes\"}", 400, "yes-really",
	    NULL },
	{ "GET", "/v1/tasks?state=sleepy", NULL, 400, "unknown task state",
	    NULL },
	{ "GET", "/v1/tasks?color=red", NULL, 400,
	    "unknown query parameter \"color\"", NULL },
	{ "GET", "/v1/tasks?job=a&job=b", NULL, 400, "given twice", NULL },
	{ "GET", "/v1/tasks?job=a%20b", NULL, 400, "bad job filter", NULL },
	{ "GET", "/v1/state?verbose=1", NULL, 400, "unknown query parameter",
	    NULL },
	{ "GET", "/v1/jobs/a%20b", NULL, 400, "bad identifier", NULL },
	{ "POST", "/v1/tasks/%01/kill", NULL, 400, "bad identifier", NULL },
	{ "GET", "/v1/jobs/%FF%FE", NULL, 400, "/v1/jobs/?? (1 to", NULL },
	{ "GET", "/v1/tasks?agent=%C3%A9", NULL, 400, "bad agent filter",
	    NULL },
	{ "GET", "/v1/nope%FF", NULL, 404, "/v1/nope?", NULL },
};

START_TEST(test_bad_requests)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct call c;

	call(&c, bc->method, bc->path, bc->body);
	ck_assert_msg(c.status == bc->status, "%s %s: status %ld, want %d (%s)",
	    bc->method, bc->path, c.status, bc->status, c.resp.data);
	ck_assert_msg(strstr(error_of(&c), bc->error) != NULL,
	    "%s %s: error \"%s\" lacks \"%s\"", bc->method, bc->path,
	    error_of(&c), bc->error);
	if (bc->header != NULL)
		ck_assert_msg(has_header(&c, bc->header), "%s %s: no %s in %s",
		    bc->method, bc->path, bc->header, c.headers.data);
	ck_assert_uint_eq(nseen, 0);
	call_clear(&c);
}
END_TEST

/* Returns a body of n bytes: spaces around "{}" (valid JSON). */
static char *
padded_body(size_t n)
{
	char *b = xmalloc(n + 1);

	memset(b, ' ', n);
	b[0] = '{';
	b[n - 1] = '}';
	b[n] = '\0';
	return b;
}

START_TEST(test_body_limit)
{
	struct call c;
	char *b;

	/* exactly 64 KiB is fine */
	b = padded_body(64 * 1024);
	call(&c, "POST", "/v1/reconcile", b);
	ck_assert_int_eq(c.status, 200);
	ck_assert_uint_eq(nseen, 1);
	call_clear(&c);
	free(b);
	/* one byte more is refused, from Content-Length */
	b = padded_body(64 * 1024 + 1);
	call(&c, "POST", "/v1/reconcile", b);
	ck_assert_int_eq(c.status, 413);
	ck_assert(strstr(error_of(&c), "larger than 65536") != NULL);
	call_clear(&c);
	/* and when it comes chunked, once it has arrived */
	call_ex(&c, "POST", "/v1/reconcile", b, NULL, 1);
	ck_assert_int_eq(c.status, 413);
	call_clear(&c);
	free(b);
	/* a megabyte, too */
	b = padded_body(1024 * 1024);
	call_ex(&c, "PUT", "/v1/blacklist/a1", b, NULL, 1);
	ck_assert_int_eq(c.status, 413);
	call_clear(&c);
	free(b);
	ck_assert_uint_eq(nseen, 1);
	/* the server still works */
	call(&c, "GET", "/healthz", NULL);
	ck_assert_int_eq(c.status, 200);
	call_clear(&c);
}
END_TEST

START_TEST(test_token)
{
	char *cause = NULL;
	struct call c;
	const char *path = token_file("s3cret-token\n", 0600);

	adm = admin_at("127.0.0.1:0", path, &cause);
	ck_assert_msg(adm != NULL, "admin_create: %s", cause);
	/* mutating without a token */
	call(&c, "POST", "/v1/reconcile", NULL);
	ck_assert_int_eq(c.status, 401);
	ck_assert(has_header(&c, "WWW-Authenticate: Bearer"));
	ck_assert(strstr(error_of(&c), "Bearer") != NULL);
	call_clear(&c);
	/* wrong token, wrong scheme */
	call_ex(&c, "PUT", "/v1/blacklist/a1", NULL, "Bearer s3cret-tokeN", 0);
	ck_assert_int_eq(c.status, 401);
	ck_assert_str_eq(error_of(&c), "wrong bearer token");
	call_clear(&c);
	call_ex(&c, "DELETE", "/v1/blacklist/a1", NULL, "Bearer s3cret", 0);
	ck_assert_int_eq(c.status, 401);
	call_clear(&c);
	call_ex(&c, "POST", "/v1/reload", NULL, "Basic czNjcmV0LXRva2Vu", 0);
	ck_assert_int_eq(c.status, 401);
	call_clear(&c);
	ck_assert_uint_eq(nseen, 0);
	/* the right token */
	call_ex(&c, "PATCH", "/v1/jobs/web", "{\"instances\": 2}",
	    "Bearer s3cret-token", 0);
	ck_assert_int_eq(c.status, 200);
	ck_assert_uint_eq(nseen, 1);
	ck_assert_int_eq(seen[0]->instances, 2);
	call_clear(&c);
	/* reads need it too: a job's spec is not for anyone */
	static const char *const reads[] = { "/v1/state", "/v1/jobs",
	    "/v1/jobs/web", "/v1/tasks", "/v1/agents", "/v1/blacklist",
	    "/metrics" };
	for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
		call(&c, "GET", reads[i], NULL);
		ck_assert_msg(c.status == 401, "GET %s: %ld", reads[i],
		    c.status);
		call_clear(&c);
		call(&c, "HEAD", reads[i], NULL);
		ck_assert_msg(c.status == 401, "HEAD %s: %ld", reads[i],
		    c.status);
		call_clear(&c);
	}
	ck_assert_uint_eq(nseen, 1);
	call_ex(&c, "GET", "/v1/jobs/web", NULL, "Bearer s3cret-token", 0);
	ck_assert_int_eq(c.status, 200);
	call_clear(&c);
	ck_assert_uint_eq(nseen, 2);
	/* the probes need none */
	call(&c, "GET", "/healthz", NULL);
	ck_assert_int_eq(c.status, 200);
	call_clear(&c);
	call(&c, "GET", "/readyz", NULL);
	ck_assert_int_eq(c.status, 200);
	call_clear(&c);
	ck_assert_uint_eq(nseen, 3);
	ck_assert_int_eq(seen[2]->op, ADMIN_READYZ);
}
END_TEST

START_TEST(test_read_token)
{
	char *cause = NULL, *rpath = xasprintf("%s/read-token", tmpdir);
	struct admin_opts o = { .listen = "127.0.0.1:0" };
	struct call c;
	int fd;

	fd = open(rpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "look-only\n", 10), 10);
	close(fd);
	/* a read-only token alone is refused: changes would be open */
	o.read_token_file = rpath;
	ck_assert_ptr_null(admin_create(loop, &o, &queue, &cause));
	ck_assert_msg(strstr(cause, "admin.token_file") != NULL, "%s", cause);
	free(cause);
	o.token_file = token_file("all-powerful\n", 0600);
	adm = admin_create(loop, &o, &queue, &cause);
	ck_assert_msg(adm != NULL, "admin_create: %s", cause);
	/* the read token reads */
	call_ex(&c, "GET", "/v1/jobs/web", NULL, "Bearer look-only", 0);
	ck_assert_int_eq(c.status, 200);
	call_clear(&c);
	call_ex(&c, "GET", "/metrics", NULL, "Bearer look-only", 0);
	ck_assert_int_eq(c.status, 200);
	call_clear(&c);
	ck_assert_uint_eq(nseen, 2);
	/* but changes nothing: 403, and nothing reaches the dispatcher */
	call_ex(&c, "POST", "/v1/reconcile", NULL, "Bearer look-only", 0);
	ck_assert_int_eq(c.status, 403);
	ck_assert_msg(strstr(error_of(&c), "read-only") != NULL, "%s",
	    error_of(&c));
	call_clear(&c);
	call_ex(&c, "PATCH", "/v1/jobs/web", "{\"instances\": 0}",
	    "Bearer look-only", 0);
	ck_assert_int_eq(c.status, 403);
	call_clear(&c);
	ck_assert_uint_eq(nseen, 2);
	/* the main token does both */
	call_ex(&c, "POST", "/v1/reconcile", NULL, "Bearer all-powerful", 0);
	ck_assert_int_eq(c.status, 200);
	call_clear(&c);
	call_ex(&c, "GET", "/v1/state", NULL, "Bearer all-powerful", 0);
	ck_assert_int_eq(c.status, 200);
	call_clear(&c);
	/* neither, or a prefix of one */
	call_ex(&c, "GET", "/v1/state", NULL, "Bearer look", 0);
	ck_assert_int_eq(c.status, 401);
	call_clear(&c);
	ck_assert_uint_eq(nseen, 4);
	free(rpath);
}
END_TEST

START_TEST(test_open_metrics)
{
	char *cause = NULL;
	struct admin_opts o = { .listen = "127.0.0.1:0", .open_metrics = 1 };
	struct call c;

	o.token_file = token_file("tk\n", 0600);
	adm = admin_create(loop, &o, &queue, &cause);
	ck_assert_msg(adm != NULL, "admin_create: %s", cause);
	call(&c, "GET", "/metrics", NULL);
	ck_assert_int_eq(c.status, 200);
	call_clear(&c);
	ck_assert_uint_eq(nseen, 1);
	ck_assert_int_eq(seen[0]->op, ADMIN_METRICS);
	/* nothing else opens with it */
	call(&c, "GET", "/v1/state", NULL);
	ck_assert_int_eq(c.status, 401);
	call_clear(&c);
	ck_assert_uint_eq(nseen, 1);
}
END_TEST

START_TEST(test_create_errors)
{
	static const struct {
		const char *listen;
		const char *words;
	} bad[] = {
		{ "nohost", "expected host:port" },
		{ ":8090", "expected host:port" },
		{ "127.0.0.1:99999", "bad port" },
		{ "127.0.0.1:", "bad port" },
		{ "127.0.0.1:-1", "bad port" },
		{ "127.0.0.1:80x", "bad port" },
		{ "::1:8090", "brackets" },
		{ "[::1:8090", "expected [ipv6]:port" },
		{ "[::1]:x", "bad port" },
		{ "0.0.0.0:0", "admin.token_file and admin.tls_cert_file" },
		{ "[::]:0", "admin.token_file and admin.tls_cert_file" },
	};
	char *cause = NULL;
	struct admin *a;
	char missing[600];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		a = admin_at(bad[i].listen, NULL, &cause);
		ck_assert_msg(a == NULL, "%s accepted", bad[i].listen);
		ck_assert_msg(cause != NULL && strstr(cause, bad[i].words) !=
		    NULL, "%s: \"%s\" lacks \"%s\"", bad[i].listen, cause,
		    bad[i].words);
		free(cause);
		cause = NULL;
	}
	/* beyond loopback a token alone is not enough: it would travel in
	 * the clear */
	a = admin_at("0.0.0.0:0", token_file("t\n", 0600), &cause);
	ck_assert_ptr_null(a);
	ck_assert_msg(strstr(cause, "admin.tls_cert_file") != NULL, "%s",
	    cause);
	free(cause);
	cause = NULL;
	/* unless the operator says so */
	{
		struct admin_opts o = { .listen = "0.0.0.0:0", .insecure = 1 };

		a = admin_create(loop, &o, &queue, &cause);
		ck_assert_msg(a != NULL, "insecure: %s", cause);
		admin_free(a);
	}
	/* token files: readable by others, missing, empty, two words */
	a = admin_at("127.0.0.1:0", token_file("t\n", 0644), &cause);
	ck_assert_ptr_null(a);
	ck_assert_msg(strstr(cause, tmpdir) != NULL && strstr(cause,
	    "chmod 600") != NULL, "%s", cause);
	free(cause);
	cause = NULL;
	a = admin_at("127.0.0.1:0", token_file("t\n", 0640), &cause);
	ck_assert_ptr_null(a);
	free(cause);
	cause = NULL;
	snprintf(missing, sizeof missing, "%s/absent", tmpdir);
	a = admin_at("127.0.0.1:0", missing, &cause);
	ck_assert_ptr_null(a);
	ck_assert_msg(strstr(cause, missing) != NULL, "%s", cause);
	free(cause);
	cause = NULL;
	a = admin_at("127.0.0.1:0", token_file("\n", 0600), &cause);
	ck_assert_ptr_null(a);
	ck_assert_msg(strstr(cause, "empty") != NULL, "%s", cause);
	free(cause);
	cause = NULL;
	a = admin_at("127.0.0.1:0", token_file("two words\n", 0600), &cause);
	ck_assert_ptr_null(a);
	ck_assert_msg(strstr(cause, "one word") != NULL, "%s", cause);
	free(cause);
	cause = NULL;
	/* a port already in use */
	a = admin_at("127.0.0.1:0", NULL, &cause);
	ck_assert_ptr_nonnull(a);
	{
		char addr[64];
		struct admin *b;

		snprintf(addr, sizeof addr, "127.0.0.1:%d", admin_port(a));
		b = admin_at(addr, NULL, &cause);
		ck_assert_ptr_null(b);
		ck_assert_msg(strstr(cause, addr) != NULL, "%s", cause);
		free(cause);
	}
	admin_free(a);
}
END_TEST

/* HTTPS with the test CA's certificate for 127.0.0.1 (tests/tls). */
START_TEST(test_tls)
{
	char *cert = tls_file("server.pem", 0644);
	char *key = tls_file("server-key.pem", 0600);
	char *ca = xasprintf("%s/tests/tls/ca.pem", ARK_SRCDIR);
	struct admin_opts o = { .listen = "0.0.0.0:0", .tls_cert_file = cert,
	    .tls_key_file = key };
	char *cause = NULL;
	struct call c;
	pthread_t t;

	/* all interfaces, with TLS and a token: no insecure needed */
	o.token_file = token_file("tk\n", 0600);
	adm = admin_create(loop, &o, &queue, &cause);
	ck_assert_msg(adm != NULL, "admin_create: %s", cause);
	call_scheme = "https";
	call_ca = ca;
	call_ex(&c, "GET", "/v1/state", NULL, "Bearer tk", 0);
	ck_assert_msg(c.rc == CURLE_OK, "%s", curl_easy_strerror(c.rc));
	ck_assert_int_eq(c.status, 200);
	call_clear(&c);
	call(&c, "GET", "/healthz", NULL);
	ck_assert_int_eq(c.status, 200);
	call_clear(&c);
	/* a client that does not trust the CA gets no answer */
	call_ca = NULL;
	call(&c, "GET", "/healthz", NULL);
	ck_assert_int_eq(c.status, 0);
	ck_assert_msg(c.rc == CURLE_PEER_FAILED_VERIFICATION ||
	    c.rc == CURLE_SSL_CACERT_BADFILE || c.rc == CURLE_SSL_CONNECT_ERROR,
	    "%s", curl_easy_strerror(c.rc));
	call_clear(&c);
	/* plain HTTP on the TLS port gets no answer either */
	call_scheme = "http";
	call_init(&c, admin_port(adm), "GET", "/healthz", NULL);
	c.timeout_ms = 3000;
	call_launch(&c, &t);
	call_wait(&c, t);
	ck_assert_msg(c.status != 200, "plain HTTP answered on the TLS port");
	call_clear(&c);
	free(ca);
	free(cert);
	free(key);
}
END_TEST

START_TEST(test_tls_errors)
{
	char *cert = tls_file("server.pem", 0644);
	char *key = tls_file("server-key.pem", 0600);
	char *other = tls_file("client-key.pem", 0600);
	struct admin_opts o = { .listen = "127.0.0.1:0", .tls_cert_file = cert,
	    .tls_key_file = key };
	char *cause = NULL;
	struct admin *a;

	/* a key others may read */
	ck_assert_int_eq(chmod(key, 0644), 0);
	a = admin_create(loop, &o, &queue, &cause);
	ck_assert_ptr_null(a);
	ck_assert_msg(strstr(cause, key) != NULL && strstr(cause,
	    "chmod 600") != NULL, "%s", cause);
	free(cause);
	ck_assert_int_eq(chmod(key, 0600), 0);
	/* the certificate where the key should be, and the other way round */
	o.tls_key_file = cert;
	ck_assert_int_eq(chmod(cert, 0600), 0);
	a = admin_create(loop, &o, &queue, &cause);
	ck_assert_ptr_null(a);
	ck_assert_msg(strstr(cause, "PRIVATE KEY") != NULL, "%s", cause);
	free(cause);
	o.tls_key_file = key;
	o.tls_cert_file = key;
	a = admin_create(loop, &o, &queue, &cause);
	ck_assert_ptr_null(a);
	ck_assert_msg(strstr(cause, "CERTIFICATE") != NULL, "%s", cause);
	free(cause);
	/* a key that is not the certificate's */
	o.tls_cert_file = cert;
	o.tls_key_file = other;
	a = admin_create(loop, &o, &queue, &cause);
	ck_assert_ptr_null(a);
	ck_assert_msg(strstr(cause, "do not belong together") != NULL, "%s",
	    cause);
	free(cause);
	/* one without the other */
	o.tls_key_file = NULL;
	a = admin_create(loop, &o, &queue, &cause);
	ck_assert_ptr_null(a);
	ck_assert_msg(strstr(cause, "go together") != NULL, "%s", cause);
	free(cause);
	free(cert);
	free(key);
	free(other);
}
END_TEST

START_TEST(test_ipv6_and_localhost)
{
	char *cause = NULL;
	struct call c;
	pthread_t t;

	adm = admin_at("localhost:0", NULL, &cause);
	ck_assert_msg(adm != NULL, "localhost:0: %s", cause);
	call(&c, "POST", "/v1/reconcile", NULL);
	ck_assert_int_eq(c.status, 200);	/* loopback: no token */
	call_clear(&c);
	admin_free(adm);
	adm = admin_at("[::1]:0", NULL, &cause);
	ck_assert_msg(adm != NULL, "[::1]:0: %s", cause);
	call_init(&c, admin_port(adm), "GET", "/v1/state", NULL);
	snprintf(c.url, sizeof c.url, "http://[::1]:%d/v1/state",
	    admin_port(adm));
	call_launch(&c, &t);
	call_wait(&c, t);
	ck_assert_int_eq(c.status, 200);
	ck_assert_uint_eq(nseen, 2);
	call_clear(&c);
}
END_TEST

START_TEST(test_rate_limit)
{
	struct call c;
	int ok = 0, limited = 0;
	ev_tstamp start;

	admin_set_limits(adm, 1, 5, 30);
	ev_now_update(loop);
	start = ev_now(loop);
	for (int i = 0; i < 20; i++) {
		call(&c, "GET", "/healthz", NULL);
		if (c.status == 200)
			ok++;
		else if (c.status == 429) {
			limited++;
			ck_assert(has_header(&c, "Retry-After: 1"));
			ck_assert(strstr(error_of(&c), "too many") != NULL);
		} else
			ck_abort_msg("status %ld", c.status);
		call_clear(&c);
	}
	ev_now_update(loop);
	/* a burst of 5 plus one per second elapsed, at most */
	ck_assert_int_le(ok, 5 + (int)(ev_now(loop) - start) + 1);
	ck_assert_int_gt(limited, 0);
	ck_assert_int_eq(ok + limited, 20);
}
END_TEST

START_TEST(test_client_gone)
{
	struct call c;
	pthread_t t;
	char *body;

	hold = 1;
	call_init(&c, admin_port(adm), "GET", "/v1/state", NULL);
	c.timeout_ms = 1500;
	call_launch(&c, &t);
	call_wait(&c, t);
	ck_assert_uint_eq(nseen, 1);
	ck_assert_int_eq(c.status, 0);	/* the client gave up */
	call_clear(&c);
	/* the server notices and drops the request */
	ck_assert_msg(run_until(none_pending, NULL, 10),
	    "request still pending");
	/* the late answer goes nowhere, harmlessly */
	body = echo(seen[0]);
	admin_reply(adm, seen[0]->id, 200, NULL, body, strlen(body));
	free(body);
	hold = 0;
	call(&c, "GET", "/v1/jobs", NULL);
	ck_assert_int_eq(c.status, 200);
	ck_assert_uint_eq(nseen, 2);
	call_clear(&c);
}
END_TEST

START_TEST(test_reply_timeout)
{
	struct call c;

	hold = 1;
	admin_set_limits(adm, 50, 100, 0.5);
	call(&c, "GET", "/v1/state", NULL);
	ck_assert_int_eq(c.status, 503);
	ck_assert(strstr(error_of(&c), "did not answer") != NULL);
	ck_assert_uint_eq(nseen, 1);
	ck_assert_uint_eq(admin_pending(adm), 0);
	call_clear(&c);
	/* a late reply is ignored */
	admin_reply(adm, seen[0]->id, 200, NULL, "{}", 2);
	admin_reply(adm, 987654, 200, NULL, "{}", 2);
	hold = 0;
	call(&c, "GET", "/v1/agents", NULL);
	ck_assert_int_eq(c.status, 200);
	call_clear(&c);
}
END_TEST

START_TEST(test_free_with_pending)
{
	struct call c;
	pthread_t t;

	size_t one = 1;

	hold = 1;
	call_init(&c, admin_port(adm), "GET", "/v1/state", NULL);
	call_launch(&c, &t);
	ck_assert(run_until(seen_at_least, &one, 10));
	ck_assert_uint_eq(admin_pending(adm), 1);
	admin_free(adm);
	adm = NULL;
	/* the client hears that arkd is stopping, or sees the close */
	pthread_join(t, NULL);
	ev_async_stop(loop, &c.async);
	ck_assert_msg(c.status == 503 || c.status == 0, "status %ld",
	    c.status);
	if (c.status == 503)
		ck_assert(strstr(error_of(&c), "stopping") != NULL);
	call_clear(&c);
}
END_TEST

START_TEST(test_concurrent)
{
	enum { N = 8 };
	struct call c[N];
	pthread_t t[N];
	size_t n = N;

	/* hold all, answer in reverse order: each gets its own answer */
	hold = 1;
	for (int i = 0; i < N; i++) {
		char path[64];

		snprintf(path, sizeof path, "/v1/jobs/job%d", i);
		call_init(&c[i], admin_port(adm), "GET", path, NULL);
		call_launch(&c[i], &t[i]);
	}
	ck_assert(run_until(seen_at_least, &n, 20));
	ck_assert_uint_eq(nseen, N);
	ck_assert_uint_eq(admin_pending(adm), N);
	for (size_t i = nseen; i-- > 0;) {
		char *body = echo(seen[i]);

		admin_reply(adm, seen[i]->id, 200, NULL, body, strlen(body));
		free(body);
	}
	for (int i = 0; i < N; i++) {
		char want[64];

		call_wait(&c[i], t[i]);
		ck_assert_int_eq(c[i].status, 200);
		snprintf(want, sizeof want, "\"arg\":\"job%d\"", i);
		ck_assert_msg(strstr(c[i].resp.data, want) != NULL, "%s",
		    c[i].resp.data);
		call_clear(&c[i]);
	}
}
END_TEST

/* admin_parse without a connection: the same rules, as a table. */
static const struct pure_case {
	const char	*method;
	const char	*path;
	const char	*query[7];
	const char	*body;
	int		 status;	/* 0: parsed */
	int		 op;
	const char	*words;		/* in the cause, for errors */
} pure_cases[] = {
	{ "GET", "/v1/tasks", { "state", "Task_Killed", "job", "web", NULL },
	    NULL, 0, ADMIN_GET_TASKS, NULL },
	{ "PATCH", "/v1/jobs/db", { NULL }, "{\"suspended\": false}", 0,
	    ADMIN_PATCH_JOB, NULL },
	{ "GET", "/healthz", { NULL }, NULL, 200, 0, NULL },
	{ "GET", "/nowhere", { NULL }, NULL, 404, 0, "no such endpoint" },
	{ "PUT", "/v1/jobs", { NULL }, NULL, 405, 0, "allowed: GET" },
	{ "GET", "/v1/jobs/a b", { NULL }, NULL, 400, 0, "bad identifier" },
	{ "GET", "/v1/tasks", { "agent", "", "agent", "x", NULL }, NULL, 400, 0,
	    "given twice" },
	{ "GET", "/v1/agents", { "job", "x", NULL }, NULL, 400, 0,
	    "takes none" },
	{ "PUT", "/v1/blacklist/S1", { NULL }, "{\"reason\": null}", 0,
	    ADMIN_PUT_BLACKLIST, NULL },
	{ "PUT", "/v1/blacklist/S1", { NULL }, "{\"reason\": \"a\\u0000b\"}",
	    400, 0, "malformed JSON body" },
	{ "POST", "/v1/teardown", { NULL }, "{\"confirm\": \"yes-really\", "
	    "\"x\": 1}", 400, 0, "unknown field \"x\"" },
};

START_TEST(test_parse_pure)
{
	const struct pure_case *pc = &pure_cases[_i];
	struct admin_req *r;
	int status = -1;
	char *cause = NULL;

	r = admin_parse(pc->method, pc->path, pc->query, pc->body,
	    pc->body != NULL ? strlen(pc->body) : 0, &status, &cause);
	ck_assert_msg(status == pc->status, "%s %s: status %d, want %d (%s)",
	    pc->method, pc->path, status, pc->status, cause);
	if (pc->status == 0) {
		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(r->op, pc->op);
		ck_assert_ptr_null(cause);
	} else {
		ck_assert_ptr_null(r);
		if (pc->words != NULL)
			ck_assert_msg(cause != NULL && strstr(cause,
			    pc->words) != NULL, "%s lacks %s", cause,
			    pc->words);
	}
	if (r != NULL && r->op == ADMIN_GET_TASKS) {
		ck_assert_str_eq(r->state, "TASK_KILLED");
		ck_assert_str_eq(r->job, "web");
		ck_assert_ptr_null(r->agent);
	}
	admin_req_free(r);
	free(cause);
}
END_TEST

START_TEST(test_parse_body_limit)
{
	char *b = padded_body(64 * 1024 + 1);
	int status;
	char *cause = NULL;

	ck_assert_ptr_null(admin_parse("POST", "/v1/reconcile", NULL, b,
	    strlen(b), &status, &cause));
	ck_assert_int_eq(status, 413);
	free(cause);
	free(b);
}
END_TEST

START_TEST(test_token_on_loopback)
{
	char *cause = NULL;
	struct call c;

	/* a configured token is required on loopback too */
	adm = admin_at("127.0.0.1:0", token_file("tk\n", 0400), &cause);
	ck_assert_msg(adm != NULL, "admin_create: %s", cause);
	call(&c, "POST", "/v1/reconcile", NULL);
	ck_assert_int_eq(c.status, 401);
	call_clear(&c);
	call_ex(&c, "POST", "/v1/reconcile", NULL, "bearer tk", 0);
	ck_assert_int_eq(c.status, 200);
	call_clear(&c);
	ck_assert_uint_eq(nseen, 1);
}
END_TEST

START_TEST(test_op_names)
{
	for (int i = 0; i < ADMIN_OP_MAX; i++) {
		ck_assert_ptr_nonnull(admin_op_name((enum admin_op)i));
		ck_assert_str_ne(admin_op_name((enum admin_op)i), "?");
	}
	ck_assert_str_eq(admin_op_name(ADMIN_OP_MAX), "?");
	admin_req_free(NULL);
}
END_TEST

static Suite *
admin_suite(void)
{
	Suite *s = suite_create("admin");
	TCase *tc;

	tc = tcase_create("routes");
	tcase_add_checked_fixture(tc, setup, loop_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_routes, 0,
	    (int)(sizeof route_cases / sizeof route_cases[0]));
	tcase_add_test(tc, test_healthz_local);
	tcase_add_test(tc, test_ids_unique);
	tcase_add_test(tc, test_content_type);
	tcase_add_test(tc, test_op_names);
	tcase_add_loop_test(tc, test_parse_pure, 0,
	    (int)(sizeof pure_cases / sizeof pure_cases[0]));
	tcase_add_test(tc, test_parse_body_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad");
	tcase_add_checked_fixture(tc, setup, loop_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_bad_requests, 0,
	    (int)(sizeof bad_cases / sizeof bad_cases[0]));
	tcase_add_test(tc, test_body_limit);
	tcase_add_test(tc, test_rate_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("create");
	tcase_add_checked_fixture(tc, loop_setup, loop_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_token);
	tcase_add_test(tc, test_read_token);
	tcase_add_test(tc, test_open_metrics);
	tcase_add_test(tc, test_token_on_loopback);
	tcase_add_test(tc, test_tls);
	tcase_add_test(tc, test_tls_errors);
	tcase_add_test(tc, test_create_errors);
	tcase_add_test(tc, test_ipv6_and_localhost);
	suite_add_tcase(s, tc);

	tc = tcase_create("waiting");
	tcase_add_checked_fixture(tc, setup, loop_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_client_gone);
	tcase_add_test(tc, test_reply_timeout);
	tcase_add_test(tc, test_free_with_pending);
	tcase_add_test(tc, test_concurrent);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	curl_global_init(CURL_GLOBAL_ALL);
	sr = srunner_create(admin_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed == 0 ? 0 : 1;
}
