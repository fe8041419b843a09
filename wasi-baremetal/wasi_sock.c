/*
 * wasi_sock.c — sockets in the instance's fd table, and the socket
 * functions of wasi_snapshot_preview1 (witx: sock_accept, sock_recv,
 * sock_send, sock_shutdown) as Wasmtime serves them, on the platform's
 * sockets (jit/plat.h).  The WasmEdge extension (wasi_sock_ext.c) and
 * fd_read/fd_write/poll_oneoff build on the helpers here.
 *
 *   fd table entry WASI_FD_SOCKET -> struct plat_sock, non-blocking
 *   a call on a blocking fd:  try -> -EAGAIN -> plat_wait(deadline, this
 *   socket) -> try again; never a busy loop: plat_wait sleeps until the
 *   socket has an event (hlt on bare metal, poll(2) hosted)
 *
 * Order of checks: the fd (EBADF), what it is (ENOTSOCK), its rights
 * (ENOTCAPABLE), flags (EINVAL), then every guest pointer (EFAULT)
 * before any I/O, so that a bad pointer never loses data or a connection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "plat.h"
#include "wasi_impl.h"

#define SOCK_IOV_MAX    1024    /* Linux's IOV_MAX and WasmEdge's kIOVMax:
				   EINVAL past it */
#define SOCK_IOV_STACK  16
#define LISTEN_BACKLOG  128     /* --tcplisten (Rust's std uses 128) */

/* The guest's iovecs as platform ones, checked; v[first..n) still to do. */
struct iovs {
	struct plat_iov *v;
	size_t n, first;
	uint64_t total;
	struct plat_iov stack[SOCK_IOV_STACK];
};

static void iovs_free(struct iovs *io)
{
	if (io->v != io->stack)
		free(io->v);
}

static int iovs_get(wasm_instance *inst, uint32_t ptr, uint32_t n, struct iovs *io)
{
	uint8_t *arr;

	io->v = io->stack;
	io->n = io->first = 0;
	io->total = 0;
	if (n > SOCK_IOV_MAX)
		return WASI_EINVAL;
	arr = wasi_mem(inst, ptr, (uint64_t)n * 8);
	if (!arr)
		return WASI_EFAULT;
	if (n > SOCK_IOV_STACK && !(io->v = malloc(n * sizeof(*io->v)))) {
		io->v = io->stack;
		return WASI_ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct wasi_ciovec c;
		uint8_t *p;

		memcpy(&c, arr + 8 * (uint64_t)i, sizeof(c));
		if (!(p = wasi_mem(inst, c.buf, c.buf_len))) {
			iovs_free(io);
			return WASI_EFAULT;
		}
		io->v[io->n++] = (struct plat_iov){ p, c.buf_len };
		io->total += c.buf_len;
	}
	if (io->total > UINT32_MAX) {   /* the count goes back as a u32 */
		iovs_free(io);
		return WASI_EINVAL;
	}
	return 0;
}

/* Drop the first `done` bytes (a partial send or a WAITALL receive). */
static void iovs_advance(struct iovs *io, uint64_t done)
{
	while (io->first < io->n && done >= io->v[io->first].len)
		done -= io->v[io->first++].len;
	if (io->first < io->n && done) {
		io->v[io->first].base = (uint8_t *)io->v[io->first].base + done;
		io->v[io->first].len -= done;
	}
}

static uint64_t deadline_after(uint64_t timeout_ns)
{
	uint64_t now = plat_clock_ns(PLAT_CLOCK_MONOTONIC);

	if (!timeout_ns)
		return UINT64_MAX;
	return now + timeout_ns < now ? UINT64_MAX - 1 : now + timeout_ns;
}

/* The socket would block: 0 after waiting for `events` (the caller tries
 * again), or EAGAIN when the fd is NONBLOCK or the deadline has passed. */
static int sock_wait(struct wasi_fd *f, unsigned events, uint64_t deadline)
{
	struct plat_wait_sock w = { f->sock, events };
	uint64_t now = plat_clock_ns(PLAT_CLOCK_MONOTONIC);

	if ((f->fdflags & WASI_FDFLAG_NONBLOCK) || now >= deadline)
		return WASI_EAGAIN;
	plat_wait(deadline, 0, &w, 1);
	return 0;
}

int wasi_sock_lookup(struct wasi_ctx *ctx, uint32_t fd, uint64_t rights,
		     struct wasi_fd **out)
{
	struct wasi_fd *f = wasi_fd_get(ctx, fd);

	*out = f;
	if (!f)
		return WASI_EBADF;
	if (f->kind != WASI_FD_SOCKET)
		return WASI_ENOTSOCK;
	if ((f->rights_base & rights) != rights)
		return WASI_ENOTCAPABLE;
	return 0;
}

int wasi_sock_install(struct wasi_ctx *ctx, struct plat_sock *s, int family,
		      int type, uint64_t rights, uint16_t fdflags, uint8_t state,
		      uint32_t *fd)
{
	int err = wasi_fd_alloc(ctx, fd);

	if (err) {
		plat_sock_close(s);
		return err;
	}
	ctx->fds[*fd] = (struct wasi_fd){ .kind = WASI_FD_SOCKET, .sock = s,
		.sock_family = (uint8_t)family, .sock_type = (uint8_t)type,
		.sock_state = state, .fdflags = fdflags, .rights_base = rights };
	return 0;
}

int wasi_sock_recv_iovs(wasm_instance *inst, struct wasi_fd *f, uint32_t iovs_ptr,
			uint32_t niovs, uint32_t riflags, uint32_t *n,
			uint16_t *roflags, struct plat_addr *from)
{
	unsigned pflags = riflags & WASI_RIFLAG_RECV_PEEK ? PLAT_MSG_PEEK : 0, of;
	/* PEEK + WAITALL peeks what is there: waiting for more while data
	 * is ready would spin. */
	bool waitall = (riflags & WASI_RIFLAG_RECV_WAITALL) && !pflags &&
		       f->sock_type == PLAT_SOCK_STREAM;
	uint64_t got = 0, deadline = deadline_after(f->rcvtimeo_ns);
	struct iovs io;
	int err = iovs_get(inst, iovs_ptr, niovs, &io);

	*n = 0;
	*roflags = 0;
	if (err)
		return err;
	while (io.total || f->sock_type == PLAT_SOCK_DGRAM) {
		long r = plat_sock_recv(f->sock, io.v + io.first, io.n - io.first,
					pflags, &of, from);

		if (r == -EAGAIN) {
			if ((err = sock_wait(f, PLAT_POLL_IN, deadline))) {
				err = got ? 0 : err;    /* WAITALL cut short */
				break;
			}
			continue;
		}
		if (r < 0) {
			err = got ? 0 : wasi_errno_from_plat(r);
			break;
		}
		got += (uint64_t)r;
		if (of & PLAT_MSG_TRUNC)
			*roflags |= WASI_ROFLAG_RECV_DATA_TRUNCATED;
		if (!waitall || r == 0 || got >= io.total)
			break;
		iovs_advance(&io, (uint64_t)r);
	}
	iovs_free(&io);
	*n = (uint32_t)got;
	return err;
}

int wasi_sock_send_iovs(wasm_instance *inst, struct wasi_fd *f, uint32_t iovs_ptr,
			uint32_t niovs, const struct plat_addr *to, uint32_t *n)
{
	uint64_t sent = 0, deadline = deadline_after(f->sndtimeo_ns);
	struct iovs io;
	int err = iovs_get(inst, iovs_ptr, niovs, &io);

	*n = 0;
	if (err)
		return err;
	while (io.total || f->sock_type == PLAT_SOCK_DGRAM) {
		long r = plat_sock_send(f->sock, io.v + io.first, io.n - io.first, to);

		if (r == -EAGAIN) {
			if ((err = sock_wait(f, PLAT_POLL_OUT, deadline))) {
				err = sent ? 0 : err;
				break;
			}
			continue;
		}
		if (r < 0) {
			err = sent ? 0 : wasi_errno_from_plat(r);
			break;
		}
		sent += (uint64_t)r;
		/* A datagram goes whole; a non-blocking stream takes what fits. */
		if (f->sock_type == PLAT_SOCK_DGRAM || sent >= io.total ||
		    (f->fdflags & WASI_FDFLAG_NONBLOCK))
			break;
		iovs_advance(&io, (uint64_t)r);
	}
	iovs_free(&io);
	*n = (uint32_t)sent;
	return err;
}

int wasi_sock_accept_wait(struct wasi_fd *f, struct plat_sock **out,
			  struct plat_addr *peer)
{
	uint64_t deadline = deadline_after(f->rcvtimeo_ns);

	*out = NULL;
	if (f->sock_type != PLAT_SOCK_STREAM || !(f->sock_state & WASI_SOCK_LISTENING))
		return WASI_EINVAL;     /* as Linux answers accept() on them */
	for (;;) {
		int r = plat_sock_accept(f->sock, out, peer), err;

		if (r != -EAGAIN)
			return r ? wasi_errno_from_plat(r) : 0;
		if ((err = sock_wait(f, PLAT_POLL_IN, deadline)))
			return err;
	}
}

void wasi_sock_refuse(const char *what, const struct plat_addr *a, const char *why)
{
	char text[WASI_ADDR_TEXT_MAX] = "";

	if (a)
		wasi_addr_format(a, true, text, sizeof text);
	plat_log("wasi: refused %s%s%s: %s\n", what, a ? " " : "", text, why);
}

/* ---- --tcplisten ----------------------------------------------------------- */

static int listen_on(const struct plat_addr *a, struct plat_sock **s)
{
	int r = plat_sock_open(a->family, PLAT_SOCK_STREAM, s);

	if (r)
		return r;
	/* As Rust's TcpListener::bind (wasmtime): a restarted server can
	 * bind again while old connections are in TIME_WAIT. */
	plat_sock_setopt(*s, PLAT_SO_REUSEADDR, 1);
	if (!(r = plat_sock_bind(*s, a)))
		r = plat_sock_listen(*s, LISTEN_BACKLOG);
	if (r) {
		plat_sock_close(*s);
		*s = NULL;
	}
	return r;
}

int wasi_sock_open_listeners(struct wasi_ctx *ctx, const struct wasi_grants *g,
			     char *err, size_t errlen)
{
	for (size_t i = 0; i < g->nlisten; i++) {
		char text[WASI_ADDR_TEXT_MAX];
		struct plat_sock *s;
		struct plat_addr bound;
		uint32_t fd;
		int r = listen_on(&g->listen[i], &s), e;

		wasi_addr_format(&g->listen[i], true, text, sizeof text);
		e = r ? wasi_errno_from_plat(r) :
		    wasi_sock_install(ctx, s, g->listen[i].family, PLAT_SOCK_STREAM,
				      WASI_RIGHTS_SOCK_LISTEN, 0,
				      WASI_SOCK_BOUND | WASI_SOCK_LISTENING, &fd);
		if (e) {
			snprintf(err, errlen, "--tcplisten %s: cannot listen: E%s",
				 text, wasi_errno_name(e));
			return -1;
		}
		if (!plat_sock_addr(s, 0, &bound))
			wasi_addr_format(&bound, true, text, sizeof text);
		plat_log("wasi: fd %u listens on %s\n", fd, text);
	}
	return 0;
}

/* ---- wasi_snapshot_preview1 ------------------------------------------------ */

WASI_HOST_FN(sock_accept)
{
	/* (fd, flags: fdflags u16, ro_fd_ptr): the new fd gets `flags`
	 * (NONBLOCK), as in wasmtime and WasmEdge's sock_accept_v2. */
	struct wasi_ctx *ctx = env;
	struct plat_sock *ns;
	struct wasi_fd *f;
	uint32_t flags = ARG32(1), fd;
	int err = wasi_sock_lookup(ctx, ARG32(0), WASI_RIGHT_SOCK_ACCEPT, &f);
	int family;

	if (!err && flags > 0x1f)
		err = WASI_EINVAL;
	if (!err && !wasi_mem(inst, ARG32(2), 4))
		err = WASI_EFAULT;
	if (!err)
		err = wasi_sock_accept_wait(f, &ns, NULL);
	if (err)
		return wasi_ret(results, err);
	family = f->sock_family;        /* f moves if the table grows */
	err = wasi_sock_install(ctx, ns, family, PLAT_SOCK_STREAM, WASI_RIGHTS_SOCK_CONN,
				(uint16_t)flags, WASI_SOCK_BOUND, &fd);
	return wasi_ret(results, err ? err : wasi_store_u32(inst, ARG32(2), fd));
}

WASI_HOST_FN(sock_recv)
{
	/* (fd, ri_data: iovec*, ri_data_len, ri_flags: riflags u16,
	 *  ro_datalen_ptr: size, ro_flags_ptr: roflags u16) */
	struct wasi_fd *f;
	uint32_t n;
	uint16_t of;
	uint8_t *rof = NULL;
	int err = wasi_sock_lookup(env, ARG32(0), WASI_RIGHT_FD_READ, &f);

	if (!err && ARG32(3) & ~(WASI_RIFLAG_RECV_PEEK | WASI_RIFLAG_RECV_WAITALL))
		err = WASI_EINVAL;
	if (!err && (!wasi_mem(inst, ARG32(4), 4) || !(rof = wasi_mem(inst, ARG32(5), 2))))
		err = WASI_EFAULT;
	if (!err)
		err = wasi_sock_recv_iovs(inst, f, ARG32(1), ARG32(2), ARG32(3), &n, &of, NULL);
	if (err)
		return wasi_ret(results, err);
	memcpy(rof, &of, 2);
	return wasi_ret(results, wasi_store_u32(inst, ARG32(4), n));
}

WASI_HOST_FN(sock_send)
{
	/* (fd, si_data: ciovec*, si_data_len, si_flags: siflags u16 (no
	 *  flags are defined: anything else is EINVAL), so_datalen_ptr) */
	struct wasi_fd *f;
	uint32_t n;
	int err = wasi_sock_lookup(env, ARG32(0), WASI_RIGHT_FD_WRITE, &f);

	if (!err && ARG32(3))
		err = WASI_EINVAL;
	if (!err && !wasi_mem(inst, ARG32(4), 4))
		err = WASI_EFAULT;
	if (!err)
		err = wasi_sock_send_iovs(inst, f, ARG32(1), ARG32(2), NULL, &n);
	return wasi_ret(results, err ? err : wasi_store_u32(inst, ARG32(4), n));
}

WASI_HOST_FN(sock_shutdown)
{
	/* (fd, how: sdflags u8: RD = 1, WR = 2, both = 3) */
	struct wasi_fd *f;
	uint32_t how = ARG32(1);
	int err = wasi_sock_lookup(env, ARG32(0), WASI_RIGHT_SOCK_SHUTDOWN, &f);
	unsigned ph = (how & WASI_SDFLAG_RD ? PLAT_SHUT_RD : 0) |
		      (how & WASI_SDFLAG_WR ? PLAT_SHUT_WR : 0);

	if (!err && (how == 0 || how > 3))
		err = WASI_EINVAL;
	if (!err)
		err = wasi_errno_from_plat(plat_sock_shutdown(f->sock, ph));
	return wasi_ret(results, err);
}
