/*
 * sched-slot — slots, the places a job wants a task in ("0".."N-1" for a
 * service, an agent id for a daemon): creation in key order, the job's list
 * of pending slots, state moves (PENDING, BACKOFF, ACTIVE, DONE), deletion,
 * and what a slot does once its task ended: the restart policy and its
 * exponential backoff; the history of the tasks a slot ended. Also what
 * offer matching asks of a slot (another of its tasks being reconciled, a
 * daemon slot still occupied).
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "log.h"
#include "sched-int.h"
#include "xmalloc.h"

/* Numeric value of a service slot key; -1 if it is not a number. */
long
sched_slot_index(const char *key)
{
	char *end;
	long v;

	if (key == NULL || key[0] < '0' || key[0] > '9')
		return -1;
	v = strtol(key, &end, 10);
	if (*end != '\0' || v < 0 || (key[0] == '0' && key[1] != '\0'))
		return -1;
	return v;
}

/* Creates slot key of job (state DONE until set), in key order. */
struct sched_slot *
sched_slot_new(struct sched *s, struct sched_job *j, const char *key,
    struct sched_agent *a)
{
	struct sched_slot *sl = xcalloc(1, sizeof *sl), *at;
	long idx = sched_slot_index(key);

	sl->job = j;
	sl->key = xstrdup(key);
	sl->index = idx;
	sl->state = SLOT_DONE;
	sl->agent = a;
	heap_node_init(&sl->timer.node);
	sl->timer.kind = TIMER_SLOT;
	hash_put(j->slots, sl->key, sl);
	/* service slots stay in numeric order; daemon slots in arrival */
	at = j->slot_tail;
	if (idx >= 0)
		while (at != NULL && at->index > idx)
			at = at->prev;
	sl->prev = at;
	sl->next = at != NULL ? at->next : j->slot_head;
	if (sl->next != NULL)
		sl->next->prev = sl;
	else
		j->slot_tail = sl;
	if (at != NULL)
		at->next = sl;
	else
		j->slot_head = sl;
	j->nslots++;
	(void)s;
	return sl;
}

static void
sched_pending_unlink(struct sched_job *j, struct sched_slot *sl)
{
	if (!sl->in_pending)
		return;
	if (sl->pprev != NULL)
		sl->pprev->pnext = sl->pnext;
	else
		j->pend_head = sl->pnext;
	if (sl->pnext != NULL)
		sl->pnext->pprev = sl->pprev;
	else
		j->pend_tail = sl->pprev;
	sl->pnext = sl->pprev = NULL;
	sl->in_pending = 0;
	j->npending--;
}

/* Moves slot sl to state st (logged at debug). */
void
sched_slot_set(struct sched *s, struct sched_slot *sl,
    enum sched_slot_state st, const char *cause)
{
	struct sched_job *j = sl->job;

	if (sl->state == st)
		return;
	log_debug("sched: slot %s/%s: %s -> %s (%s)", j->id, sl->key,
	    sched_slot_state_name(sl->state), sched_slot_state_name(st),
	    cause);
	if (sl->state == SLOT_PENDING)
		sched_pending_unlink(j, sl);
	if (sl->state == SLOT_BACKOFF)
		heap_cancel(&s->timers, &sl->timer.node);
	sl->state = st;
	if (st == SLOT_PENDING) {
		sl->pprev = j->pend_tail;
		sl->pnext = NULL;
		if (j->pend_tail != NULL)
			j->pend_tail->pnext = sl;
		else
			j->pend_head = sl;
		j->pend_tail = sl;
		sl->in_pending = 1;
		j->npending++;
		sl->why = NULL;
		s->revive_wanted = 1;
	}
}

/* Frees the history entries of sl. */
void
sched_slot_hist_free(struct sched_slot *sl)
{
	for (size_t i = 0; i < sl->nhist; i++)
		store_history_clear(&sl->hist[i]);
	free(sl->hist);
	sl->hist = NULL;
	sl->nhist = 0;
}

/*
 * Appends h (its strings now owned by sl) to sl's history, dropping the
 * oldest entry beyond SCHED_HISTORY_MAX; h->seq is set when 0.
 */
void
sched_slot_hist_add(struct sched_slot *sl, struct store_history *h)
{
	if (sl->hist == NULL)
		sl->hist = xcalloc(SCHED_HISTORY_MAX, sizeof *sl->hist);
	if (h->seq == 0)
		h->seq = sl->hist_seq + 1;
	if (h->seq > sl->hist_seq)
		sl->hist_seq = h->seq;
	if (sl->nhist == SCHED_HISTORY_MAX) {
		store_history_clear(&sl->hist[0]);
		memmove(&sl->hist[0], &sl->hist[1],
		    (SCHED_HISTORY_MAX - 1) * sizeof *sl->hist);
		sl->nhist--;
	}
	sl->hist[sl->nhist++] = *h;
}

/* Copies history entry src into dst (deep; dst is overwritten). */
void
sched_hist_dup(struct store_history *dst, const struct store_history *src)
{
	*dst = *src;
	dst->job = sched_strdup(src->job);
	dst->slot = sched_strdup(src->slot);
	dst->task_id = sched_strdup(src->task_id);
	dst->message = sched_strdup(src->message);
	dst->agent_id = sched_strdup(src->agent_id);
	dst->hostname = sched_strdup(src->hostname);
}

/* Records how task t ended (state) in its slot's history and the store. */
void
sched_slot_hist_record(struct sched *s, struct sched_slot *sl,
    const struct sched_task *t, int state, struct effects *out)
{
	struct store_history h;
	struct effect *e;

	memset(&h, 0, sizeof h);
	h.job = sl->job->id;
	h.slot = sl->key;
	h.task_id = t->id;
	h.state = state;
	h.reason = t->reason;
	h.source = t->source;
	h.message = t->message;
	h.agent_id = t->agent_id;
	h.hostname = t->hostname;
	h.launched_at = t->launched_at;
	h.ended_at = s->wall;
	h.keep = SCHED_HISTORY_MAX;
	h.seq = sl->hist_seq + 1;
	e = effects_add(out, EFFECT_STORE);
	e->u.store.type = STORE_HISTORY_PUT;
	sched_hist_dup(&e->u.store.u.history, &h);
	sched_hist_dup(&h, &h);
	sched_slot_hist_add(sl, &h);
}

/* Forgets slot sl (it has no task) and deletes its store row. */
void
sched_slot_delete(struct sched *s, struct sched_slot *sl, struct effects *out)
{
	struct sched_job *j = sl->job;
	struct effect *e;
	int was_roll = j->roll_slot == sl;

	sched_pending_unlink(j, sl);
	heap_cancel(&s->timers, &sl->timer.node);
	hash_del(j->slots, sl->key);
	if (sl->prev != NULL)
		sl->prev->next = sl->next;
	else
		j->slot_head = sl->next;
	if (sl->next != NULL)
		sl->next->prev = sl->prev;
	else
		j->slot_tail = sl->prev;
	j->nslots--;
	if (was_roll)
		j->roll_slot = NULL;
	if (out != NULL) {
		e = effects_add(out, EFFECT_STORE);
		e->u.store.type = STORE_SLOT_DEL;
		e->u.store.u.slot.job = xstrdup(j->id);
		e->u.store.u.slot.slot = xstrdup(sl->key);
	}
	log_debug("sched: slot %s/%s deleted", j->id, sl->key);
	sched_slot_hist_free(sl);
	free(sl->key);
	free(sl);
	if (was_roll && out != NULL)
		sched_roll_step(s, j, out);
}

/*
 * Decides what slot sl does after its task ended in state (a TaskState, or
 * SCHED_LAUNCHING when the launch itself failed), as the kill reason and the
 * restart policy say.
 */
void
sched_slot_after(struct sched *s, struct sched_slot *sl, int state,
    enum sched_kill kill, int64_t ran_ms, int launch_failed,
    struct effects *out)
{
	struct sched_job *j = sl->job;
	const struct config_job *c = j->cfg;
	double delay;
	int failed;

	if (j->removed || c == NULL || sl->doomed) {
		if (sl->ntasks == 0)
			sched_slot_delete(s, sl, out);
		else
			sched_slot_set(s, sl, SLOT_DONE, "leaving");
		return;
	}
	if (c->kind == JOB_DAEMON && sl->agent != NULL &&
	    !sched_eligible(s, j, sl->agent, NULL) && sl->ntasks == 0) {
		sched_slot_delete(s, sl, out);
		return;
	}
	switch (kill) {
	case KILL_ROLL:
	case KILL_BLACKLIST:
	case KILL_DRAIN:
	case KILL_SURPLUS:
	case KILL_SUSPEND:
	case KILL_SCALE:	/* scaled down, then up again */
	case KILL_REMOVED:	/* removed, then added again */
		sched_slot_set(s, sl, SLOT_PENDING, sched_kill_name(kill));
		return;
	case KILL_ADMIN:
		if (c->restart == RESTART_NEVER) {
			sched_slot_set(s, sl, SLOT_DONE, "killed, restart never");
			sched_store_slot(sl, out);
		} else
			sched_slot_set(s, sl, SLOT_PENDING, "killed by operator");
		return;
	default:
		break;
	}
	failed = state != MESOS__V1__TASK_STATE__TASK_FINISHED;
	if (!launch_failed && (c->restart == RESTART_NEVER ||
	    (c->restart == RESTART_ON_FAILURE && !failed))) {
		sched_slot_set(s, sl, SLOT_DONE, "restart policy");
		sched_store_slot(sl, out);
		return;
	}
	if (c->backoff_max_s > 0 && ran_ms >= sched_ms(c->backoff_max_s))
		sl->restarts = 0;
	sl->restarts++;
	sl->job->restarts++;
	delay = c->backoff_s > 0 ? c->backoff_s : 0;
	if (c->backoff_factor > 1)
		delay *= pow(c->backoff_factor, (double)(sl->restarts - 1));
	if (c->backoff_max_s > 0 && delay > c->backoff_max_s)
		delay = c->backoff_max_s;
	if (delay <= 0) {
		sl->backoff_until = 0;
		sched_slot_set(s, sl, SLOT_PENDING, "restart");
	} else {
		sl->backoff_until = s->wall + sched_ms(delay);
		sched_slot_set(s, sl, SLOT_BACKOFF, "restart after backoff");
		heap_set(&s->timers, &sl->timer.node, s->now + sched_ms(delay));
	}
	sched_store_slot(sl, out);
}

/* Whether any task of slot sl besides its own awaits reconciliation. */
int
sched_slot_reconciling(const struct sched_slot *sl)
{
	if (sl->ntasks == 0 || (sl->ntasks == 1 && sl->task != NULL))
		return 0;
	for (const struct sched_task *t = sl->job->task_head; t != NULL;
	    t = t->jnext)
		if (t->slot == sl && t != sl->task && reconcile_pending(&t->rec))
			return 1;
	return 0;
}

/*
 * Whether a daemon slot still has another task whose fate is open (an
 * unreachable one, a launch in doubt): never two tasks in a daemon slot, so
 * it waits until that task comes back (and takes the slot) or ends.
 */
int
sched_slot_occupied(const struct sched_slot *sl)
{
	return sl->job->cfg->kind == JOB_DAEMON && sl->ntasks > 0 &&
	    sl->task == NULL;
}

/* Asks the master about the tasks of slot sl other than its own. */
void
sched_slot_reconcile_others(struct sched *s, const struct sched_slot *sl,
    struct effects *out)
{
	const char **ids, **aids;
	size_t n = 0;

	if (!s->subscribed || s->fid == NULL || sl->ntasks == 0 ||
	    (sl->ntasks == 1 && sl->task != NULL))
		return;
	ids = xcalloc(sl->ntasks + 1, sizeof *ids);
	aids = xcalloc(sl->ntasks + 1, sizeof *aids);
	for (const struct sched_task *t = sl->job->task_head; t != NULL &&
	    n < sl->ntasks; t = t->jnext)
		if (t->slot == sl && t != sl->task) {
			ids[n] = t->id;
			aids[n] = t->agent_id;
			n++;
		}
	if (n > 0)
		sched_send(s, out, call_reconcile(s->fid, ids, aids, n), 0);
	free(ids);
	free(aids);
}
