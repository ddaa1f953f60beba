/*
 * ark-sim — a simulated Apache Mesos 1.12 master with agents, for testing
 * v1 HTTP schedulers. This file is main: the flags (one table drives the
 * parser and --help), signals, and the loop. See sim/README.md.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "sim.h"
#include "log.h"
#include "xmalloc.h"

enum main_type {
	MAIN_INT,	/* int */
	MAIN_SIZE,	/* size_t */
	MAIN_U64,	/* uint64_t */
	MAIN_SECONDS,	/* double, >= 0 */
	MAIN_STRING,	/* const char * */
	MAIN_FLAG,	/* int set to 1, no argument */
	MAIN_SPECIAL,	/* handled in main_special() */
	MAIN_TYPE_MAX
};

struct main_opt {
	const char	*name;
	enum main_type	 type;
	size_t		 off;		/* offset in struct main_args */
	const char	*arg;		/* argument name for --help */
	const char	*help;
};

/* Everything the flags set. */
struct main_args {
	struct sim_config cfg;
	const char	*log_level;
	const char	*log_format;
	const char	*behaviour;
	const char	*fail_calls;
	uint64_t	 flood;
	uint64_t	 drop_acks;
	uint64_t	 duplicate_updates;
	int		 help;
	int		 version;
};

#define O(f)	offsetof(struct main_args, f)
#define C(f)	offsetof(struct main_args, cfg.f)

static const struct main_opt main_opts[] = {
	{ "port", MAIN_INT, C(port), "PORT",
	  "first master's port; master i listens on PORT+i (0: any free "
	  "port) [5050]" },
	{ "masters", MAIN_INT, C(masters), "K",
	  "number of master endpoints; master 0 leads at start [1]" },
	{ "control-port", MAIN_INT, C(control_port), "PORT",
	  "control API port (0: any free port) [0]" },
	{ "port-file", MAIN_STRING, C(port_file), "FILE",
	  "write the ports here once listening (first line: master 0)" },
	{ "hostname", MAIN_STRING, C(hostname), "HOST",
	  "the masters' hostname in MasterInfo and Location [127.0.0.1]" },
	{ "agents", MAIN_INT, C(agents), "N", "agents to simulate [3]" },
	{ "agents-file", MAIN_STRING, C(agents_file), "FILE",
	  "more agents from a JSON file ({\"agents\":[...]})" },
	{ "agent-resources", MAIN_STRING, C(agent_resources), "RES",
	  "each agent's resources [cpus:4;mem:8192;disk:100000;"
	  "ports:[31000-32000]]" },
	{ "agent-attributes", MAIN_STRING, C(agent_attributes), "ATTRS",
	  "each agent's attributes, e.g. rack:r1;zone:a" },
	{ "heartbeat-interval", MAIN_SECONDS, C(heartbeat), "SECONDS",
	  "HEARTBEAT interval [15]" },
	{ "allocation-interval", MAIN_SECONDS, C(allocation_interval),
	  "SECONDS", "allocation round interval [1]" },
	{ "offer-timeout", MAIN_SECONDS, C(offer_timeout), "SECONDS",
	  "rescind offers after this long (0: never) [0]" },
	{ "refuse-seconds", MAIN_SECONDS, C(refuse_default), "SECONDS",
	  "filter of a DECLINE without refuse_seconds [5]" },
	{ "update-retry", MAIN_SECONDS, C(update_retry), "SECONDS",
	  "first resend of an unacknowledged status update [10]" },
	{ "update-retry-max", MAIN_SECONDS, C(update_retry_max), "SECONDS",
	  "longest resend interval (doubling) [600]" },
	{ "start-delay", MAIN_SECONDS, C(start_delay), "SECONDS",
	  "launch to TASK_STARTING [0.005]" },
	{ "run-delay", MAIN_SECONDS, C(run_delay), "SECONDS",
	  "TASK_STARTING to TASK_RUNNING [0.005]" },
	{ "health-delay", MAIN_SECONDS, C(health_delay), "SECONDS",
	  "TASK_RUNNING to a health-checked task's first result [0.05]" },
	{ "kill-delay", MAIN_SECONDS, C(kill_delay), "SECONDS",
	  "SIGTERM to exit of a task that obeys it [0.05]" },
	{ "kill-grace", MAIN_SECONDS, C(kill_grace), "SECONDS",
	  "grace period when the task has no kill policy [3]" },
	{ "task-behaviour", MAIN_STRING, O(behaviour), "B",
	  "default task behaviour: run, finish:T, fail:T, stuck [run]" },
	{ "recovery-delay", MAIN_SECONDS, C(recovery_delay), "SECONDS",
	  "a new leader answers 503 this long [0]" },
	{ "agent-reregister-delay", MAIN_SECONDS, C(reregister_delay),
	  "SECONDS", "agents reregister this long after a failover [0]" },
	{ "agent-unreachable-timeout", MAIN_SECONDS, C(unreachable_timeout),
	  "SECONDS", "a partitioned agent is unreachable after this [75]" },
	{ "authenticate", MAIN_FLAG, C(authenticate), NULL,
	  "require HTTP Basic authentication of frameworks" },
	{ "credentials", MAIN_STRING, C(credentials), "FILE",
	  "Mesos credentials JSON ({\"credentials\":[{principal,secret}]})" },
	{ "principal", MAIN_STRING, C(principal), "NAME",
	  "one accepted principal (with --secret)" },
	{ "secret", MAIN_STRING, C(secret), "SECRET", "its secret" },
	{ "max-body", MAIN_SIZE, C(max_body), "BYTES",
	  "largest request body; larger gets 413 [16777216]" },
	{ "max-stream-buffer", MAIN_SIZE, C(max_stream_buffer), "BYTES",
	  "unread stream bytes before the stream is cut [536870912]" },
	{ "max-offers-per-event", MAIN_SIZE, C(max_offers_per_event), "N",
	  "split OFFERS events (0: one event per round) [0]" },
	{ "seed", MAIN_U64, C(seed), "N",
	  "seed for ids and uuids (0: random) [0]" },
	{ "fail-calls", MAIN_STRING, O(fail_calls), "STATUS[:COUNT]",
	  "answer the next COUNT scheduler calls (not SUBSCRIBE) with "
	  "STATUS" },
	{ "drop-acks", MAIN_U64, O(drop_acks), "N",
	  "drop the first N ACKNOWLEDGE calls" },
	{ "duplicate-updates", MAIN_U64, O(duplicate_updates), "N",
	  "send the first N status updates twice" },
	{ "flood", MAIN_U64, O(flood), "N",
	  "send N status updates to the first framework that subscribes" },
	{ "zk", MAIN_STRING, C(zk), "URL",
	  "register the masters in ZooKeeper as Mesos does (zk://host:port/"
	  "path); a failover moves leadership there too" },
	{ "log-level", MAIN_STRING, O(log_level), "LEVEL",
	  "error, warn, info, debug [info]" },
	{ "log-format", MAIN_STRING, O(log_format), "FORMAT",
	  "plain, journal, json, auto [auto]" },
	{ "version", MAIN_FLAG, O(version), NULL, "print the version" },
	{ "help", MAIN_FLAG, O(help), NULL, "print this help" },
};

#define MAIN_NOPTS	(sizeof main_opts / sizeof main_opts[0])

/* Prints the flags from the table. */
static void
main_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: ark-sim [flags]\n"
	    "A simulated Apache Mesos 1.12 master with agents (v1 scheduler "
	    "API).\n\n");
	for (i = 0; i < MAIN_NOPTS; i++) {
		char left[64];

		snprintf(left, sizeof left, "--%s%s%s", main_opts[i].name,
		    main_opts[i].arg != NULL ? " " : "",
		    main_opts[i].arg != NULL ? main_opts[i].arg : "");
		fprintf(f, "  %-36s %s\n", left, main_opts[i].help);
	}
	fprintf(f, "\nControl API: POST http://127.0.0.1:<control>/control/"
	    "<fault>; GET /state, /counters (see sim/README.md).\n");
}

/* Sets one option from its text; -1 with a message on a bad value. */
static int
main_set(struct main_args *a, const struct main_opt *o, const char *v)
{
	char *p = (char *)a + o->off, *end;
	unsigned long long u;
	double d;
	long l;

	errno = 0;
	switch (o->type) {
	case MAIN_INT:
		l = strtol(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || l < 0 ||
		    l > INT_MAX)
			goto bad;
		*(int *)p = (int)l;
		return 0;
	case MAIN_SIZE:
	case MAIN_U64:
		if (v[0] == '-')
			goto bad;
		u = strtoull(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0')
			goto bad;
		if (o->type == MAIN_SIZE)
			*(size_t *)p = (size_t)u;
		else
			*(uint64_t *)p = (uint64_t)u;
		return 0;
	case MAIN_SECONDS:
		d = strtod(v, &end);
		if (errno != 0 || end == v || *end != '\0' || d < 0 ||
		    !isfinite(d))
			goto bad;
		*(double *)p = d;
		return 0;
	case MAIN_STRING:
		*(const char **)p = v;
		return 0;
	case MAIN_FLAG:
		*(int *)p = 1;
		return 0;
	default:
		return 0;
	}
bad:
	fprintf(stderr, "ark-sim: --%s: bad value '%s'\n", o->name, v);
	return -1;
}

/* Parses argv into a; -1 on a bad flag. */
static int
main_parse(int argc, char **argv, struct main_args *a)
{
	struct option *lo = xcalloc(MAIN_NOPTS + 1, sizeof *lo);
	int c, idx, rc = -1;
	size_t i;

	for (i = 0; i < MAIN_NOPTS; i++) {
		lo[i].name = main_opts[i].name;
		lo[i].has_arg = main_opts[i].type == MAIN_FLAG ? no_argument :
		    required_argument;
		lo[i].val = 0;
	}
	for (;;) {
		idx = -1;
		c = getopt_long(argc, argv, "h", lo, &idx);
		if (c == -1)
			break;
		if (c == 'h') {
			a->help = 1;
			continue;
		}
		if (c != 0 || idx < 0)
			goto out;
		if (main_set(a, &main_opts[idx], optarg) != 0)
			goto out;
	}
	if (optind < argc) {
		fprintf(stderr, "ark-sim: unexpected argument '%s'\n",
		    argv[optind]);
		goto out;
	}
	rc = 0;
out:
	free(lo);
	return rc;
}

/* Applies the flags that need more than a store. */
static int
main_finish(struct main_args *a, struct sim *sim)
{
	if (a->fail_calls != NULL) {
		char *end;
		long st = strtol(a->fail_calls, &end, 10);
		long n = 1;

		if (*end == ':')
			n = strtol(end + 1, &end, 10);
		if (*end != '\0' || st < 500 || st > 599 || n < 1) {
			fprintf(stderr, "ark-sim: --fail-calls: expected "
			    "STATUS[:COUNT] with a 5xx status\n");
			return -1;
		}
		sim->fail_calls.status = (int)st;
		sim->fail_calls.count = (uint64_t)n;
	}
	sim->drop_acks = a->drop_acks;
	sim->duplicate_updates = a->duplicate_updates;
	return 0;
}

static struct sim *main_sim;
static uint64_t main_flood;

/* SIGINT/SIGTERM: leave the loop. */
static void
main_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	log_info("ark-sim: signal %d, stopping", w->signum);
	ev_break(loop, EVBREAK_ALL);
}

/* --flood: starts the flood once a framework has subscribed. */
static void
main_flood_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sim_framework *fw;
	size_t i = 0;

	while ((fw = htab_next(&main_sim->frameworks, &i)) != NULL) {
		if (fw->state == SIM_FW_CONNECTED) {
			log_info("ark-sim: flooding %s with %llu updates",
			    fw->id, (unsigned long long)main_flood);
			task_flood_start(main_sim, fw, main_flood);
			ev_timer_stop(loop, w);
			return;
		}
	}
}

int
main(int argc, char **argv)
{
	struct main_args a;
	struct ev_loop *loop;
	ev_signal sigint, sigterm;
	ev_timer flood;
	char *cause = NULL;
	int level, format, rc = 1;

	memset(&a, 0, sizeof a);
	sim_config_defaults(&a.cfg);
	if (main_parse(argc, argv, &a) != 0) {
		main_usage(stderr);
		return 2;
	}
	if (a.help) {
		main_usage(stdout);
		return 0;
	}
	if (a.version) {
		printf("ark-sim %s (Mesos 1.12.0 scheduler API)\n",
		    ARK_VERSION);
		return 0;
	}
	level = log_level_parse(a.log_level != NULL ? a.log_level : "info");
	format = log_format_parse(a.log_format != NULL ? a.log_format :
	    "auto");
	if (level < 0 || format < 0) {
		fprintf(stderr, "ark-sim: bad --log-level or --log-format\n");
		return 2;
	}
	log_init("ark-sim", (enum log_level)level, (enum log_format)format);
	if (a.behaviour != NULL && sim_behaviour_parse(a.behaviour,
	    &a.cfg.behaviour, &a.cfg.behaviour_after) != 0) {
		fprintf(stderr, "ark-sim: --task-behaviour: expected run, "
		    "finish:T, fail:T or stuck\n");
		return 2;
	}
	if (a.cfg.heartbeat <= 0 || a.cfg.allocation_interval <= 0 ||
	    a.cfg.update_retry <= 0) {
		fprintf(stderr, "ark-sim: intervals must be positive\n");
		return 2;
	}
	if (a.cfg.update_retry_max < a.cfg.update_retry)
		a.cfg.update_retry_max = a.cfg.update_retry;
	signal(SIGPIPE, SIG_IGN);
	loop = ev_default_loop(EVFLAG_AUTO);
	main_sim = sim_create(loop, &a.cfg, &cause);
	if (main_sim == NULL)
		goto fail;
	if (main_finish(&a, main_sim) != 0)
		goto out;
	if (sim_start(main_sim, &cause) != 0 ||
	    sim_write_ports(main_sim, &cause) != 0)
		goto fail;
	log_info("ark-sim: %d master(s) from port %d, control port %d, "
	    "%zu agents", main_sim->nmasters, main_sim->masters[0].port,
	    main_sim->control_port, main_sim->nagents);
	ev_signal_init(&sigint, main_signal_cb, SIGINT);
	ev_signal_start(loop, &sigint);
	ev_signal_init(&sigterm, main_signal_cb, SIGTERM);
	ev_signal_start(loop, &sigterm);
	main_flood = a.flood;
	ev_timer_init(&flood, main_flood_cb, 0.05, 0.05);
	if (a.flood > 0)
		ev_timer_start(loop, &flood);
	ev_run(loop, 0);
	ev_timer_stop(loop, &flood);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "ark-sim: %s\n", cause != NULL ? cause : "failed");
out:
	free(cause);
	sim_free(main_sim);
	ev_loop_destroy(loop);
	return rc;
}
