/*
 * recordio — Mesos' RecordIO framing ("<decimal length>\n<bytes>"), read
 * incrementally and written. The reader accepts bytes in any chunking (a
 * length header or a record may be split anywhere), bounds the size of one
 * record, and turns a malformed header into an error that ends the stream.
 * It never touches a connection: bytes in, records out.
 */
#ifndef ARK_RECORDIO_H
#define ARK_RECORDIO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum recordio_status {
	RECORDIO_NEED_MORE,	/* no complete record yet: feed more bytes */
	RECORDIO_OK,		/* one record returned */
	RECORDIO_ERROR,		/* malformed stream; the reader stays failed */
};

/* Longest length header: 20 digits hold any uint64. */
#define RECORDIO_HEADER_MAX	20
/* Default bound on one record; a Mesos OFFERS event with 10k offers fits. */
#define RECORDIO_DEFAULT_MAX	(64u * 1024 * 1024)

struct recordio_reader {
	struct buf	 in;		/* unread bytes (private) */
	size_t		 pos;		/* start of unread data in in (private) */
	uint64_t	 base;		/* stream offset of in.data[0] (private) */
	size_t		 max_record;	/* records longer than this are errors */
	int		 failed;	/* set once an error was returned */
	char		 cause[128];	/* why it failed */
};

/* max_record 0 means RECORDIO_DEFAULT_MAX. */
void	recordio_reader_init(struct recordio_reader *, size_t max_record);
void	recordio_reader_clear(struct recordio_reader *);
/*
 * Copies n bytes into the reader; -1 if the reader has failed. Callers drain
 * the reader with recordio_next() until RECORDIO_NEED_MORE after each feed, so
 * the reader holds at most one partial record (max_record plus its header)
 * plus the chunk being fed.
 */
int	recordio_feed(struct recordio_reader *, const void *, size_t);
/*
 * Returns the next record. On RECORDIO_OK *data and *len point into the reader and
 * stay valid until the next feed or next call; on RECORDIO_ERROR *cause (owned
 * by the reader) says what was wrong, e.g. "record length header is not
 * decimal at byte 1234".
 */
enum recordio_status recordio_next(struct recordio_reader *,
	    const char **data, size_t *len, const char **cause);
/*
 * Appends one framed record to out; -1 (out unchanged) if out's maximum would
 * be passed or len is 0, which the framing cannot carry.
 */
int	recordio_write(struct buf *out, const void *data, size_t len);
/* Bytes the reader holds but has not returned yet. */
size_t	recordio_pending(const struct recordio_reader *);

#endif
