/*
 * arkd — the daemon's main: command line, start-up checks, and wiring of the
 * store, the core, the master connection and the admin API around one libev
 * loop. Also the offline modes: --check-config, --check-store,
 * --dump-config and replay.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <ev.h>

#include "admin.h"
#include "config.h"
#include "dispatch.h"
#include "leader.h"
#include "log.h"
#include "master-zk.h"
#include "master.h"
#include "msg.h"
#include "record.h"
#include "sched.h"
#include "store.h"
#include "xmalloc.h"

/* Exit codes, documented in arkd(8). */
#define ARKD_EXIT_OK		0
#define ARKD_EXIT_ERROR		1
#define ARKD_EXIT_USAGE		2
#define ARKD_EXIT_REMOVED	3	/* from the core: the master removed us */
#define ARKD_EXIT_AUTH		4	/* from the core: credentials refused */

struct arkd_overrides {
	const char	*master;	/* --master URL */
	const char	*state_dir;	/* --state-dir DIR */
	const char	*admin_listen;	/* --admin-listen ADDR */
	const char	*admin_port_file; /* --admin-port-file FILE */
	const char	*log_level;
	const char	*log_format;
	int		 dry_run;
};

static void
arkd_usage(FILE *f)
{
	fprintf(f,
"usage: arkd [options]\n"
"       arkd replay FILE [--config FILE]\n"
"\n"
"Keeps the tasks that its configuration asks for running on a Mesos cluster.\n"
"\n"
"  -c, --config FILE        configuration file (default %s/ark/arkd.json)\n"
"      --check-config FILE  validate a configuration file and exit\n"
"      --check-store DIR    verify a state directory's store and exit\n"
"      --dump-config        print every option with its value and exit\n"
"      --format FMT         with --dump-config: options (values, defaults,\n"
"                           help) or json (a complete arkd.json)\n"
"      --master URL         override the configured master list\n"
"      --state-dir DIR      override the configured state directory\n"
"      --admin-listen ADDR  override the admin API address (\"\" disables)\n"
"      --admin-port-file F  write the admin API's port to F once listening\n"
"      --record FILE        record every message to FILE for replay\n"
"      --dry-run            decide and log, but launch nothing\n"
"      --ready-on-start     tell systemd READY at start, not at SUBSCRIBED\n"
"      --log-level LEVEL    error, warn, info or debug\n"
"      --log-format FMT     plain, journal, json or auto\n"
"  -V, --version            print the version and exit\n"
"  -h, --help               print this help and exit\n"
"\n"
"Signals: SIGHUP reloads the configuration; SIGTERM/SIGINT stop arkd and\n"
"leave the tasks running. See arkd(8) and arkd.json(5).\n",
	    ARK_SYSCONFDIR);
}

/* Applies the command line's overrides to every configuration loaded. */
static void
arkd_override(struct config *cfg, void *arg)
{
	const struct arkd_overrides *o = arg;

	if (o->master != NULL) {
		for (size_t i = 0; i < cfg->nmasters; i++)
			free(cfg->masters[i]);
		free(cfg->masters);
		cfg->masters = xcalloc(2, sizeof *cfg->masters);
		cfg->masters[0] = xstrdup(o->master);
		cfg->nmasters = 1;
	}
	if (o->state_dir != NULL) {
		free(cfg->state_dir);
		cfg->state_dir = xstrdup(o->state_dir);
	}
	if (o->admin_listen != NULL) {
		free(cfg->admin_listen);
		cfg->admin_listen = xstrdup(o->admin_listen);
	}
	if (o->log_level != NULL) {
		free(cfg->log_level);
		cfg->log_level = xstrdup(o->log_level);
	}
	if (o->log_format != NULL) {
		free(cfg->log_format);
		cfg->log_format = xstrdup(o->log_format);
	}
	if (o->dry_run)
		cfg->dry_run = 1;
}

/* Sets up logging from the configuration; -1 if a value is unknown. */
static int
arkd_log_setup(const struct config *cfg)
{
	int level = log_level_parse(cfg->log_level != NULL ?
	    cfg->log_level : "info");
	int format = log_format_parse(cfg->log_format != NULL ?
	    cfg->log_format : "auto");

	if (level < 0 || format < 0) {
		fprintf(stderr, "arkd: bad log level or format: %s / %s\n",
		    cfg->log_level, cfg->log_format);
		return -1;
	}
	log_init("arkd", (enum log_level)level, (enum log_format)format);
	return 0;
}

static int
arkd_check_config(const char *path)
{
	char *cause = NULL;
	struct config *cfg = config_load(path, &cause);

	if (cfg == NULL || config_check_files(cfg, &cause) != 0) {
		fprintf(stderr, "arkd: %s\n", cause);
		free(cause);
		config_free(cfg);
		return ARKD_EXIT_ERROR;
	}
	printf("%s: ok (%zu jobs, version %s)\n", path, cfg->njobs,
	    cfg->version);
	config_free(cfg);
	return ARKD_EXIT_OK;
}

static int
arkd_check_store(const char *dir)
{
	char *cause = NULL;

	if (store_check(dir, &cause) != 0) {
		fprintf(stderr, "arkd: %s\n", cause);
		free(cause);
		return ARKD_EXIT_ERROR;
	}
	printf("%s: ok\n", dir);
	return ARKD_EXIT_OK;
}

/* Writes port to path atomically (tests and the demo use port 0). */
static int
arkd_write_port(const char *path, int port, char **cause)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int rc = -1;

	if (f == NULL || fprintf(f, "%d\n", port) < 0) {
		if (f != NULL)
			fclose(f);
		goto out;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		*cause = xasprintf("%s: %s", path, strerror(errno));
	free(tmp);
	return rc;
}

/* arkd replay FILE: feeds a recording through the core, prints decisions. */
static int
arkd_replay(int argc, char **argv, const char *config_path)
{
	struct config *cfg = NULL;
	char *cause = NULL;
	int rc;

	if (argc != 2) {
		arkd_usage(stderr);
		return ARKD_EXIT_USAGE;
	}
	if (config_path != NULL) {
		cfg = config_load(config_path, &cause);
		if (cfg == NULL) {
			fprintf(stderr, "arkd: %s\n", cause);
			free(cause);
			return ARKD_EXIT_ERROR;
		}
	}
	log_init("arkd", LOG_LEVEL_WARN, LOG_FORMAT_PLAIN);
	rc = record_replay(argv[1], cfg, stdout, &cause);
	if (rc != 0) {
		fprintf(stderr, "arkd: replay %s: %s\n", argv[1], cause);
		free(cause);
	}
	config_free(cfg);
	return rc == 0 ? ARKD_EXIT_OK : ARKD_EXIT_ERROR;
}

/* Runs the daemon; returns the process exit code. */
static int
arkd_run(struct config *cfg, const char *config_path,
    struct arkd_overrides *ov, const char *record_path, int ready_on_start)
{
	struct ev_loop *loop = EV_DEFAULT;
	struct msg_queue q = { NULL, NULL, 0 };
	struct store_snapshot snap;
	struct store *store = NULL;
	struct sched *sched = NULL;
	struct master *master = NULL;
	struct master_zk *mzk = NULL;
	struct leader *leader = NULL;
	struct admin *admin = NULL;
	struct dispatch *d;
	struct dispatch_opts opts;
	struct record *rec = NULL;
	char *cause = NULL;
	int rc = ARKD_EXIT_ERROR;

	memset(&snap, 0, sizeof snap);
	/* main() checked every file the configuration names; the master's
	 * secret is read before the state directory is touched too. The admin
	 * API comes after the store's lock, whose error says more to a second
	 * arkd than "address in use". */
	master = master_create(loop, cfg, &q, &cause);
	if (master == NULL)
		goto out;
	store = store_open(cfg->state_dir, &cause);
	if (store == NULL)
		goto out;
	if (store_load(store, &snap, &cause) != 0)
		goto out;
	if (snap.framework_removed) {
		log_error("the master removed framework %s; arkd will not "
		    "register it again. To start a new framework, move the "
		    "store in %s aside", snap.framework_id != NULL ?
		    snap.framework_id : "?", cfg->state_dir);
		rc = ARKD_EXIT_REMOVED;
		goto out;
	}
	log_info("ark %s starting: %zu jobs, state %s, framework %s%s",
	    ARK_VERSION, cfg->njobs, cfg->state_dir,
	    snap.framework_id != NULL ? snap.framework_id : "(new)",
	    cfg->dry_run ? ", DRY RUN" : "");

	sched = sched_create(cfg, &snap, msg_clock_now(), msg_clock_wall());
	if (snap.framework_id != NULL)
		master_set_framework_id(master, snap.framework_id);
	if (cfg->nmasters == 1 && strncmp(cfg->masters[0], "zk://", 5) == 0) {
		mzk = master_zk_create(loop, master, cfg->masters[0], 10,
		    &cause);
		if (mzk == NULL)
			goto out;
	}
	if (cfg->ha_zk != NULL) {
		char host[256] = "?", *id = cfg->ha_instance_id != NULL ?
		    xstrdup(cfg->ha_instance_id) : NULL;

		if (id == NULL) {
			gethostname(host, sizeof host - 1);
			host[sizeof host - 1] = '\0';
			id = xasprintf("%s:%d", host, (int)getpid());
		}
		leader = leader_create(loop, cfg->ha_zk, id,
		    cfg->ha_session_timeout_s, &cause);
		free(id);
		if (leader == NULL)
			goto out;
		log_info("ha: one of several instances (%s): subscribing only "
		    "when elected", cfg->ha_zk);
	}
	if (cfg->admin_listen != NULL && cfg->admin_listen[0] != '\0') {
		struct admin_opts ao = {
			.listen = cfg->admin_listen,
			.token_file = cfg->admin_token_file,
			.read_token_file = cfg->admin_read_token_file,
			.tls_cert_file = cfg->admin_tls_cert_file,
			.tls_key_file = cfg->admin_tls_key_file,
			.insecure = cfg->admin_insecure,
			.open_metrics = cfg->admin_open_metrics,
		};

		admin = admin_create(loop, &ao, &q, &cause);
		if (admin == NULL)
			goto out;
		log_info("admin API on %s (port %d)", cfg->admin_listen,
		    admin_port(admin));
		if (ov->admin_port_file != NULL &&
		    arkd_write_port(ov->admin_port_file, admin_port(admin),
		    &cause) != 0)
			goto out;
	}
	if (record_path != NULL) {
		rec = record_open(record_path, cfg, &snap, msg_clock_now(),
		    msg_clock_wall(), &cause);
		if (rec == NULL)
			goto out;
		log_info("recording every message to %s", record_path);
	}
	store_snapshot_clear(&snap);

	memset(&opts, 0, sizeof opts);
	opts.config_path = config_path;
	opts.record = rec;
	opts.ready_on_start = ready_on_start;
	opts.override = arkd_override;
	opts.override_arg = ov;
	opts.leader = leader;
	leader = NULL;		/* the dispatcher owns it now */
	d = dispatch_create(loop, &opts, cfg, store, sched, master, admin, &q);
	rc = dispatch_run(d);
	master_zk_free(mzk);
	dispatch_free(d);
	log_info("stopped");
	return rc;
out:
	if (cause != NULL) {
		log_error("%s", cause);
		free(cause);
	}
	store_snapshot_clear(&snap);
	admin_free(admin);
	leader_free(leader);
	master_zk_free(mzk);
	master_free(master);
	sched_free(sched);
	store_close(store);
	config_free(cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	enum {
		OPT_CHECK_CONFIG = 256, OPT_CHECK_STORE, OPT_DUMP_CONFIG,
		OPT_MASTER, OPT_STATE_DIR, OPT_ADMIN_LISTEN, OPT_RECORD,
		OPT_DRY_RUN, OPT_READY, OPT_LOG_LEVEL, OPT_LOG_FORMAT,
		OPT_ADMIN_PORT_FILE, OPT_FORMAT
	};
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", required_argument, NULL, OPT_CHECK_CONFIG },
		{ "check-store", required_argument, NULL, OPT_CHECK_STORE },
		{ "dump-config", no_argument, NULL, OPT_DUMP_CONFIG },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "master", required_argument, NULL, OPT_MASTER },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "admin-listen", required_argument, NULL, OPT_ADMIN_LISTEN },
		{ "admin-port-file", required_argument, NULL,
		    OPT_ADMIN_PORT_FILE },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "ready-on-start", no_argument, NULL, OPT_READY },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct arkd_overrides ov;
	const char *config_path = ARK_SYSCONFDIR "/ark/arkd.json";
	const char *record_path = NULL, *format = NULL;
	int dump = 0, ready = 0, config_given = 0, ch, rc;
	struct config *cfg;
	char *cause = NULL;

	memset(&ov, 0, sizeof ov);
	while ((ch = getopt_long(argc, argv, "c:Vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			config_given = 1;
			break;
		case OPT_CHECK_CONFIG:
			return arkd_check_config(optarg);
		case OPT_CHECK_STORE:
			return arkd_check_store(optarg);
		case OPT_DUMP_CONFIG:
			dump = 1;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "options") != 0 &&
			    strcmp(optarg, "json") != 0) {
				fprintf(stderr, "arkd: unknown dump format "
				    "'%s' (options, json)\n", optarg);
				return ARKD_EXIT_USAGE;
			}
			format = optarg;
			break;
		case OPT_MASTER:
			ov.master = optarg;
			break;
		case OPT_STATE_DIR:
			ov.state_dir = optarg;
			break;
		case OPT_ADMIN_LISTEN:
			ov.admin_listen = optarg;
			break;
		case OPT_ADMIN_PORT_FILE:
			ov.admin_port_file = optarg;
			break;
		case OPT_RECORD:
			record_path = optarg;
			break;
		case OPT_DRY_RUN:
			ov.dry_run = 1;
			break;
		case OPT_READY:
			ready = 1;
			break;
		case OPT_LOG_LEVEL:
			if (log_level_parse(optarg) < 0) {
				fprintf(stderr, "arkd: unknown log level "
				    "'%s' (error, warn, info, debug)\n", optarg);
				return ARKD_EXIT_USAGE;
			}
			ov.log_level = optarg;
			break;
		case OPT_LOG_FORMAT:
			if (log_format_parse(optarg) < 0) {
				fprintf(stderr, "arkd: unknown log format "
				    "'%s' (plain, journal, json, auto)\n",
				    optarg);
				return ARKD_EXIT_USAGE;
			}
			ov.log_format = optarg;
			break;
		case 'V':
			printf("arkd %s\n", ARK_VERSION);
			return ARKD_EXIT_OK;
		case 'h':
			arkd_usage(stdout);
			return ARKD_EXIT_OK;
		default:
			arkd_usage(stderr);
			return ARKD_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;

	if (argc > 0 && strcmp(argv[0], "replay") == 0)
		return arkd_replay(argc, argv, config_given ? config_path :
		    NULL);
	if (argc > 0) {
		fprintf(stderr, "arkd: unexpected argument '%s'\n", argv[0]);
		arkd_usage(stderr);
		return ARKD_EXIT_USAGE;
	}
	if (format != NULL && !dump) {
		fprintf(stderr, "arkd: --format goes with --dump-config\n");
		return ARKD_EXIT_USAGE;
	}

	/* A dump without --config and without the default file is of the
	 * defaults: what a first arkd.json can start from. */
	if (dump && !config_given && access(config_path, F_OK) != 0 &&
	    errno == ENOENT) {
		fprintf(stderr, "arkd: no %s: the defaults follow\n",
		    config_path);
		cfg = config_parse("{}", "(defaults)", &cause);
	} else {
		cfg = config_load(config_path, &cause);
	}
	if (cfg == NULL) {
		fprintf(stderr, "arkd: %s\n", cause);
		free(cause);
		return ARKD_EXIT_ERROR;
	}
	arkd_override(cfg, &ov);
	if (arkd_log_setup(cfg) != 0) {
		config_free(cfg);
		return ARKD_EXIT_ERROR;
	}
	if (!dump && config_check_files(cfg, &cause) != 0) {
		fprintf(stderr, "arkd: %s\n", cause);
		free(cause);
		config_free(cfg);
		return ARKD_EXIT_ERROR;
	}
	if (dump) {
		char *s = format != NULL && strcmp(format, "json") == 0 ?
		    config_to_json(cfg) : config_dump(cfg);

		printf("%s\n", s);
		free(s);
		config_free(cfg);
		return ARKD_EXIT_OK;
	}
	/* A dead admin client or master must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "arkd: libcurl failed to initialise\n");
		config_free(cfg);
		return ARKD_EXIT_ERROR;
	}
	rc = arkd_run(cfg, config_path, &ov, record_path, ready);
	curl_global_cleanup();
	return rc;
}
