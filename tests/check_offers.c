/*
 * check_offers — carving tasks out of offers: scalars split over several
 * pieces, roles and allocation info, reserved and unusable resources, port
 * ranges, fit reasons, attribute text and the per-agent constraints.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "lib/schedtest.h"
#include "log.h"
#include "offers.h"
#include "sched-config.h"
#include "xmalloc.h"

static void *
msg_new(const ProtobufCMessageDescriptor *d)
{
	void *m = xmalloc(d->sizeof_message);

	protobuf_c_message_init(d, m);
	return m;
}

static Mesos__V1__Resource *
scalar(const char *name, double v, const char *role)
{
	Mesos__V1__Resource *r = msg_new(&mesos__v1__resource__descriptor);

	r->name = xstrdup(name);
	r->type = MESOS__V1__VALUE__TYPE__SCALAR;
	r->scalar = msg_new(&mesos__v1__value__scalar__descriptor);
	r->scalar->value = v;
	if (role != NULL) {
		r->allocation_info = msg_new(
		    &mesos__v1__resource__allocation_info__descriptor);
		r->allocation_info->role = xstrdup(role);
	}
	return r;
}

static Mesos__V1__Resource *
ports(uint64_t b1, uint64_t e1, uint64_t b2, uint64_t e2)
{
	Mesos__V1__Resource *r = msg_new(&mesos__v1__resource__descriptor);

	r->name = xstrdup("ports");
	r->type = MESOS__V1__VALUE__TYPE__RANGES;
	r->ranges = msg_new(&mesos__v1__value__ranges__descriptor);
	r->ranges->n_range = 2;
	r->ranges->range = xcalloc(2, sizeof *r->ranges->range);
	r->ranges->range[0] = msg_new(&mesos__v1__value__range__descriptor);
	r->ranges->range[0]->begin = b1;
	r->ranges->range[0]->end = e1;
	r->ranges->range[1] = msg_new(&mesos__v1__value__range__descriptor);
	r->ranges->range[1]->begin = b2;
	r->ranges->range[1]->end = e2;
	return r;
}

static Mesos__V1__Offer *
offer_of(Mesos__V1__Resource **r, size_t n)
{
	Mesos__V1__Offer *o = msg_new(&mesos__v1__offer__descriptor);

	o->id = msg_new(&mesos__v1__offer_id__descriptor);
	o->id->value = xstrdup("o1");
	o->agent_id = msg_new(&mesos__v1__agent_id__descriptor);
	o->agent_id->value = xstrdup("a1");
	o->hostname = xstrdup("h1");
	o->n_resources = n;
	o->resources = xcalloc(n, sizeof *r);
	memcpy(o->resources, r, n * sizeof *r);
	return o;
}

/* A job (from a real configuration) asking for cpus/mem and nports. */
static struct config *
job_cfg(double cpus, double mem, int nports)
{
	char *jobs = xasprintf("[{\"id\": \"j\", \"kind\": \"service\","
	    " \"instances\": 1, \"command\": \"x\", \"resources\":"
	    " {\"cpus\": %g, \"mem\": %g, \"ports\": %s}}]", cpus, mem,
	    nports == 0 ? "[]" : nports == 1 ? "[\"A\"]" :
	    "[\"A\", \"B\", \"C\"]");
	struct config *c = st_config(jobs, NULL);

	free(jobs);
	return c;
}

static double
sum(Mesos__V1__Resource **r, size_t n, const char *name)
{
	return offers_scalar_total(r, n, name);
}

static void
free_res(Mesos__V1__Resource **r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		codec_free(r[i]);
	free(r);
}

START_TEST(test_split_and_roles)
{
	Mesos__V1__Resource *r[5];
	Mesos__V1__Offer *o;
	struct offers_pool p;
	struct config *c = job_cfg(1, 100, 0);
	Mesos__V1__Resource **got;
	size_t n;
	const char *why = NULL;

	r[0] = scalar("cpus", 0.5, "prod");
	r[1] = scalar("cpus", 0.7, "prod");
	r[2] = scalar("cpus", 8, "dev");
	r[3] = scalar("mem", 150, "prod");
	r[4] = scalar("mem", 1000, "dev");
	o = offer_of(r, 5);
	offers_pool_init(&p, o);
	ck_assert(offers_fit(&p, &c->jobs[0], "prod", &why));
	got = offers_take(&p, &c->jobs[0], "prod", &n, NULL);
	/* 0.5 + 0.5 cpus from two pieces, 100 mem: all allocated to prod */
	ck_assert_uint_eq(n, 3);
	ck_assert(sum(got, n, "cpus") > 0.999 && sum(got, n, "cpus") < 1.001);
	ck_assert(sum(got, n, "mem") > 99.9 && sum(got, n, "mem") < 100.1);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(got[i]->allocation_info->role, "prod");
	free_res(got, n);
	/* 0.2 cpus and 50 mem left for prod */
	ck_assert(!offers_fit(&p, &c->jobs[0], "prod", &why));
	ck_assert_str_eq(why, "cpus");
	ck_assert(offers_fit(&p, &c->jobs[0], "dev", NULL));
	offers_pool_clear(&p);
	codec_free(o);
	config_free(c);
}
END_TEST

START_TEST(test_unusable_skipped)
{
	Mesos__V1__Resource *r[4];
	Mesos__V1__Offer *o;
	struct offers_pool p;
	struct config *c = job_cfg(1, 10, 0);
	const char *why;

	r[0] = scalar("cpus", 4, NULL);
	r[0]->revocable = msg_new(&mesos__v1__resource__revocable_info__descriptor);
	r[1] = scalar("mem", 100, NULL);
	r[2] = scalar("disk", 100, NULL);
	r[2]->disk = msg_new(&mesos__v1__resource__disk_info__descriptor);
	r[2]->disk->persistence = msg_new(
	    &mesos__v1__resource__disk_info__persistence__descriptor);
	r[2]->disk->persistence->id = xstrdup("vol");
	r[3] = scalar("gpus", 1, NULL);
	o = offer_of(r, 4);
	offers_pool_init(&p, o);
	/* only the revocable cpus: no fit */
	ck_assert(!offers_fit(&p, &c->jobs[0], "*", &why));
	ck_assert_str_eq(why, "cpus");
	ck_assert_uint_eq(p.n, 2);
	offers_pool_clear(&p);
	codec_free(o);
	config_free(c);
}
END_TEST

START_TEST(test_ports)
{
	Mesos__V1__Resource *r[3];
	Mesos__V1__Offer *o;
	struct offers_pool p;
	struct config *c = job_cfg(0.1, 1, 3);
	Mesos__V1__Resource **got;
	uint32_t pt[3];
	size_t n;
	const char *why;

	r[0] = scalar("cpus", 4, NULL);
	r[1] = scalar("mem", 100, NULL);
	r[2] = ports(100, 101, 200, 205);
	o = offer_of(r, 3);
	offers_pool_init(&p, o);
	ck_assert(offers_fit(&p, &c->jobs[0], "*", NULL));
	got = offers_take(&p, &c->jobs[0], "*", &n, pt);
	ck_assert_uint_eq(pt[0], 100);
	ck_assert_uint_eq(pt[1], 101);
	ck_assert_uint_eq(pt[2], 200);
	for (size_t i = 0; i < n; i++)
		if (strcmp(got[i]->name, "ports") == 0) {
			/* 100-101 and 200: two ranges */
			ck_assert_uint_eq(got[i]->ranges->n_range, 2);
			ck_assert_uint_eq(got[i]->ranges->range[0]->begin, 100);
			ck_assert_uint_eq(got[i]->ranges->range[0]->end, 101);
			ck_assert_uint_eq(got[i]->ranges->range[1]->begin, 200);
		}
	free_res(got, n);
	/* 201..205 left: one more task fits, then not */
	ck_assert(offers_fit(&p, &c->jobs[0], "*", NULL));
	got = offers_take(&p, &c->jobs[0], "*", &n, pt);
	ck_assert_uint_eq(pt[0], 201);
	ck_assert_uint_eq(pt[2], 203);
	free_res(got, n);
	ck_assert(!offers_fit(&p, &c->jobs[0], "*", &why));
	ck_assert_str_eq(why, "ports");
	offers_pool_clear(&p);
	codec_free(o);
	config_free(c);
}
END_TEST

START_TEST(test_attrs_and_constraints)
{
	Mesos__V1__Attribute a;
	Mesos__V1__Value__Scalar sc;
	Mesos__V1__Value__Set set;
	char *items[] = { (char *)"x", (char *)"y" };
	char *t;
	struct config *c;
	struct config *cc;

	mesos__v1__attribute__init(&a);
	mesos__v1__value__scalar__init(&sc);
	mesos__v1__value__set__init(&set);
	a.name = (char *)"n";
	a.type = MESOS__V1__VALUE__TYPE__SCALAR;
	sc.value = 3;
	a.scalar = &sc;
	t = offers_attr_text(&a);
	ck_assert_str_eq(t, "3");
	free(t);
	a.type = MESOS__V1__VALUE__TYPE__SET;
	set.n_item = 2;
	set.item = items;
	a.set = &set;
	t = offers_attr_text(&a);
	ck_assert_str_eq(t, "x,y");
	free(t);
	c = st_config("[{\"id\": \"j\", \"kind\": \"service\", \"instances\": 1,"
	    " \"command\": \"x\", \"resources\": {\"cpus\": 1, \"mem\": 1},"
	    " \"constraints\": [[\"rack\", \"EQUALS\", \"r1\"],"
	    " [\"hostname\", \"LIKE\", \"web-[0-9]+\"],"
	    " [\"zone\", \"UNLIKE\", \"z[12]\"], [\"hostname\", \"UNIQUE\"]]}]",
	    NULL);
	cc = sched_config_copy(c);
	for (int k = 0; k < 2; k++) {
		const struct config_constraint *k0 =
		    &(k == 0 ? c : cc)->jobs[0].constraints[0];

		ck_assert(offers_constraint_ok(&k0[0], "r1"));
		ck_assert(!offers_constraint_ok(&k0[0], "r2"));
		ck_assert(!offers_constraint_ok(&k0[0], NULL));
		ck_assert(offers_constraint_ok(&k0[1], "web-12"));
		/* anchored: the whole value must match */
		ck_assert(!offers_constraint_ok(&k0[1], "xweb-12"));
		ck_assert(!offers_constraint_ok(&k0[1], "web-12x"));
		ck_assert(!offers_constraint_ok(&k0[1], NULL));
		ck_assert(offers_constraint_ok(&k0[2], "z3"));
		ck_assert(!offers_constraint_ok(&k0[2], "z1"));
		ck_assert(offers_constraint_ok(&k0[2], NULL));
		ck_assert(offers_constraint_ok(&k0[3], "any"));
	}
	ck_assert_str_eq(sched_config_role(cc, &cc->jobs[0]), "*");
	sched_config_free(cc);
	config_free(c);
}
END_TEST

START_TEST(test_unavailability)
{
	Mesos__V1__Offer *o = st_offer("o", "a", "h", 1, 1, 0, 0);

	ck_assert_int_eq(offers_unavailable_at(o), 0);
	st_offer_unavailable(o, 1234567);
	ck_assert_int_eq(offers_unavailable_at(o), 1234567);
	ck_assert_int_eq(offers_unavailable_until(o), INT64_MAX);
	o->unavailability->duration = xmalloc(sizeof *o->unavailability->duration);
	mesos__v1__duration_info__init(o->unavailability->duration);
	o->unavailability->duration->nanoseconds = 1000000000LL;
	ck_assert_int_eq(offers_unavailable_until(o), 1234567 + 1000);
	codec_free(o);
}
END_TEST

static Suite *
offers_suite(void)
{
	Suite *s = suite_create("offers");
	TCase *tc = tcase_create("offers");

	tcase_add_test(tc, test_split_and_roles);
	tcase_add_test(tc, test_unusable_skipped);
	tcase_add_test(tc, test_ports);
	tcase_add_test(tc, test_attrs_and_constraints);
	tcase_add_test(tc, test_unavailability);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(offers_suite());
	int failed;

	log_init("check_offers", LOG_LEVEL_ERROR, LOG_FORMAT_PLAIN);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
