/*
 * http — the glue between libcurl's multi socket interface and libev, after
 * curl's docs/examples/evhiperfifo.c: libcurl tells us which sockets to watch
 * (CURLMOPT_SOCKETFUNCTION -> one ev_io each) and when to wake it up
 * (CURLMOPT_TIMERFUNCTION -> one ev_timer, timeout_ms / 1000.0; a 0 ms
 * timeout arms a 0 s timer instead of calling libcurl from inside its own
 * callback). Every call into libcurl is bracketed by http_enter/http_leave;
 * work that libcurl forbids from its callbacks (adding and removing handles)
 * and the users' done callbacks run in http_leave once libcurl has returned,
 * so a callback may submit, cancel or drop any request, its own included.
 *
 * Lanes are our own accounting (not CURLMOPT_MAX_HOST_CONNECTIONS, which
 * would also hold back the stream): a request waits in its lane's FIFO until
 * the lane has room. Easy handles are recycled; connections live in the
 * multi handle's cache, sized for the pool plus the stream and the ordered
 * lane, so calls reuse kept-alive connections.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include <curl/curl.h>
#include <ev.h>

#include "buf.h"
#include "http.h"
#include "log.h"
#include "xmalloc.h"

#define HTTP_DEFAULT_MAX_BODY	(1024u * 1024)
#define HTTP_SPARE_EASY		32	/* idle easy handles kept for reuse */

enum http_req_state {
	HTTP_REQ_NEW,		/* created, not submitted */
	HTTP_REQ_QUEUED,	/* in its lane's FIFO */
	HTTP_REQ_ACTIVE,	/* its easy handle is in the multi handle */
	HTTP_REQ_DONE,		/* finished, waiting for its done callback */
	HTTP_REQ_STATE_MAX
};

struct http_req {
	struct http		*http;
	enum http_lane		 lane;
	enum http_req_state	 state;
	int			 cancelled;	/* no callback may run any more */
	char			*url;
	void			*arg;
	struct curl_slist	*headers;
	char			*body;		/* request body (owned) */
	size_t			 body_len;
	int			 post;
	double			 timeout_s;
	size_t			 max_body;
	http_head_cb		 head_cb;
	http_data_cb		 data_cb;
	http_done_cb		 done_cb;

	CURL			*easy;		/* while active */
	CURLcode		 result;
	char			 errbuf[CURL_ERROR_SIZE];
	char			*error;		/* our own reason (owned) */
	int			 status;
	int			 head_done;	/* final response headers seen */
	int			 streaming;	/* 2xx body goes to data_cb */
	char			*content_type;
	char			*location;
	char			*stream_id;
	struct buf		 resp;		/* collected body */
	double			 elapsed_s;

	TAILQ_ENTRY(http_req)	 link;		/* lane queue, active or done */
};
TAILQ_HEAD(http_reqs, http_req);

struct http_sock {
	curl_socket_t		 fd;
	struct ev_io		 io;
	struct http		*http;
	LIST_ENTRY(http_sock)	 link;
};

struct http {
	struct ev_loop		*loop;
	CURLM			*multi;
	struct ev_timer		 timer;		/* libcurl's timeout */
	char			*ca_file;
	int			 tls_verify;
	char			*cert_file;	/* client certificate or NULL */
	char			*key_file;
	char			*username;
	char			*password;
	long			 connect_timeout_ms;
	int			 depth;		/* nesting of http_enter */
	unsigned		 limit[HTTP_LANE_MAX];	/* 0 = no limit */
	unsigned		 active_n[HTTP_LANE_MAX];
	struct http_reqs	 queue[HTTP_LANE_MAX];
	struct http_reqs	 active;	/* easy handle in the multi */
	struct http_reqs	 done;		/* finished, callback pending */
	LIST_HEAD(, http_sock)	 socks;
	CURL			*spare[HTTP_SPARE_EASY];
	size_t			 nspare;
};

static const char *http_lane_names[HTTP_LANE_MAX] = {
	"direct", "ordered", "pool"
};

static void	http_leave(struct http *);

const char *
http_lane_name(enum http_lane lane)
{
	return lane < HTTP_LANE_MAX ? http_lane_names[lane] : "?";
}

/* Notes that we are about to call into libcurl or run user callbacks. */
static void
http_enter(struct http *h)
{
	h->depth++;
}

/* Runs libcurl's socket action for fd (or its timeout), then the deferred work. */
static void
http_action(struct http *h, curl_socket_t fd, int action)
{
	int running;
	CURLMcode mc;

	http_enter(h);
	mc = curl_multi_socket_action(h->multi, fd, action, &running);
	if (mc != CURLM_OK && mc != CURLM_BAD_SOCKET)
		log_warn("http: curl_multi_socket_action: %s",
		    curl_multi_strerror(mc));
	http_leave(h);
}

/* ev_timer: libcurl's timeout expired. */
static void
http_timer_cb(struct ev_loop *loop, struct ev_timer *w, int revents)
{
	struct http *h = w->data;

	http_action(h, CURL_SOCKET_TIMEOUT, 0);
}

/* CURLMOPT_TIMERFUNCTION: (re)arms our one timer; -1 removes it. */
static int
http_multi_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
	struct http *h = arg;

	ev_timer_stop(h->loop, &h->timer);
	if (timeout_ms >= 0) {
		/* 0 ms: a 0 s timer, never a call into libcurl from here. */
		ev_timer_set(&h->timer, timeout_ms / 1000.0, 0.);
		ev_timer_start(h->loop, &h->timer);
	}
	return 0;
}

/* ev_io: a socket libcurl watches is ready. */
static void
http_io_cb(struct ev_loop *loop, struct ev_io *w, int revents)
{
	struct http_sock *s = w->data;
	struct http *h = s->http;
	int action = 0;

	if (revents & EV_READ)
		action |= CURL_CSELECT_IN;
	if (revents & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	/* s may be freed inside: do not touch it afterwards. */
	http_action(h, s->fd, action);
}

/* Stops watching a socket and frees its watcher. */
static void
http_sock_free(struct http *h, struct http_sock *s)
{
	ev_io_stop(h->loop, &s->io);
	LIST_REMOVE(s, link);
	free(s);
}

/* CURLMOPT_SOCKETFUNCTION: watch, re-watch or forget a socket. */
static int
http_multi_sock_cb(CURL *easy, curl_socket_t fd, int what, void *arg,
    void *sockp)
{
	struct http *h = arg;
	struct http_sock *s = sockp;
	int events = 0;

	if (what == CURL_POLL_REMOVE) {
		if (s != NULL)
			http_sock_free(h, s);
		return 0;
	}
	if (what & CURL_POLL_IN)
		events |= EV_READ;
	if (what & CURL_POLL_OUT)
		events |= EV_WRITE;
	if (s == NULL) {
		s = xcalloc(1, sizeof *s);
		s->http = h;
		s->fd = fd;
		s->io.data = s;
		LIST_INSERT_HEAD(&h->socks, s, link);
		curl_multi_assign(h->multi, fd, s);
	} else
		ev_io_stop(h->loop, &s->io);
	s->fd = fd;
	/* ev_io_init (not just set) so a reused fd number is re-registered. */
	ev_io_init(&s->io, http_io_cb, fd, events);
	ev_io_start(h->loop, &s->io);
	return 0;
}

struct http *
http_create(struct ev_loop *loop, const struct http_opts *o)
{
	static int curl_ready;
	struct http *h;
	int i;

	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = 1;
	}
	h = xcalloc(1, sizeof *h);
	h->loop = loop;
	h->ca_file = o->ca_file != NULL ? xstrdup(o->ca_file) : NULL;
	h->tls_verify = o->tls_verify;
	h->cert_file = o->cert_file != NULL ? xstrdup(o->cert_file) : NULL;
	h->key_file = o->key_file != NULL ? xstrdup(o->key_file) : NULL;
	h->username = o->username != NULL ? xstrdup(o->username) : NULL;
	h->password = o->password != NULL ? xstrdup(o->password) : NULL;
	h->connect_timeout_ms = (long)(o->connect_timeout_s * 1000.0);
	h->limit[HTTP_LANE_DIRECT] = 0;
	h->limit[HTTP_LANE_ORDERED] = 1;
	h->limit[HTTP_LANE_POOL] = o->pool_size > 0 ? o->pool_size : 1;
	for (i = 0; i < HTTP_LANE_MAX; i++)
		TAILQ_INIT(&h->queue[i]);
	TAILQ_INIT(&h->active);
	TAILQ_INIT(&h->done);
	LIST_INIT(&h->socks);

	h->multi = curl_multi_init();
	if (h->multi == NULL) {
		fprintf(stderr, "ark: curl_multi_init failed\n");
		abort();
	}
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, http_multi_sock_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, http_multi_timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	/* Room for every pool connection, the ordered lane, the stream and
	 * a few direct requests, so kept-alive connections are not evicted. */
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS,
	    (long)h->limit[HTTP_LANE_POOL] + 8);
	ev_timer_init(&h->timer, http_timer_cb, 0., 0.);
	h->timer.data = h;
	return h;
}

/* Frees a request that libcurl no longer knows. */
static void
http_req_destroy(struct http_req *r)
{
	free(r->url);
	curl_slist_free_all(r->headers);
	free(r->body);
	free(r->error);
	free(r->content_type);
	free(r->location);
	free(r->stream_id);
	buf_clear(&r->resp);
	free(r);
}

/* Takes an active request's easy handle out of the multi handle. */
static void
http_req_detach(struct http_req *r)
{
	struct http *h = r->http;
	CURL *e = r->easy;

	TAILQ_REMOVE(&h->active, r, link);
	h->active_n[r->lane]--;
	r->easy = NULL;
	curl_multi_remove_handle(h->multi, e);
	if (h->nspare < HTTP_SPARE_EASY) {
		curl_easy_reset(e);
		h->spare[h->nspare++] = e;
	} else
		curl_easy_cleanup(e);
}

void
http_free(struct http *h)
{
	struct http_sock *s;
	size_t i;

	if (h == NULL)
		return;
	http_cancel_all(h);
	curl_multi_cleanup(h->multi);
	for (i = 0; i < h->nspare; i++)
		curl_easy_cleanup(h->spare[i]);
	while ((s = LIST_FIRST(&h->socks)) != NULL)
		http_sock_free(h, s);
	ev_timer_stop(h->loop, &h->timer);
	free(h->ca_file);
	free(h->cert_file);
	free(h->key_file);
	free(h->username);
	free(h->password);
	free(h);
}

struct http_req *
http_req_create(struct http *h, enum http_lane lane, const char *url,
    void *arg)
{
	struct http_req *r = xcalloc(1, sizeof *r);

	r->http = h;
	r->lane = lane < HTTP_LANE_MAX ? lane : HTTP_LANE_DIRECT;
	r->state = HTTP_REQ_NEW;
	r->url = xstrdup(url);
	r->arg = arg;
	r->max_body = HTTP_DEFAULT_MAX_BODY;
	buf_init(&r->resp, r->max_body);
	/* No "Expect: 100-continue" round trip before a large body. */
	r->headers = curl_slist_append(NULL, "Expect:");
	return r;
}

void
http_req_header(struct http_req *r, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	r->headers = curl_slist_append(r->headers, line);
	free(line);
}

void
http_req_body(struct http_req *r, char *data, size_t len)
{
	free(r->body);
	r->body = data;
	r->body_len = len;
	r->post = 1;
}

void
http_req_timeout(struct http_req *r, double s)
{
	r->timeout_s = s;
}

void
http_req_max_body(struct http_req *r, size_t n)
{
	r->max_body = n;
	r->resp.max = n;
}

void
http_req_stream(struct http_req *r, http_head_cb head, http_data_cb data)
{
	r->head_cb = head;
	r->data_cb = data;
}

void
http_req_on_done(struct http_req *r, http_done_cb done)
{
	r->done_cb = done;
}

/* Keeps a copy of a header value, trimmed of blanks and the line end. */
static void
http_header_value(char **slot, const char *v, size_t n)
{
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' ||
	    v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	free(*slot);
	*slot = xstrndup(v, n);
}

/* Keeps the value of header line p if its name is name (with the colon). */
static void
http_header_match(const char *p, size_t n, const char *name, char **slot)
{
	size_t k = strlen(name);

	if (n >= k && strncasecmp(p, name, k) == 0)
		http_header_value(slot, p + k, n - k);
}

/* Fills a response view of the request for a callback. */
static void
http_req_response(struct http_req *r, struct http_response *resp)
{
	memset(resp, 0, sizeof *resp);
	resp->status = r->status;
	resp->content_type = r->content_type;
	resp->location = r->location;
	resp->stream_id = r->stream_id;
	resp->body = r->resp.data != NULL ? r->resp.data : "";
	resp->body_len = r->resp.len;
	resp->elapsed_s = r->elapsed_s;
	resp->timed_out = r->result == CURLE_OPERATION_TIMEDOUT;
	if (r->error != NULL)
		resp->error = r->error;
	else if (r->result != CURLE_OK)
		resp->error = r->errbuf[0] != '\0' ? r->errbuf :
		    curl_easy_strerror(r->result);
}

/* CURLOPT_HEADERFUNCTION: status line, headers of interest, end of head. */
static size_t
http_header_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct http_req *r = arg;
	size_t n = size * nmemb, k;
	struct http_response resp;
	const char *sp;
	int status;

	if (r->cancelled)
		return 0;
	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* A new response (after a 1xx one): forget the last head. */
		sp = memchr(p, ' ', n);
		status = 0;
		if (sp != NULL)
			for (k = 1; k <= 3 && sp + k < p + n &&
			    sp[k] >= '0' && sp[k] <= '9'; k++)
				status = status * 10 + (sp[k] - '0');
		r->status = status;
		r->head_done = 0;
		free(r->content_type);
		free(r->location);
		free(r->stream_id);
		r->content_type = r->location = r->stream_id = NULL;
		return n;
	}
	if (r->head_done)
		return n;	/* trailers of a chunked body */
	if (n <= 2 && (n == 0 || p[0] == '\r' || p[0] == '\n')) {
		if (r->status >= 100 && r->status < 200)
			return n;
		r->head_done = 1;
		r->streaming = r->data_cb != NULL && r->status / 100 == 2;
		if (r->head_cb != NULL) {
			http_req_response(r, &resp);
			r->head_cb(r->arg, r, &resp);
			if (r->cancelled)
				return 0;
		}
		return n;
	}
	http_header_match(p, n, "Content-Type:", &r->content_type);
	http_header_match(p, n, "Location:", &r->location);
	http_header_match(p, n, "Mesos-Stream-Id:", &r->stream_id);
	return n;
}

/* CURLOPT_WRITEFUNCTION: a streamed chunk, or more of a collected body. */
static size_t
http_write_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct http_req *r = arg;
	size_t n = size * nmemb;

	if (r->cancelled)
		return 0;
	if (r->streaming) {
		r->data_cb(r->arg, r, p, n);
		return r->cancelled ? 0 : n;
	}
	if (buf_add(&r->resp, p, n) != 0) {
		free(r->error);
		r->error = xasprintf("response body larger than %zu bytes",
		    r->max_body);
		return 0;
	}
	return n;
}

/* Hands a request's transfer to libcurl; -1 if libcurl refuses it. */
static int
http_req_start(struct http_req *r)
{
	struct http *h = r->http;
	CURL *e;
	CURLMcode mc;

	if (h->nspare > 0)
		e = h->spare[--h->nspare];
	else {
		e = curl_easy_init();
		if (e == NULL) {
			fprintf(stderr, "ark: curl_easy_init failed\n");
			abort();
		}
	}
	r->easy = e;
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, http_header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
	if (r->post) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)r->body_len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS,
		    r->body != NULL ? r->body : "");
	} else
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(r->timeout_s * 1000.0));
	if (h->connect_timeout_ms > 0)
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
		    h->connect_timeout_ms);
	if (h->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_file);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, h->tls_verify ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, h->tls_verify ? 2L : 0L);
	/* Paths, not blobs: libcurl reads them for every new connection, so a
	 * renewed certificate applies without a restart. */
	if (h->cert_file != NULL) {
		curl_easy_setopt(e, CURLOPT_SSLCERT, h->cert_file);
		curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(e, CURLOPT_SSLKEY, h->key_file);
		curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
	}
	if (h->username != NULL) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, h->username);
		curl_easy_setopt(e, CURLOPT_PASSWORD,
		    h->password != NULL ? h->password : "");
	}
	r->state = HTTP_REQ_ACTIVE;
	TAILQ_INSERT_TAIL(&h->active, r, link);
	h->active_n[r->lane]++;
	mc = curl_multi_add_handle(h->multi, e);
	if (mc != CURLM_OK) {
		TAILQ_REMOVE(&h->active, r, link);
		h->active_n[r->lane]--;
		r->easy = NULL;
		curl_easy_cleanup(e);
		r->error = xasprintf("cannot start request: %s",
		    curl_multi_strerror(mc));
		return -1;
	}
	return 0;
}

/* Starts queued requests while their lanes have room; 1 if any started. */
static int
http_pump(struct http *h)
{
	struct http_req *r;
	int i, started = 0;

	for (i = 0; i < HTTP_LANE_MAX; i++) {
		while ((r = TAILQ_FIRST(&h->queue[i])) != NULL &&
		    (h->limit[i] == 0 || h->active_n[i] < h->limit[i])) {
			TAILQ_REMOVE(&h->queue[i], r, link);
			started = 1;
			if (http_req_start(r) != 0) {
				r->state = HTTP_REQ_DONE;
				TAILQ_INSERT_TAIL(&h->done, r, link);
			}
		}
	}
	return started;
}

/* Moves finished transfers from libcurl to our done list; 1 if any. */
static int
http_collect(struct http *h)
{
	struct http_req *r;
	CURLMsg *m;
	char *priv;
	int left, any = 0;
	double t;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		priv = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		if (priv == NULL)
			continue;
		r = (struct http_req *)(void *)priv;
		r->result = m->data.result;	/* m dies with the handle */
		t = 0;
		curl_easy_getinfo(r->easy, CURLINFO_TOTAL_TIME, &t);
		r->elapsed_s = t;
		if (r->status == 0) {
			long code = 0;

			curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE,
			    &code);
			r->status = (int)code;
		}
		http_req_detach(r);
		r->state = HTTP_REQ_DONE;
		TAILQ_INSERT_TAIL(&h->done, r, link);
		any = 1;
	}
	return any;
}

/* Removes requests cancelled while libcurl was busy; 1 if any. */
static int
http_reap(struct http *h)
{
	struct http_req *r, *next;
	int any = 0;

	for (r = TAILQ_FIRST(&h->active); r != NULL; r = next) {
		next = TAILQ_NEXT(r, link);
		if (!r->cancelled)
			continue;
		http_req_detach(r);
		http_req_destroy(r);
		any = 1;
	}
	return any;
}

/*
 * Leaves a libcurl call or callback section; the outermost one runs the
 * deferred work until none is left: reap cancelled transfers, collect
 * finished ones, run their done callbacks one at a time (each may add more
 * work), and start queued requests.
 */
static void
http_leave(struct http *h)
{
	struct http_req *r;
	struct http_response resp;
	int more;

	if (h->depth > 1) {
		h->depth--;
		return;
	}
	do {
		more = http_reap(h);
		more |= http_collect(h);
		r = TAILQ_FIRST(&h->done);
		if (r != NULL) {
			TAILQ_REMOVE(&h->done, r, link);
			if (!r->cancelled && r->done_cb != NULL) {
				http_req_response(r, &resp);
				r->done_cb(r->arg, r, &resp);
			}
			http_req_destroy(r);
			more = 1;
		}
		more |= http_pump(h);
	} while (more);
	h->depth = 0;
}

void
http_submit(struct http_req *r)
{
	struct http *h = r->http;

	if (r->state != HTTP_REQ_NEW)
		return;
	r->state = HTTP_REQ_QUEUED;
	TAILQ_INSERT_TAIL(&h->queue[r->lane], r, link);
	if (h->depth == 0) {
		http_enter(h);
		http_leave(h);
	}
}

void
http_req_cancel(struct http_req *r)
{
	struct http *h;

	if (r == NULL || r->cancelled)
		return;
	h = r->http;
	r->cancelled = 1;
	switch (r->state) {
	case HTTP_REQ_NEW:
		http_req_destroy(r);
		break;
	case HTTP_REQ_QUEUED:
		TAILQ_REMOVE(&h->queue[r->lane], r, link);
		http_req_destroy(r);
		break;
	case HTTP_REQ_ACTIVE:
		/* Inside libcurl it must wait for http_leave's reaping. */
		if (h->depth == 0) {
			http_enter(h);
			http_leave(h);
		}
		break;
	case HTTP_REQ_DONE:
	default:
		/* http_leave frees it without calling back. */
		break;
	}
}

void
http_req_pause(struct http_req *r, int paused)
{
	struct http *h;
	CURLcode rc;

	if (r == NULL || r->cancelled || r->state != HTTP_REQ_ACTIVE ||
	    r->easy == NULL)
		return;
	h = r->http;
	/* Resuming may deliver buffered data through the write callback. */
	http_enter(h);
	rc = curl_easy_pause(r->easy, paused ? CURLPAUSE_RECV : CURLPAUSE_CONT);
	if (rc != CURLE_OK)
		log_warn("http: %s %s: %s", paused ? "pausing" : "resuming",
		    r->url, curl_easy_strerror(rc));
	http_leave(h);
}

void
http_cancel_all(struct http *h)
{
	struct http_req *r;
	int i;

	for (i = 0; i < HTTP_LANE_MAX; i++)
		while ((r = TAILQ_FIRST(&h->queue[i])) != NULL)
			http_req_cancel(r);
	TAILQ_FOREACH(r, &h->active, link)
		r->cancelled = 1;
	TAILQ_FOREACH(r, &h->done, link)
		r->cancelled = 1;
	if (h->depth == 0) {
		/* Frees them all now: nothing is left to call back. */
		http_enter(h);
		http_leave(h);
	}
}

size_t
http_lane_load(const struct http *h, enum http_lane lane)
{
	const struct http_req *r;
	size_t n;

	if (lane >= HTTP_LANE_MAX)
		return 0;
	n = h->active_n[lane];
	TAILQ_FOREACH(r, &h->queue[lane], link)
		n++;
	return n;
}
