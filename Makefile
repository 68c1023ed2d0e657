# `make demo` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install browser nginx lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	# A CPU build of torch first: a plain `torch` requirement would pull a CUDA build of several GB.
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e ".[model,test]"
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the real-browser tests (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  else sudo apt-get update -q && sudo apt-get install -y -q chromium; fi; }

# Debian's nginx for the reverse-proxy tests (tests/test_web_proxy.py starts its own on loopback).
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q nginx; \
	  else sudo apt-get update -q && sudo apt-get install -y -q nginx; fi; }

demo: install
	$(BIN)/harvest --db demo.db demo

# The suite on two processes (pytest-xdist, for this 2-core machine); a test module stays on one
# of them, so module-scoped fixtures (a real synthesis shared by a file's tests) are made once.
test: install browser nginx
	$(BIN)/ruff check .
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -n 2 --dist loadscope

lint: install
	$(BIN)/ruff check .

bench: install
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/quality.py
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/speed.py

clean:
	rm -rf $(VENV) demo.db
