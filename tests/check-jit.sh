#!/usr/bin/env bash
# check-jit.sh — `make JIT_DEBUG=1 check-jit`: the unit tests and the spec
# testsuite, hosted, counted exactly as make test counts them (tests/run.sh's
# own functions: a SKIP is skipped, a program without its summary line or
# with a non-zero status fails).  BUILD names the build tree
# (build-jit-debug with JIT_DEBUG=1: the compiler's invariant checks on).
# Last line "N passed, N failed, N skipped"; status 1 if any failed.
set -u
cd "$(dirname "$0")/.." || exit 1
WASMETAL_RUN_SH_FUNCTIONS=1 . tests/run.sh
unit_tests
spec_tests hosted
summary
