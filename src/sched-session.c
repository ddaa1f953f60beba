/*
 * sched-session — the core's side of the subscription: SUBSCRIBED (framework
 * id, takeover of tasks, reconciliation), ERROR from the master, session
 * changes from the master connection, shutdown and exit, UPDATE_FRAMEWORK
 * (framework info and offer constraints for the blacklist), the start of a
 * reconciliation, and readiness.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "framework.h"
#include "log.h"
#include "sched-int.h"
#include "xmalloc.h"

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

void
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
void
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

void
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

void
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

void
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
