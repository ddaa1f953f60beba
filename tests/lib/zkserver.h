/*
 * zkserver — a private ZooKeeper server for the integration tests: the
 * Debian package's jars run standalone (QuorumPeerMain with a generated
 * zoo.cfg) on a free loopback port with its own data directory, without
 * the admin server and with only the ruok and srvr four-letter words.
 */
#ifndef ARK_ZKSERVER_H
#define ARK_ZKSERVER_H

#include <sys/types.h>

struct tu_zk {
	pid_t	 pid;		/* the java process, 0 when stopped */
	int	 port;		/* client port on 127.0.0.1 */
	char	*dir;		/* data directory, zoo.cfg and zk.log (owned) */
	char	*log;		/* the server's output (owned) */
};

/*
 * Starts a server in dir (created if needed; a tick of 250 ms, so sessions
 * of 0.5 to 5 s) and waits until it answers ruok, at most timeout_ms.
 * Returns 0, or -1 with the reason on stderr.
 */
int	 tu_zk_start(struct tu_zk *, const char *dir, int timeout_ms);
/* Starts a server again in dir on the given port (after tu_zk_stop). */
int	 tu_zk_restart(struct tu_zk *, const char *dir, int port,
	    int timeout_ms);
/* Kills the server (SIGKILL) and frees the strings; the dir stays. */
void	 tu_zk_stop(struct tu_zk *);
/* A four-letter word's answer (caller frees), or NULL. */
char	*tu_zk_4lw(int port, const char *word);
/* "127.0.0.1:<port>". Static storage. */
const char *tu_zk_hosts(const struct tu_zk *);

#endif
