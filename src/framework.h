/*
 * framework — the FrameworkInfo arkd subscribes with, built from the
 * configuration, and the SUBSCRIBE call that carries it. Pure: no I/O.
 */
#ifndef ARK_FRAMEWORK_H
#define ARK_FRAMEWORK_H

#include "codec.h"

struct config;

/* One week: how long the master keeps our tasks while arkd is away. */
#define FRAMEWORK_FAILOVER_DEFAULT	604800.0

/*
 * Builds the FrameworkInfo for cfg, with id set when framework_id is not
 * NULL. Returns a message the caller frees with codec_free().
 */
Mesos__V1__FrameworkInfo	*framework_info_build(const struct config *,
		    const char *framework_id);
/*
 * Builds the SUBSCRIBE call (framework_id set on the call and in the
 * FrameworkInfo when not NULL). The caller frees it with codec_free().
 */
Mesos__V1__Scheduler__Call	*framework_subscribe_call(const struct config *,
		    const char *framework_id);
/* Builds a FrameworkID message (caller frees with codec_free()). */
Mesos__V1__FrameworkID		*framework_id_build(const char *);

#endif
