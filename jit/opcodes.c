/*
 * opcodes.c — the per-opcode tables expanded from the one opcode table
 * (opcodes.h, Core spec 2.0 §5.4): what the decoder, the instantiator and
 * the compiler look up by opcode byte or 0xfc/0xfd sub-opcode.
 */
#include "opcodes.h"

const struct wasm_opinfo wasm_opinfo[256] = {
#define X(code, cname, name, imm, flags, a, b, r) \
	[code] = { name, OPI_##imm, flags, { a, b, r } },
	WASM_OPCODES(X)
#undef X
};

const struct wasm_fc_opinfo wasm_fc_opinfo[OPFC__COUNT] = {
#define X(sub, cname, name, imm, a, r) [sub] = { name, OPI_##imm, { a, r } },
	WASM_FC_OPCODES(X)
#undef X
};

const struct wasm_fd_opinfo wasm_fd_opinfo[OPFD__COUNT] = {
#define X(sub, cname, name, imm, n, a, b, c, r) \
	[sub] = { name, OPI_##imm, n, { a, b, c, r } },
	WASM_FD_OPCODES(X)
#undef X
};
