"""The README's two set-up commands on a fresh clone, side by side, in either order.

A learner runs the first (make .venv, install kubeplay, serve) and, in another terminal, the
second (scripts/test.sh). The test command used to reinstall into the same .venv under the running
server, whose page then answered 500 TemplateNotFound; now it has its own .venv-test. This test
takes both commands from the README's Set-up block, runs them in a `git clone` of this repository
at HEAD (commit first: uncommitted changes are not in the clone), and checks the served page —
its template, static files and the Examples the wheel carries — after the other command ran:

  A. serve first, then the test command's set-up (a fresh .venv-test) while it serves;
  B. the test command first (its .venv-test in place, no .venv yet), then the first command, and
     the test command once more while that serves.

The test command runs one tiny test (pytest arguments pass through), not the whole suite. pip
installs offline from a wheelhouse kept in the user's cache (~/.cache/kubeplay-tests/wheels),
filled from the package index the first time (the index answers slowly here: about 7 minutes
without it, about 1-2 with it); the fresh venvs and `pip install .` are real.
"""
from __future__ import annotations

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import time
import tomllib
import urllib.error
import urllib.request

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY_TEST = "tests/test_architecture.py::test_the_engine_does_not_import_the_web_layer"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def readme_setup_commands() -> tuple[str, str]:
    """The two commands of the README's Set-up block, without their trailing comments."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("## Set-up"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines() if line.strip()]
    assert len(lines) == 2, f"the README's Set-up block should hold two commands: {lines}"
    return lines[0], lines[1]


def wheelhouse() -> str:
    """A folder holding every wheel the two commands may install (build backend, dependencies,
    extras), downloaded once with `python3 -m pip download` and checked offline on later runs."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(cache, "kubeplay-tests", "wheels")
    with open(os.path.join(REPO, "pyproject.toml"), "rb") as f:
        cfg = tomllib.load(f)
    # Every extra, not just [test]: whatever scripts/test.sh may install must be here offline.
    reqs = cfg["build-system"]["requires"] + ["wheel"] + cfg["project"]["dependencies"]
    for extra in cfg["project"]["optional-dependencies"].values():
        reqs += extra
    base = ["python3", "-m", "pip", "download", "-q", "--disable-pip-version-check", "-d", folder]
    if subprocess.run(base + ["--no-index", "--find-links", folder] + reqs, capture_output=True,
                      timeout=300).returncode != 0:
        cp = subprocess.run(base + reqs, capture_output=True, text=True, timeout=1200)
        assert cp.returncode == 0, f"pip download failed:\n{cp.stdout[-3000:]}\n{cp.stderr[-3000:]}"
    return folder


def _env(home: str, wheels: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PYTEST") and k not in ("VIRTUAL_ENV", "PYTHONPATH", "KUBECONFIG", "PYTHONHOME")}
    # A learner's own terminal (serve writes ~/.kubeplay in HOME), pip offline from the wheelhouse.
    # No byte-compiling: the same install, for less CPU.
    env.update(HOME=home, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INDEX="1", PIP_FIND_LINKS=wheels,
               PIP_NO_COMPILE="1", NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    return env


class Serving:
    """The README's first command, running (install, then `kubeplay serve`) in its own session."""

    def __init__(self, command: str, cwd: str, env: dict, log_path: str):
        self.log_path = log_path
        # --no-browser: nobody is looking; --port 0: CI may run other servers on 8080.
        with open(log_path, "w") as log:
            self.proc = subprocess.Popen(["bash", "-c", f"{command} --no-browser --port 0"], cwd=cwd, env=env,
                                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)

    def log(self) -> str:
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def wait_url(self, timeout: float = 900) -> str:
        """The address from the banner, once the install is done and the server listens."""
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(r"kubeplay is running at (http://127\.0\.0\.1:\d+)/", self.log())
            if m:
                return m.group(1)
            if self.proc.poll() is not None:
                raise AssertionError(f"the first command exited {self.proc.returncode}:\n{self.log()[-6000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the first command did not start serving in {timeout}s:\n{self.log()[-6000:]}")
            time.sleep(0.5)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def _get(url: str) -> tuple[int, bytes]:
    try:
        with _OPENER.open(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _check_page(url: str, clone: str, when: str) -> None:
    status, body = _get(url + "/")
    assert status == 200 and b'id="examples"' in body, f"{when}: GET / answered {status}: {body[:600]!r}"
    for path in ("/static/js/main.js", "/static/js/examples.js", "/static/vendor/editor.js"):
        status, body = _get(url + path)
        assert status == 200 and body, f"{when}: GET {path} answered {status}: {body[:300]!r}"
    status, body = _get(url + "/kubeplay/v1/examples")
    assert status == 200, f"{when}: GET /kubeplay/v1/examples answered {status}: {body[:600]!r}"
    served = {e["file"]: e["yaml"] for e in json.loads(body)["examples"]}
    with open(os.path.join(clone, "examples", "login.yaml"), encoding="utf-8") as f:
        assert served["login.yaml"] == f.read(), f"{when}: the served seed is not examples/login.yaml"


def _run_tests(command: str, clone: str, env: dict, when: str) -> None:
    cp = subprocess.run(["bash", "-c", f"{command} {TINY_TEST}"], cwd=clone, env=env, capture_output=True,
                        text=True, timeout=900, stdin=subprocess.DEVNULL)
    assert cp.returncode == 0 and "1 passed" in cp.stdout, \
        f"{when}: `{command} {TINY_TEST}` exited {cp.returncode}\n{cp.stdout[-4000:]}\n{cp.stderr[-4000:]}"


@pytest.mark.timeout(2400)
def test_the_readme_set_up_commands_work_side_by_side_in_either_order(tmp_path):
    if subprocess.run(["git", "-C", REPO, "rev-parse", "--verify", "HEAD"], capture_output=True).returncode != 0:
        pytest.skip("not a git checkout: nothing to clone")
    serve_cmd, test_cmd = readme_setup_commands()
    assert serve_cmd.endswith("kubeplay serve") and test_cmd == "./scripts/test.sh", (serve_cmd, test_cmd)
    clone = str(tmp_path / "kubeplay")
    subprocess.run(["git", "clone", "--quiet", REPO, clone], check=True, capture_output=True, timeout=120)
    env = _env(str(tmp_path / "home"), wheelhouse())
    os.makedirs(env["HOME"])

    # A. Serve first; then the test command sets itself up (a fresh .venv-test) while it serves.
    first = Serving(serve_cmd, clone, env, str(tmp_path / "serve-a.log"))
    try:
        url = first.wait_url()
        assert glob.glob(os.path.join(clone, ".venv/lib/python*/site-packages/webapp/examples/login.yaml")), \
            "the wheel should carry the examples"
        assert _get(url + "/healthz") == (200, b"ok")
        _run_tests(test_cmd, clone, env, "serve, then the test command")
        _check_page(url, clone, "A: after the test command ran beside the server")
    finally:
        first.stop()
    assert "kubeplay stopped" in first.log(), first.log()[-3000:]

    # B. The test command first (as on a clone where it ran before anything was served), then the
    # first command from scratch, and the test command again while that serves.
    shutil.rmtree(os.path.join(clone, ".venv"))
    _run_tests(test_cmd, clone, env, "the test command, before any .venv")
    second = Serving(serve_cmd, clone, env, str(tmp_path / "serve-b.log"))
    try:
        url = second.wait_url()
        _check_page(url, clone, "B: served after the test command")
        _run_tests(test_cmd, clone, env, "B: the test command again while serving")
        _check_page(url, clone, "B: after the test command ran again beside the server")
    finally:
        second.stop()
