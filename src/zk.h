/*
 * zk — a small wrapper over the multi-threaded ZooKeeper C client
 * (libzookeeper_mt) for one libev loop, and the pure helpers that ZooKeeper
 * URLs and sequential node names need.
 *
 * The client's callbacks run on ZooKeeper's own threads; they only copy
 * what they learned into a mutex-protected inbox and wake the loop with an
 * ev_async. On the loop thread the inbox becomes calls of the owner's one
 * callback (struct zk_event). Requests are asynchronous (zoo_a*): their
 * outcome arrives later as a ZK_EVENT_RESULT with the caller's tag, even
 * when the request could not be sent. When the session expires, the wrapper
 * closes the handle and opens a new session by itself; results and watches
 * of an older session are dropped, so owners (re)start their work on every
 * ZK_CONNECTED.
 */
#ifndef ARK_ZK_H
#define ARK_ZK_H

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct zk;

/* A parsed zk:// URL. */
struct zk_url {
	char	*hosts;		/* "host1:port1,host2:port2" (owned) */
	char	*path;		/* "/a/b": no trailing slash (owned) */
};

/*
 * Parses "zk://host1:port1,host2:port2/path" into out (cleared with
 * zk_url_clear). -1 with *cause (caller frees) naming the URL and what is
 * wrong with it.
 */
int		 zk_url_parse(const char *url, struct zk_url *out, char **cause);
void		 zk_url_clear(struct zk_url *);

/*
 * The sequence number of a sequential node's name: name must start with
 * prefix and end with the 10 (or more, at most 19) digits ZooKeeper
 * appends. -1 if it does not.
 */
int64_t		 zk_seq(const char *name, const char *prefix);
/*
 * The index among names[0..n) of the name with prefix and the lowest
 * sequence number (ties: the smaller name), or -1 if none has one.
 */
long		 zk_lowest(char *const *names, size_t n, const char *prefix);
/*
 * The index of the name with prefix whose sequence number is the highest
 * below seq (the node just before it), or -1 if none.
 */
long		 zk_before(char *const *names, size_t n, const char *prefix,
		    int64_t seq);

/* The result codes owners look at (ZooKeeper's values; zk.c checks). */
#define ZK_OK		0
#define ZK_NONODE	(-101)
#define ZK_NODEEXISTS	(-110)
#define ZK_NOTEMPTY	(-111)

enum zk_session_state {
	ZK_CONNECTING,	/* no session yet, or the connection was lost (the
			 * session may still live on the servers) */
	ZK_CONNECTED,	/* a session is up */
	ZK_EXPIRED,	/* the session expired: its ephemeral nodes and
			 * watches are gone; a new session is on its way */
	ZK_SESSION_MAX
};

enum zk_event_type {
	ZK_EVENT_SESSION,	/* state changed */
	ZK_EVENT_WATCH,		/* a watch fired on path */
	ZK_EVENT_RESULT,	/* a request finished */
	ZK_EVENT_MAX
};

enum zk_op {
	ZK_OP_CREATE,
	ZK_OP_DELETE,
	ZK_OP_EXISTS,
	ZK_OP_GET,
	ZK_OP_SET,
	ZK_OP_CHILDREN,
	ZK_OP_MAX
};

enum zk_watch {
	ZK_WATCH_CREATED,	/* the node was created */
	ZK_WATCH_DELETED,	/* the node was deleted */
	ZK_WATCH_CHANGED,	/* its data changed */
	ZK_WATCH_CHILD,		/* its children changed */
	ZK_WATCH_OTHER,
	ZK_WATCH_MAX
};

/* What the owner's callback gets; every pointer lives during the call. */
struct zk_event {
	enum zk_event_type type;
	enum zk_session_state state;	/* SESSION: the new state */
	enum zk_watch	 watch;		/* WATCH: what happened */
	const char	*path;		/* WATCH, RESULT: the node */
	enum zk_op	 op;		/* RESULT */
	uint64_t	 tag;		/* RESULT: as given to the request */
	int		 rc;		/* RESULT: ZK_OK or a ZooKeeper error */
	const char	*data;		/* GET: the node's data (NUL-added) */
	size_t		 len;		/* GET: its length */
	int		 version;	/* GET, SET, EXISTS: the data version */
	char *const	*children;	/* CHILDREN: their names */
	size_t		 nchildren;
	const char	*created;	/* CREATE: the path created */
};

/*
 * Starts connecting to hosts ("h1:p1,h2:p2") with the given session
 * timeout. cb(arg, ev) is called on the loop thread; it may send requests
 * but must not free the zk. Returns NULL with *cause (caller frees) if the
 * client cannot be set up at all.
 */
struct zk	*zk_create(struct ev_loop *, const char *hosts,
		    double session_timeout_s,
		    void (*cb)(void *arg, const struct zk_event *), void *arg,
		    char **cause);
/* Closes the session (its ephemeral nodes go at once) and frees it all. */
void		 zk_free(struct zk *);
enum zk_session_state zk_state(const struct zk *);
/* The negotiated session timeout in seconds (0 before the first session). */
double		 zk_session_timeout(const struct zk *);
/*
 * The current session's id and password (for the logs, and for tests that
 * end the session from elsewhere); -1 while there is no session.
 */
int		 zk_session_credentials(const struct zk *, int64_t *id,
		    char passwd[16]);

/*
 * Requests: each ends with exactly one ZK_EVENT_RESULT carrying tag, unless
 * the session expires first. watch sets a one-shot watch (ZK_EVENT_WATCH).
 */
void		 zk_get_children(struct zk *, const char *path, int watch,
		    uint64_t tag);
void		 zk_get(struct zk *, const char *path, int watch, uint64_t tag);
void		 zk_exists(struct zk *, const char *path, int watch,
		    uint64_t tag);
/* Creates path (data copied); ephemeral/sequence as ZooKeeper means them. */
void		 zk_create_node(struct zk *, const char *path, const char *data,
		    size_t len, int ephemeral, int sequence, uint64_t tag);
/* version -1: any. */
void		 zk_set(struct zk *, const char *path, const char *data,
		    size_t len, int version, uint64_t tag);
void		 zk_delete(struct zk *, const char *path, int version,
		    uint64_t tag);

/*
 * Why zookeeper_init failed with errno err for hosts ("h1:p1,h2:p2"), as
 * text (caller frees). zookeeper_init turns a name that does not resolve
 * into ENOENT ("No such file or directory"); this names every host that
 * cannot be resolved and getaddrinfo's reason instead, else strerror(err).
 * Resolves the names again: call it on a failure only.
 */
char		*zk_open_error(const char *hosts, int err);

/* ZooKeeper's text for an error code. */
const char	*zk_error(int rc);
const char	*zk_session_state_name(enum zk_session_state);
const char	*zk_op_name(enum zk_op);
/* Nonzero for the codes that mean the connection or session went away. */
int		 zk_rc_lost(int rc);

#endif
