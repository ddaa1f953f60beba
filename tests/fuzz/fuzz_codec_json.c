/*
 * fuzz_codec_json — decodes the input as a JSON Event and as a JSON Call.
 * Whatever decodes must encode to JSON and protobuf, decode again from both,
 * and after that one normalisation encode to the same JSON text again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "fuzz-codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Checks one decoded message; aborts on a broken invariant. */
static void
check(ProtobufCMessage *m)
{
	struct buf j1, j2, pb;
	ProtobufCMessage *m2, *m3;
	char *cause = NULL;

	buf_init(&j1, 0);
	buf_init(&j2, 0);
	buf_init(&pb, 0);
	if (codec_encode(CODEC_JSON, m, &j1, &cause) != 0)
		fuzz_codec_fail("encode json m", cause);
	m2 = codec_decode(CODEC_JSON, m->descriptor, j1.data, j1.len, &cause);
	if (m2 == NULL) {
		fprintf(stderr, "re-decode failed: %s\n%s\n", cause, j1.data);
		abort();
	}
	if (codec_encode(CODEC_JSON, m2, &j2, &cause) != 0)
		fuzz_codec_fail("encode json m2", cause);
	if (j1.len != j2.len || memcmp(j1.data, j2.data, j1.len) != 0) {
		fprintf(stderr, "unstable:\n%s\n%s\n", j1.data, j2.data);
		abort();
	}
	if (codec_encode(CODEC_PROTOBUF, m2, &pb, &cause) != 0)
		fuzz_codec_fail("encode protobuf m2", cause);
	m3 = codec_decode(CODEC_PROTOBUF, m->descriptor, pb.data, pb.len,
	    &cause);
	if (m3 == NULL)
		abort();
	codec_free(m3);
	codec_free(m2);
	buf_clear(&j1);
	buf_clear(&j2);
	buf_clear(&pb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	fuzz_codec_each(CODEC_JSON, in, n, check);
	return 0;
}
