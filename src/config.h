/*
 * config — arkd's JSON configuration file (/etc/ark/arkd.json): load,
 * validate, and compare for reload. Scalar options come from one schema table
 * (name, type, bounds, default, unit, help, reloadable) that also serves
 * --dump-config and arkd.json(5); jobs are validated with the file, line and
 * JSON path of every error ("arkd.json:14: jobs[1].resources.cpus: must be
 * > 0"). A struct config is immutable once loaded: a reload builds a new one.
 */
#ifndef ARK_CONFIG_H
#define ARK_CONFIG_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum config_job_kind {
	JOB_DAEMON,	/* one task on every eligible agent */
	JOB_SERVICE,	/* N instances anywhere eligible */
	JOB_KIND_MAX
};

enum config_restart {
	RESTART_ALWAYS,		/* replace a task whatever way it ended */
	RESTART_ON_FAILURE,	/* replace unless it FINISHED */
	RESTART_NEVER,		/* leave the slot empty once the task ends */
	RESTART_MAX
};

enum config_constraint_op {
	CONSTRAINT_EQUALS,	/* field == value */
	CONSTRAINT_LIKE,	/* field matches regex value (anchored) */
	CONSTRAINT_UNLIKE,	/* field does not match regex value */
	CONSTRAINT_UNIQUE,	/* at most one task of the job per field value */
	CONSTRAINT_MAX_PER,	/* at most max tasks of the job per field value */
	CONSTRAINT_OP_MAX
};

enum config_blacklist_policy {
	BLACKLIST_KILL,		/* kill the job's tasks on a blacklisted agent */
	BLACKLIST_DRAIN,	/* start the replacement first, then kill */
	BLACKLIST_KEEP,		/* leave running tasks; only stop new ones */
	BLACKLIST_POLICY_MAX
};

enum config_unknown_tasks {
	UNKNOWN_TASKS_KILL,	/* tasks of our framework that ark does not know */
	UNKNOWN_TASKS_ADOPT,	/* take them into their slot when the id matches */
	UNKNOWN_TASKS_IGNORE,
	UNKNOWN_TASKS_MAX
};

enum config_container {
	CONTAINER_NONE,		/* plain command under the Mesos containerizer */
	CONTAINER_MESOS,	/* Mesos containerizer with a Docker image */
	CONTAINER_DOCKER,	/* the Docker containerizer */
	CONTAINER_MAX
};

struct config_constraint {
	enum config_constraint_op op;
	char		*field;	/* attribute name, or "hostname" */
	char		*value;	/* EQUALS text, LIKE/UNLIKE regex; else NULL */
	regex_t		 re;	/* compiled value for LIKE/UNLIKE */
	uint32_t	 max;	/* MAX_PER bound */
};

struct config_kv {
	char	*key;
	char	*value;
};

struct config_health {
	int	 enabled;
	char	*type;		/* "HTTP", "TCP" or "COMMAND" */
	char	*command;	/* COMMAND */
	char	*path;		/* HTTP */
	uint32_t port_index;	/* HTTP/TCP: which of the job's ports */
	double	 delay_s, interval_s, timeout_s, grace_s;
	uint32_t consecutive_failures;
};

struct config_job {
	char		*id;		/* unique, [a-z0-9-]+; task ids start with it */
	enum config_job_kind kind;
	uint32_t	 instances;	/* service only */
	char		*shell;		/* command run by /bin/sh -c, or NULL */
	char		**argv;		/* or argv (NULL-terminated), not both */
	size_t		 nargv;
	struct config_kv *env;		/* environment */
	size_t		 nenv;
	char		*user;		/* NULL: the framework's user */
	double		 cpus, mem, disk, gpus;	/* mem/disk in MiB */
	char		**ports;	/* names of ports to take from the offer; */
	size_t		 nports;	/* exported as PORT_<NAME> and PORT<i> */
	enum config_container container;
	char		*image;		/* MESOS/DOCKER image */
	int		 force_pull;
	char		**uris;		/* to fetch into the sandbox */
	size_t		 nuris;
	struct config_kv *labels;
	size_t		 nlabels;
	struct config_health health;
	double		 kill_grace_s;	/* KillPolicy grace period */
	char		*role;		/* NULL: the framework's first role */
	struct config_constraint *constraints;
	size_t		 nconstraints;
	enum config_restart restart;
	double		 backoff_s;	/* first restart delay */
	double		 backoff_factor;
	double		 backoff_max_s;
	enum config_blacklist_policy blacklist_policy;
	json_t		*json;		/* the job as validated (owned) */
	char		 hash[17];	/* hex digest of the canonical JSON of
					 * what goes into its TaskInfo (not
					 * instances, constraints, restart or
					 * blacklist_policy): a changed hash
					 * means the job must roll */
};

struct config {
	char		*path;		/* the file it was loaded from */

	/* master */
	char		**masters;	/* URLs tried in turn, or one zk:// URL */
	size_t		 nmasters;
	char		*encoding;	/* "protobuf" or "json" */
	char		*ca_file;	/* TLS CA bundle, NULL = system */
	int		 tls_verify;
	char		*cert_file;	/* TLS client certificate, or NULL */
	char		*key_file;	/* its key, mode 0600 */
	double		 heartbeat_misses;	/* act after this many intervals */
	double		 backoff_initial_s, backoff_max_s;	/* resubscribe */
	double		 call_timeout_s;
	uint32_t	 ack_connections;	/* pool for ACKNOWLEDGE/DECLINE */
	uint32_t	 redirect_limit;

	/* framework */
	char		*framework_name;
	char		*user;
	char		**roles;
	size_t		 nroles;
	char		*principal;
	char		*secret_file;	/* HTTP Basic secret, mode 0600 */
	char		*hostname;
	char		*webui_url;
	double		 failover_timeout_s;	/* default one week */
	int		 checkpoint;
	int		 partition_aware;
	struct config_kv *framework_labels;
	size_t		 nframework_labels;

	/* scheduling */
	double		 refuse_seconds;	/* filter on DECLINE */
	double		 revive_debounce_s;
	double		 unreachable_grace_s;	/* before replacing UNREACHABLE */
	double		 launch_timeout_s;	/* no update: reconcile early */
	double		 agents_refresh_s;	/* GET_AGENTS period */
	int		 dry_run;

	/* reconciliation */
	double		 reconcile_initial_s, reconcile_factor, reconcile_max_s;
	double		 reconcile_interval_s;	/* periodic, default 900 */
	uint32_t	 reconcile_batch;
	enum config_unknown_tasks unknown_tasks;

	/* high availability: several arkd instances, one leader */
	char		*ha_zk;		/* zk:// URL of the election; NULL: one
					 * arkd, no election */
	char		*ha_instance_id;	/* NULL: hostname:pid */
	double		 ha_session_timeout_s;	/* ZooKeeper session */

	/* local */
	char		*state_dir;	/* default /var/lib/ark */
	char		*admin_listen;	/* "127.0.0.1:8090"; "" disables */
	char		*admin_token_file;	/* NULL: the API needs no token */
	char		*admin_read_token_file;	/* read-only token, or NULL */
	char		*admin_tls_cert_file;	/* NULL: plain HTTP */
	char		*admin_tls_key_file;
	int		 admin_insecure;	/* beyond loopback without TLS */
	int		 admin_open_metrics;	/* /metrics needs no token */
	char		**admin_redact;		/* env name patterns to hide */
	size_t		 nadmin_redact;
	char		*log_level;
	char		*log_format;

	struct config_job *jobs;
	size_t		 njobs;
	char		 version[17];	/* hash of the whole file */
};

/*
 * Loads and validates the file at path. Returns a config the caller frees
 * with config_free(), or NULL with *cause (caller frees) naming the file,
 * line and field of the first problem.
 */
struct config	*config_load(const char *path, char **cause);
/* The same from a string (tests); name is used in messages. */
struct config	*config_parse(const char *text, const char *name, char **cause);
void		 config_free(struct config *);
/*
 * Checks every file the configuration names (CA bundle, certificates, keys,
 * the framework secret, the admin tokens) as start-up reads it: there, a
 * regular file arkd can read, not empty, holding what it should (PEM, one
 * word), and for a secret or key not open to group or others. Start-up,
 * --check-config and reload run it before anything else. Returns 0, or -1
 * with *cause (caller frees) as "file:line: option: what is wrong".
 */
int		 config_check_files(const struct config *, char **cause);
/* What a redacted value reads as. */
#define CONFIG_REDACTED	"<redacted>"
/* Whether an env name matches one of admin.redact's patterns. */
int		 config_redacted(const struct config *, const char *name);
/*
 * Returns a deep copy of a job's JSON whose env values with redacted names
 * read CONFIG_REDACTED (caller decrefs).
 */
json_t		*config_job_redact(const struct config *, const json_t *job);
const struct config_job *config_job_find(const struct config *, const char *id);
/*
 * Prints every option with its value (and the default, type, unit, help and
 * whether a reload may change it), the fields a job may have ("job_fields")
 * and every job as JSON, env values redacted as admin.redact says. NULL
 * prints the defaults.
 */
char		*config_dump(const struct config *);	/* caller frees */
/*
 * Writes the configuration back as arkd.json text (every option, with its
 * value, and every job as validated) that config_parse accepts and turns
 * into an equal configuration; record files carry it. Caller frees.
 */
char		*config_to_json(const struct config *);
/*
 * Compares two configurations for a reload: NULL if every option that
 * differs may change on reload, else a message naming the options that
 * need a restart (caller frees). Jobs may always change.
 */
char		*config_reload_check(const struct config *old,
		    const struct config *new);
/*
 * Returns the troff text of the option and job field lists of arkd.json(5),
 * generated from the schema tables (caller frees).
 */
char		*config_doc_man(void);

const char	*config_job_kind_name(enum config_job_kind);
const char	*config_restart_name(enum config_restart);
const char	*config_constraint_op_name(enum config_constraint_op);
const char	*config_blacklist_policy_name(enum config_blacklist_policy);
const char	*config_unknown_tasks_name(enum config_unknown_tasks);
const char	*config_container_name(enum config_container);

#endif
