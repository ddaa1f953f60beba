/*
 * check_systemd — the unit make generates from systemd/arkd.service.in
 * (build/arkd.service, the one make install installs) has its paths filled
 * in and passes `systemd-analyze verify` without a single remark, its
 * Documentation= man pages resolve to the pages in docs/, and
 * `systemd-analyze security` rates its exposure at 2.0 or better. Only the
 * path of arkd is moved, to a stand-in in a private directory, so that the
 * unit's commands exist.
 */
#include <sys/stat.h>
#include <sys/wait.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "xmalloc.h"
#include "../lib/testutil.h"

static char *dir;

/* Runs a shell command; its exit status, and its output (caller frees). */
static int
sh(const char *cmd, char **out)
{
	int st = tu_sh(cmd, out);

	ck_assert_msg(*out != NULL, "cannot run %s", cmd);
	return st;
}

static void
setup(void)
{
	char *cmd, *out;
	int rc;

	ck_assert_msg(system("command -v systemd-analyze >/dev/null") == 0,
	    "systemd-analyze is missing: run scripts/install-deps");
	dir = tu_tmpdir("systemd");
	/* the generated unit, with arkd moved to a stand-in in dir */
	cmd = xasprintf("set -e; cd '%s'; mkdir -p sbin man/man1 man/man5 "
	    "man/man8; printf '#!/bin/sh\\nexit 0\\n' > sbin/arkd; "
	    "chmod 755 sbin/arkd; cp '%s/arkd.service' generated.service; "
	    "sed -e 's|%s/arkd |%s/sbin/arkd |g' generated.service > "
	    "arkd.service; cp '%s/docs/arkctl.1' man/man1/; "
	    "cp '%s/docs/arkd.8' man/man8/; "
	    "cp '%s/docs/arkd.json.5' man/man5/ 2>&1", dir, ARK_BUILDDIR,
	    ARK_SBINDIR, dir, ARK_SRCDIR, ARK_SRCDIR, ARK_SRCDIR);
	rc = sh(cmd, &out);
	ck_assert_msg(rc == 0, "install into %s failed: %s", dir, out);
	free(out);
	free(cmd);
}

static void
teardown(void)
{
	tu_rmtree(dir);
	free(dir);
}

START_TEST(test_placeholders_filled)
{
	char *cmd = xasprintf("grep -nE '@[a-z_]+@' '%s/generated.service'",
	    dir);
	char *out;

	ck_assert_msg(sh(cmd, &out) == 1, "placeholders left: %s", out);
	free(out);
	free(cmd);
	/* and the template has them: the test above is not vacuous */
	cmd = xasprintf("grep -c '@sbindir@' '%s/systemd/arkd.service.in'",
	    ARK_SRCDIR);
	ck_assert_int_eq(sh(cmd, &out), 0);
	free(out);
	free(cmd);
}
END_TEST

START_TEST(test_verify)
{
	char *cmd, *out;
	int rc;

	cmd = xasprintf("cd '%s' && MANPATH='%s/man' systemd-analyze verify "
	    "arkd.service 2>&1", dir, dir);
	rc = sh(cmd, &out);
	ck_assert_msg(rc == 0 && out[0] == '\0', "systemd-analyze verify "
	    "exit %d:\n%s", rc, out);
	free(out);
	free(cmd);
}
END_TEST

START_TEST(test_verify_catches)
{
	char *cmd, *out;
	int rc;

	/* the same check refuses a broken unit: it is not vacuous */
	cmd = xasprintf("cd '%s' && sed 's/^Type=notify/Type=notifyy/' "
	    "arkd.service > broken.service && MANPATH='%s/man' "
	    "systemd-analyze verify broken.service 2>&1", dir, dir);
	rc = sh(cmd, &out);
	ck_assert_msg(rc != 0 || out[0] != '\0', "a bad Type= passed");
	free(out);
	free(cmd);
}
END_TEST

START_TEST(test_security)
{
	char *cmd, *out;
	int rc;

	cmd = xasprintf("cd '%s' && MANPATH='%s/man' systemd-analyze security "
	    "--offline=yes --threshold=20 arkd.service 2>&1", dir, dir);
	rc = sh(cmd, &out);
	ck_assert_msg(rc == 0, "exposure above 2.0:\n%s", out);
	ck_assert(strstr(out, "Overall exposure level") != NULL);
	free(out);
	free(cmd);
}
END_TEST

START_TEST(test_unit_contents)
{
	static const char *want[] = {
		"Type=notify\n", "WatchdogSec=30\n", "Restart=on-failure\n",
		"RestartSec=2\n", "ExecReload=/bin/kill -HUP $MAINPID\n",
		"StateDirectory=ark\n", "StateDirectoryMode=0700\n",
		"DynamicUser=yes\n", "NoNewPrivileges=yes\n",
		"ProtectSystem=strict\n", "CapabilityBoundingSet=\n",
		"RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX\n",
		"SystemCallFilter=@system-service\n", "UMask=0077\n",
	};
	char *path = xasprintf("%s/generated.service", dir), *cmd, *out;

	cmd = xasprintf("cat '%s'", path);
	ck_assert_int_eq(sh(cmd, &out), 0);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(strstr(out, want[i]) != NULL, "no %s", want[i]);
	{
		/* the build's paths, as make install puts them */
		char *exec = xasprintf("ExecStart=%s/arkd --config "
		    "%s/ark/arkd.json\n", ARK_SBINDIR, ARK_SYSCONFDIR);

		ck_assert_msg(strstr(out, exec) != NULL, "no %s", exec);
		free(exec);
	}
	free(out);
	free(cmd);
	free(path);
}
END_TEST

static Suite *
systemd_suite(void)
{
	Suite *s = suite_create("systemd");
	TCase *tc = tcase_create("unit");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_placeholders_filled);
	tcase_add_test(tc, test_verify);
	tcase_add_test(tc, test_verify_catches);
	tcase_add_test(tc, test_security);
	tcase_add_test(tc, test_unit_contents);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(systemd_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
