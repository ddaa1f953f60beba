/*
 * check_sched_sim — the scheduling core end to end: a real arkd against
 * ark-sim with 50 agents. A daemon job reaches exactly one RUNNING task per
 * eligible agent; agents added get one, an agent removed loses its task,
 * a blacklisted agent loses its task and gets none back; a service job keeps
 * its N instances running through random task failures (seeded; the seed is
 * printed, ARK_TEST_SEED replays it). Everything is asserted on ark-sim's
 * /state (what the master sees), polled with generous deadlines.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "../lib/testutil.h"
#include "xmalloc.h"

#define AGENTS		50
#define SERVICE_N	5
#define WAIT_MS		60000

static char *dir;
static int master_port, control_port, admin_port;
static pid_t sim_pid, arkd_pid;
static char sim_log[512], arkd_log[512];

static void
setup(void)
{
	char ports[512], cfg[512], state[512], portarg[16];
	char master[64], admin[64];
	FILE *f;

	dir = tu_tmpdir("sched-sim");
	snprintf(ports, sizeof ports, "%s/ports", dir);
	snprintf(sim_log, sizeof sim_log, "%s/sim.log", dir);
	snprintf(arkd_log, sizeof arkd_log, "%s/arkd.log", dir);
	snprintf(portarg, sizeof portarg, "%d", AGENTS);
	{
		const char *args[] = { "--port", "0", "--agents", portarg,
		    "--allocation-interval", "0.2", "--heartbeat-interval", "1",
		    "--log-level", "warn", NULL };

		sim_pid = tu_sim_start(ports, sim_log, args, NULL, &master_port,
		    &control_port);
	}
	ck_assert_msg(master_port > 0, "ark-sim did not start");
	ck_assert(control_port > 0);
	admin_port = tu_free_port();
	snprintf(cfg, sizeof cfg, "%s/arkd.json", dir);
	snprintf(state, sizeof state, "%s/state", dir);
	snprintf(master, sizeof master, "http://127.0.0.1:%d", master_port);
	snprintf(admin, sizeof admin, "127.0.0.1:%d", admin_port);
	f = fopen(cfg, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "{\"master\": {\"masters\": [\"%s\"]},"
	    " \"framework\": {\"name\": \"ark-it\", \"user\": \"nobody\","
	    " \"roles\": [\"*\"], \"partition_aware\": true},"
	    " \"scheduling\": {\"refuse_seconds\": 1, \"revive_debounce_s\": 0.2,"
	    " \"agents_refresh_s\": 1, \"launch_timeout_s\": 10},"
	    " \"reconciliation\": {\"initial_s\": 0.5, \"max_s\": 4},"
	    " \"admin\": {\"listen\": \"%s\"}, \"state_dir\": \"%s\","
	    " \"jobs\": [{\"id\": \"node\", \"kind\": \"daemon\","
	    " \"command\": \"sleep 1000\","
	    " \"resources\": {\"cpus\": 0.1, \"mem\": 16}},"
	    " {\"id\": \"svc\", \"kind\": \"service\", \"instances\": %d,"
	    " \"command\": \"sleep 1000\","
	    " \"resources\": {\"cpus\": 0.1, \"mem\": 16},"
	    " \"restart\": {\"backoff_s\": 0.2, \"factor\": 2,"
	    " \"max_s\": 1}}]}", master, admin, state, SERVICE_N);
	fclose(f);
	{
		char *argv[] = { (char *)tu_bin("arkd"), (char *)"-c", cfg,
		    (char *)"--log-format", (char *)"plain", NULL };

		arkd_pid = tu_spawn(argv, arkd_log);
	}
}

static void
teardown(void)
{
	tu_kill_all();
	tu_rmtree(dir);
	free(dir);
}

static void
dump_logs(void)
{
	tu_dump_log(arkd_log, 60);
	tu_dump_log(sim_log, 20);
}

/* What ark-sim sees: RUNNING tasks of job prefix, per agent. */
struct view {
	size_t	 running;	/* RUNNING tasks of the job */
	size_t	 live;		/* non-terminal tasks of the job */
	int	 doubled;	/* an agent with two live tasks of the job */
	json_t	*agents;	/* agent id -> live task count (new ref) */
	json_t	*state;		/* the whole /state (new ref) */
};

static int
terminal(const char *st)
{
	return strcmp(st, "TASK_FINISHED") == 0 ||
	    strcmp(st, "TASK_FAILED") == 0 || strcmp(st, "TASK_KILLED") == 0 ||
	    strcmp(st, "TASK_ERROR") == 0 || strcmp(st, "TASK_LOST") == 0 ||
	    strcmp(st, "TASK_DROPPED") == 0 || strcmp(st, "TASK_GONE") == 0;
}

static int
look(const char *prefix, struct view *v)
{
	json_t *fws, *fw, *tasks, *t;
	size_t i, k;

	memset(v, 0, sizeof *v);
	v->state = tu_sim_json(control_port, "/state");
	if (v->state == NULL)
		return 0;
	v->agents = json_object();
	fws = json_object_get(v->state, "frameworks");
	json_array_foreach(fws, i, fw) {
		tasks = json_object_get(fw, "tasks");
		json_array_foreach(tasks, k, t) {
			const char *id = json_string_value(json_object_get(t,
			    "id"));
			const char *st = json_string_value(json_object_get(t,
			    "state"));
			const char *ag = json_string_value(json_object_get(t,
			    "agent_id"));
			json_int_t n;

			if (id == NULL || st == NULL || ag == NULL ||
			    strncmp(id, prefix, strlen(prefix)) != 0 ||
			    terminal(st))
				continue;
			v->live++;
			if (strcmp(st, "TASK_RUNNING") == 0)
				v->running++;
			n = json_integer_value(json_object_get(v->agents, ag)) + 1;
			json_object_set_new(v->agents, ag, json_integer(n));
			if (n > 1)
				v->doubled = 1;
		}
	}
	return 1;
}

static void
view_clear(struct view *v)
{
	json_decref(v->agents);
	json_decref(v->state);
}

/* Waits until the daemon job runs exactly want tasks, one per agent. */
static int
daemon_settles(size_t want)
{
	long long end = tu_now_ms() + WAIT_MS;

	while (tu_now_ms() < end) {
		struct view v;
		int ok;

		if (!look("node.", &v)) {
			tu_sleep_ms(100);
			continue;
		}
		ck_assert_msg(!v.doubled, "two daemon tasks on one agent");
		ok = v.running == want && v.live == want;
		view_clear(&v);
		if (ok)
			return 1;
		tu_sleep_ms(100);
	}
	return 0;
}

/* Number of live node tasks on the agent called host. */
static long
daemon_on(const char *host)
{
	struct view v;
	json_t *agents, *a;
	size_t i;
	long n = -1;

	if (!look("node.", &v))
		return -1;
	agents = json_object_get(v.state, "slaves");
	json_array_foreach(agents, i, a)
		if (strcmp(json_string_value(json_object_get(a, "hostname")),
		    host) == 0)
			n = (long)json_integer_value(json_object_get(v.agents,
			    json_string_value(json_object_get(a, "id"))));
	view_clear(&v);
	return n;
}

START_TEST(test_daemon_agents_blacklist)
{
	char url[160];
	long n;

	if (!daemon_settles(AGENTS)) {
		dump_logs();
		ck_abort_msg("the daemon job did not reach %d tasks", AGENTS);
	}
	/* five agents join */
	ck_assert_int_eq(tu_sim_control(control_port, "add-agents",
	    "{\"count\": 5}"), 200);
	if (!daemon_settles(AGENTS + 5)) {
		dump_logs();
		ck_abort_msg("new agents got no daemon task");
	}
	/* one leaves */
	ck_assert_int_eq(tu_sim_control(control_port, "remove-agent",
	    "{\"hostname\": \"agent-7.sim\"}"), 200);
	if (!daemon_settles(AGENTS + 4)) {
		dump_logs();
		ck_abort_msg("a removed agent kept its daemon task");
	}
	/* one is blacklisted */
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/blacklist/"
	    "agent-3.sim", admin_port);
	ck_assert_int_eq(tu_http("PUT", url, "application/json",
	    "{\"reason\": \"it test\"}", NULL), 200);
	if (!daemon_settles(AGENTS + 3)) {
		dump_logs();
		ck_abort_msg("a blacklisted agent kept its daemon task");
	}
	ck_assert_int_eq(daemon_on("agent-3.sim"), 0);
	/* and stays without one */
	tu_sleep_ms(3000);
	n = daemon_on("agent-3.sim");
	ck_assert_int_eq(n, 0);
	ck_assert(daemon_settles(AGENTS + 3));
}
END_TEST

START_TEST(test_service_random_failures)
{
	unsigned seed = (unsigned)time(NULL);
	long long end;
	int ok = 0;

	if (getenv("ARK_TEST_SEED") != NULL)
		seed = (unsigned)strtoul(getenv("ARK_TEST_SEED"), NULL, 10);
	printf("test_service_random_failures: seed %u\n", seed);
	fflush(stdout);
	srand(seed);
	ck_assert(TU_WAIT(WAIT_MS, ({ struct view v; int r = look("svc.", &v)
	    && v.running == SERVICE_N; if (v.state) view_clear(&v); r; })));
	for (int i = 0; i < 30; i++) {
		struct view v;
		json_t *fws, *fw, *t;
		size_t a, b, pick, seen = 0;
		char body[256] = "";

		if (!look("svc.", &v))
			continue;
		ck_assert_int_le(v.live, SERVICE_N);
		pick = v.running > 0 ? (size_t)rand() % v.running : 0;
		fws = json_object_get(v.state, "frameworks");
		json_array_foreach(fws, a, fw)
			json_array_foreach(json_object_get(fw, "tasks"), b, t) {
				const char *id = json_string_value(
				    json_object_get(t, "id"));

				if (strncmp(id, "svc.", 4) != 0 ||
				    strcmp(json_string_value(json_object_get(t,
				    "state")), "TASK_RUNNING") != 0)
					continue;
				if (seen++ == pick)
					snprintf(body, sizeof body,
					    "{\"task_id\": \"%s\"}", id);
			}
		view_clear(&v);
		if (body[0] != '\0')
			tu_sim_control(control_port, rand() % 2 ?
			    "fail-task" : "crash-task", body);
		tu_sleep_ms(100 + rand() % 400);
	}
	end = tu_now_ms() + WAIT_MS;
	while (tu_now_ms() < end && !ok) {
		struct view v;

		if (look("svc.", &v)) {
			ck_assert_int_le(v.live, SERVICE_N);
			ok = v.running == SERVICE_N && v.live == SERVICE_N;
			view_clear(&v);
		}
		tu_sleep_ms(100);
	}
	if (!ok)
		dump_logs();
	ck_assert_msg(ok, "the service did not come back to %d (seed %u)",
	    SERVICE_N, seed);
}
END_TEST

static Suite *
sched_sim_suite(void)
{
	Suite *s = suite_create("sched_sim");
	TCase *tc = tcase_create("sim");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_daemon_agents_blacklist);
	tcase_add_test(tc, test_service_random_failures);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sched_sim_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_kill_all();
	return failed == 0 ? 0 : 1;
}
