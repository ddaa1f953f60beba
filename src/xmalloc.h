/*
 * xmalloc — allocation that never returns NULL. Out of memory is fatal in ark
 * (as in tmux): a daemon that cannot allocate cannot keep its promises, and
 * checking every allocation would hide the checks that matter.
 */
#ifndef ARK_XMALLOC_H
#define ARK_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* Returns a heap string the caller frees. */
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));

#endif
