"""Text -> waveform speed through PyTorch and through onnxruntime (chapter 85): FastSpeech 2 small +
Vocos small, real-time factor (synthesis seconds / audio seconds) over ten sentences of the evaluation
set, at 1 and 2 threads, with the ratio PyTorch / onnxruntime measured in the same run.

Models: the trained runs of `make demo` (data/demo/run) and `make demo-vocoder` (data/demo/vocos-small)
when both exist; otherwise untrained models of the same sizes (random weights; the duration predictor
starts at the mean phone length), and the output says so.
PyTorch: chapter 20's `synthesize` with the Vocos generator, under torch.inference_mode, with
torch.set_num_threads(n). onnxruntime: `OnnxVoice` with n intra-op threads, on graphs exported into a
temporary folder first. Each path speaks one sentence untimed (warm-up); each number is the median of
3 passes over the ten sentences (the best pass in brackets).
Target: FastSpeech 2 small + Vocos small at RTF <= 0.02 on the 2-core CPU. Other processes slow every
number down, two threads most of all; the load average is printed before and after.
"""
import os, platform, tempfile, time
from dataclasses import asdict
from pathlib import Path
import numpy as np, torch

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT/'data'/'demo'
TARGET = 0.02

def trained(name: str) -> bool: return any((DEMO/name/'checkpoints').glob('step-*.pt'))

def cpu_name() -> str:
    "The CPU's model name from /proc/cpuinfo (Linux), else what `platform` knows."
    try: return next(l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name'))
    except (OSError, StopIteration): return platform.processor() or platform.machine()

def models(tmp: Path):
    "(FastSpeech model, Vocos generator, ONNX folder of each, a line saying what they are)."
    from ttsbook.audio import AudioConfig
    from ttsbook.text import PhoneVocab
    from ttsbook.fastspeech import FastSpeech, FastSpeechConfig, load_acoustic_model, DEMO_RECIPE
    from ttsbook.vocos import VocosGenerator, VocosConfig, load_vocoder
    from ttsbook.export import export_onnx, save_voice
    if trained('run') and trained('vocos-small'):
        fs, voc = load_acoustic_model(DEMO/'run'), load_vocoder(DEMO/'vocos-small')[0]
        sources = DEMO/'run', DEMO/'vocos-small'
        what = 'trained runs data/demo/run (FastSpeech 2 small) + data/demo/vocos-small'
    else:
        torch.manual_seed(0)
        audio, settings = AudioConfig(), asdict(FastSpeechConfig.preset('small'))
        settings.update({k: v for k, v in DEMO_RECIPE.items() if k in settings})     # the demo's recipe
        fs = FastSpeech(FastSpeechConfig(**settings), PhoneVocab(), audio).eval()
        voc = VocosGenerator(VocosConfig.preset('small'), audio).eval()
        sources = save_voice(fs, 'fastspeech2', tmp/'fs'), save_voice(voc, 'vocos', tmp/'vocos')
        what = ('UNTRAINED models of the same sizes (random weights): '
                'data/demo/run or data/demo/vocos-small is missing')
    return fs, voc, export_onnx(sources[0], tmp/'fs-onnx'), export_onnx(sources[1], tmp/'vocos-onnx'), what

def rtf(speak, sentences, sample_rate: int, passes: int = 3) -> tuple[float, float, float]:
    "(median RTF, best RTF, audio seconds) of `speak(sentence) -> waveform`, after one untimed sentence."
    speak(sentences[0])
    times = []
    for _ in range(passes):
        t0, samples = time.perf_counter(), 0
        for s in sentences: samples += len(speak(s))
        times.append(time.perf_counter() - t0)
    seconds = samples / sample_rate
    return float(np.median(times)) / seconds, min(times) / seconds, seconds

def main(n_sentences: int = 10):
    try: import onnxruntime
    except ImportError: print('   skipped: onnxruntime is not installed (pip install "ttsbook[onnx]")'); return
    from ttsbook.fastspeech import synthesize
    from ttsbook.export import OnnxVoice
    from ttsbook.metrics import eval_sentences
    sentences = eval_sentences()[:n_sentences]
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        fs, voc, fs_onnx, voc_onnx, what = models(Path(d))
        sr = fs.audio_config.sample_rate
        print(f"   models: {what}; ONNX export {time.perf_counter() - t0:.0f} s")
        print(f"   {len(sentences)} evaluation sentences; torch {torch.__version__}, onnxruntime "
              f"{onnxruntime.__version__}, {os.cpu_count()} CPUs ({cpu_name()}); "
              f"load average {os.getloadavg()[0]:.1f} before")
        threads, rows = torch.get_num_threads(), []
        for n in (1, 2):
            torch.set_num_threads(n)
            voice = OnnxVoice(fs_onnx, vocoder=voc_onnx, threads=n)
            with torch.inference_mode():
                pt = rtf(lambda s: synthesize(fs, s, vocoder=voc)['audio'], sentences, sr)
            ort = rtf(lambda s: voice.synthesize(s)['audio'], sentences, sr)
            assert abs(pt[2] - ort[2]) < 1e-9, (pt[2], ort[2])          # the same durations: the same audio
            rows.append((n, pt, ort))
        torch.set_num_threads(threads)
    print(f"   audio: {rows[0][1][2]:.1f} s per pass\n")
    print(f"   | threads | PyTorch RTF (best) | onnxruntime RTF (best) | onnxruntime speed-up "
          f"| RTF <= {TARGET}: onnxruntime, PyTorch |")
    print("   |---|---|---|---|---|")
    for n, pt, ort in rows:
        met = lambda r: 'met' if r <= TARGET else 'missed'
        print(f"   | {n} | {pt[0]:.4f} ({pt[1]:.4f}) | {ort[0]:.4f} ({ort[1]:.4f}) | {pt[0] / ort[0]:.2f}x "
              f"| {met(ort[0])}, {met(pt[0])} |")
    print(f"\n   load average {os.getloadavg()[0]:.1f} after (1-minute)")

if __name__ == '__main__': main()
