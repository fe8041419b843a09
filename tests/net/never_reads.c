/*
 * never_reads.c — a guest for tests/net/hostile.sh: a server that accepts
 * connections and never reads them, so the kernel has to stop the
 * sender (the TCP window closes) rather than buffer without bound.
 * Built like the other test guests (clang --target=wasm32-wasi) into
 * build/tests/net/; tests/run.sh's differential tests never see it.
 *
 *   wasmetal run --tcplisten 0.0.0.0:SINK --tcplisten 0.0.0.0:ASK never_reads.wasm
 *
 * SINK (the first listening socket): every connection is accepted and
 * held, never read and never polled (up to MAX_HELD, then closed at once).
 * ASK (the second): every connection gets "alive N held M\n" (N
 * heartbeats so far, M connections held) and is closed: the test's
 * proof that the guest still runs while the kernel holds the unread data.
 * Once a second it prints "heartbeat N held M" on stdout.  It runs until
 * the machine is stopped.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#define MAX_HELD        200

static int held[MAX_HELD], nheld;
static unsigned long long beats;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The preopened listening sockets, in order (wasmetal puts them after the
 * directory preopens).  Returns how many were found, at most max. */
static int find_listeners(int *fds, int max)
{
	int n = 0;

	for (int fd = 3; fd < 64 && n < max; fd++) {
		__wasi_fdstat_t st;

		if (!__wasi_fd_fdstat_get(fd, &st) &&
		    st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM)
			fds[n++] = fd;
	}
	return n;
}

static void take_sink(int lfd)
{
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
		if (nheld < MAX_HELD)
			held[nheld++] = fd;
		else
			close(fd);
	}
}

static void answer(int lfd)
{
	char line[64];
	int fd, len;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
		len = snprintf(line, sizeof line, "alive %llu held %d\n", beats, nheld);
		if (send(fd, line, (size_t)len, 0) != len)
			fprintf(stderr, "never_reads: send: %s\n", strerror(errno));
		close(fd);
	}
}

int main(void)
{
	struct pollfd p[2];
	int l[2];
	long long next;

	if (find_listeners(l, 2) != 2) {
		fprintf(stderr, "never_reads: needs two --tcplisten sockets\n");
		return 1;
	}
	for (int i = 0; i < 2; i++) {
		fcntl(l[i], F_SETFL, fcntl(l[i], F_GETFL) | O_NONBLOCK);
		p[i] = (struct pollfd){ .fd = l[i], .events = POLLIN };
	}
	printf("never_reads: sink fd %d, ask fd %d\n", l[0], l[1]);
	fflush(stdout);
	next = now_ms() + 1000;
	for (;;) {
		long long wait = next - now_ms();

		if (poll(p, 2, wait > 0 ? (int)wait : 0) < 0 && errno != EINTR) {
			perror("never_reads: poll");
			return 1;
		}
		if (p[0].revents & POLLIN)
			take_sink(l[0]);
		if (p[1].revents & POLLIN)
			answer(l[1]);
		if (now_ms() >= next) {
			printf("heartbeat %llu held %d\n", ++beats, nheld);
			fflush(stdout);
			next += 1000;
		}
	}
}
