/*
 * fixed_httpd.c — a benchmark server (bench/net.sh), not an example: the
 * in-kernel server's job (net/httpd_builtin.c: answer every GET with the
 * same body, keep-alive) written as a Wasm program, so that bench/net.sh
 * can tell what the runtime costs (this vs the in-kernel server: the same
 * work, through Wasm and WASI) from what a real static-file server's own
 * work costs (examples/httpd vs this: files, parsing).
 *
 *   fixed_httpd SIZE      on the preopened listener (--tcplisten), as
 *                         examples/httpd finds it
 *
 * One poll() over the listener and every connection; a request is
 * complete at its blank line; the answer (headers and body) is prepared
 * once and sent whole with one send() (the rest when the socket has room).
 */
#define _GNU_SOURCE             /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wasi/api.h>

#define MAX_CONNS 256
#define IN_MAX    8192

struct conn {
	int fd;
	size_t in_len, out_off;         /* out_off < resp_len: sending */
	char in[IN_MAX];
};

static struct conn *conns[MAX_CONNS];
static int nconns;
static char *resp;
static size_t resp_len;

static int find_listener(void)
{
	for (int fd = 3; fd < 1024; fd++) {
		__wasi_fdstat_t st;

		if (!__wasi_fd_fdstat_get(fd, &st) &&
		    st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM)
			return fd;
	}
	return -1;
}

static void drop(int i)
{
	close(conns[i]->fd);
	free(conns[i]);
	conns[i] = conns[--nconns];
}

/* Send what is left of the answer: 0, or -1 to close. */
static int pump(struct conn *c)
{
	while (c->out_off < resp_len) {
		ssize_t n = send(c->fd, resp + c->out_off, resp_len - c->out_off, 0);

		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->out_off += (size_t)n;
	}
	return 0;
}

/* Readable: take the bytes, answer every complete request head. */
static int readable(struct conn *c)
{
	ssize_t n = recv(c->fd, c->in + c->in_len, IN_MAX - c->in_len, 0);
	char *end;

	if (n <= 0)
		return n < 0 && errno == EAGAIN ? 0 : -1;
	c->in_len += (size_t)n;
	while (c->out_off >= resp_len &&
	       (end = memmem(c->in, c->in_len, "\r\n\r\n", 4))) {
		size_t used = (size_t)(end + 4 - c->in);

		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
		c->out_off = 0;
		if (pump(c))
			return -1;
	}
	return c->in_len == IN_MAX ? -1 : 0;
}

static void accept_all(int lfd)
{
	while (nconns < MAX_CONNS) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
		struct conn *c;

		if (fd < 0)
			return;
		if (!(c = calloc(1, sizeof *c))) {
			close(fd);
			return;
		}
		c->fd = fd;
		c->out_off = resp_len;          /* nothing to send */
		conns[nconns++] = c;
	}
}

int main(int argc, char **argv)
{
	static struct pollfd pfd[MAX_CONNS + 1];
	size_t size = argc > 1 ? strtoul(argv[1], NULL, 10) : 1024;
	int lfd = find_listener(), hl;
	char head[160];

	if (lfd < 0 || size > (64u << 20)) {
		fprintf(stderr, "fixed_httpd: no listener (--tcplisten) or SIZE too big\n");
		return 1;
	}
	hl = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nServer: fixed_httpd\r\n"
		      "Content-Type: application/octet-stream\r\nContent-Length: %zu\r\n\r\n",
		      size);
	resp_len = (size_t)hl + size;
	if (!(resp = malloc(resp_len)))
		return 1;
	memcpy(resp, head, (size_t)hl);
	memset(resp + hl, 'x', size);
	fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
	fprintf(stderr, "fixed_httpd: %zu-byte body on fd %d\n", size, lfd);
	for (;;) {
		int n = 0, np = nconns;

		pfd[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (int i = 0; i < np; i++)
			pfd[n++] = (struct pollfd){ .fd = conns[i]->fd,
				.events = conns[i]->out_off < resp_len ? POLLOUT : POLLIN };
		if (poll(pfd, (nfds_t)n, -1) < 0 && errno != EINTR)
			return 1;
		for (int i = np - 1; i >= 0; i--) {
			short r = pfd[i + 1].revents;

			if (!r)
				continue;
			if ((r & POLLOUT && pump(conns[i])) ||
			    (r & (POLLIN | POLLHUP | POLLERR) && readable(conns[i])))
				drop(i);
		}
		if (pfd[0].revents & POLLIN)
			accept_all(lfd);
	}
}
