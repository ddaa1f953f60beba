/*
 * check_recordio — the RecordIO reader and writer: the same records whatever
 * the chunking (one byte at a time, seeded random chunks, all at once), every
 * class of malformed header is an error with a message and the offset, a
 * giant length header allocates nothing, and writer output reads back.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "recordio.h"

static unsigned seed;

/* Returns a pseudo-random number from a private xorshift state. */
static uint32_t
rnd(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* A stream of records with known contents, built by the writer. */
struct sample {
	struct buf	 stream;
	char		*rec[64];
	size_t		 len[64];
	size_t		 n;
};

/* Builds n records of varied lengths (1 byte up to a few KiB). */
static void
sample_build(struct sample *s, size_t n, uint32_t st)
{
	size_t i, j;

	buf_init(&s->stream, 0);
	s->n = n;
	for (i = 0; i < n; i++) {
		size_t len = 1 + (i % 7 == 0 ? rnd(&st) % 5000 : rnd(&st) % 40);

		s->rec[i] = malloc(len);
		ck_assert_ptr_nonnull(s->rec[i]);
		for (j = 0; j < len; j++)
			s->rec[i][j] = (char)(rnd(&st) & 0xff);
		s->len[i] = len;
		ck_assert_int_eq(recordio_write(&s->stream, s->rec[i], len), 0);
	}
}

static void
sample_free(struct sample *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->rec[i]);
	buf_clear(&s->stream);
}

/*
 * Feeds s's stream in chunks chosen by chunk() (0 = all at once) and checks
 * every record comes back, in order, with the right bytes.
 */
static void
feed_and_check(struct sample *s, size_t maxchunk, uint32_t st)
{
	struct recordio_reader r;
	const char *data, *cause;
	size_t len, off = 0, got = 0;
	enum recordio_status rs;

	recordio_reader_init(&r, 1024 * 1024);
	while (off < s->stream.len) {
		size_t n = s->stream.len - off;

		if (maxchunk == 1)
			n = 1;
		else if (maxchunk > 1)
			n = 1 + rnd(&st) % maxchunk;
		if (n > s->stream.len - off)
			n = s->stream.len - off;
		ck_assert_int_eq(recordio_feed(&r, s->stream.data + off, n), 0);
		off += n;
		for (;;) {
			rs = recordio_next(&r, &data, &len, &cause);
			if (rs == RECORDIO_NEED_MORE)
				break;
			ck_assert_int_eq(rs, RECORDIO_OK);
			ck_assert_uint_lt(got, s->n);
			ck_assert_uint_eq(len, s->len[got]);
			ck_assert(memcmp(data, s->rec[got], len) == 0);
			got++;
		}
	}
	ck_assert_uint_eq(got, s->n);
	ck_assert_uint_eq(recordio_pending(&r), 0);
	recordio_reader_clear(&r);
}

START_TEST(test_chunkings)
{
	struct sample s;
	uint32_t st = seed;
	int k;

	sample_build(&s, 50, seed);
	feed_and_check(&s, 0, st);
	feed_and_check(&s, 1, st);
	for (k = 0; k < 20; k++) {
		feed_and_check(&s, 2, rnd(&st) | 1);
		feed_and_check(&s, 17, rnd(&st) | 1);
		feed_and_check(&s, 4096, rnd(&st) | 1);
	}
	sample_free(&s);
}
END_TEST

/* Feeds text in one go and returns the status of the first next(). */
static enum recordio_status
one(const char *text, size_t max, const char **cause, struct recordio_reader *r)
{
	const char *data;
	size_t len;

	recordio_reader_init(r, max);
	ck_assert_int_eq(recordio_feed(r, text, strlen(text)), 0);
	return recordio_next(r, &data, &len, cause);
}

/* Asserts text is an error whose message contains want. */
static void
assert_bad(const char *text, size_t max, const char *want)
{
	struct recordio_reader r;
	const char *cause = NULL, *data;
	size_t len;
	enum recordio_status rs;

	/* Earlier well-formed records come out first. */
	rs = one(text, max, &cause, &r);
	while (rs == RECORDIO_OK)
		rs = recordio_next(&r, &data, &len, &cause);
	ck_assert_int_eq(rs, RECORDIO_ERROR);
	ck_assert_ptr_nonnull(cause);
	if (strstr(cause, want) == NULL)
		ck_abort_msg("input \"%s\": cause \"%s\" lacks \"%s\"",
		    text, cause, want);
	/* The reader stays failed. */
	ck_assert_int_eq(recordio_feed(&r, "1\nx", 3), -1);
	ck_assert_int_eq(recordio_next(&r, &data, &len, &cause),
	    RECORDIO_ERROR);
	recordio_reader_clear(&r);
}

START_TEST(test_malformed)
{
	assert_bad("x5\nhello", 0, "not decimal at byte 0");
	assert_bad(" 5\nhello", 0, "not decimal at byte 0");
	assert_bad("-5\nhello", 0, "not decimal at byte 0");
	assert_bad("+5\nhello", 0, "not decimal at byte 0");
	assert_bad("5x\nhello", 0, "not decimal at byte 1");
	assert_bad("5\r\nhello", 0, "not decimal at byte 1");
	assert_bad("\nhello", 0, "header is empty at byte 0");
	assert_bad("0\n", 0, "length is 0 at byte 0");
	assert_bad("000\n", 0, "length is 0 at byte 0");
	assert_bad("000000000000000000001\n", 0,
	    "longer than 20 digits at byte 20");
	assert_bad("00000000000000000000x", 0, "not decimal at byte 20");
	assert_bad("1025\n", 1024, "exceeds the maximum of 1024 bytes at byte 0");
	assert_bad("99999999999999999999\n", SIZE_MAX,
	    "does not fit in 64 bits at byte 0");
	/* The offset counts bytes of earlier records. */
	assert_bad("3\nabc2\nxy?", 0, "not decimal at byte 9");
	assert_bad("3\nabc2\nxy0\n", 0, "length is 0 at byte 9");
}
END_TEST

START_TEST(test_giant_header_allocates_nothing)
{
	struct recordio_reader r;
	const char *cause = NULL;

	/* Fails on the digits alone, before the newline arrives. */
	ck_assert_int_eq(one("99999999999", 1024 * 1024, &cause, &r),
	    RECORDIO_ERROR);
	ck_assert_ptr_nonnull(strstr(cause, "exceeds the maximum"));
	ck_assert_uint_le(r.in.cap, 4096);
	recordio_reader_clear(&r);

	ck_assert_int_eq(one("99999999999\n", 1024 * 1024, &cause, &r),
	    RECORDIO_ERROR);
	ck_assert_uint_le(r.in.cap, 4096);
	recordio_reader_clear(&r);

	/* A valid but large announced length buffers only what was sent. */
	ck_assert_int_eq(one("1000000\nabc", 1024 * 1024, &cause, &r),
	    RECORDIO_NEED_MORE);
	ck_assert_uint_le(r.in.cap, 4096);
	recordio_reader_clear(&r);
}
END_TEST

START_TEST(test_split_header)
{
	struct recordio_reader r;
	const char *data, *cause;
	size_t len;

	recordio_reader_init(&r, 0);
	ck_assert_int_eq(recordio_next(&r, &data, &len, &cause),
	    RECORDIO_NEED_MORE);
	ck_assert_int_eq(recordio_feed(&r, "1", 1), 0);
	ck_assert_int_eq(recordio_next(&r, &data, &len, &cause),
	    RECORDIO_NEED_MORE);
	ck_assert_int_eq(recordio_feed(&r, "2", 1), 0);
	ck_assert_int_eq(recordio_next(&r, &data, &len, &cause),
	    RECORDIO_NEED_MORE);
	ck_assert_int_eq(recordio_feed(&r, "\nhello", 6), 0);
	ck_assert_int_eq(recordio_next(&r, &data, &len, &cause),
	    RECORDIO_NEED_MORE);
	ck_assert_int_eq(recordio_feed(&r, " world!1", 8), 0);
	ck_assert_int_eq(recordio_next(&r, &data, &len, &cause), RECORDIO_OK);
	ck_assert_uint_eq(len, 12);
	ck_assert(memcmp(data, "hello world!", 12) == 0);
	ck_assert_int_eq(recordio_next(&r, &data, &len, &cause),
	    RECORDIO_NEED_MORE);
	ck_assert_uint_eq(recordio_pending(&r), 1);
	ck_assert_int_eq(recordio_feed(&r, "\nZ", 2), 0);
	ck_assert_int_eq(recordio_next(&r, &data, &len, &cause), RECORDIO_OK);
	ck_assert_uint_eq(len, 1);
	ck_assert_int_eq(data[0], 'Z');
	/* A record exactly at the maximum is fine. */
	recordio_reader_clear(&r);
	recordio_reader_init(&r, 3);
	ck_assert_int_eq(recordio_feed(&r, "3\nabc", 5), 0);
	ck_assert_int_eq(recordio_next(&r, &data, &len, &cause), RECORDIO_OK);
	ck_assert_uint_eq(len, 3);
	recordio_reader_clear(&r);
}
END_TEST

/* An endless stream of small records in odd chunks keeps the buffer small. */
START_TEST(test_buffer_stays_small)
{
	struct recordio_reader r;
	struct buf one_rec;
	const char *data, *cause;
	size_t len, off = 0;
	int i, got = 0;

	buf_init(&one_rec, 0);
	ck_assert_int_eq(recordio_write(&one_rec, "0123456789", 10), 0);
	recordio_reader_init(&r, 0);
	for (i = 0; i < 100000; i++) {
		/* 7-byte chunks cut headers and records everywhere. */
		size_t k;

		for (k = 0; k < 7; k++) {
			ck_assert_int_eq(recordio_feed(&r, one_rec.data + off,
			    1), 0);
			off = (off + 1) % one_rec.len;
		}
		while (recordio_next(&r, &data, &len, &cause) == RECORDIO_OK) {
			ck_assert_uint_eq(len, 10);
			ck_assert(memcmp(data, "0123456789", 10) == 0);
			got++;
		}
	}
	ck_assert_int_eq(got, 100000 * 7 / 13);
	ck_assert_uint_le(r.in.cap, 1024);
	recordio_reader_clear(&r);
	buf_clear(&one_rec);
}
END_TEST

START_TEST(test_writer)
{
	struct buf out;
	struct recordio_reader r;
	const char *data, *cause;
	size_t len;

	buf_init(&out, 0);
	ck_assert_int_eq(recordio_write(&out, "abc", 3), 0);
	ck_assert_int_eq(recordio_write(&out, "", 0), -1);
	ck_assert_uint_eq(out.len, 5);
	ck_assert(memcmp(out.data, "3\nabc", 5) == 0);
	recordio_reader_init(&r, 0);
	ck_assert_int_eq(recordio_feed(&r, out.data, out.len), 0);
	ck_assert_int_eq(recordio_next(&r, &data, &len, &cause), RECORDIO_OK);
	ck_assert_uint_eq(len, 3);
	ck_assert(memcmp(data, "abc", 3) == 0);
	recordio_reader_clear(&r);
	buf_clear(&out);

	/* A full buffer refuses the whole frame and keeps its contents. */
	buf_init(&out, 8);
	ck_assert_int_eq(recordio_write(&out, "abcd", 4), 0);
	ck_assert_int_eq(recordio_write(&out, "abcd", 4), -1);
	ck_assert_uint_eq(out.len, 6);
	ck_assert(memcmp(out.data, "4\nabcd", 6) == 0);
	buf_clear(&out);
}
END_TEST

static Suite *
recordio_suite(void)
{
	Suite *s = suite_create("recordio");
	TCase *tc = tcase_create("reader");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_chunkings);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_giant_header_allocates_nothing);
	tcase_add_test(tc, test_split_header);
	tcase_add_test(tc, test_buffer_stays_small);
	tcase_add_test(tc, test_writer);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	const char *e = getenv("ARK_SEED");
	int failed;

	seed = e != NULL ? (unsigned)strtoul(e, NULL, 0) : (unsigned)time(NULL);
	if (seed == 0)
		seed = 1;
	printf("check_recordio: seed %u (set ARK_SEED to repeat)\n", seed);
	sr = srunner_create(recordio_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
