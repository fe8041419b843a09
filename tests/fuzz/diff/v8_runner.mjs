// v8_runner.mjs — the V8 side of the differential fuzzer: runs the modules
// of a manifest under node's WebAssembly and prints the same trace as
// tests/fuzz/diff/diff_runner.c prints for wasmetal (see there for both
// formats).
//
//   node tests/fuzz/diff/v8_runner.mjs MANIFEST      trace on stdout
//
// What JavaScript cannot show: a float that crosses into JS (a call's
// result, a log function's argument, a global's value) is a Number, so a
// NaN's sign and payload are lost there; the driver compares such values
// as "both NaN" (docs/fuzz-diff.md).  NaN bits stay visible through
// memory (the hash) and through reinterpret inside the module.
import { readFileSync, writeSync } from 'node:fs';

const dv = new DataView(new ArrayBuffer(8));

function hex(n, width) {
	return n.toString(16).padStart(width, '0');
}

// JS value of type letter t -> "t:HEX" as diff_runner.c prints it
export function fmt(t, v) {
	switch (t) {
	case 'i': return `i:${hex(v >>> 0, 8)}`;
	case 'I': return `I:${hex(BigInt.asUintN(64, v), 16)}`;
	case 'f': dv.setFloat32(0, v, true); return `f:${hex(dv.getUint32(0, true), 8)}`;
	case 'F': dv.setFloat64(0, v, true); return `F:${hex(dv.getBigUint64(0, true), 16)}`;
	default: return `${t}:?`;
	}
}

// hex bits of type letter t -> the JS value to pass
function arg(t, h) {
	const b = BigInt(`0x${h}`);
	switch (t) {
	case 'i': return Number(BigInt.asIntN(32, b));
	case 'I': return BigInt.asIntN(64, b);
	case 'f': dv.setUint32(0, Number(b), true); return dv.getFloat32(0, true);
	case 'F': dv.setBigUint64(0, b, true); return dv.getFloat64(0, true);
	default: throw new Error(`type ${t}`);
	}
}

// V8's trap messages (src/common/message-template.h) -> diff_runner.c's kinds
const KINDS = [
	[/^unreachable/, 'unreachable'],
	[/^memory access out of bounds/, 'memory-oob'],
	[/^(divide|remainder) by zero/, 'div-by-zero'],
	[/^divide result unrepresentable/, 'int-overflow'],
	[/^float unrepresentable in integer range/, 'trunc'],
	[/^(table index is out of bounds|invalid index into function table)/, 'table-oob'],
	[/^null function or function signature mismatch/, 'indirect-call'],
	[/^dereferencing a null pointer/, 'null-reference'],
	[/^Maximum call stack size exceeded/, 'stack-exhausted'],
];

function trapKind(e) {
	// a Wasm exception nothing caught (exception handling, issue 10): V8
	// throws it on to JavaScript; diff_runner.c's WASM_TRAP_EXCEPTION
	if (typeof WebAssembly.Exception === 'function' && e instanceof WebAssembly.Exception)
		return 'uncaught-exception';
	const msg = String(e && e.message);
	for (const [re, kind] of KINDS)
		if (re.test(msg)) return kind;
	return `other(${msg.replace(/\s+/g, '_')})`;
}

function letters(s) {
	return s === '-' ? '' : s;
}

function memHash(mem) {
	if (!mem) return 'memory 0 811c9dc5';
	const w = new Uint32Array(mem.buffer);
	let h = 2166136261;
	for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w[i], 16777619) >>> 0;
	return `memory ${mem.buffer.byteLength / 65536} ${hex(h, 8)}`;
}

class ModuleRun {
	constructor(path, out) {
		this.path = path;
		this.out = out;
		this.imports = [];
		this.globals = [];
		this.memory = null;
		this.inst = undefined;
		this.tempRet = 0;
	}

	importObject() {
		const obj = {};
		for (const { module, name, params, results } of this.imports) {
			const ps = letters(params), rs = letters(results);
			obj[module] ??= {};
			obj[module][name] = (...a) => {
				this.out.push(['log', name, ...[...ps].map((t, i) => fmt(t, a[i]))].join(' '));
				if (name === 'setTempRet0') this.tempRet = a[0] | 0;
				const vals = [...rs].map(t => (t === 'I' ? 0n : 0));
				if (rs.length && name === 'getTempRet0') vals[0] = this.tempRet;
				return rs.length > 1 ? vals : vals[0];
			};
		}
		return obj;
	}

	instantiate() {
		let mod;
		this.inst = null;
		try {
			mod = new WebAssembly.Module(readFileSync(this.path));
		} catch (e) {
			this.out.push(`load error ${e.message}`);
			return;
		}
		try {
			this.inst = new WebAssembly.Instance(mod, this.importObject());
			this.out.push('inst ok');
		} catch (e) {
			if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError ||
			    (typeof WebAssembly.Exception === 'function' &&
			     e instanceof WebAssembly.Exception))
				this.out.push(`inst trap ${trapKind(e)}`);
			else
				this.out.push(`inst error ${e.message}`);
		}
	}

	call(name, params, results, hexArgs) {
		if (this.inst === undefined) this.instantiate();
		if (!this.inst) return;
		const ps = letters(params), rs = letters(results);
		const f = this.inst.exports[name];
		const args = [...ps].map((t, i) => arg(t, hexArgs[i]));
		let r;
		try {
			r = f(...args);
		} catch (e) {
			this.out.push(`call ${name} trap ${trapKind(e)}`);
			return;
		}
		const vals = rs.length > 1 ? [...r] : rs.length ? [r] : [];
		this.out.push([`call ${name} ok`, ...[...rs].map((t, i) => fmt(t, vals[i]))].join(' '));
	}

	end() {
		if (this.inst === undefined) this.instantiate();
		if (this.inst) {
			// node 20 has no type reflection: the manifest gives the type
			for (const { name, t } of this.globals) {
				const glob = this.inst.exports[name];
				if (!(glob instanceof WebAssembly.Global))
					this.out.push(`global ${name} missing`);
				else
					this.out.push(`global ${name} ${fmt(t, glob.value)}`);
			}
			const mem = Object.values(this.inst.exports)
				.find(e => e instanceof WebAssembly.Memory);
			this.out.push(memHash(this.memory ? this.inst.exports[this.memory] : mem));
		}
		this.out.push('end');
	}
}

function run(manifest) {
	let m = null, out = [];
	const flush = () => {
		if (out.length) writeSync(1, out.join('\n') + '\n');
		out = [];
	};
	for (const line of readFileSync(manifest, 'utf8').split('\n')) {
		const w = line.split(' ');
		switch (w[0]) {
		case 'module':
			m = new ModuleRun(line.slice(7), out);
			out.push(line);
			break;
		case 'import':
			m.imports.push({ module: w[1], name: w[2], params: w[3], results: w[4] });
			break;
		case 'global':
			m.globals.push({ name: w[1], t: w[2] });
			break;
		case 'memory':
			m.memory = w[1];
			break;
		case 'call':
			m.call(w[1], w[2], w[3], w.slice(4));
			break;
		case 'end':
			m.end();
			flush();
			m = null;
			break;
		}
	}
	flush();
}

run(process.argv[2]);
