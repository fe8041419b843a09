/*
 * opcodes.h — the one table of WebAssembly opcodes (Core spec 2.0 §5.4
 * "Instructions", binary format; SIMD 0xfd is not supported), as an X-macro:
 *
 *   X(code, name, imm, flags, a, b, r)
 *
 *   code   the opcode byte (0xfc-prefixed opcodes are one entry, FC)
 *   name   the text-format name
 *   imm    the kind of immediates that follow it (OPI_<imm>, below)
 *   flags  how the compiler treats it (OPF_*, below; 0 = none)
 *   a b r  for the plain numeric opcodes 0x45..0xc4: operand types a, b
 *          (b = 0: unary) and result type r; 0 0 0 for the rest, whose
 *          types the validator works out itself
 *
 * compile.c expands it into its per-opcode table (immediates for the
 * look-ahead scan, flags, numeric signatures), and into names for
 * messages.  The big opcode switch in compile.c stays a switch: each case
 * has its own code.
 */
#ifndef JIT_OPCODES_H
#define JIT_OPCODES_H

#include "wasm.h"

/* immediate kinds (§5.4) */
enum {
	OPI_BAD,        /* not an opcode */
	OPI_NONE,
	OPI_BLOCKTYPE,  /* s33 block type */
	OPI_U32,        /* one index or label */
	OPI_U32X2,      /* memarg (align, offset); call_indirect (type, table) */
	OPI_BRTABLE,    /* vec(labelidx) labelidx */
	OPI_VALTYPES,   /* vec(valtype) (select t*) */
	OPI_BYTE,       /* memory.size/grow's 0x00, ref.null's reftype */
	OPI_I32, OPI_I64, OPI_F32, OPI_F64,
	OPI_FC,         /* 0xfc: a u32 sub-opcode, then its own immediates */
};

/* compiler flags */
#define OPF_KEEPS     0x01  /* compiled on value locations (no flush first) */
#define OPF_CC        0x02  /* consumes a comparison's flags (V_FLAGS) itself */
#define OPF_CALLS     0x04  /* calls out: pinned locals go home around it */
#define OPF_CALLS_NOPOPCNT 0x08 /* calls out unless the CPU has POPCNT */
#define OPF_CALLS_NOSSE41  0x10 /* calls out unless the CPU has SSE4.1 */

#define WASM_OPCODES(X) \
	X(0x00, "unreachable",   NONE, OPF_KEEPS, 0, 0, 0) \
	X(0x01, "nop",           NONE, OPF_KEEPS, 0, 0, 0) \
	X(0x02, "block",         BLOCKTYPE, OPF_KEEPS, 0, 0, 0) \
	X(0x03, "loop",          BLOCKTYPE, OPF_KEEPS, 0, 0, 0) \
	X(0x04, "if",            BLOCKTYPE, OPF_KEEPS | OPF_CC, 0, 0, 0) \
	X(0x05, "else",          NONE, OPF_KEEPS, 0, 0, 0) \
	X(0x0b, "end",           NONE, OPF_KEEPS, 0, 0, 0) \
	X(0x0c, "br",            U32, OPF_KEEPS, 0, 0, 0) \
	X(0x0d, "br_if",         U32, OPF_KEEPS | OPF_CC, 0, 0, 0) \
	X(0x0e, "br_table",      BRTABLE, 0, 0, 0, 0) \
	X(0x0f, "return",        NONE, OPF_KEEPS, 0, 0, 0) \
	X(0x10, "call",          U32, OPF_KEEPS | OPF_CALLS, 0, 0, 0) \
	X(0x11, "call_indirect", U32X2, OPF_CALLS, 0, 0, 0) \
	X(0x1a, "drop",          NONE, OPF_KEEPS | OPF_CC, 0, 0, 0) \
	X(0x1b, "select",        NONE, OPF_KEEPS | OPF_CC, 0, 0, 0) \
	X(0x1c, "select",        VALTYPES, OPF_KEEPS | OPF_CC, 0, 0, 0) \
	X(0x20, "local.get",     U32, OPF_KEEPS, 0, 0, 0) \
	X(0x21, "local.set",     U32, OPF_KEEPS, 0, 0, 0) \
	X(0x22, "local.tee",     U32, OPF_KEEPS, 0, 0, 0) \
	X(0x23, "global.get",    U32, OPF_KEEPS, 0, 0, 0) \
	X(0x24, "global.set",    U32, OPF_KEEPS, 0, 0, 0) \
	X(0x25, "table.get",     U32, 0, 0, 0, 0) \
	X(0x26, "table.set",     U32, 0, 0, 0, 0) \
	X(0x28, "i32.load",      U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x29, "i64.load",      U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x2a, "f32.load",      U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x2b, "f64.load",      U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x2c, "i32.load8_s",   U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x2d, "i32.load8_u",   U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x2e, "i32.load16_s",  U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x2f, "i32.load16_u",  U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x30, "i64.load8_s",   U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x31, "i64.load8_u",   U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x32, "i64.load16_s",  U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x33, "i64.load16_u",  U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x34, "i64.load32_s",  U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x35, "i64.load32_u",  U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x36, "i32.store",     U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x37, "i64.store",     U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x38, "f32.store",     U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x39, "f64.store",     U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x3a, "i32.store8",    U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x3b, "i32.store16",   U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x3c, "i64.store8",    U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x3d, "i64.store16",   U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x3e, "i64.store32",   U32X2, OPF_KEEPS, 0, 0, 0) \
	X(0x3f, "memory.size",   BYTE, 0, 0, 0, 0) \
	X(0x40, "memory.grow",   BYTE, OPF_CALLS, 0, 0, 0) \
	X(0x41, "i32.const",     I32, OPF_KEEPS, 0, 0, 0) \
	X(0x42, "i64.const",     I64, OPF_KEEPS, 0, 0, 0) \
	X(0x43, "f32.const",     F32, OPF_KEEPS, 0, 0, 0) \
	X(0x44, "f64.const",     F64, OPF_KEEPS, 0, 0, 0) \
	X(0x45, "i32.eqz",       NONE, OPF_KEEPS | OPF_CC, WASM_I32, 0, WASM_I32) \
	X(0x46, "i32.eq",        NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x47, "i32.ne",        NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x48, "i32.lt_s",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x49, "i32.lt_u",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x4a, "i32.gt_s",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x4b, "i32.gt_u",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x4c, "i32.le_s",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x4d, "i32.le_u",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x4e, "i32.ge_s",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x4f, "i32.ge_u",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x50, "i64.eqz",       NONE, OPF_KEEPS, WASM_I64, 0, WASM_I32) \
	X(0x51, "i64.eq",        NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x52, "i64.ne",        NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x53, "i64.lt_s",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x54, "i64.lt_u",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x55, "i64.gt_s",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x56, "i64.gt_u",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x57, "i64.le_s",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x58, "i64.le_u",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x59, "i64.ge_s",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x5a, "i64.ge_u",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I32) \
	X(0x5b, "f32.eq",        NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_I32) \
	X(0x5c, "f32.ne",        NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_I32) \
	X(0x5d, "f32.lt",        NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_I32) \
	X(0x5e, "f32.gt",        NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_I32) \
	X(0x5f, "f32.le",        NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_I32) \
	X(0x60, "f32.ge",        NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_I32) \
	X(0x61, "f64.eq",        NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_I32) \
	X(0x62, "f64.ne",        NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_I32) \
	X(0x63, "f64.lt",        NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_I32) \
	X(0x64, "f64.gt",        NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_I32) \
	X(0x65, "f64.le",        NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_I32) \
	X(0x66, "f64.ge",        NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_I32) \
	X(0x67, "i32.clz",       NONE, OPF_KEEPS, WASM_I32, 0, WASM_I32) \
	X(0x68, "i32.ctz",       NONE, OPF_KEEPS, WASM_I32, 0, WASM_I32) \
	X(0x69, "i32.popcnt",    NONE, OPF_KEEPS | OPF_CALLS_NOPOPCNT, WASM_I32, 0, WASM_I32) \
	X(0x6a, "i32.add",       NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x6b, "i32.sub",       NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x6c, "i32.mul",       NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x6d, "i32.div_s",     NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x6e, "i32.div_u",     NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x6f, "i32.rem_s",     NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x70, "i32.rem_u",     NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x71, "i32.and",       NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x72, "i32.or",        NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x73, "i32.xor",       NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x74, "i32.shl",       NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x75, "i32.shr_s",     NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x76, "i32.shr_u",     NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x77, "i32.rotl",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x78, "i32.rotr",      NONE, OPF_KEEPS, WASM_I32, WASM_I32, WASM_I32) \
	X(0x79, "i64.clz",       NONE, OPF_KEEPS, WASM_I64, 0, WASM_I64) \
	X(0x7a, "i64.ctz",       NONE, OPF_KEEPS, WASM_I64, 0, WASM_I64) \
	X(0x7b, "i64.popcnt",    NONE, OPF_KEEPS | OPF_CALLS_NOPOPCNT, WASM_I64, 0, WASM_I64) \
	X(0x7c, "i64.add",       NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x7d, "i64.sub",       NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x7e, "i64.mul",       NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x7f, "i64.div_s",     NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x80, "i64.div_u",     NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x81, "i64.rem_s",     NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x82, "i64.rem_u",     NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x83, "i64.and",       NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x84, "i64.or",        NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x85, "i64.xor",       NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x86, "i64.shl",       NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x87, "i64.shr_s",     NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x88, "i64.shr_u",     NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x89, "i64.rotl",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x8a, "i64.rotr",      NONE, OPF_KEEPS, WASM_I64, WASM_I64, WASM_I64) \
	X(0x8b, "f32.abs",       NONE, OPF_KEEPS, WASM_F32, 0, WASM_F32) \
	X(0x8c, "f32.neg",       NONE, OPF_KEEPS, WASM_F32, 0, WASM_F32) \
	X(0x8d, "f32.ceil",      NONE, OPF_KEEPS | OPF_CALLS_NOSSE41, WASM_F32, 0, WASM_F32) \
	X(0x8e, "f32.floor",     NONE, OPF_KEEPS | OPF_CALLS_NOSSE41, WASM_F32, 0, WASM_F32) \
	X(0x8f, "f32.trunc",     NONE, OPF_KEEPS | OPF_CALLS_NOSSE41, WASM_F32, 0, WASM_F32) \
	X(0x90, "f32.nearest",   NONE, OPF_KEEPS | OPF_CALLS_NOSSE41, WASM_F32, 0, WASM_F32) \
	X(0x91, "f32.sqrt",      NONE, OPF_KEEPS, WASM_F32, 0, WASM_F32) \
	X(0x92, "f32.add",       NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_F32) \
	X(0x93, "f32.sub",       NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_F32) \
	X(0x94, "f32.mul",       NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_F32) \
	X(0x95, "f32.div",       NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_F32) \
	X(0x96, "f32.min",       NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_F32) \
	X(0x97, "f32.max",       NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_F32) \
	X(0x98, "f32.copysign",  NONE, OPF_KEEPS, WASM_F32, WASM_F32, WASM_F32) \
	X(0x99, "f64.abs",       NONE, OPF_KEEPS, WASM_F64, 0, WASM_F64) \
	X(0x9a, "f64.neg",       NONE, OPF_KEEPS, WASM_F64, 0, WASM_F64) \
	X(0x9b, "f64.ceil",      NONE, OPF_KEEPS | OPF_CALLS_NOSSE41, WASM_F64, 0, WASM_F64) \
	X(0x9c, "f64.floor",     NONE, OPF_KEEPS | OPF_CALLS_NOSSE41, WASM_F64, 0, WASM_F64) \
	X(0x9d, "f64.trunc",     NONE, OPF_KEEPS | OPF_CALLS_NOSSE41, WASM_F64, 0, WASM_F64) \
	X(0x9e, "f64.nearest",   NONE, OPF_KEEPS | OPF_CALLS_NOSSE41, WASM_F64, 0, WASM_F64) \
	X(0x9f, "f64.sqrt",      NONE, OPF_KEEPS, WASM_F64, 0, WASM_F64) \
	X(0xa0, "f64.add",       NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_F64) \
	X(0xa1, "f64.sub",       NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_F64) \
	X(0xa2, "f64.mul",       NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_F64) \
	X(0xa3, "f64.div",       NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_F64) \
	X(0xa4, "f64.min",       NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_F64) \
	X(0xa5, "f64.max",       NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_F64) \
	X(0xa6, "f64.copysign",  NONE, OPF_KEEPS, WASM_F64, WASM_F64, WASM_F64) \
	X(0xa7, "i32.wrap_i64",        NONE, OPF_KEEPS, WASM_I64, 0, WASM_I32) \
	X(0xa8, "i32.trunc_f32_s",     NONE, OPF_KEEPS, WASM_F32, 0, WASM_I32) \
	X(0xa9, "i32.trunc_f32_u",     NONE, OPF_KEEPS, WASM_F32, 0, WASM_I32) \
	X(0xaa, "i32.trunc_f64_s",     NONE, OPF_KEEPS, WASM_F64, 0, WASM_I32) \
	X(0xab, "i32.trunc_f64_u",     NONE, OPF_KEEPS, WASM_F64, 0, WASM_I32) \
	X(0xac, "i64.extend_i32_s",    NONE, OPF_KEEPS, WASM_I32, 0, WASM_I64) \
	X(0xad, "i64.extend_i32_u",    NONE, OPF_KEEPS, WASM_I32, 0, WASM_I64) \
	X(0xae, "i64.trunc_f32_s",     NONE, OPF_KEEPS, WASM_F32, 0, WASM_I64) \
	X(0xaf, "i64.trunc_f32_u",     NONE, OPF_KEEPS, WASM_F32, 0, WASM_I64) \
	X(0xb0, "i64.trunc_f64_s",     NONE, OPF_KEEPS, WASM_F64, 0, WASM_I64) \
	X(0xb1, "i64.trunc_f64_u",     NONE, OPF_KEEPS, WASM_F64, 0, WASM_I64) \
	X(0xb2, "f32.convert_i32_s",   NONE, OPF_KEEPS, WASM_I32, 0, WASM_F32) \
	X(0xb3, "f32.convert_i32_u",   NONE, OPF_KEEPS, WASM_I32, 0, WASM_F32) \
	X(0xb4, "f32.convert_i64_s",   NONE, OPF_KEEPS, WASM_I64, 0, WASM_F32) \
	X(0xb5, "f32.convert_i64_u",   NONE, OPF_KEEPS, WASM_I64, 0, WASM_F32) \
	X(0xb6, "f32.demote_f64",      NONE, OPF_KEEPS, WASM_F64, 0, WASM_F32) \
	X(0xb7, "f64.convert_i32_s",   NONE, OPF_KEEPS, WASM_I32, 0, WASM_F64) \
	X(0xb8, "f64.convert_i32_u",   NONE, OPF_KEEPS, WASM_I32, 0, WASM_F64) \
	X(0xb9, "f64.convert_i64_s",   NONE, OPF_KEEPS, WASM_I64, 0, WASM_F64) \
	X(0xba, "f64.convert_i64_u",   NONE, OPF_KEEPS, WASM_I64, 0, WASM_F64) \
	X(0xbb, "f64.promote_f32",     NONE, OPF_KEEPS, WASM_F32, 0, WASM_F64) \
	X(0xbc, "i32.reinterpret_f32", NONE, OPF_KEEPS, WASM_F32, 0, WASM_I32) \
	X(0xbd, "i64.reinterpret_f64", NONE, OPF_KEEPS, WASM_F64, 0, WASM_I64) \
	X(0xbe, "f32.reinterpret_i32", NONE, OPF_KEEPS, WASM_I32, 0, WASM_F32) \
	X(0xbf, "f64.reinterpret_i64", NONE, OPF_KEEPS, WASM_I64, 0, WASM_F64) \
	X(0xc0, "i32.extend8_s",       NONE, OPF_KEEPS, WASM_I32, 0, WASM_I32) \
	X(0xc1, "i32.extend16_s",      NONE, OPF_KEEPS, WASM_I32, 0, WASM_I32) \
	X(0xc2, "i64.extend8_s",       NONE, OPF_KEEPS, WASM_I64, 0, WASM_I64) \
	X(0xc3, "i64.extend16_s",      NONE, OPF_KEEPS, WASM_I64, 0, WASM_I64) \
	X(0xc4, "i64.extend32_s",      NONE, OPF_KEEPS, WASM_I64, 0, WASM_I64) \
	X(0xd0, "ref.null",      BYTE, 0, 0, 0, 0) \
	X(0xd1, "ref.is_null",   NONE, 0, 0, 0, 0) \
	X(0xd2, "ref.func",      U32, 0, 0, 0, 0) \
	X(0xfc, "0xfc",          FC, OPF_CALLS, 0, 0, 0)

#endif
