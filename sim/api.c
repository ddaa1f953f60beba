/*
 * api — POST /api/v1/scheduler, in the order Mesos 1.12's
 * Master::Http::scheduler checks things: authentication (401), leadership
 * (307 to the leader, scheme-relative, or 503 "No leader elected"),
 * recovery (503), method (405), Content-Type (400 if absent, 415 if not
 * exactly application/json or application/x-protobuf), the body (400),
 * validation of the call (400), Accept for SUBSCRIBE (406), the stream id
 * rules (400), the framework (400 "Framework cannot be found", 403
 * "Framework is not subscribed"), then the call itself (202; 200 for
 * UPDATE_FRAMEWORK and RECONCILE_OPERATIONS; 501 for UNKNOWN). Every call
 * is counted by type and by the status it got, and injected failures
 * (faults.c) answer before the call takes effect.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"
#include "log.h"
#include "xmalloc.h"

#define CT(x)	MESOS__V1__SCHEDULER__CALL__TYPE__##x

/* Decodes standard base64 (padding optional); -1 if malformed. */
static int
api_b64_decode(const char *s, struct buf *out)
{
	unsigned int acc = 0;
	int bits = 0;

	for (; *s != '\0' && *s != '='; s++) {
		const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		const char *p = strchr(alpha, *s);
		char c;

		if (p == NULL || *s == '\0')
			return -1;
		acc = (acc << 6) | (unsigned int)(p - alpha);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			c = (char)((acc >> bits) & 0xff);
			buf_add(out, &c, 1);
		}
	}
	return 0;
}

/*
 * Checks HTTP Basic credentials when --authenticate is on. Returns 0 with
 * *principal (caller frees) on success; -1 after answering 401.
 */
int
api_authenticate(struct sim *sim, struct sim_req *req, char **principal)
{
	static const char *const extra[] = {
		"WWW-Authenticate", "Basic realm=\"mesos\"", NULL,
	};
	const char *h = req->authorization, *secret;
	struct buf b;
	char *colon;

	*principal = NULL;
	if (!sim->cfg.authenticate)
		return 0;
	buf_init(&b, 4096);
	if (h == NULL || strncasecmp(h, "Basic ", 6) != 0)
		goto fail;
	h += 6;
	while (*h == ' ')
		h++;
	if (api_b64_decode(h, &b) != 0 || b.data == NULL)
		goto fail;
	colon = strchr(b.data, ':');
	if (colon == NULL)
		goto fail;
	*colon = '\0';
	secret = json_string_value(json_object_get(sim->credentials, b.data));
	if (secret == NULL || strcmp(secret, colon + 1) != 0)
		goto fail;
	*principal = xstrdup(b.data);
	buf_clear(&b);
	return 0;
fail:
	buf_clear(&b);
	sim_http_reply(req, 401, "text/plain; charset=utf-8", "", 0, extra);
	return -1;
}

/*
 * Answers 405 to a request that is not a POST and 400 to one without a
 * Content-Type, as the master's API endpoints do; 0 if req is neither.
 */
int
api_expect_post(struct sim_req *req)
{
	static const char *const allow[] = { "Allow", "POST", NULL };
	char *m;

	if (strcmp(req->method, "POST") != 0) {
		m = xasprintf("Expecting one of { 'POST' }, but received '%s'",
		    req->method);
		sim_http_reply(req, 405, "text/plain; charset=utf-8", m,
		    strlen(m), allow);
		free(m);
		return -1;
	}
	if (req->content_type == NULL) {
		sim_http_text(req, 400, "Expecting 'Content-Type' to be present");
		return -1;
	}
	return 0;
}

/*
 * Answers a request to a master that does not lead: 307 to the leader with
 * a scheme-relative Location carrying the leader's "/master" prefix, as
 * libprocess' redirect does; 503 if no master leads.
 */
void
api_redirect(struct sim *sim, struct sim_req *req, const char *path)
{
	struct sim_master *m = sim_leader(sim);
	const char *extra[3] = { "Location", NULL, NULL };
	char *loc;

	if (m == NULL) {
		sim_http_text(req, 503, "No leader elected");
		return;
	}
	if (strcmp(path, "/redirect") == 0 ||
	    strcmp(path, "/master/redirect") == 0)
		loc = xasprintf("//%s:%d", sim->cfg.hostname, m->port);
	else if (strncmp(path, "/redirect/", 10) == 0 ||
	    strncmp(path, "/master/redirect/", 17) == 0) {
		sim_http_text(req, 404, "");
		return;
	} else if (strncmp(path, "/master/", 8) == 0)
		loc = xasprintf("//%s:%d%s", sim->cfg.hostname, m->port, path);
	else
		loc = xasprintf("//%s:%d/master%s", sim->cfg.hostname, m->port,
		    path);
	extra[1] = loc;
	sim_http_reply(req, 307, NULL, "", 0, extra);
	free(loc);
}

/* 1 if the Accept header allows media type t (absent allows all). */
static int
api_accepts(const char *accept, const char *t)
{
	const char *p = accept;
	size_t tl = strlen(t);

	if (accept == NULL || *accept == '\0')
		return 1;
	while (*p != '\0') {
		const char *end = strchr(p, ','), *semi, *q;
		size_t n;
		double qv = 1;

		if (end == NULL)
			end = p + strlen(p);
		while (p < end && isspace((unsigned char)*p))
			p++;
		semi = memchr(p, ';', (size_t)(end - p));
		n = (size_t)((semi != NULL ? semi : end) - p);
		while (n > 0 && isspace((unsigned char)p[n - 1]))
			n--;
		for (q = semi; q != NULL && q < end; q = memchr(q + 1, ';',
		    (size_t)(end - q - 1))) {
			const char *v = q + 1;

			while (v < end && isspace((unsigned char)*v))
				v++;
			if (v + 2 <= end && (v[0] == 'q' || v[0] == 'Q') &&
			    v[1] == '=')
				qv = strtod(v + 2, NULL);
		}
		if (qv > 0 && ((n == tl && strncasecmp(p, t, n) == 0) ||
		    (n == 3 && strncmp(p, "*/*", 3) == 0) ||
		    (n > 2 && p[n - 1] == '*' && p[n - 2] == '/' &&
		    strncasecmp(p, t, n - 1) == 0)))
			return 1;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

/* Picks the response encoding from Accept; -1 if neither is allowed. */
static int
api_accept_codec(const char *accept, enum codec_type *c)
{
	if (api_accepts(accept, "application/json"))
		*c = CODEC_JSON;
	else if (api_accepts(accept, "application/x-protobuf"))
		*c = CODEC_PROTOBUF;
	else
		return -1;
	return 0;
}

/* Answers 400 with Mesos' "Failed to validate scheduler::Call: " prefix. */
static void
api_invalid(struct sim_req *req, const char *why)
{
	char *m = xasprintf("Failed to validate scheduler::Call: %s", why);

	sim_http_text(req, 400, m);
	free(m);
}

/* Returns the validation error for call (Mesos' wording), or NULL. */
static const char *
api_validate(const Mesos__V1__Scheduler__Call *c, const char *principal)
{
	static char msg[512];

	if (!c->has_type)
		return "Expecting 'type' to be present";
	if (c->type == CT(SUBSCRIBE)) {
		const Mesos__V1__FrameworkInfo *fi;
		const char *a, *b;

		if (c->subscribe == NULL)
			return "Expecting 'subscribe' to be present";
		fi = c->subscribe->framework_info;
		if (fi == NULL)
			return "Not initialized: subscribe.framework_info";
		if (fi->user == NULL)
			return "Not initialized: subscribe.framework_info.user";
		if (fi->name == NULL)
			return "Not initialized: subscribe.framework_info.name";
		a = c->framework_id != NULL ? c->framework_id->value : NULL;
		b = fi->id != NULL ? fi->id->value : NULL;
		if ((a == NULL) != (b == NULL) ||
		    (a != NULL && strcmp(a, b) != 0))
			return "'framework_id' differs from "
			    "'subscribe.framework_info.id'";
		if (principal != NULL && fi->principal != NULL &&
		    strcmp(principal, fi->principal) != 0) {
			snprintf(msg, sizeof msg, "Authenticated principal "
			    "'%s' does not match principal '%s' set in "
			    "`FrameworkInfo`", principal, fi->principal);
			return msg;
		}
		return NULL;
	}
	if (c->framework_id == NULL || c->framework_id->value == NULL)
		return "Expecting 'framework_id' to be present";
	switch (c->type) {
	case CT(ACCEPT):
		return c->accept == NULL ? "Expecting 'accept' to be present" :
		    NULL;
	case CT(DECLINE):
		return c->decline == NULL ? "Expecting 'decline' to be present" :
		    NULL;
	case CT(ACCEPT_INVERSE_OFFERS):
		return c->accept_inverse_offers == NULL ? "Expecting "
		    "'accept_inverse_offers' to be present" : NULL;
	case CT(DECLINE_INVERSE_OFFERS):
		return c->decline_inverse_offers == NULL ? "Expecting "
		    "'decline_inverse_offers' to be present" : NULL;
	case CT(KILL):
		return c->kill == NULL ? "Expecting 'kill' to be present" :
		    NULL;
	case CT(SHUTDOWN):
		return c->shutdown == NULL ? "Expecting 'shutdown' to be "
		    "present" : NULL;
	case CT(ACKNOWLEDGE):
		if (c->acknowledge == NULL)
			return "Expecting 'acknowledge' to be present";
		if (c->acknowledge->uuid.len != 16)
			return "Not a valid UUID";
		return NULL;
	case CT(ACKNOWLEDGE_OPERATION_STATUS):
		return c->acknowledge_operation_status == NULL ? "Expecting "
		    "'acknowledge_operation_status' to be present" : NULL;
	case CT(RECONCILE):
		return c->reconcile == NULL ? "Expecting 'reconcile' to be "
		    "present" : NULL;
	case CT(RECONCILE_OPERATIONS):
		return c->reconcile_operations == NULL ? "Expecting "
		    "'reconcile_operations' to be present" : NULL;
	case CT(MESSAGE):
		return c->message == NULL ? "Expecting 'message' to be "
		    "present" : NULL;
	case CT(REQUEST):
		return c->request == NULL ? "Expecting 'request' to be "
		    "present" : NULL;
	case CT(UPDATE_FRAMEWORK):
		return c->update_framework == NULL ? "Expecting "
		    "'update_framework' to be present" : NULL;
	default:
		return NULL;
	}
}

/* Decodes the body into a Call; answers 400 and returns NULL on error. */
static Mesos__V1__Scheduler__Call *
api_decode(struct sim_req *req, enum codec_type codec)
{
	Mesos__V1__Scheduler__Call *call;
	json_error_t jerr;
	char *cause = NULL, *m;
	json_t *j;

	if (codec == CODEC_PROTOBUF) {
		call = codec_decode_call(CODEC_PROTOBUF, req->body.data,
		    req->body.len, &cause);
		if (call == NULL) {
			log_debug("api: bad protobuf call: %s", cause);
			sim_http_text(req, 400,
			    "Failed to parse body into Call protobuf");
		}
		free(cause);
		return call;
	}
	j = json_loadb(req->body.data != NULL ? req->body.data : "",
	    req->body.len, JSON_DECODE_ANY, &jerr);
	if (j == NULL) {
		m = xasprintf("Failed to parse body into JSON: %s", jerr.text);
		sim_http_text(req, 400, m);
		free(m);
		return NULL;
	}
	call = (Mesos__V1__Scheduler__Call *)codec_from_json(
	    &mesos__v1__scheduler__call__descriptor, j, &cause);
	json_decref(j);
	if (call == NULL) {
		m = xasprintf("Failed to convert JSON into Call protobuf: %s",
		    cause != NULL ? cause : "invalid");
		sim_http_text(req, 400, m);
		free(m);
	}
	free(cause);
	return call;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
/* Answers RECONCILE_OPERATIONS: 200 with an empty list (no operations). */
static void
api_reconcile_operations(struct sim_req *req, enum codec_type codec)
{
	Mesos__V1__Scheduler__Response r = MESOS__V1__SCHEDULER__RESPONSE__INIT;
	struct buf b;

	r.has_type = 1;
	r.type = MESOS__V1__SCHEDULER__RESPONSE__TYPE__RECONCILE_OPERATIONS;
	buf_init(&b, 0);
	if (codec_encode(codec, &r.base, &b, NULL) != 0)
		sim_http_text(req, 500, "cannot encode the response");
	else
		sim_http_reply(req, 200, codec_content_type(codec), b.data,
		    b.len, NULL);
	buf_clear(&b);
}
#pragma GCC diagnostic pop

/* Carries out a call of a subscribed framework; answers req. */
static void
api_dispatch(struct sim *sim, struct sim_req *req, struct sim_framework *fw,
    Mesos__V1__Scheduler__Call *c)
{
	enum codec_type codec;
	char *cause = NULL;

	switch (c->type) {
	case CT(TEARDOWN):
		fw_teardown(sim, fw);
		break;
	case CT(ACCEPT):
		task_accept(sim, fw, c->accept);
		break;
	case CT(DECLINE):
		alloc_decline(sim, fw, c->decline);
		break;
	case CT(ACCEPT_INVERSE_OFFERS):
		alloc_inverse_answer(sim, fw,
		    c->accept_inverse_offers->inverse_offer_ids,
		    c->accept_inverse_offers->n_inverse_offer_ids,
		    c->accept_inverse_offers->filters, 1);
		break;
	case CT(DECLINE_INVERSE_OFFERS):
		alloc_inverse_answer(sim, fw,
		    c->decline_inverse_offers->inverse_offer_ids,
		    c->decline_inverse_offers->n_inverse_offer_ids,
		    c->decline_inverse_offers->filters, 0);
		break;
	case CT(REVIVE):
		alloc_revive(sim, fw, c->revive != NULL ? c->revive->roles :
		    NULL, c->revive != NULL ? c->revive->n_roles : 0);
		break;
	case CT(SUPPRESS):
		alloc_suppress(sim, fw, c->suppress != NULL ?
		    c->suppress->roles : NULL, c->suppress != NULL ?
		    c->suppress->n_roles : 0);
		break;
	case CT(KILL):
		task_kill(sim, fw, c->kill);
		break;
	case CT(SHUTDOWN):
		task_shutdown(sim, fw, c->shutdown);
		break;
	case CT(ACKNOWLEDGE):
		task_acknowledge(sim, fw, c->acknowledge);
		break;
	case CT(RECONCILE):
		task_reconcile(sim, fw, c->reconcile);
		break;
	case CT(RECONCILE_OPERATIONS):
		if (api_accept_codec(req->accept, &codec) != 0) {
			sim_http_text(req, 406, "Expecting 'Accept' to allow "
			    "'application/x-protobuf' or 'application/json'");
			return;
		}
		api_reconcile_operations(req, codec);
		return;
	case CT(ACKNOWLEDGE_OPERATION_STATUS):
	case CT(MESSAGE):
	case CT(REQUEST):
		break;
	case CT(UPDATE_FRAMEWORK):
		if (fw_update(sim, fw, c->update_framework, &cause) != 0) {
			sim_http_text(req, 400, cause);
			free(cause);
			return;
		}
		sim_http_reply(req, 200, NULL, "", 0, NULL);
		return;
	default:
		log_warn("api: received an UNKNOWN call");
		sim_http_text(req, 501, "");
		return;
	}
	sim_http_reply(req, 202, NULL, "", 0, NULL);
}

/* Returns how many tasks, offers or ids a call carries. */
static uint32_t
api_items(const Mesos__V1__Scheduler__Call *c)
{
	if (c == NULL)
		return 0;
	switch (c->type) {
	case CT(ACCEPT):
		return c->accept != NULL ? (uint32_t)c->accept->n_offer_ids : 0;
	case CT(DECLINE):
		return c->decline != NULL ? (uint32_t)c->decline->n_offer_ids :
		    0;
	case CT(RECONCILE):
		return c->reconcile != NULL ? (uint32_t)c->reconcile->n_tasks :
		    0;
	case CT(ACKNOWLEDGE):
	case CT(KILL):
	case CT(SHUTDOWN):
		return 1;
	default:
		return 0;
	}
}

/* Counts the call and the status it got, and records it for /calls. */
static void
api_count(struct sim *sim, struct sim_req *req, int type,
    const Mesos__V1__Scheduler__Call *call)
{
	struct sim_call_rec *r;
	int s = req->status;

	if (s >= 0 && s < SIM_STATUS_MAX)
		sim->c.status[s]++;
	if (type >= 0 && type < SIM_CALL_TYPES)
		sim->c.call_status[type][sim_status_index(s)]++;
	if (sim->calls == NULL)
		sim->calls = xcalloc(SIM_CALL_LOG, sizeof *sim->calls);
	r = &sim->calls[sim->ncalls++ % SIM_CALL_LOG];
	r->at = sim_wall();
	r->type = (int16_t)type;
	r->status = (int16_t)s;
	r->items = api_items(call);
	snprintf(r->fw, sizeof r->fw, "%s", call != NULL &&
	    call->framework_id != NULL && call->framework_id->value != NULL ?
	    call->framework_id->value : "");
}

/* POST /api/v1/scheduler (and /master/api/v1/scheduler). */
void
api_scheduler(struct sim *sim, struct sim_req *req)
{
	Mesos__V1__Scheduler__Call *call = NULL;
	struct sim_framework *fw;
	enum codec_type codec, accept;
	const char *err, *fid;
	char *principal = NULL, *m;
	int type = -1, st;

	if (api_authenticate(sim, req, &principal) != 0)
		goto out;
	if (sim_server_index(req->srv) != sim->leader) {
		api_redirect(sim, req, req->path);
		goto out;
	}
	if (masters_recovering(sim)) {
		sim_http_text(req, 503, "Master has not finished recovery");
		goto out;
	}
	if (api_expect_post(req) != 0)
		goto out;
	if (strcmp(req->content_type, "application/x-protobuf") == 0)
		codec = CODEC_PROTOBUF;
	else if (strcmp(req->content_type, "application/json") == 0)
		codec = CODEC_JSON;
	else {
		sim_http_text(req, 415, "Expecting 'Content-Type' of "
		    "application/json or application/x-protobuf");
		goto out;
	}
	call = api_decode(req, codec);
	if (call == NULL) {
		sim->c.calls_invalid++;
		goto out;
	}
	type = call->has_type ? (int)call->type : -1;
	if (type >= 0 && type < SIM_CALL_TYPES)
		sim->c.calls[type]++;
	else
		sim->c.calls_invalid++;
	st = faults_fail_call(sim, type, type == CT(SUBSCRIBE));
	if (st != 0) {
		sim_http_text(req, st, st == 503 ? "Service Unavailable "
		    "(injected)" : "Internal Server Error (injected)");
		goto out;
	}
	err = api_validate(call, principal);
	if (err != NULL) {
		api_invalid(req, err);
		goto out;
	}
	if (call->type == CT(SUBSCRIBE)) {
		if (api_accept_codec(req->accept, &accept) != 0) {
			sim_http_text(req, 406, "Expecting 'Accept' to allow "
			    "'application/x-protobuf' or 'application/json'");
			goto out;
		}
		if (req->has_stream_id) {
			sim_http_text(req, 400, "Subscribe calls should not "
			    "include the 'Mesos-Stream-Id' header");
			goto out;
		}
		fw_subscribe(sim, req, call, accept, principal);
		goto out;
	}
	fid = call->framework_id->value;
	fw = fw_find(sim, fid);
	if (fw == NULL || fw->state == SIM_FW_REMOVED || !fw->known) {
		sim_http_text(req, 400, "Framework cannot be found");
		goto out;
	}
	fw->calls++;
	if (principal != NULL && (fw->principal == NULL ||
	    strcmp(principal, fw->principal) != 0)) {
		m = xasprintf("Authenticated principal '%s' does not match "
		    "principal '%s' set in `FrameworkInfo`", principal,
		    fw->principal != NULL ? fw->principal : "");
		sim_http_text(req, 400, m);
		free(m);
		goto out;
	}
	if (fw->state != SIM_FW_CONNECTED || fw->stream == NULL) {
		sim_http_text(req, 403, "Framework is not subscribed");
		goto out;
	}
	if (!req->has_stream_id) {
		sim_http_text(req, 400, "All non-subscribe calls should include "
		    "the 'Mesos-Stream-Id' header");
		goto out;
	}
	if (strcmp(req->stream_id, sim_stream_id(fw->stream)) != 0) {
		m = xasprintf("The stream ID '%s' included in this request "
		    "didn't match the stream ID currently associated with "
		    "framework ID %s", req->stream_id, fw->id);
		sim_http_text(req, 400, m);
		free(m);
		goto out;
	}
	api_dispatch(sim, req, fw, call);
out:
	api_count(sim, req, type, call);
	codec_free(call);
	free(principal);
}
