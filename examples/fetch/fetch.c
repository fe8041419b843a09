/*
 * fetch.c — an outbound HTTP/1.0 GET (RFC 1945) through WasmEdge's socket
 * extension (examples/include/wasmetal_socket.h): sock_getaddrinfo for the
 * host, sock_open and sock_connect, then wasi-libc's send and recv.  The
 * body goes to stdout, the status line to stderr.
 *
 *   fetch [--sha256] http://HOST[:PORT]/PATH
 *
 * --sha256: instead of the body, print "sha256 HEX, N bytes" (the body's
 * SHA-256, examples/fetch/sha256.c, and its length): a large body checked
 * byte for byte where the console is too slow to carry it (under QEMU,
 * stdout is a serial port).
 *
 *   wasmetal run --hosted --addr-pool 127.0.0.1/32:8000 fetch.wasm http://127.0.0.1:8000/
 *   wasmetal run --hosted --addr-pool 127.0.0.1/32 --allow-resolve localhost \
 *       fetch.wasm http://localhost:8000/a.txt
 *
 * Exit status: 0 for a 2xx answer, 1 for another answer, 3 when a socket
 * call failed (the message names the call and its WASI errno, e.g.
 * "errno 76 (NOTCAPABLE)" when the instance was not granted the address
 * or the name), 2 on a bad URL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wasi/api.h>
#include "sha256.h"
#include "wasmetal_socket.h"

#define MAX_RESULTS 8

static int fail(const char *what, const char *host, int err)
{
	fprintf(stderr, "fetch: %s %s: errno %d (%s)\n", what, host, err,
		err == __WASI_ERRNO_NOTCAPABLE ? "NOTCAPABLE" : strerror(err));
	return 3;
}

/* "http://HOST[:PORT]/PATH" into its parts (host without brackets). */
static int parse_url(const char *url, char *host, size_t hl, char *port,
		     size_t pl, const char **path)
{
	const char *h = url + 7, *end, *colon, *slash;
	size_t n;

	if (strncmp(url, "http://", 7))
		return -1;
	slash = strchr(h, '/');
	end = slash ? slash : h + strlen(h);
	*path = slash ? slash : "/";
	if (*h == '[') {                        /* [IPv6]:port */
		const char *close = memchr(h, ']', (size_t)(end - h));

		if (!close)
			return -1;
		n = (size_t)(close - h - 1);
		colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
		h++;
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		n = (size_t)((colon ? colon : end) - h);
	}
	if (n == 0 || n >= hl)
		return -1;
	memcpy(host, h, n);
	host[n] = 0;
	n = colon ? (size_t)(end - colon - 1) : 2;
	if (n == 0 || n >= pl)
		return -1;
	memcpy(port, colon ? colon + 1 : "80", n);
	port[n] = 0;
	return 0;
}

/* Connect to the first address of host:port that answers. */
static int connect_to(const char *host, const char *port, int *fd)
{
	struct wasmetal_addrinfo hints = { .ai_socktype = WASMETAL_SOCK_STREAM,
					   .ai_protocol = WASMETAL_IPPROTO_TCP };
	struct wasmetal_addrinfo ai[MAX_RESULTS], *res = ai;
	struct wasmetal_sockaddr sa[MAX_RESULTS];
	uint8_t data[MAX_RESULTS][26];
	uint32_t n = 0;
	int e;

	memset(ai, 0, sizeof ai);
	for (int i = 0; i < MAX_RESULTS; i++) {
		sa[i] = (struct wasmetal_sockaddr){ .sa_data = data[i], .sa_data_len = 26 };
		ai[i].ai_addr = &sa[i];
		ai[i].ai_next = i + 1 < MAX_RESULTS ? &ai[i + 1] : NULL;
	}
	e = wasmetal_sock_getaddrinfo(host, strlen(host), port, strlen(port), &hints,
				      &res, MAX_RESULTS, &n);
	if (e)
		return fail("sock_getaddrinfo", host, e);
	for (uint32_t i = 0; i < n; i++) {
		int v6 = sa[i].sa_family == WASMETAL_AF_INET6;
		/* sa_data: port big-endian, then the IPv4 address, or
		 * flowinfo and the IPv6 address */
		struct wasmetal_address a = { v6 ? data[i] + 6 : data[i] + 2, v6 ? 16 : 4 };
		int p = data[i][0] << 8 | data[i][1];

		if ((e = wasmetal_sock_open(sa[i].sa_family, WASMETAL_SOCK_STREAM, fd)))
			return fail("sock_open", host, e);
		if (!(e = wasmetal_sock_connect(*fd, &a, p)))
			return 0;
		close(*fd);
		if (i + 1 == n)
			return fail("sock_connect", host, e);
	}
	fprintf(stderr, "fetch: %s: no address\n", host);
	return 3;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, 0);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Where the body goes: stdout, or the digest when digest is set. */
static struct sha256 *digest;

static void body_out(const char *p, size_t n)
{
	if (digest)
		sha256_update(digest, p, n);
	else
		fwrite(p, 1, n, stdout);
}

/* Read the whole answer: the status line to stderr, the body to stdout. */
static int read_answer(int fd)
{
	static char buf[65536];
	size_t have = 0;
	char *body = NULL;
	int status = 0;
	ssize_t n;

	while ((n = recv(fd, buf + have, sizeof buf - 1 - have, 0)) > 0) {
		have += (size_t)n;
		buf[have] = 0;
		if (!body && (body = strstr(buf, "\r\n\r\n"))) {
			sscanf(buf, "HTTP/%*d.%*d %d", &status);
			fprintf(stderr, "fetch: %.*s\n", (int)strcspn(buf, "\r"), buf);
			body += 4;
			body_out(body, have - (size_t)(body - buf));
			have = 0;
			continue;
		}
		if (body) {
			body_out(buf, have);
			have = 0;
		} else if (have == sizeof buf - 1) {
			fprintf(stderr, "fetch: answer head too long\n");
			return 1;
		}
	}
	if (n < 0)
		return fail("recv", "", errno);
	if (digest) {
		char hex[65];
		unsigned long long len = digest->len;

		sha256_hex(digest, hex);
		printf("sha256 %s, %llu bytes\n", hex, len);
	}
	fflush(stdout);
	return status >= 200 && status < 300 ? 0 : 1;
}

int main(int argc, char **argv)
{
	char host[256], port[8], req[1024];
	const char *path;
	int fd, r, n;
	static struct sha256 ctx;

	if (argc == 3 && !strcmp(argv[1], "--sha256")) {
		sha256_init(&ctx);
		digest = &ctx;
		argv++;
		argc--;
	}
	if (argc != 2 || parse_url(argv[1], host, sizeof host, port, sizeof port, &path)) {
		fprintf(stderr, "usage: fetch [--sha256] http://HOST[:PORT]/PATH\n");
		return 2;
	}
	if ((r = connect_to(host, port, &fd)))
		return r;
	n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\n"
		     "User-Agent: wasmetal-fetch\r\n\r\n", path, host);
	if (n >= (int)sizeof req || send_all(fd, req, (size_t)n))
		return fail("send", host, errno);
	r = read_answer(fd);
	close(fd);
	return r;
}
