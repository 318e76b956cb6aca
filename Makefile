# pmingest — the front door. `make demo` and `make test` set up everything they need on a fresh
# Debian 12 machine (as root) and are safe to re-run.
#
#   make demo      the main job on the embedded default (see scripts/demo.sh)
#   make test      every test: Swift, C ABI, Python binding, fake server, examples, CLI, install tree, wheel
#                  (and make lint first)
#   make lint      style configs and ARCHITECTURE.md's rules (scripts/lint.sh), in seconds
#   make lib       dist/lib/libpmingest.so.0 (+ .so symlink) and dist/include/pmingest.h, .hpp
#   make wheel     dist/wheel/pmingest-*-manylinux_2_34_x86_64.whl: the Python package with the library
#   make install   PREFIX=/usr/local: library, C and C++ headers, pmingest.pc, CMake package,
#                  the self-contained CLI, its man page and shell completions (DESTDIR honoured)
#   make uninstall PREFIX=/usr/local: removes exactly what install put (its manifest)
#   make bench     benchmarks, one line each: bench <name> <value> <unit> vs <baseline> <value> ratio <x>
#   make coverage  line coverage of the Swift core from all tests (Swift, C, Python), floor
#                  COVERAGE_FLOOR; last line "coverage <percent>%"
#   make sanitize  Swift tests under ASan and TSan, C tests against an ASan+UBSan library, valgrind
#   make fuzz      libFuzzer on the parsers, FUZZ_SECONDS (60) per target
#   make soak      1M stream events + 100k REST calls through the C ABI; RSS/fds/threads must stay
#                  flat (minutes; not part of make test)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

PREFIX ?= /usr/local
VERSION := $(shell sed -n 's/^\#define PM_VERSION_STRING "\(.*\)"/\1/p' include/pmingest.h)
VERSION_MAJOR := $(word 1,$(subst ., ,$(VERSION)))
SWIFT ?= swift
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMPS := .build-stamps
DIST := dist
LIBSO := $(DIST)/lib/libpmingest.so.0
CC ?= cc
# Line coverage of the Swift core below which `make test` and `make coverage` fail (percent).
# Measured 96.4 (Swift tests) / 97.0 (merged) when set: a drop of ~2 points means untested code landed.
COVERAGE_FLOOR ?= 94

APT_PACKAGES := libcurl4-openssl-dev libwebsockets-dev libsqlite3-dev libssl-dev pkg-config gcc g++ python3-venv \
	cmake
# pytest-timeout: a Python test that hangs (a lost Ctrl-C, a stuck call) fails with every thread's
# stack instead of holding CI until its 90-minute limit.
PY_PACKAGES := pytest pytest-timeout websockets aiohttp
# Research export (bindings/python/pmingest/export.py): pyarrow and pandas, the binding's optional
# `arrow`/`pandas` extras, are test dependencies here so tests/test_export.py runs.
PY_PACKAGES += "pyarrow>=14" "pandas>=2.0"
PYTEST_TIMEOUT := --timeout=300 --timeout-method=thread

# Release build of the self-contained shared library: the Swift runtime linked statically
# (-static-stdlib; SwiftPM's --static-swift-stdlib is ignored for dynamic products), only pm_*
# exported (version script), SONAME libpmingest.so.0, stripped. Its own scratch path: toggling
# -static-stdlib in a shared build folder silently keeps the old dynamic-stdlib library.
# lld, not the default gold: gold leaves LOCAL PROTECTED Swift metadata symbols in .dynsym
# despite the version script (measured: 16 such entries); lld leaves only pm_*.
DIST_SCRATCH := .build-dist
DIST_FLAGS := -c release --scratch-path $(DIST_SCRATCH) -Xswiftc -static-stdlib -Xswiftc -use-ld=lld \
	-Xlinker --version-script=$(CURDIR)/abi/pmingest.map -Xlinker -soname=libpmingest.so.0 \
	-Xlinker --strip-all
# The CLI, its own package in cli/ (so a library user never fetches swift-argument-parser): the
# same release build (same scratch path and compile flags, so the core compiled for the .so is
# reused and only ArgumentParser, the CLI and one link are added), static stdlib, so it runs where
# no Swift toolchain is installed. Not the .so's version script or SONAME: the different link
# flags make SwiftPM re-plan (not recompile), and the .so keeps its own link.
CLI_FLAGS := -c release --package-path cli --scratch-path $(CURDIR)/$(DIST_SCRATCH) -Xswiftc -static-stdlib \
	-Xswiftc -use-ld=lld -Xlinker --strip-all
# swift-argument-parser's generate-manual tool (what its GenerateManual plugin runs), built on
# its own from the checkout SwiftPM resolved: the plugin would first build every product of the
# package. A debug build of a build-time tool; its own scratch path.
TOOLS_SCRATCH := .build-tools
ARGPARSE_CHECKOUT := $(DIST_SCRATCH)/checkouts/swift-argument-parser
# Installs one file and records it in PREFIX's manifest (scripts/install-tree.sh).
INSTALL_TREE = DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" scripts/install-tree.sh

.PHONY: deps test demo lib install install-lib uninstall bench coverage swift-test c-test python-test \
	fakeserver-test examples-test cli-test install-test wheel wheel-test cli man completions clean soak sanitize fuzz lint

# ---- set-up ------------------------------------------------------------------------------------

$(STAMPS):
	mkdir -p $(STAMPS)

# System packages: installed only when one is missing (dpkg -s is fast; apt-get update is not).
$(STAMPS)/apt: Makefile | $(STAMPS)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "need root (or sudo) to apt-get install:$$missing" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	touch $@

$(STAMPS)/venv: Makefile | $(STAMPS) $(STAMPS)/apt
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --disable-pip-version-check $(PY_PACKAGES)
	touch $@

deps: $(STAMPS)/apt $(STAMPS)/venv

# ---- builds --------------------------------------------------------------------------------------

lib: $(STAMPS)/apt
	@# SwiftPM does not track the version script: relink when it changed.
	@if [ abi/pmingest.map -nt $(DIST_SCRATCH)/release/libpmingest.so ]; then rm -f $(DIST_SCRATCH)/release/libpmingest.so; fi
	$(SWIFT) build $(DIST_FLAGS) --product pmingest
	mkdir -p $(DIST)/lib $(DIST)/include
	cp $(DIST_SCRATCH)/release/libpmingest.so $(LIBSO)
	ln -sf libpmingest.so.0 $(DIST)/lib/libpmingest.so
	cp include/pmingest.h include/pmingest.hpp $(DIST)/include/
	@echo "built $(LIBSO) ($$(stat -c %s $(LIBSO)) bytes)"

cli: $(STAMPS)/apt
	$(SWIFT) build $(CLI_FLAGS) --product pmingest-cli
	mkdir -p $(DIST)/bin
	cp $(DIST_SCRATCH)/release/pmingest-cli $(DIST)/bin/pmingest
	@# Self-contained or not shipped: no Swift runtime library, no toolchain RUNPATH, no SONAME.
	@if readelf -d $(DIST)/bin/pmingest | grep -Eiq 'swift|SONAME'; then \
	  echo "$(DIST)/bin/pmingest depends on the Swift toolchain:" >&2; readelf -d $(DIST)/bin/pmingest >&2; exit 1; fi
	@echo "built $(DIST)/bin/pmingest ($$(stat -c %s $(DIST)/bin/pmingest) bytes, static Swift runtime)"

# The Python wheel with the self-contained library inside, repaired by auditwheel into a manylinux
# wheel (the system libraries it links copied in): dist/wheel/pmingest-<v>-py3-none-manylinux_*.whl.
wheel: lib
	scripts/build-wheel.sh $(LIBSO) $(DIST)/wheel

# The man page, generated by swift-argument-parser from the CLI's own command tree.
man: cli
	$(SWIFT) build --quiet --package-path $(ARGPARSE_CHECKOUT) --scratch-path $(CURDIR)/$(TOOLS_SCRATCH) \
	  --product generate-manual
	mkdir -p $(DIST)/share/man/man1
	$(TOOLS_SCRATCH)/debug/generate-manual $(DIST)/bin/pmingest --section 1 \
	  --date "$$(git log -1 --format=%cs 2>/dev/null || date -u +%F)" --authors "pmingest developers" \
	  --output-directory $(DIST)/share/man/man1
	test -s $(DIST)/share/man/man1/pmingest.1

# bash, zsh and fish completions, generated by swift-argument-parser (the CLI prints them).
completions: cli
	mkdir -p $(DIST)/share/bash-completion/completions $(DIST)/share/zsh/site-functions \
	  $(DIST)/share/fish/vendor_completions.d
	$(DIST)/bin/pmingest --generate-completion-script bash > $(DIST)/share/bash-completion/completions/pmingest
	$(DIST)/bin/pmingest --generate-completion-script zsh > $(DIST)/share/zsh/site-functions/_pmingest
	$(DIST)/bin/pmingest --generate-completion-script fish > $(DIST)/share/fish/vendor_completions.d/pmingest.fish

# Every file is installed through install-tree.sh, which records it (and each directory it
# creates) in <prefix>/share/pmingest/install-manifest.txt for `make uninstall`.
install: install-lib cli man completions
	$(INSTALL_TREE) file 0755 $(DIST)/bin/pmingest bin/pmingest
	$(INSTALL_TREE) file 0644 $(DIST)/share/man/man1/pmingest.1 share/man/man1/pmingest.1
	$(INSTALL_TREE) file 0644 $(DIST)/share/bash-completion/completions/pmingest \
	  share/bash-completion/completions/pmingest
	$(INSTALL_TREE) file 0644 $(DIST)/share/zsh/site-functions/_pmingest share/zsh/site-functions/_pmingest
	$(INSTALL_TREE) file 0644 $(DIST)/share/fish/vendor_completions.d/pmingest.fish \
	  share/fish/vendor_completions.d/pmingest.fish
	$(INSTALL_TREE) file 0644 examples/systemd/pmingest-record.service share/pmingest/pmingest-record.service
	@echo "installed pmingest $(VERSION) (library, headers, pmingest.pc, CMake package, CLI, man page," \
	  "completions, systemd unit example) into $(DESTDIR)$(PREFIX)"

# The C/C++ developer's part of install: library, headers, pkg-config file, CMake package, license
# (no Swift build of the CLI).
install-lib: lib
	$(INSTALL_TREE) file 0755 $(LIBSO) lib/libpmingest.so.0
	$(INSTALL_TREE) link libpmingest.so.0 lib/libpmingest.so
	$(INSTALL_TREE) file 0644 include/pmingest.h include/pmingest.h
	$(INSTALL_TREE) file 0644 include/pmingest.hpp include/pmingest.hpp
	$(INSTALL_TREE) file 0644 cmake/pmingestConfig.cmake lib/cmake/pmingest/pmingestConfig.cmake
	@# The two generated files: in a private temp dir (the .pc names PREFIX; installs may run in parallel).
	gen=$$(mktemp -d) && trap 'rm -rf "$$gen"' EXIT && \
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(PREFIX)/lib|' -e 's|@VERSION@|$(VERSION)|' \
	  abi/pmingest.pc.in > "$$gen/pmingest.pc" && \
	sed -e 's|@VERSION@|$(VERSION)|' -e 's|@VERSION_MAJOR@|$(VERSION_MAJOR)|' \
	  cmake/pmingestConfigVersion.cmake.in > "$$gen/pmingestConfigVersion.cmake" && \
	$(INSTALL_TREE) file 0644 "$$gen/pmingest.pc" lib/pkgconfig/pmingest.pc && \
	$(INSTALL_TREE) file 0644 "$$gen/pmingestConfigVersion.cmake" lib/cmake/pmingest/pmingestConfigVersion.cmake
	$(INSTALL_TREE) file 0644 LICENSE share/doc/pmingest/LICENSE

uninstall:
	$(INSTALL_TREE) uninstall

# ---- tests ---------------------------------------------------------------------------------------

test: deps lint swift-test lib c-test python-test fakeserver-test examples-test cli-test install-test wheel-test
	@echo "suites: 8 passed, 0 failed"   # Swift, C ABI, Python binding, fake server, examples, CLI, install tree, wheel (each fails make on error)

# Formatter/linter configs (.editorconfig, .swift-format, .clang-format, ruff in
# bindings/python/pyproject.toml) and the architecture rules; what fails and what is only
# reported: scripts/lint.sh. ruff in the venv; clang-format from Debian (reported when present).
LINT_PY_PACKAGES := "ruff>=0.17,<0.18"
LINT_APT_PACKAGES := clang-format
$(STAMPS)/lint-venv: Makefile $(STAMPS)/venv
	$(VPY) -m pip install -q --disable-pip-version-check $(LINT_PY_PACKAGES)
	touch $@
$(STAMPS)/lint-apt: | $(STAMPS)
	@missing=""; for p in $(LINT_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "need root (or sudo) to apt-get install:$$missing" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	touch $@

lint: $(STAMPS)/lint-venv $(STAMPS)/lint-apt
	scripts/lint.sh $(VPY)

# The Swift tests run once, instrumented, in their own scratch path (.build-cov: coverage flags in
# .build would make every later `swift build` of the CLI/examples recompile the core), and their
# profile is held to the coverage floor. `make coverage` adds the C and Python tests' share.
swift-test: $(STAMPS)/apt $(STAMPS)/venv
	$(SWIFT) test --enable-code-coverage --scratch-path .build-cov
	COVERAGE_FLOOR=$(COVERAGE_FLOOR) scripts/coverage.sh --gate

c-test: lib
	Tests/c/check_so.sh $(LIBSO)
	Tests/c/run.sh $(CURDIR)/$(DIST)/lib $(CURDIR)/include

python-test: lib $(STAMPS)/venv
	PMINGEST_LIBRARY=$(CURDIR)/$(LIBSO) $(VPY) -m pytest -q $(PYTEST_TIMEOUT) bindings/python/tests
	scripts/check-python-install.sh $(CURDIR)/$(LIBSO)
	scripts/check-wheel.sh $(CURDIR)/$(LIBSO)

fakeserver-test: $(STAMPS)/venv
	$(VPY) -m pytest -q $(PYTEST_TIMEOUT) Tests/fakepolymarket

examples-test: lib
	scripts/examples-test.sh

# The built CLI against the fake Polymarket with stdout piped: no \r or escape sequences, NDJSON
# with --json, record --config with a Prometheus metrics file, a clean stop on SIGTERM.
cli-test: cli $(STAMPS)/venv
	scripts/cli-test.sh $(DIST)/bin/pmingest
# `pmingest export --format parquet` runs the Python binding, which loads the library.
cli-test: lib

# The manylinux wheel in a fresh venv with the Swift toolchain hidden: the Python example and
# `python -m pmingest` against the fake Polymarket.
wheel-test: wheel $(STAMPS)/venv
	scripts/wheel-test.sh $(DIST)/wheel/pmingest-$(VERSION)-py3-none-manylinux_*_x86_64.whl

# make install into a temporary prefix; CMake find_package against it; the CLI with the Swift
# toolchain hidden; make uninstall leaves the prefix empty.
install-test: lib
	scripts/install-check.sh

# ---- demo, benchmarks, coverage ------------------------------------------------------------------

demo: $(STAMPS)/apt $(STAMPS)/venv
	scripts/demo.sh

# Only the benchmarks' baselines need these (never the library): simdjson for the stream decode.
BENCH_APT_PACKAGES := libsimdjson-dev
$(STAMPS)/bench-apt: | $(STAMPS)
	@missing=""; for p in $(BENCH_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "need root (or sudo) to apt-get install:$$missing" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	touch $@

bench: lib $(STAMPS)/venv $(STAMPS)/bench-apt
	scripts/bench.sh

coverage: $(STAMPS)/apt $(STAMPS)/venv
	COVERAGE_FLOOR=$(COVERAGE_FLOOR) scripts/coverage.sh

soak: lib $(STAMPS)/venv
	scripts/soak.sh

sanitize: deps
	scripts/sanitize.sh

fuzz: $(STAMPS)/apt
	scripts/fuzz.sh

clean:
	rm -rf .build .build-* $(DIST) $(STAMPS) prof
