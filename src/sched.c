/*
 * sched — the scheduling core: a pure reducer from messages to effects.
 * This file is its entry and its state: sched_create() builds the state
 * from the configuration and the store's snapshot, sched_apply() switches
 * on each message (and each event of the master) into the files of the
 * family, calls' outcomes and timer ticks are handled here, and
 * sched_next_deadline() and sched_check() read the state.
 *
 * Jobs have slots ("0".."N-1" for a service, one per eligible agent for a
 * daemon); a slot holds at most one task of its own and goes PENDING ->
 * ACTIVE -> (task ends) -> BACKOFF/PENDING/DONE as the restart policy says.
 * Every offer of an OFFERS event is matched at once against the pending
 * slots (first fit, jobs in configuration order), packed into one ACCEPT per
 * offer, and whatever is unused is declined in one DECLINE call. Status
 * updates are applied idempotently (stale timestamps are ignored, finished
 * tasks are remembered for a while so a late update cannot revive them),
 * persisted as store rows and only then acknowledged. Timers live in one
 * heap of deadlines; the core reads no clock: time comes in each message.
 *
 * The family, each file calling only the ones before it (HACKING.md):
 * sched-effect (names, effects), sched-agent, sched-task (life, kills),
 * sched-roll, sched-slot (restart policy, backoff), sched-job,
 * sched-service, sched-update (status updates, a task's end),
 * sched-session, sched-daemon, sched-offer (matching, REVIVE/SUPPRESS),
 * sched-admin and sched-reload, then this file. sched-int.h is the state
 * they share.
 *
 * It does not parse JSON, talk to sockets or touch the disk: calls, store
 * rows, replies and the rest leave as effects (effect.h).
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "codec.h"
#include "log.h"
#include "sched-config.h"
#include "sched-int.h"
#include "xmalloc.h"

static struct sched_slot *
sched_timer_slot(struct heap_node *n)
{
	return (struct sched_slot *)(void *)((char *)n -
	    offsetof(struct sched_slot, timer));
}

static struct sched_task *
sched_timer_task(struct heap_node *n)
{
	return (struct sched_task *)(void *)((char *)n -
	    offsetof(struct sched_task, timer));
}

static void
sched_on_call_done(struct sched *s, const struct msg_call_done *cd,
    struct effects *out)
{
	char key[24];
	struct sched_call *c;
	int ok = cd->status >= 200 && cd->status < 300;

	snprintf(key, sizeof key, "%" PRIu64, cd->cookie);
	c = hash_del(s->calls, key);
	if (c == NULL)
		return;
	if (c->type == MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT && !ok) {
		const char **ids = xcalloc(c->ntasks + 1, sizeof *ids);
		const char **aids = xcalloc(c->ntasks + 1, sizeof *aids);
		size_t n = 0;

		log_warn("sched: ACCEPT failed (%d%s%s)", cd->status,
		    cd->error != NULL ? ": " : "",
		    cd->error != NULL ? cd->error : "");
		for (size_t i = 0; i < c->ntasks; i++) {
			struct sched_task *t = hash_get(s->tasks, c->tasks[i]);

			if (t == NULL || t->state != SCHED_LAUNCHING)
				continue;
			if (cd->status >= 400) {
				sched_task_end(s, t, SCHED_LAUNCHING, out);
				continue;
			}
			/* no answer: the master may have it; ask */
			ids[n] = t->id;
			aids[n] = t->agent_id;
			n++;
		}
		if (n > 0 && s->subscribed && s->fid != NULL)
			sched_send(s, out, call_reconcile(s->fid, ids, aids, n),
			    0);
		free(ids);
		free(aids);
	} else if (c->type ==
	    MESOS__V1__SCHEDULER__CALL__TYPE__UPDATE_FRAMEWORK && !ok) {
		if (cd->status >= 400 && c->constraints) {
			log_warn("sched: the master refused UPDATE_FRAMEWORK "
			    "with offer constraints (%d%s%s): offers of "
			    "blacklisted agents are declined instead",
			    cd->status, cd->error != NULL ? ": " : "",
			    cd->error != NULL ? cd->error : "");
			s->constraints_unsupported = 1;
			s->constraints_sent = 0;
		} else {
			log_warn("sched: UPDATE_FRAMEWORK failed (%d%s%s)",
			    cd->status, cd->error != NULL ? ": " : "",
			    cd->error != NULL ? cd->error : "");
			s->framework_dirty = 1;
		}
	}
	sched_call_free(c);
	if (s->shutdown && hash_count(s->calls) == 0)
		sched_exit(s, 0, "shutdown", out);
}

static void
sched_on_tick(struct sched *s, struct effects *out)
{
	struct heap_node *n;

	while ((n = heap_top(&s->timers)) != NULL && n->at <= s->now) {
		heap_cancel(&s->timers, n);
		if (((struct sched_timer *)(void *)n)->kind == TIMER_SLOT) {
			struct sched_slot *sl = sched_timer_slot(n);

			if (sl->state == SLOT_BACKOFF) {
				sl->backoff_until = 0;
				sched_slot_set(s, sl, SLOT_PENDING,
				    "backoff over");
			}
		} else
			sched_task_fire(s, sched_timer_task(n), out);
	}
	if (s->subscribed && s->fid != NULL) {
		reconcile_tick(&s->rec, s->fid, s->now, out);
		if (s->ha_hold && s->rec.done &&
		    s->rec.phase == RECONCILE_IDLE) {
			s->ha_hold = 0;
			s->revive_wanted = 1;	/* declined offers were filtered */
			log_info("sched: reconciliation done: launching again");
		}
		if (reconcile_periodic_due(&s->rec, s->now))
			sched_reconcile_start(s, "periodic", out);
		if (s->now >= s->agents_at) {
			effects_add(out, EFFECT_GET_AGENTS);
			s->agents_asked = s->now;
			s->agents_at = s->now + sched_ms(
			    s->cfg->agents_refresh_s > 0 ?
			    s->cfg->agents_refresh_s : 60);
		}
	}
	if (s->shutdown && s->now >= s->exit_at)
		sched_exit(s, 0, "shutdown (calls still in flight)", out);
}

/* Applies the runtime changes (admin API) stored as kv rows. */
static void
sched_restore_kv(struct sched *s, const struct store_snapshot *snap)
{
	for (size_t i = 0; i < snap->nkv; i++) {
		const char *k = snap->kv[i].key, *v = snap->kv[i].value;
		const char *slash;
		char *jid;
		struct sched_job *j;

		if (k == NULL || v == NULL || strncmp(k, "job/", 4) != 0)
			continue;
		slash = strrchr(k + 4, '/');
		if (slash == NULL)
			continue;
		jid = xstrndup(k + 4, (size_t)(slash - (k + 4)));
		j = hash_get(s->jobs, jid);
		free(jid);
		if (j == NULL || j->cfg == NULL)
			continue;
		if (strcmp(slash + 1, "instances") == 0 &&
		    j->cfg->kind == JOB_SERVICE) {
			char *end;
			long long n = strtoll(v, &end, 10);

			if (*end == '\0' && n >= 0 && n <= UINT32_MAX) {
				j->instances = (uint32_t)n;
				j->instances_set = 1;
			}
		} else if (strcmp(slash + 1, "suspended") == 0)
			j->suspended = strcmp(v, "true") == 0;
	}
}

/* Rebuilds a task (and its slot) from its store row. */
static void
sched_restore_task(struct sched *s, const struct store_task *r)
{
	struct sched_job *j;
	struct sched_slot *sl = NULL;
	struct sched_task *t;
	const char *key = r->slot != NULL ? r->slot : "?";

	if (r->task_id == NULL || r->job == NULL ||
	    hash_get(s->tasks, r->task_id) != NULL)
		return;
	j = hash_get(s->jobs, r->job);
	if (j == NULL)
		j = sched_job_orphan(s, r->job);
	if (r->slot != NULL) {
		sl = hash_get(j->slots, key);
		if (sl == NULL) {
			struct sched_agent *a = NULL;

			if (j->cfg != NULL && j->cfg->kind == JOB_DAEMON)
				a = sched_agent_get(s, key, 1);
			sl = sched_slot_new(s, j, key, a);
			if (j->cfg == NULL || j->removed ||
			    (j->cfg->kind == JOB_SERVICE &&
			    (sched_slot_index(key) < 0 ||
			    (uint64_t)sched_slot_index(key) >= j->instances)))
				sl->doomed = 1;
		}
	}
	t = sched_task_new(s, j, sl, r->task_id, key, r->agent_id, r->state);
	t->hostname = sched_strdup(r->hostname);
	if (t->agent != NULL && t->agent->hostname == NULL && r->hostname)
		t->agent->hostname = xstrdup(r->hostname);
	t->offer_id = sched_strdup(r->offer_id);
	t->job_hash = sched_strdup(r->job_hash != NULL ? r->job_hash : "");
	t->launched_at = r->launched_at;
	t->updated_at = r->updated_at;
	t->launch_wait = sched_ms(s->cfg->launch_timeout_s > 0 ?
	    s->cfg->launch_timeout_s : 60);
	if (r->state == MESOS__V1__TASK_STATE__TASK_RUNNING)
		t->running_since = s->now;
	if (r->state == MESOS__V1__TASK_STATE__TASK_UNREACHABLE ||
	    r->state == MESOS__V1__TASK_STATE__TASK_LOST)
		t->unreachable_at = s->now;
	if (sl != NULL) {
		/* two tasks in one slot: the newer launch keeps it */
		if (sl->task == NULL)
			sl->task = t;
		else if (r->launched_at > sl->task->launched_at)
			sl->task = t;
		sl->state = SLOT_ACTIVE;
	}
	if (j->removed || j->cfg == NULL)
		t->kill = KILL_REMOVED;
	else if (sl != NULL && sl->doomed)
		t->kill = KILL_SCALE;
	else if (j->suspended)
		t->kill = KILL_SUSPEND;
}

/* Settles every slot's state after a restore. */
static void
sched_restore_slots(struct sched *s, const struct store_snapshot *snap)
{
	for (size_t i = 0; snap != NULL && i < snap->nslots; i++) {
		const struct store_slot *r = &snap->slots[i];
		struct sched_job *j;
		struct sched_slot *sl;

		if (r->job == NULL || r->slot == NULL)
			continue;
		j = hash_get(s->jobs, r->job);
		if (j == NULL || j->cfg == NULL)
			continue;
		sl = hash_get(j->slots, r->slot);
		if (sl == NULL) {
			if (j->cfg->kind == JOB_SERVICE &&
			    (sched_slot_index(r->slot) < 0 ||
			    (uint64_t)sched_slot_index(r->slot) >= j->instances))
				continue;
			sl = sched_slot_new(s, j, r->slot,
			    j->cfg->kind == JOB_DAEMON ?
			    sched_agent_get(s, r->slot, 1) : NULL);
		}
		sl->restarts = r->restarts;
		if (r->backoff_until == SCHED_SLOT_DONE_MARK)
			sl->backoff_until = SCHED_SLOT_DONE_MARK;
		else
			sl->backoff_until = r->backoff_until;
	}
	for (struct sched_job *j = s->job_head; j != NULL; j = j->next)
		for (struct sched_slot *sl = j->slot_head; sl != NULL;
		    sl = sl->next) {
			if (sl->task != NULL) {
				sl->state = SLOT_DONE;	/* force the move */
				sched_slot_set(s, sl, SLOT_ACTIVE, "restored");
				continue;
			}
			sl->state = SLOT_ACTIVE;
			if (sl->doomed || j->cfg == NULL) {
				sched_slot_set(s, sl, SLOT_DONE, "restored");
			} else if (sl->backoff_until == SCHED_SLOT_DONE_MARK) {
				sl->backoff_until = 0;
				sched_slot_set(s, sl, SLOT_DONE, "restored");
			} else if (sl->backoff_until > s->wall) {
				sched_slot_set(s, sl, SLOT_BACKOFF, "restored");
				heap_set(&s->timers, &sl->timer.node,
				    s->now + (sl->backoff_until - s->wall));
			} else
				sched_slot_set(s, sl, SLOT_PENDING, "restored");
		}
}

struct sched *
sched_create(const struct config *cfg, const struct store_snapshot *snap,
    int64_t now, int64_t wall)
{
	struct sched *s = xcalloc(1, sizeof *s);

	s->cfg = sched_config_copy(cfg);
	s->now = now;
	s->wall = wall;
	s->jobs = hash_create(s->cfg->njobs);
	s->tasks = hash_create(snap != NULL ? snap->ntasks : 0);
	s->agents = hash_create(64);
	s->blacklist = hash_create(16);
	s->calls = hash_create(64);
	s->dead = hash_create(SCHED_DEAD_MAX);
	s->dead_ring = xcalloc(SCHED_DEAD_MAX, sizeof *s->dead_ring);
	heap_init(&s->timers);
	reconcile_init(&s->rec, s->cfg);
	s->last_revive = s->last_suppress = s->last_offers = INT64_MIN / 4;
	s->revive_resend = SCHED_REVIVE_RESEND_MS;
	s->revive_at = s->agents_at = s->exit_at = INT64_MAX;
	s->session = SESSION_DISCONNECTED;
	for (size_t i = 0; i < s->cfg->njobs; i++) {
		struct sched_job *j = sched_job_new(s, &s->cfg->jobs[i]);

		j->instances = j->cfg->kind == JOB_SERVICE ?
		    j->cfg->instances : 0;
	}
	if (snap != NULL) {
		if (snap->framework_id != NULL) {
			s->old_fid = xstrdup(snap->framework_id);
			if (!snap->framework_removed)
				s->fid = xstrdup(snap->framework_id);
		}
		sched_restore_kv(s, snap);
		for (size_t i = 0; i < snap->nblacklist; i++) {
			const struct store_blacklist *r = &snap->blacklist[i];
			struct sched_blacklist *b;

			if (r->agent == NULL || hash_get(s->blacklist, r->agent))
				continue;
			b = xcalloc(1, sizeof *b);
			b->agent = xstrdup(r->agent);
			b->reason = xstrdup(r->reason != NULL ? r->reason : "");
			b->since = r->since;
			hash_put(s->blacklist, b->agent, b);
		}
	}
	/* Every service instance has a slot, made in order before the tasks
	 * come back: a restored task then finds its slot instead of inserting
	 * one into the ordered list (the store hands tasks back in text
	 * order, "10" before "2", which made that quadratic). */
	for (struct sched_job *j = s->job_head; j != NULL; j = j->next) {
		if (j->cfg == NULL || j->cfg->kind != JOB_SERVICE)
			continue;
		for (uint32_t i = 0; i < j->instances; i++) {
			char key[16];

			snprintf(key, sizeof key, "%u", i);
			if (hash_get(j->slots, key) == NULL)
				sched_slot_new(s, j, key, NULL);
		}
	}
	for (size_t i = 0; snap != NULL && i < snap->ntasks; i++)
		sched_restore_task(s, &snap->tasks[i]);
	sched_restore_slots(s, snap);
	for (size_t i = 0; snap != NULL && i < snap->nhistory; i++) {
		const struct store_history *r = &snap->history[i];
		struct sched_job *j = r->job != NULL ? hash_get(s->jobs,
		    r->job) : NULL;
		struct sched_slot *sl = j != NULL && r->slot != NULL ?
		    hash_get(j->slots, r->slot) : NULL;
		struct store_history h;

		if (sl == NULL || r->task_id == NULL)
			continue;
		/* rows come in seq order per slot: the ring keeps the last */
		sched_hist_dup(&h, r);
		h.keep = 0;
		sched_slot_hist_add(sl, &h);
	}
	log_info("sched: %zu job(s), %zu task(s) restored, %zu blacklisted",
	    s->cfg->njobs, hash_count(s->tasks), hash_count(s->blacklist));
	return s;
}

void
sched_free(struct sched *s)
{
	struct sched_task *t;
	struct sched_agent *a;
	struct sched_blacklist *b;
	struct sched_call *c;
	size_t it;

	if (s == NULL)
		return;
	heap_clear(&s->timers);	/* it touches the nodes: first */
	it = 0;
	while ((t = hash_next(s->tasks, &it)) != NULL)
		sched_task_destroy(t);
	hash_free(s->tasks);
	while (s->job_head != NULL) {
		struct sched_job *j = s->job_head;
		struct sched_slot *sl, *n;

		s->job_head = j->next;
		for (sl = j->slot_head; sl != NULL; sl = n) {
			n = sl->next;
			sched_slot_hist_free(sl);
			free(sl->key);
			free(sl);
		}
		sched_job_free(j);
	}
	hash_free(s->jobs);
	it = 0;
	while ((a = hash_next(s->agents, &it)) != NULL)
		sched_agent_free(a);
	hash_free(s->agents);
	it = 0;
	while ((b = hash_next(s->blacklist, &it)) != NULL) {
		free(b->agent);
		free(b->reason);
		free(b);
	}
	hash_free(s->blacklist);
	it = 0;
	while ((c = hash_next(s->calls, &it)) != NULL)
		sched_call_free(c);
	hash_free(s->calls);
	for (size_t i = 0; i < SCHED_DEAD_MAX; i++)
		free(s->dead_ring[i]);
	free(s->dead_ring);
	hash_free(s->dead);
	free(s->fid);
	free(s->old_fid);
	free(s->master);
	free(s->stream_id);
	free(s->conn_error);
	sched_config_free(s->cfg);
	free(s);
}

static void
sched_on_event(struct sched *s, const Mesos__V1__Scheduler__Event *ev,
    struct effects *out)
{
	if (ev == NULL || !ev->has_type)
		return;
	log_debug("sched: <- %s", codec_enum_name(
	    &mesos__v1__scheduler__event__type__descriptor, ev->type));
	switch (ev->type) {
	case MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED:
		sched_on_subscribed(s, ev->subscribed, out);
		break;
	case MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS:
		sched_on_offers(s, ev->offers, out);
		break;
	case MESOS__V1__SCHEDULER__EVENT__TYPE__INVERSE_OFFERS:
		sched_on_inverse_offers(s, ev->inverse_offers, out);
		break;
	case MESOS__V1__SCHEDULER__EVENT__TYPE__RESCIND:
		/* offers are used or declined as they come: nothing held */
		log_debug("sched: offer %s rescinded",
		    ev->rescind != NULL && ev->rescind->offer_id != NULL ?
		    ev->rescind->offer_id->value : "?");
		break;
	case MESOS__V1__SCHEDULER__EVENT__TYPE__RESCIND_INVERSE_OFFER:
		log_debug("sched: inverse offer rescinded");
		break;
	case MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE:
		if (ev->update != NULL)
			sched_on_update(s, ev->update->status, out);
		break;
	case MESOS__V1__SCHEDULER__EVENT__TYPE__FAILURE:
		if (ev->failure != NULL && ev->failure->agent_id != NULL &&
		    ev->failure->executor_id == NULL) {
			struct sched_agent *a = hash_get(s->agents,
			    ev->failure->agent_id->value);

			log_warn("sched: agent %s failed",
			    ev->failure->agent_id->value);
			if (a != NULL) {
				a->active = 0;
				sched_daemon_sync(s, a, out);
			}
		}
		break;
	case MESOS__V1__SCHEDULER__EVENT__TYPE__ERROR:
		sched_on_error(s, ev->error != NULL ? ev->error->message : NULL,
		    out);
		break;
	default:
		/* HEARTBEAT (the master connection watches those), MESSAGE,
		 * UPDATE_OPERATION_STATUS (ark launches no operations) */
		break;
	}
}

void
sched_apply(struct sched *s, struct msg *m, struct effects *out)
{
	s->now = m->now;
	s->wall = m->wall;
	switch (m->type) {
	case MSG_EVENT:
		sched_on_event(s, m->u.event, out);
		break;
	case MSG_SESSION:
		sched_on_session(s, &m->u.session, out);
		break;
	case MSG_CALL_DONE:
		sched_on_call_done(s, &m->u.call_done, out);
		break;
	case MSG_AGENTS:
		if (m->u.agents != NULL)
			sched_on_agents(s, m->u.agents, out);
		break;
	case MSG_TICK:
		sched_on_tick(s, out);
		break;
	case MSG_ADMIN:
		if (m->u.admin != NULL)
			sched_admin_apply(s, m->u.admin, out);
		break;
	case MSG_RELOAD:
		if (m->u.config != NULL)
			sched_reload_apply(s, m->u.config, out);
		break;
	case MSG_SHUTDOWN:
		sched_on_shutdown(s, out);
		break;
	default:
		break;
	}
	sched_pace(s, out);
}

int64_t
sched_next_deadline(const struct sched *s)
{
	const struct heap_node *n = heap_top(&s->timers);
	int64_t at = n != NULL ? n->at : INT64_MAX;

	if (s->revive_at < at)
		at = s->revive_at;
	if (s->shutdown && s->exit_at < at)
		at = s->exit_at;
	if (!s->subscribed)
		return at;
	if (reconcile_deadline(&s->rec) < at)
		at = reconcile_deadline(&s->rec);
	if (s->agents_at < at)
		at = s->agents_at;
	if (s->rec.phase == RECONCILE_IDLE && s->rec.runs > 0 &&
	    s->rec.started + sched_ms(s->rec.interval_s) < at)
		at = s->rec.started + sched_ms(s->rec.interval_s);
	if (!s->suppressed && !s->shutdown && sched_want_offers(s)) {
		int64_t seen = s->last_revive > s->last_offers ?
		    s->last_revive : s->last_offers;
		int64_t resend = seen + s->revive_resend;
		int64_t debounce = s->last_revive +
		    sched_ms(s->cfg->revive_debounce_s);

		if (debounce > resend)
			resend = debounce;
		if (resend < at)
			at = resend;
	}
	return at;
}

const char *
sched_framework_id(const struct sched *s)
{
	return s->fid;
}

/*
 * Checks the core's invariants (tests and the fuzz target call it after
 * every message): every slot's task is a known task of that slot, counts
 * agree with the lists, every task's job, slot and agent are live.
 * Returns 0, or -1 with *cause (caller frees).
 */
int
sched_check(const struct sched *s, char **cause)
{
	size_t ntasks = 0, it = 0;
	struct sched_task *t;

	for (const struct sched_job *j = s->job_head; j != NULL; j = j->next) {
		size_t nslots = 0, njt = 0, npend = 0;

		for (const struct sched_slot *sl = j->slot_head; sl != NULL;
		    sl = sl->next) {
			size_t mine = 0;

			nslots++;
			if (sl->job != j || hash_get(j->slots, sl->key) != sl) {
				*cause = xasprintf("slot %s/%s misfiled", j->id,
				    sl->key);
				return -1;
			}
			if (sl->task != NULL && (hash_get(s->tasks,
			    sl->task->id) != sl->task || sl->task->slot != sl)) {
				*cause = xasprintf("slot %s/%s: stale task",
				    j->id, sl->key);
				return -1;
			}
			if (sl->task != NULL && sl->state != SLOT_ACTIVE) {
				*cause = xasprintf("slot %s/%s: a task but %s",
				    j->id, sl->key,
				    sched_slot_state_name(sl->state));
				return -1;
			}
			if ((sl->state == SLOT_PENDING) != (sl->in_pending != 0)) {
				*cause = xasprintf("slot %s/%s: pending list",
				    j->id, sl->key);
				return -1;
			}
			npend += sl->in_pending != 0;
			for (t = j->task_head; t != NULL; t = t->jnext)
				mine += t->slot == sl;
			if (mine != sl->ntasks) {
				*cause = xasprintf("slot %s/%s: %zu tasks, "
				    "counted %zu", j->id, sl->key, mine,
				    sl->ntasks);
				return -1;
			}
		}
		for (t = j->task_head; t != NULL; t = t->jnext) {
			njt++;
			if (t->job != j || hash_get(s->tasks, t->id) != t) {
				*cause = xasprintf("task %s misfiled", t->id);
				return -1;
			}
			if (t->agent != NULL && hash_get(s->agents,
			    t->agent->id) != t->agent) {
				*cause = xasprintf("task %s: stale agent",
				    t->id);
				return -1;
			}
		}
		if (nslots != j->nslots || njt != j->ntasks ||
		    npend != j->npending) {
			*cause = xasprintf("job %s: counts (slots %zu/%zu, tasks "
			    "%zu/%zu, pending %zu/%zu)", j->id, nslots,
			    j->nslots, njt, j->ntasks, npend, j->npending);
			return -1;
		}
		ntasks += njt;
	}
	if (ntasks != hash_count(s->tasks)) {
		*cause = xasprintf("%zu tasks in jobs, %zu known", ntasks,
		    hash_count(s->tasks));
		return -1;
	}
	while ((t = hash_next(s->tasks, &it)) != NULL)
		if (t->slot != NULL && hash_get(t->job->slots, t->slot->key) !=
		    t->slot) {
			*cause = xasprintf("task %s: stale slot", t->id);
			return -1;
		}
	return 0;
}
