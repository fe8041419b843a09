#!/usr/bin/env python3
"""simd_forms.py — the operand-form test of the v128 instructions (Core
spec 2.0 §3.3.3 "Vector Instructions", the 0xfd table of jit/opcodes.h,
issue 10), differential: the same module under the single-pass JIT, the
LLVM backend and node (V8).  tests/opform/simd_forms.sh runs it.

  simd_forms.py gen OUT.wat LAYOUT.json OPCODES_H [small]
  simd_forms.py coverage LAYOUT.json
  simd_forms.py compare LAYOUT.json REF.bin NAME=OUT.bin...

gen writes a WASI command: for EVERY Wasm 2.0 v128 instruction of
opcodes.h (sub-opcodes 0x00..0xff; relaxed SIMD is left out: its results
are implementation-defined and node's differ), test functions that each
compute the instruction once, each operand in one of the forms the
single-pass compiler (jit/compile/simd.c, fc.h's struct vloc) tells apart:

  v128 operands                    scalar operands (i32/i64/f32/f64)
  C  v128.const (materialised;      C  a constant (V_IMM)
     all-zero and all-ones have     L  a parameter (unpinned V_LOCAL)
     their own encodings)           D  a declared local (unpinned)
  L  a parameter (caller's area)    P  a pinned local (3 uses in the
  D  a declared local (16-byte         prologue: pins.c pins it)
     "wide" frame slot)             R  a value-stack register (a load)
  R  a value-stack xmm register     S  R spilled: register pressure (the
     (v128.load)                       fillers pushed after it, dropped)
  S  R spilled by register          F  CPU flags (i32: a comparison just
     pressure (7 v128 fillers          made; not as a store's address)
     pushed after it, dropped)
  K  the result of a call
  G  global.get
  B  a block's result (the
     merge leaves it in its
     stack slot: V_STK)
  A  the local of the operand
     before it (L or D) again
  M  both operands: the two
     results of one call

consumed in one of these contexts:
  RET    stored
  SET    local.set into a local that an older stack entry still reads
         (an operand's own local when one is in L or D form)
  TEE    the same with local.tee
  SETP   scalar results: the same into a pinned local
  CARRY  a block's result through a br_if (taken for odd tuples)
  SELA/SELB  either value operand of a typed select
  CALL   a call's argument;  GLOB  global.set
  PRESS  under 16 older live v128 values and 6 older live i64 values,
         which are folded and stored too
  IF     an if's then arm (the else arm gives another value)
  BRTAB  br_table out of one of two nested blocks
  LOOP   run twice in a loop (loop depth weighs for pinning)
  COND/BRIF  i32 results: if's and br_if's condition
Every combination of forms goes through RET; the other contexts take a
rotating three.  Every second function takes 8 f64 parameters before its
v128 ones, which then come on the stack (wasm ABI v1: xmm0-xmm7 hold the
first eight float/vector ones).  Lane indices rotate over all lanes,
memargs over offsets 0/3/16/100 and alignments 1 and natural, shuffle
masks over six patterns.  Each function runs on T input tuples (lanes:
NaNs with payloads, signalling NaNs, -0.0, infinities, INT_MIN and
INT_MAX lanes, 0x80 bytes, shift counts beyond the lane width, swizzle
indices out of range ...), called through call_indirect by a driver per
scalar type, and writes a 48-byte record per tuple; _start then writes
all records to stdout, raw.  "small": the LLVM backend's module, only
constant and parameter operands under RET and one function per other
context (LLVM at O2 takes ~1 s per 200 functions).

coverage checks that every instruction of opcodes.h has its functions.
compare checks the outputs against REF (node's) record by record: exact
bits, except for the result lanes of the float instructions whose NaN
results the spec leaves nondeterministic (§4.3.3 "Floating-Point
Operations", NaN propagation: arithmetic, min/max, rounding, sqrt,
promote/demote), where a NaN lane only has to be a quiet NaN in both
(any sign and payload).  One PASS/FAIL line per NAME and group of
instructions, the first differences of a FAIL on stdout.
"""
import json
import random
import re
import struct
import sys

T = 12                  # input tuples per function
REC = 48                # bytes of output per function call
TUPLE = 64              # a, b, c (16 each), scalar (8), pad

# memory layout
LOWDATA = 0             # 0..1023: constant bytes (flag-form addresses read here)
CA, CB, CC, CS = 1024, 1040, 1056, 1072     # the driver's cells
FILLI = 1152            # 4 i64 filler values
IOV, NWR = 1104, 1112   # fd_write's iovec and count
SCR = 2048              # store scratch: stores write here (address SCR-offset)
LOADDATA = 4096         # loads read here (+ up to ~300)
FILLV = 8192            # 16 v128 filler values
TUPLES = 65536          # tuple tables, one per instruction (64 bytes x T each)
OUT = 5 * 65536         # the results, REC bytes per function and tuple

SHAPES = ['i8x16', 'i16x8', 'i32x4', 'i64x2', 'f32x4', 'f64x2']
LANES = {'i8x16': 16, 'i16x8': 8, 'i32x4': 4, 'i64x2': 2, 'f32x4': 4, 'f64x2': 2}
WIDTH = {'i8x16': 1, 'i16x8': 2, 'i32x4': 4, 'i64x2': 8, 'f32x4': 4, 'f64x2': 8}

# float instructions whose NaN results are nondeterministic (canonical or
# arithmetic NaN of any sign and payload): compared NaN-ness per lane
NONDET_OPS = {'add', 'sub', 'mul', 'div', 'sqrt', 'min', 'max', 'ceil', 'floor',
              'trunc', 'nearest', 'demote_f64x2_zero', 'promote_low_f32x4'}

WT = {'WASM_I32': 'i32', 'WASM_I64': 'i64', 'WASM_F32': 'f32', 'WASM_F64': 'f64',
      'WASM_V128': 'v128', '0': None}


def read_opcodes(path):
    """The Wasm 2.0 v128 instructions of opcodes.h: (sub, name, imm, n, operand types, result)."""
    text = open(path).read()
    body = text[text.index('#define WASM_FD_OPCODES(X)'):]
    ops = []
    for m in re.finditer(r'X\((0x[0-9a-f]+), (\w+), "([^"]+)", (\w+), (\d+), (\w+), (\w+), (\w+), (\w+)\)', body):
        sub = int(m.group(1), 16)
        if sub > 0xff:
            continue            # relaxed SIMD: implementation-defined results
        args = [WT[m.group(i)] for i in (6, 7, 8)]
        ops.append(dict(sub=sub, name=m.group(3), imm=m.group(4), n=int(m.group(5)),
                        ops=[a for a in args if a], res=WT[m.group(9)]))
    return ops


# ---- values ------------------------------------------------------------------------

F32 = [0x7fc00000, 0x7fc00001, 0x7fa00000, 0xffc00000, 0xff800001, 0x00000000, 0x80000000,
       0x7f800000, 0xff800000, 0x3fc00000, 0xc0200000, 0x3f000000, 0xbf000000, 0x40200000,
       0x00000001, 0x80000001, 0x4f000000, 0xcf000000, 0x4f800000, 0x7f7fffff, 0x4b800001,
       0x3f800000, 0x4effffff, 0xcf000001, 0xbf800000, 0x3effffff]
F64 = [0x7ff8000000000000, 0x7ff8000000000001, 0x7ff4000000000000, 0xfff8000000000000,
       0xfff0000000000001, 0, 0x8000000000000000, 0x7ff0000000000000, 0xfff0000000000000,
       0x3ff8000000000000, 0xc004000000000000, 0x3fe0000000000000, 0xbfe0000000000000,
       0x4004000000000000, 1, 0x8000000000000001, 0x41e0000000000000, 0xc1e0000000000000,
       0x41efffffffe00000, 0x41f0000000000000, 0xc1e0000000200000, 0x7e37e43c8800759c,
       0x47efffffe0000000, 0x36a0000000000000, 0x3ff0000000000001, 0xc1dfffffffc00000,
       0x41dfffffffc00000, 0xbff0000000000000]
I8 = [0, 1, 0x7f, 0x80, 0xff, 0x81, 0x7e, 0x40, 0xc0, 0x55, 0xaa, 0x10, 0x0f, 0xfe]
I16 = [0, 1, 0x7fff, 0x8000, 0xffff, 0x8001, 0x7ffe, 0x00ff, 0xff00, 0x4000, 0xc000,
       0x0080, 0xff80, 0x1234]
I32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x80000001, 0xff, 0x8000, 0x10000,
       0xffff8000, 0x12345678, 0x7fff, 0xffffff80, 0x00ff00ff]
I64 = [0, 1, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0x8000000000000001,
       0xffffffff, 0x100000000, 0x80000000, 0xffffffff80000000, 0x123456789abcdef0,
       0x7fffffff, 0xfffffffe00000000]
POOL = {'i8x16': I8, 'i16x8': I16, 'i32x4': I32, 'i64x2': I64, 'f32x4': F32, 'f64x2': F64}
SHIFTS = [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 0xffffffff, 0x80000001, 127, 128]
SWIZ = list(range(16)) + [16, 17, 31, 0x7f, 0x80, 0xff, 0x10, 0xf0, 0x20]


def vec(shape, lanes):
    w = WIDTH[shape]
    return b''.join((x & ((1 << (8 * w)) - 1)).to_bytes(w, 'little') for x in lanes)


def src_shape(name):
    """The shape of an instruction's v128 inputs (conversions name theirs)."""
    pre, _, rest = name.partition('.')
    m = re.search(r'(i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)', rest)
    if m:
        return m.group(1)
    return pre if pre in LANES else 'i8x16'


def tuples(ins, rng):
    """T records of 64 bytes: a, b, c, scalar."""
    shape = src_shape(ins['name'])
    pool = POOL[shape]
    n = LANES[shape]
    out = []
    for t in range(T):
        if t == 0:
            a = bytes(16)
        elif t == 1:
            a = b'\xff' * 16
        else:
            a = vec(shape, [pool[(t * 7 + i * 3) % len(pool)] for i in range(n)])
        if t % 4 == 3:
            b = a               # equal operands: x op x, NaN vs itself
        elif 'swizzle' in ins['name']:
            b = bytes(SWIZ[(t * 5 + i * 7) % len(SWIZ)] for i in range(16))
        else:
            b = vec(shape, [pool[rng.randrange(len(pool))] for _ in range(n)])
        if t == 0:
            b = vec(shape, [pool[(i * 5 + 2) % len(pool)] for i in range(n)])
        c = bytes(rng.choice([0, 0xff, 0x0f, 0x80, rng.randrange(256)]) for _ in range(16))
        s = scalar_value(ins, t, rng)
        out.append(a + b + c + s.to_bytes(8, 'little') + bytes(8))
    return b''.join(out)


def scalar_type(ins):
    for t in ins['ops']:
        if t != 'v128':
            return t
    return None


def scalar_value(ins, t, rng):
    name = ins['name']
    st = scalar_type(ins)
    if st is None:
        return 0
    if 'shl' in name or 'shr' in name:
        return SHIFTS[(t * 5) % len(SHIFTS)]
    if ins['imm'] in ('MEMARG', 'MEMLANE'):
        return LOADDATA + (t * 13) % 160     # stores: the driver passes its own
    shape = name.partition('.')[0]
    pool = POOL.get(shape, I32)
    v = pool[(t * 3 + 1) % len(pool)]
    if st == 'i32' and WIDTH.get(shape, 4) < 4:
        v |= rng.choice([0, 0x12345600, 0xffffff00, 0x80000000]) & ~((1 << (8 * WIDTH[shape])) - 1)
    return v


# ---- WAT text ----------------------------------------------------------------------

def v128_const(b):
    return 'v128.const i8x16 ' + ' '.join(str(x) for x in b)


def scalar_const(st, bits):
    if st == 'i32':
        return 'i32.const %d' % (bits & 0xffffffff)
    if st == 'i64':
        return 'i64.const %d' % (bits & 0xffffffffffffffff)
    if st == 'f32':
        return 'f32.const ' + float_lit(bits, 8, 23)
    return 'f64.const ' + float_lit(bits, 11, 52)


def float_lit(bits, ebits, mbits):
    sign = '-' if bits >> (ebits + mbits) & 1 else ''
    e = (bits >> mbits) & ((1 << ebits) - 1)
    m = bits & ((1 << mbits) - 1)
    if e == (1 << ebits) - 1:
        return sign + ('inf' if m == 0 else 'nan:0x%x' % m)
    if mbits == 23:
        x = struct.unpack('<f', struct.pack('<I', bits & 0x7fffffff))[0]
    else:
        x = struct.unpack('<d', struct.pack('<Q', bits & 0x7fffffffffffffff))[0]
    return sign + x.hex()


CONSTS = [bytes(16), b'\xff' * 16, vec('f32x4', [0x7fc00001, 0x80000000, 0x7f800000, 0x3fc00000]),
          vec('i32x4', [0x80000000, 0x7fffffff, 0xffffffff, 1]),
          vec('f64x2', [0xfff8000000000000, 0x4004000000000000]),
          vec('i8x16', [0x80, 0x7f, 0, 0xff, 1, 0x81, 0x40, 3, 16, 31, 0x10, 0xfe, 5, 9, 0xc0, 2]),
          vec('i64x2', [0, 0xffffffffffffffff]), vec('i16x8', [0x8000, 0x7fff, 0, 0xffff, 1, 2, 3, 0x8001])]
SHUFFLES = [list(range(16)), list(range(15, -1, -1)), list(range(16, 32)),
            [i // 2 + (16 if i % 2 else 0) for i in range(16)], [5] * 16,
            [31, 0, 30, 1, 17, 14, 2, 29, 16, 15, 8, 24, 7, 23, 9, 22]]
STORE_OFFS = [0, 3, 16, 100]

VFORMS = 'CLDRSKGB'
SFORMS = 'CLDPRSF'
V_CTXS = ['SET', 'TEE', 'CARRY', 'SELA', 'SELB', 'CALL', 'GLOB', 'PRESS', 'IF', 'BRTAB', 'LOOP']
S_CTXS = ['SET', 'SETP', 'TEE', 'CARRY', 'SELA', 'SELB', 'PRESS', 'IF', 'BRTAB', 'LOOP']
I32_CTXS = S_CTXS + ['COND', 'BRIF']
NONE_CTXS = ['PRESS']


def is_store(ins):
    return 'store' in ins['name']


def xmm_class(t):
    return t in ('v128', 'f32', 'f64')


def combos(ins):
    """Every combination of operand forms (ternary: a covering set)."""
    ops = ins['ops']
    forms = []
    for i, t in enumerate(ops):
        f = VFORMS if t == 'v128' else SFORMS
        if t != 'i32':
            f = f.replace('F', '')
        if i == 0 and is_store(ins):
            f = f.replace('F', '')      # a store's address must be the scratch
        forms.append(f)
    if not ops:
        return [()]
    if len(ops) <= 2:
        allc = [()]
        for i, f in enumerate(forms):
            if i and ops[i] == ops[i - 1] == 'v128':
                f += 'A'
            allc = [c + (x,) for c in allc for x in f]
    else:
        allc = []
        for j in range(len(ops)):
            for k, x in enumerate(forms[j]):
                allc.append(tuple(x if i == j else forms[i][(k + 3 * i) % len(forms[i])]
                                  for i in range(len(ops))))
    if ops == ['v128', 'v128']:
        allc.append(('M', 'M'))
    return [c for c in allc if honest(ops, c)]


def honest(ops, c):
    """A only after an L or D operand; S only when every older operand of
    its register class holds no register (else that one would be spilled
    first: fc_alloc_reg spills the deepest)."""
    for j, x in enumerate(c):
        if x == 'A' and c[j - 1] not in 'LD':
            return False
        if x == 'S':
            for i in range(j):
                if xmm_class(ops[i]) == xmm_class(ops[j]) and c[i] not in 'LDPS':
                    return False
    return True


class Fn:
    def __init__(self, idx, ins, forms, ctx, k):
        self.idx, self.ins, self.forms, self.ctx, self.k = idx, ins, forms, ctx, k
        self.lines = []

    def e(self, *xs):
        self.lines.extend(xs)


NFILL_V, NFILL_I = 16, 6      # PRESS: older live v128 and i64 values


def fillers_v(fn, n, drop):
    for i in range(n):
        fn.e('i32.const %d' % (FILLV + 16 * (i % 16)), 'v128.load')
    if drop:
        fn.e(*['drop'] * n)


def fillers_i(fn, n, drop):
    for i in range(n):
        fn.e('i32.const %d' % (FILLI + 8 * (i % 4)), 'i64.load')
    if drop:
        fn.e(*['drop'] * n)


def gen_fn(idx, ins, forms, ctx, k, rng):
    """One test function: WAT lines, and what the layout needs to know."""
    fn = Fn(idx, ins, forms, ctx, k)
    ops, res, name = ins['ops'], ins['res'], ins['name']
    st = scalar_type(ins) or 'i32'
    vparams = ['$a', '$b', '$c']
    vcells = [CA, CB, CC]
    store = is_store(ins)
    # immediates
    imm = ''
    off = 0
    if ins['imm'] in ('MEMARG', 'MEMLANE'):
        off = STORE_OFFS[k % len(STORE_OFFS)]
        nat = ins['n']
        align = nat if (k // len(STORE_OFFS)) % 2 == 0 else 1
        imm = 'offset=%d align=%d' % (off, align)
    if ins['imm'] in ('LANE', 'MEMLANE'):
        lanes = LANES[name.partition('.')[0]] if ins['imm'] == 'LANE' else 16 // ins['n']
        imm += ' %d' % ((k * 5 + 3) % lanes)
    if ins['imm'] == 'BYTES16':
        if name == 'v128.const':
            imm = 'i8x16 ' + ' '.join(str(x) for x in CONSTS[k % len(CONSTS)])
        else:
            imm = ' '.join(str(x) for x in SHUFFLES[k % len(SHUFFLES)])
    locs = ['(local $da v128) (local $db v128) (local $dc v128) (local $ds %s) (local $ps %s)' % (st, st),
            '(local $tmpv v128) (local $tmp64 i64)']
    rt = res or 'i32'
    locs.append('(local $y %s) (local $tmpr %s) (local $yp %s) (local $tmpo %s) (local $n i32)'
                % (rt, rt, rt, rt))
    # prologue: D and P copies
    vi = 0
    for j, t in enumerate(ops):
        if t == 'v128':
            if forms[j] == 'D':
                fn.e('local.get %s' % vparams[vi], 'local.set $d%s' % vparams[vi][1])
            vi += 1
        else:
            if forms[j] == 'D':
                fn.e('local.get $s', 'local.set $ds')
            if forms[j] == 'P':
                fn.e('local.get $s', 'local.set $ps')
                fn.e(*['local.get $ps', 'drop'] * 3)
    # SET's target: an operand's own local of the result's type, if any
    target = '$y'
    vi = 0
    for j, t in enumerate(ops):
        if t == res and forms[j] in 'LD':
            if t == 'v128':
                target = (vparams[vi] if forms[j] == 'L' else '$d' + vparams[vi][1])
            else:
                target = '$s' if forms[j] == 'L' else '$ds'
            break
        if t == 'v128':
            vi += 1
    if ctx == 'SETP':       # a scalar result set into a pinned local
        target = '$yp'
        fn.e(*['local.get $yp', 'drop'] * 3)
    if ctx == 'PRESS':
        fillers_i(fn, NFILL_I, False)
        fillers_v(fn, NFILL_V, False)
    # the result's consumer, before the operands
    if ctx in ('RET', 'CARRY', 'SELA', 'SELB', 'CALL', 'COND', 'IF', 'BRTAB', 'LOOP') and res:
        fn.e('local.get $out')
    if ctx == 'PRESS' and res:
        fn.e('local.get $out')
    if ctx in ('SET', 'SETP', 'TEE'):
        fn.e('local.get ' + target)
    if ctx == 'LOOP':       # the instruction runs twice, in a loop
        fn.e('loop (result %s)' % res)
    if ctx == 'CARRY':
        fn.e('block (result %s)' % res)
    if ctx == 'SELB':
        fn.e(other(res))
    if ctx == 'BRIF':
        fn.e('block')
    if ctx == 'IF':
        fn.e('global.get $cond', 'i32.eqz', 'if (result %s)' % res)
    if ctx == 'BRTAB':
        fn.e('block (result %s)' % res, 'block (result %s)' % res)
    # operands
    vi = 0
    for j, t in enumerate(ops):
        x = forms[j]
        if t == 'v128':
            p, cell = vparams[vi], vcells[vi]
            vi += 1
            if x == 'C':
                fn.e(v128_const(CONSTS[(k + j) % len(CONSTS)]))
            elif x == 'L':
                fn.e('local.get ' + p)
            elif x == 'D':
                fn.e('local.get $d' + p[1])
            elif x in 'RS':
                fn.e('i32.const %d' % cell, 'v128.load')
                if x == 'S':
                    fillers_v(fn, 7, True)
            elif x == 'K':
                fn.e('local.get ' + p, 'call $vid')
            elif x == 'G':
                fn.e('global.get $g' + p[1])
            elif x == 'B':
                fn.e('block (result v128)', 'i32.const %d' % cell, 'v128.load', 'end')
            elif x == 'M':      # both operands: the results of one call
                if j == 0:
                    fn.e('local.get $a', 'local.get $b', 'call $vid2')
            elif x == 'A':      # the older operand's local again
                q = vparams[vi - 2]
                fn.e('local.get ' + (q if forms[j - 1] == 'L' else '$d' + q[1]))
        else:
            addr = ins['imm'] in ('MEMARG', 'MEMLANE')
            if x == 'C':
                if addr and store:
                    fn.e('i32.const %d' % (SCR - off))
                elif addr:
                    fn.e('i32.const %d' % (LOADDATA + (k * 7) % 64))
                else:
                    fn.e(scalar_const(t, scalar_value(ins, (k + 5) % T, rng)))
            elif x == 'L':
                fn.e('local.get $s')
            elif x == 'D':
                fn.e('local.get $ds')
            elif x == 'P':
                fn.e('local.get $ps')
            elif x in 'RS':
                fn.e('i32.const %d' % CS, '%s.load' % t)
                if x == 'S':
                    if xmm_class(t):
                        fillers_v(fn, 7, True)
                    else:
                        fillers_i(fn, 5, True)
            elif x == 'F':
                fn.e('local.get $s', 'i32.const %d' % (LOADDATA + 40), 'i32.lt_u')
    fn.e(('%s %s' % (name, imm)).strip())
    # the result's consumer, after
    if store:
        fn.e('local.get $out', 'i32.const %d' % SCR, 'v128.load', 'v128.store',
             'i32.const %d' % SCR, 'v128.const i64x2 0 0', 'v128.store')
    elif ctx in ('RET', 'PRESS'):
        fn.e('%s.store' % res)
    elif ctx == 'TEE':
        fn.e('local.tee ' + target, 'local.set $tmpr', 'local.set $tmpo',
             'local.get $out', 'local.get $tmpr', '%s.store' % res,
             'local.get $out', 'local.get $tmpo', '%s.store offset=16' % res,
             'local.get $out', 'local.get ' + target, '%s.store offset=32' % res)
    elif ctx == 'LOOP':
        fn.e('local.get $n', 'i32.const 1', 'i32.add', 'local.tee $n', 'i32.const 2', 'i32.lt_u',
             'br_if 0', 'end', '%s.store' % res)
    elif ctx in ('SET', 'SETP'):
        fn.e('local.set ' + target, 'local.set $tmpr',
             'local.get $out', 'local.get ' + target, '%s.store' % res,
             'local.get $out', 'local.get $tmpr', '%s.store offset=16' % res)
    elif ctx == 'CARRY':
        fn.e('global.get $cond', 'br_if 0', 'end', '%s.store' % res)
    elif ctx == 'SELA':
        fn.e(other(res), 'global.get $cond', 'select (result %s)' % res, '%s.store' % res)
    elif ctx == 'SELB':
        fn.e('global.get $cond', 'select (result %s)' % res, '%s.store' % res)
    elif ctx == 'CALL':
        fn.e('call $vsink')
    elif ctx == 'IF':
        fn.e('else', other(res), 'end', '%s.store' % res)
    elif ctx == 'BRTAB':
        fn.e('global.get $cond', 'br_table 0 1', 'end', 'end', '%s.store' % res)
    elif ctx == 'GLOB':
        fn.e('global.set $gr', 'local.get $out', 'global.get $gr', 'v128.store')
    elif ctx == 'COND':
        fn.e('if (result i32)', 'i32.const 11', 'else', 'i32.const 22', 'end', 'i32.store')
    elif ctx == 'BRIF':
        fn.e('br_if 0', 'local.get $out', 'i32.const 33', 'i32.store', 'end',
             'local.get $out', 'i32.const 44', 'i32.store offset=16')
    if ctx == 'PRESS':
        # folded f_k - rotate(acc): a filler changed or two swapped show
        rot = 'i8x16.shuffle ' + ' '.join(str(i) for i in range(1, 17))
        fn.e(*['local.set $tmpv', 'local.get $tmpv', 'local.get $tmpv', rot, 'i8x16.sub'] * (NFILL_V - 1),
             'local.set $tmpv', 'local.get $out', 'local.get $tmpv',
             'v128.store offset=16', *['i64.sub'] * (NFILL_I - 1), 'local.set $tmp64',
             'local.get $out', 'local.get $tmp64', 'i64.store offset=32')
    wide = idx % 2 == 1     # 8 f64 parameters first: a, b, c, s on the stack
    head = ('(func $f%d (type $sig%s_%s) (param $out i32) %s(param $a v128) (param $b v128) '
            '(param $c v128) (param $s %s) %s' % (idx, 'w' if wide else '', st,
                                                  '(param f64) ' * 8 if wide else '', st, ' '.join(locs)))
    return head + '\n  ' + '\n  '.join(fn.lines) + ')\n', st


def other(res):
    return 'global.get $gc' if res == 'v128' else '%s.const 0' % res if res != 'i32' else 'i32.const 7'


def group_of(name):
    pre, _, rest = name.partition('.')
    if pre == 'v128' and ('load' in rest or 'store' in rest):
        return 'memory'
    return pre


def nondet_lane(name):
    pre, _, rest = name.partition('.')
    if pre in ('f32x4', 'f64x2') and rest in NONDET_OPS:
        return WIDTH[pre]
    return 0


def gen(out_wat, out_layout, opcodes_h, small):
    rng = random.Random(20261203)
    instrs = read_opcodes(opcodes_h)
    funcs, layout, calls = [], [], []
    tables = bytearray()
    outp = OUT
    idx = 0
    for ins in instrs:
        tb = TUPLES + len(tables)
        tables += tuples(ins, rng)
        res = ins['res']
        ctxs = (V_CTXS if res == 'v128' else I32_CTXS if res == 'i32' else
                S_CTXS if res else NONE_CTXS)
        cs = combos(ins)
        plan = [(c, 'RET') for c in cs]
        if not ins['ops']:      # v128.const: every constant
            plan = [((), 'RET')] * len(CONSTS)
        for i, ctx in enumerate(ctxs):
            for r in range(3):
                plan.append((cs[(i * 3 + r) * 7 % len(cs)], ctx))
        if small:       # the LLVM backend's module: constants and parameters
            plan = [(c, x) for k, (c, x) in enumerate(plan)
                    if x == 'RET' and all(f in 'CL' for f in c) or x != 'RET' and k % 3 == 0]
        store = is_store(ins)
        for k, (c, ctx) in enumerate(plan):
            text, st = gen_fn(idx, ins, c, ctx, k, rng)
            funcs.append(text)
            off = STORE_OFFS[k % len(STORE_OFFS)]
            fixed = SCR - off if store else 0
            calls.append('(call $drive%s_%s (i32.const %d) (i32.const %d) (i32.const %d) '
                         '(i32.const %d) (i32.const %d))' % ('w' if idx % 2 else '', st, idx, outp, tb,
                                                            fixed, int(store)))
            layout.append(dict(name=ins['name'], group=group_of(ins['name']), forms=''.join(c),
                               ctx=ctx, k=k, out=outp - OUT, nondet=nondet_lane(ins['name'])))
            outp += T * REC
            idx += 1
    out_len = outp - OUT
    pages = (outp + 65535) // 65536
    w = []
    w.append('(module')
    w.append('(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))')
    for st in ('i32', 'i64', 'f32', 'f64'):
        w.append('(type $sig_%s (func (param i32 v128 v128 v128 %s)))' % (st, st))
        w.append('(type $sigw_%s (func (param i32 %s v128 v128 v128 %s)))' % (st, 'f64 ' * 8, st))
    w.append('(memory (export "memory") %d)' % pages)
    w.append('(table %d funcref)' % idx)
    w.append('(elem (i32.const 0) func %s)' % ' '.join('$f%d' % i for i in range(idx)))
    for g in ('$ga', '$gb', '$gc', '$gr'):
        w.append('(global %s (mut v128) (v128.const i64x2 0 0))' % g)
    w.append('(global $cond (mut i32) (i32.const 0))')
    lowdata = bytes((i * 37 + 11) & 0xff for i in range(1024))
    loaddata = b''.join(vec('f32x4', F32[i:i + 4] + [0] * (4 - len(F32[i:i + 4]))) for i in range(0, len(F32), 4))
    loaddata += b''.join(vec('f64x2', F64[i:i + 2] + [0] * (2 - len(F64[i:i + 2]))) for i in range(0, len(F64), 2))
    loaddata += bytes(I8) + vec('i16x8', I16) + vec('i32x4', I32) + vec('i64x2', I64)
    fillv = b''.join(bytes(rng.randrange(256) for _ in range(16)) for _ in range(16))
    for addr, data in ((LOWDATA, lowdata), (LOADDATA, loaddata), (FILLV, fillv),
                       (FILLI, struct.pack('<4Q', 0x0123456789abcdef, 0xfedcba9876543210, 0x8000000000000001, 0x7f)), (TUPLES, bytes(tables))):
        w.append('(data (i32.const %d) "%s")' % (addr, ''.join('\\%02x' % x for x in data)))
    assert TUPLES + len(tables) <= OUT and LOADDATA + len(loaddata) + 300 <= FILLV
    w.append('(func $vid (param v128) (result v128) local.get 0)')
    w.append('(func $vid2 (param v128 v128) (result v128 v128) local.get 0 local.get 1)')
    w.append('(func $vsink (param i32 v128) local.get 0 local.get 1 v128.store)')
    for st, wide in [(st, wide) for st in ('i32', 'i64', 'f32', 'f64') for wide in ('', 'w')]:
        w.append('''(func $drive%(wide)s_%(st)s (param $f i32) (param $out i32) (param $tb i32) (param $fixed i32) (param $usefixed i32)
  (local $t i32) (local $tp i32)
  (loop $l
    (local.set $tp (i32.add (local.get $tb) (i32.mul (local.get $t) (i32.const %(tuple)d))))
    (v128.store (i32.const %(ca)d) (v128.load offset=0 (local.get $tp)))
    (v128.store (i32.const %(cb)d) (v128.load offset=16 (local.get $tp)))
    (v128.store (i32.const %(cc)d) (v128.load offset=32 (local.get $tp)))
    (i64.store (i32.const %(cs)d) (i64.load offset=48 (local.get $tp)))
    (if (local.get $usefixed) (then (i64.store (i32.const %(cs)d) (i64.extend_i32_u (local.get $fixed)))))
    (global.set $ga (v128.load (i32.const %(ca)d)))
    (global.set $gb (v128.load (i32.const %(cb)d)))
    (global.set $gc (v128.load (i32.const %(cc)d)))
    (global.set $cond (i32.and (local.get $t) (i32.const 1)))
    (call_indirect (type $sig%(wide)s_%(st)s)
      (i32.add (local.get $out) (i32.mul (local.get $t) (i32.const %(rec)d))) %(zeros)s
      (v128.load (i32.const %(ca)d)) (v128.load (i32.const %(cb)d)) (v128.load (i32.const %(cc)d))
      (%(st)s.load (i32.const %(cs)d)) (local.get $f))
    (local.set $t (i32.add (local.get $t) (i32.const 1)))
    (br_if $l (i32.lt_u (local.get $t) (i32.const %(T)d)))))''' % dict(
            st=st, wide=wide, zeros='(f64.const -0.0) ' * 8 if wide else '', tuple=TUPLE, ca=CA, cb=CB, cc=CC, cs=CS, rec=REC, T=T))
    w.extend(funcs)
    w.append('(func (export "_start")')
    w.extend('  ' + c for c in calls)
    w.append('''  (i32.store (i32.const %(iov)d) (i32.const %(out)d))
  (i32.store (i32.const %(iovl)d) (i32.const %(len)d))
  (block $done (loop $l
    (br_if $done (i32.eqz (i32.load (i32.const %(iovl)d))))
    (br_if $done (call $fd_write (i32.const 1) (i32.const %(iov)d) (i32.const 1) (i32.const %(nwr)d)))
    (i32.store (i32.const %(iov)d) (i32.add (i32.load (i32.const %(iov)d)) (i32.load (i32.const %(nwr)d))))
    (i32.store (i32.const %(iovl)d) (i32.sub (i32.load (i32.const %(iovl)d)) (i32.load (i32.const %(nwr)d))))
    (br $l))))''' % dict(iov=IOV, iovl=IOV + 4, out=OUT, len=out_len, nwr=NWR))
    w.append(')')
    open(out_wat, 'w').write('\n'.join(w) + '\n')
    json.dump(dict(T=T, REC=REC, length=out_len, funcs=layout,
                   instrs=[i['name'] for i in instrs]), open(out_layout, 'w'))
    print('simd_forms: %d instructions, %d functions, %d bytes of results'
          % (len(instrs), idx, out_len), file=sys.stderr)


# ---- compare -------------------------------------------------------------------------

def canon(rec, lane, ctx):
    """rec with every quiet NaN lane of its result (bytes 0..15; TEE: and
    32..47, the local's value) made one NaN: the spec's arithmetic NaNs (a
    signalling NaN result stays as it is, and differs from node's)."""
    if not lane or ctx in ('COND', 'BRIF'):
        return rec
    out = bytearray(rec)
    ebits, mbits = (8, 23) if lane == 4 else (11, 52)
    for i in [*range(0, 16, lane), *(range(32, 48, lane) if ctx == 'TEE' else [])]:
        v = int.from_bytes(rec[i:i + lane], 'little')
        if (v >> mbits) & ((1 << ebits) - 1) == (1 << ebits) - 1 and v >> (mbits - 1) & 1:
            out[i:i + lane] = (((1 << ebits) - 1) << mbits | 1 << (mbits - 1)).to_bytes(lane, 'little')
    return bytes(out)


def compare(layout_path, ref_path, runs):
    lay = json.load(open(layout_path))
    ref = open(ref_path, 'rb').read()
    nrec, rec = lay['T'], lay['REC']
    groups = []
    for f in lay['funcs']:
        if f['group'] not in groups:
            groups.append(f['group'])
    ok = True
    if len(ref) != lay['length']:
        print('FAIL simd-forms/reference (node wrote %d bytes of results, %d expected)'
              % (len(ref), lay['length']))
        return False
    for arg in runs:
        name, _, path = arg.partition('=')
        got = open(path, 'rb').read()
        if len(got) != lay['length']:
            print('FAIL simd-forms/%s/output (%d bytes of results, %d expected: see its stderr)'
                  % (name, len(got), lay['length']))
            ok = False
            continue
        for g in groups:
            fs = [f for f in lay['funcs'] if f['group'] == g]
            bad, shown = 0, 0
            badins = {}
            for f in fs:
                for t in range(nrec):
                    o = f['out'] + t * rec
                    a, b = (canon(x[o:o + rec], f['nondet'], f['ctx']) for x in (ref, got))
                    if a == b:
                        continue
                    bad += 1
                    badins[f['name']] = badins.get(f['name'], 0) + 1
                    if shown < 8:
                        shown += 1
                        print('    | %s forms %s ctx %s (variant %d) tuple %d:' %
                              (f['name'], f['forms'] or '-', f['ctx'], f['k'], t))
                        print('    |   node     %s' % ref[o:o + rec].hex())
                        print('    |   %-8s %s' % (name, got[o:o + rec].hex()))
            ninst = len({f['name'] for f in fs})
            if bad:
                ok = False
                print('FAIL simd-forms/%s/%s (%d of %d results differ from node\'s: %s)' %
                      (name, g, bad, len(fs) * nrec,
                       ', '.join('%s %d' % kv for kv in sorted(badins.items()))))
            else:
                print('PASS simd-forms/%s/%s (%d instructions, %d functions x %d inputs)' %
                      (name, g, ninst, len(fs), nrec))
    return ok


def coverage(layout_path):
    """Every instruction has a function for each form of each operand and
    each context of its result kind."""
    lay = json.load(open(layout_path))
    have = {}
    for f in lay['funcs']:
        have.setdefault(f['name'], set()).add((f['forms'], f['ctx']))
    missing = [n for n in lay['instrs'] if n not in have]
    if missing:
        print('FAIL simd-forms/coverage (no test of %s)' % ', '.join(missing))
        return False
    print('PASS simd-forms/coverage (%d v128 instructions of opcodes.h, %d functions)'
          % (len(lay['instrs']), len(lay['funcs'])))
    return True


if __name__ == '__main__':
    if len(sys.argv) >= 4 and sys.argv[1] == 'gen':
        gen(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else 'jit/opcodes.h',
            len(sys.argv) > 5 and sys.argv[5] == 'small')
    elif len(sys.argv) >= 5 and sys.argv[1] == 'compare':
        sys.exit(0 if compare(sys.argv[2], sys.argv[3], sys.argv[4:]) else 1)
    elif len(sys.argv) == 3 and sys.argv[1] == 'coverage':
        sys.exit(0 if coverage(sys.argv[2]) else 1)
    else:
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        sys.exit(2)
