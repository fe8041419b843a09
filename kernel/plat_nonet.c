/*
 * plat_nonet.c — the sockets of jit/plat.h for a kernel built without a
 * network stack: what plat.h defines for "this machine has no network",
 * -ENETDOWN from every call that would need one, so that the portable
 * WASI socket layer links and answers ENETDOWN (and a --tcplisten grant
 * stops the boot with "cannot listen: ENETDOWN").
 *
 * Every definition is weak: net/sock.c (lwIP, the kernel-net work)
 * defines the real ones, which take precedence at link time; this file
 * can then be deleted.
 */
#include <errno.h>
#include "plat.h"

#define NONET __attribute__((weak))

NONET int plat_sock_open(int family, enum plat_sock_type type, struct plat_sock **out)
{
	*out = 0;
	return -ENETDOWN;
}

NONET void plat_sock_close(struct plat_sock *s)
{
}

NONET int plat_sock_bind(struct plat_sock *s, const struct plat_addr *a)
{
	return -ENETDOWN;
}

NONET int plat_sock_listen(struct plat_sock *s, int backlog)
{
	return -ENETDOWN;
}

NONET int plat_sock_accept(struct plat_sock *s, struct plat_sock **out,
			   struct plat_addr *peer)
{
	*out = 0;
	return -ENETDOWN;
}

NONET int plat_sock_connect(struct plat_sock *s, const struct plat_addr *a)
{
	return -ENETDOWN;
}

NONET long plat_sock_recv(struct plat_sock *s, const struct plat_iov *iov, size_t n,
			  unsigned flags, unsigned *oflags, struct plat_addr *from)
{
	*oflags = 0;
	return -ENETDOWN;
}

NONET long plat_sock_send(struct plat_sock *s, const struct plat_iov *iov, size_t n,
			  const struct plat_addr *to)
{
	return -ENETDOWN;
}

NONET int plat_sock_shutdown(struct plat_sock *s, unsigned how)
{
	return -ENETDOWN;
}

NONET int plat_sock_addr(struct plat_sock *s, int peer, struct plat_addr *out)
{
	return -ENETDOWN;
}

NONET int plat_sock_getopt(struct plat_sock *s, enum plat_sockopt opt, int *val)
{
	return -ENETDOWN;
}

NONET int plat_sock_setopt(struct plat_sock *s, enum plat_sockopt opt, int val)
{
	return -ENETDOWN;
}

NONET unsigned plat_sock_poll(struct plat_sock *s, uint64_t *nread)
{
	if (nread)
		*nread = 0;
	return PLAT_POLL_ERR;
}

NONET int plat_resolve(const char *name, int family, struct plat_addr *out, int max)
{
	return -ENETDOWN;
}
