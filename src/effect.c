/*
 * effect — the effect list the core fills and the dispatcher empties.
 */
#include <stdlib.h>
#include <string.h>

#include "effect.h"
#include "xmalloc.h"

static const char *effect_type_names[EFFECT_MAX] = {
	"call", "store", "reply", "get_agents", "resubscribe", "fence", "exit"
};

void
effects_init(struct effects *e)
{
	e->v = NULL;
	e->n = e->cap = 0;
}

void
effect_clear(struct effect *e)
{
	switch (e->type) {
	case EFFECT_CALL:
		codec_free(e->u.call.call);
		break;
	case EFFECT_STORE:
		store_op_clear(&e->u.store);
		break;
	case EFFECT_REPLY:
		free(e->u.reply.content_type);
		free(e->u.reply.body);
		break;
	case EFFECT_EXIT:
		free(e->u.exit.reason);
		break;
	case EFFECT_RESUBSCRIBE:
	case EFFECT_FENCE:
		free(e->u.text);
		break;
	default:
		break;
	}
	memset(&e->u, 0, sizeof e->u);
}

void
effects_clear(struct effects *e)
{
	for (size_t i = 0; i < e->n; i++)
		effect_clear(&e->v[i]);
	free(e->v);
	effects_init(e);
}

struct effect *
effects_add(struct effects *e, enum effect_type t)
{
	struct effect *x;

	if (e->n == e->cap) {
		e->cap = e->cap == 0 ? 64 : e->cap * 2;
		e->v = xreallocarray(e->v, e->cap, sizeof *e->v);
	}
	x = &e->v[e->n++];
	memset(x, 0, sizeof *x);
	x->type = t;
	return x;
}

void
effects_call(struct effects *e, Mesos__V1__Scheduler__Call *call,
    uint64_t cookie)
{
	struct effect *x = effects_add(e, EFFECT_CALL);

	x->u.call.call = call;
	x->u.call.cookie = cookie;
}

void
effects_reply(struct effects *e, uint64_t id, int status, char *body)
{
	struct effect *x = effects_add(e, EFFECT_REPLY);

	x->u.reply.id = id;
	x->u.reply.status = status;
	x->u.reply.body = body;
}

const char *
effect_type_name(enum effect_type t)
{
	return t < EFFECT_MAX ? effect_type_names[t] : "?";
}
