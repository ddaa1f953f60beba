/*
 * sim — ark-sim, a simulated Apache Mesos 1.12 master with agents, on one
 * libev loop. This header is the simulator's internal contract: the model
 * (masters, agents, frameworks, tasks, offers, status updates), the
 * configuration filled from flags, and the functions each sim/ module
 * offers the others. Nothing outside sim/ (except its tests and benchmark)
 * includes it.
 *
 * Modules: sim.c (the model's life, ids, time, counters), htab.c (hash
 * tables), res.c (resources), httpd.c (libmicrohttpd on libev, streams),
 * api.c (POST /api/v1/scheduler), framework.c (subscriptions, events),
 * allocator.c (offers, filters, inverse offers), tasks.c (launch, life,
 * reliable status updates, reconciliation), agents.c (agents, partitions),
 * masters.c (leadership, failover, recovery), masters-zk.c (the masters in
 * ZooKeeper), state.c (/state, /counters, operator API), faults.c (control
 * API).
 */
#ifndef ARK_SIM_H
#define ARK_SIM_H

#include <stddef.h>
#include <stdint.h>

#include <ev.h>
#include <jansson.h>

#include "buf.h"
#include "codec.h"

struct MHD_Connection;
struct masters_zk;
struct sim;
struct sim_server;
struct sim_stream;
struct sim_req;

/* ---- hash tables (htab.c) ---------------------------------------------- */

/*
 * An open-addressing hash table from byte-string keys to pointers. Keys are
 * not copied: each key must live inside (or as long as) its value.
 */
struct htab_slot {
	uint64_t	 hash;	/* 0 = empty, 1 = deleted, else the hash */
	const void	*key;	/* the key bytes (owned by the value) */
	size_t		 klen;	/* key length */
	void		*val;	/* the value */
};

struct htab {
	struct htab_slot *slots;	/* cap slots */
	size_t		 cap;		/* power of two, or 0 */
	size_t		 n;		/* live entries */
	size_t		 used;		/* live + deleted slots */
};

void	 htab_init(struct htab *);
void	 htab_clear(struct htab *);	/* frees the slots, not the values */
void	*htab_get(const struct htab *, const void *key, size_t klen);
void	*htab_gets(const struct htab *, const char *key);
/* Inserts or replaces; returns the previous value or NULL. */
void	*htab_put(struct htab *, const void *key, size_t klen, void *val);
void	*htab_puts(struct htab *, const char *key, void *val);
/* Removes the key; returns its value or NULL. */
void	*htab_del(struct htab *, const void *key, size_t klen);
void	*htab_dels(struct htab *, const char *key);
/* Iterates: start with *i = 0; returns NULL at the end. */
void	*htab_next(const struct htab *, size_t *i);

/* ---- resources (res.c) ------------------------------------------------- */

struct sim_range {
	uint64_t	 begin;
	uint64_t	 end;		/* inclusive, as in Mesos */
};

/* The resources ark-sim models: four scalars and port ranges. */
struct sim_res {
	double		 cpus;
	double		 mem;
	double		 disk;
	double		 gpus;
	struct sim_range *ports;	/* sorted, disjoint, coalesced; owned */
	size_t		 nports;
	int		 unknown;	/* a resource name ark-sim does not model */
	char		*unknown_name;	/* its name (owned), for messages */
};

void	 res_init(struct sim_res *);
void	 res_clear(struct sim_res *);
void	 res_copy(struct sim_res *dst, const struct sim_res *src);
int	 res_empty(const struct sim_res *);
void	 res_add(struct sim_res *, const struct sim_res *);
/* a -= b; b must be contained in a. */
void	 res_sub(struct sim_res *a, const struct sim_res *b);
int	 res_contains(const struct sim_res *a, const struct sim_res *b);
void	 res_add_range(struct sim_res *, uint64_t begin, uint64_t end);
/*
 * Parses Mesos' text form "cpus:4;mem:8192;disk:1000;ports:[31000-32000]";
 * -1 with *cause set on a bad string.
 */
int	 res_parse(struct sim_res *, const char *, char **cause);
/* Sums a Resource list; -1 with *cause (caller frees) if malformed. */
int	 res_from_pb(struct sim_res *, Mesos__V1__Resource *const *, size_t,
	    char **cause);
/* Appends Mesos' text form, "cpus(allocated: *):2; mem(...)...". */
void	 res_format(struct buf *, const struct sim_res *, const char *role);
/* JSON object {"cpus":..,"mem":..,"disk":..,"gpus":..,"ports":"[a-b]"}. */
json_t	*res_to_json(const struct sim_res *);

/*
 * Protobuf Resource arrays built for an event; the parts live in the
 * struct (no malloc per resource) and point at role strings the caller
 * keeps alive. res_pb_clear frees what res_pb_build allocated.
 */
struct res_pb {
	Mesos__V1__Resource		 r[5];
	Mesos__V1__Resource		*p[5];
	Mesos__V1__Value__Scalar	 sc[4];
	Mesos__V1__Value__Ranges	 ranges;
	Mesos__V1__Value__Range		*rangev;	/* nports ranges */
	Mesos__V1__Value__Range	       **rangep;
	Mesos__V1__Resource__AllocationInfo alloc;
	size_t				 n;
};

void	 res_pb_build(struct res_pb *, const struct sim_res *,
	    const char *role, int allocated);
void	 res_pb_clear(struct res_pb *);

/* ---- configuration (main.c fills it; sim.c has the defaults) ----------- */

enum sim_behaviour {
	SIM_RUN,		/* runs until killed */
	SIM_FINISH,		/* TASK_FINISHED after a time */
	SIM_FAIL,		/* TASK_FAILED after a time */
	SIM_STUCK,		/* never leaves TASK_STAGING (no update at all) */
	SIM_BEHAVIOUR_MAX
};

/* What a task's health check (TaskInfo.health_check) reports. */
enum sim_health {
	SIM_HEALTHY,		/* healthy from the first check on */
	SIM_UNHEALTHY,		/* unhealthy from the first check on */
	SIM_HEALTHY_AFTER,	/* unhealthy, healthy T s after RUNNING */
	SIM_UNHEALTHY_AFTER,	/* healthy, unhealthy T s after RUNNING */
	SIM_HEALTH_MAX
};

struct sim_config {
	const char	*hostname;	/* masters' and URLs' host */
	int		 port;		/* first master's port (0 = any) */
	int		 masters;	/* K master endpoints */
	int		 control_port;	/* control API (0 = any) */
	const char	*port_file;
	int		 agents;	/* agents made from the flags */
	const char	*agents_file;	/* JSON agents file */
	const char	*agent_resources;
	const char	*agent_attributes;
	double		 heartbeat;	/* heartbeat_interval_seconds */
	double		 allocation_interval;
	double		 offer_timeout;	/* 0 = offers never time out */
	double		 refuse_default;	/* Filters.refuse_seconds default */
	double		 update_retry;	/* first status update resend */
	double		 update_retry_max;
	double		 start_delay;	/* launch -> TASK_STARTING */
	double		 run_delay;	/* TASK_STARTING -> TASK_RUNNING */
	double		 kill_delay;	/* SIGTERM -> exit for obedient tasks */
	double		 kill_grace;	/* default kill policy grace period */
	enum sim_behaviour behaviour;	/* default task behaviour */
	double		 behaviour_after;	/* ... its time */
	double		 health_delay;	/* RUNNING -> first health result */
	double		 recovery_delay;	/* 503 after becoming leader */
	double		 reregister_delay;	/* agents back after failover */
	double		 unreachable_timeout;	/* partitioned -> unreachable */
	int		 authenticate;
	const char	*credentials;	/* JSON credentials file */
	const char	*principal;	/* one credential from flags */
	const char	*secret;
	size_t		 max_body;	/* request body bound */
	size_t		 max_stream_buffer;	/* unsent bytes per stream */
	uint64_t	 seed;		/* 0 = from the system */
	size_t		 max_offers_per_event;	/* 0 = all in one event */
	const char	*zk;		/* zk:// URL to register the masters
					 * in, or NULL */
};

void	sim_config_defaults(struct sim_config *);
const char *sim_behaviour_name(enum sim_behaviour);
/* Parses "run", "finish:2.5", "fail:1", "stuck"; -1 if malformed. */
int	sim_behaviour_parse(const char *, enum sim_behaviour *, double *after);
const char *sim_health_name(enum sim_health);
/* Parses "healthy", "unhealthy", "healthy-after:T", "unhealthy-after:T". */
int	sim_health_parse(const char *, enum sim_health *, double *after);

/* ---- counters (sim.c) -------------------------------------------------- */

#define SIM_CALL_TYPES	32	/* Call.Type values are below this */
#define SIM_STATUS_MAX	600

struct sim_counters {
	uint64_t	 calls[SIM_CALL_TYPES];	/* by Call.Type */
	uint64_t	 calls_invalid;		/* undecodable or untyped */
	uint64_t	 status[SIM_STATUS_MAX];	/* scheduler calls by status */
	uint64_t	 call_status[SIM_CALL_TYPES][16];	/* type x status */
	uint64_t	 events[16];		/* by Event.Type */
	uint64_t	 updates_sent;		/* UPDATE events written */
	uint64_t	 updates_reliable;	/* distinct updates with a uuid */
	uint64_t	 updates_resent;	/* retransmissions */
	uint64_t	 updates_duplicated;	/* extra copies (fault) */
	uint64_t	 updates_acked;		/* acknowledged, first time */
	uint64_t	 acks_received;		/* ACKNOWLEDGE calls */
	uint64_t	 acks_duplicate;	/* for an already acked update */
	uint64_t	 acks_unknown;		/* for no update ark-sim sent */
	uint64_t	 acks_dropped;		/* dropped by the fault */
	uint64_t	 acks_undeliverable;	/* agent not reachable */
	uint64_t	 reconcile_updates;	/* answers to RECONCILE */
	uint64_t	 offers_sent;
	uint64_t	 offers_accepted;
	uint64_t	 offers_declined;
	uint64_t	 offers_rescinded;
	uint64_t	 offers_invalid;	/* ACCEPT/DECLINE of unknown ids */
	uint64_t	 inverse_offers_sent;
	uint64_t	 tasks_launched;
	uint64_t	 tasks_error;		/* TASK_ERROR on launch */
	uint64_t	 tasks_dropped;		/* invalid offers */
	uint64_t	 subscribes;		/* SUBSCRIBED sent */
	uint64_t	 failovers;		/* "Framework failed over" */
	uint64_t	 flood_sent;
	uint64_t	 flood_acked;
	uint64_t	 flood_acks_duplicate;
	uint64_t	 faults;		/* control calls applied */
	uint64_t	 master_failovers;
};

/* ---- the model --------------------------------------------------------- */

enum sim_agent_state {
	SIM_AGENT_ACTIVE,	/* registered and connected */
	SIM_AGENT_RECOVERED,	/* known from the registry after a failover,
				   not reregistered yet */
	SIM_AGENT_PARTITIONED,	/* disconnected, not yet unreachable */
	SIM_AGENT_UNREACHABLE,	/* marked unreachable */
	SIM_AGENT_GONE,		/* removed by the operator */
	SIM_AGENT_STATE_MAX
};

struct sim_attr {
	char		*name;
	char		*text;		/* TEXT value, or NULL */
	double		 scalar;	/* SCALAR value when text is NULL */
};

struct sim_agent {
	char		*id;		/* "<master id>-S<n>" */
	char		*hostname;
	uint32_t	 index;		/* position in sim->agentv */
	int		 port;		/* the agent's (fake) port */
	enum sim_agent_state state;
	struct sim_res	 total;
	struct sim_res	 used;		/* by tasks and executors */
	struct sim_attr	*attrs;
	size_t		 nattrs;
	struct sim_offer *offer;	/* the outstanding offer, if any */
	struct sim_task	*tasks;		/* tasks on this agent (list) */
	size_t		 ntasks;
	double		 registered_time;
	double		 reregistered_time;
	double		 unreachable_time;
	ev_timer	 timer;		/* partition -> unreachable */
	int		 maintenance;	/* unavailability scheduled */
	double		 maint_start;	/* wall seconds */
	double		 maint_duration;
	struct sim_inverse *inverses;	/* outstanding inverse offers */
	struct sim_agent *alloc_next;	/* allocation candidates list */
	int		 alloc_queued;
	struct sim *sim;
};

enum sim_fw_state {
	SIM_FW_CONNECTED,	/* subscribed, stream open */
	SIM_FW_DISCONNECTED,	/* waiting for a resubscription */
	SIM_FW_REMOVED,		/* torn down or failover timeout passed */
	SIM_FW_STATE_MAX
};

struct sim_filter {
	char		*agent_id;	/* key */
	double		 until;		/* ev_now() time it expires */
	struct sim_res	 refused;	/* offers within this are filtered */
};

struct sim_framework {
	char		*id;
	enum sim_fw_state state;
	int		 known;		/* the leading master knows it */
	char		*name;
	char		*user;
	char		*principal;
	char		*hostname;
	int		 checkpoint;
	double		 failover_timeout;
	int		 partition_aware;
	int		 killing_state;
	int		 multi_role;
	char	       **roles;		/* at least one ("*") */
	size_t		 nroles;
	int		*suppressed;	/* per role */
	Mesos__V1__FrameworkInfo *info;	/* as last subscribed (owned) */
	struct sim_stream *stream;	/* when connected */
	ev_timer	 heartbeat;
	ev_timer	 failover;	/* failover_timeout after a disconnect */
	struct htab	 tasks;		/* task id -> struct sim_task */
	struct htab	 filters;	/* agent id -> struct sim_filter */
	struct sim_offer *offers;	/* outstanding offers (list) */
	size_t		 noffers;
	size_t		 ntasks_done;	/* completed tasks kept for /state */
	json_t		*completed;	/* completed task summaries */
	double		 registered_time;
	double		 reregistered_time;
	double		 unregistered_time;
	uint64_t	 calls;		/* calls it made */
	struct sim_flood *flood;	/* the flood in progress (owned) */
	uint64_t	 order;		/* round-robin stamp for allocation */
	struct sim *sim;
};

struct sim_offer {
	char		*id;
	struct sim_framework *fw;
	struct sim_agent *agent;
	struct sim_res	 res;
	char		*role;		/* allocation role (owned) */
	double		 created;
	ev_timer	 timeout;
	struct sim_offer *next, *prev;	/* fw->offers */
};

struct sim_inverse {
	char		*id;
	struct sim_framework *fw;
	struct sim_agent *agent;
	int		 answered;	/* 0 none, 1 accepted, 2 declined */
	double		 resend_at;	/* after a filter */
	struct sim_inverse *next;	/* agent->inverses */
};

/* One status update in a task's stream (the agent's update manager). */
struct sim_update {
	struct sim_update *next;
	int		 state;		/* Mesos__V1__TaskState */
	int		 source;	/* Mesos__V1__TaskStatus__Source */
	int		 reason;	/* -1 if none */
	int		 healthy;	/* -1: no health result, 0, 1 */
	const char	*message;	/* static string or NULL */
	char		*owned_message;	/* or this one (owned) */
	uint8_t		 uuid[16];
	double		 timestamp;
	unsigned	 sends;		/* times written to a stream */
};

enum sim_task_step {
	SIM_STEP_NONE,
	SIM_STEP_START,		/* next: TASK_STARTING */
	SIM_STEP_RUN,		/* next: TASK_RUNNING */
	SIM_STEP_END,		/* next: finish or fail per behaviour */
	SIM_STEP_KILLED,	/* next: TASK_KILLED */
	SIM_STEP_MAX
};

struct sim_task {
	char		*id;
	char		*name;
	char		*executor_id;	/* NULL: command task (= task id) */
	char		*container_id;
	struct sim_framework *fw;
	struct sim_agent *agent;
	int		 state;		/* latest state (Mesos__V1__TaskState) */
	int		 ignore_term;	/* only dies after the grace period */
	enum sim_behaviour behaviour;
	double		 after;		/* behaviour's time */
	int		 has_check;	/* the TaskInfo has a health check */
	enum sim_health	 health;	/* what the check reports */
	double		 health_after;	/* ... from when (s after RUNNING) */
	int		 healthy;	/* last result: -1 none yet, 0, 1 */
	double		 running_at;	/* ev_now() of TASK_RUNNING */
	ev_timer	 health_timer;	/* the next change of the result */
	double		 start_delay;
	double		 grace;		/* kill policy grace period */
	enum sim_task_step step;
	ev_timer	 timer;		/* the next step */
	ev_timer	 retry;		/* resend of the head update */
	double		 backoff;	/* current resend interval */
	struct sim_update *head, *tail;	/* pending updates, head in flight */
	struct sim_res	 res;		/* task (+ new executor) resources */
	double		 unreachable_time;
	double		 launched;
	int		 killing;	/* a kill is in progress */
	int		 terminal;	/* reached a terminal state */
	struct sim_task *anext, *aprev;	/* agent->tasks */
	int		 unacked;	/* counted in sim->unacked */
};

/* The flood generator attached to a stream. */
struct sim_flood {
	uint64_t	 total;		/* updates to send */
	uint64_t	 sent;
	uint8_t		 magic[8];	/* first half of every uuid */
	uint8_t		*acked;		/* bitmap of acknowledged seqs */
	double		 started;
	double		 finished;
	char	       **task_ids;	/* tasks to flood about (owned) */
	char	       **agent_ids;	/* their agents (owned) */
	size_t		 ntasks;
	int		 flap;		/* healthy alternates per task */
};

struct sim_master {
	char		*id;		/* uuid, prefix of the ids it makes */
	int		 index;
	struct sim_server *server;
	int		 port;
	uint64_t	 next_framework;	/* -0000, -0001, ... */
	uint64_t	 next_agent;
	uint64_t	 next_offer;
};

struct sim_fail_calls {
	int		 status;	/* 0 = off */
	uint64_t	 count;		/* calls left to fail (0 = by time) */
	double		 until;		/* ev_now() end (0 = by count) */
	uint32_t	 types;		/* bitmask of Call.Type; 0 = all */
	int		 subscribe;	/* also fail SUBSCRIBE */
};

struct sim {
	struct ev_loop	*loop;
	struct sim_config cfg;
	struct sim_master *masters;
	int		 nmasters;
	int		 leader;	/* index, -1 during a leaderless gap */
	double		 recovered_at;	/* ev_now() recovery ends */
	struct sim_server *control;
	int		 control_port;

	struct htab	 agents;	/* id -> struct sim_agent */
	struct sim_agent **agentv;	/* by index */
	size_t		 nagents;
	size_t		 agentcap;
	struct htab	 frameworks;	/* id -> struct sim_framework */
	struct htab	 offers;	/* id -> struct sim_offer */
	struct htab	 inverses;	/* id -> struct sim_inverse */
	struct htab	 acked;		/* uuid -> struct sim_acked */

	struct sim_agent *alloc_head;	/* agents to look at */
	struct sim_agent **maintv;	/* agents under maintenance */
	size_t		 nmaint;
	ev_timer	 alloc_timer;
	ev_timer	 alloc_soon;
	ev_timer	 reregister_timer;
	ev_timer	 leader_timer;	/* end of a leaderless gap */
	int		 pending_leader;
	uint64_t	 alloc_round;

	struct sim_counters c;
	struct sim_call_rec *calls;	/* ring of the last SIM_CALL_LOG calls */
	uint64_t	 ncalls;	/* calls recorded so far */
	uint64_t	 unacked;	/* reliable updates not yet acked */

	/* Faults. */
	struct sim_fail_calls fail_calls;
	uint64_t	 drop_acks;
	uint64_t	 duplicate_updates;

	/* Credentials (principal -> secret). */
	json_t		*credentials;

	struct masters_zk *zk;		/* --zk registration, or NULL */
	size_t		 nrecovered;	/* agents in SIM_AGENT_RECOVERED */
	uint64_t	 rng[2];
	int		 quit;
	double		 started;
};

/* One scheduler call as recorded for GET /calls. */
#define SIM_CALL_LOG	20000
struct sim_call_rec {
	double		 at;		/* wall seconds */
	int16_t		 type;		/* Call.Type, -1 if undecodable */
	int16_t		 status;	/* HTTP status answered */
	uint32_t	 items;		/* tasks, offers or ids the call carried */
	char		 fw[48];	/* framework id (truncated) */
};

struct sim_acked {
	uint8_t		 uuid[16];	/* key */
	uint32_t	 count;
};

/* sim.c */
/* The statuses counted per call type, and the index of one (last: other). */
extern const int sim_statuses[16];
int		 sim_status_index(int status);
struct sim	*sim_create(struct ev_loop *, const struct sim_config *,
		    char **cause);
/* Starts the servers and agents; -1 with *cause on failure. */
int		 sim_start(struct sim *, char **cause);
void		 sim_free(struct sim *);
/* Writes the port file and prints the ports; -1 with *cause. */
int		 sim_write_ports(struct sim *, char **cause);
uint64_t	 sim_rand(struct sim *);
void		 sim_uuid(struct sim *, uint8_t out[16]);
void		 sim_uuid_str(struct sim *, char out[37]);
double		 sim_wall(void);	/* wall clock seconds */
double		 sim_now(struct sim *);	/* loop time */
void		 sim_count_event(struct sim *, int type);
/* Appends msg to out as one RecordIO record of its protobuf encoding. */
void		 sim_frame_pb(struct buf *out, const ProtobufCMessage *msg);
struct sim_master *sim_leader(struct sim *);	/* NULL if none */
const char	*sim_agent_state_name(enum sim_agent_state);
const char	*sim_fw_state_name(enum sim_fw_state);
const char	*sim_task_state_name(int);
int		 sim_state_terminal(int);

/* ---- http (httpd.c) ---------------------------------------------------- */

enum sim_server_kind {
	SIM_SERVER_MASTER,
	SIM_SERVER_CONTROL,
	SIM_SERVER_KIND_MAX
};

/* A request as the handlers see it (headers copied, body complete). */
struct sim_req {
	struct sim_server *srv;
	struct MHD_Connection *conn;
	char		*method;
	char		*path;
	char		*content_type;
	char		*accept;
	char		*stream_id;
	char		*authorization;
	int		 has_stream_id;
	struct buf	 body;
	int		 too_big;	/* body passed the bound */
	int		 answered;
	int		 status;	/* status answered */
};

struct sim_server *sim_server_create(struct sim *, enum sim_server_kind,
		    int index, int port, char **cause);
void		 sim_server_free(struct sim_server *);
int		 sim_server_port(const struct sim_server *);
int		 sim_server_index(const struct sim_server *);
enum sim_server_kind sim_server_kind(const struct sim_server *);

/* Answers req; extra is "Name: value" header pairs, NULL-terminated. */
void	sim_http_reply(struct sim_req *, int status, const char *ctype,
	    const void *body, size_t len, const char *const *extra);
void	sim_http_text(struct sim_req *, int status, const char *text);
void	sim_http_json(struct sim_req *, int status, json_t *);	/* steals */
/* Starts a streaming 200 response on req; returns the stream. */
struct sim_stream *sim_http_stream(struct sim_req *, enum codec_type,
	    const char *stream_id);

/* Streams. */
enum codec_type sim_stream_codec(const struct sim_stream *);
const char	*sim_stream_id(const struct sim_stream *);
void		 sim_stream_set_framework(struct sim_stream *,
		    struct sim_framework *);
/* Writes one event as a RecordIO record; -1 if the stream is gone. */
int		 sim_stream_event(struct sim_stream *,
		    const Mesos__V1__Scheduler__Event *);
/* Writes raw bytes (faults). */
void		 sim_stream_raw(struct sim_stream *, const void *, size_t);
/* Ends the stream: graceful (after what is queued) or abort (reset). */
void		 sim_stream_close(struct sim_stream *, int abort);
void		 sim_stream_stall(struct sim_stream *, double seconds);
void		 sim_stream_throttle(struct sim_stream *, double bytes_per_s);
/* Starts writing the framework's flood (fw->flood) as the socket drains. */
void		 sim_stream_flood(struct sim_stream *);
size_t		 sim_stream_pending(const struct sim_stream *);
json_t		*sim_stream_json(const struct sim_stream *);

/* ---- handlers ---------------------------------------------------------- */

/* api.c */
void	api_scheduler(struct sim *, struct sim_req *);
int	api_authenticate(struct sim *, struct sim_req *, char **principal);
void	api_redirect(struct sim *, struct sim_req *, const char *path);
int	api_expect_post(struct sim_req *);

/* framework.c */
void	fw_subscribe(struct sim *, struct sim_req *,
	    Mesos__V1__Scheduler__Call *, enum codec_type, const char *principal);
struct sim_framework *fw_find(struct sim *, const char *id);
/* Sends an event if connected; 0 if written. */
int	fw_send(struct sim_framework *, const Mesos__V1__Scheduler__Event *);
void	fw_send_error(struct sim_framework *, const char *message);
void	fw_stream_gone(struct sim_stream *, struct sim_framework *);
void	fw_teardown(struct sim *, struct sim_framework *);
void	fw_disconnect_all(struct sim *, int abort);
int	fw_update(struct sim *, struct sim_framework *,
	    Mesos__V1__Scheduler__Call__UpdateFramework *, char **cause);
int	fw_role_index(const struct sim_framework *, const char *role);
void	fw_free(struct sim_framework *);
/* Describes fw for /state; with_tasks 0 leaves the task lists out. */
json_t	*fw_json(const struct sim_framework *, int with_tasks);

/* allocator.c */
void	alloc_start(struct sim *);
void	alloc_soon(struct sim *);
void	alloc_queue_agent(struct sim *, struct sim_agent *);
void	alloc_remove_offer(struct sim *, struct sim_offer *, int rescind);
void	alloc_remove_fw_offers(struct sim *, struct sim_framework *,
	    int rescind);
void	alloc_rescind_all(struct sim *);
void	alloc_forget_all(struct sim *);	/* failover: no events */
void	alloc_add_filter(struct sim *, struct sim_framework *,
	    struct sim_agent *, const struct sim_res *, const Mesos__V1__Filters *);
void	alloc_decline(struct sim *, struct sim_framework *,
	    Mesos__V1__Scheduler__Call__Decline *);
void	alloc_revive(struct sim *, struct sim_framework *, char **roles,
	    size_t nroles);
void	alloc_suppress(struct sim *, struct sim_framework *, char **roles,
	    size_t nroles);
void	alloc_inverse_answer(struct sim *, struct sim_framework *,
	    Mesos__V1__OfferID **, size_t, const Mesos__V1__Filters *,
	    int accept);
void	alloc_maintenance(struct sim *, struct sim_agent *);
void	alloc_maintenance_stop(struct sim *, struct sim_agent *);
void	alloc_remove_inverses(struct sim *, struct sim_agent *,
	    struct sim_framework *);
void	alloc_stop(struct sim *);
json_t	*alloc_offer_json(const struct sim_offer *);

/* tasks.c */
void	task_accept(struct sim *, struct sim_framework *,
	    Mesos__V1__Scheduler__Call__Accept *);
void	task_kill(struct sim *, struct sim_framework *,
	    Mesos__V1__Scheduler__Call__Kill *);
void	task_shutdown(struct sim *, struct sim_framework *,
	    Mesos__V1__Scheduler__Call__Shutdown *);
void	task_acknowledge(struct sim *, struct sim_framework *,
	    Mesos__V1__Scheduler__Call__Acknowledge *);
void	task_reconcile(struct sim *, struct sim_framework *,
	    Mesos__V1__Scheduler__Call__Reconcile *);
/* Resends every pending head update of fw (or of tasks on agent). */
void	task_resume_fw(struct sim *, struct sim_framework *);
void	task_resume_agent(struct sim *, struct sim_agent *);
/* Kills every task of fw without telling it (framework removal). */
void	task_remove_fw(struct sim *, struct sim_framework *);
/* Agent lost: every task gets state (master-generated, no uuid). */
void	task_agent_lost(struct sim *, struct sim_agent *, int gone);
void	task_agent_unreachable(struct sim *, struct sim_agent *);
/* Faults on one task: "finish", "fail", "crash", "forget". */
int	task_fault(struct sim *, struct sim_task *, const char *action,
	    char **cause);
struct sim_task *task_find_any(struct sim *, const char *fw_id,
	    const char *task_id);
void	task_free(struct sim *, struct sim_task *);
json_t	*task_json(const struct sim_task *);
/* Launches count synthetic tasks for fw (benchmarks); returns launched. */
size_t	task_bulk_launch(struct sim *, struct sim_framework *, size_t count,
	    double cpus, double mem);
/* Writes flood updates into out until it holds at least want bytes. */
void	task_flood_fill(struct sim *, struct sim_framework *,
	    struct sim_flood *, enum codec_type, struct buf *out, size_t want);
int	task_flood_ack(struct sim *, struct sim_framework *, const uint8_t *);
/* Starts a flood of count updates to fw (a connected framework). */
void	task_flood_start(struct sim *, struct sim_framework *, uint64_t count);
void	task_flood_free(struct sim_flood *);

/* agents.c */
int	agents_create(struct sim *, char **cause);
struct sim_agent *agents_add(struct sim *, const char *hostname,
	    const struct sim_res *, const struct sim_attr *, size_t nattrs);
struct sim_agent *agents_find(struct sim *, const char *id);
struct sim_agent *agents_find_host(struct sim *, const char *hostname);
int	agents_reachable(const struct sim_agent *);	/* updates can flow */
int	agents_known(const struct sim_agent *);	/* master knows its tasks */
void	agents_partition(struct sim *, struct sim_agent *, double timeout);
void	agents_heal(struct sim *, struct sim_agent *);
void	agents_remove(struct sim *, struct sim_agent *);
void	agents_failover(struct sim *);
void	agents_reregister_all(struct sim *);
void	agents_free_all(struct sim *);
int	agents_parse_attrs(const char *, struct sim_attr **, size_t *,
	    char **cause);
/* The agent's attributes as messages; free with agents_attrs_pb_free. */
Mesos__V1__Attribute **agents_attrs_pb(const struct sim_agent *);
void	agents_attrs_pb_free(Mesos__V1__Attribute **, size_t n);
json_t	*agents_json(const struct sim_agent *);

/* masters.c */
int	masters_create(struct sim *, char **cause);
void	masters_failover(struct sim *, int to, double gap, double recovery,
	    double reregister);
int	masters_recovering(struct sim *);
void	masters_info_pb(struct sim *, struct sim_master *,
	    Mesos__V1__MasterInfo *, Mesos__V1__Address *,
	    Mesos__V1__MasterInfo__Capability **, Mesos__V1__MasterInfo__Capability *);
void	masters_free(struct sim *);

/* masters-zk.c (--zk) */
/* Registers the masters under the zk:// url; -1 with *cause on a bad URL. */
int	masters_zk_start(struct sim *, const char *url, char **cause);
/* Leadership moved to master to: reorders the nodes in ZooKeeper. */
void	masters_zk_failover(struct sim *, int to);
/* Master i's node path, or NULL while it has none. */
const char *masters_zk_node(struct sim *, int i);
void	masters_zk_free(struct sim *);

/* state.c */
void	state_serve(struct sim *, struct sim_req *, int leader_view);
void	state_counters(struct sim *, struct sim_req *);
void	state_calls(struct sim *, struct sim_req *);
void	state_operator(struct sim *, struct sim_req *);
json_t	*state_counters_json(struct sim *);

/* faults.c */
void	faults_serve(struct sim *, struct sim_req *);
int	faults_fail_call(struct sim *, int type, int subscribe);

#endif
