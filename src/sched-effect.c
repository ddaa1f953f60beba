/*
 * sched-effect — what every file of the core shares at the bottom: the names
 * of task, slot and kill states, the effects the core appends (store rows of
 * tasks, slots and runtime kv; calls to the master, with a cookie when their
 * outcome matters), and seconds-to-ms conversion. It calls no other file of
 * the sched family.
 */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "codec.h"
#include "log.h"
#include "sched-int.h"
#include "xmalloc.h"

static const char *sched_slot_state_names[SLOT_STATE_MAX] = {
	"pending", "backing_off", "active", "done"
};

static const char *sched_kill_names[KILL_MAX] = {
	"none", "admin", "roll", "blacklist", "drain", "surplus", "removed",
	"scale", "suspend"
};

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

char *
sched_strdup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* Replaces *dst with a copy of src unless they are equal. */
void
sched_set_str(char **dst, const char *src)
{
	if (*dst == NULL && src == NULL)
		return;
	if (*dst != NULL && src != NULL && strcmp(*dst, src) == 0)
		return;
	free(*dst);
	*dst = sched_strdup(src);
}

/* Appends the store row of task t (insert or replace). */
void
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
void
sched_store_str(struct effects *out, enum store_op_type type, const char *v)
{
	struct effect *e = effects_add(out, EFFECT_STORE);

	e->u.store.type = type;
	e->u.store.u.str = xstrdup(v);
}

void
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
void
sched_send(struct sched *s, struct effects *out, Mesos__V1__Scheduler__Call *c,
    uint64_t cookie)
{
	log_debug("sched: -> %s", call_type_name(c->type));
	effects_call(out, c, cookie);
}

/* Records a call whose outcome matters and returns its cookie. */
struct sched_call *
sched_call_track(struct sched *s, int type, uint64_t *cookie)
{
	struct sched_call *c = xcalloc(1, sizeof *c);

	*cookie = ++s->cookie;
	snprintf(c->key, sizeof c->key, "%" PRIu64, *cookie);
	c->type = type;
	hash_put(s->calls, c->key, c);
	return c;
}

void
sched_call_free(struct sched_call *c)
{
	for (size_t i = 0; i < c->ntasks; i++)
		free(c->tasks[i]);
	free(c->tasks);
	free(c);
}

int64_t
sched_ms(double s)
{
	return (int64_t)llround(s * 1000.0);
}
