/*
 * check_notify — the systemd notify protocol against a test double of
 * systemd: an AF_UNIX datagram socket bound here (by path, and in the
 * abstract namespace) receives exactly what notify sends. Also: nothing is
 * sent outside systemd, bad $NOTIFY_SOCKET values fail softly, and the
 * watchdog period follows $WATCHDOG_USEC and $WATCHDOG_PID.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <check.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

static int sock = -1;
static char path[108];

/* Binds the double: a path when abstract is 0, else an abstract name. */
static void
bind_double(int abstract)
{
	struct sockaddr_un sun;
	socklen_t len;
	char env[128];

	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(sock, 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (abstract) {
		snprintf(env, sizeof env, "@ark-check-notify-%d", (int)getpid());
		memcpy(sun.sun_path, env, strlen(env));
		sun.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    strlen(env));
		path[0] = '\0';
	} else {
		snprintf(path, sizeof path, "/tmp/ark-notify-%d.sock",
		    (int)getpid());
		unlink(path);
		snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
		len = sizeof sun;
		snprintf(env, sizeof env, "%s", path);
	}
	ck_assert_int_eq(bind(sock, (struct sockaddr *)&sun, len), 0);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", env, 1), 0);
}

static void
setup_path(void)
{
	log_init("check_notify", LOG_LEVEL_ERROR, LOG_FORMAT_PLAIN);
	bind_double(0);
}

static void
setup_abstract(void)
{
	log_init("check_notify", LOG_LEVEL_ERROR, LOG_FORMAT_PLAIN);
	bind_double(1);
}

static void
teardown(void)
{
	close(sock);
	sock = -1;
	if (path[0] != '\0')
		unlink(path);
	unsetenv("NOTIFY_SOCKET");
}

/* Receives one datagram (5 s at most) into a static buffer. */
static const char *
receive(void)
{
	static char msg[4096];
	struct pollfd p = { .fd = sock, .events = POLLIN };
	ssize_t n;

	ck_assert_msg(poll(&p, 1, 5000) == 1, "nothing was sent");
	n = recv(sock, msg, sizeof msg - 1, 0);
	ck_assert_int_gt(n, 0);
	msg[n] = '\0';
	return msg;
}

/* Asserts that no datagram is waiting. */
static void
nothing_waiting(void)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };

	ck_assert_int_eq(poll(&p, 1, 50), 0);
}

static void
exchange(void)
{
	const char *m;

	ck_assert_int_eq(notify_ready(), 0);
	ck_assert_str_eq(receive(), "READY=1");
	ck_assert_int_eq(notify_status("subscribed to %s, %d tasks",
	    "127.0.0.1:5050", 12), 0);
	ck_assert_str_eq(receive(), "STATUS=subscribed to 127.0.0.1:5050, 12 "
	    "tasks");
	ck_assert_int_eq(notify_watchdog(), 0);
	ck_assert_str_eq(receive(), "WATCHDOG=1");
	ck_assert_int_eq(notify_reloading(), 0);
	m = receive();
	ck_assert_msg(strncmp(m, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0 &&
	    strlen(m) > 27, "%s", m);
	ck_assert_int_eq(notify_stopping(), 0);
	ck_assert_str_eq(receive(), "STOPPING=1");
	nothing_waiting();
}

START_TEST(test_path)
{
	exchange();
}
END_TEST

START_TEST(test_abstract)
{
	exchange();
}
END_TEST

START_TEST(test_status_newlines)
{
	ck_assert_int_eq(notify_status("two\nlines\r"), 0);
	ck_assert_str_eq(receive(), "STATUS=two lines ");
	ck_assert_int_eq(notify_send("READY=1\nSTATUS=ready"), 0);
	ck_assert_str_eq(receive(), "READY=1\nSTATUS=ready");
}
END_TEST

START_TEST(test_not_under_systemd)
{
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(notify_ready(), 1);
	ck_assert_int_eq(notify_watchdog(), 1);
	setenv("NOTIFY_SOCKET", "", 1);
	ck_assert_int_eq(notify_stopping(), 1);
	nothing_waiting();
}
END_TEST

START_TEST(test_bad_socket)
{
	char longname[200];

	setenv("NOTIFY_SOCKET", "relative/path", 1);
	ck_assert_int_eq(notify_ready(), -1);
	memset(longname, 'x', sizeof longname - 1);
	longname[0] = '/';
	longname[sizeof longname - 1] = '\0';
	setenv("NOTIFY_SOCKET", longname, 1);
	ck_assert_int_eq(notify_ready(), -1);
	setenv("NOTIFY_SOCKET", "/nonexistent/ark/notify.sock", 1);
	ck_assert_int_eq(notify_ready(), -1);
	setenv("NOTIFY_SOCKET", "@", 1);
	ck_assert_int_eq(notify_ready(), -1);
	nothing_waiting();
}
END_TEST

START_TEST(test_watchdog_usec)
{
	char pid[32];

	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	ck_assert_uint_eq(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	ck_assert_uint_eq(notify_watchdog_usec(), 30000000);
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	ck_assert_uint_eq(notify_watchdog_usec(), 30000000);
	/* meant for another process */
	snprintf(pid, sizeof pid, "%d", (int)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	ck_assert_uint_eq(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_PID", "junk", 1);
	ck_assert_uint_eq(notify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "junk", 1);
	ck_assert_uint_eq(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "0", 1);
	ck_assert_uint_eq(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "-5", 1);
	ck_assert_uint_eq(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "12x", 1);
	ck_assert_uint_eq(notify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_USEC");
}
END_TEST

static Suite *
notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc;

	tc = tcase_create("path");
	tcase_add_checked_fixture(tc, setup_path, teardown);
	tcase_add_test(tc, test_path);
	tcase_add_test(tc, test_status_newlines);
	tcase_add_test(tc, test_not_under_systemd);
	tcase_add_test(tc, test_bad_socket);
	tcase_add_test(tc, test_watchdog_usec);
	suite_add_tcase(s, tc);
	tc = tcase_create("abstract");
	tcase_add_checked_fixture(tc, setup_abstract, teardown);
	tcase_add_test(tc, test_abstract);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(notify_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
