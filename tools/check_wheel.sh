#!/usr/bin/env bash
# Prove that `pip wheel .` builds a ttsbook wheel that installs into a clean venv, imports,
# runs `ttsbook --help`, and declares requirements that the environment satisfies.
#
# Speed: the runtime dependencies (torch alone is ~5 GB) are not reinstalled. The wheel goes
# into a fresh venv with --no-deps, and afterwards a `.pth` file in that venv lists the main
# venv's site-packages as plain path lines. A path line in a .pth only appends the folder to
# sys.path; .pth files *inside* that folder are not processed, so the main venv's editable
# install of ttsbook (`__editable__.ttsbook-*.pth` + its import finder, or a path .pth to the
# source tree) is not activated. Check (a) verifies that. Paths inside the repo (other than the
# venv itself) are never shared, and every python runs from an empty temporary cwd.
#
# The wheel is built from a copy of the files git would commit (tracked + untracked-but-not-
# ignored), not in the working tree: an in-tree setuptools build leaves build/ and *.egg-info
# behind, and a stale build/lib would put deleted modules into the next wheel. The copy also
# proves that nothing git ignores is needed to build.
#
# Usage: bash tools/check_wheel.sh   (from any cwd; uses <repo>/.venv/bin/python)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
START=$SECONDS

ok()   { echo "check_wheel: ok    $*"; }
bad()  { echo "check_wheel: FAIL  $*" >&2; FAILED=$((FAILED+1)); }
die()  { echo "check_wheel: FAIL  $*" >&2; exit 1; }
FAILED=0

[ -x "$PY" ] || die "no $PY: run \`make install\` first"
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP PIP_TARGET PIP_PREFIX PIP_USER
export PYTHONNOUSERSITE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_REQUIRE_VIRTUALENV=0

TMP="$(mktemp -d "${TMPDIR:-/tmp}/ttsbook-check-wheel.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/src" "$TMP/dist" "$TMP/cwd"

# ---- 1. the source: what git would commit (or, outside git, the tree minus build outputs)
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
        | tar --null -T - -cf - | tar -xf - -C "$TMP/src"
    src_from="git ls-files (tracked + untracked, not ignored)"
else
    tar --exclude=./.venv --exclude=./.git --exclude=./build --exclude=./dist --exclude='*.egg-info' \
        --exclude=./_docs --exclude=./_proc --exclude=./_site --exclude='__pycache__' -cf - . \
        | tar -xf - -C "$TMP/src"
    src_from="the working tree (not a git repo)"
fi

# ---- 2. build the wheel (without build isolation: the venv's setuptools, no downloads)
if (cd "$TMP/src" && "$PY" -m pip wheel -q --no-deps --no-build-isolation --no-index -w "$TMP/dist" .) \
        >"$TMP/build.log" 2>&1; then
    how="--no-build-isolation"
else
    echo "check_wheel: note  the build without isolation failed; retrying with build isolation:" >&2
    tail -n 5 "$TMP/build.log" | sed 's/^/    /' >&2
    (cd "$TMP/src" && "$PY" -m pip wheel -q --no-deps -w "$TMP/dist" .) >"$TMP/build.log" 2>&1 \
        || { tail -n 30 "$TMP/build.log" >&2; die "pip wheel . failed (log above)"; }
    how="build isolation"
fi
shopt -s nullglob; wheels=("$TMP"/dist/ttsbook-*.whl); shopt -u nullglob
[ "${#wheels[@]}" -eq 1 ] || die "expected one ttsbook-*.whl in the build output, found: $(ls "$TMP/dist")"
WHEEL="${wheels[0]}"
ok "built $(basename "$WHEEL") with pip wheel ($how) from $src_from"

# ---- (d) the wheel holds _modidx.py and every ttsbook/**/*.py of the working tree
if msg="$("$PY" - "$WHEEL" "$ROOT" <<'EOF'
import sys, zipfile
from pathlib import Path
whl, root = sys.argv[1], Path(sys.argv[2])
names = set(zipfile.ZipFile(whl).namelist())
src = sorted(p.relative_to(root).as_posix() for p in (root/'ttsbook').rglob('*.py') if '__pycache__' not in p.parts)
missing = [f for f in sorted(set(src) | {'ttsbook/_modidx.py'}) if f not in names]
if missing:
    print('the wheel lacks ' + ', '.join(missing) + ' (not exported yet, git-ignored, or not a package?)'); sys.exit(1)
print(f'the wheel holds ttsbook/_modidx.py and all {len(src)} ttsbook/**/*.py files of the source tree')
EOF
)"; then ok "(d) $msg"; else bad "(d) $msg"; fi

# ---- 3. a clean venv (same interpreter as .venv), the wheel installed into it alone
"$PY" -m venv --without-pip "$TMP/venv"
VPY="$TMP/venv/bin/python"
(cd "$TMP/cwd" && "$PY" -m pip --python "$VPY" install -q --no-deps --no-index "$WHEEL") >"$TMP/install.log" 2>&1 \
    || { tail -n 30 "$TMP/install.log" >&2; die "pip install --no-deps $(basename "$WHEEL") into a clean venv failed"; }

# ...then share the main venv's site-packages by plain path lines (no .pth processing there).
# Install first, share second: pip must not see (or try to replace) the main venv's ttsbook.
SITE="$(cd "$TMP/cwd" && "$VPY" -I -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
CLEAN_PATH="$(cd "$TMP/cwd" && "$VPY" -I -c 'import sys; print("\n".join(sys.path))')"
(cd "$TMP/cwd" && CLEAN_PATH="$CLEAN_PATH" "$PY" -I - "$ROOT" > "$SITE/_ttsbook_check_wheel_shared.pth") <<'EOF'
import os, sys
root = os.path.realpath(sys.argv[1]); prefix = os.path.realpath(sys.prefix)
clean = {os.path.realpath(p) for p in os.environ['CLEAN_PATH'].splitlines() if p}
def inside(p, d): return p == d or p.startswith(d + os.sep)
for p in sys.path:
    rp = os.path.realpath(p) if p else ''
    if not p or not os.path.isdir(rp) or rp in clean: continue
    if inside(rp, root) and not inside(rp, prefix): continue    # the source tree (e.g. an editable path .pth)
    print(rp)
EOF
[ -s "$SITE/_ttsbook_check_wheel_shared.pth" ] || die "found no site-packages of $PY to share"
ok "clean venv: wheel installed with --no-deps; shares $(paste -sd' ' "$SITE/_ttsbook_check_wheel_shared.pth")"

# ---- (a) import ttsbook from the clean venv, not from the source tree nor the editable install
if msg="$(cd "$TMP/cwd" && "$VPY" - "$SITE" "$ROOT" "$ROOT/.venv" 2>&1 <<'EOF'
import importlib, importlib.metadata as md, os, pkgutil, sys
site, root, venv = (os.path.realpath(a) for a in sys.argv[1:4])
import ttsbook
f = os.path.realpath(ttsbook.__file__)
if not f.startswith(site + os.sep):
    sys.exit(f'import ttsbook gave {f}, not the clean venv ({site})')
finders = [m for m in (getattr(x if isinstance(x, type) else type(x), '__module__', '') for x in sys.meta_path)
           if 'editable' in m.lower()]           # setuptools installs its finder *class* on sys.meta_path
if finders: sys.exit(f'an editable-install finder is active in the clean venv: {finders}')
leaks = [p for p in sys.path if p and (os.path.realpath(p) + os.sep).startswith(root + os.sep)
         and not (os.path.realpath(p) + os.sep).startswith(venv + os.sep)]
if leaks: sys.exit(f'the source tree is on sys.path: {leaks}')
dist = md.distribution('ttsbook')
if not os.path.realpath(str(dist.locate_file('ttsbook'))).startswith(site):
    sys.exit(f'importlib.metadata finds ttsbook at {dist.locate_file("")}, not in the clean venv')
v = getattr(ttsbook, '__version__', None)
if v is not None and v != dist.version:
    sys.exit(f'ttsbook.__version__ {v} != wheel version {dist.version}')
mods = ['ttsbook'] + [m.name for m in pkgutil.walk_packages(ttsbook.__path__, 'ttsbook.')]
for m in mods:
    try: mod = importlib.import_module(m)
    except BaseException as e: sys.exit(f'import {m} failed in the clean venv: {type(e).__name__}: {e}')
    if not os.path.realpath(mod.__file__).startswith(site + os.sep): sys.exit(f'{m} imported from {mod.__file__}')
print(f'import ttsbook -> {f} (version {dist.version}); all {len(mods)} ttsbook modules import from the clean venv')
EOF
)"; then ok "(a) $msg"; else bad "(a) $(echo "$msg" | tail -n 5)"; fi

# ---- (b) the console script
if [ ! -x "$TMP/venv/bin/ttsbook" ]; then
    bad "(b) the wheel installed no bin/ttsbook console script (settings.ini console_scripts)"
elif out="$(cd "$TMP/cwd" && timeout 120 "$TMP/venv/bin/ttsbook" --help 2>&1)"; then
    if grep -qi '^usage' <<<"$out"; then ok "(b) bin/ttsbook --help exits 0: $(grep -im1 '^usage' <<<"$out" | cut -c1-90)"
    else bad "(b) bin/ttsbook --help exits 0 but prints no usage line: $(head -c 300 <<<"$out")"; fi
else
    rc=$?; bad "(b) bin/ttsbook --help exited $rc: $(tail -n 8 <<<"$out")"
fi

# ---- (c) every Requires-Dist of the wheel is satisfied here: the runtime ones, and those of the [all] extra (the dev
#          install is a superset of it); the wheel declares the extras the README names
if msg="$(cd "$TMP/cwd" && "$VPY" - "$WHEEL" 2>&1 <<'EOF'
import email, importlib.metadata as md, sys, zipfile
try: from packaging.requirements import Requirement
except ImportError: from pip._vendor.packaging.requirements import Requirement
z = zipfile.ZipFile(sys.argv[1])
meta = email.message_from_bytes(z.read(next(n for n in z.namelist() if n.endswith('.dist-info/METADATA'))))
extras = meta.get_all('Provides-Extra') or []
missing = [e for e in ('eval', 'book', 'bert', 'onnx', 'all') if e not in extras]
if missing: sys.exit(f'the wheel does not provide the extras {missing} (it has {extras})')
reqs, problems = [Requirement(r) for r in meta.get_all('Requires-Dist') or []], []
core = [r for r in reqs if r.marker is None or r.marker.evaluate({'extra': ''})]
full = [r for r in reqs if r.marker is not None and r.marker.evaluate({'extra': 'all'})]
for r in core + full:
    try: v = md.version(r.name)
    except md.PackageNotFoundError: problems.append(f'{r} (not installed)'); continue
    if not r.specifier.contains(v, prereleases=True): problems.append(f'{r} (found {v})')
if problems: sys.exit('unsatisfied: ' + '; '.join(problems))
print(f'all {len(core)} runtime Requires-Dist and all {len(full)} of ttsbook[all] are satisfied; extras {", ".join(extras)}')
EOF
)"; then ok "(c) $msg"; else bad "(c) $(echo "$msg" | tail -n 5)"; fi

# ---- (e) `pip install ttsbook` without extras: every module imports and the command runs with the extras' packages absent
if msg="$(cd "$TMP/cwd" && "$VPY" - 2>&1 <<'EOF'
import subprocess, sys
EXTRAS = ('pysptk', 'pocketsphinx', 'jiwer', 'IPython', 'ipywidgets', 'jupyterlab', 'nbdev', 'execnb', 'onnx', 'onnxruntime',
          'onnxscript', 'transformers')
blocker = f"""
import importlib.abc, sys
class _NoExtras(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {EXTRAS!r}: raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, _NoExtras())
"""
code = blocker + """
import importlib, pkgutil, ttsbook
mods = [m.name for m in pkgutil.walk_packages(ttsbook.__path__, 'ttsbook.')]
for m in mods: importlib.import_module(m)
from ttsbook.cli import main
assert main(['--help']) == 0
print(len(mods))
"""
r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
if r.returncode: sys.exit(f'with the extras absent: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else r.stdout[-300:]}')
n = r.stdout.strip().splitlines()[-1]
code = blocker + """
import sys, ttsbook.cli as c
from ttsbook.metrics import word_error_rate
def needs_eval(): "Stand-in command that needs [eval]."; return word_error_rate('a', 'a')
c.COMMANDS['needs-eval'] = needs_eval
sys.exit(c.main(['needs-eval']))
"""
open('needs_eval.py', 'w').write(code)                                 # a file: the parser reads the function's source
r = subprocess.run([sys.executable, 'needs_eval.py'], capture_output=True, text=True)
if r.returncode != 1 or 'pip install "ttsbook[eval]"' not in r.stderr:
    sys.exit(f'a missing extra should end with one line naming it, got rc {r.returncode}: {r.stderr[-300:]}')
print(f'with the extras blocked, all {n} modules import, `ttsbook --help` runs, and a command needing [eval] says so in one line')
EOF
)"; then ok "(e) $msg"; else bad "(e) $(echo "$msg" | tail -n 5)"; fi

if [ "$FAILED" -gt 0 ]; then
    echo "check_wheel: $FAILED check(s) failed ($((SECONDS-START)) s)" >&2; exit 1
fi
echo "check_wheel: all checks passed ($((SECONDS-START)) s)"
