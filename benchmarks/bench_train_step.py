"""Training-step speed of each family's `small` preset, this tree against a reference commit checked out beside it.

What a learner's CPU budget is spent on: the book's own loop (`ttsbook.training.train`, so the data collate, the
forward and backward passes, the optimiser and EMA steps all count), on one fixed real batch — a cache of the
built-in corpus whose training split is exactly one batch — at 1 and 2 torch threads. Each measurement is a fresh
process; this tree and the reference alternate, `--repeats` times each, and the best (the least disturbed by
anything else on the machine) is kept. Printed: ms a step for both and the ratio reference / this tree (> 1: this
tree is faster).

    python benchmarks/bench_train_step.py [--families fastspeech2 vits] [--threads 1 2] [--steps 24]
                                          [--reference COMMIT] [--repeats 2] [--overrides JSON]

`--overrides` (a JSON dict of settings, e.g. '{"dropout": 0.0}') is given to both trees, so a preset that changed
between them can be compared at equal settings: the speed of the code alone.

The reference is REFERENCE below (main before the speed work of the "GPU and multi-GPU ready" issue) unless
--reference names another commit; it is checked out with `git worktree` into a temporary folder and imported from
there, so both trees train on the same cache.
"""
from __future__ import annotations
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = 'e19e66e'                      # main at the start of the speed work (2026-12-06)
FAMILIES = ('fastspeech2', 'vits', 'hifigan', 'vocos', 'diffusion', 'aligner')

# One measurement, run in a fresh interpreter: `python -c CHILD TREE CACHE FAMILY THREADS STEPS OUT`.
CHILD = r'''
import json, sys, time, warnings
tree, cache, family, threads, steps, out, extra = sys.argv[1:8]
sys.path.insert(0, tree)
import torch
torch.set_num_threads(int(threads))
warnings.filterwarnings('ignore')
from ttsbook.cli import register_model_families
register_model_families()
from ttsbook.batching import TTSDataset
from ttsbook.training import train
n = len(TTSDataset(cache, 'train'))
log = 4
hist = train(family, cache, 'small', out=out, resume='none',
             overrides={**json.loads(extra), 'max_steps': int(steps), 'batch_size': n, 'log_every': log,
                        'eval_every': 10 ** 9, 'synth_every': 0, 'ckpt_every': 10 ** 9, 'progress': False,
                        'num_workers': 0})
rates = [r['steps_per_s'] for r in hist['train']][1:]          # the first window holds the warm-up
import ttsbook
print(json.dumps({'ms': 1000 / max(rates), 'windows': len(rates), 'batch': n, 'tree': ttsbook.__file__}))
'''

def make_cache(folder: Path, n_utterances: int) -> Path:
    "A cache of the built-in corpus whose training split is one batch."
    sys.path.insert(0, str(ROOT))
    from ttsbook.data import build_corpus, prepare
    build_corpus(folder/'corpus', n=n_utterances, workers=2, progress=False)
    prepare(folder/'corpus', folder/'cache', workers=2, progress=False)
    return folder/'cache'

def measure(tree: Path, cache: Path, family: str, threads: int, steps: int, work: Path, extra: str = '{}') -> float:
    out = Path(tempfile.mkdtemp(prefix=f'{family}-', dir=work))
    env = {**os.environ, 'OMP_NUM_THREADS': str(threads), 'MKL_NUM_THREADS': str(threads), 'PYTHONWARNINGS': 'ignore'}
    r = subprocess.run([sys.executable, '-c', CHILD, str(tree), str(cache), family, str(threads), str(steps), str(out), extra],
                       capture_output=True, text=True, env=env, cwd=work)
    if r.returncode != 0: raise RuntimeError(f"{family} in {tree} failed:\n{r.stderr[-3000:]}")
    res = json.loads(r.stdout.strip().splitlines()[-1])
    if not res['tree'].startswith(str(tree)): raise RuntimeError(f"imported {res['tree']}, not the tree {tree}")
    return res['ms']

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--families', nargs='*', default=list(FAMILIES))
    ap.add_argument('--threads', nargs='*', type=int, default=[1, 2])
    ap.add_argument('--steps', type=int, default=24, help='optimiser steps a measurement (log windows of 4; the first is dropped)')
    ap.add_argument('--repeats', type=int, default=2)
    ap.add_argument('--reference', default=REFERENCE)
    ap.add_argument('--utterances', type=int, default=9, help='corpus size; its training split is the batch')
    ap.add_argument('--overrides', default='{}', help='JSON dict of settings given to both trees')
    a = ap.parse_args(argv)
    import platform, torch
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}; "
          f"reference {a.reference}, this tree {ROOT}" + (f"; both with {a.overrides}" if a.overrides != '{}' else ''))
    with tempfile.TemporaryDirectory(prefix='bench-train-step-') as d:
        work = Path(d)
        ref = work/'reference'
        subprocess.run(['git', '-C', str(ROOT), 'worktree', 'add', '--detach', str(ref), a.reference], check=True,
                       capture_output=True)
        try:
            cache = make_cache(work, a.utterances)
            print(f"{'family':12s} {'threads':>7s} {'reference ms':>13s} {'this tree ms':>13s} {'speed-up':>9s}")
            for family in a.families:
                for threads in a.threads:
                    best = {'ref': float('inf'), 'new': float('inf')}
                    for _ in range(a.repeats):                 # alternate, so both see the same machine
                        for key, tree in (('ref', ref), ('new', ROOT)):
                            best[key] = min(best[key], measure(tree, cache, family, threads, a.steps, work, a.overrides))
                    print(f"{family:12s} {threads:7d} {best['ref']:13.0f} {best['new']:13.0f} "
                          f"{best['ref'] / best['new']:8.2f}x", flush=True)
        finally:
            subprocess.run(['git', '-C', str(ROOT), 'worktree', 'remove', '--force', str(ref)], capture_output=True)

if __name__ == '__main__':
    main()
