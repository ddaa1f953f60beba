/*
 * it/check_master — master.c against a real ark-sim process (three master
 * endpoints, three agents). A small scheduler runs in the test's own libev
 * loop: it keeps a few short tasks running (accepting one offer per task,
 * declining the rest in one call) and acknowledges every status update that
 * carries a uuid. Each fault of ark-sim's control API (dropped stream,
 * stalled heartbeats, malformed record, oversized length header, 503 on
 * calls, master failover with 307s) must end with the harness subscribed
 * again, to the leader, within the backoff bound, and with ark-sim's
 * counters showing every reliable update acknowledged. A seeded chaos run
 * throws 500 faults in a row, mixed at random, and must end the same way.
 * Every test runs in both encodings.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <ev.h>
#include <jansson.h>

#include "call.h"
#include "codec.h"
#include "config.h"
#include "log.h"
#include "master.h"
#include "metrics.h"
#include "msg.h"
#include "../lib/testutil.h"
#include "xmalloc.h"

/* Seconds: ark-sim's heartbeat interval, and our limits (see it_config). */
#define IT_HEARTBEAT	0.5
#define IT_MISSES	3
#define IT_BACKOFF_MAX	1.0
/* Slack for a loaded two-core machine, on top of every bound. */
#define IT_SLACK	5.0
#define IT_MAX_TASKS	4096

struct it {
	enum codec_type	 codec;
	char		*dir;
	char		*log;
	pid_t		 sim;
	int		 ports[3];
	int		 control;
	struct config	*cfg;
	struct ev_loop	*loop;
	struct ev_timer	 tick;
	struct msg_queue q;
	struct master	*m;

	/* the scheduler */
	int		 want;		/* tasks to keep running */
	int		 active;	/* launched and not ended */
	int		 next_task;
	unsigned char	 ended[IT_MAX_TASKS];	/* per task number */
	int		 subscribed;	/* SUBSCRIBED events seen */
	int		 connected;
	int		 disconnected;
	int		 fatal;		/* fatal sessions seen */
	int		 fatal_code;	/* the last one's value */
	int		 errors;	/* ERROR events */
	int		 agents;	/* agents in the last MSG_AGENTS */
	int		 agents_msgs;
	uint64_t	 updates;	/* UPDATE events */
	uint64_t	 acks;		/* ACKNOWLEDGE calls made */
	uint64_t	 accepts_failed;
	char		 fwid[128];
	long long	 last_poll;
	int		 all_acked;
};

static struct it it;
static int it_quiet;	/* chaos: a fault may find no stream; fine */

static void
it_tick_cb(struct ev_loop *loop, struct ev_timer *w, int revents)
{
}

/* A control API call to ark-sim; returns the HTTP status. */
static int
it_control(const char *what, const char *body)
{
	char url[128], *out = NULL;
	int st;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/control/%s", it.control,
	    what);
	st = tu_http("POST", url, "application/json", body, &out);
	if (st != 200 && !(it_quiet && st == 404))
		fprintf(stderr, "control %s: %d %s\n", what, st,
		    out != NULL ? out : "");
	free(out);
	return st;
}

/* ark-sim's counters (new reference), or NULL. */
static json_t *
it_counters(void)
{
	char url[128];

	snprintf(url, sizeof url, "http://127.0.0.1:%d/counters", it.control);
	return tu_get_json(url);
}

static long long
it_counter(json_t *c, const char *name)
{
	return (long long)json_integer_value(json_object_get(c, name));
}

/* Checks (at most every 200 ms) that every reliable update was acked. */
static int
it_acked_all(void)
{
	json_t *c;
	long long now = tu_now_ms();

	if (now - it.last_poll < 200)
		return it.all_acked;
	it.last_poll = now;
	c = it_counters();
	if (c == NULL)
		return it.all_acked = 0;
	/* sim/README.md: "every update acknowledged exactly once". */
	it.all_acked = it_counter(c, "updates_reliable") > 0 &&
	    it_counter(c, "updates_unacked") == 0 &&
	    it_counter(c, "updates_acked") ==
	    it_counter(c, "updates_reliable") &&
	    it_counter(c, "acks_unknown") == 0;
	json_decref(c);
	return it.all_acked;
}

/* The task number of "it-<n>", or -1. */
static int
it_task_number(const char *id)
{
	char *end;
	long n;

	if (id == NULL || strncmp(id, "it-", 3) != 0)
		return -1;
	n = strtol(id + 3, &end, 10);
	if (*end != '\0' || n < 0 || n >= IT_MAX_TASKS)
		return -1;
	return (int)n;
}

/* Marks a task ended once, whatever tells us first. */
static void
it_task_ended(int n)
{
	if (n < 0 || it.ended[n])
		return;
	it.ended[n] = 1;
	it.active--;
}

/* Builds a 0.1 cpu / 16 MiB sleeper for an offer. */
static Mesos__V1__TaskInfo *
it_task(const Mesos__V1__Offer *o, int n)
{
	Mesos__V1__TaskInfo *t = xmalloc(sizeof *t);
	Mesos__V1__Resource **r = xcalloc(2, sizeof *r);
	const char *names[2] = { "cpus", "mem" };
	double values[2] = { 0.1, 16 };
	int i;

	mesos__v1__task_info__init(t);
	t->name = xasprintf("it-%d", n);
	t->task_id = xmalloc(sizeof *t->task_id);
	mesos__v1__task_id__init(t->task_id);
	t->task_id->value = xasprintf("it-%d", n);
	t->agent_id = call_dup(&o->agent_id->base);
	for (i = 0; i < 2; i++) {
		r[i] = xmalloc(sizeof *r[i]);
		mesos__v1__resource__init(r[i]);
		r[i]->name = xstrdup(names[i]);
		r[i]->type = MESOS__V1__VALUE__TYPE__SCALAR;
		r[i]->scalar = xmalloc(sizeof *r[i]->scalar);
		mesos__v1__value__scalar__init(r[i]->scalar);
		r[i]->scalar->value = values[i];
		if (o->n_resources > 0 &&
		    o->resources[0]->allocation_info != NULL)
			r[i]->allocation_info =
			    call_dup(&o->resources[0]->allocation_info->base);
	}
	t->resources = r;
	t->n_resources = 2;
	t->command = xmalloc(sizeof *t->command);
	mesos__v1__command_info__init(t->command);
	t->command->value = xstrdup("sleep 1000");
	t->command->has_shell = 1;
	t->command->shell = 1;
	return t;
}

/* OFFERS: one task per offer while we want more, one DECLINE for the rest. */
static void
it_on_offers(const Mesos__V1__Scheduler__Event__Offers *ofs)
{
	const char **decline = xcalloc(ofs->n_offers + 1, sizeof *decline);
	size_t i, nd = 0;
	Mesos__V1__TaskInfo *t;
	const char *id;

	for (i = 0; i < ofs->n_offers; i++) {
		id = ofs->offers[i]->id->value;
		if (it.active < it.want && it.next_task < IT_MAX_TASKS) {
			t = it_task(ofs->offers[i], it.next_task);
			master_send(it.m, call_accept(it.fwid, &id, 1, &t, 1,
			    1.0), (uint64_t)it.next_task + 1);
			it.next_task++;
			it.active++;
		} else
			decline[nd++] = id;
	}
	if (nd > 0)
		master_send(it.m, call_decline(it.fwid, decline, nd, 0.5), 0);
	free(decline);
}

/* UPDATE: acknowledge what carries a uuid; note tasks that ended. */
static void
it_on_update(const Mesos__V1__TaskStatus *st)
{
	it.updates++;
	if (st->has_uuid && st->uuid.len > 0) {
		master_send(it.m, call_acknowledge(it.fwid,
		    st->agent_id != NULL ? st->agent_id->value : NULL,
		    st->task_id->value, st->uuid.data, st->uuid.len), 0);
		it.acks++;
	}
	switch (st->state) {
	case MESOS__V1__TASK_STATE__TASK_FINISHED:
	case MESOS__V1__TASK_STATE__TASK_FAILED:
	case MESOS__V1__TASK_STATE__TASK_KILLED:
	case MESOS__V1__TASK_STATE__TASK_ERROR:
	case MESOS__V1__TASK_STATE__TASK_LOST:
	case MESOS__V1__TASK_STATE__TASK_DROPPED:
	case MESOS__V1__TASK_STATE__TASK_GONE:
	case MESOS__V1__TASK_STATE__TASK_GONE_BY_OPERATOR:
	case MESOS__V1__TASK_STATE__TASK_UNKNOWN:
		it_task_ended(it_task_number(st->task_id->value));
		break;
	default:
		break;
	}
}

/* Handles one message as a dispatcher would. */
static void
it_handle(struct msg *m)
{
	Mesos__V1__Scheduler__Event *ev;

	switch (m->type) {
	case MSG_EVENT:
		ev = m->u.event;
		if (ev->type == MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED) {
			it.subscribed++;
			snprintf(it.fwid, sizeof it.fwid, "%s",
			    ev->subscribed->framework_id->value);
			master_set_framework_id(it.m, it.fwid);
		} else if (ev->type ==
		    MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS)
			it_on_offers(ev->offers);
		else if (ev->type == MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE)
			it_on_update(ev->update->status);
		else if (ev->type == MESOS__V1__SCHEDULER__EVENT__TYPE__ERROR)
			it.errors++;
		break;
	case MSG_SESSION:
		if (m->u.session.state == SESSION_CONNECTED)
			it.connected++;
		else
			it.disconnected++;
		it.fatal += m->u.session.fatal != 0;
		if (m->u.session.fatal != 0)
			it.fatal_code = m->u.session.fatal;
		break;
	case MSG_CALL_DONE:
		/* A launch that did not happen: the task goes back. */
		if (m->u.call_done.type ==
		    MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT &&
		    m->u.call_done.status / 100 != 2) {
			it.accepts_failed++;
			it_task_ended((int)m->u.call_done.cookie - 1);
		}
		break;
	case MSG_AGENTS:
		it.agents_msgs++;
		it.agents = (int)m->u.agents->n_agents;
		break;
	default:
		break;
	}
}

static void
it_drain(void)
{
	struct msg *m;

	while ((m = msg_queue_pop(&it.q)) != NULL) {
		it_handle(m);
		msg_free(m);
	}
}

/* Runs the loop until cond holds or secs pass; the value of cond. */
#define IT_RUN_UNTIL(secs, cond) __extension__ ({			\
	ev_tstamp end_ = ev_time() + (secs);				\
	while (!(cond) && ev_time() < end_) {				\
		ev_run(it.loop, EVRUN_ONCE);				\
		it_drain();						\
	}								\
	(cond);								\
})

static void
it_run_for(double secs)
{
	ev_tstamp end = ev_time() + secs;

	while (ev_time() < end) {
		ev_run(it.loop, EVRUN_ONCE);
		it_drain();
	}
}

static int
it_state(void)
{
	struct master_status st;

	master_status(it.m, &st);
	return st.state;
}

/* 1 if we are subscribed to master endpoint i. */
static int
it_leader_is(int i)
{
	struct master_status st;
	char want[64];

	master_status(it.m, &st);
	snprintf(want, sizeof want, "127.0.0.1:%d", it.ports[i]);
	return st.state == MASTER_SUBSCRIBED && st.leader != NULL &&
	    strcmp(st.leader, want) == 0;
}

/* Reads "masters p0 p1 p2" and "control p" from ark-sim's port file. */
static void
it_read_ports(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "masters ", 8) == 0)
			ck_assert_int_eq(sscanf(line + 8, "%d %d %d",
			    &it.ports[0], &it.ports[1], &it.ports[2]), 3);
		else if (strncmp(line, "control ", 8) == 0)
			ck_assert_int_eq(sscanf(line + 8, "%d", &it.control),
			    1);
	}
	fclose(f);
}

/* Starts ark-sim with extra flags (NULL-terminated). */
static void
it_start_sim(const char *const *extra)
{
	const char *argv[48];
	char *portfile = xasprintf("%s/ports", it.dir);
	int n = 0, i;

	argv[n++] = tu_bin("ark-sim");
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--masters";
	argv[n++] = "3";
	argv[n++] = "--port-file";
	argv[n++] = portfile;
	argv[n++] = "--agents";
	argv[n++] = "3";
	argv[n++] = "--heartbeat-interval";
	argv[n++] = "0.5";
	argv[n++] = "--allocation-interval";
	argv[n++] = "0.2";
	argv[n++] = "--task-behaviour";
	argv[n++] = "finish:1";
	argv[n++] = "--update-retry";
	argv[n++] = "1";
	argv[n++] = "--update-retry-max";
	argv[n++] = "2";
	argv[n++] = "--seed";
	argv[n++] = "7";
	argv[n++] = "--log-level";
	argv[n++] = getenv("ARK_SIM_LOG") != NULL ? getenv("ARK_SIM_LOG") : "warn";
	for (i = 0; extra != NULL && extra[i] != NULL && n < 46; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	it.sim = tu_spawn((char *const *)(uintptr_t)argv, it.log);
	ck_assert_int_gt(it.sim, 0);
	ck_assert_msg(tu_wait_port_file(portfile, 15000) > 0,
	    "ark-sim did not start");
	it_read_ports(portfile);
	free(portfile);
}

/* The configuration, through config_parse like arkd's. */
static void
it_config(const char *framework_extra)
{
	char *text, *cause = NULL;

	text = xasprintf("{\"master\": {\"masters\": ["
	    "\"http://127.0.0.1:%d\", \"http://127.0.0.1:%d\", "
	    "\"http://127.0.0.1:%d/\"], \"encoding\": \"%s\", "
	    "\"heartbeat_misses\": %d, \"backoff_initial_s\": 0.1, "
	    "\"backoff_max_s\": %g, \"call_timeout_s\": 5, "
	    "\"ack_connections\": 4, \"redirect_limit\": 3}, "
	    "\"framework\": {\"name\": \"it-master\", \"user\": \"nobody\", "
	    "\"failover_timeout_s\": 3600%s}}",
	    it.ports[0], it.ports[1], it.ports[2], codec_name(it.codec),
	    IT_MISSES, IT_BACKOFF_MAX, framework_extra != NULL ?
	    framework_extra : "");
	it.cfg = config_parse(text, "it.json", &cause);
	ck_assert_msg(it.cfg != NULL, "%s", cause);
	free(text);
}

static void
it_setup(enum codec_type codec, const char *const *sim_extra,
    const char *framework_extra)
{
	const char *lvl = getenv("ARK_IT_LOG");
	char *cause = NULL;

	log_init("it-master", lvl != NULL && log_level_parse(lvl) >= 0 ?
	    (enum log_level)log_level_parse(lvl) : LOG_LEVEL_WARN,
	    LOG_FORMAT_PLAIN);
	memset(&it, 0, sizeof it);
	it.codec = codec;
	it.want = 3;
	it.dir = tu_tmpdir("it-master");
	it.log = xasprintf("%s/ark-sim.log", it.dir);
	it_start_sim(sim_extra);
	it_config(framework_extra);
	it.loop = ev_loop_new(EVFLAG_AUTO);
	ev_timer_init(&it.tick, it_tick_cb, 0.05, 0.05);
	ev_timer_start(it.loop, &it.tick);
	it.m = master_create(it.loop, it.cfg, &it.q, &cause);
	ck_assert_msg(it.m != NULL, "%s", cause);
}

static void
it_teardown(void)
{
	master_free(it.m);
	it_drain();
	ev_timer_stop(it.loop, &it.tick);
	ev_loop_destroy(it.loop);
	config_free(it.cfg);
	tu_stop(it.sim, SIGTERM, 5000);
	tu_rmtree(it.dir);
	free(it.dir);
	free(it.log);
	metrics_free_all();
}

static void
setup_pb(void)
{
	it_setup(CODEC_PROTOBUF, NULL, NULL);
}

static void
setup_json(void)
{
	it_setup(CODEC_JSON, NULL, NULL);
}

/* Subscribes and waits until status updates flow and are acknowledged. */
static void
it_subscribe_and_flow(void)
{
	master_start(it.m);
	ck_assert_msg(IT_RUN_UNTIL(20, it.subscribed == 1 &&
	    it_state() == MASTER_SUBSCRIBED), "not subscribed");
	ck_assert_str_ne(it.fwid, "");
	ck_assert_msg(IT_RUN_UNTIL(30, it.acks >= 6 && it_acked_all()),
	    "no acknowledged updates (acks %llu)",
	    (unsigned long long)it.acks);
}

/*
 * After a fault: subscribed again (a SUBSCRIBED newer than before) within
 * detect + backoff + slack seconds, then every update acknowledged.
 */
static void
it_expect_recovery(int before, double detect, const char *fault)
{
	ev_tstamp t0 = ev_time();
	double bound = detect + IT_BACKOFF_MAX + IT_SLACK;

	ck_assert_msg(IT_RUN_UNTIL(bound, it.subscribed > before &&
	    it_state() == MASTER_SUBSCRIBED),
	    "%s: not subscribed again within %.1fs (state %s)", fault, bound,
	    master_state_name(it_state()));
	fprintf(stderr, "%s (%s): subscribed again after %.2fs\n", fault,
	    codec_name(it.codec), ev_time() - t0);
	ck_assert_msg(IT_RUN_UNTIL(30, it_acked_all()),
	    "%s: updates left unacknowledged", fault);
}

START_TEST(test_subscribe_events_agents)
{
	json_t *c;

	it_subscribe_and_flow();
	ck_assert_int_eq(it.connected, 1);
	ck_assert_int_eq(it.fatal, 0);
	ck_assert_uint_gt(it.updates, 0);
	master_get_agents(it.m);
	ck_assert(IT_RUN_UNTIL(10, it.agents_msgs == 1));
	ck_assert_int_eq(it.agents, 3);
	c = it_counters();
	ck_assert_ptr_nonnull(c);
	ck_assert_int_ge(it_counter(c, "tasks_launched"), 3);
	json_decref(c);
	ck_assert(metrics_get("ark_events_total", "type=\"SUBSCRIBED\"") == 1);
	ck_assert(metrics_get("ark_calls_total",
	    "type=\"ACKNOWLEDGE\",code=\"202\"") > 0);
}
END_TEST

START_TEST(test_drop_stream)
{
	it_subscribe_and_flow();
	ck_assert_int_eq(it_control("drop-stream", NULL), 200);
	it_expect_recovery(1, 0.5, "drop-stream");
	ck_assert_int_ge(it.disconnected, 1);
	ck_assert_str_ne(it.fwid, "");
}
END_TEST

START_TEST(test_stalled_heartbeats)
{
	it_subscribe_and_flow();
	ck_assert_int_eq(it_control("stall", NULL), 200);
	it_expect_recovery(1, IT_MISSES * IT_HEARTBEAT, "stall");
}
END_TEST

START_TEST(test_malformed_record)
{
	it_subscribe_and_flow();
	ck_assert_int_eq(it_control("malformed-record", NULL), 200);
	it_expect_recovery(1, 0.5, "malformed-record");
}
END_TEST

START_TEST(test_oversized_record)
{
	it_subscribe_and_flow();
	ck_assert_int_eq(it_control("oversized-record", NULL), 200);
	it_expect_recovery(1, 0.5, "oversized-record");
}
END_TEST

START_TEST(test_503_on_calls)
{
	json_t *c, *r;

	it_subscribe_and_flow();
	ck_assert_int_eq(it_control("fail-calls",
	    "{\"status\": 503, \"seconds\": 3}"), 200);
	it_run_for(4);
	c = it_counters();
	ck_assert_ptr_nonnull(c);
	r = json_object_get(json_object_get(c, "responses"), "503");
	ck_assert_msg(json_integer_value(r) > 0, "no call got a 503");
	json_decref(c);
	/* Retried until answered: nothing lost, still the same stream. */
	ck_assert(IT_RUN_UNTIL(30, it_acked_all()));
	ck_assert_int_eq(it.subscribed, 1);
	ck_assert_int_eq(it_state(), MASTER_SUBSCRIBED);
}
END_TEST

START_TEST(test_failover_three_masters)
{
	it_subscribe_and_flow();
	ck_assert(it_leader_is(0));
	ck_assert_int_eq(it_control("failover", "{\"to\": 1}"), 200);
	it_expect_recovery(1, 0.5, "failover to 1");
	ck_assert_msg(it_leader_is(1), "not subscribed to master 1");
	/* A gap without a leader, then master 2. */
	ck_assert_int_eq(it_control("failover", "{\"to\": 2, \"gap\": 1}"),
	    200);
	it_expect_recovery(2, 1.5 + IT_BACKOFF_MAX, "failover to 2");
	ck_assert_msg(it_leader_is(2), "not subscribed to master 2");
	ck_assert_int_eq(it.fatal, 0);
}
END_TEST

START_TEST(test_error_event_resubscribes)
{
	it_subscribe_and_flow();
	ck_assert_int_eq(it_control("error",
	    "{\"message\": \"Rate limit exceeded\"}"), 200);
	it_expect_recovery(1, 0.5, "ERROR event");
	ck_assert_int_eq(it.errors, 1);
	ck_assert_int_eq(it.fatal, 0);
}
END_TEST

/*
 * Another subscription with our FrameworkID (here a second connection that
 * subscribes and then goes away, as a SUBSCRIBE of our own that a link
 * delivered after we gave it up): Mesos fails the framework over to it and
 * sends us ERROR "Framework failed over". The connection does not fence
 * itself (only the dispatcher, knowing leadership, may): it resubscribes
 * with backoff and ends subscribed again, and master_fence stops it.
 */
START_TEST(test_failed_over_resubscribes)
{
	struct msg_queue q2 = { 0 };
	struct master *m2;
	struct msg *m;
	char *cause = NULL;
	int sub2 = 0;
	uint64_t calls;
	json_t *c;

	it_subscribe_and_flow();
	m2 = master_create(it.loop, it.cfg, &q2, &cause);
	ck_assert_msg(m2 != NULL, "%s", cause);
	master_set_framework_id(m2, it.fwid);
	master_start(m2);
	ck_assert(IT_RUN_UNTIL(20, (({
		while ((m = msg_queue_pop(&q2)) != NULL) {
			if (m->type == MSG_EVENT && m->u.event->type ==
			    MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED)
				sub2++;
			msg_free(m);
		}
	}), sub2 == 1 && it.errors == 1)));
	ck_assert_int_ne(it_state(), MASTER_FENCED);
	/* The abandoned attempt's connection closes. */
	master_free(m2);
	while ((m = msg_queue_pop(&q2)) != NULL)
		msg_free(m);
	ck_assert_msg(IT_RUN_UNTIL(20, it_state() == MASTER_SUBSCRIBED &&
	    it.subscribed >= 2), "not subscribed again after 'failed over' "
	    "(state %s, %d SUBSCRIBED)", master_state_name(it_state()),
	    it.subscribed);
	/* and it stays so (had the ERROR fenced it, or m2 not gone, no) */
	sub2 = it.subscribed;
	it_run_for(1);
	ck_assert_int_eq(it_state(), MASTER_SUBSCRIBED);
	ck_assert_int_eq(it.subscribed, sub2);
	ck_assert_int_eq(it.fatal, 0);

	/* Fenced by its owner: what we send now never reaches the master. */
	master_fence(it.m, "another instance leads");
	it_run_for(0.5);
	c = it_counters();
	calls = (uint64_t)json_integer_value(json_object_get(
	    json_object_get(c, "calls"), "REVIVE"));
	json_decref(c);
	master_send(it.m, call_revive(it.fwid, NULL, 0), 0);
	it_run_for(1);
	c = it_counters();
	ck_assert_uint_eq((uint64_t)json_integer_value(json_object_get(
	    json_object_get(c, "calls"), "REVIVE")), calls);
	json_decref(c);
	ck_assert_int_eq(it_state(), MASTER_FENCED);
}
END_TEST

/* TEARDOWN removes the framework; subscribing again is refused for good. */
START_TEST(test_removed_is_fatal)
{
	it_subscribe_and_flow();
	master_send(it.m, call_teardown(it.fwid), 99);
	ck_assert_msg(IT_RUN_UNTIL(20, it.fatal == 1),
	    "no fatal session after TEARDOWN (state %s)",
	    master_state_name(it_state()));
	ck_assert_int_ge(it.errors, 1);
	ck_assert_int_eq(it_state(), MASTER_IDLE);
	it_run_for(1);
	ck_assert_int_eq(it.subscribed, 1);
}
END_TEST

/* Faults in a row per chaos run (issue 4: 500, seeded). */
#define CHAOS_FAULTS	500

/* A small deterministic generator for the chaos run. */
static uint64_t chaos_state;

static unsigned
chaos_next(unsigned n)
{
	chaos_state = chaos_state * 6364136223846793005ull +
	    1442695040888963407ull;
	return (unsigned)((chaos_state >> 33) % n);
}

START_TEST(test_chaos)
{
	static const char *const faults[] = {
		"drop-stream", "stall", "malformed-record", "oversized-record",
		"fail-calls", "failover", "pause"
	};
	const char *env = getenv("ARK_CHAOS_SEED");
	uint64_t seed = env != NULL ? strtoull(env, NULL, 10) :
	    (uint64_t)time(NULL);
	ev_tstamp end;
	char body[64];
	int n = 0, leader = 0, k, to;

	chaos_state = seed;
	fprintf(stderr, "chaos (%s): seed %llu (ARK_CHAOS_SEED=%llu to "
	    "repeat)\n", codec_name(it.codec), (unsigned long long)seed,
	    (unsigned long long)seed);
	it_subscribe_and_flow();
	it_quiet = 1;
	end = ev_time() + 120;
	while (ev_time() < end && n < CHAOS_FAULTS) {
		k = (int)chaos_next(sizeof faults / sizeof faults[0]);
		if (strcmp(faults[k], "failover") == 0) {
			to = (leader + 1 + (int)chaos_next(2)) % 3;
			snprintf(body, sizeof body, "{\"to\": %d}", to);
			if (it_control("failover", body) == 200)
				leader = to;
		} else if (strcmp(faults[k], "fail-calls") == 0)
			it_control("fail-calls",
			    "{\"status\": 503, \"seconds\": 0.5}");
		else if (strcmp(faults[k], "pause") != 0)
			it_control(faults[k], NULL);
		n++;
		it_run_for(0.02 * chaos_next(8));
	}
	fprintf(stderr, "chaos (%s): %d faults, %d subscriptions, %llu acks\n",
	    codec_name(it.codec), n, it.subscribed,
	    (unsigned long long)it.acks);
	/* Whatever happened last: subscribed to the leader, nothing lost. */
	ck_assert_msg(IT_RUN_UNTIL(IT_MISSES * IT_HEARTBEAT + IT_BACKOFF_MAX +
	    IT_SLACK + 5, it_leader_is(leader)),
	    "chaos seed %llu: not subscribed to master %d (state %s)",
	    (unsigned long long)seed, leader, master_state_name(it_state()));
	ck_assert_msg(IT_RUN_UNTIL(40, it_acked_all()),
	    "chaos seed %llu: updates left unacknowledged",
	    (unsigned long long)seed);
	ck_assert_int_eq(it.fatal, 0);
	ck_assert_int_ge(it.subscribed, 2);
	ck_assert_msg(n == CHAOS_FAULTS, "chaos seed %llu: only %d of %d "
	    "faults in 120 s", (unsigned long long)seed, n, CHAOS_FAULTS);
}
END_TEST

/* Authentication: the right secret subscribes, a wrong one is fatal. */
static char *secret_path;

static void
setup_auth(enum codec_type codec, const char *secret)
{
	static const char *const extra[] = {
		"--authenticate", "--principal", "it", "--secret", "s3cret",
		NULL
	};
	char *fw;
	FILE *f;

	secret_path = xstrdup("/tmp/ark-it-secret-XXXXXX");
	ck_assert_int_ge(mkstemp(secret_path), 0);
	f = fopen(secret_path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n", secret);
	fclose(f);
	ck_assert_int_eq(chmod(secret_path, 0600), 0);
	fw = xasprintf(", \"principal\": \"it\", \"secret_file\": \"%s\"",
	    secret_path);
	it_setup(codec, extra, fw);
	free(fw);
}

static void
setup_auth_ok(void)
{
	setup_auth(CODEC_PROTOBUF, "s3cret");
}

static void
setup_auth_bad(void)
{
	setup_auth(CODEC_JSON, "wrong");
}

static void
teardown_auth(void)
{
	it_teardown();
	unlink(secret_path);
	free(secret_path);
}

START_TEST(test_auth_ok)
{
	it_subscribe_and_flow();
	ck_assert_int_eq(it.fatal, 0);
}
END_TEST

START_TEST(test_auth_refused_is_fatal)
{
	master_start(it.m);
	ck_assert(IT_RUN_UNTIL(20, it.fatal == 1));
	ck_assert_int_eq(it.fatal_code, 401);	/* arkd exits 4 on it */
	ck_assert_int_eq(it_state(), MASTER_IDLE);
	it_run_for(1);
	ck_assert_int_eq(it.subscribed, 0);
	ck_assert_int_eq(it.fatal, 1);
}
END_TEST

static void
add_fault_tests(TCase *tc)
{
	tcase_add_test(tc, test_subscribe_events_agents);
	tcase_add_test(tc, test_drop_stream);
	tcase_add_test(tc, test_stalled_heartbeats);
	tcase_add_test(tc, test_malformed_record);
	tcase_add_test(tc, test_oversized_record);
	tcase_add_test(tc, test_503_on_calls);
	tcase_add_test(tc, test_failover_three_masters);
	tcase_add_test(tc, test_error_event_resubscribes);
	tcase_add_test(tc, test_failed_over_resubscribes);
	tcase_add_test(tc, test_removed_is_fatal);
}

static Suite *
it_suite(void)
{
	Suite *s = suite_create("it-master");
	TCase *pb = tcase_create("protobuf");
	TCase *js = tcase_create("json");
	TCase *pbc = tcase_create("protobuf-chaos");
	TCase *jsc = tcase_create("json-chaos");
	TCase *ok = tcase_create("auth-ok");
	TCase *bad = tcase_create("auth-refused");

	tcase_add_checked_fixture(pb, setup_pb, it_teardown);
	tcase_set_timeout(pb, 180);
	add_fault_tests(pb);
	suite_add_tcase(s, pb);
	tcase_add_checked_fixture(js, setup_json, it_teardown);
	tcase_set_timeout(js, 180);
	add_fault_tests(js);
	suite_add_tcase(s, js);
	tcase_add_checked_fixture(pbc, setup_pb, it_teardown);
	tcase_set_timeout(pbc, 240);
	tcase_add_test(pbc, test_chaos);
	suite_add_tcase(s, pbc);
	tcase_add_checked_fixture(jsc, setup_json, it_teardown);
	tcase_set_timeout(jsc, 240);
	tcase_add_test(jsc, test_chaos);
	suite_add_tcase(s, jsc);
	tcase_add_checked_fixture(ok, setup_auth_ok, teardown_auth);
	tcase_set_timeout(ok, 120);
	tcase_add_test(ok, test_auth_ok);
	suite_add_tcase(s, ok);
	tcase_add_checked_fixture(bad, setup_auth_bad, teardown_auth);
	tcase_set_timeout(bad, 120);
	tcase_add_test(bad, test_auth_refused_is_fatal);
	suite_add_tcase(s, bad);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(it_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_kill_all();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
