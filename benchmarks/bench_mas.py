"""Monotonic alignment search: ttsbook's numba (CPU) and Triton (GPU) implementations against the Cython code of
Glow-TTS/VITS (PyPI `monotonic-alignment-search`) and a per-frame Python-loop torch version, same inputs, same paths.

Targets (issue 15): CPU, batch 16, 100 phones x 800 frames: no slower than Cython.
GPU (when CUDA is present), batch 16, 1024 x 4096: <= 20 ms on an H100 (published Triton figure 19.8 ms; Cython 1.3 s).
"""
import os, platform, time
import numpy as np, torch
import numba
from ttsbook.alignment import monotonic_alignment_search, mas_numba, mas_torch, mas_triton, _mas_path, triton

try:
    from monotonic_alignment_search import maximum_path_cython
    from monotonic_alignment_search.core import maximum_path_c
except ImportError:                                  # a dev requirement; without it the Cython rows are skipped
    maximum_path_cython = maximum_path_c = None

def timeit(fn, repeats=10, sync=lambda: None):
    fn(); sync()                                      # warm-up: JIT compilation, caches, thread pools
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); sync(); times.append(time.perf_counter() - t0)
    return float(np.min(times))                      # best of N: the machine may be shared, interference only adds

def case(B, N, T, device='cpu', seed=0):
    g = torch.Generator().manual_seed(seed)
    log_p = torch.randn(B, N, T, generator=g).to(device)                 # random floats: ties have probability zero
    return log_p, torch.full((B,), N, device=device), torch.full((B,), T, device=device)

def cython_path(log_p, phone_lens, mel_lens):
    "The Cython search through its own torch wrapper (value * mask, copies to NumPy and back), as VITS calls it."
    B, N, T = log_p.shape
    mask = ((torch.arange(N, device=log_p.device) < phone_lens[:, None])[:, :, None] &
            (torch.arange(T, device=log_p.device) < mel_lens[:, None])[:, None, :]).float()
    return maximum_path_cython(log_p, mask)

def cython_core(values, t_xs, t_ys):
    "The Cython function alone on prepared NumPy arrays (it overwrites `values`, so it gets a fresh copy)."
    paths = np.zeros(values.shape, dtype=np.int32)
    maximum_path_c(paths, values.copy(), t_xs, t_ys)
    return paths

def numba_core(x, pl, ml, threads):
    "ttsbook's compiled loop alone on prepared NumPy arrays, on `threads` threads."
    path, n = np.zeros(x.shape, dtype=np.float32), numba.get_num_threads()
    numba.set_num_threads(threads)
    try: _mas_path(x, pl, ml, path)
    finally: numba.set_num_threads(n)
    return path

def cpu_part(B=16, N=100, T=800):
    log_p, pl, ml = case(B, N, T)
    ours = monotonic_alignment_search(log_p, pl, ml)
    print(f"   CPU: batch {B}, {N} phones x {T} frames; torch {torch.__version__}, {torch.get_num_threads()} torch threads, "
          f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    t_loop = timeit(lambda: mas_torch(log_p, pl, ml), repeats=3)
    assert torch.equal(mas_torch(log_p, pl, ml), ours)
    t_ours = timeit(lambda: monotonic_alignment_search(log_p, pl, ml), repeats=20)
    x, pl_np, ml_np = log_p.numpy(), pl.numpy().astype(np.int64), ml.numpy().astype(np.int64)
    t_core1 = timeit(lambda: numba_core(x, pl_np, ml_np, 1), repeats=20)
    t_coreP = timeit(lambda: numba_core(x, pl_np, ml_np, numba.get_num_threads()), repeats=20)
    t_par = timeit(lambda: mas_numba(log_p, pl, ml, parallel=True), repeats=20)
    print(f"   torch per-frame loop      : {1000 * t_loop:8.1f} ms")
    if maximum_path_cython is not None:
        assert torch.equal(cython_path(log_p, pl, ml), ours), "Cython and numba disagree"
        t_cy = timeit(lambda: cython_path(log_p, pl, ml), repeats=20)
        values, t_xs, t_ys = log_p.numpy().astype(np.float32), pl.numpy().astype(np.int32), ml.numpy().astype(np.int32)
        t_cy_core = timeit(lambda: cython_core(values, t_xs, t_ys), repeats=20)
        print(f"   Cython (torch wrapper)    : {1000 * t_cy:8.2f} ms")
        print(f"   Cython (core only)        : {1000 * t_cy_core:8.2f} ms")
    else: print("   Cython: monotonic-alignment-search is not installed (pip install monotonic-alignment-search); skipped")
    vs = lambda t, ref: f", {ref / t:.2f}x Cython" if maximum_path_cython is not None else ''
    print(f"   ttsbook numba (API, auto) : {1000 * t_ours:8.2f} ms  -> {t_loop / t_ours:.0f}x the torch loop{vs(t_ours, t_cy if maximum_path_cython else 0)} (target >= 1x)")
    print(f"   ttsbook numba (API, {numba.get_num_threads()} thr): {1000 * t_par:8.2f} ms  -> {t_loop / t_par:.0f}x the torch loop{vs(t_par, t_cy if maximum_path_cython else 0)}")
    print(f"   ttsbook numba (core, 1 thread) : {1000 * t_core1:8.2f} ms" + (f"  -> {t_cy_core / t_core1:.2f}x Cython's core (1 thread)" if maximum_path_cython is not None else ''))
    print(f"   ttsbook numba (core, {numba.get_num_threads()} threads): {1000 * t_coreP:8.2f} ms" + (f"  -> {t_cy_core / t_coreP:.2f}x Cython's core" if maximum_path_cython is not None else ''))
    return t_ours

def gpu_part(B=16, N=1024, T=4096):
    dev = torch.device('cuda')
    log_p, pl, ml = case(B, N, T, dev)
    sync = torch.cuda.synchronize
    print(f"   GPU: batch {B}, {N} phones x {T} frames on {torch.cuda.get_device_name()}; triton {triton.__version__ if triton else 'missing'}")
    ours = monotonic_alignment_search(log_p, pl, ml)
    t_ours = timeit(lambda: monotonic_alignment_search(log_p, pl, ml), repeats=20, sync=sync)
    t_kernel = timeit(lambda: mas_triton(log_p, pl, ml), repeats=20, sync=sync) if triton else float('nan')
    t_loop = timeit(lambda: mas_torch(log_p, pl, ml), repeats=3, sync=sync)
    assert torch.equal(mas_torch(log_p, pl, ml), ours), "Triton and the torch loop disagree"
    cpu = log_p.cpu(), pl.cpu(), ml.cpu()
    t_cpu = timeit(lambda: mas_numba(*cpu), repeats=3)
    assert torch.equal(mas_numba(*cpu), ours.cpu()), "Triton and numba disagree"
    print(f"   torch per-frame loop (GPU): {1000 * t_loop:8.1f} ms")
    print(f"   ttsbook numba (CPU)       : {1000 * t_cpu:8.1f} ms")
    if maximum_path_cython is not None:
        t_cy = timeit(lambda: cython_path(*cpu), repeats=1)
        print(f"   Cython (CPU)              : {1000 * t_cy:8.1f} ms")
    print(f"   ttsbook Triton (kernel)   : {1000 * t_kernel:8.2f} ms")
    print(f"   ttsbook (API, Triton)     : {1000 * t_ours:8.2f} ms  (target <= 20 ms on an H100) -> {t_loop / t_ours:.0f}x the torch loop, "
          f"{t_cpu / t_ours:.0f}x numba on the CPU" + (f", {t_cy / t_ours:.0f}x Cython" if maximum_path_cython is not None else ''))

def main():
    cpu_part()
    if torch.cuda.is_available(): gpu_part()
    else: print("   GPU: no CUDA device here; the GPU rows run where one is present")

if __name__ == '__main__': main()
