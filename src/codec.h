/*
 * codec — Mesos messages to and from bytes in the two encodings the v1 API
 * speaks: application/x-protobuf (protobuf-c) and application/json. The JSON
 * side is generic over protobuf-c descriptors and follows Mesos' conventions:
 * proto field names as keys, enums by name, bytes as base64, 64-bit integers
 * as numbers, unknown fields ignored, null treated as absent. Wrong types are
 * errors that name the field path ("offers[2].resources[0].scalar.value:
 * expected number").
 *
 * Ownership convention for every protobuf-c message in ark: each part of a
 * message (submessages, strings, bytes, repeated arrays) is its own malloc(3)
 * block, so any message, decoded or built by hand, is freed with
 * codec_free() (protobuf_c_message_free_unpacked with the system allocator).
 */
#ifndef ARK_CODEC_H
#define ARK_CODEC_H

#include <stddef.h>

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

#include "buf.h"
#include "mesos/v1/mesos.pb-c.h"
#include "mesos/v1/scheduler/scheduler.pb-c.h"
#include "mesos/v1/master/master.pb-c.h"

enum codec_type {
	CODEC_PROTOBUF,		/* application/x-protobuf */
	CODEC_JSON,		/* application/json */
	CODEC_MAX
};

/* Default bound on one decoded JSON/protobuf body. */
#define CODEC_MAX_BODY	(64u * 1024 * 1024)

const char	*codec_content_type(enum codec_type);
/* Maps a Content-Type/Accept value (parameters ignored); -1 if unsupported. */
int		 codec_from_content_type(const char *, enum codec_type *);
const char	*codec_name(enum codec_type);	/* "protobuf" / "json" */

/*
 * Decodes len bytes as a message of type desc. Returns a message the caller
 * frees with codec_free(), or NULL with *cause (caller frees) set.
 */
ProtobufCMessage *codec_decode(enum codec_type,
	    const ProtobufCMessageDescriptor *desc, const void *data, size_t len,
	    char **cause);
/* Appends the encoding of msg to out; -1 with *cause set on failure. */
int	 codec_encode(enum codec_type, const ProtobufCMessage *msg,
	    struct buf *out, char **cause);
void	 codec_free(void *msg);	/* accepts NULL */

/* JSON in memory. The result of codec_to_json is a new reference. */
json_t	*codec_to_json(const ProtobufCMessage *);
ProtobufCMessage *codec_from_json(const ProtobufCMessageDescriptor *,
	    json_t *, char **cause);

/* Shorthands for the scheduler API's two top-level messages. */
Mesos__V1__Scheduler__Event *codec_decode_event(enum codec_type,
	    const void *, size_t, char **cause);
Mesos__V1__Scheduler__Call *codec_decode_call(enum codec_type,
	    const void *, size_t, char **cause);
int	 codec_encode_event(enum codec_type,
	    const Mesos__V1__Scheduler__Event *, struct buf *, char **cause);
int	 codec_encode_call(enum codec_type,
	    const Mesos__V1__Scheduler__Call *, struct buf *, char **cause);

/* Enum value names as Mesos spells them ("TASK_RUNNING"); "?" if unknown. */
const char *codec_enum_name(const ProtobufCEnumDescriptor *, int value);

#endif
