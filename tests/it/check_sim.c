/*
 * check_sim — ark-sim driven by a small scripted scheduler: the real
 * binary on ephemeral loopback ports, a SUBSCRIBE stream read through
 * libcurl's multi interface and ark's recordio reader and codec, calls on
 * other connections, and the control API for faults. Assertions are on
 * what a scheduler observes (status codes, headers, events) and on
 * ark-sim's /state and /counters. Intervals are shortened by flags so the
 * suite stays quick; every wait polls with a generous deadline.
 */
#include <arpa/inet.h>
#include <signal.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <curl/curl.h>
#include <jansson.h>

#include "codec.h"
#include "recordio.h"
#include "../lib/testutil.h"
#include "xmalloc.h"

#define EV(x)	MESOS__V1__SCHEDULER__EVENT__TYPE__##x
#define ST(x)	MESOS__V1__TASK_STATE__##x
#define WAIT_MS	5000

/* ---- the simulator process --------------------------------------------- */

struct simproc {
	pid_t	 pid;
	char	*dir;
	char	 portfile[512];
	char	 log[512];
	int	 masters[8];
	int	 nmasters;
	int	 control;
};

static struct simproc S;

/* Starts ark-sim with the test flags plus extra (NULL-terminated). */
static void
sim_start(const char *first, ...)
{
	char *argv[64];
	int n = 0, i;
	va_list ap;
	const char *a;
	FILE *f;
	char line[256];

	memset(&S, 0, sizeof S);
	S.dir = tu_tmpdir("sim");
	snprintf(S.portfile, sizeof S.portfile, "%s/ports", S.dir);
	snprintf(S.log, sizeof S.log, "%s/sim.log", S.dir);
	argv[n++] = (char *)tu_bin("ark-sim");
	argv[n++] = (char *)"--port";
	argv[n++] = (char *)"0";
	argv[n++] = (char *)"--port-file";
	argv[n++] = S.portfile;
	argv[n++] = (char *)"--heartbeat-interval";
	argv[n++] = (char *)"0.5";
	argv[n++] = (char *)"--allocation-interval";
	argv[n++] = (char *)"0.05";
	argv[n++] = (char *)"--update-retry";
	argv[n++] = (char *)"0.3";
	argv[n++] = (char *)"--log-level";
	argv[n++] = (char *)"debug";
	va_start(ap, first);
	for (a = first; a != NULL && n < 62; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	S.pid = tu_spawn(argv, S.log);
	ck_assert_int_gt(S.pid, 0);
	ck_assert_int_gt(tu_wait_port_file(S.portfile, 10000), 0);
	f = fopen(S.portfile, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f) != NULL) {
		char *p = line, *end;

		if (strncmp(line, "masters", 7) == 0) {
			p += 7;
			for (i = 0; i < 8; i++) {
				long v = strtol(p, &end, 10);

				if (end == p)
					break;
				S.masters[S.nmasters++] = (int)v;
				p = end;
			}
		} else if (strncmp(line, "control", 7) == 0) {
			S.control = (int)strtol(line + 7, NULL, 10);
		}
	}
	fclose(f);
	ck_assert_int_gt(S.nmasters, 0);
	ck_assert_int_gt(S.control, 0);
}

/* Stops ark-sim; it must still be alive (never crashed). */
static void
sim_stop(void)
{
	int alive = S.pid > 0 && tu_alive(S.pid);

	if (!alive)
		tu_dump_log(S.log, 60);
	if (S.pid > 0)
		tu_stop(S.pid, SIGTERM, 3000);
	if (getenv("SIM_KEEP") != NULL)
		fprintf(stderr, "ark-sim log: %s\n", S.log);
	else
		tu_rmtree(S.dir);
	free(S.dir);
	S.dir = NULL;
	S.pid = 0;
	ck_assert_msg(alive, "ark-sim died");
}

static int	control(const char *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* POSTs a control call; returns the status. */
static int
control(const char *fault, const char *fmt, ...)
{
	char url[256], *body = NULL, *out = NULL;
	va_list ap;
	int st;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/control/%s", S.control,
	    fault);
	if (fmt != NULL) {
		va_start(ap, fmt);
		body = xvasprintf(fmt, ap);
		va_end(ap);
	}
	st = tu_http("POST", url, "application/json", body, &out);
	if (st != 200)
		fprintf(stderr, "control %s: %d %s\n", fault, st,
		    out != NULL ? out : "");
	free(body);
	free(out);
	return st;
}

/* GET /state or /counters from the control port (new reference). */
static json_t *
sim_get(const char *what)
{
	char url[256];

	snprintf(url, sizeof url, "http://127.0.0.1:%d/%s", S.control, what);
	return tu_get_json(url);
}

/* One counter from /counters. */
static long long
counter(const char *name)
{
	json_t *c = sim_get("counters");
	long long v;

	ck_assert_ptr_nonnull(c);
	v = json_integer_value(json_object_get(c, name));
	json_decref(c);
	return v;
}

/* Count of a call type answered with a status, from /counters. */
static long long
call_status(const char *type, const char *status)
{
	json_t *c = sim_get("counters");
	long long v;

	ck_assert_ptr_nonnull(c);
	v = json_integer_value(json_object_get(json_object_get(
	    json_object_get(c, "calls_by_status"), type), status));
	json_decref(c);
	return v;
}

/* ---- the scripted scheduler -------------------------------------------- */

struct ts {
	CURLM		*multi;
	CURL		*stream;
	struct curl_slist *hdrs;
	struct recordio_reader rr;
	enum codec_type	 codec;
	int		 port;
	char		 stream_id[128];
	char		 content_type[128];
	char		 framework_id[256];
	long		 status;
	Mesos__V1__Scheduler__Event **ev;
	int		*used;
	size_t		 nev;
	int		 closed;	/* the transfer ended */
	int		 bad;		/* a malformed record arrived */
	char		 why[160];
	char		*body;		/* request body kept alive */
	size_t		 blen;
};

/* Stream bytes: RecordIO -> events. */
static size_t
ts_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct ts *t = arg;
	const char *data, *cause;
	size_t len;
	enum recordio_status rs;

	if (recordio_feed(&t->rr, p, size * n) != 0)
		return size * n;
	for (;;) {
		rs = recordio_next(&t->rr, &data, &len, &cause);
		if (rs == RECORDIO_NEED_MORE)
			break;
		if (rs == RECORDIO_ERROR) {
			t->bad = 1;
			snprintf(t->why, sizeof t->why, "%s", cause);
			break;
		}
		{
			char *c = NULL;
			Mesos__V1__Scheduler__Event *e = codec_decode_event(
			    t->codec, data, len, &c);

			if (e == NULL) {
				t->bad = 1;
				snprintf(t->why, sizeof t->why, "%s", c);
				free(c);
				continue;
			}
			t->ev = xreallocarray(t->ev, t->nev + 1,
			    sizeof *t->ev);
			t->used = xreallocarray(t->used, t->nev + 1,
			    sizeof *t->used);
			t->ev[t->nev] = e;
			t->used[t->nev] = 0;
			t->nev++;
		}
	}
	return size * n;
}

/* Response headers of the stream. */
static size_t
ts_header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct ts *t = arg;
	size_t len = size * n;
	char line[512];

	snprintf(line, sizeof line, "%.*s", (int)len, p);
	line[strcspn(line, "\r\n")] = '\0';
	if (strncasecmp(line, "Mesos-Stream-Id:", 16) == 0)
		snprintf(t->stream_id, sizeof t->stream_id, "%s",
		    line + 16 + strspn(line + 16, " "));
	if (strncasecmp(line, "Content-Type:", 13) == 0)
		snprintf(t->content_type, sizeof t->content_type, "%s",
		    line + 13 + strspn(line + 13, " "));
	return len;
}

/* Runs the stream transfer for up to ms. */
static void
ts_pump(struct ts *t, int ms)
{
	CURLMsg *m;
	int running, left;

	if (t->multi == NULL)
		return;
	curl_multi_perform(t->multi, &running);
	curl_multi_poll(t->multi, NULL, 0, ms, NULL);
	curl_multi_perform(t->multi, &running);
	while ((m = curl_multi_info_read(t->multi, &left)) != NULL) {
		if (m->msg == CURLMSG_DONE)
			t->closed = 1;
	}
	if (t->status == 0 && t->stream != NULL)
		curl_easy_getinfo(t->stream, CURLINFO_RESPONSE_CODE,
		    &t->status);
}

/* Encodes a JSON call in t's encoding into out. */
static void
ts_encode(struct ts *t, json_t *j, struct buf *out)
{
	char *cause = NULL;
	ProtobufCMessage *m = codec_from_json(
	    &mesos__v1__scheduler__call__descriptor, j, &cause);

	ck_assert_msg(m != NULL, "bad test call: %s", cause);
	ck_assert_int_eq(codec_encode(t->codec, m, out, &cause), 0);
	codec_free(m);
}

/* Opens a SUBSCRIBE stream to port with the given call (stolen). */
static void
ts_open(struct ts *t, int port, enum codec_type codec, json_t *call)
{
	struct buf b;
	char url[256], h[256];

	memset(t, 0, sizeof *t);
	t->codec = codec;
	t->port = port;
	recordio_reader_init(&t->rr, RECORDIO_DEFAULT_MAX);
	buf_init(&b, 0);
	ts_encode(t, call, &b);
	json_decref(call);
	t->body = buf_steal(&b, &t->blen);
	t->multi = curl_multi_init();
	t->stream = curl_easy_init();
	snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/scheduler",
	    port);
	snprintf(h, sizeof h, "Content-Type: %s", codec_content_type(codec));
	t->hdrs = curl_slist_append(NULL, h);
	snprintf(h, sizeof h, "Accept: %s", codec_content_type(codec));
	t->hdrs = curl_slist_append(t->hdrs, h);
	curl_easy_setopt(t->stream, CURLOPT_URL, url);
	curl_easy_setopt(t->stream, CURLOPT_POSTFIELDS, t->body);
	curl_easy_setopt(t->stream, CURLOPT_POSTFIELDSIZE, (long)t->blen);
	curl_easy_setopt(t->stream, CURLOPT_HTTPHEADER, t->hdrs);
	curl_easy_setopt(t->stream, CURLOPT_WRITEFUNCTION, ts_write_cb);
	curl_easy_setopt(t->stream, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(t->stream, CURLOPT_HEADERFUNCTION, ts_header_cb);
	curl_easy_setopt(t->stream, CURLOPT_HEADERDATA, t);
	curl_multi_add_handle(t->multi, t->stream);
}

/* Closes the stream connection. */
static void
ts_close(struct ts *t)
{
	size_t i;

	if (t->multi != NULL) {
		curl_multi_remove_handle(t->multi, t->stream);
		curl_easy_cleanup(t->stream);
		curl_multi_cleanup(t->multi);
	}
	curl_slist_free_all(t->hdrs);
	for (i = 0; i < t->nev; i++)
		codec_free(t->ev[i]);
	free(t->ev);
	free(t->used);
	free(t->body);
	recordio_reader_clear(&t->rr);
	memset(t, 0, sizeof *t);
}

/* A FrameworkInfo-based SUBSCRIBE call (new reference). */
static json_t *
subscribe_call(const char *id, int pa, double failover)
{
	json_t *caps = json_pack("[{s:s}]", "type", "TASK_KILLING_STATE");
	json_t *fi, *call;

	if (pa)
		json_array_append_new(caps, json_pack("{s:s}", "type",
		    "PARTITION_AWARE"));
	fi = json_pack("{s:s,s:s,s:f,s:o}", "user", "test", "name",
	    "check_sim", "failover_timeout", failover, "capabilities", caps);
	call = json_pack("{s:s,s:{s:o}}", "type", "SUBSCRIBE", "subscribe",
	    "framework_info", fi);
	if (id != NULL) {
		json_object_set_new(fi, "id", json_pack("{s:s}", "value", id));
		json_object_set_new(call, "framework_id", json_pack("{s:s}",
		    "value", id));
	}
	return call;
}

/* Waits for the first unused event matching type (and task/state). */
static Mesos__V1__Scheduler__Event *
ts_wait(struct ts *t, int type, const char *task, int state, int ms)
{
	long long end = tu_now_ms() + ms;
	size_t i;

	for (;;) {
		for (i = 0; i < t->nev; i++) {
			Mesos__V1__Scheduler__Event *e = t->ev[i];

			if (t->used[i] || (int)e->type != type)
				continue;
			if (type == EV(UPDATE) && task != NULL &&
			    strcmp(e->update->status->task_id->value,
			    task) != 0)
				continue;
			if (type == EV(UPDATE) && state >= 0 &&
			    (int)e->update->status->state != state)
				continue;
			t->used[i] = 1;
			return e;
		}
		if (tu_now_ms() > end || t->closed)
			return NULL;
		ts_pump(t, 20);
	}
}

/* Counts events of a type received so far (used or not). */
static size_t
ts_count(struct ts *t, int type)
{
	size_t i, n = 0;

	for (i = 0; i < t->nev; i++)
		n += (int)t->ev[i]->type == type;
	return n;
}

/* Subscribes and waits for SUBSCRIBED; keeps the framework id. */
static void
ts_subscribe(struct ts *t, int port, enum codec_type codec, json_t *call)
{
	Mesos__V1__Scheduler__Event *e;

	ts_open(t, port, codec, call);
	e = ts_wait(t, EV(SUBSCRIBED), NULL, -1, WAIT_MS);
	ck_assert_msg(e != NULL, "no SUBSCRIBED (status %ld)", t->status);
	snprintf(t->framework_id, sizeof t->framework_id, "%s",
	    e->subscribed->framework_id->value);
}

static size_t
ts_body_cb(char *p, size_t size, size_t n, void *arg)
{
	buf_add(arg, p, size * n);
	return size * n;
}

/*
 * Sends a call (JSON, stolen) on a new connection in t's encoding, with
 * the stream id. Returns the status; *out gets the body if not NULL.
 */
static long
ts_call(struct ts *t, json_t *call, char **out)
{
	struct curl_slist *h = NULL;
	struct buf b, resp;
	char url[256], line[256];
	CURL *c = curl_easy_init();
	long st = 0;

	buf_init(&b, 0);
	buf_init(&resp, 0);
	if (json_object_get(call, "framework_id") == NULL &&
	    t->framework_id[0] != '\0')
		json_object_set_new(call, "framework_id", json_pack("{s:s}",
		    "value", t->framework_id));
	ts_encode(t, call, &b);
	json_decref(call);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/scheduler",
	    t->port);
	snprintf(line, sizeof line, "Content-Type: %s",
	    codec_content_type(t->codec));
	h = curl_slist_append(h, line);
	snprintf(line, sizeof line, "Mesos-Stream-Id: %s", t->stream_id);
	h = curl_slist_append(h, line);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, b.data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)b.len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ts_body_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	buf_clear(&b);
	if (out != NULL)
		*out = buf_steal(&resp, NULL);
	buf_clear(&resp);
	ts_pump(t, 0);
	return st;
}

/* Base64 of n bytes (caller frees). */
static char *
b64(const uint8_t *p, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789+/";
	char *o = xmalloc(4 * ((n + 2) / 3) + 1), *q = o;
	size_t i;

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 |
		    (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
		    (i + 2 < n ? p[i + 2] : 0);

		*q++ = a[v >> 18 & 63];
		*q++ = a[v >> 12 & 63];
		*q++ = i + 1 < n ? a[v >> 6 & 63] : '=';
		*q++ = i + 2 < n ? a[v & 63] : '=';
	}
	*q = '\0';
	return o;
}

/* Acknowledges an UPDATE event; returns the status. */
static long
ts_ack(struct ts *t, const Mesos__V1__Scheduler__Event *e)
{
	const Mesos__V1__TaskStatus *s = e->update->status;
	char *u;
	long st;

	ck_assert(s->has_uuid);
	u = b64(s->uuid.data, s->uuid.len);
	st = ts_call(t, json_pack("{s:s,s:{s:{s:s},s:{s:s},s:s}}", "type",
	    "ACKNOWLEDGE", "acknowledge", "agent_id", "value",
	    s->agent_id->value, "task_id", "value", s->task_id->value,
	    "uuid", u), NULL);
	free(u);
	return st;
}

/* Waits for an OFFERS event and returns its first offer. */
static const Mesos__V1__Offer *
ts_offer(struct ts *t)
{
	Mesos__V1__Scheduler__Event *e = ts_wait(t, EV(OFFERS), NULL, -1,
	    WAIT_MS);

	ck_assert_msg(e != NULL, "no OFFERS");
	ck_assert_int_gt(e->offers->n_offers, 0);
	return e->offers->offers[0];
}

/* A LAUNCH of one command task on the offer (extra: more TaskInfo keys). */
static long
ts_launch(struct ts *t, const Mesos__V1__Offer *o, const char *task,
    double cpus, json_t *extra)
{
	json_t *ti = json_pack("{s:s,s:{s:s},s:{s:s},s:[{s:s,s:s,s:{s:f}},"
	    "{s:s,s:s,s:{s:f}}],s:{s:s}}", "name", task, "task_id", "value",
	    task, "agent_id", "value", o->agent_id->value, "resources",
	    "name", "cpus", "type", "SCALAR", "scalar", "value", cpus,
	    "name", "mem", "type", "SCALAR", "scalar", "value", 32.0,
	    "command", "value", "sleep 1000");

	if (extra != NULL) {
		json_object_update(ti, extra);
		json_decref(extra);
	}
	return ts_call(t, json_pack("{s:s,s:{s:[{s:s}],s:[{s:s,s:{s:[o]}}],"
	    "s:{s:f}}}", "type", "ACCEPT", "accept", "offer_ids", "value",
	    o->id->value, "operations", "type", "LAUNCH", "launch",
	    "task_infos", ti, "filters", "refuse_seconds", 0.0), NULL);
}

/* Launches a task and walks it to TASK_RUNNING, acknowledging. */
static void
ts_run_task(struct ts *t, const char *task)
{
	const Mesos__V1__Offer *o = ts_offer(t);
	Mesos__V1__Scheduler__Event *e;

	ck_assert_int_eq(ts_launch(t, o, task, 0.1, NULL), 202);
	e = ts_wait(t, EV(UPDATE), task, ST(TASK_STARTING), WAIT_MS);
	ck_assert_msg(e != NULL, "no TASK_STARTING for %s", task);
	ck_assert_int_eq(ts_ack(t, e), 202);
	e = ts_wait(t, EV(UPDATE), task, ST(TASK_RUNNING), WAIT_MS);
	ck_assert_msg(e != NULL, "no TASK_RUNNING for %s", task);
	ck_assert_int_eq(ts_ack(t, e), 202);
}

/* A raw HTTP request: returns the status; headers/body into out. */
static int
raw_http(int port, const char *method, const char *path,
    const char *const *headers, const char *body, size_t blen, char **out)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct buf resp;
	char url[512];
	long st = 0;

	buf_init(&resp, 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
	for (; headers != NULL && *headers != NULL; headers++)
		h = curl_slist_append(h, *headers);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)blen);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, ts_body_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ts_body_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	if (out != NULL)
		*out = buf_steal(&resp, NULL);
	buf_clear(&resp);
	return (int)st;
}

/* Finds a framework object in /state. */
static json_t *
state_framework(json_t *state, const char *id, int completed)
{
	json_t *a = json_object_get(state, completed ? "completed_frameworks" :
	    "frameworks"), *f;
	size_t i;

	json_array_foreach(a, i, f) {
		if (strcmp(json_string_value(json_object_get(f, "id")), id) == 0)
			return f;
	}
	return NULL;
}

/* ---- tests ------------------------------------------------------------- */

static void
setup(void)
{
	memset(&S, 0, sizeof S);
}

static void
teardown(void)
{
	if (S.pid > 0)
		sim_stop();
}

/* SUBSCRIBE answers 200 with the headers and events of a real master. */
static void
subscribe_check(enum codec_type codec)
{
	struct ts t;
	Mesos__V1__Scheduler__Event *e;
	const Mesos__V1__MasterInfo *mi;
	const char *fid;

	sim_start(NULL);
	ts_open(&t, S.masters[0], codec, subscribe_call(NULL, 1, 60));
	e = ts_wait(&t, EV(SUBSCRIBED), NULL, -1, WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(t.status, 200);
	ck_assert_str_eq(t.content_type, codec_content_type(codec));
	ck_assert_int_eq(strlen(t.stream_id), 36);
	fid = e->subscribed->framework_id->value;
	ck_assert_int_eq(strlen(fid), 41);
	ck_assert_str_eq(fid + 36, "-0000");
	ck_assert(e->subscribed->has_heartbeat_interval_seconds);
	ck_assert(e->subscribed->heartbeat_interval_seconds == 0.5);
	mi = e->subscribed->master_info;
	ck_assert_str_eq(mi->version, "1.12.0");
	ck_assert_int_eq(mi->port, S.masters[0]);
	ck_assert_int_eq(mi->ip, 16777343);
	ck_assert_int_eq(strncmp(fid, mi->id, 36), 0);
	/* HEARTBEAT right away, then every interval. */
	ck_assert_ptr_nonnull(ts_wait(&t, EV(HEARTBEAT), NULL, -1, WAIT_MS));
	ck_assert_ptr_nonnull(ts_wait(&t, EV(HEARTBEAT), NULL, -1, WAIT_MS));
	{
		const Mesos__V1__Offer *o = ts_offer(&t);
		char prefix[64];

		snprintf(prefix, sizeof prefix, "%.36s-O", mi->id);
		ck_assert_int_eq(strncmp(o->id->value, prefix, 38), 0);
		snprintf(prefix, sizeof prefix, "%.36s-S", mi->id);
		ck_assert_int_eq(strncmp(o->agent_id->value, prefix, 38), 0);
		ck_assert_str_eq(o->framework_id->value, fid);
		ck_assert_int_eq(o->n_resources, 4);
		ck_assert_str_eq(o->resources[0]->name, "ports");
		ck_assert_ptr_nonnull(o->allocation_info);
		ck_assert_str_eq(o->allocation_info->role, "*");
	}
	ck_assert_int_eq(t.bad, 0);
	ts_close(&t);
}

START_TEST(test_subscribe_json)
{
	subscribe_check(CODEC_JSON);
}
END_TEST

START_TEST(test_subscribe_protobuf)
{
	subscribe_check(CODEC_PROTOBUF);
}
END_TEST

/* Every status code of the scheduler endpoint. */
START_TEST(test_status_codes)
{
	static const char *const json_ct[] = {
		"Content-Type: application/json", NULL,
	};
	static const char *const text_ct[] = {
		"Content-Type: text/plain", NULL,
	};
	static const char *const no_ct[] = { "Content-Type:", NULL };
	static const char *const html_accept[] = {
		"Content-Type: application/json", "Accept: text/html", NULL,
	};
	static const char *const with_sid[] = {
		"Content-Type: application/json", "Mesos-Stream-Id: x", NULL,
	};
	const char *sub = "{\"type\":\"SUBSCRIBE\",\"subscribe\":{"
	    "\"framework_info\":{\"user\":\"u\",\"name\":\"n\"}}}";
	char *out = NULL, body[512], sid[160];
	const char *hdr2[3];
	struct ts t;
	int p;

	sim_start(NULL);
	p = S.masters[0];
	ck_assert_int_eq(raw_http(p, "GET", "/api/v1/scheduler", NULL, NULL,
	    0, &out), 405);
	ck_assert_ptr_nonnull(strstr(out, "Allow: POST"));
	free(out);
	ck_assert_int_eq(raw_http(p, "POST", "/api/v1/scheduler", no_ct, sub,
	    strlen(sub), &out), 400);
	ck_assert_ptr_nonnull(strstr(out, "Content-Type"));
	free(out);
	ck_assert_int_eq(raw_http(p, "POST", "/api/v1/scheduler", text_ct,
	    sub, strlen(sub), NULL), 415);
	ck_assert_int_eq(raw_http(p, "POST", "/api/v1/scheduler", json_ct,
	    "{nope", 5, &out), 400);
	ck_assert_ptr_nonnull(strstr(out, "Failed to parse body into JSON"));
	free(out);
	ck_assert_int_eq(raw_http(p, "POST", "/api/v1/scheduler", json_ct,
	    "{\"type\":7}", 10, &out), 400);
	free(out);
	ck_assert_int_eq(raw_http(p, "POST", "/api/v1/scheduler", html_accept,
	    sub, strlen(sub), NULL), 406);
	ck_assert_int_eq(raw_http(p, "POST", "/api/v1/scheduler", with_sid,
	    sub, strlen(sub), &out), 400);
	ck_assert_ptr_nonnull(strstr(out, "should not include"));
	free(out);
	ck_assert_int_eq(raw_http(p, "POST", "/api/v1/scheduler", json_ct,
	    "{\"type\":\"REVIVE\"}", 17, &out), 400);
	ck_assert_ptr_nonnull(strstr(out, "Expecting 'framework_id'"));
	free(out);
	snprintf(body, sizeof body, "{\"type\":\"REVIVE\",\"framework_id\":"
	    "{\"value\":\"nope\"}}");
	ck_assert_int_eq(raw_http(p, "POST", "/api/v1/scheduler", json_ct,
	    body, strlen(body), &out), 400);
	ck_assert_ptr_nonnull(strstr(out, "Framework cannot be found"));
	free(out);
	ck_assert_int_eq(raw_http(p, "GET", "/nothing", NULL, NULL, 0, NULL),
	    404);

	ts_subscribe(&t, p, CODEC_JSON, subscribe_call(NULL, 1, 60));
	snprintf(body, sizeof body, "{\"type\":\"REVIVE\",\"framework_id\":"
	    "{\"value\":\"%s\"}}", t.framework_id);
	ck_assert_int_eq(raw_http(p, "POST", "/api/v1/scheduler", json_ct,
	    body, strlen(body), &out), 400);
	ck_assert_ptr_nonnull(strstr(out, "should include the "
	    "'Mesos-Stream-Id'"));
	free(out);
	hdr2[0] = "Content-Type: application/json";
	hdr2[1] = "Mesos-Stream-Id: 00000000-0000-0000-0000-000000000000";
	hdr2[2] = NULL;
	ck_assert_int_eq(raw_http(p, "POST", "/api/v1/scheduler", hdr2,
	    body, strlen(body), &out), 400);
	ck_assert_ptr_nonnull(strstr(out, "didn't match"));
	free(out);
	snprintf(sid, sizeof sid, "Mesos-Stream-Id: %s", t.stream_id);
	hdr2[1] = sid;
	ck_assert_int_eq(raw_http(p, "POST", "/api/v1/scheduler", hdr2,
	    body, strlen(body), NULL), 202);
	/* UNKNOWN call type: 501; UPDATE_FRAMEWORK: 200. */
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s}", "type", "UNKNOWN"),
	    NULL), 501);
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s,s:{s:{s:s,s:s,s:{s:s},"
	    "s:f}}}", "type", "UPDATE_FRAMEWORK", "update_framework",
	    "framework_info", "user", "test", "name", "renamed", "id",
	    "value", t.framework_id, "failover_timeout", 60.0), NULL), 200);
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s,s:{s:{s:s,s:s,s:{s:s}}}}",
	    "type", "UPDATE_FRAMEWORK", "update_framework", "framework_info",
	    "user", "someone-else", "name", "x", "id", "value",
	    t.framework_id), NULL), 400);
	/* Disconnected framework: 403. */
	ts_close(&t);
	ck_assert(TU_WAIT(WAIT_MS, raw_http(p, "POST", "/api/v1/scheduler",
	    hdr2, body, strlen(body), NULL) == 403));
	ck_assert_int_ge(call_status("REVIVE", "403"), 1);
	ck_assert_int_ge(call_status("REVIVE", "202"), 1);
	ck_assert_int_ge(call_status("UNKNOWN", "501"), 1);
}
END_TEST

/* Oversized bodies get 413 and the simulator keeps serving. */
START_TEST(test_huge_body)
{
	static const char *const json_ct[] = {
		"Content-Type: application/json", NULL,
	};
	size_t n = 20u * 1024 * 1024;
	char *big = xmalloc(n);
	int st;

	memset(big, '[', n);
	sim_start("--max-body", "1048576", NULL);
	st = raw_http(S.masters[0], "POST", "/api/v1/scheduler", json_ct, big,
	    n, NULL);
	ck_assert_msg(st == 413 || st == 0, "status %d", st);
	ck_assert_int_eq(raw_http(S.masters[0], "POST", "/api/v1/scheduler",
	    json_ct, big, 2000000, NULL), 413);
	free(big);
	ck_assert_int_eq(raw_http(S.control, "GET", "/health", NULL, NULL, 0,
	    NULL), 200);
}
END_TEST

/* Garbage, half-closed connections and wrong methods never take it down. */
START_TEST(test_bad_input)
{
	static const char *const pb_ct[] = {
		"Content-Type: application/x-protobuf", NULL,
	};
	static const char *const json_ct[] = {
		"Content-Type: application/json", NULL,
	};
	unsigned seed = 12345;
	char junk[4096];
	int i, j;

	sim_start(NULL);
	for (i = 0; i < 60; i++) {
		size_t n = (size_t)(rand_r(&seed) % sizeof junk);
		int st;

		for (j = 0; j < (int)n; j++)
			junk[j] = (char)rand_r(&seed);
		st = raw_http(S.masters[0], "POST", "/api/v1/scheduler",
		    i % 2 ? pb_ct : json_ct, junk, n, NULL);
		ck_assert_msg(st == 400, "garbage %d got %d", i, st);
	}
	/* Half-closed and truncated connections. */
	for (i = 0; i < 20; i++) {
		struct sockaddr_in sa;
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		const char *req = i % 2 ? "POST /api/v1/scheduler HTTP/1.1\r\n"
		    "Host: x\r\nContent-Length: 100\r\n\r\n{\"ty" :
		    "POST /api/v1/sched";

		memset(&sa, 0, sizeof sa);
		sa.sin_family = AF_INET;
		sa.sin_port = htons((uint16_t)S.masters[0]);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa,
		    sizeof sa), 0);
		ck_assert_int_gt(write(fd, req, strlen(req)), 0);
		shutdown(fd, SHUT_WR);
		close(fd);
	}
	ck_assert_int_eq(raw_http(S.masters[0], "PUT", "/api/v1/scheduler",
	    json_ct, "{}", 2, NULL), 405);
	ck_assert_int_eq(raw_http(S.masters[0], "DELETE", "/state", NULL,
	    NULL, 0, NULL), 405);
	ck_assert_int_eq(raw_http(S.control, "GET", "/control/stall", NULL,
	    NULL, 0, NULL), 405);
	ck_assert_int_eq(raw_http(S.control, "POST", "/control/stall",
	    json_ct, "[1]", 3, NULL), 400);
	ck_assert_int_eq(raw_http(S.control, "POST", "/control/bogus",
	    json_ct, "{}", 2, NULL), 404);
	ck_assert_int_eq(raw_http(S.masters[0], "GET", "/health", NULL, NULL,
	    0, NULL), 200);
	ck_assert_int_ge(counter("calls_invalid"), 60);
}
END_TEST

/* Launch, STARTING -> RUNNING with uuids, acknowledged exactly once. */
static void
launch_check(enum codec_type codec)
{
	struct ts t;
	json_t *st, *fw, *task;

	sim_start(NULL);
	ts_subscribe(&t, S.masters[0], codec, subscribe_call(NULL, 1, 60));
	ts_run_task(&t, "t1");
	ck_assert(TU_WAIT(WAIT_MS, counter("updates_acked") == 2));
	ck_assert_int_eq(counter("updates_unacked"), 0);
	ck_assert_int_eq(counter("acks_duplicate"), 0);
	ck_assert_int_eq(counter("acks_unknown"), 0);
	st = sim_get("state");
	fw = state_framework(st, t.framework_id, 0);
	ck_assert_ptr_nonnull(fw);
	task = json_array_get(json_object_get(fw, "tasks"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(task, "state")),
	    "TASK_RUNNING");
	json_decref(st);
	st = sim_get("state?tasks=0");
	fw = state_framework(st, t.framework_id, 0);
	ck_assert_int_eq(json_array_size(json_object_get(fw, "tasks")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(fw, "task_count")),
	    1);
	json_decref(st);
	ts_close(&t);
}

START_TEST(test_launch_json)
{
	launch_check(CODEC_JSON);
}
END_TEST

START_TEST(test_launch_protobuf)
{
	launch_check(CODEC_PROTOBUF);
}
END_TEST

/* Update fields match a real command executor's. */
START_TEST(test_update_fields)
{
	struct ts t;
	const Mesos__V1__Offer *o;
	Mesos__V1__Scheduler__Event *e;
	const Mesos__V1__TaskStatus *s;

	sim_start(NULL);
	ts_subscribe(&t, S.masters[0], CODEC_PROTOBUF,
	    subscribe_call(NULL, 1, 60));
	o = ts_offer(&t);
	ck_assert_int_eq(ts_launch(&t, o, "f1", 0.1, NULL), 202);
	e = ts_wait(&t, EV(UPDATE), "f1", ST(TASK_STARTING), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	s = e->update->status;
	ck_assert(s->has_uuid && s->uuid.len == 16);
	ck_assert_int_eq(s->source, MESOS__V1__TASK_STATUS__SOURCE__SOURCE_EXECUTOR);
	ck_assert_str_eq(s->executor_id->value, "f1");
	ck_assert_str_eq(s->agent_id->value, o->agent_id->value);
	ck_assert(s->has_timestamp && s->timestamp > 1e9);
	ck_assert_ptr_nonnull(s->container_status);
	ck_assert_ptr_nonnull(s->container_status->container_id);
	ts_close(&t);
}
END_TEST

/* Invalid TaskInfo: TASK_ERROR; invalid offers: TASK_DROPPED / LOST. */
static void
invalid_check(int pa)
{
	struct ts t;
	const Mesos__V1__Offer *o;
	Mesos__V1__Scheduler__Event *e;
	Mesos__V1__Offer fake;
	Mesos__V1__OfferID fid = MESOS__V1__OFFER_ID__INIT;

	sim_start(NULL);
	ts_subscribe(&t, S.masters[0], CODEC_JSON, subscribe_call(NULL, pa, 60));
	o = ts_offer(&t);
	ck_assert_int_eq(ts_launch(&t, o, "big", 100000, NULL), 202);
	e = ts_wait(&t, EV(UPDATE), "big", ST(TASK_ERROR), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->update->status->reason,
	    MESOS__V1__TASK_STATUS__REASON__REASON_TASK_INVALID);
	ck_assert(!e->update->status->has_uuid);
	ck_assert_ptr_nonnull(strstr(e->update->status->message,
	    "is more than available"));
	/* The offer is gone: using it again means invalid offers. */
	fake = *o;
	fid.value = (char *)"no-such-offer";
	fake.id = &fid;
	ck_assert_int_eq(ts_launch(&t, &fake, "lost1", 0.1, NULL), 202);
	e = ts_wait(&t, EV(UPDATE), "lost1", pa ? ST(TASK_DROPPED) :
	    ST(TASK_LOST), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->update->status->reason,
	    MESOS__V1__TASK_STATUS__REASON__REASON_INVALID_OFFERS);
	ck_assert(!e->update->status->has_uuid);
	/* Duplicate task id. */
	ts_run_task(&t, "dup");
	o = ts_offer(&t);
	ck_assert_int_eq(ts_launch(&t, o, "dup", 0.1, NULL), 202);
	e = ts_wait(&t, EV(UPDATE), "dup", ST(TASK_ERROR), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(e->update->status->message, "duplicate"));
	ck_assert_int_ge(counter("tasks_error"), 2);
	ts_close(&t);
}

START_TEST(test_invalid_pa)
{
	invalid_check(1);
}
END_TEST

START_TEST(test_invalid_non_pa)
{
	invalid_check(0);
}
END_TEST

/* KILL: TASK_KILLING then TASK_KILLED; unknown task: reconciliation. */
START_TEST(test_kill)
{
	struct ts t;
	Mesos__V1__Scheduler__Event *e;

	sim_start(NULL);
	ts_subscribe(&t, S.masters[0], CODEC_JSON, subscribe_call(NULL, 1, 60));
	ts_run_task(&t, "k1");
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s,s:{s:{s:s}}}", "type",
	    "KILL", "kill", "task_id", "value", "k1"), NULL), 202);
	e = ts_wait(&t, EV(UPDATE), "k1", ST(TASK_KILLING), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(ts_ack(&t, e), 202);
	e = ts_wait(&t, EV(UPDATE), "k1", ST(TASK_KILLED), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(e->update->status->message, "Terminated"));
	ck_assert_int_eq(ts_ack(&t, e), 202);
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s,s:{s:{s:s}}}", "type",
	    "KILL", "kill", "task_id", "value", "nosuch"), NULL), 202);
	e = ts_wait(&t, EV(UPDATE), "nosuch", ST(TASK_UNKNOWN), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->update->status->reason,
	    MESOS__V1__TASK_STATUS__REASON__REASON_RECONCILIATION);
	ck_assert_str_eq(e->update->status->message,
	    "Reconciliation: Task is unknown");
	/* The acknowledged terminal task is gone from the master. */
	ck_assert(TU_WAIT(WAIT_MS, counter("tasks") == 0));
	ts_close(&t);
}
END_TEST

/* A task that ignores SIGTERM dies after the kill policy's grace. */
START_TEST(test_kill_grace)
{
	struct ts t;
	const Mesos__V1__Offer *o;
	Mesos__V1__Scheduler__Event *e;
	long long t0;

	sim_start(NULL);
	ts_subscribe(&t, S.masters[0], CODEC_JSON, subscribe_call(NULL, 1, 60));
	o = ts_offer(&t);
	ck_assert_int_eq(ts_launch(&t, o, "stubborn", 0.1, json_pack(
	    "{s:{s:[{s:s,s:s}]}}", "labels", "labels", "key",
	    "ARK_SIM_IGNORE_TERM", "value", "1")), 202);
	ck_assert_int_eq(ts_ack(&t, ts_wait(&t, EV(UPDATE), "stubborn",
	    ST(TASK_STARTING), WAIT_MS)), 202);
	ck_assert_int_eq(ts_ack(&t, ts_wait(&t, EV(UPDATE), "stubborn",
	    ST(TASK_RUNNING), WAIT_MS)), 202);
	t0 = tu_now_ms();
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s,s:{s:{s:s},s:{s:{s:I}}}}",
	    "type", "KILL", "kill", "task_id", "value", "stubborn",
	    "kill_policy", "grace_period", "nanoseconds",
	    (json_int_t)700000000), NULL), 202);
	ck_assert_int_eq(ts_ack(&t, ts_wait(&t, EV(UPDATE), "stubborn",
	    ST(TASK_KILLING), WAIT_MS)), 202);
	e = ts_wait(&t, EV(UPDATE), "stubborn", ST(TASK_KILLED), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_ge(tu_now_ms() - t0, 600);
	ts_close(&t);
}
END_TEST

/* Unacknowledged updates are resent; the next waits for the ack. */
START_TEST(test_reliable_retry)
{
	struct ts t;
	const Mesos__V1__Offer *o;
	Mesos__V1__Scheduler__Event *e1, *e2;

	sim_start(NULL);
	ts_subscribe(&t, S.masters[0], CODEC_PROTOBUF,
	    subscribe_call(NULL, 1, 60));
	o = ts_offer(&t);
	ck_assert_int_eq(ts_launch(&t, o, "r1", 0.1, NULL), 202);
	e1 = ts_wait(&t, EV(UPDATE), "r1", ST(TASK_STARTING), WAIT_MS);
	ck_assert_ptr_nonnull(e1);
	e2 = ts_wait(&t, EV(UPDATE), "r1", ST(TASK_STARTING), WAIT_MS);
	ck_assert_msg(e2 != NULL, "no resend");
	ck_assert_int_eq(memcmp(e1->update->status->uuid.data,
	    e2->update->status->uuid.data, 16), 0);
	/* RUNNING is held back until STARTING is acknowledged. */
	ck_assert_ptr_null(ts_wait(&t, EV(UPDATE), "r1", ST(TASK_RUNNING),
	    200));
	ck_assert_int_ge(counter("updates_resent"), 1);
	ck_assert_int_eq(ts_ack(&t, e1), 202);
	ck_assert_int_eq(ts_ack(&t, e2), 202);	/* a duplicate ack */
	e1 = ts_wait(&t, EV(UPDATE), "r1", ST(TASK_RUNNING), WAIT_MS);
	ck_assert_ptr_nonnull(e1);
	ck_assert_int_eq(ts_ack(&t, e1), 202);
	ck_assert(TU_WAIT(WAIT_MS, counter("updates_unacked") == 0));
	ck_assert_int_eq(counter("updates_acked"), 2);
	ck_assert_int_eq(counter("acks_duplicate"), 1);
	ts_close(&t);
}
END_TEST

/* Explicit and implicit reconciliation. */
START_TEST(test_reconcile)
{
	struct ts t;
	Mesos__V1__Scheduler__Event *e;
	json_t *st;
	const char *agent;

	sim_start(NULL);
	ts_subscribe(&t, S.masters[0], CODEC_JSON, subscribe_call(NULL, 1, 60));
	ts_run_task(&t, "rc1");
	st = sim_get("state");
	agent = json_string_value(json_object_get(json_array_get(
	    json_object_get(state_framework(st, t.framework_id, 0), "tasks"),
	    0), "agent_id"));
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s,s:{s:[{s:{s:s},s:{s:s}},"
	    "{s:{s:s}},{s:{s:s},s:{s:s}}]}}", "type", "RECONCILE",
	    "reconcile", "tasks", "task_id", "value", "rc1", "agent_id",
	    "value", agent, "task_id", "value", "ghost", "task_id", "value",
	    "ghost2", "agent_id", "value", agent), NULL), 202);
	json_decref(st);
	e = ts_wait(&t, EV(UPDATE), "rc1", ST(TASK_RUNNING), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert(!e->update->status->has_uuid);
	ck_assert_int_eq(e->update->status->reason,
	    MESOS__V1__TASK_STATUS__REASON__REASON_RECONCILIATION);
	ck_assert_str_eq(e->update->status->message,
	    "Reconciliation: Latest task state");
	ck_assert_ptr_nonnull(ts_wait(&t, EV(UPDATE), "ghost",
	    ST(TASK_UNKNOWN), WAIT_MS));
	ck_assert_ptr_nonnull(ts_wait(&t, EV(UPDATE), "ghost2",
	    ST(TASK_GONE), WAIT_MS));
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s,s:{}}", "type",
	    "RECONCILE", "reconcile"), NULL), 202);
	e = ts_wait(&t, EV(UPDATE), "rc1", ST(TASK_RUNNING), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert(!e->update->status->has_uuid);
	ck_assert_int_ge(counter("reconcile_updates"), 4);
	ts_close(&t);
}
END_TEST

/* DECLINE filters, SUPPRESS stops offers, REVIVE clears both. */
START_TEST(test_decline_suppress_revive)
{
	struct ts t;
	const Mesos__V1__Offer *o;
	size_t n;

	sim_start("--agents", "1", NULL);
	ts_subscribe(&t, S.masters[0], CODEC_JSON, subscribe_call(NULL, 1, 60));
	o = ts_offer(&t);
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s,s:{s:[{s:s}],s:{s:f}}}",
	    "type", "DECLINE", "decline", "offer_ids", "value", o->id->value,
	    "filters", "refuse_seconds", 60.0), NULL), 202);
	ck_assert_ptr_null(ts_wait(&t, EV(OFFERS), NULL, -1, 600));
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s}", "type", "REVIVE"),
	    NULL), 202);
	o = ts_offer(&t);
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s}", "type", "SUPPRESS"),
	    NULL), 202);
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s,s:{s:[{s:s}],s:{s:f}}}",
	    "type", "DECLINE", "decline", "offer_ids", "value", o->id->value,
	    "filters", "refuse_seconds", 0.0), NULL), 202);
	n = ts_count(&t, EV(OFFERS));
	ts_pump(&t, 400);
	ck_assert_int_eq(ts_count(&t, EV(OFFERS)), n);
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s}", "type", "REVIVE"),
	    NULL), 202);
	ck_assert_ptr_nonnull(ts_wait(&t, EV(OFFERS), NULL, -1, WAIT_MS));
	ck_assert_int_ge(counter("offers_declined"), 2);
	ts_close(&t);
}
END_TEST

/* A second SUBSCRIBE with the id takes over: the old stream is told. */
START_TEST(test_framework_failover)
{
	struct ts a, b;
	Mesos__V1__Scheduler__Event *e;

	sim_start(NULL);
	ts_subscribe(&a, S.masters[0], CODEC_JSON, subscribe_call(NULL, 1, 60));
	ts_subscribe(&b, S.masters[0], CODEC_PROTOBUF,
	    subscribe_call(a.framework_id, 1, 60));
	ck_assert_str_eq(a.framework_id, b.framework_id);
	ck_assert_str_ne(a.stream_id, b.stream_id);
	e = ts_wait(&a, EV(ERROR), NULL, -1, WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->error->message, "Framework failed over");
	ck_assert(TU_WAIT(WAIT_MS, (ts_pump(&a, 10), a.closed)));
	/* The old stream id is stale now. */
	ck_assert_int_eq(ts_call(&a, json_pack("{s:s}", "type", "REVIVE"),
	    NULL), 400);
	ck_assert_int_eq(ts_call(&b, json_pack("{s:s}", "type", "REVIVE"),
	    NULL), 202);
	ck_assert_int_eq(counter("framework_failovers"), 1);
	ts_close(&a);
	ts_close(&b);
}
END_TEST

/* Past failover_timeout the framework is removed and its tasks killed. */
START_TEST(test_failover_timeout)
{
	struct ts t, u;
	Mesos__V1__Scheduler__Event *e;
	char id[256];
	json_t *st;

	sim_start(NULL);
	ts_subscribe(&t, S.masters[0], CODEC_JSON,
	    subscribe_call(NULL, 1, 0.3));
	ts_run_task(&t, "ft1");
	snprintf(id, sizeof id, "%s", t.framework_id);
	ts_close(&t);
	ck_assert(TU_WAIT(WAIT_MS, counter("tasks") == 0));
	st = sim_get("state");
	ck_assert_ptr_nonnull(state_framework(st, id, 1));
	json_decref(st);
	ts_open(&u, S.masters[0], CODEC_PROTOBUF, subscribe_call(id, 1, 60));
	e = ts_wait(&u, EV(ERROR), NULL, -1, WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->error->message, "Framework has been removed");
	ck_assert_int_eq(u.status, 200);
	ck_assert(TU_WAIT(WAIT_MS, (ts_pump(&u, 10), u.closed)));
	ts_close(&u);
}
END_TEST

/* TEARDOWN removes the framework and ends its stream. */
START_TEST(test_teardown)
{
	struct ts t;

	sim_start(NULL);
	ts_subscribe(&t, S.masters[0], CODEC_PROTOBUF,
	    subscribe_call(NULL, 0, 60));
	ts_run_task(&t, "td1");
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s}", "type", "TEARDOWN"),
	    NULL), 202);
	ck_assert(TU_WAIT(WAIT_MS, (ts_pump(&t, 10), t.closed)));
	ck_assert_int_eq(counter("tasks"), 0);
	ts_close(&t);
}
END_TEST

/* Master failover: 307s, resubscribe, reconciliation after reregistration. */
START_TEST(test_master_failover)
{
	struct ts t, u;
	Mesos__V1__Scheduler__Event *e;
	char *out = NULL, want[128], id[256];
	long long t0;

	sim_start("--masters", "3", NULL);
	ck_assert_int_eq(S.nmasters, 3);
	ck_assert_int_eq(raw_http(S.masters[1], "POST", "/api/v1/scheduler",
	    NULL, "{}", 2, &out), 307);
	snprintf(want, sizeof want, "Location: //127.0.0.1:%d/master/api/v1/"
	    "scheduler", S.masters[0]);
	ck_assert_msg(strstr(out, want) != NULL, "%s", out);
	free(out);
	ck_assert_int_eq(raw_http(S.masters[2], "GET", "/redirect", NULL,
	    NULL, 0, &out), 307);
	snprintf(want, sizeof want, "Location: //127.0.0.1:%d\r",
	    S.masters[0]);
	ck_assert_msg(strstr(out, want) != NULL, "%s", out);
	free(out);

	ts_subscribe(&t, S.masters[0], CODEC_JSON, subscribe_call(NULL, 1, 60));
	ts_run_task(&t, "mf1");
	snprintf(id, sizeof id, "%s", t.framework_id);
	ck_assert_int_eq(control("failover", "{\"to\":1,\"reregister_delay\":"
	    "3.0}"), 200);
	ck_assert(TU_WAIT(WAIT_MS, (ts_pump(&t, 10), t.closed)));
	ts_close(&t);
	ck_assert_int_eq(raw_http(S.masters[0], "POST", "/api/v1/scheduler",
	    NULL, "{}", 2, &out), 307);
	snprintf(want, sizeof want, "//127.0.0.1:%d/master/api/v1/scheduler",
	    S.masters[1]);
	ck_assert_ptr_nonnull(strstr(out, want));
	free(out);
	ts_open(&u, S.masters[1], CODEC_JSON, subscribe_call(id, 1, 60));
	e = ts_wait(&u, EV(SUBSCRIBED), NULL, -1, WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->subscribed->framework_id->value, id);
	snprintf(u.framework_id, sizeof u.framework_id, "%s", id);
	/* The leader serves the /master prefix too. */
	ck_assert_int_eq(raw_http(S.masters[1], "GET",
	    "/master/api/v1/scheduler", NULL, NULL, 0, NULL), 405);
	t0 = tu_now_ms();
	/* Not reregistered yet: the master does not answer. */
	ck_assert_int_eq(ts_call(&u, json_pack("{s:s,s:{s:[{s:{s:s}}]}}",
	    "type", "RECONCILE", "reconcile", "tasks", "task_id", "value",
	    "mf1"), NULL), 202);
	ck_assert_ptr_null(ts_wait(&u, EV(UPDATE), "mf1", -1, 300));
	/* After the agents reregister it does. */
	for (;;) {
		ck_assert_int_eq(ts_call(&u, json_pack("{s:s,s:{s:[{s:{s:s}}]}}",
		    "type", "RECONCILE", "reconcile", "tasks", "task_id",
		    "value", "mf1"), NULL), 202);
		e = ts_wait(&u, EV(UPDATE), "mf1", -1, 300);
		if (e != NULL)
			break;
		ck_assert_int_lt(tu_now_ms() - t0, 15000);
	}
	ck_assert_int_eq(e->update->status->state, ST(TASK_RUNNING));
	ck_assert_int_ge(tu_now_ms() - t0, 800);
	ck_assert_int_eq(counter("master_failovers"), 1);
	{
		json_t *c = sim_get("calls?type=RECONCILE"), *a, *x;
		size_t i;
		double prev = 0;

		ck_assert_ptr_nonnull(c);
		a = json_object_get(c, "calls");
		ck_assert_int_ge(json_array_size(a), 2);
		json_array_foreach(a, i, x) {
			ck_assert_str_eq(json_string_value(json_object_get(x,
			    "type")), "RECONCILE");
			ck_assert_int_eq(json_integer_value(json_object_get(x,
			    "items")), 1);
			ck_assert(json_real_value(json_object_get(x, "at")) >=
			    prev);
			prev = json_real_value(json_object_get(x, "at"));
		}
		json_decref(c);
	}
	ts_close(&u);
}
END_TEST

/* With one master a failover is its restart: new master id, same tasks. */
START_TEST(test_single_master_restart)
{
	struct ts t, u;
	Mesos__V1__Scheduler__Event *e;
	char mid[64], id[256];

	sim_start(NULL);
	ts_open(&t, S.masters[0], CODEC_PROTOBUF, subscribe_call(NULL, 1, 60));
	e = ts_wait(&t, EV(SUBSCRIBED), NULL, -1, WAIT_MS);
	ck_assert_ptr_nonnull(e);
	snprintf(mid, sizeof mid, "%s", e->subscribed->master_info->id);
	snprintf(t.framework_id, sizeof t.framework_id, "%s",
	    e->subscribed->framework_id->value);
	snprintf(id, sizeof id, "%s", t.framework_id);
	ts_run_task(&t, "sr1");
	ck_assert_int_eq(control("failover", NULL), 200);
	ck_assert(TU_WAIT(WAIT_MS, (ts_pump(&t, 10), t.closed)));
	ts_close(&t);
	ts_open(&u, S.masters[0], CODEC_PROTOBUF, subscribe_call(id, 1, 60));
	e = ts_wait(&u, EV(SUBSCRIBED), NULL, -1, WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->subscribed->framework_id->value, id);
	ck_assert_str_ne(e->subscribed->master_info->id, mid);
	snprintf(u.framework_id, sizeof u.framework_id, "%s", id);
	ck_assert(TU_WAIT(WAIT_MS, ts_call(&u, json_pack("{s:s,s:{s:[{s:{s:s}}]}}",
	    "type", "RECONCILE", "reconcile", "tasks", "task_id", "value",
	    "sr1"), NULL) == 202 && ts_wait(&u, EV(UPDATE), "sr1",
	    ST(TASK_RUNNING), 300) != NULL));
	ts_close(&u);
}
END_TEST

/* 503 while the leader recovers, and 401 without credentials. */
START_TEST(test_recovery_and_auth)
{
	static const char *const json_ct[] = {
		"Content-Type: application/json", NULL,
	};
	static const char *const good[] = {
		"Content-Type: application/json",
		"Authorization: Basic cDpz", NULL,	/* p:s */
	};
	static const char *const bad[] = {
		"Content-Type: application/json",
		"Authorization: Basic cDp4", NULL,	/* p:x */
	};
	const char *sub = "{\"type\":\"REVIVE\",\"framework_id\":{\"value\":"
	    "\"x\"}}";
	char *out = NULL;

	sim_start("--authenticate", "--principal", "p", "--secret", "s",
	    "--recovery-delay", "3", NULL);
	ck_assert_int_eq(raw_http(S.masters[0], "POST", "/api/v1/scheduler",
	    json_ct, sub, strlen(sub), &out), 401);
	ck_assert_ptr_nonnull(strstr(out, "WWW-Authenticate: Basic"));
	free(out);
	ck_assert_int_eq(raw_http(S.masters[0], "POST", "/api/v1/scheduler",
	    bad, sub, strlen(sub), NULL), 401);
	/* Recovery: 503 first, then the call is looked at (400 here). */
	ck_assert_int_eq(raw_http(S.masters[0], "POST", "/api/v1/scheduler",
	    good, sub, strlen(sub), &out), 503);
	ck_assert_ptr_nonnull(strstr(out, "Master has not finished recovery"));
	free(out);
	ck_assert(TU_WAIT(8000, raw_http(S.masters[0], "POST",
	    "/api/v1/scheduler", good, sub, strlen(sub), NULL) == 400));
}
END_TEST

/* Stream faults: drop, malformed record, oversized header, stall. */
START_TEST(test_stream_faults)
{
	struct ts t;
	size_t n;

	sim_start(NULL);
	ts_subscribe(&t, S.masters[0], CODEC_JSON, subscribe_call(NULL, 1, 60));
	ck_assert_int_eq(control("drop-stream", NULL), 200);
	ck_assert(TU_WAIT(WAIT_MS, (ts_pump(&t, 10), t.closed)));
	ts_close(&t);

	ts_subscribe(&t, S.masters[0], CODEC_JSON,
	    subscribe_call(NULL, 1, 60));
	ck_assert_int_eq(control("malformed-record", NULL), 200);
	ck_assert(TU_WAIT(WAIT_MS, (ts_pump(&t, 10), t.bad)));
	ts_close(&t);

	ts_subscribe(&t, S.masters[0], CODEC_PROTOBUF,
	    subscribe_call(NULL, 1, 60));
	ck_assert_int_eq(control("oversized-record", NULL), 200);
	ck_assert(TU_WAIT(WAIT_MS, (ts_pump(&t, 10), t.bad)));
	ck_assert_ptr_nonnull(strstr(t.why, "length") != NULL ? t.why :
	    strstr(t.why, "record") != NULL ? t.why : NULL);
	ts_close(&t);

	ts_subscribe(&t, S.masters[0], CODEC_JSON, subscribe_call(NULL, 1, 60));
	ts_pump(&t, 100);
	ck_assert_int_eq(control("stall", "{\"seconds\":3}"), 200);
	ts_pump(&t, 100);
	n = ts_count(&t, EV(HEARTBEAT));
	ts_pump(&t, 1000);
	ck_assert_int_eq(ts_count(&t, EV(HEARTBEAT)), n);
	ck_assert_int_eq(t.closed, 0);
	ck_assert(TU_WAIT(WAIT_MS, (ts_pump(&t, 10),
	    ts_count(&t, EV(HEARTBEAT)) > n)));
	ck_assert_int_eq(control("slow-stream", "{\"bytes_per_second\":"
	    "2000}"), 200);
	ck_assert_ptr_nonnull(ts_wait(&t, EV(HEARTBEAT), NULL, -1, WAIT_MS));
	ts_close(&t);
}
END_TEST

/* fail-calls answers the next calls with 503/500. */
START_TEST(test_fail_calls)
{
	struct ts t;

	sim_start(NULL);
	ts_subscribe(&t, S.masters[0], CODEC_JSON, subscribe_call(NULL, 1, 60));
	ck_assert_int_eq(control("fail-calls", "{\"status\":503,\"count\":2}"),
	    200);
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s}", "type", "REVIVE"),
	    NULL), 503);
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s}", "type", "SUPPRESS"),
	    NULL), 503);
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s}", "type", "REVIVE"),
	    NULL), 202);
	ck_assert_int_eq(control("fail-calls", "{\"status\":500,\"seconds\":"
	    "0.5,\"types\":[\"SUPPRESS\"]}"), 200);
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s}", "type", "SUPPRESS"),
	    NULL), 500);
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s}", "type", "REVIVE"),
	    NULL), 202);
	ck_assert(TU_WAIT(WAIT_MS, ts_call(&t, json_pack("{s:s}", "type",
	    "SUPPRESS"), NULL) == 202));
	ck_assert_int_eq(call_status("REVIVE", "503"), 1);
	ck_assert_int_ge(call_status("SUPPRESS", "500"), 1);
	ts_close(&t);
}
END_TEST

/* Partition: TASK_UNREACHABLE (or TASK_LOST), then back after healing. */
static void
partition_check(int pa)
{
	struct ts t;
	Mesos__V1__Scheduler__Event *e;
	json_t *st;
	char agent[256];

	sim_start("--agents", "1", NULL);
	ts_subscribe(&t, S.masters[0], CODEC_JSON, subscribe_call(NULL, pa, 60));
	ts_run_task(&t, "p1");
	st = sim_get("state");
	snprintf(agent, sizeof agent, "%s", json_string_value(json_object_get(
	    json_array_get(json_object_get(st, "slaves"), 0), "id")));
	json_decref(st);
	ck_assert_int_eq(control("partition", "{\"agent_id\":\"%s\","
	    "\"unreachable_after\":0.3}", agent), 200);
	e = ts_wait(&t, EV(UPDATE), "p1", pa ? ST(TASK_UNREACHABLE) :
	    ST(TASK_LOST), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert(!e->update->status->has_uuid);
	if (pa)
		ck_assert_ptr_nonnull(e->update->status->unreachable_time);
	ck_assert_int_eq(control("heal", "{\"agent_id\":\"%s\"}", agent), 200);
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s,s:{s:[{s:{s:s}}]}}",
	    "type", "RECONCILE", "reconcile", "tasks", "task_id", "value",
	    "p1"), NULL), 202);
	ck_assert_ptr_nonnull(ts_wait(&t, EV(UPDATE), "p1", ST(TASK_RUNNING),
	    WAIT_MS));
	ts_close(&t);
}

START_TEST(test_partition_pa)
{
	partition_check(1);
}
END_TEST

START_TEST(test_partition_non_pa)
{
	partition_check(0);
}
END_TEST

/* Removed agent: TASK_GONE_BY_OPERATOR; forgotten task: TASK_GONE. */
START_TEST(test_remove_and_forget)
{
	struct ts t;
	Mesos__V1__Scheduler__Event *e;
	json_t *st;
	char agent[256];

	sim_start("--agents", "2", NULL);
	ts_subscribe(&t, S.masters[0], CODEC_PROTOBUF,
	    subscribe_call(NULL, 1, 60));
	ts_run_task(&t, "g1");
	ts_run_task(&t, "g2");
	ck_assert_int_eq(control("forget-task", "{\"task_id\":\"g2\"}"), 200);
	st = sim_get("state");
	{
		json_t *task = json_array_get(json_object_get(state_framework(
		    st, t.framework_id, 0), "tasks"), 0);

		snprintf(agent, sizeof agent, "%s", json_string_value(
		    json_object_get(task, "agent_id")));
	}
	json_decref(st);
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s,s:{s:[{s:{s:s},s:{s:s}}]}}",
	    "type", "RECONCILE", "reconcile", "tasks", "task_id", "value",
	    "g2", "agent_id", "value", agent), NULL), 202);
	e = ts_wait(&t, EV(UPDATE), "g2", -1, WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_msg(e->update->status->state == ST(TASK_GONE) ||
	    e->update->status->state == ST(TASK_UNKNOWN), "state %d",
	    e->update->status->state);
	ck_assert_int_eq(control("remove-agent", "{\"agent_id\":\"%s\"}",
	    agent), 200);
	e = ts_wait(&t, EV(UPDATE), "g1", ST(TASK_GONE_BY_OPERATOR), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->update->status->reason,
	    MESOS__V1__TASK_STATUS__REASON__REASON_AGENT_REMOVED_BY_OPERATOR);
	ts_close(&t);
}
END_TEST

/* Dropped ACKs and duplicated updates. */
START_TEST(test_drop_and_duplicate)
{
	struct ts t;
	const Mesos__V1__Offer *o;
	Mesos__V1__Scheduler__Event *e, *e2;

	sim_start(NULL);
	ts_subscribe(&t, S.masters[0], CODEC_JSON, subscribe_call(NULL, 1, 60));
	ck_assert_int_eq(control("drop-acks", "{\"count\":1}"), 200);
	ck_assert_int_eq(control("duplicate-updates", "{\"count\":1}"), 200);
	o = ts_offer(&t);
	ck_assert_int_eq(ts_launch(&t, o, "d1", 0.1, NULL), 202);
	e = ts_wait(&t, EV(UPDATE), "d1", ST(TASK_STARTING), WAIT_MS);
	e2 = ts_wait(&t, EV(UPDATE), "d1", ST(TASK_STARTING), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(e2);
	ck_assert_int_eq(ts_ack(&t, e), 202);	/* dropped */
	ck_assert_int_eq(counter("acks_dropped"), 1);
	ck_assert_int_eq(counter("updates_duplicated"), 1);
	/* Resent because the ack was lost; ack the resend. */
	e = ts_wait(&t, EV(UPDATE), "d1", ST(TASK_STARTING), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(ts_ack(&t, e), 202);
	e = ts_wait(&t, EV(UPDATE), "d1", ST(TASK_RUNNING), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(ts_ack(&t, e), 202);
	ck_assert(TU_WAIT(WAIT_MS, counter("updates_unacked") == 0));
	ts_close(&t);
}
END_TEST

/* Maintenance: unavailability in offers and inverse offers. */
START_TEST(test_maintenance)
{
	struct ts t;
	Mesos__V1__Scheduler__Event *e;
	json_t *st;
	char agent[256];

	sim_start("--agents", "1", NULL);
	ts_subscribe(&t, S.masters[0], CODEC_JSON, subscribe_call(NULL, 1, 60));
	ts_run_task(&t, "m1");
	st = sim_get("state");
	snprintf(agent, sizeof agent, "%s", json_string_value(json_object_get(
	    json_array_get(json_object_get(st, "slaves"), 0), "id")));
	json_decref(st);
	ck_assert_int_eq(control("maintenance", "{\"agent_id\":\"%s\","
	    "\"start_in\":60,\"duration\":600}", agent), 200);
	e = ts_wait(&t, EV(INVERSE_OFFERS), NULL, -1, WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->inverse_offers->inverse_offers[0]->agent_id->value,
	    agent);
	ck_assert_ptr_nonnull(e->inverse_offers->inverse_offers[0]->
	    unavailability);
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s,s:{s:[{s:s}]}}", "type",
	    "ACCEPT_INVERSE_OFFERS", "accept_inverse_offers",
	    "inverse_offer_ids", "value",
	    e->inverse_offers->inverse_offers[0]->id->value), NULL), 202);
	for (;;) {
		e = ts_wait(&t, EV(OFFERS), NULL, -1, WAIT_MS);
		ck_assert_ptr_nonnull(e);
		if (e->offers->offers[0]->unavailability != NULL)
			break;
	}
	ts_close(&t);
}
END_TEST

/* Rescind all offers: RESCIND events, offers come back. */
START_TEST(test_rescind)
{
	struct ts t;
	Mesos__V1__Scheduler__Event *e;
	const Mesos__V1__Offer *o;

	sim_start("--agents", "1", NULL);
	ts_subscribe(&t, S.masters[0], CODEC_PROTOBUF,
	    subscribe_call(NULL, 1, 60));
	o = ts_offer(&t);
	ck_assert_int_eq(control("rescind-offers", NULL), 200);
	e = ts_wait(&t, EV(RESCIND), NULL, -1, WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->rescind->offer_id->value, o->id->value);
	ck_assert_ptr_nonnull(ts_wait(&t, EV(OFFERS), NULL, -1, WAIT_MS));
	ck_assert_int_eq(counter("offers_rescinded"), 1);
	ts_close(&t);
}
END_TEST

/* Task behaviour by label, crash/finish via control, LAUNCH_GROUP. */
START_TEST(test_behaviours)
{
	struct ts t;
	const Mesos__V1__Offer *o;
	Mesos__V1__Scheduler__Event *e;

	sim_start("--agents", "2", NULL);
	ts_subscribe(&t, S.masters[0], CODEC_JSON, subscribe_call(NULL, 1, 60));
	o = ts_offer(&t);
	ck_assert_int_eq(ts_launch(&t, o, "fin", 0.1, json_pack(
	    "{s:{s:[{s:s,s:s}]}}", "labels", "labels", "key",
	    "ARK_SIM_BEHAVIOUR", "value", "finish:0.2")), 202);
	ck_assert_int_eq(ts_ack(&t, ts_wait(&t, EV(UPDATE), "fin",
	    ST(TASK_STARTING), WAIT_MS)), 202);
	ck_assert_int_eq(ts_ack(&t, ts_wait(&t, EV(UPDATE), "fin",
	    ST(TASK_RUNNING), WAIT_MS)), 202);
	e = ts_wait(&t, EV(UPDATE), "fin", ST(TASK_FINISHED), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(ts_ack(&t, e), 202);
	ts_run_task(&t, "cr");
	ck_assert_int_eq(control("crash-task", "{\"task_id\":\"cr\"}"), 200);
	e = ts_wait(&t, EV(UPDATE), "cr", ST(TASK_FAILED), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->update->status->reason,
	    MESOS__V1__TASK_STATUS__REASON__REASON_EXECUTOR_TERMINATED);
	ck_assert_int_eq(ts_ack(&t, e), 202);
	/* LAUNCH_GROUP: both tasks start. */
	o = ts_offer(&t);
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s,s:{s:[{s:s}],s:[{s:s,s:{"
	    "s:{s:s,s:{s:s},s:[{s:s,s:s,s:{s:f}}]},s:{s:[{s:s,s:{s:s},s:{s:s},"
	    "s:[{s:s,s:s,s:{s:f}}]},{s:s,s:{s:s},s:{s:s},s:[{s:s,s:s,s:{s:f}}]}"
	    "]}}}]}}",
	    "type", "ACCEPT", "accept", "offer_ids", "value", o->id->value,
	    "operations", "type", "LAUNCH_GROUP", "launch_group", "executor",
	    "type", "DEFAULT", "executor_id", "value", "ex1", "resources",
	    "name", "cpus", "type", "SCALAR", "scalar", "value", 0.1,
	    "task_group", "tasks",
	    "name", "ga", "task_id", "value", "ga", "agent_id", "value",
	    o->agent_id->value, "resources", "name", "cpus", "type", "SCALAR",
	    "scalar", "value", 0.1,
	    "name", "gb", "task_id", "value", "gb", "agent_id", "value",
	    o->agent_id->value, "resources", "name", "cpus", "type", "SCALAR",
	    "scalar", "value", 0.1), NULL), 202);
	e = ts_wait(&t, EV(UPDATE), "ga", ST(TASK_STARTING), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->update->status->executor_id->value, "ex1");
	ck_assert_ptr_nonnull(ts_wait(&t, EV(UPDATE), "gb", ST(TASK_STARTING),
	    WAIT_MS));
	ts_close(&t);
}
END_TEST

/* Waits for a TASK_RUNNING update of task with a health result. */
static Mesos__V1__Scheduler__Event *
ts_wait_health(struct ts *t, const char *task)
{
	long long end = tu_now_ms() + WAIT_MS;
	Mesos__V1__Scheduler__Event *e;

	while (tu_now_ms() < end) {
		e = ts_wait(t, EV(UPDATE), task, ST(TASK_RUNNING), WAIT_MS);
		if (e == NULL)
			return NULL;
		if (e->update->status->has_healthy)
			return e;
		ck_assert_int_eq(ts_ack(t, e), 202);
	}
	return NULL;
}

/* Launches task with a health check and the ARK_SIM_HEALTH behaviour h. */
static void
ts_launch_checked(struct ts *t, const char *task, const char *h)
{
	const Mesos__V1__Offer *o = ts_offer(t);
	json_t *extra = json_pack("{s:{s:s,s:{s:s}}}", "health_check", "type",
	    "COMMAND", "command", "value", "true");

	if (h != NULL)
		json_object_set_new(extra, "labels", json_pack(
		    "{s:[{s:s,s:s}]}", "labels", "key", "ARK_SIM_HEALTH",
		    "value", h));
	ck_assert_int_eq(ts_launch(t, o, task, 0.1, extra), 202);
	ck_assert_int_eq(ts_ack(t, ts_wait(t, EV(UPDATE), task,
	    ST(TASK_STARTING), WAIT_MS)), 202);
}

/* Health checks: healthy, unhealthy and the -after forms, reconciled too. */
START_TEST(test_health)
{
	struct ts t;
	Mesos__V1__Scheduler__Event *e;
	const Mesos__V1__TaskStatus *s;
	json_t *st, *tasks;
	size_t i, found = 0;

	sim_start("--agents", "2", "--health-delay", "0.05", NULL);
	ts_subscribe(&t, S.masters[0], CODEC_JSON, subscribe_call(NULL, 1, 60));
	/* no health check: RUNNING never carries a result */
	ts_run_task(&t, "plain");
	ts_launch_checked(&t, "h1", NULL);
	e = ts_wait_health(&t, "h1");
	ck_assert_msg(e != NULL, "no health result for h1");
	s = e->update->status;
	ck_assert(s->healthy);
	ck_assert(s->has_uuid);
	ck_assert_int_eq(s->reason, MESOS__V1__TASK_STATUS__REASON__REASON_TASK_HEALTH_CHECK_STATUS_UPDATED);
	ck_assert_int_eq(ts_ack(&t, e), 202);
	ts_launch_checked(&t, "h2", "unhealthy");
	e = ts_wait_health(&t, "h2");
	ck_assert_ptr_nonnull(e);
	ck_assert(!e->update->status->healthy);
	ck_assert_int_eq(ts_ack(&t, e), 202);
	ts_launch_checked(&t, "h3", "healthy-after:0.4");
	e = ts_wait_health(&t, "h3");
	ck_assert_ptr_nonnull(e);
	ck_assert(!e->update->status->healthy);
	ck_assert_int_eq(ts_ack(&t, e), 202);
	e = ts_wait_health(&t, "h3");
	ck_assert_msg(e != NULL, "h3 never became healthy");
	ck_assert(e->update->status->healthy);
	ck_assert_int_eq(ts_ack(&t, e), 202);
	ts_launch_checked(&t, "h4", "unhealthy-after:0.3");
	e = ts_wait_health(&t, "h4");
	ck_assert_ptr_nonnull(e);
	ck_assert(e->update->status->healthy);
	ck_assert_int_eq(ts_ack(&t, e), 202);
	e = ts_wait_health(&t, "h4");
	ck_assert_msg(e != NULL, "h4 never became unhealthy");
	ck_assert(!e->update->status->healthy);
	ck_assert_int_eq(ts_ack(&t, e), 202);
	/* a bad behaviour is ignored (healthy), the task still runs */
	ts_launch_checked(&t, "h5", "sometimes");
	e = ts_wait_health(&t, "h5");
	ck_assert_ptr_nonnull(e);
	ck_assert(e->update->status->healthy);
	ck_assert_int_eq(ts_ack(&t, e), 202);
	/* the master's reconciliation answer carries the latest result */
	ck_assert_int_eq(ts_call(&t, json_pack("{s:s,s:{}}", "type",
	    "RECONCILE", "reconcile"), NULL), 202);
	for (i = 0; i < 2; i++) {
		const char *id = i == 0 ? "h2" : "h3";

		e = ts_wait(&t, EV(UPDATE), id, ST(TASK_RUNNING), WAIT_MS);
		ck_assert_ptr_nonnull(e);
		ck_assert(!e->update->status->has_uuid);
		ck_assert(e->update->status->has_healthy);
		ck_assert(e->update->status->healthy == (i == 1));
	}
	e = ts_wait(&t, EV(UPDATE), "plain", ST(TASK_RUNNING), WAIT_MS);
	ck_assert_ptr_nonnull(e);
	ck_assert(!e->update->status->has_healthy);
	/* /state shows the behaviour and the last result */
	st = sim_get("state");
	tasks = json_object_get(state_framework(st, t.framework_id, 0),
	    "tasks");
	for (i = 0; i < json_array_size(tasks); i++) {
		json_t *x = json_array_get(tasks, i);
		const char *id = json_string_value(json_object_get(x, "id"));

		if (strcmp(id, "h4") == 0) {
			ck_assert_str_eq(json_string_value(json_object_get(x,
			    "health")), "unhealthy-after");
			ck_assert(json_is_false(json_object_get(x, "healthy")));
			found++;
		} else if (strcmp(id, "plain") == 0) {
			ck_assert_ptr_null(json_object_get(x, "healthy"));
			found++;
		}
	}
	ck_assert_int_eq(found, 2);
	json_decref(st);
	ts_close(&t);
}
END_TEST

/* Operator API GET_AGENTS in both encodings. */
START_TEST(test_get_agents)
{
	static const char *const json_ct[] = {
		"Content-Type: application/json", NULL,
	};
	static const char *const pb_ct[] = {
		"Content-Type: application/json",
		"Accept: application/x-protobuf", NULL,
	};
	const char *body = "{\"type\":\"GET_AGENTS\"}";
	Mesos__V1__Master__Response *r;
	json_t *j;
	char *out = NULL, *p;
	size_t n;

	sim_start("--agents", "4", "--agent-attributes", "rack:r1;level:3",
	    NULL);
	ck_assert_int_eq(raw_http(S.masters[0], "POST", "/api/v1", json_ct,
	    body, strlen(body), &out), 200);
	p = strstr(out, "\r\n\r\n");
	ck_assert_ptr_nonnull(p);
	j = json_loads(p + 4, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "type")),
	    "GET_AGENTS");
	ck_assert_int_eq(json_array_size(json_object_get(json_object_get(j,
	    "get_agents"), "agents")), 4);
	json_decref(j);
	free(out);
	{
		CURL *c = curl_easy_init();
		struct curl_slist *h = NULL;
		struct buf resp;
		char url[128];
		long st = 0;

		buf_init(&resp, 0);
		snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1",
		    S.masters[0]);
		h = curl_slist_append(h, pb_ct[0]);
		h = curl_slist_append(h, pb_ct[1]);
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ts_body_cb);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
		ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
		ck_assert_int_eq(st, 200);
		r = (Mesos__V1__Master__Response *)codec_decode(
		    CODEC_PROTOBUF, &mesos__v1__master__response__descriptor,
		    resp.data, resp.len, NULL);
		ck_assert_ptr_nonnull(r);
		ck_assert_ptr_nonnull(r->get_agents);
		n = r->get_agents->n_agents;
		ck_assert_int_eq(n, 4);
		ck_assert_int_eq(r->get_agents->agents[0]->agent_info->
		    n_attributes, 2);
		codec_free(r);
		buf_clear(&resp);
		curl_slist_free_all(h);
		curl_easy_cleanup(c);
	}
}
END_TEST

/* Flood: many updates quickly, each with a distinct tracked uuid. */
START_TEST(test_flood)
{
	struct ts t;
	Mesos__V1__Scheduler__Event *e;
	long long t0;

	sim_start(NULL);
	ts_subscribe(&t, S.masters[0], CODEC_PROTOBUF,
	    subscribe_call(NULL, 1, 60));
	ck_assert_int_eq(control("flood", "{\"count\":20000}"), 200);
	t0 = tu_now_ms();
	while (ts_count(&t, EV(UPDATE)) < 20000 && tu_now_ms() - t0 < 20000)
		ts_pump(&t, 20);
	ck_assert_int_eq(ts_count(&t, EV(UPDATE)), 20000);
	e = ts_wait(&t, EV(UPDATE), NULL, -1, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(ts_ack(&t, e), 202);
	ck_assert_int_eq(ts_ack(&t, e), 202);
	ck_assert_int_eq(counter("flood_acked"), 1);
	ck_assert_int_eq(counter("flood_acks_duplicate"), 1);
	ts_close(&t);
}
END_TEST

/* An agents file; add-agents through the control API. */
START_TEST(test_agents_file)
{
	json_t *st;
	FILE *f;
	char path[600];

	memset(&S, 0, sizeof S);
	S.dir = tu_tmpdir("simf");
	snprintf(path, sizeof path, "%s/agents.json", S.dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"agents\":[{\"hostname\":\"big\",\"count\":2,\"resources\":"
	    "{\"cpus\":32,\"mem\":65536,\"ports\":\"[1000-2000]\"},"
	    "\"attributes\":{\"rack\":\"r9\"}}]}", f);
	fclose(f);
	{
		char *dir = S.dir;

		S.dir = NULL;
		sim_start("--agents", "0", "--agents-file", path, NULL);
		tu_rmtree(dir);
		free(dir);
	}
	st = sim_get("state");
	ck_assert_int_eq(json_array_size(json_object_get(st, "slaves")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(st, "slaves"), 0), "hostname")), "big-0");
	json_decref(st);
	ck_assert_int_eq(control("add-agents", "{\"count\":3}"), 200);
	st = sim_get("state");
	ck_assert_int_eq(json_array_size(json_object_get(st, "slaves")), 5);
	json_decref(st);
}
END_TEST


/* The leader's port from /state (0 if none). */
static int
leader_port(void)
{
	json_t *st = sim_get("state"), *m;
	size_t i;
	int port = 0;

	json_array_foreach(json_object_get(st, "masters"), i, m) {
		if (json_is_true(json_object_get(m, "leader")))
			port = (int)json_integer_value(json_object_get(m,
			    "port"));
	}
	json_decref(st);
	return port;
}

/* Acknowledges every unacknowledged update seen; launches on offers. */
static void
chaos_step(struct ts *t, unsigned *seed, int *ntask)
{
	size_t i;

	ts_pump(t, 20);
	for (i = 0; i < t->nev; i++) {
		Mesos__V1__Scheduler__Event *e = t->ev[i];

		if (t->used[i])
			continue;
		t->used[i] = 1;
		if (e->type == EV(UPDATE) && e->update->status->has_uuid)
			ts_ack(t, e);
		else if (e->type == EV(OFFERS) && rand_r(seed) % 2 == 0) {
			char id[32];

			snprintf(id, sizeof id, "c%d", (*ntask)++);
			ts_launch(t, e->offers->offers[0], id, 0.1, NULL);
		}
	}
}

/* Resubscribes (to the leader) when the stream is gone or broken. */
static void
chaos_resubscribe(struct ts *t, char *fid)
{
	int port;

	if (!t->closed && !t->bad && t->multi != NULL)
		return;
	ts_close(t);
	port = leader_port();
	if (port == 0)
		return;
	ts_open(t, port, rand() % 2 ? CODEC_JSON : CODEC_PROTOBUF,
	    subscribe_call(fid[0] ? fid : NULL, 1, 3600));
	if (ts_wait(t, EV(SUBSCRIBED), NULL, -1, 2000) != NULL &&
	    fid[0] == '\0') {
		size_t i;

		for (i = 0; i < t->nev; i++)
			if (t->ev[i]->type == EV(SUBSCRIBED))
				snprintf(fid, 256, "%s",
				    t->ev[i]->subscribed->framework_id->value);
	}
	snprintf(t->framework_id, sizeof t->framework_id, "%s", fid);
}

/*
 * Random faults in a row (seeded, seed printed) against a scheduler that
 * keeps resubscribing, launching and acknowledging: ark-sim stays up, and
 * once the faults stop every update gets acknowledged.
 */
START_TEST(test_chaos)
{
	static const char *const faults[] = {
		"drop-stream", "stall", "unstall", "slow-stream",
		"malformed-record", "oversized-record", "fail-calls",
		"failover", "partition", "heal", "add-agents", "drop-acks",
		"duplicate-updates", "maintenance", "maintenance-stop",
		"rescind-offers", "crash-task", "forget-task", "flood",
		"finish-task", "error",
	};
	unsigned seed = (unsigned)time(NULL);
	char fid[256] = "";
	struct ts t;
	int i, ntask = 0, st;
	json_t *state;

	if (getenv("SIM_SEED") != NULL)
		seed = (unsigned)strtoul(getenv("SIM_SEED"), NULL, 10);
	fprintf(stderr, "test_chaos: seed %u\n", seed);
	srand(seed);
	sim_start("--masters", "2", "--agents", "4", NULL);
	memset(&t, 0, sizeof t);
	t.closed = 1;
	for (i = 0; i < 150; i++) {
		const char *f = faults[rand_r(&seed) % (sizeof faults /
		    sizeof faults[0])];
		char task[32];
		int agent = rand_r(&seed) % 4;
		json_t *sl;
		const char *aid = NULL;

		chaos_resubscribe(&t, fid);
		chaos_step(&t, &seed, &ntask);
		state = sim_get("state");
		ck_assert_msg(state != NULL, "ark-sim does not answer (seed %u,"
		    " step %d)", seed, i);
		sl = json_array_get(json_object_get(state, "slaves"),
		    (size_t)agent);
		if (sl != NULL)
			aid = json_string_value(json_object_get(sl, "id"));
		snprintf(task, sizeof task, "c%d", ntask > 0 ?
		    rand_r(&seed) % ntask : 0);
		if (strcmp(f, "failover") == 0)
			st = control(f, "{\"gap\":0.05,\"reregister_delay\":0.2}");
		else if (strcmp(f, "partition") == 0 && aid != NULL)
			st = control(f, "{\"agent_id\":\"%s\",\"unreachable_after\""
			    ":0.1}", aid);
		else if (strcmp(f, "heal") == 0)
			st = control(f, "{\"all\":true}");
		else if ((strcmp(f, "maintenance") == 0 ||
		    strcmp(f, "maintenance-stop") == 0) && aid != NULL)
			st = control(f, "{\"agent_id\":\"%s\"}", aid);
		else if (strstr(f, "-task") != NULL)
			st = control(f, "{\"task_id\":\"%s\"}", task);
		else if (strcmp(f, "stall") == 0)
			st = control(f, "{\"seconds\":0.2}");
		else if (strcmp(f, "slow-stream") == 0)
			st = control(f, "{\"bytes_per_second\":100000}");
		else if (strcmp(f, "flood") == 0)
			st = control(f, "{\"count\":200}");
		else
			st = control(f, NULL);
		json_decref(state);
		ck_assert_msg(st == 200 || st == 404 || st == 409,
		    "fault %s: %d (seed %u, step %d)", f, st, seed, i);
		ts_pump(&t, 10);
	}
	/* Calm: everything heals, the scheduler acknowledges what comes. */
	ck_assert_int_eq(control("fail-calls", "{\"status\":0}"), 200);
	ck_assert_int_eq(control("heal", "{\"all\":true}"), 200);
	ck_assert_int_eq(control("unstall", NULL) == 200 ||
	    control("unstall", NULL) == 404, 1);
	{
		long long end = tu_now_ms() + 20000;

		while (tu_now_ms() < end && counter("updates_unacked") > 0) {
			chaos_resubscribe(&t, fid);
			chaos_step(&t, &seed, &ntask);
		}
	}
	ck_assert_msg(counter("updates_unacked") == 0, "%lld updates not "
	    "acknowledged (seed %u)", counter("updates_unacked"), seed);
	ts_close(&t);
}
END_TEST

/*
 * The suite. SIM_TEST=<name> runs one test (for debugging); the log of a
 * failed test's simulator is printed.
 */
static Suite *
sim_suite(void)
{
	static const TTest *const *tests[] = {
		&test_subscribe_json,
		&test_subscribe_protobuf,
		&test_status_codes,
		&test_huge_body,
		&test_bad_input,
		&test_launch_json,
		&test_launch_protobuf,
		&test_update_fields,
		&test_invalid_pa,
		&test_invalid_non_pa,
		&test_kill,
		&test_kill_grace,
		&test_reliable_retry,
		&test_reconcile,
		&test_decline_suppress_revive,
		&test_framework_failover,
		&test_failover_timeout,
		&test_teardown,
		&test_master_failover,
		&test_single_master_restart,
		&test_recovery_and_auth,
		&test_stream_faults,
		&test_fail_calls,
		&test_partition_pa,
		&test_partition_non_pa,
		&test_remove_and_forget,
		&test_drop_and_duplicate,
		&test_maintenance,
		&test_rescind,
		&test_behaviours,
		&test_health,
		&test_get_agents,
		&test_flood,
		&test_agents_file,
		&test_chaos,
	};
	Suite *s = suite_create("ark-sim");
	TCase *tc = tcase_create("sim");
	const char *only = getenv("SIM_TEST");
	size_t i;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	for (i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		if (only == NULL || strcmp(only, (*tests[i])->name) == 0)
			tcase_add_test(tc, *tests[i]);
	}
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	sr = srunner_create(sim_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed == 0 ? 0 : 1;
}
