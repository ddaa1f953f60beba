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

/*
 * Writes one JSON object and a newline in one writev(2), however long the
 * escaped message gets. Bytes of msg that are not UTF-8 (a path, a peer's
 * text) become '?': a line that is not JSON would break every reader.
 */
static void
log_write_json(enum log_level level, const char *ts, const char *msg)
{
	char clean[4096];
	json_t *m = json_string(msg), *o;
	struct iovec iov[2];
	ssize_t w;
	char *s;
	size_t i;

	if (m == NULL) {
		for (i = 0; msg[i] != '\0' && i + 1 < sizeof clean; i++)
			clean[i] = (unsigned char)msg[i] < 0x80 ? msg[i] : '?';
		clean[i] = '\0';
		m = json_string(clean);
	}
	o = json_pack("{s:s+, s:s, s:s, s:o}", "ts", ts, "Z", "level",
	    log_level_names[level], "prog", log_prog, "msg", m);
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

void
log_write(enum log_level level, const char *fmt, ...)
{
	char msg[4096], line[8192], ts[40];
	struct timeval tv;
	struct tm tm;
	va_list ap;
	int n = 0;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (level >= LOG_LEVEL_MAX)
		level = LOG_LEVEL_DEBUG;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);

	switch (log_format_current) {
	case LOG_FORMAT_JOURNAL:
		n = snprintf(line, sizeof line, "<%d>%s\n",
		    log_level_prio[level], msg);
		break;
	case LOG_FORMAT_JSON:
		log_write_json(level, ts, msg);
		return;
	default:
		n = snprintf(line, sizeof line, "%s.%03ldZ %s[%ld] %s: %s\n",
		    ts, (long)(tv.tv_usec / 1000), log_prog, (long)getpid(),
		    log_level_names[level], msg);
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
