"""One prepared GPU check (issue 15): every `#| gpu` cell, Triton MAS timing, and each family's bf16 `base` run, in one table.

    python tools/gpu_check.py --pack        # here: wheels + prepared caches into .gpu/ (git-ignored); prints what travels
    bash tools/gpu_check.sh                 # on the GPU machine: installs .gpu/wheels, runs everything, prints the table
    bash tools/gpu_check.sh --cpu           # the rehearsal here: tiny sizes, the GPU machine's packages simulated

The GPU machine has torch, triton, accelerate, ... but not soundfile, librosa, fastcore, ema-pytorch, nbdev, IPython or the
Debian voices, and nothing can be downloaded there. So `.gpu/` carries wheels for what the library imports, a prepared cache
for the training runs, the 12-utterance cache the notebooks build and the example utterance they speak. The `#| gpu` cells run
without nbdev: each notebook's hidden import cell (statement by statement; a missing module is reported, not fatal), then only
the earlier unflagged cells that define the names a GPU cell reads (found from the code's names), then the GPU cells, all in
one namespace that starts from the notebook's module. Corpus building and playback are stood in for (see `STAND_INS`).

Every part runs in its own process with a timeout taken from one deadline (`--minutes`, default 7.5), so the whole check ends
inside it by construction; a part that fails or times out is one FAIL row, and the others still run.

`--cpu` runs the same code with tiny sizes on the CPU: the notebooks' preparation cells run and the GPU cells are compiled and
their names checked (not run), MAS compares torch with numba, and each family runs its `tiny` preset in bf16 for a few steps.
gpu_check.sh --cpu runs it in a throwaway venv whose site-packages links only the GPU image's distributions (`GPU_DISTS`,
`--make-sim`) plus the carried wheels, so a missing import fails here first.

Host syncs: for a few steps after warm-up each family's run counts device->host reads. `training_step` reads are counted by
patching the Tensor methods that read values to Python (`READS`); on CUDA `torch.cuda.set_sync_debug_mode('warn')` counts every
synchronisation of the whole loop step as well. Both print the lines they come from.
"""
from __future__ import annotations
import argparse, ast, builtins, contextlib, io, json, os, shutil, subprocess, sys, tempfile, time, traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT/'.gpu'
FAMILIES = ['fastspeech2', 'hifigan', 'vocos', 'vits', 'codec', 'diffusion', 'aligner']
# the GPU image's distributions (/work/.library/device/KINDS.md, read 2026-11-17): everything else must come from .gpu/wheels
GPU_DISTS = """absl-py accelerate aiofiles aiohappyeyeballs aiohttp aiosignal annotated-doc anyio attrs botorch build certifi
charset-normalizer chex click cloudpickle cmake colorama contourpy coverage cuda-bindings cuda-core cuda-pathfinder cuda-toolkit
cupy-cuda13x cycler cython diffrax e3nn einops equinox etils execnet filelock flatbuffers flax fonttools formulaic frozenlist fsspec
gpytorch grpcio h11 h5py hf-xet httpcore httpx huggingface-hub humanize hypothesis idna imageio iniconfig interface-meta jax
jax-cuda13-pjrt jax-cuda13-plugin jaxlib jaxtyping jinja2 joblib kiwisolver lazy-loader lightning lightning-utilities
linear-operator lineax llvmlite lxml markdown markdown-it-py markupsafe matplotlib mdurl meson ml-dtypes mpi4py mpmath msgpack
multidict multipledispatch mypy-extensions nanobind narwhals networkx ninja numba numba-cuda numpy numpyro nvidia-cublas
nvidia-cuda-cupti nvidia-cuda-nvrtc nvidia-cuda-runtime nvidia-cudnn-cu13 nvidia-cufft nvidia-cufile nvidia-curand
nvidia-cusolver nvidia-cusparse nvidia-cusparselt-cu13 nvidia-ml-py nvidia-nccl-cu13 nvidia-nvjitlink nvidia-nvshmem-cu13
nvidia-nvtx onnx onnx-ir onnxruntime onnxscript opencv-python-headless optax opt-einsum opt-einsum-fx optimistix
orbax-checkpoint packaging pandas pathspec patsy peft pillow pip pluggy portalocker prometheus-client propcache protobuf psutil
pyarrow pybind11 py-cpuinfo pygments pyparsing pyproject-hooks pyre-extensions pytest pytest-benchmark pytest-cov pytest-mock
pytest-timeout pytest-xdist python-dateutil pytorch-lightning pyyaml regex requests rich sacrebleu safetensors
scikit-build-core scikit-image scikit-learn scipy seaborn sentencepiece sentence-transformers setuptools shellingham simplejson
six sortedcontainers statsmodels sympy tabulate tensorboard tensorboard-data-server tensorstore threadpoolctl tifffile tiktoken
timm tokenizers toolz torch torchaudio torchdiffeq torch-geometric torchmetrics torchvision tqdm transformers treescope triton
typer typing-extensions typing-inspect urllib3 uvloop wadler-lindig werkzeug wheel wrapt xarray xxhash yarl zipp""".split()
# what .gpu/wheels brings: the library's own imports (soundfile, fastcore, num2words, ema-pytorch), librosa for chapter 00's
# hidden import cell, and their needs the image lacks. Pinned to the versions this checkout is tested with.
WHEELS = ['soundfile==0.14.0', 'cffi==2.1.1', 'pycparser==3.12', 'fastcore==1.14.5', 'num2words==0.5.14', 'docopt==0.6.2',
          'ema-pytorch==0.8.3', 'librosa==0.11.0', 'audioread==3.1.0', 'pooch==1.9.0', 'decorator==5.3.2', 'platformdirs==4.14.9',
          'soxr==1.1.0']
PLATFORMS = ['manylinux_2_28_x86_64', 'manylinux_2_27_x86_64', 'manylinux_2_17_x86_64', 'manylinux2014_x86_64', 'manylinux1_x86_64']
TRAIN_UTTERANCES = 96           # the training cache: about 260 kB an utterance on disk, so about 25 MiB travel


# ---------------------------------------------------------------------------------------------------------------- simulation
def _canon(name: str) -> str: return name.lower().replace('_', '-')

def make_sim(folder: Path):
    "A venv at `folder` (this Python, no pip) whose site-packages links only the distributions of the GPU image found here."
    import importlib.metadata as md, venv
    venv.EnvBuilder(with_pip=False, clear=True, symlinks=True).create(folder)
    site = next((folder/'lib').glob('python3*/site-packages'))
    gpu, linked = {_canon(d) for d in GPU_DISTS}, set()
    for dist in md.distributions():
        if _canon(dist.metadata['Name'] or '') not in gpu: continue
        for f in dist.files or []:
            top = f.parts[0]
            if top in ('..', '__pycache__') or top.endswith('.pth') or top in linked: continue
            src = Path(dist.locate_file(top))
            if src.exists(): (site/top).symlink_to(src); linked.add(top)
    print(f"{folder}: {len(linked)} entries of the GPU image's distributions linked into {site}")

# ---------------------------------------------------------------------------------------------------------------- packing
def pack(n_train: int = TRAIN_UTTERANCES):
    "Fill .gpu/: the wheels (cp312 for the GPU, cp311 for the rehearsal here), the caches, the example utterance; print sizes."
    wheels = PACK/'wheels'; wheels.mkdir(parents=True, exist_ok=True)
    plat = [a for p in PLATFORMS for a in ('--platform', p)]
    for py in ('3.12', f'{sys.version_info.major}.{sys.version_info.minor}'):
        subprocess.run([sys.executable, '-m', 'pip', 'download', '-q', '--no-deps', '--only-binary=:all:', '--python-version', py,
                        '--implementation', 'cp', *plat, '-d', str(wheels), *[w for w in WHEELS if not w.startswith('docopt')]], check=True)
    if not list(wheels.glob('docopt-*.whl')):                             # an sdist only: build its (pure Python) wheel here
        subprocess.run([sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps', '-w', str(wheels), 'docopt==0.6.2'], check=True)
    (wheels/'requirements.txt').write_text('\n'.join(WHEELS) + '\n')
    from ttsbook.data import build_corpus, prepare
    from ttsbook.audio import example_utterance
    import torch
    work = Path(tempfile.mkdtemp(prefix='gpu-pack-'))
    for name, n in (('cache-nb', 12), ('cache', n_train)):                 # cache-nb: what the notebooks build (n=12, seed 0)
        if (PACK/name/'manifest.jsonl').exists(): continue
        build_corpus(work/f'corpus-{n}', n=n, progress=False)
        summary = prepare(work/f'corpus-{n}', PACK/name, workers=2, progress=False)
        (PACK/name/'prepare_summary.json').write_text(json.dumps(summary))
    wav, source = example_utterance(sample_rate=22050)
    torch.save({'wav': wav, 'source': source, 'sample_rate': 22050}, PACK/'example_utterance.pt')
    shutil.rmtree(work, ignore_errors=True)
    size = lambda p: sum(f.stat().st_size for f in Path(p).rglob('*') if f.is_file())
    for p in sorted(PACK.iterdir()): print(f"{p.relative_to(ROOT)}: {size(p) / 2**20:.1f} MiB")
    print(f"total .gpu: {size(PACK) / 2**20:.1f} MiB (with the tracked tree, at most 64 MiB travel)")


# ---------------------------------------------------------------------------------------------------------------- notebooks
def _code_cells(nb: Path) -> list[tuple[int, str]]:
    cells = json.loads(nb.read_text())['cells']
    return [(i, '\n'.join(l for l in ''.join(c['source']).splitlines() if not l.lstrip().startswith(('%', '!'))))
            for i, c in enumerate(cells) if c['cell_type'] == 'code']

def _flags(src: str) -> set[str]:
    return {w for l in src.splitlines() if l.startswith('#|') for w in l[2:].split()}

def _names(src: str) -> tuple[set[str], set[str]]:
    "(names a cell binds at top level, names it reads that it does not bind)."
    tree, bound, local, loads = ast.parse(src), set(), set(), set()
    for st in tree.body:
        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): bound.add(st.name); continue
        for n in ast.walk(st):
            if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)): bound.add(n.id)
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): bound.add(n.name)
            elif isinstance(n, (ast.Import, ast.ImportFrom)): bound |= {(a.asname or a.name).split('.')[0] for a in n.names}
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load): loads.add(n.id)
        elif isinstance(n, ast.arg): local.add(n.arg)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp, ast.GeneratorExp, ast.DictComp, ast.SetComp)):
            local |= {m.id for m in ast.walk(n) if isinstance(m, ast.Name) and isinstance(m.ctx, ast.Store)}
            local |= {m.name for m in ast.walk(n) if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and m is not n}
    return bound, loads - bound - local - set(dir(builtins))

def gpu_cells(nb: Path) -> list[int]:
    return [i for i, s in _code_cells(nb) if 'gpu' in _flags(s)]

def cell_slice(nb: Path, target: int, given: set[str]) -> list[int]:
    "Earlier unflagged, unexported cells that bind what cell `target` reads (and what they read, recursively), in order."
    cells = _code_cells(nb); src = dict(cells)
    before = [(i, s) for i, s in cells if i < target and not _flags(s) & {'slow', 'gpu', 'export', 'exports', 'hide'}]
    need, seen, chosen = set(_names(src[target])[1]) - given, set(), set()
    while need:
        name = need.pop(); seen.add(name)
        for i, s in reversed(before):
            b, free = _names(s)
            if name in b:
                if i not in chosen: chosen.add(i); need |= free - seen - given
                break
    return sorted(chosen)

def stand_ins(ns: dict, cpu: bool):
    "What the GPU machine lacks, replaced: the Debian voices (corpus, example utterance), IPython's player, nbdev's show_doc."
    import torch
    def build_corpus(out, n=1000, **kw):
        if n != 12: raise RuntimeError(f"stand-in build_corpus has only the 12-utterance corpus (asked for {n})")
        Path(out).mkdir(parents=True, exist_ok=True); return Path(out)
    def prepare(corpus, out, *a, **kw):
        shutil.copytree(PACK/'cache-nb', out, dirs_exist_ok=True)
        return json.loads((PACK/'cache-nb'/'prepare_summary.json').read_text())
    def example_utterance(text=None, sample_rate=22050, voice='slt_hts'):
        d = torch.load(PACK/'example_utterance.pt')
        wav = d['wav'] if sample_rate == d['sample_rate'] else __import__('ttsbook.audio').audio.resample(d['wav'], d['sample_rate'], sample_rate)
        return wav, d['source']
    quiet = lambda *a, **kw: None
    ns.update(build_corpus=build_corpus, prepare=prepare, example_utterance=example_utterance, play=quiet, show_doc=quiet,
              display=quiet, Audio=quiet)

STAND_INS = ('build_corpus', 'prepare', 'example_utterance', 'play', 'show_doc', 'display', 'Audio')

def run_notebook(nb: Path, cpu: bool) -> list[dict]:
    "A notebook's GPU cells after their preparation: rows {item, ok, seconds, detail}."
    import importlib
    cells = _code_cells(nb); src = dict(cells)
    mod = next(l.split()[-1] for _, s in cells for l in s.splitlines() if l.startswith('#| default_exp'))
    m = importlib.import_module(f'ttsbook.{mod}')
    ns = {'__name__': '__main__', **{k: v for k, v in vars(m).items() if not k.startswith('__')}}
    missing = []
    for _, s in cells:                                           # the hidden import cells, one imported name at a time
        if 'hide' not in _flags(s): continue
        for st in ast.parse(s).body:
            if not isinstance(st, (ast.Import, ast.ImportFrom)): continue
            for alias in st.names:
                one = ast.Import([alias]) if isinstance(st, ast.Import) else ast.ImportFrom(st.module, [alias], st.level)
                try: exec(compile(ast.fix_missing_locations(ast.Module([one], [])), str(nb), 'exec'), ns)
                except ImportError: missing.append(alias.name)
    stand_ins(ns, cpu)
    given = set(ns)
    rows, prepared = [], set()
    for target in gpu_cells(nb):
        item = f"{nb.stem} cell {target}"
        t0, out = time.perf_counter(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                for i in cell_slice(nb, target, given):
                    if i not in prepared: exec(compile(src[i], f'{nb.name}[{i}]', 'exec'), ns); prepared.add(i)
                code = compile(src[target], f'{nb.name}[{target}]', 'exec')
                unset = sorted(n for n in _names(src[target])[1] if n not in ns)
                if unset: raise NameError(f"not defined after the preparation cells: {unset}")
                if not cpu: exec(code, ns); prepared.add(target)
            said = [l for l in out.getvalue().splitlines() if l.strip()]
            detail = ('prepared and compiled, names defined (no CUDA: not run)' if cpu else ' | '.join(said[-3:]) or 'passed')
            rows.append(dict(item=item, ok=True, seconds=time.perf_counter() - t0, detail=detail))
        except BaseException as e:
            where = [f for f in traceback.extract_tb(e.__traceback__) if f.filename.startswith(nb.name) or '/ttsbook/' in f.filename]
            at = f" at {where[-1].filename}:{where[-1].lineno}" if where else ''
            rows.append(dict(item=item, ok=False, seconds=time.perf_counter() - t0, detail=f"{type(e).__name__}: {str(e)[:300]}{at}"))
        if missing and target == gpu_cells(nb)[0]: rows[-1]['detail'] += f" [imports not on the GPU machine, skipped: {', '.join(missing)}]"
    return rows


# ---------------------------------------------------------------------------------------------------------------- MAS
def run_mas(cpu: bool) -> list[dict]:
    "Triton MAS at (16, 1024, 4096) against numba (equal) and torch (time); target <= 20 ms."
    import numpy as np, torch
    from ttsbook.alignment import mas_numba, mas_torch, _MAS_IMPLS, monotonic_alignment_search
    B, N, T = (4, 50, 200) if cpu else (16, 1024, 4096)
    rng = np.random.default_rng(0)
    phone_lens = torch.from_numpy(rng.integers(N // 2, N + 1, B)); mel_lens = torch.from_numpy(rng.integers(2 * N, T + 1, B))
    phone_lens[0], mel_lens[0] = N, T
    log_p = torch.from_numpy(rng.normal(size=(B, N, T))).float()
    dev = 'cpu' if cpu else 'cuda'
    args = [x.to(dev) for x in (log_p, phone_lens, mel_lens)]
    sync = (lambda: None) if cpu else torch.cuda.synchronize
    def timed(fn, n):
        fn(*args); sync(); ts = []
        for _ in range(n):
            t0 = time.perf_counter(); fn(*args); sync(); ts.append(time.perf_counter() - t0)
        return 1e3 * sorted(ts)[len(ts) // 2]
    rows, ref = [], mas_numba(log_p, phone_lens, mel_lens)
    t_torch = timed(mas_torch, 1 if not cpu else 3)
    same_torch = torch.equal(mas_torch(*args).cpu(), ref)
    if cpu:
        rows.append(dict(item=f'MAS torch {B}x{N}x{T}', ok=same_torch, seconds=t_torch / 1e3,
                         detail=f"{t_torch:.1f} ms, {'=' if same_torch else '!='} numba; triton: no CUDA, not timed "
                                f"(registered: {'triton' in _MAS_IMPLS})"))
        return rows
    mas_triton = _MAS_IMPLS.get('triton')
    if mas_triton is None:
        return [dict(item=f'MAS triton {B}x{N}x{T}', ok=False, seconds=0, detail="'triton' not in _MAS_IMPLS")]
    t_triton = timed(mas_triton, 10)
    same = torch.equal(mas_triton(*args).cpu(), ref) and torch.equal(monotonic_alignment_search(*args).cpu(), ref)
    rows.append(dict(item=f'MAS triton {B}x{N}x{T}', ok=same and t_triton <= 20, seconds=t_triton / 1e3,
                     detail=f"{t_triton:.2f} ms (target <= 20), {'=' if same else '!='} numba; mas_torch {t_torch:.0f} ms "
                            f"({'=' if same_torch else '!='} numba): {t_torch / t_triton:.0f}x"))
    return rows


# ---------------------------------------------------------------------------------------------------------------- families
READS = ('item', 'tolist', '__bool__', '__int__', '__float__', '__index__', 'numpy', 'nonzero')

class _Done(Exception): "Raised inside training_step when the measured steps are done."

def _site() -> str:
    "The innermost ttsbook line (else the first outside torch) of the current stack, as 'file.py:line (function)'."
    f, fallback = sys._getframe(1), None
    while f is not None:
        fn = f.f_code.co_filename
        if '/ttsbook/' in fn: return f"{Path(fn).name}:{f.f_lineno} ({f.f_code.co_name})"
        if fallback is None and '/torch/' not in fn and fn != __file__ and not fn.endswith('warnings.py'): fallback = f"{Path(fn).name}:{f.f_lineno} ({f.f_code.co_name})"
        f = f.f_back
    return fallback or '?'

@contextlib.contextmanager
def count_reads(cuda: bool, sites: dict, active: list):
    "Patch the Tensor methods that read values to Python; while active[0], count each call (on CUDA: of CUDA tensors) by site."
    import torch
    saved = {k: getattr(torch.Tensor, k) for k in READS}
    saved_fn = {'nonzero': torch.nonzero, 'masked_select': torch.masked_select, 'unique': torch.unique}
    depth = [0]
    def wrap(name, real, is_method=True):
        def f(*a, **kw):
            t = a[0] if a else None
            if active[0] and depth[0] == 0 and isinstance(t, torch.Tensor) and (t.is_cuda or not cuda):
                s = f"{name}: {_site()}"; sites[s] = sites.get(s, 0) + 1
            depth[0] += 1                                           # a read inside a read (item -> __float__) counts once
            try: return real(*a, **kw)
            finally: depth[0] -= 1
        return f
    for k, real in saved.items(): setattr(torch.Tensor, k, wrap(k, real))
    for k, real in saved_fn.items(): setattr(torch, k, wrap(k, real))
    try: yield
    finally:
        for k, real in saved.items(): setattr(torch.Tensor, k, real)
        for k, real in saved_fn.items(): setattr(torch, k, real)

def _batch_frames(b: dict) -> int:
    "Mel frames of a CPU batch: the real frames of whole utterances, or batch x length of fixed segments."
    if 'mel_lens' in b: return int(b['mel_lens'].sum())
    for k in ('mels', 'mel'):
        if k in b and hasattr(b[k], 'shape'): return int(b[k].shape[0] * b[k].shape[-1])
    return 0

def run_family(family: str, cpu: bool, budget: float, warm: int, sync_steps: int, steps: int) -> list[dict]:
    "`ttsbook train FAMILY` (base, bf16; tiny on the CPU) for warm + sync_steps + up to `steps` steps, within `budget` seconds."
    import importlib, warnings, torch
    import ttsbook.training as training
    for m in ('fastspeech', 'hifigan', 'vocos', 'vits', 'codec', 'diffusion', 'alignment'): importlib.import_module(f'ttsbook.{m}')
    cuda = not cpu
    st = dict(t0=None, start=warm + sync_steps, frames=0, last=-1, n=0, done=False)
    reads, syncs, active = {}, {}, [False]
    real_fit = training.fit

    def probing_fit(task, *a, **kw):
        real_collate, real_step = task.collate, task.training_step
        def collate(items):
            b = real_collate(items); b['_probe_frames'] = _batch_frames(b); return b
        def on_new_step(step):
            if step == warm and cuda:                                  # CUDA syncs counted over steps warm .. start - 1
                torch.cuda.synchronize(); torch.cuda.set_sync_debug_mode('warn')
            if step == st['start']:
                if cuda: torch.cuda.set_sync_debug_mode(0); torch.cuda.synchronize()
                st['t0'] = time.perf_counter()
            if st['t0'] is not None and step > st['start']:
                if step - st['start'] >= steps or time.perf_counter() - st['t0'] > budget:
                    if cuda: torch.cuda.synchronize()
                    st['seconds'], st['n'] = time.perf_counter() - st['t0'], step - st['start']
                    raise _Done()
        def training_step(batch, name):
            frames = batch.pop('_probe_frames', None)
            if task.step != st['last']:
                st['last'] = task.step; on_new_step(task.step)
                if frames is not None and st['t0'] is not None: st['frames'] += frames
            active[0] = warm <= task.step < st['start']
            try: return real_step(batch, name)
            finally: active[0] = False
        task.collate, task.training_step = collate, training_step
        return real_fit(task, *a, **kw)

    overrides = dict(mixed_precision='bf16', max_steps=10**9, log_every=10**9, eval_every=0, synth_every=0, ckpt_every=10**9,
                     progress=False, cpu=cpu)
    if family in ('vocos', 'codec'): overrides['total_steps'] = 10**6
    if cpu: overrides['num_workers'] = 1                              # the DataLoader worker path too, as base presets use 4
    out = Path(tempfile.mkdtemp(prefix=f'gpu-check-{family}-'))
    data = PACK/('cache-nb' if cpu else 'cache')
    training.fit = probing_fit
    if cuda: torch.cuda.reset_peak_memory_stats()
    t_all = time.perf_counter()
    # CUDA sync warnings: recorded by a handler on the warnings module while set_sync_debug_mode('warn') is on
    sync_log = []
    real_show = warnings.showwarning
    def show(message, category, filename, lineno, file=None, line=None):
        if 'synchroniz' in str(message).lower(): sync_log.append(_site()); return
        real_show(message, category, filename, lineno, file, line)
    try:
        warnings.showwarning = show
        with warnings.catch_warnings():
            warnings.simplefilter('always')
            with count_reads(cuda, reads, active):
                try:
                    training.train(family, data, 'tiny' if cpu else 'base', out=out, overrides=overrides, resume=None)
                    return [dict(item=f'train {family}', ok=False, seconds=time.perf_counter() - t_all, detail='ended before the probe')]
                except _Done: pass
    finally:
        training.fit = real_fit; warnings.showwarning = real_show
        if cuda: torch.cuda.set_sync_debug_mode(0)
        shutil.rmtree(out, ignore_errors=True)
    n, sec = st['n'], st['seconds']
    mem = f", peak {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB" if cuda else ''
    per = lambda d: sum(d.values()) / sync_steps
    top = lambda d: '; '.join(f"{k} x{v / sync_steps:g}" for k, v in sorted(d.items(), key=lambda kv: -kv[1])[:8])
    for w in sync_log: syncs[w] = syncs.get(w, 0) + 1
    detail = (f"{n / sec:.2f} steps/s, {st['frames'] / sec:,.0f} frames/s{mem}; "
              f"training_step reads/step {per(reads):g}" + (f", CUDA syncs/step (whole loop) {per(syncs):g}" if cuda else ''))
    rows = [dict(item=f"train {family} {'tiny' if cpu else 'base'} bf16", ok=True, seconds=time.perf_counter() - t_all, detail=detail,
                 steps_per_s=n / sec, frames_per_s=st['frames'] / sec, steps=n, reads_per_step=per(reads),
                 syncs_per_step=per(syncs) if cuda else None, read_sites=top(reads), sync_sites=top(syncs) if cuda else '')]
    return rows


# ---------------------------------------------------------------------------------------------------------------- driver
# seconds per kind of part: (at most, at least). A part may take up to its cap, less whatever the parts after it need at least,
# so the whole check ends inside the deadline however the parts go; time a part leaves unused goes to the ones after it.
LIMITS = {'nb': (60, 15), 'mas': (60, 15), 'family': (90, 45)}

def parts() -> list[str]:
    "The parts in running order: each notebook with `#| gpu` cells, MAS, the families."
    nbs = sorted({p.stem for p in (ROOT/'nbs').glob('*.ipynb') if gpu_cells(p)})
    return [f'nb:{n}' for n in nbs] + ['mas'] + [f'family:{f}' for f in FAMILIES]

def run_part(part: str, cpu: bool, budget: float) -> list[dict]:
    "One part in this process, `budget` seconds before it is killed."
    kind, _, name = part.partition(':')
    if kind == 'nb': return run_notebook(ROOT/'nbs'/f'{name}.ipynb', cpu)
    if kind == 'mas': return run_mas(cpu)
    if cpu: return run_family(name, cpu, budget=max(5.0, min(20.0, budget - 30)), warm=2, sync_steps=2, steps=4)
    # on the GPU: imports, the base models, 10 warm-up steps and 5 counted steps take about 35 s; then time up to 300 steps
    return run_family(name, cpu, budget=max(5.0, min(40.0, budget - 40)), warm=10, sync_steps=5, steps=300)

def main_run(cpu: bool, minutes: float, only: list[str], report: Path | None):
    deadline = time.monotonic() + 60 * minutes
    todo = [p for p in parts() if not only or any(p.endswith(o) or p.startswith(o) for o in only)]
    rows = []
    env = {**os.environ, 'PYTHONUNBUFFERED': '1'}
    import torch
    head = (f"ttsbook GPU check on {torch.cuda.get_device_name() if torch.cuda.is_available() else 'CPU (rehearsal: tiny sizes)'}; "
            f"torch {torch.__version__}, Python {sys.version.split()[0]}")
    print(head, flush=True)
    for k, part in enumerate(todo):
        cap, _ = LIMITS[part.partition(':')[0]]
        share = min(cap, deadline - time.monotonic() - sum(LIMITS[q.partition(':')[0]][1] for q in todo[k + 1:]))
        if share < 10:
            rows.append(dict(item=part, ok=False, seconds=0, detail='not run: the deadline was reached')); continue
        res = Path(tempfile.mkstemp(suffix='.json')[1])
        t0 = time.perf_counter()
        cmd = [sys.executable, __file__, '--part', part, '--budget', f'{share:.0f}', '--result', str(res)] + (['--cpu'] if cpu else [])
        try:
            p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=share)
            got = json.loads(res.read_text()) if res.stat().st_size else []
            if not got:
                err = [l for l in (p.stdout + p.stderr).strip().splitlines() if l.strip()][-3:]
                got = [dict(item=part, ok=False, seconds=time.perf_counter() - t0, detail=f"exit {p.returncode}: {' | '.join(err)[:400]}")]
        except subprocess.TimeoutExpired:
            got = [dict(item=part, ok=False, seconds=share, detail=f"timed out after {share:.0f} s")]
        for r in got: print(f"{'ok  ' if r['ok'] else 'FAIL'} {r['item']}: {r['detail']}", flush=True)
        rows += got
        res.unlink(missing_ok=True)
    table = [head, '', '| part | result | s | detail |', '|---|---|---|---|']
    table += [f"| {r['item']} | {'ok' if r['ok'] else 'FAIL'} | {r['seconds']:.1f} | {r['detail']} |" for r in rows]
    sites = [r for r in rows if r.get('read_sites') or r.get('sync_sites')]
    if sites:
        table += ['', 'Host reads in training_step per step (site x count), and CUDA syncs per whole loop step:', '']
        if cpu: table += ['(on the CPU every read of a tensor counts, also the checks that run only when the lengths are on '
                          'the CPU and the numba MAS that a GPU replaces with Triton: the GPU run counts only CUDA tensors)', '']
        for r in sites:
            table.append(f"- {r['item']}: reads {r['reads_per_step']:g}/step: {r['read_sites'] or '-'}")
            if r.get('sync_sites'): table.append(f"  syncs {r['syncs_per_step']:g}/step: {r['sync_sites']}")
    n_bad = sum(not r['ok'] for r in rows)
    table += ['', f"{len(rows) - n_bad} ok, {n_bad} failed, {60 * minutes - (deadline - time.monotonic()):.0f} s"]
    print('\n' + '\n'.join(table))
    if report: report.write_text('\n'.join(table) + '\n'); (report.with_suffix('.json')).write_text(json.dumps(rows, indent=1))
    return 1 if n_bad else 0


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--pack', action='store_true', help='fill .gpu/ (run here, with the dev venv)')
    ap.add_argument('--make-sim', type=Path, help="make a venv here holding only the GPU image's packages (for --cpu)")
    ap.add_argument('--cpu', action='store_true', help='the rehearsal: tiny sizes on the CPU')
    ap.add_argument('--minutes', type=float, default=7.5, help='deadline for the whole check')
    ap.add_argument('--only', nargs='*', default=[], help='parts to run, e.g. nb:15_alignment mas family:vits')
    ap.add_argument('--report', type=Path, help='also write the table (and rows as .json) here')
    ap.add_argument('--part'); ap.add_argument('--budget', type=float, default=60); ap.add_argument('--result', type=Path)
    a = ap.parse_args()
    if a.pack: pack(); sys.exit(0)
    if a.make_sim: make_sim(a.make_sim); sys.exit(0)
    if a.part:
        try: rows = run_part(a.part, a.cpu, a.budget)
        except BaseException as e:
            tb = traceback.extract_tb(e.__traceback__)
            rows = [dict(item=a.part, ok=False, seconds=0, detail=f"{type(e).__name__}: {str(e)[:300]} at {tb[-1].filename}:{tb[-1].lineno}")]
        a.result.write_text(json.dumps(rows)); sys.exit(0)
    sys.exit(main_run(a.cpu, a.minutes, a.only, a.report))
