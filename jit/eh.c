/*
 * eh.c — the runtime of exception handling (the exception-handling
 * proposal's legacy form: try/catch/catch_all/delegate/throw/rethrow;
 * docs/abi.md "Exceptions"): exception objects, the caught stack, and the
 * unwinding to a handler record that compiled code (jit/compile/eh.c) left
 * in its frame.
 *
 *   throw -> eh_throw: a new object (one reference, in flight) -> unwind:
 *   ctx->eh_top NULL: the exception leaves the innermost jit_enter
 *   (jit_unwind with WASM_TRAP_EXCEPTION, the object in ctx->eh_escaped);
 *   else pop that record, drop the caught exceptions of the catch bodies
 *   the unwinding leaves (those above the record's ncaught), and resume
 *   at its handler (jit_eh_resume, x64/entry.S) with the object in rax.
 *
 * Traps never reach a handler: they unwind straight to jit_enter (trap.c),
 * which restores eh_top and drops what catch bodies held.
 */
#include <stdlib.h>
#include <string.h>
#include "jit.h"

void jit_eh_release(struct jit_exn *e)
{
	if (e && --e->refs == 0)
		free(e);
}

void jit_eh_drop_to(struct jit_ctx *ctx, uint64_t n)
{
	while (ctx->eh_ncaught > n)
		jit_eh_release(ctx->eh_caught[--ctx->eh_ncaught]);
}

struct jit_exn *jit_eh_take(struct jit_ctx *ctx)
{
	struct jit_exn *e = ctx->eh_escaped;

	ctx->eh_escaped = NULL;
	return e;
}

/* A failure of the runtime itself (out of memory, a broken invariant):
 * a trap with msg (shorter than host_msg). */
__attribute__((noreturn))
static void eh_fail(struct jit_ctx *ctx, const char *msg, uintptr_t rip, uintptr_t rbp)
{
	jit_trap_record(ctx, WASM_TRAP_HOST, rip, rbp);
	if (ctx->trap_out)
		strcpy(ctx->trap_out->host_msg, msg);
	jit_unwind(ctx, WASM_TRAP_HOST);
}

void jit_eh_throw_at(struct jit_ctx *ctx, struct jit_exn *e, uintptr_t rip, uintptr_t rbp)
{
	struct jit_eh_rec *rec = ctx->eh_top;

	if (!rec) {
		jit_trap_record(ctx, WASM_TRAP_EXCEPTION, rip, rbp);
		jit_eh_release(ctx->eh_escaped);
		ctx->eh_escaped = e;
		jit_unwind(ctx, WASM_TRAP_EXCEPTION);
	}
	ctx->eh_top = rec->prev;
	jit_eh_drop_to(ctx, rec->ncaught);
	jit_eh_resume(rec, e, ctx);
}

/* the compiled code's call site: our return address and its rbp */
#define SITE_RIP ((uintptr_t)__builtin_return_address(0))
#define SITE_RBP (*(uintptr_t *)__builtin_frame_address(0))

void jit_eh_rt_throw(struct jit_ctx *ctx, uint32_t tag, const uint8_t *first,
			int64_t stride)
{
	const struct wasm_functype *ft = ctx->tags[tag]->type;
	struct jit_exn *e = malloc(sizeof *e + 16 * (size_t)ft->nparams);

	if (!e)
		eh_fail(ctx, "out of memory (exception)", SITE_RIP, SITE_RBP);
	e->refs = 1;
	e->nvals = ft->nparams;
	e->tag = ctx->tags[tag];
	memset(e->payload, 0, 16 * (size_t)ft->nparams);
	for (uint32_t i = 0; i < ft->nparams; i++)
		memcpy(e->payload + 16 * i, first - (int64_t)i * stride,
		       ft->params[i] == WASM_V128 ? 16 : 8);
	jit_eh_throw_at(ctx, e, SITE_RIP, SITE_RBP);
}

void jit_eh_rt_throw_obj(struct jit_ctx *ctx, struct jit_exn *e)
{
	jit_eh_throw_at(ctx, e, SITE_RIP, SITE_RBP);
}

void jit_eh_rt_rethrow(struct jit_ctx *ctx, struct jit_exn *e)
{
	e->refs++;
	jit_eh_throw_at(ctx, e, SITE_RIP, SITE_RBP);
}

uint32_t jit_eh_rt_catch(struct jit_ctx *ctx, struct jit_exn *e)
{
	if (ctx->eh_ncaught == ctx->eh_capcaught) {
		uint64_t cap = ctx->eh_capcaught ? 2 * ctx->eh_capcaught : 16;
		struct jit_exn **a = realloc(ctx->eh_caught, cap * sizeof *a);

		if (!a) {
			jit_eh_release(e);
			return WASM_TRAP_HOST;
		}
		ctx->eh_caught = a;
		ctx->eh_capcaught = cap;
	}
	ctx->eh_caught[ctx->eh_ncaught++] = e;
	return 0;
}

void jit_eh_rt_pass(struct jit_ctx *ctx)
{
	struct jit_exn *e;

	/* the handler pushed it (eh_catch); never empty unless the
	   compiler is wrong: a trap then, not a read before the array */
	if (!ctx->eh_ncaught)
		eh_fail(ctx, "no caught exception (compiler bug)", SITE_RIP, SITE_RBP);
	e = ctx->eh_caught[--ctx->eh_ncaught];

	jit_eh_throw_at(ctx, e, SITE_RIP, SITE_RBP);
}

void jit_eh_rt_drop(struct jit_ctx *ctx, uint32_t n)
{
	jit_eh_drop_to(ctx, ctx->eh_ncaught - n);
}
