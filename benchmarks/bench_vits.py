"""VITS: the prior's log-likelihood as four matmul terms (ttsbook.vits.prior_log_likelihood) against the direct (B, C, N, T)
broadcast, same output; and text-to-waveform real-time factors of untrained `small` and `base` models (speed does not depend
on the weights). On a GPU, also in bf16.
"""
import os, platform, time
import numpy as np, torch
from ttsbook.audio import AudioConfig
from ttsbook.text import PhoneVocab
from ttsbook.vits import VITS, VITSConfig, prior_log_likelihood

def timeit(fn, repeats=5, sync=lambda: None):
    fn(); sync()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); sync(); times.append(time.perf_counter() - t0)
    return float(np.min(times))                      # best of N: the machine may be shared, interference only adds

def direct_log_likelihood(z_p, m_p, logs_p):
    "Reference: log N(z[:, :, t]; m[:, :, n], exp(logs[:, :, n])) on a (B, C, N, T) broadcast, summed over C."
    z, m, logs = z_p[:, :, None, :], m_p[:, :, :, None], logs_p[:, :, :, None]
    return (-0.5 * np.log(2 * np.pi) - logs - 0.5 * (z - m) ** 2 * torch.exp(-2 * logs)).sum(1)

def main(B=4, C=192, N=100, T=800):
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    if dev == 'cpu': torch.set_num_threads(1)       # a shared 2-core machine: more threads wait on each other (see bench_vocoders)
    sync = torch.cuda.synchronize if dev == 'cuda' else (lambda: None)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, {torch.get_num_threads()} threads, device {dev}")
    g = torch.Generator().manual_seed(0)
    z, m, logs = (torch.randn(B, C, k, generator=g).to(dev) for k in (T, N, N))
    logs = 0.3 * logs
    fast, ref = prior_log_likelihood(z, m, logs), direct_log_likelihood(z, m, logs)
    err = float((fast - ref).abs().max() / ref.abs().max())
    t_fast, t_ref = timeit(lambda: prior_log_likelihood(z, m, logs), sync=sync), timeit(lambda: direct_log_likelihood(z, m, logs), sync=sync)
    print(f"prior log-likelihood B={B} C={C} N={N} T={T}: matmul {t_fast * 1e3:.1f} ms, direct {t_ref * 1e3:.1f} ms "
          f"({t_ref / t_fast:.1f}x), max relative difference {err:.1e}")
    audio, vocab = AudioConfig(), PhoneVocab()
    phones = torch.randint(5, len(vocab), (1, 40), generator=g).to(dev)
    for name in ('small', 'base'):
        torch.manual_seed(0)
        model = VITS(VITSConfig.preset(name), vocab, audio).to(dev).eval()
        with torch.inference_mode():
            out = model.infer(phones, torch.tensor([40], device=dev), max_frames=None)
            seconds = out['wav'].shape[-1] / audio.sample_rate
            for dtype in ((torch.float32, torch.bfloat16) if dev == 'cuda' else (torch.float32,)):
                def run():
                    with torch.autocast(dev, dtype=torch.bfloat16, enabled=dtype == torch.bfloat16):
                        model.infer(phones, torch.tensor([40], device=dev), max_frames=out['mel_lens'].item(), generator=None)
                t = timeit(run, repeats=3, sync=sync)
                print(f"VITS {name} ({sum(p.numel() for p in model.parameters()) / 1e6:.1f} M parameters), {str(dtype)[6:]}: "
                      f"{seconds:.2f} s of audio in {t:.2f} s, RTF {t / seconds:.3f}")

if __name__ == '__main__':
    main()
