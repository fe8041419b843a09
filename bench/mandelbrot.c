/*
 * mandelbrot.c — bench: escape-time iteration over a W x H grid of the
 * complex plane; prints the total iteration count and a rolling hash of
 * the per-pixel counts.
 */
#include <stdio.h>
#include <stdint.h>

#define W 1600
#define H 1200
#define MAXIT 800

int main(void)
{
	uint64_t total = 0;
	uint32_t hash = 2166136261u;   /* FNV-1a over the counts */
	int inside = 0;

	for (int py = 0; py < H; py++) {
		double ci = -1.2 + 2.4 * py / H;
		for (int px = 0; px < W; px++) {
			double cr = -2.2 + 3.2 * px / W;
			double zr = 0, zi = 0, zr2 = 0, zi2 = 0;
			int it = 0;
			while (it < MAXIT && zr2 + zi2 <= 4.0) {
				zi = 2 * zr * zi + ci;
				zr = zr2 - zi2 + cr;
				zr2 = zr * zr;
				zi2 = zi * zi;
				it++;
			}
			if (it == MAXIT)
				inside++;
			total += (uint64_t)it;
			hash = (hash ^ (uint32_t)it) * 16777619u;
		}
	}
	printf("mandelbrot %dx%d maxit %d: total %llu, inside %d, hash %08x\n",
	       W, H, MAXIT, (unsigned long long)total, inside, hash);
	return 0;
}
