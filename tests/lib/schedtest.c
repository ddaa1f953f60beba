/*
 * schedtest — helpers for the core's unit tests (see schedtest.h). Every
 * message part is its own malloc block so codec_free() releases it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched-int.h"
#include "schedtest.h"
#include "xmalloc.h"

struct config *
st_config(const char *jobs, const char *extra)
{
	char *text, *cause = NULL;
	struct config *cfg;

	if (extra == NULL)
		extra = "";
	text = xasprintf("{\"master\": {\"masters\": [\"http://127.0.0.1:5050\"]},"
	    "%s\"state_dir\": \"/tmp/ark-test-unused\", %s"
	    "\"jobs\": %s}", strstr(extra, "\"framework\"") != NULL ? "" :
	    "\"framework\": {\"name\": \"ark\", \"user\": \"nobody\","
	    " \"roles\": [\"*\"], \"partition_aware\": true},",
	    extra, jobs);
	cfg = config_parse(text, "test.json", &cause);
	if (cfg == NULL) {
		fprintf(stderr, "st_config: %s\n%s\n", cause, text);
		abort();
	}
	free(text);
	return cfg;
}

static void *
st_msg(const ProtobufCMessageDescriptor *d)
{
	void *m = xmalloc(d->sizeof_message);

	protobuf_c_message_init(d, m);
	return m;
}

static Mesos__V1__Resource *
st_scalar(const char *name, double v)
{
	Mesos__V1__Resource *r = st_msg(&mesos__v1__resource__descriptor);

	r->name = xstrdup(name);
	r->type = MESOS__V1__VALUE__TYPE__SCALAR;
	r->scalar = st_msg(&mesos__v1__value__scalar__descriptor);
	r->scalar->value = v;
	return r;
}

static void
st_offer_add(Mesos__V1__Offer *o, Mesos__V1__Resource *r)
{
	o->resources = xreallocarray(o->resources, o->n_resources + 1,
	    sizeof *o->resources);
	o->resources[o->n_resources++] = r;
}

Mesos__V1__Offer *
st_offer(const char *id, const char *agent, const char *host, double cpus,
    double mem, uint64_t port_lo, uint64_t port_hi)
{
	Mesos__V1__Offer *o = st_msg(&mesos__v1__offer__descriptor);

	o->id = st_msg(&mesos__v1__offer_id__descriptor);
	o->id->value = xstrdup(id);
	o->framework_id = st_msg(&mesos__v1__framework_id__descriptor);
	o->framework_id->value = xstrdup("fw-1");
	o->agent_id = st_msg(&mesos__v1__agent_id__descriptor);
	o->agent_id->value = xstrdup(agent);
	o->hostname = xstrdup(host);
	st_offer_add(o, st_scalar("cpus", cpus));
	st_offer_add(o, st_scalar("mem", mem));
	st_offer_add(o, st_scalar("disk", 10000));
	if (port_hi >= port_lo && port_lo > 0) {
		Mesos__V1__Resource *r = st_msg(&mesos__v1__resource__descriptor);

		r->name = xstrdup("ports");
		r->type = MESOS__V1__VALUE__TYPE__RANGES;
		r->ranges = st_msg(&mesos__v1__value__ranges__descriptor);
		r->ranges->n_range = 1;
		r->ranges->range = xcalloc(1, sizeof *r->ranges->range);
		r->ranges->range[0] = st_msg(&mesos__v1__value__range__descriptor);
		r->ranges->range[0]->begin = port_lo;
		r->ranges->range[0]->end = port_hi;
		st_offer_add(o, r);
	}
	return o;
}

void
st_offer_attr(Mesos__V1__Offer *o, const char *name, const char *text)
{
	Mesos__V1__Attribute *a = st_msg(&mesos__v1__attribute__descriptor);

	a->name = xstrdup(name);
	a->type = MESOS__V1__VALUE__TYPE__TEXT;
	a->text = st_msg(&mesos__v1__value__text__descriptor);
	a->text->value = xstrdup(text);
	o->attributes = xreallocarray(o->attributes, o->n_attributes + 1,
	    sizeof *o->attributes);
	o->attributes[o->n_attributes++] = a;
}

void
st_offer_unavailable(Mesos__V1__Offer *o, int64_t start_ms)
{
	o->unavailability = st_msg(&mesos__v1__unavailability__descriptor);
	o->unavailability->start = st_msg(&mesos__v1__time_info__descriptor);
	o->unavailability->start->nanoseconds = start_ms * 1000000;
}

void
st_offer_role(Mesos__V1__Offer *o, const char *role)
{
	o->allocation_info = st_msg(
	    &mesos__v1__resource__allocation_info__descriptor);
	o->allocation_info->role = xstrdup(role);
	for (size_t i = 0; i < o->n_resources; i++) {
		Mesos__V1__Resource *r = o->resources[i];

		r->allocation_info = st_msg(
		    &mesos__v1__resource__allocation_info__descriptor);
		r->allocation_info->role = xstrdup(role);
	}
}

static Mesos__V1__Scheduler__Event *
st_event_new(int type)
{
	Mesos__V1__Scheduler__Event *e;

	e = st_msg(&mesos__v1__scheduler__event__descriptor);
	e->has_type = 1;
	e->type = type;
	return e;
}

Mesos__V1__Scheduler__Event *
st_ev_type(int type)
{
	return st_event_new(type);
}

Mesos__V1__Scheduler__Event *
st_ev_offers(Mesos__V1__Offer **v, size_t n)
{
	Mesos__V1__Scheduler__Event *e;

	e = st_event_new(MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS);
	e->offers = st_msg(&mesos__v1__scheduler__event__offers__descriptor);
	e->offers->n_offers = n;
	e->offers->offers = xcalloc(n + 1, sizeof *v);
	memcpy(e->offers->offers, v, n * sizeof *v);
	return e;
}

Mesos__V1__Scheduler__Event *
st_ev_update(const char *task, int state, const char *agent, const char *uuid,
    double ts, int reason)
{
	Mesos__V1__Scheduler__Event *e;
	Mesos__V1__TaskStatus *st;

	e = st_event_new(MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE);
	e->update = st_msg(&mesos__v1__scheduler__event__update__descriptor);
	st = e->update->status = st_msg(&mesos__v1__task_status__descriptor);
	st->task_id = st_msg(&mesos__v1__task_id__descriptor);
	st->task_id->value = xstrdup(task);
	st->state = state;
	if (agent != NULL) {
		st->agent_id = st_msg(&mesos__v1__agent_id__descriptor);
		st->agent_id->value = xstrdup(agent);
	}
	if (uuid != NULL) {
		st->has_uuid = 1;
		st->uuid.len = strlen(uuid);
		st->uuid.data = (uint8_t *)xstrdup(uuid);
	}
	if (ts > 0) {
		st->has_timestamp = 1;
		st->timestamp = ts;
	}
	if (reason >= 0) {
		st->has_reason = 1;
		st->reason = reason;
	}
	return e;
}

Mesos__V1__Scheduler__Event *
st_ev_subscribed(const char *fid)
{
	Mesos__V1__Scheduler__Event *e;

	e = st_event_new(MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED);
	e->subscribed = st_msg(
	    &mesos__v1__scheduler__event__subscribed__descriptor);
	e->subscribed->framework_id = st_msg(
	    &mesos__v1__framework_id__descriptor);
	e->subscribed->framework_id->value = xstrdup(fid);
	e->subscribed->has_heartbeat_interval_seconds = 1;
	e->subscribed->heartbeat_interval_seconds = 15;
	return e;
}

Mesos__V1__Scheduler__Event *
st_ev_error(const char *message)
{
	Mesos__V1__Scheduler__Event *e;

	e = st_event_new(MESOS__V1__SCHEDULER__EVENT__TYPE__ERROR);
	e->error = st_msg(&mesos__v1__scheduler__event__error__descriptor);
	e->error->message = xstrdup(message);
	return e;
}

Mesos__V1__Scheduler__Event *
st_ev_inverse(const char *id, const char *agent)
{
	Mesos__V1__Scheduler__Event *e;
	Mesos__V1__InverseOffer *io;

	e = st_event_new(MESOS__V1__SCHEDULER__EVENT__TYPE__INVERSE_OFFERS);
	e->inverse_offers = st_msg(
	    &mesos__v1__scheduler__event__inverse_offers__descriptor);
	io = st_msg(&mesos__v1__inverse_offer__descriptor);
	io->id = st_msg(&mesos__v1__offer_id__descriptor);
	io->id->value = xstrdup(id);
	io->framework_id = st_msg(&mesos__v1__framework_id__descriptor);
	io->framework_id->value = xstrdup("fw-1");
	io->agent_id = st_msg(&mesos__v1__agent_id__descriptor);
	io->agent_id->value = xstrdup(agent);
	io->unavailability = st_msg(&mesos__v1__unavailability__descriptor);
	io->unavailability->start = st_msg(&mesos__v1__time_info__descriptor);
	io->unavailability->start->nanoseconds = 1;
	e->inverse_offers->n_inverse_offers = 1;
	e->inverse_offers->inverse_offers = xcalloc(1, sizeof io);
	e->inverse_offers->inverse_offers[0] = io;
	return e;
}

Mesos__V1__Scheduler__Event *
st_ev_rescind(const char *offer)
{
	Mesos__V1__Scheduler__Event *e;

	e = st_event_new(MESOS__V1__SCHEDULER__EVENT__TYPE__RESCIND);
	e->rescind = st_msg(&mesos__v1__scheduler__event__rescind__descriptor);
	e->rescind->offer_id = st_msg(&mesos__v1__offer_id__descriptor);
	e->rescind->offer_id->value = xstrdup(offer);
	return e;
}

Mesos__V1__Master__Response__GetAgents *
st_agents(size_t first, size_t n)
{
	Mesos__V1__Master__Response__GetAgents *g;

	g = st_msg(&mesos__v1__master__response__get_agents__descriptor);
	g->n_agents = n;
	g->agents = xcalloc(n + 1, sizeof *g->agents);
	for (size_t i = 0; i < n; i++) {
		Mesos__V1__Master__Response__GetAgents__Agent *a;
		char buf[32];

		a = st_msg(&mesos__v1__master__response__get_agents__agent__descriptor);
		a->agent_info = st_msg(&mesos__v1__agent_info__descriptor);
		snprintf(buf, sizeof buf, "h%zu", first + i);
		a->agent_info->hostname = xstrdup(buf);
		a->agent_info->id = st_msg(&mesos__v1__agent_id__descriptor);
		snprintf(buf, sizeof buf, "a%zu", first + i);
		a->agent_info->id->value = xstrdup(buf);
		a->active = 1;
		a->version = xstrdup("1.12.0");
		g->agents[i] = a;
	}
	return g;
}

void
st_init(struct st *t, struct config *cfg, const struct store_snapshot *snap)
{
	memset(t, 0, sizeof *t);
	t->cfg = cfg;
	t->now = 1000000;
	t->wall = 1700000000000LL;
	effects_init(&t->fx);
	t->s = sched_create(cfg, snap, t->now, t->wall);
}

void
st_done(struct st *t)
{
	effects_clear(&t->fx);
	sched_free(t->s);
	config_free(t->cfg);
	t->s = NULL;
}

/* Feeds m (stack message) after clearing the last effects. */
static void
st_feed(struct st *t, struct msg *m)
{
	char *cause = NULL;

	effects_clear(&t->fx);
	m->now = t->now;
	m->wall = t->wall;
	sched_apply(t->s, m, &t->fx);
	/* every message leaves the core consistent */
	if (sched_check(t->s, &cause) != 0) {
		fprintf(stderr, "sched_check after %s: %s\n",
		    msg_type_name(m->type), cause);
		abort();
	}
}

void
st_event(struct st *t, Mesos__V1__Scheduler__Event *ev)
{
	struct msg m;

	memset(&m, 0, sizeof m);
	m.type = MSG_EVENT;
	m.u.event = ev;
	st_feed(t, &m);
	codec_free(m.u.event);
}

void
st_session(struct st *t, int connected)
{
	struct msg m;

	memset(&m, 0, sizeof m);
	m.type = MSG_SESSION;
	m.u.session.state = connected ? SESSION_CONNECTED : SESSION_DISCONNECTED;
	m.u.session.master = xstrdup("127.0.0.1:5050");
	m.u.session.stream_id = connected ? xstrdup("stream-1") : NULL;
	m.u.session.reason = xstrdup("test");
	st_feed(t, &m);
	free(m.u.session.master);
	free(m.u.session.stream_id);
	free(m.u.session.reason);
}

void
st_session_state(struct st *t, enum msg_session_state state)
{
	struct msg m;

	memset(&m, 0, sizeof m);
	m.type = MSG_SESSION;
	m.u.session.state = state;
	m.u.session.reason = xstrdup("test");
	st_feed(t, &m);
	free(m.u.session.reason);
}

void
st_session_failed(struct st *t, const char *reason)
{
	struct msg m;

	memset(&m, 0, sizeof m);
	m.type = MSG_SESSION;
	m.u.session.state = SESSION_DISCONNECTED;
	m.u.session.reason = xstrdup(reason);
	m.u.session.failed = 1;
	st_feed(t, &m);
	free(m.u.session.reason);
}

void
st_tick(struct st *t, int64_t advance_ms)
{
	struct msg m;

	t->now += advance_ms;
	t->wall += advance_ms;
	memset(&m, 0, sizeof m);
	m.type = MSG_TICK;
	st_feed(t, &m);
	/* a tick handles everything due: the next deadline is ahead */
	if (sched_next_deadline(t->s) <= t->now) {
		fprintf(stderr, "st_tick: next deadline %lld not after now "
		    "%lld\n", (long long)sched_next_deadline(t->s),
		    (long long)t->now);
		abort();
	}
}

void
st_call_done(struct st *t, uint64_t cookie, int type, int status)
{
	struct msg m;

	memset(&m, 0, sizeof m);
	m.type = MSG_CALL_DONE;
	m.u.call_done.cookie = cookie;
	m.u.call_done.type = type;
	m.u.call_done.status = status;
	if (status < 200 || status >= 300)
		m.u.call_done.error = xstrdup("test failure");
	st_feed(t, &m);
	free(m.u.call_done.error);
}

void
st_agents_msg(struct st *t, Mesos__V1__Master__Response__GetAgents *g)
{
	struct msg m;

	memset(&m, 0, sizeof m);
	m.type = MSG_AGENTS;
	m.u.agents = g;
	st_feed(t, &m);
	codec_free(m.u.agents);
}

void
st_shutdown(struct st *t)
{
	struct msg m;

	memset(&m, 0, sizeof m);
	m.type = MSG_SHUTDOWN;
	st_feed(t, &m);
}

void
st_reload(struct st *t, struct config *cfg)
{
	struct msg m;

	memset(&m, 0, sizeof m);
	m.type = MSG_RELOAD;
	m.u.config = cfg;
	st_feed(t, &m);
	/* the core may have taken it */
	if (m.u.config != NULL) {
		config_free(t->cfg);
		t->cfg = m.u.config;
	}
}

struct admin_req *
st_req(enum admin_op op, const char *arg)
{
	struct admin_req *r = xcalloc(1, sizeof *r);

	r->op = op;
	r->arg = arg != NULL ? xstrdup(arg) : NULL;
	r->instances = -1;
	r->suspended = -1;
	return r;
}

int
st_admin(struct st *t, struct admin_req *r, const char **body)
{
	struct msg m;

	r->id = ++t->admin_id;
	memset(&m, 0, sizeof m);
	m.type = MSG_ADMIN;
	m.u.admin = r;
	st_feed(t, &m);
	admin_req_free(r);
	for (size_t i = 0; i < t->fx.n; i++)
		if (t->fx.v[i].type == EFFECT_REPLY &&
		    t->fx.v[i].u.reply.id == t->admin_id) {
			if (body != NULL)
				*body = t->fx.v[i].u.reply.body;
			return t->fx.v[i].u.reply.status;
		}
	if (body != NULL)
		*body = NULL;
	return 0;
}

void
st_subscribe(struct st *t, const char *fid)
{
	st_session(t, 1);
	st_event(t, st_ev_subscribed(fid));
}

size_t
st_count(const struct st *t, enum effect_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < t->fx.n; i++)
		if (t->fx.v[i].type == type)
			n++;
	return n;
}

size_t
st_count_call(const struct st *t, int call_type)
{
	size_t n = 0;

	for (size_t i = 0; i < t->fx.n; i++)
		if (t->fx.v[i].type == EFFECT_CALL &&
		    (int)t->fx.v[i].u.call.call->type == call_type)
			n++;
	return n;
}

size_t
st_count_store(const struct st *t, enum store_op_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < t->fx.n; i++)
		if (t->fx.v[i].type == EFFECT_STORE &&
		    t->fx.v[i].u.store.type == type)
			n++;
	return n;
}

long
st_call_index(const struct st *t, int call_type, size_t k)
{
	for (size_t i = 0; i < t->fx.n; i++)
		if (t->fx.v[i].type == EFFECT_CALL &&
		    (int)t->fx.v[i].u.call.call->type == call_type && k-- == 0)
			return (long)i;
	return -1;
}

long
st_store_index(const struct st *t, enum store_op_type type, size_t k)
{
	for (size_t i = 0; i < t->fx.n; i++)
		if (t->fx.v[i].type == EFFECT_STORE &&
		    t->fx.v[i].u.store.type == type && k-- == 0)
			return (long)i;
	return -1;
}

Mesos__V1__Scheduler__Call *
st_call(const struct st *t, int call_type, size_t k)
{
	long i = st_call_index(t, call_type, k);

	return i < 0 ? NULL : t->fx.v[i].u.call.call;
}

uint64_t
st_call_cookie(const struct st *t, int call_type, size_t k)
{
	long i = st_call_index(t, call_type, k);

	return i < 0 ? 0 : t->fx.v[i].u.call.cookie;
}

size_t
st_launches(const struct st *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->fx.n; i++) {
		Mesos__V1__Scheduler__Call *c;

		if (t->fx.v[i].type != EFFECT_CALL)
			continue;
		c = t->fx.v[i].u.call.call;
		if (c->type != MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT)
			continue;
		for (size_t k = 0; k < c->accept->n_operations; k++)
			n += c->accept->operations[k]->launch != NULL ?
			    c->accept->operations[k]->launch->n_task_infos : 0;
	}
	return n;
}

Mesos__V1__TaskInfo *
st_launch(const struct st *t, size_t idx)
{
	for (size_t i = 0; i < t->fx.n; i++) {
		Mesos__V1__Scheduler__Call *c;

		if (t->fx.v[i].type != EFFECT_CALL)
			continue;
		c = t->fx.v[i].u.call.call;
		if (c->type != MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT)
			continue;
		for (size_t k = 0; k < c->accept->n_operations; k++) {
			Mesos__V1__Offer__Operation__Launch *l =
			    c->accept->operations[k]->launch;

			if (l == NULL)
				continue;
			if (idx < l->n_task_infos)
				return l->task_infos[idx];
			idx -= l->n_task_infos;
		}
	}
	return NULL;
}

const char *
st_env(const Mesos__V1__TaskInfo *ti, const char *name)
{
	const Mesos__V1__Environment *env;

	if (ti->command == NULL || ti->command->environment == NULL)
		return NULL;
	env = ti->command->environment;
	for (size_t i = 0; i < env->n_variables; i++)
		if (strcmp(env->variables[i]->name, name) == 0)
			return env->variables[i]->value;
	return NULL;
}
