/*
 * bench/e2e — arkd end to end against ark-sim, measured from outside the
 * way an operator would: (1) status updates persisted and acknowledged per
 * second: arkd runs 1,000 tasks, then ark-sim floods it with TASK_RUNNING
 * updates whose health flips from one update of a task to the next, so
 * that every update changes a task and is written to the store before its
 * ACKNOWLEDGE goes out; the rate is ark-sim's count of first
 * acknowledgements over the flood (and over its steady middle), checked
 * against arkd's own count of store rows; (2) arkd's RSS per running task:
 * VmRSS of arkd subscribed to 1,000 agents with an empty service, then
 * again once that service runs 100,000 tasks (launched through offers,
 * every update acknowledged). Floors (issue 6): 25,000 updates/s, and
 * under 2 KiB per task; (3) the time a restarted arkd takes to reconcile
 * those 100,000 tasks (figures only). The state directory lives under $ARK_BIN (a real
 * disk, fsync and all). Every phase is bounded in time; the figures are
 * printed with "ok" or "BELOW FLOOR", and the exit status is non-zero if
 * a floor is missed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "buf.h"
#include "xmalloc.h"

#define FLOOD_AGENTS	100
#define FLOOD_TASKS	1000
#define FLOOD_COUNT	600000
#define FLOOD_SECS	60.0		/* cap of the flood phase */
#define FLOOR_RATE	25000.0		/* updates/s */
#define RSS_AGENTS	1000
#define RSS_TASKS	100000
#define RSS_SECS	120.0		/* cap of the launch of RSS_TASKS */
#define FLOOR_RSS	2048.0		/* bytes per task */

static const char *bin_dir;
static char *work;
static pid_t sim_pid, arkd_pid;
static int sim_port, control_port, admin_port;
static CURL *curl;

/* Monotonic seconds. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleeps ms milliseconds. */
static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Stops a child: SIGTERM, then SIGKILL after 5 s. */
static void
stop(pid_t *pid)
{
	double end = now() + 5;

	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	while (waitpid(*pid, NULL, WNOHANG) == 0) {
		if (now() > end) {
			kill(*pid, SIGKILL);
			waitpid(*pid, NULL, 0);
			break;
		}
		sleep_ms(20);
	}
	*pid = 0;
}

/* Removes the work directory (made by mkdtemp under bin_dir). */
static void
cleanup(void)
{
	pid_t pid;

	stop(&arkd_pid);
	stop(&sim_pid);
	if (work == NULL)
		return;
	pid = fork();
	if (pid == 0) {
		execlp("rm", "rm", "-rf", work, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	free(work);
	work = NULL;
}

/* Prints why the bench cannot go on, stops the children, exits 1. */
static void
die(const char *what)
{
	fprintf(stderr, "bench/e2e: %s (logs in %s)\n", what,
	    work != NULL ? work : "?");
	/* keep the logs for a look */
	free(work);
	work = NULL;
	stop(&arkd_pid);
	stop(&sim_pid);
	exit(1);
}

/* Starts argv with stdout and stderr appended to log. */
static pid_t
spawn(char *const argv[], const char *log)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork failed");
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/* The first number of a file's line that starts with prefix ("" = 1st). */
static int
read_port(const char *path, const char *prefix, double timeout)
{
	double end = now() + timeout;

	while (now() < end) {
		FILE *f = fopen(path, "r");
		char line[256];
		long port = -1;

		if (f != NULL) {
			while (fgets(line, sizeof line, f) != NULL)
				if (strncmp(line, prefix, strlen(prefix)) == 0) {
					char *e;

					port = strtol(line + strlen(prefix), &e,
					    10);
					if (e == line + strlen(prefix))
						port = -1;
					break;
				}
			fclose(f);
		}
		if (port > 0 && port < 65536)
			return (int)port;
		sleep_ms(20);
	}
	return -1;
}

/* libcurl's write callback: appends to a struct buf. */
static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	return buf_add(arg, p, size * n) == 0 ? size * n : 0;
}

/* One request on the shared keep-alive handle; the status, body in *out. */
static long
http(const char *method, int port, const char *path, const char *body,
    char **out)
{
	struct curl_slist *h = NULL;
	char url[256];
	struct buf b;
	long status = 0;

	buf_init(&b, 256u << 20);
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	if (body != NULL) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	if (curl_easy_perform(curl) == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	if (out != NULL)
		*out = buf_steal(&b, NULL);
	else
		buf_clear(&b);
	return status;
}

/* GET as JSON (new reference, NULL on failure). */
static json_t *
get_json(int port, const char *path)
{
	char *body = NULL;
	json_t *j = NULL;

	if (http("GET", port, path, NULL, &body) == 200)
		j = json_loads(body, 0, NULL);
	free(body);
	return j;
}

/* A counter (or call count) of that name in ark-sim's /counters. */
static double
counter(json_t *c, const char *name)
{
	json_t *v = json_object_get(c, name);

	if (v == NULL)
		v = json_object_get(json_object_get(c, "calls"), name);
	return v == NULL ? 0 : json_number_value(v);
}

/* ark-sim's /counters (new reference, NULL on failure). */
static json_t *
counters(void)
{
	return get_json(control_port, "/counters");
}

/* A sample of arkd's /metrics: the value of a series without labels. */
static double
metric(const char *name)
{
	char *body = NULL, *p;
	double v = -1;
	size_t len = strlen(name);

	if (http("GET", admin_port, "/metrics", NULL, &body) != 200) {
		free(body);
		return -1;
	}
	for (p = body; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, name, len) == 0 && p[len] == ' ') {
			v = strtod(p + len + 1, NULL);
			break;
		}
	}
	free(body);
	return v;
}

/* VmRSS of pid in KiB, -1 if unknown. */
static long
rss_kib(pid_t pid)
{
	char path[64], line[256];
	FILE *f;
	long kb = -1;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

/* Starts ark-sim with n agents in a fresh directory tag. */
static void
start_sim(const char *tag, int agents)
{
	char ports[600], log[600], n[16];
	char *argv[] = { NULL, (char *)"--port", (char *)"0",
	    (char *)"--control-port", (char *)"0", (char *)"--port-file", ports,
	    (char *)"--agents", n, (char *)"--allocation-interval", (char *)"0.2",
	    (char *)"--heartbeat-interval", (char *)"5", (char *)"--log-level",
	    (char *)"warn", NULL };
	char sim[600];

	snprintf(sim, sizeof sim, "%s/ark-sim", bin_dir);
	argv[0] = sim;
	snprintf(ports, sizeof ports, "%s/%s.ports", work, tag);
	snprintf(log, sizeof log, "%s/%s.sim.log", work, tag);
	snprintf(n, sizeof n, "%d", agents);
	sim_pid = spawn(argv, log);
	sim_port = read_port(ports, "", 60);
	control_port = read_port(ports, "control ", 10);
	if (sim_port < 0 || control_port < 0)
		die("ark-sim did not start");
}

/* Starts arkd on ark-sim with one service job of n tiny instances. */
static void
start_arkd(const char *tag, int instances)
{
	char cfg[600], log[600], port_file[600], state[600], bin[600];
	char *argv[] = { bin, (char *)"-c", cfg, (char *)"--admin-port-file",
	    port_file, (char *)"--log-format", (char *)"plain", NULL };
	FILE *f;

	snprintf(bin, sizeof bin, "%s/arkd", bin_dir);
	snprintf(cfg, sizeof cfg, "%s/%s.json", work, tag);
	snprintf(log, sizeof log, "%s/%s.arkd.log", work, tag);
	snprintf(port_file, sizeof port_file, "%s/%s.admin", work, tag);
	snprintf(state, sizeof state, "%s/%s.state", work, tag);
	f = fopen(cfg, "w");
	if (f == NULL)
		die("cannot write the configuration");
	fprintf(f, "{\"master\": {\"masters\": [\"http://127.0.0.1:%d\"]},"
	    " \"framework\": {\"name\": \"ark-bench\", \"user\": \"nobody\","
	    " \"roles\": [\"*\"]},"
	    " \"scheduling\": {\"refuse_seconds\": 5, \"revive_debounce_s\": 0.1,"
	    " \"launch_timeout_s\": 300},"
	    " \"admin\": {\"listen\": \"127.0.0.1:0\"},"
	    " \"log\": {\"level\": \"warn\"},"
	    " \"state_dir\": \"%s\","
	    " \"jobs\": [{\"id\": \"svc\", \"kind\": \"service\","
	    " \"instances\": %d, \"command\": \"sleep 100000\","
	    " \"resources\": {\"cpus\": 0.01, \"mem\": 1}}]}", sim_port, state,
	    instances);
	fclose(f);
	arkd_pid = spawn(argv, log);
	admin_port = read_port(port_file, "", 30);
	if (admin_port < 0)
		die("arkd did not start");
}

/*
 * Waits until ark-sim runs n tasks, all RUNNING with every update
 * acknowledged; -1 on timeout, else the seconds it took.
 */
static double
wait_running(double n, double timeout)
{
	double t0 = now(), end = t0 + timeout;

	while (now() < end) {
		json_t *c = counters();
		int done = c != NULL && counter(c, "tasks") == n &&
		    counter(c, "updates_unacked") == 0 &&
		    counter(c, "updates_acked") >= 2 * n;

		json_decref(c);
		if (done)
			return now() - t0;
		if (waitpid(arkd_pid, NULL, WNOHANG) != 0)
			die("arkd exited");
		sleep_ms(200);
	}
	return -1;
}

/* Phase 1: the flood. Returns 0 if the floor is met. */
static int
bench_flood(void)
{
	char body[128];
	json_t *c;
	double t0, t1 = 0, acked = 0, last = 0, rows0, rows1, took;
	double mid_t0 = 0, mid_a0 = 0, mid_t1 = 0, mid_a1 = 0, dup;
	long rss;

	start_sim("flood", FLOOD_AGENTS);
	start_arkd("flood", FLOOD_TASKS);
	took = wait_running(FLOOD_TASKS, 60);
	if (took < 0)
		die("flood: the tasks did not all start");
	printf("%d tasks RUNNING on %d agents, every update acknowledged, "
	    "in %.2f s\n", FLOOD_TASKS, FLOOD_AGENTS, took);
	rows0 = metric("ark_store_rows_total");
	snprintf(body, sizeof body, "{\"count\": %d, \"flap\": true}",
	    FLOOD_COUNT);
	t0 = now();
	if (http("POST", control_port, "/control/flood", body, NULL) != 200)
		die("flood: ark-sim refused the flood");
	while (now() - t0 < FLOOD_SECS) {
		sleep_ms(100);
		c = counters();
		if (c == NULL)
			continue;
		acked = counter(c, "flood_acked");
		json_decref(c);
		t1 = now();
		/* the steady middle: from 20% to 80% of the flood */
		if (mid_t0 == 0 && acked >= 0.2 * FLOOD_COUNT) {
			mid_t0 = t1;
			mid_a0 = acked;
		}
		if (mid_t1 == 0 && acked >= 0.8 * FLOOD_COUNT) {
			mid_t1 = t1;
			mid_a1 = acked;
		}
		if (acked >= FLOOD_COUNT || (acked == last && acked > 0 &&
		    t1 - t0 > 5 && waitpid(arkd_pid, NULL, WNOHANG) != 0))
			break;
		last = acked;
	}
	c = counters();
	dup = counter(c, "flood_acks_duplicate");
	json_decref(c);
	rows1 = metric("ark_store_rows_total");
	rss = rss_kib(arkd_pid);
	{
		double rate = acked / (t1 - t0);
		double mid = mid_t1 > mid_t0 ? (mid_a1 - mid_a0) /
		    (mid_t1 - mid_t0) : 0;

		printf("status updates persisted and acknowledged: %.0f of %d "
		    "in %.2f s = %.0f/s (steady middle %.0f/s); duplicate "
		    "acks %.0f; store rows written %.0f (%.2f per update); "
		    "arkd RSS after %ld KiB\n", acked, FLOOD_COUNT, t1 - t0,
		    rate, mid, dup, rows1 - rows0, acked > 0 ?
		    (rows1 - rows0) / acked : 0, rss);
		printf("e2e updates/s: %.0f (floor %.0f): %s\n", rate,
		    FLOOR_RATE, rate >= FLOOR_RATE && acked >= FLOOD_COUNT ?
		    "ok" : "BELOW FLOOR");
		stop(&arkd_pid);
		stop(&sim_pid);
		return rate >= FLOOR_RATE && acked >= FLOOD_COUNT ? 0 : -1;
	}
}

/*
 * Phase 3 (figures only, issue 7): arkd restarted over the 100,000 running
 * tasks of phase 2 reconciles them all explicitly in batches; prints the
 * time from its SUBSCRIBED to the end of the explicit part (arkd's own
 * last_duration_ms), the rounds and RECONCILE calls it took, and how many
 * answers ark-sim sent for them.
 */
static void
bench_reconcile(void)
{
	double t0, end;
	json_t *c, *st = NULL, *calls;
	double calls0, answers0, rounds = 0, ms = -1;

	stop(&arkd_pid);
	c = counters();
	calls = json_object_get(c, "calls");
	calls0 = json_number_value(json_object_get(calls, "RECONCILE"));
	answers0 = counter(c, "reconcile_updates");
	json_decref(c);
	{
		char path[600];

		/* the restart writes its own port; never read the old one */
		snprintf(path, sizeof path, "%s/rss.admin", work);
		unlink(path);
	}
	t0 = now();
	start_arkd("rss", RSS_TASKS);
	end = t0 + 120;
	while (now() < end) {
		json_t *r;

		st = get_json(admin_port, "/v1/state");
		r = json_object_get(st, "reconciliation");
		if (r != NULL && json_integer_value(json_object_get(r,
		    "rounds")) > 0 && json_integer_value(json_object_get(r,
		    "outstanding")) == 0 && json_integer_value(json_object_get(
		    r, "last_duration_ms")) > 0) {
			rounds = (double)json_integer_value(json_object_get(r,
			    "rounds"));
			ms = (double)json_integer_value(json_object_get(r,
			    "last_duration_ms"));
			json_decref(st);
			break;
		}
		json_decref(st);
		if (waitpid(arkd_pid, NULL, WNOHANG) != 0)
			die("reconcile: arkd exited");
		sleep_ms(100);
	}
	if (ms < 0) {
		printf("e2e reconciliation of %d tasks: did not complete in "
		    "120 s\n", RSS_TASKS);
		return;
	}
	c = counters();
	calls = json_object_get(c, "calls");
	printf("e2e reconciliation of %d tasks after a restart: %.2f s from "
	    "SUBSCRIBED to every task answered (%.0f round(s), %.0f RECONCILE "
	    "calls, %.0f answers from ark-sim, %.1f s wall incl. start-up)\n",
	    RSS_TASKS, ms / 1000.0, rounds,
	    json_number_value(json_object_get(calls, "RECONCILE")) - calls0,
	    counter(c, "reconcile_updates") - answers0, now() - t0);
	json_decref(c);
}

/* Phase 2: RSS per running task. Returns 0 if the floor is met. */
static int
bench_rss(void)
{
	char body[64];
	long before, after;
	double took, per;

	start_sim("rss", RSS_AGENTS);
	start_arkd("rss", 0);
	/* subscribed, agents known, offers coming and declined */
	{
		double end = now() + 30;

		while (now() < end) {
			json_t *c = counters();
			double declined = counter(c, "offers_declined");

			json_decref(c);
			if (declined >= RSS_AGENTS)
				break;
			sleep_ms(200);
		}
	}
	sleep_ms(1000);
	before = rss_kib(arkd_pid);
	snprintf(body, sizeof body, "{\"instances\": %d}", RSS_TASKS);
	if (http("PATCH", admin_port, "/v1/jobs/svc", body, NULL) != 200)
		die("rss: arkd refused the scale-up");
	took = wait_running(RSS_TASKS, RSS_SECS);
	if (took < 0)
		die("rss: 100,000 tasks did not all start in time");
	sleep_ms(1000);
	after = rss_kib(arkd_pid);
	per = (double)(after - before) * 1024.0 / RSS_TASKS;
	printf("%d tasks launched through offers and RUNNING in %.1f s; arkd "
	    "RSS %ld KiB idle on %d agents, %ld KiB with the tasks\n",
	    RSS_TASKS, took, before, RSS_AGENTS, after);
	printf("e2e RSS per running task: %.0f bytes (floor < %.0f): %s\n",
	    per, FLOOR_RSS, per < FLOOR_RSS ? "ok" : "BELOW FLOOR");
	bench_reconcile();
	stop(&arkd_pid);
	stop(&sim_pid);
	return per < FLOOR_RSS ? 0 : -1;
}

/* SIGINT/SIGTERM: the children must not outlive the bench. */
static void
on_signal(int sig)
{
	if (arkd_pid > 0)
		kill(arkd_pid, SIGKILL);
	if (sim_pid > 0)
		kill(sim_pid, SIGKILL);
	_exit(128 + sig);
}

int
main(void)
{
	char *tmpl;
	int rc = 0;

	bin_dir = getenv("ARK_BIN");
	if (bin_dir == NULL)
		bin_dir = "build";
	tmpl = xasprintf("%s/bench-e2e-XXXXXX", bin_dir);
	if (mkdtemp(tmpl) == NULL) {
		perror(tmpl);
		return 1;
	}
	work = tmpl;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	curl = curl_easy_init();
	if (bench_flood() != 0)
		rc = 1;
	if (bench_rss() != 0)
		rc = 1;
	curl_easy_cleanup(curl);
	cleanup();
	return rc;
}
