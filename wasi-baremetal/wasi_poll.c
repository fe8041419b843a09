/*
 * wasi_poll.c — poll_oneoff (wasi_snapshot_preview1): wait for the first of
 * n subscriptions (clock timeouts, fd readiness) and write one event per
 * subscription that fired.  Layouts: struct wasi_subscription (48 bytes)
 * and struct wasi_event (32 bytes), wasi_abi.h.
 *
 * The console fds are always ready (stdout/stderr accept writes, stdin is
 * at end of file), so fd subscriptions complete at once.  Clock
 * subscriptions are served by waiting on the monotonic clock; with no
 * platform sleep/idle hook yet, the wait spins.  This is what sleep() and
 * nanosleep() in wasi-libc come down to.
 */
#include <stdlib.h>
#include "plat.h"
#include "wasi_impl.h"

#define WASI_EVENT_FD_READWRITE_HANGUP 1u

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

static uint16_t fd_ready(struct wasi_ctx *ctx, const struct wasi_subscription *s,
			 uint16_t *flags)
{
	struct wasi_fd *f = wasi_fd_get(ctx, s->u.fd_readwrite.fd);
	uint64_t need = s->tag == WASI_EVENTTYPE_FD_READ ?
			WASI_RIGHT_FD_READ : WASI_RIGHT_FD_WRITE;

	*flags = 0;
	if (!f)
		return WASI_EBADF;
	if (!(f->rights_base & need))
		return WASI_EBADF;
	if (f->kind == WASI_FD_CONSOLE_IN)
		*flags = WASI_EVENT_FD_READWRITE_HANGUP;
	return 0;
}

/* Monotonic deadline of a clock subscription, or an errno. */
static int clock_deadline(struct wasi_ctx *ctx, const struct wasi_subscription *s,
			  uint64_t mono_now, uint64_t *deadline)
{
	uint64_t now, wait = s->u.clock.timeout;
	int err;

	if (s->u.clock.flags & WASI_SUBCLOCKFLAG_ABSTIME) {
		err = wasi_clock_now(ctx, s->u.clock.id, &now);
		if (err)
			return err;
		wait = wait > now ? wait - now : 0;
	} else if (s->u.clock.id > WASI_CLOCK_THREAD_CPUTIME_ID) {
		return WASI_EINVAL;
	}
	*deadline = mono_now + wait < mono_now ? UINT64_MAX : mono_now + wait;
	return 0;
}

/* Events that need no waiting: fd readiness and invalid clocks. */
static uint32_t poll_immediate(struct wasi_ctx *ctx, const struct wasi_subscription *subs,
			       uint32_t n, uint64_t mono_now, uint64_t *deadlines,
			       uint8_t *out)
{
	uint32_t nev = 0;

	for (uint32_t i = 0; i < n; i++) {
		const struct wasi_subscription *s = &subs[i];
		uint16_t flags, err;

		if (s->tag == WASI_EVENTTYPE_CLOCK) {
			err = clock_deadline(ctx, s, mono_now, &deadlines[i]);
			if (err)
				event_put(out, nev++, s, err, 0, 0);
			else if (deadlines[i] <= mono_now)
				event_put(out, nev++, s, 0, 0, 0);
		} else {
			err = fd_ready(ctx, s, &flags);
			event_put(out, nev++, s, err, 0, flags);
		}
	}
	return nev;
}

static uint32_t poll_clocks(const struct wasi_subscription *subs, uint32_t n,
			    const uint64_t *deadlines, uint8_t *out)
{
	uint64_t first = UINT64_MAX, now;
	uint32_t nev = 0;

	for (uint32_t i = 0; i < n; i++)
		if (deadlines[i] < first)
			first = deadlines[i];
	do
		now = plat_clock_ns(PLAT_CLOCK_MONOTONIC);
	while (now < first);
	for (uint32_t i = 0; i < n; i++)
		if (deadlines[i] <= now)
			event_put(out, nev++, &subs[i], 0, 0, 0);
	return nev;
}

static int poll_oneoff(wasm_instance *inst, struct wasi_ctx *ctx, uint32_t in_ptr,
		       uint32_t out_ptr, uint32_t n, uint32_t nevents_ptr)
{
	uint8_t *in = wasi_mem(inst, in_ptr, (uint64_t)n * sizeof(struct wasi_subscription));
	uint8_t *out = wasi_mem(inst, out_ptr, (uint64_t)n * sizeof(struct wasi_event));
	struct wasi_subscription *subs;
	uint64_t *deadlines;
	uint32_t nev;

	if (n == 0)
		return WASI_EINVAL;
	if (!in || !out || !wasi_mem(inst, nevents_ptr, 4))
		return WASI_EFAULT;
	for (uint32_t i = 0; i < n; i++)
		if (in[(uint64_t)i * sizeof(*subs) + 8] > WASI_EVENTTYPE_FD_WRITE)
			return WASI_EINVAL;
	/* Copy first: the guest may pass overlapping in/out areas. */
	subs = malloc((size_t)n * sizeof(*subs));
	deadlines = malloc((size_t)n * sizeof(*deadlines));
	if (!subs || !deadlines) {
		free(subs);
		free(deadlines);
		return WASI_ENOMEM;
	}
	memcpy(subs, in, (size_t)n * sizeof(*subs));
	for (uint32_t i = 0; i < n; i++)
		deadlines[i] = UINT64_MAX;
	nev = poll_immediate(ctx, subs, n, plat_clock_ns(PLAT_CLOCK_MONOTONIC),
			     deadlines, out);
	if (nev == 0)
		nev = poll_clocks(subs, n, deadlines, out);
	free(subs);
	free(deadlines);
	return wasi_store_u32(inst, nevents_ptr, nev);
}

WASI_HOST_FN(poll_oneoff)
{
	/* (in: subscription*, out: event*, nsubscriptions, nevents_ptr) */
	return wasi_ret(results, poll_oneoff(inst, env, ARG32(0), ARG32(1),
					     ARG32(2), ARG32(3)));
}
