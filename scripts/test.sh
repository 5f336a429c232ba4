#!/usr/bin/env bash
# Installs everything the tests need (Debian's Chromium, a venv with the test extras) and runs
# every test: engine, API, real kubectl, and Playwright in real Chromium. Safe to re-run.
# Arguments go to pytest: `./scripts/test.sh tests/engine -k deployment` runs just those.
#
# The tests get their own venv, .venv-test, with an editable install. The README's first command
# installs kubeplay into .venv and serves from it; installing into that same venv here would swap
# the package under the running server (its page then answers 500 TemplateNotFound). With two
# venvs the two commands can run side by side, in either order.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-test
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
  else
    sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
  fi
fi
# (pip checked too: a venv whose creation was interrupted has python but no pip)
[ -x "$VENV/bin/pip" ] || python3 -m venv --clear "$VENV"
# An editable install picks up code changes by itself; reinstall only when what pip reads
# (pyproject.toml) or where the checkout lives has changed since the last install.
stamp="$VENV/.kubeplay-installed"
want="$(pwd) $(cksum < pyproject.toml)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$VENV/bin/pip" install -q --disable-pip-version-check -e '.[test]'
  echo "$want" > "$stamp"
fi
# The suite starts hundreds of Python processes (a server per test, the CLI): byte-compile the
# project once so each reads its modules' bytecode instead of compiling them again (~0.4 s of
# CPU a process where PYTHONDONTWRITEBYTECODE is set, as on this project's machines).
"$VENV/bin/python" -m compileall -q -j 0 engine webapp tests bench tools >/dev/null
# Two workers per core, at most 8 (KUBEPLAY_TEST_WORKERS to change it; 0 runs in this process):
# most of a test's time is spent waiting for a simulated cluster or a kubectl, so on 2 cores 4
# workers finish the suite in ~8.7 min against ~10.5 with 2 (bench/README.md, "The test suite").
# A test module's tests stay together on one worker (--dist loadscope), so a module's shared
# server starts once. Each test already has its own server, ports, kubeconfig and HOME.
cores="$(nproc)"
workers="${KUBEPLAY_TEST_WORKERS:-$(( cores * 2 > 8 ? 8 : cores * 2 ))}"
if [ "$workers" = 0 ]; then
  exec "$VENV/bin/python" -m pytest -q "$@"
fi
# --durations: the slowest tests are named in every run's output, so a slowdown shows where it is.
# --no-loadscope-reorder: modules go out in the order tests/conftest.py sorts them, longest first.
exec "$VENV/bin/python" -m pytest -q -n "$workers" --dist loadscope --no-loadscope-reorder --durations=15 "$@"
