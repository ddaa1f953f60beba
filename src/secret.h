/*
 * secret — reads the small files that hold credentials: the framework's
 * secret, the admin API's tokens, TLS keys and certificates. One place
 * decides what such a file must be (a regular file arkd can read, not
 * empty, bounded, and for a secret not open to group or others), so that
 * --check-config, start-up and reload refuse exactly the same files with the
 * same words.
 */
#ifndef ARK_SECRET_H
#define ARK_SECRET_H

#include <stddef.h>

#define SECRET_MAX		4096		/* bytes of a password or token */
#define SECRET_PEM_MAX		(1024 * 1024)	/* bytes of a PEM file */

/* What a file holds, which decides how it is checked. */
enum secret_kind {
	SECRET_LINE,	/* a password: one line, trailing CR/LF dropped */
	SECRET_TOKEN,	/* a bearer token: one word of printable ASCII */
	SECRET_PEM_CERT, /* PEM certificates; may be world-readable */
	SECRET_PEM_KEY,	/* a PEM private key */
	SECRET_KIND_MAX
};

/*
 * Reads the file at path as kind. Returns 0 with *out set to its content,
 * trimmed for LINE and TOKEN (caller releases it with secret_free) and *len
 * (may be NULL) to its length; or -1 with *cause set to "path: what is
 * wrong" (caller frees).
 */
int	secret_read(const char *path, enum secret_kind, char **out,
	    size_t *len, char **cause);
/* Checks the file at path as secret_read would, keeping nothing. */
int	secret_check(const char *path, enum secret_kind, char **cause);
/* Zeroes and frees what secret_read returned; accepts NULL. */
void	secret_free(char *);

#endif
