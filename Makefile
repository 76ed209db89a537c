# civicline: the two commands are `make run` and `make test` (see README.md).
# Everything else here is a step they use, or a tool for developers.

CONFIG ?= config/civicline.json
BIN := build/release/server/civicline
ASAN_BIN := build/asan/server/civicline
NODE_STAMP := tests/node_modules/.package-lock.json

# Let ccache reuse objects built with precompiled headers.
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime
# Paths relative to the checkout, so a fresh clone (CI) reuses what another clone compiled.
export CCACHE_BASEDIR := $(CURDIR)

.PHONY: run test deps configure build server migrate node-deps test-asan asan fuzz soak bench format clean

## Installs what is missing, builds Release, creates the database and serves the demo city.
run: deps server migrate
	exec $(BIN) serve --config $(CONFIG)

## Installs what is missing, builds Release, then runs every test (unit, integration, browser).
test: deps build node-deps
	ctest --preset release -j2

deps:
	@scripts/install-deps

configure:
	@test -f build/release/build.ninja || cmake --preset release

## Everything: the binary and the test programs.
build: configure
	cmake --build --preset release

## Only the civicline binary (what `make run` needs).
server: configure
	cmake --build --preset release --target civicline

# The demo config keeps its database in var/ (storage.database is "../var/civicline.db").
migrate: server
	@mkdir -p var
	$(BIN) migrate --config $(CONFIG)

node-deps: $(NODE_STAMP)
$(NODE_STAMP): tests/package.json tests/package-lock.json
	npm ci --prefix tests --no-audit --no-fund
	@touch $@

## The unit and integration tests again, built with AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan: deps asan node-deps
	ctest --preset asan -j2 -L 'unit|integration'

asan:
	@test -f build/asan/build.ninja || cmake --preset asan
	cmake --build --preset asan

## Every libFuzzer target for FUZZ_SECONDS (default 60) each, under ASan + UBSan (clang).
fuzz: deps
	@test -f build/fuzz/build.ninja || cmake --preset fuzz
	cmake --build --preset fuzz
	scripts/fuzz

## A steady mix of traffic for SOAK_SECONDS (default 600) against the Release binary; fails on
## any error response or RSS growth over 10% (bench/soak/soak.mjs, docs/RELIABILITY.md).
SOAK_SECONDS ?= 600
soak: deps server node-deps
	SOAK_SECONDS=$(SOAK_SECONDS) CIVICLINE_BIN=$(BIN) node bench/soak/soak.mjs

## Google Benchmark programs and bench/sms/inbox_turns (Release); see docs/PERFORMANCE.md.
bench: deps
	@test -f build/bench/build.ninja || cmake --preset bench
	cmake --build --preset bench

format:
	find core nlp storage channels config server tests bench -name '*.cpp' -o -name '*.hpp' \
	  | grep -v node_modules | xargs clang-format -i

clean:
	rm -rf build
