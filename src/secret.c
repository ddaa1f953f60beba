/*
 * secret — reads credential files with one set of checks. A file is opened
 * once (symbolic links are followed: Kubernetes mounts secrets through
 * them) and every check is made on the open descriptor, so what is checked
 * is what is read. Nothing here logs: callers put the cause where the
 * operator sees it.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secret.h"
#include "xmalloc.h"

/* Whether kind may be readable by others (certificates are public). */
static int
secret_private(enum secret_kind kind)
{
	return kind != SECRET_PEM_CERT;
}

/* Tells whether a PEM text holds a block whose label ends with label. */
static int
secret_has_pem(const char *s, const char *label)
{
	const char *p = s;
	size_t n = strlen(label);

	while ((p = strstr(p, "-----BEGIN ")) != NULL) {
		const char *end = strstr(p + 11, "-----");

		if (end == NULL)
			return 0;
		if ((size_t)(end - (p + 11)) >= n && strncmp(end - n, label,
		    n) == 0)
			return 1;
		p = end + 5;
	}
	return 0;
}

/* Checks and trims what was read; 0, or -1 with *cause. */
static int
secret_shape(const char *path, enum secret_kind kind, char *s, size_t *len,
    char **cause)
{
	size_t n = *len;

	switch (kind) {
	case SECRET_LINE:
		if (memchr(s, '\0', n) != NULL) {
			*cause = xasprintf("%s: holds a NUL byte", path);
			return -1;
		}
		while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
			n--;
		break;
	case SECRET_TOKEN:
		while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
		    s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] <= ' ' ||
			    (unsigned char)s[i] >= 0x7f) {
				*cause = xasprintf("%s: the token must be one "
				    "word of printable characters", path);
				return -1;
			}
		break;
	case SECRET_PEM_CERT:
	case SECRET_PEM_KEY:
		if (memchr(s, '\0', n) != NULL || !secret_has_pem(s,
		    kind == SECRET_PEM_KEY ? "PRIVATE KEY" : "CERTIFICATE")) {
			*cause = xasprintf("%s: no PEM %s in it", path,
			    kind == SECRET_PEM_KEY ? "private key (-----BEGIN "
			    "... PRIVATE KEY-----)" : "certificate (-----BEGIN "
			    "CERTIFICATE-----)");
			return -1;
		}
		if (kind == SECRET_PEM_KEY && strstr(s, "ENCRYPTED") != NULL) {
			*cause = xasprintf("%s: the private key is encrypted; "
			    "arkd needs it unencrypted (mode 0600 protects it)",
			    path);
			return -1;
		}
		break;
	default:
		break;
	}
	s[n] = '\0';
	if (n == 0) {
		*cause = xasprintf("%s: empty", path);
		return -1;
	}
	*len = n;
	return 0;
}

int
secret_read(const char *path, enum secret_kind kind, char **out, size_t *len,
    char **cause)
{
	struct stat st;
	size_t max = kind == SECRET_PEM_CERT || kind == SECRET_PEM_KEY ?
	    SECRET_PEM_MAX : SECRET_MAX, n = 0;
	char *s = NULL;
	ssize_t r = 0;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		*cause = xasprintf("%s: not a regular file", path);
		goto out;
	}
	if (secret_private(kind) && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		*cause = xasprintf("%s: mode %04o lets group or others in; "
		    "make it 0600 (chmod 600 %s)", path,
		    (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	s = xmalloc(max + 1);
	for (;;) {
		r = read(fd, s + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n > max)
			break;
	}
	if (r < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		goto out;
	}
	if (n > max) {
		*cause = xasprintf("%s: longer than %zu bytes", path, max);
		goto out;
	}
	s[n] = '\0';
	if (secret_shape(path, kind, s, &n, cause) != 0)
		goto out;
	*out = s;
	s = NULL;
	if (len != NULL)
		*len = n;
	rc = 0;
out:
	if (s != NULL) {
		memset(s, 0, max + 1);
		free(s);
	}
	close(fd);
	return rc;
}

int
secret_check(const char *path, enum secret_kind kind, char **cause)
{
	char *s = NULL;

	if (secret_read(path, kind, &s, NULL, cause) != 0)
		return -1;
	secret_free(s);
	return 0;
}

void
secret_free(char *s)
{
	if (s == NULL)
		return;
	memset(s, 0, strlen(s));
	free(s);
}
