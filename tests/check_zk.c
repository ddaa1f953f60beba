/*
 * check_zk — the pure parts of ZooKeeper support: zk:// URLs, sequential
 * node names and which of them leads, and the masters' JSON MasterInfo.
 * The shared FrameworkID node of the election, and what the core does
 * differently with ha.zk (follower state, adoption, no launch before
 * reconciliation). The client itself is tested against a real server in
 * it/check_zk.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "config.h"
#include "leader.h"
#include "log.h"
#include "master-zk.h"
#include "lib/schedtest.h"
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

/*
 * zookeeper_init says ENOENT for a name that does not resolve; the error
 * names the host instead, and only the hosts that fail.
 */
START_TEST(test_open_error)
{
	char *e;

	e = zk_open_error("zk1.invalid:2181,127.0.0.1:2181", ENOENT);
	ck_assert_msg(strncmp(e, "cannot resolve host 'zk1.invalid': ", 35) == 0,
	    "%s", e);
	ck_assert_ptr_null(strstr(e, "No such file"));
	ck_assert_ptr_null(strstr(e, "127.0.0.1"));
	free(e);
	e = zk_open_error("[zk2.invalid]:2181,zk3.invalid", ENOENT);
	ck_assert_msg(strstr(e, "'zk2.invalid'") != NULL &&
	    strstr(e, "; cannot resolve host 'zk3.invalid'") != NULL, "%s", e);
	free(e);
	/* every name resolves: errno is all there is */
	e = zk_open_error("127.0.0.1:2181,[::1]:2181", EINVAL);
	ck_assert_str_eq(e, strerror(EINVAL));
	free(e);
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

/* arkd.json: zk:// URLs are checked where they are given. */
START_TEST(test_config_urls)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "{\"master\": {\"masters\": [\"zk://z:2181,/mesos\"]}}",
		  "master.masters[0]: ZooKeeper URL 'zk://z:2181,/mesos': an "
		  "empty host between commas" },
		{ "{\"ha\": {\"zk\": \"zk://z/ark\"}}",
		  "ha.zk: ZooKeeper URL 'zk://z/ark': a host without a port" },
		{ "{\"ha\": {\"zk\": \"http://z:1/ark\"}}",
		  "ha.zk: ZooKeeper URL 'http://z:1/ark' does not start with "
		  "zk://" },
		{ "{\"ha\": {\"session_timeout_s\": 0.5}}",
		  "ha.session_timeout_s" },
		{ "{\"ha\": {\"instance_id\": \"\"}}", "ha.instance_id" },
	};
	struct config *cfg;
	char *cause = NULL;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		cfg = config_parse(bad[i].text, "arkd.json", &cause);
		ck_assert_msg(cfg == NULL, "%s accepted", bad[i].text);
		ck_assert_msg(strstr(cause, bad[i].want) != NULL,
		    "'%s' lacks '%s'", cause, bad[i].want);
		free(cause);
	}
	cfg = config_parse("{\"master\": {\"masters\": [\"zk://a:1,b:2/m\"]},"
	    " \"ha\": {\"zk\": \"zk://a:1/ark/x\", \"instance_id\": \"n1\","
	    " \"session_timeout_s\": 4}}", "arkd.json", &cause);
	ck_assert_msg(cfg != NULL, "%s", cause);
	ck_assert_str_eq(cfg->ha_zk, "zk://a:1/ark/x");
	ck_assert_str_eq(cfg->ha_instance_id, "n1");
	ck_assert(cfg->ha_session_timeout_s == 4);
	config_free(cfg);
	/* the defaults: no election */
	cfg = config_parse("{}", "arkd.json", &cause);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_ptr_null(cfg->ha_zk);
	ck_assert(cfg->ha_session_timeout_s == 10);
	config_free(cfg);
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

START_TEST(test_fid_node)
{
	static const struct {
		const char *data, *want;
	} bad[] = {
		{ "", "not JSON" },
		{ "{]", "not JSON" },
		{ "[\"a\"]", "not a JSON object" },
		{ "{}", "no \"framework_id\"" },
		{ "{\"framework_id\": 7}", "no \"framework_id\"" },
		{ "{\"framework_id\": \"\"}", "not a FrameworkID" },
		{ "{\"framework_id\": \"a b\"}", "not a FrameworkID" },
		{ "{\"framework_id\": \"a\", \"removed\": 1}",
		  "\"removed\" is not true or false" },
		{ "{\"framework_id\": \"a\", \"framework_id\": \"b\"}",
		  "not JSON" },
	};
	char *fid = NULL, *cause = NULL, *s;
	int removed = -1;

	s = leader_fid_json("5e1c-0000", 0, "host:1");
	ck_assert_int_eq(leader_fid_parse(s, strlen(s), &fid, &removed,
	    &cause), 0);
	ck_assert_str_eq(fid, "5e1c-0000");
	ck_assert_int_eq(removed, 0);
	ck_assert_ptr_nonnull(strstr(s, "\"instance_id\":\"host:1\""));
	free(fid);
	free(s);
	s = leader_fid_json("5e1c-0000", 1, "x");
	ck_assert_int_eq(leader_fid_parse(s, strlen(s), &fid, &removed,
	    &cause), 0);
	ck_assert_int_eq(removed, 1);
	free(fid);
	free(s);
	/* written by hand, without the optional members */
	s = strdup("{\"framework_id\":\"f-1\"}");
	ck_assert_int_eq(leader_fid_parse(s, strlen(s), &fid, &removed,
	    &cause), 0);
	free(s);
	ck_assert_str_eq(fid, "f-1");
	ck_assert_int_eq(removed, 0);
	free(fid);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fid = NULL;
		cause = NULL;
		ck_assert_msg(leader_fid_parse(bad[i].data,
		    strlen(bad[i].data), &fid, &removed, &cause) == -1,
		    "%s accepted", bad[i].data);
		ck_assert_ptr_null(fid);
		ck_assert_msg(strstr(cause, bad[i].want) != NULL,
		    "%s: '%s' lacks '%s'", bad[i].data, cause, bad[i].want);
		free(cause);
	}
}
END_TEST

#define HA_JOBS "[{\"id\": \"web\", \"kind\": \"service\", \"instances\": 2," \
	" \"command\": \"sleep 100\", \"resources\": {\"cpus\": 0.1," \
	" \"mem\": 16}}]"
#define HA_EXTRA "\"ha\": {\"zk\": \"zk://127.0.0.1:2181/ark/t\"},"

/* Offers of two agents that can each take both tasks. */
static void
ha_offers(struct st *t, const char *round)
{
	Mesos__V1__Offer *o[2];
	char id0[32], id1[32];

	snprintf(id0, sizeof id0, "o-%s-0", round);
	snprintf(id1, sizeof id1, "o-%s-1", round);
	o[0] = st_offer(id0, "a0", "h0", 4, 4096, 31000, 32000);
	o[1] = st_offer(id1, "a1", "h1", 4, 4096, 31000, 32000);
	st_event(t, st_ev_offers(o, 2));
}

/* A follower answers, refuses changes, and launches nothing. */
START_TEST(test_ha_follower)
{
	struct st t;
	const char *body;
	struct admin_req *r;
	json_t *j;

	st_init(&t, st_config(HA_JOBS, HA_EXTRA), NULL);
	st_session_state(&t, SESSION_FOLLOWER);
	ck_assert_int_eq(st_admin(&t, st_req(ADMIN_READYZ, NULL), &body), 503);
	ck_assert_ptr_nonnull(strstr(body, "\"follower\""));
	ck_assert_int_eq(st_admin(&t, st_req(ADMIN_GET_STATE, NULL), &body),
	    200);
	j = json_loads(body, 0, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "session"), "state")), "follower");
	json_decref(j);
	r = st_req(ADMIN_PUT_BLACKLIST, "h0");
	r->reason = strdup("disk");
	ck_assert_int_eq(st_admin(&t, r, &body), 503);
	ck_assert_ptr_nonnull(strstr(body, "follower"));
	ck_assert_int_eq(st_admin(&t, st_req(ADMIN_KILL_TASK, "web.0.x-1"),
	    &body), 503);
	ck_assert_int_eq(st_admin(&t, st_req(ADMIN_GET_JOBS, NULL), &body),
	    200);
	st_tick(&t, 60000);
	ck_assert_uint_eq(st_count(&t, EFFECT_CALL), 0);
	st_done(&t);
}
END_TEST

/*
 * Elected after another instance: its tasks, unknown here, are adopted
 * (whatever unknown_tasks says), and nothing launches before the
 * reconciliation is over; then only the empty slot is filled.
 */
START_TEST(test_ha_takeover_adopts)
{
	struct st t;

	st_init(&t, st_config(HA_JOBS, HA_EXTRA), NULL);
	st_session_state(&t, SESSION_FOLLOWER);
	st_session_state(&t, SESSION_DISCONNECTED);
	st_subscribe(&t, "fw-1");
	ha_offers(&t, "1");
	ck_assert_uint_eq(st_launches(&t), 0);
	ck_assert_uint_eq(st_count_call(&t,
	    MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE), 1);
	/* the implicit reconciliation's answer: slot 0's task runs */
	st_event(&t, st_ev_update("web.0.old-1",
	    MESOS__V1__TASK_STATE__TASK_RUNNING, "a0", NULL, 0,
	    MESOS__V1__TASK_STATUS__REASON__REASON_RECONCILIATION));
	ck_assert_uint_eq(st_count_call(&t,
	    MESOS__V1__SCHEDULER__CALL__TYPE__KILL), 0);
	ha_offers(&t, "2");
	ck_assert_uint_eq(st_launches(&t), 0);
	/* reconciliation over: launching again, with REVIVE (the declines
	 * above left filters) */
	st_tick(&t, 5000);
	ck_assert_uint_ge(st_count_call(&t,
	    MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE), 1);
	ck_assert_int_eq(st_admin(&t, st_req(ADMIN_READYZ, NULL), NULL), 200);
	ha_offers(&t, "3");
	ck_assert_uint_eq(st_launches(&t), 1);
	ck_assert_ptr_nonnull(strstr(st_launch(&t, 0)->task_id->value,
	    "web.1."));
	st_done(&t);
}
END_TEST

/* The operator's runtime changes as the leader mirrors them. */
START_TEST(test_runtime_json)
{
	struct st t;
	struct admin_req *r;
	json_t *j;
	char *s;

	st_init(&t, st_config(HA_JOBS, HA_EXTRA), NULL);
	j = sched_runtime_json(t.s);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(s, "{\"blacklist\":[],\"jobs\":{\"web\":"
	    "{\"suspended\":false}}}");
	free(s);
	json_decref(j);
	r = st_req(ADMIN_PUT_BLACKLIST, "h1");
	r->reason = strdup("disk");
	ck_assert_int_eq(st_admin(&t, r, NULL), 200);
	r = st_req(ADMIN_PUT_BLACKLIST, "a0");
	ck_assert_int_eq(st_admin(&t, r, NULL), 200);
	r = st_req(ADMIN_PATCH_JOB, "web");
	r->instances = 5;
	r->suspended = 1;
	ck_assert_int_eq(st_admin(&t, r, NULL), 200);
	j = sched_runtime_json(t.s);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(s, "{\"blacklist\":[{\"agent\":\"a0\",\"reason\":"
	    "\"\"},{\"agent\":\"h1\",\"reason\":\"disk\"}],\"jobs\":"
	    "{\"web\":{\"instances\":5,\"suspended\":true}}}");
	free(s);
	json_decref(j);
	st_done(&t);
}
END_TEST

/* Without ha.zk an unknown task is killed (the default), and launches
 * do not wait for reconciliation. */
START_TEST(test_no_ha_kills_unknown)
{
	struct st t;

	st_init(&t, st_config(HA_JOBS, NULL), NULL);
	st_subscribe(&t, "fw-1");
	st_event(&t, st_ev_update("web.0.old-1",
	    MESOS__V1__TASK_STATE__TASK_RUNNING, "a0", NULL, 0,
	    MESOS__V1__TASK_STATUS__REASON__REASON_RECONCILIATION));
	ck_assert_uint_eq(st_count_call(&t,
	    MESOS__V1__SCHEDULER__CALL__TYPE__KILL), 1);
	ha_offers(&t, "1");
	ck_assert_uint_eq(st_launches(&t), 2);
	st_done(&t);
}
END_TEST

static Suite *
zk_suite(void)
{
	Suite *s = suite_create("zk");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, test_url_ok);
	tcase_add_test(tc, test_url_errors);
	tcase_add_test(tc, test_config_urls);
	tcase_add_test(tc, test_seq);
	tcase_add_test(tc, test_open_error);
	tcase_add_test(tc, test_lowest_and_before);
	tcase_add_test(tc, test_info_url);
	tcase_add_test(tc, test_info_errors);
	tcase_add_test(tc, test_fid_node);
	suite_add_tcase(s, tc);
	tc = tcase_create("ha_core");
	tcase_add_test(tc, test_ha_follower);
	tcase_add_test(tc, test_ha_takeover_adopts);
	tcase_add_test(tc, test_no_ha_kills_unknown);
	tcase_add_test(tc, test_runtime_json);
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
