/*
 * check_master — the master connection's pure parts as tables (backoff
 * bounds and jitter, Location in all its forms, URL normalisation, redirect
 * limit, secret file permissions, lanes and retry rules, FrameworkInfo) and
 * master.c end to end against a small fake master (libmicrohttpd in its own
 * thread) that streams SUBSCRIBED and HEARTBEATs and answers calls: the
 * subscription, stream id rules, calls and their outcomes, 307 between two
 * fake masters, the redirect limit, 401, a dropped and a stalled stream.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <ev.h>
#include <microhttpd.h>

#include "codec.h"
#include "config.h"
#include "framework.h"
#include "log.h"
#include "master.h"
#include "metrics.h"
#include "msg.h"
#include "recordio.h"
#include "xmalloc.h"

/* A string literal where struct config wants a char *. */
#define W(s)	((char *)(uintptr_t)(const char *)(s))

/* Pure parts. */

START_TEST(test_backoff_bounds)
{
	unsigned a;
	double prev = 0, d;

	for (a = 0; a < 40; a++) {
		ck_assert(master_backoff_delay(0.5, 15, a, 0) == 0);
		d = master_backoff_delay(0.5, 15, a, 0.999999);
		ck_assert(d <= 15);
		ck_assert(d >= prev);	/* the cap grows, then stays */
		prev = d;
	}
	ck_assert(master_backoff_delay(0.5, 15, 0, 0.999999) <= 0.5);
	ck_assert(master_backoff_delay(0.5, 15, 3, 0.999999) <= 4.0);
	ck_assert(master_backoff_delay(0.5, 15, 3, 0.999999) > 3.9);
	ck_assert(master_backoff_delay(0.5, 15, 10, 0.999999) > 14.9);
	/* Full jitter: the draw scales the whole interval. */
	ck_assert(master_backoff_delay(1, 15, 2, 0.5) == 2.0);
	ck_assert(master_backoff_delay(1, 15, 2, 0.25) == 1.0);
	/* Out-of-range draws stay inside. */
	ck_assert(master_backoff_delay(1, 15, 2, 7) < 4.0);
	ck_assert(master_backoff_delay(1, 15, 2, -1) == 0);
	/* Huge attempt counts do not overflow. */
	ck_assert(master_backoff_delay(1, 15, 4000000000u, 0.999) <= 15);
}
END_TEST

static const struct {
	const char *base, *loc, *want;
} location_cases[] = {
	/* Mesos 1.12: scheme-relative with the leader's actor prefix. */
	{ "http://10.0.0.1:5050/api/v1/scheduler",
	  "//10.0.0.2:5050/master/api/v1/scheduler",
	  "http://10.0.0.2:5050/master/api/v1/scheduler" },
	{ "https://m1:5050/api/v1/scheduler",
	  "//m2:5050/master/api/v1/scheduler",
	  "https://m2:5050/master/api/v1/scheduler" },
	/* Absolute. */
	{ "http://m1:5050/api/v1/scheduler",
	  "http://m3:5051/api/v1/scheduler",
	  "http://m3:5051/api/v1/scheduler" },
	{ "http://m1:5050/api/v1/scheduler", "HTTPS://m3/api/v1/scheduler",
	  "HTTPS://m3/api/v1/scheduler" },
	/* Relative: to the origin, and to the directory. */
	{ "http://m1:5050/api/v1/scheduler", "/master/api/v1/scheduler",
	  "http://m1:5050/master/api/v1/scheduler" },
	{ "http://m1:5050/api/v1/scheduler", "scheduler2",
	  "http://m1:5050/api/v1/scheduler2" },
	/* /redirect's answer has no path. */
	{ "http://m1:5050/redirect", "//m2:5050",
	  "http://m2:5050/api/v1/scheduler" },
	{ "http://m1:5050/redirect", "//m2:5050/",
	  "http://m2:5050/api/v1/scheduler" },
	/* Blanks around the header value. */
	{ "http://m1:5050/api/v1/scheduler", "  //m2:1/x\r\n",
	  "http://m2:1/x" },
};

START_TEST(test_location_forms)
{
	size_t i;
	char *got, *cause;

	for (i = 0; i < sizeof location_cases / sizeof location_cases[0];
	    i++) {
		cause = NULL;
		got = master_location_resolve(location_cases[i].base,
		    location_cases[i].loc, &cause);
		ck_assert_msg(got != NULL, "case %zu: %s", i, cause);
		ck_assert_str_eq(got, location_cases[i].want);
		free(got);
	}
}
END_TEST

START_TEST(test_location_errors)
{
	char *cause = NULL;

	ck_assert_ptr_null(master_location_resolve(
	    "http://m1:5050/api/v1/scheduler", "", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "empty Location"));
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(master_location_resolve(
	    "http://m1:5050/api/v1/scheduler", "ftp://m2/x", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "unsupported scheme"));
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(master_location_resolve(
	    "http://m1:5050/api/v1/scheduler", "///x", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "no host"));
	free(cause);
	/* Found by fuzz_master_url: an absolute URL with an empty host. */
	cause = NULL;
	ck_assert_ptr_null(master_location_resolve(
	    "http://m1:5050/api/v1/scheduler", "https:////m2:50/x", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "no host"));
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(master_location_resolve(
	    "http://m1:5050/api/v1/scheduler", "//m 2:50/x", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "bad host"));
	free(cause);
}
END_TEST

START_TEST(test_url_normalize)
{
	static const struct {
		const char *in, *want;
	} ok[] = {
		{ "127.0.0.1:5050", "http://127.0.0.1:5050/api/v1/scheduler" },
		{ "http://m:5050", "http://m:5050/api/v1/scheduler" },
		{ "http://m:5050/", "http://m:5050/api/v1/scheduler" },
		{ "https://m:5050/api/v1/scheduler",
		  "https://m:5050/api/v1/scheduler" },
		{ "http://proxy/mesos/", "http://proxy/mesos/api/v1/scheduler" },
		{ "http://[::1]:5050", "http://[::1]:5050/api/v1/scheduler" },
	};
	size_t i;
	char *got, *cause = NULL;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		got = master_url_normalize(ok[i].in, &cause);
		ck_assert_msg(got != NULL, "%s: %s", ok[i].in, cause);
		ck_assert_str_eq(got, ok[i].want);
		free(got);
	}
	ck_assert_ptr_null(master_url_normalize("zk://z1:2181,z2:2181/mesos",
	    &cause));
	ck_assert_ptr_nonnull(strstr(cause,
	    "a zk:// URL names ZooKeeper, not a master"));
	free(cause);
	ck_assert_ptr_null(master_url_normalize("ftp://m", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "unsupported scheme"));
	free(cause);
	ck_assert_ptr_null(master_url_normalize("http:///x", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "no host"));
	free(cause);
	ck_assert_ptr_null(master_url_normalize("http:/5050", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "bad host"));
	free(cause);

	got = master_url_operator("http://m:1/master/api/v1/scheduler");
	ck_assert_str_eq(got, "http://m:1/api/v1");
	free(got);
	got = master_url_operator("http://m:1/mesos/api/v1/scheduler");
	ck_assert_str_eq(got, "http://m:1/mesos/api/v1");
	free(got);
	got = master_url_hostport("https://m:1/api/v1/scheduler");
	ck_assert_str_eq(got, "m:1");
	free(got);
}
END_TEST

static char *
write_secret(const char *text, mode_t mode)
{
	char *path = xstrdup("/tmp/ark-secret-XXXXXX");
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

START_TEST(test_secret_file)
{
	char *path, *secret = NULL, *cause = NULL;

	path = write_secret("s3cret\n", 0600);
	ck_assert_int_eq(master_secret_read(path, &secret, &cause), 0);
	ck_assert_str_eq(secret, "s3cret");
	free(secret);
	unlink(path);
	free(path);

	path = write_secret("s3cret\n", 0644);
	ck_assert_int_eq(master_secret_read(path, &secret, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, path));
	ck_assert_ptr_nonnull(strstr(cause, "group or others"));
	ck_assert_ptr_nonnull(strstr(cause, "0644"));
	free(cause);
	unlink(path);
	free(path);

	path = write_secret("s3cret", 0640);
	ck_assert_int_eq(master_secret_read(path, &secret, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "0640"));
	free(cause);
	unlink(path);
	free(path);

	path = write_secret("\n", 0400);
	ck_assert_int_eq(master_secret_read(path, &secret, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "empty"));
	free(cause);
	unlink(path);
	free(path);

	ck_assert_int_eq(master_secret_read("/nonexistent/secret", &secret,
	    &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "/nonexistent/secret"));
	free(cause);
}
END_TEST

START_TEST(test_call_rules)
{
	static const struct {
		int type;
		enum http_lane lane;
		int retry, survives;
	} t[] = {
		{ MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE,
		  HTTP_LANE_POOL, 1, 1 },
		{ MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE,
		  HTTP_LANE_POOL, 1, 0 },
		{ MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT,
		  HTTP_LANE_ORDERED, 0, 0 },
		{ MESOS__V1__SCHEDULER__CALL__TYPE__KILL,
		  HTTP_LANE_ORDERED, 1, 1 },
		{ MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS,
		  HTTP_LANE_ORDERED, 1, 1 },
		{ MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE,
		  HTTP_LANE_ORDERED, 1, 1 },
		{ MESOS__V1__SCHEDULER__CALL__TYPE__RECONCILE,
		  HTTP_LANE_ORDERED, 1, 1 },
		{ MESOS__V1__SCHEDULER__CALL__TYPE__UPDATE_FRAMEWORK,
		  HTTP_LANE_ORDERED, 0, 1 },
		{ MESOS__V1__SCHEDULER__CALL__TYPE__TEARDOWN,
		  HTTP_LANE_ORDERED, 0, 1 },
		{ MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT_INVERSE_OFFERS,
		  HTTP_LANE_ORDERED, 0, 0 },
		{ MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE_INVERSE_OFFERS,
		  HTTP_LANE_POOL, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		ck_assert_int_eq(master_call_lane(t[i].type), t[i].lane);
		ck_assert_int_eq(master_call_retryable(t[i].type), t[i].retry);
		ck_assert_int_eq(master_call_survives(t[i].type),
		    t[i].survives);
	}
}
END_TEST

/* A configuration as config_load would leave it, built by hand. */
static char *cfg_masters[3];
static char *cfg_roles[2] = { W("web"), W("batch") };
static struct config_kv cfg_labels[1] = { { W("team"), W("infra") } };
static struct config_job cfg_jobs[1];
static struct config cfg;

static void
cfg_init(void)
{
	memset(&cfg, 0, sizeof cfg);
	memset(cfg_jobs, 0, sizeof cfg_jobs);
	cfg.masters = cfg_masters;
	cfg.nmasters = 1;
	cfg.encoding = W("protobuf");
	cfg.tls_verify = 1;
	cfg.heartbeat_misses = 3;
	cfg.backoff_initial_s = 0.05;
	cfg.backoff_max_s = 0.4;
	cfg.call_timeout_s = 5;
	cfg.ack_connections = 4;
	cfg.redirect_limit = 3;
	cfg.framework_name = W("ark-test");
	cfg.user = W("nobody");
	cfg.roles = cfg_roles;
	cfg.nroles = 2;
	cfg.principal = W("ark");
	cfg.failover_timeout_s = 0;	/* unset: one week */
	cfg.checkpoint = 1;
	cfg.partition_aware = 1;
	cfg.framework_labels = cfg_labels;
	cfg.nframework_labels = 1;
	cfg.jobs = cfg_jobs;
	cfg.njobs = 1;
}

static int
has_capability(const Mesos__V1__FrameworkInfo *fi, int type)
{
	size_t i;

	for (i = 0; i < fi->n_capabilities; i++)
		if (fi->capabilities[i]->type == (unsigned)type)
			return 1;
	return 0;
}

START_TEST(test_framework_info)
{
	Mesos__V1__Scheduler__Call *call, *back;
	Mesos__V1__FrameworkInfo *fi;
	struct buf b;
	char *cause = NULL;

	cfg_init();
	fi = framework_info_build(&cfg, NULL);
	ck_assert_str_eq(fi->name, "ark-test");
	ck_assert_str_eq(fi->user, "nobody");
	ck_assert_ptr_null(fi->id);
	ck_assert(fi->has_failover_timeout);
	ck_assert(fi->failover_timeout == 604800.0);
	ck_assert(fi->has_checkpoint && fi->checkpoint);
	ck_assert_uint_eq(fi->n_roles, 2);
	ck_assert_str_eq(fi->roles[1], "batch");
	ck_assert_str_eq(fi->principal, "ark");
	ck_assert_ptr_null(fi->hostname);
	ck_assert(has_capability(fi,
	    MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__MULTI_ROLE));
	ck_assert(has_capability(fi,
	    MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__TASK_KILLING_STATE));
	ck_assert(has_capability(fi,
	    MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__PARTITION_AWARE));
	ck_assert(!has_capability(fi,
	    MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__GPU_RESOURCES));
	ck_assert(!has_capability(fi,
	    MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__REGION_AWARE));
	ck_assert_uint_eq(fi->labels->n_labels, 1);
	ck_assert_str_eq(fi->labels->labels[0]->key, "team");
	codec_free(fi);

	cfg.partition_aware = 0;
	cfg.failover_timeout_s = 3600;
	cfg_jobs[0].gpus = 1;
	cfg.hostname = W("sched-1");
	fi = framework_info_build(&cfg, "fw-42");
	ck_assert_str_eq(fi->id->value, "fw-42");
	ck_assert(fi->failover_timeout == 3600);
	ck_assert_str_eq(fi->hostname, "sched-1");
	ck_assert(!has_capability(fi,
	    MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__PARTITION_AWARE));
	ck_assert(has_capability(fi,
	    MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__GPU_RESOURCES));
	codec_free(fi);

	/* The SUBSCRIBE call survives both encodings. */
	call = framework_subscribe_call(&cfg, "fw-42");
	ck_assert_str_eq(call->framework_id->value, "fw-42");
	buf_init(&b, 0);
	ck_assert_int_eq(codec_encode_call(CODEC_JSON, call, &b, &cause), 0);
	ck_assert_ptr_null(strstr(b.data, "\"role\""));	/* deprecated */
	back = codec_decode_call(CODEC_JSON, b.data, b.len, &cause);
	ck_assert_ptr_nonnull(back);
	ck_assert_str_eq(back->subscribe->framework_info->id->value, "fw-42");
	ck_assert_uint_eq(back->subscribe->framework_info->n_roles, 2);
	codec_free(back);
	buf_reset(&b);
	ck_assert_int_eq(codec_encode_call(CODEC_PROTOBUF, call, &b, &cause),
	    0);
	back = codec_decode_call(CODEC_PROTOBUF, b.data, b.len, &cause);
	ck_assert_ptr_nonnull(back);
	ck_assert_uint_eq(back->subscribe->framework_info->n_capabilities,
	    call->subscribe->framework_info->n_capabilities);
	codec_free(back);
	buf_clear(&b);
	codec_free(call);
}
END_TEST

START_TEST(test_create_errors)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct msg_queue q = { 0 };
	char *cause = NULL, *path;

	cfg_init();
	cfg_masters[0] = W("http://127.0.0.1:5050");
	cfg.encoding = W("xml");
	ck_assert_ptr_null(master_create(loop, &cfg, &q, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "xml"));
	free(cause);

	cfg.encoding = W("json");
	path = write_secret("pw\n", 0604);
	cfg.secret_file = path;
	ck_assert_ptr_null(master_create(loop, &cfg, &q, &cause));
	ck_assert_ptr_nonnull(strstr(cause, path));
	ck_assert_ptr_nonnull(strstr(cause, "group or others"));
	free(cause);
	unlink(path);
	free(path);
	ev_loop_destroy(loop);
}
END_TEST

/*
 * The fake master: SUBSCRIBE gets a RecordIO stream (SUBSCRIBED, then a
 * HEARTBEAT every 0.2 s unless stalled), other calls 202 when the stream id
 * matches. Knobs and counters are atomics shared with the test thread.
 */
struct fake {
	struct MHD_Daemon *d;
	int		 port;
	atomic_int	 redirect_to;	/* answer 307 to this port */
	atomic_int	 redirect_bare;	/* 307 without Location */
	atomic_int	 unauthorized;	/* answer 401 */
	atomic_int	 call_status;	/* answer to calls; 0 = 202 */
	atomic_int	 stall;		/* stop sending heartbeats */
	atomic_int	 drop;		/* end the current stream */
	atomic_int	 subscribes;
	atomic_int	 sub_with_stream_id;	/* must stay 0 */
	atomic_int	 sub_with_fwid;
	atomic_int	 calls;
	atomic_int	 calls_ok;
	atomic_int	 bad_stream_id;
	atomic_int	 stream_n;	/* streams opened */
	atomic_int	 agents;	/* GET_AGENTS answered */
	atomic_int	 quit;		/* end every stream (teardown) */
	enum codec_type	 codec;
};

static struct fake fakes[2];

struct fake_conn {
	struct buf	 body;
};

struct fake_stream {
	struct fake	*f;
	int		 n;		/* records sent */
	int		 gen;		/* drop counter at start */
	char		 fwid[64];
};

static void
fake_event(struct fake *f, Mesos__V1__Scheduler__Event *ev, struct buf *out)
{
	struct buf enc;
	char *cause = NULL;

	buf_init(&enc, 0);
	ck_assert_int_eq(codec_encode_event(f->codec, ev, &enc, &cause), 0);
	recordio_write(out, enc.data, enc.len);
	buf_clear(&enc);
}

static ssize_t
fake_stream_cb(void *cls, uint64_t pos, char *out, size_t max)
{
	struct fake_stream *st = cls;
	struct fake *f = st->f;
	Mesos__V1__Scheduler__Event ev = MESOS__V1__SCHEDULER__EVENT__INIT;
	Mesos__V1__Scheduler__Event__Subscribed sub =
	    MESOS__V1__SCHEDULER__EVENT__SUBSCRIBED__INIT;
	Mesos__V1__FrameworkID id = MESOS__V1__FRAMEWORK_ID__INIT;
	struct buf b;
	ssize_t n;
	int i;

	for (i = 0; st->n > 0; i++) {
		if (atomic_load(&f->drop) != st->gen ||
		    atomic_load(&f->quit))
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (i >= 20 && !atomic_load(&f->stall))
			break;
		usleep(10000);
	}
	buf_init(&b, 0);
	ev.has_type = 1;
	if (st->n == 0) {
		ev.type = MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED;
		id.value = st->fwid;
		sub.framework_id = &id;
		sub.has_heartbeat_interval_seconds = 1;
		sub.heartbeat_interval_seconds = 0.2;
		ev.subscribed = &sub;
	} else
		ev.type = MESOS__V1__SCHEDULER__EVENT__TYPE__HEARTBEAT;
	fake_event(f, &ev, &b);
	st->n++;
	n = (ssize_t)(b.len < max ? b.len : max);
	memcpy(out, b.data, (size_t)n);
	buf_clear(&b);
	return n;
}

static enum MHD_Result
fake_reply(struct MHD_Connection *c, int status, const char *body,
    const char *h, const char *v)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body),
	    (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (h != NULL)
		MHD_add_response_header(r, h, v);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
fake_handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct fake *f = cls;
	struct fake_conn *fc = *con_cls;
	Mesos__V1__Scheduler__Call *call;
	struct fake_stream *st;
	struct MHD_Response *r;
	const char *sid;
	char loc[128], *cause = NULL;
	enum MHD_Result ret;
	int status;

	if (fc == NULL) {
		fc = xcalloc(1, sizeof *fc);
		buf_init(&fc->body, 0);
		*con_cls = fc;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		buf_add(&fc->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/api/v1") == 0) {
		Mesos__V1__Master__Response res =
		    MESOS__V1__MASTER__RESPONSE__INIT;
		Mesos__V1__Master__Response__GetAgents ga =
		    MESOS__V1__MASTER__RESPONSE__GET_AGENTS__INIT;
		struct buf b;

		res.has_type = 1;
		res.type = MESOS__V1__MASTER__RESPONSE__TYPE__GET_AGENTS;
		res.get_agents = &ga;
		buf_init(&b, 0);
		codec_encode(f->codec, &res.base, &b, &cause);
		r = MHD_create_response_from_buffer(b.len, b.data,
		    MHD_RESPMEM_MUST_COPY);
		buf_clear(&b);
		MHD_add_response_header(r, "Content-Type",
		    codec_content_type(f->codec));
		ret = MHD_queue_response(c, 200, r);
		MHD_destroy_response(r);
		atomic_fetch_add(&f->agents, 1);
		return ret;
	}
	if (strcmp(url, "/api/v1/scheduler") != 0 &&
	    strcmp(url, "/master/api/v1/scheduler") != 0)
		return fake_reply(c, 404, "", NULL, NULL);
	if (atomic_load(&f->unauthorized))
		return fake_reply(c, 401, "", "WWW-Authenticate",
		    "Basic realm=\"mesos\"");
	if (atomic_load(&f->redirect_bare))
		return fake_reply(c, 307, "", NULL, NULL);
	if (atomic_load(&f->redirect_to) != 0) {
		snprintf(loc, sizeof loc, "//127.0.0.1:%d/master/api/v1/"
		    "scheduler", atomic_load(&f->redirect_to));
		return fake_reply(c, 307, "", "Location", loc);
	}
	call = codec_decode_call(f->codec, fc->body.data, fc->body.len, &cause);
	if (call == NULL) {
		ret = fake_reply(c, 400, cause, NULL, NULL);
		free(cause);
		return ret;
	}
	sid = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Mesos-Stream-Id");
	if (call->type == MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE) {
		atomic_fetch_add(&f->subscribes, 1);
		if (sid != NULL)
			atomic_fetch_add(&f->sub_with_stream_id, 1);
		st = xcalloc(1, sizeof *st);
		st->f = f;
		st->gen = atomic_load(&f->drop);
		if (call->framework_id != NULL) {
			atomic_fetch_add(&f->sub_with_fwid, 1);
			snprintf(st->fwid, sizeof st->fwid, "%s",
			    call->framework_id->value);
		} else
			snprintf(st->fwid, sizeof st->fwid, "fw-1");
		codec_free(call);
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
		    fake_stream_cb, st, free);
		snprintf(loc, sizeof loc, "stream-%d",
		    atomic_fetch_add(&f->stream_n, 1) + 1);
		MHD_add_response_header(r, "Mesos-Stream-Id", loc);
		MHD_add_response_header(r, "Content-Type",
		    codec_content_type(f->codec));
		ret = MHD_queue_response(c, 200, r);
		MHD_destroy_response(r);
		return ret;
	}
	codec_free(call);
	atomic_fetch_add(&f->calls, 1);
	snprintf(loc, sizeof loc, "stream-%d", atomic_load(&f->stream_n));
	if (sid == NULL || strcmp(sid, loc) != 0) {
		atomic_fetch_add(&f->bad_stream_id, 1);
		return fake_reply(c, 400, "The stream ID included in this "
		    "request didn't match the stream ID currently associated "
		    "with framework", NULL, NULL);
	}
	status = atomic_load(&f->call_status);
	if (status == 0 || status == 202)
		atomic_fetch_add(&f->calls_ok, 1);
	return fake_reply(c, status != 0 ? status : 202,
	    status >= 500 ? "Master has not finished recovery" : "", NULL,
	    NULL);
}

static void
fake_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct fake_conn *fc = *con_cls;

	if (fc != NULL) {
		buf_clear(&fc->body);
		free(fc);
		*con_cls = NULL;
	}
}

static void
fake_start(struct fake *f, enum codec_type codec)
{
	const union MHD_DaemonInfo *info;

	memset(f, 0, sizeof *f);
	f->codec = codec;
	f->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, fake_handler, f,
	    MHD_OPTION_NOTIFY_COMPLETED, fake_completed, NULL,
	    MHD_OPTION_END);
	ck_assert_ptr_nonnull(f->d);
	info = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT);
	f->port = info->port;
}

/* The scheduler side: a loop, the master, and what reached the queue. */
static struct ev_loop *loop;
static struct master *master;
static struct msg_queue queue;
static struct ev_timer tick;
static int n_connected, n_disconnected, n_fatal, n_subscribed, n_heartbeats;
static int last_fatal;	/* the fatal value of the last fatal MSG_SESSION */
static int is_connected;	/* the last MSG_SESSION said connected */
static int n_failed;	/* MSG_SESSIONs reporting a failed attempt */
static char last_failure[256];	/* the reason of the last one */
static int n_errors, n_agents;
static char last_fwid[64];
static struct {
	uint64_t cookie;
	int status;
} done[64];
static int n_done;

static void
tick_cb(struct ev_loop *l, struct ev_timer *w, int revents)
{
}

/* Takes every message off the queue and counts it. */
static void
drain(void)
{
	struct msg *m;

	while ((m = msg_queue_pop(&queue)) != NULL) {
		switch (m->type) {
		case MSG_SESSION:
			if (m->u.session.state == SESSION_CONNECTED) {
				n_connected++;
				ck_assert_ptr_nonnull(m->u.session.stream_id);
			} else if (is_connected)
				n_disconnected++;
			is_connected = m->u.session.state == SESSION_CONNECTED;
			if (m->u.session.failed) {
				n_failed++;
				ck_assert_ptr_nonnull(m->u.session.reason);
				snprintf(last_failure, sizeof last_failure,
				    "%s", m->u.session.reason);
			}
			if (m->u.session.fatal != 0) {
				n_fatal++;
				last_fatal = m->u.session.fatal;
			}
			break;
		case MSG_EVENT:
			if (m->u.event->type ==
			    MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED) {
				n_subscribed++;
				snprintf(last_fwid, sizeof last_fwid, "%s",
				    m->u.event->subscribed->framework_id->value);
			} else if (m->u.event->type ==
			    MESOS__V1__SCHEDULER__EVENT__TYPE__HEARTBEAT)
				n_heartbeats++;
			else if (m->u.event->type ==
			    MESOS__V1__SCHEDULER__EVENT__TYPE__ERROR)
				n_errors++;
			break;
		case MSG_CALL_DONE:
			if (n_done < 64) {
				done[n_done].cookie = m->u.call_done.cookie;
				done[n_done].status = m->u.call_done.status;
			}
			n_done++;
			break;
		case MSG_AGENTS:
			n_agents++;
			break;
		default:
			break;
		}
		msg_free(m);
	}
}

#define RUN_UNTIL(secs, cond) __extension__ ({				\
	ev_tstamp end_ = ev_time() + (secs);				\
	while (!(cond) && ev_time() < end_) {				\
		ev_run(loop, EVRUN_ONCE);				\
		drain();						\
	}								\
	(cond);								\
})

static void
run_for(double secs)
{
	ev_tstamp end = ev_time() + secs;

	while (ev_time() < end) {
		ev_run(loop, EVRUN_ONCE);
		drain();
	}
}

static char master_url0[64], master_url1[64];

static void
flow_setup_codec(enum codec_type codec)
{
	char *cause = NULL;

	log_init("check_master", LOG_LEVEL_WARN, LOG_FORMAT_PLAIN);
	fake_start(&fakes[0], codec);
	fake_start(&fakes[1], codec);
	cfg_init();
	cfg.encoding = W(codec == CODEC_JSON ? "json" : "protobuf");
	snprintf(master_url0, sizeof master_url0, "http://127.0.0.1:%d",
	    fakes[0].port);
	snprintf(master_url1, sizeof master_url1, "127.0.0.1:%d",
	    fakes[1].port);
	cfg_masters[0] = master_url0;
	cfg_masters[1] = master_url1;
	cfg.nmasters = 2;
	memset(&queue, 0, sizeof queue);
	n_connected = n_disconnected = n_fatal = n_subscribed = 0;
	is_connected = n_failed = 0;
	last_failure[0] = '\0';
	last_fatal = 0;
	n_heartbeats = n_errors = n_agents = n_done = 0;
	last_fwid[0] = '\0';
	loop = ev_loop_new(EVFLAG_AUTO);
	ev_timer_init(&tick, tick_cb, 0.05, 0.05);
	ev_timer_start(loop, &tick);
	master = master_create(loop, &cfg, &queue, &cause);
	ck_assert_msg(master != NULL, "%s", cause);
}

static void
flow_setup(void)
{
	flow_setup_codec(CODEC_PROTOBUF);
}

static void
flow_setup_json(void)
{
	flow_setup_codec(CODEC_JSON);
}

static void
flow_teardown(void)
{
	master_free(master);
	drain();
	ev_timer_stop(loop, &tick);
	ev_loop_destroy(loop);
	atomic_store(&fakes[0].quit, 1);
	atomic_store(&fakes[1].quit, 1);
	MHD_stop_daemon(fakes[0].d);
	MHD_stop_daemon(fakes[1].d);
	metrics_free_all();
}

static Mesos__V1__Scheduler__Call *
make_call(int type)
{
	Mesos__V1__Scheduler__Call *c = xmalloc(sizeof *c);

	mesos__v1__scheduler__call__init(c);
	c->has_type = 1;
	c->type = type;
	if (type == MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE) {
		Mesos__V1__Scheduler__Call__Acknowledge *a =
		    xmalloc(sizeof *a);

		mesos__v1__scheduler__call__acknowledge__init(a);
		a->agent_id = xmalloc(sizeof *a->agent_id);
		mesos__v1__agent_id__init(a->agent_id);
		a->agent_id->value = xstrdup("agent-1");
		a->task_id = xmalloc(sizeof *a->task_id);
		mesos__v1__task_id__init(a->task_id);
		a->task_id->value = xstrdup("task-1");
		a->uuid.data = (uint8_t *)xstrdup("0123456789abcdef");
		a->uuid.len = 16;
		c->acknowledge = a;
	}
	return c;
}

static struct master_status
status(void)
{
	struct master_status st;

	master_status(master, &st);
	return st;
}

START_TEST(test_subscribe_and_calls)
{
	char want[64];
	int i;

	master_start(master);
	ck_assert(RUN_UNTIL(10, n_subscribed == 1));
	ck_assert_int_eq(n_connected, 1);
	ck_assert_str_eq(last_fwid, "fw-1");
	ck_assert_str_eq(master_framework_id(master), "fw-1");
	ck_assert_int_eq(status().state, MASTER_SUBSCRIBED);
	ck_assert_int_eq(atomic_load(&fakes[0].sub_with_stream_id), 0);
	ck_assert(RUN_UNTIL(10, n_heartbeats >= 2));

	for (i = 0; i < 20; i++)
		master_send(master, make_call(
		    MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE), 100 + i);
	master_send(master, make_call(MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE),
	    7);
	master_send(master, make_call(
	    MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS), 0);
	ck_assert(RUN_UNTIL(10, n_done == 21 && master_idle(master)));
	for (i = 0; i < n_done; i++)
		ck_assert_int_eq(done[i].status, 202);
	ck_assert_int_eq(atomic_load(&fakes[0].calls_ok), 22);
	ck_assert_int_eq(atomic_load(&fakes[0].bad_stream_id), 0);
	ck_assert(metrics_get("ark_calls_total",
	    "type=\"ACKNOWLEDGE\",code=\"202\"") == 20);
	ck_assert(metrics_get("ark_events_total", "type=\"SUBSCRIBED\"") == 1);

	master_get_agents(master);
	ck_assert(RUN_UNTIL(10, n_agents == 1));

	/* A refused call type and the status snapshot. */
	master_send(master, make_call(
	    MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE), 9);
	ck_assert(RUN_UNTIL(2, n_done == 22));
	ck_assert_int_eq(done[21].status, 0);
	snprintf(want, sizeof want, "127.0.0.1:%d", fakes[0].port);
	ck_assert_str_eq(status().leader, want);
}
END_TEST

START_TEST(test_dropped_stream_resubscribes)
{
	master_start(master);
	ck_assert(RUN_UNTIL(10, n_subscribed == 1));
	/* Calls made while the stream is gone wait for the next one. */
	atomic_fetch_add(&fakes[0].drop, 1);
	ck_assert(RUN_UNTIL(10, n_disconnected == 1));
	master_send(master, make_call(
	    MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE), 1);
	master_send(master, make_call(MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT),
	    2);
	ck_assert(RUN_UNTIL(10, n_subscribed == 2 && n_done == 2));
	/* The ACCEPT died with its offers; the ACK went out afterwards. */
	ck_assert(done[0].cookie == 2 && done[0].status == 0);
	ck_assert(done[1].cookie == 1 && done[1].status == 202);
	ck_assert_int_eq(atomic_load(&fakes[0].sub_with_fwid), 1);
	ck_assert_int_eq(atomic_load(&fakes[0].sub_with_stream_id), 0);
	ck_assert_int_eq(atomic_load(&fakes[0].bad_stream_id), 0);
	ck_assert_uint_eq(status().reconnects, 1);
}
END_TEST

START_TEST(test_stalled_heartbeats)
{
	ev_tstamp t0;

	master_start(master);
	ck_assert(RUN_UNTIL(10, n_subscribed == 1));
	atomic_store(&fakes[0].stall, 1);
	t0 = ev_time();
	ck_assert(RUN_UNTIL(10, n_disconnected == 1));
	/* 3 misses of 0.2 s, not much sooner. */
	ck_assert(ev_time() - t0 >= 0.5);
	/* the disconnection is reported as a failure, with why */
	ck_assert_int_ge(n_failed, 1);
	ck_assert_msg(strncmp(last_failure, "no heartbeat for ", 17) == 0,
	    "%s", last_failure);
	atomic_store(&fakes[0].stall, 0);
	ck_assert(RUN_UNTIL(10, n_subscribed == 2));
	ck_assert_int_eq(status().state, MASTER_SUBSCRIBED);
}
END_TEST

START_TEST(test_redirect_to_leader)
{
	struct master_status st;
	char want[64];

	atomic_store(&fakes[0].redirect_to, fakes[1].port);
	master_start(master);
	ck_assert(RUN_UNTIL(10, n_subscribed == 1));
	st = status();
	snprintf(want, sizeof want, "127.0.0.1:%d", fakes[1].port);
	ck_assert_str_eq(st.leader, want);
	ck_assert_int_eq(atomic_load(&fakes[1].subscribes), 1);
	master_send(master, make_call(
	    MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE), 1);
	ck_assert(RUN_UNTIL(10, n_done == 1));
	ck_assert_int_eq(done[0].status, 202);
	ck_assert_int_eq(atomic_load(&fakes[1].calls_ok), 1);

	/* Failover: the old leader redirects back to the first one. */
	atomic_store(&fakes[0].redirect_to, 0);
	atomic_store(&fakes[1].redirect_to, fakes[0].port);
	atomic_fetch_add(&fakes[1].drop, 1);
	ck_assert(RUN_UNTIL(10, n_subscribed == 2));
	snprintf(want, sizeof want, "127.0.0.1:%d", fakes[0].port);
	ck_assert_str_eq(status().leader, want);
	ck_assert_int_eq(atomic_load(&fakes[0].sub_with_fwid), 1);
}
END_TEST

START_TEST(test_bare_redirect_asks_redirect_endpoint)
{
	/* A 307 without Location; /redirect is not served: next master. */
	atomic_store(&fakes[0].redirect_bare, 1);
	master_start(master);
	ck_assert(RUN_UNTIL(10, n_subscribed == 1));
	ck_assert_int_eq(atomic_load(&fakes[1].subscribes), 1);
}
END_TEST

START_TEST(test_redirect_limit)
{
	/* The two masters send each other round: no leader. */
	atomic_store(&fakes[0].redirect_to, fakes[1].port);
	atomic_store(&fakes[1].redirect_to, fakes[0].port);
	master_start(master);
	ck_assert(RUN_UNTIL(10, status().state == MASTER_BACKOFF));
	ck_assert_int_eq(n_subscribed, 0);
	/* Bounded: (limit + 1) hops per candidate, two candidates. */
	ck_assert_int_le(atomic_load(&fakes[0].subscribes) +
	    atomic_load(&fakes[1].subscribes), 2 * (3 + 1));
	atomic_store(&fakes[1].redirect_to, 0);
	ck_assert(RUN_UNTIL(10, n_subscribed == 1));
}
END_TEST

START_TEST(test_unauthorized_is_fatal)
{
	atomic_store(&fakes[0].unauthorized, 1);
	atomic_store(&fakes[1].unauthorized, 1);
	master_send(master, make_call(MESOS__V1__SCHEDULER__CALL__TYPE__KILL),
	    5);
	master_start(master);
	ck_assert(RUN_UNTIL(10, n_fatal == 1));
	ck_assert_int_eq(last_fatal, 401);	/* arkd exits 4 on it */
	ck_assert_int_eq(status().state, MASTER_IDLE);
	ck_assert_int_eq(n_done, 1);
	ck_assert_int_eq(done[0].status, 401);
	run_for(0.3);
	ck_assert_int_eq(atomic_load(&fakes[0].subscribes) +
	    atomic_load(&fakes[1].subscribes), 0);	/* 401 before decoding */
	ck_assert_int_eq(n_fatal, 1);
}
END_TEST

/* zk://: no candidate until master_set_leader; a new leader resubscribes. */
START_TEST(test_zk_leader_hook)
{
	char *cause = NULL, want[64];

	master_free(master);
	cfg_masters[0] = W("zk://127.0.0.1:2181/mesos");
	cfg.nmasters = 1;
	master = master_create(loop, &cfg, &queue, &cause);
	ck_assert_msg(master != NULL, "%s", cause);
	master_start(master);
	run_for(0.3);
	ck_assert_int_eq(status().state, MASTER_DETECTING);
	ck_assert_int_eq(atomic_load(&fakes[0].subscribes) +
	    atomic_load(&fakes[1].subscribes), 0);
	master_set_leader(master, master_url1);
	ck_assert(RUN_UNTIL(10, n_subscribed == 1));
	ck_assert_int_eq(atomic_load(&fakes[1].subscribes), 1);
	/* The same leader again changes nothing; another one moves us. */
	master_set_leader(master, master_url1);
	master_set_leader(master, master_url0);
	ck_assert(RUN_UNTIL(10, n_subscribed == 2));
	snprintf(want, sizeof want, "127.0.0.1:%d", fakes[0].port);
	ck_assert_str_eq(status().leader, want);
	ck_assert_int_eq(atomic_load(&fakes[0].sub_with_fwid), 1);
	/* No leader known: the live subscription stays until it ends, then
	 * the master waits without trying anything. */
	master_set_leader(master, NULL);
	run_for(0.2);
	ck_assert_int_eq(status().state, MASTER_SUBSCRIBED);
	atomic_fetch_add(&fakes[0].drop, 1);
	ck_assert(RUN_UNTIL(10, n_disconnected == 1));
	run_for(1.0);
	ck_assert_int_eq(status().state, MASTER_DETECTING);
	/* and the core learns why nothing connects */
	ck_assert_str_eq(last_failure, "no leading master known in ZooKeeper");
	ck_assert_int_eq(atomic_load(&fakes[0].subscribes), 1);
	ck_assert_int_eq(atomic_load(&fakes[1].subscribes), 1);
}
END_TEST

START_TEST(test_call_retry_on_503)
{
	master_start(master);
	ck_assert(RUN_UNTIL(10, n_subscribed == 1));
	atomic_store(&fakes[0].call_status, 503);
	master_send(master, make_call(
	    MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE), 1);
	master_send(master, make_call(MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT),
	    2);
	/* The ACCEPT is not retried: reported with its status. */
	ck_assert(RUN_UNTIL(10, n_done == 1));
	ck_assert(done[0].cookie == 2 && done[0].status == 503);
	ck_assert(RUN_UNTIL(10, atomic_load(&fakes[0].calls) >= 4));
	atomic_store(&fakes[0].call_status, 0);
	ck_assert(RUN_UNTIL(10, n_done == 2));
	ck_assert(done[1].cookie == 1 && done[1].status == 202);
}
END_TEST

START_TEST(test_fence_and_stop)
{
	master_start(master);
	ck_assert(RUN_UNTIL(10, n_subscribed == 1));
	master_fence(master, "Framework failed over");
	ck_assert_int_eq(status().state, MASTER_FENCED);
	ck_assert(RUN_UNTIL(5, n_disconnected == 1));
	master_send(master, make_call(MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE),
	    3);
	drain();
	ck_assert_int_eq(n_done, 1);
	ck_assert_int_eq(done[0].status, 0);
	run_for(0.5);
	ck_assert_int_eq(atomic_load(&fakes[0].calls), 0);
	ck_assert_int_eq(n_subscribed, 1);

	/* Started again (HA leader again), then stopped cleanly. */
	master_start(master);
	ck_assert(RUN_UNTIL(10, n_subscribed == 2));
	master_send(master, make_call(
	    MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE), 4);
	master_stop(master);
	ck_assert(RUN_UNTIL(10, status().state == MASTER_IDLE));
	ck_assert_int_eq(n_done, 2);
	ck_assert_int_eq(done[1].status, 202);
	ck_assert(master_idle(master));
}
END_TEST

static Suite *
master_suite(void)
{
	Suite *s = suite_create("master");
	TCase *tc = tcase_create("pure");
	TCase *fl = tcase_create("flow");
	TCase *js = tcase_create("flow-json");

	tcase_add_test(tc, test_backoff_bounds);
	tcase_add_test(tc, test_location_forms);
	tcase_add_test(tc, test_location_errors);
	tcase_add_test(tc, test_url_normalize);
	tcase_add_test(tc, test_secret_file);
	tcase_add_test(tc, test_call_rules);
	tcase_add_test(tc, test_framework_info);
	tcase_add_test(tc, test_create_errors);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(fl, flow_setup, flow_teardown);
	tcase_set_timeout(fl, 60);
	tcase_add_test(fl, test_subscribe_and_calls);
	tcase_add_test(fl, test_dropped_stream_resubscribes);
	tcase_add_test(fl, test_stalled_heartbeats);
	tcase_add_test(fl, test_redirect_to_leader);
	tcase_add_test(fl, test_bare_redirect_asks_redirect_endpoint);
	tcase_add_test(fl, test_redirect_limit);
	tcase_add_test(fl, test_unauthorized_is_fatal);
	tcase_add_test(fl, test_call_retry_on_503);
	tcase_add_test(fl, test_zk_leader_hook);
	tcase_add_test(fl, test_fence_and_stop);
	suite_add_tcase(s, fl);

	tcase_add_checked_fixture(js, flow_setup_json, flow_teardown);
	tcase_set_timeout(js, 60);
	tcase_add_test(js, test_subscribe_and_calls);
	tcase_add_test(js, test_dropped_stream_resubscribes);
	tcase_add_test(js, test_redirect_to_leader);
	suite_add_tcase(s, js);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(master_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
