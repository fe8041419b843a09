/*
 * error.c — text for load/link errors and traps.  Trap messages are the
 * exact strings of the WebAssembly spec testsuite's assert_trap /
 * assert_exhaustion directives (Core spec 2.0, the test/core .wast files).
 */
#include <stdarg.h>
#include <stdio.h>
#include "wasm.h"

void wasm_error_format(const struct wasm_error *e, char *buf, size_t len)
{
	const char *msg = e->msg ? e->msg : "unknown error";
	const char *sep = e->detail[0] ? " (" : "";
	const char *end = e->detail[0] ? ")" : "";

	if (!len)
		return;
	if (e->section)
		snprintf(buf, len, "section '%s' at offset 0x%zx: %s%s%s%s",
			 e->section, e->offset, msg, sep, e->detail, end);
	else
		snprintf(buf, len, "at offset 0x%zx: %s%s%s%s",
			 e->offset, msg, sep, e->detail, end);
}

static const char *const trap_messages[WASM_TRAP__COUNT] = {
	[WASM_TRAP_NONE]                  = "no trap",
	[WASM_TRAP_UNREACHABLE]           = "unreachable",
	[WASM_TRAP_MEMORY_OOB]            = "out of bounds memory access",
	[WASM_TRAP_DIV_BY_ZERO]           = "integer divide by zero",
	[WASM_TRAP_INT_OVERFLOW]          = "integer overflow",
	[WASM_TRAP_INVALID_CONVERSION]    = "invalid conversion to integer",
	[WASM_TRAP_UNDEFINED_ELEMENT]     = "undefined element",
	[WASM_TRAP_UNINITIALIZED_ELEMENT] = "uninitialized element",
	[WASM_TRAP_INDIRECT_CALL_TYPE]    = "indirect call type mismatch",
	[WASM_TRAP_TABLE_OOB]             = "out of bounds table access",
	[WASM_TRAP_NULL_REFERENCE]        = "null reference",
	[WASM_TRAP_STACK_EXHAUSTED]       = "call stack exhausted",
	[WASM_TRAP_HOST]                  = "host function error",
	[WASM_TRAP_EXIT]                  = "exit",
	[WASM_TRAP_EXCEPTION]             = "uncaught exception",
};

const char *wasm_trap_message(enum wasm_trap_code code)
{
	if ((unsigned)code >= WASM_TRAP__COUNT)
		return "unknown trap";
	return trap_messages[code];
}

/* snprintf into buf at *pos, never past len. */
static void put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n < len - *pos ? (size_t)n : len - *pos - 1;
}

const char *wasm_trap_text(const struct wasm_trap *t, char *buf, size_t len)
{
	size_t pos = 0;

	if (!len)
		return buf;
	buf[0] = 0;
	put(buf, len, &pos, "%s", wasm_trap_message(t->code));
	if (t->has_index)       /* the reference interpreter's Int32.to_string */
		put(buf, len, &pos, " %d", (int32_t)t->index);
	else if (t->code == WASM_TRAP_HOST && t->host_msg[0])
		put(buf, len, &pos, ": %.*s", (int)sizeof t->host_msg, t->host_msg);
	return buf;
}

void wasm_trap_format(const struct wasm_trap *t, char *buf, size_t len)
{
	size_t pos = 0;
	uint32_t n = t->nframes < WASM_BACKTRACE_MAX ? t->nframes : WASM_BACKTRACE_MAX;
	char msg[160];

	if (!len)
		return;
	buf[0] = 0;
	if (t->code == WASM_TRAP_EXIT)
		put(buf, len, &pos, "wasm exit: status %d\n", (int)t->exit_code);
	else
		put(buf, len, &pos, "wasm trap: %s\n", wasm_trap_text(t, msg, sizeof msg));
	for (uint32_t i = 0; i < n; i++) {
		const struct wasm_frame *f = &t->frames[i];

		put(buf, len, &pos, "  #%u func[%u] %s at wasm offset 0x%x\n",
		    i, f->func_index, f->name ? f->name : "?", f->offset);
	}
}

const char *wasm_valtype_name(uint8_t t)
{
	switch (t) {
	case WASM_I32: return "i32";
	case WASM_I64: return "i64";
	case WASM_F32: return "f32";
	case WASM_F64: return "f64";
	case WASM_V128: return "v128";
	case WASM_FUNCREF: return "funcref";
	case WASM_EXTERNREF: return "externref";
	default: return "?";
	}
}

void wasm_error_set(struct wasm_error *err, const char *msg,
		      const char *section, size_t off, const char *detail)
{
	if (!err)
		return;
	err->msg = msg;
	err->section = section;
	err->offset = off;
	snprintf(err->detail, sizeof err->detail, "%s", detail ? detail : "");
	err->kind = WASM_ERR_INVALID;
}

/* The module's names go to a terminal: control characters become '?'. */
static void no_controls(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void wasm_error_link(struct wasm_error *err, const char *msg, const char *module,
		     const char *name)
{
	if (!err)
		return;
	wasm_error_set(err, msg, "import", 0, NULL);
	snprintf(err->detail, sizeof err->detail, "%s::%s", module, name);
	no_controls(err->detail);
	err->kind = WASM_ERR_LINK;
}

void wasm_error_resource(struct wasm_error *err, const char *msg,
			 const char *section, const char *detail)
{
	if (!err)
		return;
	wasm_error_set(err, msg, section, 0, detail);
	err->kind = WASM_ERR_RESOURCE;
}
