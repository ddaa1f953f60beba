/*
 * master-zk — finds the leading Mesos master in ZooKeeper, as Mesos'
 * own detector does: the masters' ZOO_SEQUENCE|ZOO_EPHEMERAL children
 * `json.info_<seq>` of the path of a zk:// URL, the lowest sequence number
 * leads, and its data is a JSON MasterInfo. The leader's scheduler
 * endpoint goes to the master connection (master_set_leader), which
 * (re)subscribes when it changes. Other children (log_replicas, the
 * deprecated binary info_ nodes) are ignored.
 */
#ifndef ARK_MASTER_ZK_H
#define ARK_MASTER_ZK_H

#include <stddef.h>

struct ev_loop;
struct master;
struct master_zk;

/* The prefix of the masters' nodes. */
#define MASTER_ZK_PREFIX	"json.info_"

/*
 * Starts watching the zk:// url for m (which must outlive it). Returns NULL
 * with *cause (caller frees) on a bad URL.
 */
struct master_zk *master_zk_create(struct ev_loop *, struct master *m,
		    const char *url, double session_timeout_s, char **cause);
void		 master_zk_free(struct master_zk *);

/*
 * The scheduler endpoint "http://ip:port/api/v1/scheduler" of a MasterInfo
 * given as JSON (len bytes): address.ip (else address.hostname, hostname,
 * ip) and address.port (else port). NULL with *cause (caller frees) when
 * the data is not a usable MasterInfo.
 */
char		*master_zk_info_url(const char *data, size_t len, char **cause);

#endif
