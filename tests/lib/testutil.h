/*
 * testutil — what the integration tests share: finding the built programs,
 * starting and stopping them, waiting for conditions with a deadline, and
 * small HTTP/JSON requests on loopback.
 */
#ifndef ARK_TESTUTIL_H
#define ARK_TESTUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

/* Path of a built program ("arkd", "ark-sim", "arkctl"); static storage. */
const char	*tu_bin(const char *name);
/* A fresh private directory under $TMPDIR (caller frees the string). */
char		*tu_tmpdir(const char *tag);
/* Removes a directory tree made by tu_tmpdir. */
void		 tu_rmtree(const char *dir);

/*
 * Starts argv[0] with argv, stdout and stderr appended to log (may be NULL).
 * Every child is remembered and killed by tu_kill_all() (also at exit).
 */
pid_t		 tu_spawn(char *const argv[], const char *log);
/* Sends sig and waits up to timeout_ms; returns the wait status or -1. */
int		 tu_stop(pid_t, int sig, int timeout_ms);
void		 tu_kill_all(void);
/* 1 if the process still runs. */
int		 tu_alive(pid_t);

/* Waits until path holds a port number; returns it, or -1 on timeout. */
int		 tu_wait_port_file(const char *path, int timeout_ms);
/* A free TCP port on 127.0.0.1 (bound then released). */
int		 tu_free_port(void);

/*
 * One HTTP request. body may be NULL. Returns the status (0 if no answer)
 * and, if out is not NULL, the response body (caller frees).
 */
int		 tu_http(const char *method, const char *url,
		    const char *content_type, const char *body, char **out);
/* GET url and parse JSON; NULL on any failure. New reference. */
json_t		*tu_get_json(const char *url);

/*
 * Runs argv to completion (at most timeout_ms, then SIGKILL) with its
 * stdout and stderr captured; *out and *err (may be NULL) get them (caller
 * frees). Returns the exit status, 128 + signal if killed, -1 if it could
 * not run.
 */
int		 tu_run(char *const argv[], char **out, char **err,
		    int timeout_ms);
/*
 * Runs a shell command with /bin/sh; *out gets its standard output (caller
 * frees; NULL if it could not run). Returns its exit status, -1 if it could
 * not run or was killed.
 */
int		 tu_sh(const char *cmd, char **out);
/* The whole content of a file (caller frees), or NULL. */
char		*tu_slurp(const char *path);
/* Writes s to path (created with mode); 0 or -1. */
int		 tu_write_file(const char *path, const char *s, int mode);
/* The control port from ark-sim's port file ("control <port>"), or -1. */
int		 tu_sim_control_port(const char *path);

/*
 * Starts ark-sim: --control-port 0 --port-file ports_file, then args and
 * extra (NULL-terminated flag lists, either may be NULL), its output
 * appended to log. Waits up to 20 s for the master port and then up to 5 s
 * for the control port; *master_port and *control_port get them (-1 on a
 * timeout; the control port is not waited for if the master port is
 * missing). Returns the pid (tracked like tu_spawn's), -1 if it could not
 * start.
 */
pid_t		 tu_sim_start(const char *ports_file, const char *log,
		    const char *const *args, const char *const *extra,
		    int *master_port, int *control_port);
/* GET path ("/state", "/counters") on ark-sim's control port as JSON (new
 * reference), NULL on any failure. */
json_t		*tu_sim_json(int control_port, const char *path);
/* POSTs body (may be NULL) to ark-sim's /control/<what>; the status. */
int		 tu_sim_control(int control_port, const char *what,
		    const char *body);
/* A counter in ark-sim's counters object c ("updates_acked"), else a call
 * count under c.calls ("RECONCILE"); 0 if neither is there. */
long		 tu_sim_counter_of(json_t *c, const char *name);
/* The same of ark-sim's /counters read now; -1 if it does not answer. */
long		 tu_sim_counter(int control_port, const char *name);
/*
 * 1 if ark-sim counts every reliable update acknowledged exactly once
 * (none outstanding, none acknowledged that it never sent); why (may be
 * NULL) gets the counters either way.
 */
int		 tu_sim_acked_once(int control_port, char *why, size_t len);

/*
 * One HTTP request with extra request headers (NULL-terminated "Name:
 * value" strings, may be NULL) and a body of body_len bytes (body may be
 * NULL). *out gets the body and *headers the response headers (either may
 * be NULL; caller frees). Returns the status, 0 if no answer.
 */
int		 tu_http_ex(const char *method, const char *url,
		    const char *const *req_headers, const char *body,
		    size_t body_len, char **out, char **headers);

/* Monotonic milliseconds. */
long long	 tu_now_ms(void);
/* Sleeps ms milliseconds. */
void		 tu_sleep_ms(int ms);

/*
 * A whole file's bytes, NUL-terminated (caller frees), and its length (len
 * may be NULL); NULL if it cannot be opened or read.
 */
char		*tu_read_file(const char *path, size_t *len);
/* The Mesos fixture directory: $ARK_FIXTURES or the shared captures. */
const char	*tu_fixtures_dir(void);
/* A 64-bit seed: ARK_TEST_SEED if set, else from the clock and pid. */
unsigned long long tu_seed(void);
/* xorshift64*: the next pseudo-random number of *state (never 0). */
unsigned long long tu_rand(unsigned long long *state);

/* Prints the last lines of a log file to stderr (on failure). */
void		 tu_dump_log(const char *path, int lines);

/*
 * Polls cond (an expression) every 50 ms until it holds or ms pass;
 * evaluates to 1 if it held.
 */
#define TU_WAIT(ms, cond) __extension__ ({			\
	long long tu_deadline_ = tu_now_ms() + (ms);		\
	int tu_ok_ = 0;						\
	for (;;) {						\
		if (cond) { tu_ok_ = 1; break; }		\
		if (tu_now_ms() > tu_deadline_) break;		\
		tu_sleep_ms(50);				\
	}							\
	tu_ok_;							\
})

#endif
