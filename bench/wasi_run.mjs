// wasi_run.mjs — run a WASI (preview1) module under node's node:wasi, for
// bench/run.sh: `node [V8 flags] bench/wasi_run.mjs MODULE.wasm [ARGS...]`.
// The module's stdout/stderr are the process's; its exit status is ours.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const file = process.argv[2];
const wasi = new WASI({
	version: 'preview1',
	args: [file, ...process.argv.slice(3)],
	env: {},
	returnOnExit: true,
});
const module = new WebAssembly.Module(readFileSync(file));
const instance = new WebAssembly.Instance(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
