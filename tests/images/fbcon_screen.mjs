// fbcon_screen.mjs — the screen half of tests/images/fbcon_screenshot.sh:
// an independent model of what drivers/fbcon.c must draw.
//
//   node fbcon_screen.mjs dump SOCKET OUT.ppm
//       QEMU human monitor on a unix socket: `screendump OUT.ppm`, waiting
//       for the prompt that follows it (the file is then complete).
//   node fbcon_screen.mjs check SHOT.ppm FONT.psf[.gz] CONSOLE [OUT.png]
//       CONSOLE = the guest's console output (the bytes the kernel drew);
//       renders it as the kernel's text console should (PSF1/PSF2 font,
//       UTF-8, \n \r \t \b, wrap, scroll, escape sequences skipped) on a
//       screen of SHOT's size, and compares every pixel: a lit pixel must
//       be grey 0xc0 or white (stderr), every other pixel black.  Writes
//       the screenshot as OUT.png.  Exit 0 if equal, 1 with the first
//       differing character cells, 2 on bad input.
import fs from "node:fs";
import net from "node:net";
import zlib from "node:zlib";

function die(msg, code = 2) {
	console.error(`fbcon_screen: ${msg}`);
	process.exit(code);
}

// ---- PPM (P6, maxval 255) and PNG -------------------------------------------

function readPpm(path) {
	const b = fs.readFileSync(path);
	const fields = [];
	let i = 0;
	while (fields.length < 4) {
		while (i < b.length && /\s/.test(String.fromCharCode(b[i]))) i++;
		if (b[i] === 0x23) { while (i < b.length && b[i] !== 0x0a) i++; continue; }
		let s = "";
		while (i < b.length && !/\s/.test(String.fromCharCode(b[i]))) s += String.fromCharCode(b[i++]);
		if (!s) die(`${path}: truncated PPM header`);
		fields.push(s);
	}
	i++;
	const [magic, w, h, max] = [fields[0], +fields[1], +fields[2], +fields[3]];
	if (magic !== "P6" || max !== 255 || !(w > 0) || !(h > 0)) die(`${path}: not a P6 PPM`);
	if (b.length - i < w * h * 3) die(`${path}: truncated pixels`);
	return { w, h, px: b.subarray(i, i + w * h * 3) };
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});
function crc32(buf) {
	let c = 0xffffffff;
	for (const x of buf) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
	const len = Buffer.alloc(4), crc = Buffer.alloc(4);
	const td = Buffer.concat([Buffer.from(type, "latin1"), data]);
	len.writeUInt32BE(data.length);
	crc.writeUInt32BE(crc32(td));
	return Buffer.concat([len, td, crc]);
}
function writePng(path, { w, h, px }) {
	const raw = Buffer.alloc((w * 3 + 1) * h);
	for (let y = 0; y < h; y++) px.copy(raw, y * (w * 3 + 1) + 1, y * w * 3, (y + 1) * w * 3);
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr[8] = 8; ihdr[9] = 2;       // 8-bit RGB
	fs.writeFileSync(path, Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk("IHDR", ihdr), chunk("IDAT", zlib.deflateSync(raw)), chunk("IEND", Buffer.alloc(0)),
	]));
}

// ---- PSF fonts --------------------------------------------------------------

function utf8Decode(b, i) {   // -> [code point or -1, next index]
	const c = b[i];
	const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 :
		c >= 0xf0 && c <= 0xf4 ? 3 : -1;
	if (n < 0 || i + n >= b.length + (n ? 0 : 1)) return [-1, i + 1];
	let cp = n ? c & (0x3f >> n) : c;
	for (let k = 1; k <= n; k++) {
		if ((b[i + k] & 0xc0) !== 0x80) return [-1, i + 1];
		cp = (cp << 6) | (b[i + k] & 0x3f);
	}
	return [cp, i + 1 + n];
}

function readFont(path) {
	let b = fs.readFileSync(path);
	if (b[0] === 0x1f && b[1] === 0x8b) b = zlib.gunzipSync(b);
	const f = { map: new Map() };
	let hdr, table;
	if (b[0] === 0x36 && b[1] === 0x04) {
		hdr = 4; f.n = b[2] & 1 ? 512 : 256; f.h = b[3]; f.w = 8; f.size = b[3];
		table = (b[2] & 6) !== 0;
	} else if (b.readUInt32LE(0) === 0x864ab572) {
		hdr = b.readUInt32LE(8); table = (b.readUInt32LE(12) & 1) !== 0;
		f.n = b.readUInt32LE(16); f.size = b.readUInt32LE(20);
		f.h = b.readUInt32LE(24); f.w = b.readUInt32LE(28);
	} else {
		die(`${path}: not a PSF font`);
	}
	f.stride = (f.w + 7) >> 3;
	f.glyphs = b.subarray(hdr, hdr + f.n * f.size);
	let i = hdr + f.n * f.size;
	const add = (cp, g) => { if (!f.map.has(cp)) f.map.set(cp, g); };
	if (!table) {
		for (let g = 0; g < f.n; g++) add(g, g);
	} else if (hdr === 4) {
		for (let g = 0; g < f.n && i + 1 < b.length; g++) {
			let seq = false;
			for (; i + 1 < b.length; i += 2) {
				const u = b.readUInt16LE(i);
				if (u === 0xffff) break;
				if (u === 0xfffe) seq = true; else if (!seq) add(u, g);
			}
			i += 2;
		}
	} else {
		for (let g = 0; g < f.n && i < b.length; g++) {
			let seq = false;
			while (i < b.length && b[i] !== 0xff) {
				if (b[i] === 0xfe) { seq = true; i++; continue; }
				let cp;
				[cp, i] = utf8Decode(b, i);
				if (!seq && cp >= 0) add(cp, g);
			}
			i++;
		}
	}
	f.fallback = f.map.get(0xfffd) ?? f.map.get(0x3f) ?? 0;
	f.glyph = (cp) => f.map.get(cp) ?? f.fallback;
	return f;
}

// ---- the console model --------------------------------------------------------

// Cells: null (blank) or { g: glyph }.  Brightness is not known from the
// combined console stream, so both greys are accepted for lit pixels.
function renderText(bytes, cols, rows, font) {
	const grid = Array.from({ length: rows }, () => Array(cols).fill(null));
	let col = 0, row = 0, state = "text", escLen = 0;
	const newline = () => {
		col = 0;
		if (++row < rows) return;
		row = rows - 1;
		grid.shift();
		grid.push(Array(cols).fill(null));
	};
	const put = (cell) => {
		if (col >= cols) newline();
		grid[row][col++] = cell;
	};
	let i = 0;
	while (i < bytes.length) {
		const c = bytes[i];
		if (state !== "text") {
			i++;
			if (++escLen > 64) { state = "text"; continue; }
			if (state === "esc") state = c === 0x5b ? "csi" : c === 0x5d ? "osc" : "text";
			else if (state === "csi") { if (c >= 0x40 && c <= 0x7e) state = "text"; }
			else if (c === 0x07) state = "text";
			else if (c === 0x1b) state = "esc";
			continue;
		}
		if (c >= 0x80) {
			// a valid sequence, or one fallback glyph for the bytes up
			// to where it broke (a lead byte alone: just itself)
			const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 :
				c >= 0xf0 && c <= 0xf4 ? 3 : 0;
			let k = 1, cp = n ? c & (0x3f >> n) : 0;
			while (k <= n && i + k < bytes.length && (bytes[i + k] & 0xc0) === 0x80) {
				cp = (cp << 6) | (bytes[i + k] & 0x3f);
				k++;
			}
			const min = [0, 0x80, 0x800, 0x10000][n];
			const ok = n && k === n + 1 && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
			put({ g: ok ? font.glyph(cp) : font.fallback });
			i += n && k === n + 1 ? k : Math.max(k, 1);
			continue;
		}
		i++;
		if (c >= 0x20 && c !== 0x7f) { put({ g: font.glyph(c) }); continue; }
		switch (c) {
		case 0x0a: newline(); break;
		case 0x0d: col = 0; break;
		case 0x09: do put(null); while (col % 8 && col < cols); break;
		case 0x08: if (col) col--; break;
		case 0x1b: state = "esc"; escLen = 0; break;
		}
	}
	return grid;
}

function compare(shot, font, consoleBytes) {
	const cols = Math.floor(shot.w / font.w), rows = Math.floor(shot.h / font.h);
	const grid = renderText(consoleBytes, cols, rows, font);
	const bad = [];
	let lit = 0;
	for (let y = 0; y < shot.h; y++) {
		for (let x = 0; x < shot.w; x++) {
			const r = Math.floor(y / font.h), c = Math.floor(x / font.w);
			const cell = r < rows && c < cols ? grid[r][c] : null;
			let on = false;
			if (cell) {
				const gy = y % font.h, gx = x % font.w;
				on = (font.glyphs[cell.g * font.size + gy * font.stride + (gx >> 3)] & (0x80 >> (gx & 7))) !== 0;
			}
			const o = (y * shot.w + x) * 3;
			const [R, G, B] = [shot.px[o], shot.px[o + 1], shot.px[o + 2]];
			const ok = on ? R === G && G === B && (R === 0xc0 || R === 0xff) : R === 0 && G === 0 && B === 0;
			if (on) lit++;
			if (!ok && bad.length < 10 && !bad.some((b) => b.r === r && b.c === c))
				bad.push({ r, c, x, y, want: on ? "lit" : "black", got: [R, G, B] });
		}
	}
	return { cols, rows, lit, bad, grid };
}

// ---- commands -------------------------------------------------------------------

function dump(sock, out) {
	const s = net.connect(sock);
	let buf = "", sent = false;
	const timer = setTimeout(() => die(`no answer from the monitor at ${sock}`), 20000);
	s.on("data", (d) => {
		buf += d.toString("latin1");
		if (!buf.includes("(qemu)")) return;
		if (!sent) {
			sent = true;
			buf = "";
			s.write(`screendump ${out}\n`);
			return;
		}
		clearTimeout(timer);
		s.end();
		if (/error|could not|failed/i.test(buf)) die(`screendump: ${buf.trim()}`);
	});
	s.on("error", (e) => die(`${sock}: ${e.message}`));
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === "dump" && args.length === 2) {
	dump(args[0], args[1]);
} else if (cmd === "check" && args.length >= 3) {
	const shot = readPpm(args[0]);
	const font = readFont(args[1]);
	if (args[3]) writePng(args[3], shot);
	const r = compare(shot, font, fs.readFileSync(args[2]));
	if (!r.lit) die("the expected screen is empty: nothing to compare", 1);
	if (r.bad.length) {
		console.log(`${shot.w}x${shot.h}, ${r.cols}x${r.rows} cells: differs at`);
		for (const b of r.bad)
			console.log(`  cell row ${b.r} col ${b.c} (pixel ${b.x},${b.y}): want ${b.want}, got rgb ${b.got}`);
		process.exit(1);
	}
	console.log(`${shot.w}x${shot.h}, ${r.cols}x${r.rows} cells, ${r.lit} lit pixels: as expected`);
} else {
	die("usage: dump SOCKET OUT.ppm | check SHOT.ppm FONT CONSOLE [OUT.png]");
}
