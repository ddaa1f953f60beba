/*
 * http — libcurl's multi interface driven by libev: one ev_io per socket
 * libcurl asks about, one ev_timer for libcurl's timeout, no polling and no
 * threads of our own. It carries two kinds of request: a streaming one (the
 * SUBSCRIBE response, whose 2xx body is handed over chunk by chunk as it
 * arrives) and one-shot ones (a call: the body is collected up to a bound and
 * handed over at the end). Requests go out on lanes: the direct lane has no
 * limit, the ordered lane has at most one request in flight and keeps the
 * rest in FIFO order, the pool lane runs up to pool_size in parallel.
 * Connections are kept alive and reused by libcurl's connection cache.
 *
 * It knows nothing of Mesos beyond capturing the Mesos-Stream-Id header.
 * Callbacks run from the loop, never from inside a libcurl call that forbids
 * re-entry: submitting, cancelling and freeing requests from any callback is
 * safe (the work is deferred until libcurl has returned).
 */
#ifndef ARK_HTTP_H
#define ARK_HTTP_H

#include <stddef.h>

struct ev_loop;
struct http;
struct http_req;

enum http_lane {
	HTTP_LANE_DIRECT,	/* no limit: the stream, detection, operator */
	HTTP_LANE_ORDERED,	/* one request in flight, the rest FIFO */
	HTTP_LANE_POOL,		/* up to pool_size requests in flight */
	HTTP_LANE_MAX
};

struct http_opts {
	const char	*ca_file;	/* TLS CA bundle; NULL = system default */
	int		 tls_verify;	/* verify peer and host name (default on) */
	const char	*cert_file;	/* PEM client certificate; NULL = none */
	const char	*key_file;	/* its unencrypted PEM key */
	const char	*username;	/* HTTP Basic principal; NULL = no auth */
	const char	*password;	/* HTTP Basic secret */
	unsigned	 pool_size;	/* parallel requests on HTTP_LANE_POOL */
	double		 connect_timeout_s;	/* 0 = libcurl's default */
};

/*
 * What a request got back. Strings and the body belong to the request and
 * live until the callback they are passed to returns.
 */
struct http_response {
	int		 status;	/* HTTP status; 0 if none arrived */
	const char	*content_type;	/* Content-Type, or NULL */
	const char	*location;	/* Location, or NULL */
	const char	*stream_id;	/* Mesos-Stream-Id, or NULL */
	const char	*body;		/* collected body, NUL-terminated; empty
					 * for a streamed 2xx body */
	size_t		 body_len;
	const char	*error;		/* NULL, or why the transfer failed
					 * (connection, timeout, body too big) */
	int		 timed_out;	/* the request's timeout expired */
	double		 elapsed_s;	/* from start of transfer to the end */
};

/*
 * Called when the response headers are complete (streaming requests only):
 * a 2xx body then goes to the data callback, any other body is collected
 * and given to the done callback.
 */
typedef void	(*http_head_cb)(void *arg, struct http_req *,
		    const struct http_response *);
/* Called with each chunk of a streamed 2xx body as it arrives. */
typedef void	(*http_data_cb)(void *arg, struct http_req *, const char *,
		    size_t);
/*
 * Called once when the request ends (answered, failed or timed out), never
 * after http_req_cancel(). The request is freed when it returns.
 */
typedef void	(*http_done_cb)(void *arg, struct http_req *,
		    const struct http_response *);

/* Creates a client on loop; options are copied. */
struct http	*http_create(struct ev_loop *, const struct http_opts *);
/*
 * Cancels every request (no callbacks) and frees the client. Must not be
 * called from one of its own callbacks.
 */
void		 http_free(struct http *);

/*
 * Creates a request for url on a lane; arg is passed to every callback.
 * The request belongs to the client; the caller keeps the pointer only until
 * the done callback returns or until it cancels the request.
 */
struct http_req	*http_req_create(struct http *, enum http_lane,
		    const char *url, void *arg);
/* Adds a request header ("Name: value"). */
void		 http_req_header(struct http_req *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* Makes it a POST with this body; takes ownership of data (malloc'ed). */
void		 http_req_body(struct http_req *, char *data, size_t len);
/* Limits the whole transfer to s seconds (0 = none, for streams). */
void		 http_req_timeout(struct http_req *, double s);
/* Bounds a collected body (default 1 MiB); a longer one fails the request. */
void		 http_req_max_body(struct http_req *, size_t);
/* Makes it a streaming request. */
void		 http_req_stream(struct http_req *, http_head_cb, http_data_cb);
void		 http_req_on_done(struct http_req *, http_done_cb);
/* Queues the request on its lane; it starts when the lane has room. */
void		 http_submit(struct http_req *);
/*
 * Stops a request, queued or in flight; no callback of it runs afterwards.
 * Safe from any callback, including the request's own; accepts NULL.
 */
void		 http_req_cancel(struct http_req *);
/*
 * Stops (paused = 1) or resumes (0) reading a streaming request's response:
 * a receiver that cannot keep up leaves the backlog in the sender's TCP
 * window. Bytes libcurl already read are delivered on resume. Safe from any
 * callback; no effect on a request not in flight.
 */
void		 http_req_pause(struct http_req *, int paused);
/* Cancels every request of the client (no callbacks). */
void		 http_cancel_all(struct http *);
/* Requests queued or in flight on a lane. */
size_t		 http_lane_load(const struct http *, enum http_lane);
const char	*http_lane_name(enum http_lane);

#endif
