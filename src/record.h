/*
 * record — arkd --record FILE keeps every message the core handles, with its
 * clocks, so that `arkd replay FILE` can feed the same messages through the
 * pure core on another machine and print every decision.
 *
 * File format (version 1), append-only:
 *
 *	ARK-RECORD 1\n
 *	RecordIO records ("<decimal length>\n<bytes>"), each:
 *		<now> <wall> <kind> <encoding>\n<payload>
 *
 * now and wall are msg.now and msg.wall (ms, monotonic and since the epoch);
 * kind is a msg_type_name() ("event", "session", "call_done", "agents",
 * "tick", "admin", "reload", "shutdown") or one of:
 *	"start"	the first record: JSON {"arkd", "config" (arkd.json text),
 *		"snapshot" (the store as loaded)}: what sched_create got;
 *	"tap"	a raw event that arrived but never reached the core (a
 *		heartbeat the master connection consumed, or bytes that did
 *		not decode); replay prints it and feeds nothing.
 * encoding is "protobuf" or "json" for events (the raw bytes as received
 * from the master) and agents (a protobuf GetAgents response); "json" for
 * the other kinds; "-" for an empty payload (tick, shutdown).
 *
 * Wiring: master_set_tap(master, record_tap, rec) hands every raw event to
 * the recorder as it arrives; record_write_msg(rec, m) is called for every
 * message in the order the dispatcher hands them to sched_apply, and pairs a
 * MSG_EVENT with the oldest tapped bytes of the same event type (events are
 * decoded and queued in arrival order), so the file holds the bytes exactly
 * as received, at the position the core saw them. Without a tap the event is
 * re-encoded as protobuf. record_flush() once per loop iteration (before the
 * loop sleeps) writes what was buffered; a crash loses at most that.
 */
#ifndef ARK_RECORD_H
#define ARK_RECORD_H

#include <stdint.h>
#include <stdio.h>

#include "codec.h"
#include "config.h"
#include "effect.h"
#include "msg.h"
#include "store.h"

#define RECORD_MAGIC	"ARK-RECORD 1\n"

struct record;

/*
 * Creates (truncating) the record file and writes the start record from
 * the configuration and the store snapshot that sched_create receives
 * (snap may be NULL), at the clocks given. NULL with *cause (caller frees)
 * on error.
 */
struct record	*record_open(const char *path, const struct config *,
		    const struct store_snapshot *, int64_t now, int64_t wall,
		    char **cause);
/* Appends one message (borrowed); -1 on a write error (logged once). */
int		 record_write_msg(struct record *, const struct msg *);
/* master_set_tap callback: arg is the struct record; bytes are copied. */
void		 record_tap(void *arg, enum codec_type, const char *data,
		    size_t len);
/* Writes buffered records to the file; -1 on a write error. */
int		 record_flush(struct record *);
/* Flushes, writes unpaired tapped events as "tap" records and closes. */
void		 record_close(struct record *);

/* One record read back. */
struct record_entry {
	int64_t		 now, wall;
	char		 kind[16];	/* as in the file */
	struct msg	*msg;		/* rebuilt message (owned), or NULL for
					 * "start" and "tap" records and for
					 * events that do not decode */
	char		*note;		/* NULL, or what the record is when it
					 * is not a message (owned) */
};

struct record_reader;

/*
 * Opens a record file and reads its start record. NULL with *cause naming
 * the file and the problem.
 */
struct record_reader *record_reader_open(const char *path, char **cause);
/* The configuration recorded at start (owned by the reader). */
const struct config *record_reader_config(const struct record_reader *);
/* The store snapshot recorded at start (owned by the reader). */
const struct store_snapshot *record_reader_snapshot(
		    const struct record_reader *);
/* Clocks of the start record. */
int64_t		 record_reader_start_now(const struct record_reader *);
int64_t		 record_reader_start_wall(const struct record_reader *);
/*
 * Reads the next record into e (cleared first). Returns 1 with a record, 0
 * at the end of the file (a truncated last record, as a crash leaves it,
 * ends the file and is reported in *cause with 0), -1 with *cause if the
 * file is damaged.
 */
int		 record_read(struct record_reader *, struct record_entry *e,
		    char **cause);
void		 record_entry_clear(struct record_entry *);
void		 record_reader_close(struct record_reader *);

/* One line describing a message (caller frees): "event UPDATE task=...". */
char		*record_describe_msg(const struct msg *);
/* One line describing an effect (caller frees): "call ACKNOWLEDGE ...". */
char		*record_describe_effect(const struct effect *);

/*
 * Replays a record file through the pure core: sched_create with the
 * recorded snapshot and cfg (NULL: the recorded configuration), then every
 * message, printing each message and each effect it produced, one per line,
 * to out. Returns 0, or -1 with *cause (caller frees) if the file cannot be
 * read.
 */
int		 record_replay(const char *path, const struct config *cfg,
		    FILE *out, char **cause);

#endif
