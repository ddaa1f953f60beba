/*
 * httpd — libmicrohttpd driven by libev, and the never-ending SUBSCRIBE
 * streams. Each server owns a listening socket on 127.0.0.1 and an MHD
 * daemon in external epoll mode: an ev_io on MHD's epoll descriptor and an
 * ev_timer from MHD_get_timeout() run it, so every request is handled on
 * the simulator's one loop. Requests are collected (headers copied, body
 * bounded) and handed to the handlers of api.c, state.c and faults.c.
 *
 * A stream is a chunked 200 response whose content comes from a callback.
 * Events are framed (RecordIO) into the stream's buffer; when the buffer is
 * empty the connection is suspended, and resumed when there is data again.
 * A suspended connection's socket is watched for EOF so that a scheduler
 * that goes away is noticed at once, as a real master does. Faults act
 * here: stall (send nothing), throttle (bytes per second), raw bytes,
 * abort (reset without the terminating chunk) and flood (updates generated
 * as fast as the socket drains).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <microhttpd.h>

#include "sim.h"
#include "log.h"
#include "recordio.h"
#include "xmalloc.h"

/* The flood generator refills the buffer below this many bytes. */
#define HTTPD_FLOOD_LOW		(256 * 1024)
/* Bytes MHD may ask for in one callback. */
#define HTTPD_BLOCK		(64 * 1024)

struct sim_server {
	struct sim	*sim;
	enum sim_server_kind kind;
	int		 index;
	int		 fd;		/* listening socket */
	int		 port;
	struct MHD_Daemon *d;
	ev_io		 io;		/* MHD's epoll descriptor */
	ev_timer	 timer;		/* MHD_get_timeout() */
	ev_idle		 again;		/* run MHD once more soon */
	struct sim_stream *streams;	/* open streams (list) */
};

struct sim_stream {
	struct sim	*sim;
	struct sim_server *srv;
	struct MHD_Connection *conn;
	enum codec_type	 codec;
	char		 id[40];
	struct sim_framework *fw;
	struct buf	 out;		/* framed events not yet sent */
	size_t		 off;		/* sent prefix of out */
	int		 suspended;
	int		 ending;	/* 1 end after out drains, 2 abort */
	double		 stall_until;	/* ev_now(); < 0 = until cleared */
	ev_timer	 stall_timer;
	double		 rate;		/* bytes per second, 0 = unlimited */
	double		 tokens;
	double		 refilled;
	ev_timer	 rate_timer;
	struct buf	 scratch;	/* flood batches */
	ev_io		 peer;		/* EOF watch while suspended */
	int		 fd;
	uint64_t	 bytes;		/* bytes handed to MHD */
	uint64_t	 events;	/* events framed */
	double		 opened;
	struct sim_stream *next, *prev;	/* srv->streams */
};

static void	httpd_update(struct sim_server *);

static void	httpd_log_cb(void *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

/* Logs what MHD has to say. */
static void
httpd_log_cb(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	vsnprintf(line, sizeof line, fmt, ap);
	n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	log_debug("httpd: %s", line);
}

/* Runs MHD and rearms the timer. */
static void
httpd_run(struct sim_server *srv)
{
	MHD_run(srv->d);
	httpd_update(srv);
}

/* Rearms the MHD timer from MHD_get_timeout(). */
static void
httpd_update(struct sim_server *srv)
{
	MHD_UNSIGNED_LONG_LONG ms;
	struct ev_loop *loop = srv->sim->loop;

	ev_timer_stop(loop, &srv->timer);
	if (MHD_get_timeout(srv->d, &ms) == MHD_YES) {
		if (ms == 0) {
			ev_idle_start(loop, &srv->again);
			return;
		}
		ev_timer_set(&srv->timer, (double)ms / 1000.0, 0);
		ev_timer_start(loop, &srv->timer);
	}
}

/* MHD's epoll descriptor is readable. */
static void
httpd_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	httpd_run(w->data);
}

/* MHD asked to be run after a time. */
static void
httpd_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	httpd_run(w->data);
}

/* MHD asked to be run again at once. */
static void
httpd_again_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	ev_idle_stop(loop, w);
	httpd_run(w->data);
}

/* Frees a request context. */
static void
httpd_req_free(struct sim_req *req)
{
	if (req == NULL)
		return;
	free(req->method);
	free(req->path);
	free(req->content_type);
	free(req->accept);
	free(req->stream_id);
	free(req->authorization);
	buf_clear(&req->body);
	free(req);
}

/* Copies a header value (NULL if absent). */
static char *
httpd_header(struct MHD_Connection *conn, const char *name)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    name);

	return v == NULL ? NULL : xstrdup(v);
}

/* Sends the request to its handler by server kind and path. */
static void
httpd_route(struct sim_server *srv, struct sim_req *req)
{
	struct sim *sim = srv->sim;
	const char *p = req->path;

	if (srv->kind == SIM_SERVER_CONTROL) {
		if (strncmp(p, "/control/", 9) == 0)
			faults_serve(sim, req);
		else if (strcmp(p, "/state") == 0 ||
		    strcmp(p, "/state.json") == 0)
			state_serve(sim, req, 2);
		else if (strcmp(p, "/counters") == 0)
			state_counters(sim, req);
		else if (strcmp(p, "/calls") == 0)
			state_calls(sim, req);
		else if (strcmp(p, "/health") == 0)
			sim_http_text(req, 200, "OK");
		else
			sim_http_text(req, 404, "");
		return;
	}
	if (strncmp(p, "/master/", 8) == 0 && strcmp(p, "/master/") != 0)
		p += 7;
	if (strcmp(p, "/api/v1/scheduler") == 0)
		api_scheduler(sim, req);
	else if (strcmp(p, "/api/v1") == 0)
		state_operator(sim, req);
	else if (strcmp(p, "/redirect") == 0)
		api_redirect(sim, req, req->path);
	else if (strcmp(p, "/state") == 0 || strcmp(p, "/state.json") == 0)
		state_serve(sim, req, srv->index == sim->leader);
	else if (strcmp(p, "/counters") == 0)
		state_counters(sim, req);
	else if (strcmp(p, "/health") == 0)
		sim_http_text(req, 200, "");
	else
		sim_http_text(req, 404, "");
}

/* MHD's request handler: collects the request, then routes it. */
static enum MHD_Result
httpd_access_cb(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct sim_server *srv = cls;
	struct sim_req *req = *con_cls;
	size_t max = srv->sim->cfg.max_body;

	if (req == NULL) {
		const char *cl;

		req = xcalloc(1, sizeof *req);
		req->srv = srv;
		req->conn = conn;
		req->method = xstrdup(method);
		req->path = xstrdup(url);
		req->content_type = httpd_header(conn, "Content-Type");
		req->accept = httpd_header(conn, "Accept");
		req->stream_id = httpd_header(conn, "Mesos-Stream-Id");
		req->has_stream_id = req->stream_id != NULL;
		req->authorization = httpd_header(conn, "Authorization");
		buf_init(&req->body, max);
		*con_cls = req;
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    "Content-Length");
		if (cl != NULL && strtoull(cl, NULL, 10) > max) {
			req->too_big = 1;
			sim_http_text(req, 413, "Request body too large");
		}
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		if (!req->too_big &&
		    buf_add(&req->body, upload_data, *upload_data_size) != 0) {
			req->too_big = 1;
			buf_clear(&req->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->answered)
		return MHD_YES;
	if (req->too_big) {
		sim_http_text(req, 413, "Request body too large");
		return MHD_YES;
	}
	httpd_route(srv, req);
	if (!req->answered)
		sim_http_text(req, 500, "No response");
	return MHD_YES;
}

/* MHD is done with a request: frees its context. */
static void
httpd_completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	httpd_req_free(*con_cls);
	*con_cls = NULL;
}

/* Opens a listening socket on 127.0.0.1:port; -1 with *cause. */
static int
httpd_listen(int port, int *bound, char **cause)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		*cause = xasprintf("socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    listen(fd, 1024) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) == -1) {
		*cause = xasprintf("127.0.0.1:%d: %s", port, strerror(errno));
		close(fd);
		return -1;
	}
	*bound = ntohs(sa.sin_port);
	return fd;
}

/*
 * Starts a server of the given kind on 127.0.0.1:port (0 = any free port).
 * Returns NULL with *cause (caller frees) if it cannot listen.
 */
struct sim_server *
sim_server_create(struct sim *sim, enum sim_server_kind kind, int index,
    int port, char **cause)
{
	struct sim_server *srv = xcalloc(1, sizeof *srv);
	const union MHD_DaemonInfo *info;

	srv->sim = sim;
	srv->kind = kind;
	srv->index = index;
	srv->fd = httpd_listen(port, &srv->port, cause);
	if (srv->fd == -1) {
		free(srv);
		return NULL;
	}
	srv->d = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
	    MHD_USE_ERROR_LOG, 0, NULL, NULL, httpd_access_cb, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, httpd_log_cb, srv,
	    MHD_OPTION_LISTEN_SOCKET, srv->fd,
	    MHD_OPTION_NOTIFY_COMPLETED, httpd_completed_cb, srv,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)20000,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)0,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
	    MHD_OPTION_END);
	if (srv->d == NULL) {
		*cause = xasprintf("cannot start the HTTP server on port %d",
		    srv->port);
		close(srv->fd);
		free(srv);
		return NULL;
	}
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_EPOLL_FD);
	ev_io_init(&srv->io, httpd_io_cb, info->epoll_fd, EV_READ);
	srv->io.data = srv;
	ev_io_start(sim->loop, &srv->io);
	ev_timer_init(&srv->timer, httpd_timer_cb, 0, 0);
	srv->timer.data = srv;
	ev_idle_init(&srv->again, httpd_again_cb);
	srv->again.data = srv;
	httpd_update(srv);
	return srv;
}

/* Closes every stream of srv (abort) and stops it. */
void
sim_server_free(struct sim_server *srv)
{
	struct sim_stream *st;
	struct ev_loop *loop;

	if (srv == NULL)
		return;
	loop = srv->sim->loop;
	/* MHD must not be stopped with suspended connections. */
	for (st = srv->streams; st != NULL; st = st->next)
		sim_stream_close(st, 1);
	MHD_run(srv->d);
	ev_io_stop(loop, &srv->io);
	ev_timer_stop(loop, &srv->timer);
	ev_idle_stop(loop, &srv->again);
	MHD_stop_daemon(srv->d);
	close(srv->fd);
	free(srv);
}

/* The port srv listens on. */
int
sim_server_port(const struct sim_server *srv)
{
	return srv->port;
}

/* The master index of srv (-1 for the control server). */
int
sim_server_index(const struct sim_server *srv)
{
	return srv->index;
}

/* The kind of srv. */
enum sim_server_kind
sim_server_kind(const struct sim_server *srv)
{
	return srv->kind;
}

/*
 * Answers req with status and body (copied). extra holds header name and
 * value pairs, NULL-terminated. A second answer to one request is ignored.
 */
void
sim_http_reply(struct sim_req *req, int status, const char *ctype,
    const void *body, size_t len, const char *const *extra)
{
	struct MHD_Response *resp;

	if (req->answered)
		return;
	req->answered = 1;
	req->status = status;
	resp = MHD_create_response_from_buffer(len, (void *)body,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL) {
		log_warn("httpd: cannot create a response");
		return;
	}
	if (ctype != NULL)
		MHD_add_response_header(resp, "Content-Type", ctype);
	for (; extra != NULL && extra[0] != NULL; extra += 2)
		MHD_add_response_header(resp, extra[0], extra[1]);
	MHD_queue_response(req->conn, (unsigned int)status, resp);
	MHD_destroy_response(resp);
}

/* Answers with a text/plain body. */
void
sim_http_text(struct sim_req *req, int status, const char *text)
{
	sim_http_reply(req, status, "text/plain; charset=utf-8", text,
	    strlen(text), NULL);
}

/* Answers with a JSON body (takes j's reference). */
void
sim_http_json(struct sim_req *req, int status, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	if (s == NULL) {
		sim_http_text(req, 500, "cannot render JSON");
		return;
	}
	sim_http_reply(req, status, "application/json", s, strlen(s), NULL);
	free(s);
}

/* ---- streams ------------------------------------------------------------ */

/* Suspends st's connection and watches its socket for EOF. */
static void
httpd_stream_suspend(struct sim_stream *st)
{
	if (st->suspended)
		return;
	MHD_suspend_connection(st->conn);
	st->suspended = 1;
	if (st->fd >= 0)
		ev_io_start(st->sim->loop, &st->peer);
}

/* Resumes st's connection so that MHD asks for data again. */
static void
httpd_stream_resume(struct sim_stream *st)
{
	if (!st->suspended)
		return;
	ev_io_stop(st->sim->loop, &st->peer);
	st->suspended = 0;
	MHD_resume_connection(st->conn);
	ev_idle_start(st->sim->loop, &st->srv->again);
}

/* The suspended stream's socket became readable: EOF means gone. */
static void
httpd_peer_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct sim_stream *st = w->data;
	char c;
	ssize_t n;

	n = recv(st->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	ev_io_stop(loop, w);
	if (n <= 0) {
		log_debug("httpd: stream %s: peer closed", st->id);
		st->ending = 2;
		httpd_stream_resume(st);
	}
}

/* A stall or a throttle ended: let MHD ask again. */
static void
httpd_stream_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	httpd_stream_resume(w->data);
}

/* Drops the sent prefix of st->out when it is worth moving. */
static void
httpd_stream_compact(struct sim_stream *st)
{
	if (st->off == st->out.len) {
		buf_reset(&st->out);
		st->off = 0;
	} else if (st->off > 65536 && st->off * 2 > st->out.len) {
		buf_consume(&st->out, st->off);
		st->off = 0;
	}
}

/* MHD wants stream bytes: hands out what is queued, or suspends. */
static ssize_t
httpd_stream_read_cb(void *cls, uint64_t pos, char *dst, size_t max)
{
	struct sim_stream *st = cls;
	double now = ev_now(st->sim->loop);
	size_t avail, n;

	if (st->ending == 2)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (st->stall_until < 0 || st->stall_until > now) {
		if (st->stall_until > now) {
			ev_timer_stop(st->sim->loop, &st->stall_timer);
			ev_timer_set(&st->stall_timer,
			    st->stall_until - now, 0);
			ev_timer_start(st->sim->loop, &st->stall_timer);
		}
		httpd_stream_suspend(st);
		return 0;
	}
	if (st->fw != NULL && st->fw->flood != NULL &&
	    st->fw->flood->sent < st->fw->flood->total &&
	    st->out.len - st->off < HTTPD_FLOOD_LOW) {
		buf_reset(&st->scratch);
		task_flood_fill(st->sim, st->fw, st->fw->flood, st->codec,
		    &st->scratch, HTTPD_FLOOD_LOW);
		httpd_stream_compact(st);
		if (buf_add(&st->out, st->scratch.data, st->scratch.len) != 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	avail = st->out.len - st->off;
	if (avail == 0) {
		if (st->ending == 1)
			return MHD_CONTENT_READER_END_OF_STREAM;
		httpd_stream_suspend(st);
		return 0;
	}
	n = avail < max ? avail : max;
	if (st->rate > 0) {
		st->tokens += (now - st->refilled) * st->rate;
		st->refilled = now;
		if (st->tokens > st->rate)
			st->tokens = st->rate;
		if (st->tokens < 1) {
			ev_timer_stop(st->sim->loop, &st->rate_timer);
			ev_timer_set(&st->rate_timer,
			    (1 - st->tokens) / st->rate + 0.001, 0);
			ev_timer_start(st->sim->loop, &st->rate_timer);
			httpd_stream_suspend(st);
			return 0;
		}
		if ((double)n > st->tokens)
			n = (size_t)st->tokens;
		st->tokens -= (double)n;
	}
	memcpy(dst, st->out.data + st->off, n);
	st->off += n;
	st->bytes += n;
	httpd_stream_compact(st);
	return (ssize_t)n;
}

/* MHD dropped the stream's response: the stream is gone. */
static void
httpd_stream_free_cb(void *cls)
{
	struct sim_stream *st = cls;
	struct ev_loop *loop = st->sim->loop;
	struct sim_framework *fw = st->fw;

	log_debug("httpd: stream %s closed after %" PRIu64 " events",
	    st->id, st->events);
	st->fw = NULL;
	if (fw != NULL)
		fw_stream_gone(st, fw);
	ev_io_stop(loop, &st->peer);
	ev_timer_stop(loop, &st->stall_timer);
	ev_timer_stop(loop, &st->rate_timer);
	if (st->prev != NULL)
		st->prev->next = st->next;
	else
		st->srv->streams = st->next;
	if (st->next != NULL)
		st->next->prev = st->prev;
	buf_clear(&st->out);
	buf_clear(&st->scratch);
	free(st);
}

/*
 * Answers req with 200 and a chunked stream in codec, with the headers a
 * Mesos master sends (Content-Type, Mesos-Stream-Id). Returns the stream;
 * it lives until the connection ends.
 */
struct sim_stream *
sim_http_stream(struct sim_req *req, enum codec_type codec,
    const char *stream_id)
{
	struct sim_stream *st = xcalloc(1, sizeof *st);
	struct sim *sim = req->srv->sim;
	struct MHD_Response *resp;
	const union MHD_ConnectionInfo *ci;

	st->sim = sim;
	st->srv = req->srv;
	st->conn = req->conn;
	st->codec = codec;
	snprintf(st->id, sizeof st->id, "%s", stream_id);
	buf_init(&st->out, 0);
	buf_init(&st->scratch, 0);
	st->opened = ev_now(sim->loop);
	ev_timer_init(&st->stall_timer, httpd_stream_timer_cb, 0, 0);
	st->stall_timer.data = st;
	ev_timer_init(&st->rate_timer, httpd_stream_timer_cb, 0, 0);
	st->rate_timer.data = st;
	ci = MHD_get_connection_info(req->conn,
	    MHD_CONNECTION_INFO_CONNECTION_FD);
	st->fd = ci != NULL ? ci->connect_fd : -1;
	ev_io_init(&st->peer, httpd_peer_cb, st->fd < 0 ? 0 : st->fd,
	    EV_READ);
	st->peer.data = st;
	st->next = req->srv->streams;
	if (st->next != NULL)
		st->next->prev = st;
	req->srv->streams = st;

	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
	    HTTPD_BLOCK, httpd_stream_read_cb, st, httpd_stream_free_cb);
	MHD_add_response_header(resp, "Content-Type",
	    codec_content_type(codec));
	MHD_add_response_header(resp, "Mesos-Stream-Id", stream_id);
	req->answered = 1;
	req->status = 200;
	MHD_queue_response(req->conn, 200, resp);
	MHD_destroy_response(resp);
	return st;
}

/* The stream's encoding. */
enum codec_type
sim_stream_codec(const struct sim_stream *st)
{
	return st->codec;
}

/* The stream's Mesos-Stream-Id. */
const char *
sim_stream_id(const struct sim_stream *st)
{
	return st->id;
}

/* Binds the stream to a framework (told when the stream goes). */
void
sim_stream_set_framework(struct sim_stream *st, struct sim_framework *fw)
{
	st->fw = fw;
}

/* Bytes queued and not yet handed to MHD. */
size_t
sim_stream_pending(const struct sim_stream *st)
{
	return st->out.len - st->off;
}

/* Checks the buffer bound after an append; aborts a stream over it. */
static int
httpd_stream_bound(struct sim_stream *st)
{
	size_t max = st->sim->cfg.max_stream_buffer;

	if (max != 0 && st->out.len - st->off > max) {
		log_warn("httpd: stream %s: %zu bytes unread by the "
		    "scheduler; closing it", st->id, st->out.len - st->off);
		sim_stream_close(st, 1);
		return -1;
	}
	return 0;
}

/* Frames one event into the stream; -1 if the stream is ending. */
int
sim_stream_event(struct sim_stream *st, const Mesos__V1__Scheduler__Event *ev)
{
	if (st->ending)
		return -1;
	httpd_stream_compact(st);
	if (st->codec == CODEC_PROTOBUF) {
		sim_frame_pb(&st->out, (const ProtobufCMessage *)ev);
	} else {
		char *cause = NULL;

		buf_reset(&st->scratch);
		if (codec_encode_event(st->codec, ev, &st->scratch,
		    &cause) != 0) {
			log_warn("httpd: cannot encode an event: %s", cause);
			free(cause);
			return -1;
		}
		recordio_write(&st->out, st->scratch.data, st->scratch.len);
	}
	st->events++;
	if (httpd_stream_bound(st) != 0)
		return -1;
	httpd_stream_resume(st);
	return 0;
}

/* Queues raw bytes (malformed records and the like). */
void
sim_stream_raw(struct sim_stream *st, const void *p, size_t n)
{
	if (st->ending)
		return;
	httpd_stream_compact(st);
	buf_add(&st->out, p, n);
	httpd_stream_resume(st);
}

/*
 * Ends the stream: gracefully (the terminating chunk after what is queued,
 * as a master closing the connection) or abort (the connection reset with
 * no terminating chunk, as a master that died). The framework, if it still
 * holds this stream, learns that it is gone when MHD lets go of it.
 */
void
sim_stream_close(struct sim_stream *st, int abort)
{
	if (abort || st->ending == 0)
		st->ending = abort ? 2 : 1;
	st->stall_until = 0;
	st->rate = 0;
	httpd_stream_resume(st);
}

/* Sends nothing for seconds (< 0: until called again with 0). */
void
sim_stream_stall(struct sim_stream *st, double seconds)
{
	if (seconds == 0) {
		st->stall_until = 0;
		httpd_stream_resume(st);
		return;
	}
	st->stall_until = seconds < 0 ? -1 : ev_now(st->sim->loop) + seconds;
	httpd_stream_resume(st);
}

/* Limits the stream to bytes_per_s (0 = no limit). */
void
sim_stream_throttle(struct sim_stream *st, double bytes_per_s)
{
	st->rate = bytes_per_s;
	st->tokens = 0;
	st->refilled = ev_now(st->sim->loop);
	httpd_stream_resume(st);
}

/* Starts writing the framework's flood as fast as the socket drains. */
void
sim_stream_flood(struct sim_stream *st)
{
	httpd_stream_resume(st);
}

/* Describes the stream for /state. */
json_t *
sim_stream_json(const struct sim_stream *st)
{
	json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:I,s:b,s:b,s:f}",
	    "stream_id", st->id, "encoding", codec_name(st->codec),
	    "events", (json_int_t)st->events, "bytes", (json_int_t)st->bytes,
	    "pending", (json_int_t)(st->out.len - st->off),
	    "stalled", st->stall_until != 0, "throttled", st->rate > 0,
	    "opened", st->opened);

	return o;
}
