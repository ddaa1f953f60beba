/*
 * allocator — offers, as the Mesos allocator makes them. Every allocation
 * interval (and soon after a SUBSCRIBE, a REVIVE or a new agent) each agent
 * with unused resources is offered whole, in one offer, to one subscribed
 * framework that has an unsuppressed role and no filter for it (frameworks
 * take turns). Offers of one round go out in one OFFERS event per
 * framework. DECLINE and the unused part of an ACCEPT install a filter for
 * refuse_seconds (default 5); REVIVE clears filters and suppression.
 * Offers are rescinded (RESCIND) when their agent goes away, on request of
 * the control API, or after --offer-timeout. Agents under maintenance get
 * unavailability in their offers, and the frameworks with tasks on them
 * get inverse offers.
 *
 * Only agents that may have something to offer are looked at: an agent is
 * queued when its resources change and leaves the queue once offered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "log.h"
#include "xmalloc.h"

/* Mesos caps Filters.refuse_seconds at a year. */
#define ALLOC_REFUSE_MAX	31536000.0

static char alloc_http[] = "http";
static char alloc_path[] = "/slave(1)";
static char alloc_ip[] = "127.0.0.1";

static void	alloc_run(struct sim *);

/* The periodic allocation. */
static void
alloc_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	alloc_run(w->data);
}

/* Starts the allocation timer. */
void
alloc_start(struct sim *sim)
{
	ev_timer_init(&sim->alloc_timer, alloc_timer_cb,
	    sim->cfg.allocation_interval, sim->cfg.allocation_interval);
	sim->alloc_timer.data = sim;
	ev_timer_start(sim->loop, &sim->alloc_timer);
	ev_timer_init(&sim->alloc_soon, alloc_timer_cb, 0, 0);
	sim->alloc_soon.data = sim;
}

/* Stops the allocator (at exit). */
void
alloc_stop(struct sim *sim)
{
	ev_timer_stop(sim->loop, &sim->alloc_timer);
	ev_timer_stop(sim->loop, &sim->alloc_soon);
	free(sim->maintv);
	sim->maintv = NULL;
	sim->nmaint = 0;
}

/* Runs an allocation as soon as the loop comes round. */
void
alloc_soon(struct sim *sim)
{
	if (!ev_is_active(&sim->alloc_soon)) {
		ev_timer_set(&sim->alloc_soon, 0.001, 0);
		ev_timer_start(sim->loop, &sim->alloc_soon);
	}
}

/* Puts the agent on the list the next allocation looks at. */
void
alloc_queue_agent(struct sim *sim, struct sim_agent *a)
{
	if (a->alloc_queued)
		return;
	a->alloc_queued = 1;
	a->alloc_next = sim->alloc_head;
	sim->alloc_head = a;
}

/* Sends RESCIND for o. */
static void
alloc_send_rescind(struct sim_offer *o)
{
	Mesos__V1__Scheduler__Event ev = MESOS__V1__SCHEDULER__EVENT__INIT;
	Mesos__V1__Scheduler__Event__Rescind r =
	    MESOS__V1__SCHEDULER__EVENT__RESCIND__INIT;
	Mesos__V1__OfferID oid = MESOS__V1__OFFER_ID__INIT;

	oid.value = o->id;
	r.offer_id = &oid;
	ev.has_type = 1;
	ev.type = MESOS__V1__SCHEDULER__EVENT__TYPE__RESCIND;
	ev.rescind = &r;
	if (fw_send(o->fw, &ev) == 0)
		o->fw->sim->c.offers_rescinded++;
}

/*
 * Removes an offer; its resources go back to the agent. rescind sends
 * RESCIND to the framework first.
 */
void
alloc_remove_offer(struct sim *sim, struct sim_offer *o, int rescind)
{
	struct sim_framework *fw = o->fw;

	if (rescind)
		alloc_send_rescind(o);
	ev_timer_stop(sim->loop, &o->timeout);
	if (o->prev != NULL)
		o->prev->next = o->next;
	else
		fw->offers = o->next;
	if (o->next != NULL)
		o->next->prev = o->prev;
	fw->noffers--;
	if (o->agent->offer == o)
		o->agent->offer = NULL;
	htab_dels(&sim->offers, o->id);
	alloc_queue_agent(sim, o->agent);
	res_clear(&o->res);
	free(o->role);
	free(o->id);
	free(o);
}

/* Removes every offer of fw (rescind: with RESCIND events). */
void
alloc_remove_fw_offers(struct sim *sim, struct sim_framework *fw,
    int rescind)
{
	while (fw->offers != NULL)
		alloc_remove_offer(sim, fw->offers, rescind);
}

/* Rescinds every outstanding offer (control API). */
void
alloc_rescind_all(struct sim *sim)
{
	struct sim_framework *fw;
	size_t i = 0;

	while ((fw = htab_next(&sim->frameworks, &i)) != NULL)
		alloc_remove_fw_offers(sim, fw, 1);
}

/* Frees one inverse offer record. */
static void
alloc_free_inverse(struct sim *sim, struct sim_inverse *io)
{
	htab_dels(&sim->inverses, io->id);
	free(io->id);
	free(io);
}

/*
 * Removes the agent's inverse offers (of fw, or all if fw is NULL),
 * rescinding the unanswered ones.
 */
void
alloc_remove_inverses(struct sim *sim, struct sim_agent *a,
    struct sim_framework *fw)
{
	struct sim_inverse **pp = &a->inverses, *io;

	while ((io = *pp) != NULL) {
		if (fw != NULL && io->fw != fw) {
			pp = &io->next;
			continue;
		}
		*pp = io->next;
		if (!io->answered) {
			Mesos__V1__Scheduler__Event ev =
			    MESOS__V1__SCHEDULER__EVENT__INIT;
			Mesos__V1__Scheduler__Event__RescindInverseOffer r =
			    MESOS__V1__SCHEDULER__EVENT__RESCIND_INVERSE_OFFER__INIT;
			Mesos__V1__OfferID oid = MESOS__V1__OFFER_ID__INIT;

			oid.value = io->id;
			r.inverse_offer_id = &oid;
			ev.has_type = 1;
			ev.type =
			    MESOS__V1__SCHEDULER__EVENT__TYPE__RESCIND_INVERSE_OFFER;
			ev.rescind_inverse_offer = &r;
			fw_send(io->fw, &ev);
		}
		alloc_free_inverse(sim, io);
	}
}

/* A new leader knows no offer, inverse offer or filter. */
void
alloc_forget_all(struct sim *sim)
{
	struct sim_framework *fw;
	struct sim_filter *f;
	size_t i = 0, j;

	while ((fw = htab_next(&sim->frameworks, &i)) != NULL) {
		alloc_remove_fw_offers(sim, fw, 0);
		j = 0;
		while ((f = htab_next(&fw->filters, &j)) != NULL) {
			res_clear(&f->refused);
			free(f->agent_id);
			free(f);
		}
		htab_clear(&fw->filters);
	}
	for (i = 0; i < sim->nagents; i++) {
		struct sim_agent *a = sim->agentv[i];
		struct sim_inverse *io;

		while ((io = a->inverses) != NULL) {
			a->inverses = io->next;
			alloc_free_inverse(sim, io);
		}
	}
}

/* The offer outlived --offer-timeout: rescind it. */
static void
alloc_offer_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sim_offer *o = w->data;

	alloc_remove_offer(o->fw->sim, o, 1);
}

/*
 * Installs a filter: offers to fw of resources within res on agent a are
 * not made for refuse_seconds (default --default-refuse, 0 = no filter).
 */
void
alloc_add_filter(struct sim *sim, struct sim_framework *fw,
    struct sim_agent *a, const struct sim_res *res,
    const Mesos__V1__Filters *filters)
{
	double refuse = sim->cfg.refuse_default;
	struct sim_filter *f;

	if (filters != NULL && filters->has_refuse_seconds) {
		refuse = filters->refuse_seconds;
		if (refuse < 0)
			refuse = sim->cfg.refuse_default;
		if (refuse > ALLOC_REFUSE_MAX)
			refuse = ALLOC_REFUSE_MAX;
	}
	if (refuse <= 0 || res_empty(res))
		return;
	f = htab_gets(&fw->filters, a->id);
	if (f == NULL) {
		f = xcalloc(1, sizeof *f);
		f->agent_id = xstrdup(a->id);
		res_init(&f->refused);
		htab_puts(&fw->filters, f->agent_id, f);
	}
	res_copy(&f->refused, res);
	f->until = ev_now(sim->loop) + refuse;
}

/* 1 if fw filters offers of avail on agent a (drops expired filters). */
static int
alloc_filtered(struct sim *sim, struct sim_framework *fw, struct sim_agent *a,
    const struct sim_res *avail)
{
	struct sim_filter *f;

	if (fw->filters.n == 0)
		return 0;
	f = htab_gets(&fw->filters, a->id);
	if (f == NULL)
		return 0;
	if (ev_now(sim->loop) >= f->until) {
		htab_dels(&fw->filters, a->id);
		res_clear(&f->refused);
		free(f->agent_id);
		free(f);
		return 0;
	}
	return res_contains(&f->refused, avail);
}

/* Returns fw's first unsuppressed role, or NULL. */
static const char *
alloc_role(const struct sim_framework *fw)
{
	size_t i;

	for (i = 0; i < fw->nroles; i++) {
		if (!fw->suppressed[i])
			return fw->roles[i];
	}
	return NULL;
}

/* One offer message with its parts, as one block of an event. */
struct alloc_pb {
	Mesos__V1__Offer		 o;
	Mesos__V1__OfferID		 id;
	Mesos__V1__FrameworkID		 fid;
	Mesos__V1__AgentID		 aid;
	Mesos__V1__URL			 url;
	Mesos__V1__Address		 addr;
	Mesos__V1__Resource__AllocationInfo ai;
	Mesos__V1__Unavailability	 un;
	Mesos__V1__TimeInfo		 start;
	Mesos__V1__DurationInfo		 dur;
	struct res_pb			 res;
};

/* Fills an Unavailability for an agent under maintenance. */
static void
alloc_unavailability(const struct sim_agent *a, Mesos__V1__Unavailability *un,
    Mesos__V1__TimeInfo *start, Mesos__V1__DurationInfo *dur)
{
	mesos__v1__unavailability__init(un);
	mesos__v1__time_info__init(start);
	mesos__v1__duration_info__init(dur);
	start->nanoseconds = (int64_t)(a->maint_start * 1e9);
	un->start = start;
	if (a->maint_duration > 0) {
		dur->nanoseconds = (int64_t)(a->maint_duration * 1e9);
		un->duration = dur;
	}
}

/* Fills the URL of an agent. */
static void
alloc_url(const struct sim_agent *a, Mesos__V1__URL *url,
    Mesos__V1__Address *addr)
{
	mesos__v1__url__init(url);
	mesos__v1__address__init(addr);
	addr->hostname = alloc_ip;
	addr->ip = alloc_ip;
	addr->port = a->port;
	url->scheme = alloc_http;
	url->address = addr;
	url->path = alloc_path;
}

/* Sends fw one OFFERS event with the n offers in v. */
static void
alloc_send_offers(struct sim *sim, struct sim_framework *fw,
    struct sim_offer **v, size_t n)
{
	Mesos__V1__Scheduler__Event ev = MESOS__V1__SCHEDULER__EVENT__INIT;
	Mesos__V1__Scheduler__Event__Offers offers =
	    MESOS__V1__SCHEDULER__EVENT__OFFERS__INIT;
	struct alloc_pb *pb = xcalloc(n, sizeof *pb);
	Mesos__V1__Offer **ov = xcalloc(n, sizeof *ov);
	size_t i;

	for (i = 0; i < n; i++) {
		struct sim_offer *o = v[i];
		struct alloc_pb *p = &pb[i];

		mesos__v1__offer__init(&p->o);
		mesos__v1__offer_id__init(&p->id);
		mesos__v1__framework_id__init(&p->fid);
		mesos__v1__agent_id__init(&p->aid);
		mesos__v1__resource__allocation_info__init(&p->ai);
		p->id.value = o->id;
		p->fid.value = fw->id;
		p->aid.value = o->agent->id;
		p->ai.role = o->role;
		p->o.id = &p->id;
		p->o.framework_id = &p->fid;
		p->o.agent_id = &p->aid;
		p->o.hostname = o->agent->hostname;
		alloc_url(o->agent, &p->url, &p->addr);
		p->o.url = &p->url;
		res_pb_build(&p->res, &o->res, o->role, 1);
		p->o.n_resources = p->res.n;
		p->o.resources = p->res.p;
		p->o.attributes = agents_attrs_pb(o->agent);
		p->o.n_attributes = p->o.attributes == NULL ? 0 :
		    o->agent->nattrs;
		p->o.allocation_info = &p->ai;
		if (o->agent->maintenance) {
			alloc_unavailability(o->agent, &p->un, &p->start,
			    &p->dur);
			p->o.unavailability = &p->un;
		}
		ov[i] = &p->o;
	}
	offers.n_offers = n;
	offers.offers = ov;
	ev.has_type = 1;
	ev.type = MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS;
	ev.offers = &offers;
	if (fw_send(fw, &ev) == 0)
		sim->c.offers_sent += n;
	for (i = 0; i < n; i++) {
		res_pb_clear(&pb[i].res);
		agents_attrs_pb_free(pb[i].o.attributes,
		    pb[i].o.n_attributes);
	}
	free(ov);
	free(pb);
}

/* Makes an offer of avail on a to fw; returns it. */
static struct sim_offer *
alloc_make_offer(struct sim *sim, struct sim_framework *fw,
    struct sim_agent *a, const struct sim_res *avail, const char *role)
{
	struct sim_master *m = sim_leader(sim);
	struct sim_offer *o = xcalloc(1, sizeof *o);

	o->id = xasprintf("%s-O%llu", m->id,
	    (unsigned long long)m->next_offer++);
	o->fw = fw;
	o->agent = a;
	res_init(&o->res);
	res_copy(&o->res, avail);
	o->role = xstrdup(role);
	o->created = ev_now(sim->loop);
	ev_timer_init(&o->timeout, alloc_offer_timeout_cb,
	    sim->cfg.offer_timeout, 0);
	o->timeout.data = o;
	if (sim->cfg.offer_timeout > 0)
		ev_timer_start(sim->loop, &o->timeout);
	o->next = fw->offers;
	if (o->next != NULL)
		o->next->prev = o;
	fw->offers = o;
	fw->noffers++;
	a->offer = o;
	htab_puts(&sim->offers, o->id, o);
	return o;
}

/* Sends inverse offers due on an agent under maintenance. */
static void
alloc_inverse_round(struct sim *sim, struct sim_agent *a)
{
	Mesos__V1__Scheduler__Event ev = MESOS__V1__SCHEDULER__EVENT__INIT;
	Mesos__V1__Scheduler__Event__InverseOffers inv =
	    MESOS__V1__SCHEDULER__EVENT__INVERSE_OFFERS__INIT;
	Mesos__V1__InverseOffer io = MESOS__V1__INVERSE_OFFER__INIT;
	Mesos__V1__InverseOffer *iov[1];
	Mesos__V1__OfferID oid = MESOS__V1__OFFER_ID__INIT;
	Mesos__V1__FrameworkID fid = MESOS__V1__FRAMEWORK_ID__INIT;
	Mesos__V1__AgentID aid = MESOS__V1__AGENT_ID__INIT;
	Mesos__V1__URL url;
	Mesos__V1__Address addr;
	Mesos__V1__Unavailability un;
	Mesos__V1__TimeInfo start;
	Mesos__V1__DurationInfo dur;
	struct sim_master *m = sim_leader(sim);
	struct sim_task *t;
	double now = ev_now(sim->loop);

	if (!agents_reachable(a))
		return;
	for (t = a->tasks; t != NULL; t = t->anext) {
		struct sim_framework *fw = t->fw;
		struct sim_inverse *x;

		if (fw->state != SIM_FW_CONNECTED || t->terminal)
			continue;
		for (x = a->inverses; x != NULL; x = x->next) {
			if (x->fw == fw)
				break;
		}
		if (x != NULL && (!x->answered || now < x->resend_at))
			continue;
		if (x != NULL)
			alloc_remove_inverses(sim, a, fw);
		x = xcalloc(1, sizeof *x);
		x->id = xasprintf("%s-O%llu", m->id,
		    (unsigned long long)m->next_offer++);
		x->fw = fw;
		x->agent = a;
		x->next = a->inverses;
		a->inverses = x;
		htab_puts(&sim->inverses, x->id, x);
		oid.value = x->id;
		fid.value = fw->id;
		aid.value = a->id;
		alloc_url(a, &url, &addr);
		alloc_unavailability(a, &un, &start, &dur);
		io.id = &oid;
		io.url = &url;
		io.framework_id = &fid;
		io.agent_id = &aid;
		io.unavailability = &un;
		iov[0] = &io;
		inv.n_inverse_offers = 1;
		inv.inverse_offers = iov;
		ev.has_type = 1;
		ev.type = MESOS__V1__SCHEDULER__EVENT__TYPE__INVERSE_OFFERS;
		ev.inverse_offers = &inv;
		if (fw_send(fw, &ev) == 0)
			sim->c.inverse_offers_sent++;
	}
}

/* One allocation round over the queued agents. */
static void
alloc_run(struct sim *sim)
{
	struct sim_framework **fws = NULL, *fw;
	struct sim_offer ***batch = NULL;
	size_t *nbatch = NULL, nfw = 0, i = 0, k, max;
	struct sim_agent *a, *keep = NULL;
	struct sim_res avail;

	if (sim->leader < 0 || masters_recovering(sim))
		return;
	for (k = 0; k < sim->nmaint; k++)
		alloc_inverse_round(sim, sim->maintv[k]);
	while ((fw = htab_next(&sim->frameworks, &i)) != NULL) {
		if (fw->state != SIM_FW_CONNECTED || alloc_role(fw) == NULL)
			continue;
		fws = xreallocarray(fws, nfw + 1, sizeof *fws);
		fws[nfw++] = fw;
	}
	if (nfw == 0)
		return;
	batch = xcalloc(nfw, sizeof *batch);
	nbatch = xcalloc(nfw, sizeof *nbatch);
	res_init(&avail);
	while ((a = sim->alloc_head) != NULL) {
		size_t start = (size_t)(sim->alloc_round++ % nfw), j;

		sim->alloc_head = a->alloc_next;
		a->alloc_queued = 0;
		if (a->state != SIM_AGENT_ACTIVE || a->offer != NULL)
			continue;
		res_copy(&avail, &a->total);
		res_sub(&avail, &a->used);
		if (res_empty(&avail))
			continue;
		for (j = 0; j < nfw; j++) {
			size_t f = (start + j) % nfw;

			if (alloc_filtered(sim, fws[f], a, &avail))
				continue;
			batch[f] = xreallocarray(batch[f], nbatch[f] + 1,
			    sizeof **batch);
			batch[f][nbatch[f]++] = alloc_make_offer(sim, fws[f],
			    a, &avail, alloc_role(fws[f]));
			break;
		}
		if (j == nfw) {
			/* Filtered for everyone: look again next round. */
			a->alloc_queued = 1;
			a->alloc_next = keep;
			keep = a;
		}
	}
	sim->alloc_head = keep;
	res_clear(&avail);
	max = sim->cfg.max_offers_per_event;
	for (k = 0; k < nfw; k++) {
		size_t off;

		for (off = 0; off < nbatch[k]; off += max ? max : nbatch[k]) {
			size_t n = nbatch[k] - off;

			if (max != 0 && n > max)
				n = max;
			alloc_send_offers(sim, fws[k], batch[k] + off, n);
		}
		free(batch[k]);
	}
	free(batch);
	free(nbatch);
	free(fws);
}

/*
 * DECLINE: each offer of fw goes back with a filter; unknown offer ids are
 * ignored (as a master does, with a log line).
 */
void
alloc_decline(struct sim *sim, struct sim_framework *fw,
    Mesos__V1__Scheduler__Call__Decline *d)
{
	size_t i;

	for (i = 0; i < d->n_offer_ids; i++) {
		const char *id = d->offer_ids[i]->value;
		struct sim_offer *o = htab_gets(&sim->offers, id);

		if (o == NULL || o->fw != fw) {
			log_debug("allocator: ignoring DECLINE of offer %s "
			    "since it is no longer valid", id ? id : "");
			sim->c.offers_invalid++;
			continue;
		}
		alloc_add_filter(sim, fw, o->agent, &o->res, d->filters);
		sim->c.offers_declined++;
		alloc_remove_offer(sim, o, 0);
	}
}

/* Applies f to the roles of fw named in roles (all if none). */
static void
alloc_set_suppressed(struct sim_framework *fw, char **roles, size_t n,
    int value)
{
	size_t i;
	int r;

	if (n == 0) {
		for (i = 0; i < fw->nroles; i++)
			fw->suppressed[i] = value;
		return;
	}
	for (i = 0; i < n; i++) {
		r = fw_role_index(fw, roles[i]);
		if (r >= 0)
			fw->suppressed[r] = value;
	}
}

/* REVIVE: unsuppresses the roles and clears the framework's filters. */
void
alloc_revive(struct sim *sim, struct sim_framework *fw, char **roles,
    size_t n)
{
	struct sim_filter *f;
	size_t i = 0;

	alloc_set_suppressed(fw, roles, n, 0);
	while ((f = htab_next(&fw->filters, &i)) != NULL) {
		res_clear(&f->refused);
		free(f->agent_id);
		free(f);
	}
	htab_clear(&fw->filters);
	alloc_soon(sim);
}

/* SUPPRESS: no more offers for the roles (outstanding ones stay). */
void
alloc_suppress(struct sim *sim, struct sim_framework *fw, char **roles,
    size_t n)
{
	alloc_set_suppressed(fw, roles, n, 1);
}

/*
 * ACCEPT_INVERSE_OFFERS / DECLINE_INVERSE_OFFERS: records the answer; the
 * inverse offer comes again after the filter's refuse_seconds.
 */
void
alloc_inverse_answer(struct sim *sim, struct sim_framework *fw,
    Mesos__V1__OfferID **ids, size_t n, const Mesos__V1__Filters *filters,
    int accept)
{
	double refuse = sim->cfg.refuse_default;
	size_t i;

	if (filters != NULL && filters->has_refuse_seconds &&
	    filters->refuse_seconds >= 0)
		refuse = filters->refuse_seconds;
	for (i = 0; i < n; i++) {
		struct sim_inverse *io = htab_gets(&sim->inverses,
		    ids[i]->value);

		if (io == NULL || io->fw != fw || io->answered)
			continue;
		io->answered = accept ? 1 : 2;
		io->resend_at = ev_now(sim->loop) + refuse;
	}
}

/* Starts maintenance on the agent: unavailability and inverse offers. */
void
alloc_maintenance(struct sim *sim, struct sim_agent *a)
{
	size_t i;

	for (i = 0; i < sim->nmaint; i++) {
		if (sim->maintv[i] == a)
			break;
	}
	if (i == sim->nmaint) {
		sim->maintv = xreallocarray(sim->maintv, sim->nmaint + 1,
		    sizeof *sim->maintv);
		sim->maintv[sim->nmaint++] = a;
	}
	a->maintenance = 1;
	/* The outstanding offer lacks the unavailability: replace it. */
	if (a->offer != NULL)
		alloc_remove_offer(sim, a->offer, 1);
	alloc_inverse_round(sim, a);
	alloc_soon(sim);
}

/* Ends maintenance on the agent. */
void
alloc_maintenance_stop(struct sim *sim, struct sim_agent *a)
{
	size_t i;

	for (i = 0; i < sim->nmaint; i++) {
		if (sim->maintv[i] == a) {
			sim->maintv[i] = sim->maintv[--sim->nmaint];
			break;
		}
	}
	a->maintenance = 0;
	alloc_remove_inverses(sim, a, NULL);
	if (a->offer != NULL)
		alloc_remove_offer(sim, a->offer, 1);
	alloc_soon(sim);
}

/* Describes an offer for /state. */
json_t *
alloc_offer_json(const struct sim_offer *o)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:o,s:f}", "id", o->id,
	    "framework_id", o->fw->id, "agent_id", o->agent->id,
	    "role", o->role, "resources", res_to_json(&o->res),
	    "offered_at", o->created);
}
