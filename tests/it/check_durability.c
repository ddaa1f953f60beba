/*
 * check_durability — arkd's durability end to end, the real arkd against
 * ark-sim: the FrameworkID survives kill -9 (also right after the first
 * SUBSCRIBED) and the tasks are never killed; kill -9 at seeded random
 * points through launches and status storms never doubles a daemon slot,
 * never loses a task, keeps the FrameworkID, and every update ark-sim
 * counts as acknowledged is in the killed arkd's store; corrupt,
 * truncated and future-schema stores are refused untouched, and a second
 * arkd on a state directory is refused; a recording replays the launches,
 * the same way twice; --dry-run launches nothing; SIGTERM leaves the tasks
 * running for the next arkd to adopt. Asserted on ark-sim's /state and
 * /counters, arkd's admin API and the store file itself (read-only).
 * ARK_TEST_SEED replays the random kill points and faults.
 */
#include <check.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "mesos/v1/mesos.pb-c.h"

#include "../lib/testutil.h"
#include "xmalloc.h"

#define WAIT_MS		60000
#define ITERATIONS	20
#define STORM_AGENTS	20

static unsigned long long seed, rng;
static char *dir;
static int master_port, control_port, admin_port;
static pid_t arkd_pid;
static char sim_log[512], arkd_log[512], cfg_path[512], state_dir[512];
static char admin_file[512], db_path[600];

/* ---- processes ---- */

/* Starts ark-sim with agents and extra flags (NULL-terminated). */
static void
sim_start(int agents, const char *const *extra)
{
	char ports[512], nagents[16], sseed[32];
	const char *args[] = { "--port", "0", "--agents", nagents,
	    "--allocation-interval", "0.1", "--heartbeat-interval", "1",
	    "--seed", sseed, "--log-level", "warn", NULL };

	snprintf(ports, sizeof ports, "%s/ports", dir);
	snprintf(nagents, sizeof nagents, "%d", agents);
	snprintf(sseed, sizeof sseed, "%llu", seed % 1000000007ULL + 1);
	tu_sim_start(ports, sim_log, args, extra, &master_port, &control_port);
	ck_assert_msg(master_port > 0, "ark-sim did not start");
	ck_assert(control_port > 0);
}

/* Writes arkd's configuration with the given "jobs" array elements. */
static void
write_config(const char *jobs)
{
	FILE *f = fopen(cfg_path, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "{\"master\": {\"masters\": [\"http://127.0.0.1:%d\"],"
	    " \"backoff_initial_s\": 0.1, \"backoff_max_s\": 0.5},"
	    " \"framework\": {\"name\": \"ark-durable\", \"user\": \"nobody\","
	    " \"roles\": [\"*\"], \"partition_aware\": true},"
	    " \"scheduling\": {\"refuse_seconds\": 1, \"revive_debounce_s\": 0.1,"
	    " \"agents_refresh_s\": 1, \"launch_timeout_s\": 30},"
	    " \"reconciliation\": {\"initial_s\": 0.5, \"factor\": 2,"
	    " \"max_s\": 2},"
	    " \"admin\": {\"listen\": \"127.0.0.1:0\"},"
	    " \"state_dir\": \"%s\", \"jobs\": [%s]}", master_port, state_dir,
	    jobs);
	fclose(f);
}

/* The daemon job "node" and the service job "svc" of n instances. */
static void
write_config_std(int n, const char *svc_extra)
{
	char jobs[1024];

	snprintf(jobs, sizeof jobs, "{\"id\": \"node\", \"kind\": \"daemon\","
	    " \"command\": \"sleep 1000\","
	    " \"resources\": {\"cpus\": 0.1, \"mem\": 16},"
	    " \"restart\": {\"backoff_s\": 0.1, \"factor\": 2, \"max_s\": 0.5}},"
	    " {\"id\": \"svc\", \"kind\": \"service\", \"instances\": %d,"
	    " \"command\": \"sleep 1000\","
	    " \"resources\": {\"cpus\": 0.1, \"mem\": 16},"
	    " \"restart\": {\"backoff_s\": 0.1, \"factor\": 2, \"max_s\": 0.5}"
	    "%s}", n, svc_extra != NULL ? svc_extra : "");
	write_config(jobs);
}

/* Starts arkd on the test's configuration with extra flags. */
static void
arkd_start(const char *const *extra)
{
	char *argv[24];
	int n = 0;

	unlink(admin_file);
	admin_port = -1;
	argv[n++] = (char *)tu_bin("arkd");
	argv[n++] = (char *)"-c";
	argv[n++] = cfg_path;
	argv[n++] = (char *)"--admin-port-file";
	argv[n++] = admin_file;
	argv[n++] = (char *)"--log-format";
	argv[n++] = (char *)"plain";
	argv[n++] = (char *)"--log-level";
	argv[n++] = (char *)"info";
	for (; extra != NULL && *extra != NULL && n < 22; extra++)
		argv[n++] = (char *)*extra;
	argv[n] = NULL;
	arkd_pid = tu_spawn(argv, arkd_log);
	ck_assert_int_gt(arkd_pid, 0);
}

/* Waits for arkd's admin port; 1 once known. */
static int
arkd_admin(int timeout_ms)
{
	if (admin_port <= 0)
		admin_port = tu_wait_port_file(admin_file, timeout_ms);
	return admin_port > 0;
}

/* Prints the tails of both logs (on a failure). */
static void
dump_logs(void)
{
	tu_dump_log(arkd_log, 80);
	tu_dump_log(sim_log, 20);
}

/* Fresh paths for each test. */
static void
setup(void)
{
	dir = tu_tmpdir("durability");
	snprintf(cfg_path, sizeof cfg_path, "%s/arkd.json", dir);
	snprintf(sim_log, sizeof sim_log, "%s/sim.log", dir);
	snprintf(arkd_log, sizeof arkd_log, "%s/arkd.log", dir);
	snprintf(state_dir, sizeof state_dir, "%s/state", dir);
	snprintf(admin_file, sizeof admin_file, "%s/admin.port", dir);
	snprintf(db_path, sizeof db_path, "%s/ark.db", state_dir);
	arkd_pid = 0;
	admin_port = -1;
}

/* Kills what the test started and removes its directory. */
static void
teardown(void)
{
	tu_kill_all();
	tu_rmtree(dir);
	free(dir);
}

/* ---- looking at ark-sim and arkd ---- */

/* GET on ark-sim's control port as JSON (new reference, NULL on failure). */
static json_t *
sim_json(const char *path)
{
	return tu_sim_json(control_port, path);
}

/* GET on arkd's admin API as JSON (new reference, NULL on failure). */
static json_t *
arkd_json(const char *path)
{
	char url[256];

	if (admin_port <= 0)
		return NULL;
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", admin_port, path);
	return tu_get_json(url);
}

/* POSTs a fault to ark-sim; its status. */
static int
sim_control(const char *what, const char *body)
{
	return tu_sim_control(control_port, what, body);
}

/* PATCHes a job through arkd's admin API; its status (0: no arkd). */
static int
arkd_patch_job(const char *job, const char *body)
{
	char url[256];

	if (admin_port <= 0)
		return 0;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/jobs/%s",
	    admin_port, job);
	return tu_http("PATCH", url, "application/json", body, NULL);
}

/* A counter of ark-sim's /counters ("updates_acked") or a call count,
 * read now; -1 if it does not answer. */
static long
counter(const char *name)
{
	return tu_sim_counter(control_port, name);
}

/* Every update acknowledged exactly once (sim/README.md); why if not. */
static int
acked_exactly_once(char *why, size_t len)
{
	return tu_sim_acked_once(control_port, why, len);
}

/* The Mesos TaskState number of a name ("TASK_RUNNING"). */
static int
state_value(const char *name)
{
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value_by_name(
	    &mesos__v1__task_state__descriptor, name);

	return v != NULL ? v->value : -100;
}

/* 1 if a TaskState name is an end. */
static int
terminal(const char *st)
{
	return strcmp(st, "TASK_FINISHED") == 0 ||
	    strcmp(st, "TASK_FAILED") == 0 || strcmp(st, "TASK_KILLED") == 0 ||
	    strcmp(st, "TASK_ERROR") == 0 || strcmp(st, "TASK_LOST") == 0 ||
	    strcmp(st, "TASK_DROPPED") == 0 || strcmp(st, "TASK_GONE") == 0 ||
	    strcmp(st, "TASK_GONE_BY_OPERATOR") == 0;
}

/*
 * How far along its life a state is: an intent (-1, no update yet) <
 * STAGING < STARTING < RUNNING < KILLING < any end.
 */
static int
rank(int state)
{
	switch (state) {
	case -1:
		return 0;
	case MESOS__V1__TASK_STATE__TASK_STAGING:
		return 1;
	case MESOS__V1__TASK_STATE__TASK_STARTING:
		return 2;
	case MESOS__V1__TASK_STATE__TASK_RUNNING:
	case MESOS__V1__TASK_STATE__TASK_UNREACHABLE:
	case MESOS__V1__TASK_STATE__TASK_UNKNOWN:
		return 3;
	case MESOS__V1__TASK_STATE__TASK_KILLING:
		return 4;
	default:
		return 5;
	}
}

/* The only framework ark-sim knows (borrowed); fails the test if several. */
static json_t *
only_framework(json_t *st)
{
	json_t *fws = json_object_get(st, "frameworks");

	ck_assert_msg(json_array_size(fws) == 1 &&
	    json_array_size(json_object_get(st, "completed_frameworks")) == 0,
	    "ark-sim knows %zu frameworks (and %zu completed), not one",
	    json_array_size(fws),
	    json_array_size(json_object_get(st, "completed_frameworks")));
	return json_array_get(fws, 0);
}

/* A string member of o, "" if missing. */
static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/*
 * Agents with more than one live task of the daemon job (ids "node.*") in
 * ark-sim's /state; names one in why.
 */
static int
daemon_doubles(json_t *st, char *why, size_t len)
{
	json_t *per = json_object(), *fw, *t;
	size_t i, k;
	int doubled = 0;

	json_array_foreach(json_object_get(st, "frameworks"), i, fw)
		json_array_foreach(json_object_get(fw, "tasks"), k, t) {
			const char *ag = str(t, "agent_id");
			json_t *prev;

			if (strncmp(str(t, "id"), "node.", 5) != 0 ||
			    terminal(str(t, "state")))
				continue;
			prev = json_object_get(per, ag);
			if (prev != NULL) {
				snprintf(why, len, "agent %s runs %s and %s",
				    ag, json_string_value(prev), str(t, "id"));
				doubled++;
			} else
				json_object_set_new(per, ag,
				    json_string(str(t, "id")));
		}
	json_decref(per);
	return doubled;
}

/* Live tasks of the daemon job and of the service, and RUNNING ones. */
static void
count_live(json_t *st, const char *prefix, size_t *live, size_t *running)
{
	json_t *fw, *t;
	size_t i, k;

	*live = *running = 0;
	json_array_foreach(json_object_get(st, "frameworks"), i, fw)
		json_array_foreach(json_object_get(fw, "tasks"), k, t) {
			if (strncmp(str(t, "id"), prefix, strlen(prefix)) != 0 ||
			    terminal(str(t, "state")))
				continue;
			(*live)++;
			if (strcmp(str(t, "state"), "TASK_RUNNING") == 0)
				(*running)++;
		}
}

/* 1 if ark-sim runs exactly n daemon tasks and s service tasks. */
static int
settled(size_t n, size_t s)
{
	json_t *st = sim_json("/state");
	size_t live, running, slive, srunning;
	char why[512];

	if (st == NULL)
		return 0;
	ck_assert_msg(daemon_doubles(st, why, sizeof why) == 0,
	    "two tasks in one daemon slot: %s", why);
	count_live(st, "node.", &live, &running);
	count_live(st, "svc.", &slive, &srunning);
	json_decref(st);
	return live == n && running == n && slive == s && srunning == s;
}

/*
 * 1 if arkd's GET /v1/tasks names every task ark-sim runs for it, 0 (with
 * why) if one is missing, -1 if arkd did not answer. A task missing is
 * looked up again in a fresh /state: it may have ended in between.
 */
static int
arkd_knows_all(char *why, size_t len)
{
	json_t *st1 = sim_json("/state"), *tasks = arkd_json("/v1/tasks");
	json_t *st2 = sim_json("/state"), *known = json_object(), *live2;
	json_t *fw, *t;
	size_t i, k;
	int rc = 1;

	if (st1 == NULL || st2 == NULL || tasks == NULL) {
		rc = -1;
		goto out;
	}
	json_array_foreach(json_object_get(tasks, "tasks"), i, t)
		json_object_set_new(known, str(t, "id"), json_true());
	live2 = json_object();
	json_array_foreach(json_object_get(st2, "frameworks"), i, fw)
		json_array_foreach(json_object_get(fw, "tasks"), k, t)
			if (!terminal(str(t, "state")))
				json_object_set_new(live2, str(t, "id"),
				    json_true());
	json_array_foreach(json_object_get(st1, "frameworks"), i, fw)
		json_array_foreach(json_object_get(fw, "tasks"), k, t) {
			const char *id = str(t, "id");

			if (terminal(str(t, "state")) ||
			    json_object_get(known, id) != NULL ||
			    json_object_get(live2, id) == NULL)
				continue;
			snprintf(why, len, "task %s (%s) runs on ark-sim but "
			    "arkd does not know it", id, str(t, "state"));
			rc = 0;
		}
	json_decref(live2);
out:
	json_decref(known);
	json_decref(st1);
	json_decref(st2);
	json_decref(tasks);
	return rc;
}

/* arkd's framework id from /v1/state (caller frees; NULL if none). */
static char *
arkd_framework_id(void)
{
	json_t *st = arkd_json("/v1/state");
	const char *id;
	char *r = NULL;

	id = json_string_value(json_object_get(st, "framework_id"));
	if (id != NULL)
		r = xstrdup(id);
	json_decref(st);
	return r;
}

/*
 * Reads the store of a stopped arkd, read-only: task id -> state (new
 * reference) and the stored framework id (*fid, caller frees).
 */
static json_t *
store_read(char **fid)
{
	char *uri = xasprintf("file:%s?mode=ro", db_path);
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	json_t *rows = json_object();

	*fid = NULL;
	ck_assert_msg(sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_URI, NULL) == SQLITE_OK, "%s: %s", db_path,
	    sqlite3_errmsg(db));
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT task_id, state FROM "
	    "tasks", -1, &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW)
		json_object_set_new(rows, (const char *)sqlite3_column_text(q,
		    0), json_integer(sqlite3_column_int(q, 1)));
	sqlite3_finalize(q);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE "
	    "key = 'framework_id'", -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		*fid = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	sqlite3_close(db);
	free(uri);
	return rows;
}

/*
 * After a kill -9: the killed arkd's store against what ark-sim saw. Every
 * task ark-sim runs has its row (the intent was committed before the
 * ACCEPT), and every update ark-sim counts as acknowledged is in the row
 * (it was committed before the ACKNOWLEDGE): a task with no update pending
 * is at least as far along in the store, and a task whose end was
 * acknowledged is gone from the store or ended there.
 */
static void
check_killed_store(json_t *st, const char *fid, int iter)
{
	char *sfid = NULL;
	json_t *rows = store_read(&sfid), *fw = only_framework(st), *t;
	size_t k;

	ck_assert_msg(sfid != NULL && strcmp(sfid, fid) == 0,
	    "iteration %d: the store holds framework %s, ark-sim %s", iter,
	    sfid != NULL ? sfid : "(none)", fid);
	ck_assert_str_eq(str(fw, "id"), fid);
	json_array_foreach(json_object_get(fw, "tasks"), k, t) {
		const char *id = str(t, "id"), *state = str(t, "state");
		json_t *row = json_object_get(rows, id);
		int have;

		if (terminal(state))
			continue;
		ck_assert_msg(row != NULL, "iteration %d: task %s is %s on "
		    "ark-sim but the killed arkd's store lacks it (ACCEPT "
		    "before its intent was committed)", iter, id, state);
		have = (int)json_integer_value(row);
		if (json_array_size(json_object_get(t, "pending_updates")) > 0 ||
		    strcmp(state, "TASK_STAGING") == 0)
			continue;
		ck_assert_msg(rank(have) >= rank(state_value(state)),
		    "iteration %d: ark-sim counts task %s's %s as acknowledged, "
		    "but the killed arkd's store has state %d", iter, id, state,
		    have);
	}
	json_array_foreach(json_object_get(fw, "completed_tasks"), k, t) {
		const char *id = str(t, "id"), *state = str(t, "state");
		json_t *row = json_object_get(rows, id);

		/* ends from an executor or agent are acknowledged ones */
		if (strcmp(state, "TASK_FINISHED") != 0 &&
		    strcmp(state, "TASK_FAILED") != 0 &&
		    strcmp(state, "TASK_KILLED") != 0)
			continue;
		ck_assert_msg(row == NULL || rank((int)json_integer_value(row)) ==
		    5, "iteration %d: task %s's %s was acknowledged, but the "
		    "killed arkd's store still has it live (state %d)", iter, id,
		    state, (int)json_integer_value(row));
	}
	json_decref(rows);
	free(sfid);
}

/* Ids of the live tasks of ark-sim's only framework, as a JSON object. */
static json_t *
live_ids(json_t *st)
{
	json_t *ids = json_object(), *t;
	size_t k;

	json_array_foreach(json_object_get(only_framework(st), "tasks"), k, t)
		if (!terminal(str(t, "state")))
			json_object_set_new(ids, str(t, "id"),
			    json_string(str(t, "state")));
	return ids;
}

/* Waits until arkd says it is subscribed and done reconciling. */
static int
arkd_reconciled(void)
{
	json_t *st = arkd_json("/v1/state");
	int ok = st != NULL &&
	    strcmp(str(json_object_get(st, "session"), "state"),
	    "subscribed") == 0 &&
	    strcmp(str(json_object_get(st, "reconciliation"), "state"),
	    "idle") == 0;

	json_decref(st);
	return ok;
}

/* ---- issue 4: the FrameworkID ---- */

START_TEST(test_framework_id_kill9)
{
	json_t *st, *ids, *ids2, *v;
	const char *id;
	char *fid, *sfid = NULL, why[512];
	long calls, launched;
	long long end;

	sim_start(5, NULL);
	write_config_std(3, NULL);
	arkd_start(NULL);
	/* kill -9 the moment ark-sim sees any call after SUBSCRIBE */
	end = tu_now_ms() + WAIT_MS;
	for (;;) {
		json_t *c = sim_json("/counters");

		calls = 0;
		if (c != NULL) {
			const char *k;
			json_t *n;

			json_object_foreach(json_object_get(c, "calls"), k, n)
				if (strcmp(k, "SUBSCRIBE") != 0)
					calls += (long)json_integer_value(n);
			json_decref(c);
		}
		if (calls > 0 || tu_now_ms() > end)
			break;
		tu_sleep_ms(1);
	}
	tu_stop(arkd_pid, SIGKILL, 5000);
	ck_assert_msg(calls > 0, "arkd sent nothing after SUBSCRIBE");
	st = sim_json("/state");
	ck_assert_ptr_nonnull(st);
	fid = xstrdup(str(only_framework(st), "id"));
	json_decref(st);
	json_decref(store_read(&sfid));
	ck_assert_msg(sfid != NULL && strcmp(sfid, fid) == 0,
	    "killed after its first call, arkd had stored framework %s, "
	    "ark-sim gave it %s", sfid != NULL ? sfid : "(none)", fid);
	free(sfid);

	/* the restart resubscribes as the same framework */
	arkd_start(NULL);
	ck_assert(arkd_admin(20000));
	if (!TU_WAIT(WAIT_MS, settled(5, 3) && arkd_reconciled())) {
		dump_logs();
		ck_abort_msg("the jobs did not start");
	}
	st = sim_json("/state");
	ck_assert_str_eq(str(only_framework(st), "id"), fid);
	ids = live_ids(st);
	json_decref(st);
	launched = counter("tasks_launched");
	ck_assert_int_eq(launched, 8);

	/* kill -9 with everything running; restart */
	tu_stop(arkd_pid, SIGKILL, 5000);
	tu_sleep_ms(500);
	arkd_start(NULL);
	ck_assert(arkd_admin(20000));
	if (!TU_WAIT(WAIT_MS, arkd_reconciled())) {
		dump_logs();
		ck_abort_msg("arkd did not resubscribe and reconcile");
	}
	tu_sleep_ms(2000);
	{
		char *afid = arkd_framework_id();

		ck_assert_ptr_nonnull(afid);
		ck_assert_str_eq(afid, fid);
		free(afid);
	}
	st = sim_json("/state");
	ck_assert_str_eq(str(only_framework(st), "id"), fid);
	ck_assert_str_eq(str(only_framework(st), "state"), "connected");
	ids2 = live_ids(st);
	/* the same tasks, still running, none killed */
	ck_assert_int_eq(json_object_size(ids2), json_object_size(ids));
	json_object_foreach(ids, id, v) {
		ck_assert_msg(json_object_get(ids2, id) != NULL,
		    "task %s is gone after the restart", id);
		ck_assert_str_eq(json_string_value(json_object_get(ids2, id)),
		    "TASK_RUNNING");
	}
	{
		json_t *t;
		size_t k;

		json_array_foreach(json_object_get(only_framework(st),
		    "completed_tasks"), k, t)
			ck_abort_msg("task %s ended: %s", str(t, "id"),
			    str(t, "state"));
	}
	json_decref(st);
	ck_assert_int_eq(counter("KILL"), 0);
	ck_assert_int_eq(counter("tasks_launched"), launched);
	/* the subscription ark-sim serves is the restarted arkd's */
	{
		json_t *a = arkd_json("/v1/state"), *fw;
		const char *sid;

		st = sim_json("/state");
		fw = only_framework(st);
		sid = str(json_object_get(fw, "stream"), "stream_id");
		ck_assert_ptr_nonnull(a);
		ck_assert_msg(*sid != '\0' && strcmp(sid,
		    str(json_object_get(a, "session"), "stream_id")) == 0,
		    "ark-sim streams %s, arkd has %s", sid,
		    str(json_object_get(a, "session"), "stream_id"));
		json_decref(a);
		json_decref(st);
	}
	ck_assert_msg(TU_WAIT(10000, acked_exactly_once(why, sizeof why)),
	    "%s", why);
	json_decref(ids);
	json_decref(ids2);
	free(fid);
}
END_TEST

/* ---- issue 6: kill -9 through launches and storms ---- */

/* A random live task of ark-sim whose id starts with prefix (or NULL). */
static char *
random_task(const char *prefix)
{
	json_t *st = sim_json("/state"), *fw, *t, *pick = NULL;
	size_t i, k, n = 0;
	char *id = NULL;

	if (st == NULL)
		return NULL;
	json_array_foreach(json_object_get(st, "frameworks"), i, fw)
		json_array_foreach(json_object_get(fw, "tasks"), k, t) {
			if (terminal(str(t, "state")) ||
			    strcmp(str(t, "state"), "TASK_KILLING") == 0 ||
			    strncmp(str(t, "id"), prefix, strlen(prefix)) != 0)
				continue;
			/* reservoir sampling: each live task alike */
			if (tu_rand(&rng) % ++n == 0)
				pick = t;
		}
	if (pick != NULL)
		id = xstrdup(str(pick, "id"));
	json_decref(st);
	return id;
}

/* Injects one random fault of the storm (the seed decides which). */
static void
inject_fault(int *added)
{
	char body[512];
	char *id = NULL;
	unsigned r = (unsigned)(tu_rand(&rng) % 10);

	switch (r) {
	case 0:
	case 1:
		snprintf(body, sizeof body, "{\"count\": %u}",
		    (unsigned)(1 + tu_rand(&rng) % 8));
		sim_control("duplicate-updates", body);
		break;
	case 2:
		snprintf(body, sizeof body, "{\"count\": %u}",
		    (unsigned)(1 + tu_rand(&rng) % 3));
		sim_control("drop-acks", body);
		break;
	case 3:
	case 4:
	case 5:
		id = random_task(r == 5 ? "svc." : "node.");
		if (id != NULL) {
			snprintf(body, sizeof body, "{\"task_id\": \"%s\"}", id);
			sim_control(r == 3 ? "fail-task" : r == 4 ?
			    "crash-task" : "lost-task", body);
		}
		break;
	case 6:
		if (*added < 4) {
			sim_control("add-agents", "{\"count\": 1}");
			(*added)++;
		}
		break;
	case 7:
		snprintf(body, sizeof body, "{\"instances\": %u}",
		    (unsigned)(4 + tu_rand(&rng) % 9));
		arkd_patch_job("svc", body);
		break;
	case 8:
		sim_control("rescind-offers", "{}");
		break;
	default:
		id = random_task("svc.");
		if (id != NULL) {
			snprintf(body, sizeof body, "{\"task_id\": \"%s\"}", id);
			sim_control("finish-task", body);
		}
		break;
	}
	free(id);
}

START_TEST(test_kill9_storm)
{
	/* launches take a while to report: kills land between ACCEPT and
	 * the first update too */
	static const char *slow[] = { "--start-delay", "0.2", "--run-delay",
	    "0.1", "--update-retry", "0.5", "--update-retry-max", "2", NULL };
	char why[512], *fid, *afid;
	json_t *st;
	int added = 0, cross_checks = 0;
	long long t0 = tu_now_ms();

	sim_start(STORM_AGENTS, slow);
	/* the service's tasks fail 0.7 s after RUNNING: a status storm */
	write_config_std(8, ", \"env\": {\"ARK_SIM_BEHAVIOUR\": \"fail:0.7\"}");
	arkd_start(NULL);
	ck_assert(arkd_admin(20000));
	/* the FrameworkID is committed once arkd's admin API shows it */
	ck_assert(TU_WAIT(WAIT_MS, (afid = arkd_framework_id()) != NULL));
	fid = afid;

	for (int it = 0; it < ITERATIONS; it++) {
		long long start = tu_now_ms(), kill_at, next_fault;
		int d = 100 + (int)(tu_rand(&rng) % 2400), checked = 0;

		if (it > 0)
			arkd_start(NULL);
		kill_at = start + d;
		next_fault = start + (long long)(tu_rand(&rng) % 400);
		while (tu_now_ms() < kill_at) {
			st = sim_json("/state");
			if (st != NULL) {
				int doubled = daemon_doubles(st, why,
				    sizeof why);

				json_decref(st);
				if (doubled > 0)
					dump_logs();
				ck_assert_msg(doubled == 0, "iteration %d: two "
				    "tasks in one daemon slot: %s", it, why);
			}
			if (!checked && arkd_admin(1)) {
				int k = arkd_knows_all(why, sizeof why);

				if (k == 0)
					dump_logs();
				ck_assert_msg(k != 0, "iteration %d: a lost "
				    "task: %s", it, why);
				if (k == 1) {
					afid = arkd_framework_id();
					ck_assert_msg(afid != NULL &&
					    strcmp(afid, fid) == 0, "iteration "
					    "%d: arkd has framework %s, not %s",
					    it, afid != NULL ? afid : "(none)",
					    fid);
					free(afid);
					checked = 1;
					cross_checks++;
				}
			}
			if (tu_now_ms() >= next_fault) {
				inject_fault(&added);
				next_fault = tu_now_ms() + 100 +
				    (long long)(tu_rand(&rng) % 500);
			}
			tu_sleep_ms(20 + (int)(tu_rand(&rng) % 60));
		}
		ck_assert_msg(tu_alive(arkd_pid), "iteration %d: arkd died "
		    "by itself", it);
		tu_stop(arkd_pid, SIGKILL, 5000);
		/* what was on the wire reaches ark-sim */
		tu_sleep_ms(300);
		st = sim_json("/state");
		ck_assert_ptr_nonnull(st);
		ck_assert_msg(daemon_doubles(st, why, sizeof why) == 0,
		    "iteration %d: two tasks in one daemon slot: %s", it, why);
		check_killed_store(st, fid, it);
		json_decref(st);
		ck_assert_int_eq(counter("acks_unknown"), 0);
		printf("check_durability: iteration %d: kill -9 after %d ms, "
		    "ok\n", it, d);
	}
	ck_assert_msg(cross_checks >= ITERATIONS / 2, "only %d of %d restarts "
	    "were cross-checked against arkd's /v1/tasks", cross_checks,
	    ITERATIONS);

	/* the last restart: stop the storm and let everything settle */
	arkd_start(NULL);
	ck_assert(arkd_admin(20000));
	ck_assert(TU_WAIT(10000, arkd_patch_job("svc",
	    "{\"suspended\": true}") == 200));
	if (!TU_WAIT(WAIT_MS, settled((size_t)(STORM_AGENTS + added), 0) &&
	    acked_exactly_once(why, sizeof why))) {
		dump_logs();
		ck_abort_msg("did not settle after the storm: %s", why);
	}
	ck_assert(TU_WAIT(10000, arkd_knows_all(why, sizeof why) == 1));
	afid = arkd_framework_id();
	ck_assert_ptr_nonnull(afid);
	ck_assert_str_eq(afid, fid);
	free(afid);
	st = sim_json("/state");
	ck_assert_str_eq(str(only_framework(st), "id"), fid);
	json_decref(st);
	printf("check_durability: %d kill -9 iterations in %.1f s, %ld "
	    "updates acknowledged, %ld tasks launched\n", ITERATIONS,
	    (double)(tu_now_ms() - t0) / 1000.0, counter("updates_acked"),
	    counter("tasks_launched"));
	free(fid);
}
END_TEST

/* ---- stores arkd must refuse ---- */

/* Runs argv to the end; its exit code, stdout and stderr in *out. */
static int
run(char *const argv[], int timeout_ms, char **out)
{
	char *o = NULL, *e = NULL;
	int rc = tu_run(argv, &o, &e, timeout_ms);

	*out = xasprintf("%s%s", o != NULL ? o : "", e != NULL ? e : "");
	free(o);
	free(e);
	return rc;
}

/* Runs arkd on the state directory; its exit code and output. */
static int
arkd_run_once(char **out)
{
	char *argv[] = { (char *)tu_bin("arkd"), (char *)"-c", cfg_path,
	    (char *)"--log-format", (char *)"plain", (char *)"--admin-listen",
	    (char *)"", NULL };

	return run(argv, 20000, out);
}

/* A store of a real run: arkd subscribed, launched, stopped by SIGTERM. */
static void
make_store(void)
{
	sim_start(3, NULL);
	write_config_std(2, NULL);
	arkd_start(NULL);
	ck_assert(TU_WAIT(WAIT_MS, settled(3, 2)));
	ck_assert_int_eq(tu_stop(arkd_pid, SIGTERM, 10000), 0);
}

/* arkd refuses the store at db_path with a message naming problem. */
static void
expect_refused(const char *what, const char *problem)
{
	size_t before_len, after_len;
	char *before = tu_read_file(db_path, &before_len), *after, *out = NULL;
	int rc;

	ck_assert_ptr_nonnull(before);
	rc = arkd_run_once(&out);
	ck_assert_msg(rc != 0, "%s: arkd started (exit %d): %s", what, rc, out);
	ck_assert_msg(rc < 128, "%s: arkd crashed (%d): %s", what, rc, out);
	ck_assert_msg(strstr(out, problem) != NULL, "%s: no \"%s\" in: %s",
	    what, problem, out);
	ck_assert_msg(strstr(out, db_path) != NULL, "%s: the message does not "
	    "name %s: %s", what, db_path, out);
	after = tu_read_file(db_path, &after_len);
	ck_assert_ptr_nonnull(after);
	ck_assert_msg(before_len == after_len &&
	    memcmp(before, after, before_len) == 0,
	    "%s: arkd changed the file (%zu -> %zu bytes)", what, before_len,
	    after_len);
	/* --check-store says the same, offline */
	{
		char *argv[] = { (char *)tu_bin("arkd"), (char *)"--check-store",
		    state_dir, NULL };
		char *out2 = NULL;

		ck_assert_int_eq(run(argv, 20000, &out2), 1);
		ck_assert_msg(strstr(out2, problem) != NULL, "--check-store: "
		    "%s", out2);
		free(out2);
	}
	free(after);
	free(out);
	free(before);
}

/* Copies the good store over db_path (and drops any WAL). */
static void
restore(const char *good, size_t len)
{
	FILE *f = fopen(db_path, "wb");
	char *p;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fwrite(good, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	p = xasprintf("%s-wal", db_path);
	unlink(p);
	free(p);
	p = xasprintf("%s-shm", db_path);
	unlink(p);
	free(p);
}

START_TEST(test_bad_stores)
{
	char *good, *out = NULL, *cmd;
	size_t len;
	FILE *f;
	int rc;

	make_store();
	{
		char *argv[] = { (char *)tu_bin("arkd"), (char *)"--check-store",
		    state_dir, NULL };

		ck_assert_int_eq(run(argv, 20000, &out), 0);
		free(out);
		out = NULL;
	}
	good = tu_read_file(db_path, &len);
	ck_assert_ptr_nonnull(good);
	ck_assert_uint_ge(len, 3 * 4096);

	/* truncated: mid-page, and at a page boundary */
	ck_assert_int_eq(truncate(db_path, 3000), 0);
	expect_refused("truncated mid-page", "truncated");
	restore(good, len);
	ck_assert_int_eq(truncate(db_path, 2 * 4096), 0);
	expect_refused("truncated to 2 pages", "truncated");

	/* zeroed, same size */
	restore(good, len);
	f = fopen(db_path, "r+b");
	ck_assert_ptr_nonnull(f);
	{
		char *zero = xcalloc(1, len);

		ck_assert_int_eq(fwrite(zero, 1, len, f), len);
		free(zero);
	}
	ck_assert_int_eq(fclose(f), 0);
	expect_refused("zeroed", "not an SQLite database");

	/* from a future schema */
	restore(good, len);
	cmd = xasprintf("sqlite3 '%s' 'PRAGMA user_version = 99'", db_path);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	expect_refused("schema 99", "schema version 99");

	/* the good store again: arkd starts on it and keeps its framework */
	restore(good, len);
	arkd_start(NULL);
	ck_assert(arkd_admin(20000));
	ck_assert(TU_WAIT(WAIT_MS, arkd_reconciled()));

	/* a second arkd on the same state directory */
	rc = arkd_run_once(&out);
	ck_assert_int_eq(rc, 1);
	ck_assert_msg(strstr(out, "locked") != NULL, "%s", out);
	{
		char pid[32];

		snprintf(pid, sizeof pid, "pid %d", (int)arkd_pid);
		ck_assert_msg(strstr(out, pid) != NULL, "no \"%s\" in: %s",
		    pid, out);
	}
	ck_assert(tu_alive(arkd_pid));
	ck_assert(arkd_reconciled());
	free(out);
	free(good);
}
END_TEST

/* ---- record and replay ---- */

START_TEST(test_record_replay)
{
	char rec[512], *out1 = NULL, *out2 = NULL;
	char *argv[] = { (char *)tu_bin("arkd"), (char *)"replay", rec, NULL };
	const char *extra[] = { "--record", rec, NULL };
	json_t *st, *t;
	size_t k, n = 0;

	snprintf(rec, sizeof rec, "%s/arkd.rec", dir);
	sim_start(4, NULL);
	write_config_std(3, NULL);
	arkd_start(extra);
	if (!TU_WAIT(WAIT_MS, settled(4, 3))) {
		dump_logs();
		ck_abort_msg("the jobs did not start");
	}
	ck_assert_int_eq(tu_stop(arkd_pid, SIGTERM, 10000), 0);

	ck_assert_int_eq(run(argv, 60000, &out1), 0);
	ck_assert_int_eq(run(argv, 60000, &out2), 0);
	ck_assert_msg(strcmp(out1, out2) == 0, "two replays differ");
	ck_assert_ptr_nonnull(strstr(out1, "event SUBSCRIBED"));
	ck_assert_ptr_nonnull(strstr(out1, "call ACCEPT"));
	/* every task ark-sim launched is in a replayed LAUNCH */
	st = sim_json("/state");
	json_array_foreach(json_object_get(only_framework(st), "tasks"), k, t) {
		const char *id = str(t, "id");
		const char *p = out1;
		int found = 0;

		while ((p = strstr(p, "call ACCEPT")) != NULL) {
			const char *eol = strchr(p, '\n');
			const char *hit = strstr(p, id);

			if (hit != NULL && (eol == NULL || hit < eol) &&
			    strstr(p, "LAUNCH") != NULL) {
				found = 1;
				break;
			}
			p++;
		}
		ck_assert_msg(found, "task %s is in no replayed ACCEPT/LAUNCH",
		    id);
		n++;
	}
	ck_assert_uint_eq(n, 7);
	json_decref(st);
	free(out1);
	free(out2);
}
END_TEST

/* ---- dry run ---- */

START_TEST(test_dry_run)
{
	const char *extra[] = { "--dry-run", NULL };
	json_t *st, *tasks;
	char *log;

	sim_start(4, NULL);
	write_config_std(3, NULL);
	arkd_start(extra);
	ck_assert(arkd_admin(20000));
	/* offers come and are declined, several rounds */
	if (!TU_WAIT(WAIT_MS, counter("offers_declined") >= 8)) {
		dump_logs();
		ck_abort_msg("dry run: offers not declined");
	}
	ck_assert_int_eq(counter("ACCEPT"), 0);
	ck_assert_int_eq(counter("tasks_launched"), 0);
	st = sim_json("/state");
	ck_assert_int_eq(json_array_size(json_object_get(only_framework(st),
	    "tasks")), 0);
	json_decref(st);
	tasks = arkd_json("/v1/tasks");
	ck_assert_ptr_nonnull(tasks);
	json_decref(tasks);
	/* the decisions are logged */
	log = tu_read_file(arkd_log, NULL);
	ck_assert_ptr_nonnull(log);
	ck_assert_msg(strstr(log, "would launch node.") != NULL &&
	    strstr(log, "would launch svc.") != NULL,
	    "dry run logged no decisions");
	free(log);
	ck_assert_int_eq(tu_stop(arkd_pid, SIGTERM, 10000), 0);
}
END_TEST

/* ---- SIGTERM ---- */

START_TEST(test_sigterm_adopt)
{
	json_t *st, *ids, *ids2, *v;
	const char *id;
	long launched, accepts;
	long long t0;
	int status;
	char why[512];

	sim_start(4, NULL);
	write_config_std(3, NULL);
	arkd_start(NULL);
	if (!TU_WAIT(WAIT_MS, settled(4, 3))) {
		dump_logs();
		ck_abort_msg("the jobs did not start");
	}
	st = sim_json("/state");
	ids = live_ids(st);
	json_decref(st);
	launched = counter("tasks_launched");
	accepts = counter("ACCEPT");

	t0 = tu_now_ms();
	status = tu_stop(arkd_pid, SIGTERM, 10000);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "arkd did not exit 0 on SIGTERM (status %d)", status);
	ck_assert_msg(tu_now_ms() - t0 < 6000, "SIGTERM took %lld ms",
	    tu_now_ms() - t0);
	/* the tasks keep running without arkd */
	tu_sleep_ms(1000);
	ck_assert(settled(4, 3));
	ck_assert_int_eq(counter("KILL"), 0);

	arkd_start(NULL);
	ck_assert(arkd_admin(20000));
	ck_assert(TU_WAIT(WAIT_MS, arkd_reconciled()));
	tu_sleep_ms(2000);
	st = sim_json("/state");
	ids2 = live_ids(st);
	json_decref(st);
	json_object_foreach(ids, id, v)
		ck_assert_msg(json_object_get(ids2, id) != NULL,
		    "task %s is gone", id);
	ck_assert_int_eq(json_object_size(ids2), json_object_size(ids));
	ck_assert_int_eq(counter("tasks_launched"), launched);
	ck_assert_int_eq(counter("ACCEPT"), accepts);
	ck_assert_int_eq(counter("KILL"), 0);
	ck_assert(TU_WAIT(10000, arkd_knows_all(why, sizeof why) == 1));
	ck_assert_msg(TU_WAIT(10000, acked_exactly_once(why, sizeof why)),
	    "%s", why);
	json_decref(ids);
	json_decref(ids2);
}
END_TEST

/* ---- a flood of updates: persisted, acknowledged, memory bounded ---- */

/* arkd's /metrics text (caller frees); waits out the admin's rate limit. */
static char *
arkd_metrics_text(void)
{
	char url[128], *body = NULL;
	int status = 0;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/metrics", admin_port);
	TU_WAIT(5000, (free(body), body = NULL,
	    (status = tu_http("GET", url, NULL, NULL, &body)) != 429));
	if (status != 200) {
		free(body);
		return NULL;
	}
	return body;
}

/* A series without labels in a /metrics text; -1 if absent. */
static double
metric_of(const char *text, const char *name)
{
	size_t len = strlen(name);
	const char *p;

	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, name, len) == 0 && p[len] == ' ')
			return strtod(p + len + 1, NULL);
	}
	return -1;
}

/* A series of arkd's /metrics now; -1 if absent. */
static double
arkd_metric(const char *name)
{
	char *text = arkd_metrics_text();
	double v = text != NULL ? metric_of(text, name) : -1;

	free(text);
	return v;
}

START_TEST(test_flood_bounded)
{
	char body[128];
	double rows0, rows1, queued, max_queued = 0, paused = 0;
	long acked = 0;
	long long t0, end;
	int flood = 100000;

	sim_start(5, NULL);
	write_config_std(20, NULL);
	arkd_start(NULL);
	ck_assert(arkd_admin(20000));
	if (!TU_WAIT(WAIT_MS, settled(5, 20))) {
		dump_logs();
		ck_abort_msg("the jobs did not start");
	}
	rows0 = arkd_metric("ark_store_rows_total");
	ck_assert(rows0 > 0);
	/* every update flips a task's health: each one is a store row */
	snprintf(body, sizeof body, "{\"count\": %d, \"flap\": true}", flood);
	t0 = tu_now_ms();
	ck_assert_int_eq(sim_control("flood", body), 200);
	end = t0 + 120000;
	while (tu_now_ms() < end) {
		char *text = arkd_metrics_text();

		if (text != NULL) {
			queued = metric_of(text, "ark_calls_queued");
			if (queued > max_queued)
				max_queued = queued;
			if (metric_of(text, "ark_stream_paused") == 1)
				paused++;
			free(text);
		}
		acked = counter("flood_acked");
		if (acked >= flood)
			break;
		/* under the admin API's 50 requests/s */
		tu_sleep_ms(40);
	}
	if (acked < flood)
		dump_logs();
	ck_assert_int_eq(acked, flood);
	ck_assert_int_eq(counter("flood_acks_duplicate"), 0);
	ck_assert_int_eq(counter("acks_unknown"), 0);
	/* no resubscription: the paused stream never looked dead */
	ck_assert_int_eq(counter("subscribes"), 1);
	rows1 = arkd_metric("ark_store_rows_total");
	ck_assert_msg(rows1 - rows0 >= flood, "%.0f rows for %d updates",
	    rows1 - rows0, flood);
	/* flow control: the backlog stayed in the socket, not in arkd */
	ck_assert_msg(max_queued <= 6000, "up to %.0f calls queued in arkd",
	    max_queued);
	printf("check_durability: flood of %d updates acknowledged in %.1f s, "
	    "at most %.0f calls queued, stream seen paused %.0f times\n",
	    flood, (double)(tu_now_ms() - t0) / 1000.0, max_queued, paused);
	ck_assert_int_eq(tu_stop(arkd_pid, SIGTERM, 10000), 0);
}
END_TEST

static Suite *
durability_suite(void)
{
	Suite *s = suite_create("durability");
	TCase *tc = tcase_create("sim");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_framework_id_kill9);
	tcase_add_test(tc, test_kill9_storm);
	tcase_add_test(tc, test_bad_stores);
	tcase_add_test(tc, test_record_replay);
	tcase_add_test(tc, test_dry_run);
	tcase_add_test(tc, test_sigterm_adopt);
	tcase_add_test(tc, test_flood_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(durability_suite());
	int failed;

	seed = tu_seed();
	rng = seed;
	printf("check_durability: seed %llu (ARK_TEST_SEED=%llu replays it)\n",
	    seed, seed);
	fflush(stdout);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_kill_all();
	return failed == 0 ? 0 : 1;
}
