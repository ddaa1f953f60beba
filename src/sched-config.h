/*
 * sched-config — the core's own copy of a configuration. sched_create()
 * copies the caller's struct config (the caller keeps it) and a reload's new
 * config is copied too, so the core never depends on how config.c allocates
 * or frees. LIKE/UNLIKE constraints are compiled again here, anchored at
 * both ends ("^(value)$", POSIX extended), which is what matching uses.
 */
#ifndef ARK_SCHED_CONFIG_H
#define ARK_SCHED_CONFIG_H

#include "config.h"

/* Returns a deep copy of cfg (caller frees with sched_config_free). */
struct config	*sched_config_copy(const struct config *cfg);
/* Frees a copy made by sched_config_copy; accepts NULL. */
void		 sched_config_free(struct config *);
/* The role a job's tasks run as: its own, the framework's first, or "*". */
const char	*sched_config_role(const struct config *, const struct config_job *);

#endif
