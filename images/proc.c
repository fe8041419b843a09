/*
 * proc.c — fork + exec of external tools with an explicit fd layout
 * (see proc.h).  No shell is ever involved.  A close-on-exec pipe reports
 * a failed exec back to the parent, so "tool not installed" is an error
 * message, not an exit code 127 to guess about.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "proc.h"

#define FD_HIGH 100     /* staging area for fds while building the layout */
#define MAX_MAP 8

static __attribute__((noreturn)) void child_fail(int errfd, int step)
{
	int e[2] = { errno, step };

	if (write(errfd, e, sizeof(e)) < 0) {
		/* nothing left to report to */
	}
	_exit(127);
}

/* Mark every fd >= 3 close-on-exec except the targets (sorted small). */
static void cloexec_others(const int *keep, int nkeep)
{
	unsigned lo = 3;

	for (int i = 0; i <= nkeep; i++) {
		unsigned hi = i < nkeep ? (unsigned)keep[i] : ~0u;

		if (hi > lo)
			close_range(lo, hi - 1, CLOSE_RANGE_CLOEXEC);
		if (hi + 1 > lo)
			lo = hi + 1;
	}
}

static void sort_ints(int *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static void __attribute__((noreturn))
child(const char *const argv[], const char *stdin_path, const int *fd_map,
      bool new_group, int out_w, int errfd, pid_t parent)
{
	int staged[MAX_MAP], targets[MAX_MAP], n = 0, in;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (new_group) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
	}
	in = open(stdin_path ? stdin_path : "/dev/null", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		child_fail(errfd, 1);
	for (; fd_map && fd_map[2 * n] >= 0 && n < MAX_MAP; n++) {
		staged[n] = fcntl(fd_map[2 * n], F_DUPFD_CLOEXEC, FD_HIGH);
		targets[n] = fd_map[2 * n + 1];
		if (staged[n] < 0)
			child_fail(errfd, 2);
	}
	out_w = fcntl(out_w, F_DUPFD_CLOEXEC, FD_HIGH);
	in = fcntl(in, F_DUPFD_CLOEXEC, FD_HIGH);
	if (out_w < 0 || in < 0 || dup2(in, 0) < 0 || dup2(out_w, 1) < 0 ||
	    dup2(out_w, 2) < 0)
		child_fail(errfd, 2);
	for (int i = 0; i < n; i++)
		if (dup2(staged[i], targets[i]) < 0)
			child_fail(errfd, 2);
	sort_ints(targets, n);
	cloexec_others(targets, n);
	execvp(argv[0], (char *const *)argv);
	child_fail(errfd, 3);
}

int image_spawn(const char *const argv[], const char *stdin_path,
		const int *fd_map, bool new_group, struct image_child *c,
		char *err, size_t errlen)
{
	int out[2], ep[2], e[2];
	pid_t parent = getpid();
	ssize_t r;

	if (pipe2(out, O_CLOEXEC) < 0)
		goto sys_fail;
	if (pipe2(ep, O_CLOEXEC) < 0) {
		close(out[0]);
		close(out[1]);
		goto sys_fail;
	}
	c->pid = fork();
	if (c->pid == 0)
		child(argv, stdin_path, fd_map, new_group, out[1], ep[1], parent);
	close(out[1]);
	close(ep[1]);
	if (c->pid < 0) {
		close(out[0]);
		close(ep[0]);
		goto sys_fail;
	}
	if (new_group)
		setpgid(c->pid, c->pid);        /* no race with kill(-pid) */
	do
		r = read(ep[0], e, sizeof(e));
	while (r < 0 && errno == EINTR);
	close(ep[0]);
	if (r == sizeof(e)) {
		waitpid(c->pid, NULL, 0);
		close(out[0]);
		snprintf(err, errlen, "cannot %s %s: %s",
			 e[1] == 3 ? "run" : "set up", e[1] == 1 && stdin_path ?
			 stdin_path : argv[0], strerror(e[0]));
		return -1;
	}
	c->out_fd = out[0];
	return 0;
sys_fail:
	snprintf(err, errlen, "cannot start %s: %s", argv[0], strerror(errno));
	return -1;
}

void image_describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit code %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "status 0x%x", status);
}

/* Keep the last sizeof(tail)-1 bytes of the child's output. */
static size_t drain(int fd, char *tail, size_t cap)
{
	size_t len = 0;
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if ((size_t)n >= cap - 1) {
			memcpy(tail, buf + n - (cap - 1), cap - 1);
			len = cap - 1;
		} else {
			if (len + n > cap - 1) {
				size_t drop = len + n - (cap - 1);

				memmove(tail, tail + drop, len - drop);
				len -= drop;
			}
			memcpy(tail + len, buf, n);
			len += n;
		}
	}
	tail[len] = 0;
	while (len && (tail[len - 1] == '\n' || tail[len - 1] == ' '))
		tail[--len] = 0;
	return len;
}

int image_run_tool(const char *const argv[], const char *stdin_path,
		   char *err, size_t errlen)
{
	struct image_child c;
	char tail[1024], how[64];
	int status;

	if (image_spawn(argv, stdin_path, NULL, false, &c, err, errlen))
		return -1;
	drain(c.out_fd, tail, sizeof(tail));
	close(c.out_fd);
	while (waitpid(c.pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "%s: waitpid: %s", argv[0], strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	image_describe_status(status, how, sizeof(how));
	snprintf(err, errlen, "%s failed (%s)%s%s", argv[0], how,
		 tail[0] ? ": " : "", tail);
	return -1;
}
