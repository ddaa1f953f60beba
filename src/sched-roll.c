/*
 * sched-roll — a job's rolling replace: each marked slot's task is killed
 * and the next one waits until its replacement runs (a restart from the
 * admin API, or a changed job after a reload).
 */
#include <stddef.h>
#include <string.h>

#include "log.h"
#include "sched-int.h"

void
sched_job_roll(struct sched *s, struct sched_job *j, const char *hash,
    struct effects *out)
{
	size_t n = 0;

	for (struct sched_slot *sl = j->slot_head; sl != NULL; sl = sl->next) {
		if (sl->task == NULL || sl->doomed)
			continue;
		if (hash != NULL && sl->task->job_hash != NULL &&
		    strcmp(sl->task->job_hash, hash) == 0)
			continue;
		sl->roll = 1;
		n++;
	}
	log_info("sched: job %s: rolling replace of %zu task(s)", j->id, n);
	j->rolling = 1;
	if (j->roll_slot == NULL)
		sched_roll_step(s, j, out);
}

/* Moves a rolling replace on: waits for the slot in hand, then the next. */
void
sched_roll_step(struct sched *s, struct sched_job *j, struct effects *out)
{
	if (!j->rolling)
		return;
	if (j->roll_slot != NULL) {
		struct sched_slot *sl = j->roll_slot;

		if (sl->task == NULL ||
		    sl->task->state != MESOS__V1__TASK_STATE__TASK_RUNNING ||
		    sl->task->kill != KILL_NONE)
			return;
		j->roll_slot = NULL;
	}
	for (struct sched_slot *sl = j->slot_head; sl != NULL; sl = sl->next) {
		if (!sl->roll)
			continue;
		sl->roll = 0;
		if (sl->task == NULL || sl->doomed)
			continue;
		j->roll_slot = sl;
		log_info("sched: job %s: replacing slot %s", j->id, sl->key);
		sched_task_kill(s, sl->task, KILL_ROLL, out);
		return;
	}
	j->rolling = 0;
	log_info("sched: job %s: rolling replace done", j->id);
}
