/*
 * msg — message allocation, release and the FIFO the dispatcher drains.
 */
#include <stdlib.h>
#include <time.h>

#include "admin-req.h"
#include "config.h"
#include "msg.h"
#include "xmalloc.h"

static const char *msg_type_names[MSG_MAX] = {
	"event", "session", "call_done", "agents", "tick", "admin", "reload",
	"shutdown"
};

struct msg *
msg_create(enum msg_type type)
{
	struct msg *m = xcalloc(1, sizeof *m);

	m->type = type;
	m->now = msg_clock_now();
	m->wall = msg_clock_wall();
	return m;
}

void
msg_free(struct msg *m)
{
	if (m == NULL)
		return;
	switch (m->type) {
	case MSG_EVENT:
		codec_free(m->u.event);
		break;
	case MSG_SESSION:
		free(m->u.session.master);
		free(m->u.session.stream_id);
		free(m->u.session.reason);
		break;
	case MSG_CALL_DONE:
		free(m->u.call_done.error);
		free(m->u.call_done.body);
		break;
	case MSG_AGENTS:
		codec_free(m->u.agents);
		break;
	case MSG_ADMIN:
		admin_req_free(m->u.admin);
		break;
	case MSG_RELOAD:
		config_free(m->u.config);
		break;
	default:
		break;
	}
	free(m);
}

const char *
msg_type_name(enum msg_type t)
{
	return t < MSG_MAX ? msg_type_names[t] : "?";
}

void
msg_queue_push(struct msg_queue *q, struct msg *m)
{
	m->next = NULL;
	if (q->tail != NULL)
		q->tail->next = m;
	else
		q->head = m;
	q->tail = m;
	q->len++;
}

struct msg *
msg_queue_pop(struct msg_queue *q)
{
	struct msg *m = q->head;

	if (m == NULL)
		return NULL;
	q->head = m->next;
	if (q->head == NULL)
		q->tail = NULL;
	q->len--;
	m->next = NULL;
	return m;
}

int64_t
msg_clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
msg_clock_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
