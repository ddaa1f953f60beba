/*
 * leader — the election between arkd instances (see leader.h).
 *
 * The steps, each a request whose tag holds the epoch (bumped by every
 * restart, which makes older answers stale) and the step:
 *
 *   session connected -> create the path's missing parents -> create our
 *   node (unless it survived a reconnection) -> list the children:
 *     ours lowest:  watch our own node, read path/framework_id -> ELECTED
 *     else:         watch the node just before ours -> FOLLOWER
 *   the watched node deleted -> list again.
 *
 * A create whose answer was lost may still have made our node: its name
 * carries a token of this process, so the next listing finds and keeps it
 * instead of leaving a second node behind. Unexpected errors are retried
 * after a second, never in a loop.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>
#include <jansson.h>

#include "leader.h"
#include "log.h"
#include "msg.h"
#include "xmalloc.h"
#include "zk.h"

#define LEADER_RETRY_S		1.0
#define LEADER_FID_MAX		256

enum leader_step {
	LS_PARENT = 1,	/* a parent of the path (arg: its length) */
	LS_CREATE,	/* our node */
	LS_LIST,	/* the children */
	LS_PRED,	/* the node before ours (watch) */
	LS_OWN,		/* our own node (watch, while leading) */
	LS_FID_GET,	/* path/framework_id, when elected */
	LS_FID_CREATE,	/* path/framework_id, published */
	LS_FID_SET,
	LS_DELETE,	/* our node, resigning */
	LS_WHO,		/* the leader's node, for its instance id */
	LS_RT_GET,	/* path/runtime, when elected */
	LS_RT_CREATE,	/* path/runtime, published */
	LS_RT_SET,
	LS_STEP_MAX
};

#define LS_TAG(e, s, a)	((uint64_t)(e) << 24 | (uint64_t)(s) << 16 | \
	(uint64_t)((a) & 0xffff))

static const char *leader_role_names[LEADER_ROLE_MAX] = {
	"joining", "following", "electing", "leading"
};

struct leader {
	struct ev_loop	*loop;
	struct zk	*zk;
	struct zk_url	 url;
	char		*instance;	/* our instance id */
	char		 token[17];	/* in our node's name */
	double		 timeout_s;
	void		(*cb)(void *, const struct leader_event *);
	void		*arg;

	enum leader_role role;
	uint64_t	 epoch;
	char		*own;		/* our node's path, NULL if none */
	char		*watching;	/* the node before ours */
	char		*leader_node;	/* the lowest node, when following */
	char		*published;	/* FrameworkID known in path/framework_id */
	int		 published_removed;
	char		*publishing;	/* its JSON, while being written */
	char		*fid_read;	/* elected: path/framework_id's id */
	int		 fid_removed;
	char		*fid_error;	/* ... or why it is unusable */
	char		*runtime;	/* path/runtime as last read or written */
	char		*rt_pending;	/* being written */
	ev_timer	 retry;		/* after an unexpected error */
	ev_timer	 rejoin;	/* after resigning */
	int		 resigned;	/* waiting to rejoin */
};

const char *
leader_role_name(enum leader_role r)
{
	return r < LEADER_ROLE_MAX ? leader_role_names[r] : "?";
}

enum leader_role
leader_role(const struct leader *l)
{
	return l->role;
}

const char *
leader_path(const struct leader *l)
{
	return l->url.path;
}

/* ---- the framework_id node ---- */

int
leader_fid_parse(const char *data, size_t len, char **fid, int *removed,
    char **cause)
{
	json_error_t err;
	json_t *j, *f, *r;
	const char *s;
	int rc = -1;

	*fid = NULL;
	*removed = 0;
	j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
	if (j == NULL) {
		*cause = xasprintf("not JSON (%s)", err.text);
		return -1;
	}
	f = json_object_get(j, "framework_id");
	r = json_object_get(j, "removed");
	s = json_string_value(f);
	if (!json_is_object(j))
		*cause = xstrdup("not a JSON object");
	else if (s == NULL)
		*cause = xstrdup("no \"framework_id\" string");
	else if (*s == '\0' || strlen(s) > LEADER_FID_MAX ||
	    strpbrk(s, " \t\r\n\"\\/") != NULL)
		*cause = xasprintf("\"framework_id\" is not a FrameworkID: "
		    "\"%.64s\"", s);
	else if (r != NULL && !json_is_boolean(r))
		*cause = xstrdup("\"removed\" is not true or false");
	else {
		*fid = xstrdup(s);
		*removed = json_is_true(r);
		rc = 0;
	}
	json_decref(j);
	return rc;
}

char *
leader_fid_json(const char *fid, int removed, const char *instance)
{
	json_t *j = json_pack("{s:s, s:b, s:s, s:I}", "framework_id", fid,
	    "removed", removed != 0, "instance_id", instance, "updated_ms",
	    (json_int_t)msg_clock_wall());
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(j);
	return s;
}

/* ---- the election ---- */

static void leader_join(struct leader *);
static void leader_list(struct leader *);

/* Tells the owner. */
static void
leader_emit(struct leader *l, enum leader_event_type type, const char *reason)
{
	struct leader_event ev;

	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.reason = reason;
	l->cb(l->arg, &ev);
}

/* Changes role, logging it. */
static void
leader_set_role(struct leader *l, enum leader_role r, const char *why)
{
	if (l->role == r)
		return;
	log_info("ha: %s -> %s (%s)", leader_role_name(l->role),
	    leader_role_name(r), why);
	l->role = r;
}

/*
 * Leadership (or the election of us) ended: DEPOSED when we had been
 * leading, so the owner stops acting.
 */
static void
leader_lose(struct leader *l, const char *why)
{
	enum leader_role was = l->role;

	leader_set_role(l, LEADER_JOINING, why);
	free(l->publishing);
	l->publishing = NULL;
	free(l->rt_pending);
	l->rt_pending = NULL;
	if (was == LEADER_LEADING) {
		log_warn("ha: no longer the leader: %s", why);
		leader_emit(l, LEADER_DEPOSED, why);
	}
}

/* Tries the whole sequence again a second from now. */
static void
leader_later(struct leader *l, const char *what, int rc)
{
	log_warn("ha: ZooKeeper %s: %s failed: %s; trying again in %.0fs",
	    l->url.path, what, zk_error(rc), LEADER_RETRY_S);
	ev_timer_stop(l->loop, &l->retry);
	ev_timer_set(&l->retry, LEADER_RETRY_S, 0.);
	ev_timer_start(l->loop, &l->retry);
}

/* Starts over: a new epoch, from the path's parents. */
static void
leader_restart(struct leader *l)
{
	const char *p = l->url.path, *e = strchr(p + 1, '/');
	size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
	char *part;

	ev_timer_stop(l->loop, &l->retry);
	if (l->resigned)
		return;		/* the rejoin timer restarts us */
	l->epoch++;
	part = xstrndup(p, len);
	zk_create_node(l->zk, part, "", 0, 0, 0,
	    LS_TAG(l->epoch, LS_PARENT, len));
	free(part);
}

static void
leader_on_parent(struct leader *l, const struct zk_event *ev, unsigned len)
{
	const char *p = l->url.path, *e;
	char *part;
	size_t next;

	if (ev->rc != ZK_OK && ev->rc != ZK_NODEEXISTS) {
		if (!zk_rc_lost(ev->rc))
			leader_later(l, "creating the path", ev->rc);
		return;
	}
	if (len >= strlen(p)) {
		leader_join(l);
		return;
	}
	e = strchr(p + len + 1, '/');
	next = e != NULL ? (size_t)(e - p) : strlen(p);
	part = xstrndup(p, next);
	zk_create_node(l->zk, part, "", 0, 0, 0,
	    LS_TAG(l->epoch, LS_PARENT, next));
	free(part);
}

/* Creates our node unless we have one; then lists. */
static void
leader_join(struct leader *l)
{
	char *path, *data, host[256] = "";
	json_t *j;

	if (l->own != NULL) {
		leader_list(l);
		return;
	}
	gethostname(host, sizeof host - 1);
	j = json_pack("{s:s, s:s, s:i}", "instance_id", l->instance,
	    "hostname", host, "pid", (int)getpid());
	data = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	path = xasprintf("%s/%s%s_", l->url.path, LEADER_PREFIX, l->token);
	zk_create_node(l->zk, path, data, strlen(data), 1, 1,
	    LS_TAG(l->epoch, LS_CREATE, 0));
	free(path);
	free(data);
}

static void
leader_list(struct leader *l)
{
	zk_get_children(l->zk, l->url.path, 0, LS_TAG(l->epoch, LS_LIST, 0));
}

/* The last component of a path. */
static const char *
leader_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static void
leader_on_children(struct leader *l, const struct zk_event *ev)
{
	char *mine = NULL, *p;
	long lo, pred;
	size_t i;

	if (ev->rc != ZK_OK) {
		if (!zk_rc_lost(ev->rc))
			leader_later(l, "listing the instances", ev->rc);
		return;
	}
	/* Our node: the one we know, or one a lost answer created. */
	for (i = 0; i < ev->nchildren; i++) {
		const char *c = ev->children[i];

		if (zk_seq(c, LEADER_PREFIX) < 0)
			continue;
		if (l->own != NULL ? strcmp(c, leader_base(l->own)) == 0 :
		    strncmp(c + strlen(LEADER_PREFIX), l->token,
		    strlen(l->token)) == 0) {
			mine = ev->children[i];
			break;
		}
	}
	if (mine == NULL) {
		if (l->own != NULL)
			leader_lose(l, "our election node is gone");
		free(l->own);
		l->own = NULL;
		leader_join(l);
		return;
	}
	if (l->own == NULL)
		l->own = xasprintf("%s/%s", l->url.path, mine);
	lo = zk_lowest(ev->children, ev->nchildren, LEADER_PREFIX);
	if (lo >= 0 && ev->children[lo] == mine) {
		if (l->role == LEADER_LEADING || l->role == LEADER_ELECTING)
			return;
		leader_set_role(l, LEADER_ELECTING, "our node is the lowest");
		zk_exists(l->zk, l->own, 1, LS_TAG(l->epoch, LS_OWN, 0));
		p = xasprintf("%s/%s", l->url.path, LEADER_FID_NODE);
		zk_get(l->zk, p, 0, LS_TAG(l->epoch, LS_FID_GET, 0));
		free(p);
		return;
	}
	if (l->role == LEADER_LEADING || l->role == LEADER_ELECTING)
		leader_lose(l, "another instance's node is lower");
	pred = zk_before(ev->children, ev->nchildren, LEADER_PREFIX,
	    zk_seq(mine, LEADER_PREFIX));
	if (pred < 0 || lo < 0) {
		leader_later(l, "finding the node before ours", 0);
		return;
	}
	free(l->watching);
	l->watching = xasprintf("%s/%s", l->url.path, ev->children[pred]);
	zk_exists(l->zk, l->watching, 1, LS_TAG(l->epoch, LS_PRED, 0));
	p = xasprintf("%s/%s", l->url.path, ev->children[lo]);
	if (l->role != LEADER_FOLLOWING || l->leader_node == NULL ||
	    strcmp(l->leader_node, p) != 0) {
		free(l->leader_node);
		l->leader_node = p;
		leader_set_role(l, LEADER_FOLLOWING, "another instance leads");
		zk_get(l->zk, p, 0, LS_TAG(l->epoch, LS_WHO, 0));
	} else
		free(p);
}

/* Elected: path/framework_id has been read (or is missing); runtime next. */
static void
leader_on_fid(struct leader *l, const struct zk_event *ev)
{
	char *why = NULL, *p;

	if (l->role != LEADER_ELECTING)
		return;
	if (ev->rc != ZK_OK && ev->rc != ZK_NONODE) {
		if (!zk_rc_lost(ev->rc)) {
			leader_set_role(l, LEADER_JOINING, "retrying");
			leader_later(l, "reading the FrameworkID", ev->rc);
		}
		return;
	}
	free(l->fid_read);
	free(l->fid_error);
	l->fid_read = l->fid_error = NULL;
	l->fid_removed = 0;
	if (ev->rc == ZK_OK && leader_fid_parse(ev->data, ev->len,
	    &l->fid_read, &l->fid_removed, &why) != 0) {
		l->fid_error = xasprintf("ZooKeeper node %s/%s: %s; fix or "
		    "delete it", l->url.path, LEADER_FID_NODE, why);
		free(why);
	}
	p = xasprintf("%s/%s", l->url.path, LEADER_RUNTIME_NODE);
	zk_get(l->zk, p, 0, LS_TAG(l->epoch, LS_RT_GET, 0));
	free(p);
}

/* Elected, with both shared nodes read: tell the owner. */
static void
leader_on_runtime(struct leader *l, const struct zk_event *ev)
{
	struct leader_event e;

	if (l->role != LEADER_ELECTING)
		return;
	if (ev->rc != ZK_OK && ev->rc != ZK_NONODE) {
		if (!zk_rc_lost(ev->rc)) {
			leader_set_role(l, LEADER_JOINING, "retrying");
			leader_later(l, "reading the runtime changes", ev->rc);
		}
		return;
	}
	free(l->runtime);
	l->runtime = ev->rc == ZK_OK ? xstrdup(ev->data) : NULL;
	free(l->published);
	l->published = l->fid_read != NULL ? xstrdup(l->fid_read) : NULL;
	l->published_removed = l->fid_removed;
	leader_set_role(l, LEADER_LEADING, "elected");
	log_info("ha: this instance (%s) leads; shared FrameworkID %s%s",
	    l->instance, l->fid_read != NULL ? l->fid_read : "(none yet)",
	    l->fid_removed ? " (removed)" : "");
	memset(&e, 0, sizeof e);
	e.type = LEADER_ELECTED;
	e.framework_id = l->fid_read;
	e.removed = l->fid_removed;
	e.error = l->fid_error;
	e.runtime = l->runtime;
	l->cb(l->arg, &e);
}

/* Who leads, for the logs and the owner. */
static void
leader_on_who(struct leader *l, const struct zk_event *ev)
{
	json_t *j;
	char *who;

	if (l->role != LEADER_FOLLOWING)
		return;
	j = ev->rc == ZK_OK ? json_loadb(ev->data, ev->len, 0, NULL) : NULL;
	who = xstrdup(json_string_value(json_object_get(j,
	    "instance_id")) != NULL ? json_string_value(json_object_get(j,
	    "instance_id")) : (l->leader_node != NULL ?
	    leader_base(l->leader_node) : "?"));
	json_decref(j);
	log_info("ha: following; %s leads", who);
	leader_emit(l, LEADER_FOLLOWER, who);
	free(who);
}

static void
leader_on_publish(struct leader *l, const struct zk_event *ev, int step)
{
	char *p;

	if (l->publishing == NULL)
		return;
	if (step == LS_FID_CREATE && ev->rc == ZK_NODEEXISTS) {
		p = xasprintf("%s/%s", l->url.path, LEADER_FID_NODE);
		zk_set(l->zk, p, l->publishing, strlen(l->publishing), -1,
		    LS_TAG(l->epoch, LS_FID_SET, 0));
		free(p);
		return;
	}
	if (ev->rc != ZK_OK) {
		log_warn("ha: cannot record the FrameworkID in %s/%s: %s; the "
		    "next leader will record it", l->url.path,
		    LEADER_FID_NODE, zk_error(ev->rc));
		free(l->publishing);
		l->publishing = NULL;
		free(l->published);
		l->published = NULL;
		return;
	}
	log_info("ha: FrameworkID %s recorded in %s/%s", l->published,
	    l->url.path, LEADER_FID_NODE);
	free(l->publishing);
	l->publishing = NULL;
}

static void
leader_on_publish_runtime(struct leader *l, const struct zk_event *ev,
    int step)
{
	char *p;

	if (l->rt_pending == NULL)
		return;
	if (step == LS_RT_CREATE && ev->rc == ZK_NODEEXISTS) {
		p = xasprintf("%s/%s", l->url.path, LEADER_RUNTIME_NODE);
		zk_set(l->zk, p, l->rt_pending, strlen(l->rt_pending), -1,
		    LS_TAG(l->epoch, LS_RT_SET, 0));
		free(p);
		return;
	}
	if (ev->rc != ZK_OK) {
		log_warn("ha: cannot mirror the runtime changes into %s/%s: %s",
		    l->url.path, LEADER_RUNTIME_NODE, zk_error(ev->rc));
		free(l->runtime);
		l->runtime = NULL;	/* so the next change writes again */
	} else
		log_debug("ha: runtime changes mirrored into %s/%s",
		    l->url.path, LEADER_RUNTIME_NODE);
	free(l->rt_pending);
	l->rt_pending = NULL;
}

static void
leader_on_result(struct leader *l, const struct zk_event *ev)
{
	int step = (int)((ev->tag >> 16) & 0xff);

	if ((ev->tag >> 24) != l->epoch)
		return;
	switch (step) {
	case LS_PARENT:
		leader_on_parent(l, ev, (unsigned)(ev->tag & 0xffff));
		break;
	case LS_CREATE:
		if (ev->rc == ZK_OK) {
			free(l->own);
			l->own = xstrdup(ev->created);
			log_info("ha: joined the election as %s", l->own);
			leader_list(l);
		} else if (!zk_rc_lost(ev->rc))
			leader_later(l, "creating our node", ev->rc);
		break;
	case LS_LIST:
		leader_on_children(l, ev);
		break;
	case LS_PRED:
		if (ev->rc == ZK_NONODE)
			leader_list(l);		/* gone already */
		else if (ev->rc != ZK_OK && !zk_rc_lost(ev->rc))
			leader_later(l, "watching the node before ours",
			    ev->rc);
		break;
	case LS_OWN:
		if (ev->rc == ZK_NONODE)
			leader_list(l);
		break;
	case LS_FID_GET:
		leader_on_fid(l, ev);
		break;
	case LS_RT_GET:
		leader_on_runtime(l, ev);
		break;
	case LS_RT_CREATE:
	case LS_RT_SET:
		leader_on_publish_runtime(l, ev, step);
		break;
	case LS_FID_CREATE:
	case LS_FID_SET:
		leader_on_publish(l, ev, step);
		break;
	case LS_WHO:
		leader_on_who(l, ev);
		break;
	case LS_DELETE:
		if (ev->rc != ZK_OK && ev->rc != ZK_NONODE &&
		    !zk_rc_lost(ev->rc))
			log_warn("ha: cannot delete our node: %s",
			    zk_error(ev->rc));
		break;
	default:
		break;
	}
}

static void
leader_zk_cb(void *arg, const struct zk_event *ev)
{
	struct leader *l = arg;

	switch (ev->type) {
	case ZK_EVENT_SESSION:
		if (ev->state == ZK_CONNECTED) {
			leader_restart(l);
		} else if (ev->state == ZK_EXPIRED) {
			free(l->own);
			l->own = NULL;
			leader_lose(l, "the ZooKeeper session expired");
		} else if (l->role != LEADER_JOINING)
			leader_lose(l, "lost the connection to ZooKeeper");
		break;
	case ZK_EVENT_WATCH:
		if (ev->path == NULL)
			break;
		if (l->own != NULL && strcmp(ev->path, l->own) == 0 &&
		    ev->watch == ZK_WATCH_DELETED) {
			free(l->own);
			l->own = NULL;
			leader_lose(l, "our election node was deleted");
			if (!l->resigned) {
				l->epoch++;
				leader_join(l);
			}
		} else if (l->watching != NULL &&
		    strcmp(ev->path, l->watching) == 0) {
			l->epoch++;
			leader_list(l);
		}
		break;
	case ZK_EVENT_RESULT:
		leader_on_result(l, ev);
		break;
	default:
		break;
	}
}

static void
leader_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct leader *l = w->data;

	if (zk_state(l->zk) == ZK_CONNECTED)
		leader_restart(l);
}

static void
leader_rejoin_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct leader *l = w->data;

	l->resigned = 0;
	log_info("ha: joining the election again");
	if (zk_state(l->zk) == ZK_CONNECTED)
		leader_restart(l);
}

struct leader *
leader_create(struct ev_loop *loop, const char *url, const char *instance_id,
    double session_timeout_s, char **cause)
{
	struct leader *l = xcalloc(1, sizeof *l);
	uint64_t r = 0;

	if (zk_url_parse(url, &l->url, cause) != 0) {
		free(l);
		return NULL;
	}
	l->loop = loop;
	l->instance = xstrdup(instance_id);
	l->timeout_s = session_timeout_s > 0 ? session_timeout_s : 10;
	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		r = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL) ^
		    (uint64_t)(uintptr_t)l;
	snprintf(l->token, sizeof l->token, "%016" PRIx64, r);
	ev_timer_init(&l->retry, leader_retry_cb, LEADER_RETRY_S, 0.);
	l->retry.data = l;
	ev_timer_init(&l->rejoin, leader_rejoin_cb, l->timeout_s, 0.);
	l->rejoin.data = l;
	return l;
}

int
leader_start(struct leader *l, void (*cb)(void *, const struct leader_event *),
    void *arg, char **cause)
{
	l->cb = cb;
	l->arg = arg;
	l->zk = zk_create(l->loop, l->url.hosts, l->timeout_s, leader_zk_cb, l,
	    cause);
	if (l->zk == NULL)
		return -1;
	log_info("ha: joining the election in ZooKeeper %s%s as %s",
	    l->url.hosts, l->url.path, l->instance);
	return 0;
}

void
leader_free(struct leader *l)
{
	if (l == NULL)
		return;
	zk_free(l->zk);
	ev_timer_stop(l->loop, &l->retry);
	ev_timer_stop(l->loop, &l->rejoin);
	zk_url_clear(&l->url);
	free(l->instance);
	free(l->own);
	free(l->watching);
	free(l->leader_node);
	free(l->published);
	free(l->publishing);
	free(l->fid_read);
	free(l->fid_error);
	free(l->runtime);
	free(l->rt_pending);
	free(l);
}

void
leader_publish_runtime(struct leader *l, const char *json)
{
	char *p;

	if (json == NULL || l->role != LEADER_LEADING)
		return;
	if (l->runtime != NULL && strcmp(l->runtime, json) == 0)
		return;
	free(l->runtime);
	l->runtime = xstrdup(json);
	free(l->rt_pending);
	l->rt_pending = xstrdup(json);
	p = xasprintf("%s/%s", l->url.path, LEADER_RUNTIME_NODE);
	zk_create_node(l->zk, p, json, strlen(json), 0, 0,
	    LS_TAG(l->epoch, LS_RT_CREATE, 0));
	free(p);
}

void
leader_publish(struct leader *l, const char *fid, int removed)
{
	char *p;

	if (fid == NULL || l->role != LEADER_LEADING)
		return;
	if (l->published != NULL && strcmp(l->published, fid) == 0 &&
	    l->published_removed == removed)
		return;
	free(l->published);
	l->published = xstrdup(fid);
	l->published_removed = removed;
	free(l->publishing);
	l->publishing = leader_fid_json(fid, removed, l->instance);
	p = xasprintf("%s/%s", l->url.path, LEADER_FID_NODE);
	zk_create_node(l->zk, p, l->publishing, strlen(l->publishing), 0, 0,
	    LS_TAG(l->epoch, LS_FID_CREATE, 0));
	free(p);
}

void
leader_resign(struct leader *l, const char *reason)
{
	if (l->role != LEADER_LEADING && l->role != LEADER_ELECTING)
		return;
	leader_lose(l, reason);
	l->resigned = 1;
	l->epoch++;
	if (l->own != NULL)
		zk_delete(l->zk, l->own, -1, LS_TAG(l->epoch, LS_DELETE, 0));
	free(l->own);
	l->own = NULL;
	log_info("ha: resigned; joining again in %.0fs", l->timeout_s);
	ev_timer_stop(l->loop, &l->rejoin);
	ev_timer_set(&l->rejoin, l->timeout_s, 0.);
	ev_timer_start(l->loop, &l->rejoin);
}
