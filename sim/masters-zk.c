/*
 * masters-zk — ark-sim's masters in ZooKeeper (--zk zk://host:port/path),
 * registered as Mesos masters register themselves: one ZOO_EPHEMERAL|
 * ZOO_SEQUENCE child `json.info_<seq>` of path per master, holding its
 * MasterInfo as JSON, created in the order of leadership (the leader
 * first), so that the lowest sequence number names the leader. A failover
 * moves leadership there too: the node of every master ahead of the new
 * leader is deleted and created again (the old leader comes back as a
 * standby with its new id), so the next lowest leads. Requests of one
 * session are carried out in order, so a delete always precedes its
 * re-creation. On every new session the masters register again (their
 * ephemeral nodes died with the old one). Missing parents of path are
 * created as persistent nodes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sim.h"
#include "codec.h"
#include "log.h"
#include "xmalloc.h"
#include "zk.h"

#define MZK_PREFIX	"json.info_"

/* What a request's tag says besides the session epoch. */
enum mzk_step {
	MZK_PARENT = 1,	/* a parent of the path (arg: its length) */
	MZK_REGISTER,	/* a master's node (arg: the master) */
	MZK_DELETE,	/* a master's old node */
	MZK_STEP_MAX
};

#define MZK_TAG(e, s, a) ((uint64_t)(e) << 40 | (uint64_t)(s) << 32 | \
	(uint64_t)(uint32_t)(a))

struct masters_zk {
	struct sim	*sim;
	struct zk	*zk;
	struct zk_url	 url;
	uint32_t	 epoch;		/* bumped by every new session */
	char	       **node;		/* per master: its node's path */
	int		*order;		/* master indexes, leader first */
	int		 ready;		/* the path exists this session */
};

/* The MasterInfo of master i as JSON text (caller frees). */
static char *
masters_zk_info(struct sim *sim, int i)
{
	Mesos__V1__MasterInfo mi;
	Mesos__V1__Address addr;
	Mesos__V1__MasterInfo__Capability *capv[3], caps[3];
	json_t *j;
	char *s;

	masters_info_pb(sim, &sim->masters[i], &mi, &addr, capv, caps);
	j = codec_to_json(&mi.base);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return s;
}

/* Creates master i's node (a new sequence number). */
static void
masters_zk_register(struct masters_zk *z, int i)
{
	char *path = xasprintf("%s/%s", z->url.path, MZK_PREFIX);
	char *info = masters_zk_info(z->sim, i);

	zk_create_node(z->zk, path, info, strlen(info), 1, 1,
	    MZK_TAG(z->epoch, MZK_REGISTER, i));
	free(info);
	free(path);
}

/* Registers every master, in the order of leadership. */
static void
masters_zk_register_all(struct masters_zk *z)
{
	for (int k = 0; k < z->sim->nmasters; k++) {
		free(z->node[z->order[k]]);
		z->node[z->order[k]] = NULL;
		masters_zk_register(z, z->order[k]);
	}
}

/* Creates the parent of the path that ends at byte len, then the next. */
static void
masters_zk_parent(struct masters_zk *z, size_t from)
{
	const char *p = z->url.path;
	const char *e = strchr(p + from + 1, '/');
	size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
	char *part = xstrndup(p, len);

	zk_create_node(z->zk, part, "", 0, 0, 0,
	    MZK_TAG(z->epoch, MZK_PARENT, len));
	free(part);
}

static void
masters_zk_cb(void *arg, const struct zk_event *ev)
{
	struct masters_zk *z = arg;
	uint32_t a;
	int step;

	if (ev->type == ZK_EVENT_SESSION) {
		if (ev->state == ZK_CONNECTED) {
			z->epoch++;
			z->ready = 0;
			masters_zk_parent(z, 0);
		}
		return;
	}
	if (ev->type != ZK_EVENT_RESULT || (ev->tag >> 40) != z->epoch)
		return;
	step = (int)((ev->tag >> 32) & 0xff);
	a = (uint32_t)ev->tag;
	switch (step) {
	case MZK_PARENT:
		if (ev->rc != ZK_OK && ev->rc != ZK_NODEEXISTS) {
			log_warn("ark-sim: ZooKeeper: cannot create %.*s: %s",
			    (int)a, z->url.path, zk_error(ev->rc));
			return;
		}
		if (a < strlen(z->url.path)) {
			masters_zk_parent(z, a);
			return;
		}
		z->ready = 1;
		masters_zk_register_all(z);
		break;
	case MZK_REGISTER:
		if (ev->rc != ZK_OK) {
			log_warn("ark-sim: ZooKeeper: cannot register master "
			    "%u: %s", a, zk_error(ev->rc));
			return;
		}
		if ((int)a < z->sim->nmasters) {
			free(z->node[a]);
			z->node[a] = xstrdup(ev->created);
			log_info("ark-sim: master %u registered in ZooKeeper "
			    "as %s", a, ev->created);
		}
		break;
	case MZK_DELETE:
		if (ev->rc != ZK_OK && ev->rc != ZK_NONODE)
			log_warn("ark-sim: ZooKeeper: cannot delete %s: %s",
			    ev->path, zk_error(ev->rc));
		break;
	default:
		break;
	}
}

int
masters_zk_start(struct sim *sim, const char *url, char **cause)
{
	struct masters_zk *z = xcalloc(1, sizeof *z);
	int k;

	z->sim = sim;
	if (zk_url_parse(url, &z->url, cause) != 0) {
		free(z);
		return -1;
	}
	z->node = xcalloc((size_t)sim->nmasters, sizeof *z->node);
	z->order = xcalloc((size_t)sim->nmasters, sizeof *z->order);
	for (k = 0; k < sim->nmasters; k++)
		z->order[k] = (sim->leader + k) % sim->nmasters;
	sim->zk = z;
	z->zk = zk_create(sim->loop, z->url.hosts, 10, masters_zk_cb, z, cause);
	if (z->zk == NULL) {
		masters_zk_free(sim);
		return -1;
	}
	log_info("ark-sim: registering %d master(s) in ZooKeeper %s%s",
	    sim->nmasters, z->url.hosts, z->url.path);
	return 0;
}

void
masters_zk_failover(struct sim *sim, int to)
{
	struct masters_zk *z = sim->zk;
	int n = sim->nmasters, k, moved = 0, *order;

	if (z == NULL)
		return;
	while (moved < n && z->order[moved] != to)
		moved++;
	if (moved == 0 || moved == n)
		return;		/* already first (or unknown) */
	order = xcalloc((size_t)n, sizeof *order);
	for (k = 0; k < n; k++)
		order[k] = z->order[(moved + k) % n];
	free(z->order);
	z->order = order;
	if (!z->ready)
		return;		/* the next session registers in this order */
	/* Deletes first, then the creations: one session keeps the order. */
	for (k = n - moved; k < n; k++) {
		int i = z->order[k];

		if (z->node[i] != NULL)
			zk_delete(z->zk, z->node[i], -1,
			    MZK_TAG(z->epoch, MZK_DELETE, i));
		free(z->node[i]);
		z->node[i] = NULL;
	}
	for (k = n - moved; k < n; k++)
		masters_zk_register(z, z->order[k]);
}

const char *
masters_zk_node(struct sim *sim, int i)
{
	return sim->zk != NULL && i >= 0 && i < sim->nmasters ?
	    sim->zk->node[i] : NULL;
}

void
masters_zk_free(struct sim *sim)
{
	struct masters_zk *z = sim->zk;

	if (z == NULL)
		return;
	zk_free(z->zk);
	for (int i = 0; i < sim->nmasters; i++)
		free(z->node[i]);
	free(z->node);
	free(z->order);
	zk_url_clear(&z->url);
	free(z);
	sim->zk = NULL;
}
