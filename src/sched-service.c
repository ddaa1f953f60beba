/*
 * sched-service — service jobs: the instance slots "0".."N-1", scaling up
 * (new pending slots) and down (slots doomed, their tasks killed, deleted
 * once empty).
 */
#include <stdint.h>
#include <stdio.h>

#include "sched-int.h"

void
sched_job_set_instances(struct sched *s, struct sched_job *j, uint32_t n,
    struct effects *out)
{
	struct sched_slot *sl, *next;

	j->instances = n;
	if (j->cfg == NULL || j->cfg->kind != JOB_SERVICE)
		return;
	for (uint32_t i = 0; i < n; i++) {
		char key[16];

		snprintf(key, sizeof key, "%u", i);
		sl = hash_get(j->slots, key);
		if (sl == NULL) {
			sl = sched_slot_new(s, j, key, NULL);
			sched_slot_set(s, sl, SLOT_PENDING, "new instance");
		} else if (sl->doomed) {
			sl->doomed = 0;
			if (sl->task == NULL && sl->state == SLOT_DONE)
				sched_slot_set(s, sl, SLOT_PENDING, "scaled up");
		}
	}
	for (sl = j->slot_head; sl != NULL; sl = next) {
		long idx = sched_slot_index(sl->key);

		next = sl->next;
		if (idx >= 0 && (uint64_t)idx < n)
			continue;
		sl->doomed = 1;
		sl->roll = 0;
		if (sl->ntasks == 0) {
			sched_slot_delete(s, sl, out);
			continue;
		}
		sched_slot_set(s, sl, sl->task != NULL ? SLOT_ACTIVE : SLOT_DONE,
		    "scaled down");
	}
	/* one pass over the tasks, not one per slot */
	for (struct sched_task *t = j->task_head; t != NULL; t = t->jnext)
		if (t->slot != NULL && t->slot->doomed)
			sched_task_kill(s, t, KILL_SCALE, out);
}
