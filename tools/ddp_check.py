"""Every model family for a few steps on 2 DDP processes (gloo, CPU), then resumed in 1 process.

    python tools/ddp_check.py [FAMILY ...] [--work DIR] [--steps 3] [--grad_accum 2]

For each family: `accelerate launch --multi_gpu --num_processes 2` (2 CPU processes, gloo) runs `ttsbook train FAMILY --preset tiny
--grad_accum 2` through the command line's own `main`; each process then saves the weights its copy of
the models ended with. The check passes when both processes finished, their weights are identical,
process 0's equal the final checkpoint's, and a 1-process `ttsbook train` resumes that checkpoint for
one more step. The `hifigan-nan` case also gives process 1 alone a NaN loss at step 2: both processes must skip that
step (process 0 says why) and still agree. Prints one line per case and exits 1 if any failed. Issue 15 of the book.
"""
from __future__ import annotations
import argparse, os, subprocess, sys, time
from pathlib import Path

# the worker's own option (not `ttsbook train`'s): process 1's first loss of that step is NaN
POISON = '--nan_on_rank1_at_step'
# (name shown, family, extra `ttsbook train` settings)
CASES = [('fastspeech2', 'fastspeech2', []), ('hifigan', 'hifigan', []), ('vocos', 'vocos', []), ('vits', 'vits', []),
         ('codec', 'codec', []), ('diffusion', 'diffusion', []), ('aligner', 'aligner', []),
         # chapter 40 in a codec's latent: a frozen codec inside the model, which DDP must leave alone
         ('diffusion-codec', 'diffusion', ['--latent', 'codec', '--codec', '{codec}']),
         # a NaN loss on process 1 alone (the discriminator's turn at step 2): both processes must skip the step
         ('hifigan-nan', 'hifigan', [POISON, '2'])]
# `accelerate launch --cpu` starts one process unless MPI is installed; `--multi_gpu` starts them through torchrun, and
# the training loop's own `--cpu true` then makes accelerate join them over gloo on the CPU (MULTI_CPU)
LAUNCH = ['-m', 'accelerate.commands.launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1',
          '--mixed_precision', 'no', '--dynamo_backend', 'no']


def worker(dump: Path, argv: list[str], poison: int | None = None) -> int:
    """Run `ttsbook` with `argv` in this process; after `fit` returns, save this process's weights to dump/rank{R}.pt.
    With `poison`, process 1's first optimiser turn at that step returns a NaN loss."""
    import math, torch
    import ttsbook.training as training
    from ttsbook.cli import main
    real_fit = training.fit
    def fit_and_dump(task, *a, **kw):
        if poison is not None and int(os.environ.get('RANK', 0)) == 1:     # torchrun's process index
            real_step, first = task.training_step, []
            def poisoned(batch, name):
                out = real_step(batch, name)
                if task.step != poison or (first and first[0] != name): return out
                first[:] = [name]
                return {**out, 'loss': out['loss'] * math.nan}
            task.training_step = poisoned
        history = real_fit(task, *a, **kw)
        from accelerate.state import PartialState
        rank = PartialState().process_index
        torch.save({'models': {k: m.state_dict() for k, m in task.models.items()},
                    'seed': torch.initial_seed()}, dump/f'rank{rank}.pt')    # the seed this process's noise came from
        return history
    training.fit = fit_and_dump
    return main(argv)


def same_weights(a: dict, b: dict) -> list[str]:
    "Names of the tensors that differ between two {model: state_dict}s (or are on one side only)."
    import torch
    diff = []
    for m in a.keys() | b.keys():
        sa, sb = a.get(m, {}), b.get(m, {})
        for k in sa.keys() | sb.keys():
            x, y = sa.get(k), sb.get(k)
            if isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor) and x.shape == y.shape and torch.equal(x, y): continue
            if not isinstance(x, torch.Tensor) and x == y: continue                  # _extra_state and the like
            diff.append(f'{m}.{k}')
    return sorted(diff)


def corpus(work: Path) -> Path:
    "A tiny built-in corpus (8 utterances) prepared into a cache, made once per work folder."
    cache = work/'cache'
    if not (cache/'manifest.jsonl').exists():
        from ttsbook.data import build_corpus, prepare
        build_corpus(work/'corpus', n=8, workers=1, progress=False)
        prepare(work/'corpus', cache, workers=1, progress=False)
    return cache


def tiny_codec(work: Path, cache: Path) -> Path:
    "A tiny codec run (chapter 35) for the cases that diffuse its latent, trained once per work folder."
    out = work/'codec-for-latents'
    if not list((out/'checkpoints').glob('step-*.pt')):
        subprocess.run([sys.executable, '-m', 'ttsbook.cli', 'train', 'codec', '--data', str(cache), '--preset', 'tiny',
                        '--out', str(out), '--progress', 'false'], check=True, capture_output=True,
                       env={**os.environ, 'OMP_NUM_THREADS': '1'})
    return out


def check(name: str, family: str, extra: list[str], cache: Path, work: Path, steps: int, grad_accum: int = 2) -> tuple[bool, str]:
    "One family: the 2-process run, the weight comparison, the 1-process resume; (passed, what was seen)."
    import torch
    from ttsbook.training import load_checkpoint, step_checkpoints
    out, dump = work/f'run-{name}', work/f'ranks-{name}'
    for d in (out, dump):
        if d.exists(): subprocess.run(['rm', '-rf', str(d)], check=True)
    dump.mkdir(parents=True)
    poison = extra[extra.index(POISON) + 1] if POISON in extra else None
    extra = [x for i, x in enumerate(extra) if x != POISON and (i == 0 or extra[i - 1] != POISON)]
    args = ['train', family, '--data', str(cache), '--preset', 'tiny', '--grad_accum', str(grad_accum), '--progress', 'false',
            '--cpu', 'true', '--out', str(out), *extra]
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONUNBUFFERED': '1'}
    t0 = time.perf_counter()
    two = subprocess.run([sys.executable, *LAUNCH, __file__, '--worker', str(dump), *([POISON, poison] if poison else []),
                          '--', *args, '--max_steps', str(steps)],
                         env=env, capture_output=True, text=True, timeout=900)
    t2 = time.perf_counter() - t0
    def tail(p):                                                # the error itself, not only torchrun's closing banner
        lines = (p.stdout + p.stderr).strip().splitlines()
        errors = [l.strip() for l in lines if 'Error' in l and not l.lstrip().startswith(('File', 'raise'))]
        return ' | '.join(errors[-2:] + lines[-3:])
    if two.returncode: return False, f"2-process run failed (exit {two.returncode}): {tail(two)}"
    skip = f"step {poison}: a loss of optimiser"
    if poison and not (skip in two.stdout and 'on another process is nan; step skipped (1 so far)' in two.stdout):
        return False, f"process 0 did not report skipping step {poison} for process 1's NaN: {tail(two)}"
    ranks = [dump/f'rank{r}.pt' for r in (0, 1)]
    if not all(p.exists() for p in ranks): return False, f"a process did not finish: {[p.name for p in dump.iterdir()]}"
    (w0, s0), (w1, s1) = ((d['models'], d['seed']) for d in (torch.load(p, weights_only=True) for p in ranks))
    if s0 == s1: return False, f"both processes drew their noise from seed {s0}"
    n = sum(t.numel() for sd in w0.values() for t in sd.values() if isinstance(t, torch.Tensor))
    differ = same_weights(w0, w1)
    if differ: return False, f"ranks differ after {steps} steps in {len(differ)} tensors, e.g. {differ[:3]}"
    ckpts = step_checkpoints(out/'checkpoints')
    state = load_checkpoint(ckpts[-1])
    if state['step'] != steps: return False, f"last checkpoint is step {state['step']}, not {steps}"
    if same_weights(w0, state['models']): return False, "the checkpoint differs from process 0's weights"
    if len(state.get('rng_ranks') or []) != 2: return False, "the checkpoint holds no random state per process"
    t0 = time.perf_counter()
    one = subprocess.run([sys.executable, '-m', 'ttsbook.cli', *args, '--max_steps', str(steps + 1)],
                         env=env, capture_output=True, text=True, timeout=900)
    t1 = time.perf_counter() - t0
    if one.returncode: return False, f"1-process resume failed (exit {one.returncode}): {tail(one)}"
    if f'at step {steps}' not in one.stdout + one.stderr: return False, f"the 1-process run did not resume: {tail(one)}"
    after = load_checkpoint(step_checkpoints(out/'checkpoints')[-1])
    if after['step'] != steps + 1: return False, f"the resumed run ended at step {after['step']}"
    return True, ((f"NaN on process 1 at step {poison}: both skipped it; " if poison else '') +
                  f"2 processes x {steps} steps (grad_accum {grad_accum}), seeds {s0}/{s1}: identical weights on both ranks ({n:,} numbers) = checkpoint; "
                  f"resumed in 1 process to step {steps + 1} [{t2:.0f} s + {t1:.0f} s]")


def run(names=None, work=None, steps: int = 3, grad_accum: int = 2) -> dict:
    "Check the families `names` (default: all of CASES); {name: (passed, message)}, printed as it goes."
    import tempfile
    work = Path(work or tempfile.mkdtemp(prefix='ddp-check-'))
    cache = corpus(work)
    results = {}
    for name, family, extra in CASES:
        if names and name not in names: continue
        if any('{codec}' in x for x in extra): extra = [x.format(codec=tiny_codec(work, cache)) for x in extra]
        ok, msg = check(name, family, extra, cache, work, steps, grad_accum)
        results[name] = (ok, msg)
        print(f"{name:<12} {'ok  ' if ok else 'FAIL'} {msg}", flush=True)
    return results


if __name__ == '__main__':
    if len(sys.argv) > 2 and sys.argv[1] == '--worker':
        rest, poison = sys.argv[3:], None
        if rest[:1] == [POISON]: poison, rest = int(rest[1]), rest[2:]
        sys.exit(worker(Path(sys.argv[2]), rest[1:] if rest[:1] == ['--'] else rest, poison))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('names', nargs='*', help=f"cases to run (default all): {', '.join(c[0] for c in CASES)}")
    p.add_argument('--work', help='folder for the corpus and runs (default: a new temporary folder)')
    p.add_argument('--steps', type=int, default=3)
    p.add_argument('--grad_accum', type=int, default=2,
                   help='2 tests the split micro-batch path; 1 the path where a GAN keeps its generator output between turns')
    a = p.parse_args()
    res = run(a.names, a.work, a.steps, a.grad_accum)
    sys.exit(0 if res and all(ok for ok, _ in res.values()) else 1)
