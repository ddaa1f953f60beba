/*
 * tasks — tasks from ACCEPT to their end, and their status updates.
 *
 * Launch validation follows the master: invalid or foreign offer ids make
 * every task TASK_DROPPED (PARTITION_AWARE) or TASK_LOST with
 * REASON_INVALID_OFFERS; a bad TaskInfo (duplicate id, wrong agent, no
 * resources, more than offered, command and executor both or neither) is
 * TASK_ERROR with REASON_TASK_INVALID. These master-generated updates carry
 * no uuid and are sent once. A launched task walks TASK_STAGING ->
 * TASK_STARTING -> TASK_RUNNING as the command executor reports it, then
 * runs, finishes or fails per its behaviour (flags, the label or
 * environment variable ARK_SIM_BEHAVIOUR). A task whose TaskInfo has a
 * health check reports `healthy` in later TASK_RUNNING updates (reason
 * REASON_TASK_HEALTH_CHECK_STATUS_UPDATED), once --health-delay after
 * RUNNING and again whenever the result changes, as ARK_SIM_HEALTH says
 * (healthy by default). KILL goes through TASK_KILLING
 * (TASK_KILLING_STATE) to TASK_KILLED, after the kill policy's grace period
 * for a task that ignores SIGTERM.
 *
 * Updates from the agent side are reliable as in the agent's status update
 * manager: each has a uuid, one per task is in flight and is resent with
 * doubling backoff until acknowledged, the next waits for the ack, and all
 * are resent at once when the framework resubscribes or the agent
 * reregisters. A task whose terminal update is acknowledged is removed.
 * RECONCILE answers follow Master::_reconcileTasks (no uuid,
 * REASON_RECONCILIATION), and stay silent while an agent that may hold the
 * task has not reregistered after a master failover.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "log.h"
#include "recordio.h"
#include "xmalloc.h"

/* Completed tasks kept per framework for /state (Mesos keeps 1000). */
#define TASK_COMPLETED_MAX	1000

static char task_ip[] = "127.0.0.1";

#define ST(x)	MESOS__V1__TASK_STATE__##x
#define RS(x)	MESOS__V1__TASK_STATUS__REASON__##x
#define SRC(x)	MESOS__V1__TASK_STATUS__SOURCE__##x

/* A TaskStatus message with all its parts, built on the stack. */
struct task_pb {
	Mesos__V1__TaskStatus		 st;
	Mesos__V1__TaskID		 tid;
	Mesos__V1__AgentID		 aid;
	Mesos__V1__ExecutorID		 eid;
	Mesos__V1__ContainerStatus	 cs;
	Mesos__V1__ContainerID		 cid;
	Mesos__V1__NetworkInfo		 ni;
	Mesos__V1__NetworkInfo		*niv[1];
	Mesos__V1__NetworkInfo__IPAddress ip;
	Mesos__V1__NetworkInfo__IPAddress *ipv[1];
	Mesos__V1__TimeInfo		 unreachable;
	Mesos__V1__Scheduler__Event	 ev;
	Mesos__V1__Scheduler__Event__Update up;
};

/* Fills p with a status; task_id and agent_id may be NULL. */
static void
task_pb_init(struct task_pb *p, const char *task_id, const char *agent_id,
    int state, int source, int reason, const char *message)
{
	mesos__v1__task_status__init(&p->st);
	mesos__v1__task_id__init(&p->tid);
	p->tid.value = (char *)(task_id != NULL ? task_id : "");
	p->st.task_id = &p->tid;
	p->st.state = (Mesos__V1__TaskState)state;
	p->st.has_source = 1;
	p->st.source = (Mesos__V1__TaskStatus__Source)source;
	if (reason >= 0) {
		p->st.has_reason = 1;
		p->st.reason = (Mesos__V1__TaskStatus__Reason)reason;
	}
	p->st.message = (char *)message;
	if (agent_id != NULL) {
		mesos__v1__agent_id__init(&p->aid);
		p->aid.value = (char *)agent_id;
		p->st.agent_id = &p->aid;
	}
	p->st.has_timestamp = 1;
	p->st.timestamp = sim_wall();
	mesos__v1__scheduler__event__init(&p->ev);
	mesos__v1__scheduler__event__update__init(&p->up);
	p->up.status = &p->st;
	p->ev.has_type = 1;
	p->ev.type = MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE;
	p->ev.update = &p->up;
}

/* Sets the health result of p (-1: none). */
static void
task_pb_healthy(struct task_pb *p, int healthy)
{
	if (healthy < 0)
		return;
	p->st.has_healthy = 1;
	p->st.healthy = healthy != 0;
}

/* Adds the executor id and the container status of t to p. */
static void
task_pb_container(struct task_pb *p, const struct sim_task *t, int executor)
{
	if (executor) {
		mesos__v1__executor_id__init(&p->eid);
		p->eid.value = t->executor_id != NULL ? t->executor_id : t->id;
		p->st.executor_id = &p->eid;
	}
	mesos__v1__container_status__init(&p->cs);
	mesos__v1__container_id__init(&p->cid);
	mesos__v1__network_info__init(&p->ni);
	mesos__v1__network_info__ipaddress__init(&p->ip);
	p->cid.value = t->container_id;
	p->cs.container_id = &p->cid;
	p->ip.ip_address = task_ip;
	p->ipv[0] = &p->ip;
	p->ni.n_ip_addresses = 1;
	p->ni.ip_addresses = p->ipv;
	p->niv[0] = &p->ni;
	p->cs.n_network_infos = 1;
	p->cs.network_infos = p->niv;
	p->cs.has_executor_pid = 1;
	p->cs.executor_pid = 10000 + (uint32_t)((uint64_t)(t->launched *
	    1000) % 50000);
	p->st.container_status = &p->cs;
}

/* Sends a master-generated update (no uuid, sent once). */
static void
task_send_master_update(struct sim *sim, struct sim_framework *fw,
    const char *task_id, const char *agent_id, int state, int reason,
    const char *message, const struct sim_task *t, double unreachable)
{
	struct task_pb p;

	task_pb_init(&p, task_id, agent_id, state, SRC(SOURCE_MASTER), reason,
	    message);
	if (t != NULL && t->state != ST(TASK_STAGING))
		task_pb_container(&p, t, 0);
	/* the master answers with the latest status, its health included */
	if (t != NULL && !t->terminal)
		task_pb_healthy(&p, t->healthy);
	if (unreachable > 0) {
		mesos__v1__time_info__init(&p.unreachable);
		p.unreachable.nanoseconds = (int64_t)(unreachable * 1e9);
		p.st.unreachable_time = &p.unreachable;
	}
	if (fw_send(fw, &p.ev) == 0) {
		sim->c.updates_sent++;
		if (reason == RS(REASON_RECONCILIATION))
			sim->c.reconcile_updates++;
	}
}

/* Writes the head update of t to the framework once. */
static void
task_write_head(struct sim *sim, struct sim_task *t)
{
	struct sim_update *u = t->head;
	struct task_pb p;

	task_pb_init(&p, t->id, t->agent->id, u->state, u->source, u->reason,
	    u->owned_message != NULL ? u->owned_message : u->message);
	p.st.timestamp = u->timestamp;
	p.st.has_uuid = 1;
	p.st.uuid.data = u->uuid;
	p.st.uuid.len = 16;
	task_pb_container(&p, t, u->source == SRC(SOURCE_EXECUTOR));
	task_pb_healthy(&p, u->healthy);
	if (fw_send(t->fw, &p.ev) != 0)
		return;
	if (u->sends++ > 0)
		sim->c.updates_resent++;
	sim->c.updates_sent++;
	if (sim->duplicate_updates > 0) {
		sim->duplicate_updates--;
		if (fw_send(t->fw, &p.ev) == 0) {
			sim->c.updates_sent++;
			sim->c.updates_duplicated++;
		}
	}
}

/* Forwards the head update if the agent can reach the master. */
static void
task_forward(struct sim *sim, struct sim_task *t)
{
	ev_timer_stop(sim->loop, &t->retry);
	if (t->head == NULL || !agents_reachable(t->agent))
		return;
	task_write_head(sim, t);
	ev_timer_set(&t->retry, t->backoff, 0);
	ev_timer_start(sim->loop, &t->retry);
}

/* No acknowledgement yet: resend with a doubled interval. */
static void
task_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sim_task *t = w->data;
	struct sim *sim = t->fw->sim;

	t->backoff *= 2;
	if (t->backoff > sim->cfg.update_retry_max)
		t->backoff = sim->cfg.update_retry_max;
	task_forward(sim, t);
}

/* Frees an update. */
static void
task_update_free(struct sim_update *u)
{
	free(u->owned_message);
	free(u);
}

/* Gives the task's resources back to its agent. */
static void
task_release(struct sim *sim, struct sim_task *t)
{
	if (res_empty(&t->res))
		return;
	res_sub(&t->agent->used, &t->res);
	res_clear(&t->res);
	if (t->agent->state == SIM_AGENT_ACTIVE)
		alloc_queue_agent(sim, t->agent);
}

/*
 * Queues a reliable update for t (the executor or agent reports state):
 * the task's state changes now, the update reaches the framework when the
 * ones before it are acknowledged.
 */
static void
task_update_healthy(struct sim *sim, struct sim_task *t, int state, int source,
    int reason, const char *message, int healthy)
{
	struct sim_update *u = xcalloc(1, sizeof *u);

	u->state = state;
	u->source = source;
	u->reason = reason;
	u->healthy = healthy;
	u->message = message;
	u->timestamp = sim_wall();
	sim_uuid(sim, u->uuid);
	t->state = state;
	if (sim_state_terminal(state) && !t->terminal) {
		t->terminal = 1;
		ev_timer_stop(sim->loop, &t->timer);
		ev_timer_stop(sim->loop, &t->health_timer);
		task_release(sim, t);
	}
	sim->c.updates_reliable++;
	sim->unacked++;
	if (t->tail != NULL) {
		t->tail->next = u;
		t->tail = u;
		return;
	}
	t->head = t->tail = u;
	t->backoff = sim->cfg.update_retry;
	task_forward(sim, t);
}

/* Queues a reliable update for t without a health result. */
static void
task_update(struct sim *sim, struct sim_task *t, int state, int source,
    int reason, const char *message)
{
	task_update_healthy(sim, t, state, source, reason, message, -1);
}

/* The health result of t el seconds after it began RUNNING. */
static int
task_health_at(const struct sim_task *t, double el)
{
	switch (t->health) {
	case SIM_UNHEALTHY:
		return 0;
	case SIM_HEALTHY_AFTER:
		return el >= t->health_after;
	case SIM_UNHEALTHY_AFTER:
		return el < t->health_after;
	default:
		return 1;
	}
}

/*
 * Runs t's health check: reports the result when it changed (as the
 * Mesos executors do) and waits for the next change, if the behaviour
 * has one.
 */
static void
task_health_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sim_task *t = w->data;
	struct sim *sim = t->fw->sim;
	double el = ev_now(loop) - t->running_at;
	int v = task_health_at(t, el);

	(void)revents;
	if (t->terminal || t->killing || t->state != ST(TASK_RUNNING))
		return;
	if (v != t->healthy) {
		t->healthy = v;
		task_update_healthy(sim, t, ST(TASK_RUNNING),
		    SRC(SOURCE_EXECUTOR),
		    RS(REASON_TASK_HEALTH_CHECK_STATUS_UPDATED), NULL, v);
	}
	if ((t->health == SIM_HEALTHY_AFTER ||
	    t->health == SIM_UNHEALTHY_AFTER) && el < t->health_after) {
		ev_timer_set(w, t->health_after - el, 0);
		ev_timer_start(loop, w);
	}
}

/* Forgets t entirely (resources, pending updates, timers) and frees it. */
void
task_free(struct sim *sim, struct sim_task *t)
{
	struct sim_update *u;

	ev_timer_stop(sim->loop, &t->timer);
	ev_timer_stop(sim->loop, &t->retry);
	ev_timer_stop(sim->loop, &t->health_timer);
	task_release(sim, t);
	while ((u = t->head) != NULL) {
		t->head = u->next;
		sim->unacked--;
		task_update_free(u);
	}
	if (t->aprev != NULL)
		t->aprev->anext = t->anext;
	else
		t->agent->tasks = t->anext;
	if (t->anext != NULL)
		t->anext->aprev = t->aprev;
	t->agent->ntasks--;
	htab_dels(&t->fw->tasks, t->id);
	free(t->id);
	free(t->name);
	free(t->executor_id);
	free(t->container_id);
	free(t);
}

/* Moves a finished task to the framework's completed list. */
static void
task_complete(struct sim *sim, struct sim_task *t)
{
	struct sim_framework *fw = t->fw;

	if (json_array_size(fw->completed) >= TASK_COMPLETED_MAX)
		json_array_remove(fw->completed, 0);
	json_array_append_new(fw->completed, task_json(t));
	fw->ntasks_done++;
	task_free(sim, t);
}

/* Runs the task's next step (start, run, end, killed). */
static void
task_step_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sim_task *t = w->data;
	struct sim *sim = t->fw->sim;
	enum sim_task_step step = t->step;

	t->step = SIM_STEP_NONE;
	switch (step) {
	case SIM_STEP_START:
		task_update(sim, t, ST(TASK_STARTING), SRC(SOURCE_EXECUTOR), -1,
		    NULL);
		t->step = SIM_STEP_RUN;
		ev_timer_set(w, sim->cfg.run_delay, 0);
		ev_timer_start(loop, w);
		break;
	case SIM_STEP_RUN:
		task_update(sim, t, ST(TASK_RUNNING), SRC(SOURCE_EXECUTOR), -1,
		    NULL);
		t->running_at = ev_now(loop);
		if (t->has_check) {
			ev_timer_set(&t->health_timer, sim->cfg.health_delay,
			    0);
			ev_timer_start(loop, &t->health_timer);
		}
		if (t->behaviour == SIM_FINISH || t->behaviour == SIM_FAIL) {
			t->step = SIM_STEP_END;
			ev_timer_set(w, t->after, 0);
			ev_timer_start(loop, w);
		}
		break;
	case SIM_STEP_END:
		if (t->behaviour == SIM_FINISH)
			task_update(sim, t, ST(TASK_FINISHED),
			    SRC(SOURCE_EXECUTOR), -1,
			    "Command exited with status 0");
		else
			task_update(sim, t, ST(TASK_FAILED),
			    SRC(SOURCE_EXECUTOR), -1,
			    "Command exited with status 1");
		break;
	case SIM_STEP_KILLED:
		task_update(sim, t, ST(TASK_KILLED), SRC(SOURCE_EXECUTOR), -1,
		    t->ignore_term ? "Command terminated with signal Killed" :
		    "Command terminated with signal Terminated");
		break;
	default:
		break;
	}
}

/* Schedules step after delay seconds. */
static void
task_schedule(struct sim *sim, struct sim_task *t, enum sim_task_step step,
    double delay)
{
	ev_timer_stop(sim->loop, &t->timer);
	t->step = step;
	ev_timer_set(&t->timer, delay < 0 ? 0 : delay, 0);
	ev_timer_start(sim->loop, &t->timer);
}

/* Looks for a behaviour in labels and environment variables of ti. */
static void
task_behaviour(struct sim *sim, struct sim_task *t,
    const Mesos__V1__TaskInfo *ti, const Mesos__V1__ExecutorInfo *ex)
{
	const Mesos__V1__CommandInfo *cmds[2] = {
		ti->command, ex != NULL ? ex->command : NULL,
	};
	const char *b = NULL, *term = NULL, *health = NULL;
	size_t i, k;

	t->behaviour = sim->cfg.behaviour;
	t->after = sim->cfg.behaviour_after;
	t->has_check = ti->health_check != NULL;
	t->health = SIM_HEALTHY;
	if (ti->labels != NULL) {
		for (i = 0; i < ti->labels->n_labels; i++) {
			const Mesos__V1__Label *l = ti->labels->labels[i];

			if (l->key == NULL || l->value == NULL)
				continue;
			if (strcmp(l->key, "ARK_SIM_BEHAVIOUR") == 0)
				b = l->value;
			else if (strcmp(l->key, "ARK_SIM_IGNORE_TERM") == 0)
				term = l->value;
			else if (strcmp(l->key, "ARK_SIM_HEALTH") == 0)
				health = l->value;
		}
	}
	for (k = 0; k < 2; k++) {
		const Mesos__V1__Environment *env;

		if (cmds[k] == NULL || cmds[k]->environment == NULL)
			continue;
		env = cmds[k]->environment;
		for (i = 0; i < env->n_variables; i++) {
			const Mesos__V1__Environment__Variable *v =
			    env->variables[i];

			if (v->name == NULL || v->value == NULL)
				continue;
			if (b == NULL && strcmp(v->name, "ARK_SIM_BEHAVIOUR") == 0)
				b = v->value;
			else if (term == NULL &&
			    strcmp(v->name, "ARK_SIM_IGNORE_TERM") == 0)
				term = v->value;
			else if (health == NULL &&
			    strcmp(v->name, "ARK_SIM_HEALTH") == 0)
				health = v->value;
		}
	}
	if (b != NULL && sim_behaviour_parse(b, &t->behaviour, &t->after) != 0)
		log_warn("task %s: ignoring bad ARK_SIM_BEHAVIOUR '%s'", t->id,
		    b);
	if (term != NULL && strcmp(term, "0") != 0 && strcmp(term, "") != 0)
		t->ignore_term = 1;
	if (health != NULL && sim_health_parse(health, &t->health,
	    &t->health_after) != 0) {
		log_warn("task %s: ignoring bad ARK_SIM_HEALTH '%s'", t->id,
		    health);
		t->health = SIM_HEALTHY;
	}
}

/* Creates a task in TASK_STAGING on agent a with resources res. */
static struct sim_task *
task_create(struct sim *sim, struct sim_framework *fw, struct sim_agent *a,
    const char *id, const char *name, const char *executor_id,
    const struct sim_res *res)
{
	struct sim_task *t = xcalloc(1, sizeof *t);
	char cid[37];

	t->id = xstrdup(id);
	t->name = name != NULL ? xstrdup(name) : NULL;
	t->executor_id = executor_id != NULL ? xstrdup(executor_id) : NULL;
	sim_uuid_str(sim, cid);
	t->container_id = xstrdup(cid);
	t->fw = fw;
	t->agent = a;
	t->state = ST(TASK_STAGING);
	t->grace = sim->cfg.kill_grace;
	t->behaviour = sim->cfg.behaviour;
	t->after = sim->cfg.behaviour_after;
	t->launched = sim_wall();
	res_init(&t->res);
	res_copy(&t->res, res);
	res_add(&a->used, res);
	ev_timer_init(&t->timer, task_step_cb, 0, 0);
	t->timer.data = t;
	ev_timer_init(&t->retry, task_retry_cb, 0, 0);
	t->retry.data = t;
	ev_timer_init(&t->health_timer, task_health_cb, 0, 0);
	t->health_timer.data = t;
	t->healthy = -1;
	t->anext = a->tasks;
	if (t->anext != NULL)
		t->anext->aprev = t;
	a->tasks = t;
	a->ntasks++;
	htab_puts(&fw->tasks, t->id, t);
	sim->c.tasks_launched++;
	return t;
}

/* Starts the task's life (unless it is stuck in staging). */
static void
task_begin(struct sim *sim, struct sim_task *t)
{
	if (t->behaviour != SIM_STUCK)
		task_schedule(sim, t, SIM_STEP_START, sim->cfg.start_delay);
}

/* 1 if another live task on a uses executor_id. */
static int
task_executor_running(const struct sim_agent *a, const struct sim_framework *fw,
    const char *executor_id)
{
	const struct sim_task *t;

	for (t = a->tasks; t != NULL; t = t->anext) {
		if (t->fw == fw && !t->terminal && t->executor_id != NULL &&
		    strcmp(t->executor_id, executor_id) == 0)
			return 1;
	}
	return 0;
}

/* Returns 1 if s is a valid Mesos id (not empty, no '/', '\\', controls). */
static int
task_valid_id(const char *s)
{
	if (s == NULL || *s == '\0' || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return 0;
	for (; *s != '\0'; s++) {
		if (*s == '/' || *s == '\\' || (unsigned char)*s < 0x20 ||
		    *s == 0x7f)
			return 0;
	}
	return 1;
}

/*
 * Validates one TaskInfo against what is left of the offers (avail) and
 * adds its needs (and those of a new executor) to need. Returns an error
 * message (caller frees) or NULL.
 */
static char *
task_validate(struct sim *sim, struct sim_framework *fw, struct sim_agent *a,
    const Mesos__V1__TaskInfo *ti, const Mesos__V1__ExecutorInfo *ex,
    int group, const struct sim_res *avail, struct sim_res *need)
{
	const char *id = ti->task_id != NULL ? ti->task_id->value : NULL;
	char *cause = NULL;
	struct buf b;

	if (!task_valid_id(id))
		return xasprintf("Task ID '%s' is invalid: must not be empty "
		    "or contain '/', '\\\\' or control characters",
		    id != NULL ? id : "");
	if (htab_gets(&fw->tasks, id) != NULL)
		return xasprintf("Task has duplicate ID: %s", id);
	if (ti->agent_id == NULL || ti->agent_id->value == NULL ||
	    strcmp(ti->agent_id->value, a->id) != 0)
		return xasprintf("Task uses invalid agent: %s",
		    ti->agent_id != NULL && ti->agent_id->value != NULL ?
		    ti->agent_id->value : "");
	if (ti->kill_policy != NULL && ti->kill_policy->grace_period != NULL &&
	    ti->kill_policy->grace_period->nanoseconds < 0)
		return xstrdup("Task's 'kill_policy.grace_period' must be "
		    "non-negative");
	if (!group && (ti->command == NULL) == (ti->executor == NULL))
		return xstrdup("Task should have at least one (but not both) "
		    "of CommandInfo or ExecutorInfo present");
	if (group && ti->executor != NULL)
		return xstrdup("'TaskInfo.executor' must not be set");
	if (res_from_pb(need, ti->resources, ti->n_resources, &cause) != 0)
		return cause;
	if (ex != NULL && ex->executor_id != NULL &&
	    !task_executor_running(a, fw, ex->executor_id->value)) {
		if (res_from_pb(need, ex->resources, ex->n_resources,
		    &cause) != 0)
			return xasprintf("Executor uses invalid resources: %s",
			    cause);
	}
	if (res_empty(need))
		return xstrdup("Task uses no resources");
	if (!res_contains(avail, need)) {
		buf_init(&b, 0);
		buf_addstr(&b, "Total resources ");
		res_format(&b, need, "*");
		buf_addstr(&b, " required by task and its executor is more "
		    "than available ");
		res_format(&b, avail, "*");
		return buf_steal(&b, NULL);
	}
	return NULL;
}

/* Sends TASK_ERROR (REASON_TASK_INVALID) for a task the master refused. */
static void
task_error(struct sim *sim, struct sim_framework *fw, const char *task_id,
    struct sim_agent *a, const char *why)
{
	log_info("task %s: TASK_ERROR: %s", task_id != NULL ? task_id : "",
	    why);
	sim->c.tasks_error++;
	task_send_master_update(sim, fw, task_id, a->id, ST(TASK_ERROR),
	    RS(REASON_TASK_INVALID), why, NULL, 0);
}

/* LAUNCH: validates and starts each task. */
static void
task_launch(struct sim *sim, struct sim_framework *fw, struct sim_agent *a,
    struct sim_res *avail, Mesos__V1__Offer__Operation__Launch *l)
{
	size_t i;

	for (i = 0; l != NULL && i < l->n_task_infos; i++) {
		Mesos__V1__TaskInfo *ti = l->task_infos[i];
		const char *id = ti->task_id != NULL ? ti->task_id->value :
		    NULL;
		struct sim_res need;
		struct sim_task *t;
		char *err;

		res_init(&need);
		err = task_validate(sim, fw, a, ti, ti->executor, 0, avail,
		    &need);
		if (err != NULL) {
			task_error(sim, fw, id, a, err);
			free(err);
			res_clear(&need);
			continue;
		}
		res_sub(avail, &need);
		t = task_create(sim, fw, a, id, ti->name,
		    ti->executor != NULL && ti->executor->executor_id != NULL ?
		    ti->executor->executor_id->value : NULL, &need);
		res_clear(&need);
		if (ti->kill_policy != NULL &&
		    ti->kill_policy->grace_period != NULL)
			t->grace = (double)
			    ti->kill_policy->grace_period->nanoseconds / 1e9;
		task_behaviour(sim, t, ti, ti->executor);
		task_begin(sim, t);
	}
}

/* LAUNCH_GROUP: all tasks of the group start, or none. */
static void
task_launch_group(struct sim *sim, struct sim_framework *fw,
    struct sim_agent *a, struct sim_res *avail,
    Mesos__V1__Offer__Operation__LaunchGroup *g)
{
	const Mesos__V1__ExecutorInfo *ex = g != NULL ? g->executor : NULL;
	Mesos__V1__TaskGroupInfo *tg = g != NULL ? g->task_group : NULL;
	struct sim_res left, *needs;
	char *err = NULL;
	size_t i, j, n = tg != NULL ? tg->n_tasks : 0;

	if (n == 0)
		return;
	needs = xcalloc(n, sizeof *needs);
	res_init(&left);
	res_copy(&left, avail);
	if (ex == NULL || ex->executor_id == NULL ||
	    !task_valid_id(ex->executor_id->value))
		err = xstrdup("Task group has an invalid ExecutorInfo: "
		    "'executor_id' must be set");
	for (i = 0; err == NULL && i < n; i++) {
		const char *id = tg->tasks[i]->task_id != NULL ?
		    tg->tasks[i]->task_id->value : NULL;

		for (j = 0; j < i && id != NULL; j++) {
			const char *o = tg->tasks[j]->task_id != NULL ?
			    tg->tasks[j]->task_id->value : NULL;

			if (o != NULL && strcmp(o, id) == 0)
				err = xasprintf("Task has duplicate ID: %s",
				    id);
		}
		if (err != NULL)
			break;
		/* The executor's resources count once, with the first task. */
		err = task_validate(sim, fw, a, tg->tasks[i],
		    i == 0 ? ex : NULL, 1, &left, &needs[i]);
		if (err == NULL)
			res_sub(&left, &needs[i]);
	}
	if (err != NULL) {
		for (i = 0; i < n; i++)
			task_error(sim, fw, tg->tasks[i]->task_id != NULL ?
			    tg->tasks[i]->task_id->value : NULL, a, err);
		goto out;
	}
	res_copy(avail, &left);
	for (i = 0; i < n; i++) {
		Mesos__V1__TaskInfo *ti = tg->tasks[i];
		struct sim_task *t;

		t = task_create(sim, fw, a, ti->task_id->value, ti->name,
		    ex->executor_id->value, &needs[i]);
		if (ti->kill_policy != NULL &&
		    ti->kill_policy->grace_period != NULL)
			t->grace = (double)
			    ti->kill_policy->grace_period->nanoseconds / 1e9;
		task_behaviour(sim, t, ti, ex);
		task_begin(sim, t);
	}
out:
	for (i = 0; i < n; i++)
		res_clear(&needs[i]);
	free(needs);
	res_clear(&left);
	free(err);
}

/* Sends TASK_DROPPED/TASK_LOST (REASON_INVALID_OFFERS) for every task. */
static void
task_drop_all(struct sim *sim, struct sim_framework *fw,
    Mesos__V1__Scheduler__Call__Accept *acc, const char *why)
{
	char *msg = xasprintf("Task launched with invalid offers: %s", why);
	int state = fw->partition_aware ? ST(TASK_DROPPED) : ST(TASK_LOST);
	size_t i, j;

	for (i = 0; i < acc->n_operations; i++) {
		Mesos__V1__Offer__Operation *op = acc->operations[i];
		Mesos__V1__TaskInfo **tv = NULL;
		size_t n = 0;

		if (op->type == MESOS__V1__OFFER__OPERATION__TYPE__LAUNCH &&
		    op->launch != NULL) {
			tv = op->launch->task_infos;
			n = op->launch->n_task_infos;
		} else if (op->type ==
		    MESOS__V1__OFFER__OPERATION__TYPE__LAUNCH_GROUP &&
		    op->launch_group != NULL &&
		    op->launch_group->task_group != NULL) {
			tv = op->launch_group->task_group->tasks;
			n = op->launch_group->task_group->n_tasks;
		}
		for (j = 0; j < n; j++) {
			sim->c.tasks_dropped++;
			task_send_master_update(sim, fw,
			    tv[j]->task_id != NULL ? tv[j]->task_id->value :
			    NULL, tv[j]->agent_id != NULL ?
			    tv[j]->agent_id->value : NULL, state,
			    RS(REASON_INVALID_OFFERS), msg, NULL, 0);
		}
	}
	free(msg);
}

/*
 * ACCEPT: validates the offers (all valid, all the framework's, one agent,
 * no duplicates), runs LAUNCH and LAUNCH_GROUP operations against them and
 * declines what is left with the call's filter.
 */
void
task_accept(struct sim *sim, struct sim_framework *fw,
    Mesos__V1__Scheduler__Call__Accept *acc)
{
	struct sim_offer **offers = NULL;
	struct sim_agent *a = NULL;
	struct sim_res avail;
	char *err = NULL;
	size_t i, j, n = acc->n_offer_ids;

	res_init(&avail);
	offers = xcalloc(n + 1, sizeof *offers);
	if (n == 0)
		err = xstrdup("No offers specified");
	for (i = 0; i < n; i++) {
		const char *id = acc->offer_ids[i]->value;
		struct sim_offer *o = id != NULL ?
		    htab_gets(&sim->offers, id) : NULL;

		for (j = 0; j < i && err == NULL; j++) {
			if (id != NULL && acc->offer_ids[j]->value != NULL &&
			    strcmp(acc->offer_ids[j]->value, id) == 0)
				err = xasprintf("Duplicate offer %s in offer "
				    "list", id);
		}
		if (o != NULL && o->fw != fw)
			o = NULL;
		if (err == NULL && o == NULL)
			err = xasprintf("Offer %s is no longer valid",
			    id != NULL ? id : "");
		if (err == NULL && a != NULL && o->agent != a)
			err = xasprintf("Aggregated offers must belong to one "
			    "single agent. Offer %s uses agent %s and offer "
			    "%s uses agent %s", id, o->agent->id,
			    offers[0]->id, a->id);
		if (o != NULL && a == NULL)
			a = o->agent;
		offers[i] = o;
	}
	if (err != NULL) {
		log_info("framework %s: ACCEPT with invalid offers: %s",
		    fw->id, err);
		sim->c.offers_invalid++;
		for (i = 0; i < n; i++) {
			/* Valid offers in the call go back, unfiltered. */
			if (offers[i] != NULL &&
			    htab_gets(&sim->offers, offers[i]->id) == offers[i])
				alloc_remove_offer(sim, offers[i], 0);
		}
		task_drop_all(sim, fw, acc, err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		res_add(&avail, &offers[i]->res);
		sim->c.offers_accepted++;
		alloc_remove_offer(sim, offers[i], 0);
	}
	for (i = 0; i < acc->n_operations; i++) {
		Mesos__V1__Offer__Operation *op = acc->operations[i];

		switch (op->type) {
		case MESOS__V1__OFFER__OPERATION__TYPE__LAUNCH:
			task_launch(sim, fw, a, &avail, op->launch);
			break;
		case MESOS__V1__OFFER__OPERATION__TYPE__LAUNCH_GROUP:
			task_launch_group(sim, fw, a, &avail,
			    op->launch_group);
			break;
		default:
			log_info("framework %s: ACCEPT operation %s is not "
			    "simulated; ignored", fw->id, codec_enum_name(
			    &mesos__v1__offer__operation__type__descriptor,
			    (int)op->type));
			break;
		}
	}
	alloc_add_filter(sim, fw, a, &avail, acc->filters);
out:
	res_clear(&avail);
	free(offers);
	free(err);
}

/* Sends the reconciliation answer for a task the master knows. */
static void
task_reconcile_known(struct sim *sim, struct sim_task *t)
{
	int unreachable = t->agent->state == SIM_AGENT_UNREACHABLE;
	int state = t->state;

	if (unreachable)
		state = t->fw->partition_aware ? ST(TASK_UNREACHABLE) :
		    ST(TASK_LOST);
	task_send_master_update(sim, t->fw, t->id, t->agent->id, state,
	    RS(REASON_RECONCILIATION), unreachable ?
	    "Reconciliation: Task is unreachable" :
	    "Reconciliation: Latest task state", t,
	    unreachable ? t->agent->unreachable_time : 0);
}

/* Answers an explicit reconciliation of one task (Master::_reconcileTasks). */
static void
task_reconcile_one(struct sim *sim, struct sim_framework *fw,
    const char *task_id, const char *agent_id)
{
	struct sim_task *t = htab_gets(&fw->tasks, task_id);
	struct sim_agent *a = agent_id != NULL ? agents_find(sim, agent_id) :
	    NULL;
	int pa = fw->partition_aware;

	if (t != NULL && agents_known(t->agent)) {
		task_reconcile_known(sim, t);
		return;
	}
	if (t != NULL && t->agent->state == SIM_AGENT_UNREACHABLE &&
	    agent_id == NULL)
		a = t->agent;
	if ((a != NULL && a->state == SIM_AGENT_RECOVERED) ||
	    (agent_id == NULL && sim->nrecovered > 0)) {
		/* The agent may still reregister with the task: no answer. */
		log_debug("reconcile: dropping %s: transitional agents",
		    task_id);
		return;
	}
	if (a != NULL && a->state == SIM_AGENT_UNREACHABLE) {
		task_send_master_update(sim, fw, task_id, a->id,
		    pa ? ST(TASK_UNREACHABLE) : ST(TASK_LOST),
		    RS(REASON_RECONCILIATION),
		    "Reconciliation: Task is unreachable", NULL,
		    a->unreachable_time);
	} else if (a != NULL && a->state == SIM_AGENT_GONE) {
		task_send_master_update(sim, fw, task_id, a->id,
		    pa ? ST(TASK_GONE_BY_OPERATOR) : ST(TASK_LOST),
		    RS(REASON_RECONCILIATION),
		    "Reconciliation: Task is gone", NULL, 0);
	} else if (a != NULL) {
		task_send_master_update(sim, fw, task_id, a->id,
		    pa ? ST(TASK_GONE) : ST(TASK_LOST),
		    RS(REASON_RECONCILIATION),
		    "Reconciliation: Task is unknown to the agent", NULL, 0);
	} else {
		task_send_master_update(sim, fw, task_id, NULL,
		    pa ? ST(TASK_UNKNOWN) : ST(TASK_LOST),
		    RS(REASON_RECONCILIATION),
		    "Reconciliation: Task is unknown", NULL, 0);
	}
}

/* RECONCILE: explicit (listed tasks) or implicit (every known task). */
void
task_reconcile(struct sim *sim, struct sim_framework *fw,
    Mesos__V1__Scheduler__Call__Reconcile *r)
{
	size_t i;

	if (r->n_tasks == 0) {
		struct sim_task *t;

		i = 0;
		while ((t = htab_next(&fw->tasks, &i)) != NULL) {
			if (agents_known(t->agent) ||
			    (t->agent->state == SIM_AGENT_UNREACHABLE &&
			    fw->partition_aware))
				task_reconcile_known(sim, t);
		}
		return;
	}
	for (i = 0; i < r->n_tasks; i++) {
		const Mesos__V1__Scheduler__Call__Reconcile__Task *x =
		    r->tasks[i];

		if (x->task_id == NULL || x->task_id->value == NULL)
			continue;
		task_reconcile_one(sim, fw, x->task_id->value,
		    x->agent_id != NULL ? x->agent_id->value : NULL);
	}
}

/* KILL: a known task is killed; an unknown one is reconciled. */
void
task_kill(struct sim *sim, struct sim_framework *fw,
    Mesos__V1__Scheduler__Call__Kill *k)
{
	const char *id = k->task_id != NULL ? k->task_id->value : NULL;
	struct sim_task *t = id != NULL ? htab_gets(&fw->tasks, id) : NULL;
	double grace, delay;

	if (id == NULL)
		return;
	if (t == NULL || !agents_known(t->agent)) {
		log_info("task %s: cannot kill it: unknown; reconciling", id);
		task_reconcile_one(sim, fw, id, k->agent_id != NULL ?
		    k->agent_id->value : NULL);
		return;
	}
	if (t->terminal || !agents_reachable(t->agent))
		return;
	grace = t->grace;
	if (k->kill_policy != NULL && k->kill_policy->grace_period != NULL)
		grace = (double)k->kill_policy->grace_period->nanoseconds / 1e9;
	if (t->state == ST(TASK_STAGING)) {
		/* Killed before the executor started it. */
		task_update(sim, t, ST(TASK_KILLED), SRC(SOURCE_AGENT),
		    RS(REASON_TASK_KILLED_DURING_LAUNCH),
		    "Killed before delivery to the executor");
		return;
	}
	if (t->killing && grace >= 0) {
		/* A second kill may shorten the grace period. */
		delay = t->ignore_term ? grace : sim->cfg.kill_delay;
		if (delay < ev_timer_remaining(sim->loop, &t->timer))
			task_schedule(sim, t, SIM_STEP_KILLED, delay);
		return;
	}
	t->killing = 1;
	ev_timer_stop(sim->loop, &t->health_timer);
	if (fw->killing_state)
		task_update(sim, t, ST(TASK_KILLING), SRC(SOURCE_EXECUTOR), -1,
		    NULL);
	delay = t->ignore_term ? grace : sim->cfg.kill_delay;
	if (!t->ignore_term && grace < delay)
		delay = grace;
	task_schedule(sim, t, SIM_STEP_KILLED, delay);
}

/* SHUTDOWN: the executor ends, and its tasks with it. */
void
task_shutdown(struct sim *sim, struct sim_framework *fw,
    Mesos__V1__Scheduler__Call__Shutdown *s)
{
	struct sim_agent *a;
	struct sim_task *t, *next;
	const char *eid;

	if (s->executor_id == NULL || s->agent_id == NULL)
		return;
	eid = s->executor_id->value;
	a = agents_find(sim, s->agent_id->value);
	if (a == NULL || eid == NULL || !agents_reachable(a))
		return;
	for (t = a->tasks; t != NULL; t = next) {
		const char *te = t->executor_id != NULL ? t->executor_id :
		    t->id;

		next = t->anext;
		if (t->fw != fw || t->terminal || strcmp(te, eid) != 0)
			continue;
		task_update(sim, t, ST(TASK_KILLED), SRC(SOURCE_AGENT),
		    RS(REASON_EXECUTOR_TERMINATED), "Executor terminated");
	}
}

/* Records an acknowledged uuid; returns its new ack count. */
static uint32_t
task_ack_record(struct sim *sim, const uint8_t *uuid)
{
	struct sim_acked *a = htab_get(&sim->acked, uuid, 16);

	if (a == NULL) {
		a = xcalloc(1, sizeof *a);
		memcpy(a->uuid, uuid, 16);
		htab_put(&sim->acked, a->uuid, 16, a);
	}
	return ++a->count;
}

/*
 * ACKNOWLEDGE: the head update of the task with this uuid is done; the
 * next one goes out, or a task whose terminal update it was is removed.
 */
void
task_acknowledge(struct sim *sim, struct sim_framework *fw,
    Mesos__V1__Scheduler__Call__Acknowledge *ack)
{
	const char *tid = ack->task_id != NULL ? ack->task_id->value : NULL;
	const char *aid = ack->agent_id != NULL ? ack->agent_id->value : NULL;
	struct sim_task *t;
	struct sim_update *u;
	struct sim_agent *a;

	sim->c.acks_received++;
	if (ack->uuid.len != 16)
		return;
	if (task_flood_ack(sim, fw, ack->uuid.data))
		return;
	if (sim->drop_acks > 0) {
		sim->drop_acks--;
		sim->c.acks_dropped++;
		return;
	}
	a = aid != NULL ? agents_find(sim, aid) : NULL;
	if (a == NULL || !agents_reachable(a)) {
		/* The master cannot forward it; the agent will resend. */
		sim->c.acks_undeliverable++;
		return;
	}
	t = tid != NULL ? htab_gets(&fw->tasks, tid) : NULL;
	if (t == NULL || t->agent != a || t->head == NULL ||
	    memcmp(t->head->uuid, ack->uuid.data, 16) != 0) {
		struct sim_acked *x = htab_get(&sim->acked, ack->uuid.data,
		    16);

		if (x != NULL) {
			x->count++;
			sim->c.acks_duplicate++;
		} else {
			sim->c.acks_unknown++;
		}
		return;
	}
	task_ack_record(sim, ack->uuid.data);
	sim->c.updates_acked++;
	sim->unacked--;
	u = t->head;
	t->head = u->next;
	if (t->head == NULL)
		t->tail = NULL;
	task_update_free(u);
	ev_timer_stop(sim->loop, &t->retry);
	t->backoff = sim->cfg.update_retry;
	if (t->head != NULL)
		task_forward(sim, t);
	else if (t->terminal)
		task_complete(sim, t);
}

/* The framework resubscribed: every pending update goes out now. */
void
task_resume_fw(struct sim *sim, struct sim_framework *fw)
{
	struct sim_task *t;
	size_t i = 0;

	while ((t = htab_next(&fw->tasks, &i)) != NULL) {
		if (t->head != NULL) {
			t->backoff = sim->cfg.update_retry;
			task_forward(sim, t);
		}
	}
}

/* The agent reregistered: its pending updates go out now. */
void
task_resume_agent(struct sim *sim, struct sim_agent *a)
{
	struct sim_task *t;

	for (t = a->tasks; t != NULL; t = t->anext) {
		if (t->head != NULL) {
			t->backoff = sim->cfg.update_retry;
			task_forward(sim, t);
		}
	}
}

/* The framework is removed: its tasks are killed, nobody is told. */
void
task_remove_fw(struct sim *sim, struct sim_framework *fw)
{
	struct sim_task *t;
	size_t i = 0;

	while ((t = htab_next(&fw->tasks, &i)) != NULL) {
		if (!t->terminal)
			t->state = ST(TASK_KILLED);
		task_complete(sim, t);
	}
}

/*
 * The agent is gone (removed by the operator): each task gets
 * TASK_GONE_BY_OPERATOR or TASK_LOST from the master, and is forgotten.
 */
void
task_agent_lost(struct sim *sim, struct sim_agent *a, int gone)
{
	struct sim_task *t;

	while ((t = a->tasks) != NULL) {
		struct sim_framework *fw = t->fw;

		if (!t->terminal)
			task_send_master_update(sim, fw, t->id, a->id,
			    fw->partition_aware && gone ?
			    ST(TASK_GONE_BY_OPERATOR) : ST(TASK_LOST),
			    gone ? RS(REASON_AGENT_REMOVED_BY_OPERATOR) :
			    RS(REASON_AGENT_REMOVED),
			    "Agent has been marked gone", t, 0);
		t->state = fw->partition_aware && gone ?
		    ST(TASK_GONE_BY_OPERATOR) : ST(TASK_LOST);
		t->terminal = 1;
		task_complete(sim, t);
	}
}

/*
 * The agent is marked unreachable: each task gets TASK_UNREACHABLE
 * (PARTITION_AWARE) or TASK_LOST from the master. The tasks keep running
 * on the agent and come back if it reregisters.
 */
void
task_agent_unreachable(struct sim *sim, struct sim_agent *a)
{
	struct sim_task *t;

	for (t = a->tasks; t != NULL; t = t->anext) {
		if (t->terminal)
			continue;
		t->unreachable_time = a->unreachable_time;
		task_send_master_update(sim, t->fw, t->id, a->id,
		    t->fw->partition_aware ? ST(TASK_UNREACHABLE) :
		    ST(TASK_LOST), RS(REASON_AGENT_REMOVED),
		    "health check timed out", t, a->unreachable_time);
	}
}

/*
 * Control API: "finish", "fail", "crash" (the executor dies: TASK_FAILED
 * from the agent), "lost" (TASK_LOST from the agent) or "forget" (the
 * master and the agent drop the task without a word).
 */
int
task_fault(struct sim *sim, struct sim_task *t, const char *action,
    char **cause)
{
	if (strcmp(action, "forget") == 0) {
		log_info("task %s: forgotten", t->id);
		task_free(sim, t);
		return 0;
	}
	if (t->terminal) {
		*cause = xasprintf("task %s is already %s", t->id,
		    sim_task_state_name(t->state));
		return -1;
	}
	if (strcmp(action, "finish") == 0)
		task_update(sim, t, ST(TASK_FINISHED), SRC(SOURCE_EXECUTOR), -1,
		    "Command exited with status 0");
	else if (strcmp(action, "fail") == 0)
		task_update(sim, t, ST(TASK_FAILED), SRC(SOURCE_EXECUTOR), -1,
		    "Command exited with status 1");
	else if (strcmp(action, "crash") == 0)
		task_update(sim, t, ST(TASK_FAILED), SRC(SOURCE_AGENT),
		    RS(REASON_EXECUTOR_TERMINATED),
		    "Abnormal executor termination: unknown container");
	else if (strcmp(action, "lost") == 0)
		task_update(sim, t, ST(TASK_LOST), SRC(SOURCE_AGENT),
		    RS(REASON_EXECUTOR_TERMINATED), "Executor terminated");
	else {
		*cause = xasprintf("unknown task action '%s' (finish, fail, "
		    "crash, lost, forget)", action);
		return -1;
	}
	return 0;
}

/* Finds a task by id in one framework, or in any. */
struct sim_task *
task_find_any(struct sim *sim, const char *fw_id, const char *task_id)
{
	struct sim_framework *fw;
	struct sim_task *t;
	size_t i = 0;

	if (fw_id != NULL) {
		fw = fw_find(sim, fw_id);
		return fw == NULL ? NULL : htab_gets(&fw->tasks, task_id);
	}
	while ((fw = htab_next(&sim->frameworks, &i)) != NULL) {
		t = htab_gets(&fw->tasks, task_id);
		if (t != NULL)
			return t;
	}
	return NULL;
}

/* Describes a task for /state. */
json_t *
task_json(const struct sim_task *t)
{
	json_t *o, *ups = json_array();
	const struct sim_update *u;

	for (u = t->head; u != NULL; u = u->next) {
		char hex[33];
		int i;

		for (i = 0; i < 16; i++)
			snprintf(hex + 2 * i, 3, "%02x", u->uuid[i]);
		json_array_append_new(ups, json_pack("{s:s,s:s,s:i,s:f}",
		    "state", sim_task_state_name(u->state), "uuid", hex,
		    "sends", (int)u->sends, "timestamp", u->timestamp));
	}
	o = json_pack("{s:s,s:s?,s:s,s:s,s:s,s:s?,s:o,s:s,s:o,s:f,s:b}",
	    "id", t->id, "name", t->name, "framework_id", t->fw->id,
	    "agent_id", t->agent->id, "state", sim_task_state_name(t->state),
	    "executor_id", t->executor_id, "resources", res_to_json(&t->res),
	    "behaviour", sim_behaviour_name(t->behaviour),
	    "pending_updates", ups, "launched", t->launched,
	    "killing", t->killing);
	if (t->has_check)
		json_object_set_new(o, "health", json_string(
		    sim_health_name(t->health)));
	if (t->healthy >= 0)
		json_object_set_new(o, "healthy", json_boolean(t->healthy));
	if (t->unreachable_time > 0)
		json_object_set_new(o, "unreachable_time",
		    json_real(t->unreachable_time));
	return o;
}

/*
 * Launches count tasks for fw straight onto agents with room (no offer:
 * an outstanding offer of such an agent is rescinded; no update: they are
 * TASK_RUNNING at once). For benchmarks.
 */
size_t
task_bulk_launch(struct sim *sim, struct sim_framework *fw, size_t count,
    double cpus, double mem)
{
	struct sim_res need, avail;
	size_t n = 0, i, misses = 0;
	static uint64_t seq;

	res_init(&need);
	res_init(&avail);
	need.cpus = cpus;
	need.mem = mem;
	for (i = 0; n < count && sim->nagents > 0 &&
	    misses < sim->nagents; i++) {
		struct sim_agent *a = sim->agentv[i % sim->nagents];
		struct sim_task *t;
		char id[64];

		if (a->state != SIM_AGENT_ACTIVE) {
			misses++;
			continue;
		}
		res_copy(&avail, &a->total);
		res_sub(&avail, &a->used);
		if (!res_contains(&avail, &need)) {
			misses++;
			continue;
		}
		/* The agent's resources are taken back from its offer. */
		if (a->offer != NULL)
			alloc_remove_offer(sim, a->offer, 1);
		if (!res_contains(&avail, &need)) {
			misses++;
			continue;
		}
		misses = 0;
		snprintf(id, sizeof id, "bulk-%" PRIu64, seq++);
		t = task_create(sim, fw, a, id, id, NULL, &need);
		t->state = ST(TASK_RUNNING);
		n++;
	}
	res_clear(&need);
	res_clear(&avail);
	return n;
}

/* Frees a flood. */
void
task_flood_free(struct sim_flood *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->ntasks; i++) {
		free(f->task_ids[i]);
		free(f->agent_ids[i]);
	}
	free(f->task_ids);
	free(f->agent_ids);
	free(f->acked);
	free(f);
}

/*
 * Starts a flood: count TASK_RUNNING updates (with uuids that are tracked
 * apart from the reliable updates) about fw's tasks, or made-up tasks if
 * it has none, written as fast as the subscriber reads.
 */
void
task_flood_start(struct sim *sim, struct sim_framework *fw, uint64_t count)
{
	struct sim_flood *f = xcalloc(1, sizeof *f);
	struct sim_task *t;
	size_t i = 0, n = 0;
	uint64_t magic = sim_rand(sim);

	memcpy(f->magic, &magic, 8);
	f->total = count;
	f->acked = xcalloc(count / 8 + 1, 1);
	f->started = ev_now(sim->loop);
	f->task_ids = xcalloc(fw->tasks.n + 1, sizeof *f->task_ids);
	f->agent_ids = xcalloc(fw->tasks.n + 1, sizeof *f->agent_ids);
	while ((t = htab_next(&fw->tasks, &i)) != NULL) {
		f->task_ids[n] = xstrdup(t->id);
		f->agent_ids[n] = xstrdup(t->agent->id);
		n++;
	}
	if (n == 0) {
		f->task_ids[0] = xstrdup("flood-task");
		f->agent_ids[0] = xstrdup(sim->nagents > 0 ?
		    sim->agentv[0]->id : "flood-agent");
		n = 1;
	}
	f->ntasks = n;
	task_flood_free(fw->flood);
	fw->flood = f;
	if (fw->stream != NULL)
		sim_stream_flood(fw->stream);
}

/* Appends flood updates to out until it holds want bytes or all are out. */
void
task_flood_fill(struct sim *sim, struct sim_framework *fw,
    struct sim_flood *f, enum codec_type codec, struct buf *out, size_t want)
{
	struct task_pb p;
	uint8_t uuid[16];
	struct buf tmp;

	buf_init(&tmp, 0);
	memcpy(uuid, f->magic, 8);
	task_pb_init(&p, f->task_ids[0], f->agent_ids[0], ST(TASK_RUNNING),
	    SRC(SOURCE_EXECUTOR), -1, NULL);
	p.st.has_uuid = 1;
	p.st.uuid.data = uuid;
	p.st.uuid.len = 16;
	while (out->len < want && f->sent < f->total) {
		size_t k = (size_t)(f->sent % f->ntasks);

		memcpy(uuid + 8, &f->sent, 8);
		if (f->flap) {
			/* each update of a task changes its health */
			p.st.has_healthy = 1;
			p.st.healthy = (f->sent / f->ntasks) % 2 == 0;
		}
		p.tid.value = f->task_ids[k];
		p.aid.value = f->agent_ids[k];
		p.st.timestamp = ev_now(sim->loop);
		if (codec == CODEC_PROTOBUF) {
			sim_frame_pb(out, &p.ev.base);
		} else {
			buf_reset(&tmp);
			if (codec_encode_event(codec, &p.ev, &tmp, NULL) != 0)
				break;
			recordio_write(out, tmp.data, tmp.len);
		}
		f->sent++;
		sim->c.flood_sent++;
		sim->c.updates_sent++;
		sim->c.events[MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE]++;
	}
	if (f->sent == f->total && f->finished == 0)
		f->finished = ev_now(sim->loop);
	buf_clear(&tmp);
}

/* Counts an acknowledgement of a flood update; 1 if it was one. */
int
task_flood_ack(struct sim *sim, struct sim_framework *fw, const uint8_t *uuid)
{
	struct sim_flood *f = fw->flood;
	uint64_t seq;

	if (f == NULL || memcmp(uuid, f->magic, 8) != 0)
		return 0;
	memcpy(&seq, uuid + 8, 8);
	if (seq >= f->total)
		return 1;
	if (f->acked[seq / 8] & (1u << (seq % 8))) {
		sim->c.flood_acks_duplicate++;
	} else {
		f->acked[seq / 8] |= (uint8_t)(1u << (seq % 8));
		sim->c.flood_acked++;
	}
	return 1;
}
