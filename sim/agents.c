/*
 * agents — the simulated agents: made from flags (--agents, resources and
 * attributes in Mesos' text syntax) and from a JSON file, added later
 * through the control API, and moved through the states a master sees:
 * active, recovered after a master failover (known from the registry, not
 * reregistered), partitioned (disconnected; its tasks are still known),
 * unreachable (after a timeout: its tasks become TASK_UNREACHABLE or
 * TASK_LOST) and gone (removed by the operator). An agent's status update
 * manager stops forwarding while the agent cannot reach the master and
 * resumes when it reregisters.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "log.h"
#include "xmalloc.h"

/* Frees an attribute list. */
static void
agents_attrs_free(struct sim_attr *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(a[i].name);
		free(a[i].text);
	}
	free(a);
}

/* Appends one attribute (copies name and text). */
static void
agents_attr_add(struct sim_attr **a, size_t *n, const char *name,
    const char *text, double scalar)
{
	*a = xreallocarray(*a, *n + 1, sizeof **a);
	(*a)[*n].name = xstrdup(name);
	(*a)[*n].text = text == NULL ? NULL : xstrdup(text);
	(*a)[*n].scalar = scalar;
	(*n)++;
}

/*
 * Parses Mesos' attribute text "rack:r1;zone:a;level:3" (numbers become
 * SCALAR attributes, the rest TEXT).
 */
int
agents_parse_attrs(const char *text, struct sim_attr **out, size_t *nout,
    char **cause)
{
	char *copy = xstrdup(text), *save = NULL, *item;

	for (item = strtok_r(copy, ";", &save); item != NULL;
	    item = strtok_r(NULL, ";", &save)) {
		char *colon = strchr(item, ':'), *end;
		double v;

		if (colon == NULL || colon == item || colon[1] == '\0') {
			*cause = xasprintf("attribute '%s' is not name:value",
			    item);
			free(copy);
			return -1;
		}
		*colon = '\0';
		errno = 0;
		v = strtod(colon + 1, &end);
		if (errno == 0 && *end == '\0' && isfinite(v))
			agents_attr_add(out, nout, item, NULL, v);
		else
			agents_attr_add(out, nout, item, colon + 1, 0);
	}
	free(copy);
	return 0;
}

/*
 * Registers a new agent with the leading master (hostname, resources and
 * attributes copied) and offers its resources from the next allocation.
 */
struct sim_agent *
agents_add(struct sim *sim, const char *hostname, const struct sim_res *res,
    const struct sim_attr *attrs, size_t nattrs)
{
	struct sim_master *m = sim_leader(sim);
	struct sim_agent *a = xcalloc(1, sizeof *a);
	size_t i;

	if (m == NULL)
		m = &sim->masters[sim->pending_leader];
	a->sim = sim;
	a->id = xasprintf("%s-S%llu", m->id,
	    (unsigned long long)m->next_agent++);
	a->hostname = xstrdup(hostname);
	a->port = 5051;
	a->state = SIM_AGENT_ACTIVE;
	res_copy(&a->total, res);
	res_init(&a->used);
	for (i = 0; i < nattrs; i++)
		agents_attr_add(&a->attrs, &a->nattrs, attrs[i].name,
		    attrs[i].text, attrs[i].scalar);
	a->registered_time = sim_wall();
	ev_timer_init(&a->timer, NULL, 0, 0);
	if (sim->nagents == sim->agentcap) {
		sim->agentcap = sim->agentcap == 0 ? 64 : sim->agentcap * 2;
		sim->agentv = xreallocarray(sim->agentv, sim->agentcap,
		    sizeof *sim->agentv);
	}
	a->index = (uint32_t)sim->nagents;
	sim->agentv[sim->nagents++] = a;
	htab_puts(&sim->agents, a->id, a);
	alloc_queue_agent(sim, a);
	return a;
}

/* Reads one agents-file entry; -1 with *cause. */
static int
agents_file_entry(struct sim *sim, json_t *e, size_t idx, char **cause)
{
	const char *host = json_string_value(json_object_get(e, "hostname"));
	json_t *jr = json_object_get(e, "resources");
	json_t *ja = json_object_get(e, "attributes");
	json_t *jc = json_object_get(e, "count");
	struct sim_attr *attrs = NULL;
	struct sim_res res;
	size_t nattrs = 0, count = 1, i;
	int rc = -1;

	res_init(&res);
	if (!json_is_object(e)) {
		*cause = xasprintf("agents[%zu]: expected an object", idx);
		goto out;
	}
	if (jc != NULL) {
		if (!json_is_integer(jc) || json_integer_value(jc) < 1) {
			*cause = xasprintf("agents[%zu].count: expected a "
			    "positive integer", idx);
			goto out;
		}
		count = (size_t)json_integer_value(jc);
	}
	if (jr == NULL) {
		if (res_parse(&res, sim->cfg.agent_resources, cause) != 0)
			goto out;
	} else if (json_is_string(jr)) {
		if (res_parse(&res, json_string_value(jr), cause) != 0) {
			char *c = *cause;

			*cause = xasprintf("agents[%zu].resources: %s", idx, c);
			free(c);
			goto out;
		}
	} else if (json_is_object(jr)) {
		const char *k;
		json_t *v;

		json_object_foreach(jr, k, v) {
			char *t;
			int r;

			if (json_is_number(v))
				t = xasprintf("%s:%.3f", k, json_number_value(v));
			else if (json_is_string(v))
				t = xasprintf("%s:%s", k, json_string_value(v));
			else
				t = xasprintf("%s:?", k);
			r = res_parse(&res, t, cause);
			free(t);
			if (r != 0) {
				char *c = *cause;

				*cause = xasprintf("agents[%zu].resources.%s: "
				    "%s", idx, k, c);
				free(c);
				goto out;
			}
		}
	} else {
		*cause = xasprintf("agents[%zu].resources: expected a string "
		    "or an object", idx);
		goto out;
	}
	if (json_is_string(ja)) {
		if (agents_parse_attrs(json_string_value(ja), &attrs, &nattrs,
		    cause) != 0)
			goto out;
	} else if (json_is_object(ja)) {
		const char *k;
		json_t *v;

		json_object_foreach(ja, k, v) {
			if (json_is_number(v))
				agents_attr_add(&attrs, &nattrs, k, NULL,
				    json_number_value(v));
			else if (json_is_string(v))
				agents_attr_add(&attrs, &nattrs, k,
				    json_string_value(v), 0);
			else {
				*cause = xasprintf("agents[%zu].attributes.%s:"
				    " expected a string or a number", idx, k);
				goto out;
			}
		}
	} else if (ja != NULL) {
		*cause = xasprintf("agents[%zu].attributes: expected a string "
		    "or an object", idx);
		goto out;
	}
	for (i = 0; i < count; i++) {
		char *h;

		if (host == NULL)
			h = xasprintf("agent-%zu.sim", sim->nagents);
		else if (count > 1)
			h = xasprintf("%s-%zu", host, i);
		else
			h = xstrdup(host);
		agents_add(sim, h, &res, attrs, nattrs);
		free(h);
	}
	rc = 0;
out:
	res_clear(&res);
	agents_attrs_free(attrs, nattrs);
	return rc;
}

/* Loads --agents-file: {"agents": [{hostname, count, resources, ...}]}. */
static int
agents_load_file(struct sim *sim, const char *path, char **cause)
{
	json_error_t jerr;
	json_t *root, *list, *e;
	size_t i;
	int rc = -1;

	root = json_load_file(path, 0, &jerr);
	if (root == NULL) {
		*cause = xasprintf("%s:%d:%d: %s", path, jerr.line,
		    jerr.column, jerr.text);
		return -1;
	}
	list = json_is_array(root) ? root : json_object_get(root, "agents");
	if (!json_is_array(list)) {
		*cause = xasprintf("%s: expected {\"agents\": [...]}", path);
		goto out;
	}
	json_array_foreach(list, i, e) {
		if (agents_file_entry(sim, e, i, cause) != 0) {
			char *c = *cause;

			*cause = xasprintf("%s: %s", path, c);
			free(c);
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* Makes the agents the flags and the agents file describe. */
int
agents_create(struct sim *sim, char **cause)
{
	struct sim_attr *attrs = NULL;
	struct sim_res res;
	size_t nattrs = 0;
	int i, rc = -1;

	res_init(&res);
	if (res_parse(&res, sim->cfg.agent_resources, cause) != 0)
		goto out;
	if (sim->cfg.agent_attributes != NULL &&
	    agents_parse_attrs(sim->cfg.agent_attributes, &attrs, &nattrs,
	    cause) != 0)
		goto out;
	for (i = 0; i < sim->cfg.agents; i++) {
		char host[64];

		snprintf(host, sizeof host, "agent-%d.sim", i);
		agents_add(sim, host, &res, attrs, nattrs);
	}
	if (sim->cfg.agents_file != NULL &&
	    agents_load_file(sim, sim->cfg.agents_file, cause) != 0)
		goto out;
	rc = 0;
out:
	res_clear(&res);
	agents_attrs_free(attrs, nattrs);
	return rc;
}

/* Finds an agent by id (any state). */
struct sim_agent *
agents_find(struct sim *sim, const char *id)
{
	return htab_gets(&sim->agents, id);
}

/* Finds an agent by hostname (a scan: control API only). */
struct sim_agent *
agents_find_host(struct sim *sim, const char *hostname)
{
	size_t i;

	for (i = 0; i < sim->nagents; i++) {
		if (strcmp(sim->agentv[i]->hostname, hostname) == 0)
			return sim->agentv[i];
	}
	return NULL;
}

/* 1 if the agent can talk to the leading master (updates flow). */
int
agents_reachable(const struct sim_agent *a)
{
	return a->state == SIM_AGENT_ACTIVE && a->sim->leader >= 0;
}

/* 1 if the leading master knows the agent's tasks. */
int
agents_known(const struct sim_agent *a)
{
	return a->state == SIM_AGENT_ACTIVE ||
	    a->state == SIM_AGENT_PARTITIONED;
}

/* The partition outlasted the timeout: the master marks it unreachable. */
static void
agents_unreachable_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sim_agent *a = w->data;

	if (a->state != SIM_AGENT_PARTITIONED)
		return;
	log_info("agents: %s (%s) is unreachable", a->id, a->hostname);
	a->state = SIM_AGENT_UNREACHABLE;
	a->unreachable_time = sim_wall();
	task_agent_unreachable(a->sim, a);
}

/*
 * Cuts the agent off the master: its offer is rescinded, its updates stop,
 * and after timeout seconds (< 0: --agent-unreachable-timeout) the master
 * marks it unreachable.
 */
void
agents_partition(struct sim *sim, struct sim_agent *a, double timeout)
{
	if (a->state == SIM_AGENT_GONE || a->state == SIM_AGENT_UNREACHABLE ||
	    a->state == SIM_AGENT_PARTITIONED)
		return;
	if (timeout < 0)
		timeout = sim->cfg.unreachable_timeout;
	log_info("agents: %s (%s) partitioned; unreachable in %.3fs", a->id,
	    a->hostname, timeout);
	a->state = SIM_AGENT_PARTITIONED;
	if (a->offer != NULL)
		alloc_remove_offer(sim, a->offer, 1);
	alloc_remove_inverses(sim, a, NULL);
	ev_timer_stop(sim->loop, &a->timer);
	ev_timer_init(&a->timer, agents_unreachable_cb, timeout, 0);
	a->timer.data = a;
	ev_timer_start(sim->loop, &a->timer);
}

/* Reconnects the agent: it reregisters and its updates flow again. */
void
agents_heal(struct sim *sim, struct sim_agent *a)
{
	struct sim_task *t;

	if (a->state == SIM_AGENT_GONE || a->state == SIM_AGENT_ACTIVE)
		return;
	log_info("agents: %s (%s) reregistered (was %s)", a->id, a->hostname,
	    sim_agent_state_name(a->state));
	ev_timer_stop(sim->loop, &a->timer);
	if (a->state == SIM_AGENT_RECOVERED)
		sim->nrecovered--;
	a->state = SIM_AGENT_ACTIVE;
	a->reregistered_time = sim_wall();
	a->unreachable_time = 0;
	for (t = a->tasks; t != NULL; t = t->anext) {
		t->unreachable_time = 0;
		t->fw->known = t->fw->state != SIM_FW_REMOVED;
	}
	task_resume_agent(sim, a);
	alloc_queue_agent(sim, a);
	if (a->maintenance)
		alloc_maintenance(sim, a);
}

/* The operator marks the agent gone: its tasks are gone with it. */
void
agents_remove(struct sim *sim, struct sim_agent *a)
{
	if (a->state == SIM_AGENT_GONE)
		return;
	log_info("agents: %s (%s) removed", a->id, a->hostname);
	ev_timer_stop(sim->loop, &a->timer);
	if (a->offer != NULL)
		alloc_remove_offer(sim, a->offer, 1);
	alloc_remove_inverses(sim, a, NULL);
	a->state = SIM_AGENT_GONE;
	task_agent_lost(sim, a, 1);
}

/* A new leader knows the connected agents only from its registry. */
void
agents_failover(struct sim *sim)
{
	size_t i;

	for (i = 0; i < sim->nagents; i++) {
		struct sim_agent *a = sim->agentv[i];

		if (a->state == SIM_AGENT_ACTIVE) {
			a->state = SIM_AGENT_RECOVERED;
			sim->nrecovered++;
		}
	}
}

/* Every recovered agent reregisters with the leader. */
void
agents_reregister_all(struct sim *sim)
{
	size_t i, n = 0;

	for (i = 0; i < sim->nagents; i++) {
		if (sim->agentv[i]->state == SIM_AGENT_RECOVERED) {
			agents_heal(sim, sim->agentv[i]);
			n++;
		}
	}
	log_info("agents: %zu agents reregistered", n);
}

/* Frees every agent (at exit). */
void
agents_free_all(struct sim *sim)
{
	size_t i;

	for (i = 0; i < sim->nagents; i++) {
		struct sim_agent *a = sim->agentv[i];
		struct sim_inverse *io;

		while ((io = a->inverses) != NULL) {
			a->inverses = io->next;
			free(io->id);
			free(io);
		}
		ev_timer_stop(sim->loop, &a->timer);
		free(a->id);
		free(a->hostname);
		res_clear(&a->total);
		res_clear(&a->used);
		agents_attrs_free(a->attrs, a->nattrs);
		free(a);
	}
	free(sim->agentv);
	sim->agentv = NULL;
	sim->nagents = 0;
	htab_clear(&sim->agents);
}

/* One attribute message with its value, in one allocation. */
struct agents_attr_pb {
	Mesos__V1__Attribute	 a;
	Mesos__V1__Value__Scalar s;
	Mesos__V1__Value__Text	 t;
};

/*
 * Builds the agent's attributes as messages (names point into the agent).
 * The caller frees the result with agents_attrs_pb_free(v, a->nattrs).
 */
Mesos__V1__Attribute **
agents_attrs_pb(const struct sim_agent *a)
{
	Mesos__V1__Attribute **v;
	size_t i;

	if (a->nattrs == 0)
		return NULL;
	v = xcalloc(a->nattrs, sizeof *v);
	for (i = 0; i < a->nattrs; i++) {
		struct agents_attr_pb *p = xcalloc(1, sizeof *p);

		mesos__v1__attribute__init(&p->a);
		p->a.name = a->attrs[i].name;
		if (a->attrs[i].text != NULL) {
			mesos__v1__value__text__init(&p->t);
			p->t.value = a->attrs[i].text;
			p->a.type = MESOS__V1__VALUE__TYPE__TEXT;
			p->a.text = &p->t;
		} else {
			mesos__v1__value__scalar__init(&p->s);
			p->s.value = a->attrs[i].scalar;
			p->a.type = MESOS__V1__VALUE__TYPE__SCALAR;
			p->a.scalar = &p->s;
		}
		v[i] = &p->a;
	}
	return v;
}

/* Frees what agents_attrs_pb built. */
void
agents_attrs_pb_free(Mesos__V1__Attribute **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);	/* the attribute is first in its block */
	free(v);
}

/* Describes the agent for /state. */
json_t *
agents_json(const struct sim_agent *a)
{
	json_t *attrs = json_object(), *o;
	struct sim_res avail;
	size_t i;

	for (i = 0; i < a->nattrs; i++)
		json_object_set_new(attrs, a->attrs[i].name,
		    a->attrs[i].text != NULL ? json_string(a->attrs[i].text) :
		    json_real(a->attrs[i].scalar));
	res_init(&avail);
	res_copy(&avail, &a->total);
	res_sub(&avail, &a->used);
	o = json_pack("{s:s,s:s,s:i,s:s,s:b,s:o,s:o,s:o,s:o,s:I,s:f,s:f}",
	    "id", a->id, "hostname", a->hostname, "port", a->port,
	    "state", sim_agent_state_name(a->state),
	    "active", a->state == SIM_AGENT_ACTIVE,
	    "resources", res_to_json(&a->total),
	    "used_resources", res_to_json(&a->used),
	    "unreserved_resources", res_to_json(&avail),
	    "attributes", attrs, "tasks", (json_int_t)a->ntasks,
	    "registered_time", a->registered_time,
	    "reregistered_time", a->reregistered_time);
	res_clear(&avail);
	if (a->offer != NULL)
		json_object_set_new(o, "offer_id", json_string(a->offer->id));
	if (a->unreachable_time > 0)
		json_object_set_new(o, "unreachable_time",
		    json_real(a->unreachable_time));
	if (a->maintenance)
		json_object_set_new(o, "maintenance", json_pack("{s:f,s:f}",
		    "start", a->maint_start, "duration", a->maint_duration));
	return o;
}
