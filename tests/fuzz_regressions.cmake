# SPDX-License-Identifier: MIT
# Fuzz regressions: every input in fuzz/regressions/<target>/ (each one a crash, leak, UB or
# violated property found by a fuzzer, then fixed) and the seed corpus fuzz/corpus/<target>/,
# replayed through the harness compiled without libFuzzer. The harnesses and the optional
# libFuzzer binaries are defined in fuzz/CMakeLists.txt.
add_subdirectory(${CMAKE_SOURCE_DIR}/fuzz ${CMAKE_BINARY_DIR}/fuzz)
