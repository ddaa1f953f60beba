/*
 * arkctl — the command line over arkd's admin API (docs/admin-api.md). One
 * blocking libcurl easy request per command (two for `health`); answers
 * are shown as aligned tables, or as the API's own JSON with --json. Exit
 * codes are a contract with scripts (arkctl(1)): 0 done, 1 arkd answered an
 * error (its message goes to stderr), 2 usage error, 3 arkd unreachable.
 * arkctl holds no state and never retries a request that changes anything.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "buf.h"
#include "xmalloc.h"

#ifndef ARK_VERSION
#define ARK_VERSION "unknown"
#endif

#define ARKCTL_DEFAULT_URL	"http://127.0.0.1:8090"
#define ARKCTL_BODY_MAX		(64u * 1024 * 1024)	/* bytes of answer */
#define ARKCTL_MAX_POS		4			/* positional args */
#define ARKCTL_INSTANCES_MAX	100000

/* Exit codes scripts rely on. */
enum arkctl_exit {
	ARKCTL_OK = 0,		/* the command did what it says */
	ARKCTL_API = 1,		/* arkd answered 4xx/5xx */
	ARKCTL_USAGE = 2,	/* bad command line */
	ARKCTL_UNREACHABLE = 3,	/* no answer from arkd */
	ARKCTL_EXIT_MAX
};

/* The command line, parsed. */
struct arkctl {
	char		*base;		/* API root without trailing '/' */
	char		*token;		/* bearer token, or NULL */
	const char	*ca_file;	/* CA bundle for https, NULL: system's */
	int		 json;		/* print the API's JSON */
	double		 timeout;	/* seconds per request */
	const char	*job;		/* tasks --job */
	const char	*state;		/* tasks --state */
	const char	*agent;		/* tasks --agent */
	const char	*reason;	/* blacklist add --reason */
	int		 yes_really;	/* teardown --yes-really */
	int		 help;		/* --help given */
	const char	*pos[ARKCTL_MAX_POS];	/* command and its arguments */
	int		 npos;
};

/* One answer from arkd. */
struct arkctl_resp {
	long		 status;
	struct buf	 body;
};

/* A command: name, its argument synopsis, options, help and runner. */
struct arkctl_cmd {
	const char	*name;
	const char	*args;	/* synopsis after the name */
	int		 nmin;	/* positional arguments after the name */
	int		 nmax;
	const char	*opts;	/* command options accepted, space-separated */
	const char	*help;
	int		(*run)(struct arkctl *, const struct arkctl_cmd *);
	const char	*detail;	/* more for COMMAND --help, or NULL */
};

static const char *arkctl_prog = "arkctl";

static void	arkctl_err(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

/* Prints "arkctl: ..." on stderr. */
static void
arkctl_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", arkctl_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- HTTP ---------------------------------------------------------------- */

/* Collects the answer body (CURLOPT_WRITEFUNCTION); refuses past the bound. */
static size_t
arkctl_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct arkctl_resp *r = arg;

	if (buf_add(&r->body, p, size * n) != 0)
		return 0;	/* too big: curl fails the transfer */
	return size * n;
}

/* Appends s to b with every byte outside [A-Za-z0-9-._~] percent-encoded. */
static void
arkctl_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			buf_add(b, s, 1);
		else
			buf_printf(b, "%%%02X", c);
	}
}

/*
 * Sends method path (already escaped) with an optional JSON body. Returns 0
 * when arkd answered (whatever the status), or -1, having said why on
 * stderr, when it could not be reached. r->body is the caller's to clear.
 */
static int
arkctl_http(struct arkctl *a, const char *method, const char *path,
    const char *body, struct arkctl_resp *r)
{
	CURL *h;
	CURLcode rc;
	struct curl_slist *hdrs = NULL;
	char *url, *auth = NULL;
	char errbuf[CURL_ERROR_SIZE];
	int ret = -1;

	buf_init(&r->body, ARKCTL_BODY_MAX);
	r->status = 0;
	url = xasprintf("%s%s", a->base, path);
	h = curl_easy_init();
	if (h == NULL) {
		arkctl_err("cannot initialise libcurl");
		goto out;
	}
	errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(a->timeout * 1000));
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(a->timeout * 1000));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, arkctl_write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "arkctl/" ARK_VERSION);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* https: the server's certificate is always verified */
	if (a->ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, a->ca_file);
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (a->token != NULL) {
		auth = xasprintf("Authorization: Bearer %s", a->token);
		hdrs = curl_slist_append(hdrs, auth);
	}
	if (body != NULL) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	} else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		arkctl_err("cannot reach arkd at %s: %s", a->base,
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	ret = 0;
out:
	if (h != NULL)
		curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	if (auth != NULL)
		memset(auth, 0, strlen(auth));
	free(auth);
	free(url);
	return ret;
}

/*
 * Reports an error answer on stderr with arkd's {"error"} message; returns
 * ARKCTL_API, or ARKCTL_OK for a 2xx answer.
 */
static int
arkctl_check(const struct arkctl_resp *r)
{
	json_t *j;
	const char *e = NULL;

	if (r->status >= 200 && r->status < 300)
		return ARKCTL_OK;
	j = json_loadb(r->body.data != NULL ? r->body.data : "", r->body.len,
	    0, NULL);
	if (j != NULL)
		e = json_string_value(json_object_get(j, "error"));
	if (e != NULL)
		arkctl_err("%s (HTTP %ld)%s", e, r->status, r->status == 401 ?
		    "; give the token with --token-file or "
		    "$ARK_ADMIN_TOKEN_FILE" : "");
	else
		arkctl_err("arkd answered HTTP %ld", r->status);
	json_decref(j);
	return ARKCTL_API;
}

/* Prints the body as it came (with a final newline). */
static void
arkctl_print_raw(const struct arkctl_resp *r)
{
	if (r->body.len > 0) {
		fwrite(r->body.data, 1, r->body.len, stdout);
		if (r->body.data[r->body.len - 1] != '\n')
			fputc('\n', stdout);
	}
}

/* Parses a 2xx JSON answer; NULL (said why) if it is not JSON. */
static json_t *
arkctl_parse(const struct arkctl_resp *r)
{
	json_error_t err;
	json_t *j;

	j = json_loadb(r->body.data != NULL ? r->body.data : "", r->body.len,
	    0, &err);
	if (j == NULL)
		arkctl_err("arkd's answer is not JSON: %s", err.text);
	return j;
}

/*
 * The usual shape of a command: request, check, then --json prints the
 * body, else show() renders it. Returns the exit code.
 */
static int
arkctl_do(struct arkctl *a, const char *method, const char *path,
    const char *body, void (*show)(json_t *))
{
	struct arkctl_resp r;
	json_t *j;
	int rc;

	if (arkctl_http(a, method, path, body, &r) != 0) {
		rc = ARKCTL_UNREACHABLE;
		goto out;
	}
	rc = arkctl_check(&r);
	if (rc != ARKCTL_OK)
		goto out;
	if (a->json || show == NULL) {
		arkctl_print_raw(&r);
		goto out;
	}
	j = arkctl_parse(&r);
	if (j == NULL) {
		rc = ARKCTL_API;
		goto out;
	}
	show(j);
	json_decref(j);
out:
	buf_clear(&r.body);
	return rc;
}

/* ---- formatting ---------------------------------------------------------- */

/* A value as a table cell (caller frees): "-" for null or missing. */
static char *
arkctl_fmt(const json_t *v)
{
	if (v == NULL || json_is_null(v))
		return xstrdup("-");
	if (json_is_string(v))
		return xstrdup(json_string_value(v)[0] != '\0' ?
		    json_string_value(v) : "-");
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%g", json_real_value(v));
	if (json_is_true(v))
		return xstrdup("yes");
	if (json_is_false(v))
		return xstrdup("no");
	return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
}

/* Shorthand: member key of o as a cell. */
static char *
arkctl_get(const json_t *o, const char *key)
{
	return arkctl_fmt(json_object_get(o, key));
}

/* A time in ms since the epoch as "YYYY-MM-DD HH:MM:SSZ" (caller frees). */
static char *
arkctl_fmt_time(const json_t *v)
{
	time_t t;
	struct tm tm;
	char s[32];

	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return xstrdup("-");
	t = (time_t)(json_integer_value(v) / 1000);
	if (gmtime_r(&t, &tm) == NULL)
		return xstrdup("-");
	strftime(s, sizeof s, "%Y-%m-%d %H:%M:%SZ", &tm);
	return xstrdup(s);
}

/* How long ago a time in ms since the epoch was: "45s", "3m", "2h", "4d". */
static char *
arkctl_fmt_age(const json_t *v)
{
	struct timespec ts;
	long long now, d;

	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return xstrdup("-");
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	d = (now - (long long)json_integer_value(v)) / 1000;
	if (d < 0)
		d = 0;
	if (d < 120)
		return xasprintf("%llds", d);
	if (d < 2 * 3600)
		return xasprintf("%lldm", d / 60);
	if (d < 2 * 86400)
		return xasprintf("%lldh", d / 3600);
	return xasprintf("%lldd", d / 86400);
}

/* A table of strings printed with aligned columns. */
struct arkctl_table {
	size_t	  ncols;
	char	**cells;	/* row-major, each owned */
	size_t	  ncells;
};

/* Starts an empty table of ncols columns. */
static void
arkctl_table_init(struct arkctl_table *t, size_t ncols)
{
	t->ncols = ncols;
	t->cells = NULL;
	t->ncells = 0;
}

/* Appends one cell (taking ownership of s); rows fill left to right. */
static void
arkctl_table_add(struct arkctl_table *t, char *s)
{
	t->cells = xreallocarray(t->cells, t->ncells + 1, sizeof *t->cells);
	t->cells[t->ncells++] = s;
}

/* Appends a row of constant strings (copied). */
static void
arkctl_table_head(struct arkctl_table *t, ...)
{
	va_list ap;

	va_start(ap, t);
	for (size_t i = 0; i < t->ncols; i++)
		arkctl_table_add(t, xstrdup(va_arg(ap, const char *)));
	va_end(ap);
}

/* Prints the table, two spaces between columns, and frees it. */
static void
arkctl_table_print(struct arkctl_table *t)
{
	size_t *w = xcalloc(t->ncols, sizeof *w);

	for (size_t i = 0; i < t->ncells; i++) {
		size_t n = strlen(t->cells[i]);

		if (n > w[i % t->ncols])
			w[i % t->ncols] = n;
	}
	for (size_t i = 0; i < t->ncells; i++) {
		size_t col = i % t->ncols;

		if (col + 1 == t->ncols || i + 1 == t->ncells)
			printf("%s\n", t->cells[i]);
		else
			printf("%-*s  ", (int)w[col], t->cells[i]);
	}
	for (size_t i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(w);
}

/* ---- showing answers ----------------------------------------------------- */

/*
 * The session's last connection error, when it came and, while attempts
 * keep failing, since when (caller frees): what an operator needs first
 * when arkd is not subscribed.
 */
static char *
arkctl_fmt_conn_error(const json_t *s)
{
	const json_t *failing = json_object_get(s, "failing_since");
	char *e, *at, *ago, *since, *sago, *r;

	if (!json_is_string(json_object_get(s, "last_error")))
		return xstrdup("-");
	e = arkctl_get(s, "last_error");
	at = arkctl_fmt_time(json_object_get(s, "last_error_at"));
	ago = arkctl_fmt_age(json_object_get(s, "last_error_at"));
	if (json_is_integer(failing)) {
		since = arkctl_fmt_time(failing);
		sago = arkctl_fmt_age(failing);
		r = xasprintf("%s (at %s, %s ago; %lld failed since %s, %s ago)",
		    e, at, ago, (long long)json_integer_value(
		    json_object_get(s, "failed_attempts")), since, sago);
		free(since);
		free(sago);
	} else
		r = xasprintf("%s (at %s, %s ago)", e, at, ago);
	free(e);
	free(at);
	free(ago);
	return r;
}

/* Shows GET /v1/state as name/value lines. */
static void
arkctl_show_state(json_t *j)
{
	struct arkctl_table t;
	json_t *s = json_object_get(j, "session");
	json_t *c = json_object_get(j, "counts");
	json_t *r = json_object_get(j, "reconciliation");
	char *a, *b, *d;

	arkctl_table_init(&t, 2);
	arkctl_table_add(&t, xstrdup("framework"));
	arkctl_table_add(&t, arkctl_get(j, "framework_id"));
	arkctl_table_add(&t, xstrdup("leader"));
	arkctl_table_add(&t, arkctl_get(j, "leader"));
	a = arkctl_get(s, "state");
	b = arkctl_fmt_time(json_object_get(s, "since"));
	d = arkctl_fmt_age(json_object_get(s, "since"));
	arkctl_table_add(&t, xstrdup("session"));
	arkctl_table_add(&t, xasprintf("%s since %s (%s ago)", a, b, d));
	free(a);
	free(b);
	free(d);
	arkctl_table_add(&t, xstrdup("stream"));
	arkctl_table_add(&t, arkctl_get(s, "stream_id"));
	a = arkctl_get(r, "state");
	b = arkctl_get(r, "outstanding");
	d = arkctl_get(r, "rounds");
	arkctl_table_add(&t, xstrdup("reconciliation"));
	arkctl_table_add(&t, xasprintf("%s, %s outstanding, %s rounds", a, b,
	    d));
	free(a);
	free(b);
	free(d);
	arkctl_table_add(&t, xstrdup("last error"));
	arkctl_table_add(&t, arkctl_fmt_conn_error(s));
	arkctl_table_add(&t, xstrdup("last reconciled"));
	if (json_is_integer(json_object_get(r, "last_duration_ms"))) {
		a = arkctl_get(r, "last_duration_ms");
		b = arkctl_fmt_time(json_object_get(r, "last_completed_at"));
		d = arkctl_fmt_age(json_object_get(r, "last_completed_at"));
		arkctl_table_add(&t, xasprintf("in %s ms, at %s (%s ago)", a, b,
		    d));
		free(a);
		free(b);
		free(d);
	} else
		arkctl_table_add(&t, xstrdup("never"));
	static const char *counts[] = { "jobs", "tasks", "agents", "offers",
	    "blacklist" };
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		arkctl_table_add(&t, xstrdup(counts[i]));
		arkctl_table_add(&t, arkctl_get(c, counts[i]));
	}
	arkctl_table_add(&t, xstrdup("config version"));
	arkctl_table_add(&t, arkctl_get(j, "config_version"));
	arkctl_table_add(&t, xstrdup("dry run"));
	arkctl_table_add(&t, arkctl_get(j, "dry_run"));
	arkctl_table_add(&t, xstrdup("version"));
	arkctl_table_add(&t, arkctl_get(j, "version"));
	arkctl_table_print(&t);
}

/*
 * A job's value of key, marked "(file: V)" when a runtime change makes it
 * differ from the configuration file (caller frees).
 */
static char *
arkctl_overridden(const json_t *job, const char *key)
{
	const json_t *ov = json_object_get(json_object_get(job, "overrides"),
	    key);
	char *v = arkctl_get(job, key), *f, *r;

	if (!json_is_object(ov))
		return v;
	f = arkctl_get(ov, "file");
	r = xasprintf("%s (file: %s)", v, f);
	free(v);
	free(f);
	return r;
}

/* The columns of a job summary. */
static void
arkctl_job_row(struct arkctl_table *t, const json_t *job)
{
	const char *kind = json_string_value(json_object_get(job, "kind"));

	arkctl_table_add(t, arkctl_get(job, "id"));
	arkctl_table_add(t, arkctl_get(job, "kind"));
	if (kind != NULL && strcmp(kind, "daemon") == 0)
		arkctl_table_add(t, xstrdup("(all)"));
	else
		arkctl_table_add(t, arkctl_overridden(job, "instances"));
	arkctl_table_add(t, arkctl_get(job, "running"));
	arkctl_table_add(t, arkctl_get(job, "pending"));
	arkctl_table_add(t, arkctl_overridden(job, "suspended"));
}

/* Shows GET /v1/jobs as a table. */
static void
arkctl_show_jobs(json_t *j)
{
	struct arkctl_table t;
	json_t *job;
	size_t i;

	arkctl_table_init(&t, 6);
	arkctl_table_head(&t, "ID", "KIND", "INSTANCES", "RUNNING", "PENDING",
	    "SUSPENDED");
	json_array_foreach(json_object_get(j, "jobs"), i, job)
		arkctl_job_row(&t, job);
	arkctl_table_print(&t);
}

/* Shows the tasks the slots ended (newest first per slot), if any. */
static void
arkctl_show_history(json_t *slots)
{
	struct arkctl_table t;
	json_t *v, *h;
	size_t i, k, n = 0;

	json_array_foreach(slots, i, v)
		n += json_array_size(json_object_get(v, "history"));
	if (n == 0)
		return;
	printf("\nENDED TASKS\n");
	arkctl_table_init(&t, 7);
	arkctl_table_head(&t, "SLOT", "TASK", "STATE", "REASON", "HOST",
	    "ENDED", "MESSAGE");
	json_array_foreach(slots, i, v)
		json_array_foreach(json_object_get(v, "history"), k, h) {
			arkctl_table_add(&t, arkctl_get(v, "slot"));
			arkctl_table_add(&t, arkctl_get(h, "task_id"));
			arkctl_table_add(&t, arkctl_get(h, "state"));
			arkctl_table_add(&t, arkctl_get(h, "reason"));
			arkctl_table_add(&t, arkctl_get(h, "hostname"));
			arkctl_table_add(&t, arkctl_fmt_age(json_object_get(h,
			    "ended_at")));
			arkctl_table_add(&t, arkctl_get(h, "message"));
		}
	arkctl_table_print(&t);
}

/* Shows a job: its summary, slots and, for a daemon job, coverage. */
static void
arkctl_show_job(json_t *j)
{
	struct arkctl_table t;
	json_t *v;
	size_t i;

	arkctl_table_init(&t, 6);
	arkctl_table_head(&t, "ID", "KIND", "INSTANCES", "RUNNING", "PENDING",
	    "SUSPENDED");
	arkctl_job_row(&t, j);
	arkctl_table_print(&t);
	if (json_array_size(json_object_get(j, "slots")) > 0) {
		printf("\n");
		arkctl_table_init(&t, 7);
		arkctl_table_head(&t, "SLOT", "TASK", "STATE", "HOST",
		    "RESTARTS", "BACKOFF UNTIL", "REASON");
		json_array_foreach(json_object_get(j, "slots"), i, v) {
			arkctl_table_add(&t, arkctl_get(v, "slot"));
			arkctl_table_add(&t, arkctl_get(v, "task_id"));
			arkctl_table_add(&t, arkctl_get(v, "state"));
			arkctl_table_add(&t, arkctl_get(v, "hostname"));
			arkctl_table_add(&t, arkctl_get(v, "restarts"));
			arkctl_table_add(&t, arkctl_fmt_time(
			    json_object_get(v, "backoff_until")));
			arkctl_table_add(&t, arkctl_get(v, "reason"));
		}
		arkctl_table_print(&t);
		arkctl_show_history(json_object_get(j, "slots"));
	}
	if (json_array_size(json_object_get(j, "coverage")) > 0) {
		printf("\n");
		arkctl_table_init(&t, 4);
		arkctl_table_head(&t, "AGENT", "HOST", "COVERAGE", "REASON");
		json_array_foreach(json_object_get(j, "coverage"), i, v) {
			arkctl_table_add(&t, arkctl_get(v, "agent_id"));
			arkctl_table_add(&t, arkctl_get(v, "hostname"));
			arkctl_table_add(&t, arkctl_get(v, "status"));
			arkctl_table_add(&t, arkctl_get(v, "reason"));
		}
		arkctl_table_print(&t);
	}
}

/* Shows GET /v1/tasks as a table. */
static void
arkctl_show_tasks(json_t *j)
{
	struct arkctl_table t;
	json_t *v;
	size_t i;

	arkctl_table_init(&t, 8);
	arkctl_table_head(&t, "ID", "JOB", "SLOT", "STATE", "HOST", "HEALTHY",
	    "AGE", "MESSAGE");
	json_array_foreach(json_object_get(j, "tasks"), i, v) {
		arkctl_table_add(&t, arkctl_get(v, "id"));
		arkctl_table_add(&t, arkctl_get(v, "job"));
		arkctl_table_add(&t, arkctl_get(v, "slot"));
		arkctl_table_add(&t, arkctl_get(v, "state"));
		arkctl_table_add(&t, arkctl_get(v, "hostname"));
		arkctl_table_add(&t, arkctl_get(v, "healthy"));
		arkctl_table_add(&t, arkctl_fmt_age(json_object_get(v,
		    "launched_at")));
		arkctl_table_add(&t, arkctl_get(v, "message"));
	}
	arkctl_table_print(&t);
}

/* Shows GET /v1/agents as a table. */
static void
arkctl_show_agents(json_t *j)
{
	struct arkctl_table t;
	json_t *v, *res;
	size_t i;

	arkctl_table_init(&t, 8);
	arkctl_table_head(&t, "ID", "HOST", "CPUS", "MEM", "DISK", "TASKS",
	    "BLACKLISTED", "DRAINING");
	json_array_foreach(json_object_get(j, "agents"), i, v) {
		res = json_object_get(v, "resources");
		arkctl_table_add(&t, arkctl_get(v, "id"));
		arkctl_table_add(&t, arkctl_get(v, "hostname"));
		arkctl_table_add(&t, arkctl_get(res, "cpus"));
		arkctl_table_add(&t, arkctl_get(res, "mem"));
		arkctl_table_add(&t, arkctl_get(res, "disk"));
		arkctl_table_add(&t, arkctl_get(v, "tasks"));
		arkctl_table_add(&t, arkctl_get(v, "blacklisted"));
		arkctl_table_add(&t, arkctl_get(v, "draining"));
	}
	arkctl_table_print(&t);
}

/* Shows GET /v1/blacklist as a table. */
static void
arkctl_show_blacklist(json_t *j)
{
	struct arkctl_table t;
	json_t *v;
	size_t i;

	arkctl_table_init(&t, 3);
	arkctl_table_head(&t, "AGENT", "SINCE", "REASON");
	json_array_foreach(json_object_get(j, "blacklist"), i, v) {
		arkctl_table_add(&t, arkctl_get(v, "agent"));
		arkctl_table_add(&t, arkctl_fmt_time(json_object_get(v,
		    "since")));
		arkctl_table_add(&t, arkctl_get(v, "reason"));
	}
	arkctl_table_print(&t);
}

/* Confirms PUT /v1/blacklist/{agent}. */
static void
arkctl_show_blacklisted(json_t *j)
{
	char *a = arkctl_get(j, "agent"), *r = arkctl_get(j, "reason");

	printf("blacklisted %s (reason: %s)\n", a, r);
	/* an unknown name is stored all the same: the operator must know */
	if (json_is_string(json_object_get(j, "warning")))
		fprintf(stderr, "arkctl: warning: %s\n",
		    json_string_value(json_object_get(j, "warning")));
	free(a);
	free(r);
}

/* Confirms DELETE /v1/blacklist/{agent}. */
static void
arkctl_show_unblacklisted(json_t *j)
{
	char *a = arkctl_get(j, "agent");

	printf("removed %s from the blacklist\n", a);
	free(a);
}

/* Confirms POST /v1/reconcile with the reconciliation state. */
static void
arkctl_show_reconcile(json_t *j)
{
	json_t *r = json_object_get(j, "reconciliation");
	char *s = arkctl_get(r, "state"), *o = arkctl_get(r, "outstanding");

	printf("reconciliation %s, %s tasks outstanding\n", s, o);
	free(s);
	free(o);
}

/* Confirms POST /v1/jobs/{id}/restart. */
static void
arkctl_show_restart(json_t *j)
{
	char *id = arkctl_get(j, "job");

	printf("rolling restart of %s started\n", id);
	free(id);
}

/* Confirms POST /v1/tasks/{id}/kill. */
static void
arkctl_show_kill(json_t *j)
{
	char *id = arkctl_get(j, "task");

	printf("kill sent to %s\n", id);
	free(id);
}

/* Confirms POST /v1/reload with the new configuration version. */
static void
arkctl_show_reload(json_t *j)
{
	char *v = arkctl_get(j, "config_version");

	printf("configuration reloaded, version %s\n", v);
	free(v);
}

/* Confirms POST /v1/teardown. */
static void
arkctl_show_teardown(json_t *j)
{
	printf("teardown sent: every task of the framework is being killed\n");
}

/* ---- commands ------------------------------------------------------------ */

/* Returns "/prefix/<escaped arg>suffix" (caller frees). */
static char *
arkctl_path(const char *prefix, const char *arg, const char *suffix)
{
	struct buf b;

	buf_init(&b, 0);
	buf_addstr(&b, prefix);
	arkctl_escape(&b, arg);
	buf_addstr(&b, suffix);
	return buf_steal(&b, NULL);
}

/* status: GET /v1/state. */
static int
arkctl_cmd_status(struct arkctl *a, const struct arkctl_cmd *c)
{
	return arkctl_do(a, "GET", "/v1/state", NULL, arkctl_show_state);
}

/* jobs: GET /v1/jobs. */
static int
arkctl_cmd_jobs(struct arkctl *a, const struct arkctl_cmd *c)
{
	return arkctl_do(a, "GET", "/v1/jobs", NULL, arkctl_show_jobs);
}

/* job ID: GET /v1/jobs/ID. */
static int
arkctl_cmd_job(struct arkctl *a, const struct arkctl_cmd *c)
{
	char *p = arkctl_path("/v1/jobs/", a->pos[1], "");
	int rc = arkctl_do(a, "GET", p, NULL, arkctl_show_job);

	free(p);
	return rc;
}

/* tasks: GET /v1/tasks with the filters given. */
static int
arkctl_cmd_tasks(struct arkctl *a, const struct arkctl_cmd *c)
{
	struct buf b;
	const char *sep = "?";
	char *p;
	int rc;

	buf_init(&b, 0);
	buf_addstr(&b, "/v1/tasks");
	if (a->job != NULL) {
		buf_printf(&b, "%sjob=", sep);
		arkctl_escape(&b, a->job);
		sep = "&";
	}
	if (a->state != NULL) {
		buf_printf(&b, "%sstate=", sep);
		arkctl_escape(&b, a->state);
		sep = "&";
	}
	if (a->agent != NULL) {
		buf_printf(&b, "%sagent=", sep);
		arkctl_escape(&b, a->agent);
	}
	p = buf_steal(&b, NULL);
	rc = arkctl_do(a, "GET", p, NULL, arkctl_show_tasks);
	free(p);
	return rc;
}

/* agents: GET /v1/agents. */
static int
arkctl_cmd_agents(struct arkctl *a, const struct arkctl_cmd *c)
{
	return arkctl_do(a, "GET", "/v1/agents", NULL, arkctl_show_agents);
}

/* blacklist add AGENT: PUT /v1/blacklist/AGENT, with the reason. */
static int
arkctl_cmd_bl_add(struct arkctl *a, const struct arkctl_cmd *c)
{
	char *p = arkctl_path("/v1/blacklist/", a->pos[2], "");
	char *body = NULL;
	int rc;

	if (a->reason != NULL) {
		json_t *j = json_pack("{s:s}", "reason", a->reason);

		body = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		if (body == NULL) {
			arkctl_err("--reason must be UTF-8 text");
			free(p);
			return ARKCTL_USAGE;
		}
	}
	rc = arkctl_do(a, "PUT", p, body, arkctl_show_blacklisted);
	free(body);
	free(p);
	return rc;
}

/* blacklist rm AGENT: DELETE /v1/blacklist/AGENT. */
static int
arkctl_cmd_bl_rm(struct arkctl *a, const struct arkctl_cmd *c)
{
	char *p = arkctl_path("/v1/blacklist/", a->pos[2], "");
	int rc = arkctl_do(a, "DELETE", p, NULL, arkctl_show_unblacklisted);

	free(p);
	return rc;
}

/* blacklist ls: GET /v1/blacklist. */
static int
arkctl_cmd_bl_ls(struct arkctl *a, const struct arkctl_cmd *c)
{
	return arkctl_do(a, "GET", "/v1/blacklist", NULL,
	    arkctl_show_blacklist);
}

/* reconcile: POST /v1/reconcile. */
static int
arkctl_cmd_reconcile(struct arkctl *a, const struct arkctl_cmd *c)
{
	return arkctl_do(a, "POST", "/v1/reconcile", NULL,
	    arkctl_show_reconcile);
}

/* restart JOB: POST /v1/jobs/JOB/restart. */
static int
arkctl_cmd_restart(struct arkctl *a, const struct arkctl_cmd *c)
{
	char *p = arkctl_path("/v1/jobs/", a->pos[1], "/restart");
	int rc = arkctl_do(a, "POST", p, NULL, arkctl_show_restart);

	free(p);
	return rc;
}

/* PATCHes a job with body and shows the job it answers with. */
static int
arkctl_patch(struct arkctl *a, const char *job, const char *body)
{
	char *p = arkctl_path("/v1/jobs/", job, "");
	int rc = arkctl_do(a, "PATCH", p, body, arkctl_show_job);

	free(p);
	return rc;
}

/* scale JOB N: checks N, then PATCH {"instances": N}. */
static int
arkctl_cmd_scale(struct arkctl *a, const struct arkctl_cmd *c)
{
	const char *s = a->pos[2];
	char *end, *body;
	long n;
	int rc;

	errno = 0;
	n = strtol(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || n < 0 ||
	    n > ARKCTL_INSTANCES_MAX) {
		arkctl_err("scale: instances must be a number from 0 to %d, "
		    "not \"%s\"", ARKCTL_INSTANCES_MAX, s);
		return ARKCTL_USAGE;
	}
	body = xasprintf("{\"instances\":%ld}", n);
	rc = arkctl_patch(a, a->pos[1], body);
	free(body);
	return rc;
}

/* suspend JOB: PATCH {"suspended": true}. */
static int
arkctl_cmd_suspend(struct arkctl *a, const struct arkctl_cmd *c)
{
	return arkctl_patch(a, a->pos[1], "{\"suspended\":true}");
}

/* resume JOB: PATCH {"suspended": false}. */
static int
arkctl_cmd_resume(struct arkctl *a, const struct arkctl_cmd *c)
{
	return arkctl_patch(a, a->pos[1], "{\"suspended\":false}");
}

/* kill TASK: POST /v1/tasks/TASK/kill. */
static int
arkctl_cmd_kill(struct arkctl *a, const struct arkctl_cmd *c)
{
	char *p = arkctl_path("/v1/tasks/", a->pos[1], "/kill");
	int rc = arkctl_do(a, "POST", p, NULL, arkctl_show_kill);

	free(p);
	return rc;
}

/* reload: POST /v1/reload. */
static int
arkctl_cmd_reload(struct arkctl *a, const struct arkctl_cmd *c)
{
	return arkctl_do(a, "POST", "/v1/reload", NULL, arkctl_show_reload);
}

/* teardown: only with --yes-really, POST /v1/teardown. */
static int
arkctl_cmd_teardown(struct arkctl *a, const struct arkctl_cmd *c)
{
	if (!a->yes_really) {
		arkctl_err("teardown kills every task of the framework and "
		    "removes it from Mesos; to mean it, run: arkctl teardown "
		    "--yes-really");
		return ARKCTL_USAGE;
	}
	return arkctl_do(a, "POST", "/v1/teardown",
	    "{\"confirm\":\"yes-really\"}", arkctl_show_teardown);
}

/* metrics: GET /metrics, printed as it came. */
static int
arkctl_cmd_metrics(struct arkctl *a, const struct arkctl_cmd *c)
{
	return arkctl_do(a, "GET", "/metrics", NULL, NULL);
}

/*
 * GET /healthz and /readyz: 0 when arkd is alive and ready, 1 when it is
 * alive but not ready (or unhealthy), 3 when it does not answer.
 */
static int
arkctl_cmd_health(struct arkctl *a, const struct arkctl_cmd *c)
{
	struct arkctl_resp h, r;
	json_t *hj = NULL, *rj = NULL, *out;
	const char *reason;
	char *s;
	int rc = ARKCTL_OK;

	buf_init(&r.body, 0);
	if (arkctl_http(a, "GET", "/healthz", NULL, &h) != 0) {
		buf_clear(&h.body);
		return ARKCTL_UNREACHABLE;
	}
	if (h.status != 200) {
		rc = arkctl_check(&h);
		goto out;
	}
	if (arkctl_http(a, "GET", "/readyz", NULL, &r) != 0) {
		rc = ARKCTL_UNREACHABLE;
		goto out;
	}
	hj = json_loadb(h.body.data != NULL ? h.body.data : "", h.body.len, 0,
	    NULL);
	rj = json_loadb(r.body.data != NULL ? r.body.data : "", r.body.len, 0,
	    NULL);
	if (r.status != 200 && r.status != 503) {
		rc = arkctl_check(&r);
		goto out;
	}
	if (r.status != 200)
		rc = ARKCTL_API;
	if (a->json) {
		out = json_pack("{s:O?, s:O?}", "healthz", hj, "readyz", rj);
		s = json_dumps(out, JSON_COMPACT);
		if (s != NULL)
			printf("%s\n", s);
		free(s);
		json_decref(out);
	} else if (r.status == 200)
		printf("arkd is alive and ready\n");
	else
		printf("arkd is alive\n");
	if (r.status != 200) {
		reason = json_string_value(json_object_get(rj, "reason"));
		arkctl_err("arkd is not ready: %s", reason != NULL ? reason :
		    "no reason given");
	}
out:
	json_decref(hj);
	json_decref(rj);
	buf_clear(&h.body);
	buf_clear(&r.body);
	return rc;
}

static const struct arkctl_cmd arkctl_cmds[] = {
	{ "status", "", 0, 0, "", "framework, session, reconciliation "
	    "and counts", arkctl_cmd_status, NULL },
	{ "jobs", "", 0, 0, "", "list the jobs", arkctl_cmd_jobs, NULL },
	{ "job", "ID", 1, 1, "", "one job: its slots and, for a daemon "
	    "job, its coverage", arkctl_cmd_job, NULL },
	{ "tasks", "[--job J] [--state S] [--agent A]", 0, 0, "job state agent",
	    "list tasks, filtered by job, state or "
	    "agent", arkctl_cmd_tasks,
	    "  --job J    tasks of job J\n"
	    "  --state S  tasks in state S: a Mesos name (TASK_RUNNING, or "
	    "just running),\n"
	    "             or launching\n"
	    "  --agent A  tasks on agent A (id or hostname)\n" },
	{ "agents", "", 0, 0, "", "list the agents the master knows",
	    arkctl_cmd_agents, NULL },
	{ "blacklist", "add AGENT [--reason R] | rm AGENT | ls", 1, 2, "reason",
	    "manage the agent blacklist", NULL, NULL },
	{ "reconcile", "", 0, 0, "", "start a reconciliation with the master",
	    arkctl_cmd_reconcile, NULL },
	{ "restart", "JOB", 1, 1, "", "replace the tasks of a job, one slot at "
	    "a time", arkctl_cmd_restart, NULL },
	{ "scale", "JOB N", 2, 2, "", "set the instances of a service job",
	    arkctl_cmd_scale, "N is 0 to 100000. Prints the job as arkd now "
	    "sees it.\n" },
	{ "suspend", "JOB", 1, 1, "", "kill a job's tasks and launch none until "
	    "resumed", arkctl_cmd_suspend, NULL },
	{ "resume", "JOB", 1, 1, "", "launch tasks for a suspended job again",
	    arkctl_cmd_resume, NULL },
	{ "kill", "TASK", 1, 1, "", "kill a task; the restart policy refills "
	    "its slot", arkctl_cmd_kill, NULL },
	{ "reload", "", 0, 0, "", "re-read arkd's configuration file",
	    arkctl_cmd_reload, NULL },
	{ "teardown", "--yes-really", 0, 0, "yes-really", "kill every task, "
	    "remove the framework", arkctl_cmd_teardown,
	    "TEARDOWN kills every task of the framework and removes it from "
	    "Mesos;\nthere is no undo. --yes-really is required.\n" },
	{ "metrics", "", 0, 0, "", "print the Prometheus metrics",
	    arkctl_cmd_metrics, NULL },
	{ "health", "", 0, 0, "", "exit 0 if arkd is alive and ready, "
	    "else 1", arkctl_cmd_health, NULL },
};
#define ARKCTL_NCMDS (sizeof arkctl_cmds / sizeof arkctl_cmds[0])

static const struct arkctl_cmd arkctl_bl_cmds[] = {
	{ "add", "AGENT [--reason R]", 1, 1, "reason", "launch nothing on an "
	    "agent (id or hostname)", arkctl_cmd_bl_add,
	    "  --reason R  why, shown by blacklist ls\n" },
	{ "rm", "AGENT", 1, 1, "", "remove an agent from the blacklist",
	    arkctl_cmd_bl_rm, NULL },
	{ "ls", "", 0, 0, "", "list the blacklist", arkctl_cmd_bl_ls, NULL },
};
#define ARKCTL_NBL (sizeof arkctl_bl_cmds / sizeof arkctl_bl_cmds[0])

/* ---- command line -------------------------------------------------------- */

/* Prints the command list and the global options to f. */
static void
arkctl_usage_main(FILE *f)
{
	fprintf(f,
	    "usage: arkctl [--url URL | --addr HOST:PORT] [--token-file FILE] "
	    "[--ca-file FILE]\n"
	    "              [--json] [--timeout SECONDS] COMMAND [ARGS]\n\n"
	    "Talks to arkd's admin API. The address is --url, --addr, "
	    "$ARK_ADMIN,\nor %s.\n\ncommands:\n", ARKCTL_DEFAULT_URL);
	for (size_t i = 0; i < ARKCTL_NCMDS; i++) {
		char *s = xasprintf("%s %s", arkctl_cmds[i].name,
		    arkctl_cmds[i].args);

		fprintf(f, "  %-20s %s\n", strlen(s) > 20 ?
		    arkctl_cmds[i].name : s, arkctl_cmds[i].help);
		free(s);
	}
	fprintf(f,
	    "\noptions:\n"
	    "  --url URL          admin API root, e.g. https://10.0.0.5:8090\n"
	    "  --addr HOST:PORT   same as --url http://HOST:PORT\n"
	    "  --token-file FILE  bearer token, needed once arkd has "
	    "admin.token_file\n"
	    "                     (default $ARK_ADMIN_TOKEN_FILE)\n"
	    "  --ca-file FILE     CA bundle to verify an https:// arkd with\n"
	    "                     (default $ARK_ADMIN_CA_FILE, else the "
	    "system's)\n"
	    "  --json             print the API's JSON instead of tables\n"
	    "  --timeout SECONDS  give up on a request after this long "
	    "(default 10)\n"
	    "  --help             this text; COMMAND --help for a command\n"
	    "  --version          print arkctl's version\n"
	    "\nexit status: 0 ok, 1 arkd answered an error, 2 usage error, "
	    "3 arkd unreachable.\n");
}

/* Prints the usage of one command (prefix: "blacklist " or "") to f. */
static void
arkctl_usage_cmd(FILE *f, const char *prefix, const struct arkctl_cmd *c)
{
	fprintf(f, "usage: arkctl [options] %s%s%s%s\n\n%s.\n", prefix,
	    c->name, c->args[0] != '\0' ? " " : "", c->args, c->help);
	if (c->detail != NULL)
		fprintf(f, "\n%s", c->detail);
	if (c->run == NULL) {
		fprintf(f, "\nsubcommands:\n");
		for (size_t i = 0; i < ARKCTL_NBL; i++) {
			char *s = xasprintf("%s %s", arkctl_bl_cmds[i].name,
			    arkctl_bl_cmds[i].args);

			fprintf(f, "  %-24s %s\n", s, arkctl_bl_cmds[i].help);
			free(s);
		}
	}
	fprintf(f, "\nSee arkctl --help for the global options.\n");
}

/* Reads the token file: one word, surrounding whitespace dropped. */
static char *
arkctl_read_token(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096 + 2], *p, *e;

	if (f == NULL) {
		arkctl_err("token file %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	for (p = line; *p == ' ' || *p == '\t'; p++)
		;
	e = p + strlen(p);
	while (e > p && isspace((unsigned char)e[-1]))
		*--e = '\0';
	if (*p == '\0') {
		arkctl_err("token file %s: empty", path);
		return NULL;
	}
	return xstrdup(p);
}

/*
 * Matches argv[*i] against --name or --name=value; for options with a value
 * sets *val (from "=value" or the next argument). Returns 1 on a match, 0
 * if not this option, -1 if the value is missing.
 */
static int
arkctl_opt(int argc, char **argv, int *i, const char *name, int has_val,
    const char **val)
{
	const char *s = argv[*i];
	size_t n = strlen(name);

	if (strncmp(s, "--", 2) != 0 || strncmp(s + 2, name, n) != 0)
		return 0;
	if (s[2 + n] == '\0') {
		if (!has_val)
			return 1;
		if (*i + 1 >= argc) {
			arkctl_err("--%s needs a value", name);
			return -1;
		}
		*val = argv[++*i];
		return 1;
	}
	if (s[2 + n] == '=' && has_val) {
		*val = s + 3 + n;
		return 1;
	}
	return 0;
}

/* Whether the space-separated list has name. */
static int
arkctl_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p != '\0';) {
		size_t len = strcspn(p, " ");

		if (len == n && strncmp(p, name, n) == 0)
			return 1;
		p += len;
		p += strspn(p, " ");
	}
	return 0;
}

/*
 * Parses the whole command line: global options anywhere, command options
 * after the command. Returns 0, or ARKCTL_USAGE having said why. Sets
 * *url_opt / *token_file to what was given.
 */
static int
arkctl_parse_args(struct arkctl *a, int argc, char **argv,
    const char **url_opt, const char **addr_opt, const char **token_file,
    const char **ca_file, const char **timeout_opt, int *version)
{
	static const char *cmd_opts[] = { "job", "state", "agent", "reason" };

	for (int i = 1; i < argc; i++) {
		const char *v = NULL, *s = argv[i];
		int m;

		if (strcmp(s, "--") == 0) {
			for (i++; i < argc; i++) {
				if (a->npos == ARKCTL_MAX_POS)
					goto too_many;
				a->pos[a->npos++] = argv[i];
			}
			break;
		}
		/* "-", and negative numbers (scale web -1), are arguments */
		if (s[0] != '-' || s[1] == '\0' || isdigit((unsigned char)s[1])) {
			if (a->npos == ARKCTL_MAX_POS)
				goto too_many;
			a->pos[a->npos++] = s;
			continue;
		}
		if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
			a->help = 1;
			continue;
		}
		if (strcmp(s, "--version") == 0) {
			*version = 1;
			continue;
		}
		if (strcmp(s, "--json") == 0) {
			a->json = 1;
			continue;
		}
		if (strcmp(s, "--yes-really") == 0) {
			a->yes_really = 1;
			continue;
		}
		if ((m = arkctl_opt(argc, argv, &i, "url", 1, url_opt)) != 0 ||
		    (m = arkctl_opt(argc, argv, &i, "addr", 1, addr_opt)) != 0 ||
		    (m = arkctl_opt(argc, argv, &i, "token-file", 1,
		    token_file)) != 0 ||
		    (m = arkctl_opt(argc, argv, &i, "ca-file", 1,
		    ca_file)) != 0 ||
		    (m = arkctl_opt(argc, argv, &i, "timeout", 1,
		    timeout_opt)) != 0) {
			if (m < 0)
				return ARKCTL_USAGE;
			continue;
		}
		for (size_t k = 0; k < sizeof cmd_opts / sizeof cmd_opts[0];
		    k++) {
			m = arkctl_opt(argc, argv, &i, cmd_opts[k], 1, &v);
			if (m < 0)
				return ARKCTL_USAGE;
			if (m == 0)
				continue;
			if (k == 0)
				a->job = v;
			else if (k == 1)
				a->state = v;
			else if (k == 2)
				a->agent = v;
			else
				a->reason = v;
			break;
		}
		if (m > 0)
			continue;
		arkctl_err("unknown option %s (see arkctl --help)", s);
		return ARKCTL_USAGE;
	}
	return 0;
too_many:
	arkctl_err("too many arguments (see arkctl --help)");
	return ARKCTL_USAGE;
}

/* Checks that only options c accepts were given. */
static int
arkctl_check_opts(const struct arkctl *a, const char *prefix,
    const struct arkctl_cmd *c)
{
	static const char *names[] = { "job", "state", "agent", "reason",
	    "yes-really" };
	int given[] = { a->job != NULL, a->state != NULL, a->agent != NULL,
	    a->reason != NULL, a->yes_really };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (given[i] && !arkctl_has(c->opts, names[i])) {
			arkctl_err("%s%s does not take --%s (see arkctl "
			    "%s%s --help)", prefix, c->name, names[i], prefix,
			    c->name);
			return ARKCTL_USAGE;
		}
	return 0;
}

/* Sets the API root from the options, $ARK_ADMIN or the default. */
static int
arkctl_set_base(struct arkctl *a, const char *url, const char *addr)
{
	const char *env = getenv("ARK_ADMIN");
	size_t n;

	if (url != NULL && addr != NULL) {
		arkctl_err("give --url or --addr, not both");
		return ARKCTL_USAGE;
	}
	if (url == NULL && addr == NULL && env != NULL && env[0] != '\0') {
		if (strstr(env, "://") != NULL)
			url = env;
		else
			addr = env;
	}
	if (addr != NULL) {
		if (addr[0] == '\0' || strchr(addr, '/') != NULL ||
		    strchr(addr, ':') == NULL) {
			arkctl_err("bad address \"%s\" (expected HOST:PORT or "
			    "[IPv6]:PORT)", addr);
			return ARKCTL_USAGE;
		}
		a->base = xasprintf("http://%s", addr);
	} else if (url != NULL) {
		if (strncmp(url, "http://", 7) != 0 &&
		    strncmp(url, "https://", 8) != 0) {
			arkctl_err("bad URL \"%s\" (expected http://HOST:PORT)",
			    url);
			return ARKCTL_USAGE;
		}
		a->base = xstrdup(url);
	} else
		a->base = xstrdup(ARKCTL_DEFAULT_URL);
	n = strlen(a->base);
	while (n > 0 && a->base[n - 1] == '/')
		a->base[--n] = '\0';
	return 0;
}

/* Finds a command by name in a table; NULL if none. */
static const struct arkctl_cmd *
arkctl_find(const struct arkctl_cmd *tab, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(tab[i].name, name) == 0)
			return &tab[i];
	return NULL;
}

/* Runs the command line; returns the exit code. */
static int
arkctl_main(struct arkctl *a, int argc, char **argv)
{
	const char *url = NULL, *addr = NULL, *token_file = NULL;
	const char *ca_file = NULL, *timeout = NULL, *prefix = "";
	const struct arkctl_cmd *c;
	int version = 0, first = 1, rc;
	char *end;

	rc = arkctl_parse_args(a, argc, argv, &url, &addr, &token_file,
	    &ca_file, &timeout, &version);
	if (rc != 0)
		return rc;
	if (version) {
		printf("arkctl %s\n", ARK_VERSION);
		return ARKCTL_OK;
	}
	if (a->npos == 0 || strcmp(a->pos[0], "help") == 0) {
		if (a->npos > 1) {
			c = arkctl_find(arkctl_cmds, ARKCTL_NCMDS, a->pos[1]);
			if (c != NULL) {
				arkctl_usage_cmd(stdout, "", c);
				return ARKCTL_OK;
			}
		}
		if (a->help || a->npos > 0) {
			arkctl_usage_main(stdout);
			return ARKCTL_OK;
		}
		arkctl_usage_main(stderr);
		return ARKCTL_USAGE;
	}
	c = arkctl_find(arkctl_cmds, ARKCTL_NCMDS, a->pos[0]);
	if (c == NULL) {
		arkctl_err("unknown command \"%s\" (see arkctl --help)",
		    a->pos[0]);
		return ARKCTL_USAGE;
	}
	if (c->run == NULL) {
		/* blacklist SUBCOMMAND */
		const struct arkctl_cmd *sub = NULL;

		if (a->npos > 1)
			sub = arkctl_find(arkctl_bl_cmds, ARKCTL_NBL,
			    a->pos[1]);
		if (sub == NULL) {
			if (a->help) {
				arkctl_usage_cmd(stdout, "", c);
				return ARKCTL_OK;
			}
			if (a->npos > 1)
				arkctl_err("unknown blacklist subcommand "
				    "\"%s\"", a->pos[1]);
			arkctl_usage_cmd(stderr, "", c);
			return ARKCTL_USAGE;
		}
		c = sub;
		prefix = "blacklist ";
		first = 2;
	}
	if (a->help) {
		arkctl_usage_cmd(stdout, prefix, c);
		return ARKCTL_OK;
	}
	if (a->npos - first < c->nmin || a->npos - first > c->nmax) {
		arkctl_err("%s%s: expected %s%s%s", prefix, c->name, c->name,
		    c->args[0] != '\0' ? " " : "", c->args);
		arkctl_usage_cmd(stderr, prefix, c);
		return ARKCTL_USAGE;
	}
	if (arkctl_check_opts(a, prefix, c) != 0)
		return ARKCTL_USAGE;
	rc = arkctl_set_base(a, url, addr);
	if (rc != 0)
		return rc;
	a->timeout = 10;
	if (timeout != NULL) {
		errno = 0;
		a->timeout = strtod(timeout, &end);
		if (end == timeout || *end != '\0' || errno != 0 ||
		    !(a->timeout > 0) || a->timeout > 86400) {
			arkctl_err("bad --timeout \"%s\" (seconds, more than 0)",
			    timeout);
			return ARKCTL_USAGE;
		}
	}
	if (ca_file == NULL)
		ca_file = getenv("ARK_ADMIN_CA_FILE");
	if (ca_file != NULL && ca_file[0] != '\0') {
		if (access(ca_file, R_OK) != 0) {
			arkctl_err("CA file %s: %s", ca_file, strerror(errno));
			return ARKCTL_USAGE;
		}
		a->ca_file = ca_file;
	}
	if (token_file == NULL)
		token_file = getenv("ARK_ADMIN_TOKEN_FILE");
	if (token_file != NULL && token_file[0] != '\0') {
		a->token = arkctl_read_token(token_file);
		if (a->token == NULL)
			return ARKCTL_USAGE;
	}
	return c->run(a, c);
}

/* Runs arkctl; the exit code is the contract in arkctl(1). */
int
main(int argc, char **argv)
{
	struct arkctl a;
	int rc;

	memset(&a, 0, sizeof a);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		arkctl_err("cannot initialise libcurl");
		return ARKCTL_UNREACHABLE;
	}
	rc = arkctl_main(&a, argc, argv);
	if (fflush(stdout) != 0 && rc == ARKCTL_OK) {
		arkctl_err("cannot write the output: %s", strerror(errno));
		rc = ARKCTL_API;
	}
	free(a.base);
	if (a.token != NULL)
		memset(a.token, 0, strlen(a.token));
	free(a.token);
	curl_global_cleanup();
	return rc;
}
