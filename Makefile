# SPDX-License-Identifier: MIT
# Thin wrapper over CMake; see README.md.
BUILD   ?= build
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
EXAMPLE ?= examples/feder2021.yaml
OUT     ?= out/feder2021

.PHONY: all deps deps-test configure build run test bench asan tsan fuzz clean

all: build

deps:
	@scripts/install-deps

configure:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: deps build
	@$(BUILD)/ketasim run $(EXAMPLE) --out $(OUT)

deps-test:
	@scripts/install-deps --test

test: deps-test build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: deps
	@scripts/install-deps --bench
	@$(MAKE) --no-print-directory build
	@bench/run

asan: deps-test
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKETASIM_SANITIZE="address;undefined" -DKETASIM_WERROR=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/report/lsan.supp:print_suppressions=0 \
	  ctest --output-on-failure -j $(JOBS) -LE slow

# Fuzzing (fuzz/README.md): clang libFuzzer + ASan/UBSan in build-fuzz/, each harness run for
# FUZZ_SECONDS from the seed corpus of fuzz/corpus/<target>/ (new inputs go to
# build-fuzz/corpus/<target>/, crashes to build-fuzz/artifacts/<target>/).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= scenario units connectome csv nonmem
fuzz: deps
	@scripts/install-deps --sanitizers
	@cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DKETASIM_SANITIZE="address;undefined;fuzzer-no-link" -DKETASIM_FUZZ=ON \
	  -DKETASIM_WITH_MPI=OFF -DKETASIM_WITH_HDF5=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	@failed=; for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus/$$t build-fuzz/artifacts/$$t; \
	  dict=; if [ -f fuzz/$$t.dict ]; then dict=-dict=fuzz/$$t.dict; fi; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/fuzz/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=print_stacktrace=1 TMPDIR=$(CURDIR)/build-fuzz \
	  build-fuzz/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -max_len=16384 -print_final_stats=1 $$dict -artifact_prefix=build-fuzz/artifacts/$$t/ \
	    build-fuzz/corpus/$$t fuzz/corpus/$$t || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: findings in$$failed (see build-fuzz/artifacts/)"; exit 1; fi

# ThreadSanitizer (fuzz/README.md): clang + LLVM libomp in build-tsan/, with the Archer OMPT tool
# (libarcher.so, from libomp-dev) so that OpenMP's barriers and locks are visible to TSan, and
# ignore_noninstrumented_modules=1 for libomp's own internals; runs the threaded tests.
TSAN_TESTS ?= ^test_trial$$|cli_determinism_threads
tsan: deps-test
	@scripts/install-deps --sanitizers
	@cmake -S . -B build-tsan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DKETASIM_SANITIZE=thread -DKETASIM_WITH_MPI=OFF -DKETASIM_WITH_HDF5=OFF >/dev/null
	@cmake --build build-tsan -j $(JOBS)
	@cd build-tsan && OMP_TOOL_LIBRARIES=$${ARCHER:-$$(ls /usr/lib/llvm-*/lib/libarcher.so | head -n 1)} ARCHER_OPTIONS=verbose=0 \
	  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ignore_noninstrumented_modules=1" \
	  ctest --output-on-failure -R '$(TSAN_TESTS)'

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz
