/*
 * masters — the K master endpoints and which one leads. Every master has
 * its own id (a uuid that prefixes the framework, agent and offer ids it
 * makes) and its own HTTP server; the ones that do not lead answer 307.
 * A failover plays what a real leader change does to a scheduler: every
 * stream breaks, offers and filters are forgotten, frameworks must
 * resubscribe, the new leader answers 503 while it recovers, and it knows
 * the agents (and so their tasks) only when they reregister, after a
 * configurable delay. The master that lost leadership restarts with a new
 * id (with one master, a failover is a restart of it).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "log.h"
#include "xmalloc.h"

static char masters_version[] = "1.12.0";

/* The leaderless gap is over: the chosen master leads. */
static void
masters_elect_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sim *sim = w->data;

	sim->leader = sim->pending_leader;
	sim->recovered_at = ev_now(loop) + sim->cfg.recovery_delay;
	log_info("masters: master %d (%s) leads", sim->leader,
	    sim->masters[sim->leader].id);
	ev_timer_stop(loop, &sim->reregister_timer);
	ev_timer_set(&sim->reregister_timer, sim->cfg.reregister_delay, 0);
	ev_timer_start(loop, &sim->reregister_timer);
}

/* The agents reregister with the new leader. */
static void
masters_reregister_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	agents_reregister_all(w->data);
}

/* Creates the masters and their servers; master 0 leads. */
int
masters_create(struct sim *sim, char **cause)
{
	int i;

	sim->nmasters = sim->cfg.masters < 1 ? 1 : sim->cfg.masters;
	sim->masters = xcalloc((size_t)sim->nmasters, sizeof *sim->masters);
	for (i = 0; i < sim->nmasters; i++) {
		struct sim_master *m = &sim->masters[i];
		char id[37];
		int port = sim->cfg.port == 0 ? 0 : sim->cfg.port + i;

		sim_uuid_str(sim, id);
		m->id = xstrdup(id);
		m->index = i;
		m->server = sim_server_create(sim, SIM_SERVER_MASTER, i, port,
		    cause);
		if (m->server == NULL)
			return -1;
		m->port = sim_server_port(m->server);
	}
	ev_timer_init(&sim->leader_timer, masters_elect_cb, 0, 0);
	sim->leader_timer.data = sim;
	ev_timer_init(&sim->reregister_timer, masters_reregister_cb, 0, 0);
	sim->reregister_timer.data = sim;
	sim->leader = 0;
	sim->recovered_at = ev_now(sim->loop) + sim->cfg.recovery_delay;
	return 0;
}

/* 1 while the leader has not finished recovery (calls get 503). */
int
masters_recovering(struct sim *sim)
{
	return ev_now(sim->loop) < sim->recovered_at;
}

/*
 * Moves leadership to master to (-1: the next one) after gap seconds with
 * no leader. recovery and reregister (< 0: the configured values) replace
 * the recovery and agent reregistration delays from now on.
 */
void
masters_failover(struct sim *sim, int to, double gap, double recovery,
    double reregister)
{
	struct ev_loop *loop = sim->loop;
	int from = sim->leader >= 0 ? sim->leader : sim->pending_leader;

	if (to < 0 || to >= sim->nmasters)
		to = (from + 1) % sim->nmasters;
	if (recovery >= 0)
		sim->cfg.recovery_delay = recovery;
	if (reregister >= 0)
		sim->cfg.reregister_delay = reregister;
	sim->c.master_failovers++;
	log_info("masters: failover %d -> %d (gap %.3fs, reregistration "
	    "after %.3fs)", from, to, gap, sim->cfg.reregister_delay);
	/* What dies with the old leader. */
	fw_disconnect_all(sim, 1);
	alloc_forget_all(sim);
	agents_failover(sim);
	/* The old leader comes back as a new process, with a new id. */
	if (from >= 0 && from < sim->nmasters) {
		struct sim_master *m = &sim->masters[from];
		char id[37];

		sim_uuid_str(sim, id);
		free(m->id);
		m->id = xstrdup(id);
		m->next_framework = m->next_agent = m->next_offer = 0;
	}
	ev_timer_stop(loop, &sim->reregister_timer);
	ev_timer_stop(loop, &sim->leader_timer);
	sim->pending_leader = to;
	sim->leader = -1;
	ev_timer_set(&sim->leader_timer, gap > 0 ? gap : 0, 0);
	ev_timer_start(loop, &sim->leader_timer);
	if (gap <= 0)
		masters_elect_cb(loop, &sim->leader_timer, 0);
	if (gap <= 0)
		ev_timer_stop(loop, &sim->leader_timer);
	masters_zk_failover(sim, to);
}

/*
 * Fills a MasterInfo for m as a Mesos 1.12 master describes itself, using
 * caller storage (addr, the capability array of 3 and its elements).
 */
void
masters_info_pb(struct sim *sim, struct sim_master *m,
    Mesos__V1__MasterInfo *mi, Mesos__V1__Address *addr,
    Mesos__V1__MasterInfo__Capability **capv,
    Mesos__V1__MasterInfo__Capability *caps)
{
	static char pid[300], ip[64];
	static const Mesos__V1__MasterInfo__Capability__Type types[3] = {
		MESOS__V1__MASTER_INFO__CAPABILITY__TYPE__AGENT_UPDATE,
		MESOS__V1__MASTER_INFO__CAPABILITY__TYPE__AGENT_DRAINING,
		MESOS__V1__MASTER_INFO__CAPABILITY__TYPE__QUOTA_V2,
	};
	struct in_addr in;
	int i;

	if (inet_pton(AF_INET, sim->cfg.hostname, &in) != 1)
		inet_pton(AF_INET, "127.0.0.1", &in);
	inet_ntop(AF_INET, &in, ip, sizeof ip);
	snprintf(pid, sizeof pid, "master@%s:%d", ip, m->port);
	mesos__v1__master_info__init(mi);
	mi->id = m->id;
	/* MasterInfo.ip is the address in network order, as Mesos has it. */
	mi->ip = in.s_addr;
	mi->port = (uint32_t)m->port;
	mi->pid = pid;
	mi->hostname = (char *)sim->cfg.hostname;
	mi->version = masters_version;
	mesos__v1__address__init(addr);
	addr->hostname = (char *)sim->cfg.hostname;
	addr->ip = ip;
	addr->port = m->port;
	mi->address = addr;
	for (i = 0; i < 3; i++) {
		mesos__v1__master_info__capability__init(&caps[i]);
		caps[i].has_type = 1;
		caps[i].type = types[i];
		capv[i] = &caps[i];
	}
	mi->n_capabilities = 3;
	mi->capabilities = capv;
}

/* Stops and frees the masters. */
void
masters_free(struct sim *sim)
{
	int i;

	if (sim->masters == NULL)
		return;
	ev_timer_stop(sim->loop, &sim->leader_timer);
	ev_timer_stop(sim->loop, &sim->reregister_timer);
	for (i = 0; i < sim->nmasters; i++) {
		sim_server_free(sim->masters[i].server);
		free(sim->masters[i].id);
	}
	free(sim->masters);
	sim->masters = NULL;
}
