/*
 * fuzz_codec_protobuf — decodes the input as a protobuf Event and as a
 * protobuf Call. Whatever decodes must re-encode, decode again and then pack
 * to the same bytes, and must also survive a trip through JSON (unless it
 * nests deeper than the JSON walker follows).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "fuzz-codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Tells whether m or a submessage kept an unknown field numbered 0:
 * protobuf-c's unpacker refuses tag 0 only in its one-byte form, so an
 * overlong tag 0 decodes, repacks in one byte and then does not decode.
 */
static int
has_tag0(const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const ProtobufCMessage *sub;
	unsigned i;
	size_t k, n;

	for (k = 0; k < m->n_unknown_fields; k++)
		if (m->unknown_fields[k].tag == 0)
			return 1;
	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *member = (const char *)m + f->offset;

		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(const size_t *)(const void *)((const char *)m +
			    f->quantifier_offset);
			for (k = 0; k < n; k++)
				if (has_tag0((*(ProtobufCMessage *const *const *)
				    (const void *)member)[k]))
					return 1;
			continue;
		}
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(const uint32_t *)(const void *)((const char *)m +
		    f->quantifier_offset) != f->id)
			continue;
		sub = *(const ProtobufCMessage *const *)(const void *)member;
		if (sub != NULL && has_tag0(sub))
			return 1;
	}
	return 0;
}

/* Checks one decoded message; aborts on a broken invariant. */
static void
check(ProtobufCMessage *m)
{
	struct buf p1, p2, js;
	ProtobufCMessage *m2, *mj;
	char *cause = NULL;

	buf_init(&p1, 0);
	buf_init(&p2, 0);
	buf_init(&js, 0);
	if (codec_encode(CODEC_PROTOBUF, m, &p1, &cause) != 0)
		fuzz_codec_fail("encode protobuf m", cause);
	m2 = codec_decode(CODEC_PROTOBUF, m->descriptor, p1.data, p1.len,
	    &cause);
	if (m2 == NULL) {
		if (!has_tag0(m))
			fuzz_codec_fail("decode of re-encoded", cause);
		free(cause);
		goto out;
	}
	if (codec_encode(CODEC_PROTOBUF, m2, &p2, &cause) != 0)
		fuzz_codec_fail("encode protobuf m2", cause);
	if (p1.len != p2.len || memcmp(p1.data, p2.data, p1.len) != 0)
		abort();
	if (codec_encode(CODEC_JSON, m, &js, &cause) != 0) {
		if (strstr(cause, "nested deeper") == NULL)
			abort();
		free(cause);
	} else {
		mj = codec_decode(CODEC_JSON, m->descriptor, js.data, js.len,
		    &cause);
		if (mj == NULL) {
			if (strstr(cause, "nested deeper") == NULL) {
				fprintf(stderr, "%s\n%s\n", cause, js.data);
				abort();
			}
			free(cause);
		}
		codec_free(mj);
	}
	codec_free(m2);
out:
	buf_clear(&p1);
	buf_clear(&p2);
	buf_clear(&js);
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	fuzz_codec_each(CODEC_PROTOBUF, in, n, check);
	return 0;
}
