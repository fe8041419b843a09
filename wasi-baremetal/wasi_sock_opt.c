/*
 * wasi_sock_opt.c — sock_getsockopt and sock_setsockopt of WasmEdge's
 * socket extension (wasifunc.cpp WasiSockGetOpt/WasiSockSetOpt, api.hpp
 * __wasi_sock_opt_so_t, inode-linux.cpp sockGetOpt/sockSetOpt; d516c5d):
 *
 *   (fd, level, optname, optval_ptr, optlen_ptr)   get: *optlen in/out
 *   (fd, level, optname, optval_ptr, optlen)       set: a length, by value
 *
 * level is SOL_SOCKET = 0 only, optname 0..14 (else EINVAL).  Values are
 * little-endian i32s, except SO_LINGER { i32 onoff; i32 linger } and
 * SO_RCVTIMEO/SO_SNDTIMEO, a wasm32-wasi struct timeval { i64 tv_sec;
 * i64 tv_usec }.  SO_ERROR reads the pending error as a WASI errno,
 * SO_TYPE the WASI socket type (1 datagram, 2 stream).
 *
 * The timeouts live here, in the WASI layer (wasi_fd.rcvtimeo_ns,
 * sndtimeo_ns: the deadline of a blocking call), so both platforms keep
 * them alike.  Options the platform does not have (SO_DONTROUTE,
 * SO_OOBINLINE, SO_RCVLOWAT, SO_BINDTODEVICE, SO_LINGER on) read back as
 * what we do (off, 1 byte, no device) and cannot be set: ENOPROTOOPT.
 */
#include "plat.h"
#include "wasi_impl.h"

enum {
	SO_REUSEADDR_, SO_TYPE_, SO_ERROR_, SO_DONTROUTE_, SO_BROADCAST_,
	SO_SNDBUF_, SO_RCVBUF_, SO_KEEPALIVE_, SO_OOBINLINE_, SO_LINGER_,
	SO_RCVLOWAT_, SO_RCVTIMEO_, SO_SNDTIMEO_, SO_ACCEPTCONN_,
	SO_BINDTODEVICE_, SO_LAST_ = SO_BINDTODEVICE_,
};

#define TIMEVAL_LEN 16
#define NS_PER_S  1000000000ull
#define NS_PER_US 1000ull
#define TIMEO_MAX_S (UINT64_MAX / NS_PER_S - 1)

/* The platform's option behind a WasmEdge int option, or -1. */
static int plat_opt(uint32_t name)
{
	switch (name) {
	case SO_REUSEADDR_: return PLAT_SO_REUSEADDR;
	case SO_BROADCAST_: return PLAT_SO_BROADCAST;
	case SO_SNDBUF_:    return PLAT_SO_SNDBUF;
	case SO_RCVBUF_:    return PLAT_SO_RCVBUF;
	case SO_KEEPALIVE_: return PLAT_SO_KEEPALIVE;
	default:            return -1;
	}
}

/* An int option's value: 0 or errno. */
static int get_int(struct wasi_fd *f, uint32_t name, int32_t *v)
{
	int p = plat_opt(name), val = 0, err;

	switch (name) {
	case SO_TYPE_:
		*v = f->sock_type == PLAT_SOCK_DGRAM ? 1 : 2;
		return 0;
	case SO_ERROR_:
		err = plat_sock_getopt(f->sock, PLAT_SO_ERROR, &val);
		*v = err ? 0 : wasi_errno_from_plat(val);
		return wasi_errno_from_plat(err);
	case SO_ACCEPTCONN_:
		*v = !!(f->sock_state & WASI_SOCK_LISTENING);
		return 0;
	case SO_DONTROUTE_:
	case SO_OOBINLINE_:
		*v = 0;
		return 0;
	case SO_RCVLOWAT_:
		*v = 1;
		return 0;
	}
	err = p < 0 ? WASI_ENOPROTOOPT :
	      wasi_errno_from_plat(plat_sock_getopt(f->sock, (enum plat_sockopt)p, &val));
	*v = val;
	return err;
}

static void put_timeval(uint8_t *p, uint64_t ns)
{
	int64_t sec = (int64_t)(ns / NS_PER_S), usec = (int64_t)(ns % NS_PER_S / NS_PER_US);

	memcpy(p, &sec, 8);
	memcpy(p + 8, &usec, 8);
}

static int getsockopt_(wasm_instance *inst, struct wasi_ctx *ctx, const uint64_t *args)
{
	uint32_t name = ARG32(2), len, need;
	uint8_t *lenp = wasi_mem(inst, ARG32(4), 4), *val;
	struct wasi_fd *f;
	int32_t v, zero[2] = { 0, 0 };
	int err = wasi_sock_lookup(ctx, ARG32(0), 0, &f);

	if (!err && (ARG32(1) != 0 || name > SO_LAST_))
		err = WASI_EINVAL;
	if (!err && !lenp)
		err = WASI_EFAULT;
	if (err)
		return err;
	memcpy(&len, lenp, 4);
	need = name == SO_RCVTIMEO_ || name == SO_SNDTIMEO_ ? TIMEVAL_LEN :
	       name == SO_LINGER_ ? 8 : name == SO_BINDTODEVICE_ ? 0 : 4;
	if (len < need)
		return WASI_EINVAL;
	if (!(val = wasi_mem(inst, ARG32(3), need)))
		return WASI_EFAULT;
	if (name == SO_RCVTIMEO_ || name == SO_SNDTIMEO_)
		put_timeval(val, name == SO_RCVTIMEO_ ? f->rcvtimeo_ns : f->sndtimeo_ns);
	else if (name == SO_LINGER_)
		memcpy(val, zero, 8);   /* off: a close sends the rest, never waits */
	else if (need == 4 && !(err = get_int(f, name, &v)))
		memcpy(val, &v, 4);
	if (err)
		return err;
	memcpy(lenp, &need, 4);
	return 0;
}

WASI_HOST_FN(sock_getsockopt)
{
	return wasi_ret(results, getsockopt_(inst, env, args));
}

/* SO_RCVTIMEO / SO_SNDTIMEO: the timeval as nanoseconds (0 = none). */
static int get_timeout(const uint8_t *p, uint64_t *ns)
{
	int64_t sec, usec;

	memcpy(&sec, p, 8);
	memcpy(&usec, p + 8, 8);
	if (sec < 0 || usec < 0 || usec >= 1000000)
		return WASI_EDOM;               /* Linux's answer */
	if ((uint64_t)sec > TIMEO_MAX_S)
		sec = (int64_t)TIMEO_MAX_S;
	*ns = (uint64_t)sec * NS_PER_S + (uint64_t)usec * NS_PER_US;
	return 0;
}

static int setsockopt_(wasm_instance *inst, struct wasi_ctx *ctx, const uint64_t *args)
{
	uint32_t name = ARG32(2), len = ARG32(4);
	struct wasi_fd *f;
	uint8_t *val;
	int32_t v;
	int p, err = wasi_sock_lookup(ctx, ARG32(0), 0, &f);

	if (!err && (ARG32(1) != 0 || name > SO_LAST_))
		err = WASI_EINVAL;
	if (!err && !(val = wasi_mem(inst, ARG32(3), len)))
		err = WASI_EFAULT;
	if (err)
		return err;
	if (name == SO_RCVTIMEO_ || name == SO_SNDTIMEO_) {
		if (len < TIMEVAL_LEN)
			return WASI_EINVAL;
		return get_timeout(val, name == SO_RCVTIMEO_ ? &f->rcvtimeo_ns
							     : &f->sndtimeo_ns);
	}
	if (len < 4)
		return WASI_EINVAL;
	memcpy(&v, val, 4);
	if (name == SO_LINGER_)         /* off is what we do; on we cannot */
		return len < 8 ? WASI_EINVAL : v ? WASI_ENOPROTOOPT : 0;
	if ((p = plat_opt(name)) < 0)
		return WASI_ENOPROTOOPT;
	return wasi_errno_from_plat(plat_sock_setopt(f->sock, (enum plat_sockopt)p, v));
}

WASI_HOST_FN(sock_setsockopt)
{
	return wasi_ret(results, setsockopt_(inst, env, args));
}
