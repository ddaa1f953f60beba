/*
 * check_codec — the protobuf and JSON codecs: every capture from a real Mesos
 * master decodes (the fixture directories are walked, so new captures are
 * tested without a change here), protobuf re-encodes to the same bytes, JSON
 * round-trips, seeded random messages of several types survive both
 * encodings, and malformed input of every kind is an error naming the path,
 * never a crash.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "codec.h"
#include "recordio.h"
#include "lib/testutil.h"

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

static uint64_t
rnd64(uint32_t *s)
{
	return ((uint64_t)rnd(s) << 32) | rnd(s);
}

/* Reads a whole file into a new block (caller frees); fails the test if not. */
static char *
slurp(const char *path, size_t *lenp)
{
	char *data = tu_read_file(path, lenp);

	ck_assert_msg(data != NULL, "cannot read %s", path);
	return data;
}

/* Lists the names in dir/sub ending in suffix, sorted; fails if none. */
static size_t
list_dir(const char *sub, const char *suffix, char ***namesp)
{
	char path[1024];
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i, j, sl = strlen(suffix);
	DIR *d;

	snprintf(path, sizeof path, "%s/%s", tu_fixtures_dir(), sub);
	d = opendir(path);
	ck_assert_msg(d != NULL, "fixture directory %s is missing", path);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l <= sl || strcmp(de->d_name + l - sl, suffix) != 0)
			continue;
		names = realloc(names, (n + 1) * sizeof *names);
		ck_assert_ptr_nonnull(names);
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	ck_assert_msg(n > 0, "no *%s files in %s", suffix, path);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	*namesp = names;
	return n;
}

static void
free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Packs m into a new buf (caller clears). */
static void
pack(const ProtobufCMessage *m, struct buf *out)
{
	char *cause = NULL;

	buf_init(out, 0);
	if (codec_encode(CODEC_PROTOBUF, m, out, &cause) != 0)
		ck_abort_msg("encode %s: %s", m->descriptor->name, cause);
}

/* Asserts two messages have the same protobuf encoding. */
static void
assert_same(const ProtobufCMessage *a, const ProtobufCMessage *b,
    const char *what)
{
	struct buf pa, pb;

	pack(a, &pa);
	pack(b, &pb);
	ck_assert_msg(pa.len == pb.len && memcmp(pa.data, pb.data, pa.len) == 0,
	    "%s: encodings differ (%zu vs %zu bytes)", what, pa.len, pb.len);
	buf_clear(&pa);
	buf_clear(&pb);
}

/* Decodes m's JSON encoding again and asserts it is the same message. */
static void
assert_json_round_trip(const ProtobufCMessage *m, const char *what)
{
	struct buf js;
	ProtobufCMessage *back;
	char *cause = NULL;

	buf_init(&js, 0);
	if (codec_encode(CODEC_JSON, m, &js, &cause) != 0)
		ck_abort_msg("%s: JSON encode: %s", what, cause);
	back = codec_decode(CODEC_JSON, m->descriptor, js.data, js.len, &cause);
	if (back == NULL)
		ck_abort_msg("%s: JSON decode of %s: %s", what, js.data, cause);
	assert_same(m, back, what);
	codec_free(back);
	buf_clear(&js);
}

/* Fixtures ------------------------------------------------------------- */

START_TEST(test_fixtures_json)
{
	char **names, path[1024], *data, *cause = NULL;
	Mesos__V1__Scheduler__Event *ev;
	struct buf again;
	json_t *orig, *mine;
	size_t n, i, len;

	n = list_dir("json", ".json", &names);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/json/%s", tu_fixtures_dir(),
		    names[i]);
		data = slurp(path, &len);
		ev = codec_decode_event(CODEC_JSON, data, len, &cause);
		if (ev == NULL)
			ck_abort_msg("%s: %s", names[i], cause);
		ck_assert_int_ne(ev->type, MESOS__V1__SCHEDULER__EVENT__TYPE__UNKNOWN);
		assert_json_round_trip(&ev->base, names[i]);
		/*
		 * Encoded again, the JSON is the master's, up to key order
		 * (Mesos writes fields in declaration order, protobuf-c only
		 * knows number order): same enum names, base64, number forms.
		 */
		buf_init(&again, 0);
		ck_assert_int_eq(codec_encode_event(CODEC_JSON, ev, &again,
		    &cause), 0);
		orig = json_loadb(data, len, 0, NULL);
		mine = json_loadb(again.data, again.len, 0, NULL);
		ck_assert_ptr_nonnull(orig);
		ck_assert_ptr_nonnull(mine);
		ck_assert_msg(json_equal(orig, mine),
		    "%s: re-encoded JSON differs:\n%s\n%.*s", names[i],
		    again.data, (int)len, data);
		json_decref(orig);
		json_decref(mine);
		buf_clear(&again);
		codec_free(ev);
		free(data);
	}
	free_names(names, n);
}
END_TEST

START_TEST(test_fixtures_protobuf)
{
	char **names, path[1024], *data, *cause = NULL;
	const ProtobufCMessageDescriptor *desc;
	ProtobufCMessage *m;
	struct buf again;
	size_t n, i, len;

	n = list_dir("protobuf", ".pb", &names);
	for (i = 0; i < n; i++) {
		if (strstr(names[i], "-event-") != NULL)
			desc = &mesos__v1__scheduler__event__descriptor;
		else if (strstr(names[i], "-call-") != NULL)
			desc = &mesos__v1__scheduler__call__descriptor;
		else
			ck_abort_msg("%s: neither an event nor a call",
			    names[i]);
		snprintf(path, sizeof path, "%s/protobuf/%s", tu_fixtures_dir(),
		    names[i]);
		data = slurp(path, &len);
		m = codec_decode(CODEC_PROTOBUF, desc, data, len, &cause);
		if (m == NULL)
			ck_abort_msg("%s: %s", names[i], cause);
		buf_init(&again, 0);
		ck_assert_int_eq(codec_encode(CODEC_PROTOBUF, m, &again,
		    &cause), 0);
		ck_assert_msg(again.len == len &&
		    memcmp(again.data, data, len) == 0,
		    "%s: re-encoded protobuf differs (%zu vs %zu bytes)",
		    names[i], again.len, len);
		buf_clear(&again);
		assert_json_round_trip(m, names[i]);
		codec_free(m);
		free(data);
	}
	free_names(names, n);
}
END_TEST

/* Returns the Content-Type named in a .headers file (caller frees). */
static char *
header_content_type(const char *path)
{
	size_t len;
	char *data = slurp(path, &len), *line, *next, *v = NULL;

	for (line = data; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		if (strncasecmp(line, "Content-Type:", 13) == 0) {
			v = strdup(line + 13);
			break;
		}
	}
	free(data);
	ck_assert_msg(v != NULL, "%s has no Content-Type", path);
	return v;
}

START_TEST(test_fixtures_stream)
{
	char **names, path[1024], *data, *ctype, *cause = NULL;
	struct recordio_reader r;
	enum codec_type t;
	const char *rec, *rcause;
	Mesos__V1__Scheduler__Event *ev;
	size_t n, i, len, rlen, records;
	enum recordio_status rs;

	n = list_dir("stream", ".recordio", &names);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/stream/%.*s.headers",
		    tu_fixtures_dir(), (int)(strlen(names[i]) - 9), names[i]);
		ctype = header_content_type(path);
		ck_assert_msg(codec_from_content_type(ctype, &t) == 0,
		    "%s: unsupported Content-Type %s", names[i], ctype);
		free(ctype);
		snprintf(path, sizeof path, "%s/stream/%s", tu_fixtures_dir(),
		    names[i]);
		data = slurp(path, &len);
		recordio_reader_init(&r, 0);
		ck_assert_int_eq(recordio_feed(&r, data, len), 0);
		records = 0;
		while ((rs = recordio_next(&r, &rec, &rlen, &rcause)) ==
		    RECORDIO_OK) {
			ev = codec_decode_event(t, rec, rlen, &cause);
			if (ev == NULL)
				ck_abort_msg("%s record %zu: %s", names[i],
				    records, cause);
			assert_json_round_trip(&ev->base, names[i]);
			codec_free(ev);
			records++;
		}
		ck_assert_msg(rs == RECORDIO_NEED_MORE, "%s: %s", names[i],
		    rcause);
		ck_assert_uint_gt(records, 0);
		ck_assert_uint_eq(recordio_pending(&r), 0);
		recordio_reader_clear(&r);
		free(data);
	}
	free_names(names, n);
}
END_TEST

/* The fixtures say what they are: spot-check the decoded values. */
START_TEST(test_fixture_values)
{
	char path[1024], *data, *cause = NULL;
	Mesos__V1__Scheduler__Event *ev;
	Mesos__V1__Offer *o;
	size_t len, i;
	int cpus = 0;

	snprintf(path, sizeof path, "%s/json/03-event-offers.json",
	    tu_fixtures_dir());
	data = slurp(path, &len);
	ev = codec_decode_event(CODEC_JSON, data, len, &cause);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->type, MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS);
	ck_assert_uint_eq(ev->offers->n_offers, 1);
	o = ev->offers->offers[0];
	ck_assert_str_eq(o->hostname, "127.0.0.1");
	ck_assert_int_eq(o->url->address->port, 5051);
	for (i = 0; i < o->n_resources; i++) {
		if (strcmp(o->resources[i]->name, "cpus") == 0) {
			ck_assert(o->resources[i]->scalar->value == 2.0);
			cpus = 1;
		}
		if (strcmp(o->resources[i]->name, "ports") == 0) {
			ck_assert_uint_eq(o->resources[i]->ranges->range[0]->begin,
			    31000);
			ck_assert_uint_eq(o->resources[i]->ranges->range[0]->end,
			    32000);
		}
	}
	ck_assert(cpus);
	codec_free(ev);
	free(data);

	snprintf(path, sizeof path,
	    "%s/json/05-event-update-task_running.json", tu_fixtures_dir());
	data = slurp(path, &len);
	ev = codec_decode_event(CODEC_JSON, data, len, &cause);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->update->status->state,
	    MESOS__V1__TASK_STATE__TASK_RUNNING);
	ck_assert_int_eq(ev->update->status->has_uuid, 1);
	ck_assert_uint_eq(ev->update->status->uuid.len, 16);
	ck_assert_str_eq(codec_enum_name(&mesos__v1__task_state__descriptor,
	    ev->update->status->state), "TASK_RUNNING");
	codec_free(ev);
	free(data);
}
END_TEST

/* JSON errors and leniency ----------------------------------------------- */

/* Decodes text as desc and asserts it fails with exactly cause want. */
static void
assert_json_error(const ProtobufCMessageDescriptor *desc, const char *text,
    const char *want)
{
	char *cause = NULL;
	ProtobufCMessage *m;

	m = codec_decode(CODEC_JSON, desc, text, strlen(text), &cause);
	if (m != NULL)
		ck_abort_msg("decoded %s", text);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strcmp(cause, want) == 0, "input %s\n got: %s\nwant: %s",
	    text, cause, want);
	free(cause);
}

/* Decodes text as desc and asserts it succeeds; returns the message. */
static ProtobufCMessage *
json_ok(const ProtobufCMessageDescriptor *desc, const char *text)
{
	char *cause = NULL;
	ProtobufCMessage *m;

	m = codec_decode(CODEC_JSON, desc, text, strlen(text), &cause);
	if (m == NULL)
		ck_abort_msg("input %s: %s", text, cause);
	return m;
}

#define EV	(&mesos__v1__scheduler__event__descriptor)
#define CALL	(&mesos__v1__scheduler__call__descriptor)
#define OFFER(extra) \
	"{\"id\":{\"value\":\"o\"},\"framework_id\":{\"value\":\"f\"}," \
	"\"agent_id\":{\"value\":\"a\"},\"hostname\":\"h\"" extra "}"
#define RES(scalar) \
	"{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":" scalar "}}"

START_TEST(test_json_error_paths)
{
	assert_json_error(EV, "{\"type\":\"OFFERS\",\"offers\":{\"offers\":["
	    OFFER("") "," OFFER("") "," OFFER(",\"resources\":["
	    RES("\"x\"") "]") "]}}",
	    "offers.offers[2].resources[0].scalar.value: expected number, "
	    "got string \"x\"");
	assert_json_error(EV, "{\"type\":\"OFFERS\",\"offers\":{\"offers\":["
	    OFFER(",\"resources\":[" RES("1") "," RES("true") "]") "]}}",
	    "offers.offers[0].resources[1].scalar.value: expected number, "
	    "got boolean");
	assert_json_error(EV, "{\"type\":\"OFFERS\",\"offers\":{\"offers\":"
	    "{}}}", "offers.offers: expected array, got object");
	assert_json_error(EV, "{\"type\":\"OFFERS\",\"offers\":{\"offers\":"
	    "[{\"id\":{\"value\":\"o\"}}]}}",
	    "offers.offers[0].framework_id: missing required field");
	assert_json_error(EV, "{\"type\":\"OFFERS\",\"offers\":{\"offers\":"
	    "[" OFFER(",\"url\":{\"scheme\":\"http\",\"address\":{\"ip\":"
	    "\"1.2.3.4\"},\"path\":\"/\"}") "]}}",
	    "offers.offers[0].url.address.port: missing required field");
	assert_json_error(EV, "{\"type\":\"UPDATE\",\"update\":{\"status\":"
	    "{\"task_id\":{\"value\":\"t\"},\"state\":\"TASK_RUNNING\","
	    "\"uuid\":\"!!!!\"}}}", "update.status.uuid: invalid base64");
	assert_json_error(EV, "{\"type\":\"NOPE\"}",
	    "type: unknown mesos.v1.scheduler.Event.Type value \"NOPE\"");
	assert_json_error(EV, "{\"type\":4294967296}",
	    "type: value 4294967296 out of range for "
	    "mesos.v1.scheduler.Event.Type");
	assert_json_error(EV, "{\"type\":[1]}",
	    "type: expected enum name, got array");
	assert_json_error(EV, "{\"subscribed\":{\"framework_id\":{\"value\":1}}}",
	    "subscribed.framework_id.value: expected string, got number");
	assert_json_error(EV, "{\"subscribed\":{\"framework_id\":"
	    "{\"value\":\"f\"},\"heartbeat_interval_seconds\":{}}}",
	    "subscribed.heartbeat_interval_seconds: expected number, "
	    "got object");
	assert_json_error(EV, "[]", "expected object, got array");
	assert_json_error(EV, "\"x\"", "invalid JSON at line 1 column 3: "
	    "'[' or '{' expected near '\"x\"'");
	{
		char *cause = NULL;

		ck_assert_ptr_null(codec_from_json(EV, NULL, &cause));
		ck_assert_str_eq(cause, "expected object, got nothing");
		free(cause);
	}
	assert_json_error(EV, "{\"subscribed\":{}}",
	    "subscribed.framework_id: missing required field");
	/* A required field given as null is missing. */
	assert_json_error(EV, "{\"subscribed\":{\"framework_id\":null}}",
	    "subscribed.framework_id: missing required field");
	assert_json_error(EV, "{\"type\":\"HEARTBEAT\"", "invalid JSON at "
	    "line 1 column 19: '}' expected near end of file");
	assert_json_error(CALL, "{\"type\":\"SUBSCRIBE\",\"subscribe\":"
	    "{\"framework_info\":{\"user\":\"u\",\"name\":\"n\","
	    "\"failover_timeout\":true}}}",
	    "subscribe.framework_info.failover_timeout: expected number, "
	    "got boolean");
	assert_json_error(CALL, "{\"type\":\"SUBSCRIBE\",\"subscribe\":"
	    "{\"framework_info\":{\"user\":\"u\",\"name\":\"n\","
	    "\"capabilities\":[{\"type\":\"MULTI_ROLE\"},{\"type\":\"X\"}]}}}",
	    "subscribe.framework_info.capabilities[1].type: unknown "
	    "mesos.v1.FrameworkInfo.Capability.Type value \"X\"");
	assert_json_error(CALL, "{\"framework_id\":{\"value\":\"f\"},"
	    "\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":"
	    "{\"user\":\"u\",\"name\":\"n\",\"offer_filters\":{\"r1\":"
	    "{\"min_allocatable_resources\":{\"quantities\":[{\"quantities\":"
	    "{\"cpus\":{\"value\":\"y\"}}}]}}}}}}",
	    "subscribe.framework_info.offer_filters[\"r1\"]."
	    "min_allocatable_resources.quantities[0].quantities[\"cpus\"]."
	    "value: expected number, got string \"y\"");
}
END_TEST

START_TEST(test_json_numbers)
{
	Mesos__V1__Value__Range *r;
	Mesos__V1__Address *a;
	const ProtobufCMessageDescriptor *rd = &mesos__v1__value__range__descriptor;
	const ProtobufCMessageDescriptor *ad = &mesos__v1__address__descriptor;
	struct buf out;
	char *cause = NULL;

	/* 64-bit integers: numbers, or decimal strings for the full range. */
	r = (Mesos__V1__Value__Range *)json_ok(rd,
	    "{\"begin\":\"18446744073709551615\",\"end\":9223372036854775807}");
	ck_assert_uint_eq(r->begin, UINT64_MAX);
	ck_assert_uint_eq(r->end, INT64_MAX);
	buf_init(&out, 0);
	ck_assert_int_eq(codec_encode(CODEC_JSON, &r->base, &out, &cause), 0);
	ck_assert_str_eq(out.data, "{\"begin\":\"18446744073709551615\","
	    "\"end\":9223372036854775807}");
	buf_clear(&out);
	codec_free(r);
	r = (Mesos__V1__Value__Range *)json_ok(rd,
	    "{\"begin\":31000.0,\"end\":\"32000\"}");
	ck_assert_uint_eq(r->begin, 31000);
	ck_assert_uint_eq(r->end, 32000);
	codec_free(r);
	assert_json_error(rd, "{\"begin\":-1,\"end\":1}",
	    "begin: value -1 out of range for uint64");
	assert_json_error(rd, "{\"begin\":1.5,\"end\":1}",
	    "begin: expected uint64, got 1.5");
	assert_json_error(rd, "{\"begin\":\"18446744073709551616\",\"end\":1}",
	    "begin: value 18446744073709551616 out of range for uint64");
	assert_json_error(rd, "{\"begin\":\"12x\",\"end\":1}",
	    "begin: expected number, got string \"12x\"");
	assert_json_error(rd, "{\"begin\":1e300,\"end\":1}",
	    "begin: expected uint64, got 1.0000000000000001e+300");
	/* Numbers jansson cannot hold are a parse error, not a crash. */
	assert_json_error(rd, "{\"begin\":123456789012345678901234567890,"
	    "\"end\":1}", "invalid JSON at line 1 column 39: too big integer");
	assert_json_error(rd, "{\"begin\":1e999,\"end\":1}",
	    "invalid JSON at line 1 column 14: real number overflow near '1e999'");

	a = (Mesos__V1__Address *)json_ok(ad, "{\"port\":\"5050\"}");
	ck_assert_int_eq(a->port, 5050);
	codec_free(a);
	assert_json_error(ad, "{\"port\":2147483648}",
	    "port: value 2147483648 out of range for int32");
	assert_json_error(ad, "{\"port\":-2147483649}",
	    "port: value -2147483649 out of range for int32");
	assert_json_error(ad, "{\"port\":\" 1\"}",
	    "port: expected number, got string \" 1\"");
}
END_TEST

START_TEST(test_json_lenient)
{
	Mesos__V1__Scheduler__Call *c;
	Mesos__V1__Scheduler__Event *ev;
	Mesos__V1__TaskStatus *st;
	Mesos__V1__Resource *res;

	/* null is absent, unknown keys are ignored, enums as numbers. */
	c = (Mesos__V1__Scheduler__Call *)json_ok(CALL,
	    "{\"type\":\"SUBSCRIBE\",\"bogus\":{\"deep\":[1,2,{}]},"
	    "\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"n\","
	    "\"capabilities\":null,\"roles\":null,\"hostname\":null}}}");
	ck_assert_int_eq(c->type, MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE);
	ck_assert_uint_eq(c->subscribe->framework_info->n_capabilities, 0);
	ck_assert_ptr_null(c->subscribe->framework_info->hostname);
	ck_assert_str_eq(c->subscribe->framework_info->user, "u");
	codec_free(c);
	ev = (Mesos__V1__Scheduler__Event *)json_ok(EV, "{\"type\":8}");
	ck_assert_int_eq(ev->type, MESOS__V1__SCHEDULER__EVENT__TYPE__HEARTBEAT);
	ck_assert_int_eq(ev->has_type, 1);
	codec_free(ev);
	/* An enum number the schema does not name is kept, as protobuf does. */
	ev = (Mesos__V1__Scheduler__Event *)json_ok(EV, "{\"type\":77}");
	ck_assert_int_eq(ev->type, 77);
	assert_json_round_trip(&ev->base, "unknown enum value");
	codec_free(ev);

	/* Base64: padded, unpadded, URL-safe. */
	st = (Mesos__V1__TaskStatus *)json_ok(&mesos__v1__task_status__descriptor,
	    "{\"task_id\":{\"value\":\"t\"},\"state\":\"TASK_LOST\","
	    "\"uuid\":\"+/8=\",\"data\":\"-_8\"}");
	ck_assert_uint_eq(st->uuid.len, 2);
	ck_assert_uint_eq(st->uuid.data[0], 0xfb);
	ck_assert_uint_eq(st->uuid.data[1], 0xff);
	ck_assert_uint_eq(st->data.len, 2);
	ck_assert(memcmp(st->data.data, st->uuid.data, 2) == 0);
	codec_free(st);
	assert_json_error(&mesos__v1__task_status__descriptor,
	    "{\"task_id\":{\"value\":\"t\"},\"state\":\"TASK_LOST\","
	    "\"uuid\":\"QQ=\"}", "uuid: invalid base64");
	assert_json_error(&mesos__v1__task_status__descriptor,
	    "{\"task_id\":{\"value\":\"t\"},\"state\":\"TASK_LOST\","
	    "\"uuid\":\"Q\"}", "uuid: invalid base64");
	assert_json_error(&mesos__v1__task_status__descriptor,
	    "{\"task_id\":{\"value\":\"t\"},\"state\":\"TASK_LOST\","
	    "\"uuid\":\"QU=B\"}", "uuid: invalid base64");

	/* proto2 defaults survive for unset fields. */
	res = (Mesos__V1__Resource *)json_ok(&mesos__v1__resource__descriptor,
	    "{\"name\":\"cpus\",\"type\":\"SCALAR\"}");
	{
		const ProtobufCFieldDescriptor *f =
		    protobuf_c_message_descriptor_get_field_by_name(
		    &mesos__v1__resource__descriptor, "role");
		const char *role = *(const char **)(void *)((char *)res +
		    f->offset);

		ck_assert_str_eq(role, "*");
	}
	codec_free(res);
}
END_TEST

START_TEST(test_json_oneof)
{
	const ProtobufCMessageDescriptor *d =
	    &mesos__v1__scheduler__attribute_constraint__selector__descriptor;
	Mesos__V1__Scheduler__AttributeConstraint__Selector *s;
	struct buf out;
	char *cause = NULL;

	s = (Mesos__V1__Scheduler__AttributeConstraint__Selector *)json_ok(d,
	    "{\"attribute_name\":\"rack\"}");
	ck_assert_int_eq(s->selector_case,
	    MESOS__V1__SCHEDULER__ATTRIBUTE_CONSTRAINT__SELECTOR__SELECTOR_ATTRIBUTE_NAME);
	ck_assert_str_eq(s->attribute_name, "rack");
	buf_init(&out, 0);
	ck_assert_int_eq(codec_encode(CODEC_JSON, &s->base, &out, &cause), 0);
	ck_assert_str_eq(out.data, "{\"attribute_name\":\"rack\"}");
	buf_clear(&out);
	assert_json_round_trip(&s->base, "oneof");
	codec_free(s);
	assert_json_error(d, "{\"attribute_name\":\"rack\","
	    "\"pseudoattribute_type\":\"HOSTNAME\"}",
	    "pseudoattribute_type: another member of the same oneof is "
	    "already set");
}
END_TEST

START_TEST(test_json_maps)
{
	const ProtobufCMessageDescriptor *d = &mesos__v1__task_info__descriptor;
	Mesos__V1__TaskInfo *t;
	struct buf out;
	char *cause = NULL;

	t = (Mesos__V1__TaskInfo *)json_ok(d, "{\"name\":\"n\",\"task_id\":"
	    "{\"value\":\"t\"},\"agent_id\":{\"value\":\"a\"},\"limits\":"
	    "{\"cpus\":{\"value\":2.5},\"mem\":null}}");
	ck_assert_uint_eq(t->n_limits, 2);
	ck_assert_str_eq(t->limits[0]->key, "cpus");
	ck_assert(t->limits[0]->value->value == 2.5);
	ck_assert_str_eq(t->limits[1]->key, "mem");
	ck_assert_ptr_null(t->limits[1]->value);
	buf_init(&out, 0);
	ck_assert_int_eq(codec_encode(CODEC_JSON, &t->base, &out, &cause), 0);
	ck_assert_str_eq(out.data, "{\"name\":\"n\",\"task_id\":"
	    "{\"value\":\"t\"},\"agent_id\":{\"value\":\"a\"},\"limits\":"
	    "{\"cpus\":{\"value\":2.5},\"mem\":null}}");
	buf_clear(&out);
	assert_json_round_trip(&t->base, "map");
	codec_free(t);

	/* The entry-array form protobuf would also write is accepted. */
	t = (Mesos__V1__TaskInfo *)json_ok(d, "{\"name\":\"n\",\"task_id\":"
	    "{\"value\":\"t\"},\"agent_id\":{\"value\":\"a\"},\"limits\":"
	    "[{\"key\":\"cpus\",\"value\":{\"value\":1}}]}");
	ck_assert_uint_eq(t->n_limits, 1);
	ck_assert_str_eq(t->limits[0]->key, "cpus");
	ck_assert(t->limits[0]->value->value == 1.0);
	codec_free(t);
	assert_json_error(d, "{\"name\":\"n\",\"task_id\":"
	    "{\"value\":\"t\"},\"agent_id\":{\"value\":\"a\"},\"limits\":"
	    "{\"cpus\":{\"value\":1},\"gpus\":[]}}",
	    "limits[\"gpus\"]: expected object, got array");
	assert_json_error(d, "{\"name\":\"n\",\"task_id\":"
	    "{\"value\":\"t\"},\"agent_id\":{\"value\":\"a\"},\"limits\":"
	    "\"x\"}", "limits: expected array, got string");
}
END_TEST

START_TEST(test_content_types)
{
	enum codec_type t = CODEC_MAX;

	ck_assert_int_eq(codec_from_content_type("application/json", &t), 0);
	ck_assert_int_eq(t, CODEC_JSON);
	ck_assert_int_eq(codec_from_content_type(
	    " Application/X-Protobuf ; charset=utf-8", &t), 0);
	ck_assert_int_eq(t, CODEC_PROTOBUF);
	ck_assert_int_eq(codec_from_content_type("application/json;charset=utf-8",
	    &t), 0);
	ck_assert_int_eq(t, CODEC_JSON);
	ck_assert_int_eq(codec_from_content_type("application/jsonx", &t), -1);
	ck_assert_int_eq(codec_from_content_type("text/plain", &t), -1);
	ck_assert_int_eq(codec_from_content_type("", &t), -1);
	ck_assert_int_eq(codec_from_content_type(NULL, &t), -1);
	ck_assert_str_eq(codec_content_type(CODEC_PROTOBUF),
	    "application/x-protobuf");
	ck_assert_str_eq(codec_content_type(CODEC_JSON), "application/json");
	ck_assert_str_eq(codec_name(CODEC_JSON), "json");
	ck_assert_str_eq(codec_enum_name(&mesos__v1__task_state__descriptor,
	    MESOS__V1__TASK_STATE__TASK_KILLED), "TASK_KILLED");
	ck_assert_str_eq(codec_enum_name(&mesos__v1__task_state__descriptor,
	    12345), "?");
}
END_TEST

/* Random messages --------------------------------------------------------- */

static ProtobufCMessage *gen_msg(const ProtobufCMessageDescriptor *,
    uint32_t *, int depth);

/* Fills one value of field f at p; idx makes map keys unique. */
static void
gen_value(const ProtobufCFieldDescriptor *f, void *p, uint32_t *st, int depth,
    size_t idx)
{
	const ProtobufCEnumDescriptor *ed;
	ProtobufCBinaryData *bd;
	size_t n, i;
	char *s;
	double d;
	float fl;

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		*(uint32_t *)p = rnd(st) % 2 ? rnd(st) % 100 : rnd(st);
		if (idx != (size_t)-1)
			*(uint32_t *)p = (uint32_t)idx;
		break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		*(uint64_t *)p = rnd(st) % 2 ? rnd(st) % 100000 : rnd64(st);
		if (idx != (size_t)-1)
			*(uint64_t *)p = idx;
		break;
	case PROTOBUF_C_TYPE_FLOAT:
		do {
			uint32_t bits = rnd(st);

			memcpy(&fl, &bits, sizeof fl);
		} while (isnan(fl));
		if (rnd(st) % 2)
			fl = (float)(rnd(st) % 1000) / 8;
		*(float *)p = fl;
		break;
	case PROTOBUF_C_TYPE_DOUBLE:
		do {
			uint64_t bits = rnd64(st);

			memcpy(&d, &bits, sizeof d);
		} while (isnan(d));
		if (rnd(st) % 2)
			d = (double)(rnd(st) % 100000) / 16;
		*(double *)p = d;
		break;
	case PROTOBUF_C_TYPE_BOOL:
		*(protobuf_c_boolean *)p = rnd(st) % 2;
		break;
	case PROTOBUF_C_TYPE_ENUM:
		ed = f->descriptor;
		*(int32_t *)p = ed->values[rnd(st) % ed->n_values].value;
		break;
	case PROTOBUF_C_TYPE_STRING:
		n = rnd(st) % 12;
		s = malloc(n * 3 + 24);
		ck_assert_ptr_nonnull(s);
		for (i = 0; i < n; i++)
			s[i] = (char)(' ' + rnd(st) % 95);
		s[n] = '\0';
		/* Some non-ASCII text, and control characters to escape. */
		if (rnd(st) % 4 == 0)
			snprintf(s + n, 20, "%s",
			    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\n\t\"\\");
		if (idx != (size_t)-1)
			snprintf(s + strlen(s), 20, "#%zu", idx);
		*(char **)p = s;
		break;
	case PROTOBUF_C_TYPE_BYTES:
		bd = p;
		bd->len = rnd(st) % 20;
		bd->data = bd->len > 0 ? malloc(bd->len) : NULL;
		for (i = 0; i < bd->len; i++)
			bd->data[i] = (uint8_t)rnd(st);
		break;
	case PROTOBUF_C_TYPE_MESSAGE:
		*(ProtobufCMessage **)p = gen_msg(f->descriptor, st, depth + 1);
		break;
	}
}

/* Tells whether f is a protoc-c map entry field (see codec.c). */
static int
gen_is_map(const ProtobufCFieldDescriptor *f)
{
	const ProtobufCMessageDescriptor *d = f->descriptor;
	size_t n;

	if (f->label != PROTOBUF_C_LABEL_REPEATED ||
	    f->type != PROTOBUF_C_TYPE_MESSAGE || d->n_fields != 2)
		return 0;
	n = strlen(d->name);
	return n > 5 && strcmp(d->name + n - 5, "Entry") == 0;
}

/* Sets the has_ flag (or oneof case) of a singular field f of m. */
static void
gen_mark(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
		*(uint32_t *)(void *)((char *)m + f->quantifier_offset) = f->id;
	else if (f->label == PROTOBUF_C_LABEL_OPTIONAL &&
	    f->type != PROTOBUF_C_TYPE_STRING &&
	    f->type != PROTOBUF_C_TYPE_MESSAGE)
		*(protobuf_c_boolean *)(void *)((char *)m +
		    f->quantifier_offset) = 1;
}

/*
 * Builds a random message of type d: required fields always, optional and
 * repeated ones less often the deeper it goes, map keys unique.
 */
static ProtobufCMessage *
gen_msg(const ProtobufCMessageDescriptor *d, uint32_t *st, int depth)
{
	ProtobufCMessage *m = malloc(d->sizeof_message);
	unsigned i;
	size_t k, n, esz;
	int odds = depth < 2 ? 2 : depth < 4 ? 4 : 0;

	ck_assert_ptr_nonnull(m);
	protobuf_c_message_init(d, m);
	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		char *member = (char *)m + f->offset;

		if (f->label == PROTOBUF_C_LABEL_REQUIRED) {
			gen_value(f, member, st, depth, (size_t)-1);
			continue;
		}
		if (odds == 0 || rnd(st) % odds != 0)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			char *arr;

			n = 1 + rnd(st) % 3;
			switch (f->type) {
			case PROTOBUF_C_TYPE_INT64:
			case PROTOBUF_C_TYPE_SINT64:
			case PROTOBUF_C_TYPE_SFIXED64:
			case PROTOBUF_C_TYPE_UINT64:
			case PROTOBUF_C_TYPE_FIXED64:
			case PROTOBUF_C_TYPE_DOUBLE:
				esz = 8;
				break;
			case PROTOBUF_C_TYPE_STRING:
			case PROTOBUF_C_TYPE_MESSAGE:
				esz = sizeof(void *);
				break;
			case PROTOBUF_C_TYPE_BYTES:
				esz = sizeof(ProtobufCBinaryData);
				break;
			case PROTOBUF_C_TYPE_BOOL:
				esz = sizeof(protobuf_c_boolean);
				break;
			default:
				esz = 4;
				break;
			}
			arr = calloc(n, esz);
			ck_assert_ptr_nonnull(arr);
			for (k = 0; k < n; k++) {
				if (gen_is_map(f)) {
					const ProtobufCMessageDescriptor *ed =
					    f->descriptor;
					ProtobufCMessage *e =
					    malloc(ed->sizeof_message);

					protobuf_c_message_init(ed, e);
					gen_value(&ed->fields[0], (char *)e +
					    ed->fields[0].offset, st, depth + 1, k);
					gen_mark(e, &ed->fields[0]);
					gen_value(&ed->fields[1], (char *)e +
					    ed->fields[1].offset, st, depth + 1,
					    (size_t)-1);
					gen_mark(e, &ed->fields[1]);
					((ProtobufCMessage **)(void *)arr)[k] = e;
				} else {
					gen_value(f, arr + k * esz, st, depth,
					    (size_t)-1);
				}
			}
			*(char **)(void *)member = arr;
			*(size_t *)(void *)((char *)m + f->quantifier_offset) = n;
			continue;
		}
		/* At most one member of a oneof. */
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(uint32_t *)(void *)((char *)m + f->quantifier_offset) != 0)
			continue;
		gen_value(f, member, st, depth, (size_t)-1);
		gen_mark(m, f);
	}
	return m;
}

/* Random messages of d survive protobuf and JSON round trips. */
static void
round_trips(const ProtobufCMessageDescriptor *d, int count, uint32_t st)
{
	ProtobufCMessage *m, *back;
	struct buf pb;
	char *cause = NULL, what[128];
	size_t total = 0;
	int i;

	for (i = 0; i < count; i++) {
		m = gen_msg(d, &st, 0);
		snprintf(what, sizeof what, "%s #%d (seed %u)", d->name, i, seed);
		pack(m, &pb);
		total += pb.len;
		back = codec_decode(CODEC_PROTOBUF, d, pb.data, pb.len, &cause);
		if (back == NULL)
			ck_abort_msg("%s: %s", what, cause);
		assert_same(m, back, what);
		codec_free(back);
		buf_clear(&pb);
		assert_json_round_trip(m, what);
		codec_free(m);
	}
	/* The generator must make real messages, not empty shells. */
	printf("%s: %d random messages, %zu bytes on average\n", d->name,
	    count, total / (size_t)count);
	ck_assert_uint_gt(total / (size_t)count, 40);
}

START_TEST(test_random_round_trips)
{
	uint32_t st = seed;

	round_trips(EV, 300, rnd(&st));
	round_trips(CALL, 300, rnd(&st));
	round_trips(&mesos__v1__task_info__descriptor, 200, rnd(&st));
	round_trips(&mesos__v1__offer__descriptor, 200, rnd(&st));
	round_trips(&mesos__v1__framework_info__descriptor, 200, rnd(&st));
	round_trips(&mesos__v1__task_status__descriptor, 200, rnd(&st));
}
END_TEST

/* Malformed input ------------------------------------------------------- */

START_TEST(test_truncated_protobuf)
{
	char **names, path[1024], *data, *cause;
	const ProtobufCMessageDescriptor *desc;
	ProtobufCMessage *m;
	size_t n, i, len, k, failed;

	n = list_dir("protobuf", ".pb", &names);
	for (i = 0; i < n; i++) {
		desc = strstr(names[i], "-call-") != NULL ? CALL : EV;
		snprintf(path, sizeof path, "%s/protobuf/%s", tu_fixtures_dir(),
		    names[i]);
		data = slurp(path, &len);
		failed = 0;
		for (k = 0; k < len; k++) {
			cause = NULL;
			m = codec_decode(CODEC_PROTOBUF, desc, data, k, &cause);
			if (m == NULL) {
				ck_assert_ptr_nonnull(cause);
				free(cause);
				failed++;
			}
			codec_free(m);
		}
		/* A prefix cut inside a field cannot decode. */
		if (len > 4)
			ck_assert_uint_gt(failed, 0);
		free(data);
	}
	free_names(names, n);
}
END_TEST

START_TEST(test_garbage)
{
	uint32_t st = seed ^ 0x5bd1e995;
	uint8_t bytes[512];
	size_t len, k;
	int i, decoded = 0;
	ProtobufCMessage *m;
	struct buf out;
	char *cause;
	static const char *alphabet = "{}[]\":,0123456789.-eE truefalsn"
	    "typeOFFERS\\u";

	for (i = 0; i < 20000; i++) {
		len = rnd(&st) % sizeof bytes;
		for (k = 0; k < len; k++)
			bytes[k] = i % 2 ? (uint8_t)rnd(&st) :
			    (uint8_t)alphabet[rnd(&st) % strlen(alphabet)];
		cause = NULL;
		m = codec_decode(i % 4 < 2 ? CODEC_PROTOBUF : CODEC_JSON,
		    i % 3 ? EV : CALL, bytes, len, &cause);
		if (m == NULL) {
			ck_assert_ptr_nonnull(cause);
			free(cause);
			continue;
		}
		decoded++;
		/* Whatever decodes encodes again, both ways. */
		buf_init(&out, 0);
		ck_assert_int_eq(codec_encode(CODEC_JSON, m, &out, &cause), 0);
		buf_reset(&out);
		if (codec_encode(CODEC_PROTOBUF, m, &out, &cause) != 0)
			free(cause);
		buf_clear(&out);
		codec_free(m);
	}
	ck_assert_int_ge(decoded, 0);
}
END_TEST

/*
 * Builds a ContainerID nested depth levels deep through parent, in wire
 * format (written back to front), and asserts it decodes or not.
 */
static void
nested_container_id(size_t depth, int ok)
{
	size_t cap = depth * 8 + 16, pos = cap, k, l;
	uint8_t *w = malloc(cap);
	ProtobufCMessage *m;
	char *cause = NULL;

	ck_assert_ptr_nonnull(w);
	for (k = 0; k <= depth; k++) {
		if (k > 0) {
			uint8_t hdr[16];
			size_t h = 0;

			l = cap - pos;
			hdr[h++] = 0x12;
			while (l >= 0x80) {
				hdr[h++] = (uint8_t)(l | 0x80);
				l >>= 7;
			}
			hdr[h++] = (uint8_t)l;
			pos -= h;
			memcpy(w + pos, hdr, h);
		}
		pos -= 3;
		memcpy(w + pos, "\x0a\x01\x63", 3);
	}
	m = codec_decode(CODEC_PROTOBUF, &mesos__v1__container_id__descriptor,
	    w + pos, cap - pos, &cause);
	if (ok) {
		ck_assert_msg(m != NULL, "depth %zu: %s", depth, cause);
		assert_json_round_trip(m, "nested ContainerID");
	} else {
		ck_assert_ptr_null(m);
		ck_assert_msg(strstr(cause, "deeper than 100") != NULL, "%s",
		    cause);
		free(cause);
	}
	codec_free(m);
	free(w);
}

START_TEST(test_deep_nesting)
{
	struct buf b;
	ProtobufCMessage *m;
	char *cause = NULL;
	int i;

	/* Deep JSON arrays: jansson's depth limit, not our stack. */
	buf_init(&b, 0);
	buf_addstr(&b, "{\"type\":\"HEARTBEAT\",\"x\":");
	for (i = 0; i < 100000; i++)
		buf_addstr(&b, "[");
	for (i = 0; i < 100000; i++)
		buf_addstr(&b, "]");
	buf_addstr(&b, "}");
	m = codec_decode(CODEC_JSON, EV, b.data, b.len, &cause);
	ck_assert_ptr_null(m);
	ck_assert_ptr_nonnull(strstr(cause, "invalid JSON"));
	free(cause);
	buf_clear(&b);

	/* ContainerID is recursive (parent): JSON nesting is bounded... */
	buf_init(&b, 0);
	for (i = 0; i < 150; i++)
		buf_addstr(&b, "{\"value\":\"c\",\"parent\":");
	buf_addstr(&b, "{\"value\":\"c\"}");
	for (i = 0; i < 150; i++)
		buf_addstr(&b, "}");
	m = codec_decode(CODEC_JSON, &mesos__v1__container_id__descriptor,
	    b.data, b.len, &cause);
	ck_assert_ptr_null(m);
	ck_assert_ptr_nonnull(strstr(cause, "nested deeper than 100"));
	free(cause);
	buf_clear(&b);

	/* ...and so is protobuf nesting, which protobuf-c would not check. */
	nested_container_id(50, 1);
	nested_container_id(200000, 0);
}
END_TEST

START_TEST(test_body_limit)
{
	char *big, *cause = NULL;

	big = calloc(1, CODEC_MAX_BODY + 1);
	ck_assert_ptr_nonnull(big);
	ck_assert_ptr_null(codec_decode_event(CODEC_PROTOBUF, big,
	    CODEC_MAX_BODY + 1, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "over the maximum"));
	free(cause);
	ck_assert_ptr_null(codec_decode_event(CODEC_JSON, big,
	    CODEC_MAX_BODY + 1, &cause));
	free(cause);
	free(big);
}
END_TEST

static Suite *
codec_suite(void)
{
	Suite *s = suite_create("codec");
	TCase *tc;

	tc = tcase_create("fixtures");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_fixtures_json);
	tcase_add_test(tc, test_fixtures_protobuf);
	tcase_add_test(tc, test_fixtures_stream);
	tcase_add_test(tc, test_fixture_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_test(tc, test_json_error_paths);
	tcase_add_test(tc, test_json_numbers);
	tcase_add_test(tc, test_json_lenient);
	tcase_add_test(tc, test_json_oneof);
	tcase_add_test(tc, test_json_maps);
	tcase_add_test(tc, test_content_types);
	suite_add_tcase(s, tc);

	tc = tcase_create("random");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_random_round_trips);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_truncated_protobuf);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_test(tc, test_body_limit);
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
	printf("check_codec: seed %u (set ARK_SEED to repeat), fixtures %s\n",
	    seed, tu_fixtures_dir());
	sr = srunner_create(codec_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
