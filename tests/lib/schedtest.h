/*
 * schedtest — what the core's unit tests share: configurations from JSON
 * text, Mesos events built by hand (offers, updates, subscribed, errors),
 * a driver that feeds messages to a struct sched with a test clock, and
 * queries over the effects of the last message. No sockets, no loop.
 */
#ifndef ARK_SCHEDTEST_H
#define ARK_SCHEDTEST_H

#include <stddef.h>
#include <stdint.h>

#include "admin.h"
#include "codec.h"
#include "config.h"
#include "effect.h"
#include "msg.h"
#include "sched.h"
#include "store.h"

/*
 * A configuration: the given "jobs" array text and extra top-level
 * sections text (e.g. "\"scheduling\": {...},"), on top of defaults that
 * suit tests. Aborts with the cause on a bad configuration.
 */
struct config	*st_config(const char *jobs, const char *extra);

/* Offers and events; every result is freed with codec_free(). */
Mesos__V1__Offer *st_offer(const char *id, const char *agent,
		    const char *host, double cpus, double mem,
		    uint64_t port_lo, uint64_t port_hi);
void		 st_offer_attr(Mesos__V1__Offer *, const char *name,
		    const char *text);
void		 st_offer_unavailable(Mesos__V1__Offer *, int64_t start_ms);
void		 st_offer_role(Mesos__V1__Offer *, const char *role);
Mesos__V1__Scheduler__Event *st_ev_offers(Mesos__V1__Offer **, size_t n);
/* An UPDATE; uuid NULL: none; ts <= 0: no timestamp; reason < 0: none. */
Mesos__V1__Scheduler__Event *st_ev_update(const char *task, int state,
		    const char *agent, const char *uuid, double ts, int reason);
Mesos__V1__Scheduler__Event *st_ev_subscribed(const char *fid);
Mesos__V1__Scheduler__Event *st_ev_error(const char *message);
Mesos__V1__Scheduler__Event *st_ev_type(int type);
Mesos__V1__Scheduler__Event *st_ev_inverse(const char *id,
		    const char *agent);
Mesos__V1__Scheduler__Event *st_ev_rescind(const char *offer);
/* A GET_AGENTS answer with n agents "a<i>" on hosts "h<i>" (first..). */
Mesos__V1__Master__Response__GetAgents *st_agents(size_t first, size_t n);

/* The driver. */
struct st {
	struct sched	*s;
	struct config	*cfg;
	struct effects	 fx;	/* effects of the last message */
	int64_t		 now;	/* monotonic ms */
	int64_t		 wall;	/* wall ms */
	uint64_t	 admin_id;
};

void		 st_init(struct st *, struct config *, const struct store_snapshot *);
void		 st_done(struct st *);
/* Each feeds one message (taking the event) and keeps its effects. */
void		 st_event(struct st *, Mesos__V1__Scheduler__Event *);
void		 st_session(struct st *, int connected);
/* A MSG_SESSION in any state (SESSION_FOLLOWER: another instance leads). */
void		 st_session_state(struct st *, enum msg_session_state);
/* A MSG_SESSION disconnected by a failed attempt that says why. */
void		 st_session_failed(struct st *, const char *reason);
void		 st_tick(struct st *, int64_t advance_ms);
void		 st_call_done(struct st *, uint64_t cookie, int type, int status);
void		 st_agents_msg(struct st *, Mesos__V1__Master__Response__GetAgents *);
void		 st_shutdown(struct st *);
void		 st_reload(struct st *, struct config *);
/* An admin request; returns the reply's status and body (owned by fx). */
int		 st_admin(struct st *, struct admin_req *, const char **body);
struct admin_req *st_req(enum admin_op, const char *arg);
/* Subscribes: session up, SUBSCRIBED with fid. */
void		 st_subscribe(struct st *, const char *fid);

/* Queries over st->fx. */
size_t		 st_count(const struct st *, enum effect_type);
size_t		 st_count_call(const struct st *, int call_type);
size_t		 st_count_store(const struct st *, enum store_op_type);
/* Index in fx of the i-th call of type (or -1). */
long		 st_call_index(const struct st *, int call_type, size_t i);
long		 st_store_index(const struct st *, enum store_op_type, size_t i);
Mesos__V1__Scheduler__Call *st_call(const struct st *, int call_type,
		    size_t i);
uint64_t	 st_call_cookie(const struct st *, int call_type, size_t i);
/* Total LAUNCHed tasks over all ACCEPT calls in fx. */
size_t		 st_launches(const struct st *);
/* The i-th launched TaskInfo in fx (ACCEPT order). */
Mesos__V1__TaskInfo *st_launch(const struct st *, size_t i);
/* The value of environment variable name in a TaskInfo, or NULL. */
const char	*st_env(const Mesos__V1__TaskInfo *, const char *name);

#endif
