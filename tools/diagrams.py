#!/usr/bin/env python3
"""Draw the book's architecture diagrams into nbs/images/NAME.svg (`make diagrams`).

    python tools/diagrams.py                # all of them
    python tools/diagrams.py vits pipeline  # some of them
    python tools/diagrams.py --png DIR      # also PNG copies (for looking at them), not committed

One small set of helpers (`Diagram.box`, `.arrow`, `.group`, ...) draws every figure with the same
colours for the same kinds of thing: tensors and signals, learned modules, fixed operations, files
on disk, losses. Shapes are written on or beside the arrows, with the sizes of each family's `base`
preset (the paper's), as the chapters' config dataclasses define them.

The SVGs are deterministic (fixed hash salt, no date, glyphs as paths so they look the same in
every browser), so running this again changes no file unless a drawing changed. Before writing,
each figure is checked: no two texts overlap, every text lies inside its box and the figure,
no label sits on a box or on another arrow, no arrow runs through a box. A failed check is an
error (exit 1) naming the texts, so a later edit cannot quietly make a figure unreadable.
"""
from __future__ import annotations
import argparse, math, sys
from pathlib import Path

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Circle, FancyBboxPatch
from matplotlib.textpath import TextToPath

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT/'nbs'/'images'

plt.rcParams.update({
    'svg.hashsalt': 'ttsbook-diagrams',   # ids in the SVG do not change from run to run
    'svg.fonttype': 'path',               # glyphs as paths: the same look with or without the font
    'font.family': 'DejaVu Sans',         # ships with matplotlib: the same metrics on every machine
    'mathtext.fontset': 'dejavusans',
})

# sizes in points; the figures are 10-12 inches wide and shown about 760 px wide in the docs
TITLE, BODY, LABEL, NOTE, HEAD = 12, 10.5, 10.5, 10, 13.5
# one colour per kind of thing, in every figure
KINDS = {
    'data':   dict(fc='#DCEBFB', ec='#2E6BB0', name='tensor / signal', round=True),
    'module': dict(fc='#FDE2C4', ec='#C4671A', name='learned module', round=True),
    'op':     dict(fc='#ECECEC', ec='#5F5F5F', name='fixed operation', round=False),
    'store':  dict(fc='#FFF1B3', ec='#9C8200', name='files on disk', round=False),
    'loss':   dict(fc='#F8D5D8', ec='#B02A35', name='loss', round=True),
}
INK, SHAPE, MUTED = '#2B2B2B', '#1F4E8C', '#6E6E6E'
PADX, PADY = 0.13, 0.09
_TTP = TextToPath()


def _prop(size, weight='normal', style='normal'):
    return FontProperties(family='DejaVu Sans', size=size, weight=weight, style=style)


def text_width(s: str, size: float, weight='normal', style='normal') -> float:
    "Width in inches of one line of `s` (mathtext between $...$ included)."
    return _TTP.get_text_width_height_descent(s, _prop(size, weight, style), ismath=s.count('$') >= 2)[0] / 72


class Box:
    "A drawn box: its rectangle in inches and points on its sides."
    def __init__(self, x0, y0, w, h, name):
        self.x0, self.y0, self.w, self.h, self.name = x0, y0, w, h, name

    @property
    def cx(self): return self.x0 + self.w / 2
    @property
    def cy(self): return self.y0 + self.h / 2
    @property
    def x1(self): return self.x0 + self.w
    @property
    def y1(self): return self.y0 + self.h

    def side(self, s: str, d: float = 0.0) -> tuple:
        "The middle of side 'l', 'r', 't' or 'b', moved `d` inches along it (right or up)."
        return {'l': (self.x0, self.cy + d), 'r': (self.x1, self.cy + d),
                't': (self.cx + d, self.y1), 'b': (self.cx + d, self.y0)}[s]

    l = property(lambda self: self.side('l'))
    r = property(lambda self: self.side('r'))
    t = property(lambda self: self.side('t'))
    b = property(lambda self: self.side('b'))


class Diagram:
    "A figure in inch coordinates (origin bottom left) and the records its layout check needs."

    def __init__(self, name: str, w: float, h: float):
        self.name, self.w, self.h = name, w, h
        self.fig = plt.figure(figsize=(w, h), dpi=100)
        self.ax = self.fig.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, w); self.ax.set_ylim(0, h); self.ax.axis('off')
        self.boxes, self.texts, self.lines = [], [], []     # texts: (Text, owner Box or None); lines: (points, label Text or None)

    # --- drawing ---------------------------------------------------------------------------------
    def box(self, lines, kind='module', x=None, y=None, left=None, right=None, top=None, bottom=None,
            w=None, h=None, bold_first=True, tag=None, size=BODY) -> Box:
        """A box of `kind` holding `lines` (the first in bold), sized to them unless w/h are given.
        Place it by its centre (x, y) or by an edge (left/right, top/bottom). `tag`: a muted last
        line, such as the chapter that builds it."""
        lines = [lines] if isinstance(lines, str) else list(lines)
        styled = [(s, TITLE if (i == 0 and bold_first) else size, 'bold' if (i == 0 and bold_first) else 'normal', 'normal', INK)
                  for i, s in enumerate(lines)]
        if tag: styled.append((tag, NOTE, 'normal', 'italic', MUTED))
        heights = [sz * 1.32 / 72 for _, sz, *_ in styled]
        need_w = max(text_width(s, sz, wt, st) for s, sz, wt, st, _ in styled) + 2 * PADX
        need_h = sum(heights) + 2 * PADY
        w, h = max(w or 0, need_w), max(h or 0, need_h)
        cx = x if x is not None else left + w / 2 if left is not None else right - w / 2
        cy = y if y is not None else top - h / 2 if top is not None else bottom + h / 2
        k = KINDS[kind]
        style = 'round,pad=0,rounding_size=0.1' if k['round'] else 'square,pad=0'
        self.ax.add_patch(FancyBboxPatch((cx - w / 2, cy - h / 2), w, h, boxstyle=style, fc=k['fc'], ec=k['ec'], lw=1.3, zorder=2))
        b = Box(cx - w / 2, cy - h / 2, w, h, lines[0])
        yy = cy + sum(heights) / 2
        for (s, sz, wt, st, col), lh in zip(styled, heights):
            yy -= lh
            t = self.ax.text(cx, yy + lh / 2, s, ha='center', va='center', fontsize=sz, fontweight=wt, fontstyle=st, color=col, zorder=3)
            self.texts.append((t, b))
        self.boxes.append(b)
        return b

    def label(self, x, y, s, ha='center', va='center', color=SHAPE, size=LABEL, style='normal', weight='normal', bg=True):
        "A free text (a shape beside an arrow, a note): white behind it, so a crossing line cannot hide it."
        t = self.ax.text(x, y, s, ha=ha, va=va, fontsize=size, color=color, fontstyle=style, fontweight=weight, zorder=5,
                         multialignment={'left': 'left', 'right': 'right'}.get(ha, 'center'),
                         bbox=dict(boxstyle='square,pad=0.08', fc='white', ec='none') if bg else None)
        self.texts.append((t, None))
        return t

    def arrow(self, *pts, label=None, side=None, seg=None, frac=0.5, dashed=False, color=INK, head=True, lw=1.4, gap=0.07,
              lcolor=SHAPE):
        """A line through `pts` with an arrow head at the end. `label` sits beside segment `seg`
        (default: the longest) at `frac` of its length, on `side`: 'above'/'below' a horizontal
        segment, 'left'/'right' of a vertical one (default above / right)."""
        pts = [tuple(p) for p in pts]
        ls = (0, (4, 3)) if dashed else '-'
        for p, q in zip(pts[:-2], pts[1:-1]):
            self.ax.plot([p[0], q[0]], [p[1], q[1]], color=color, lw=lw, ls=ls, solid_capstyle='butt', zorder=1)
        p, q = pts[-2], pts[-1]
        if head:
            self.ax.annotate('', xy=q, xytext=p, zorder=1,
                             arrowprops=dict(arrowstyle='-|>,head_length=0.55,head_width=0.28', color=color, lw=lw, ls=ls,
                                             shrinkA=0, shrinkB=0, mutation_scale=14))
        else:
            self.ax.plot([p[0], q[0]], [p[1], q[1]], color=color, lw=lw, ls=ls, zorder=1)
        t = None
        if label:
            segs = list(zip(pts[:-1], pts[1:]))
            i = seg if seg is not None else max(range(len(segs)), key=lambda j: abs(segs[j][1][0] - segs[j][0][0]) + abs(segs[j][1][1] - segs[j][0][1]))
            (x0, y0), (x1, y1) = segs[i]
            mx, my = x0 + frac * (x1 - x0), y0 + frac * (y1 - y0)
            horizontal = abs(x1 - x0) >= abs(y1 - y0)
            side = side or ('above' if horizontal else 'right')
            place = {'above': (mx, my + gap, 'center', 'bottom'), 'below': (mx, my - gap, 'center', 'top'),
                     'right': (mx + gap, my, 'left', 'center'), 'left': (mx - gap, my, 'right', 'center')}[side]
            t = self.label(place[0], place[1], label, ha=place[2], va=place[3], color=lcolor)
        self.lines.append((pts, t))
        return t

    def dot(self, x, y, color=INK):
        "A junction where a line branches."
        self.ax.add_patch(Circle((x, y), 0.045, fc=color, ec=color, zorder=4))
        return (x, y)

    def plus(self, x, y, r=0.14):
        "A ⊕ node: the two inputs are added."
        self.ax.add_patch(Circle((x, y), r, fc='white', ec=INK, lw=1.3, zorder=4))
        self.ax.plot([x - r * 0.6, x + r * 0.6], [y, y], color=INK, lw=1.3, zorder=5)
        self.ax.plot([x, x], [y - r * 0.6, y + r * 0.6], color=INK, lw=1.3, zorder=5)
        return (x, y)

    def group(self, x0, y0, x1, y1, title, ha='left'):
        "A dashed frame around boxes that form one part, its title inside the top edge."
        self.ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle='round,pad=0,rounding_size=0.15',
                                         fc='#FAFAFA', ec='#9A9A9A', lw=1.2, ls=(0, (5, 3)), zorder=0))
        x = x0 + 0.14 if ha == 'left' else (x0 + x1) / 2 if ha == 'center' else x1 - 0.14
        t = self.ax.text(x, y1 - 0.1, title, ha=ha, va='top', fontsize=NOTE + 0.5, fontstyle='italic', color=MUTED, zorder=3)
        self.texts.append((t, None))

    def heading(self, x, y, s, ha='left'):
        t = self.ax.text(x, y, s, ha=ha, va='center', fontsize=HEAD, fontweight='bold', color=INK, zorder=3)
        self.texts.append((t, None))

    def legend(self, x, y, kinds=('data', 'module', 'op', 'store', 'loss'), ha='left'):
        "A row of the kinds of box used, left edge at x (or right edge, ha='right'), centred on y."
        items = [(k, text_width(KINDS[k]['name'], NOTE)) for k in kinds]
        total = sum(0.42 + tw + 0.3 for _, tw in items) - 0.3
        xx = x if ha == 'left' else x - total
        for k, tw in items:
            kk = KINDS[k]
            style = 'round,pad=0,rounding_size=0.06' if kk['round'] else 'square,pad=0'
            self.ax.add_patch(FancyBboxPatch((xx, y - 0.1), 0.32, 0.2, boxstyle=style, fc=kk['fc'], ec=kk['ec'], lw=1.1, zorder=2))
            t = self.ax.text(xx + 0.42, y, kk['name'], ha='left', va='center', fontsize=NOTE, color=MUTED, zorder=3)
            self.texts.append((t, None))
            xx += 0.42 + tw + 0.3

    # --- checking and writing --------------------------------------------------------------------
    def check(self) -> list[str]:
        "Layout problems: overlapping texts, texts outside their box or the figure, texts on boxes or lines, lines through boxes."
        self.fig.canvas.draw()
        r, dpi = self.fig.canvas.get_renderer(), self.fig.dpi
        ext = []
        for t, owner in self.texts:
            e = t.get_window_extent(r)
            ext.append((t, owner, (e.x0 / dpi, e.y0 / dpi, e.x1 / dpi, e.y1 / dpi)))
        eps, probs = 0.015, []
        inter = lambda a, b: min(a[2], b[2]) - max(a[0], b[0]) > eps and min(a[3], b[3]) - max(a[1], b[1]) > eps
        name = lambda t: repr(t.get_text().split('\n')[0][:40])
        for i, (t, owner, e) in enumerate(ext):
            if e[0] < -eps or e[1] < -eps or e[2] > self.w + eps or e[3] > self.h + eps:
                probs.append(f"{name(t)} runs off the figure")
            if owner is not None and (e[0] < owner.x0 + 0.03 or e[2] > owner.x1 - 0.03 or e[1] < owner.y0 + 0.02 or e[3] > owner.y1 - 0.02):
                probs.append(f"{name(t)} does not fit its box")
            for t2, _, e2 in ext[i + 1:]:
                if inter(e, e2): probs.append(f"{name(t)} overlaps {name(t2)}")
            if owner is None:
                for b in self.boxes:
                    if inter(e, (b.x0, b.y0, b.x1, b.y1)): probs.append(f"{name(t)} lies on the box {b.name!r}")
        labels = {id(t): e for t, _, e in ext}
        for pts, lab in self.lines:
            samples = [(p[0] + f * (q[0] - p[0]), p[1] + f * (q[1] - p[1])) for p, q in zip(pts[:-1], pts[1:]) for f in [i / 40 for i in range(41)]]
            for b in self.boxes:
                if any(b.x0 + 0.04 < x < b.x1 - 0.04 and b.y0 + 0.04 < y < b.y1 - 0.04 for x, y in samples):
                    probs.append(f"the arrow {pts[0]} -> {pts[-1]} runs through the box {b.name!r}")
            for t, _, e in ext:
                if t is lab: continue
                if any(e[0] + eps < x < e[2] - eps and e[1] + eps < y < e[3] - eps for x, y in samples):
                    probs.append(f"the arrow {pts[0]} -> {pts[-1]} runs under the label {name(t)}")
        return probs

    def save(self, png_dir: Path | None = None) -> Path:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT/f'{self.name}.svg'
        self.fig.savefig(path, format='svg', metadata={'Date': None, 'Creator': None})
        if png_dir is not None: self.fig.savefig(png_dir/f'{self.name}.png', dpi=110)
        plt.close(self.fig)
        return path


# ---- the figures ------------------------------------------------------------------------------------

def pipeline() -> Diagram:
    "The cover: the whole book, each box with the chapter that builds it."
    d = Diagram('pipeline', 11.6, 7.6)
    y = 4.3
    text = d.box(['text', '“Hello there.”'], 'data', left=0.2, y=y)
    fe = d.box(['front end', 'normalise, G2P'], 'op', left=text.x1 + 0.5, y=y, tag='ch. 01')
    am = d.box(['acoustic model', 'FastSpeech 2 · ch. 20', 'diffusion · ch. 40'], 'module', left=fe.x1 + 1.0, y=y)
    voc = d.box(['vocoder', 'HiFi-GAN · ch. 25', 'Vocos · ch. 26'], 'module', left=am.x1 + 1.0, y=y, h=am.h)
    wav = d.box(['waveform', '22,050 Hz'], 'data', right=11.4, y=y)
    d.arrow(text.r, fe.l)
    jx = fe.x1 + 0.25
    d.arrow(fe.r, am.l, label='phones\n(N)', side='below', frac=0.62)
    d.arrow(am.r, voc.l, label='log-mel\n(80 × T)', side='below')
    d.arrow(voc.r, wav.l, label='samples\n(256·T)', side='below')
    # VITS: phones to waveform in one model
    vits = d.box(['VITS · ch. 30', 'phones → waveform in one model, no mel between'], 'module', x=(am.x0 + voc.x1) / 2, y=2.35)
    d.dot(jx, y)
    d.arrow((jx, y), (jx, vits.cy), vits.l)
    vx = wav.cx - 0.3
    d.arrow(vits.r, (vx, vits.cy), (vx, wav.y0))
    met = d.box(['metrics · ch. 03', 'MCD, F0 RMSE, WER'], 'op', right=11.4, y=1.05, tag='against the real voice')
    d.arrow((wav.cx + 0.3, wav.y0), (wav.cx + 0.3, met.y1))
    # training: corpus -> cache -> batches and the loop, which trains the models
    ty = 6.75
    corpus = d.box(['corpus · ch. 02', 'wavs + text + timings'], 'store', left=0.2, y=ty)
    cache = d.box(['feature cache · ch. 02', 'log-mels, F0 (ch. 00)'], 'store', left=corpus.x1 + 0.8, y=ty, h=corpus.h)
    loop = d.box(['training · ch. 04, 05', 'batches, one loop'], 'op', left=cache.x1 + 0.4, y=ty, h=corpus.h)
    d.arrow(corpus.r, cache.l, label='prepare')
    d.arrow(cache.r, loop.l)
    tx = (max(am.x0, loop.x0) + min(am.x1, loop.x1)) / 2
    d.arrow((tx, loop.y0), (tx, am.y1), label='trains every\nmodel', side='left', color=MUTED, dashed=True, lcolor=MUTED)
    # the codec: NaturalSpeech 2 diffuses its latent; so does chapter 40 with latent='codec'
    codec = d.box(['codec · ch. 35', 'encoder → RVQ → Vocos'], 'module', right=wav.x1, y=5.6)
    cx = am.x1 + 0.3
    d.arrow(am.side('r', 0.25), (cx, am.cy + 0.25), (cx, codec.cy), codec.l, label='ch. 40 with latent=codec:\nthe codec latent (64 × T)',
            seg=2, side='above', frac=0.5, dashed=True, color=MUTED, lcolor=MUTED)
    d.arrow((wav.cx - 0.1, codec.y0), (wav.cx - 0.1, wav.y1), dashed=True, color=MUTED)
    d.label(0.2, 1.45, 'Inside the models: attention and Transformer\nblocks (ch. 10), durations and alignment (ch. 15).\n'
                       'Ch. 85 exports a trained voice; the ttsbook\ncommand (ch. 90) runs every box.', ha='left', color=MUTED,
            size=NOTE, bg=False)
    d.legend(0.2, 0.3, ('data', 'module', 'op', 'store'))
    return d


def data_flow() -> Diagram:
    "Chapters 02, 04 and 05: from a corpus on disk to an optimiser step."
    d = Diagram('data_flow', 11.8, 8.9)
    W = 3.1
    cols = {'02': 1.75, '04': 5.6, '05': 9.45}
    top = 8.05
    d.heading(cols['02'], 8.55, '02 · prepare, once', ha='center')
    d.heading(cols['04'], 8.55, '04 · batches', ha='center')
    d.heading(cols['05'], 8.55, '05 · fit, every step', ha='center')
    x = cols['02']
    corpus = d.box(['corpus folder', 'wavs/ID.wav', 'metadata.csv: ID|text', 'segments/ID.json: timings'], 'store', x=x, top=top, w=W)
    prep = d.box(['prepare', 'validate every file', 'front end: phones, tones', 'log-mel, F0, energy', 'durations from timings'],
                 'op', x=x, top=corpus.y0 - 0.75, w=W)
    cache = d.box(['cache folder', 'items/ID.pt (+ ID.json)', 'manifest.jsonl', 'stats.json, vocab.json', 'audio_config.json'],
                  'store', x=x, top=prep.y0 - 1.15, w=W)
    d.arrow(corpus.b, prep.t, label='Utterance records')
    d.arrow(prep.b, cache.t, label='per item: phones (N),\nmel (80, T), f0 (T),\nwav (256·T) int16')
    x = cols['04']
    samp = d.box(['BucketBatchSampler', 'lengths from manifest.jsonl;', 'similar lengths together,', 'shared out between GPUs'],
                 'op', x=x, top=top, w=W)
    ds = d.box(['TTSDataset', 'loads items/ID.pt, checks them'], 'op', x=x, top=samp.y0 - 0.65, w=W)
    col = d.box(['collate', 'pad to the longest,', 'boolean masks (True = keep)'], 'op', x=x, top=ds.y0 - 0.92, w=W)
    batch = d.box(['batch', 'phones, durations (B, N)', 'mels (B, 80, T)', 'f0, energy (B, T)', 'phone_mask (B, N)', 'mel_mask (B, T)'],
                  'data', x=x, top=col.y0 - 0.6, w=W)
    d.arrow(samp.b, ds.t, label='B indices')
    d.arrow(ds.b, col.t, label='B items of\nlengths $N_i$, $T_i$')
    d.arrow(col.b, batch.t)
    mx = (cache.x1 + samp.x0) / 2
    d.arrow(cache.side('r', 0.25), (mx - 0.12, cache.cy + 0.25), (mx - 0.12, samp.cy), samp.l)
    d.arrow(cache.side('r', -0.25), (mx + 0.12, cache.cy - 0.25), (mx + 0.12, ds.cy), ds.l)
    x = cols['05']
    step = d.box(['Task.training_step', 'the model’s forward'], 'module', x=x, top=top, w=W)
    loss = d.box(['losses', "{'loss': …, 'mel_l1': …}"], 'loss', x=x, top=step.y0 - 0.4, w=W)
    back = d.box(['backward', '(÷ grad_accum, AMP scaler)'], 'op', x=x, top=loss.y0 - 0.4, w=W)
    clip = d.box(['clip the gradient norm'], 'op', x=x, top=back.y0 - 0.4, w=W)
    opt = d.box(['optimiser step', '+ learning-rate schedule'], 'op', x=x, top=clip.y0 - 0.4, w=W)
    ema = d.box(['EMA of the weights'], 'op', x=x, top=opt.y0 - 0.4, w=W)
    logs = d.box(['run folder', 'TensorBoard events', 'validation, audio samples', 'checkpoints/ (resume)'], 'store', x=x, top=ema.y0 - 0.6, w=W)
    for a, b in ((step, loss), (loss, back), (back, clip), (clip, opt), (opt, ema)): d.arrow(a.b, b.t)
    d.arrow(ema.b, logs.t, label='every N steps')
    lx = step.x1 + 0.25
    d.arrow(ema.r, (lx, ema.cy), (lx, step.cy), step.r, label='next\nbatch', seg=1, side='right', frac=0.5, color=MUTED, lcolor=MUTED)
    bx = (batch.x1 + step.x0) / 2
    d.arrow(batch.r, (bx, batch.cy), (bx, step.cy), step.l)
    d.label(cols['04'], 0.62, 'accelerate gives the loop its devices, mixed precision and several GPUs.',
            color=MUTED, size=NOTE, bg=False)
    d.legend(0.3, 0.2)
    return d


def fastspeech2() -> Diagram:
    "Chapter 20: FastSpeech 2 at the base preset's sizes, with the variance adaptor at phone level (the default)."
    d = Diagram('fastspeech2', 10.6, 11.9)
    X, W = 2.55, 3.5
    ph = d.box(['phones (B, N), tones (B, N)'], 'data', x=X, top=11.65, w=W)
    emb = d.box(['phone + tone embedding', '+ sinusoidal positions'], 'module', x=X, top=ph.y0 - 0.45, w=W)
    enc = d.box(['encoder', '4 FFT blocks: 2 heads,', 'conv feed-forward 1024, kernel 9'], 'module', x=X, top=emb.y0 - 0.6, w=W)
    d.arrow(ph.b, emb.t)
    d.arrow(emb.b, enc.t, label='(B, N, 256)')
    # the variance adaptor: a stream down the left, predictors to the right
    g_top = enc.y0 - 0.8
    PX, PW = 6.25, 2.9
    y_dur, y_pp, y_pe, y_ep, y_ee, y_lr = g_top - 0.75, g_top - 1.65, g_top - 2.45, g_top - 3.3, g_top - 4.1, g_top - 4.95
    durp = d.box(['duration predictor', '2 convs + linear'], 'module', x=PX, y=y_dur, w=PW)
    pp = d.box(['pitch predictor'], 'module', x=PX, y=y_pp, w=PW)
    pe = d.box(['256 log-spaced bins', '→ pitch embedding (+ conv)'], 'module', x=PX, y=y_pe, w=PW)
    ep = d.box(['energy predictor'], 'module', x=PX, y=y_ep, w=PW)
    ee = d.box(['256 bins', '→ energy embedding (+ conv)'], 'module', x=PX, y=y_ee, w=PW)
    dur = d.box(['durations d (B, N)', 'train: the cache’s', 'speak: $e^{\\hat\\ell} - 1$, ÷ speed'], 'data', right=10.3, y=y_dur)
    lr = d.box(['length regulator (ch. 15)', 'repeat phone n $d_n$ times'], 'op', x=X, y=y_lr, w=W)
    g_bot = lr.y0 - 0.3
    d.group(0.35, g_bot, 10.45, g_top, 'variance adaptor: pitch and energy per phone (the default; per frame as an option)', ha='right')
    d.arrow(enc.b, (X, y_dur), head=False, label='h (B, N, 256)', side='right', gap=0.1, frac=0.22)
    d.dot(X, y_dur); d.arrow((X, y_dur), durp.l)
    d.dot(X, y_pp); d.arrow((X, y_pp), pp.l)
    d.arrow((X, y_dur), (X, y_pp), head=False)
    d.arrow(pp.b, pe.t, label='$\\hat p$ (B, N)')
    d.plus(X, y_pe)
    d.arrow((X, y_pp), (X, y_pe + 0.14))
    d.arrow(pe.l, (X + 0.14, y_pe), label='(B, N, 256)')
    d.dot(X, y_ep); d.arrow((X, y_pe - 0.14), (X, y_ep), head=False); d.arrow((X, y_ep), ep.l)
    d.arrow(ep.b, ee.t, label='$\\hat e$ (B, N)')
    d.plus(X, y_ee)
    d.arrow((X, y_ep), (X, y_ee + 0.14))
    d.arrow(ee.l, (X + 0.14, y_ee), label='(B, N, 256)')
    d.arrow((X, y_ee - 0.14), lr.t)
    d.arrow(durp.r, dur.l, label='$\\hat\\ell$ (B, N)')
    dx = dur.x1 - 0.3
    d.arrow((dx, dur.y0), (dx, y_lr), lr.r, label='d', seg=0, side='right', frac=0.9)
    d.label(8.7, (y_pe + y_ep) / 2, 'train: embed the\ncache’s values;\nspeak: predicted,\n× pitch, × energy', color=MUTED,
            size=NOTE, bg=False)
    # the decoder side
    dec = d.box(['decoder', '+ positions, 4 FFT blocks'], 'module', x=X, top=g_bot - 0.55, w=W)
    d.arrow(lr.b, dec.t, label='(B, T, 256)')
    lin = d.box(['linear', '256 → 80'], 'module', left=dec.x1 + 0.85, y=dec.cy)
    post = d.box(['post-net', '5 convs, + residual'], 'module', left=lin.x1 + 1.55, y=dec.cy)
    d.arrow(dec.r, lin.l)
    d.arrow(lin.r, post.l, label='log-mel\n(B, 80, T)', side='above')
    out = d.box(['log-mel (B, 80, T)', 'to a vocoder'], 'data', x=post.cx, top=post.y0 - 0.5)
    d.arrow(post.b, out.t)
    d.label(10.3, 11.55, 'Sizes of the base preset (the paper’s);\nsmall: d = 128, 2 + 2 blocks.\n'
                         'Several speakers: a speaker\nembedding is added to h.', ha='right', va='top', color=MUTED, size=NOTE, bg=False)
    d.legend(0.35, 0.25, ('data', 'module', 'op'))
    return d


def vocoders() -> Diagram:
    "Chapters 25 and 26: the two generators side by side, and the discriminators they train against."
    d = Diagram('vocoders', 11, 12.8)
    X, W = 2.7, 4.1
    X2, W2 = 8.25, 4.3
    d.heading(X, 12.5, 'HiFi-GAN generator (ch. 25, V1)', ha='center')
    d.heading(X2, 12.5, 'Vocos generator (ch. 26, base)', ha='center')
    mel = d.box(['log-mel (B, 80, T)'], 'data', x=X, top=12.1, w=W)
    pre = d.box(['conv, kernel 7'], 'module', x=X, top=mel.y0 - 0.42, w=W)
    d.arrow(mel.b, pre.t)
    stages, prev = [], pre
    for i, (u, k) in enumerate(zip((8, 8, 2, 2), (16, 16, 4, 4))):
        b = d.box([f'× {u}: transposed conv, kernel {k}', 'MRF: 3 residual blocks (k 3, 7, 11), averaged'],
                  'module', x=X, top=prev.y0 - (0.95 if i == 0 else 0.5), w=W, size=NOTE)
        stages.append(b); prev = b
    d.group(X - W / 2 - 0.22, stages[-1].y0 - 0.2, X + W / 2 + 0.22, stages[0].y1 + 0.45, '8 × 8 × 2 × 2 = 256', ha='right')
    d.arrow(pre.b, stages[0].t, label='(B, 512, T)', side='left', frac=0.3)
    for a, b, s in zip(stages[:-1], stages[1:], ('(B, 256, 8T)', '(B, 128, 64T)', '(B, 64, 128T)')): d.arrow(a.b, b.t, label=s)
    post = d.box(['leaky ReLU, conv k 7, tanh'], 'module', x=X, top=stages[-1].y0 - 0.7, w=W)
    d.arrow(stages[-1].b, post.t, label='(B, 32, 256T)', frac=0.35)
    wav1 = d.box(['waveform (B, 1, 256·T)'], 'data', x=X, top=post.y0 - 0.42, w=W)
    d.arrow(post.b, wav1.t)
    # Vocos
    mel2 = d.box(['log-mel (B, 80, T)'], 'data', x=X2, top=12.1, w=W2)
    emb = d.box(['conv, kernel 7 + LayerNorm'], 'module', x=X2, top=mel2.y0 - 1.05, w=W2)
    cnx = d.box(['8 ConvNeXt blocks', 'depthwise conv k 7 → LayerNorm →', 'linear 512 → 1536 → GELU → 512,',
                 '× layer scale, + residual'], 'module', x=X2, top=emb.y0 - 0.65, w=W2)
    head = d.box(['Fourier head', 'LayerNorm → linear 512 → 2 × 513'], 'module', x=X2, top=cnx.y0 - 0.65, w=W2)
    d.group(X2 - W2 / 2 - 0.22, head.y0 - 0.2, X2 + W2 / 2 + 0.22, emb.y1 + 0.45, '86 frames a second', ha='right')
    polar = d.box(['$|X| = e^{\\log|X|}$, $X = |X|\\,e^{i\\varphi}$'], 'op', x=X2, top=head.y0 - 1.05, w=W2, bold_first=False)
    istft = d.box(['inverse STFT', 'irfft, Hann window, overlap-add, hop 256'], 'op', x=X2, top=polar.y0 - 0.65, w=W2)
    wav2 = d.box(['waveform (B, 1, 256·T)'], 'data', x=X2, top=istft.y0 - 0.42, w=W2)
    d.arrow(mel2.b, emb.t)
    d.arrow(emb.b, cnx.t, label='(B, 512, T)')
    d.arrow(cnx.b, head.t, label='(B, 512, T)')
    d.arrow(head.side('b', -1.0), polar.side('t', -1.0), label='log |X|\n(B, 513, T)', side='right', gap=0.08, frac=0.6)
    d.arrow(head.side('b', 1.0), polar.side('t', 1.0), label='phase φ\n(B, 513, T)', side='left', gap=0.08, frac=0.6)
    d.arrow(polar.b, istft.t, label='complex X (B, 513, T)')
    d.arrow(istft.b, wav2.t)
    # the discriminators
    d.heading(0.4, 3.15, 'Discriminators and losses', ha='left')
    real = d.box(['waveform', 'real y or', 'generated ŷ', '(B, 1, L)'], 'data', left=0.4, y=1.45)
    DX = 5.2
    mpd = d.box(['multi-period (MPD), both', 'p = 2, 3, 5, 7, 11: (B, 1, L/p, p), 2-D convs'], 'module', x=DX, y=2.4, w=4.9)
    msd = d.box(['multi-scale (MSD), HiFi-GAN', 'raw, ×2 and ×4 pooled audio, 1-D convs'], 'module', x=DX, y=1.45, w=4.9)
    mrd = d.box(['multi-resolution (MRD), Vocos', '|STFT| at n_fft 512, 1024, 2048, 2-D convs'], 'module', x=DX, y=0.5, w=4.9)
    fx = real.x1 + 0.3
    d.arrow(real.r, msd.l)
    d.dot(fx, real.cy)
    for b in (mpd, mrd): d.arrow((fx, real.cy), (fx, b.cy), b.l)
    loss = d.box(['losses', 'G: adversarial', '+ 2 × feature match', '+ 45 × mel L1', 'D: least squares'], 'loss', right=10.85, y=1.45)
    lx = loss.x0 - 0.35
    d.arrow(msd.r, loss.l)
    for b in (mpd, mrd): d.arrow(b.r, (lx, b.cy), (lx, loss.cy), head=False)
    d.dot(lx, loss.cy)
    d.legend(10.85, 3.15, ('data', 'module', 'op', 'loss'), ha='right')
    return d


def vits() -> Diagram:
    "Chapter 30: VITS training (with MAS, the flow and the KL) beside VITS speaking."
    d = Diagram('vits', 12, 10.2)
    d.heading(0.25, 9.9, 'Training', ha='left')
    d.heading(8.35, 9.9, 'Inference', ha='left')
    d.ax.plot([8.05, 8.05], [0.7, 10.0], color='#BBBBBB', lw=1.0, zorder=0)
    A = 1.75
    ph = d.box(['phones (B, N)'], 'data', x=A, top=9.55)
    te = d.box(['text encoder', '6 Transformer layers,', 'relative positions'], 'module', x=A, top=ph.y0 - 0.42)
    d.arrow(ph.b, te.t)
    mas = d.box(['MAS (ch. 15)', 'the alignment A under', 'which $z_p$ is most likely'], 'op', x=A, top=te.y0 - 1.05)
    d.arrow(te.b, mas.t, label='prior $\\mu_p$, log $\\sigma_p$\n(B, 192, N)')
    spec = d.box(['linear spectrogram', '(B, 513, T)'], 'data', x=A, bottom=0.75)
    post = d.box(['posterior encoder', '16 WaveNet layers'], 'module', x=A, bottom=spec.y1 + 0.42)
    flow = d.box(['flow f', '4 coupling layers'], 'module', x=A, bottom=post.y1 + 0.85)
    d.arrow(spec.t, post.b)
    d.arrow(post.t, flow.b, label='z (B, 192, T)', side='left')
    d.arrow(flow.t, mas.b, label='$z_p$ (B, 192, T)', side='left')
    B = 5.7
    dp = d.box(['duration predictors', 'stochastic (a flow) and', 'deterministic'], 'module', x=B, y=te.cy)
    dl = d.box(['$L_{dur}$: −log-lik. + MSE'], 'loss', x=B, top=dp.y0 - 0.32, bold_first=False)
    d.arrow(dp.b, dl.t)
    d.arrow(te.r, dp.l, label='h (B, 192, N)', side='above')
    dur = d.box(['durations', '$d = \\Sigma_t\\, A$ (B, N)'], 'data', x=B + 0.9, y=mas.cy - 0.12)
    d.arrow(mas.side('r', -0.12), dur.l, label='A (B, N, T)', side='above')
    d.arrow(dur.t, (dur.cx, dl.y0))
    d.label(dur.cx + 0.1, (dur.y1 + dl.y0) / 2, 'target', ha='left', color=MUTED)
    kl = d.box(['KL', 'against the prior', 'expanded by A'], 'loss', x=B - 0.5, y=flow.cy + 0.35)
    d.arrow(flow.r, (kl.x0, flow.cy), label='$z_p$, log|det|', side='below')
    kx = kl.cx - 0.5
    d.arrow(mas.side('r', -0.36), (kx, mas.cy - 0.36), (kx, kl.y1), label='$\\mu_p A$, log $\\sigma_p A$\n(B, 192, T)', seg=1,
            side='left', frac=0.55)
    sl = d.box(['random slice', '32 frames'], 'op', left=post.x1 + 0.8, y=post.cy)
    dec = d.box(['decoder', 'HiFi-GAN (ch. 25)'], 'module', right=7.8, y=post.cy)
    d.arrow(post.r, sl.l, label='z', side='above')
    d.arrow(sl.r, dec.l, label='(B, 192,\n32)', side='above')
    gl = d.box(['mel L1 × 45,', 'MPD adversarial,', 'feature matching × 2'], 'loss', x=dec.cx - 0.2, bottom=0.7, bold_first=False)
    d.arrow(dec.b, (dec.cx, gl.y1), label='ŷ (B, 1, 32·256)', side='left')
    # inference
    C, W = 9.95, 3.4
    iph = d.box(['phones (B, N)'], 'data', x=C, top=9.55, w=W)
    ite = d.box(['text encoder'], 'module', x=C, top=iph.y0 - 0.38, w=W)
    idp = d.box(['duration predictor', 'DP (SDP with sdp_ratio > 0)'], 'module', x=C, top=ite.y0 - 0.55, w=W)
    idur = d.box(['d = ⌈exp(ℓ) × length_scale⌉'], 'op', x=C, top=idp.y0 - 0.55, w=W, bold_first=False)
    iexp = d.box(['expand the prior by d'], 'op', x=C, top=idur.y0 - 0.55, w=W, bold_first=False)
    isam = d.box(['$z_p = \\mu + \\sigma\\,\\varepsilon \\times 0.667$'], 'op', x=C, top=iexp.y0 - 0.8, w=W, bold_first=False)
    iflow = d.box(['inverse flow $f^{-1}$'], 'module', x=C, top=isam.y0 - 0.75, w=W)
    idec = d.box(['decoder, whole utterance'], 'module', x=C, top=iflow.y0 - 0.75, w=W)
    iwav = d.box(['waveform (B, 1, 256·T)'], 'data', x=C, top=idec.y0 - 0.5, w=W)
    d.arrow(iph.b, ite.t)
    d.arrow(ite.b, idp.t, label='h')
    d.arrow(idp.b, idur.t, label='log-durations ℓ (B, N)')
    d.arrow(idur.b, iexp.t, label='d (B, N)')
    d.arrow(iexp.b, isam.t, label='$\\mu$, $\\sigma$ (B, 192, T)')
    d.arrow(isam.b, iflow.t, label='$z_p$ (B, 192, T)')
    d.arrow(iflow.b, idec.t, label='z (B, 192, T)')
    d.arrow(idec.b, iwav.t)
    ix = ite.x0 - 0.2
    d.arrow(ite.l, (ix, ite.cy), (ix, iexp.cy), iexp.l, label='$\\mu_p$, $\\sigma_p$', seg=1, side='right', frac=0.5)
    d.legend(0.25, 0.25, ('data', 'module', 'op', 'loss'))
    return d


def change_of_variables() -> Diagram:
    "Chapter 30's flows: a density carried through an invertible map; the affine coupling layer."
    d = Diagram('change_of_variables', 12, 7.0)
    d.heading(0.25, 6.75, 'The change of variables, in one dimension', ha='left')
    d.heading(6.75, 6.75, 'An affine coupling layer', ha='left')
    d.ax.plot([6.45, 6.45], [0.3, 6.9], color='#BBBBBB', lw=1.0, zorder=0)
    data, fill = KINDS['data']['ec'], KINDS['data']['fc']

    def curve(pts, color=INK, lw=1.4):
        "A polyline in inch coordinates, checked like an arrow without a head."
        d.ax.plot([p[0] for p in pts], [p[1] for p in pts], color=color, lw=lw, zorder=1,
                  solid_capstyle='butt')
        d.lines.append((pts, None))

    # z_p = f(z), drawn through its inverse z = g(z_p) = z_p + a tanh(b z_p): f' is small near 0,
    # so the Gaussian on z_p becomes a density on z with two bumps
    a, b = 1.5, 2.5
    g = lambda t: t + a * math.tanh(b * t)
    dg = lambda t: 1 + a * b / math.cosh(b * t) ** 2
    gauss = lambda t: math.exp(-t * t / 2) / math.sqrt(2 * math.pi)
    ZR, PR = 4.4, 2.8                      # axis ranges: z in [-ZR, ZR], z_p in [-PR, PR]
    X0, Y0, L = 2.0, 2.3, 3.75             # the square plot: lower-left corner and side
    X = lambda z: X0 + (z + ZR) / (2 * ZR) * L
    Y = lambda t: Y0 + (t + PR) / (2 * PR) * L
    ts = [-PR + 2 * PR * i / 240 for i in range(241)]
    gap, H = 0.12, 3.3                     # the density plots: gap to the axes, inches per unit
    bx, by = X0 - gap, Y0 - gap            # their baselines
    pz = [(X(g(t)), by - H * gauss(t) / dg(t)) for t in ts]
    pp = [(bx - H * gauss(t), Y(t)) for t in ts]
    # one interval of z and its image, shaded from the curve to both density plots
    t0, t1 = -1.3, -1.0
    sx, sy = [X(g(t0)), X(g(t1))], [Y(t0), Y(t1)]
    d.ax.fill_between(sx, [by] * 2, sy, color=fill, zorder=0, lw=0)
    d.ax.fill_betweenx(sy, [bx] * 2, sx, color=fill, zorder=0, lw=0)
    band = [p for p in pz if sx[0] <= p[0] <= sx[1]]
    d.ax.fill_between([p[0] for p in band], [p[1] for p in band], [by] * len(band), color=data,
                      alpha=0.35, zorder=0, lw=0)
    band = [p for p in pp if sy[0] <= p[1] <= sy[1]]
    d.ax.fill_betweenx([p[1] for p in band], [p[0] for p in band], [bx] * len(band), color=data,
                       alpha=0.35, zorder=0, lw=0)
    curve([(X0, Y0), (X0 + L, Y0)], color=MUTED, lw=1.0)
    curve([(X0, Y0), (X0, Y0 + L)], color=MUTED, lw=1.0)
    curve([(X(g(t)), Y(t)) for t in ts if abs(g(t)) <= ZR], lw=2.0)
    curve(pz, color=data, lw=1.6)
    curve(pp, color=data, lw=1.6)
    curve([(bx, Y0), (bx, Y0 + L)], color=data, lw=0.8)
    curve([(X0, by), (X0 + L, by)], color=data, lw=0.8)
    d.label(X0 + L + 0.08, Y0, 'z', ha='left', color=INK, style='italic')
    d.label(X0, Y0 + L + 0.1, '$z_p$', ha='center', va='bottom', color=INK)
    d.label(X(2.4), Y(0.3), '$z_p = f(z)$', ha='left', color=INK)
    d.label(0.2, Y(1.75), 'a Gaussian\non $z_p$', ha='left', color=data, size=NOTE)
    d.label(X(2.2), by - 0.85, '$p(z)$: two bumps', ha='left', color=data, size=NOTE)
    d.label(sx[1] + 0.06, by - 0.12, 'dz', ha='left', va='top', color=INK, style='italic')
    d.label(sx[1] + 0.1, (sy[0] + sy[1]) / 2, "$dz_p = f\\,'(z)\\,dz$", ha='left', color=INK)
    d.label(X0 + 0.15, Y0 + L - 0.05, 'The two shaded strips hold\nthe same probability:\n'
            '$p(z)\\,dz = \\mathcal{N}(z_p)\\,dz_p$, so\n$p(z) = \\mathcal{N}(f(z))\\;|f\\,\'(z)|$',
            ha='left', va='top', color=INK, size=NOTE, bg=False)
    # the coupling layer: x0 passes unchanged, x1 is shifted and scaled by functions of x0
    C0, C1 = 7.45, 10.85
    CX = (C0 + C1) / 2
    xin = d.box(['x  (B, C, T)'], 'data', x=CX, top=6.35, w=4.0)
    x0 = d.box(['$x_0$: first C/2 channels'], 'data', x=C0, top=xin.y0 - 0.55, bold_first=False)
    x1 = d.box(['$x_1$: the other C/2'], 'data', x=C1, y=x0.cy, bold_first=False)
    net = d.box(['WaveNet($x_0$, g)', 'last conv zero at start'], 'module', x=CX - 0.05,
                top=x0.y0 - 0.4)
    aff = d.box(['$y_1 = m + x_1 \\odot e^{\\,s}$'], 'op', x=C1, top=net.y0 - 0.5, bold_first=False)
    y0 = d.box(['$y_0 = x_0$'], 'data', x=C0, y=aff.cy, bold_first=False)
    yout = d.box(['y = [$y_0$, $y_1$], then a Flip'], 'data', x=CX, top=aff.y0 - 0.45, w=4.0,
                 bold_first=False)
    d.arrow(xin.side('b', C0 - CX), x0.t)
    d.arrow(xin.side('b', C1 - CX), x1.t)
    d.arrow(x0.b, y0.t, label='unchanged', side='right', frac=0.2)
    d.dot(C0, net.cy)
    d.arrow((C0, net.cy), net.l)
    d.arrow(x1.b, aff.t)
    nx = net.x1 - 0.3
    d.arrow((nx, net.y0), (nx, aff.cy), aff.l, label='m, s', seg=0, side='left', frac=0.5)
    d.arrow(y0.b, (C0, yout.y1))
    d.arrow(aff.b, (C1, yout.y1))
    # its Jacobian, block triangular: only the diagonal blocks reach the determinant
    jx, jy, cw, ch = 7.75, 1.05, 1.25, 0.55
    for (i, j), t in (((0, 1), 'I'), ((1, 1), '0'), ((0, 0), '$\\partial y_1/\\partial x_0$'),
                      ((1, 0), 'diag($e^{\\,s}$)')):
        diagonal = (i, j) in ((0, 1), (1, 0))           # column i, row j counted from the bottom
        d.ax.add_patch(FancyBboxPatch((jx + i * cw, jy + j * ch), cw, ch, boxstyle='square,pad=0',
                                      fc='white', ec=INK if diagonal else MUTED,
                                      lw=2.0 if diagonal else 1.0, zorder=3 if diagonal else 2))
        d.label(jx + (i + 0.5) * cw, jy + (j + 0.5) * ch, t, color=INK, size=NOTE, bg=False)
    d.label(jx - 0.1, jy + ch, '$\\partial y / \\partial x$ =', ha='right', color=INK)
    d.label(jx + 2 * cw + 0.15, jy + ch,
            'triangular, so\nlog |det| = $\\Sigma\\, s$\nover the channels\nof $x_1$',
            ha='left', color=INK, size=NOTE, bg=False)
    d.legend(0.25, 0.3, ('data', 'module', 'op'))
    return d

PROMPT = '#7A4FA0'   # the prompt tokens' lines in the NaturalSpeech 2 figure


def naturalspeech2() -> Diagram:
    "Chapter 40: NaturalSpeech 2-style conditioning and the denoiser, at the base preset's sizes."
    d = Diagram('naturalspeech2', 11.9, 11.2)
    A, WA = 1.85, 3.2
    ph = d.box(['phones, tones (B, N)'], 'data', x=A, top=10.9, w=WA)
    enc = d.box(['phoneme encoder', '3 residual convs,', '6 FFT blocks'], 'module', x=A, top=ph.y0 - 0.42, w=WA)
    d.arrow(ph.b, enc.t)
    pr = d.box(['prompt', 'a ≤ 3 s slice of the speaker’s', 'standardised latent (B, C, P)'], 'data', x=A, top=6.9, w=WA)
    pen = d.box(['prompt encoder', 'conv, 6 FFT blocks'], 'module', x=A, top=pr.y0 - 0.42, w=WA)
    per = d.box(['Perceiver resampler', '32 learned queries (ch. 10)'], 'module', x=A, top=pen.y0 - 0.65, w=WA)
    tok = d.box(['prompt tokens', '(B, 32, 512)'], 'data', x=A, top=per.y0 - 0.42, w=WA)
    d.arrow(pr.b, pen.t)
    d.arrow(pen.b, per.t, label='(B, P, 512)')
    d.arrow(per.b, tok.t)
    # predictors, pitch embedding, length regulation
    B, WB = 5.55, 2.9
    durp = d.box(['duration predictor', '10 × (conv, attention', 'to itself and the prompt)'], 'module', x=B, y=enc.cy, w=WB)
    pitp = d.box(['pitch predictor', '(the same design)'], 'module', x=B, top=durp.y0 - 0.4, w=WB)
    pemb = d.box(['256 log bins → pitch', 'embedding, + H'], 'module', x=B, top=pitp.y0 - 0.55, w=WB)
    lreg = d.box(['length regulator', 'repeat phone n $d_n$ times'], 'op', x=B, top=pemb.y0 - 0.5, w=WB)
    jx = enc.x1 + 0.25
    d.arrow(enc.side('r', 0.12), durp.side('l', 0.12))
    d.dot(jx, enc.cy + 0.12)
    d.arrow((jx, enc.cy + 0.12), (jx, pitp.cy + 0.12), pitp.side('l', 0.12))
    d.arrow((jx, pitp.cy + 0.12), (jx, pemb.cy), pemb.l)
    d.dot(jx, pitp.cy + 0.12)
    d.label(jx - 0.1, (pemb.cy + pitp.cy) / 2, 'H (B, N, 512)', ha='right')
    d.arrow(pitp.b, pemb.t, label='$\\hat p$ (B, N)')
    d.arrow(pemb.b, lreg.t)
    vx, cxp, qx = durp.x1 + 0.2, durp.x1 + 0.45, durp.x1 + 0.7      # three lanes between the predictors and the denoiser
    d.arrow(durp.r, (vx, durp.cy), (vx, lreg.cy + 0.12), lreg.side('r', 0.12))
    d.label(vx - 0.08, (pitp.y0 + pemb.y1) / 2, 'd (B, N)', ha='right', va='center')
    # the prompt tokens: cross-attention in the predictors and in the denoiser's Transformer
    px = jx + 0.3
    d.arrow(tok.r, (px, tok.cy), (px, durp.cy - 0.15), durp.side('l', -0.15), color=PROMPT)
    d.arrow((px, pitp.cy - 0.15), pitp.side('l', -0.15), color=PROMPT)
    d.dot(px, pitp.cy - 0.15, color=PROMPT)
    d.label(px + 0.1, tok.cy + 0.22, 'cross-attention to the prompt tokens', ha='left', va='bottom', color=PROMPT)
    # the denoiser
    WC = 3.3
    gx0 = qx + 0.2
    C = gx0 + 0.2 + WC / 2
    gx1 = C + WC / 2 + 0.2
    xt = d.box(['$x_t$ (B, C, T)', 'first: $x_1 \\sim N(0, I)$'], 'data', x=C - 0.55, top=10.3)
    tt = d.box(['t (B,)'], 'data', x=C + 1.3, y=xt.cy)
    inp = d.box(['concat $x_t$, c;', '1×1 conv'], 'module', x=xt.cx, top=xt.y0 - 0.45, bold_first=False)
    wn = d.box(['WaveNet', '40 causal layers, dilations 1-8;', 'c enters every layer; FiLM by', 't-embedding + mean prompt'],
               'module', x=C, top=inp.y0 - 0.5, w=WC)
    tf = d.box(['4 Transformer blocks', 'AdaRMSNorm, self-attention,', 'cross-attention to the', 'prompt, GEGLU'],
               'module', x=C, top=wn.y0 - 0.55, w=WC)
    lin = d.box(['linear → $\\hat v$ (B, C, T)'], 'module', x=C, top=tf.y0 - 0.42, w=WC, bold_first=False)
    smp = d.box(['DDIM step (50, t: 1 → 0)', '$\\hat x_0 = \\alpha_t x_t - \\sigma_t \\hat v$',
                 '$x_s = \\alpha_s \\hat x_0 + \\sigma_s \\hat\\varepsilon$'], 'op', x=C, top=lin.y0 - 0.5, w=WC)
    d.group(gx0, lin.y0 - 0.2, gx1, 10.85, 'denoiser (v prediction)', ha='right')
    d.arrow(xt.b, inp.t)
    d.arrow(tt.b, (tt.cx, wn.y1))
    d.arrow(inp.b, (inp.cx, wn.y1), label='(B, 512, T)')
    d.arrow(wn.b, tf.t, label='(B, T, 512)')
    d.arrow(tf.b, lin.t)
    d.arrow(lin.b, smp.t)
    d.arrow(lreg.side('r', -0.12), (cxp, lreg.cy - 0.12), (cxp, inp.cy), inp.l, label='c (B, 512, T)', seg=2, side='above')
    d.arrow((px, tok.cy), (qx, tok.cy), (qx, tf.cy), tf.l, color=PROMPT)
    lx = gx1 + 0.1
    d.arrow(smp.r, (lx, smp.cy), (lx, 11.0), (xt.cx, 11.0), xt.t, color=MUTED)
    out = d.box(['de-normalise, then decode', 'C = 80: log-mel → a vocoder;', 'C = D: codec latent → RVQ → codec decoder'], 'data', x=B, y=1.2)
    d.arrow(smp.b, (C, out.cy), out.r, label='$\\hat x_0$ after the last step', seg=1, side='above')
    d.label(0.25, 1.55, 'Training: $x_t = \\alpha_t z + \\sigma_t \\varepsilon$ at $t \\sim U(0, 1)$;\n'
                        'target $v = \\alpha_t \\varepsilon - \\sigma_t z$; min-SNR-weighted\n'
                        'MSE outside the prompt; 10 % of items get\n'
                        'the null condition (for guidance).\n'
                        'The latent: a log-mel (C = 80, default) or a\n'
                        'codec latent (C = D = 128, ch. 35).', ha='left', va='center', color=MUTED, size=NOTE, bg=False)
    d.legend(0.25, 0.25, ('data', 'module', 'op'))
    return d


FIGURES = {f.__name__: f for f in (pipeline, data_flow, fastspeech2, vocoders, vits,
                                      change_of_variables, naturalspeech2)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('names', nargs='*', help=f"figures to draw (default all): {', '.join(FIGURES)}")
    ap.add_argument('--png', type=Path, help='also write PNG copies into this folder')
    ap.add_argument('--no-check', action='store_true', help='write the figures even if their layout check fails')
    a = ap.parse_args(argv)
    unknown = [n for n in a.names if n not in FIGURES]
    if unknown: ap.error(f"unknown figure(s) {unknown}; choose from {list(FIGURES)}")
    if a.png: a.png.mkdir(parents=True, exist_ok=True)
    failed = 0
    for name in a.names or FIGURES:
        d = FIGURES[name]()
        probs = d.check()
        for p in probs: print(f"diagrams: {name}: {p}", file=sys.stderr)
        if probs and not a.no_check:
            failed += 1
            plt.close(d.fig)
            continue
        print(f"diagrams: wrote {d.save(a.png).relative_to(ROOT)}")
    if failed: print(f"diagrams: {failed} figure(s) not written: fix their layout (or --no-check to look at them)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
