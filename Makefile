# pathscope: the two README commands are `make serve` and `make test`.
# Everything else here is a step of those two, callable on its own. Versions: wasm-pack.toml.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# Tools installed by `cargo install` must be found (and found first) even on a bare PATH.
CARGO_HOME ?= $(HOME)/.cargo
export PATH := $(CARGO_HOME)/bin:$(PATH)

PORT ?= 8000

.PHONY: help setup build dist serve lint test test-lint test-native test-firefox test-chrome test-e2e clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z0-9-]+:.*## / {printf "  make %-13s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "  (PORT=$(PORT) for serve; see README.md)"

setup: ## install what is missing of the pinned toolchain (idempotent; seconds when nothing is)
	@bash scripts/setup.sh

build: setup ## build the release wasm into www/pkg (wasm-pack build --release --target web)
	@bash scripts/build.sh

dist: build ## build, then write dist/: the static site to host (any static server, any sub-path; README: Hosting)
	@bash scripts/dist.sh

serve: build ## build, then serve www/ on http://127.0.0.1:8000/ (PORT=... to change)
	@python3 scripts/serve.py --port "$(PORT)"

lint: setup ## cargo fmt --check, clippy -D warnings (native, wasm32), eslint (www/, e2e/); says which tool failed
	@bash scripts/lint.sh

test: setup ## run every suite: lint, native, Firefox, Chromium, end-to-end; non-zero exit on any failure
	@bash scripts/test.sh

test-lint: setup ## the lint suite of make test (scripts/lint.sh), with its summary line
	@bash scripts/test.sh lint

test-native: setup ## cargo test (all targets and doctests)
	@bash scripts/test.sh native

test-firefox: setup ## wasm-pack test --headless --firefox
	@bash scripts/test.sh firefox

test-chrome: setup ## wasm-pack test --headless --chrome (Debian's chromium + chromedriver)
	@bash scripts/test.sh chrome

test-e2e: setup ## build the release wasm, serve it, run e2e/ in headless Chromium
	@bash scripts/test.sh e2e

.PHONY: bench
bench: setup ## build release native + wasm, run every benchmark (native, PyTorch, Chromium, Firefox), one table; BENCH_FIG5=1 adds the page's fig5 run
	@bash bench/run.sh

.PHONY: fuzz
fuzz: setup ## fuzz the config parser, the gradcheck fixture reader and the page's address parser: a million inputs each (scripts/fuzz.sh)
	@bash scripts/fuzz.sh

clean: ## remove build output (target/, www/pkg/, out/, dist/); keeps installed tools
	rm -rf target www/pkg out dist
