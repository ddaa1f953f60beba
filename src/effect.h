/*
 * effect — what the pure core asks the world to do, as data. sched_apply()
 * appends effects; the dispatcher carries them out after the messages of one
 * loop iteration are handled: first every EFFECT_STORE row in one
 * transaction, then the calls, replies and the rest. That order is what makes
 * "persist before ACKNOWLEDGE" and "write-ahead launches" true.
 */
#ifndef ARK_EFFECT_H
#define ARK_EFFECT_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "store.h"

enum effect_type {
	EFFECT_CALL,		/* u.call: send a call to the master */
	EFFECT_STORE,		/* u.store: one row for this iteration's commit */
	EFFECT_REPLY,		/* u.reply: answer an admin request */
	EFFECT_GET_AGENTS,	/* ask the master's operator API for its agents */
	EFFECT_RESUBSCRIBE,	/* u.text: drop the stream and subscribe again */
	EFFECT_FENCE,		/* u.text: Mesos failed the framework over to
				 * another subscription; the dispatcher stops
				 * all calls (HA: back to follower) unless that
				 * was our own late SUBSCRIBE (dispatch.c) */
	EFFECT_EXIT,		/* u.exit: stop arkd */
	EFFECT_MAX
};

struct effect_call {
	Mesos__V1__Scheduler__Call *call;	/* owned, freed with codec_free */
	uint64_t cookie;	/* non-zero: report the outcome as MSG_CALL_DONE */
};

struct effect_reply {
	uint64_t id;		/* admin_req.id */
	int	 status;	/* HTTP status */
	char	*content_type;	/* owned; NULL = application/json */
	char	*body;		/* owned */
};

struct effect_exit {
	int	 code;		/* process exit code */
	char	*reason;	/* owned */
};

struct effect {
	enum effect_type type;
	union {
		struct effect_call	call;
		struct store_op		store;
		struct effect_reply	reply;
		struct effect_exit	exit;
		char			*text;
	} u;
};

/* A growable list of effects; the list owns every effect in it. */
struct effects {
	struct effect	*v;
	size_t		 n;
	size_t		 cap;
};

void		 effects_init(struct effects *);
void		 effects_clear(struct effects *);	/* frees all effects */
/* Appends a zeroed effect of type t and returns it for the caller to fill. */
struct effect	*effects_add(struct effects *, enum effect_type t);
/* Convenience: takes ownership of call / body. */
void		 effects_call(struct effects *, Mesos__V1__Scheduler__Call *,
		    uint64_t cookie);
void		 effects_reply(struct effects *, uint64_t id, int status,
		    char *body);
const char	*effect_type_name(enum effect_type);
void		 effect_clear(struct effect *);

#endif
