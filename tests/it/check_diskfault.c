/*
 * check_diskfault — the store's disk failing under a running arkd, with
 * ark-sim (issue 17 item 2, issue 21 part 2). The state directory is on a
 * 4 MB tmpfs that the test mounts in a private mount namespace and fills
 * (ENOSPC); or arkd runs under tests/preload/faultio.c, which makes write
 * or fsync on the store's files fail with EIO while a trigger file exists.
 * Each time arkd must acknowledge nothing it could not persist (ark-sim
 * still holds those updates as pending), say why in one log line and in
 * /readyz, exit 1, leave a store that `arkd --check-store` passes, and,
 * restarted as systemd would, run again on that store once the disk works:
 * the same FrameworkID, the same tasks, every update acknowledged exactly
 * once. Mounting needs root (CAP_SYS_ADMIN); without it the test fails and
 * says so.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
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
#define AGENTS		4
/* the size of the tmpfs the store lives on (issue 21's setup) */
#define DISK_SIZE	"4m"

static unsigned long long seed;
static char *dir;
static int master_port, control_port, admin_port, mounted;
static pid_t arkd_pid;
static char sim_log[512], arkd_log[512], cfg_path[512], state_dir[512];
static char admin_file[512], db_path[600], disk[400];
static const char *preload_env[4];	/* NAME=value for the next arkd,
					 * NULL-terminated */

/* ---- processes ---- */

static void
sim_start(void)
{
	char ports[512], sseed[32], nagents[16];
	const char *args[] = { "--port", "0", "--agents", nagents,
	    "--allocation-interval", "0.1", "--heartbeat-interval", "1",
	    "--update-retry", "1", "--seed", sseed, "--log-level", "warn",
	    NULL };

	snprintf(ports, sizeof ports, "%s/ports", dir);
	snprintf(nagents, sizeof nagents, "%d", AGENTS);
	snprintf(sseed, sizeof sseed, "%llu", seed % 1000000007ULL + 1);
	tu_sim_start(ports, sim_log, args, NULL, &master_port, &control_port);
	ck_assert_msg(master_port > 0, "ark-sim did not start");
	ck_assert(control_port > 0);
}

/* arkd's configuration: one daemon job "node" (a task on every agent). */
static void
write_config(void)
{
	FILE *f = fopen(cfg_path, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "{\"master\": {\"masters\": [\"http://127.0.0.1:%d\"],"
	    " \"backoff_initial_s\": 0.1, \"backoff_max_s\": 0.5},"
	    " \"framework\": {\"name\": \"ark-diskfault\", \"user\": \"nobody\","
	    " \"roles\": [\"*\"]},"
	    " \"scheduling\": {\"refuse_seconds\": 1, \"revive_debounce_s\": 0.1,"
	    " \"agents_refresh_s\": 1},"
	    " \"reconciliation\": {\"initial_s\": 0.5, \"factor\": 2,"
	    " \"max_s\": 2},"
	    " \"admin\": {\"listen\": \"127.0.0.1:0\"},"
	    " \"state_dir\": \"%s\", \"jobs\": [{\"id\": \"node\","
	    " \"kind\": \"daemon\", \"command\": \"sleep 1000\","
	    " \"resources\": {\"cpus\": 0.1, \"mem\": 16},"
	    " \"restart\": {\"backoff_s\": 0.1, \"factor\": 2, \"max_s\": 0.5}}]}",
	    master_port, state_dir);
	fclose(f);
}

/* Starts arkd, under the fault shim if preload_env is set. */
static void
arkd_start(void)
{
	char *argv[] = { (char *)tu_bin("arkd"), (char *)"-c", cfg_path,
	    (char *)"--admin-port-file", admin_file, (char *)"--log-format",
	    (char *)"plain", (char *)"--log-level", (char *)"info", NULL };

	unlink(admin_file);
	admin_port = -1;
	for (int i = 0; preload_env[i] != NULL; i++)
		ck_assert_int_eq(putenv((char *)(uintptr_t)preload_env[i]), 0);
	arkd_pid = tu_spawn(argv, arkd_log);
	/* only arkd runs under the shim */
	unsetenv("LD_PRELOAD");
	unsetenv("ARK_FAULTIO_PATH");
	unsetenv("ARK_FAULTIO_TRIGGER");
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

static void
dump_logs(void)
{
	tu_dump_log(arkd_log, 60);
	tu_dump_log(sim_log, 20);
}

/* Runs arkd --check-store on the state directory: 1 if clean. */
static int
check_store_clean(char *out, size_t len)
{
	char *argv[] = { (char *)tu_bin("arkd"), (char *)"--check-store",
	    state_dir, NULL };
	char *o = NULL, *e = NULL;
	int rc = tu_run(argv, &o, &e, 30000);

	snprintf(out, len, "exit %d: %s%s", rc, o != NULL ? o : "",
	    e != NULL ? e : "");
	free(o);
	free(e);
	return rc == 0;
}

static void
setup(void)
{
	dir = tu_tmpdir("diskfault");
	snprintf(cfg_path, sizeof cfg_path, "%s/arkd.json", dir);
	snprintf(sim_log, sizeof sim_log, "%s/sim.log", dir);
	snprintf(arkd_log, sizeof arkd_log, "%s/arkd.log", dir);
	snprintf(admin_file, sizeof admin_file, "%s/admin.port", dir);
	snprintf(disk, sizeof disk, "%.300s/disk", dir);
	snprintf(state_dir, sizeof state_dir, "%s/state", dir);
	snprintf(db_path, sizeof db_path, "%s/ark.db", state_dir);
	arkd_pid = 0;
	admin_port = -1;
	mounted = 0;
	preload_env[0] = NULL;
}

static void
teardown(void)
{
	tu_kill_all();
	if (mounted && umount2(disk, MNT_DETACH) != 0)
		fprintf(stderr, "check_diskfault: umount %s: %s\n", disk,
		    strerror(errno));
	tu_rmtree(dir);
	free(dir);
}

/*
 * Mounts a DISK_SIZE tmpfs at disk, in a mount namespace of this test
 * process (and the arkd it starts) only, so that no mount outlives the
 * test even if it dies; teardown unmounts it too. Fails the test, saying
 * why, if that is impossible.
 */
static void
mount_disk(void)
{
	ck_assert_int_eq(mkdir(disk, 0700), 0);
	ck_assert_msg(unshare(CLONE_NEWNS) == 0, "cannot make a private mount "
	    "namespace: %s; this test mounts a tmpfs and needs root "
	    "(CAP_SYS_ADMIN)", strerror(errno));
	ck_assert_msg(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0,
	    "cannot make / private in the test's mount namespace: %s",
	    strerror(errno));
	ck_assert_msg(mount("ark-diskfault", disk, "tmpfs", MS_NOSUID |
	    MS_NODEV, "size=" DISK_SIZE ",mode=0700") == 0, "cannot mount a "
	    "tmpfs at %s: %s; this test needs root (CAP_SYS_ADMIN)", disk,
	    strerror(errno));
	mounted = 1;
	snprintf(state_dir, sizeof state_dir, "%s/state", disk);
	snprintf(db_path, sizeof db_path, "%s/ark.db", state_dir);
}

/* Fills the tmpfs with path until not a byte more fits. */
static void
fill_disk(const char *path)
{
	static char block[65536];
	struct statvfs vfs;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t sizes[] = { sizeof block, 4096, 512, 1 };

	ck_assert_int_ge(fd, 0);
	memset(block, 'f', sizeof block);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		while (write(fd, block, sizes[i]) > 0)
			;
	ck_assert_int_eq(errno, ENOSPC);
	close(fd);
	ck_assert_int_eq(statvfs(disk, &vfs), 0);
	ck_assert_uint_eq(vfs.f_bavail, 0);
}

/* ---- looking at ark-sim and arkd ---- */

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static int
terminal(const char *st)
{
	return strcmp(st, "TASK_FINISHED") == 0 ||
	    strcmp(st, "TASK_FAILED") == 0 || strcmp(st, "TASK_KILLED") == 0 ||
	    strcmp(st, "TASK_ERROR") == 0 || strcmp(st, "TASK_LOST") == 0 ||
	    strcmp(st, "TASK_DROPPED") == 0 || strcmp(st, "TASK_GONE") == 0 ||
	    strcmp(st, "TASK_GONE_BY_OPERATOR") == 0;
}

/* ark-sim's only framework (borrowed from st); fails if not one. */
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

/* Ids of ark-sim's live tasks -> state (new reference). */
static json_t *
live_ids(void)
{
	json_t *st = tu_sim_json(control_port, "/state"), *ids = json_object();
	json_t *t;
	size_t k;

	ck_assert_ptr_nonnull(st);
	json_array_foreach(json_object_get(only_framework(st), "tasks"), k, t)
		if (!terminal(str(t, "state")))
			json_object_set_new(ids, str(t, "id"),
			    json_string(str(t, "state")));
	json_decref(st);
	return ids;
}

/* 1 if ark-sim runs AGENTS RUNNING daemon tasks, one per agent. */
static int
settled(void)
{
	json_t *ids = live_ids(), *v;
	const char *id;
	size_t running = 0;

	json_object_foreach(ids, id, v)
		running += strcmp(json_string_value(v), "TASK_RUNNING") == 0;
	json_decref(ids);
	return running == AGENTS;
}

/* A counter of ark-sim's /counters; -1 if it does not answer. */
static long
counter(const char *name)
{
	return tu_sim_counter(control_port, name);
}

/* 1 once arkd is subscribed and done reconciling. */
static int
arkd_reconciled(void)
{
	char url[128];
	json_t *st;
	int ok;

	if (admin_port <= 0)
		return 0;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/state", admin_port);
	st = tu_get_json(url);
	ok = st != NULL && strcmp(str(json_object_get(st, "session"),
	    "state"), "subscribed") == 0 && strcmp(str(json_object_get(st,
	    "reconciliation"), "state"), "idle") == 0;
	json_decref(st);
	return ok;
}

/* The framework id ark-sim knows (caller frees). */
static char *
sim_framework_id(void)
{
	json_t *st = tu_sim_json(control_port, "/state");
	char *id;

	ck_assert_ptr_nonnull(st);
	id = xstrdup(str(only_framework(st), "id"));
	json_decref(st);
	return id;
}

/*
 * The state ark-sim still tries to deliver for task id: the first of its
 * pending updates (caller frees), or NULL if none is pending.
 */
static char *
pending_update(const char *id)
{
	json_t *st = tu_sim_json(control_port, "/state"), *fw, *t, *u;
	const char *lists[] = { "tasks", "completed_tasks" };
	char *r = NULL;
	size_t k;

	ck_assert_ptr_nonnull(st);
	fw = only_framework(st);
	for (size_t l = 0; l < 2 && r == NULL; l++)
		json_array_foreach(json_object_get(fw, lists[l]), k, t) {
			if (strcmp(str(t, "id"), id) != 0)
				continue;
			u = json_array_get(json_object_get(t,
			    "pending_updates"), 0);
			if (u != NULL)
				r = xstrdup(str(u, "state"));
			break;
		}
	json_decref(st);
	return r;
}

/* The state arkd's store holds for task id (-100: no row), read-only. */
static int
store_state(const char *id)
{
	char *uri = xasprintf("file:%s?mode=ro", db_path);
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	int state = -100;

	ck_assert_msg(sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_URI, NULL) == SQLITE_OK, "%s: %s", db_path,
	    sqlite3_errmsg(db));
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT state FROM tasks "
	    "WHERE task_id = ?1", -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		state = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	free(uri);
	return state;
}

/* Lines of arkd's log that contain both a and b. */
static int
log_lines(const char *a, const char *b)
{
	char *log = tu_slurp(arkd_log), *line, *next;
	int n = 0;

	if (log == NULL)
		return 0;
	for (line = log; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		n += strstr(line, a) != NULL && strstr(line, b) != NULL;
	}
	free(log);
	return n;
}

/*
 * After a fault: waits for arkd to refuse /readyz naming the store's
 * failure (what, SQLite's words) and an operator's change with it (a
 * blacklist entry it cannot store), then to exit 1 on its own.
 */
static void
expect_store_stop(const char *what)
{
	char url[128], *body = NULL;
	int seen = 0, status, put = -1;
	long long end = tu_now_ms() + WAIT_MS;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/readyz", admin_port);
	while (!seen && tu_now_ms() < end) {
		int code = tu_http("GET", url, NULL, NULL, &body);

		seen = code == 503 && body != NULL && strstr(body,
		    "store commit failed") != NULL && strstr(body, what) != NULL;
		if (code == 0)
			break;		/* gone already */
		free(body);
		body = NULL;
		tu_sleep_ms(20);
	}
	free(body);
	body = NULL;
	if (seen) {
		snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/blacklist/"
		    "agent-unstored", admin_port);
		put = tu_http("PUT", url, "application/json", "{\"reason\": "
		    "\"disk fault test\"}", &body);
		ck_assert_msg(put == 503 && body != NULL && strstr(body,
		    "store commit failed") != NULL, "PUT /v1/blacklist after "
		    "the store failed: %d %s", put, body != NULL ? body : "");
		free(body);
	}
	status = tu_stop(arkd_pid, 0, 20000);
	if (!seen || !WIFEXITED(status) || WEXITSTATUS(status) != 1)
		dump_logs();
	ck_assert_msg(seen, "/readyz never said the store failed (%s)", what);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	    "arkd did not exit 1 after the store failed (status %#x)", status);
	ck_assert_msg(log_lines("store commit of", what) >= 1,
	    "no log line says the commit failed with \"%s\"", what);
}

/* Fails task id through ark-sim (its executor reports TASK_FAILED). */
static void
fail_task(const char *fid, const char *id)
{
	char body[512];

	snprintf(body, sizeof body, "{\"framework_id\": \"%s\", "
	    "\"task_id\": \"%s\"}", fid, id);
	ck_assert_int_eq(tu_sim_control(control_port, "fail-task", body),
	    200);
}

/*
 * The end of every fault: the store checks clean, and arkd, started again
 * on it, runs the same framework with every slot filled, the tasks that
 * were not failed untouched, and every update acknowledged exactly once.
 */
static void
expect_recovery(const char *fid, json_t *before, const char *const *failed,
    size_t nfailed, long launched)
{
	char why[2048], *afid;
	json_t *now, *v;
	const char *id;

	ck_assert_msg(check_store_clean(why, sizeof why), "--check-store: %s",
	    why);
	arkd_start();
	ck_assert_msg(arkd_admin(20000), "arkd did not start on the store");
	if (!TU_WAIT(WAIT_MS, settled() && arkd_reconciled() &&
	    tu_sim_acked_once(control_port, why, sizeof why))) {
		dump_logs();
		ck_abort_msg("arkd did not recover: %s", why);
	}
	afid = sim_framework_id();
	ck_assert_str_eq(afid, fid);
	free(afid);
	now = live_ids();
	json_object_foreach(before, id, v) {
		int was_failed = 0;

		for (size_t i = 0; i < nfailed; i++)
			was_failed |= strcmp(failed[i], id) == 0;
		if (was_failed)
			ck_assert_msg(json_object_get(now, id) == NULL,
			    "failed task %s runs again", id);
		else
			ck_assert_msg(json_object_get(now, id) != NULL,
			    "task %s is gone", id);
	}
	json_decref(now);
	/* the change refused for want of a store was not made */
	snprintf(why, sizeof why, "http://127.0.0.1:%d/v1/blacklist",
	    admin_port);
	now = tu_get_json(why);
	ck_assert_ptr_nonnull(now);
	ck_assert_msg(json_array_size(json_object_get(now, "blacklist")) == 0,
	    "the blacklist has %zu entries",
	    json_array_size(json_object_get(now, "blacklist")));
	json_decref(now);
	ck_assert_int_eq(counter("KILL"), 0);
	ck_assert_int_eq(counter("tasks_launched"), launched +
	    (long)nfailed);
	ck_assert_msg(check_store_clean(why, sizeof why), "--check-store on "
	    "the running arkd's store: %s", why);
	ck_assert(tu_alive(arkd_pid));
}

/* Starts ark-sim and arkd and waits until every slot runs. */
static void
start_settled(void)
{
	char why[512];

	sim_start();
	write_config();
	arkd_start();
	ck_assert(arkd_admin(20000));
	if (!TU_WAIT(WAIT_MS, settled() && arkd_reconciled() &&
	    tu_sim_acked_once(control_port, why, sizeof why))) {
		dump_logs();
		ck_abort_msg("the daemon job did not start: %s", why);
	}
}

/* Two of the live task ids, in the order of ids (caller frees both). */
static void
pick_two(json_t *ids, char **a, char **b)
{
	const char *id;
	json_t *v;

	*a = *b = NULL;
	json_object_foreach(ids, id, v) {
		if (*a == NULL)
			*a = xstrdup(id);
		else if (*b == NULL)
			*b = xstrdup(id);
	}
	ck_assert_ptr_nonnull(*b);
}

/* ---- a full disk ---- */

/*
 * Issue 21's setup: the store on a 4 MB tmpfs, four daemon tasks, the
 * tmpfs filled, two tasks failed. arkd must stop without acknowledging the
 * two TASK_FAILED updates; a restart while the disk is still full may run
 * or stop again, but never acknowledges what its store lacks; once the
 * filler is gone a restart must run as before (before the fix of issue 21
 * it refused the store: "truncated: the header says N pages").
 */
START_TEST(test_disk_full)
{
	char filler[600], why[2048], *fid, *a, *b, *p;
	const char *failed[2];
	json_t *before;
	long launched;
	int status;

	mount_disk();
	start_settled();
	fid = sim_framework_id();
	before = live_ids();
	launched = counter("tasks_launched");
	ck_assert_int_eq(launched, AGENTS);
	pick_two(before, &a, &b);
	failed[0] = a;
	failed[1] = b;

	snprintf(filler, sizeof filler, "%s/filler", disk);
	fill_disk(filler);
	fail_task(fid, a);
	fail_task(fid, b);
	expect_store_stop("database or disk is full");
	/* ark-sim still holds both failures: nothing was acknowledged */
	p = pending_update(a);
	ck_assert_msg(p != NULL && strcmp(p, "TASK_FAILED") == 0,
	    "task %s: pending %s", a, p != NULL ? p : "nothing");
	free(p);
	p = pending_update(b);
	ck_assert_msg(p != NULL && strcmp(p, "TASK_FAILED") == 0,
	    "task %s: pending %s", b, p != NULL ? p : "nothing");
	free(p);
	ck_assert_msg(check_store_clean(why, sizeof why), "--check-store on "
	    "the full disk: %s", why);

	/*
	 * Restarted on the still full disk (systemd's RestartSec): the store
	 * must open; whether a commit fits in the WAL pages it already has
	 * is SQLite's business, but an acknowledged failure must be stored.
	 */
	arkd_start();
	ck_assert_msg(arkd_admin(20000), "arkd did not start on the store of "
	    "a full disk");
	tu_sleep_ms(3000);
	status = tu_stop(arkd_pid, SIGKILL, 5000);
	ck_assert_msg(!WIFEXITED(status) || WEXITSTATUS(status) == 1,
	    "arkd on a full disk exited %d", WEXITSTATUS(status));
	for (int i = 0; i < 2; i++) {
		p = pending_update(failed[i]);
		if (p == NULL)
			ck_assert_msg(store_state(failed[i]) == -100 ||
			    store_state(failed[i]) ==
			    MESOS__V1__TASK_STATE__TASK_FAILED,
			    "ark-sim counts %s's TASK_FAILED as acknowledged, "
			    "the store has state %d", failed[i],
			    store_state(failed[i]));
		free(p);
	}
	ck_assert_msg(check_store_clean(why, sizeof why), "--check-store on "
	    "the full disk, after a restart: %s", why);

	/* space returns; systemd starts arkd again */
	ck_assert_int_eq(unlink(filler), 0);
	expect_recovery(fid, before, failed, 2, launched);
	json_decref(before);
	free(fid);
	free(a);
	free(b);
}
END_TEST

/* ---- I/O errors ---- */

/*
 * arkd under the faultio shim; for write and then fsync: EIO on the
 * store's files while a task fails. arkd must not acknowledge the failure,
 * must stop saying "disk I/O error", and must run again on that store once
 * the errors stop.
 */
START_TEST(test_io_errors)
{
	static const char *modes[] = { "write", "fsync" };
	char shim[600], env_preload[700], env_path[700], env_trigger[700];
	char trigger[600], hits[700], *fid, *a, *b, *p, *h;
	json_t *before;
	long launched;

	snprintf(shim, sizeof shim, "%s", tu_bin("tests/preload/libfaultio.so"));
	ck_assert_msg(access(shim, R_OK) == 0, "%s: %s (make it builds it)",
	    shim, strerror(errno));
	snprintf(trigger, sizeof trigger, "%s/eio", dir);
	snprintf(hits, sizeof hits, "%s.hits", trigger);
	snprintf(env_preload, sizeof env_preload, "LD_PRELOAD=%s", shim);
	snprintf(env_path, sizeof env_path, "ARK_FAULTIO_PATH=%s", db_path);
	snprintf(env_trigger, sizeof env_trigger, "ARK_FAULTIO_TRIGGER=%s",
	    trigger);
	preload_env[0] = env_preload;
	preload_env[1] = env_path;
	preload_env[2] = env_trigger;
	preload_env[3] = NULL;
	start_settled();
	fid = sim_framework_id();
	for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
		const char *failed[1];

		before = live_ids();
		launched = counter("tasks_launched");
		pick_two(before, &a, &b);
		failed[0] = a;
		unlink(hits);
		ck_assert_int_eq(tu_write_file(trigger, modes[m], 0600), 0);
		fail_task(fid, a);
		expect_store_stop("disk I/O error");
		h = tu_slurp(hits);
		ck_assert_msg(h != NULL && strstr(h, db_path) != NULL,
		    "%s: the shim injected no error on the store (%s)",
		    modes[m], h != NULL ? h : "no hits");
		free(h);
		p = pending_update(a);
		ck_assert_msg(p != NULL && strcmp(p, "TASK_FAILED") == 0,
		    "%s: task %s: pending %s", modes[m], a, p != NULL ? p :
		    "nothing");
		free(p);
		ck_assert_int_eq(unlink(trigger), 0);
		expect_recovery(fid, before, failed, 1, launched);
		json_decref(before);
		free(a);
		free(b);
	}
	free(fid);
}
END_TEST

static Suite *
diskfault_suite(void)
{
	Suite *s = suite_create("diskfault");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_disk_full);
	tcase_add_test(tc, test_io_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(diskfault_suite());
	int failed;

	seed = tu_seed();
	printf("check_diskfault: seed %llu (ARK_TEST_SEED=%llu replays it)\n",
	    seed, seed);
	fflush(stdout);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_kill_all();
	return failed == 0 ? 0 : 1;
}
