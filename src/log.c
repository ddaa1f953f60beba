/*
 * log — formats one line per call and writes it with a single write(2)
 * (writev(2) for JSON), so lines from ark and its children never interleave
 * mid-line.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "log.h"

enum log_level log_level_current = LOG_LEVEL_INFO;
static enum log_format log_format_current = LOG_FORMAT_PLAIN;
static char log_prog[32] = "ark";

/* The context (log_ctx_set); an empty value is unset. */
static char log_ctx[LOG_CTX_MAX][128];
static const char *log_ctx_keys[LOG_CTX_MAX] = {
	"job", "task", "agent", "state", "reason"
};

static const char *log_level_names[LOG_LEVEL_MAX] = {
	"error", "warn", "info", "debug"
};
/* syslog priorities for the journal: err, warning, info, debug */
static const int log_level_prio[LOG_LEVEL_MAX] = { 3, 4, 6, 7 };

void
log_init(const char *progname, enum log_level level, enum log_format format)
{
	if (progname != NULL)
		snprintf(log_prog, sizeof log_prog, "%s", progname);
	log_level_current = level;
	log_format_current = format;
}

int
log_level_parse(const char *s)
{
	for (int i = 0; i < LOG_LEVEL_MAX; i++)
		if (strcmp(s, log_level_names[i]) == 0)
			return i;
	return -1;
}

int
log_format_parse(const char *s)
{
	if (strcmp(s, "plain") == 0)
		return LOG_FORMAT_PLAIN;
	if (strcmp(s, "journal") == 0)
		return LOG_FORMAT_JOURNAL;
	if (strcmp(s, "json") == 0)
		return LOG_FORMAT_JSON;
	if (strcmp(s, "auto") == 0) {
		/* systemd sets JOURNAL_STREAM when stderr goes to the journal */
		return getenv("JOURNAL_STREAM") != NULL ? LOG_FORMAT_JOURNAL :
		    LOG_FORMAT_PLAIN;
	}
	return -1;
}

const char *
log_level_name(enum log_level l)
{
	return l < LOG_LEVEL_MAX ? log_level_names[l] : "?";
}

void
log_ctx_set(enum log_ctx_key k, const char *value)
{
	if (k >= LOG_CTX_MAX)
		return;
	snprintf(log_ctx[k], sizeof log_ctx[k], "%s", value != NULL ? value :
	    "");
}

void
log_ctx_clear(void)
{
	for (int k = 0; k < LOG_CTX_MAX; k++)
		log_ctx[k][0] = '\0';
}

/*
 * A JSON string of s (new reference): bytes that are not UTF-8 (a path, a
 * peer's text) become '?', since a line that is not JSON would break every
 * reader.
 */
static json_t *
log_json_string(const char *s)
{
	char clean[4096];
	json_t *m = json_string(s);
	size_t i;

	if (m != NULL)
		return m;
	for (i = 0; s[i] != '\0' && i + 1 < sizeof clean; i++)
		clean[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
	clean[i] = '\0';
	return json_string(clean);
}

/*
 * Writes one JSON object and a newline in one writev(2), however long the
 * escaped message gets: ts, level, prog, msg, then the call's fields and
 * the context's (a key the call names wins).
 */
static void
log_write_json(enum log_level level, const char *ts,
    const struct log_field *fields, const char *msg)
{
	json_t *o;
	struct iovec iov[2];
	ssize_t w;
	char *s;

	o = json_pack("{s:s, s:s, s:s, s:o}", "ts", ts, "level",
	    log_level_names[level], "prog", log_prog, "msg",
	    log_json_string(msg));
	for (size_t i = 0; o != NULL && fields != NULL && fields[i].key != NULL;
	    i++)
		if (fields[i].value != NULL)
			json_object_set_new(o, fields[i].key,
			    log_json_string(fields[i].value));
	for (int k = 0; o != NULL && k < LOG_CTX_MAX; k++)
		if (log_ctx[k][0] != '\0' &&
		    json_object_get(o, log_ctx_keys[k]) == NULL)
			json_object_set_new(o, log_ctx_keys[k],
			    log_json_string(log_ctx[k]));
	s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (s == NULL)
		return;
	iov[0].iov_base = s;
	iov[0].iov_len = strlen(s);
	iov[1].iov_base = (void *)(uintptr_t)"\n";
	iov[1].iov_len = 1;
	/* a short write to stderr has nowhere to be reported */
	w = writev(STDERR_FILENO, iov, 2);
	(void)w;
	free(s);
}

static void	log_vwrite(enum log_level, const struct log_field *,
		    const char *, va_list) __attribute__((format(printf, 3, 0)));

/* Formats and writes one line of level with fields (may be NULL). */
static void
log_vwrite(enum log_level level, const struct log_field *fields,
    const char *fmt, va_list ap)
{
	char msg[4096], line[8192], ts[40];
	size_t tn;
	struct timeval tv;
	struct tm tm;
	int n = 0;

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (level >= LOG_LEVEL_MAX)
		level = LOG_LEVEL_DEBUG;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	/* milliseconds: lines of one second are ordered by readers too */
	tn = strftime(ts, sizeof ts - 8, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + tn, sizeof ts - tn, ".%03dZ",
	    (int)(tv.tv_usec / 1000 % 1000));

	switch (log_format_current) {
	case LOG_FORMAT_JOURNAL:
		n = snprintf(line, sizeof line, "<%d>%s\n",
		    log_level_prio[level], msg);
		break;
	case LOG_FORMAT_JSON:
		log_write_json(level, ts, fields, msg);
		return;
	default:
		n = snprintf(line, sizeof line, "%s %s[%ld] %s: %s\n",
		    ts, log_prog, (long)getpid(), log_level_names[level], msg);
		break;
	}
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line) {
		/* truncated: still one whole line */
		n = sizeof line - 1;
		line[n - 1] = '\n';
	}
	/* a short write to stderr has nowhere to be reported */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

void
log_write(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, NULL, fmt, ap);
	va_end(ap);
}

void
log_write_kv(enum log_level level, const struct log_field *fields,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, fields, fmt, ap);
	va_end(ap);
}
