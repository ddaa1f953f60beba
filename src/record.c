/*
 * record — writes and reads arkd's record files (format in record.h) and
 * describes messages and effects in one line each, for replays and logs.
 * The writer buffers records in memory and writes them on record_flush();
 * raw events from the master's tap wait in a FIFO until the dispatcher
 * hands the matching message to record_write_msg. The reader streams the
 * file through the RecordIO reader, so record files of any length replay in
 * bounded memory. Replaying through the core is in record-replay.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "admin-req.h"
#include "buf.h"
#include "codec.h"
#include "config.h"
#include "log.h"
#include "record.h"
#include "recordio.h"
#include "xmalloc.h"

#ifndef ARK_VERSION
#define ARK_VERSION "unknown"
#endif

/* Buffered bytes that make record_write_msg write to the file. */
#define RECORD_FLUSH_AT		(256u * 1024)
/* Tapped events waiting for their message, at most. */
#define RECORD_TAP_MAX		4096
/* Longest record read back (a start record with a large snapshot). */
#define RECORD_MAX		(512u * 1024 * 1024)
/* Items listed in one description line before "...". */
#define RECORD_LIST_MAX		8

/* A raw event from the tap, waiting for its message. */
struct record_tapped {
	enum codec_type	 enc;
	int		 type;	/* Event.Type, -1 if it does not decode */
	char		*data;
	size_t		 len;
	int64_t		 now, wall;
};

struct record {
	char		*path;
	int		 fd;
	struct buf	 out;		/* framed records not yet written */
	int		 failed;	/* a write failed (logged once) */
	struct record_tapped *tap;	/* FIFO: tap[head .. ntap) */
	size_t		 head, ntap, captap;
};

struct record_reader {
	char		*path;
	FILE		*f;
	struct recordio_reader rio;
	uint64_t	 fed, used;	/* bytes fed to / framed by rio */
	int		 eof;
	struct config	*config;
	struct store_snapshot snap;
	int64_t		 now, wall;
};

/* Writes all of buf to fd; -1 on error. */
static int
record_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
record_flush(struct record *r)
{
	if (r->out.len == 0)
		return r->failed ? -1 : 0;
	if (!r->failed && record_write_all(r->fd, r->out.data, r->out.len) !=
	    0) {
		log_error("record: %s: %s; recording stops", r->path,
		    strerror(errno));
		r->failed = 1;
	}
	buf_reset(&r->out);
	return r->failed ? -1 : 0;
}

/* Frames one record: header line, then payload. */
static int
record_put(struct record *r, int64_t now, int64_t wall, const char *kind,
    const char *enc, const void *payload, size_t len)
{
	struct buf rec;
	int rc;

	if (r->failed)
		return -1;
	buf_init(&rec, 0);
	buf_printf(&rec, "%" PRId64 " %" PRId64 " %s %s\n", now, wall, kind,
	    enc);
	buf_add(&rec, payload, len);
	recordio_write(&r->out, rec.data, rec.len);
	buf_clear(&rec);
	rc = 0;
	if (r->out.len >= RECORD_FLUSH_AT)
		rc = record_flush(r);
	return rc;
}

/* Frames a JSON payload (reference stolen). */
static int
record_put_json(struct record *r, int64_t now, int64_t wall,
    const char *kind, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
	int rc;

	json_decref(j);
	if (s == NULL)
		s = xstrdup("null");
	rc = record_put(r, now, wall, kind, "json", s, strlen(s));
	free(s);
	return rc;
}

/* Returns s as a JSON string, or null. */
static json_t *
record_jstr(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* Returns a store snapshot as JSON. */
static json_t *
record_snapshot_json(const struct store_snapshot *s)
{
	json_t *j = json_object(), *a;

	json_object_set_new(j, "framework_id", record_jstr(s->framework_id));
	json_object_set_new(j, "framework_removed",
	    json_boolean(s->framework_removed));
	a = json_array();
	for (size_t i = 0; i < s->ntasks; i++) {
		const struct store_task *t = &s->tasks[i];

		json_array_append_new(a, json_pack("{s:o s:o s:o s:o s:o s:o "
		    "s:i s:o s:I s:I}", "task_id", record_jstr(t->task_id),
		    "job", record_jstr(t->job), "slot", record_jstr(t->slot),
		    "agent_id", record_jstr(t->agent_id), "hostname",
		    record_jstr(t->hostname), "offer_id",
		    record_jstr(t->offer_id), "state", t->state, "job_hash",
		    record_jstr(t->job_hash), "launched_at",
		    (json_int_t)t->launched_at, "updated_at",
		    (json_int_t)t->updated_at));
	}
	json_object_set_new(j, "tasks", a);
	a = json_array();
	for (size_t i = 0; i < s->nslots; i++)
		json_array_append_new(a, json_pack("{s:o s:o s:I s:I}", "job",
		    record_jstr(s->slots[i].job), "slot",
		    record_jstr(s->slots[i].slot), "restarts",
		    (json_int_t)s->slots[i].restarts, "backoff_until",
		    (json_int_t)s->slots[i].backoff_until));
	json_object_set_new(j, "slots", a);
	a = json_array();
	for (size_t i = 0; i < s->nblacklist; i++)
		json_array_append_new(a, json_pack("{s:o s:o s:I}", "agent",
		    record_jstr(s->blacklist[i].agent), "reason",
		    record_jstr(s->blacklist[i].reason), "since",
		    (json_int_t)s->blacklist[i].since));
	json_object_set_new(j, "blacklist", a);
	a = json_array();
	for (size_t i = 0; i < s->nkv; i++)
		json_array_append_new(a, json_pack("{s:o s:o}", "key",
		    record_jstr(s->kv[i].key), "value",
		    record_jstr(s->kv[i].value)));
	json_object_set_new(j, "kv", a);
	return j;
}

struct record *
record_open(const char *path, const struct config *cfg,
    const struct store_snapshot *snap, int64_t now, int64_t wall,
    char **cause)
{
	struct store_snapshot empty = { 0 };
	struct record *r;
	char *text;
	json_t *start;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->path = xstrdup(path);
	r->fd = fd;
	buf_init(&r->out, 0);
	buf_addstr(&r->out, RECORD_MAGIC);
	text = config_to_json(cfg);
	start = json_pack("{s:i s:s s:s s:o}", "format", 1, "arkd",
	    ARK_VERSION, "config", text, "snapshot",
	    record_snapshot_json(snap != NULL ? snap : &empty));
	free(text);
	record_put_json(r, now, wall, "start", start);
	if (record_flush(r) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		record_close(r);
		return NULL;
	}
	return r;
}

/* Drops the oldest tapped event from the FIFO (its bytes are freed). */
static void
record_tap_pop(struct record *r)
{
	free(r->tap[r->head].data);
	r->head++;
	if (r->head == r->ntap)
		r->head = r->ntap = 0;
}

/* Writes the oldest tapped event as a "tap" record and drops it. */
static void
record_tap_spill(struct record *r)
{
	struct record_tapped *t = &r->tap[r->head];

	record_put(r, t->now, t->wall, "tap", codec_name(t->enc), t->data,
	    t->len);
	record_tap_pop(r);
}

void
record_tap(void *arg, enum codec_type enc, const char *data, size_t len)
{
	struct record *r = arg;
	Mesos__V1__Scheduler__Event *ev;
	struct record_tapped *t;
	char *cause = NULL;

	if (r->ntap - r->head >= RECORD_TAP_MAX)
		record_tap_spill(r);
	if (r->ntap == r->captap) {
		if (r->head > 0) {
			memmove(r->tap, r->tap + r->head,
			    (r->ntap - r->head) * sizeof *r->tap);
			r->ntap -= r->head;
			r->head = 0;
		} else {
			r->captap = r->captap == 0 ? 64 : r->captap * 2;
			r->tap = xreallocarray(r->tap, r->captap,
			    sizeof *r->tap);
		}
	}
	t = &r->tap[r->ntap++];
	t->enc = enc;
	t->data = xmalloc(len + 1);
	memcpy(t->data, data, len);
	t->len = len;
	t->now = msg_clock_now();
	t->wall = msg_clock_wall();
	/* the type pairs the bytes with the message the core will get */
	ev = codec_decode_event(enc, data, len, &cause);
	t->type = ev != NULL ? (int)ev->type : -1;
	codec_free(ev);
	free(cause);
}

/* Writes an event: its tapped bytes if they are waiting, else protobuf. */
static int
record_write_event(struct record *r, const struct msg *m)
{
	const Mesos__V1__Scheduler__Event *ev = m->u.event;
	struct buf b;
	char *cause = NULL;
	int rc;

	while (ev != NULL && r->head < r->ntap) {
		struct record_tapped *t = &r->tap[r->head];

		if (t->type == (int)ev->type) {
			rc = record_put(r, m->now, m->wall, "event",
			    codec_name(t->enc), t->data, t->len);
			record_tap_pop(r);
			return rc;
		}
		/* arrived but never reached the core */
		record_tap_spill(r);
	}
	buf_init(&b, 0);
	if (ev == NULL || codec_encode_event(CODEC_PROTOBUF, ev, &b, &cause) !=
	    0) {
		free(cause);
		buf_clear(&b);
		return record_put(r, m->now, m->wall, "event", "-", "", 0);
	}
	rc = record_put(r, m->now, m->wall, "event", "protobuf", b.data, b.len);
	buf_clear(&b);
	return rc;
}

int
record_write_msg(struct record *r, const struct msg *m)
{
	const char *kind = msg_type_name(m->type);

	switch (m->type) {
	case MSG_EVENT:
		return record_write_event(r, m);
	case MSG_SESSION:
		return record_put_json(r, m->now, m->wall, kind,
		    json_pack("{s:s s:o s:o s:o s:b}", "state",
		    m->u.session.state == SESSION_CONNECTED ? "connected" :
		    m->u.session.state == SESSION_FOLLOWER ? "follower" :
		    "disconnected", "master", record_jstr(m->u.session.master),
		    "stream_id", record_jstr(m->u.session.stream_id),
		    "reason", record_jstr(m->u.session.reason),
		    "failed", m->u.session.failed != 0));
	case MSG_CALL_DONE: {
		char cookie[24];

		snprintf(cookie, sizeof cookie, "%" PRIu64,
		    m->u.call_done.cookie);
		return record_put_json(r, m->now, m->wall, kind,
		    json_pack("{s:s s:i s:i s:o s:o}", "cookie", cookie,
		    "type", m->u.call_done.type, "status",
		    m->u.call_done.status, "error",
		    record_jstr(m->u.call_done.error), "body",
		    record_jstr(m->u.call_done.body)));
	}
	case MSG_AGENTS: {
		struct buf b;
		char *cause = NULL;
		int rc;

		buf_init(&b, 0);
		if (m->u.agents == NULL || codec_encode(CODEC_PROTOBUF,
		    &m->u.agents->base, &b, &cause) != 0) {
			free(cause);
			buf_clear(&b);
			return record_put(r, m->now, m->wall, kind, "-", "", 0);
		}
		rc = record_put(r, m->now, m->wall, kind, "protobuf", b.data,
		    b.len);
		buf_clear(&b);
		return rc;
	}
	case MSG_ADMIN: {
		const struct admin_req *a = m->u.admin;

		if (a == NULL)
			return record_put(r, m->now, m->wall, kind, "-", "", 0);
		return record_put_json(r, m->now, m->wall, kind,
		    json_pack("{s:I s:s s:o s:o s:o s:o s:o s:I s:i}", "id",
		    (json_int_t)a->id, "op", admin_op_name(a->op), "arg",
		    record_jstr(a->arg), "job", record_jstr(a->job), "state",
		    record_jstr(a->state), "agent", record_jstr(a->agent),
		    "reason", record_jstr(a->reason), "instances",
		    (json_int_t)a->instances, "suspended", a->suspended));
	}
	case MSG_RELOAD: {
		char *text;
		int rc;

		if (m->u.config == NULL)
			return record_put(r, m->now, m->wall, kind, "-", "", 0);
		text = config_to_json(m->u.config);
		rc = record_put(r, m->now, m->wall, kind, "json", text,
		    strlen(text));
		free(text);
		return rc;
	}
	default:
		return record_put(r, m->now, m->wall, kind, "-", "", 0);
	}
}

void
record_close(struct record *r)
{
	if (r == NULL)
		return;
	while (r->head < r->ntap)
		record_tap_spill(r);
	record_flush(r);
	free(r->tap);
	if (r->fd != -1 && close(r->fd) != 0 && !r->failed)
		log_error("record: %s: %s", r->path, strerror(errno));
	buf_clear(&r->out);
	free(r->path);
	free(r);
}

/*
 * Reading.
 */

/* Returns a JSON member as a new string, NULL if absent or null. */
static char *
record_get_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? xstrdup(s) : NULL;
}

static int64_t
record_get_int(const json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

/* Fills a snapshot from its JSON form. */
static void
record_snapshot_from_json(const json_t *j, struct store_snapshot *s)
{
	const json_t *a, *e;
	size_t i;

	memset(s, 0, sizeof *s);
	s->framework_id = record_get_str(j, "framework_id");
	s->framework_removed = json_is_true(json_object_get(j,
	    "framework_removed"));
	a = json_object_get(j, "tasks");
	s->ntasks = json_array_size(a);
	s->tasks = xcalloc(s->ntasks + 1, sizeof *s->tasks);
	json_array_foreach(a, i, e) {
		struct store_task *t = &s->tasks[i];

		t->task_id = record_get_str(e, "task_id");
		t->job = record_get_str(e, "job");
		t->slot = record_get_str(e, "slot");
		t->agent_id = record_get_str(e, "agent_id");
		t->hostname = record_get_str(e, "hostname");
		t->offer_id = record_get_str(e, "offer_id");
		t->state = (int)record_get_int(e, "state");
		t->job_hash = record_get_str(e, "job_hash");
		t->launched_at = record_get_int(e, "launched_at");
		t->updated_at = record_get_int(e, "updated_at");
	}
	a = json_object_get(j, "slots");
	s->nslots = json_array_size(a);
	s->slots = xcalloc(s->nslots + 1, sizeof *s->slots);
	json_array_foreach(a, i, e) {
		s->slots[i].job = record_get_str(e, "job");
		s->slots[i].slot = record_get_str(e, "slot");
		s->slots[i].restarts = (uint32_t)record_get_int(e, "restarts");
		s->slots[i].backoff_until = record_get_int(e, "backoff_until");
	}
	a = json_object_get(j, "blacklist");
	s->nblacklist = json_array_size(a);
	s->blacklist = xcalloc(s->nblacklist + 1, sizeof *s->blacklist);
	json_array_foreach(a, i, e) {
		s->blacklist[i].agent = record_get_str(e, "agent");
		s->blacklist[i].reason = record_get_str(e, "reason");
		s->blacklist[i].since = record_get_int(e, "since");
	}
	a = json_object_get(j, "kv");
	s->nkv = json_array_size(a);
	s->kv = xcalloc(s->nkv + 1, sizeof *s->kv);
	json_array_foreach(a, i, e) {
		s->kv[i].key = record_get_str(e, "key");
		s->kv[i].value = record_get_str(e, "value");
	}
}

/* A record split into its header fields and payload (pointing into rio). */
struct record_raw {
	int64_t		 now, wall;
	char		 kind[16];
	char		 enc[16];
	const char	*payload;
	size_t		 len;
};

/*
 * Reads the next raw record. 1 with one, 0 at the end (a partial last
 * record is noted in *cause), -1 with *cause on damage.
 */
static int
record_next_raw(struct record_reader *rd, struct record_raw *raw,
    char **cause)
{
	const char *data, *why, *nl, *p;
	char *end;
	size_t len;

	for (;;) {
		enum recordio_status st = recordio_next(&rd->rio, &data, &len,
		    &why);

		if (st == RECORDIO_ERROR) {
			*cause = xasprintf("%s: damaged at byte %" PRIu64
			    ": %s", rd->path, rd->used +
			    (uint64_t)strlen(RECORD_MAGIC), why);
			return -1;
		}
		if (st == RECORDIO_OK)
			break;
		if (rd->eof) {
			if (rd->fed > rd->used)
				*cause = xasprintf("%s: the last record is "
				    "truncated (%" PRIu64 " bytes ignored)",
				    rd->path, rd->fed - rd->used);
			return 0;
		}
		{
			char chunk[65536];
			size_t n = fread(chunk, 1, sizeof chunk, rd->f);

			if (n == 0) {
				if (ferror(rd->f)) {
					*cause = xasprintf("%s: %s", rd->path,
					    strerror(errno));
					return -1;
				}
				rd->eof = 1;
				continue;
			}
			recordio_feed(&rd->rio, chunk, n);
			rd->fed += n;
		}
	}
	{
		char digits[24];

		rd->used += (uint64_t)snprintf(digits, sizeof digits, "%zu\n",
		    len) + len;
	}
	nl = memchr(data, '\n', len);
	if (nl == NULL)
		goto bad;
	memset(raw, 0, sizeof *raw);
	errno = 0;
	raw->now = strtoll(data, &end, 10);
	if (end == data || *end != ' ' || errno != 0)
		goto bad;
	p = end + 1;
	raw->wall = strtoll(p, &end, 10);
	if (end == p || *end != ' ' || errno != 0)
		goto bad;
	p = end + 1;
	len -= (size_t)(nl + 1 - data);
	{
		const char *sp = memchr(p, ' ', (size_t)(nl - p));
		size_t klen, elen;

		if (sp == NULL)
			goto bad;
		klen = (size_t)(sp - p);
		elen = (size_t)(nl - sp - 1);
		if (klen == 0 || klen >= sizeof raw->kind || elen == 0 ||
		    elen >= sizeof raw->enc)
			goto bad;
		memcpy(raw->kind, p, klen);
		memcpy(raw->enc, sp + 1, elen);
	}
	raw->payload = nl + 1;
	raw->len = len;
	return 1;
bad:
	*cause = xasprintf("%s: record ending at byte %" PRIu64 " has a bad "
	    "header line", rd->path, rd->used +
	    (uint64_t)strlen(RECORD_MAGIC));
	return -1;
}

struct record_reader *
record_reader_open(const char *path, char **cause)
{
	struct record_reader *rd = xcalloc(1, sizeof *rd);
	char magic[sizeof RECORD_MAGIC];
	struct record_raw raw;
	json_error_t jerr;
	json_t *start = NULL;
	const char *text;
	char *why = NULL;
	size_t n;
	int rc;

	rd->path = xstrdup(path);
	recordio_reader_init(&rd->rio, RECORD_MAX);
	rd->f = fopen(path, "rb");
	if (rd->f == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		goto fail;
	}
	n = fread(magic, 1, strlen(RECORD_MAGIC), rd->f);
	magic[n] = '\0';
	if (strncmp(magic, "ARK-RECORD ", 11) != 0) {
		*cause = xasprintf("%s: not an ark record file", path);
		goto fail;
	}
	if (strcmp(magic, RECORD_MAGIC) != 0) {
		*cause = xasprintf("%s: record format \"%.*s\" is not "
		    "supported (this arkd reads \"%.*s\")", path,
		    (int)strcspn(magic, "\n"), magic,
		    (int)strlen(RECORD_MAGIC) - 1, RECORD_MAGIC);
		goto fail;
	}
	rc = record_next_raw(rd, &raw, &why);
	if (rc != 1 || strcmp(raw.kind, "start") != 0) {
		*cause = rc == -1 ? why : xasprintf("%s: no start record%s%s",
		    path, why != NULL ? ": " : "", why != NULL ? why : "");
		if (rc != -1)
			free(why);
		goto fail;
	}
	rd->now = raw.now;
	rd->wall = raw.wall;
	start = json_loadb(raw.payload, raw.len, 0, &jerr);
	text = json_string_value(json_object_get(start, "config"));
	if (start == NULL || text == NULL ||
	    !json_is_object(json_object_get(start, "snapshot"))) {
		*cause = xasprintf("%s: bad start record%s%s", path,
		    start == NULL ? ": " : "", start == NULL ? jerr.text : "");
		goto fail;
	}
	{
		char *name = xasprintf("%s (recorded configuration)", path);

		rd->config = config_parse(text, name, &why);
		free(name);
	}
	if (rd->config == NULL) {
		*cause = why;
		goto fail;
	}
	record_snapshot_from_json(json_object_get(start, "snapshot"),
	    &rd->snap);
	json_decref(start);
	return rd;
fail:
	json_decref(start);
	record_reader_close(rd);
	return NULL;
}

const struct config *
record_reader_config(const struct record_reader *rd)
{
	return rd->config;
}

const struct store_snapshot *
record_reader_snapshot(const struct record_reader *rd)
{
	return &rd->snap;
}

int64_t
record_reader_start_now(const struct record_reader *rd)
{
	return rd->now;
}

int64_t
record_reader_start_wall(const struct record_reader *rd)
{
	return rd->wall;
}

void
record_entry_clear(struct record_entry *e)
{
	msg_free(e->msg);
	free(e->note);
	memset(e, 0, sizeof *e);
}

/* Maps an encoding name from the file; -1 if unknown. */
static int
record_enc(const char *s, enum codec_type *t)
{
	if (strcmp(s, "protobuf") == 0)
		*t = CODEC_PROTOBUF;
	else if (strcmp(s, "json") == 0)
		*t = CODEC_JSON;
	else
		return -1;
	return 0;
}

/* Returns the name of an event type, "UNKNOWN(n)" style if unnamed. */
static const char *
record_event_type_name(int type)
{
	return codec_enum_name(&mesos__v1__scheduler__event__type__descriptor,
	    type);
}

/* Rebuilds the message of a raw record into e; notes what it cannot. */
static void
record_rebuild(struct record_reader *rd, const struct record_raw *raw,
    struct record_entry *e)
{
	enum codec_type enc;
	json_t *j = NULL;
	char *why = NULL;
	int i;

	for (i = 0; i < MSG_MAX; i++)
		if (strcmp(raw->kind, msg_type_name((enum msg_type)i)) == 0)
			break;
	if (strcmp(raw->kind, "tap") == 0) {
		Mesos__V1__Scheduler__Event *ev = NULL;

		if (record_enc(raw->enc, &enc) == 0)
			ev = codec_decode_event(enc, raw->payload, raw->len,
			    &why);
		e->note = ev != NULL ? xasprintf("event %s arrived but did "
		    "not reach the core", record_event_type_name(ev->type)) :
		    xasprintf("%zu bytes arrived that do not decode: %s",
		    raw->len, why != NULL ? why : "unknown encoding");
		codec_free(ev);
		free(why);
		return;
	}
	if (i == MSG_MAX) {
		e->note = xasprintf("unknown record kind \"%s\"", raw->kind);
		return;
	}
	if (strcmp(raw->enc, "json") == 0 && i != MSG_RELOAD) {
		json_error_t jerr;

		j = json_loadb(raw->payload, raw->len, 0, &jerr);
		if (j == NULL) {
			e->note = xasprintf("%s record with bad JSON: %s",
			    raw->kind, jerr.text);
			return;
		}
	}
	e->msg = msg_create((enum msg_type)i);
	e->msg->now = raw->now;
	e->msg->wall = raw->wall;
	switch ((enum msg_type)i) {
	case MSG_EVENT:
		if (record_enc(raw->enc, &enc) != 0) {
			why = xasprintf("encoding \"%s\"", raw->enc);
		} else {
			e->msg->u.event = codec_decode_event(enc, raw->payload,
			    raw->len, &why);
		}
		if (e->msg->u.event == NULL) {
			e->note = xasprintf("event that does not decode: %s",
			    why);
			msg_free(e->msg);
			e->msg = NULL;
		}
		free(why);
		break;
	case MSG_SESSION: {
		const char *st = json_string_value(json_object_get(j, "state"));

		e->msg->u.session.state = st != NULL && strcmp(st,
		    "connected") == 0 ? SESSION_CONNECTED : st != NULL &&
		    strcmp(st, "follower") == 0 ? SESSION_FOLLOWER :
		    SESSION_DISCONNECTED;
		e->msg->u.session.master = record_get_str(j, "master");
		e->msg->u.session.stream_id = record_get_str(j, "stream_id");
		e->msg->u.session.reason = record_get_str(j, "reason");
		e->msg->u.session.failed = json_is_true(json_object_get(j,
		    "failed"));
		break;
	}
	case MSG_CALL_DONE: {
		const char *c = json_string_value(json_object_get(j, "cookie"));

		e->msg->u.call_done.cookie = c != NULL ?
		    strtoull(c, NULL, 10) : 0;
		e->msg->u.call_done.type = (int)record_get_int(j, "type");
		e->msg->u.call_done.status = (int)record_get_int(j, "status");
		e->msg->u.call_done.error = record_get_str(j, "error");
		e->msg->u.call_done.body = record_get_str(j, "body");
		break;
	}
	case MSG_AGENTS:
		if (record_enc(raw->enc, &enc) == 0)
			e->msg->u.agents = (Mesos__V1__Master__Response__GetAgents
			    *)codec_decode(enc,
			    &mesos__v1__master__response__get_agents__descriptor,
			    raw->payload, raw->len, &why);
		if (e->msg->u.agents == NULL) {
			e->note = xasprintf("agents that do not decode: %s",
			    why != NULL ? why : raw->enc);
			msg_free(e->msg);
			e->msg = NULL;
		}
		free(why);
		break;
	case MSG_ADMIN: {
		struct admin_req *a;
		const char *op;
		int k;

		if (j == NULL) {
			e->note = xstrdup("admin record without a request");
			msg_free(e->msg);
			e->msg = NULL;
			break;
		}
		a = xcalloc(1, sizeof *a);
		op = json_string_value(json_object_get(j, "op"));
		for (k = 0; k < ADMIN_OP_MAX; k++)
			if (op != NULL && strcmp(op, admin_op_name(
			    (enum admin_op)k)) == 0)
				break;
		a->id = (uint64_t)record_get_int(j, "id");
		a->op = (enum admin_op)(k < ADMIN_OP_MAX ? k : 0);
		a->arg = record_get_str(j, "arg");
		a->job = record_get_str(j, "job");
		a->state = record_get_str(j, "state");
		a->agent = record_get_str(j, "agent");
		a->reason = record_get_str(j, "reason");
		a->instances = record_get_int(j, "instances");
		a->suspended = (int)record_get_int(j, "suspended");
		e->msg->u.admin = a;
		if (k == ADMIN_OP_MAX) {
			e->note = xasprintf("admin request with unknown op "
			    "\"%s\"", op != NULL ? op : "");
			msg_free(e->msg);
			e->msg = NULL;
		}
		break;
	}
	case MSG_RELOAD: {
		char *text = xstrndup(raw->payload, raw->len);
		char *name = xasprintf("%s (reload at %" PRId64 ")", rd->path,
		    raw->now);

		e->msg->u.config = config_parse(text, name, &why);
		free(text);
		free(name);
		if (e->msg->u.config == NULL) {
			e->note = xasprintf("reload that does not load: %s",
			    why);
			free(why);
			msg_free(e->msg);
			e->msg = NULL;
		}
		break;
	}
	default:
		break;
	}
	json_decref(j);
}

int
record_read(struct record_reader *rd, struct record_entry *e, char **cause)
{
	struct record_raw raw;
	int rc;

	record_entry_clear(e);
	rc = record_next_raw(rd, &raw, cause);
	if (rc != 1)
		return rc;
	e->now = raw.now;
	e->wall = raw.wall;
	snprintf(e->kind, sizeof e->kind, "%s", raw.kind);
	record_rebuild(rd, &raw, e);
	return 1;
}

void
record_reader_close(struct record_reader *rd)
{
	if (rd == NULL)
		return;
	if (rd->f != NULL)
		fclose(rd->f);
	recordio_reader_clear(&rd->rio);
	config_free(rd->config);
	store_snapshot_clear(&rd->snap);
	free(rd->path);
	free(rd);
}

/*
 * Descriptions.
 */

/* Appends " key=value" when value is set. */
static void
record_kv(struct buf *b, const char *key, const char *value)
{
	if (value != NULL)
		buf_printf(b, " %s=%s", key, value);
}

/* Appends bytes as hex (a status update's uuid). */
static void
record_hex(struct buf *b, const char *key, const ProtobufCBinaryData *d)
{
	buf_printf(b, " %s=", key);
	for (size_t i = 0; i < d->len; i++)
		buf_printf(b, "%02x", d->data[i]);
}

/* Returns the name of a task state, or LAUNCHING for a launch intent. */
static const char *
record_state_name(int state)
{
	if (state == STORE_TASK_LAUNCHING)
		return "LAUNCHING";
	return codec_enum_name(&mesos__v1__task_state__descriptor, state);
}

/* Appends the fields of a status update that matter to decisions. */
static void
record_status(struct buf *b, const Mesos__V1__TaskStatus *s)
{
	if (s == NULL)
		return;
	record_kv(b, "task", s->task_id != NULL ? s->task_id->value : NULL);
	buf_printf(b, " state=%s", record_state_name((int)s->state));
	record_kv(b, "agent", s->agent_id != NULL ? s->agent_id->value :
	    NULL);
	if (s->has_source)
		record_kv(b, "source", codec_enum_name(
		    &mesos__v1__task_status__source__descriptor,
		    (int)s->source));
	if (s->has_reason)
		record_kv(b, "reason", codec_enum_name(
		    &mesos__v1__task_status__reason__descriptor,
		    (int)s->reason));
	if (s->has_healthy)
		buf_printf(b, " healthy=%s", s->healthy ? "true" : "false");
	if (s->has_uuid)
		record_hex(b, "uuid", &s->uuid);
}

/* Describes an event. */
static void
record_event(struct buf *b, const Mesos__V1__Scheduler__Event *ev)
{
	buf_printf(b, " %s", record_event_type_name((int)ev->type));
	switch (ev->type) {
	case MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED:
		if (ev->subscribed == NULL)
			break;
		record_kv(b, "framework_id", ev->subscribed->framework_id !=
		    NULL ? ev->subscribed->framework_id->value : NULL);
		if (ev->subscribed->has_heartbeat_interval_seconds)
			buf_printf(b, " heartbeat=%gs",
			    ev->subscribed->heartbeat_interval_seconds);
		break;
	case MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS:
		if (ev->offers == NULL)
			break;
		buf_printf(b, " n=%zu", ev->offers->n_offers);
		for (size_t i = 0; i < ev->offers->n_offers; i++) {
			const Mesos__V1__Offer *o = ev->offers->offers[i];

			if (i == RECORD_LIST_MAX) {
				buf_addstr(b, " ...");
				break;
			}
			buf_printf(b, " %s@%s", o->id != NULL ? o->id->value :
			    "?", o->hostname != NULL ? o->hostname : "?");
		}
		break;
	case MESOS__V1__SCHEDULER__EVENT__TYPE__RESCIND:
		if (ev->rescind != NULL && ev->rescind->offer_id != NULL)
			record_kv(b, "offer", ev->rescind->offer_id->value);
		break;
	case MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE:
		if (ev->update != NULL)
			record_status(b, ev->update->status);
		break;
	case MESOS__V1__SCHEDULER__EVENT__TYPE__FAILURE:
		if (ev->failure == NULL)
			break;
		record_kv(b, "agent", ev->failure->agent_id != NULL ?
		    ev->failure->agent_id->value : NULL);
		record_kv(b, "executor", ev->failure->executor_id != NULL ?
		    ev->failure->executor_id->value : NULL);
		if (ev->failure->has_status)
			buf_printf(b, " status=%d", ev->failure->status);
		break;
	case MESOS__V1__SCHEDULER__EVENT__TYPE__ERROR:
		if (ev->error != NULL)
			record_kv(b, "message", ev->error->message);
		break;
	default:
		break;
	}
}

char *
record_describe_msg(const struct msg *m)
{
	struct buf b;

	buf_init(&b, 0);
	buf_addstr(&b, msg_type_name(m->type));
	switch (m->type) {
	case MSG_EVENT:
		if (m->u.event != NULL)
			record_event(&b, m->u.event);
		break;
	case MSG_SESSION:
		buf_addstr(&b, m->u.session.state == SESSION_CONNECTED ?
		    " connected" : m->u.session.state == SESSION_FOLLOWER ?
		    " follower" : " disconnected");
		record_kv(&b, "master", m->u.session.master);
		record_kv(&b, "stream", m->u.session.stream_id);
		record_kv(&b, "reason", m->u.session.reason);
		if (m->u.session.failed)
			buf_addstr(&b, " failed");
		break;
	case MSG_CALL_DONE:
		buf_printf(&b, " cookie=%" PRIu64 " %s status=%d",
		    m->u.call_done.cookie, codec_enum_name(
		    &mesos__v1__scheduler__call__type__descriptor,
		    m->u.call_done.type), m->u.call_done.status);
		record_kv(&b, "error", m->u.call_done.error);
		break;
	case MSG_AGENTS:
		if (m->u.agents != NULL)
			buf_printf(&b, " n=%zu", m->u.agents->n_agents);
		break;
	case MSG_ADMIN:
		if (m->u.admin == NULL)
			break;
		buf_printf(&b, " id=%" PRIu64 " %s", m->u.admin->id,
		    admin_op_name(m->u.admin->op));
		record_kv(&b, "arg", m->u.admin->arg);
		record_kv(&b, "job", m->u.admin->job);
		record_kv(&b, "state", m->u.admin->state);
		record_kv(&b, "agent", m->u.admin->agent);
		record_kv(&b, "reason", m->u.admin->reason);
		if (m->u.admin->instances >= 0)
			buf_printf(&b, " instances=%" PRId64,
			    m->u.admin->instances);
		if (m->u.admin->suspended >= 0)
			buf_printf(&b, " suspended=%d", m->u.admin->suspended);
		break;
	case MSG_RELOAD:
		if (m->u.config != NULL)
			buf_printf(&b, " version=%s jobs=%zu",
			    m->u.config->version, m->u.config->njobs);
		break;
	default:
		break;
	}
	return buf_steal(&b, NULL);
}

/* Appends a list of offer ids. */
static void
record_offer_ids(struct buf *b, Mesos__V1__OfferID **ids, size_t n)
{
	buf_addstr(b, " offers=");
	for (size_t i = 0; i < n; i++) {
		if (i == RECORD_LIST_MAX) {
			buf_printf(b, ",...(%zu)", n);
			break;
		}
		buf_printf(b, "%s%s", i > 0 ? "," : "", ids[i] != NULL &&
		    ids[i]->value != NULL ? ids[i]->value : "?");
	}
}

/* Appends a call's type and the fields that say what it does. */
static void
record_call(struct buf *b, const Mesos__V1__Scheduler__Call *c)
{
	buf_printf(b, " %s", codec_enum_name(
	    &mesos__v1__scheduler__call__type__descriptor, (int)c->type));
	switch (c->type) {
	case MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT: {
		const Mesos__V1__Scheduler__Call__Accept *a = c->accept;

		if (a == NULL)
			break;
		record_offer_ids(b, a->offer_ids, a->n_offer_ids);
		for (size_t i = 0; i < a->n_operations; i++) {
			const Mesos__V1__Offer__Operation *op =
			    a->operations[i];

			buf_printf(b, " %s", codec_enum_name(
			    &mesos__v1__offer__operation__type__descriptor,
			    (int)op->type));
			if (op->launch == NULL)
				continue;
			for (size_t k = 0; k < op->launch->n_task_infos; k++) {
				const Mesos__V1__TaskInfo *t =
				    op->launch->task_infos[k];

				buf_printf(b, "%s%s", k == 0 ? " tasks=" : ",",
				    t->task_id != NULL ? t->task_id->value :
				    "?");
			}
		}
		if (a->filters != NULL && a->filters->has_refuse_seconds)
			buf_printf(b, " refuse=%gs",
			    a->filters->refuse_seconds);
		break;
	}
	case MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE:
		if (c->decline == NULL)
			break;
		record_offer_ids(b, c->decline->offer_ids,
		    c->decline->n_offer_ids);
		if (c->decline->filters != NULL &&
		    c->decline->filters->has_refuse_seconds)
			buf_printf(b, " refuse=%gs",
			    c->decline->filters->refuse_seconds);
		break;
	case MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE:
		if (c->acknowledge == NULL)
			break;
		record_kv(b, "task", c->acknowledge->task_id != NULL ?
		    c->acknowledge->task_id->value : NULL);
		record_kv(b, "agent", c->acknowledge->agent_id != NULL ?
		    c->acknowledge->agent_id->value : NULL);
		record_hex(b, "uuid", &c->acknowledge->uuid);
		break;
	case MESOS__V1__SCHEDULER__CALL__TYPE__KILL:
		if (c->kill == NULL)
			break;
		record_kv(b, "task", c->kill->task_id != NULL ?
		    c->kill->task_id->value : NULL);
		record_kv(b, "agent", c->kill->agent_id != NULL ?
		    c->kill->agent_id->value : NULL);
		break;
	case MESOS__V1__SCHEDULER__CALL__TYPE__RECONCILE:
		if (c->reconcile == NULL || c->reconcile->n_tasks == 0) {
			buf_addstr(b, " implicit");
			break;
		}
		buf_printf(b, " n=%zu", c->reconcile->n_tasks);
		for (size_t i = 0; i < c->reconcile->n_tasks; i++) {
			const Mesos__V1__Scheduler__Call__Reconcile__Task *t =
			    c->reconcile->tasks[i];

			if (i == RECORD_LIST_MAX) {
				buf_addstr(b, " ...");
				break;
			}
			buf_printf(b, " %s", t->task_id != NULL ?
			    t->task_id->value : "?");
		}
		break;
	case MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE:
		for (size_t i = 0; c->revive != NULL &&
		    i < c->revive->n_roles; i++)
			buf_printf(b, "%s%s", i == 0 ? " roles=" : ",",
			    c->revive->roles[i]);
		break;
	case MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS:
		for (size_t i = 0; c->suppress != NULL &&
		    i < c->suppress->n_roles; i++)
			buf_printf(b, "%s%s", i == 0 ? " roles=" : ",",
			    c->suppress->roles[i]);
		break;
	default:
		record_kv(b, "framework_id", c->framework_id != NULL ?
		    c->framework_id->value : NULL);
		break;
	}
}

char *
record_describe_effect(const struct effect *e)
{
	struct buf b;

	buf_init(&b, 0);
	buf_addstr(&b, effect_type_name(e->type));
	switch (e->type) {
	case EFFECT_CALL:
		if (e->u.call.call != NULL)
			record_call(&b, e->u.call.call);
		if (e->u.call.cookie != 0)
			buf_printf(&b, " cookie=%" PRIu64, e->u.call.cookie);
		break;
	case EFFECT_STORE: {
		const struct store_op *op = &e->u.store;

		buf_printf(&b, " %s", store_op_name(op->type));
		switch (op->type) {
		case STORE_TASK_PUT:
			record_kv(&b, "task", op->u.task.task_id);
			record_kv(&b, "job", op->u.task.job);
			record_kv(&b, "slot", op->u.task.slot);
			record_kv(&b, "agent", op->u.task.agent_id);
			buf_printf(&b, " state=%s",
			    record_state_name(op->u.task.state));
			break;
		case STORE_SLOT_PUT:
			buf_printf(&b, " job=%s slot=%s restarts=%u "
			    "backoff_until=%" PRId64, op->u.slot.job,
			    op->u.slot.slot, op->u.slot.restarts,
			    op->u.slot.backoff_until);
			break;
		case STORE_SLOT_DEL:
			buf_printf(&b, " job=%s slot=%s", op->u.slot.job,
			    op->u.slot.slot);
			break;
		case STORE_BLACKLIST_PUT:
			record_kv(&b, "agent", op->u.blacklist.agent);
			record_kv(&b, "reason", op->u.blacklist.reason);
			break;
		case STORE_KV_PUT:
			buf_printf(&b, " %s=%s", op->u.kv.key, op->u.kv.value);
			break;
		case STORE_HISTORY_PUT:
			buf_printf(&b, " job=%s slot=%s seq=%" PRIu64,
			    op->u.history.job, op->u.history.slot,
			    op->u.history.seq);
			record_kv(&b, "task", op->u.history.task_id);
			buf_printf(&b, " state=%s",
			    record_state_name(op->u.history.state));
			break;
		case STORE_FRAMEWORK_REMOVED:
			break;
		default:
			if (op->u.str != NULL)
				buf_printf(&b, " %s", op->u.str);
			break;
		}
		break;
	}
	case EFFECT_REPLY: {
		const char *body = e->u.reply.body != NULL ? e->u.reply.body :
		    "";
		size_t n = strcspn(body, "\n");

		buf_printf(&b, " id=%" PRIu64 " status=%d %.*s%s",
		    e->u.reply.id, e->u.reply.status, n > 200 ? 200 : (int)n,
		    body, n > 200 || body[n] != '\0' ? "..." : "");
		break;
	}
	case EFFECT_RESUBSCRIBE:
	case EFFECT_FENCE:
		record_kv(&b, "reason", e->u.text);
		break;
	case EFFECT_EXIT:
		buf_printf(&b, " code=%d", e->u.exit.code);
		record_kv(&b, "reason", e->u.exit.reason);
		break;
	default:
		break;
	}
	return buf_steal(&b, NULL);
}
