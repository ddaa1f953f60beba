/*
 * check_operator — the operator's surface end to end: a real arkd against
 * ark-sim, driven through the real arkctl and raw HTTP, with everything
 * arkctl and the admin API say checked against what the master sees (ark-sim's
 * /state and /counters). Covers every endpoint of docs/admin-api.md and every
 * arkctl command (tables and --json, exit codes 0/1/2/3), bad requests
 * against the running daemon, /metrics through promtool, reloads (broken
 * files, jobs added, removed and changed, restart-only options), systemd's
 * notify protocol through a test double of $NOTIFY_SOCKET, SIGTERM/SIGINT,
 * log formats, the offline flags, the man pages against the binaries, and
 * the exit code of refused credentials.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <check.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "../lib/testutil.h"
#include "xmalloc.h"

#define FW_NAME		"ark-op"
#define AGENTS		4
#define WAIT_MS		60000
#define RUN_MS		30000	/* one arkctl or arkd --flag run */

/* A daemon job on every agent and a service of three. */
#define JOBS_MAIN							\
	"{\"id\": \"node\", \"kind\": \"daemon\", \"command\": \"sleep 1000\","\
	" \"resources\": {\"cpus\": 0.1, \"mem\": 16}},\n"		\
	"{\"id\": \"web\", \"kind\": \"service\", \"instances\": 3,"	\
	" \"command\": \"sleep 1000\", \"resources\": {\"cpus\": 0.1,"	\
	" \"mem\": 16}, \"restart\": {\"backoff_s\": 0.2, \"factor\": 2,"\
	" \"max_s\": 1}}"

static char *dir;
static pid_t sim_pid = -1, arkd_pid = -1;
static int master_port, control_port, admin_port;
static char sim_log[512], arkd_log[512], cfg_path[512], state_dir[512];
static char aport_file[512], ports_file[512];
static const char *fw_extra = "";	/* more members of "framework" */
static const char *master_extra = "";	/* more members of "master" */

/* ---- processes ----------------------------------------------------------- */

/* Dumps the logs of both programs (on a failure). */
static void
dump_logs(void)
{
	tu_dump_log(arkd_log, 80);
	tu_dump_log(sim_log, 20);
}

/* Makes the private directory and the paths in it. */
static void
paths_init(const char *tag)
{
	dir = tu_tmpdir(tag);
	snprintf(ports_file, sizeof ports_file, "%s/ports", dir);
	snprintf(sim_log, sizeof sim_log, "%s/sim.log", dir);
	snprintf(arkd_log, sizeof arkd_log, "%s/arkd.log", dir);
	snprintf(cfg_path, sizeof cfg_path, "%s/arkd.json", dir);
	snprintf(state_dir, sizeof state_dir, "%s/state", dir);
	snprintf(aport_file, sizeof aport_file, "%s/admin.port", dir);
	sim_pid = arkd_pid = -1;
	master_port = control_port = admin_port = 0;
	fw_extra = "";
	master_extra = "";
}

/*
 * Starts ark-sim with AGENTS agents on port (0: any) plus the extra
 * arguments (NULL-terminated, may be NULL); sets the ports.
 */
static void
sim_start(int port, const char *const *extra)
{
	char portarg[16], agents[16];
	const char *args[] = { "--port", portarg, "--agents", agents,
	    "--allocation-interval", "0.2", "--heartbeat-interval", "1",
	    "--log-level", "warn", NULL };

	snprintf(portarg, sizeof portarg, "%d", port);
	snprintf(agents, sizeof agents, "%d", AGENTS);
	unlink(ports_file);
	sim_pid = tu_sim_start(ports_file, sim_log, args, extra, &master_port,
	    &control_port);
	ck_assert_msg(master_port > 0, "ark-sim did not start");
	ck_assert(control_port > 0);
}

/*
 * Writes arkd's configuration: the master on master_port (or port if not
 * 0), admin on any loopback port plus admin_extra, state in state, jobs.
 */
static void
cfg_write_to(const char *path, int port, const char *state,
    const char *admin_extra, const char *jobs)
{
	char *s = xasprintf("{\n"
	    "\"master\": {\"masters\": [\"http://127.0.0.1:%d\"]%s},\n"
	    "\"framework\": {\"name\": \"" FW_NAME "\", \"user\": \"nobody\","
	    " \"roles\": [\"*\"]%s},\n"
	    "\"scheduling\": {\"refuse_seconds\": 1, \"revive_debounce_s\": 0.2,"
	    " \"agents_refresh_s\": 1, \"launch_timeout_s\": 10},\n"
	    "\"reconciliation\": {\"initial_s\": 0.5, \"max_s\": 4},\n"
	    "\"admin\": {\"listen\": \"127.0.0.1:0\"%s},\n"
	    "\"state_dir\": \"%s\",\n"
	    "\"jobs\": [\n%s\n]}\n", port != 0 ? port : master_port,
	    master_extra, fw_extra,
	    admin_extra != NULL ? admin_extra : "", state, jobs);

	ck_assert_int_eq(tu_write_file(path, s, 0644), 0);
	free(s);
}

/* Writes the usual configuration with jobs. */
static void
cfg_write(const char *jobs)
{
	cfg_write_to(cfg_path, 0, state_dir, NULL, jobs);
}

/*
 * Starts arkd on cfg_path with the extra arguments (NULL-terminated, may be
 * NULL), its log in log; waits for its admin port unless wait_port is 0.
 */
static void
arkd_start_log(const char *log, const char *const *extra, int wait_port)
{
	const char *argv[24];
	char bin[512];
	int n = 0;

	unlink(aport_file);
	snprintf(bin, sizeof bin, "%s", tu_bin("arkd"));
	argv[n++] = bin;
	argv[n++] = "-c";
	argv[n++] = cfg_path;
	argv[n++] = "--admin-port-file";
	argv[n++] = aport_file;
	argv[n++] = "--log-format";
	argv[n++] = "plain";
	for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 22; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	arkd_pid = tu_spawn((char *const *)argv, log);
	ck_assert_int_gt(arkd_pid, 0);
	if (!wait_port)
		return;
	admin_port = tu_wait_port_file(aport_file, 20000);
	if (admin_port <= 0)
		dump_logs();
	ck_assert_msg(admin_port > 0, "arkd did not open its admin API");
}

/* Starts arkd logging to arkd_log and waits for its admin port. */
static void
arkd_start(const char *const *extra)
{
	arkd_start_log(arkd_log, extra, 1);
}

/*
 * Waits up to ms for pid to exit by itself; returns its exit code, or -1
 * (having killed it) if it did not.
 */
static int
wait_exit(pid_t pid, int ms)
{
	int st = tu_stop(pid, 0, ms);

	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Kills what the test started and removes its directory. */
static void
teardown_all(void)
{
	tu_kill_all();
	tu_rmtree(dir);
	free(dir);
	dir = NULL;
}

/* ---- what ark-sim sees --------------------------------------------------- */

/* GET /what on ark-sim's control port as JSON (new ref), or NULL. */
static json_t *
sim_get(const char *what)
{
	char url[160];

	snprintf(url, sizeof url, "/%s", what);
	return tu_sim_json(control_port, url);
}

/* Our framework in a /state (borrowed), or NULL. */
static json_t *
our_fw(json_t *st)
{
	json_t *fw;
	size_t i;

	json_array_foreach(json_object_get(st, "frameworks"), i, fw) {
		const char *n = json_string_value(json_object_get(fw, "name"));

		if (n != NULL && strcmp(n, FW_NAME) == 0)
			return fw;
	}
	return NULL;
}

/* Whether a Mesos task state is terminal. */
static int
terminal(const char *st)
{
	static const char *const t[] = { "TASK_FINISHED", "TASK_FAILED",
	    "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED",
	    "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN" };

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(st, t[i]) == 0)
			return 1;
	return 0;
}

/*
 * The live (non-terminal) tasks of our framework whose id starts with
 * prefix: a new object id -> {"state", "agent_id"}; NULL if ark-sim does not
 * answer.
 */
static json_t *
sim_tasks(const char *prefix)
{
	json_t *st = sim_get("state"), *fw, *t, *out;
	size_t i;

	if (st == NULL)
		return NULL;
	out = json_object();
	fw = our_fw(st);
	json_array_foreach(json_object_get(fw, "tasks"), i, t) {
		const char *id = json_string_value(json_object_get(t, "id"));
		const char *s = json_string_value(json_object_get(t, "state"));

		if (id == NULL || s == NULL || terminal(s) ||
		    strncmp(id, prefix, strlen(prefix)) != 0)
			continue;
		json_object_set_new(out, id, json_pack("{s:s, s:O}", "state", s,
		    "agent_id", json_object_get(t, "agent_id")));
	}
	json_decref(st);
	return out;
}

/* How many tasks of a sim_tasks() object are in state. */
static size_t
count_state(json_t *tasks, const char *state)
{
	const char *k;
	json_t *v;
	size_t n = 0;

	json_object_foreach(tasks, k, v)
		if (strcmp(json_string_value(json_object_get(v, "state")),
		    state) == 0)
			n++;
	return n;
}

/* Whether prefix has exactly n live tasks on ark-sim, all RUNNING. */
static int
sim_running(const char *prefix, size_t n)
{
	json_t *t = sim_tasks(prefix);
	int ok;

	if (t == NULL)
		return 0;
	ok = json_object_size(t) == n && count_state(t, "TASK_RUNNING") == n;
	json_decref(t);
	return ok;
}

/* The sorted, comma-joined ids of a sim_tasks() object (caller frees). */
static char *
ids_of(json_t *tasks)
{
	const char **v = xcalloc(json_object_size(tasks) + 1, sizeof *v);
	const char *k;
	json_t *x;
	size_t n = 0;
	struct buf b;

	json_object_foreach(tasks, k, x)
		v[n++] = k;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			const char *tmp = v[j];

			v[j] = v[j - 1];
			v[j - 1] = tmp;
		}
	buf_init(&b, 0);
	buf_addstr(&b, "");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i > 0 ? "," : "", v[i]);
	free(v);
	return buf_steal(&b, NULL);
}

/* The ids of prefix's live tasks on ark-sim (caller frees). */
static char *
sim_ids(const char *prefix)
{
	json_t *t = sim_tasks(prefix);
	char *s;

	ck_assert_ptr_nonnull(t);
	s = ids_of(t);
	json_decref(t);
	return s;
}

/* A counter of ark-sim's /counters (path "calls.RECONCILE" style). */
static long long
sim_counter(const char *path)
{
	json_t *c = sim_get("counters"), *v = c;
	char *p = xstrdup(path), *save = NULL;
	long long n = -1;

	for (char *tok = strtok_r(p, ".", &save); tok != NULL && v != NULL;
	    tok = strtok_r(NULL, ".", &save))
		v = json_object_get(v, tok);
	if (v != NULL)
		n = json_integer_value(v);
	else if (c != NULL)
		n = 0;
	free(p);
	json_decref(c);
	return n;
}

/* ---- arkd's side --------------------------------------------------------- */

/* An admin API request; returns the status, body and headers as asked. */
static int
api(const char *method, const char *path, const char *body, char **out,
    char **headers)
{
	static const char *const ct[] = { "Content-Type: application/json",
	    NULL };
	char url[1200];

	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", admin_port, path);
	return tu_http_ex(method, url, body != NULL ? ct : NULL, body,
	    body != NULL ? strlen(body) : 0, out, headers);
}

/* GET path on the admin API as JSON (new reference); fails the test if not. */
static json_t *
api_json(const char *path)
{
	char *out = NULL;
	int st = api("GET", path, NULL, &out, NULL);
	json_t *j = json_loads(out != NULL ? out : "", 0, NULL);

	ck_assert_msg(st == 200 && j != NULL, "GET %s: %d %s", path, st, out);
	free(out);
	return j;
}

/*
 * Runs arkctl --addr <arkd> and the arguments (NULL-terminated); returns its
 * exit code, *out and *err (may be NULL; caller frees).
 */
static int
ctl_v(char **out, char **err, va_list ap)
{
	const char *argv[32];
	char bin[512], addr[64];
	const char *a;
	int n = 0;

	snprintf(bin, sizeof bin, "%s", tu_bin("arkctl"));
	snprintf(addr, sizeof addr, "127.0.0.1:%d", admin_port);
	argv[n++] = bin;
	argv[n++] = "--addr";
	argv[n++] = addr;
	while ((a = va_arg(ap, const char *)) != NULL && n < 31)
		argv[n++] = a;
	argv[n] = NULL;
	return tu_run((char *const *)argv, out, err, RUN_MS);
}

/* ctl_v with the arguments given here. */
static int
ctl(char **out, char **err, ...)
{
	va_list ap;
	int rc;

	va_start(ap, err);
	rc = ctl_v(out, err, ap);
	va_end(ap);
	return rc;
}

/* Runs arkctl --json ARGS; asserts exit 0 and JSON output (new ref). */
static json_t *
ctl_json(const char *first, ...)
{
	const char *argv[32];
	char bin[512], addr[64], *out = NULL, *err = NULL;
	const char *a;
	va_list ap;
	json_t *j;
	int n = 0, rc;

	snprintf(bin, sizeof bin, "%s", tu_bin("arkctl"));
	snprintf(addr, sizeof addr, "127.0.0.1:%d", admin_port);
	argv[n++] = bin;
	argv[n++] = "--addr";
	argv[n++] = addr;
	argv[n++] = "--json";
	argv[n++] = first;
	va_start(ap, first);
	while ((a = va_arg(ap, const char *)) != NULL && n < 31)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	rc = tu_run((char *const *)argv, &out, &err, RUN_MS);
	j = json_loads(out, 0, NULL);
	ck_assert_msg(rc == 0 && j != NULL, "arkctl --json %s: exit %d, "
	    "out %s, err %s", first, rc, out, err);
	free(out);
	free(err);
	return j;
}

/* Runs a program with arguments (NULL-terminated); exit code, output. */
static int
run(char **out, char **err, const char *prog, ...)
{
	const char *argv[32];
	const char *a;
	va_list ap;
	int n = 0;

	argv[n++] = prog;
	va_start(ap, prog);
	while ((a = va_arg(ap, const char *)) != NULL && n < 31)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return tu_run((char *const *)argv, out, err, RUN_MS);
}

/* Whether the admin API says ready (subscribed and reconciled). */
static int
ready(void)
{
	return api("GET", "/readyz", NULL, NULL, NULL) == 200;
}

/* Number of lines of s. */
static size_t
nlines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n')
			n++;
	return n;
}

/* The line of s that starts with prefix (caller frees), or NULL. */
static char *
line_of(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	while (*s != '\0') {
		const char *e = strchr(s, '\n');
		size_t len = e != NULL ? (size_t)(e - s) : strlen(s);

		if (len >= n && strncmp(s, prefix, n) == 0)
			return xstrndup(s, len);
		s += len;
		if (*s == '\n')
			s++;
	}
	return NULL;
}

/* Whether line has the words, in order, separated by blanks. */
static int
row_is(const char *line, ...)
{
	va_list ap;
	const char *w, *p = line;
	int ok = 1;

	va_start(ap, line);
	while ((w = va_arg(ap, const char *)) != NULL) {
		size_t n = strlen(w);

		while (*p == ' ')
			p++;
		if (strncmp(p, w, n) != 0 || (p[n] != ' ' && p[n] != '\0')) {
			ok = 0;
			break;
		}
		p += n;
	}
	va_end(ap);
	return ok;
}

/* The API's job from GET /v1/jobs by id (borrowed), or NULL. */
static json_t *
job_in(json_t *jobs, const char *id)
{
	json_t *j;
	size_t i;

	json_array_foreach(json_object_get(jobs, "jobs"), i, j)
		if (strcmp(json_string_value(json_object_get(j, "id")), id) ==
		    0)
			return j;
	return NULL;
}

/* The set of a member of every element of an array, as ids_of() does. */
static char *
ids_from(json_t *arr, const char *member)
{
	json_t *o = json_object(), *v;
	size_t i;
	char *s;

	json_array_foreach(arr, i, v)
		json_object_set_new(o, json_string_value(json_object_get(v,
		    member)), json_true());
	s = ids_of(o);
	json_decref(o);
	return s;
}

/* A string member, "" if missing. */
static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* An integer member, 0 if missing. */
static long long
jint(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* ---- the main fixture: ark-sim, arkd with node (daemon) and web (3) ------ */

/* ark-sim with AGENTS agents and arkd running node and web. */
static void
main_setup(void)
{
	paths_init("operator");
	sim_start(0, NULL);
	cfg_write(JOBS_MAIN);
	arkd_start(NULL);
	if (!TU_WAIT(WAIT_MS, sim_running("node.", AGENTS) &&
	    sim_running("web.", 3) && ready())) {
		dump_logs();
		ck_abort_msg("arkd did not start its 7 tasks");
	}
}

START_TEST(test_status)
{
	json_t *st = sim_get("state"), *fw = our_fw(st), *j, *s, *c;
	char leader[64], *out = NULL, *line;
	const char *fid = jstr(fw, "id");

	ck_assert_ptr_nonnull(fw);
	j = ctl_json("status", NULL);
	s = json_object_get(j, "session");
	c = json_object_get(j, "counts");
	snprintf(leader, sizeof leader, "127.0.0.1:%d", master_port);
	ck_assert_str_eq(jstr(j, "framework_id"), fid);
	ck_assert_str_eq(jstr(j, "leader"), leader);
	ck_assert_str_eq(jstr(s, "state"), "subscribed");
	ck_assert_str_eq(jstr(s, "stream_id"),
	    jstr(json_object_get(fw, "stream"), "stream_id"));
	ck_assert_int_gt(jint(s, "since"), 1600000000000LL);
	ck_assert_int_eq(jint(c, "jobs"), 2);
	ck_assert_int_eq(jint(c, "tasks"), AGENTS + 3);
	ck_assert_int_eq(jint(c, "agents"),
	    json_array_size(json_object_get(st, "slaves")));
	ck_assert_int_eq(jint(c, "blacklist"), 0);
	ck_assert(json_is_integer(json_object_get(c, "offers")));
	ck_assert_int_eq(strlen(jstr(j, "config_version")) > 0, 1);
	ck_assert(json_is_false(json_object_get(j, "dry_run")));
	ck_assert_str_eq(jstr(j, "version"), ARK_VERSION);
	ck_assert(json_is_object(json_object_get(j, "reconciliation")));
	ck_assert_int_eq(jint(json_object_get(j, "reconciliation"), "rounds")
	    >= 0, 1);

	/* the table says the same */
	ck_assert_int_eq(ctl(&out, NULL, "status", NULL), 0);
	line = line_of(out, "framework");
	ck_assert_ptr_nonnull(line);
	ck_assert(row_is(line, "framework", fid, NULL));
	free(line);
	line = line_of(out, "session");
	ck_assert_ptr_nonnull(line);
	ck_assert(row_is(line, "session", "subscribed", NULL));
	free(line);
	line = line_of(out, "tasks");
	ck_assert(row_is(line, "tasks", "7", NULL));
	free(line);
	line = line_of(out, "config version");
	ck_assert_ptr_nonnull(strstr(line, jstr(j, "config_version")));
	free(line);
	free(out);

	/* and the raw endpoint, also for HEAD */
	json_decref(j);
	j = api_json("/v1/state");
	ck_assert_str_eq(jstr(j, "framework_id"), fid);
	ck_assert_int_eq(api("HEAD", "/v1/state", NULL, NULL, NULL), 200);
	json_decref(j);
	json_decref(st);
}
END_TEST

START_TEST(test_jobs_and_job)
{
	json_t *j = ctl_json("jobs", NULL), *web, *node, *simt, *st, *v;
	char *out = NULL, *err = NULL, *line, *a, *b;
	size_t i;

	ck_assert_int_eq(json_array_size(json_object_get(j, "jobs")), 2);
	web = job_in(j, "web");
	node = job_in(j, "node");
	ck_assert_ptr_nonnull(web);
	ck_assert_ptr_nonnull(node);
	ck_assert_str_eq(jstr(web, "kind"), "service");
	ck_assert_int_eq(jint(web, "instances"), 3);
	ck_assert_int_eq(jint(web, "running"), 3);
	ck_assert_int_eq(jint(web, "pending"), 0);
	ck_assert(json_is_false(json_object_get(web, "suspended")));
	ck_assert_str_eq(jstr(node, "kind"), "daemon");
	ck_assert_int_eq(jint(node, "running"), AGENTS);
	json_decref(j);

	ck_assert_int_eq(ctl(&out, NULL, "jobs", NULL), 0);
	ck_assert_int_eq(nlines(out), 3);
	line = line_of(out, "web ");
	ck_assert(row_is(line, "web", "service", "3", "3", "0", "no", NULL));
	free(line);
	line = line_of(out, "node ");
	ck_assert(row_is(line, "node", "daemon", "(all)", "4", "0", "no",
	    NULL));
	free(line);
	free(out);

	/* job web: its slots are the tasks ark-sim runs */
	j = ctl_json("job", "web", NULL);
	simt = sim_tasks("web.");
	a = ids_from(json_object_get(j, "slots"), "task_id");
	b = ids_of(simt);
	ck_assert_str_eq(a, b);
	json_array_foreach(json_object_get(j, "slots"), i, v) {
		json_t *t = json_object_get(simt, jstr(v, "task_id"));

		ck_assert_str_eq(jstr(v, "state"), "TASK_RUNNING");
		ck_assert_str_eq(jstr(v, "agent_id"), jstr(t, "agent_id"));
	}
	ck_assert_str_eq(jstr(json_object_get(j, "spec"), "command"),
	    "sleep 1000");
	free(a);
	ck_assert_int_eq(ctl(&out, NULL, "job", "web", NULL), 0);
	{
		const char *k;

		json_object_foreach(simt, k, v)
			ck_assert_ptr_nonnull(strstr(out, k));
	}
	free(out);
	free(b);
	json_decref(simt);
	json_decref(j);

	/* job node: one slot per agent, coverage of every agent */
	j = ctl_json("job", "node", NULL);
	st = sim_get("state");
	simt = sim_tasks("node.");
	a = ids_from(json_object_get(j, "slots"), "task_id");
	b = ids_of(simt);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	a = ids_from(json_object_get(j, "coverage"), "agent_id");
	b = ids_from(json_object_get(st, "slaves"), "id");
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	json_array_foreach(json_object_get(j, "coverage"), i, v)
		ck_assert_str_eq(jstr(v, "status"), "running");
	json_decref(simt);
	json_decref(st);
	json_decref(j);

	ck_assert_int_eq(ctl(NULL, &err, "job", "nope", NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "unknown job"));
	free(err);
}
END_TEST

/* Asserts arkctl --json tasks ARGS lists exactly the tasks in want. */
static void
tasks_match(json_t *want, const char *a1, const char *v1, const char *a2,
    const char *v2)
{
	json_t *j = ctl_json("tasks", a1, v1, a2, v2, NULL), *t;
	char *a, *b;
	size_t i;

	a = ids_from(json_object_get(j, "tasks"), "id");
	b = ids_of(want);
	ck_assert_msg(strcmp(a, b) == 0, "tasks %s %s %s %s: %s, ark-sim: %s",
	    a1 ? a1 : "", v1 ? v1 : "", a2 ? a2 : "", v2 ? v2 : "", a, b);
	json_array_foreach(json_object_get(j, "tasks"), i, t) {
		json_t *s = json_object_get(want, jstr(t, "id"));

		ck_assert_str_eq(jstr(t, "state"), jstr(s, "state"));
		ck_assert_str_eq(jstr(t, "agent_id"), jstr(s, "agent_id"));
		ck_assert_int_eq(strncmp(jstr(t, "id"), jstr(t, "job"),
		    strlen(jstr(t, "job"))), 0);
	}
	free(a);
	free(b);
	json_decref(j);
}

/* The tasks of a sim_tasks() object on agent (new reference). */
static json_t *
on_agent(json_t *tasks, const char *agent)
{
	json_t *o = json_object(), *v;
	const char *k;

	json_object_foreach(tasks, k, v)
		if (strcmp(jstr(v, "agent_id"), agent) == 0)
			json_object_set(o, k, v);
	return o;
}

START_TEST(test_tasks_filters)
{
	json_t *all = sim_tasks(""), *web = sim_tasks("web."), *node =
	    sim_tasks("node."), *st = sim_get("state"), *empty = json_object();
	json_t *x;
	const char *agent;
	char *out = NULL, *err = NULL;
	const char *k;
	json_t *v;

	ck_assert_int_eq(json_object_size(all), AGENTS + 3);
	tasks_match(all, NULL, NULL, NULL, NULL);
	tasks_match(web, "--job", "web", NULL, NULL);
	tasks_match(all, "--state", "running", NULL, NULL);
	tasks_match(all, "--state", "TASK_RUNNING", NULL, NULL);
	tasks_match(empty, "--state", "killed", NULL, NULL);
	tasks_match(empty, "--state", "launching", NULL, NULL);
	agent = jstr(json_array_get(json_object_get(st, "slaves"), 0), "id");
	x = on_agent(all, agent);
	tasks_match(x, "--agent", agent, NULL, NULL);
	json_decref(x);
	x = on_agent(node, agent);
	ck_assert_int_eq(json_object_size(x), 1);
	tasks_match(x, "--job", "node", "--agent", agent);
	json_decref(x);
	/* an agent by hostname */
	x = on_agent(all, agent);
	tasks_match(x, "--agent", jstr(json_array_get(json_object_get(st,
	    "slaves"), 0), "hostname"), NULL, NULL);
	json_decref(x);
	tasks_match(web, "--job", "web", "--state", "running");

	/* the table: a header and a row per task */
	ck_assert_int_eq(ctl(&out, NULL, "tasks", NULL), 0);
	ck_assert_int_eq(nlines(out), 1 + AGENTS + 3);
	json_object_foreach(all, k, v) {
		char *line = line_of(out, k);

		ck_assert_ptr_nonnull(line);
		ck_assert_ptr_nonnull(strstr(line, "TASK_RUNNING"));
		free(line);
	}
	free(out);
	ck_assert_int_eq(ctl(NULL, &err, "tasks", "--state", "bogus", NULL),
	    1);
	ck_assert_ptr_nonnull(strstr(err, "bogus"));
	free(err);
	ck_assert_int_eq(ctl(NULL, &err, "tasks", "--job", "nope", NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "unknown job"));
	free(err);
	json_decref(empty);
	json_decref(all);
	json_decref(web);
	json_decref(node);
	json_decref(st);
}
END_TEST

START_TEST(test_agents)
{
	json_t *j = ctl_json("agents", NULL), *st = sim_get("state");
	json_t *all = sim_tasks(""), *a, *s;
	char *x, *y, *out = NULL;
	size_t i, k;

	x = ids_from(json_object_get(j, "agents"), "id");
	y = ids_from(json_object_get(st, "slaves"), "id");
	ck_assert_str_eq(x, y);
	free(x);
	free(y);
	json_array_foreach(json_object_get(j, "agents"), i, a) {
		json_t *on = on_agent(all, jstr(a, "id"));

		json_array_foreach(json_object_get(st, "slaves"), k, s)
			if (strcmp(jstr(s, "id"), jstr(a, "id")) == 0)
				ck_assert_str_eq(jstr(a, "hostname"),
				    jstr(s, "hostname"));
		ck_assert_int_eq(jint(a, "tasks"), json_object_size(on));
		ck_assert(json_is_false(json_object_get(a, "blacklisted")));
		ck_assert(json_is_false(json_object_get(a, "draining")));
		ck_assert(json_number_value(json_object_get(json_object_get(a,
		    "resources"), "cpus")) == 4.0);
		json_decref(on);
	}
	ck_assert_int_eq(ctl(&out, NULL, "agents", NULL), 0);
	ck_assert_int_eq(nlines(out), 1 + AGENTS);
	json_array_foreach(json_object_get(st, "slaves"), k, s)
		ck_assert_ptr_nonnull(strstr(out, jstr(s, "hostname")));
	free(out);
	json_decref(all);
	json_decref(st);
	json_decref(j);
}
END_TEST

/* The number of live node tasks on the agent with id agent. */
static long
node_on(const char *agent)
{
	json_t *t = sim_tasks("node."), *x;
	long n;

	if (t == NULL)
		return -1;
	x = on_agent(t, agent);
	n = (long)json_object_size(x);
	json_decref(x);
	json_decref(t);
	return n;
}

START_TEST(test_blacklist)
{
	json_t *st = sim_get("state"), *j, *s, *e;
	const char *host = "agent-1.sim";
	char agent[128] = "", *out = NULL, *err = NULL, *line;
	size_t i;

	json_array_foreach(json_object_get(st, "slaves"), i, s)
		if (strcmp(jstr(s, "hostname"), host) == 0)
			snprintf(agent, sizeof agent, "%s", jstr(s, "id"));
	json_decref(st);
	ck_assert(agent[0] != '\0');
	ck_assert_int_eq(node_on(agent), 1);

	ck_assert_int_eq(ctl(&out, NULL, "blacklist", "add", host, "--reason",
	    "disk errors", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "blacklisted"));
	free(out);
	j = ctl_json("blacklist", "ls", NULL);
	ck_assert_int_eq(json_array_size(json_object_get(j, "blacklist")), 1);
	e = json_array_get(json_object_get(j, "blacklist"), 0);
	ck_assert_str_eq(jstr(e, "agent"), host);
	ck_assert_str_eq(jstr(e, "reason"), "disk errors");
	ck_assert_int_gt(jint(e, "since"), 1600000000000LL);
	json_decref(j);
	ck_assert_int_eq(ctl(&out, NULL, "blacklist", "ls", NULL), 0);
	line = line_of(out, host);
	ck_assert_ptr_nonnull(line);
	ck_assert_ptr_nonnull(strstr(line, "disk errors"));
	free(line);
	free(out);

	/* the daemon job leaves the agent (blacklist_policy kill) */
	if (!TU_WAIT(WAIT_MS, node_on(agent) == 0 && sim_running("node.",
	    AGENTS - 1))) {
		dump_logs();
		ck_abort_msg("the blacklisted agent kept its daemon task");
	}
	j = ctl_json("agents", NULL);
	json_array_foreach(json_object_get(j, "agents"), i, s)
		ck_assert_int_eq(json_is_true(json_object_get(s,
		    "blacklisted")), strcmp(jstr(s, "id"), agent) == 0);
	json_decref(j);
	j = ctl_json("job", "node", NULL);
	json_array_foreach(json_object_get(j, "coverage"), i, s)
		ck_assert_str_eq(jstr(s, "status"), strcmp(jstr(s, "agent_id"),
		    agent) == 0 ? "blacklisted" : "running");
	json_decref(j);
	j = ctl_json("status", NULL);
	ck_assert_int_eq(jint(json_object_get(j, "counts"), "blacklist"), 1);
	json_decref(j);
	/* and stays away */
	tu_sleep_ms(1500);
	ck_assert_int_eq(node_on(agent), 0);

	ck_assert_int_eq(ctl(&out, NULL, "blacklist", "rm", host, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "removed"));
	free(out);
	j = ctl_json("blacklist", "ls", NULL);
	ck_assert_int_eq(json_array_size(json_object_get(j, "blacklist")), 0);
	json_decref(j);
	if (!TU_WAIT(WAIT_MS, node_on(agent) == 1 && sim_running("node.",
	    AGENTS))) {
		dump_logs();
		ck_abort_msg("the agent got no daemon task back");
	}
	ck_assert_int_eq(ctl(NULL, &err, "blacklist", "rm", host, NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "404"));
	free(err);
}
END_TEST

/*
 * Watches prefix's tasks on ark-sim until none of the ids in before is live
 * and n new ones run; returns the fewest RUNNING seen meanwhile, or -1 on
 * timeout. Fails if a task of keep_prefix changes (keep_ids).
 */
static long
watch_roll(const char *prefix, size_t n, const char *before,
    const char *keep_prefix, const char *keep_ids)
{
	long long end = tu_now_ms() + WAIT_MS;
	long fewest = (long)n;

	while (tu_now_ms() < end) {
		json_t *t = sim_tasks(prefix);
		const char *k;
		json_t *v;
		size_t old = 0, running, live;

		if (t == NULL) {
			tu_sleep_ms(30);
			continue;
		}
		running = count_state(t, "TASK_RUNNING");
		live = json_object_size(t);
		if ((long)running < fewest)
			fewest = (long)running;
		json_object_foreach(t, k, v) {
			char *pat = xasprintf(",%s,", k), *all =
			    xasprintf(",%s,", before);

			if (strstr(all, pat) != NULL)
				old++;
			free(pat);
			free(all);
		}
		json_decref(t);
		if (keep_prefix != NULL) {
			char *ids = sim_ids(keep_prefix);

			ck_assert_msg(strcmp(ids, keep_ids) == 0, "untouched "
			    "tasks changed: %s -> %s", keep_ids, ids);
			free(ids);
		}
		if (old == 0 && running == n && live == n)
			return fewest;
		tu_sleep_ms(30);
	}
	return -1;
}

START_TEST(test_restart_rolling)
{
	char *before = sim_ids("web."), *node = sim_ids("node."), *out = NULL;
	char *after;
	long fewest;

	ck_assert_int_eq(ctl(&out, NULL, "restart", "web", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "rolling restart of web"));
	free(out);
	fewest = watch_roll("web.", 3, before, "node.", node);
	if (fewest < 0)
		dump_logs();
	ck_assert_msg(fewest >= 0, "the restart did not replace every task");
	/* one slot at a time: never more than one of three down */
	ck_assert_msg(fewest >= 2, "%ld of 3 web tasks were running at one "
	    "point of the roll", fewest);
	after = sim_ids("web.");
	ck_assert_str_ne(after, before);
	free(after);
	ck_assert_int_eq(api("POST", "/v1/jobs/nope/restart", NULL, NULL,
	    NULL), 404);
	ck_assert_int_eq(ctl(NULL, NULL, "restart", "nope", NULL), 1);
	free(before);
	free(node);
}
END_TEST

START_TEST(test_scale_suspend_resume_kill)
{
	json_t *j, *t;
	char *out = NULL, *err = NULL, *victim, *before;
	const char *k;
	json_t *v;
	size_t i;

	ck_assert_int_eq(ctl(&out, NULL, "scale", "web", "5", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "web"));
	free(out);
	if (!TU_WAIT(WAIT_MS, sim_running("web.", 5))) {
		dump_logs();
		ck_abort_msg("scale up to 5 did not happen");
	}
	j = ctl_json("scale", "web", "2", NULL);
	ck_assert_int_eq(jint(j, "instances"), 2);
	json_decref(j);
	if (!TU_WAIT(WAIT_MS, sim_running("web.", 2))) {
		dump_logs();
		ck_abort_msg("scale down to 2 did not happen");
	}

	/* suspend: the job's tasks are killed, nothing launches */
	before = sim_ids("web.");
	ck_assert_int_eq(ctl(NULL, NULL, "suspend", "web", NULL), 0);
	if (!TU_WAIT(WAIT_MS, sim_running("web.", 0))) {
		dump_logs();
		ck_abort_msg("suspend left tasks running");
	}
	j = ctl_json("job", "web", NULL);
	ck_assert(json_is_true(json_object_get(j, "suspended")));
	ck_assert_int_eq(jint(j, "running"), 0);
	ck_assert_int_eq(jint(j, "instances"), 2);
	/* not pending: suspended, and marked as a runtime change */
	ck_assert_int_eq(jint(j, "pending"), 0);
	json_array_foreach(json_object_get(j, "slots"), i, v) {
		ck_assert_str_eq(jstr(v, "state"), "suspended");
		ck_assert_str_eq(jstr(v, "reason"), "the job is suspended");
	}
	ck_assert(json_is_true(json_object_get(json_object_get(json_object_get(
	    j, "overrides"), "suspended"), "runtime")));
	json_decref(j);
	{
		char *table = NULL, *line;

		ck_assert_int_eq(ctl(&table, NULL, "jobs", NULL), 0);
		line = line_of(table, "web ");
		ck_assert_msg(line != NULL && strstr(line, "yes (file: no)") !=
		    NULL, "%s", table);
		free(line);
		free(table);
	}
	for (int n = 0; n < 15; n++) {
		ck_assert(sim_running("web.", 0));
		tu_sleep_ms(100);
	}
	ck_assert(sim_running("node.", AGENTS));
	ck_assert_int_eq(ctl(NULL, NULL, "resume", "web", NULL), 0);
	if (!TU_WAIT(WAIT_MS, sim_running("web.", 2))) {
		dump_logs();
		ck_abort_msg("resume did not launch the job again");
	}
	j = ctl_json("job", "web", NULL);
	ck_assert(json_is_false(json_object_get(j, "suspended")));
	json_decref(j);
	/* a task of before is gone for good: killing it is a 404 */
	victim = xstrndup(before, strcspn(before, ","));
	free(before);
	ck_assert_int_eq(ctl(NULL, &err, "kill", victim, NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "unknown task"));
	free(err);
	/* a kill: the restart policy refills the slot */
	free(victim);
	t = sim_tasks("web.");
	victim = NULL;
	json_object_foreach(t, k, v)
		if (victim == NULL)
			victim = xstrdup(k);
	json_decref(t);
	j = ctl_json("kill", victim, NULL);
	ck_assert_str_eq(jstr(j, "task"), victim);
	json_decref(j);
	ck_assert(TU_WAIT(WAIT_MS, ({ json_t *x = sim_tasks("web.");
	    int r = x != NULL && json_object_get(x, victim) == NULL &&
	    json_object_size(x) == 2 && count_state(x, "TASK_RUNNING") == 2;
	    json_decref(x); r; })));
	free(victim);

	ck_assert_int_eq(ctl(NULL, &err, "kill", "nope", NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "unknown task"));
	free(err);
	ck_assert_int_eq(ctl(NULL, &err, "scale", "node", "3", NULL), 1);
	free(err);
	ck_assert_int_eq(ctl(NULL, NULL, "scale", "web", "abc", NULL), 2);
	ck_assert_int_eq(ctl(NULL, NULL, "scale", "web", "-1", NULL), 2);
	ck_assert_int_eq(ctl(NULL, NULL, "scale", "web", "100001", NULL), 2);
	ck_assert_int_eq(ctl(NULL, NULL, "scale", "nope", "1", NULL), 1);
	ck_assert_int_eq(ctl(NULL, NULL, "suspend", "nope", NULL), 1);
	ck_assert_int_eq(ctl(NULL, NULL, "resume", "nope", NULL), 1);
	/* nothing of that touched the job */
	ck_assert(sim_running("web.", 2));
}
END_TEST

START_TEST(test_reconcile)
{
	long long calls = sim_counter("calls.RECONCILE");
	json_t *j = ctl_json("status", NULL), *r;
	long long rounds = jint(json_object_get(j, "reconciliation"),
	    "rounds");
	char *out = NULL;

	json_decref(j);
	ck_assert_int_ge(calls, 1);
	ck_assert_int_eq(ctl(&out, NULL, "reconcile", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "reconciliation"));
	free(out);
	ck_assert(TU_WAIT(WAIT_MS, sim_counter("calls.RECONCILE") > calls));
	j = ctl_json("reconcile", NULL);
	r = json_object_get(j, "reconciliation");
	ck_assert(json_is_string(json_object_get(r, "state")));
	ck_assert(json_is_integer(json_object_get(r, "outstanding")));
	json_decref(j);
	/* the rounds show in the state, and it settles again */
	ck_assert(TU_WAIT(WAIT_MS, ({ json_t *x = api_json("/v1/state");
	    json_t *y = json_object_get(x, "reconciliation");
	    int ok = jint(y, "rounds") > rounds &&
	    strcmp(jstr(y, "state"), "explicit") != 0 &&
	    jint(y, "outstanding") == 0; json_decref(x); ok; })));
	ck_assert(TU_WAIT(WAIT_MS, ready()));
}
END_TEST

/* The value of the series key ("name{labels}" or "name"), or NAN. */
static double
series(const char *text, const char *key)
{
	size_t n = strlen(key);
	const char *p = text;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p += n;
	}
	return NAN;
}

START_TEST(test_health_and_metrics)
{
	char *out = NULL, *err = NULL, *path, *cmd, *m;
	json_t *j;
	double v;

	ck_assert_int_eq(ctl(&out, NULL, "health", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "alive and ready"));
	free(out);
	j = ctl_json("health", NULL);
	ck_assert(json_is_true(json_object_get(json_object_get(j, "readyz"),
	    "ready")));
	ck_assert(json_is_true(json_object_get(json_object_get(j, "healthz"),
	    "ok")));
	json_decref(j);
	j = api_json("/healthz");
	ck_assert(json_is_true(json_object_get(j, "ok")));
	json_decref(j);
	j = api_json("/readyz");
	ck_assert(json_is_true(json_object_get(j, "ready")));
	json_decref(j);

	/* /metrics through arkctl, checked by promtool */
	ck_assert_int_eq(ctl(&m, NULL, "metrics", NULL), 0);
	path = xasprintf("%s/metrics.txt", dir);
	ck_assert_int_eq(tu_write_file(path, m, 0644), 0);
	cmd = xasprintf("promtool check metrics < '%s'", path);
	ck_assert_msg(run(&out, &err, "/bin/sh", "-c", cmd, NULL) == 0,
	    "promtool check metrics: %s%s", out, err);
	free(out);
	free(err);
	free(cmd);
	free(path);

	/* every family issue 8 lists, with a value that makes sense */
#define S(k) series(m, k)
	ck_assert(S("ark_events_total{type=\"SUBSCRIBED\"}") == 1);
	ck_assert(S("ark_events_total{type=\"OFFERS\"}") >= 1);
	ck_assert(S("ark_events_total{type=\"UPDATE\"}") >= 2 * (AGENTS + 3));
	ck_assert(S("ark_events_total{type=\"HEARTBEAT\"}") >= 1);
	v = S("ark_calls_total{type=\"ACCEPT\",code=\"202\"}");
	ck_assert(v >= 1);
	ck_assert(v == (double)sim_counter("calls_by_status.ACCEPT.202"));
	ck_assert(S("ark_calls_total{type=\"ACKNOWLEDGE\",code=\"202\"}") >=
	    2 * (AGENTS + 3));
	v = S("ark_call_latency_seconds_count{type=\"ACCEPT\"}");
	ck_assert(v >= 1);
	ck_assert(S("ark_call_latency_seconds_bucket{type=\"ACCEPT\","
	    "le=\"+Inf\"}") == v);
	ck_assert(S("ark_call_latency_seconds_sum{type=\"ACCEPT\"}") >= 0);
	v = S("ark_offers_accepted_total");
	ck_assert(v >= 1);
	ck_assert(v == (double)sim_counter("offers_accepted"));
	ck_assert(S("ark_offers_received_total") >= v);
	ck_assert(S("ark_offers_declined_total") >= 0);
	ck_assert(S("ark_offers_declined_total") <=
	    (double)sim_counter("offers_declined"));
	ck_assert(S("ark_tasks{job=\"web\",state=\"TASK_RUNNING\"}") == 3);
	ck_assert(S("ark_tasks{job=\"node\",state=\"TASK_RUNNING\"}") ==
	    AGENTS);
	ck_assert(S("ark_reconcile_rounds_total") >= 0);
	ck_assert(S("ark_reconcile_runs_total") >= 1);
	ck_assert(S("ark_reconcile_last_duration_seconds") >= 0);
	ck_assert(S("ark_reconcile_outstanding") == 0);
	ck_assert(S("ark_reconnects_total") == 0);
	v = S("ark_heartbeat_age_seconds");
	ck_assert_msg(v >= 0 && v < 10, "heartbeat age %g", v);
	v = S("ark_store_commit_seconds_count");
	ck_assert(v >= 1);
	ck_assert(S("ark_store_commit_seconds_bucket{le=\"+Inf\"}") == v);
	ck_assert(S("ark_store_rows_total") >= AGENTS + 3);
	ck_assert(S("ark_subscribed") == 1);
	ck_assert(S("ark_calls_in_flight") >= 0);
	/* issue 11: build, process, leader and per-job series */
	ck_assert(S("ark_build_info{version=\"" ARK_VERSION "\"}") == 1);
	ck_assert(S("ark_leader") == 1);
	ck_assert(S("process_cpu_seconds_total") > 0);
	ck_assert(S("process_resident_memory_bytes") > 1e5);
	ck_assert(S("process_open_fds") >= 3);
	ck_assert(S("process_max_fds") >= S("process_open_fds"));
	/* (/proc/stat's boot time is whole seconds: allow for rounding) */
	v = S("process_start_time_seconds");
	ck_assert_msg(v > (double)time(NULL) - 600 && v <= (double)time(NULL) +
	    2, "start time %f, now %lld", v, (long long)time(NULL));
	ck_assert(S("ark_tasks_launched_total{job=\"web\"}") == 3);
	ck_assert(S("ark_tasks_launched_total{job=\"node\"}") == AGENTS);
	ck_assert(S("ark_task_restarts_total{job=\"web\"}") == 0);
	ck_assert(S("ark_task_health_changes_total{job=\"web\","
	    "health=\"healthy\"}") == 0);
	free(m);
	{
		/* a crash is a failure by state and reason, and a restart */
		json_t *t = sim_tasks("web.");
		void *it = json_object_iter(t);
		char *body = xasprintf("{\"task_id\": \"%s\"}",
		    json_object_iter_key(it));

		ck_assert_int_eq(tu_sim_control(control_port, "crash-task",
		    body), 200);
		free(body);
		json_decref(t);
		ck_assert(TU_WAIT(WAIT_MS, ({ char *x = NULL; int ok = api("GET",
		    "/metrics", NULL, &x, NULL) == 200 && series(x,
		    "ark_task_failures_total{job=\"web\",state=\"TASK_FAILED\","
		    "reason=\"REASON_EXECUTOR_TERMINATED\"}") == 1 &&
		    series(x, "ark_task_restarts_total{job=\"web\"}") == 1;
		    free(x); ok; })));
		ck_assert(TU_WAIT(WAIT_MS, sim_running("web.", 3)));
	}

	/* a lost stream is a reconnect, and arkd is ready again */
	ck_assert_int_eq(tu_sim_control(control_port, "drop-stream", "{}"),
	    200);
	ck_assert(TU_WAIT(WAIT_MS, ({ char *x = NULL; int ok = api("GET",
	    "/metrics", NULL, &x, NULL) == 200 &&
	    series(x, "ark_reconnects_total") == 1 &&
	    series(x, "ark_events_total{type=\"SUBSCRIBED\"}") == 2;
	    free(x); ok; })));
	ck_assert(TU_WAIT(WAIT_MS, ready()));
#undef S
}
END_TEST

/* Sends a request that must get status; returns the JSON answer. */
static json_t *
api_expect(const char *method, const char *path, const char *body,
    int status)
{
	char *out = NULL;
	int st = api(method, path, body, &out, NULL);
	json_t *j = json_loads(out != NULL ? out : "", 0, NULL);

	ck_assert_msg(st == status && j != NULL, "%s %s: %d, not %d: %s",
	    method, path, st, status, out);
	free(out);
	return j;
}

START_TEST(test_api_answers)
{
	json_t *j, *t = sim_tasks("web.");
	const char *k;
	json_t *v;
	char *victim = NULL, *path, *hdrs = NULL, *out = NULL;

	/* the status codes and shapes of docs/admin-api.md */
	j = api_expect("PUT", "/v1/blacklist/agent-2.sim",
	    "{\"reason\": \"fan\"}", 200);
	ck_assert_str_eq(jstr(j, "agent"), "agent-2.sim");
	ck_assert_str_eq(jstr(j, "reason"), "fan");
	ck_assert_int_gt(jint(j, "since"), 0);
	json_decref(j);
	j = api_expect("PUT", "/v1/blacklist/agent-3.sim", NULL, 200);
	json_decref(j);
	j = api_expect("GET", "/v1/blacklist", NULL, 200);
	ck_assert_int_eq(json_array_size(json_object_get(j, "blacklist")), 2);
	json_decref(j);
	j = api_expect("DELETE", "/v1/blacklist/agent-2.sim", NULL, 200);
	ck_assert_str_eq(jstr(j, "agent"), "agent-2.sim");
	json_decref(j);
	j = api_expect("DELETE", "/v1/blacklist/agent-3.sim/", NULL, 200);
	json_decref(j);
	j = api_expect("POST", "/v1/reconcile", NULL, 202);
	ck_assert(json_is_object(json_object_get(j, "reconciliation")));
	json_decref(j);
	j = api_expect("PATCH", "/v1/jobs/web", "{\"instances\": 3}", 200);
	ck_assert_str_eq(jstr(j, "id"), "web");
	ck_assert_int_eq(json_array_size(json_object_get(j, "slots")), 3);
	ck_assert(json_is_object(json_object_get(j, "spec")));
	json_decref(j);
	json_object_foreach(t, k, v)
		if (victim == NULL)
			victim = xstrdup(k);
	ck_assert_ptr_nonnull(victim);
	path = xasprintf("/v1/tasks/%s/kill", victim != NULL ? victim : "");
	j = api_expect("POST", path, NULL, 202);
	ck_assert_str_eq(jstr(j, "task"), victim);
	ck_assert_str_eq(jstr(j, "kill"), "sent");
	json_decref(j);
	free(path);
	ck_assert(TU_WAIT(WAIT_MS, ({ json_t *x = sim_tasks("web.");
	    int r = x != NULL && json_object_get(x, victim) == NULL &&
	    json_object_size(x) == 3 && count_state(x, "TASK_RUNNING") == 3;
	    json_decref(x); r; })));
	free(victim);
	j = api_expect("POST", "/v1/jobs/web/restart", NULL, 202);
	ck_assert_str_eq(jstr(j, "job"), "web");
	ck_assert_str_eq(jstr(j, "restart"), "rolling");
	json_decref(j);
	j = api_expect("POST", "/v1/reload", NULL, 200);
	ck_assert(strlen(jstr(j, "config_version")) > 0);
	json_decref(j);
	ck_assert_int_eq(api("GET", "/metrics", NULL, &out, &hdrs), 200);
	ck_assert_ptr_nonnull(strstr(hdrs, "Content-Type: text/plain; "
	    "version=0.0.4"));
	ck_assert_ptr_nonnull(strstr(out, "# TYPE ark_events_total counter"));
	free(out);
	free(hdrs);
	ck_assert_int_eq(api("GET", "/readyz/", NULL, NULL, NULL), 200);
	json_decref(t);
	/* the roll ends with three running */
	ck_assert(TU_WAIT(WAIT_MS, sim_running("web.", 3)));
}
END_TEST

/* One bad request and the answer it must get. */
struct bad {
	const char	*method;
	const char	*path;
	const char	*body;
	int		 status;
	const char	*allow;		/* 405: the Allow header */
};

START_TEST(test_bad_requests)
{
	static const struct bad bad[] = {
		{ "DELETE", "/v1/jobs", NULL, 405, "GET" },
		{ "POST", "/v1/state", "{}", 405, "GET" },
		{ "GET", "/v1/reconcile", NULL, 405, "POST" },
		{ "PUT", "/v1/jobs/web", "{}", 405, "GET, PATCH" },
		{ "GET", "/v1/teardown", NULL, 405, "POST" },
		{ "POST", "/metrics", NULL, 405, "GET" },
		{ "GET", "/v1/jobs/nope", NULL, 404, NULL },
		{ "PATCH", "/v1/jobs/nope", "{\"instances\": 1}", 404, NULL },
		{ "POST", "/v1/jobs/nope/restart", NULL, 404, NULL },
		{ "POST", "/v1/tasks/nope/kill", NULL, 404, NULL },
		{ "DELETE", "/v1/blacklist/nope", NULL, 404, NULL },
		{ "GET", "/v1/nothing", NULL, 404, NULL },
		{ "GET", "/v2/state", NULL, 404, NULL },
		{ "PATCH", "/v1/jobs/web", "{bad", 400, NULL },
		{ "PATCH", "/v1/jobs/web", "[1]", 400, NULL },
		{ "PATCH", "/v1/jobs/web", "{\"instances\": -1}", 400, NULL },
		{ "PATCH", "/v1/jobs/web", "{\"instances\": \"x\"}", 400, NULL },
		{ "PATCH", "/v1/jobs/web", "{\"bogus\": 1}", 400, NULL },
		{ "PATCH", "/v1/jobs/node", "{\"instances\": 2}", 400, NULL },
		{ "PUT", "/v1/blacklist/x", "{\"reason\": 5}", 400, NULL },
		{ "PUT", "/v1/blacklist/x", "\"x\"", 400, NULL },
		{ "GET", "/v1/tasks?bogus=1", NULL, 400, NULL },
		{ "GET", "/v1/tasks?state=bogus", NULL, 400, NULL },
		{ "POST", "/v1/teardown", "{}", 400, NULL },
		{ "POST", "/v1/teardown", "{\"confirm\": \"yes\"}", 400, NULL },
	};
	char *before = sim_ids(""), *after, *big;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const struct bad *b = &bad[i];
		char *out = NULL, *hdrs = NULL, allow[128];
		int st = api(b->method, b->path, b->body, &out, &hdrs);
		json_t *j = json_loads(out, 0, NULL);

		ck_assert_msg(st == b->status, "%s %s: %d, not %d (%s)",
		    b->method, b->path, st, b->status, out);
		ck_assert_msg(j != NULL && strlen(jstr(j, "error")) > 0,
		    "%s %s: no {\"error\"}: %s", b->method, b->path, out);
		if (b->allow != NULL) {
			snprintf(allow, sizeof allow, "Allow: %s\r\n",
			    b->allow);
			ck_assert_msg(strstr(hdrs, allow) != NULL, "%s %s: "
			    "headers %s", b->method, b->path, hdrs);
		}
		json_decref(j);
		free(out);
		free(hdrs);
		/* still there, still answering */
		ck_assert(tu_alive(arkd_pid));
		ck_assert_int_eq(api("GET", "/healthz", NULL, NULL, NULL), 200);
	}
	/* bodies over 64 KiB */
	big = xmalloc(1 << 20);
	memset(big, ' ', (1 << 20) - 1);
	big[0] = '{';
	big[(1 << 20) - 2] = '}';
	big[(1 << 20) - 1] = '\0';
	{
		char *out = NULL;

		ck_assert_int_eq(api("PATCH", "/v1/jobs/web", big, &out, NULL),
		    413);
		ck_assert_ptr_nonnull(strstr(out, "error"));
		free(out);
		big[70000] = '\0';
		big[69999] = '}';
		ck_assert_int_eq(api("PUT", "/v1/blacklist/x", big, NULL, NULL),
		    413);
	}
	free(big);
	ck_assert(tu_alive(arkd_pid));
	ck_assert_int_eq(api("GET", "/healthz", NULL, NULL, NULL), 200);
	/* nothing changed */
	after = sim_ids("");
	ck_assert_str_eq(after, before);
	free(after);
	free(before);
	{
		json_t *j = ctl_json("status", NULL);

		ck_assert_int_eq(jint(json_object_get(j, "counts"),
		    "blacklist"), 0);
		json_decref(j);
		j = ctl_json("jobs", NULL);
		ck_assert_int_eq(jint(job_in(j, "web"), "instances"), 3);
		json_decref(j);
	}
	ck_assert(sim_running("web.", 3));
	ck_assert_int_eq(api("GET", "/v1/tasks?job=nope", NULL, NULL, NULL),
	    404);

	/* too many requests from one address: 429 with Retry-After, then
	 * answers again (burst 100, 50 a second) */
	{
		char *hdrs = NULL;
		int st = 0, n;

		tu_sleep_ms(2500);	/* a full bucket */
		for (n = 0; n < 2000 && st != 429; n++) {
			free(hdrs);
			hdrs = NULL;
			st = api("GET", "/healthz", NULL, NULL, &hdrs);
		}
		ck_assert_msg(st == 429, "no 429 after %d requests", n);
		ck_assert_int_gt(n, 100);
		ck_assert_ptr_nonnull(strstr(hdrs, "Retry-After: 1\r\n"));
		free(hdrs);
		ck_assert(tu_alive(arkd_pid));
		ck_assert(TU_WAIT(10000, api("GET", "/healthz", NULL, NULL,
		    NULL) == 200));
	}
}
END_TEST

START_TEST(test_exit_codes)
{
	char *err = NULL, *out = NULL, bin[512], addr[64];
	int port = tu_free_port();

	ck_assert_int_eq(ctl(NULL, &err, "frobnicate", NULL), 2);
	ck_assert_ptr_nonnull(strstr(err, "frobnicate"));
	free(err);
	ck_assert_int_eq(ctl(NULL, NULL, "scale", "web", NULL), 2);
	ck_assert_int_eq(ctl(NULL, NULL, "status", "extra", NULL), 2);
	ck_assert_int_eq(ctl(NULL, NULL, "tasks", "--bogus", "x", NULL), 2);
	ck_assert_int_eq(ctl(NULL, NULL, "jobs", "--job", "x", NULL), 2);
	ck_assert_int_eq(ctl(NULL, NULL, "blacklist", NULL), 2);
	ck_assert_int_eq(ctl(NULL, NULL, "blacklist", "frob", NULL), 2);
	ck_assert_int_eq(ctl(NULL, NULL, "--timeout", "x", "status", NULL), 2);
	ck_assert_int_eq(ctl(NULL, NULL, "status", "--token-file",
	    "/nonexistent/token", NULL), 2);
	ck_assert_int_eq(ctl(NULL, &err, "teardown", NULL), 2);
	ck_assert_ptr_nonnull(strstr(err, "--yes-really"));
	free(err);
	ck_assert_int_eq(ctl(NULL, NULL, "job", "nope", NULL), 1);
	ck_assert_int_eq(ctl(NULL, NULL, "blacklist", "rm", "nope", NULL), 1);
	ck_assert_int_eq(ctl(&out, NULL, "--help", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "usage"));
	free(out);
	ck_assert_int_eq(ctl(&out, NULL, "restart", "--help", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "restart JOB"));
	free(out);
	ck_assert_int_eq(ctl(&out, NULL, "blacklist", "add", "--help", NULL),
	    0);
	free(out);
	/* nobody listening */
	snprintf(bin, sizeof bin, "%s", tu_bin("arkctl"));
	snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
	ck_assert_int_eq(run(NULL, &err, bin, "--addr", addr, "status", NULL),
	    3);
	ck_assert_ptr_nonnull(strstr(err, "cannot reach"));
	free(err);
	ck_assert_int_eq(run(NULL, NULL, bin, "--addr", addr, "health", NULL),
	    3);
	ck_assert_int_eq(run(NULL, NULL, bin, "--addr", addr, "reload", NULL),
	    3);
	/* after all that, the framework is as it was */
	ck_assert(sim_running("web.", 3));
	ck_assert(sim_running("node.", AGENTS));
}
END_TEST

/* Whether ark-sim lists framework fid as completed, and not as active. */
static int
fw_removed(const char *fid)
{
	json_t *s = sim_get("state"), *f;
	size_t i;
	int done = 0;

	if (s == NULL)
		return 0;
	json_array_foreach(json_object_get(s, "completed_frameworks"), i, f)
		if (strcmp(jstr(f, "id"), fid) == 0)
			done = 1;
	if (our_fw(s) != NULL)
		done = 0;
	json_decref(s);
	return done;
}

START_TEST(test_teardown)
{
	json_t *st = sim_get("state"), *fw = our_fw(st);
	char *fid = xstrdup(jstr(fw, "id")), *out = NULL, *err = NULL;
	int rc;

	json_decref(st);
	ck_assert_int_eq(ctl(&out, NULL, "teardown", "--yes-really", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "teardown sent"));
	free(out);
	/* arkd stops by itself, exit 0 */
	rc = wait_exit(arkd_pid, 30000);
	if (rc != 0)
		dump_logs();
	ck_assert_int_eq(rc, 0);
	/* the framework is gone from the master, and its tasks with it */
	ck_assert(TU_WAIT(WAIT_MS, fw_removed(fid)));
	ck_assert_int_eq(sim_counter("calls.TEARDOWN"), 1);
	{
		json_t *s = sim_get("state"), *f;
		size_t i, live = 0;

		json_array_foreach(json_object_get(s, "frameworks"), i, f)
			live += json_array_size(json_object_get(f, "tasks"));
		ck_assert_int_eq(live, 0);
		json_decref(s);
	}
	/* started again on that state, arkd learns the framework was removed:
	 * exit 3 */
	arkd_start_log(arkd_log, NULL, 0);
	rc = wait_exit(arkd_pid, 30000);
	if (rc != 3)
		dump_logs();
	ck_assert_int_eq(rc, 3);
	/* and a third start refuses at once, from the store */
	{
		char bin[512];

		snprintf(bin, sizeof bin, "%s", tu_bin("arkd"));
		rc = run(NULL, &err, bin, "-c", cfg_path, "--log-format",
		    "plain", NULL);
	}
	ck_assert_int_eq(rc, 3);
	ck_assert_ptr_nonnull(strstr(err, fid));
	free(err);
	free(fid);
}
END_TEST

START_TEST(test_sigterm)
{
	char *before = sim_ids(""), *after;
	long long t0 = tu_now_ms();
	int st = tu_stop(arkd_pid, SIGTERM, 20000);
	json_t *s;

	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "arkd did not exit 0 on SIGTERM (status %d)", st);
	ck_assert_msg(tu_now_ms() - t0 < 10000, "SIGTERM took %lld ms",
	    tu_now_ms() - t0);
	/* the framework is disconnected, its tasks run on */
	ck_assert(TU_WAIT(WAIT_MS, ({ json_t *x = sim_get("state");
	    int ok = x != NULL && our_fw(x) != NULL &&
	    json_is_false(json_object_get(our_fw(x), "connected"));
	    json_decref(x); ok; })));
	tu_sleep_ms(1500);
	s = sim_tasks("");
	after = ids_of(s);
	ck_assert_str_eq(after, before);
	ck_assert_int_eq(count_state(s, "TASK_RUNNING"), AGENTS + 3);
	ck_assert_int_eq(sim_counter("calls.TEARDOWN"), 0);
	json_decref(s);
	free(after);
	free(before);
	/* the state it left is sound; a directory without one is not */
	{
		char bin[512], *out = NULL, *err = NULL;

		snprintf(bin, sizeof bin, "%s", tu_bin("arkd"));
		ck_assert_int_eq(run(&out, &err, bin, "--check-store",
		    state_dir, NULL), 0);
		ck_assert_ptr_nonnull(strstr(out, "ok"));
		free(out);
		free(err);
		ck_assert_int_eq(run(&out, &err, bin, "--check-store", dir,
		    NULL), 1);
		free(out);
		free(err);
	}
}
END_TEST

/* Checks every line of path with ok(); at least min lines. */
static void
check_lines(const char *path, int (*ok)(const char *), size_t min)
{
	char *s = tu_slurp(path), *save = NULL;
	size_t n = 0;

	ck_assert_ptr_nonnull(s);
	for (char *l = strtok_r(s, "\n", &save); l != NULL;
	    l = strtok_r(NULL, "\n", &save)) {
		ck_assert_msg(ok(l), "%s: bad line: %s", path, l);
		n++;
	}
	ck_assert_msg(n >= min, "%s: only %zu lines", path, n);
	free(s);
}

/*
 * Whether a log line is a JSON object with msg, level and ts, the time
 * with milliseconds ("2026-12-07T20:41:37.688Z").
 */
static int
json_line(const char *l)
{
	json_t *j = json_loads(l, 0, NULL);
	const char *ts = json_string_value(json_object_get(j, "ts"));
	int ok = json_is_object(j) && json_is_string(json_object_get(j,
	    "msg")) && json_is_string(json_object_get(j, "level")) &&
	    ts != NULL && strlen(ts) == 24 && ts[19] == '.' && ts[23] == 'Z';

	json_decref(j);
	return ok;
}

/*
 * The first JSON line of path whose msg holds text and that has the
 * members (NULL-terminated, each a string); a new reference, or NULL.
 */
static json_t *
json_line_with(const char *path, const char *text, ...)
{
	char *s = tu_slurp(path), *save = NULL;
	json_t *found = NULL;

	if (s == NULL)
		return NULL;
	for (char *l = strtok_r(s, "\n", &save); l != NULL && found == NULL;
	    l = strtok_r(NULL, "\n", &save)) {
		json_t *j = json_loads(l, 0, NULL);
		const char *m = json_string_value(json_object_get(j, "msg"));
		const char *k;
		int ok = m != NULL && strstr(m, text) != NULL;
		va_list ap;

		va_start(ap, text);
		while (ok && (k = va_arg(ap, const char *)) != NULL)
			ok = json_is_string(json_object_get(j, k));
		va_end(ap);
		if (ok)
			found = json_incref(j);
		json_decref(j);
	}
	free(s);
	return found;
}

/* Whether a log line starts with a journal priority "<N>". */
static int
journal_line(const char *l)
{
	return l[0] == '<' && l[1] >= '0' && l[1] <= '7' && l[2] == '>' &&
	    l[3] != '\0';
}

START_TEST(test_sigint_and_log_formats)
{
	char *before = sim_ids(""), *now, jlog[600], klog[600], odd[512];
	static const char *const json_args[] = { "--log-format", "json",
	    "--log-level", "debug", NULL };
	static const char *const journal_args[] = { "--log-format", "journal",
	    NULL };
	int st;

	st = tu_stop(arkd_pid, SIGINT, 20000);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "arkd did not exit 0 on SIGINT");
	/* again, logging JSON: it finds its tasks and launches nothing; its
	 * configuration file's name is not UTF-8, and gets logged on SIGHUP */
	snprintf(jlog, sizeof jlog, "%s/arkd-json.log", dir);
	snprintf(odd, sizeof odd, "%s", cfg_path);
	snprintf(cfg_path, sizeof cfg_path, "%s/arkd-\xff\xfe.json", dir);
	ck_assert_int_eq(rename(odd, cfg_path), 0);
	arkd_start_log(jlog, json_args, 1);
	if (!TU_WAIT(WAIT_MS, ready())) {
		tu_dump_log(jlog, 40);
		ck_abort_msg("arkd did not come back");
	}
	now = sim_ids("");
	ck_assert_str_eq(now, before);
	free(now);
	{
		/* a task fails: the lines about it carry job, task, agent,
		 * state and reason; its replacement's launch too */
		json_t *t = sim_tasks("web."), *l;
		const char *victim;
		char *body;
		void *it = json_object_iter(t);

		ck_assert_ptr_nonnull(it);
		victim = json_object_iter_key(it);
		body = xasprintf("{\"task_id\": \"%s\"}", victim);
		ck_assert_int_eq(tu_sim_control(control_port, "crash-task",
		    body), 200);
		free(body);
		ck_assert(TU_WAIT(WAIT_MS, sim_running("web.", 3) &&
		    ({ char *x = sim_ids("web.");
		    int gone = strstr(x, victim) == NULL; free(x); gone; })));
		l = json_line_with(jlog, " -> TASK_FAILED", "job", "task",
		    "agent", "state", "reason", NULL);
		if (l == NULL)
			tu_dump_log(jlog, 60);
		ck_assert_ptr_nonnull(l);
		ck_assert_str_eq(jstr(l, "job"), "web");
		ck_assert_str_eq(jstr(l, "task"), victim);
		ck_assert_str_eq(jstr(l, "agent"), jstr(json_object_get(t,
		    victim), "agent_id"));
		ck_assert_str_eq(jstr(l, "state"), "TASK_FAILED");
		ck_assert_str_eq(jstr(l, "reason"),
		    "REASON_EXECUTOR_TERMINATED");
		json_decref(l);
		l = json_line_with(jlog, ": launch on ", "job", "task", "agent",
		    NULL);
		ck_assert_ptr_nonnull(l);
		ck_assert_str_eq(jstr(l, "job"), "web");
		json_decref(l);
		/* and the subscription says which encoding it speaks */
		l = json_line_with(jlog, "encoding protobuf)", NULL);
		ck_assert_ptr_nonnull(l);
		ck_assert_ptr_nonnull(strstr(jstr(l, "msg"), "subscribed as"));
		json_decref(l);
		json_decref(t);
		free(before);
		before = sim_ids("");
	}
	ck_assert_int_eq(kill(arkd_pid, SIGHUP), 0);
	ck_assert(TU_WAIT(10000, ({ char *l = tu_slurp(jlog);
	    int ok = l != NULL && strstr(l, "reload: configuration") != NULL;
	    free(l); ok; })));
	st = tu_stop(arkd_pid, SIGINT, 20000);
	ck_assert(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	check_lines(jlog, json_line, 10);
	/* and with journal priorities */
	snprintf(klog, sizeof klog, "%s/arkd-journal.log", dir);
	arkd_start_log(klog, journal_args, 1);
	ck_assert(TU_WAIT(WAIT_MS, ready()));
	st = tu_stop(arkd_pid, SIGTERM, 20000);
	ck_assert(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	check_lines(klog, journal_line, 3);
	{
		char *s = tu_slurp(klog);

		ck_assert_ptr_nonnull(strstr(s, "<6>"));
		free(s);
	}
	now = sim_ids("");
	ck_assert_str_eq(now, before);
	free(now);
	free(before);
}
END_TEST

/* ---- reload ---------------------------------------------------------------- */

/* One service job on one line (caller frees). */
static char *
svc(const char *id, int n, const char *cmd)
{
	return xasprintf("{\"id\": \"%s\", \"kind\": \"service\", "
	    "\"instances\": %d, \"command\": \"%s\", \"resources\": "
	    "{\"cpus\": 0.1, \"mem\": 16}, \"restart\": {\"backoff_s\": 0.2, "
	    "\"factor\": 2, \"max_s\": 1}}", id, n, cmd);
}

/* Writes the configuration with up to three jobs (NULL: fewer). */
static void
cfg_jobs(const char *a, const char *b, const char *c)
{
	char *jobs = xasprintf("%s%s%s%s%s", a != NULL ? a : "",
	    b != NULL ? ",\n" : "", b != NULL ? b : "",
	    c != NULL ? ",\n" : "", c != NULL ? c : "");

	cfg_write(jobs);
	free(jobs);
}

static char *alpha, *beta, *gamma_;

/* ark-sim and arkd running alpha and beta (two each). */
static void
reload_setup(void)
{
	paths_init("operator-reload");
	alpha = svc("alpha", 2, "sleep 1000");
	beta = svc("beta", 2, "sleep 1000");
	gamma_ = svc("gamma", 2, "sleep 1000");
	sim_start(0, NULL);
	cfg_jobs(alpha, beta, NULL);
	arkd_start(NULL);
	if (!TU_WAIT(WAIT_MS, sim_running("alpha.", 2) &&
	    sim_running("beta.", 2) && ready())) {
		dump_logs();
		ck_abort_msg("arkd did not start alpha and beta");
	}
}

/* Frees the jobs and tears down. */
static void
reload_teardown(void)
{
	free(alpha);
	free(beta);
	free(gamma_);
	teardown_all();
}

/* The configuration version arkd runs (caller frees). */
static char *
version(void)
{
	json_t *j = api_json("/v1/state");
	char *v = xstrdup(jstr(j, "config_version"));

	json_decref(j);
	return v;
}

/* Whether arkd's log has a line with both strings. */
static int
log_has(const char *a, const char *b)
{
	char *s = tu_slurp(arkd_log), *save = NULL;
	int found = 0;

	if (s == NULL)
		return 0;
	for (char *l = strtok_r(s, "\n", &save); l != NULL && !found;
	    l = strtok_r(NULL, "\n", &save))
		found = strstr(l, a) != NULL && strstr(l, b) != NULL;
	free(s);
	return found;
}

START_TEST(test_reload_broken_changes_nothing)
{
	char *ids = sim_ids(""), *v0 = version(), *err = NULL, *want, *now;
	char *bad = svc("gamma", -1, "sleep 1000"), *changed =
	    svc("alpha", 2, "sleep 2000");
	long long launched = sim_counter("tasks_launched");
	long long kills = sim_counter("calls.KILL");

	/* a syntax error */
	ck_assert_int_eq(tu_write_file(cfg_path, "{\n\"jobs\": [\n"
	    "{\"id\": \"alpha\",\n}\n", 0644), 0);
	ck_assert_int_eq(ctl(NULL, &err, "reload", NULL), 1);
	want = xasprintf("%s:4", cfg_path);
	ck_assert_msg(strstr(err, want) != NULL, "error: %s", err);
	free(want);
	free(err);
	/* a bad value after valid changes (alpha changed, beta removed,
	 * gamma added): none of them applies */
	cfg_jobs(changed, bad, NULL);
	ck_assert_int_eq(ctl(NULL, &err, "reload", NULL), 1);
	want = xasprintf("%s:10: jobs[1].instances", cfg_path);
	ck_assert_msg(strstr(err, want) != NULL, "error: %s", err);
	free(want);
	free(err);
	/* the same by SIGHUP: arkd logs why and carries on */
	ck_assert_int_eq(kill(arkd_pid, SIGHUP), 0);
	want = xasprintf("%s:10: jobs[1].instances", cfg_path);
	ck_assert(TU_WAIT(10000, log_has("reload refused", want)));
	free(want);
	ck_assert_int_eq(tu_write_file(cfg_path, "{\"jobs\": 5}\n", 0644), 0);
	ck_assert_int_eq(kill(arkd_pid, SIGHUP), 0);
	ck_assert(TU_WAIT(10000, log_has("reload refused", "jobs")));
	ck_assert(tu_alive(arkd_pid));
	ck_assert(TU_WAIT(10000, ready()));

	/* nothing changed: version, jobs, tasks, kills, launches */
	tu_sleep_ms(1500);
	now = version();
	ck_assert_str_eq(now, v0);
	free(now);
	now = sim_ids("");
	ck_assert_str_eq(now, ids);
	free(now);
	ck_assert(sim_running("alpha.", 2) && sim_running("beta.", 2));
	ck_assert_int_eq(sim_counter("tasks_launched"), launched);
	ck_assert_int_eq(sim_counter("calls.KILL"), kills);
	{
		json_t *j = ctl_json("job", "alpha", NULL);

		ck_assert_str_eq(jstr(json_object_get(j, "spec"), "command"),
		    "sleep 1000");
		json_decref(j);
		j = ctl_json("jobs", NULL);
		ck_assert_int_eq(json_array_size(json_object_get(j, "jobs")),
		    2);
		json_decref(j);
	}
	free(changed);
	free(bad);
	free(v0);
	free(ids);
}
END_TEST

START_TEST(test_reload_adds_and_removes)
{
	char *a = sim_ids("alpha."), *v0 = version(), *out = NULL, *v1, *g;
	char *now;
	json_t *j;

	/* beta goes, gamma comes, alpha stays as it is */
	cfg_jobs(alpha, gamma_, NULL);
	ck_assert_int_eq(ctl(&out, NULL, "reload", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "configuration reloaded, version"));
	free(out);
	v1 = version();
	ck_assert_str_ne(v1, v0);
	if (!TU_WAIT(WAIT_MS, sim_running("gamma.", 2) &&
	    sim_running("beta.", 0))) {
		dump_logs();
		ck_abort_msg("the reload did not start gamma and stop beta");
	}
	now = sim_ids("alpha.");
	ck_assert_str_eq(now, a);
	free(now);
	j = ctl_json("jobs", NULL);
	ck_assert_ptr_nonnull(job_in(j, "alpha"));
	ck_assert_ptr_nonnull(job_in(j, "gamma"));
	ck_assert(TU_WAIT(WAIT_MS, ({ json_t *x = ctl_json("jobs", NULL);
	    int ok = job_in(x, "beta") == NULL; json_decref(x); ok; })));
	json_decref(j);

	/* beta back by SIGHUP, --json: alpha and gamma untouched */
	g = sim_ids("gamma.");
	cfg_jobs(alpha, beta, gamma_);
	ck_assert_int_eq(kill(arkd_pid, SIGHUP), 0);
	if (!TU_WAIT(WAIT_MS, sim_running("beta.", 2))) {
		dump_logs();
		ck_abort_msg("SIGHUP did not start beta again");
	}
	now = version();
	ck_assert_str_ne(now, v1);
	ck_assert_str_ne(now, v0);
	free(now);
	now = sim_ids("alpha.");
	ck_assert_str_eq(now, a);
	free(now);
	now = sim_ids("gamma.");
	ck_assert_str_eq(now, g);
	free(now);
	/* a reload that changes nothing changes nothing */
	j = ctl_json("reload", NULL);
	now = version();
	ck_assert_str_eq(jstr(j, "config_version"), now);
	free(now);
	json_decref(j);
	tu_sleep_ms(1000);
	now = sim_ids("alpha.");
	ck_assert_str_eq(now, a);
	free(now);
	ck_assert(sim_running("beta.", 2) && sim_running("gamma.", 2));
	free(g);
	free(v1);
	free(v0);
	free(a);
}
END_TEST

START_TEST(test_reload_changed_job_rolls)
{
	char *a = sim_ids("alpha."), *b = sim_ids("beta.");
	char *changed = svc("alpha", 2, "sleep 2000"), *now;
	long fewest;
	json_t *j;

	cfg_jobs(changed, beta, NULL);
	ck_assert_int_eq(ctl(NULL, NULL, "reload", NULL), 0);
	fewest = watch_roll("alpha.", 2, a, "beta.", b);
	if (fewest < 0)
		dump_logs();
	ck_assert_msg(fewest >= 0, "the changed job did not roll");
	ck_assert_msg(fewest >= 1, "both alpha tasks were down at once");
	j = ctl_json("job", "alpha", NULL);
	ck_assert_str_eq(jstr(json_object_get(j, "spec"), "command"),
	    "sleep 2000");
	json_decref(j);
	now = sim_ids("beta.");
	ck_assert_str_eq(now, b);
	free(now);
	/* instances alone: scales, restarts nothing */
	free(changed);
	changed = svc("alpha", 3, "sleep 2000");
	now = sim_ids("alpha.");
	free(a);
	a = now;
	cfg_jobs(changed, beta, NULL);
	ck_assert_int_eq(ctl(NULL, NULL, "reload", NULL), 0);
	ck_assert(TU_WAIT(WAIT_MS, sim_running("alpha.", 3)));
	now = sim_ids("alpha.");
	for (char *p = a, *e; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		char *id;

		e = p + strcspn(p, ",");
		id = xstrndup(p, (size_t)(e - p));
		ck_assert_msg(strstr(now, id) != NULL, "%s restarted", id);
		free(id);
	}
	free(now);
	free(changed);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_reload_restart_only_refused)
{
	char *ids = sim_ids(""), *v0 = version(), *err = NULL, *other, *now;

	other = xasprintf("%s/elsewhere", dir);
	cfg_write_to(cfg_path, 0, other, NULL, "");
	ck_assert_int_eq(ctl(NULL, &err, "reload", NULL), 1);
	ck_assert_msg(strstr(err, "state_dir") != NULL &&
	    strstr(err, "restart") != NULL && strstr(err, cfg_path) != NULL,
	    "error: %s", err);
	free(err);
	ck_assert_int_eq(kill(arkd_pid, SIGHUP), 0);
	ck_assert(TU_WAIT(10000, log_has("reload refused", "state_dir")));
	tu_sleep_ms(1000);
	now = version();
	ck_assert_str_eq(now, v0);
	free(now);
	now = sim_ids("");
	ck_assert_str_eq(now, ids);
	free(now);
	ck_assert(tu_alive(arkd_pid));
	/* the master too */
	cfg_write_to(cfg_path, master_port + 1, state_dir, NULL, "");
	ck_assert_int_eq(ctl(NULL, &err, "reload", NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "master.masters"));
	free(err);
	ck_assert(sim_running("alpha.", 2) && sim_running("beta.", 2));
	free(other);
	free(v0);
	free(ids);
}
END_TEST

START_TEST(test_reload_updates_framework)
{
	char *ids = sim_ids(""), *now;
	long long updates = sim_counter("calls.UPDATE_FRAMEWORK");
	json_t *st;

	st = sim_get("state");
	ck_assert(json_number_value(json_object_get(our_fw(st),
	    "failover_timeout")) == 604800.0);
	json_decref(st);
	/* what UPDATE_FRAMEWORK may change goes out with it, tasks stay */
	fw_extra = ", \"failover_timeout_s\": 1234, \"webui_url\": "
	    "\"http://ui.example:8080\"";
	cfg_jobs(alpha, beta, NULL);
	ck_assert_int_eq(ctl(NULL, NULL, "reload", NULL), 0);
	ck_assert(TU_WAIT(WAIT_MS, sim_counter("calls.UPDATE_FRAMEWORK") >
	    updates));
	ck_assert(TU_WAIT(WAIT_MS, ({ json_t *x = sim_get("state");
	    int ok = x != NULL && json_number_value(json_object_get(our_fw(x),
	    "failover_timeout")) == 1234.0; json_decref(x); ok; })));
	ck_assert_int_eq(sim_counter("calls_by_status.UPDATE_FRAMEWORK.200"),
	    sim_counter("calls.UPDATE_FRAMEWORK"));
	tu_sleep_ms(500);
	now = sim_ids("");
	ck_assert_str_eq(now, ids);
	free(now);
	/* user cannot change: refused, nothing sent */
	updates = sim_counter("calls.UPDATE_FRAMEWORK");
	cfg_write_to(cfg_path, 0, state_dir, NULL, "");
	{
		char *s = tu_slurp(cfg_path), *err = NULL;
		char *p = strstr(s, "\"nobody\"");

		ck_assert_ptr_nonnull(p);
		memcpy(p, "\"nobodz\"", 8);
		ck_assert_int_eq(tu_write_file(cfg_path, s, 0644), 0);
		free(s);
		ck_assert_int_eq(ctl(NULL, &err, "reload", NULL), 1);
		ck_assert_ptr_nonnull(strstr(err, "framework.user"));
		free(err);
	}
	tu_sleep_ms(500);
	ck_assert_int_eq(sim_counter("calls.UPDATE_FRAMEWORK"), updates);
	ck_assert(sim_running("alpha.", 2) && sim_running("beta.", 2));
	free(ids);
}
END_TEST

START_TEST(test_reload_master_options)
{
	long long subs;
	int st;

	/* arkd tolerating a minute of silence on the stream */
	master_extra = ", \"heartbeat_misses\": 60";
	cfg_jobs(alpha, beta, NULL);
	st = tu_stop(arkd_pid, SIGTERM, 20000);
	ck_assert(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	arkd_start(NULL);
	ck_assert(TU_WAIT(WAIT_MS, ready()));
	/* reloaded to two heartbeats (2 s): a stalled stream is dropped and
	 * subscribed again within seconds, not after a minute */
	master_extra = ", \"heartbeat_misses\": 2";
	cfg_jobs(alpha, beta, NULL);
	ck_assert_int_eq(ctl(NULL, NULL, "reload", NULL), 0);
	subs = sim_counter("subscribes");
	ck_assert_int_eq(tu_sim_control(control_port, "stall", "{}"), 200);
	if (!TU_WAIT(20000, sim_counter("subscribes") > subs)) {
		dump_logs();
		ck_abort_msg("heartbeat_misses from the reload was not used");
	}
	ck_assert(TU_WAIT(WAIT_MS, ready()));
	ck_assert(sim_running("alpha.", 2) && sim_running("beta.", 2));
}
END_TEST

/* ---- the admin token ------------------------------------------------------- */

static char token_file[600], read_token_file[600];

/* JOBS_MAIN, with a database password and a harmless setting in web's env. */
#define JOBS_SECRET							\
	"{\"id\": \"node\", \"kind\": \"daemon\", \"command\": \"sleep 1000\","\
	" \"resources\": {\"cpus\": 0.1, \"mem\": 16}},\n"		\
	"{\"id\": \"web\", \"kind\": \"service\", \"instances\": 3,"	\
	" \"command\": \"sleep 1000\", \"env\": {\"DB_PASSWORD\": "	\
	"\"hunter2-xyzzy\", \"MODE\": \"fast\"}, \"resources\": "		\
	"{\"cpus\": 0.1, \"mem\": 16}}"

/*
 * arkd whose admin API needs a bearer token for everything but the probes,
 * with a read-only token too.
 */
static void
token_setup(void)
{
	char *extra;

	paths_init("operator-token");
	snprintf(token_file, sizeof token_file, "%s/admin.token", dir);
	ck_assert_int_eq(tu_write_file(token_file, "s3cret-token\n", 0600), 0);
	snprintf(read_token_file, sizeof read_token_file, "%s/read.token",
	    dir);
	ck_assert_int_eq(tu_write_file(read_token_file, "look-only\n", 0600),
	    0);
	sim_start(0, NULL);
	extra = xasprintf(", \"token_file\": \"%s\", \"read_token_file\": "
	    "\"%s\"", token_file, read_token_file);
	cfg_write_to(cfg_path, 0, state_dir, extra, JOBS_SECRET);
	free(extra);
	arkd_start(NULL);
	if (!TU_WAIT(WAIT_MS, sim_running("web.", 3) && ready())) {
		dump_logs();
		ck_abort_msg("arkd did not start");
	}
}

/* A request with an Authorization header (NULL: none). */
static int
api_auth(const char *method, const char *path, const char *body,
    const char *auth, char **out, char **headers)
{
	const char *h[3] = { "Content-Type: application/json", auth, NULL };
	char url[1200];

	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", admin_port, path);
	return tu_http_ex(method, url, h, body, body != NULL ? strlen(body) :
	    0, out, headers);
}

START_TEST(test_token_required)
{
	static const char *const req[][3] = {
		{ "PUT", "/v1/blacklist/agent-0.sim", "{}" },
		{ "DELETE", "/v1/blacklist/agent-0.sim", NULL },
		{ "POST", "/v1/reconcile", NULL },
		{ "POST", "/v1/reload", NULL },
		{ "PATCH", "/v1/jobs/web", "{\"instances\": 1}" },
		{ "POST", "/v1/jobs/web/restart", NULL },
		{ "POST", "/v1/tasks/web.0.x/kill", NULL },
		{ "POST", "/v1/teardown", "{\"confirm\": \"yes-really\"}" },
	};
	static const char *const wrong[] = { NULL, "Authorization: Bearer "
	    "nope", "Authorization: Basic czNjcmV0LXRva2Vu",
	    "Authorization: Bearer s3cret-token-and-more" };
	char *ids = sim_ids(""), *now, *out = NULL, *err = NULL, tf[640];
	long long reconciles = sim_counter("calls.RECONCILE");
	json_t *j;

	for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
		for (size_t k = 0; k < sizeof wrong / sizeof wrong[0]; k++) {
			char *hdrs = NULL;
			int st = api_auth(req[i][0], req[i][1], req[i][2],
			    wrong[k], &out, &hdrs);

			ck_assert_msg(st == 401, "%s %s with %s: %d %s",
			    req[i][0], req[i][1], wrong[k] ? wrong[k] : "none",
			    st, out);
			ck_assert_ptr_nonnull(strstr(hdrs, "WWW-Authenticate: "
			    "Bearer realm=\"arkd\""));
			j = json_loads(out, 0, NULL);
			ck_assert(strlen(jstr(j, "error")) > 0);
			json_decref(j);
			free(out);
			free(hdrs);
			ck_assert_int_eq(api("GET", "/healthz", NULL, NULL,
			    NULL), 200);
		}
	/* reading needs it too; the probes do not */
	{
		static const char *const reads[] = { "/v1/state", "/v1/jobs",
		    "/v1/jobs/web", "/v1/tasks", "/v1/agents",
		    "/v1/blacklist", "/metrics" };

		for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
			int st = api("GET", reads[i], NULL, &out, NULL);

			ck_assert_msg(st == 401, "GET %s: %d %s", reads[i], st,
			    out);
			ck_assert_msg(strstr(out, "hunter2") == NULL, "%s",
			    out);
			free(out);
		}
	}
	ck_assert(ready());
	ck_assert_int_eq(api("GET", "/healthz", NULL, NULL, NULL), 200);
	ck_assert_int_eq(ctl(NULL, &err, "tasks", NULL), 1);
	ck_assert_msg(strstr(err, "--token-file") != NULL, "%s", err);
	free(err);
	ck_assert_int_eq(ctl(NULL, NULL, "health", NULL), 0);
	setenv("ARK_ADMIN_TOKEN_FILE", read_token_file, 1);
	ck_assert_int_eq(ctl(NULL, NULL, "tasks", NULL), 0);
	unsetenv("ARK_ADMIN_TOKEN_FILE");
	/* arkctl without the token: exit 1 and why */
	ck_assert_int_eq(ctl(NULL, &err, "blacklist", "add", "agent-0.sim",
	    NULL), 1);
	ck_assert_msg(strstr(err, "401") != NULL && strstr(err, "Bearer") !=
	    NULL, "%s", err);
	free(err);
	/* nothing happened */
	ck_assert(sim_running("web.", 3));
	ck_assert(sim_running("node.", AGENTS));
	now = sim_ids("");
	ck_assert_str_eq(now, ids);
	free(now);
	ck_assert_int_eq(sim_counter("calls.RECONCILE"), reconciles);
	ck_assert_int_eq(sim_counter("calls.TEARDOWN"), 0);
	setenv("ARK_ADMIN_TOKEN_FILE", read_token_file, 1);
	j = ctl_json("blacklist", "ls", NULL);
	unsetenv("ARK_ADMIN_TOKEN_FILE");
	ck_assert_int_eq(json_array_size(json_object_get(j, "blacklist")), 0);
	json_decref(j);

	/* with it */
	ck_assert_int_eq(ctl(NULL, NULL, "--token-file", token_file,
	    "blacklist", "add", "agent-0.sim", NULL), 0);
	setenv("ARK_ADMIN_TOKEN_FILE", token_file, 1);
	j = ctl_json("blacklist", "ls", NULL);
	unsetenv("ARK_ADMIN_TOKEN_FILE");
	ck_assert_int_eq(json_array_size(json_object_get(j, "blacklist")), 1);
	json_decref(j);
	setenv("ARK_ADMIN_TOKEN_FILE", token_file, 1);
	ck_assert_int_eq(ctl(NULL, NULL, "blacklist", "rm", "agent-0.sim",
	    NULL), 0);
	unsetenv("ARK_ADMIN_TOKEN_FILE");
	ck_assert_int_eq(api_auth("POST", "/v1/reconcile", NULL,
	    "Authorization: Bearer s3cret-token", NULL, NULL), 202);
	/* an unreadable token file is a usage error */
	snprintf(tf, sizeof tf, "%s/none", dir);
	ck_assert_int_eq(ctl(NULL, NULL, "--token-file", tf, "reconcile",
	    NULL), 2);
	free(ids);
}
END_TEST

/*
 * The read-only token reads everything and changes nothing; a job's secret
 * env values never leave arkd, in answers, dumps or logs.
 */
START_TEST(test_read_token_and_redaction)
{
	static const char *const ro = "Authorization: Bearer look-only";
	char bin[512], *out = NULL, *err = NULL, *log;
	long long reconciles = sim_counter("calls.RECONCILE");
	json_t *j, *env;
	int st;

	st = api_auth("GET", "/v1/jobs/web", NULL, ro, &out, NULL);
	ck_assert_msg(st == 200, "%d %s", st, out);
	ck_assert_msg(strstr(out, "hunter2") == NULL, "%s", out);
	j = json_loads(out, 0, NULL);
	env = json_object_get(json_object_get(j, "spec"), "env");
	ck_assert_str_eq(jstr(env, "DB_PASSWORD"), "<redacted>");
	ck_assert_str_eq(jstr(env, "MODE"), "fast");
	json_decref(j);
	free(out);
	/* arkctl shows the same */
	setenv("ARK_ADMIN_TOKEN_FILE", read_token_file, 1);
	j = ctl_json("job", "web", NULL);
	env = json_object_get(json_object_get(j, "spec"), "env");
	ck_assert_str_eq(jstr(env, "DB_PASSWORD"), "<redacted>");
	json_decref(j);
	ck_assert_int_eq(ctl(&out, NULL, "job", "web", NULL), 0);
	ck_assert_msg(strstr(out, "hunter2") == NULL, "%s", out);
	free(out);
	/* changes: 403, and nothing reaches the master */
	ck_assert_int_eq(ctl(NULL, &err, "reconcile", NULL), 1);
	ck_assert_msg(strstr(err, "403") != NULL && strstr(err, "read-only") !=
	    NULL, "%s", err);
	free(err);
	unsetenv("ARK_ADMIN_TOKEN_FILE");
	ck_assert_int_eq(api_auth("POST", "/v1/jobs/web/restart", NULL, ro,
	    NULL, NULL), 403);
	ck_assert_int_eq(api_auth("PATCH", "/v1/jobs/web",
	    "{\"instances\": 1}", ro, NULL, NULL), 403);
	ck_assert_int_eq(sim_counter("calls.RECONCILE"), reconciles);
	ck_assert(sim_running("web.", 3));
	/* the main token does both */
	ck_assert_int_eq(api_auth("GET", "/v1/state", NULL,
	    "Authorization: Bearer s3cret-token", NULL, NULL), 200);
	/* --dump-config and the log carry no secret */
	snprintf(bin, sizeof bin, "%s", tu_bin("arkd"));
	ck_assert_int_eq(run(&out, &err, bin, "--dump-config", "-c", cfg_path,
	    NULL), 0);
	ck_assert_msg(strstr(out, "hunter2") == NULL && strstr(out,
	    "<redacted>") != NULL, "%s", out);
	free(out);
	free(err);
	log = tu_read_file(arkd_log, NULL);
	ck_assert_ptr_nonnull(log);
	ck_assert_msg(strstr(log, "hunter2") == NULL, "the log shows the "
	    "secret");
	free(log);
}
END_TEST

/* Copies tests/tls/name into dir with mode; returns its path (caller frees). */
static char *
tls_copy(const char *name, int mode)
{
	char *src = xasprintf("%s/tests/tls/%s", ARK_SRCDIR, name);
	char *dst = xasprintf("%s/%s", dir, name), *text;

	text = tu_read_file(src, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(tu_write_file(dst, text, mode), 0);
	free(text);
	free(src);
	return dst;
}

/* arkd serving HTTPS; arkctl verifies it with --ca-file. */
START_TEST(test_admin_tls)
{
	char *cert = tls_copy("server.pem", 0644);
	char *key = tls_copy("server-key.pem", 0600);
	char *ca = xasprintf("%s/tests/tls/ca.pem", ARK_SRCDIR);
	char *cfg2 = xasprintf("%s/tls.json", dir);
	char *state2 = xasprintf("%s/state-tls", dir);
	char *log2 = xasprintf("%s/arkd-tls.log", dir);
	char *pfile = xasprintf("%s/tls.port", dir);
	char *extra, *url, *out = NULL, *err = NULL, bin[512], ctlbin[512];
	const char *argv[10];
	pid_t pid;
	int port, rc;

	extra = xasprintf(", \"token_file\": \"%s\", \"tls_cert_file\": "
	    "\"%s\", \"tls_key_file\": \"%s\"", token_file, cert, key);
	cfg_write_to(cfg2, 0, state2, extra, "");
	snprintf(bin, sizeof bin, "%s", tu_bin("arkd"));
	snprintf(ctlbin, sizeof ctlbin, "%s", tu_bin("arkctl"));
	rc = run(&out, &err, bin, "--check-config", cfg2, NULL);
	ck_assert_msg(rc == 0, "%s", err);
	free(out);
	free(err);
	argv[0] = bin;
	argv[1] = "-c";
	argv[2] = cfg2;
	argv[3] = "--admin-port-file";
	argv[4] = pfile;
	argv[5] = "--log-format";
	argv[6] = "plain";
	argv[7] = NULL;
	pid = tu_spawn((char *const *)argv, log2);
	ck_assert_int_gt(pid, 0);
	port = tu_wait_port_file(pfile, 20000);
	if (port <= 0)
		tu_dump_log(log2, 40);
	ck_assert_int_gt(port, 0);
	url = xasprintf("https://127.0.0.1:%d", port);
	/* verified, with the token */
	rc = run(&out, &err, ctlbin, "--url", url, "--ca-file", ca,
	    "--token-file", token_file, "--json", "status", NULL);
	ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
	ck_assert_ptr_nonnull(strstr(out, "config_version"));
	free(out);
	free(err);
	rc = run(NULL, &err, ctlbin, "--url", url, "--ca-file", ca, "health",
	    NULL);
	ck_assert_int_eq(rc, 0);
	free(err);
	/* not verified: unreachable (3), with why */
	rc = run(NULL, &err, ctlbin, "--url", url, "--token-file", token_file,
	    "status", NULL);
	ck_assert_int_eq(rc, 3);
	ck_assert_msg(strcasestr(err, "certificate") != NULL, "%s", err);
	free(err);
	/* plain HTTP gets nothing from the TLS port */
	free(url);
	url = xasprintf("http://127.0.0.1:%d", port);
	rc = run(NULL, &err, ctlbin, "--url", url, "--timeout", "3", "--token-file",
	    token_file, "status", NULL);
	ck_assert_int_ne(rc, 0);
	free(err);
	ck_assert(tu_alive(pid));
	ck_assert_int_eq(tu_stop(pid, SIGTERM, 10000) != -1, 1);
	free(url);
	free(extra);
	free(cert);
	free(key);
	free(ca);
	free(cfg2);
	free(state2);
	free(log2);
	free(pfile);
}
END_TEST

START_TEST(test_token_file_checked)
{
	char bin[512], *err = NULL, *cfg2, *state2, *extra;
	int rc;

	/* a token others may read: arkd refuses to start */
	snprintf(bin, sizeof bin, "%s", tu_bin("arkd"));
	ck_assert_int_eq(chmod(token_file, 0644), 0);
	cfg2 = xasprintf("%s/arkd2.json", dir);
	state2 = xasprintf("%s/state2", dir);
	extra = xasprintf(", \"token_file\": \"%s\"", token_file);
	cfg_write_to(cfg2, 0, state2, extra, "");
	rc = run(NULL, &err, bin, "-c", cfg2, "--log-format", "plain", NULL);
	ck_assert_int_eq(rc, 1);
	ck_assert_msg(strstr(err, token_file) != NULL && strstr(err, "mode") !=
	    NULL, "%s", err);
	free(err);
	/* before touching the state directory */
	{
		char *db = xasprintf("%s/ark.db", state2);

		ck_assert_msg(access(db, F_OK) != 0 && access(state2, F_OK) !=
		    0, "arkd made %s before refusing its configuration", db);
		free(db);
	}
	/* --check-config says the same, with the file's line and option */
	{
		char *out = NULL, *want = xasprintf("%s:6: admin.token_file: %s:"
		    " mode 0644", cfg2, token_file);

		rc = run(&out, &err, bin, "--check-config", cfg2, NULL);
		ck_assert_int_eq(rc, 1);
		ck_assert_msg(strstr(err, want) != NULL, "\"%s\" lacks \"%s\"",
		    err, want);
		free(err);
		free(out);
		free(want);
	}
	/* a missing one too */
	free(extra);
	extra = xasprintf(", \"token_file\": \"%s/missing\"", dir);
	cfg_write_to(cfg2, 0, state2, extra, "");
	rc = run(NULL, &err, bin, "-c", cfg2, "--log-format", "plain", NULL);
	ck_assert_int_eq(rc, 1);
	ck_assert_ptr_nonnull(strstr(err, "missing"));
	free(err);
	ck_assert(access(state2, F_OK) != 0);
	rc = run(NULL, &err, bin, "--check-config", cfg2, NULL);
	ck_assert_int_eq(rc, 1);
	ck_assert_msg(strstr(err, "admin.token_file") != NULL && strstr(err,
	    "No such file") != NULL, "%s", err);
	free(err);
	/* beyond loopback without a token: refused */
	free(extra);
	cfg_write_to(cfg2, 0, state2, NULL, "");
	rc = run(NULL, &err, bin, "-c", cfg2, "--log-format", "plain",
	    "--admin-listen", "0.0.0.0:0", NULL);
	ck_assert_int_eq(rc, 1);
	ck_assert_ptr_nonnull(strstr(err, "token"));
	free(err);
	free(cfg2);
	free(state2);
	/* the running arkd was never disturbed */
	ck_assert(tu_alive(arkd_pid));
	ck_assert(sim_running("web.", 3));
}
END_TEST

/* ---- credentials refused by the master -------------------------------------- */

/* ark-sim that wants HTTP Basic credentials. */
static void
auth_setup(void)
{
	static const char *const args[] = { "--authenticate", "--principal",
	    "ark-principal", "--secret", "right-secret", NULL };

	paths_init("operator-auth");
	sim_start(0, args);
}

/* Writes the config with principal and, if secret, a 0600 secret file. */
static void
cfg_auth(const char *principal, const char *secret)
{
	char *fw, *path = xasprintf("%s/secret", dir), *s;

	if (secret != NULL)
		ck_assert_int_eq(tu_write_file(path, secret, 0600), 0);
	fw = xasprintf("\"principal\": \"%s\"%s%s%s", principal,
	    secret != NULL ? ", \"secret_file\": \"" : "",
	    secret != NULL ? path : "", secret != NULL ? "\"" : "");
	s = xasprintf("{\"master\": {\"masters\": [\"http://127.0.0.1:%d\"]},"
	    " \"framework\": {\"name\": \"" FW_NAME "\", \"user\": \"nobody\","
	    " %s}, \"admin\": {\"listen\": \"\"}, \"state_dir\": \"%s\","
	    " \"jobs\": [" JOBS_MAIN "]}", master_port, fw, state_dir);
	ck_assert_int_eq(tu_write_file(cfg_path, s, 0644), 0);
	free(s);
	free(fw);
	free(path);
}

START_TEST(test_auth_refused_exit_4)
{
	char bin[512], *err = NULL;
	long long t0;
	int rc;

	snprintf(bin, sizeof bin, "%s", tu_bin("arkd"));
	/* the wrong secret: a clear error naming the principal, exit 4 */
	cfg_auth("ark-principal", "wrong-secret\n");
	t0 = tu_now_ms();
	rc = run(NULL, &err, bin, "-c", cfg_path, "--log-format", "plain",
	    NULL);
	ck_assert_msg(rc == 4, "exit %d: %s", rc, err);
	ck_assert_msg(tu_now_ms() - t0 < 15000, "took %lld ms",
	    tu_now_ms() - t0);
	ck_assert_msg(strstr(err, "error:") != NULL &&
	    strstr(err, "'ark-principal'") != NULL &&
	    strstr(err, "401") != NULL, "%s", err);
	free(err);
	/* no credentials at all */
	cfg_auth("ark-principal", NULL);
	rc = run(NULL, &err, bin, "-c", cfg_path, "--log-format", "plain",
	    NULL);
	ck_assert_msg(rc == 4, "exit %d: %s", rc, err);
	free(err);
	ck_assert_int_eq(sim_counter("subscribes"), 0);
	ck_assert_int_ge(sim_counter("responses.401"), 2);
	/* the right ones: subscribed as that principal, tasks launched */
	cfg_auth("ark-principal", "right-secret\n");
	arkd_start_log(arkd_log, NULL, 0);
	if (!TU_WAIT(WAIT_MS, sim_running("web.", 3))) {
		dump_logs();
		ck_abort_msg("arkd did not launch with the right secret");
	}
	{
		json_t *st = sim_get("state");

		ck_assert_str_eq(jstr(our_fw(st), "principal"),
		    "ark-principal");
		json_decref(st);
	}
	ck_assert(tu_alive(arkd_pid));
	rc = tu_stop(arkd_pid, SIGTERM, 20000);
	ck_assert(rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
}
END_TEST

/* ---- systemd: a test double of $NOTIFY_SOCKET -------------------------------- */

#define NOTIFY_MAX	4096

/* A datagram from arkd and when it came. */
struct note {
	long long	 at;
	char		*text;
};

static int notify_fd = -1;
static char notify_path[600];
static struct note notes[NOTIFY_MAX];
static size_t nnotes;

/* A bound AF_UNIX datagram socket standing in for systemd's. */
static void
notify_setup(void)
{
	struct sockaddr_un sun;

	paths_init("operator-notify");
	snprintf(notify_path, sizeof notify_path, "%s/notify", dir);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	ck_assert_int_lt(strlen(notify_path), sizeof sun.sun_path);
	memcpy(sun.sun_path, notify_path, strlen(notify_path) + 1);
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(notify_fd, 0);
	ck_assert_int_eq(bind(notify_fd, (struct sockaddr *)&sun, sizeof sun),
	    0);
	nnotes = 0;
}

/* Closes the socket, forgets the datagrams, tears down. */
static void
notify_teardown(void)
{
	for (size_t i = 0; i < nnotes; i++)
		free(notes[i].text);
	nnotes = 0;
	if (notify_fd >= 0)
		close(notify_fd);
	notify_fd = -1;
	teardown_all();
}

/* Receives datagrams for ms milliseconds (or until one has want). */
static void
notify_recv(int ms, const char *want)
{
	long long end = tu_now_ms() + ms;

	for (;;) {
		struct pollfd p = { notify_fd, POLLIN, 0 };
		long long left = end - tu_now_ms();
		char b[1024];
		ssize_t n;

		if (left <= 0)
			return;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = recv(notify_fd, b, sizeof b - 1, 0);
		if (n <= 0 || nnotes == NOTIFY_MAX)
			continue;
		b[n] = '\0';
		notes[nnotes].at = tu_now_ms();
		notes[nnotes].text = xstrdup(b);
		nnotes++;
		if (want != NULL && strstr(b, want) != NULL)
			return;
	}
}

/* Whether datagram text has line (a whole "NAME=value" line). */
static int
note_has(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p != NULL; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL)
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return 1;
	return 0;
}

/* The first datagram at or after from with line; -1 if none. */
static long
note_find(size_t from, const char *line)
{
	for (size_t i = from; i < nnotes; i++)
		if (note_has(notes[i].text, line))
			return (long)i;
	return -1;
}

/* Datagrams with line from index from on. */
static size_t
note_count(size_t from, const char *line)
{
	size_t n = 0;

	for (size_t i = from; i < nnotes; i++)
		n += note_has(notes[i].text, line) != 0;
	return n;
}

/* Waits up to ms for a datagram with line after from; its index or -1. */
static long
note_wait(size_t from, const char *line, int ms)
{
	long long end = tu_now_ms() + ms;
	long i;

	while ((i = note_find(from, line)) < 0 && tu_now_ms() < end)
		notify_recv((int)(end - tu_now_ms() > 200 ? 200 :
		    end - tu_now_ms()), NULL);
	return i;
}

/* Starts arkd with NOTIFY_SOCKET and a 1 s watchdog. */
static void
arkd_start_notified(const char *const *extra)
{
	setenv("NOTIFY_SOCKET", notify_path, 1);
	setenv("WATCHDOG_USEC", "1000000", 1);
	arkd_start_log(arkd_log, extra, 1);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
}

START_TEST(test_notify_ready_after_subscribed)
{
	int port = tu_free_port();
	size_t mark;
	long r, s, i;
	int rc;

	/* no master yet: arkd feeds the watchdog but is not ready */
	cfg_write_to(cfg_path, port, state_dir, NULL, JOBS_MAIN);
	arkd_start_notified(NULL);
	notify_recv(2500, NULL);
	ck_assert_int_eq(note_find(0, "READY=1"), -1);
	ck_assert_msg(note_count(0, "WATCHDOG=1") >= 3, "%zu keep-alives in "
	    "2.5 s", note_count(0, "WATCHDOG=1"));
	ck_assert(!ready());

	/* the master comes up: READY=1 once SUBSCRIBED arrived */
	mark = nnotes;
	sim_start(port, NULL);
	r = note_wait(mark, "READY=1", WAIT_MS);
	if (r < 0)
		dump_logs();
	ck_assert_msg(r >= 0, "no READY=1 after the master came up");
	{
		/* the master had the framework subscribed by then */
		json_t *st = sim_get("state"), *fw = our_fw(st);

		ck_assert_ptr_nonnull(fw);
		ck_assert(json_is_true(json_object_get(fw, "connected")));
		ck_assert_int_ge(jint(json_object_get(st, "counters"),
		    "subscribes"), 1);
		json_decref(st);
	}
	ck_assert(note_has(notes[r].text, "STATUS=subscribed"));
	ck_assert_int_eq(note_count(0, "READY=1"), 1);

	/* the watchdog keeps being fed */
	mark = nnotes;
	notify_recv(3000, NULL);
	ck_assert_msg(note_count(mark, "WATCHDOG=1") >= 4, "%zu keep-alives "
	    "in 3 s", note_count(mark, "WATCHDOG=1"));

	/* a reload: RELOADING=1 (with MONOTONIC_USEC) then READY=1 */
	mark = nnotes;
	ck_assert_int_eq(kill(arkd_pid, SIGHUP), 0);
	s = note_wait(mark, "RELOADING=1", 10000);
	ck_assert_msg(s >= 0, "no RELOADING=1");
	ck_assert_ptr_nonnull(strstr(notes[s].text, "\nMONOTONIC_USEC="));
	r = note_wait((size_t)s, "READY=1", 10000);
	ck_assert_msg(r > s, "no READY=1 after RELOADING=1");
	/* and around a refused reload too */
	ck_assert_int_eq(tu_write_file(cfg_path, "{", 0644), 0);
	mark = nnotes;
	ck_assert_int_eq(kill(arkd_pid, SIGHUP), 0);
	s = note_wait(mark, "RELOADING=1", 10000);
	ck_assert(s >= 0);
	r = note_wait((size_t)s, "READY=1", 10000);
	ck_assert(r > s);

	/* SIGTERM: STOPPING=1, exit 0 */
	mark = nnotes;
	ck_assert_int_eq(kill(arkd_pid, SIGTERM), 0);
	i = note_wait(mark, "STOPPING=1", 10000);
	ck_assert_msg(i >= 0, "no STOPPING=1");
	rc = wait_exit(arkd_pid, 20000);
	ck_assert_int_eq(rc, 0);
}
END_TEST

START_TEST(test_notify_ready_on_start)
{
	static const char *const args[] = { "--ready-on-start", NULL };
	int port = tu_free_port();
	long r;

	/* nobody at the master's address: READY=1 all the same */
	cfg_write_to(cfg_path, port, state_dir, NULL, JOBS_MAIN);
	arkd_start_notified(args);
	r = note_wait(0, "READY=1", 15000);
	ck_assert_msg(r >= 0, "no READY=1 with --ready-on-start");
	/* alive, not ready: /readyz says why, arkctl health exits 1 */
	{
		char *out = NULL, *err = NULL;
		json_t *j;

		ck_assert_int_eq(api("GET", "/readyz", NULL, &out, NULL), 503);
		j = json_loads(out, 0, NULL);
		ck_assert(json_is_false(json_object_get(j, "ready")));
		ck_assert(strlen(jstr(j, "reason")) > 0);
		json_decref(j);
		free(out);
		ck_assert_int_eq(api("GET", "/healthz", NULL, NULL, NULL), 200);
		ck_assert_int_eq(ctl(&out, &err, "health", NULL), 1);
		ck_assert_ptr_nonnull(strstr(out, "alive"));
		ck_assert_ptr_nonnull(strstr(err, "not ready"));
		free(out);
		free(err);
		j = ctl_json("status", NULL);
		ck_assert_str_ne(jstr(json_object_get(j, "session"), "state"),
		    "subscribed");
		json_decref(j);
	}
	ck_assert(note_wait((size_t)r, "WATCHDOG=1", 5000) > r);
	ck_assert_int_eq(kill(arkd_pid, SIGTERM), 0);
	ck_assert(note_wait((size_t)r, "STOPPING=1", 10000) > r);
	ck_assert_int_eq(wait_exit(arkd_pid, 20000), 0);
	/* WATCHDOG_PID naming another process: no keep-alives from us */
	{
		size_t mark = nnotes;

		setenv("WATCHDOG_PID", "1", 1);
		arkd_start_notified(args);
		unsetenv("WATCHDOG_PID");
		ck_assert(note_wait(mark, "READY=1", 15000) >= 0);
		notify_recv(2000, NULL);
		ck_assert_int_eq(note_count(mark, "WATCHDOG=1"), 0);
		ck_assert_int_eq(kill(arkd_pid, SIGTERM), 0);
		ck_assert_int_eq(wait_exit(arkd_pid, 20000), 0);
	}
}
END_TEST

/* ---- offline: flags, man pages ------------------------------------------- */

/* Only a private directory: nothing runs. */
static void
offline_setup(void)
{
	paths_init("operator-offline");
}

/* Whether GET /v1/state's session has a last error and n failed tries. */
static int
conn_failing(long n)
{
	json_t *j = api_json("/v1/state"), *s = json_object_get(j, "session");
	int ok = json_is_string(json_object_get(s, "last_error")) &&
	    jint(s, "failed_attempts") >= n;

	json_decref(j);
	return ok;
}

/* Whether a reconciliation has finished since arkd started. */
static int
reconciled(void)
{
	json_t *j = api_json("/v1/state");
	int ok = jint(json_object_get(j, "reconciliation"), "completed") >= 1;

	json_decref(j);
	return ok;
}

/*
 * No master answers: arkctl status names the last connection error, when
 * it came and since when arkd fails; "last reconciled" says never. Once
 * the master is up, the failing streak ends and a duration shows.
 */
START_TEST(test_status_while_disconnected)
{
	int port = tu_free_port();
	char hostport[32], *out = NULL, *line;
	json_t *j, *s, *r;

	snprintf(hostport, sizeof hostport, "127.0.0.1:%d", port);
	cfg_write_to(cfg_path, port, state_dir, NULL, JOBS_MAIN);
	arkd_start(NULL);
	if (!TU_WAIT(WAIT_MS, conn_failing(2)))
		dump_logs();
	ck_assert_msg(conn_failing(2), "no connection error in /v1/state");
	j = api_json("/v1/state");
	s = json_object_get(j, "session");
	r = json_object_get(j, "reconciliation");
	ck_assert_str_eq(jstr(s, "state"), "disconnected");
	ck_assert_int_gt(jint(s, "since"), 1600000000000LL);
	ck_assert_ptr_nonnull(strstr(jstr(s, "last_error"), hostport));
	ck_assert_int_ge(jint(s, "last_error_at"), jint(s, "failing_since"));
	ck_assert_int_ge(jint(s, "failing_since"), jint(s, "since"));
	ck_assert(json_is_null(json_object_get(r, "last_duration_ms")));
	json_decref(j);

	ck_assert_int_eq(ctl(&out, NULL, "status", NULL), 0);
	line = line_of(out, "session");
	ck_assert_ptr_nonnull(line);
	ck_assert_msg(strstr(line, "disconnected since 20") != NULL, "%s", line);
	free(line);
	line = line_of(out, "last error");
	ck_assert_msg(line != NULL && strstr(line, hostport) != NULL &&
	    strstr(line, " failed since ") != NULL, "%s", out);
	free(line);
	line = line_of(out, "last reconciled");
	ck_assert_msg(line != NULL && row_is(line, "last", "reconciled",
	    "never", NULL), "%s", out);
	free(line);
	free(out);

	sim_start(port, NULL);
	if (!TU_WAIT(WAIT_MS, ready() && reconciled()))
		dump_logs();
	ck_assert(reconciled());
	j = api_json("/v1/state");
	s = json_object_get(j, "session");
	ck_assert(json_is_null(json_object_get(s, "failing_since")));
	ck_assert_int_eq(jint(s, "failed_attempts"), 0);
	ck_assert(json_is_integer(json_object_get(json_object_get(j,
	    "reconciliation"), "last_duration_ms")));
	json_decref(j);
	ck_assert_int_eq(ctl(&out, NULL, "status", NULL), 0);
	line = line_of(out, "last reconciled");
	ck_assert_msg(line != NULL && strstr(line, " ms, at 20") != NULL,
	    "%s", out);
	free(line);
	free(out);
}
END_TEST

/* A ZooKeeper host that does not resolve is named as such in the log. */
START_TEST(test_zk_host_unresolvable)
{
	char *c = xasprintf("{\"master\": {\"masters\": "
	    "[\"zk://zk1.invalid:2181/mesos\"]},\n"
	    "\"framework\": {\"name\": \"" FW_NAME "\", \"user\": \"nobody\"},\n"
	    "\"admin\": {\"listen\": \"127.0.0.1:0\"},\n"
	    "\"state_dir\": \"%s\", \"jobs\": []}\n", state_dir);

	ck_assert_int_eq(tu_write_file(cfg_path, c, 0644), 0);
	free(c);
	arkd_start(NULL);
	if (!TU_WAIT(20000, log_has("zookeeper zk1.invalid:2181: cannot start",
	    "cannot resolve host 'zk1.invalid'")))
		dump_logs();
	ck_assert(log_has("zookeeper zk1.invalid:2181", "cannot resolve host "
	    "'zk1.invalid'"));
	ck_assert(!log_has("zookeeper zk1.invalid:2181", "No such file"));
}
END_TEST

START_TEST(test_version_and_usage)
{
	char bin[512], ctlbin[512], *out = NULL, *err = NULL, want[64];

	snprintf(bin, sizeof bin, "%s", tu_bin("arkd"));
	snprintf(ctlbin, sizeof ctlbin, "%s", tu_bin("arkctl"));
	snprintf(want, sizeof want, "arkd %s\n", ARK_VERSION);
	ck_assert_int_eq(run(&out, NULL, bin, "--version", NULL), 0);
	ck_assert_str_eq(out, want);
	free(out);
	ck_assert_int_eq(run(&out, NULL, bin, "-V", NULL), 0);
	ck_assert_str_eq(out, want);
	free(out);
	snprintf(want, sizeof want, "arkctl %s\n", ARK_VERSION);
	ck_assert_int_eq(run(&out, NULL, ctlbin, "--version", NULL), 0);
	ck_assert_str_eq(out, want);
	free(out);
	ck_assert_int_eq(run(&out, NULL, bin, "--help", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "usage: arkd"));
	free(out);
	ck_assert_int_eq(run(NULL, &err, bin, "--bogus", NULL), 2);
	free(err);
	ck_assert_int_eq(run(NULL, &err, bin, "extra", NULL), 2);
	ck_assert_ptr_nonnull(strstr(err, "extra"));
	free(err);
	ck_assert_int_eq(run(NULL, &err, bin, "--log-level", "loud", NULL), 2);
	ck_assert_ptr_nonnull(strstr(err, "loud"));
	free(err);
	ck_assert_int_eq(run(NULL, &err, bin, "--log-format", "xml", NULL), 2);
	free(err);
	ck_assert_int_eq(run(NULL, &err, bin, "--check-config", NULL), 2);
	free(err);
	ck_assert_int_eq(run(NULL, &err, ctlbin, NULL), 2);
	free(err);
}
END_TEST

START_TEST(test_check_and_dump_config)
{
	char bin[512], *out = NULL, *err = NULL, *good, *bad;
	json_t *j, *o;

	snprintf(bin, sizeof bin, "%s", tu_bin("arkd"));
	good = xasprintf("%s/etc/ark/examples/demo.json", ARK_SRCDIR);
	ck_assert_int_eq(run(&out, &err, bin, "--check-config", good, NULL),
	    0);
	ck_assert_ptr_nonnull(strstr(out, "ok"));
	ck_assert_ptr_nonnull(strstr(out, "2 jobs"));
	free(out);
	free(err);

	/* a semantic error: file, line and JSON path */
	bad = xasprintf("%s/bad.json", dir);
	ck_assert_int_eq(tu_write_file(bad, "{\n\"jobs\": [\n"
	    "{\"id\": \"a\", \"kind\": \"service\", \"command\": \"x\","
	    " \"resources\": {\"cpus\": 1, \"mem\": 8}},\n"
	    "{\"id\": \"b\", \"kind\": \"service\", \"instances\": -2,"
	    " \"command\": \"x\", \"resources\": {\"cpus\": 1,"
	    " \"mem\": 8}}\n]}\n", 0644), 0);
	ck_assert_int_eq(run(&out, &err, bin, "--check-config", bad, NULL), 1);
	ck_assert_msg(strstr(err, bad) != NULL && strstr(err, ":4") != NULL &&
	    strstr(err, "jobs[1].instances") != NULL, "error: %s", err);
	free(out);
	free(err);
	/* a syntax error */
	ck_assert_int_eq(tu_write_file(bad, "{\n\"jobs\": [\n}\n", 0644), 0);
	ck_assert_int_eq(run(&out, &err, bin, "--check-config", bad, NULL), 1);
	ck_assert_msg(strstr(err, bad) != NULL && strstr(err, ":3") != NULL,
	    "error: %s", err);
	free(out);
	free(err);
	/* a missing file */
	ck_assert_int_eq(run(NULL, &err, bin, "--check-config",
	    "/nonexistent/arkd.json", NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/arkd.json"));
	free(err);
	free(bad);

	/* --dump-config: JSON, with the file's values over the defaults */
	ck_assert_int_eq(run(&out, &err, bin, "--dump-config", "-c", good,
	    NULL), 0);
	j = json_loads(out, 0, NULL);
	ck_assert_msg(j != NULL, "--dump-config is not JSON: %s", out);
	o = json_object_get(json_object_get(j, "options"), "framework.name");
	ck_assert_str_eq(jstr(o, "value"), "ark");
	ck_assert(json_is_boolean(json_object_get(o, "reloadable")));
	ck_assert(json_is_string(json_object_get(o, "help")));
	o = json_object_get(json_object_get(j, "options"), "state_dir");
	ck_assert_str_eq(jstr(o, "value"), "/var/lib/ark");
	json_decref(j);
	free(out);
	free(err);
	/* the command line's overrides show */
	ck_assert_int_eq(run(&out, NULL, bin, "--dump-config", "-c", good,
	    "--state-dir", "/srv/ark", NULL), 0);
	j = json_loads(out, 0, NULL);
	o = json_object_get(json_object_get(j, "options"), "state_dir");
	ck_assert_str_eq(jstr(o, "value"), "/srv/ark");
	json_decref(j);
	free(out);
	free(good);
}
END_TEST

/*
 * --dump-config --format json prints a complete arkd.json that
 * --check-config accepts and that loads as the same configuration (same
 * jobs, same version), with whole numbers written as integers.
 */
START_TEST(test_dump_config_json)
{
	char bin[512], *out = NULL, *err = NULL, *again = NULL, *demo, *copy;
	char *v1, *v2;
	json_t *j;

	snprintf(bin, sizeof bin, "%s", tu_bin("arkd"));
	demo = xasprintf("%s/etc/ark/examples/demo.json", ARK_SRCDIR);
	copy = xasprintf("%s/dumped.json", dir);
	ck_assert_int_eq(run(&out, &err, bin, "--dump-config", "-c", demo,
	    "--format", "json", NULL), 0);
	j = json_loads(out, JSON_REJECT_DUPLICATES, NULL);
	ck_assert_msg(j != NULL, "not JSON: %s", out);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "jobs")), 2);
	ck_assert_ptr_nonnull(json_object_get(json_object_get(j, "ha"), "zk"));
	ck_assert(json_is_integer(json_object_get(json_object_get(j,
	    "master"), "heartbeat_misses")));
	json_decref(j);
	ck_assert_msg(strstr(out, "e+") == NULL && strstr(out, ".0,") == NULL &&
	    strstr(out, "0000000") == NULL, "%s", out);
	ck_assert_int_eq(tu_write_file(copy, out, 0644), 0);
	free(out);
	free(err);
	/* the dump passes the check, with the version of the original */
	ck_assert_int_eq(run(&out, &err, bin, "--check-config", demo, NULL), 0);
	v1 = xstrdup(strstr(out, "version"));
	free(out);
	free(err);
	ck_assert_int_eq(run(&out, &err, bin, "--check-config", copy, NULL), 0);
	ck_assert_msg(strstr(out, "2 jobs") != NULL, "%s%s", out, err);
	v2 = xstrdup(strstr(out, "version"));
	ck_assert_str_eq(v1, v2);
	free(out);
	free(err);
	/* and dumping the dump changes nothing */
	ck_assert_int_eq(run(&out, NULL, bin, "--dump-config", "-c", demo,
	    "--format", "json", NULL), 0);
	ck_assert_int_eq(run(&again, NULL, bin, "--dump-config", "-c", copy,
	    "--format", "json", NULL), 0);
	ck_assert_str_eq(out, again);
	free(out);
	free(again);
	/* a format that does not exist, or --format alone, is a usage error */
	ck_assert_int_eq(run(NULL, &err, bin, "--dump-config", "--format",
	    "yaml", NULL), 2);
	ck_assert_ptr_nonnull(strstr(err, "yaml"));
	free(err);
	ck_assert_int_eq(run(NULL, &err, bin, "--format", "json", NULL), 2);
	ck_assert_ptr_nonnull(strstr(err, "--dump-config"));
	free(err);
	free(v1);
	free(v2);
	free(copy);
	free(demo);
}
END_TEST

/*
 * --dump-config without --config reads the default file; where there is
 * none it prints the defaults (and says so) rather than failing. An
 * explicit --config that is missing is still an error.
 */
START_TEST(test_dump_config_defaults)
{
	char bin[512], *out = NULL, *err = NULL;
	const char *def = ARK_SYSCONFDIR "/ark/arkd.json";
	json_t *j, *o;

	snprintf(bin, sizeof bin, "%s", tu_bin("arkd"));
	ck_assert_int_eq(run(&out, &err, bin, "--dump-config", NULL), 0);
	j = json_loads(out, 0, NULL);
	ck_assert_msg(j != NULL, "not JSON: %s", out);
	if (access(def, F_OK) != 0) {
		/* this machine has none: the defaults, and a note */
		ck_assert_str_eq(jstr(j, "path"), "(defaults)");
		ck_assert_msg(strstr(err, def) != NULL &&
		    strstr(err, "defaults") != NULL, "%s", err);
		o = json_object_get(json_object_get(j, "options"),
		    "master.heartbeat_misses");
		ck_assert(json_equal(json_object_get(o, "value"),
		    json_object_get(o, "default")));
		ck_assert(json_is_integer(json_object_get(o, "value")));
	} else {
		/* an installed arkd: its file */
		ck_assert_str_eq(jstr(j, "path"), def);
	}
	json_decref(j);
	free(out);
	free(err);
	/* the defaults as a file: no jobs, and --check-config takes them */
	if (access(def, F_OK) != 0) {
		char *copy = xasprintf("%s/defaults.json", dir);

		ck_assert_int_eq(run(&out, NULL, bin, "--dump-config",
		    "--format", "json", NULL), 0);
		ck_assert_int_eq(tu_write_file(copy, out, 0644), 0);
		free(out);
		ck_assert_int_eq(run(&out, &err, bin, "--check-config", copy,
		    NULL), 0);
		ck_assert_msg(strstr(out, "0 jobs") != NULL, "%s%s", out, err);
		free(out);
		free(err);
		free(copy);
	}
	ck_assert_int_eq(run(NULL, &err, bin, "--dump-config", "-c",
	    "/nonexistent/arkd.json", NULL), 1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/arkd.json"));
	free(err);
}
END_TEST

START_TEST(test_log_format_auto)
{
	char bin[512], *err = NULL, *cfg;
	int rc;

	/* a state directory arkd cannot make: one error line, exit 1 */
	snprintf(bin, sizeof bin, "%s", tu_bin("arkd"));
	cfg = xasprintf("%s/arkd.json", dir);
	cfg_write_to(cfg, 1, "/proc/ark-no/state", NULL, "");
	/* auto: journal priorities when stderr goes to the journal */
	setenv("JOURNAL_STREAM", "8:12345", 1);
	rc = run(NULL, &err, bin, "-c", cfg, "--log-format", "auto", NULL);
	unsetenv("JOURNAL_STREAM");
	ck_assert_int_eq(rc, 1);
	ck_assert_msg(strncmp(err, "<", 1) == 0 && strstr(err, "<3>") != NULL &&
	    strstr(err, "/proc/ark-no/state") != NULL, "%s", err);
	free(err);
	/* else plain lines with a timestamp and the level */
	rc = run(NULL, &err, bin, "-c", cfg, "--log-format", "auto", NULL);
	ck_assert_int_eq(rc, 1);
	ck_assert_msg(err[0] >= '2' && err[0] <= '9' && strstr(err, " error: ")
	    != NULL, "%s", err);
	free(err);
	/* json whatever the environment */
	setenv("JOURNAL_STREAM", "8:12345", 1);
	rc = run(NULL, &err, bin, "-c", cfg, "--log-format", "json", NULL);
	unsetenv("JOURNAL_STREAM");
	ck_assert_int_eq(rc, 1);
	{
		char *nl = strchr(err, '\n');

		ck_assert_ptr_nonnull(nl);
		*nl = '\0';
		ck_assert_msg(json_line(err), "%s", err);
	}
	free(err);
	free(cfg);
}
END_TEST

/*
 * Collects the long options (--name) of text into a sorted ","-joined set;
 * man pages write them as \-\-name.
 */
static char *
long_opts(const char *text)
{
	json_t *o = json_object();
	char *s;

	for (const char *p = text; *p != '\0'; p++) {
		char name[64];
		size_t n = 0;
		const char *q;

		if (strncmp(p, "\\-\\-", 4) == 0)
			q = p + 4;
		else if (strncmp(p, "--", 2) == 0 && (p == text ||
		    p[-1] == ' ' || p[-1] == '[' || p[-1] == '\n' ||
		    p[-1] == '(' || p[-1] == ','))
			q = p + 2;
		else
			continue;
		while (n + 1 < sizeof name && ((*q >= 'a' && *q <= 'z') ||
		    *q == '-' || (q[0] == '\\' && q[1] == '-'))) {
			if (*q == '\\')
				q++;
			name[n++] = *q++;
		}
		while (n > 0 && name[n - 1] == '-')
			n--;
		name[n] = '\0';
		if (n > 1)
			json_object_set_new(o, name, json_true());
	}
	s = ids_of(o);
	json_decref(o);
	return s;
}

/* The text of a man page section (".SH NAME" to the next .SH; caller frees). */
static char *
man_section(const char *page, const char *name)
{
	char *head = xasprintf(".SH %s\n", name);
	const char *p = strstr(page, head), *e;

	free(head);
	if (p == NULL)
		return xstrdup("");
	e = strstr(p + 4, "\n.SH ");
	return e != NULL ? xstrndup(p, (size_t)(e - p)) : xstrdup(p);
}

/* The exit codes a section lists as ".TP\n.B N" (sorted, joined). */
static char *
man_codes(const char *section)
{
	json_t *o = json_object();
	char *s;

	for (const char *p = section; (p = strstr(p, ".TP\n.B ")) != NULL;
	    p += 7)
		if (p[7] >= '0' && p[7] <= '9' && p[8] == '\n') {
			char c[2] = { p[7], '\0' };

			json_object_set_new(o, c, json_true());
		}
	s = ids_of(o);
	json_decref(o);
	return s;
}

START_TEST(test_arkd_man_page)
{
	char bin[512], *help = NULL, *page, *a, *b, *opts, *codes, *sect;

	snprintf(bin, sizeof bin, "%s", tu_bin("arkd"));
	ck_assert_int_eq(run(&help, NULL, bin, "--help", NULL), 0);
	page = xasprintf("%s/docs/arkd.8", ARK_SRCDIR);
	a = tu_slurp(page);
	ck_assert_ptr_nonnull(a);
	free(page);
	page = a;
	sect = man_section(page, "OPTIONS");
	opts = long_opts(sect);
	b = long_opts(help);
	ck_assert_msg(strcmp(opts, b) == 0, "arkd(8) OPTIONS: %s\n"
	    "arkd --help: %s", opts, b);
	free(b);
	free(opts);
	free(sect);
	sect = man_section(page, "SYNOPSIS");
	opts = long_opts(sect);
	b = long_opts(help);
	ck_assert_msg(strcmp(opts, b) == 0, "arkd(8) SYNOPSIS: %s\n"
	    "arkd --help: %s", opts, b);
	free(b);
	free(opts);
	free(sect);
	sect = man_section(page, "EXIT STATUS");
	codes = man_codes(sect);
	ck_assert_str_eq(codes, "0,1,2,3,4");
	free(codes);
	free(sect);
	/* the unit's RestartPreventExitStatus= is what the page says */
	a = xasprintf("%s/systemd/arkd.service.in", ARK_SRCDIR);
	b = tu_slurp(a);
	ck_assert_msg(b != NULL, "cannot read %s", a);
	ck_assert_ptr_nonnull(strstr(b, "\nRestartPreventExitStatus=2 3 4\n"));
	ck_assert_ptr_nonnull(strstr(page, "exit status 2, 3 or 4"));
	free(a);
	free(b);
	free(page);
	free(help);
}
END_TEST

START_TEST(test_arkctl_man_page)
{
	char bin[512], *help = NULL, *page, *p, *cmds, *sect, *a, *b;
	json_t *o = json_object();

	snprintf(bin, sizeof bin, "%s", tu_bin("arkctl"));
	ck_assert_int_eq(run(&help, NULL, bin, "--help", NULL), 0);
	p = xasprintf("%s/docs/arkctl.1", ARK_SRCDIR);
	page = tu_slurp(p);
	ck_assert_ptr_nonnull(page);
	free(p);
	/* every command of --help has an entry in COMMANDS, and back */
	p = strstr(help, "commands:\n");
	ck_assert_ptr_nonnull(p);
	for (p += 10; p[0] == ' ' && p[1] == ' '; p = strchr(p, '\n') + 1) {
		char name[32];
		size_t n = strcspn(p + 2, " \n");

		snprintf(name, sizeof name, "%.*s", (int)n, p + 2);
		json_object_set_new(o, name, json_true());
	}
	cmds = ids_of(o);
	json_decref(o);
	o = json_object();
	sect = man_section(page, "COMMANDS");
	for (p = sect; (p = strstr(p, ".TP\n.B")) != NULL; p += 6) {
		char name[32];
		const char *q = p + 6;
		size_t n;

		q += strspn(q, "I ");
		if (*q == '"')
			q++;
		n = strcspn(q, " \n\"\\");
		snprintf(name, sizeof name, "%.*s", (int)n, q);
		json_object_set_new(o, name, json_true());
	}
	a = ids_of(o);
	json_decref(o);
	ck_assert_msg(strcmp(a, cmds) == 0, "arkctl(1) COMMANDS: %s\n"
	    "arkctl --help: %s", a, cmds);
	free(a);
	free(sect);
	/* the options */
	sect = man_section(page, "OPTIONS");
	a = long_opts(sect);
	p = strstr(help, "\noptions:\n");
	ck_assert_ptr_nonnull(p);
	b = long_opts(p);
	ck_assert_msg(strcmp(a, b) == 0, "arkctl(1) OPTIONS: %s\n"
	    "arkctl --help: %s", a, b);
	free(a);
	free(b);
	free(sect);
	/* command options: every one the page names, a --help names */
	{
		static const char *const c[] = { "tasks", "blacklist",
		    "teardown", "scale" };
		struct buf all;

		buf_init(&all, 0);
		buf_addstr(&all, help);
		for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
			char *h = NULL;

			ck_assert_int_eq(run(&h, NULL, bin, c[i], "--help",
			    NULL), 0);
			buf_addstr(&all, h);
			free(h);
		}
		{
			char *h = NULL;

			ck_assert_int_eq(run(&h, NULL, bin, "blacklist", "add",
			    "--help", NULL), 0);
			buf_addstr(&all, h);
			free(h);
		}
		free(help);
		help = buf_steal(&all, NULL);
	}
	sect = man_section(page, "COMMANDS");
	a = long_opts(sect);
	b = long_opts(help);
	ck_assert_msg(strstr(a, "yes-really") != NULL, "%s", a);
	{
		char *save = NULL, *copy = xstrdup(a);

		for (char *t = strtok_r(copy, ",", &save); t != NULL;
		    t = strtok_r(NULL, ",", &save)) {
			char *w = xasprintf("--%s", t);

			ck_assert_msg(strstr(help, w) != NULL, "arkctl(1) names "
			    "%s, arkctl --help does not", w);
			free(w);
		}
		free(copy);
	}
	free(a);
	free(b);
	free(sect);
	/* exit codes, in the page and in --help */
	sect = man_section(page, "EXIT STATUS");
	a = man_codes(sect);
	ck_assert_str_eq(a, "0,1,2,3");
	free(a);
	free(sect);
	ck_assert_ptr_nonnull(strstr(help, "0 ok, 1 arkd answered an error, "
	    "2 usage error, 3 arkd unreachable"));
	free(cmds);
	free(page);
	free(help);
}
END_TEST

/* ---- suite ---------------------------------------------------------------- */

/* The test cases, each with its own processes. */
static Suite *
operator_suite(void)
{
	Suite *s = suite_create("operator");
	TCase *tc;

	tc = tcase_create("offline");
	tcase_add_checked_fixture(tc, offline_setup, teardown_all);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_version_and_usage);
	tcase_add_test(tc, test_check_and_dump_config);
	tcase_add_test(tc, test_dump_config_json);
	tcase_add_test(tc, test_dump_config_defaults);
	tcase_add_test(tc, test_log_format_auto);
	tcase_add_test(tc, test_arkd_man_page);
	tcase_add_test(tc, test_arkctl_man_page);
	suite_add_tcase(s, tc);

	tc = tcase_create("session");
	tcase_add_checked_fixture(tc, offline_setup, teardown_all);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_status_while_disconnected);
	tcase_add_test(tc, test_zk_host_unresolvable);
	suite_add_tcase(s, tc);

	tc = tcase_create("api");
	tcase_add_checked_fixture(tc, main_setup, teardown_all);
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_jobs_and_job);
	tcase_add_test(tc, test_tasks_filters);
	tcase_add_test(tc, test_agents);
	tcase_add_test(tc, test_blacklist);
	tcase_add_test(tc, test_restart_rolling);
	tcase_add_test(tc, test_scale_suspend_resume_kill);
	tcase_add_test(tc, test_reconcile);
	tcase_add_test(tc, test_health_and_metrics);
	tcase_add_test(tc, test_api_answers);
	tcase_add_test(tc, test_bad_requests);
	tcase_add_test(tc, test_exit_codes);
	tcase_add_test(tc, test_sigterm);
	tcase_add_test(tc, test_sigint_and_log_formats);
	tcase_add_test(tc, test_teardown);
	suite_add_tcase(s, tc);

	tc = tcase_create("reload");
	tcase_add_checked_fixture(tc, reload_setup, reload_teardown);
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_reload_broken_changes_nothing);
	tcase_add_test(tc, test_reload_adds_and_removes);
	tcase_add_test(tc, test_reload_changed_job_rolls);
	tcase_add_test(tc, test_reload_restart_only_refused);
	tcase_add_test(tc, test_reload_updates_framework);
	tcase_add_test(tc, test_reload_master_options);
	suite_add_tcase(s, tc);

	tc = tcase_create("token");
	tcase_add_checked_fixture(tc, token_setup, teardown_all);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_token_required);
	tcase_add_test(tc, test_read_token_and_redaction);
	tcase_add_test(tc, test_token_file_checked);
	tcase_add_test(tc, test_admin_tls);
	suite_add_tcase(s, tc);

	tc = tcase_create("auth");
	tcase_add_checked_fixture(tc, auth_setup, teardown_all);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_auth_refused_exit_4);
	suite_add_tcase(s, tc);

	tc = tcase_create("systemd");
	tcase_add_checked_fixture(tc, notify_setup, notify_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_notify_ready_after_subscribed);
	tcase_add_test(tc, test_notify_ready_on_start);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(operator_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_kill_all();
	return failed == 0 ? 0 : 1;
}
