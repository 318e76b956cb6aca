// libFuzzer's entry for programs that own main() (compiler-rt FuzzerInterface.h). SwiftPM renames
// an executable's Swift main and points the linker's `main` at it, so libFuzzer's own main() can
// never be used from a SwiftPM target: each fuzz target's @main calls this instead.
#pragma once
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
