/*
 * fbcon.c — text console on the UEFI GOP linear framebuffer (UEFI 2.10
 * §12.9: PixelRedGreenBlueReserved8BitPerColor or PixelBlueGreenRed...;
 * the loader passes only those, as 32 bpp, pitch in bytes).  We draw in
 * grey levels only (R = G = B), so the two byte orders look the same.
 *
 * Font: a PC Screen Font linked into the kernel as a binary blob
 * (Makefile: console-setup-linux's Uni2-Terminus16, gunzipped, objcopy -I
 * binary).  Both versions are parsed, as untrusted input (every size is
 * checked against the blob):
 *   PSF1 (kbd's psffontdump/psf.h): 0x36 0x04, mode, charsize (= height,
 *        width 8); 256 glyphs, 512 if mode & 1; a Unicode table if mode &
 *        6: per glyph, UCS-2 LE code points ended by 0xffff, 0xfffe
 *        starting a sequence.
 *   PSF2: 0x864ab572, version, headersize, flags (1: Unicode table),
 *        length (glyphs), charsize, height, width; rows of (width+7)/8
 *        bytes, MSB first; the table: per glyph, UTF-8 characters ended
 *        by 0xff, 0xfe starting a sequence.
 * Sequences (combining forms) are skipped; single code points go into
 * a sorted table (binary search); what the font lacks and invalid UTF-8
 * draw U+FFFD's glyph, else '?''s, else glyph 0.  A font without a table
 * maps code point N to glyph N.
 *
 * Drawing: `grid` holds the character cell of every position (what the
 * text says) and `shown` what the framebuffer has; writes and scrolling
 * (a memmove of grid rows) change only `grid`, and each fbcon_write ends
 * by drawing the cells where the two differ.  So VRAM is never read (slow
 * on real hardware: uncached), a write of many lines scrolls once, and a
 * scroll redraws only the cells whose character changed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kernel.h"
#include "fbcon.h"
#include "pci.h"                /* pci_map: device memory, uncached */

#define FG_NORMAL       0x00c0c0c0u
#define FG_BRIGHT       0x00ffffffu
#define BG              0x00000000u

#define FONT_MAX_W      32      /* pixels: a glyph row fits a uint32_t */
#define FONT_MAX_H      64
#define FONT_MAX_GLYPHS 0xfff0u /* cells keep the glyph in 16 bits */
#define MAX_COLS        512     /* bound the two grids; a bigger mode */
#define MAX_ROWS        256     /* is used from its top left corner */
#define TAB_WIDTH       8
#define ESC_MAX         64      /* longest escape sequence we swallow */

#define PSF1_MAGIC0     0x36
#define PSF1_MAGIC1     0x04
#define PSF1_MODE512    0x01
#define PSF1_MODEHASTAB 0x02
#define PSF1_MODESEQ    0x04
#define PSF2_MAGIC      0x864ab572u
#define PSF2_HAS_TABLE  0x01u

/* The blob from the Makefile (objcopy -I binary names the symbols). */
extern const uint8_t _binary_fbcon_font_psf_start[], _binary_fbcon_font_psf_end[];

struct font {
	const uint8_t *glyphs;
	uint32_t nglyphs, charsize;     /* bytes per glyph */
	uint32_t width, height, stride; /* stride: bytes per glyph row */
	bool has_table;                 /* else code point N = glyph N */
	uint32_t fallback;              /* glyph for what we cannot draw */
};

/* A cell: 0 = blank; else glyph | attribute << 16 (attribute 1 normal,
 * 2 bright), never 0. */
#define CELL(glyph, bright) ((uint32_t)(glyph) | ((bright) ? 2u : 1u) << 16)

enum parse { P_TEXT, P_ESC, P_CSI, P_OSC };

static struct font font;
static struct map_ent {
	uint32_t cp;
	uint32_t glyph;
} *map;                                 /* sorted by cp, then glyph */
static size_t nmap;

static struct {
	volatile uint8_t *base;
	uint32_t pitch;
	unsigned cols, rows;
	unsigned col, row;              /* col == cols: wrap before the next */
	uint32_t *grid, *shown;         /* rows * cols cells */
	bool on;
	bool busy;                      /* inside fbcon_write */
	enum parse parse;
	unsigned esc_len;
	uint32_t cp, cp_min;            /* UTF-8 being decoded */
	unsigned need;                  /* continuation bytes still to come */
} fbc;

/* ---- font ---------------------------------------------------------------- */

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The table walkers call this twice over: to count (map == NULL), then
 * to fill. */
static void map_add(uint32_t cp, uint32_t glyph)
{
	if (map)
		map[nmap] = (struct map_ent){ cp, glyph };
	nmap++;
}

static int map_cmp(const void *a, const void *b)
{
	const struct map_ent *x = a, *y = b;

	if (x->cp != y->cp)
		return x->cp < y->cp ? -1 : 1;
	return x->glyph < y->glyph ? -1 : x->glyph > y->glyph;
}

/* The glyph of code point cp (the lowest-numbered one the table gives),
 * or UINT32_MAX if the font has none. */
static uint32_t map_find(uint32_t cp)
{
	size_t lo = 0, hi = nmap;

	if (!font.has_table)
		return cp < font.nglyphs ? cp : UINT32_MAX;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (map[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nmap && map[lo].cp == cp ? map[lo].glyph : UINT32_MAX;
}

static uint32_t map_get(uint32_t cp)
{
	uint32_t g = map_find(cp);

	return g == UINT32_MAX ? font.fallback : g;
}

/* One UTF-8 character of a PSF2 table at *p (< end): its code point, or
 * UINT32_MAX if malformed (then *p moves past one byte). */
static uint32_t utf8_at(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *s = *p;
	unsigned n = s[0] < 0x80 ? 0 : s[0] >= 0xc2 && s[0] <= 0xdf ? 1 :
		     s[0] >= 0xe0 && s[0] <= 0xef ? 2 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 3 : 4;
	uint32_t cp = n == 0 ? s[0] : s[0] & (0x3f >> n);

	*p = s + 1;
	if (n == 4 || (size_t)(end - s) <= n)
		return UINT32_MAX;
	for (unsigned i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return UINT32_MAX;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	*p = s + 1 + n;
	return cp;
}

static void walk_table_psf2(const uint8_t *p, const uint8_t *end)
{
	for (uint32_t g = 0; g < font.nglyphs && p < end; g++) {
		bool seq = false;

		while (p < end && *p != 0xff) {
			uint32_t cp;

			if (*p == 0xfe) {
				seq = true;
				p++;
				continue;
			}
			cp = utf8_at(&p, end);
			if (!seq && cp != UINT32_MAX)
				map_add(cp, g);
		}
		p++;                    /* the 0xff */
	}
}

static void walk_table_psf1(const uint8_t *p, const uint8_t *end)
{
	for (uint32_t g = 0; g < font.nglyphs && end - p >= 2; g++) {
		bool seq = false;

		for (; end - p >= 2; p += 2) {
			uint32_t u = p[0] | (uint32_t)p[1] << 8;

			if (u == 0xffff)
				break;
			if (u == 0xfffe)
				seq = true;
			else if (!seq)
				map_add(u, g);
		}
		p += 2;
	}
}

/* Code point -> glyph, sorted (a font with 512 glyphs has ~1000). */
static int map_build(bool psf1, const uint8_t *tab, const uint8_t *end)
{
	for (int pass = 0; pass < 2; pass++) {
		nmap = 0;
		if (psf1)
			walk_table_psf1(tab, end);
		else
			walk_table_psf2(tab, end);
		if (pass == 0 && !(map = calloc(nmap ? nmap : 1, sizeof *map)))
			return -ENOMEM;
	}
	qsort(map, nmap, sizeof *map, map_cmp);
	return 0;
}

static int font_check(size_t size, size_t hdr)
{
	uint64_t data = (uint64_t)font.nglyphs * font.charsize;

	if (!font.width || font.width > FONT_MAX_W || !font.height ||
	    font.height > FONT_MAX_H || !font.nglyphs || font.nglyphs > FONT_MAX_GLYPHS)
		return -EINVAL;
	font.stride = (font.width + 7) / 8;
	if (font.charsize != font.stride * font.height || hdr > size ||
	    data > size - hdr)
		return -EINVAL;
	return 0;
}

static int font_parse(const uint8_t *buf, size_t size)
{
	bool psf1 = size >= 4 && buf[0] == PSF1_MAGIC0 && buf[1] == PSF1_MAGIC1;
	size_t hdr;
	int r;

	memset(&font, 0, sizeof font);
	if (psf1) {
		hdr = 4;
		font.nglyphs = buf[2] & PSF1_MODE512 ? 512 : 256;
		font.charsize = font.height = buf[3];
		font.width = 8;
		font.has_table = buf[2] & (PSF1_MODEHASTAB | PSF1_MODESEQ);
	} else if (size >= 32 && le32(buf) == PSF2_MAGIC) {
		hdr = le32(buf + 8);
		font.has_table = le32(buf + 12) & PSF2_HAS_TABLE;
		font.nglyphs = le32(buf + 16);
		font.charsize = le32(buf + 20);
		font.height = le32(buf + 24);
		font.width = le32(buf + 28);
		if (hdr < 32)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if ((r = font_check(size, hdr)))
		return r;
	font.glyphs = buf + hdr;
	if (font.has_table &&
	    (r = map_build(psf1, font.glyphs + font.nglyphs * font.charsize, buf + size)))
		return r;
	if ((font.fallback = map_find(0xfffd)) == UINT32_MAX &&
	    (font.fallback = map_find('?')) == UINT32_MAX)
		font.fallback = 0;
	return 0;
}

/* ---- drawing ------------------------------------------------------------- */

static void draw_cell(unsigned row, unsigned col, uint32_t cell)
{
	volatile uint8_t *p = fbc.base + (size_t)row * font.height * fbc.pitch +
			      (size_t)col * font.width * 4;
	const uint8_t *g = font.glyphs + (size_t)(cell & 0xffff) * font.charsize;
	uint32_t fg = cell >> 16 == 2 ? FG_BRIGHT : FG_NORMAL;

	for (uint32_t y = 0; y < font.height; y++, p += fbc.pitch, g += font.stride) {
		volatile uint32_t *px = (volatile uint32_t *)p;

		for (uint32_t x = 0; x < font.width; x++)
			px[x] = cell && (g[x >> 3] & (0x80 >> (x & 7))) ? fg : BG;
	}
}

static void flush(void)
{
	for (unsigned r = 0; r < fbc.rows; r++) {
		uint32_t *want = fbc.grid + (size_t)r * fbc.cols;
		uint32_t *have = fbc.shown + (size_t)r * fbc.cols;

		for (unsigned c = 0; c < fbc.cols; c++) {
			if (want[c] == have[c])
				continue;
			draw_cell(r, c, want[c]);
			have[c] = want[c];
		}
	}
}

static void newline(void)
{
	size_t row_cells = fbc.cols;

	fbc.col = 0;
	if (++fbc.row < fbc.rows)
		return;
	fbc.row = fbc.rows - 1;
	memmove(fbc.grid, fbc.grid + row_cells,
		(fbc.rows - 1) * row_cells * sizeof *fbc.grid);
	memset(fbc.grid + (fbc.rows - 1) * row_cells, 0, row_cells * sizeof *fbc.grid);
}

static void put_glyph(uint32_t glyph, bool bright)
{
	if (fbc.col >= fbc.cols)
		newline();
	fbc.grid[(size_t)fbc.row * fbc.cols + fbc.col++] = CELL(glyph, bright);
}

static void put_space(void)
{
	if (fbc.col >= fbc.cols)
		newline();
	fbc.grid[(size_t)fbc.row * fbc.cols + fbc.col++] = 0;
}

static void control(uint8_t c)
{
	switch (c) {
	case '\n':
		newline();
		break;
	case '\r':
		fbc.col = 0;
		break;
	case '\t':
		do
			put_space();
		while (fbc.col % TAB_WIDTH && fbc.col < fbc.cols);
		break;
	case '\b':
		if (fbc.col)
			fbc.col--;
		break;
	case 0x1b:
		fbc.parse = P_ESC;
		fbc.esc_len = 0;
		break;
	default:                /* BEL, NUL, ...: nothing to draw */
		break;
	}
}

/* Inside an escape sequence (ECMA-48 §5.4: CSI parameters 0x30..0x3f,
 * intermediates 0x20..0x2f, final 0x40..0x7e; OSC ends with BEL or ESC \).
 * Swallowed, at most ESC_MAX bytes of it. */
static void escape(uint8_t c)
{
	if (++fbc.esc_len > ESC_MAX) {
		fbc.parse = P_TEXT;
		return;
	}
	switch (fbc.parse) {
	case P_ESC:
		fbc.parse = c == '[' ? P_CSI : c == ']' ? P_OSC : P_TEXT;
		break;
	case P_CSI:
		if (c >= 0x40 && c <= 0x7e)
			fbc.parse = P_TEXT;
		break;
	case P_OSC:
		if (c == 0x07 || c == 0x1b)
			fbc.parse = c == 0x1b ? P_ESC : P_TEXT;
		break;
	default:
		break;
	}
}

static void put_byte(uint8_t c, bool bright)
{
	if (fbc.parse != P_TEXT) {
		escape(c);
		return;
	}
	if (fbc.need) {
		if ((c & 0xc0) == 0x80) {
			fbc.cp = fbc.cp << 6 | (c & 0x3f);
			if (--fbc.need)
				return;
			if (fbc.cp < fbc.cp_min || fbc.cp > 0x10ffff ||
			    (fbc.cp >= 0xd800 && fbc.cp <= 0xdfff))
				put_glyph(font.fallback, bright);
			else
				put_glyph(map_get(fbc.cp), bright);
			return;
		}
		fbc.need = 0;           /* cut short: mark it, then read c */
		put_glyph(font.fallback, bright);
	}
	if (c < 0x20 || c == 0x7f) {
		control(c);
	} else if (c < 0x80) {
		put_glyph(map_get(c), bright);
	} else if (c >= 0xc2 && c <= 0xf4) {
		fbc.need = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
		fbc.cp = c & (0x3f >> fbc.need);
		fbc.cp_min = fbc.need == 1 ? 0x80 : fbc.need == 2 ? 0x800 : 0x10000;
	} else {
		put_glyph(font.fallback, bright);
	}
}

void fbcon_write(const void *buf, size_t len, bool bright)
{
	const uint8_t *s = buf;

	if (!fbc.on)
		return;
	if (fbc.busy) {         /* a fault inside fbcon: never again */
		fbc.on = false;
		return;
	}
	fbc.busy = true;
	for (size_t i = 0; i < len; i++)
		put_byte(s[i], bright);
	flush();
	fbc.busy = false;
}

bool fbcon_active(void)
{
	return fbc.on;
}

/* ---- init ---------------------------------------------------------------- */

static void clear_screen(uint32_t height, uint32_t width)
{
	for (uint32_t y = 0; y < height; y++) {
		volatile uint32_t *px = (volatile uint32_t *)(fbc.base + (size_t)y * fbc.pitch);

		for (uint32_t x = 0; x < width; x++)
			px[x] = BG;
	}
}

int fbcon_init(const struct boot_framebuffer *fb)
{
	size_t ncells;
	int r;

	if (!fb->base || !fb->width || !fb->height) {
		klog("fbcon: no framebuffer");
		return -ENODEV;
	}
	if (fb->bpp != 32 || fb->pitch / 4 < fb->width) {
		klog("fbcon: framebuffer %ux%u, %u bpp, pitch %u: not drawn on",
		     fb->width, fb->height, fb->bpp, fb->pitch);
		return -ENOTSUP;
	}
	r = font_parse(_binary_fbcon_font_psf_start,
		       _binary_fbcon_font_psf_end - _binary_fbcon_font_psf_start);
	if (r) {
		klog("fbcon: the linked-in font is not a valid PSF1/PSF2 font");
		return r;
	}
	fbc.cols = fb->width / font.width;
	fbc.rows = fb->height / font.height;
	if (!fbc.cols || !fbc.rows) {
		klog("fbcon: framebuffer %ux%u: smaller than one character",
		     fb->width, fb->height);
		return -ENOTSUP;
	}
	if (fbc.cols > MAX_COLS)
		fbc.cols = MAX_COLS;
	if (fbc.rows > MAX_ROWS)
		fbc.rows = MAX_ROWS;
	ncells = (size_t)fbc.cols * fbc.rows;
	fbc.pitch = fb->pitch;
	fbc.base = (volatile uint8_t *)pci_map(fb->base, (uint64_t)fb->pitch * fb->height);
	fbc.grid = calloc(ncells, sizeof *fbc.grid);
	fbc.shown = calloc(ncells, sizeof *fbc.shown);
	if (!fbc.base || !fbc.grid || !fbc.shown) {
		free(fbc.grid);
		free(fbc.shown);
		fbc.grid = fbc.shown = NULL;
		klog("fbcon: cannot map %#lx or allocate %lu cells", fb->base, ncells);
		return -ENOMEM;
	}
	clear_screen(fb->height, fb->width);
	fbc.on = true;
	klog("fbcon: %ux%u framebuffer at %#lx, %u x %u characters (font %ux%u, "
	     "%u glyphs)", fb->width, fb->height, fb->base, fbc.cols, fbc.rows,
	     font.width, font.height, font.nglyphs);
	return 0;
}
