/*
 * check_store — the SQLite store: round trips of every op type, group commit
 * and its atomicity, the directory lock, refusal of truncated, zeroed,
 * foreign, corrupt and future-schema files (leaving them byte for byte and
 * mtime unchanged), a store whose checkpoint a full disk cut short (opened,
 * with every row), migration of an old schema, and the offline check.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include "store.h"
#include "xmalloc.h"

static char tmpdir[64];
static char *statedir;
static char *dbpath;

/* Removes a directory and the files in it (no subdirectories needed). */
static void
rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char *p;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR)
			rmtree(p);
		else
			unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

static void
setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/check_store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	statedir = xasprintf("%s/state", tmpdir);
	dbpath = xasprintf("%s/ark.db", statedir);
}

static void
teardown(void)
{
	rmtree(tmpdir);
	free(statedir);
	free(dbpath);
}

static struct store *
open_ok(void)
{
	char *cause = NULL;
	struct store *s = store_open(statedir, &cause);

	ck_assert_msg(s != NULL, "store_open: %s", cause);
	return s;
}

static void
commit_ok(struct store *s, const struct store_op *ops, size_t n)
{
	char *cause = NULL;

	ck_assert_msg(store_commit(s, ops, n, &cause) == 0, "commit: %s",
	    cause);
}

/* Fills a task row; strings are borrowed (the ops are not cleared). */
static struct store_op
task_op(const char *id, const char *job, const char *slot, int state)
{
	struct store_op op = { .type = STORE_TASK_PUT };

	op.u.task.task_id = (char *)id;
	op.u.task.job = (char *)job;
	op.u.task.slot = (char *)slot;
	op.u.task.agent_id = state == STORE_TASK_LAUNCHING ? NULL :
	    (char *)"agent-1";
	op.u.task.hostname = (char *)"host-1";
	op.u.task.offer_id = (char *)"offer-1";
	op.u.task.state = state;
	op.u.task.job_hash = (char *)"0123456789abcdef";
	op.u.task.launched_at = 1700000000000;
	op.u.task.updated_at = state == STORE_TASK_LAUNCHING ? 0 :
	    1700000000500;
	return op;
}

static struct store_op
str_op(enum store_op_type t, const char *s)
{
	struct store_op op = { .type = t };

	op.u.str = (char *)s;
	return op;
}

static void
load_ok(struct store *s, struct store_snapshot *snap)
{
	char *cause = NULL;

	ck_assert_msg(store_load(s, snap, &cause) == 0, "load: %s", cause);
}

START_TEST(test_roundtrip)
{
	struct store *s = open_ok();
	struct store_snapshot snap;
	struct store_op ops[16];
	size_t n = 0;

	ops[n++] = str_op(STORE_FRAMEWORK_ID, "fw-0001");
	ops[n++] = task_op("web.0.a", "web", "0", STORE_TASK_LAUNCHING);
	ops[n++] = task_op("web.1.a", "web", "1", 1);
	ops[n++] = task_op("gone.0.a", "gone", "0", 1);
	ops[n].type = STORE_SLOT_PUT;
	ops[n].u.slot.job = (char *)"web";
	ops[n].u.slot.slot = (char *)"1";
	ops[n].u.slot.restarts = 3;
	ops[n++].u.slot.backoff_until = 1700000009000;
	ops[n].type = STORE_SLOT_PUT;
	ops[n].u.slot.job = (char *)"web";
	ops[n].u.slot.slot = (char *)"2";
	ops[n].u.slot.restarts = 1;
	ops[n++].u.slot.backoff_until = 0;
	ops[n].type = STORE_BLACKLIST_PUT;
	ops[n].u.blacklist.agent = (char *)"agent-9";
	ops[n].u.blacklist.reason = (char *)"bad disk";
	ops[n++].u.blacklist.since = 1700000001000;
	ops[n].type = STORE_BLACKLIST_PUT;
	ops[n].u.blacklist.agent = (char *)"host-x";
	ops[n].u.blacklist.reason = NULL;
	ops[n++].u.blacklist.since = 5;
	ops[n].type = STORE_KV_PUT;
	ops[n].u.kv.key = (char *)"job/web/instances";
	ops[n++].u.kv.value = (char *)"5";
	ops[n].type = STORE_KV_PUT;
	ops[n].u.kv.key = (char *)"job/web/suspended";
	ops[n++].u.kv.value = (char *)"true";
	commit_ok(s, ops, n);

	/* a second group: replace, delete */
	n = 0;
	ops[n++] = task_op("web.0.a", "web", "0", 1);	/* launched -> RUNNING */
	ops[n++] = str_op(STORE_TASK_DEL, "gone.0.a");
	ops[n].type = STORE_SLOT_DEL;
	ops[n].u.slot.job = (char *)"web";
	ops[n++].u.slot.slot = (char *)"2";
	ops[n++] = str_op(STORE_BLACKLIST_DEL, "host-x");
	ops[n++] = str_op(STORE_KV_DEL, "job/web/suspended");
	ops[n++] = str_op(STORE_TASK_DEL, "never-there");
	commit_ok(s, ops, n);
	store_close(s);

	s = open_ok();
	load_ok(s, &snap);
	ck_assert_str_eq(snap.framework_id, "fw-0001");
	ck_assert_int_eq(snap.framework_removed, 0);
	ck_assert_uint_eq(snap.ntasks, 2);
	ck_assert_str_eq(snap.tasks[0].task_id, "web.0.a");
	ck_assert_int_eq(snap.tasks[0].state, 1);
	ck_assert_str_eq(snap.tasks[0].agent_id, "agent-1");
	ck_assert_str_eq(snap.tasks[1].task_id, "web.1.a");
	ck_assert_str_eq(snap.tasks[1].job, "web");
	ck_assert_str_eq(snap.tasks[1].slot, "1");
	ck_assert_str_eq(snap.tasks[1].hostname, "host-1");
	ck_assert_str_eq(snap.tasks[1].offer_id, "offer-1");
	ck_assert_str_eq(snap.tasks[1].job_hash, "0123456789abcdef");
	ck_assert_int_eq(snap.tasks[1].launched_at, 1700000000000);
	ck_assert_int_eq(snap.tasks[1].updated_at, 1700000000500);
	ck_assert_uint_eq(snap.nslots, 1);
	ck_assert_str_eq(snap.slots[0].slot, "1");
	ck_assert_uint_eq(snap.slots[0].restarts, 3);
	ck_assert_int_eq(snap.slots[0].backoff_until, 1700000009000);
	ck_assert_uint_eq(snap.nblacklist, 1);
	ck_assert_str_eq(snap.blacklist[0].agent, "agent-9");
	ck_assert_str_eq(snap.blacklist[0].reason, "bad disk");
	ck_assert_int_eq(snap.blacklist[0].since, 1700000001000);
	ck_assert_uint_eq(snap.nkv, 1);
	ck_assert_str_eq(snap.kv[0].key, "job/web/instances");
	ck_assert_str_eq(snap.kv[0].value, "5");
	store_snapshot_clear(&snap);
	ck_assert_ptr_null(snap.tasks);
	store_close(s);
}
END_TEST

/* A history row of job web, slot sl, number seq, trimmed to keep. */
static struct store_op
hist_op(const char *sl, uint64_t seq, uint32_t keep)
{
	struct store_op op = { .type = STORE_HISTORY_PUT };
	static char id[32];

	snprintf(id, sizeof id, "web.%s.t%llu", sl, (unsigned long long)seq);
	op.u.history.job = (char *)"web";
	op.u.history.slot = (char *)sl;
	op.u.history.seq = seq;
	op.u.history.keep = keep;
	op.u.history.task_id = id;
	op.u.history.state = 3;		/* TASK_FAILED */
	op.u.history.reason = 1;
	op.u.history.source = 2;
	op.u.history.message = seq == 1 ? NULL : (char *)"exit 1";
	op.u.history.agent_id = (char *)"agent-1";
	op.u.history.hostname = (char *)"host-1";
	op.u.history.launched_at = 1700000000000 + (int64_t)seq;
	op.u.history.ended_at = 1700000001000 + (int64_t)seq;
	return op;
}

/* History rows: kept per slot up to keep, deleted with their slot. */
START_TEST(test_history)
{
	struct store *s = open_ok();
	struct store_snapshot snap;
	struct store_op op;

	for (uint64_t i = 1; i <= 5; i++) {
		op = hist_op("0", i, 3);
		commit_ok(s, &op, 1);
		op = hist_op("1", i, 0);
		commit_ok(s, &op, 1);
	}
	load_ok(s, &snap);
	/* slot 0 keeps its last 3, slot 1 (keep 0) all 5; by slot, seq */
	ck_assert_uint_eq(snap.nhistory, 8);
	ck_assert_str_eq(snap.history[0].slot, "0");
	ck_assert_uint_eq(snap.history[0].seq, 3);
	ck_assert_uint_eq(snap.history[2].seq, 5);
	ck_assert_str_eq(snap.history[2].task_id, "web.0.t5");
	ck_assert_int_eq(snap.history[2].state, 3);
	ck_assert_int_eq(snap.history[2].reason, 1);
	ck_assert_int_eq(snap.history[2].source, 2);
	ck_assert_str_eq(snap.history[2].message, "exit 1");
	ck_assert_str_eq(snap.history[2].agent_id, "agent-1");
	ck_assert_str_eq(snap.history[2].hostname, "host-1");
	ck_assert_int_eq(snap.history[2].launched_at, 1700000000005);
	ck_assert_int_eq(snap.history[2].ended_at, 1700000001005);
	ck_assert_str_eq(snap.history[3].slot, "1");
	ck_assert_uint_eq(snap.history[3].seq, 1);
	ck_assert_ptr_null(snap.history[3].message);
	store_snapshot_clear(&snap);
	/* a deleted slot takes its history along */
	memset(&op, 0, sizeof op);
	op.type = STORE_SLOT_DEL;
	op.u.slot.job = (char *)"web";
	op.u.slot.slot = (char *)"0";
	commit_ok(s, &op, 1);
	load_ok(s, &snap);
	ck_assert_uint_eq(snap.nhistory, 5);
	ck_assert_str_eq(snap.history[0].slot, "1");
	store_snapshot_clear(&snap);
	/* a row without its task id is refused, and nothing of it lands */
	op = hist_op("2", 1, 0);
	op.u.history.task_id = NULL;
	{
		char *cause = NULL;

		ck_assert_int_eq(store_commit(s, &op, 1, &cause), -1);
		ck_assert_ptr_nonnull(strstr(cause, "history_put"));
		free(cause);
	}
	store_close(s);
}
END_TEST

START_TEST(test_launch_intent_nulls)
{
	struct store *s = open_ok();
	struct store_snapshot snap;
	struct store_op op = task_op("d.agent-7.x", "d", "agent-7",
	    STORE_TASK_LAUNCHING);

	op.u.task.hostname = NULL;
	op.u.task.offer_id = NULL;
	op.u.task.job_hash = NULL;
	commit_ok(s, &op, 1);
	load_ok(s, &snap);
	ck_assert_uint_eq(snap.ntasks, 1);
	ck_assert_int_eq(snap.tasks[0].state, STORE_TASK_LAUNCHING);
	ck_assert_ptr_null(snap.tasks[0].agent_id);
	ck_assert_ptr_null(snap.tasks[0].hostname);
	ck_assert_ptr_null(snap.tasks[0].offer_id);
	ck_assert_ptr_null(snap.tasks[0].job_hash);
	ck_assert_int_eq(snap.tasks[0].updated_at, 0);
	ck_assert_ptr_null(snap.framework_id);
	store_snapshot_clear(&snap);
	store_close(s);
}
END_TEST

START_TEST(test_framework_removed)
{
	struct store *s = open_ok();
	struct store_snapshot snap;
	struct store_op ops[2];

	ops[0] = str_op(STORE_FRAMEWORK_ID, "fw-a");
	commit_ok(s, ops, 1);
	ops[0].type = STORE_FRAMEWORK_REMOVED;
	ops[0].u.str = NULL;
	commit_ok(s, ops, 1);
	load_ok(s, &snap);
	ck_assert_str_eq(snap.framework_id, "fw-a");
	ck_assert_int_eq(snap.framework_removed, 1);
	store_snapshot_clear(&snap);
	/* a new id clears the mark */
	ops[0] = str_op(STORE_FRAMEWORK_ID, "fw-b");
	commit_ok(s, ops, 1);
	load_ok(s, &snap);
	ck_assert_str_eq(snap.framework_id, "fw-b");
	ck_assert_int_eq(snap.framework_removed, 0);
	store_snapshot_clear(&snap);
	store_close(s);
}
END_TEST

START_TEST(test_group_commit)
{
	struct store *s = open_ok();
	struct store_snapshot snap;
	struct store_op *ops = xcalloc(1000, sizeof *ops);
	char (*ids)[32] = xcalloc(1000, sizeof *ids);
	char *cause = NULL;

	for (int i = 0; i < 1000; i++) {
		snprintf(ids[i], sizeof ids[i], "svc.%d.x", i);
		ops[i] = task_op(ids[i], "svc", ids[i] + 4, 1);
	}
	commit_ok(s, ops, 1000);
	commit_ok(s, ops, 0);
	load_ok(s, &snap);
	ck_assert_uint_eq(snap.ntasks, 1000);
	store_snapshot_clear(&snap);

	/* a bad row in the middle: nothing of the group is kept */
	for (int i = 0; i < 10; i++) {
		snprintf(ids[i], sizeof ids[i], "new.%d.x", i);
		ops[i] = task_op(ids[i], "new", ids[i] + 4, 1);
	}
	ops[5].u.task.job = NULL;
	ck_assert_int_eq(store_commit(s, ops, 10, &cause), -1);
	ck_assert_msg(strstr(cause, "task_put (row 6 of 10)") != NULL &&
	    strstr(cause, dbpath) != NULL, "%s", cause);
	free(cause);
	load_ok(s, &snap);
	ck_assert_uint_eq(snap.ntasks, 1000);
	store_snapshot_clear(&snap);
	/* and the store still works afterwards */
	ops[5].u.task.job = (char *)"new";
	commit_ok(s, ops, 10);
	load_ok(s, &snap);
	ck_assert_uint_eq(snap.ntasks, 1010);
	store_snapshot_clear(&snap);
	store_close(s);
	free(ops);
	free(ids);
}
END_TEST

START_TEST(test_lock)
{
	struct store *a = open_ok(), *b;
	char *cause = NULL, *want;

	b = store_open(statedir, &cause);
	ck_assert_ptr_null(b);
	want = xasprintf("state directory %s is locked by another arkd "
	    "(pid %ld)", statedir, (long)getpid());
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	ck_assert_int_eq(store_check(statedir, &cause), 0);	/* read-only */
	store_close(a);
	b = open_ok();
	store_close(b);
}
END_TEST

START_TEST(test_dir_mode)
{
	struct store *s = open_ok();
	struct stat sb;
	char *cause = NULL, *file;

	ck_assert_int_eq(stat(statedir, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0700);
	ck_assert_int_eq(stat(dbpath, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0077, 0);
	store_close(s);

	/* a state directory that is a file */
	file = xasprintf("%s/file", tmpdir);
	close(open(file, O_CREAT | O_WRONLY, 0600));
	ck_assert_ptr_null(store_open(file, &cause));
	ck_assert_msg(strstr(cause, "is not a directory") != NULL, "%s",
	    cause);
	free(cause);
	free(file);
}
END_TEST

/* A store with some rows, closed. */
static void
make_store(void)
{
	struct store *s = open_ok();
	struct store_op ops[200];
	char ids[200][32];

	for (int i = 0; i < 200; i++) {
		snprintf(ids[i], sizeof ids[i], "t.%d.x", i);
		ops[i] = task_op(ids[i], "t", ids[i] + 2, 1);
	}
	commit_ok(s, ops, 200);
	ops[0] = str_op(STORE_FRAMEWORK_ID, "fw-z");
	commit_ok(s, ops, 1);
	store_close(s);
}

/* The bytes and mtime of a file. */
struct file_state {
	char		*data;
	size_t		 len;
	struct timespec	 mtime;
};

static void
file_state(const char *path, struct file_state *fs)
{
	struct stat sb;
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &sb), 0);
	fs->len = (size_t)sb.st_size;
	fs->data = xmalloc(fs->len + 1);
	ck_assert_int_eq(read(fd, fs->data, fs->len), (ssize_t)fs->len);
	fs->mtime = sb.st_mtim;
	close(fd);
}

/* Opening and checking fail naming the file and want; nothing changes. */
static void
expect_refused(const char *want)
{
	struct file_state before, after;
	char *cause = NULL;

	file_state(dbpath, &before);
	usleep(20000);	/* so that a write would show in the mtime */
	ck_assert_ptr_null(store_open(statedir, &cause));
	ck_assert_msg(strstr(cause, dbpath) != NULL &&
	    strstr(cause, want) != NULL, "got \"%s\", want \"%s\"", cause,
	    want);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(store_check(statedir, &cause), -1);
	ck_assert_msg(strstr(cause, dbpath) != NULL, "%s", cause);
	free(cause);
	file_state(dbpath, &after);
	ck_assert_uint_eq(before.len, after.len);
	ck_assert(memcmp(before.data, after.data, before.len) == 0);
	ck_assert(before.mtime.tv_sec == after.mtime.tv_sec &&
	    before.mtime.tv_nsec == after.mtime.tv_nsec);
	free(before.data);
	free(after.data);
}

START_TEST(test_refuse_truncated)
{
	struct stat sb;

	make_store();
	ck_assert_int_eq(stat(dbpath, &sb), 0);
	ck_assert_int_gt(sb.st_size, 8192);
	ck_assert_int_eq(truncate(dbpath, sb.st_size / 2), 0);
	expect_refused("truncated");
}
END_TEST

START_TEST(test_refuse_truncated_odd)
{
	make_store();
	ck_assert_int_eq(truncate(dbpath, 5000), 0);
	expect_refused("truncated: 5000 bytes is not a whole number of");
}
END_TEST

START_TEST(test_refuse_truncated_header)
{
	make_store();
	ck_assert_int_eq(truncate(dbpath, 50), 0);
	expect_refused("truncated: 50 bytes, shorter than an SQLite header");
}
END_TEST

START_TEST(test_refuse_zeroed)
{
	struct stat sb;
	char *zeros;
	int fd;

	make_store();
	ck_assert_int_eq(stat(dbpath, &sb), 0);
	zeros = xcalloc(1, (size_t)sb.st_size);
	fd = open(dbpath, O_WRONLY);
	ck_assert_int_eq(write(fd, zeros, (size_t)sb.st_size), sb.st_size);
	close(fd);
	free(zeros);
	expect_refused("not an SQLite database (the header is zeroed)");
}
END_TEST

START_TEST(test_refuse_garbage)
{
	int fd;

	ck_assert_int_eq(mkdir(statedir, 0700), 0);
	fd = open(dbpath, O_WRONLY | O_CREAT, 0600);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(write(fd, "this is not a database\n", 23), 23);
	close(fd);
	expect_refused("not an SQLite database (bad header)");
}
END_TEST

START_TEST(test_refuse_corrupt_page)
{
	struct stat sb;
	char junk[512];
	int fd;

	make_store();
	ck_assert_int_eq(stat(dbpath, &sb), 0);
	memset(junk, 0xa5, sizeof junk);
	fd = open(dbpath, O_WRONLY);
	/* the middle of the tasks b-tree */
	ck_assert_int_eq(pwrite(fd, junk, sizeof junk, sb.st_size / 2),
	    (ssize_t)sizeof junk);
	close(fd);
	expect_refused("corrupt");
}
END_TEST

/* Runs SQL on the database directly. */
static void
raw_sql(const char *sql)
{
	sqlite3 *db;
	char *err = NULL;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK,
	    "%s: %s", sql, err);
	sqlite3_close(db);
}

START_TEST(test_refuse_future)
{
	char *sql, *want;

	make_store();
	sql = xasprintf("PRAGMA user_version = %d", store_schema_version() + 1);
	raw_sql(sql);
	free(sql);
	want = xasprintf("schema version %d is newer than this arkd's (%d)",
	    store_schema_version() + 1, store_schema_version());
	expect_refused(want);
	free(want);
}
END_TEST

START_TEST(test_refuse_foreign)
{
	ck_assert_int_eq(mkdir(statedir, 0700), 0);
	raw_sql("CREATE TABLE users (name TEXT); PRAGMA journal_mode = DELETE");
	expect_refused("an SQLite database, but not an ark store");
}
END_TEST

START_TEST(test_empty_file)
{
	struct store *s;
	struct store_snapshot snap;

	ck_assert_int_eq(mkdir(statedir, 0700), 0);
	close(open(dbpath, O_CREAT | O_WRONLY, 0600));
	s = open_ok();
	load_ok(s, &snap);
	ck_assert_uint_eq(snap.ntasks, 0);
	store_snapshot_clear(&snap);
	store_close(s);
}
END_TEST

/* The page count in page 1 of the main file (0 if unreadable). */
static uint32_t
header_pages(void)
{
	unsigned char h[100];
	int fd = open(dbpath, O_RDONLY);
	ssize_t n = fd >= 0 ? pread(fd, h, sizeof h, 0) : -1;

	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof h)
		return 0;
	return (uint32_t)h[28] << 24 | (uint32_t)h[29] << 16 |
	    (uint32_t)h[30] << 8 | h[31];
}

/*
 * Issue 21: a checkpoint cut short by a full disk. The rows are committed
 * into the WAL (the main file is one page), then the last close's
 * checkpoint runs under a file-size limit of one page, as a full disk
 * would stop it: page 1 is copied (it now counts every page), page 2 is
 * refused (EFBIG, SQLite's "database or disk is full"), and the WAL keeps
 * everything. SQLite reads that store fine; so must store_check and
 * store_open, with every row, and the next close completes the checkpoint.
 */
START_TEST(test_wal_checkpoint_cut)
{
	struct rlimit was, one_page;
	struct store_snapshot snap;
	struct store_op ops[41];
	char ids[40][32], *cause = NULL, *wal;
	struct store *s = open_ok();
	struct stat sb;
	void (*old)(int);

	for (int i = 0; i < 40; i++) {
		snprintf(ids[i], sizeof ids[i], "d.%02d.x", i);
		ops[i] = task_op(ids[i], "d", ids[i] + 2, 1);
	}
	ops[40] = str_op(STORE_FRAMEWORK_ID, "fw-disk-full");
	commit_ok(s, ops, 41);
	ck_assert_int_eq(stat(dbpath, &sb), 0);
	ck_assert_int_eq(sb.st_size, 4096);	/* all of it is in the WAL */

	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &was), 0);
	one_page = was;
	one_page.rlim_cur = 4096;
	old = signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &one_page), 0);
	store_close(s);		/* its checkpoint stops at page 2 */
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &was), 0);
	signal(SIGXFSZ, old);

	/* the state issue 21 found: header says more than the file holds */
	ck_assert_int_eq(stat(dbpath, &sb), 0);
	ck_assert_int_eq(sb.st_size, 4096);
	ck_assert_uint_gt(header_pages(), 1);
	wal = xasprintf("%s-wal", dbpath);
	ck_assert_int_eq(stat(wal, &sb), 0);
	ck_assert_int_gt(sb.st_size, 4096);

	ck_assert_msg(store_check(statedir, &cause) == 0, "store_check: %s",
	    cause);
	s = open_ok();
	load_ok(s, &snap);
	ck_assert_str_eq(snap.framework_id, "fw-disk-full");
	ck_assert_uint_eq(snap.ntasks, 40);
	for (int i = 0; i < 40; i++)
		ck_assert_str_eq(snap.tasks[i].task_id, ids[i]);
	store_snapshot_clear(&snap);
	store_close(s);		/* with room, the checkpoint completes */
	ck_assert_int_eq(stat(dbpath, &sb), 0);
	ck_assert_int_eq(sb.st_size, (off_t)header_pages() * 4096);
	ck_assert_int_ne(stat(wal, &sb), 0);
	ck_assert_msg(store_check(statedir, &cause) == 0, "store_check: %s",
	    cause);
	free(wal);
}
END_TEST

/* The schema of version 1, as arkd 0.1 wrote it. */
static const char schema_v1[] =
	"PRAGMA journal_mode = WAL;"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
	"  WITHOUT ROWID;"
	"CREATE TABLE tasks (task_id TEXT PRIMARY KEY, job TEXT NOT NULL,"
	"  slot TEXT NOT NULL, agent_id TEXT, hostname TEXT, offer_id TEXT,"
	"  state INTEGER NOT NULL, job_hash TEXT,"
	"  launched_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)"
	"  WITHOUT ROWID;"
	"CREATE TABLE slots (job TEXT NOT NULL, slot TEXT NOT NULL,"
	"  restarts INTEGER NOT NULL, backoff_until INTEGER NOT NULL,"
	"  PRIMARY KEY (job, slot)) WITHOUT ROWID;"
	"CREATE TABLE blacklist (agent TEXT PRIMARY KEY, reason TEXT,"
	"  since INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
	"  WITHOUT ROWID;"
	"INSERT INTO meta VALUES ('framework_id', 'fw-old');"
	"INSERT INTO tasks VALUES ('a.0.x', 'a', '0', 'ag', 'h', 'o', 1,"
	"  'hash', 10, 20);"
	"PRAGMA application_id = 1095912241;"	/* "ARK1" */
	"PRAGMA user_version = 1;";

START_TEST(test_migrate)
{
	struct store *s;
	struct store_snapshot snap;
	sqlite3 *db;
	int64_t n = 0;
	sqlite3_stmt *st;

	ck_assert_int_eq(mkdir(statedir, 0700), 0);
	raw_sql(schema_v1);
	ck_assert_int_eq(store_check(statedir, &(char *){ NULL }), 0);
	s = open_ok();
	load_ok(s, &snap);
	ck_assert_str_eq(snap.framework_id, "fw-old");
	ck_assert_uint_eq(snap.ntasks, 1);
	ck_assert_str_eq(snap.tasks[0].task_id, "a.0.x");
	store_snapshot_clear(&snap);
	store_close(s);

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), store_schema_version());
	sqlite3_finalize(st);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM "
	    "sqlite_schema WHERE name = 'tasks_by_slot'", -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	ck_assert_int_eq(n, 1);
	sqlite3_finalize(st);
	/* version 3 added the history table */
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM "
	    "sqlite_schema WHERE name = 'history'", -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int64(st, 0), 1);
	sqlite3_finalize(st);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_check)
{
	char *cause = NULL;
	char *missing = xasprintf("%s/nope", tmpdir);

	ck_assert_int_eq(store_check(missing, &cause), -1);
	ck_assert_msg(strstr(cause, "nope/ark.db: No such file") != NULL,
	    "%s", cause);
	free(cause);
	free(missing);
	cause = NULL;

	make_store();
	ck_assert_msg(store_check(statedir, &cause) == 0, "%s", cause);
	raw_sql("INSERT INTO tasks VALUES ('b.0.x', 'b', '0', 'ag', 'h', 'o',"
	    " 99, 'hash', 10, 20)");
	ck_assert_int_eq(store_check(statedir, &cause), -1);
	ck_assert_msg(strstr(cause, "1 tasks with an unknown state") != NULL,
	    "%s", cause);
	free(cause);
	cause = NULL;
	raw_sql("UPDATE tasks SET state = 2, agent_id = NULL WHERE task_id = "
	    "'b.0.x'");
	ck_assert_int_eq(store_check(statedir, &cause), -1);
	ck_assert_msg(strstr(cause, "1 launched tasks without an agent") !=
	    NULL, "%s", cause);
	free(cause);
}
END_TEST

START_TEST(test_ops)
{
	struct store_task t = { 0 }, c;
	struct store_op op = { .type = STORE_SLOT_PUT };

	ck_assert_str_eq(store_op_name(STORE_TASK_PUT), "task_put");
	ck_assert_str_eq(store_op_name(STORE_KV_DEL), "kv_del");
	ck_assert_str_eq(store_op_name(STORE_OP_MAX), "?");
	t.task_id = xstrdup("x");
	t.job = xstrdup("j");
	t.state = 3;
	t.launched_at = 7;
	store_task_copy(&c, &t);
	ck_assert_str_eq(c.task_id, "x");
	ck_assert_ptr_ne(c.task_id, t.task_id);
	ck_assert_ptr_null(c.slot);
	ck_assert_int_eq(c.state, 3);
	ck_assert_int_eq(c.launched_at, 7);
	store_task_clear(&t);
	store_task_clear(&c);
	ck_assert_ptr_null(c.task_id);
	op.u.slot.job = xstrdup("j");
	op.u.slot.slot = xstrdup("s");
	store_op_clear(&op);
	ck_assert_ptr_null(op.u.slot.job);
}
END_TEST

/*
 * Child of test_kill9: commits groups of 50 task rows plus kv "batch" = N,
 * and after each commit returns writes N to fd (the "acknowledgement").
 */
static void
kill9_child(int fd)
{
	char *cause = NULL;
	struct store *s = store_open(statedir, &cause);
	struct store_op ops[51];
	char ids[50][32], val[24];

	if (s == NULL)
		_exit(2);
	for (uint32_t n = 0;; n++) {
		for (int i = 0; i < 50; i++) {
			snprintf(ids[i], sizeof ids[i], "b%u.%d.x", n, i);
			ops[i] = task_op(ids[i], "k", ids[i], 1);
		}
		snprintf(val, sizeof val, "%u", n);
		ops[50].type = STORE_KV_PUT;
		ops[50].u.kv.key = (char *)"batch";
		ops[50].u.kv.value = val;
		if (store_commit(s, ops, 51, &cause) != 0)
			_exit(3);
		if (write(fd, &n, sizeof n) != (ssize_t)sizeof n)
			_exit(4);
	}
}

/*
 * kill -9 at seeded random points while committing: every group whose
 * commit returned is there after a restart, no group is there in part, and
 * the lock of the dead process is gone.
 */
START_TEST(test_kill9)
{
	unsigned seed = (unsigned)time(NULL);

	printf("test_kill9: seed %u\n", seed);
	srand(seed);
	for (int round = 0; round < 5; round++) {
		struct store_snapshot snap;
		struct store *s;
		int64_t acked = -1, batch = -1;
		int fds[2], status;
		pid_t pid;
		uint32_t n;

		ck_assert_int_eq(pipe(fds), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			close(fds[0]);
			kill9_child(fds[1]);
		}
		close(fds[1]);
		/* let it commit a few groups, then a random few ms more */
		for (int i = 0; i < 3 + round; i++)
			ck_assert_int_eq(read(fds[0], &n, sizeof n),
			    (ssize_t)sizeof n);
		usleep((useconds_t)(rand() % 20000));
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFSIGNALED(status));
		while (read(fds[0], &n, sizeof n) == (ssize_t)sizeof n)
			acked = n;
		close(fds[0]);

		s = open_ok();
		load_ok(s, &snap);
		for (size_t i = 0; i < snap.nkv; i++)
			if (strcmp(snap.kv[i].key, "batch") == 0)
				batch = strtoll(snap.kv[i].value, NULL, 10);
		ck_assert_msg(batch >= acked, "round %d: acknowledged %lld, "
		    "stored %lld (seed %u)", round, (long long)acked,
		    (long long)batch, seed);
		ck_assert_msg(snap.ntasks == (size_t)(batch + 1) * 50,
		    "round %d: %zu rows for %lld groups "
		    "(seed %u)", round, snap.ntasks, (long long)batch + 1,
		    seed);
		store_snapshot_clear(&snap);
		store_close(s);
		/* the next round starts from nothing */
		rmtree(statedir);
	}
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("rows");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_history);
	tcase_add_test(tc, test_launch_intent_nulls);
	tcase_add_test(tc, test_framework_removed);
	tcase_add_test(tc, test_group_commit);
	tcase_add_test(tc, test_ops);
	suite_add_tcase(s, tc);

	tc = tcase_create("open");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_lock);
	tcase_add_test(tc, test_dir_mode);
	tcase_add_test(tc, test_refuse_truncated);
	tcase_add_test(tc, test_refuse_truncated_odd);
	tcase_add_test(tc, test_refuse_truncated_header);
	tcase_add_test(tc, test_refuse_zeroed);
	tcase_add_test(tc, test_refuse_garbage);
	tcase_add_test(tc, test_refuse_corrupt_page);
	tcase_add_test(tc, test_refuse_future);
	tcase_add_test(tc, test_refuse_foreign);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_wal_checkpoint_cut);
	tcase_add_test(tc, test_migrate);
	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_kill9);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(store_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
