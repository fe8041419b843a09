/*
 * echo.c — TCP and UDP echo (RFC 862) in C on wasi-libc, TCP on the
 * preopened listener (preview1: accept, recv, send, poll), UDP through
 * WasmEdge's socket extension (examples/include/wasmetal_socket.h:
 * sock_open, sock_bind, sock_recv_from, sock_send_to).
 *
 *   echo tcp                      echo every connection on the --tcplisten
 *                                 socket back to it, many at once
 *   echo udp ADDR PORT [N]        bind ADDR:PORT, send each datagram back
 *                                 to its sender; exit after N of them
 *   echo udp-send ADDR PORT TEXT  send TEXT to ADDR:PORT, print the answer
 *
 *   wasmetal run --hosted --tcplisten 127.0.0.1:7007 echo.wasm tcp
 *   wasmetal run --hosted --addr-pool 127.0.0.1/32 echo.wasm udp 127.0.0.1 7007
 *
 * ADDR is numeric (IPv4 or IPv6).  Errors print the WASI errno and exit 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wasi/api.h>
#include "wasmetal_socket.h"

#define MAX_CLIENTS 256

static int fail(const char *what, int err)
{
	fprintf(stderr, "echo: %s: errno %d (%s)\n", what, err, strerror(err));
	return 1;
}

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

/* Echo on one connection what it has: 0, or -1 when it is done. */
static int echo_some(int fd)
{
	char buf[4096];
	ssize_t n = recv(fd, buf, sizeof buf, 0);

	if (n <= 0)
		return n < 0 && errno == EAGAIN ? 0 : -1;
	/* a blocking send: all of it (the client reads as it writes) */
	return send(fd, buf, (size_t)n, 0) == n ? 0 : -1;
}

static int serve_tcp(void)
{
	struct pollfd p[MAX_CLIENTS + 1];
	int lfd = find_listener(), n = 1;

	if (lfd < 0) {
		fprintf(stderr, "echo: no listening socket (--tcplisten ADDR:PORT)\n");
		return 1;
	}
	fcntl(lfd, F_SETFL, O_NONBLOCK);
	p[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	for (;;) {
		if (poll(p, (nfds_t)n, -1) < 0)
			return fail("poll", errno);
		for (int i = n - 1; i >= 1; i--)
			if (p[i].revents && echo_some(p[i].fd)) {
				close(p[i].fd);
				p[i] = p[--n];
			}
		if (p[0].revents & POLLIN) {
			struct sockaddr_storage ss;
			socklen_t sl = sizeof ss;
			int c = accept(lfd, (struct sockaddr *)&ss, &sl);

			if (c < 0 && errno != EAGAIN)
				return fail("accept", errno);
			if (c >= 0 && n > MAX_CLIENTS)
				close(c);
			else if (c >= 0)
				p[n++] = (struct pollfd){ .fd = c, .events = POLLIN };
		}
	}
}

/* A numeric address as the extension wants it: raw bytes and a family. */
static int parse_addr(const char *s, uint8_t ip[16], int *af, uint32_t *len)
{
	if (inet_pton(AF_INET, s, ip) == 1) {
		*af = WASMETAL_AF_INET4;
		*len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip) == 1) {
		*af = WASMETAL_AF_INET6;
		*len = 16;
		return 0;
	}
	return -1;
}

static int udp_socket(const char *addr, int *fd, struct wasmetal_address *a,
		      uint8_t ip[16])
{
	int af, e;

	if (parse_addr(addr, ip, &af, &a->buf_len)) {
		fprintf(stderr, "echo: %s: not a numeric address\n", addr);
		return -1;
	}
	a->buf = ip;
	if ((e = wasmetal_sock_open(af, WASMETAL_SOCK_DGRAM, fd)))
		return fail("sock_open", e), -1;
	return 0;
}

static int serve_udp(const char *addr, int port, long count)
{
	struct wasmetal_address a, from;
	uint8_t ip[16], from_ip[128];
	static char buf[65536];        /* not on the 64 KiB stack */
	int fd, e;

	if (udp_socket(addr, &fd, &a, ip))
		return 1;
	if ((e = wasmetal_sock_bind(fd, &a, port)))
		return fail("sock_bind", e);
	fprintf(stderr, "echo: udp on %s port %d\n", addr, port);
	for (long i = 0; count <= 0 || i < count; i++) {
		__wasi_iovec_t in = { (uint8_t *)buf, sizeof buf };
		__wasi_ciovec_t out = { (const uint8_t *)buf, 0 };
		struct wasmetal_addr_storage *st = (struct wasmetal_addr_storage *)from_ip;
		uint32_t n, sent;
		uint16_t fport, roflags;

		from = (struct wasmetal_address){ from_ip, sizeof from_ip };
		if ((e = wasmetal_sock_recv_from(fd, &in, 1, &from, 0, &fport, &n, &roflags)))
			return fail("sock_recv_from", e);
		/* the 128-byte storage: family, then the address at offset 2 */
		from = (struct wasmetal_address){ st->addr,
			st->family == WASMETAL_AF_INET4 ? 4 : 16 };
		out.buf_len = n;
		if ((e = wasmetal_sock_send_to(fd, &out, 1, &from, fport, 0, &sent)))
			return fail("sock_send_to", e);
	}
	close(fd);
	return 0;
}

static int udp_send(const char *addr, int port, const char *text)
{
	struct wasmetal_address a;
	uint8_t ip[16];
	static char buf[65536];        /* not on the 64 KiB stack */
	__wasi_ciovec_t out = { (const uint8_t *)text, strlen(text) };
	__wasi_iovec_t in = { (uint8_t *)buf, sizeof buf - 1 };
	__wasi_size_t got;
	uint32_t n;
	uint16_t roflags;
	int fd, e;

	if (udp_socket(addr, &fd, &a, ip))
		return 1;
	if ((e = wasmetal_sock_send_to(fd, &out, 1, &a, port, 0, &n)))
		return fail("sock_send_to", e);
	if ((e = __wasi_sock_recv(fd, &in, 1, 0, &got, &roflags)))
		return fail("sock_recv", e);
	buf[got] = 0;
	printf("%s\n", buf);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "tcp"))
		return serve_tcp();
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "udp"))
		return serve_udp(argv[2], atoi(argv[3]), argc == 5 ? atol(argv[4]) : 0);
	if (argc == 5 && !strcmp(argv[1], "udp-send"))
		return udp_send(argv[2], atoi(argv[3]), argv[4]);
	fprintf(stderr, "usage: echo tcp | udp ADDR PORT [N] | udp-send ADDR PORT TEXT\n");
	return 2;
}
