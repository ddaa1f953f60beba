/*
 * state — what tests and operators can see: GET /state (JSON shaped like a
 * Mesos master's /state: frameworks with their tasks and offers, agents,
 * plus what ark-sim adds: pending updates per task, streams, masters),
 * GET /counters (every scheduler call by type and by the status it got,
 * events, status updates sent, resent, acknowledged, outstanding) and the
 * operator API subset a scheduler may use: POST /api/v1 with GET_AGENTS,
 * GET_HEALTH and GET_VERSION in either encoding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "sim.h"
#include "log.h"
#include "xmalloc.h"

static char state_version[] = "1.12.0";

/* Names a scheduler call type ("?" for holes in the enum). */
static const char *
state_call_name(int type)
{
	return codec_enum_name(&mesos__v1__scheduler__call__type__descriptor,
	    type);
}

/* Returns the counters as a JSON object (new reference). */
json_t *
state_counters_json(struct sim *sim)
{
	const struct sim_counters *c = &sim->c;
	json_t *o = json_object(), *calls = json_object(), *resp = json_object();
	json_t *bystatus = json_object(), *events = json_object();
	struct sim_framework *fw;
	size_t i = 0, tasks = 0, offers = 0;
	int t, s;

	for (t = 0; t < SIM_CALL_TYPES; t++) {
		json_t *m = NULL;

		if (c->calls[t] != 0)
			json_object_set_new(calls, state_call_name(t),
			    json_integer((json_int_t)c->calls[t]));
		for (s = 0; s < 16; s++) {
			char k[16];

			if (c->call_status[t][s] == 0)
				continue;
			if (m == NULL)
				m = json_object();
			snprintf(k, sizeof k, "%d", sim_statuses[s]);
			json_object_set_new(m, s == 15 ? "other" : k,
			    json_integer((json_int_t)c->call_status[t][s]));
		}
		if (m != NULL)
			json_object_set_new(bystatus, state_call_name(t), m);
	}
	for (s = 0; s < SIM_STATUS_MAX; s++) {
		char k[16];

		if (c->status[s] == 0)
			continue;
		snprintf(k, sizeof k, "%d", s);
		json_object_set_new(resp, k,
		    json_integer((json_int_t)c->status[s]));
	}
	for (t = 0; t < 16; t++) {
		if (c->events[t] != 0)
			json_object_set_new(events, codec_enum_name(
			    &mesos__v1__scheduler__event__type__descriptor, t),
			    json_integer((json_int_t)c->events[t]));
	}
	while ((fw = htab_next(&sim->frameworks, &i)) != NULL) {
		tasks += fw->tasks.n;
		offers += fw->noffers;
	}
	json_object_set_new(o, "calls", calls);
	json_object_set_new(o, "calls_invalid",
	    json_integer((json_int_t)c->calls_invalid));
	json_object_set_new(o, "responses", resp);
	json_object_set_new(o, "calls_by_status", bystatus);
	json_object_set_new(o, "events", events);
#define N(name, v) json_object_set_new(o, name, json_integer((json_int_t)(v)))
	N("updates_sent", c->updates_sent);
	N("updates_reliable", c->updates_reliable);
	N("updates_resent", c->updates_resent);
	N("updates_duplicated", c->updates_duplicated);
	N("updates_acked", c->updates_acked);
	N("updates_unacked", sim->unacked);
	N("acks_received", c->acks_received);
	N("acks_duplicate", c->acks_duplicate);
	N("acks_unknown", c->acks_unknown);
	N("acks_dropped", c->acks_dropped);
	N("acks_undeliverable", c->acks_undeliverable);
	N("reconcile_updates", c->reconcile_updates);
	N("offers_sent", c->offers_sent);
	N("offers_accepted", c->offers_accepted);
	N("offers_declined", c->offers_declined);
	N("offers_rescinded", c->offers_rescinded);
	N("offers_invalid", c->offers_invalid);
	N("offers_outstanding", offers);
	N("inverse_offers_sent", c->inverse_offers_sent);
	N("tasks_launched", c->tasks_launched);
	N("tasks_error", c->tasks_error);
	N("tasks_dropped", c->tasks_dropped);
	N("tasks", tasks);
	N("subscribes", c->subscribes);
	N("framework_failovers", c->failovers);
	N("master_failovers", c->master_failovers);
	N("flood_sent", c->flood_sent);
	N("flood_acked", c->flood_acked);
	N("flood_acks_duplicate", c->flood_acks_duplicate);
	N("faults", c->faults);
	N("frameworks", sim->frameworks.n);
	N("agents", sim->nagents);
#undef N
	json_object_set_new(o, "leader", json_integer(sim->leader));
	json_object_set_new(o, "uptime", json_real(sim_wall() - sim->started));
	return o;
}

/* GET /counters. */
void
state_counters(struct sim *sim, struct sim_req *req)
{
	sim_http_json(req, 200, state_counters_json(sim));
}

/*
 * GET /calls: the last scheduler calls, oldest first, as
 * {"at","type","status","items","framework_id"}; ?type=RECONCILE keeps one
 * type, ?since=<wall seconds> the later ones.
 */
void
state_calls(struct sim *sim, struct sim_req *req)
{
	const char *type = MHD_lookup_connection_value(req->conn,
	    MHD_GET_ARGUMENT_KIND, "type");
	const char *since = MHD_lookup_connection_value(req->conn,
	    MHD_GET_ARGUMENT_KIND, "since");
	double after = since != NULL ? strtod(since, NULL) : 0;
	json_t *a = json_array();
	uint64_t i, first;

	first = sim->ncalls > SIM_CALL_LOG ? sim->ncalls - SIM_CALL_LOG : 0;
	for (i = first; i < sim->ncalls; i++) {
		const struct sim_call_rec *r = &sim->calls[i % SIM_CALL_LOG];
		const char *name = r->type >= 0 ? state_call_name(r->type) :
		    "INVALID";

		if (r->at <= after || (type != NULL && strcmp(type, name) != 0))
			continue;
		json_array_append_new(a, json_pack("{s:f,s:s,s:i,s:i,s:s}",
		    "at", r->at, "type", name, "status", r->status,
		    "items", (int)r->items, "framework_id", r->fw));
	}
	sim_http_json(req, 200, json_pack("{s:o,s:I}", "calls", a, "total",
	    (json_int_t)sim->ncalls));
}

/* The masters and which one leads. */
static json_t *
state_masters(struct sim *sim)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < sim->nmasters; i++) {
		json_t *m = json_pack("{s:i,s:s,s:i,s:b}",
		    "index", i, "id", sim->masters[i].id,
		    "port", sim->masters[i].port, "leader", i == sim->leader);

		if (sim->cfg.zk != NULL)
			json_object_set_new(m, "zk_node",
			    masters_zk_node(sim, i) != NULL ?
			    json_string(masters_zk_node(sim, i)) : json_null());
		json_array_append_new(a, m);
	}
	return a;
}

/*
 * GET /state. view 0: a master that does not lead (its own, empty view);
 * 1: the leader; 2: the control port (the leader's view, counters too).
 */
void
state_serve(struct sim *sim, struct sim_req *req, int view)
{
	struct sim_master *m = sim_leader(sim);
	json_t *o, *fws = json_array(), *done = json_array();
	json_t *agents = json_array(), *offers = json_array();
	struct sim_framework *fw;
	struct sim_offer *of;
	const char *q;
	char leader[300] = "";
	size_t i = 0;
	int self, with_tasks;

	if (strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0) {
		static const char *const allow[] = { "Allow", "GET", NULL };

		sim_http_reply(req, 405, "text/plain; charset=utf-8", "", 0,
		    allow);
		json_decref(fws);
		json_decref(done);
		json_decref(agents);
		json_decref(offers);
		return;
	}
	if (m != NULL)
		snprintf(leader, sizeof leader, "master@%s:%d",
		    sim->cfg.hostname, m->port);
	self = sim_server_kind(req->srv) == SIM_SERVER_MASTER ?
	    sim_server_index(req->srv) : (sim->leader >= 0 ? sim->leader : 0);
	/* ?tasks=0 leaves the task lists out (large clusters). */
	q = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
	    "tasks");
	with_tasks = q == NULL || strcmp(q, "0") != 0;
	if (view != 0) {
		while ((fw = htab_next(&sim->frameworks, &i)) != NULL) {
			if (fw->state == SIM_FW_REMOVED)
				json_array_append_new(done,
				    fw_json(fw, with_tasks));
			else
				json_array_append_new(fws,
				    fw_json(fw, with_tasks));
			for (of = fw->offers; of != NULL; of = of->next)
				json_array_append_new(offers,
				    alloc_offer_json(of));
		}
		for (i = 0; i < sim->nagents; i++)
			json_array_append_new(agents,
			    agents_json(sim->agentv[i]));
	}
	o = json_pack("{s:s,s:s,s:s,s:s,s:i,s:b,s:f,s:o,s:o,s:o,s:o,s:o,s:i,"
	    "s:b}",
	    "version", state_version, "id", sim->masters[self].id,
	    "hostname", sim->cfg.hostname, "leader", leader,
	    "port", sim->masters[self].port, "elected", self == sim->leader,
	    "start_time", sim->started, "frameworks", fws,
	    "completed_frameworks", done, "slaves", agents, "offers", offers,
	    "masters", state_masters(sim), "control_port", sim->control_port,
	    "recovering", masters_recovering(sim) || sim->leader < 0);
	if (view == 2)
		json_object_set_new(o, "counters", state_counters_json(sim));
	sim_http_json(req, 200, o);
}

/* One GET_AGENTS entry with its parts in one block. */
struct state_agent_pb {
	Mesos__V1__Master__Response__GetAgents__Agent ag;
	Mesos__V1__AgentInfo	 info;
	Mesos__V1__AgentID	 aid;
	Mesos__V1__TimeInfo	 reg;
	Mesos__V1__TimeInfo	 rereg;
	struct res_pb		 total;
	struct res_pb		 used;
	struct res_pb		 offered;
	char			*pid;
};

/* Fills AgentInfo for a. */
static void
state_agent_info(struct state_agent_pb *p, struct sim_agent *a)
{
	mesos__v1__agent_info__init(&p->info);
	mesos__v1__agent_id__init(&p->aid);
	p->aid.value = a->id;
	p->info.hostname = a->hostname;
	p->info.has_port = 1;
	p->info.port = a->port;
	p->info.id = &p->aid;
	res_pb_build(&p->total, &a->total, "*", 0);
	p->info.n_resources = p->total.n;
	p->info.resources = p->total.p;
	p->info.attributes = agents_attrs_pb(a);
	p->info.n_attributes = p->info.attributes != NULL ? a->nattrs : 0;
}

/* Encodes the GET_AGENTS response into out. */
static int
state_get_agents(struct sim *sim, enum codec_type codec, struct buf *out)
{
	Mesos__V1__Master__Response r = MESOS__V1__MASTER__RESPONSE__INIT;
	Mesos__V1__Master__Response__GetAgents ga =
	    MESOS__V1__MASTER__RESPONSE__GET_AGENTS__INIT;
	struct state_agent_pb *pb = xcalloc(sim->nagents + 1, sizeof *pb);
	Mesos__V1__Master__Response__GetAgents__Agent **av;
	Mesos__V1__AgentInfo **rv;
	size_t i, na = 0, nr = 0;
	int rc;

	av = xcalloc(sim->nagents + 1, sizeof *av);
	rv = xcalloc(sim->nagents + 1, sizeof *rv);
	for (i = 0; i < sim->nagents; i++) {
		struct sim_agent *a = sim->agentv[i];
		struct state_agent_pb *p = &pb[i];
		struct sim_res none;

		if (a->state == SIM_AGENT_RECOVERED) {
			state_agent_info(p, a);
			rv[nr++] = &p->info;
			continue;
		}
		if (!agents_known(a))
			continue;
		state_agent_info(p, a);
		mesos__v1__master__response__get_agents__agent__init(&p->ag);
		p->ag.agent_info = &p->info;
		p->ag.active = a->state == SIM_AGENT_ACTIVE;
		p->ag.version = state_version;
		p->pid = xasprintf("slave(1)@127.0.0.1:%d", a->port);
		p->ag.pid = p->pid;
		mesos__v1__time_info__init(&p->reg);
		p->reg.nanoseconds = (int64_t)(a->registered_time * 1e9);
		p->ag.registered_time = &p->reg;
		if (a->reregistered_time > 0) {
			mesos__v1__time_info__init(&p->rereg);
			p->rereg.nanoseconds =
			    (int64_t)(a->reregistered_time * 1e9);
			p->ag.reregistered_time = &p->rereg;
		}
		p->ag.n_total_resources = p->total.n;
		p->ag.total_resources = p->total.p;
		res_pb_build(&p->used, &a->used, "*", 0);
		p->ag.n_allocated_resources = p->used.n;
		p->ag.allocated_resources = p->used.p;
		res_init(&none);
		res_pb_build(&p->offered, a->offer != NULL ? &a->offer->res :
		    &none, "*", 0);
		p->ag.n_offered_resources = p->offered.n;
		p->ag.offered_resources = p->offered.p;
		av[na++] = &p->ag;
	}
	ga.n_agents = na;
	ga.agents = av;
	ga.n_recovered_agents = nr;
	ga.recovered_agents = rv;
	r.has_type = 1;
	r.type = MESOS__V1__MASTER__RESPONSE__TYPE__GET_AGENTS;
	r.get_agents = &ga;
	rc = codec_encode(codec, &r.base, out, NULL);
	for (i = 0; i < sim->nagents; i++) {
		res_pb_clear(&pb[i].total);
		res_pb_clear(&pb[i].used);
		res_pb_clear(&pb[i].offered);
		agents_attrs_pb_free(pb[i].info.attributes,
		    pb[i].info.n_attributes);
		free(pb[i].pid);
	}
	free(pb);
	free(av);
	free(rv);
	return rc;
}

/* POST /api/v1: the operator API subset. */
void
state_operator(struct sim *sim, struct sim_req *req)
{
	Mesos__V1__Master__Call *call = NULL;
	Mesos__V1__Master__Response r = MESOS__V1__MASTER__RESPONSE__INIT;
	Mesos__V1__Master__Response__GetHealth h =
	    MESOS__V1__MASTER__RESPONSE__GET_HEALTH__INIT;
	Mesos__V1__Master__Response__GetVersion gv =
	    MESOS__V1__MASTER__RESPONSE__GET_VERSION__INIT;
	Mesos__V1__VersionInfo vi = MESOS__V1__VERSION_INFO__INIT;
	enum codec_type codec, accept;
	char *principal = NULL, *cause = NULL, *m;
	struct buf out;

	buf_init(&out, 0);
	if (api_authenticate(sim, req, &principal) != 0)
		goto out;
	if (sim_server_index(req->srv) != sim->leader) {
		api_redirect(sim, req, req->path);
		goto out;
	}
	if (api_expect_post(req) != 0)
		goto out;
	if (codec_from_content_type(req->content_type, &codec) != 0) {
		sim_http_text(req, 415, "Expecting 'Content-Type' of "
		    "application/json or application/x-protobuf");
		goto out;
	}
	call = (Mesos__V1__Master__Call *)codec_decode(codec,
	    &mesos__v1__master__call__descriptor, req->body.data,
	    req->body.len, &cause);
	if (call == NULL) {
		m = xasprintf("Failed to parse body into Call: %s", cause);
		sim_http_text(req, 400, m);
		free(m);
		goto out;
	}
	accept = CODEC_JSON;
	if (req->accept != NULL && strstr(req->accept, "application/json") ==
	    NULL && strstr(req->accept, "*/*") == NULL) {
		if (strstr(req->accept, "application/x-protobuf") != NULL)
			accept = CODEC_PROTOBUF;
		else {
			sim_http_text(req, 406, "Expecting 'Accept' to allow "
			    "'application/x-protobuf' or 'application/json'");
			goto out;
		}
	}
	r.has_type = 1;
	switch (call->has_type ? call->type : 0) {
	case MESOS__V1__MASTER__CALL__TYPE__GET_AGENTS:
		if (state_get_agents(sim, accept, &out) != 0) {
			sim_http_text(req, 500, "cannot encode the response");
			goto out;
		}
		sim_http_reply(req, 200, codec_content_type(accept), out.data,
		    out.len, NULL);
		goto out;
	case MESOS__V1__MASTER__CALL__TYPE__GET_HEALTH:
		r.type = MESOS__V1__MASTER__RESPONSE__TYPE__GET_HEALTH;
		h.healthy = 1;
		r.get_health = &h;
		break;
	case MESOS__V1__MASTER__CALL__TYPE__GET_VERSION:
		r.type = MESOS__V1__MASTER__RESPONSE__TYPE__GET_VERSION;
		vi.version = state_version;
		gv.version_info = &vi;
		r.get_version = &gv;
		break;
	case 0:
		sim_http_text(req, 400, "Failed to validate master::Call: "
		    "Expecting 'type' to be present");
		goto out;
	default:
		sim_http_text(req, 501, "ark-sim serves GET_AGENTS, GET_HEALTH"
		    " and GET_VERSION only");
		goto out;
	}
	if (codec_encode(accept, &r.base, &out, NULL) != 0) {
		sim_http_text(req, 500, "cannot encode the response");
		goto out;
	}
	sim_http_reply(req, 200, codec_content_type(accept), out.data,
	    out.len, NULL);
out:
	buf_clear(&out);
	codec_free(call);
	free(cause);
	free(principal);
}
