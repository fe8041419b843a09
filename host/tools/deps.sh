#!/bin/sh
# deps.sh — install the Debian 12 packages wasmetal builds and boots with.
# Idempotent: one dpkg-query when everything is present (the common case);
# otherwise one `apt-get update` and one non-interactive install of exactly
# the missing packages.  Needs root only when something is missing.
set -eu

# console-setup-linux: the PSF font of the framebuffer console (Makefile,
# drivers/fbcon.c); dpkg-dev: dpkg-source, with which host/tools/fetch-lwip.sh
# unpacks and patches lwIP's Debian source package; python3, curl and wrk:
# the network tests' clients (tests/net/) and bench/net.sh; iproute2: `ip
# netns` and `ip tuntap` for the TAP tests (tap_netns.sh, hostile.sh);
# python3-scapy: the bad frames of tests/net/hostile_frames.py.
# llvm-14-dev: the LLVM-C headers and libLLVM-14 of the LLVM backend
# (host/llvm/, issue 9) and its test (tests/unit/test_llvm.c).
# emscripten: em++ -fwasm-exceptions for tests/wasi/*.cpp (issue 10; its
# system libraries come prebuilt in the package, the Makefile says why
# not clang + libc++abi-14-dev-wasm32).
PKGS="build-essential gnu-efi ovmf qemu-system-x86 qemu-utils mtools fdisk
dosfstools wabt binaryen clang lld wasi-libc libclang-rt-14-dev-wasm32
newlib-source libjansson-dev console-setup-linux dpkg-dev python3 curl wrk
iproute2 python3-scapy strace llvm-14-dev emscripten"

# One dpkg-query for all of them; unknown packages print nothing here.
installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' $PKGS 2>/dev/null |
	awk '$1 == "ii" { print $2 }' || true)
missing=""
for p in $PKGS; do
	case " $(echo $installed) " in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done
# Any node will do (nodesource, nvm...); Debian's only if there is none.
if ! command -v node >/dev/null 2>&1; then
	missing="$missing nodejs"
fi

[ -z "$missing" ] && exit 0

echo "deps.sh: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo -n"
	else
		echo "deps.sh: missing packages:$missing (run as root)" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update </dev/null
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y \
	--no-install-recommends $missing </dev/null
