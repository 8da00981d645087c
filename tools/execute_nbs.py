"""Execute notebooks in place so their outputs (prints, plots, players) are stored for readers and the docs site.

Cells flagged with a test flag from settings.ini (`#| slow`, `#| gpu`) are skipped and keep their previous
outputs unless the flag is passed with --flags; `#| gpu` cells also need CUDA. `--flagged-from TEXT` runs the
flagged cells only from the first cell whose source contains TEXT on (a new section at the end of a chapter,
without re-running the hour of flagged cells before it; those keep their stored outputs), and `--flagged-until TEXT`
stops running them again at the first later cell containing TEXT (a new section in the middle of a chapter). Usage:
    python tools/execute_nbs.py [NOTEBOOK ...] [--flags "slow gpu"] [--flagged-from TEXT] [--flagged-until TEXT]
"""
import argparse, os, re, sys, time
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from nbdev.config import get_config

def directives(src: str) -> dict:
    "The `#| name [value]` directives at the top of a cell, as {name: value}."
    found = {}
    for line in src.splitlines():
        m = re.match(r'\s*#\|\s*([\w-]+):?\s*(.*)', line)
        if m: found[m.group(1)] = m.group(2).strip()
        elif line.strip(): break
    return found

_ANSI = re.compile(r'\x1b\[[0-?]*[ -/]*[@-~]')

def drop_terminal_codes(nb) -> int:
    """Remove terminal escape codes from stored stream outputs (IPython's clear_output writes them when a widget redraws),
    and the outputs left empty; returns how many outputs were changed or dropped. The docs site would show them raw."""
    changed = 0
    for cell in nb.cells:
        kept = []
        for o in cell.get('outputs', []):
            if o.get('output_type') == 'stream':
                text = ''.join(o.get('text', ''))
                clean = _ANSI.sub('', text)
                if clean != text:
                    changed += 1
                    clean = re.sub(r'^\r+|(?<=\n)\r+', '', clean)
                    if not clean.strip(): continue
                    o['text'] = clean
            kept.append(o)
        if 'outputs' in cell: cell['outputs'] = kept
    return changed

def execute(path: Path, run_flags: set, skip_flags: set, flagged_from: str | None = None,
            flagged_until: str | None = None) -> float:
    nb = read_nb(path)
    starts = [i for i, c in enumerate(nb.cells) if flagged_from and flagged_from in c.source]
    if flagged_from and not starts: raise SystemExit(f"{path}: no cell contains --flagged-from {flagged_from!r}")
    ends = [i for i, c in enumerate(nb.cells) if flagged_until and flagged_until in c.source and i > (starts or [-1])[0]]
    if flagged_until and not ends: raise SystemExit(f"{path}: no cell after the start contains --flagged-until {flagged_until!r}")
    first = nb.cells[starts[0]] if starts else None
    stop = nb.cells[ends[0]] if ends else None
    seen = {'start': first is None}
    def skip(cell):
        if cell is first: seen['start'] = True
        if cell is stop: seen['start'] = False
        if cell.cell_type != 'code': return True
        d = directives(cell.source)
        if d.get('eval', '').lower() == 'false': return True       # as nbdev_test: never run
        if (d.keys() & skip_flags) - run_flags: return True
        if d.keys() & skip_flags and not seen['start']: return True   # flagged, before the section asked for
        cell.outputs = []                      # a cell that now prints nothing must not keep old output
        return False
    t0 = time.time()
    shell = CaptureShell(path, mpl_format='png')   # plain PNG keeps notebooks (and their diffs) small
    cwd = os.getcwd(); os.chdir(path.parent)
    try: shell.run_all(nb, exc_stop=True, preproc=skip)
    except Exception:
        sys.stderr.write(shell.prettytb(fname=path) + '\n'); raise SystemExit(f"{path}: execution failed; notebook left unchanged")
    finally: os.chdir(cwd)
    drop_terminal_codes(nb)
    write_nb(nb, path)
    return time.time() - t0

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='*')
    ap.add_argument('--flags', default='', help='test flags whose cells should run too, e.g. "slow gpu"')
    ap.add_argument('--flagged-from', default=None, help='run flagged cells only from the first cell containing this text on')
    ap.add_argument('--flagged-until', default=None, help='... and only before the first later cell containing this text')
    a = ap.parse_args()
    cfg = get_config()
    skip_flags = set(cfg.tst_flags.split())
    run_flags = set(a.flags.split())
    if 'gpu' in run_flags:
        import torch
        if not torch.cuda.is_available(): sys.exit("--flags gpu asked for, but torch finds no CUDA device")
    nbs = [Path(p).resolve() for p in a.notebooks] or sorted(p for p in Path(cfg.nbs_path).glob('*.ipynb') if not p.name.startswith('_'))
    for p in nbs: print(f"{p.name}: executed in {execute(p, run_flags, skip_flags, a.flagged_from, a.flagged_until):.0f} s", flush=True)
