/*
 * manifest.c — the lexical layer of the manifest (docs/manifest.md): one
 * `key value` pair per line, `#` comments, values bare words or
 * double-quoted strings with C-like escapes.  Hostile input: every read is
 * bounded by the text's end, no allocation, no recursion; what the keys
 * mean is images/parse/bundle_read.c's business.
 *
 *   line   = *blank [ key [ 1*blank value ] ] *blank [ "#" *any ] ( LF | CRLF | end )
 *   key    = 1*( a-z / 0-9 / "-" )
 *   value  = bare / quoted
 *   bare   = 1*( printable ASCII except  " # \  )
 *   quoted = DQUOTE *( printable except " \ / 0x80-0xff / escape ) DQUOTE
 *   escape = "\\" / "\"" / "\n" / "\t" / "\r" / "\x" 2HEXDIG (not 00)
 */
#include <errno.h>
#include <string.h>
#include "bundle_parse.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static bool is_bare_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != '#' && c != '\\';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The line [p, eol) without a trailing CR. */
static const char *line_end(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *eol = nl ? nl : end;

	*next = nl ? nl + 1 : end;
	if (eol > p && eol[-1] == '\r')
		eol--;
	return eol;
}

/* A quoted string starting after its opening quote; returns the position
 * of the closing quote, or NULL. */
static const char *scan_quoted(const char *p, const char *eol, const char **why)
{
	while (p < eol && *p != '"') {
		unsigned char c = *p;

		if (c == '\\') {
			if (p + 1 >= eol)
				return (*why = "backslash at the end of a line", NULL);
			/* \x's digits checked here: skipping 4 bytes blindly
			   took the quote of "\x4" as a digit and called the
			   string unterminated */
			if (p[1] == 'x' && (eol - p < 4 || hex_digit(p[2]) < 0 ||
					    hex_digit(p[3]) < 0))
				return (*why = "\\x needs two hex digits", NULL);
			p += p[1] == 'x' ? 4 : 2;       /* the rest checked when decoded */
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			return (*why = "control character in a string (use an escape)", NULL);
		p++;
	}
	if (p >= eol)
		return (*why = "unterminated string", NULL);
	return p;
}

static int scan_value(struct manifest_line *l, const char *p, const char *eol,
		      const char **after, const char **why)
{
	const char *q;

	if (*p == '"') {
		if (!(q = scan_quoted(p + 1, eol, why)))
			return -EINVAL;
		l->val = p + 1;
		l->val_len = (size_t)(q - p - 1);
		l->quoted = true;
		*after = q + 1;
		return 0;
	}
	for (q = p; q < eol && is_bare_char(*q); q++)
		;
	if (q == p)
		return (*why = "bad character in a value (quote it)", -EINVAL);
	l->val = p;
	l->val_len = (size_t)(q - p);
	*after = q;
	return 0;
}

/* One line's key and value; 1 = has a key, 0 = blank/comment. */
static int scan_line(struct manifest_line *l, const char *p, const char *eol,
		     const char **why)
{
	const char *k;

	memset(l, 0, sizeof *l);
	while (p < eol && is_blank(*p))
		p++;
	if (p == eol || *p == '#')
		return 0;
	for (k = p; p < eol && is_key_char(*p); p++)
		;
	if (p == k || (p < eol && !is_blank(*p) && *p != '#'))
		return (*why = "bad key (lower-case letters, digits and '-')", -EINVAL);
	l->key = k;
	l->key_len = (size_t)(p - k);
	while (p < eol && is_blank(*p))
		p++;
	if (p < eol && *p != '#') {
		if (scan_value(l, p, eol, &p, why))
			return -EINVAL;
		l->has_val = true;
		while (p < eol && is_blank(*p))
			p++;
		if (p < eol && *p != '#')
			return (*why = "text after the value (quote values with spaces)", -EINVAL);
	}
	return 1;
}

int manifest_next(struct manifest_iter *it, struct manifest_line *l,
		  const char **why)
{
	while (it->p < it->end) {
		const char *next, *eol = line_end(it->p, it->end, &next);
		int r;

		it->line++;
		r = scan_line(l, it->p, eol, why);
		it->p = next;
		if (r)
			return r;
	}
	return 0;
}

static int decode_escape(const char *p, const char *end, char *c, size_t *used,
			 const char **why)
{
	int hi, lo;

	switch (p[1]) {
	case '\\': *c = '\\'; break;
	case '"': *c = '"'; break;
	case 'n': *c = '\n'; break;
	case 't': *c = '\t'; break;
	case 'r': *c = '\r'; break;
	case 'x':
		if (end - p < 4 || (hi = hex_digit(p[2])) < 0 || (lo = hex_digit(p[3])) < 0)
			return (*why = "\\x needs two hex digits", -EINVAL);
		if (!(*c = (char)(hi << 4 | lo)))
			return (*why = "\\x00: strings cannot hold NUL", -EINVAL);
		*used = 4;
		return 0;
	default:
		return (*why = "unknown escape (\\\\ \\\" \\n \\t \\r \\xHH)", -EINVAL);
	}
	*used = 2;
	return 0;
}

int manifest_value(const struct manifest_line *l, char *out, size_t *len,
		   const char **why)
{
	const char *p = l->val, *end = l->val + l->val_len;
	size_t n = 0, used;
	char c;

	if (!l->quoted) {
		if (out)
			memcpy(out, l->val, l->val_len);
		*len = l->val_len;
		return 0;
	}
	while (p < end) {
		if (*p == '\\') {
			if (end - p < 2)
				return (*why = "backslash at the end of a string", -EINVAL);
			if (decode_escape(p, end, &c, &used, why))
				return -EINVAL;
			p += used;
		} else {
			c = *p++;
		}
		if (out)
			out[n] = c;
		n++;
	}
	*len = n;
	return 0;
}

bool manifest_key_is(const struct manifest_line *l, const char *key)
{
	return strlen(key) == l->key_len && !memcmp(l->key, key, l->key_len);
}

bool manifest_val_is(const struct manifest_line *l, const char *word)
{
	return l->has_val && strlen(word) == l->val_len &&
	       !memcmp(l->val, word, l->val_len);
}
