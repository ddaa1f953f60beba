/*
 * sched-offer — offers: every offer of an OFFERS event is matched at once
 * against the pending slots (first fit, jobs in configuration order,
 * counting constraints per event), the launches of one offer are packed into
 * one ACCEPT, the rest is declined in one DECLINE; a burst of launches is
 * bounded. REVIVE and SUPPRESS are paced here (debounced, resent with
 * backoff while no offer comes).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "call.h"
#include "log.h"
#include "offers.h"
#include "sched-config.h"
#include "sched-int.h"
#include "xmalloc.h"

/* Whether job j may launch anything now. */
static int
sched_job_launchable(const struct sched *s, const struct sched_job *j)
{
	return j->cfg != NULL && !j->removed && !j->suspended && !s->shutdown &&
	    j->npending > 0;
}

/* Whether the core wants offers: some slot waits for one. */
int
sched_want_offers(const struct sched *s)
{
	for (const struct sched_job *j = s->job_head; j != NULL; j = j->next)
		if (sched_job_launchable(s, j))
			return 1;
	return 0;
}

/* Builds job j's UNIQUE/MAX_PER counts for the current OFFERS event. */
static void
sched_counts_build(struct sched *s, struct sched_job *j)
{
	const struct config_job *c = j->cfg;

	if (j->counts_gen == s->event_gen)
		return;
	if (j->ncounts != c->nconstraints)
		sched_job_counts_reset(j, c->nconstraints);
	sched_job_counts_clear(j);
	j->counts_gen = s->event_gen;
	for (size_t i = 0; i < c->nconstraints; i++) {
		const struct config_constraint *k = &c->constraints[i];

		if (k->op != CONSTRAINT_UNIQUE && k->op != CONSTRAINT_MAX_PER)
			continue;
		j->counts[i] = hash_create(16);
		for (struct sched_task *t = j->task_head; t != NULL;
		    t = t->jnext) {
			const char *v;
			struct sched_count *n;

			if (t->agent == NULL || t->retire)
				continue;
			v = sched_agent_field(t->agent, k->field);
			if (v == NULL)
				continue;
			n = hash_get(j->counts[i], v);
			if (n == NULL) {
				n = xcalloc(1, sizeof *n);
				n->value = xstrdup(v);
				hash_put(j->counts[i], n->value, n);
			}
			n->n++;
		}
	}
}

/* Whether a's counting constraints leave room for one more task of j. */
static int
sched_counts_ok(struct sched *s, struct sched_job *j,
    const struct sched_agent *a, int take)
{
	const struct config_job *c = j->cfg;

	sched_counts_build(s, j);
	for (size_t i = 0; i < c->nconstraints; i++) {
		const struct config_constraint *k = &c->constraints[i];
		const char *v;
		struct sched_count *n;
		uint32_t max;

		if (j->counts[i] == NULL)
			continue;
		v = sched_agent_field(a, k->field);
		if (v == NULL)
			return 0;
		max = k->op == CONSTRAINT_UNIQUE ? 1 : k->max;
		n = hash_get(j->counts[i], v);
		if (!take) {
			if (n != NULL && n->n >= max)
				return 0;
			continue;
		}
		if (n == NULL) {
			n = xcalloc(1, sizeof *n);
			n->value = xstrdup(v);
			hash_put(j->counts[i], n->value, n);
		}
		n->n++;
	}
	return 1;
}

/* The launches packed into one ACCEPT. */
struct sched_launches {
	Mesos__V1__TaskInfo **v;
	char		**ids;
	size_t		 n, cap;
};

/* Launches a task of slot sl with resources from pool (offer o, agent a). */
static void
sched_launch(struct sched *s, struct sched_slot *sl, const Mesos__V1__Offer *o,
    struct sched_agent *a, struct offers_pool *pool, const char *role,
    struct sched_launches *l, struct effects *out)
{
	struct sched_job *j = sl->job;
	const struct config_job *c = j->cfg;
	Mesos__V1__Resource **res;
	Mesos__V1__TaskInfo *ti;
	uint32_t *ports;
	size_t nres;
	char *id, *name;
	struct sched_task *t;

	ports = xcalloc(c->nports + 1, sizeof *ports);
	res = offers_take(pool, c, role, &nres, ports);
	id = sched_task_id(s, sl);
	name = xasprintf("%s.%s", j->id, sl->key);
	ti = call_task_info(c, name, id, a->id, res, nres, ports);
	free(res);
	free(ports);
	free(name);
	sched_counts_ok(s, j, a, 1);
	if (s->cfg->dry_run) {
		log_info("sched: dry-run: would launch %s on %s (%s)", id,
		    a->id, o->hostname != NULL ? o->hostname : "?");
		protobuf_c_message_free_unpacked(&ti->base, NULL);
		free(id);
		return;
	}
	t = sched_task_new(s, j, sl, id, NULL, a->id, SCHED_LAUNCHING);
	t->hostname = sched_strdup(o->hostname);
	t->offer_id = xstrdup(o->id->value);
	t->job_hash = xstrdup(c->hash);
	t->launched_at = s->wall;
	t->launch_wait = sched_ms(s->cfg->launch_timeout_s > 0 ?
	    s->cfg->launch_timeout_s : 60);
	t->launch_check = s->now + t->launch_wait;
	sl->task = t;
	sched_slot_set(s, sl, SLOT_ACTIVE, "launch");
	sched_task_timer(s, t);
	sched_store_task(t, out);
	log_info_kv(LOG_FIELDS(LOG_F("job", j->id), LOG_F("task", id),
	    LOG_F("agent", a->id)), "sched: task %s: launch on %s (%s)", id,
	    a->id, t->hostname != NULL ? t->hostname : "?");
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 4 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
		l->ids = xreallocarray(l->ids, l->cap, sizeof *l->ids);
	}
	l->v[l->n] = ti;
	l->ids[l->n] = id;
	l->n++;
	j->launched++;
	if (s->burst_left > 0)
		s->burst_left--;
}

/* Places what fits of pending slots in offer o; 1 if an ACCEPT went out. */
static int
sched_offer_use(struct sched *s, const Mesos__V1__Offer *o,
    struct sched_agent *a, struct effects *out)
{
	struct sched_launches l = { NULL, NULL, 0, 0 };
	struct offers_pool pool;
	const char *why;
	int placed = 0;

	if (s->shutdown || !s->subscribed || s->fid == NULL || s->ha_hold)
		return 0;
	if (sched_blacklisted(s, a) != NULL) {
		log_debug("sched: offer %s: agent %s blacklisted", o->id->value,
		    a->id);
		return 0;
	}
	if (sched_agent_draining(s, a))
		return 0;
	offers_pool_init(&pool, o);
	for (struct sched_job *j = s->job_head; j != NULL; j = j->next) {
		const char *role;

		if (!sched_job_launchable(s, j))
			continue;
		role = sched_config_role(s->cfg, j->cfg);
		if (j->cfg->kind == JOB_DAEMON) {
			struct sched_slot *sl = hash_get(j->slots, a->id);

			if (sl == NULL || sl->state != SLOT_PENDING)
				continue;
			if (sched_slot_occupied(sl)) {
				sl->why = "reconciling";
				continue;
			}
			if (!sched_constraints_ok(j->cfg, a) ||
			    !sched_counts_ok(s, j, a, 0)) {
				sl->why = "constraint";
				continue;
			}
			if (!offers_fit(&pool, j->cfg, role, &why)) {
				sl->why = "too_small";
				continue;
			}
			if (s->burst_left == 0)
				break;
			sched_launch(s, sl, o, a, &pool, role, &l, out);
			placed++;
			continue;
		}
		if (!sched_constraints_ok(j->cfg, a))
			continue;
		for (struct sched_slot *sl = j->pend_head, *next; sl != NULL;
		    sl = next) {
			next = sl->pnext;
			if (sched_slot_reconciling(sl)) {
				sl->why = "reconciling";
				continue;
			}
			if (!sched_counts_ok(s, j, a, 0)) {
				sl->why = "constraint";
				break;
			}
			if (!offers_fit(&pool, j->cfg, role, &why)) {
				sl->why = "too_small";
				break;
			}
			if (s->burst_left == 0)
				break;
			sched_launch(s, sl, o, a, &pool, role, &l, out);
			placed++;
		}
	}
	offers_pool_clear(&pool);
	if (l.n == 0) {
		free(l.v);
		free(l.ids);
		return 0;
	}
	{
		const char *oid = o->id->value;
		uint64_t cookie;
		struct sched_call *c;

		c = sched_call_track(s, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT,
		    &cookie);
		c->tasks = l.ids;
		c->ntasks = l.n;
		sched_send(s, out, call_accept(s->fid, &oid, 1, l.v, l.n,
		    s->cfg->refuse_seconds), cookie);
	}
	free(l.v);
	return placed > 0;
}

void
sched_on_offers(struct sched *s, const Mesos__V1__Scheduler__Event__Offers *ev,
    struct effects *out)
{
	const char **decline, **later;
	size_t ndecline = 0, nlater = 0;

	if (ev == NULL)
		return;
	s->event_gen++;
	s->last_offers = s->now;
	s->revive_resend = SCHED_REVIVE_RESEND_MS;
	s->burst_left = SCHED_LAUNCH_BURST;
	decline = xcalloc(ev->n_offers + 1, sizeof *decline);
	later = xcalloc(ev->n_offers + 1, sizeof *later);
	for (size_t i = 0; i < ev->n_offers; i++) {
		const Mesos__V1__Offer *o = ev->offers[i];
		struct sched_agent *a;

		if (o == NULL || o->id == NULL || o->id->value == NULL)
			continue;
		s->offers_received++;
		if (o->agent_id == NULL || o->agent_id->value == NULL) {
			log_warn("sched: offer %s without agent id: declined",
			    o->id->value);
			decline[ndecline++] = o->id->value;
			continue;
		}
		a = sched_agent_from_offer(s, o, out);
		if (s->burst_left == 0)
			later[nlater++] = o->id->value;	/* the next round */
		else if (sched_offer_use(s, o, a, out))
			s->offers_accepted++;
		else
			decline[ndecline++] = o->id->value;
	}
	if (ndecline > 0 && s->fid != NULL) {
		sched_send(s, out, call_decline(s->fid, decline, ndecline,
		    s->cfg->refuse_seconds), 0);
		s->offers_declined += ndecline;
	}
	if (nlater > 0 && s->fid != NULL) {
		log_debug("sched: %zu launches in one OFFERS event: %zu offers "
		    "declined for the next round", (size_t)SCHED_LAUNCH_BURST,
		    nlater);
		sched_send(s, out, call_decline(s->fid, later, nlater, 0), 0);
		s->offers_declined += nlater;
	}
	free(decline);
	free(later);
	/* offers while suppressed: our SUPPRESS was lost; send it again */
	if (s->suppressed && s->now - s->last_suppress >=
	    sched_ms(s->cfg->revive_debounce_s))
		s->suppressed = 0;
}

/* REVIVE when offers are wanted (debounced, resent if none come), SUPPRESS
 * when not. */
void
sched_pace(struct sched *s, struct effects *out)
{
	int64_t debounce = sched_ms(s->cfg->revive_debounce_s);
	int64_t seen;
	int guard;

	s->revive_at = INT64_MAX;
	if (!s->subscribed || s->fid == NULL || s->shutdown)
		return;
	if (!sched_want_offers(s)) {
		s->revive_wanted = 0;
		if (!s->suppressed) {
			sched_send(s, out, call_suppress(s->fid, s->cfg->roles,
			    s->cfg->nroles), 0);
			s->suppressed = 1;
			s->last_suppress = s->now;
		}
		return;
	}
	seen = s->last_revive > s->last_offers ? s->last_revive :
	    s->last_offers;
	/* nothing new: only the guard against a lost REVIVE */
	guard = !s->suppressed && !s->revive_wanted;
	if (guard && s->now - seen < s->revive_resend)
		return;
	if (s->now < s->last_revive + debounce) {
		s->revive_at = s->last_revive + debounce;
		return;
	}
	sched_send(s, out, call_revive(s->fid, s->cfg->roles, s->cfg->nroles),
	    0);
	s->suppressed = 0;
	s->revive_wanted = 0;
	s->last_revive = s->now;
	if (!guard)
		s->revive_resend = SCHED_REVIVE_RESEND_MS;
	else if (s->revive_resend < SCHED_REVIVE_RESEND_MAX_MS / 2)
		s->revive_resend *= 2;
	else
		s->revive_resend = SCHED_REVIVE_RESEND_MAX_MS;
}
