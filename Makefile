# crmkit: `make demo` and `make test` work on a fresh Debian machine (dependencies included).
BUILD     ?= build
ASAN      ?= build-asan
JOBS      ?= $(shell nproc)

.PHONY: all deps build demo test test-plain test-sanitize bench install clean

all: build

deps:
	@cmake/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	./$(BUILD)/cli/crmkit demo

# The plain suite, then the same C++ and C tests under AddressSanitizer + UBSan.
test: test-plain test-sanitize

test-plain: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Python loads the shared library through ctypes and cannot host ASan without LD_PRELOAD,
# and the ABI checks read the plain build: both run in test-plain only.
test-sanitize: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCRMKIT_SANITIZE=address,undefined -DCRMKIT_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -LE 'python|abi|slow'

bench: build
	./$(BUILD)/bench/crmkit-bench

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN)
