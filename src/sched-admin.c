/*
 * sched-admin — the core's answers to operator requests (docs/admin-api.md
 * defines every shape). admin.c has already parsed and validated each
 * request into a struct admin_req; here it is answered from the exact state
 * the scheduler acts on, and mutations (blacklist, instances, suspension,
 * kills, restarts, reconciliation, teardown) become effects like any other
 * decision: store rows first, then calls, then the reply.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin-req.h"
#include "buf.h"
#include "call.h"
#include "log.h"
#include "metrics.h"
#include "sched-int.h"
#include "xmalloc.h"

#ifndef ARK_VERSION
#define ARK_VERSION "0"
#endif

/* Replies with the JSON value o (a reference is taken over). */
static void
sa_reply(struct effects *out, uint64_t id, int status, json_t *o)
{
	char *body = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(o);
	effects_reply(out, id, status, body != NULL ? body :
	    xstrdup("{\"error\": \"cannot render the answer\"}"));
}

/* Replies {"error": text} with status. */
static void
sa_error(struct effects *out, uint64_t id, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
sa_error(struct effects *out, uint64_t id, int status, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	sa_reply(out, id, status, json_pack("{s:s}", "error", msg));
	free(msg);
}

static json_t *
sa_str(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
sa_time(int64_t ms)
{
	return ms > 0 ? json_integer(ms) : json_null();
}

static const char *sa_session_names[SESSION_STATE_MAX] = {
	"disconnected", "connected", "follower"
};

static json_t *
sa_reconciliation(const struct sched *s)
{
	const struct reconcile *r = &s->rec;

	/* before a run finished there is no duration to show: null, not 0 */
	return json_pack("{s:s, s:I, s:I, s:o, s:o, s:o, s:I, s:I}",
	    "state", reconcile_phase_name(r->phase),
	    "rounds", (json_int_t)r->rounds,
	    "outstanding", (json_int_t)r->outstanding,
	    "started_at", sa_time(r->runs > 0 ? r->started_wall : 0),
	    "last_duration_ms", r->completed > 0 ?
	    json_integer(r->last_duration_ms) : json_null(),
	    "last_completed_at", sa_time(r->completed > 0 ? r->last_done_wall :
	    0),
	    "completed", (json_int_t)r->completed,
	    "unknown_tasks", (json_int_t)r->unknown_tasks);
}

/* Jobs the configuration has (not the ones leaving). */
static size_t
sa_njobs(const struct sched *s)
{
	size_t n = 0;

	for (const struct sched_job *j = s->job_head; j != NULL; j = j->next)
		if (j->cfg != NULL && !j->removed)
			n++;
	return n;
}

static void
sa_state(struct sched *s, const struct admin_req *r, struct effects *out)
{
	json_t *o;
	const char *session = s->subscribed ? "subscribed" :
	    s->session < SESSION_STATE_MAX ? sa_session_names[s->session] : "?";

	o = json_pack("{s:o, s:o, s:{s:s, s:o, s:o, s:o, s:o, s:o, s:I}, "
	    "s:{s:I, s:I, s:I, s:I, s:I}, s:o, s:s, s:b, s:s}",
	    "framework_id", sa_str(s->fid),
	    "leader", sa_str(s->master),
	    "session", "state", session, "since", sa_time(s->session_since),
	    "stream_id", sa_str(s->stream_id),
	    "last_error", sa_str(s->conn_error),
	    "last_error_at", sa_time(s->conn_error != NULL ?
	    s->conn_error_at : 0),
	    "failing_since", sa_time(s->conn_failing_since),
	    "failed_attempts", (json_int_t)s->conn_failures,
	    "counts", "jobs", (json_int_t)sa_njobs(s),
	    "tasks", (json_int_t)hash_count(s->tasks),
	    "agents", (json_int_t)hash_count(s->agents),
	    "offers", (json_int_t)0,
	    "blacklist", (json_int_t)hash_count(s->blacklist),
	    "reconciliation", sa_reconciliation(s),
	    "config_version", s->cfg->version,
	    "dry_run", s->cfg->dry_run != 0,
	    "version", ARK_VERSION);
	sa_reply(out, r->id, 200, o);
}

/* The configured (not leaving) job called id, or NULL. */
static struct sched_job *
sa_job(struct sched *s, const char *id)
{
	struct sched_job *j;

	if (id == NULL)
		return NULL;
	j = hash_get(s->jobs, id);
	return j != NULL && j->cfg != NULL && !j->removed ? j : NULL;
}

/*
 * The runtime changes of j in force that differ from the file, each as
 * {"file", "runtime"}: an operator must see what the file does not say.
 */
static json_t *
sa_overrides(const struct sched_job *j)
{
	json_t *o = json_object();

	if (j->cfg->kind == JOB_SERVICE && j->instances != j->cfg->instances)
		json_object_set_new(o, "instances", json_pack("{s:I, s:I}",
		    "file", (json_int_t)j->cfg->instances,
		    "runtime", (json_int_t)j->instances));
	/* the file cannot suspend a job: a suspension is always runtime */
	if (j->suspended)
		json_object_set_new(o, "suspended", json_pack("{s:b, s:b}",
		    "file", 0, "runtime", 1));
	return o;
}

/* Whether slot sl waits (for an offer or its backoff) with no task. */
static int
sa_slot_waits(const struct sched_slot *sl)
{
	return sl->task == NULL && (sl->state == SLOT_PENDING ||
	    sl->state == SLOT_BACKOFF);
}

static json_t *
sa_job_summary(const struct sched_job *j)
{
	size_t running = 0, pending = 0;
	json_t *o;

	for (const struct sched_slot *sl = j->slot_head; sl != NULL;
	    sl = sl->next) {
		if (sl->task != NULL &&
		    sl->task->state == MESOS__V1__TASK_STATE__TASK_RUNNING)
			running++;
		/* a suspended job waits for nothing */
		if ((sl->state == SLOT_PENDING || sl->state == SLOT_BACKOFF) &&
		    !j->suspended)
			pending++;
	}
	o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:b, s:s}",
	    "id", j->id,
	    "kind", j->cfg->kind == JOB_DAEMON ? "daemon" : "service",
	    "instances", (json_int_t)(j->cfg->kind == JOB_SERVICE ?
	    j->instances : j->nslots),
	    "running", (json_int_t)running,
	    "pending", (json_int_t)pending,
	    "suspended", j->suspended != 0,
	    "hash", j->cfg->hash);
	json_object_set_new(o, "overrides", sa_overrides(j));
	return o;
}

/* The ended tasks of slot sl, newest first. */
static json_t *
sa_slot_history(const struct sched_slot *sl)
{
	json_t *a = json_array();

	for (size_t i = sl->nhist; i-- > 0;) {
		const struct store_history *h = &sl->hist[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:o, "
		    "s:o, s:o, s:o, s:o, s:o}",
		    "task_id", h->task_id,
		    "state", h->state == SCHED_LAUNCHING ? "NOT_LAUNCHED" :
		    sched_state_name(h->state),
		    "reason", h->reason < 0 ? json_null() : sa_str(
		    codec_enum_name(&mesos__v1__task_status__reason__descriptor,
		    h->reason)),
		    "source", h->source < 0 ? json_null() : sa_str(
		    codec_enum_name(&mesos__v1__task_status__source__descriptor,
		    h->source)),
		    "message", sa_str(h->message),
		    "agent_id", sa_str(h->agent_id),
		    "hostname", sa_str(h->hostname),
		    "launched_at", sa_time(h->launched_at),
		    "ended_at", sa_time(h->ended_at)));
	}
	return a;
}

static json_t *
sa_slot(const struct sched_slot *sl)
{
	const struct sched_task *t = sl->task;
	const char *reason = sl->why;
	const char *state = t != NULL ? sched_state_name(t->state) :
	    sched_slot_state_name(sl->state);

	if (sa_slot_waits(sl) && sl->job->suspended) {
		state = "suspended";
		reason = "the job is suspended";
	}
	if (reason == NULL && sl->state == SLOT_DONE)
		reason = sl->doomed ? "leaving" : "restart policy";
	if (reason == NULL && sl->state == SLOT_PENDING)
		reason = "waiting for an offer";
	return json_pack("{s:s, s:o, s:s, s:o, s:o, s:I, s:o, s:o, s:o}",
	    "slot", sl->key,
	    "task_id", sa_str(t != NULL ? t->id : NULL),
	    "state", state,
	    "agent_id", sa_str(t != NULL ? t->agent_id :
	    sl->agent != NULL ? sl->agent->id : NULL),
	    "hostname", sa_str(t != NULL ? t->hostname :
	    sl->agent != NULL ? sl->agent->hostname : NULL),
	    "restarts", (json_int_t)sl->restarts,
	    "backoff_until", sa_time(sl->state == SLOT_BACKOFF ?
	    sl->backoff_until : 0),
	    "reason", sa_str(t != NULL ? NULL : reason),
	    "history", sa_slot_history(sl));
}

static int
sa_agent_cmp(const void *a, const void *b)
{
	const struct sched_agent *x = *(const struct sched_agent *const *)a;
	const struct sched_agent *y = *(const struct sched_agent *const *)b;

	return strcmp(x->id, y->id);
}

/* The agents worth showing (the master knows them), sorted by id. */
static struct sched_agent **
sa_agents(const struct sched *s, size_t *n)
{
	struct sched_agent **v, *a;
	size_t it = 0;

	*n = 0;
	v = xcalloc(hash_count(s->agents) + 1, sizeof *v);
	while ((a = hash_next(s->agents, &it)) != NULL)
		if (a->listed || a->offered || a->ntasks > 0)
			v[(*n)++] = a;
	qsort(v, *n, sizeof *v, sa_agent_cmp);
	return v;
}

/* One coverage entry: how daemon job j stands on agent a. */
static json_t *
sa_coverage(const struct sched *s, const struct sched_job *j,
    const struct sched_agent *a)
{
	const struct sched_slot *sl = hash_get(j->slots, a->id);
	const char *status = "pending", *reason = NULL, *why;

	if (sl != NULL && sl->task != NULL) {
		switch (sl->task->state) {
		case MESOS__V1__TASK_STATE__TASK_RUNNING:
		case MESOS__V1__TASK_STATE__TASK_KILLING:
			status = "running";
			break;
		case MESOS__V1__TASK_STATE__TASK_UNREACHABLE:
		case MESOS__V1__TASK_STATE__TASK_LOST:
			status = "unreachable";
			reason = "its task is unreachable";
			break;
		default:
			status = "launching";
			break;
		}
	} else if (!sched_eligible(s, j, a, &why)) {
		status = why;
		if (strcmp(why, "blacklisted") == 0) {
			const struct sched_blacklist *b = sched_blacklisted(s, a);

			reason = b != NULL && b->reason[0] != '\0' ?
			    b->reason : "on the blacklist";
		} else if (strcmp(why, "draining") == 0)
			reason = "the agent is draining or going into "
			    "maintenance";
		else if (strcmp(why, "unreachable") == 0)
			reason = "the master reports the agent inactive";
		else
			reason = "the job's constraints exclude the agent";
	} else if (sl == NULL) {
		reason = "no slot yet";
	} else if (j->suspended && sa_slot_waits(sl)) {
		status = "suspended";
		reason = "the job is suspended";
	} else if (sl->state == SLOT_BACKOFF) {
		status = "backing_off";
		reason = "waiting before restarting a failed task";
	} else if (sl->state == SLOT_DONE) {
		reason = "the restart policy leaves it empty";
	} else if (sl->why != NULL && strcmp(sl->why, "too_small") == 0) {
		status = "too_small";
		reason = "its offers lack the resources the job needs";
	} else if (sl->why != NULL && strcmp(sl->why, "constraint") == 0) {
		status = "constraint";
		reason = "the job's constraints exclude the agent";
	} else if (!a->offered) {
		status = "never_offered";
		reason = "no offer from this agent yet";
	} else if (sl->why != NULL) {
		reason = sl->why;
	} else
		reason = "waiting for an offer";
	return json_pack("{s:s, s:o, s:s, s:o}", "agent_id", a->id,
	    "hostname", sa_str(a->hostname), "status", status,
	    "reason", sa_str(reason));
}

/* The job detail object (summary, spec, slots, coverage). */
static json_t *
sa_job_detail(const struct sched *s, const struct sched_job *j)
{
	json_t *o = sa_job_summary(j), *slots = json_array(), *spec;

	/* env values named like secrets never leave arkd (admin.redact) */
	spec = j->cfg->json != NULL && json_is_object(j->cfg->json) ?
	    config_job_redact(s->cfg, j->cfg->json) :
	    json_pack("{s:s}", "id", j->id);
	if (j->cfg->kind == JOB_SERVICE)
		json_object_set_new(spec, "instances",
		    json_integer(j->instances));
	json_object_set_new(spec, "suspended", json_boolean(j->suspended));
	json_object_set_new(o, "spec", spec);
	for (const struct sched_slot *sl = j->slot_head; sl != NULL;
	    sl = sl->next)
		json_array_append_new(slots, sa_slot(sl));
	json_object_set_new(o, "slots", slots);
	if (j->cfg->kind == JOB_DAEMON) {
		json_t *cov = json_array();
		size_t n;
		struct sched_agent **v = sa_agents(s, &n);

		for (size_t i = 0; i < n; i++)
			json_array_append_new(cov, sa_coverage(s, j, v[i]));
		free(v);
		json_object_set_new(o, "coverage", cov);
	}
	return o;
}

json_t *
sched_admin_task_json(const struct sched_task *t)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:o}",
	    "id", t->id,
	    "job", t->job->id,
	    "slot", t->slot_key,
	    "agent_id", sa_str(t->agent_id),
	    "hostname", sa_str(t->hostname),
	    "state", sched_state_name(t->state),
	    "launched_at", sa_time(t->launched_at),
	    "updated_at", sa_time(t->updated_at),
	    "healthy", t->healthy < 0 ? json_null() :
	    json_boolean(t->healthy),
	    "message", sa_str(t->message));
}

static int
sa_task_cmp(const void *a, const void *b)
{
	const struct sched_task *x = *(const struct sched_task *const *)a;
	const struct sched_task *y = *(const struct sched_task *const *)b;

	return strcmp(x->id, y->id);
}

static void
sa_tasks(struct sched *s, const struct admin_req *r, struct effects *out)
{
	struct sched_task **v, *t;
	size_t n = 0, it = 0;
	int state = 0;
	json_t *arr;

	if (r->job != NULL && hash_get(s->jobs, r->job) == NULL) {
		sa_error(out, r->id, 404, "unknown job %s", r->job);
		return;
	}
	if (r->state != NULL && sched_state_parse(r->state, &state) != 0) {
		sa_error(out, r->id, 400, "state: unknown task state %s "
		    "(expected a Mesos name such as TASK_RUNNING, or "
		    "LAUNCHING)", r->state);
		return;
	}
	v = xcalloc(hash_count(s->tasks) + 1, sizeof *v);
	while ((t = hash_next(s->tasks, &it)) != NULL) {
		if (r->job != NULL && strcmp(t->job->id, r->job) != 0)
			continue;
		if (r->state != NULL && t->state != state)
			continue;
		if (r->agent != NULL && (t->agent_id == NULL ||
		    strcmp(t->agent_id, r->agent) != 0) &&
		    (t->hostname == NULL || strcmp(t->hostname, r->agent) != 0))
			continue;
		v[n++] = t;
	}
	qsort(v, n, sizeof *v, sa_task_cmp);
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, sched_admin_task_json(v[i]));
	free(v);
	sa_reply(out, r->id, 200, json_pack("{s:o}", "tasks", arr));
}

static void
sa_agents_reply(struct sched *s, const struct admin_req *r,
    struct effects *out)
{
	size_t n;
	struct sched_agent **v = sa_agents(s, &n);
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		const struct sched_agent *a = v[i];
		json_t *attrs = json_object();

		for (size_t k = 0; k < a->nattrs; k++)
			json_object_set_new(attrs, a->attrs[k].key,
			    json_string(a->attrs[k].value));
		json_array_append_new(arr, json_pack("{s:s, s:o, s:o, "
		    "s:{s:f, s:f, s:f}, s:b, s:b, s:I}",
		    "id", a->id, "hostname", sa_str(a->hostname),
		    "attributes", attrs,
		    "resources", "cpus", a->cpus, "mem", a->mem, "disk", a->disk,
		    "blacklisted", sched_blacklisted(s, a) != NULL,
		    "draining", sched_agent_draining(s, a),
		    "tasks", (json_int_t)a->ntasks));
	}
	free(v);
	sa_reply(out, r->id, 200, json_pack("{s:o}", "agents", arr));
}

static json_t *
sa_blacklist_entry(const struct sched_blacklist *b)
{
	return json_pack("{s:s, s:s, s:I}", "agent", b->agent, "reason",
	    b->reason, "since", (json_int_t)b->since);
}

static int
sa_bl_cmp(const void *a, const void *b)
{
	const struct sched_blacklist *x =
	    *(const struct sched_blacklist *const *)a;
	const struct sched_blacklist *y =
	    *(const struct sched_blacklist *const *)b;

	return strcmp(x->agent, y->agent);
}

static void
sa_blacklist_get(struct sched *s, const struct admin_req *r,
    struct effects *out)
{
	struct sched_blacklist **v, *b;
	size_t n = 0, it = 0;
	json_t *arr = json_array();

	v = xcalloc(hash_count(s->blacklist) + 1, sizeof *v);
	while ((b = hash_next(s->blacklist, &it)) != NULL)
		v[n++] = b;
	qsort(v, n, sizeof *v, sa_bl_cmp);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, sa_blacklist_entry(v[i]));
	free(v);
	sa_reply(out, r->id, 200, json_pack("{s:o}", "blacklist", arr));
}

/* Whether an agent the master reports has id or hostname name. */
static int
sa_agent_known(const struct sched *s, const char *name)
{
	const struct sched_agent *a;
	size_t it = 0;

	while ((a = hash_next(s->agents, &it)) != NULL)
		if ((a->listed || a->offered || a->ntasks > 0) &&
		    (strcmp(a->id, name) == 0 || (a->hostname != NULL &&
		    strcmp(a->hostname, name) == 0)))
			return 1;
	return 0;
}

static void
sa_blacklist_put(struct sched *s, const struct admin_req *r,
    struct effects *out)
{
	struct sched_blacklist *b;
	struct effect *e;
	json_t *o;
	char *warning = NULL;

	if (r->arg == NULL || r->arg[0] == '\0') {
		sa_error(out, r->id, 400, "blacklist: agent id or hostname "
		    "missing");
		return;
	}
	b = hash_get(s->blacklist, r->arg);
	if (b == NULL) {
		b = xcalloc(1, sizeof *b);
		b->agent = xstrdup(r->arg);
		b->reason = xstrdup("");
		b->since = s->wall;
		hash_put(s->blacklist, b->agent, b);
	}
	if (r->reason != NULL) {
		free(b->reason);
		b->reason = xstrdup(r->reason);
	}
	e = effects_add(out, EFFECT_STORE);
	e->u.store.type = STORE_BLACKLIST_PUT;
	e->u.store.u.blacklist.agent = xstrdup(b->agent);
	e->u.store.u.blacklist.reason = xstrdup(b->reason);
	e->u.store.u.blacklist.since = b->since;
	log_info("sched: blacklist: %s added (%s)", b->agent, b->reason);
	/* a typo would exclude nothing: say so, but keep the entry, since
	 * an agent of that name may join later */
	if (!sa_agent_known(s, b->agent)) {
		warning = xasprintf("no agent the master reports has id or "
		    "hostname '%s'; the entry is kept and applies when one "
		    "joins", b->agent);
		log_warn("sched: blacklist: %s", warning);
	}
	sched_blacklist_apply(s, out);
	o = sa_blacklist_entry(b);
	json_object_set_new(o, "known", json_boolean(warning == NULL));
	if (warning != NULL)
		json_object_set_new(o, "warning", json_string(warning));
	free(warning);
	sa_reply(out, r->id, 200, o);
}

static void
sa_blacklist_del(struct sched *s, const struct admin_req *r,
    struct effects *out)
{
	struct sched_blacklist *b;
	struct effect *e;

	b = r->arg != NULL ? hash_del(s->blacklist, r->arg) : NULL;
	if (b == NULL) {
		sa_error(out, r->id, 404, "%s is not blacklisted",
		    r->arg != NULL ? r->arg : "(none)");
		return;
	}
	e = effects_add(out, EFFECT_STORE);
	e->u.store.type = STORE_BLACKLIST_DEL;
	e->u.store.u.str = xstrdup(b->agent);
	log_info("sched: blacklist: %s removed", b->agent);
	sched_blacklist_apply(s, out);
	s->revive_wanted = 1;
	sa_reply(out, r->id, 200, json_pack("{s:s}", "agent", b->agent));
	free(b->agent);
	free(b->reason);
	free(b);
}

static void
sa_patch(struct sched *s, const struct admin_req *r, struct effects *out)
{
	struct sched_job *j = sa_job(s, r->arg);
	char key[256], val[32];

	if (j == NULL) {
		sa_error(out, r->id, 404, "unknown job %s",
		    r->arg != NULL ? r->arg : "(none)");
		return;
	}
	if (r->instances != -1 && j->cfg->kind == JOB_DAEMON) {
		sa_error(out, r->id, 400, "instances: job %s is a daemon job "
		    "(one task per eligible agent)", j->id);
		return;
	}
	if (r->instances < -1 || r->instances > 100000) {
		sa_error(out, r->id, 400, "instances: must be 0..100000");
		return;
	}
	if (r->suspended < -1 || r->suspended > 1) {
		sa_error(out, r->id, 400, "suspended: must be true or false");
		return;
	}
	if (r->instances >= 0) {
		snprintf(key, sizeof key, "job/%s/instances", j->id);
		snprintf(val, sizeof val, "%lld", (long long)r->instances);
		sched_store_kv(out, key, val);
		j->instances_set = 1;
		log_info("sched: job %s: instances %u -> %lld", j->id,
		    j->instances, (long long)r->instances);
		sched_job_set_instances(s, j, (uint32_t)r->instances, out);
	}
	if (r->suspended >= 0) {
		snprintf(key, sizeof key, "job/%s/suspended", j->id);
		sched_store_kv(out, key, r->suspended ? "true" : "false");
		sched_job_suspend(s, j, r->suspended, out);
	}
	sa_reply(out, r->id, 200, sa_job_detail(s, j));
}

static void
sa_metrics(struct sched *s, const struct admin_req *r, struct effects *out)
{
	struct buf b;
	struct effect *e;

	sched_metrics(s);
	buf_init(&b, 0);
	metrics_render(&b);
	e = effects_add(out, EFFECT_REPLY);
	e->u.reply.id = r->id;
	e->u.reply.status = 200;
	e->u.reply.content_type = xstrdup("text/plain; version=0.0.4");
	e->u.reply.body = buf_steal(&b, NULL);
}

/* Sets the per-job counters of j (their families are declared). */
static void
sched_metrics_job(const struct sched_job *j)
{
	char labels[512];

	snprintf(labels, sizeof labels, "job=\"%s\"", j->id);
	metrics_set("ark_tasks_launched_total", labels, (double)j->launched);
	metrics_set("ark_task_restarts_total", labels, (double)j->restarts);
	for (int h = 0; h < 2; h++) {
		snprintf(labels, sizeof labels, "job=\"%s\",health=\"%s\"",
		    j->id, h ? "healthy" : "unhealthy");
		metrics_set("ark_task_health_changes_total", labels,
		    (double)j->health_to[h]);
	}
	for (size_t i = 0; i < j->nfailures; i++) {
		const struct sched_failure *f = &j->failures[i];

		snprintf(labels, sizeof labels,
		    "job=\"%s\",state=\"%s\",reason=\"%s\"", j->id,
		    sched_state_name(f->state), f->reason < 0 ? "none" :
		    codec_enum_name(&mesos__v1__task_status__reason__descriptor,
		    f->reason));
		metrics_set("ark_task_failures_total", labels, (double)f->n);
	}
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
	    "Tasks launched, by job.");
	metrics_declare("ark_task_restarts_total", METRICS_COUNTER,
	    "Slots relaunching their task after it ended, by job.");
	metrics_declare("ark_task_failures_total", METRICS_COUNTER,
	    "Tasks that ended on their own other than TASK_FINISHED, by job, "
	    "final state and reason.");
	metrics_declare("ark_task_health_changes_total", METRICS_COUNTER,
	    "Health check results that changed a task's health, by job and "
	    "the health it changed to.");
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
	metrics_reset("ark_tasks_launched_total");
	metrics_reset("ark_task_restarts_total");
	metrics_reset("ark_task_failures_total");
	metrics_reset("ark_task_health_changes_total");
	for (const struct sched_job *j = s->job_head; j != NULL; j = j->next) {
		sched_metrics_job(j);
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

/* Orders blacklist entries by agent. */
static int
sa_cmp_agent(const void *a, const void *b)
{
	const struct sched_blacklist *const *x = a, *const *y = b;

	return strcmp((*x)->agent, (*y)->agent);
}

json_t *
sched_runtime_json(const struct sched *s)
{
	json_t *bl = json_array(), *jobs = json_object();
	struct sched_blacklist *b, **v;
	size_t i = 0, n = 0;

	v = xcalloc(hash_count(s->blacklist) + 1, sizeof *v);
	while ((b = hash_next(s->blacklist, &i)) != NULL)
		v[n++] = b;
	qsort(v, n, sizeof *v, sa_cmp_agent);
	for (i = 0; i < n; i++)
		json_array_append_new(bl, json_pack("{s:s, s:s}", "agent",
		    v[i]->agent, "reason", v[i]->reason));
	free(v);
	for (const struct sched_job *j = s->job_head; j != NULL; j = j->next) {
		json_t *o;

		if (j->cfg == NULL || j->removed)
			continue;
		o = json_pack("{s:b}", "suspended", j->suspended != 0);
		if (j->instances_set && j->cfg->kind == JOB_SERVICE)
			json_object_set_new(o, "instances",
			    json_integer(j->instances));
		json_object_set_new(jobs, j->id, o);
	}
	return json_pack("{s:o, s:o}", "blacklist", bl, "jobs", jobs);
}

/* Whether a request changes what the scheduler does. */
static int
sa_mutating(enum admin_op op)
{
	switch (op) {
	case ADMIN_PUT_BLACKLIST:
	case ADMIN_DEL_BLACKLIST:
	case ADMIN_RECONCILE:
	case ADMIN_RESTART_JOB:
	case ADMIN_PATCH_JOB:
	case ADMIN_KILL_TASK:
	case ADMIN_TEARDOWN:
		return 1;
	default:
		return 0;
	}
}

void
sched_admin_apply(struct sched *s, const struct admin_req *r,
    struct effects *out)
{
	struct sched_job *j;
	struct sched_task *t;
	const char *why;

	log_debug("sched: admin %s%s%s", admin_op_name(r->op),
	    r->arg != NULL ? " " : "", r->arg != NULL ? r->arg : "");
	if (s->session == SESSION_FOLLOWER && sa_mutating(r->op)) {
		sa_error(out, r->id, 503, "this arkd instance is a follower "
		    "(another instance leads, see ha.zk): send changes to the "
		    "leader");
		return;
	}
	switch (r->op) {
	case ADMIN_GET_STATE:
		sa_state(s, r, out);
		break;
	case ADMIN_GET_JOBS: {
		json_t *arr = json_array();

		for (j = s->job_head; j != NULL; j = j->next)
			if (j->cfg != NULL && !j->removed)
				json_array_append_new(arr, sa_job_summary(j));
		sa_reply(out, r->id, 200, json_pack("{s:o}", "jobs", arr));
		break;
	}
	case ADMIN_GET_JOB:
		j = sa_job(s, r->arg);
		if (j == NULL)
			sa_error(out, r->id, 404, "unknown job %s",
			    r->arg != NULL ? r->arg : "(none)");
		else
			sa_reply(out, r->id, 200, sa_job_detail(s, j));
		break;
	case ADMIN_GET_TASKS:
		sa_tasks(s, r, out);
		break;
	case ADMIN_GET_AGENTS:
		sa_agents_reply(s, r, out);
		break;
	case ADMIN_GET_BLACKLIST:
		sa_blacklist_get(s, r, out);
		break;
	case ADMIN_PUT_BLACKLIST:
		sa_blacklist_put(s, r, out);
		break;
	case ADMIN_DEL_BLACKLIST:
		sa_blacklist_del(s, r, out);
		break;
	case ADMIN_RECONCILE:
		if (!s->subscribed) {
			sa_error(out, r->id, 503, "not subscribed to a master: "
			    "reconciliation runs once subscribed");
			break;
		}
		if (s->rec.phase != RECONCILE_EXPLICIT)
			sched_reconcile_start(s, "operator", out);
		sa_reply(out, r->id, 202, json_pack("{s:o}", "reconciliation",
		    sa_reconciliation(s)));
		break;
	case ADMIN_RESTART_JOB:
		j = sa_job(s, r->arg);
		if (j == NULL) {
			sa_error(out, r->id, 404, "unknown job %s",
			    r->arg != NULL ? r->arg : "(none)");
			break;
		}
		sched_job_roll(s, j, NULL, out);
		sa_reply(out, r->id, 202, json_pack("{s:s, s:s}", "job", j->id,
		    "restart", "rolling"));
		break;
	case ADMIN_PATCH_JOB:
		sa_patch(s, r, out);
		break;
	case ADMIN_KILL_TASK:
		t = r->arg != NULL ? hash_get(s->tasks, r->arg) : NULL;
		if (t == NULL) {
			sa_error(out, r->id, 404, "unknown task %s",
			    r->arg != NULL ? r->arg : "(none)");
			break;
		}
		sched_task_kill(s, t, KILL_ADMIN, out);
		sa_reply(out, r->id, 202, json_pack("{s:s, s:s}", "task", t->id,
		    "kill", "sent"));
		break;
	case ADMIN_READYZ:
		if (sched_ready(s, &why))
			sa_reply(out, r->id, 200, json_pack("{s:b}", "ready", 1));
		else
			sa_reply(out, r->id, 503, json_pack("{s:b, s:s}",
			    "ready", 0, "reason", why));
		break;
	case ADMIN_METRICS:
		sa_metrics(s, r, out);
		break;
	case ADMIN_TEARDOWN:
		if (!s->subscribed || s->fid == NULL) {
			sa_error(out, r->id, 503, "not subscribed to a master: "
			    "cannot tear down");
			break;
		}
		log_warn("sched: TEARDOWN of framework %s requested", s->fid);
		effects_call(out, call_teardown(s->fid), 0);
		sa_reply(out, r->id, 202, json_pack("{s:s, s:s}", "teardown",
		    "sent", "framework_id", s->fid));
		{
			struct effect *e = effects_add(out, EFFECT_EXIT);

			e->u.exit.code = 0;
			e->u.exit.reason = xstrdup("framework torn down");
			s->exited = 1;
		}
		break;
	case ADMIN_RELOAD:
		sa_error(out, r->id, 500, "reload is handled by the "
		    "dispatcher");
		break;
	default:
		sa_error(out, r->id, 404, "unknown request");
		break;
	}
}
