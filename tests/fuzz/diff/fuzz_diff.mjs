// fuzz_diff.mjs — the random-program differential fuzzer (make fuzz-diff;
// docs/fuzz-diff.md): random valid modules, each export run by
// wasmetal (hosted, tests/fuzz/diff/diff_runner.c) and by node's V8
// (tests/fuzz/diff/v8_runner.mjs); results, trap kinds, host calls, globals and
// memory must agree.
//
//   node tests/fuzz/diff/fuzz_diff.mjs [--count N] [--seed S] [--gen mix|ttf|tree]
//        [--batch B] [--jobs J] [--out DIR] [--reduce] [--runner PATH]
//        [--backend single|llvm] [--simd] [--eh]
//   node tests/fuzz/diff/fuzz_diff.mjs --check MODULE.wasm --seed S --gen K
//        one module, as module S of generator K was run: prints "same" or
//        "differ KIND" (tests/fuzz/diff/reduce.sh gives it to wasm-reduce)
//   node tests/fuzz/diff/fuzz_diff.mjs --regress tests/fuzz/diff/regress
//        the findings kept as regression tests, one PASS/FAIL line each
//   node tests/fuzz/diff/fuzz_diff.mjs --shrink DIR
//        reduce.sh's first pass: stub functions, drop exports
//
// --backend llvm (any mode): wasmetal's side runs the LLVM backend's code
// (diff_runner --backend llvm); the default is the single-pass JIT.
// --simd: gen_tree.mjs's modules with v128 expressions (issue 10; both
// backends); without it a seed's module is the one it was before SIMD.
// --eh: gen_tree.mjs's modules with exception handling (tags, try/catch/
// catch_all/delegate/throw/rethrow; issue 10), both backends; an exception
// leaving an export is the trap kind uncaught-exception on both sides.
//
// Module k of a run is made from seed S+k: by gen_tree.mjs (our own
// generator), or by binaryen's `wasm-opt -ttf` from random bytes that the
// seed determines ("ttf", with --denan: see makeModule); --gen mix
// alternates (even seeds tree, odd ttf).  So a run is reproduced by its first seed and count, and one
// module by its seed alone.
//
//   seeds -> modules (+ every global exported) -> manifest (imports, calls
//   with arguments from the seed) -> diff_runner | v8_runner, batch by
//   batch, J batches at a time -> compare the traces module by module
//
// Every difference is kept under --out (the module, both traces, the
// manifest, the seed) and printed as a DIFF line; with --reduce,
// tests/fuzz/diff/reduce.sh shrinks the module while this script's --check
// mode still sees the same kind of difference.  The last lines are the totals, then "N passed, N failed"
// (one check per generator, tests/run.sh counts them).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync, copyFileSync,
	existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, Rng, I32_EDGES, I64_EDGES, F32_EDGES, F64_EDGES } from './gen_tree.mjs';
import { parseModule, exportGlobals, stubFunction, dropExport, LETTER } from './wasmbin.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const TOP = resolve(HERE, '../../..');

// The Wasm 2.0 features binaryen 108 can give us.  Not reference-types:
// version 108's -ttf then writes typed function references and anyref
// (GC proposal encodings) that no 2.0 engine accepts.
const TTF_FEATURES = ['--mvp-features', '--enable-sign-ext', '--enable-mutable-globals',
	'--enable-nontrapping-float-to-int', '--enable-bulk-memory', '--enable-multivalue'];
const RESET_EXPORTS = ['hangLimitInitializer', 'fuel_reset'];

function parseArgs(argv) {
	const o = { count: 1000, seed: 1, gen: 'mix', batch: 50, jobs: 2, reduce: false,
		out: join(TOP, 'build/fuzz-diff'), runner: join(TOP, 'build/tests/fuzz/diff/diff_runner'),
		check: null, regress: null, shrink: null, quiet: false, backend: 'single', simd: false,
		eh: false };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i], v = () => argv[++i];
		if (a === '--count') o.count = Number(v());
		else if (a === '--seed') o.seed = Number(v());
		else if (a === '--gen') o.gen = v();
		else if (a === '--batch') o.batch = Number(v());
		else if (a === '--jobs') o.jobs = Number(v());
		else if (a === '--out') o.out = resolve(v());
		else if (a === '--runner') o.runner = resolve(v());
		else if (a === '--reduce') o.reduce = true;
		else if (a === '--check') o.check = resolve(v());
		else if (a === '--regress') o.regress = resolve(v());
		else if (a === '--shrink') o.shrink = resolve(v());
		else if (a === '--quiet') o.quiet = true;
		else if (a === '--backend') o.backend = v();
		else if (a === '--simd') o.simd = true;
		else if (a === '--eh') o.eh = true;
		else usage(`unknown option ${a}`);
	}
	if (!['mix', 'ttf', 'tree'].includes(o.gen)) usage(`--gen ${o.gen}`);
	if (!['single', 'llvm'].includes(o.backend)) usage(`--backend ${o.backend}`);
	for (const k of ['count', 'seed', 'batch', 'jobs'])
		if (!Number.isInteger(o[k]) || o[k] < 0 || (k !== 'seed' && k !== 'count' && o[k] < 1))
			usage(`--${k} wants a whole number`);
	return o;
}

function usage(why) {
	console.error(`fuzz_diff: ${why}\nusage: fuzz_diff.mjs [--count N] [--seed S] ` +
		'[--gen mix|ttf|tree] [--batch B] [--jobs J] [--out DIR] [--reduce] [--runner PATH]\n' +
		'       fuzz_diff.mjs --check MODULE.wasm [--seed S] [--gen tree|ttf]\n' +
		'       fuzz_diff.mjs --regress DIR | --shrink DIR\n' +
		'       any of them with [--backend single|llvm] (wasmetal\'s compiler)\n' +
		'       --simd: v128 expressions in gen_tree.mjs\'s modules\n' +
		'       --eh: exception handling in gen_tree.mjs\'s modules (single-pass only)');
	process.exit(2);
}

function run(cmd, args, timeoutMs) {
	return new Promise(res => {
		execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 1 << 30, killSignal: 'SIGKILL' },
			(err, stdout, stderr) => res({ err, stdout, stderr,
				timedOut: !!(err && err.killed) }));
	});
}

// our own modules' exports are called twice (state carried over: globals,
// memory, tables), binaryen's (many more exports) once
const callsPerExport = kind => (kind === 'ttf' ? 1 : 2);

function genKind(o, seed) {
	return o.gen === 'mix' ? (seed % 2 === 0 ? 'tree' : 'ttf') : o.gen;
}

// ---- modules ---------------------------------------------------------------------

// The module of seed `seed`, with every global exported; null if binaryen
// made nothing (counted).  Tail calls in tree modules for both backends
// (the LLVM backend's since issue 10; before, it refused them).
async function makeModule(seed, kind, dir, simd, eh) {
	let buf;
	if (kind === 'tree') {
		buf = generate(seed, { tail: true, simd, eh });
	} else {
		const r = new Rng(seed);
		const n = r.range(256, 16384);
		const bytes = Buffer.alloc(n);
		for (let i = 0; i < n; i++) bytes[i] = r.u32() & 0xff;
		const bin = join(dir, `s${seed}.bin`), wasm = join(dir, `s${seed}.ttf.wasm`);
		writeFileSync(bin, bytes);
		// --denan: binaryen's modules store and compare float results
		// freely, so an arithmetic NaN's payload (which the spec leaves to
		// the engine: V8 and wasmetal differ, e.g. f64.max(0, -nan:0xf..ab))
		// would reach memory and integers; denan turns every NaN into 0
		const res = await run('wasm-opt', ['-ttf', bin, '-o', wasm, ...TTF_FEATURES, '--denan'],
			60000);
		if (res.err || !existsSync(wasm)) return null;
		buf = readFileSync(wasm);
		rmSync(bin);
		rmSync(wasm);
	}
	const m = parseModule(buf);
	const { buf: out, exports } = exportGlobals(buf, m);
	const path = join(dir, `s${seed}.wasm`);
	writeFileSync(path, out);
	return { seed, kind, path, m, exports };
}

// argument bits (hex) for a parameter of type letter t
function argHex(r, t) {
	const h = (v, w) => BigInt.asUintN(w * 4, BigInt(v)).toString(16).padStart(w, '0');
	// NaN arguments only canonical: JavaScript cannot pass other bits
	const noNan32 = F32_EDGES.filter(b => (b & 0x7fffffff) <= 0x7f800000);
	const noNan64 = F64_EDGES.filter(b => (b & 0x7fffffffffffffffn) <= 0x7ff0000000000000n);
	switch (t) {
	case 'i': return h(r.chance(0.6) ? r.pick(I32_EDGES) : r.u32(), 8);
	case 'I': return h(r.chance(0.6) ? r.pick(I64_EDGES) : r.u64(), 16);
	case 'f': return h(r.chance(0.1) ? 0x7fc00000 : r.chance(0.7) ? r.pick(noNan32) :
		finite32(r), 8);
	case 'F': return h(r.chance(0.1) ? 0x7ff8000000000000n : r.chance(0.7) ? r.pick(noNan64) :
		finite64(r), 16);
	}
}

function finite32(r) {
	const b = r.u32();
	return ((b >>> 23) & 0xff) === 0xff ? b & 0xbfffffff : b;
}

function finite64(r) {
	const b = r.u64();
	return ((b >> 52n) & 0x7ffn) === 0x7ffn ? b & 0xbfffffffffffffffn : b;
}

function nameHash(s) {
	let h = 2166136261;
	for (const c of Buffer.from(s)) h = Math.imul(h ^ c, 16777619) >>> 0;
	return h;
}

const letters = ts => (ts.length ? ts.map(t => LETTER[t]).join('') : '-');
const numeric = ts => ts.every(t => 'iIfF'.includes(LETTER[t] ?? '?'));
const safeName = s => /^[A-Za-z0-9_$.-]+$/.test(s);

// The manifest block of one module (diff_runner.c describes the format);
// null if the module needs something the runners cannot give it.
function plan(mod, callsPerExport) {
	const { m, exports, seed, path } = mod;
	const lines = [`module ${path}`];
	for (const im of m.imports) {
		if (im.kind !== 0 || !safeName(im.module) || !safeName(im.name)) return null;
		const t = m.types[im.type];
		lines.push(`import ${im.module} ${im.name} ${letters(t.params)} ${letters(t.results)}`);
	}
	const reset = exports.find(e => e.kind === 0 && RESET_EXPORTS.includes(e.name));
	for (let round = 0; round < callsPerExport; round++) {
		for (const e of exports) {
			if (e.kind !== 0 || e === reset || !safeName(e.name)) continue;
			const t = m.types[m.funcTypes[e.index]];
			if (!numeric(t.params) || !numeric(t.results)) continue;
			const r = new Rng((seed ^ nameHash(e.name) ^ Math.imul(round, 0x9e3779b9)) >>> 0);
			if (reset) lines.push(`call ${reset.name} - -`);
			const ps = letters(t.params);
			lines.push([`call ${e.name} ${ps} ${letters(t.results)}`,
				...[...ps.replace('-', '')].map(c => argHex(r, c))].join(' '));
		}
	}
	for (const e of exports) {
		if (e.kind === 3 && safeName(e.name)) {
			const gi = e.index - m.importedGlobals;
			const type = gi >= 0 ? m.globals[gi].type :
				m.imports.filter(i => i.kind === 3)[e.index].gtype;
			if (LETTER[type] && 'iIfF'.includes(LETTER[type]))
				lines.push(`global ${e.name} ${LETTER[type]}`);
		}
		if (e.kind === 2 && safeName(e.name)) lines.push(`memory ${e.name}`);
	}
	lines.push('end');
	return lines.join('\n') + '\n';
}

// ---- running and comparing ---------------------------------------------------------

// Trace blocks by module path: {lines, complete}.
function blocks(text) {
	const out = new Map();
	let cur = null;
	for (const line of text.split('\n')) {
		if (line.startsWith('module ')) {
			cur = { lines: [], complete: false };
			out.set(line.slice(7), cur);
		} else if (cur && line === 'end') {
			cur.complete = true;
			cur = null;
		} else if (cur && line) {
			cur.lines.push(line);
		}
	}
	return out;
}

// Run one side over the manifest blocks; a crash or a hang ends the
// process: that module is marked and the run goes on after it.
async function runSide(side, o, plans, dir, tag) {
	const result = new Map();
	let rest = plans;
	for (let attempt = 0; rest.length && attempt < plans.length + 1; attempt++) {
		const manifest = join(dir, `${tag}.${side}.${attempt}.txt`);
		writeFileSync(manifest, rest.map(p => p.text).join(''));
		const cmd = side === 'wasmetal' ? [o.runner, ['--backend', o.backend, manifest]] :
			['node', ['--no-warnings', '--stack-size=984', join(HERE, 'v8_runner.mjs'), manifest]];
		const res = await run(cmd[0], cmd[1], 20000 + 4000 * rest.length);
		const got = blocks(res.stdout);
		let i = 0;
		for (; i < rest.length; i++) {
			const b = got.get(rest[i].mod.path);
			if (!b || !b.complete) break;
			result.set(rest[i].mod.path, b);
		}
		if (i === rest.length) break;
		const why = res.timedOut ? 'hang (timed out)' :
			`crash (${res.err ? `status ${res.err.code ?? res.err.signal}` : 'no end'}): ` +
			res.stderr.split('\n').slice(0, 3).join(' | ');
		const partial = got.get(rest[i].mod.path);
		result.set(rest[i].mod.path, { lines: [...(partial?.lines ?? []), why], complete: false,
			failed: why });
		rest = rest.slice(i + 1);
	}
	return result;
}

const isNan = (t, hex) => {
	const b = BigInt(`0x${hex}`);
	return t === 'f' ? (b & 0x7f800000n) === 0x7f800000n && (b & 0x7fffffn) !== 0n
		: t === 'F' && (b & 0x7ff0000000000000n) === 0x7ff0000000000000n &&
		(b & 0xfffffffffffffn) !== 0n;
};

// Values that crossed into JavaScript: floats equal bit for bit, or both
// NaN (JS keeps no NaN sign or payload).  Everything else: equal text.
function sameValue(a, b) {
	if (a === b) return true;
	const [ta, ha] = a.split(':'), [tb, hb] = b.split(':');
	return ta === tb && (ta === 'f' || ta === 'F') && hb !== undefined &&
		isNan(ta, ha) && isNan(tb, hb);
}

function sameLine(a, b) {
	if (a === b) return true;
	const wa = a.split(' '), wb = b.split(' ');
	// load/instantiation errors: the wording is each engine's own
	if ((wa[0] === 'load' || wa[0] === 'inst') && wa[1] === 'error')
		return wa[0] === wb[0] && wa[1] === wb[1];
	return wa.length === wb.length && wa.every((w, i) => sameValue(w, wb[i]));
}

// The first difference between two blocks, or null.
function compare(wm, v8) {
	if (wm.failed || v8.failed)
		return { kind: wm.failed ? 'wasmetal-' + wm.failed.split(' ')[0] :
			'v8-' + v8.failed.split(' ')[0], line: wm.lines.length, wm: wm.failed ?? '',
			v8: v8.failed ?? '' };
	const n = Math.max(wm.lines.length, v8.lines.length);
	for (let i = 0; i < n; i++) {
		const a = wm.lines[i] ?? '(nothing)', b = v8.lines[i] ?? '(nothing)';
		if (!sameLine(a, b))
			return { kind: diffKind(a, b), line: i, wm: a, v8: b };
	}
	return null;
}

function diffKind(a, b) {
	const w = a.split(' '), v = b.split(' ');
	if (w[0] !== v[0]) return 'sequence';
	if (w[0] === 'call') return w[2] === v[2] ? `call-${w[2]}` : 'call-outcome';
	return w[0];
}

// ---- statistics ------------------------------------------------------------------

class Stats {
	constructor() {
		this.modules = 0; this.ttf = 0; this.tree = 0; this.noModule = 0; this.skipped = 0;
		this.calls = 0; this.ok = 0; this.traps = {}; this.logs = 0; this.instOk = 0;
		this.instTrap = 0; this.rejected = 0; this.diffs = []; this.memBytes = 0;
	}
	count(mod, b) {
		this.modules++;
		this[mod.kind]++;
		for (const l of b.lines) {
			const w = l.split(' ');
			if (w[0] === 'call' && !RESET_EXPORTS.includes(w[1])) {
				this.calls++;
				if (w[2] === 'ok') this.ok++;
				else if (w[2] === 'trap') this.traps[w[3]] = (this.traps[w[3]] ?? 0) + 1;
			} else if (w[0] === 'log') this.logs++;
			else if (l === 'inst ok') this.instOk++;
			else if (w[0] === 'inst' && w[1] === 'trap') this.instTrap++;
			else if (w[0] === 'load' || (w[0] === 'inst' && w[1] === 'error')) this.rejected++;
			else if (w[0] === 'memory') this.memBytes += Number(w[1]) * 65536;
		}
	}
}

// ---- one batch ---------------------------------------------------------------------

async function runBatch(o, seeds, work, stats) {
	const tag = `b${seeds[0]}`;
	const dir = join(work, tag);
	mkdirSync(dir, { recursive: true });
	const plans = [];
	for (const seed of seeds) {
		const kind = genKind(o, seed);
		const mod = await makeModule(seed, kind, dir, o.simd, o.eh);
		if (!mod) { stats.noModule++; continue; }
		const text = plan(mod, callsPerExport(kind));
		if (!text) { stats.skipped++; continue; }
		plans.push({ mod, text });
	}
	const [wm, v8] = await Promise.all([runSide('wasmetal', o, plans, dir, tag),
		runSide('v8', o, plans, dir, tag)]);
	for (const p of plans) {
		const a = wm.get(p.mod.path), b = v8.get(p.mod.path);
		const d = compare(a, b);
		stats.count(p.mod, b.failed ? a : b);
		if (d) await keepDiff(o, p, a, b, d, stats);
	}
	rmSync(dir, { recursive: true, force: true });
}

async function keepDiff(o, p, wm, v8, d, stats) {
	const dir = join(o.out, `diff-s${p.mod.seed}`);
	mkdirSync(dir, { recursive: true });
	copyFileSync(p.mod.path, join(dir, 'module.wasm'));
	// reduce.sh reads "SEED KIND BACKEND"
	writeFileSync(join(dir, 'seed'), `${p.mod.seed} ${p.mod.kind} ${o.backend}\n`);
	writeFileSync(join(dir, 'manifest.txt'), p.text.replace(p.mod.path, 'module.wasm'));
	writeFileSync(join(dir, 'wasmetal.txt'), wm.lines.join('\n') + '\n');
	writeFileSync(join(dir, 'v8.txt'), v8.lines.join('\n') + '\n');
	const entry = { seed: p.mod.seed, kind: p.mod.kind, d, dir };
	stats.diffs.push(entry);
	console.log(`DIFF seed ${p.mod.seed} (${p.mod.kind}): ${d.kind} at trace line ${d.line + 1}: ` +
		`wasmetal '${d.wm}', v8 '${d.v8}' -> ${dir}`);
	if (o.reduce) entry.reduced = await reduce(o, dir);
}

// ---- --check and wasm-reduce -----------------------------------------------------------

// One module: "same", or "differ KIND" (the kind of the first difference:
// what wasm-reduce keeps constant while it shrinks the module).
async function check(o) {
	// a module V8 rejects is not the difference being reduced ("invalid")
	console.log(await checkStatus(o, readFileSync(o.check), o.seed, genKind(o, o.seed)));
}

// One module (bytes) run both ways as module `seed` of generator `gen`:
// {status} if it cannot be run, else {d (the first difference or null),
// a (wasmetal's trace), b (V8's)}.
async function runOne(o, buf, seed, gen) {
	const work = mkdtempSync(join(tmpdir(), 'wasmetal-fuzz-check.'));
	try {
		let m;
		try {
			m = parseModule(buf);
		} catch {
			return { status: 'unparsable' };
		}
		const { buf: out, exports } = exportGlobals(buf, m);
		const path = join(work, 'm.wasm');
		writeFileSync(path, out);
		const mod = { seed, kind: gen, path, m, exports };
		const text = plan(mod, callsPerExport(gen));
		if (!text) return { status: 'unplannable' };
		const plans = [{ mod, text }];
		const [wm, v8] = await Promise.all([runSide('wasmetal', o, plans, work, 'c'),
			runSide('v8', o, plans, work, 'c')]);
		const a = wm.get(path), b = v8.get(path);
		return { d: compare(a, b), a, b };
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}

async function checkStatus(o, buf, seed, gen) {
	const r = await runOne(o, buf, seed, gen);
	return r.status ?? (r.b.lines[0]?.startsWith('load error') ? 'invalid' :
		r.d ? `differ ${r.d.kind}` : 'same');
}

// --shrink DIR: the minimiser's first pass (reduce.sh), for what
// wasm-reduce cannot read (binaryen 108 has no block parameters, which
// gen_tree.mjs writes): stub function bodies and drop exports, one at a
// time, keeping each change that keeps the kind of the first difference.
// Writes DIR/shrunk.wasm.
async function shrink(o) {
	const [seed, gen] = readFileSync(join(o.shrink, 'seed'), 'utf8').trim().split(' ');
	let buf = readFileSync(join(o.shrink, 'module.wasm'));
	const expect = await checkStatus(o, buf, Number(seed), gen);
	let kept = 0, tried = 0;
	const attempt = async next => {
		tried++;
		if (await checkStatus(o, next, Number(seed), gen) !== expect) return false;
		buf = next;
		kept++;
		return true;
	};
	if (expect.startsWith('differ')) {
		for (let k = parseModule(buf).funcs.length - 1; k >= 0; k--)
			await attempt(stubFunction(buf, parseModule(buf), k));
		for (let k = parseModule(buf).exports.length - 1; k >= 0; k--) {
			const e = parseModule(buf).exports[k];
			if (e.kind === 0 && !RESET_EXPORTS.includes(e.name))
				await attempt(dropExport(buf, parseModule(buf), k));
		}
	}
	writeFileSync(join(o.shrink, 'shrunk.wasm'), buf);
	console.log(`shrink: ${expect}; ${kept} of ${tried} changes kept, ${buf.length} bytes`);
}

// --regress DIR: every DIR/NAME.wat (a reduced finding, its first line
// ";; fuzz-diff: seed S gen K" fixing the calls' arguments) is one check,
// fuzz-diff/regress/NAME: both engines must agree on it, and the module
// must instantiate and make calls (else it tests nothing).
async function regress(o) {
	let pass = 0, fail = 0;
	const names = readdirSync(o.regress).filter(f => f.endsWith('.wat')).sort();
	for (const f of names) {
		const name = `${checkPrefix(o)}/regress/${f.replace(/\.wat$/, '')}`;
		const src = join(o.regress, f);
		const hdr = /^;; fuzz-diff: seed (\d+) gen (tree|ttf)/.exec(readFileSync(src, 'utf8'));
		const work = mkdtempSync(join(tmpdir(), 'wasmetal-fuzz-regress.'));
		const wasm = join(work, 'm.wasm');
		// (the features gen_tree.mjs's findings may use: exceptions, tail calls)
		const w2w = await run('wat2wasm', ['--enable-exceptions', '--enable-tail-call', src,
			'-o', wasm], 60000);
		const r = hdr && !w2w.err ? await runOne(o, readFileSync(wasm), Number(hdr[1]), hdr[2]) :
			{ status: hdr ? `wat2wasm: ${w2w.stderr.trim()}` : 'no ";; fuzz-diff: seed S gen K" line' };
		rmSync(work, { recursive: true, force: true });
		const calls = r.a ? r.a.lines.filter(l => l.startsWith('call ')).length : 0;
		if (r.status || r.d || !calls || r.a.lines[0] !== 'inst ok') {
			fail++;
			console.log(`FAIL ${name} (${r.status ?? (r.d ? `${r.d.kind}: wasmetal '${r.d.wm}', ` +
				`v8 '${r.d.v8}'` : `${r.a.lines[0]}, ${calls} calls`)})`);
		} else {
			pass++;
			console.log(`PASS ${name}: ${calls} calls, same as V8`);
		}
	}
	if (!names.length) {
		fail++;
		console.log(`FAIL ${checkPrefix(o)}/regress (no .wat in ${o.regress})`);
	}
	console.log(`${pass} passed, ${fail} failed`);
	process.exitCode = fail ? 1 : 0;
}

// The checks' names: fuzz-diff/... for the single-pass JIT, fuzz-diff-llvm/...
// for the LLVM backend (make test runs the regressions with both); with
// --simd, fuzz-diff-simd/... and fuzz-diff-llvm-simd/...; with --eh, -eh
function checkPrefix(o) {
	return (o.backend === 'single' ? 'fuzz-diff' : `fuzz-diff-${o.backend}`) +
		(o.simd ? '-simd' : '') + (o.eh ? '-eh' : '');
}

// tests/fuzz/diff/reduce.sh does it (and can be run on its own)
async function reduce(o, dir) {
	const res = await run(join(HERE, 'reduce.sh'), [dir, o.runner], 3700 * 1000);
	const out = (res.stdout + res.stderr).trim();
	console.log(`  ${out.split('\n').pop()}`);
	return existsSync(join(dir, 'reduced.wasm')) && !res.err ? join(dir, 'reduced.wasm') : null;
}

// ---- main ------------------------------------------------------------------------------

async function main() {
	const o = parseArgs(process.argv.slice(2));
	if (o.check) return check(o);
	if (o.regress) return regress(o);
	if (o.shrink) return shrink(o);
	if (!existsSync(o.runner)) usage(`${o.runner} is not built (make fuzz-diff builds it)`);
	const work = mkdtempSync(join(tmpdir(), 'wasmetal-fuzz-diff.'));
	const stats = new Stats();
	const t0 = Date.now();
	const batches = [];
	for (let s = o.seed; s < o.seed + o.count; s += o.batch)
		batches.push(Array.from({ length: Math.min(o.batch, o.seed + o.count - s) }, (_, i) => s + i));
	let next = 0, done = 0;
	const worker = async () => {
		while (next < batches.length) {
			const b = batches[next++];
			await runBatch(o, b, work, stats);
			done += b.length;
			if (!o.quiet && (batches.length < 20 || done % (o.batch * 10) === 0 || done === o.count))
				console.log(`... ${done}/${o.count} modules, ${stats.diffs.length} differences, ` +
					`${((Date.now() - t0) / 1000).toFixed(0)} s`);
		}
	};
	try {
		await Promise.all(Array.from({ length: o.jobs }, worker));
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
	report(o, stats, (Date.now() - t0) / 1000);
}

function report(o, s, secs) {
	const traps = Object.entries(s.traps).sort().map(([k, n]) => `${k} ${n}`).join(', ');
	console.log(`fuzz-diff: seeds ${o.seed}..${o.seed + o.count - 1} (--gen ${o.gen}, ` +
		`--backend ${o.backend}${o.simd ? ', --simd' : ''}${o.eh ? ', --eh' : ''}): ` +
		`${s.modules} modules compared (${s.tree} tree, ${s.ttf} ttf), ${s.noModule} not made, ` +
		`${s.skipped} skipped, in ${secs.toFixed(1)} s (${(s.modules / secs).toFixed(1)} modules/s)`);
	console.log(`fuzz-diff: instantiated ${s.instOk}, start/segment traps ${s.instTrap}, ` +
		`rejected ${s.rejected}; ${s.calls} calls: ${s.ok} returned, traps: ${traps || 'none'}; ` +
		`${s.logs} host calls; ${(s.memBytes / 1048576).toFixed(0)} MiB of memory compared`);
	console.log(`fuzz-diff: ${s.diffs.length} differences` +
		(s.diffs.length ? `: seeds ${s.diffs.map(d => d.seed).join(' ')} (kept in ${o.out})` : ''));
	// one check per generator; a run that compared nothing cannot pass
	let pass = 0, fail = 0;
	for (const kind of ['tree', 'ttf']) {
		if (o.gen !== 'mix' && o.gen !== kind) continue;
		const diffs = s.diffs.filter(d => d.kind === kind);
		const name = `${checkPrefix(o)}/${kind} (seeds ${o.seed}..${o.seed + o.count - 1})`;
		if (diffs.length) {
			fail++;
			console.log(`FAIL ${name} (${diffs.length} differences from V8: seeds ` +
				`${diffs.map(d => d.seed).join(' ')})`);
		} else if (!s[kind] || s.rejected || s.noModule || !s.calls) {
			fail++;
			console.log(`FAIL ${name} (compared ${s[kind]} modules, ${s.calls} calls; ` +
				`${s.rejected} rejected, ${s.noModule} not made)`);
		} else {
			pass++;
			console.log(`PASS ${name}: ${s[kind]} modules, same as V8`);
		}
	}
	console.log(`${pass} passed, ${fail} failed`);
	process.exitCode = fail ? 1 : 0;
}

await main();
