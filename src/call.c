/*
 * call — scheduler calls and their parts, built field by field with every
 * part in its own malloc block (codec.h's convention). Messages are
 * initialised from their descriptors, so defaults (role "*", shell true)
 * point at protobuf-c's static default values, which codec_free() knows not
 * to free.
 */
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "xmalloc.h"

/* Returns a new message of descriptor d with its defaults set. */
static void *
call_msg(const ProtobufCMessageDescriptor *d)
{
	void *m = xmalloc(d->sizeof_message);

	protobuf_c_message_init(d, m);
	return m;
}

void *
call_dup(const ProtobufCMessage *m)
{
	size_t len = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = xmalloc(len > 0 ? len : 1);
	void *copy;

	protobuf_c_message_pack(m, buf);
	copy = protobuf_c_message_unpack(m->descriptor, NULL, len, buf);
	free(buf);
	if (copy == NULL) {
		/* unpack only fails on allocation: treat it as OOM */
		copy = xcalloc(1, m->descriptor->sizeof_message);
		protobuf_c_message_init(m->descriptor, copy);
	}
	return copy;
}

static Mesos__V1__TaskID *
call_task_id(const char *v)
{
	Mesos__V1__TaskID *id = call_msg(&mesos__v1__task_id__descriptor);

	id->value = xstrdup(v);
	return id;
}

static Mesos__V1__AgentID *
call_agent_id(const char *v)
{
	Mesos__V1__AgentID *id = call_msg(&mesos__v1__agent_id__descriptor);

	id->value = xstrdup(v);
	return id;
}

static Mesos__V1__OfferID *
call_offer_id(const char *v)
{
	Mesos__V1__OfferID *id = call_msg(&mesos__v1__offer_id__descriptor);

	id->value = xstrdup(v);
	return id;
}

/* Copies ids[0..n) into a new OfferID array. */
static Mesos__V1__OfferID **
call_offer_ids(const char *const *ids, size_t n)
{
	Mesos__V1__OfferID **v;

	if (n == 0)
		return NULL;
	v = xcalloc(n, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = call_offer_id(ids[i]);
	return v;
}

static Mesos__V1__Filters *
call_filters(double refuse_seconds)
{
	Mesos__V1__Filters *f = call_msg(&mesos__v1__filters__descriptor);

	f->has_refuse_seconds = 1;
	f->refuse_seconds = refuse_seconds;
	return f;
}

/* Copies n strings into a new array (NULL when n == 0). */
static char **
call_strv(char *const *v, size_t n)
{
	char **out;

	if (n == 0)
		return NULL;
	out = xcalloc(n, sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

Mesos__V1__Scheduler__Call *
call_new(Mesos__V1__Scheduler__Call__Type t, const char *fid)
{
	Mesos__V1__Scheduler__Call *c;

	c = call_msg(&mesos__v1__scheduler__call__descriptor);
	c->has_type = 1;
	c->type = t;
	if (fid != NULL) {
		c->framework_id = call_msg(&mesos__v1__framework_id__descriptor);
		c->framework_id->value = xstrdup(fid);
	}
	return c;
}

Mesos__V1__Scheduler__Call *
call_accept(const char *fid, const char *const *ids, size_t n,
    Mesos__V1__TaskInfo **tasks, size_t ntasks, double refuse_seconds)
{
	Mesos__V1__Scheduler__Call *c;
	Mesos__V1__Scheduler__Call__Accept *a;
	Mesos__V1__Offer__Operation *op;

	c = call_new(MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT, fid);
	a = c->accept = call_msg(&mesos__v1__scheduler__call__accept__descriptor);
	a->n_offer_ids = n;
	a->offer_ids = call_offer_ids(ids, n);
	a->filters = call_filters(refuse_seconds);
	if (ntasks == 0)
		return c;
	op = call_msg(&mesos__v1__offer__operation__descriptor);
	op->has_type = 1;
	op->type = MESOS__V1__OFFER__OPERATION__TYPE__LAUNCH;
	op->launch = call_msg(&mesos__v1__offer__operation__launch__descriptor);
	op->launch->n_task_infos = ntasks;
	op->launch->task_infos = xcalloc(ntasks, sizeof *tasks);
	memcpy(op->launch->task_infos, tasks, ntasks * sizeof *tasks);
	a->n_operations = 1;
	a->operations = xcalloc(1, sizeof *a->operations);
	a->operations[0] = op;
	return c;
}

Mesos__V1__Scheduler__Call *
call_decline(const char *fid, const char *const *ids, size_t n,
    double refuse_seconds)
{
	Mesos__V1__Scheduler__Call *c;
	Mesos__V1__Scheduler__Call__Decline *d;

	c = call_new(MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE, fid);
	d = c->decline = call_msg(&mesos__v1__scheduler__call__decline__descriptor);
	d->n_offer_ids = n;
	d->offer_ids = call_offer_ids(ids, n);
	d->filters = call_filters(refuse_seconds);
	return c;
}

Mesos__V1__Scheduler__Call *
call_accept_inverse_offers(const char *fid, const char *const *ids, size_t n,
    double refuse_seconds)
{
	Mesos__V1__Scheduler__Call *c;
	Mesos__V1__Scheduler__Call__AcceptInverseOffers *a;

	c = call_new(MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT_INVERSE_OFFERS,
	    fid);
	a = c->accept_inverse_offers = call_msg(
	    &mesos__v1__scheduler__call__accept_inverse_offers__descriptor);
	a->n_inverse_offer_ids = n;
	a->inverse_offer_ids = call_offer_ids(ids, n);
	a->filters = call_filters(refuse_seconds);
	return c;
}

Mesos__V1__Scheduler__Call *
call_decline_inverse_offers(const char *fid, const char *const *ids, size_t n,
    double refuse_seconds)
{
	Mesos__V1__Scheduler__Call *c;
	Mesos__V1__Scheduler__Call__DeclineInverseOffers *d;

	c = call_new(MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE_INVERSE_OFFERS,
	    fid);
	d = c->decline_inverse_offers = call_msg(
	    &mesos__v1__scheduler__call__decline_inverse_offers__descriptor);
	d->n_inverse_offer_ids = n;
	d->inverse_offer_ids = call_offer_ids(ids, n);
	d->filters = call_filters(refuse_seconds);
	return c;
}

Mesos__V1__Scheduler__Call *
call_acknowledge(const char *fid, const char *agent_id, const char *task_id,
    const uint8_t *uuid, size_t uuid_len)
{
	Mesos__V1__Scheduler__Call *c;
	Mesos__V1__Scheduler__Call__Acknowledge *a;

	c = call_new(MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE, fid);
	a = c->acknowledge = call_msg(
	    &mesos__v1__scheduler__call__acknowledge__descriptor);
	a->agent_id = call_agent_id(agent_id);
	a->task_id = call_task_id(task_id);
	a->uuid.len = uuid_len;
	a->uuid.data = xmalloc(uuid_len > 0 ? uuid_len : 1);
	if (uuid_len > 0)
		memcpy(a->uuid.data, uuid, uuid_len);
	return c;
}

Mesos__V1__Scheduler__Call *
call_reconcile(const char *fid, const char *const *task_ids,
    const char *const *agent_ids, size_t n)
{
	Mesos__V1__Scheduler__Call *c;
	Mesos__V1__Scheduler__Call__Reconcile *r;

	c = call_new(MESOS__V1__SCHEDULER__CALL__TYPE__RECONCILE, fid);
	r = c->reconcile = call_msg(
	    &mesos__v1__scheduler__call__reconcile__descriptor);
	if (n == 0)
		return c;
	r->n_tasks = n;
	r->tasks = xcalloc(n, sizeof *r->tasks);
	for (size_t i = 0; i < n; i++) {
		Mesos__V1__Scheduler__Call__Reconcile__Task *t;

		t = call_msg(
		    &mesos__v1__scheduler__call__reconcile__task__descriptor);
		t->task_id = call_task_id(task_ids[i]);
		if (agent_ids != NULL && agent_ids[i] != NULL)
			t->agent_id = call_agent_id(agent_ids[i]);
		r->tasks[i] = t;
	}
	return c;
}

/* A KillPolicy with the given grace period. */
static Mesos__V1__KillPolicy *
call_kill_policy(double grace_s)
{
	Mesos__V1__KillPolicy *kp = call_msg(&mesos__v1__kill_policy__descriptor);

	kp->grace_period = call_msg(&mesos__v1__duration_info__descriptor);
	kp->grace_period->nanoseconds = (int64_t)(grace_s * 1e9);
	return kp;
}

Mesos__V1__Scheduler__Call *
call_kill(const char *fid, const char *task_id, const char *agent_id,
    double grace_s)
{
	Mesos__V1__Scheduler__Call *c;
	Mesos__V1__Scheduler__Call__Kill *k;

	c = call_new(MESOS__V1__SCHEDULER__CALL__TYPE__KILL, fid);
	k = c->kill = call_msg(&mesos__v1__scheduler__call__kill__descriptor);
	k->task_id = call_task_id(task_id);
	if (agent_id != NULL)
		k->agent_id = call_agent_id(agent_id);
	if (grace_s > 0)
		k->kill_policy = call_kill_policy(grace_s);
	return c;
}

Mesos__V1__Scheduler__Call *
call_revive(const char *fid, char *const *roles, size_t n)
{
	Mesos__V1__Scheduler__Call *c;

	c = call_new(MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE, fid);
	c->revive = call_msg(&mesos__v1__scheduler__call__revive__descriptor);
	c->revive->n_roles = n;
	c->revive->roles = call_strv(roles, n);
	return c;
}

Mesos__V1__Scheduler__Call *
call_suppress(const char *fid, char *const *roles, size_t n)
{
	Mesos__V1__Scheduler__Call *c;

	c = call_new(MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS, fid);
	c->suppress = call_msg(&mesos__v1__scheduler__call__suppress__descriptor);
	c->suppress->n_roles = n;
	c->suppress->roles = call_strv(roles, n);
	return c;
}

Mesos__V1__Scheduler__Call *
call_update_framework(const char *fid, Mesos__V1__FrameworkInfo *info,
    char *const *suppressed, size_t n,
    Mesos__V1__Scheduler__OfferConstraints *constraints)
{
	Mesos__V1__Scheduler__Call *c;
	Mesos__V1__Scheduler__Call__UpdateFramework *u;

	c = call_new(MESOS__V1__SCHEDULER__CALL__TYPE__UPDATE_FRAMEWORK, fid);
	u = c->update_framework = call_msg(
	    &mesos__v1__scheduler__call__update_framework__descriptor);
	u->framework_info = info;
	u->n_suppressed_roles = n;
	u->suppressed_roles = call_strv(suppressed, n);
	u->offer_constraints = constraints;
	return c;
}

Mesos__V1__Scheduler__Call *
call_teardown(const char *fid)
{
	return call_new(MESOS__V1__SCHEDULER__CALL__TYPE__TEARDOWN, fid);
}

Mesos__V1__Scheduler__Call *
call_shutdown(const char *fid, const char *executor_id, const char *agent_id)
{
	Mesos__V1__Scheduler__Call *c;
	Mesos__V1__Scheduler__Call__Shutdown *s;

	c = call_new(MESOS__V1__SCHEDULER__CALL__TYPE__SHUTDOWN, fid);
	s = c->shutdown = call_msg(
	    &mesos__v1__scheduler__call__shutdown__descriptor);
	s->executor_id = call_msg(&mesos__v1__executor_id__descriptor);
	s->executor_id->value = xstrdup(executor_id);
	s->agent_id = call_agent_id(agent_id);
	return c;
}

/* Labels from key/value pairs; NULL when there are none. */
static Mesos__V1__Labels *
call_labels(const struct config_kv *kv, size_t n)
{
	Mesos__V1__Labels *l;

	if (n == 0)
		return NULL;
	l = call_msg(&mesos__v1__labels__descriptor);
	l->n_labels = n;
	l->labels = xcalloc(n, sizeof *l->labels);
	for (size_t i = 0; i < n; i++) {
		l->labels[i] = call_msg(&mesos__v1__label__descriptor);
		l->labels[i]->key = xstrdup(kv[i].key);
		if (kv[i].value != NULL)
			l->labels[i]->value = xstrdup(kv[i].value);
	}
	return l;
}

Mesos__V1__Scheduler__OfferConstraints *
call_offer_constraints(char *const *roles, size_t nroles,
    const char *const *hostnames, size_t n)
{
	Mesos__V1__Scheduler__OfferConstraints *oc;
	static char *const star[] = { (char *)"*" };

	if (n == 0)
		return NULL;
	if (nroles == 0) {
		roles = star;
		nroles = 1;
	}
	oc = call_msg(&mesos__v1__scheduler__offer_constraints__descriptor);
	oc->n_role_constraints = nroles;
	oc->role_constraints = xcalloc(nroles, sizeof *oc->role_constraints);
	for (size_t r = 0; r < nroles; r++) {
		Mesos__V1__Scheduler__OfferConstraints__RoleConstraintsEntry *e;
		Mesos__V1__Scheduler__OfferConstraints__RoleConstraints *rc;
		Mesos__V1__Scheduler__OfferConstraints__RoleConstraints__Group *g;

		e = call_msg(&mesos__v1__scheduler__offer_constraints__role_constraints_entry__descriptor);
		e->key = xstrdup(roles[r]);
		rc = e->value = call_msg(
		    &mesos__v1__scheduler__offer_constraints__role_constraints__descriptor);
		rc->n_groups = 1;
		rc->groups = xcalloc(1, sizeof *rc->groups);
		g = rc->groups[0] = call_msg(
		    &mesos__v1__scheduler__offer_constraints__role_constraints__group__descriptor);
		g->n_attribute_constraints = n;
		g->attribute_constraints = xcalloc(n,
		    sizeof *g->attribute_constraints);
		for (size_t i = 0; i < n; i++) {
			Mesos__V1__Scheduler__AttributeConstraint *ac;
			Mesos__V1__Scheduler__AttributeConstraint__Selector *s;
			Mesos__V1__Scheduler__AttributeConstraint__Predicate *p;

			ac = call_msg(
			    &mesos__v1__scheduler__attribute_constraint__descriptor);
			s = ac->selector = call_msg(
			    &mesos__v1__scheduler__attribute_constraint__selector__descriptor);
			s->selector_case = MESOS__V1__SCHEDULER__ATTRIBUTE_CONSTRAINT__SELECTOR__SELECTOR_PSEUDOATTRIBUTE_TYPE;
			s->pseudoattribute_type = MESOS__V1__SCHEDULER__ATTRIBUTE_CONSTRAINT__SELECTOR__PSEUDOATTRIBUTE_TYPE__HOSTNAME;
			p = ac->predicate = call_msg(
			    &mesos__v1__scheduler__attribute_constraint__predicate__descriptor);
			p->predicate_case = MESOS__V1__SCHEDULER__ATTRIBUTE_CONSTRAINT__PREDICATE__PREDICATE_TEXT_NOT_EQUALS;
			p->text_not_equals = call_msg(
			    &mesos__v1__scheduler__attribute_constraint__predicate__text_not_equals__descriptor);
			p->text_not_equals->value = xstrdup(hostnames[i]);
			g->attribute_constraints[i] = ac;
		}
		oc->role_constraints[r] = e;
	}
	return oc;
}

/* Appends an environment variable name=value to env. */
static void
call_env_add(Mesos__V1__Environment *env, const char *name, const char *value)
{
	Mesos__V1__Environment__Variable *v;

	v = call_msg(&mesos__v1__environment__variable__descriptor);
	v->name = xstrdup(name);
	v->has_type = 1;
	v->type = MESOS__V1__ENVIRONMENT__VARIABLE__TYPE__VALUE;
	v->value = xstrdup(value);
	env->variables = xreallocarray(env->variables, env->n_variables + 1,
	    sizeof *env->variables);
	env->variables[env->n_variables++] = v;
}

/* PORT_<NAME>: the name upper-cased, anything but [A-Z0-9] as '_'. */
static char *
call_port_var(const char *name)
{
	size_t n = strlen(name);
	char *v = xmalloc(n + 6);

	memcpy(v, "PORT_", 5);
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			c = '_';
		v[5 + i] = c;
	}
	v[5 + n] = '\0';
	return v;
}

/* The CommandInfo of job, with the ports exported in its environment. */
static Mesos__V1__CommandInfo *
call_command(const struct config_job *job, const uint32_t *ports)
{
	Mesos__V1__CommandInfo *ci = call_msg(&mesos__v1__command_info__descriptor);
	Mesos__V1__Environment *env;

	ci->has_shell = 1;
	if (job->shell != NULL) {
		ci->shell = 1;
		ci->value = xstrdup(job->shell);
	} else {
		ci->shell = 0;
		if (job->nargv > 0) {
			ci->value = xstrdup(job->argv[0]);
			ci->n_arguments = job->nargv;
			ci->arguments = call_strv(job->argv, job->nargv);
		}
	}
	if (job->user != NULL)
		ci->user = xstrdup(job->user);
	if (job->nuris > 0) {
		ci->n_uris = job->nuris;
		ci->uris = xcalloc(job->nuris, sizeof *ci->uris);
		for (size_t i = 0; i < job->nuris; i++) {
			ci->uris[i] = call_msg(
			    &mesos__v1__command_info__uri__descriptor);
			ci->uris[i]->value = xstrdup(job->uris[i]);
		}
	}
	if (job->nenv == 0 && job->nports == 0)
		return ci;
	env = ci->environment = call_msg(&mesos__v1__environment__descriptor);
	for (size_t i = 0; i < job->nenv; i++)
		call_env_add(env, job->env[i].key, job->env[i].value != NULL ?
		    job->env[i].value : "");
	for (size_t i = 0; i < job->nports; i++) {
		char num[16], idx[24], *named;

		snprintf(num, sizeof num, "%u", ports[i]);
		snprintf(idx, sizeof idx, "PORT%zu", i);
		named = call_port_var(job->ports[i]);
		call_env_add(env, named, num);
		call_env_add(env, idx, num);
		free(named);
	}
	if (job->nports > 0) {
		char num[16];

		snprintf(num, sizeof num, "%u", ports[0]);
		call_env_add(env, "PORT", num);
	}
	return ci;
}

/* The ContainerInfo of job; NULL for a plain command. */
static Mesos__V1__ContainerInfo *
call_container(const struct config_job *job)
{
	Mesos__V1__ContainerInfo *c;

	if (job->container == CONTAINER_NONE || job->image == NULL)
		return NULL;
	c = call_msg(&mesos__v1__container_info__descriptor);
	if (job->container == CONTAINER_DOCKER) {
		c->type = MESOS__V1__CONTAINER_INFO__TYPE__DOCKER;
		c->docker = call_msg(
		    &mesos__v1__container_info__docker_info__descriptor);
		c->docker->image = xstrdup(job->image);
		c->docker->has_network = 1;
		c->docker->network =
		    MESOS__V1__CONTAINER_INFO__DOCKER_INFO__NETWORK__HOST;
		c->docker->has_force_pull_image = 1;
		c->docker->force_pull_image = job->force_pull != 0;
		return c;
	}
	c->type = MESOS__V1__CONTAINER_INFO__TYPE__MESOS;
	c->mesos = call_msg(&mesos__v1__container_info__mesos_info__descriptor);
	c->mesos->image = call_msg(&mesos__v1__image__descriptor);
	c->mesos->image->type = MESOS__V1__IMAGE__TYPE__DOCKER;
	c->mesos->image->docker = call_msg(&mesos__v1__image__docker__descriptor);
	c->mesos->image->docker->name = xstrdup(job->image);
	c->mesos->image->has_cached = 1;
	c->mesos->image->cached = job->force_pull == 0;
	return c;
}

/* The Mesos-native health check of job; NULL when it has none. */
static Mesos__V1__HealthCheck *
call_health(const struct config_job *job, const uint32_t *ports)
{
	const struct config_health *h = &job->health;
	Mesos__V1__HealthCheck *hc;
	uint32_t port = 0;

	if (!h->enabled || h->type == NULL)
		return NULL;
	if (h->port_index < job->nports)
		port = ports[h->port_index];
	hc = call_msg(&mesos__v1__health_check__descriptor);
	hc->has_type = 1;
	if (strcmp(h->type, "HTTP") == 0) {
		hc->type = MESOS__V1__HEALTH_CHECK__TYPE__HTTP;
		hc->http = call_msg(
		    &mesos__v1__health_check__httpcheck_info__descriptor);
		hc->http->port = port;
		if (h->path != NULL)
			hc->http->path = xstrdup(h->path);
	} else if (strcmp(h->type, "TCP") == 0) {
		hc->type = MESOS__V1__HEALTH_CHECK__TYPE__TCP;
		hc->tcp = call_msg(
		    &mesos__v1__health_check__tcpcheck_info__descriptor);
		hc->tcp->port = port;
	} else {
		hc->type = MESOS__V1__HEALTH_CHECK__TYPE__COMMAND;
		hc->command = call_msg(&mesos__v1__command_info__descriptor);
		hc->command->has_shell = 1;
		hc->command->shell = 1;
		hc->command->value = xstrdup(h->command != NULL ?
		    h->command : "true");
	}
	if (h->delay_s > 0) {
		hc->has_delay_seconds = 1;
		hc->delay_seconds = h->delay_s;
	}
	if (h->interval_s > 0) {
		hc->has_interval_seconds = 1;
		hc->interval_seconds = h->interval_s;
	}
	if (h->timeout_s > 0) {
		hc->has_timeout_seconds = 1;
		hc->timeout_seconds = h->timeout_s;
	}
	if (h->grace_s > 0) {
		hc->has_grace_period_seconds = 1;
		hc->grace_period_seconds = h->grace_s;
	}
	if (h->consecutive_failures > 0) {
		hc->has_consecutive_failures = 1;
		hc->consecutive_failures = h->consecutive_failures;
	}
	return hc;
}

Mesos__V1__TaskInfo *
call_task_info(const struct config_job *job, const char *name,
    const char *task_id, const char *agent_id, Mesos__V1__Resource **res,
    size_t nres, const uint32_t *ports)
{
	Mesos__V1__TaskInfo *ti = call_msg(&mesos__v1__task_info__descriptor);

	ti->name = xstrdup(name);
	ti->task_id = call_task_id(task_id);
	ti->agent_id = call_agent_id(agent_id);
	if (nres > 0) {
		ti->n_resources = nres;
		ti->resources = xcalloc(nres, sizeof *res);
		memcpy(ti->resources, res, nres * sizeof *res);
	}
	ti->command = call_command(job, ports);
	ti->container = call_container(job);
	ti->health_check = call_health(job, ports);
	if (job->kill_grace_s > 0)
		ti->kill_policy = call_kill_policy(job->kill_grace_s);
	ti->labels = call_labels(job->labels, job->nlabels);
	return ti;
}

const char *
call_type_name(int type)
{
	const ProtobufCEnumValue *v;

	v = protobuf_c_enum_descriptor_get_value(
	    &mesos__v1__scheduler__call__type__descriptor, type);
	return v != NULL ? v->name : "?";
}
