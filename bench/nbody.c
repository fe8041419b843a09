/*
 * nbody.c — bench: gravitational n-body simulation (symplectic Euler,
 * softened), a dozen bodies with pseudo-random masses, positions and
 * velocities; prints the total energy before and after.
 */
#include <stdio.h>
#include <math.h>
#include <stdint.h>

#define NBODIES 12
#define STEPS 2000000
#define DT 0.001
#define SOFT 0.1

struct body {
	double x, y, z, vx, vy, vz, m;
};

static struct body bodies[NBODIES];
static uint64_t seed = 0x2545f4914f6cdd1dull;

static double uniform(double lo, double hi)
{
	/* splitmix64 */
	uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return lo + (hi - lo) * ((double)(z >> 11) / 9007199254740992.0);
}

static void setup(void)
{
	double px = 0, py = 0, pz = 0, mt = 0;
	bodies[0] = (struct body){ 0, 0, 0, 0, 0, 0, 50.0 };   /* a heavy centre */
	for (int i = 1; i < NBODIES; i++) {
		struct body *b = &bodies[i];
		double r = uniform(1.0, 6.0);
		double ang = uniform(0.0, 6.283185307179586);
		/* Polynomial approximations keep libm out of the picture: outputs
		 * must not depend on the C library's sin/cos. */
		double c = 1 - ang * ang / 2 + ang * ang * ang * ang / 24;
		double s = ang - ang * ang * ang / 6;
		b->x = r * c;
		b->y = r * s;
		b->z = uniform(-0.1, 0.1);
		double v = sqrt(50.0 / r);
		b->vx = -v * s / sqrt(c * c + s * s);
		b->vy = v * c / sqrt(c * c + s * s);
		b->vz = uniform(-0.05, 0.05);
		b->m = uniform(0.01, 0.5);
	}
	for (int i = 0; i < NBODIES; i++) {
		px += bodies[i].vx * bodies[i].m;
		py += bodies[i].vy * bodies[i].m;
		pz += bodies[i].vz * bodies[i].m;
		mt += bodies[i].m;
	}
	for (int i = 0; i < NBODIES; i++) {   /* zero total momentum */
		bodies[i].vx -= px / mt;
		bodies[i].vy -= py / mt;
		bodies[i].vz -= pz / mt;
	}
}

static double energy(void)
{
	double e = 0;
	for (int i = 0; i < NBODIES; i++) {
		const struct body *a = &bodies[i];
		e += 0.5 * a->m * (a->vx * a->vx + a->vy * a->vy + a->vz * a->vz);
		for (int j = i + 1; j < NBODIES; j++) {
			const struct body *b = &bodies[j];
			double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
			e -= a->m * b->m / sqrt(dx * dx + dy * dy + dz * dz + SOFT * SOFT);
		}
	}
	return e;
}

static void advance(void)
{
	for (int i = 0; i < NBODIES; i++) {
		struct body *a = &bodies[i];
		for (int j = i + 1; j < NBODIES; j++) {
			struct body *b = &bodies[j];
			double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
			double d2 = dx * dx + dy * dy + dz * dz + SOFT * SOFT;
			double mag = DT / (d2 * sqrt(d2));
			a->vx -= dx * b->m * mag;
			a->vy -= dy * b->m * mag;
			a->vz -= dz * b->m * mag;
			b->vx += dx * a->m * mag;
			b->vy += dy * a->m * mag;
			b->vz += dz * a->m * mag;
		}
	}
	for (int i = 0; i < NBODIES; i++) {
		struct body *a = &bodies[i];
		a->x += DT * a->vx;
		a->y += DT * a->vy;
		a->z += DT * a->vz;
	}
}

int main(void)
{
	setup();
	printf("nbody %d bodies, %d steps\n", NBODIES, STEPS);
	printf("energy before: %.9f\n", energy());
	for (int s = 0; s < STEPS; s++)
		advance();
	printf("energy after:  %.9f\n", energy());
	printf("body 3 at (%.6f, %.6f, %.6f)\n", bodies[3].x, bodies[3].y, bodies[3].z);
	return 0;
}
