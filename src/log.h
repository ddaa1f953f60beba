/*
 * log — leveled logging to stderr. The level is checked before the message is
 * formatted (redis), so a debug line in a hot path costs a compare. Three
 * formats: plain with timestamps, journald (<N> priority prefixes, chosen
 * automatically under systemd) and JSON lines for machines.
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

extern enum log_level log_level_current;

void		 log_init(const char *progname, enum log_level, enum log_format);
/* Parses "error|warn|info|debug"; -1 if unknown. */
int		 log_level_parse(const char *);
int		 log_format_parse(const char *);	/* plain|journal|json|auto */
const char	*log_level_name(enum log_level);
void		 log_write(enum log_level, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

#define log_at(lvl, ...) do {					\
	if ((lvl) <= log_level_current)				\
		log_write((lvl), __VA_ARGS__);			\
} while (0)
#define log_error(...)	log_at(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)	log_at(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)	log_at(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)	log_at(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
