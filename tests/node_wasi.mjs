// node_wasi.mjs — the reference runner for the differential tests
// (tests/run.sh): runs a WASI command under node's WASI (preview1) with
// exactly the arguments and environment given, and exits with its status.
//
//   node --no-warnings tests/node_wasi.mjs [--env NAME=VALUE]... [--dir HOST[::GUEST]]...
//        MODULE.wasm [ARGS...]
//
// --dir preopens the host directory HOST under the name GUEST (default:
// HOST), in order, as fds 3, 4, ... — the syntax of `wasmetal run --dir`
// and wasmtime.  node writes through to HOST: give it a copy.
//
// argv[0] is MODULE as given, like `wasmetal run` (and wasmtime).  A trap
// prints "node: trap: <message>" on stderr and exits 134.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

// WASI's imports: getImportObject() from node 19.8 on; Debian 12's own
// nodejs (18.20) has only wasiImport (the same functions).
const wasiImports = (w) => w.getImportObject?.() ?? { wasi_snapshot_preview1: w.wasiImport };
import process from 'node:process';

const argv = process.argv.slice(2);
const env = {};
const preopens = {};
while (argv.length && (argv[0] === '--env' || argv[0] === '--dir')) {
	const opt = argv.shift();
	const kv = argv.shift() ?? '';
	if (opt === '--dir') {
		const sep = kv.indexOf('::');
		const host = sep < 0 ? kv : kv.slice(0, sep);
		const guest = sep < 0 ? kv : kv.slice(sep + 2);
		if (!host || !guest) {
			console.error(`node_wasi: --dir wants HOST[::GUEST], got '${kv}'`);
			process.exit(2);
		}
		preopens[guest] = host;
		continue;
	}
	const eq = kv.indexOf('=');
	if (eq <= 0) {
		console.error(`node_wasi: --env wants NAME=VALUE, got '${kv}'`);
		process.exit(2);
	}
	env[kv.slice(0, eq)] = kv.slice(eq + 1);
}
if (!argv.length) {
	console.error('usage: node_wasi.mjs [--env NAME=VALUE]... [--dir HOST[::GUEST]]... MODULE.wasm [ARGS...]');
	process.exit(2);
}

const wasi = new WASI({ version: 'preview1', args: argv, env, preopens, returnOnExit: true });
let code;
try {
	const module = await WebAssembly.compile(await readFile(argv[0]));
	const instance = await WebAssembly.instantiate(module, wasiImports(wasi));
	code = wasi.start(instance);
} catch (e) {
	process.stderr.write(`node: trap: ${e.message}\n`);
	code = 134;
}
process.exitCode = code;
