/*
 * check_simmodel — the pure parts of ark-sim's model, without sockets:
 * resource arithmetic and parsing (ranges included), Mesos' text form of
 * resources as the fixture's TASK_ERROR message shows it, the hash table
 * at scale with deletions, and task behaviour parsing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../sim/sim.h"
#include "xmalloc.h"

START_TEST(test_res_parse)
{
	struct sim_res r;
	char *cause = NULL;

	res_init(&r);
	ck_assert_int_eq(res_parse(&r, "cpus:2;mem:23081;disk:252899;"
	    "ports:[31000-32000]", &cause), 0);
	ck_assert(r.cpus == 2 && r.mem == 23081 && r.disk == 252899);
	ck_assert_int_eq(r.nports, 1);
	ck_assert_int_eq(r.ports[0].begin, 31000);
	ck_assert_int_eq(r.ports[0].end, 32000);
	ck_assert_int_eq(res_parse(&r, "cpus(*):1.5", &cause), 0);
	ck_assert(r.cpus == 3.5);
	ck_assert_int_eq(res_parse(&r, "bogus:1", &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "unknown resource 'bogus'"));
	free(cause);
	ck_assert_int_eq(res_parse(&r, "cpus:-1", &cause), -1);
	free(cause);
	ck_assert_int_eq(res_parse(&r, "ports:[5-3]", &cause), -1);
	free(cause);
	ck_assert_int_eq(res_parse(&r, "mem", &cause), -1);
	free(cause);
	res_clear(&r);
}
END_TEST

START_TEST(test_res_ranges)
{
	struct sim_res a, b;

	res_init(&a);
	res_init(&b);
	res_add_range(&a, 10, 20);
	res_add_range(&a, 30, 40);
	res_add_range(&a, 21, 29);	/* coalesces into one */
	ck_assert_int_eq(a.nports, 1);
	ck_assert_int_eq(a.ports[0].begin, 10);
	ck_assert_int_eq(a.ports[0].end, 40);
	res_add_range(&b, 15, 16);
	ck_assert(res_contains(&a, &b));
	res_sub(&a, &b);		/* splits */
	ck_assert_int_eq(a.nports, 2);
	ck_assert_int_eq(a.ports[0].end, 14);
	ck_assert_int_eq(a.ports[1].begin, 17);
	ck_assert(!res_contains(&a, &b));
	res_add(&a, &b);
	ck_assert_int_eq(a.nports, 1);
	res_clear(&b);
	res_add_range(&b, 5, 12);
	ck_assert(!res_contains(&a, &b));
	res_sub(&a, &b);
	ck_assert_int_eq(a.ports[0].begin, 13);
	res_clear(&a);
	res_clear(&b);
}
END_TEST

START_TEST(test_res_scalars)
{
	struct sim_res a, b;
	int i;

	res_init(&a);
	res_init(&b);
	a.cpus = 4;
	a.mem = 100;
	b.cpus = 0.1;
	b.mem = 1;
	for (i = 0; i < 40; i++) {
		ck_assert(res_contains(&a, &b));
		res_sub(&a, &b);
	}
	/* 40 x 0.1 leaves exactly nothing, not -1e-15. */
	ck_assert(a.cpus == 0);
	ck_assert(!res_contains(&a, &b));
	ck_assert(!res_empty(&a));
	a.mem = 0;
	ck_assert(res_empty(&a));
	b.unknown = 1;
	ck_assert(!res_contains(&a, &b));
	res_clear(&a);
	res_clear(&b);
}
END_TEST

/* The text of the fixture's TASK_ERROR (json/13). */
START_TEST(test_res_format)
{
	struct sim_res need, avail;
	char *cause = NULL;
	struct buf b;

	res_init(&need);
	res_init(&avail);
	ck_assert_int_eq(res_parse(&need, "cpus:100000;mem:32", &cause), 0);
	ck_assert_int_eq(res_parse(&avail, "cpus:2;mem:23081;disk:252899;"
	    "ports:[31000-32000]", &cause), 0);
	buf_init(&b, 0);
	res_format(&b, &need, "*");
	ck_assert_str_eq(b.data, "cpus(allocated: *):100000; "
	    "mem(allocated: *):32");
	buf_reset(&b);
	res_format(&b, &avail, "*");
	ck_assert_str_eq(b.data, "ports(allocated: *):[31000-32000]; "
	    "cpus(allocated: *):2; mem(allocated: *):23081; "
	    "disk(allocated: *):252899");
	buf_reset(&b);
	need.cpus = 0.1;
	need.mem = 0;
	res_format(&b, &need, "*");
	ck_assert_str_eq(b.data, "cpus(allocated: *):0.1");
	buf_clear(&b);
	res_clear(&need);
	res_clear(&avail);
}
END_TEST

/* Resource messages as a master writes them in offers. */
START_TEST(test_res_pb)
{
	struct sim_res r;
	struct res_pb p;
	char *cause = NULL;

	res_init(&r);
	ck_assert_int_eq(res_parse(&r, "cpus:2;mem:10;ports:[1-2,5-6]",
	    &cause), 0);
	res_pb_build(&p, &r, "*", 1);
	ck_assert_int_eq(p.n, 3);
	ck_assert_str_eq(p.p[0]->name, "ports");
	ck_assert_int_eq(p.p[0]->ranges->n_range, 2);
	ck_assert_str_eq(p.p[1]->name, "cpus");
	ck_assert_str_eq(p.p[1]->allocation_info->role, "*");
	res_pb_clear(&p);
	res_clear(&r);
}
END_TEST

struct item {
	char	 key[24];
	int	 v;
};

START_TEST(test_htab)
{
	enum { N = 50000 };
	struct item *items = xcalloc(N, sizeof *items);
	struct htab t;
	size_t i, it, seen = 0;
	struct item *x;

	htab_init(&t);
	for (i = 0; i < N; i++) {
		snprintf(items[i].key, sizeof items[i].key, "task-%zu", i);
		items[i].v = (int)i;
		ck_assert_ptr_null(htab_puts(&t, items[i].key, &items[i]));
	}
	ck_assert_int_eq(t.n, N);
	for (i = 0; i < N; i += 2)
		ck_assert_ptr_eq(htab_dels(&t, items[i].key), &items[i]);
	ck_assert_int_eq(t.n, N / 2);
	for (i = 0; i < N; i++) {
		x = htab_gets(&t, items[i].key);
		if (i % 2 == 0)
			ck_assert_ptr_null(x);
		else
			ck_assert_ptr_eq(x, &items[i]);
	}
	/* Reinsert after tombstones; iteration sees each live entry once. */
	for (i = 0; i < N; i += 2)
		htab_puts(&t, items[i].key, &items[i]);
	it = 0;
	while ((x = htab_next(&t, &it)) != NULL) {
		ck_assert_int_ge(x->v, 0);
		x->v = -1;
		seen++;
	}
	ck_assert_int_eq(seen, N);
	/* Deleting the entry just returned during an iteration is allowed. */
	it = 0;
	while ((x = htab_next(&t, &it)) != NULL)
		htab_dels(&t, x->key);
	ck_assert_int_eq(t.n, 0);
	ck_assert_ptr_null(htab_gets(&t, "task-1"));
	htab_clear(&t);
	free(items);
}
END_TEST

START_TEST(test_behaviour_parse)
{
	enum sim_behaviour b;
	double after;

	ck_assert_int_eq(sim_behaviour_parse("run", &b, &after), 0);
	ck_assert_int_eq(b, SIM_RUN);
	ck_assert_int_eq(sim_behaviour_parse("finish:2.5", &b, &after), 0);
	ck_assert_int_eq(b, SIM_FINISH);
	ck_assert(after == 2.5);
	ck_assert_int_eq(sim_behaviour_parse("fail", &b, &after), 0);
	ck_assert(b == SIM_FAIL && after == 1);
	ck_assert_int_eq(sim_behaviour_parse("stuck", &b, &after), 0);
	ck_assert_int_eq(sim_behaviour_parse("finish:-1", &b, &after), -1);
	ck_assert_int_eq(sim_behaviour_parse("fin", &b, &after), -1);
	ck_assert_int_eq(sim_behaviour_parse("fail:x", &b, &after), -1);
	ck_assert_str_eq(sim_behaviour_name(SIM_STUCK), "stuck");
}
END_TEST

START_TEST(test_health_parse)
{
	enum sim_health h;
	double after;

	ck_assert_int_eq(sim_health_parse("healthy", &h, &after), 0);
	ck_assert(h == SIM_HEALTHY && after == 0);
	ck_assert_int_eq(sim_health_parse("unhealthy", &h, &after), 0);
	ck_assert_int_eq(h, SIM_UNHEALTHY);
	ck_assert_int_eq(sim_health_parse("healthy-after:1.5", &h, &after), 0);
	ck_assert(h == SIM_HEALTHY_AFTER && after == 1.5);
	ck_assert_int_eq(sim_health_parse("unhealthy-after:0", &h, &after), 0);
	ck_assert(h == SIM_UNHEALTHY_AFTER && after == 0);
	/* the -after forms need a time, the others take none */
	ck_assert_int_eq(sim_health_parse("healthy-after", &h, &after), -1);
	ck_assert_int_eq(sim_health_parse("healthy:2", &h, &after), -1);
	ck_assert_int_eq(sim_health_parse("unhealthy-after:-1", &h, &after),
	    -1);
	ck_assert_int_eq(sim_health_parse("unhealthy-after:x", &h, &after),
	    -1);
	ck_assert_int_eq(sim_health_parse("health", &h, &after), -1);
	ck_assert_str_eq(sim_health_name(SIM_UNHEALTHY_AFTER),
	    "unhealthy-after");
}
END_TEST

START_TEST(test_attrs)
{
	struct sim_attr *a = NULL;
	size_t n = 0, i;
	char *cause = NULL;

	ck_assert_int_eq(agents_parse_attrs("rack:r1;level:3", &a, &n,
	    &cause), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(a[0].text, "r1");
	ck_assert_ptr_null(a[1].text);
	ck_assert(a[1].scalar == 3);
	ck_assert_int_eq(agents_parse_attrs("nocolon", &a, &n, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "nocolon"));
	free(cause);
	for (i = 0; i < n; i++) {
		free(a[i].name);
		free(a[i].text);
	}
	free(a);
}
END_TEST

static Suite *
simmodel_suite(void)
{
	Suite *s = suite_create("simmodel");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, test_res_parse);
	tcase_add_test(tc, test_res_ranges);
	tcase_add_test(tc, test_res_scalars);
	tcase_add_test(tc, test_res_format);
	tcase_add_test(tc, test_res_pb);
	tcase_add_test(tc, test_htab);
	tcase_add_test(tc, test_behaviour_parse);
	tcase_add_test(tc, test_health_parse);
	tcase_add_test(tc, test_attrs);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(simmodel_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
