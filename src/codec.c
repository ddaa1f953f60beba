/*
 * codec — Mesos messages to and from application/x-protobuf and
 * application/json. Protobuf is protobuf-c's own packer and unpacker with the
 * system allocator. JSON is generic: one walker over protobuf-c descriptors
 * turns any message into a jansson tree and back, following the mapping Mesos
 * uses (stout's jsonify and protobuf::parse): proto field names as keys,
 * enums by value name (any int32 number accepted, and written for values
 * the schema does not name), bytes as base64 (standard with
 * padding out; standard or URL-safe, padded or not, in), 64-bit integers as
 * numbers (decimal strings accepted, and written for uint64 values a JSON
 * integer cannot hold), map fields as objects, null as absent, unknown keys
 * ignored. Decoded messages follow ark's ownership rule: every part is its own
 * malloc block, and unset fields keep their proto2 defaults
 * (protobuf_c_message_init). A JSON decode error names the path of the bad
 * value; the path is built only on the way out of a failed decode, so a good
 * decode pays nothing for it.
 */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codec.h"
#include "xmalloc.h"

/*
 * Deepest message nesting accepted, in either encoding. Mesos' schema is
 * recursive (ContainerID.parent), and protobuf-c's unpacker recurses without
 * a limit, so nesting is checked before unpacking.
 */
#define CODEC_DEPTH_MAX	100
/* Bodies this short cannot nest deep enough to matter (2 bytes a level). */
#define CODEC_SCAN_MIN	512
/* Longest error path kept; longer paths lose their front. */
#define CODEC_PATH_MAX	256

static const char *codec_types[CODEC_MAX] = {
	"application/x-protobuf",
	"application/json",
};
static const char *codec_names[CODEC_MAX] = { "protobuf", "json" };

/* Returns the media type for t. */
const char *
codec_content_type(enum codec_type t)
{
	return (unsigned)t < CODEC_MAX ? codec_types[t] : "?";
}

/* Returns "protobuf" or "json". */
const char *
codec_name(enum codec_type t)
{
	return (unsigned)t < CODEC_MAX ? codec_names[t] : "?";
}

/*
 * Maps a Content-Type or Accept value to a codec, ignoring case, surrounding
 * blanks and parameters ("application/json; charset=utf-8"); -1 if neither.
 */
int
codec_from_content_type(const char *s, enum codec_type *t)
{
	size_t n, i;

	if (s == NULL)
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strcspn(s, ";");
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	for (i = 0; i < CODEC_MAX; i++) {
		if (strlen(codec_types[i]) == n &&
		    strncasecmp(s, codec_types[i], n) == 0) {
			*t = (enum codec_type)i;
			return 0;
		}
	}
	return -1;
}

/* Returns the proto name of an enum value, or "?" if it has none. */
const char *
codec_enum_name(const ProtobufCEnumDescriptor *ed, int value)
{
	const ProtobufCEnumValue *ev;

	if (ed == NULL)
		return "?";
	ev = protobuf_c_enum_descriptor_get_value(ed, value);
	return ev != NULL ? ev->name : "?";
}

/* Frees a message of any type and every part it owns; accepts NULL. */
void
codec_free(void *msg)
{
	if (msg != NULL)
		protobuf_c_message_free_unpacked(msg, NULL);
}

/* Base64 ------------------------------------------------------------------ */

static const char codec_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Returns data as padded standard base64 in a new string (caller frees). */
static char *
codec_b64_encode(const uint8_t *p, size_t n, size_t *outlen)
{
	char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*o++ = codec_b64[p[i] >> 2];
		*o++ = codec_b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		*o++ = codec_b64[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
		*o++ = codec_b64[p[i + 2] & 63];
	}
	if (i < n) {
		*o++ = codec_b64[p[i] >> 2];
		if (i + 1 < n) {
			*o++ = codec_b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
			*o++ = codec_b64[(p[i + 1] & 15) << 2];
		} else {
			*o++ = codec_b64[(p[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	return out;
}

/* Returns the value of one base64 digit (either alphabet), or -1. */
static int
codec_b64_digit(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/*
 * Decodes base64 (standard or URL-safe, padding optional) into a new block
 * the caller frees (NULL when empty); -1 if s is not base64.
 */
static int
codec_b64_decode(const char *s, size_t n, uint8_t **outp, size_t *outlen)
{
	uint8_t *out;
	size_t i, o = 0;
	uint32_t acc = 0;
	int bits = 0, d;

	*outp = NULL;
	*outlen = 0;
	/* Up to two '=' may end the text, and only where padding belongs. */
	if (n > 0 && s[n - 1] == '=') {
		if (n % 4 != 0)
			return -1;
		n--;
		if (s[n - 1] == '=')
			n--;
	}
	if (n % 4 == 1)
		return -1;
	if (n == 0)
		return 0;
	out = xmalloc(n / 4 * 3 + 3);
	for (i = 0; i < n; i++) {
		d = codec_b64_digit((unsigned char)s[i]);
		if (d < 0) {
			free(out);
			return -1;
		}
		acc = (acc << 6) | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	*outp = out;
	*outlen = o;
	return 0;
}

/* Protobuf ---------------------------------------------------------------- */

/* Reads a varint at *p; -1 if the bytes end first or it is too long. */
static int
codec_pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;
	unsigned shift;

	for (shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;

		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

/*
 * Which message types can contain themselves, directly or through others,
 * and so nest without a bound. Computed once per type, on first use, by a
 * depth-first walk of the descriptors (static data): a type is recursive if
 * its walk meets a type still being walked, or a type already known to be.
 * The table is written on first use of a type: decode from one thread (ark
 * decodes on its event loop) or decode each type once before starting others.
 */
#define CODEC_REC_SLOTS	2048

enum codec_rec {
	CODEC_REC_UNKNOWN,	/* not walked yet */
	CODEC_REC_WALKING,	/* on the walk's stack now */
	CODEC_REC_YES,		/* can nest without a bound */
	CODEC_REC_NO,		/* nesting is bounded by the schema */
};

static struct {
	const ProtobufCMessageDescriptor	*desc;
	enum codec_rec				 state;
} codec_rec_table[CODEC_REC_SLOTS];

/* Returns d's slot in the table, or NULL if the table is full. */
static enum codec_rec *
codec_rec_slot(const ProtobufCMessageDescriptor *d)
{
	size_t i = ((uintptr_t)d >> 4) % CODEC_REC_SLOTS, n;

	for (n = 0; n < CODEC_REC_SLOTS; n++) {
		if (codec_rec_table[i].desc == d)
			return &codec_rec_table[i].state;
		if (codec_rec_table[i].desc == NULL) {
			codec_rec_table[i].desc = d;
			codec_rec_table[i].state = CODEC_REC_UNKNOWN;
			return &codec_rec_table[i].state;
		}
		i = (i + 1) % CODEC_REC_SLOTS;
	}
	return NULL;
}

/* Tells whether messages of type d can nest without a bound. */
static int
codec_recursive(const ProtobufCMessageDescriptor *d)
{
	enum codec_rec *st = codec_rec_slot(d);
	int yes = 0;
	unsigned i;

	if (st == NULL)
		return 1;
	switch (*st) {
	case CODEC_REC_WALKING:
	case CODEC_REC_YES:
		return 1;
	case CODEC_REC_NO:
		return 0;
	default:
		break;
	}
	*st = CODEC_REC_WALKING;
	for (i = 0; i < d->n_fields; i++)
		if (d->fields[i].type == PROTOBUF_C_TYPE_MESSAGE &&
		    codec_recursive(d->fields[i].descriptor))
			yes = 1;
	/* Slots never move, so st is still d's. */
	*st = yes ? CODEC_REC_YES : CODEC_REC_NO;
	return yes;
}

/*
 * Checks that the submessages of the wire bytes [p, end) of a message of
 * type d nest no deeper than the limit, reading only tags and lengths and
 * descending only into types that can recurse; -1 if they nest deeper.
 * Malformed bytes pass: the unpacker rejects them.
 */
static int
codec_pb_scan(const ProtobufCMessageDescriptor *d, const uint8_t *p,
    const uint8_t *end, int depth)
{
	const ProtobufCFieldDescriptor *f;
	uint64_t key, n;

	if (depth > CODEC_DEPTH_MAX)
		return -1;
	while (p < end) {
		if (codec_pb_varint(&p, end, &key) != 0)
			return 0;
		switch (key & 7) {
		case 0:
			if (codec_pb_varint(&p, end, &n) != 0)
				return 0;
			break;
		case 1:
			if (end - p < 8)
				return 0;
			p += 8;
			break;
		case 5:
			if (end - p < 4)
				return 0;
			p += 4;
			break;
		case 2:
			if (codec_pb_varint(&p, end, &n) != 0 ||
			    n > (uint64_t)(end - p))
				return 0;
			f = key >> 3 > UINT32_MAX ? NULL :
			    protobuf_c_message_descriptor_get_field(d,
			    (unsigned)(key >> 3));
			if (f != NULL && f->type == PROTOBUF_C_TYPE_MESSAGE &&
			    codec_recursive(f->descriptor) &&
			    codec_pb_scan(f->descriptor, p, p + n,
			    depth + 1) != 0)
				return -1;
			p += n;
			break;
		default:
			return 0;
		}
	}
	return 0;
}

/* Unpacks len bytes as desc; NULL with *cause set if they are not one. */
static ProtobufCMessage *
codec_pb_decode(const ProtobufCMessageDescriptor *desc, const void *data,
    size_t len, char **cause)
{
	ProtobufCMessage *m;

	if (len >= CODEC_SCAN_MIN && codec_recursive(desc) &&
	    codec_pb_scan(desc, data, (const uint8_t *)data + len, 0) != 0) {
		*cause = xasprintf("protobuf %s nests messages deeper than %d",
		    desc->name, CODEC_DEPTH_MAX);
		return NULL;
	}

	m = protobuf_c_message_unpack(desc, NULL, len, data);
	if (m == NULL)
		*cause = xasprintf("invalid protobuf %s (%zu bytes)",
		    desc->name, len);
	return m;
}

/* Packs msg at the end of out; -1 with *cause set if out is full. */
static int
codec_pb_encode(const ProtobufCMessage *msg, struct buf *out, char **cause)
{
	uint8_t stackbuf[4096], *p = stackbuf;
	size_t n, packed;
	int rc = -1;

	if (!protobuf_c_message_check(msg)) {
		*cause = xasprintf("%s lacks a required field",
		    msg->descriptor->name);
		return -1;
	}
	n = protobuf_c_message_get_packed_size(msg);
	if (n > CODEC_MAX_BODY) {
		*cause = xasprintf("%s packs to %zu bytes, over the maximum "
		    "of %u", msg->descriptor->name, n, CODEC_MAX_BODY);
		return -1;
	}
	if (n > sizeof stackbuf)
		p = xmalloc(n);
	packed = protobuf_c_message_pack(msg, p);
	if (packed != n) {
		*cause = xasprintf("%s packed to %zu bytes, not %zu",
		    msg->descriptor->name, packed, n);
		goto out;
	}
	if (buf_add(out, p, n) != 0) {
		*cause = xasprintf("encoded %s (%zu bytes) does not fit the "
		    "output buffer", msg->descriptor->name, n);
		goto out;
	}
	rc = 0;
out:
	if (p != stackbuf)
		free(p);
	return rc;
}

/* Field access ------------------------------------------------------------ */

#define CODEC_AT(type, msg, off)	((type *)(void *)((char *)(msg) + (off)))
#define CODEC_CAT(type, msg, off) \
	((const type *)(const void *)((const char *)(msg) + (off)))

/* Returns the size of one element of a repeated field of type t. */
static size_t
codec_elt_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return sizeof(uint64_t);
	case PROTOBUF_C_TYPE_DOUBLE:
		return sizeof(double);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	default:
		return sizeof(uint32_t);
	}
}

/*
 * Tells whether f is a map field: protoc-c turns map<K, V> into a repeated
 * "<Name>Entry" message with fields key = 1 and value = 2.
 */
static int
codec_is_map(const ProtobufCFieldDescriptor *f)
{
	const ProtobufCMessageDescriptor *d;
	size_t n;

	if (f->label != PROTOBUF_C_LABEL_REPEATED ||
	    f->type != PROTOBUF_C_TYPE_MESSAGE)
		return 0;
	d = f->descriptor;
	if (d == NULL || d->n_fields != 2 || d->fields[0].id != 1 ||
	    d->fields[1].id != 2 || strcmp(d->fields[0].name, "key") != 0 ||
	    strcmp(d->fields[1].name, "value") != 0)
		return 0;
	switch (d->fields[0].type) {
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_DOUBLE:
	case PROTOBUF_C_TYPE_BYTES:
	case PROTOBUF_C_TYPE_MESSAGE:
	case PROTOBUF_C_TYPE_ENUM:
		return 0;
	default:
		break;
	}
	n = strlen(d->name);
	return n > 5 && strcmp(d->name + n - 5, "Entry") == 0;
}

/*
 * Tells whether an optional or proto3 field of msg is set, the way
 * protobuf-c's packer decides it.
 */
static int
codec_is_present(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
	const void *m = CODEC_CAT(char, msg, f->offset);
	const void *ptr;

	switch (f->label) {
	case PROTOBUF_C_LABEL_REQUIRED:
		if (f->type == PROTOBUF_C_TYPE_STRING ||
		    f->type == PROTOBUF_C_TYPE_MESSAGE)
			return *(const void *const *)m != NULL;
		return 1;
	case PROTOBUF_C_LABEL_REPEATED:
		return *CODEC_CAT(size_t, msg, f->quantifier_offset) > 0;
	default:
		break;
	}
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
		return *CODEC_CAT(uint32_t, msg, f->quantifier_offset) ==
		    f->id;
	if (f->type == PROTOBUF_C_TYPE_STRING ||
	    f->type == PROTOBUF_C_TYPE_MESSAGE) {
		ptr = *(const void *const *)m;
		if (ptr == NULL || ptr == f->default_value)
			return 0;
		if (f->label == PROTOBUF_C_LABEL_NONE &&
		    f->type == PROTOBUF_C_TYPE_STRING)
			return *(const char *)ptr != '\0';
		return 1;
	}
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL)
		return *CODEC_CAT(protobuf_c_boolean, msg, f->quantifier_offset);
	/* proto3 without presence: set when not zero. */
	if (f->type == PROTOBUF_C_TYPE_BYTES)
		return ((const ProtobufCBinaryData *)m)->len > 0;
	{
		const unsigned char *b = m;
		size_t i, n = codec_elt_size(f->type);

		for (i = 0; i < n; i++)
			if (b[i] != 0)
				return 1;
		return 0;
	}
}

/* To JSON ----------------------------------------------------------------- */

/* Returns j, aborting if jansson ran out of memory. */
static json_t *
codec_jnew(json_t *j)
{
	if (j == NULL) {
		fprintf(stderr, "ark: out of memory (jansson)\n");
		abort();
	}
	return j;
}

/*
 * Returns a JSON string for s; bytes that are not UTF-8 become U+FFFD, since
 * a proto2 string is not checked when unpacked and JSON text must be UTF-8.
 */
static json_t *
codec_jstring(const char *s, size_t n)
{
	json_t *j;
	char *fixed;
	size_t i = 0, o = 0;

	j = json_stringn(s, n);
	if (j != NULL)
		return j;
	fixed = xmalloc(n * 3 + 1);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len = 0, k;
		uint32_t cp = 0;

		if (c < 0x80) {
			fixed[o++] = (char)c;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		}
		for (k = 1; len > 0 && k < len; k++) {
			if (i + k >= n || ((unsigned char)s[i + k] & 0xc0) != 0x80) {
				len = 0;
				break;
			}
			cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3f);
		}
		if (len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
			len = 0;
		if (len == 4 && (cp < 0x10000 || cp > 0x10ffff))
			len = 0;
		if (len == 0) {
			memcpy(fixed + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(fixed + o, s + i, len);
		o += len;
		i += len;
	}
	j = codec_jnew(json_stringn(fixed, o));
	free(fixed);
	return j;
}

/* Returns a JSON number for d; NaN and infinities as protobuf's strings. */
static json_t *
codec_jreal(double d)
{
	if (isnan(d))
		return codec_jnew(json_string("NaN"));
	if (isinf(d))
		return codec_jnew(json_string(d > 0 ? "Infinity" : "-Infinity"));
	return codec_jnew(json_real(d));
}

static json_t *codec_jmsg(const ProtobufCMessage *, int depth);

/* Returns the JSON form of one value of field f stored at p; NULL if too deep. */
static json_t *
codec_jvalue(const ProtobufCFieldDescriptor *f, const void *p, int depth)
{
	char tmp[24];
	const ProtobufCEnumValue *ev;
	const ProtobufCBinaryData *bd;
	const ProtobufCMessage *sub;
	const char *s;
	uint64_t u;
	char *b64;
	size_t n;
	json_t *j;

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		return codec_jnew(json_integer(*(const int32_t *)p));
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return codec_jnew(json_integer(*(const uint32_t *)p));
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		return codec_jnew(json_integer(*(const int64_t *)p));
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		u = *(const uint64_t *)p;
		if (u <= INT64_MAX)
			return codec_jnew(json_integer((json_int_t)u));
		/* A JSON integer in jansson is signed 64-bit. */
		snprintf(tmp, sizeof tmp, "%" PRIu64, u);
		return codec_jnew(json_string(tmp));
	case PROTOBUF_C_TYPE_FLOAT:
		return codec_jreal(*(const float *)p);
	case PROTOBUF_C_TYPE_DOUBLE:
		return codec_jreal(*(const double *)p);
	case PROTOBUF_C_TYPE_BOOL:
		return codec_jnew(json_boolean(*(const protobuf_c_boolean *)p));
	case PROTOBUF_C_TYPE_ENUM:
		ev = protobuf_c_enum_descriptor_get_value(f->descriptor,
		    *(const int32_t *)p);
		if (ev != NULL)
			return codec_jnew(json_string(ev->name));
		return codec_jnew(json_integer(*(const int32_t *)p));
	case PROTOBUF_C_TYPE_STRING:
		s = *(const char *const *)p;
		if (s == NULL)
			s = "";
		return codec_jstring(s, strlen(s));
	case PROTOBUF_C_TYPE_BYTES:
		bd = p;
		b64 = codec_b64_encode(bd->data, bd->len, &n);
		j = codec_jnew(json_stringn_nocheck(b64, n));
		free(b64);
		return j;
	case PROTOBUF_C_TYPE_MESSAGE:
		sub = *(const ProtobufCMessage *const *)p;
		if (sub == NULL)
			return codec_jnew(json_object());
		return codec_jmsg(sub, depth + 1);
	}
	return codec_jnew(json_null());
}

/* Returns the JSON object key for a map entry's key field value at p. */
static json_t *
codec_jmap_key(const ProtobufCFieldDescriptor *kf, const void *p)
{
	if (kf->type == PROTOBUF_C_TYPE_BOOL)
		return codec_jnew(json_string(
		    *(const protobuf_c_boolean *)p ? "true" : "false"));
	if (kf->type == PROTOBUF_C_TYPE_STRING)
		return codec_jvalue(kf, p, 0);
	{
		json_t *n = codec_jvalue(kf, p, 0), *s;
		char tmp[24];

		if (json_is_string(n))
			return n;
		snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(n));
		json_decref(n);
		s = codec_jnew(json_string(tmp));
		return s;
	}
}

/* Returns a map field (n entries at arr) as a JSON object; NULL if too deep. */
static json_t *
codec_jmap(const ProtobufCFieldDescriptor *f, ProtobufCMessage *const *arr,
    size_t n, int depth)
{
	const ProtobufCMessageDescriptor *ed = f->descriptor;
	const ProtobufCFieldDescriptor *kf = &ed->fields[0], *vf = &ed->fields[1];
	json_t *obj = codec_jnew(json_object()), *k, *v;
	size_t i;

	for (i = 0; i < n; i++) {
		k = codec_jmap_key(kf, CODEC_CAT(char, arr[i], kf->offset));
		/* An entry without a value says so, to come back the same. */
		if (codec_is_present(arr[i], vf))
			v = codec_jvalue(vf, CODEC_CAT(char, arr[i], vf->offset),
			    depth);
		else
			v = codec_jnew(json_null());
		if (v == NULL) {
			json_decref(k);
			json_decref(obj);
			return NULL;
		}
		json_object_set_new(obj, json_string_value(k), v);
		json_decref(k);
	}
	return obj;
}

/* Returns msg as a new JSON object; NULL if nested deeper than the limit. */
static json_t *
codec_jmsg(const ProtobufCMessage *msg, int depth)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	json_t *obj, *v, *arr;
	unsigned i;
	size_t k, n, esz;

	if (depth > CODEC_DEPTH_MAX)
		return NULL;
	obj = codec_jnew(json_object());
	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *member = CODEC_CAT(char, msg, f->offset);

		if (!codec_is_present(msg, f))
			continue;
		if (f->label != PROTOBUF_C_LABEL_REPEATED) {
			v = codec_jvalue(f, member, depth);
		} else if (codec_is_map(f)) {
			n = *CODEC_CAT(size_t, msg, f->quantifier_offset);
			v = codec_jmap(f, *(ProtobufCMessage *const *const *)
			    (const void *)member, n, depth);
		} else {
			const char *elts = *(const char *const *)
			    (const void *)member;

			n = *CODEC_CAT(size_t, msg, f->quantifier_offset);
			esz = codec_elt_size(f->type);
			v = arr = codec_jnew(json_array());
			for (k = 0; k < n; k++) {
				json_t *e = codec_jvalue(f, elts + k * esz, depth);

				if (e == NULL) {
					json_decref(arr);
					v = NULL;
					break;
				}
				json_array_append_new(arr, e);
			}
		}
		if (v == NULL) {
			json_decref(obj);
			return NULL;
		}
		json_object_set_new_nocheck(obj, f->name, v);
	}
	return obj;
}

/* Returns msg as a new JSON object (caller decrefs); NULL if too deep. */
json_t *
codec_to_json(const ProtobufCMessage *msg)
{
	return codec_jmsg(msg, 0);
}

/* From JSON --------------------------------------------------------------- */

/* Where a failed JSON decode is, and what went wrong there. */
struct codec_jerr {
	char	 path[CODEC_PATH_MAX];	/* filled from the end on the way out */
	size_t	 start;			/* the path is path + start */
	char	 what[192];		/* what was wrong */
};

/* Records what went wrong; the path is added by the callers as they return. */
static int
codec_jfail(struct codec_jerr *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int
codec_jfail(struct codec_jerr *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->what, sizeof e->what, fmt, ap);
	va_end(ap);
	e->start = sizeof e->path - 1;
	e->path[e->start] = '\0';
	return -1;
}

/* Puts n bytes of s in front of the path, losing the front when full. */
static void
codec_jprepend(struct codec_jerr *e, const char *s, size_t n)
{
	if (n > e->start) {
		s += n - e->start;
		n = e->start;
	}
	e->start -= n;
	memcpy(e->path + e->start, s, n);
}

/* Puts the dot that separates a field name from what follows it. */
static void
codec_jdot(struct codec_jerr *e)
{
	if (e->path[e->start] != '\0' && e->path[e->start] != '[')
		codec_jprepend(e, ".", 1);
}

/* Puts a field name in front of the path. */
static int
codec_jfield(struct codec_jerr *e, const char *name)
{
	codec_jdot(e);
	codec_jprepend(e, name, strlen(name));
	return -1;
}

/* Puts "[i]" in front of the path. */
static int
codec_jindex(struct codec_jerr *e, size_t i)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "[%zu]", i);

	codec_jdot(e);
	codec_jprepend(e, tmp, (size_t)n);
	return -1;
}

/* Puts "["key"]" in front of the path. */
static int
codec_jkey(struct codec_jerr *e, const char *key)
{
	codec_jdot(e);
	codec_jprepend(e, "\"]", 2);
	codec_jprepend(e, key, strlen(key));
	codec_jprepend(e, "[\"", 2);
	return -1;
}

/* Returns the JSON type name of v as an error message says it. */
static const char *
codec_jtype(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_NULL:
		return "null";
	}
	return "?";
}

/* Returns the proto type name of f as an error message says it. */
static const char *
codec_ptype(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		return "int32";
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return "uint32";
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		return "int64";
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return "uint64";
	default:
		return "number";
	}
}

/*
 * Reads an integer of field type t from v (a JSON integer, an integral real
 * or a decimal string) into *out as int64 or uint64 bits.
 */
static int
codec_jint(struct codec_jerr *e, ProtobufCType t, const json_t *v,
    uint64_t *out)
{
	int is_unsigned = 0;
	int64_t lo, hi;
	int64_t iv = 0;
	uint64_t uv = 0;
	int neg = 0;

	switch (t) {
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		lo = 0;
		hi = UINT32_MAX;
		break;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		is_unsigned = 1;
		lo = 0;
		hi = INT64_MAX;
		break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		lo = INT64_MIN;
		hi = INT64_MAX;
		break;
	default:
		lo = INT32_MIN;
		hi = INT32_MAX;
		break;
	}
	if (json_is_integer(v)) {
		iv = json_integer_value(v);
		neg = iv < 0;
		uv = (uint64_t)iv;
	} else if (json_is_real(v)) {
		double d = json_real_value(v);

		if (d != floor(d) || !(d > -9223372036854775808.0 &&
		    d < 18446744073709551616.0))
			return codec_jfail(e, "expected %s, got %.17g",
			    codec_ptype(t), d);
		if (d < 0) {
			neg = 1;
			iv = (int64_t)d;
			uv = (uint64_t)iv;
		} else {
			uv = (uint64_t)d;
			iv = (int64_t)uv;
		}
		if (!neg && uv > INT64_MAX && !is_unsigned)
			goto range;
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;

		/* Protobuf's JSON mapping writes 64-bit integers as strings. */
		if (*s == '\0' || isspace((unsigned char)*s) || *s == '+')
			goto notnum;
		errno = 0;
		if (*s == '-') {
			neg = 1;
			iv = strtoll(s, &end, 10);
			uv = (uint64_t)iv;
		} else {
			uv = strtoull(s, &end, 10);
			iv = (int64_t)uv;
		}
		if (*end != '\0' || end == s)
			goto notnum;
		if (errno == ERANGE)
			goto range;
		if (!neg && uv > INT64_MAX && !is_unsigned)
			goto range;
	} else {
		return codec_jfail(e, "expected number, got %s", codec_jtype(v));
	}
	if (neg ? iv < lo : (!is_unsigned && iv > hi))
		goto range;
	if (neg && is_unsigned)
		goto range;
	*out = uv;
	return 0;
notnum:
	return codec_jfail(e, "expected number, got string \"%.40s\"",
	    json_string_value(v));
range:
	if (json_is_string(v))
		return codec_jfail(e, "value %.40s out of range for %s",
		    json_string_value(v), codec_ptype(t));
	if (json_is_integer(v))
		return codec_jfail(e, "value %" JSON_INTEGER_FORMAT
		    " out of range for %s", json_integer_value(v),
		    codec_ptype(t));
	return codec_jfail(e, "value %.17g out of range for %s",
	    json_real_value(v), codec_ptype(t));
}

/* Reads a floating-point value (number, numeric string, NaN, ±Infinity). */
static int
codec_jdouble(struct codec_jerr *e, const json_t *v, double *out)
{
	const char *s;
	char *end;

	if (json_is_real(v)) {
		*out = json_real_value(v);
		return 0;
	}
	if (json_is_integer(v)) {
		*out = (double)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return codec_jfail(e, "expected number, got %s", codec_jtype(v));
	s = json_string_value(v);
	if (strcmp(s, "NaN") == 0) {
		*out = NAN;
		return 0;
	}
	if (strcmp(s, "Infinity") == 0) {
		*out = INFINITY;
		return 0;
	}
	if (strcmp(s, "-Infinity") == 0) {
		*out = -INFINITY;
		return 0;
	}
	if (*s == '\0' || isspace((unsigned char)*s))
		goto bad;
	*out = strtod(s, &end);
	/* strtod also reads "nan", "inf" and hex; only decimal is a number. */
	if (*end != '\0' || !isfinite(*out) || strpbrk(s, "xXnN") != NULL)
		goto bad;
	return 0;
bad:
	return codec_jfail(e, "expected number, got string \"%.40s\"", s);
}

static ProtobufCMessage *codec_jparse(struct codec_jerr *,
    const ProtobufCMessageDescriptor *, const json_t *, int depth);

/*
 * Decodes one value of field f from v into the storage at p, which holds
 * nothing the caller owns. On error p holds nothing that needs freeing.
 */
static int
codec_jset(struct codec_jerr *e, const ProtobufCFieldDescriptor *f,
    const json_t *v, void *p, int depth)
{
	const ProtobufCEnumValue *ev;
	ProtobufCBinaryData *bd;
	ProtobufCMessage *sub;
	uint64_t u;
	double d;

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		if (codec_jint(e, f->type, v, &u) != 0)
			return -1;
		*(uint32_t *)p = (uint32_t)u;
		return 0;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		if (codec_jint(e, f->type, v, &u) != 0)
			return -1;
		*(uint64_t *)p = u;
		return 0;
	case PROTOBUF_C_TYPE_FLOAT:
		if (codec_jdouble(e, v, &d) != 0)
			return -1;
		if (isfinite(d) && fabs(d) > FLT_MAX)
			return codec_jfail(e, "value %.17g out of range for "
			    "float", d);
		*(float *)p = (float)d;
		return 0;
	case PROTOBUF_C_TYPE_DOUBLE:
		return codec_jdouble(e, v, (double *)p);
	case PROTOBUF_C_TYPE_BOOL:
		if (!json_is_boolean(v))
			return codec_jfail(e, "expected boolean, got %s",
			    codec_jtype(v));
		*(protobuf_c_boolean *)p = json_is_true(v);
		return 0;
	case PROTOBUF_C_TYPE_ENUM:
		if (json_is_string(v)) {
			ev = protobuf_c_enum_descriptor_get_value_by_name(
			    f->descriptor, json_string_value(v));
			if (ev == NULL)
				return codec_jfail(e, "unknown %s value "
				    "\"%.60s\"", ((const ProtobufCEnumDescriptor *)
				    f->descriptor)->name, json_string_value(v));
			*(int32_t *)p = ev->value;
			return 0;
		}
		if (json_is_integer(v)) {
			json_int_t n = json_integer_value(v);

			/*
			 * Any int32 is kept, as protobuf keeps an enum value
			 * it does not know: a newer peer may send one.
			 */
			if (n < INT32_MIN || n > INT32_MAX)
				return codec_jfail(e, "value %"
				    JSON_INTEGER_FORMAT " out of range for %s",
				    n, ((const ProtobufCEnumDescriptor *)
				    f->descriptor)->name);
			*(int32_t *)p = (int32_t)n;
			return 0;
		}
		return codec_jfail(e, "expected enum name, got %s",
		    codec_jtype(v));
	case PROTOBUF_C_TYPE_STRING:
		if (!json_is_string(v))
			return codec_jfail(e, "expected string, got %s",
			    codec_jtype(v));
		*(char **)p = xstrndup(json_string_value(v),
		    json_string_length(v));
		return 0;
	case PROTOBUF_C_TYPE_BYTES:
		if (!json_is_string(v))
			return codec_jfail(e, "expected base64 string, got %s",
			    codec_jtype(v));
		bd = p;
		if (codec_b64_decode(json_string_value(v),
		    json_string_length(v), &bd->data, &bd->len) != 0)
			return codec_jfail(e, "invalid base64");
		return 0;
	case PROTOBUF_C_TYPE_MESSAGE:
		sub = codec_jparse(e, f->descriptor, v, depth + 1);
		if (sub == NULL)
			return -1;
		*(ProtobufCMessage **)p = sub;
		return 0;
	}
	return codec_jfail(e, "unsupported field type");
}

/* Sets the key of map entry m from a JSON object key. */
static int
codec_jset_key(struct codec_jerr *e, ProtobufCMessage *m, const char *key)
{
	const ProtobufCFieldDescriptor *kf = &m->descriptor->fields[0];
	void *p = CODEC_AT(char, m, kf->offset);
	json_t *tmp;
	int rc;

	if (kf->type == PROTOBUF_C_TYPE_STRING) {
		*(char **)p = xstrdup(key);
		return 0;
	}
	if (kf->type == PROTOBUF_C_TYPE_BOOL) {
		if (strcmp(key, "true") != 0 && strcmp(key, "false") != 0)
			return codec_jfail(e, "expected boolean key, got "
			    "\"%.40s\"", key);
		*(protobuf_c_boolean *)p = strcmp(key, "true") == 0;
		rc = 0;
	} else {
		tmp = codec_jnew(json_string(key));
		rc = codec_jset(e, kf, tmp, p, 0);
		json_decref(tmp);
	}
	if (rc == 0 && kf->label == PROTOBUF_C_LABEL_OPTIONAL)
		*CODEC_AT(protobuf_c_boolean, m, kf->quantifier_offset) = 1;
	return rc;
}

/* Decodes a map field given as a JSON object into msg's entry array. */
static int
codec_jmap_parse(struct codec_jerr *e, const ProtobufCFieldDescriptor *f,
    const json_t *v, ProtobufCMessage *msg, int depth)
{
	const ProtobufCMessageDescriptor *ed = f->descriptor;
	const ProtobufCFieldDescriptor *vf = &ed->fields[1];
	ProtobufCMessage **arr, *m;
	size_t *n = CODEC_AT(size_t, msg, f->quantifier_offset);
	const char *key;
	json_t *val;

	if (json_object_size(v) == 0)
		return 0;
	arr = xcalloc(json_object_size(v), sizeof *arr);
	*CODEC_AT(ProtobufCMessage **, msg, f->offset) = arr;
	json_object_foreach((json_t *)v, key, val) {
		m = xmalloc(ed->sizeof_message);
		protobuf_c_message_init(ed, m);
		arr[(*n)++] = m;
		if (codec_jset_key(e, m, key) != 0)
			return codec_jkey(e, key);
		if (json_is_null(val))
			continue;
		if (codec_jset(e, vf, val, CODEC_AT(char, m, vf->offset),
		    depth) != 0)
			return codec_jkey(e, key);
		if (vf->label == PROTOBUF_C_LABEL_OPTIONAL &&
		    vf->type != PROTOBUF_C_TYPE_STRING &&
		    vf->type != PROTOBUF_C_TYPE_MESSAGE)
			*CODEC_AT(protobuf_c_boolean, m, vf->quantifier_offset) = 1;
	}
	return 0;
}

/* Decodes field f of msg from v (not null); the path is added on error. */
static int
codec_jfield_parse(struct codec_jerr *e, const ProtobufCFieldDescriptor *f,
    const json_t *v, ProtobufCMessage *msg, int depth)
{
	void *member = CODEC_AT(char, msg, f->offset);
	size_t i, n, esz, *np;
	uint32_t *oneof;
	char *arr;

	if (f->label == PROTOBUF_C_LABEL_REPEATED) {
		if (json_is_object(v) && codec_is_map(f)) {
			if (codec_jmap_parse(e, f, v, msg, depth) != 0)
				return codec_jfield(e, f->name);
			return 0;
		}
		if (!json_is_array(v)) {
			codec_jfail(e, "expected array, got %s", codec_jtype(v));
			return codec_jfield(e, f->name);
		}
		n = json_array_size(v);
		if (n == 0)
			return 0;
		esz = codec_elt_size(f->type);
		np = CODEC_AT(size_t, msg, f->quantifier_offset);
		arr = xcalloc(n, esz);
		*(char **)member = arr;
		/* Count elements as they land, so a failure frees them all. */
		for (i = 0; i < n; i++) {
			if (codec_jset(e, f, json_array_get(v, i), arr + i * esz,
			    depth) != 0) {
				codec_jindex(e, i);
				return codec_jfield(e, f->name);
			}
			(*np)++;
		}
		return 0;
	}
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
		oneof = CODEC_AT(uint32_t, msg, f->quantifier_offset);
		if (*oneof != 0) {
			codec_jfail(e, "another member of the same oneof is "
			    "already set");
			return codec_jfield(e, f->name);
		}
		if (codec_jset(e, f, v, member, depth) != 0)
			return codec_jfield(e, f->name);
		*oneof = f->id;
		return 0;
	}
	if (codec_jset(e, f, v, member, depth) != 0)
		return codec_jfield(e, f->name);
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL &&
	    f->type != PROTOBUF_C_TYPE_STRING &&
	    f->type != PROTOBUF_C_TYPE_MESSAGE)
		*CODEC_AT(protobuf_c_boolean, msg, f->quantifier_offset) = 1;
	return 0;
}

/*
 * Builds a message of type d from the JSON object v; NULL with e set if v
 * does not fit d. The result is the caller's, freed with codec_free().
 */
static ProtobufCMessage *
codec_jparse(struct codec_jerr *e, const ProtobufCMessageDescriptor *d,
    const json_t *v, int depth)
{
	const ProtobufCFieldDescriptor *f;
	ProtobufCMessage *msg;
	uint64_t seen[4] = { 0, 0, 0, 0 };
	const char *key;
	json_t *val;
	unsigned i, idx;

	if (!json_is_object(v)) {
		codec_jfail(e, "expected object, got %s", codec_jtype(v));
		return NULL;
	}
	if (depth > CODEC_DEPTH_MAX) {
		codec_jfail(e, "messages nested deeper than %d",
		    CODEC_DEPTH_MAX);
		return NULL;
	}
	msg = xmalloc(d->sizeof_message);
	protobuf_c_message_init(d, msg);
	json_object_foreach((json_t *)v, key, val) {
		f = protobuf_c_message_descriptor_get_field_by_name(d, key);
		/* Unknown keys are ignored; null means absent. */
		if (f == NULL || json_is_null(val))
			continue;
		if (codec_jfield_parse(e, f, val, msg, depth) != 0)
			goto fail;
		idx = (unsigned)(f - d->fields);
		if (idx < 256)
			seen[idx / 64] |= (uint64_t)1 << (idx % 64);
	}
	for (i = 0; i < d->n_fields; i++) {
		f = &d->fields[i];
		if (f->label != PROTOBUF_C_LABEL_REQUIRED)
			continue;
		if (i < 256 ? (seen[i / 64] >> (i % 64)) & 1 :
		    !json_is_null(json_object_get(v, f->name)) &&
		    json_object_get(v, f->name) != NULL)
			continue;
		codec_jfail(e, "missing required field");
		codec_jfield(e, f->name);
		goto fail;
	}
	return msg;
fail:
	codec_free(msg);
	return NULL;
}

/* Returns the error in e as a new string. */
static char *
codec_jcause(const struct codec_jerr *e)
{
	if (e->path[e->start] == '\0')
		return xstrdup(e->what);
	return xasprintf("%s: %s", e->path + e->start, e->what);
}

/*
 * Builds a message of type desc from a JSON object (the caller keeps its
 * reference to json). NULL with *cause (caller frees) naming the path.
 */
ProtobufCMessage *
codec_from_json(const ProtobufCMessageDescriptor *desc, json_t *json,
    char **cause)
{
	struct codec_jerr *e;
	ProtobufCMessage *m;

	if (json == NULL) {
		*cause = xstrdup("expected object, got nothing");
		return NULL;
	}
	e = xmalloc(sizeof *e);
	m = codec_jparse(e, desc, json, 0);
	if (m == NULL)
		*cause = codec_jcause(e);
	free(e);
	return m;
}

/* Appends JSON text to a struct buf, for json_dump_callback. */
static int
codec_dump_cb(const char *p, size_t n, void *arg)
{
	return buf_add(arg, p, n);
}

/* Encodes and decodes -------------------------------------------------- */

/* Decodes len bytes as desc; NULL with *cause (caller frees) on failure. */
ProtobufCMessage *
codec_decode(enum codec_type t, const ProtobufCMessageDescriptor *desc,
    const void *data, size_t len, char **cause)
{
	ProtobufCMessage *m;
	json_error_t jerr;
	json_t *j;

	if (len > CODEC_MAX_BODY) {
		*cause = xasprintf("body of %zu bytes is over the maximum of %u",
		    len, CODEC_MAX_BODY);
		return NULL;
	}
	switch (t) {
	case CODEC_PROTOBUF:
		return codec_pb_decode(desc, len == 0 ? "" : data, len, cause);
	case CODEC_JSON:
		j = json_loadb(len == 0 ? "" : data, len, 0, &jerr);
		if (j == NULL) {
			*cause = xasprintf("invalid JSON at line %d column %d: "
			    "%s", jerr.line, jerr.column, jerr.text);
			return NULL;
		}
		m = codec_from_json(desc, j, cause);
		json_decref(j);
		return m;
	default:
		break;
	}
	*cause = xstrdup("unknown codec");
	return NULL;
}

/* Appends msg's encoding to out; -1 with *cause (caller frees) on failure. */
int
codec_encode(enum codec_type t, const ProtobufCMessage *msg, struct buf *out,
    char **cause)
{
	size_t old = out->len;
	json_t *j;
	int rc;

	switch (t) {
	case CODEC_PROTOBUF:
		return codec_pb_encode(msg, out, cause);
	case CODEC_JSON:
		j = codec_to_json(msg);
		if (j == NULL) {
			*cause = xasprintf("%s is nested deeper than %d",
			    msg->descriptor->name, CODEC_DEPTH_MAX);
			return -1;
		}
		rc = json_dump_callback(j, codec_dump_cb, out, JSON_COMPACT);
		json_decref(j);
		if (rc != 0) {
			out->len = old;
			if (out->data != NULL)
				out->data[old] = '\0';
			*cause = xasprintf("encoded %s does not fit the output "
			    "buffer", msg->descriptor->name);
			return -1;
		}
		return 0;
	default:
		break;
	}
	*cause = xstrdup("unknown codec");
	return -1;
}

/* Decodes a scheduler Event; the caller frees it with codec_free(). */
Mesos__V1__Scheduler__Event *
codec_decode_event(enum codec_type t, const void *data, size_t len,
    char **cause)
{
	return (Mesos__V1__Scheduler__Event *)codec_decode(t,
	    &mesos__v1__scheduler__event__descriptor, data, len, cause);
}

/* Decodes a scheduler Call; the caller frees it with codec_free(). */
Mesos__V1__Scheduler__Call *
codec_decode_call(enum codec_type t, const void *data, size_t len,
    char **cause)
{
	return (Mesos__V1__Scheduler__Call *)codec_decode(t,
	    &mesos__v1__scheduler__call__descriptor, data, len, cause);
}

/* Appends an Event's encoding to out. */
int
codec_encode_event(enum codec_type t, const Mesos__V1__Scheduler__Event *ev,
    struct buf *out, char **cause)
{
	return codec_encode(t, &ev->base, out, cause);
}

/* Appends a Call's encoding to out. */
int
codec_encode_call(enum codec_type t, const Mesos__V1__Scheduler__Call *call,
    struct buf *out, char **cause)
{
	return codec_encode(t, &call->base, out, cause);
}
