"""Benchmark: how long the API takes to answer where a slow answer would be a bug in disguise.

The tests in tests/api check that each of these answers correctly (and bound the wait with a
socket timeout so a hang fails); the wall-clock figures live here, where a loaded machine cannot
make the suite flaky. Each row prints the time taken and the budget the tests used to assert:

- a watch with nothing to report sends its headers at once (kubectl's --request-timeout and
  client-go's retries start from them);
- a watch from a resourceVersion far in the future answers 504 "Too large resource version"
  after a short wait, not never;
- a watch with timeoutSeconds=1 ends;
- a YAML alias bomb (9⁹ nodes if expanded) is refused before it is expanded, through the API
  and through the page's YAML parser;
- a client that stalls mid-body does not hold up others;
- 2 MB protobuf bodies built to be slow (a million empty list elements, 180,000 ten-byte
  varints) decode in linear time.

Starts `kubeplay serve --in-memory` in a subprocess. Prints figures; exits 1 with --strict if
a budget is exceeded.

    .venv/bin/python bench/api_latency.py [--strict]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from typing import Callable

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from webapp.api.protobuf import decode  # noqa: E402  (after the path is set)
from webapp.kubectl.yamlapply import Refusal, parse_documents  # noqa: E402

YAML_BOMB = b"""apiVersion: v1
kind: ConfigMap
metadata:
  name: bomb
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
data:
  k: *i
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if not n:
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)


def _f(num: int, value) -> bytes:
    if isinstance(value, int):
        return _varint(num << 3) + _varint(value)
    if isinstance(value, str):
        value = value.encode()
    return _varint(num << 3 | 2) + _varint(len(value)) + value


def _pb_body(api_version: str, kind: str, raw: bytes) -> bytes:
    return b"k8s\x00" + _f(1, _f(1, api_version) + _f(2, kind)) + _f(2, raw)


class Server:
    def __init__(self) -> None:
        self.port = free_port()
        self.tmp = tempfile.mkdtemp(prefix="kubeplay-bench-")
        self.log = open(os.path.join(self.tmp, "server.log"), "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "webapp", "serve", "--port", str(self.port), "--no-browser", "--in-memory"],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=REPO, env=dict(os.environ, HOME=self.tmp))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("the server did not come up (see " + self.log.name + ")")

    def conn(self, timeout: float = 30) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def get(self, path: str) -> tuple[int, bytes]:
        c = self.conn()
        try:
            c.request("GET", path)
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


def timed(fn: Callable[[], object]) -> float:
    started = time.monotonic()
    fn()
    return time.monotonic() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--strict", action="store_true", help="exit 1 if a figure is over its budget")
    args = ap.parse_args()
    srv = Server()
    rows: list[tuple[str, float, float]] = []
    try:
        rv = json.loads(srv.get("/api/v1/namespaces/default/configmaps")[1])["metadata"]["resourceVersion"]

        def watch_headers():
            c = srv.conn()
            c.request("GET", f"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={rv}")
            assert c.getresponse().status == 200
            c.close()
        rows.append(("watch: headers before the first event", timed(watch_headers), 2.0))

        def future_rv():
            c = srv.conn()
            c.request("GET", f"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={int(rv) + 100_000}")
            r = c.getresponse()
            r.read()
            assert r.status == 504, r.status
            c.close()
        rows.append(("watch: future resourceVersion → 504", timed(future_rv), 6.0))

        def watch_timeout():
            c = srv.conn()
            c.request("GET", "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1")
            r = c.getresponse()
            r.read()                        # until the server ends the stream
            c.close()
        rows.append(("watch: timeoutSeconds=1 ends", timed(watch_timeout), 5.0))

        def bomb():
            c = srv.conn()
            c.request("POST", "/api/v1/namespaces/default/configmaps", YAML_BOMB,
                      {"Content-Type": "application/yaml"})
            r = c.getresponse()
            r.read()
            assert 400 <= r.status < 500, r.status
            c.close()
        rows.append(("API: YAML alias bomb refused", timed(bomb), 5.0))

        stalled = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        try:
            stalled.sendall(b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\n"
                            b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
            rows.append(("API: answers while a client stalls mid-body",
                         timed(lambda: srv.get("/api/v1/namespaces")), 2.0))
        finally:
            stalled.close()
    finally:
        srv.close()

    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")

    def page_bomb():
        try:
            parse_documents("\n".join(lines) + "\n")
        except Refusal:
            return
        raise AssertionError("the alias bomb was accepted")
    rows.append(("page YAML parser: alias bomb refused", timed(page_bomb), 2.0))

    many_containers = _pb_body("v1", "Pod", _f(2, b"\x12\x00" * 1_000_000))
    many_groups = _pb_body("v1", "Pod", _f(2, _f(14, (b"\x20" + _varint(-1)) * 180_000)))
    rows.append(("protobuf: 2 MB hostile bodies decoded",
                 timed(lambda: (decode(many_containers), decode(many_groups))), 30.0))

    over = False
    for name, seconds, budget in rows:
        flag = "ok" if seconds < budget else "OVER"
        over = over or flag == "OVER"
        print(f"{name:48s} {seconds:8.3f} s   (budget {budget:g} s)  {flag}")
    if args.strict and over:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
