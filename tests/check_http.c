/*
 * check_http — http.c against a small libmicrohttpd server run in its own
 * thread inside the test: one-shot POSTs, keep-alive reuse on the ordered
 * lane, the pool lane's parallelism bound, streaming with the head and data
 * callbacks, cancelling from inside callbacks, timeouts, the body bound,
 * 307 without following, refused connections, HTTP Basic auth, and TLS
 * (verified against a CA file, refused without it, unverified when off).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <ev.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "http.h"
#include "lib/testutil.h"
#include "xmalloc.h"

/* The test server. */
static struct MHD_Daemon *srv;
static int srv_port;
static atomic_int srv_conns;		/* connections accepted */
static atomic_int srv_inflight;		/* /conc handlers running */
static atomic_int srv_maxflight;	/* most /conc handlers at once */

struct srv_req {
	char	*body;
	size_t	 len;
};

struct srv_stream {
	int	 n;		/* chunks sent */
	int	 limit;		/* 0 = forever */
};

static ssize_t
srv_stream_cb(void *cls, uint64_t pos, char *out, size_t max)
{
	struct srv_stream *st = cls;
	int k;

	if (st->limit != 0 && st->n >= st->limit)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (st->n > 0)
		usleep(10000);
	k = snprintf(out, max, "chunk-%d\n", st->n);
	st->n++;
	return k;
}

static void
srv_stream_free(void *cls)
{
	free(cls);
}

static enum MHD_Result
srv_reply(struct MHD_Connection *c, int status, const char *body,
    const char *hname, const char *hval)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(body), (void *)(uintptr_t)body,
	    MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type", "text/plain");
	if (hname != NULL)
		MHD_add_response_header(r, hname, hval);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * Whether the TLS client presented a certificate that verifies against the
 * server's trust list (MHD asks for one but leaves the verdict to us).
 */
static int
srv_client_verified(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;
	gnutls_session_t s;
	unsigned int n = 0, status = 1;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci == NULL || ci->tls_session == NULL)
		return 0;
	s = (gnutls_session_t)ci->tls_session;
	if (gnutls_certificate_get_peers(s, &n) == NULL || n == 0)
		return 0;
	if (gnutls_certificate_verify_peers2(s, &status) != 0)
		return 0;
	return status == 0;
}

static enum MHD_Result
srv_handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct srv_req *rq = *con_cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char loc[128], *user, *pass;

	if (rq == NULL) {
		rq = xcalloc(1, sizeof *rq);
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		rq->body = xrealloc(rq->body, rq->len + *upload_size + 1);
		memcpy(rq->body + rq->len, upload, *upload_size);
		rq->len += *upload_size;
		rq->body[rq->len] = '\0';
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/mtls") == 0)
		return srv_client_verified(c) ? srv_reply(c, 200, "hello, "
		    "client", NULL, NULL) : srv_reply(c, 403, "a client "
		    "certificate of the test CA is required", NULL, NULL);
	if (strcmp(url, "/echo") == 0)
		return srv_reply(c, 200, rq->body != NULL ? rq->body : "",
		    "X-Method", method);
	if (strcmp(url, "/conc") == 0) {
		int now = atomic_fetch_add(&srv_inflight, 1) + 1;
		int max = atomic_load(&srv_maxflight);

		while (now > max &&
		    !atomic_compare_exchange_weak(&srv_maxflight, &max, now))
			;
		usleep(20000);
		atomic_fetch_sub(&srv_inflight, 1);
		return srv_reply(c, 200, rq->body != NULL ? rq->body : "",
		    NULL, NULL);
	}
	if (strcmp(url, "/stream") == 0 || strcmp(url, "/forever") == 0) {
		struct srv_stream *st = xcalloc(1, sizeof *st);

		st->limit = strcmp(url, "/stream") == 0 ? 5 : 0;
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 256,
		    srv_stream_cb, st, srv_stream_free);
		MHD_add_response_header(r, "Mesos-Stream-Id", "sid-1");
		MHD_add_response_header(r, "Content-Type",
		    "application/x-protobuf");
		ret = MHD_queue_response(c, 200, r);
		MHD_destroy_response(r);
		return ret;
	}
	if (strcmp(url, "/redirect") == 0) {
		snprintf(loc, sizeof loc, "//127.0.0.1:%d/master/api/v1/scheduler",
		    srv_port);
		return srv_reply(c, 307, "", "Location", loc);
	}
	if (strcmp(url, "/slow") == 0) {
		usleep(1500000);
		return srv_reply(c, 200, "late", NULL, NULL);
	}
	if (strcmp(url, "/big") == 0) {
		char *big = xmalloc(200001);

		memset(big, 'x', 200000);
		big[200000] = '\0';
		r = MHD_create_response_from_buffer(200000, big,
		    MHD_RESPMEM_MUST_FREE);
		ret = MHD_queue_response(c, 200, r);
		MHD_destroy_response(r);
		return ret;
	}
	if (strcmp(url, "/unavailable") == 0)
		return srv_reply(c, 503, "Master has not finished recovery",
		    NULL, NULL);
	if (strcmp(url, "/auth") == 0) {
		pass = NULL;
		user = MHD_basic_auth_get_username_password(c, &pass);
		if (user != NULL && pass != NULL && strcmp(user, "fw") == 0 &&
		    strcmp(pass, "s3cret") == 0)
			ret = srv_reply(c, 200, "welcome", NULL, NULL);
		else
			ret = srv_reply(c, 401, "bad credentials",
			    "WWW-Authenticate", "Basic realm=\"mesos\"");
		MHD_free(user);
		MHD_free(pass);
		return ret;
	}
	return srv_reply(c, 404, "no such path", NULL, NULL);
}

static void
srv_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct srv_req *rq = *con_cls;

	if (rq != NULL) {
		free(rq->body);
		free(rq);
		*con_cls = NULL;
	}
}

static void
srv_notify(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&srv_conns, 1);
}

/* The client side. */
static struct ev_loop *loop;
static struct http *http;
static struct ev_timer tick;

static void
tick_cb(struct ev_loop *l, struct ev_timer *w, int revents)
{
}

static void
setup(void)
{
	const union MHD_DaemonInfo *info;
	struct http_opts o = { .tls_verify = 1, .pool_size = 4,
	    .connect_timeout_s = 5 };

	srv = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    srv_handler, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, srv_completed, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, srv_notify, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    MHD_OPTION_END);
	ck_assert_ptr_nonnull(srv);
	info = MHD_get_daemon_info(srv, MHD_DAEMON_INFO_BIND_PORT);
	ck_assert_ptr_nonnull(info);
	srv_port = info->port;
	atomic_store(&srv_conns, 0);
	atomic_store(&srv_inflight, 0);
	atomic_store(&srv_maxflight, 0);
	loop = ev_loop_new(EVFLAG_AUTO);
	ev_timer_init(&tick, tick_cb, 0.05, 0.05);
	ev_timer_start(loop, &tick);
	http = http_create(loop, &o);
}

static void
teardown(void)
{
	http_free(http);
	ev_timer_stop(loop, &tick);
	ev_loop_destroy(loop);
	MHD_stop_daemon(srv);
}

static char *
url(const char *path)
{
	return xasprintf("http://127.0.0.1:%d%s", srv_port, path);
}

/* Runs the loop until *flag is set or 20 s pass; returns *flag. */
static int
run_until(const int *flag)
{
	ev_tstamp end = ev_time() + 20;

	while (!*flag && ev_time() < end)
		ev_run(loop, EVRUN_ONCE);
	return *flag;
}

/* What one request saw. */
struct got {
	int	 done;
	int	 heads;
	int	 status;
	int	 timed_out;
	char	*body;
	char	*error;
	char	*location;
	char	*stream_id;
	char	*streamed;
	size_t	 nstreamed;
	int	 chunks;
	int	 cancel_after;	/* cancel self after this many chunks */
	int	*counter;	/* incremented on done */
	int	 order;		/* position in which it completed */
};

static int completed;

static void
got_clear(struct got *g)
{
	free(g->body);
	free(g->error);
	free(g->location);
	free(g->stream_id);
	free(g->streamed);
	memset(g, 0, sizeof *g);
}

static void
done_cb(void *arg, struct http_req *r, const struct http_response *resp)
{
	struct got *g = arg;

	g->done = 1;
	g->status = resp->status;
	g->timed_out = resp->timed_out;
	g->body = xstrndup(resp->body, resp->body_len);
	g->error = resp->error != NULL ? xstrdup(resp->error) : NULL;
	g->location = resp->location != NULL ? xstrdup(resp->location) : NULL;
	if (g->stream_id == NULL && resp->stream_id != NULL)
		g->stream_id = xstrdup(resp->stream_id);
	g->order = ++completed;
	if (g->counter != NULL)
		(*g->counter)++;
	/* Cancelling one's own finished request is harmless. */
	http_req_cancel(r);
}

static void
head_cb(void *arg, struct http_req *r, const struct http_response *resp)
{
	struct got *g = arg;

	g->heads++;
	g->status = resp->status;
	if (resp->stream_id != NULL)
		g->stream_id = xstrdup(resp->stream_id);
}

static void
data_cb(void *arg, struct http_req *r, const char *p, size_t n)
{
	struct got *g = arg;

	g->streamed = xrealloc(g->streamed, g->nstreamed + n + 1);
	memcpy(g->streamed + g->nstreamed, p, n);
	g->nstreamed += n;
	g->streamed[g->nstreamed] = '\0';
	g->chunks++;
	if (g->cancel_after > 0 && g->chunks >= g->cancel_after) {
		http_req_cancel(r);
		g->done = 2;	/* marks "cancelled from the data callback" */
	}
}

static struct http_req *
post(enum http_lane lane, const char *path, const char *body, struct got *g)
{
	char *u = url(path);
	struct http_req *r = http_req_create(http, lane, u, g);

	free(u);
	http_req_header(r, "Content-Type: text/plain");
	http_req_body(r, xstrdup(body), strlen(body));
	http_req_on_done(r, done_cb);
	http_req_timeout(r, 10);
	return r;
}

START_TEST(test_post_echo)
{
	struct got g = { 0 };

	http_submit(post(HTTP_LANE_DIRECT, "/echo", "hello, master", &g));
	ck_assert(run_until(&g.done));
	ck_assert_int_eq(g.status, 200);
	ck_assert_ptr_null(g.error);
	ck_assert_str_eq(g.body, "hello, master");
	got_clear(&g);
}
END_TEST

START_TEST(test_ordered_lane_keepalive)
{
	struct got g[30];
	int n = 0, i;

	memset(g, 0, sizeof g);
	completed = 0;
	for (i = 0; i < 30; i++) {
		g[i].counter = &n;
		http_submit(post(HTTP_LANE_ORDERED, "/conc", "x", &g[i]));
	}
	ck_assert_uint_ge(http_lane_load(http, HTTP_LANE_ORDERED), 29);
	while (n < 30 && run_until(&g[n].done))
		;
	ck_assert_int_eq(n, 30);
	for (i = 0; i < 30; i++) {
		ck_assert_int_eq(g[i].status, 200);
		ck_assert_int_eq(g[i].order, i + 1);	/* FIFO */
		got_clear(&g[i]);
	}
	ck_assert_int_eq(atomic_load(&srv_maxflight), 1);
	/* One kept-alive connection carried them all. */
	ck_assert_int_eq(atomic_load(&srv_conns), 1);
	ck_assert_uint_eq(http_lane_load(http, HTTP_LANE_ORDERED), 0);
}
END_TEST

START_TEST(test_pool_lane_bound)
{
	struct got g[40];
	int n = 0, i, all = 0;

	memset(g, 0, sizeof g);
	for (i = 0; i < 40; i++) {
		g[i].counter = &n;
		http_submit(post(HTTP_LANE_POOL, "/conc", "y", &g[i]));
	}
	for (i = 0; i < 40; i++)
		ck_assert(run_until(&g[i].done));
	for (i = 0; i < 40; i++) {
		ck_assert_int_eq(g[i].status, 200);
		got_clear(&g[i]);
	}
	all = atomic_load(&srv_maxflight);
	ck_assert_int_le(all, 4);
	ck_assert_int_ge(all, 2);
	/* Kept alive: no more connections than the pool. */
	ck_assert_int_le(atomic_load(&srv_conns), 4);
}
END_TEST

START_TEST(test_stream)
{
	struct got g = { 0 };
	char *u = url("/stream");
	struct http_req *r = http_req_create(http, HTTP_LANE_DIRECT, u, &g);

	free(u);
	http_req_body(r, xstrdup("subscribe"), 9);
	http_req_stream(r, head_cb, data_cb);
	http_req_on_done(r, done_cb);
	http_submit(r);
	ck_assert(run_until(&g.done));
	ck_assert_int_eq(g.heads, 1);
	ck_assert_int_eq(g.status, 200);
	ck_assert_str_eq(g.stream_id, "sid-1");
	ck_assert_ptr_null(g.error);
	ck_assert_str_eq(g.streamed,
	    "chunk-0\nchunk-1\nchunk-2\nchunk-3\nchunk-4\n");
	ck_assert_str_eq(g.body, "");	/* streamed, not collected */
	got_clear(&g);
}
END_TEST

START_TEST(test_stream_cancel_from_data_cb)
{
	struct got g = { 0 }, after = { 0 };
	char *u = url("/forever");
	struct http_req *r = http_req_create(http, HTTP_LANE_DIRECT, u, &g);
	ev_tstamp end;

	free(u);
	g.cancel_after = 3;
	http_req_body(r, xstrdup("subscribe"), 9);
	http_req_stream(r, head_cb, data_cb);
	http_req_on_done(r, done_cb);
	http_submit(r);
	ck_assert(run_until(&g.done));
	ck_assert_int_eq(g.done, 2);
	ck_assert_int_ge(g.chunks, 3);
	/* The client still works, and the cancelled one never calls back. */
	http_submit(post(HTTP_LANE_ORDERED, "/echo", "next", &after));
	ck_assert(run_until(&after.done));
	ck_assert_str_eq(after.body, "next");
	end = ev_time() + 0.3;
	while (ev_time() < end)
		ev_run(loop, EVRUN_ONCE);
	ck_assert_int_eq(g.done, 2);
	ck_assert_uint_eq(http_lane_load(http, HTTP_LANE_DIRECT), 0);
	got_clear(&g);
	got_clear(&after);
}
END_TEST

START_TEST(test_timeout)
{
	struct got g = { 0 };
	struct http_req *r = post(HTTP_LANE_ORDERED, "/slow", "", &g);

	http_req_timeout(r, 0.3);
	http_submit(r);
	ck_assert(run_until(&g.done));
	ck_assert_int_eq(g.timed_out, 1);
	ck_assert_ptr_nonnull(g.error);
	got_clear(&g);
}
END_TEST

START_TEST(test_body_bound)
{
	struct got g = { 0 };
	struct http_req *r = post(HTTP_LANE_DIRECT, "/big", "", &g);

	http_req_max_body(r, 1000);
	http_submit(r);
	ck_assert(run_until(&g.done));
	ck_assert_ptr_nonnull(g.error);
	ck_assert_ptr_nonnull(strstr(g.error, "larger than 1000 bytes"));
	got_clear(&g);

	r = post(HTTP_LANE_DIRECT, "/big", "", &g);
	http_req_max_body(r, 300000);
	http_submit(r);
	ck_assert(run_until(&g.done));
	ck_assert_ptr_null(g.error);
	ck_assert_uint_eq(strlen(g.body), 200000);
	got_clear(&g);
}
END_TEST

START_TEST(test_redirect_not_followed)
{
	struct got g = { 0 };
	char want[128];

	http_submit(post(HTTP_LANE_DIRECT, "/redirect", "", &g));
	ck_assert(run_until(&g.done));
	ck_assert_int_eq(g.status, 307);
	snprintf(want, sizeof want, "//127.0.0.1:%d/master/api/v1/scheduler",
	    srv_port);
	ck_assert_str_eq(g.location, want);
	got_clear(&g);

	http_submit(post(HTTP_LANE_DIRECT, "/unavailable", "", &g));
	ck_assert(run_until(&g.done));
	ck_assert_int_eq(g.status, 503);
	ck_assert_str_eq(g.body, "Master has not finished recovery");
	ck_assert_ptr_null(g.error);
	got_clear(&g);
}
END_TEST

START_TEST(test_refused)
{
	struct got g = { 0 };
	struct http_req *r = http_req_create(http, HTTP_LANE_POOL,
	    "http://127.0.0.1:1/api/v1/scheduler", &g);

	http_req_body(r, xstrdup("x"), 1);
	http_req_on_done(r, done_cb);
	http_req_timeout(r, 5);
	http_submit(r);
	ck_assert(run_until(&g.done));
	ck_assert_int_eq(g.status, 0);
	ck_assert_ptr_nonnull(g.error);
	ck_assert_int_eq(g.timed_out, 0);
	got_clear(&g);
}
END_TEST

START_TEST(test_basic_auth)
{
	struct http_opts o = { .tls_verify = 1, .pool_size = 2,
	    .username = "fw", .password = "s3cret" };
	struct http *plain = http, *authed = http_create(loop, &o);
	struct got g = { 0 };
	struct http_req *r;
	char *u = url("/auth");

	http_submit(post(HTTP_LANE_DIRECT, "/auth", "", &g));
	ck_assert(run_until(&g.done));
	ck_assert_int_eq(g.status, 401);
	got_clear(&g);

	http = authed;
	r = http_req_create(authed, HTTP_LANE_DIRECT, u, &g);
	http_req_body(r, xstrdup(""), 0);
	http_req_on_done(r, done_cb);
	http_submit(r);
	ck_assert(run_until(&g.done));
	ck_assert_int_eq(g.status, 200);
	ck_assert_str_eq(g.body, "welcome");
	got_clear(&g);
	http = plain;
	http_free(authed);
	free(u);
}
END_TEST

START_TEST(test_cancel_all)
{
	struct got g[6];
	int i;
	ev_tstamp end;

	memset(g, 0, sizeof g);
	for (i = 0; i < 6; i++)
		http_submit(post(i % 2 ? HTTP_LANE_POOL : HTTP_LANE_ORDERED,
		    "/slow", "", &g[i]));
	/* Let some of them get onto the wire. */
	end = ev_time() + 0.2;
	while (ev_time() < end)
		ev_run(loop, EVRUN_ONCE);
	http_cancel_all(http);
	ck_assert_uint_eq(http_lane_load(http, HTTP_LANE_POOL), 0);
	ck_assert_uint_eq(http_lane_load(http, HTTP_LANE_ORDERED), 0);
	end = ev_time() + 2;
	while (ev_time() < end)
		ev_run(loop, EVRUN_ONCE);
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(g[i].done, 0);
}
END_TEST

/* A done callback that submits the next request of a chain. */
static int chain_left;
static struct got chain_got;

static void
chain_cb(void *arg, struct http_req *r, const struct http_response *resp)
{
	struct http_req *next;
	char *u;

	ck_assert_int_eq(resp->status, 200);
	if (--chain_left == 0) {
		chain_got.done = 1;
		return;
	}
	u = url("/echo");
	next = http_req_create(http, HTTP_LANE_ORDERED, u, NULL);
	free(u);
	http_req_body(next, xstrdup("again"), 5);
	http_req_on_done(next, chain_cb);
	http_submit(next);
}

START_TEST(test_submit_from_done_cb)
{
	char *u = url("/echo");
	struct http_req *r = http_req_create(http, HTTP_LANE_ORDERED, u, NULL);

	free(u);
	chain_left = 25;
	memset(&chain_got, 0, sizeof chain_got);
	http_req_body(r, xstrdup("first"), 5);
	http_req_on_done(r, chain_cb);
	http_submit(r);
	ck_assert(run_until(&chain_got.done));
	ck_assert_int_eq(chain_left, 0);
}
END_TEST

/* A done callback that cancels a queued sibling and an in-flight one. */
static struct http_req *victims[2];
static int victim_calls;

static void
victim_cb(void *arg, struct http_req *r, const struct http_response *resp)
{
	victim_calls++;
}

static void
killer_cb(void *arg, struct http_req *r, const struct http_response *resp)
{
	struct got *g = arg;

	http_req_cancel(victims[0]);
	http_req_cancel(victims[1]);
	g->done = 1;
}

START_TEST(test_cancel_from_done_cb)
{
	struct got g = { 0 };
	struct http_req *killer = post(HTTP_LANE_ORDERED, "/echo", "k", &g);
	ev_tstamp end;

	http_req_on_done(killer, killer_cb);
	victims[0] = post(HTTP_LANE_ORDERED, "/echo", "v0", NULL);
	victims[1] = post(HTTP_LANE_DIRECT, "/slow", "v1", NULL);
	http_req_on_done(victims[0], victim_cb);
	http_req_on_done(victims[1], victim_cb);
	victim_calls = 0;
	http_submit(killer);
	http_submit(victims[0]);
	http_submit(victims[1]);
	ck_assert(run_until(&g.done));
	end = ev_time() + 2;
	while (ev_time() < end)
		ev_run(loop, EVRUN_ONCE);
	ck_assert_int_eq(victim_calls, 0);
	ck_assert_uint_eq(http_lane_load(http, HTTP_LANE_DIRECT), 0);
}
END_TEST

START_TEST(test_free_with_requests_in_flight)
{
	struct got g[4];
	int i;
	ev_tstamp end;

	memset(g, 0, sizeof g);
	for (i = 0; i < 4; i++)
		http_submit(post(HTTP_LANE_POOL, "/slow", "", &g[i]));
	http_submit(post(HTTP_LANE_DIRECT, "/forever", "", &g[0]));
	end = ev_time() + 0.2;
	while (ev_time() < end)
		ev_run(loop, EVRUN_ONCE);
	http_free(http);
	http = NULL;
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(g[i].done, 0);
	/* The loop has nothing of the client left. */
	ev_timer_stop(loop, &tick);
	ck_assert_int_eq(ev_run(loop, EVRUN_NOWAIT), 0);
	ev_timer_start(loop, &tick);
}
END_TEST

/*
 * A self-signed certificate for 127.0.0.1 (valid until 2126) and its key,
 * made once with: openssl req -x509 -newkey ec -pkeyopt
 * ec_paramgen_curve:prime256v1 -nodes -days 36500 -subj /CN=127.0.0.1
 * -addext subjectAltName=IP:127.0.0.1
 */
static const char tls_cert[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBkDCCATagAwIBAgIUSptqhxiC8OFTDS/5MurZiP3Prm8wCgYIKoZIzj0EAwIw\n"
    "FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyNzAwMTk1NloYDzIxMjYxMTAz\n"
    "MDAxOTU2WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n"
    "PQMBBwNCAAQTNElBQ2X9KQn7ANu6LntNGfRLonL63gt3ZKE/zO/84o4lG6nPhuGK\n"
    "aLQ/hfir427WjuAE+QubUTJOqu7VTgX3o2QwYjAdBgNVHQ4EFgQUki40bP10Ll76\n"
    "/Z3e5X07w92ZRi0wHwYDVR0jBBgwFoAUki40bP10Ll76/Z3e5X07w92ZRi0wDwYD\n"
    "VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC\n"
    "IQCnCU7Al3ngfBsz+P9QRbQNtWShvg579YfCXlyfYtBXyAIgRwSnz0XoXXH/5sxf\n"
    "vpa4LDrq5Vnk49KE9BoE/ukwvzM=\n"
    "-----END CERTIFICATE-----\n";
static const char tls_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg6tywwg7KivhsohE2\n"
    "A5tk2ZWmslIxZDkEDI5X8A3T6VyhRANCAAQTNElBQ2X9KQn7ANu6LntNGfRLonL6\n"
    "3gt3ZKE/zO/84o4lG6nPhuGKaLQ/hfir427WjuAE+QubUTJOqu7VTgX3\n"
    "-----END PRIVATE KEY-----\n";

static struct MHD_Daemon *tls_srv;
static int tls_port;
static char tls_ca_path[64];

static void
tls_setup(void)
{
	const union MHD_DaemonInfo *info;
	int fd;

	setup();
	tls_srv = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS, 0, NULL, NULL,
	    srv_handler, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, srv_completed, NULL,
	    MHD_OPTION_HTTPS_MEM_KEY, tls_key,
	    MHD_OPTION_HTTPS_MEM_CERT, tls_cert,
	    MHD_OPTION_END);
	ck_assert_ptr_nonnull(tls_srv);
	info = MHD_get_daemon_info(tls_srv, MHD_DAEMON_INFO_BIND_PORT);
	tls_port = info->port;
	snprintf(tls_ca_path, sizeof tls_ca_path,
	    "/tmp/ark-check-http-ca-XXXXXX");
	fd = mkstemp(tls_ca_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, tls_cert, strlen(tls_cert)),
	    (ssize_t)strlen(tls_cert));
	close(fd);
}

static void
tls_teardown(void)
{
	unlink(tls_ca_path);
	MHD_stop_daemon(tls_srv);
	teardown();
}

/* POSTs to the TLS server through a client made with o. */
static void
tls_post(const struct http_opts *o, struct got *g)
{
	struct http *c = http_create(loop, o);
	char *u = xasprintf("https://127.0.0.1:%d/echo", tls_port);
	struct http_req *r = http_req_create(c, HTTP_LANE_ORDERED, u, g);

	http_req_body(r, xstrdup("over tls"), 8);
	http_req_on_done(r, done_cb);
	http_req_timeout(r, 10);
	http_submit(r);
	ck_assert(run_until(&g->done));
	http_free(c);
	free(u);
}

START_TEST(test_tls_verified_with_ca_file)
{
	struct http_opts o = { .tls_verify = 1, .pool_size = 1,
	    .ca_file = tls_ca_path };
	struct got g = { 0 };

	tls_post(&o, &g);
	ck_assert_msg(g.error == NULL, "%s", g.error);
	ck_assert_int_eq(g.status, 200);
	ck_assert_str_eq(g.body, "over tls");
	got_clear(&g);
}
END_TEST

START_TEST(test_tls_unknown_ca_refused)
{
	struct http_opts o = { .tls_verify = 1, .pool_size = 1 };
	struct got g = { 0 };

	/* Verification is on and the system bundle does not know it. */
	tls_post(&o, &g);
	ck_assert_int_eq(g.status, 0);
	ck_assert_ptr_nonnull(g.error);
	ck_assert_msg(strcasestr(g.error, "certificate") != NULL,
	    "not a certificate error: %s", g.error);
	got_clear(&g);
}
END_TEST

START_TEST(test_tls_verify_off)
{
	struct http_opts o = { .tls_verify = 0, .pool_size = 1 };
	struct got g = { 0 };

	tls_post(&o, &g);
	ck_assert_int_eq(g.status, 200);
	got_clear(&g);
}
END_TEST

/*
 * Mutual TLS: a server with the test CA's certificate for 127.0.0.1 that
 * answers /mtls only to a client certificate of the same CA
 * (tests/tls/make-certs made them).
 */
#define TLS_DIR	ARK_SRCDIR "/tests/tls/"

static char *mtls_cert, *mtls_key, *mtls_ca;

static void
mtls_setup(void)
{
	const union MHD_DaemonInfo *info;
	size_t n;

	setup();
	mtls_cert = tu_read_file(TLS_DIR "server.pem", &n);
	mtls_key = tu_read_file(TLS_DIR "server-key.pem", &n);
	mtls_ca = tu_read_file(TLS_DIR "ca.pem", &n);
	ck_assert(mtls_cert != NULL && mtls_key != NULL && mtls_ca != NULL);
	tls_srv = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS, 0, NULL, NULL,
	    srv_handler, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, srv_completed, NULL,
	    MHD_OPTION_HTTPS_MEM_KEY, mtls_key,
	    MHD_OPTION_HTTPS_MEM_CERT, mtls_cert,
	    MHD_OPTION_HTTPS_MEM_TRUST, mtls_ca,
	    MHD_OPTION_END);
	ck_assert_ptr_nonnull(tls_srv);
	info = MHD_get_daemon_info(tls_srv, MHD_DAEMON_INFO_BIND_PORT);
	tls_port = info->port;
}

static void
mtls_teardown(void)
{
	MHD_stop_daemon(tls_srv);
	free(mtls_cert);
	free(mtls_key);
	free(mtls_ca);
	teardown();
}

/* GETs /mtls from the mutual-TLS server with a client made with o. */
static void
mtls_get(const struct http_opts *o, struct got *g)
{
	struct http *c = http_create(loop, o);
	char *u = xasprintf("https://127.0.0.1:%d/mtls", tls_port);
	struct http_req *r = http_req_create(c, HTTP_LANE_DIRECT, u, g);

	http_req_on_done(r, done_cb);
	http_req_timeout(r, 10);
	http_submit(r);
	ck_assert(run_until(&g->done));
	http_free(c);
	free(u);
}

START_TEST(test_mtls_client_cert)
{
	struct http_opts o = { .tls_verify = 1, .pool_size = 1,
	    .ca_file = TLS_DIR "ca.pem", .cert_file = TLS_DIR "client.pem",
	    .key_file = TLS_DIR "client-key.pem" };
	struct got g = { 0 };

	mtls_get(&o, &g);
	ck_assert_msg(g.error == NULL, "%s", g.error);
	ck_assert_int_eq(g.status, 200);
	ck_assert_str_eq(g.body, "hello, client");
	got_clear(&g);
}
END_TEST

START_TEST(test_mtls_without_cert)
{
	struct http_opts o = { .tls_verify = 1, .pool_size = 1,
	    .ca_file = TLS_DIR "ca.pem" };
	struct got g = { 0 };

	mtls_get(&o, &g);
	ck_assert_int_eq(g.status, 403);
	got_clear(&g);
}
END_TEST

START_TEST(test_mtls_cert_of_another_ca)
{
	struct http_opts o = { .tls_verify = 1, .pool_size = 1,
	    .ca_file = TLS_DIR "ca.pem",
	    .cert_file = TLS_DIR "other-client.pem",
	    .key_file = TLS_DIR "other-client-key.pem" };
	struct got g = { 0 };

	/* refused by the server, in the handshake or with 403 */
	mtls_get(&o, &g);
	ck_assert_msg(g.status == 403 || (g.status == 0 && g.error != NULL),
	    "status %d", g.status);
	got_clear(&g);
}
END_TEST

static Suite *
http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("client"), *tls;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_post_echo);
	tcase_add_test(tc, test_ordered_lane_keepalive);
	tcase_add_test(tc, test_pool_lane_bound);
	tcase_add_test(tc, test_stream);
	tcase_add_test(tc, test_stream_cancel_from_data_cb);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_body_bound);
	tcase_add_test(tc, test_redirect_not_followed);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_basic_auth);
	tcase_add_test(tc, test_cancel_all);
	tcase_add_test(tc, test_submit_from_done_cb);
	tcase_add_test(tc, test_cancel_from_done_cb);
	tcase_add_test(tc, test_free_with_requests_in_flight);
	suite_add_tcase(s, tc);
	tls = tcase_create("tls");
	tcase_add_checked_fixture(tls, tls_setup, tls_teardown);
	tcase_set_timeout(tls, 60);
	tcase_add_test(tls, test_tls_verified_with_ca_file);
	tcase_add_test(tls, test_tls_unknown_ca_refused);
	tcase_add_test(tls, test_tls_verify_off);
	suite_add_tcase(s, tls);
	tls = tcase_create("mtls");
	tcase_add_checked_fixture(tls, mtls_setup, mtls_teardown);
	tcase_set_timeout(tls, 60);
	tcase_add_test(tls, test_mtls_client_cert);
	tcase_add_test(tls, test_mtls_without_cert);
	tcase_add_test(tls, test_mtls_cert_of_another_ca);
	suite_add_tcase(s, tls);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(http_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
