# Makefile: the entry points. Every target installs missing Debian packages first.
JOBS ?= $(shell nproc)
SOURCES = $(shell git ls-files '*.cpp' '*.h' 2>/dev/null)

.PHONY: deps demo test asan bench bench-compare fuzz format format-check clean

deps:
	@scripts/install-deps.sh

demo: deps
	@cmake --preset release >/dev/null
	@cmake --build build/release -j$(JOBS) --target athanor >/dev/null
	@rm -rf build/demo
	@./build/release/tools/athanor/athanor train examples/fashion_mnist_mlp.toml \
	  --set output.dir=build/demo

test: deps format-check
	cmake --preset dev
	cmake --build build/dev -j$(JOBS)
	ctest --test-dir build/dev --output-on-failure -j$(JOBS)

asan: deps
	cmake --preset asan
	cmake --build build/asan -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --test-dir build/asan --output-on-failure -j$(JOBS)

bench: deps
	cmake --preset release -DATHANOR_BUILD_BENCH=ON
	cmake --build build/release -j$(JOBS) --target bench_matmul
	./build/release/bench/bench_matmul

# Trains the four benchmark models in athanor and in PyTorch, 1 and 2 threads, and prints the ratios.
# The peer needs Debian's PyTorch, and OpenBLAS behind it (the reference BLAS is 5-20x slower).
bench-compare: deps
	@for p in python3-torch libopenblas0-pthread; do dpkg -s $$p >/dev/null 2>&1 || \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$p >/dev/null; done
	@cmake --preset release -DATHANOR_BUILD_BENCH=ON >/dev/null
	@cmake --build build/release -j$(JOBS) --target bench_models bench_matmul >/dev/null
	@bench/compare.py --athanor build/release/bench/bench_models

# libFuzzer targets (clang-14) over every reader, FUZZ_SECONDS each (scripts/fuzz.sh).
fuzz: deps
	@scripts/fuzz.sh

format:
	clang-format -i $(SOURCES)

format-check:
	@clang-format --dry-run --Werror $(SOURCES) || \
	  (echo "formatting differs from .clang-format: run 'make format'" >&2; exit 1)

clean:
	rm -rf build
