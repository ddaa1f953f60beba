/*
 * it/check_zk — ZooKeeper end to end, against a real ZooKeeper server
 * (started once for the whole binary, on a free loopback port with a
 * private data directory) and real ark-sim and arkd processes:
 *
 *   - the client wrapper (zk.c) in this process's own libev loop: session,
 *     every request, watches, ephemeral nodes gone with the session, and a
 *     new session after the old one expired;
 *   - master detection: ark-sim --masters 3 --zk registers its masters as
 *     Mesos does; arkd with master.masters = ["zk://..."] finds the leader
 *     there (never through a 307), runs its tasks, and follows a failover;
 *     a leader node with unusable data is waited out without a crash;
 *   - leader election between arkd instances (ha.zk): exactly one
 *     subscribes; kill -9 of the leader makes the follower take over
 *     within a bound with the same FrameworkID, adopting the running tasks
 *     without launching anything; the old leader restarted follows; the
 *     leader stops acting when its node goes or ZooKeeper stops answering,
 *     and keeps leading (resubscribing) when Mesos says "Framework failed
 *     over" while it still holds the lock.
 *
 * Assertions are on ark-sim's /state and counters, arkd's admin API and
 * the nodes in ZooKeeper, never on log lines.
 */
/* the synchronous ZooKeeper API (the test's own reads and writes) */
#define THREADED
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <ev.h>
#include <jansson.h>
#include <zookeeper/zookeeper.h>

#include "log.h"
#include "../lib/testutil.h"
#include "../lib/zkserver.h"
#include "xmalloc.h"
#include "zk.h"

/* Generous bounds for a loaded two-core machine. */
#define WAIT_MS		30000
#define FW_NAME		"ark-zk"

/* The one ZooKeeper server of this binary. */
static struct tu_zk zks;
static char *zk_dir;

/* ---- ZooKeeper from the test itself (synchronous API) ------------------- */

static atomic_int tz_connected;

static void
tz_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	if (type == ZOO_SESSION_EVENT)
		atomic_store(&tz_connected, state == ZOO_CONNECTED_STATE);
}

/* A synchronous session for the test's own reads and writes. */
static zhandle_t *
tz_open(void)
{
	zhandle_t *zh;

	static FILE *quiet;

	/* its handles' reconnection noise is not the test's business */
	if (quiet == NULL)
		quiet = fopen("/dev/null", "w");
	if (quiet != NULL)
		zoo_set_log_stream(quiet);
	atomic_store(&tz_connected, 0);
	zh = zookeeper_init(tu_zk_hosts(&zks), tz_watcher, 10000, NULL, NULL,
	    0);
	ck_assert_ptr_nonnull(zh);
	ck_assert_msg(TU_WAIT(WAIT_MS, atomic_load(&tz_connected)),
	    "no ZooKeeper session");
	return zh;
}

/* Creates path and its parents (persistent, empty). */
static void
tz_mkdirs(zhandle_t *zh, const char *path)
{
	char *p = xstrdup(path);

	for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
		int rc;

		if (s != NULL)
			*s = '\0';
		rc = zoo_create(zh, p, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
		ck_assert_msg(rc == ZOK || rc == ZNODEEXISTS, "create %s: %s",
		    p, zerror(rc));
		if (s == NULL)
			break;
		*s = '/';
	}
	free(p);
}

/* The children of path with prefix, counted; -1 if path is missing. */
static int
tz_count(zhandle_t *zh, const char *path, const char *prefix)
{
	struct String_vector sv;
	int n = 0;

	if (zoo_get_children(zh, path, 0, &sv) != ZOK)
		return -1;
	for (int i = 0; i < sv.count; i++)
		if (strncmp(sv.data[i], prefix, strlen(prefix)) == 0)
			n++;
	deallocate_String_vector(&sv);
	return n;
}

/* The data of path (caller frees), or NULL. */
static char *
tz_get(zhandle_t *zh, const char *path)
{
	char buf[4096];
	int len = sizeof buf - 1;

	if (zoo_get(zh, path, 0, buf, &len, NULL) != ZOK || len < 0)
		return NULL;
	buf[len] = '\0';
	return xstrdup(buf);
}

/* ---- the client wrapper, in this process's loop ------------------------- */

struct tc {
	struct ev_loop	*loop;
	struct zk	*zk;
	int		 connected;	/* ZK_CONNECTED seen (count) */
	int		 expired;
	int		 connected_then;	/* connected when it expired */
	int		 results;
	int		 watches;
	struct zk_event	 last;		/* the last result (strings below) */
	char		*data;
	char		*created;
	char		*watch_path;
	char		*path;		/* of the last result */
	enum zk_watch	 watch;
	size_t		 nchildren;
	char		 kids[8][64];
};

static void
tc_cb(void *arg, const struct zk_event *ev)
{
	struct tc *t = arg;

	switch (ev->type) {
	case ZK_EVENT_SESSION:
		if (ev->state == ZK_CONNECTED)
			t->connected++;
		else if (ev->state == ZK_EXPIRED) {
			t->expired++;
			t->connected_then = t->connected;
		}
		break;
	case ZK_EVENT_WATCH:
		t->watches++;
		t->watch = ev->watch;
		free(t->watch_path);
		t->watch_path = xstrdup(ev->path);
		break;
	case ZK_EVENT_RESULT:
		t->results++;
		t->last = *ev;
		free(t->path);
		t->path = xstrdup(ev->path);
		t->last.path = t->path;
		free(t->data);
		t->data = ev->data != NULL ? xstrdup(ev->data) : NULL;
		free(t->created);
		t->created = ev->created != NULL ? xstrdup(ev->created) : NULL;
		t->nchildren = ev->nchildren;
		for (size_t i = 0; i < ev->nchildren && i < 8; i++)
			snprintf(t->kids[i], sizeof t->kids[i], "%s",
			    ev->children[i]);
		break;
	default:
		break;
	}
}

#define TC_RUN(t, secs, cond) __extension__ ({				\
	ev_tstamp end_ = ev_time() + (secs);				\
	while (!(cond) && ev_time() < end_)				\
		ev_run((t)->loop, EVRUN_ONCE);				\
	(cond);								\
})

/* Keeps a loop from blocking for long while we wait in TC_RUN. */
static void
tc_tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
}

/* One request and its result. */
#define TC_REQ(t, call) do {						\
	int n_ = (t)->results;						\
	call;								\
	ck_assert_msg(TC_RUN(t, 20, (t)->results == n_ + 1),		\
	    "no result for " #call);					\
} while (0)

START_TEST(test_client)
{
	struct tc t;
	struct ev_timer tick;
	zhandle_t *zh = tz_open();
	char *cause = NULL;

	memset(&t, 0, sizeof t);
	t.loop = ev_loop_new(EVFLAG_AUTO);
	ev_timer_init(&tick, tc_tick_cb, 0.05, 0.05);
	ev_timer_start(t.loop, &tick);
	t.zk = zk_create(t.loop, tu_zk_hosts(&zks), 5, tc_cb, &t, &cause);
	ck_assert_msg(t.zk != NULL, "%s", cause);
	ck_assert(TC_RUN(&t, 20, t.connected == 1));
	ck_assert_int_eq(zk_state(t.zk), ZK_CONNECTED);
	ck_assert(zk_session_timeout(t.zk) >= 0.5);

	/* create, get, set, exists, children */
	TC_REQ(&t, zk_create_node(t.zk, "/client", "hello", 5, 0, 0, 1));
	ck_assert_int_eq(t.last.rc, ZK_OK);
	ck_assert_uint_eq(t.last.tag, 1);
	ck_assert_int_eq(t.last.op, ZK_OP_CREATE);
	ck_assert_str_eq(t.created, "/client");
	TC_REQ(&t, zk_create_node(t.zk, "/client", "", 0, 0, 0, 2));
	ck_assert_int_eq(t.last.rc, ZK_NODEEXISTS);
	TC_REQ(&t, zk_get(t.zk, "/client", 0, 3));
	ck_assert_int_eq(t.last.rc, ZK_OK);
	ck_assert_str_eq(t.data, "hello");
	ck_assert_uint_eq(t.last.len, 5);
	ck_assert_int_eq(t.last.version, 0);
	TC_REQ(&t, zk_set(t.zk, "/client", "bye", 3, 0, 4));
	ck_assert_int_eq(t.last.rc, ZK_OK);
	ck_assert_int_eq(t.last.version, 1);
	TC_REQ(&t, zk_set(t.zk, "/client", "x", 1, 0, 5));
	ck_assert_int_ne(t.last.rc, ZK_OK);	/* bad version */
	for (int i = 0; i < 3; i++)
		TC_REQ(&t, zk_create_node(t.zk, "/client/n_", "", 0, 1, 1,
		    10 + i));
	ck_assert_str_eq(t.created, "/client/n_0000000002");
	TC_REQ(&t, zk_get_children(t.zk, "/client", 1, 20));
	ck_assert_int_eq(t.last.rc, ZK_OK);
	ck_assert_uint_eq(t.nchildren, 3);
	TC_REQ(&t, zk_get(t.zk, "/nothing/here", 0, 21));
	ck_assert_int_eq(t.last.rc, ZK_NONODE);
	ck_assert_str_eq(t.last.path, "/nothing/here");

	/* watches: children of /client, then a node's creation */
	ck_assert_int_eq(zoo_create(zh, "/client/other", "", 0,
	    &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0), ZOK);
	ck_assert(TC_RUN(&t, 20, t.watches == 1));
	ck_assert_int_eq(t.watch, ZK_WATCH_CHILD);
	ck_assert_str_eq(t.watch_path, "/client");
	TC_REQ(&t, zk_exists(t.zk, "/client/later", 1, 22));
	ck_assert_int_eq(t.last.rc, ZK_NONODE);
	ck_assert_int_eq(zoo_create(zh, "/client/later", "", 0,
	    &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0), ZOK);
	ck_assert(TC_RUN(&t, 20, t.watches == 2));
	ck_assert_int_eq(t.watch, ZK_WATCH_CREATED);
	ck_assert_str_eq(t.watch_path, "/client/later");
	TC_REQ(&t, zk_delete(t.zk, "/client/later", -1, 23));
	ck_assert_int_eq(t.last.rc, ZK_OK);
	TC_REQ(&t, zk_delete(t.zk, "/client", -1, 24));
	ck_assert_int_eq(t.last.rc, ZK_NOTEMPTY);

	/* closing the session removes its ephemeral nodes at once */
	ck_assert_int_eq(tz_count(zh, "/client", "n_"), 3);
	zk_free(t.zk);
	ck_assert_int_eq(tz_count(zh, "/client", "n_"), 0);
	ck_assert_int_eq(tz_count(zh, "/client", "other"), 1);

	free(t.data);
	free(t.created);
	free(t.watch_path);
	free(t.path);
	ev_timer_stop(t.loop, &tick);
	ev_loop_destroy(t.loop);
	zookeeper_close(zh);
}
END_TEST

/*
 * A session ended elsewhere (another handle with its credentials closes
 * it, the way ZooKeeper's own tests expire one) is expired for the
 * wrapper, which starts a new session by itself.
 */
START_TEST(test_client_expiry)
{
	struct tc t;
	struct ev_timer tick;
	char *cause = NULL;
	clientid_t cid;
	zhandle_t *zh;
	int64_t id;

	memset(&t, 0, sizeof t);
	t.loop = ev_loop_new(EVFLAG_AUTO);
	ev_timer_init(&tick, tc_tick_cb, 0.05, 0.05);
	ev_timer_start(t.loop, &tick);
	t.zk = zk_create(t.loop, tu_zk_hosts(&zks), 2, tc_cb, &t, &cause);
	ck_assert_msg(t.zk != NULL, "%s", cause);
	ck_assert(TC_RUN(&t, 20, t.connected == 1));
	TC_REQ(&t, zk_create_node(t.zk, "/e", "", 0, 1, 0, 1));
	ck_assert_int_eq(t.last.rc, ZK_OK);

	/* Another handle takes the session over and closes it. */
	memset(&cid, 0, sizeof cid);
	ck_assert_int_eq(zk_session_credentials(t.zk, &id, cid.passwd), 0);
	cid.client_id = id;
	atomic_store(&tz_connected, 0);
	zh = zookeeper_init(tu_zk_hosts(&zks), tz_watcher, 2000, &cid, NULL,
	    0);
	ck_assert_ptr_nonnull(zh);
	ck_assert(TU_WAIT(WAIT_MS, atomic_load(&tz_connected)));
	zookeeper_close(zh);
	/* (the takeover may bounce our connection first: then we are back
	 * in the old session for a moment, until it is closed) */
	ck_assert(TC_RUN(&t, 40, t.expired == 1 &&
	    t.connected > t.connected_then));
	ck_assert_int_eq(zk_state(t.zk), ZK_CONNECTED);
	TC_REQ(&t, zk_get(t.zk, "/e", 0, 3));
	ck_assert_int_eq(t.last.rc, ZK_NONODE);

	ck_assert_int_eq(zk_session_credentials(t.zk, &id, cid.passwd), 0);
	ck_assert(id != cid.client_id);

	zk_free(t.zk);
	free(t.data);
	free(t.created);
	free(t.watch_path);
	free(t.path);
	ev_timer_stop(t.loop, &tick);
	ev_loop_destroy(t.loop);
}
END_TEST

/* ---- ark-sim and arkd ---------------------------------------------------- */

struct proc {
	pid_t	 pid;
	int	 port;		/* arkd: admin; ark-sim: control */
	char	*log;
	char	*cfg;
	char	*portfile;
	char	*state;
};

static char *dir;
static struct proc sim;
static int sim_masters[3];

static void
proc_clear(struct proc *p)
{
	free(p->log);
	free(p->cfg);
	free(p->portfile);
	free(p->state);
	memset(p, 0, sizeof *p);
}

static void
dump(const struct proc *p, const char *what)
{
	if (p->log != NULL) {
		fprintf(stderr, "---- %s (%s)\n", what, p->log);
		tu_dump_log(p->log, 60);
	}
}

/* Starts ark-sim with 3 masters registered under zk path. */
static void
sim_start(const char *path)
{
	char *url = xasprintf("zk://%s%s", tu_zk_hosts(&zks), path);
	char bin[512], *ports;
	const char *argv[] = {
		bin, "--port", "0", "--masters", "3", "--control-port", "0",
		"--agents", "3", "--heartbeat-interval", "1",
		"--allocation-interval", "0.2", "--log-level", "info",
		"--zk", url, "--port-file", NULL, NULL
	};

	snprintf(bin, sizeof bin, "%s", tu_bin("ark-sim"));
	sim.log = xasprintf("%s/sim.log", dir);
	sim.portfile = xasprintf("%s/sim.ports", dir);
	argv[sizeof argv / sizeof argv[0] - 2] = sim.portfile;
	sim.pid = tu_spawn((char *const *)argv, sim.log);
	ck_assert_int_gt(sim.pid, 0);
	ck_assert_msg(tu_wait_port_file(sim.portfile, WAIT_MS) > 0,
	    "ark-sim did not start");
	ports = tu_slurp(sim.portfile);
	ck_assert_ptr_nonnull(ports);
	ck_assert_int_eq(sscanf(strstr(ports, "masters"), "masters %d %d %d",
	    &sim_masters[0], &sim_masters[1], &sim_masters[2]), 3);
	free(ports);
	sim.port = tu_sim_control_port(sim.portfile);
	ck_assert_int_gt(sim.port, 0);
	free(url);
}

static json_t *
sim_get(const char *what)
{
	char *url = xasprintf("http://127.0.0.1:%d/%s", sim.port, what);
	json_t *j = tu_get_json(url);

	free(url);
	return j;
}

static int
sim_post(const char *what, const char *body)
{
	char *url = xasprintf("http://127.0.0.1:%d/control/%s", sim.port,
	    what);
	int st = tu_http("POST", url, "application/json", body, NULL);

	free(url);
	return st;
}

static long long
jint(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* A counter of ark-sim. */
static long long
sim_counter(const char *name)
{
	json_t *c = sim_get("counters");
	long long v = c != NULL ? jint(c, name) : -1;

	json_decref(c);
	return v;
}

/* ark-sim's frameworks named FW_NAME that are connected. */
static int
sim_connected(void)
{
	json_t *st = sim_get("state"), *fw;
	size_t i;
	int n = 0;

	if (st == NULL)
		return -1;
	json_array_foreach(json_object_get(st, "frameworks"), i, fw)
		if (strcmp(jstr(fw, "name"), FW_NAME) == 0 &&
		    json_is_true(json_object_get(fw, "connected")))
			n++;
	json_decref(st);
	return n;
}

/* The running tasks of our framework, as "id,id,..." (caller frees). */
static char *
sim_tasks(const char **fwid_out)
{
	static char fwid[128];
	json_t *st = sim_get("state"), *fw, *t;
	size_t i, j;
	char *out = xstrdup("");

	fwid[0] = '\0';
	if (st == NULL)
		return out;
	json_array_foreach(json_object_get(st, "frameworks"), i, fw) {
		if (strcmp(jstr(fw, "name"), FW_NAME) != 0)
			continue;
		snprintf(fwid, sizeof fwid, "%s", jstr(fw, "id"));
		json_array_foreach(json_object_get(fw, "tasks"), j, t) {
			char *n;

			if (strcmp(jstr(t, "state"), "TASK_RUNNING") != 0)
				continue;
			n = xasprintf("%s%s%s", out, *out != '\0' ? "," : "",
			    jstr(t, "id"));
			free(out);
			out = n;
		}
	}
	json_decref(st);
	if (fwid_out != NULL)
		*fwid_out = fwid;
	return out;
}

/* How many ids a "a,b,c" list holds. */
static int
nids(const char *s)
{
	int n = *s != '\0';

	for (; *s != '\0'; s++)
		n += *s == ',';
	return n;
}

/* How many tasks of our framework run. */
static int
sim_ntasks(void)
{
	char *t = sim_tasks(NULL);
	int n = nids(t);

	free(t);
	return n;
}

/* Whether the running tasks are exactly want. */
static int
sim_tasks_are(const char *want)
{
	char *t = sim_tasks(NULL);
	int ok = strcmp(t, want) == 0;

	free(t);
	return ok;
}

/*
 * Writes an arkd configuration: masters (one URL), ha (a zk:// URL or
 * NULL), the instance id, and a service job of 3 instances.
 */
static void
arkd_config(struct proc *a, const char *name, const char *masters,
    const char *ha)
{
	char *ha_sec = ha != NULL ? xasprintf(",\n\"ha\": {\"zk\": \"%s\", "
	    "\"instance_id\": \"%s\", \"session_timeout_s\": 2}", ha, name) :
	    xstrdup("");
	char *s;

	a->cfg = xasprintf("%s/%s.json", dir, name);
	a->log = xasprintf("%s/%s.log", dir, name);
	a->portfile = xasprintf("%s/%s.port", dir, name);
	a->state = xasprintf("%s/%s.state", dir, name);
	s = xasprintf("{\n"
	    "\"master\": {\"masters\": [\"%s\"], \"backoff_max_s\": 1},\n"
	    "\"framework\": {\"name\": \"" FW_NAME "\", \"user\": \"nobody\"},\n"
	    "\"scheduling\": {\"refuse_seconds\": 1, \"revive_debounce_s\": 0.2,"
	    " \"agents_refresh_s\": 1},\n"
	    "\"reconciliation\": {\"initial_s\": 0.5, \"max_s\": 2},\n"
	    "\"admin\": {\"listen\": \"127.0.0.1:0\"},\n"
	    "\"state_dir\": \"%s\"%s,\n"
	    "\"jobs\": [{\"id\": \"web\", \"kind\": \"service\", \"instances\": 3,"
	    " \"command\": \"sleep 1000\", \"resources\": {\"cpus\": 0.1,"
	    " \"mem\": 16}}]}\n", masters, a->state, ha_sec);
	ck_assert_int_eq(tu_write_file(a->cfg, s, 0644), 0);
	free(s);
	free(ha_sec);
}

static void
arkd_start(struct proc *a)
{
	char bin[512];
	const char *argv[] = {
		bin, "-c", a->cfg, "--admin-port-file", a->portfile,
		"--log-format", "plain", NULL
	};

	snprintf(bin, sizeof bin, "%s", tu_bin("arkd"));
	unlink(a->portfile);
	a->pid = tu_spawn((char *const *)argv, a->log);
	ck_assert_int_gt(a->pid, 0);
	a->port = tu_wait_port_file(a->portfile, WAIT_MS);
	if (a->port <= 0)
		dump(a, "arkd");
	ck_assert_msg(a->port > 0, "arkd did not open its admin API");
}

/* GET an arkd admin endpoint as JSON; *status gets the HTTP status. */
static json_t *
arkd_get(const struct proc *a, const char *path, int *status)
{
	char *url = xasprintf("http://127.0.0.1:%d%s", a->port, path);
	char *body = NULL;
	json_t *j;
	int st = tu_http("GET", url, NULL, NULL, &body);

	free(url);
	if (status != NULL)
		*status = st;
	j = body != NULL ? json_loads(body, 0, NULL) : NULL;
	free(body);
	return j;
}

/* The value of an unlabelled series of arkd's /metrics; -1 if absent. */
static double
arkd_metric(const struct proc *a, const char *name)
{
	char *url = xasprintf("http://127.0.0.1:%d/metrics", a->port);
	char *body = NULL;
	size_t n = strlen(name);
	double v = -1;

	if (tu_http("GET", url, NULL, NULL, &body) == 200 && body != NULL)
		for (const char *p = body; (p = strstr(p, name)) != NULL;
		    p += n)
			if ((p == body || p[-1] == '\n') && p[n] == ' ') {
				v = strtod(p + n + 1, NULL);
				break;
			}
	free(url);
	free(body);
	return v;
}

/* arkd's session state ("subscribed", "follower", ...), copied. */
static char *
arkd_session(const struct proc *a, char *leader, size_t len)
{
	json_t *j = arkd_get(a, "/v1/state", NULL);
	char *s;

	if (j == NULL)
		return xstrdup("?");
	s = xstrdup(jstr(json_object_get(j, "session"), "state"));
	if (leader != NULL)
		snprintf(leader, len, "%s", jstr(j, "leader"));
	json_decref(j);
	return s;
}

static int
arkd_is(const struct proc *a, const char *state)
{
	char *s = arkd_session(a, NULL, 0);
	int ok = strcmp(s, state) == 0;

	free(s);
	return ok;
}

/* Set while a test holds the ZooKeeper server stopped (SIGSTOP). */
static int zk_paused;

static void
setup(void)
{
	dir = tu_tmpdir("it-zk");
	memset(&sim, 0, sizeof sim);
}

static void
teardown(void)
{
	if (zk_paused)
		kill(zks.pid, SIGCONT);
	zk_paused = 0;
	tu_kill_all();
	proc_clear(&sim);
	tu_rmtree(dir);
	free(dir);
	dir = NULL;
}

/* Whether arkd's leader is master i of ark-sim. */
static int
arkd_leader_is(const struct proc *a, int i)
{
	char leader[128], want[64], *s = arkd_session(a, leader,
	    sizeof leader);
	int ok;

	snprintf(want, sizeof want, "127.0.0.1:%d", sim_masters[i]);
	ok = strcmp(s, "subscribed") == 0 && strcmp(leader, want) == 0;
	free(s);
	return ok;
}

START_TEST(test_detect_and_failover)
{
	struct proc a;
	char *url = xasprintf("zk://%s/mesos/detect", tu_zk_hosts(&zks));
	char *before;
	long long launched, subscribes;
	json_t *c;

	memset(&a, 0, sizeof a);
	sim_start("/mesos/detect");
	arkd_config(&a, "a", url, NULL);
	arkd_start(&a);
	if (!TU_WAIT(WAIT_MS, arkd_leader_is(&a, 0) && sim_ntasks() == 3)) {
		dump(&sim, "ark-sim");
		dump(&a, "arkd");
		ck_abort_msg("arkd did not subscribe to master 0 through "
		    "ZooKeeper and run 3 tasks");
	}
	/* arkd knows no master URL: ZooKeeper named the leader, no
	 * redirect was needed to find it. */
	c = sim_get("counters");
	ck_assert_int_eq(jint(json_object_get(c, "responses"), "307"), 0);
	json_decref(c);
	before = sim_tasks(NULL);
	launched = sim_counter("tasks_launched");
	subscribes = sim_counter("subscribes");
	ck_assert_int_eq(launched, 3);

	/* Leadership moves to master 1 (in ZooKeeper too). */
	ck_assert_int_eq(sim_post("failover", "{\"to\": 1}"), 200);
	if (!TU_WAIT(WAIT_MS, arkd_leader_is(&a, 1) &&
	    sim_counter("subscribes") > subscribes)) {
		dump(&sim, "ark-sim");
		dump(&a, "arkd");
		ck_abort_msg("arkd did not follow the failover to master 1");
	}
	/* ...and on to master 2, whose node was behind master 1's. */
	subscribes = sim_counter("subscribes");
	ck_assert_int_eq(sim_post("failover", "{\"to\": 2}"), 200);
	ck_assert_msg(TU_WAIT(WAIT_MS, arkd_leader_is(&a, 2) &&
	    sim_counter("subscribes") > subscribes),
	    "arkd did not follow the failover to master 2");
	ck_assert_int_eq(sim_connected(), 1);
	/* The tasks ran on, nothing was launched again. */
	ck_assert(TU_WAIT(WAIT_MS, sim_tasks_are(before)));
	ck_assert_int_eq(sim_counter("tasks_launched"), launched);
	free(before);
	free(url);
	proc_clear(&a);
}
END_TEST

/* A leader node whose data is not a MasterInfo: arkd waits, unharmed. */
START_TEST(test_detect_bad_leader_data)
{
	struct proc a;
	zhandle_t *zh = tz_open();
	char *url = xasprintf("zk://%s/mesos/bad", tu_zk_hosts(&zks));
	char created[256];
	json_t *j;
	int st = 0;

	memset(&a, 0, sizeof a);
	tz_mkdirs(zh, "/mesos/bad");
	ck_assert_int_eq(zoo_create(zh, "/mesos/bad/json.info_", "{\"id\":",
	    6, &ZOO_OPEN_ACL_UNSAFE, ZOO_SEQUENCE, created, sizeof created),
	    ZOK);
	/* a deprecated binary node and the replicated log: ignored */
	ck_assert_int_eq(zoo_create(zh, "/mesos/bad/info_", "\x0a\x01", 2,
	    &ZOO_OPEN_ACL_UNSAFE, ZOO_SEQUENCE, NULL, 0), ZOK);
	ck_assert_int_eq(zoo_create(zh, "/mesos/bad/log_replicas", "", 0,
	    &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0), ZOK);
	sim_start("/mesos/bad");
	ck_assert(TU_WAIT(WAIT_MS, tz_count(zh, "/mesos/bad", "json.info_") ==
	    4));
	arkd_config(&a, "a", url, NULL);
	arkd_start(&a);
	tu_sleep_ms(2000);
	ck_assert(tu_alive(a.pid));
	ck_assert_int_eq(sim_connected(), 0);
	j = arkd_get(&a, "/readyz", &st);
	ck_assert_int_eq(st, 503);
	json_decref(j);
	/* The bad leader goes: the next node (master 0) leads. */
	ck_assert_int_eq(zoo_delete(zh, created, -1), ZOK);
	if (!TU_WAIT(WAIT_MS, arkd_leader_is(&a, 0))) {
		dump(&a, "arkd");
		ck_abort_msg("arkd did not subscribe once the bad node went");
	}
	ck_assert(TU_WAIT(WAIT_MS, sim_connected() == 1));
	zookeeper_close(zh);
	free(url);
	proc_clear(&a);
}
END_TEST

/* The instance of a and b that is subscribed (NULL if none or both). */
static struct proc *
ha_leader(struct proc *a, struct proc *b)
{
	int sa = arkd_is(a, "subscribed"), sb = arkd_is(b, "subscribed");

	return sa && !sb ? a : sb && !sa ? b : NULL;
}

/* The framework id in path/framework_id, or "" (static storage). */
static const char *
ha_shared_fid(zhandle_t *zh, const char *path)
{
	static char fid[256];
	char *p = xasprintf("%s/framework_id", path), *data = tz_get(zh, p);
	json_t *j = data != NULL ? json_loads(data, 0, NULL) : NULL;

	snprintf(fid, sizeof fid, "%s", jstr(j, "framework_id"));
	json_decref(j);
	free(data);
	free(p);
	return fid;
}

/* An admin request with a JSON body; returns the status. */
static int
arkd_send(const struct proc *a, const char *method, const char *path,
    const char *body)
{
	char *url = xasprintf("http://127.0.0.1:%d%s", a->port, path);
	int st = tu_http(method, url, body != NULL ? "application/json" :
	    NULL, body, NULL);

	free(url);
	return st;
}

/* The reason arkd has agent blacklisted for, or NULL (static storage). */
static const char *
arkd_blacklisted(const struct proc *a, const char *agent)
{
	static char reason[128];
	json_t *j = arkd_get(a, "/v1/blacklist", NULL), *e;
	const char *r = NULL;
	size_t i;

	json_array_foreach(json_object_get(j, "blacklist"), i, e)
		if (strcmp(jstr(e, "agent"), agent) == 0) {
			snprintf(reason, sizeof reason, "%s", jstr(e, "reason"));
			r = reason;
		}
	json_decref(j);
	return r;
}

/* Whether path/runtime holds the text needle. */
static int
ha_runtime_has(zhandle_t *zh, const char *path, const char *needle)
{
	char *p = xasprintf("%s/runtime", path), *data = tz_get(zh, p);
	int ok = data != NULL && strstr(data, needle) != NULL;

	free(data);
	free(p);
	return ok;
}

/* Whether arkd's task list holds exactly want, all running. */
static int
arkd_tasks_are(const struct proc *a, const char *want)
{
	json_t *j = arkd_get(a, "/v1/tasks", NULL), *t;
	char *ids = xstrdup(""), *n;
	size_t i;
	int ok;

	json_array_foreach(json_object_get(j, "tasks"), i, t) {
		if (strcmp(jstr(t, "state"), "TASK_RUNNING") != 0)
			continue;
		n = xasprintf("%s%s%s", ids, *ids != '\0' ? "," : "",
		    jstr(t, "id"));
		free(ids);
		ids = n;
	}
	json_decref(j);
	/* the same set: the same count, and every wanted id in the list */
	ok = nids(ids) == nids(want);
	for (const char *w = want; ok && *w != '\0';) {
		const char *e = strchr(w, ',');
		char *id = e != NULL ? xstrndup(w, (size_t)(e - w)) :
		    xstrdup(w);

		ok = strstr(ids, id) != NULL;
		free(id);
		w = e != NULL ? e + 1 : w + strlen(w);
	}
	free(ids);
	return ok;
}

START_TEST(test_ha_takeover)
{
	struct proc a, b, *lead, *follow;
	zhandle_t *zh = tz_open();
	char *masters = xasprintf("zk://%s/mesos/ha", tu_zk_hosts(&zks));
	char *ha = xasprintf("zk://%s/ark/" FW_NAME, tu_zk_hosts(&zks));
	char *before, fwid[128], *url;
	const char *f;
	long long launched, t0;
	json_t *j;
	int st;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	sim_start("/mesos/ha");
	arkd_config(&a, "a", masters, ha);
	arkd_config(&b, "b", masters, ha);
	arkd_start(&a);
	arkd_start(&b);
	if (!TU_WAIT(WAIT_MS, (lead = ha_leader(&a, &b)) != NULL &&
	    sim_ntasks() == 3)) {
		dump(&a, "arkd a");
		dump(&b, "arkd b");
		ck_abort_msg("no single leader running 3 tasks");
	}
	follow = lead == &a ? &b : &a;
	ck_assert_msg(TU_WAIT(WAIT_MS, arkd_is(follow, "follower")),
	    "the other instance is not a follower");
	/* exactly one instance is connected, and stays so */
	tu_sleep_ms(1000);
	ck_assert_int_eq(sim_connected(), 1);
	ck_assert(arkd_is(follow, "follower"));
	ck_assert_int_eq(tz_count(zh, "/ark/" FW_NAME, "member_"), 2);
	/* the follower is not ready and refuses changes */
	j = arkd_get(follow, "/readyz", &st);
	ck_assert_int_eq(st, 503);
	ck_assert_str_eq(jstr(j, "reason"), "follower");
	json_decref(j);
	ck_assert(arkd_metric(follow, "ark_leader") == 0);
	ck_assert(arkd_metric(lead, "ark_leader") == 1);
	url = xasprintf("http://127.0.0.1:%d/v1/blacklist/agent-1.sim",
	    follow->port);
	ck_assert_int_eq(tu_http("PUT", url, "application/json",
	    "{\"reason\": \"x\"}", NULL), 503);
	free(url);
	j = arkd_get(lead, "/readyz", &st);
	json_decref(j);
	ck_assert(TU_WAIT(WAIT_MS, (j = arkd_get(lead, "/readyz", &st),
	    json_decref(j), st == 200)));

	/* The FrameworkID is shared through ZooKeeper. */
	before = sim_tasks(&f);
	snprintf(fwid, sizeof fwid, "%s", f);
	ck_assert_int_gt(strlen(fwid), 0);
	ck_assert(TU_WAIT(WAIT_MS, strcmp(ha_shared_fid(zh, "/ark/" FW_NAME),
	    fwid) == 0));
	launched = sim_counter("tasks_launched");
	ck_assert_int_eq(launched, 3);

	/* The operator's changes are mirrored into ZooKeeper. */
	ck_assert_int_eq(arkd_send(lead, "PUT", "/v1/blacklist/agent-9.sim",
	    "{\"reason\": \"disk\"}"), 200);
	ck_assert_int_eq(arkd_send(lead, "PATCH", "/v1/jobs/web",
	    "{\"instances\": 3}"), 200);
	ck_assert(TU_WAIT(WAIT_MS, ha_runtime_has(zh, "/ark/" FW_NAME,
	    "\"agent\":\"agent-9.sim\"") && ha_runtime_has(zh, "/ark/" FW_NAME,
	    "\"instances\":3")));

	/* kill -9 of the leader: the follower takes over in bounded time,
	 * as the same framework, and adopts the tasks. */
	t0 = tu_now_ms();
	ck_assert_int_ne(tu_stop(lead->pid, SIGKILL, 5000), -1);
	if (!TU_WAIT(WAIT_MS, arkd_is(follow, "subscribed"))) {
		dump(follow, "follower");
		ck_abort_msg("the follower did not take over");
	}
	fprintf(stderr, "check_zk: takeover after %lld ms (session timeout "
	    "2 s)\n", tu_now_ms() - t0);
	ck_assert_int_lt(tu_now_ms() - t0, 20000);
	if (!TU_WAIT(WAIT_MS, arkd_tasks_are(follow, before) &&
	    arkd_is(follow, "subscribed"))) {
		dump(follow, "new leader");
		ck_abort_msg("the new leader did not adopt the 3 tasks");
	}
	j = arkd_get(follow, "/v1/state", NULL);
	ck_assert_str_eq(jstr(j, "framework_id"), fwid);
	json_decref(j);
	ck_assert(arkd_metric(follow, "ark_leader") == 1);
	ck_assert_int_eq(sim_connected(), 1);
	ck_assert(sim_tasks_are(before));
	/* the new leader took the operator's changes over... */
	ck_assert(TU_WAIT(WAIT_MS, arkd_blacklisted(follow, "agent-9.sim") !=
	    NULL));
	ck_assert_str_eq(arkd_blacklisted(follow, "agent-9.sim"), "disk");
	/* ...and its own changes are mirrored in turn */
	ck_assert_int_eq(arkd_send(follow, "DELETE", "/v1/blacklist/agent-9.sim",
	    NULL), 200);
	ck_assert(TU_WAIT(WAIT_MS, !ha_runtime_has(zh, "/ark/" FW_NAME,
	    "agent-9.sim")));
	/* wait out a reconciliation and an allocation round or two: still
	 * nothing launched again */
	ck_assert(TU_WAIT(WAIT_MS, (j = arkd_get(follow, "/readyz", &st),
	    json_decref(j), st == 200)));
	tu_sleep_ms(1500);
	ck_assert_int_eq(sim_counter("tasks_launched"), launched);
	ck_assert(sim_tasks_are(before));
	{
		const char *f2;
		char *now = sim_tasks(&f2);

		ck_assert_str_eq(f2, fwid);
		free(now);
	}

	/* The old leader comes back: it follows. */
	arkd_start(lead);
	if (!TU_WAIT(WAIT_MS, arkd_is(lead, "follower"))) {
		dump(lead, "old leader");
		ck_abort_msg("the restarted old leader does not follow");
	}
	tu_sleep_ms(1000);
	ck_assert(arkd_is(follow, "subscribed"));
	ck_assert(arkd_is(lead, "follower"));
	ck_assert_int_eq(sim_connected(), 1);
	ck_assert_int_eq(sim_counter("tasks_launched"), launched);
	ck_assert_int_eq(tz_count(zh, "/ark/" FW_NAME, "member_"), 2);

	/* The leader's election node goes (an operator deletes it): the
	 * leader stops acting at once and follows; the other one leads. */
	{
		struct String_vector sv;
		char *node;
		long lo;

		ck_assert_int_eq(zoo_get_children(zh, "/ark/" FW_NAME, 0, &sv),
		    ZOK);
		lo = zk_lowest(sv.data, (size_t)sv.count, "member_");
		ck_assert_int_ge(lo, 0);
		node = xasprintf("/ark/" FW_NAME "/%s", sv.data[lo]);
		deallocate_String_vector(&sv);
		ck_assert_int_eq(zoo_delete(zh, node, -1), ZOK);
		free(node);
	}
	if (!TU_WAIT(WAIT_MS, arkd_is(lead, "subscribed") &&
	    arkd_is(follow, "follower"))) {
		dump(lead, "old leader");
		dump(follow, "deposed leader");
		ck_abort_msg("leadership did not move with the deleted node");
	}
	ck_assert(TU_WAIT(WAIT_MS, sim_connected() == 1 &&
	    arkd_tasks_are(lead, before)));
	/* its own store still had agent-9.sim; the mirror has not */
	ck_assert(TU_WAIT(WAIT_MS, arkd_blacklisted(lead, "agent-9.sim") ==
	    NULL));
	j = arkd_get(lead, "/v1/state", NULL);
	ck_assert_str_eq(jstr(j, "framework_id"), fwid);
	json_decref(j);
	ck_assert_int_eq(sim_counter("tasks_launched"), launched);
	ck_assert(sim_tasks_are(before));
	ck_assert(TU_WAIT(WAIT_MS, tz_count(zh, "/ark/" FW_NAME, "member_") ==
	    2));

	free(before);
	free(masters);
	free(ha);
	zookeeper_close(zh);
	proc_clear(&a);
	proc_clear(&b);
}
END_TEST

/*
 * A test double of systemd's $NOTIFY_SOCKET at path: the bound socket, or
 * -1. The next arkd started gets it in its environment.
 */
static int
notify_open(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	ck_assert_int_lt(strlen(path), sizeof sun.sun_path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	return fd;
}

/* Waits up to ms for a datagram holding want; 1 if one came. */
static int
notify_wait(int fd, const char *want, int ms)
{
	long long end = tu_now_ms() + ms;
	char b[1024];

	while (tu_now_ms() < end) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recv(fd, b, sizeof b - 1, 0);
		if (n <= 0)
			continue;
		b[n] = '\0';
		if (strstr(b, want) != NULL)
			return 1;
	}
	return 0;
}

/*
 * ZooKeeper stops answering: the leader cannot know whether it still
 * leads, so it stops acting at once (no framework connected in ark-sim);
 * when ZooKeeper is back, one instance leads again, as the same framework
 * and without launching anything. Then ERROR "Framework failed over" while
 * that leader holds the lock: it resubscribes and keeps leading.
 */
START_TEST(test_ha_zookeeper_lost)
{
	struct proc a, b, *lead;
	char *masters = xasprintf("zk://%s/mesos/hl", tu_zk_hosts(&zks));
	char *ha = xasprintf("zk://%s/ark/lost", tu_zk_hosts(&zks));
	char *before, fwid[128], *np;
	const char *f;
	long long launched;
	zhandle_t *zh;
	int nfd;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	sim_start("/mesos/hl");
	arkd_config(&a, "a", masters, ha);
	arkd_config(&b, "b", masters, ha);
	arkd_start(&a);
	ck_assert_msg(TU_WAIT(WAIT_MS, arkd_is(&a, "subscribed")),
	    "the only instance did not lead");
	/* Under systemd (Type=notify) a follower is ready once it follows:
	 * it never sees the SUBSCRIBED a leader's readiness waits for. */
	np = xasprintf("%s/notify", dir);
	nfd = notify_open(np);
	arkd_start(&b);
	unsetenv("NOTIFY_SOCKET");
	ck_assert_msg(notify_wait(nfd, "READY=1", WAIT_MS) &&
	    arkd_is(&b, "follower"), "the follower did not report READY=1");
	close(nfd);
	free(np);
	ck_assert_msg(TU_WAIT(WAIT_MS, ha_leader(&a, &b) == &a &&
	    sim_ntasks() == 3), "no single leader running 3 tasks");
	before = sim_tasks(&f);
	snprintf(fwid, sizeof fwid, "%s", f);
	launched = sim_counter("tasks_launched");

	kill(zks.pid, SIGSTOP);
	zk_paused = 1;
	if (!TU_WAIT(WAIT_MS, sim_connected() == 0 && !arkd_is(&a,
	    "subscribed") && !arkd_is(&b, "subscribed"))) {
		kill(zks.pid, SIGCONT);
		dump(&a, "arkd a");
		dump(&b, "arkd b");
		ck_abort_msg("the leader kept acting without ZooKeeper");
	}
	tu_sleep_ms(1000);
	ck_assert_int_eq(sim_connected(), 0);
	kill(zks.pid, SIGCONT);
	zk_paused = 0;
	if (!TU_WAIT(WAIT_MS, (lead = ha_leader(&a, &b)) != NULL &&
	    sim_connected() == 1 && arkd_tasks_are(lead, before))) {
		dump(&a, "arkd a");
		dump(&b, "arkd b");
		ck_abort_msg("no leader again after ZooKeeper came back");
	}
	ck_assert(arkd_is(lead == &a ? &b : &a, "follower"));
	ck_assert_int_eq(sim_counter("tasks_launched"), launched);
	ck_assert(sim_tasks_are(before));
	{
		const char *f2;
		char *now = sim_tasks(&f2);

		ck_assert_str_eq(f2, fwid);
		free(now);
	}

	/* Mesos says the framework failed over to another subscription, but
	 * no other instance leads: the leader still holds the ZooKeeper lock,
	 * so the other subscription was a late SUBSCRIBE of its own. It
	 * resubscribes and keeps leading; the follower stays a follower and
	 * nothing is launched again. */
	{
		struct proc *other = lead == &a ? &b : &a;
		char *body = xasprintf("{\"framework_id\": \"%s\", "
		    "\"message\": \"Framework failed over\"}", fwid);
		long long subs = sim_counter("subscribes");

		ck_assert_int_eq(sim_post("error", body), 200);
		free(body);
		if (!TU_WAIT(WAIT_MS, sim_counter("subscribes") > subs &&
		    arkd_is(lead, "subscribed") && sim_connected() == 1 &&
		    arkd_tasks_are(lead, before))) {
			dump(lead, "leader");
			dump(other, "other");
			ck_abort_msg("the leader did not resubscribe after "
			    "'Framework failed over' while holding the lock");
		}
		tu_sleep_ms(1000);
		ck_assert(arkd_is(lead, "subscribed"));
		ck_assert(arkd_is(other, "follower"));
		ck_assert_int_eq(sim_counter("tasks_launched"), launched);
		zh = tz_open();
		ck_assert_int_eq(tz_count(zh, "/ark/lost", "member_"), 2);
		zookeeper_close(zh);
	}
	free(before);
	free(masters);
	free(ha);
	proc_clear(&a);
	proc_clear(&b);
}
END_TEST

/*
 * A store of another framework, and an unusable framework_id node, stop
 * an elected instance (exit 1) before it acts.
 */
START_TEST(test_ha_framework_id_conflicts)
{
	struct proc a;
	zhandle_t *zh = tz_open();
	char *masters = xasprintf("zk://%s/mesos/hc", tu_zk_hosts(&zks));
	char *ha = xasprintf("zk://%s/ark/conflict", tu_zk_hosts(&zks));
	const char *fid;
	int st;

	memset(&a, 0, sizeof a);
	sim_start("/mesos/hc");
	arkd_config(&a, "a", masters, ha);
	arkd_start(&a);
	ck_assert_msg(TU_WAIT(WAIT_MS, arkd_is(&a, "subscribed") &&
	    *ha_shared_fid(zh, "/ark/conflict") != '\0'),
	    "arkd did not lead and record its FrameworkID");
	fid = ha_shared_fid(zh, "/ark/conflict");
	st = tu_stop(a.pid, SIGTERM, 20000);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "SIGTERM did not stop the leader with exit 0");
	ck_assert_int_eq(tz_count(zh, "/ark/conflict", "member_"), 0);

	/* ZooKeeper says another framework: arkd refuses to lead. */
	ck_assert_int_eq(zoo_set(zh, "/ark/conflict/framework_id",
	    "{\"framework_id\": \"other-0000\"}", 30, -1), ZOK);
	arkd_start(&a);
	st = tu_stop(a.pid, 0, WAIT_MS);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 1,
	    "arkd with another framework's store did not exit 1");
	ck_assert_int_eq(sim_connected(), 0);

	/* An unusable node: the same. */
	ck_assert_int_eq(zoo_set(zh, "/ark/conflict/framework_id", "{]", 2,
	    -1), ZOK);
	arkd_start(&a);
	st = tu_stop(a.pid, 0, WAIT_MS);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 1,
	    "arkd with a malformed framework_id node did not exit 1");
	ck_assert_int_eq(sim_connected(), 0);
	(void)fid;
	free(masters);
	free(ha);
	zookeeper_close(zh);
	proc_clear(&a);
}
END_TEST

static Suite *
zk_suite(void)
{
	Suite *s = suite_create("it_zk");
	TCase *tc;

	tc = tcase_create("client");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_client);
	tcase_add_test(tc, test_client_expiry);
	suite_add_tcase(s, tc);

	tc = tcase_create("detect");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_detect_and_failover);
	tcase_add_test(tc, test_detect_bad_leader_data);
	suite_add_tcase(s, tc);

	tc = tcase_create("ha");
	tcase_set_timeout(tc, 150);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ha_takeover);
	tcase_add_test(tc, test_ha_zookeeper_lost);
	tcase_add_test(tc, test_ha_framework_id_conflicts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	log_init("check_zk", LOG_LEVEL_WARN, LOG_FORMAT_PLAIN);
	zk_dir = tu_tmpdir("zk");
	if (tu_zk_start(&zks, zk_dir, 90000) != 0) {
		fprintf(stderr, "check_zk: cannot start a ZooKeeper server\n");
		return 1;
	}
	sr = srunner_create(zk_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_zk_stop(&zks);
	tu_kill_all();
	tu_rmtree(zk_dir);
	free(zk_dir);
	return failed == 0 ? 0 : 1;
}
