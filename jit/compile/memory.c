/*
 * memory.c — memory and tables (Core spec 2.0 §3.3.7 memory, §3.3.6
 * table, §3.3.2 reference instructions): loads and stores off r15 with
 * no bounds checks (the 8 GiB reservation, DESIGN.md §2), memory.size/
 * grow/copy/fill/init, data.drop, ref.null/is_null/func, table.get/set
 * inline, and the other table and segment instructions through struct
 * jit_rt helpers (jit.h).
 *
 * Multi-memory (the proposal's memarg: flags bit 6 = a memory index
 * follows; u32 memory indices where 2.0 has a 0x00 byte): memory 0 is
 * compiled exactly as without it (r15, ctx's mem_* fields); memory i > 0
 * has its own 8 GiB reservation too, and an access loads its base from
 * the context into rdx first ([[r14 + CTX_MEMS] + 8i] -> JM_BASE), then
 * addresses it as memory 0 is; its bulk instructions and memory.grow go
 * through jit_rt's *_n helpers.
 *
 * Memory64 (docs/memory64.md): a 64-bit memory's addresses are i64 and
 * its memarg offsets u64, which no guard region can cover, so each of
 * its accesses (0xfd's too, fc_mem_operand) is bounds-checked in code
 * (checked_addr); its bulk instructions, memory.grow included, go
 * through jit_rt's *64 helpers.  32-bit memories are compiled exactly as
 * before.
 */
#include <stddef.h>
#include "fc.h"

/* ---- memory ---------------------------------------------------------------------- */

struct memop { uint8_t type, size_log2; };

/* OP_I32_LOAD .. OP_I64_STORE32, in opcode order */
static const struct memop memops[] = {
	{I32, 2}, {I64, 3}, {F32, 2}, {F64, 3},
	{I32, 0}, {I32, 0}, {I32, 1}, {I32, 1},
	{I64, 0}, {I64, 0}, {I64, 1}, {I64, 1}, {I64, 2}, {I64, 2},
	{I32, 2}, {I64, 3}, {F32, 2}, {F64, 3},
	{I32, 0}, {I32, 1}, {I64, 0}, {I64, 1}, {I64, 2},
};

/* rdi = ctx, then the helper's arguments: slot values (32-bit zero-extended
 * unless 64-bit) or immediates */
static void arg_slot(struct fc *f, int reg, uint32_t k, int w)
{
	x64_mov_rm(f->a, w, reg, S(f, k));
}

static bool need_memory(struct fc *f, uint32_t mem)
{
	return mem < f->m->nmemories ? true : fc_fail(f, "unknown memory");
}

static bool multi_memory(void)
{
	return wasm_features() & WASM_FEATURE_MULTI_MEMORY;
}

/* memory64: memory mem (known to exist) takes i64 addresses */
static bool is64(struct fc *f, uint32_t mem)
{
	return f->m->memories[mem].is64;
}

static uint8_t addr_type(struct fc *f, uint32_t mem)
{
	return is64(f, mem) ? I64 : I32;
}

/* reg = memory mem's struct jit_memory * (mem > 0) */
static void ld_memory(struct fc *f, int reg, uint32_t mem)
{
	x64_mov_rm(f->a, 1, reg, x64_mem(R14, CTX_MEMS));
	x64_mov_rm(f->a, 1, reg, x64_mem(reg, 8 * (int32_t)mem));
}

/* Memory mem > 0: as fast_addr, off its base in rdx.  The address is a
 * zero-extended i32 and the offset a u32, so the access stays inside
 * that memory's 8 GiB reservation as memory 0's do. */
static struct x64_mem fast_addr_n(struct fc *f, uint32_t k, uint32_t offset, uint32_t mem)
{
	struct vloc *v = &f->vs[k];
	int r = RAX;

	if (v->kind == V_IMM) {
		uint64_t ea = (uint32_t)v->imm + (uint64_t)offset;
		ld_memory(f, RDX, mem);
		x64_mov_rm(f->a, 1, RDX, x64_mem(RDX, JM_BASE));
		if (ea < 0x80000000u)
			return x64_mem(RDX, (int32_t)ea);
		x64_mov_ri(f->a, RAX, ea);
		return x64_mem_idx(RDX, RAX, 1, 0);
	}
	if (src_reg(f, k) >= 0)
		r = src_reg(f, k);
	else if (is_mem(f, v))
		x64_mov_rm(f->a, 0, RAX, v->kind == V_LOCAL ? L(f, v->local) : S(f, k));
	else
		fc_to_scratch(f, k, RAX);
	if (offset >= 0x80000000u) {    /* rax = address + offset, 64-bit */
		x64_mov_ri(f->a, RDX, offset);
		if (r != RAX)
			x64_mov_rr(f->a, 1, RAX, r);
		x64_alu_rr(f->a, X64_ADD, 1, RAX, RDX);
		r = RAX;
		offset = 0;
	}
	ld_memory(f, RDX, mem);
	x64_mov_rm(f->a, 1, RDX, x64_mem(RDX, JM_BASE));
	return x64_mem_idx(RDX, r, 1, (int32_t)offset);
}

/* The memory operand for address entry k + offset: [r15 + reg + offset]
 * with the address's own register, or rax loaded with it (and rdx for an
 * offset of 2 GiB or more; a constant address folds in whole). */
static struct x64_mem fast_addr(struct fc *f, uint32_t k, uint32_t offset, uint32_t mem)
{
	struct vloc *v = &f->vs[k];
	int r = RAX;

	if (mem)
		return fast_addr_n(f, k, offset, mem);

	if (v->kind == V_IMM) {
		uint64_t ea = (uint32_t)v->imm + (uint64_t)offset;
		if (ea < 0x80000000u)
			return x64_mem(R15, (int32_t)ea);
		x64_mov_ri(f->a, RAX, ea);
		return x64_mem_idx(R15, RAX, 1, 0);
	}
	if (src_reg(f, k) >= 0)
		r = src_reg(f, k);
	else if (is_mem(f, v))
		x64_mov_rm(f->a, 0, RAX, v->kind == V_LOCAL ? L(f, v->local) : S(f, k));
	else
		fc_to_scratch(f, k, RAX);
	if (offset < 0x80000000u)
		return x64_mem_idx(R15, r, 1, (int32_t)offset);
	x64_mov_ri(f->a, RDX, offset);
	x64_alu_rr(f->a, X64_ADD, 1, RDX, r);
	return x64_mem_idx(R15, RDX, 1, 0);
}

/*
 * Memory64: the operand for an access of size bytes at i64 address entry
 * k + offset, after code that traps unless address + offset + size <=
 * the memory's current size, computed without wrapping:
 *   rax = address + end   (end = offset + size, saturated at 2^64 - 1)
 *   carry              -> trap (the sum passed 2^64)
 *   rax > size         -> trap (size: the memory's bytes, from ctx)
 * and the access is [base + rax - size]: address + offset, which is
 * then below size - size + 1, inside the memory.  A saturated end also
 * traps: address + (2^64 - 1) carries unless address is 0, and then
 * rax = 2^64 - 1 is above any size (at most 4 GiB, JIT_MEM64_MAX_PAGES).
 * The base stays put when the memory grows (its reservation is fixed).
 */
static struct x64_mem checked_addr(struct fc *f, uint32_t k, uint64_t offset,
				   uint32_t size, uint32_t mem)
{
	struct vloc *v = &f->vs[k];
	uint64_t end = offset > UINT64_MAX - size ? UINT64_MAX : offset + size;
	int base = R15;

	if (v->kind == V_IMM)
		x64_mov_ri(f->a, RAX, v->imm);
	else
		fc_to_scratch(f, k, RAX);       /* the whole i64 */
	if (end < 0x80000000u) {
		x64_alu_ri(f->a, X64_ADD, 1, RAX, (int32_t)end);
	} else {
		x64_mov_ri(f->a, RDX, end);
		x64_alu_rr(f->a, X64_ADD, 1, RAX, RDX);
	}
	fc_trap_if(f, X64_CC_B, WASM_TRAP_MEMORY_OOB);
	if (mem) {
		ld_memory(f, RDX, mem);
		x64_alu_rm(f->a, X64_CMP, 1, RAX, x64_mem(RDX, JM_SIZE));
	} else {
		x64_alu_rm(f->a, X64_CMP, 1, RAX, x64_mem(R14, CTX_MEM_SIZE));
	}
	fc_trap_if(f, X64_CC_A, WASM_TRAP_MEMORY_OOB);
	if (mem) {
		x64_mov_rm(f->a, 1, RDX, x64_mem(RDX, JM_BASE));
		base = RDX;
	}
	return x64_mem_idx(base, RAX, 1, -(int32_t)size);
}

/* the operand of an access of size bytes: a 32-bit memory's off its
 * guard region, a 64-bit memory's after its bounds check */
static struct x64_mem addr_operand(struct fc *f, uint32_t k, uint64_t offset,
				   uint32_t size, uint32_t mem)
{
	if (is64(f, mem))
		return checked_addr(f, k, offset, size, mem);
	return fast_addr(f, k, (uint32_t)offset, mem);
}

/* the same for simd.c (its loads and stores: one instruction off the
 * memory's base, as here, so a 16-byte access faults in the guard region
 * exactly as an 8-byte one: a memory is at most 4 GiB, its reservation
 * 8 GiB; a 64-bit memory's is checked for its size bytes) */
struct x64_mem fc_mem_operand(struct fc *f, uint32_t k, uint64_t offset, uint32_t size,
			      uint32_t mem)
{
	return addr_operand(f, k, offset, size, mem);
}

bool fc_mem_is64(struct fc *f, uint32_t mem)
{
	return is64(f, mem);
}

static void fast_load(struct fc *f, uint8_t op, uint64_t offset, uint32_t mem)
{
	const struct memop *mo = &memops[op - OP_I32_LOAD];
	uint32_t k = f->nvals - 1;
	struct x64_mem m = addr_operand(f, k, offset, 1u << mo->size_log2, mem);

	vdrop(f);               /* the address register may be the result's */
	f->vals[k] = mo->type;
	f->nvals++;
	int r = fc_alloc_reg(f, mo->type);
	f->vs[k] = (struct vloc){ .kind = V_REG, .reg = (int8_t)r };
	srcmap(f, f->op_off);
	switch (op) {
	case OP_I32_LOAD: case OP_I64_LOAD32_U: x64_mov_rm(f->a, 0, r, m); break;
	case OP_I64_LOAD: x64_mov_rm(f->a, 1, r, m); break;
	case OP_F32_LOAD: x64_movd_xm(f->a, r, m); break;
	case OP_F64_LOAD: x64_movq_xm(f->a, r, m); break;
	case OP_I32_LOAD8_S: x64_movsx8_rm(f->a, 0, r, m); break;
	case OP_I64_LOAD8_S: x64_movsx8_rm(f->a, 1, r, m); break;
	case OP_I32_LOAD8_U: case OP_I64_LOAD8_U: x64_movzx8_rm(f->a, r, m); break;
	case OP_I32_LOAD16_S: x64_movsx16_rm(f->a, 0, r, m); break;
	case OP_I64_LOAD16_S: x64_movsx16_rm(f->a, 1, r, m); break;
	case OP_I32_LOAD16_U: case OP_I64_LOAD16_U: x64_movzx16_rm(f->a, r, m); break;
	case OP_I64_LOAD32_S: x64_movsxd_rm(f->a, r, m); break;
	}
}

static void fast_store(struct fc *f, uint8_t op, uint64_t offset, uint32_t mem)
{
	uint32_t kv = f->nvals - 1, ka = f->nvals - 2;
	struct vloc *v = &f->vs[kv];
	int size = op == OP_I32_STORE8 || op == OP_I64_STORE8 ? 1 :
		   op == OP_I32_STORE16 || op == OP_I64_STORE16 ? 2 :
		   op == OP_I64_STORE || op == OP_F64_STORE ? 8 : 4;
	int vr = RCX, src = src_reg(f, kv);
	bool imm = false, xmm = src >= 0 && in_xmm(f->vals[kv]);

	if (src >= 0 && !xmm)
		vr = src;
	else if (v->kind == V_IMM && size >= 4 && (int64_t)v->imm == (int32_t)v->imm)
		imm = true;
	else if (!xmm)
		fc_to_scratch(f, kv, RCX);         /* bits, whatever the type */
	struct x64_mem m = addr_operand(f, ka, offset, (uint32_t)size, mem);
	srcmap(f, f->op_off);
	if (imm)
		x64_mov_mi(f->a, size == 8, m, (int32_t)v->imm);
	else if (xmm)
		size == 8 ? x64_movq_mx(f->a, m, src) : x64_movd_mx(f->a, m, src);
	else if (size == 1)
		x64_mov8_mr(f->a, m, vr);
	else if (size == 2)
		x64_mov16_mr(f->a, m, vr);
	else
		x64_mov_mr(f->a, size == 8, m, vr);
	vdrop(f);
	vdrop(f);
}

/* A memarg (loads, stores): flags (alignment; multi-memory: bit 6 = a
 * memory index follows), [memidx,] offset (memory64: a u64 on a 64-bit
 * memory); the memory must exist.  *align without the memory bit. */
static bool rd_memarg(struct fc *f, uint32_t *align, uint32_t *mem, uint64_t *offset)
{
	uint32_t off32;

	*mem = 0;
	if (!rd_u32(f, align))
		return false;
	if ((*align & 0x40) && *align < 0x80 && multi_memory()) {
		*align -= 0x40;
		if (!rd_u32(f, mem))
			return false;
	}
	if (*mem < f->m->nmemories && is64(f, *mem))
		return wasm_read_u64(&f->r, offset);
	if (!rd_u32(f, &off32))
		return false;
	*offset = off32;
	return need_memory(f, *mem);
}

/* the same for 0xfd's loads and stores */
bool fc_rd_memarg(struct fc *f, uint32_t *align, uint32_t *mem, uint64_t *offset)
{
	return rd_memarg(f, align, mem, offset);
}

bool fc_op_load_store(struct fc *f, uint8_t op)
{
	uint32_t align, mem = 0;
	uint64_t offset;
	const struct memop *mo = &memops[op - OP_I32_LOAD];
	bool store = op >= OP_I32_STORE;

	if (!rd_memarg(f, &align, &mem, &offset))
		return false;
	if (align > mo->size_log2)
		return fc_fail(f, "alignment must not be larger than natural");
	uint8_t at = addr_type(f, mem);
	if (!store && top_is_ab(f, at, 0)) {
		fast_load(f, op, offset, mem);
		return !f->err;
	}
	if (store && top_is_ab(f, at, mo->type)) {
		fast_store(f, op, offset, mem);
		return !f->err;
	}
	/* a type error, or dead code (no code) */
	if (store && !fc_pop(f, mo->type, NULL, NULL))
		return false;
	if (!fc_pop(f, at, NULL, NULL))
		return false;
	return store ? true : push(f, mo->type, NULL);
}

/* a memory index: Wasm 2.0's 0x00 byte, or multi-memory's u32 */
static bool rd_memidx(struct fc *f, uint32_t *mem)
{
	uint8_t b;

	if (multi_memory()) {
		if (!rd_u32(f, mem))
			return false;
		return need_memory(f, *mem);
	}
	*mem = 0;
	if (!rd_u8(f, &b))
		return false;
	if (b != 0)
		return fc_fail(f, "zero byte expected");
	return need_memory(f, 0);
}

/* memory64: memory.size and memory.grow in i64 (grow: -1 on failure) */
static bool size_grow64(struct fc *f, uint8_t op, uint32_t mem)
{
	uint32_t k;

	if (op == OP_MEMORY_SIZE) {
		if (!push(f, I64, &k))
			return false;
		ld_memory(f, RAX, mem);
		x64_mov_rm(f->a, 1, RAX, x64_mem(RAX, JM_PAGES));
		st(f, k, RAX);
		return true;
	}
	if (!fc_pop(f, I64, &k, NULL))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_ri(f->a, RSI, mem);
	arg_slot(f, RDX, k, 1);
	if (!fc_call_rt(f, offsetof(struct jit_rt, memory_grow64)) || !push(f, I64, &k))
		return false;
	st(f, k, RAX);
	return true;
}

bool fc_op_memory_size_grow(struct fc *f, uint8_t op)
{
	uint32_t k, mem;

	if (!rd_memidx(f, &mem))
		return false;
	if (is64(f, mem))
		return size_grow64(f, op, mem);
	if (op == OP_MEMORY_SIZE) {
		if (!push(f, I32, &k))
			return false;
		if (mem) {
			ld_memory(f, RAX, mem);
			x64_mov_rm(f->a, 0, RAX, x64_mem(RAX, JM_PAGES));
		} else {
			x64_mov_rm(f->a, 0, RAX, x64_mem(R14, CTX_MEM_PAGES));
		}
		st(f, k, RAX);
		return true;
	}
	if (!fc_pop(f, I32, &k, NULL))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	if (mem) {
		x64_mov_ri(f->a, RSI, mem);
		x64_mov_rm(f->a, 0, RDX, S(f, k));
		if (!fc_call_rt(f, offsetof(struct jit_rt, memory_grow_n)))
			return false;
	} else {
		x64_mov_rm(f->a, 0, RSI, S(f, k));
		if (!srcmap(f, f->op_off))
			return false;
		x64_call_m(f->a, x64_mem(R14, CTX_MEM_GROW));
	}
	x64_mov_rr(f->a, 0, RAX, RAX);
	if (!push(f, I32, &k))
		return false;
	st(f, k, RAX);
	return true;
}

/* trap unless [slot addr] + [slot len] <= mem_size (64-bit sum); rcx = len */
static bool bounds_check(struct fc *f, uint32_t kaddr, uint32_t klen)
{
	x64_mov_rm(f->a, 0, RAX, S(f, kaddr));
	x64_mov_rm(f->a, 0, RCX, S(f, klen));
	x64_alu_rr(f->a, X64_ADD, 1, RAX, RCX);
	x64_alu_rm(f->a, X64_CMP, 1, RAX, x64_mem(R14, CTX_MEM_SIZE));
	return fc_trap_if(f, X64_CC_A, WASM_TRAP_MEMORY_OOB);
}

/* memory64: memory.copy through the runtime; d and s of each memory's
 * address type, n an i64 only when both are 64-bit */
static bool copy64(struct fc *f, uint32_t dmem, uint32_t smem)
{
	uint32_t kd, ks, kn;
	uint8_t td = addr_type(f, dmem), ts = addr_type(f, smem);
	uint8_t tn = td == I64 && ts == I64 ? I64 : I32;

	if (!fc_pop(f, tn, &kn, NULL) || !fc_pop(f, ts, &ks, NULL) || !fc_pop(f, td, &kd, NULL))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_ri(f->a, RSI, dmem);
	x64_mov_ri(f->a, RDX, smem);
	arg_slot(f, RCX, kd, td == I64);        /* an i32 zero-extended */
	arg_slot(f, R8, ks, ts == I64);
	arg_slot(f, R9, kn, tn == I64);
	return fc_call_rt(f, offsetof(struct jit_rt, memory_copy64)) && fc_trap_if_eax(f);
}

/* memory.copy d s n: memmove with rep movsb, backwards when d > s */
bool fc_op_memory_copy(struct fc *f)
{
	uint32_t kd, ks, kn, dmem, smem;

	if (!rd_memidx(f, &dmem) || !rd_memidx(f, &smem))
		return false;
	if (is64(f, dmem) || is64(f, smem))
		return copy64(f, dmem, smem);
	if (!fc_pop(f, I32, &kn, NULL) || !fc_pop(f, I32, &ks, NULL) || !fc_pop(f, I32, &kd, NULL))
		return false;
	if (dmem || smem) {     /* multi-memory: through the runtime */
		x64_mov_rr(f->a, 1, RDI, R14);
		x64_mov_ri(f->a, RSI, dmem);
		x64_mov_ri(f->a, RDX, smem);
		arg_slot(f, RCX, kd, 0);
		arg_slot(f, R8, ks, 0);
		arg_slot(f, R9, kn, 0);
		return fc_call_rt(f, offsetof(struct jit_rt, memory_copy_n)) &&
		       fc_trap_if_eax(f);
	}
	if (!bounds_check(f, kd, kn) || !bounds_check(f, ks, kn))
		return false;
	x64_mov_rm(f->a, 0, RDI, S(f, kd));
	x64_mov_rm(f->a, 0, RSI, S(f, ks));
	x64_alu_rr(f->a, X64_CMP, 1, RDI, RSI);
	size_t fwd = fwd_jcc(f, X64_CC_BE);
	x64_lea(f->a, 1, RDI, x64_mem_idx(RDI, RCX, 1, -1));
	x64_lea(f->a, 1, RSI, x64_mem_idx(RSI, RCX, 1, -1));
	x64_alu_rr(f->a, X64_ADD, 1, RDI, R15);
	x64_alu_rr(f->a, X64_ADD, 1, RSI, R15);
	x64_std(f->a);
	x64_rep_movsb(f->a);
	x64_cld(f->a);
	size_t done = fwd_jmp(f);
	here(f, fwd);
	x64_alu_rr(f->a, X64_ADD, 1, RDI, R15);
	x64_alu_rr(f->a, X64_ADD, 1, RSI, R15);
	x64_rep_movsb(f->a);
	here(f, done);
	return true;
}

/* memory.fill d val n */
bool fc_op_memory_fill(struct fc *f)
{
	uint32_t kd, kv, kn, mem;

	if (!rd_memidx(f, &mem))
		return false;
	if (is64(f, mem)) {     /* memory64: i64 d and n, through the runtime */
		if (!fc_pop(f, I64, &kn, NULL) || !fc_pop(f, I32, &kv, NULL) ||
		    !fc_pop(f, I64, &kd, NULL))
			return false;
		x64_mov_rr(f->a, 1, RDI, R14);
		x64_mov_ri(f->a, RSI, mem);
		arg_slot(f, RDX, kd, 1);
		arg_slot(f, RCX, kv, 0);
		arg_slot(f, R8, kn, 1);
		return fc_call_rt(f, offsetof(struct jit_rt, memory_fill64)) &&
		       fc_trap_if_eax(f);
	}
	if (!fc_pop(f, I32, &kn, NULL) || !fc_pop(f, I32, &kv, NULL) || !fc_pop(f, I32, &kd, NULL))
		return false;
	if (mem) {              /* multi-memory: through the runtime */
		x64_mov_rr(f->a, 1, RDI, R14);
		x64_mov_ri(f->a, RSI, mem);
		arg_slot(f, RDX, kd, 0);
		arg_slot(f, RCX, kv, 0);
		arg_slot(f, R8, kn, 0);
		return fc_call_rt(f, offsetof(struct jit_rt, memory_fill_n)) &&
		       fc_trap_if_eax(f);
	}
	if (!bounds_check(f, kd, kn))
		return false;
	x64_mov_rm(f->a, 0, RDI, S(f, kd));
	x64_alu_rr(f->a, X64_ADD, 1, RDI, R15);
	x64_mov_rm(f->a, 0, RAX, S(f, kv));
	x64_rep_stosb(f->a);
	return true;
}

/* ---- references, tables, segments (Wasm 2.0) ------------------------------------- */

static bool is_ref(uint8_t t)
{
	return t == WASM_FUNCREF || t == WASM_EXTERNREF;
}

static bool rd_table(struct fc *f, uint32_t *x)
{
	if (!rd_u32(f, x))
		return false;
	return *x < f->m->ntables ? true : fc_fail(f, "unknown table");
}

static bool rd_elem(struct fc *f, uint32_t *x)
{
	if (!rd_u32(f, x))
		return false;
	return *x < f->m->nelems ? true : fc_fail(f, "unknown elem segment");
}

/* memory.init / data.drop need the data count section (§5.5.16) */
static bool rd_data(struct fc *f, uint32_t *x)
{
	if (!rd_u32(f, x))
		return false;
	if (!f->m->has_datacount)
		return fc_fail(f, "data count section required");
	return *x < f->m->ndatas ? true : fc_fail(f, "unknown data segment");
}

static uint8_t elemtype(struct fc *f, uint32_t table)
{
	return f->m->tables[table].elemtype;
}

bool fc_op_ref_null(struct fc *f)
{
	uint8_t t;
	uint32_t k;

	if (!rd_u8(f, &t))
		return false;
	if (!is_ref(t))
		return fc_fail(f, "malformed reference type");
	if (!push(f, t, &k))
		return false;
	x64_mov_mi(f->a, 1, S(f, k), 0);
	return true;
}

bool fc_op_ref_is_null(struct fc *f)
{
	uint32_t k;
	uint8_t t;

	if (!fc_pop(f, 0, &k, &t))
		return false;
	if (t && !is_ref(t))
		return fc_fail(f, "type mismatch");
	if (!push(f, I32, NULL))
		return false;
	x64_alu_mi(f->a, X64_CMP, 1, S(f, k), 0);
	st_cc(f, X64_CC_E, k);
	return true;
}

/* ref.func x: x must be declared outside function bodies (§3.4.10 C.refs) */
bool fc_op_ref_func(struct fc *f)
{
	uint32_t x, k;

	if (!rd_u32(f, &x))
		return false;
	if (x >= f->m->nfuncs)
		return fc_fail(f, "unknown function");
	if (!f->m->declared_funcs || !(f->m->declared_funcs[x / 8] & (1u << (x % 8))))
		return fc_fail(f, "undeclared function reference");
	if (!push(f, WASM_FUNCREF, &k))
		return false;
	x64_mov_rm(f->a, 1, RAX, x64_mem(R14, CTX_FUNCREFS));
	x64_mov_rm(f->a, 1, RAX, x64_mem(RAX, 8 * (int32_t)x));
	st(f, k, RAX);
	return true;
}

/* table.get x / table.set x: inline, "out of bounds table access" */
bool fc_op_table_get_set(struct fc *f, uint8_t op)
{
	uint32_t x, ki, kv = 0;

	if (!rd_table(f, &x))
		return false;
	if (op == OP_TABLE_SET && !fc_pop(f, elemtype(f, x), &kv, NULL))
		return false;
	if (!fc_pop(f, I32, &ki, NULL))
		return false;
	if (!fc_table_index(f, x, ki, WASM_TRAP_TABLE_OOB))
		return false;
	struct x64_mem e = x64_mem_idx(RDX, RAX, 8, 0);
	if (op == OP_TABLE_SET) {
		x64_mov_rm(f->a, 1, RCX, S(f, kv));
		x64_mov_mr(f->a, 1, e, RCX);
		return true;
	}
	if (!push(f, elemtype(f, x), &ki))
		return false;
	x64_mov_rm(f->a, 1, RAX, e);
	st(f, ki, RAX);
	return true;
}

bool fc_op_table_size(struct fc *f)
{
	uint32_t x, k;

	if (!rd_table(f, &x) || !push(f, I32, &k))
		return false;
	fc_ld_table(f, x);
	x64_mov_rm(f->a, 0, RAX, x64_mem(RDX, offsetof(struct jit_table, size)));
	st(f, k, RAX);
	return true;
}

/* table.grow x: init n -> old size or -1 */
bool fc_op_table_grow(struct fc *f)
{
	uint32_t x, kn, kv;

	if (!rd_table(f, &x))
		return false;
	if (!fc_pop(f, I32, &kn, NULL) || !fc_pop(f, elemtype(f, x), &kv, NULL) ||
	    !push(f, I32, NULL))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_ri(f->a, RSI, x);
	arg_slot(f, RDX, kv, 1);
	arg_slot(f, RCX, kn, 0);
	if (!fc_call_rt(f, offsetof(struct jit_rt, table_grow)))
		return false;
	x64_mov_rr(f->a, 0, RAX, RAX);
	st(f, kv, RAX);
	return true;
}

/* table.fill x: i val n */
bool fc_op_table_fill(struct fc *f)
{
	uint32_t x, ki, kv, kn;

	if (!rd_table(f, &x))
		return false;
	if (!fc_pop(f, I32, &kn, NULL) || !fc_pop(f, elemtype(f, x), &kv, NULL) ||
	    !fc_pop(f, I32, &ki, NULL))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_ri(f->a, RSI, x);
	arg_slot(f, RDX, ki, 0);
	arg_slot(f, RCX, kv, 1);
	arg_slot(f, R8, kn, 0);
	return fc_call_rt(f, offsetof(struct jit_rt, table_fill)) && fc_trap_if_eax(f);
}

/* pop d s n (i32) for the copy/init instructions */
static bool pop_dsn(struct fc *f, uint32_t *kd, uint32_t *ks, uint32_t *kn)
{
	return fc_pop(f, I32, kn, NULL) && fc_pop(f, I32, ks, NULL) && fc_pop(f, I32, kd, NULL);
}

/* table.copy x y (dst, src) */
bool fc_op_table_copy(struct fc *f)
{
	uint32_t x, y, kd, ks, kn;

	if (!rd_table(f, &x) || !rd_table(f, &y))
		return false;
	if (elemtype(f, x) != elemtype(f, y))
		return fc_fail(f, "type mismatch");
	if (!pop_dsn(f, &kd, &ks, &kn))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_ri(f->a, RSI, x);
	x64_mov_ri(f->a, RDX, y);
	arg_slot(f, RCX, kd, 0);
	arg_slot(f, R8, ks, 0);
	arg_slot(f, R9, kn, 0);
	return fc_call_rt(f, offsetof(struct jit_rt, table_copy)) && fc_trap_if_eax(f);
}

/* table.init: elem index first in the binary, then the table */
bool fc_op_table_init(struct fc *f)
{
	uint32_t x, y, kd, ks, kn;

	if (!rd_elem(f, &y) || !rd_table(f, &x))
		return false;
	if (elemtype(f, x) != f->m->elems[y].elemtype)
		return fc_fail(f, "type mismatch");
	if (!pop_dsn(f, &kd, &ks, &kn))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_ri(f->a, RSI, x);
	x64_mov_ri(f->a, RDX, y);
	arg_slot(f, RCX, kd, 0);
	arg_slot(f, R8, ks, 0);
	arg_slot(f, R9, kn, 0);
	return fc_call_rt(f, offsetof(struct jit_rt, table_init)) && fc_trap_if_eax(f);
}

bool fc_op_elem_drop(struct fc *f)
{
	uint32_t y;

	if (!rd_elem(f, &y))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_ri(f->a, RSI, y);
	return fc_call_rt(f, offsetof(struct jit_rt, elem_drop));
}

/* memory.init x memidx: d s n */
bool fc_op_memory_init(struct fc *f)
{
	uint32_t x, kd, ks, kn, mem;

	if (!rd_data(f, &x) || !rd_memidx(f, &mem))
		return false;
	if (is64(f, mem)) {     /* memory64: an i64 d, through the runtime */
		if (!fc_pop(f, I32, &kn, NULL) || !fc_pop(f, I32, &ks, NULL) ||
		    !fc_pop(f, I64, &kd, NULL))
			return false;
		x64_mov_rr(f->a, 1, RDI, R14);
		x64_mov_ri(f->a, RSI, mem);
		x64_mov_ri(f->a, RDX, x);
		arg_slot(f, RCX, kd, 1);
		arg_slot(f, R8, ks, 0);
		arg_slot(f, R9, kn, 0);
		return fc_call_rt(f, offsetof(struct jit_rt, memory_init64)) &&
		       fc_trap_if_eax(f);
	}
	if (!pop_dsn(f, &kd, &ks, &kn))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	if (mem) {              /* multi-memory */
		x64_mov_ri(f->a, RSI, mem);
		x64_mov_ri(f->a, RDX, x);
		arg_slot(f, RCX, kd, 0);
		arg_slot(f, R8, ks, 0);
		arg_slot(f, R9, kn, 0);
		return fc_call_rt(f, offsetof(struct jit_rt, memory_init_n)) &&
		       fc_trap_if_eax(f);
	}
	x64_mov_ri(f->a, RSI, x);
	arg_slot(f, RDX, kd, 0);
	arg_slot(f, RCX, ks, 0);
	arg_slot(f, R8, kn, 0);
	return fc_call_rt(f, offsetof(struct jit_rt, memory_init)) && fc_trap_if_eax(f);
}

bool fc_op_data_drop(struct fc *f)
{
	uint32_t x;

	if (!rd_data(f, &x))
		return false;
	x64_mov_rr(f->a, 1, RDI, R14);
	x64_mov_ri(f->a, RSI, x);
	return fc_call_rt(f, offsetof(struct jit_rt, data_drop));
}
