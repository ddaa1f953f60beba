/*
 * fuzz_recordio — feeds the input to a RecordIO reader in chunks chosen by
 * the input's first bytes and checks it against a reader fed all at once:
 * the same records, the same error, and a buffer that never grows past one
 * record plus its header plus the chunk being fed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "recordio.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Reads every record of r into a flat log: length then bytes; -1 on error. */
static int
drain(struct recordio_reader *r, uint8_t *log, size_t *loglen, size_t max)
{
	enum recordio_status rs;
	const char *data, *cause;
	size_t len;

	for (;;) {
		rs = recordio_next(r, &data, &len, &cause);
		if (rs == RECORDIO_NEED_MORE)
			return 0;
		if (rs == RECORDIO_ERROR) {
			if (cause == NULL || *cause == '\0')
				abort();
			return -1;
		}
		if (len == 0 || len > max)
			abort();
		memcpy(log + *loglen, &len, sizeof len);
		*loglen += sizeof len;
		memcpy(log + *loglen, data, len);
		*loglen += len;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	struct recordio_reader a, b;
	uint8_t *loga, *logb;
	size_t la = 0, lb = 0, off, chunk, max;
	uint32_t st;
	int erra, errb = 0;

	if (n < 5)
		return 0;
	/* Byte 0 picks the maximum record size, bytes 1-4 the chunking. */
	max = 1 + (size_t)in[0] * 7;
	memcpy(&st, in + 1, 4);
	st |= 1;
	in += 5;
	n -= 5;
	/* Records are at least 3 bytes framed: the logs fit in this. */
	loga = malloc(n * (sizeof(size_t) + 1) + 1);
	logb = malloc(n * (sizeof(size_t) + 1) + 1);
	if (loga == NULL || logb == NULL)
		abort();

	recordio_reader_init(&a, max);
	if (recordio_feed(&a, in, n) != 0)
		abort();
	erra = drain(&a, loga, &la, max);

	recordio_reader_init(&b, max);
	for (off = 0; off < n && !errb; off += chunk) {
		st ^= st << 13;
		st ^= st >> 17;
		st ^= st << 5;
		chunk = 1 + st % 64;
		if (chunk > n - off)
			chunk = n - off;
		if (recordio_feed(&b, in + off, chunk) != 0)
			abort();
		errb = drain(&b, logb, &lb, max);
		/* One partial record and its header, plus one chunk, doubled. */
		if (b.in.cap > 2 * (max + RECORDIO_HEADER_MAX + 2 + 64) + 256)
			abort();
	}
	if (erra != errb || la != lb || memcmp(loga, logb, la) != 0)
		abort();
	if (erra && strcmp(a.cause, b.cause) != 0)
		abort();
	recordio_reader_clear(&a);
	recordio_reader_clear(&b);
	free(loga);
	free(logb);
	return 0;
}
