/*
 * admin-req — names and release of operator requests (admin-req.h).
 */
#include <stdlib.h>

#include "admin-req.h"

static const char *admin_op_names[ADMIN_OP_MAX] = {
	"get_state", "get_jobs", "get_job", "get_tasks", "get_agents",
	"get_blacklist", "put_blacklist", "del_blacklist", "reconcile",
	"restart_job", "patch_job", "kill_task", "readyz", "metrics", "reload",
	"teardown"
};

const char *
admin_op_name(enum admin_op op)
{
	return op < ADMIN_OP_MAX ? admin_op_names[op] : "?";
}

void
admin_req_free(struct admin_req *r)
{
	if (r == NULL)
		return;
	free(r->arg);
	free(r->job);
	free(r->state);
	free(r->agent);
	free(r->reason);
	free(r);
}
