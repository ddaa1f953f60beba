/*
 * master-zk — the leading Mesos master from ZooKeeper (see master-zk.h).
 *
 * On every new session and every change of the path's children: list the
 * children (setting a watch), take the lowest json.info_ node, read its
 * data, decode the MasterInfo and hand the URL to master_set_leader. A path
 * that does not exist yet is watched until it does. Requests carry an
 * epoch in their tag; a newer listing makes the answers of an older one
 * stale. Losing the ZooKeeper connection does not touch the subscription:
 * the leader stays what it was until ZooKeeper says otherwise. A leader
 * whose data cannot be used is logged once and skipped until the children
 * change. Other failures are retried every few seconds, never in a loop.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "codec.h"
#include "log.h"
#include "master-zk.h"
#include "master.h"
#include "mesos/v1/mesos.pb-c.h"
#include "xmalloc.h"
#include "zk.h"

#define MASTER_ZK_RETRY_S	3.0	/* after an unexpected error */
#define MASTER_ZK_MAX_INFO	(64 * 1024)

/* What a request's tag says besides the epoch. */
enum master_zk_step {
	MZ_LIST = 1,	/* children of the path */
	MZ_GET,		/* the leader's data */
	MZ_EXISTS,	/* the path itself, while it is missing */
	MZ_STEP_MAX
};

#define MZ_TAG(e, s)	((e) << 4 | (uint64_t)(s))

struct master_zk {
	struct ev_loop	*loop;
	struct master	*master;
	struct zk	*zk;
	struct zk_url	 url;
	uint64_t	 epoch;		/* of the listing in progress */
	char		*node;		/* leader node being read */
	char		*applied;	/* leader node whose URL is in use */
	char		*bad;		/* leader node whose data was refused */
	int		 told_empty;	/* "no master registered" logged */
	ev_timer	 retry;
};

char *
master_zk_info_url(const char *data, size_t len, char **cause)
{
	Mesos__V1__MasterInfo *mi;
	const Mesos__V1__Address *a;
	char *why = NULL, *url = NULL, ip[INET_ADDRSTRLEN];
	const char *host = NULL;
	int64_t port;

	if (len == 0) {
		*cause = xstrdup("empty MasterInfo");
		return NULL;
	}
	if (len > MASTER_ZK_MAX_INFO) {
		*cause = xasprintf("MasterInfo of %zu bytes (at most %d)", len,
		    MASTER_ZK_MAX_INFO);
		return NULL;
	}
	if (data[0] != '{') {
		*cause = xstrdup("not a JSON MasterInfo (a binary info_ "
		    "node?)");
		return NULL;
	}
	mi = (Mesos__V1__MasterInfo *)codec_decode(CODEC_JSON,
	    &mesos__v1__master_info__descriptor, data, len, &why);
	if (mi == NULL) {
		*cause = xasprintf("not a JSON MasterInfo: %s", why);
		free(why);
		return NULL;
	}
	a = mi->address;
	if (a != NULL && a->ip != NULL && *a->ip != '\0')
		host = a->ip;
	else if (a != NULL && a->hostname != NULL && *a->hostname != '\0')
		host = a->hostname;
	else if (mi->hostname != NULL && *mi->hostname != '\0')
		host = mi->hostname;
	else if (mi->ip != 0) {
		struct in_addr in;

		in.s_addr = mi->ip;	/* network order, as Mesos has it */
		inet_ntop(AF_INET, &in, ip, sizeof ip);
		host = ip;
	}
	port = a != NULL ? a->port : (int64_t)mi->port;
	if (host == NULL)
		*cause = xstrdup("MasterInfo names no address, hostname or ip");
	else if (port <= 0 || port > 65535)
		*cause = xasprintf("MasterInfo has port %lld",
		    (long long)port);
	else if (strpbrk(host, " \t/?#@[]") != NULL)
		*cause = xasprintf("MasterInfo has a bad host '%s'", host);
	else if (strchr(host, ':') != NULL)
		url = xasprintf("http://[%s]:%d/api/v1/scheduler", host,
		    (int)port);
	else
		url = xasprintf("http://%s:%d/api/v1/scheduler", host,
		    (int)port);
	codec_free(mi);
	return url;
}

/* Lists the children again (a new epoch), setting the watch. */
static void
master_zk_list(struct master_zk *mz)
{
	ev_timer_stop(mz->loop, &mz->retry);
	mz->epoch++;
	zk_get_children(mz->zk, mz->url.path, 1, MZ_TAG(mz->epoch, MZ_LIST));
}

/* An error that is neither "lost" nor expected: try again later. */
static void
master_zk_later(struct master_zk *mz, const char *what, int rc)
{
	log_warn("ZooKeeper %s: %s failed: %s; trying again in %.0fs",
	    mz->url.path, what, zk_error(rc), MASTER_ZK_RETRY_S);
	ev_timer_stop(mz->loop, &mz->retry);
	ev_timer_set(&mz->retry, MASTER_ZK_RETRY_S, 0.);
	ev_timer_start(mz->loop, &mz->retry);
}

static void
master_zk_on_children(struct master_zk *mz, const struct zk_event *ev)
{
	char *path;
	long i;

	if (ev->rc == ZK_NONODE) {
		log_info("ZooKeeper %s does not exist yet; waiting for a "
		    "master to register", mz->url.path);
		zk_exists(mz->zk, mz->url.path, 1,
		    MZ_TAG(mz->epoch, MZ_EXISTS));
		return;
	}
	if (ev->rc != ZK_OK) {
		if (!zk_rc_lost(ev->rc))
			master_zk_later(mz, "listing the masters", ev->rc);
		return;		/* else: ZK_CONNECTED lists again */
	}
	i = zk_lowest(ev->children, ev->nchildren, MASTER_ZK_PREFIX);
	if (i < 0) {
		if (!mz->told_empty)
			log_warn("ZooKeeper %s: no master registered "
			    "(no %s node); waiting", mz->url.path,
			    MASTER_ZK_PREFIX);
		mz->told_empty = 1;
		free(mz->applied);
		mz->applied = NULL;
		master_set_leader(mz->master, NULL);
		return;
	}
	mz->told_empty = 0;
	if (mz->applied != NULL && strcmp(mz->applied, ev->children[i]) == 0)
		return;		/* the same leader */
	if (mz->bad != NULL && strcmp(mz->bad, ev->children[i]) == 0)
		return;		/* refused already */
	free(mz->node);
	mz->node = xstrdup(ev->children[i]);
	path = xasprintf("%s/%s", mz->url.path, mz->node);
	zk_get(mz->zk, path, 0, MZ_TAG(mz->epoch, MZ_GET));
	free(path);
}

static void
master_zk_on_data(struct master_zk *mz, const struct zk_event *ev)
{
	char *url, *cause = NULL;

	if (ev->rc == ZK_NONODE) {
		master_zk_list(mz);	/* gone meanwhile */
		return;
	}
	if (ev->rc != ZK_OK) {
		if (!zk_rc_lost(ev->rc))
			master_zk_later(mz, "reading the leader", ev->rc);
		return;
	}
	url = master_zk_info_url(ev->data, ev->len, &cause);
	if (url == NULL) {
		log_error("ZooKeeper %s/%s: %s; waiting for a leader with a "
		    "usable MasterInfo", mz->url.path, mz->node, cause);
		free(cause);
		free(mz->bad);
		mz->bad = xstrdup(mz->node);
		free(mz->applied);
		mz->applied = NULL;
		master_set_leader(mz->master, NULL);
		return;
	}
	log_info("ZooKeeper %s: the leading master is %s (%s)", mz->url.path,
	    url, mz->node);
	free(mz->applied);
	mz->applied = xstrdup(mz->node);
	master_set_leader(mz->master, url);
	free(url);
}

/* Everything ZooKeeper tells us, on the loop thread. */
static void
master_zk_cb(void *arg, const struct zk_event *ev)
{
	struct master_zk *mz = arg;

	switch (ev->type) {
	case ZK_EVENT_SESSION:
		if (ev->state == ZK_CONNECTED)
			master_zk_list(mz);
		break;
	case ZK_EVENT_WATCH:
		if (ev->path != NULL && strcmp(ev->path, mz->url.path) == 0)
			master_zk_list(mz);
		break;
	case ZK_EVENT_RESULT:
		if ((ev->tag >> 4) != mz->epoch)
			break;		/* a newer listing is under way */
		switch (ev->tag & 15) {
		case MZ_LIST:
			master_zk_on_children(mz, ev);
			break;
		case MZ_GET:
			master_zk_on_data(mz, ev);
			break;
		case MZ_EXISTS:
			if (ev->rc == ZK_OK)
				master_zk_list(mz);	/* created meanwhile */
			else if (ev->rc != ZK_NONODE && !zk_rc_lost(ev->rc))
				master_zk_later(mz, "watching the path",
				    ev->rc);
			break;
		default:
			break;
		}
		break;
	default:
		break;
	}
}

static void
master_zk_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	master_zk_list(w->data);
}

struct master_zk *
master_zk_create(struct ev_loop *loop, struct master *m, const char *url,
    double session_timeout_s, char **cause)
{
	struct master_zk *mz = xcalloc(1, sizeof *mz);

	mz->loop = loop;
	mz->master = m;
	if (zk_url_parse(url, &mz->url, cause) != 0) {
		free(mz);
		return NULL;
	}
	ev_timer_init(&mz->retry, master_zk_retry_cb, MASTER_ZK_RETRY_S, 0.);
	mz->retry.data = mz;
	mz->zk = zk_create(loop, mz->url.hosts, session_timeout_s,
	    master_zk_cb, mz, cause);
	if (mz->zk == NULL) {
		zk_url_clear(&mz->url);
		free(mz);
		return NULL;
	}
	log_info("master detection through ZooKeeper %s, path %s",
	    mz->url.hosts, mz->url.path);
	return mz;
}

void
master_zk_free(struct master_zk *mz)
{
	if (mz == NULL)
		return;
	zk_free(mz->zk);
	ev_timer_stop(mz->loop, &mz->retry);
	zk_url_clear(&mz->url);
	free(mz->node);
	free(mz->applied);
	free(mz->bad);
	free(mz);
}
