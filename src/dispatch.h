/*
 * dispatch — the one dispatcher of arkd. It owns the message queue and, once
 * per loop iteration (an ev_prepare watcher, just before the loop sleeps),
 * drains it through the pure core, then carries out the effects: first every
 * store row in one transaction (group commit), then calls, replies and the
 * rest. Nothing else changes scheduler state. With ha.zk it also follows
 * the election (leader.c): the master connection runs only while this
 * instance leads.
 */
#ifndef ARK_DISPATCH_H
#define ARK_DISPATCH_H

#include <stdint.h>

struct admin;
struct config;
struct leader;
struct dispatch;
struct ev_loop;
struct master;
struct msg;
struct msg_queue;
struct record;
struct sched;
struct store;

/* Options the command line sets beside the configuration file. */
struct dispatch_opts {
	const char	*config_path;	/* for reloads */
	struct record	*record;	/* arkd --record FILE (owned), or NULL */
	int		 ready_on_start;/* notify READY before SUBSCRIBED */
	/* applied to every configuration loaded, the first and reloads */
	void		(*override)(struct config *, void *arg);
	void		*override_arg;
	/* ha.zk: the election (owned; started by dispatch_create), or NULL:
	 * then the master connection is started at once */
	struct leader	*leader;
};

/*
 * Wires the parts together. Takes ownership of cfg, store, sched, master and
 * admin (admin may be NULL); frees them in dispatch_free().
 */
struct dispatch	*dispatch_create(struct ev_loop *, const struct dispatch_opts *,
		    struct config *cfg, struct store *store, struct sched *sched,
		    struct master *master, struct admin *admin,
		    struct msg_queue *q);
void		 dispatch_free(struct dispatch *);
/* Runs the loop until the core asks to exit; returns the exit code. */
int		 dispatch_run(struct dispatch *);
/* Queues a message for the next drain (from any loop callback). */
void		 dispatch_push(struct dispatch *, struct msg *);

#endif
