/*
 * check_failover — "Framework failed over" that is not another scheduler:
 * the real arkd (no ha.zk) against ark-sim.
 *
 * A link that blackholes and comes back delivers, late, a SUBSCRIBE that
 * arkd had already given up; the master carries it out, fails the
 * framework over to that dead connection and sends ERROR "Framework failed
 * over" on the live stream. arkd must resubscribe, not fence itself for
 * good. Two tests:
 *
 *   - the order made on purpose: while arkd is subscribed, the test sends a
 *     SUBSCRIBE with arkd's FrameworkID on a connection of its own, reads
 *     until SUBSCRIBED and closes it (exactly what the master sees of a late
 *     SUBSCRIBE); arkd ends subscribed, its tasks untouched, nothing
 *     relaunched, every update acknowledged once;
 *   - the fault itself: arkd reaches ark-sim through a TCP relay in this
 *     test that stops moving bytes both ways for 12 s and then delivers
 *     everything it held, the FIN of a connection closed meanwhile
 *     included (as TCP retransmission does after a blackhole), the
 *     connections made meanwhile newest first, so that the SUBSCRIBE arkd
 *     gave up arrives last; arkd ends subscribed with the same tasks and
 *     every update acknowledged once.
 *
 * Asserted on ark-sim's /state and /counters and arkd's admin API.
 */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <jansson.h>

#include "../lib/testutil.h"
#include "xmalloc.h"

#define WAIT_MS		60000
#define AGENTS		4

static char *dir;
static int master_port, control_port, admin_port;
static char sim_log[512], arkd_log[512], cfg_path[512], state_dir[512];
static char admin_file[512];

/* ---- processes ---- */

static void
sim_start(void)
{
	char ports[600], nagents[16];
	const char *args[] = { "--port", "0", "--agents", nagents,
	    "--allocation-interval", "0.1", "--heartbeat-interval", "1",
	    "--log-level", "info", NULL };

	snprintf(ports, sizeof ports, "%s/ports", dir);
	snprintf(nagents, sizeof nagents, "%d", AGENTS);
	tu_sim_start(ports, sim_log, args, NULL, &master_port, &control_port);
	ck_assert_msg(master_port > 0, "ark-sim did not start");
	ck_assert(control_port > 0);
}

/* arkd with a daemon job, subscribing to 127.0.0.1:port. */
static void
arkd_start(int port)
{
	FILE *f = fopen(cfg_path, "w");
	char *argv[] = { (char *)tu_bin("arkd"), (char *)"-c", cfg_path,
	    (char *)"--admin-port-file", admin_file, (char *)"--log-format",
	    (char *)"plain", (char *)"--log-level", (char *)"info", NULL };

	ck_assert_ptr_nonnull(f);
	fprintf(f, "{\"master\": {\"masters\": [\"http://127.0.0.1:%d\"],"
	    " \"backoff_initial_s\": 0.2, \"backoff_max_s\": 2,"
	    " \"heartbeat_misses\": 3, \"call_timeout_s\": 5},"
	    " \"framework\": {\"name\": \"ark-failover\", \"user\": \"nobody\","
	    " \"roles\": [\"*\"]},"
	    " \"scheduling\": {\"refuse_seconds\": 1, \"revive_debounce_s\": 0.1,"
	    " \"agents_refresh_s\": 1},"
	    " \"reconciliation\": {\"initial_s\": 0.5, \"factor\": 2,"
	    " \"max_s\": 2},"
	    " \"admin\": {\"listen\": \"127.0.0.1:0\"},"
	    " \"state_dir\": \"%s\", \"jobs\": [{\"id\": \"node\","
	    " \"kind\": \"daemon\", \"command\": \"sleep 1000\","
	    " \"resources\": {\"cpus\": 0.1, \"mem\": 16},"
	    " \"restart\": {\"backoff_s\": 0.1, \"factor\": 2,"
	    " \"max_s\": 0.5}}]}", port, state_dir);
	fclose(f);
	ck_assert_int_gt(tu_spawn(argv, arkd_log), 0);
	admin_port = tu_wait_port_file(admin_file, 20000);
	ck_assert_msg(admin_port > 0, "arkd did not start");
}

static void
dump_logs(void)
{
	tu_dump_log(arkd_log, 60);
	tu_dump_log(sim_log, 30);
}

static void
setup(void)
{
	dir = tu_tmpdir("failover");
	snprintf(cfg_path, sizeof cfg_path, "%s/arkd.json", dir);
	snprintf(sim_log, sizeof sim_log, "%s/sim.log", dir);
	snprintf(arkd_log, sizeof arkd_log, "%s/arkd.log", dir);
	snprintf(state_dir, sizeof state_dir, "%s/state", dir);
	snprintf(admin_file, sizeof admin_file, "%s/admin.port", dir);
	admin_port = -1;
}

static void
teardown(void)
{
	tu_kill_all();
	tu_rmtree(dir);
	free(dir);
}

/* ---- looking at ark-sim and arkd ---- */

/* A counter of ark-sim's /counters; -1 if it does not answer. */
static long
counter(const char *name)
{
	return tu_sim_counter(control_port, name);
}

/* The one framework of ark-sim's /state (borrowed from st), or NULL. */
static json_t *
framework_of(json_t *st)
{
	json_t *fws = json_object_get(st, "frameworks");

	return json_array_size(fws) == 1 ? json_array_get(fws, 0) : NULL;
}

/*
 * ark-sim's running task ids of the one framework, sorted and joined by
 * spaces (caller frees); *connected gets whether it is connected, *fid its
 * id (copied, caller frees; may be NULL).
 */
static char *
sim_running(int *connected, char **fid)
{
	json_t *st = tu_sim_json(control_port, "/state"), *fw, *t;
	char *ids[64], *out;
	size_t n = 0, i, j, len = 1;

	*connected = 0;
	if (fid != NULL)
		*fid = NULL;
	fw = framework_of(st);
	if (fw == NULL) {
		json_decref(st);
		return xstrdup("");
	}
	*connected = strcmp(json_string_value(json_object_get(fw, "state")) ?
	    json_string_value(json_object_get(fw, "state")) : "",
	    "connected") == 0;
	if (fid != NULL)
		*fid = xstrdup(json_string_value(json_object_get(fw, "id")));
	json_array_foreach(json_object_get(fw, "tasks"), i, t) {
		const char *s = json_string_value(json_object_get(t, "state"));

		if (n < 64 && s != NULL && strcmp(s, "TASK_RUNNING") == 0)
			ids[n++] = xstrdup(json_string_value(
			    json_object_get(t, "id")));
	}
	json_decref(st);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
			char *x = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = x;
		}
	for (i = 0; i < n; i++)
		len += strlen(ids[i]) + 1;
	out = xcalloc(1, len);
	for (i = 0, j = 0; i < n; i++) {
		j += (size_t)snprintf(out + j, len - j, "%s%s", i > 0 ? " " :
		    "", ids[i]);
		free(ids[i]);
	}
	return out;
}

/* arkd's session state ("subscribed", ...) from /v1/state, copied. */
static char *
arkd_session(void)
{
	char url[128];
	json_t *j;
	char *s;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/state", admin_port);
	j = tu_get_json(url);
	s = xstrdup(json_string_value(json_object_get(json_object_get(j,
	    "session"), "state")) != NULL ? json_string_value(json_object_get(
	    json_object_get(j, "session"), "state")) : "?");
	json_decref(j);
	return s;
}

static int
arkd_subscribed(void)
{
	char *s = arkd_session();
	int ok = strcmp(s, "subscribed") == 0;

	free(s);
	return ok;
}

/* A sample of arkd's /metrics ("name{labels}"); -1 if not there. */
static long
arkd_metric(const char *series)
{
	char url[128], *text = NULL, *p;
	long v = -1;
	size_t n = strlen(series);

	snprintf(url, sizeof url, "http://127.0.0.1:%d/metrics", admin_port);
	if (tu_http("GET", url, NULL, NULL, &text) != 200) {
		free(text);
		return -1;
	}
	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL)
		if (strncmp(p, series, n) == 0 && p[n] == ' ') {
			v = strtol(p + n + 1, NULL, 10);
			break;
		}
	free(text);
	return v;
}

/* All AGENTS daemon tasks running under a connected framework and arkd
 * subscribed; *ids gets the running ids (caller frees). */
static int
settled(char **ids)
{
	int connected;
	char *r = sim_running(&connected, NULL);
	size_t words = *r != '\0';

	for (const char *p = r; *p != '\0'; p++)
		words += *p == ' ';
	if (connected && words == AGENTS && arkd_subscribed()) {
		*ids = r;
		return 1;
	}
	free(r);
	return 0;
}

/* A TCP connection to ark-sim's master port; the socket. */
static int
connect_master(void)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)master_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	return fd;
}

/*
 * What the master receives of a late SUBSCRIBE: one with arkd's
 * FrameworkID on a connection of its own, which goes away once the master
 * carried it out. Returns 1 if ark-sim answered SUBSCRIBED on it.
 */
static int
late_subscribe(const char *fid)
{
	char *body = xasprintf("{\"type\": \"SUBSCRIBE\", \"framework_id\": "
	    "{\"value\": \"%s\"}, \"subscribe\": {\"framework_info\": "
	    "{\"user\": \"nobody\", \"name\": \"ark-failover\", "
	    "\"checkpoint\": true, \"id\": "
	    "{\"value\": \"%s\"}, \"roles\": [\"*\"], \"failover_timeout\": "
	    "604800, \"capabilities\": [{\"type\": \"MULTI_ROLE\"}]}}}",
	    fid, fid);
	char *req = xasprintf("POST /api/v1/scheduler HTTP/1.1\r\n"
	    "Host: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
	    "Accept: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	    master_port, strlen(body), body);
	char got[8192];
	size_t have = 0;
	long long end = tu_now_ms() + 5000;
	int fd = connect_master(), ok = 0;

	ck_assert_int_eq(send(fd, req, strlen(req), MSG_NOSIGNAL),
	    (ssize_t)strlen(req));
	while (!ok && tu_now_ms() < end && have + 1 < sizeof got) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(fd, got + have, sizeof got - 1 - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		got[have] = '\0';
		ok = strstr(got, "\"SUBSCRIBED\"") != NULL;
	}
	close(fd);
	if (!ok)
		fprintf(stderr, "late SUBSCRIBE answered: %.*s\n", (int)have,
		    got);
	free(req);
	free(body);
	return ok;
}

/* Fails two running tasks through ark-sim (their replacements need ACKs
 * and launches of the live subscription). */
static void
fail_two(const char *ids, const char *fid)
{
	char id[256];
	const char *p = ids;

	for (int k = 0; k < 2; k++) {
		const char *sp = strchr(p, ' ');
		size_t n = sp != NULL ? (size_t)(sp - p) : strlen(p);
		char *b;

		ck_assert(n > 0 && n < sizeof id);
		memcpy(id, p, n);
		id[n] = '\0';
		b = xasprintf("{\"task_id\": \"%s\", \"framework_id\": \"%s\"}",
		    id, fid);
		ck_assert_int_eq(tu_sim_control(control_port, "fail-task", b),
		    200);
		free(b);
		ck_assert_ptr_nonnull(sp);
		p = sp + 1;
	}
}

/* The end of both tests: arkd subscribed again, tasks as before, nothing
 * launched; then two failures replaced and every update acked once. */
static void
expect_recovered(const char *before, long launched, const char *fid,
    const char *what)
{
	char *now = NULL, *after;
	int connected;

	if (!TU_WAIT(WAIT_MS, settled(&now))) {
		dump_logs();
		ck_abort_msg("%s: arkd did not end subscribed with %d tasks",
		    what, AGENTS);
	}
	ck_assert_str_eq(now, before);
	ck_assert_int_eq(counter("tasks_launched"), launched);
	free(now);
	fail_two(before, fid);
	if (!TU_WAIT(WAIT_MS, counter("tasks_launched") == launched + 2 &&
	    settled(&now) && tu_sim_acked_once(control_port, NULL, 0))) {
		dump_logs();
		ck_abort_msg("%s: failed tasks not replaced, or updates not "
		    "acknowledged exactly once, after 'failed over'", what);
	}
	after = sim_running(&connected, NULL);
	ck_assert(connected);
	ck_assert_str_ne(after, before);
	free(after);
	free(now);
}

/* ---- the tests ---- */

START_TEST(test_late_subscribe_does_not_fence)
{
	char *before = NULL, *fid = NULL, *ids;
	long launched, subscribes;
	int connected;

	sim_start();
	arkd_start(master_port);
	ck_assert_msg(TU_WAIT(WAIT_MS, settled(&before)),
	    "arkd did not run its daemon tasks");
	free(sim_running(&connected, &fid));
	ck_assert_ptr_nonnull(fid);
	launched = counter("tasks_launched");

	/* Three times: each is a "failed over" arkd must shrug off. */
	for (int k = 0; k < 3; k++) {
		subscribes = counter("subscribes");
		ck_assert_msg(late_subscribe(fid), "ark-sim did not carry out "
		    "the late SUBSCRIBE");
		ck_assert_msg(TU_WAIT(WAIT_MS, counter("subscribes") >=
		    subscribes + 2 && settled(&ids)), "round %d: arkd did not "
		    "subscribe again after 'Framework failed over'", k);
		free(ids);
		ck_assert_int_eq(arkd_metric("ark_failed_over_total{action="
		    "\"resubscribed\"}"), k + 1);
		ck_assert_int_eq(arkd_metric("ark_failed_over_total{action="
		    "\"fenced\"}"), 0);
	}
	expect_recovered(before, launched, fid, "late SUBSCRIBE");
	free(before);
	free(fid);
}
END_TEST

/* ---- a TCP relay that can blackhole ---- */

#define RELAY_PAIRS	64
#define RELAY_BUF	65536

struct relay_half {
	int		 from, to;
	char		 buf[RELAY_BUF];
	size_t		 len;
	int		 eof;		/* from gave EOF; shut to down once the
					 * buffer is out */
	int		 shut;
	long long	 shut_at;	/* when (ms) the FIN goes on */
};

struct relay_pair {
	int		 used;
	long long	 hold_until;	/* moves nothing before (ms) */
	long long	 first_in;	/* first byte (or EOF) read during the
					 * blackhole (ms), 0 if none */
	struct relay_half up, down;	/* client->master, master->client */
};

static struct {
	int		 lfd, port;
	atomic_int	 blackhole;	/* 1: move no byte, accept nothing */
	atomic_int	 stop;
	int		 was_hole;
	pthread_t	 th;
	struct relay_pair pairs[RELAY_PAIRS];
} relay;

static void
relay_close_pair(struct relay_pair *p)
{
	close(p->up.from);
	close(p->up.to);
	p->used = 0;
}

/* Moves what it can of one direction (only reads with read_only); -1
 * when the pair is finished. */
static int
relay_move(struct relay_half *h, short rev_from, short rev_to, int read_only)
{
	ssize_t n;

	if ((rev_from & (POLLIN | POLLHUP | POLLERR)) && !h->eof &&
	    h->len < RELAY_BUF) {
		n = read(h->from, h->buf + h->len, RELAY_BUF - h->len);
		if (n > 0)
			h->len += (size_t)n;
		else if (n == 0 || errno != EAGAIN)
			h->eof = 1;
	}
	if (read_only)
		return 0;
	if (h->len > 0 && (rev_to & POLLOUT)) {
		n = send(h->to, h->buf, h->len, MSG_NOSIGNAL);
		if (n > 0) {
			memmove(h->buf, h->buf + n, h->len - (size_t)n);
			h->len -= (size_t)n;
		} else if (n < 0 && errno != EAGAIN)
			return -1;
	}
	/* The FIN follows the data a second later: a master reads and
	 * carries out a request before it sees its connection close (ark-sim
	 * notices an end at once and would drop the request unread). */
	if (h->eof && h->len == 0 && !h->shut) {
		if (h->shut_at == 0)
			h->shut_at = tu_now_ms() + 1000;
		else if (tu_now_ms() >= h->shut_at) {
			shutdown(h->to, SHUT_WR);
			h->shut = 1;
		}
	}
	return 0;
}

/* Relays the accepted connection c, moving nothing for hold_ms. */
static void
relay_accept(int c, int hold_ms)
{
	struct relay_pair *p = NULL;

	if (c < 0)
		return;
	for (int i = 0; i < RELAY_PAIRS && p == NULL; i++)
		if (!relay.pairs[i].used)
			p = &relay.pairs[i];
	if (p == NULL) {
		close(c);
		return;
	}
	memset(p, 0, sizeof *p);
	p->used = 1;
	p->hold_until = tu_now_ms() + hold_ms;
	p->up.from = p->down.to = c;
	p->up.to = p->down.from = connect_master();
}

/*
 * The link is back: what clients sent meanwhile reaches the master newest
 * first, each connection's bytes 500 ms after those of the connection that
 * sent after it. So arkd's last SUBSCRIBE is carried out before the one it
 * gave up: the order that fails the framework over to a dead connection.
 */
static void
relay_reorder(void)
{
	struct relay_pair *p, *q;
	int rank;

	for (int i = 0; i < RELAY_PAIRS; i++) {
		p = &relay.pairs[i];
		if (!p->used || p->first_in == 0)
			continue;
		rank = 0;
		for (int j = 0; j < RELAY_PAIRS; j++) {
			q = &relay.pairs[j];
			if (q->used && q->first_in > p->first_in)
				rank++;
		}
		p->hold_until = tu_now_ms() + 500 * rank;
		p->first_in = 0;
	}
}

/*
 * The relay's thread. During a blackhole it still accepts and reads what
 * clients send (as the kernel of a blackholed host would queue it) but
 * moves nothing either way, noting when each connection first sent.
 */
static void *
relay_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&relay.stop)) {
		struct pollfd pf[1 + 2 * RELAY_PAIRS];
		int idx[1 + 2 * RELAY_PAIRS], n = 0, hole;

		hole = atomic_load(&relay.blackhole);
		if (hole)
			relay.was_hole = 1;
		else if (relay.was_hole) {
			relay.was_hole = 0;
			relay_reorder();
		}
		pf[n].fd = relay.lfd;
		pf[n].events = POLLIN;
		idx[n++] = -1;
		for (int i = 0; i < RELAY_PAIRS; i++) {
			struct relay_pair *p = &relay.pairs[i];

			if (!p->used)
				continue;
			pf[n].fd = p->up.from;
			pf[n].events = (short)((!p->up.eof &&
			    p->up.len < RELAY_BUF ? POLLIN : 0) |
			    (!hole && p->down.len > 0 ? POLLOUT : 0));
			idx[n++] = i;
			pf[n].fd = p->up.to;
			pf[n].events = hole ? 0 : (short)((!p->down.eof &&
			    p->down.len < RELAY_BUF ? POLLIN : 0) |
			    (p->up.len > 0 ? POLLOUT : 0));
			idx[n++] = i;
		}
		if (poll(pf, (nfds_t)n, 50) <= 0)
			continue;
		if (pf[0].revents & POLLIN)
			relay_accept(accept(relay.lfd, NULL, NULL), 0);
		for (int k = 1; k + 1 < n; k += 2) {
			struct relay_pair *p = &relay.pairs[idx[k]];
			short rc = pf[k].revents, rm = pf[k + 1].revents;

			if (!p->used)
				continue;
			if (hole) {
				size_t had = p->up.len;
				int eof = p->up.eof;

				/* read, note, forward nothing */
				(void)relay_move(&p->up, rc, 0, 1);
				if (p->first_in == 0 && (p->up.len > had ||
				    p->up.eof != eof))
					p->first_in = tu_now_ms();
				continue;
			}
			if (p->hold_until > tu_now_ms())
				continue;
			if (relay_move(&p->up, rc, rm, 0) != 0 ||
			    relay_move(&p->down, rm, rc, 0) != 0 ||
			    (p->up.shut && p->down.shut))
				relay_close_pair(p);
		}
	}
	return NULL;
}

static void
relay_start(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int one = 1;

	memset(&relay, 0, sizeof relay);
	relay.lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(relay.lfd, 0);
	setsockopt(relay.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(relay.lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(listen(relay.lfd, 64), 0);
	ck_assert_int_eq(getsockname(relay.lfd, (struct sockaddr *)&sa, &len),
	    0);
	relay.port = ntohs(sa.sin_port);
	ck_assert_int_eq(pthread_create(&relay.th, NULL, relay_main, NULL), 0);
}

static void
relay_stop(void)
{
	atomic_store(&relay.stop, 1);
	pthread_join(relay.th, NULL);
	for (int i = 0; i < RELAY_PAIRS; i++)
		if (relay.pairs[i].used)
			relay_close_pair(&relay.pairs[i]);
	close(relay.lfd);
}

START_TEST(test_blackhole_then_recover)
{
	char *before = NULL, *fid = NULL;
	long launched, subscribes;
	int connected;

	sim_start();
	relay_start();
	arkd_start(relay.port);
	ck_assert_msg(TU_WAIT(WAIT_MS, settled(&before)),
	    "arkd did not run its daemon tasks through the relay");
	free(sim_running(&connected, &fid));
	launched = counter("tasks_launched");
	subscribes = counter("subscribes");

	/* 12 s of silence both ways: the watchdog (3 heartbeats of 1 s)
	 * fires, the SUBSCRIBE after it times out (5 s) and another one is
	 * sent; all of it reaches ark-sim once the link is back. */
	atomic_store(&relay.blackhole, 1);
	tu_sleep_ms(12000);
	ck_assert_int_eq(counter("subscribes"), subscribes);
	atomic_store(&relay.blackhole, 0);
	/* everything held has arrived (the relay's stagger, then the FINs) */
	tu_sleep_ms(5000);
	expect_recovered(before, launched, fid, "12 s blackhole");
	ck_assert_int_gt(counter("subscribes"), subscribes);
	relay_stop();
	free(before);
	free(fid);
}
END_TEST

static Suite *
failover_suite(void)
{
	Suite *s = suite_create("it-failover");
	TCase *tc = tcase_create("failed-over");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_late_subscribe_does_not_fence);
	tcase_add_test(tc, test_blackhole_then_recover);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(failover_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
