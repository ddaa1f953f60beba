/*
 * check_reconcile_sim — reconciliation end to end, arkd against ark-sim:
 * after a master failover whose agents re-register late, arkd keeps
 * retrying with growing waits and launches no replacement for tasks that
 * are only slow to report; after kill -9 between ACCEPT and the first status
 * update, the restarted arkd adopts the launched tasks instead of launching
 * them again; a task the master forgot is declared lost and replaced exactly
 * once. Asserted on ark-sim's counters and /state.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../lib/testutil.h"
#include "xmalloc.h"

#define WAIT_MS		60000

static char *dir;
static int control_port, admin_port, master_port;
static char cfg_path[512], sim_log[512], arkd_log[512];
static pid_t arkd_pid;

/* Starts ark-sim with extra flags (NULL-terminated, at most 8). */
static void
start_sim(const char *const *extra)
{
	static const char *const args[] = { "--port", "0", "--agents", "5",
	    "--allocation-interval", "0.2", "--heartbeat-interval", "1",
	    "--log-level", "info", NULL };
	char ports[512];

	snprintf(ports, sizeof ports, "%s/ports", dir);
	tu_sim_start(ports, sim_log, args, extra, &master_port, &control_port);
	ck_assert_msg(master_port > 0, "ark-sim did not start");
	ck_assert(control_port > 0);
}

static void
write_config(int instances)
{
	FILE *f = fopen(cfg_path, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "{\"master\": {\"masters\": [\"http://127.0.0.1:%d\"],"
	    " \"backoff_initial_s\": 0.2, \"backoff_max_s\": 1},"
	    " \"framework\": {\"name\": \"ark-it\", \"user\": \"nobody\","
	    " \"roles\": [\"*\"], \"partition_aware\": true},"
	    " \"scheduling\": {\"refuse_seconds\": 1, \"revive_debounce_s\": 0.2,"
	    " \"agents_refresh_s\": 2, \"launch_timeout_s\": 30},"
	    " \"reconciliation\": {\"initial_s\": 0.5, \"factor\": 2,"
	    " \"max_s\": 4},"
	    " \"admin\": {\"listen\": \"127.0.0.1:%d\"},"
	    " \"state_dir\": \"%s/state\","
	    " \"jobs\": [{\"id\": \"svc\", \"kind\": \"service\","
	    " \"instances\": %d, \"command\": \"sleep 1000\","
	    " \"resources\": {\"cpus\": 0.1, \"mem\": 16},"
	    " \"restart\": {\"backoff_s\": 0.2}}]}", master_port, admin_port,
	    dir, instances);
	fclose(f);
}

static void
start_arkd(void)
{
	char *argv[] = { (char *)tu_bin("arkd"), (char *)"-c", cfg_path,
	    (char *)"--log-format", (char *)"plain", (char *)"--log-level",
	    (char *)"info", NULL };

	arkd_pid = tu_spawn(argv, arkd_log);
}

static void
setup(void)
{
	dir = tu_tmpdir("reconcile-sim");
	snprintf(cfg_path, sizeof cfg_path, "%s/arkd.json", dir);
	snprintf(sim_log, sizeof sim_log, "%s/sim.log", dir);
	snprintf(arkd_log, sizeof arkd_log, "%s/arkd.log", dir);
	admin_port = tu_free_port();
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
	tu_dump_log(sim_log, 30);
}

/* ark-sim's /state (new reference, NULL on failure). */
static json_t *
sim_state(void)
{
	return tu_sim_json(control_port, "/state");
}

/* A counter of ark-sim ("tasks_launched") or a call count ("RECONCILE"). */
static long
counter(const char *name)
{
	json_t *st = sim_state();
	long v = -1;

	if (st == NULL)
		return -1;
	v = tu_sim_counter_of(json_object_get(st, "counters"), name);
	json_decref(st);
	return v;
}

/* Live tasks ark-sim knows, and how many of them run. */
static int
tasks(size_t *live, size_t *running, char *first, size_t firstlen)
{
	json_t *st = sim_state(), *fw, *t;
	size_t i, k;

	*live = *running = 0;
	if (st == NULL)
		return 0;
	json_array_foreach(json_object_get(st, "frameworks"), i, fw)
		json_array_foreach(json_object_get(fw, "tasks"), k, t) {
			const char *s = json_string_value(json_object_get(t,
			    "state"));

			if (strcmp(s, "TASK_RUNNING") == 0) {
				(*running)++;
				if (first != NULL && *running == 1)
					snprintf(first, firstlen, "%s",
					    json_string_value(json_object_get(t,
					    "id")));
			}
			if (strcmp(s, "TASK_RUNNING") == 0 ||
			    strcmp(s, "TASK_STAGING") == 0 ||
			    strcmp(s, "TASK_STARTING") == 0 ||
			    strcmp(s, "TASK_KILLING") == 0)
				(*live)++;
		}
	json_decref(st);
	return 1;
}

static int
all_running(size_t n)
{
	size_t live, running;

	return tasks(&live, &running, NULL, 0) && live == n && running == n;
}

/* arkd's reconciliation state ("idle", ...) into buf. */
static void
arkd_recon(char *buf, size_t len)
{
	char url[128];
	json_t *st;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/state", admin_port);
	st = tu_get_json(url);
	snprintf(buf, len, "%s", st == NULL ? "?" : json_string_value(
	    json_object_get(json_object_get(st, "reconciliation"), "state")));
	json_decref(st);
}

START_TEST(test_failover_slow_agents)
{
	long launched, recon0, recon1;
	char phase[32];
	char url[128];

	start_sim(NULL);
	write_config(5);
	start_arkd();
	if (!TU_WAIT(WAIT_MS, all_running(5))) {
		dump_logs();
		ck_abort_msg("the service did not start");
	}
	launched = counter("tasks_launched");
	ck_assert(TU_WAIT(10000, (arkd_recon(phase, sizeof phase),
	    strcmp(phase, "idle") == 0)));
	recon0 = counter("RECONCILE");
	/* the master fails over; agents come back only after 8 s */
	ck_assert_int_eq(tu_sim_control(control_port, "failover",
	    "{\"reregister_delay\": 8}"), 200);
	tu_sleep_ms(7000);
	recon1 = counter("RECONCILE");
	/* retried: 0.5, 1, 2, 4 s waits -> several rounds in 7 s */
	ck_assert_msg(recon1 - recon0 >= 3, "only %ld RECONCILE calls",
	    recon1 - recon0);
	ck_assert_int_eq(counter("tasks_launched"), launched);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/readyz", admin_port);
	ck_assert_int_eq(tu_http("GET", url, NULL, NULL, NULL), 503);
	/* the agents are back: it finishes, nothing was launched */
	if (!TU_WAIT(WAIT_MS, tu_http("GET", url, NULL, NULL, NULL) == 200)) {
		dump_logs();
		ck_abort_msg("reconciliation did not finish");
	}
	ck_assert(TU_WAIT(10000, all_running(5)));
	ck_assert_int_eq(counter("tasks_launched"), launched);
}
END_TEST

START_TEST(test_kill9_between_accept_and_update)
{
	static const char *slow[] = { "--start-delay", "4", NULL };
	long launched;

	start_sim(slow);
	write_config(3);
	start_arkd();
	ck_assert(TU_WAIT(WAIT_MS, counter("tasks_launched") == 3));
	/* launched, no update yet (4 s to TASK_STARTING): kill -9 */
	tu_stop(arkd_pid, SIGKILL, 5000);
	launched = counter("tasks_launched");
	ck_assert_int_eq(launched, 3);
	start_arkd();
	if (!TU_WAIT(WAIT_MS, all_running(3))) {
		dump_logs();
		ck_abort_msg("the tasks did not come up");
	}
	tu_sleep_ms(3000);
	/* adopted, not launched again */
	ck_assert_int_eq(counter("tasks_launched"), 3);
	ck_assert(all_running(3));
}
END_TEST

START_TEST(test_forgotten_task_replaced_once)
{
	char tid[256] = "", body[320], url[128];

	start_sim(NULL);
	write_config(3);
	start_arkd();
	if (!TU_WAIT(WAIT_MS, all_running(3))) {
		dump_logs();
		ck_abort_msg("the service did not start");
	}
	{
		size_t live, running;

		tasks(&live, &running, tid, sizeof tid);
	}
	ck_assert(tid[0] != '\0');
	ck_assert_int_eq(counter("tasks_launched"), 3);
	snprintf(body, sizeof body, "{\"task_id\": \"%s\"}", tid);
	ck_assert_int_eq(tu_sim_control(control_port, "forget-task", body),
	    200);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/reconcile",
	    admin_port);
	ck_assert(TU_WAIT(10000, tu_http("POST", url, "application/json",
	    "{}", NULL) == 202));
	if (!TU_WAIT(WAIT_MS, all_running(3) &&
	    counter("tasks_launched") == 4)) {
		dump_logs();
		ck_abort_msg("the forgotten task was not replaced");
	}
	/* exactly once, also after more reconciliations */
	tu_http("POST", url, "application/json", "{}", NULL);
	tu_sleep_ms(4000);
	ck_assert_int_eq(counter("tasks_launched"), 4);
	ck_assert(all_running(3));
}
END_TEST

static Suite *
reconcile_sim_suite(void)
{
	Suite *s = suite_create("reconcile_sim");
	TCase *tc = tcase_create("sim");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_failover_slow_agents);
	tcase_add_test(tc, test_kill9_between_accept_and_update);
	tcase_add_test(tc, test_forgotten_task_replaced_once);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(reconcile_sim_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_kill_all();
	return failed == 0 ? 0 : 1;
}
