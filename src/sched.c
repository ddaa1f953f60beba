/*
 * sched — the scheduling core: a pure reducer from messages to effects.
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
 * It does not parse JSON, talk to sockets or touch the disk: calls, store
 * rows, replies and the rest leave as effects (effect.h).
 */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "call.h"
#include "framework.h"
#include "log.h"
#include "metrics.h"
#include "offers.h"
#include "sched-config.h"
#include "sched-int.h"
#include "xmalloc.h"

static const char *sched_slot_state_names[SLOT_STATE_MAX] = {
	"pending", "backing_off", "active", "done"
};

static const char *sched_kill_names[KILL_MAX] = {
	"none", "admin", "roll", "blacklist", "drain", "surplus", "removed",
	"scale", "suspend"
};

static void	sched_slot_set(struct sched *, struct sched_slot *,
		    enum sched_slot_state, const char *cause);
static void	sched_slot_delete(struct sched *, struct sched_slot *,
		    struct effects *);
static void	sched_task_timer(struct sched *, struct sched_task *);
static void	sched_roll_step(struct sched *, struct sched_job *,
		    struct effects *);
static void	sched_slot_reconcile_others(struct sched *,
		    const struct sched_slot *, struct effects *);

const char *
sched_slot_state_name(enum sched_slot_state st)
{
	return st < SLOT_STATE_MAX ? sched_slot_state_names[st] : "?";
}

const char *
sched_kill_name(enum sched_kill k)
{
	return k < KILL_MAX ? sched_kill_names[k] : "?";
}

const char *
sched_state_name(int state)
{
	if (state == SCHED_LAUNCHING)
		return "LAUNCHING";
	return codec_enum_name(&mesos__v1__task_state__descriptor, state);
}

int
sched_state_parse(const char *name, int *state)
{
	const ProtobufCEnumValue *v;

	if (strcmp(name, "LAUNCHING") == 0) {
		*state = SCHED_LAUNCHING;
		return 0;
	}
	v = protobuf_c_enum_descriptor_get_value_by_name(
	    &mesos__v1__task_state__descriptor, name);
	if (v == NULL)
		return -1;
	*state = v->value;
	return 0;
}

int
sched_state_terminal(int state)
{
	switch (state) {
	case MESOS__V1__TASK_STATE__TASK_FINISHED:
	case MESOS__V1__TASK_STATE__TASK_FAILED:
	case MESOS__V1__TASK_STATE__TASK_KILLED:
	case MESOS__V1__TASK_STATE__TASK_ERROR:
	case MESOS__V1__TASK_STATE__TASK_DROPPED:
	case MESOS__V1__TASK_STATE__TASK_GONE:
	case MESOS__V1__TASK_STATE__TASK_GONE_BY_OPERATOR:
	case MESOS__V1__TASK_STATE__TASK_UNKNOWN:
		return 1;
	default:
		return 0;
	}
}

static char *
sched_strdup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* Replaces *dst with a copy of src unless they are equal. */
static void
sched_set_str(char **dst, const char *src)
{
	if (*dst == NULL && src == NULL)
		return;
	if (*dst != NULL && src != NULL && strcmp(*dst, src) == 0)
		return;
	free(*dst);
	*dst = sched_strdup(src);
}

/* ---- effects ---- */

/* Appends the store row of task t (insert or replace). */
static void
sched_store_task(const struct sched_task *t, struct effects *out)
{
	struct effect *e = effects_add(out, EFFECT_STORE);
	struct store_task *r = &e->u.store.u.task;

	e->u.store.type = STORE_TASK_PUT;
	r->task_id = xstrdup(t->id);
	r->job = xstrdup(t->job->id);
	r->slot = sched_strdup(t->slot_key);
	r->agent_id = sched_strdup(t->agent_id);
	r->hostname = sched_strdup(t->hostname);
	r->offer_id = sched_strdup(t->offer_id);
	r->state = t->state;
	r->job_hash = sched_strdup(t->job_hash);
	r->launched_at = t->launched_at;
	r->updated_at = t->updated_at;
}

/* Appends a store op of type t carrying the string v. */
static void
sched_store_str(struct effects *out, enum store_op_type type, const char *v)
{
	struct effect *e = effects_add(out, EFFECT_STORE);

	e->u.store.type = type;
	e->u.store.u.str = xstrdup(v);
}

static void
sched_store_slot(const struct sched_slot *sl, struct effects *out)
{
	struct effect *e = effects_add(out, EFFECT_STORE);

	e->u.store.type = STORE_SLOT_PUT;
	e->u.store.u.slot.job = xstrdup(sl->job->id);
	e->u.store.u.slot.slot = xstrdup(sl->key);
	e->u.store.u.slot.restarts = sl->restarts;
	e->u.store.u.slot.backoff_until = sl->state == SLOT_DONE ?
	    SCHED_SLOT_DONE_MARK : sl->backoff_until;
}

void
sched_store_kv(struct effects *out, const char *key, const char *value)
{
	struct effect *e = effects_add(out, EFFECT_STORE);

	if (value == NULL) {
		e->u.store.type = STORE_KV_DEL;
		e->u.store.u.str = xstrdup(key);
		return;
	}
	e->u.store.type = STORE_KV_PUT;
	e->u.store.u.kv.key = xstrdup(key);
	e->u.store.u.kv.value = xstrdup(value);
}

/* Sends call c (owned) if subscribed, else drops it. */
static void
sched_send(struct sched *s, struct effects *out, Mesos__V1__Scheduler__Call *c,
    uint64_t cookie)
{
	log_debug("sched: -> %s", call_type_name(c->type));
	effects_call(out, c, cookie);
}

/* Records a call whose outcome matters and returns its cookie. */
static struct sched_call *
sched_call_track(struct sched *s, int type, uint64_t *cookie)
{
	struct sched_call *c = xcalloc(1, sizeof *c);

	*cookie = ++s->cookie;
	snprintf(c->key, sizeof c->key, "%" PRIu64, *cookie);
	c->type = type;
	hash_put(s->calls, c->key, c);
	return c;
}

static void
sched_call_free(struct sched_call *c)
{
	for (size_t i = 0; i < c->ntasks; i++)
		free(c->tasks[i]);
	free(c->tasks);
	free(c);
}

/* ---- timers ---- */

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

static int64_t
sched_ms(double s)
{
	return (int64_t)llround(s * 1000.0);
}

/* ---- agents ---- */

static struct sched_agent *
sched_agent_get(struct sched *s, const char *id, int create)
{
	struct sched_agent *a = hash_get(s->agents, id);

	if (a != NULL || !create)
		return a;
	a = xcalloc(1, sizeof *a);
	a->id = xstrdup(id);
	a->active = 1;
	hash_put(s->agents, a->id, a);
	return a;
}

static void
sched_agent_free(struct sched_agent *a)
{
	for (size_t i = 0; i < a->nattrs; i++) {
		free(a->attrs[i].key);
		free(a->attrs[i].value);
	}
	free(a->attrs);
	free(a->hostname);
	free(a->id);
	free(a);
}

/* The value of constraint field f on agent a: "hostname" or an attribute. */
static const char *
sched_agent_field(const struct sched_agent *a, const char *f)
{
	if (f == NULL)
		return NULL;
	if (strcmp(f, "hostname") == 0)
		return a->hostname;
	for (size_t i = 0; i < a->nattrs; i++)
		if (strcmp(a->attrs[i].key, f) == 0)
			return a->attrs[i].value;
	return NULL;
}

/* Whether a is draining or its maintenance starts soon. */
int
sched_agent_draining(const struct sched *s, const struct sched_agent *a)
{
	if (a->drain_info || a->inverse)
		return 1;
	return a->unavailable_at != 0 &&
	    a->unavailable_at - s->wall < SCHED_UNAVAILABLE_HORIZON_MS &&
	    s->wall < a->unavailable_until;
}

const struct sched_blacklist *
sched_blacklisted(const struct sched *s, const struct sched_agent *a)
{
	const struct sched_blacklist *b;

	if (hash_count(s->blacklist) == 0)
		return NULL;
	b = hash_get(s->blacklist, a->id);
	if (b == NULL && a->hostname != NULL)
		b = hash_get(s->blacklist, a->hostname);
	return b;
}

/* Whether the non-counting constraints of job hold on a. */
static int
sched_constraints_ok(const struct config_job *j, const struct sched_agent *a)
{
	for (size_t i = 0; i < j->nconstraints; i++) {
		const struct config_constraint *c = &j->constraints[i];

		if (!offers_constraint_ok(c, sched_agent_field(a, c->field)))
			return 0;
	}
	return 1;
}

int
sched_eligible(const struct sched *s, const struct sched_job *job,
    const struct sched_agent *a, const char **why)
{
	const char *w = NULL;

	if (sched_blacklisted(s, a) != NULL)
		w = "blacklisted";
	else if (sched_agent_draining(s, a))
		w = "draining";
	else if (!a->active)
		w = "unreachable";
	else if (job->cfg != NULL && !sched_constraints_ok(job->cfg, a))
		w = "constraint";
	if (why != NULL)
		*why = w;
	return w == NULL;
}

/* Links task t into agent a's list. */
static void
sched_agent_link(struct sched_agent *a, struct sched_task *t)
{
	t->agent = a;
	t->aprev = NULL;
	t->anext = a->tasks;
	if (a->tasks != NULL)
		a->tasks->aprev = t;
	a->tasks = t;
	a->ntasks++;
}

static void
sched_agent_unlink(struct sched_task *t)
{
	struct sched_agent *a = t->agent;

	if (a == NULL)
		return;
	if (t->aprev != NULL)
		t->aprev->anext = t->anext;
	else
		a->tasks = t->anext;
	if (t->anext != NULL)
		t->anext->aprev = t->aprev;
	t->anext = t->aprev = NULL;
	t->agent = NULL;
	a->ntasks--;
}

/* ---- jobs and slots ---- */

/* Puts j (owned by s from now on) last in the job list and in the index. */
static void
sched_job_append(struct sched *s, struct sched_job *j)
{
	if (s->job_tail != NULL)
		s->job_tail->next = j;
	else
		s->job_head = j;
	s->job_tail = j;
	hash_put(s->jobs, j->id, j);
}

struct sched_job *
sched_job_new(struct sched *s, const struct config_job *cfg)
{
	struct sched_job *j = xcalloc(1, sizeof *j);

	j->id = xstrdup(cfg->id);
	j->cfg = cfg;
	j->slots = hash_create(cfg->kind == JOB_SERVICE ? cfg->instances : 64);
	sched_job_counts_reset(j, cfg->nconstraints);
	sched_job_append(s, j);
	return j;
}

/* A placeholder for tasks of a job the configuration no longer has. */
static struct sched_job *
sched_job_orphan(struct sched *s, const char *id)
{
	struct sched_job *j = xcalloc(1, sizeof *j);

	j->id = xstrdup(id);
	j->removed = 1;
	j->slots = hash_create(16);
	sched_job_append(s, j);
	return j;
}

/* Drops the per-event constraint counts of j. */
static void
sched_job_counts_clear(struct sched_job *j)
{
	if (j->counts == NULL)
		return;
	for (size_t i = 0; i < j->ncounts; i++) {
		struct sched_count *c;
		size_t it = 0;

		if (j->counts[i] == NULL)
			continue;
		while ((c = hash_next(j->counts[i], &it)) != NULL) {
			free(c->value);
			free(c);
		}
		hash_free(j->counts[i]);
		j->counts[i] = NULL;
	}
}

/* Frees j's counts and sizes them for n constraints (none when 0). */
void
sched_job_counts_reset(struct sched_job *j, size_t n)
{
	sched_job_counts_clear(j);
	free(j->counts);
	j->counts = n > 0 ? xcalloc(n, sizeof *j->counts) : NULL;
	j->ncounts = n;
	j->counts_gen = 0;
}

static void
sched_job_free(struct sched_job *j)
{
	sched_job_counts_reset(j, 0);
	hash_free(j->slots);
	free(j->id);
	free(j);
}

/* Numeric value of a service slot key; -1 if it is not a number. */
static long
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
static struct sched_slot *
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
static void
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
static void
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
static void
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
static void
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
static void
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
static void
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

void
sched_job_maybe_free(struct sched *s, struct sched_job *j)
{
	struct sched_job **pp;

	if (!j->removed || j->ntasks > 0 || j->nslots > 0)
		return;
	for (pp = &s->job_head; *pp != NULL; pp = &(*pp)->next)
		if (*pp == j)
			break;
	if (*pp == NULL)
		return;
	*pp = j->next;
	if (s->job_tail == j) {
		s->job_tail = NULL;
		for (struct sched_job *x = s->job_head; x != NULL; x = x->next)
			s->job_tail = x;
	}
	if (hash_get(s->jobs, j->id) == j)
		hash_del(s->jobs, j->id);
	log_info("sched: job %s: removed", j->id);
	sched_job_free(j);
}

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

void
sched_job_set_instances(struct sched *s, struct sched_job *j, uint32_t n,
    struct effects *out)
{
	struct sched_slot *sl, *next;

	j->instances = n;
	if (j->cfg == NULL || j->cfg->kind != JOB_SERVICE)
		return;
	for (uint32_t i = 0; i < n; i++) {
		char key[16];

		snprintf(key, sizeof key, "%u", i);
		sl = hash_get(j->slots, key);
		if (sl == NULL) {
			sl = sched_slot_new(s, j, key, NULL);
			sched_slot_set(s, sl, SLOT_PENDING, "new instance");
		} else if (sl->doomed) {
			sl->doomed = 0;
			if (sl->task == NULL && sl->state == SLOT_DONE)
				sched_slot_set(s, sl, SLOT_PENDING, "scaled up");
		}
	}
	for (sl = j->slot_head; sl != NULL; sl = next) {
		long idx = sched_slot_index(sl->key);

		next = sl->next;
		if (idx >= 0 && (uint64_t)idx < n)
			continue;
		sl->doomed = 1;
		sl->roll = 0;
		if (sl->ntasks == 0) {
			sched_slot_delete(s, sl, out);
			continue;
		}
		sched_slot_set(s, sl, sl->task != NULL ? SLOT_ACTIVE : SLOT_DONE,
		    "scaled down");
	}
	/* one pass over the tasks, not one per slot */
	for (struct sched_task *t = j->task_head; t != NULL; t = t->jnext)
		if (t->slot != NULL && t->slot->doomed)
			sched_task_kill(s, t, KILL_SCALE, out);
}

void
sched_job_suspend(struct sched *s, struct sched_job *j, int on,
    struct effects *out)
{
	if (j->suspended == on)
		return;
	j->suspended = on;
	log_info("sched: job %s: %s", j->id, on ? "suspended" : "resumed");
	if (!on) {
		s->revive_wanted = 1;
		return;
	}
	for (struct sched_task *t = j->task_head; t != NULL; t = t->jnext)
		sched_task_kill(s, t, KILL_SUSPEND, out);
}

void
sched_job_remove(struct sched *s, struct sched_job *j, struct effects *out)
{
	struct sched_slot *sl, *next;

	j->removed = 1;
	j->rolling = 0;
	j->roll_slot = NULL;
	for (sl = j->slot_head; sl != NULL; sl = next) {
		next = sl->next;
		sl->doomed = 1;
		if (sl->ntasks == 0)
			sched_slot_delete(s, sl, out);
		else
			sched_slot_set(s, sl, sl->task != NULL ? SLOT_ACTIVE :
			    SLOT_DONE, "job removed");
	}
	for (struct sched_task *t = j->task_head; t != NULL; t = t->jnext)
		sched_task_kill(s, t, KILL_REMOVED, out);
	sched_job_maybe_free(s, j);
}

void
sched_job_roll(struct sched *s, struct sched_job *j, const char *hash,
    struct effects *out)
{
	size_t n = 0;

	for (struct sched_slot *sl = j->slot_head; sl != NULL; sl = sl->next) {
		if (sl->task == NULL || sl->doomed)
			continue;
		if (hash != NULL && sl->task->job_hash != NULL &&
		    strcmp(sl->task->job_hash, hash) == 0)
			continue;
		sl->roll = 1;
		n++;
	}
	log_info("sched: job %s: rolling replace of %zu task(s)", j->id, n);
	j->rolling = 1;
	if (j->roll_slot == NULL)
		sched_roll_step(s, j, out);
}

/* Moves a rolling replace on: waits for the slot in hand, then the next. */
static void
sched_roll_step(struct sched *s, struct sched_job *j, struct effects *out)
{
	if (!j->rolling)
		return;
	if (j->roll_slot != NULL) {
		struct sched_slot *sl = j->roll_slot;

		if (sl->task == NULL ||
		    sl->task->state != MESOS__V1__TASK_STATE__TASK_RUNNING ||
		    sl->task->kill != KILL_NONE)
			return;
		j->roll_slot = NULL;
	}
	for (struct sched_slot *sl = j->slot_head; sl != NULL; sl = sl->next) {
		if (!sl->roll)
			continue;
		sl->roll = 0;
		if (sl->task == NULL || sl->doomed)
			continue;
		j->roll_slot = sl;
		log_info("sched: job %s: replacing slot %s", j->id, sl->key);
		sched_task_kill(s, sl->task, KILL_ROLL, out);
		return;
	}
	j->rolling = 0;
	log_info("sched: job %s: rolling replace done", j->id);
}

/* ---- tasks ---- */

static struct sched_task *
sched_task_new(struct sched *s, struct sched_job *j, struct sched_slot *sl,
    const char *id, const char *slot_key, const char *agent_id, int state)
{
	struct sched_task *t = xcalloc(1, sizeof *t);

	t->id = xstrdup(id);
	t->job = j;
	t->slot = sl;
	t->slot_key = xstrdup(sl != NULL ? sl->key : slot_key);
	t->agent_id = sched_strdup(agent_id);
	t->state = state;
	t->healthy = -1;
	t->reason = -1;
	t->source = -1;
	heap_node_init(&t->timer.node);
	t->timer.kind = TIMER_TASK;
	reconcile_item_init(&t->rec, t->id, t->agent_id);
	hash_put(s->tasks, t->id, t);
	t->jnext = j->task_head;
	if (j->task_head != NULL)
		j->task_head->jprev = t;
	j->task_head = t;
	j->ntasks++;
	if (sl != NULL)
		sl->ntasks++;
	if (agent_id != NULL)
		sched_agent_link(sched_agent_get(s, agent_id, 1), t);
	return t;
}

/* Frees t and the strings it owns; it must be linked nowhere any more. */
static void
sched_task_destroy(struct sched_task *t)
{
	free(t->id);
	free(t->slot_key);
	free(t->agent_id);
	free(t->hostname);
	free(t->offer_id);
	free(t->job_hash);
	free(t->message);
	free(t);
}

/* Unlinks t from everything and frees it. */
static void
sched_task_free(struct sched *s, struct sched_task *t)
{
	struct sched_job *j = t->job;

	reconcile_forget(&s->rec, &t->rec);
	heap_cancel(&s->timers, &t->timer.node);
	hash_del(s->tasks, t->id);
	if (t->jprev != NULL)
		t->jprev->jnext = t->jnext;
	else
		j->task_head = t->jnext;
	if (t->jnext != NULL)
		t->jnext->jprev = t->jprev;
	j->ntasks--;
	sched_agent_unlink(t);
	if (t->slot != NULL) {
		t->slot->ntasks--;
		if (t->slot->task == t)
			t->slot->task = NULL;
	}
	sched_task_destroy(t);
}

/* Remembers a finished task id so late updates for it are ignored. */
static void
sched_dead_add(struct sched *s, const char *id)
{
	char **at = &s->dead_ring[s->dead_pos];

	if (*at != NULL) {
		hash_del(s->dead, *at);
		free(*at);
	}
	*at = xstrdup(id);
	hash_put(s->dead, *at, *at);
	s->dead_pos = (s->dead_pos + 1) % SCHED_DEAD_MAX;
}

/* Retry interval of a KILL that has not taken effect. */
static int64_t
sched_kill_retry_ms(const struct sched_task *t)
{
	double grace = t->job->cfg != NULL ? t->job->cfg->kill_grace_s : 0;

	return sched_ms(30.0 + 2.0 * grace);
}

/* Re-arms t's timer at its earliest deadline (or disarms it). */
static void
sched_task_timer(struct sched *s, struct sched_task *t)
{
	int64_t at = INT64_MAX;

	if (t->kill != KILL_NONE && t->kill_at != 0)
		at = t->kill_at + sched_kill_retry_ms(t);
	if (t->unreachable_at != 0 && t->slot != NULL && t->slot->task == t &&
	    t->unreachable_at + sched_ms(s->cfg->unreachable_grace_s) < at)
		at = t->unreachable_at + sched_ms(s->cfg->unreachable_grace_s);
	if (t->launch_check != 0 && t->launch_check < at)
		at = t->launch_check;
	if (at == INT64_MAX)
		heap_cancel(&s->timers, &t->timer.node);
	else
		heap_set(&s->timers, &t->timer.node, at);
}

/* Sends a KILL for t now (or once subscribed again). */
static void
sched_task_kill_send(struct sched *s, struct sched_task *t,
    struct effects *out)
{
	double grace = t->job->cfg != NULL ? t->job->cfg->kill_grace_s : 0;

	if (!s->subscribed || s->fid == NULL) {
		/* sent when the subscription is back */
		t->kill_at = 0;
		sched_task_timer(s, t);
		return;
	}
	sched_send(s, out, call_kill(s->fid, t->id, t->agent_id, grace), 0);
	t->kill_at = s->now;
	sched_task_timer(s, t);
}

void
sched_task_kill(struct sched *s, struct sched_task *t, enum sched_kill why,
    struct effects *out)
{
	int sent = t->kill != KILL_NONE && t->kill_at != 0;

	if (t->kill == KILL_NONE || why == KILL_REMOVED || why == KILL_SCALE)
		t->kill = why;
	t->retire = 0;
	if (sent)
		return;	/* on its way; the retry timer covers a lost one */
	log_info_kv(LOG_FIELDS(LOG_F("job", t->job->id), LOG_F("task", t->id),
	    LOG_F("agent", t->agent_id), LOG_F("reason", sched_kill_name(why))),
	    "sched: task %s: kill (%s)", t->id, sched_kill_name(why));
	sched_task_kill_send(s, t, out);
}

/*
 * Decides what slot sl does after its task ended in state (a TaskState, or
 * SCHED_LAUNCHING when the launch itself failed), as the kill reason and the
 * restart policy say.
 */
static void
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

/*
 * Ends task t in state (terminal; SCHED_LAUNCHING for a launch that never
 * happened): deletes its row, forgets it and lets its slot move on.
 */
static void
sched_task_end(struct sched *s, struct sched_task *t, int state,
    struct effects *out)
{
	struct sched_slot *sl = t->slot;
	struct sched_job *j = t->job;
	int primary = sl != NULL && sl->task == t;
	/* never ran: the restart policy does not apply, only backoff */
	int launch_failed = state == SCHED_LAUNCHING ||
	    state == MESOS__V1__TASK_STATE__TASK_ERROR ||
	    state == MESOS__V1__TASK_STATE__TASK_DROPPED ||
	    (t->state == SCHED_LAUNCHING &&
	    (state == MESOS__V1__TASK_STATE__TASK_UNKNOWN ||
	    state == MESOS__V1__TASK_STATE__TASK_LOST ||
	    state == MESOS__V1__TASK_STATE__TASK_GONE));
	enum sched_kill kill = t->kill;
	int64_t ran = t->running_since != 0 ? s->now - t->running_since : 0;

	log_info_kv(LOG_FIELDS(LOG_F("job", j->id), LOG_F("task", t->id),
	    LOG_F("agent", t->agent_id), LOG_F("state", state ==
	    SCHED_LAUNCHING ? "NOT_LAUNCHED" : sched_state_name(state))),
	    "sched: task %s: %s -> %s%s", t->id,
	    sched_state_name(t->state), state == SCHED_LAUNCHING ?
	    "NOT_LAUNCHED" : sched_state_name(state),
	    primary ? "" : " (not its slot's task)");
	sched_store_str(out, STORE_TASK_DEL, t->id);
	sched_dead_add(s, t->id);
	if (sl != NULL)
		sched_slot_hist_record(s, sl, t, state, out);
	sched_task_free(s, t);
	if (sl != NULL && primary)
		sched_slot_after(s, sl, state, kill, ran, launch_failed, out);
	else if (sl != NULL && sl->ntasks == 0 && sl->task == NULL &&
	    (sl->doomed || j->removed || j->cfg == NULL))
		sched_slot_delete(s, sl, out);
	else if (sl != NULL && sl->ntasks == 0 && sl->state == SLOT_DONE &&
	    j->cfg != NULL && j->cfg->kind == JOB_DAEMON && sl->agent != NULL &&
	    !sched_eligible(s, j, sl->agent, NULL))
		sched_slot_delete(s, sl, out);
	if (sl != NULL && j->roll_slot == sl)
		sched_roll_step(s, j, out);
	sched_job_maybe_free(s, j);
}

/* ---- offers ---- */

/* Whether job j may launch anything now. */
static int
sched_job_launchable(const struct sched *s, const struct sched_job *j)
{
	return j->cfg != NULL && !j->removed && !j->suspended && !s->shutdown &&
	    j->npending > 0;
}

/* Whether the core wants offers: some slot waits for one. */
static int
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

/* Whether any task of slot sl besides its own awaits reconciliation. */
static int
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
static int
sched_slot_occupied(const struct sched_slot *sl)
{
	return sl->job->cfg->kind == JOB_DAEMON && sl->ntasks > 0 &&
	    sl->task == NULL;
}

/* Asks the master about the tasks of slot sl other than its own. */
static void
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

/* Appends v in base 36 to out at *n (13 bytes at the most), moving *n. */
static void
sched_base36(char *out, size_t *n, uint64_t v)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	char tmp[16];
	size_t k = 0;

	do {
		tmp[k++] = digits[v % 36];
		v /= 36;
	} while (v > 0);
	while (k > 0)
		out[(*n)++] = tmp[--k];
}

/* A new task id for slot sl: <job>.<slot>.<suffix>. */
static char *
sched_task_id(struct sched *s, const struct sched_slot *sl)
{
	char suffix[32], *id;
	size_t n = 0;

	for (;;) {
		n = 0;
		sched_base36(suffix, &n, (uint64_t)s->wall);
		suffix[n++] = '-';
		sched_base36(suffix, &n, ++s->seq);
		suffix[n] = '\0';
		id = xasprintf("%s.%s.%s", sl->job->id, sl->key, suffix);
		if (hash_get(s->tasks, id) == NULL &&
		    hash_get(s->dead, id) == NULL)
			return id;
		free(id);
	}
}

/* Parses <job>.<slot>.<suffix>; returns 0 and copies, or -1. */
static int
sched_task_id_parse(const char *id, char **job, char **slot)
{
	const char *a = strchr(id, '.'), *b = strrchr(id, '.');

	if (a == NULL || b == NULL || b <= a + 1 || a == id || b[1] == '\0')
		return -1;
	*job = xstrndup(id, (size_t)(a - id));
	*slot = xstrndup(a + 1, (size_t)(b - a - 1));
	return 0;
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
	s->tasks_launched++;
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

/* Reads what an offer tells about its agent; returns the agent. */
static struct sched_agent *
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

static void
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

/* ---- status updates ---- */

/* How a status moves a task: on, maybe back later, or gone. */
enum sched_class {
	CLASS_LIVE,		/* STAGING, STARTING, RUNNING, KILLING */
	CLASS_ASTRAY,		/* UNREACHABLE, most LOST: may come back */
	CLASS_GONE		/* terminal */
};

static enum sched_class
sched_class(const Mesos__V1__TaskStatus *st)
{
	switch (st->state) {
	case MESOS__V1__TASK_STATE__TASK_STAGING:
	case MESOS__V1__TASK_STATE__TASK_STARTING:
	case MESOS__V1__TASK_STATE__TASK_RUNNING:
	case MESOS__V1__TASK_STATE__TASK_KILLING:
		return CLASS_LIVE;
	case MESOS__V1__TASK_STATE__TASK_UNREACHABLE:
		return CLASS_ASTRAY;
	case MESOS__V1__TASK_STATE__TASK_LOST:
		/*
		 * Without PARTITION_AWARE, LOST stands for UNREACHABLE,
		 * DROPPED, GONE and UNKNOWN alike. The reason tells them
		 * apart: the master does not know the task (reconciliation,
		 * a launch that never happened) -> gone; an agent that
		 * disconnected or was removed may come back -> astray.
		 */
		if (st->has_reason) {
			switch (st->reason) {
			case MESOS__V1__TASK_STATUS__REASON__REASON_AGENT_DISCONNECTED:
			case MESOS__V1__TASK_STATUS__REASON__REASON_AGENT_REMOVED:
			case MESOS__V1__TASK_STATUS__REASON__REASON_AGENT_RESTARTED:
			case MESOS__V1__TASK_STATUS__REASON__REASON_MASTER_DISCONNECTED:
			case MESOS__V1__TASK_STATUS__REASON__REASON_AGENT_UNKNOWN:
				return CLASS_ASTRAY;
			default:
				break;
			}
		}
		return CLASS_GONE;
	default:
		return CLASS_GONE;
	}
}

/* The slot's task runs: retire what it replaces, move a roll on. */
static void
sched_slot_running(struct sched *s, struct sched_slot *sl, struct effects *out)
{
	struct sched_job *j = sl->job;

	if (sl->ntasks > 1)
		for (struct sched_task *t = j->task_head; t != NULL;
		    t = t->jnext)
			if (t->slot == sl && t != sl->task && t->retire &&
			    t->kill == KILL_NONE)
				sched_task_kill(s, t, KILL_DRAIN, out);
	if (j->roll_slot == sl)
		sched_roll_step(s, j, out);
}

/* Applies status st to the known task t. */
static void
sched_task_update(struct sched *s, struct sched_task *t,
    const Mesos__V1__TaskStatus *st, struct effects *out)
{
	enum sched_class cl = sched_class(st);
	int prev = t->state, changed = 0;
	int clock = st->has_source &&
	    st->source == MESOS__V1__TASK_STATUS__SOURCE__SOURCE_MASTER ? 0 : 1;
	struct sched_slot *sl = t->slot;

	reconcile_seen(&s->rec, &t->rec, s->fid, s->now, out);
	/*
	 * Out of order: a live status older than one already applied from
	 * the same clock is stale. A terminal status always applies (nothing
	 * comes after it), so clock skew can never hide a task's end.
	 */
	if (st->has_timestamp && cl != CLASS_GONE && t->ts[clock] > 0 &&
	    st->timestamp < t->ts[clock]) {
		log_debug("sched: task %s: stale %s ignored", t->id,
		    sched_state_name(st->state));
		return;
	}
	if (st->has_timestamp)
		t->ts[clock] = st->timestamp;
	if (t->agent == NULL && st->agent_id != NULL &&
	    st->agent_id->value != NULL) {
		sched_set_str(&t->agent_id, st->agent_id->value);
		t->rec.agent_id = t->agent_id;
		sched_agent_link(sched_agent_get(s, t->agent_id, 1), t);
	}
	if (st->has_healthy && t->healthy != (int)st->healthy) {
		t->healthy = st->healthy != 0;
		changed = 1;
	}
	if (st->message != NULL && (t->message == NULL ||
	    strcmp(t->message, st->message) != 0)) {
		sched_set_str(&t->message, st->message);
		changed = 1;
	}
	t->reason = st->has_reason ? (int)st->reason : -1;
	t->source = st->has_source ? (int)st->source : -1;
	if (cl == CLASS_GONE) {
		sched_task_end(s, t, st->state, out);
		return;
	}
	if (prev != (int)st->state) {
		log_info_kv(LOG_FIELDS(LOG_F("job", t->job->id),
		    LOG_F("task", t->id), LOG_F("agent", t->agent_id),
		    LOG_F("state", sched_state_name(st->state))),
		    "sched: task %s: %s -> %s", t->id,
		    sched_state_name(prev), sched_state_name(st->state));
		t->state = st->state;
		changed = 1;
	}
	if (changed)
		t->updated_at = s->wall;
	if (cl == CLASS_ASTRAY) {
		if (t->unreachable_at == 0)
			t->unreachable_at = s->now;
		if (changed)
			sched_store_task(t, out);
		sched_task_timer(s, t);
		return;
	}
	/* live: the task (or its agent) is reachable */
	if (t->unreachable_at != 0) {
		t->unreachable_at = 0;
		log_info("sched: task %s: reachable again", t->id);
	}
	if (st->state == MESOS__V1__TASK_STATE__TASK_RUNNING) {
		if (t->running_since == 0)
			t->running_since = s->now;
		t->launch_check = 0;
	} else if (prev == SCHED_LAUNCHING && t->launch_check == 0)
		t->launch_check = s->now + t->launch_wait;
	if (sl != NULL && sl->task != t && t->kill == KILL_NONE && !t->retire) {
		if (sl->task == NULL && (sl->state != SLOT_DONE || sl->held) &&
		    !sl->doomed) {
			/* back before a replacement was launched: keep it */
			sl->held = 0;
			sl->task = t;
			sched_slot_set(s, sl, SLOT_ACTIVE, "task is back");
		} else
			sched_task_kill(s, t, KILL_SURPLUS, out);
	}
	if (changed)
		sched_store_task(t, out);
	sched_task_timer(s, t);
	if (sl != NULL && sl->task == t &&
	    st->state == MESOS__V1__TASK_STATE__TASK_RUNNING)
		sched_slot_running(s, sl, out);
}

/* Decides about a live task ark does not know (adopt, kill or ignore). */
static void
sched_unknown_task(struct sched *s, const Mesos__V1__TaskStatus *st,
    struct effects *out)
{
	const char *tid = st->task_id->value;
	const char *aid = st->agent_id != NULL ? st->agent_id->value : NULL;
	char *jid = NULL, *key = NULL;
	struct sched_job *j = NULL;
	struct sched_slot *sl = NULL;
	const char *why = NULL;
	struct sched_task *t;

	if (hash_get(s->dead, tid) != NULL) {
		log_debug("sched: task %s: late %s for a finished task "
		    "ignored", tid, sched_state_name(st->state));
		return;
	}
	if (sched_class(st) == CLASS_GONE) {
		log_debug("sched: task %s: %s for an unknown task", tid,
		    sched_state_name(st->state));
		return;
	}
	s->rec.unknown_tasks++;
	if (sched_task_id_parse(tid, &jid, &key) == 0)
		j = hash_get(s->jobs, jid);
	if (j == NULL || j->cfg == NULL || j->removed)
		why = "no such job";
	else if (j->cfg->kind == JOB_DAEMON &&
	    (aid == NULL || strcmp(aid, key) != 0))
		why = "daemon slot does not match its agent";
	else if (j->cfg->kind == JOB_SERVICE &&
	    (sched_slot_index(key) < 0 ||
	    (uint64_t)sched_slot_index(key) >= j->instances))
		why = "no such slot";
	else {
		sl = hash_get(j->slots, key);
		if (sl != NULL && (sl->task != NULL || sl->doomed))
			why = "slot is taken";
	}
	/* With ha.zk, a task of ours may be unknown here because another
	 * instance launched it: it is adopted whatever unknown_tasks says. */
	if (why == NULL && (s->cfg->unknown_tasks == UNKNOWN_TASKS_ADOPT ||
	    s->cfg->ha_zk != NULL) && aid != NULL) {
		if (sl == NULL) {
			sl = sched_slot_new(s, j, key, j->cfg->kind == JOB_DAEMON ?
			    sched_agent_get(s, aid, 1) : NULL);
		}
		t = sched_task_new(s, j, sl, tid, NULL, aid, st->state);
		t->job_hash = xstrdup("");
		t->launched_at = s->wall;
		t->updated_at = s->wall;
		if (st->has_timestamp)
			t->ts[st->has_source && st->source ==
			    MESOS__V1__TASK_STATUS__SOURCE__SOURCE_MASTER ?
			    0 : 1] = st->timestamp;
		if (st->state == MESOS__V1__TASK_STATE__TASK_RUNNING)
			t->running_since = s->now;
		if (sched_class(st) == CLASS_ASTRAY)
			t->unreachable_at = s->now;
		t->launch_wait = sched_ms(s->cfg->launch_timeout_s > 0 ?
		    s->cfg->launch_timeout_s : 60);
		sl->task = t;
		sched_slot_set(s, sl, SLOT_ACTIVE, "adopted");
		sched_store_task(t, out);
		sched_task_timer(s, t);
		log_info("sched: unknown task %s (%s on %s): adopted into "
		    "%s/%s", tid, sched_state_name(st->state), aid, j->id, key);
	} else if (s->cfg->unknown_tasks == UNKNOWN_TASKS_IGNORE) {
		log_info("sched: unknown task %s (%s): ignored%s%s", tid,
		    sched_state_name(st->state), why != NULL ? ": " : "",
		    why != NULL ? why : "");
	} else {
		log_info("sched: unknown task %s (%s): killed (%s)", tid,
		    sched_state_name(st->state), why != NULL ? why :
		    "unknown_tasks is kill");
		if (s->fid != NULL)
			sched_send(s, out, call_kill(s->fid, tid, aid, 0), 0);
	}
	free(jid);
	free(key);
}

static void
sched_on_update(struct sched *s, const Mesos__V1__TaskStatus *st,
    struct effects *out)
{
	struct sched_task *t;

	if (st == NULL || st->task_id == NULL || st->task_id->value == NULL) {
		log_warn("sched: UPDATE without a task id ignored");
		return;
	}
	s->updates++;
	t = hash_get(s->tasks, st->task_id->value);
	if (t != NULL)
		log_ctx_set(LOG_CTX_JOB, t->job->id);	/* for every line */
	if (t != NULL)
		sched_task_update(s, t, st, out);
	else
		sched_unknown_task(s, st, out);
	/* the store rows above are committed before this goes out */
	if (st->has_uuid && st->uuid.len > 0 && st->agent_id != NULL &&
	    st->agent_id->value != NULL && s->fid != NULL) {
		sched_send(s, out, call_acknowledge(s->fid, st->agent_id->value,
		    st->task_id->value, st->uuid.data, st->uuid.len), 0);
		s->acks++;
	}
}

/* ---- reconciliation, blacklist, framework ---- */

void
sched_reconcile_start(struct sched *s, const char *cause, struct effects *out)
{
	struct sched_task *t;
	size_t it = 0;

	if (!s->subscribed || s->fid == NULL)
		return;
	reconcile_begin(&s->rec, s->now, s->wall, cause);
	while ((t = hash_next(s->tasks, &it)) != NULL)
		reconcile_add(&s->rec, &t->rec);
	reconcile_send(&s->rec, s->fid, s->now, out);
}

int
sched_ready(const struct sched *s, const char **why)
{
	if (s->session == SESSION_FOLLOWER) {
		*why = "follower";
		return 0;
	}
	if (!s->subscribed) {
		*why = "not subscribed";
		return 0;
	}
	if (!s->rec.done) {
		*why = "reconciling";
		return 0;
	}
	return 1;
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
sched_framework_update(struct sched *s, int info_changed, struct effects *out)
{
	const char **hosts;
	size_t nh = 0, it = 0;
	struct sched_blacklist *b;
	Mesos__V1__Scheduler__OfferConstraints *oc = NULL;
	struct sched_call *c;
	uint64_t cookie;

	if (!s->subscribed || s->fid == NULL) {
		s->framework_dirty = 1;
		return;
	}
	hosts = xcalloc(hash_count(s->blacklist) + 1, sizeof *hosts);
	while ((b = hash_next(s->blacklist, &it)) != NULL) {
		struct sched_agent *a = hash_get(s->agents, b->agent);

		/* offer constraints know hostnames, not agent ids */
		hosts[nh++] = a != NULL && a->hostname != NULL ?
		    a->hostname : b->agent;
	}
	if (!info_changed && (s->constraints_unsupported ||
	    (nh == 0 && s->constraints_sent == 0))) {
		free(hosts);
		return;
	}
	if (!s->constraints_unsupported)
		oc = call_offer_constraints(s->cfg->roles, s->cfg->nroles,
		    hosts, nh);
	free(hosts);
	c = sched_call_track(s,
	    MESOS__V1__SCHEDULER__CALL__TYPE__UPDATE_FRAMEWORK, &cookie);
	c->constraints = oc != NULL;
	s->constraints_sent = oc != NULL ? nh : 0;
	s->framework_dirty = 0;
	sched_send(s, out, call_update_framework(s->fid,
	    framework_info_build(s->cfg, s->fid), s->cfg->roles,
	    s->suppressed ? s->cfg->nroles : 0, oc), cookie);
}

/* ---- events ---- */

/* Forgets task t without a verdict (it belongs to an older framework). */
static void
sched_task_drop(struct sched *s, struct sched_task *t, struct effects *out)
{
	struct sched_slot *sl = t->slot;
	int primary = sl != NULL && sl->task == t;
	struct sched_job *j = t->job;

	sched_store_str(out, STORE_TASK_DEL, t->id);
	sched_task_free(s, t);
	if (primary && j->cfg != NULL && !j->removed && !sl->doomed)
		sched_slot_set(s, sl, SLOT_PENDING, "framework changed");
	else if (sl != NULL && sl->ntasks == 0 && sl->task == NULL &&
	    (sl->doomed || j->removed))
		sched_slot_delete(s, sl, out);
	sched_job_maybe_free(s, j);
}

static void
sched_on_subscribed(struct sched *s,
    const Mesos__V1__Scheduler__Event__Subscribed *ev, struct effects *out)
{
	const char *fid;
	struct sched_task *t;
	size_t it = 0;

	if (ev == NULL || ev->framework_id == NULL ||
	    ev->framework_id->value == NULL) {
		log_warn("sched: SUBSCRIBED without a framework id ignored");
		return;
	}
	fid = ev->framework_id->value;
	if (s->fid == NULL || strcmp(s->fid, fid) != 0) {
		struct effect *e = effects_add(out, EFFECT_STORE);

		e->u.store.type = STORE_FRAMEWORK_ID;
		e->u.store.u.str = xstrdup(fid);
		log_info("sched: framework id %s%s", fid, s->fid == NULL ?
		    "" : " (changed)");
		if (s->old_fid != NULL && strcmp(s->old_fid, fid) != 0 &&
		    hash_count(s->tasks) > 0) {
			struct sched_task **v;
			size_t n = 0;

			log_warn("sched: tasks of framework %s are not ours "
			    "any more: forgetting %zu", s->old_fid,
			    hash_count(s->tasks));
			v = xcalloc(hash_count(s->tasks), sizeof *v);
			while ((t = hash_next(s->tasks, &it)) != NULL)
				v[n++] = t;
			for (size_t i = 0; i < n; i++)
				sched_task_drop(s, v[i], out);
			free(v);
			it = 0;
		}
		sched_set_str(&s->fid, fid);
	}
	sched_set_str(&s->old_fid, fid);
	if (!s->subscribed)
		s->session_since = s->wall;
	s->conn_failing_since = 0;
	s->conn_failures = 0;
	s->subscribed = 1;
	s->ever_subscribed = 1;
	s->suppressed = 0;
	s->revive_wanted = 1;
	s->constraints_sent = 0;
	/* ha.zk: this instance may have just taken over tasks another one
	 * launched; nothing is launched before reconciliation (implicit
	 * part included) has told it which run, so they are adopted, not
	 * doubled. */
	if (s->cfg->ha_zk != NULL && !s->ha_hold) {
		s->ha_hold = 1;
		log_info("sched: no launch until reconciliation is done (ha)");
	}
	sched_reconcile_start(s, "subscribed", out);
	while ((t = hash_next(s->tasks, &it)) != NULL)
		if (t->kill != KILL_NONE)
			sched_task_kill_send(s, t, out);
	if (hash_count(s->blacklist) > 0 || s->framework_dirty)
		sched_framework_update(s, 0, out);
	effects_add(out, EFFECT_GET_AGENTS);
	s->agents_asked = s->now;
	s->agents_at = s->now + sched_ms(s->cfg->agents_refresh_s > 0 ?
	    s->cfg->agents_refresh_s : 60);
}

/* Asks the dispatcher to stop arkd with code and reason. */
static void
sched_exit(struct sched *s, int code, const char *reason, struct effects *out)
{
	struct effect *e;

	if (s->exited)
		return;
	s->exited = 1;
	s->exit_at = INT64_MAX;
	e = effects_add(out, EFFECT_EXIT);
	e->u.exit.code = code;
	e->u.exit.reason = xstrdup(reason);
	log_info("sched: exit %d (%s)", code, reason);
}

static void
sched_on_error(struct sched *s, const char *message, struct effects *out)
{
	struct effect *e;

	if (message == NULL)
		message = "";
	log_warn("sched: ERROR from the master: %s", message);
	s->subscribed = 0;
	reconcile_stop(&s->rec, "master error");
	if (strstr(message, "Framework failed over") != NULL) {
		e = effects_add(out, EFFECT_FENCE);
		e->u.text = xstrdup(message);
	} else if (strstr(message, "Framework has been removed") != NULL) {
		char *why;

		e = effects_add(out, EFFECT_STORE);
		e->u.store.type = STORE_FRAMEWORK_REMOVED;
		why = xasprintf("the master removed framework %s (%s): its "
		    "tasks are gone; start afresh with an empty state "
		    "directory", s->fid != NULL ? s->fid : "?", message);
		sched_exit(s, 3, why, out);
		free(why);
	} else {
		e = effects_add(out, EFFECT_RESUBSCRIBE);
		e->u.text = xstrdup(message);
	}
}

static void
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

static void
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

/* A task's deadline passed: kill retry, unreachable grace, launch check. */
static void
sched_task_fire(struct sched *s, struct sched_task *t, struct effects *out)
{
	struct sched_slot *sl = t->slot;

	if (t->kill != KILL_NONE && t->kill_at != 0 &&
	    s->now >= t->kill_at + sched_kill_retry_ms(t)) {
		log_info("sched: task %s: still not dead: kill again", t->id);
		sched_task_kill_send(s, t, out);
	}
	if (t->unreachable_at != 0 && sl != NULL && sl->task == t &&
	    s->now >= t->unreachable_at +
	    sched_ms(s->cfg->unreachable_grace_s)) {
		log_info("sched: task %s: unreachable for %.0fs: replacing it",
		    t->id, s->cfg->unreachable_grace_s);
		sl->task = NULL;
		if (sl->doomed || t->job->removed || t->job->cfg == NULL)
			sched_slot_set(s, sl, SLOT_DONE, "unreachable");
		else if (t->job->cfg->kind == JOB_DAEMON && sl->agent != NULL &&
		    !sched_eligible(s, t->job, sl->agent, NULL)) {
			/* its agent is away: wait for it, want no offers */
			sl->held = 1;
			sched_slot_set(s, sl, SLOT_DONE, "agent not eligible");
		} else {
			sched_slot_set(s, sl, SLOT_PENDING,
			    "unreachable beyond grace");
			sched_slot_reconcile_others(s, sl, out);
		}
	}
	if (t->launch_check != 0 && s->now >= t->launch_check) {
		int64_t cap = sched_ms(s->cfg->reconcile_max_s);

		if (s->subscribed && s->fid != NULL) {
			const char *id = t->id, *aid = t->agent_id;

			log_info("sched: task %s: no status for %.0fs: "
			    "reconciling it", t->id,
			    (double)t->launch_wait / 1000.0);
			sched_send(s, out, call_reconcile(s->fid, &id, &aid, 1),
			    0);
		}
		t->launch_wait *= 2;
		if (cap > 0 && t->launch_wait > cap)
			t->launch_wait = cap;
		if (t->launch_wait <= 0)
			t->launch_wait = 1000;
		t->launch_check = s->now + t->launch_wait;
	}
	sched_task_timer(s, t);
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

/* REVIVE when offers are wanted (debounced, resent if none come), SUPPRESS
 * when not. */
static void
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

/* ---- creation from the configuration and the store ---- */

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

/* ---- the reducer ---- */

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

static void
sched_on_session(struct sched *s, const struct msg_session *ss,
    struct effects *out)
{
	/* the first report dates the state arkd started in, too */
	if (ss->state != s->session || s->session_since == 0)
		s->session_since = s->wall;
	s->session = ss->state;
	sched_set_str(&s->master, ss->master);
	sched_set_str(&s->stream_id, ss->stream_id);
	if (ss->failed) {
		sched_set_str(&s->conn_error, ss->reason != NULL ? ss->reason :
		    "unknown error");
		s->conn_error_at = s->wall;
		if (s->conn_failing_since == 0)
			s->conn_failing_since = s->wall;
		s->conn_failures++;
	}
	if (ss->state != SESSION_CONNECTED) {
		if (s->subscribed)
			log_info("sched: subscription lost (%s): offers are "
			    "gone", ss->reason != NULL ? ss->reason : "?");
		s->subscribed = 0;
		reconcile_stop(&s->rec, "disconnected");
	}
	/* The connection gave up for good: nothing arkd does can help, so
	 * it stops (exit 4 for refused credentials, 3 for a removed
	 * framework, unless the ERROR event already stopped it). */
	if (ss->state == SESSION_DISCONNECTED && ss->fatal)
		sched_exit(s, ss->fatal == 401 ? 4 : 3, ss->reason != NULL ?
		    ss->reason : "the master connection gave up", out);
}

static void
sched_on_shutdown(struct sched *s, struct effects *out)
{
	s->shutdown = 1;
	log_info("sched: shutting down: no more launches");
	if (hash_count(s->calls) == 0) {
		sched_exit(s, 0, "shutdown", out);
		return;
	}
	s->exit_at = s->now + sched_ms(s->cfg->call_timeout_s > 0 ?
	    s->cfg->call_timeout_s : 75) + 1000;
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

void
sched_metrics(const struct sched *s)
{
	struct sched_task *t;
	char labels[256];

	metrics_declare("ark_tasks", METRICS_GAUGE,
	    "Tasks ark knows, by job and state.");
	metrics_declare("ark_offers_received_total", METRICS_COUNTER,
	    "Offers received.");
	metrics_declare("ark_offers_accepted_total", METRICS_COUNTER,
	    "Offers used by an ACCEPT.");
	metrics_declare("ark_offers_declined_total", METRICS_COUNTER,
	    "Offers declined.");
	metrics_declare("ark_inverse_offers_total", METRICS_COUNTER,
	    "Inverse offers received (and accepted).");
	metrics_declare("ark_tasks_launched_total", METRICS_COUNTER,
	    "Tasks launched.");
	metrics_declare("ark_status_updates_total", METRICS_COUNTER,
	    "Task status updates received.");
	metrics_declare("ark_reconcile_rounds_total", METRICS_COUNTER,
	    "Explicit reconciliation rounds sent.");
	metrics_declare("ark_reconcile_runs_total", METRICS_COUNTER,
	    "Reconciliations begun.");
	metrics_declare("ark_reconcile_outstanding", METRICS_GAUGE,
	    "Tasks whose reconciliation is outstanding.");
	metrics_declare("ark_reconcile_last_duration_seconds", METRICS_GAUGE,
	    "Duration of the explicit part of the last reconciliation.");
	metrics_declare("ark_unknown_tasks_total", METRICS_COUNTER,
	    "Updates for tasks ark did not know.");
	metrics_declare("ark_slots_pending", METRICS_GAUGE,
	    "Slots waiting for an offer, by job.");
	metrics_declare("ark_agents", METRICS_GAUGE, "Agents ark knows.");
	metrics_declare("ark_blacklist", METRICS_GAUGE, "Blacklist entries.");
	metrics_reset("ark_tasks");
	metrics_reset("ark_slots_pending");
	for (const struct sched_job *j = s->job_head; j != NULL; j = j->next) {
		/* TaskStates are 0..13; LAUNCHING (-1) goes last */
		size_t byst[SCHED_NSTATES + 1] = { 0 };

		for (t = j->task_head; t != NULL; t = t->jnext)
			byst[t->state >= 0 && t->state < SCHED_NSTATES ?
			    t->state : SCHED_NSTATES]++;
		for (int k = 0; k <= SCHED_NSTATES; k++) {
			if (byst[k] == 0)
				continue;
			snprintf(labels, sizeof labels,
			    "job=\"%s\",state=\"%s\"", j->id,
			    sched_state_name(k < SCHED_NSTATES ? k :
			    SCHED_LAUNCHING));
			metrics_set("ark_tasks", labels, (double)byst[k]);
		}
		snprintf(labels, sizeof labels, "job=\"%s\"", j->id);
		metrics_set("ark_slots_pending", labels, (double)j->npending);
	}
	metrics_set("ark_offers_received_total", "",
	    (double)s->offers_received);
	metrics_set("ark_offers_accepted_total", "",
	    (double)s->offers_accepted);
	metrics_set("ark_offers_declined_total", "",
	    (double)s->offers_declined);
	metrics_set("ark_inverse_offers_total", "", (double)s->inverse_offers);
	metrics_set("ark_tasks_launched_total", "", (double)s->tasks_launched);
	metrics_set("ark_status_updates_total", "", (double)s->updates);
	metrics_set("ark_reconcile_rounds_total", "", (double)s->rec.rounds);
	metrics_set("ark_reconcile_runs_total", "", (double)s->rec.runs);
	metrics_set("ark_reconcile_outstanding", "",
	    (double)s->rec.outstanding);
	metrics_set("ark_reconcile_last_duration_seconds", "",
	    (double)s->rec.last_duration_ms / 1000.0);
	metrics_set("ark_unknown_tasks_total", "",
	    (double)s->rec.unknown_tasks);
	metrics_set("ark_agents", "", (double)hash_count(s->agents));
	metrics_set("ark_blacklist", "", (double)hash_count(s->blacklist));
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
