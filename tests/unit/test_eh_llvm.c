/*
 * test_eh_llvm.c — test_eh.c's cases on code of the LLVM backend
 * (host/llvm/llvm_eh.c; docs/abi.md "Exceptions"): every module LLVM,
 * then the exporting instance A single-pass with B LLVM and the other way
 * round (exceptions thrown in one backend's code caught in the other's,
 * through imported tags, imported functions and call_indirect).
 * B's tail calls out of try and catch bodies run on both backends.  The
 * single-pass compiler's own cases (compile
 * time, validation, the tag limit) stay in test_eh.
 */
#define TEST_EH_LLVM 1
#include "test_eh.c"
