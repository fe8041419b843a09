// gen_tree.mjs — the differential fuzzer's own module generator: random
// but valid modules (Core spec 2.0, no SIMD) built as typed expression
// trees, aimed at what the compiler (jit/compile/) treats specially:
//
//   - constants at every width and sign boundary (imm8/simm32/imm64 forms,
//     0x80000000 as i64, float bit patterns, NaNs, subnormals, the edges
//     of the truncations);
//   - comparisons feeding br_if / if / select / eqz (V_FLAGS), eqz chains;
//   - right-deep expressions wider than the register file (spills), many
//     live locals (pinned registers) and `x = x op e` (in-place ops);
//   - loads and stores with offsets near the end of memory and near 2^31
//     and 2^32, constant and register addresses;
//   - loops with locals live across them, blocks/ifs/loops with params and
//     results (multi-value), br_table, early returns;
//   - calls and call_indirect with many params and results, traps of
//     every kind, bulk memory, memory.grow, tables;
//   - tail calls (return_call, return_call_indirect) under a condition,
//     when generate() is asked for them (the single-pass JIT: the LLVM
//     backend refuses them; without them a seed gives the module it gave
//     before they existed).
//
//   - with generate(seed, { simd: true }) (issue 10), v128 expressions of
//     every non-relaxed Wasm 2.0 SIMD instruction that takes no immediate
//     (from jit/opcodes.h's 0xfd table) plus v128.const, loads, shuffles
//     and lanes, each ending in a scalar (extract_lane, bitmask,
//     all_true/any_true); v128 never crosses a call, local or global.
//     Without simd a seed gives the module it gave before.
//
//   - with generate(seed, { eh: true }) (issue 10), exception handling in
//     the legacy form both engines run: a tag section; try blocks (block
//     types with params and results, as statements and expressions) with
//     catches of tags, catch_all, or delegate to any enclosing label;
//     throw with computed payloads (here and in callees, direct and
//     indirect), rethrow of enclosing catches, br/br_table/return out of
//     try and catch bodies, traps in try bodies (never caught).  Without
//     eh a seed gives the module it gave before.
//
// Termination: functions call only lower-indexed functions (call_indirect
// only table entries that do), every loop counts down a local and a global
// fuel (reset by the exported fuel_reset, which the driver calls before
// every call).  One optional function recurses without end on purpose,
// without side effects: both engines must report stack exhaustion.
//
// NaN bits: the spec lets an arithmetic NaN result have any sign and
// payload, and engines differ (operand order, constant folding).  Where
// such bits would become observable as integers (reinterpret, store,
// copysign's sign operand) the value goes through canon(): a NaN becomes
// the canonical NaN, so the traces of conforming engines agree.
//
//   import { generate } from './gen_tree.mjs';
// SIMD NaNs: a v128 expression has a float width (32, 64) when its lanes
// may hold arithmetic NaNs of that width; only float operations, float
// compares, trunc_sat, promote/demote and extract_lane of the same width
// read those, never bitwise, integer or other-width ones (which would make
// NaN bits observable: vOutWidth/vInWidth).
//
//   generate(seed, { tail: true|false, simd: true|false, eh: true|false }) -> Buffer

import { uleb, sleb, str, vec, section, MAGIC } from './wasmbin.mjs';

const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c, FUNCREF = 0x70;
const NUM = [I32, I64, F32, F64];

// sfc32, seeded through splitmix32 (deterministic for every seed)
export class Rng {
	constructor(seed) {
		let s = seed >>> 0;
		const mix = () => {
			s = (s + 0x9e3779b9) >>> 0;
			let z = s;
			z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
			z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
			return (z ^ (z >>> 16)) >>> 0;
		};
		this.a = mix(); this.b = mix(); this.c = mix(); this.d = mix();
		for (let i = 0; i < 12; i++) this.u32();
	}
	u32() {
		const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
		this.d = (this.d + 1) >>> 0;
		this.a = this.b ^ (this.b >>> 9);
		this.b = (this.c + (this.c << 3)) >>> 0;
		this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
		this.c = (this.c + t) >>> 0;
		return t;
	}
	int(n) { return n <= 1 ? 0 : this.u32() % n; }
	range(lo, hi) { return lo + this.int(hi - lo + 1); }
	chance(p) { return this.u32() < p * 4294967296; }
	pick(a) { return a[this.int(a.length)]; }
	u64() { return (BigInt(this.u32()) << 32n) | BigInt(this.u32()); }
	// weighted choice: [[weight, value], ...]
	wpick(items) {
		let total = 0;
		for (const [w] of items) total += w;
		let x = this.int(total);
		for (const [w, v] of items) {
			if (x < w) return v;
			x -= w;
		}
		return items[items.length - 1][1];
	}
}

// ---- constants -----------------------------------------------------------------

export const I32_EDGES = [0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 127, 128, 255, 256,
	0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe,
	0xffffffff, 0xffffff80, 0xffffff7f, 0xffff8000, 0xffff7fff, 0xfffffff0, 0x55555555,
	0xaaaaaaaa, 0x0000fff8, 0x0000fffc, 0x0000ffff];
export const I64_EDGES = [0n, 1n, 2n, 63n, 64n, 65n, 127n, 128n, 255n, 0x7fffn, 0x8000n, 0xffffn,
	0x7fffffffn, 0x80000000n, 0x80000001n, 0xffffffffn, 0x100000000n, 0x100000001n,
	0x7fffffffffffffffn, 0x8000000000000000n, 0x8000000000000001n, 0xffffffffffffffffn,
	0xffffffff80000000n, 0xffffffff7fffffffn, 0xffffffff00000000n, 0x00000000ffffff80n,
	0xffffffffffffff80n, 0xffffffffffffff7fn, 0x5555555555555555n, 0xaaaaaaaaaaaaaaaan,
	0x0000000100000000n, 0xfffffffefffffffen];
// float bit patterns: zeros, ones, infinities, NaNs (quiet, payload,
// signalling, negative), subnormals, extremes, the edges of truncation
export const F32_EDGES = [0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000,
	0x7fc00000, 0xffc00000, 0x7fc00001, 0x7fa00000, 0xff800001, 0x00000001, 0x80000001,
	0x007fffff, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x3f000000, 0xbf000000, 0x3fc00000,
	0x40200000, 0xbfc00000, 0x4f000000, 0x4effffff, 0xcf000000, 0xcf000001, 0x4f800000,
	0x4f7fffff, 0x5f000000, 0x5effffff, 0xdf000000, 0xdf000001, 0x5f800000, 0x5f7fffff,
	0x3effffff, 0xbf7fffff, 0x4b000000, 0x4b7fffff, 0xcb000001];
export const F64_EDGES = [0x0000000000000000n, 0x8000000000000000n, 0x3ff0000000000000n,
	0xbff0000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n, 0x7ff8000000000000n,
	0xfff8000000000000n, 0x7ff8000000000001n, 0x7ff4000000000000n, 0x0000000000000001n,
	0x000fffffffffffffn, 0x0010000000000000n, 0x7fefffffffffffffn, 0xffefffffffffffffn,
	0x3fe0000000000000n, 0xbfe0000000000000n, 0x3ff8000000000000n, 0x4004000000000000n,
	0x41dfffffffc00000n, 0x41e0000000000000n, 0xc1e0000000000000n, 0xc1e0000000200000n,
	0xc1dfffffffc00000n, 0x41efffffffe00000n, 0x41f0000000000000n, 0x43e0000000000000n,
	0x43dfffffffffffffn, 0xc3e0000000000000n, 0xc3e0000000000001n, 0x43f0000000000000n,
	0x43efffffffffffffn, 0x4330000000000000n, 0x3fdfffffffffffffn, 0x36a0000000000000n,
	0x47efffffe0000000n, 0x47f0000000000000n];

const f32buf = new DataView(new ArrayBuffer(8));

function f32bytes(bits) {
	f32buf.setUint32(0, bits >>> 0, true);
	return [0, 1, 2, 3].map(i => f32buf.getUint8(i));
}

function f64bytes(bits) {
	f32buf.setBigUint64(0, BigInt.asUintN(64, bits), true);
	return [0, 1, 2, 3, 4, 5, 6, 7].map(i => f32buf.getUint8(i));
}

// ---- opcodes -----------------------------------------------------------------

const OP = {
	unreachable: 0x00, nop: 0x01, block: 0x02, loop: 0x03, if: 0x04, else: 0x05,
	end: 0x0b, br: 0x0c, br_if: 0x0d, br_table: 0x0e, return: 0x0f, call: 0x10,
	call_indirect: 0x11, return_call: 0x12, return_call_indirect: 0x13,
	drop: 0x1a, select: 0x1b, select_t: 0x1c,
	local_get: 0x20, local_set: 0x21, local_tee: 0x22, global_get: 0x23, global_set: 0x24,
	table_get: 0x25, table_set: 0x26, memory_size: 0x3f, memory_grow: 0x40,
	ref_null: 0xd0, ref_is_null: 0xd1, ref_func: 0xd2, fc: 0xfc,
};
const CONST_OP = { [I32]: 0x41, [I64]: 0x42, [F32]: 0x43, [F64]: 0x44 };

// SIMD (0xfd prefix; issue 10): [opcode, operands (v: v128, i/l/f/d: a
// scalar)].  V_INT: results whose every bit is specified; V_FLOAT: float
// lanes, which may hold NaNs of unspecified bits (vOutWidth).
const V_INT = [
	[0xe, 'vv'], [0xf, 'i'], [0x10, 'i'], [0x11, 'i'], [0x12, 'l'], [0x23, 'vv'],
	[0x24, 'vv'], [0x25, 'vv'], [0x26, 'vv'], [0x27, 'vv'], [0x28, 'vv'], [0x29, 'vv'],
	[0x2a, 'vv'], [0x2b, 'vv'], [0x2c, 'vv'], [0x2d, 'vv'], [0x2e, 'vv'], [0x2f, 'vv'],
	[0x30, 'vv'], [0x31, 'vv'], [0x32, 'vv'], [0x33, 'vv'], [0x34, 'vv'], [0x35, 'vv'],
	[0x36, 'vv'], [0x37, 'vv'], [0x38, 'vv'], [0x39, 'vv'], [0x3a, 'vv'], [0x3b, 'vv'],
	[0x3c, 'vv'], [0x3d, 'vv'], [0x3e, 'vv'], [0x3f, 'vv'], [0x40, 'vv'], [0x41, 'vv'],
	[0x42, 'vv'], [0x43, 'vv'], [0x44, 'vv'], [0x45, 'vv'], [0x46, 'vv'],
	[0x47, 'vv'], [0x48, 'vv'], [0x49, 'vv'], [0x4a, 'vv'], [0x4b, 'vv'],
	[0x4c, 'vv'], [0x4d, 'v'], [0x4e, 'vv'], [0x4f, 'vv'], [0x50, 'vv'], [0x51, 'vv'],
	[0x52, 'vvv'], [0x60, 'v'], [0x61, 'v'], [0x62, 'v'], [0x65, 'vv'], [0x66, 'vv'],
	[0x6b, 'vi'], [0x6c, 'vi'], [0x6d, 'vi'], [0x6e, 'vv'], [0x6f, 'vv'], [0x70, 'vv'],
	[0x71, 'vv'], [0x72, 'vv'], [0x73, 'vv'], [0x76, 'vv'], [0x77, 'vv'], [0x78, 'vv'],
	[0x79, 'vv'], [0x7b, 'vv'], [0x7c, 'v'], [0x7d, 'v'], [0x7e, 'v'], [0x7f, 'v'],
	[0x80, 'v'], [0x81, 'v'], [0x82, 'vv'], [0x85, 'vv'], [0x86, 'vv'], [0x87, 'v'],
	[0x88, 'v'], [0x89, 'v'], [0x8a, 'v'], [0x8b, 'vi'], [0x8c, 'vi'], [0x8d, 'vi'],
	[0x8e, 'vv'], [0x8f, 'vv'], [0x90, 'vv'], [0x91, 'vv'], [0x92, 'vv'], [0x93, 'vv'],
	[0x95, 'vv'], [0x96, 'vv'], [0x97, 'vv'], [0x98, 'vv'], [0x99, 'vv'], [0x9b, 'vv'],
	[0x9c, 'vv'], [0x9d, 'vv'], [0x9e, 'vv'], [0x9f, 'vv'], [0xa0, 'v'], [0xa1, 'v'],
	[0xa7, 'v'], [0xa8, 'v'], [0xa9, 'v'], [0xaa, 'v'], [0xab, 'vi'], [0xac, 'vi'],
	[0xad, 'vi'], [0xae, 'vv'], [0xb1, 'vv'], [0xb5, 'vv'], [0xb6, 'vv'], [0xb7, 'vv'],
	[0xb8, 'vv'], [0xb9, 'vv'], [0xba, 'vv'], [0xbc, 'vv'], [0xbd, 'vv'], [0xbe, 'vv'],
	[0xbf, 'vv'], [0xc0, 'v'], [0xc1, 'v'], [0xc7, 'v'], [0xc8, 'v'], [0xc9, 'v'],
	[0xca, 'v'], [0xcb, 'vi'], [0xcc, 'vi'], [0xcd, 'vi'], [0xce, 'vv'], [0xd1, 'vv'],
	[0xd5, 'vv'], [0xd6, 'vv'], [0xd7, 'vv'], [0xd8, 'vv'], [0xd9, 'vv'], [0xda, 'vv'],
	[0xdb, 'vv'], [0xdc, 'vv'], [0xdd, 'vv'], [0xde, 'vv'], [0xdf, 'vv'], [0xf8, 'v'],
	[0xf9, 'v'], [0xfc, 'v'], [0xfd, 'v']];
const V_FLOAT = [
	[0x13, 'f'], [0x14, 'd'], [0x5e, 'v'], [0x5f, 'v'], [0x67, 'v'],
	[0x68, 'v'], [0x69, 'v'], [0x6a, 'v'], [0x74, 'v'], [0x75, 'v'],
	[0x7a, 'v'], [0x94, 'v'], [0xe0, 'v'], [0xe1, 'v'], [0xe3, 'v'],
	[0xe4, 'vv'], [0xe5, 'vv'], [0xe6, 'vv'], [0xe7, 'vv'], [0xe8, 'vv'],
	[0xe9, 'vv'], [0xea, 'vv'], [0xeb, 'vv'], [0xec, 'v'], [0xed, 'v'],
	[0xef, 'v'], [0xf0, 'vv'], [0xf1, 'vv'], [0xf2, 'vv'], [0xf3, 'vv'],
	[0xf4, 'vv'], [0xf5, 'vv'], [0xf6, 'vv'], [0xf7, 'vv'], [0xfa, 'v'],
	[0xfb, 'v'], [0xfe, 'v'], [0xff, 'v']];
// v128 -> i32 (any_true, all_true, bitmask); extract_lane [opcode, lanes]
// -> i32; the loads [opcode, bytes read]; replace_lane [opcode, lanes, scalar]
const V_REDUCE = [0x53, 0x63, 0x64, 0x83, 0x84, 0xa3, 0xa4, 0xc3, 0xc4];
const V_EXTRACT_I32 = [[0x15, 16], [0x16, 16], [0x18, 8], [0x19, 8], [0x1b, 4]];
const V_LOADS = [[0x00, 16], [0x01, 8], [0x02, 8], [0x03, 8], [0x04, 8], [0x05, 8], [0x06, 8],
	[0x07, 1], [0x08, 2], [0x09, 4], [0x0a, 8], [0x5c, 4], [0x5d, 8]];
const V_REPLACE_INT = [[0x17, 16, 0x7f], [0x1a, 8, 0x7f], [0x1c, 4, 0x7f], [0x1e, 2, 0x7e]];

// The float width (32, 64; 0: none) of the NaNs op's result lanes may
// hold, and that its v128 operands may hold without the NaN bits
// becoming observable: read as lanes of the same width by float
// arithmetic, float compares, trunc_sat, promote/demote.  Anything else
// (integer and bitwise ops, convert, a float op of the other width,
// which sees an f32 NaN's bits as an ordinary f64) wants width 0.
function vOutWidth(op) {
	if (op === 0x13 || op === 0x5e || (op >= 0x67 && op <= 0x6a) ||
		(op >= 0xe0 && op <= 0xeb) || op === 0xfa || op === 0xfb) return 32;
	if (op === 0x14 || op === 0x5f || op === 0x74 || op === 0x75 || op === 0x7a ||
		op === 0x94 || (op >= 0xec && op <= 0xf7) || op === 0xfe || op === 0xff) return 64;
	return 0;
}
function vInWidth(op) {
	if ((op >= 0x41 && op <= 0x46) || op === 0xf8 || op === 0xf9 || op === 0x5f) return 32;
	if ((op >= 0x47 && op <= 0x4c) || op === 0xfc || op === 0xfd || op === 0x5e) return 64;
	if (op === 0xfa || op === 0xfb || op === 0xfe || op === 0xff) return 0;
	return vOutWidth(op);
}
const V_FLOAT_BY = { 32: V_FLOAT.filter(([op]) => vOutWidth(op) === 32),
	64: V_FLOAT.filter(([op]) => vOutWidth(op) === 64) };

// binary (t, t) -> t
const BIN = {
	[I32]: range(0x6a, 0x78), [I64]: range(0x7c, 0x8a),
	[F32]: range(0x92, 0x98), [F64]: range(0xa0, 0xa6),
};
// divisors for divEdge: never 0 (-1 with div_s only when wild)
const DIV32 = [1, 2, 3, 4, 5, 7, 8, 10, 16, 255, 256, 0x10000, 0x7fffffff, 0x80000000,
	0x80000001, 0xffffffff, 0xfffffffe, 0xfffffff9, 0xffffff80, 0x55555555, 0xaaaaaaab];
const DIV64 = [1n, 2n, 3n, 4n, 7n, 10n, 16n, 0x80000000n, 0xffffffffn, 0x100000000n,
	0x7fffffffffffffffn, 0x8000000000000000n, 0x8000000000000001n, 0xffffffffffffffffn,
	0xfffffffffffffffen, 0xfffffffffffffff9n, 0xffffffff80000000n, 0x5555555555555555n];
const DIVS = new Set([0x6d, 0x6e, 0x6f, 0x70, 0x7f, 0x80, 0x81, 0x82]);
const COPYSIGN = new Set([0x98, 0xa6]);
// unary t -> t
const UN = {
	[I32]: [0x67, 0x68, 0x69, 0xc0, 0xc1], [I64]: [0x79, 0x7a, 0x7b, 0xc2, 0xc3, 0xc4],
	[F32]: range(0x8b, 0x91), [F64]: range(0x99, 0x9f),
};
// comparisons (t, t) -> i32
const CMP = {
	[I32]: range(0x46, 0x4f), [I64]: range(0x51, 0x5a),
	[F32]: range(0x5b, 0x60), [F64]: range(0x61, 0x66),
};
// conversions: [opcode, from, to, traps?]
const CONV = [
	[0xa7, I64, I32], [0xa8, F32, I32, 1], [0xa9, F32, I32, 1], [0xaa, F64, I32, 1],
	[0xab, F64, I32, 1], [0xac, I32, I64], [0xad, I32, I64], [0xae, F32, I64, 1],
	[0xaf, F32, I64, 1], [0xb0, F64, I64, 1], [0xb1, F64, I64, 1], [0xb2, I32, F32],
	[0xb3, I32, F32], [0xb4, I64, F32], [0xb5, I64, F32], [0xb6, F64, F32],
	[0xb7, I32, F64], [0xb8, I32, F64], [0xb9, I64, F64], [0xba, I64, F64],
	[0xbb, F32, F64], [0xbc, F32, I32], [0xbd, F64, I64], [0xbe, I32, F32],
	[0xbf, I64, F64],
];
const REINTERPRET_FROM_FLOAT = new Set([0xbc, 0xbd]);
// 0xfc 0..7: trunc_sat
const SAT = [[F32, I32], [F32, I32], [F64, I32], [F64, I32],
	[F32, I64], [F32, I64], [F64, I64], [F64, I64]];
// loads: [opcode, result type, bytes]; stores: [opcode, value type, bytes]
const LOADS = [[0x28, I32, 4], [0x29, I64, 8], [0x2a, F32, 4], [0x2b, F64, 8],
	[0x2c, I32, 1], [0x2d, I32, 1], [0x2e, I32, 2], [0x2f, I32, 2], [0x30, I64, 1],
	[0x31, I64, 1], [0x32, I64, 2], [0x33, I64, 2], [0x34, I64, 4], [0x35, I64, 4]];
const STORES = [[0x36, I32, 4], [0x37, I64, 8], [0x38, F32, 4], [0x39, F64, 8],
	[0x3a, I32, 1], [0x3b, I32, 2], [0x3c, I64, 1], [0x3d, I64, 2], [0x3e, I64, 4]];

function range(a, b) {
	const r = [];
	for (let i = a; i <= b; i++) r.push(i);
	return r;
}

// ---- the module -------------------------------------------------------------

const PAGE = 65536;
const FUEL = 3000;                      // loop iterations per export call

class ModuleGen {
	constructor(seed, tail = false, simd = false, eh = false) {
		const r = this.r = new Rng(seed);
		this.tail = tail;
		this.simd = simd;
		this.eh = eh;
		this.types = [];                // [{params, results, key}]
		this.imports = [];              // log functions: [{name, type}]
		for (const [name, t] of [['log_i32', I32], ['log_i64', I64], ['log_f32', F32],
			['log_f64', F64]])
			this.imports.push({ name, t, type: this.typeIndex([t], []) });
		this.nimports = this.imports.length;
		// how often an access, division or truncation may trap
		this.wild = r.pick([0.002, 0.01, 0.03, 0.1]);
		this.memPages = r.range(1, 2);
		this.memMax = this.memPages + r.range(0, 2);
		this.globals = [];              // [{t, mut, init bytes}]
		const nglobals = r.range(2, 8);
		for (let i = 0; i < nglobals; i++) {
			const t = r.pick(NUM);
			this.globals.push({ t, mut: r.chance(0.8), init: constBytes(r, t) });
		}
		this.fuel = this.globals.length;
		this.globals.push({ t: I32, mut: true, init: [0x41, ...sleb(FUEL)] });
		this.funcs = [];                // [{type, params, results}]
		const nfuncs = r.range(2, 7);
		for (let i = 0; i < nfuncs; i++) {
			// (with tail calls, more of them with stack arguments: more
			// than 5 integer or 8 float parameters)
			const np = r.wpick([[6, r.range(0, 3)], [3, r.range(4, 8)],
				[tail ? 4 : 1, r.range(9, 14)]]);
			const nr = r.wpick([[3, 0], [8, 1], [3, r.range(2, 4)], [1, r.range(5, 7)]]);
			const params = Array.from({ length: np }, () => r.pick(NUM));
			const results = Array.from({ length: nr }, () => r.pick(NUM));
			this.funcs.push({ params, results, type: this.typeIndex(params, results) });
		}
		this.recursive = r.chance(0.1);
		this.passive = r.chance(0.3);   // a passive data segment (memory.init)
		this.table1 = r.chance(0.4);    // a second table for table.* ops
		this.buildTable();
		if (eh) this.buildTags();
	}

	// exception handling (generate(seed, { eh: true })): 1..5 tags, each
	// a function type with no results and 0..4 params of any number type
	// (drawn after everything else: without eh the rng sequence is the same)
	buildTags() {
		const r = this.r;
		this.tags = [];
		for (let n = r.range(1, 5); n > 0; n--) {
			const params = Array.from({ length: r.wpick([[2, 0], [4, 1], [3, r.range(2, 4)]]) },
				() => r.pick(NUM));
			this.tags.push({ params, type: this.typeIndex(params, []) });
		}
	}

	typeIndex(params, results) {
		const key = `${params.join(',')}:${results.join(',')}`;
		let i = this.types.findIndex(t => t.key === key);
		if (i < 0) {
			i = this.types.length;
			this.types.push({ params, results, key });
		}
		return i;
	}

	funcIndex(i) { return this.nimports + i; }

	// table 0: the defined functions in index order with null holes, so
	// the entries a function may call through are a prefix (safeCount)
	buildTable() {
		const r = this.r;
		this.table = [];
		for (let i = 0; i < this.funcs.length; i++) {
			if (r.chance(0.25)) this.table.push(-1);
			this.table.push(i);
		}
		this.tableSize = this.table.length + r.range(0, 3);
	}

	safeCount(fi) {
		let n = 0;
		while (n < this.table.length && this.table[n] < fi) n++;
		return n;
	}

	build() {
		const bodies = this.funcs.map((f, i) => new FuncGen(this, i).body());
		const fuelReset = [0x00, 0x41, ...sleb(FUEL), OP.global_set, ...uleb(this.fuel), OP.end];
		const extra = [{ name: 'fuel_reset', type: this.typeIndex([], []), body: fuelReset }];
		if (this.recursive) {
			const idx = this.funcIndex(this.funcs.length + 1);
			// (i64) -> i64: x -> self(x + 1) + 1, no side effects
			extra.push({ name: 'deep_recursion', type: this.typeIndex([I64], [I64]), body: [
				0x00, OP.local_get, 0, 0x42, 1, 0x7c, OP.call, ...uleb(idx), 0x42, 1, 0x7c,
				OP.end] });
		}
		return Buffer.from([...MAGIC,
			...section(1, vec(this.types.map(t =>
				[0x60, ...vec(t.params.map(x => [x])), ...vec(t.results.map(x => [x]))]))),
			...section(2, vec(this.imports.map(im =>
				[...str('fuzz'), ...str(im.name), 0x00, ...uleb(im.type)]))),
			...section(3, vec([...this.funcs.map(f => uleb(f.type)),
				...extra.map(e => uleb(e.type))])),
			...section(4, vec([
				[FUNCREF, 0x00, ...uleb(this.tableSize)],
				...(this.table1 ? [[FUNCREF, 0x01, 0x02, 0x08]] : [])])),
			...section(5, vec([[0x01, ...uleb(this.memPages), ...uleb(this.memMax)]])),
			...(this.eh ? section(13, vec(this.tags.map(t => [0x00, ...uleb(t.type)]))) : []),
			...section(6, vec(this.globals.map(g => [g.t, g.mut ? 1 : 0, ...g.init, OP.end]))),
			...section(7, vec([
				...this.funcs.map((f, i) => [...str(`f${i}`), 0x00, ...uleb(this.funcIndex(i))]),
				...extra.map((e, i) => [...str(e.name), 0x00,
					...uleb(this.funcIndex(this.funcs.length + i))]),
				[...str('memory'), 0x02, 0x00]])),
			...section(9, vec(this.elemSegments())),
			...(this.passive ? section(12, uleb(this.dataSegments().length)) : []),
			...section(10, vec([...bodies, ...extra.map(e => e.body)].map(b => [...uleb(b.length), ...b]))),
			...section(11, vec(this.dataSegments())),
		]);
	}

	elemSegments() {
		const segs = [];
		// active, table 0 from 0: runs of non-null entries
		for (let k = 0; k < this.table.length; k++) {
			if (this.table[k] < 0) continue;
			let e = k;
			while (e < this.table.length && this.table[e] >= 0) e++;
			segs.push([0x00, 0x41, ...sleb(k), OP.end,
				...vec(this.table.slice(k, e).map(fi => uleb(this.funcIndex(fi))))]);
			k = e;
		}
		// declarative: every defined function may be ref.func'd
		segs.push([0x03, 0x00, ...vec(this.funcs.map((f, i) => uleb(this.funcIndex(i))))]);
		return segs;
	}

	dataSegments() {
		const r = this.r, segs = [];
		const n = r.range(1, 4);
		for (let i = 0; i < n; i++) {
			const len = r.range(1, 64);
			const at = r.chance(0.3) ? this.memPages * PAGE - len : r.int(this.memPages * PAGE - len);
			segs.push([0x00, 0x41, ...sleb(at), OP.end, ...vec(randBytes(r, len).map(b => [b]))]);
		}
		if (this.passive) {
			this.passiveLen = r.range(1, 40);
			segs.push([0x01, ...vec(randBytes(r, this.passiveLen).map(b => [b]))]);
		}
		return segs;
	}
}

function randBytes(r, n) {
	return Array.from({ length: n }, () => r.u32() & 0xff);
}

// a constant of type t: mostly an edge value, sometimes random bits
function constValue(r, t) {
	switch (t) {
	case I32: return r.chance(0.7) ? r.pick(I32_EDGES) : r.chance(0.5) ? r.int(300) : r.u32();
	case I64: return r.chance(0.7) ? r.pick(I64_EDGES) :
		r.chance(0.5) ? BigInt(r.int(300)) : r.u64();
	case F32: return r.chance(0.7) ? r.pick(F32_EDGES) : r.u32();
	case F64: return r.chance(0.7) ? r.pick(F64_EDGES) : r.u64();
	}
}

function constOf(t, v) {
	switch (t) {
	case I32: return [0x41, ...sleb(BigInt.asIntN(32, BigInt(v)))];
	case I64: return [0x42, ...sleb(BigInt.asIntN(64, BigInt(v)))];
	case F32: return [0x43, ...f32bytes(v)];
	case F64: return [0x44, ...f64bytes(BigInt(v))];
	}
}

function constBytes(r, t) {
	return constOf(t, constValue(r, t));
}

// ---- one function -------------------------------------------------------------

class FuncGen {
	constructor(mod, fi) {
		this.m = mod;
		this.r = mod.r;
		this.fi = fi;
		this.f = mod.funcs[fi];
		this.locals = [...this.f.params];   // types of all locals, params first
		this.nparams = this.f.params.length;
		const nl = this.r.wpick([[4, this.r.range(0, 4)], [3, this.r.range(5, 12)],
			[1, this.r.range(13, 24)]]);
		for (let i = 0; i < nl; i++) this.locals.push(this.r.pick(NUM));
		this.code = [];
		this.labels = [];       // innermost last: {types: branch types, loop}
		this.budget = this.r.range(40, 400);    // nodes in this body
		this.loopDepth = 0;
		this.scratch = {};      // type -> locals reserved for canon() etc.
	}

	emit(...b) { for (const x of b) this.code.push(x); }

	// a fresh local of type t (declared at the end)
	newLocal(t) {
		this.locals.push(t);
		return this.locals.length - 1;
	}

	localsOf(t) {
		const out = [];
		this.locals.forEach((lt, i) => { if (lt === t && !this.reserved?.has(i)) out.push(i); });
		return out;
	}

	scratchLocal(t) {
		if (this.scratch[t] === undefined) {
			this.scratch[t] = this.newLocal(t);
			(this.reserved ??= new Set()).add(this.scratch[t]);
		}
		return this.scratch[t];
	}

	body() {
		const r = this.r;
		this.labels.push({ types: this.f.results, loop: false });
		this.stmts(r.range(2, 10), 3);
		// the end: the results, or sometimes a tail call that makes them
		const tc = this.m.tail && r.chance(0.4) ? this.tailCallee() : null;
		if (tc) {
			this.emitTailCall(tc, 4);
		} else {
			for (const t of this.f.results) this.expr(t, 4);
		}
		this.emit(OP.end);
		this.labels.pop();
		// locals declaration: one entry per declared local
		const decl = this.locals.slice(this.nparams).map(t => [1, t]);
		return [...vec(decl), ...this.code];
	}

	// ---- statements ---------------------------------------------------------

	stmts(n, depth) {
		for (let i = 0; i < n && this.budget > 0; i++) this.stmt(depth);
	}

	stmt(depth) {
		const r = this.r;
		this.budget--;
		const deep = depth > 0;
		const kind = r.wpick([
			[10, 'set'], [4, 'tee_drop'], [3, 'global_set'], [8, 'store'], [6, 'log'],
			[deep ? 4 : 0, 'if'], [deep ? 4 : 0, 'block'], [deep ? 5 : 0, 'loop'],
			[deep ? 3 : 0, 'br_table'], [4, 'call'], [2, 'call_indirect'], [1, 'return'],
			[2, 'bulk'], [1, 'grow'], [this.m.table1 ? 2 : 0, 'table'], [1, 'trap'],
			[2, 'drop'], [2, 'br_if'], [2, 'update'],
			[this.m.tail ? 6 : 0, 'return_call'],
			[this.m.eh && deep ? 8 : 0, 'try'], [this.m.eh ? 3 : 0, 'throw'],
			[this.m.eh && this.catchLabels().length ? 3 : 0, 'rethrow'],
			[this.m.eh ? 1 : 0, 'trap_in_try'], [this.m.eh ? 2 : 0, 'br_table_out'],
		]);
		this[`s_${kind}`](depth);
	}

	// ---- exception handling (generate(seed, { eh: true }); issue 10) ------

	// try with a block type (params, results): a body that may throw (here,
	// in a callee, directly or through the table), trap (never caught),
	// branch or return out; then catches of specific tags and/or
	// catch_all, or delegate to any enclosing label (the function's too)
	s_try(depth) {
		const r = this.r;
		const [params, results] = this.blockSig();
		for (const t of params) this.expr(t, 2);
		this.emit(0x06, ...this.blockType(params, results));
		this.labels.push({ types: results, loop: false });
		this.consume(params);
		this.stmts(r.range(1, 4), depth - 1);
		if (r.chance(0.5)) this.s_throw();
		if (r.chance(0.1)) this.s_trap_in_try();
		if (r.chance(0.3)) this.s_br_if();
		if (r.chance(0.1)) this.s_return();
		for (const t of results) this.expr(t, 2);
		this.labels.pop();
		if (r.chance(0.2)) {
			this.emit(0x18, ...uleb(r.int(this.labels.length)));
			return this.consume(results);
		}
		const n = r.wpick([[2, 0], [5, 1], [2, 2], [1, 3]]);
		for (let i = 0; i < n; i++) {
			const ti = r.int(this.m.tags.length);
			this.emit(0x07, ...uleb(ti));
			this.handler(this.m.tags[ti].params, results, depth);
		}
		if (n === 0 ? r.chance(0.9) : r.chance(0.4)) {
			this.emit(0x19);
			this.handler([], results, depth);
		}
		this.emit(OP.end);
		this.consume(results);
	}

	// br_table out of the enclosing try and catch bodies (and any other
	// label without values) or to the end of a new block around it
	s_br_table_out() {
		const r = this.r, outs = [];
		for (let d = 0; d < this.labels.length; d++) {
			const l = this.labels[this.labels.length - 1 - d];
			if (!l.loop && !l.types.length) outs.push(d + 1);
		}
		if (!outs.length) return this.s_log();
		this.emit(OP.block, 0x40);
		this.labels.push({ types: [], loop: false });
		const pick = () => (r.chance(0.4) ? 0 : r.pick(outs));
		const targets = Array.from({ length: r.range(0, 4) }, pick);
		this.index(targets.length + 1);
		this.emit(OP.br_table, ...vec(targets.map(x => uleb(x))), ...uleb(pick()));
		this.labels.pop();
		this.emit(OP.end);
	}

	// a catch or catch_all body: the payload (types ts) is on the stack
	// (kept in fresh locals, logged or dropped); it reads locals the try
	// body may have changed, may rethrow, throw, branch; leaves results
	handler(ts, results, depth) {
		const r = this.r;
		this.labels.push({ types: results, loop: false, catch: true });
		for (let i = ts.length - 1; i >= 0; i--) {
			if (r.chance(0.6)) this.emit(OP.local_set, ...uleb(this.newLocal(ts[i])));
			else if (r.chance(0.5)) this.log(ts[i]);
			else this.emit(OP.drop);
		}
		for (let k = r.range(0, 2); k > 0; k--) {
			const t = r.pick(NUM), ls = this.localsOf(t);
			if (ls.length) {
				this.emit(OP.local_get, ...uleb(r.pick(ls)));
				this.log(t);
			}
		}
		this.stmts(r.range(0, 3), depth - 1);
		if (r.chance(0.25)) this.s_rethrow();
		if (r.chance(0.15)) this.s_throw();
		if (r.chance(0.2)) this.s_br_if();
		for (const t of results) this.expr(t, 2);
		this.labels.pop();
	}

	// the depths of the enclosing catch bodies (what rethrow may name)
	catchLabels() {
		const out = [];
		for (let d = 0; d < this.labels.length; d++)
			if (this.labels[this.labels.length - 1 - d].catch) out.push(d);
		return out;
	}

	// throw of a tag with a payload, usually under a condition
	s_throw() {
		const r = this.r;
		const ti = r.int(this.m.tags.length);
		if (r.chance(0.85)) {
			// a comparison (often true), or a rarer equality
			if (r.chance(0.6)) {
				this.cond(2);
			} else {
				this.expr(I32, 2);
				this.emit(0x41, ...sleb(r.int(4)), 0x46);      // == 0..3
			}
			this.emit(OP.if, 0x40);
			this.labels.push({ types: [], loop: false });
			this.throwArgs(ti);
			this.labels.pop();
			this.emit(OP.end);
		} else {
			this.throwArgs(ti);
			this.budget = Math.min(this.budget, 3);
		}
	}

	// rethrow of an enclosing catch's exception, usually under a condition
	s_rethrow() {
		const r = this.r, ds = this.catchLabels();
		if (!ds.length) return this.s_throw();
		const d = r.pick(ds);
		if (r.chance(0.7)) {
			this.cond(2);
			this.emit(OP.if, 0x40, 0x09, ...uleb(d + 1), OP.end);
		} else {
			this.emit(0x09, ...uleb(d));
			this.budget = Math.min(this.budget, 3);
		}
	}

	// a trap under a condition (unreachable, division by zero, an access
	// out of bounds): a handler must not catch it
	s_trap_in_try() {
		const r = this.r;
		if (r.chance(0.5)) {
			this.cond(2);
		} else {
			this.expr(I32, 2);
			this.emit(0x41, ...sleb(r.int(4)), 0x46);      // == 0..3
		}
		this.emit(OP.if, 0x40);
		this.labels.push({ types: [], loop: false });     // (the expression may hold a try)
		switch (r.int(3)) {
		case 0: this.emit(OP.unreachable); break;
		case 1: this.expr(I32, 1); this.emit(0x41, 0, r.pick([0x6d, 0x6e, 0x6f, 0x70]), OP.drop); break;
		default: this.emit(0x41, ...sleb(-1), 0x28, 0x02, 0x00, OP.drop);
		}
		this.labels.pop();
		this.emit(OP.end);
	}

	s_set(depth) {
		const t = this.r.pick(NUM);
		const ls = this.localsOf(t);
		const x = ls.length ? this.r.pick(ls) : this.newLocal(t);
		this.expr(t, this.r.range(1, 4));
		this.emit(OP.local_set, ...uleb(x));
	}

	// x = x op e (jit/compile/numeric.c in_place: the op works on x's register)
	s_update() {
		const r = this.r, t = r.pick(NUM);
		const ls = this.localsOf(t);
		if (!ls.length) return this.s_set();
		const x = r.pick(ls);
		const op = r.pick(BIN[t]);
		this.emit(OP.local_get, ...uleb(x));
		this.binRight(t, op, r.range(0, 2));
		this.emit(op);
		if (r.chance(0.7)) {
			this.emit(OP.local_set, ...uleb(x));
		} else {
			this.emit(OP.local_tee, ...uleb(x));
			this.log(t);
		}
	}

	s_tee_drop() {
		const t = this.r.pick(NUM);
		const ls = this.localsOf(t);
		const x = ls.length ? this.r.pick(ls) : this.newLocal(t);
		this.expr(t, 2);
		this.emit(OP.local_tee, ...uleb(x));
		this.log(t);
	}

	s_global_set() {
		const gs = this.m.globals.map((g, i) => [g, i]).filter(([g, i]) => g.mut && i !== this.m.fuel);
		if (!gs.length) return this.s_log();
		const [g, i] = this.r.pick(gs);
		this.expr(g.t, 3);
		this.emit(OP.global_set, ...uleb(i));
	}

	s_store() {
		const [op, t, size] = this.r.pick(STORES);
		const off = this.offset();
		this.address(size, off);
		this.exprCanon(t, 3);
		this.emit(op, ...this.memarg(size, off));
	}

	s_log() {
		const t = this.r.pick(NUM);
		this.expr(t, this.r.range(1, 5));
		this.log(t);
	}

	log(t) {
		this.emit(OP.call, NUM.indexOf(t));
	}

	s_drop() {
		this.expr(this.r.pick(NUM), 3);
		this.emit(OP.drop);
	}

	// (if (cond) (then ...) (else ...)), sometimes with params and results
	s_if(depth) {
		const r = this.r;
		const [params, results] = this.blockSig();
		for (const t of params) this.expr(t, 2);
		this.cond(3);
		this.emit(OP.if, ...this.blockType(params, results));
		this.arm(params, results, depth);
		if (results.length || params.length || r.chance(0.6)) {
			this.emit(OP.else);
			this.arm(params, results, depth);
		}
		this.emit(OP.end);
		this.consume(results);
	}

	// a block/if arm: the params are on the stack; leave the results
	arm(params, results, depth, loop = false) {
		this.labels.push({ types: loop ? params : results, loop });
		this.consume(params);
		this.stmts(this.r.range(1, 4), depth - 1);
		if (this.r.chance(0.3)) this.s_br_if();
		for (const t of results) this.expr(t, 2);
		this.labels.pop();
	}

	// values of types ts are on the stack: log or drop them
	consume(ts) {
		for (let i = ts.length - 1; i >= 0; i--) {
			if (this.r.chance(0.5)) this.log(ts[i]);
			else this.emit(OP.drop);
		}
	}

	s_block(depth) {
		const [params, results] = this.blockSig();
		for (const t of params) this.expr(t, 2);
		this.emit(OP.block, ...this.blockType(params, results));
		this.arm(params, results, depth);
		this.emit(OP.end);
		this.consume(results);
	}

	// loop: count down a local (and the global fuel), locals live across
	s_loop(depth) {
		const r = this.r;
		const [params, results] = r.chance(0.3) ? this.blockSig() : [[], []];
		const counter = this.newLocal(I32);
		(this.reserved ??= new Set()).add(counter);
		this.emit(0x41, ...sleb(r.wpick([[6, r.range(1, 8)], [1, r.range(9, 100)]])),
			OP.local_set, ...uleb(counter));
		for (const t of params) this.expr(t, 2);
		this.emit(OP.loop, ...this.blockType(params, results));
		this.labels.push({ types: params, loop: true });
		this.loopDepth++;
		// the body may read the params (they are on the stack): keep them
		// in fresh locals, use them, put new ones back for the back edge
		const keep = params.map(t => this.newLocal(t));
		for (let i = params.length - 1; i >= 0; i--) this.emit(OP.local_set, ...uleb(keep[i]));
		this.stmts(r.range(1, 5), depth - 1);
		for (let i = 0; i < params.length; i++) {
			if (r.chance(0.5)) {
				this.emit(OP.local_get, ...uleb(keep[i]));
			} else {
				this.expr(params[i], 2);
			}
		}
		// back edge: counter-- > 0 && fuel-- > 0
		this.backEdge(counter);
		// not taken: the params are still there; then the loop's results
		this.consume(params);
		for (const t of results) this.expr(t, 2);
		this.loopDepth--;
		this.labels.pop();
		this.emit(OP.end);
		this.consume(results);
	}

	// nested blocks, br_table into them
	s_br_table(depth) {
		const r = this.r;
		const n = r.range(1, 5);
		const t = r.chance(0.3) ? [r.pick(NUM)] : [];
		for (let i = 0; i < n; i++) {
			this.emit(OP.block, ...this.blockType([], t));
			this.labels.push({ types: t, loop: false });
		}
		for (const x of t) this.expr(x, 2);
		this.index(n + 2);
		const targets = Array.from({ length: r.range(0, 8) }, () => r.int(n));
		this.emit(OP.br_table, ...vec(targets.map(x => uleb(x))), ...uleb(r.int(n)));
		for (let i = 0; i < n; i++) {
			this.emit(OP.end);
			this.labels.pop();
			this.consume(t);
			if (i < n - 1) {
				this.stmts(r.range(0, 2), depth - 1);
				for (const x of t) this.expr(x, 1);
			}
		}
	}

	// br_if out of an enclosing block (never to a loop: loops only
	// continue through their counted back edge)
	s_br_if() {
		const targets = [];
		for (let d = 0; d < this.labels.length; d++) {
			const l = this.labels[this.labels.length - 1 - d];
			if (!l.loop) targets.push([d, l]);
		}
		if (!targets.length) return;
		const [d, l] = this.r.pick(targets);
		for (const t of l.types) this.expr(t, 2);
		this.cond(3);
		this.emit(OP.br_if, ...uleb(d));
		// not taken: the values are still there
		this.consume(l.types);
	}

	s_return() {
		for (const t of this.f.results) this.expr(t, 2);
		this.cond(2);
		// (if (cond) (then return)) needs the values inside: use a block
		// with them as params
		this.emit(OP.if, ...this.blockType(this.f.results, this.f.results), OP.return, OP.end);
		this.consume(this.f.results);
	}

	// return_call / return_call_indirect (constant slot) of a lower
	// function whose results are exactly this one's, under a condition:
	// (if (params -> params) (cond) (then return_call f)), as s_return
	s_return_call() {
		const tc = this.tailCallee();
		if (!tc) return this.s_return();
		const f = this.m.funcs[tc.fi];
		for (const t of f.params) this.expr(t, 2);
		this.cond(2);
		this.emit(OP.if, ...this.blockType(f.params, f.params));
		this.emitTailCall(tc, -1);
		this.emit(OP.end);
		this.consume(f.params);
	}

	// a lower function whose results are exactly this one's (the tail-call
	// rule), called directly or through its table slot; null if none
	tailCallee() {
		const r = this.r, m = this.m, res = this.f.results;
		const same = g => g.results.length === res.length && g.results.every((t, i) => t === res[i]);
		const indirect = r.chance(0.4);
		const ok = indirect ?
			m.table.slice(0, m.safeCount(this.fi)).filter(x => x >= 0 && same(m.funcs[x])) :
			range(0, this.fi - 1).filter(i => same(m.funcs[i]));
		return ok.length ? { fi: r.pick(ok), indirect } : null;
	}

	// the tail call; its arguments first when depth >= 0 (else on the stack)
	emitTailCall({ fi, indirect }, depth) {
		const m = this.m, f = m.funcs[fi];
		if (depth >= 0)
			for (const t of f.params) this.expr(t, depth);
		if (indirect)
			this.emit(0x41, ...sleb(m.table.indexOf(fi)), OP.return_call_indirect,
				  ...uleb(f.type), 0x00);
		else
			this.emit(OP.return_call, ...uleb(m.funcIndex(fi)));
	}

	s_call() {
		const fi = this.callee();
		if (fi < 0) return this.s_log();
		const f = this.m.funcs[fi];
		for (const t of f.params) this.expr(t, 2);
		this.emit(OP.call, ...uleb(this.m.funcIndex(fi)));
		this.consume(f.results);
	}

	// call_indirect with a constant or computed index into table 0
	s_call_indirect() {
		const r = this.r, m = this.m;
		const safe = m.safeCount(this.fi);
		// a type: usually that of a callable entry, else any
		const cands = m.table.slice(0, safe).filter(x => x >= 0);
		const wild = r.chance(m.wild * 3);
		const f = cands.length && !wild ? m.funcs[r.pick(cands)] : r.pick(m.funcs);
		for (const t of f.params) this.expr(t, 2);
		if (safe && r.chance(0.25)) {
			this.expr(I32, 2);
			this.emit(0x41, ...sleb(safe), 0x70);        // i32.rem_u
		} else {
			// a callable entry, or one past the prefix only if it is
			// out of the table (never a higher function)
			const out = [m.tableSize, m.tableSize + 1, 0x7fffffff, -1];
			const k = cands.length && !wild ? m.table.indexOf(m.funcs.indexOf(f)) :
				safe && !wild ? r.int(safe) : r.pick(out);
			this.emit(0x41, ...sleb(k));
		}
		this.emit(OP.call_indirect, ...uleb(f.type), 0x00);
		this.consume(f.results);
	}

	s_bulk() {
		const r = this.r, m = this.m;
		const kind = r.wpick([[3, 'fill'], [3, 'copy'], [m.passive ? 2 : 0, 'init'],
			[m.passive ? 1 : 0, 'drop']]);
		const len = () => this.small(r.chance(m.wild) ? 70000 : 64);
		if (kind === 'fill') {
			this.address(64, 0); this.expr(I32, 1); len();
			this.emit(OP.fc, 11, 0x00);
		} else if (kind === 'copy') {
			this.address(64, 0); this.address(64, 0); len();
			this.emit(OP.fc, 10, 0x00, 0x00);
		} else if (kind === 'init') {
			this.address(m.passiveLen + 2, 0);
			this.small(m.passiveLen + 2);
			this.small(m.passiveLen + 2);
			this.emit(OP.fc, 8, ...uleb(this.passiveIndex()), 0x00);
		} else {
			this.emit(OP.fc, 9, ...uleb(this.passiveIndex()));
		}
	}

	passiveIndex() {
		// the passive segment is the last: after the active ones
		return this.m.activeData;
	}

	s_grow() {
		this.emit(0x41, ...sleb(this.r.wpick([[3, 0], [3, 1], [1, 2], [1, -1]])),
			OP.memory_grow, 0x00);
		this.log(I32);
	}

	// table 1 (funcref, 2..8): size, grow, fill, set, get + is_null; in
	// bounds of its first 2 entries unless small() goes wild
	s_table() {
		const r = this.r;
		const ref = () => {
			if (r.chance(0.4)) this.emit(OP.ref_null, FUNCREF);
			else this.emit(OP.ref_func, ...uleb(this.m.funcIndex(r.int(this.m.funcs.length))));
		};
		switch (r.int(6)) {
		case 0: this.emit(OP.fc, 16, 0x01); this.log(I32); break;
		case 1: ref(); this.small(3); this.emit(OP.fc, 15, 0x01); this.log(I32); break;
		case 2: this.small(2); ref(); this.small(2); this.emit(OP.fc, 17, 0x01); break;
		case 3: this.small(2); ref(); this.emit(OP.table_set, 0x01); break;
		case 4: this.small(2); this.emit(OP.table_get, 0x01, OP.ref_is_null); this.log(I32); break;
		default: this.small(2); this.small(2); this.small(2); this.emit(OP.fc, 14, 0x01, 0x01);
		}
	}

	// an explicit trap, guarded by a condition most of the time (with the
	// module's wildness one that holds half the time, else a rare one)
	s_trap() {
		const r = this.r;
		if (!r.chance(this.m.wild * 3)) {
			if (r.chance(this.m.wild * 3)) {
				this.cond(2);
			} else {
				this.expr(I32, 2);
				this.emit(0x41, ...sleb(r.u32() | 0), 0x46);      // == a random i32
			}
			this.emit(OP.if, 0x40, OP.unreachable, OP.end);
		} else {
			this.emit(OP.unreachable);
			// the rest of the block is dead code: still validated
			this.budget = Math.min(this.budget, 3);
		}
	}

	// ---- helpers ---------------------------------------------------------

	// br_if 0 while (--counter > 0) & (--fuel > 0)
	backEdge(counter) {
		const fuel = uleb(this.m.fuel);
		this.emit(OP.local_get, ...uleb(counter), 0x41, 1, 0x6b, OP.local_tee, ...uleb(counter),
			0x41, 0, 0x4a,
			OP.global_get, ...fuel, 0x41, 1, 0x6b, OP.global_set, ...fuel,
			OP.global_get, ...fuel, 0x41, 0, 0x4a, 0x71, OP.br_if, 0);
	}

	callee() {
		return this.fi > 0 ? this.r.int(this.fi) : -1;
	}

	blockSig() {
		const r = this.r;
		if (r.chance(0.5)) return [[], []];
		if (r.chance(0.6)) return [[], [r.pick(NUM)]];
		const params = Array.from({ length: r.range(0, 3) }, () => r.pick(NUM));
		const results = Array.from({ length: r.range(0, 3) }, () => r.pick(NUM));
		return [params, results];
	}

	blockType(params, results) {
		if (!params.length && !results.length) return [0x40];
		if (!params.length && results.length === 1) return [results[0]];
		return sleb(this.m.typeIndex(params, results));
	}

	memarg(size, off) {
		return [...uleb(this.r.int(Math.log2(size) + 1)), ...uleb(off)];
	}

	// a memory offset: mostly small; with the module's wildness one near
	// the end of memory or near 2^31 / 2^32 (these trap)
	offset() {
		const r = this.r, end = this.m.memPages * PAGE;
		if (r.chance(this.m.wild))
			return r.pick([end - r.int(16), end, 0x7fffffff, 0x80000000, 0x80000001,
				0xfffffff0, 0xffffffff]);
		return r.wpick([[10, 0], [8, r.int(64)], [2, r.int(4096)]]);
	}

	// an i32 address for an access of `size` bytes at offset `off`:
	// constant (folded with the offset), right at the end of memory,
	// masked computations (in a register), and with the module's
	// wildness past the end or anything
	address(size, off) {
		const r = this.r, end = this.m.memPages * PAGE;
		const wild = r.chance(this.m.wild);
		const room = end - size - Math.min(off, end);
		switch (r.wpick([[6, 'const'], [3, 'end'], [6, 'masked'], [wild ? 6 : 0, 'wild']])) {
		case 'const': this.emit(0x41, ...sleb(r.int(Math.max(1, Math.min(256, room))))); break;
		case 'end': this.emit(0x41, ...sleb(room - r.int(4) + (wild ? r.range(1, 3) : 0))); break;
		case 'masked': {
			const masks = [0xff, 0x3ff, 0xfff8, 0xffff, 0x1fffc].filter(k => wild || k < room);
			const ls = this.localsOf(I32);
			if (ls.length && r.chance(0.4)) this.emit(OP.local_get, ...uleb(r.pick(ls)));
			else this.expr(I32, 2);
			this.emit(0x41, ...sleb(masks.length ? r.pick(masks) : 0), 0x71);
			break;
		}
		default: this.expr(I32, 2);
		}
	}

	// an i32 in [0, n) mostly, sometimes beyond
	small(n) {
		const r = this.r;
		if (r.chance(0.6)) this.emit(0x41, ...sleb(r.int(n)));
		else if (!r.chance(this.m.wild * 2)) {
			this.expr(I32, 2);
			this.emit(0x41, ...sleb(n), 0x70);
		} else this.emit(0x41, ...sleb(r.pick([n, n + 1, -1, 0x7fffffff])));
	}

	index(n) {
		const r = this.r;
		if (r.chance(0.5)) this.emit(0x41, ...sleb(r.range(-1, n)));
		else this.expr(I32, 2);
	}

	// an i32 condition: mostly a comparison (flags feed the branch)
	cond(depth) {
		const r = this.r;
		switch (r.wpick([[8, 'cmp'], [2, 'eqz'], [2, 'eqzcmp'], [2, 'any']])) {
		case 'cmp': this.compare(depth); break;
		case 'eqz': {
			const t = r.pick([I32, I64]);
			this.expr(t, depth);
			this.emit(t === I32 ? 0x45 : 0x50);
			break;
		}
		case 'eqzcmp':
			this.compare(depth);
			for (let i = r.range(1, 3); i > 0; i--) this.emit(0x45);
			break;
		default: this.expr(I32, depth);
		}
	}

	compare(depth) {
		const r = this.r, t = r.pick(NUM);
		this.expr(t, depth - 1);
		this.operand(t, depth - 1);
		this.emit(r.pick(CMP[t]));
	}

	// the right operand of a binary op: constants and locals often (the
	// immediate and memory-operand forms)
	operand(t, depth) {
		const r = this.r;
		switch (r.wpick([[4, 'const'], [3, 'local'], [4, 'expr']])) {
		case 'const': this.emit(...constBytes(r, t)); break;
		case 'local': {
			const ls = this.localsOf(t);
			if (ls.length) { this.emit(OP.local_get, ...uleb(r.pick(ls))); break; }
		}
		// fall through
		default: this.expr(t, depth);
		}
	}

	// the right operand of op; divisions are kept from trapping most of
	// the time (| 1), copysign's sign operand goes through canon()
	binRight(t, op, depth) {
		const r = this.r;
		if (COPYSIGN.has(op)) return this.exprCanon(t, depth);
		if (DIVS.has(op) && !r.chance(this.m.wild * 3)) {
			this.operand(t, depth);
			this.emit(...(t === I32 ? [0x41, 1, 0x72] : [0x42, 1, 0x84]));     // or 1
			return;
		}
		this.operand(t, depth);
	}

	// a division or remainder by a constant edge divisor (powers of two,
	// -1, the minimum, odd ones: what a compiler turns into shifts, magic
	// multiplications or special cases), the dividend often the minimum
	// (rem_s(MIN, -1) is 0, where x86's idiv faults); div_s(MIN, -1) and
	// a zero divisor only with the module's wildness (they trap)
	divEdge(t, op, depth) {
		const r = this.r, wild = r.chance(this.m.wild * 3);
		const min = t === I32 ? 0x80000000 : 0x8000000000000000n;
		if (r.chance(0.3)) this.emit(...constOf(t, min));
		else this.expr(t, depth - 1);
		let d = r.pick(t === I32 ? DIV32 : DIV64);
		const divS = op === 0x6d || op === 0x7f;
		const minusOne = t === I32 ? d === 0xffffffff : d === 0xffffffffffffffffn;
		if (wild && r.chance(0.3)) d = t === I32 ? 0 : 0n;
		else if (divS && minusOne && !wild) d = t === I32 ? 1 : 1n;
		if (r.chance(0.8)) {
			this.emit(...constOf(t, d));
		} else {
			// the same divisor from a local (a register, not an immediate)
			const x = this.newLocal(t);
			this.emit(...constOf(t, d), OP.local_set, ...uleb(x), OP.local_get, ...uleb(x));
		}
		this.emit(op);
	}

	// ---- expressions --------------------------------------------------------

	expr(t, depth) {
		const r = this.r;
		this.budget--;
		if (depth <= 0 || this.budget <= 0) return this.leaf(t);
		const isInt = t === I32 || t === I64;
		const kind = r.wpick([
			[3, 'leaf'], [8, 'bin'], [3, 'un'], [isInt ? 3 : 0, 'cmp'], [3, 'conv'],
			[3, 'load'], [3, 'select'], [2, 'deep'], [2, 'call'], [1, 'block'], [1, 'if'],
			[1, 'tee'], [t === I32 ? 1 : 0, 'memsize'], [1, 'loopval'],
			[t === I32 && this.m.table1 ? 1 : 0, 'isnull'], [1, 'call_indirect'],
			[this.m.simd ? 4 : 0, 'simd'],
			[this.m.eh ? 2 : 0, 'tryval'], [this.m.eh ? 1 : 0, 'throwval'],
		]);
		switch (kind) {
		case 'leaf': return this.leaf(t);
		case 'bin': {
			const op = r.pick(BIN[t]);
			if (DIVS.has(op) && r.chance(0.3)) return this.divEdge(t, op, depth);
			this.expr(t, depth - 1);
			this.binRight(t, op, depth - 1);
			return this.emit(op);
		}
		case 'un':
			this.expr(t, depth - 1);
			return this.emit(r.pick(UN[t]));
		case 'cmp':
			this.cond(depth);
			if (t === I64) this.emit(r.pick([0xac, 0xad]));
			return;
		case 'conv': return this.conv(t, depth);
		case 'load': {
			const ls = LOADS.filter(l => l[1] === t);
			const [op, , size] = r.pick(ls);
			const off = this.offset();
			this.address(size, off);
			return this.emit(op, ...this.memarg(size, off));
		}
		case 'select':
			this.expr(t, depth - 1);
			this.operand(t, depth - 1);
			this.cond(depth - 1);
			return r.chance(0.3) ? this.emit(OP.select_t, 1, t) : this.emit(OP.select);
		case 'deep': return this.deep(t);
		case 'call': return this.callValue(t, depth);
		case 'call_indirect': return this.callValue(t, depth, true);
		case 'block': {
			this.emit(OP.block, t);
			this.labels.push({ types: [t], loop: false });
			this.stmts(r.range(0, 2), 1);
			if (r.chance(0.5)) {
				this.expr(t, depth - 1);
				this.cond(1);
				this.emit(OP.br_if, 0, OP.drop);
			}
			this.expr(t, depth - 1);
			this.labels.pop();
			return this.emit(OP.end);
		}
		case 'if':
			this.cond(depth - 1);
			this.emit(OP.if, t);
			this.labels.push({ types: [t], loop: false });
			this.expr(t, depth - 1);
			this.emit(OP.else);
			this.expr(t, depth - 1);
			this.labels.pop();
			return this.emit(OP.end);
		case 'tee': {
			const x = this.newLocal(t);
			this.expr(t, depth - 1);
			this.emit(OP.local_tee, ...uleb(x));
			return;
		}
		case 'memsize': return this.emit(OP.memory_size, 0x00);
		case 'loopval': return this.loopValue(t, depth);
		case 'isnull':
			this.small(2);
			return this.emit(OP.table_get, 0x01, OP.ref_is_null);
		case 'simd': return this.simdScalar(t, depth);
		case 'tryval': return this.tryValue(t, depth);
		case 'throwval': return this.throwValue(t, depth);
		}
	}

	// ---- exception handling (generate(seed, { eh: true }); issue 10) ------

	// try (result t) ... catch $tag ... catch_all ... end, or ... delegate
	tryValue(t, depth) {
		const r = this.r;
		this.emit(0x06, t);
		this.labels.push({ types: [t], loop: false });
		this.stmts(r.range(0, 2), 1);
		if (r.chance(0.4)) this.s_throw();
		this.expr(t, depth - 1);
		this.labels.pop();
		if (r.chance(0.15)) return this.emit(0x18, ...uleb(r.int(this.labels.length)));
		let caught = false;
		if (r.chance(0.6)) {
			const ti = r.int(this.m.tags.length);
			this.emit(0x07, ...uleb(ti));
			this.handler(this.m.tags[ti].params, [t], 1);
			caught = true;
		}
		if (!caught || r.chance(0.5)) {
			this.emit(0x19);
			this.handler([], [t], 1);
		}
		this.emit(OP.end);
	}

	// if (result t) (cond) (then e) (else throw $tag with a payload)
	throwValue(t, depth) {
		this.cond(depth - 1);
		this.emit(OP.if, t);
		this.labels.push({ types: [t], loop: false });
		this.expr(t, depth - 1);
		this.emit(OP.else);
		this.throwArgs(this.r.int(this.m.tags.length));
		this.labels.pop();
		this.emit(OP.end);
	}

	// tag ti's payload computed by expressions, then throw ti
	throwArgs(ti) {
		for (const p of this.m.tags[ti].params) this.expr(p, this.r.range(0, 3));
		this.emit(0x08, ...uleb(ti));
	}

	// ---- SIMD (generate(seed, { simd: true }); issue 10) ----------------------

	simd(code, ...imm) { this.emit(0xfd, ...uleb(code), ...imm); }

	// a scalar of type t out of a v128 expression
	simdScalar(t, depth) {
		const r = this.r;
		if (t === I32 && r.chance(0.3)) {
			this.vexpr(0, depth - 1);
			return this.simd(r.pick(V_REDUCE));
		}
		if (t === I32) {
			const [op, lanes] = r.pick(V_EXTRACT_I32);
			this.vexpr(0, depth - 1);
			return this.simd(op, r.int(lanes));
		}
		// float lanes only into float scalars of their width (NaN bits)
		const w = { [I64]: 0, [F32]: 32, [F64]: 64 }[t];
		this.vexpr(r.chance(0.7) ? w : 0, depth - 1);
		const [op, lanes] = { [I64]: [0x1d, 2], [F32]: [0x1f, 4], [F64]: [0x21, 2] }[t];
		return this.simd(op, r.int(lanes));
	}

	// a v128 expression; width 32 or 64: its lanes may be floats of that
	// width holding NaNs of any bits (vOutWidth), 0: every bit specified
	vexpr(width, depth) {
		const r = this.r;
		this.budget--;
		if (depth <= 0 || this.budget <= 0 || r.chance(0.15)) return this.vleaf();
		switch (r.wpick([[10, 'op'], [2, 'shuffle'], [2, 'replace']])) {
		case 'shuffle': {
			this.vexpr(0, depth - 1);
			this.vexpr(0, depth - 1);
			const lanes = [];
			for (let i = 0; i < 16; i++) lanes.push(r.int(32));
			return this.simd(0x0d, ...lanes);
		}
		case 'replace': {
			if (width && r.chance(0.5)) {     // f32x4/f64x2.replace_lane
				this.vexpr(width, depth - 1);
				this.operand(width === 32 ? F32 : F64, depth - 1);
				return this.simd(width === 32 ? 0x20 : 0x22, r.int(width === 32 ? 4 : 2));
			}
			const [op, lanes, t] = r.pick(V_REPLACE_INT);
			this.vexpr(0, depth - 1);
			this.operand(t, depth - 1);
			return this.simd(op, r.int(lanes));
		}
		}
		const [op, ins] = r.pick(width && r.chance(0.6) ? V_FLOAT_BY[width] : V_INT);
		const w = vInWidth(op);
		for (const c of ins) {
			if (c === 'v') this.vexpr(w && r.chance(0.7) ? w : 0, depth - 1);
			else if (c === 'i' && op !== 0xf && op !== 0x10 && op !== 0x11 && r.chance(0.5))
				this.emit(0x41, ...sleb(r.pick([0, 1, 7, 8, 15, 16, 31, 32, 63, 64, 65, -1])));
			else this.operand({ i: I32, l: I64, f: F32, d: F64 }[c], depth - 1);
		}
		return this.simd(op);
	}

	// v128.const (random bytes, or an edge constant in every lane), a load
	// or a splat of a scalar leaf
	vleaf() {
		const r = this.r;
		switch (r.wpick([[4, 'const'], [3, 'load'], [3, 'splat']])) {
		case 'const': {
			if (r.chance(0.5)) return this.simd(0x0c, ...randBytes(r, 16));
			const t = r.pick(NUM), v = constValue(r, t);
			const b = t === I32 || t === F32 ? f32bytes(v) : f64bytes(BigInt(v));
			return this.simd(0x0c, ...(b.length === 4 ? [...b, ...b, ...b, ...b] : [...b, ...b]));
		}
		case 'load': {
			const [op, size] = r.pick(V_LOADS);
			const off = this.offset();
			this.address(size, off);
			return this.emit(0xfd, ...uleb(op), ...this.memarg(size, off));
		}
		default: {
			const [t, op] = r.pick([[I32, 0x0f], [I32, 0x10], [I32, 0x11], [I64, 0x12]]);
			this.leaf(t);
			return this.simd(op);
		}
		}
	}

	// a constant, local, global, or a load from a constant address
	leaf(t) {
		const r = this.r;
		switch (r.wpick([[5, 'const'], [6, 'local'], [2, 'global']])) {
		case 'const': return this.emit(...constBytes(r, t));
		case 'local': {
			const ls = this.localsOf(t);
			if (ls.length) return this.emit(OP.local_get, ...uleb(r.pick(ls)));
			return this.emit(...constBytes(r, t));
		}
		default: {
			const gs = this.m.globals.map((g, i) => [g, i]).filter(([g]) => g.t === t);
			if (gs.length) return this.emit(OP.global_get, ...uleb(r.pick(gs)[1]));
			return this.emit(...constBytes(r, t));
		}
		}
	}

	// a right-deep chain: every operand stays live until the end, more
	// than the register file holds (spills), with mixed operand forms
	deep(t) {
		const r = this.r;
		const n = r.range(6, 24);
		const ops = [];
		for (let i = 0; i < n; i++) {
			this.leafOrLoad(t);
			ops.push(r.pick(BIN[t].filter(op => !DIVS.has(op) && !COPYSIGN.has(op))));
		}
		this.leafOrLoad(t);
		for (let i = n - 1; i >= 0; i--) this.emit(ops[i]);
	}

	leafOrLoad(t) {
		const r = this.r;
		if (r.chance(0.2)) {
			const [op, , size] = r.pick(LOADS.filter(l => l[1] === t));
			this.emit(0x41, ...sleb(r.int(512)), op, ...this.memarg(size, 0));
		} else if (r.chance(0.15)) {
			const u = r.pick(UN[t]);
			this.leaf(t);
			this.emit(u);
		} else {
			this.leaf(t);
		}
	}

	conv(t, depth) {
		const r = this.r;
		const cands = CONV.filter(c => c[2] === t);
		const sats = SAT.map((s, i) => [i, ...s]).filter(s => s[2] === t);
		if (sats.length && r.chance(0.3)) {
			const [sub, from] = r.pick(sats);
			this.expr(from, depth - 1);
			return this.emit(OP.fc, sub);
		}
		const [op, from, , traps] = r.pick(cands);
		if (REINTERPRET_FROM_FLOAT.has(op)) this.exprCanon(from, depth - 1);
		else if (traps && !r.chance(this.m.wild * 3)) this.inRange(from, depth - 1);
		else this.expr(from, depth - 1);
		this.emit(op);
	}

	// a float that a truncation usually accepts: a converted small integer
	inRange(t, depth) {
		this.expr(I32, depth);
		this.emit(0x41, ...sleb(0xffff), 0x71);         // i32.and 0xffff
		this.emit(t === F32 ? 0xb2 : 0xb7);             // convert_i32_s
	}

	// a value of type t that is never a NaN with engine-chosen bits
	exprCanon(t, depth) {
		this.expr(t, depth);
		if (t !== F32 && t !== F64) return;
		const s = this.scratchLocal(t);
		const nan = t === F32 ? [0x43, ...f32bytes(0x7fc00000)] :
			[0x44, ...f64bytes(0x7ff8000000000000n)];
		// select(tee s, NaN, s == s)
		this.emit(OP.local_tee, ...uleb(s), ...nan, OP.local_get, ...uleb(s),
			OP.local_get, ...uleb(s), t === F32 ? 0x5b : 0x61, OP.select);
	}

	// call a function and keep one of its results of type t (the others
	// go to fresh locals), or a value if there is no such function
	callValue(t, depth, indirect = false) {
		const r = this.r, m = this.m;
		let fi = -1;
		if (indirect) {
			const safe = m.safeCount(this.fi);
			const ok = m.table.slice(0, safe).filter(x => x >= 0 && m.funcs[x].results.includes(t));
			if (!ok.length) return this.leaf(t);
			fi = r.pick(ok);
		} else {
			const ok = range(0, this.fi - 1).filter(i => m.funcs[i].results.includes(t));
			if (!ok.length) return this.leaf(t);
			fi = r.pick(ok);
		}
		const f = m.funcs[fi];
		for (const p of f.params) this.expr(p, Math.min(depth - 1, 1));
		if (indirect) {
			const slot = m.table.indexOf(fi);
			this.emit(0x41, ...sleb(slot), OP.call_indirect, ...uleb(f.type), 0x00);
		} else {
			this.emit(OP.call, ...uleb(m.funcIndex(fi)));
		}
		// keep result k (the last of type t): drop/stash the ones above
		const k = f.results.lastIndexOf(t);
		for (let i = f.results.length - 1; i > k; i--) {
			const x = this.newLocal(f.results[i]);
			this.emit(OP.local_set, ...uleb(x));
		}
		// the ones below it stay under it: move it to a local, pop them
		if (k > 0) {
			const x = this.newLocal(t);
			this.emit(OP.local_set, ...uleb(x));
			for (let i = k - 1; i >= 0; i--) {
				if (r.chance(0.5)) this.emit(OP.drop);
				else this.log(f.results[i]);
			}
			this.emit(OP.local_get, ...uleb(x));
		}
	}

	// a loop that accumulates into a local and yields it
	loopValue(t, depth) {
		const r = this.r;
		const acc = this.newLocal(t), counter = this.newLocal(I32);
		(this.reserved ??= new Set()).add(counter);
		this.expr(t, depth - 1);
		this.emit(OP.local_set, ...uleb(acc));
		this.emit(0x41, ...sleb(r.range(1, 12)), OP.local_set, ...uleb(counter));
		this.emit(OP.loop, 0x40);
		this.labels.push({ types: [], loop: true });
		this.emit(OP.local_get, ...uleb(acc));
		const op = r.pick(BIN[t].filter(o => !COPYSIGN.has(o)));
		this.binRight(t, op, depth - 1);
		this.emit(op, OP.local_set, ...uleb(acc));
		if (r.chance(0.5)) this.stmt(0);
		this.backEdge(counter);
		this.labels.pop();
		this.emit(OP.end, OP.local_get, ...uleb(acc));
	}
}

export function generate(seed, { tail = false, simd = false, eh = false } = {}) {
	const m = new ModuleGen(seed, tail, simd, eh);
	// data segments are made before the code, which needs the passive one's
	// index: count the active ones first (dataSegments is deterministic
	// given the rng state, so it runs once, here)
	const data = m.dataSegments();
	m.activeData = data.length - (m.passive ? 1 : 0);
	m.dataSegments = () => data;
	return m.build();
}
