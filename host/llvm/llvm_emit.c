/*
 * llvm_emit.c — the LLVM backend's code generation without a JIT engine
 * (issue 9: the shape an artifact needs): the translated and optimized
 * module -> an ELF-64 relocatable object in memory (x86-64, PIC, small
 * code model; the functions carry "frame-pointer"="all", noredzone and
 * their target features, llvm_module.c) -> llvm_elf.c's blob.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <llvm-c/Support.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include "llvm_backend.h"
#include "lw.h"

/* LLVM 14's X86CmovConversion pass turns a cmov into a branch and sinks
 * a load folded into it into the arm that uses it, volatile or not
 * (llvm/llvm-project#42267, fixed upstream in 2026): a Wasm select (or a
 * phi made a select) between a value and an out-of-bounds load then
 * skips the load and does not trap.  A cmov with a memory operand always
 * loads, so without the pass the trap stays (found by the differential
 * fuzzer; tests/llvm/select_load_trap.wat,
 * tests/fuzz/diff/regress/select_of_oob_load_skipped.wat).  The option is
 * process-wide and may be parsed only once (a second time, LLVM exits). */
static void init_x86(void)
{
	const char *const argv[] = { "wasmetal", "-x86-cmov-converter=false" };

	LLVMInitializeX86TargetInfo();
	LLVMInitializeX86Target();
	LLVMInitializeX86TargetMC();
	LLVMInitializeX86AsmPrinter();
	LLVMInitializeX86AsmParser();   /* inline asm: rep movsb/stosb */
	LLVMParseCommandLineOptions(2, argv, NULL);
}

/* The x86-64 target machine both O2 (its TargetTransformInfo: costs of
 * unrolling, addressing modes, vectorization) and code generation use:
 * PIC, small code model, baseline "x86-64"; the CPU features are per
 * function (target-features).  NULL with err. */
LLVMTargetMachineRef lw_target_machine(char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	LLVMTargetRef t;
	LLVMTargetMachineRef tm;
	char *msg = NULL;

	pthread_once(&once, init_x86);
	if (LLVMGetTargetFromTriple(LW_TRIPLE, &t, &msg)) {
		snprintf(err, errlen, "llvm backend: target: %s", msg ? msg : "?");
		LLVMDisposeMessage(msg);
		return NULL;
	}
	tm = LLVMCreateTargetMachine(t, LW_TRIPLE, "x86-64", "", LLVMCodeGenLevelDefault,
				     LLVMRelocPIC, LLVMCodeModelSmall);
	if (!tm)
		snprintf(err, errlen, "llvm backend: cannot create the target machine");
	return tm;
}

int llvm_wasm_emit_object(LLVMModuleRef mod, LLVMMemoryBufferRef *out, char *err,
			  size_t errlen)
{
	LLVMTargetMachineRef tm = lw_target_machine(err, errlen);
	char *msg = NULL;
	LLVMBool bad;

	if (!tm)
		return -1;
	LLVMSetTarget(mod, LW_TRIPLE);
	bad = LLVMTargetMachineEmitToMemoryBuffer(tm, mod, LLVMObjectFile, &msg, out);
	LLVMDisposeTargetMachine(tm);
	if (bad) {
		snprintf(err, errlen, "llvm backend: code generation: %s", msg ? msg : "?");
		LLVMDisposeMessage(msg);
		return -1;
	}
	return 0;
}

/* the own function whose body holds module offset off (bodies are in
 * function order, ascending), or UINT32_MAX */
static uint32_t func_of_offset(const wasm_module *m, uint32_t off)
{
	uint32_t lo = m->nimported_funcs, hi = m->nfuncs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (off < m->funcs[mid].body_start)
			hi = mid;
		else if (off >= m->funcs[mid].body_end)
			lo = mid + 1;
		else
			return mid;
	}
	return UINT32_MAX;
}

int llvm_wasm_compile(const wasm_module *m, unsigned cpu, struct llvm_wasm_code *out,
		      char *err, size_t errlen)
{
	LLVMContextRef c = LLVMContextCreate();
	LLVMModuleRef mod = NULL;
	LLVMMemoryBufferRef obj = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	rc = llvm_wasm_translate(m, c, cpu, &mod, err, errlen);
	rc = rc ? rc : llvm_wasm_optimize(mod, err, errlen);
	rc = rc ? rc : llvm_wasm_emit_object(mod, &obj, err, errlen);
	rc = rc ? rc : llvm_wasm_link_object((const uint8_t *)LLVMGetBufferStart(obj),
					     LLVMGetBufferSize(obj), m->nfuncs, out, err,
					     errlen);
	for (uint32_t i = m->nimported_funcs; !rc && i < m->nfuncs; i++) {
		if (out->func_off[i] == UINT32_MAX || out->entry_off[i] == UINT32_MAX) {
			snprintf(err, errlen, "llvm backend: object file: function %u "
				 "missing", i);
			llvm_wasm_code_free(out);
			rc = -1;
		}
	}
	for (uint32_t k = 0; !rc && k < out->ntraps; k++) {
		if ((out->traps[k].func = func_of_offset(m, out->traps[k].wasm_off)) ==
		    UINT32_MAX) {
			snprintf(err, errlen, "llvm backend: trap site %u: offset %#x is in "
				 "no function", k, out->traps[k].wasm_off);
			llvm_wasm_code_free(out);
			rc = -1;
		}
	}
	if (obj)
		LLVMDisposeMemoryBuffer(obj);
	if (mod)
		LLVMDisposeModule(mod);
	LLVMContextDispose(c);
	return rc;
}
