/*
 * config — loads and validates arkd.json. Two schema tables drive
 * everything: config_opts (the scalar options, in sections "master",
 * "framework", "scheduling", "reconciliation", "admin", "ha", "log" and
 * "state_dir") and config_job_fields (the fields of one job). Each entry has
 * a JSON key path, a type, bounds, a default written as JSON text, a unit, a
 * help text and whether a reload may change it; the same entries fill the
 * structs, validate them, free them, dump them, compare them on reload and
 * write the option lists of arkd.json(5). What a table cannot say (one of
 * command/argv, constraints, unique job ids, ...) is checked by hand after
 * the table pass. jansson keeps no positions per value, so an error's line is
 * found afterwards by scanning the raw text for the JSON path of the
 * offending value (config_path_line). The first error ends the load.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "secret.h"
#include "xmalloc.h"
#include "zk.h"

#ifndef ARK_LOCALSTATEDIR
#define ARK_LOCALSTATEDIR "/var"
#endif

/* A config file larger than this is refused before parsing. */
#define CONFIG_MAX_FILE		(16u * 1024 * 1024)
/* Bounds on what a job may ask for. */
#define CONFIG_MAX_INSTANCES	100000
#define CONFIG_MAX_PORTS	64
/* Bounds on a constraint's regular expression (see config_regex_too_big). */
#define CONFIG_REGEX_MAX	256
#define CONFIG_REGEX_REPEAT_MAX	1000

enum config_opt_type {
	OPT_STRING,	/* char *; choices restrict the value */
	OPT_BOOL,	/* int 0/1 from true/false */
	OPT_NUMBER,	/* double within [min, max] */
	OPT_UINT,	/* uint32_t within [min, max] */
	OPT_ENUM,	/* an enum: the index of the string in choices */
	OPT_STRLIST,	/* char ** (NULL-terminated) with a size_t count */
	OPT_MAP,	/* struct config_kv * with a size_t count: {"k": "v"} */
	OPT_SPECIAL,	/* validated by hand; the table only names it */
	OPT_TYPE_MAX
};

#define OPT_REQUIRED	0x01	/* no default: must be given */
#define OPT_NULLABLE	0x02	/* null (the default) leaves it unset */
#define OPT_RELOAD	0x04	/* a reload may change it */
#define OPT_GT_MIN	0x08	/* the bound min is exclusive */
#define OPT_NONEMPTY	0x10	/* a string or list must not be empty (list
				 * items never may) */
#define OPT_WHOLE	0x20	/* a number that must be a whole number */

struct config_opt {
	const char	*name;		/* key path, "master.heartbeat_misses" */
	enum config_opt_type type;
	size_t		 off;		/* offset of the field in its struct */
	size_t		 noff;		/* offset of the count of a list/map */
	double		 min, max;	/* OPT_NUMBER / OPT_UINT bounds */
	unsigned	 flags;
	const char	*choices;	/* "a|b|c" for OPT_STRING / OPT_ENUM */
	const char	*def;		/* JSON text of the default; NULL: none */
	const char	*unit;		/* for docs and dumps; NULL: none */
	const char	*syntax;	/* OPT_SPECIAL: the type, for docs */
	const char	*help;
};

#define C(f)	offsetof(struct config, f)
#define J(f)	offsetof(struct config_job, f)
#define HOUR	3600.0
#define DAY	86400.0
#define YEAR	31536000.0

/* The scalar options of arkd.json, in file order. */
static const struct config_opt config_opts[] = {
	{ .name = "master.masters", .type = OPT_STRLIST, .off = C(masters),
	  .noff = C(nmasters), .flags = OPT_NONEMPTY,
	  .def = "[\"http://127.0.0.1:5050\"]",
	  .help = "Mesos masters, tried in turn until one leads (a non-leading "
	  "master's redirect is followed), as http:// or https:// URLs; or a "
	  "single zk://host:port,.../path URL to find the leader in ZooKeeper." },
	{ .name = "master.encoding", .type = OPT_STRING, .off = C(encoding),
	  .choices = "protobuf|json", .def = "\"protobuf\"",
	  .help = "Encoding of calls and events on the scheduler API." },
	{ .name = "master.ca_file", .type = OPT_STRING, .off = C(ca_file),
	  .flags = OPT_NULLABLE | OPT_NONEMPTY, .def = "null",
	  .help = "CA bundle to verify an https:// master with; null uses the "
	  "system's." },
	{ .name = "master.tls_verify", .type = OPT_BOOL, .off = C(tls_verify),
	  .def = "true",
	  .help = "Verify the master's TLS certificate and host name." },
	{ .name = "master.cert_file", .type = OPT_STRING, .off = C(cert_file),
	  .flags = OPT_NULLABLE | OPT_NONEMPTY, .def = "null",
	  .help = "PEM client certificate (and any intermediates) that arkd "
	  "presents to an https:// master which requires one (mutual TLS); "
	  "needs master.key_file. It is read again for every new connection, "
	  "so a renewed certificate applies without a restart." },
	{ .name = "master.key_file", .type = OPT_STRING, .off = C(key_file),
	  .flags = OPT_NULLABLE | OPT_NONEMPTY, .def = "null",
	  .help = "Unencrypted PEM private key of master.cert_file; it must "
	  "not be readable by group or others." },
	{ .name = "master.heartbeat_misses", .type = OPT_NUMBER,
	  .off = C(heartbeat_misses), .min = 1, .max = 100,
	  .flags = OPT_RELOAD, .def = "5", .unit = "heartbeats",
	  .help = "Drop the subscription and subscribe again after this many "
	  "heartbeat intervals pass without any event." },
	{ .name = "master.backoff_initial_s", .type = OPT_NUMBER,
	  .off = C(backoff_initial_s), .min = 0, .max = HOUR,
	  .flags = OPT_RELOAD | OPT_GT_MIN, .def = "0.5", .unit = "s",
	  .help = "First delay before subscribing again; doubles (with jitter) "
	  "on every failure up to master.backoff_max_s." },
	{ .name = "master.backoff_max_s", .type = OPT_NUMBER,
	  .off = C(backoff_max_s), .min = 0, .max = HOUR,
	  .flags = OPT_RELOAD | OPT_GT_MIN, .def = "15", .unit = "s",
	  .help = "Longest delay between subscription attempts." },
	{ .name = "master.call_timeout_s", .type = OPT_NUMBER,
	  .off = C(call_timeout_s), .min = 0, .max = HOUR,
	  .flags = OPT_RELOAD | OPT_GT_MIN, .def = "75", .unit = "s",
	  .help = "Time allowed for the answer to a call other than SUBSCRIBE." },
	{ .name = "master.ack_connections", .type = OPT_UINT,
	  .off = C(ack_connections), .min = 1, .max = 64, .def = "8",
	  .unit = "connections",
	  .help = "Keep-alive connections used in parallel for ACKNOWLEDGE, "
	  "DECLINE and the other frequent calls." },
	{ .name = "master.redirect_limit", .type = OPT_UINT,
	  .off = C(redirect_limit), .min = 0, .max = 100, .flags = OPT_RELOAD,
	  .def = "5", .unit = "redirects",
	  .help = "Redirects to a leading master followed in a row before "
	  "trying the next master." },

	{ .name = "framework.name", .type = OPT_STRING,
	  .off = C(framework_name), .flags = OPT_RELOAD | OPT_NONEMPTY,
	  .def = "\"ark\"", .help = "FrameworkInfo.name." },
	{ .name = "framework.user", .type = OPT_STRING, .off = C(user),
	  .flags = OPT_NONEMPTY, .def = "\"nobody\"",
	  .help = "User that tasks run as unless a job sets its own; it must "
	  "exist on every agent. Mesos does not let a framework change it." },
	{ .name = "framework.roles", .type = OPT_STRLIST, .off = C(roles),
	  .noff = C(nroles), .flags = OPT_RELOAD | OPT_NONEMPTY,
	  .def = "[\"*\"]",
	  .help = "Roles the framework subscribes with (MULTI_ROLE); a job's "
	  "role must be one of them, and jobs without one use the first." },
	{ .name = "framework.principal", .type = OPT_STRING,
	  .off = C(principal), .flags = OPT_NULLABLE | OPT_NONEMPTY,
	  .def = "null",
	  .help = "Principal to authenticate as; null sends none." },
	{ .name = "framework.secret_file", .type = OPT_STRING,
	  .off = C(secret_file), .flags = OPT_NULLABLE | OPT_NONEMPTY,
	  .def = "null",
	  .help = "File holding the principal's secret for HTTP Basic "
	  "authentication; it must not be readable by group or others." },
	{ .name = "framework.hostname", .type = OPT_STRING, .off = C(hostname),
	  .flags = OPT_NULLABLE | OPT_NONEMPTY | OPT_RELOAD, .def = "null",
	  .help = "FrameworkInfo.hostname; null lets the master fill it in." },
	{ .name = "framework.webui_url", .type = OPT_STRING,
	  .off = C(webui_url), .flags = OPT_NULLABLE | OPT_NONEMPTY | OPT_RELOAD,
	  .def = "null", .help = "FrameworkInfo.webui_url." },
	{ .name = "framework.failover_timeout_s", .type = OPT_NUMBER,
	  .off = C(failover_timeout_s), .min = 0, .max = 100 * YEAR,
	  .flags = OPT_RELOAD, .def = "604800", .unit = "s",
	  .help = "How long the master keeps the framework's tasks running "
	  "while arkd is away; keep it long so that a restart or an outage of "
	  "arkd never kills a task." },
	{ .name = "framework.checkpoint", .type = OPT_BOOL, .off = C(checkpoint),
	  .def = "true",
	  .help = "Ask agents to checkpoint tasks so that they survive an agent "
	  "restart. Mesos does not let a framework change it." },
	{ .name = "framework.partition_aware", .type = OPT_BOOL,
	  .off = C(partition_aware), .def = "true",
	  .help = "Subscribe with the PARTITION_AWARE capability: TASK_UNREACHABLE "
	  "instead of TASK_LOST, and replacements only after "
	  "scheduling.unreachable_grace_s." },
	{ .name = "framework.labels", .type = OPT_MAP,
	  .off = C(framework_labels), .noff = C(nframework_labels),
	  .flags = OPT_RELOAD, .def = "{}",
	  .help = "FrameworkInfo.labels, as an object of strings." },

	{ .name = "scheduling.refuse_seconds", .type = OPT_NUMBER,
	  .off = C(refuse_seconds), .min = 0, .max = YEAR, .flags = OPT_RELOAD,
	  .def = "5", .unit = "s",
	  .help = "Filter sent with every DECLINE: the master offers the "
	  "declined resources again after this long. While nothing is pending "
	  "arkd suppresses offers altogether." },
	{ .name = "scheduling.revive_debounce_s", .type = OPT_NUMBER,
	  .off = C(revive_debounce_s), .min = 0, .max = HOUR,
	  .flags = OPT_RELOAD, .def = "1", .unit = "s",
	  .help = "Minimum time between two REVIVE calls." },
	{ .name = "scheduling.unreachable_grace_s", .type = OPT_NUMBER,
	  .off = C(unreachable_grace_s), .min = 0, .max = 30 * DAY,
	  .flags = OPT_RELOAD, .def = "300", .unit = "s",
	  .help = "How long a TASK_UNREACHABLE task keeps its slot before a "
	  "replacement is launched; if its agent comes back, the surplus task "
	  "is killed." },
	{ .name = "scheduling.launch_timeout_s", .type = OPT_NUMBER,
	  .off = C(launch_timeout_s), .min = 0, .max = DAY,
	  .flags = OPT_RELOAD | OPT_GT_MIN, .def = "60", .unit = "s",
	  .help = "A launched task without any status update after this long "
	  "is reconciled explicitly." },
	{ .name = "scheduling.agents_refresh_s", .type = OPT_NUMBER,
	  .off = C(agents_refresh_s), .min = 0, .max = DAY,
	  .flags = OPT_RELOAD | OPT_GT_MIN, .def = "60", .unit = "s",
	  .help = "Period of GET_AGENTS on the master's operator API, through "
	  "which daemon jobs learn every agent, offered or not." },
	{ .name = "scheduling.dry_run", .type = OPT_BOOL, .off = C(dry_run),
	  .def = "false",
	  .help = "Make and log every decision but decline every offer and "
	  "launch or kill nothing." },

	{ .name = "reconciliation.initial_s", .type = OPT_NUMBER,
	  .off = C(reconcile_initial_s), .min = 0, .max = HOUR,
	  .flags = OPT_RELOAD | OPT_GT_MIN, .def = "1", .unit = "s",
	  .help = "Wait after the first RECONCILE of a round before asking "
	  "again for the tasks that have not answered." },
	{ .name = "reconciliation.factor", .type = OPT_NUMBER,
	  .off = C(reconcile_factor), .min = 1, .max = 10, .flags = OPT_RELOAD,
	  .def = "2", .help = "Growth of that wait after every unanswered "
	  "RECONCILE (truncated exponential backoff)." },
	{ .name = "reconciliation.max_s", .type = OPT_NUMBER,
	  .off = C(reconcile_max_s), .min = 0, .max = DAY,
	  .flags = OPT_RELOAD | OPT_GT_MIN, .def = "60", .unit = "s",
	  .help = "Cap of that wait." },
	{ .name = "reconciliation.interval_s", .type = OPT_NUMBER,
	  .off = C(reconcile_interval_s), .min = 0, .max = 7 * DAY,
	  .flags = OPT_RELOAD | OPT_GT_MIN, .def = "900", .unit = "s",
	  .help = "Period of the implicit reconciliation (an empty RECONCILE) "
	  "that finds tasks arkd does not know." },
	{ .name = "reconciliation.batch", .type = OPT_UINT,
	  .off = C(reconcile_batch), .min = 1, .max = 100000,
	  .flags = OPT_RELOAD, .def = "1000", .unit = "tasks",
	  .help = "Tasks named in one explicit RECONCILE call." },
	{ .name = "reconciliation.unknown_tasks", .type = OPT_ENUM,
	  .off = C(unknown_tasks), .choices = "kill|adopt|ignore",
	  .flags = OPT_RELOAD, .def = "\"kill\"",
	  .help = "What to do with a running task of this framework that arkd "
	  "has no record of: kill it, adopt it into its slot when its id names "
	  "a slot of a configured job (else kill it), or leave it alone." },

	{ .name = "admin.listen", .type = OPT_STRING, .off = C(admin_listen),
	  .def = "\"127.0.0.1:8090\"",
	  .help = "host:port of the admin HTTP API ([addr]:port for IPv6; port "
	  "0 picks a free one); \"\" disables it." },
	{ .name = "admin.token_file", .type = OPT_STRING,
	  .off = C(admin_token_file), .flags = OPT_NULLABLE | OPT_NONEMPTY,
	  .def = "null",
	  .help = "File holding the bearer token (one word, mode 0600) that "
	  "every request but the probes must carry once it is set; required "
	  "when admin.listen is not a loopback address." },
	{ .name = "admin.read_token_file", .type = OPT_STRING,
	  .off = C(admin_read_token_file), .flags = OPT_NULLABLE | OPT_NONEMPTY,
	  .def = "null",
	  .help = "File holding a second, read-only token (mode 0600): it may "
	  "GET everything but change nothing (403); needs admin.token_file." },
	{ .name = "admin.tls_cert_file", .type = OPT_STRING,
	  .off = C(admin_tls_cert_file), .flags = OPT_NULLABLE | OPT_NONEMPTY,
	  .def = "null",
	  .help = "PEM certificate (then any intermediates) the admin API "
	  "serves HTTPS with; needs admin.tls_key_file. Required when "
	  "admin.listen is not a loopback address." },
	{ .name = "admin.tls_key_file", .type = OPT_STRING,
	  .off = C(admin_tls_key_file), .flags = OPT_NULLABLE | OPT_NONEMPTY,
	  .def = "null",
	  .help = "Unencrypted PEM private key of admin.tls_cert_file; it must "
	  "not be readable by group or others." },
	{ .name = "admin.insecure", .type = OPT_BOOL, .off = C(admin_insecure),
	  .def = "false",
	  .help = "Allow admin.listen beyond loopback without TLS and without a "
	  "token (a network that is private by other means). Never the "
	  "default." },
	{ .name = "admin.open_metrics", .type = OPT_BOOL,
	  .off = C(admin_open_metrics), .def = "false",
	  .help = "Serve GET /metrics without a token even when admin.token_file "
	  "is set, for a scraper that has none. /healthz and /readyz never "
	  "need one." },
	{ .name = "admin.redact", .type = OPT_STRLIST, .off = C(admin_redact),
	  .noff = C(nadmin_redact), .flags = OPT_RELOAD,
	  .def = "[\"*PASSWORD*\", \"*SECRET*\", \"*TOKEN*\", \"*KEY*\"]",
	  .help = "Shell patterns (case-insensitive) of job env names whose "
	  "values the admin API and --dump-config show as \"<redacted>\"; "
	  "[] shows every value. Tasks get the real values." },

	{ .name = "ha.zk", .type = OPT_STRING, .off = C(ha_zk),
	  .flags = OPT_NULLABLE | OPT_NONEMPTY, .def = "null",
	  .help = "zk://host:port,.../path of a ZooKeeper ensemble: several "
	  "arkd instances with the same framework elect one leader there "
	  "(ephemeral sequential nodes under path), which alone subscribes "
	  "to Mesos; the others wait as followers and take over, with the "
	  "FrameworkID kept in path/framework_id, when it goes away. null "
	  "runs a single arkd." },
	{ .name = "ha.instance_id", .type = OPT_STRING,
	  .off = C(ha_instance_id), .flags = OPT_NULLABLE | OPT_NONEMPTY,
	  .def = "null",
	  .help = "How this instance names itself in the election; null is "
	  "hostname:pid." },
	{ .name = "ha.session_timeout_s", .type = OPT_NUMBER,
	  .off = C(ha_session_timeout_s), .min = 1, .max = 600, .def = "10",
	  .unit = "s",
	  .help = "ZooKeeper session timeout: how long after a leader "
	  "vanishes (crash, partition) a follower takes over. The servers "
	  "bound it (2 to 20 ticks by default)." },

	{ .name = "log.level", .type = OPT_STRING, .off = C(log_level),
	  .choices = "error|warn|info|debug", .flags = OPT_RELOAD,
	  .def = "\"info\"", .help = "Least severe level logged." },
	{ .name = "log.format", .type = OPT_STRING, .off = C(log_format),
	  .choices = "auto|plain|journal|json", .def = "\"auto\"",
	  .help = "plain lines with timestamps, journal (priority prefixes for "
	  "systemd), json lines, or auto: journal under systemd, else plain." },

	{ .name = "state_dir", .type = OPT_STRING, .off = C(state_dir),
	  .flags = OPT_NONEMPTY, .def = "\"" ARK_LOCALSTATEDIR "/lib/ark\"",
	  .help = "Directory of the state database (created with mode 0700); "
	  "one arkd at a time may use it." },
	{ .name = "jobs", .type = OPT_SPECIAL, .flags = OPT_RELOAD,
	  .syntax = "array of jobs", .def = "[]",
	  .help = "The jobs to keep running; see JOBS." },
};

/* The fields of one job (names relative to the job object). */
static const struct config_opt config_job_fields[] = {
	{ .name = "id", .type = OPT_STRING, .off = J(id), .flags = OPT_REQUIRED,
	  .help = "Unique name: a lower-case letter or digit, then up to 62 "
	  "lower-case letters, digits or dashes. Task ids start with it." },
	{ .name = "kind", .type = OPT_ENUM, .off = J(kind),
	  .choices = "daemon|service", .flags = OPT_REQUIRED,
	  .help = "daemon: one task on every eligible agent; service: "
	  "instances tasks anywhere eligible." },
	{ .name = "instances", .type = OPT_UINT, .off = J(instances),
	  .min = 0, .max = CONFIG_MAX_INSTANCES, .def = "1", .unit = "tasks",
	  .help = "Number of tasks of a service job (not allowed for daemon "
	  "jobs)." },
	{ .name = "command", .type = OPT_STRING, .off = J(shell),
	  .flags = OPT_NULLABLE | OPT_NONEMPTY,
	  .help = "Shell command, run with /bin/sh -c. Exactly one of command "
	  "and argv." },
	{ .name = "argv", .type = OPT_STRLIST, .off = J(argv), .noff = J(nargv),
	  .flags = OPT_NONEMPTY,
	  .help = "Program and arguments, run without a shell." },
	{ .name = "env", .type = OPT_MAP, .off = J(env), .noff = J(nenv),
	  .def = "{}", .help = "Environment variables, as an object of strings." },
	{ .name = "user", .type = OPT_STRING, .off = J(user),
	  .flags = OPT_NULLABLE | OPT_NONEMPTY,
	  .help = "User the task runs as; null: framework.user." },
	{ .name = "resources.cpus", .type = OPT_NUMBER, .off = J(cpus),
	  .min = 0, .max = 4096, .flags = OPT_REQUIRED | OPT_GT_MIN,
	  .unit = "cpus", .help = "CPU shares per task." },
	{ .name = "resources.mem", .type = OPT_NUMBER, .off = J(mem),
	  .min = 0, .max = 1048576.0 * 64, .flags = OPT_REQUIRED | OPT_GT_MIN,
	  .unit = "MiB", .help = "Memory per task." },
	{ .name = "resources.disk", .type = OPT_NUMBER, .off = J(disk),
	  .min = 0, .max = 1048576.0 * 1024, .def = "0", .unit = "MiB",
	  .help = "Sandbox disk per task." },
	{ .name = "resources.gpus", .type = OPT_NUMBER, .off = J(gpus),
	  .min = 0, .max = 64, .flags = OPT_WHOLE, .def = "0", .unit = "gpus",
	  .help = "GPUs per task, a whole number." },
	{ .name = "resources.ports", .type = OPT_STRLIST, .off = J(ports),
	  .noff = J(nports), .def = "[]",
	  .help = "Names of the ports each task takes from its offer (upper-case "
	  "letters, digits and _). The task sees port i as PORT<i> and as "
	  "PORT_<NAME>." },
	{ .name = "container.type", .type = OPT_ENUM, .off = J(container),
	  .choices = "none|mesos|docker", .def = "\"none\"",
	  .help = "none: a plain command under the Mesos containerizer; mesos: "
	  "the Mesos containerizer with container.image; docker: the Docker "
	  "containerizer." },
	{ .name = "container.image", .type = OPT_STRING, .off = J(image),
	  .flags = OPT_NULLABLE | OPT_NONEMPTY,
	  .help = "Docker image; required unless container.type is none." },
	{ .name = "container.force_pull", .type = OPT_BOOL,
	  .off = J(force_pull), .def = "false",
	  .help = "Pull the image even if the agent has it." },
	{ .name = "uris", .type = OPT_STRLIST, .off = J(uris), .noff = J(nuris),
	  .def = "[]",
	  .help = "URIs the Mesos fetcher puts into the sandbox." },
	{ .name = "labels", .type = OPT_MAP, .off = J(labels),
	  .noff = J(nlabels), .def = "{}",
	  .help = "TaskInfo labels, as an object of strings." },
	{ .name = "health_check.type", .type = OPT_STRING,
	  .off = J(health.type), .choices = "HTTP|TCP|COMMAND",
	  .flags = OPT_NULLABLE,
	  .help = "Mesos-native health check; required when health_check is "
	  "given." },
	{ .name = "health_check.command", .type = OPT_STRING,
	  .off = J(health.command), .flags = OPT_NULLABLE | OPT_NONEMPTY,
	  .help = "COMMAND: shell command; exit 0 means healthy." },
	{ .name = "health_check.path", .type = OPT_STRING,
	  .off = J(health.path), .flags = OPT_NULLABLE | OPT_NONEMPTY,
	  .help = "HTTP: path to GET; null: /." },
	{ .name = "health_check.port_index", .type = OPT_UINT,
	  .off = J(health.port_index), .min = 0, .max = CONFIG_MAX_PORTS - 1,
	  .def = "0",
	  .help = "HTTP and TCP: which of resources.ports to check." },
	{ .name = "health_check.delay_s", .type = OPT_NUMBER,
	  .off = J(health.delay_s), .min = 0, .max = DAY, .def = "15",
	  .unit = "s", .help = "Wait before the first check." },
	{ .name = "health_check.interval_s", .type = OPT_NUMBER,
	  .off = J(health.interval_s), .min = 0, .max = DAY,
	  .flags = OPT_GT_MIN, .def = "10", .unit = "s",
	  .help = "Time between checks." },
	{ .name = "health_check.timeout_s", .type = OPT_NUMBER,
	  .off = J(health.timeout_s), .min = 0, .max = DAY,
	  .flags = OPT_GT_MIN, .def = "20", .unit = "s",
	  .help = "Time one check may take." },
	{ .name = "health_check.grace_s", .type = OPT_NUMBER,
	  .off = J(health.grace_s), .min = 0, .max = DAY, .def = "10",
	  .unit = "s",
	  .help = "Failures during this time after start do not count." },
	{ .name = "health_check.consecutive_failures", .type = OPT_UINT,
	  .off = J(health.consecutive_failures), .min = 1, .max = 1000,
	  .def = "3", .unit = "checks",
	  .help = "Failed checks in a row after which the task is killed." },
	{ .name = "kill_grace_s", .type = OPT_NUMBER, .off = J(kill_grace_s),
	  .min = 0, .max = HOUR, .def = "5", .unit = "s",
	  .help = "Kill policy: time between SIGTERM and SIGKILL." },
	{ .name = "role", .type = OPT_STRING, .off = J(role),
	  .flags = OPT_NULLABLE | OPT_NONEMPTY,
	  .help = "Role whose resources the job uses, one of framework.roles; "
	  "null: the first of them." },
	{ .name = "constraints", .type = OPT_SPECIAL,
	  .syntax = "array of [field, operator] or [field, operator, value]",
	  .def = "[]",
	  .help = "Placement rules, all of which an agent must satisfy. field "
	  "is \"hostname\" or an agent attribute. Operators: EQUALS value; "
	  "LIKE and UNLIKE a POSIX extended regular expression matched against "
	  "the whole value (at most 256 characters); UNIQUE (at most one task of the job per value); "
	  "MAX_PER n (at most n tasks of the job per value)." },
	{ .name = "restart.policy", .type = OPT_ENUM, .off = J(restart),
	  .choices = "always|on-failure|never", .def = "\"always\"",
	  .help = "Replace a task that ended: always, only if it did not "
	  "finish successfully, or never." },
	{ .name = "restart.backoff_s", .type = OPT_NUMBER, .off = J(backoff_s),
	  .min = 0, .max = DAY, .def = "1", .unit = "s",
	  .help = "Delay before the first replacement in a slot." },
	{ .name = "restart.factor", .type = OPT_NUMBER,
	  .off = J(backoff_factor), .min = 1, .max = 100, .def = "2",
	  .help = "Growth of the delay on every further failure in a row." },
	{ .name = "restart.max_s", .type = OPT_NUMBER, .off = J(backoff_max_s),
	  .min = 0, .max = DAY, .def = "300", .unit = "s",
	  .help = "Cap of the delay; at least restart.backoff_s." },
	{ .name = "blacklist_policy", .type = OPT_ENUM,
	  .off = J(blacklist_policy), .choices = "kill|drain|keep",
	  .def = "\"kill\"",
	  .help = "When an agent is blacklisted: kill the job's tasks there, "
	  "drain them (start the replacement first, then kill), or keep them "
	  "running and only place no new ones." },
};

#define NOPTS	(sizeof config_opts / sizeof config_opts[0])
#define NFIELDS	(sizeof config_job_fields / sizeof config_job_fields[0])

static const char *job_kind_names[JOB_KIND_MAX] = { "daemon", "service" };
static const char *restart_names[RESTART_MAX] = {
	"always", "on-failure", "never"
};
static const char *constraint_op_names[CONSTRAINT_OP_MAX] = {
	"EQUALS", "LIKE", "UNLIKE", "UNIQUE", "MAX_PER"
};
static const char *blacklist_policy_names[BLACKLIST_POLICY_MAX] = {
	"kill", "drain", "keep"
};
static const char *unknown_tasks_names[UNKNOWN_TASKS_MAX] = {
	"kill", "adopt", "ignore"
};
static const char *container_names[CONTAINER_MAX] = {
	"none", "mesos", "docker"
};

/* Every enum field is written through an int. */
_Static_assert(sizeof(enum config_job_kind) == sizeof(int), "enum size");
_Static_assert(sizeof(enum config_restart) == sizeof(int), "enum size");
_Static_assert(sizeof(enum config_container) == sizeof(int), "enum size");
_Static_assert(sizeof(enum config_blacklist_policy) == sizeof(int),
    "enum size");
_Static_assert(sizeof(enum config_unknown_tasks) == sizeof(int), "enum size");

/* One load: where messages point and the first error. */
struct config_parse {
	const char	*name;	/* file name in messages */
	const char	*text;	/* the raw file, for line numbers */
	size_t		 len;
	char		*cause;	/* first error (owned) */
};

/* Returns a name for an enum value from a table, "?" if out of range. */
static const char *
config_name(const char **names, int n, int v)
{
	return v >= 0 && v < n && names[v] != NULL ? names[v] : "?";
}

const char *
config_job_kind_name(enum config_job_kind v)
{
	return config_name(job_kind_names, JOB_KIND_MAX, (int)v);
}

const char *
config_restart_name(enum config_restart v)
{
	return config_name(restart_names, RESTART_MAX, (int)v);
}

const char *
config_constraint_op_name(enum config_constraint_op v)
{
	return config_name(constraint_op_names, CONSTRAINT_OP_MAX, (int)v);
}

const char *
config_blacklist_policy_name(enum config_blacklist_policy v)
{
	return config_name(blacklist_policy_names, BLACKLIST_POLICY_MAX,
	    (int)v);
}

const char *
config_unknown_tasks_name(enum config_unknown_tasks v)
{
	return config_name(unknown_tasks_names, UNKNOWN_TASKS_MAX, (int)v);
}

const char *
config_container_name(enum config_container v)
{
	return config_name(container_names, CONTAINER_MAX, (int)v);
}

/*
 * Path-to-line scanner. It walks the raw text of a file jansson has already
 * accepted, building the JSON path of every member and element, and stops
 * at the one asked for. Being handed valid JSON, it only guards against
 * running off the end.
 */
struct config_scan {
	const char	*s;
	size_t		 n, i;
	int		 line;
	const char	*target;
	int		 found;		/* line of the target, 0 = not yet */
	struct buf	 path;
};

/* Skips whitespace, counting lines. */
static void
config_scan_ws(struct config_scan *sc)
{
	while (sc->i < sc->n) {
		char c = sc->s[sc->i];

		if (c == '\n')
			sc->line++;
		else if (c != ' ' && c != '\t' && c != '\r')
			break;
		sc->i++;
	}
}

/* Reads a string at sc->i (a '"'), appending its text to out if not NULL. */
static void
config_scan_string(struct config_scan *sc, struct buf *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";

	sc->i++;
	while (sc->i < sc->n && sc->s[sc->i] != '"') {
		char c = sc->s[sc->i];

		if (c == '\\' && sc->i + 1 < sc->n) {
			const char *p = strchr(from, sc->s[sc->i + 1]);

			/* \uXXXX stays as written: keys rarely need it */
			if (out != NULL && p != NULL && *p != '\0')
				buf_add(out, &to[p - from], 1);
			else if (out != NULL)
				buf_add(out, sc->s + sc->i, 2);
			sc->i += 2;
			continue;
		}
		if (out != NULL)
			buf_add(out, &c, 1);
		sc->i++;
	}
	sc->i++;
}

/* Checks whether the current path is the target; notes the line if so. */
static void
config_scan_match(struct config_scan *sc, int line)
{
	if (sc->found == 0 && strcmp(sc->path.data, sc->target) == 0)
		sc->found = line;
}

/* Walks one value at sc->i. */
static void
config_scan_value(struct config_scan *sc)
{
	size_t mark = sc->path.len;
	unsigned long idx = 0;
	char c;

	config_scan_ws(sc);
	if (sc->i >= sc->n || sc->found != 0)
		return;
	c = sc->s[sc->i];
	if (c == '{') {
		sc->i++;
		for (;;) {
			int line;

			config_scan_ws(sc);
			if (sc->i >= sc->n || sc->s[sc->i] != '"')
				break;
			line = sc->line;
			if (mark > 0)
				buf_add(&sc->path, ".", 1);
			config_scan_string(sc, &sc->path);
			config_scan_match(sc, line);
			config_scan_ws(sc);
			if (sc->i < sc->n && sc->s[sc->i] == ':')
				sc->i++;
			config_scan_value(sc);
			sc->path.len = mark;
			sc->path.data[mark] = '\0';
			if (sc->found != 0)
				return;
			config_scan_ws(sc);
			if (sc->i < sc->n && sc->s[sc->i] == ',')
				sc->i++;
			else
				break;
		}
		if (sc->i < sc->n && sc->s[sc->i] == '}')
			sc->i++;
	} else if (c == '[') {
		sc->i++;
		config_scan_ws(sc);
		if (sc->i < sc->n && sc->s[sc->i] == ']') {
			sc->i++;
			return;
		}
		while (sc->i < sc->n) {
			size_t before;

			config_scan_ws(sc);
			buf_printf(&sc->path, "[%lu]", idx++);
			config_scan_match(sc, sc->line);
			before = sc->i;
			config_scan_value(sc);
			sc->path.len = mark;
			sc->path.data[mark] = '\0';
			if (sc->found != 0 || sc->i == before)
				return;
			config_scan_ws(sc);
			if (sc->i < sc->n && sc->s[sc->i] == ',')
				sc->i++;
			else
				break;
		}
		if (sc->i < sc->n && sc->s[sc->i] == ']')
			sc->i++;
	} else if (c == '"') {
		config_scan_string(sc, NULL);
	} else {
		while (sc->i < sc->n && strchr(",}] \t\r\n", sc->s[sc->i]) ==
		    NULL)
			sc->i++;
	}
}

/*
 * Returns the line of the value at path in text (for a member, the line of
 * its key), or of its nearest ancestor found (a missing member points at
 * the object that lacks it); 1 if none is.
 */
static int
config_path_line(const char *text, size_t len, const char *path)
{
	char *p = xstrdup(path);
	int line = 1;

	for (;;) {
		struct config_scan sc = { .s = text, .n = len, .line = 1,
		    .target = p };
		char *dot, *br, *cut;

		buf_init(&sc.path, 0);
		buf_addstr(&sc.path, "");
		config_scan_value(&sc);
		buf_clear(&sc.path);
		if (sc.found != 0) {
			line = sc.found;
			break;
		}
		dot = strrchr(p, '.');
		br = strrchr(p, '[');
		cut = dot > br ? dot : br;
		if (cut == NULL)
			break;
		*cut = '\0';
	}
	free(p);
	return line;
}

/* Records the first error, at the line of path; returns -1. */
static int
config_err(struct config_parse *cp, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int
config_err(struct config_parse *cp, const char *path, const char *fmt, ...)
{
	va_list ap;
	char *what;
	int line;

	if (cp->cause != NULL)
		return -1;
	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	line = config_path_line(cp->text, cp->len, path);
	cp->cause = xasprintf("%s:%d: %s: %s", cp->name, line, path, what);
	free(what);
	return -1;
}

/* Names a JSON value's type for messages: "a string", "null", ... */
static const char *
config_json_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	default:
		return "null";
	}
}

/* Names what an option of type t expects. */
static const char *
config_opt_expects(const struct config_opt *o)
{
	switch (o->type) {
	case OPT_STRING:
	case OPT_ENUM:
		return "a string";
	case OPT_BOOL:
		return "true or false";
	case OPT_NUMBER:
		return "a number";
	case OPT_UINT:
		return "an integer";
	case OPT_STRLIST:
		return "an array of strings";
	case OPT_MAP:
		return "an object of strings";
	default:
		return o->syntax;
	}
}

/* Returns the index of s among "a|b|c" choices, or -1. */
static int
config_choice(const char *choices, const char *s)
{
	const char *p = choices;
	size_t n = strlen(s);

	for (int i = 0; *p != '\0'; i++) {
		const char *end = strchr(p, '|');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, s, n) == 0)
			return i;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return -1;
}

/* Returns choice number i of "a|b|c" as a new string, or NULL. */
static char *
config_choice_name(const char *choices, int i)
{
	const char *p = choices;

	for (; i > 0 && p != NULL; i--) {
		p = strchr(p, '|');
		if (p != NULL)
			p++;
	}
	if (p == NULL)
		return NULL;
	return xstrndup(p, strcspn(p, "|"));
}

/* Returns "a, b or c" for "a|b|c" (caller frees). */
static char *
config_choice_list(const char *choices)
{
	struct buf b;
	const char *last = strrchr(choices, '|');

	buf_init(&b, 0);
	for (const char *p = choices; *p != '\0'; p++) {
		if (*p != '|')
			buf_add(&b, p, 1);
		else
			buf_addstr(&b, p == last ? " or " : ", ");
	}
	return buf_steal(&b, NULL);
}

/* Looks up key path name ("a.b.c") below obj; NULL if absent. */
static json_t *
config_lookup(json_t *obj, const char *name)
{
	char *copy = xstrdup(name), *p = copy, *dot;
	json_t *v = obj;

	while (v != NULL) {
		if (!json_is_object(v)) {
			v = NULL;
			break;
		}
		dot = strchr(p, '.');
		if (dot != NULL)
			*dot = '\0';
		v = json_object_get(v, p);
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	free(copy);
	return v;
}

/* Joins a path prefix and a key: "jobs[0]" + "id" -> "jobs[0].id". */
static char *
config_join(const char *prefix, const char *key)
{
	if (prefix == NULL || prefix[0] == '\0')
		return xstrdup(key);
	return xasprintf("%s.%s", prefix, key);
}

/* Finds the table entry with exactly this name. */
static const struct config_opt *
config_opt_find(const struct config_opt *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

/* Tells whether name is a section: a proper prefix of some entry. */
static int
config_is_section(const struct config_opt *t, size_t n, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < n; i++)
		if (strncmp(t[i].name, name, len) == 0 &&
		    t[i].name[len] == '.')
			return 1;
	return 0;
}

/* Edit distance between two short strings (bounded work). */
static size_t
config_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[65];

	if (la > 64 || lb > 64)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j], best;

			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/*
 * Suggests a known key next to an unknown one: the closest name within two
 * edits among the keys of the same object. Returns a static string or "".
 */
static const char *
config_suggest(const struct config_opt *t, size_t n, const char *prefix,
    const char *key)
{
	static char hint[96];
	size_t plen = prefix[0] != '\0' ? strlen(prefix) + 1 : 0, best = 3;

	hint[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *name = t[i].name, *k;
		char cand[65];
		size_t klen, d;

		if (plen > 0 && (strncmp(name, prefix, plen - 1) != 0 ||
		    name[plen - 1] != '.'))
			continue;
		k = name + plen;
		klen = strcspn(k, ".");
		if (klen >= sizeof cand)
			continue;
		memcpy(cand, k, klen);
		cand[klen] = '\0';
		d = config_distance(cand, key);
		if (d < best) {
			best = d;
			snprintf(hint, sizeof hint, " (did you mean \"%s\"?)",
			    cand);
		}
	}
	return hint;
}

/*
 * Refuses keys of obj (at relative path rel, absolute path abs) that are
 * neither an entry nor a section of the table; sections must be objects.
 */
static int
config_check_keys(struct config_parse *cp, const struct config_opt *t,
    size_t n, json_t *obj, const char *rel, const char *abs)
{
	const char *key;
	json_t *v;
	int rc = 0;

	json_object_foreach(obj, key, v) {
		char *r = config_join(rel, key), *a = config_join(abs, key);

		if (strchr(key, '.') == NULL && config_opt_find(t, n, r) !=
		    NULL) {
			/* an option: its value is checked by its setter */
		} else if (strchr(key, '.') == NULL &&
		    config_is_section(t, n, r)) {
			if (!json_is_object(v))
				rc = config_err(cp, a,
				    "expected an object, got %s",
				    config_json_type(v));
			else
				rc = config_check_keys(cp, t, n, v, r, a);
		} else {
			rc = config_err(cp, a, "unknown option%s",
			    config_suggest(t, n, rel, key));
		}
		free(r);
		free(a);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* Checks a number against an entry's bounds; -1 with an error if outside. */
static int
config_check_bounds(struct config_parse *cp, const struct config_opt *o,
    const char *path, double d)
{
	if ((o->flags & OPT_GT_MIN) != 0 && !(d > o->min))
		return config_err(cp, path, "must be > %g", o->min);
	if (d < o->min)
		return config_err(cp, path, "must be >= %g", o->min);
	if (d > o->max)
		return config_err(cp, path, "must be <= %g", o->max);
	if ((o->flags & OPT_WHOLE) != 0 && d != floor(d))
		return config_err(cp, path, "must be a whole number");
	return 0;
}

/* Frees what an entry's field holds in base and zeroes it. */
static void
config_opt_clear(const struct config_opt *o, void *base)
{
	char *f = (char *)base + o->off;

	switch (o->type) {
	case OPT_STRING: {
		char **s = (char **)(void *)f;

		free(*s);
		*s = NULL;
		break;
	}
	case OPT_STRLIST: {
		char ***v = (char ***)(void *)f;
		size_t *np = (size_t *)(void *)((char *)base + o->noff);

		for (size_t i = 0; *v != NULL && i < *np; i++)
			free((*v)[i]);
		free(*v);
		*v = NULL;
		*np = 0;
		break;
	}
	case OPT_MAP: {
		struct config_kv **v = (struct config_kv **)(void *)f;
		size_t *np = (size_t *)(void *)((char *)base + o->noff);

		for (size_t i = 0; *v != NULL && i < *np; i++) {
			free((*v)[i].key);
			free((*v)[i].value);
		}
		free(*v);
		*v = NULL;
		*np = 0;
		break;
	}
	default:
		break;
	}
}

/*
 * Sets an entry's field in base from v (not NULL) at path; -1 with an error
 * if v has the wrong type or is out of bounds.
 */
static int
config_opt_set(struct config_parse *cp, const struct config_opt *o,
    void *base, json_t *v, const char *path)
{
	char *f = (char *)base + o->off;

	if (json_is_null(v)) {
		if ((o->flags & OPT_NULLABLE) != 0)
			return 0;
		return config_err(cp, path, "expected %s, got null",
		    config_opt_expects(o));
	}
	switch (o->type) {
	case OPT_STRING:
	case OPT_ENUM: {
		const char *s;
		int idx = -1;

		if (!json_is_string(v))
			return config_err(cp, path, "expected a string, got %s",
			    config_json_type(v));
		s = json_string_value(v);
		if (o->choices != NULL) {
			idx = config_choice(o->choices, s);
			if (idx < 0) {
				char *l = config_choice_list(o->choices);

				config_err(cp, path, "\"%s\" is not one of %s",
				    s, l);
				free(l);
				return -1;
			}
		}
		if ((o->flags & OPT_NONEMPTY) != 0 && s[0] == '\0')
			return config_err(cp, path, "must not be empty");
		if (o->type == OPT_ENUM) {
			*(int *)(void *)f = idx;
		} else {
			free(*(char **)(void *)f);
			*(char **)(void *)f = xstrdup(s);
		}
		return 0;
	}
	case OPT_BOOL:
		if (!json_is_boolean(v))
			return config_err(cp, path,
			    "expected true or false, got %s",
			    config_json_type(v));
		*(int *)(void *)f = json_is_true(v);
		return 0;
	case OPT_NUMBER: {
		double d;

		if (!json_is_number(v))
			return config_err(cp, path, "expected a number, got %s",
			    config_json_type(v));
		d = json_number_value(v);
		if (config_check_bounds(cp, o, path, d) != 0)
			return -1;
		*(double *)(void *)f = d;
		return 0;
	}
	case OPT_UINT: {
		json_int_t i;

		if (!json_is_integer(v))
			return config_err(cp, path,
			    "expected an integer, got %s", config_json_type(v));
		i = json_integer_value(v);
		if (config_check_bounds(cp, o, path, (double)i) != 0)
			return -1;
		*(uint32_t *)(void *)f = (uint32_t)i;
		return 0;
	}
	case OPT_STRLIST: {
		size_t n, idx;
		json_t *e;
		char **list;

		if (!json_is_array(v))
			return config_err(cp, path,
			    "expected an array of strings, got %s",
			    config_json_type(v));
		n = json_array_size(v);
		if (n == 0 && (o->flags & OPT_NONEMPTY) != 0)
			return config_err(cp, path, "must not be empty");
		json_array_foreach(v, idx, e) {
			char *p = xasprintf("%s[%zu]", path, idx);
			int rc = 0;

			if (!json_is_string(e))
				rc = config_err(cp, p,
				    "expected a string, got %s",
				    config_json_type(e));
			else if (json_string_value(e)[0] == '\0')
				rc = config_err(cp, p, "must not be empty");
			free(p);
			if (rc != 0)
				return -1;
		}
		config_opt_clear(o, base);
		list = xcalloc(n + 1, sizeof *list);
		json_array_foreach(v, idx, e)
			list[idx] = xstrdup(json_string_value(e));
		*(char ***)(void *)f = list;
		*(size_t *)(void *)((char *)base + o->noff) = n;
		return 0;
	}
	case OPT_MAP: {
		struct config_kv *kv;
		const char *key;
		json_t *e;
		size_t i = 0;

		if (!json_is_object(v))
			return config_err(cp, path,
			    "expected an object of strings, got %s",
			    config_json_type(v));
		json_object_foreach(v, key, e) {
			char *p = config_join(path, key);
			int rc = 0;

			if (key[0] == '\0')
				rc = config_err(cp, path,
				    "keys must not be empty");
			else if (!json_is_string(e))
				rc = config_err(cp, p,
				    "expected a string, got %s",
				    config_json_type(e));
			free(p);
			if (rc != 0)
				return -1;
		}
		config_opt_clear(o, base);
		kv = xcalloc(json_object_size(v) + 1, sizeof *kv);
		json_object_foreach(v, key, e) {
			kv[i].key = xstrdup(key);
			kv[i].value = xstrdup(json_string_value(e));
			i++;
		}
		*(struct config_kv **)(void *)f = kv;
		*(size_t *)(void *)((char *)base + o->noff) = i;
		return 0;
	}
	default:
		return 0;
	}
}

/*
 * Fills base from obj with every entry of a table: the value given, else
 * the default; a missing required value is an error. prefix is obj's path.
 */
static int
config_apply(struct config_parse *cp, const struct config_opt *t, size_t n,
    void *base, json_t *obj, const char *prefix)
{
	for (size_t i = 0; i < n; i++) {
		const struct config_opt *o = &t[i];
		json_t *v, *def = NULL;
		char *path;
		int rc = 0;

		if (o->type == OPT_SPECIAL)
			continue;
		path = config_join(prefix, o->name);
		v = config_lookup(obj, o->name);
		if (v == NULL && (o->flags & OPT_REQUIRED) != 0) {
			rc = config_err(cp, path, "required");
		} else if (v == NULL && o->def != NULL) {
			def = json_loads(o->def, JSON_DECODE_ANY, NULL);
			if (def == NULL)
				rc = config_err(cp, path, "bad built-in default");
			else
				rc = config_opt_set(cp, o, base, def, path);
			json_decref(def);
		} else if (v != NULL) {
			rc = config_opt_set(cp, o, base, v, path);
		}
		free(path);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/*
 * Returns x as JSON: a whole number as an integer (5, not 5.0, so a dump
 * reads as the file was written and equals its default), else a real.
 */
static json_t *
config_number_json(double x)
{
	if (x == floor(x) && fabs(x) <= 9007199254740992.0)	/* 2^53 */
		return json_integer((json_int_t)x);
	return json_real(x);
}

/*
 * Returns the fewest significant digits (1 to 17) that print every real in
 * v so that it reads back as the same double: 0.1 stays "0.1" where a fixed
 * 17 would write 0.10000000000000001, and no value changes on the way.
 */
static int
config_json_precision(json_t *v)
{
	int p = 1;

	if (json_is_real(v)) {
		double x = json_real_value(v);
		char s[32];

		for (; p < 17; p++) {
			snprintf(s, sizeof s, "%.*g", p, x);
			if (strtod(s, NULL) == x)
				break;
		}
	} else if (json_is_object(v)) {
		const char *k;
		json_t *e;

		json_object_foreach(v, k, e) {
			int q = config_json_precision(e);

			p = q > p ? q : p;
		}
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			int q = config_json_precision(json_array_get(v, i));

			p = q > p ? q : p;
		}
	}
	return p;
}

/* Returns an entry's current value in base as JSON (a new reference). */
static json_t *
config_opt_get(const struct config_opt *o, const void *base)
{
	const char *f = (const char *)base + o->off;

	switch (o->type) {
	case OPT_STRING: {
		const char *s = *(char *const *)(const void *)f;

		return s != NULL ? json_string(s) : json_null();
	}
	case OPT_ENUM: {
		char *s = config_choice_name(o->choices,
		    *(const int *)(const void *)f);
		json_t *j = s != NULL ? json_string(s) : json_null();

		free(s);
		return j;
	}
	case OPT_BOOL:
		return json_boolean(*(const int *)(const void *)f);
	case OPT_NUMBER:
		return config_number_json(*(const double *)(const void *)f);
	case OPT_UINT:
		return json_integer(*(const uint32_t *)(const void *)f);
	case OPT_STRLIST: {
		char *const *v = *(char **const *)(const void *)f;
		size_t n = *(const size_t *)(const void *)
		    ((const char *)base + o->noff);
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_string(v[i]));
		return a;
	}
	case OPT_MAP: {
		const struct config_kv *v =
		    *(struct config_kv *const *)(const void *)f;
		size_t n = *(const size_t *)(const void *)
		    ((const char *)base + o->noff);
		json_t *m = json_object();

		for (size_t i = 0; i < n; i++)
			json_object_set_new(m, v[i].key,
			    json_string(v[i].value));
		return m;
	}
	default:
		return json_null();
	}
}

/* Returns the 64-bit FNV-1a hash of n bytes as 16 hex digits in out. */
static void
config_hash(const char *s, size_t n, char out[17])
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(out, 17, "%016" PRIx64, h);
}

/* Hashes the canonical JSON (sorted keys, compact) of v into out. */
static void
config_hash_json(const json_t *v, char out[17])
{
	char *s = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT |
	    JSON_ENCODE_ANY);

	if (s == NULL)
		s = xstrdup("");
	config_hash(s, strlen(s), out);
	free(s);
}

/* Frees what a job owns (not the job itself). */
static void
config_job_clear(struct config_job *job)
{
	for (size_t i = 0; i < NFIELDS; i++)
		config_opt_clear(&config_job_fields[i], job);
	for (size_t i = 0; i < job->nconstraints; i++) {
		struct config_constraint *c = &job->constraints[i];

		if (c->op == CONSTRAINT_LIKE || c->op == CONSTRAINT_UNLIKE)
			regfree(&c->re);
		free(c->field);
		free(c->value);
	}
	free(job->constraints);
	json_decref(job->json);
	memset(job, 0, sizeof *job);
}

void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < NOPTS; i++)
		config_opt_clear(&config_opts[i], cfg);
	for (size_t i = 0; i < cfg->njobs; i++)
		config_job_clear(&cfg->jobs[i]);
	free(cfg->jobs);
	free(cfg->path);
	free(cfg);
}

#define CONFIG_DIGITS	"0123456789"
#define CONFIG_LOWER	"abcdefghijklmnopqrstuvwxyz"
#define CONFIG_UPPER	"ABCDEFGHIJKLMNOPQRSTUVWXYZ"

/* Tells whether s is 1..max characters, all of them from set. */
static int
config_valid_chars(const char *s, size_t max, const char *set)
{
	size_t n = strlen(s);

	return n > 0 && n <= max && strspn(s, set) == n;
}

/* Tells whether s matches [a-z0-9][a-z0-9-]{0,62}. */
static int
config_valid_id(const char *s)
{
	return s[0] != '-' &&
	    config_valid_chars(s, 63, CONFIG_LOWER CONFIG_DIGITS "-");
}

/* Tells whether s is a port name: [A-Z0-9_]{1,32}. */
static int
config_valid_port_name(const char *s)
{
	return config_valid_chars(s, 32, CONFIG_UPPER CONFIG_DIGITS "_");
}

/* Tells whether s is an environment variable name: [A-Za-z_][A-Za-z0-9_]*. */
static int
config_valid_env_name(const char *s)
{
	if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (size_t i = 1; s[i] != '\0'; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

/* Tells whether s is a role Mesos accepts (roughly: see roles.md). */
static int
config_valid_role(const char *s)
{
	if (s[0] == '\0' || s[0] == '-' || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return 0;
	for (size_t i = 0; s[i] != '\0'; i++)
		if (isspace((unsigned char)s[i]) || s[i] == '\\' ||
		    (unsigned char)s[i] < 0x20)
			return 0;
	return 1;
}

/*
 * Tells whether a regular expression could make regcomp(3) build an
 * automaton too big to be sane: longer than CONFIG_REGEX_MAX, or with {}
 * counts whose product passes CONFIG_REGEX_REPEAT_MAX (glibc copies the
 * repeated part once per count).
 */
static int
config_regex_too_big(const char *re)
{
	double product = 1;

	if (strlen(re) > CONFIG_REGEX_MAX)
		return 1;
	for (const char *p = strchr(re, '{'); p != NULL;
	    p = strchr(p + 1, '{')) {
		unsigned long a = 0, b = 0;
		char *end;

		if (!isdigit((unsigned char)p[1]))
			continue;
		a = strtoul(p + 1, &end, 10);
		if (*end == ',' && isdigit((unsigned char)end[1]))
			b = strtoul(end + 1, &end, 10);
		product *= (double)(a > b ? a : b) + 1;
		if (product > CONFIG_REGEX_REPEAT_MAX)
			return 1;
	}
	return 0;
}

/* Parses one constraint [field, op, value?] at path into c. */
static int
config_parse_constraint(struct config_parse *cp, json_t *v, const char *path,
    struct config_constraint *c)
{
	json_t *f, *op, *val;
	const char *name;
	char *p;
	int i, rc = 0;

	if (!json_is_array(v) || json_array_size(v) < 2 ||
	    json_array_size(v) > 3)
		return config_err(cp, path,
		    "expected [field, operator] or [field, operator, value]");
	f = json_array_get(v, 0);
	op = json_array_get(v, 1);
	val = json_array_get(v, 2);
	p = xasprintf("%s[0]", path);
	if (!json_is_string(f) || json_string_value(f)[0] == '\0')
		rc = config_err(cp, p, "expected a field name (\"hostname\" or "
		    "an attribute), got %s", config_json_type(f));
	free(p);
	if (rc != 0)
		return -1;
	c->field = xstrdup(json_string_value(f));

	p = xasprintf("%s[1]", path);
	name = json_is_string(op) ? json_string_value(op) : "";
	for (i = 0; i < CONSTRAINT_OP_MAX; i++)
		if (strcmp(name, constraint_op_names[i]) == 0)
			break;
	if (i == CONSTRAINT_OP_MAX)
		rc = config_err(cp, p, "unknown operator %s%s%s (EQUALS, LIKE, "
		    "UNLIKE, UNIQUE or MAX_PER)", json_is_string(op) ? "\"" : "",
		    json_is_string(op) ? name : config_json_type(op),
		    json_is_string(op) ? "\"" : "");
	free(p);
	if (rc != 0)
		return -1;

	p = xasprintf("%s[2]", path);
	if (i == CONSTRAINT_UNIQUE) {
		if (val != NULL)
			rc = config_err(cp, p, "UNIQUE takes no value");
	} else if (val == NULL) {
		rc = config_err(cp, path, "%s needs a value",
		    constraint_op_names[i]);
	} else if (i == CONSTRAINT_MAX_PER) {
		json_int_t m = -1;
		char *end = NULL;

		/* Marathon writes the number as a string; take both */
		if (json_is_integer(val)) {
			m = json_integer_value(val);
		} else if (json_is_string(val)) {
			const char *s = json_string_value(val);

			errno = 0;
			m = strtoll(s, &end, 10);
			if (s[0] == '\0' || *end != '\0' || errno != 0 ||
			    !isdigit((unsigned char)s[0]))
				m = -1;
		}
		if (m < 1 || m > UINT32_MAX)
			rc = config_err(cp, p, "MAX_PER needs a positive "
			    "integer");
		else
			c->max = (uint32_t)m;
	} else if (!json_is_string(val)) {
		rc = config_err(cp, p, "expected a string, got %s",
		    config_json_type(val));
	} else {
		c->value = xstrdup(json_string_value(val));
		if ((i == CONSTRAINT_LIKE || i == CONSTRAINT_UNLIKE) &&
		    config_regex_too_big(c->value)) {
			rc = config_err(cp, p, "regular expression \"%.40s%s\" "
			    "is too big (at most %d characters, and %d "
			    "repetitions in {} counts multiplied together)",
			    c->value, strlen(c->value) > 40 ? "..." : "",
			    CONFIG_REGEX_MAX, CONFIG_REGEX_REPEAT_MAX);
		} else if (i == CONSTRAINT_LIKE || i == CONSTRAINT_UNLIKE) {
			/* the whole value must match, as in Marathon */
			char *re = xasprintf("^(%s)$", c->value);
			int e = regcomp(&c->re, re, REG_EXTENDED | REG_NOSUB);

			free(re);
			if (e != 0) {
				char why[128];

				regerror(e, &c->re, why, sizeof why);
				regfree(&c->re);
				rc = config_err(cp, p,
				    "bad regular expression \"%s\": %s",
				    c->value, why);
			}
		}
	}
	free(p);
	if (rc != 0)
		return -1;
	/* set last: config_job_clear frees the regex of LIKE/UNLIKE only */
	c->op = (enum config_constraint_op)i;
	return 0;
}

/* Checks what the job table cannot: presence rules, names, references. */
static int
config_check_job(struct config_parse *cp, const struct config *cfg,
    struct config_job *job, json_t *obj, const char *prefix)
{
	json_t *v, *hc;
	char *p = NULL;
	size_t idx;
	int rc = 0;

#define FAIL(key, ...) do {						\
	p = config_join(prefix, key);					\
	rc = config_err(cp, p, __VA_ARGS__);				\
	goto out;							\
} while (0)

	if (job->kind == JOB_DAEMON && json_object_get(obj, "instances") != NULL)
		FAIL("instances", "only for service jobs (a daemon job runs "
		    "one task on every eligible agent)");
	if (job->shell != NULL && json_object_get(obj, "argv") != NULL)
		FAIL("argv", "give either command or argv, not both");
	if (job->shell == NULL && job->argv == NULL)
		FAIL("command", "required (a shell command, or argv)");
	for (size_t i = 0; i < job->nenv; i++)
		if (!config_valid_env_name(job->env[i].key)) {
			char *k = xasprintf("env.%s", job->env[i].key);

			p = config_join(prefix, k);
			free(k);
			rc = config_err(cp, p, "not a valid environment "
			    "variable name");
			goto out;
		}
	for (size_t i = 0; i < job->nports; i++) {
		char *k = xasprintf("resources.ports[%zu]", i);

		p = config_join(prefix, k);
		free(k);
		if (!config_valid_port_name(job->ports[i])) {
			rc = config_err(cp, p, "\"%s\" is not a port name "
			    "(1 to 32 of A-Z, 0-9 and _)", job->ports[i]);
			goto out;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(job->ports[i], job->ports[j]) == 0) {
				rc = config_err(cp, p, "port \"%s\" is named "
				    "twice", job->ports[i]);
				goto out;
			}
		free(p);
		p = NULL;
	}
	if (job->nports > CONFIG_MAX_PORTS)
		FAIL("resources.ports", "at most %d ports", CONFIG_MAX_PORTS);
	if (job->container != CONTAINER_NONE && job->image == NULL)
		FAIL("container.image", "required for a %s container",
		    config_container_name(job->container));
	if (job->container == CONTAINER_NONE && job->image != NULL)
		FAIL("container.type", "an image needs a container type "
		    "(mesos or docker)");

	hc = json_object_get(obj, "health_check");
	if (hc != NULL) {
		struct config_health *h = &job->health;

		h->enabled = 1;
		if (h->type == NULL)
			FAIL("health_check.type", "required");
		if (strcmp(h->type, "COMMAND") == 0 && h->command == NULL)
			FAIL("health_check.command", "required for a COMMAND "
			    "check");
		if (strcmp(h->type, "COMMAND") != 0 && h->command != NULL)
			FAIL("health_check.command", "only for COMMAND checks");
		if (strcmp(h->type, "HTTP") != 0 && h->path != NULL)
			FAIL("health_check.path", "only for HTTP checks");
		if (strcmp(h->type, "COMMAND") != 0 &&
		    h->port_index >= job->nports)
			FAIL("health_check.port_index", "%s check of port %u, "
			    "but the job has %zu port%s in resources.ports",
			    h->type, h->port_index, job->nports,
			    job->nports == 1 ? "" : "s");
		if (strcmp(h->type, "HTTP") == 0 && h->path == NULL)
			h->path = xstrdup("/");
	}
	if (job->role != NULL) {
		size_t i;

		for (i = 0; i < cfg->nroles; i++)
			if (strcmp(job->role, cfg->roles[i]) == 0)
				break;
		if (i == cfg->nroles)
			FAIL("role", "\"%s\" is not one of framework.roles",
			    job->role);
	}
	if (job->backoff_max_s < job->backoff_s)
		FAIL("restart.max_s", "must be >= restart.backoff_s (%g)",
		    job->backoff_s);

	v = json_object_get(obj, "constraints");
	if (v != NULL && !json_is_array(v))
		FAIL("constraints", "expected an array of [field, operator, "
		    "value], got %s", config_json_type(v));
	if (v != NULL && json_array_size(v) > 0) {
		json_t *e;

		job->constraints = xcalloc(json_array_size(v),
		    sizeof *job->constraints);
		json_array_foreach(v, idx, e) {
			char *k = xasprintf("constraints[%zu]", idx);

			p = config_join(prefix, k);
			free(k);
			job->nconstraints = idx + 1;
			rc = config_parse_constraint(cp, e, p,
			    &job->constraints[idx]);
			if (rc != 0)
				goto out;
			free(p);
			p = NULL;
		}
	}
#undef FAIL
out:
	free(p);
	return rc;
}

/* Parses, checks and hashes job number i of the "jobs" array. */
static int
config_parse_job(struct config_parse *cp, struct config *cfg, size_t i,
    json_t *obj)
{
	struct config_job *job = &cfg->jobs[i];
	char *prefix = xasprintf("jobs[%zu]", i);
	json_t *h, *id;
	int rc = -1;

	if (!json_is_object(obj)) {
		config_err(cp, prefix, "expected a job object, got %s",
		    config_json_type(obj));
		goto out;
	}
	if (config_check_keys(cp, config_job_fields, NFIELDS, obj, "",
	    prefix) != 0)
		goto out;
	/* the id first: later messages are easier to read with a good one */
	id = json_object_get(obj, "id");
	if (json_is_string(id) && !config_valid_id(json_string_value(id))) {
		char *p = config_join(prefix, "id");

		config_err(cp, p, "\"%s\" is not a valid id (a lower-case "
		    "letter or digit, then up to 62 lower-case letters, digits "
		    "or -)", json_string_value(id));
		free(p);
		goto out;
	}
	if (config_apply(cp, config_job_fields, NFIELDS, job, obj, prefix) !=
	    0)
		goto out;
	for (size_t j = 0; j < i; j++)
		if (strcmp(cfg->jobs[j].id, job->id) == 0) {
			char *p = config_join(prefix, "id");

			config_err(cp, p, "\"%s\" is already the id of jobs[%zu]",
			    job->id, j);
			free(p);
			goto out;
		}
	if (config_check_job(cp, cfg, job, obj, prefix) != 0)
		goto out;
	job->json = json_incref(obj);
	/* what does not change a task's TaskInfo does not roll it */
	h = json_deep_copy(obj);
	json_object_del(h, "instances");
	json_object_del(h, "constraints");
	json_object_del(h, "restart");
	json_object_del(h, "blacklist_policy");
	config_hash_json(h, job->hash);
	json_decref(h);
	rc = 0;
out:
	free(prefix);
	return rc;
}

/* Tells whether s is "host:port" or "[addr]:port" with port 0..65535. */
static int
config_valid_listen(const char *s)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (colon == NULL || colon == s || colon[1] == '\0')
		return 0;
	if (s[0] == '[' && colon[-1] != ']')
		return 0;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || errno != 0 || port < 0 || port > 65535 ||
	    !isdigit((unsigned char)colon[1]))
		return 0;
	return 1;
}

/* Tells whether a valid "host:port" names a loopback address literally. */
static int
config_loopback(const char *listen)
{
	return strncmp(listen, "127.", 4) == 0 ||
	    strncmp(listen, "localhost:", 10) == 0 ||
	    strncmp(listen, "[::1]:", 6) == 0;
}

/* Checks what the option table cannot: URLs, roles, orderings. */
static int
config_check(struct config_parse *cp, struct config *cfg)
{
	for (size_t i = 0; i < cfg->nmasters; i++) {
		const char *m = cfg->masters[i];
		char *p = xasprintf("master.masters[%zu]", i);
		int rc = 0;

		const char *host = strstr(m, "://"), *slash;

		host = host != NULL ? host + 3 : m;
		slash = strchr(host, '/');
		if (strncmp(m, "zk://", 5) == 0) {
			struct zk_url zu;
			char *why = NULL;

			if (cfg->nmasters > 1)
				rc = config_err(cp, p, "a zk:// URL must be the "
				    "only master");
			else if (slash == NULL || slash == host)
				rc = config_err(cp, p, "a zk:// URL needs hosts "
				    "and a path, as in zk://host:2181/mesos");
			else if (zk_url_parse(m, &zu, &why) != 0) {
				rc = config_err(cp, p, "%s", why);
				free(why);
			} else
				zk_url_clear(&zu);
		} else if (strncmp(m, "http://", 7) != 0 &&
		    strncmp(m, "https://", 8) != 0) {
			rc = config_err(cp, p, "\"%s\" is not an http://, "
			    "https:// or zk:// URL", m);
		} else if (host[0] == '\0' || host[0] == '/') {
			rc = config_err(cp, p, "\"%s\" names no host", m);
		} else if (slash != NULL && slash[1] != '\0') {
			/* a trailing slash is harmless, a path is not */
			rc = config_err(cp, p, "\"%s\": give the master as "
			    "scheme://host:port, without a path", m);
		}
		free(p);
		if (rc != 0)
			return -1;
	}
	for (size_t i = 0; i < cfg->nroles; i++) {
		char *p = xasprintf("framework.roles[%zu]", i);
		int rc = 0;

		if (!config_valid_role(cfg->roles[i]))
			rc = config_err(cp, p, "\"%s\" is not a valid role",
			    cfg->roles[i]);
		for (size_t j = 0; rc == 0 && j < i; j++)
			if (strcmp(cfg->roles[i], cfg->roles[j]) == 0)
				rc = config_err(cp, p, "role \"%s\" is listed "
				    "twice", cfg->roles[i]);
		free(p);
		if (rc != 0)
			return -1;
	}
	if (cfg->ha_zk != NULL) {
		struct zk_url zu;
		char *why = NULL;

		if (zk_url_parse(cfg->ha_zk, &zu, &why) != 0) {
			int rc = config_err(cp, "ha.zk", "%s", why);

			free(why);
			return rc;
		}
		zk_url_clear(&zu);
	}
	if (cfg->backoff_max_s < cfg->backoff_initial_s)
		return config_err(cp, "master.backoff_max_s", "must be >= "
		    "master.backoff_initial_s (%g)", cfg->backoff_initial_s);
	if (cfg->reconcile_max_s < cfg->reconcile_initial_s)
		return config_err(cp, "reconciliation.max_s", "must be >= "
		    "reconciliation.initial_s (%g)", cfg->reconcile_initial_s);
	if (cfg->secret_file != NULL && cfg->principal == NULL)
		return config_err(cp, "framework.secret_file", "needs "
		    "framework.principal");
	if (cfg->admin_listen[0] != '\0' &&
	    !config_valid_listen(cfg->admin_listen))
		return config_err(cp, "admin.listen", "\"%s\" is not host:port "
		    "(or \"\" to disable)", cfg->admin_listen);
	if ((cfg->cert_file == NULL) != (cfg->key_file == NULL))
		return config_err(cp, cfg->cert_file != NULL ?
		    "master.cert_file" : "master.key_file", "needs %s too",
		    cfg->cert_file != NULL ? "master.key_file" :
		    "master.cert_file");
	if ((cfg->admin_tls_cert_file == NULL) !=
	    (cfg->admin_tls_key_file == NULL))
		return config_err(cp, cfg->admin_tls_cert_file != NULL ?
		    "admin.tls_cert_file" : "admin.tls_key_file", "needs %s too",
		    cfg->admin_tls_cert_file != NULL ? "admin.tls_key_file" :
		    "admin.tls_cert_file");
	if (cfg->admin_read_token_file != NULL &&
	    cfg->admin_token_file == NULL)
		return config_err(cp, "admin.read_token_file", "needs "
		    "admin.token_file (the token that may change things)");
	for (size_t i = 0; i < cfg->nadmin_redact; i++)
		if (strlen(cfg->admin_redact[i]) > 256) {
			char *p = xasprintf("admin.redact[%zu]", i);
			int rc = config_err(cp, p, "longer than 256 characters");

			free(p);
			return rc;
		}
	if (cfg->admin_listen[0] != '\0' &&
	    !config_loopback(cfg->admin_listen) && !cfg->admin_insecure &&
	    (cfg->admin_token_file == NULL ||
	    cfg->admin_tls_cert_file == NULL))
		return config_err(cp, "admin.listen", "\"%s\" is not a loopback "
		    "address: set %s%s%s (or admin.insecure: true to accept an "
		    "open or unencrypted API)", cfg->admin_listen,
		    cfg->admin_token_file == NULL ? "admin.token_file" : "",
		    cfg->admin_token_file == NULL &&
		    cfg->admin_tls_cert_file == NULL ? " and " : "",
		    cfg->admin_tls_cert_file == NULL ?
		    "admin.tls_cert_file/tls_key_file" : "");
	return 0;
}

struct config *
config_parse(const char *text, const char *name, char **cause)
{
	struct config_parse cp = { .name = name, .text = text,
	    .len = strlen(text) };
	struct config *cfg = xcalloc(1, sizeof *cfg);
	json_error_t err;
	json_t *root, *jobs;

	cfg->path = xstrdup(name);
	root = json_loadb(text, cp.len, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL) {
		cp.cause = xasprintf("%s:%d:%d: %s", name, err.line,
		    err.column, err.text);
		goto fail;
	}
	if (!json_is_object(root)) {
		cp.cause = xasprintf("%s:1: expected a JSON object at the top "
		    "level, got %s", name, config_json_type(root));
		goto fail;
	}
	if (config_check_keys(&cp, config_opts, NOPTS, root, "", "") != 0)
		goto fail;
	if (config_apply(&cp, config_opts, NOPTS, cfg, root, "") != 0)
		goto fail;
	if (config_check(&cp, cfg) != 0)
		goto fail;
	jobs = json_object_get(root, "jobs");
	if (jobs != NULL && !json_is_array(jobs)) {
		config_err(&cp, "jobs", "expected an array of jobs, got %s",
		    config_json_type(jobs));
		goto fail;
	}
	if (jobs != NULL && json_array_size(jobs) > 0) {
		json_t *j;
		size_t i;

		cfg->jobs = xcalloc(json_array_size(jobs), sizeof *cfg->jobs);
		json_array_foreach(jobs, i, j) {
			cfg->njobs = i + 1;
			if (config_parse_job(&cp, cfg, i, j) != 0)
				goto fail;
		}
	}
	config_hash_json(root, cfg->version);
	json_decref(root);
	return cfg;
fail:
	json_decref(root);
	config_free(cfg);
	if (cause != NULL)
		*cause = cp.cause;
	else
		free(cp.cause);
	return NULL;
}

/*
 * Reads the configuration file at path (bounded, no NUL bytes). Returns its
 * text (caller frees) and *len, or NULL with *cause set if cause is not NULL.
 */
static char *
config_slurp(const char *path, size_t *lenp, char **cause)
{
	struct stat st;
	char *text = NULL, *why = NULL;
	size_t len = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		why = xasprintf("%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		why = xasprintf("%s: not a regular file", path);
		goto out;
	}
	if ((uintmax_t)st.st_size > CONFIG_MAX_FILE) {
		why = xasprintf("%s: larger than %u MiB", path,
		    CONFIG_MAX_FILE >> 20);
		goto out;
	}
	text = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, text + len, (size_t)st.st_size - len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			why = xasprintf("%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	text[len] = '\0';
	if (memchr(text, '\0', len) != NULL) {
		size_t line = 1;

		for (const char *q = text; *q != '\0'; q++)
			line += *q == '\n';
		why = xasprintf("%s:%zu: the file contains a NUL byte", path,
		    line);
		goto out;
	}
out:
	if (fd != -1)
		close(fd);
	if (why != NULL) {
		free(text);
		text = NULL;
		if (cause != NULL)
			*cause = why;
		else
			free(why);
	}
	*lenp = len;
	return text;
}

struct config *
config_load(const char *path, char **cause)
{
	struct config *cfg;
	size_t len;
	char *text = config_slurp(path, &len, cause);

	if (text == NULL)
		return NULL;
	cfg = config_parse(text, path, cause);
	free(text);
	return cfg;
}

/* A file option and what secret_read must find in it. */
static const struct {
	const char	*name;
	size_t		 off;
	enum secret_kind kind;
} config_files[] = {
	{ "master.ca_file", C(ca_file), SECRET_PEM_CERT },
	{ "master.cert_file", C(cert_file), SECRET_PEM_CERT },
	{ "master.key_file", C(key_file), SECRET_PEM_KEY },
	{ "framework.secret_file", C(secret_file), SECRET_LINE },
	{ "admin.token_file", C(admin_token_file), SECRET_TOKEN },
	{ "admin.read_token_file", C(admin_read_token_file), SECRET_TOKEN },
	{ "admin.tls_cert_file", C(admin_tls_cert_file), SECRET_PEM_CERT },
	{ "admin.tls_key_file", C(admin_tls_key_file), SECRET_PEM_KEY },
};

int
config_check_files(const struct config *cfg, char **cause)
{
	for (size_t i = 0; i < sizeof config_files / sizeof config_files[0];
	    i++) {
		const char *path = *(char *const *)(const void *)
		    ((const char *)cfg + config_files[i].off);
		char *why = NULL, *text;
		size_t len = 0;
		int line = 1;

		if (path == NULL)
			continue;
		if (secret_check(path, config_files[i].kind, &why) == 0)
			continue;
		/* The line is looked up only now that it is needed. */
		text = config_slurp(cfg->path, &len, NULL);
		if (text != NULL)
			line = config_path_line(text, len,
			    config_files[i].name);
		free(text);
		*cause = xasprintf("%s:%d: %s: %s", cfg->path, line,
		    config_files[i].name, why);
		free(why);
		return -1;
	}
	return 0;
}

int
config_redacted(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nadmin_redact; i++)
		if (fnmatch(cfg->admin_redact[i], name, FNM_CASEFOLD) == 0)
			return 1;
	return 0;
}

json_t *
config_job_redact(const struct config *cfg, const json_t *job)
{
	json_t *copy = json_deep_copy(job), *env, *v;
	const char *k;

	env = json_object_get(copy, "env");
	if (json_is_object(env))
		json_object_foreach(env, k, v)
			if (config_redacted(cfg, k))
				json_object_set_new(env, k,
				    json_string(CONFIG_REDACTED));
	return copy;
}

const struct config_job *
config_job_find(const struct config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->njobs; i++)
		if (strcmp(cfg->jobs[i].id, id) == 0)
			return &cfg->jobs[i];
	return NULL;
}

char *
config_dump(const struct config *cfg)
{
	json_t *root = json_object(), *opts = json_object(), *jobs;
	char *s;

	for (size_t i = 0; i < NOPTS; i++) {
		const struct config_opt *o = &config_opts[i];
		json_t *e, *def;

		if (o->type == OPT_SPECIAL)
			continue;
		e = json_object();
		def = json_loads(o->def, JSON_DECODE_ANY, NULL);
		json_object_set_new(e, "value", cfg != NULL ?
		    config_opt_get(o, cfg) : json_incref(def));
		json_object_set_new(e, "default", def);
		json_object_set_new(e, "type",
		    json_string(config_opt_expects(o)));
		if (o->unit != NULL)
			json_object_set_new(e, "unit", json_string(o->unit));
		json_object_set_new(e, "reloadable",
		    json_boolean((o->flags & OPT_RELOAD) != 0));
		json_object_set_new(e, "help", json_string(o->help));
		json_object_set_new(opts, o->name, e);
	}
	json_object_set_new(root, "options", opts);
	/* the fields of a job, so that a dump names every key of the file */
	opts = json_object();
	for (size_t i = 0; i < NFIELDS; i++) {
		const struct config_opt *o = &config_job_fields[i];
		json_t *e = json_object();

		json_object_set_new(e, "type",
		    json_string(config_opt_expects(o)));
		if ((o->flags & OPT_REQUIRED) != 0)
			json_object_set_new(e, "required", json_true());
		else if (o->def != NULL)
			json_object_set_new(e, "default",
			    json_loads(o->def, JSON_DECODE_ANY, NULL));
		if (o->unit != NULL)
			json_object_set_new(e, "unit", json_string(o->unit));
		json_object_set_new(e, "help", json_string(o->help));
		json_object_set_new(opts, o->name, e);
	}
	json_object_set_new(root, "job_fields", opts);
	jobs = json_array();
	for (size_t i = 0; cfg != NULL && i < cfg->njobs; i++) {
		json_t *j = json_object();

		json_object_set_new(j, "hash", json_string(cfg->jobs[i].hash));
		json_object_set_new(j, "job", config_job_redact(cfg,
		    cfg->jobs[i].json));
		json_array_append_new(jobs, j);
	}
	json_object_set_new(root, "jobs", jobs);
	if (cfg != NULL) {
		json_object_set_new(root, "path", json_string(cfg->path));
		json_object_set_new(root, "version",
		    json_string(cfg->version));
	}
	s = json_dumps(root, JSON_INDENT(2) |
	    JSON_REAL_PRECISION(config_json_precision(root)));
	json_decref(root);
	if (s == NULL)
		s = xstrdup("{}");
	return s;
}

char *
config_to_json(const struct config *cfg)
{
	json_t *root = json_object(), *jobs = json_array();
	char *s;

	for (size_t i = 0; i < NOPTS; i++) {
		const struct config_opt *o = &config_opts[i];
		char *copy, *p, *dot;
		json_t *at = root;

		if (o->type == OPT_SPECIAL)
			continue;
		/* walk or make the sections of "a.b.c", then set c */
		copy = xstrdup(o->name);
		p = copy;
		while ((dot = strchr(p, '.')) != NULL) {
			json_t *sec;

			*dot = '\0';
			sec = json_object_get(at, p);
			if (sec == NULL) {
				sec = json_object();
				json_object_set_new(at, p, sec);
			}
			at = sec;
			p = dot + 1;
		}
		json_object_set_new(at, p, config_opt_get(o, cfg));
		free(copy);
	}
	for (size_t i = 0; i < cfg->njobs; i++)
		json_array_append(jobs, cfg->jobs[i].json);
	json_object_set_new(root, "jobs", jobs);
	s = json_dumps(root, JSON_INDENT(2) |
	    JSON_REAL_PRECISION(config_json_precision(root)));
	json_decref(root);
	if (s == NULL)
		s = xstrdup("{}");
	return s;
}

char *
config_reload_check(const struct config *old, const struct config *new)
{
	struct buf b;

	buf_init(&b, 0);
	for (size_t i = 0; i < NOPTS; i++) {
		const struct config_opt *o = &config_opts[i];
		json_t *a, *z;

		if (o->type == OPT_SPECIAL || (o->flags & OPT_RELOAD) != 0)
			continue;
		a = config_opt_get(o, old);
		z = config_opt_get(o, new);
		if (!json_equal(a, z))
			buf_printf(&b, "%s%s", b.len == 0 ? "" : ", ", o->name);
		json_decref(a);
		json_decref(z);
	}
	if (b.len == 0) {
		buf_clear(&b);
		return NULL;
	}
	buf_addstr(&b, ": changed, but only a restart of arkd applies "
	    "them");
	return buf_steal(&b, NULL);
}

/* Appends s to b escaped for troff. */
static void
config_man_text(struct buf *b, const char *s)
{
	if (*s == '.' || *s == '\'')
		buf_addstr(b, "\\&");
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_addstr(b, "\\e");
		else if (*s == '-')
			buf_addstr(b, "\\-");
		else
			buf_add(b, s, 1);
	}
}

/* Appends one table's entries to b as a troff tagged list. */
static void
config_man_table(struct buf *b, const struct config_opt *t, size_t n,
    int sections, int reload)
{
	char section[64] = "-";	/* none yet; "" is the top level */

	for (size_t i = 0; i < n; i++) {
		const struct config_opt *o = &t[i];
		const char *dot = strchr(o->name, '.');
		size_t slen = dot != NULL ? (size_t)(dot - o->name) : 0;

		if (sections && (strlen(section) != slen ||
		    strncmp(section, o->name, slen) != 0)) {
			snprintf(section, sizeof section, "%.*s", (int)slen,
			    o->name);
			buf_addstr(b, ".SS ");
			config_man_text(b, dot != NULL ? section : "Top level");
			buf_addstr(b, "\n");
		}
		buf_addstr(b, ".TP\n.B ");
		config_man_text(b, o->name);
		buf_addstr(b, "\n(");
		if (o->type == OPT_STRING && o->choices != NULL) {
			char *l = config_choice_list(o->choices);

			buf_addstr(b, "one of ");
			config_man_text(b, l);
			free(l);
		} else if (o->type == OPT_ENUM) {
			char *l = config_choice_list(o->choices);

			buf_addstr(b, "one of ");
			config_man_text(b, l);
			free(l);
		} else {
			config_man_text(b, config_opt_expects(o));
		}
		if (o->type == OPT_NUMBER || o->type == OPT_UINT)
			buf_printf(b, (o->flags & OPT_GT_MIN) != 0 ?
			    ", over %.15g, up to %.15g" :
			    ", from %.15g to %.15g", o->min, o->max);
		if (o->unit != NULL) {
			buf_addstr(b, ", in ");
			config_man_text(b, o->unit);
		}
		buf_addstr(b, "; ");
		if ((o->flags & OPT_REQUIRED) != 0) {
			buf_addstr(b, "required");
		} else if (o->def != NULL) {
			buf_addstr(b, "default ");
			config_man_text(b, o->def);
		} else {
			buf_addstr(b, "optional");
		}
		if (reload)
			buf_addstr(b, (o->flags & OPT_RELOAD) != 0 ?
			    "; reloadable" : "; restart to change");
		buf_addstr(b, ")\n.br\n");
		config_man_text(b, o->help);
		buf_addstr(b, "\n");
	}
}

char *
config_doc_man(void)
{
	struct buf b;

	buf_init(&b, 0);
	buf_addstr(&b, ".\\\" generated by config_doc_man() from the schema "
	    "in src/config.c\n");
	buf_addstr(&b, ".SH OPTIONS\n");
	config_man_table(&b, config_opts, NOPTS, 1, 1);
	buf_addstr(&b, ".SH JOBS\n"
	    "Each element of\n.B jobs\nis an object with these fields:\n");
	config_man_table(&b, config_job_fields, NFIELDS, 0, 0);
	return buf_steal(&b, NULL);
}
