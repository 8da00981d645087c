"""The whole test suite: project checks, then `nbdev_test` over every notebook of the book.

Prints a closing line `N passed, N failed`, where N counts notebooks plus the project checks
(library in step with notebooks, README in step with the cover, docs site, wheel), and exits
non-zero on any failure. Extra nbdev test flags come from $TTSBOOK_TEST_FLAGS (e.g. "slow").
"""
import os, re, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
os.chdir(ROOT)

def run(cmd, **kw):
    t0 = time.time()
    p = subprocess.run(cmd, shell=True, text=True, capture_output=True, **kw)
    return p.returncode, p.stdout + p.stderr, time.time() - t0

def library_in_step():
    "`nbdev_export` must not change the committed library (in CI) — notebooks are the source."
    code, out, _ = run(f'{BIN}/nbdev_export')
    if code: return False, out
    if os.environ.get('CI') and (ROOT/'.git').exists():
        code, out, _ = run('git status --porcelain -- ttsbook')
        if out.strip(): return False, 'nbdev_export changed ttsbook/ — commit the exported library:\n' + out
    return True, ''

def stored_outputs_clean():
    "No stored output a reader would trip over: a shell that found no command, a traceback, terminal escape codes."
    import json
    bad_text = re.compile(r'command not found|Traceback \(most recent call last\)|\x1b\[')
    found = []
    for nb in sorted((ROOT/'nbs').glob('*.ipynb')):
        for i, cell in enumerate(json.loads(nb.read_text())['cells']):
            for o in cell.get('outputs', []):
                text = ''.join(o.get('text', '')) + ''.join(o.get('data', {}).get('text/plain', '')) + ''.join(o.get('traceback', []))
                if o.get('output_type') == 'error' or bad_text.search(text):
                    found.append(f"{nb.name}, cell {i} ({cell.get('id')}): {(bad_text.search(text) or re.search('.*', o.get('ename', 'error'))).group(0)!r}")
    return not found, '\n'.join(found)

checks = {
    'library in step with nbs/': library_in_step,
    'stored outputs: no errors, tracebacks or escape codes': stored_outputs_clean,
    'README in step with index.ipynb': lambda: _cmd(f'{BIN}/python tools/readme.py --check'),
    'docs site builds and lists every export': lambda: _cmd(f'bash tools/build_docs.sh && {BIN}/python tools/check_docs.py'),
    'wheel installs and runs in a clean venv': lambda: _cmd('bash tools/check_wheel.sh'),
}
def _cmd(c):
    code, out, _ = run(c)
    return code == 0, out

passed = failed = 0
for name, fn in checks.items():
    t0 = time.time()
    ok, out = fn()
    print(f"{'ok  ' if ok else 'FAIL'} {name} ({time.time()-t0:.0f}s)", flush=True)
    if not ok: print(out[-4000:], flush=True)
    passed += ok; failed += not ok

# The notebooks: nbdev_test over the whole book, one result per notebook.
from nbdev.doclinks import nbglob
nbs = sorted(p for p in nbglob(as_path=True) if not p.name.startswith('_'))
flags = os.environ.get('TTSBOOK_TEST_FLAGS', '')
t0 = time.time()
code, out, dt = run(f'{BIN}/nbdev_test --timing --flags "{flags}"')
bad = set(re.findall(r'^\t?\s*(\S+\.ipynb)\s*$', out.split('Failed On The Following Notebooks:')[-1], re.M)) if code else set()
if code and not bad: bad = {'(nbdev_test itself)'}
print(out[-8000:] if code else out, flush=True)
for nb in nbs: print(f"{'FAIL' if nb.name in bad else 'ok  '} {nb.relative_to(ROOT)}")
print(f"nbdev_test: {len(nbs)} notebooks in {dt:.0f}s (flags: '{flags or 'none'}')")
failed += len(bad); passed += len(nbs) - len(bad & {n.name for n in nbs})
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
