/*
 * printf_formats.c — printf of integers, hex, strings, characters and
 * floats (%f %e %g %a, widths and precisions).  wasi-libc's float
 * formatting is long double and bit arithmetic heavy, so this exercises
 * much of the JIT's integer, i64 and float code.  Compared with node.
 */
#include <stdint.h>
#include <stdio.h>
#include <math.h>

static volatile double vals[] = {
	0.0, -0.0, 1.0, -1.5, 3.14159265358979, 2.718281828459045, 1e-7,
	123456789.125, 1e300, -2.5e-300, 0.1, 1.0 / 3.0, 65536.0, 5e-324,
};

int main(void)
{
	volatile int32_t i = -123456;
	volatile uint32_t u = 0xdeadbeefu;
	volatile int64_t l = -9000000000000000000ll;
	volatile uint64_t ul = 0xfedcba9876543210ull;

	printf("int %d %i %5d|%-5d|%05d\n", i, 42, 7, 7, 7);
	printf("unsigned %u %x %X %#x %o\n", u, u, u, u, 8u);
	printf("int64 %lld %llu %llx\n", (long long)l, (unsigned long long)ul,
	       (unsigned long long)ul);
	printf("string [%s] [%10s] [%-10s] [%.3s] char %c%c\n", "wasm", "right",
	       "left", "truncate", 'o', 'k');
	printf("pointer-ish %p\n", (void *)0);
	for (unsigned k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
		double d = vals[k];
		printf("%u: %f %.3f %e %.2e %g %.10g %a\n", k, d, d, d, d, d, d, d);
	}
	volatile float f = 1.1f;
	printf("float %f %.9g\n", f, f);
	printf("special %f %f %f %g\n", INFINITY, -INFINITY, NAN, sqrt(2.0));
	double acc = 0;
	for (int k = 1; k <= 1000; k++)
		acc += 1.0 / ((double)k * k);
	printf("basel %.12f\n", acc);
	return 0;
}
