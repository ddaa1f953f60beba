/*
 * bench/sim — ark-sim at the scale the benchmarks of ark need, measured
 * from outside like a scheduler sees it: the start-up time of
 * `ark-sim --agents 10000`, its RSS once 100,000 tasks launched through
 * ACCEPT calls are TASK_RUNNING with every update acknowledged, and the
 * rate of a status update flood to one protobuf subscriber. The client is
 * raw sockets with pipelined keep-alive requests and poll(2), so that it
 * is not what limits the figures. Every phase is bounded in time; figures
 * are printed, nothing is asserted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "codec.h"
#include "recordio.h"
#include "xmalloc.h"

#define BENCH_AGENTS	10000
#define BENCH_TASKS	100000
#define BENCH_PER_OFFER	10
#define BENCH_FLOOD	2000000
#define BENCH_CONNS	4

/* One keep-alive connection with pipelined requests. */
struct bconn {
	int		 fd;
	struct buf	 out;		/* requests not yet written */
	size_t		 off;
	struct buf	 in;		/* responses not yet parsed */
	size_t		 pending;	/* responses outstanding */
	size_t		 errors;	/* non-2xx answers */
};

/* The SUBSCRIBE stream: HTTP head, chunked body, RecordIO. */
struct bstream {
	int		 fd;
	int		 head_done;
	struct buf	 head;
	char		 stream_id[64];
	/* chunked decoder */
	int		 cstate;	/* 0 size line, 1 data, 2 CRLF */
	size_t		 cleft;
	char		 cline[32];
	size_t		 clen;
	struct recordio_reader rr;
	int		 decode;	/* decode events (else count UPDATEs) */
	uint64_t	 updates;	/* UPDATE records seen */
};

static pid_t bench_pid;
static int bench_port, bench_control;
static struct bconn bench_conns[BENCH_CONNS];
static size_t bench_rr;
static char bench_fid[128];
static uint64_t bench_launched, bench_running, bench_acks;

/* Monotonic seconds. */
static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prints an error and exits (killing ark-sim). */
static void
bench_die(const char *what)
{
	fprintf(stderr, "bench/sim: %s\n", what);
	if (bench_pid > 0)
		kill(bench_pid, SIGKILL);
	exit(1);
}

/* Connects to 127.0.0.1:port (blocking connect, then non-blocking). */
static int
bench_connect(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/* One blocking HTTP exchange; returns the status. */
static int
bench_http(int port, const char *method, const char *path, const char *body)
{
	char req[1024], resp[4096];
	int fd = socket(AF_INET, SOCK_STREAM, 0), n, st = 0;
	struct sockaddr_in sa;
	size_t len;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	len = body != NULL ? strlen(body) : 0;
	n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n%s", method, path, len,
	    body != NULL ? body : "");
	if (write(fd, req, (size_t)n) == n) {
		n = (int)read(fd, resp, sizeof resp - 1);
		if (n > 12) {
			resp[n] = '\0';
			st = (int)strtol(resp + 9, NULL, 10);
		}
	}
	close(fd);
	return st;
}

/* Queues a scheduler call on the next connection. */
static void
bench_call(const Mesos__V1__Scheduler__Call *call, const char *stream_id)
{
	struct bconn *c = &bench_conns[bench_rr++ % BENCH_CONNS];
	struct buf body;

	buf_init(&body, 0);
	if (codec_encode_call(CODEC_PROTOBUF, call, &body, NULL) != 0)
		bench_die("cannot encode a call");
	buf_printf(&c->out, "POST /api/v1/scheduler HTTP/1.1\r\nHost: "
	    "127.0.0.1\r\nContent-Type: application/x-protobuf\r\n"
	    "Mesos-Stream-Id: %s\r\nContent-Length: %zu\r\n\r\n", stream_id,
	    body.len);
	buf_add(&c->out, body.data, body.len);
	c->pending++;
	buf_clear(&body);
}

/* Parses complete responses out of c->in. */
static void
bench_conn_parse(struct bconn *c)
{
	for (;;) {
		char *end = c->in.data == NULL ? NULL :
		    strstr(c->in.data, "\r\n\r\n");
		char *cl;
		size_t hlen, blen = 0;
		int st;

		if (end == NULL)
			return;
		hlen = (size_t)(end - c->in.data) + 4;
		*end = '\0';
		cl = strcasestr(c->in.data, "Content-Length:");
		if (cl != NULL)
			blen = strtoull(cl + 15, NULL, 10);
		st = (int)strtol(c->in.data + 9, NULL, 10);
		*end = '\r';
		if (c->in.len < hlen + blen)
			return;
		if (st < 200 || st > 299)
			c->errors++;
		buf_consume(&c->in, hlen + blen);
		if (c->pending > 0)
			c->pending--;
	}
}

/* Reads and writes what the connection can. */
static void
bench_conn_io(struct bconn *c, short revents)
{
	char tmp[65536];
	ssize_t n;

	if (revents & POLLOUT) {
		while (c->off < c->out.len) {
			n = write(c->fd, c->out.data + c->off,
			    c->out.len - c->off);
			if (n <= 0)
				break;
			c->off += (size_t)n;
		}
		if (c->off == c->out.len) {
			buf_reset(&c->out);
			c->off = 0;
		}
	}
	if (revents & (POLLIN | POLLHUP)) {
		while ((n = read(c->fd, tmp, sizeof tmp)) > 0)
			buf_add(&c->in, tmp, (size_t)n);
		if (n == 0)
			bench_die("ark-sim closed a call connection");
		bench_conn_parse(c);
	}
}

/* Builds and queues an ACCEPT of one offer with BENCH_PER_OFFER tasks. */
static void
bench_accept(struct bstream *s, const Mesos__V1__Offer *o)
{
	Mesos__V1__Scheduler__Call call = MESOS__V1__SCHEDULER__CALL__INIT;
	Mesos__V1__Scheduler__Call__Accept acc =
	    MESOS__V1__SCHEDULER__CALL__ACCEPT__INIT;
	Mesos__V1__FrameworkID fid = MESOS__V1__FRAMEWORK_ID__INIT;
	Mesos__V1__Offer__Operation op = MESOS__V1__OFFER__OPERATION__INIT;
	Mesos__V1__Offer__Operation *opv[1] = { &op };
	Mesos__V1__Offer__Operation__Launch launch =
	    MESOS__V1__OFFER__OPERATION__LAUNCH__INIT;
	Mesos__V1__TaskInfo ti[BENCH_PER_OFFER], *tiv[BENCH_PER_OFFER];
	Mesos__V1__TaskID tid[BENCH_PER_OFFER];
	Mesos__V1__CommandInfo cmd = MESOS__V1__COMMAND_INFO__INIT;
	Mesos__V1__Resource r[2], *rv[2] = { &r[0], &r[1] };
	Mesos__V1__Value__Scalar sc[2];
	Mesos__V1__OfferID *oidv[1] = { o->id };
	Mesos__V1__Filters filters = MESOS__V1__FILTERS__INIT;
	char ids[BENCH_PER_OFFER][32];
	int i, n = 0;

	fid.value = bench_fid;
	mesos__v1__resource__init(&r[0]);
	mesos__v1__resource__init(&r[1]);
	mesos__v1__value__scalar__init(&sc[0]);
	mesos__v1__value__scalar__init(&sc[1]);
	r[0].name = (char *)"cpus";
	r[0].type = MESOS__V1__VALUE__TYPE__SCALAR;
	sc[0].value = 0.01;
	r[0].scalar = &sc[0];
	r[1].name = (char *)"mem";
	r[1].type = MESOS__V1__VALUE__TYPE__SCALAR;
	sc[1].value = 1;
	r[1].scalar = &sc[1];
	cmd.value = (char *)"sleep 1000";
	for (i = 0; i < BENCH_PER_OFFER && bench_launched < BENCH_TASKS; i++) {
		mesos__v1__task_info__init(&ti[n]);
		mesos__v1__task_id__init(&tid[n]);
		snprintf(ids[n], sizeof ids[n], "b-%llu",
		    (unsigned long long)bench_launched++);
		tid[n].value = ids[n];
		ti[n].name = ids[n];
		ti[n].task_id = &tid[n];
		ti[n].agent_id = o->agent_id;
		ti[n].n_resources = 2;
		ti[n].resources = rv;
		ti[n].command = &cmd;
		tiv[n] = &ti[n];
		n++;
	}
	launch.n_task_infos = (size_t)n;
	launch.task_infos = tiv;
	op.has_type = 1;
	op.type = MESOS__V1__OFFER__OPERATION__TYPE__LAUNCH;
	op.launch = &launch;
	acc.n_offer_ids = 1;
	acc.offer_ids = oidv;
	acc.n_operations = n > 0 ? 1 : 0;
	acc.operations = opv;
	filters.has_refuse_seconds = 1;
	filters.refuse_seconds = 3600;
	acc.filters = &filters;
	call.framework_id = &fid;
	call.has_type = 1;
	call.type = MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT;
	call.accept = &acc;
	bench_call(&call, s->stream_id);
}

/* Queues an ACKNOWLEDGE of an update. */
static void
bench_ack(struct bstream *s, const Mesos__V1__TaskStatus *st)
{
	Mesos__V1__Scheduler__Call call = MESOS__V1__SCHEDULER__CALL__INIT;
	Mesos__V1__Scheduler__Call__Acknowledge ack =
	    MESOS__V1__SCHEDULER__CALL__ACKNOWLEDGE__INIT;
	Mesos__V1__FrameworkID fid = MESOS__V1__FRAMEWORK_ID__INIT;

	fid.value = bench_fid;
	ack.agent_id = st->agent_id;
	ack.task_id = st->task_id;
	ack.uuid = st->uuid;
	call.framework_id = &fid;
	call.has_type = 1;
	call.type = MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE;
	call.acknowledge = &ack;
	bench_call(&call, s->stream_id);
	bench_acks++;
}

/* Handles one event record. */
static void
bench_record(struct bstream *s, const char *data, size_t len)
{
	Mesos__V1__Scheduler__Event *e;
	size_t i;

	if (!s->decode) {
		/* Event.type is field 1: 0x08, then UPDATE = 4. */
		if (len >= 2 && data[0] == 0x08 && data[1] == 0x04)
			s->updates++;
		return;
	}
	e = codec_decode_event(CODEC_PROTOBUF, data, len, NULL);
	if (e == NULL)
		bench_die("undecodable event");
	switch (e->type) {
	case MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED:
		snprintf(bench_fid, sizeof bench_fid, "%s",
		    e->subscribed->framework_id->value);
		break;
	case MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS:
		for (i = 0; i < e->offers->n_offers; i++)
			bench_accept(s, e->offers->offers[i]);
		break;
	case MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE:
		s->updates++;
		if (e->update->status->state ==
		    MESOS__V1__TASK_STATE__TASK_RUNNING)
			bench_running++;
		if (e->update->status->has_uuid)
			bench_ack(s, e->update->status);
		break;
	default:
		break;
	}
	codec_free(e);
}

/* Feeds body bytes through the chunked decoder into RecordIO. */
static void
bench_stream_body(struct bstream *s, const char *p, size_t n)
{
	const char *data, *cause;
	size_t len;

	while (n > 0) {
		if (s->cstate == 0) {
			char c = *p++;

			n--;
			if (c == '\n') {
				s->cline[s->clen] = '\0';
				s->cleft = strtoull(s->cline, NULL, 16);
				s->clen = 0;
				s->cstate = s->cleft == 0 ? 3 : 1;
			} else if (c != '\r' && s->clen < sizeof s->cline - 1) {
				s->cline[s->clen++] = c;
			}
		} else if (s->cstate == 1) {
			size_t k = n < s->cleft ? n : s->cleft;

			recordio_feed(&s->rr, p, k);
			p += k;
			n -= k;
			s->cleft -= k;
			if (s->cleft == 0)
				s->cstate = 2;
		} else if (s->cstate == 2) {
			if (*p == '\n')
				s->cstate = 0;
			p++;
			n--;
		} else {
			bench_die("the stream ended");
		}
	}
	for (;;) {
		enum recordio_status rs = recordio_next(&s->rr, &data, &len,
		    &cause);

		if (rs == RECORDIO_NEED_MORE)
			break;
		if (rs == RECORDIO_ERROR)
			bench_die(cause);
		bench_record(s, data, len);
	}
}

/* Reads what the stream has. */
static void
bench_stream_io(struct bstream *s)
{
	char tmp[262144];
	ssize_t n;

	while ((n = read(s->fd, tmp, sizeof tmp)) > 0) {
		char *p = tmp;
		size_t left = (size_t)n;

		if (!s->head_done) {
			char *end, *sid;

			buf_add(&s->head, tmp, (size_t)n);
			end = strstr(s->head.data, "\r\n\r\n");
			if (end == NULL)
				continue;
			*end = '\0';
			if (strncmp(s->head.data, "HTTP/1.1 200", 12) != 0)
				bench_die("SUBSCRIBE was not answered 200");
			sid = strcasestr(s->head.data, "Mesos-Stream-Id: ");
			if (sid == NULL)
				bench_die("no Mesos-Stream-Id");
			snprintf(s->stream_id, sizeof s->stream_id, "%.36s",
			    sid + 17);
			s->head_done = 1;
			p = end + 4;
			left = s->head.len - (size_t)(p - s->head.data);
		}
		bench_stream_body(s, p, left);
	}
	if (n == 0)
		bench_die("ark-sim closed the stream");
}

/* Opens the SUBSCRIBE stream (protobuf). */
static void
bench_subscribe(struct bstream *s)
{
	Mesos__V1__Scheduler__Call call = MESOS__V1__SCHEDULER__CALL__INIT;
	Mesos__V1__Scheduler__Call__Subscribe sub =
	    MESOS__V1__SCHEDULER__CALL__SUBSCRIBE__INIT;
	Mesos__V1__FrameworkInfo fi = MESOS__V1__FRAMEWORK_INFO__INIT;
	struct buf body, req;

	fi.user = (char *)"bench";
	fi.name = (char *)"bench-sim";
	fi.has_failover_timeout = 1;
	fi.failover_timeout = 3600;
	sub.framework_info = &fi;
	call.has_type = 1;
	call.type = MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE;
	call.subscribe = &sub;
	buf_init(&body, 0);
	buf_init(&req, 0);
	codec_encode_call(CODEC_PROTOBUF, &call, &body, NULL);
	buf_printf(&req, "POST /api/v1/scheduler HTTP/1.1\r\nHost: 127.0.0.1"
	    "\r\nContent-Type: application/x-protobuf\r\nAccept: "
	    "application/x-protobuf\r\nContent-Length: %zu\r\n\r\n", body.len);
	buf_add(&req, body.data, body.len);
	s->fd = bench_connect(bench_port);
	if (s->fd < 0)
		bench_die("cannot connect");
	fcntl(s->fd, F_SETFL, 0);
	if (write(s->fd, req.data, req.len) != (ssize_t)req.len)
		bench_die("cannot send SUBSCRIBE");
	fcntl(s->fd, F_SETFL, O_NONBLOCK);
	buf_clear(&body);
	buf_clear(&req);
}

/* Runs the poll loop until done() or the deadline; 0 if done. */
static int
bench_loop(struct bstream *s, int (*done)(struct bstream *), double limit)
{
	double end = bench_now() + limit;
	struct pollfd pfd[1 + BENCH_CONNS];
	int i;

	while (!done(s)) {
		if (bench_now() > end)
			return -1;
		pfd[0].fd = s->fd;
		pfd[0].events = POLLIN;
		for (i = 0; i < BENCH_CONNS; i++) {
			pfd[1 + i].fd = bench_conns[i].fd;
			pfd[1 + i].events = POLLIN |
			    (bench_conns[i].out.len > bench_conns[i].off ?
			    POLLOUT : 0);
		}
		if (poll(pfd, 1 + BENCH_CONNS, 100) < 0 && errno != EINTR)
			bench_die("poll");
		if (pfd[0].revents)
			bench_stream_io(s);
		for (i = 0; i < BENCH_CONNS; i++) {
			bench_conn_io(&bench_conns[i], pfd[1 + i].revents |
			    (bench_conns[i].out.len > bench_conns[i].off ?
			    POLLOUT : 0));
		}
	}
	return 0;
}

/* Phase 1 is done when every task runs and every call was answered. */
static int
bench_all_running(struct bstream *s)
{
	int i;

	if (bench_running < BENCH_TASKS)
		return 0;
	for (i = 0; i < BENCH_CONNS; i++) {
		if (bench_conns[i].pending > 0)
			return 0;
	}
	return 1;
}

static uint64_t bench_flood_target;

/* The flood is done when its updates have all arrived. */
static int
bench_flood_done(struct bstream *s)
{
	return s->updates >= bench_flood_target;
}

/* Reads VmRSS of pid in kB. */
static long
bench_rss(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	}
	fclose(f);
	return kb;
}

/* Reads the ports ark-sim wrote; 0 when they are there. */
static int
bench_ports(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "control ", 8) == 0)
			bench_control = (int)strtol(line + 8, NULL, 10);
		else if (bench_port == 0)
			bench_port = (int)strtol(line, NULL, 10);
	}
	fclose(f);
	return bench_port > 0 && bench_control > 0 ? 0 : -1;
}

int
main(void)
{
	const char *dir = getenv("ARK_BIN");
	char bin[1024], portfile[256], agents[16];
	struct bstream s;
	double t0, t1, dt;
	int i, status;
	uint64_t before;

	signal(SIGPIPE, SIG_IGN);
	snprintf(bin, sizeof bin, "%s/ark-sim", dir != NULL ? dir :
#ifdef ARK_BUILDDIR
	    ARK_BUILDDIR
#else
	    "build"
#endif
	    );
	snprintf(portfile, sizeof portfile, "/tmp/bench-sim-%d.ports",
	    (int)getpid());
	snprintf(agents, sizeof agents, "%d", BENCH_AGENTS);
	unlink(portfile);
	t0 = bench_now();
	bench_pid = fork();
	if (bench_pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		execl(bin, bin, "--port", "0", "--port-file", portfile,
		    "--agents", agents, "--log-level", "warn",
		    "--update-retry", "120", "--heartbeat-interval", "3600",
		    "--allocation-interval", "0.2", (char *)NULL);
		_exit(127);
	}
	while (bench_ports(portfile) != 0) {
		if (bench_now() - t0 > 10 || waitpid(bench_pid, &status,
		    WNOHANG) == bench_pid)
			bench_die("ark-sim did not start");
		usleep(1000);
	}
	while (bench_http(bench_control, "GET", "/health", NULL) != 200)
		usleep(1000);
	t1 = bench_now();
	printf("ark-sim --agents %d: ready in %.3f s, RSS %ld kB\n",
	    BENCH_AGENTS, t1 - t0, bench_rss(bench_pid));

	for (i = 0; i < BENCH_CONNS; i++) {
		bench_conns[i].fd = bench_connect(bench_port);
		if (bench_conns[i].fd < 0)
			bench_die("cannot connect");
		buf_init(&bench_conns[i].out, 0);
		buf_init(&bench_conns[i].in, 0);
	}
	memset(&s, 0, sizeof s);
	buf_init(&s.head, 0);
	recordio_reader_init(&s.rr, RECORDIO_DEFAULT_MAX);
	s.decode = 1;
	t0 = bench_now();
	bench_subscribe(&s);
	if (bench_loop(&s, bench_all_running, 120) != 0)
		printf("launch: timed out after 120 s with %llu of %d tasks "
		    "running\n", (unsigned long long)bench_running,
		    BENCH_TASKS);
	t1 = bench_now();
	printf("%d tasks launched by %d ACCEPTs and running, %llu updates "
	    "acknowledged: %.2f s; ark-sim RSS %ld kB\n", BENCH_TASKS,
	    BENCH_TASKS / BENCH_PER_OFFER, (unsigned long long)bench_acks,
	    t1 - t0, bench_rss(bench_pid));
	for (i = 0; i < BENCH_CONNS; i++) {
		if (bench_conns[i].errors > 0)
			printf("  %zu calls answered with an error on "
			    "connection %d\n", bench_conns[i].errors, i);
	}

	s.decode = 0;
	before = s.updates;
	bench_flood_target = before + BENCH_FLOOD;
	{
		char body[64];

		snprintf(body, sizeof body, "{\"count\":%d}", BENCH_FLOOD);
		if (bench_http(bench_control, "POST", "/control/flood",
		    body) != 200)
			bench_die("flood refused");
	}
	t0 = bench_now();
	if (bench_loop(&s, bench_flood_done, 60) != 0)
		printf("flood: timed out after 60 s\n");
	dt = bench_now() - t0;
	printf("flood: %llu status updates in %.2f s = %.0f updates/s "
	    "(protobuf, one subscriber); RSS %ld kB\n",
	    (unsigned long long)(s.updates - before), dt,
	    (double)(s.updates - before) / dt, bench_rss(bench_pid));

	kill(bench_pid, SIGTERM);
	waitpid(bench_pid, &status, 0);
	unlink(portfile);
	for (i = 0; i < BENCH_CONNS; i++) {
		close(bench_conns[i].fd);
		buf_clear(&bench_conns[i].out);
		buf_clear(&bench_conns[i].in);
	}
	close(s.fd);
	buf_clear(&s.head);
	recordio_reader_clear(&s.rr);
	return 0;
}
