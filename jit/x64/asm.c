/*
 * x64/asm.c — the out-of-line part of the x86-64 encoder: the code buffer
 * (growth, the allocation-failure fallback), alignment and patching.  The
 * instruction forms and the REX/ModRM/SIB encoding are inline in asm.h
 * (Intel SDM Vol. 2A §2.1-2.2), so that emitting one instruction costs one
 * capacity compare plus its byte stores.
 */
#include <stdlib.h>
#include <string.h>
#include "asm.h"

void x64_init(struct x64_asm *a)
{
	memset(a, 0, sizeof(*a));
}

void x64_free(struct x64_asm *a)
{
	if (a->buf != a->spare)
		free(a->buf);
	memset(a, 0, sizeof(*a));
}

/* after an allocation failure: write over the spare area from now on */
static void x64_fail(struct x64_asm *a)
{
	if (a->buf != a->spare)
		free(a->buf);
	a->oom = true;
	a->buf = a->spare;
	a->cap = sizeof a->spare;
	a->len = 0;
}

bool x64_reserve(struct x64_asm *a, size_t n)
{
	if (a->oom) {
		a->len = 0;
		return false;
	}
	if (n <= a->cap - a->len)
		return true;
	size_t cap = a->cap ? a->cap * 2 : 4096;
	while (cap - a->len < n) {
		if (cap > SIZE_MAX / 4) {
			x64_fail(a);
			return false;
		}
		cap *= 2;
	}
	uint8_t *b = realloc(a->buf, cap);
	if (!b) {
		x64_fail(a);
		return false;
	}
	a->buf = b;
	a->cap = cap;
	return true;
}

bool x64_presize(struct x64_asm *a, size_t n)
{
	if (a->oom || n <= a->cap - a->len)
		return true;
	uint8_t *b = realloc(a->buf, a->len + n);
	if (!b)
		return false;
	a->buf = b;
	a->cap = a->len + n;
	return true;
}

uint8_t *x64_grow(struct x64_asm *a)
{
	x64_reserve(a, X64_MAX_INSN);
	return a->buf + a->len;
}

void x64_patch_u32(struct x64_asm *a, size_t at, uint32_t v)
{
	if (a->oom || at + 4 > a->len)
		return;
	x64_put32(a->buf + at, v);
}

void x64_align(struct x64_asm *a, size_t n)
{
	while (a->len % n && !a->oom)
		x64_int3(a);
}

void x64_patch_rel32(struct x64_asm *a, size_t field, size_t target)
{
	x64_patch_u32(a, field, (uint32_t)(int32_t)((int64_t)target - (int64_t)(field + 4)));
}
