/*
 * opcodes.h — the one table of WebAssembly opcodes (Core spec 2.0 §5.4
 * "Instructions", binary format; return_call 0x12 and return_call_indirect
 * 0x13 from the tail-call proposal), as X-macros, one table per prefix:
 *
 *   WASM_OPCODES(X)     the one-byte opcodes:
 *                       X(code, cname, name, imm, flags, a, b, r)
 *   WASM_FC_OPCODES(X)  the 0xfc-prefixed ones (a u32 sub-opcode):
 *                       X(sub, cname, name, imm, a, r)
 *   (0xfd, SIMD: not supported; its table goes next to these, and its
 *   prefix is in WASM_OPCODES so that it is known as one)
 *
 *   code   the opcode byte; sub the 0xfc sub-opcode
 *   cname  the C name: enum wasm_op OP_<cname>, enum wasm_fc_op OPFC_<cname>
 *   name   the text-format name
 *   imm    the kind of immediates that follow it (OPI_<imm>, below)
 *   flags  how the compiler treats it (OPF_*, below; 0 = none)
 *   a b r  for the plain numeric opcodes 0x45..0xc4: operand types a, b
 *          (b = 0: unary) and result type r; 0 0 0 for the rest, whose
 *          types the validator works out itself (0xfc: a r for the
 *          saturating truncations, 0 0 for the rest)
 *
 * The enums below and the tables in opcodes.c (wasm_opinfo,
 * wasm_fc_opinfo) are expanded from them, and used by the decoder
 * (module.c: constant expressions, "is it an opcode"), the instantiator
 * (instance.c: constant expressions) and the compiler (jit/compile/:
 * validation, code, the look-ahead scan, messages).  No code compares an
 * opcode with a number.  The compiler's big opcode switch stays a switch:
 * each case has its own code.
 */
#ifndef JIT_OPCODES_H
#define JIT_OPCODES_H

#include <stdint.h>
#include "wasm.h"

/* immediate kinds (§5.4) */
enum {
	OPI_BAD,        /* not an opcode */
	OPI_NONE,
	OPI_BLOCKTYPE,  /* s33 block type */
	OPI_U32,        /* one index or label */
	OPI_U32X2,      /* call_indirect and return_call_indirect
			   (type, table);
			   table.init (elem, table); table.copy (dst, src) */
	OPI_BRTABLE,    /* vec(labelidx) labelidx */
	OPI_VALTYPES,   /* vec(valtype) (select t*) */
	OPI_BYTE,       /* ref.null's reftype */
	OPI_I32, OPI_I64, OPI_F32, OPI_F64,
	OPI_FC,         /* 0xfc: a u32 sub-opcode, then its own immediates */
	OPI_FD,         /* 0xfd: SIMD, not supported */
	OPI_U32_MEMIDX, /* memory.init: dataidx, memidx */
	OPI_MEMIDX2,    /* memory.copy: memidx memidx */
	OPI_MEMARG,     /* loads, stores: flags (bit 6: a memidx follows,
			   multi-memory), [memidx,] offset; all u32 */
	OPI_MEMIDX,     /* memory.size/grow/fill: memidx.  Wasm 2.0 has a
			   0x00 byte where multi-memory has a u32 index
			   (jit/compile/memory.c reads it as the module's
			   features say; skipping it as a u32 is right for
			   both, as a non-zero byte is invalid in 2.0) */
};

/* compiler flags */
#define OPF_KEEPS     0x01  /* compiled on value locations (no flush first) */
#define OPF_CC        0x02  /* consumes a comparison's flags (V_FLAGS) itself */
#define OPF_CALLS     0x04  /* calls out: pinned locals go home around it */
#define OPF_CALLS_NOPOPCNT 0x08 /* calls out unless the CPU has POPCNT */
#define OPF_CALLS_NOSSE41  0x10 /* calls out unless the CPU has SSE4.1 */

#define WASM_OPCODES(X) \
	X(0x00, UNREACHABLE, "unreachable",   NONE, OPF_KEEPS, 0, 0, 0) \
	X(0x01, NOP, "nop",           NONE, OPF_KEEPS, 0, 0, 0) \
	X(0x02, BLOCK, "block",         BLOCKTYPE, OPF_KEEPS, 0, 0, 0) \
	X(0x03, LOOP, "loop",          BLOCKTYPE, OPF_KEEPS, 0, 0, 0) \
	X(0x04, IF, "if",            BLOCKTYPE, OPF_KEEPS | OPF_CC, 0, 0, 0) \
	X(0x05, ELSE, "else",          NONE, OPF_KEEPS, 0, 0, 0) \
	X(0x0b, END, "end",           NONE, OPF_KEEPS, 0, 0, 0) \
	X(0x0c, BR, "br",            U32, OPF_KEEPS, 0, 0, 0) \
	X(0x0d, BR_IF, "br_if",         U32, OPF_KEEPS | OPF_CC, 0, 0, 0) \
	X(0x0e, BR_TABLE, "br_table",      BRTABLE, OPF_KEEPS, 0, 0, 0) \
	X(0x0f, RETURN, "return",        NONE, OPF_KEEPS, 0, 0, 0) \
	X(0x10, CALL, "call",          U32, OPF_KEEPS | OPF_CALLS, 0, 0, 0) \
	X(0x11, CALL_INDIRECT, "call_indirect", U32X2, OPF_CALLS, 0, 0, 0) \
	X(0x12, RETURN_CALL, "return_call", U32, OPF_KEEPS | OPF_CALLS, 0, 0, 0) \
	X(0x13, RETURN_CALL_INDIRECT, "return_call_indirect", U32X2, OPF_CALLS, 0, 0, 0) \
	X(0x1a, DROP, "drop",          NONE, OPF_KEEPS | OPF_CC, 0, 0, 0) \
	X(0x1b, SELECT, "select",        NONE, OPF_KEEPS | OPF_CC, 0, 0, 0) \
	X(0x1c, SELECT_T, "select",        VALTYPES, OPF_KEEPS | OPF_CC, 0, 0, 0) \
	X(0x20, LOCAL_GET, "local.get",     U32, OPF_KEEPS, 0, 0, 0) \
	X(0x21, LOCAL_SET, "local.set",     U32, OPF_KEEPS, 0, 0, 0) \
	X(0x22, LOCAL_TEE, "local.tee",     U32, OPF_KEEPS, 0, 0, 0) \
	X(0x23, GLOBAL_GET, "global.get",    U32, OPF_KEEPS, 0, 0, 0) \
	X(0x24, GLOBAL_SET, "global.set",    U32, OPF_KEEPS, 0, 0, 0) \
	X(0x25, TABLE_GET, "table.get",     U32, 0, 0, 0, 0) \
	X(0x26, TABLE_SET, "table.set",     U32, 0, 0, 0, 0) \
	X(0x28, I32_LOAD, "i32.load",      MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x29, I64_LOAD, "i64.load",      MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x2a, F32_LOAD, "f32.load",      MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x2b, F64_LOAD, "f64.load",      MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x2c, I32_LOAD8_S, "i32.load8_s",   MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x2d, I32_LOAD8_U, "i32.load8_u",   MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x2e, I32_LOAD16_S, "i32.load16_s",  MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x2f, I32_LOAD16_U, "i32.load16_u",  MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x30, I64_LOAD8_S, "i64.load8_s",   MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x31, I64_LOAD8_U, "i64.load8_u",   MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x32, I64_LOAD16_S, "i64.load16_s",  MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x33, I64_LOAD16_U, "i64.load16_u",  MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x34, I64_LOAD32_S, "i64.load32_s",  MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x35, I64_LOAD32_U, "i64.load32_u",  MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x36, I32_STORE, "i32.store",     MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x37, I64_STORE, "i64.store",     MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x38, F32_STORE, "f32.store",     MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x39, F64_STORE, "f64.store",     MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x3a, I32_STORE8, "i32.store8",    MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x3b, I32_STORE16, "i32.store16",   MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x3c, I64_STORE8, "i64.store8",    MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x3d, I64_STORE16, "i64.store16",   MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x3e, I64_STORE32, "i64.store32",   MEMARG, OPF_KEEPS, 0, 0, 0) \
	X(0x3f, MEMORY_SIZE, "memory.size",   MEMIDX, 0, 0, 0, 0) \
	X(0x40, MEMORY_GROW, "memory.grow",   MEMIDX, OPF_CALLS, 0, 0, 0) \
	X(0x41, I32_CONST, "i32.const",     I32, OPF_KEEPS, 0, 0, 0) \
	X(0x42, I64_CONST, "i64.const",     I64, OPF_KEEPS, 0, 0, 0) \
	X(0x43, F32_CONST, "f32.const",     F32, OPF_KEEPS, 0, 0, 0) \
	X(0x44, F64_CONST, "f64.const",     F64, OPF_KEEPS, 0, 0, 0) \
	X(0x45, I32_EQZ, "i32.eqz",       NONE, OPF_KEEPS | OPF_CC, WASM_I32, 0, WASM_I32) \
	X(0x46, I32_EQ, "i32.eq",        NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x47, I32_NE, "i32.ne",        NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x48, I32_LT_S, "i32.lt_s",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x49, I32_LT_U, "i32.lt_u",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x4a, I32_GT_S, "i32.gt_s",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x4b, I32_GT_U, "i32.gt_u",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x4c, I32_LE_S, "i32.le_s",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x4d, I32_LE_U, "i32.le_u",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x4e, I32_GE_S, "i32.ge_s",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x4f, I32_GE_U, "i32.ge_u",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x50, I64_EQZ, "i64.eqz",       NONE, OPF_KEEPS, WASM_I64, 0, WASM_I32) \
	X(0x51, I64_EQ, "i64.eq",        NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x52, I64_NE, "i64.ne",        NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x53, I64_LT_S, "i64.lt_s",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x54, I64_LT_U, "i64.lt_u",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x55, I64_GT_S, "i64.gt_s",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x56, I64_GT_U, "i64.gt_u",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x57, I64_LE_S, "i64.le_s",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x58, I64_LE_U, "i64.le_u",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x59, I64_GE_S, "i64.ge_s",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x5a, I64_GE_U, "i64.ge_u",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x5b, F32_EQ, "f32.eq",        NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_I32) \
	X(0x5c, F32_NE, "f32.ne",        NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_I32) \
	X(0x5d, F32_LT, "f32.lt",        NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_I32) \
	X(0x5e, F32_GT, "f32.gt",        NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_I32) \
	X(0x5f, F32_LE, "f32.le",        NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_I32) \
	X(0x60, F32_GE, "f32.ge",        NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_I32) \
	X(0x61, F64_EQ, "f64.eq",        NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_I32) \
	X(0x62, F64_NE, "f64.ne",        NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_I32) \
	X(0x63, F64_LT, "f64.lt",        NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_I32) \
	X(0x64, F64_GT, "f64.gt",        NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_I32) \
	X(0x65, F64_LE, "f64.le",        NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_I32) \
	X(0x66, F64_GE, "f64.ge",        NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_I32) \
	X(0x67, I32_CLZ, "i32.clz",       NONE, OPF_KEEPS, WASM_I32, 0, WASM_I32) \
	X(0x68, I32_CTZ, "i32.ctz",       NONE, OPF_KEEPS, WASM_I32, 0, WASM_I32) \
	X(0x69, I32_POPCNT, "i32.popcnt",    NONE, OPF_KEEPS | OPF_CALLS_NOPOPCNT, WASM_I32, 0, WASM_I32) \
	X(0x6a, I32_ADD, "i32.add",       NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x6b, I32_SUB, "i32.sub",       NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x6c, I32_MUL, "i32.mul",       NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x6d, I32_DIV_S, "i32.div_s",     NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x6e, I32_DIV_U, "i32.div_u",     NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x6f, I32_REM_S, "i32.rem_s",     NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x70, I32_REM_U, "i32.rem_u",     NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x71, I32_AND, "i32.and",       NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x72, I32_OR, "i32.or",        NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x73, I32_XOR, "i32.xor",       NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x74, I32_SHL, "i32.shl",       NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x75, I32_SHR_S, "i32.shr_s",     NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x76, I32_SHR_U, "i32.shr_u",     NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x77, I32_ROTL, "i32.rotl",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x78, I32_ROTR, "i32.rotr",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x79, I64_CLZ, "i64.clz",       NONE, OPF_KEEPS, WASM_I64, 0, WASM_I64) \
	X(0x7a, I64_CTZ, "i64.ctz",       NONE, OPF_KEEPS, WASM_I64, 0, WASM_I64) \
	X(0x7b, I64_POPCNT, "i64.popcnt",    NONE, OPF_KEEPS | OPF_CALLS_NOPOPCNT, WASM_I64, 0, WASM_I64) \
	X(0x7c, I64_ADD, "i64.add",       NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x7d, I64_SUB, "i64.sub",       NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x7e, I64_MUL, "i64.mul",       NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x7f, I64_DIV_S, "i64.div_s",     NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x80, I64_DIV_U, "i64.div_u",     NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x81, I64_REM_S, "i64.rem_s",     NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x82, I64_REM_U, "i64.rem_u",     NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x83, I64_AND, "i64.and",       NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x84, I64_OR, "i64.or",        NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x85, I64_XOR, "i64.xor",       NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x86, I64_SHL, "i64.shl",       NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x87, I64_SHR_S, "i64.shr_s",     NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x88, I64_SHR_U, "i64.shr_u",     NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x89, I64_ROTL, "i64.rotl",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x8a, I64_ROTR, "i64.rotr",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x8b, F32_ABS, "f32.abs",       NONE, OPF_KEEPS, WASM_F32, 0, WASM_F32) \
	X(0x8c, F32_NEG, "f32.neg",       NONE, OPF_KEEPS, WASM_F32, 0, WASM_F32) \
	X(0x8d, F32_CEIL, "f32.ceil",      NONE, OPF_KEEPS | OPF_CALLS_NOSSE41, WASM_F32, 0, WASM_F32) \
	X(0x8e, F32_FLOOR, "f32.floor",     NONE, OPF_KEEPS | OPF_CALLS_NOSSE41, WASM_F32, 0, WASM_F32) \
	X(0x8f, F32_TRUNC, "f32.trunc",     NONE, OPF_KEEPS | OPF_CALLS_NOSSE41, WASM_F32, 0, WASM_F32) \
	X(0x90, F32_NEAREST, "f32.nearest",   NONE, OPF_KEEPS | OPF_CALLS_NOSSE41, WASM_F32, 0, WASM_F32) \
	X(0x91, F32_SQRT, "f32.sqrt",      NONE, OPF_KEEPS, WASM_F32, 0, WASM_F32) \
	X(0x92, F32_ADD, "f32.add",       NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_F32) \
	X(0x93, F32_SUB, "f32.sub",       NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_F32) \
	X(0x94, F32_MUL, "f32.mul",       NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_F32) \
	X(0x95, F32_DIV, "f32.div",       NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_F32) \
	X(0x96, F32_MIN, "f32.min",       NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_F32) \
	X(0x97, F32_MAX, "f32.max",       NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_F32) \
	X(0x98, F32_COPYSIGN, "f32.copysign",  NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_F32) \
	X(0x99, F64_ABS, "f64.abs",       NONE, OPF_KEEPS, WASM_F64, 0, WASM_F64) \
	X(0x9a, F64_NEG, "f64.neg",       NONE, OPF_KEEPS, WASM_F64, 0, WASM_F64) \
	X(0x9b, F64_CEIL, "f64.ceil",      NONE, OPF_KEEPS | OPF_CALLS_NOSSE41, WASM_F64, 0, WASM_F64) \
	X(0x9c, F64_FLOOR, "f64.floor",     NONE, OPF_KEEPS | OPF_CALLS_NOSSE41, WASM_F64, 0, WASM_F64) \
	X(0x9d, F64_TRUNC, "f64.trunc",     NONE, OPF_KEEPS | OPF_CALLS_NOSSE41, WASM_F64, 0, WASM_F64) \
	X(0x9e, F64_NEAREST, "f64.nearest",   NONE, OPF_KEEPS | OPF_CALLS_NOSSE41, WASM_F64, 0, WASM_F64) \
	X(0x9f, F64_SQRT, "f64.sqrt",      NONE, OPF_KEEPS, WASM_F64, 0, WASM_F64) \
	X(0xa0, F64_ADD, "f64.add",       NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_F64) \
	X(0xa1, F64_SUB, "f64.sub",       NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_F64) \
	X(0xa2, F64_MUL, "f64.mul",       NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_F64) \
	X(0xa3, F64_DIV, "f64.div",       NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_F64) \
	X(0xa4, F64_MIN, "f64.min",       NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_F64) \
	X(0xa5, F64_MAX, "f64.max",       NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_F64) \
	X(0xa6, F64_COPYSIGN, "f64.copysign",  NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_F64) \
	X(0xa7, I32_WRAP_I64, "i32.wrap_i64",        NONE, OPF_KEEPS, WASM_I64, 0, WASM_I32) \
	X(0xa8, I32_TRUNC_F32_S, "i32.trunc_f32_s",     NONE, OPF_KEEPS, WASM_F32, 0, WASM_I32) \
	X(0xa9, I32_TRUNC_F32_U, "i32.trunc_f32_u",     NONE, OPF_KEEPS, WASM_F32, 0, WASM_I32) \
	X(0xaa, I32_TRUNC_F64_S, "i32.trunc_f64_s",     NONE, OPF_KEEPS, WASM_F64, 0, WASM_I32) \
	X(0xab, I32_TRUNC_F64_U, "i32.trunc_f64_u",     NONE, OPF_KEEPS, WASM_F64, 0, WASM_I32) \
	X(0xac, I64_EXTEND_I32_S, "i64.extend_i32_s",    NONE, OPF_KEEPS, WASM_I32, 0, WASM_I64) \
	X(0xad, I64_EXTEND_I32_U, "i64.extend_i32_u",    NONE, OPF_KEEPS, WASM_I32, 0, WASM_I64) \
	X(0xae, I64_TRUNC_F32_S, "i64.trunc_f32_s",     NONE, OPF_KEEPS, WASM_F32, 0, WASM_I64) \
	X(0xaf, I64_TRUNC_F32_U, "i64.trunc_f32_u",     NONE, OPF_KEEPS, WASM_F32, 0, WASM_I64) \
	X(0xb0, I64_TRUNC_F64_S, "i64.trunc_f64_s",     NONE, OPF_KEEPS, WASM_F64, 0, WASM_I64) \
	X(0xb1, I64_TRUNC_F64_U, "i64.trunc_f64_u",     NONE, OPF_KEEPS, WASM_F64, 0, WASM_I64) \
	X(0xb2, F32_CONVERT_I32_S, "f32.convert_i32_s",   NONE, OPF_KEEPS, WASM_I32, 0, WASM_F32) \
	X(0xb3, F32_CONVERT_I32_U, "f32.convert_i32_u",   NONE, OPF_KEEPS, WASM_I32, 0, WASM_F32) \
	X(0xb4, F32_CONVERT_I64_S, "f32.convert_i64_s",   NONE, OPF_KEEPS, WASM_I64, 0, WASM_F32) \
	X(0xb5, F32_CONVERT_I64_U, "f32.convert_i64_u",   NONE, OPF_KEEPS, WASM_I64, 0, WASM_F32) \
	X(0xb6, F32_DEMOTE_F64, "f32.demote_f64",      NONE, OPF_KEEPS, WASM_F64, 0, WASM_F32) \
	X(0xb7, F64_CONVERT_I32_S, "f64.convert_i32_s",   NONE, OPF_KEEPS, WASM_I32, 0, WASM_F64) \
	X(0xb8, F64_CONVERT_I32_U, "f64.convert_i32_u",   NONE, OPF_KEEPS, WASM_I32, 0, WASM_F64) \
	X(0xb9, F64_CONVERT_I64_S, "f64.convert_i64_s",   NONE, OPF_KEEPS, WASM_I64, 0, WASM_F64) \
	X(0xba, F64_CONVERT_I64_U, "f64.convert_i64_u",   NONE, OPF_KEEPS, WASM_I64, 0, WASM_F64) \
	X(0xbb, F64_PROMOTE_F32, "f64.promote_f32",     NONE, OPF_KEEPS, WASM_F32, 0, WASM_F64) \
	X(0xbc, I32_REINTERPRET_F32, "i32.reinterpret_f32", NONE, OPF_KEEPS, WASM_F32, 0, WASM_I32) \
	X(0xbd, I64_REINTERPRET_F64, "i64.reinterpret_f64", NONE, OPF_KEEPS, WASM_F64, 0, WASM_I64) \
	X(0xbe, F32_REINTERPRET_I32, "f32.reinterpret_i32", NONE, OPF_KEEPS, WASM_I32, 0, WASM_F32) \
	X(0xbf, F64_REINTERPRET_I64, "f64.reinterpret_i64", NONE, OPF_KEEPS, WASM_I64, 0, WASM_F64) \
	X(0xc0, I32_EXTEND8_S, "i32.extend8_s",       NONE, OPF_KEEPS, WASM_I32, 0, WASM_I32) \
	X(0xc1, I32_EXTEND16_S, "i32.extend16_s",      NONE, OPF_KEEPS, WASM_I32, 0, WASM_I32) \
	X(0xc2, I64_EXTEND8_S, "i64.extend8_s",       NONE, OPF_KEEPS, WASM_I64, 0, WASM_I64) \
	X(0xc3, I64_EXTEND16_S, "i64.extend16_s",      NONE, OPF_KEEPS, WASM_I64, 0, WASM_I64) \
	X(0xc4, I64_EXTEND32_S, "i64.extend32_s",      NONE, OPF_KEEPS, WASM_I64, 0, WASM_I64) \
	X(0xd0, REF_NULL, "ref.null",      BYTE, 0, 0, 0, 0) \
	X(0xd1, REF_IS_NULL, "ref.is_null",   NONE, 0, 0, 0, 0) \
	X(0xd2, REF_FUNC, "ref.func",      U32, 0, 0, 0, 0) \
	X(0xfc, PREFIX_FC, "0xfc",          FC, OPF_CALLS, 0, 0, 0) \
	X(0xfd, PREFIX_FD, "0xfd",          FD, 0, 0, 0, 0)


#define WASM_FC_OPCODES(X) \
	X(0,  I32_TRUNC_SAT_F32_S, "i32.trunc_sat_f32_s", NONE, WASM_F32, WASM_I32) \
	X(1,  I32_TRUNC_SAT_F32_U, "i32.trunc_sat_f32_u", NONE, WASM_F32, WASM_I32) \
	X(2,  I32_TRUNC_SAT_F64_S, "i32.trunc_sat_f64_s", NONE, WASM_F64, WASM_I32) \
	X(3,  I32_TRUNC_SAT_F64_U, "i32.trunc_sat_f64_u", NONE, WASM_F64, WASM_I32) \
	X(4,  I64_TRUNC_SAT_F32_S, "i64.trunc_sat_f32_s", NONE, WASM_F32, WASM_I64) \
	X(5,  I64_TRUNC_SAT_F32_U, "i64.trunc_sat_f32_u", NONE, WASM_F32, WASM_I64) \
	X(6,  I64_TRUNC_SAT_F64_S, "i64.trunc_sat_f64_s", NONE, WASM_F64, WASM_I64) \
	X(7,  I64_TRUNC_SAT_F64_U, "i64.trunc_sat_f64_u", NONE, WASM_F64, WASM_I64) \
	X(8,  MEMORY_INIT,         "memory.init",         U32_MEMIDX, 0, 0) \
	X(9,  DATA_DROP,           "data.drop",           U32, 0, 0) \
	X(10, MEMORY_COPY,         "memory.copy",         MEMIDX2, 0, 0) \
	X(11, MEMORY_FILL,         "memory.fill",         MEMIDX, 0, 0) \
	X(12, TABLE_INIT,          "table.init",          U32X2, 0, 0) \
	X(13, ELEM_DROP,           "elem.drop",           U32, 0, 0) \
	X(14, TABLE_COPY,          "table.copy",          U32X2, 0, 0) \
	X(15, TABLE_GROW,          "table.grow",          U32, 0, 0) \
	X(16, TABLE_SIZE,          "table.size",          U32, 0, 0) \
	X(17, TABLE_FILL,          "table.fill",          U32, 0, 0)

/* OP_UNREACHABLE = 0x00, ..., OP_PREFIX_FC = 0xfc */
enum wasm_op {
#define X(code, cname, name, imm, flags, a, b, r) OP_##cname = code,
	WASM_OPCODES(X)
#undef X
};

/* OPFC_I32_TRUNC_SAT_F32_S = 0, ..., OPFC_TABLE_FILL = 17 */
enum wasm_fc_op {
#define X(sub, cname, name, imm, a, r) OPFC_##cname = sub,
	WASM_FC_OPCODES(X)
#undef X
	OPFC__COUNT
};

/* Per opcode (opcodes.c): name (NULL: not an opcode), immediates
 * (OPI_BAD: not an opcode), compiler flags, and for the plain numeric
 * opcodes the signature: operand a, operand b (0 = unary), result. */
struct wasm_opinfo {
	const char *name;
	uint8_t imm, flags;
	uint8_t sig[3];
};
extern const struct wasm_opinfo wasm_opinfo[256];

/* Per 0xfc sub-opcode: name, immediates, and for the saturating
 * truncations sig = { operand, result }. */
struct wasm_fc_opinfo {
	const char *name;
	uint8_t imm;
	uint8_t sig[2];
};
extern const struct wasm_fc_opinfo wasm_fc_opinfo[OPFC__COUNT];

/* Opcodes that exist in Wasm 2.0 (the prefixes 0xfc/0xfd count as
 * existing: their sub-opcodes are checked where they are read). */
static inline int wasm_opcode_exists(uint8_t op)
{
	return wasm_opinfo[op].imm != OPI_BAD;
}

#endif
