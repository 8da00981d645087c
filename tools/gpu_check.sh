#!/usr/bin/env bash
# The one prepared GPU check of issue 15, as ONE command on a bare GPU machine (see tools/gpu_check.py for what it runs):
#   bash tools/gpu_check.sh [--minutes 7.5] [--only PART ...]      on the GPU machine (python3 there holds torch)
#   bash tools/gpu_check.sh --cpu                                  the rehearsal here: tiny sizes, the GPU image simulated
# .gpu/ (wheels + prepared caches, git-ignored) must travel with it: `python tools/gpu_check.py --pack` fills it here.
# The table is printed and, when $OUT is set (the device tool's folder that comes back), written to $OUT/gpu_check.md.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ ! -f .gpu/wheels/requirements.txt ] || [ ! -f .gpu/cache/manifest.jsonl ]; then
    echo "gpu_check: .gpu/ is not prepared; run 'python tools/gpu_check.py --pack' here first (and carry .gpu)" >&2; exit 2
fi
PY=${PYTHON:-python3}; PIP=$PY
SITE=$(mktemp -d "${TMPDIR:-/tmp}/ttsbook-gpu-site.XXXXXX")
case " $* " in *" --cpu "*)      # the rehearsal: a venv holding only what the GPU image holds, the wheels below added
    PIP=.venv/bin/python; .venv/bin/python tools/gpu_check.py --make-sim "$SITE/venv" || exit 2
    PY="$SITE/venv/bin/python"; export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1};; esac
# only the carried wheels, no index: pip picks the build that fits this Python (cp312 there, the rehearsal's version here)
"$PIP" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --disable-pip-version-check --target "$SITE/site" \
      --find-links .gpu/wheels -r .gpu/wheels/requirements.txt || { echo "gpu_check: installing .gpu/wheels failed" >&2; exit 2; }
export PYTHONPATH="$SITE/site:$PWD" PYTHONUNBUFFERED=1 TTSBOOK_CACHE="$SITE/cache"   # ttsbook from this checkout, no install
REPORT=()
[ -n "${OUT:-}" ] && [ -d "${OUT:-}" ] && REPORT=(--report "$OUT/gpu_check.md")
"$PY" tools/gpu_check.py "$@" "${REPORT[@]}"
rc=$?
rm -rf "$SITE"
exit $rc
