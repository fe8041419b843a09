/*
 * plat_sock.c — the sockets of jit/plat.h on Linux sockets (the hosted
 * platform), one Linux socket per struct plat_sock:
 *
 *   every fd non-blocking and close-on-exec (SOCK_NONBLOCK | SOCK_CLOEXEC;
 *   accept4 likewise); the WASI layer blocks, when it must, in plat_wait
 *   (host/plat_host.c), which poll(2)s these fds
 *   sends with MSG_NOSIGNAL: a closed peer is -EPIPE, never a SIGPIPE
 *   IPv6 sockets are IPV6_V6ONLY: "::" means IPv6 only, as a pcb bound to
 *   IP6_ADDR_ANY does in lwIP, so a grant means the same on both platforms
 *   plat_resolve = getaddrinfo (the resolver's own timeouts bound it)
 *
 * Grants are not checked here (plat.h: the WASI layer does, above the
 * seam); errors are -errno of Linux's errno.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "plat_host.h"

struct plat_sock {
	int fd;
	int af;                         /* AF_INET / AF_INET6 */
	enum plat_sock_type type;
};

/* struct plat_iov is laid out as struct iovec: recvmsg/sendmsg take the
 * caller's array as it is. */
_Static_assert(sizeof(struct plat_iov) == sizeof(struct iovec), "plat_iov");
_Static_assert(offsetof(struct plat_iov, base) == offsetof(struct iovec, iov_base), "plat_iov");
_Static_assert(offsetof(struct plat_iov, len) == offsetof(struct iovec, iov_len), "plat_iov");

int plat_host_sock_fd(const struct plat_sock *s)
{
	return s->fd;
}

static socklen_t to_sockaddr(const struct plat_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == PLAT_AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(a->port);
		memcpy(&in->sin_addr, a->addr, 4);
		return sizeof(*in);
	}
	if (a->family == PLAT_AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(a->port);
		in6->sin6_scope_id = a->scope;
		memcpy(&in6->sin6_addr, a->addr, 16);
		return sizeof(*in6);
	}
	return 0;
}

static void from_sockaddr(const struct sockaddr_storage *ss, struct plat_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		a->family = PLAT_AF_INET;
		a->port = ntohs(in->sin_port);
		memcpy(a->addr, &in->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		a->family = PLAT_AF_INET6;
		a->port = ntohs(in6->sin6_port);
		a->scope = in6->sin6_scope_id;
		memcpy(a->addr, &in6->sin6_addr, 16);
	}
}

static struct plat_sock *sock_new(int fd, int af, enum plat_sock_type type)
{
	struct plat_sock *s = malloc(sizeof(*s));

	if (!s) {
		close(fd);
		return NULL;
	}
	*s = (struct plat_sock){ .fd = fd, .af = af, .type = type };
	return s;
}

int plat_sock_open(int family, enum plat_sock_type type, struct plat_sock **out)
{
	int af = family == PLAT_AF_INET ? AF_INET : family == PLAT_AF_INET6 ? AF_INET6 : -1;
	int st = type == PLAT_SOCK_STREAM ? SOCK_STREAM : type == PLAT_SOCK_DGRAM ? SOCK_DGRAM : -1;
	int fd, one = 1;

	*out = NULL;
	if (af < 0)
		return -EAFNOSUPPORT;
	if (st < 0)
		return -EPROTOTYPE;
	fd = socket(af, st | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (af == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one)) {
		int e = errno;

		close(fd);
		return -e;
	}
	*out = sock_new(fd, af, type);
	return *out ? 0 : -ENOMEM;
}

void plat_sock_close(struct plat_sock *s)
{
	if (!s)
		return;
	close(s->fd);           /* the kernel finishes sending in the background */
	free(s);
}

int plat_sock_bind(struct plat_sock *s, const struct plat_addr *a)
{
	struct sockaddr_storage ss;
	socklen_t len = to_sockaddr(a, &ss);

	if (!len)
		return -EAFNOSUPPORT;
	return bind(s->fd, (struct sockaddr *)&ss, len) ? -errno : 0;
}

int plat_sock_listen(struct plat_sock *s, int backlog)
{
	return listen(s->fd, backlog) ? -errno : 0;
}

int plat_sock_accept(struct plat_sock *s, struct plat_sock **out,
		     struct plat_addr *peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int fd = accept4(s->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

	*out = NULL;
	if (fd < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (peer)
		from_sockaddr(&ss, peer);
	*out = sock_new(fd, s->af, PLAT_SOCK_STREAM);
	return *out ? 0 : -ENOMEM;
}

int plat_sock_connect(struct plat_sock *s, const struct plat_addr *a)
{
	struct sockaddr_storage ss;
	socklen_t len = to_sockaddr(a, &ss);

	if (!len)
		return -EAFNOSUPPORT;
	if (connect(s->fd, (struct sockaddr *)&ss, len) == 0)
		return 0;
	return -errno;          /* -EINPROGRESS for a stream, as plat.h says */
}

long plat_sock_recv(struct plat_sock *s, const struct plat_iov *iov, size_t n,
		    unsigned flags, unsigned *oflags, struct plat_addr *from)
{
	struct sockaddr_storage ss;
	struct msghdr m = {
		.msg_name = &ss, .msg_namelen = sizeof ss,
		.msg_iov = (struct iovec *)iov, .msg_iovlen = n,
	};
	ssize_t r;

	memset(&ss, 0, sizeof ss);
	*oflags = 0;
	r = recvmsg(s->fd, &m, MSG_DONTWAIT | (flags & PLAT_MSG_PEEK ? MSG_PEEK : 0));
	if (r < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (m.msg_flags & MSG_TRUNC)
		*oflags |= PLAT_MSG_TRUNC;
	if (from) {
		if (s->type == PLAT_SOCK_STREAM || m.msg_namelen == 0)
			plat_sock_addr(s, 1, from);
		else
			from_sockaddr(&ss, from);
	}
	return r;
}

long plat_sock_send(struct plat_sock *s, const struct plat_iov *iov, size_t n,
		    const struct plat_addr *to)
{
	struct sockaddr_storage ss;
	struct msghdr m = { .msg_iov = (struct iovec *)iov, .msg_iovlen = n };
	ssize_t r;

	if (to) {
		m.msg_name = &ss;
		m.msg_namelen = to_sockaddr(to, &ss);
		if (!m.msg_namelen)
			return -EAFNOSUPPORT;
	}
	r = sendmsg(s->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (r < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return r;
}

int plat_sock_shutdown(struct plat_sock *s, unsigned how)
{
	int h = how == (PLAT_SHUT_RD | PLAT_SHUT_WR) ? SHUT_RDWR :
		how == PLAT_SHUT_RD ? SHUT_RD : how == PLAT_SHUT_WR ? SHUT_WR : -1;

	if (h < 0)
		return -EINVAL;
	return shutdown(s->fd, h) ? -errno : 0;
}

int plat_sock_addr(struct plat_sock *s, int peer, struct plat_addr *out)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int r;

	memset(&ss, 0, sizeof ss);
	r = peer ? getpeername(s->fd, (struct sockaddr *)&ss, &len)
		 : getsockname(s->fd, (struct sockaddr *)&ss, &len);
	if (r)
		return -errno;
	from_sockaddr(&ss, out);
	return 0;
}

/* The Linux level and name of a plat_sockopt, or -1. */
static int opt_name(enum plat_sockopt opt, int *level)
{
	*level = SOL_SOCKET;
	switch (opt) {
	case PLAT_SO_REUSEADDR: return SO_REUSEADDR;
	case PLAT_SO_KEEPALIVE: return SO_KEEPALIVE;
	case PLAT_SO_BROADCAST: return SO_BROADCAST;
	case PLAT_SO_SNDBUF:    return SO_SNDBUF;
	case PLAT_SO_RCVBUF:    return SO_RCVBUF;
	case PLAT_SO_ERROR:     return SO_ERROR;
	case PLAT_TCP_NODELAY:  *level = IPPROTO_TCP; return TCP_NODELAY;
	}
	return -1;
}

int plat_sock_getopt(struct plat_sock *s, enum plat_sockopt opt, int *val)
{
	int level, name = opt_name(opt, &level);
	socklen_t len = sizeof(*val);

	if (name < 0)
		return -ENOPROTOOPT;
	return getsockopt(s->fd, level, name, val, &len) ? -errno : 0;
}

int plat_sock_setopt(struct plat_sock *s, enum plat_sockopt opt, int val)
{
	int level, name = opt_name(opt, &level);

	if (name < 0 || opt == PLAT_SO_ERROR)
		return -ENOPROTOOPT;
	return setsockopt(s->fd, level, name, &val, sizeof val) ? -errno : 0;
}

static unsigned poll_bits(short revents)
{
	unsigned bits = 0;

	if (revents & POLLIN)
		bits |= PLAT_POLL_IN;
	if (revents & POLLOUT)
		bits |= PLAT_POLL_OUT;
	if (revents & (POLLHUP | POLLRDHUP))
		bits |= PLAT_POLL_HUP;
	if (revents & POLLERR)
		bits |= PLAT_POLL_ERR;
	return bits;
}

unsigned plat_sock_poll(struct plat_sock *s, uint64_t *nread)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN | POLLOUT | POLLRDHUP };
	int avail = 0;

	if (nread)
		*nread = 0;
	if (poll(&p, 1, 0) <= 0)
		return 0;
	/* FIONREAD: bytes queued on a stream, the next datagram's size on a
	 * datagram socket; a listener has none (EINVAL). */
	if (nread && (p.revents & POLLIN) && ioctl(s->fd, FIONREAD, &avail) == 0 &&
	    avail > 0)
		*nread = (uint64_t)avail;
	return poll_bits(p.revents);
}

static int resolve_error(int eai)
{
	switch (eai) {
	case EAI_NONAME:
#ifdef EAI_NODATA
	case EAI_NODATA:
#endif
	case EAI_FAIL:
		return -ENOENT;
	case EAI_AGAIN:
		return -ETIMEDOUT;
	case EAI_MEMORY:
		return -ENOMEM;
	case EAI_FAMILY:
		return -EAFNOSUPPORT;
	case EAI_SYSTEM:
		return errno ? -errno : -EIO;
	default:
		return -EIO;
	}
}

int plat_resolve(const char *name, int family, struct plat_addr *out, int max)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int r, n = 0;

	if (family == PLAT_AF_INET)
		hints.ai_family = AF_INET;
	else if (family == PLAT_AF_INET6)
		hints.ai_family = AF_INET6;
	else if (family == 0)
		hints.ai_family = AF_UNSPEC;
	else
		return -EAFNOSUPPORT;
	r = getaddrinfo(name, NULL, &hints, &res);
	if (r)
		return resolve_error(r);
	for (ai = res; ai && n < max; ai = ai->ai_next) {
		struct sockaddr_storage ss;

		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof ss)
			continue;
		memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
		from_sockaddr(&ss, &out[n]);
		out[n++].port = 0;
	}
	freeaddrinfo(res);
	return n ? n : -ENOENT;
}

/* ---- plat_wait: poll(2) on the console, the sockets and the deadline ----- */

/* poll(2)'s timeout for a deadline: whole ms, rounded up (that only makes
 * us late), -1 for none. */
static int wait_ms(uint64_t deadline_ns, uint64_t now)
{
	uint64_t ms;

	if (deadline_ns == UINT64_MAX)
		return -1;
	ms = (deadline_ns - now) / 1000000 + 1;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

#define WAIT_STACK_FDS 32

void plat_wait(uint64_t deadline_ns, int console,
	       const struct plat_wait_sock *socks, size_t n)
{
	uint64_t now = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	struct pollfd stack[WAIT_STACK_FDS], *p = stack;
	size_t k = 0;

	if (now >= deadline_ns || (console && plat_host_stdin_eof()))
		return;
	if (!console && n == 0 && deadline_ns == UINT64_MAX) {
		pause();                        /* nothing can wake us but a signal */
		return;
	}
	if (n + 1 > WAIT_STACK_FDS && !(p = malloc((n + 1) * sizeof(*p)))) {
		/* No memory for the set: wait a little, the caller checks again. */
		struct timespec ts = { .tv_nsec = 1000000 };

		nanosleep(&ts, NULL);
		return;
	}
	if (console)
		p[k++] = (struct pollfd){ .fd = 0, .events = POLLIN };
	for (size_t i = 0; i < n; i++) {
		short ev = 0;

		/* POLLHUP and POLLERR always wake; a peer's half close only
		 * a reader (a writer can still write). */
		if (socks[i].events & PLAT_POLL_IN)
			ev |= POLLIN | POLLRDHUP;
		if (socks[i].events & PLAT_POLL_OUT)
			ev |= POLLOUT;
		p[k++] = (struct pollfd){ .fd = plat_host_sock_fd(socks[i].s), .events = ev };
	}
	/* EINTR (SIGALRM of --timeout, ...): return, the caller checks again */
	poll(p, k, wait_ms(deadline_ns, now));
	if (p != stack)
		free(p);
}
