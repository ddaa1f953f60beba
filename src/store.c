/*
 * store — arkd's durable state in one SQLite database, <state_dir>/ark.db,
 * in WAL mode with synchronous=FULL: a commit is on disk (WAL fsynced) when
 * store_commit returns, which is what "persist before ACKNOWLEDGE" needs.
 *
 * Opening is careful never to change a file it cannot trust. The state
 * directory is created with mode 0700 and locked with flock(2) on
 * <state_dir>/lock (the holder's pid is written there for the message a
 * second arkd prints). An existing database is first checked without
 * writing anything: page 1's header (magic, page size), then, opened
 * read-only (so SQLite reads the WAL too), PRAGMA quick_check, the
 * application id and the schema version. A main file shorter than its
 * header says is SQLite's to judge: in WAL mode that is what a checkpoint
 * cut short by a full disk leaves, with the pages safe in the WAL. Only a sound file of this or an
 * older schema is opened read-write and migrated; migrations are a table of
 * SQL steps, each bringing PRAGMA user_version one step up, all in one
 * transaction.
 *
 * Writes come as store_op rows and are applied by store_commit in one
 * BEGIN IMMEDIATE ... COMMIT with prepared statements made once at open.
 * This file does no scheduling and knows nothing of Mesos beyond the rows.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "metrics.h"
#include "store.h"
#include "xmalloc.h"

#define STORE_DB_NAME		"ark.db"
#define STORE_LOCK_NAME		"lock"
/* PRAGMA application_id of an ark store: "ARK1" */
#define STORE_APP_ID		0x41524b31
/* Cap of the WAL file kept between checkpoints. */
#define STORE_WAL_LIMIT		(64 * 1024 * 1024)

/* One step of the schema: it brings user_version from version - 1. */
struct store_migration {
	int		 version;
	const char	*what;
	const char	*sql;
};

static const struct store_migration store_migrations[] = {
	{ 1, "tables for the framework, tasks, slots, blacklist and kv",
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
	  "  WITHOUT ROWID;" },
	{ 2, "index tasks by slot, for recovery and offline checks",
	  "CREATE INDEX tasks_by_slot ON tasks (job, slot);" },
	{ 3, "the last tasks each slot ended, with why",
	  "CREATE TABLE history (job TEXT NOT NULL, slot TEXT NOT NULL,"
	  "  seq INTEGER NOT NULL, task_id TEXT NOT NULL,"
	  "  state INTEGER NOT NULL, reason INTEGER NOT NULL,"
	  "  source INTEGER NOT NULL, message TEXT, agent_id TEXT,"
	  "  hostname TEXT, launched_at INTEGER NOT NULL,"
	  "  ended_at INTEGER NOT NULL, PRIMARY KEY (job, slot, seq))"
	  "  WITHOUT ROWID;" },
};

#define STORE_NMIGRATIONS \
	(sizeof store_migrations / sizeof store_migrations[0])
#define STORE_SCHEMA_VERSION \
	(store_migrations[STORE_NMIGRATIONS - 1].version)

/* Statements prepared once at open, by op type and for transactions. */
enum store_stmt {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_META_PUT,
	STMT_TASK_PUT,
	STMT_TASK_DEL,
	STMT_SLOT_PUT,
	STMT_SLOT_DEL,
	STMT_BLACKLIST_PUT,
	STMT_BLACKLIST_DEL,
	STMT_KV_PUT,
	STMT_KV_DEL,
	STMT_HISTORY_PUT,
	STMT_HISTORY_TRIM,
	STMT_HISTORY_DEL,
	STMT_MAX
};

static const char *store_stmt_sql[STMT_MAX] = {
	"BEGIN IMMEDIATE",
	"COMMIT",
	"ROLLBACK",
	"INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
	("INSERT OR REPLACE INTO tasks (task_id, job, slot, agent_id, hostname,"
	" offer_id, state, job_hash, launched_at, updated_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
	"DELETE FROM tasks WHERE task_id = ?1",
	("INSERT OR REPLACE INTO slots (job, slot, restarts, backoff_until)"
	" VALUES (?1, ?2, ?3, ?4)"),
	"DELETE FROM slots WHERE job = ?1 AND slot = ?2",
	("INSERT OR REPLACE INTO blacklist (agent, reason, since)"
	" VALUES (?1, ?2, ?3)"),
	"DELETE FROM blacklist WHERE agent = ?1",
	"INSERT OR REPLACE INTO kv (key, value) VALUES (?1, ?2)",
	"DELETE FROM kv WHERE key = ?1",
	("INSERT OR REPLACE INTO history (job, slot, seq, task_id, state,"
	" reason, source, message, agent_id, hostname, launched_at, ended_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
	"DELETE FROM history WHERE job = ?1 AND slot = ?2 AND seq <= ?3",
	"DELETE FROM history WHERE job = ?1 AND slot = ?2",
};

static const char *store_op_names[STORE_OP_MAX] = {
	"framework_id", "framework_removed", "task_put", "task_del",
	"slot_put", "slot_del", "blacklist_put", "blacklist_del", "kv_put",
	"kv_del", "history_put"
};

struct store {
	char		*dir;
	char		*path;		/* <dir>/ark.db */
	int		 lock_fd;	/* holds the flock while open */
	sqlite3		*db;
	sqlite3_stmt	*stmt[STMT_MAX];
};

const char *
store_op_name(enum store_op_type t)
{
	return t < STORE_OP_MAX ? store_op_names[t] : "?";
}

void
store_task_clear(struct store_task *t)
{
	free(t->task_id);
	free(t->job);
	free(t->slot);
	free(t->agent_id);
	free(t->hostname);
	free(t->offer_id);
	free(t->job_hash);
	memset(t, 0, sizeof *t);
}

/* Duplicates s, keeping NULL as NULL. */
static char *
store_strdup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
store_task_copy(struct store_task *dst, const struct store_task *src)
{
	dst->task_id = store_strdup(src->task_id);
	dst->job = store_strdup(src->job);
	dst->slot = store_strdup(src->slot);
	dst->agent_id = store_strdup(src->agent_id);
	dst->hostname = store_strdup(src->hostname);
	dst->offer_id = store_strdup(src->offer_id);
	dst->state = src->state;
	dst->job_hash = store_strdup(src->job_hash);
	dst->launched_at = src->launched_at;
	dst->updated_at = src->updated_at;
}

void
store_history_clear(struct store_history *h)
{
	free(h->job);
	free(h->slot);
	free(h->task_id);
	free(h->message);
	free(h->agent_id);
	free(h->hostname);
	memset(h, 0, sizeof *h);
}

void
store_op_clear(struct store_op *op)
{
	switch (op->type) {
	case STORE_FRAMEWORK_ID:
	case STORE_TASK_DEL:
	case STORE_BLACKLIST_DEL:
	case STORE_KV_DEL:
		free(op->u.str);
		break;
	case STORE_TASK_PUT:
		store_task_clear(&op->u.task);
		break;
	case STORE_SLOT_PUT:
	case STORE_SLOT_DEL:
		free(op->u.slot.job);
		free(op->u.slot.slot);
		break;
	case STORE_BLACKLIST_PUT:
		free(op->u.blacklist.agent);
		free(op->u.blacklist.reason);
		break;
	case STORE_KV_PUT:
		free(op->u.kv.key);
		free(op->u.kv.value);
		break;
	case STORE_HISTORY_PUT:
		store_history_clear(&op->u.history);
		break;
	default:
		break;
	}
	memset(&op->u, 0, sizeof op->u);
}

void
store_snapshot_clear(struct store_snapshot *s)
{
	free(s->framework_id);
	for (size_t i = 0; i < s->ntasks; i++)
		store_task_clear(&s->tasks[i]);
	free(s->tasks);
	for (size_t i = 0; i < s->nslots; i++) {
		free(s->slots[i].job);
		free(s->slots[i].slot);
	}
	free(s->slots);
	for (size_t i = 0; i < s->nblacklist; i++) {
		free(s->blacklist[i].agent);
		free(s->blacklist[i].reason);
	}
	free(s->blacklist);
	for (size_t i = 0; i < s->nkv; i++) {
		free(s->kv[i].key);
		free(s->kv[i].value);
	}
	free(s->kv);
	for (size_t i = 0; i < s->nhistory; i++)
		store_history_clear(&s->history[i]);
	free(s->history);
	memset(s, 0, sizeof *s);
}

/* Reads a big-endian integer of n bytes. */
static uint32_t
store_be(const unsigned char *p, int n)
{
	uint32_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * Checks page 1 of an existing, non-empty database file without SQLite:
 * catches zeroed and overwritten files before any library code gets to
 * look at (or recover) them. h gets the first 100 bytes.
 *
 * The file's length is not judged here. In WAL mode the main file is not
 * the whole database: a checkpoint copies pages from the WAL in page order,
 * so one cut short by a full disk leaves page 1 saying 7 pages in a file of
 * 1 while the WAL still holds all 7, and SQLite reads that store fine. Only
 * SQLite, which reads the WAL, can tell that from a truncated file (it
 * reports SQLITE_CORRUPT when the pages are really gone);
 * store_explain_size then says which it was.
 */
static int
store_check_header(const char *path, int fd, off_t size, unsigned char h[100],
    char **cause)
{
	uint32_t psize;
	ssize_t n;

	if (size < 100) {
		*cause = xasprintf("%s: truncated: %lld bytes, shorter than an "
		    "SQLite header", path, (long long)size);
		return -1;
	}
	n = pread(fd, h, 100, 0);
	if (n != 100) {
		*cause = xasprintf("%s: cannot read the header: %s", path,
		    n == -1 ? strerror(errno) : "short read");
		return -1;
	}
	if (memcmp(h, "SQLite format 3", 16) != 0) {
		int zero = 1;

		for (size_t i = 0; i < 100; i++)
			zero &= h[i] == 0;
		*cause = xasprintf("%s: not an SQLite database (%s)", path,
		    zero ? "the header is zeroed" : "bad header");
		return -1;
	}
	psize = store_be(h + 16, 2);
	if (psize == 1)
		psize = 65536;
	if (psize < 512 || psize > 65536 || (psize & (psize - 1)) != 0) {
		*cause = xasprintf("%s: corrupt header: page size %u", path,
		    psize);
		return -1;
	}
	return 0;
}

/*
 * Names how a file that SQLite refused is shorter than its header (h, the
 * first 100 bytes, already checked) says, or returns NULL if it is not.
 * Called only after SQLite, WAL included, found the database damaged, so
 * that a short main file whose pages are in the WAL is never blamed.
 * Caller frees.
 */
static char *
store_explain_size(const unsigned char *h, off_t size)
{
	uint32_t psize = store_be(h + 16, 2), pages;

	if (psize == 1)
		psize = 65536;
	if (size % psize != 0)
		return xasprintf("truncated: %lld bytes is not a whole number "
		    "of %u-byte pages", (long long)size, psize);
	/* the page count is valid when the two change counters agree */
	pages = store_be(h + 28, 4);
	if (pages != 0 && store_be(h + 24, 4) == store_be(h + 92, 4) &&
	    (off_t)pages * psize > size)
		return xasprintf("truncated: the header says %u pages (%llu "
		    "bytes) but the file has %lld bytes", pages,
		    (unsigned long long)pages * psize, (long long)size);
	return NULL;
}

/* Sets *cause to "path: corrupt: what", or to the truncation that explains
 * it (store_explain_size) with SQLite's words after it. */
static void
store_corrupt(const char *path, const unsigned char *h, off_t size,
    const char *what, char **cause)
{
	char *why = store_explain_size(h, size);

	if (why != NULL)
		*cause = xasprintf("%s: %s (SQLite: %s)", path, why, what);
	else
		*cause = xasprintf("%s: corrupt: %s", path, what);
	free(why);
}

/* Runs a one-row, one-column integer query; -1 on error. */
static int
store_query_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	*out = sqlite3_column_int64(st, 0);
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/*
 * Checks an existing database read-only: its header, then the integrity
 * check (full = PRAGMA integrity_check, else quick_check), the application
 * id and the schema version. *version gets user_version. Nothing is written.
 */
static int
store_verify(const char *path, int full, int *version, char **cause)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct stat sb;
	unsigned char h[100];
	int64_t v, app;
	int fd, rc = -1, src;

	*version = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		*cause = xasprintf("%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (sb.st_size == 0) {
		/* SQLite creates the file empty; nothing was ever committed */
		close(fd);
		return 0;
	}
	if (store_check_header(path, fd, sb.st_size, h, cause) != 0) {
		close(fd);
		return -1;
	}
	close(fd);

	src = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (src != SQLITE_OK) {
		*cause = xasprintf("%s: cannot open: %s", path,
		    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(src));
		goto out;
	}
	if (sqlite3_prepare_v2(db, full ? "PRAGMA integrity_check(10)" :
	    "PRAGMA quick_check(10)", -1, &st, NULL) != SQLITE_OK) {
		store_corrupt(path, h, sb.st_size, sqlite3_errmsg(db), cause);
		goto out;
	}
	for (;;) {
		const char *row;

		src = sqlite3_step(st);
		if (src == SQLITE_DONE)
			break;
		if (src != SQLITE_ROW) {
			store_corrupt(path, h, sb.st_size, sqlite3_errmsg(db),
			    cause);
			goto out;
		}
		row = (const char *)sqlite3_column_text(st, 0);
		if (row == NULL || strcmp(row, "ok") != 0) {
			store_corrupt(path, h, sb.st_size, row != NULL ? row :
			    "integrity check failed", cause);
			goto out;
		}
	}
	if (store_query_int(db, "PRAGMA application_id", &app) != 0 ||
	    store_query_int(db, "PRAGMA user_version", &v) != 0) {
		*cause = xasprintf("%s: cannot read the schema version: %s",
		    path, sqlite3_errmsg(db));
		goto out;
	}
	if (app != 0 && app != STORE_APP_ID) {
		*cause = xasprintf("%s: an SQLite database, but not an ark "
		    "store (application id %#llx)", path,
		    (unsigned long long)app);
		goto out;
	}
	if (app == 0 && v != 0) {
		*cause = xasprintf("%s: an SQLite database, but not an ark "
		    "store (no application id, user_version %lld)", path,
		    (long long)v);
		goto out;
	}
	if (v > STORE_SCHEMA_VERSION) {
		*cause = xasprintf("%s: schema version %lld is newer than this "
		    "arkd's (%d): it was written by a newer arkd", path,
		    (long long)v, STORE_SCHEMA_VERSION);
		goto out;
	}
	if (v < 0) {
		*cause = xasprintf("%s: bad schema version %lld", path,
		    (long long)v);
		goto out;
	}
	if (app == 0) {
		/* no schema yet: it must not hold tables of someone else */
		if (store_query_int(db, "SELECT count(*) FROM sqlite_schema",
		    &v) != 0 || v != 0) {
			*cause = xasprintf("%s: an SQLite database, but not an "
			    "ark store", path);
			goto out;
		}
	}
	*version = (int)v;
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

/* Executes SQL (several statements); -1 with *cause naming what. */
static int
store_exec(struct store *s, const char *sql, const char *what, char **cause)
{
	char *err = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		*cause = xasprintf("%s: %s: %s", s->path, what,
		    err != NULL ? err : sqlite3_errmsg(s->db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* Brings the schema from version from to the newest, in one transaction. */
static int
store_migrate(struct store *s, int from, char **cause)
{
	char *sql;

	if (from == STORE_SCHEMA_VERSION)
		return 0;
	if (store_exec(s, "BEGIN IMMEDIATE", "begin migration", cause) != 0)
		return -1;
	for (size_t i = 0; i < STORE_NMIGRATIONS; i++) {
		const struct store_migration *m = &store_migrations[i];

		if (m->version <= from)
			continue;
		if (store_exec(s, m->sql, m->what, cause) != 0)
			goto fail;
		log_info("store: %s: schema %d -> %d (%s)", s->path,
		    m->version - 1, m->version, m->what);
	}
	sql = xasprintf("PRAGMA application_id = %d; PRAGMA user_version = %d",
	    STORE_APP_ID, STORE_SCHEMA_VERSION);
	if (store_exec(s, sql, "set the schema version", cause) != 0) {
		free(sql);
		goto fail;
	}
	free(sql);
	if (store_exec(s, "COMMIT", "commit migration", cause) != 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/*
 * Creates dir (mode 0700) if missing and takes the lock on dir/lock,
 * writing our pid into it. Returns the locked fd or -1 with *cause.
 */
static int
store_lock(const char *dir, char **cause)
{
	struct stat sb;
	char *path;
	int fd;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		*cause = xasprintf("cannot create state directory %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		*cause = xasprintf("state directory %s is not a directory",
		    dir);
		return -1;
	}
	if ((sb.st_mode & 0002) != 0)
		log_warn("store: state directory %s is writable by anyone",
		    dir);
	path = xasprintf("%s/%s", dir, STORE_LOCK_NAME);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		*cause = xasprintf("cannot open %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		char pid[32] = "";
		ssize_t n;

		if (errno == EWOULDBLOCK) {
			n = pread(fd, pid, sizeof pid - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			*cause = xasprintf("state directory %s is locked by "
			    "another arkd (pid %s)", dir,
			    pid[0] != '\0' ? pid : "unknown");
		} else {
			*cause = xasprintf("cannot lock %s: %s", path,
			    strerror(errno));
		}
		close(fd);
		free(path);
		return -1;
	}
	free(path);
	{
		char pid[32];
		int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());

		if (ftruncate(fd, 0) == -1 || pwrite(fd, pid, (size_t)n, 0) !=
		    n)
			log_warn("store: cannot write the pid into %s/%s: %s",
			    dir, STORE_LOCK_NAME, strerror(errno));
	}
	return fd;
}

struct store *
store_open(const char *dir, char **cause)
{
	struct store *s = xcalloc(1, sizeof *s);
	struct stat sb;
	int version = 0;
	char *sql;

	s->lock_fd = -1;
	s->dir = xstrdup(dir);
	s->path = xasprintf("%s/%s", dir, STORE_DB_NAME);
	s->lock_fd = store_lock(dir, cause);
	if (s->lock_fd == -1)
		goto fail;
	if (lstat(s->path, &sb) == 0) {
		if (store_verify(s->path, 0, &version, cause) != 0)
			goto fail;
	} else if (errno != ENOENT) {
		*cause = xasprintf("%s: %s", s->path, strerror(errno));
		goto fail;
	}
	if (sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		*cause = xasprintf("%s: cannot open: %s", s->path,
		    s->db != NULL ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	chmod(s->path, 0600);
	sqlite3_extended_result_codes(s->db, 1);
	/*
	 * WAL with synchronous=FULL: every COMMIT fsyncs the WAL, so a row is
	 * on disk before the ACKNOWLEDGE or ACCEPT that depends on it is sent
	 * (NORMAL would only survive a crash of arkd, not of the machine).
	 */
	sql = xasprintf("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	    " PRAGMA journal_size_limit = %d; PRAGMA temp_store = MEMORY;"
	    " PRAGMA cache_size = -16384", STORE_WAL_LIMIT);
	if (store_exec(s, sql, "set up", cause) != 0) {
		free(sql);
		goto fail;
	}
	free(sql);
	if (store_migrate(s, version, cause) != 0)
		goto fail;
	for (int i = 0; i < STMT_MAX; i++)
		if (sqlite3_prepare_v3(s->db, store_stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL) !=
		    SQLITE_OK) {
			*cause = xasprintf("%s: cannot prepare \"%s\": %s",
			    s->path, store_stmt_sql[i], sqlite3_errmsg(s->db));
			goto fail;
		}
	metrics_declare("ark_store_commit_seconds", METRICS_HISTOGRAM,
	    "Time to commit one group of store rows (one loop iteration).");
	metrics_declare("ark_store_rows_total", METRICS_COUNTER,
	    "Store rows committed.");
	log_info("store: %s open (schema %d)", s->path, STORE_SCHEMA_VERSION);
	return s;
fail:
	store_close(s);
	return NULL;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < STMT_MAX; i++)
		sqlite3_finalize(s->stmt[i]);
	if (s->db != NULL)
		sqlite3_close(s->db);
	if (s->lock_fd != -1)
		close(s->lock_fd);	/* releases the flock */
	free(s->dir);
	free(s->path);
	free(s);
}

int
store_set_sync(struct store *s, int full)
{
	return sqlite3_exec(s->db, full ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) == SQLITE_OK ?
	    0 : -1;
}

int
store_schema_version(void)
{
	return STORE_SCHEMA_VERSION;
}

/* Binds a string or NULL. */
static void
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Runs a prepared statement to completion and resets it. */
static int
store_step(struct store *s, enum store_stmt which)
{
	sqlite3_stmt *st = s->stmt[which];
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Writes one op inside the open transaction; -1 on error. */
static int
store_apply(struct store *s, const struct store_op *op)
{
	sqlite3_stmt *st;

	switch (op->type) {
	case STORE_FRAMEWORK_ID:
		if (op->u.str == NULL)
			return -1;
		st = s->stmt[STMT_META_PUT];
		store_bind_text(st, 1, "framework_id");
		store_bind_text(st, 2, op->u.str);
		if (store_step(s, STMT_META_PUT) != 0)
			return -1;
		/* a new id is not a removed one */
		st = s->stmt[STMT_META_PUT];
		store_bind_text(st, 1, "framework_removed");
		store_bind_text(st, 2, "0");
		return store_step(s, STMT_META_PUT);
	case STORE_FRAMEWORK_REMOVED:
		st = s->stmt[STMT_META_PUT];
		store_bind_text(st, 1, "framework_removed");
		store_bind_text(st, 2, "1");
		return store_step(s, STMT_META_PUT);
	case STORE_TASK_PUT: {
		const struct store_task *t = &op->u.task;

		if (t->task_id == NULL || t->job == NULL || t->slot == NULL)
			return -1;
		st = s->stmt[STMT_TASK_PUT];
		store_bind_text(st, 1, t->task_id);
		store_bind_text(st, 2, t->job);
		store_bind_text(st, 3, t->slot);
		store_bind_text(st, 4, t->agent_id);
		store_bind_text(st, 5, t->hostname);
		store_bind_text(st, 6, t->offer_id);
		sqlite3_bind_int(st, 7, t->state);
		store_bind_text(st, 8, t->job_hash);
		sqlite3_bind_int64(st, 9, t->launched_at);
		sqlite3_bind_int64(st, 10, t->updated_at);
		return store_step(s, STMT_TASK_PUT);
	}
	case STORE_TASK_DEL:
		store_bind_text(s->stmt[STMT_TASK_DEL], 1, op->u.str);
		return store_step(s, STMT_TASK_DEL);
	case STORE_SLOT_PUT:
		if (op->u.slot.job == NULL || op->u.slot.slot == NULL)
			return -1;
		st = s->stmt[STMT_SLOT_PUT];
		store_bind_text(st, 1, op->u.slot.job);
		store_bind_text(st, 2, op->u.slot.slot);
		sqlite3_bind_int64(st, 3, op->u.slot.restarts);
		sqlite3_bind_int64(st, 4, op->u.slot.backoff_until);
		return store_step(s, STMT_SLOT_PUT);
	case STORE_SLOT_DEL:
		st = s->stmt[STMT_SLOT_DEL];
		store_bind_text(st, 1, op->u.slot.job);
		store_bind_text(st, 2, op->u.slot.slot);
		if (store_step(s, STMT_SLOT_DEL) != 0)
			return -1;
		st = s->stmt[STMT_HISTORY_DEL];
		store_bind_text(st, 1, op->u.slot.job);
		store_bind_text(st, 2, op->u.slot.slot);
		return store_step(s, STMT_HISTORY_DEL);
	case STORE_BLACKLIST_PUT:
		if (op->u.blacklist.agent == NULL)
			return -1;
		st = s->stmt[STMT_BLACKLIST_PUT];
		store_bind_text(st, 1, op->u.blacklist.agent);
		store_bind_text(st, 2, op->u.blacklist.reason);
		sqlite3_bind_int64(st, 3, op->u.blacklist.since);
		return store_step(s, STMT_BLACKLIST_PUT);
	case STORE_BLACKLIST_DEL:
		store_bind_text(s->stmt[STMT_BLACKLIST_DEL], 1, op->u.str);
		return store_step(s, STMT_BLACKLIST_DEL);
	case STORE_KV_PUT:
		if (op->u.kv.key == NULL || op->u.kv.value == NULL)
			return -1;
		st = s->stmt[STMT_KV_PUT];
		store_bind_text(st, 1, op->u.kv.key);
		store_bind_text(st, 2, op->u.kv.value);
		return store_step(s, STMT_KV_PUT);
	case STORE_KV_DEL:
		store_bind_text(s->stmt[STMT_KV_DEL], 1, op->u.str);
		return store_step(s, STMT_KV_DEL);
	case STORE_HISTORY_PUT: {
		const struct store_history *h = &op->u.history;

		if (h->job == NULL || h->slot == NULL || h->task_id == NULL)
			return -1;
		st = s->stmt[STMT_HISTORY_PUT];
		store_bind_text(st, 1, h->job);
		store_bind_text(st, 2, h->slot);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)h->seq);
		store_bind_text(st, 4, h->task_id);
		sqlite3_bind_int(st, 5, h->state);
		sqlite3_bind_int(st, 6, h->reason);
		sqlite3_bind_int(st, 7, h->source);
		store_bind_text(st, 8, h->message);
		store_bind_text(st, 9, h->agent_id);
		store_bind_text(st, 10, h->hostname);
		sqlite3_bind_int64(st, 11, h->launched_at);
		sqlite3_bind_int64(st, 12, h->ended_at);
		if (store_step(s, STMT_HISTORY_PUT) != 0)
			return -1;
		if (h->keep == 0 || h->seq < h->keep)
			return 0;
		st = s->stmt[STMT_HISTORY_TRIM];
		store_bind_text(st, 1, h->job);
		store_bind_text(st, 2, h->slot);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)(h->seq - h->keep));
		return store_step(s, STMT_HISTORY_TRIM);
	}
	default:
		return -1;
	}
}

int
store_commit(struct store *s, const struct store_op *ops, size_t n,
    char **cause)
{
	struct timespec t0, t1;
	size_t i;

	if (n == 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (store_step(s, STMT_BEGIN) != 0) {
		*cause = xasprintf("%s: cannot begin a transaction: %s",
		    s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	for (i = 0; i < n; i++)
		if (store_apply(s, &ops[i]) != 0)
			break;
	if (i < n) {
		*cause = xasprintf("%s: %s (row %zu of %zu): %s", s->path,
		    store_op_name(ops[i].type), i + 1, n,
		    sqlite3_errcode(s->db) == SQLITE_OK ?
		    "a required field is missing" : sqlite3_errmsg(s->db));
		store_step(s, STMT_ROLLBACK);
		return -1;
	}
	if (store_step(s, STMT_COMMIT) != 0) {
		*cause = xasprintf("%s: commit failed: %s", s->path,
		    sqlite3_errmsg(s->db));
		/* a failed COMMIT may leave the transaction open */
		if (!sqlite3_get_autocommit(s->db))
			store_step(s, STMT_ROLLBACK);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_observe("ark_store_commit_seconds", "",
	    (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	metrics_add("ark_store_rows_total", "", (double)n);
	return 0;
}

/* Returns column i as a new string, or NULL if it is NULL. */
static char *
store_col(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return v != NULL ? xstrdup((const char *)v) : NULL;
}

/* Grows an array of elements of size sz by one, zeroing the new one. */
static void *
store_grow(void *v, size_t *n, size_t *cap, size_t sz)
{
	if (*n == *cap) {
		*cap = *cap == 0 ? 64 : *cap * 2;
		v = xreallocarray(v, *cap, sz);
	}
	memset((char *)v + *n * sz, 0, sz);
	(*n)++;
	return v;
}

int
store_load(struct store *s, struct store_snapshot *snap, char **cause)
{
	static const char *sql[] = {
		"SELECT key, value FROM meta",
		("SELECT task_id, job, slot, agent_id, hostname, offer_id,"
		" state, job_hash, launched_at, updated_at FROM tasks"
		" ORDER BY job, slot, launched_at"),
		("SELECT job, slot, restarts, backoff_until FROM slots"
		" ORDER BY job, slot"),
		"SELECT agent, reason, since FROM blacklist ORDER BY agent",
		"SELECT key, value FROM kv ORDER BY key",
		("SELECT job, slot, seq, task_id, state, reason, source,"
		" message, agent_id, hostname, launched_at, ended_at"
		" FROM history ORDER BY job, slot, seq"),
	};
	size_t cap[6] = { 0, 0, 0, 0, 0, 0 };
	sqlite3_stmt *st = NULL;
	int rc;

	memset(snap, 0, sizeof *snap);
	for (size_t q = 0; q < sizeof sql / sizeof sql[0]; q++) {
		if (sqlite3_prepare_v2(s->db, sql[q], -1, &st, NULL) !=
		    SQLITE_OK)
			goto fail;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			switch (q) {
			case 0: {
				const char *k = (const char *)
				    sqlite3_column_text(st, 0);

				if (k != NULL && strcmp(k, "framework_id") ==
				    0) {
					free(snap->framework_id);
					snap->framework_id = store_col(st, 1);
				} else if (k != NULL && strcmp(k,
				    "framework_removed") == 0) {
					snap->framework_removed =
					    sqlite3_column_int(st, 1) != 0;
				}
				break;
			}
			case 1: {
				struct store_task *t;

				snap->tasks = store_grow(snap->tasks,
				    &snap->ntasks, &cap[1], sizeof *t);
				t = &snap->tasks[snap->ntasks - 1];
				t->task_id = store_col(st, 0);
				t->job = store_col(st, 1);
				t->slot = store_col(st, 2);
				t->agent_id = store_col(st, 3);
				t->hostname = store_col(st, 4);
				t->offer_id = store_col(st, 5);
				t->state = sqlite3_column_int(st, 6);
				t->job_hash = store_col(st, 7);
				t->launched_at = sqlite3_column_int64(st, 8);
				t->updated_at = sqlite3_column_int64(st, 9);
				break;
			}
			case 2: {
				struct store_slot *sl;

				snap->slots = store_grow(snap->slots,
				    &snap->nslots, &cap[2], sizeof *sl);
				sl = &snap->slots[snap->nslots - 1];
				sl->job = store_col(st, 0);
				sl->slot = store_col(st, 1);
				sl->restarts = (uint32_t)
				    sqlite3_column_int64(st, 2);
				sl->backoff_until = sqlite3_column_int64(st, 3);
				break;
			}
			case 3: {
				struct store_blacklist *b;

				snap->blacklist = store_grow(snap->blacklist,
				    &snap->nblacklist, &cap[3], sizeof *b);
				b = &snap->blacklist[snap->nblacklist - 1];
				b->agent = store_col(st, 0);
				b->reason = store_col(st, 1);
				b->since = sqlite3_column_int64(st, 2);
				break;
			}
			case 4: {
				struct store_kv *kv;

				snap->kv = store_grow(snap->kv, &snap->nkv,
				    &cap[4], sizeof *kv);
				kv = &snap->kv[snap->nkv - 1];
				kv->key = store_col(st, 0);
				kv->value = store_col(st, 1);
				break;
			}
			default: {
				struct store_history *h;

				snap->history = store_grow(snap->history,
				    &snap->nhistory, &cap[5], sizeof *h);
				h = &snap->history[snap->nhistory - 1];
				h->job = store_col(st, 0);
				h->slot = store_col(st, 1);
				h->seq = (uint64_t)sqlite3_column_int64(st, 2);
				h->task_id = store_col(st, 3);
				h->state = sqlite3_column_int(st, 4);
				h->reason = sqlite3_column_int(st, 5);
				h->source = sqlite3_column_int(st, 6);
				h->message = store_col(st, 7);
				h->agent_id = store_col(st, 8);
				h->hostname = store_col(st, 9);
				h->launched_at = sqlite3_column_int64(st, 10);
				h->ended_at = sqlite3_column_int64(st, 11);
				break;
			}
			}
		}
		if (rc != SQLITE_DONE)
			goto fail;
		sqlite3_finalize(st);
		st = NULL;
	}
	return 0;
fail:
	*cause = xasprintf("%s: cannot load: %s", s->path,
	    sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	store_snapshot_clear(snap);
	return -1;
}

/*
 * Checks the rows of a verified store (read-only): what SQLite's integrity
 * check cannot know, such as task states and required fields.
 */
static int
store_check_rows(const char *path, char **cause)
{
	static const struct {
		const char *sql;
		const char *what;
	} checks[] = {
		{ "SELECT count(*) FROM tasks WHERE state < -1 OR state > 13",
		  "tasks with an unknown state" },
		{ "SELECT count(*) FROM tasks WHERE state <> -1 AND"
		  " (agent_id IS NULL OR agent_id = '')",
		  "launched tasks without an agent" },
		{ "SELECT count(*) FROM tasks WHERE job = '' OR slot = ''"
		  " OR task_id = ''", "tasks with an empty id, job or slot" },
		{ "SELECT count(*) FROM slots WHERE restarts < 0",
		  "slots with a negative restart count" },
		{ "SELECT count(*) FROM meta WHERE key NOT IN"
		  " ('framework_id', 'framework_removed')",
		  "unknown meta keys" },
	};
	sqlite3 *db = NULL;
	int rc = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		*cause = xasprintf("%s: cannot open: %s", path,
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		int64_t n;

		if (store_query_int(db, checks[i].sql, &n) != 0) {
			*cause = xasprintf("%s: %s", path, sqlite3_errmsg(db));
			goto out;
		}
		if (n != 0) {
			*cause = xasprintf("%s: %lld %s", path, (long long)n,
			    checks[i].what);
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_close(db);
	return rc;
}

int
store_check(const char *dir, char **cause)
{
	char *path = xasprintf("%s/%s", dir, STORE_DB_NAME);
	struct stat sb;
	int version, rc = -1;

	if (stat(path, &sb) == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		goto out;
	}
	if (store_verify(path, 1, &version, cause) != 0)
		goto out;
	if (version == 0) {
		/* empty: arkd has not written to it yet */
		rc = 0;
		goto out;
	}
	if (version < STORE_SCHEMA_VERSION)
		log_info("store: %s has schema %d; arkd will migrate it to %d",
		    path, version, STORE_SCHEMA_VERSION);
	rc = store_check_rows(path, cause);
out:
	free(path);
	return rc;
}
