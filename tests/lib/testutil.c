/*
 * testutil — process and HTTP helpers for the integration tests. Children
 * are tracked in a small table so that a failing test never leaves a
 * simulator or a daemon running.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <curl/curl.h>

#include "buf.h"
#include "testutil.h"
#include "xmalloc.h"

#define TU_MAX_CHILDREN 64

static pid_t tu_children[TU_MAX_CHILDREN];
static int tu_atexit_set;

const char *
tu_bin(const char *name)
{
	static char path[PATH_MAX];
	const char *dir = getenv("ARK_BIN");

#ifdef ARK_BUILDDIR
	if (dir == NULL)
		dir = ARK_BUILDDIR;
#endif
	if (dir == NULL)
		dir = "build";
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

char *
tu_tmpdir(const char *tag)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/ark-%s-XXXXXX", base != NULL ? base : "/tmp",
	    tag);

	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		abort();
	}
	return tmpl;
}

void
tu_rmtree(const char *dir)
{
	pid_t pid;

	if (dir == NULL || strncmp(dir, "/tmp/", 5) != 0)
		return;
	pid = fork();
	if (pid == 0) {
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static void
tu_atexit(void)
{
	tu_kill_all();
}

pid_t
tu_spawn(char *const argv[], const char *log)
{
	pid_t pid;

	if (!tu_atexit_set) {
		atexit(tu_atexit);
		tu_atexit_set = 1;
	}
	pid_t parent = getpid();

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* The child must not outlive its test, whatever ends the test
		 * (a failed assertion in a forked Check child, a timeout's
		 * SIGKILL): the kernel kills it when the parent goes. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		if (log != NULL) {
			int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

			if (fd >= 0) {
				dup2(fd, 1);
				dup2(fd, 2);
				close(fd);
			}
		}
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	for (int i = 0; i < TU_MAX_CHILDREN; i++)
		if (tu_children[i] == 0) {
			tu_children[i] = pid;
			break;
		}
	return pid;
}

int
tu_stop(pid_t pid, int sig, int timeout_ms)
{
	long long end = tu_now_ms() + timeout_ms;
	int status;

	if (pid <= 0)
		return -1;
	kill(pid, sig);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0)
			return -1;
		if (tu_now_ms() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		tu_sleep_ms(20);
	}
	for (int i = 0; i < TU_MAX_CHILDREN; i++)
		if (tu_children[i] == pid)
			tu_children[i] = 0;
	return status;
}

void
tu_kill_all(void)
{
	for (int i = 0; i < TU_MAX_CHILDREN; i++)
		if (tu_children[i] > 0) {
			kill(tu_children[i], SIGKILL);
			waitpid(tu_children[i], NULL, 0);
			tu_children[i] = 0;
		}
}

int
tu_alive(pid_t pid)
{
	int status;

	return waitpid(pid, &status, WNOHANG) == 0;
}

int
tu_wait_port_file(const char *path, int timeout_ms)
{
	long long end = tu_now_ms() + timeout_ms;

	while (tu_now_ms() < end) {
		FILE *f = fopen(path, "r");
		long port = -1;

		if (f != NULL) {
			char line[64];

			if (fgets(line, sizeof line, f) != NULL) {
				char *e;

				port = strtol(line, &e, 10);
				if (e == line)
					port = -1;
			}
			fclose(f);
		}
		if (port > 0 && port < 65536)
			return (int)port;
		tu_sleep_ms(20);
	}
	return -1;
}

int
tu_free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static size_t
tu_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	if (buf_add(b, p, size * n) != 0)
		return 0;
	return size * n;
}

/* Sets what every test request shares: method, url, timeout, body into b. */
static void
tu_curl_setup(CURL *c, const char *method, const char *url, struct buf *b)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, tu_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
}

/*
 * Runs c, frees it and h; *out (may be NULL) takes b's body, else b is
 * cleared. Returns the status, 0 if no answer.
 */
static long
tu_curl_perform(CURL *c, struct curl_slist *h, struct buf *b, char **out)
{
	long status = 0;

	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	if (out != NULL)
		*out = buf_steal(b, NULL);
	else
		buf_clear(b);
	return status;
}

int
tu_http(const char *method, const char *url, const char *content_type,
    const char *body, char **out)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct buf b;
	char ct[256];

	buf_init(&b, 64u << 20);
	tu_curl_setup(c, method, url, &b);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	if (content_type != NULL) {
		snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
		h = curl_slist_append(h, ct);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	}
	return (int)tu_curl_perform(c, h, &b, out);
}

json_t *
tu_get_json(const char *url)
{
	char *body = NULL;
	json_t *j = NULL;

	if (tu_http("GET", url, NULL, NULL, &body) == 200)
		j = json_loads(body, 0, NULL);
	free(body);
	return j;
}

long long
tu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
tu_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void
tu_dump_log(const char *path, int lines)
{
	char *cmd;

	if (path == NULL)
		return;
	fprintf(stderr, "---- last %d lines of %s ----\n", lines, path);
	cmd = xasprintf("tail -n %d '%s' >&2", lines, path);
	if (system(cmd) != 0)
		fprintf(stderr, "(no log)\n");
	free(cmd);
}

/* Reads what is available on *fd into b; closes it and sets -1 at EOF. */
static void
tu_run_read(int *fd, struct buf *b)
{
	char chunk[4096];
	ssize_t n = read(*fd, chunk, sizeof chunk);

	if (n > 0)
		buf_add(b, chunk, (size_t)n);
	else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		close(*fd);
		*fd = -1;
	}
}

int
tu_run(char *const argv[], char **out, char **err, int timeout_ms)
{
	int po[2], pe[2], status = 0, killed = 0;
	long long end = tu_now_ms() + timeout_ms;
	struct buf bo, be;
	pid_t pid;

	if (pipe(po) != 0)
		return -1;
	if (pipe(pe) != 0) {
		close(po[0]);
		close(po[1]);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(po[1]);
		close(pe[0]);
		close(pe[1]);
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	buf_init(&bo, 64u << 20);
	buf_init(&be, 64u << 20);
	buf_addstr(&bo, "");
	buf_addstr(&be, "");
	while (po[0] >= 0 || pe[0] >= 0) {
		struct pollfd p[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN,
		    0 } };
		long long left = end - tu_now_ms();

		if (left <= 0) {
			kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		if (poll(p, 2, (int)(left > 1000 ? 1000 : left)) < 0 &&
		    errno != EINTR)
			break;
		if (po[0] >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			tu_run_read(&po[0], &bo);
		if (pe[0] >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			tu_run_read(&pe[0], &be);
	}
	if (po[0] >= 0)
		close(po[0]);
	if (pe[0] >= 0)
		close(pe[0]);
	if (!killed) {
		/* output closed: the program is ending; still bound the wait */
		while (waitpid(pid, &status, WNOHANG) == 0) {
			if (tu_now_ms() > end) {
				kill(pid, SIGKILL);
				break;
			}
			tu_sleep_ms(10);
		}
	}
	if (killed || tu_now_ms() > end)
		waitpid(pid, &status, 0);
	if (out != NULL)
		*out = buf_steal(&bo, NULL);
	else
		buf_clear(&bo);
	if (err != NULL)
		*err = buf_steal(&be, NULL);
	else
		buf_clear(&be);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

char *
tu_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_init(&b, 256u << 20);
	buf_addstr(&b, "");
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_steal(&b, NULL);
}

int
tu_write_file(const char *path, const char *s, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	size_t len = strlen(s), off = 0;

	if (fd < 0)
		return -1;
	while (off < len) {
		ssize_t n = write(fd, s + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	/* open() keeps the mode of an existing file */
	if (fchmod(fd, (mode_t)mode) != 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

int
tu_sim_control_port(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");
	int port = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "control ", 8) == 0)
			port = (int)strtol(line + 8, NULL, 10);
	fclose(f);
	return port;
}

pid_t
tu_sim_start(const char *ports_file, const char *log, const char *const *args,
    const char *const *extra, int *master_port, int *control_port)
{
	const char *argv[64];
	char bin[PATH_MAX];
	int n = 0;
	pid_t pid;

	*master_port = *control_port = -1;
	/* tu_bin's buffer is static: copy it before anyone calls it again */
	snprintf(bin, sizeof bin, "%s", tu_bin("ark-sim"));
	argv[n++] = bin;
	argv[n++] = "--control-port";
	argv[n++] = "0";
	argv[n++] = "--port-file";
	argv[n++] = ports_file;
	for (; args != NULL && *args != NULL && n < 62; args++)
		argv[n++] = *args;
	for (; extra != NULL && *extra != NULL && n < 62; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	pid = tu_spawn((char *const *)(uintptr_t)argv, log);
	if (pid < 0)
		return -1;
	*master_port = tu_wait_port_file(ports_file, 20000);
	if (*master_port <= 0)
		return pid;
	TU_WAIT(5000, (*control_port = tu_sim_control_port(ports_file)) > 0);
	return pid;
}

json_t *
tu_sim_json(int control_port, const char *path)
{
	char url[256];

	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", control_port, path);
	return tu_get_json(url);
}

int
tu_sim_control(int control_port, const char *what, const char *body)
{
	char url[256];

	snprintf(url, sizeof url, "http://127.0.0.1:%d/control/%s",
	    control_port, what);
	return tu_http("POST", url, "application/json", body, NULL);
}

long
tu_sim_counter_of(json_t *c, const char *name)
{
	json_t *v = json_object_get(c, name);

	if (v == NULL)
		v = json_object_get(json_object_get(c, "calls"), name);
	return v == NULL ? 0 : (long)json_integer_value(v);
}

int
tu_sh(const char *cmd, char **out)
{
	FILE *f = popen(cmd, "r");
	struct buf b;
	char chunk[1024];
	size_t n;
	int status;

	*out = NULL;
	if (f == NULL)
		return -1;
	buf_init(&b, 0);
	buf_addstr(&b, "");
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	status = pclose(f);
	*out = buf_steal(&b, NULL);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

long
tu_sim_counter(int control_port, const char *name)
{
	json_t *c = tu_sim_json(control_port, "/counters");
	long v;

	if (c == NULL)
		return -1;
	v = tu_sim_counter_of(c, name);
	json_decref(c);
	return v;
}

int
tu_sim_acked_once(int control_port, char *why, size_t len)
{
	json_t *c = tu_sim_json(control_port, "/counters");
	int ok;

	if (c == NULL) {
		if (why != NULL)
			snprintf(why, len, "no /counters");
		return 0;
	}
	ok = tu_sim_counter_of(c, "updates_unacked") == 0 &&
	    tu_sim_counter_of(c, "updates_acked") ==
	    tu_sim_counter_of(c, "updates_reliable") &&
	    tu_sim_counter_of(c, "acks_unknown") == 0;
	if (why != NULL)
		snprintf(why, len, "updates_reliable %ld, updates_acked %ld, "
		    "updates_unacked %ld, acks_unknown %ld, acks_duplicate %ld",
		    tu_sim_counter_of(c, "updates_reliable"),
		    tu_sim_counter_of(c, "updates_acked"),
		    tu_sim_counter_of(c, "updates_unacked"),
		    tu_sim_counter_of(c, "acks_unknown"),
		    tu_sim_counter_of(c, "acks_duplicate"));
	json_decref(c);
	return ok;
}

int
tu_http_ex(const char *method, const char *url, const char *const *req_headers,
    const char *body, size_t body_len, char **out, char **headers)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct buf b, hb;
	long status;

	buf_init(&b, 64u << 20);
	buf_init(&hb, 1u << 20);
	buf_addstr(&b, "");
	buf_addstr(&hb, "");
	tu_curl_setup(c, method, url, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, tu_write_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hb);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
	}
	h = curl_slist_append(h, "Expect:");
	for (size_t i = 0; req_headers != NULL && req_headers[i] != NULL; i++)
		h = curl_slist_append(h, req_headers[i]);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	status = tu_curl_perform(c, h, &b, out);
	if (headers != NULL)
		*headers = buf_steal(&hb, NULL);
	else
		buf_clear(&hb);
	return (int)status;
}

char *
tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[65536];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_add(&b, chunk, n) != 0)
			break;
	if (ferror(f)) {
		fclose(f);
		buf_clear(&b);
		return NULL;
	}
	fclose(f);
	return buf_steal(&b, len);
}

const char *
tu_fixtures_dir(void)
{
	const char *e = getenv("ARK_FIXTURES");

	return e != NULL && *e != '\0' ? e :
	    ARK_SRCDIR "/../shared/fixtures/mesos";
}

unsigned long long
tu_seed(void)
{
	const char *env = getenv("ARK_TEST_SEED");
	unsigned long long seed;

	if (env != NULL && *env != '\0')
		seed = strtoull(env, NULL, 0);
	else
		seed = (unsigned long long)time(NULL) * 1000003ULL ^
		    (unsigned long long)getpid();
	return seed == 0 ? 1 : seed;
}

unsigned long long
tu_rand(unsigned long long *state)
{
	unsigned long long x = *state;

	if (x == 0)
		x = 0x9e3779b97f4a7c15ULL;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}
