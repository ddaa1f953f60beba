/*
 * admin — the operator HTTP API (libmicrohttpd in external-poll mode, driven
 * by the libev loop; no threads). admin.c parses each request into a typed
 * struct admin_req (route, path arguments, filters, validated body), rejects
 * what is malformed itself (404, 405, 400, 401, 403, 413, 429), and hands the rest
 * to the dispatcher as a MSG_ADMIN; the reply comes back as an EFFECT_REPLY,
 * so every answer reflects exactly the state the scheduler acts on.
 */
#ifndef ARK_ADMIN_H
#define ARK_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "admin-req.h"

struct admin;
struct ev_loop;
struct msg_queue;

/* How the API listens and whom it lets in. Strings are copied. */
struct admin_opts {
	const char	*listen;	/* "host:port" or "[v6]:port"; port 0
					 * picks a free one */
	const char	*token_file;	/* the token that may do anything; NULL:
					 * every request is let in */
	const char	*read_token_file; /* a token that may only read, or NULL */
	const char	*tls_cert_file;	/* PEM certificate(s); NULL: plain HTTP */
	const char	*tls_key_file;	/* its PEM key */
	int		 insecure;	/* allow beyond loopback without TLS and
					 * token */
	int		 open_metrics;	/* GET /metrics needs no token */
};

/*
 * Starts listening as o says. Requests become MSG_ADMIN messages pushed on
 * q. Once a token is configured every request but GET /healthz and /readyz
 * (and /metrics with open_metrics) needs it; the read-only token is enough
 * for GET and HEAD. Beyond loopback, TLS and a token are required unless
 * insecure is set. Returns NULL with *cause set (caller frees) on failure.
 */
struct admin	*admin_create(struct ev_loop *, const struct admin_opts *o,
		    struct msg_queue *q, char **cause);
void		 admin_free(struct admin *);
int		 admin_port(const struct admin *);	/* the bound port */
/* Answers request id; body is copied. Unknown ids (client gone) are ignored. */
void		 admin_reply(struct admin *, uint64_t id, int status,
		    const char *content_type, const char *body, size_t len);
/*
 * Tunes the limits (tests use small ones): requests per second and burst per
 * client address, and the seconds a request waits for its reply before it
 * is answered 503. Defaults: 50/s, burst 100, 30 s.
 */
void		 admin_set_limits(struct admin *, double rate, double burst,
		    double reply_timeout);
/* Requests handed to the dispatcher and not answered yet. */
size_t		 admin_pending(const struct admin *);
/*
 * Parses a request as the server does, without a connection (tests and the
 * fuzz target): method, decoded path, query as key, value pairs ending with
 * a NULL key (NULL = none), body. Returns the request (caller frees with
 * admin_req_free; id is 0), or NULL with *status 400, 404, 405 or 413 and
 * *cause set (caller frees); GET /healthz gives NULL with *status 200.
 */
struct admin_req *admin_parse(const char *method, const char *path,
		    const char *const *query, const char *body, size_t len,
		    int *status, char **cause);

#endif
