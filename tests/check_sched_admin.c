/*
 * check_sched_admin — the core's answers to operator requests, in the
 * shapes docs/admin-api.md defines: state, jobs, job detail with slots and
 * daemon coverage (every status), tasks with filters, agents, blacklist,
 * reconcile, rolling restart, PATCH (instances, suspension, persisted as kv
 * rows), kill, readyz, metrics and teardown, and the errors of each.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lib/schedtest.h"
#include "log.h"
#include "xmalloc.h"

#define T_KILL		MESOS__V1__SCHEDULER__CALL__TYPE__KILL
#define T_TEARDOWN	MESOS__V1__SCHEDULER__CALL__TYPE__TEARDOWN
#define S(x)		MESOS__V1__TASK_STATE__TASK_##x

static struct st T;

static void
teardown(void)
{
	if (T.s != NULL)
		st_done(&T);
}

static const char *JOBS = "[{\"id\": \"node\", \"kind\": \"daemon\","
    " \"command\": \"x\", \"resources\": {\"cpus\": 2, \"mem\": 10},"
    " \"constraints\": [[\"rack\", \"UNLIKE\", \"r2\"]]},"
    " {\"id\": \"web\", \"kind\": \"service\", \"instances\": 2,"
    " \"command\": \"y\", \"resources\": {\"cpus\": 0.1, \"mem\": 1}}]";

/* Sends request r; returns the parsed body and sets *status. */
static json_t *
ask(struct admin_req *r, int *status)
{
	const char *body;
	json_t *o;

	*status = st_admin(&T, r, &body);
	ck_assert_ptr_nonnull(body);
	o = json_loads(body, 0, NULL);
	ck_assert_msg(o != NULL, "not JSON: %s", body);
	return o;
}

static void
has_keys(json_t *o, const char *const *keys)
{
	for (; *keys != NULL; keys++)
		ck_assert_msg(json_object_get(o, *keys) != NULL,
		    "missing key %s", *keys);
}

static void
expect_error(struct admin_req *r, int want)
{
	int status;
	json_t *o = ask(r, &status);

	ck_assert_int_eq(status, want);
	ck_assert(json_is_string(json_object_get(o, "error")));
	json_decref(o);
}

/* Task id of the first task on agent (caller frees). */
static char *
task_on(const char *agent)
{
	struct admin_req *r = st_req(ADMIN_GET_TASKS, NULL);
	int status;
	json_t *o, *t;
	char *id;

	r->agent = xstrdup(agent);
	o = ask(r, &status);
	t = json_array_get(json_object_get(o, "tasks"), 0);
	ck_assert_ptr_nonnull(t);
	id = xstrdup(json_string_value(json_object_get(t, "id")));
	json_decref(o);
	return id;
}

static void
offer(const char *id, const char *agent, const char *host, double cpus)
{
	Mesos__V1__Offer *o = st_offer(id, agent, host, cpus, 1024, 0, 0);

	st_event(&T, st_ev_offers(&o, 1));
}

START_TEST(test_state_and_jobs)
{
	static const char *state_keys[] = { "framework_id", "leader",
	    "session", "counts", "reconciliation", "config_version",
	    "dry_run", "version", NULL };
	static const char *rec_keys[] = { "state", "rounds", "outstanding",
	    "started_at", "last_duration_ms", "last_completed_at", "completed",
	    "unknown_tasks", NULL };
	static const char *count_keys[] = { "jobs", "tasks", "agents",
	    "offers", "blacklist", NULL };
	static const char *job_keys[] = { "id", "kind", "instances",
	    "running", "pending", "suspended", "hash", NULL };
	int status;
	json_t *o, *j;

	st_init(&T, st_config(JOBS, NULL), NULL);
	o = ask(st_req(ADMIN_GET_STATE, NULL), &status);
	ck_assert_int_eq(status, 200);
	has_keys(o, state_keys);
	ck_assert(json_is_null(json_object_get(o, "framework_id")));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o,
	    "session"), "state")), "disconnected");
	json_decref(o);
	st_subscribe(&T, "fw-1");
	o = ask(st_req(ADMIN_GET_STATE, NULL), &status);
	has_keys(json_object_get(o, "reconciliation"), rec_keys);
	has_keys(json_object_get(o, "counts"), count_keys);
	ck_assert_str_eq(json_string_value(json_object_get(o, "framework_id")),
	    "fw-1");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o,
	    "session"), "state")), "subscribed");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o,
	    "session"), "stream_id")), "stream-1");
	ck_assert_str_eq(json_string_value(json_object_get(o, "leader")),
	    "127.0.0.1:5050");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o,
	    "counts"), "jobs")), 2);
	json_decref(o);
	o = ask(st_req(ADMIN_GET_JOBS, NULL), &status);
	ck_assert_int_eq(status, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(o, "jobs")), 2);
	j = json_array_get(json_object_get(o, "jobs"), 1);
	has_keys(j, job_keys);
	ck_assert_str_eq(json_string_value(json_object_get(j, "kind")),
	    "service");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "instances")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "pending")), 2);
	json_decref(o);
	o = ask(st_req(ADMIN_GET_JOB, "web"), &status);
	ck_assert_int_eq(status, 200);
	has_keys(o, job_keys);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o,
	    "spec"), "command")), "y");
	{
		static const char *slot_keys[] = { "slot", "task_id", "state",
		    "agent_id", "hostname", "restarts", "backoff_until",
		    "reason", NULL };
		json_t *sl = json_array_get(json_object_get(o, "slots"), 0);

		has_keys(sl, slot_keys);
		ck_assert_str_eq(json_string_value(json_object_get(sl, "slot")),
		    "0");
		ck_assert_str_eq(json_string_value(json_object_get(sl, "state")),
		    "pending");
	}
	ck_assert_ptr_null(json_object_get(o, "coverage"));
	json_decref(o);
	expect_error(st_req(ADMIN_GET_JOB, "nope"), 404);
	expect_error(st_req(ADMIN_RELOAD, NULL), 500);
}
END_TEST

/* Member key of member obj of o. */
static json_t *
sub(json_t *o, const char *obj, const char *key)
{
	return json_object_get(json_object_get(o, obj), key);
}

/*
 * While no master answers, the state names the last connection error,
 * when it came and since when attempts fail; the reconciliation shows no
 * duration before a run finished.
 */
START_TEST(test_state_connection_error)
{
	int status;
	int64_t first;
	json_t *o;

	st_init(&T, st_config(JOBS, NULL), NULL);
	o = ask(st_req(ADMIN_GET_STATE, NULL), &status);
	ck_assert(json_is_null(sub(o, "session", "last_error")));
	ck_assert(json_is_null(sub(o, "session", "last_error_at")));
	ck_assert(json_is_null(sub(o, "session", "failing_since")));
	ck_assert(json_is_null(sub(o, "reconciliation", "last_duration_ms")));
	ck_assert(json_is_null(sub(o, "reconciliation", "last_completed_at")));
	ck_assert_int_eq(json_integer_value(sub(o, "reconciliation",
	    "completed")), 0);
	json_decref(o);

	first = T.wall;
	st_session_failed(&T, "connection refused by 127.0.0.1:5050");
	st_tick(&T, 3000);
	st_session_failed(&T, "no SUBSCRIBED within 5.0s");
	o = ask(st_req(ADMIN_GET_STATE, NULL), &status);
	ck_assert_str_eq(json_string_value(sub(o, "session", "state")),
	    "disconnected");
	ck_assert_int_eq(json_integer_value(sub(o, "session", "since")),
	    first);
	ck_assert_str_eq(json_string_value(sub(o, "session", "last_error")),
	    "no SUBSCRIBED within 5.0s");
	ck_assert_int_eq(json_integer_value(sub(o, "session",
	    "last_error_at")), T.wall);
	ck_assert_int_eq(json_integer_value(sub(o, "session",
	    "failing_since")), first);
	ck_assert_int_eq(json_integer_value(sub(o, "session",
	    "failed_attempts")), 2);
	json_decref(o);

	/* a session change that is no error leaves the error alone */
	st_session_state(&T, SESSION_DISCONNECTED);
	o = ask(st_req(ADMIN_GET_STATE, NULL), &status);
	ck_assert_int_eq(json_integer_value(sub(o, "session",
	    "failed_attempts")), 2);
	json_decref(o);

	/* subscribed: the streak ends, the last error stays for history;
	 * the reconciliation (no task: over at once) now has a duration */
	st_tick(&T, 1000);
	st_subscribe(&T, "fw-1");
	o = ask(st_req(ADMIN_GET_STATE, NULL), &status);
	ck_assert_str_eq(json_string_value(sub(o, "session", "last_error")),
	    "no SUBSCRIBED within 5.0s");
	ck_assert(json_is_null(sub(o, "session", "failing_since")));
	ck_assert_int_eq(json_integer_value(sub(o, "session",
	    "failed_attempts")), 0);
	ck_assert(json_is_integer(sub(o, "reconciliation",
	    "last_duration_ms")));
	ck_assert_int_eq(json_integer_value(sub(o, "reconciliation",
	    "last_completed_at")), T.wall);
	ck_assert_int_eq(json_integer_value(sub(o, "reconciliation",
	    "completed")), 1);
	json_decref(o);
}
END_TEST

/* Task id of the first task of job (caller frees). */
static char *
task_of(const char *job)
{
	struct admin_req *r = st_req(ADMIN_GET_TASKS, NULL);
	int status;
	json_t *o, *t;
	char *id;

	r->job = xstrdup(job);
	o = ask(r, &status);
	t = json_array_get(json_object_get(o, "tasks"), 0);
	ck_assert_ptr_nonnull(t);
	id = xstrdup(json_string_value(json_object_get(t, "id")));
	json_decref(o);
	return id;
}

/* An UPDATE of task on a1 in state, with health (-1: none), reason. */
static void
update_health(const char *task, int state, int healthy, int reason)
{
	Mesos__V1__Scheduler__Event *e = st_ev_update(task, state, "a1", NULL,
	    0, reason);

	if (healthy >= 0) {
		e->update->status->has_healthy = 1;
		e->update->status->healthy = healthy;
	}
	st_event(&T, e);
}

/* The value of a series in the /metrics answer (-1 if it is not there). */
static double
scraped(const char *series)
{
	const char *body, *p;
	size_t n = strlen(series);

	ck_assert_int_eq(st_admin(&T, st_req(ADMIN_METRICS, NULL), &body), 200);
	for (p = body; (p = strstr(p, series)) != NULL; p += n)
		if ((p == body || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

/*
 * Per job: launches, restarts, failures by final state and reason (a kill
 * ark asked for and TASK_FINISHED are no failures) and health changes.
 */
START_TEST(test_job_metrics)
{
	char *t1, *t2;

	st_init(&T, st_config(JOBS, NULL), NULL);
	st_subscribe(&T, "fw-1");
	offer("o1", "a1", "h1", 4);
	ck_assert(scraped("ark_tasks_launched_total{job=\"web\"}") == 2);
	ck_assert(scraped("ark_task_restarts_total{job=\"web\"}") == 0);
	ck_assert(scraped("ark_tasks_launched_total") == -1);	/* by job only */
	t1 = task_of("web");
	update_health(t1, S(RUNNING), -1, -1);
	update_health(t1, S(RUNNING), 1, -1);
	update_health(t1, S(RUNNING), 1, -1);	/* no change */
	update_health(t1, S(RUNNING), 0, -1);
	update_health(t1, S(RUNNING), 1, -1);
	ck_assert(scraped("ark_task_health_changes_total{job=\"web\","
	    "health=\"healthy\"}") == 2);
	ck_assert(scraped("ark_task_health_changes_total{job=\"web\","
	    "health=\"unhealthy\"}") == 1);
	update_health(t1, S(FAILED), -1,
	    MESOS__V1__TASK_STATUS__REASON__REASON_COMMAND_EXECUTOR_FAILED);
	ck_assert(scraped("ark_task_failures_total{job=\"web\",state="
	    "\"TASK_FAILED\",reason=\"REASON_COMMAND_EXECUTOR_FAILED\"}") == 1);
	ck_assert(scraped("ark_task_restarts_total{job=\"web\"}") == 1);
	/* the other one: killed by the operator, then one ends well */
	t2 = task_of("web");
	if (strcmp(t2, t1) == 0) {
		struct admin_req *r = st_req(ADMIN_GET_TASKS, NULL);
		int status;
		json_t *o;

		r->job = xstrdup("web");
		o = ask(r, &status);
		free(t2);
		t2 = xstrdup(json_string_value(json_object_get(json_array_get(
		    json_object_get(o, "tasks"), 1), "id")));
		json_decref(o);
	}
	json_decref(ask(st_req(ADMIN_KILL_TASK, t2), &(int){ 0 }));
	update_health(t2, S(KILLED), -1, -1);
	ck_assert(scraped("ark_task_failures_total{job=\"web\",state="
	    "\"TASK_KILLED\",reason=\"none\"}") == -1);
	/* a task that dies without a reason is counted with reason none */
	offer("o2", "a1", "h1", 4);
	free(t1);
	t1 = task_of("web");
	update_health(t1, S(LOST), -1, -1);
	ck_assert(scraped("ark_task_failures_total{job=\"web\",state="
	    "\"TASK_LOST\",reason=\"none\"}") == 1);
	ck_assert(scraped("ark_tasks_launched_total{job=\"web\"}") >= 3);
	free(t1);
	free(t2);
}
END_TEST

START_TEST(test_coverage)
{
	static const char *want[] = { "running", "launching", "never_offered",
	    "too_small", "blacklisted", "constraint", "draining", "backing_off",
	    "unreachable" };
	Mesos__V1__Master__Response__GetAgents *g;
	Mesos__V1__Offer *o;
	struct admin_req *r;
	int status;
	json_t *js, *cov;
	char *tid;

	st_init(&T, st_config(JOBS, NULL), NULL);
	st_subscribe(&T, "fw-1");
	g = st_agents(0, 9);
	g->agents[8]->active = 0;
	st_agents_msg(&T, g);
	offer("o0", "a0", "h0", 4);
	offer("o1", "a1", "h1", 4);
	tid = task_on("a0");
	st_event(&T, st_ev_update(tid, S(RUNNING), "a0", "u", 1, -1));
	free(tid);
	offer("o3", "a3", "h3", 1);
	r = st_req(ADMIN_PUT_BLACKLIST, "a4");
	ck_assert_int_eq(st_admin(&T, r, NULL), 200);
	o = st_offer("o5", "a5", "h5", 4, 1024, 0, 0);
	st_offer_attr(o, "rack", "r2");
	st_event(&T, st_ev_offers(&o, 1));
	ck_assert_uint_eq(st_launches(&T), 0);
	st_event(&T, st_ev_inverse("io6", "a6"));
	offer("o7", "a7", "h7", 4);
	tid = task_on("a7");
	st_event(&T, st_ev_update(tid, S(FAILED), "a7", "u", 1, -1));
	free(tid);
	js = ask(st_req(ADMIN_GET_JOB, "node"), &status);
	ck_assert_int_eq(status, 200);
	cov = json_object_get(js, "coverage");
	ck_assert_uint_eq(json_array_size(cov), 9);
	for (size_t i = 0; i < 9; i++) {
		json_t *e = json_array_get(cov, i);
		char ag[8];

		snprintf(ag, sizeof ag, "a%zu", i);
		ck_assert_str_eq(json_string_value(json_object_get(e,
		    "agent_id")), ag);
		ck_assert_msg(strcmp(json_string_value(json_object_get(e,
		    "status")), want[i]) == 0, "a%zu: %s, want %s", i,
		    json_string_value(json_object_get(e, "status")), want[i]);
		if (i > 1)	/* running and launching need no reason */
			ck_assert(json_is_string(json_object_get(e, "reason")));
	}
	json_decref(js);
	/* agents */
	js = ask(st_req(ADMIN_GET_AGENTS, NULL), &status);
	ck_assert_int_eq(status, 200);
	{
		static const char *agent_keys[] = { "id", "hostname",
		    "attributes", "resources", "blacklisted", "draining",
		    "tasks", NULL };
		json_t *arr = json_object_get(js, "agents");

		ck_assert_uint_eq(json_array_size(arr), 9);
		has_keys(json_array_get(arr, 0), agent_keys);
		ck_assert(json_is_true(json_object_get(json_array_get(arr, 4),
		    "blacklisted")));
		ck_assert(json_is_true(json_object_get(json_array_get(arr, 6),
		    "draining")));
		ck_assert_str_eq(json_string_value(json_object_get(
		    json_object_get(json_array_get(arr, 5), "attributes"),
		    "rack")), "r2");
		ck_assert_int_eq(json_integer_value(json_object_get(
		    json_array_get(arr, 0), "tasks")), 3);
	}
	json_decref(js);
}
END_TEST

START_TEST(test_tasks_and_kill)
{
	static const char *task_keys[] = { "id", "job", "slot", "agent_id",
	    "hostname", "state", "launched_at", "updated_at", "healthy",
	    "message", NULL };
	struct admin_req *r;
	int status;
	json_t *js, *arr;
	char *tid;

	st_init(&T, st_config(JOBS, NULL), NULL);
	st_subscribe(&T, "fw-1");
	offer("o1", "a1", "h1", 4);	/* node + 2 web */
	r = st_req(ADMIN_GET_TASKS, NULL);
	js = ask(r, &status);
	arr = json_object_get(js, "tasks");
	ck_assert_uint_eq(json_array_size(arr), 3);
	has_keys(json_array_get(arr, 0), task_keys);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(arr,
	    0), "state")), "LAUNCHING");
	ck_assert(json_is_null(json_object_get(json_array_get(arr, 0),
	    "healthy")));
	json_decref(js);
	r = st_req(ADMIN_GET_TASKS, NULL);
	r->job = xstrdup("web");
	js = ask(r, &status);
	ck_assert_uint_eq(json_array_size(json_object_get(js, "tasks")), 2);
	json_decref(js);
	r = st_req(ADMIN_GET_TASKS, NULL);
	r->agent = xstrdup("h1");
	r->state = xstrdup("TASK_RUNNING");
	js = ask(r, &status);
	ck_assert_uint_eq(json_array_size(json_object_get(js, "tasks")), 0);
	json_decref(js);
	r = st_req(ADMIN_GET_TASKS, NULL);
	r->job = xstrdup("nope");
	expect_error(r, 404);
	r = st_req(ADMIN_GET_TASKS, NULL);
	r->state = xstrdup("RUNNING");
	expect_error(r, 400);
	/* kill */
	tid = task_on("a1");
	js = ask(st_req(ADMIN_KILL_TASK, tid), &status);
	ck_assert_int_eq(status, 202);
	ck_assert_str_eq(json_string_value(json_object_get(js, "kill")), "sent");
	ck_assert_uint_eq(st_count_call(&T, T_KILL), 1);
	json_decref(js);
	free(tid);
	expect_error(st_req(ADMIN_KILL_TASK, "nope"), 404);
}
END_TEST

START_TEST(test_blacklist_ops)
{
	struct admin_req *r;
	int status;
	json_t *js;

	st_init(&T, st_config(JOBS, NULL), NULL);
	js = ask(st_req(ADMIN_GET_BLACKLIST, NULL), &status);
	ck_assert_uint_eq(json_array_size(json_object_get(js, "blacklist")), 0);
	json_decref(js);
	r = st_req(ADMIN_PUT_BLACKLIST, "h9");
	r->reason = xstrdup("maintenance");
	js = ask(r, &status);
	ck_assert_int_eq(status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(js, "agent")), "h9");
	ck_assert_str_eq(json_string_value(json_object_get(js, "reason")),
	    "maintenance");
	ck_assert_int_eq(json_integer_value(json_object_get(js, "since")),
	    T.wall);
	/* no agent of that name: stored all the same, with a warning */
	ck_assert(json_is_false(json_object_get(js, "known")));
	ck_assert_msg(strstr(json_string_value(json_object_get(js, "warning")),
	    "no agent the master reports has id or hostname 'h9'") != NULL,
	    "%s", json_string_value(json_object_get(js, "warning")));
	json_decref(js);
	ck_assert_uint_eq(st_count_store(&T, STORE_BLACKLIST_PUT), 1);
	/* agents the master lists, by id and by hostname: no warning */
	st_agents_msg(&T, st_agents(0, 2));
	js = ask(st_req(ADMIN_PUT_BLACKLIST, "a1"), &status);
	ck_assert_int_eq(status, 200);
	ck_assert(json_is_true(json_object_get(js, "known")));
	ck_assert_ptr_null(json_object_get(js, "warning"));
	json_decref(js);
	js = ask(st_req(ADMIN_PUT_BLACKLIST, "h0"), &status);
	ck_assert(json_is_true(json_object_get(js, "known")));
	json_decref(js);
	ck_assert_uint_eq(st_count_store(&T, STORE_BLACKLIST_PUT), 1);
	json_decref(ask(st_req(ADMIN_DEL_BLACKLIST, "a1"), &status));
	json_decref(ask(st_req(ADMIN_DEL_BLACKLIST, "h0"), &status));
	js = ask(st_req(ADMIN_GET_BLACKLIST, NULL), &status);
	ck_assert_uint_eq(json_array_size(json_object_get(js, "blacklist")), 1);
	json_decref(js);
	js = ask(st_req(ADMIN_DEL_BLACKLIST, "h9"), &status);
	ck_assert_int_eq(status, 200);
	json_decref(js);
	ck_assert_uint_eq(st_count_store(&T, STORE_BLACKLIST_DEL), 1);
	expect_error(st_req(ADMIN_DEL_BLACKLIST, "h9"), 404);
	expect_error(st_req(ADMIN_PUT_BLACKLIST, ""), 400);
}
END_TEST

START_TEST(test_patch)
{
	struct admin_req *r;
	int status;
	json_t *js;
	long kv;

	st_init(&T, st_config(JOBS, NULL), NULL);
	st_subscribe(&T, "fw-1");
	offer("o1", "a1", "h1", 4);
	r = st_req(ADMIN_PATCH_JOB, "web");
	r->instances = 4;
	js = ask(r, &status);
	ck_assert_int_eq(status, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(js, "instances")), 4);
	ck_assert_uint_eq(json_array_size(json_object_get(js, "slots")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(js,
	    "spec"), "instances")), 4);
	json_decref(js);
	kv = st_store_index(&T, STORE_KV_PUT, 0);
	ck_assert_int_ge(kv, 0);
	ck_assert_str_eq(T.fx.v[kv].u.store.u.kv.key, "job/web/instances");
	ck_assert_str_eq(T.fx.v[kv].u.store.u.kv.value, "4");
	/* down to one: the tasks of slots 1..3 are killed (two launched) */
	r = st_req(ADMIN_PATCH_JOB, "web");
	r->instances = 1;
	js = ask(r, &status);
	ck_assert_int_eq(status, 200);
	json_decref(js);
	ck_assert_uint_eq(st_count_call(&T, T_KILL), 1);
	/* suspend: every task killed, persisted */
	r = st_req(ADMIN_PATCH_JOB, "web");
	r->suspended = 1;
	js = ask(r, &status);
	ck_assert(json_is_true(json_object_get(js, "suspended")));
	json_decref(js);
	ck_assert_uint_eq(st_count_call(&T, T_KILL), 1);
	kv = st_store_index(&T, STORE_KV_PUT, 0);
	ck_assert_str_eq(T.fx.v[kv].u.store.u.kv.key, "job/web/suspended");
	ck_assert_str_eq(T.fx.v[kv].u.store.u.kv.value, "true");
	r = st_req(ADMIN_PATCH_JOB, "node");
	r->instances = 3;
	expect_error(r, 400);
	r = st_req(ADMIN_PATCH_JOB, "nope");
	r->suspended = 0;
	expect_error(r, 404);
}
END_TEST

/* The job summary of id in GET /v1/jobs (new reference). */
static json_t *
summary_of(const char *id)
{
	int status;
	json_t *o = ask(st_req(ADMIN_GET_JOBS, NULL), &status), *j, *found =
	    NULL;
	size_t i;

	json_array_foreach(json_object_get(o, "jobs"), i, j)
		if (strcmp(json_string_value(json_object_get(j, "id")), id) == 0)
			found = json_incref(j);
	json_decref(o);
	ck_assert_ptr_nonnull(found);
	return found;
}

/*
 * Runtime changes that differ from the file show as overrides (file and
 * runtime value) in the summary and the detail; a suspended job's empty
 * slots say suspended, not pending, and count as no pending.
 */
START_TEST(test_overrides_visible)
{
	struct admin_req *r;
	int status;
	json_t *js, *ov, *sl;
	size_t i;

	st_init(&T, st_config(JOBS, NULL), NULL);
	st_subscribe(&T, "fw-1");
	st_agents_msg(&T, st_agents(1, 1));
	js = summary_of("web");
	ck_assert_uint_eq(json_object_size(json_object_get(js, "overrides")),
	    0);
	json_decref(js);
	r = st_req(ADMIN_PATCH_JOB, "web");
	r->instances = 3;
	json_decref(ask(r, &status));
	js = summary_of("web");
	ov = json_object_get(json_object_get(js, "overrides"), "instances");
	ck_assert_int_eq(json_integer_value(json_object_get(ov, "file")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(ov, "runtime")), 3);
	ck_assert_ptr_null(json_object_get(json_object_get(js, "overrides"),
	    "suspended"));
	ck_assert_int_eq(json_integer_value(json_object_get(js, "pending")), 3);
	json_decref(js);

	/* suspended: marked, nothing pending, the slots say so */
	r = st_req(ADMIN_PATCH_JOB, "web");
	r->suspended = 1;
	json_decref(ask(r, &status));
	r = st_req(ADMIN_PATCH_JOB, "node");
	r->suspended = 1;
	json_decref(ask(r, &status));
	js = summary_of("web");
	ov = json_object_get(json_object_get(js, "overrides"), "suspended");
	ck_assert(json_is_false(json_object_get(ov, "file")));
	ck_assert(json_is_true(json_object_get(ov, "runtime")));
	ck_assert_int_eq(json_integer_value(json_object_get(js, "pending")), 0);
	json_decref(js);
	js = ask(st_req(ADMIN_GET_JOB, "web"), &status);
	ck_assert(json_is_object(json_object_get(json_object_get(js,
	    "overrides"), "instances")));
	ck_assert_uint_eq(json_array_size(json_object_get(js, "slots")), 3);
	json_array_foreach(json_object_get(js, "slots"), i, sl) {
		ck_assert_str_eq(json_string_value(json_object_get(sl, "state")),
		    "suspended");
		ck_assert_str_eq(json_string_value(json_object_get(sl,
		    "reason")), "the job is suspended");
	}
	json_decref(js);
	js = ask(st_req(ADMIN_GET_JOB, "node"), &status);
	sl = json_array_get(json_object_get(js, "coverage"), 0);
	ck_assert_ptr_nonnull(sl);
	ck_assert_str_eq(json_string_value(json_object_get(sl, "status")),
	    "suspended");
	json_decref(js);

	/* back to what the file says: no override left */
	r = st_req(ADMIN_PATCH_JOB, "web");
	r->suspended = 0;
	r->instances = 2;
	json_decref(ask(r, &status));
	js = summary_of("web");
	ck_assert_uint_eq(json_object_size(json_object_get(js, "overrides")),
	    0);
	ck_assert_int_eq(json_integer_value(json_object_get(js, "pending")), 2);
	json_decref(js);
}
END_TEST

START_TEST(test_readyz_metrics_teardown)
{
	int status;
	json_t *js;
	const char *body;
	size_t i;

	st_init(&T, st_config(JOBS, NULL), NULL);
	js = ask(st_req(ADMIN_READYZ, NULL), &status);
	ck_assert_int_eq(status, 503);
	ck_assert(json_is_false(json_object_get(js, "ready")));
	ck_assert_str_eq(json_string_value(json_object_get(js, "reason")),
	    "not subscribed");
	json_decref(js);
	expect_error(st_req(ADMIN_TEARDOWN, NULL), 503);
	st_subscribe(&T, "fw-1");
	js = ask(st_req(ADMIN_READYZ, NULL), &status);
	ck_assert_int_eq(status, 200);
	ck_assert(json_is_true(json_object_get(js, "ready")));
	json_decref(js);
	offer("o1", "a1", "h1", 4);
	ck_assert_int_eq(st_admin(&T, st_req(ADMIN_METRICS, NULL), &body), 200);
	ck_assert_ptr_nonnull(strstr(body, "ark_tasks{job=\"web\",state="
	    "\"LAUNCHING\"} 2"));
	ck_assert_ptr_nonnull(strstr(body, "ark_offers_received_total 1"));
	for (i = 0; i < T.fx.n; i++)
		if (T.fx.v[i].type == EFFECT_REPLY)
			ck_assert_str_eq(T.fx.v[i].u.reply.content_type,
			    "text/plain; version=0.0.4");
	js = ask(st_req(ADMIN_TEARDOWN, NULL), &status);
	ck_assert_int_eq(status, 202);
	json_decref(js);
	ck_assert_uint_eq(st_count_call(&T, T_TEARDOWN), 1);
	ck_assert_uint_eq(st_count(&T, EFFECT_EXIT), 1);
	ck_assert_int_eq(T.fx.v[T.fx.n - 1].u.exit.code, 0);
	js = ask(st_req(ADMIN_RESTART_JOB, "web"), &status);
	ck_assert_int_eq(status, 202);
	ck_assert_str_eq(json_string_value(json_object_get(js, "restart")),
	    "rolling");
	json_decref(js);
	js = ask(st_req(ADMIN_RECONCILE, NULL), &status);
	ck_assert_int_eq(status, 202);
	ck_assert(json_is_object(json_object_get(js, "reconciliation")));
	json_decref(js);
}
END_TEST

static Suite *
admin_suite(void)
{
	Suite *s = suite_create("sched_admin");
	TCase *tc = tcase_create("admin");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_state_and_jobs);
	tcase_add_test(tc, test_state_connection_error);
	tcase_add_test(tc, test_job_metrics);
	tcase_add_test(tc, test_overrides_visible);
	tcase_add_test(tc, test_coverage);
	tcase_add_test(tc, test_tasks_and_kill);
	tcase_add_test(tc, test_blacklist_ops);
	tcase_add_test(tc, test_patch);
	tcase_add_test(tc, test_readyz_metrics_teardown);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(admin_suite());
	int failed;

	log_init("check_sched_admin", LOG_LEVEL_ERROR, LOG_FORMAT_PLAIN);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
