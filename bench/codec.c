/*
 * bench/codec — decode rates of ark's codecs beside the raw libraries on the
 * same bytes, in the same run: an OFFERS event with 10 realistic offers and a
 * status UPDATE, as protobuf (RecordIO framing + codec_decode_event against
 * protobuf_c_message_unpack alone) and as JSON (codec_decode_event against
 * json_loadb alone), plus the RecordIO framing rate on a stream of events.
 * The machine is shared and noisy, so the two sides of each ratio run in
 * alternating rounds and each keeps its best round. Exits non-zero when a
 * ratio is below its floor: protobuf 80%, JSON 70%.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "codec.h"
#include "recordio.h"

#define ROUNDS		6	/* alternating rounds per side */
#define ROUND_SECS	0.08	/* length of one round */
#define FLOOR_PROTOBUF	0.80
#define FLOOR_JSON	0.70

/* What one measured loop body needs. */
struct bench_input {
	const char	*data;	/* bytes to decode */
	size_t		 len;
	const char	*frame;	/* the same bytes RecordIO-framed */
	size_t		 framelen;
};

typedef void (*bench_fn)(const struct bench_input *);

static volatile size_t bench_sink;

/* Returns monotonic seconds. */
static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs fn over in for about ROUND_SECS; returns iterations per second. */
static double
bench_round(bench_fn fn, const struct bench_input *in)
{
	double start = bench_now(), el;
	long n = 0, batch = 16, i;

	do {
		for (i = 0; i < batch; i++)
			fn(in);
		n += batch;
		el = bench_now() - start;
	} while (el < ROUND_SECS);
	return (double)n / el;
}

/* Alternates a and b for ROUNDS rounds each; best rate of each side. */
static void
bench_pair(bench_fn a, bench_fn b, const struct bench_input *in,
    double *ra, double *rb)
{
	int i;
	double r;

	*ra = *rb = 0;
	a(in);
	b(in);
	for (i = 0; i < ROUNDS; i++) {
		r = bench_round(a, in);
		if (r > *ra)
			*ra = r;
		r = bench_round(b, in);
		if (r > *rb)
			*rb = r;
	}
}

/* The raw library: protobuf-c unpack and free. */
static void
raw_unpack(const struct bench_input *in)
{
	ProtobufCMessage *m = protobuf_c_message_unpack(
	    &mesos__v1__scheduler__event__descriptor, NULL, in->len,
	    (const uint8_t *)in->data);

	if (m == NULL)
		abort();
	bench_sink += m->descriptor->n_fields;
	protobuf_c_message_free_unpacked(m, NULL);
}

/* The connection's reader, kept across events as a connection keeps it. */
static struct recordio_reader bench_reader;

/* ark: RecordIO framing, then codec_decode_event, then codec_free. */
static void
ark_protobuf(const struct bench_input *in)
{
	Mesos__V1__Scheduler__Event *ev;
	const char *rec, *cause;
	char *err = NULL;
	size_t len;

	if (recordio_feed(&bench_reader, in->frame, in->framelen) != 0 ||
	    recordio_next(&bench_reader, &rec, &len, &cause) != RECORDIO_OK)
		abort();
	ev = codec_decode_event(CODEC_PROTOBUF, rec, len, &err);
	if (ev == NULL)
		abort();
	bench_sink += ev->type;
	codec_free(ev);
}

/* The raw library: jansson parse and free. */
static void
raw_json(const struct bench_input *in)
{
	json_t *j = json_loadb(in->data, in->len, 0, NULL);

	if (j == NULL)
		abort();
	bench_sink += json_object_size(j);
	json_decref(j);
}

/* ark: codec_decode_event from JSON, then codec_free. */
static void
ark_json(const struct bench_input *in)
{
	Mesos__V1__Scheduler__Event *ev;
	char *err = NULL;

	ev = codec_decode_event(CODEC_JSON, in->data, in->len, &err);
	if (ev == NULL)
		abort();
	bench_sink += ev->type;
	codec_free(ev);
}

/* Builds the JSON of an OFFERS event with n offers like a real cluster's. */
static void
build_offers_json(struct buf *b, int n)
{
	int i;

	buf_addstr(b, "{\"type\":\"OFFERS\",\"offers\":{\"offers\":[");
	for (i = 0; i < n; i++) {
		buf_printf(b, "%s{\"id\":{\"value\":"
		    "\"7b3c243e-db9c-4cc5-98aa-3b631b66a69b-O%d\"},"
		    "\"framework_id\":{\"value\":"
		    "\"7b3c243e-db9c-4cc5-98aa-3b631b66a69b-0002\"},"
		    "\"agent_id\":{\"value\":"
		    "\"7b3c243e-db9c-4cc5-98aa-3b631b66a69b-S%d\"},"
		    "\"hostname\":\"agent-%03d.dc1.example.com\","
		    "\"url\":{\"scheme\":\"http\",\"address\":{\"hostname\":"
		    "\"agent-%03d.dc1.example.com\",\"ip\":\"10.0.%d.%d\","
		    "\"port\":5051},\"path\":\"/slave(1)\"},",
		    i == 0 ? "" : ",", 100 + i, i, i, i, i / 250, i % 250 + 1);
		buf_printf(b, "\"resources\":["
		    "{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":"
		    "{\"value\":%d.5},\"role\":\"*\",\"allocation_info\":"
		    "{\"role\":\"*\"}},"
		    "{\"name\":\"mem\",\"type\":\"SCALAR\",\"scalar\":"
		    "{\"value\":%d.0},\"role\":\"*\",\"allocation_info\":"
		    "{\"role\":\"*\"}},"
		    "{\"name\":\"disk\",\"type\":\"SCALAR\",\"scalar\":"
		    "{\"value\":252899.0},\"role\":\"*\",\"allocation_info\":"
		    "{\"role\":\"*\"}},"
		    "{\"name\":\"ports\",\"type\":\"RANGES\",\"ranges\":"
		    "{\"range\":[{\"begin\":31000,\"end\":31999},"
		    "{\"begin\":32100,\"end\":32999}]},\"role\":\"*\","
		    "\"allocation_info\":{\"role\":\"*\"}}],",
		    4 + i % 28, 8192 + 1024 * i);
		buf_printf(b, "\"attributes\":["
		    "{\"name\":\"rack\",\"type\":\"TEXT\",\"text\":"
		    "{\"value\":\"r%02d\"}},"
		    "{\"name\":\"zone\",\"type\":\"TEXT\",\"text\":"
		    "{\"value\":\"us-east-1%c\"}},"
		    "{\"name\":\"gen\",\"type\":\"SCALAR\",\"scalar\":"
		    "{\"value\":%d.0}}],"
		    "\"allocation_info\":{\"role\":\"*\"}}",
		    i % 12, 'a' + i % 3, 3 + i % 2);
	}
	buf_addstr(b, "]}}");
}

static const char update_json[] =
    "{\"type\":\"UPDATE\",\"update\":{\"status\":{"
    "\"task_id\":{\"value\":\"web.8f3c1c2e-6a47-4f4b-9d0e-1b2c3d4e5f60\"},"
    "\"state\":\"TASK_RUNNING\",\"source\":\"SOURCE_EXECUTOR\","
    "\"agent_id\":{\"value\":\"7b3c243e-db9c-4cc5-98aa-3b631b66a69b-S0\"},"
    "\"executor_id\":{\"value\":\"web.8f3c1c2e-6a47-4f4b-9d0e-1b2c3d4e5f60\"},"
    "\"timestamp\":1764199466.12345,"
    "\"uuid\":\"x6Sx2a3xT0KcdQvV5n3jkg==\",\"healthy\":true,"
    "\"container_status\":{\"container_id\":{\"value\":"
    "\"ec5b7a2e-4a33-4d2c-8e7c-0d39a9f1e6b1\"},\"network_infos\":[{"
    "\"ip_addresses\":[{\"protocol\":\"IPv4\",\"ip_address\":\"10.0.0.7\"}]"
    "}],\"executor_pid\":31337}}}}";

/* Decodes JSON text as an Event and fills both encodings of it. */
static void
make_input(const char *json, struct buf *pb, struct buf *js,
    struct buf *frame, struct bench_input *in)
{
	Mesos__V1__Scheduler__Event *ev;
	char *cause = NULL;

	ev = codec_decode_event(CODEC_JSON, json, strlen(json), &cause);
	if (ev == NULL) {
		fprintf(stderr, "bench/codec: bad input: %s\n", cause);
		exit(2);
	}
	buf_init(pb, 0);
	buf_init(js, 0);
	buf_init(frame, 0);
	if (codec_encode_event(CODEC_PROTOBUF, ev, pb, &cause) != 0 ||
	    codec_encode_event(CODEC_JSON, ev, js, &cause) != 0 ||
	    recordio_write(frame, pb->data, pb->len) != 0) {
		fprintf(stderr, "bench/codec: encode: %s\n", cause);
		exit(2);
	}
	codec_free(ev);
	in->frame = frame->data;
	in->framelen = frame->len;
}

/* Measures one ratio and prints it; returns 0 if at or above floor. */
static int
bench_ratio(const char *what, bench_fn raw, const char *rawname, bench_fn ark,
    const struct bench_input *in, double floor)
{
	double rr, ra, ratio;

	bench_pair(raw, ark, in, &rr, &ra);
	ratio = ra / rr;
	printf("%-16s %6zu B  %-13s %9.0f ev/s %8.1f MB/s | ark %9.0f ev/s "
	    "%8.1f MB/s | %5.1f%% (floor %.0f%%) %s\n", what, in->len,
	    rawname, rr, rr * (double)in->len / 1e6, ra,
	    ra * (double)in->len / 1e6, ratio * 100, floor * 100,
	    ratio >= floor ? "ok" : "BELOW FLOOR");
	return ratio >= floor ? 0 : -1;
}

/* Frames a stream of records and reads it back in 16 KiB chunks. */
static void
bench_recordio(const struct buf *pb)
{
	struct buf stream;
	struct recordio_reader r;
	const char *rec, *cause;
	size_t len, off, n, records = 0;
	double start, el, bytes = 0, best = 0;
	int i, round;

	buf_init(&stream, 0);
	for (i = 0; i < 2000; i++)
		recordio_write(&stream, pb->data, pb->len);
	for (round = 0; round < ROUNDS; round++) {
		start = bench_now();
		bytes = 0;
		do {
			recordio_reader_init(&r, 0);
			for (off = 0; off < stream.len; off += n) {
				n = stream.len - off < 16384 ?
				    stream.len - off : 16384;
				recordio_feed(&r, stream.data + off, n);
				while (recordio_next(&r, &rec, &len, &cause) ==
				    RECORDIO_OK)
					records++;
			}
			recordio_reader_clear(&r);
			bytes += (double)stream.len;
			el = bench_now() - start;
		} while (el < ROUND_SECS);
		if (bytes / el > best)
			best = bytes / el;
	}
	bench_sink += records;
	printf("%-16s %6zu B  framing        %9.0f rec/s %7.1f MB/s\n",
	    "recordio", pb->len, best / ((double)stream.len / 2000),
	    best / 1e6);
	buf_clear(&stream);
}

int
main(void)
{
	struct buf offers, pb[2], js[2], frame[2];
	struct bench_input in;
	int rc = 0, k;
	const char *names[2] = { "OFFERS(10)", "UPDATE" };

	recordio_reader_init(&bench_reader, 0);
	buf_init(&offers, 0);
	build_offers_json(&offers, 10);
	make_input(offers.data, &pb[0], &js[0], &frame[0], &in);
	make_input(update_json, &pb[1], &js[1], &frame[1], &in);
	printf("codec decode rates (best of %d alternating rounds of %.2f s)\n",
	    ROUNDS, ROUND_SECS);
	for (k = 0; k < 2; k++) {
		char what[32];

		in.data = pb[k].data;
		in.len = pb[k].len;
		in.frame = frame[k].data;
		in.framelen = frame[k].len;
		snprintf(what, sizeof what, "%s pb", names[k]);
		if (bench_ratio(what, raw_unpack, "protobuf-c", ark_protobuf,
		    &in, FLOOR_PROTOBUF) != 0)
			rc = 1;
		in.data = js[k].data;
		in.len = js[k].len;
		snprintf(what, sizeof what, "%s json", names[k]);
		if (bench_ratio(what, raw_json, "json_loadb", ark_json, &in,
		    FLOOR_JSON) != 0)
			rc = 1;
	}
	bench_recordio(&pb[0]);
	for (k = 0; k < 2; k++) {
		buf_clear(&pb[k]);
		buf_clear(&js[k]);
		buf_clear(&frame[k]);
	}
	buf_clear(&offers);
	recordio_reader_clear(&bench_reader);
	return rc;
}
