/*
 * sock_api.c — self-checking test of sockets in wasi_snapshot_preview1
 * (sock_accept, sock_recv, sock_send, sock_shutdown; fd_read, fd_write,
 * fd_fdstat_*, fd_filestat_get, fd_prestat_get and poll_oneoff on
 * sockets) and of WasmEdge's socket extension (sock_open, sock_bind,
 * sock_listen, sock_accept with 2 parameters, sock_connect, sock_recv_from
 * V1 and V2, sock_send_to, sock_getlocaladdr/getpeeraddr V1 and V2,
 * sock_getsockopt/setsockopt, sock_getaddrinfo), with their error paths:
 * bad fds, fds that are not sockets, pointers outside memory, dropped
 * rights, invalid flags, NONBLOCK, timeouts.
 *
 * tests/net/net.sh runs it as
 *   wasmetal run --hosted --dir DATA::/ --tcplisten 127.0.0.1:PORT
 *       --addr-pool 127.0.0.1/32 sock_api.wasm PORT
 * (DATA holds hello.txt); it talks to itself over loopback: the listener
 * is the preopened one, the clients are its own sockets.
 */
#include <stdlib.h>
#include <time.h>
#include "wt.h"
#include "wasmetal_socket.h"

/* Raw imports: any argument, as the ABI passes it. */
int32_t raw_sock_recv(int32_t fd, int32_t iovs, int32_t n, int32_t flags, int32_t nread,
		      int32_t roflags) WT_IMPORT("sock_recv");
int32_t raw_sock_send(int32_t fd, int32_t iovs, int32_t n, int32_t flags, int32_t nsent)
	WT_IMPORT("sock_send");
int32_t raw_sock_accept(int32_t fd, int32_t flags, int32_t fd_out) WT_IMPORT("sock_accept");
int32_t raw_sock_connect(int32_t fd, int32_t addr, int32_t port) WT_IMPORT("sock_connect");
int32_t raw_sock_bind_v2(int32_t fd, int32_t addr, int32_t port) WT_IMPORT("sock_bind_v2");
int32_t raw_sock_recv_from_v1(int32_t fd, int32_t iovs, int32_t n, int32_t addr, int32_t flags,
			      int32_t nread, int32_t roflags) WT_IMPORT("sock_recv_from");
int32_t raw_sock_getlocaladdr_v2(int32_t fd, int32_t addr, int32_t port)
	WT_IMPORT("sock_getlocaladdr");
int32_t raw_sock_getpeeraddr_v2(int32_t fd, int32_t addr, int32_t port)
	WT_IMPORT("sock_getpeeraddr_v2");

#define E(x) __WASI_ERRNO_##x
#define R(x) __WASI_RIGHTS_##x
#define LISTEN_RIGHTS (R(FD_READ) | R(POLL_FD_READWRITE) | R(SOCK_SHUTDOWN) | \
		       R(SOCK_ACCEPT) | R(FD_FDSTAT_SET_FLAGS) | R(FD_FILESTAT_GET))
#define CONN_RIGHTS (R(FD_READ) | R(FD_WRITE) | R(POLL_FD_READWRITE) | \
		     R(SOCK_SHUTDOWN) | R(FD_FDSTAT_SET_FLAGS) | R(FD_FILESTAT_GET))

static uint8_t lo[4] = { 127, 0, 0, 1 };
static struct wasmetal_address lo_addr = { lo, 4 };

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int find_listener(void)
{
	for (int fd = 3; fd < 64; fd++) {
		__wasi_fdstat_t st;

		if (!__wasi_fd_fdstat_get(fd, &st) &&
		    st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM)
			return fd;
	}
	return -1;
}

static int send_str(int fd, const char *s)
{
	__wasi_ciovec_t v = { (const uint8_t *)s, strlen(s) };
	__wasi_size_t n = 0;
	int e = __wasi_sock_send(fd, &v, 1, 0, &n);

	return e ? e : n == strlen(s) ? 0 : E(IO);
}

static int recv_buf(int fd, char *buf, size_t len, int flags, __wasi_size_t *n,
		    __wasi_roflags_t *of)
{
	__wasi_iovec_t v = { (uint8_t *)buf, len };

	return __wasi_sock_recv(fd, &v, 1, flags, n, of);
}

/* poll_oneoff on one fd (FD_READ or FD_WRITE) with a timeout: the number
 * of events, the fd's event in *ev (if it fired). */
static int poll1(int fd, int type, uint64_t timeout_ns, __wasi_event_t *ev)
{
	__wasi_subscription_t s[2];
	__wasi_event_t out[2];
	__wasi_size_t n = 0;

	memset(s, 0, sizeof s);
	memset(ev, 0, sizeof *ev);
	s[0].userdata = 1;
	s[0].u.tag = (uint8_t)type;
	s[0].u.u.fd_read.file_descriptor = fd;
	s[1].userdata = 2;
	s[1].u.tag = __WASI_EVENTTYPE_CLOCK;
	s[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
	s[1].u.u.clock.timeout = timeout_ns;
	if (__wasi_poll_oneoff(s, out, 2, &n))
		return -1;
	for (__wasi_size_t i = 0; i < n; i++)
		if (out[i].userdata == 1)
			*ev = out[i];
	return (int)n;
}

static int local_port(int fd)
{
	uint8_t ip[16];
	struct wasmetal_address a = { ip, 16 };
	uint32_t type = 0, port = 0;

	if (wasmetal_sock_getlocaladdr(fd, &a, &type, &port))
		return -1;
	return (int)port;
}

/* A connected pair: client c (from sock_open) and server s (accepted on
 * the preopened listener l). */
static int pair(int l, int32_t *c, __wasi_fd_t *s)
{
	int e = wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_STREAM, c);

	if (!e)
		e = wasmetal_sock_connect(*c, &lo_addr, local_port(l));
	if (!e)
		e = __wasi_sock_accept(l, 0, s);
	return e;
}

static void listener_checks(int l, int port)
{
	__wasi_fdstat_t st;
	__wasi_filestat_t fst;
	__wasi_prestat_t ps;
	uint8_t ip[16], storage[128];
	struct wasmetal_address a = { ip, 16 };
	uint32_t type = 0, p = 0;
	int32_t one = 0;
	uint32_t len = 4;
	__wasi_fd_t fd;

	wt_true(l > wt_preopen("/") && wt_preopen("/") == 3,
		"the listener (fd %d) comes after the directory preopen (fd 3)", l);
	WT_OK(__wasi_fd_fdstat_get(l, &st), "fd_fdstat_get(listener)");
	wt_true(st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM, "listener is SOCKET_STREAM");
	wt_true(st.fs_rights_base == LISTEN_RIGHTS && st.fs_rights_inheriting == 0,
		"listener rights: read, poll, shutdown, accept, set_flags, filestat_get");
	wt_true(st.fs_flags == 0, "listener is blocking");
	WT_ERR(__wasi_fd_prestat_get(l, &ps), "fd_prestat_get(listener)", E(BADF));
	WT_OK(__wasi_fd_filestat_get(l, &fst), "fd_filestat_get(listener)");
	wt_true(fst.filetype == __WASI_FILETYPE_SOCKET_STREAM, "filestat says SOCKET_STREAM");
	WT_OK(wasmetal_sock_getlocaladdr(l, &a, &type, &p), "sock_getlocaladdr V1");
	wt_true(type == 4 && p == (uint32_t)port && !memcmp(ip, lo, 4),
		"V1: type 4, 127.0.0.1, port %d", port);
	memset(storage, 0xee, sizeof storage);
	a = (struct wasmetal_address){ storage, 128 };
	p = 0;
	WT_OK(raw_sock_getlocaladdr_v2(l, WT_PTR(&a), WT_PTR(&p)), "sock_getlocaladdr V2 (3 params)");
	wt_true(storage[0] == 1 && storage[1] == 0 && !memcmp(storage + 2, lo, 4) &&
		storage[6] == 0xee && p == (uint32_t)port,
		"V2: family 1 at 0, the address at 2, the rest untouched");
	a.buf_len = 16;
	WT_ERR(raw_sock_getlocaladdr_v2(l, WT_PTR(&a), WT_PTR(&p)), "V2 wants 128 bytes", E(INVAL));
	WT_OK(wasmetal_sock_getsockopt(l, 0, WASMETAL_SO_ACCEPTCONN, &one, &len), "SO_ACCEPTCONN");
	wt_true(one == 1 && len == 4, "the listener accepts connections");
	/* nothing pending: a NONBLOCK listener says EAGAIN */
	WT_OK(__wasi_fd_fdstat_set_flags(l, __WASI_FDFLAGS_NONBLOCK), "listener NONBLOCK");
	WT_ERR(__wasi_sock_accept(l, 0, &fd), "accept with nothing pending", E(AGAIN));
	WT_OK(__wasi_fd_fdstat_set_flags(l, 0), "listener blocking again");
	WT_ERR(__wasi_sock_accept(l, 0x20, &fd), "accept flags outside fdflags", E(INVAL));
	WT_ERR(wasmetal_sock_accept(99, (int32_t *)&fd), "accept V1 on a bad fd", E(BADF));
}

static void stream_checks(int l)
{
	int32_t c;
	__wasi_fd_t s;
	__wasi_fdstat_t st;
	__wasi_size_t n = 0;
	__wasi_roflags_t of = 9;
	__wasi_event_t ev;
	char buf[64];
	uint8_t ip[16];
	struct wasmetal_address a = { ip, 16 };
	uint32_t type, cport, pport;

	if (!WT_OK(pair(l, &c, &s), "connect to the listener and accept"))
		return;
	WT_OK(__wasi_fd_fdstat_get(s, &st), "fd_fdstat_get(accepted)");
	wt_true(st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM &&
		st.fs_rights_base == CONN_RIGHTS && st.fs_flags == 0,
		"accepted: stream, read/write/poll/shutdown/set_flags/filestat, blocking");
	WT_OK(__wasi_fd_fdstat_get(c, &st), "fd_fdstat_get(sock_open)");
	wt_true(st.fs_rights_base == (CONN_RIGHTS | R(SOCK_ACCEPT)),
		"sock_open's socket may also accept");
	WT_OK(wasmetal_sock_getpeeraddr(s, &a, &type, &pport), "getpeeraddr(accepted)");
	cport = (uint32_t)local_port(c);
	wt_true(type == 4 && pport == cport && !memcmp(ip, lo, 4),
		"the accepted peer is the client (port %u)", cport);

	WT_OK(send_str(c, "hello world"), "sock_send");
	WT_OK(recv_buf(s, buf, 5, __WASI_RIFLAGS_RECV_PEEK, &n, &of), "sock_recv PEEK");
	wt_true(n == 5 && !memcmp(buf, "hello", 5) && of == 0, "peeked \"hello\", roflags 0");
	WT_OK(recv_buf(s, buf, sizeof buf, 0, &n, &of), "sock_recv");
	wt_true(n == 11 && !memcmp(buf, "hello world", 11), "the peeked bytes came again");

	/* fd_write / fd_read */
	WT_OK(wt_write(s, "via fd_write", 12, &n), "fd_write on a socket");
	WT_OK(wt_read(c, buf, sizeof buf, &n), "fd_read on a socket");
	wt_true(n == 12 && !memcmp(buf, "via fd_write", 12), "fd_read got what fd_write sent");

	/* poll: nothing to read, then something */
	wt_true(poll1(s, __WASI_EVENTTYPE_FD_READ, 50000000, &ev) == 1 && ev.userdata == 0,
		"poll_oneoff: no data, only the clock fires");
	WT_OK(send_str(c, "xyz"), "send 3 bytes");
	wt_true(poll1(s, __WASI_EVENTTYPE_FD_READ, 5000000000ull, &ev) >= 1 &&
		ev.userdata == 1 && ev.error == 0 && ev.fd_readwrite.nbytes == 3,
		"poll_oneoff: readable, nbytes 3");
	wt_true(poll1(c, __WASI_EVENTTYPE_FD_WRITE, 0, &ev) >= 1 && ev.userdata == 1,
		"poll_oneoff: writable");

	/* NONBLOCK, and timeouts */
	WT_OK(recv_buf(s, buf, sizeof buf, 0, &n, &of), "drain");
	WT_OK(__wasi_fd_fdstat_set_flags(s, __WASI_FDFLAGS_NONBLOCK), "fd_fdstat_set_flags NONBLOCK");
	WT_OK(__wasi_fd_fdstat_get(s, &st), "fd_fdstat_get");
	wt_true(st.fs_flags == __WASI_FDFLAGS_NONBLOCK, "fdstat reports NONBLOCK");
	WT_ERR(recv_buf(s, buf, sizeof buf, 0, &n, &of), "NONBLOCK recv, no data", E(AGAIN));
	WT_ERR(wt_read(s, buf, sizeof buf, &n), "NONBLOCK fd_read, no data", E(AGAIN));
	WT_OK(__wasi_fd_fdstat_set_flags(s, 0), "blocking again");
	{
		int64_t tv[2] = { 0, 200000 }, got[2] = { 9, 9 };
		uint32_t len = sizeof got;
		long long t0;

		WT_OK(wasmetal_sock_setsockopt(s, 0, WASMETAL_SO_RCVTIMEO, tv, 16), "SO_RCVTIMEO 200 ms");
		WT_OK(wasmetal_sock_getsockopt(s, 0, WASMETAL_SO_RCVTIMEO, got, &len), "get SO_RCVTIMEO");
		wt_true(got[0] == 0 && got[1] == 200000 && len == 16, "SO_RCVTIMEO reads back");
		t0 = now_ms();
		WT_ERR(recv_buf(s, buf, sizeof buf, 0, &n, &of), "recv times out", E(AGAIN));
		wt_true(now_ms() - t0 >= 150, "after about 200 ms (%lld)", now_ms() - t0);
		WT_OK(send_str(c, "abcd"), "send 4");
		WT_OK(recv_buf(s, buf, 10, __WASI_RIFLAGS_RECV_WAITALL, &n, &of), "WAITALL for 10");
		wt_true(n == 4 && !memcmp(buf, "abcd", 4), "WAITALL cut short by the timeout: 4");
		tv[1] = 1000000;
		WT_ERR(wasmetal_sock_setsockopt(s, 0, WASMETAL_SO_RCVTIMEO, tv, 16),
		       "tv_usec of a million", E(DOM));
		tv[1] = 0;
		WT_OK(wasmetal_sock_setsockopt(s, 0, WASMETAL_SO_RCVTIMEO, tv, 16), "no timeout");
	}
	/* WAITALL gathers what comes in pieces (it is all there already) */
	WT_OK(send_str(c, "12345"), "send 5");
	WT_OK(send_str(c, "67890"), "send 5 more");
	WT_OK(recv_buf(s, buf, 10, __WASI_RIFLAGS_RECV_WAITALL, &n, &of), "WAITALL for 10");
	wt_true(n == 10 && !memcmp(buf, "1234567890", 10), "got all 10");

	/* half close: the reader sees the end, the other way still works */
	WT_OK(__wasi_sock_shutdown(c, __WASI_SDFLAGS_WR), "sock_shutdown(WR)");
	wt_true(poll1(s, __WASI_EVENTTYPE_FD_READ, 5000000000ull, &ev) >= 1 && ev.userdata == 1 &&
		(ev.fd_readwrite.flags & __WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP),
		"poll_oneoff: readable with HANGUP");
	WT_OK(recv_buf(s, buf, sizeof buf, 0, &n, &of), "recv at the end");
	wt_true(n == 0, "end of stream: 0 bytes");
	WT_OK(send_str(s, "back"), "send the other way");
	WT_OK(recv_buf(c, buf, sizeof buf, 0, &n, &of), "recv it");
	wt_true(n == 4, "half close leaves the other direction open");
	WT_ERR(__wasi_sock_shutdown(s, 0), "shutdown how 0", E(INVAL));
	WT_ERR(__wasi_sock_shutdown(s, 4), "shutdown how 4", E(INVAL));

	/* dropped rights */
	WT_OK(__wasi_fd_fdstat_set_rights(s, CONN_RIGHTS & ~(R(FD_READ) | R(SOCK_SHUTDOWN) |
							     R(POLL_FD_READWRITE)), 0),
	      "drop read, shutdown, poll");
	WT_ERR(recv_buf(s, buf, sizeof buf, 0, &n, &of), "sock_recv without FD_READ", E(NOTCAPABLE));
	WT_ERR(wt_read(s, buf, sizeof buf, &n), "fd_read without FD_READ", E(NOTCAPABLE));
	WT_ERR(__wasi_sock_shutdown(s, 3), "shutdown without SOCK_SHUTDOWN", E(NOTCAPABLE));
	wt_true(poll1(s, __WASI_EVENTTYPE_FD_READ, 0, &ev) >= 1 &&
		ev.error == E(NOTCAPABLE), "poll without POLL_FD_READWRITE: event error");
	WT_ERR(__wasi_fd_fdstat_set_rights(s, CONN_RIGHTS, 0), "rights never come back",
	       E(NOTCAPABLE));
	WT_OK(__wasi_fd_fdstat_set_rights(c, R(FD_READ), 0), "client keeps only FD_READ");
	WT_ERR(send_str(c, "x"), "sock_send without FD_WRITE", E(NOTCAPABLE));
	WT_ERR(wt_write(c, "x", 1, &n), "fd_write without FD_WRITE", E(NOTCAPABLE));

	/* files-only calls */
	{
		__wasi_filesize_t off;

		WT_ERR(__wasi_fd_seek(s, 0, __WASI_WHENCE_CUR, &off), "fd_seek on a socket", E(SPIPE));
		WT_ERR(__wasi_fd_tell(s, &off), "fd_tell on a socket", E(SPIPE));
		WT_ERR(wt_path_create_directory(s, WT_PTR("d"), 1), "path_* on a socket",
		       E(NOTDIR));
	}
	WT_OK(__wasi_fd_close(c), "fd_close(client)");
	WT_OK(__wasi_fd_close(s), "fd_close(server)");
	WT_ERR(recv_buf(s, buf, sizeof buf, 0, &n, &of), "sock_recv on a closed fd", E(BADF));
}

static void not_sockets(int file)
{
	char buf[8];
	__wasi_size_t n;
	__wasi_roflags_t of;
	__wasi_fd_t fd;

	WT_ERR(recv_buf(9999, buf, sizeof buf, 0, &n, &of), "sock_recv(9999)", E(BADF));
	WT_ERR(send_str(-1, "x"), "sock_send(-1)", E(BADF));
	WT_ERR(recv_buf(file, buf, sizeof buf, 0, &n, &of), "sock_recv(a file)", E(NOTSOCK));
	WT_ERR(recv_buf(3, buf, sizeof buf, 0, &n, &of), "sock_recv(a directory)", E(NOTSOCK));
	WT_ERR(send_str(1, "x"), "sock_send(stdout)", E(NOTSOCK));
	WT_ERR(__wasi_sock_accept(0, 0, &fd), "sock_accept(stdin)", E(NOTSOCK));
	WT_ERR(__wasi_sock_shutdown(file, 3), "sock_shutdown(a file)", E(NOTSOCK));
	WT_ERR(wasmetal_sock_connect(file, &lo_addr, 80), "sock_connect(a file)", E(NOTSOCK));
	WT_ERR(wasmetal_sock_bind(file, &lo_addr, 80), "sock_bind(a file)", E(NOTSOCK));
	WT_ERR(wasmetal_sock_listen(file, 1), "sock_listen(a file)", E(NOTSOCK));
}

static void memory_checks(int l)
{
	uint32_t end = wt_mem_end();
	int32_t c;
	__wasi_fd_t s, s2;
	__wasi_iovec_t v;
	static char buf[16];
	uint32_t n, rof;

	if (!WT_OK(pair(l, &c, &s), "a pair for the memory checks"))
		return;
	v = (__wasi_iovec_t){ (uint8_t *)buf, sizeof buf };
	WT_ERR(raw_sock_recv(s, (int32_t)(end - 4), 1, 0, WT_PTR(&n), WT_PTR(&rof)),
	       "iovec array past the end of memory", E(FAULT));
	WT_ERR(raw_sock_recv(s, WT_PTR(&v), 0x20000000, 0, WT_PTR(&n), WT_PTR(&rof)),
	       "huge iovec count", E(INVAL), E(FAULT));
	WT_ERR(raw_sock_recv(s, WT_PTR(&v), 1, 0, (int32_t)(end - 2), WT_PTR(&rof)),
	       "ro_datalen past the end", E(FAULT));
	WT_ERR(raw_sock_recv(s, WT_PTR(&v), 1, 0, WT_PTR(&n), (int32_t)(end - 1)),
	       "ro_flags past the end", E(FAULT));
	WT_ERR(raw_sock_recv(s, WT_PTR(&v), 1, 4, WT_PTR(&n), WT_PTR(&rof)),
	       "riflags bit 2", E(INVAL));
	v = (__wasi_iovec_t){ (uint8_t *)(uintptr_t)(end - 8), 16 };
	WT_ERR(raw_sock_recv(s, WT_PTR(&v), 1, 0, WT_PTR(&n), WT_PTR(&rof)),
	       "a buffer past the end", E(FAULT));
	WT_ERR(raw_sock_send(s, WT_PTR(&v), 1, 0, WT_PTR(&n)), "send from past the end", E(FAULT));
	v = (__wasi_iovec_t){ (uint8_t *)buf, 1 };
	WT_ERR(raw_sock_send(s, WT_PTR(&v), 1, 1, WT_PTR(&n)), "siflags 1", E(INVAL));
	WT_ERR(raw_sock_connect(c, (int32_t)(end - 4), 80), "address struct past the end", E(FAULT));
	{
		struct wasmetal_address a = { (uint8_t *)(uintptr_t)(end - 2), 4 }, b5 = { lo, 5 };
		uint8_t st[128] = { 9, 0 };
		struct wasmetal_address a2 = { st, 128 };

		WT_ERR(raw_sock_connect(c, WT_PTR(&a), 80), "address bytes past the end", E(FAULT));
		WT_ERR(wasmetal_sock_connect(c, &b5, 80), "a 5-byte address", E(INVAL));
		WT_ERR(raw_sock_connect(c, WT_PTR(&a2), 80), "V1 connect: 128 bytes", E(INVAL));
		WT_ERR(raw_sock_bind_v2(c, WT_PTR(&a2), 0), "V2 bind: family 9", E(INVAL));
	}
	/* A pending connection survives an accept with a bad out-pointer. */
	{
		int32_t c2;

		WT_OK(wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_STREAM, &c2), "open");
		WT_OK(wasmetal_sock_connect(c2, &lo_addr, local_port(l)), "connect");
		WT_ERR(raw_sock_accept(l, 0, (int32_t)(end - 3)), "accept into past the end", E(FAULT));
		WT_OK(__wasi_sock_accept(l, __WASI_FDFLAGS_NONBLOCK, &s2),
		      "the connection is still there");
		__wasi_fd_close(c2);
		__wasi_fd_close(s2);
	}
	__wasi_fd_close(c);
	__wasi_fd_close(s);
}

static void extension_listen(void)
{
	int32_t l, c, s;
	uint32_t len = 4;
	int32_t v = -1;
	__wasi_fdstat_t st;

	WT_OK(wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_STREAM, &l), "sock_open");
	WT_OK(wasmetal_sock_bind(l, &lo_addr, 0), "sock_bind 127.0.0.1:0");
	WT_OK(wasmetal_sock_listen(l, 4), "sock_listen");
	WT_OK(wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_STREAM, &c), "sock_open");
	WT_OK(wasmetal_sock_connect(c, &lo_addr, local_port(l)), "sock_connect to it");
	WT_OK(wasmetal_sock_accept(l, &s), "sock_accept, WasmEdge's 2 parameters");
	{
		__wasi_fd_t x;
		uint8_t st2[128];
		struct wasmetal_address a2 = { st2, 128 };
		uint32_t p2 = 0;

		WT_ERR(__wasi_sock_accept(c, 0, &x), "accept on a connected socket", E(INVAL));
		WT_OK(raw_sock_getpeeraddr_v2(s, WT_PTR(&a2), WT_PTR(&p2)), "sock_getpeeraddr_v2");
		wt_true(st2[0] == 1 && !memcmp(st2 + 2, lo, 4) && p2 == (uint32_t)local_port(c),
			"V2 peer: the client");
	}
	WT_OK(__wasi_fd_fdstat_get(s, &st), "fdstat");
	wt_true(st.fs_flags == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM,
		"V1 accept: a blocking stream");
	WT_OK(wasmetal_sock_getsockopt(c, 0, WASMETAL_SO_TYPE, &v, &len), "SO_TYPE");
	wt_true(v == WASMETAL_SOCK_STREAM, "SO_TYPE of a stream is 2");
	WT_OK(wasmetal_sock_getsockopt(c, 0, WASMETAL_SO_ACCEPTCONN, &v, &len), "SO_ACCEPTCONN");
	wt_true(v == 0, "a client does not accept");
	WT_ERR(wasmetal_sock_getsockopt(c, 1, WASMETAL_SO_TYPE, &v, &len), "level 1", E(INVAL));
	WT_ERR(wasmetal_sock_getsockopt(c, 0, 15, &v, &len), "option 15", E(INVAL));
	len = 2;
	WT_ERR(wasmetal_sock_getsockopt(c, 0, WASMETAL_SO_TYPE, &v, &len), "optlen 2", E(INVAL));
	v = 1;
	WT_OK(wasmetal_sock_setsockopt(c, 0, WASMETAL_SO_KEEPALIVE, &v, 4), "SO_KEEPALIVE on");
	WT_ERR(wasmetal_sock_setsockopt(c, 0, WASMETAL_SO_TYPE, &v, 4), "set SO_TYPE", E(NOPROTOOPT));
	__wasi_fd_close(s);
	__wasi_fd_close(c);
	__wasi_fd_close(l);
}

static void refused(void)
{
	int32_t b, c;
	int port, e;
	int32_t err = -1;
	uint32_t len = 4;
	__wasi_event_t ev;

	/* a bound, not listening socket: its port refuses connections */
	WT_OK(wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_STREAM, &b), "open");
	WT_OK(wasmetal_sock_bind(b, &lo_addr, 0), "bind");
	port = local_port(b);
	WT_OK(wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_STREAM, &c), "open");
	WT_ERR(wasmetal_sock_connect(c, &lo_addr, port), "blocking connect, refused",
	       E(CONNREFUSED));
	__wasi_fd_close(c);
	WT_OK(wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_STREAM, &c), "open");
	WT_OK(__wasi_fd_fdstat_set_flags(c, __WASI_FDFLAGS_NONBLOCK), "NONBLOCK");
	e = wasmetal_sock_connect(c, &lo_addr, port);
	WT_ERR(e, "non-blocking connect", E(INPROGRESS), E(CONNREFUSED));
	if (e == E(INPROGRESS)) {
		wt_true(poll1(c, __WASI_EVENTTYPE_FD_WRITE, 5000000000ull, &ev) >= 1 &&
			ev.userdata == 1, "the outcome shows as writable");
		WT_OK(wasmetal_sock_getsockopt(c, 0, WASMETAL_SO_ERROR, &err, &len), "SO_ERROR");
		wt_true(err == E(CONNREFUSED), "SO_ERROR is ECONNREFUSED as a WASI errno (%d)", err);
	}
	__wasi_fd_close(c);
	__wasi_fd_close(b);
}

static void datagrams(void)
{
	int32_t u1, u2;
	int p1, p2;
	char buf[128];
	uint8_t ip[16], st[128];
	struct wasmetal_address a = { ip, 16 }, to = { lo, 4 };
	__wasi_ciovec_t out = { (const uint8_t *)"datagram one", 12 };
	__wasi_iovec_t in = { (uint8_t *)buf, sizeof buf };
	uint32_t n, sent, rof32 = 0;
	uint16_t port = 0, rof = 9;
	__wasi_fdstat_t fst;
	int32_t v = 0;
	uint32_t len = 4;

	WT_OK(wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_DGRAM, &u1), "UDP sock_open");
	WT_OK(wasmetal_sock_open(WASMETAL_AF_INET4, WASMETAL_SOCK_DGRAM, &u2), "UDP sock_open");
	WT_OK(__wasi_fd_fdstat_get(u1, &fst), "fdstat(UDP)");
	wt_true(fst.fs_filetype == __WASI_FILETYPE_SOCKET_DGRAM, "UDP is SOCKET_DGRAM");
	WT_OK(wasmetal_sock_getsockopt(u1, 0, WASMETAL_SO_TYPE, &v, &len), "SO_TYPE");
	wt_true(v == WASMETAL_SOCK_DGRAM, "SO_TYPE of UDP is 1");
	WT_OK(wasmetal_sock_bind(u1, &lo_addr, 0), "bind u1");
	WT_OK(wasmetal_sock_bind(u2, &lo_addr, 0), "bind u2");
	p1 = local_port(u1);
	p2 = local_port(u2);
	WT_OK(wasmetal_sock_send_to(u2, &out, 1, &to, p1, 0, &sent), "sock_send_to");
	wt_true(sent == 12, "sent 12");
	memset(ip, 0, sizeof ip);
	WT_OK(raw_sock_recv_from_v1(u1, WT_PTR(&in), 1, WT_PTR(&a), 0, WT_PTR(&n), WT_PTR(&rof)),
	      "sock_recv_from V1 (7 params)");
	wt_true(n == 12 && !memcmp(buf, "datagram one", 12) && !memcmp(ip, lo, 4) && rof == 0,
		"V1: the datagram and the sender's IP");
	WT_OK(wasmetal_sock_send_to(u2, &out, 1, &to, p1, 0, &sent), "again");
	a = (struct wasmetal_address){ st, 128 };
	WT_OK(wasmetal_sock_recv_from(u1, &in, 1, &a, 0, &port, &n, &rof), "sock_recv_from V2");
	wt_true(st[0] == 1 && !memcmp(st + 2, lo, 4) && port == p2,
		"V2: family 1, address, port %d as a number (got %u)", p2, port);
	/* truncation */
	out.buf_len = 100;
	out.buf = (const uint8_t *)"0123456789012345678901234567890123456789012345678901234567"
				   "890123456789012345678901234567890123456789";
	WT_OK(wasmetal_sock_send_to(u2, &out, 1, &to, p1, 0, &sent), "a 100-byte datagram");
	in.buf_len = 10;
	WT_OK(raw_sock_recv(u1, WT_PTR(&in), 1, 0, WT_PTR(&n), WT_PTR(&rof32)),
	      "sock_recv into 10 bytes");
	wt_true(n == 10 && rof32 == __WASI_ROFLAGS_RECV_DATA_TRUNCATED,
		"roflags RECV_DATA_TRUNCATED, 10 bytes");
	WT_OK(__wasi_fd_fdstat_set_flags(u1, __WASI_FDFLAGS_NONBLOCK), "NONBLOCK");
	WT_ERR(raw_sock_recv(u1, WT_PTR(&in), 1, 0, WT_PTR(&n), WT_PTR(&rof32)),
	       "the rest of it was dropped", E(AGAIN));
	/* a connected datagram socket sends with sock_send */
	WT_OK(wasmetal_sock_connect(u2, &lo_addr, p1), "connect UDP");
	WT_OK(send_str(u2, "via send"), "sock_send on connected UDP");
	in.buf_len = sizeof buf;
	WT_OK(__wasi_fd_fdstat_set_flags(u1, 0), "blocking");
	WT_OK(raw_sock_recv(u1, WT_PTR(&in), 1, 0, WT_PTR(&n), WT_PTR(&rof32)), "recv it");
	wt_true(n == 8 && !memcmp(buf, "via send", 8), "got it");
	WT_ERR(wasmetal_sock_listen(u1, 1), "listen on UDP", E(NOTSUP));
	__wasi_fd_close(u1);
	__wasi_fd_close(u2);
}

static void addrinfo(void)
{
	struct wasmetal_addrinfo ai[4], *res = ai, hints = { .ai_socktype = WASMETAL_SOCK_STREAM };
	struct wasmetal_sockaddr sa[4];
	uint8_t data[4][26];
	uint32_t n = 9;

	memset(ai, 0, sizeof ai);
	for (int i = 0; i < 4; i++) {
		sa[i] = (struct wasmetal_sockaddr){ .sa_data = data[i], .sa_data_len = 26 };
		ai[i].ai_addr = &sa[i];
		ai[i].ai_next = i < 3 ? &ai[i + 1] : NULL;
	}
	WT_OK(wasmetal_sock_getaddrinfo("127.0.0.1", 9, "8080", 4, &hints, &res, 4, &n),
	      "sock_getaddrinfo(127.0.0.1, 8080): numeric, no grant needed");
	wt_true(n == 1 && ai[0].ai_family == 1 && ai[0].ai_socktype == 2 &&
		ai[0].ai_protocol == 1 && ai[0].ai_addrlen == 16 && sa[0].sa_family == 1 &&
		sa[0].sa_data_len == 14 && data[0][0] == 0x1f && data[0][1] == 0x90 &&
		!memcmp(data[0] + 2, lo, 4), "one result: port big-endian, then the address");
	hints.ai_socktype = 0;
	for (int i = 0; i < 4; i++)     /* a result says its size: 14 above */
		sa[i].sa_data_len = 26;
	WT_OK(wasmetal_sock_getaddrinfo("::1\0junk", 8, "", 0, &hints, &res, 4, &n),
	      "sock_getaddrinfo(::1), cut at the NUL");
	wt_true(n == 2 && ai[0].ai_family == 2 && ai[0].ai_socktype == 2 &&
		ai[1].ai_socktype == 1 && sa[0].sa_data_len == 26 && data[0][21] == 1 &&
		ai[0].ai_addrlen == 28, "IPv6: stream and datagram results");
	sa[0].sa_data_len = 14;
	memset(data[0], 0xaa, 26);
	WT_OK(wasmetal_sock_getaddrinfo("::1", 3, "", 0, &hints, &res, 1, &n),
	      "an IPv6 result into a 14-byte sa_data");
	wt_true(n == 1 && sa[0].sa_data_len == 26 && data[0][13] == 0 && data[0][14] == 0xaa,
		"written up to the buffer's end only; sa_data_len says 26");
	WT_ERR(wasmetal_sock_getaddrinfo("", 0, "", 0, &hints, &res, 4, &n),
	       "no node, no service", WASMETAL_EAI_NONAME);
	WT_ERR(wasmetal_sock_getaddrinfo("1.2.3.4", 7, "", 0, &hints, &res, 0, &n),
	       "max_res_len 0", WASMETAL_EAI_MEMORY);
	hints.ai_flags = 0x80;
	WT_ERR(wasmetal_sock_getaddrinfo("1.2.3.4", 7, "", 0, &hints, &res, 4, &n),
	       "unknown flag", WASMETAL_EAI_BADFLAG);
	hints.ai_flags = WASMETAL_AI_NUMERICHOST;
	WT_ERR(wasmetal_sock_getaddrinfo("example.com", 11, "", 0, &hints, &res, 4, &n),
	       "AI_NUMERICHOST with a name", WASMETAL_EAI_NONAME);
	hints.ai_flags = WASMETAL_AI_PASSIVE;
	hints.ai_family = WASMETAL_AF_INET4;
	WT_OK(wasmetal_sock_getaddrinfo("", 0, "80", 2, &hints, &res, 4, &n), "passive, no node");
	wt_true(n == 2 && !memcmp(data[0] + 2, "\0\0\0\0", 4), "the IPv4 wildcard");
	hints.ai_family = 7;
	WT_ERR(wasmetal_sock_getaddrinfo("", 0, "80", 2, &hints, &res, 4, &n),
	       "family 7", WASMETAL_EAI_FAMILY);
	hints.ai_family = 0;
	hints.ai_flags = 0;
	WT_ERR(wasmetal_sock_getaddrinfo("1.2.3.4", 7, "http", 4, &hints, &res, 4, &n),
	       "a service name", WASMETAL_EAI_SERVICE);
	ai[0].ai_next = (struct wasmetal_addrinfo *)(uintptr_t)(wt_mem_end() - 4);
	WT_ERR(wasmetal_sock_getaddrinfo("::1", 3, "", 0, &hints, &res, 4, &n),
	       "a node past the end of memory", E(FAULT));
}

int main(int argc, char **argv)
{
	int l = find_listener(), port = argc > 1 ? atoi(argv[1]) : -1;
	__wasi_fd_t file;

	if (l < 0 || port <= 0) {
		printf("FAIL no preopened listener, or no PORT argument\n");
		return 1;
	}
	listener_checks(l, port);
	stream_checks(l);
	if (WT_OK(wt_open(3, "hello.txt", 0, R(FD_READ), 0, &file), "open a file"))
		not_sockets(file);
	memory_checks(l);
	extension_listen();
	refused();
	datagrams();
	addrinfo();
	/* last: the listener loses its accept right */
	{
		__wasi_fd_t fd;

		WT_OK(__wasi_fd_fdstat_set_rights(l, LISTEN_RIGHTS & ~R(SOCK_ACCEPT), 0),
		      "drop SOCK_ACCEPT");
		WT_ERR(__wasi_sock_accept(l, 0, &fd), "accept without SOCK_ACCEPT", E(NOTCAPABLE));
	}
	return wt_done();
}
