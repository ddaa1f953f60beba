/*
 * buf — a growable byte buffer with a hard maximum (curl's dynbuf): appending
 * past the maximum fails instead of growing, so no peer can make ark allocate
 * without bound.
 */
#ifndef ARK_BUF_H
#define ARK_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;	/* NUL-terminated for convenience; may hold NULs */
	size_t	 len;	/* bytes in use */
	size_t	 cap;	/* bytes allocated */
	size_t	 max;	/* appends that would pass this fail; 0 = no limit */
};

void	 buf_init(struct buf *, size_t max);
void	 buf_clear(struct buf *);		/* frees the memory */
void	 buf_reset(struct buf *);		/* len = 0, keeps memory */
int	 buf_add(struct buf *, const void *, size_t);	/* 0, or -1 if too big */
int	 buf_addstr(struct buf *, const char *);
int	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_consume(struct buf *, size_t);	/* drops n bytes from the front */
/* Hands the data to the caller (who frees it) and empties the buffer. */
char	*buf_steal(struct buf *, size_t *lenp);

#endif
