/*
 * check_log — what a log line looks like in each format: JSON lines carry
 * a timestamp with milliseconds, the fields a call names and the context
 * the dispatcher sets (a named field wins), stay JSON whatever the bytes;
 * the level is checked before a field is even computed; plain lines keep
 * their text.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "log.h"
#include "xmalloc.h"

static char path[64];
static int saved_fd = -1;
static int evaluated;	/* how often counted() ran */

/* Sends stderr to a fresh temporary file. */
static void
setup(void)
{
	int fd;

	snprintf(path, sizeof path, "/tmp/check_log.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	saved_fd = dup(STDERR_FILENO);
	ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
	close(fd);
	evaluated = 0;
	log_ctx_clear();
}

static void
teardown(void)
{
	fflush(stderr);
	dup2(saved_fd, STDERR_FILENO);
	close(saved_fd);
	unlink(path);
	log_ctx_clear();
	log_init("ark", LOG_LEVEL_INFO, LOG_FORMAT_PLAIN);
}

/* What was logged so far (caller frees). */
static char *
logged(void)
{
	FILE *f = fopen(path, "r");
	char *s = xcalloc(1, 65536);
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(s, 1, 65535, f);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* The i-th line logged, parsed as JSON (new reference; fails if not). */
static json_t *
json_line(size_t i)
{
	char *s = logged(), *l = s;
	json_error_t e;
	json_t *j;

	for (size_t k = 0; k < i && l != NULL; k++) {
		l = strchr(l, '\n');
		if (l != NULL)
			l++;
	}
	ck_assert_msg(l != NULL && *l != '\0', "no line %zu in: %s", i, s);
	*strchrnul(l, '\n') = '\0';
	j = json_loads(l, 0, &e);
	ck_assert_msg(j != NULL, "line %zu not JSON (%s): %s", i, e.text, l);
	free(s);
	return j;
}

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A field value whose computation the test can see. */
static const char *
counted(void)
{
	evaluated++;
	return "x";
}

START_TEST(test_json_fields_and_ms)
{
	const char *ts;
	json_t *j;

	log_init("arkd", LOG_LEVEL_INFO, LOG_FORMAT_JSON);
	log_info_kv(LOG_FIELDS(LOG_F("job", "web"), LOG_F("task", "web.0.a"),
	    LOG_F("agent", NULL)), "sched: task %s: launch", "web.0.a");
	j = json_line(0);
	ck_assert_str_eq(jstr(j, "msg"), "sched: task web.0.a: launch");
	ck_assert_str_eq(jstr(j, "level"), "info");
	ck_assert_str_eq(jstr(j, "prog"), "arkd");
	ck_assert_str_eq(jstr(j, "job"), "web");
	ck_assert_str_eq(jstr(j, "task"), "web.0.a");
	ck_assert_ptr_null(json_object_get(j, "agent"));	/* NULL: left out */
	/* 2026-12-07T20:41:37.688Z */
	ts = jstr(j, "ts");
	ck_assert_ptr_nonnull(ts);
	ck_assert_uint_eq(strlen(ts), 24);
	ck_assert_int_eq(ts[19], '.');
	ck_assert(ts[20] >= '0' && ts[20] <= '9' && ts[22] >= '0' &&
	    ts[22] <= '9');
	ck_assert_int_eq(ts[23], 'Z');
	json_decref(j);
}
END_TEST

START_TEST(test_json_context)
{
	json_t *j;

	log_init("arkd", LOG_LEVEL_INFO, LOG_FORMAT_JSON);
	log_ctx_set(LOG_CTX_TASK, "web.1.b");
	log_ctx_set(LOG_CTX_AGENT, "S1");
	log_ctx_set(LOG_CTX_STATE, "TASK_FAILED");
	log_ctx_set(LOG_CTX_REASON, "REASON_COMMAND_EXECUTOR_FAILED");
	log_ctx_set(LOG_CTX_JOB, "web");
	log_info("plain call");
	log_warn_kv(LOG_FIELDS(LOG_F("state", "NOT_LAUNCHED")), "named");
	log_ctx_set(LOG_CTX_AGENT, NULL);
	log_info("agent unset");
	log_ctx_clear();
	log_info("cleared");

	j = json_line(0);
	ck_assert_str_eq(jstr(j, "task"), "web.1.b");
	ck_assert_str_eq(jstr(j, "agent"), "S1");
	ck_assert_str_eq(jstr(j, "state"), "TASK_FAILED");
	ck_assert_str_eq(jstr(j, "reason"), "REASON_COMMAND_EXECUTOR_FAILED");
	ck_assert_str_eq(jstr(j, "job"), "web");
	json_decref(j);
	j = json_line(1);	/* the named field wins */
	ck_assert_str_eq(jstr(j, "state"), "NOT_LAUNCHED");
	ck_assert_str_eq(jstr(j, "level"), "warn");
	ck_assert_str_eq(jstr(j, "task"), "web.1.b");
	json_decref(j);
	j = json_line(2);
	ck_assert_ptr_null(json_object_get(j, "agent"));
	ck_assert_str_eq(jstr(j, "task"), "web.1.b");
	json_decref(j);
	j = json_line(3);
	ck_assert_uint_eq(json_object_size(j), 4);	/* ts level prog msg */
	json_decref(j);
}
END_TEST

/* A field is not computed, nor anything written, below the level. */
START_TEST(test_level_before_fields)
{
	char *s;

	log_init("arkd", LOG_LEVEL_INFO, LOG_FORMAT_JSON);
	log_debug_kv(LOG_FIELDS(LOG_F("job", counted())), "hidden %s",
	    counted());
	ck_assert_int_eq(evaluated, 0);
	s = logged();
	ck_assert_str_eq(s, "");
	free(s);
	log_info_kv(LOG_FIELDS(LOG_F("job", counted())), "shown");
	ck_assert_int_eq(evaluated, 1);
}
END_TEST

/* Bytes that are not UTF-8, in the text or a field, keep the line JSON. */
START_TEST(test_json_not_utf8)
{
	json_t *j;

	log_init("arkd", LOG_LEVEL_INFO, LOG_FORMAT_JSON);
	log_ctx_set(LOG_CTX_TASK, "t\xff");
	log_info_kv(LOG_FIELDS(LOG_F("job", "j\xfe")), "m\xff");
	j = json_line(0);
	ck_assert_str_eq(jstr(j, "msg"), "m?");
	ck_assert_str_eq(jstr(j, "job"), "j?");
	ck_assert_str_eq(jstr(j, "task"), "t?");
	json_decref(j);
}
END_TEST

/* Plain lines: the text only, with milliseconds; no fields. */
START_TEST(test_plain_unchanged)
{
	char *s;

	log_init("arkd", LOG_LEVEL_INFO, LOG_FORMAT_PLAIN);
	log_ctx_set(LOG_CTX_TASK, "web.1.b");
	log_info_kv(LOG_FIELDS(LOG_F("job", "web")), "sched: hello");
	s = logged();
	ck_assert_msg(strlen(s) > 25 && s[19] == '.' && s[23] == 'Z' &&
	    s[24] == ' ', "%s", s);
	ck_assert_ptr_nonnull(strstr(s, " info: sched: hello\n"));
	ck_assert_ptr_null(strstr(s, "web.1.b"));
	ck_assert_ptr_null(strstr(s, "job"));
	free(s);
}
END_TEST

static Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("formats");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_json_fields_and_ms);
	tcase_add_test(tc, test_json_context);
	tcase_add_test(tc, test_level_before_fields);
	tcase_add_test(tc, test_json_not_utf8);
	tcase_add_test(tc, test_plain_unchanged);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(log_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
