#!/usr/bin/env python3
"""Generate README.md from the readme notebook (settings.ini `readme_nb`, normally nbs/index.ipynb).

`nbdev_readme` renders the README through Quarto, which cannot be installed here, so this
script does the same job in plain Python (json only; no network, no Quarto):

- the first markdown cell's `# Title` and `> summary` lines become the README's title and a
  blockquote (nbdev's front matter; `- key: value` front-matter lines in that cell are dropped,
  any other text in it is kept);
- markdown cells are copied as they are, except that relative links to nbdev pages,
  `(audio.html)` or `(audio.html#anchor)`, are rewritten to the notebook that makes the page,
  `(nbs/00_audio.ipynb)` (page name = notebook name without its `NN_` prefix, as nbdev does),
  and relative links to files that live under nbs/ (e.g. `assets/x.png`) get the `nbs/` prefix,
  so they work on GitHub. Text inside code spans and fenced blocks is never rewritten;
  a page link with no notebook behind it is left as it is, with a warning on stderr;
- code cells become ```python blocks with their leading nbdev directive lines (`#| ...`,
  `#|...`, `# | ...`), `#| hide_line` lines and IPython magics (`%...`) removed;
- cells with `#| hide`, `#| include: false`, `#| export`, `#| exporti` or `#| default_exp`
  are left out entirely; `#| echo: false` shows only the outputs; `#| output: false` only the code;
- outputs: stdout stream text and text/plain results become ``` blocks (ANSI colour codes and
  carriage-return overwrites resolved); text/markdown results are copied as markdown.
  IMAGE OUTPUTS (image/png, image/jpeg, image/svg+xml) ARE NOT PUT IN THE README, and neither
  are html/javascript/widget outputs (e.g. IPython.display.Audio) or their text/plain fallback
  (`<Figure size ...>`, `<IPython.lib.display.Audio object>`); stderr streams (warnings,
  progress bars) and error outputs are left out as well.

The output is deterministic: the same notebook and the same list of notebooks in nbs/ give a
byte-identical README.md.

Usage:
    python tools/readme.py            # write README.md
    python tools/readme.py --check    # write nothing; exit 1 (with a short diff) if README.md is stale
"""
import argparse, configparser, difflib, json, os, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = '<!-- generated from nbs/index.ipynb by tools/readme.py: edit the notebook, then run `make readme` -->'
MAX_DIFF_LINES = 40

_re_directive = re.compile(r'^\s*#\s*\|')
_re_dir_body = re.compile(r'^([\w-]+)\s*(?::\s*(.*)|\s+(.*))?$')   # `key: value` or `key args`
_re_hide_line = re.compile(r'#\|\s*hide_line\s*$')
_re_magic = re.compile(r'^\s*%')
_re_ansi = re.compile(r'\x1B(?:[@-Z\\-_]|\[[0-?]*[ -/]*[@-~])')
_re_nbprefix = re.compile(r'^\d+[a-zA-Z0-9]*_')   # nbdev's doclinks._nbpath2html
_re_fence = re.compile(r'^ {0,3}(`{3,}|~{3,})')
_re_code_span = re.compile(r'(`+)(?:.+?)\1', re.DOTALL)
# an inline link target: `](target)` or `](target "title")`
_re_link = re.compile(r'(\]\()(<?)([^()\s<>]+)(>?)((?:\s+"[^"]*")?\))')
# a reference definition: `[name]: target`
_re_refdef = re.compile(r'^( {0,3}\[[^\]]+\]:\s*)(\S+)(.*)$')
_OMIT_DIRS = {'hide', 'export', 'exporti', 'default_exp'}
_IMAGE = ('image/png', 'image/jpeg', 'image/gif', 'image/svg+xml')
_RICH = ('text/html', 'application/javascript', 'application/vnd.jupyter.widget-view+json',
         'text/latex', 'application/pdf')


def warn(msg): print(f'readme.py: warning: {msg}', file=sys.stderr)


def _src(cell):
    s = cell.get('source', '')
    return ''.join(s) if isinstance(s, list) else s


def _settings():
    cp = configparser.ConfigParser(delimiters=['='])
    cp.read(ROOT/'settings.ini', encoding='utf-8')
    return cp['DEFAULT']


# ---------------------------------------------------------------- directives
def split_directives(source):
    "Leading nbdev directives of a code cell as a dict, and the rest of its lines (nbdev's rule)."
    lines = source.splitlines()
    i = 0
    while i < len(lines) and (not lines[i].strip() or _re_directive.match(lines[i]) or lines[i].lstrip().startswith('%%')):
        i += 1
    dirs = {}
    for line in lines[:i]:
        if not _re_directive.match(line): continue
        body = _re_directive.sub('', line).strip().rstrip(':')    # `#| hide:` is allowed
        m = _re_dir_body.match(body)
        if m: dirs[m.group(1)] = (m.group(2) or m.group(3) or '').strip().lower()
    code = [l for l in lines[i:] if not _re_hide_line.search(l) and not _re_magic.match(l)]
    while code and not code[0].strip(): code.pop(0)
    while code and not code[-1].strip(): code.pop()
    return dirs, '\n'.join(l.rstrip() for l in code)


# ---------------------------------------------------------------- outputs
def _text(x): return ''.join(x) if isinstance(x, list) else (x or '')


def _clean_text(s):
    "Strip ANSI codes and resolve carriage-return overwrites, as a terminal would show them."
    s = _re_ansi.sub('', s).replace('\r\n', '\n')
    lines = [l.rsplit('\r', 1)[-1] if '\r' in l.rstrip('\r') else l.rstrip('\r') for l in s.split('\n')]
    return '\n'.join(l.rstrip() for l in lines).strip('\n')


def fence(body, lang=''):
    "A fenced block long enough not to be closed by backticks inside `body`."
    runs = [len(m) for m in re.findall(r'`{3,}', body)]
    ticks = '`' * max([3] + [n + 1 for n in runs])
    return f'{ticks}{lang}\n{body}\n{ticks}'


def render_outputs(outputs, where):
    blocks, stdout = [], []
    def flush():
        if stdout:
            t = _clean_text(''.join(stdout))
            if t.strip(): blocks.append(fence(t))
            stdout.clear()
    for out in outputs:
        kind = out.get('output_type')
        if kind == 'stream':
            if out.get('name') == 'stdout': stdout.append(_text(out.get('text')))
            continue
        flush()
        if kind == 'error':
            warn(f'{where}: error output ({out.get("ename")}) left out of the README')
            continue
        if kind not in ('execute_result', 'display_data'): continue
        data = out.get('data', {})
        if any(k in data for k in _IMAGE) or any(k in data for k in _RICH): continue
        if 'text/markdown' in data:
            md = _text(data['text/markdown']).strip('\n')
            if md.strip(): blocks.append(md)
        elif 'text/plain' in data:
            t = _clean_text(_text(data['text/plain']))
            if t.strip(): blocks.append(fence(t))
    flush()
    return blocks


# ---------------------------------------------------------------- markdown
class Links:
    "Rewrites relative links in markdown so that they work from the README's folder."
    def __init__(self, nbs_dir, out_dir):
        self.nbs_dir, self.out_dir = nbs_dir, out_dir
        self.pages, self.warned = {}, set()
        for nb in sorted(nbs_dir.rglob('*.ipynb')):
            rel = nb.relative_to(nbs_dir)
            if any(p.startswith(('.', '_')) for p in rel.parts[:-1]) or '.ipynb_checkpoints' in rel.parts: continue
            page = rel.with_name(_re_nbprefix.sub('', rel.name.lower())).with_suffix('.html').as_posix()
            self.pages.setdefault(page, nb)

    def _rel(self, p): return Path(os.path.relpath(p, self.out_dir)).as_posix()

    def target(self, t):
        if re.match(r'^[a-zA-Z][a-zA-Z0-9+.-]*:', t) or t.startswith(('/', '#')): return t   # absolute, anchor
        path, hash_, anchor = t.partition('#')
        path = path[2:] if path.startswith('./') else path
        if path.endswith('.html'):
            nb = self.pages.get(path.lower())
            if nb is None:
                if path not in self.warned: warn(f'link ({t}): no notebook in {self._rel(self.nbs_dir)}/ makes {path}; left as it is')
                self.warned.add(path)
                return t
            return self._rel(nb) + hash_ + anchor
        f = self.nbs_dir/path
        if path and f.exists() and not (self.out_dir/path).exists(): return self._rel(f) + hash_ + anchor
        return t

    def _line(self, line):
        m = _re_refdef.match(line)
        if m: return m.group(1) + self.target(m.group(2)) + m.group(3)
        out, pos = [], 0
        for cm in _re_code_span.finditer(line):            # leave `code spans` alone
            out.append(self._links(line[pos:cm.start()])); out.append(cm.group(0)); pos = cm.end()
        out.append(self._links(line[pos:]))
        return ''.join(out)

    def _links(self, s):
        return _re_link.sub(lambda m: m.group(1) + m.group(2) + self.target(m.group(3)) + m.group(4) + m.group(5), s)

    def markdown(self, md):
        lines, fenced = [], None
        for line in md.split('\n'):
            m = _re_fence.match(line)
            if fenced:
                if m and m.group(1)[0] == fenced[0] and len(m.group(1)) >= len(fenced) and not line.strip().strip(fenced[0]):
                    fenced = None
                lines.append(line)
            elif m:
                fenced = m.group(1); lines.append(line)
            else:
                lines.append(self._line(line))
        return '\n'.join(lines)


def title_cell(md):
    "Title, summary and what else is in the title cell (front matter `- key: value` lines dropped)."
    lines = md.split('\n')
    ti = next((i for i, l in enumerate(lines) if re.match(r'^#\s+\S', l)), None)
    if ti is None or any(l.strip() for l in lines[:ti]): return None
    title = lines[ti].strip()
    rest = lines[ti + 1:]
    summary = None
    j = next((i for i, l in enumerate(rest) if l.strip()), None)
    if j is not None and re.match(r'^>\s*\S', rest[j]):
        summary = rest[j].strip(); rest = rest[j + 1:]
    k = 0
    while k < len(rest) and (not rest[k].strip() or re.match(r'^-\s+\S.*:.*\S\s*$', rest[k])): k += 1
    return title, summary, '\n'.join(rest[k:]).strip('\n')


# ---------------------------------------------------------------- the README
def render(nb_path, out_path, nbs_dir):
    nb = json.loads(Path(nb_path).read_text(encoding='utf-8'))
    links = Links(Path(nbs_dir).resolve(), Path(out_path).resolve().parent)
    blocks, seen_title = [], False
    for n, cell in enumerate(nb.get('cells', []), 1):
        kind, src = cell.get('cell_type'), _src(cell)
        where = f'{Path(nb_path).name} cell {n}'
        if kind == 'markdown':
            md = src.strip('\n')
            if not seen_title:
                seen_title = True
                t = title_cell(md)
                if t:
                    title, summary, rest = t
                    blocks.append(title)
                    if summary: blocks.append(links.markdown(summary))
                    if rest.strip(): blocks.append(links.markdown(rest))
                    continue
            if md.strip(): blocks.append(links.markdown(md))
        elif kind == 'code':
            dirs, code = split_directives(src)
            if dirs.keys() & _OMIT_DIRS or dirs.get('include') == 'false': continue
            if code and dirs.get('echo') != 'false': blocks.append(fence(code, 'python'))
            if dirs.get('output') != 'false': blocks.extend(render_outputs(cell.get('outputs', []), where))
        # raw cells (front matter, other formats) are left out
    return HEADER + '\n' + '\n\n'.join(blocks) + '\n'


def main(argv=None):
    cfg = _settings()
    nbs_dir = ROOT/cfg.get('nbs_path', 'nbs')
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--check', action='store_true', help='write nothing; exit 1 if README.md is not what would be generated')
    p.add_argument('--nb', default=str(nbs_dir/cfg.get('readme_nb', 'index.ipynb')), help='the notebook (default: settings.ini readme_nb)')
    p.add_argument('--out', default=str(ROOT/'README.md'), help='the README to write or check (default: README.md in the repo root)')
    a = p.parse_args(argv)
    text = render(a.nb, a.out, nbs_dir)
    out = Path(a.out)
    if a.check:
        old = out.read_text(encoding='utf-8') if out.exists() else None
        if old == text:
            print(f'{out.name} is in step with {Path(a.nb).name}')
            return 0
        if old is None:
            print(f'{out} does not exist: run `make readme` (python tools/readme.py)', file=sys.stderr)
            return 1
        diff = list(difflib.unified_diff(old.splitlines(), text.splitlines(), f'{out.name} (on disk)',
                                         f'{out.name} (from {Path(a.nb).name})', lineterm='', n=1))
        print(f'{out.name} is out of step with {Path(a.nb).name}: run `make readme` (python tools/readme.py)', file=sys.stderr)
        for line in diff[:MAX_DIFF_LINES]: print(line, file=sys.stderr)
        if len(diff) > MAX_DIFF_LINES: print(f'... ({len(diff) - MAX_DIFF_LINES} more diff lines)', file=sys.stderr)
        return 1
    old = out.read_bytes() if out.exists() else None
    new = text.encode('utf-8')
    if old != new:
        with open(out, 'wb') as f: f.write(new)
        print(f'wrote {out} from {Path(a.nb).name}')
    else:
        print(f'{out} unchanged')
    return 0


if __name__ == '__main__':
    sys.exit(main())
