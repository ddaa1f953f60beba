/*
 * dispatch — drains the message queue through the core and carries out the
 * effects. The order within one drain is the durability contract:
 *
 *   1. every message of the queue goes through sched_apply (effects pile up);
 *   2. every EFFECT_STORE row is committed in ONE transaction;
 *   3. only then are calls sent and replies written.
 *
 * So an ACKNOWLEDGE never leaves before the update's effects are on disk, and
 * an ACCEPT never leaves before its launch intent is. If the commit fails
 * (a full disk, an I/O error), nothing of that drain is sent, nothing is
 * committed or sent after it, /readyz and every admin request that would
 * change state get 503 with the reason, and arkd exits 1 after
 * DISPATCH_STORE_LINGER: the core is then ahead of the disk, and only a
 * restart from the store makes them agree again. The master keeps resending unacknowledged updates, and
 * failover_timeout keeps the tasks alive while systemd restarts us
 * (docs/failure-modes.md).
 *
 * With ha.zk (leader.c) the master connection runs only while this
 * instance leads: elected, it takes the FrameworkID ZooKeeper has (or
 * records its own there), then subscribes; deposed, it fences the
 * connection at once and follows (MSG_SESSION follower). When Mesos says
 * the framework failed over to another subscription, only leadership can
 * tell whether another instance took it (fence, and with ha.zk resign) or
 * the master carried out our own SUBSCRIBE late (resubscribe): see
 * dispatch_failed_over. The leader mirrors
 * the operator's runtime changes (blacklist, instances, suspended jobs)
 * into path/runtime after every commit that changed them; a new leader
 * makes them its own through operator requests of its own.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "admin-req.h"
#include "admin.h"
#include "codec.h"
#include "config.h"
#include "dispatch.h"
#include "effect.h"
#include "leader.h"
#include "log.h"
#include "master.h"
#include "metrics.h"
#include "msg.h"
#include "notify.h"
#include "record.h"
#include "sched.h"
#include "store.h"
#include "xmalloc.h"

/* How long a graceful stop waits for in-flight calls. */
#define DISPATCH_STOP_WAIT	5.0
/* How long arkd stays up after a failed commit, sending nothing, so that
 * /readyz can tell a probe or an operator why before it exits. */
#define DISPATCH_STORE_LINGER	2.0

struct dispatch {
	struct ev_loop		*loop;
	struct dispatch_opts	 opts;
	struct config		*cfg;	/* the first config: what a reload
					 * may not change is checked on it */
	struct config		*live;	/* the master's since the last reload
					 * (NULL: cfg) */
	struct store		*store;
	struct sched		*sched;
	struct master		*master;
	struct admin		*admin;
	struct record		*record;
	struct leader		*leader;	/* ha.zk, or NULL */
	struct msg_queue	*q;
	struct effects		 fx;

	ev_prepare		 prepare;	/* drain before sleeping */
	ev_timer		 deadline;	/* the core's next MSG_TICK */
	ev_timer		 watchdog;	/* systemd WATCHDOG=1 */
	ev_timer		 stop_wait;	/* graceful stop */
	ev_idle			 more;		/* keeps the loop awake while
						 * the queue is not empty */
	ev_signal		 sigterm, sigint, sighup;

	int			 ready;		/* READY=1 sent */
	int			 stopping;	/* SIGTERM seen */
	int			 exiting;	/* EFFECT_EXIT seen */
	int			 exit_code;
	double			 stop_started;
	unsigned		 failovers;	/* "failed over" in a row, each
						 * within DISPATCH_FAILOVER_RUN */
	double			 failover_at;	/* the last one (ev_now) */
	double			 linger;	/* the stop lasts at least this */
	char			*store_failed;	/* why the store failed, or
						 * NULL: from then on nothing is
						 * committed or sent */
};

/*
 * "Failed over" this soon after the last one counts as the same run; a run
 * of DISPATCH_FAILOVER_WARN or more is a sign of a second scheduler
 * subscribing with our FrameworkID.
 */
#define DISPATCH_FAILOVER_RUN	600.0
#define DISPATCH_FAILOVER_WARN	3

static void	dispatch_prepare_cb(struct ev_loop *, ev_prepare *, int);
static void	dispatch_deadline_cb(struct ev_loop *, ev_timer *, int);
static void	dispatch_watchdog_cb(struct ev_loop *, ev_timer *, int);
static void	dispatch_stop_wait_cb(struct ev_loop *, ev_timer *, int);
static void	dispatch_signal_cb(struct ev_loop *, ev_signal *, int);
static void	dispatch_more_cb(struct ev_loop *, ev_idle *, int);
static void	dispatch_leader_cb(void *, const struct leader_event *);
static void	dispatch_failed_over(struct dispatch *, const char *);
static void	dispatch_session(struct dispatch *, enum msg_session_state,
		    const char *);
static void	dispatch_exit(struct dispatch *, int, const char *);

struct dispatch *
dispatch_create(struct ev_loop *loop, const struct dispatch_opts *opts,
    struct config *cfg, struct store *store, struct sched *sched,
    struct master *master, struct admin *admin, struct msg_queue *q)
{
	struct dispatch *d = xcalloc(1, sizeof *d);
	uint64_t wd;

	d->loop = loop;
	d->opts = *opts;
	d->cfg = cfg;
	d->store = store;
	d->sched = sched;
	d->master = master;
	d->admin = admin;
	d->q = q;
	effects_init(&d->fx);

	/* ark_store_commit_seconds and ark_store_rows_total are the
	 * store's own (store_commit). */
	metrics_declare("ark_messages_total", METRICS_COUNTER,
	    "Messages handled by the dispatcher, by type.");
	metrics_declare("ark_subscribed", METRICS_GAUGE,
	    "1 while subscribed to a master, else 0.");
	metrics_declare("ark_calls_in_flight", METRICS_GAUGE,
	    "Calls sent to the master and not answered yet.");
	metrics_declare("ark_calls_queued", METRICS_GAUGE,
	    "Calls made and not finished yet (queued or in flight).");
	metrics_declare("ark_failed_over_total", METRICS_COUNTER,
	    "ERROR 'Framework failed over' events, by what arkd did: "
	    "resubscribed (the other subscription was a late SUBSCRIBE of "
	    "its own) or fenced (another instance leads).");
	metrics_add("ark_failed_over_total", "action=\"resubscribed\"", 0);
	metrics_add("ark_failed_over_total", "action=\"fenced\"", 0);
	metrics_declare("ark_stream_paused", METRICS_GAUGE,
	    "1 while the event stream is not read because too many events "
	    "and calls wait, else 0.");
	metrics_declare("ark_leader", METRICS_GAUGE,
	    "1 while this instance leads (always without ha.zk), else 0.");
	metrics_declare("ark_build_info", METRICS_GAUGE,
	    "Always 1; the version of arkd in its label.");
	metrics_set("ark_build_info", "version=\"" ARK_VERSION "\"", 1);

	ev_prepare_init(&d->prepare, dispatch_prepare_cb);
	d->prepare.data = d;
	ev_prepare_start(loop, &d->prepare);
	ev_timer_init(&d->deadline, dispatch_deadline_cb, 0, 0);
	d->deadline.data = d;
	ev_timer_init(&d->stop_wait, dispatch_stop_wait_cb, 0.05, 0.05);
	d->stop_wait.data = d;
	ev_idle_init(&d->more, dispatch_more_cb);
	d->more.data = d;

	ev_signal_init(&d->sigterm, dispatch_signal_cb, SIGTERM);
	ev_signal_init(&d->sigint, dispatch_signal_cb, SIGINT);
	ev_signal_init(&d->sighup, dispatch_signal_cb, SIGHUP);
	d->sigterm.data = d->sigint.data = d->sighup.data = d;
	ev_signal_start(loop, &d->sigterm);
	ev_signal_start(loop, &d->sigint);
	ev_signal_start(loop, &d->sighup);

	/* Feed systemd's watchdog from the loop itself: a stuck loop starves
	 * it, which is the point. */
	wd = notify_watchdog_usec();
	if (wd > 0) {
		double every = (double)wd / 2e6;

		ev_timer_init(&d->watchdog, dispatch_watchdog_cb, every, every);
		d->watchdog.data = d;
		ev_timer_start(loop, &d->watchdog);
	}
	d->record = opts->record;
	if (d->record != NULL)
		master_set_tap(master, record_tap, d->record);
	if (opts->ready_on_start) {
		notify_send("READY=1\nSTATUS=started, subscribing");
		d->ready = 1;
	}
	d->leader = opts->leader;
	if (d->leader != NULL) {
		char *cause = NULL;

		dispatch_session(d, SESSION_FOLLOWER, "joining the election");
		if (leader_start(d->leader, dispatch_leader_cb, d, &cause) !=
		    0) {
			log_error("ha: %s", cause);
			free(cause);
			dispatch_exit(d, 1, "cannot join the election");
		}
	} else
		master_start(master);
	return d;
}

void
dispatch_free(struct dispatch *d)
{
	struct msg *m;

	if (d == NULL)
		return;
	while ((m = msg_queue_pop(d->q)) != NULL)
		msg_free(m);
	effects_clear(&d->fx);
	ev_prepare_stop(d->loop, &d->prepare);
	ev_timer_stop(d->loop, &d->deadline);
	ev_timer_stop(d->loop, &d->watchdog);
	ev_timer_stop(d->loop, &d->stop_wait);
	ev_idle_stop(d->loop, &d->more);
	ev_signal_stop(d->loop, &d->sigterm);
	ev_signal_stop(d->loop, &d->sigint);
	ev_signal_stop(d->loop, &d->sighup);
	leader_free(d->leader);
	admin_free(d->admin);
	master_free(d->master);
	sched_free(d->sched);
	store_close(d->store);
	record_close(d->record);
	config_free(d->live);
	config_free(d->cfg);
	free(d->store_failed);
	free(d);
}

void
dispatch_push(struct dispatch *d, struct msg *m)
{
	msg_queue_push(d->q, m);
}

/* Tells the core how the connection stands (leadership, not Mesos). */
static void
dispatch_session(struct dispatch *d, enum msg_session_state st,
    const char *reason)
{
	struct msg *m = msg_create(MSG_SESSION);

	m->u.session.state = st;
	m->u.session.reason = xstrdup(reason);
	msg_queue_push(d->q, m);
}

/* Queues an operator request of our own (its reply goes nowhere). */
static void
dispatch_admin(struct dispatch *d, enum admin_op op, const char *arg,
    const char *reason, int64_t instances, int suspended)
{
	struct admin_req *r = xcalloc(1, sizeof *r);
	struct msg *m = msg_create(MSG_ADMIN);

	r->op = op;
	r->arg = xstrdup(arg);
	r->reason = reason != NULL ? xstrdup(reason) : NULL;
	r->instances = instances;
	r->suspended = suspended;
	m->u.admin = r;
	msg_queue_push(d->q, m);
}

/* The entry of agent in a runtime blacklist array, or NULL. */
static json_t *
dispatch_bl_find(json_t *bl, const char *agent)
{
	json_t *e;
	size_t i;

	json_array_foreach(bl, i, e)
		if (json_is_string(json_object_get(e, "agent")) &&
		    strcmp(json_string_value(json_object_get(e, "agent")),
		    agent) == 0)
			return e;
	return NULL;
}

/*
 * Elected: makes this instance's operator changes (blacklist, runtime
 * instances, suspended jobs) those the last leader mirrored in
 * path/runtime, as operator requests through the core.
 */
static void
dispatch_runtime_apply(struct dispatch *d, const char *text)
{
	json_t *want = json_loads(text, 0, NULL), *have, *e, *w, *h, *v;
	json_t *wbl, *hbl;
	const char *k, *agent;
	size_t i, n = 0;

	wbl = json_object_get(want, "blacklist");
	if (!json_is_array(wbl) ||
	    !json_is_object(json_object_get(want, "jobs"))) {
		log_warn("ha: ZooKeeper %s/%s is not a runtime mirror; keeping "
		    "this instance's own blacklist and runtime changes",
		    leader_path(d->leader), LEADER_RUNTIME_NODE);
		json_decref(want);
		return;
	}
	have = sched_runtime_json(d->sched);
	hbl = json_object_get(have, "blacklist");
	json_array_foreach(wbl, i, e) {
		const char *why = json_string_value(json_object_get(e,
		    "reason"));

		agent = json_string_value(json_object_get(e, "agent"));
		if (agent == NULL || *agent == '\0')
			continue;
		h = dispatch_bl_find(hbl, agent);
		if (h != NULL && json_equal(json_object_get(h, "reason"),
		    json_object_get(e, "reason")))
			continue;
		dispatch_admin(d, ADMIN_PUT_BLACKLIST, agent, why != NULL ?
		    why : "", -1, -1);
		n++;
	}
	json_array_foreach(hbl, i, e) {
		agent = json_string_value(json_object_get(e, "agent"));
		if (agent != NULL && dispatch_bl_find(wbl, agent) == NULL) {
			dispatch_admin(d, ADMIN_DEL_BLACKLIST, agent, NULL, -1,
			    -1);
			n++;
		}
	}
	json_object_foreach(json_object_get(have, "jobs"), k, h) {
		int ws, hs = json_is_true(json_object_get(h, "suspended"));

		w = json_object_get(json_object_get(want, "jobs"), k);
		ws = json_is_true(json_object_get(w, "suspended"));
		v = json_object_get(w, "instances");
		if (json_is_integer(v) && json_integer_value(v) >= 0 &&
		    !json_equal(v, json_object_get(h, "instances"))) {
			dispatch_admin(d, ADMIN_PATCH_JOB, k, NULL,
			    json_integer_value(v), -1);
			n++;
		} else if (v == NULL && json_object_get(h, "instances") !=
		    NULL)
			log_info("ha: job %s keeps this instance's runtime "
			    "instance count (the last leader had none)", k);
		if (ws != hs) {
			dispatch_admin(d, ADMIN_PATCH_JOB, k, NULL, -1, ws);
			n++;
		}
	}
	if (n > 0)
		log_info("ha: applying %zu runtime change(s) the last leader "
		    "mirrored in %s/%s", n, leader_path(d->leader),
		    LEADER_RUNTIME_NODE);
	json_decref(have);
	json_decref(want);
}

/* While leading: mirrors the operator's runtime changes into ZooKeeper. */
static void
dispatch_runtime_publish(struct dispatch *d)
{
	json_t *j;
	char *s;

	if (d->leader == NULL || leader_role(d->leader) != LEADER_LEADING)
		return;
	j = sched_runtime_json(d->sched);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	leader_publish_runtime(d->leader, s);
	free(s);
}

/*
 * Elected: settles the FrameworkID with ZooKeeper's, then subscribes. A
 * removed framework, or a local store of another framework, stops arkd.
 */
static void
dispatch_elected(struct dispatch *d, const struct leader_event *ev)
{
	const char *local = master_framework_id(d->master);
	char *why = NULL;

	if (d->stopping || d->exiting) {
		leader_resign(d->leader, "shutting down");
		return;
	}
	if (ev->error != NULL) {
		log_error("ha: %s", ev->error);
		dispatch_exit(d, 1, ev->error);
		return;
	}
	if (ev->framework_id != NULL && ev->removed) {
		why = xasprintf("the master removed framework %s (as recorded "
		    "in ZooKeeper %s/%s); arkd will not register it again. To "
		    "start a new framework, delete that node and move the "
		    "stores aside", ev->framework_id, leader_path(d->leader),
		    LEADER_FID_NODE);
		log_error("%s", why);
		dispatch_exit(d, 3, why);
		free(why);
		return;
	}
	if (ev->framework_id != NULL && local != NULL &&
	    strcmp(ev->framework_id, local) != 0) {
		why = xasprintf("the store in %s has FrameworkID %s, but "
		    "ZooKeeper %s/%s has %s: they are not the same framework; "
		    "move the state directory aside or fix ha.zk",
		    d->cfg->state_dir, local, leader_path(d->leader),
		    LEADER_FID_NODE, ev->framework_id);
		log_error("%s", why);
		dispatch_exit(d, 1, why);
		free(why);
		return;
	}
	if (ev->framework_id != NULL && local == NULL) {
		struct store_op op;

		memset(&op, 0, sizeof op);
		op.type = STORE_FRAMEWORK_ID;
		op.u.str = (char *)(uintptr_t)ev->framework_id;
		if (store_commit(d->store, &op, 1, &why) != 0) {
			log_error("ha: cannot store FrameworkID %s: %s",
			    ev->framework_id, why);
			free(why);
			dispatch_exit(d, 1, "store commit failed");
			return;
		}
		master_set_framework_id(d->master, ev->framework_id);
		log_info("ha: taking over framework %s", ev->framework_id);
	} else if (ev->framework_id == NULL && local != NULL)
		leader_publish(d->leader, local, 0);
	dispatch_session(d, SESSION_DISCONNECTED, "elected leader");
	notify_status("elected leader, subscribing");
	if (ev->runtime != NULL)
		dispatch_runtime_apply(d, ev->runtime);
	else
		dispatch_runtime_publish(d);
	master_start(d->master);
}

/*
 * Mesos failed the framework over to another subscription (ERROR "Framework
 * failed over"). That is another scheduler taking over only if one may lead:
 * without ha.zk none may (two arkd on one state directory are refused, and a
 * second one elsewhere with the same FrameworkID is a misconfiguration), and
 * with ha.zk only while this instance no longer leads. Otherwise the other
 * subscription is one of our own: a SUBSCRIBE that a link which blackholed
 * and recovered delivered after the attempt was given up, and which the
 * master carried out before it saw that connection close. Fencing then
 * would leave the framework disconnected for good, so the master connection
 * (which treats the ERROR as a lost subscription) resubscribes with backoff;
 * a run of them is logged as an error, as the sign of a second scheduler.
 */
static void
dispatch_failed_over(struct dispatch *d, const char *why)
{
	double now = ev_now(d->loop);
	const char *fid = master_framework_id(d->master);

	if (d->leader != NULL && leader_role(d->leader) != LEADER_LEADING) {
		metrics_add("ark_failed_over_total", "action=\"fenced\"", 1);
		log_warn("fenced: %s, and this instance does not lead (%s)",
		    why, leader_role_name(leader_role(d->leader)));
		master_fence(d->master, why);
		leader_resign(d->leader, why);
		return;
	}
	metrics_add("ark_failed_over_total", "action=\"resubscribed\"", 1);
	if (d->failovers > 0 && now - d->failover_at < DISPATCH_FAILOVER_RUN)
		d->failovers++;
	else
		d->failovers = 1;
	d->failover_at = now;
	if (d->failovers >= DISPATCH_FAILOVER_WARN)
		log_error("framework %s failed over %u times in a row: is "
		    "another scheduler subscribing with this FrameworkID? "
		    "Several arkd instances need ha.zk; resubscribing",
		    fid != NULL ? fid : "?", d->failovers);
	else
		log_warn("%s, but %s: the other subscription was a late "
		    "SUBSCRIBE of our own; resubscribing", why,
		    d->leader != NULL ? "this instance still leads" :
		    "no other instance may hold the framework (no ha.zk)");
	/* nothing more to do: master.c took the ERROR for a lost
	 * subscription and is already waiting out its backoff */
}

static void
dispatch_leader_cb(void *arg, const struct leader_event *ev)
{
	struct dispatch *d = arg;

	switch (ev->type) {
	case LEADER_ELECTED:
		dispatch_elected(d, ev);
		break;
	case LEADER_DEPOSED:
		/* Stop acting before anything else happens. */
		master_fence(d->master, ev->reason);
		dispatch_session(d, SESSION_FOLLOWER, ev->reason);
		notify_status("follower: %s", ev->reason);
		break;
	case LEADER_FOLLOWER: {
		char *why = xasprintf("following %s", ev->reason);

		dispatch_session(d, SESSION_FOLLOWER, why);
		/* a follower is up and doing its job: systemd must not wait
		 * for a SUBSCRIBED that only a leader gets */
		if (!d->ready) {
			notify_ready();
			d->ready = 1;
		}
		notify_status("%s", why);
		free(why);
		break;
	}
	default:
		break;
	}
}

/* Loads the configuration file again; a bad file changes nothing. */
static struct config *
dispatch_load_config(struct dispatch *d, char **cause)
{
	struct config *cfg;

	cfg = config_load(d->opts.config_path, cause);
	if (cfg == NULL)
		return NULL;
	if (config_check_files(cfg, cause) != 0) {
		config_free(cfg);
		return NULL;
	}
	if (d->opts.override != NULL)
		d->opts.override(cfg, d->opts.override_arg);
	return cfg;
}

/*
 * Gives the master a copy of a reloaded configuration, so that the master's
 * reloadable options (heartbeat misses, backoff, call timeout, redirects)
 * apply; the core gets cfg itself. The dispatcher owns the copy.
 */
static void
dispatch_reconfigure_master(struct dispatch *d, const struct config *cfg)
{
	char *json = config_to_json(cfg), *cause = NULL;
	struct config *copy = config_parse(json, cfg->path, &cause);

	free(json);
	if (copy != NULL && d->opts.override != NULL)
		d->opts.override(copy, d->opts.override_arg);
	if (copy == NULL || master_reconfigure(d->master, copy, &cause) != 0) {
		log_warn("reload: the master connection keeps its options: %s",
		    cause != NULL ? cause : "?");
		free(cause);
		config_free(copy);
		return;
	}
	config_free(d->live);
	d->live = copy;
}

/* Handles a reload (SIGHUP or POST /v1/reload); replies if id != 0. */
static void
dispatch_reload(struct dispatch *d, uint64_t id)
{
	struct config *cfg;
	struct msg *m;
	char *cause = NULL, *body;

	notify_reloading();
	cfg = dispatch_load_config(d, &cause);
	if (cfg != NULL) {
		/* Options the running connection or store depend on need a
		 * restart; refusing the whole file keeps a reload atomic. */
		char *changed = config_reload_check(d->cfg, cfg);

		if (changed != NULL) {
			cause = xasprintf("%s: %s; nothing was changed",
			    cfg->path, changed);
			free(changed);
			config_free(cfg);
			cfg = NULL;
		}
	}
	if (cfg == NULL) {
		log_error("reload refused, nothing changed: %s", cause);
		if (id != 0) {
			json_t *o = json_pack("{s:s}", "error", cause);

			body = json_dumps(o, JSON_COMPACT);
			json_decref(o);
			admin_reply(d->admin, id, 400, NULL, body, strlen(body));
			free(body);
		}
		free(cause);
		notify_ready();
		return;
	}
	log_info("reload: configuration %s from %s", cfg->version, cfg->path);
	dispatch_reconfigure_master(d, cfg);
	if (id != 0) {
		json_t *o = json_pack("{s:s}", "config_version", cfg->version);

		body = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		admin_reply(d->admin, id, 200, NULL, body, strlen(body));
		free(body);
	}
	m = msg_create(MSG_RELOAD);
	m->u.config = cfg;
	msg_queue_push(d->q, m);
	notify_ready();
}

/* Sets the gauges only the dispatcher can see, before /metrics renders. */
static void
dispatch_gauges(struct dispatch *d, const struct msg *m)
{
	struct master_status st;

	master_status(d->master, &st);
	metrics_set("ark_heartbeat_age_seconds", NULL,
	    st.last_event > 0 ? (double)(m->now - st.last_event) / 1000.0 : -1);
	metrics_set("ark_subscribed", NULL, st.state == MASTER_SUBSCRIBED);
	metrics_set("ark_calls_in_flight", NULL, (double)st.calls_in_flight);
	metrics_set("ark_calls_queued", NULL, (double)st.calls_queued);
	metrics_set("ark_stream_paused", NULL, st.stream_paused);
	/* without ha.zk this instance is the only one, so it leads */
	metrics_set("ark_leader", NULL, d->leader == NULL ||
	    leader_role(d->leader) == LEADER_LEADING);
	metrics_process_update();
}

/*
 * Answers admin request id with 503 and why the store failed: as /readyz
 * does ({"ready": false, "reason"}) if readyz, else {"error"}.
 */
static void
dispatch_reply_error(struct dispatch *d, uint64_t id, int readyz)
{
	char *why = xasprintf("store commit failed: %s; arkd sends nothing "
	    "and is stopping", d->store_failed);
	json_t *o = readyz ? json_pack("{s:b, s:s}", "ready", 0, "reason",
	    why) : json_pack("{s:s}", "error", why);
	char *body = json_dumps(o, JSON_COMPACT);

	if (d->admin != NULL && id != 0)
		admin_reply(d->admin, id, 503, NULL, body, strlen(body));
	free(body);
	json_decref(o);
	free(why);
}

/*
 * Sets the log context of an UPDATE (task, agent, state, reason): every
 * line the core logs about it carries them in JSON logs.
 */
static void
dispatch_log_ctx(const Mesos__V1__Scheduler__Event *ev)
{
	const Mesos__V1__TaskStatus *st;

	if (ev->type != MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE ||
	    ev->update == NULL || ev->update->status == NULL)
		return;
	st = ev->update->status;
	if (st->task_id != NULL)
		log_ctx_set(LOG_CTX_TASK, st->task_id->value);
	if (st->agent_id != NULL)
		log_ctx_set(LOG_CTX_AGENT, st->agent_id->value);
	log_ctx_set(LOG_CTX_STATE, codec_enum_name(
	    &mesos__v1__task_state__descriptor, st->state));
	if (st->has_reason)
		log_ctx_set(LOG_CTX_REASON, codec_enum_name(
		    &mesos__v1__task_status__reason__descriptor, st->reason));
}

/* Runs one message through the core; some need the dispatcher first. */
static void
dispatch_one(struct dispatch *d, struct msg *m)
{
	char labels[64];

	snprintf(labels, sizeof labels, "type=\"%s\"", msg_type_name(m->type));
	metrics_add("ark_messages_total", labels, 1);
	if (d->record != NULL)
		record_write_msg(d->record, m);

	if (m->type == MSG_ADMIN && m->u.admin->op == ADMIN_RELOAD) {
		dispatch_reload(d, m->u.admin->id);
		return;
	}
	if (m->type == MSG_ADMIN && m->u.admin->op == ADMIN_READYZ &&
	    d->store_failed != NULL) {
		/* the core would judge the session only; the store is worse */
		dispatch_reply_error(d, m->u.admin->id, 1);
		return;
	}
	if (m->type == MSG_ADMIN && m->u.admin->op == ADMIN_METRICS)
		dispatch_gauges(d, m);
	if (m->type == MSG_EVENT && m->u.event->type ==
	    MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED && !d->ready) {
		notify_send("READY=1\nSTATUS=subscribed");
		d->ready = 1;
	}
	if (m->type == MSG_EVENT)
		dispatch_log_ctx(m->u.event);
	log_debug("dispatch: %s", msg_type_name(m->type));
	sched_apply(d->sched, m, &d->fx);
	log_ctx_clear();
}

/*
 * Commits the store rows of this drain. Returns -1 if the commit failed; the
 * caller then sends nothing.
 */
static int
dispatch_commit(struct dispatch *d)
{
	struct store_op *ops;
	size_t n = 0;
	char *cause = NULL;
	int rc;

	for (size_t i = 0; i < d->fx.n; i++)
		if (d->fx.v[i].type == EFFECT_STORE)
			n++;
	if (n == 0)
		return 0;
	if (d->store_failed != NULL)
		return -1;	/* the core is ahead of the disk already */
	ops = xreallocarray(NULL, n, sizeof *ops);
	n = 0;
	for (size_t i = 0; i < d->fx.n; i++)
		if (d->fx.v[i].type == EFFECT_STORE)
			ops[n++] = d->fx.v[i].u.store;	/* shallow: fx owns */
	rc = store_commit(d->store, ops, n, &cause);
	if (rc != 0) {
		log_error("store commit of %zu rows failed: %s; sending nothing "
		    "and stopping (the master resends what was not "
		    "acknowledged)", n, cause);
		notify_status("store commit failed: %s", cause);
		d->store_failed = cause;
		free(ops);
		return -1;
	}
	free(ops);
	return 0;
}

/* Starts a graceful stop: close the stream once calls are out. */
static void
dispatch_exit(struct dispatch *d, int code, const char *reason)
{
	if (d->exiting)
		return;
	d->exiting = 1;
	d->exit_code = code;
	log_info("stopping (exit %d): %s", code, reason != NULL ? reason : "");
	notify_stopping();
	master_stop(d->master);
	d->stop_started = ev_now(d->loop);
	ev_timer_start(d->loop, &d->stop_wait);
}

/* Carries out the effects of one drain, in the contract's order. */
static void
dispatch_effects(struct dispatch *d)
{
	int runtime = 0;

	if (dispatch_commit(d) != 0) {
		/* Nothing of this drain is true on disk: no call goes out and
		 * no reply says done. */
		for (size_t i = 0; i < d->fx.n; i++)
			if (d->fx.v[i].type == EFFECT_REPLY)
				dispatch_reply_error(d, d->fx.v[i].u.reply.id,
				    0);
		if (!d->exiting)
			d->linger = DISPATCH_STORE_LINGER;
		dispatch_exit(d, 1, "store commit failed");
		d->exit_code = 1;	/* even in a stop that was under way */
		master_fence(d->master, "store commit failed");
		effects_clear(&d->fx);
		return;
	}
	for (size_t i = 0; i < d->fx.n; i++) {
		struct effect *e = &d->fx.v[i];

		switch (e->type) {
		case EFFECT_STORE:
			if (e->u.store.type == STORE_FRAMEWORK_ID)
				master_set_framework_id(d->master,
				    e->u.store.u.str);
			if (e->u.store.type == STORE_BLACKLIST_PUT ||
			    e->u.store.type == STORE_BLACKLIST_DEL ||
			    e->u.store.type == STORE_KV_PUT ||
			    e->u.store.type == STORE_KV_DEL)
				runtime = 1;
			/* on disk now: the other instances may learn it */
			if (d->leader != NULL && (e->u.store.type ==
			    STORE_FRAMEWORK_ID || e->u.store.type ==
			    STORE_FRAMEWORK_REMOVED))
				leader_publish(d->leader,
				    master_framework_id(d->master),
				    e->u.store.type == STORE_FRAMEWORK_REMOVED);
			break;
		case EFFECT_CALL:
			master_send(d->master, e->u.call.call,
			    e->u.call.cookie);
			e->u.call.call = NULL;	/* the master owns it now */
			break;
		case EFFECT_REPLY: {
			const struct effect_reply *r = &e->u.reply;

			if (d->admin != NULL)
				admin_reply(d->admin, r->id, r->status,
				    r->content_type, r->body != NULL ?
				    r->body : "", r->body != NULL ?
				    strlen(r->body) : 0);
			break;
		}
		case EFFECT_GET_AGENTS:
			master_get_agents(d->master);
			break;
		case EFFECT_RESUBSCRIBE:
			master_resubscribe(d->master, e->u.text);
			break;
		case EFFECT_FENCE:
			dispatch_failed_over(d, e->u.text != NULL ? e->u.text :
			    "Framework failed over");
			break;
		case EFFECT_EXIT:
			dispatch_exit(d, e->u.exit.code, e->u.exit.reason);
			break;
		default:
			break;
		}
	}
	effects_clear(&d->fx);
	if (runtime)
		dispatch_runtime_publish(d);
}

/* Re-arms the single timer at the core's next deadline. */
static void
dispatch_arm(struct dispatch *d)
{
	int64_t next = sched_next_deadline(d->sched), now = msg_clock_now();
	double after;

	ev_timer_stop(d->loop, &d->deadline);
	if (next == INT64_MAX)
		return;
	after = next <= now ? 0.0 : (double)(next - now) / 1000.0;
	ev_timer_set(&d->deadline, after, 0);
	ev_timer_start(d->loop, &d->deadline);
}

/* Drains the queue just before the loop would sleep. */
static void
dispatch_prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct dispatch *d = w->data;
	struct msg *m;
	int any = 0;

	/* Messages pushed while effects run (e.g. a reload's MSG_RELOAD) are
	 * handled in the same drain. Bounded: a flood yields to the loop. */
	for (int round = 0; round < 4 && d->q->head != NULL; round++) {
		size_t budget = 100000;

		while (budget-- > 0 && (m = msg_queue_pop(d->q)) != NULL) {
			dispatch_one(d, m);
			msg_free(m);
			any = 1;
		}
		dispatch_effects(d);
	}
	if (any && d->record != NULL)
		record_flush(d->record);
	if (d->q->head != NULL)
		ev_idle_start(loop, &d->more);
	else
		ev_idle_stop(loop, &d->more);
	if (any)
		dispatch_arm(d);
}

static void
dispatch_more_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	/* nothing: being active is what keeps the next poll from sleeping */
}

static void
dispatch_deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct dispatch *d = w->data;

	/* An empty tick when only draining was wanted is harmless. */
	msg_queue_push(d->q, msg_create(MSG_TICK));
}

static void
dispatch_watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	notify_watchdog();
}

static void
dispatch_stop_wait_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct dispatch *d = w->data;

	if (ev_now(loop) - d->stop_started < d->linger)
		return;
	if (master_idle(d->master) ||
	    ev_now(loop) - d->stop_started > DISPATCH_STOP_WAIT)
		ev_break(loop, EVBREAK_ALL);
}

static void
dispatch_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct dispatch *d = w->data;

	if (w->signum == SIGHUP) {
		log_info("SIGHUP: reloading %s", d->opts.config_path);
		dispatch_reload(d, 0);
		return;
	}
	if (d->stopping) {
		log_warn("second signal: stopping now");
		ev_break(loop, EVBREAK_ALL);
		return;
	}
	d->stopping = 1;
	log_info("%s: stopping; tasks keep running (failover timeout %.0fs)",
	    w->signum == SIGTERM ? "SIGTERM" : "SIGINT",
	    d->cfg->failover_timeout_s);
	msg_queue_push(d->q, msg_create(MSG_SHUTDOWN));
}

int
dispatch_run(struct dispatch *d)
{
	ev_run(d->loop, 0);
	/* Anything still queued is dropped: the master resends updates that
	 * were not acknowledged. */
	return d->exit_code;
}
