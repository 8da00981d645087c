"""Length regulator: ttsbook.alignment.length_regulate (vectorised, batched) against a plain Python loop, same output.

Target (issue 15): batch 16, 100 phones: >= 50x the Python loop, and no host-device synchronisation when max_len is given.
"""
import os, platform, time
import numpy as np, torch
from ttsbook.alignment import length_regulate

def timeit(fn, repeats=20, sync=lambda: None):
    fn(); sync()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); sync(); times.append(time.perf_counter() - t0)
    return float(np.min(times))                      # best of N: the machine may be shared, interference only adds

def regulate_loop(x, durations):
    "Reference: per item, per phone, repeat the vector; pad to the longest."
    rows = []
    for b in range(x.shape[0]):
        frames = []
        for n in range(x.shape[1]):
            for _ in range(int(durations[b, n])): frames.append(x[b, n])
        rows.append(torch.stack(frames) if frames else x.new_zeros(0, x.shape[-1]))
    T = max(len(r) for r in rows)
    y = x.new_zeros(x.shape[0], T, x.shape[-1])
    for b, r in enumerate(rows): y[b, :len(r)] = r
    return y, torch.tensor([len(r) for r in rows])

def main(B=16, N=100, C=256):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(B, N, C, generator=g)
    durations = torch.randint(1, 12, (B, N), generator=g)
    durations[1:, 80:] = 0                                                   # uneven lengths: padded phones
    y_ref, lens_ref = regulate_loop(x, durations)
    y, lens = length_regulate(x, durations)
    assert torch.equal(y, y_ref) and torch.equal(lens, lens_ref)
    T = int(lens.max())
    print(f"   input: batch {B}, {N} phones x {C} channels -> up to {T} frames; torch {torch.__version__}, "
          f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    threads = torch.get_num_threads()
    for n in sorted({threads, 1}, reverse=True):          # the default thread count, then one thread
        torch.set_num_threads(n)
        t_loop = timeit(lambda: regulate_loop(x, durations), repeats=5)
        t_ours = timeit(lambda: length_regulate(x, durations), repeats=50)
        t_ours_ml = timeit(lambda: length_regulate(x, durations, max_len=T), repeats=50)
        print(f"   {n} torch thread(s): output {B * T * C * 4 / 2 ** 20:.1f} MiB")
        print(f"     Python loop (per frame) : {1000 * t_loop:8.2f} ms")
        print(f"     length_regulate         : {1000 * t_ours:8.3f} ms  -> {t_loop / t_ours:.0f}x the loop (target >= 50x)")
        print(f"     length_regulate(max_len): {1000 * t_ours_ml:8.3f} ms  -> {t_loop / t_ours_ml:.0f}x the loop")
    torch.set_num_threads(threads)
    if torch.cuda.is_available():
        xg, dg = x.cuda(), durations.cuda(); torch.cuda.synchronize()
        t_gpu = timeit(lambda: length_regulate(xg, dg, max_len=T), repeats=50, sync=torch.cuda.synchronize)
        torch.cuda.set_sync_debug_mode('error')                               # any host-device sync now raises
        try: length_regulate(xg, dg, max_len=T); synced = 'none'
        except RuntimeError as e: synced = f'SYNC: {e}'
        finally: torch.cuda.set_sync_debug_mode(0)
        print(f"   length_regulate (GPU, {torch.cuda.get_device_name()}): {1000 * t_gpu:.3f} ms; host-device syncs with max_len: {synced}")

if __name__ == '__main__': main()
