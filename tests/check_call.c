/*
 * check_call — every call the core sends, built, encoded in both of the
 * API's encodings, decoded again and compared field by field; the TaskInfo
 * and OfferConstraints builders; and that codec_free() releases all of it
 * (the sanitizer build checks the frees).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "call.h"
#include "codec.h"
#include "lib/schedtest.h"
#include "log.h"
#include "xmalloc.h"

/* Encodes c in encoding t and decodes it back (caller frees both). */
static Mesos__V1__Scheduler__Call *
roundtrip(const Mesos__V1__Scheduler__Call *c, enum codec_type t)
{
	struct buf b;
	char *cause = NULL;
	Mesos__V1__Scheduler__Call *d;

	buf_init(&b, 0);
	ck_assert_int_eq(codec_encode_call(t, c, &b, &cause), 0);
	d = codec_decode_call(t, b.data, b.len, &cause);
	if (d == NULL)
		ck_abort_msg("decode: %s", cause);
	buf_clear(&b);
	return d;
}

START_TEST(test_simple_calls)
{
	const char *ids[] = { "o1", "o2" };
	const char *tids[] = { "t1", "t2" };
	const char *aids[] = { "a1", NULL };
	char *roles[] = { (char *)"web" };
	Mesos__V1__Scheduler__Call *c[12], *d;
	enum codec_type t = (enum codec_type)_i;

	c[0] = call_decline("fw", ids, 2, 30);
	c[1] = call_acknowledge("fw", "a1", "t1", (const uint8_t *)"\x00\x01\x02", 3);
	c[2] = call_reconcile("fw", tids, aids, 2);
	c[3] = call_reconcile("fw", NULL, NULL, 0);
	c[4] = call_kill("fw", "t1", "a1", 2.5);
	c[5] = call_kill("fw", "t2", NULL, 0);
	c[6] = call_revive("fw", roles, 1);
	c[7] = call_suppress("fw", NULL, 0);
	c[8] = call_teardown("fw");
	c[9] = call_accept_inverse_offers("fw", ids, 1, 5);
	c[10] = call_decline_inverse_offers("fw", ids, 2, 5);
	c[11] = call_shutdown("fw", "e1", "a1");
	for (int i = 0; i < 12; i++) {
		d = roundtrip(c[i], t);
		ck_assert_int_eq(d->type, c[i]->type);
		ck_assert_str_eq(d->framework_id->value, "fw");
		switch (i) {
		case 0:
			ck_assert_uint_eq(d->decline->n_offer_ids, 2);
			ck_assert_str_eq(d->decline->offer_ids[1]->value, "o2");
			ck_assert(d->decline->filters->refuse_seconds == 30);
			break;
		case 1:
			ck_assert_uint_eq(d->acknowledge->uuid.len, 3);
			ck_assert(memcmp(d->acknowledge->uuid.data,
			    "\x00\x01\x02", 3) == 0);
			ck_assert_str_eq(d->acknowledge->task_id->value, "t1");
			break;
		case 2:
			ck_assert_uint_eq(d->reconcile->n_tasks, 2);
			ck_assert_str_eq(d->reconcile->tasks[0]->agent_id->value,
			    "a1");
			ck_assert_ptr_null(d->reconcile->tasks[1]->agent_id);
			break;
		case 3:
			ck_assert_uint_eq(d->reconcile->n_tasks, 0);
			break;
		case 4:
			ck_assert_int_eq(d->kill->kill_policy->grace_period->
			    nanoseconds, 2500000000LL);
			break;
		case 5:
			ck_assert_ptr_null(d->kill->kill_policy);
			ck_assert_ptr_null(d->kill->agent_id);
			break;
		case 6:
			ck_assert_str_eq(d->revive->roles[0], "web");
			break;
		case 7:
			ck_assert_uint_eq(d->suppress->n_roles, 0);
			break;
		case 9:
			ck_assert_uint_eq(d->accept_inverse_offers->
			    n_inverse_offer_ids, 1);
			break;
		case 10:
			ck_assert_uint_eq(d->decline_inverse_offers->
			    n_inverse_offer_ids, 2);
			break;
		case 11:
			ck_assert_str_eq(d->shutdown->executor_id->value, "e1");
			break;
		default:
			break;
		}
		codec_free(d);
		codec_free(c[i]);
	}
	ck_assert_str_eq(call_type_name(MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT),
	    "ACCEPT");
}
END_TEST

START_TEST(test_accept_taskinfo)
{
	struct config *cfg = st_config("[{\"id\": \"web\", \"kind\": \"service\","
	    " \"instances\": 1, \"command\": \"run $PORT\","
	    " \"resources\": {\"cpus\": 1, \"mem\": 10, \"ports\": [\"HTTP\"]},"
	    " \"container\": {\"type\": \"docker\", \"image\": \"busybox\","
	    " \"force_pull\": true},"
	    " \"health_check\": {\"type\": \"TCP\"}}]", NULL);
	Mesos__V1__Resource **res = xcalloc(1, sizeof *res);
	Mesos__V1__TaskInfo *ti;
	Mesos__V1__Scheduler__Call *c, *d;
	const char *oid = "o1";
	uint32_t port = 31005;

	res[0] = xmalloc(sizeof *res[0]);
	mesos__v1__resource__init(res[0]);
	res[0]->name = xstrdup("cpus");
	res[0]->type = MESOS__V1__VALUE__TYPE__SCALAR;
	res[0]->scalar = xmalloc(sizeof *res[0]->scalar);
	mesos__v1__value__scalar__init(res[0]->scalar);
	res[0]->scalar->value = 1;
	ti = call_task_info(&cfg->jobs[0], "web.0", "web.0.x", "a1", res, 1,
	    &port);
	free(res);
	c = call_accept("fw", &oid, 1, &ti, 1, 5);
	for (int t = 0; t < CODEC_MAX; t++) {
		Mesos__V1__TaskInfo *x;

		d = roundtrip(c, (enum codec_type)t);
		ck_assert_uint_eq(d->accept->n_offer_ids, 1);
		ck_assert_int_eq(d->accept->operations[0]->type,
		    MESOS__V1__OFFER__OPERATION__TYPE__LAUNCH);
		x = d->accept->operations[0]->launch->task_infos[0];
		ck_assert_str_eq(x->task_id->value, "web.0.x");
		ck_assert_str_eq(x->name, "web.0");
		ck_assert_str_eq(x->command->value, "run $PORT");
		ck_assert(x->command->shell);
		ck_assert_str_eq(st_env(x, "PORT_HTTP"), "31005");
		ck_assert_str_eq(st_env(x, "PORT"), "31005");
		ck_assert_int_eq(x->container->type,
		    MESOS__V1__CONTAINER_INFO__TYPE__DOCKER);
		ck_assert_str_eq(x->container->docker->image, "busybox");
		ck_assert(x->container->docker->force_pull_image);
		ck_assert_uint_eq(x->health_check->tcp->port, 31005);
		ck_assert_uint_eq(x->n_resources, 1);
		codec_free(d);
	}
	codec_free(c);
	config_free(cfg);
}
END_TEST

START_TEST(test_update_framework_constraints)
{
	char *roles[] = { (char *)"a", (char *)"b" };
	const char *hosts[] = { "h1", "h2" };
	Mesos__V1__Scheduler__OfferConstraints *oc;
	Mesos__V1__FrameworkInfo *fi;
	Mesos__V1__Scheduler__Call *c, *d;

	ck_assert_ptr_null(call_offer_constraints(roles, 2, hosts, 0));
	oc = call_offer_constraints(roles, 2, hosts, 2);
	fi = xmalloc(sizeof *fi);
	mesos__v1__framework_info__init(fi);
	fi->user = xstrdup("u");
	fi->name = xstrdup("ark");
	c = call_update_framework("fw", fi, roles, 1, oc);
	for (int t = 0; t < CODEC_MAX; t++) {
		Mesos__V1__Scheduler__OfferConstraints__RoleConstraints *rc;
		Mesos__V1__Scheduler__AttributeConstraint *ac;

		d = roundtrip(c, (enum codec_type)t);
		ck_assert_str_eq(d->update_framework->framework_info->name, "ark");
		ck_assert_uint_eq(d->update_framework->n_suppressed_roles, 1);
		ck_assert_uint_eq(d->update_framework->offer_constraints->
		    n_role_constraints, 2);
		rc = d->update_framework->offer_constraints->role_constraints[1]->
		    value;
		ck_assert_uint_eq(rc->n_groups, 1);
		ck_assert_uint_eq(rc->groups[0]->n_attribute_constraints, 2);
		ac = rc->groups[0]->attribute_constraints[1];
		ck_assert_int_eq(ac->selector->pseudoattribute_type,
		    MESOS__V1__SCHEDULER__ATTRIBUTE_CONSTRAINT__SELECTOR__PSEUDOATTRIBUTE_TYPE__HOSTNAME);
		ck_assert_str_eq(ac->predicate->text_not_equals->value, "h2");
		codec_free(d);
	}
	codec_free(c);
}
END_TEST

static Suite *
call_suite(void)
{
	Suite *s = suite_create("call");
	TCase *tc = tcase_create("call");

	tcase_add_loop_test(tc, test_simple_calls, 0, CODEC_MAX);
	tcase_add_test(tc, test_accept_taskinfo);
	tcase_add_test(tc, test_update_framework_constraints);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(call_suite());
	int failed;

	log_init("check_call", LOG_LEVEL_ERROR, LOG_FORMAT_PLAIN);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
