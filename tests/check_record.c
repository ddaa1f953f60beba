/*
 * check_record — record files: messages of every kind written and read back
 * equal, raw events from the tap paired with their messages (real Mesos
 * captures from fixtures/mesos), events that never reached the core kept as
 * "tap" records, a truncated last record, damaged and foreign files, and the
 * one-line descriptions of messages and effects that replays print.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "admin.h"
#include "codec.h"
#include "config.h"
#include "effect.h"
#include "log.h"
#include "msg.h"
#include "record.h"
#include "store.h"
#include "lib/testutil.h"
#include "xmalloc.h"

#define EXAMPLE		ARK_SRCDIR "/etc/ark/examples/demo.json"

static char path[64];

static void
setup(void)
{
	int fd;

	snprintf(path, sizeof path, "/tmp/check_record.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void
teardown(void)
{
	unlink(path);
}

/* Reads a fixture file (caller frees). */
static char *
fixture(const char *name, size_t *len)
{
	char *p = xasprintf("%s/%s", tu_fixtures_dir(), name), *data;

	data = tu_read_file(p, len);
	ck_assert_msg(data != NULL, "cannot read %s", p);
	free(p);
	return data;
}

static struct config *
example(void)
{
	char *cause = NULL;
	struct config *cfg = config_load(EXAMPLE, &cause);

	ck_assert_msg(cfg != NULL, "%s", cause);
	return cfg;
}

/* A snapshot with one row of each kind (borrowed strings: not cleared). */
static struct store_snapshot
snapshot(struct store_task *t, struct store_slot *sl, struct store_blacklist *b,
    struct store_kv *kv)
{
	struct store_snapshot s = { 0 };

	memset(t, 0, sizeof *t);
	t->task_id = (char *)"web.0.abc";
	t->job = (char *)"web";
	t->slot = (char *)"0";
	t->agent_id = (char *)"S1";
	t->hostname = NULL;
	t->offer_id = (char *)"O1";
	t->state = STORE_TASK_LAUNCHING;
	t->job_hash = (char *)"00112233aabbccdd";
	t->launched_at = 1700000000123;
	sl->job = (char *)"web";
	sl->slot = (char *)"1";
	sl->restarts = 4;
	sl->backoff_until = 1700000009999;
	b->agent = (char *)"bad-host";
	b->reason = (char *)"disk";
	b->since = 17;
	kv->key = (char *)"job/web/instances";
	kv->value = (char *)"4";
	s.framework_id = (char *)"fw-7";
	s.tasks = t;
	s.ntasks = 1;
	s.slots = sl;
	s.nslots = 1;
	s.blacklist = b;
	s.nblacklist = 1;
	s.kv = kv;
	s.nkv = 1;
	return s;
}

/* Decodes an event fixture. */
static Mesos__V1__Scheduler__Event *
event_fixture(const char *name, enum codec_type enc)
{
	size_t len;
	char *data = fixture(name, &len), *cause = NULL;
	Mesos__V1__Scheduler__Event *ev;

	ev = codec_decode_event(enc, data, len, &cause);
	ck_assert_msg(ev != NULL, "%s: %s", name, cause);
	free(data);
	return ev;
}

/* A message at the given clocks. */
static struct msg *
at(enum msg_type t, int64_t now)
{
	struct msg *m = msg_create(t);

	m->now = now;
	m->wall = 1700000000000 + now;
	return m;
}

/* Taps a fixture's raw bytes as the master connection would. */
static void
tap(struct record *r, const char *name, enum codec_type enc)
{
	size_t len;
	char *data = fixture(name, &len);

	record_tap(r, enc, data, len);
	free(data);
}

/* Writes a recording of every kind of message; returns how many records. */
static void
write_recording(void)
{
	struct store_task t;
	struct store_slot sl;
	struct store_blacklist b;
	struct store_kv kv;
	struct store_snapshot snap = snapshot(&t, &sl, &b, &kv);
	struct config *cfg = example();
	char *cause = NULL;
	struct record *r;
	struct msg *m;

	r = record_open(path, cfg, &snap, 1000, 1700000001000, &cause);
	ck_assert_msg(r != NULL, "%s", cause);

	m = at(MSG_SESSION, 1001);
	m->u.session.state = SESSION_CONNECTED;
	m->u.session.master = xstrdup("127.0.0.1:5050");
	m->u.session.stream_id = xstrdup("stream-1");
	ck_assert_int_eq(record_write_msg(r, m), 0);
	msg_free(m);

	/* subscribed, a heartbeat the core never sees, offers */
	tap(r, "protobuf/02-event-subscribed.pb", CODEC_PROTOBUF);
	tap(r, "protobuf/03-event-heartbeat.pb", CODEC_PROTOBUF);
	tap(r, "protobuf/04-event-offers.pb", CODEC_PROTOBUF);
	m = at(MSG_EVENT, 1002);
	m->u.event = event_fixture("protobuf/02-event-subscribed.pb",
	    CODEC_PROTOBUF);
	ck_assert_int_eq(record_write_msg(r, m), 0);
	msg_free(m);
	m = at(MSG_EVENT, 1003);
	m->u.event = event_fixture("protobuf/04-event-offers.pb",
	    CODEC_PROTOBUF);
	ck_assert_int_eq(record_write_msg(r, m), 0);
	msg_free(m);

	/* a JSON update, tapped */
	tap(r, "json/05-event-update-task_running.json", CODEC_JSON);
	m = at(MSG_EVENT, 1004);
	m->u.event = event_fixture("json/05-event-update-task_running.json",
	    CODEC_JSON);
	ck_assert_int_eq(record_write_msg(r, m), 0);
	msg_free(m);

	/* an event without a tap: re-encoded */
	m = at(MSG_EVENT, 1005);
	m->u.event = event_fixture("protobuf/15-event-update-task_killed.pb",
	    CODEC_PROTOBUF);
	ck_assert_int_eq(record_write_msg(r, m), 0);
	msg_free(m);

	m = at(MSG_CALL_DONE, 1006);
	m->u.call_done.cookie = UINT64_MAX - 1;
	m->u.call_done.type = MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT;
	m->u.call_done.status = 400;
	m->u.call_done.error = xstrdup("bad offer");
	ck_assert_int_eq(record_write_msg(r, m), 0);
	msg_free(m);

	m = at(MSG_AGENTS, 1007);
	{
		static const char agents[] = "{\"agents\": [{\"agent_info\": "
		    "{\"hostname\": \"h1\", \"id\": {\"value\": \"S1\"}}, "
		    "\"active\": true, \"version\": \"1.12.0\"}]}";
		char *c = NULL;

		m->u.agents = (Mesos__V1__Master__Response__GetAgents *)
		    codec_decode(CODEC_JSON,
		    &mesos__v1__master__response__get_agents__descriptor,
		    agents, strlen(agents), &c);
		ck_assert_msg(m->u.agents != NULL, "%s", c);
	}
	ck_assert_int_eq(record_write_msg(r, m), 0);
	msg_free(m);

	m = at(MSG_TICK, 1008);
	ck_assert_int_eq(record_write_msg(r, m), 0);
	msg_free(m);

	m = at(MSG_ADMIN, 1009);
	m->u.admin = xcalloc(1, sizeof *m->u.admin);
	m->u.admin->id = 42;
	m->u.admin->op = ADMIN_PATCH_JOB;
	m->u.admin->arg = xstrdup("web");
	m->u.admin->instances = 5;
	m->u.admin->suspended = -1;
	ck_assert_int_eq(record_write_msg(r, m), 0);
	msg_free(m);

	m = at(MSG_RELOAD, 1010);
	m->u.config = example();
	ck_assert_int_eq(record_write_msg(r, m), 0);
	msg_free(m);

	/* bytes that do not decode, and a heartbeat left at the end */
	record_tap(r, CODEC_PROTOBUF, "\xff\xff\xff", 3);
	tap(r, "protobuf/21-event-heartbeat.pb", CODEC_PROTOBUF);

	m = at(MSG_SHUTDOWN, 1011);
	ck_assert_int_eq(record_write_msg(r, m), 0);
	msg_free(m);
	ck_assert_int_eq(record_flush(r), 0);
	record_close(r);
	config_free(cfg);
}

/* Reads the next entry, which must be a record. */
static void
next(struct record_reader *rd, struct record_entry *e)
{
	char *cause = NULL;

	ck_assert_msg(record_read(rd, e, &cause) == 1, "%s", cause);
}

START_TEST(test_roundtrip)
{
	struct record_reader *rd;
	struct record_entry e = { 0 };
	const struct store_snapshot *s;
	const struct config *cfg;
	struct config *orig = example();
	char *cause = NULL;

	write_recording();
	rd = record_reader_open(path, &cause);
	ck_assert_msg(rd != NULL, "%s", cause);
	ck_assert_int_eq(record_reader_start_now(rd), 1000);
	ck_assert_int_eq(record_reader_start_wall(rd), 1700000001000);
	cfg = record_reader_config(rd);
	ck_assert_uint_eq(cfg->njobs, orig->njobs);
	ck_assert_str_eq(cfg->jobs[0].hash, orig->jobs[0].hash);
	ck_assert_str_eq(cfg->jobs[1].hash, orig->jobs[1].hash);
	ck_assert_str_eq(cfg->masters[0], orig->masters[0]);
	s = record_reader_snapshot(rd);
	ck_assert_str_eq(s->framework_id, "fw-7");
	ck_assert_uint_eq(s->ntasks, 1);
	ck_assert_str_eq(s->tasks[0].task_id, "web.0.abc");
	ck_assert_int_eq(s->tasks[0].state, STORE_TASK_LAUNCHING);
	ck_assert_ptr_null(s->tasks[0].hostname);
	ck_assert_int_eq(s->tasks[0].launched_at, 1700000000123);
	ck_assert_uint_eq(s->slots[0].restarts, 4);
	ck_assert_int_eq(s->slots[0].backoff_until, 1700000009999);
	ck_assert_str_eq(s->blacklist[0].agent, "bad-host");
	ck_assert_str_eq(s->kv[0].value, "4");

	next(rd, &e);
	ck_assert_str_eq(e.kind, "session");
	ck_assert_int_eq(e.msg->type, MSG_SESSION);
	ck_assert_int_eq(e.msg->now, 1001);
	ck_assert_int_eq(e.msg->wall, 1700000001001);
	ck_assert_int_eq(e.msg->u.session.state, SESSION_CONNECTED);
	ck_assert_str_eq(e.msg->u.session.stream_id, "stream-1");
	ck_assert_ptr_null(e.msg->u.session.reason);

	next(rd, &e);
	ck_assert_int_eq(e.msg->type, MSG_EVENT);
	ck_assert_int_eq(e.msg->u.event->type,
	    MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED);
	ck_assert_int_eq(e.now, 1002);

	/* the heartbeat arrived before the offers but never reached the core */
	next(rd, &e);
	ck_assert_str_eq(e.kind, "tap");
	ck_assert_ptr_null(e.msg);
	ck_assert_msg(strstr(e.note, "HEARTBEAT") != NULL, "%s", e.note);

	next(rd, &e);
	ck_assert_int_eq(e.msg->u.event->type,
	    MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS);
	ck_assert_uint_ge(e.msg->u.event->offers->n_offers, 1);

	next(rd, &e);
	ck_assert_int_eq(e.msg->u.event->type,
	    MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE);
	ck_assert_str_eq(e.msg->u.event->update->status->task_id->value,
	    "probe-t1");
	ck_assert_int_eq(e.msg->u.event->update->status->state,
	    MESOS__V1__TASK_STATE__TASK_RUNNING);
	ck_assert_uint_eq(e.msg->u.event->update->status->uuid.len, 16);

	next(rd, &e);
	ck_assert_int_eq(e.msg->u.event->update->status->state,
	    MESOS__V1__TASK_STATE__TASK_KILLED);

	next(rd, &e);
	ck_assert_int_eq(e.msg->type, MSG_CALL_DONE);
	ck_assert(e.msg->u.call_done.cookie == UINT64_MAX - 1);
	ck_assert_int_eq(e.msg->u.call_done.status, 400);
	ck_assert_str_eq(e.msg->u.call_done.error, "bad offer");
	ck_assert_ptr_null(e.msg->u.call_done.body);

	next(rd, &e);
	ck_assert_int_eq(e.msg->type, MSG_AGENTS);
	ck_assert_uint_eq(e.msg->u.agents->n_agents, 1);
	ck_assert_str_eq(e.msg->u.agents->agents[0]->agent_info->hostname,
	    "h1");

	next(rd, &e);
	ck_assert_int_eq(e.msg->type, MSG_TICK);
	ck_assert_int_eq(e.now, 1008);

	next(rd, &e);
	ck_assert_int_eq(e.msg->type, MSG_ADMIN);
	ck_assert_uint_eq(e.msg->u.admin->id, 42);
	ck_assert_int_eq(e.msg->u.admin->op, ADMIN_PATCH_JOB);
	ck_assert_str_eq(e.msg->u.admin->arg, "web");
	ck_assert_int_eq(e.msg->u.admin->instances, 5);
	ck_assert_int_eq(e.msg->u.admin->suspended, -1);
	ck_assert_ptr_null(e.msg->u.admin->job);

	next(rd, &e);
	ck_assert_int_eq(e.msg->type, MSG_RELOAD);
	ck_assert_uint_eq(e.msg->u.config->njobs, 2);
	ck_assert_str_eq(e.msg->u.config->jobs[1].hash, orig->jobs[1].hash);

	/* the shutdown drained nothing: the two taps stay until close */
	next(rd, &e);
	ck_assert_int_eq(e.msg->type, MSG_SHUTDOWN);

	next(rd, &e);
	ck_assert_str_eq(e.kind, "tap");
	ck_assert_msg(strstr(e.note, "3 bytes arrived that do not decode") !=
	    NULL, "%s", e.note);
	next(rd, &e);
	ck_assert_str_eq(e.kind, "tap");
	ck_assert_msg(strstr(e.note, "HEARTBEAT") != NULL, "%s", e.note);

	ck_assert_int_eq(record_read(rd, &e, &cause), 0);
	ck_assert_ptr_null(cause);
	record_entry_clear(&e);
	record_reader_close(rd);
	config_free(orig);
}
END_TEST

/* A crash leaves a partial last record: everything before it reads. */
START_TEST(test_truncated)
{
	struct record_reader *rd;
	struct record_entry e = { 0 };
	char *cause = NULL;
	off_t size;
	int fd, n = 0, rc;

	write_recording();
	fd = open(path, O_RDONLY);
	size = lseek(fd, 0, SEEK_END);
	close(fd);
	ck_assert_int_eq(truncate(path, size - 10), 0);
	rd = record_reader_open(path, &cause);
	ck_assert_msg(rd != NULL, "%s", cause);
	while ((rc = record_read(rd, &e, &cause)) == 1)
		n++;
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(n, 13);	/* of 14 */
	ck_assert_msg(cause != NULL && strstr(cause, "the last record is "
	    "truncated") != NULL, "%s", cause);
	free(cause);
	record_entry_clear(&e);
	record_reader_close(rd);
}
END_TEST

/* Writes text to the test file. */
static void
put_file(const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void
expect_open_error(const char *want)
{
	char *cause = NULL;

	ck_assert_ptr_null(record_reader_open(path, &cause));
	ck_assert_msg(strstr(cause, path) != NULL && strstr(cause, want) !=
	    NULL, "got \"%s\", want \"%s\"", cause, want);
	free(cause);
}

/* Writes the magic line and then each record framed. */
static void
put_records(const char *first, ...)
{
	FILE *f = fopen(path, "wb");
	const char *rec;
	va_list ap;

	fputs(RECORD_MAGIC, f);
	va_start(ap, first);
	for (rec = first; rec != NULL; rec = va_arg(ap, const char *))
		fprintf(f, "%zu\n%s", strlen(rec), rec);
	va_end(ap);
	fclose(f);
}

START_TEST(test_bad_files)
{
	struct record_reader *rd;
	struct record_entry e = { 0 };
	char *cause = NULL;

	put_file("{\"not\": \"a record\"}", 20);
	expect_open_error("not an ark record file");
	put_file("ARK-RECORD 9\n", 13);
	expect_open_error("record format \"ARK-RECORD 9\" is not supported");
	put_file(RECORD_MAGIC, strlen(RECORD_MAGIC));
	expect_open_error("no start record");
	put_file(RECORD_MAGIC "40\n1 2 start json{", strlen(RECORD_MAGIC) + 18);
	expect_open_error("no start record: ");
	put_records("abcde", NULL);
	expect_open_error("bad header line");
	put_records("1 2 tick -\n", NULL);
	expect_open_error("no start record");
	put_records("1 2 start json\n{", NULL);
	expect_open_error("bad start record");
	put_records("1 2 start json\n{\"config\": \"{\\\"zz\\\": 1}\", "
	    "\"snapshot\": {}}", NULL);
	expect_open_error("zz: unknown option");

	/* a good start, then a damaged frame */
	write_recording();
	{
		FILE *f = fopen(path, "ab");

		fputs("xyz\n", f);
		fclose(f);
	}
	rd = record_reader_open(path, &cause);
	ck_assert_msg(rd != NULL, "%s", cause);
	while (record_read(rd, &e, &cause) == 1)
		;
	ck_assert_msg(cause != NULL && strstr(cause, "damaged at byte") !=
	    NULL, "%s", cause);
	free(cause);
	record_entry_clear(&e);
	record_reader_close(rd);

	cause = NULL;
	ck_assert_ptr_null(record_reader_open("/nonexistent/rec", &cause));
	ck_assert_str_eq(cause, "/nonexistent/rec: No such file or directory");
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(record_open("/nonexistent/rec", NULL, NULL, 0, 0,
	    &cause));
	ck_assert_str_eq(cause, "/nonexistent/rec: No such file or directory");
	free(cause);
}
END_TEST

/* Unknown kinds and undecodable payloads are notes, not errors. */
START_TEST(test_odd_records)
{
	struct store_snapshot empty = { 0 };
	struct config *cfg = example();
	struct record *r;
	struct record_reader *rd;
	struct record_entry e = { 0 };
	struct msg *m;
	char *cause = NULL;
	FILE *f;

	r = record_open(path, cfg, &empty, 0, 0, &cause);
	ck_assert_ptr_nonnull(r);
	m = at(MSG_ADMIN, 5);	/* without a request */
	ck_assert_int_eq(record_write_msg(r, m), 0);
	msg_free(m);
	record_close(r);
	config_free(cfg);
	f = fopen(path, "ab");
	fputs("17\n1 2 weird json\n{}", f);
	fputs("17\n1 2 event json\n{}", f);
	fputs("23\n1 2 event protobuf\n\xff\xff\xff\xff", f);
	fclose(f);

	rd = record_reader_open(path, &cause);
	ck_assert_msg(rd != NULL, "%s", cause);
	ck_assert_ptr_null(record_reader_snapshot(rd)->framework_id);
	next(rd, &e);
	ck_assert_ptr_null(e.msg);
	ck_assert_str_eq(e.note, "admin record without a request");
	next(rd, &e);
	ck_assert_ptr_null(e.msg);
	ck_assert_str_eq(e.note, "unknown record kind \"weird\"");
	next(rd, &e);
	/* {} is a valid (empty) JSON event */
	ck_assert_ptr_nonnull(e.msg);
	next(rd, &e);
	ck_assert_ptr_null(e.msg);
	ck_assert_msg(strstr(e.note, "event that does not decode") != NULL,
	    "%s", e.note);
	ck_assert_int_eq(record_read(rd, &e, &cause), 0);
	record_entry_clear(&e);
	record_reader_close(rd);
}
END_TEST

START_TEST(test_describe_msg)
{
	struct msg *m = at(MSG_EVENT, 0);
	char *s;

	m->u.event = event_fixture("json/05-event-update-task_running.json",
	    CODEC_JSON);
	s = record_describe_msg(m);
	ck_assert_str_eq(s, "event UPDATE task=probe-t1 state=TASK_RUNNING "
	    "agent=7b3c243e-db9c-4cc5-98aa-3b631b66a69b-S0 "
	    "source=SOURCE_EXECUTOR uuid=0cec3444403640e18aa583d4c523fe80");
	free(s);
	msg_free(m);

	m = at(MSG_EVENT, 0);
	m->u.event = event_fixture("protobuf/04-event-offers.pb",
	    CODEC_PROTOBUF);
	s = record_describe_msg(m);
	ck_assert_msg(strncmp(s, "event OFFERS n=1 ", 17) == 0 &&
	    strchr(s, '@') != NULL, "%s", s);
	free(s);
	msg_free(m);

	m = at(MSG_EVENT, 0);
	m->u.event = event_fixture("protobuf/23-event-error.pb",
	    CODEC_PROTOBUF);
	s = record_describe_msg(m);
	ck_assert_str_eq(s, "event ERROR message=Framework has been removed");
	free(s);
	msg_free(m);

	m = at(MSG_SESSION, 0);
	m->u.session.reason = xstrdup("heartbeat missed");
	s = record_describe_msg(m);
	ck_assert_str_eq(s, "session disconnected reason=heartbeat missed");
	free(s);
	msg_free(m);

	m = at(MSG_CALL_DONE, 0);
	m->u.call_done.cookie = 7;
	m->u.call_done.type = MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE;
	m->u.call_done.status = 202;
	s = record_describe_msg(m);
	ck_assert_str_eq(s, "call_done cookie=7 ACKNOWLEDGE status=202");
	free(s);
	msg_free(m);

	m = at(MSG_TICK, 0);
	s = record_describe_msg(m);
	ck_assert_str_eq(s, "tick");
	free(s);
	msg_free(m);
}
END_TEST

/* Describes an effect holding a call decoded from a fixture. */
static char *
describe_call(const char *name)
{
	struct effect e = { .type = EFFECT_CALL };
	size_t len;
	char *data = fixture(name, &len), *cause = NULL, *s;

	e.u.call.call = codec_decode_call(CODEC_PROTOBUF, data, len, &cause);
	ck_assert_msg(e.u.call.call != NULL, "%s", cause);
	free(data);
	s = record_describe_effect(&e);
	effect_clear(&e);
	return s;
}

START_TEST(test_describe_effect)
{
	struct effect e;
	char *s;

	s = describe_call("protobuf/05-call-accept.pb");
	ck_assert_msg(strncmp(s, "call ACCEPT offers=", 19) == 0 &&
	    strstr(s, " LAUNCH tasks=fx-1") != NULL, "%s", s);
	free(s);
	s = describe_call("protobuf/07-call-acknowledge.pb");
	ck_assert_msg(strncmp(s, "call ACKNOWLEDGE task=fx-1 agent=", 33)
	    == 0 && strstr(s, " uuid=") != NULL, "%s", s);
	free(s);
	s = describe_call("protobuf/10-call-reconcile.pb");
	ck_assert_msg(strncmp(s, "call RECONCILE n=2 ", 19) == 0, "%s", s);
	free(s);
	s = describe_call("protobuf/19-call-decline.pb");
	ck_assert_msg(strstr(s, "call DECLINE offers=") != NULL &&
	    strstr(s, " refuse=5s") != NULL, "%s", s);
	free(s);
	s = describe_call("protobuf/13-call-kill.pb");
	ck_assert_msg(strncmp(s, "call KILL task=", 15) == 0, "%s", s);
	free(s);

	memset(&e, 0, sizeof e);
	e.type = EFFECT_STORE;
	e.u.store.type = STORE_TASK_PUT;
	e.u.store.u.task.task_id = (char *)"web.0.x";
	e.u.store.u.task.job = (char *)"web";
	e.u.store.u.task.slot = (char *)"0";
	e.u.store.u.task.state = STORE_TASK_LAUNCHING;
	s = record_describe_effect(&e);
	ck_assert_str_eq(s, "store task_put task=web.0.x job=web slot=0 "
	    "state=LAUNCHING");
	free(s);
	e.u.store.u.task.state = MESOS__V1__TASK_STATE__TASK_FAILED;
	e.u.store.u.task.agent_id = (char *)"S3";
	s = record_describe_effect(&e);
	ck_assert_str_eq(s, "store task_put task=web.0.x job=web slot=0 "
	    "agent=S3 state=TASK_FAILED");
	free(s);

	memset(&e, 0, sizeof e);
	e.type = EFFECT_STORE;
	e.u.store.type = STORE_FRAMEWORK_ID;
	e.u.store.u.str = (char *)"fw-1";
	s = record_describe_effect(&e);
	ck_assert_str_eq(s, "store framework_id fw-1");
	free(s);

	memset(&e, 0, sizeof e);
	e.type = EFFECT_REPLY;
	e.u.reply.id = 3;
	e.u.reply.status = 404;
	e.u.reply.body = (char *)"{\"error\": \"no such job\"}";
	s = record_describe_effect(&e);
	ck_assert_str_eq(s, "reply id=3 status=404 {\"error\": \"no such "
	    "job\"}");
	free(s);

	memset(&e, 0, sizeof e);
	e.type = EFFECT_RESUBSCRIBE;
	e.u.text = (char *)"403 from the master";
	s = record_describe_effect(&e);
	ck_assert_str_eq(s, "resubscribe reason=403 from the master");
	free(s);
}
END_TEST

/* Replays the test file into a string (caller frees). */
static char *
replay(const struct config *cfg)
{
	char *out = NULL, *cause = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_msg(record_replay(path, cfg, f, &cause) == 0, "%s", cause);
	fclose(f);
	return out;
}

/* A session as the core sees it: subscribe, offers, time passing. */
static void
write_session(void)
{
	struct store_snapshot empty = { 0 };
	struct config *cfg = example();
	struct record *r;
	struct msg *m;
	char *cause = NULL;

	r = record_open(path, cfg, &empty, 1000, 1700000001000, &cause);
	ck_assert_msg(r != NULL, "%s", cause);
	m = at(MSG_SESSION, 1001);
	m->u.session.state = SESSION_CONNECTED;
	m->u.session.master = xstrdup("127.0.0.1:5050");
	m->u.session.stream_id = xstrdup("stream-1");
	record_write_msg(r, m);
	msg_free(m);
	tap(r, "protobuf/02-event-subscribed.pb", CODEC_PROTOBUF);
	m = at(MSG_EVENT, 1002);
	m->u.event = event_fixture("protobuf/02-event-subscribed.pb",
	    CODEC_PROTOBUF);
	record_write_msg(r, m);
	msg_free(m);
	m = at(MSG_EVENT, 1003);
	m->u.event = event_fixture("protobuf/04-event-offers.pb",
	    CODEC_PROTOBUF);
	record_write_msg(r, m);
	msg_free(m);
	for (int64_t t = 2000; t <= 10000; t += 2000) {
		m = at(MSG_TICK, t);
		record_write_msg(r, m);
		msg_free(m);
	}
	m = at(MSG_EVENT, 10001);
	m->u.event = event_fixture("json/05-event-update-task_running.json",
	    CODEC_JSON);
	record_write_msg(r, m);
	msg_free(m);
	m = at(MSG_SHUTDOWN, 11000);
	record_write_msg(r, m);
	msg_free(m);
	record_close(r);
	config_free(cfg);
}

START_TEST(test_replay)
{
	char *a, *b, *c, *line;
	struct config *none;

	write_session();
	a = replay(NULL);
	b = replay(NULL);
	/* the core is pure: the same record, the same decisions */
	ck_assert_str_eq(a, b);
	ck_assert_msg(strncmp(a, "# replay of ", 12) == 0, "%s", a);
	ck_assert_msg(strstr(a, "\n+0.001 session connected "
	    "master=127.0.0.1:5050 stream=stream-1\n") != NULL, "%s", a);
	line = strstr(a, "\n+0.002 event SUBSCRIBED framework_id=");
	ck_assert_msg(line != NULL, "%s", a);
	ck_assert_msg(strstr(line, "\tstore framework_id ") != NULL, "%s", a);
	ck_assert_msg(strstr(a, "\n+0.003 event OFFERS n=1 ") != NULL, "%s",
	    a);
	/* write-ahead: the launch intent is a store row before the ACCEPT */
	line = strstr(a, "\tcall ACCEPT offers=");
	ck_assert_msg(line != NULL && strstr(line, " LAUNCH tasks=") != NULL,
	    "%s", a);
	ck_assert_msg(strstr(a, "\tstore task_put task=web.0.") != NULL &&
	    strstr(a, "\tstore task_put task=web.0.") < line, "%s", a);
	ck_assert_msg(strstr(a, "\tcall ACKNOWLEDGE task=probe-t1 ") != NULL,
	    "%s", a);
	ck_assert_msg(strstr(a, "\n+10.000 shutdown\n") != NULL, "%s", a);
	ck_assert_msg(strstr(a, "\n# 10 messages, ") != NULL, "%s", a);

	/* another configuration makes other decisions from the same input */
	none = config_parse("{}", "none.json", NULL);
	ck_assert_ptr_nonnull(none);
	c = replay(none);
	ck_assert_msg(strstr(c, "configuration none.json") != NULL, "%s", c);
	ck_assert_str_ne(a, c);
	ck_assert_msg(strstr(c, "LAUNCH") == NULL, "%s", c);
	config_free(none);
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(test_replay_errors)
{
	char *cause = NULL;

	put_file("nothing", 7);
	ck_assert_int_eq(record_replay(path, NULL, stdout, &cause), -1);
	ck_assert_msg(strstr(cause, "not an ark record file") != NULL, "%s",
	    cause);
	free(cause);
}
END_TEST

static Suite *
record_suite(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("file");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_bad_files);
	tcase_add_test(tc, test_odd_records);
	tcase_add_test(tc, test_replay);
	tcase_add_test(tc, test_replay_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("describe");
	tcase_add_test(tc, test_describe_msg);
	tcase_add_test(tc, test_describe_effect);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	log_init("check_record", LOG_LEVEL_WARN, LOG_FORMAT_PLAIN);
	sr = srunner_create(record_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
