"""Vocoder inference speed: real-time factor (synthesis seconds / audio seconds) of HiFi-GAN V1 and V3 (chapter 25) and Vocos
small and base (chapter 26) from a 5 s log-mel, as ratios against Griffin-Lim (ttsbook.audio.mel_to_audio, 32 iterations) from
the same mel, in the same run.

CPU: torch.inference_mode, weight norm folded; every vocoder with torch's default thread count, then with one thread.
CUDA (when present): fp32 and bf16 autocast.
Targets: HiFi-GAN V3 at RTF <= 0.05 (issue 7); Vocos small at RTF <= 0.01 (issue 14), both on the 2-core CPU.
Weights are random: speed does not depend on them. Other processes on the machine slow every number down; the load is printed.
"""
import os, platform, time
import numpy as np, torch
from ttsbook.audio import AudioConfig, example_utterance, mel_spectrogram, mel_to_audio
from ttsbook.hifigan import Generator, HiFiGANConfig
from ttsbook.vocos import VocosGenerator, VocosConfig

def timed(fn, repeats, sync=lambda: None):
    fn(); sync()                                   # warm-up: allocator, oneDNN/cuDNN kernel choice
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); sync(); times.append(time.perf_counter() - t0)
    return float(np.median(times)), float(np.min(times))

def report(name, t, seconds, ref=None):
    med, best = t
    extra = f"   {ref / med:6.1f}x Griffin-Lim's speed" if ref else ''
    print(f"   {name:<32s} RTF {med / seconds:7.4f} (best {best / seconds:.4f})  = {seconds / med:8.1f}x real time{extra}", flush=True)

def vocoders(cfg) -> dict:
    "The generators to time, in eval mode with weight norm folded, from seeded random weights."
    out = {}
    for name in ('v1', 'v3'):
        torch.manual_seed(0); out[f'HiFi-GAN {name.upper()}'] = Generator(HiFiGANConfig.preset(name)).eval().remove_weight_norm()
    for name in ('small', 'base'):
        torch.manual_seed(0); out[f'Vocos {name}'] = VocosGenerator(VocosConfig.preset(name), cfg).eval()
    return out

def main(seconds=5.0, repeats=5):
    cfg = AudioConfig()
    speech, source = example_utterance(sample_rate=cfg.sample_rate)
    n = int(seconds * cfg.sample_rate)
    wav = speech.repeat(-(-n // len(speech)))[:n]
    mel = mel_spectrogram(wav, cfg)[None]                                     # (1, 80, frames)
    audio_s = mel.shape[-1] * cfg.hop_length / cfg.sample_rate
    load = os.getloadavg()
    print(f"   input: {audio_s:.2f} s of audio ({mel.shape[-1]} frames, {source}); torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}; load average {load[0]:.1f} before")
    gens = vocoders(cfg)
    threads = torch.get_num_threads()
    with torch.inference_mode():
        for n_threads in dict.fromkeys((threads, 1)):                         # the default, then one thread (a per-core figure)
            torch.set_num_threads(n_threads)
            print(f"   -- {n_threads} thread{'s' if n_threads > 1 else ''}")
            t_gl = timed(lambda: mel_to_audio(mel[0], cfg, n_iter=32), repeats)
            report('Griffin-Lim, 32 iterations', t_gl, audio_s)
            for name, G in gens.items():
                assert G(mel).shape[-1] == mel.shape[-1] * cfg.hop_length
                report(f'{name} (CPU, fp32)', timed(lambda: G(mel), repeats), audio_s, t_gl[0])
        torch.set_num_threads(threads)
    print(f"   load average {os.getloadavg()[0]:.1f} after (1-minute)")
    print(f"   targets: HiFi-GAN V3 at RTF <= 0.05, Vocos small at RTF <= 0.01 (CPU)")
    if torch.cuda.is_available():
        sync = torch.cuda.synchronize
        mel_gpu = mel.cuda()
        print(f"   GPU: {torch.cuda.get_device_name()}")
        with torch.inference_mode():
            for name, G in gens.items():
                G = G.cuda()
                report(f'{name} (CUDA, fp32)', timed(lambda: G(mel_gpu), 20, sync), audio_s, t_gl[0])
                with torch.autocast('cuda', dtype=torch.bfloat16):
                    report(f'{name} (CUDA, bf16)', timed(lambda: G(mel_gpu), 20, sync), audio_s, t_gl[0])

if __name__ == '__main__': main()
