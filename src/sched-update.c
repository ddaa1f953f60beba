/*
 * sched-update — status updates and the end of tasks: a TaskStatus is
 * classified (live, astray, gone) and applied idempotently (a stale live
 * status is ignored, a terminal one always applies), then acknowledged after
 * its store row; a task ark does not know is adopted, killed or ignored; an
 * ended task frees its slot for the restart policy; a task's deadlines
 * (kill retry, unreachable grace, launch check) fire here; tasks of an old
 * framework are dropped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "log.h"
#include "sched-int.h"
#include "xmalloc.h"

/*
 * Ends task t in state (terminal; SCHED_LAUNCHING for a launch that never
 * happened): deletes its row, forgets it and lets its slot move on.
 */
void
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

/*
 * Counts the end of t in st for /metrics when it is a failure: any end but
 * TASK_FINISHED that ark did not ask for with a kill.
 */
static void
sched_count_failure(const struct sched_task *t, const Mesos__V1__TaskStatus *st)
{
	struct sched_job *j = t->job;
	int reason = st->has_reason ? (int)st->reason : -1;
	size_t i;

	if (st->state == MESOS__V1__TASK_STATE__TASK_FINISHED ||
	    t->kill != KILL_NONE)
		return;
	for (i = 0; i < j->nfailures; i++)
		if (j->failures[i].state == (int)st->state &&
		    j->failures[i].reason == reason)
			break;
	if (i == j->nfailures) {
		j->failures = xreallocarray(j->failures, i + 1,
		    sizeof *j->failures);
		j->failures[i].state = (int)st->state;
		j->failures[i].reason = reason;
		j->failures[i].n = 0;
		j->nfailures++;
	}
	j->failures[i].n++;
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
		t->job->health_to[t->healthy]++;
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
		sched_count_failure(t, st);
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

void
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

/* Forgets task t without a verdict (it belongs to an older framework). */
void
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

/* A task's deadline passed: kill retry, unreachable grace, launch check. */
void
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
