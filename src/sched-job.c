/*
 * sched-job — jobs: creation from the configuration, placeholders for tasks
 * of jobs the configuration no longer has, the per-OFFERS-event counts of
 * UNIQUE/MAX_PER constraints, suspension, removal, and freeing once a
 * removed job has no task and no slot left.
 */
#include <stddef.h>
#include <stdlib.h>

#include "log.h"
#include "sched-int.h"
#include "xmalloc.h"

/* Puts j (owned by s from now on) last in the job list and in the index. */
static void
sched_job_append(struct sched *s, struct sched_job *j)
{
	if (s->job_tail != NULL)
		s->job_tail->next = j;
	else
		s->job_head = j;
	s->job_tail = j;
	hash_put(s->jobs, j->id, j);
}

struct sched_job *
sched_job_new(struct sched *s, const struct config_job *cfg)
{
	struct sched_job *j = xcalloc(1, sizeof *j);

	j->id = xstrdup(cfg->id);
	j->cfg = cfg;
	j->slots = hash_create(cfg->kind == JOB_SERVICE ? cfg->instances : 64);
	sched_job_counts_reset(j, cfg->nconstraints);
	sched_job_append(s, j);
	return j;
}

/* A placeholder for tasks of a job the configuration no longer has. */
struct sched_job *
sched_job_orphan(struct sched *s, const char *id)
{
	struct sched_job *j = xcalloc(1, sizeof *j);

	j->id = xstrdup(id);
	j->removed = 1;
	j->slots = hash_create(16);
	sched_job_append(s, j);
	return j;
}

/* Drops the per-event constraint counts of j. */
void
sched_job_counts_clear(struct sched_job *j)
{
	if (j->counts == NULL)
		return;
	for (size_t i = 0; i < j->ncounts; i++) {
		struct sched_count *c;
		size_t it = 0;

		if (j->counts[i] == NULL)
			continue;
		while ((c = hash_next(j->counts[i], &it)) != NULL) {
			free(c->value);
			free(c);
		}
		hash_free(j->counts[i]);
		j->counts[i] = NULL;
	}
}

/* Frees j's counts and sizes them for n constraints (none when 0). */
void
sched_job_counts_reset(struct sched_job *j, size_t n)
{
	sched_job_counts_clear(j);
	free(j->counts);
	j->counts = n > 0 ? xcalloc(n, sizeof *j->counts) : NULL;
	j->ncounts = n;
	j->counts_gen = 0;
}

void
sched_job_free(struct sched_job *j)
{
	sched_job_counts_reset(j, 0);
	hash_free(j->slots);
	free(j->failures);
	free(j->id);
	free(j);
}

void
sched_job_maybe_free(struct sched *s, struct sched_job *j)
{
	struct sched_job **pp;

	if (!j->removed || j->ntasks > 0 || j->nslots > 0)
		return;
	for (pp = &s->job_head; *pp != NULL; pp = &(*pp)->next)
		if (*pp == j)
			break;
	if (*pp == NULL)
		return;
	*pp = j->next;
	if (s->job_tail == j) {
		s->job_tail = NULL;
		for (struct sched_job *x = s->job_head; x != NULL; x = x->next)
			s->job_tail = x;
	}
	if (hash_get(s->jobs, j->id) == j)
		hash_del(s->jobs, j->id);
	log_info("sched: job %s: removed", j->id);
	sched_job_free(j);
}

void
sched_job_suspend(struct sched *s, struct sched_job *j, int on,
    struct effects *out)
{
	if (j->suspended == on)
		return;
	j->suspended = on;
	log_info("sched: job %s: %s", j->id, on ? "suspended" : "resumed");
	if (!on) {
		s->revive_wanted = 1;
		return;
	}
	for (struct sched_task *t = j->task_head; t != NULL; t = t->jnext)
		sched_task_kill(s, t, KILL_SUSPEND, out);
}

void
sched_job_remove(struct sched *s, struct sched_job *j, struct effects *out)
{
	struct sched_slot *sl, *next;

	j->removed = 1;
	j->rolling = 0;
	j->roll_slot = NULL;
	for (sl = j->slot_head; sl != NULL; sl = next) {
		next = sl->next;
		sl->doomed = 1;
		if (sl->ntasks == 0)
			sched_slot_delete(s, sl, out);
		else
			sched_slot_set(s, sl, sl->task != NULL ? SLOT_ACTIVE :
			    SLOT_DONE, "job removed");
	}
	for (struct sched_task *t = j->task_head; t != NULL; t = t->jnext)
		sched_task_kill(s, t, KILL_REMOVED, out);
	sched_job_maybe_free(s, j);
}
