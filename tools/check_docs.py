#!/usr/bin/env python3
"""Check the docs site that tools/build_docs.sh wrote into _docs/ (settings.ini: doc_path).

    python tools/check_docs.py            # after: bash tools/build_docs.sh

Exits 1, naming each problem, unless:
- every notebook in nbs/ (not starting with '_' or '.') has its page, named the nbdev way
  (00_audio.ipynb -> audio.html), and the sidebar lists those pages in reading order;
- every exported symbol of every module in ttsbook/_modidx.py (d['syms'], the names in the
  module's __all__) has its API entry (nbdev's show_doc heading, id="name") on the page of the
  notebook that exports it: the notebook whose `#| default_exp` is the module, or the page
  nbdev's doc link names;
- every page whose notebook has image outputs (plots) shows at least one <img>/<svg>;
- every picture a page shows from a file (<img src="images/x.svg">, not data: or http) is in the
  built site and is not empty (an SVG must parse as XML with an <svg> root), and every picture a
  notebook's markdown shows from a file (`![...](images/x.svg)`: the book's diagrams) is on its page;
- no page shows a raw nbdev directive (#| export, #| hide, ...);
- no page comes from anything but a notebook or .qmd page: no yml, css, ini or README pages.
Ends with one line: pages checked, symbols checked.
"""
import ast, configparser, json, re, sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
IMAGE_MIMES = ('image/png', 'image/jpeg', 'image/gif', 'image/svg+xml')
MD_IMAGE = re.compile(r'!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')   # ![alt](target "title")
FENCE = re.compile(r'^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1', re.M | re.S)
DIRECTIVE = re.compile(r'^\s*#\|\s*(export|exports|exporti|hide|default_exp|eval:|exec_doc)\b', re.M)
CONFIG_NAMES = {'_quarto', 'nbdev', 'sidebar', 'styles', 'settings', 'readme', '_metadata', 'custom', 'license'}


def page_name(rel: Path) -> Path:
    "The page nbdev makes of a notebook: its name lowercased, without a number prefix (nbdev.doclinks._nbpath2html)."
    return rel.with_name(re.sub(r'^\d+[a-zA-Z0-9]*_', '', rel.name.lower())).with_suffix('.html')


class Page(HTMLParser):
    "What the checks need from a page: ids, heading texts, pictures (and their sources), sidebar links, code text."

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.ids, self.headings, self.sidebar, self.imgs, self.code, self.srcs = set(), set(), [], 0, [], []
        self._heading, self._in_code = None, 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get('id'): self.ids.add(a['id'])
        if tag in ('img', 'svg'): self.imgs += 1
        if tag == 'img' and a.get('src'): self.srcs.append(a['src'])
        if tag in ('h1', 'h2', 'h3', 'h4', 'h5', 'h6'): self._heading = []
        if tag in ('pre', 'code'):
            self._in_code += 1
            self.code.append('\n')
        if tag == 'a' and 'sidebar-link' in (a.get('class') or '').split() and a.get('href'):
            self.sidebar.append(a['href'])

    def handle_endtag(self, tag):
        if tag in ('h1', 'h2', 'h3', 'h4', 'h5', 'h6') and self._heading is not None:
            self.headings.add(''.join(self._heading).strip())
            self._heading = None
        if tag in ('pre', 'code') and self._in_code: self._in_code -= 1

    def handle_data(self, data):
        if self._heading is not None: self._heading.append(data)
        if self._in_code: self.code.append(data)


def cells(nb: dict) -> list:
    return [dict(c, source=''.join(c['source']) if isinstance(c.get('source'), list) else c.get('source', ''))
            for c in nb.get('cells', [])]


def default_exp(nb: dict):
    for c in cells(nb):
        if c['cell_type'] == 'code':
            m = re.search(r'^\s*#\|\s*default_exp\s+(\S+)', c['source'], re.M)
            if m: return m.group(1)


def has_images(nb: dict) -> bool:
    "Whether the notebook has a picture in an output that the docs show (not in a hidden cell)."
    for c in cells(nb):
        if c['cell_type'] != 'code': continue
        if re.search(r'^\s*#\|\s*(hide|include:\s*false|output:\s*false)\b', c['source'], re.M): continue
        for o in c.get('outputs', []):
            if any(m in o.get('data', {}) for m in IMAGE_MIMES): return True
    return False


def local_file(src: str):
    "The path part of a picture's address when it names a file of the site; None for data:, http(s): or // addresses."
    if re.match(r'^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)', src): return None
    path = unquote(src.split('#')[0].split('?')[0])
    return path or None


def picture_problem(f: Path):
    "Why the file a page shows as a picture would not show: missing, empty, or an SVG that is not one; None if fine."
    if not f.is_file(): return 'is missing'
    if f.stat().st_size == 0: return 'is empty'
    if f.suffix.lower() == '.svg':
        try: root = ET.parse(f).getroot()
        except ET.ParseError as e: return f'is not well-formed XML ({e})'
        if not root.tag.endswith('svg'): return f'is not an SVG (root <{root.tag}>)'
        if len(root) == 0: return 'is an empty SVG'
    return None


def markdown_images(nb: dict) -> list:
    "Targets of the markdown pictures `![alt](target)` of a notebook's markdown cells (not inside code fences or spans)."
    out = []
    for c in cells(nb):
        if c['cell_type'] != 'markdown': continue
        text = re.sub(r'`[^`]*`', '', FENCE.sub('', c['source']))
        out += [m.group(1) for m in MD_IMAGE.finditer(text)]
    return out


def module_all(py: Path):
    "The names in a module's __all__, read without importing it; None when it has none."
    try: tree = ast.parse(py.read_text(encoding='utf-8'))
    except (OSError, SyntaxError): return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == '__all__' for t in node.targets):
            try: return set(ast.literal_eval(node.value))
            except ValueError: return None
    return None


def main() -> int:
    cfg = configparser.ConfigParser(delimiters=['='])
    cfg.read(ROOT/'settings.ini', encoding='utf-8')
    s = cfg['DEFAULT']
    nbs, docs, lib = ROOT/s.get('nbs_path', 'nbs'), ROOT/s.get('doc_path', '_docs'), ROOT/s.get('lib_path', s.get('lib_name'))
    lib_name = s.get('lib_name', lib.name)
    errors = []
    if not (docs/'index.html').is_file():
        print(f"check_docs: FAIL: {docs.relative_to(ROOT)}/index.html is missing; run: bash tools/build_docs.sh", file=sys.stderr)
        return 1

    # the notebooks and the pages they make
    notebooks = sorted(p for p in nbs.rglob('*.ipynb')
                       if not any(part.startswith(('_', '.')) for part in p.relative_to(nbs).parts))
    expected, pages, exp_of = {}, {}, {}
    for nb_path in notebooks:
        rel = nb_path.relative_to(nbs)
        page = page_name(rel)
        if page in expected: errors.append(f"{rel} and {expected[page]['rel']} both make {page}")
        nb = json.loads(nb_path.read_text(encoding='utf-8'))
        expected[page] = {'rel': rel, 'nb': nb}
        mod = default_exp(nb)
        if mod: exp_of[f"{lib_name}.{mod}"] = page
    for q in sorted(nbs.rglob('*.qmd')):
        if not any(part.startswith(('_', '.')) for part in q.relative_to(nbs).parts):
            expected[q.relative_to(nbs).with_suffix('.html')] = {'rel': q.relative_to(nbs), 'nb': None}

    for page, info in expected.items():
        f = docs/page
        if not f.is_file():
            errors.append(f"{info['rel']}: no page {docs.name}/{page}")
            continue
        pages[page] = Page(f.read_text(encoding='utf-8'))

    # pages that come from no notebook: config files, READMEs, leftovers
    for f in sorted(docs.rglob('*.html')):
        rel = f.relative_to(docs)
        if rel.parts[0] == 'site_libs' or rel in expected or rel.name == '404.html': continue
        stem = rel.stem.lower()
        what = 'a config file' if stem in CONFIG_NAMES or any((nbs/rel.parent).glob(f"{rel.stem}.*")) else 'no notebook'
        errors.append(f"{docs.name}/{rel}: a page made from {what} (only notebooks and .qmd files should be pages)")

    # the sidebar: every page, in reading order (index first, then the notebooks by name)
    order = sorted(expected, key=lambda p: (str(p.parent), 0 if p.stem == 'index' else 1, str(expected[p]['rel'])))
    if (index := pages.get(Path('index.html'))) is not None:
        got = [re.sub(r'^\./', '', h.split('#')[0]) for h in index.sidebar]
        got = [g for g in got if g.endswith('.html')]
        want = [str(p) for p in order]
        if [g for g in got if g in want] != want:
            errors.append(f"the sidebar lists {got}, expected the chapters in reading order {want}")

    # pictures and raw directives
    n_img, n_files = 0, 0
    for page, p in pages.items():
        nb = expected[page]['nb']
        if nb is not None and has_images(nb):
            n_img += 1
            if p.imgs == 0: errors.append(f"{page}: {expected[page]['rel']} has plots in its outputs but the page shows no <img>")
        # pictures from files: each one in the built site and not empty; the notebook's markdown pictures on the page
        here = (docs/page).parent
        shown = set()
        for src in p.srcs:
            if (path := local_file(src)) is None: continue
            f = ((docs/path.lstrip('/')) if path.startswith('/') else (here/path)).resolve()
            shown.add(f)
            n_files += 1
            if docs.resolve() not in f.parents: errors.append(f"{page}: shows <img src={src!r}>, outside the site"); continue
            if (why := picture_problem(f)): errors.append(f"{page}: shows <img src={src!r}>, but {f.relative_to(docs.resolve())} {why}")
        for target in (markdown_images(nb) if nb is not None else []):
            if (path := local_file(target)) is None: continue
            if ((docs/path.lstrip('/')) if path.startswith('/') else (here/path)).resolve() not in shown:
                errors.append(f"{page}: {expected[page]['rel']} shows the picture {target!r} in its markdown, but the page has no <img> of it")
        code = ''.join(p.code)
        if (m := DIRECTIVE.search(code)):
            errors.append(f"{page}: shows the raw nbdev directive {m.group(0).strip()!r}")

    # the API entries
    n_sym = 0
    modidx = lib/'_modidx.py'
    syms = {}
    if modidx.is_file():
        ns = {}
        exec(compile(modidx.read_text(encoding='utf-8'), str(modidx), 'exec'), ns)
        syms = ns['d'].get('syms', {})
    elif exp_of:
        errors.append(f"{modidx.relative_to(ROOT)} is missing; run nbdev_export")
    for mod in sorted(set(exp_of) - set(syms)):
        if (lib/(mod.split('.', 1)[1].replace('.', '/') + '.py')).exists():
            pass  # a module with no functions or classes has no entries in _modidx
        else:
            errors.append(f"{mod} (default_exp of {expected[exp_of[mod]]['rel']}) is not exported; run nbdev_export")
    for mod, entries in sorted(syms.items()):
        if not mod.startswith(lib_name + '.'): continue
        public = module_all(lib/(mod.split('.', 1)[1].replace('.', '/') + '.py'))
        for full, (link, _py) in sorted(entries.items()):
            name = full[len(mod) + 1:]
            if '.' in name: continue  # methods: documented only where the chapter calls show_doc on them
            if public is not None and name not in public: continue
            if public is None and name.startswith('_'): continue
            page = exp_of.get(mod)
            link_page = Path(link.split('#')[0]) if link else None
            if link_page is not None and link_page != page and link_page in expected: page = link_page
            if page is None:
                errors.append(f"{full}: no notebook has `#| default_exp {mod.split('.', 1)[1]}` and nbdev links it to {link!r}")
                continue
            n_sym += 1
            p = pages.get(page)
            if p is None: continue  # the missing page is already reported
            if name.lower() not in p.ids and name not in p.headings:
                errors.append(f"{page}: no API entry for {full} (expected nbdev's show_doc heading, id=\"{name.lower()}\")")

    if errors:
        print(f"check_docs: FAIL: {len(errors)} problem(s) in {docs.name}/", file=sys.stderr)
        for e in errors: print(f"  - {e}", file=sys.stderr)
        return 1
    print(f"check_docs: OK: {len(pages)} page(s) checked, {n_sym} symbol(s) checked, {n_img} page(s) with plots, "
          f"{n_files} picture file(s) shown, sidebar in reading order")
    return 0


if __name__ == '__main__':
    sys.exit(main())
