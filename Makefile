# durafn: `make demo` runs the main job, `make test` runs every test (the conformance
# requirements included), `make conformance` runs only those. Both install what is
# missing first (Debian packages, via scripts/install-deps.sh).

BUILD_TYPE ?= RelWithDebInfo
SANITIZE ?= 0
JOBS ?= $(shell nproc)
BENCH_ARGS ?=

ifeq ($(SANITIZE),1)
BUILD_DIR ?= build-asan
CMAKE_FLAGS += -DDURAFN_SANITIZE=ON
else
BUILD_DIR ?= build
endif

.PHONY: all deps configure build test bench demo conformance format clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	@bash scripts/bench.sh $(BUILD_DIR) $(BENCH_ARGS)

demo: build
	@bash scripts/demo.sh $(BUILD_DIR)

# The durable-execution conformance requirements against a fresh server (see conformance/).
CONFORMANCE_ARGS ?=
conformance: build
	@bash scripts/conformance.sh $(BUILD_DIR) $(CONFORMANCE_ARGS)

format:
	@clang-format -i $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf build build-asan
