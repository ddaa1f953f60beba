/*
 * faultio — an LD_PRELOAD shim that makes writes and syncs fail with EIO on
 * chosen files, on demand, for the disk-fault integration tests
 * (tests/it/check_diskfault.c). Not part of arkd.
 *
 *   ARK_FAULTIO_PATH     a path prefix: only descriptors whose file
 *                        (/proc/self/fd) starts with it can fail, e.g.
 *                        <state_dir>/ark.db for the store, its -wal and -shm
 *   ARK_FAULTIO_TRIGGER  a file: while it exists, those calls fail. Its
 *                        first word picks them: "write" (write, pwrite,
 *                        pwrite64, writev, pwritev), "fsync" (fsync,
 *                        fdatasync), anything else both.
 *
 * Every failure it injects appends the call's name and the file to
 * <trigger>.hits, so that a test can tell the fault was really met.
 * Without both variables every call goes straight through.
 */
#include <sys/types.h>
#include <sys/uio.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum faultio_kind {
	FAULTIO_WRITE,
	FAULTIO_FSYNC
};

static ssize_t	(*real_write)(int, const void *, size_t);
static ssize_t	(*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t	(*real_pwrite64)(int, const void *, size_t, off64_t);
static ssize_t	(*real_writev)(int, const struct iovec *, int);
static ssize_t	(*real_pwritev)(int, const struct iovec *, int, off_t);
static int	(*real_fsync)(int);
static int	(*real_fdatasync)(int);

static const char *faultio_path;	/* ARK_FAULTIO_PATH */
static const char *faultio_trigger;	/* ARK_FAULTIO_TRIGGER */

/* Looks up the real functions once, before main. */
__attribute__((constructor)) static void
faultio_init(void)
{
	real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT,
	    "write");
	real_pwrite = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(
	    RTLD_NEXT, "pwrite");
	real_pwrite64 = (ssize_t (*)(int, const void *, size_t, off64_t))
	    dlsym(RTLD_NEXT, "pwrite64");
	real_writev = (ssize_t (*)(int, const struct iovec *, int))dlsym(
	    RTLD_NEXT, "writev");
	real_pwritev = (ssize_t (*)(int, const struct iovec *, int, off_t))
	    dlsym(RTLD_NEXT, "pwritev");
	real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	faultio_path = getenv("ARK_FAULTIO_PATH");
	faultio_trigger = getenv("ARK_FAULTIO_TRIGGER");
	if (faultio_path != NULL && *faultio_path == '\0')
		faultio_path = NULL;
}

/* Notes an injected failure in <trigger>.hits (never through the shim's
 * own write, which could match). */
static void
faultio_note(const char *call, const char *file)
{
	char path[4096], line[4200];
	int fd, n;

	n = snprintf(path, sizeof path, "%s.hits", faultio_trigger);
	if (n < 0 || (size_t)n >= sizeof path || real_write == NULL)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd == -1)
		return;
	n = snprintf(line, sizeof line, "%s %s\n", call, file);
	if (n > 0 && (size_t)n < sizeof line && real_write(fd, line,
	    (size_t)n) != n) {
		/* a lost note only makes the test fail, which is right */
	}
	close(fd);
}

/* 1 if this call on fd must fail now (errno is then EIO). */
static int
faultio_fail(int fd, enum faultio_kind kind, const char *call)
{
	char link[64], file[4096], what[16] = "";
	ssize_t n;
	int tfd, saved = errno;

	if (faultio_path == NULL || faultio_trigger == NULL)
		return 0;
	tfd = open(faultio_trigger, O_RDONLY | O_CLOEXEC);
	if (tfd == -1) {
		errno = saved;
		return 0;
	}
	n = read(tfd, what, sizeof what - 1);
	close(tfd);
	what[n > 0 ? n : 0] = '\0';
	if ((strncmp(what, "write", 5) == 0 && kind != FAULTIO_WRITE) ||
	    (strncmp(what, "fsync", 5) == 0 && kind != FAULTIO_FSYNC)) {
		errno = saved;
		return 0;
	}
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, file, sizeof file - 1);
	if (n <= 0) {
		errno = saved;
		return 0;
	}
	file[n] = '\0';
	if (strncmp(file, faultio_path, strlen(faultio_path)) != 0) {
		errno = saved;
		return 0;
	}
	faultio_note(call, file);
	errno = EIO;
	return 1;
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	if (faultio_fail(fd, FAULTIO_WRITE, "write"))
		return -1;
	return real_write(fd, buf, len);
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	if (faultio_fail(fd, FAULTIO_WRITE, "pwrite"))
		return -1;
	return real_pwrite(fd, buf, len, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t len, off64_t off)
{
	if (faultio_fail(fd, FAULTIO_WRITE, "pwrite64"))
		return -1;
	return real_pwrite64(fd, buf, len, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	if (faultio_fail(fd, FAULTIO_WRITE, "writev"))
		return -1;
	return real_writev(fd, iov, n);
}

ssize_t
pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
	if (faultio_fail(fd, FAULTIO_WRITE, "pwritev"))
		return -1;
	return real_pwritev(fd, iov, n, off);
}

int
fsync(int fd)
{
	if (faultio_fail(fd, FAULTIO_FSYNC, "fsync"))
		return -1;
	return real_fsync(fd);
}

int
fdatasync(int fd)
{
	if (faultio_fail(fd, FAULTIO_FSYNC, "fdatasync"))
		return -1;
	return real_fdatasync(fd);
}
