/*
 * check_arkctl — the arkctl program against a test double of arkd's admin
 * API: a small libmicrohttpd server in this process answering canned JSON
 * shaped as docs/admin-api.md says, and recording what it was asked. Every
 * command runs as a real arkctl process; the test checks the request it
 * made (method, path, query, body, token), what it printed (tables or the
 * API's JSON) and its exit code (0 ok, 1 API error, 2 usage, 3 unreachable).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "buf.h"
#include "../lib/testutil.h"
#include "xmalloc.h"

/* ---- the test double ----------------------------------------------------- */

static const char state_json[] =
    "{\"framework_id\":\"fw-0001\",\"leader\":\"127.0.0.1:5050\","
    "\"session\":{\"state\":\"subscribed\",\"since\":1764201600000,"
    "\"stream_id\":\"stream-7\",\"last_error\":null,\"last_error_at\":"
    "null,\"failing_since\":null,\"failed_attempts\":0},\"counts\":"
    "{\"jobs\":2,\"tasks\":5,\"agents\":3,\"offers\":1,\"blacklist\":1},"
    "\"reconciliation\":{\"state\":\"idle\",\"rounds\":4,\"outstanding\":"
    "0,\"started_at\":1764201600000,\"last_duration_ms\":120,"
    "\"last_completed_at\":1764201600120,\"completed\":1,"
    "\"unknown_tasks\":0},"
    "\"config_version\":\"cfg-abc123\",\"dry_run\":false,\"version\":"
    "\"0.1.0\"}";
/* Disconnected, attempts failing, no reconciliation finished yet. */
static const char state_down_json[] =
    "{\"framework_id\":null,\"leader\":\"127.0.0.1:5050\","
    "\"session\":{\"state\":\"disconnected\",\"since\":1764201600000,"
    "\"stream_id\":null,\"last_error\":\"SUBSCRIBE to 127.0.0.1:5050: "
    "Couldn't connect to server\",\"last_error_at\":1764201660000,"
    "\"failing_since\":1764201600000,\"failed_attempts\":7},\"counts\":"
    "{\"jobs\":2,\"tasks\":0,\"agents\":0,\"offers\":0,\"blacklist\":0},"
    "\"reconciliation\":{\"state\":\"idle\",\"rounds\":0,\"outstanding\":"
    "0,\"started_at\":null,\"last_duration_ms\":null,"
    "\"last_completed_at\":null,\"completed\":0,\"unknown_tasks\":0},"
    "\"config_version\":\"cfg-abc123\",\"dry_run\":false,\"version\":"
    "\"0.1.0\"}";
static const char jobs_json[] =
    "{\"jobs\":[{\"id\":\"web\",\"kind\":\"service\",\"instances\":3,"
    "\"running\":3,\"pending\":0,\"suspended\":false,\"hash\":\"h1\","
    "\"overrides\":{\"instances\":{\"file\":2,\"runtime\":3}}},"
    "{\"id\":\"node-exporter-long-name\",\"kind\":\"daemon\",\"running\":2,"
    "\"pending\":0,\"suspended\":true,\"hash\":\"h2\",\"overrides\":"
    "{\"suspended\":{\"file\":false,\"runtime\":true}}},"
    "{\"id\":\"db\",\"kind\":\"service\",\"instances\":1,\"running\":1,"
    "\"pending\":0,\"suspended\":false,\"hash\":\"h3\",\"overrides\":{}}]}";
static const char job_json[] =
    "{\"id\":\"web\",\"kind\":\"service\",\"instances\":3,\"running\":2,"
    "\"pending\":1,\"suspended\":false,\"hash\":\"h1\",\"spec\":{\"cmd\":"
    "\"sleep 1000\"},\"slots\":[{\"slot\":0,\"task_id\":\"web.0.aa\","
    "\"state\":\"TASK_RUNNING\",\"agent_id\":\"S1\",\"hostname\":\"a1\","
    "\"restarts\":0,\"backoff_until\":null,\"reason\":null},{\"slot\":1,"
    "\"task_id\":null,\"state\":\"pending\",\"agent_id\":null,\"hostname\":"
    "null,\"restarts\":2,\"backoff_until\":1764201660000,\"reason\":"
    "\"no offer fits\",\"history\":[{\"task_id\":\"web.1.zz\",\"state\":"
    "\"TASK_FAILED\",\"reason\":\"REASON_COMMAND_EXECUTOR_FAILED\","
    "\"source\":\"SOURCE_EXECUTOR\",\"message\":\"exited 1\",\"agent_id\":"
    "\"S2\",\"hostname\":\"a2\",\"launched_at\":1764201600000,"
    "\"ended_at\":1764201650000}]}]}";
static const char daemon_json[] =
    "{\"id\":\"nx\",\"kind\":\"daemon\",\"running\":1,\"pending\":1,"
    "\"suspended\":false,\"hash\":\"h2\",\"spec\":{},\"slots\":[],"
    "\"coverage\":[{\"agent_id\":\"S1\",\"hostname\":\"a1\",\"status\":"
    "\"running\",\"reason\":null},{\"agent_id\":\"S2\",\"hostname\":\"a2\","
    "\"status\":\"too_small\",\"reason\":\"needs 2 cpus\"}]}";
static const char tasks_json[] =
    "{\"tasks\":[{\"id\":\"web.0.aa\",\"job\":\"web\",\"slot\":0,"
    "\"agent_id\":\"S1\",\"hostname\":\"a1\",\"state\":\"TASK_RUNNING\","
    "\"launched_at\":1764201600000,\"updated_at\":1764201600000,"
    "\"healthy\":true,\"message\":null},{\"id\":\"web.1.bb\",\"job\":"
    "\"web\",\"slot\":1,\"agent_id\":\"S2\",\"hostname\":\"a2\",\"state\":"
    "\"TASK_STAGING\",\"launched_at\":1764201600000,\"updated_at\":"
    "1764201600000,\"healthy\":null,\"message\":\"pulling\"}]}";
static const char agents_json[] =
    "{\"agents\":[{\"id\":\"S1\",\"hostname\":\"a1\",\"attributes\":"
    "{\"rack\":\"r1\"},\"resources\":{\"cpus\":4,\"mem\":8192,\"disk\":"
    "100000},\"blacklisted\":false,\"draining\":false,\"tasks\":2},"
    "{\"id\":\"S3\",\"hostname\":\"a3\",\"attributes\":{},\"resources\":"
    "{\"cpus\":0.5,\"mem\":512,\"disk\":1000},\"blacklisted\":true,"
    "\"draining\":false,\"tasks\":0}]}";
static const char blacklist_json[] =
    "{\"blacklist\":[{\"agent\":\"S3\",\"reason\":\"bad disk\",\"since\":"
    "1764201600000}]}";
static const char bl_put_json[] =
    "{\"agent\":\"S4\",\"reason\":\"flaky nic\",\"since\":1764201600000,"
    "\"known\":true}";
static const char bl_put_unknown_json[] =
    "{\"agent\":\"nod3\",\"reason\":\"\",\"since\":1764201600000,"
    "\"known\":false,\"warning\":\"no agent the master reports has id or "
    "hostname 'nod3'; the entry is kept and applies when one joins\"}";
static const char bl_del_json[] = "{\"agent\":\"S3\"}";
static const char reconcile_json[] =
    "{\"reconciliation\":{\"state\":\"explicit\",\"rounds\":5,"
    "\"outstanding\":7,\"started_at\":1764201600000,\"last_duration_ms\":"
    "120,\"unknown_tasks\":0}}";
static const char restart_json[] = "{\"job\":\"web\",\"restart\":\"rolling\"}";
static const char kill_json[] = "{\"task\":\"web.0.aa\",\"kill\":\"sent\"}";
static const char reload_json[] = "{\"config_version\":\"cfg-def456\"}";
static const char teardown_json[] = "{\"teardown\":\"sent\"}";
static const char metrics_text[] =
    "# HELP ark_offers_received_total Offers received.\n"
    "# TYPE ark_offers_received_total counter\n"
    "ark_offers_received_total 42\n";
static const char healthz_json[] = "{\"ok\":true}";
static const char readyz_json[] = "{\"ready\":true}";

/* A canned answer per method and path. */
static const struct canned {
	const char	*method;
	const char	*path;
	int		 status;
	const char	*body;
} canned[] = {
	{ "GET", "/v1/state", 200, state_json },
	{ "GET", "/v1/jobs", 200, jobs_json },
	{ "GET", "/v1/jobs/web", 200, job_json },
	{ "GET", "/v1/jobs/nx", 200, daemon_json },
	{ "PATCH", "/v1/jobs/web", 200, job_json },
	{ "POST", "/v1/jobs/web/restart", 202, restart_json },
	{ "GET", "/v1/tasks", 200, tasks_json },
	{ "POST", "/v1/tasks/web.0.aa/kill", 202, kill_json },
	{ "GET", "/v1/agents", 200, agents_json },
	{ "GET", "/v1/blacklist", 200, blacklist_json },
	{ "PUT", "/v1/blacklist/S4", 200, bl_put_json },
	{ "DELETE", "/v1/blacklist/S3", 200, bl_del_json },
	{ "POST", "/v1/reconcile", 202, reconcile_json },
	{ "POST", "/v1/reload", 200, reload_json },
	{ "POST", "/v1/teardown", 202, teardown_json },
	{ "GET", "/metrics", 200, metrics_text },
	{ "GET", "/healthz", 200, healthz_json },
	{ "GET", "/readyz", 200, readyz_json },
};

/* What the double saw last, and what it is told to answer instead. */
static struct {
	pthread_mutex_t	 lock;
	int		 nreq;
	char		 method[16];
	char		 path[512];
	char		 query[512];	/* "job=web&state=..." as received */
	char		 body[4096];
	char		 auth[512];
	int		 force_status;	/* non-zero: answer this */
	const char	*force_body;
	const char	*force_path;	/* only for this path, or NULL */
	int		 delay_ms;	/* wait before answering */
} dbl;

static struct MHD_Daemon *dbl_daemon;
static int dbl_port;
static char *tmpdir;

/* Appends one query argument to dbl.query (MHD_KeyValueIterator). */
static enum MHD_Result
dbl_query_cb(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	size_t n = strlen(dbl.query);

	snprintf(dbl.query + n, sizeof dbl.query - n, "%s%s=%s",
	    n > 0 ? "&" : "", key, value != NULL ? value : "");
	return MHD_YES;
}

/* The double's access handler: record, then answer. */
static enum MHD_Result
dbl_cb(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct buf *body = *con_cls;
	struct MHD_Response *r;
	const char *auth, *out = "{\"error\":\"no such endpoint\"}";
	int status = 404, delay;
	enum MHD_Result ret;

	if (body == NULL) {
		body = xcalloc(1, sizeof *body);
		buf_init(body, 1 << 20);
		*con_cls = body;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		buf_add(body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&dbl.lock);
	dbl.nreq++;
	snprintf(dbl.method, sizeof dbl.method, "%s", method);
	snprintf(dbl.path, sizeof dbl.path, "%s", url);
	dbl.query[0] = '\0';
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, dbl_query_cb, NULL);
	snprintf(dbl.body, sizeof dbl.body, "%s", body->data != NULL ?
	    body->data : "");
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	snprintf(dbl.auth, sizeof dbl.auth, "%s", auth != NULL ? auth : "");
	for (size_t i = 0; i < sizeof canned / sizeof canned[0]; i++)
		if (strcmp(canned[i].method, method) == 0 &&
		    strcmp(canned[i].path, url) == 0) {
			status = canned[i].status;
			out = canned[i].body;
		}
	if (dbl.force_status != 0 && (dbl.force_path == NULL ||
	    strcmp(dbl.force_path, url) == 0)) {
		status = dbl.force_status;
		out = dbl.force_body;
	}
	delay = dbl.delay_ms;
	pthread_mutex_unlock(&dbl.lock);
	if (delay > 0)
		tu_sleep_ms(delay);
	r = MHD_create_response_from_buffer(strlen(out), (void *)(size_t)out,
	    MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    strcmp(url, "/metrics") == 0 ? "text/plain; version=0.0.4" :
	    "application/json");
	ret = MHD_queue_response(c, (unsigned int)status, r);
	MHD_destroy_response(r);
	return ret;
}

static void
dbl_done_cb(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct buf *body = *con_cls;

	if (body != NULL) {
		buf_clear(body);
		free(body);
		*con_cls = NULL;
	}
}

static void
setup(void)
{
	const union MHD_DaemonInfo *di;

	struct sockaddr_in sin;

	memset(&dbl, 0, sizeof dbl);
	pthread_mutex_init(&dbl.lock, NULL);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	dbl_daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    dbl_cb, NULL, MHD_OPTION_NOTIFY_COMPLETED, dbl_done_cb, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin, MHD_OPTION_END);
	ck_assert_ptr_nonnull(dbl_daemon);
	di = MHD_get_daemon_info(dbl_daemon, MHD_DAEMON_INFO_BIND_PORT);
	ck_assert_ptr_nonnull(di);
	dbl_port = di->port;
	tmpdir = tu_tmpdir("arkctl");
}

static void
teardown(void)
{
	MHD_stop_daemon(dbl_daemon);
	pthread_mutex_destroy(&dbl.lock);
	tu_rmtree(tmpdir);
	free(tmpdir);
}

/* ---- running arkctl ------------------------------------------------------ */

/* What one arkctl run did. */
struct run {
	int	 code;		/* exit code, or -1 if it did not exit */
	char	*out;		/* stdout */
	char	*err;		/* stderr */
};

/* Returns the content of a file (caller frees); "" if unreadable. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b;
	char chunk[4096];
	size_t n;

	buf_init(&b, 0);
	buf_addstr(&b, "");
	if (f != NULL) {
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_add(&b, chunk, n);
		fclose(f);
	}
	return buf_steal(&b, NULL);
}

/*
 * Runs arkctl with the arguments (NULL-terminated) and env, a list of
 * "NAME=value" (NULL = ARK_ADMIN pointing at the double), within 30 s.
 */
static void
run_env(struct run *r, const char *const *env, ...)
{
	const char *argv[32];
	char *outp, *errp, *addr;
	int n = 0, status;
	va_list ap;
	pid_t pid;
	long long deadline;

	argv[n++] = tu_bin("arkctl");
	va_start(ap, env);
	for (;;) {
		const char *a = va_arg(ap, const char *);

		ck_assert_int_lt(n, 31);
		argv[n++] = a;
		if (a == NULL)
			break;
	}
	va_end(ap);
	outp = xasprintf("%s/out", tmpdir);
	errp = xasprintf("%s/err", tmpdir);
	addr = xasprintf("127.0.0.1:%d", dbl_port);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fo = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int fe = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fo < 0 || fe < 0)
			_exit(126);
		dup2(fo, 1);
		dup2(fe, 2);
		unsetenv("ARK_ADMIN_TOKEN_FILE");
		setenv("ARK_ADMIN", addr, 1);
		for (; env != NULL && *env != NULL; env++)
			putenv(xstrdup(*env));
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	r->code = -1;
	deadline = tu_now_ms() + 30000;
	while (tu_now_ms() < deadline) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid) {
			r->code = WIFEXITED(status) ? WEXITSTATUS(status) :
			    128 + WTERMSIG(status);
			break;
		}
		tu_sleep_ms(10);
	}
	if (r->code == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	r->out = slurp(outp);
	r->err = slurp(errp);
	free(outp);
	free(errp);
	free(addr);
}

#define run(r, ...) run_env((r), NULL, __VA_ARGS__, (const char *)NULL)

static void
run_clear(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* Asserts that s holds each of the NULL-terminated strings. */
static void
has_all(const char *what, const char *s, ...)
{
	va_list ap;
	const char *w;

	va_start(ap, s);
	while ((w = va_arg(ap, const char *)) != NULL)
		ck_assert_msg(strstr(s, w) != NULL, "%s lacks \"%s\":\n%s", what,
		    w, s);
	va_end(ap);
}

/* Asserts the double's last request. */
static void
saw(const char *method, const char *path, const char *query, const char *body)
{
	pthread_mutex_lock(&dbl.lock);
	ck_assert_str_eq(dbl.method, method);
	ck_assert_str_eq(dbl.path, path);
	ck_assert_str_eq(dbl.query, query != NULL ? query : "");
	if (body == NULL)
		ck_assert_str_eq(dbl.body, "");
	else {
		json_t *want = json_loads(body, 0, NULL);
		json_t *got = json_loads(dbl.body, 0, NULL);

		ck_assert_msg(want != NULL && got != NULL &&
		    json_equal(want, got), "body %s, want %s", dbl.body, body);
		json_decref(want);
		json_decref(got);
	}
	pthread_mutex_unlock(&dbl.lock);
}

static int
nreq(void)
{
	int n;

	pthread_mutex_lock(&dbl.lock);
	n = dbl.nreq;
	pthread_mutex_unlock(&dbl.lock);
	return n;
}

/*
 * The line of out that starts with prefix (in a static buffer the next call
 * overwrites); fails if there is none.
 */
static const char *
line_of(const char *out, const char *prefix)
{
	static char line[1024];
	const char *p = out;

	while (p != NULL && *p != '\0') {
		const char *e = strchr(p, '\n');
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);

		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			snprintf(line, sizeof line, "%.*s", (int)n, p);
			return line;
		}
		p = e != NULL ? e + 1 : NULL;
	}
	ck_abort_msg("no line starting with \"%s\" in:\n%s", prefix, out);
	return NULL;
}

/* Column where word starts in line; fails if absent. */
static long
col_of(const char *line, const char *word)
{
	const char *p = strstr(line, word);

	ck_assert_msg(p != NULL, "\"%s\" not in \"%s\"", word, line);
	return p - line;
}

/* Whether the line of out starting with prefix holds text (says if not). */
static int
row_has(const char *out, const char *prefix, const char *text)
{
	const char *line = line_of(out, prefix);

	if (strstr(line + strlen(prefix), text) != NULL)
		return 1;
	fprintf(stderr, "\"%s\" not in \"%s\"\n", text, line);
	return 0;
}

/* ---- tests --------------------------------------------------------------- */

START_TEST(test_status)
{
	struct run r;

	run(&r, "status");
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	saw("GET", "/v1/state", NULL, NULL);
	has_all("status", r.out, "fw-0001", "127.0.0.1:5050", "subscribed",
	    "since 2025-11-27 00:00:00Z", "stream-7", "idle, 0 outstanding, 4 "
	    "rounds", "in 120 ms, at 2025-11-27 00:00:00Z", "cfg-abc123",
	    "0.1.0", NULL);
	ck_assert(row_has(r.out, "last error", "-"));
	/* values line up in one column */
	ck_assert_int_eq(col_of(line_of(r.out, "framework"), "fw-0001"),
	    col_of(line_of(r.out, "config version"), "cfg-abc123"));
	ck_assert_str_eq(r.err, "");
	run_clear(&r);
}
END_TEST

/*
 * Disconnected: the status names the last connection error, when it came
 * and since when attempts fail; no reconciliation duration before one ran.
 */
START_TEST(test_status_disconnected)
{
	struct run r;

	dbl.force_status = 200;
	dbl.force_body = state_down_json;
	dbl.force_path = "/v1/state";
	run(&r, "status");
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	ck_assert(row_has(r.out, "session", "disconnected since 2025-11-27 "
	    "00:00:00Z"));
	ck_assert(row_has(r.out, "last error", "SUBSCRIBE to 127.0.0.1:5050: "
	    "Couldn't connect to server (at 2025-11-27 00:01:00Z, "));
	ck_assert(row_has(r.out, "last error", "; 7 failed since 2025-11-27 "
	    "00:00:00Z, "));
	ck_assert(row_has(r.out, "last reconciled", "never"));
	ck_assert_ptr_null(strstr(r.out, " ms"));
	run_clear(&r);
}
END_TEST

START_TEST(test_jobs)
{
	struct run r;
	char head[1024];
	const char *row;

	run(&r, "jobs");
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	saw("GET", "/v1/jobs", NULL, NULL);
	snprintf(head, sizeof head, "%s", line_of(r.out, "ID"));
	has_all("header", head, "KIND", "INSTANCES", "RUNNING", "PENDING",
	    "SUSPENDED", NULL);
	{
		long kind = col_of(head, "KIND"), run_col = col_of(head,
		    "RUNNING");

		row = line_of(r.out, "web ");
		ck_assert_int_eq(col_of(row, "service"), kind);
		row = line_of(r.out, "node-exporter-long-name");
		ck_assert_int_eq(col_of(row, "daemon"), kind);
		ck_assert_int_eq(col_of(row, "(all)"),
		    col_of(head, "INSTANCES"));
		ck_assert_int_eq(col_of(row, "2"), run_col);
		/* runtime changes that differ from the file are marked */
		ck_assert_int_eq(col_of(row, "yes (file: no)"),
		    col_of(head, "SUSPENDED"));
		row = line_of(r.out, "web ");
		ck_assert_int_eq(col_of(row, "3 (file: 2)"),
		    col_of(head, "INSTANCES"));
		ck_assert_ptr_null(strstr(row, "yes"));
		row = line_of(r.out, "db ");
		ck_assert_ptr_null(strstr(row, "file"));
	}
	run_clear(&r);
}
END_TEST

START_TEST(test_job)
{
	struct run r;

	run(&r, "job", "web");
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	saw("GET", "/v1/jobs/web", NULL, NULL);
	has_all("job", r.out, "SLOT", "TASK", "web.0.aa", "TASK_RUNNING",
	    "no offer fits", "2025-11-27 00:01:00Z", NULL);
	has_all("job history", r.out, "ENDED TASKS", "web.1.zz", "TASK_FAILED",
	    "REASON_COMMAND_EXECUTOR_FAILED", "exited 1", NULL);
	run_clear(&r);
	run(&r, "job", "nx");
	ck_assert_int_eq(r.code, 0);
	has_all("daemon job", r.out, "COVERAGE", "too_small", "needs 2 cpus",
	    NULL);
	run_clear(&r);
}
END_TEST

START_TEST(test_tasks)
{
	struct run r;

	run(&r, "tasks");
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	saw("GET", "/v1/tasks", NULL, NULL);
	has_all("tasks", line_of(r.out, "ID"), "JOB", "STATE", "HOST",
	    "HEALTHY", NULL);
	has_all("tasks", line_of(r.out, "web.1.bb"), "TASK_STAGING", "a2",
	    "pulling", NULL);
	run_clear(&r);
	run(&r, "tasks", "--job", "web", "--state=running", "--agent", "S 1");
	ck_assert_int_eq(r.code, 0);
	saw("GET", "/v1/tasks", "job=web&state=running&agent=S 1", NULL);
	run_clear(&r);
	/* options before the command, too */
	run(&r, "--json", "tasks", "--state", "TASK_FAILED");
	ck_assert_int_eq(r.code, 0);
	saw("GET", "/v1/tasks", "state=TASK_FAILED", NULL);
	run_clear(&r);
}
END_TEST

START_TEST(test_agents)
{
	struct run r;
	char head[1024];

	run(&r, "agents");
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	saw("GET", "/v1/agents", NULL, NULL);
	snprintf(head, sizeof head, "%s", line_of(r.out, "ID"));
	ck_assert_int_eq(col_of(line_of(r.out, "S3"), "0.5"),
	    col_of(head, "CPUS"));
	ck_assert_int_eq(col_of(line_of(r.out, "S1"), "8192"),
	    col_of(head, "MEM"));
	ck_assert_int_eq(col_of(line_of(r.out, "S3"), "yes"),
	    col_of(head, "BLACKLISTED"));
	run_clear(&r);
}
END_TEST

START_TEST(test_blacklist)
{
	struct run r;

	run(&r, "blacklist", "ls");
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	saw("GET", "/v1/blacklist", NULL, NULL);
	has_all("ls", line_of(r.out, "S3"), "bad disk", "2025-11-27", NULL);
	run_clear(&r);
	run(&r, "blacklist", "add", "S4", "--reason", "flaky nic");
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	saw("PUT", "/v1/blacklist/S4", NULL, "{\"reason\": \"flaky nic\"}");
	has_all("add", r.out, "blacklisted S4", "flaky nic", NULL);
	run_clear(&r);
	run(&r, "blacklist", "add", "S4");
	ck_assert_int_eq(r.code, 0);
	saw("PUT", "/v1/blacklist/S4", NULL, NULL);
	ck_assert_str_eq(r.err, "");	/* a known agent: no warning */
	run_clear(&r);
	/* a name the master does not know: stored, and a warning says so */
	dbl.force_status = 200;
	dbl.force_body = bl_put_unknown_json;
	dbl.force_path = "/v1/blacklist/nod3";
	run(&r, "blacklist", "add", "nod3");
	ck_assert_int_eq(r.code, 0);
	has_all("add unknown", r.out, "blacklisted nod3", NULL);
	has_all("add unknown", r.err, "arkctl: warning: no agent the master "
	    "reports has id or hostname 'nod3'", NULL);
	dbl.force_status = 0;
	run_clear(&r);
	run(&r, "blacklist", "rm", "S3");
	ck_assert_int_eq(r.code, 0);
	saw("DELETE", "/v1/blacklist/S3", NULL, NULL);
	has_all("rm", r.out, "removed S3", NULL);
	run_clear(&r);
}
END_TEST

START_TEST(test_changes)
{
	struct run r;

	run(&r, "reconcile");
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	saw("POST", "/v1/reconcile", NULL, NULL);
	has_all("reconcile", r.out, "explicit", "7", NULL);
	run_clear(&r);
	run(&r, "restart", "web");
	ck_assert_int_eq(r.code, 0);
	saw("POST", "/v1/jobs/web/restart", NULL, NULL);
	has_all("restart", r.out, "rolling restart of web", NULL);
	run_clear(&r);
	run(&r, "scale", "web", "5");
	ck_assert_int_eq(r.code, 0);
	saw("PATCH", "/v1/jobs/web", NULL, "{\"instances\": 5}");
	has_all("scale", r.out, "web", "service", NULL);
	run_clear(&r);
	run(&r, "scale", "web", "0");
	ck_assert_int_eq(r.code, 0);
	saw("PATCH", "/v1/jobs/web", NULL, "{\"instances\": 0}");
	run_clear(&r);
	run(&r, "suspend", "web");
	ck_assert_int_eq(r.code, 0);
	saw("PATCH", "/v1/jobs/web", NULL, "{\"suspended\": true}");
	run_clear(&r);
	run(&r, "resume", "web");
	ck_assert_int_eq(r.code, 0);
	saw("PATCH", "/v1/jobs/web", NULL, "{\"suspended\": false}");
	run_clear(&r);
	run(&r, "kill", "web.0.aa");
	ck_assert_int_eq(r.code, 0);
	saw("POST", "/v1/tasks/web.0.aa/kill", NULL, NULL);
	has_all("kill", r.out, "web.0.aa", NULL);
	run_clear(&r);
	run(&r, "reload");
	ck_assert_int_eq(r.code, 0);
	saw("POST", "/v1/reload", NULL, NULL);
	has_all("reload", r.out, "cfg-def456", NULL);
	run_clear(&r);
	run(&r, "teardown", "--yes-really");
	ck_assert_int_eq(r.code, 0);
	saw("POST", "/v1/teardown", NULL, "{\"confirm\": \"yes-really\"}");
	run_clear(&r);
}
END_TEST

START_TEST(test_escaping)
{
	struct run r;

	/* ids are percent-encoded in the path; the double sees them decoded */
	run(&r, "job", "we b/x");
	ck_assert_int_eq(r.code, 1);
	saw("GET", "/v1/jobs/we b/x", NULL, NULL);
	run_clear(&r);
}
END_TEST

START_TEST(test_metrics_health)
{
	struct run r;

	run(&r, "metrics");
	ck_assert_int_eq(r.code, 0);
	saw("GET", "/metrics", NULL, NULL);
	ck_assert_str_eq(r.out, metrics_text);
	run_clear(&r);
	run(&r, "health");
	ck_assert_int_eq(r.code, 0);
	saw("GET", "/readyz", NULL, NULL);
	has_all("health", r.out, "alive and ready", NULL);
	run_clear(&r);
	/* alive, not ready: exit 1 with the reason */
	dbl.force_status = 503;
	dbl.force_body = "{\"ready\":false,\"reason\":\"not subscribed\"}";
	dbl.force_path = "/readyz";
	run(&r, "health");
	ck_assert_int_eq(r.code, 1);
	has_all("health stderr", r.err, "not ready: not subscribed", NULL);
	run_clear(&r);
	run(&r, "--json", "health");
	ck_assert_int_eq(r.code, 1);
	{
		json_t *j = json_loads(r.out, 0, NULL);

		ck_assert_ptr_nonnull(j);
		ck_assert(json_is_true(json_object_get(json_object_get(j,
		    "healthz"), "ok")));
		ck_assert(json_is_false(json_object_get(json_object_get(j,
		    "readyz"), "ready")));
		json_decref(j);
	}
	run_clear(&r);
}
END_TEST

/* --json prints exactly the API's JSON for each command. */
static const struct json_case {
	const char	*args[4];
	const char	*body;
} json_cases[] = {
	{ { "status" }, state_json },
	{ { "jobs" }, jobs_json },
	{ { "job", "web" }, job_json },
	{ { "tasks" }, tasks_json },
	{ { "agents" }, agents_json },
	{ { "blacklist", "ls" }, blacklist_json },
	{ { "blacklist", "add", "S4" }, bl_put_json },
	{ { "blacklist", "rm", "S3" }, bl_del_json },
	{ { "reconcile" }, reconcile_json },
	{ { "restart", "web" }, restart_json },
	{ { "scale", "web", "2" }, job_json },
	{ { "suspend", "web" }, job_json },
	{ { "resume", "web" }, job_json },
	{ { "kill", "web.0.aa" }, kill_json },
	{ { "reload" }, reload_json },
	{ { "teardown", "--yes-really" }, teardown_json },
};

START_TEST(test_json)
{
	const struct json_case *jc = &json_cases[_i];
	struct run r;
	char *want = xasprintf("%s\n", jc->body);

	run(&r, "--json", jc->args[0], jc->args[1], jc->args[2], jc->args[3]);
	ck_assert_msg(r.code == 0, "%s: exit %d: %s", jc->args[0], r.code,
	    r.err);
	ck_assert_str_eq(r.out, want);
	free(want);
	run_clear(&r);
}
END_TEST

START_TEST(test_api_errors)
{
	struct run r;

	/* 404 with arkd's message on stderr, nothing on stdout */
	run(&r, "job", "nope");
	ck_assert_int_eq(r.code, 1);
	has_all("stderr", r.err, "no such endpoint", "404", NULL);
	ck_assert_str_eq(r.out, "");
	run_clear(&r);
	dbl.force_status = 400;
	dbl.force_body = "{\"error\":\"arkd.json:12: jobs[0].cpus: expected "
	    "a number\"}";
	run(&r, "reload");
	ck_assert_int_eq(r.code, 1);
	has_all("stderr", r.err, "arkd.json:12: jobs[0].cpus", NULL);
	run_clear(&r);
	run(&r, "--json", "scale", "web", "3");
	ck_assert_int_eq(r.code, 1);
	ck_assert_str_eq(r.out, "");
	run_clear(&r);
	dbl.force_status = 500;
	dbl.force_body = "<html>oops</html>";
	run(&r, "status");
	ck_assert_int_eq(r.code, 1);
	has_all("stderr", r.err, "HTTP 500", NULL);
	run_clear(&r);
	dbl.force_status = 401;
	dbl.force_body = "{\"error\":\"wrong bearer token\"}";
	run(&r, "reconcile");
	ck_assert_int_eq(r.code, 1);
	has_all("stderr", r.err, "wrong bearer token", NULL);
	run_clear(&r);
	/* a 2xx that is not JSON */
	dbl.force_status = 200;
	dbl.force_body = "not json";
	run(&r, "jobs");
	ck_assert_int_eq(r.code, 1);
	has_all("stderr", r.err, "not JSON", NULL);
	run_clear(&r);
}
END_TEST

/* Command lines that are wrong: exit 2, a message, no request. */
static const struct usage_case {
	const char	*args[5];
	const char	*err;
} usage_cases[] = {
	{ { NULL }, "usage: arkctl" },
	{ { "frobnicate" }, "unknown command \"frobnicate\"" },
	{ { "jobs", "extra" }, "jobs: expected jobs" },
	{ { "job" }, "job: expected job ID" },
	{ { "scale", "web" }, "scale: expected scale JOB N" },
	{ { "scale", "web", "many" }, "must be a number" },
	{ { "scale", "web", "-1" }, "must be a number" },
	{ { "scale", "web", "100001" }, "must be a number" },
	{ { "teardown" }, "--yes-really" },
	{ { "jobs", "--bogus" }, "unknown option --bogus" },
	{ { "tasks", "--reason", "x" }, "tasks does not take --reason" },
	{ { "jobs", "--yes-really" }, "does not take --yes-really" },
	{ { "tasks", "--job" }, "--job needs a value" },
	{ { "blacklist" }, "blacklist" },
	{ { "blacklist", "zap" }, "unknown blacklist subcommand \"zap\"" },
	{ { "blacklist", "add" }, "expected add AGENT" },
	{ { "blacklist", "rm", "a", "b" }, "expected rm AGENT" },
	{ { "--timeout", "0", "jobs" }, "bad --timeout" },
	{ { "--timeout", "soon", "jobs" }, "bad --timeout" },
	{ { "--url", "ftp://x", "jobs" }, "bad URL" },
	{ { "--url", "http://a:1", "--addr", "b:2", "jobs" }, "not both" },
	{ { "--addr", "nocolon", "jobs" }, "bad address" },
	{ { "--token-file", "/nonexistent/token", "jobs" },
	    "/nonexistent/token" },
};

START_TEST(test_usage)
{
	const struct usage_case *uc = &usage_cases[_i];
	struct run r;
	int before = nreq();

	run(&r, uc->args[0], uc->args[1], uc->args[2], uc->args[3],
	    uc->args[4]);
	ck_assert_msg(r.code == 2, "%s: exit %d", uc->args[0], r.code);
	has_all("stderr", r.err, uc->err, NULL);
	ck_assert_int_eq(nreq(), before);
	run_clear(&r);
}
END_TEST

START_TEST(test_unreachable)
{
	struct run r;
	char addr[64], url[80];
	int port = tu_free_port();

	snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
	run(&r, "--addr", addr, "jobs");
	ck_assert_int_eq(r.code, 3);
	has_all("stderr", r.err, "cannot reach arkd", addr, NULL);
	run_clear(&r);
	run(&r, "--url", url, "--json", "status");
	ck_assert_int_eq(r.code, 3);
	run_clear(&r);
	run(&r, "--addr", addr, "health");
	ck_assert_int_eq(r.code, 3);
	run_clear(&r);
	/* slower than --timeout */
	dbl.delay_ms = 3000;
	run(&r, "--timeout", "0.3", "status");
	ck_assert_int_eq(r.code, 3);
	has_all("stderr", r.err, "cannot reach arkd", NULL);
	run_clear(&r);
}
END_TEST

START_TEST(test_help)
{
	static const char *cmds[] = { "status", "jobs", "job", "tasks",
	    "agents", "blacklist", "reconcile", "restart", "scale", "suspend",
	    "resume", "kill", "reload", "teardown", "metrics", "health" };
	struct run r;

	run(&r, "--help");
	ck_assert_int_eq(r.code, 0);
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		has_all("--help", r.out, cmds[i], NULL);
	has_all("--help", r.out, "exit status", "--token-file", NULL);
	run_clear(&r);
	run(&r, "help");
	ck_assert_int_eq(r.code, 0);
	has_all("help", r.out, "usage: arkctl", NULL);
	run_clear(&r);
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		char want[64];

		snprintf(want, sizeof want, "usage: arkctl [options] %s",
		    cmds[i]);
		run(&r, cmds[i], "--help");
		ck_assert_msg(r.code == 0, "%s --help: %d", cmds[i], r.code);
		has_all("COMMAND --help", r.out, want, NULL);
		run_clear(&r);
	}
	run(&r, "blacklist", "--help");
	has_all("blacklist --help", r.out, "add AGENT", "rm AGENT", "ls", NULL);
	run_clear(&r);
	run(&r, "blacklist", "add", "--help");
	ck_assert_int_eq(r.code, 0);
	has_all("blacklist add --help", r.out, "--reason R", NULL);
	run_clear(&r);
	run(&r, "help", "scale");
	ck_assert_int_eq(r.code, 0);
	has_all("help scale", r.out, "scale JOB N", NULL);
	run_clear(&r);
	run(&r, "--version");
	ck_assert_int_eq(r.code, 0);
	has_all("--version", r.out, "arkctl ", NULL);
	run_clear(&r);
	ck_assert_int_eq(nreq(), 0);
}
END_TEST

START_TEST(test_token_and_address)
{
	struct run r;
	char *tok = xasprintf("%s/token", tmpdir);
	char *env_tok = xasprintf("ARK_ADMIN_TOKEN_FILE=%s", tok);
	char *env_url = xasprintf("ARK_ADMIN=http://127.0.0.1:%d/", dbl_port);
	const char *envs1[] = { env_tok, NULL };
	const char *envs2[] = { env_url, NULL };
	FILE *f = fopen(tok, "w");

	ck_assert_ptr_nonnull(f);
	fputs("  t0k-en\n", f);
	fclose(f);
	chmod(tok, 0600);
	run(&r, "--token-file", tok, "reconcile");
	ck_assert_int_eq(r.code, 0);
	ck_assert_str_eq(dbl.auth, "Bearer t0k-en");
	run_clear(&r);
	run_env(&r, envs1, "suspend", "web", (const char *)NULL);
	ck_assert_int_eq(r.code, 0);
	ck_assert_str_eq(dbl.auth, "Bearer t0k-en");
	run_clear(&r);
	run(&r, "status");
	ck_assert_int_eq(r.code, 0);
	ck_assert_str_eq(dbl.auth, "");
	run_clear(&r);
	/* $ARK_ADMIN as a URL */
	run_env(&r, envs2, "jobs", (const char *)NULL);
	ck_assert_int_eq(r.code, 0);
	saw("GET", "/v1/jobs", NULL, NULL);
	run_clear(&r);
	free(tok);
	free(env_tok);
	free(env_url);
}
END_TEST

/* arkctl speaks HTTPS and verifies the server against --ca-file. */
START_TEST(test_https)
{
	char *cert = tu_read_file(ARK_SRCDIR "/tests/tls/server.pem", NULL);
	char *key = tu_read_file(ARK_SRCDIR "/tests/tls/server-key.pem", NULL);
	const char *ca = ARK_SRCDIR "/tests/tls/ca.pem";
	const char *other = ARK_SRCDIR "/tests/tls/other-ca.pem";
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *di;
	struct sockaddr_in sin;
	char *url, *env_ca = xasprintf("ARK_ADMIN_CA_FILE=%s", ca);
	const char *envs[] = { env_ca, NULL };
	struct run r;
	int before;

	ck_assert(cert != NULL && key != NULL);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS, 0, NULL, NULL,
	    dbl_cb, NULL, MHD_OPTION_NOTIFY_COMPLETED, dbl_done_cb, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
	    MHD_OPTION_END);
	ck_assert_ptr_nonnull(d);
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	url = xasprintf("https://127.0.0.1:%d", di->port);
	run(&r, "--url", url, "--ca-file", ca, "status");
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	has_all("status", r.out, "fw-0001", (const char *)NULL);
	saw("GET", "/v1/state", NULL, NULL);
	run_clear(&r);
	run_env(&r, envs, "--url", url, "jobs", (const char *)NULL);
	ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
	run_clear(&r);
	/* a certificate no trusted CA signed: unreachable, and why */
	before = nreq();
	run(&r, "--url", url, "status");
	ck_assert_int_eq(r.code, 3);
	ck_assert_msg(strcasestr(r.err, "certificate") != NULL, "%s", r.err);
	run_clear(&r);
	run(&r, "--url", url, "--ca-file", other, "status");
	ck_assert_int_eq(r.code, 3);
	run_clear(&r);
	ck_assert_int_eq(nreq(), before);
	/* a CA file that is not there is a usage error */
	run(&r, "--url", url, "--ca-file", "/nonexistent/ca.pem", "status");
	ck_assert_int_eq(r.code, 2);
	has_all("stderr", r.err, "/nonexistent/ca.pem", (const char *)NULL);
	run_clear(&r);
	MHD_stop_daemon(d);
	free(url);
	free(env_ca);
	free(cert);
	free(key);
}
END_TEST

/* A 401 says how to give the token. */
START_TEST(test_unauthorized_hint)
{
	struct run r;

	pthread_mutex_lock(&dbl.lock);
	dbl.force_status = 401;
	dbl.force_body = "{\"error\":\"this request needs Authorization: "
	    "Bearer <token>\"}";
	pthread_mutex_unlock(&dbl.lock);
	run(&r, "jobs");
	ck_assert_int_eq(r.code, 1);
	has_all("stderr", r.err, "needs Authorization", "HTTP 401",
	    "--token-file", (const char *)NULL);
	run_clear(&r);
}
END_TEST

static Suite *
arkctl_suite(void)
{
	Suite *s = suite_create("arkctl");
	TCase *tc = tcase_create("double");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_status_disconnected);
	tcase_add_test(tc, test_jobs);
	tcase_add_test(tc, test_job);
	tcase_add_test(tc, test_tasks);
	tcase_add_test(tc, test_agents);
	tcase_add_test(tc, test_blacklist);
	tcase_add_test(tc, test_changes);
	tcase_add_test(tc, test_escaping);
	tcase_add_test(tc, test_metrics_health);
	tcase_add_loop_test(tc, test_json, 0,
	    (int)(sizeof json_cases / sizeof json_cases[0]));
	tcase_add_test(tc, test_api_errors);
	tcase_add_loop_test(tc, test_usage, 0,
	    (int)(sizeof usage_cases / sizeof usage_cases[0]));
	tcase_add_test(tc, test_unreachable);
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_token_and_address);
	tcase_add_test(tc, test_https);
	tcase_add_test(tc, test_unauthorized_hint);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(arkctl_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
