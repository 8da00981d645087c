"""Run every benchmarks/bench_*.py in turn (`make bench`). Each prints its own ratios against a reference measured in the same run."""
import runpy, sys, time
from pathlib import Path

here = Path(__file__).parent
names = sys.argv[1:] or sorted(p.stem for p in here.glob('bench_*.py'))
for name in names:
    print(f"== {name}", flush=True)
    t0 = time.time()
    runpy.run_path(str(here/f'{name}.py'), run_name='__main__')
    print(f"   ({time.time() - t0:.0f} s)\n", flush=True)
