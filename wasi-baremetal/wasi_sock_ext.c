/*
 * wasi_sock_ext.c — WasmEdge's socket extension of wasi_snapshot_preview1
 * (WasmEdge d516c5d: lib/host/wasi/wasifunc.cpp WasiSock*V1/V2, the
 * import rule in lib/executor/instantiate/import.cpp, the layouts in
 * thirdparty/wasi/api.hpp and include/host/wasi/environ.h; for guests:
 * examples/include/wasmetal_socket.h): sock_open, sock_bind,
 * sock_listen, sock_accept (2 parameters), sock_connect, sock_recv_from,
 * sock_send_to, sock_getlocaladdr, sock_getpeeraddr, each in its V1 and
 * V2 form.  sock_recv, sock_send, sock_shutdown and the 3-parameter
 * sock_accept are preview1's (wasi_sock.c); options are in
 * wasi_sock_opt.c, sock_getaddrinfo in wasi_sock_dns.c.
 *
 * Addresses: __wasi_address_t { u32 buf; u32 buf_len } points at 4 raw
 * IPv4 or 16 raw IPv6 bytes (network order) or, for the V2 functions,
 * at 128 bytes: a u16 WASI family (1 IPv4, 2 IPv6) and the address at
 * offset 2.  Ports travel as numbers (host order) beside the address.
 *
 * Where this differs from WasmEdge, on purpose:
 *   grants: sock_open needs an --addr-pool entry, and bind, connect and
 *     send_to an address (and port) inside the pool, else ENOTCAPABLE
 *     (WAMR's answer) with a log line; WasmEdge has no grants.  The
 *     unspecified address (0.0.0.0, ::) is never a destination: Linux
 *     would take it for its loopback, outside the pool
 *   misaligned pointers are served (WasmEdge: ADDRNOTAVAIL)
 *   sock_recv_from V2 writes the port as a number, not WasmEdge's raw
 *     network-order sin_port (its issue #2491), so that guests of the
 *     wasmedge_wasi_socket crate, which read a number, see the real port
 *   a V2 family other than 1 or 2 is EINVAL (WasmEdge: undefined)
 *   AF_UNIX (family 3) is ENOSYS, as WasmEdge without --allow-af-unix
 */
#include <errno.h>
#include "plat.h"
#include "wasi_impl.h"

#define WE_AF_INET4     1       /* __wasi_address_family_t */
#define WE_AF_INET6     2
#define WE_AF_UNIX      3
#define WE_SOCK_DGRAM   1       /* __wasi_sock_type_t */
#define WE_SOCK_STREAM  2
#define WE_STORAGE_LEN  128     /* WasiAddrStorage */
#define LISTEN_MAX      4096

/* The bytes of the __wasi_address_t at ptr: 0, or EFAULT. */
static int address_mem(wasm_instance *inst, uint32_t ptr, uint8_t **buf, uint32_t *len)
{
	uint8_t *a = wasi_mem(inst, ptr, 8);
	uint32_t b;

	if (!a)
		return WASI_EFAULT;
	memcpy(&b, a, 4);
	memcpy(len, a + 4, 4);
	*buf = wasi_mem(inst, b, *len);
	return *buf ? 0 : WASI_EFAULT;
}

/* An address the guest gives (bind, connect, send_to), with its port. */
static int address_in(wasm_instance *inst, uint32_t ptr, bool v2, uint32_t port,
		      struct plat_addr *a)
{
	uint8_t *buf;
	uint32_t len;
	uint16_t fam;
	int err = address_mem(inst, ptr, &buf, &len);

	memset(a, 0, sizeof(*a));
	if (err)
		return err;
	if (v2 && len == WE_STORAGE_LEN) {
		memcpy(&fam, buf, 2);
		if (fam == WE_AF_UNIX)
			return WASI_ENOSYS;
		if (fam != WE_AF_INET4 && fam != WE_AF_INET6)
			return WASI_EINVAL;
		len = fam == WE_AF_INET4 ? 4 : 16;
		buf += 2;
	}
	if (len != 4 && len != 16)
		return WASI_EINVAL;
	a->family = len == 4 ? PLAT_AF_INET : PLAT_AF_INET6;
	memcpy(a->addr, buf, len);
	a->port = (uint16_t)port;       /* an i32 truncated to u16, as WasmEdge */
	return 0;
}

/* 0 if the pool grants a; else a log line and ENOTCAPABLE. */
static int pool_check(struct wasi_ctx *ctx, const char *what, const struct plat_addr *a)
{
	if (wasi_grants_pool_allows(&ctx->grants, a))
		return 0;
	wasi_sock_refuse(what, a, "not in the instance's address pool (--addr-pool)");
	return WASI_ENOTCAPABLE;
}

/* A destination (connect, send_to): in the pool, and not the unspecified
 * address, which Linux takes for this machine's loopback. */
static int dest_check(struct wasi_ctx *ctx, const char *what, const struct plat_addr *a)
{
	if (!wasi_addr_is_unspecified(a))
		return pool_check(ctx, what, a);
	wasi_sock_refuse(what, a, "the unspecified address is no destination "
			 "(it reaches this machine's loopback)");
	return WASI_ENOTCAPABLE;
}

WASI_HOST_FN(sock_open)
{
	/* (af: u8, socktype: u8, ro_fd_ptr) */
	struct wasi_ctx *ctx = env;
	uint32_t af = ARG32(0) & 0xff, type = ARG32(1) & 0xff, fd;
	struct plat_sock *s;
	int family = af == WE_AF_INET4 ? PLAT_AF_INET : PLAT_AF_INET6;
	int ptype = type == WE_SOCK_STREAM ? PLAT_SOCK_STREAM : PLAT_SOCK_DGRAM;
	int err = 0;

	if (af != WE_AF_INET4 && af != WE_AF_INET6)
		err = af == WE_AF_UNIX ? WASI_ENOSYS : WASI_EINVAL;
	else if (type != WE_SOCK_STREAM && type != WE_SOCK_DGRAM)
		err = WASI_EINVAL;
	else if (!wasi_mem(inst, ARG32(2), 4))
		err = WASI_EFAULT;
	else if (!wasi_grants_any_pool(&ctx->grants)) {
		wasi_sock_refuse("sock_open", NULL, "the instance has no address "
				 "pool (--addr-pool): no socket of its own");
		err = WASI_ENOTCAPABLE;
	}
	if (!err)
		err = wasi_errno_from_plat(plat_sock_open(family, ptype, &s));
	if (!err)
		err = wasi_sock_install(ctx, s, family, ptype, WASI_RIGHTS_SOCK_OPEN,
					0, 0, &fd);
	return wasi_ret(results, err ? err : wasi_store_u32(inst, ARG32(2), fd));
}

static int sock_bind(wasm_instance *inst, struct wasi_ctx *ctx, const uint64_t *args,
		     bool v2)
{
	/* (fd, addr_ptr, port) */
	struct plat_addr a;
	struct wasi_fd *f;
	int err = wasi_sock_lookup(ctx, ARG32(0), 0, &f);

	if (!err)
		err = address_in(inst, ARG32(1), v2, ARG32(2), &a);
	if (!err && a.family != f->sock_family)
		err = WASI_EINVAL;              /* Linux's bind() answer */
	if (!err)
		err = pool_check(ctx, "bind to", &a);
	if (!err)
		err = wasi_errno_from_plat(plat_sock_bind(f->sock, &a));
	if (!err)
		f->sock_state |= WASI_SOCK_BOUND;
	return err;
}

WASI_HOST_FN(sock_bind_v1)
{
	return wasi_ret(results, sock_bind(inst, env, args, false));
}

WASI_HOST_FN(sock_bind_v2)
{
	return wasi_ret(results, sock_bind(inst, env, args, true));
}

WASI_HOST_FN(sock_listen)
{
	/* (fd, backlog: i32).  An unbound socket would listen on an
	 * ephemeral port of every address: that must be granted too. */
	struct wasi_ctx *ctx = env;
	struct plat_addr any;
	struct wasi_fd *f;
	int32_t backlog = (int32_t)ARG32(1);
	int err = wasi_sock_lookup(ctx, ARG32(0), 0, &f);

	if (!err && f->sock_type != PLAT_SOCK_STREAM)
		err = WASI_ENOTSUP;             /* Linux: EOPNOTSUPP */
	if (!err && !(f->sock_state & WASI_SOCK_BOUND)) {
		memset(&any, 0, sizeof any);
		any.family = f->sock_family;
		if (!(err = pool_check(ctx, "listen on", &any)))
			err = wasi_errno_from_plat(plat_sock_bind(f->sock, &any));
		if (!err)
			f->sock_state |= WASI_SOCK_BOUND;
	}
	backlog = backlog < 1 ? 1 : backlog > LISTEN_MAX ? LISTEN_MAX : backlog;
	if (!err)
		err = wasi_errno_from_plat(plat_sock_listen(f->sock, backlog));
	if (!err)
		f->sock_state |= WASI_SOCK_LISTENING;
	return wasi_ret(results, err);
}

WASI_HOST_FN(sock_accept_v1)
{
	/* (fd, ro_fd_ptr): WasmEdge's V1, the new fd blocking; the same as
	 * preview1's (fd, flags = 0, ro_fd_ptr). */
	uint64_t a[3] = { ARG32(0), 0, ARG32(1) };

	return wasi_sock_accept(inst, env, a, results);
}

/* A stream connect in progress on a blocking fd: wait for its outcome. */
static int connect_wait(struct wasi_fd *f)
{
	uint64_t deadline = UINT64_MAX, now = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	int val = 0;

	if (f->sndtimeo_ns)
		deadline = now + f->sndtimeo_ns < now ? UINT64_MAX - 1 : now + f->sndtimeo_ns;
	for (;;) {
		struct plat_wait_sock w = { f->sock, PLAT_POLL_OUT };

		if (plat_sock_poll(f->sock, NULL) & (PLAT_POLL_OUT | PLAT_POLL_ERR | PLAT_POLL_HUP))
			break;
		if (plat_clock_ns(PLAT_CLOCK_MONOTONIC) >= deadline)
			return WASI_EINPROGRESS;        /* Linux, on SO_SNDTIMEO */
		plat_wait(deadline, 0, &w, 1);
	}
	if (plat_sock_getopt(f->sock, PLAT_SO_ERROR, &val))
		return 0;
	return val ? wasi_errno_from_plat(val) : 0;
}

static int sock_connect(wasm_instance *inst, struct wasi_ctx *ctx, const uint64_t *args,
			bool v2)
{
	/* (fd, addr_ptr, port) */
	struct plat_addr a;
	struct wasi_fd *f;
	int err = wasi_sock_lookup(ctx, ARG32(0), 0, &f), r;

	if (!err)
		err = address_in(inst, ARG32(1), v2, ARG32(2), &a);
	if (!err && a.family != f->sock_family)
		err = WASI_EAFNOSUPPORT;        /* Linux's connect() answer */
	if (!err)
		err = dest_check(ctx, "connect to", &a);
	if (err)
		return err;
	r = plat_sock_connect(f->sock, &a);
	if (r != -EINPROGRESS)
		return wasi_errno_from_plat(r);
	if (f->fdflags & WASI_FDFLAG_NONBLOCK)
		return WASI_EINPROGRESS;
	return connect_wait(f);
}

WASI_HOST_FN(sock_connect_v1)
{
	return wasi_ret(results, sock_connect(inst, env, args, false));
}

WASI_HOST_FN(sock_connect_v2)
{
	return wasi_ret(results, sock_connect(inst, env, args, true));
}

/* The sender's address into the guest's __wasi_address_t bytes: V1 the
 * raw IP if it fits, V2 also the 128-byte storage with its family. */
static void address_out(uint8_t *buf, uint32_t len, const struct plat_addr *a,
			bool v2)
{
	uint32_t n = a->family == PLAT_AF_INET ? 4 : 16;
	uint16_t fam = a->family == PLAT_AF_INET ? WE_AF_INET4 : WE_AF_INET6;

	if (a->family != PLAT_AF_INET && a->family != PLAT_AF_INET6)
		return;
	if (v2 && len == WE_STORAGE_LEN) {
		memcpy(buf, &fam, 2);
		memcpy(buf + 2, a->addr, n);
	} else if (len >= n) {
		memcpy(buf, a->addr, n);
	}
}

/* sock_recv_from, V1 (7 params, no port) and V2 (8: ro_port_ptr, u16). */
static int sock_recv_from(wasm_instance *inst, struct wasi_ctx *ctx,
			  const uint64_t *args, bool v2)
{
	/* V1: (fd, ri_data, ri_data_len, addr_ptr, ri_flags, ro_datalen_ptr,
	 *      ro_flags_ptr); V2 has ro_port_ptr before ro_datalen_ptr. */
	uint32_t i = v2 ? 6 : 5, n, alen;
	uint8_t *abuf, *rof = NULL, *rport = NULL;
	struct plat_addr from;
	struct wasi_fd *f;
	uint16_t of, port;
	int err = wasi_sock_lookup(ctx, ARG32(0), WASI_RIGHT_FD_READ, &f);

	if (!err && ARG32(4) & ~(WASI_RIFLAG_RECV_PEEK | WASI_RIFLAG_RECV_WAITALL))
		err = WASI_EINVAL;
	if (!err)
		err = address_mem(inst, ARG32(3), &abuf, &alen);
	if (!err && v2 && alen != 4 && alen != 16 && alen != WE_STORAGE_LEN)
		err = WASI_EINVAL;
	if (!err && ((v2 && !(rport = wasi_mem(inst, ARG32(5), 2))) ||
		     !wasi_mem(inst, ARG32(i), 4) || !(rof = wasi_mem(inst, ARG32(i + 1), 2))))
		err = WASI_EFAULT;
	memset(&from, 0, sizeof from);
	if (!err)
		err = wasi_sock_recv_iovs(inst, f, ARG32(1), ARG32(2), ARG32(4), &n, &of, &from);
	if (err)
		return err;
	address_out(abuf, alen, &from, v2);
	if (rport) {
		port = from.port;       /* a number: see the top of the file */
		memcpy(rport, &port, 2);
	}
	memcpy(rof, &of, 2);
	return wasi_store_u32(inst, ARG32(i), n);
}

WASI_HOST_FN(sock_recv_from_v1)
{
	return wasi_ret(results, sock_recv_from(inst, env, args, false));
}

WASI_HOST_FN(sock_recv_from_v2)
{
	return wasi_ret(results, sock_recv_from(inst, env, args, true));
}

static int sock_send_to(wasm_instance *inst, struct wasi_ctx *ctx, const uint64_t *args,
			bool v2)
{
	/* (fd, si_data, si_data_len, addr_ptr, port, si_flags, ro_datalen_ptr) */
	struct plat_addr a;
	struct wasi_fd *f;
	uint32_t n;
	int err = wasi_sock_lookup(ctx, ARG32(0), WASI_RIGHT_FD_WRITE, &f);

	if (!err)
		err = address_in(inst, ARG32(3), v2, ARG32(4), &a);
	if (!err && ARG32(5))
		err = WASI_EINVAL;              /* siflags: none defined */
	if (!err && !wasi_mem(inst, ARG32(6), 4))
		err = WASI_EFAULT;
	if (!err && a.family != f->sock_family)
		err = WASI_EAFNOSUPPORT;
	if (!err)
		err = dest_check(ctx, "send to", &a);
	/* A stream has its peer already (Linux ignores the address). */
	if (!err)
		err = wasi_sock_send_iovs(inst, f, ARG32(1), ARG32(2),
					  f->sock_type == PLAT_SOCK_DGRAM ? &a : NULL, &n);
	return err ? err : wasi_store_u32(inst, ARG32(6), n);
}

WASI_HOST_FN(sock_send_to_v1)
{
	return wasi_ret(results, sock_send_to(inst, env, args, false));
}

WASI_HOST_FN(sock_send_to_v2)
{
	return wasi_ret(results, sock_send_to(inst, env, args, true));
}

/* sock_getlocaladdr / sock_getpeeraddr.  V1 (fd, addr_ptr,
 * ro_addrtype_ptr, ro_port_ptr): a 4- or 16-byte buffer, the type as 4 or
 * 6 (WasmEdge's compatibility choice, not the enum's 1/2), the port a u32;
 * V2 (fd, addr_ptr, ro_port_ptr): the 128-byte storage. */
static int sock_getaddr(wasm_instance *inst, struct wasi_ctx *ctx,
			const uint64_t *args, bool v2, int peer)
{
	uint32_t port_ptr = v2 ? ARG32(2) : ARG32(3), alen, type;
	struct plat_addr a;
	struct wasi_fd *f;
	uint8_t *abuf;
	int err = wasi_sock_lookup(ctx, ARG32(0), 0, &f);

	if (!err)
		err = address_mem(inst, ARG32(1), &abuf, &alen);
	if (!err && (v2 ? alen != WE_STORAGE_LEN : alen != 4 && alen != 16))
		err = WASI_EINVAL;
	if (!err && (!wasi_mem(inst, port_ptr, 4) || (!v2 && !wasi_mem(inst, ARG32(2), 4))))
		err = WASI_EFAULT;
	if (!err)
		err = wasi_errno_from_plat(plat_sock_addr(f->sock, peer, &a));
	if (!err && !v2 && alen == 4 && a.family == PLAT_AF_INET6)
		err = WASI_ENOMEM;              /* WasmEdge's answer: no room */
	if (err)
		return err;
	address_out(abuf, alen, &a, v2);
	if (!v2) {
		type = a.family == PLAT_AF_INET ? 4 : 6;
		wasi_store_u32(inst, ARG32(2), type);
	}
	return wasi_store_u32(inst, port_ptr, a.port);
}

WASI_HOST_FN(sock_getlocaladdr_v1)
{
	return wasi_ret(results, sock_getaddr(inst, env, args, false, 0));
}

WASI_HOST_FN(sock_getlocaladdr_v2)
{
	return wasi_ret(results, sock_getaddr(inst, env, args, true, 0));
}

WASI_HOST_FN(sock_getpeeraddr_v1)
{
	return wasi_ret(results, sock_getaddr(inst, env, args, false, 1));
}

WASI_HOST_FN(sock_getpeeraddr_v2)
{
	return wasi_ret(results, sock_getaddr(inst, env, args, true, 1));
}
