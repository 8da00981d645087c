"""Log-mel extraction: ttsbook.audio.mel_spectrogram on a batch vs librosa one utterance at a time, same input, same numbers.

Target (issue 2): >= 3x librosa on the CPU for a batch of 16 utterances of 5 s at 22,050 Hz.
"""
import os, platform, time
import numpy as np, torch, librosa
from ttsbook.audio import AudioConfig, example_utterance, mel_spectrogram, LOG_MEL_FLOOR

def best_of(fn, repeats=15):
    fn()                                            # warm-up: caches, thread pools, lazy imports
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
    return float(np.median(times)), float(np.min(times))

def librosa_log_mels(batch, cfg):
    p = (cfg.n_fft - cfg.hop_length) // 2
    return [np.log(np.maximum(librosa.feature.melspectrogram(
                y=np.pad(y, (p, p), mode='reflect'), sr=cfg.sample_rate, n_fft=cfg.n_fft, hop_length=cfg.hop_length,
                win_length=cfg.win_length, center=False, power=1.0, n_mels=cfg.n_mels, fmin=cfg.fmin, fmax=cfg.fmax), LOG_MEL_FLOOR))
            for y in batch]

def main(batch_size=16, seconds=5.0):
    cfg = AudioConfig()
    speech, source = example_utterance(sample_rate=cfg.sample_rate)
    n = int(seconds * cfg.sample_rate)
    reps = -(-n // len(speech))
    g = torch.Generator().manual_seed(0)
    # 16 different 5 s signals: the utterance tiled, each shifted and with a little noise
    batch = torch.stack([torch.roll(speech.repeat(reps)[:n], int(torch.randint(0, n, (1,), generator=g)))
                         + 1e-3 * torch.randn(n, generator=g) for _ in range(batch_size)]).float()
    batch_np = batch.numpy()

    ours = mel_spectrogram(batch, cfg).numpy()
    ref = np.stack(librosa_log_mels(batch_np, cfg))
    err = np.abs(ours - ref)[ref > np.log(1e-3)].max()

    # Each in a block of its own, with a pause between: numpy's BLAS threads keep spinning for a while after
    # librosa returns and would steal the cores from torch's threads if the two alternated call by call.
    t_lib, _ = best_of(lambda: librosa_log_mels(batch_np, cfg)); time.sleep(1.0)
    t_ours, _ = best_of(lambda: mel_spectrogram(batch, cfg))
    print(f"   input: {batch_size} x {seconds:g} s at {cfg.sample_rate} Hz ({source}); torch {torch.__version__}, "
          f"librosa {librosa.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    print(f"   agreement: max |ours - librosa| = {err:.1e} (log-mel, energy > 1e-3)")
    print(f"   librosa (loop)       : {1000 * t_lib:8.1f} ms  (median of 15)")
    print(f"   ttsbook (batched)    : {1000 * t_ours:8.1f} ms  -> {t_lib / t_ours:.2f}x librosa  (target >= 3x)")
    if torch.cuda.is_available():
        gb = batch.cuda(); torch.cuda.synchronize()
        def gpu(): mel_spectrogram(gb, cfg); torch.cuda.synchronize()
        t_gpu, _ = best_of(gpu)
        print(f"   ttsbook (GPU, {torch.cuda.get_device_name()}): {1000 * t_gpu:8.2f} ms  -> {t_lib / t_gpu:.0f}x librosa")

if __name__ == '__main__': main()
