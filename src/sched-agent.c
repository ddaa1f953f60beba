/*
 * sched-agent — the agents the core knows: the table (created on first
 * mention), the value of a constraint field on an agent, whether an agent
 * may take a task of a job (blacklist, drain or maintenance, reachability,
 * constraints), and the list of tasks on each agent. What the master tells
 * about agents (offers, GET_AGENTS, inverse offers) is applied in
 * sched-daemon.c.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "offers.h"
#include "sched-int.h"
#include "xmalloc.h"

struct sched_agent *
sched_agent_get(struct sched *s, const char *id, int create)
{
	struct sched_agent *a = hash_get(s->agents, id);

	if (a != NULL || !create)
		return a;
	a = xcalloc(1, sizeof *a);
	a->id = xstrdup(id);
	a->active = 1;
	hash_put(s->agents, a->id, a);
	return a;
}

void
sched_agent_free(struct sched_agent *a)
{
	for (size_t i = 0; i < a->nattrs; i++) {
		free(a->attrs[i].key);
		free(a->attrs[i].value);
	}
	free(a->attrs);
	free(a->hostname);
	free(a->id);
	free(a);
}

/* The value of constraint field f on agent a: "hostname" or an attribute. */
const char *
sched_agent_field(const struct sched_agent *a, const char *f)
{
	if (f == NULL)
		return NULL;
	if (strcmp(f, "hostname") == 0)
		return a->hostname;
	for (size_t i = 0; i < a->nattrs; i++)
		if (strcmp(a->attrs[i].key, f) == 0)
			return a->attrs[i].value;
	return NULL;
}

/* Whether a is draining or its maintenance starts soon. */
int
sched_agent_draining(const struct sched *s, const struct sched_agent *a)
{
	if (a->drain_info || a->inverse)
		return 1;
	return a->unavailable_at != 0 &&
	    a->unavailable_at - s->wall < SCHED_UNAVAILABLE_HORIZON_MS &&
	    s->wall < a->unavailable_until;
}

const struct sched_blacklist *
sched_blacklisted(const struct sched *s, const struct sched_agent *a)
{
	const struct sched_blacklist *b;

	if (hash_count(s->blacklist) == 0)
		return NULL;
	b = hash_get(s->blacklist, a->id);
	if (b == NULL && a->hostname != NULL)
		b = hash_get(s->blacklist, a->hostname);
	return b;
}

/* Whether the non-counting constraints of job hold on a. */
int
sched_constraints_ok(const struct config_job *j, const struct sched_agent *a)
{
	for (size_t i = 0; i < j->nconstraints; i++) {
		const struct config_constraint *c = &j->constraints[i];

		if (!offers_constraint_ok(c, sched_agent_field(a, c->field)))
			return 0;
	}
	return 1;
}

int
sched_eligible(const struct sched *s, const struct sched_job *job,
    const struct sched_agent *a, const char **why)
{
	const char *w = NULL;

	if (sched_blacklisted(s, a) != NULL)
		w = "blacklisted";
	else if (sched_agent_draining(s, a))
		w = "draining";
	else if (!a->active)
		w = "unreachable";
	else if (job->cfg != NULL && !sched_constraints_ok(job->cfg, a))
		w = "constraint";
	if (why != NULL)
		*why = w;
	return w == NULL;
}

/* Links task t into agent a's list. */
void
sched_agent_link(struct sched_agent *a, struct sched_task *t)
{
	t->agent = a;
	t->aprev = NULL;
	t->anext = a->tasks;
	if (a->tasks != NULL)
		a->tasks->aprev = t;
	a->tasks = t;
	a->ntasks++;
}

void
sched_agent_unlink(struct sched_task *t)
{
	struct sched_agent *a = t->agent;

	if (a == NULL)
		return;
	if (t->aprev != NULL)
		t->aprev->anext = t->anext;
	else
		a->tasks = t->anext;
	if (t->anext != NULL)
		t->anext->aprev = t->aprev;
	t->anext = t->aprev = NULL;
	t->agent = NULL;
	a->ntasks--;
}
