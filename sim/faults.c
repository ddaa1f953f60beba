/*
 * faults — the control API on its own port: POST /control/<fault> with an
 * optional JSON object of parameters. Each fault acts on the model the way
 * the real failure would (a dropped stream is a reset connection, a
 * partition rescinds the agent's offers and later makes its tasks
 * unreachable, a failover breaks every stream, ...). Answers are JSON:
 * 200 {"ok":true,...}, 400/404 {"error":"..."}. sim/README.md lists every
 * endpoint and its parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "log.h"
#include "xmalloc.h"

/* Answers an error as JSON. */
static void
faults_error(struct sim_req *req, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
faults_error(struct sim_req *req, int status, const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	sim_http_json(req, status, json_pack("{s:s}", "error", m));
	free(m);
}

/* Answers success, with extra fields from o (stolen; may be NULL). */
static void
faults_ok(struct sim *sim, struct sim_req *req, json_t *o)
{
	if (o == NULL)
		o = json_object();
	json_object_set_new(o, "ok", json_true());
	sim->c.faults++;
	sim_http_json(req, 200, o);
}

/* Reads a number parameter (def if absent); -1 on a wrong type. */
static int
faults_num(json_t *p, const char *k, double def, double *v)
{
	json_t *x = json_object_get(p, k);

	*v = def;
	if (x == NULL || json_is_null(x))
		return 0;
	if (!json_is_number(x))
		return -1;
	*v = json_number_value(x);
	return 0;
}

/* Reads a string parameter (NULL if absent or not a string). */
static const char *
faults_str(json_t *p, const char *k)
{
	return json_string_value(json_object_get(p, k));
}

/*
 * Collects the connected frameworks a fault applies to: the one named by
 * "framework_id", or all. Returns the count (0 after answering 404).
 */
static size_t
faults_frameworks(struct sim *sim, struct sim_req *req, json_t *p,
    struct sim_framework ***out)
{
	const char *id = faults_str(p, "framework_id");
	struct sim_framework *fw, **v = NULL;
	size_t i = 0, n = 0;

	while ((fw = htab_next(&sim->frameworks, &i)) != NULL) {
		if (fw->state != SIM_FW_CONNECTED || fw->stream == NULL)
			continue;
		if (id != NULL && strcmp(id, fw->id) != 0)
			continue;
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = fw;
	}
	if (n == 0)
		faults_error(req, 404, "no subscribed framework%s%s",
		    id != NULL ? " " : "", id != NULL ? id : "");
	*out = v;
	return n;
}

/* Finds the agent named by "agent_id" or "hostname"; NULL after a 404. */
static struct sim_agent *
faults_agent(struct sim *sim, struct sim_req *req, json_t *p)
{
	const char *id = faults_str(p, "agent_id");
	const char *host = faults_str(p, "hostname");
	struct sim_agent *a = NULL;

	if (id != NULL)
		a = agents_find(sim, id);
	else if (host != NULL)
		a = agents_find_host(sim, host);
	else {
		faults_error(req, 400, "expected \"agent_id\" or \"hostname\"");
		return NULL;
	}
	if (a == NULL)
		faults_error(req, 404, "no agent %s", id != NULL ? id : host);
	return a;
}

/* Stream faults: drop, stall, unstall, slow, malformed, oversized. */
static void
faults_stream(struct sim *sim, struct sim_req *req, const char *what,
    json_t *p)
{
	struct sim_framework **v = NULL;
	double x;
	size_t i, n;

	if (faults_num(p, strcmp(what, "slow-stream") == 0 ?
	    "bytes_per_second" : strcmp(what, "oversized-record") == 0 ?
	    "length" : "seconds", -1, &x) != 0) {
		faults_error(req, 400, "parameters must be numbers");
		return;
	}
	n = faults_frameworks(sim, req, p, &v);
	for (i = 0; i < n; i++) {
		struct sim_stream *st = v[i]->stream;

		if (strcmp(what, "drop-stream") == 0) {
			log_info("fault: dropping the stream of %s", v[i]->id);
			sim_stream_close(st, 1);
		} else if (strcmp(what, "stall") == 0) {
			sim_stream_stall(st, x);
		} else if (strcmp(what, "unstall") == 0) {
			sim_stream_stall(st, 0);
		} else if (strcmp(what, "slow-stream") == 0) {
			sim_stream_throttle(st, x < 0 ? 100 : x);
		} else if (strcmp(what, "malformed-record") == 0) {
			static const char bad[] = "12x\n{garbage}\n";

			sim_stream_raw(st, bad, sizeof bad - 1);
		} else {
			char hdr[64];
			int k;

			k = snprintf(hdr, sizeof hdr, "%.0f\n{",
			    x < 0 ? 1099511627776.0 : x);
			sim_stream_raw(st, hdr, (size_t)k);
		}
	}
	free(v);
	if (n > 0)
		faults_ok(sim, req, json_pack("{s:I}", "streams",
		    (json_int_t)n));
}

/* fail-calls: answer scheduler calls with 500/503. */
static void
faults_fail_calls(struct sim *sim, struct sim_req *req, json_t *p)
{
	struct sim_fail_calls fc;
	double status, count, seconds;
	json_t *types = json_object_get(p, "types"), *t;
	size_t i;

	memset(&fc, 0, sizeof fc);
	if (faults_num(p, "status", 503, &status) != 0 ||
	    faults_num(p, "count", 0, &count) != 0 ||
	    faults_num(p, "seconds", 0, &seconds) != 0 || count < 0 ||
	    seconds < 0) {
		faults_error(req, 400, "status, count and seconds must be "
		    "non-negative numbers");
		return;
	}
	if (status != 0 && (status < 500 || status > 599)) {
		faults_error(req, 400, "status must be 5xx (or 0 to stop)");
		return;
	}
	fc.status = (int)status;
	fc.count = (uint64_t)count;
	fc.until = seconds > 0 ? ev_now(sim->loop) + seconds : 0;
	if (fc.count == 0 && fc.until == 0 && fc.status != 0)
		fc.count = 1;
	fc.subscribe = json_is_true(json_object_get(p, "subscribe"));
	json_array_foreach(types, i, t) {
		const ProtobufCEnumValue *ev = json_is_string(t) ?
		    protobuf_c_enum_descriptor_get_value_by_name(
		    &mesos__v1__scheduler__call__type__descriptor,
		    json_string_value(t)) : NULL;

		if (ev == NULL || ev->value < 0 || ev->value >= 32) {
			faults_error(req, 400, "types[%zu]: not a call type",
			    i);
			return;
		}
		fc.types |= 1u << ev->value;
		if (ev->value == MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE)
			fc.subscribe = 1;
	}
	sim->fail_calls = fc;
	faults_ok(sim, req, NULL);
}

/*
 * Returns the status an injected failure gives this call (0: none), and
 * uses one up.
 */
int
faults_fail_call(struct sim *sim, int type, int subscribe)
{
	struct sim_fail_calls *fc = &sim->fail_calls;

	if (fc->status == 0)
		return 0;
	if (fc->until > 0 && ev_now(sim->loop) >= fc->until) {
		fc->status = 0;
		return 0;
	}
	if (subscribe && !fc->subscribe)
		return 0;
	if (fc->types != 0 && (type < 0 || type >= 32 ||
	    (fc->types & (1u << type)) == 0))
		return 0;
	if (fc->until == 0 && fc->count > 0 && --fc->count == 0) {
		int st = fc->status;

		fc->status = 0;
		return st;
	}
	return fc->status;
}

/* Task faults: finish-task, fail-task, crash-task, lost-task, forget-task. */
static void
faults_task(struct sim *sim, struct sim_req *req, const char *what,
    json_t *p)
{
	const char *tid = faults_str(p, "task_id");
	struct sim_task *t;
	char action[32], *cause = NULL;

	if (tid == NULL) {
		faults_error(req, 400, "expected \"task_id\"");
		return;
	}
	t = task_find_any(sim, faults_str(p, "framework_id"), tid);
	if (t == NULL) {
		faults_error(req, 404, "no task %s", tid);
		return;
	}
	snprintf(action, sizeof action, "%.*s",
	    (int)(strlen(what) - strlen("-task")), what);
	if (task_fault(sim, t, action, &cause) != 0) {
		faults_error(req, 409, "%s", cause);
		free(cause);
		return;
	}
	faults_ok(sim, req, NULL);
}

/* add-agents: registers more agents. */
static void
faults_add_agents(struct sim *sim, struct sim_req *req, json_t *p)
{
	const char *rs = faults_str(p, "resources");
	const char *as = faults_str(p, "attributes");
	const char *host = faults_str(p, "hostname");
	struct sim_attr *attrs = NULL;
	struct sim_res res;
	json_t *ids = json_array();
	size_t nattrs = 0, i;
	double count;
	char *cause = NULL;

	res_init(&res);
	if (faults_num(p, "count", 1, &count) != 0 || count < 1 ||
	    count > 100000) {
		faults_error(req, 400, "count must be 1..100000");
		goto out;
	}
	if (res_parse(&res, rs != NULL ? rs : sim->cfg.agent_resources,
	    &cause) != 0 || (as != NULL && agents_parse_attrs(as, &attrs,
	    &nattrs, &cause) != 0)) {
		faults_error(req, 400, "%s", cause);
		goto out;
	}
	for (i = 0; i < (size_t)count; i++) {
		struct sim_agent *a;
		char *h = host == NULL ? xasprintf("agent-%zu.sim",
		    sim->nagents) : count > 1 ? xasprintf("%s-%zu", host, i) :
		    xstrdup(host);

		a = agents_add(sim, h, &res, attrs, nattrs);
		json_array_append_new(ids, json_string(a->id));
		free(h);
	}
	alloc_soon(sim);
	faults_ok(sim, req, json_pack("{s:O}", "agent_ids", ids));
out:
	json_decref(ids);
	free(cause);
	res_clear(&res);
	for (i = 0; i < nattrs; i++) {
		free(attrs[i].name);
		free(attrs[i].text);
	}
	free(attrs);
}

/* Picks one subscribed framework (named, or the only/first one). */
static struct sim_framework *
faults_one_framework(struct sim *sim, struct sim_req *req, json_t *p)
{
	struct sim_framework **v = NULL, *fw;

	if (faults_frameworks(sim, req, p, &v) == 0)
		return NULL;
	fw = v[0];
	free(v);
	return fw;
}

/* POST /control/<fault>. */
void
faults_serve(struct sim *sim, struct sim_req *req)
{
	const char *what = req->path + strlen("/control/");
	json_t *p = NULL;
	json_error_t jerr;
	struct sim_agent *a;
	struct sim_framework *fw;
	double x, y, z, w;

	if (strcmp(req->method, "POST") != 0) {
		static const char *const allow[] = { "Allow", "POST", NULL };

		sim_http_reply(req, 405, "text/plain; charset=utf-8", "", 0,
		    allow);
		return;
	}
	if (req->body.len == 0) {
		p = json_object();
	} else {
		p = json_loadb(req->body.data, req->body.len, 0, &jerr);
		if (!json_is_object(p)) {
			faults_error(req, 400, "body: expected a JSON object "
			    "(%s)", p == NULL ? jerr.text : "not an object");
			json_decref(p);
			return;
		}
	}
	log_info("fault: %s", what);
	if (strcmp(what, "drop-stream") == 0 || strcmp(what, "stall") == 0 ||
	    strcmp(what, "unstall") == 0 ||
	    strcmp(what, "slow-stream") == 0 ||
	    strcmp(what, "malformed-record") == 0 ||
	    strcmp(what, "oversized-record") == 0) {
		faults_stream(sim, req, what, p);
	} else if (strcmp(what, "fail-calls") == 0) {
		faults_fail_calls(sim, req, p);
	} else if (strcmp(what, "failover") == 0) {
		if (faults_num(p, "to", -1, &x) != 0 ||
		    faults_num(p, "gap", 0, &y) != 0 ||
		    faults_num(p, "recovery", -1, &z) != 0 ||
		    faults_num(p, "reregister_delay", -1, &w) != 0) {
			faults_error(req, 400, "parameters must be numbers");
			goto out;
		}
		masters_failover(sim, (int)x, y, z, w);
		faults_ok(sim, req, json_pack("{s:i}", "leader",
		    sim->pending_leader));
	} else if (strcmp(what, "partition") == 0) {
		if (faults_num(p, "unreachable_after", -1, &x) != 0) {
			faults_error(req, 400, "unreachable_after: number");
			goto out;
		}
		if ((a = faults_agent(sim, req, p)) == NULL)
			goto out;
		agents_partition(sim, a, x);
		faults_ok(sim, req, NULL);
	} else if (strcmp(what, "heal") == 0) {
		if (json_is_true(json_object_get(p, "all"))) {
			size_t i;

			for (i = 0; i < sim->nagents; i++) {
				a = sim->agentv[i];
				if (a->state == SIM_AGENT_PARTITIONED ||
				    a->state == SIM_AGENT_UNREACHABLE)
					agents_heal(sim, a);
			}
		} else {
			if ((a = faults_agent(sim, req, p)) == NULL)
				goto out;
			agents_heal(sim, a);
		}
		faults_ok(sim, req, NULL);
	} else if (strcmp(what, "remove-agent") == 0) {
		if ((a = faults_agent(sim, req, p)) == NULL)
			goto out;
		agents_remove(sim, a);
		faults_ok(sim, req, NULL);
	} else if (strcmp(what, "add-agents") == 0) {
		faults_add_agents(sim, req, p);
	} else if (strcmp(what, "drop-acks") == 0 ||
	    strcmp(what, "duplicate-updates") == 0) {
		if (faults_num(p, "count", 1, &x) != 0 || x < 0) {
			faults_error(req, 400, "count: non-negative number");
			goto out;
		}
		if (what[0] == 'd' && what[1] == 'r')
			sim->drop_acks = (uint64_t)x;
		else
			sim->duplicate_updates = (uint64_t)x;
		faults_ok(sim, req, NULL);
	} else if (strcmp(what, "maintenance") == 0) {
		if (faults_num(p, "start_in", 0, &x) != 0 ||
		    faults_num(p, "duration", 3600, &y) != 0) {
			faults_error(req, 400, "start_in, duration: numbers");
			goto out;
		}
		if ((a = faults_agent(sim, req, p)) == NULL)
			goto out;
		a->maint_start = sim_wall() + x;
		a->maint_duration = y;
		alloc_maintenance(sim, a);
		faults_ok(sim, req, NULL);
	} else if (strcmp(what, "maintenance-stop") == 0) {
		if ((a = faults_agent(sim, req, p)) == NULL)
			goto out;
		alloc_maintenance_stop(sim, a);
		faults_ok(sim, req, NULL);
	} else if (strcmp(what, "rescind-offers") == 0) {
		alloc_rescind_all(sim);
		faults_ok(sim, req, NULL);
	} else if (strcmp(what, "finish-task") == 0 ||
	    strcmp(what, "fail-task") == 0 ||
	    strcmp(what, "crash-task") == 0 ||
	    strcmp(what, "lost-task") == 0 ||
	    strcmp(what, "forget-task") == 0) {
		faults_task(sim, req, what, p);
	} else if (strcmp(what, "flood") == 0) {
		if (faults_num(p, "count", 100000, &x) != 0 || x < 1 ||
		    x > 1e9) {
			faults_error(req, 400, "count must be 1..1e9");
			goto out;
		}
		if ((fw = faults_one_framework(sim, req, p)) == NULL)
			goto out;
		task_flood_start(sim, fw, (uint64_t)x);
		fw->flood->flap = json_is_true(json_object_get(p, "flap"));
		faults_ok(sim, req, json_pack("{s:s}", "framework_id",
		    fw->id));
	} else if (strcmp(what, "launch") == 0) {
		size_t n;

		if (faults_num(p, "count", 1, &x) != 0 || x < 1 ||
		    faults_num(p, "cpus", 0.01, &y) != 0 ||
		    faults_num(p, "mem", 1, &z) != 0) {
			faults_error(req, 400, "count, cpus, mem: numbers");
			goto out;
		}
		if ((fw = faults_one_framework(sim, req, p)) == NULL)
			goto out;
		n = task_bulk_launch(sim, fw, (size_t)x, y, z);
		faults_ok(sim, req, json_pack("{s:I}", "launched",
		    (json_int_t)n));
	} else if (strcmp(what, "error") == 0) {
		struct sim_framework **v = NULL;
		size_t i, n = faults_frameworks(sim, req, p, &v);
		const char *msg = faults_str(p, "message");

		for (i = 0; i < n; i++)
			fw_send_error(v[i], msg != NULL ? msg :
			    "Injected error");
		free(v);
		if (n > 0)
			faults_ok(sim, req, NULL);
	} else if (strcmp(what, "reset-counters") == 0) {
		memset(&sim->c, 0, sizeof sim->c);
		sim->ncalls = 0;
		faults_ok(sim, req, NULL);
	} else {
		faults_error(req, 404, "unknown fault '%s'", what);
	}
out:
	json_decref(p);
}
