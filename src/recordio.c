/*
 * recordio — Mesos' RecordIO framing, read incrementally and written. The
 * reader keeps unread bytes in one bounded buffer and returns records as
 * pointers into it (no copy); consumed bytes are dropped lazily, when a feed
 * finds more consumed than unread bytes or the buffer would have to grow, so
 * feeding a stream costs linear time however it is chunked. A length header
 * is parsed digit by digit and checked against the maximum as it is read: a
 * peer cannot make the reader allocate for a record it announces, only for
 * bytes it actually sends. Any malformed header fails the reader for good;
 * there is no way to resynchronise a RecordIO stream.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recordio.h"

/* An idle buffer larger than this is freed rather than kept for reuse. */
#define RECORDIO_KEEP_MAX	(1024u * 1024)

/* Prepares r; max_record 0 selects RECORDIO_DEFAULT_MAX. */
void
recordio_reader_init(struct recordio_reader *r, size_t max_record)
{
	buf_init(&r->in, 0);
	r->pos = 0;
	r->base = 0;
	r->max_record = max_record == 0 ? RECORDIO_DEFAULT_MAX : max_record;
	r->failed = 0;
	r->cause[0] = '\0';
}

/* Frees what r holds; r may be initialised again. */
void
recordio_reader_clear(struct recordio_reader *r)
{
	buf_clear(&r->in);
	r->pos = 0;
}

/* Returns the number of bytes fed but not yet returned as records. */
size_t
recordio_pending(const struct recordio_reader *r)
{
	return r->in.len - r->pos;
}

/* Marks r failed with a message naming the stream offset. */
static enum recordio_status
recordio_fail(struct recordio_reader *r, const char **cause, const char *what,
    uint64_t off)
{
	if (!r->failed) {
		snprintf(r->cause, sizeof r->cause, "%s at byte %" PRIu64,
		    what, off);
		r->failed = 1;
	}
	if (cause != NULL)
		*cause = r->cause;
	return RECORDIO_ERROR;
}

/*
 * Drops consumed bytes before n more arrive: all of them for free when
 * nothing is unread, otherwise by moving the unread tail to the front, but
 * only when that tail is shorter than what was consumed or the buffer is
 * full; each byte is then moved at most a bounded number of times.
 */
static void
recordio_compact(struct recordio_reader *r, size_t n)
{
	struct buf *b = &r->in;
	size_t unread = b->len - r->pos;

	if (r->pos == 0)
		return;
	if (unread == 0) {
		r->base += r->pos;
		r->pos = 0;
		if (b->cap > RECORDIO_KEEP_MAX)
			buf_clear(b);
		else
			buf_reset(b);
		return;
	}
	if (r->pos < unread && b->len + n + 1 <= b->cap)
		return;
	memmove(b->data, b->data + r->pos, unread);
	r->base += r->pos;
	b->len = unread;
	b->data[b->len] = '\0';
	r->pos = 0;
}

/* Copies n bytes into r; -1 if r has failed. */
int
recordio_feed(struct recordio_reader *r, const void *p, size_t n)
{
	if (r->failed)
		return -1;
	if (n == 0)
		return 0;
	recordio_compact(r, n);
	if (buf_add(&r->in, p, n) != 0) {
		recordio_fail(r, NULL, "reader buffer overflow",
		    r->base + r->in.len);
		return -1;
	}
	return 0;
}

/*
 * Returns the next record as a pointer into r (valid until the next feed or
 * next call), NEED_MORE, or ERROR with *cause owned by r.
 */
enum recordio_status
recordio_next(struct recordio_reader *r, const char **data, size_t *len,
    const char **cause)
{
	const unsigned char *p;
	size_t avail, i;
	uint64_t v = 0, start;
	char what[96];

	if (r->failed)
		return recordio_fail(r, cause, "", 0);
	if (r->in.data == NULL)
		return RECORDIO_NEED_MORE;
	p = (const unsigned char *)r->in.data + r->pos;
	avail = r->in.len - r->pos;
	start = r->base + r->pos;
	for (i = 0; i < avail; i++) {
		unsigned d;

		if (p[i] == '\n')
			break;
		if (p[i] < '0' || p[i] > '9')
			return recordio_fail(r, cause,
			    "record length header is not decimal", start + i);
		if (i == RECORDIO_HEADER_MAX)
			return recordio_fail(r, cause,
			    "record length header is longer than 20 digits",
			    start + i);
		d = p[i] - '0';
		if (v > (UINT64_MAX - d) / 10)
			return recordio_fail(r, cause,
			    "record length does not fit in 64 bits", start);
		v = v * 10 + d;
		/* Refuse as soon as the digits read pass the maximum. */
		if (v > r->max_record) {
			snprintf(what, sizeof what,
			    "record length exceeds the maximum of %zu bytes",
			    r->max_record);
			return recordio_fail(r, cause, what, start);
		}
	}
	if (i == avail)
		return RECORDIO_NEED_MORE;
	if (i == 0)
		return recordio_fail(r, cause, "record length header is empty",
		    start);
	if (v == 0)
		return recordio_fail(r, cause, "record length is 0", start);
	if (avail - i - 1 < v)
		return RECORDIO_NEED_MORE;
	*data = (const char *)p + i + 1;
	*len = (size_t)v;
	r->pos += i + 1 + (size_t)v;
	return RECORDIO_OK;
}

/* Appends "<len>\n<data>" to out; -1 with out unchanged if it cannot. */
int
recordio_write(struct buf *out, const void *data, size_t len)
{
	char hdr[RECORDIO_HEADER_MAX + 2];
	size_t old = out->len;
	int n;

	if (len == 0)
		return -1;
	n = snprintf(hdr, sizeof hdr, "%zu\n", len);
	if (n < 0 || (size_t)n >= sizeof hdr)
		return -1;
	if (out->max != 0 && (len > out->max ||
	    out->len + (size_t)n > out->max - len))
		return -1;
	if (buf_add(out, hdr, (size_t)n) != 0 ||
	    buf_add(out, data, len) != 0) {
		out->len = old;
		if (out->data != NULL)
			out->data[old] = '\0';
		return -1;
	}
	return 0;
}
