# ttsbook — every target works on a fresh Debian machine with nothing done by hand.
# `make install` is idempotent: the second run only checks stamps (a second or two).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ttsbook-installed
APT_PACKAGES := festival festvox-us-slt-hts flite espeak-ng sox libjs-katex
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install apt test test-all docs docs-check diagrams wheel-check readme execute lab bench demo demo-vocoder gpu-pack gpu-check gpu-check-cpu clean help

help:
	@echo "make install   venv + pinned packages + Debian voices (idempotent)"
	@echo "make test      install, then every check and nbdev_test over the book"
	@echo "make test-all  the same, including #| slow cells"
	@echo "make execute   run the notebooks in place, storing their outputs (NB=nbs/x.ipynb for one)"
	@echo "make docs      build the docs site into _docs/"
	@echo "make lab       JupyterLab on the book"
	@echo "make bench     speed benchmarks (ratios against references)"
	@echo "make demo      corpus -> FastSpeech 2 trained on the CPU -> new sentences scored against the real voice, in demo/"
	@echo "make gpu-pack  wheels + prepared caches for the GPU check into .gpu/ (git-ignored; about 35 MiB)"
	@echo "make gpu-check-cpu  the GPU check rehearsed on the CPU (tiny sizes, the GPU machine's packages simulated)"
	@echo "make gpu-check on a GPU machine with .gpu/ carried: every #| gpu cell, Triton MAS, each family's bf16 base run (< 8 min)"
	@echo "make demo-vocoder  the same corpus -> chapter 26's Vocos trained on the CPU (about 30 minutes), then make demo with it"

install: apt $(STAMP)

# Debian packages the book uses at run time (voices for the built-in corpus, sox).
apt:
	@bash tools/apt_install.sh $(APT_PACKAGES)

$(STAMP): settings.ini setup.py constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing the pinned Python packages into $(VENV) (a few minutes the first time)"
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]" 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(BIN)/python -c "import ttsbook, torch, torchaudio, pyworld, librosa, nbdev"
	touch $(STAMP)

# Closing line: "N passed, N failed" over the notebooks plus the project checks.
test: install
	@bash tools/run_tests.sh

test-all: install
	@TTSBOOK_TEST_FLAGS="slow" bash tools/run_tests.sh

readme: install
	$(BIN)/python tools/readme.py

# Run the notebooks in place so their outputs (plots, players) are stored; then the README follows index.ipynb.
execute: install
	$(BIN)/python tools/execute_nbs.py $(NB)
	$(BIN)/nbdev_clean
	$(BIN)/python tools/readme.py

docs: install
	@bash tools/build_docs.sh

docs-check: docs
	$(BIN)/python tools/check_docs.py

# The book's architecture diagrams: tools/diagrams.py draws nbs/images/*.svg (deterministic files; it refuses to
# write a figure whose texts overlap). Commit the SVGs with the change that made them.
diagrams: install
	$(BIN)/python tools/diagrams.py

wheel-check: install
	@bash tools/check_wheel.sh

lab: install
	$(BIN)/jupyter lab --allow-root --ip=127.0.0.1 --no-browser --notebook-dir=nbs

bench: install
	$(BIN)/python benchmarks/run.py

# The main job: build the corpus, prepare it, train FastSpeech 2 (small) on the CPU, speak new sentences and score them
# against the real voice; writes demo/ (wavs, figures, report.md). A second run reuses data/demo/ (corpus, cache, checkpoint).
demo: install
	$(BIN)/ttsbook demo

# The demo's neural vocoder: chapter 26's CPU recipe on the demo's corpus (one torch thread, as measured in the chapter), trained once
# into data/demo/vocos-small; `make demo` then scores FastSpeech 2 + Vocos beside Griffin-Lim. Resumes if interrupted.
demo-vocoder: install
	$(BIN)/ttsbook corpus --out data/demo/corpus --n 1000
	$(BIN)/ttsbook prepare data/demo/corpus --out data/demo/cache
	OMP_NUM_THREADS=1 $(BIN)/ttsbook train vocos --data data/demo/cache --preset small --out data/demo/vocos-small
	$(BIN)/ttsbook demo

# Issue 15's one prepared GPU check (tools/gpu_check.py). gpu-check needs no venv: the GPU machine's python3 has torch.
gpu-pack: install
	$(BIN)/python tools/gpu_check.py --pack

gpu-check:
	bash tools/gpu_check.sh

gpu-check-cpu: install
	bash tools/gpu_check.sh --cpu

clean:
	rm -rf _docs _proc _site build dist *.egg-info
