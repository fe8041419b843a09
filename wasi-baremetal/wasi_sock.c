/*
 * wasi_sock.c — the socket functions of wasi_snapshot_preview1 (witx:
 * sock_accept, sock_recv, sock_send, sock_shutdown).
 *
 * Preview1 cannot create sockets; an instance only gets them as fds the
 * embedder grants (--tcplisten, with networking).  Until then no fd is a
 * socket, so each function checks its fd (EBADF if it is not open) and
 * answers ENOTSOCK, as wasmtime's preview1 does for an open non-socket fd;
 * for a non-socket the other arguments don't change the answer.
 */
#include "wasi_impl.h"

/* 0 if fd is a socket, else WASI_EBADF or WASI_ENOTSOCK. */
static int sock_check(struct wasi_ctx *ctx, uint32_t fd)
{
	if (!wasi_fd_get(ctx, fd))
		return WASI_EBADF;
	return WASI_ENOTSOCK;           /* no fd kind is a socket yet */
}

WASI_HOST_FN(sock_accept)
{
	/* (fd, flags: fdflags u16, ro_fd_ptr) */
	return wasi_ret(results, sock_check(env, ARG32(0)));
}

WASI_HOST_FN(sock_recv)
{
	/* (fd, ri_data: iovec*, ri_data_len, ri_flags: riflags u16,
	 *  ro_datalen_ptr, ro_flags_ptr) */
	return wasi_ret(results, sock_check(env, ARG32(0)));
}

WASI_HOST_FN(sock_send)
{
	/* (fd, si_data: ciovec*, si_data_len, si_flags: u16, so_datalen_ptr) */
	return wasi_ret(results, sock_check(env, ARG32(0)));
}

WASI_HOST_FN(sock_shutdown)
{
	/* (fd, how: sdflags u8: RD = 1, WR = 2) */
	int err = sock_check(env, ARG32(0));

	if (!err && (ARG32(1) == 0 || ARG32(1) > 3))
		err = WASI_EINVAL;
	return wasi_ret(results, err);
}
