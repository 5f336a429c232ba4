"""Instructions a pod: the engine's scale-up and the floor counted by valgrind instead of timed.

On this project's VMs the wall and CPU figures move by tens of per cent within minutes (on
2026-12-06 the same floor took 1.22 s and 2.16 s ten minutes apart), so a change worth a few
per cent cannot be seen in timings without many back-to-back pairs. The instructions the
interpreter executes for the same work barely move: with PYTHONHASHSEED fixed and the modules
byte-compiled, runs of the same code agree within ~0.02 %. This counts them with valgrind's
cachegrind (no cache simulation, so only the count):

- the engine: bench/profile_engine.py — the 10k benchmark's scale-up in process, on a
  ManualClock — at two sizes; a pod costs (I(large) − I(small)) / (large − small), so the
  start-up (imports, the cluster's bootstrap) cancels out;
- the floor: scale_deployment.floor_seconds (the four versions of each pod built and serialised
  in plain Python) at the same two sizes, likewise;
- their ratio: issue 16's target 2 (≤ 2× the floor) in instructions instead of seconds.

Instructions are not seconds: nine tenths of the floor's are JSON encoding, C code that runs
about twice as many instructions a second as the interpreter does, so the time ratio runs about
twice this one (bench/README.md, "Instructions a pod, and what the floor is made of"). Use it to compare commits — a change's effect on the engine's
work a pod — not as the target's figure. `--tree DIR` counts another checkout with this
interpreter (e.g. a `git worktree` of the base commit), so both sides are counted the same way.

    .venv-test/bin/python bench/instructions.py [--pods 1000,4000] [--nodes 50] [--tree DIR] [--json]

Needs valgrind (`apt-get install valgrind`); runs the four counts two at a time (~3 min on
2 cores at the default sizes). Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")
_RV = re.compile(r"\brv (\d+)")


def count(argv: list[str], cwd: str) -> tuple[int, str]:
    """The instructions `argv` executes (valgrind's I refs) and what it printed."""
    cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={os.devnull}", *argv]
    # A fixed hash seed: set and dict orders (and so the work done) are the same on every run.
    env = dict(os.environ, PYTHONHASHSEED="0")
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    m = _REFS.search(p.stderr)
    if p.returncode != 0 or m is None:
        raise SystemExit(f"{' '.join(argv)} failed under valgrind (exit {p.returncode}):\n{p.stderr[-2000:]}")
    return int(m.group(1).replace(",", "")), p.stdout


def _resource_version(printed: str) -> int | None:
    """The last resourceVersion profile_engine.py printed (`... rv 91233`)."""
    m = _RV.search(printed)
    return int(m.group(1)) if m else None


def engine_argv(tree: str, pods: int, nodes: int) -> list[str]:
    return [sys.executable, os.path.join(tree, "bench", "profile_engine.py"), "--pods", str(pods), "--nodes", str(nodes)]


def floor_argv(pods: int) -> list[str]:
    # The floor is this checkout's (the yardstick stays the same when --tree names another).
    code = f"import sys; sys.path.insert(0, {HERE!r}); import scale_deployment as s; s.floor_seconds({pods})"
    return [sys.executable, "-c", code]


def run(tree: str = os.path.dirname(HERE), small: int = 1000, large: int = 4000, nodes: int = 50) -> dict:
    """The counts at both sizes and the per-pod figures."""
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    tree = os.path.abspath(tree)
    # Byte-compiled first: otherwise each count includes compiling every module (~2.4 G
    # instructions) — the same at both sizes, but slow under valgrind.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", "engine", "bench"], cwd=tree,
                   check=True, stdout=subprocess.DEVNULL)
    jobs = {("engine", small): engine_argv(tree, small, nodes), ("engine", large): engine_argv(tree, large, nodes),
            ("floor", small): floor_argv(small), ("floor", large): floor_argv(large)}
    # Instructions do not depend on what else runs: use every core.
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = {k: pool.submit(count, argv, tree) for k, argv in jobs.items()}
        got = {k: f.result() for k, f in futures.items()}
    out: dict = {"tree": tree, "nodes": nodes, "small": small, "large": large}
    for what in ("engine", "floor"):
        i_small, i_large = got[(what, small)][0], got[(what, large)][0]
        out[what] = {"instructions": {str(small): i_small, str(large): i_large},
                     "per_pod": (i_large - i_small) / (large - small)}
    # The engine's last resourceVersion: the same in two trees means they did the same writes.
    # Every write moves it by one (creates, status writes, Events, deletes), so the pods' share
    # of the instructions over theirs of the writes is what a write costs.
    rv_small, rv_large = (_resource_version(got[("engine", n)][1]) for n in (small, large))
    out["engine"]["resource_version"] = {str(small): rv_small, str(large): rv_large}
    if rv_small is not None and rv_large is not None and rv_large > rv_small:
        i_small, i_large = got[("engine", small)][0], got[("engine", large)][0]
        out["engine"]["writes_per_pod"] = (rv_large - rv_small) / (large - small)
        out["engine"]["per_write"] = (i_large - i_small) / (rv_large - rv_small)
    out["ratio"] = out["engine"]["per_pod"] / out["floor"]["per_pod"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", default="1000,4000", help="the two sizes, small,large (default 1000,4000)")
    ap.add_argument("--nodes", type=int, default=50)
    ap.add_argument("--tree", default=os.path.dirname(HERE), help="the checkout whose engine is counted")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args()
    small, large = (int(x) for x in args.pods.split(","))
    if not 0 < small < large:
        raise SystemExit("--pods wants two sizes, the smaller first: e.g. 1000,4000")
    r = run(args.tree, small, large, args.nodes)
    if args.json:
        print(json.dumps(r, indent=2))
        return
    e, f = r["engine"], r["floor"]
    print(f"instructions (valgrind cachegrind, PYTHONHASHSEED=0), {small:,} -> {large:,} pods on {args.nodes} nodes, "
          f"tree {r['tree']}")
    print(f"  engine scale-up (profile_engine.py): {e['per_pod'] / 1e6:.4f} M a pod "
          f"({e['instructions'][str(small)] / 1e9:.2f} G and {e['instructions'][str(large)] / 1e9:.2f} G; "
          f"resourceVersion {e['resource_version'][str(small)]} and {e['resource_version'][str(large)]})")
    if "per_write" in e:
        print(f"  ... a write (resourceVersion)       : {e['per_write'] / 1e3:.0f} k, {e['writes_per_pod']:.2f} writes a pod")
    print(f"  floor (4 versions a pod, plain Python): {f['per_pod'] / 1e6:.4f} M a pod "
          f"({f['per_pod'] / 4e3:.0f} k a version)")
    print(f"  engine / floor                      : {r['ratio']:.2f}x (target 2 asks <= 2x, in time)")


if __name__ == "__main__":
    main()
