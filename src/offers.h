/*
 * offers — what one offer can hold. An offers_pool is an offer parsed once
 * into the pieces a task may use (scalars cpus/mem/disk/gpus and port
 * ranges, for the role the job runs as), so that placing many tasks in one
 * offer is a series of cheap subtractions. Taking builds the task's Resource
 * messages as copies of the offer's pieces (role, allocation_info and
 * reservations kept), which is what a MULTI_ROLE master requires. Also here:
 * the per-agent constraints (EQUALS, LIKE, UNLIKE) and reading attributes.
 * Pure: no state beyond the pool, no I/O.
 */
#ifndef ARK_OFFERS_H
#define ARK_OFFERS_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "config.h"

enum offers_kind {
	OFFERS_CPUS,
	OFFERS_MEM,
	OFFERS_DISK,
	OFFERS_GPUS,
	OFFERS_KIND_MAX
};

/* One usable piece of an offer: a scalar or a list of port ranges. */
struct offers_piece {
	const Mesos__V1__Resource *res;	/* in the offer (borrowed) */
	char		*role;		/* the role it is allocated to, or NULL */
	int		 kind;		/* enum offers_kind, or -1 for ports */
	double		 left;		/* scalar still free */
	uint64_t	*ranges;	/* ports: begin,end pairs still free */
	size_t		 nranges;
};

struct offers_pool {
	const Mesos__V1__Offer *offer;	/* borrowed */
	struct offers_piece *v;
	size_t		 n;
};

/* Parses offer into pool (the offer must outlive the pool). */
void		 offers_pool_init(struct offers_pool *, const Mesos__V1__Offer *);
void		 offers_pool_clear(struct offers_pool *);
/*
 * Whether the pool still holds job's resources for role. On 0, *why (may
 * be NULL) names the first shortfall: "cpus", "mem", "disk", "gpus",
 * "ports" (static strings).
 */
int		 offers_fit(const struct offers_pool *, const struct config_job *,
		    const char *role, const char **why);
/*
 * Takes job's resources for role out of the pool (offers_fit must have
 * said yes). Returns the Resource messages (array and elements owned by the
 * caller; *n set) and writes job->nports host ports to ports.
 */
Mesos__V1__Resource **offers_take(struct offers_pool *,
		    const struct config_job *, const char *role, size_t *n,
		    uint32_t *ports);
/* Sums the unreserved-or-not scalar totals of resources (for display). */
double		 offers_scalar_total(Mesos__V1__Resource *const *, size_t n,
		    const char *name);
/* An attribute's value as text ("3", "a,b", "[1-2]"); caller frees. */
char		*offers_attr_text(const Mesos__V1__Attribute *);
/*
 * Whether value (NULL: the agent lacks the field) satisfies an EQUALS,
 * LIKE or UNLIKE constraint (compiled by sched_config_copy). Counting
 * constraints (UNIQUE, MAX_PER) are not decided here: 1.
 */
int		 offers_constraint_ok(const struct config_constraint *,
		    const char *value);
/* The time an offer's unavailability starts, ms since the epoch; 0: none. */
int64_t		 offers_unavailable_at(const Mesos__V1__Offer *);
/* The time it ends (start + duration); INT64_MAX without a duration. */
int64_t		 offers_unavailable_until(const Mesos__V1__Offer *);

#endif
