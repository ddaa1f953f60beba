/*
 * sim — the simulator as a whole: configuration defaults, creation and
 * teardown of the model and its servers, the port file, ids (a fast
 * seeded generator for uuids, so a run can be repeated), time, and the
 * names of the model's enums. The behaviour lives in the other sim/
 * modules; this file wires them together.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

#include "sim.h"
#include "log.h"
#include "xmalloc.h"

/* Fills cfg with the defaults documented in sim/README.md. */
void
sim_config_defaults(struct sim_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->hostname = "127.0.0.1";
	cfg->port = 5050;
	cfg->masters = 1;
	cfg->control_port = 0;
	cfg->agents = 3;
	cfg->agent_resources = "cpus:4;mem:8192;disk:100000;"
	    "ports:[31000-32000]";
	cfg->heartbeat = 15;
	cfg->allocation_interval = 1;
	cfg->offer_timeout = 0;
	cfg->refuse_default = 5;
	cfg->update_retry = 10;
	cfg->update_retry_max = 600;
	cfg->start_delay = 0.005;
	cfg->run_delay = 0.005;
	cfg->kill_delay = 0.05;
	cfg->kill_grace = 3;
	cfg->behaviour = SIM_RUN;
	cfg->health_delay = 0.05;
	cfg->recovery_delay = 0;
	cfg->reregister_delay = 0;
	cfg->unreachable_timeout = 75;
	cfg->max_body = 16u * 1024 * 1024;
	cfg->max_stream_buffer = 512u * 1024 * 1024;
}

static const char *sim_behaviour_names[SIM_BEHAVIOUR_MAX] = {
	"run", "finish", "fail", "stuck",
};

/* Names a task behaviour. */
const char *
sim_behaviour_name(enum sim_behaviour b)
{
	return (unsigned)b < SIM_BEHAVIOUR_MAX ? sim_behaviour_names[b] : "?";
}

/* Parses "run", "stuck", "finish:SECONDS" or "fail:SECONDS". */
int
sim_behaviour_parse(const char *s, enum sim_behaviour *b, double *after)
{
	const char *colon = strchr(s, ':');
	size_t n = colon == NULL ? strlen(s) : (size_t)(colon - s);
	int i;

	*after = 0;
	for (i = 0; i < SIM_BEHAVIOUR_MAX; i++) {
		if (strlen(sim_behaviour_names[i]) == n &&
		    strncmp(s, sim_behaviour_names[i], n) == 0)
			break;
	}
	if (i == SIM_BEHAVIOUR_MAX)
		return -1;
	*b = (enum sim_behaviour)i;
	if (colon != NULL) {
		char *end;

		errno = 0;
		*after = strtod(colon + 1, &end);
		if (errno != 0 || end == colon + 1 || *end != '\0' ||
		    *after < 0 || !isfinite(*after))
			return -1;
	} else if (*b == SIM_FINISH || *b == SIM_FAIL) {
		*after = 1;
	}
	return 0;
}

static const char *sim_health_names[SIM_HEALTH_MAX] = {
	"healthy", "unhealthy", "healthy-after", "unhealthy-after",
};

/* Names a health behaviour. */
const char *
sim_health_name(enum sim_health h)
{
	return (unsigned)h < SIM_HEALTH_MAX ? sim_health_names[h] : "?";
}

/* Parses "healthy", "unhealthy", "healthy-after:T" or "unhealthy-after:T". */
int
sim_health_parse(const char *s, enum sim_health *h, double *after)
{
	const char *colon = strchr(s, ':');
	size_t n = colon == NULL ? strlen(s) : (size_t)(colon - s);
	int i;

	*after = 0;
	for (i = 0; i < SIM_HEALTH_MAX; i++)
		if (strlen(sim_health_names[i]) == n &&
		    strncmp(s, sim_health_names[i], n) == 0)
			break;
	if (i == SIM_HEALTH_MAX)
		return -1;
	*h = (enum sim_health)i;
	/* the -after forms need their time, the others take none */
	if ((colon != NULL) != (*h == SIM_HEALTHY_AFTER ||
	    *h == SIM_UNHEALTHY_AFTER))
		return -1;
	if (colon != NULL) {
		char *end;

		errno = 0;
		*after = strtod(colon + 1, &end);
		if (errno != 0 || end == colon + 1 || *end != '\0' ||
		    *after < 0 || !isfinite(*after))
			return -1;
	}
	return 0;
}

/* Loads a Mesos credentials file ({"credentials":[{principal,secret}]}). */
static int
sim_load_credentials(struct sim *sim, char **cause)
{
	json_error_t jerr;
	json_t *root, *list, *c;
	size_t i;

	sim->credentials = json_object();
	if (sim->cfg.principal != NULL)
		json_object_set_new(sim->credentials, sim->cfg.principal,
		    json_string(sim->cfg.secret != NULL ? sim->cfg.secret : ""));
	if (sim->cfg.credentials == NULL)
		return 0;
	root = json_load_file(sim->cfg.credentials, 0, &jerr);
	if (root == NULL) {
		*cause = xasprintf("%s:%d: %s", sim->cfg.credentials,
		    jerr.line, jerr.text);
		return -1;
	}
	list = json_object_get(root, "credentials");
	if (!json_is_array(list)) {
		*cause = xasprintf("%s: expected {\"credentials\": [...]}",
		    sim->cfg.credentials);
		json_decref(root);
		return -1;
	}
	json_array_foreach(list, i, c) {
		const char *p = json_string_value(json_object_get(c,
		    "principal"));
		const char *s = json_string_value(json_object_get(c, "secret"));

		if (p == NULL || s == NULL) {
			*cause = xasprintf("%s: credentials[%zu]: expected "
			    "string principal and secret",
			    sim->cfg.credentials, i);
			json_decref(root);
			return -1;
		}
		json_object_set_new(sim->credentials, p, json_string(s));
	}
	json_decref(root);
	return 0;
}

/*
 * Creates the model (no sockets yet). cfg is copied; its strings must
 * outlive the simulator. NULL with *cause (caller frees) on bad input.
 */
struct sim *
sim_create(struct ev_loop *loop, const struct sim_config *cfg, char **cause)
{
	struct sim *sim = xcalloc(1, sizeof *sim);
	uint64_t seed = cfg->seed;

	sim->loop = loop;
	sim->cfg = *cfg;
	sim->leader = -1;
	htab_init(&sim->agents);
	htab_init(&sim->frameworks);
	htab_init(&sim->offers);
	htab_init(&sim->inverses);
	htab_init(&sim->acked);
	if (seed == 0 && getrandom(&seed, sizeof seed, 0) != sizeof seed)
		seed = (uint64_t)getpid() ^ (uint64_t)sim_wall() * 1000003u;
	sim->rng[0] = seed ^ 0x9e3779b97f4a7c15ULL;
	sim->rng[1] = (seed * 0xbf58476d1ce4e5b9ULL) | 1;
	if (sim_load_credentials(sim, cause) != 0) {
		sim_free(sim);
		return NULL;
	}
	return sim;
}

/* Starts masters, the control server, agents and the allocator. */
int
sim_start(struct sim *sim, char **cause)
{
	sim->started = sim_wall();
	if (masters_create(sim, cause) != 0)
		return -1;
	if (sim->cfg.zk != NULL && masters_zk_start(sim, sim->cfg.zk,
	    cause) != 0)
		return -1;
	sim->control = sim_server_create(sim, SIM_SERVER_CONTROL, -1,
	    sim->cfg.control_port, cause);
	if (sim->control == NULL)
		return -1;
	sim->control_port = sim_server_port(sim->control);
	if (agents_create(sim, cause) != 0)
		return -1;
	alloc_start(sim);
	return 0;
}

/* Tears everything down. */
void
sim_free(struct sim *sim)
{
	struct sim_framework *fw;
	size_t i = 0;

	if (sim == NULL)
		return;
	alloc_stop(sim);
	/* Streams die with their servers: detach the frameworks first. */
	while ((fw = htab_next(&sim->frameworks, &i)) != NULL) {
		if (fw->stream != NULL)
			sim_stream_set_framework(fw->stream, NULL);
		fw->stream = NULL;
	}
	i = 0;
	masters_zk_free(sim);
	masters_free(sim);
	sim_server_free(sim->control);
	while ((fw = htab_next(&sim->frameworks, &i)) != NULL)
		fw_free(fw);
	htab_clear(&sim->frameworks);
	agents_free_all(sim);
	i = 0;
	{
		struct sim_acked *a;

		while ((a = htab_next(&sim->acked, &i)) != NULL)
			free(a);
	}
	htab_clear(&sim->acked);
	htab_clear(&sim->offers);
	htab_clear(&sim->inverses);
	json_decref(sim->credentials);
	free(sim->calls);
	free(sim);
}

/*
 * Writes the port file (first line: the first master's port; then
 * "masters <p1> <p2> ..." and "control <p>") atomically, and prints the
 * same on stdout.
 */
int
sim_write_ports(struct sim *sim, char **cause)
{
	struct buf b;
	char *tmp = NULL;
	FILE *f;
	int i, rc = -1;

	buf_init(&b, 0);
	buf_printf(&b, "%d\nmasters", sim->masters[0].port);
	for (i = 0; i < sim->nmasters; i++)
		buf_printf(&b, " %d", sim->masters[i].port);
	buf_printf(&b, "\ncontrol %d\n", sim->control_port);
	fwrite(b.data, 1, b.len, stdout);
	fflush(stdout);
	if (sim->cfg.port_file == NULL) {
		rc = 0;
		goto out;
	}
	tmp = xasprintf("%s.tmp", sim->cfg.port_file);
	f = fopen(tmp, "w");
	if (f == NULL || fwrite(b.data, 1, b.len, f) != b.len ||
	    fclose(f) != 0 || rename(tmp, sim->cfg.port_file) != 0) {
		*cause = xasprintf("%s: %s", sim->cfg.port_file,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	buf_clear(&b);
	return rc;
}

/* Returns 64 random bits (xoroshiro128+, seeded by --seed). */
uint64_t
sim_rand(struct sim *sim)
{
	uint64_t s0 = sim->rng[0], s1 = sim->rng[1], r = s0 + s1;

	s1 ^= s0;
	sim->rng[0] = (s0 << 24 | s0 >> 40) ^ s1 ^ (s1 << 16);
	sim->rng[1] = s1 << 37 | s1 >> 27;
	return r;
}

/* Fills out with a random version 4 UUID. */
void
sim_uuid(struct sim *sim, uint8_t out[16])
{
	uint64_t a = sim_rand(sim), b = sim_rand(sim);

	memcpy(out, &a, 8);
	memcpy(out + 8, &b, 8);
	out[6] = (uint8_t)((out[6] & 0x0f) | 0x40);
	out[8] = (uint8_t)((out[8] & 0x3f) | 0x80);
}

/* Writes a random UUID in its 36-character text form. */
void
sim_uuid_str(struct sim *sim, char out[37])
{
	uint8_t u[16];

	sim_uuid(sim, u);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5],
	    u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* Wall-clock seconds since the epoch. */
double
sim_wall(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* The loop's notion of now (for timers). */
double
sim_now(struct sim *sim)
{
	return ev_now(sim->loop);
}

const int sim_statuses[16] = {
	200, 202, 307, 400, 401, 403, 404, 405, 406, 409, 413, 415, 500, 501,
	503, 0,
};

/* Returns the index of status in sim_statuses (15 for any other). */
int
sim_status_index(int status)
{
	int i;

	for (i = 0; i < 15; i++) {
		if (sim_statuses[i] == status)
			return i;
	}
	return 15;
}

/* Counts one event of type written to a stream. */
void
sim_count_event(struct sim *sim, int type)
{
	if (type >= 0 && type < 16)
		sim->c.events[type]++;
}

/* Appends "<size>\n<protobuf bytes>" to out, packing in place. */
void
sim_frame_pb(struct buf *out, const ProtobufCMessage *msg)
{
	size_t size = protobuf_c_message_get_packed_size(msg);
	char hdr[32];
	int n = snprintf(hdr, sizeof hdr, "%zu\n", size);
	size_t need = out->len + (size_t)n + size + 1;

	if (need > out->cap) {
		size_t cap = out->cap < 4096 ? 4096 : out->cap;

		while (cap < need)
			cap *= 2;
		out->data = xrealloc(out->data, cap);
		out->cap = cap;
	}
	memcpy(out->data + out->len, hdr, (size_t)n);
	out->len += (size_t)n;
	protobuf_c_message_pack(msg, (uint8_t *)out->data + out->len);
	out->len += size;
	out->data[out->len] = '\0';
}

/* The leading master, or NULL during a leaderless gap. */
struct sim_master *
sim_leader(struct sim *sim)
{
	if (sim->leader < 0 || sim->leader >= sim->nmasters)
		return NULL;
	return &sim->masters[sim->leader];
}

static const char *sim_agent_state_names[SIM_AGENT_STATE_MAX] = {
	"active", "recovered", "partitioned", "unreachable", "gone",
};

/* Names an agent state. */
const char *
sim_agent_state_name(enum sim_agent_state s)
{
	return (unsigned)s < SIM_AGENT_STATE_MAX ? sim_agent_state_names[s] :
	    "?";
}

static const char *sim_fw_state_names[SIM_FW_STATE_MAX] = {
	"connected", "disconnected", "removed",
};

/* Names a framework state. */
const char *
sim_fw_state_name(enum sim_fw_state s)
{
	return (unsigned)s < SIM_FW_STATE_MAX ? sim_fw_state_names[s] : "?";
}

/* Names a TaskState as Mesos spells it. */
const char *
sim_task_state_name(int s)
{
	return codec_enum_name(&mesos__v1__task_state__descriptor, s);
}

/* 1 if s is a terminal task state (TASK_LOST counts, as in Mesos). */
int
sim_state_terminal(int s)
{
	switch (s) {
	case MESOS__V1__TASK_STATE__TASK_FINISHED:
	case MESOS__V1__TASK_STATE__TASK_FAILED:
	case MESOS__V1__TASK_STATE__TASK_KILLED:
	case MESOS__V1__TASK_STATE__TASK_LOST:
	case MESOS__V1__TASK_STATE__TASK_ERROR:
	case MESOS__V1__TASK_STATE__TASK_DROPPED:
	case MESOS__V1__TASK_STATE__TASK_GONE:
	case MESOS__V1__TASK_STATE__TASK_GONE_BY_OPERATOR:
		return 1;
	default:
		return 0;
	}
}
