/*
 * test_opform.c — every numeric, conversion, compare, select, memory and
 * table instruction with each operand in each form the single-pass
 * compiler (jit/compile/) tells apart, against a reference evaluator
 * (numref.h, opform_model.h), hosted.
 *
 * The forms of an operand (struct vloc in jit/compile/fc.h, and how it is used):
 *   C  a constant (V_IMM: immediates, mov ri, xorps for float zero)
 *   M  an unpinned local: a parameter in the caller's area or a declared
 *      local in the frame (V_LOCAL, used as a memory operand in place)
 *   P  a pinned local (V_LOCAL in a register of its own for the function)
 *   R  a value-stack register (V_REG: the result of a load)
 *   S  a spilled value-stack slot (V_STK: a V_REG that register pressure
 *      pushed out through alloc_reg's spill path)
 *   F  CPU flags (V_FLAGS: an i32 that is a comparison just made)
 * M and S are the memory operands (is_mem, int_opnd: an instruction reads
 * them in place, cmp/alu with a memory operand, cmp mem, imm); a load's
 * address in each form is the memory instructions' operand.
 * Each instruction's operands take every combination of forms (some
 * contexts: a covering subset), constants from a set per kind of operand
 * (one function each), in contexts that consume the result differently:
 * stored (RET), set into a local that an older stack entry still reads
 * (SET: also the in-place path of pinned locals), as the condition of
 * br_if / br_if after eqz / if / select of integers or floats / eqz (for
 * i32 results: the instruction directly before them), carried by a br_if
 * (CARRY), or selected (SELVA, SELVB); each also with every allocatable
 * register taken by older entries (pressure), which the results of the
 * test check too.
 *
 * A test function ("site" = one instruction with its operand forms in one
 * context) stores its results in memory; functions are called through an
 * exported dispatcher (`run`: call_indirect) with the parameters of each
 * test vector.  Expected: the model's results, trap codes (with the test
 * function named in the trap), memory and table contents.  With the CPU
 * features on (what CPUID has), then off (jit_cpu_disable: bsr/bsf and
 * the runtime's popcnt and rounding), for the instructions whose code
 * depends on them.
 *
 * One PASS/FAIL line per group of instructions (i32 compares, i64
 * numeric, loads, ...; group_of), not per case: a failure is described on
 * stderr (the instruction, the operand values, each site of the function
 * with its forms, constants and context), the first few per instruction.
 * tests/mutate/mutate_compile.sh checks that these tests catch planted
 * compiler bugs.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "check.h"
#include "wasm.h"
#include "jit.h"
#include "plat_host.h"
#include "opform_model.h"

/* ---- bytes --------------------------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void put(struct buf *b, uint8_t x)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 256;
		b->p = realloc(b->p, b->cap);
		if (!b->p) {
			perror("realloc");
			exit(2);
		}
	}
	b->p[b->n++] = x;
}

static void putn(struct buf *b, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(b, ((const uint8_t *)p)[i]);
}

static void uleb(struct buf *b, uint64_t v)
{
	do {
		uint8_t x = v & 0x7f;
		v >>= 7;
		put(b, x | (v ? 0x80 : 0));
	} while (v);
}

static void sleb(struct buf *b, int64_t v)
{
	bool more = true;

	while (more) {
		uint8_t x = v & 0x7f;
		v >>= 7;        /* arithmetic (gcc, clang) */
		more = !((v == 0 && !(x & 0x40)) || (v == -1 && (x & 0x40)));
		put(b, x | (more ? 0x80 : 0));
	}
}

static void section(struct buf *m, uint8_t id, struct buf *s)
{
	put(m, id);
	uleb(m, s->n);
	putn(m, s->p, s->n);
	s->n = 0;
}

static uint8_t vt(char c)
{
	switch (c) {
	case 'i': return 0x7f;
	case 'I': return 0x7e;
	case 'f': return 0x7d;
	case 'F': return 0x7c;
	case 'r': return 0x70;
	}
	return 0x6f;
}

static bool in_xmm(char t)
{
	return t == 'f' || t == 'F';
}

static int width(char t)
{
	return t == 'i' || t == 'f' ? 4 : 8;
}

/* ---- the catalogue ------------------------------------------------------------------ */

/* function indices (opform_model.h) */
#define FN_C0 0
#define FN_RUN 3
#define FN_ID 4                 /* identities of i32 i64 f32 f64 */
#define FN_SUB 8
#define FN_FIRST 9              /* the first test function */

#define MAX_INS 320
static struct ins cat[MAX_INS];
static size_t ncat;

static struct ins *add_ins(const char *name, enum ikind kind, const char *ops,
			   const uint8_t *cls, char res, const uint8_t *code, size_t ncode)
{
	struct ins *in = &cat[ncat++];

	memset(in, 0, sizeof *in);
	snprintf(in->name, sizeof in->name, "%s", name);
	in->kind = kind;
	in->nops = (uint8_t)strlen(ops);
	for (int j = 0; j < in->nops; j++) {
		in->ops[j] = ops[j];
		in->cls[j] = cls ? cls[j] : num_class(ops[j]);
	}
	in->res = res;
	memcpy(in->code, code, ncode);
	in->ncode = (uint8_t)ncode;
	return in;
}

static bool num_traps(const struct op *o)
{
	return !o->fc && ((o->code >= 0x6d && o->code <= 0x70) ||
			  (o->code >= 0x7f && o->code <= 0x82) ||
			  (o->code >= 0xa8 && o->code <= 0xab) ||
			  (o->code >= 0xae && o->code <= 0xb1));
}

struct memop_desc { uint8_t op; const char *name; char t; uint8_t size; bool sx; };
static const struct memop_desc loads[] = {
	{0x28, "i32.load", 'i', 4, 0}, {0x29, "i64.load", 'I', 8, 0},
	{0x2a, "f32.load", 'f', 4, 0}, {0x2b, "f64.load", 'F', 8, 0},
	{0x2c, "i32.load8_s", 'i', 1, 1}, {0x2d, "i32.load8_u", 'i', 1, 0},
	{0x2e, "i32.load16_s", 'i', 2, 1}, {0x2f, "i32.load16_u", 'i', 2, 0},
	{0x30, "i64.load8_s", 'I', 1, 1}, {0x31, "i64.load8_u", 'I', 1, 0},
	{0x32, "i64.load16_s", 'I', 2, 1}, {0x33, "i64.load16_u", 'I', 2, 0},
	{0x34, "i64.load32_s", 'I', 4, 1}, {0x35, "i64.load32_u", 'I', 4, 0},
};
static const struct memop_desc stores[] = {
	{0x36, "i32.store", 'i', 4, 0}, {0x37, "i64.store", 'I', 8, 0},
	{0x38, "f32.store", 'f', 4, 0}, {0x39, "f64.store", 'F', 8, 0},
	{0x3a, "i32.store8", 'i', 1, 0}, {0x3b, "i32.store16", 'i', 2, 0},
	{0x3c, "i64.store8", 'I', 1, 0}, {0x3d, "i64.store16", 'I', 2, 0},
	{0x3e, "i64.store32", 'I', 4, 0},
};
/* offsets: every form with 0 and 16; the large ones (rdx paths, and
 * address + offset = 2^31 exactly) with the result returned only */
static const uint32_t mem_offsets[] = { 0, 16, 1, 0x7fffffff, 0x80000000, 0xfffffff0 };

static void make_catalogue(void)
{
	uint8_t code[12];
	char name[48];

	ncat = 0;
	for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
		const struct op *o = &ops[i];
		char opsig[3] = { o->a, o->b, 0 };
		size_t n = 0;

		if (o->fc)
			code[n++] = 0xfc;
		code[n++] = o->code;
		struct ins *in = add_ins(o->name, K_NUM, opsig, NULL, o->r, code, n);
		in->num = o;
		in->traps = num_traps(o);
	}
	static const char sel_types[] = "iIfF";
	for (int typed = 0; typed < 2; typed++)
		for (int t = 0; t < 4; t++) {
			char sig[4] = { sel_types[t], sel_types[t], 'i', 0 };
			size_t n = 0;
			code[n++] = typed ? 0x1c : 0x1b;
			if (typed) {
				code[n++] = 1;
				code[n++] = vt(sel_types[t]);
			}
			snprintf(name, sizeof name, "select%s %c", typed ? "_t" : "", sel_types[t]);
			add_ins(name, K_SELECT, sig, NULL, sel_types[t], code, n);
		}
	{       /* typed select of references: compiled slot by slot */
		const uint8_t cls[3] = { VC_EXT, VC_EXT, VC_I32 };
		const uint8_t c[] = { 0x1c, 1, 0x6f };
		add_ins("select_t externref", K_SELECT, "xxi", cls, 'x', c, sizeof c);
	}
	for (size_t k = 0; k < sizeof mem_offsets / sizeof *mem_offsets; k++) {
		for (int st = 0; st < 2; st++) {
			const struct memop_desc *d = st ? stores : loads;
			size_t nd = st ? sizeof stores / sizeof *stores : sizeof loads / sizeof *loads;
			for (size_t i = 0; i < nd; i++) {
				struct buf b = { 0 };
				uint8_t cls[2] = { VC_ADDR, num_class(d[i].t) };
				char sig[3] = { 'i', d[i].t, 0 };

				put(&b, d[i].op);
				put(&b, 0);
				uleb(&b, mem_offsets[k]);
				snprintf(name, sizeof name, "%s offset=%#x", d[i].name, mem_offsets[k]);
				sig[st ? 2 : 1] = 0;
				struct ins *in = add_ins(name, st ? K_STORE : K_LOAD, sig, cls,
							 st ? 0 : d[i].t, b.p, b.n);
				free(b.p);
				in->offset = mem_offsets[k];
				in->size = d[i].size;
				in->sx = d[i].sx;
				in->traps = true;
				in->writes = st;
				in->light = k >= 2;
			}
		}
	}
	static const uint8_t c_msize[] = { 0x3f, 0 }, c_mgrow[] = { 0x40, 0 },
		c_mfill[] = { 0xfc, 11, 0 }, c_mcopy[] = { 0xfc, 10, 0, 0 },
		c_minit[] = { 0xfc, 8, 0, 0 }, c_ddrop[] = { 0xfc, 9, 0 },
		c_tget[] = { 0x25, 1 }, c_tset[] = { 0x26, 1 }, c_tsize[] = { 0xfc, 16, 1 },
		c_tgrow[] = { 0xfc, 15, 1 }, c_tfill[] = { 0xfc, 17, 1 },
		c_tcopy[] = { 0xfc, 14, 1, 1 }, c_tinit[] = { 0xfc, 12, 2, 0 },
		c_edrop[] = { 0xfc, 13, 2 }, c_callind[] = { 0x11, 2, 0 }, c_isnull[] = { 0xd1 };
	static const uint8_t cl_len[] = { VC_LEN }, cl_fill[] = { VC_ADDR, VC_I32, VC_LEN },
		cl_copy[] = { VC_ADDR, VC_ADDR, VC_LEN }, cl_init[] = { VC_ADDR, VC_SEGOFF, VC_LEN },
		cl_tidx[] = { VC_TIDX }, cl_tset[] = { VC_TIDX, VC_EXT },
		cl_tgrow[] = { VC_EXT, VC_LEN }, cl_tfill[] = { VC_TIDX, VC_EXT, VC_TIDX },
		cl_tcopy[] = { VC_TIDX, VC_TIDX, VC_TIDX }, cl_tinit[] = { VC_TIDX, VC_SEGOFF, VC_TIDX },
		cl_ext[] = { VC_EXT };
#define ADD(nm, k, sig, cl, res, c, tr, wr) do { \
		struct ins *in_ = add_ins(nm, k, sig, cl, res, c, sizeof c); \
		in_->traps = tr; in_->writes = wr; } while (0)
	ADD("memory.size", K_MSIZE, "", NULL, 'i', c_msize, 0, 0);
	ADD("memory.grow", K_MGROW, "i", cl_len, 'i', c_mgrow, 0, 0);
	ADD("memory.fill", K_MFILL, "iii", cl_fill, 0, c_mfill, 1, 1);
	ADD("memory.copy", K_MCOPY, "iii", cl_copy, 0, c_mcopy, 1, 1);
	ADD("memory.init", K_MINIT, "iii", cl_init, 0, c_minit, 1, 1);
	ADD("table.get", K_TGET, "i", cl_tidx, 'x', c_tget, 1, 0);
	ADD("table.set", K_TSET, "ix", cl_tset, 0, c_tset, 1, 1);
	ADD("table.size", K_TSIZE, "", NULL, 'i', c_tsize, 0, 0);
	ADD("table.grow", K_TGROW, "xi", cl_tgrow, 'i', c_tgrow, 0, 1);
	ADD("table.fill", K_TFILL, "ixi", cl_tfill, 0, c_tfill, 1, 1);
	ADD("table.copy", K_TCOPY, "iii", cl_tcopy, 0, c_tcopy, 1, 1);
	ADD("table.init", K_TINIT, "iii", cl_tinit, 0, c_tinit, 1, 1);
	ADD("call_indirect", K_CALLIND, "i", cl_tidx, 'i', c_callind, 1, 0);
	ADD("ref.is_null", K_ISNULL, "x", cl_ext, 'i', c_isnull, 0, 0);
	ADD("elem.drop", K_EDROP, "", NULL, 0, c_edrop, 0, 1);
	ADD("data.drop", K_DDROP, "", NULL, 0, c_ddrop, 0, 1);
#undef ADD
	for (int t = 0; t < 4; t++) {
		char ty = "iIfF"[t], sig[2] = { ty, 0 };
		uint8_t g[] = { 0x24, (uint8_t)(3 + t), 0x23, (uint8_t)(3 + t) };
		uint8_t c[] = { 0x10, (uint8_t)(FN_ID + t) };
		snprintf(name, sizeof name, "global.set+get %c", ty);
		add_ins(name, K_GLOBAL, sig, NULL, ty, g, sizeof g);
		snprintf(name, sizeof name, "call id %c", ty);
		add_ins(name, K_CALL, sig, NULL, ty, c, sizeof c);
	}
	static const uint8_t c_sub[] = { 0x10, FN_SUB };
	add_ins("call sub i32", K_CALLSUB, "ii", NULL, 'i', c_sub, sizeof c_sub);
	/* the condition of br_if and if, the index of br_table: 7 or 9, 20 21 22 */
	static const uint8_t p_brif[] = { 0x02, 0x7f, 0x41, 7 },
		c_brif[] = { 0x0d, 0, 0x1a, 0x41, 9, 0x0b },
		c_if[] = { 0x04, 0x7f, 0x41, 7, 0x05, 0x41, 9, 0x0b },
		p_brtab[] = { 0x02, 0x7f, 0x02, 0x40, 0x02, 0x40, 0x02, 0x40 },
		c_brtab[] = { 0x0e, 2, 0, 1, 2, 0x0b, 0x41, 20, 0x0c, 2, 0x0b, 0x41, 21, 0x0c, 1,
			      0x0b, 0x41, 22, 0x0b };
	struct ins *in = add_ins("br_if", K_BRIF, "i", NULL, 'i', c_brif, sizeof c_brif);
	memcpy(in->pre, p_brif, sizeof p_brif);
	in->npre = sizeof p_brif;
	add_ins("if", K_IF, "i", NULL, 'i', c_if, sizeof c_if);
	in = add_ins("br_table", K_BRTABLE, "i", NULL, 'i', c_brtab, sizeof c_brtab);
	memcpy(in->pre, p_brtab, sizeof p_brtab);
	in->npre = sizeof p_brtab;
}

/* ---- sites: one instruction, its operand forms, one context ------------------------ */

enum form { FM_C, FM_M, FM_P, FM_R, FM_S, FM_F, FM__N };
static const char form_name[] = "CMPRSF";

enum ctx { CX_RET, CX_SET, CX_TEE, CX_BRIF, CX_BRIFN, CX_IF, CX_SELCI, CX_SELCF, CX_EQZ,
	   CX_CARRY, CX_SELVA, CX_SELVB, CX__N };
static const char *const ctx_name[] = { "ret", "set", "tee", "br_if", "eqz+br_if", "if",
	"select(i64)", "select(f32)", "eqz", "carry(br_if)", "select(x,K)", "select(K,x)" };

/* memory: the dispatcher's parameters for the R and S forms, the pressure
 * values, the results (one 128-byte block per site: result, the old value
 * of SET's local, the pressure values); the data area is 0x2000.. and
 * 0..0xff (what the memory instructions address) */
#define IN_ADDR   0x1000u
#define FILL_ADDR 0x1100u
#define OUT_ADDR  0x1200u
#define OUT_STRIDE 128u
#define MAX_SITES 8
#define OUT_END   (OUT_ADDR + MAX_SITES * OUT_STRIDE)
#define NFILL 10
#define POISON 0xa5
/* 4 general + 6 xmm: every allocatable register (jit/compile/values.c alloc_gprs,
 * FIRST_XMM..NXMM) */
static const char fill_types[NFILL + 1] = "IiIiFfFfFF";
#define NGPR 4
#define NXMMR 6

static uint64_t fill_val(int q)
{
	return canon(fill_types[q], 0x0123456789abcdefull * (uint64_t)(q + 3) ^ 0x5555000055550000ull);
}

/* the constants the contexts use */
#define SEL_A 0x1111222233334444ull
#define SEL_B ((uint64_t)-5)
#define SELF_A 0x3fc00000u      /* 1.5f */
#define SELF_B 0xc0100000u      /* -2.25f */

static uint64_t k_of(char t)    /* SELVA/SELVB's other value */
{
	return t == 'i' ? 0x5eed : t == 'I' ? 0x123456789ull : t == 'f' ? 0x40500000u /* 3.25f */
	       : 0xc01e000000000000ull /* -7.5 */;
}

struct site {
	const struct ins *in;
	uint8_t form[3];
	uint64_t cval[3];               /* the constants of C operands */
	uint8_t fvar[3];                /* which comparison makes an F operand */
	uint8_t ctx;
	bool pressure;
	bool m_param[3];                /* M reads the parameter itself */
	/* set when the function is built */
	uint32_t mloc[3];               /* the local an M operand reads */
	int y_op;                       /* SET: the operand whose local is set, or -1 */
	uint32_t yloc;
	uint32_t slot;
};

#define NFVAR 10

static bool form_ok(const struct ins *in, int j, int fm)
{
	char t = in->ops[j];

	if (fm == FM_P)
		return t != 'x';        /* references are never pinned */
	if (fm == FM_F)
		return t == 'i';
	return true;
}

static bool ctx_ok(const struct ins *in, int cx)
{
	if (!in->res || in->res == 'x' || in->light)
		return cx == CX_RET;
	if (in->res == 'i')
		return true;
	return cx == CX_RET || cx == CX_SET || cx == CX_TEE || cx == CX_CARRY || cx == CX_SELVA ||
	       cx == CX_SELVB;
}

static struct site *sites;
static size_t nsites, capsites;
static unsigned variant;        /* rotates the choices that are not crossed */

static void add_site(const struct site *s)
{
	if (nsites == capsites) {
		capsites = capsites ? 2 * capsites : 1024;
		sites = realloc(sites, capsites * sizeof *sites);
		if (!sites) {
			perror("realloc");
			exit(2);
		}
	}
	sites[nsites++] = *s;
}

/* the sites of `in` with forms fm[], all constants of its C operands
 * crossed (full) or two of them (else) */
static void add_const_sites(const struct ins *in, const uint8_t *fm, int cx, bool pressure,
			    bool full)
{
	int cpos[3], nc = 0;
	size_t total = 1;

	for (int j = 0; j < in->nops; j++)
		if (fm[j] == FM_C) {
			cpos[nc++] = j;
			total *= vsets[in->cls[j]].nk;
		}
	if (!full || nc > 2)
		total = total < 2 ? total : 2;
	for (size_t c = 0; c < total; c++) {
		struct site s = { .in = in, .ctx = (uint8_t)cx, .pressure = pressure };
		size_t idx = full && nc <= 2 ? c : c + variant;

		memcpy(s.form, fm, 3);
		for (int i = 0; i < nc; i++) {
			const struct vset *vs = &vsets[in->cls[cpos[i]]];
			s.cval[cpos[i]] = canon(in->ops[cpos[i]], vs->k[idx % vs->nk]);
			idx /= vs->nk;
			if (!full)
				idx += 3 * (size_t)i + 1;
		}
		for (int j = 0; j < 3; j++) {
			s.fvar[j] = (uint8_t)((variant + 3 * j) % NFVAR);
			s.m_param[j] = (variant + j) & 1;
		}
		variant++;
		add_site(&s);
	}
}

/* every site of `in`: the full cross product of operand forms with the
 * result stored and directly before br_if; for the other contexts, and
 * all of them under register pressure, each form next to itself and to
 * its neighbours in C M P R S F (three operands: always such a cover) */
static void make_sites(const struct ins *in)
{
	uint8_t allowed[3][FM__N];
	int nallowed[3] = { 0 };

	nsites = 0;
	for (int j = 0; j < in->nops; j++)
		for (int fm = 0; fm < FM__N; fm++)
			if (form_ok(in, j, fm))
				allowed[j][nallowed[j]++] = (uint8_t)fm;
	for (int cx = 0; cx < CX__N; cx++) {
		if (!ctx_ok(in, cx))
			continue;
		for (int pr = 0; pr < 2; pr++) {
			bool full = (cx == CX_RET || cx == CX_BRIF) && !pr && !in->light;
			uint8_t fm[3] = { 0 };

			if (in->nops == 0) {
				add_const_sites(in, fm, cx, pr, full);
			} else if (in->nops == 1) {
				for (int a = 0; a < nallowed[0]; a++) {
					fm[0] = allowed[0][a];
					add_const_sites(in, fm, cx, pr, full);
				}
			} else if (in->nops == 2) {
				for (int a = 0; a < nallowed[0]; a++)
					for (int b = 0; b < nallowed[1]; b++) {
						int n = nallowed[0] > nallowed[1] ? nallowed[0] : nallowed[1];
						int d = ((b - a) % n + n) % n;
						if (!full && d > 1 && d < n - 1)
							continue;
						fm[0] = allowed[0][a];
						fm[1] = allowed[1][b];
						add_const_sites(in, fm, cx, pr, full);
					}
			} else {
				for (int a = 0; a < FM__N; a++)
					for (int st = 0; st < 4; st++) {
						for (int j = 0; j < 3; j++)
							fm[j] = allowed[j][(a + st * j) % nallowed[j]];
						add_const_sites(in, fm, cx, pr, false);
					}
			}
		}
	}
}

/* ---- functions -------------------------------------------------------------------- */

/* A test function: parameters p0 p1 p2 (the operands' types, i32 when
 * unused), pk (i32: the branch / select condition of the contexts), pf
 * (i32: the value of F operands); no results (they go to memory). */
#define NPARAMS 5
#define PK 3
#define PF 4

struct fn {
	struct site *s[MAX_SITES];
	int n;
	bool pin_params;        /* P reads the parameter (pinned) instead of a
				   pinned copy of it */
	bool constant;          /* reads no parameter: one call does */
};

struct fb {                     /* a function body being built */
	struct buf c;
	char lt[512];           /* declared locals' types */
	uint32_t nl;
	uint32_t ploc[3];       /* the local P operands read */
};

static uint32_t new_local(struct fb *f, char t)
{
	if (f->nl >= sizeof f->lt) {
		fprintf(stderr, "test_opform: too many locals\n");
		exit(2);
	}
	f->lt[f->nl] = t;
	return NPARAMS + f->nl++;
}

/* module-wide function types, deduplicated ("params:results") */
struct types {
	char sig[64][80];
	int n;
};

static uint32_t type_index(struct types *ty, const char *params, const char *results)
{
	char s[80];

	snprintf(s, sizeof s, "%s:%s", params, results);
	for (int i = 0; i < ty->n; i++)
		if (!strcmp(ty->sig[i], s))
			return (uint32_t)i;
	if (ty->n == 64) {
		fprintf(stderr, "test_opform: too many types\n");
		exit(2);
	}
	strcpy(ty->sig[ty->n], s);
	return (uint32_t)ty->n++;
}

static void e_const(struct buf *b, char t, uint64_t v)
{
	switch (t) {
	case 'i': put(b, 0x41); sleb(b, (int32_t)(uint32_t)v); return;
	case 'I': put(b, 0x42); sleb(b, (int64_t)v); return;
	case 'f': put(b, 0x43); for (int i = 0; i < 4; i++) put(b, (uint8_t)(v >> 8 * i)); return;
	case 'F': put(b, 0x44); for (int i = 0; i < 8; i++) put(b, (uint8_t)(v >> 8 * i)); return;
	}
	put(b, 0xd0);           /* ref.null extern */
	put(b, 0x6f);
}

static void e_u32(struct buf *b, uint8_t op, uint32_t x)
{
	put(b, op);
	uleb(b, x);
}

static uint8_t load_op(char t)
{
	return t == 'i' ? 0x28 : t == 'I' ? 0x29 : t == 'f' ? 0x2a : 0x2b;
}

static uint8_t store_op(char t)
{
	return t == 'i' ? 0x36 : t == 'I' ? 0x37 : t == 'f' ? 0x38 : 0x39;
}

/* t.load from a constant address (offset 0) */
static void e_load(struct buf *b, char t, uint32_t addr)
{
	e_const(b, 'i', addr);
	put(b, load_op(t));
	put(b, 0);
	put(b, 0);
}

static void e_store(struct buf *b, char t)
{
	put(b, store_op(t));
	put(b, 0);
	put(b, 0);
}

/* operand j as a value-stack register: a load of the parameter's copy in
 * memory (references: from global j, set in the prologue) */
static void e_reg(struct buf *b, const struct ins *in, int j)
{
	if (in->ops[j] == 'x')
		e_u32(b, 0x23, (uint32_t)j);
	else
		e_load(b, in->ops[j], IN_ADDR + 8u * (uint32_t)j);
}

/* the comparisons that make an F operand: each is pf (0 or 1) as the
 * flags of a compare, with different condition codes and operand forms */
static void e_flags(struct buf *b, int var)
{
	static const uint8_t half64[8] = { 0, 0, 0, 0, 0, 0, 0xe0, 0x3f };     /* 0.5 */
	static const uint8_t half32[4] = { 0, 0, 0, 0x3f };

	e_u32(b, 0x20, PF);
	switch (var) {
	case 0: e_const(b, 'i', 0); put(b, 0x47); break;           /* ne 0 */
	case 1: put(b, 0x45); put(b, 0x45); break;                   /* eqz eqz */
	case 2: e_const(b, 'i', 1); put(b, 0x4f); break;           /* ge_u 1 */
	case 3: e_const(b, 'i', 0); put(b, 0x4a); break;           /* gt_s 0 */
	case 4: put(b, 0xad); e_const(b, 'I', 0); put(b, 0x52); break;      /* i64 ne 0 */
	case 5: put(b, 0xb8); put(b, 0x44); putn(b, half64, 8); put(b, 0x64); break; /* f64 gt .5 */
	case 6: e_const(b, 'i', 1); put(b, 0x73); put(b, 0x45); break;      /* eqz (xor 1) */
	case 7: e_const(b, 'i', 0); put(b, 0x4d); put(b, 0x45); break;      /* eqz (le_u 0) */
	case 8: e_const(b, 'i', 1); put(b, 0x49); put(b, 0x45); break;      /* eqz (lt_u 1) */
	default: put(b, 0xb2); put(b, 0x43); putn(b, half32, 4); put(b, 0x60); break; /* f32 ge .5 */
	}
}

static void e_operand(struct fb *f, const struct site *s, int j)
{
	struct buf *b = &f->c;
	char t = s->in->ops[j];

	switch (s->form[j]) {
	case FM_C:
		e_const(b, t, s->cval[j]);
		return;
	case FM_M:
		e_u32(b, 0x20, s->mloc[j]);
		return;
	case FM_P:
		e_u32(b, 0x20, f->ploc[j]);
		return;
	case FM_R:
		e_reg(b, s->in, j);
		return;
	case FM_S: {
		/* as many more values of its class as there are registers:
		   each takes a free one or spills the deepest, the last one
		   spills this one (alloc_reg); then they go */
		int n = in_xmm(t) ? NXMMR : NGPR;
		e_reg(b, s->in, j);
		for (int i = 0; i < n; i++)
			e_load(b, in_xmm(t) ? 'F' : 'I', FILL_ADDR);
		for (int i = 0; i < n; i++)
			put(b, 0x1a);
		return;
	}
	case FM_F:
		e_flags(b, s->fvar[j]);
		return;
	}
}

/* the operands and the instruction */
static void e_x(struct fb *f, const struct site *s)
{
	putn(&f->c, s->in->pre, s->in->npre);
	for (int j = 0; j < s->in->nops; j++)
		e_operand(f, s, j);
	putn(&f->c, s->in->code, s->in->ncode);
}

static uint32_t out_addr(const struct site *s)
{
	return OUT_ADDR + OUT_STRIDE * s->slot;
}

/* where the result goes: memory at out (numbers), table 2 (references) */
static void e_sink_pre(struct buf *b, const struct site *s, char t)
{
	e_const(b, 'i', t == 'x' ? s->slot : out_addr(s));
}

static void e_sink_post(struct buf *b, char t)
{
	if (t == 'x')
		e_u32(b, 0x26, 2);
	else
		e_store(b, t);
}

static void e_fillers(struct buf *b, const struct site *s)
{
	for (int q = 0; q < NFILL; q++) {
		e_const(b, 'i', out_addr(s) + 16 + 8u * (uint32_t)q);
		e_load(b, fill_types[q], FILL_ADDR + 8u * (uint32_t)q);
	}
}

static void e_fill_stores(struct buf *b)
{
	for (int q = NFILL; q-- > 0;)
		e_store(b, fill_types[q]);
}

/* block type: the pressure values (address, value) and then `last` */
static uint32_t block_type(struct types *ty, const struct site *s, const char *last)
{
	char r[2 * NFILL + 8];
	int n = 0;

	if (s->pressure)
		for (int q = 0; q < NFILL; q++) {
			r[n++] = 'i';
			r[n++] = fill_types[q];
		}
	strcpy(r + n, last);
	return type_index(ty, "", r);
}

static void e_site(struct fb *f, struct types *ty, const struct site *s)
{
	struct buf *b = &f->c;
	char t = s->in->res;
	bool inside = s->ctx == CX_BRIF || s->ctx == CX_BRIFN || s->ctx == CX_CARRY;
	char last[3] = { 'i', 'i', 0 };

	if (s->pressure && !inside)
		e_fillers(b, s);
	switch (s->ctx) {
	case CX_RET:
		if (t)
			e_sink_pre(b, s, t);
		e_x(f, s);
		if (t)
			e_sink_post(b, t);
		break;
	case CX_SET: case CX_TEE:
		e_const(b, 'i', out_addr(s) + 8);
		e_u32(b, 0x20, s->yloc);        /* an older entry reads the local */
		e_sink_pre(b, s, t);
		e_x(f, s);
		if (s->ctx == CX_SET) {
			e_u32(b, 0x21, s->yloc);
			e_u32(b, 0x20, s->yloc);
		} else {
			e_u32(b, 0x22, s->yloc);
		}
		e_sink_post(b, t);
		e_store(b, t);
		if (s->y_op >= 0) {             /* the operand's local as it was */
			e_reg(b, s->in, s->y_op);
			e_u32(b, 0x21, s->yloc);
		}
		break;
	case CX_BRIF: case CX_BRIFN: case CX_CARRY:
		if (s->ctx == CX_CARRY)
			last[1] = t;
		e_u32(b, 0x02, block_type(ty, s, last));
		if (s->pressure)
			e_fillers(b, s);
		e_sink_pre(b, s, s->ctx == CX_CARRY ? t : 'i');
		if (s->ctx != CX_CARRY)
			e_const(b, 'i', 7);
		e_x(f, s);
		if (s->ctx == CX_BRIFN)
			put(b, 0x45);
		if (s->ctx == CX_CARRY)
			e_u32(b, 0x20, PK);
		e_u32(b, 0x0d, 0);
		if (s->ctx != CX_CARRY) {
			put(b, 0x1a);
			e_const(b, 'i', 9);
		}
		put(b, 0x0b);
		e_sink_post(b, s->ctx == CX_CARRY ? t : 'i');
		break;
	case CX_IF:
		e_sink_pre(b, s, 'i');
		e_x(f, s);
		put(b, 0x04);
		put(b, 0x7f);
		e_const(b, 'i', 7);
		put(b, 0x05);
		e_const(b, 'i', 9);
		put(b, 0x0b);
		e_store(b, 'i');
		break;
	case CX_SELCI: case CX_SELCF: {
		char st = s->ctx == CX_SELCI ? 'I' : 'f';
		e_sink_pre(b, s, st);
		e_const(b, st, st == 'I' ? SEL_A : SELF_A);
		e_const(b, st, st == 'I' ? SEL_B : SELF_B);
		e_x(f, s);
		put(b, 0x1b);
		e_store(b, st);
		break;
	}
	case CX_EQZ:
		e_sink_pre(b, s, 'i');
		e_x(f, s);
		put(b, 0x45);
		e_store(b, 'i');
		break;
	case CX_SELVA: case CX_SELVB:
		e_sink_pre(b, s, t);
		if (s->ctx == CX_SELVB)
			e_const(b, t, k_of(t));
		e_x(f, s);
		if (s->ctx == CX_SELVA)
			e_const(b, t, k_of(t));
		e_u32(b, 0x20, PK);
		put(b, 0x1b);
		e_store(b, t);
		break;
	}
	if (s->pressure)
		e_fill_stores(b);
}

static bool uses_form(const struct fn *fn, int j, int fm)
{
	for (int i = 0; i < fn->n; i++)
		if (j < fn->s[i]->in->nops && fn->s[i]->form[j] == fm)
			return true;
	return false;
}

/* the locals, the prologue (copies, and the look-ahead counts that decide
 * the pinned locals: in two loops, uses weigh 64 each), then the sites */
static void e_fn(struct buf *code, struct types *ty, struct fn *fn)
{
	const struct ins *in = fn->s[0]->in;
	struct fb f = { 0 };
	int pin_gpr = 0, pin_xmm = 0;
	uint32_t dummies[12];
	int nd = 0;

	for (int j = 0; j < in->nops; j++) {
		if (!uses_form(fn, j, FM_P))
			continue;
		f.ploc[j] = fn->pin_params ? (uint32_t)j : new_local(&f, in->ops[j]);
		if (!fn->pin_params) {
			e_u32(&f.c, 0x20, (uint32_t)j);
			e_u32(&f.c, 0x21, f.ploc[j]);
		}
		if (in_xmm(in->ops[j]))
			pin_xmm++;
		else
			pin_gpr++;
	}
	for (int i = 0; i < fn->n; i++) {
		struct site *s = fn->s[i];
		s->slot = (uint32_t)i;
		for (int j = 0; j < in->nops; j++) {
			if (s->form[j] != FM_M)
				continue;
			if (s->m_param[j] && !fn->pin_params) {
				s->mloc[j] = (uint32_t)j;
			} else {
				s->mloc[j] = new_local(&f, in->ops[j]);
				e_u32(&f.c, 0x20, (uint32_t)j);
				e_u32(&f.c, 0x21, s->mloc[j]);
			}
		}
		s->y_op = -1;
		if (s->ctx != CX_SET && s->ctx != CX_TEE)
			continue;
		for (int k = 0; k < in->nops && s->y_op < 0; k++) {
			int j = (k + (int)(i & 1)) % in->nops;
			if ((s->form[j] == FM_M || s->form[j] == FM_P) && in->ops[j] == in->res)
				s->y_op = j;
		}
		if (s->y_op >= 0)
			s->yloc = s->form[s->y_op] == FM_P ? f.ploc[s->y_op] : s->mloc[s->y_op];
		else
			s->yloc = new_local(&f, in->res);
	}
	for (int j = 0; j < in->nops; j++)
		if (in->ops[j] == 'x' && (uses_form(fn, j, FM_R) || uses_form(fn, j, FM_S))) {
			e_u32(&f.c, 0x20, (uint32_t)j);
			e_u32(&f.c, 0x24, (uint32_t)j);
		}
	while (pin_gpr + nd < 4)
		dummies[nd++] = new_local(&f, 'I');
	for (int k = pin_xmm; k < 8; k++)
		dummies[nd++] = new_local(&f, 'F');
	put(&f.c, 0x03); put(&f.c, 0x40);
	put(&f.c, 0x03); put(&f.c, 0x40);
	for (int j = 0; j < in->nops; j++)
		if (uses_form(fn, j, FM_P))
			for (int k = 0; k < 3; k++) {
				e_u32(&f.c, 0x20, f.ploc[j]);
				put(&f.c, 0x1a);
			}
	for (int k = 0; k < nd; k++) {
		e_u32(&f.c, 0x20, dummies[k]);
		put(&f.c, 0x1a);
	}
	put(&f.c, 0x0b);
	put(&f.c, 0x0b);
	for (int i = 0; i < fn->n; i++)
		e_site(&f, ty, fn->s[i]);
	put(&f.c, 0x0b);

	/* the body: locals as runs of one type, then the code */
	struct buf body = { 0 };
	uint32_t groups = 0;
	for (uint32_t i = 0; i < f.nl; i++)
		groups += !i || f.lt[i] != f.lt[i - 1];
	uleb(&body, groups);
	for (uint32_t i = 0; i < f.nl;) {
		uint32_t k = i;
		while (k < f.nl && f.lt[k] == f.lt[i])
			k++;
		uleb(&body, k - i);
		put(&body, vt(f.lt[i]));
		i = k;
	}
	putn(&body, f.c.p, f.c.n);
	uleb(code, body.n);
	putn(code, body.p, body.n);
	free(body.p);
	free(f.c.p);
}

/* ---- the module -------------------------------------------------------------------- */

static void functype(struct buf *b, const char *sig)
{
	const char *colon = strchr(sig, ':');

	put(b, 0x60);
	uleb(b, (uint64_t)(colon - sig));
	for (const char *p = sig; p < colon; p++)
		put(b, vt(*p));
	uleb(b, strlen(colon + 1));
	for (const char *p = colon + 1; *p; p++)
		put(b, vt(*p));
}

/* the module of one instruction (opform_model.h describes its layout) */
static void build_module(const struct ins *in, struct fn *fns, int nfn, struct buf *out)
{
	struct types ty = { .n = 0 };
	struct buf s = { 0 }, code = { 0 };
	char params[8] = "iiiii", rparams[8] = "iiiiii";

	for (int j = 0; j < in->nops; j++)
		params[j] = rparams[j + 1] = in->ops[j];
	type_index(&ty, params, "");            /* 0: test functions */
	type_index(&ty, rparams, "");           /* 1: run */
	type_index(&ty, "", "i");               /* 2: c0, c1 */
	type_index(&ty, "", "I");               /* 3: cbad */
	uint32_t tid[4], tsub;
	for (int t = 0; t < 4; t++) {
		char one[2] = { "iIfF"[t], 0 };
		tid[t] = type_index(&ty, one, one);
	}
	tsub = type_index(&ty, "ii", "i");

	/* code first: it adds the block types */
	uleb(&code, FN_FIRST + (uint64_t)nfn);
	uint8_t cb[] = { 0x05, 0x00, 0x41, 0xe4, 0x00, 0x0b };  /* i32.const 100 */
	putn(&code, cb, sizeof cb);
	cb[3] = 0xe5;                                           /* 101 */
	putn(&code, cb, sizeof cb);
	static const uint8_t cbad[] = { 0x04, 0x00, 0x42, 0x07, 0x0b };
	putn(&code, cbad, sizeof cbad);
	static const uint8_t run[] = { 0x11, 0x00, 0x20, 1, 0x20, 2, 0x20, 3, 0x20, 4, 0x20, 5,
		0x20, 0, 0x11, 0, 3, 0x0b };
	putn(&code, run, sizeof run);
	static const uint8_t id[] = { 0x04, 0x00, 0x20, 0x00, 0x0b },
		sub[] = { 0x07, 0x00, 0x20, 0, 0x20, 1, 0x6b, 0x0b };
	for (int t = 0; t < 4; t++)
		putn(&code, id, sizeof id);
	putn(&code, sub, sizeof sub);
	for (int i = 0; i < nfn; i++)
		e_fn(&code, &ty, &fns[i]);

	static const uint8_t hdr[] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };
	out->n = 0;
	putn(out, hdr, sizeof hdr);
	uleb(&s, (uint64_t)ty.n);
	for (int i = 0; i < ty.n; i++)
		functype(&s, ty.sig[i]);
	section(out, 1, &s);
	uleb(&s, FN_FIRST + (uint64_t)nfn);
	put(&s, 2); put(&s, 2); put(&s, 3); put(&s, 1);
	for (int t = 0; t < 4; t++)
		uleb(&s, tid[t]);
	uleb(&s, tsub);
	for (int i = 0; i < nfn; i++)
		put(&s, 0);
	section(out, 3, &s);
	static const uint8_t tables[] = { 4, 0x70, 1, T0_SIZE, T0_SIZE, 0x6f, 1, 8, T1_MAX,
		0x6f, 0, 64 };
	putn(&s, tables, sizeof tables);
	put(&s, 0x70); put(&s, 0); uleb(&s, (uint64_t)nfn);    /* 3: the dispatch table */
	section(out, 4, &s);
	static const uint8_t memsec[] = { 1, 1, 1, 1 };
	putn(&s, memsec, sizeof memsec);
	section(out, 5, &s);
	put(&s, 7);
	for (int i = 0; i < 3; i++) {
		static const uint8_t g[] = { 0x6f, 1, 0xd0, 0x6f, 0x0b };
		putn(&s, g, sizeof g);
	}
	for (int t = 0; t < 4; t++) {
		put(&s, vt("iIfF"[t]));
		put(&s, 1);
		e_const(&s, "iIfF"[t], 0);
		put(&s, 0x0b);
	}
	section(out, 6, &s);
	static const uint8_t exp[] = { 1, 3, 'r', 'u', 'n', 0, FN_RUN };
	putn(&s, exp, sizeof exp);
	section(out, 7, &s);
	put(&s, 3);
	put(&s, 2); put(&s, 3); e_const(&s, 'i', 0); put(&s, 0x0b); put(&s, 0);
	uleb(&s, (uint64_t)nfn);
	for (int i = 0; i < nfn; i++)
		uleb(&s, FN_FIRST + (uint64_t)i);
	static const uint8_t segs[] = { 0, 0x41, 0, 0x0b, 3, 0, 1, 2,   /* t0 = c0 c1 cbad */
		1, 0, 3, 1, 0, 2 };                                 /* passive c1 c0 cbad */
	putn(&s, segs, sizeof segs);
	section(out, 9, &s);
	put(&s, 1);
	section(out, 12, &s);
	putn(out, (const uint8_t[]){ 10 }, 1);
	uleb(out, code.n);
	putn(out, code.p, code.n);
	put(&s, 1); put(&s, 1); put(&s, sizeof data_seg0); putn(&s, data_seg0, sizeof data_seg0);
	section(out, 11, &s);
	free(s.p);
	free(code.p);
}

/* ---- running and checking ------------------------------------------------------------ */

#define POISON64 0xa5a5a5a5a5a5a5a5ull
#define MAX_VEC 160

struct vec { uint64_t p[3]; };

struct run {
	const struct ins *in;
	wasm_module *m;
	wasm_instance *inst;
	struct jit_ctx *ctx;    /* the instance's context (its first member) */
	uint8_t *mem;
	struct model md;        /* what the instance's state must be */
	uint64_t tout[MAX_SITES];
	struct vec vecs[MAX_VEC];
	int nvec;
	unsigned long calls, checks, failed;
};

static unsigned long total_calls, total_sites, total_fns, group_fail_lines;
/* the failures described in full: the first few of each instruction, at
 * most so many per group (the counts are complete) */
#define MAX_FAIL_LINES_INS 2
#define MAX_FAIL_LINES_GROUP 8

/* the parameter values: pairs of one kind hold equal and neighbouring
 * values (V is ordered so), others are spread by different strides */
static void make_vectors(struct run *r)
{
	const struct ins *in = r->in;
	const struct vset *vs[3];
	size_t n[3] = { 1, 1, 1 };

	for (int j = 0; j < in->nops; j++) {
		vs[j] = &vsets[in->cls[j]];
		n[j] = vs[j]->nv;
	}
	r->nvec = 0;
	if (in->nops == 0) {
		r->nvec = 2;
		memset(r->vecs, 0, 2 * sizeof *r->vecs);
	} else if (in->nops == 1) {
		for (size_t i = 0; i < 2 * n[0] && r->nvec < MAX_VEC; i++)
			r->vecs[r->nvec++] = (struct vec){ { vs[0]->v[i % n[0]], 0, 0 } };
	} else if (in->nops == 2 && in->cls[0] == in->cls[1]) {
		for (size_t i = 0; i < n[0] && r->nvec + 4 <= MAX_VEC; i++) {
			const uint64_t *v = vs[0]->v;
			r->vecs[r->nvec++] = (struct vec){ { v[i], v[i], 0 } };
			r->vecs[r->nvec++] = (struct vec){ { v[i], v[(i + 1) % n[0]], 0 } };
			r->vecs[r->nvec++] = (struct vec){ { v[(i + 1) % n[0]], v[i], 0 } };
			r->vecs[r->nvec++] = (struct vec){ { v[i], v[(i * 7 + 3) % n[0]], 0 } };
		}
	} else {
		size_t m = n[0] > n[1] ? n[0] : n[1];
		m = m > n[2] ? m : n[2];
		for (size_t i = 0; i < 3 * m && r->nvec < MAX_VEC; i++) {
			struct vec v = { { 0 } };
			for (int j = 0; j < in->nops; j++)
				v.p[j] = vs[j]->v[(i * (size_t)(2 * j + 1) + i / n[j]) % n[j]];
			r->vecs[r->nvec++] = v;
		}
	}
	for (int i = 0; i < r->nvec; i++)
		for (int j = 0; j < in->nops; j++)
			r->vecs[i].p[j] = canon(in->ops[j], r->vecs[i].p[j]);
}

/* a trapping instruction runs one site per call: the first vectors (the
 * interesting values) and every fifth */
static bool vector_kept(const struct run *r, const struct fn *fn, int i)
{
	if (fn->constant)
		return i == 0;
	return !r->in->traps || i < 24 || i % 5 == 0;
}

static void st_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static void describe(char *buf, size_t len, const struct site *s)
{
	int n = snprintf(buf, len, "%s [", s->in->name);

	for (int j = 0; j < s->in->nops && n > 0 && (size_t)n < len; j++) {
		if (s->form[j] == FM_C)
			n += snprintf(buf + n, len - n, "%sC=%#llx", j ? " " : "",
				      (unsigned long long)s->cval[j]);
		else if (s->form[j] == FM_F)
			n += snprintf(buf + n, len - n, "%sF%d", j ? " " : "", s->fvar[j]);
		else
			n += snprintf(buf + n, len - n, "%s%c", j ? " " : "", form_name[s->form[j]]);
	}
	if (n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, "] %s%s", ctx_name[s->ctx], s->pressure ? ", pressure" : "");
}

static void fail_line(struct run *r, const struct fn *fn, int vi, const char *what)
{
	char d[256];

	r->failed++;
	if (r->failed > MAX_FAIL_LINES_INS || group_fail_lines++ >= MAX_FAIL_LINES_GROUP)
		return;
	const struct vec *v = &r->vecs[vi];
	fprintf(stderr, "opform: %s (p = %#llx %#llx %#llx, pk %d, pf %d)\n", what,
		(unsigned long long)v->p[0], (unsigned long long)v->p[1],
		(unsigned long long)v->p[2], vi & 1, (vi >> 1) & 1);
	for (int i = 0; i < fn->n; i++) {
		describe(d, sizeof d, fn->s[i]);
		fprintf(stderr, "    site %d: %s\n", i, d);
	}
}

/* The model's account of one call: the sites in order until one traps;
 * each site's stores into the model's memory (or result table).  *lenient
 * collects the result slots where any NaN will do. */
struct nanslot { uint32_t addr; char t; };

static int expect(struct run *r, const struct fn *fn, int vi, struct nanslot *lenient,
		  int *nlenient, int *trap_site)
{
	const struct vec *v = &r->vecs[vi];
	uint64_t pk = (unsigned)vi & 1, pf = ((unsigned)vi >> 1) & 1;

	*nlenient = 0;
	for (int i = 0; i < fn->n; i++) {
		const struct site *s = fn->s[i];
		const struct ins *in = s->in;
		uint64_t vals[3] = { 0 }, res = 0, main;
		char t = in->res, mt = t;
		uint32_t out = out_addr(s);
		bool is_r = false;

		for (int j = 0; j < in->nops; j++)
			vals[j] = s->form[j] == FM_C ? s->cval[j] : s->form[j] == FM_F ? pf : v->p[j];
		int code = model_eval(&r->md, in, vals, &res);
		if (code) {
			*trap_site = i;
			return code;
		}
		bool cond = (uint32_t)res != 0;
		switch (s->ctx) {
		case CX_BRIF: case CX_IF: main = cond ? 7 : 9; mt = 'i'; break;
		case CX_BRIFN: main = cond ? 9 : 7; mt = 'i'; break;
		case CX_SELCI: main = cond ? SEL_A : SEL_B; mt = 'I'; break;
		case CX_SELCF: main = cond ? SELF_A : SELF_B; mt = 'f'; break;
		case CX_EQZ: main = !cond; mt = 'i'; break;
		case CX_SELVA: main = pk ? res : k_of(t); is_r = pk; break;
		case CX_SELVB: main = pk ? k_of(t) : res; is_r = !pk; break;
		default: main = res; is_r = true; break;
		}
		if (mt == 'x')
			r->tout[s->slot] = main;
		else if (mt)
			st_le(r->md.mem + out, main, width(mt));
		if (is_r && mt && in->kind == K_NUM && !ref_bit_exact(in->num) &&
		    is_nan_bits(mt, main))
			lenient[(*nlenient)++] = (struct nanslot){ out, mt };
		if (s->ctx == CX_SET || s->ctx == CX_TEE) {
			uint64_t old = s->y_op >= 0 ? v->p[s->y_op] : 0;
			st_le(r->md.mem + out + 8, old, width(t));
		}
		if (s->pressure)
			for (int q = 0; q < NFILL; q++)
				st_le(r->md.mem + out + 16 + 8 * q, fill_val(q), width(fill_types[q]));
	}
	*trap_site = -1;
	return 0;
}

/* the harness's parts of memory and the result table, in the instance
 * and the model alike */
static void prepare(struct run *r, int vi)
{
	for (int j = 0; j < 3; j++)
		st_le(r->md.mem + IN_ADDR + 8 * j, r->vecs[vi].p[j], 8);
	for (int q = 0; q < NFILL; q++)
		st_le(r->md.mem + FILL_ADDR + 8 * q, fill_val(q), 8);
	memset(r->md.mem + OUT_ADDR, POISON, OUT_END - OUT_ADDR);
	memcpy(r->mem + IN_ADDR, r->md.mem + IN_ADDR, OUT_END - IN_ADDR);
	for (int i = 0; i < MAX_SITES; i++)
		r->tout[i] = r->ctx->tables[2]->elems[i] = POISON64;
}

static uint64_t t0_ref(struct run *r, int callee)
{
	return callee < 0 ? 0 : (uint64_t)(uintptr_t)r->ctx->funcrefs[FN_C0 + callee];
}

/* the instance's state against the model's; resynchronised after a
 * difference so that one bug is reported once */
static bool same_state(struct run *r, bool whole_memory, char *why, size_t len)
{
	struct jit_table *t0 = r->ctx->tables[0], *t1 = r->ctx->tables[1];
	bool ok = true;

	if (memcmp(r->mem + IN_ADDR, r->md.mem + IN_ADDR, OUT_END - IN_ADDR)) {
		uint32_t a = IN_ADDR;
		while (r->mem[a] == r->md.mem[a])
			a++;
		snprintf(why, len, "results differ at %#x (site %d): got %#llx, want %#llx", a,
			 a >= OUT_ADDR ? (int)((a - OUT_ADDR) / OUT_STRIDE) : -1,
			 (unsigned long long)ld_le(r->mem + (a & ~7u), 8),
			 (unsigned long long)ld_le(r->md.mem + (a & ~7u), 8));
		ok = false;
	} else if (whole_memory && memcmp(r->mem, r->md.mem, MEM_SIZE)) {
		uint32_t a = 0;
		while (r->mem[a] == r->md.mem[a])
			a++;
		snprintf(why, len, "memory differs at %#x: got %#x, want %#x", a, r->mem[a],
			 r->md.mem[a]);
		ok = false;
	} else if (memcmp(r->tout, r->ctx->tables[2]->elems, sizeof r->tout)) {
		snprintf(why, len, "reference results differ");
		ok = false;
	} else if (t1->size != r->md.t1_size ||
		   memcmp(t1->elems, r->md.t1, r->md.t1_size * sizeof *r->md.t1)) {
		snprintf(why, len, "table 1 differs (size %u, want %u)", t1->size, r->md.t1_size);
		ok = false;
	} else {
		for (int i = 0; i < T0_SIZE; i++)
			if (t0->elems[i] != t0_ref(r, r->md.t0[i])) {
				snprintf(why, len, "table 0 differs at %d", i);
				ok = false;
			}
	}
	if (!ok) {
		memcpy(r->mem, r->md.mem, MEM_SIZE);
		memcpy(r->ctx->tables[2]->elems, r->tout, sizeof r->tout);
		if (t1->size == r->md.t1_size)
			memcpy(t1->elems, r->md.t1, r->md.t1_size * sizeof *r->md.t1);
		for (int i = 0; i < T0_SIZE; i++)
			t0->elems[i] = t0_ref(r, r->md.t0[i]);
	}
	return ok;
}

static void run_fn(struct run *r, struct fn *fn, int fi)
{
	struct nanslot lenient[MAX_SITES];
	char why[200];

	for (int vi = 0; vi < r->nvec; vi++) {
		uint64_t args[6] = { (uint64_t)fi, r->vecs[vi].p[0], r->vecs[vi].p[1],
				     r->vecs[vi].p[2], (unsigned)vi & 1, ((unsigned)vi >> 1) & 1 };
		struct wasm_trap trap;
		struct wasm_error err;
		int nlenient, trap_site;

		if (!vector_kept(r, fn, vi))
			continue;
		prepare(r, vi);
		int want = expect(r, fn, vi, lenient, &nlenient, &trap_site);
		memset(&trap, 0, sizeof trap);
		int rc = wasm_call(r->inst, "run", args, 6, NULL, 0, &trap, &err);
		r->calls++;
		if (rc < 0) {
			fail_line(r, fn, vi, err.msg ? err.msg : "call failed");
			continue;
		}
		if (want && (rc != 1 || (int)trap.code != want || trap.nframes < 1 ||
			     trap.frames[0].func_index != FN_FIRST + (uint32_t)fi)) {
			snprintf(why, sizeof why, "%s: want trap %d at site %d, got rc %d trap %d "
				 "in func %u", r->in->name, want, trap_site, rc, rc == 1 ? trap.code : 0,
				 trap.nframes ? trap.frames[0].func_index : 0);
			fail_line(r, fn, vi, why);
		} else if (!want && rc != 0) {
			snprintf(why, sizeof why, "%s: unexpected trap %d (%s) in func %u",
				 r->in->name, trap.code, wasm_trap_message(trap.code),
				 trap.nframes ? trap.frames[0].func_index : 0);
			fail_line(r, fn, vi, why);
		}
		for (int i = 0; i < nlenient; i++) {
			uint64_t got = ld_le(r->mem + lenient[i].addr, width(lenient[i].t));
			if (is_nan_bits(lenient[i].t, got))
				st_le(r->md.mem + lenient[i].addr, got, width(lenient[i].t));
		}
		bool last = vi == r->nvec - 1;
		if (!same_state(r, r->in->writes || last, why, sizeof why)) {
			char w2[260];
			snprintf(w2, sizeof w2, "%s: %s", r->in->name, why);
			fail_line(r, fn, vi, w2);
		}
	}
}

/* sites into functions: one per function when the instruction may trap
 * (a trap ends the call), else up to MAX_SITES; those that read no
 * parameter apart */
static int pack(const struct ins *in, struct fn *fns)
{
	int nfn = 0;
	struct fn *cur[2] = { NULL, NULL };

	for (size_t i = 0; i < nsites; i++) {
		struct site *s = &sites[i];
		bool constant = s->ctx != CX_CARRY && s->ctx != CX_SELVA && s->ctx != CX_SELVB;
		for (int j = 0; j < in->nops; j++)
			constant &= s->form[j] == FM_C;
		struct fn **c = &cur[constant];
		if (!*c || (*c)->n == MAX_SITES || in->traps) {
			*c = &fns[nfn];
			**c = (struct fn){ .n = 0, .pin_params = nfn & 1, .constant = constant };
			nfn++;
		}
		(*c)->s[(*c)->n++] = s;
	}
	return nfn;
}

static void run_ins(const struct ins *in, unsigned long *failed)
{
	static struct run r;
	struct buf mod = { 0 };
	struct wasm_error err;
	struct wasm_trap trap;
	char msg[256];

	make_sites(in);
	struct fn *fns = calloc(nsites ? nsites : 1, sizeof *fns);
	int nfn = pack(in, fns);
	build_module(in, fns, nfn, &mod);
	memset(&r, 0, sizeof r);
	r.in = in;
	make_vectors(&r);
	model_init(&r.md);
	if (wasm_module_load(mod.p, mod.n, &r.m, &err)) {
		wasm_error_format(&err, msg, sizeof msg);
		fprintf(stderr, "opform: %s: load: %s\n", in->name, msg);
		(*failed)++;
		goto out;
	}
	if (wasm_instance_new(r.m, NULL, 0, &r.inst, &err, &trap)) {
		wasm_error_format(&err, msg, sizeof msg);
		fprintf(stderr, "opform: %s: instantiate: %s\n", in->name, msg);
		wasm_module_free(r.m);
		(*failed)++;
		goto out;
	}
	r.ctx = (struct jit_ctx *)r.inst;
	r.mem = wasm_memory_base(r.inst);
	memcpy(r.mem, r.md.mem, MEM_SIZE);
	memcpy(r.ctx->tables[1]->elems, r.md.t1, r.md.t1_size * sizeof *r.md.t1);
	for (int i = 0; i < nfn; i++)
		run_fn(&r, &fns[i], i);
	total_calls += r.calls;
	total_sites += nsites;
	total_fns += (unsigned long)nfn;
	*failed += r.failed;
	if (r.failed)
		fprintf(stderr, "opform: %s: %lu of %lu calls failed\n", in->name, r.failed, r.calls);
	wasm_instance_free(r.inst);
	wasm_module_free(r.m);
out:
	free(mod.p);
	free(fns);
}

/* ---- the tests -------------------------------------------------------------------------- */

/* the instructions whose code depends on jit_cpu_features(): clz, ctz,
 * popcnt, and the roundings (jit/compile/numeric.c emit_iunary, emit_fround) */
static bool cpu_dependent(const struct ins *in)
{
	if (in->kind != K_NUM || in->num->fc)
		return false;
	uint8_t c = in->num->code;
	return (c >= 0x67 && c <= 0x69) || (c >= 0x79 && c <= 0x7b) ||
	       (c >= 0x8d && c <= 0x90) || (c >= 0x9b && c <= 0x9e);
}

/* the groups of instructions, one PASS/FAIL line each */
enum group { G_I32CMP, G_I64CMP, G_F32CMP, G_F64CMP, G_I32NUM, G_I64NUM, G_F32NUM, G_F64NUM,
	     G_CONV, G_SELECT, G_LOAD, G_STORE, G_MEMORY, G_TABLE, G_VARCALL, G_CONTROL, G__N };

static enum group group_of(const struct ins *in)
{
	switch (in->kind) {
	case K_NUM:
		if (in->num->fc)
			return G_CONV;
		uint8_t c = in->num->code;
		return c <= 0x4f ? G_I32CMP : c <= 0x5a ? G_I64CMP : c <= 0x60 ? G_F32CMP :
		       c <= 0x66 ? G_F64CMP : c <= 0x78 ? G_I32NUM : c <= 0x8a ? G_I64NUM :
		       c <= 0x98 ? G_F32NUM : c <= 0xa6 ? G_F64NUM : G_CONV;
	case K_SELECT: return G_SELECT;
	case K_LOAD: return G_LOAD;
	case K_STORE: return G_STORE;
	case K_MSIZE: case K_MGROW: case K_MFILL: case K_MCOPY: case K_MINIT: case K_DDROP:
		return G_MEMORY;
	case K_GLOBAL: case K_CALL: case K_CALLSUB:
		return G_VARCALL;
	case K_BRIF: case K_IF: case K_BRTABLE:
		return G_CONTROL;
	default:
		return G_TABLE;
	}
}

/* every instruction of group g (only_cpu_dependent: of those, the ones
 * whose code depends on the CPU features), checked */
static void run_group(enum group g, bool only_cpu_dependent, const char *what)
{
	unsigned long failed = 0, n = 0;
	clock_t t0 = clock();

	total_calls = total_sites = total_fns = 0;
	group_fail_lines = 0;
	for (size_t i = 0; i < ncat; i++) {
		if (group_of(&cat[i]) != g || (only_cpu_dependent && !cpu_dependent(&cat[i])))
			continue;
		variant = (unsigned)i * 7;
		run_ins(&cat[i], &failed);
		n++;
	}
	printf("# %s: %lu instructions, %lu sites in %lu functions, %lu calls, %.2f s\n",
	       what, n, total_sites, total_fns, total_calls,
	       (double)(clock() - t0) / CLOCKS_PER_SEC);
	if (failed)
		fprintf(stderr, "opform: %s: %lu failures\n", what, failed);
	CHECK(failed == 0);
	CHECK(n > 0);
	CHECK(total_calls > 0);
}

TEST(opform_catalogue)
{
	size_t per[G__N] = { 0 };

	make_catalogue();
	/* the numeric table, selects, 6 offsets x (14 loads + 9 stores),
	   memory and table instructions, globals, calls, br_if if br_table */
	CHECK_EQ_U64(ncat, sizeof ops / sizeof *ops + 9 + 6 * 23 + 16 + 8 + 1 + 3);
	for (size_t i = 0; i < ncat; i++)
		per[group_of(&cat[i])]++;
	for (int g = 0; g < G__N; g++)
		CHECK(per[g] > 0);
}

#define GROUP(name, g) TEST(name) { jit_cpu_disable(0); run_group(g, false, #name); }
GROUP(opform_i32_compare, G_I32CMP)
GROUP(opform_i64_compare, G_I64CMP)
GROUP(opform_f32_compare, G_F32CMP)
GROUP(opform_f64_compare, G_F64CMP)
GROUP(opform_i32_numeric, G_I32NUM)
GROUP(opform_i64_numeric, G_I64NUM)
GROUP(opform_f32_numeric, G_F32NUM)
GROUP(opform_f64_numeric, G_F64NUM)
GROUP(opform_conversion, G_CONV)
GROUP(opform_select, G_SELECT)
GROUP(opform_load, G_LOAD)
GROUP(opform_store, G_STORE)
GROUP(opform_memory, G_MEMORY)
GROUP(opform_table, G_TABLE)
GROUP(opform_global_call, G_VARCALL)
GROUP(opform_branch, G_CONTROL)
#undef GROUP

/* with the optional CPU features off: the fallbacks (bsr/bsf, the
 * runtime's popcnt and rounding), and pinned locals saved around them */
#define GROUP_NOCPU(name, g) TEST(name) { \
	jit_cpu_disable(JIT_CPU_ALL); \
	CHECK(jit_cpu_features() == 0); \
	run_group(g, true, #name); \
	jit_cpu_disable(0); }
GROUP_NOCPU(opform_nocpu_i32_numeric, G_I32NUM)
GROUP_NOCPU(opform_nocpu_i64_numeric, G_I64NUM)
GROUP_NOCPU(opform_nocpu_f32_numeric, G_F32NUM)
GROUP_NOCPU(opform_nocpu_f64_numeric, G_F64NUM)
#undef GROUP_NOCPU

int main(void)
{
	/* a line at a time: if compiled code crashes the process, the
	   groups done so far are in the output */
	setvbuf(stdout, NULL, _IOLBF, 0);
	plat_host_init();
	jit_cpu_disable(0);
	unsigned int c = jit_cpu_features();
	/* the groups run with these (CPUID's), the nocpu ones with none */
	printf("# cpu: lzcnt %d tzcnt %d popcnt %d sse4.1 %d\n", !!(c & JIT_CPU_LZCNT),
	       !!(c & JIT_CPU_BMI1), !!(c & JIT_CPU_POPCNT), !!(c & JIT_CPU_SSE41));
	RUN(opform_catalogue);
	RUN(opform_i32_compare);
	RUN(opform_i64_compare);
	RUN(opform_f32_compare);
	RUN(opform_f64_compare);
	RUN(opform_i32_numeric);
	RUN(opform_i64_numeric);
	RUN(opform_f32_numeric);
	RUN(opform_f64_numeric);
	RUN(opform_conversion);
	RUN(opform_select);
	RUN(opform_load);
	RUN(opform_store);
	RUN(opform_memory);
	RUN(opform_table);
	RUN(opform_global_call);
	RUN(opform_branch);
	RUN(opform_nocpu_i32_numeric);
	RUN(opform_nocpu_i64_numeric);
	RUN(opform_nocpu_f32_numeric);
	RUN(opform_nocpu_f64_numeric);
	free(sites);
	CHECK_DONE();
}
