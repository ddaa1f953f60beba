/*
 * check_reconcile — the reconciliation state machine on its own (phases,
 * batches, truncated exponential backoff) and inside the core: after every
 * subscription, restarted by a new one, periodic and on demand, adoption or
 * killing of unknown tasks, and launch intents found after a restart that
 * are adopted or declared lost without ever doubling a daemon slot.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "lib/schedtest.h"
#include "log.h"
#include "reconcile.h"
#include "xmalloc.h"

#define T_ACCEPT	MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT
#define T_KILL		MESOS__V1__SCHEDULER__CALL__TYPE__KILL
#define T_RECONCILE	MESOS__V1__SCHEDULER__CALL__TYPE__RECONCILE
#define S(x)		MESOS__V1__TASK_STATE__TASK_##x
#define R_RECONCILIATION MESOS__V1__TASK_STATUS__REASON__REASON_RECONCILIATION

static struct st T;

static void
teardown(void)
{
	if (T.s != NULL)
		st_done(&T);
}

/* Tasks named in every RECONCILE call of fx; -1 if one is implicit. */
static long
reconciled(const struct effects *fx, size_t *calls)
{
	long n = 0;

	*calls = 0;
	for (size_t i = 0; i < fx->n; i++) {
		Mesos__V1__Scheduler__Call *c;

		if (fx->v[i].type != EFFECT_CALL)
			continue;
		c = fx->v[i].u.call.call;
		if (c->type != T_RECONCILE)
			continue;
		(*calls)++;
		if (c->reconcile->n_tasks == 0)
			return -1;
		n += (long)c->reconcile->n_tasks;
	}
	return n;
}

/* ---- the state machine alone ---- */

START_TEST(test_machine)
{
	struct config *cfg = st_config("[]", "\"reconciliation\": "
	    "{\"initial_s\": 1, \"factor\": 2, \"max_s\": 4, \"batch\": 2},");
	struct reconcile r;
	struct reconcile_item it[5];
	char names[5][8];
	struct effects fx;
	size_t calls;
	int64_t now = 1000, waits[] = { 2000, 4000, 4000 };

	effects_init(&fx);
	reconcile_init(&r, cfg);
	ck_assert_int_eq(r.phase, RECONCILE_IDLE);
	ck_assert_str_eq(reconcile_phase_name(RECONCILE_EXPLICIT), "explicit");
	ck_assert_int_eq(reconcile_deadline(&r), INT64_MAX);
	ck_assert(!reconcile_periodic_due(&r, now));
	reconcile_begin(&r, now, 5000, "test");
	for (int i = 0; i < 5; i++) {
		snprintf(names[i], sizeof names[i], "t%d", i);
		reconcile_item_init(&it[i], names[i], "a1");
		reconcile_add(&r, &it[i]);
	}
	reconcile_add(&r, &it[0]);	/* twice: once */
	ck_assert_uint_eq(r.outstanding, 5);
	reconcile_send(&r, "fw", now, &fx);
	/* batches of two: 2 + 2 + 1 */
	ck_assert_int_eq(reconciled(&fx, &calls), 5);
	ck_assert_uint_eq(calls, 3);
	ck_assert_int_eq(reconcile_deadline(&r), now + 1000);
	effects_clear(&fx);
	/* too early: nothing */
	reconcile_tick(&r, "fw", now + 999, &fx);
	ck_assert_uint_eq(fx.n, 0);
	/* truncated exponential backoff: 1 s, then 2, 4, 4 */
	for (int k = 0; k < 3; k++) {
		now = reconcile_deadline(&r);
		reconcile_tick(&r, "fw", now, &fx);
		ck_assert_int_eq(reconciled(&fx, &calls), 5);
		ck_assert_int_eq(reconcile_deadline(&r), now + waits[k]);
		effects_clear(&fx);
	}
	ck_assert_uint_eq(r.rounds, 4);
	/* answers: only the silent ones are asked again */
	for (int i = 0; i < 4; i++)
		reconcile_seen(&r, &it[i], "fw", now, &fx);
	ck_assert_uint_eq(fx.n, 0);
	ck_assert(reconcile_pending(&it[4]));
	ck_assert(!reconcile_pending(&it[0]));
	now = reconcile_deadline(&r);
	reconcile_tick(&r, "fw", now, &fx);
	ck_assert_int_eq(reconciled(&fx, &calls), 1);
	effects_clear(&fx);
	/* the last answer ends the explicit part: implicit RECONCILE */
	reconcile_seen(&r, &it[4], "fw", now + 500, &fx);
	ck_assert_int_eq(reconciled(&fx, &calls), -1);
	ck_assert_uint_eq(calls, 1);
	ck_assert_int_eq(r.phase, RECONCILE_IMPLICIT);
	ck_assert(r.done);
	ck_assert_int_eq(r.last_duration_ms, now + 500 - 1000);
	effects_clear(&fx);
	/* the implicit part ends after one initial wait */
	reconcile_tick(&r, "fw", reconcile_deadline(&r), &fx);
	ck_assert_int_eq(r.phase, RECONCILE_IDLE);
	ck_assert(!reconcile_periodic_due(&r, now + 1000));
	ck_assert(reconcile_periodic_due(&r, 1000 + 900 * 1000));
	/* a new run abandons the old one's leftovers; forget unlinks */
	reconcile_begin(&r, now, 0, "again");
	reconcile_add(&r, &it[1]);
	reconcile_add(&r, &it[2]);
	reconcile_forget(&r, &it[1]);
	ck_assert_uint_eq(r.outstanding, 1);
	reconcile_begin(&r, now, 0, "restart");
	ck_assert_uint_eq(r.outstanding, 0);
	ck_assert(!reconcile_pending(&it[2]));
	reconcile_send(&r, "fw", now, &fx);
	ck_assert_int_eq(reconciled(&fx, &calls), -1);
	reconcile_stop(&r, "disconnected");
	ck_assert_int_eq(r.phase, RECONCILE_IDLE);
	ck_assert(!r.done);
	effects_clear(&fx);
	config_free(cfg);
}
END_TEST

/* A round still being answered is not sent again until answers stop. */
START_TEST(test_answers_in_flight_postpone_retry)
{
	struct config *cfg = st_config("[]", "\"reconciliation\": "
	    "{\"initial_s\": 1, \"factor\": 2, \"max_s\": 8},");
	struct reconcile r;
	struct reconcile_item it[3];
	struct effects fx;
	size_t calls;
	int64_t now = 1000;

	effects_init(&fx);
	reconcile_init(&r, cfg);
	reconcile_begin(&r, now, 5000, "test");
	reconcile_item_init(&it[0], "t0", "a1");
	reconcile_item_init(&it[1], "t1", "a1");
	reconcile_item_init(&it[2], "t2", "a1");
	for (int i = 0; i < 3; i++)
		reconcile_add(&r, &it[i]);
	reconcile_send(&r, "fw", now, &fx);
	ck_assert_int_eq(reconciled(&fx, &calls), 3);
	effects_clear(&fx);
	/* an answer just before the deadline: the round is still being
	 * answered, so the deadline moves instead of a resend */
	reconcile_seen(&r, &it[0], "fw", now + 900, &fx);
	reconcile_tick(&r, "fw", now + 1000, &fx);
	ck_assert_uint_eq(fx.n, 0);
	ck_assert_int_eq(reconcile_deadline(&r), now + 1900);
	ck_assert_uint_eq(r.rounds, 1);
	/* quiet for one whole wait: the silent ones are asked again, and
	 * the wait grows as before */
	reconcile_tick(&r, "fw", now + 1900, &fx);
	ck_assert_int_eq(reconciled(&fx, &calls), 2);
	ck_assert_int_eq(reconcile_deadline(&r), now + 1900 + 2000);
	ck_assert_uint_eq(r.rounds, 2);
	effects_clear(&fx);
	/* an answer from before this round does not hold the next retry */
	reconcile_tick(&r, "fw", now + 3900, &fx);
	ck_assert_int_eq(reconciled(&fx, &calls), 2);
	effects_clear(&fx);
	config_free(cfg);
}
END_TEST

/* ---- inside the core ---- */

static const char *SERVICE = "[{\"id\": \"web\", \"kind\": \"service\","
    " \"instances\": 3, \"command\": \"x\","
    " \"resources\": {\"cpus\": 1, \"mem\": 10}}]";
static const char *DAEMON = "[{\"id\": \"node\", \"kind\": \"daemon\","
    " \"command\": \"x\", \"resources\": {\"cpus\": 1, \"mem\": 10}}]";
#define RECON "\"reconciliation\": {\"initial_s\": 1," \
    " \"factor\": 2, \"max_s\": 8, \"batch\": 2, \"interval_s\": 600," \
    " \"unknown_tasks\": \"%s\"},"

static struct config *
config_with(const char *jobs, const char *unknown)
{
	char *extra = xasprintf(RECON, unknown);
	struct config *c = st_config(jobs, extra);

	free(extra);
	return c;
}

/* A snapshot row (strings copied). */
static void
snap_task(struct store_snapshot *sn, const char *id, const char *job,
    const char *slot, const char *agent, int state)
{
	struct store_task *t;

	sn->tasks = xreallocarray(sn->tasks, sn->ntasks + 1, sizeof *sn->tasks);
	t = &sn->tasks[sn->ntasks++];
	memset(t, 0, sizeof *t);
	t->task_id = xstrdup(id);
	t->job = xstrdup(job);
	t->slot = xstrdup(slot);
	t->agent_id = xstrdup(agent);
	t->hostname = xstrdup("h");
	t->offer_id = xstrdup("o-old");
	t->state = state;
	t->job_hash = xstrdup("");
	t->launched_at = 1;
}

static int
ready(struct st *t)
{
	return st_admin(t, st_req(ADMIN_READYZ, NULL), NULL) == 200;
}

START_TEST(test_after_subscribe_backoff)
{
	struct store_snapshot sn;
	size_t calls;

	memset(&sn, 0, sizeof sn);
	sn.framework_id = xstrdup("fw-1");
	snap_task(&sn, "web.0.a", "web", "0", "a1", S(RUNNING));
	snap_task(&sn, "web.1.a", "web", "1", "a2", S(RUNNING));
	snap_task(&sn, "web.2.a", "web", "2", "a3", S(STAGING));
	st_init(&T, config_with(SERVICE, "kill"), &sn);
	store_snapshot_clear(&sn);
	ck_assert_str_eq(sched_framework_id(T.s), "fw-1");
	ck_assert(!ready(&T));
	st_subscribe(&T, "fw-1");
	/* three tasks, batches of two */
	ck_assert_int_eq(reconciled(&T.fx, &calls), 3);
	ck_assert_uint_eq(calls, 2);
	ck_assert(!ready(&T));
	/* slow agents: waits of 1, 2, 4, 8, 8 s */
	{
		int64_t waits[] = { 1000, 2000, 4000, 8000, 8000 };

		for (int k = 0; k < 5; k++) {
			st_tick(&T, waits[k] - 1);
			ck_assert_uint_eq(st_count_call(&T, T_RECONCILE), 0);
			st_tick(&T, 1);
			ck_assert_int_eq(reconciled(&T.fx, &calls), 3);
		}
	}
	/* answers arrive (reconciliation updates carry no uuid) */
	st_event(&T, st_ev_update("web.0.a", S(RUNNING), "a1", NULL, 5,
	    R_RECONCILIATION));
	ck_assert_uint_eq(st_count_call(&T, MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE), 0);
	st_event(&T, st_ev_update("web.2.a", S(RUNNING), "a3", NULL, 5,
	    R_RECONCILIATION));
	st_tick(&T, 8000);
	ck_assert_int_eq(reconciled(&T.fx, &calls), 1);
	/* the slow task is only slow: no replacement meanwhile */
	{
		Mesos__V1__Offer *o = st_offer("o1", "a9", "h9", 8, 1024, 0, 0);

		st_event(&T, st_ev_offers(&o, 1));
		ck_assert_uint_eq(st_launches(&T), 0);
	}
	st_event(&T, st_ev_update("web.1.a", S(RUNNING), "a2", NULL, 5,
	    R_RECONCILIATION));
	/* explicit done: the implicit one */
	ck_assert_int_eq(reconciled(&T.fx, &calls), -1);
	ck_assert(ready(&T));
	{
		const char *body;

		ck_assert_int_eq(st_admin(&T, st_req(ADMIN_GET_STATE, NULL),
		    &body), 200);
		ck_assert_ptr_nonnull(strstr(body, "\"state\":\"implicit\""));
		ck_assert_ptr_nonnull(strstr(body, "\"last_duration_ms\":31000"));
	}
	/* periodic: again after the interval */
	st_tick(&T, 1000);
	st_tick(&T, 600 * 1000);
	ck_assert_int_eq(reconciled(&T.fx, &calls), 3);
	/* a new subscription restarts it */
	st_event(&T, st_ev_subscribed("fw-1"));
	ck_assert_int_eq(reconciled(&T.fx, &calls), 3);
	/* on demand */
	st_event(&T, st_ev_update("web.0.a", S(RUNNING), "a1", NULL, 9, -1));
	st_event(&T, st_ev_update("web.1.a", S(RUNNING), "a2", NULL, 9, -1));
	st_event(&T, st_ev_update("web.2.a", S(RUNNING), "a3", NULL, 9, -1));
	ck_assert_int_eq(st_admin(&T, st_req(ADMIN_RECONCILE, NULL), NULL),
	    202);
	ck_assert_int_eq(reconciled(&T.fx, &calls), 3);
	/* disconnected: it stops; not ready */
	st_session(&T, 0);
	ck_assert(!ready(&T));
	st_tick(&T, 60000);
	ck_assert_uint_eq(st_count_call(&T, T_RECONCILE), 0);
	ck_assert_int_eq(st_admin(&T, st_req(ADMIN_RECONCILE, NULL), NULL),
	    503);
}
END_TEST

/* Unknown live tasks by policy. */
START_TEST(test_unknown_tasks)
{
	static const char *policies[] = { "kill", "adopt", "ignore" };
	const char *policy = policies[_i];
	size_t kills, puts;

	st_init(&T, config_with(SERVICE, policy), NULL);
	st_subscribe(&T, "fw-1");
	/* implicit answers for tasks ark does not know */
	st_event(&T, st_ev_update("web.1.zz", S(RUNNING), "a2", NULL, 5,
	    R_RECONCILIATION));
	kills = st_count_call(&T, T_KILL);
	puts = st_count_store(&T, STORE_TASK_PUT);
	if (_i == 0) {
		ck_assert_uint_eq(kills, 1);
		ck_assert_str_eq(st_call(&T, T_KILL, 0)->kill->task_id->value,
		    "web.1.zz");
		ck_assert_uint_eq(puts, 0);
	} else if (_i == 1) {
		ck_assert_uint_eq(kills, 0);
		ck_assert_uint_eq(puts, 1);
		ck_assert_str_eq(T.fx.v[st_store_index(&T, STORE_TASK_PUT, 0)].
		    u.store.u.task.slot, "1");
	} else {
		ck_assert_uint_eq(kills, 0);
		ck_assert_uint_eq(puts, 0);
	}
	/* a task of no job, or of a slot that does not exist */
	st_event(&T, st_ev_update("old.0.x", S(RUNNING), "a2", NULL, 5, -1));
	ck_assert_uint_eq(st_count_call(&T, T_KILL), _i == 2 ? 0 : 1);
	st_event(&T, st_ev_update("web.7.x", S(RUNNING), "a2", NULL, 5, -1));
	ck_assert_uint_eq(st_count_call(&T, T_KILL), _i == 2 ? 0 : 1);
	/* the adopted one holds its slot: only slots 0 and 2 launch */
	{
		Mesos__V1__Offer *o = st_offer("o1", "a1", "h1", 8, 1024, 0, 0);

		st_event(&T, st_ev_offers(&o, 1));
		ck_assert_uint_eq(st_launches(&T), _i == 1 ? 2 : 3);
	}
	/* a second copy for the same slot is killed under adopt */
	st_event(&T, st_ev_update("web.1.yy", S(RUNNING), "a5", NULL, 5, -1));
	ck_assert_uint_eq(st_count_call(&T, T_KILL), _i == 2 ? 0 : 1);
	/* terminal updates for unknown tasks need nothing */
	st_event(&T, st_ev_update("web.0.qq", S(FAILED), "a5", "u", 5, -1));
	ck_assert_uint_eq(st_count(&T, EFFECT_STORE), 0);
	ck_assert_uint_eq(st_count_call(&T, T_KILL), 0);
	{
		const char *body;

		st_admin(&T, st_req(ADMIN_GET_STATE, NULL), &body);
		ck_assert_ptr_nonnull(strstr(body, "\"unknown_tasks\":4"));
	}
}
END_TEST

/* kill -9 between ACCEPT and the first update: the intent is adopted. */
START_TEST(test_intent_adopted)
{
	struct store_snapshot sn;
	Mesos__V1__Offer *o;

	memset(&sn, 0, sizeof sn);
	sn.framework_id = xstrdup("fw-1");
	snap_task(&sn, "node.a1.x", "node", "a1", "a1", STORE_TASK_LAUNCHING);
	st_init(&T, config_with(DAEMON, "kill"), &sn);
	store_snapshot_clear(&sn);
	st_subscribe(&T, "fw-1");
	ck_assert_uint_eq(st_call(&T, T_RECONCILE, 0)->reconcile->n_tasks, 1);
	st_agents_msg(&T, st_agents(1, 1));
	o = st_offer("o1", "a1", "h1", 8, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 0);
	st_event(&T, st_ev_update("node.a1.x", S(RUNNING), "a1", NULL, 5,
	    R_RECONCILIATION));
	ck_assert_uint_eq(st_count_store(&T, STORE_TASK_PUT), 1);
	ck_assert_uint_eq(st_count_call(&T, T_KILL), 0);
	o = st_offer("o2", "a1", "h1", 8, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 0);
}
END_TEST

/* An intent the master forgot: declared lost, replaced exactly once. */
START_TEST(test_intent_lost)
{
	static const int answers[] = { S(UNKNOWN), S(LOST), S(DROPPED) };
	struct store_snapshot sn;
	Mesos__V1__Offer *o;
	size_t total = 0;

	memset(&sn, 0, sizeof sn);
	sn.framework_id = xstrdup("fw-1");
	snap_task(&sn, "node.a1.x", "node", "a1", "a1", STORE_TASK_LAUNCHING);
	st_init(&T, config_with(DAEMON, "adopt"), &sn);
	store_snapshot_clear(&sn);
	st_subscribe(&T, "fw-1");
	st_agents_msg(&T, st_agents(1, 1));
	/* no answer for a while: still no second task */
	for (int k = 0; k < 4; k++) {
		st_tick(&T, 8000);
		o = st_offer("o", "a1", "h1", 8, 1024, 0, 0);
		st_event(&T, st_ev_offers(&o, 1));
		ck_assert_uint_eq(st_launches(&T), 0);
	}
	st_event(&T, st_ev_update("node.a1.x", answers[_i], "a1", NULL, 50,
	    R_RECONCILIATION));
	ck_assert_uint_eq(st_count_store(&T, STORE_TASK_DEL), 1);
	/* a repeated answer changes nothing */
	st_event(&T, st_ev_update("node.a1.x", answers[_i], "a1", NULL, 51,
	    R_RECONCILIATION));
	ck_assert_uint_eq(st_count(&T, EFFECT_STORE), 0);
	for (int k = 0; k < 5; k++) {
		st_tick(&T, 3000);
		o = st_offer("o", "a1", "h1", 8, 1024, 0, 0);
		st_event(&T, st_ev_offers(&o, 1));
		total += st_launches(&T);
	}
	ck_assert_uint_eq(total, 1);
}
END_TEST

/* Two stored tasks in one daemon slot: one stays, the other is killed. */
START_TEST(test_two_in_daemon_slot)
{
	struct store_snapshot sn;

	memset(&sn, 0, sizeof sn);
	sn.framework_id = xstrdup("fw-1");
	snap_task(&sn, "node.a1.old", "node", "a1", "a1", S(RUNNING));
	snap_task(&sn, "node.a1.new", "node", "a1", "a1", STORE_TASK_LAUNCHING);
	sn.tasks[1].launched_at = 5;
	st_init(&T, config_with(DAEMON, "kill"), &sn);
	store_snapshot_clear(&sn);
	st_subscribe(&T, "fw-1");
	st_event(&T, st_ev_update("node.a1.new", S(RUNNING), "a1", NULL, 5,
	    R_RECONCILIATION));
	ck_assert_uint_eq(st_count_call(&T, T_KILL), 0);
	st_event(&T, st_ev_update("node.a1.old", S(RUNNING), "a1", NULL, 5,
	    R_RECONCILIATION));
	ck_assert_uint_eq(st_count_call(&T, T_KILL), 1);
	ck_assert_str_eq(st_call(&T, T_KILL, 0)->kill->task_id->value,
	    "node.a1.old");
}
END_TEST

/* A FrameworkID that changed: the stored tasks are not ours. */
START_TEST(test_framework_changed)
{
	struct store_snapshot sn;

	memset(&sn, 0, sizeof sn);
	sn.framework_id = xstrdup("fw-old");
	sn.framework_removed = 1;
	snap_task(&sn, "web.0.a", "web", "0", "a1", S(RUNNING));
	st_init(&T, config_with(SERVICE, "kill"), &sn);
	store_snapshot_clear(&sn);
	ck_assert_ptr_null(sched_framework_id(T.s));
	st_subscribe(&T, "fw-new");
	ck_assert_int_eq(T.fx.v[0].u.store.type, STORE_FRAMEWORK_ID);
	ck_assert_uint_eq(st_count_store(&T, STORE_TASK_DEL), 1);
	ck_assert_int_eq(reconciled(&T.fx, &(size_t){ 0 }), -1);
}
END_TEST

/* What the store held comes back: blacklist, runtime changes, slots. */
START_TEST(test_restore)
{
	struct store_snapshot sn;
	const char *body;
	Mesos__V1__Offer *o;

	memset(&sn, 0, sizeof sn);
	sn.framework_id = xstrdup("fw-1");
	sn.nkv = 1;
	sn.kv = xcalloc(1, sizeof *sn.kv);
	sn.kv[0].key = xstrdup("job/web/instances");
	sn.kv[0].value = xstrdup("5");
	sn.nblacklist = 1;
	sn.blacklist = xcalloc(1, sizeof *sn.blacklist);
	sn.blacklist[0].agent = xstrdup("h1");
	sn.blacklist[0].reason = xstrdup("disk");
	sn.blacklist[0].since = 7;
	sn.nslots = 2;
	sn.slots = xcalloc(2, sizeof *sn.slots);
	sn.slots[0].job = xstrdup("web");
	sn.slots[0].slot = xstrdup("3");
	sn.slots[0].restarts = 4;
	sn.slots[0].backoff_until = 1700000000000LL + 60000;
	sn.slots[1].job = xstrdup("web");
	sn.slots[1].slot = xstrdup("4");
	sn.slots[1].backoff_until = -1;
	st_init(&T, config_with(SERVICE, "kill"), &sn);
	store_snapshot_clear(&sn);
	ck_assert_int_eq(st_admin(&T, st_req(ADMIN_GET_BLACKLIST, NULL),
	    &body), 200);
	ck_assert_ptr_nonnull(strstr(body, "\"agent\":\"h1\""));
	ck_assert_int_eq(st_admin(&T, st_req(ADMIN_GET_JOB, "web"), &body),
	    200);
	ck_assert_ptr_nonnull(strstr(body, "\"instances\":5"));
	ck_assert_ptr_nonnull(strstr(body, "\"restarts\":4"));
	st_subscribe(&T, "fw-1");
	/* h1 is blacklisted; slot 3 backs off, slot 4 is done: 3 launch */
	o = st_offer("o1", "a1", "h1", 8, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 0);
	o = st_offer("o2", "a2", "h2", 8, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 3);
	st_tick(&T, 61000);
	o = st_offer("o3", "a2", "h2", 8, 1024, 0, 0);
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 1);
	ck_assert(strncmp(st_launch(&T, 0)->task_id->value, "web.3.", 6) == 0);
}
END_TEST

static Suite *
reconcile_suite(void)
{
	Suite *s = suite_create("reconcile");
	TCase *tc = tcase_create("machine"), *tc2 = tcase_create("core");

	tcase_add_test(tc, test_machine);
	tcase_add_test(tc, test_answers_in_flight_postpone_retry);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tc2, NULL, teardown);
	tcase_add_test(tc2, test_after_subscribe_backoff);
	tcase_add_loop_test(tc2, test_unknown_tasks, 0, 3);
	tcase_add_test(tc2, test_intent_adopted);
	tcase_add_loop_test(tc2, test_intent_lost, 0, 3);
	tcase_add_test(tc2, test_two_in_daemon_slot);
	tcase_add_test(tc2, test_framework_changed);
	tcase_add_test(tc2, test_restore);
	suite_add_tcase(s, tc2);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(reconcile_suite());
	int failed;

	log_init("check_reconcile", LOG_LEVEL_ERROR, LOG_FORMAT_PLAIN);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
