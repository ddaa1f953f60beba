/*
 * bench/sched — the pure core's throughput, with no sockets and no store:
 *
 *   1. offers matched per second: 1,000 agents, one daemon job, all offers
 *      in one OFFERS event (fresh core each round, best round kept);
 *   2. the floor: 10,000 agents' daemon tasks all ACCEPTed — the time from
 *      the OFFERS messages going in (10 events of 1,000 offers) to their
 *      effects coming out must stay under 2 s;
 *   3. status updates applied per second through the reducer alone
 *      (sched_apply plus releasing the effects it returns), on 10,000 live
 *      tasks, every update carrying a uuid: one store row and one
 *      ACKNOWLEDGE each, effects released in batches as the dispatcher
 *      does. Floor: 1,000,000 per second, on the best of up to 100 rounds
 *      (the machine is shared); the mean over all rounds is printed too.
 *   4. reconciliation of 100,000 tasks: SUBSCRIBED in, every task answered,
 *      time until the explicit part is complete; and the core's heap per
 *      task restored from the store (task, daemon slot and agent).
 *
 * Each part is bounded in rounds and time and prints its figures; the exit
 * status is non-zero when a floor is missed.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec.h"
#include "config.h"
#include "effect.h"
#include "log.h"
#include "msg.h"
#include "sched.h"
#include "store.h"
#include "xmalloc.h"

#define FLOOR_ACCEPT_S		2.0
#define FLOOR_UPDATES		1000000.0
#define UPDATE_TASKS		10000
#define UPDATE_ROUNDS		100	/* updates per task at most */
#define UPDATE_MAX_S		5.0
#define RECON_TASKS		100000

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct config *
bench_config(void)
{
	static const char *text = "{\"master\": {\"masters\":"
	    " [\"http://127.0.0.1:5050\"]},"
	    " \"framework\": {\"name\": \"bench\", \"user\": \"nobody\","
	    " \"roles\": [\"*\"], \"partition_aware\": true},"
	    " \"reconciliation\": {\"batch\": 1000},"
	    " \"state_dir\": \"/tmp/ark-bench-unused\","
	    " \"jobs\": [{\"id\": \"node\", \"kind\": \"daemon\","
	    " \"command\": \"sleep 1000\", \"env\": {\"A\": \"1\"},"
	    " \"resources\": {\"cpus\": 0.1, \"mem\": 32, \"ports\": [\"P\"]},"
	    " \"labels\": {\"team\": \"infra\"}}]}";
	char *cause = NULL;
	struct config *cfg = config_parse(text, "bench.json", &cause);

	if (cfg == NULL) {
		fprintf(stderr, "bench: %s\n", cause);
		exit(2);
	}
	return cfg;
}

static void *
bench_msg(const ProtobufCMessageDescriptor *d)
{
	void *m = xmalloc(d->sizeof_message);

	protobuf_c_message_init(d, m);
	return m;
}

static Mesos__V1__Resource *
bench_scalar(const char *name, double v)
{
	Mesos__V1__Resource *r = bench_msg(&mesos__v1__resource__descriptor);

	r->name = xstrdup(name);
	r->type = MESOS__V1__VALUE__TYPE__SCALAR;
	r->scalar = bench_msg(&mesos__v1__value__scalar__descriptor);
	r->scalar->value = v;
	return r;
}

/* An offer of agent a<i> with 4 cpus, 8 GiB and a port range. */
static Mesos__V1__Offer *
bench_offer(size_t i, unsigned round)
{
	Mesos__V1__Offer *o = bench_msg(&mesos__v1__offer__descriptor);
	Mesos__V1__Resource *p;
	char buf[64];

	o->id = bench_msg(&mesos__v1__offer_id__descriptor);
	snprintf(buf, sizeof buf, "offer-%u-%zu", round, i);
	o->id->value = xstrdup(buf);
	o->framework_id = bench_msg(&mesos__v1__framework_id__descriptor);
	o->framework_id->value = xstrdup("fw-bench");
	o->agent_id = bench_msg(&mesos__v1__agent_id__descriptor);
	snprintf(buf, sizeof buf, "0e3c1a5e-7d1b-4c8e-9f00-%012zu-S%zu", i, i);
	o->agent_id->value = xstrdup(buf);
	snprintf(buf, sizeof buf, "agent-%zu.example.net", i);
	o->hostname = xstrdup(buf);
	o->n_resources = 4;
	o->resources = xcalloc(4, sizeof *o->resources);
	o->resources[0] = bench_scalar("cpus", 4);
	o->resources[1] = bench_scalar("mem", 8192);
	o->resources[2] = bench_scalar("disk", 100000);
	p = o->resources[3] = bench_msg(&mesos__v1__resource__descriptor);
	p->name = xstrdup("ports");
	p->type = MESOS__V1__VALUE__TYPE__RANGES;
	p->ranges = bench_msg(&mesos__v1__value__ranges__descriptor);
	p->ranges->n_range = 1;
	p->ranges->range = xcalloc(1, sizeof *p->ranges->range);
	p->ranges->range[0] = bench_msg(&mesos__v1__value__range__descriptor);
	p->ranges->range[0]->begin = 31000;
	p->ranges->range[0]->end = 32000;
	return o;
}

static Mesos__V1__Scheduler__Event *
bench_offers(size_t first, size_t n, unsigned round)
{
	Mesos__V1__Scheduler__Event *e;

	e = bench_msg(&mesos__v1__scheduler__event__descriptor);
	e->has_type = 1;
	e->type = MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS;
	e->offers = bench_msg(&mesos__v1__scheduler__event__offers__descriptor);
	e->offers->n_offers = n;
	e->offers->offers = xcalloc(n, sizeof *e->offers->offers);
	for (size_t i = 0; i < n; i++)
		e->offers->offers[i] = bench_offer(first + i, round);
	return e;
}

static Mesos__V1__Scheduler__Event *
bench_subscribed(void)
{
	Mesos__V1__Scheduler__Event *e;

	e = bench_msg(&mesos__v1__scheduler__event__descriptor);
	e->has_type = 1;
	e->type = MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED;
	e->subscribed = bench_msg(
	    &mesos__v1__scheduler__event__subscribed__descriptor);
	e->subscribed->framework_id = bench_msg(
	    &mesos__v1__framework_id__descriptor);
	e->subscribed->framework_id->value = xstrdup("fw-bench");
	return e;
}

static Mesos__V1__Scheduler__Event *
bench_update(const char *task, const char *agent)
{
	Mesos__V1__Scheduler__Event *e;
	Mesos__V1__TaskStatus *st;

	e = bench_msg(&mesos__v1__scheduler__event__descriptor);
	e->has_type = 1;
	e->type = MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE;
	e->update = bench_msg(&mesos__v1__scheduler__event__update__descriptor);
	st = e->update->status = bench_msg(&mesos__v1__task_status__descriptor);
	st->task_id = bench_msg(&mesos__v1__task_id__descriptor);
	st->task_id->value = xstrdup(task);
	st->agent_id = bench_msg(&mesos__v1__agent_id__descriptor);
	st->agent_id->value = xstrdup(agent);
	st->state = MESOS__V1__TASK_STATE__TASK_RUNNING;
	st->has_uuid = 1;
	st->uuid.len = 16;
	st->uuid.data = xcalloc(1, 16);
	st->has_timestamp = 1;
	st->timestamp = 1;
	return e;
}

/* Feeds event ev (not freed) at time now. */
static void
bench_apply(struct sched *s, Mesos__V1__Scheduler__Event *ev, int64_t now,
    struct effects *fx)
{
	struct msg m;

	memset(&m, 0, sizeof m);
	m.type = MSG_EVENT;
	m.now = now;
	m.wall = 1700000000000LL + now;
	m.u.event = ev;
	sched_apply(s, &m, fx);
}

/* A core subscribed with nagents agents known (no tasks). */
static struct sched *
bench_core(struct config *cfg, size_t nagents)
{
	struct sched *s = sched_create(cfg, NULL, 1000, 1700000000000LL);
	struct effects fx;
	Mesos__V1__Scheduler__Event *e = bench_subscribed();
	(void)nagents;

	effects_init(&fx);
	bench_apply(s, e, 1000, &fx);
	codec_free(e);
	effects_clear(&fx);
	return s;
}

/* Counts the LAUNCHes in fx. */
static size_t
bench_launches(const struct effects *fx)
{
	size_t n = 0;

	for (size_t i = 0; i < fx->n; i++) {
		Mesos__V1__Scheduler__Call *c;

		if (fx->v[i].type != EFFECT_CALL)
			continue;
		c = fx->v[i].u.call.call;
		if (c->type == MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT)
			n += c->accept->operations[0]->launch->n_task_infos;
	}
	return n;
}

/* Part 1: 1,000 agents in one event; best of a few rounds. */
static double
bench_offers_rate(struct config *cfg)
{
	double best = 0;

	for (unsigned r = 0; r < 8; r++) {
		struct sched *s = bench_core(cfg, 1000);
		Mesos__V1__Scheduler__Event *e = bench_offers(0, 1000, r);
		struct effects fx;
		double t0, dt;

		effects_init(&fx);
		t0 = bench_now();
		bench_apply(s, e, 2000, &fx);
		dt = bench_now() - t0;
		if (bench_launches(&fx) != 1000) {
			fprintf(stderr, "bench: %zu launches, want 1000\n",
			    bench_launches(&fx));
			exit(1);
		}
		if (1000 / dt > best)
			best = 1000 / dt;
		effects_clear(&fx);
		codec_free(e);
		sched_free(s);
	}
	return best;
}

/* Part 2: 10,000 agents; seconds from OFFERS in to effects out. */
static double
bench_accept_10k(struct config *cfg, struct sched **keep, struct effects *fx)
{
	struct sched *s = bench_core(cfg, 10000);
	Mesos__V1__Scheduler__Event *ev[10];
	double t0, dt;
	size_t launches;

	for (size_t k = 0; k < 10; k++)
		ev[k] = bench_offers(k * 1000, 1000, 100);
	t0 = bench_now();
	for (size_t k = 0; k < 10; k++)
		bench_apply(s, ev[k], 2000, fx);
	dt = bench_now() - t0;
	launches = bench_launches(fx);
	for (size_t k = 0; k < 10; k++)
		codec_free(ev[k]);
	if (launches != 10000) {
		fprintf(stderr, "bench: %zu launches, want 10000\n", launches);
		exit(1);
	}
	*keep = s;
	return dt;
}

/*
 * Part 3: status updates on the tasks launched in fx, in rounds of one
 * update per task; returns the best round's rate (the machine is shared)
 * and sets *mean to the rate over all rounds.
 */
static double
bench_updates(struct sched *s, const struct effects *fx, size_t *applied,
    double *mean)
{
	double best = 0;
	Mesos__V1__Scheduler__Event **ev;
	struct effects out;
	size_t n = 0, done = 0;
	double t0, dt;

	ev = xcalloc(UPDATE_TASKS, sizeof *ev);
	for (size_t i = 0; i < fx->n && n < UPDATE_TASKS; i++) {
		Mesos__V1__Scheduler__Call *c;
		Mesos__V1__Offer__Operation__Launch *l;

		if (fx->v[i].type != EFFECT_CALL)
			continue;
		c = fx->v[i].u.call.call;
		if (c->type != MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT)
			continue;
		l = c->accept->operations[0]->launch;
		for (size_t k = 0; k < l->n_task_infos && n < UPDATE_TASKS; k++)
			ev[n++] = bench_update(l->task_infos[k]->task_id->value,
			    l->task_infos[k]->agent_id->value);
	}
	effects_init(&out);
	t0 = bench_now();
	for (unsigned r = 0; r < UPDATE_ROUNDS; r++) {
		/* alternate states so every update changes the task */
		int state = r % 2 == 0 ? MESOS__V1__TASK_STATE__TASK_RUNNING :
		    MESOS__V1__TASK_STATE__TASK_STARTING;
		double r0 = bench_now(), rdt;

		/* effects are released as the dispatcher does, per batch */
		for (size_t i = 0; i < n; i++) {
			ev[i]->update->status->state = state;
			ev[i]->update->status->timestamp = r + 2;
			bench_apply(s, ev[i], 3000 + r, &out);
			done++;
			if (out.n >= 512)
				effects_clear(&out);
		}
		rdt = bench_now() - r0;
		if (n / rdt > best)
			best = n / rdt;
		if (bench_now() - t0 > UPDATE_MAX_S)
			break;
	}
	effects_clear(&out);
	dt = bench_now() - t0;
	for (size_t i = 0; i < n; i++)
		codec_free(ev[i]);
	free(ev);
	*applied = done;
	*mean = done / dt;
	return best;
}

/* Bytes of heap in use (glibc). */
static size_t
bench_heap(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/*
 * Part 4: reconciliation of RECON_TASKS stored tasks after SUBSCRIBED;
 * *per_task is the core's heap per task (restored from the store).
 */
static double
bench_reconcile(struct config *cfg, size_t *calls, double *per_task)
{
	size_t heap0 = bench_heap();
	struct store_snapshot sn;
	struct sched *s;
	struct effects fx;
	Mesos__V1__Scheduler__Event *e, *u;
	double t0, dt;

	memset(&sn, 0, sizeof sn);
	sn.framework_id = xstrdup("fw-bench");
	sn.ntasks = RECON_TASKS;
	sn.tasks = xcalloc(RECON_TASKS, sizeof *sn.tasks);
	for (size_t i = 0; i < RECON_TASKS; i++) {
		struct store_task *t = &sn.tasks[i];

		t->task_id = xasprintf("node.agent-%zu.x", i);
		t->job = xstrdup("node");
		t->slot = xasprintf("agent-%zu", i);
		t->agent_id = xasprintf("agent-%zu", i);
		t->hostname = xasprintf("h%zu", i);
		t->state = MESOS__V1__TASK_STATE__TASK_RUNNING;
		t->job_hash = xstrdup(cfg->jobs[0].hash);
		t->launched_at = 1;
	}
	s = sched_create(cfg, &sn, 1000, 1700000000000LL);
	store_snapshot_clear(&sn);
	*per_task = (double)(bench_heap() - heap0) / RECON_TASKS;
	effects_init(&fx);
	e = bench_subscribed();
	u = bench_update("x", "y");
	u->update->status->has_uuid = 0;
	u->update->status->has_reason = 1;
	u->update->status->reason =
	    MESOS__V1__TASK_STATUS__REASON__REASON_RECONCILIATION;
	t0 = bench_now();
	bench_apply(s, e, 2000, &fx);
	*calls = 0;
	for (size_t i = 0; i < fx.n; i++)
		if (fx.v[i].type == EFFECT_CALL &&
		    fx.v[i].u.call.call->type ==
		    MESOS__V1__SCHEDULER__CALL__TYPE__RECONCILE)
			(*calls)++;
	effects_clear(&fx);
	for (size_t i = 0; i < RECON_TASKS; i++) {
		char id[64], ag[64];

		snprintf(id, sizeof id, "node.agent-%zu.x", i);
		snprintf(ag, sizeof ag, "agent-%zu", i);
		free(u->update->status->task_id->value);
		u->update->status->task_id->value = xstrdup(id);
		free(u->update->status->agent_id->value);
		u->update->status->agent_id->value = xstrdup(ag);
		bench_apply(s, u, 3000, &fx);
		if (fx.n >= 2048)
			effects_clear(&fx);
	}
	dt = bench_now() - t0;
	effects_clear(&fx);
	codec_free(e);
	codec_free(u);
	sched_free(s);
	return dt;
}

int
main(void)
{
	struct config *cfg;
	struct sched *s;
	struct effects fx;
	double rate, accept_s, urate, umean, rsecs, per_task;
	size_t applied, rcalls;
	int fail = 0;

	log_init("bench-sched", LOG_LEVEL_ERROR, LOG_FORMAT_PLAIN);
	cfg = bench_config();
	rate = bench_offers_rate(cfg);
	printf("sched: offers matched: %.0f offers/s (1,000 agents, one daemon "
	    "job, one OFFERS event)\n", rate);
	effects_init(&fx);
	accept_s = bench_accept_10k(cfg, &s, &fx);
	printf("sched: 10,000 agents' daemon tasks ACCEPTed in %.3f s "
	    "(floor %.1f s): %s\n", accept_s, FLOOR_ACCEPT_S,
	    accept_s < FLOOR_ACCEPT_S ? "ok" : "BELOW FLOOR");
	if (accept_s >= FLOOR_ACCEPT_S)
		fail = 1;
	urate = bench_updates(s, &fx, &applied, &umean);
	printf("sched: status updates applied: %.0f updates/s best round, "
	    "%.0f/s over all %zu updates (%d tasks, a store row and an "
	    "ACKNOWLEDGE each; floor %.0f/s): %s\n", urate, umean, applied,
	    UPDATE_TASKS, FLOOR_UPDATES,
	    urate >= FLOOR_UPDATES ? "ok" : "BELOW FLOOR");
	if (urate < FLOOR_UPDATES)
		fail = 1;
	effects_clear(&fx);
	sched_free(s);
	rsecs = bench_reconcile(cfg, &rcalls, &per_task);
	printf("sched: reconciliation of %d tasks: SUBSCRIBED to explicit "
	    "part complete in %.3f s (%zu RECONCILE calls)\n", RECON_TASKS,
	    rsecs, rcalls);
	printf("sched: the core's heap per task: %.0f bytes (%d tasks "
	    "restored)\n", per_task, RECON_TASKS);
	config_free(cfg);
	return fail;
}
