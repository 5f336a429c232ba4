"""selectHost (k/k `pkg/scheduler/schedule_one.go`): the highest score, reservoir-sampled among
equal scores.

Tie number t (2, 3, …) draws `randrange(t)` and wins when the draw is 0. On a large cluster
most of a window's nodes tie (on an empty cluster, every node), so a pod draws hundreds of
times. For one positive int, `randrange(t)` returns `_randbelow(t)`, which for a plain
`random.Random` is `_randbelow_with_getrandbits`: `getrandbits(t.bit_length())` until the value
is below t. `pick` does those calls inline — the same calls on the same generator, so the
same values and the same generator state after — without two Python frames a draw (about half
the cost of a draw). `INLINE` says whether this interpreter's Random draws that way (checked
once, at import); where not, and for any other generator, each draw is a call.
"""
from __future__ import annotations

import random


def pick(scores: list[float], rng) -> int:
    """The index of the chosen score: the highest, ties drawn in order as the plain loop does
    (`rng.randrange(t)` for the t-th equal score, which wins on 0)."""
    if not (INLINE and type(rng) is random.Random):
        below = rng._randbelow if type(rng) is random.Random else rng.randrange  # type: ignore[attr-defined]
        best, best_score, ties = 0, -1.0, 0
        for i, s in enumerate(scores):
            if s > best_score:
                best, best_score, ties = i, s, 1
            elif s == best_score:
                ties += 1
                if below(ties) == 0:
                    best = i
        return best
    getrandbits = rng.getrandbits
    best, best_score, ties = 0, -1.0, 0
    for i, s in enumerate(scores):
        if s > best_score:
            best, best_score, ties = i, s, 1
        elif s == best_score:
            ties += 1
            bits = ties.bit_length()        # _randbelow_with_getrandbits(ties), inline
            r = getrandbits(bits)
            while r >= ties:
                r = getrandbits(bits)
            if r == 0:
                best = i
    return best


def _check() -> bool:
    """Whether Random's _randbelow is the getrandbits loop `pick` inlines (same values, same
    state after, on bounds of every bit length a tie count can have and a few rejections)."""
    if getattr(random.Random, "_randbelow", None) is not getattr(random.Random, "_randbelow_with_getrandbits", None):
        return False
    bounds = [2, 3, 5, 7, 8, 9, 31, 32, 33, 100, 255, 256, 257, 420, 1000, 65537, 2**31 + 1] * 3
    plain, inline = random.Random(1), random.Random(1)
    want = [plain._randbelow(b) for b in bounds]     # type: ignore[attr-defined]
    got = []
    for b in bounds:
        bits = b.bit_length()
        r = inline.getrandbits(bits)
        while r >= b:
            r = inline.getrandbits(bits)
        got.append(r)
    return got == want and plain.getstate() == inline.getstate()


INLINE = _check()
