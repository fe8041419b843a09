/*
 * abi.h — the numbers compiled code, the runtime's assembly (x64/entry.S)
 * and C agree on: offsets into struct jit_ctx (jit.h) and into the native
 * frame jit_enter leaves, and the version of the wasm ABI (docs/abi.md).
 *
 * Plain #defines only: x64/entry.S includes this file.  jit.h checks every
 * CTX_* against offsetof(struct jit_ctx, ...) with static asserts, so a
 * field moved in C without its number here does not build.
 */
#ifndef JIT_ABI_H
#define JIT_ABI_H

/* The calling convention of compiled code (docs/abi.md).  Anything that
 * stores or loads compiled code (the artifacts of issue 9) records it and
 * refuses another. */
#define JIT_ABI_VERSION 1

/* struct jit_ctx, reached through r14 (jit.h) */
#define CTX_MEM_BASE     0
#define CTX_MEM_SIZE     8
#define CTX_STACK_LIMIT  16
#define CTX_ENTRY_RSP    24
#define CTX_FUNCS        32
#define CTX_GLOBALS      40
#define CTX_TABLES       48
#define CTX_HOST_CALL    56
#define CTX_TRAP         64
#define CTX_MEM_GROW     72
#define CTX_INST         80
#define CTX_TRAP_OUT     88
#define CTX_MEM_PAGES    96
#define CTX_FUNCREFS     136
#define CTX_RT           144
#define CTX_MEMS         168    /* struct jit_memory ** (multi-memory) */
#define CTX_TAGS         176    /* struct jit_tag ** (exception handling) */
#define CTX_EH_TOP       184    /* struct jit_eh_rec *: active try bodies */
#define CTX_EH_NCAUGHT   192    /* uint64_t: exceptions held by catch bodies */

/* exception handling (docs/abi.md "Exceptions"): a try's handler record
 * (struct jit_eh_rec, jit.h) in the frame of the function that runs it */
#define REC_PREV         0      /* the enclosing active record (eh_top before) */
#define REC_RSP          8      /* rsp and rbp of the function at the handler */
#define REC_RBP          16
#define REC_PC           24     /* the handler's address (exception in rax) */
#define REC_NCAUGHT      32     /* ctx->eh_ncaught when the try began */
#define REC_EXN          40     /* the caught exception (its catch bodies) */
#define REC_SIZE         48
/* the LLVM backend's records (host/llvm/llvm_eh.c) go on: what its
 * setjmp-like stub saved, restored by its landing pad at REC_PC (which
 * jit_eh_resume enters with rdi = the record) */
#define REC_RBX          48
#define REC_R12          56
#define REC_R13          64
#define REC_R14          72
#define REC_R15          80
#define REC_RA           88     /* the stub's return address */
#define REC_LLVM_SIZE    96
/* struct jit_exn (jit.h): the exception object */
#define EXN_TAG          8      /* struct jit_tag * */
#define EXN_PAYLOAD      16     /* value i at EXN_PAYLOAD + 16 * i */

/* struct jit_memory (jit.h): memory i > 0 is [[r14 + CTX_MEMS] + 8*i] */
#define JM_BASE          0
#define JM_SIZE          8
#define JM_PAGES         16

/* jit_enter_raw's frame (x64/entry.S) on the native stack, from
 * ctx->entry_rsp up:
 *   [entry_rsp + ENTRY_OUTER_RSP]   the previous ctx->entry_rsp
 *   [entry_rsp + ENTRY_CALL]        the struct jit_call * (jit.h)
 *   then r15 r14 r13 r12 rbx rbp and jit_enter_raw's return address */
#define ENTRY_OUTER_RSP  0
#define ENTRY_CALL       8
#define ENTRY_SAVED      16     /* where the pushed registers start */

/* struct jit_call (jit.h): the registers and stack arguments jit_enter
 * loads before the call, and the result registers it stores after */
#define JC_GPR           0      /* rdi rsi rdx rcx r8 r9 */
#define JC_XMM           48     /* xmm0..xmm7, low 64 bits */
#define JC_STACK         112
#define JC_NSTACK        120
#define JC_RET           128    /* rax rdx xmm0 xmm1 */
#define JC_XMM_HI        160    /* xmm0..xmm7, high 64 bits */
#define JC_RET_HI        224    /* xmm0 xmm1, high 64 bits */

#endif
