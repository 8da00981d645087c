"""Attention: the written-out softmax(QK^T/sqrt(d))V (ttsbook.attention.dot_product_attention) against the same computation
through F.scaled_dot_product_attention (ttsbook.attention.attention), same inputs, same numbers.

Shape: a FastSpeech-decoder-like batch, 16 utterances of up to 400 frames, 2 heads of 128 channels, key-padding mask.
"""
import os, platform, time
import numpy as np, torch
from ttsbook.attention import dot_product_attention, attention
from ttsbook.batching import lengths_to_mask

def best_of(fn, repeats=10):
    fn()                                            # warm-up: thread pools, kernel selection
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
    return float(np.median(times))

def main(B=16, H=2, T=400, D=128):
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(B, H, T, D, generator=g) for _ in range(3))
    lens = torch.randint(T // 2, T + 1, (B,), generator=g); lens[0] = T
    mask = lengths_to_mask(lens, T)[:, None, None, :]
    print(f"   input: B={B}, H={H}, T={T}, D={D}, key-padding mask; torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    with torch.no_grad():
        err = (attention(q, k, v, mask) - dot_product_attention(q, k, v, mask)[0]).abs().max().item()
        print(f"   agreement: max |SDPA - written-out| = {err:.1e}")
        for causal in (False, True):
            t_ref = best_of(lambda: dot_product_attention(q, k, v, mask, causal))
            t_sdpa = best_of(lambda: attention(q, k, v, mask, causal))
            print(f"   causal={causal!s:<5} written-out {1000 * t_ref:7.1f} ms | SDPA {1000 * t_sdpa:7.1f} ms -> {t_ref / t_sdpa:.2f}x")
        if torch.cuda.is_available():
            qg, kg, vg, mg = (t.cuda() for t in (q.bfloat16(), k.bfloat16(), v.bfloat16(), mask))
            def gpu(f): f(); torch.cuda.synchronize()
            t_ref = best_of(lambda: gpu(lambda: dot_product_attention(qg, kg, vg, mg)))
            t_sdpa = best_of(lambda: gpu(lambda: attention(qg, kg, vg, mg)))
            print(f"   GPU bf16 ({torch.cuda.get_device_name()}): written-out {1000 * t_ref:.3f} ms | SDPA {1000 * t_sdpa:.3f} ms -> {t_ref / t_sdpa:.2f}x")

if __name__ == '__main__': main()
