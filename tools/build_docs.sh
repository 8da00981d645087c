#!/usr/bin/env bash
# Build the docs site into _docs/ (settings.ini: doc_path) from the notebooks in nbs/.
#
#   bash tools/build_docs.sh        # from anywhere; works from a fresh clone, keeps no state
#
# With Quarto on PATH this is plain `nbdev_docs`. Without it (Quarto cannot be installed
# offline), the same nbdev processing runs, then smalldocs renders the processed project:
#   1. nbdev_proc_nbs: writes nbs/nbdev.yml and nbs/sidebar.yml, refreshes ttsbook/_modidx.py,
#      and writes _proc/: every notebook with show_doc cells added for each exported symbol and
#      executed (exports, imports and show_doc cells only; stored outputs are kept), exported
#      code and #| directives removed, and the front matter (title, description, output-file).
#   2. staging fix-ups in _proc/ that Quarto does itself but smalldocs does not:
#      - pages are named the nbdev way (`output-file`: 00_audio.ipynb -> audio.html), so each
#        notebook is renamed to its output name and links and the sidebar follow;
#      - nbdev's doc links to the published site (doc_host + doc_baseurl) become relative.
#   3. smalldocs render _proc  ->  _proc/_docs, moved to _docs/.
#   4. If a local KaTeX is there (Debian's libjs-katex, or KATEX_DIR), maths is rendered from a
#      copy of it in the site instead of the CDN, so equations show with no network.
# Exits non-zero on the first failure. Check the result with: python tools/check_docs.py
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [[ -n "${PYTHON:-}" ]]; then PY=$PYTHON
elif [[ -x .venv/bin/python ]]; then PY=.venv/bin/python
else PY=python3; fi
# Notebooks are processed one after another in one process by default: spawning nbdev's worker
# processes (each importing torch again) made a 13-chapter build 2x slower on 2 cores.
export DOCS_WORKERS=${DOCS_WORKERS:-0}
# the book's own package is importable for show_doc even before `pip install -e .`
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

DOCS=$("$PY" -c 'from nbdev.config import get_config; print(get_config().doc_path.name)')
t0=$(date +%s%N)
rm -rf _proc "$DOCS"   # a stale cache would keep pages of deleted or renamed notebooks;
                       # a failed build must not leave an old site behind

if command -v quarto >/dev/null 2>&1; then
  echo "build_docs: quarto found, running nbdev_docs"
  # -c, not a script on stdin: nbdev processes notebooks in spawned worker processes
  "$PY" -c 'import os; from nbdev.quarto import nbdev_docs; nbdev_docs.__wrapped__(n_workers=int(os.environ["DOCS_WORKERS"]))'
else
  echo "build_docs: no quarto; nbdev_proc_nbs + smalldocs"
  # nbdev_proc_nbs would first try to download and install Quarto (and then `pip install -e .`);
  # skip only that step, everything else is nbdev's own `nbdev_proc_nbs`.
  "$PY" -c '
import os, nbdev.quarto as q
q._ensure_quarto = lambda: None
q.nbdev_proc_nbs.__wrapped__(n_workers=int(os.environ["DOCS_WORKERS"]))
'
  "$PY" - <<'PY'
import json, re, sys
from pathlib import Path
from urllib.parse import urljoin
import yaml
from nbdev.config import get_config
from nbdev.doclinks import _nbpath2html

cfg = get_config()
proc = cfg.config_path/'_proc'
def fail(msg): sys.exit(f"build_docs: {msg}")

def is_page(p):
    return not any(part.startswith(('_', '.')) for part in p.relative_to(proc).parts)

def front(nb):
    "The front matter that nbdev's FrontmatterProc put in the first raw cell, and that cell."
    for c in nb['cells'][:1]:
        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        m = re.match(r'\s*---\s*\n(.*?)\n---\s*$', src, re.S)
        if c['cell_type'] == 'raw' and m: return (yaml.safe_load(m.group(1)) or {}), c
    return {}, None

# 1. rename every notebook to its output name, the nbdev way
nbs, renames, targets = {}, {}, {}
for p in sorted(proc.rglob('*.ipynb')):
    if not is_page(p): continue
    nb = json.loads(p.read_text(encoding='utf-8'))
    fm, cell = front(nb)
    out = fm.pop('output-file', None) or _nbpath2html(p.relative_to(proc)).name
    if cell is not None:   # smalldocs does not read output-file: the file name says it now
        cell['source'] = f"---\n{yaml.dump(fm, allow_unicode=True)}---\n"
    new = p.with_name(Path(out).stem + '.ipynb')
    if new in targets: fail(f"{targets[new].name} and {p.name} would both be {out}")
    targets[new] = p
    nbs[new] = nb
    if new != p: renames[p.name] = new.name
for p in targets.values(): p.unlink()

# 2. links: old notebook names -> new ones; the published site's address -> relative
site = urljoin(cfg.get('doc_host', '').rstrip('/') + '/', cfg.get('doc_baseurl', '').lstrip('/')).rstrip('/') + '/'
old_names = re.compile(r'(?<![\w.-])(' + '|'.join(map(re.escape, renames)) + r')(?=[#?)"\'\s]|$)') if renames else None
def relink(text, up):
    if not isinstance(text, str): return text
    if old_names: text = old_names.sub(lambda m: renames[m.group(1)], text)
    if site.startswith('http'): text = text.replace(site, up)
    return text
def relink_src(v, up):
    return [relink(s, up) for s in v] if isinstance(v, list) else relink(v, up)

for new, nb in nbs.items():
    depth = len(new.relative_to(proc).parts) - 1
    up = '../' * depth
    for c in nb['cells']:
        if c['cell_type'] == 'markdown': c['source'] = relink_src(c['source'], up)
        for o in c.get('outputs', []):
            for mime in ('text/markdown', 'text/html'):
                if mime in o.get('data', {}): o['data'][mime] = relink_src(o['data'][mime], up)
    new.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding='utf-8')

# 3. the sidebar follows the renames
sb = proc/'sidebar.yml'
if sb.exists() and renames:
    def walk(x):
        if isinstance(x, str): return relink(x, '')
        if isinstance(x, list): return [walk(i) for i in x]
        if isinstance(x, dict): return {k: walk(v) for k, v in x.items()}
        return x
    sb.write_text(yaml.dump(walk(yaml.safe_load(sb.read_text())), sort_keys=False), encoding='utf-8')
print(f"build_docs: staged {len(nbs)} notebook(s) in _proc ({len(renames)} renamed to their nbdev page names)")
PY
  "$PY" -m smalldocs.cli render --quiet _proc
  [[ -f "_proc/$DOCS/index.html" ]] || { echo "build_docs: smalldocs wrote no _proc/$DOCS/index.html" >&2; exit 1; }
  rm -rf "$DOCS"
  mv "_proc/$DOCS" "$DOCS"

  # Maths with no network: smalldocs loads KaTeX from a CDN. When a local KaTeX is there
  # (Debian: apt-get install libjs-katex; or KATEX_DIR=a KaTeX dist/ folder), copy it into the
  # site and point the pages at it. Without one the CDN links stay (fine for a published site).
  KATEX=${KATEX_DIR:-/usr/share/javascript/katex}
  pick() { for f in "$@"; do if [[ -f "$KATEX/$f" ]]; then echo "$KATEX/$f"; break; fi; done; }
  kjs=$(pick katex.min.js katex.js); kcss=$(pick katex.min.css katex.css)
  kauto=$(pick contrib/auto-render.min.js contrib/auto-render.js)
  if [[ -n $kjs && -n $kcss && -n $kauto && -d $KATEX/fonts ]]; then
    K="$DOCS/site_libs/katex"
    mkdir -p "$K/contrib" "$K/fonts"
    cp -L "$kjs" "$K/katex.min.js"; cp -L "$kcss" "$K/katex.min.css"; cp -L "$kauto" "$K/contrib/auto-render.min.js"
    cp -L "$KATEX"/fonts/*.woff2 "$K/fonts/"
    "$PY" - "$DOCS" <<'PY'
import re, sys
from pathlib import Path
docs = Path(sys.argv[1])
cdn = re.compile(r'https://cdn\.jsdelivr\.net/npm/katex@[^/"]+/dist/')
for page in docs.rglob('*.html'):
    s = page.read_text(encoding='utf-8')
    if cdn.search(s):
        up = '../' * (len(page.relative_to(docs).parts) - 1)
        page.write_text(cdn.sub(f'{up}site_libs/katex/', s), encoding='utf-8')
PY
    echo "build_docs: maths from the local KaTeX in $KATEX"
  fi
fi

[[ -f "$DOCS/index.html" ]] || { echo "build_docs: $DOCS/index.html is missing" >&2; exit 1; }
n=$(find "$DOCS" -name '*.html' -not -path "*/site_libs/*" | wc -l)
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
printf 'build_docs: %s page(s) in %s/ in %d.%d s\n' "$n" "$DOCS" $((ms / 1000)) $((ms % 1000 / 100))
