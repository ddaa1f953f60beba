/*
 * call — builders for every scheduler call the core sends (the SUBSCRIBE
 * call is built with the master connection, in framework.c) and for the
 * messages inside them: TaskInfo, FrameworkInfo, OfferConstraints. Every
 * result follows codec.h's convention: each part is its own malloc block and
 * the whole is freed with codec_free(). Strings passed in are copied; arrays
 * of messages passed in are taken over (their elements become part of the
 * result, the array itself stays the caller's).
 */
#ifndef ARK_CALL_H
#define ARK_CALL_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "config.h"

/* A call of type t carrying framework_id fid (NULL: none). */
Mesos__V1__Scheduler__Call *call_new(Mesos__V1__Scheduler__Call__Type t,
	    const char *fid);
/*
 * ACCEPT of the offers ids[0..n) with one LAUNCH of tasks[0..ntasks) (taken
 * over) and a refuse_seconds filter for what stays unused.
 */
Mesos__V1__Scheduler__Call *call_accept(const char *fid,
	    const char *const *ids, size_t n, Mesos__V1__TaskInfo **tasks,
	    size_t ntasks, double refuse_seconds);
Mesos__V1__Scheduler__Call *call_decline(const char *fid,
	    const char *const *ids, size_t n, double refuse_seconds);
Mesos__V1__Scheduler__Call *call_accept_inverse_offers(const char *fid,
	    const char *const *ids, size_t n, double refuse_seconds);
Mesos__V1__Scheduler__Call *call_decline_inverse_offers(const char *fid,
	    const char *const *ids, size_t n, double refuse_seconds);
Mesos__V1__Scheduler__Call *call_acknowledge(const char *fid,
	    const char *agent_id, const char *task_id, const uint8_t *uuid,
	    size_t uuid_len);
/* RECONCILE of n tasks (agent_ids[i] may be NULL); n == 0: implicit. */
Mesos__V1__Scheduler__Call *call_reconcile(const char *fid,
	    const char *const *task_ids, const char *const *agent_ids,
	    size_t n);
/* KILL; agent_id may be NULL; grace_s <= 0: no kill policy. */
Mesos__V1__Scheduler__Call *call_kill(const char *fid, const char *task_id,
	    const char *agent_id, double grace_s);
/* REVIVE / SUPPRESS of roles (n == 0: every role of the framework). */
Mesos__V1__Scheduler__Call *call_revive(const char *fid,
	    char *const *roles, size_t n);
Mesos__V1__Scheduler__Call *call_suppress(const char *fid,
	    char *const *roles, size_t n);
/* UPDATE_FRAMEWORK with info and constraints (may be NULL) taken over. */
Mesos__V1__Scheduler__Call *call_update_framework(const char *fid,
	    Mesos__V1__FrameworkInfo *info, char *const *suppressed, size_t n,
	    Mesos__V1__Scheduler__OfferConstraints *constraints);
Mesos__V1__Scheduler__Call *call_teardown(const char *fid);
Mesos__V1__Scheduler__Call *call_shutdown(const char *fid,
	    const char *executor_id, const char *agent_id);

/*
 * Offer constraints that keep the agents with the given hostnames out of
 * the offers of every role: per role one group of HOSTNAME text_not_equals
 * predicates. NULL when n == 0 (no constraints).
 */
Mesos__V1__Scheduler__OfferConstraints *call_offer_constraints(
	    char *const *roles, size_t nroles, const char *const *hostnames,
	    size_t n);
/*
 * The TaskInfo of job for task_id on agent_id, with resources res[0..nres)
 * (taken over) and the host ports ports[0..job->nports) taken from the
 * offer. name is the task's name (copied).
 */
Mesos__V1__TaskInfo *call_task_info(const struct config_job *job,
	    const char *name, const char *task_id, const char *agent_id,
	    Mesos__V1__Resource **res, size_t nres, const uint32_t *ports);
/* A deep copy of any message, owned by the caller (codec_free). */
void	*call_dup(const ProtobufCMessage *);
/* The Mesos name of a call type ("ACCEPT"). */
const char *call_type_name(int type);

#endif
