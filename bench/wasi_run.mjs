// wasi_run.mjs — run a WASI (preview1) module under node's node:wasi, for
// bench/run.sh: `node [V8 flags] bench/wasi_run.mjs MODULE.wasm [ARGS...]`.
// The module's stdout/stderr are the process's; its exit status is ours.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { WASI } from 'node:wasi';

// WASI's imports: getImportObject() from node 19.8 on; Debian 12's own
// nodejs (18.20) has only wasiImport (the same functions).
const wasiImports = (w) => w.getImportObject?.() ?? { wasi_snapshot_preview1: w.wasiImport };

// node 20's WASI calls (fd_write...) are V8 "fast API" callbacks; uvwasi
// allocates in them and reports it to V8, which can start a GC inside the
// fast call (gdb: Heap::CollectGarbage under uvwasi_fd_write's
// FastCallback).  With a module whose memory has grown to tens of MiB
// (bench/real/ lua, zstd) node then aborted without a message (in
// node::wasi::WASI::~WASI) or crashed with SIGSEGV after the module had
// printed everything.  With fast API calls off, neither happened again (the
// benchmarks make few WASI calls: they print their results at the end).
setFlagsFromString('--no-turbo-fast-api-calls');

const file = process.argv[2];
const wasi = new WASI({
	version: 'preview1',
	args: [file, ...process.argv.slice(3)],
	env: {},
	returnOnExit: true,
});
const module = new WebAssembly.Module(readFileSync(file));
const instance = new WebAssembly.Instance(module, wasiImports(wasi));
process.exitCode = wasi.start(instance);
