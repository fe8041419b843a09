/*
 * opcodes.h — the one table of WebAssembly opcodes (Core spec 2.0 §5.4
 * "Instructions", binary format; return_call 0x12 and return_call_indirect
 * 0x13 from the tail-call proposal; try 0x06, catch 0x07, throw 0x08,
 * rethrow 0x09, delegate 0x18, catch_all 0x19 from the exception-handling
 * proposal's legacy form), as X-macros, one table per prefix:
 *
 *   WASM_OPCODES(X)     the one-byte opcodes:
 *                       X(code, cname, name, imm, flags, a, b, r)
 *   WASM_FC_OPCODES(X)  the 0xfc-prefixed ones (a u32 sub-opcode):
 *                       X(sub, cname, name, imm, a, r)
 *   WASM_FD_OPCODES(X)  the 0xfd-prefixed ones (SIMD, §5.4.8 "Vector
 *                       Instructions"; a u32 sub-opcode):
 *                       X(sub, cname, name, imm, n, a, b, c, r)
 *
 *   code   the opcode byte; sub the 0xfc sub-opcode
 *   cname  the C name: enum wasm_op OP_<cname>, enum wasm_fc_op OPFC_<cname>
 *   name   the text-format name
 *   imm    the kind of immediates that follow it (OPI_<imm>, below)
 *   flags  how the compiler treats it (OPF_*, below; 0 = none)
 *   a b r  for the plain numeric opcodes 0x45..0xc4: operand types a, b
 *          (b = 0: unary) and result type r; 0 0 0 for the rest, whose
 *          types the validator works out itself (0xfc: a r for the
 *          saturating truncations, 0 0 for the rest; 0xfd: every one has
 *          its signature, operands a b c (0 = fewer) and result r (0 =
 *          none), WASM_V128 for v128)
 *   n      0xfd only: the bytes a memory access reads or writes (its
 *          natural alignment; for the lane ones also the lane's size),
 *          the number of lanes for extract/replace_lane, else 0
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
	OPI_FD,         /* 0xfd: a u32 sub-opcode, then its own immediates */
	OPI_U32_MEMIDX, /* memory.init: dataidx, memidx */
	OPI_MEMIDX2,    /* memory.copy: memidx memidx */
	OPI_MEMARG,     /* loads, stores (0xfd's too): flags (bit 6: a
			   memidx follows, multi-memory), [memidx,] offset;
			   all u32 */
	OPI_MEMIDX,     /* memory.size/grow/fill: memidx.  Wasm 2.0 has a
			   0x00 byte where multi-memory has a u32 index
			   (jit/compile/memory.c reads it as the module's
			   features say; skipping it as a u32 is right for
			   both, as a non-zero byte is invalid in 2.0) */
	OPI_MEMLANE,    /* 0xfd: memarg, then a lane index byte */
	OPI_LANE,       /* 0xfd: a lane index byte */
	OPI_BYTES16,    /* 0xfd: 16 bytes (v128.const, i8x16.shuffle's lanes) */
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
	X(0x06, TRY, "try",           BLOCKTYPE, OPF_KEEPS, 0, 0, 0) \
	X(0x07, CATCH, "catch",         U32, OPF_KEEPS, 0, 0, 0) \
	X(0x08, THROW, "throw",         U32, OPF_CALLS, 0, 0, 0) \
	X(0x09, RETHROW, "rethrow",       U32, OPF_CALLS, 0, 0, 0) \
	X(0x0b, END, "end",           NONE, OPF_KEEPS, 0, 0, 0) \
	X(0x0c, BR, "br",            U32, OPF_KEEPS, 0, 0, 0) \
	X(0x0d, BR_IF, "br_if",         U32, OPF_KEEPS | OPF_CC, 0, 0, 0) \
	X(0x0e, BR_TABLE, "br_table",      BRTABLE, OPF_KEEPS, 0, 0, 0) \
	X(0x0f, RETURN, "return",        NONE, OPF_KEEPS, 0, 0, 0) \
	X(0x10, CALL, "call",          U32, OPF_KEEPS | OPF_CALLS, 0, 0, 0) \
	X(0x11, CALL_INDIRECT, "call_indirect", U32X2, OPF_CALLS, 0, 0, 0) \
	X(0x12, RETURN_CALL, "return_call", U32, OPF_KEEPS | OPF_CALLS, 0, 0, 0) \
	X(0x13, RETURN_CALL_INDIRECT, "return_call_indirect", U32X2, OPF_CALLS, 0, 0, 0) \
	X(0x18, DELEGATE, "delegate",      U32, OPF_KEEPS, 0, 0, 0) \
	X(0x19, CATCH_ALL, "catch_all",     NONE, OPF_KEEPS, 0, 0, 0) \
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
	X(0xfd, PREFIX_FD, "0xfd",          FD, OPF_KEEPS, 0, 0, 0)


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

/* The 0xfd sub-opcodes of fixed-width SIMD (Wasm 2.0, §5.4.8; generated
 * from wabt 1.0.32's opcode.def), then the relaxed SIMD proposal's
 * 0x100..0x114 (its Overview.md, "Binary format", with the testsuite at
 * 3a04b2c: 0x114, f32x4.relaxed_dot_bf16x8_add_f32x4, is still in it; the
 * names are the proposal's final ones, wabt 1.0.32 reads the dot products
 * as i16x8.dot_i8x16_i7x16_s and i32x4.dot_i8x16_i7x16_add_s).  The
 * single-pass compiler implements them (jit/compile/simd.c; the relaxed
 * ones' choices: docs/simd.md); any it did not would be refused by name,
 * "SIMD instruction i8x16.shuffle not supported yet". */
#define WASM_FD_OPCODES(X) \
	X(0x00, V128_LOAD, "v128.load", MEMARG, 16, WASM_I32, 0, 0, WASM_V128) \
	X(0x01, V128_LOAD8X8_S, "v128.load8x8_s", MEMARG, 8, WASM_I32, 0, 0, WASM_V128) \
	X(0x02, V128_LOAD8X8_U, "v128.load8x8_u", MEMARG, 8, WASM_I32, 0, 0, WASM_V128) \
	X(0x03, V128_LOAD16X4_S, "v128.load16x4_s", MEMARG, 8, WASM_I32, 0, 0, WASM_V128) \
	X(0x04, V128_LOAD16X4_U, "v128.load16x4_u", MEMARG, 8, WASM_I32, 0, 0, WASM_V128) \
	X(0x05, V128_LOAD32X2_S, "v128.load32x2_s", MEMARG, 8, WASM_I32, 0, 0, WASM_V128) \
	X(0x06, V128_LOAD32X2_U, "v128.load32x2_u", MEMARG, 8, WASM_I32, 0, 0, WASM_V128) \
	X(0x07, V128_LOAD8_SPLAT, "v128.load8_splat", MEMARG, 1, WASM_I32, 0, 0, WASM_V128) \
	X(0x08, V128_LOAD16_SPLAT, "v128.load16_splat", MEMARG, 2, WASM_I32, 0, 0, WASM_V128) \
	X(0x09, V128_LOAD32_SPLAT, "v128.load32_splat", MEMARG, 4, WASM_I32, 0, 0, WASM_V128) \
	X(0x0a, V128_LOAD64_SPLAT, "v128.load64_splat", MEMARG, 8, WASM_I32, 0, 0, WASM_V128) \
	X(0x0b, V128_STORE, "v128.store", MEMARG, 16, WASM_I32, WASM_V128, 0, 0) \
	X(0x0c, V128_CONST, "v128.const", BYTES16, 0, 0, 0, 0, WASM_V128) \
	X(0x0d, I8X16_SHUFFLE, "i8x16.shuffle", BYTES16, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x0e, I8X16_SWIZZLE, "i8x16.swizzle", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x0f, I8X16_SPLAT, "i8x16.splat", NONE, 0, WASM_I32, 0, 0, WASM_V128) \
	X(0x10, I16X8_SPLAT, "i16x8.splat", NONE, 0, WASM_I32, 0, 0, WASM_V128) \
	X(0x11, I32X4_SPLAT, "i32x4.splat", NONE, 0, WASM_I32, 0, 0, WASM_V128) \
	X(0x12, I64X2_SPLAT, "i64x2.splat", NONE, 0, WASM_I64, 0, 0, WASM_V128) \
	X(0x13, F32X4_SPLAT, "f32x4.splat", NONE, 0, WASM_F32, 0, 0, WASM_V128) \
	X(0x14, F64X2_SPLAT, "f64x2.splat", NONE, 0, WASM_F64, 0, 0, WASM_V128) \
	X(0x15, I8X16_EXTRACT_LANE_S, "i8x16.extract_lane_s", LANE, 16, WASM_V128, 0, 0, WASM_I32) \
	X(0x16, I8X16_EXTRACT_LANE_U, "i8x16.extract_lane_u", LANE, 16, WASM_V128, 0, 0, WASM_I32) \
	X(0x17, I8X16_REPLACE_LANE, "i8x16.replace_lane", LANE, 16, WASM_V128, WASM_I32, 0, WASM_V128) \
	X(0x18, I16X8_EXTRACT_LANE_S, "i16x8.extract_lane_s", LANE, 8, WASM_V128, 0, 0, WASM_I32) \
	X(0x19, I16X8_EXTRACT_LANE_U, "i16x8.extract_lane_u", LANE, 8, WASM_V128, 0, 0, WASM_I32) \
	X(0x1a, I16X8_REPLACE_LANE, "i16x8.replace_lane", LANE, 8, WASM_V128, WASM_I32, 0, WASM_V128) \
	X(0x1b, I32X4_EXTRACT_LANE, "i32x4.extract_lane", LANE, 4, WASM_V128, 0, 0, WASM_I32) \
	X(0x1c, I32X4_REPLACE_LANE, "i32x4.replace_lane", LANE, 4, WASM_V128, WASM_I32, 0, WASM_V128) \
	X(0x1d, I64X2_EXTRACT_LANE, "i64x2.extract_lane", LANE, 2, WASM_V128, 0, 0, WASM_I64) \
	X(0x1e, I64X2_REPLACE_LANE, "i64x2.replace_lane", LANE, 2, WASM_V128, WASM_I64, 0, WASM_V128) \
	X(0x1f, F32X4_EXTRACT_LANE, "f32x4.extract_lane", LANE, 4, WASM_V128, 0, 0, WASM_F32) \
	X(0x20, F32X4_REPLACE_LANE, "f32x4.replace_lane", LANE, 4, WASM_V128, WASM_F32, 0, WASM_V128) \
	X(0x21, F64X2_EXTRACT_LANE, "f64x2.extract_lane", LANE, 2, WASM_V128, 0, 0, WASM_F64) \
	X(0x22, F64X2_REPLACE_LANE, "f64x2.replace_lane", LANE, 2, WASM_V128, WASM_F64, 0, WASM_V128) \
	X(0x23, I8X16_EQ, "i8x16.eq", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x24, I8X16_NE, "i8x16.ne", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x25, I8X16_LT_S, "i8x16.lt_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x26, I8X16_LT_U, "i8x16.lt_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x27, I8X16_GT_S, "i8x16.gt_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x28, I8X16_GT_U, "i8x16.gt_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x29, I8X16_LE_S, "i8x16.le_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x2a, I8X16_LE_U, "i8x16.le_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x2b, I8X16_GE_S, "i8x16.ge_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x2c, I8X16_GE_U, "i8x16.ge_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x2d, I16X8_EQ, "i16x8.eq", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x2e, I16X8_NE, "i16x8.ne", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x2f, I16X8_LT_S, "i16x8.lt_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x30, I16X8_LT_U, "i16x8.lt_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x31, I16X8_GT_S, "i16x8.gt_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x32, I16X8_GT_U, "i16x8.gt_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x33, I16X8_LE_S, "i16x8.le_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x34, I16X8_LE_U, "i16x8.le_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x35, I16X8_GE_S, "i16x8.ge_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x36, I16X8_GE_U, "i16x8.ge_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x37, I32X4_EQ, "i32x4.eq", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x38, I32X4_NE, "i32x4.ne", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x39, I32X4_LT_S, "i32x4.lt_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x3a, I32X4_LT_U, "i32x4.lt_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x3b, I32X4_GT_S, "i32x4.gt_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x3c, I32X4_GT_U, "i32x4.gt_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x3d, I32X4_LE_S, "i32x4.le_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x3e, I32X4_LE_U, "i32x4.le_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x3f, I32X4_GE_S, "i32x4.ge_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x40, I32X4_GE_U, "i32x4.ge_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x41, F32X4_EQ, "f32x4.eq", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x42, F32X4_NE, "f32x4.ne", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x43, F32X4_LT, "f32x4.lt", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x44, F32X4_GT, "f32x4.gt", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x45, F32X4_LE, "f32x4.le", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x46, F32X4_GE, "f32x4.ge", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x47, F64X2_EQ, "f64x2.eq", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x48, F64X2_NE, "f64x2.ne", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x49, F64X2_LT, "f64x2.lt", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x4a, F64X2_GT, "f64x2.gt", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x4b, F64X2_LE, "f64x2.le", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x4c, F64X2_GE, "f64x2.ge", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x4d, V128_NOT, "v128.not", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x4e, V128_AND, "v128.and", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x4f, V128_ANDNOT, "v128.andnot", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x50, V128_OR, "v128.or", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x51, V128_XOR, "v128.xor", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x52, V128_BITSELECT, "v128.bitselect", NONE, 0, WASM_V128, WASM_V128, WASM_V128, WASM_V128) \
	X(0x53, V128_ANY_TRUE, "v128.any_true", NONE, 0, WASM_V128, 0, 0, WASM_I32) \
	X(0x54, V128_LOAD8_LANE, "v128.load8_lane", MEMLANE, 1, WASM_I32, WASM_V128, 0, WASM_V128) \
	X(0x55, V128_LOAD16_LANE, "v128.load16_lane", MEMLANE, 2, WASM_I32, WASM_V128, 0, WASM_V128) \
	X(0x56, V128_LOAD32_LANE, "v128.load32_lane", MEMLANE, 4, WASM_I32, WASM_V128, 0, WASM_V128) \
	X(0x57, V128_LOAD64_LANE, "v128.load64_lane", MEMLANE, 8, WASM_I32, WASM_V128, 0, WASM_V128) \
	X(0x58, V128_STORE8_LANE, "v128.store8_lane", MEMLANE, 1, WASM_I32, WASM_V128, 0, 0) \
	X(0x59, V128_STORE16_LANE, "v128.store16_lane", MEMLANE, 2, WASM_I32, WASM_V128, 0, 0) \
	X(0x5a, V128_STORE32_LANE, "v128.store32_lane", MEMLANE, 4, WASM_I32, WASM_V128, 0, 0) \
	X(0x5b, V128_STORE64_LANE, "v128.store64_lane", MEMLANE, 8, WASM_I32, WASM_V128, 0, 0) \
	X(0x5c, V128_LOAD32_ZERO, "v128.load32_zero", MEMARG, 4, WASM_I32, 0, 0, WASM_V128) \
	X(0x5d, V128_LOAD64_ZERO, "v128.load64_zero", MEMARG, 8, WASM_I32, 0, 0, WASM_V128) \
	X(0x5e, F32X4_DEMOTE_F64X2_ZERO, "f32x4.demote_f64x2_zero", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x5f, F64X2_PROMOTE_LOW_F32X4, "f64x2.promote_low_f32x4", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x60, I8X16_ABS, "i8x16.abs", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x61, I8X16_NEG, "i8x16.neg", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x62, I8X16_POPCNT, "i8x16.popcnt", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x63, I8X16_ALL_TRUE, "i8x16.all_true", NONE, 0, WASM_V128, 0, 0, WASM_I32) \
	X(0x64, I8X16_BITMASK, "i8x16.bitmask", NONE, 0, WASM_V128, 0, 0, WASM_I32) \
	X(0x65, I8X16_NARROW_I16X8_S, "i8x16.narrow_i16x8_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x66, I8X16_NARROW_I16X8_U, "i8x16.narrow_i16x8_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x67, F32X4_CEIL, "f32x4.ceil", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x68, F32X4_FLOOR, "f32x4.floor", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x69, F32X4_TRUNC, "f32x4.trunc", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x6a, F32X4_NEAREST, "f32x4.nearest", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x6b, I8X16_SHL, "i8x16.shl", NONE, 0, WASM_V128, WASM_I32, 0, WASM_V128) \
	X(0x6c, I8X16_SHR_S, "i8x16.shr_s", NONE, 0, WASM_V128, WASM_I32, 0, WASM_V128) \
	X(0x6d, I8X16_SHR_U, "i8x16.shr_u", NONE, 0, WASM_V128, WASM_I32, 0, WASM_V128) \
	X(0x6e, I8X16_ADD, "i8x16.add", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x6f, I8X16_ADD_SAT_S, "i8x16.add_sat_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x70, I8X16_ADD_SAT_U, "i8x16.add_sat_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x71, I8X16_SUB, "i8x16.sub", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x72, I8X16_SUB_SAT_S, "i8x16.sub_sat_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x73, I8X16_SUB_SAT_U, "i8x16.sub_sat_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x74, F64X2_CEIL, "f64x2.ceil", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x75, F64X2_FLOOR, "f64x2.floor", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x76, I8X16_MIN_S, "i8x16.min_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x77, I8X16_MIN_U, "i8x16.min_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x78, I8X16_MAX_S, "i8x16.max_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x79, I8X16_MAX_U, "i8x16.max_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x7a, F64X2_TRUNC, "f64x2.trunc", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x7b, I8X16_AVGR_U, "i8x16.avgr_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x7c, I16X8_EXTADD_PAIRWISE_I8X16_S, "i16x8.extadd_pairwise_i8x16_s", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x7d, I16X8_EXTADD_PAIRWISE_I8X16_U, "i16x8.extadd_pairwise_i8x16_u", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x7e, I32X4_EXTADD_PAIRWISE_I16X8_S, "i32x4.extadd_pairwise_i16x8_s", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x7f, I32X4_EXTADD_PAIRWISE_I16X8_U, "i32x4.extadd_pairwise_i16x8_u", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x80, I16X8_ABS, "i16x8.abs", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x81, I16X8_NEG, "i16x8.neg", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x82, I16X8_Q15MULR_SAT_S, "i16x8.q15mulr_sat_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x83, I16X8_ALL_TRUE, "i16x8.all_true", NONE, 0, WASM_V128, 0, 0, WASM_I32) \
	X(0x84, I16X8_BITMASK, "i16x8.bitmask", NONE, 0, WASM_V128, 0, 0, WASM_I32) \
	X(0x85, I16X8_NARROW_I32X4_S, "i16x8.narrow_i32x4_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x86, I16X8_NARROW_I32X4_U, "i16x8.narrow_i32x4_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x87, I16X8_EXTEND_LOW_I8X16_S, "i16x8.extend_low_i8x16_s", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x88, I16X8_EXTEND_HIGH_I8X16_S, "i16x8.extend_high_i8x16_s", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x89, I16X8_EXTEND_LOW_I8X16_U, "i16x8.extend_low_i8x16_u", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x8a, I16X8_EXTEND_HIGH_I8X16_U, "i16x8.extend_high_i8x16_u", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x8b, I16X8_SHL, "i16x8.shl", NONE, 0, WASM_V128, WASM_I32, 0, WASM_V128) \
	X(0x8c, I16X8_SHR_S, "i16x8.shr_s", NONE, 0, WASM_V128, WASM_I32, 0, WASM_V128) \
	X(0x8d, I16X8_SHR_U, "i16x8.shr_u", NONE, 0, WASM_V128, WASM_I32, 0, WASM_V128) \
	X(0x8e, I16X8_ADD, "i16x8.add", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x8f, I16X8_ADD_SAT_S, "i16x8.add_sat_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x90, I16X8_ADD_SAT_U, "i16x8.add_sat_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x91, I16X8_SUB, "i16x8.sub", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x92, I16X8_SUB_SAT_S, "i16x8.sub_sat_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x93, I16X8_SUB_SAT_U, "i16x8.sub_sat_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x94, F64X2_NEAREST, "f64x2.nearest", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x95, I16X8_MUL, "i16x8.mul", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x96, I16X8_MIN_S, "i16x8.min_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x97, I16X8_MIN_U, "i16x8.min_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x98, I16X8_MAX_S, "i16x8.max_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x99, I16X8_MAX_U, "i16x8.max_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x9b, I16X8_AVGR_U, "i16x8.avgr_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x9c, I16X8_EXTMUL_LOW_I8X16_S, "i16x8.extmul_low_i8x16_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x9d, I16X8_EXTMUL_HIGH_I8X16_S, "i16x8.extmul_high_i8x16_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x9e, I16X8_EXTMUL_LOW_I8X16_U, "i16x8.extmul_low_i8x16_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x9f, I16X8_EXTMUL_HIGH_I8X16_U, "i16x8.extmul_high_i8x16_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xa0, I32X4_ABS, "i32x4.abs", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xa1, I32X4_NEG, "i32x4.neg", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xa3, I32X4_ALL_TRUE, "i32x4.all_true", NONE, 0, WASM_V128, 0, 0, WASM_I32) \
	X(0xa4, I32X4_BITMASK, "i32x4.bitmask", NONE, 0, WASM_V128, 0, 0, WASM_I32) \
	X(0xa7, I32X4_EXTEND_LOW_I16X8_S, "i32x4.extend_low_i16x8_s", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xa8, I32X4_EXTEND_HIGH_I16X8_S, "i32x4.extend_high_i16x8_s", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xa9, I32X4_EXTEND_LOW_I16X8_U, "i32x4.extend_low_i16x8_u", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xaa, I32X4_EXTEND_HIGH_I16X8_U, "i32x4.extend_high_i16x8_u", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xab, I32X4_SHL, "i32x4.shl", NONE, 0, WASM_V128, WASM_I32, 0, WASM_V128) \
	X(0xac, I32X4_SHR_S, "i32x4.shr_s", NONE, 0, WASM_V128, WASM_I32, 0, WASM_V128) \
	X(0xad, I32X4_SHR_U, "i32x4.shr_u", NONE, 0, WASM_V128, WASM_I32, 0, WASM_V128) \
	X(0xae, I32X4_ADD, "i32x4.add", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xb1, I32X4_SUB, "i32x4.sub", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xb5, I32X4_MUL, "i32x4.mul", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xb6, I32X4_MIN_S, "i32x4.min_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xb7, I32X4_MIN_U, "i32x4.min_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xb8, I32X4_MAX_S, "i32x4.max_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xb9, I32X4_MAX_U, "i32x4.max_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xba, I32X4_DOT_I16X8_S, "i32x4.dot_i16x8_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xbc, I32X4_EXTMUL_LOW_I16X8_S, "i32x4.extmul_low_i16x8_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xbd, I32X4_EXTMUL_HIGH_I16X8_S, "i32x4.extmul_high_i16x8_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xbe, I32X4_EXTMUL_LOW_I16X8_U, "i32x4.extmul_low_i16x8_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xbf, I32X4_EXTMUL_HIGH_I16X8_U, "i32x4.extmul_high_i16x8_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xc0, I64X2_ABS, "i64x2.abs", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xc1, I64X2_NEG, "i64x2.neg", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xc3, I64X2_ALL_TRUE, "i64x2.all_true", NONE, 0, WASM_V128, 0, 0, WASM_I32) \
	X(0xc4, I64X2_BITMASK, "i64x2.bitmask", NONE, 0, WASM_V128, 0, 0, WASM_I32) \
	X(0xc7, I64X2_EXTEND_LOW_I32X4_S, "i64x2.extend_low_i32x4_s", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xc8, I64X2_EXTEND_HIGH_I32X4_S, "i64x2.extend_high_i32x4_s", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xc9, I64X2_EXTEND_LOW_I32X4_U, "i64x2.extend_low_i32x4_u", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xca, I64X2_EXTEND_HIGH_I32X4_U, "i64x2.extend_high_i32x4_u", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xcb, I64X2_SHL, "i64x2.shl", NONE, 0, WASM_V128, WASM_I32, 0, WASM_V128) \
	X(0xcc, I64X2_SHR_S, "i64x2.shr_s", NONE, 0, WASM_V128, WASM_I32, 0, WASM_V128) \
	X(0xcd, I64X2_SHR_U, "i64x2.shr_u", NONE, 0, WASM_V128, WASM_I32, 0, WASM_V128) \
	X(0xce, I64X2_ADD, "i64x2.add", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xd1, I64X2_SUB, "i64x2.sub", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xd5, I64X2_MUL, "i64x2.mul", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xd6, I64X2_EQ, "i64x2.eq", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xd7, I64X2_NE, "i64x2.ne", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xd8, I64X2_LT_S, "i64x2.lt_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xd9, I64X2_GT_S, "i64x2.gt_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xda, I64X2_LE_S, "i64x2.le_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xdb, I64X2_GE_S, "i64x2.ge_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xdc, I64X2_EXTMUL_LOW_I32X4_S, "i64x2.extmul_low_i32x4_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xdd, I64X2_EXTMUL_HIGH_I32X4_S, "i64x2.extmul_high_i32x4_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xde, I64X2_EXTMUL_LOW_I32X4_U, "i64x2.extmul_low_i32x4_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xdf, I64X2_EXTMUL_HIGH_I32X4_U, "i64x2.extmul_high_i32x4_u", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xe0, F32X4_ABS, "f32x4.abs", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xe1, F32X4_NEG, "f32x4.neg", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xe3, F32X4_SQRT, "f32x4.sqrt", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xe4, F32X4_ADD, "f32x4.add", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xe5, F32X4_SUB, "f32x4.sub", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xe6, F32X4_MUL, "f32x4.mul", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xe7, F32X4_DIV, "f32x4.div", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xe8, F32X4_MIN, "f32x4.min", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xe9, F32X4_MAX, "f32x4.max", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xea, F32X4_PMIN, "f32x4.pmin", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xeb, F32X4_PMAX, "f32x4.pmax", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xec, F64X2_ABS, "f64x2.abs", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xed, F64X2_NEG, "f64x2.neg", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xef, F64X2_SQRT, "f64x2.sqrt", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xf0, F64X2_ADD, "f64x2.add", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xf1, F64X2_SUB, "f64x2.sub", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xf2, F64X2_MUL, "f64x2.mul", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xf3, F64X2_DIV, "f64x2.div", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xf4, F64X2_MIN, "f64x2.min", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xf5, F64X2_MAX, "f64x2.max", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xf6, F64X2_PMIN, "f64x2.pmin", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xf7, F64X2_PMAX, "f64x2.pmax", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0xf8, I32X4_TRUNC_SAT_F32X4_S, "i32x4.trunc_sat_f32x4_s", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xf9, I32X4_TRUNC_SAT_F32X4_U, "i32x4.trunc_sat_f32x4_u", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xfa, F32X4_CONVERT_I32X4_S, "f32x4.convert_i32x4_s", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xfb, F32X4_CONVERT_I32X4_U, "f32x4.convert_i32x4_u", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xfc, I32X4_TRUNC_SAT_F64X2_S_ZERO, "i32x4.trunc_sat_f64x2_s_zero", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xfd, I32X4_TRUNC_SAT_F64X2_U_ZERO, "i32x4.trunc_sat_f64x2_u_zero", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xfe, F64X2_CONVERT_LOW_I32X4_S, "f64x2.convert_low_i32x4_s", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0xff, F64X2_CONVERT_LOW_I32X4_U, "f64x2.convert_low_i32x4_u", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x100, I8X16_RELAXED_SWIZZLE, "i8x16.relaxed_swizzle", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x101, I32X4_RELAXED_TRUNC_F32X4_S, "i32x4.relaxed_trunc_f32x4_s", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x102, I32X4_RELAXED_TRUNC_F32X4_U, "i32x4.relaxed_trunc_f32x4_u", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x103, I32X4_RELAXED_TRUNC_F64X2_S_ZERO, "i32x4.relaxed_trunc_f64x2_s_zero", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x104, I32X4_RELAXED_TRUNC_F64X2_U_ZERO, "i32x4.relaxed_trunc_f64x2_u_zero", NONE, 0, WASM_V128, 0, 0, WASM_V128) \
	X(0x105, F32X4_RELAXED_MADD, "f32x4.relaxed_madd", NONE, 0, WASM_V128, WASM_V128, WASM_V128, WASM_V128) \
	X(0x106, F32X4_RELAXED_NMADD, "f32x4.relaxed_nmadd", NONE, 0, WASM_V128, WASM_V128, WASM_V128, WASM_V128) \
	X(0x107, F64X2_RELAXED_MADD, "f64x2.relaxed_madd", NONE, 0, WASM_V128, WASM_V128, WASM_V128, WASM_V128) \
	X(0x108, F64X2_RELAXED_NMADD, "f64x2.relaxed_nmadd", NONE, 0, WASM_V128, WASM_V128, WASM_V128, WASM_V128) \
	X(0x109, I8X16_RELAXED_LANESELECT, "i8x16.relaxed_laneselect", NONE, 0, WASM_V128, WASM_V128, WASM_V128, WASM_V128) \
	X(0x10a, I16X8_RELAXED_LANESELECT, "i16x8.relaxed_laneselect", NONE, 0, WASM_V128, WASM_V128, WASM_V128, WASM_V128) \
	X(0x10b, I32X4_RELAXED_LANESELECT, "i32x4.relaxed_laneselect", NONE, 0, WASM_V128, WASM_V128, WASM_V128, WASM_V128) \
	X(0x10c, I64X2_RELAXED_LANESELECT, "i64x2.relaxed_laneselect", NONE, 0, WASM_V128, WASM_V128, WASM_V128, WASM_V128) \
	X(0x10d, F32X4_RELAXED_MIN, "f32x4.relaxed_min", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x10e, F32X4_RELAXED_MAX, "f32x4.relaxed_max", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x10f, F64X2_RELAXED_MIN, "f64x2.relaxed_min", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x110, F64X2_RELAXED_MAX, "f64x2.relaxed_max", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x111, I16X8_RELAXED_Q15MULR_S, "i16x8.relaxed_q15mulr_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x112, I16X8_RELAXED_DOT_I8X16_I7X16_S, "i16x8.relaxed_dot_i8x16_i7x16_s", NONE, 0, WASM_V128, WASM_V128, 0, WASM_V128) \
	X(0x113, I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S, "i32x4.relaxed_dot_i8x16_i7x16_add_s", NONE, 0, WASM_V128, WASM_V128, WASM_V128, WASM_V128) \
	X(0x114, F32X4_RELAXED_DOT_BF16X8_ADD_F32X4, "f32x4.relaxed_dot_bf16x8_add_f32x4", NONE, 0, WASM_V128, WASM_V128, WASM_V128, WASM_V128)

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

/* OPFD_V128_LOAD = 0x00, ..., OPFD_F64X2_CONVERT_LOW_I32X4_U = 0xff,
 * OPFD_I8X16_RELAXED_SWIZZLE = 0x100, ...,
 * OPFD_F32X4_RELAXED_DOT_BF16X8_ADD_F32X4 = 0x114 */
enum wasm_fd_op {
#define X(sub, cname, name, imm, n, a, b, c, r) OPFD_##cname = sub,
	WASM_FD_OPCODES(X)
#undef X
};
#define OPFD__COUNT 0x115u

/* Per 0xfd sub-opcode: name (NULL: not an opcode), immediates, n (see
 * WASM_FD_OPCODES), signature sig = { a, b, c, r }. */
struct wasm_fd_opinfo {
	const char *name;
	uint8_t imm, n;
	uint8_t sig[4];
};
extern const struct wasm_fd_opinfo wasm_fd_opinfo[OPFD__COUNT];

/* Opcodes that exist in Wasm 2.0 (the prefixes 0xfc/0xfd count as
 * existing: their sub-opcodes are checked where they are read). */
static inline int wasm_opcode_exists(uint8_t op)
{
	return wasm_opinfo[op].imm != OPI_BAD;
}

#endif
