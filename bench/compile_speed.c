/*
 * compile_speed.c — bench helper: wasmetal's compile throughput.  For each
 * .wasm given, times wasm_module_load (decode + validate + compile to
 * x86-64, jit/wasm.h) over and over, on one thread, and prints one line
 *
 *     compile NAME BYTES CODE_BYTES BEST_NS MEAN_NS MB_PER_S CODE_MB_PER_S FIRST_NS
 *
 * (MB = 10^6 bytes, from the best time; CODE_BYTES is the size of the code
 * section alone, the part that is compiled), then "compile total BYTES
 * CODE_BYTES NS MB_PER_S CODE_MB_PER_S" over all files (sums of bytes /
 * sum of best times).  Linked
 * against build/libwasmetal-host.a like the unit tests.  Exit status 1 if
 * any module fails to load.
 *
 *   compile_speed [-t SECONDS_PER_FILE] FILE.wasm...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <malloc.h>
#include "wasm.h"
#include "plat_host.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			uint8_t *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int err = ferror(f);
	fclose(f);
	if (err) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* Size of the code section (id 10), or 0 if absent or malformed: a plain
 * walk over the section headers (spec 5.5.2), all lengths bounds-checked. */
static size_t code_section_size(const uint8_t *p, size_t len)
{
	size_t i = 8;
	while (i < len) {
		uint8_t id = p[i++];
		uint64_t size = 0;
		unsigned shift = 0;
		for (;;) {
			if (i >= len || shift > 28)
				return 0;
			uint8_t b = p[i++];
			size |= (uint64_t)(b & 0x7f) << shift;
			shift += 7;
			if (!(b & 0x80))
				break;
		}
		if (size > len - i)
			return 0;
		if (id == 10)
			return (size_t)size;
		i += (size_t)size;
	}
	return 0;
}

static double mb_per_s(uint64_t bytes, uint64_t ns)
{
	return ns ? (double)bytes / ((double)ns / 1e9) / 1e6 : 0.0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Time loads of one module; 0, or -1 (message printed) if it fails. */
static int time_file(const char *path, double seconds, uint64_t *bytes,
		     uint64_t *code_bytes, uint64_t *best_ns)
{
	size_t len;
	uint8_t *wasm = read_file(path, &len);
	if (!wasm) {
		fprintf(stderr, "compile_speed: cannot read %s\n", path);
		return -1;
	}
	uint64_t best = UINT64_MAX, total = 0, first = 0, budget = (uint64_t)(seconds * 1e9);
	unsigned runs = 0;
	while (runs < 5 || total < budget) {
		wasm_module *m;
		struct wasm_error err;
		uint64_t t0 = now_ns();
		int rc = wasm_module_load(wasm, len, &m, &err);
		uint64_t dt = now_ns() - t0;
		if (rc) {
			char msg[256];
			wasm_error_format(&err, msg, sizeof msg);
			fprintf(stderr, "compile_speed: %s: %s\n", path, msg);
			free(wasm);
			return -1;
		}
		wasm_module_free(m);
		if (!runs)
			first = dt;
		if (dt < best)
			best = dt;
		total += dt;
		runs++;
	}
	size_t code = code_section_size(wasm, len);
	printf("compile %s %zu %zu %llu %llu %.1f %.1f %llu\n", base_name(path), len,
	       code, (unsigned long long)best, (unsigned long long)(total / runs),
	       mb_per_s(len, best), mb_per_s(code, best), (unsigned long long)first);
	free(wasm);
	*bytes = len;
	*code_bytes = code;
	*best_ns = best;
	return 0;
}

int main(int argc, char **argv)
{
	double seconds = 0.3;
	int i = 1;
	if (i + 1 < argc && strcmp(argv[i], "-t") == 0) {
		seconds = atof(argv[i + 1]);
		i += 2;
	}
	if (i >= argc || seconds < 0) {
		fprintf(stderr, "usage: compile_speed [-t SECONDS_PER_FILE] FILE.wasm...\n");
		return 2;
	}
	/* glibc hands large freed blocks (the ~MB code buffer, the compiler's
	 * arrays) back to the kernel or not depending on its dynamic
	 * thresholds, so a compile repeated in a loop paid page faults for
	 * them on some builds and not on others (bench/RESULTS.md, "Reading
	 * the single-pass numbers": 0.60x that was mostly faults): keep
	 * them, so the best time measures the compiler.  FIRST_NS is the
	 * first compile, with fresh memory. */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
	plat_host_init();
	uint64_t all_bytes = 0, all_code = 0, all_ns = 0;
	int failed = 0;
	for (; i < argc; i++) {
		uint64_t bytes, code, ns;
		if (time_file(argv[i], seconds, &bytes, &code, &ns)) {
			failed = 1;
			continue;
		}
		all_bytes += bytes;
		all_code += code;
		all_ns += ns;
	}
	if (all_ns)
		printf("compile total %llu %llu %llu %.1f %.1f\n",
		       (unsigned long long)all_bytes, (unsigned long long)all_code,
		       (unsigned long long)all_ns, mb_per_s(all_bytes, all_ns),
		       mb_per_s(all_code, all_ns));
	return failed;
}
