/*
 * check_config — the configuration loader: the example file, every default,
 * one bad snippet per class of error (message, JSON path and line), and the
 * schema table against the example file and arkd.json(5).
 *
 * Run with --write-man FILE to regenerate the generated part of a man page
 * (between the "BEGIN GENERATED" and "END GENERATED" comment lines).
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "config.h"
#include "lib/testutil.h"
#include "xmalloc.h"

#define EXAMPLE		ARK_SRCDIR "/etc/ark/examples/demo.json"
#define INSTALLED	ARK_SRCDIR "/etc/ark/arkd.json"
#define MANPAGE		ARK_SRCDIR "/docs/arkd.json.5"
#define MAN_BEGIN	".\\\" BEGIN GENERATED\n"
#define MAN_END		".\\\" END GENERATED\n"

/* A config with one job whose body is given, one member per line. */
#define JOB(body) "{\n\"jobs\": [\n{\n\"id\": \"a\",\n\"kind\": \"service\",\n" \
	body "\n}\n]\n}\n"
/* A minimal valid job body. */
#define OKJOB "\"command\": \"sleep 1\",\n\"resources\": {\"cpus\": 1, \"mem\": 8}"

/* Reads a whole file (caller frees); fails the test if it cannot. */
static char *
slurp(const char *path)
{
	char *s = tu_read_file(path, NULL);

	ck_assert_msg(s != NULL, "cannot read %s", path);
	return s;
}

/* Parses text, expecting failure with a message containing want. */
static void
expect_error(const char *text, const char *want)
{
	char *cause = NULL;
	struct config *cfg = config_parse(text, "t.json", &cause);

	ck_assert_msg(cfg == NULL, "accepted, expected \"%s\":\n%s", want,
	    text);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, want) != NULL,
	    "got \"%s\", expected \"%s\"", cause, want);
	free(cause);
}

/* Parses text, expecting success. */
static struct config *
expect_ok(const char *text)
{
	char *cause = NULL;
	struct config *cfg = config_parse(text, "t.json", &cause);

	ck_assert_msg(cfg != NULL, "rejected: %s\n%s", cause, text);
	return cfg;
}

START_TEST(test_example_loads)
{
	char *cause = NULL;
	struct config *cfg = config_load(EXAMPLE, &cause);
	const struct config_job *ne, *web;

	ck_assert_msg(cfg != NULL, "%s", cause);
	ck_assert_str_eq(cfg->path, EXAMPLE);
	ck_assert_uint_eq(cfg->nmasters, 1);
	ck_assert_str_eq(cfg->masters[0], "http://127.0.0.1:5050");
	ck_assert_uint_eq(cfg->njobs, 2);
	ne = config_job_find(cfg, "node-exporter");
	web = config_job_find(cfg, "web");
	ck_assert_ptr_nonnull(ne);
	ck_assert_ptr_nonnull(web);
	ck_assert_ptr_null(config_job_find(cfg, "nope"));
	ck_assert_int_eq(ne->kind, JOB_DAEMON);
	ck_assert(fabs(ne->cpus - 0.1) < 1e-9);
	ck_assert(fabs(ne->mem - 32) < 1e-9);
	ck_assert_ptr_nonnull(ne->shell);
	ck_assert_uint_eq(ne->nenv, 1);
	ck_assert_str_eq(ne->env[0].key, "COLLECT_INTERVAL");
	ck_assert_int_eq(web->kind, JOB_SERVICE);
	ck_assert_uint_eq(web->instances, 3);
	ck_assert_uint_eq(web->nports, 1);
	ck_assert_str_eq(web->ports[0], "HTTP");
	ck_assert_ptr_null(web->ports[1]);
	ck_assert(web->health.enabled);
	ck_assert_str_eq(web->health.type, "HTTP");
	ck_assert_str_eq(web->health.path, "/");
	ck_assert_uint_eq(web->nconstraints, 1);
	ck_assert_int_eq(web->constraints[0].op, CONSTRAINT_UNIQUE);
	ck_assert_str_eq(web->constraints[0].field, "hostname");
	ck_assert_int_eq(web->restart, RESTART_ON_FAILURE);
	ck_assert_int_eq(web->blacklist_policy, BLACKLIST_DRAIN);
	ck_assert_uint_eq(strlen(web->hash), 16);
	ck_assert_str_ne(web->hash, ne->hash);
	ck_assert_uint_eq(strlen(cfg->version), 16);
	config_free(cfg);
}
END_TEST

START_TEST(test_defaults)
{
	struct config *cfg = expect_ok("{}");

	ck_assert_uint_eq(cfg->nmasters, 1);
	ck_assert_str_eq(cfg->masters[0], "http://127.0.0.1:5050");
	ck_assert_ptr_null(cfg->masters[1]);
	ck_assert_str_eq(cfg->encoding, "protobuf");
	ck_assert_ptr_null(cfg->ca_file);
	ck_assert_int_eq(cfg->tls_verify, 1);
	ck_assert(cfg->heartbeat_misses == 5);
	ck_assert(cfg->backoff_initial_s == 0.5);
	ck_assert(cfg->backoff_max_s == 15);
	ck_assert(cfg->call_timeout_s == 75);
	ck_assert_uint_eq(cfg->ack_connections, 8);
	ck_assert_uint_eq(cfg->redirect_limit, 5);
	ck_assert_str_eq(cfg->framework_name, "ark");
	ck_assert_str_eq(cfg->user, "nobody");
	ck_assert_uint_eq(cfg->nroles, 1);
	ck_assert_str_eq(cfg->roles[0], "*");
	ck_assert_ptr_null(cfg->principal);
	ck_assert_ptr_null(cfg->secret_file);
	ck_assert_ptr_null(cfg->hostname);
	ck_assert_ptr_null(cfg->webui_url);
	ck_assert(cfg->failover_timeout_s == 604800);
	ck_assert_int_eq(cfg->checkpoint, 1);
	ck_assert_int_eq(cfg->partition_aware, 1);
	ck_assert_uint_eq(cfg->nframework_labels, 0);
	ck_assert(cfg->refuse_seconds == 5);
	ck_assert(cfg->revive_debounce_s == 1);
	ck_assert(cfg->unreachable_grace_s == 300);
	ck_assert(cfg->launch_timeout_s == 60);
	ck_assert(cfg->agents_refresh_s == 60);
	ck_assert_int_eq(cfg->dry_run, 0);
	ck_assert(cfg->reconcile_initial_s == 1);
	ck_assert(cfg->reconcile_factor == 2);
	ck_assert(cfg->reconcile_max_s == 60);
	ck_assert(cfg->reconcile_interval_s == 900);
	ck_assert_uint_eq(cfg->reconcile_batch, 1000);
	ck_assert_int_eq(cfg->unknown_tasks, UNKNOWN_TASKS_KILL);
	ck_assert_str_eq(cfg->state_dir, ARK_LOCALSTATEDIR "/lib/ark");
	ck_assert_str_eq(cfg->admin_listen, "127.0.0.1:8090");
	ck_assert_ptr_null(cfg->admin_token_file);
	ck_assert_str_eq(cfg->log_level, "info");
	ck_assert_str_eq(cfg->log_format, "auto");
	ck_assert_uint_eq(cfg->njobs, 0);
	config_free(cfg);
}
END_TEST

START_TEST(test_job_defaults)
{
	struct config *cfg = expect_ok(JOB(OKJOB));
	const struct config_job *j = &cfg->jobs[0];

	ck_assert_str_eq(j->id, "a");
	ck_assert_uint_eq(j->instances, 1);
	ck_assert_str_eq(j->shell, "sleep 1");
	ck_assert_ptr_null(j->argv);
	ck_assert_ptr_null(j->user);
	ck_assert(j->disk == 0 && j->gpus == 0);
	ck_assert_uint_eq(j->nports, 0);
	ck_assert_int_eq(j->container, CONTAINER_NONE);
	ck_assert_ptr_null(j->image);
	ck_assert_int_eq(j->health.enabled, 0);
	ck_assert(j->kill_grace_s == 5);
	ck_assert_ptr_null(j->role);
	ck_assert_uint_eq(j->nconstraints, 0);
	ck_assert_int_eq(j->restart, RESTART_ALWAYS);
	ck_assert(j->backoff_s == 1 && j->backoff_factor == 2 &&
	    j->backoff_max_s == 300);
	ck_assert_int_eq(j->blacklist_policy, BLACKLIST_KILL);
	ck_assert_ptr_nonnull(j->json);
	config_free(cfg);
}
END_TEST

START_TEST(test_job_full)
{
	struct config *cfg = expect_ok("{\"framework\": {\"roles\": [\"a\", "
	    "\"b\"]}, \"jobs\": [{\"id\": \"x-1\", \"kind\": \"service\", "
	    "\"instances\": 0, \"argv\": [\"/bin/echo\", \"hi\"], "
	    "\"user\": \"www\", \"resources\": {\"cpus\": 2, \"mem\": 1024, "
	    "\"disk\": 10, \"gpus\": 1, \"ports\": [\"HTTP\", \"ADMIN_2\"]}, "
	    "\"container\": {\"type\": \"docker\", \"image\": \"nginx:1\", "
	    "\"force_pull\": true}, \"uris\": [\"http://x/y.tgz\"], "
	    "\"labels\": {\"k\": \"v\"}, \"health_check\": {\"type\": "
	    "\"TCP\", \"port_index\": 1}, \"kill_grace_s\": 0, "
	    "\"role\": \"b\", \"constraints\": [[\"rack\", \"LIKE\", "
	    "\"r[12]\"], [\"zone\", \"MAX_PER\", \"2\"], [\"hostname\", "
	    "\"EQUALS\", \"a\"], [\"x\", \"UNLIKE\", \"re.*\"], "
	    "[\"zone\", \"MAX_PER\", 3]], \"restart\": {\"policy\": "
	    "\"never\", \"backoff_s\": 2, \"factor\": 1.5, \"max_s\": 2}, "
	    "\"blacklist_policy\": \"keep\"}]}");
	const struct config_job *j = &cfg->jobs[0];

	ck_assert_uint_eq(j->instances, 0);
	ck_assert_ptr_null(j->shell);
	ck_assert_uint_eq(j->nargv, 2);
	ck_assert_str_eq(j->argv[0], "/bin/echo");
	ck_assert_ptr_null(j->argv[2]);
	ck_assert_str_eq(j->user, "www");
	ck_assert(j->gpus == 1 && j->disk == 10);
	ck_assert_uint_eq(j->nports, 2);
	ck_assert_int_eq(j->container, CONTAINER_DOCKER);
	ck_assert_str_eq(j->image, "nginx:1");
	ck_assert_int_eq(j->force_pull, 1);
	ck_assert_uint_eq(j->nuris, 1);
	ck_assert_uint_eq(j->nlabels, 1);
	ck_assert(j->health.enabled);
	ck_assert_str_eq(j->health.type, "TCP");
	ck_assert_uint_eq(j->health.port_index, 1);
	ck_assert_ptr_null(j->health.path);
	ck_assert(j->health.delay_s == 15 && j->health.interval_s == 10 &&
	    j->health.timeout_s == 20 && j->health.grace_s == 10);
	ck_assert_uint_eq(j->health.consecutive_failures, 3);
	ck_assert_str_eq(j->role, "b");
	ck_assert_uint_eq(j->nconstraints, 5);
	ck_assert_int_eq(j->constraints[0].op, CONSTRAINT_LIKE);
	/* anchored: the whole value must match */
	ck_assert_int_eq(regexec(&j->constraints[0].re, "r1", 0, NULL, 0), 0);
	ck_assert_int_ne(regexec(&j->constraints[0].re, "r12", 0, NULL, 0),
	    0);
	ck_assert_int_ne(regexec(&j->constraints[0].re, "xr1", 0, NULL, 0),
	    0);
	ck_assert_int_eq(j->constraints[1].op, CONSTRAINT_MAX_PER);
	ck_assert_uint_eq(j->constraints[1].max, 2);
	ck_assert_int_eq(j->constraints[2].op, CONSTRAINT_EQUALS);
	ck_assert_str_eq(j->constraints[2].value, "a");
	ck_assert_int_eq(j->constraints[3].op, CONSTRAINT_UNLIKE);
	ck_assert_uint_eq(j->constraints[4].max, 3);
	ck_assert_int_eq(j->restart, RESTART_NEVER);
	ck_assert(j->backoff_factor == 1.5);
	ck_assert_int_eq(j->blacklist_policy, BLACKLIST_KEEP);
	config_free(cfg);
}
END_TEST

/* One bad input and a piece of the message it must produce. */
struct bad_case {
	const char *text;
	const char *want;
};

static const struct bad_case bad_cases[] = {
	/* syntax: jansson's line and column */
	{ "{\n\"master\": {\n\"encoding\": \"json\",\n}\n}",
	  "t.json:4:1: string or '}' expected near '}'" },
	{ "", "t.json:1:0: '[' or '{' expected near end of file" },
	{ "[1]", "t.json:1: expected a JSON object at the top level, got an "
	  "array" },
	{ "{\"a\": 1} x", "t.json:1:10: end of file expected" },
	/* duplicate keys */
	{ "{\n\"master\": {\n\"encoding\": \"json\",\n\"encoding\": \"json\"\n}}",
	  "t.json:4:" },
	{ "{\"log\": {}, \"log\": {}}", "duplicate object key" },
	/* unknown keys, with a hint */
	{ "{\n\"master\": {\n\"heartbeat_mises\": 3\n}\n}",
	  "t.json:3: master.heartbeat_mises: unknown option (did you mean "
	  "\"heartbeat_misses\"?)" },
	{ "{\"mastr\": {}}", "t.json:1: mastr: unknown option (did you mean "
	  "\"master\"?)" },
	{ "{\"zzz\": 1}", "t.json:1: zzz: unknown option" },
	{ "{\"master.encoding\": \"json\"}", "master.encoding: unknown option" },
	{ JOB(OKJOB ",\n\"resources2\": 1"), "t.json:8: jobs[0].resources2: "
	  "unknown option" },
	{ JOB(OKJOB ",\n\"restart\": {\"polcy\": \"never\"}"),
	  "t.json:8: jobs[0].restart.polcy: unknown option (did you mean "
	  "\"policy\"?)" },
	/* types and nulls */
	{ "{\"master\": 5}", "master: expected an object, got an integer" },
	{ "{\"master\": {\"encoding\": null}}", "master.encoding: expected a "
	  "string, got null" },
	{ "{\"master\": {\"tls_verify\": 1}}", "master.tls_verify: expected "
	  "true or false, got an integer" },
	{ "{\"master\": {\"ack_connections\": 2.5}}", "master.ack_connections: "
	  "expected an integer, got a number" },
	{ "{\"master\": {\"heartbeat_misses\": \"5\"}}",
	  "master.heartbeat_misses: expected a number, got a string" },
	{ "{\"master\": {\"masters\": null}}", "master.masters: expected an "
	  "array of strings, got null" },
	{ "{\"master\": {\"masters\": [\"http://a:1\", 7]}}",
	  "master.masters[1]: expected a string, got an integer" },
	{ "{\"framework\": {\"labels\": {\"a\": 1}}}", "framework.labels.a: "
	  "expected a string, got an integer" },
	{ "{\"framework\": {\"labels\": []}}", "framework.labels: expected an "
	  "object of strings, got an array" },
	{ "{\"scheduling\": {\"dry_run\": null}}", "scheduling.dry_run: "
	  "expected true or false, got null" },
	{ "{\"jobs\": null}", "jobs: expected an array of jobs, got null" },
	{ "{\"jobs\": {}}", "jobs: expected an array of jobs, got an object" },
	{ "{\"jobs\": [\n5]}", "t.json:2: jobs[0]: expected a job object, "
	  "got an integer" },
	{ JOB(OKJOB ",\n\"resources\": null"), "duplicate object key" },
	{ JOB("\"command\": \"x\",\n\"resources\": {\"cpus\": null, \"mem\": 1}"),
	  "t.json:7: jobs[0].resources.cpus: expected a number, got null" },
	/* bounds */
	{ "{\"master\": {\"heartbeat_misses\": 0}}", "t.json:1: "
	  "master.heartbeat_misses: must be >= 1" },
	{ "{\"master\": {\"heartbeat_misses\": 101}}",
	  "master.heartbeat_misses: must be <= 100" },
	{ "{\"master\": {\"backoff_initial_s\": 0}}",
	  "master.backoff_initial_s: must be > 0" },
	{ "{\"master\": {\"ack_connections\": -1}}",
	  "master.ack_connections: must be >= 1" },
	{ "{\"master\": {\"ack_connections\": 99999999999}}",
	  "master.ack_connections: must be <= 64" },
	{ "{\"master\": {\"backoff_initial_s\": 20}}",
	  "master.backoff_max_s: must be >= master.backoff_initial_s (20)" },
	{ "{\"reconciliation\": {\"initial_s\": 100, \"max_s\": 10}}",
	  "reconciliation.max_s: must be >= reconciliation.initial_s" },
	{ "{\"master\": {\"heartbeat_misses\": 1e999}}", "t.json:1:" },
	/* choices and strings */
	{ "{\"master\": {\"encoding\": \"xml\"}}", "master.encoding: \"xml\" "
	  "is not one of protobuf or json" },
	{ "{\"log\": {\"level\": \"loud\"}}", "log.level: \"loud\" is not one "
	  "of error, warn, info or debug" },
	{ "{\"reconciliation\": {\"unknown_tasks\": \"eat\"}}",
	  "reconciliation.unknown_tasks: \"eat\" is not one of kill, adopt or "
	  "ignore" },
	{ "{\"framework\": {\"name\": \"\"}}", "framework.name: must not be "
	  "empty" },
	{ "{\"state_dir\": \"\"}", "state_dir: must not be empty" },
	{ "{\"framework\": {\"principal\": \"\"}}", "framework.principal: "
	  "must not be empty" },
	/* cross checks on options */
	{ "{\"master\": {\"masters\": []}}", "master.masters: must not be "
	  "empty" },
	{ "{\"master\": {\"masters\": [\"ftp://x\"]}}", "master.masters[0]: "
	  "\"ftp://x\" is not an http://, https:// or zk:// URL" },
	{ "{\"master\": {\"masters\": [\"http://\"]}}", "master.masters[0]: "
	  "\"http://\" names no host" },
	{ "{\"master\": {\"masters\": [\"http://a:1/api\"]}}",
	  "without a path" },
	{ "{\"master\": {\"masters\": [\"http://a:1\", \"zk://z:2181/m\"]}}",
	  "master.masters[1]: a zk:// URL must be the only master" },
	{ "{\"master\": {\"masters\": [\"zk://z:2181\"]}}",
	  "needs hosts and a path" },
	{ "{\"master\": {\"masters\": [\"\"]}}", "master.masters[0]: must not "
	  "be empty" },
	{ "{\"framework\": {\"roles\": []}}", "framework.roles: must not be "
	  "empty" },
	{ "{\"framework\": {\"roles\": [\"a\", \"a\"]}}", "framework.roles[1]: "
	  "role \"a\" is listed twice" },
	{ "{\"framework\": {\"roles\": [\"-x\"]}}", "framework.roles[0]: "
	  "\"-x\" is not a valid role" },
	{ "{\"framework\": {\"secret_file\": \"/s\"}}", "framework.secret_file: "
	  "needs framework.principal" },
	{ "{\"admin\": {\"listen\": \"localhost\"}}", "admin.listen: "
	  "\"localhost\" is not host:port" },
	{ "{\"admin\": {\"listen\": \"a:70000\"}}", "admin.listen:" },
	{ "{\"admin\": {\"listen\": \"0.0.0.0:8090\"}}", "admin.listen: "
	  "\"0.0.0.0:8090\" is not a loopback address: set admin.token_file "
	  "and admin.tls_cert_file/tls_key_file (or admin.insecure: true" },
	{ "{\"admin\": {\"listen\": \"10.1.2.3:8090\", \"token_file\": "
	  "\"/t\"}}", "admin.listen: \"10.1.2.3:8090\" is not a loopback "
	  "address: set admin.tls_cert_file/tls_key_file" },
	{ "{\"admin\": {\"listen\": \"[::]:8090\", \"tls_cert_file\": "
	  "\"/c\", \"tls_key_file\": \"/k\"}}", "set admin.token_file (or" },
	{ "{\"admin\": {\"tls_cert_file\": \"/c\"}}", "admin.tls_cert_file: "
	  "needs admin.tls_key_file too" },
	{ "{\"admin\": {\"tls_key_file\": \"/k\"}}", "admin.tls_key_file: "
	  "needs admin.tls_cert_file too" },
	{ "{\"admin\": {\"read_token_file\": \"/r\"}}",
	  "admin.read_token_file: needs admin.token_file" },
	{ "{\"admin\": {\"redact\": [\"\"]}}", "admin.redact[0]:" },
	{ "{\"admin\": {\"redact\": \"*KEY*\"}}", "admin.redact: expected "
	  "an array of strings" },
	{ "{\"master\": {\"cert_file\": \"/c\"}}", "master.cert_file: needs "
	  "master.key_file too" },
	{ "{\"master\": {\"key_file\": \"/k\"}}", "master.key_file: needs "
	  "master.cert_file too" },
	/* jobs: required fields and their lines */
	{ "{\n\"jobs\": [\n{\n\"kind\": \"daemon\"\n}\n]\n}",
	  "t.json:3: jobs[0].id: required" },
	{ "{\"jobs\": [{\"id\": \"a\"}]}", "jobs[0].kind: required" },
	{ JOB("\"resources\": {\"cpus\": 1, \"mem\": 8}"),
	  "t.json:3: jobs[0].command: required (a shell command, or argv)" },
	{ JOB("\"command\": \"x\""), "t.json:3: jobs[0].resources.cpus: "
	  "required" },
	{ JOB("\"command\": \"x\",\n\"resources\": {\n\"cpus\": 1}"),
	  "t.json:7: jobs[0].resources.mem: required" },
	{ JOB("\"command\": \"x\",\n\"resources\": {\n\"cpus\": 0,\n\"mem\": 1}"),
	  "t.json:8: jobs[0].resources.cpus: must be > 0" },
	{ JOB("\"command\": \"x\",\n\"resources\": {\"cpus\": 1, \"mem\": -1}"),
	  "t.json:7: jobs[0].resources.mem: must be > 0" },
	{ JOB(OKJOB ",\n\"resources\": {}"), "duplicate object key" },
	{ "{\"jobs\": [{\"id\": \"a\", \"kind\": \"daemon\", \"command\": \"x\","
	  " \"resources\": {\"cpus\": 1, \"mem\": 8, \"disk\": -1}}]}",
	  "jobs[0].resources.disk: must be >= 0" },
	{ "{\"jobs\": [{\"id\": \"a\", \"kind\": \"daemon\", \"command\": \"x\","
	  " \"resources\": {\"cpus\": 1, \"mem\": 8, \"gpus\": 0.5}}]}",
	  "jobs[0].resources.gpus: must be a whole number" },
	/* jobs: ids */
	{ "{\"jobs\": [{\"id\": \"Web\", \"kind\": \"daemon\"}]}",
	  "jobs[0].id: \"Web\" is not a valid id" },
	{ "{\"jobs\": [{\"id\": \"-a\", \"kind\": \"daemon\"}]}",
	  "jobs[0].id: \"-a\" is not a valid id" },
	{ "{\"jobs\": [{\"id\": \"a_b\", \"kind\": \"daemon\"}]}",
	  "is not a valid id" },
	{ "{\"jobs\": [{\"id\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaa\", \"kind\": \"daemon\"}]}", "is not a valid id" },
	{ "{\"jobs\": [{\"id\": \"\", \"kind\": \"daemon\"}]}",
	  "is not a valid id" },
	{ "{\"jobs\": [\n{\"id\": \"a\", \"kind\": \"daemon\", \"command\": \"x\", "
	  "\"resources\": {\"cpus\": 1, \"mem\": 8}},\n{\"id\": \"a\", \"kind\":"
	  " \"daemon\", \"command\": \"x\", \"resources\": {\"cpus\": 1, "
	  "\"mem\": 8}}]}", "t.json:3: jobs[1].id: \"a\" is already the id of "
	  "jobs[0]" },
	{ "{\"jobs\": [{\"id\": \"a\", \"kind\": \"cron\"}]}",
	  "jobs[0].kind: \"cron\" is not one of daemon or service" },
	/* jobs: command */
	{ JOB(OKJOB ",\n\"argv\": [\"x\"]"), "t.json:8: jobs[0].argv: give "
	  "either command or argv, not both" },
	{ JOB("\"argv\": [],\n\"resources\": {\"cpus\": 1, \"mem\": 8}"),
	  "t.json:6: jobs[0].argv: must not be empty" },
	{ JOB("\"argv\": [\"\"],\n\"resources\": {\"cpus\": 1, \"mem\": 8}"),
	  "jobs[0].argv[0]: must not be empty" },
	{ JOB("\"command\": \"\",\n\"resources\": {\"cpus\": 1, \"mem\": 8}"),
	  "jobs[0].command: must not be empty" },
	{ JOB("\"command\": [\"x\"],\n\"resources\": {\"cpus\": 1, \"mem\": 8}"),
	  "jobs[0].command: expected a string, got an array" },
	{ "{\"jobs\": [{\"id\": \"a\", \"kind\": \"daemon\", \"instances\": 2, "
	  "\"command\": \"x\", \"resources\": {\"cpus\": 1, \"mem\": 8}}]}",
	  "jobs[0].instances: only for service jobs" },
	{ JOB(OKJOB ",\n\"instances\": -1"), "jobs[0].instances: must be >= 0" },
	{ JOB(OKJOB ",\n\"instances\": 1000000"),
	  "jobs[0].instances: must be <= 100000" },
	/* jobs: env, ports, container, health, role */
	{ JOB(OKJOB ",\n\"env\": {\"A B\": \"x\"}"), "t.json:8: "
	  "jobs[0].env.A B: not a valid environment variable name" },
	{ JOB(OKJOB ",\n\"env\": {\"A\": 1}"), "jobs[0].env.A: expected a "
	  "string, got an integer" },
	{ JOB("\"command\": \"x\",\n\"resources\": {\"cpus\": 1, \"mem\": 8, "
	  "\"ports\": [\"http\"]}"), "jobs[0].resources.ports[0]: \"http\" is "
	  "not a port name" },
	{ JOB("\"command\": \"x\",\n\"resources\": {\"cpus\": 1, \"mem\": 8, "
	  "\"ports\": [\"A\", \"A\"]}"), "jobs[0].resources.ports[1]: port "
	  "\"A\" is named twice" },
	{ JOB(OKJOB ",\n\"container\": {\"type\": \"docker\"}"),
	  "t.json:8: jobs[0].container.image: required for a docker container" },
	{ JOB(OKJOB ",\n\"container\": {\"image\": \"x\"}"),
	  "jobs[0].container.type: an image needs a container type" },
	{ JOB(OKJOB ",\n\"container\": {\"type\": \"lxc\"}"),
	  "jobs[0].container.type: \"lxc\" is not one of none, mesos or docker" },
	{ JOB(OKJOB ",\n\"container\": \"docker\""),
	  "jobs[0].container: expected an object, got a string" },
	{ JOB(OKJOB ",\n\"health_check\": {}"),
	  "t.json:8: jobs[0].health_check.type: required" },
	{ JOB(OKJOB ",\n\"health_check\": {\"type\": \"HTTP\"}"),
	  "jobs[0].health_check.port_index: HTTP check of port 0, but the job "
	  "has 0 ports" },
	{ JOB(OKJOB ",\n\"health_check\": {\"type\": \"COMMAND\"}"),
	  "jobs[0].health_check.command: required for a COMMAND check" },
	{ JOB(OKJOB ",\n\"health_check\": {\"type\": \"TCP\", \"path\": \"/\"}"),
	  "jobs[0].health_check.path: only for HTTP checks" },
	{ JOB(OKJOB ",\n\"health_check\": {\"type\": \"http\"}"),
	  "jobs[0].health_check.type: \"http\" is not one of HTTP, TCP or "
	  "COMMAND" },
	{ JOB(OKJOB ",\n\"role\": \"prod\""), "t.json:8: jobs[0].role: "
	  "\"prod\" is not one of framework.roles" },
	{ JOB(OKJOB ",\n\"restart\": {\"policy\": \"sometimes\"}"),
	  "jobs[0].restart.policy: \"sometimes\" is not one of always, "
	  "on-failure or never" },
	{ JOB(OKJOB ",\n\"restart\": {\"backoff_s\": 10, \"max_s\": 5}"),
	  "jobs[0].restart.max_s: must be >= restart.backoff_s (10)" },
	{ JOB(OKJOB ",\n\"restart\": {\"factor\": 0.5}"),
	  "jobs[0].restart.factor: must be >= 1" },
	{ JOB(OKJOB ",\n\"blacklist_policy\": \"evict\""),
	  "jobs[0].blacklist_policy: \"evict\" is not one of kill, drain or "
	  "keep" },
	{ JOB(OKJOB ",\n\"uris\": [\"\"]"), "jobs[0].uris[0]: must not be "
	  "empty" },
	/* jobs: constraints */
	{ JOB(OKJOB ",\n\"constraints\": {}"), "jobs[0].constraints: expected "
	  "an array" },
	{ JOB(OKJOB ",\n\"constraints\": [\n[\"hostname\"]]"),
	  "t.json:9: jobs[0].constraints[0]: expected [field, operator] or "
	  "[field, operator, value]" },
	{ JOB(OKJOB ",\n\"constraints\": [[\"hostname\", \"CLUSTER\", \"a\"]]"),
	  "jobs[0].constraints[0][1]: unknown operator \"CLUSTER\"" },
	{ JOB(OKJOB ",\n\"constraints\": [[\"hostname\", 3]]"),
	  "jobs[0].constraints[0][1]: unknown operator an integer" },
	{ JOB(OKJOB ",\n\"constraints\": [[\"\", \"UNIQUE\"]]"),
	  "jobs[0].constraints[0][0]: expected a field name" },
	{ JOB(OKJOB ",\n\"constraints\": [[\"hostname\", \"UNIQUE\", \"x\"]]"),
	  "jobs[0].constraints[0][2]: UNIQUE takes no value" },
	{ JOB(OKJOB ",\n\"constraints\": [[\"hostname\", \"EQUALS\"]]"),
	  "jobs[0].constraints[0]: EQUALS needs a value" },
	{ JOB(OKJOB ",\n\"constraints\": [[\"zone\", \"MAX_PER\", \"0\"]]"),
	  "jobs[0].constraints[0][2]: MAX_PER needs a positive integer" },
	{ JOB(OKJOB ",\n\"constraints\": [[\"zone\", \"MAX_PER\", \"2x\"]]"),
	  "MAX_PER needs a positive integer" },
	{ JOB(OKJOB ",\n\"constraints\": [[\"zone\", \"MAX_PER\", \"-2\"]]"),
	  "MAX_PER needs a positive integer" },
	{ JOB(OKJOB ",\n\"constraints\": [[\"zone\", \"EQUALS\", 2]]"),
	  "jobs[0].constraints[0][2]: expected a string, got an integer" },
	{ JOB(OKJOB ",\n\"constraints\": [\n[\"hostname\", \"UNIQUE\"],\n"
	  "[\"rack\", \"LIKE\", \"r[12\"]]"), "t.json:10: "
	  "jobs[0].constraints[1][2]: bad regular expression \"r[12\": " },
	{ JOB(OKJOB ",\n\"constraints\": [[\"rack\", \"LIKE\", "
	  "\"(a{100}){100}\"]]"), "jobs[0].constraints[0][2]: regular "
	  "expression \"(a{100}){100}\" is too big" },
	{ JOB(OKJOB ",\n\"constraints\": [[\"rack\", \"LIKE\", "
	  "\"r{2,5000}\"]]"), "is too big" },
	{ JOB(OKJOB ",\n\"constraints\": [[\"rack\", \"UNLIKE\", \"(a\"]]"),
	  "jobs[0].constraints[0][2]: bad regular expression \"(a\"" },
};

START_TEST(test_bad)
{
	expect_error(bad_cases[_i].text, bad_cases[_i].want);
}
END_TEST

START_TEST(test_load_errors)
{
	char path[] = "/tmp/check_config.XXXXXX";
	char *cause = NULL;
	int fd;

	ck_assert_ptr_null(config_load("/nonexistent/arkd.json", &cause));
	ck_assert_str_eq(cause, "/nonexistent/arkd.json: No such file or "
	    "directory");
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(config_load("/tmp", &cause));
	ck_assert_str_eq(cause, "/tmp: not a regular file");
	free(cause);
	cause = NULL;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "{\n\n \0}", 6), 6);
	close(fd);
	ck_assert_ptr_null(config_load(path, &cause));
	ck_assert_msg(strstr(cause, ":3: the file contains a NUL byte") !=
	    NULL, "%s", cause);
	free(cause);
	cause = NULL;

	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "{\"log\": {\n\"level\": 3}}", 22), 22);
	close(fd);
	ck_assert_ptr_null(config_load(path, &cause));
	ck_assert_msg(strncmp(cause, path, strlen(path)) == 0 &&
	    strstr(cause, ":2: log.level: expected a string, got an integer")
	    != NULL, "%s", cause);
	free(cause);
	unlink(path);
}
END_TEST

START_TEST(test_nullable)
{
	struct config *cfg = expect_ok("{\"master\": {\"ca_file\": null}, "
	    "\"framework\": {\"principal\": \"p\", \"secret_file\": \"/s\", "
	    "\"hostname\": null}, \"admin\": {\"token_file\": null, "
	    "\"listen\": \"\"}, \"jobs\": [{\"id\": \"a\", \"kind\": \"daemon\","
	    " \"command\": \"x\", \"user\": null, \"role\": null, \"resources\":"
	    " {\"cpus\": 1, \"mem\": 1}, \"container\": {\"image\": null}}]}");

	ck_assert_ptr_null(cfg->ca_file);
	ck_assert_ptr_null(cfg->hostname);
	ck_assert_str_eq(cfg->principal, "p");
	ck_assert_str_eq(cfg->admin_listen, "");
	ck_assert_ptr_null(cfg->jobs[0].user);
	ck_assert_ptr_null(cfg->jobs[0].role);
	config_free(cfg);
	cfg = expect_ok("{\"admin\": {\"listen\": \"0.0.0.0:0\", "
	    "\"token_file\": \"/etc/ark/token\", \"tls_cert_file\": \"/c\", "
	    "\"tls_key_file\": \"/k\"}, \"jobs\": [{\"id\": \"a\","
	    " \"kind\": \"daemon\", \"command\": \"x\", \"resources\": "
	    "{\"cpus\": 1, \"mem\": 1}, \"constraints\": [[\"rack\", "
	    "\"LIKE\", \"r[0-9]{1,3}\"]]}]}");
	config_free(cfg);
	cfg = expect_ok("{\"admin\": {\"listen\": \"[::1]:8090\"}}");
	config_free(cfg);
	/* explicitly open beyond loopback */
	cfg = expect_ok("{\"admin\": {\"listen\": \"0.0.0.0:8090\", "
	    "\"insecure\": true}}");
	ck_assert_int_eq(cfg->admin_insecure, 1);
	config_free(cfg);
}
END_TEST

/* Writes text to dir/name with mode; returns the path (caller frees). */
static char *
put_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

/* Copies tests/tls/name to dir with mode; returns the path (caller frees). */
static char *
put_tls(const char *dir, const char *name, mode_t mode)
{
	char *src = xasprintf("%s/tests/tls/%s", ARK_SRCDIR, name);
	char *text = slurp(src), *path = put_file(dir, name, text, mode);

	free(text);
	free(src);
	return path;
}

/*
 * config_check_files refuses what start-up would: each case names the file
 * option, the file and why, at the line of the option.
 */
START_TEST(test_check_files)
{
	char dir[] = "/tmp/check_config_files.XXXXXX";
	char *tok, *secret, *cert, *key, *cfgpath, *text, *cause = NULL;
	struct config *cfg;
	static const struct {
		const char *opt;	/* "section.option" */
		const char *file;	/* the file in dir it names */
		const char *want;	/* in the message */
	} cases[] = {
		{ "admin.token_file", "token-0644", "mode 0644 lets group or "
		  "others in; make it 0600 (chmod 600 " },
		{ "admin.token_file", "token-0640", "mode 0640" },
		{ "admin.token_file", "absent", "No such file or directory" },
		{ "admin.token_file", "dir", "not a regular file" },
		{ "admin.token_file", "empty", "empty" },
		{ "admin.token_file", "two-words", "one word" },
		{ "admin.read_token_file", "token-0644", "mode 0644" },
		{ "framework.secret_file", "token-0644", "mode 0644" },
		{ "framework.secret_file", "absent", "No such file" },
		{ "admin.tls_key_file", "client-key.pem", "mode 0644" },
		{ "admin.tls_key_file", "cert-0600.pem", "no PEM private key" },
		{ "admin.tls_cert_file", "server-key.pem", "no PEM certificate" },
		{ "admin.tls_cert_file", "absent", "No such file" },
		{ "master.key_file", "client-key.pem", "mode 0644" },
		{ "master.cert_file", "empty", "no PEM certificate" },
		{ "master.ca_file", "absent", "No such file" },
	};

	ck_assert_ptr_nonnull(mkdtemp(dir));
	tok = put_file(dir, "token", "tk\n", 0600);
	secret = put_file(dir, "secret", "s3cret\n", 0400);
	cert = put_tls(dir, "server.pem", 0644);	/* certs may be public */
	key = put_tls(dir, "server-key.pem", 0600);
	free(put_file(dir, "token-0644", "tk\n", 0644));
	free(put_file(dir, "token-0640", "tk\n", 0640));
	free(put_file(dir, "empty", "", 0600));
	free(put_file(dir, "two-words", "t k\n", 0600));
	free(put_tls(dir, "client-key.pem", 0644));
	{
		char *c = slurp(cert);

		free(put_file(dir, "cert-0600.pem", c, 0600));
		free(c);
	}
	{
		char *d = xasprintf("%s/dir", dir);

		ck_assert_int_eq(mkdir(d, 0700), 0);
		free(d);
	}
	/* every file good */
	text = xasprintf("{\n\"master\": {\"ca_file\": \"%s\",\n"
	    "\"cert_file\": \"%s\",\n\"key_file\": \"%s\"},\n"
	    "\"framework\": {\"principal\": \"p\",\n\"secret_file\": \"%s\"},"
	    "\n\"admin\": {\"token_file\": \"%s\",\n\"read_token_file\": "
	    "\"%s\",\n\"tls_cert_file\": \"%s\",\n\"tls_key_file\": \"%s\"}"
	    "\n}\n", cert, cert, key, secret, tok, tok, cert, key);
	cfgpath = put_file(dir, "arkd.json", text, 0644);
	free(text);
	cfg = config_load(cfgpath, &cause);
	ck_assert_msg(cfg != NULL, "%s", cause);
	ck_assert_msg(config_check_files(cfg, &cause) == 0, "%s", cause);
	config_free(cfg);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *opt = strchr(cases[i].opt, '.') + 1;
		char *bad = xasprintf("%s/%s", dir, cases[i].file);
		char *want, *sec = xstrndup(cases[i].opt,
		    (size_t)(opt - 1 - cases[i].opt));
		json_error_t err;
		json_t *j = json_load_file(cfgpath, 0, &err);

		ck_assert_ptr_nonnull(j);
		json_object_set_new(json_object_get(j, sec), opt,
		    json_string(bad));
		ck_assert_int_eq(json_dump_file(j, cfgpath, JSON_INDENT(1)), 0);
		json_decref(j);
		cfg = config_load(cfgpath, &cause);
		ck_assert_msg(cfg != NULL, "%s: %s", cases[i].opt, cause);
		ck_assert_int_eq(config_check_files(cfg, &cause), -1);
		/* "file:line: option: path: why", the line the option's */
		text = slurp(cfgpath);
		{
			int line = 1;
			char *at = strstr(text, opt);

			ck_assert_ptr_nonnull(at);
			for (char *p = text; p < at; p++)
				line += *p == '\n';
			want = xasprintf("%s:%d: %s: %s: ", cfgpath, line,
			    cases[i].opt, bad);
		}
		ck_assert_msg(strncmp(cause, want, strlen(want)) == 0,
		    "%s: \"%s\" does not start \"%s\"", cases[i].opt, cause,
		    want);
		ck_assert_msg(strstr(cause, cases[i].want) != NULL,
		    "%s: \"%s\" lacks \"%s\"", cases[i].opt, cause,
		    cases[i].want);
		free(cause);
		cause = NULL;
		free(want);
		free(text);
		config_free(cfg);
		/* put the good file back */
		j = json_load_file(cfgpath, 0, &err);
		json_object_set_new(json_object_get(j, sec), opt, json_string(
		    !strcmp(sec, "framework") ? secret : strstr(opt, "token") ?
		    tok : strstr(opt, "key") ? key : cert));
		ck_assert_int_eq(json_dump_file(j, cfgpath, JSON_INDENT(1)), 0);
		json_decref(j);
		free(bad);
		free(sec);
	}
	free(tok);
	free(secret);
	free(cert);
	free(key);
	free(cfgpath);
	text = xasprintf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(text), 0);
	free(text);
}
END_TEST

/* env values with secret-looking names are hidden in dumps and answers. */
START_TEST(test_redact)
{
	struct config *cfg = expect_ok("{\"jobs\": [{\"id\": \"a\", \"kind\": "
	    "\"daemon\", \"command\": \"x\", \"resources\": {\"cpus\": 1, "
	    "\"mem\": 1}, \"env\": {\"DB_PASSWORD\": \"hunter2\", "
	    "\"api_key\": \"k-123\", \"GITHUB_TOKEN\": \"ghp\", "
	    "\"client_secret\": \"cs\", \"MODE\": \"fast\"}}]}");
	struct config *none = expect_ok("{\"admin\": {\"redact\": []}}");
	struct config *own = expect_ok("{\"admin\": {\"redact\": "
	    "[\"mode\", \"DB_*\"]}}");
	json_t *r, *env, *d;
	char *dump;

	ck_assert(config_redacted(cfg, "DB_PASSWORD"));
	ck_assert(config_redacted(cfg, "db_password"));
	ck_assert(config_redacted(cfg, "Api_Key"));
	ck_assert(config_redacted(cfg, "SECRET"));
	ck_assert(!config_redacted(cfg, "MODE"));
	ck_assert(!config_redacted(cfg, "PASS"));
	ck_assert(!config_redacted(none, "DB_PASSWORD"));
	ck_assert(config_redacted(own, "MODE"));
	ck_assert(config_redacted(own, "db_host"));
	ck_assert(!config_redacted(own, "API_KEY"));
	r = config_job_redact(cfg, cfg->jobs[0].json);
	env = json_object_get(r, "env");
	ck_assert_str_eq(json_string_value(json_object_get(env,
	    "DB_PASSWORD")), CONFIG_REDACTED);
	ck_assert_str_eq(json_string_value(json_object_get(env, "api_key")),
	    CONFIG_REDACTED);
	ck_assert_str_eq(json_string_value(json_object_get(env,
	    "GITHUB_TOKEN")), CONFIG_REDACTED);
	ck_assert_str_eq(json_string_value(json_object_get(env,
	    "client_secret")), CONFIG_REDACTED);
	ck_assert_str_eq(json_string_value(json_object_get(env, "MODE")),
	    "fast");
	json_decref(r);
	/* the job itself keeps the values: tasks need them */
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    cfg->jobs[0].json, "env"), "DB_PASSWORD")), "hunter2");
	ck_assert_str_eq(cfg->jobs[0].env[0].value, "hunter2");
	/* --dump-config prints no secret */
	dump = config_dump(cfg);
	ck_assert_msg(strstr(dump, "hunter2") == NULL && strstr(dump, "k-123")
	    == NULL && strstr(dump, "\"ghp\"") == NULL, "%s", dump);
	d = json_loads(dump, 0, NULL);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(json_array_get(json_object_get(d, "jobs"), 0),
	    "job"), "env"), "MODE")), "fast");
	json_decref(d);
	free(dump);
	config_free(cfg);
	config_free(none);
	config_free(own);
}
END_TEST

/* The hash of a job's TaskInfo-relevant JSON and the file's version. */
START_TEST(test_hash)
{
	struct config *a = expect_ok(JOB(OKJOB));
	struct config *b = expect_ok("{\"jobs\":[{\"resources\":{\"mem\":8,"
	    "\"cpus\":1},\"kind\":\"service\",\"command\":\"sleep 1\","
	    "\"id\":\"a\"}]}");
	struct config *c = expect_ok(JOB(OKJOB ",\n\"instances\": 7,\n"
	    "\"constraints\": [[\"hostname\", \"UNIQUE\"]],\n\"restart\": "
	    "{\"policy\": \"never\"},\n\"blacklist_policy\": \"keep\""));
	struct config *d = expect_ok(JOB("\"command\": \"sleep 2\",\n"
	    "\"resources\": {\"cpus\": 1, \"mem\": 8}"));
	struct config *e = expect_ok(JOB(OKJOB ",\n\"env\": {\"X\": \"1\"}"));

	/* key order and whitespace do not matter */
	ck_assert_str_eq(a->jobs[0].hash, b->jobs[0].hash);
	ck_assert_str_eq(a->version, b->version);
	/* scaling, placement and restart changes do not roll tasks */
	ck_assert_str_eq(a->jobs[0].hash, c->jobs[0].hash);
	ck_assert_str_ne(a->version, c->version);
	/* what goes into the TaskInfo does */
	ck_assert_str_ne(a->jobs[0].hash, d->jobs[0].hash);
	ck_assert_str_ne(a->jobs[0].hash, e->jobs[0].hash);
	config_free(a);
	config_free(b);
	config_free(c);
	config_free(d);
	config_free(e);
}
END_TEST

START_TEST(test_dump)
{
	struct config *cfg = expect_ok("{\"master\": {\"heartbeat_misses\": 7},"
	    "\"framework\": {\"labels\": {\"x\": \"y\"}}}");
	char *s = config_dump(cfg), *d = config_dump(NULL);
	json_t *j = json_loads(s, 0, NULL), *dj = json_loads(d, 0, NULL);
	json_t *o;

	ck_assert_ptr_nonnull(j);
	ck_assert_ptr_nonnull(dj);
	o = json_object_get(json_object_get(j, "options"),
	    "master.heartbeat_misses");
	ck_assert_ptr_nonnull(o);
	ck_assert(json_number_value(json_object_get(o, "value")) == 7);
	ck_assert(json_number_value(json_object_get(o, "default")) == 5);
	ck_assert_str_eq(json_string_value(json_object_get(o, "unit")),
	    "heartbeats");
	ck_assert(json_is_true(json_object_get(o, "reloadable")));
	ck_assert_ptr_nonnull(json_string_value(json_object_get(o, "help")));
	o = json_object_get(json_object_get(j, "options"), "framework.labels");
	ck_assert_str_eq(json_string_value(json_object_get(
	    json_object_get(o, "value"), "x")), "y");
	o = json_object_get(json_object_get(j, "options"), "state_dir");
	ck_assert(json_is_false(json_object_get(o, "reloadable")));
	ck_assert_str_eq(json_string_value(json_object_get(o, "type")),
	    "a string");
	/* the fields of a job, which scripts/check-docs checks the docs by */
	o = json_object_get(json_object_get(j, "job_fields"),
	    "resources.cpus");
	ck_assert_str_eq(json_string_value(json_object_get(o, "unit")),
	    "cpus");
	ck_assert_ptr_nonnull(json_string_value(json_object_get(o, "help")));
	o = json_object_get(json_object_get(j, "job_fields"), "id");
	ck_assert(json_is_true(json_object_get(o, "required")));
	o = json_object_get(json_object_get(j, "job_fields"), "instances");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "default")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(j, "version")),
	    cfg->version);
	/* the defaults alone: value == default everywhere */
	o = json_object_get(dj, "options");
	ck_assert_uint_gt(json_object_size(o), 30);
	{
		const char *k;
		json_t *v;

		json_object_foreach(o, k, v)
			ck_assert_msg(json_equal(json_object_get(v, "value"),
			    json_object_get(v, "default")), "%s", k);
	}
	json_decref(j);
	json_decref(dj);
	free(s);
	free(d);
	config_free(cfg);
}
END_TEST

START_TEST(test_reload_check)
{
	struct config *a = expect_ok("{}");
	struct config *b = expect_ok("{\"log\": {\"level\": \"debug\"}, "
	    "\"scheduling\": {\"refuse_seconds\": 30}, \"jobs\": [{\"id\": "
	    "\"a\", \"kind\": \"daemon\", \"command\": \"x\", \"resources\": "
	    "{\"cpus\": 1, \"mem\": 1}}]}");
	struct config *c = expect_ok("{\"state_dir\": \"/tmp/x\", "
	    "\"framework\": {\"user\": \"root\"}}");
	char *why;

	ck_assert_ptr_null(config_reload_check(a, b));
	ck_assert_ptr_null(config_reload_check(a, a));
	why = config_reload_check(a, c);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, "framework.user") != NULL &&
	    strstr(why, "state_dir") != NULL &&
	    strstr(why, "log.level") == NULL, "%s", why);
	free(why);
	config_free(a);
	config_free(b);
	config_free(c);
}
END_TEST

/* config_to_json writes what config_parse reads back unchanged. */
START_TEST(test_to_json)
{
	char *cause = NULL;
	struct config *a = config_load(EXAMPLE, &cause), *b;
	char *text, *da, *db;
	json_t *ja, *jb;

	ck_assert_msg(a != NULL, "%s", cause);
	text = config_to_json(a);
	b = config_parse(text, "copy", &cause);
	ck_assert_msg(b != NULL, "%s\n%s", cause, text);
	da = config_dump(a);
	db = config_dump(b);
	ja = json_loads(da, 0, NULL);
	jb = json_loads(db, 0, NULL);
	ck_assert(json_equal(json_object_get(ja, "options"),
	    json_object_get(jb, "options")));
	ck_assert(json_equal(json_object_get(ja, "jobs"),
	    json_object_get(jb, "jobs")));
	ck_assert_uint_eq(b->njobs, a->njobs);
	ck_assert_str_eq(b->jobs[1].hash, a->jobs[1].hash);
	json_decref(ja);
	json_decref(jb);
	free(da);
	free(db);
	free(text);
	config_free(a);
	config_free(b);
}
END_TEST

/* Fails unless every option in the schema appears in the file at path. */
static void
assert_complete(const char *path)
{
	char *d = config_dump(NULL);
	json_t *dj = json_loads(d, 0, NULL), *ex, *v;
	json_error_t err;
	const char *k;

	ex = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	ck_assert_msg(ex != NULL, "%s", err.text);
	json_object_foreach(json_object_get(dj, "options"), k, v) {
		char *copy = xstrdup(k), *p = copy, *dot;
		json_t *at = ex;

		while (at != NULL) {
			dot = strchr(p, '.');
			if (dot != NULL)
				*dot = '\0';
			at = json_object_get(at, p);
			if (dot == NULL)
				break;
			p = dot + 1;
		}
		ck_assert_msg(at != NULL, "%s is missing from %s", k, path);
		free(copy);
	}
	json_decref(ex);
	json_decref(dj);
	free(d);
}

/* Every option in the schema appears in the shipped files. */
START_TEST(test_example_complete)
{
	assert_complete(EXAMPLE);
	assert_complete(INSTALLED);
}
END_TEST

/*
 * The file make install puts in /etc/ark runs no job: every option is at
 * its default, as `arkd --dump-config --format json` prints them.
 */
START_TEST(test_installed_config)
{
	char *cause = NULL, *a, *b;
	struct config *cfg = config_load(INSTALLED, &cause);
	struct config *def = config_parse("{}", "defaults", &cause);
	json_t *ja, *jb;

	ck_assert_msg(cfg != NULL, "%s", cause);
	ck_assert_ptr_nonnull(def);
	ck_assert_uint_eq(cfg->njobs, 0);
	a = config_dump(cfg);
	b = config_dump(def);
	ja = json_loads(a, 0, NULL);
	jb = json_loads(b, 0, NULL);
	ck_assert(json_equal(json_object_get(ja, "options"),
	    json_object_get(jb, "options")));
	json_decref(ja);
	json_decref(jb);
	free(a);
	free(b);
	config_free(cfg);
	config_free(def);
}
END_TEST

/*
 * config_to_json writes whole numbers as integers and other reals with as
 * few digits as read back the same double.
 */
START_TEST(test_to_json_numbers)
{
	struct config *a = expect_ok("{\"master\": {\"backoff_initial_s\":"
	    " 0.1}, \"scheduling\": {\"refuse_seconds\": 1e3}, \"jobs\": "
	    "[{\"id\": \"a\", \"kind\": \"daemon\", \"command\": \"x\","
	    " \"resources\": {\"cpus\": 0.30000000000000004, \"mem\": "
	    "67108864}}]}"), *b;
	char *text = config_to_json(a), *cause = NULL;

	ck_assert_msg(strstr(text, "\"heartbeat_misses\": 5,") != NULL &&
	    strstr(text, "\"refuse_seconds\": 1000,") != NULL &&
	    strstr(text, "\"mem\": 67108864") != NULL &&
	    strstr(text, "e+") == NULL && strstr(text, ".0,") == NULL, "%s",
	    text);
	/* 0.30000000000000004 needs 17 digits, so the whole text has them */
	ck_assert_msg(strstr(text, "0.30000000000000004") != NULL, "%s", text);
	b = config_parse(text, "copy", &cause);
	ck_assert_msg(b != NULL, "%s", cause);
	ck_assert(b->backoff_initial_s == 0.1);
	ck_assert(b->jobs[0].cpus == 0.30000000000000004);
	ck_assert_str_eq(b->jobs[0].hash, a->jobs[0].hash);
	config_free(b);
	free(text);
	config_free(a);
	/* without such a value, 0.1 is written as 0.1 */
	a = expect_ok("{\"master\": {\"backoff_initial_s\": 0.1}}");
	text = config_to_json(a);
	ck_assert_msg(strstr(text, "\"backoff_initial_s\": 0.1,") != NULL,
	    "%s", text);
	free(text);
	config_free(a);
}
END_TEST

/* The generated option list prints bounds in full and one top level. */
START_TEST(test_man_format)
{
	char *gen = config_doc_man(), *p = gen;
	int top = 0;

	ck_assert_msg(strstr(gen, "e+") == NULL, "a bound in e notation");
	ck_assert_ptr_nonnull(strstr(gen, "up to 67108864, in MiB"));
	while ((p = strstr(p, ".SS Top level\n")) != NULL) {
		top++;
		p++;
	}
	ck_assert_int_eq(top, 1);
	free(gen);
}
END_TEST

/* The generated part of arkd.json(5) matches the schema. */
START_TEST(test_man_page)
{
	char *man = slurp(MANPAGE), *gen = config_doc_man();
	char *begin = strstr(man, MAN_BEGIN), *end = strstr(man, MAN_END);

	ck_assert_ptr_nonnull(begin);
	ck_assert_ptr_nonnull(end);
	begin += strlen(MAN_BEGIN);
	ck_assert_msg((size_t)(end - begin) == strlen(gen) &&
	    memcmp(begin, gen, strlen(gen)) == 0, "%s is out of date: run "
	    "build/tests/check_config --write-man docs/arkd.json.5", MANPAGE);
	free(man);
	free(gen);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(config_job_kind_name(JOB_SERVICE), "service");
	ck_assert_str_eq(config_restart_name(RESTART_ON_FAILURE), "on-failure");
	ck_assert_str_eq(config_constraint_op_name(CONSTRAINT_MAX_PER),
	    "MAX_PER");
	ck_assert_str_eq(config_blacklist_policy_name(BLACKLIST_DRAIN),
	    "drain");
	ck_assert_str_eq(config_unknown_tasks_name(UNKNOWN_TASKS_ADOPT),
	    "adopt");
	ck_assert_str_eq(config_container_name(CONTAINER_DOCKER), "docker");
	ck_assert_str_eq(config_job_kind_name(JOB_KIND_MAX), "?");
}
END_TEST

/* Rewrites the generated part of a man page from the schema. */
static int
write_man(const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[1 << 16], *begin, *end, *gen;
	size_t n;

	if (f == NULL) {
		perror(path);
		return 1;
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	begin = strstr(buf, MAN_BEGIN);
	end = strstr(buf, MAN_END);
	if (begin == NULL || end == NULL || end < begin) {
		fprintf(stderr, "%s: no generated part\n", path);
		return 1;
	}
	begin += strlen(MAN_BEGIN);
	gen = config_doc_man();
	f = fopen(path, "wb");
	if (f == NULL) {
		perror(path);
		return 1;
	}
	fwrite(buf, 1, (size_t)(begin - buf), f);
	fputs(gen, f);
	fputs(end, f);
	fclose(f);
	free(gen);
	return 0;
}

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, test_example_loads);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_job_defaults);
	tcase_add_test(tc, test_job_full);
	tcase_add_test(tc, test_nullable);
	tcase_add_test(tc, test_check_files);
	tcase_add_test(tc, test_redact);
	tcase_add_test(tc, test_load_errors);
	tcase_add_test(tc, test_hash);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_bad, 0,
	    (int)(sizeof bad_cases / sizeof bad_cases[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("schema");
	tcase_add_test(tc, test_dump);
	tcase_add_test(tc, test_reload_check);
	tcase_add_test(tc, test_to_json);
	tcase_add_test(tc, test_example_complete);
	tcase_add_test(tc, test_installed_config);
	tcase_add_test(tc, test_to_json_numbers);
	tcase_add_test(tc, test_man_format);
	tcase_add_test(tc, test_man_page);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	if (argc == 3 && strcmp(argv[1], "--write-man") == 0)
		return write_man(argv[2]);
	sr = srunner_create(config_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
