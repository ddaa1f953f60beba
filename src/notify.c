/*
 * notify — sd_notify(3) in a page: one SOCK_DGRAM socket per message (the
 * messages are rare: start, reload, stop, and a keep-alive every few
 * seconds), no credentials passing, no file descriptor store.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "xmalloc.h"

/* Fills sun from $NOTIFY_SOCKET; returns the address length, or 0. */
static socklen_t
notify_addr(const char *e, struct sockaddr_un *sun)
{
	size_t n = strlen(e);

	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	if (n < 2 || n >= sizeof sun->sun_path || (e[0] != '/' && e[0] != '@'))
		return 0;
	memcpy(sun->sun_path, e, n);
	if (e[0] == '@') {
		/* abstract namespace: a leading NUL, no terminating one */
		sun->sun_path[0] = '\0';
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	}
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

int
notify_send(const char *state)
{
	const char *e = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	socklen_t len;
	ssize_t n;
	int fd, rc = -1;

	if (e == NULL || e[0] == '\0')
		return 1;
	len = notify_addr(e, &sun);
	if (len == 0) {
		log_warn("notify: NOTIFY_SOCKET=\"%s\" is not an absolute path "
		    "or @abstract name that fits a socket address", e);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("notify: socket: %s", strerror(errno));
		return -1;
	}
	do
		n = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
		    (struct sockaddr *)&sun, len);
	while (n == -1 && errno == EINTR);
	if (n == (ssize_t)strlen(state))
		rc = 0;
	else
		log_warn("notify: cannot send \"%s\" to %s: %s", state, e,
		    n == -1 ? strerror(errno) : "short write");
	close(fd);
	return rc;
}

int
notify_ready(void)
{
	return notify_send("READY=1");
}

/* RELOADING=1 with the monotonic time systemd's notify-reload asks for. */
int
notify_reloading(void)
{
	struct timespec ts;
	char s[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(s, sizeof s, "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
	return notify_send(s);
}

int
notify_stopping(void)
{
	return notify_send("STOPPING=1");
}

int
notify_watchdog(void)
{
	return notify_send("WATCHDOG=1");
}

int
notify_status(const char *fmt, ...)
{
	va_list ap;
	char *text, *msg;
	int rc;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	/* A newline would start another assignment. */
	for (char *p = text; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	msg = xasprintf("STATUS=%s", text);
	rc = notify_send(msg);
	free(msg);
	free(text);
	return rc;
}

/* Parses a decimal unsigned number filling the whole string; -1 if not. */
static int
notify_parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long n;

	if (s == NULL || s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*v = n;
	return 0;
}

uint64_t
notify_watchdog_usec(void)
{
	uint64_t usec, pid;
	const char *p = getenv("WATCHDOG_PID");

	if (notify_parse_u64(getenv("WATCHDOG_USEC"), &usec) != 0 || usec == 0)
		return 0;
	if (p != NULL && (notify_parse_u64(p, &pid) != 0 ||
	    pid != (uint64_t)getpid()))
		return 0;
	return usec;
}
