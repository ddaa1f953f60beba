/*
 * fuzz-codec — what the two codec fuzz targets share: how a broken
 * invariant is reported, and feeding the input to the Event and the Call
 * decoder of one encoding. Each target includes it once and supplies its
 * own check of what decodes.
 */
#ifndef ARK_FUZZ_CODEC_H
#define ARK_FUZZ_CODEC_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "codec.h"

/* Reports why an invariant broke, then aborts. */
static inline void
fuzz_codec_fail(const char *what, const char *cause)
{
	fprintf(stderr, "%s: %s\n", what, cause != NULL ? cause : "");
	abort();
}

/*
 * Decodes in[0..n) as an Event and then as a Call of codec; check gets
 * each message that decodes (borrowed: freed here afterwards).
 */
static inline void
fuzz_codec_each(enum codec_type codec, const uint8_t *in, size_t n,
    void (*check)(ProtobufCMessage *))
{
	ProtobufCMessage *m;
	char *cause = NULL;

	m = (ProtobufCMessage *)codec_decode_event(codec, in, n, &cause);
	if (m != NULL) {
		check(m);
		codec_free(m);
	} else {
		free(cause);
	}
	cause = NULL;
	m = (ProtobufCMessage *)codec_decode_call(codec, in, n, &cause);
	if (m != NULL) {
		check(m);
		codec_free(m);
	} else {
		free(cause);
	}
}

#endif
