"""Preprocessing throughput: `prepare` on the 1,000-utterance built-in corpus, 2 workers, from an empty cache.

Target (issue 3): the whole corpus prepared in <= 90 s on 2 cores. Reference measured in the same run: the same
code with one worker on the first 100 utterances (the parallel speed-up is the ratio of the two rates).
The corpus is built once into .bench/slt1000 (a few minutes) and reused.
"""
import os, platform, shutil, tempfile, time
from pathlib import Path
from ttsbook.data import build_corpus, prepare, read_corpus, Corpus

def main(n=1000, workers=2):
    root = Path(__file__).resolve().parent.parent/'.bench'/f'slt{n}'
    t0 = time.time(); build_corpus(root, n=n, workers=workers, progress=False)
    print(f"   corpus: {n} utterances in {root} (built or checked in {time.time() - t0:.0f} s)")
    corpus = read_corpus(root)
    with tempfile.TemporaryDirectory() as d:
        sub = Corpus(corpus.utterances[:100], [], corpus.root)
        t0 = time.time(); prepare(sub, Path(d)/'serial', workers=1, progress=False); t_serial = time.time() - t0
        t0 = time.time(); s = prepare(corpus, Path(d)/'full', workers=workers, progress=False); t_full = time.time() - t0
    rate_serial, rate_full = 100 / t_serial, len(corpus) / t_full
    print(f"   machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    print(f"   1 worker, 100 utterances : {t_serial:6.1f} s  ({rate_serial:5.1f} utt/s)")
    print(f"   {workers} workers, {len(corpus)} utterances: {t_full:6.1f} s  ({rate_full:5.1f} utt/s) -> {rate_full / rate_serial:.2f}x one worker; "
          f"target <= 90 s: {'met' if t_full <= 90 else 'NOT met'}")
    print(f"   phone agreement (front end vs Festival, in-vocabulary words): {s['phone_agreement']:.2%}; rejected {s['rejected']}")

if __name__ == '__main__': main()
