/*
 * sock_grants.c — self-checking test of the network grants, deny by
 * default (wasi-baremetal/wasi_grant.h): what an instance may not do
 * fails with ENOTCAPABLE before anything reaches the network.
 *
 * tests/net/net.sh runs it three times:
 *   sock_grants.wasm none      with no grant at all
 *   sock_grants.wasm pool      with --addr-pool 127.0.0.2/32:1000-2000
 *                              --addr-pool [::1]:7 --allow-resolve localhost
 *                              --allow-resolve "*.invalid"
 *   sock_grants.wasm unspecified PORT
 *                              with --addr-pool 0.0.0.0:PORT
 *                              --addr-pool [::]:PORT (may bind every
 *                              address on PORT: nothing else)
 * and checks, with --verbose, that each refusal logged a line.
 */
#include <stdlib.h>
#include "wt.h"
#include "wasmetal_socket.h"

#define E(x) __WASI_ERRNO_##x
#define NOTCAP E(NOTCAPABLE)

static int resolve(const char *name, uint32_t *n, uint8_t ip[4])
{
	struct wasmetal_addrinfo ai[4], *res = ai,
		hints = { .ai_family = WASMETAL_AF_INET4, .ai_socktype = WASMETAL_SOCK_STREAM };
	struct wasmetal_sockaddr sa[4];
	uint8_t data[4][26];
	int e;

	memset(ai, 0, sizeof ai);
	for (int i = 0; i < 4; i++) {
		sa[i] = (struct wasmetal_sockaddr){ .sa_data = data[i], .sa_data_len = 26 };
		ai[i].ai_addr = &sa[i];
		ai[i].ai_next = i < 3 ? &ai[i + 1] : NULL;
	}
	*n = 0;
	e = wasmetal_sock_getaddrinfo(name, strlen(name), "80", 2, &hints, &res, 4, n);
	if (!e && *n)
		memcpy(ip, data[0] + 2, 4);
	return e;
}

static int has_socket_fd(void)
{
	for (int fd = 3; fd < 64; fd++) {
		__wasi_fdstat_t st;

		if (!__wasi_fd_fdstat_get(fd, &st) &&
		    (st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM ||
		     st.fs_filetype == __WASI_FILETYPE_SOCKET_DGRAM))
			return 1;
	}
	return 0;
}

static void no_grants(void)
{
	int32_t fd;
	uint32_t n;
	uint8_t ip[4];

	wt_true(!has_socket_fd(), "no socket fd without --tcplisten");
	WT_ERR(wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_STREAM, &fd),
	       "sock_open(IPv4 stream) without a pool", NOTCAP);
	WT_ERR(wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_DGRAM, &fd),
	       "sock_open(IPv4 datagram) without a pool", NOTCAP);
	WT_ERR(wasmetal_sock_open(WASMETAL_AF_INET6, WASMETAL_SOCK_STREAM, &fd),
	       "sock_open(IPv6 stream) without a pool", NOTCAP);
	WT_ERR(wasmetal_sock_open(3, WASMETAL_SOCK_STREAM, &fd), "sock_open(AF_UNIX)", E(NOSYS));
	WT_ERR(wasmetal_sock_open(WASMETAL_AF_INET4, 0, &fd), "sock_open(type 0)", E(INVAL));
	WT_ERR(resolve("localhost", &n, ip), "resolve localhost without a grant", NOTCAP);
	WT_OK(resolve("127.0.0.1", &n, ip), "a numeric address needs no grant");
	wt_true(n == 1 && ip[0] == 127 && ip[3] == 1, "and gives itself");
	WT_ERR(resolve("*.x", &n, ip), "a pattern is not a name", WASMETAL_EAI_NONAME);
	WT_ERR(resolve("bad name", &n, ip), "a malformed name", WASMETAL_EAI_NONAME);
}

static void pool(void)
{
	uint8_t lo1[4] = { 127, 0, 0, 1 }, lo2[4] = { 127, 0, 0, 2 }, v6lo[16] = { [15] = 1 };
	struct wasmetal_address a1 = { lo1, 4 }, a2 = { lo2, 4 }, a6 = { v6lo, 16 };
	__wasi_ciovec_t out = { (const uint8_t *)"x", 1 };
	int32_t t, u, t6;
	uint32_t n;
	uint8_t ip[4];

	WT_OK(wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_STREAM, &t), "sock_open with a pool");
	WT_OK(wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_DGRAM, &u), "UDP sock_open");
	WT_OK(wasmetal_sock_open(WASMETAL_AF_INET6, WASMETAL_SOCK_STREAM, &t6), "IPv6 sock_open");
	WT_ERR(wasmetal_sock_connect(t, &a1, 1500), "connect to 127.0.0.1 (not in the pool)", NOTCAP);
	WT_ERR(wasmetal_sock_connect(t, &a2, 80), "connect to 127.0.0.2:80 (port outside)", NOTCAP);
	WT_ERR(wasmetal_sock_bind(t, &a1, 1500), "bind 127.0.0.1:1500", NOTCAP);
	WT_ERR(wasmetal_sock_bind(t, &a2, 0), "bind 127.0.0.2:0 (an ephemeral port)", NOTCAP);
	WT_ERR(wasmetal_sock_listen(t, 1), "listen, unbound (every address)", NOTCAP);
	WT_ERR(wasmetal_sock_send_to(u, &out, 1, &a1, 1500, 0, &n), "send_to 127.0.0.1:1500",
	       NOTCAP);
	WT_ERR(wasmetal_sock_connect(t6, &a6, 8), "connect to [::1]:8", NOTCAP);
	WT_ERR(wasmetal_sock_connect(t, &a6, 7), "an IPv6 address on an IPv4 socket",
	       E(AFNOSUPPORT));
	WT_ERR(wasmetal_sock_bind(t, &a6, 7), "bind: the wrong family", E(INVAL));
	WT_ERR(resolve("example.com", &n, ip), "resolve a name not granted", NOTCAP);
	WT_OK(resolve("localhost", &n, ip), "resolve localhost (granted)");
	wt_true(n >= 1 && ip[0] == 127, "localhost is 127.x.y.z");
	WT_ERR(resolve("no-such-host.invalid", &n, ip), "a granted name that does not exist",
	       WASMETAL_EAI_NONAME, WASMETAL_EAI_AGAIN, WASMETAL_EAI_FAIL);
	__wasi_fd_close(t);
	__wasi_fd_close(u);
	__wasi_fd_close(t6);
}

/* The unspecified address may be bound (a listener on every address) but
 * is no destination: Linux connects and sends to it as to 127.0.0.1 (and
 * ::1), which the pool does not grant. */
static void unspecified(int port)
{
	uint8_t any4[4] = { 0 }, any6[16] = { 0 }, mapped_any[16] = { [10] = 0xff, 0xff };
	struct wasmetal_address a4 = { any4, 4 }, a6 = { any6, 16 }, am = { mapped_any, 16 };
	__wasi_ciovec_t out = { (const uint8_t *)"x", 1 };
	int32_t l, c, u, l6, c6, u6;
	uint32_t n;

	WT_OK(wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_STREAM, &l), "sock_open");
	WT_OK(wasmetal_sock_bind(l, &a4, port), "bind 0.0.0.0:PORT (granted)");
	WT_OK(wasmetal_sock_listen(l, 4), "listen on it");
	WT_OK(wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_STREAM, &c), "sock_open");
	WT_ERR(wasmetal_sock_connect(c, &a4, port), "connect to 0.0.0.0:PORT (loopback)",
	       NOTCAP);
	WT_OK(wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_DGRAM, &u), "UDP sock_open");
	WT_OK(wasmetal_sock_bind(u, &a4, port), "UDP bind 0.0.0.0:PORT (granted)");
	WT_ERR(wasmetal_sock_send_to(u, &out, 1, &a4, port, 0, &n), "send_to 0.0.0.0:PORT",
	       NOTCAP);
	WT_ERR(wasmetal_sock_connect(u, &a4, port), "UDP connect to 0.0.0.0:PORT", NOTCAP);
	WT_OK(wasmetal_sock_open(WASMETAL_AF_INET6, WASMETAL_SOCK_STREAM, &l6), "sock_open");
	WT_OK(wasmetal_sock_bind(l6, &a6, port), "bind [::]:PORT (granted)");
	WT_OK(wasmetal_sock_listen(l6, 4), "listen on it");
	WT_OK(wasmetal_sock_open(WASMETAL_AF_INET6, WASMETAL_SOCK_STREAM, &c6), "sock_open");
	WT_ERR(wasmetal_sock_connect(c6, &a6, port), "connect to [::]:PORT (loopback)", NOTCAP);
	WT_ERR(wasmetal_sock_connect(c6, &am, port), "connect to [::ffff:0.0.0.0]:PORT", NOTCAP);
	WT_OK(wasmetal_sock_open(WASMETAL_AF_INET6, WASMETAL_SOCK_DGRAM, &u6), "UDP sock_open");
	WT_ERR(wasmetal_sock_send_to(u6, &out, 1, &a6, port, 0, &n), "send_to [::]:PORT",
	       NOTCAP);
	WT_ERR(wasmetal_sock_send_to(u6, &out, 1, &am, port, 0, &n),
	       "send_to [::ffff:0.0.0.0]:PORT", NOTCAP);
	__wasi_fd_close(l);
	__wasi_fd_close(c);
	__wasi_fd_close(u);
	__wasi_fd_close(l6);
	__wasi_fd_close(c6);
	__wasi_fd_close(u6);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "none"))
		no_grants();
	else if (argc == 2 && !strcmp(argv[1], "pool"))
		pool();
	else if (argc == 3 && !strcmp(argv[1], "unspecified"))
		unspecified(atoi(argv[2]));
	else
		wt_true(0, "usage: sock_grants.wasm none|pool|unspecified PORT");
	return wt_done();
}
