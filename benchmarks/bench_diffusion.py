"""Diffusion TTS sampling speed: real-time factor (synthesis seconds / audio seconds) of the `small` and `base` denoisers for 5 s of
frames, at 10 and 25 DDIM steps, with and without classifier-free guidance (which doubles the batch), against one denoiser call.

CPU: one torch thread (two threads on a shared 2-core machine oversubscribe and give erratic numbers), torch.inference_mode, random weights (speed does not depend on them), the durations given (the sampler loop is what is timed).
CUDA (when present): fp32 and bf16 autocast for `base`. Other processes on the machine slow every number down; the load is printed.
"""
import os, platform, time
import numpy as np, torch
from ttsbook.audio import AudioConfig
from ttsbook.text import PhoneVocab
from ttsbook.diffusion import DiffusionConfig, DiffusionTTS

def timed(fn, repeats, sync=lambda: None):
    fn(); sync()                                                       # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); sync(); times.append(time.perf_counter() - t0)
    return float(np.median(times))

def main(seconds=5.0, repeats=3):
    torch.set_num_threads(1)
    cfg = AudioConfig()
    frames = int(seconds * cfg.frame_rate)
    n_phones = frames // 6
    audio_s = frames * cfg.hop_length / cfg.sample_rate
    print(f"   {audio_s:.2f} s of audio ({frames} frames, {n_phones} phones); torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}; load average {os.getloadavg()[0]:.1f} before")
    for preset, device in (('small', 'cpu'), ('base', 'cpu')) + ((('base', 'cuda'),) if torch.cuda.is_available() else ()):
        torch.manual_seed(0)
        model = DiffusionTTS(DiffusionConfig.preset(preset), PhoneVocab(), cfg).eval().to(device)
        phones = torch.randint(4, 40, (1, n_phones), device=device)
        lens, tones = torch.tensor([n_phones], device=device), torch.zeros(1, n_phones, dtype=torch.long, device=device)
        durations = torch.full((1, n_phones), frames // n_phones, device=device)
        prompt = model.default_prompts[:1]
        sync = torch.cuda.synchronize if device == 'cuda' else (lambda: None)
        n = sum(p.numel() for p in model.parameters()) / 1e6
        with torch.inference_mode():
            for steps, scale in ((1, 1.0), (10, 1.0), (25, 1.0), (25, 3.0)):
                if preset == 'base' and device == 'cpu' and steps == 25: continue      # minutes on a CPU: 10 steps say enough
                t = timed(lambda: model.generate(phones, lens, tones, prompt, steps=steps, cond_scale=scale, durations=durations), repeats, sync)
                print(f"   {preset:>5} ({n:6.1f} M, {device}) {steps:3d} DDIM steps, cond_scale {scale:g}: RTF {t / audio_s:7.3f} ({t:.2f} s)")
            if device == 'cuda':
                with torch.autocast('cuda', dtype=torch.bfloat16):
                    t = timed(lambda: model.generate(phones, lens, tones, prompt, steps=25, durations=durations), repeats, sync)
                print(f"   {preset:>5} ({n:6.1f} M, cuda, bf16)  25 DDIM steps: RTF {t / audio_s:7.4f}")
    print(f"   load average {os.getloadavg()[0]:.1f} after (1-minute)")

if __name__ == '__main__': main()
