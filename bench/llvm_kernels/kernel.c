/*
 * kernel.c — one bench/ program (KERNEL_SRC, e.g. "../crc32.c") as a
 * pure-compute function, for bench/llvm_kernels (bench/README.md): built
 * as a Wasm module with no imports (clang --target=wasm32-wasi, -nostdlib,
 * libc.a only for memcpy/malloc) exporting `run`, and natively
 * (gcc -O2) as KERNEL_RUN.  The program's main becomes a static function;
 * its printf output is hashed (FNV-1a, by value: kernel_printf), and run()
 * returns the hash, so all three runners must return the same value and
 * nothing the program prints can be optimized away.  exit() traps.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t kernel_hash;

static void kernel_mix(uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		kernel_hash = (kernel_hash ^ (uint8_t)v) * 0x100000001b3ull;
}

/* printf's conversions hashed by value (no libc stdio: it would import
 * fd_write): the format's bytes, each integer widened to 64 bits (so a
 * long is the same value on wasm32 and x86-64), each double's bits, each
 * string's bytes. */
static int kernel_printf(const char *fmt, ...)
{
	va_list ap;
	const char *p;
	int l;

	va_start(ap, fmt);
	for (p = fmt; *p; p++) {
		kernel_mix((uint8_t)*p);
		if (*p != '%' || !*++p || *p == '%')
			continue;
		p += strspn(p, "-+ #0123456789.*");
		/* l: 0 int, 1 long, 2 long long, 3 size_t (h/hh: promoted int) */
		for (l = 0; *p && strchr("hlzjL", *p); p++)
			l = *p == 'l' ? l + 1 : *p == 'z' ? 3 : *p == 'j' || *p == 'L' ? 2 : l;
		if (*p && strchr("di", *p))
			kernel_mix(l == 2 ? (uint64_t)va_arg(ap, long long) :
				   l == 1 ? (uint64_t)(int64_t)va_arg(ap, long) :
				   l == 3 ? (uint64_t)va_arg(ap, size_t) :
				   (uint64_t)(int64_t)va_arg(ap, int));
		else if (*p && strchr("uxXoc", *p))
			kernel_mix(l == 2 ? (uint64_t)va_arg(ap, unsigned long long) :
				   l == 1 ? (uint64_t)va_arg(ap, unsigned long) :
				   l == 3 ? (uint64_t)va_arg(ap, size_t) :
				   (uint64_t)va_arg(ap, unsigned));
		else if (*p && strchr("fFeEgGaA", *p)) {
			double d = va_arg(ap, double);
			uint64_t b;
			memcpy(&b, &d, 8);
			kernel_mix(b);
		} else if (*p == 's') {
			for (const char *t = va_arg(ap, const char *); *t; t++)
				kernel_mix((uint8_t)*t);
		} else if (!*p) {
			break;
		}
	}
	va_end(ap);
	return 0;
}

#define printf kernel_printf
#define exit(c) __builtin_trap()
#ifdef __wasm__
#define KERNEL_RUN kernel_run
#endif
#define main static kernel_main   /* "int static kernel_main(void)" */
#include KERNEL_SRC
#undef main

#ifdef __wasm__
__attribute__((export_name("run")))  /* (the native name: -DKERNEL_RUN) */
#endif
uint64_t KERNEL_RUN(void)
{
	kernel_hash = 0xcbf29ce484222325ull;
	kernel_main();
	return kernel_hash;
}
