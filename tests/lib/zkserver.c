/*
 * zkserver — runs ZooKeeper for the integration tests (see zkserver.h).
 * The JVM is started with flags that make it come up quickly on a small,
 * busy machine (client compiler only, serial GC, a small heap). A port
 * taken by someone else between choosing and binding it makes the server
 * exit; then another port is tried. The server is not one of testutil's
 * children: a Check test forked from the process that started it must not
 * kill it (tu_kill_all, or the atexit handler of the fork), so this file
 * keeps its own list and kills only what its own process started; and the
 * server gets SIGKILL when that process dies, however it dies.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "testutil.h"
#include "xmalloc.h"
#include "zkserver.h"

#define TU_ZK_JAR	"/usr/share/java/zookeeper.jar"
#define TU_ZK_MAX	4

/* Servers started by this process (pid, and the process that owns it). */
static pid_t tu_zk_pids[TU_ZK_MAX], tu_zk_owner[TU_ZK_MAX];
static int tu_zk_atexit_set;

/* Kills the servers this very process started (not those of a parent). */
static void
tu_zk_atexit(void)
{
	for (int i = 0; i < TU_ZK_MAX; i++)
		if (tu_zk_pids[i] > 0 && tu_zk_owner[i] == getpid()) {
			kill(tu_zk_pids[i], SIGKILL);
			waitpid(tu_zk_pids[i], NULL, 0);
			tu_zk_pids[i] = 0;
		}
}

/* Starts argv with its output in log, in its own process group. */
static pid_t
tu_zk_spawn(char *const argv[], const char *log)
{
	pid_t pid;

	if (!tu_zk_atexit_set) {
		atexit(tu_zk_atexit);
		tu_zk_atexit_set = 1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		setpgid(0, 0);
		/* dies with whoever started it, even one killed outright */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(127);
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	for (int i = 0; i < TU_ZK_MAX; i++)
		if (tu_zk_pids[i] == 0) {
			tu_zk_pids[i] = pid;
			tu_zk_owner[i] = getpid();
			break;
		}
	return pid;
}

/* Kills a server started here and forgets it. */
static void
tu_zk_kill(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	for (int i = 0; i < TU_ZK_MAX; i++)
		if (tu_zk_pids[i] == pid)
			tu_zk_pids[i] = 0;
}

/* The java binary: $JAVA, else the first java in a usual place. */
static const char *
tu_zk_java(void)
{
	static const char *const where[] = {
		"/usr/bin/java", "/usr/lib/jvm/default-java/bin/java",
	};
	const char *j = getenv("JAVA");

	if (j != NULL && access(j, X_OK) == 0)
		return j;
	for (size_t i = 0; i < sizeof where / sizeof where[0]; i++)
		if (access(where[i], X_OK) == 0)
			return where[i];
	return NULL;
}

char *
tu_zk_4lw(int port, const char *word)
{
	struct sockaddr_in sa;
	struct pollfd pfd;
	char buf[4096];
	size_t len = 0;
	long long end = tu_now_ms() + 2000;
	int fd;
	ssize_t n;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    write(fd, word, strlen(word)) != (ssize_t)strlen(word)) {
		close(fd);
		return NULL;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (len < sizeof buf - 1 && tu_now_ms() < end) {
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return len > 0 ? xstrdup(buf) : NULL;
}

const char *
tu_zk_hosts(const struct tu_zk *z)
{
	static char hosts[64];

	snprintf(hosts, sizeof hosts, "127.0.0.1:%d", z->port);
	return hosts;
}

/*
 * One attempt on one port (0: a free one): 0 up, -1 failed (process gone
 * or timeout).
 */
static int
tu_zk_try(struct tu_zk *z, const char *java, int port, int timeout_ms)
{
	char cfg[4096], *path, *ans;
	long long end = tu_now_ms() + timeout_ms;
	const char *argv[] = {
		java, "-Xms32m", "-Xmx256m", "-XX:+UseSerialGC",
		"-XX:TieredStopAtLevel=1", "-Xshare:auto",
		"-Djava.net.preferIPv4Stack=true",
		"-Dzookeeper.admin.enableServer=false",
		"-cp", TU_ZK_JAR,
		"org.apache.zookeeper.server.quorum.QuorumPeerMain", NULL, NULL
	};

	z->port = port > 0 ? port : tu_free_port();
	if (z->port <= 0)
		return -1;
	snprintf(cfg, sizeof cfg,
	    "tickTime=250\n"
	    "initLimit=10\n"
	    "syncLimit=5\n"
	    "dataDir=%s/data\n"
	    "clientPort=%d\n"
	    "clientPortAddress=127.0.0.1\n"
	    "maxClientCnxns=0\n"
	    "admin.enableServer=false\n"
	    "4lw.commands.whitelist=ruok,srvr\n"
	    "autopurge.purgeInterval=0\n", z->dir, z->port);
	path = xasprintf("%s/zoo.cfg", z->dir);
	if (tu_write_file(path, cfg, 0644) != 0) {
		free(path);
		return -1;
	}
	argv[sizeof argv / sizeof argv[0] - 2] = path;
	z->pid = tu_zk_spawn((char *const *)argv, z->log);
	free(path);
	if (z->pid <= 0)
		return -1;
	while (tu_now_ms() < end) {
		if (waitpid(z->pid, NULL, WNOHANG) != 0)
			break;		/* exited: the port was taken? */
		ans = tu_zk_4lw(z->port, "ruok");
		if (ans != NULL && strcmp(ans, "imok") == 0) {
			free(ans);
			return 0;
		}
		free(ans);
		tu_sleep_ms(100);
	}
	tu_zk_kill(z->pid);
	z->pid = 0;
	return -1;
}

/* Starts a server in dir on port (0: any free one, 3 tries). */
static int
tu_zk_run(struct tu_zk *z, const char *dir, int port, int timeout_ms)
{
	const char *java = tu_zk_java();
	long long end = tu_now_ms() + timeout_ms;
	char *data;

	memset(z, 0, sizeof *z);
	if (java == NULL || access(TU_ZK_JAR, R_OK) != 0) {
		fprintf(stderr, "zkserver: no ZooKeeper server here (java or "
		    "%s missing): run scripts/install-deps (Debian package "
		    "zookeeper)\n", TU_ZK_JAR);
		return -1;
	}
	z->dir = xstrdup(dir);
	data = xasprintf("%s/data", dir);
	z->log = xasprintf("%s/zk.log", dir);
	mkdir(dir, 0755);
	mkdir(data, 0755);
	free(data);
	for (int attempt = 0; attempt < 3; attempt++) {
		long long left = end - tu_now_ms();

		if (left <= 0)
			break;
		if (tu_zk_try(z, java, port, (int)left) == 0)
			return 0;
	}
	fprintf(stderr, "zkserver: ZooKeeper did not come up within %d ms; "
	    "its log:\n", timeout_ms);
	tu_dump_log(z->log, 40);
	return -1;
}

int
tu_zk_start(struct tu_zk *z, const char *dir, int timeout_ms)
{
	return tu_zk_run(z, dir, 0, timeout_ms);
}

int
tu_zk_restart(struct tu_zk *z, const char *dir, int port, int timeout_ms)
{
	return tu_zk_run(z, dir, port, timeout_ms);
}

void
tu_zk_stop(struct tu_zk *z)
{
	if (z->pid > 0)
		tu_zk_kill(z->pid);
	z->pid = 0;
	free(z->dir);
	free(z->log);
	z->dir = z->log = NULL;
}
