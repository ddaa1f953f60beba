/*
 * notify — systemd's readiness protocol without libsystemd: datagrams of
 * "NAME=value" lines sent to the AF_UNIX socket named by $NOTIFY_SOCKET (a
 * path, or an abstract socket written with a leading '@'). Outside systemd
 * ($NOTIFY_SOCKET unset) every call does nothing and returns 1.
 */
#ifndef ARK_NOTIFY_H
#define ARK_NOTIFY_H

#include <stdint.h>

/*
 * Sends state (one or more "NAME=value" lines) as one datagram. Returns 0
 * when sent, 1 when not under systemd, -1 when $NOTIFY_SOCKET is unusable
 * or the send failed (logged; never fatal).
 */
int		 notify_send(const char *state);
int		 notify_ready(void);		/* READY=1 */
int		 notify_reloading(void);	/* RELOADING=1 */
int		 notify_stopping(void);		/* STOPPING=1 */
int		 notify_watchdog(void);		/* WATCHDOG=1 */
/* STATUS=<text>, newlines folded to spaces. */
int		 notify_status(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));
/*
 * The watchdog period systemd expects keep-alives within, in µs, from
 * $WATCHDOG_USEC (and $WATCHDOG_PID, if set, naming this process); 0 when
 * the watchdog is off. Send WATCHDOG=1 at least every half of it.
 */
uint64_t	 notify_watchdog_usec(void);

#endif
