/*
 * sched-task — the life of a task in the core: its id (<job>.<slot>.<suffix>),
 * creation and freeing, the ring of finished ids that makes late updates
 * harmless, its one timer (launch check, unreachable grace, kill retry) and
 * kills with their retry. What a status update does to a task, and its end,
 * are sched-update.c: that part needs slots, which need this one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "log.h"
#include "sched-int.h"
#include "xmalloc.h"

struct sched_task *
sched_task_new(struct sched *s, struct sched_job *j, struct sched_slot *sl,
    const char *id, const char *slot_key, const char *agent_id, int state)
{
	struct sched_task *t = xcalloc(1, sizeof *t);

	t->id = xstrdup(id);
	t->job = j;
	t->slot = sl;
	t->slot_key = xstrdup(sl != NULL ? sl->key : slot_key);
	t->agent_id = sched_strdup(agent_id);
	t->state = state;
	t->healthy = -1;
	t->reason = -1;
	t->source = -1;
	heap_node_init(&t->timer.node);
	t->timer.kind = TIMER_TASK;
	reconcile_item_init(&t->rec, t->id, t->agent_id);
	hash_put(s->tasks, t->id, t);
	t->jnext = j->task_head;
	if (j->task_head != NULL)
		j->task_head->jprev = t;
	j->task_head = t;
	j->ntasks++;
	if (sl != NULL)
		sl->ntasks++;
	if (agent_id != NULL)
		sched_agent_link(sched_agent_get(s, agent_id, 1), t);
	return t;
}

/* Frees t and the strings it owns; it must be linked nowhere any more. */
void
sched_task_destroy(struct sched_task *t)
{
	free(t->id);
	free(t->slot_key);
	free(t->agent_id);
	free(t->hostname);
	free(t->offer_id);
	free(t->job_hash);
	free(t->message);
	free(t);
}

/* Unlinks t from everything and frees it. */
void
sched_task_free(struct sched *s, struct sched_task *t)
{
	struct sched_job *j = t->job;

	reconcile_forget(&s->rec, &t->rec);
	heap_cancel(&s->timers, &t->timer.node);
	hash_del(s->tasks, t->id);
	if (t->jprev != NULL)
		t->jprev->jnext = t->jnext;
	else
		j->task_head = t->jnext;
	if (t->jnext != NULL)
		t->jnext->jprev = t->jprev;
	j->ntasks--;
	sched_agent_unlink(t);
	if (t->slot != NULL) {
		t->slot->ntasks--;
		if (t->slot->task == t)
			t->slot->task = NULL;
	}
	sched_task_destroy(t);
}

/* Remembers a finished task id so late updates for it are ignored. */
void
sched_dead_add(struct sched *s, const char *id)
{
	char **at = &s->dead_ring[s->dead_pos];

	if (*at != NULL) {
		hash_del(s->dead, *at);
		free(*at);
	}
	*at = xstrdup(id);
	hash_put(s->dead, *at, *at);
	s->dead_pos = (s->dead_pos + 1) % SCHED_DEAD_MAX;
}

/* Retry interval of a KILL that has not taken effect. */
int64_t
sched_kill_retry_ms(const struct sched_task *t)
{
	double grace = t->job->cfg != NULL ? t->job->cfg->kill_grace_s : 0;

	return sched_ms(30.0 + 2.0 * grace);
}

/* Re-arms t's timer at its earliest deadline (or disarms it). */
void
sched_task_timer(struct sched *s, struct sched_task *t)
{
	int64_t at = INT64_MAX;

	if (t->kill != KILL_NONE && t->kill_at != 0)
		at = t->kill_at + sched_kill_retry_ms(t);
	if (t->unreachable_at != 0 && t->slot != NULL && t->slot->task == t &&
	    t->unreachable_at + sched_ms(s->cfg->unreachable_grace_s) < at)
		at = t->unreachable_at + sched_ms(s->cfg->unreachable_grace_s);
	if (t->launch_check != 0 && t->launch_check < at)
		at = t->launch_check;
	if (at == INT64_MAX)
		heap_cancel(&s->timers, &t->timer.node);
	else
		heap_set(&s->timers, &t->timer.node, at);
}

/* Sends a KILL for t now (or once subscribed again). */
void
sched_task_kill_send(struct sched *s, struct sched_task *t,
    struct effects *out)
{
	double grace = t->job->cfg != NULL ? t->job->cfg->kill_grace_s : 0;

	if (!s->subscribed || s->fid == NULL) {
		/* sent when the subscription is back */
		t->kill_at = 0;
		sched_task_timer(s, t);
		return;
	}
	sched_send(s, out, call_kill(s->fid, t->id, t->agent_id, grace), 0);
	t->kill_at = s->now;
	sched_task_timer(s, t);
}

void
sched_task_kill(struct sched *s, struct sched_task *t, enum sched_kill why,
    struct effects *out)
{
	int sent = t->kill != KILL_NONE && t->kill_at != 0;

	if (t->kill == KILL_NONE || why == KILL_REMOVED || why == KILL_SCALE)
		t->kill = why;
	t->retire = 0;
	if (sent)
		return;	/* on its way; the retry timer covers a lost one */
	log_info_kv(LOG_FIELDS(LOG_F("job", t->job->id), LOG_F("task", t->id),
	    LOG_F("agent", t->agent_id), LOG_F("reason", sched_kill_name(why))),
	    "sched: task %s: kill (%s)", t->id, sched_kill_name(why));
	sched_task_kill_send(s, t, out);
}

/* Appends v in base 36 to out at *n (13 bytes at the most), moving *n. */
static void
sched_base36(char *out, size_t *n, uint64_t v)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	char tmp[16];
	size_t k = 0;

	do {
		tmp[k++] = digits[v % 36];
		v /= 36;
	} while (v > 0);
	while (k > 0)
		out[(*n)++] = tmp[--k];
}

/* A new task id for slot sl: <job>.<slot>.<suffix>. */
char *
sched_task_id(struct sched *s, const struct sched_slot *sl)
{
	char suffix[32], *id;
	size_t n = 0;

	for (;;) {
		n = 0;
		sched_base36(suffix, &n, (uint64_t)s->wall);
		suffix[n++] = '-';
		sched_base36(suffix, &n, ++s->seq);
		suffix[n] = '\0';
		id = xasprintf("%s.%s.%s", sl->job->id, sl->key, suffix);
		if (hash_get(s->tasks, id) == NULL &&
		    hash_get(s->dead, id) == NULL)
			return id;
		free(id);
	}
}

/* Parses <job>.<slot>.<suffix>; returns 0 and copies, or -1. */
int
sched_task_id_parse(const char *id, char **job, char **slot)
{
	const char *a = strchr(id, '.'), *b = strrchr(id, '.');

	if (a == NULL || b == NULL || b <= a + 1 || a == id || b[1] == '\0')
		return -1;
	*job = xstrndup(id, (size_t)(a - id));
	*slot = xstrndup(a + 1, (size_t)(b - a - 1));
	return 0;
}
