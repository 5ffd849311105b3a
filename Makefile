# crmkit: `make demo` and `make test` work on a fresh Debian machine (dependencies included).
SHELL     := /bin/bash
BUILD     ?= build
ASAN      ?= build-asan
TSAN      ?= build-tsan
FUZZ      ?= build-fuzz
FUZZ_SECONDS ?= 25
JOBS      ?= $(shell nproc)
# ccache (CMakeLists.txt uses it when present): paths taken relative to the checkout and the
# working directory left out of the hash, so another clone of the tree (CI's) reuses objects.
export CCACHE_BASEDIR   ?= $(CURDIR)
export CCACHE_NOHASHDIR ?= 1
# Each ctest run below gets a private PostgreSQL server for its duration (initdb into a
# temporary folder, Unix socket only, stopped afterwards even when tests fail; the script's
# header says what it exports). Without PostgreSQL installed the PostgreSQL tests skip.
WITH_PG   := $(CURDIR)/tests/postgres/with_server.sh
# The sanitizer and fuzz builds compile at -O1 with line tables only (-g1): half the compile time
# of -O2 -g (27.8 -> 11.2 CPU-s for a test file under ASan), with stack traces that still name
# file and line. Optimisation is not what those builds test.
CHECKED_FLAGS := -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
                 -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"

.PHONY: all deps build demo test test-plain test-sanitize test-tsan fuzz-smoke bench install clean

all: build

deps:
	@cmake/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Only what the demo runs: the library and the command (not the tests or the benchmark).
demo: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target crmkit_cli
	./$(BUILD)/cli/crmkit demo

# The plain suite, the same C++ and C tests under AddressSanitizer + UBSan, the concurrency
# tests under ThreadSanitizer, and a short run of every fuzz target (docs/RELIABILITY.md).
test: test-plain test-sanitize test-tsan fuzz-smoke

test-plain: build
	@echo "== $@ starts at $$(date -u +%T)"
	cd $(BUILD) && $(WITH_PG) ctest --output-on-failure -j $(JOBS)

# Python loads the shared library through ctypes and cannot host ASan without LD_PRELOAD,
# and the ABI checks read the plain build: both run in test-plain only. Of the PostgreSQL
# variants only the C API's and the hostile table's run here (they drive the libpq layer
# through every area, with bad input); the unit suite's second run would double this stage's
# time for code the first run already checked.
test-sanitize: deps
	@echo "== $@ starts at $$(date -u +%T)"
	@cmake -S . -B $(ASAN) $(CHECKED_FLAGS) \
	  -DCRMKIT_SANITIZE=address,undefined -DCRMKIT_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  $(WITH_PG) ctest --output-on-failure -j $(JOBS) -LE 'python|abi|slow|browser' -E '^pg\.(unit|python|cli|limits)\.'

# Only the concurrency tests (and the helper process they start) are built with TSan.
test-tsan: deps
	@echo "== $@ starts at $$(date -u +%T)"
	@cmake -S . -B $(TSAN) $(CHECKED_FLAGS) -DCRMKIT_SANITIZE=thread -DCRMKIT_BUILD_CLI=ON \
	  -DCRMKIT_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(TSAN) -j $(JOBS) --target crmkit_concurrency_tests crmkit_reliability_child
	cd $(TSAN) && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  $(WITH_PG) ctest --output-on-failure -j 1 -L concurrency

# libFuzzer (clang): every fuzz/*_fuzz.cpp for FUZZ_SECONDS from its seed corpus, bounded in
# time and memory; a crash, leak or failed invariant fails the target.
fuzz-smoke:
	@echo "== $@ starts at $$(date -u +%T)"
	@CRMKIT_WITH_CLANG=1 cmake/install-deps.sh
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ) $(CHECKED_FLAGS) -DCRMKIT_BUILD_FUZZ=ON \
	  -DCRMKIT_SANITIZE=address,undefined,fuzzer-no-link -DCRMKIT_BUILD_TESTS=OFF \
	  -DCRMKIT_BUILD_CLI=OFF -DCRMKIT_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(FUZZ) -j $(JOBS) --target fuzz_all
	@set -e; for t in $$(cat $(FUZZ)/fuzz_targets.txt | tr ';' ' '); do \
	  c=fuzz/corpus/$${t%_fuzz}; [ -d $$c ] || c=; mkdir -p $(FUZZ)/corpus/$$t $(FUZZ)/artifacts; \
	  echo "fuzz-smoke: $$t for $(FUZZ_SECONDS) s"; \
	  log=$(FUZZ)/artifacts/$$t.log; \
	  if ./$(FUZZ)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=60 \
	    -artifact_prefix=$(FUZZ)/artifacts/ -print_final_stats=1 $(FUZZ)/corpus/$$t $$c >$$log 2>&1; then \
	    grep -E '^stat::number_of_executed_units' $$log; \
	  else \
	    echo "fuzz-smoke: $$t FAILED; the end of its log, with the reproducer's name:"; \
	    grep -v -E '^#[0-9]+ ' $$log | tail -n 60; exit 1; \
	  fi; \
	done

# Beside a private PostgreSQL server, for the PostgreSQL rows (workload pg; without PostgreSQL
# installed those rows say "skipped" and the rest runs as before).
bench: build
	$(WITH_PG) ./$(BUILD)/bench/crmkit-bench

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN) $(TSAN) $(FUZZ)
