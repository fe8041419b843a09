// node_wasi.mjs — the reference runner for the differential tests
// (tests/run.sh): runs a WASI command under node's WASI (preview1) with
// exactly the arguments and environment given, and exits with its status.
//
//   node --no-warnings tests/node_wasi.mjs [--env NAME=VALUE]... MODULE.wasm [ARGS...]
//
// argv[0] is MODULE as given, like `wasmetal run` (and wasmtime).  A trap
// prints "node: trap: <message>" on stderr and exits 134.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import process from 'node:process';

const argv = process.argv.slice(2);
const env = {};
while (argv.length && argv[0] === '--env') {
	argv.shift();
	const kv = argv.shift() ?? '';
	const eq = kv.indexOf('=');
	if (eq <= 0) {
		console.error(`node_wasi: --env wants NAME=VALUE, got '${kv}'`);
		process.exit(2);
	}
	env[kv.slice(0, eq)] = kv.slice(eq + 1);
}
if (!argv.length) {
	console.error('usage: node_wasi.mjs [--env NAME=VALUE]... MODULE.wasm [ARGS...]');
	process.exit(2);
}

const wasi = new WASI({ version: 'preview1', args: argv, env, returnOnExit: true });
let code;
try {
	const module = await WebAssembly.compile(await readFile(argv[0]));
	const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
	code = wasi.start(instance);
} catch (e) {
	process.stderr.write(`node: trap: ${e.message}\n`);
	code = 134;
}
process.exitCode = code;
