#!/bin/sh
# build-newlib.sh — newlib's libc.a + libm.a (and headers) for the kernel,
# from Debian's newlib-source tarball (/usr/src/newlib), compiled by the HOST
# gcc as a freestanding x86-64 target.  Nothing is copied into the tree.
#
#   host/tools/build-newlib.sh               build (no-op when already built)
#   host/tools/build-newlib.sh --print-prefix   print the install prefix only
#
# The prefix is $CACHE/newlib-<debian version>-<hash of flags+options>
# (CACHE defaults to ~/.cache/wasmetal) and holds include/, lib/libc.a,
# lib/libm.a and .built.  The host gcc poses as a cross compiler through
# wrapper scripts x86_64-elf-{gcc,ar,as,...} that add the kernel's flags;
# newlib is configured --target=x86_64-elf with no syscalls of its own: the
# kernel provides _write, _sbrk, ... (see kernel/).
set -eu

CACHE=${CACHE:-$HOME/.cache/wasmetal}
SRCDIR=/usr/src/newlib

# Kernel code model; newlib's printf uses floats, so no -mgeneral-regs-only
# (the kernel enables SSE before calling into libc).
TARGET_CFLAGS="-O2 -ffreestanding -mcmodel=kernel -mno-red-zone -fno-pic \
-fno-pie -fno-stack-protector"
CONFIG_OPTS="--disable-multilib --disable-newlib-supplied-syscalls \
--enable-newlib-io-long-long --enable-newlib-io-c99-formats \
--disable-newlib-multithread --disable-nls"

version() {
	v=$(dpkg-query -W -f='${Version}' newlib-source 2>/dev/null || true)
	[ -n "$v" ] || v=unknown
	printf '%s' "$v" | tr -c 'A-Za-z0-9.+~-' '_'
}

prefix() {
	h=$(printf '%s|%s|v1' "$TARGET_CFLAGS" "$CONFIG_OPTS" | sha256sum | cut -c1-8)
	printf '%s/newlib-%s-%s\n' "$CACHE" "$(version)" "$h"
}

PREFIX=$(prefix)
if [ "${1:-}" = "--print-prefix" ]; then
	echo "$PREFIX"
	exit 0
fi
[ -f "$PREFIX/.built" ] && exit 0

# One build at a time per cache (parallel makes, several checkouts).
mkdir -p "$CACHE"
exec 9>"$CACHE/.newlib.lock"
flock 9
[ -f "$PREFIX/.built" ] && exit 0

TARBALL=$(ls "$SRCDIR"/newlib-*.tar.* 2>/dev/null | head -n 1 || true)
if [ -z "$TARBALL" ]; then
	echo "build-newlib.sh: no newlib tarball in $SRCDIR (apt-get install newlib-source)" >&2
	exit 1
fi

WORK=$(mktemp -d "$CACHE/newlib-build.XXXXXX")
LOG="$PREFIX.log"
trap 'rm -rf "$WORK"' EXIT
fail() {
	echo "build-newlib.sh: $1 failed; last lines of $LOG:" >&2
	tail -n 30 "$LOG" >&2
	exit 1
}

echo "build-newlib.sh: building newlib into $PREFIX (log: $LOG)" >&2
: >"$LOG"

# The fake cross toolchain.
GCCINC=$(gcc -print-file-name=include 2>>"$LOG") || fail "gcc -print-file-name"
[ -d "$GCCINC" ] || fail "finding gcc's own headers ($GCCINC)"
mkdir -p "$WORK/bin"
cat >"$WORK/bin/x86_64-elf-gcc" <<EOW
#!/bin/sh
exec gcc -nostdinc -isystem "$GCCINC" $TARGET_CFLAGS "\$@"
EOW
for t in ar as ld nm ranlib objcopy objdump readelf strip; do
	printf '#!/bin/sh\nexec %s "$@"\n' "$t" >"$WORK/bin/x86_64-elf-$t"
done
ln -s x86_64-elf-gcc "$WORK/bin/x86_64-elf-cc"
chmod +x "$WORK/bin"/*
PATH="$WORK/bin:$PATH"
export PATH

tar -xf "$TARBALL" -C "$WORK" >>"$LOG" 2>&1 || fail "unpacking $TARBALL"
SRC=$(find "$WORK" -mindepth 2 -maxdepth 2 -name configure -path '*/newlib*' |
	head -n 1 | xargs dirname)
mkdir -p "$WORK/obj"
cd "$WORK/obj"
# shellcheck disable=SC2086
"$SRC/configure" --target=x86_64-elf --prefix="$WORK/inst" $CONFIG_OPTS \
	CFLAGS_FOR_TARGET="$TARGET_CFLAGS" >>"$LOG" 2>&1 || fail configure
make -j2 all-target-newlib >>"$LOG" 2>&1 || fail make
make install-target-newlib >>"$LOG" 2>&1 || fail "make install"

rm -rf "$PREFIX"
mkdir -p "$PREFIX/lib"
cp -R "$WORK/inst/x86_64-elf/include" "$PREFIX/include"
cp "$WORK/inst/x86_64-elf/lib/libc.a" "$WORK/inst/x86_64-elf/lib/libm.a" "$PREFIX/lib/"
touch "$PREFIX/.built"
echo "build-newlib.sh: done" >&2
