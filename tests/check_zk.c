/*
 * check_zk — the pure parts of ZooKeeper support: zk:// URLs, sequential
 * node names and which of them leads, and the masters' JSON MasterInfo.
 * The client itself is tested against a real server in it/check_zk.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "log.h"
#include "master-zk.h"
#include "zk.h"

START_TEST(test_url_ok)
{
	static const struct {
		const char *in, *hosts, *path;
	} ok[] = {
		{ "zk://127.0.0.1:2181/mesos", "127.0.0.1:2181", "/mesos" },
		{ "zk://z1:2181,z2:2182,z3.example.org:2183/mesos/prod",
		  "z1:2181,z2:2182,z3.example.org:2183", "/mesos/prod" },
		{ "ZK://h:1/a/", "h:1", "/a" },
		{ "zk://[::1]:2181,h_x-1:65535/ark/web-1", "[::1]:2181,h_x-1:65535",
		  "/ark/web-1" },
	};

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct zk_url u;
		char *cause = NULL;

		ck_assert_msg(zk_url_parse(ok[i].in, &u, &cause) == 0, "%s: %s",
		    ok[i].in, cause);
		ck_assert_str_eq(u.hosts, ok[i].hosts);
		ck_assert_str_eq(u.path, ok[i].path);
		zk_url_clear(&u);
	}
}
END_TEST

START_TEST(test_url_errors)
{
	static const struct {
		const char *in, *want;
	} bad[] = {
		{ "http://h:1/mesos", "does not start with zk://" },
		{ "zk://h:2181", "has no path" },
		{ "zk:///mesos", "no host" },
		{ "zk://h/mesos", "a host without a port" },
		{ "zk://h:/mesos", "a host without a port" },
		{ "zk://:2181/mesos", "a port without a host" },
		{ "zk://h:21x/mesos", "not a number" },
		{ "zk://h:70000/mesos", "above 65535" },
		{ "zk://h:0/mesos", "port 0" },
		{ "zk://a:1,,b:2/mesos", "an empty host between commas" },
		{ "zk://a:1,/mesos", "an empty host between commas" },
		{ "zk://u:p@h:1/mesos", "credentials" },
		{ "zk://h!x:1/mesos", "a bad host name" },
		{ "zk://[::1/mesos", "[addr]:port" },
		{ "zk://[::g]:1/mesos", "a bad IPv6 address" },
		{ "zk://h:1/", "below the root" },
		{ "zk://h:1//", "below the root" },
		{ "zk://h:1/a//b", "empty component" },
		{ "zk://h:1/a/../b", ". or .. component" },
		{ "zk://h:1/a/./b", ". or .. component" },
		{ "zk://h:1/a?x=1", "query or fragment" },
		{ "zk://h:1/a\tb", "control character" },
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct zk_url u;
		char *cause = NULL;

		ck_assert_msg(zk_url_parse(bad[i].in, &u, &cause) == -1,
		    "%s accepted", bad[i].in);
		ck_assert_msg(strstr(cause, bad[i].want) != NULL,
		    "%s: '%s' lacks '%s'", bad[i].in, cause, bad[i].want);
		/* the message names the URL it is about */
		ck_assert_msg(strstr(cause, bad[i].in) != NULL, "%s", cause);
		free(cause);
		ck_assert_ptr_null(u.hosts);
		ck_assert_ptr_null(u.path);
	}
}
END_TEST

START_TEST(test_seq)
{
	ck_assert_int_eq(zk_seq("json.info_0000000012", "json.info_"), 12);
	ck_assert_int_eq(zk_seq("json.info_0000000000", "json.info_"), 0);
	ck_assert_int_eq(zk_seq("json.info_12345678901", "json.info_"),
	    12345678901LL);
	ck_assert_int_eq(zk_seq("member_a1b2_0000000007", "member_"), 7);
	/* the deprecated binary nodes and the others are no masters */
	ck_assert_int_eq(zk_seq("info_0000000001", "json.info_"), -1);
	ck_assert_int_eq(zk_seq("log_replicas", "json.info_"), -1);
	ck_assert_int_eq(zk_seq("json.info_", "json.info_"), -1);
	ck_assert_int_eq(zk_seq("json.info_12", "json.info_"), -1);
	ck_assert_int_eq(zk_seq("json.info_0000000001x", "json.info_"), -1);
	ck_assert_int_eq(zk_seq("json.info_1234567890123456789",
	    "json.info_"), -1);
	ck_assert_int_eq(zk_seq("", "json.info_"), -1);
}
END_TEST

/* Copies of string literals that the char *const * interface can take. */
static char **
dupv(const char *const *v, size_t n)
{
	char **d = calloc(n, sizeof *d);

	ck_assert_ptr_nonnull(d);
	for (size_t i = 0; i < n; i++)
		d[i] = strdup(v[i]);
	return d;
}

static void
freev(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

START_TEST(test_lowest_and_before)
{
	static const char *const k[] = {
		"log_replicas", "json.info_0000000031", "info_0000000001",
		"json.info_0000000007", "json.info_0000000019",
		"json.info_garbage", "member_x_0000000002",
	};
	static const char *const nk[] = { "log_replicas", "info_0000000001" };
	static const char *const tk[] = {
		"member_b_0000000004", "member_a_0000000004"
	};
	size_t n = sizeof k / sizeof k[0];
	char **kids = dupv(k, n), **none = dupv(nk, 2), **tie = dupv(tk, 2);

	ck_assert_int_eq(zk_lowest(kids, n, "json.info_"), 3);
	ck_assert_int_eq(zk_lowest(kids, n, "member_"), 6);
	ck_assert_int_eq(zk_lowest(none, 2, "json.info_"), -1);
	ck_assert_int_eq(zk_lowest(NULL, 0, "json.info_"), -1);
	ck_assert_int_eq(zk_lowest(tie, 2, "member_"), 1);
	/* the node just before a sequence number: whom a follower watches */
	ck_assert_int_eq(zk_before(kids, n, "json.info_", 31), 4);
	ck_assert_int_eq(zk_before(kids, n, "json.info_", 19), 3);
	ck_assert_int_eq(zk_before(kids, n, "json.info_", 7), -1);
	ck_assert_int_eq(zk_before(kids, n, "json.info_", 100), 1);
	freev(kids, n);
	freev(none, 2);
	freev(tie, 2);
}
END_TEST

/* A MasterInfo as Mesos 1.12 writes it into ZooKeeper. */
static const char mesos_info[] =
    "{\"address\":{\"hostname\":\"m1.example.org\",\"ip\":\"10.0.0.5\","
    "\"port\":5050},\"capabilities\":[{\"type\":\"AGENT_UPDATE\"},"
    "{\"type\":\"AGENT_DRAINING\"},{\"type\":\"QUOTA_V2\"}],"
    "\"hostname\":\"m1.example.org\",\"id\":\"6c7a3f2e-1d44-4f7e-9d55-"
    "1f0e8f7c2a11\",\"ip\":83886090,\"pid\":\"master@10.0.0.5:5050\","
    "\"port\":5050,\"version\":\"1.12.0\",\"domain\":{\"fault_domain\":"
    "{\"region\":{\"name\":\"r\"},\"zone\":{\"name\":\"z\"}}},"
    "\"some_future_field\":1}";

START_TEST(test_info_url)
{
	static const struct {
		const char *json, *want;
	} ok[] = {
		{ mesos_info, "http://10.0.0.5:5050/api/v1/scheduler" },
		/* no address: hostname and port */
		{ "{\"id\":\"x\",\"ip\":16777343,\"port\":5051,\"hostname\":"
		  "\"m2\"}", "http://m2:5051/api/v1/scheduler" },
		/* an address without ip: its hostname and its port */
		{ "{\"id\":\"x\",\"ip\":0,\"port\":1,\"hostname\":\"h\","
		  "\"address\":{\"hostname\":\"a\",\"port\":5052}}",
		  "http://a:5052/api/v1/scheduler" },
		/* nothing but ip (network order, as Mesos has it) */
		{ "{\"id\":\"x\",\"ip\":16777343,\"port\":5053}",
		  "http://127.0.0.1:5053/api/v1/scheduler" },
		{ "{\"id\":\"x\",\"ip\":0,\"port\":5050,\"address\":{\"ip\":"
		  "\"::1\",\"port\":5054}}",
		  "http://[::1]:5054/api/v1/scheduler" },
	};

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		char *cause = NULL;
		char *url = master_zk_info_url(ok[i].json, strlen(ok[i].json),
		    &cause);

		ck_assert_msg(url != NULL, "%s: %s", ok[i].json, cause);
		ck_assert_str_eq(url, ok[i].want);
		free(url);
	}
}
END_TEST

/* In the table below: the length of the string. */
#define SZ	((size_t)-1)

START_TEST(test_info_errors)
{
	static const struct {
		const char *data;
		size_t len;
		const char *want;
	} bad[] = {
		{ "", SZ, "empty MasterInfo" },
		{ "\x0a\x24" "abc", 5, "binary info_" },
		{ "{\"id\":", SZ, "not a JSON MasterInfo" },
		{ "{\"id\":\"x\",\"port\":5050}", SZ, "not a JSON MasterInfo" },
		{ "{\"id\":\"x\",\"ip\":\"no\",\"port\":5050}", SZ,
		  "not a JSON MasterInfo" },
		{ "{\"id\":\"x\",\"ip\":0,\"port\":5050}", SZ,
		  "names no address" },
		{ "{\"id\":\"x\",\"ip\":1,\"port\":0,\"hostname\":\"h\"}", SZ,
		  "has port 0" },
		{ "{\"id\":\"x\",\"ip\":1,\"port\":1,\"address\":{\"ip\":\"a\","
		  "\"port\":70000}}", SZ, "has port 70000" },
		{ "{\"id\":\"x\",\"ip\":1,\"port\":1,\"hostname\":\"a/b\"}", SZ,
		  "bad host 'a/b'" },
	};
	char *big, *cause = NULL;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *url;

		cause = NULL;
		url = master_zk_info_url(bad[i].data, bad[i].len == SZ ?
		    strlen(bad[i].data) : bad[i].len, &cause);
		ck_assert_msg(url == NULL, "case %zu accepted: %s", i, url);
		ck_assert_msg(strstr(cause, bad[i].want) != NULL,
		    "case %zu: '%s' lacks '%s'", i, cause, bad[i].want);
		free(cause);
	}
	big = calloc(1, 100000);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', 99999);
	big[0] = '{';
	ck_assert_ptr_null(master_zk_info_url(big, 99999, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "at most"));
	free(cause);
	free(big);
}
END_TEST

static Suite *
zk_suite(void)
{
	Suite *s = suite_create("zk");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, test_url_ok);
	tcase_add_test(tc, test_url_errors);
	tcase_add_test(tc, test_seq);
	tcase_add_test(tc, test_lowest_and_before);
	tcase_add_test(tc, test_info_url);
	tcase_add_test(tc, test_info_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(zk_suite());
	int failed;

	log_init("check_zk", LOG_LEVEL_WARN, LOG_FORMAT_PLAIN);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
