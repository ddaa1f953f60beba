/*
 * reconcile — phases IDLE -> EXPLICIT -> IMPLICIT -> IDLE. The explicit part
 * retries the outstanding tasks at initial_s, initial_s*factor, ... capped
 * at max_s, for as long as tasks stay outstanding (a master that has just
 * failed over answers nothing for agents that have not re-registered yet,
 * so giving up would be wrong). The implicit part lasts one initial wait:
 * long enough for the master's answers to arrive, after which the run is
 * over and the next periodic run is scheduled from its start.
 */
#include <stdint.h>
#include <stdlib.h>

#include "call.h"
#include "log.h"
#include "reconcile.h"
#include "xmalloc.h"

static const char *reconcile_phase_names[RECONCILE_PHASE_MAX] = {
	"idle", "explicit", "implicit"
};

const char *
reconcile_phase_name(enum reconcile_phase p)
{
	return p < RECONCILE_PHASE_MAX ? reconcile_phase_names[p] : "?";
}

/* Changes the phase, logging from -> to (cause). */
static void
reconcile_set_phase(struct reconcile *r, enum reconcile_phase to,
    const char *cause)
{
	if (r->phase == to)
		return;
	log_info("reconcile: %s -> %s (%s)", reconcile_phase_name(r->phase),
	    reconcile_phase_name(to), cause);
	r->phase = to;
}

void
reconcile_configure(struct reconcile *r, const struct config *cfg)
{
	r->initial_s = cfg->reconcile_initial_s > 0 ?
	    cfg->reconcile_initial_s : 5;
	r->factor = cfg->reconcile_factor >= 1 ? cfg->reconcile_factor : 2;
	r->max_s = cfg->reconcile_max_s >= r->initial_s ?
	    cfg->reconcile_max_s : r->initial_s;
	r->interval_s = cfg->reconcile_interval_s > 0 ?
	    cfg->reconcile_interval_s : 900;
	r->batch = cfg->reconcile_batch > 0 ? cfg->reconcile_batch : 1000;
}

void
reconcile_init(struct reconcile *r, const struct config *cfg)
{
	r->phase = RECONCILE_IDLE;
	reconcile_configure(r, cfg);
	r->started = r->started_wall = 0;
	r->wait_s = r->initial_s;
	r->next_at = INT64_MAX;
	r->head.prev = r->head.next = &r->head;
	r->outstanding = 0;
	r->runs = r->rounds = r->completed = r->unknown_tasks = 0;
	r->last_duration_ms = 0;
	r->last_end = INT64_MIN;
	r->done = 0;
}

void
reconcile_item_init(struct reconcile_item *it, const char *task_id,
    const char *agent_id)
{
	it->task_id = task_id;
	it->agent_id = agent_id;
	it->outstanding = 0;
	it->prev = it->next = NULL;
}

int
reconcile_pending(const struct reconcile_item *it)
{
	return it->outstanding;
}

/* Unlinks it from the outstanding list. */
static void
reconcile_unlink(struct reconcile *r, struct reconcile_item *it)
{
	if (!it->outstanding)
		return;
	it->prev->next = it->next;
	it->next->prev = it->prev;
	it->prev = it->next = NULL;
	it->outstanding = 0;
	r->outstanding--;
}

/* Empties the outstanding list. */
static void
reconcile_drop_all(struct reconcile *r)
{
	while (r->head.next != &r->head)
		reconcile_unlink(r, r->head.next);
}

void
reconcile_begin(struct reconcile *r, int64_t now, int64_t wall,
    const char *cause)
{
	reconcile_drop_all(r);
	r->started = now;
	r->started_wall = wall;
	r->wait_s = r->initial_s;
	r->next_at = INT64_MAX;
	r->round_at = now;
	r->last_answer = -1;
	r->runs++;
	r->done = 0;
	if (r->phase == RECONCILE_EXPLICIT)
		log_info("reconcile: explicit run restarted (%s)", cause);
	reconcile_set_phase(r, RECONCILE_EXPLICIT, cause);
}

void
reconcile_add(struct reconcile *r, struct reconcile_item *it)
{
	if (it->outstanding)
		return;
	it->prev = r->head.prev;
	it->next = &r->head;
	r->head.prev->next = it;
	r->head.prev = it;
	it->outstanding = 1;
	r->outstanding++;
}

/* Sends every outstanding task in RECONCILE calls of at most batch tasks. */
static void
reconcile_round(struct reconcile *r, const char *fid, struct effects *out)
{
	const char **tids, **aids;
	size_t n = 0, batches = 0;

	tids = xcalloc(r->batch, sizeof *tids);
	aids = xcalloc(r->batch, sizeof *aids);
	for (struct reconcile_item *it = r->head.next; it != &r->head;
	    it = it->next) {
		tids[n] = it->task_id;
		aids[n] = it->agent_id;
		if (++n == r->batch) {
			effects_call(out, call_reconcile(fid, tids, aids, n), 0);
			batches++;
			n = 0;
		}
	}
	if (n > 0) {
		effects_call(out, call_reconcile(fid, tids, aids, n), 0);
		batches++;
	}
	free(tids);
	free(aids);
	r->rounds++;
	log_info("reconcile: round %llu: %zu tasks outstanding in %zu "
	    "call(s), next try in %.1fs", (unsigned long long)r->rounds,
	    r->outstanding, batches, r->wait_s);
}

/* Ends the explicit part: sends the implicit RECONCILE. */
static void
reconcile_implicit(struct reconcile *r, const char *fid, int64_t now,
    struct effects *out, const char *cause)
{
	r->last_duration_ms = now - r->started;
	r->last_done_wall = r->started_wall + r->last_duration_ms;
	r->completed++;
	r->done = 1;
	effects_call(out, call_reconcile(fid, NULL, NULL, 0), 0);
	r->next_at = now + (int64_t)(r->initial_s * 1000);
	reconcile_set_phase(r, RECONCILE_IMPLICIT, cause);
}

void
reconcile_send(struct reconcile *r, const char *fid, int64_t now,
    struct effects *out)
{
	if (r->phase != RECONCILE_EXPLICIT)
		return;
	if (r->outstanding == 0) {
		reconcile_implicit(r, fid, now, out, "no task to reconcile");
		return;
	}
	reconcile_round(r, fid, out);
	r->round_at = now;
	r->next_at = now + (int64_t)(r->wait_s * 1000);
}

void
reconcile_seen(struct reconcile *r, struct reconcile_item *it,
    const char *fid, int64_t now, struct effects *out)
{
	if (!it->outstanding)
		return;
	r->last_answer = now;
	reconcile_unlink(r, it);
	if (r->phase == RECONCILE_EXPLICIT && r->outstanding == 0)
		reconcile_implicit(r, fid, now, out, "every task answered");
}

void
reconcile_forget(struct reconcile *r, struct reconcile_item *it)
{
	reconcile_unlink(r, it);
}

void
reconcile_tick(struct reconcile *r, const char *fid, int64_t now,
    struct effects *out)
{
	int64_t wait_ms;

	if (now < r->next_at)
		return;
	switch (r->phase) {
	case RECONCILE_EXPLICIT:
		if (r->outstanding == 0) {
			reconcile_implicit(r, fid, now, out,
			    "every task answered");
			return;
		}
		/* A big round takes the master a while to answer: while
		 * answers to it still arrive, asking again would only double
		 * the traffic. Retry once it has been quiet for one wait. */
		wait_ms = (int64_t)(r->wait_s * 1000);
		if (r->last_answer >= r->round_at &&
		    now - r->last_answer < wait_ms) {
			r->next_at = r->last_answer + wait_ms;
			return;
		}
		r->wait_s *= r->factor;
		if (r->wait_s > r->max_s)
			r->wait_s = r->max_s;
		reconcile_round(r, fid, out);
		r->round_at = now;
		r->next_at = now + (int64_t)(r->wait_s * 1000);
		break;
	case RECONCILE_IMPLICIT:
		r->next_at = INT64_MAX;
		r->last_end = now;
		reconcile_set_phase(r, RECONCILE_IDLE, "implicit answers in");
		break;
	default:
		r->next_at = INT64_MAX;
		break;
	}
}

void
reconcile_stop(struct reconcile *r, const char *cause)
{
	reconcile_drop_all(r);
	r->next_at = INT64_MAX;
	r->done = 0;
	reconcile_set_phase(r, RECONCILE_IDLE, cause);
}

int64_t
reconcile_deadline(const struct reconcile *r)
{
	return r->next_at;
}

int
reconcile_periodic_due(const struct reconcile *r, int64_t now)
{
	if (r->phase != RECONCILE_IDLE || r->runs == 0)
		return 0;
	return now - r->started >= (int64_t)(r->interval_s * 1000);
}
