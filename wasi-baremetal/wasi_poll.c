/*
 * wasi_poll.c — poll_oneoff (wasi_snapshot_preview1, witx "poll_oneoff":
 * subscription 48 bytes, event 32 bytes, wasi_abi.h) and reads of the
 * console's input (stdin), which share the platform's readiness test.
 *
 *   copy the subscriptions (in and out may overlap) -> clock deadlines on
 *   the monotonic clock, once, and the sockets to wait on -> loop: an
 *   event for every subscription that is ready or in error; none ->
 *   plat_wait(earliest deadline, wake on console input if stdin is
 *   watched, and on the sockets' events) -> nevents
 *
 * Readiness, per fd kind: stdout/stderr always accept writes; stdin is
 * ready when the platform has input or its end (then flag hangup);
 * regular files are always ready, nbytes = bytes left to read; a socket
 * is readable with data, a connection to accept, its end (flag hangup)
 * or an error, nbytes = what one read gets (a datagram's size), and
 * writable with room to send or an error (plat_sock_poll).  Errors are
 * per event (error field), as the witx event type carries them: EBADF for
 * an fd that is not open or is a directory, ENOTCAPABLE without the
 * poll_fd_readwrite right, EINVAL
 * for an unknown clock id; the call itself fails only for nsubscriptions
 * == 0 (EINVAL: it would wait forever), a bad eventtype tag (EINVAL) or a
 * pointer outside memory (EFAULT).
 *
 * Clocks: relative timeouts of any clock are waited on the monotonic
 * clock; an absolute one is converted with that clock's current time.
 * Precision is a hint we do not need.
 */
#include <errno.h>
#include <stdlib.h>
#include "plat.h"
#include "wasi_impl.h"

struct poll_state {
	struct wasi_subscription *subs;
	uint64_t *deadline;             /* monotonic; UINT64_MAX: not a clock */
	uint16_t *clock_err;            /* per clock subscription */
	uint32_t n;
	bool watch_stdin;
	struct plat_wait_sock *wait;    /* the socket subscriptions */
	size_t nwait;
};

static void event_put(uint8_t *out, uint32_t idx, const struct wasi_subscription *s,
		      uint16_t error, uint64_t nbytes, uint16_t flags)
{
	struct wasi_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.userdata = s->userdata;
	ev.error = error;
	ev.type = s->tag;
	ev.nbytes = nbytes;
	ev.flags = flags;
	memcpy(out + (uint64_t)idx * sizeof(ev), &ev, sizeof(ev));
}

/* A socket: readable with data, a pending connection, its end or an
 * error; writable with room or an error (then the call tells which).  A
 * peer's close does not make a socket writable (its send buffer may be
 * full), and does not wake a plat_wait for writing either (plat.h). */
static bool sock_event(struct wasi_fd *f, bool rd, uint64_t *nbytes,
		       uint16_t *flags)
{
	uint64_t nread = 0;
	unsigned bits = plat_sock_poll(f->sock, &nread);

	if (bits & PLAT_POLL_HUP)
		*flags = WASI_EVENTRWFLAGS_HANGUP;
	if (rd) {
		*nbytes = nread;
		return bits & (PLAT_POLL_IN | PLAT_POLL_HUP | PLAT_POLL_ERR);
	}
	return bits & (PLAT_POLL_OUT | PLAT_POLL_ERR);
}

/* An fd subscription: true if it has an event now (ready, or an error in
 * *err), with its nbytes and flags. */
static bool fd_event(struct wasi_ctx *ctx, const struct wasi_subscription *s,
		     uint16_t *err, uint64_t *nbytes, uint16_t *flags)
{
	struct wasi_fd *f = wasi_fd_get(ctx, s->u.fd_readwrite.fd);
	bool rd = s->tag == WASI_EVENTTYPE_FD_READ;

	*err = 0;
	*nbytes = 0;
	*flags = 0;
	if (!f || f->kind == WASI_FD_DIR)
		*err = WASI_EBADF;      /* a directory is neither read nor written */
	else if (!(f->rights_base & WASI_RIGHT_POLL_FD_READWRITE))
		*err = WASI_ENOTCAPABLE;
	if (*err)
		return true;
	switch (f->kind) {
	case WASI_FD_CONSOLE_IN:
		if (!plat_console_ready(nbytes))
			return false;
		if (*nbytes == 0)
			*flags = WASI_EVENTRWFLAGS_HANGUP;      /* end of input */
		return true;
	case WASI_FD_CONSOLE_OUT:
		return true;            /* the console takes every write */
	case WASI_FD_FILE:
		/* Always ready (witx: "always triggers for regular files"). */
		if (rd)
			*nbytes = wasi_fd_nbytes(f);
		return true;
	case WASI_FD_SOCKET:
		return sock_event(f, rd, nbytes, flags);
	default:
		return true;
	}
}

/* Monotonic deadline of a clock subscription: 0 or an errno. */
static int clock_deadline(struct wasi_ctx *ctx, const struct wasi_subscription *s,
			  uint64_t mono_now, uint64_t *deadline)
{
	uint64_t now, wait = s->u.clock.timeout;
	int err;

	err = wasi_clock_now(ctx, s->u.clock.id, &now);
	if (err)
		return err;
	if (s->u.clock.flags & WASI_SUBCLOCKFLAG_ABSTIME)
		wait = wait > now ? wait - now : 0;
	*deadline = mono_now + wait < mono_now ? UINT64_MAX - 1 : mono_now + wait;
	return 0;
}

/* Deadlines and clock errors, once, at the start of the call. */
static void poll_setup(struct wasi_ctx *ctx, struct poll_state *ps)
{
	uint64_t mono = plat_clock_ns(PLAT_CLOCK_MONOTONIC);

	for (uint32_t i = 0; i < ps->n; i++) {
		const struct wasi_subscription *s = &ps->subs[i];
		struct wasi_fd *f;

		ps->deadline[i] = UINT64_MAX;
		ps->clock_err[i] = 0;
		if (s->tag == WASI_EVENTTYPE_CLOCK) {
			ps->clock_err[i] = clock_deadline(ctx, s, mono, &ps->deadline[i]);
			continue;
		}
		f = wasi_fd_get(ctx, s->u.fd_readwrite.fd);
		if (f && f->kind == WASI_FD_CONSOLE_IN && s->tag == WASI_EVENTTYPE_FD_READ)
			ps->watch_stdin = true;
		if (f && f->kind == WASI_FD_SOCKET &&
		    (f->rights_base & WASI_RIGHT_POLL_FD_READWRITE))
			ps->wait[ps->nwait++] = (struct plat_wait_sock){ f->sock,
				s->tag == WASI_EVENTTYPE_FD_READ ? PLAT_POLL_IN : PLAT_POLL_OUT };
	}
}

/* One pass: an event for each subscription that fired.  *first = the
 * earliest deadline still ahead. */
static uint32_t poll_scan(struct wasi_ctx *ctx, struct poll_state *ps,
			  uint8_t *out, uint64_t *first)
{
	uint64_t now = plat_clock_ns(PLAT_CLOCK_MONOTONIC), nbytes;
	uint32_t nev = 0;
	uint16_t err, flags;

	*first = UINT64_MAX;
	for (uint32_t i = 0; i < ps->n; i++) {
		const struct wasi_subscription *s = &ps->subs[i];

		if (s->tag != WASI_EVENTTYPE_CLOCK) {
			if (fd_event(ctx, s, &err, &nbytes, &flags))
				event_put(out, nev++, s, err, nbytes, flags);
		} else if (ps->clock_err[i] || ps->deadline[i] <= now) {
			event_put(out, nev++, s, ps->clock_err[i], 0, 0);
		} else if (ps->deadline[i] < *first) {
			*first = ps->deadline[i];
		}
	}
	return nev;
}

static int poll_alloc(struct poll_state *ps, uint32_t n)
{
	memset(ps, 0, sizeof(*ps));
	ps->n = n;
	ps->subs = malloc((size_t)n * sizeof(*ps->subs));
	ps->deadline = malloc((size_t)n * sizeof(*ps->deadline));
	ps->clock_err = malloc((size_t)n * sizeof(*ps->clock_err));
	ps->wait = malloc((size_t)n * sizeof(*ps->wait));
	return ps->subs && ps->deadline && ps->clock_err && ps->wait ? 0 : WASI_ENOMEM;
}

static void poll_free(struct poll_state *ps)
{
	free(ps->subs);
	free(ps->deadline);
	free(ps->clock_err);
	free(ps->wait);
}

static int poll_oneoff(wasm_instance *inst, struct wasi_ctx *ctx, uint32_t in_ptr,
		       uint32_t out_ptr, uint32_t n, uint32_t nevents_ptr)
{
	uint8_t *in = wasi_mem(inst, in_ptr, (uint64_t)n * sizeof(struct wasi_subscription));
	uint8_t *out = wasi_mem(inst, out_ptr, (uint64_t)n * sizeof(struct wasi_event));
	struct poll_state ps;
	uint64_t first;
	uint32_t nev;
	int err;

	if (n == 0)
		return WASI_EINVAL;
	if (!in || !out || !wasi_mem(inst, nevents_ptr, 4))
		return WASI_EFAULT;
	for (uint32_t i = 0; i < n; i++)
		if (in[(uint64_t)i * sizeof(struct wasi_subscription) + 8] >
		    WASI_EVENTTYPE_FD_WRITE)
			return WASI_EINVAL;
	err = poll_alloc(&ps, n);
	if (!err) {
		memcpy(ps.subs, in, (size_t)n * sizeof(*ps.subs));
		poll_setup(ctx, &ps);
		while ((nev = poll_scan(ctx, &ps, out, &first)) == 0)
			plat_wait(first, ps.watch_stdin, ps.wait, ps.nwait);
		err = wasi_store_u32(inst, nevents_ptr, nev);
	}
	poll_free(&ps);
	return err;
}

WASI_HOST_FN(poll_oneoff)
{
	/* (in: subscription*, out: event*, nsubscriptions, nevents_ptr) */
	return wasi_ret(results, poll_oneoff(inst, env, ARG32(0), ARG32(1),
					     ARG32(2), ARG32(3)));
}

/* ---- fd_read of stdin ------------------------------------------------------ */

int wasi_console_readv(wasm_instance *inst, uint32_t iovs_ptr, uint32_t niovs,
		       bool nonblock, uint32_t *nread)
{
	uint64_t total = 0;

	*nread = 0;
	for (uint32_t i = 0; i < niovs; i++) {
		struct wasi_ciovec v;
		uint8_t *iov = wasi_mem(inst, iovs_ptr + 8 * (uint64_t)i, 8), *buf;
		long r;

		if (!iov)
			return WASI_EFAULT;
		memcpy(&v, iov, sizeof(v));
		buf = wasi_mem(inst, v.buf, v.buf_len);
		if (!buf)
			return WASI_EFAULT;
		if (!v.buf_len)
			continue;
		/* Wait for the first byte only; then take what is there. */
		r = plat_console_read(buf, v.buf_len, total == 0 && !nonblock);
		if (r == -EAGAIN && total == 0)
			return WASI_EAGAIN;
		if (r < 0 && total == 0)
			return WASI_EIO;
		if (r <= 0)
			break;
		total += (uint64_t)r;
		if ((uint64_t)r < v.buf_len)
			break;
	}
	*nread = (uint32_t)total;
	return 0;
}
