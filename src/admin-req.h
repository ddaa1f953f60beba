/*
 * admin-req — an operator request as a value: what admin.c parsed from an
 * HTTP request (route, path argument, filters, validated body) and what
 * the core answers (sched-admin.c). It is the type that carries operator
 * requests on the message queue (MSG_ADMIN), so msg.c, the recorder and
 * the core know it without knowing the HTTP server; it depends on nothing.
 */
#ifndef ARK_ADMIN_REQ_H
#define ARK_ADMIN_REQ_H

#include <stdint.h>

enum admin_op {
	ADMIN_GET_STATE,	/* GET /v1/state */
	ADMIN_GET_JOBS,		/* GET /v1/jobs */
	ADMIN_GET_JOB,		/* GET /v1/jobs/{arg} */
	ADMIN_GET_TASKS,	/* GET /v1/tasks?job=&state=&agent= */
	ADMIN_GET_AGENTS,	/* GET /v1/agents */
	ADMIN_GET_BLACKLIST,	/* GET /v1/blacklist */
	ADMIN_PUT_BLACKLIST,	/* PUT /v1/blacklist/{arg} {"reason": "..."} */
	ADMIN_DEL_BLACKLIST,	/* DELETE /v1/blacklist/{arg} */
	ADMIN_RECONCILE,	/* POST /v1/reconcile */
	ADMIN_RESTART_JOB,	/* POST /v1/jobs/{arg}/restart (rolling) */
	ADMIN_PATCH_JOB,	/* PATCH /v1/jobs/{arg} {"instances", "suspended"} */
	ADMIN_KILL_TASK,	/* POST /v1/tasks/{arg}/kill */
	ADMIN_READYZ,		/* GET /readyz: subscribed and reconciled */
	ADMIN_METRICS,		/* GET /metrics */
	ADMIN_RELOAD,		/* POST /v1/reload: handled by the dispatcher */
	ADMIN_TEARDOWN,		/* POST /v1/teardown {"confirm": "yes-really"} */
	ADMIN_OP_MAX
};

struct admin_req {
	uint64_t	 id;		/* matches EFFECT_REPLY's id */
	enum admin_op	 op;
	char		*arg;		/* job id, task id or agent from the path */
	char		*job;		/* GET /v1/tasks filters, NULL = any */
	char		*state;
	char		*agent;
	char		*reason;	/* PUT blacklist */
	int64_t		 instances;	/* PATCH: -1 = unchanged */
	int		 suspended;	/* PATCH: -1 unchanged, 0 resume, 1 suspend */
};

/* The op's name in logs and recordings ("get_state", ...); "?" if none. */
const char	*admin_op_name(enum admin_op);
/* Frees a request and every string it owns; accepts NULL. */
void		 admin_req_free(struct admin_req *);

#endif
