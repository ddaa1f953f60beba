/*
 * sched-reload — applying a new configuration to the running core. Jobs are
 * matched by id: a new job starts launching, a job that left is killed and
 * forgotten once its tasks are gone, a job whose hash changed rolls its tasks
 * one slot at a time (unless only its instance count changed, which scales
 * without restarting anything), and untouched jobs keep their tasks. The
 * FrameworkInfo fields that Mesos lets UPDATE_FRAMEWORK change (name, roles,
 * capabilities, labels, hostname, webui_url, failover_timeout) go out in one
 * UPDATE_FRAMEWORK; user, principal and checkpoint cannot change and a change
 * to them is only logged. A runtime instance count set through the admin API
 * survives a reload unless the file's own count for that job changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "reconcile.h"
#include "sched-config.h"
#include "sched-int.h"
#include "xmalloc.h"

static int
sr_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
sr_strv_eq(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (!sr_streq(a[i], b[i]))
			return 0;
	return 1;
}

static int
sr_kv_eq(const struct config_kv *a, size_t na, const struct config_kv *b,
    size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (!sr_streq(a[i].key, b[i].key) ||
		    !sr_streq(a[i].value, b[i].value))
			return 0;
	return 1;
}

/* Whether any job of c asks for GPUs (a framework capability). */
static int
sr_gpus(const struct config *c)
{
	for (size_t i = 0; i < c->njobs; i++)
		if (c->jobs[i].gpus > 0)
			return 1;
	return 0;
}

/* Whether the FrameworkInfo that UPDATE_FRAMEWORK may change differs. */
static int
sr_framework_changed(const struct config *a, const struct config *b)
{
	if (!sr_streq(a->user, b->user) || !sr_streq(a->principal,
	    b->principal) || (a->checkpoint != 0) != (b->checkpoint != 0))
		log_warn("reload: framework user, principal and checkpoint "
		    "cannot change while the framework lives; kept as they "
		    "were subscribed");
	return !sr_streq(a->framework_name, b->framework_name) ||
	    !sr_strv_eq(a->roles, a->nroles, b->roles, b->nroles) ||
	    !sr_streq(a->hostname, b->hostname) ||
	    !sr_streq(a->webui_url, b->webui_url) ||
	    a->failover_timeout_s != b->failover_timeout_s ||
	    (a->partition_aware != 0) != (b->partition_aware != 0) ||
	    sr_gpus(a) != sr_gpus(b) ||
	    !sr_kv_eq(a->framework_labels, a->nframework_labels,
	    b->framework_labels, b->nframework_labels);
}

/*
 * Whether the tasks of job o would differ from those of n: the job JSON
 * compared without "instances" (or the hashes when there is no JSON).
 */
static int
sr_tasks_differ(const struct config_job *o, const struct config_job *n)
{
	json_t *a, *b;
	int differ;

	if (strcmp(o->hash, n->hash) == 0)
		return 0;
	if (o->json == NULL || n->json == NULL || !json_is_object(o->json) ||
	    !json_is_object(n->json))
		return 1;
	a = json_deep_copy(o->json);
	b = json_deep_copy(n->json);
	json_object_del(a, "instances");
	json_object_del(b, "instances");
	differ = !json_equal(a, b);
	json_decref(a);
	json_decref(b);
	return differ;
}

/* Points job j at its new configuration n (same id). */
static void
sr_job_update(struct sched *s, struct sched_job *j,
    const struct config_job *n, struct effects *out)
{
	const struct config_job *o = j->cfg;
	int roll;

	roll = sr_tasks_differ(o, n);
	/* counts are sized by the constraints: rebuild them */
	sched_job_counts_reset(j, n->nconstraints);
	j->cfg = n;
	if (n->kind == JOB_SERVICE && o->instances != n->instances)
		log_info("reload: job %s: instances %u -> %u%s", j->id,
		    o->instances, n->instances, j->instances_set ?
		    " (replacing the runtime count)" : "");
	if (n->kind == JOB_SERVICE) {
		uint32_t want = n->instances;

		if (j->instances_set && o->instances == n->instances)
			want = j->instances;
		else if (j->instances_set) {
			char key[256];

			snprintf(key, sizeof key, "job/%s/instances", j->id);
			sched_store_kv(out, key, NULL);
			j->instances_set = 0;
		}
		if (want != j->instances)
			sched_job_set_instances(s, j, want, out);
	}
	if (strcmp(o->hash, n->hash) == 0)
		return;
	log_info("reload: job %s changed%s", j->id, roll ? ": rolling" :
	    " (no task changes)");
	if (roll) {
		sched_job_roll(s, j, n->hash, out);
		return;
	}
	/* same tasks: they now carry the new hash */
	for (struct sched_task *t = j->task_head; t != NULL; t = t->jnext) {
		if (t->job_hash != NULL && strcmp(t->job_hash, o->hash) != 0)
			continue;
		free(t->job_hash);
		t->job_hash = xstrdup(n->hash);
		{
			struct effect *e = effects_add(out, EFFECT_STORE);
			struct store_task *r = &e->u.store.u.task;

			e->u.store.type = STORE_TASK_PUT;
			r->task_id = xstrdup(t->id);
			r->job = xstrdup(j->id);
			r->slot = xstrdup(t->slot_key);
			r->agent_id = t->agent_id ? xstrdup(t->agent_id) : NULL;
			r->hostname = t->hostname ? xstrdup(t->hostname) : NULL;
			r->offer_id = t->offer_id ? xstrdup(t->offer_id) : NULL;
			r->state = t->state;
			r->job_hash = xstrdup(t->job_hash);
			r->launched_at = t->launched_at;
			r->updated_at = t->updated_at;
		}
	}
}

void
sched_reload_apply(struct sched *s, struct config *in, struct effects *out)
{
	struct config *old = s->cfg, *nc = sched_config_copy(in);
	int fw = sr_framework_changed(old, nc);
	size_t added = 0, removed = 0;

	for (struct sched_job *j = s->job_head, *next; j != NULL; j = next) {
		const struct config_job *n;

		next = j->next;
		if (j->cfg == NULL || j->removed)
			continue;
		n = NULL;
		for (size_t i = 0; i < nc->njobs; i++)
			if (strcmp(nc->jobs[i].id, j->id) == 0)
				n = &nc->jobs[i];
		if (n != NULL && n->kind == j->cfg->kind) {
			sr_job_update(s, j, n, out);
			continue;
		}
		/* gone, or of another kind: the old one leaves */
		log_info("reload: job %s %s", j->id, n == NULL ? "removed" :
		    "changed kind: replacing it");
		if (n != NULL)
			hash_del(s->jobs, j->id);
		j->cfg = NULL;
		sched_job_remove(s, j, out);
		removed++;
	}
	for (size_t i = 0; i < nc->njobs; i++) {
		struct sched_job *j = hash_get(s->jobs, nc->jobs[i].id);

		if (j != NULL && j->cfg != NULL)
			continue;
		if (j != NULL)
			/* a removed job of the same id still draining */
			hash_del(s->jobs, j->id);
		j = sched_job_new(s, &nc->jobs[i]);
		log_info("reload: job %s added", j->id);
		if (j->cfg->kind == JOB_SERVICE)
			sched_job_set_instances(s, j, j->cfg->instances, out);
		added++;
	}
	s->cfg = nc;
	sched_config_free(old);
	reconcile_configure(&s->rec, nc);
	sched_daemon_sync_all(s, out);
	s->revive_wanted = 1;
	if (fw)
		sched_framework_update(s, 1, out);
	log_info("reload: configuration %s applied (%zu job(s) added, %zu "
	    "removed)", nc->version, added, removed);
}
