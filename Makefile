# SPDX-License-Identifier: MIT
# Thin wrapper over CMake; see README.md.
BUILD   ?= build
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
EXAMPLE ?= examples/feder2021.yaml
OUT     ?= out/feder2021

.PHONY: all deps configure build run test bench asan tsan fuzz clean

all: build

deps:
	@scripts/install-deps

configure:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: deps build
	@$(BUILD)/ketasim run $(EXAMPLE) --out $(OUT)

test: deps build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: deps
	@scripts/install-deps --bench
	@$(MAKE) --no-print-directory build
	@bench/run

asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKETASIM_SANITIZE="address;undefined" -DKETASIM_WERROR=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS) -LE slow

clean:
	rm -rf $(BUILD) build-asan build-tsan
