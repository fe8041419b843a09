/*
 * matmul.c — bench: dense double-precision matrix multiply C = A * B
 * (N x N, i-k-j loop order so the inner loop streams rows), repeated a
 * few times with the result fed back; prints a checksum of C.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

#define N 400
#define REPS 50

static double a[N * N], b[N * N], c[N * N];

static uint32_t rng_state = 12345u;

static double rnd(void)
{
	/* 32-bit LCG (Numerical Recipes constants), top 24 bits -> [-0.5, 0.5) */
	rng_state = rng_state * 1664525u + 1013904223u;
	return (double)(rng_state >> 8) / 16777216.0 - 0.5;
}

static void multiply(const double *x, const double *y, double *z)
{
	for (int i = 0; i < N * N; i++)
		z[i] = 0.0;
	for (int i = 0; i < N; i++) {
		double *zr = z + i * N;
		for (int k = 0; k < N; k++) {
			double s = x[i * N + k];
			const double *yr = y + k * N;
			for (int j = 0; j < N; j++)
				zr[j] += s * yr[j];
		}
	}
}

int main(void)
{
	for (int i = 0; i < N * N; i++) {
		a[i] = rnd();
		b[i] = rnd();
	}
	for (int r = 0; r < REPS; r++) {
		multiply(a, b, c);
		/* Feed back a normalised copy so every repetition depends on
		 * the last and the values stay in range. */
		double max = 0.0;
		for (int i = 0; i < N * N; i++) {
			double v = c[i] < 0 ? -c[i] : c[i];
			if (v > max)
				max = v;
		}
		for (int i = 0; i < N * N; i++)
			a[i] = c[i] / max;
	}
	double sum = 0.0, wsum = 0.0;
	for (int i = 0; i < N * N; i++) {
		sum += c[i];
		wsum += c[i] * (double)((i % 7) + 1);
	}
	printf("matmul %d x %d x %d: sum=%.6e weighted=%.6e c[17]=%.9e\n",
	       N, N, REPS, sum, wsum, c[17]);
	return 0;
}
