"""The engine's golden trace: bench/trace_engine.py runs a fixed scenario (scale-ups in small
and large time steps, Services, a rolling update, pull failures and crash loops, a failed and
recovered node, a StatefulSet, a DaemonSet, a namespace deletion) on a ManualClock with all
randomness pinned, and writes every watch event and controller decision. Its SHA-256 must be
the one in golden/engine_trace.json: a refactoring or a faster path changes nothing a client
can see. A change meant to change behaviour regenerates the file on purpose
(`.venv/bin/python bench/trace_engine.py --update-golden`) and says so in its commit."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "bench" / "trace_engine.py"
GOLDEN = Path(__file__).resolve().parent / "golden" / "engine_trace.json"


def _trace_module():
    spec = importlib.util.spec_from_file_location("trace_engine", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_engine_trace_is_byte_identical_to_the_golden_one(tmp_path):
    out = tmp_path / "trace.jsonl"
    # A subprocess: the scenario pins uids and randomness process-wide, and needs PYTHONHASHSEED=0.
    run = subprocess.run([sys.executable, str(SCRIPT), str(out)], cwd=REPO, capture_output=True, text=True,
                         env=dict(os.environ, PYTHONHASHSEED="0"), timeout=240)
    assert run.returncode == 0, run.stdout + run.stderr
    trace = _trace_module()
    golden = json.loads(GOLDEN.read_text())
    got = trace.digest(str(out))
    if got == golden["sha256"]:
        return
    summary = trace.summarize(str(out))
    diffs = []
    for section in ("events", "decisions"):
        want, have = golden["summary"][section], summary[section]
        for k in sorted(want.keys() | have.keys()):
            if want.get(k) != have.get(k):
                diffs.append(f"  {section}: {k}: golden {want.get(k, 0)}, now {have.get(k, 0)}")
    if golden["summary"]["lastResourceVersion"] != summary["lastResourceVersion"]:
        diffs.append(f"  last resourceVersion: golden {golden['summary']['lastResourceVersion']}, "
                     f"now {summary['lastResourceVersion']}")
    raise AssertionError(
        f"the engine trace changed (sha256 {got}, {out.stat().st_size} bytes; golden {golden['sha256']}, "
        f"{golden['bytes']} bytes).\n" + ("\n".join(diffs) or "  same counts: objects' contents or order differ")
        + f"\nThis run's trace: {out}. Compare with the previous commit's (bench/trace_engine.py there); "
        "if the change is intended, run `.venv/bin/python bench/trace_engine.py --update-golden`.")
