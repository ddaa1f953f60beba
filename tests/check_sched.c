/*
 * check_sched — the scheduling core driven message by message with no
 * sockets: subscription, offers, every TaskState, acknowledgements after
 * their store rows, every effect kind, daemon and service jobs through
 * agents coming and going, blacklisting, random failures (seeded), errors,
 * shutdown, dry-run and reload.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/schedtest.h"
#include "log.h"
#include "sched-int.h"
#include "xmalloc.h"

#define T_ACCEPT	MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT
#define T_DECLINE	MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE
#define T_ACK		MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE
#define T_KILL		MESOS__V1__SCHEDULER__CALL__TYPE__KILL
#define T_RECONCILE	MESOS__V1__SCHEDULER__CALL__TYPE__RECONCILE
#define T_REVIVE	MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE
#define T_SUPPRESS	MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS
#define T_UPDATE_FW	MESOS__V1__SCHEDULER__CALL__TYPE__UPDATE_FRAMEWORK
#define T_TEARDOWN	MESOS__V1__SCHEDULER__CALL__TYPE__TEARDOWN
#define T_ACCEPT_INV	MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT_INVERSE_OFFERS

#define S(x)		MESOS__V1__TASK_STATE__TASK_##x

static const char *SERVICE3 = "[{\"id\": \"web\", \"kind\": \"service\","
    " \"instances\": 3, \"command\": \"sleep 1000\","
    " \"resources\": {\"cpus\": 1, \"mem\": 128}}]";

static const char *DAEMON = "[{\"id\": \"node\", \"kind\": \"daemon\","
    " \"command\": \"sleep 1000\","
    " \"resources\": {\"cpus\": 0.5, \"mem\": 64}}]";

static struct st T;

static void
teardown(void)
{
	if (T.s != NULL)
		st_done(&T);
}

/* Sends one offer per agent a<first>..; returns the number of launches. */
static size_t
offer_agents(struct st *t, size_t first, size_t n, double cpus, double mem)
{
	Mesos__V1__Offer **v = xcalloc(n, sizeof *v);
	static unsigned seq;

	for (size_t i = 0; i < n; i++) {
		char id[32], ag[32], host[32];

		snprintf(id, sizeof id, "o%u", ++seq);
		snprintf(ag, sizeof ag, "a%zu", first + i);
		snprintf(host, sizeof host, "h%zu", first + i);
		v[i] = st_offer(id, ag, host, cpus, mem, 31000, 31100);
	}
	st_event(t, st_ev_offers(v, n));
	free(v);
	return st_launches(t);
}

/* Copies the ids and agents of every task launched in t->fx. */
static size_t
launched(struct st *t, char ***ids, char ***agents)
{
	size_t n = st_launches(t);

	*ids = xcalloc(n + 1, sizeof **ids);
	*agents = xcalloc(n + 1, sizeof **agents);
	for (size_t i = 0; i < n; i++) {
		Mesos__V1__TaskInfo *ti = st_launch(t, i);

		(*ids)[i] = xstrdup(ti->task_id->value);
		(*agents)[i] = xstrdup(ti->agent_id->value);
	}
	return n;
}

static void
free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Marks every launched task of the last effects RUNNING. */
static size_t
run_launched(struct st *t)
{
	char **ids, **ags;
	size_t n = launched(t, &ids, &ags);

	for (size_t i = 0; i < n; i++)
		st_event(t, st_ev_update(ids[i], S(RUNNING), ags[i], "u-run",
		    0, -1));
	free_strv(ids, n);
	free_strv(ags, n);
	return n;
}

/* Counts tasks the core knows in a state (through the admin API). */
static size_t
tasks_in(struct st *t, const char *job, const char *state)
{
	struct admin_req *r = st_req(ADMIN_GET_TASKS, NULL);
	const char *body;
	json_t *o, *arr;
	size_t n;

	r->job = job != NULL ? xstrdup(job) : NULL;
	r->state = state != NULL ? xstrdup(state) : NULL;
	ck_assert_int_eq(st_admin(t, r, &body), 200);
	o = json_loads(body, 0, NULL);
	ck_assert_ptr_nonnull(o);
	arr = json_object_get(o, "tasks");
	n = json_array_size(arr);
	json_decref(o);
	return n;
}

START_TEST(test_subscribe)
{
	st_init(&T, st_config(SERVICE3, NULL), NULL);
	ck_assert_ptr_null(sched_framework_id(T.s));
	st_session(&T, 1);
	ck_assert_uint_eq(T.fx.n, 0);
	st_event(&T, st_ev_subscribed("fw-1"));
	/* the FrameworkID row comes first */
	ck_assert_uint_ge(T.fx.n, 3);
	ck_assert_int_eq(T.fx.v[0].type, EFFECT_STORE);
	ck_assert_int_eq(T.fx.v[0].u.store.type, STORE_FRAMEWORK_ID);
	ck_assert_str_eq(T.fx.v[0].u.store.u.str, "fw-1");
	ck_assert_str_eq(sched_framework_id(T.s), "fw-1");
	ck_assert_uint_eq(st_count(&T, EFFECT_GET_AGENTS), 1);
	/* no task: the explicit part is empty, the implicit one goes out */
	ck_assert_uint_eq(st_count_call(&T, T_RECONCILE), 1);
	ck_assert_uint_eq(st_call(&T, T_RECONCILE, 0)->reconcile->n_tasks, 0);
	/* three slots pending: REVIVE */
	ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 1);
	ck_assert_str_eq(st_call(&T, T_REVIVE, 0)->framework_id->value,
	    "fw-1");
	/* the same id again: no new row */
	st_event(&T, st_ev_subscribed("fw-1"));
	ck_assert_uint_eq(st_count_store(&T, STORE_FRAMEWORK_ID), 0);
	ck_assert(sched_next_deadline(T.s) < INT64_MAX);
}
END_TEST

START_TEST(test_service_launch)
{
	Mesos__V1__Offer *o;
	long store0, accept;

	st_init(&T, st_config(SERVICE3, NULL), NULL);
	st_subscribe(&T, "fw-1");
	o = st_offer("o1", "a1", "h1", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	/* one ACCEPT with three LAUNCHes, written ahead as intents */
	ck_assert_uint_eq(st_count_call(&T, T_ACCEPT), 1);
	ck_assert_uint_eq(st_launches(&T), 3);
	ck_assert_uint_eq(st_count_store(&T, STORE_TASK_PUT), 3);
	store0 = st_store_index(&T, STORE_TASK_PUT, 2);
	accept = st_call_index(&T, T_ACCEPT, 0);
	ck_assert_int_lt(store0, accept);
	ck_assert_int_eq(T.fx.v[store0].u.store.u.task.state,
	    STORE_TASK_LAUNCHING);
	ck_assert_str_eq(T.fx.v[store0].u.store.u.task.agent_id, "a1");
	ck_assert_ptr_nonnull(T.fx.v[store0].u.store.u.task.offer_id);
	ck_assert(st_call_cookie(&T, T_ACCEPT, 0) != 0);
	ck_assert_uint_eq(st_count_call(&T, T_DECLINE), 0);
	/* nothing pending any more: SUPPRESS */
	ck_assert_uint_eq(st_count_call(&T, T_SUPPRESS), 1);
	{
		Mesos__V1__TaskInfo *ti = st_launch(&T, 0);
		double cpus = 0;

		ck_assert(strncmp(ti->task_id->value, "web.0.", 6) == 0);
		ck_assert_str_eq(ti->agent_id->value, "a1");
		for (size_t i = 0; i < ti->n_resources; i++)
			if (strcmp(ti->resources[i]->name, "cpus") == 0)
				cpus += ti->resources[i]->scalar->value;
		ck_assert(cpus > 0.99 && cpus < 1.01);
		ck_assert(ti->command->shell);
		ck_assert_str_eq(ti->command->value, "sleep 1000");
		ck_assert_ptr_nonnull(ti->kill_policy);
	}
	/* a second offer: nothing to do, declined */
	o = st_offer("o2", "a2", "h2", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_count_call(&T, T_ACCEPT), 0);
	ck_assert_uint_eq(st_count_call(&T, T_DECLINE), 1);
	ck_assert(st_call(&T, T_DECLINE, 0)->decline->filters->refuse_seconds > 0);
	ck_assert_uint_eq(tasks_in(&T, "web", "LAUNCHING"), 3);
}
END_TEST

START_TEST(test_launch_burst_bounded)
{
	char jobs[256];
	size_t n;
	Mesos__V1__Scheduler__Call *d;

	/* more work than one OFFERS event may launch */
	snprintf(jobs, sizeof jobs, "[{\"id\": \"big\", \"kind\": "
	    "\"service\", \"instances\": %d, \"command\": \"sleep 1\","
	    " \"resources\": {\"cpus\": 0.01, \"mem\": 1}}]",
	    SCHED_LAUNCH_BURST + 500);
	st_init(&T, st_config(jobs, NULL), NULL);
	st_subscribe(&T, "fw-1");
	/* 40 offers with room for 400 tasks each */
	n = offer_agents(&T, 0, 40, 4, 1024);
	ck_assert_uint_eq(n, SCHED_LAUNCH_BURST);
	ck_assert_uint_eq(st_count_call(&T, T_ACCEPT), SCHED_LAUNCH_BURST / 400);
	ck_assert_uint_eq(st_count_store(&T, STORE_TASK_PUT), SCHED_LAUNCH_BURST);
	/* the offers left over come back at once: declined without a filter */
	ck_assert_uint_eq(st_count_call(&T, T_DECLINE), 1);
	d = st_call(&T, T_DECLINE, 0);
	ck_assert_uint_eq(d->decline->n_offer_ids, 40 - SCHED_LAUNCH_BURST / 400);
	ck_assert(d->decline->filters->refuse_seconds == 0);
	ck_assert_uint_eq(st_count_call(&T, T_SUPPRESS), 0);
	/* the next round launches the rest, and declines as usual */
	n = offer_agents(&T, 40, 3, 4, 1024);
	ck_assert_uint_eq(n, 500);
	ck_assert_uint_eq(st_count_call(&T, T_DECLINE), 1);
	ck_assert(st_call(&T, T_DECLINE, 0)->decline->filters->refuse_seconds > 0);
	ck_assert_uint_eq(tasks_in(&T, "big", "LAUNCHING"),
	    SCHED_LAUNCH_BURST + 500);
}
END_TEST

START_TEST(test_decline_batched_and_fit)
{
	Mesos__V1__Offer *v[4];

	st_init(&T, st_config(SERVICE3, NULL), NULL);
	st_subscribe(&T, "fw-1");
	/* two too small, two fitting one task each plus one more */
	v[0] = st_offer("o1", "a1", "h1", 0.5, 1024, 0, 0);
	v[1] = st_offer("o2", "a2", "h2", 1, 64, 0, 0);
	v[2] = st_offer("o3", "a3", "h3", 1.5, 512, 0, 0);
	v[3] = st_offer("o4", "a4", "h4", 2, 512, 0, 0);
	st_event(&T, st_ev_offers(v, 4));
	ck_assert_uint_eq(st_launches(&T), 3);
	ck_assert_uint_eq(st_count_call(&T, T_ACCEPT), 2);
	/* all unused offers in one DECLINE */
	ck_assert_uint_eq(st_count_call(&T, T_DECLINE), 1);
	ck_assert_uint_eq(st_call(&T, T_DECLINE, 0)->decline->n_offer_ids, 2);
}
END_TEST

START_TEST(test_update_ack_after_store)
{
	Mesos__V1__Offer *o;
	char **ids, **ags;
	size_t n;
	long put, ack;

	st_init(&T, st_config(SERVICE3, NULL), NULL);
	st_subscribe(&T, "fw-1");
	o = st_offer("o1", "a1", "h1", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	n = launched(&T, &ids, &ags);
	ck_assert_uint_eq(n, 3);
	/* with a uuid: row, then ACK */
	st_event(&T, st_ev_update(ids[0], S(STARTING), "a1", "uuid-1", 10, -1));
	ck_assert_uint_eq(st_count_store(&T, STORE_TASK_PUT), 1);
	ck_assert_uint_eq(st_count_call(&T, T_ACK), 1);
	put = st_store_index(&T, STORE_TASK_PUT, 0);
	ack = st_call_index(&T, T_ACK, 0);
	ck_assert_int_lt(put, ack);
	ck_assert_int_eq(T.fx.v[put].u.store.u.task.state, S(STARTING));
	{
		Mesos__V1__Scheduler__Call *c = st_call(&T, T_ACK, 0);

		ck_assert_str_eq(c->acknowledge->task_id->value, ids[0]);
		ck_assert_str_eq(c->acknowledge->agent_id->value, "a1");
		ck_assert_uint_eq(c->acknowledge->uuid.len, 6);
		ck_assert(memcmp(c->acknowledge->uuid.data, "uuid-1", 6) == 0);
	}
	/* without a uuid: no ACK */
	st_event(&T, st_ev_update(ids[0], S(RUNNING), "a1", NULL, 11, -1));
	ck_assert_uint_eq(st_count_call(&T, T_ACK), 0);
	ck_assert_uint_eq(st_count_store(&T, STORE_TASK_PUT), 1);
	/* a duplicate: no row (nothing changed), but the ACK again */
	st_event(&T, st_ev_update(ids[0], S(RUNNING), "a1", "uuid-2", 11, -1));
	ck_assert_uint_eq(st_count_store(&T, STORE_TASK_PUT), 0);
	ck_assert_uint_eq(st_count_call(&T, T_ACK), 1);
	/* out of order: an older STARTING is ignored (and acknowledged) */
	st_event(&T, st_ev_update(ids[0], S(STARTING), "a1", "uuid-3", 10.5,
	    -1));
	ck_assert_uint_eq(st_count_store(&T, STORE_TASK_PUT), 0);
	ck_assert_uint_eq(st_count_call(&T, T_ACK), 1);
	ck_assert_uint_eq(tasks_in(&T, "web", "TASK_RUNNING"), 1);
	/* terminal is sticky: a late RUNNING after FAILED changes nothing */
	st_event(&T, st_ev_update(ids[0], S(FAILED), "a1", "uuid-4", 12, -1));
	ck_assert_uint_eq(st_count_store(&T, STORE_TASK_DEL), 1);
	st_event(&T, st_ev_update(ids[0], S(RUNNING), "a1", "uuid-5", 13, -1));
	ck_assert_uint_eq(st_count(&T, EFFECT_STORE), 0);
	ck_assert_uint_eq(st_count_call(&T, T_ACK), 1);
	ck_assert_uint_eq(st_count_call(&T, T_KILL), 0);
	ck_assert_uint_eq(tasks_in(&T, "web", NULL), 2);
	free_strv(ids, n);
	free_strv(ags, n);
}
END_TEST

/* The master's clock and the agents' are never compared. */
START_TEST(test_clock_skew)
{
	Mesos__V1__Offer *o;
	Mesos__V1__Scheduler__Event *e;
	char **ids, **ags;
	size_t n;

	st_init(&T, st_config(SERVICE3, NULL), NULL);
	st_subscribe(&T, "fw-1");
	o = st_offer("o1", "a1", "h1", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	n = launched(&T, &ids, &ags);
	st_event(&T, st_ev_update(ids[0], S(RUNNING), "a1", "u", 50, -1));
	/* the master (clock ahead) says UNREACHABLE at 100 */
	e = st_ev_update(ids[0], S(UNREACHABLE), "a1", NULL, 100, -1);
	e->update->status->has_source = 1;
	e->update->status->source =
	    MESOS__V1__TASK_STATUS__SOURCE__SOURCE_MASTER;
	st_event(&T, e);
	ck_assert_uint_eq(tasks_in(&T, "web", "TASK_UNREACHABLE"), 1);
	/* the agent (clock behind) says RUNNING at 60: newer on its clock */
	st_event(&T, st_ev_update(ids[0], S(RUNNING), "a1", "u", 60, -1));
	ck_assert_uint_eq(tasks_in(&T, "web", "TASK_RUNNING"), 1);
	/* an agent STARTING at 55 is stale on the agent's clock */
	st_event(&T, st_ev_update(ids[0], S(STARTING), "a1", "u", 55, -1));
	ck_assert_uint_eq(st_count(&T, EFFECT_STORE), 0);
	/* a terminal status applies even when its time looks old */
	e = st_ev_update(ids[1], S(RUNNING), "a1", NULL, 500, -1);
	e->update->status->has_source = 1;
	e->update->status->source =
	    MESOS__V1__TASK_STATUS__SOURCE__SOURCE_MASTER;
	st_event(&T, e);
	st_event(&T, st_ev_update(ids[1], S(FAILED), "a1", "u", 1, -1));
	ck_assert_uint_eq(st_count_store(&T, STORE_TASK_DEL), 1);
	free_strv(ids, n);
	free_strv(ags, n);
}
END_TEST

/* Every TaskState: what the slot does next. */
static const struct {
	int	 state;
	int	 reason;
	int	 gone;		/* the task row is deleted */
	int	 slot_row;	/* a slot row (backoff / done) is written */
	const char *left;	/* state the task has afterwards, if kept */
} state_table[] = {
	{ S(STAGING), -1, 0, 0, "TASK_STAGING" },
	{ S(STARTING), -1, 0, 0, "TASK_STARTING" },
	{ S(RUNNING), -1, 0, 0, "TASK_RUNNING" },
	{ S(KILLING), -1, 0, 0, "TASK_KILLING" },
	{ S(FINISHED), -1, 1, 1, NULL },
	{ S(FAILED), -1, 1, 1, NULL },
	{ S(KILLED), -1, 1, 1, NULL },
	{ S(ERROR), -1, 1, 1, NULL },
	{ S(LOST), MESOS__V1__TASK_STATUS__REASON__REASON_RECONCILIATION, 1, 1,
	    NULL },
	{ S(LOST), MESOS__V1__TASK_STATUS__REASON__REASON_AGENT_DISCONNECTED,
	    0, 0, "TASK_LOST" },
	{ S(DROPPED), -1, 1, 1, NULL },
	{ S(UNREACHABLE), -1, 0, 0, "TASK_UNREACHABLE" },
	{ S(GONE), -1, 1, 1, NULL },
	{ S(GONE_BY_OPERATOR), -1, 1, 1, NULL },
	{ S(UNKNOWN), -1, 1, 1, NULL },
};

START_TEST(test_every_state)
{
	Mesos__V1__Offer *o;
	char **ids, **ags;
	size_t n;
	int k = _i;

	st_init(&T, st_config(SERVICE3, NULL), NULL);
	st_subscribe(&T, "fw-1");
	o = st_offer("o1", "a1", "h1", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	n = launched(&T, &ids, &ags);
	st_event(&T, st_ev_update(ids[0], S(RUNNING), "a1", "u0", 10, -1));
	st_event(&T, st_ev_update(ids[0], state_table[k].state, "a1", "u1",
	    20, state_table[k].reason));
	/* every update with a uuid is acknowledged after its rows */
	ck_assert_uint_eq(st_count_call(&T, T_ACK), 1);
	if (st_count(&T, EFFECT_STORE) > 0)
		ck_assert_int_lt(st_store_index(&T, state_table[k].gone ?
		    STORE_TASK_DEL : STORE_TASK_PUT, 0),
		    st_call_index(&T, T_ACK, 0));
	ck_assert_uint_eq(st_count_store(&T, STORE_TASK_DEL),
	    state_table[k].gone);
	ck_assert_uint_eq(st_count_store(&T, STORE_SLOT_PUT),
	    state_table[k].slot_row);
	if (state_table[k].left != NULL) {
		ck_assert_uint_eq(tasks_in(&T, "web", state_table[k].left), 1);
		ck_assert_uint_eq(tasks_in(&T, "web", NULL), 3);
	} else {
		ck_assert_uint_eq(tasks_in(&T, "web", NULL), 2);
		/* the slot comes back after its backoff (1 s): REVIVE and a
		 * launch into slot 0 */
		st_tick(&T, 1100);
		o = st_offer("o2", "a2", "h2", 4, 1024, 0, 0);
		st_event(&T, st_ev_offers(&o, 1));
		if (state_table[k].state == S(FINISHED))
			/* restart always: replaced too */
			ck_assert_uint_eq(st_launches(&T), 1);
		else
			ck_assert_uint_eq(st_launches(&T), 1);
		ck_assert(strncmp(st_launch(&T, 0)->task_id->value, "web.0.",
		    6) == 0);
	}
	free_strv(ids, n);
	free_strv(ags, n);
}
END_TEST

START_TEST(test_restart_policies)
{
	const char *jobs = "[{\"id\": \"a\", \"kind\": \"service\","
	    " \"instances\": 1, \"command\": \"true\","
	    " \"resources\": {\"cpus\": 1, \"mem\": 10},"
	    " \"restart\": {\"policy\": \"on-failure\"}},"
	    " {\"id\": \"b\", \"kind\": \"service\", \"instances\": 1,"
	    " \"command\": \"true\", \"resources\": {\"cpus\": 1, \"mem\": 10},"
	    " \"restart\": {\"policy\": \"never\"}}]";
	Mesos__V1__Offer *o;
	char **ids, **ags;
	size_t n;
	struct admin_req *r;
	const char *body;

	st_init(&T, st_config(jobs, NULL), NULL);
	st_subscribe(&T, "fw-1");
	o = st_offer("o1", "a1", "h1", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	n = launched(&T, &ids, &ags);
	ck_assert_uint_eq(n, 2);
	/* a finishes (on-failure: done), b fails (never: done) */
	st_event(&T, st_ev_update(ids[0], S(FINISHED), "a1", "u", 5, -1));
	st_event(&T, st_ev_update(ids[1], S(FAILED), "a1", "u", 5, -1));
	st_tick(&T, 10000);
	o = st_offer("o2", "a1", "h1", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 0);
	ck_assert_uint_eq(st_count_call(&T, T_DECLINE), 1);
	r = st_req(ADMIN_GET_JOB, "a");
	ck_assert_int_eq(st_admin(&T, r, &body), 200);
	ck_assert_ptr_nonnull(strstr(body, "\"state\":\"done\""));
	free_strv(ids, n);
	free_strv(ags, n);
}
END_TEST

/* Each slot keeps its last SCHED_HISTORY_MAX ended tasks, and why. */
START_TEST(test_slot_history)
{
	const char *jobs = "[{\"id\": \"a\", \"kind\": \"service\","
	    " \"instances\": 1, \"command\": \"true\","
	    " \"resources\": {\"cpus\": 1, \"mem\": 10}}]";
	Mesos__V1__Offer *o;
	Mesos__V1__Scheduler__Event *e;
	struct store_snapshot snap;
	struct admin_req *r;
	const char *body;
	char **ids, **ags, first[64] = "", last[64] = "";
	json_t *j, *h, *x;
	long k;

	st_init(&T, st_config(jobs, NULL), NULL);
	st_subscribe(&T, "fw-1");
	for (int i = 0; i < SCHED_HISTORY_MAX + 2; i++) {
		size_t n;

		o = st_offer("o", "a1", "h1", 4, 1024, 0, 0);
		st_event(&T, st_ev_offers(&o, 1));
		n = launched(&T, &ids, &ags);
		ck_assert_uint_eq(n, 1);
		if (i == 0)
			snprintf(first, sizeof first, "%s", ids[0]);
		snprintf(last, sizeof last, "%s", ids[0]);
		st_event(&T, st_ev_update(ids[0], S(RUNNING), "a1", "u", 0,
		    -1));
		e = st_ev_update(ids[0], S(FAILED), "a1", "u", 0,
		    MESOS__V1__TASK_STATUS__REASON__REASON_COMMAND_EXECUTOR_FAILED);
		e->update->status->message = xstrdup("Command exited with "
		    "status 1");
		e->update->status->has_source = 1;
		e->update->status->source =
		    MESOS__V1__TASK_STATUS__SOURCE__SOURCE_EXECUTOR;
		st_event(&T, e);
		/* the row goes out with the task's deletion */
		ck_assert_uint_eq(st_count_store(&T, STORE_HISTORY_PUT), 1);
		k = st_store_index(&T, STORE_HISTORY_PUT, 0);
		ck_assert_str_eq(T.fx.v[k].u.store.u.history.task_id, ids[0]);
		ck_assert_uint_eq(T.fx.v[k].u.store.u.history.seq,
		    (uint64_t)i + 1);
		ck_assert_uint_eq(T.fx.v[k].u.store.u.history.keep,
		    SCHED_HISTORY_MAX);
		ck_assert_int_eq(T.fx.v[k].u.store.u.history.state, S(FAILED));
		free_strv(ids, n);
		free_strv(ags, n);
		st_tick(&T, 600000);	/* past any backoff */
	}
	r = st_req(ADMIN_GET_JOB, "a");
	ck_assert_int_eq(st_admin(&T, r, &body), 200);
	j = json_loads(body, 0, NULL);
	ck_assert_ptr_nonnull(j);
	h = json_object_get(json_array_get(json_object_get(j, "slots"), 0),
	    "history");
	ck_assert_uint_eq(json_array_size(h), SCHED_HISTORY_MAX);
	/* newest first; the first two fell off */
	x = json_array_get(h, 0);
	ck_assert_str_eq(json_string_value(json_object_get(x, "task_id")),
	    last);
	ck_assert_str_eq(json_string_value(json_object_get(x, "state")),
	    "TASK_FAILED");
	ck_assert_str_eq(json_string_value(json_object_get(x, "reason")),
	    "REASON_COMMAND_EXECUTOR_FAILED");
	ck_assert_str_eq(json_string_value(json_object_get(x, "source")),
	    "SOURCE_EXECUTOR");
	ck_assert_str_eq(json_string_value(json_object_get(x, "message")),
	    "Command exited with status 1");
	ck_assert_str_eq(json_string_value(json_object_get(x, "agent_id")),
	    "a1");
	ck_assert_str_eq(json_string_value(json_object_get(x, "hostname")),
	    "h1");
	ck_assert(json_integer_value(json_object_get(x, "ended_at")) > 0);
	for (size_t i = 0; i < json_array_size(h); i++)
		ck_assert_str_ne(json_string_value(json_object_get(
		    json_array_get(h, i), "task_id")), first);
	json_decref(j);
	st_done(&T);

	/* restored from the store: the ring holds the last rows */
	memset(&snap, 0, sizeof snap);
	snap.framework_id = xstrdup("fw-1");
	snap.nhistory = SCHED_HISTORY_MAX + 1;
	snap.history = xcalloc(snap.nhistory, sizeof *snap.history);
	for (size_t i = 0; i < snap.nhistory; i++) {
		struct store_history *sh = &snap.history[i];

		sh->job = xstrdup("a");
		sh->slot = xstrdup("0");
		sh->seq = i + 1;
		sh->task_id = xasprintf("a.0.t%zu", i + 1);
		sh->state = S(KILLED);
		sh->reason = -1;
		sh->source = -1;
		sh->launched_at = 1;
		sh->ended_at = 2;
	}
	st_init(&T, st_config(jobs, NULL), &snap);
	store_snapshot_clear(&snap);
	r = st_req(ADMIN_GET_JOB, "a");
	ck_assert_int_eq(st_admin(&T, r, &body), 200);
	j = json_loads(body, 0, NULL);
	h = json_object_get(json_array_get(json_object_get(j, "slots"), 0),
	    "history");
	ck_assert_uint_eq(json_array_size(h), SCHED_HISTORY_MAX);
	x = json_array_get(h, 0);
	ck_assert_str_eq(json_string_value(json_object_get(x, "task_id")),
	    "a.0.t11");
	ck_assert(json_is_null(json_object_get(x, "reason")));
	json_decref(j);
	/* the next entry continues the sequence */
	st_subscribe(&T, "fw-1");
	o = st_offer("o", "a1", "h1", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	{
		size_t n = launched(&T, &ids, &ags);

		ck_assert_uint_eq(n, 1);
		st_event(&T, st_ev_update(ids[0], S(FAILED), "a1", "u", 0,
		    -1));
		k = st_store_index(&T, STORE_HISTORY_PUT, 0);
		ck_assert_int_ge(k, 0);
		ck_assert_uint_eq(T.fx.v[k].u.store.u.history.seq,
		    SCHED_HISTORY_MAX + 2);
		free_strv(ids, n);
		free_strv(ags, n);
	}
}
END_TEST

START_TEST(test_backoff_grows)
{
	const char *jobs = "[{\"id\": \"a\", \"kind\": \"service\","
	    " \"instances\": 1, \"command\": \"true\","
	    " \"resources\": {\"cpus\": 1, \"mem\": 10},"
	    " \"restart\": {\"backoff_s\": 2, \"factor\": 3, \"max_s\": 10}}]";
	int64_t expect[] = { 2000, 6000, 10000, 10000 };

	st_init(&T, st_config(jobs, NULL), NULL);
	st_subscribe(&T, "fw-1");
	for (int round = 0; round < 4; round++) {
		Mesos__V1__Offer *o = st_offer("o", "a1", "h1", 4, 1024, 0, 0);
		char **ids, **ags;
		size_t n;
		long i;

		st_event(&T, st_ev_offers(&o, 1));
		n = launched(&T, &ids, &ags);
		ck_assert_uint_eq(n, 1);
		st_event(&T, st_ev_update(ids[0], S(FAILED), "a1", "u", 1, -1));
		i = st_store_index(&T, STORE_SLOT_PUT, 0);
		ck_assert_int_ge(i, 0);
		ck_assert_uint_eq(T.fx.v[i].u.store.u.slot.restarts,
		    (unsigned)round + 1);
		ck_assert_int_eq(T.fx.v[i].u.store.u.slot.backoff_until,
		    T.wall + expect[round]);
		/* during the backoff nothing launches */
		st_tick(&T, expect[round] - 100);
		o = st_offer("o", "a1", "h1", 4, 1024, 0, 0);
		st_event(&T, st_ev_offers(&o, 1));
		ck_assert_uint_eq(st_launches(&T), 0);
		st_tick(&T, 200);
		free_strv(ids, n);
		free_strv(ags, n);
	}
}
END_TEST

START_TEST(test_accept_failure)
{
	Mesos__V1__Offer *o;
	uint64_t cookie;

	st_init(&T, st_config(SERVICE3, NULL), NULL);
	st_subscribe(&T, "fw-1");
	o = st_offer("o1", "a1", "h1", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	cookie = st_call_cookie(&T, T_ACCEPT, 0);
	ck_assert(cookie != 0);
	/* the master refused it: the intents are gone, the slots back off */
	st_call_done(&T, cookie, T_ACCEPT, 400);
	ck_assert_uint_eq(st_count_store(&T, STORE_TASK_DEL), 3);
	ck_assert_uint_eq(st_count_store(&T, STORE_SLOT_PUT), 3);
	ck_assert_uint_eq(tasks_in(&T, "web", NULL), 0);
	/* a success for an unknown cookie changes nothing */
	st_call_done(&T, 999999, T_ACCEPT, 202);
	ck_assert_uint_eq(st_count(&T, EFFECT_STORE), 0);
}
END_TEST

START_TEST(test_accept_no_answer_reconciles)
{
	Mesos__V1__Offer *o;
	uint64_t cookie;

	st_init(&T, st_config(SERVICE3, NULL), NULL);
	st_subscribe(&T, "fw-1");
	o = st_offer("o1", "a1", "h1", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	cookie = st_call_cookie(&T, T_ACCEPT, 0);
	st_call_done(&T, cookie, T_ACCEPT, 0);
	/* the master may have it: ask, do not relaunch */
	ck_assert_uint_eq(st_count_store(&T, STORE_TASK_DEL), 0);
	ck_assert_uint_eq(st_count_call(&T, T_RECONCILE), 1);
	ck_assert_uint_eq(st_call(&T, T_RECONCILE, 0)->reconcile->n_tasks, 3);
}
END_TEST

START_TEST(test_launch_timeout_reconciles)
{
	Mesos__V1__Offer *o;

	st_init(&T, st_config(SERVICE3,
	    "\"scheduling\": {\"launch_timeout_s\": 30},"), NULL);
	st_subscribe(&T, "fw-1");
	o = st_offer("o1", "a1", "h1", 1, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 1);
	st_tick(&T, 29000);
	ck_assert_uint_eq(st_count_call(&T, T_RECONCILE), 0);
	st_tick(&T, 1500);
	ck_assert_uint_eq(st_count_call(&T, T_RECONCILE), 1);
	ck_assert_uint_eq(st_call(&T, T_RECONCILE, 0)->reconcile->n_tasks, 1);
	ck_assert_str_eq(st_call(&T, T_RECONCILE, 0)->reconcile->tasks[0]->
	    agent_id->value, "a1");
}
END_TEST

START_TEST(test_unreachable_grace_and_surplus)
{
	const char *jobs = "[{\"id\": \"web\", \"kind\": \"service\","
	    " \"instances\": 1, \"command\": \"x\","
	    " \"resources\": {\"cpus\": 1, \"mem\": 10}}]";
	Mesos__V1__Offer *o;
	char **ids, **ags, **ids2, **ags2;
	size_t n, n2;

	st_init(&T, st_config(jobs,
	    "\"scheduling\": {\"unreachable_grace_s\": 60},"), NULL);
	st_subscribe(&T, "fw-1");
	o = st_offer("o1", "a1", "h1", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	n = run_launched(&T);
	ck_assert_uint_eq(n, 1);
	o = st_offer("o1", "a1", "h1", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	n = launched(&T, &ids, &ags);	/* nothing new */
	ck_assert_uint_eq(n, 0);
	free_strv(ids, n);
	free_strv(ags, n);
	/* find the task's id through the admin API */
	{
		struct admin_req *r = st_req(ADMIN_GET_TASKS, NULL);
		const char *body;
		json_t *js;

		st_admin(&T, r, &body);
		js = json_loads(body, 0, NULL);
		ids = xcalloc(2, sizeof *ids);
		ids[0] = xstrdup(json_string_value(json_object_get(
		    json_array_get(json_object_get(js, "tasks"), 0), "id")));
		json_decref(js);
	}
	st_event(&T, st_ev_update(ids[0], S(UNREACHABLE), "a1", NULL, 50, -1));
	ck_assert_uint_eq(st_count_store(&T, STORE_TASK_PUT), 1);
	/* within the grace nothing is replaced */
	st_tick(&T, 59000);
	o = st_offer("o2", "a2", "h2", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 0);
	/* after it: a replacement */
	st_tick(&T, 2000);
	o = st_offer("o3", "a2", "h2", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	n2 = launched(&T, &ids2, &ags2);
	ck_assert_uint_eq(n2, 1);
	ck_assert(strncmp(ids2[0], "web.0.", 6) == 0);
	st_event(&T, st_ev_update(ids2[0], S(RUNNING), "a2", "u", 70, -1));
	/* the old one comes back: it is surplus and killed */
	st_event(&T, st_ev_update(ids[0], S(RUNNING), "a1", "u", 80, -1));
	ck_assert_uint_eq(st_count_call(&T, T_KILL), 1);
	ck_assert_str_eq(st_call(&T, T_KILL, 0)->kill->task_id->value, ids[0]);
	st_event(&T, st_ev_update(ids[0], S(KILLED), "a1", "u", 90, -1));
	/* the slot keeps its task, nothing else launches */
	ck_assert_uint_eq(tasks_in(&T, "web", "TASK_RUNNING"), 1);
	o = st_offer("o4", "a3", "h3", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 0);
	free(ids[0]);
	free(ids);
	free_strv(ids2, n2);
	free_strv(ags2, n2);
}
END_TEST

START_TEST(test_unreachable_back_in_grace)
{
	const char *jobs = "[{\"id\": \"web\", \"kind\": \"service\","
	    " \"instances\": 1, \"command\": \"x\","
	    " \"resources\": {\"cpus\": 1, \"mem\": 10}}]";
	Mesos__V1__Offer *o;
	char **ids, **ags;
	size_t n;

	st_init(&T, st_config(jobs, NULL), NULL);
	st_subscribe(&T, "fw-1");
	o = st_offer("o1", "a1", "h1", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	n = launched(&T, &ids, &ags);
	st_event(&T, st_ev_update(ids[0], S(RUNNING), "a1", "u", 10, -1));
	st_event(&T, st_ev_update(ids[0], S(UNREACHABLE), "a1", "u", 20, -1));
	st_tick(&T, 10000);
	st_event(&T, st_ev_update(ids[0], S(RUNNING), "a1", "u", 30, -1));
	ck_assert_uint_eq(st_count_call(&T, T_KILL), 0);
	ck_assert_uint_eq(tasks_in(&T, "web", "TASK_RUNNING"), 1);
	/* and the grace timer is gone with it */
	st_tick(&T, 400 * 1000);
	o = st_offer("o2", "a2", "h2", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 0);
	free_strv(ids, n);
	free_strv(ags, n);
}
END_TEST

START_TEST(test_errors)
{
	st_init(&T, st_config(SERVICE3, NULL), NULL);
	st_subscribe(&T, "fw-1");
	st_event(&T, st_ev_error("Framework failed over"));
	ck_assert_uint_eq(st_count(&T, EFFECT_FENCE), 1);
	st_subscribe(&T, "fw-1");
	st_event(&T, st_ev_error("Rate limit exceeded"));
	ck_assert_uint_eq(st_count(&T, EFFECT_RESUBSCRIBE), 1);
	ck_assert_str_eq(T.fx.v[0].u.text, "Rate limit exceeded");
	st_subscribe(&T, "fw-1");
	st_event(&T, st_ev_error("Framework has been removed"));
	ck_assert_uint_eq(st_count_store(&T, STORE_FRAMEWORK_REMOVED), 1);
	ck_assert_uint_eq(st_count(&T, EFFECT_EXIT), 1);
	ck_assert_int_lt(st_store_index(&T, STORE_FRAMEWORK_REMOVED, 0),
	    (long)T.fx.n - 1);
	ck_assert_int_eq(T.fx.v[T.fx.n - 1].u.exit.code, 3);
	ck_assert_ptr_nonnull(strstr(T.fx.v[T.fx.n - 1].u.exit.reason,
	    "removed"));
}
END_TEST

/* Feeds a MSG_SESSION that gave up for good with fatal set to fatal. */
static void
fatal_session(int fatal, const char *reason)
{
	struct msg *m = msg_create(MSG_SESSION);

	m->u.session.state = SESSION_DISCONNECTED;
	m->u.session.reason = xstrdup(reason);
	m->u.session.fatal = fatal;
	m->now = T.now;
	m->wall = T.wall;
	effects_clear(&T.fx);
	sched_apply(T.s, m, &T.fx);
	msg_free(m);
}

START_TEST(test_fatal_session)
{
	/* refused credentials: exit 4, with the master connection's words */
	st_init(&T, st_config(SERVICE3, NULL), NULL);
	fatal_session(401, "refused the credentials of principal 'p'");
	ck_assert_uint_eq(st_count(&T, EFFECT_EXIT), 1);
	ck_assert_int_eq(T.fx.v[T.fx.n - 1].u.exit.code, 4);
	ck_assert_ptr_nonnull(strstr(T.fx.v[T.fx.n - 1].u.exit.reason,
	    "principal 'p'"));
	st_done(&T);
	/* another reason to give up: exit 3 */
	st_init(&T, st_config(SERVICE3, NULL), NULL);
	st_subscribe(&T, "fw-1");
	fatal_session(1, "Framework has been removed");
	ck_assert_uint_eq(st_count(&T, EFFECT_EXIT), 1);
	ck_assert_int_eq(T.fx.v[T.fx.n - 1].u.exit.code, 3);
	st_done(&T);
	/* the ERROR event came first and decided: no second exit */
	st_init(&T, st_config(SERVICE3, NULL), NULL);
	st_subscribe(&T, "fw-1");
	st_event(&T, st_ev_error("Framework has been removed"));
	ck_assert_uint_eq(st_count(&T, EFFECT_EXIT), 1);
	fatal_session(1, "Framework has been removed");
	ck_assert_uint_eq(st_count(&T, EFFECT_EXIT), 0);
	/* a session that is only lost is not fatal */
	st_done(&T);
	st_init(&T, st_config(SERVICE3, NULL), NULL);
	st_subscribe(&T, "fw-1");
	st_session(&T, 0);
	ck_assert_uint_eq(st_count(&T, EFFECT_EXIT), 0);
}
END_TEST

START_TEST(test_shutdown)
{
	Mesos__V1__Offer *o;
	uint64_t cookie;

	st_init(&T, st_config(SERVICE3, NULL), NULL);
	st_shutdown(&T);
	ck_assert_uint_eq(st_count(&T, EFFECT_EXIT), 1);
	ck_assert_int_eq(T.fx.v[0].u.exit.code, 0);
	st_done(&T);

	st_init(&T, st_config(SERVICE3, NULL), NULL);
	st_subscribe(&T, "fw-1");
	o = st_offer("o1", "a1", "h1", 1, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	cookie = st_call_cookie(&T, T_ACCEPT, 0);
	st_shutdown(&T);
	/* an ACCEPT is in flight: wait for it */
	ck_assert_uint_eq(st_count(&T, EFFECT_EXIT), 0);
	o = st_offer("o2", "a2", "h2", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 0);
	ck_assert_uint_eq(st_count_call(&T, T_DECLINE), 1);
	st_call_done(&T, cookie, T_ACCEPT, 202);
	ck_assert_uint_eq(st_count(&T, EFFECT_EXIT), 1);
}
END_TEST

START_TEST(test_dry_run)
{
	Mesos__V1__Offer *o;

	st_init(&T, st_config(SERVICE3, "\"scheduling\": {\"dry_run\": true},"),
	    NULL);
	st_subscribe(&T, "fw-1");
	o = st_offer("o1", "a1", "h1", 4, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_count_call(&T, T_ACCEPT), 0);
	ck_assert_uint_eq(st_count_call(&T, T_DECLINE), 1);
	ck_assert_uint_eq(st_count(&T, EFFECT_STORE), 0);
	ck_assert_uint_eq(tasks_in(&T, NULL, NULL), 0);
}
END_TEST

START_TEST(test_daemon_fifty_agents)
{
	size_t n;

	st_init(&T, st_config(DAEMON, NULL), NULL);
	st_subscribe(&T, "fw-1");
	/* nothing known yet: SUPPRESS */
	ck_assert_uint_eq(st_count_call(&T, T_SUPPRESS), 1);
	st_agents_msg(&T, st_agents(0, 50));
	/* fifty new slots: REVIVE (debounce passed) */
	ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 1);
	n = offer_agents(&T, 0, 50, 2, 1024);
	ck_assert_uint_eq(n, 50);
	ck_assert_uint_eq(st_count_call(&T, T_ACCEPT), 50);
	ck_assert_uint_eq(run_launched(&T), 50);
	ck_assert_uint_eq(tasks_in(&T, "node", "TASK_RUNNING"), 50);
	/* more offers from the same agents: never a second task */
	st_tick(&T, 5000);
	n = offer_agents(&T, 0, 50, 2, 1024);
	ck_assert_uint_eq(n, 0);
	/* ten new agents join */
	st_tick(&T, 60000);
	ck_assert_uint_eq(st_count(&T, EFFECT_GET_AGENTS), 1);
	st_agents_msg(&T, st_agents(0, 60));
	n = offer_agents(&T, 50, 10, 2, 1024);
	ck_assert_uint_eq(n, 10);
	ck_assert_uint_eq(run_launched(&T), 10);
	ck_assert_uint_eq(tasks_in(&T, "node", "TASK_RUNNING"), 60);
	/* ten leave: their tasks go, the slots with them */
	st_tick(&T, 60000);
	st_agents_msg(&T, st_agents(0, 50));
	for (size_t i = 50; i < 60; i++) {
		struct admin_req *r = st_req(ADMIN_GET_TASKS, NULL);
		const char *body;
		json_t *js, *arr;
		char ag[16];

		snprintf(ag, sizeof ag, "a%zu", i);
		r->agent = xstrdup(ag);
		st_admin(&T, r, &body);
		js = json_loads(body, 0, NULL);
		arr = json_object_get(js, "tasks");
		ck_assert_uint_eq(json_array_size(arr), 1);
		st_event(&T, st_ev_update(json_string_value(json_object_get(
		    json_array_get(arr, 0), "id")), S(GONE), ag, "u", 1e9, -1));
		json_decref(js);
		ck_assert_uint_eq(st_count_store(&T, STORE_TASK_DEL), 1);
		ck_assert_uint_eq(st_count_store(&T, STORE_SLOT_DEL), 1);
	}
	ck_assert_uint_eq(tasks_in(&T, "node", NULL), 50);
	st_tick(&T, 5000);
	n = offer_agents(&T, 0, 50, 2, 1024);
	ck_assert_uint_eq(n, 0);
	/* blacklisting a3 kills its task and keeps it off */
	{
		struct admin_req *r = st_req(ADMIN_PUT_BLACKLIST, "h3");
		const char *body;
		long put, kill;

		r->reason = xstrdup("bad disk");
		ck_assert_int_eq(st_admin(&T, r, &body), 200);
		ck_assert_ptr_nonnull(strstr(body, "bad disk"));
		put = st_store_index(&T, STORE_BLACKLIST_PUT, 0);
		kill = st_call_index(&T, T_KILL, 0);
		ck_assert_int_ge(put, 0);
		ck_assert_int_gt(kill, put);
		ck_assert_uint_eq(st_count_call(&T, T_KILL), 1);
		/* offer constraints for the master (hostname h3) */
		ck_assert_uint_eq(st_count_call(&T, T_UPDATE_FW), 1);
	}
	{
		Mesos__V1__Scheduler__Call *k = st_call(&T, T_KILL, 0);
		char *tid = xstrdup(k->kill->task_id->value);

		ck_assert_str_eq(k->kill->agent_id->value, "a3");
		st_event(&T, st_ev_update(tid, S(KILLED), "a3", "u", 2e9, -1));
		ck_assert_uint_eq(st_count_store(&T, STORE_SLOT_DEL), 1);
		free(tid);
	}
	st_tick(&T, 5000);
	n = offer_agents(&T, 0, 50, 2, 1024);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(tasks_in(&T, "node", NULL), 49);
	/* off the blacklist: back on a3 */
	{
		struct admin_req *r = st_req(ADMIN_DEL_BLACKLIST, "h3");

		ck_assert_int_eq(st_admin(&T, r, NULL), 200);
		ck_assert_uint_eq(st_count_store(&T, STORE_BLACKLIST_DEL), 1);
	}
	st_tick(&T, 5000);
	n = offer_agents(&T, 3, 1, 2, 1024);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(st_launch(&T, 0)->agent_id->value, "a3");
}
END_TEST

START_TEST(test_service_random_failures)
{
	unsigned seed = (unsigned)time(NULL);
	const char *jobs = "[{\"id\": \"svc\", \"kind\": \"service\","
	    " \"instances\": 5, \"command\": \"x\","
	    " \"resources\": {\"cpus\": 1, \"mem\": 10},"
	    " \"restart\": {\"backoff_s\": 1, \"factor\": 2, \"max_s\": 4}}]";
	static const int fates[] = { S(FAILED), S(KILLED), S(LOST), S(ERROR),
	    S(DROPPED), S(GONE), S(FINISHED) };

	if (getenv("ARK_TEST_SEED") != NULL)
		seed = (unsigned)strtoul(getenv("ARK_TEST_SEED"), NULL, 10);
	printf("test_service_random_failures: seed %u\n", seed);
	srand(seed);
	st_init(&T, st_config(jobs, NULL), NULL);
	st_subscribe(&T, "fw-1");
	for (int round = 0; round < 200; round++) {
		size_t nrun;

		/* offers from a few agents */
		offer_agents(&T, (size_t)(rand() % 10), 3, 2, 100);
		run_launched(&T);
		nrun = tasks_in(&T, "svc", "TASK_RUNNING");
		ck_assert_uint_le(nrun, 5);
		ck_assert_uint_le(tasks_in(&T, "svc", NULL), 5);
		/* fail a random running task */
		if (nrun > 0 && rand() % 2 == 0) {
			struct admin_req *r = st_req(ADMIN_GET_TASKS, "");
			const char *body;
			json_t *js, *task;
			char *tid, *ag;

			r->job = xstrdup("svc");
			r->state = xstrdup("TASK_RUNNING");
			st_admin(&T, r, &body);
			js = json_loads(body, 0, NULL);
			task = json_array_get(json_object_get(js, "tasks"),
			    (size_t)rand() % nrun);
			tid = xstrdup(json_string_value(json_object_get(task,
			    "id")));
			ag = xstrdup(json_string_value(json_object_get(task,
			    "agent_id")));
			json_decref(js);
			st_event(&T, st_ev_update(tid, fates[rand() % 7], ag,
			    "u", 0, -1));
			free(tid);
			free(ag);
		}
		st_tick(&T, 500 + rand() % 2000);
	}
	/* settle: no failures, time for every backoff, offers */
	for (int i = 0; i < 10; i++) {
		st_tick(&T, 5000);
		offer_agents(&T, 0, 5, 2, 100);
		run_launched(&T);
	}
	ck_assert_uint_eq(tasks_in(&T, "svc", "TASK_RUNNING"), 5);
	ck_assert_uint_eq(tasks_in(&T, "svc", NULL), 5);
}
END_TEST

START_TEST(test_constraints)
{
	const char *jobs = "[{\"id\": \"eq\", \"kind\": \"service\","
	    " \"instances\": 2, \"command\": \"x\","
	    " \"resources\": {\"cpus\": 0.1, \"mem\": 1},"
	    " \"constraints\": [[\"rack\", \"EQUALS\", \"r1\"]]},"
	    " {\"id\": \"like\", \"kind\": \"service\", \"instances\": 2,"
	    " \"command\": \"x\", \"resources\": {\"cpus\": 0.1, \"mem\": 1},"
	    " \"constraints\": [[\"hostname\", \"LIKE\", \"web-[0-9]+\"]]},"
	    " {\"id\": \"unlike\", \"kind\": \"service\", \"instances\": 1,"
	    " \"command\": \"x\", \"resources\": {\"cpus\": 0.1, \"mem\": 1},"
	    " \"constraints\": [[\"rack\", \"UNLIKE\", \"r1\"]]},"
	    " {\"id\": \"uniq\", \"kind\": \"service\", \"instances\": 3,"
	    " \"command\": \"x\", \"resources\": {\"cpus\": 0.1, \"mem\": 1},"
	    " \"constraints\": [[\"hostname\", \"UNIQUE\"]]},"
	    " {\"id\": \"maxper\", \"kind\": \"service\", \"instances\": 5,"
	    " \"command\": \"x\", \"resources\": {\"cpus\": 0.1, \"mem\": 1},"
	    " \"constraints\": [[\"rack\", \"MAX_PER\", \"2\"]]}]";
	Mesos__V1__Offer *v[3];
	size_t per_job[5] = { 0 };
	const char *names[5] = { "eq.", "like.", "unlike.", "uniq.", "maxper." };

	st_init(&T, st_config(jobs, NULL), NULL);
	st_subscribe(&T, "fw-1");
	v[0] = st_offer("o1", "a1", "web-1", 8, 1024, 0, 0);
	st_offer_attr(v[0], "rack", "r1");
	v[1] = st_offer("o2", "a2", "web-x", 8, 1024, 0, 0);
	st_offer_attr(v[1], "rack", "r2");
	v[2] = st_offer("o3", "a3", "db-1", 8, 1024, 0, 0);
	st_event(&T, st_ev_offers(v, 3));
	for (size_t i = 0; i < st_launches(&T); i++) {
		Mesos__V1__TaskInfo *ti = st_launch(&T, i);

		for (int k = 0; k < 5; k++)
			if (strncmp(ti->task_id->value, names[k],
			    strlen(names[k])) == 0) {
				per_job[k]++;
				if (k == 0 || k == 1)	/* only on a1 */
					ck_assert_str_eq(ti->agent_id->value,
					    "a1");
				if (k == 2)	/* not on a1 */
					ck_assert_str_ne(ti->agent_id->value,
					    "a1");
			}
	}
	ck_assert_uint_eq(per_job[0], 2);
	ck_assert_uint_eq(per_job[1], 2);
	ck_assert_uint_eq(per_job[2], 1);
	/* one per host: three hosts, three tasks */
	ck_assert_uint_eq(per_job[3], 3);
	/* two per rack; a3 has no rack: 4 of 5 */
	ck_assert_uint_eq(per_job[4], 4);
	/* the fifth stays pending: a second event still respects MAX_PER */
	v[0] = st_offer("o4", "a1", "web-1", 8, 1024, 0, 0);
	st_offer_attr(v[0], "rack", "r1");
	st_event(&T, st_ev_offers(v, 1));
	ck_assert_uint_eq(st_launches(&T), 0);
}
END_TEST

START_TEST(test_ports_and_taskinfo)
{
	const char *jobs = "[{\"id\": \"web\", \"kind\": \"service\","
	    " \"instances\": 2, \"argv\": [\"/bin/srv\", \"--port\", \"x\"],"
	    " \"env\": {\"MODE\": \"prod\"}, \"user\": \"www\","
	    " \"resources\": {\"cpus\": 1, \"mem\": 10, \"ports\": [\"HTTP\","
	    " \"ADMIN\"]},"
	    " \"container\": {\"type\": \"mesos\", \"image\": \"nginx:1\"},"
	    " \"uris\": [\"http://x/y.tgz\"], \"labels\": {\"team\": \"t\"},"
	    " \"health_check\": {\"type\": \"HTTP\", \"path\": \"/h\","
	    " \"port_index\": 1}, \"kill_grace_s\": 7}]";
	Mesos__V1__Offer *o;
	Mesos__V1__TaskInfo *a, *b;
	const char *pa, *pb;

	st_init(&T, st_config(jobs, NULL), NULL);
	st_subscribe(&T, "fw-1");
	/* three ports: only one task fits */
	o = st_offer("o1", "a1", "h1", 8, 1024, 31000, 31002);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 1);
	o = st_offer("o2", "a1", "h1", 8, 1024, 31000, 31005);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 1);
	a = st_launch(&T, 0);
	ck_assert_str_eq(st_env(a, "PORT_HTTP"), "31000");
	ck_assert_str_eq(st_env(a, "PORT0"), "31000");
	ck_assert_str_eq(st_env(a, "PORT_ADMIN"), "31001");
	ck_assert_str_eq(st_env(a, "PORT1"), "31001");
	ck_assert_str_eq(st_env(a, "MODE"), "prod");
	ck_assert(!a->command->shell);
	ck_assert_str_eq(a->command->value, "/bin/srv");
	ck_assert_uint_eq(a->command->n_arguments, 3);
	ck_assert_str_eq(a->command->user, "www");
	ck_assert_uint_eq(a->command->n_uris, 1);
	ck_assert_int_eq(a->container->type,
	    MESOS__V1__CONTAINER_INFO__TYPE__MESOS);
	ck_assert_str_eq(a->container->mesos->image->docker->name, "nginx:1");
	ck_assert_uint_eq(a->health_check->http->port, 31001);
	ck_assert_str_eq(a->health_check->http->path, "/h");
	ck_assert_int_eq(a->kill_policy->grace_period->nanoseconds,
	    7000000000LL);
	ck_assert_str_eq(a->labels->labels[0]->key, "team");
	for (size_t i = 0; i < a->n_resources; i++)
		if (strcmp(a->resources[i]->name, "ports") == 0) {
			ck_assert_uint_eq(a->resources[i]->ranges->n_range, 1);
			ck_assert_uint_eq(a->resources[i]->ranges->range[0]->begin,
			    31000);
			ck_assert_uint_eq(a->resources[i]->ranges->range[0]->end,
			    31001);
		}
	(void)b;
	(void)pa;
	(void)pb;
}
END_TEST

START_TEST(test_multi_role)
{
	const char *jobs = "[{\"id\": \"web\", \"kind\": \"service\","
	    " \"instances\": 1, \"command\": \"x\", \"role\": \"prod\","
	    " \"resources\": {\"cpus\": 1, \"mem\": 10}}]";
	Mesos__V1__Offer *o;
	Mesos__V1__TaskInfo *ti;

	st_init(&T, st_config(jobs, "\"framework\": {\"name\": \"ark\","
	    " \"user\": \"nobody\", \"roles\": [\"dev\", \"prod\"]},"), NULL);
	st_subscribe(&T, "fw-1");
	o = st_offer("o1", "a1", "h1", 8, 1024, 0, 0);
	st_offer_role(o, "dev");
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 0);
	o = st_offer("o2", "a1", "h1", 8, 1024, 0, 0);
	st_offer_role(o, "prod");
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 1);
	ti = st_launch(&T, 0);
	for (size_t i = 0; i < ti->n_resources; i++)
		ck_assert_str_eq(ti->resources[i]->allocation_info->role,
		    "prod");
}
END_TEST

START_TEST(test_inverse_offers_and_rescind)
{
	const char *jobs = "[{\"id\": \"web\", \"kind\": \"service\","
	    " \"instances\": 1, \"command\": \"x\","
	    " \"resources\": {\"cpus\": 1, \"mem\": 10}}]";
	Mesos__V1__Offer *o;
	char **ids, **ags;
	size_t n;

	st_init(&T, st_config(jobs, NULL), NULL);
	st_subscribe(&T, "fw-1");
	st_event(&T, st_ev_rescind("nothing-held"));
	ck_assert_uint_eq(T.fx.n, 0);
	o = st_offer("o1", "a1", "h1", 8, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	n = launched(&T, &ids, &ags);
	st_event(&T, st_ev_update(ids[0], S(RUNNING), "a1", "u", 1, -1));
	st_event(&T, st_ev_inverse("io1", "a1"));
	ck_assert_uint_eq(st_count_call(&T, T_ACCEPT_INV), 1);
	/* the service task drains: replacement first, on another agent */
	st_tick(&T, 2000);
	o = st_offer("o2", "a1", "h1", 8, 1024, 0, 0);
	st_offer_unavailable(o, T.wall + 60000);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 0);
	o = st_offer("o3", "a2", "h2", 8, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 1);
	ck_assert_uint_eq(st_count_call(&T, T_KILL), 0);
	run_launched(&T);
	ck_assert_uint_eq(st_count_call(&T, T_KILL), 1);
	ck_assert_str_eq(st_call(&T, T_KILL, 0)->kill->task_id->value, ids[0]);
	free_strv(ids, n);
	free_strv(ags, n);
}
END_TEST

/* With no offer at all, the guard REVIVE backs off: 30 s, 60 s, 120 s... */
START_TEST(test_revive_guard_backs_off)
{
	Mesos__V1__Offer *o;

	st_init(&T, st_config(SERVICE3,
	    "\"scheduling\": {\"revive_debounce_s\": 1},"), NULL);
	st_subscribe(&T, "fw-1");
	ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 1);
	/* nothing comes: again after 30 s, then 60 s, then 120 s */
	st_tick(&T, 29000);
	ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 0);
	st_tick(&T, 1000);
	ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 1);
	st_tick(&T, 59000);
	ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 0);
	st_tick(&T, 1000);
	ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 1);
	ck_assert(sched_next_deadline(T.s) <= T.now + 120000);
	st_tick(&T, 119000);
	ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 0);
	st_tick(&T, 1000);
	ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 1);
	/* capped at five minutes */
	for (int i = 0; i < 3; i++) {
		st_tick(&T, 300000);
		ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 1);
	}
	/* an offer that fits nothing resets the wait to 30 s */
	o = st_offer("o1", "a1", "h1", 0.01, 1, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_count_call(&T, T_DECLINE), 1);
	st_tick(&T, 30000);
	ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 1);
}
END_TEST

START_TEST(test_revive_suppress_pacing)
{
	Mesos__V1__Offer *o;
	char **ids, **ags;
	size_t n;

	st_init(&T, st_config(SERVICE3,
	    "\"scheduling\": {\"revive_debounce_s\": 5},"), NULL);
	st_subscribe(&T, "fw-1");
	ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 1);
	o = st_offer("o1", "a1", "h1", 8, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_count_call(&T, T_SUPPRESS), 1);
	n = launched(&T, &ids, &ags);
	/* a failure within the debounce: REVIVE waits */
	st_tick(&T, 1000);
	st_event(&T, st_ev_update(ids[0], S(FAILED), "a1", "u", 1, -1));
	ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 0);
	st_tick(&T, 1100);	/* backoff over at +1 s; debounce at +5 s */
	ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 0);
	ck_assert(sched_next_deadline(T.s) <= T.now + 3000);
	st_tick(&T, 3000);
	ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 1);
	/* no offer comes: REVIVE again after a while */
	st_tick(&T, 31000);
	ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 1);
	/* offers while suppressed mean a lost SUPPRESS: sent again */
	o = st_offer("o2", "a1", "h1", 8, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 1);
	ck_assert_uint_eq(st_count_call(&T, T_SUPPRESS), 1);
	st_tick(&T, 10000);
	o = st_offer("o3", "a1", "h1", 8, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_count_call(&T, T_DECLINE), 1);
	ck_assert_uint_eq(st_count_call(&T, T_SUPPRESS), 1);
	free_strv(ids, n);
	free_strv(ags, n);
}
END_TEST

START_TEST(test_disconnect_and_kill_later)
{
	Mesos__V1__Offer *o;
	char **ids, **ags;
	size_t n;
	struct admin_req *r;

	st_init(&T, st_config(SERVICE3, NULL), NULL);
	st_subscribe(&T, "fw-1");
	o = st_offer("o1", "a1", "h1", 8, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	n = launched(&T, &ids, &ags);
	st_session(&T, 0);
	/* a kill while disconnected waits for the subscription */
	r = st_req(ADMIN_KILL_TASK, ids[1]);
	ck_assert_int_eq(st_admin(&T, r, NULL), 202);
	ck_assert_uint_eq(st_count_call(&T, T_KILL), 0);
	st_subscribe(&T, "fw-1");
	ck_assert_uint_eq(st_count_call(&T, T_KILL), 1);
	/* the reconciliation covers the three launches */
	ck_assert_uint_eq(st_call(&T, T_RECONCILE, 0)->reconcile->n_tasks, 3);
	free_strv(ids, n);
	free_strv(ags, n);
}
END_TEST

START_TEST(test_reload)
{
	const char *v1 = "[{\"id\": \"keep\", \"kind\": \"service\","
	    " \"instances\": 1, \"command\": \"a\","
	    " \"resources\": {\"cpus\": 1, \"mem\": 10}},"
	    " {\"id\": \"change\", \"kind\": \"service\", \"instances\": 2,"
	    " \"command\": \"b\", \"resources\": {\"cpus\": 1, \"mem\": 10}},"
	    " {\"id\": \"scale\", \"kind\": \"service\", \"instances\": 2,"
	    " \"command\": \"c\", \"resources\": {\"cpus\": 1, \"mem\": 10}},"
	    " {\"id\": \"drop\", \"kind\": \"service\", \"instances\": 1,"
	    " \"command\": \"d\", \"resources\": {\"cpus\": 1, \"mem\": 10},"
	    " \"constraints\": [[\"hostname\", \"UNIQUE\"]]}]";
	const char *v2 = "[{\"id\": \"keep\", \"kind\": \"service\","
	    " \"instances\": 1, \"command\": \"a\","
	    " \"resources\": {\"cpus\": 1, \"mem\": 10}},"
	    " {\"id\": \"change\", \"kind\": \"service\", \"instances\": 2,"
	    " \"command\": \"b2\", \"resources\": {\"cpus\": 1, \"mem\": 10}},"
	    " {\"id\": \"scale\", \"kind\": \"service\", \"instances\": 3,"
	    " \"command\": \"c\", \"resources\": {\"cpus\": 1, \"mem\": 10}},"
	    " {\"id\": \"new\", \"kind\": \"service\", \"instances\": 1,"
	    " \"command\": \"e\", \"resources\": {\"cpus\": 1, \"mem\": 10}}]";
	Mesos__V1__Offer *o;
	size_t kills;

	st_init(&T, st_config(v1, NULL), NULL);
	st_subscribe(&T, "fw-1");
	o = st_offer("o1", "a1", "h1", 16, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(run_launched(&T), 6);
	st_reload(&T, st_config(v2, "\"framework\": {\"name\": \"ark2\","
	    " \"user\": \"nobody\", \"roles\": [\"*\"]},"));
	/* drop's task killed; change rolls one at a time: one kill */
	kills = st_count_call(&T, T_KILL);
	ck_assert_uint_eq(kills, 2);
	for (size_t i = 0; i < kills; i++) {
		const char *id = st_call(&T, T_KILL, i)->kill->task_id->value;

		ck_assert(strncmp(id, "drop.", 5) == 0 ||
		    strncmp(id, "change.", 7) == 0);
	}
	/* the framework's name changed: UPDATE_FRAMEWORK */
	ck_assert_uint_eq(st_count_call(&T, T_UPDATE_FW), 1);
	ck_assert_str_eq(st_call(&T, T_UPDATE_FW, 0)->update_framework->
	    framework_info->name, "ark2");
	/* the untouched and the scaled job keep their tasks */
	ck_assert_uint_eq(tasks_in(&T, "keep", "TASK_RUNNING"), 1);
	ck_assert_uint_eq(tasks_in(&T, "scale", "TASK_RUNNING"), 2);
	/* new job and the new scale instance launch */
	o = st_offer("o2", "a1", "h1", 16, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 2);
	for (size_t i = 0; i < 2; i++) {
		const char *id = st_launch(&T, i)->task_id->value;

		ck_assert(strncmp(id, "new.0.", 6) == 0 ||
		    strncmp(id, "scale.2.", 8) == 0);
	}
}
END_TEST

START_TEST(test_rolling_restart)
{
	Mesos__V1__Offer *o;
	struct admin_req *r;
	const char *body;

	st_init(&T, st_config(SERVICE3, NULL), NULL);
	st_subscribe(&T, "fw-1");
	o = st_offer("o1", "a1", "h1", 16, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(run_launched(&T), 3);
	r = st_req(ADMIN_RESTART_JOB, "web");
	ck_assert_int_eq(st_admin(&T, r, &body), 202);
	ck_assert_ptr_nonnull(strstr(body, "rolling"));
	for (int step = 0; step < 3; step++) {
		Mesos__V1__Scheduler__Call *k;
		char *tid;

		ck_assert_uint_eq(st_count_call(&T, T_KILL), 1);
		k = st_call(&T, T_KILL, 0);
		tid = xstrdup(k->kill->task_id->value);
		st_event(&T, st_ev_update(tid, S(KILLED), "a1", "u", 0, -1));
		free(tid);
		/* no backoff for a restart, and no next kill yet */
		ck_assert_uint_eq(st_count_call(&T, T_KILL), 0);
		o = st_offer("o", "a1", "h1", 16, 1024, 0, 0);
		st_event(&T, st_ev_offers(&o, 1));
		ck_assert_uint_eq(st_launches(&T), 1);
		{
			char **ids, **ags;
			size_t n = launched(&T, &ids, &ags);

			st_event(&T, st_ev_update(ids[0], S(RUNNING), "a1",
			    "u", 0, -1));
			free_strv(ids, n);
			free_strv(ags, n);
		}
		if (step == 2)
			ck_assert_uint_eq(st_count_call(&T, T_KILL), 0);
	}
	ck_assert_uint_eq(tasks_in(&T, "web", "TASK_RUNNING"), 3);
	r = st_req(ADMIN_RESTART_JOB, "nope");
	ck_assert_int_eq(st_admin(&T, r, NULL), 404);
}
END_TEST

START_TEST(test_offer_constraints_fallback)
{
	Mesos__V1__Offer *o;
	struct admin_req *r;
	Mesos__V1__Scheduler__Call *c;
	uint64_t cookie;

	st_init(&T, st_config(SERVICE3, NULL), NULL);
	st_subscribe(&T, "fw-1");
	/* agent a1 is known as h1: its id in the blacklist goes out as h1 */
	o = st_offer("o1", "a1", "h1", 0.1, 1, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	r = st_req(ADMIN_PUT_BLACKLIST, "a1");
	ck_assert_int_eq(st_admin(&T, r, NULL), 200);
	ck_assert_uint_eq(st_count_call(&T, T_UPDATE_FW), 1);
	c = st_call(&T, T_UPDATE_FW, 0);
	ck_assert_str_eq(c->update_framework->offer_constraints->
	    role_constraints[0]->value->groups[0]->attribute_constraints[0]->
	    predicate->text_not_equals->value, "h1");
	ck_assert_str_eq(c->update_framework->framework_info->id->value,
	    "fw-1");
	cookie = st_call_cookie(&T, T_UPDATE_FW, 0);
	ck_assert(cookie != 0);
	/* an older master refuses: arkd stops sending constraints */
	st_call_done(&T, cookie, T_UPDATE_FW, 400);
	r = st_req(ADMIN_PUT_BLACKLIST, "h2");
	ck_assert_int_eq(st_admin(&T, r, NULL), 200);
	ck_assert_uint_eq(st_count_call(&T, T_UPDATE_FW), 0);
	/* and declines the blacklisted agents' offers itself */
	o = st_offer("o2", "a2", "h2", 8, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 0);
	ck_assert_uint_eq(st_count_call(&T, T_DECLINE), 1);
	o = st_offer("o3", "a1", "h1", 8, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 0);
	o = st_offer("o4", "a3", "h3", 8, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 3);
}
END_TEST

/* Scaled down and up again before the kill took effect: no backoff. */
START_TEST(test_scale_down_up)
{
	Mesos__V1__Offer *o;
	struct admin_req *r;
	char *tid;

	st_init(&T, st_config(SERVICE3, NULL), NULL);
	st_subscribe(&T, "fw-1");
	o = st_offer("o1", "a1", "h1", 8, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(run_launched(&T), 3);
	r = st_req(ADMIN_PATCH_JOB, "web");
	r->instances = 2;
	ck_assert_int_eq(st_admin(&T, r, NULL), 200);
	ck_assert_uint_eq(st_count_call(&T, T_KILL), 1);
	tid = xstrdup(st_call(&T, T_KILL, 0)->kill->task_id->value);
	ck_assert(strncmp(tid, "web.2.", 6) == 0);
	r = st_req(ADMIN_PATCH_JOB, "web");
	r->instances = 3;
	ck_assert_int_eq(st_admin(&T, r, NULL), 200);
	st_event(&T, st_ev_update(tid, S(KILLED), "a1", "u", 0, -1));
	ck_assert_uint_eq(st_count_store(&T, STORE_SLOT_DEL), 0);
	ck_assert_uint_eq(st_count_store(&T, STORE_SLOT_PUT), 0);
	o = st_offer("o2", "a1", "h1", 8, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 1);
	ck_assert(strncmp(st_launch(&T, 0)->task_id->value, "web.2.", 6) == 0);
	free(tid);
}
END_TEST

/*
 * A daemon task whose agent goes away: after the grace its slot waits,
 * without asking for offers, until the agent is back; the old task coming
 * back takes the slot again.
 */
START_TEST(test_daemon_unreachable_agent)
{
	char *tid;
	struct admin_req *r;
	const char *body;

	st_init(&T, st_config(DAEMON,
	    "\"scheduling\": {\"unreachable_grace_s\": 10,"
	    " \"agents_refresh_s\": 5},"), NULL);
	st_subscribe(&T, "fw-1");
	st_agents_msg(&T, st_agents(0, 2));
	ck_assert_uint_eq(offer_agents(&T, 0, 2, 2, 1024), 2);
	ck_assert_uint_eq(st_count_call(&T, T_SUPPRESS), 1);
	ck_assert_uint_eq(run_launched(&T), 2);
	r = st_req(ADMIN_GET_TASKS, NULL);
	r->agent = xstrdup("a1");
	st_admin(&T, r, &body);
	{
		json_t *js = json_loads(body, 0, NULL);

		tid = xstrdup(json_string_value(json_object_get(json_array_get(
		    json_object_get(js, "tasks"), 0), "id")));
		json_decref(js);
	}
	st_event(&T, st_ev_update(tid, S(UNREACHABLE), "a1", NULL, 10, -1));
	/* asked again, the master no longer lists a1 */
	st_tick(&T, 5000);
	ck_assert_uint_eq(st_count(&T, EFFECT_GET_AGENTS), 1);
	st_agents_msg(&T, st_agents(0, 1));
	st_tick(&T, 6000);
	/* grace over, agent gone: no REVIVE for it, it stays suppressed */
	ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 0);
	st_tick(&T, 60000);
	ck_assert_uint_eq(st_count_call(&T, T_REVIVE), 0);
	r = st_req(ADMIN_GET_JOB, "node");
	st_admin(&T, r, &body);
	ck_assert_ptr_nonnull(strstr(body, "\"status\":\"unreachable\""));
	/* it comes back: arkd asks about the old task and launches nothing
	 * there until it knows */
	st_tick(&T, 5000);
	st_agents_msg(&T, st_agents(0, 2));
	ck_assert_uint_eq(st_count_call(&T, T_RECONCILE), 1);
	ck_assert_str_eq(st_call(&T, T_RECONCILE, 0)->reconcile->tasks[0]->
	    task_id->value, tid);
	ck_assert_uint_eq(offer_agents(&T, 1, 1, 2, 1024), 0);
	/* the old task keeps its slot, nothing is killed */
	st_event(&T, st_ev_update(tid, S(RUNNING), "a1", "u", 100, -1));
	ck_assert_uint_eq(st_count_call(&T, T_KILL), 0);
	ck_assert_uint_eq(tasks_in(&T, "node", "TASK_RUNNING"), 2);
	st_tick(&T, 2000);
	ck_assert_uint_eq(offer_agents(&T, 0, 2, 2, 1024), 0);
	free(tid);
}
END_TEST

/* The same, but the task did not survive: the slot is refilled once. */
START_TEST(test_daemon_unreachable_gone)
{
	char *tid;
	struct admin_req *r;
	const char *body;
	size_t total = 0;

	st_init(&T, st_config(DAEMON,
	    "\"scheduling\": {\"unreachable_grace_s\": 10,"
	    " \"agents_refresh_s\": 5},"), NULL);
	st_subscribe(&T, "fw-1");
	st_agents_msg(&T, st_agents(0, 1));
	ck_assert_uint_eq(offer_agents(&T, 0, 1, 2, 1024), 1);
	ck_assert_uint_eq(run_launched(&T), 1);
	r = st_req(ADMIN_GET_TASKS, NULL);
	st_admin(&T, r, &body);
	{
		json_t *js = json_loads(body, 0, NULL);

		tid = xstrdup(json_string_value(json_object_get(json_array_get(
		    json_object_get(js, "tasks"), 0), "id")));
		json_decref(js);
	}
	st_event(&T, st_ev_update(tid, S(UNREACHABLE), "a0", NULL, 10, -1));
	/* the agent stays listed (partitioned): after the grace the slot
	 * waits for the old task's fate, asking the master */
	st_tick(&T, 11000);
	ck_assert_uint_eq(st_count_call(&T, T_RECONCILE), 1);
	for (int k = 0; k < 3; k++) {
		st_tick(&T, 2000);
		total += offer_agents(&T, 0, 1, 2, 1024);
	}
	ck_assert_uint_eq(total, 0);
	st_event(&T, st_ev_update(tid, S(GONE), "a0", NULL, 200,
	    MESOS__V1__TASK_STATUS__REASON__REASON_RECONCILIATION));
	for (int k = 0; k < 5; k++) {
		st_tick(&T, 2000);
		total += offer_agents(&T, 0, 1, 2, 1024);
		run_launched(&T);
	}
	ck_assert_uint_eq(total, 1);
	ck_assert_uint_eq(tasks_in(&T, "node", NULL), 1);
	free(tid);
}
END_TEST

static Suite *
sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_subscribe);
	tcase_add_test(tc, test_service_launch);
	tcase_add_test(tc, test_decline_batched_and_fit);
	tcase_add_test(tc, test_launch_burst_bounded);
	tcase_add_test(tc, test_update_ack_after_store);
	tcase_add_test(tc, test_clock_skew);
	tcase_add_loop_test(tc, test_every_state, 0,
	    (int)(sizeof state_table / sizeof state_table[0]));
	tcase_add_test(tc, test_restart_policies);
	tcase_add_test(tc, test_backoff_grows);
	tcase_add_test(tc, test_accept_failure);
	tcase_add_test(tc, test_accept_no_answer_reconciles);
	tcase_add_test(tc, test_launch_timeout_reconciles);
	tcase_add_test(tc, test_unreachable_grace_and_surplus);
	tcase_add_test(tc, test_unreachable_back_in_grace);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_fatal_session);
	tcase_add_test(tc, test_shutdown);
	tcase_add_test(tc, test_dry_run);
	tcase_add_test(tc, test_daemon_fifty_agents);
	tcase_add_test(tc, test_service_random_failures);
	tcase_add_test(tc, test_constraints);
	tcase_add_test(tc, test_ports_and_taskinfo);
	tcase_add_test(tc, test_multi_role);
	tcase_add_test(tc, test_inverse_offers_and_rescind);
	tcase_add_test(tc, test_revive_suppress_pacing);
	tcase_add_test(tc, test_revive_guard_backs_off);
	tcase_add_test(tc, test_disconnect_and_kill_later);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_rolling_restart);
	tcase_add_test(tc, test_offer_constraints_fallback);
	tcase_add_test(tc, test_scale_down_up);
	tcase_add_test(tc, test_daemon_unreachable_agent);
	tcase_add_test(tc, test_daemon_unreachable_gone);
	tcase_add_test(tc, test_slot_history);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sched_suite());
	int failed;

	log_init("check_sched", LOG_LEVEL_ERROR, LOG_FORMAT_PLAIN);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
