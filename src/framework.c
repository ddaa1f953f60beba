/*
 * framework — FrameworkInfo from struct config. Every part of the message is
 * its own malloc block (the codec.h convention), so the result is freed with
 * codec_free(). Capabilities: MULTI_ROLE (we always send roles, never the
 * deprecated role), TASK_KILLING_STATE, PARTITION_AWARE when the config asks
 * for it, GPU_RESOURCES only when some job asks for GPUs (a framework with
 * it is offered GPU agents first, which it must then use).
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "framework.h"
#include "xmalloc.h"

Mesos__V1__FrameworkID *
framework_id_build(const char *id)
{
	Mesos__V1__FrameworkID *f = xmalloc(sizeof *f);

	mesos__v1__framework_id__init(f);
	f->value = xstrdup(id);
	return f;
}

/* Appends a capability of type t to fi. */
static void
framework_add_capability(Mesos__V1__FrameworkInfo *fi,
    Mesos__V1__FrameworkInfo__Capability__Type t)
{
	Mesos__V1__FrameworkInfo__Capability *c = xmalloc(sizeof *c);

	mesos__v1__framework_info__capability__init(c);
	c->has_type = 1;
	c->type = t;
	fi->capabilities = xreallocarray(fi->capabilities,
	    fi->n_capabilities + 1, sizeof *fi->capabilities);
	fi->capabilities[fi->n_capabilities++] = c;
}

/* Returns a heap copy of s, or NULL for NULL or "". */
static char *
framework_opt_str(const char *s)
{
	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

/* True if some job asks for GPUs. */
static int
framework_wants_gpus(const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->njobs; i++)
		if (cfg->jobs[i].gpus > 0)
			return 1;
	return 0;
}

Mesos__V1__FrameworkInfo *
framework_info_build(const struct config *cfg, const char *framework_id)
{
	Mesos__V1__FrameworkInfo *fi = xmalloc(sizeof *fi);
	Mesos__V1__Labels *labels;
	Mesos__V1__Label *l;
	size_t i;

	mesos__v1__framework_info__init(fi);
	/* The deprecated role stays at its default and is never sent. */
	fi->user = xstrdup(cfg->user != NULL && *cfg->user != '\0' ?
	    cfg->user : "nobody");
	fi->name = xstrdup(cfg->framework_name != NULL &&
	    *cfg->framework_name != '\0' ? cfg->framework_name : "ark");
	if (framework_id != NULL)
		fi->id = framework_id_build(framework_id);
	fi->has_failover_timeout = 1;
	fi->failover_timeout = cfg->failover_timeout_s > 0 ?
	    cfg->failover_timeout_s : FRAMEWORK_FAILOVER_DEFAULT;
	fi->has_checkpoint = 1;
	fi->checkpoint = cfg->checkpoint != 0;
	if (cfg->nroles > 0) {
		fi->roles = xcalloc(cfg->nroles, sizeof *fi->roles);
		for (i = 0; i < cfg->nroles; i++)
			fi->roles[i] = xstrdup(cfg->roles[i]);
		fi->n_roles = cfg->nroles;
	} else {
		fi->roles = xcalloc(1, sizeof *fi->roles);
		fi->roles[0] = xstrdup("*");
		fi->n_roles = 1;
	}
	fi->hostname = framework_opt_str(cfg->hostname);
	fi->principal = framework_opt_str(cfg->principal);
	fi->webui_url = framework_opt_str(cfg->webui_url);
	framework_add_capability(fi,
	    MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__MULTI_ROLE);
	framework_add_capability(fi,
	    MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__TASK_KILLING_STATE);
	if (cfg->partition_aware)
		framework_add_capability(fi,
		    MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__PARTITION_AWARE);
	if (framework_wants_gpus(cfg))
		framework_add_capability(fi,
		    MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__GPU_RESOURCES);
	if (cfg->nframework_labels > 0) {
		labels = xmalloc(sizeof *labels);
		mesos__v1__labels__init(labels);
		labels->labels = xcalloc(cfg->nframework_labels,
		    sizeof *labels->labels);
		for (i = 0; i < cfg->nframework_labels; i++) {
			l = xmalloc(sizeof *l);
			mesos__v1__label__init(l);
			l->key = xstrdup(cfg->framework_labels[i].key);
			l->value = cfg->framework_labels[i].value != NULL ?
			    xstrdup(cfg->framework_labels[i].value) : NULL;
			labels->labels[i] = l;
		}
		labels->n_labels = cfg->nframework_labels;
		fi->labels = labels;
	}
	return fi;
}

Mesos__V1__Scheduler__Call *
framework_subscribe_call(const struct config *cfg, const char *framework_id)
{
	Mesos__V1__Scheduler__Call *c = xmalloc(sizeof *c);
	Mesos__V1__Scheduler__Call__Subscribe *s = xmalloc(sizeof *s);

	mesos__v1__scheduler__call__init(c);
	mesos__v1__scheduler__call__subscribe__init(s);
	c->has_type = 1;
	c->type = MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE;
	if (framework_id != NULL)
		c->framework_id = framework_id_build(framework_id);
	s->framework_info = framework_info_build(cfg, framework_id);
	c->subscribe = s;
	return c;
}
