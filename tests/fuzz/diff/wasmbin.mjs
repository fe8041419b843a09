// wasmbin.mjs — just enough of the WebAssembly binary format (Core spec
// 2.0 §5) for the differential fuzzer: LEB128 and section encoding for the
// generator (gen_tree.mjs), and a reader of the sections that say what a
// module imports and exports (types §5.5.2, imports §5.5.5, functions
// §5.5.6, globals §5.5.9, exports §5.5.10), so the driver can plan the
// calls and export every global for comparison (exportGlobals).

export const T = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, funcref: 0x70, externref: 0x6f };
// The letters of struct wasm_host_func (jit/wasm.h) and of the manifest.
export const LETTER = { 0x7f: 'i', 0x7e: 'I', 0x7d: 'f', 0x7c: 'F', 0x70: 'r', 0x6f: 'x' };

export function uleb(n) {
	const out = [];
	let v = BigInt(n);
	do {
		let b = Number(v & 0x7fn);
		v >>= 7n;
		if (v !== 0n) b |= 0x80;
		out.push(b);
	} while (v !== 0n);
	return out;
}

export function sleb(n) {
	const out = [];
	let v = BigInt(n);
	for (;;) {
		const b = Number(v & 0x7fn);
		v >>= 7n;
		if ((v === 0n && !(b & 0x40)) || (v === -1n && (b & 0x40))) {
			out.push(b);
			return out;
		}
		out.push(b | 0x80);
	}
}

export function str(s) {
	const b = Buffer.from(s, 'utf8');
	return [...uleb(b.length), ...b];
}

export function vec(items) {
	return [...uleb(items.length), ...items.flat()];
}

export function section(id, body) {
	return [id, ...uleb(body.length), ...body];
}

export const MAGIC = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

// ---- reading ----------------------------------------------------------------

class Reader {
	constructor(buf, pos = 0, end = buf.length) {
		this.buf = buf;
		this.pos = pos;
		this.end = end;
	}
	byte() {
		if (this.pos >= this.end) throw new Error('unexpected end');
		return this.buf[this.pos++];
	}
	u32() {
		let result = 0, shift = 0, b;
		do {
			b = this.byte();
			result += (b & 0x7f) * 2 ** shift;
			shift += 7;
		} while (b & 0x80);
		return result;
	}
	name() {
		const n = this.u32();
		const s = this.buf.subarray(this.pos, this.pos + n);
		this.pos += n;
		return Buffer.from(s).toString('utf8');
	}
	limits() {
		const flags = this.byte();
		this.u32();
		if (flags & 1) this.u32();
	}
	// skip a constant expression (up to and including `end`)
	constExpr() {
		for (;;) {
			const op = this.byte();
			if (op === 0x0b) return;
			if (op === 0x41 || op === 0x42) this.sleb();
			else if (op === 0x43) this.pos += 4;
			else if (op === 0x44) this.pos += 8;
			else if (op === 0x23 || op === 0xd2) this.u32();
			else if (op === 0xd0) this.byte();
			else throw new Error(`constant expression opcode 0x${op.toString(16)}`);
		}
	}
	sleb() {
		let b;
		do b = this.byte(); while (b & 0x80);
	}
}

// The module's sections as [{id, start, end}] (body offsets) and what the
// driver needs: types, imports, function types, globals, exports.
export function parseModule(buf) {
	const r = new Reader(buf, 8);
	const m = { sections: [], types: [], imports: [], funcs: [], globals: [], exports: [],
		importedGlobals: 0, hasMemory: false };
	while (r.pos < buf.length) {
		const id = r.byte();
		const size = r.u32();
		const start = r.pos, end = start + size;
		m.sections.push({ id, start, end, headerStart: start - 1 - uleb(size).length });
		const s = new Reader(buf, start, end);
		if (id === 1) readTypes(s, m);
		else if (id === 2) readImports(s, m);
		else if (id === 3) for (let n = s.u32(); n > 0; n--) m.funcs.push(s.u32());
		else if (id === 6) for (let n = s.u32(); n > 0; n--) {
			const type = s.byte(), mut = s.byte();
			s.constExpr();
			m.globals.push({ type, mut });
		}
		else if (id === 7) for (let n = s.u32(); n > 0; n--) {
			const name = s.name(), kind = s.byte(), index = s.u32();
			m.exports.push({ name, kind, index });
		}
		if (id === 5 && s.u32() > 0) m.hasMemory = true;
		r.pos = end;
	}
	m.funcTypes = [...m.imports.filter(i => i.kind === 0).map(i => i.type), ...m.funcs];
	return m;
}

function readTypes(s, m) {
	for (let n = s.u32(); n > 0; n--) {
		if (s.byte() !== 0x60) throw new Error('not a function type');
		const params = [], results = [];
		for (let k = s.u32(); k > 0; k--) params.push(s.byte());
		for (let k = s.u32(); k > 0; k--) results.push(s.byte());
		m.types.push({ params, results });
	}
}

function readImports(s, m) {
	for (let n = s.u32(); n > 0; n--) {
		const module = s.name(), name = s.name(), kind = s.byte();
		const imp = { module, name, kind };
		if (kind === 0) imp.type = s.u32();
		else if (kind === 1) { s.byte(); s.limits(); }
		else if (kind === 2) { s.limits(); m.hasMemory = true; }
		else if (kind === 3) { imp.gtype = s.byte(); s.byte(); m.importedGlobals++; }
		m.imports.push(imp);
	}
}

// A copy of the module whose export section also exports every global it
// defines (as "__gN") and its memory (as "__mem") if it has one that is
// not exported: the runners compare them after the calls.
export function exportGlobals(buf, m) {
	const names = new Set(m.exports.map(e => e.name));
	const extra = [];
	m.globals.forEach((g, i) => {
		const idx = m.importedGlobals + i;
		if (!m.exports.some(e => e.kind === 3 && e.index === idx) && !names.has(`__g${idx}`))
			extra.push({ name: `__g${idx}`, kind: 3, index: idx });
	});
	if (m.hasMemory && !m.exports.some(e => e.kind === 2))
		extra.push({ name: '__mem', kind: 2, index: 0 });
	if (!extra.length) return { buf, exports: m.exports };
	const exports = [...m.exports, ...extra];
	const body = vec(exports.map(e => [...str(e.name), e.kind, ...uleb(e.index)]));
	const sec = section(7, body);
	const old = m.sections.find(s => s.id === 7);
	let out;
	if (old) {
		out = Buffer.concat([buf.subarray(0, old.headerStart), Buffer.from(sec),
			buf.subarray(old.end)]);
	} else {
		// the export section goes after the global section (or whatever
		// comes before it: ids 1..6), before start/elem/datacount/code/data
		const before = m.sections.filter(s => s.id !== 0 && s.id <= 6);
		const at = before.length ? before[before.length - 1].end : 8;
		out = Buffer.concat([buf.subarray(0, at), Buffer.from(sec), buf.subarray(at)]);
	}
	return { buf: out, exports };
}

// ---- rewriting, for the minimiser (fuzz_diff.mjs --shrink) -------------------

// buf with section `id`'s body replaced (the section must exist)
export function replaceSection(buf, m, id, body) {
	const old = m.sections.find(s => s.id === id);
	return Buffer.concat([buf.subarray(0, old.headerStart), Buffer.from(section(id, body)),
		buf.subarray(old.end)]);
}

// The module with defined function `k`'s body replaced by one that
// returns zeros of its result types (no locals, no calls, no traps).
export function stubFunction(buf, m, k) {
	const code = m.sections.find(s => s.id === 10);
	const r = new Reader(buf, code.start, code.end);
	const bodies = [];
	for (let n = r.u32(); n > 0; n--) {
		const size = r.u32();
		bodies.push(buf.subarray(r.pos, r.pos + size));
		r.pos += size;
	}
	const zero = { 0x7f: [0x41, 0], 0x7e: [0x42, 0], 0x7d: [0x43, 0, 0, 0, 0],
		0x7c: [0x44, 0, 0, 0, 0, 0, 0, 0, 0], 0x70: [0xd0, 0x70], 0x6f: [0xd0, 0x6f] };
	const results = m.types[m.funcs[k]].results;
	const stub = [0x00, ...results.flatMap(t => zero[t]), 0x0b];
	const body = vec(bodies.map((b, i) => [...uleb(i === k ? stub.length : b.length),
		...(i === k ? stub : b)]));
	return replaceSection(buf, m, 10, body);
}

// The module without export `k` (index into m.exports).
export function dropExport(buf, m, k) {
	const exports = m.exports.filter((e, i) => i !== k);
	return replaceSection(buf, m, 7,
		vec(exports.map(e => [...str(e.name), e.kind, ...uleb(e.index)])));
}
