/*
 * framework — frameworks as the master keeps them: SUBSCRIBE (new, with an
 * id after a failover of the scheduler or of the master, or refused with
 * an ERROR event on the stream), one subscription per framework ("Framework
 * failed over" to the old stream), heartbeats, the failover timeout after
 * a disconnection, removal (TEARDOWN, failover timeout) after which a
 * SUBSCRIBE with the id gets "Framework has been removed", and
 * UPDATE_FRAMEWORK. Every event a framework receives goes out through
 * fw_send().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "log.h"
#include "xmalloc.h"

static char fw_star[] = "*";

/* Finds a framework by id (any state). */
struct sim_framework *
fw_find(struct sim *sim, const char *id)
{
	return id == NULL ? NULL : htab_gets(&sim->frameworks, id);
}

/* Writes ev to fw's stream; 0 if written, -1 if not connected. */
int
fw_send(struct sim_framework *fw, const Mesos__V1__Scheduler__Event *ev)
{
	if (fw->state != SIM_FW_CONNECTED || fw->stream == NULL)
		return -1;
	if (sim_stream_event(fw->stream, ev) != 0)
		return -1;
	sim_count_event(fw->sim, (int)ev->type);
	return 0;
}

/* Writes an ERROR event to a stream. */
static void
fw_stream_error(struct sim *sim, struct sim_stream *st, const char *message)
{
	Mesos__V1__Scheduler__Event ev = MESOS__V1__SCHEDULER__EVENT__INIT;
	Mesos__V1__Scheduler__Event__Error err =
	    MESOS__V1__SCHEDULER__EVENT__ERROR__INIT;

	ev.has_type = 1;
	ev.type = MESOS__V1__SCHEDULER__EVENT__TYPE__ERROR;
	err.message = (char *)message;
	ev.error = &err;
	if (sim_stream_event(st, &ev) == 0)
		sim_count_event(sim, (int)ev.type);
}

/* Sends fw an ERROR event. */
void
fw_send_error(struct sim_framework *fw, const char *message)
{
	if (fw->stream != NULL)
		fw_stream_error(fw->sim, fw->stream, message);
}

/* Sends a HEARTBEAT. */
static void
fw_heartbeat_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sim_framework *fw = w->data;
	Mesos__V1__Scheduler__Event ev = MESOS__V1__SCHEDULER__EVENT__INIT;

	ev.has_type = 1;
	ev.type = MESOS__V1__SCHEDULER__EVENT__TYPE__HEARTBEAT;
	fw_send(fw, &ev);
}

/* Frees fw's offer filters and empties their table. */
static void
fw_filters_clear(struct sim_framework *fw)
{
	struct sim_filter *f;
	size_t i = 0;

	while ((f = htab_next(&fw->filters, &i)) != NULL) {
		res_clear(&f->refused);
		free(f->agent_id);
		free(f);
	}
	htab_clear(&fw->filters);
}

/* Removes fw: tasks killed, offers gone, stream ended, id remembered. */
static void
fw_remove(struct sim *sim, struct sim_framework *fw, const char *why)
{
	size_t i = 0;

	log_info("framework %s (%s) removed: %s", fw->id,
	    fw->name != NULL ? fw->name : "", why);
	if (fw->stream != NULL) {
		sim_stream_close(fw->stream, 0);
		fw->stream = NULL;
	}
	ev_timer_stop(sim->loop, &fw->heartbeat);
	ev_timer_stop(sim->loop, &fw->failover);
	alloc_remove_fw_offers(sim, fw, 0);
	for (i = 0; i < sim->nagents; i++)
		alloc_remove_inverses(sim, sim->agentv[i], fw);
	task_remove_fw(sim, fw);
	fw_filters_clear(fw);
	fw->state = SIM_FW_REMOVED;
	fw->unregistered_time = sim_wall();
}

/* The failover timeout passed with no resubscription. */
static void
fw_failover_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sim_framework *fw = w->data;

	if (fw->state == SIM_FW_DISCONNECTED)
		fw_remove(fw->sim, fw, "failover timeout");
}

/* Marks fw disconnected (its stream is gone) and starts the timeout. */
static void
fw_disconnected(struct sim *sim, struct sim_framework *fw)
{
	fw->state = SIM_FW_DISCONNECTED;
	fw->stream = NULL;
	fw->unregistered_time = sim_wall();
	ev_timer_stop(sim->loop, &fw->heartbeat);
	alloc_remove_fw_offers(sim, fw, 0);
	ev_timer_stop(sim->loop, &fw->failover);
	ev_timer_set(&fw->failover, fw->failover_timeout, 0);
	ev_timer_start(sim->loop, &fw->failover);
	log_info("framework %s disconnected; failover timeout %.3fs", fw->id,
	    fw->failover_timeout);
}

/* Called by httpd when fw's stream went away. */
void
fw_stream_gone(struct sim_stream *st, struct sim_framework *fw)
{
	if (fw->stream != st || fw->state != SIM_FW_CONNECTED)
		return;
	fw_disconnected(fw->sim, fw);
}

/* TEARDOWN: removes the framework. */
void
fw_teardown(struct sim *sim, struct sim_framework *fw)
{
	fw_remove(sim, fw, "TEARDOWN");
}

/*
 * A master failover: every stream breaks (abort) or ends, and the new
 * leader knows no framework until it subscribes again (or an agent with
 * its tasks reregisters). Failover timeouts are not kept (MESOS-4659).
 */
void
fw_disconnect_all(struct sim *sim, int abort)
{
	struct sim_framework *fw;
	size_t i = 0, r;

	while ((fw = htab_next(&sim->frameworks, &i)) != NULL) {
		if (fw->state == SIM_FW_REMOVED)
			continue;
		if (fw->stream != NULL)
			sim_stream_close(fw->stream, abort);
		fw->stream = NULL;
		fw->state = SIM_FW_DISCONNECTED;
		fw->known = 0;
		ev_timer_stop(sim->loop, &fw->heartbeat);
		ev_timer_stop(sim->loop, &fw->failover);
		for (r = 0; r < fw->nroles; r++)
			fw->suppressed[r] = 0;
	}
}

/* Returns the index of role in fw's roles, or -1. */
int
fw_role_index(const struct sim_framework *fw, const char *role)
{
	size_t i;

	for (i = 0; i < fw->nroles; i++) {
		if (strcmp(fw->roles[i], role) == 0)
			return (int)i;
	}
	return -1;
}

/* 1 if fi has the capability. */
static int
fw_has_cap(const Mesos__V1__FrameworkInfo *fi, int type)
{
	size_t i;

	for (i = 0; i < fi->n_capabilities; i++) {
		if (fi->capabilities[i]->has_type &&
		    (int)fi->capabilities[i]->type == type)
			return 1;
	}
	return 0;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
/* Returns why fi cannot be accepted, or NULL (Mesos' role checks). */
static const char *
fw_validate_info(const Mesos__V1__FrameworkInfo *fi)
{
	int multi = fw_has_cap(fi,
	    MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__MULTI_ROLE);
	size_t i, j;

	if (!multi && fi->n_roles > 0)
		return "'FrameworkInfo.roles' must not be set when the "
		    "framework is not MULTI_ROLE capable";
	if (multi && fi->role != NULL &&
	    fi->role != mesos__v1__framework_info__role__default_value)
		return "'FrameworkInfo.role' must not be set when the "
		    "framework is MULTI_ROLE capable";
	for (i = 0; i < fi->n_roles; i++) {
		if (fi->roles[i][0] == '\0' || strchr(fi->roles[i], ' ') ||
		    strcmp(fi->roles[i], ".") == 0 ||
		    strcmp(fi->roles[i], "..") == 0)
			return "'FrameworkInfo.roles' contains an invalid role";
		for (j = 0; j < i; j++) {
			if (strcmp(fi->roles[i], fi->roles[j]) == 0)
				return "'FrameworkInfo.roles' contains "
				    "duplicate roles";
		}
	}
	return NULL;
}

/* Copies fi's roles into fw (at least "*"). */
static void
fw_set_roles(struct sim_framework *fw, const Mesos__V1__FrameworkInfo *fi)
{
	size_t i;

	for (i = 0; i < fw->nroles; i++)
		free(fw->roles[i]);
	free(fw->roles);
	free(fw->suppressed);
	if (fi->n_roles > 0) {
		fw->nroles = fi->n_roles;
		fw->roles = xcalloc(fw->nroles, sizeof *fw->roles);
		for (i = 0; i < fw->nroles; i++)
			fw->roles[i] = xstrdup(fi->roles[i]);
	} else {
		fw->nroles = 1;
		fw->roles = xcalloc(1, sizeof *fw->roles);
		fw->roles[0] = xstrdup(fi->role != NULL ? fi->role : fw_star);
	}
	fw->suppressed = xcalloc(fw->nroles, sizeof *fw->suppressed);
}
#pragma GCC diagnostic pop

/* Replaces a string field. */
static void
fw_setstr(char **dst, const char *src)
{
	free(*dst);
	*dst = src == NULL ? NULL : xstrdup(src);
}

/* Copies a message (every part its own block; codec_free frees it). */
static void *
fw_copy_msg(const ProtobufCMessage *m)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *tmp = xmalloc(n);
	void *copy;

	protobuf_c_message_pack(m, tmp);
	copy = protobuf_c_message_unpack(m->descriptor, NULL, n, tmp);
	free(tmp);
	return copy;
}

/* Applies FrameworkInfo and suppressed roles to fw. */
static void
fw_apply_info(struct sim_framework *fw, const Mesos__V1__FrameworkInfo *fi,
    char **suppressed, size_t nsuppressed, const char *principal)
{
	size_t i;
	int r;

	fw_setstr(&fw->name, fi->name);
	fw_setstr(&fw->user, fi->user);
	fw_setstr(&fw->principal, fi->principal != NULL ? fi->principal :
	    principal);
	fw_setstr(&fw->hostname, fi->hostname);
	fw->checkpoint = fi->has_checkpoint && fi->checkpoint;
	fw->failover_timeout = fi->has_failover_timeout &&
	    fi->failover_timeout > 0 ? fi->failover_timeout : 0;
	fw->partition_aware = fw_has_cap(fi,
	    MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__PARTITION_AWARE);
	fw->killing_state = fw_has_cap(fi,
	    MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__TASK_KILLING_STATE);
	fw->multi_role = fw_has_cap(fi,
	    MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__MULTI_ROLE);
	fw_set_roles(fw, fi);
	for (i = 0; i < nsuppressed; i++) {
		r = fw_role_index(fw, suppressed[i]);
		if (r >= 0)
			fw->suppressed[r] = 1;
	}
	codec_free(fw->info);
	fw->info = fw_copy_msg(&fi->base);
	codec_free(fw->info->id);
	fw->info->id = NULL;
}

/* Makes a framework with id (or a new id from the leader). */
static struct sim_framework *
fw_create(struct sim *sim, const char *id)
{
	struct sim_framework *fw = xcalloc(1, sizeof *fw);
	struct sim_master *m = sim_leader(sim);

	fw->sim = sim;
	if (id != NULL)
		fw->id = xstrdup(id);
	else
		fw->id = xasprintf("%s-%04llu", m->id,
		    (unsigned long long)m->next_framework++);
	fw->state = SIM_FW_DISCONNECTED;
	htab_init(&fw->tasks);
	htab_init(&fw->filters);
	fw->completed = json_array();
	ev_timer_init(&fw->heartbeat, fw_heartbeat_cb, 0, 0);
	fw->heartbeat.data = fw;
	ev_timer_init(&fw->failover, fw_failover_cb, 0, 0);
	fw->failover.data = fw;
	fw->registered_time = sim_wall();
	htab_puts(&sim->frameworks, fw->id, fw);
	return fw;
}

/* Sends SUBSCRIBED and the first HEARTBEAT, and starts the heartbeats. */
static void
fw_send_subscribed(struct sim *sim, struct sim_framework *fw)
{
	Mesos__V1__Scheduler__Event ev = MESOS__V1__SCHEDULER__EVENT__INIT;
	Mesos__V1__Scheduler__Event__Subscribed sub =
	    MESOS__V1__SCHEDULER__EVENT__SUBSCRIBED__INIT;
	Mesos__V1__FrameworkID fid = MESOS__V1__FRAMEWORK_ID__INIT;
	Mesos__V1__MasterInfo mi;
	Mesos__V1__Address addr;
	Mesos__V1__MasterInfo__Capability *capv[3], caps[3];

	fid.value = fw->id;
	masters_info_pb(sim, sim_leader(sim), &mi, &addr, capv, caps);
	sub.framework_id = &fid;
	sub.has_heartbeat_interval_seconds = 1;
	sub.heartbeat_interval_seconds = sim->cfg.heartbeat;
	sub.master_info = &mi;
	ev.has_type = 1;
	ev.type = MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED;
	ev.subscribed = &sub;
	fw_send(fw, &ev);
	sim->c.subscribes++;
	fw_heartbeat_cb(sim->loop, &fw->heartbeat, 0);
	ev_timer_stop(sim->loop, &fw->heartbeat);
	ev_timer_set(&fw->heartbeat, sim->cfg.heartbeat, sim->cfg.heartbeat);
	ev_timer_start(sim->loop, &fw->heartbeat);
}

/*
 * Returns why an update of fw to fi is refused (immutable fields), or NULL.
 * The result is a static buffer.
 */
static const char *
fw_check_immutable(const struct sim_framework *fw,
    const Mesos__V1__FrameworkInfo *fi)
{
	static char msg[512];
	const char *p = fi->principal != NULL ? fi->principal : "";
	const char *fp = fw->principal != NULL ? fw->principal : "";
	const char *u = fi->user != NULL ? fi->user : "";
	const char *fu = fw->user != NULL ? fw->user : "";
	int cp = fi->has_checkpoint && fi->checkpoint;

	if (fi->principal != NULL && strcmp(p, fp) != 0) {
		snprintf(msg, sizeof msg, "Changing framework's principal is "
		    "not allowed: '%s' -> '%s'", fp, p);
		return msg;
	}
	if (strcmp(u, fu) != 0) {
		snprintf(msg, sizeof msg, "Updating 'FrameworkInfo.user' is "
		    "unsupported: '%s' -> '%s'", fu, u);
		return msg;
	}
	if (cp != fw->checkpoint) {
		snprintf(msg, sizeof msg, "Updating 'FrameworkInfo.checkpoint'"
		    " is unsupported");
		return msg;
	}
	return NULL;
}

/*
 * SUBSCRIBE: answers req with the stream (200) and then SUBSCRIBED, or an
 * ERROR event and the end of the stream when the subscription is refused,
 * exactly as a Mesos master does. principal is the authenticated one.
 */
void
fw_subscribe(struct sim *sim, struct sim_req *req,
    Mesos__V1__Scheduler__Call *call, enum codec_type codec,
    const char *principal)
{
	Mesos__V1__Scheduler__Call__Subscribe *sub = call->subscribe;
	Mesos__V1__FrameworkInfo *fi = sub->framework_info;
	struct sim_framework *fw = NULL;
	struct sim_stream *st;
	const char *err, *id = NULL;
	char sid[37];

	sim_uuid_str(sim, sid);
	st = sim_http_stream(req, codec, sid);
	if (fi->id != NULL && fi->id->value != NULL && fi->id->value[0])
		id = fi->id->value;
	err = fw_validate_info(fi);
	if (err == NULL && id != NULL) {
		fw = fw_find(sim, id);
		if (fw != NULL && fw->state == SIM_FW_REMOVED)
			err = "Framework has been removed";
		else if (fw != NULL)
			err = fw_check_immutable(fw, fi);
	}
	if (err != NULL) {
		log_info("framework %s: SUBSCRIBE refused: %s",
		    id != NULL ? id : "(new)", err);
		fw_stream_error(sim, st, err);
		sim_stream_close(st, 0);
		return;
	}
	if (fw == NULL) {
		fw = fw_create(sim, id);
	} else {
		if (fw->state == SIM_FW_CONNECTED && fw->stream != NULL) {
			log_info("framework %s failed over (stream %s -> %s)",
			    fw->id, sim_stream_id(fw->stream), sid);
			fw_stream_error(sim, fw->stream,
			    "Framework failed over");
			sim_stream_close(fw->stream, 0);
			sim->c.failovers++;
		}
		alloc_remove_fw_offers(sim, fw, 0);
		ev_timer_stop(sim->loop, &fw->failover);
		fw->reregistered_time = sim_wall();
	}
	fw_apply_info(fw, fi, sub->suppressed_roles, sub->n_suppressed_roles,
	    principal);
	fw->stream = st;
	sim_stream_set_framework(st, fw);
	fw->state = SIM_FW_CONNECTED;
	fw->known = 1;
	log_info("framework %s (%s) subscribed, stream %s, %s", fw->id,
	    fw->name != NULL ? fw->name : "", sid, codec_name(codec));
	fw_send_subscribed(sim, fw);
	task_resume_fw(sim, fw);
	alloc_soon(sim);
}

/*
 * UPDATE_FRAMEWORK: replaces FrameworkInfo and the suppressed roles.
 * Returns -1 with *cause (caller frees) if the update is invalid (400).
 */
int
fw_update(struct sim *sim, struct sim_framework *fw,
    Mesos__V1__Scheduler__Call__UpdateFramework *u, char **cause)
{
	Mesos__V1__FrameworkInfo *fi = u->framework_info;
	struct sim_offer *o, *next;
	const char *err;
	size_t r;

	if (fi == NULL) {
		*cause = xstrdup("Expecting 'framework_info' to be present");
		return -1;
	}
	if (fi->id == NULL || fi->id->value == NULL ||
	    strcmp(fi->id->value, fw->id) != 0) {
		*cause = xstrdup("'framework_info.id' is not equal to "
		    "'framework_id'");
		return -1;
	}
	err = fw_validate_info(fi);
	if (err == NULL)
		err = fw_check_immutable(fw, fi);
	if (err != NULL) {
		*cause = xstrdup(err);
		return -1;
	}
	fw_apply_info(fw, fi, u->suppressed_roles, u->n_suppressed_roles,
	    fw->principal);
	/* Offers for roles the framework left are rescinded. */
	for (o = fw->offers; o != NULL; o = next) {
		next = o->next;
		if (fw_role_index(fw, o->role) < 0)
			alloc_remove_offer(sim, o, 1);
	}
	for (r = 0; r < fw->nroles; r++) {
		if (!fw->suppressed[r]) {
			alloc_soon(sim);
			break;
		}
	}
	return 0;
}

/* Frees a framework and everything it owns (at exit). */
void
fw_free(struct sim_framework *fw)
{
	struct sim *sim = fw->sim;
	size_t i;

	if (fw->stream != NULL)
		sim_stream_set_framework(fw->stream, NULL);
	ev_timer_stop(sim->loop, &fw->heartbeat);
	ev_timer_stop(sim->loop, &fw->failover);
	alloc_remove_fw_offers(sim, fw, 0);
	task_remove_fw(sim, fw);
	htab_clear(&fw->tasks);
	fw_filters_clear(fw);
	for (i = 0; i < fw->nroles; i++)
		free(fw->roles[i]);
	free(fw->roles);
	free(fw->suppressed);
	codec_free(fw->info);
	task_flood_free(fw->flood);
	json_decref(fw->completed);
	free(fw->name);
	free(fw->user);
	free(fw->principal);
	free(fw->hostname);
	free(fw->id);
	free(fw);
}

/* Describes fw for /state (tasks unless with_tasks is 0, offers, stream). */
json_t *
fw_json(const struct sim_framework *fw, int with_tasks)
{
	json_t *o, *roles = json_array(), *sup = json_array(), *caps;
	json_t *tasks = json_array(), *offers = json_array();
	struct sim_task *t;
	struct sim_offer *of;
	size_t i = 0;

	for (i = 0; i < fw->nroles; i++) {
		json_array_append_new(roles, json_string(fw->roles[i]));
		if (fw->suppressed[i])
			json_array_append_new(sup, json_string(fw->roles[i]));
	}
	caps = json_array();
	if (fw->partition_aware)
		json_array_append_new(caps, json_string("PARTITION_AWARE"));
	if (fw->killing_state)
		json_array_append_new(caps, json_string("TASK_KILLING_STATE"));
	if (fw->multi_role)
		json_array_append_new(caps, json_string("MULTI_ROLE"));
	i = 0;
	while (with_tasks && (t = htab_next(&fw->tasks, &i)) != NULL)
		json_array_append_new(tasks, task_json(t));
	for (of = fw->offers; of != NULL; of = of->next)
		json_array_append_new(offers, alloc_offer_json(of));
	o = json_pack("{s:s,s:s?,s:s?,s:s?,s:s,s:b,s:b,s:b,s:f,s:b,s:o,s:o,"
	    "s:o,s:f,s:f,s:f,s:o,s:o,s:o,s:I,s:I}",
	    "id", fw->id, "name", fw->name, "user", fw->user,
	    "principal", fw->principal, "state", sim_fw_state_name(fw->state),
	    "active", fw->state == SIM_FW_CONNECTED,
	    "connected", fw->state == SIM_FW_CONNECTED,
	    "recovered", !fw->known,
	    "failover_timeout", fw->failover_timeout,
	    "checkpoint", fw->checkpoint, "roles", roles,
	    "suppressed_roles", sup, "capabilities", caps,
	    "registered_time", fw->registered_time,
	    "reregistered_time", fw->reregistered_time,
	    "unregistered_time", fw->unregistered_time,
	    "tasks", tasks, "completed_tasks", with_tasks ?
	    json_incref(fw->completed) : json_array(),
	    "offers", offers, "calls", (json_int_t)fw->calls,
	    "task_count", (json_int_t)fw->tasks.n);
	if (fw->stream != NULL)
		json_object_set_new(o, "stream", sim_stream_json(fw->stream));
	return o;
}
