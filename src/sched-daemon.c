/*
 * sched-daemon — agents' news and daemon coverage: what offers, GET_AGENTS
 * answers and inverse offers tell about agents is applied to the agent
 * table, and each daemon job's slots follow the agents eligible for it (one
 * slot per agent, held while a task of it is unreachable). Tasks are moved
 * off blacklisted or draining agents as their job's policy says.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "log.h"
#include "offers.h"
#include "sched-int.h"
#include "xmalloc.h"

/* Creates the daemon slots a needs and drops the ones it no longer may have. */
void
sched_daemon_sync(struct sched *s, struct sched_agent *a, struct effects *out)
{
	for (struct sched_job *j = s->job_head; j != NULL; j = j->next) {
		struct sched_slot *sl;
		int ok;

		if (j->cfg == NULL || j->removed || j->cfg->kind != JOB_DAEMON)
			continue;
		sl = hash_get(j->slots, a->id);
		ok = sched_eligible(s, j, a, NULL);
		if (ok && sl == NULL) {
			sl = sched_slot_new(s, j, a->id, a);
			sched_slot_set(s, sl, SLOT_PENDING, "eligible agent");
		} else if (ok && sl->held) {
			sl->held = 0;
			if (sl->task == NULL && sl->state == SLOT_DONE)
				sched_slot_set(s, sl, SLOT_PENDING,
				    "agent eligible again");
			/* what became of the task it had? */
			sched_slot_reconcile_others(s, sl, out);
		} else if (!ok && sl != NULL && sl->ntasks == 0)
			sched_slot_delete(s, sl, out);
		else if (!ok && sl != NULL && sl->task == NULL &&
		    (sl->state == SLOT_PENDING || sl->state == SLOT_BACKOFF)) {
			/* a task of it is still out there (unreachable):
			 * keep the slot, but want no offers for it */
			sl->held = 1;
			sched_slot_set(s, sl, SLOT_DONE, "agent not eligible");
		}
	}
}

void
sched_daemon_sync_all(struct sched *s, struct effects *out)
{
	struct sched_agent *a;
	size_t it = 0;

	while ((a = hash_next(s->agents, &it)) != NULL)
		sched_daemon_sync(s, a, out);
}

/* Reads what an offer tells about its agent; returns the agent. */
struct sched_agent *
sched_agent_from_offer(struct sched *s, const Mesos__V1__Offer *o,
    struct effects *out)
{
	struct sched_agent *a;
	int changed = 0, isnew;

	isnew = hash_get(s->agents, o->agent_id->value) == NULL;
	a = sched_agent_get(s, o->agent_id->value, 1);
	if (o->hostname != NULL && (a->hostname == NULL ||
	    strcmp(a->hostname, o->hostname) != 0)) {
		sched_set_str(&a->hostname, o->hostname);
		changed = 1;
	}
	if (o->n_attributes != a->nattrs)
		changed = 1;
	else
		for (size_t i = 0; i < a->nattrs && !changed; i++) {
			char *v = offers_attr_text(o->attributes[i]);

			if (strcmp(a->attrs[i].key, o->attributes[i]->name) != 0 ||
			    v == NULL || a->attrs[i].value == NULL ||
			    strcmp(v, a->attrs[i].value) != 0)
				changed = 1;
			free(v);
		}
	if (changed) {
		for (size_t i = 0; i < a->nattrs; i++) {
			free(a->attrs[i].key);
			free(a->attrs[i].value);
		}
		free(a->attrs);
		a->attrs = xcalloc(o->n_attributes + 1, sizeof *a->attrs);
		a->nattrs = 0;
		for (size_t i = 0; i < o->n_attributes; i++) {
			char *v = offers_attr_text(o->attributes[i]);

			if (v == NULL || o->attributes[i]->name == NULL) {
				free(v);
				continue;
			}
			a->attrs[a->nattrs].key = xstrdup(o->attributes[i]->name);
			a->attrs[a->nattrs].value = v;
			a->nattrs++;
		}
	}
	if (a->unavailable_at != offers_unavailable_at(o)) {
		a->unavailable_at = offers_unavailable_at(o);
		a->unavailable_until = offers_unavailable_until(o);
		changed = 1;
	}
	if (a->unavailable_at == 0 && a->inverse) {
		/* maintenance is over: the schedule no longer covers it */
		a->inverse = 0;
		changed = 1;
	}
	if (!a->active || !a->offered)
		changed = 1;
	a->active = 1;
	a->offered = 1;
	a->last_offer = s->now;
	if (a->cpus == 0 && a->mem == 0) {
		a->cpus = offers_scalar_total(o->resources, o->n_resources,
		    "cpus");
		a->mem = offers_scalar_total(o->resources, o->n_resources, "mem");
		a->disk = offers_scalar_total(o->resources, o->n_resources,
		    "disk");
	}
	if (isnew || changed)
		sched_daemon_sync(s, a, out);
	return a;
}

/* Moves task t off its (blacklisted or draining) agent per its policy. */
static void
sched_task_evict(struct sched *s, struct sched_task *t,
    enum config_blacklist_policy policy, struct effects *out)
{
	struct sched_slot *sl = t->slot;

	if (t->kill != KILL_NONE || t->retire)
		return;
	if (policy == BLACKLIST_KEEP)
		return;
	if (policy == BLACKLIST_DRAIN && sl != NULL && sl->task == t &&
	    t->job->cfg != NULL && t->job->cfg->kind == JOB_SERVICE) {
		log_info("sched: task %s: draining (replacement first)", t->id);
		t->retire = 1;
		sl->task = NULL;
		sched_slot_set(s, sl, SLOT_PENDING, "draining its task");
		return;
	}
	sched_task_kill(s, t, KILL_BLACKLIST, out);
}

void
sched_blacklist_apply(struct sched *s, struct effects *out)
{
	struct sched_agent *a;
	size_t it = 0;

	while ((a = hash_next(s->agents, &it)) != NULL) {
		if (sched_blacklisted(s, a) != NULL)
			for (struct sched_task *t = a->tasks, *n; t != NULL;
			    t = n) {
				n = t->anext;
				if (t->job->cfg != NULL)
					sched_task_evict(s, t,
					    t->job->cfg->blacklist_policy, out);
			}
		sched_daemon_sync(s, a, out);
	}
	sched_framework_update(s, 0, out);
}

void
sched_on_inverse_offers(struct sched *s,
    const Mesos__V1__Scheduler__Event__InverseOffers *ev, struct effects *out)
{
	const char **ids;
	size_t n = 0;

	if (ev == NULL)
		return;
	ids = xcalloc(ev->n_inverse_offers + 1, sizeof *ids);
	for (size_t i = 0; i < ev->n_inverse_offers; i++) {
		const Mesos__V1__InverseOffer *io = ev->inverse_offers[i];
		struct sched_agent *a;

		if (io == NULL || io->id == NULL || io->id->value == NULL)
			continue;
		ids[n++] = io->id->value;
		s->inverse_offers++;
		if (io->agent_id == NULL || io->agent_id->value == NULL)
			continue;
		a = sched_agent_get(s, io->agent_id->value, 1);
		a->inverse = 1;
		if (io->unavailability != NULL &&
		    io->unavailability->start != NULL) {
			a->unavailable_at =
			    io->unavailability->start->nanoseconds / 1000000;
			a->unavailable_until = io->unavailability->duration !=
			    NULL ? a->unavailable_at +
			    io->unavailability->duration->nanoseconds / 1000000 :
			    INT64_MAX;
		}
		log_info("sched: agent %s: inverse offer: moving off", a->id);
		for (struct sched_task *t = a->tasks, *nt; t != NULL; t = nt) {
			nt = t->anext;
			if (t->job->cfg != NULL &&
			    t->job->cfg->kind == JOB_SERVICE)
				sched_task_evict(s, t, BLACKLIST_DRAIN, out);
		}
		sched_daemon_sync(s, a, out);
	}
	if (n > 0 && s->fid != NULL)
		sched_send(s, out, call_accept_inverse_offers(s->fid, ids, n,
		    s->cfg->refuse_seconds), 0);
	free(ids);
}

/* Replaces a's attributes with attrs; returns whether they changed. */
static int
sched_agent_set_attrs(struct sched_agent *a,
    Mesos__V1__Attribute *const *attrs, size_t n)
{
	struct config_kv *kv = xcalloc(n + 1, sizeof *kv);
	size_t m = 0;
	int changed;

	for (size_t i = 0; i < n; i++) {
		char *v = attrs[i] != NULL ? offers_attr_text(attrs[i]) : NULL;

		if (v == NULL || attrs[i]->name == NULL) {
			free(v);
			continue;
		}
		kv[m].key = xstrdup(attrs[i]->name);
		kv[m].value = v;
		m++;
	}
	changed = m != a->nattrs;
	for (size_t i = 0; i < m && !changed; i++)
		if (strcmp(kv[i].key, a->attrs[i].key) != 0 ||
		    strcmp(kv[i].value, a->attrs[i].value) != 0)
			changed = 1;
	if (!changed) {
		for (size_t i = 0; i < m; i++) {
			free(kv[i].key);
			free(kv[i].value);
		}
		free(kv);
		return 0;
	}
	for (size_t i = 0; i < a->nattrs; i++) {
		free(a->attrs[i].key);
		free(a->attrs[i].value);
	}
	free(a->attrs);
	a->attrs = kv;
	a->nattrs = m;
	return 1;
}

/* Whether a daemon slot of some job refers to agent a. */
static int
sched_agent_referenced(const struct sched *s, const struct sched_agent *a)
{
	if (a->ntasks > 0)
		return 1;
	for (const struct sched_job *j = s->job_head; j != NULL; j = j->next)
		if (hash_get(j->slots, a->id) != NULL)
			return 1;
	return 0;
}

void
sched_on_agents(struct sched *s, const Mesos__V1__Master__Response__GetAgents *ga,
    struct effects *out)
{
	struct hash *seen;
	struct sched_agent *a;
	struct sched_agent **drop;
	size_t it = 0, ndrop = 0;

	if (ga == NULL) {
		log_warn("sched: GET_AGENTS answer without agents ignored");
		return;
	}
	seen = hash_create(ga->n_agents + ga->n_recovered_agents);
	for (size_t i = 0; i < ga->n_agents + ga->n_recovered_agents; i++) {
		const Mesos__V1__AgentInfo *info;
		const Mesos__V1__Master__Response__GetAgents__Agent *ag = NULL;

		if (i < ga->n_agents) {
			ag = ga->agents[i];
			info = ag != NULL ? ag->agent_info : NULL;
		} else
			info = ga->recovered_agents[i - ga->n_agents];
		if (info == NULL || info->id == NULL || info->id->value == NULL)
			continue;
		a = sched_agent_get(s, info->id->value, 1);
		hash_put(seen, a->id, a);
		sched_set_str(&a->hostname, info->hostname);
		sched_agent_set_attrs(a, info->attributes, info->n_attributes);
		a->listed = 1;
		if (ag != NULL) {
			a->active = ag->active &&
			    !(ag->has_deactivated && ag->deactivated);
			a->drain_info = ag->drain_info != NULL;
			a->cpus = offers_scalar_total(ag->total_resources,
			    ag->n_total_resources, "cpus");
			a->mem = offers_scalar_total(ag->total_resources,
			    ag->n_total_resources, "mem");
			a->disk = offers_scalar_total(ag->total_resources,
			    ag->n_total_resources, "disk");
		} else
			a->active = 0;	/* known, not re-registered yet */
	}
	drop = xcalloc(hash_count(s->agents) + 1, sizeof *drop);
	while ((a = hash_next(s->agents, &it)) != NULL) {
		if (hash_get(seen, a->id) != NULL)
			continue;
		/* an offer newer than the question proves it is there */
		if (a->offered && a->last_offer >= s->agents_asked)
			continue;
		a->listed = 0;
		a->active = 0;
		drop[ndrop++] = a;
	}
	hash_free(seen);
	sched_daemon_sync_all(s, out);
	for (size_t i = 0; i < ndrop; i++)
		if (!sched_agent_referenced(s, drop[i])) {
			hash_del(s->agents, drop[i]->id);
			sched_agent_free(drop[i]);
		}
	free(drop);
	log_debug("sched: %zu agents known", hash_count(s->agents));
}
