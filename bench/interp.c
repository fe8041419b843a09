/*
 * interp.c — bench: a small stack-machine bytecode interpreter (switch
 * dispatch, 16 local registers, a value stack) running two programs
 * assembled here: Collatz step counts over 1..LIMIT and a prime count by
 * trial division.  Prints the results computed by the bytecode and the
 * same values computed directly in C, which must agree.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

enum op {
	OP_HALT, OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_DIV,
	OP_MOD, OP_LT, OP_EQ, OP_JMP, OP_JZ, OP_JNZ, OP_DUP, OP_POP, OP_INC,
	OP_SHR1, OP_AND1,
};

#define CODE_MAX 256
struct prog {
	int32_t code[CODE_MAX];
	int n;
};

static void emit(struct prog *p, int32_t w)
{
	if (p->n >= CODE_MAX) {
		printf("interp: program too long\n");
		exit(1);
	}
	p->code[p->n++] = w;
}
static void op1(struct prog *p, enum op o, int32_t arg) { emit(p, o); emit(p, arg); }
static void op0(struct prog *p, enum op o) { emit(p, o); }
static int here(const struct prog *p) { return p->n; }
/* Emit a jump with a placeholder target; returns where to patch. */
static int jump(struct prog *p, enum op o) { emit(p, o); emit(p, -1); return p->n - 1; }
static void patch(struct prog *p, int at, int target) { p->code[at] = target; }

static int64_t run(const int32_t *code, int64_t *reg)
{
	int64_t stack[64];
	int sp = 0;
	int pc = 0;
	for (;;) {
		int32_t op = code[pc++];
		switch (op) {
		case OP_HALT: return sp ? stack[sp - 1] : 0;
		case OP_PUSH: stack[sp++] = code[pc++]; break;
		case OP_LOAD: stack[sp++] = reg[code[pc++]]; break;
		case OP_STORE: reg[code[pc++]] = stack[--sp]; break;
		case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
		case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
		case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
		case OP_DIV: sp--; stack[sp - 1] /= stack[sp]; break;
		case OP_MOD: sp--; stack[sp - 1] %= stack[sp]; break;
		case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
		case OP_EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
		case OP_JMP: pc = code[pc]; break;
		case OP_JZ: pc = stack[--sp] == 0 ? code[pc] : pc + 1; break;
		case OP_JNZ: pc = stack[--sp] != 0 ? code[pc] : pc + 1; break;
		case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
		case OP_POP: sp--; break;
		case OP_INC: reg[code[pc++]]++; break;
		case OP_SHR1: stack[sp - 1] >>= 1; break;
		case OP_AND1: stack[sp - 1] &= 1; break;
		default:
			printf("interp: bad opcode %d at %d\n", op, pc - 1);
			exit(1);
		}
		if (sp < 0 || sp > 60) {
			printf("interp: stack out of range at %d\n", pc);
			exit(1);
		}
	}
}

/* r0 = n, r1 = x, r2 = total steps, r3 = limit */
static void build_collatz(struct prog *p)
{
	op1(p, OP_PUSH, 1); op1(p, OP_STORE, 0);
	int outer = here(p);
	op1(p, OP_LOAD, 0); op1(p, OP_LOAD, 3); op0(p, OP_LT);
	int exit_outer = jump(p, OP_JZ);
	op1(p, OP_LOAD, 0); op1(p, OP_STORE, 1);
	int inner = here(p);
	op1(p, OP_LOAD, 1); op1(p, OP_PUSH, 1); op0(p, OP_EQ);
	int exit_inner = jump(p, OP_JNZ);
	op1(p, OP_INC, 2);
	op1(p, OP_LOAD, 1); op0(p, OP_AND1);
	int odd = jump(p, OP_JNZ);
	op1(p, OP_LOAD, 1); op0(p, OP_SHR1); op1(p, OP_STORE, 1);
	op1(p, OP_JMP, inner);
	patch(p, odd, here(p));
	op1(p, OP_LOAD, 1); op1(p, OP_PUSH, 3); op0(p, OP_MUL);
	op1(p, OP_PUSH, 1); op0(p, OP_ADD); op1(p, OP_STORE, 1);
	op1(p, OP_JMP, inner);
	patch(p, exit_inner, here(p));
	op1(p, OP_INC, 0);
	op1(p, OP_JMP, outer);
	patch(p, exit_outer, here(p));
	op1(p, OP_LOAD, 2);
	op0(p, OP_HALT);
}

/* r0 = n, r1 = d, r2 = count, r3 = limit */
static void build_primes(struct prog *p)
{
	op1(p, OP_PUSH, 2); op1(p, OP_STORE, 0);
	int outer = here(p);
	op1(p, OP_LOAD, 0); op1(p, OP_LOAD, 3); op0(p, OP_LT);
	int exit_outer = jump(p, OP_JZ);
	op1(p, OP_PUSH, 2); op1(p, OP_STORE, 1);
	int inner = here(p);
	/* while d*d <= n  <=>  !(n < d*d) */
	op1(p, OP_LOAD, 0); op1(p, OP_LOAD, 1); op0(p, OP_DUP); op0(p, OP_MUL);
	op0(p, OP_LT);
	int is_prime = jump(p, OP_JNZ);
	op1(p, OP_LOAD, 0); op1(p, OP_LOAD, 1); op0(p, OP_MOD);
	int composite = jump(p, OP_JZ);
	op1(p, OP_INC, 1);
	op1(p, OP_JMP, inner);
	patch(p, is_prime, here(p));
	op1(p, OP_INC, 2);
	patch(p, composite, here(p));
	op1(p, OP_INC, 0);
	op1(p, OP_JMP, outer);
	patch(p, exit_outer, here(p));
	op1(p, OP_LOAD, 2);
	op0(p, OP_HALT);
}

#define COLLATZ_LIMIT 300000
#define PRIME_LIMIT 400000

int main(void)
{
	struct prog collatz = { .n = 0 }, primes = { .n = 0 };
	build_collatz(&collatz);
	build_primes(&primes);

	int64_t reg[16] = { 0 };
	reg[3] = COLLATZ_LIMIT;
	int64_t steps = run(collatz.code, reg);

	int64_t direct_steps = 0;
	for (int64_t n = 1; n < COLLATZ_LIMIT; n++)
		for (int64_t x = n; x != 1; direct_steps++)
			x = (x & 1) ? 3 * x + 1 : x >> 1;

	int64_t reg2[16] = { 0 };
	reg2[3] = PRIME_LIMIT;
	int64_t nprimes = run(primes.code, reg2);

	int64_t direct_primes = 0;
	for (int64_t n = 2; n < PRIME_LIMIT; n++) {
		int64_t d = 2;
		while (d * d <= n && n % d)
			d++;
		direct_primes += d * d > n;
	}
	printf("interp collatz(<%d): %lld steps (direct %lld), %d words of code\n",
	       COLLATZ_LIMIT, (long long)steps, (long long)direct_steps, collatz.n);
	printf("interp primes(<%d): %lld (direct %lld), %d words of code\n",
	       PRIME_LIMIT, (long long)nprimes, (long long)direct_primes, primes.n);
	return steps == direct_steps && nprimes == direct_primes ? 0 : 1;
}
