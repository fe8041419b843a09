/*
 * llvm_debug.c — line-table debug info whose "line" is a Wasm byte
 * offset: every instruction the translator builds carries the module
 * offset of the Wasm instruction it comes from (DILocation line, column
 * 0), so that LLVM's .debug_line maps each machine instruction back to
 * its Wasm instruction (llvm_lines.c reads it), inlined ones included
 * (their lines are the callee's offsets).  Faults in LLVM code then
 * report the instruction, and backtraces the call, as for single-pass
 * code.  Line tables only (DWARF 4): no types, no variables; debug info
 * does not change the generated code.
 */
#include <stdio.h>
#include <llvm-c/DebugInfo.h>
#include "lw.h"

void lw_debug_begin(struct lw *s)
{
	LLVMMetadataRef v;

	s->dib = LLVMCreateDIBuilder(s->mod);
	s->difile = LLVMDIBuilderCreateFile(s->dib, "module.wasm", 11, "", 0);
	LLVMDIBuilderCreateCompileUnit(s->dib, LLVMDWARFSourceLanguageC, s->difile,
		"wasmetal", 8, true, "", 0, 0, "", 0, LLVMDWARFEmissionLineTablesOnly, 0,
		false, false, "", 0, "", 0);
	v = LLVMValueAsMetadata(LLVMConstInt(s->i32, 3, false));
	LLVMAddModuleFlag(s->mod, LLVMModuleFlagBehaviorWarning, "Debug Info Version", 18, v);
	v = LLVMValueAsMetadata(LLVMConstInt(s->i32, 4, false));
	LLVMAddModuleFlag(s->mod, LLVMModuleFlagBehaviorWarning, "Dwarf Version", 13, v);
	s->disubty = LLVMDIBuilderCreateSubroutineType(s->dib, s->difile, NULL, 0,
						       LLVMDIFlagZero);
}

/* The subprogram of own function i (LLVM function fn), line its body's
 * start. */
void lw_debug_func(struct lw *s, uint32_t i, LLVMValueRef fn)
{
	char name[32];
	int n = snprintf(name, sizeof name, "wasm_func_%u", i);
	unsigned line = s->m->funcs[i].body_start;
	LLVMMetadataRef sp = LLVMDIBuilderCreateFunction(s->dib, s->difile, name, (size_t)n,
		name, (size_t)n, s->difile, line, s->disubty, true, true, line,
		LLVMDIFlagZero, true);

	LLVMSetSubprogram(fn, sp);
}

/* What the builder builds from now on comes from module offset off of
 * the function being translated (NULL scope: no location, for code
 * outside the Wasm functions). */
void lw_debug_loc(struct lw *s, uint32_t off)
{
	LLVMMetadataRef sp = s->fn ? LLVMGetSubprogram(s->fn) : NULL;

	LLVMSetCurrentDebugLocation2(s->b, sp ? LLVMDIBuilderCreateDebugLocation(s->c, off, 0,
								 sp, NULL) : NULL);
}

void lw_debug_end(struct lw *s)
{
	if (!s->dib)
		return;
	LLVMDIBuilderFinalize(s->dib);
	LLVMDisposeDIBuilder(s->dib);
	s->dib = NULL;
}
