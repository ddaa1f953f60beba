/*
 * log — leveled logging to stderr. The level is checked before the message is
 * formatted (redis), so a debug line in a hot path costs a compare. Three
 * formats: plain with timestamps, journald (<N> priority prefixes, chosen
 * automatically under systemd) and JSON lines for machines.
 *
 * JSON lines also carry structured fields (job, task, agent, state,
 * reason) where they apply, from two places: the fields a call names
 * (log_info_kv(LOG_FIELDS(LOG_F("task", id)), ...)), built only when the
 * level lets the line through, and a context the dispatcher sets around
 * each message (log_ctx_set: the task, agent, state and reason of an
 * UPDATE) that every line logged meanwhile carries. A field the call names
 * wins over the context's. Plain and journal lines say the same in text.
 */
#ifndef ARK_LOG_H
#define ARK_LOG_H

enum log_level {
	LOG_LEVEL_ERROR,	/* something failed and needs an operator */
	LOG_LEVEL_WARN,		/* something went wrong and ark recovered */
	LOG_LEVEL_INFO,		/* every phase transition */
	LOG_LEVEL_DEBUG,	/* every message */
	LOG_LEVEL_MAX
};

enum log_format {
	LOG_FORMAT_PLAIN,	/* "2026-11-26T12:00:00.123Z info master: ..." */
	LOG_FORMAT_JOURNAL,	/* "<6>master: ..." for systemd's journal */
	LOG_FORMAT_JSON,	/* {"ts":..., "level":..., "msg":...} */
	LOG_FORMAT_MAX
};

/* One structured field of a line; a NULL value leaves it out. */
struct log_field {
	const char	*key;
	const char	*value;
};

/* The fields of the context (one each). */
enum log_ctx_key {
	LOG_CTX_JOB,		/* "job" */
	LOG_CTX_TASK,		/* "task" */
	LOG_CTX_AGENT,		/* "agent" */
	LOG_CTX_STATE,		/* "state" */
	LOG_CTX_REASON,		/* "reason" */
	LOG_CTX_MAX
};

extern enum log_level log_level_current;

void		 log_init(const char *progname, enum log_level, enum log_format);
/* Parses "error|warn|info|debug"; -1 if unknown. */
int		 log_level_parse(const char *);
int		 log_format_parse(const char *);	/* plain|journal|json|auto */
const char	*log_level_name(enum log_level);
void		 log_write(enum log_level, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/*
 * Like log_write with fields (an array ended by a NULL key; may be NULL).
 * Only the JSON format shows them.
 */
void		 log_write_kv(enum log_level, const struct log_field *,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Sets a context field every line carries until cleared (value copied,
 * truncated to 127 bytes; NULL clears it). */
void		 log_ctx_set(enum log_ctx_key, const char *value);
void		 log_ctx_clear(void);

#define LOG_F(k, v)	{ (k), (v) }
/* The fields of one call: LOG_FIELDS(LOG_F("job", id), ...). */
#define LOG_FIELDS(...)	((const struct log_field[]){ __VA_ARGS__,	\
	{ NULL, NULL } })

#define log_at_kv(lvl, fields, ...) do {			\
	if ((lvl) <= log_level_current)				\
		log_write_kv((lvl), fields, __VA_ARGS__);	\
} while (0)
#define log_error_kv(f, ...)	log_at_kv(LOG_LEVEL_ERROR, f, __VA_ARGS__)
#define log_warn_kv(f, ...)	log_at_kv(LOG_LEVEL_WARN, f, __VA_ARGS__)
#define log_info_kv(f, ...)	log_at_kv(LOG_LEVEL_INFO, f, __VA_ARGS__)
#define log_debug_kv(f, ...)	log_at_kv(LOG_LEVEL_DEBUG, f, __VA_ARGS__)

#define log_at(lvl, ...) do {					\
	if ((lvl) <= log_level_current)				\
		log_write((lvl), __VA_ARGS__);			\
} while (0)
#define log_error(...)	log_at(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)	log_at(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)	log_at(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)	log_at(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
