/*
 * check_lint — scripts/lint-layers, the layer rule of HACKING.md, on small
 * fixture trees: a clean tree passes; an include up a layer, an include
 * circle, a call up a layer and a call circle (from objects compiled here)
 * each fail with a line naming the files; a file in no layer fails; the
 * edges the map allows pass (the store's row helpers from the core), the
 * rest of their module does not. And the real tree passes.
 */
#include <sys/stat.h>
#include <sys/wait.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Writes src/<name> of the fixture tree. */
static void
put(const char *name, const char *text)
{
	char path[512];

	snprintf(path, sizeof path, "%s/src/%s", dir, name);
	ck_assert_int_eq(tu_write_file(path, text, 0644), 0);
}

/* Whether out reports a circle of kind ("include", "call") of a and b. */
static int
circle(const char *out, const char *kind, const char *a, const char *b)
{
	char *ab = xasprintf("%s circle in src/: %s -> %s -> %s", kind, a,
	    b, a);
	char *ba = xasprintf("%s circle in src/: %s -> %s -> %s", kind, b,
	    a, b);
	int found = strstr(out, ab) != NULL || strstr(out, ba) != NULL;

	free(ab);
	free(ba);
	return found;
}

/* Runs lint-layers on the fixture tree; returns its status, *out its text. */
static int
lint(char **out)
{
	char *cmd = xasprintf("'%s/scripts/lint-layers' -C '%s' build 2>&1",
	    ARK_SRCDIR, dir);
	int rc = sh(cmd, out);

	free(cmd);
	return rc;
}

/* Compiles src/<name>.c of the fixture tree into build/src/<name>.o. */
static void
cc(const char *name)
{
	char *cmd, *out;

	cmd = xasprintf("cd '%s' && mkdir -p build/src && cc -c -o "
	    "build/src/%s.o src/%s.c 2>&1", dir, name, name);
	ck_assert_msg(sh(cmd, &out) == 0, "cc %s: %s", name, out);
	free(out);
	free(cmd);
}

static void
setup(void)
{
	char path[512];

	dir = tu_tmpdir("lint");
	snprintf(path, sizeof path, "%s/src", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	/* msg (wire) below admin (io), as in the real map */
	put("msg.h", "int msg_f(void);\n");
	put("msg.c", "#include \"msg.h\"\nint msg_f(void) { return 1; }\n");
	put("admin.h", "int admin_g(void);\n");
	put("admin.c", "#include \"admin.h\"\n#include \"msg.h\"\n"
	    "int admin_g(void) { return msg_f(); }\n");
}

static void
teardown(void)
{
	tu_rmtree(dir);
	free(dir);
}

START_TEST(test_clean)
{
	char *out;

	cc("msg");
	cc("admin");
	ck_assert_msg(lint(&out) == 0, "%s", out);
	ck_assert_ptr_null(strstr(out, "lint-layers:"));
	free(out);
}
END_TEST

START_TEST(test_include_up)
{
	char *out;

	put("msg.c", "#include \"msg.h\"\n#include \"admin.h\"\n"
	    "int msg_f(void) { return 1; }\n");
	ck_assert_int_eq(lint(&out), 1);
	ck_assert_msg(strstr(out, "src/msg.c include admin admin.h: msg (wire) "
	    "may not reach up to admin (io)") != NULL, "%s", out);
	ck_assert_msg(circle(out, "include", "admin", "msg"), "%s", out);
	free(out);
}
END_TEST

START_TEST(test_include_circle)
{
	char *out;

	/* both in the core: no layer is crossed, the circle alone fails */
	put("offers.h", "#include \"reconcile.h\"\n");
	put("reconcile.h", "#include \"offers.h\"\n");
	ck_assert_int_eq(lint(&out), 1);
	ck_assert_msg(circle(out, "include", "offers", "reconcile"), "%s",
	    out);
	ck_assert_ptr_null(strstr(out, "may not reach up"));
	free(out);
}
END_TEST

START_TEST(test_call_up_and_circle)
{
	char *out;

	/* no include says so: only the symbols show msg calling admin */
	put("msg.c", "int admin_g(void);\nint msg_f(void);\n"
	    "int msg_f(void) { return admin_g(); }\n");
	cc("msg");
	cc("admin");
	ck_assert_int_eq(lint(&out), 1);
	ck_assert_msg(strstr(out, "src/msg.o call admin admin_g(): msg (wire) "
	    "may not reach up to admin (io)") != NULL, "%s", out);
	ck_assert_msg(circle(out, "call", "admin", "msg"), "%s", out);
	ck_assert_ptr_null(strstr(out, "include circle"));
	free(out);
}
END_TEST

START_TEST(test_unmapped)
{
	char *out;

	put("newthing.c", "#include \"msg.h\"\n");
	ck_assert_int_eq(lint(&out), 1);
	ck_assert_msg(strstr(out, "src/newthing is in no layer") != NULL, "%s",
	    out);
	free(out);
}
END_TEST

START_TEST(test_allowed_and_family)
{
	char *out;

	/* an edge the map allows, and the sched family's internal header */
	put("store.h", "struct store_task { int x; };\n");
	put("effect.h", "#include \"store.h\"\n");
	put("sched.h", "#include \"effect.h\"\n");
	put("sched-int.h", "#include \"sched.h\"\n");
	put("sched.c", "#include \"sched-int.h\"\n");
	put("sched-slot.c", "#include \"sched-int.h\"\n");
	ck_assert_msg(lint(&out) == 0, "%s", out);
	free(out);
	/* the row helpers are allowed to the core; the rest of store is not */
	put("store.c", "void store_history_clear(void);\n"
	    "void store_commit(void);\n"
	    "void store_history_clear(void) {}\nvoid store_commit(void) {}\n");
	put("sched-slot.c", "void store_history_clear(void);\n"
	    "void sched_slot_x(void);\n"
	    "void sched_slot_x(void) { store_history_clear(); }\n");
	cc("store");
	cc("sched-slot");
	ck_assert_msg(lint(&out) == 0, "%s", out);
	free(out);
	put("sched-slot.c", "void store_commit(void);\n"
	    "void sched_slot_x(void);\n"
	    "void sched_slot_x(void) { store_commit(); }\n");
	cc("sched-slot");
	ck_assert_int_eq(lint(&out), 1);
	ck_assert_msg(strstr(out, "src/sched-slot.o call store store_commit(): "
	    "sched-slot (core) may not reach up to store (io)") != NULL, "%s",
	    out);
	free(out);
}
END_TEST

START_TEST(test_real_tree)
{
	char *cmd, *out;

	/* the objects of the build the suite runs from */
	cmd = xasprintf("'%s/scripts/lint-layers' '%s' 2>&1", ARK_SRCDIR,
	    ARK_BUILDDIR);
	ck_assert_msg(sh(cmd, &out) == 0, "%s", out);
	ck_assert_ptr_null(strstr(out, "no objects"));
	free(out);
	free(cmd);
}
END_TEST

static Suite *
lint_suite(void)
{
	Suite *s = suite_create("lint");
	TCase *tc = tcase_create("layers");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_clean);
	tcase_add_test(tc, test_include_up);
	tcase_add_test(tc, test_include_circle);
	tcase_add_test(tc, test_call_up_and_circle);
	tcase_add_test(tc, test_unmapped);
	tcase_add_test(tc, test_allowed_and_family);
	tcase_add_test(tc, test_real_tree);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(lint_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
