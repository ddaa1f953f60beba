/*
 * bench/master — how fast the master connection drains a status update
 * flood: ark-sim --flood N writes N TASK_RUNNING updates to the stream as
 * fast as we read; a minimal scheduler acknowledges each one through
 * master.c's pool lane. Printed per ack_connections: the rate events were
 * decoded and queued, and the rate acknowledgements were answered (202).
 * Bounded in time; figures only, nothing asserted.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "call.h"
#include "config.h"
#include "log.h"
#include "master.h"
#include "metrics.h"
#include "msg.h"
#include "xmalloc.h"

#define BENCH_FLOOD	100000
#define BENCH_LIMIT	60.0

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Starts ark-sim flooding the first subscriber; returns its pid. */
static pid_t
bench_sim(const char *dir, int *port)
{
	const char *bin = getenv("ARK_BIN");
	char *path = xasprintf("%s/ark-sim", bin != NULL ? bin : "build");
	char *pf = xasprintf("%s/ports", dir), n[32];
	double end = bench_now() + 15;
	FILE *f;
	pid_t pid;

	snprintf(n, sizeof n, "%d", BENCH_FLOOD);
	unlink(pf);
	pid = fork();
	if (pid == 0) {
		execl(path, path, "--port", "0", "--port-file", pf, "--agents",
		    "1", "--flood", n, "--log-level", "error", (char *)NULL);
		_exit(127);
	}
	*port = 0;
	while (*port == 0 && bench_now() < end) {
		f = fopen(pf, "r");
		if (f != NULL) {
			if (fscanf(f, "%d", port) != 1)
				*port = 0;
			fclose(f);
		}
		if (*port == 0)
			usleep(20000);
	}
	free(path);
	free(pf);
	return pid;
}

struct bench {
	struct master	*m;
	struct msg_queue q;
	char		 fwid[128];
	double		 t0, t_events;
	unsigned long	 events;
};

static void
bench_drain(struct bench *b)
{
	Mesos__V1__TaskStatus *st;
	struct msg *m;

	while ((m = msg_queue_pop(&b->q)) != NULL) {
		if (m->type == MSG_EVENT && m->u.event->type ==
		    MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED) {
			snprintf(b->fwid, sizeof b->fwid, "%s",
			    m->u.event->subscribed->framework_id->value);
			b->t0 = bench_now();
		} else if (m->type == MSG_EVENT && m->u.event->type ==
		    MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE) {
			st = m->u.event->update->status;
			if (st->has_uuid && st->uuid.len > 0)
				master_send(b->m, call_acknowledge(b->fwid,
				    st->agent_id != NULL ?
				    st->agent_id->value : NULL,
				    st->task_id->value, st->uuid.data,
				    st->uuid.len), 0);
			if (++b->events == BENCH_FLOOD)
				b->t_events = bench_now();
		}
		msg_free(m);
	}
}

static void
bench_tick_cb(struct ev_loop *loop, struct ev_timer *w, int revents)
{
}

/* One run with conns pool connections. */
static void
bench_run(const char *dir, unsigned conns, const char *encoding)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct bench b;
	struct config *cfg;
	struct ev_timer tick;
	char *text, *cause = NULL;
	double acked = 0, end;
	int port;
	pid_t pid = bench_sim(dir, &port);

	memset(&b, 0, sizeof b);
	if (port == 0) {
		printf("master: ark-sim did not start\n");
		goto out;
	}
	text = xasprintf("{\"master\": {\"masters\": [\"http://127.0.0.1:%d\"],"
	    " \"encoding\": \"%s\", \"ack_connections\": %u}}", port, encoding,
	    conns);
	cfg = config_parse(text, "bench.json", &cause);
	free(text);
	if (cfg == NULL) {
		printf("master: %s\n", cause);
		free(cause);
		goto out;
	}
	b.m = master_create(loop, cfg, &b.q, &cause);
	if (b.m == NULL) {
		printf("master: %s\n", cause);
		free(cause);
		config_free(cfg);
		goto out;
	}
	ev_timer_init(&tick, bench_tick_cb, 0.1, 0.1);
	ev_timer_start(loop, &tick);
	master_start(b.m);
	end = bench_now() + BENCH_LIMIT;
	while (bench_now() < end) {
		ev_run(loop, EVRUN_ONCE);
		bench_drain(&b);
		acked = metrics_get("ark_calls_total",
		    "type=\"ACKNOWLEDGE\",code=\"202\"");
		if (acked >= BENCH_FLOOD)
			break;
	}
	if (b.t0 == 0)
		printf("master: never subscribed\n");
	else
		printf("master (%s, ack_connections %u): %lu updates decoded "
		    "at %.0f/s; %.0f acknowledgements answered at %.0f/s "
		    "(%.2f s)\n", encoding, conns, b.events,
		    b.t_events > 0 ? BENCH_FLOOD / (b.t_events - b.t0) : 0,
		    acked, acked / (bench_now() - b.t0), bench_now() - b.t0);
	ev_timer_stop(loop, &tick);
	master_free(b.m);
	bench_drain(&b);
	config_free(cfg);
out:
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ev_loop_destroy(loop);
	metrics_free_all();
}

int
main(void)
{
	char dir[] = "/tmp/ark-bench-master-XXXXXX";
	char *pf;

	log_init("bench-master", LOG_LEVEL_ERROR, LOG_FORMAT_PLAIN);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	bench_run(dir, 1, "protobuf");
	bench_run(dir, 8, "protobuf");
	bench_run(dir, 8, "json");
	pf = xasprintf("%s/ports", dir);
	unlink(pf);
	free(pf);
	rmdir(dir);
	return 0;
}
