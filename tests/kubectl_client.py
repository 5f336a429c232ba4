"""kubectl plus polling helpers for the tests that drive the real kubectl against a real kubeplay
server. A module of its own, not the kubectl tests' conftest, so a test module can import `Kube`
whatever other conftest is on the command line (a bare `from conftest import` picks whichever
conftest pytest loaded first)."""
from __future__ import annotations

import json
import re
from pathlib import Path

TESTDATA = Path(__file__).resolve().parent / "kubectl" / "testdata"

# Deployment pods: <deployment>-<pod-template-hash>-<5 random chars>. The hash is SafeEncodeString
# of a decimal FNV-32a ("0→4 … 9→f"), the suffix comes from k8s' rand alphabet.
HASH = r"[bcdf4-9]{1,10}"
SUFFIX = r"[bcdfghjklmnpqrstvwxz2456789]{5}"
AGE = r"(<unknown>|<invalid>|\d+[smhdy](\d+[smhd])?)"


def pod_name_re(deployment: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(deployment)}-{HASH}-{SUFFIX}$")


def parse_table(text: str) -> tuple[list[str], list[dict]]:
    """Split kubectl's tab-aligned output into its header and rows (dicts keyed by header).

    Columns are found from the header's start offsets (names may hold one space, e.g. LAST SEEN),
    so cells with spaces in the last column (MESSAGE) stay whole."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return [], []
    header = lines[0]
    cols = [(m.start(), m.group(0)) for m in re.finditer(r"\S+(?: \S+)*", header)]
    names = [c[1] for c in cols]
    rows = []
    for ln in lines[1:]:
        row = {}
        for i, (start, name) in enumerate(cols):
            end = cols[i + 1][0] if i + 1 < len(cols) else None
            row[name] = ln[start:end].strip()
        rows.append(row)
    return names, rows


def is_live(obj: dict) -> bool:
    return not obj["metadata"].get("deletionTimestamp")


def is_running_ready(pod: dict) -> bool:
    st = pod.get("status") or {}
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in st.get("conditions") or [])
    return st.get("phase") == "Running" and ready and is_live(pod)


class Kube:
    """kubectl plus polling helpers for one server and one namespace (the kubeconfig's: `default`
    for a server of its own, the test's own for a shared one)."""

    HASH, SUFFIX, AGE = HASH, SUFFIX, AGE
    pod_name_re = staticmethod(pod_name_re)
    parse_table = staticmethod(parse_table)
    is_live = staticmethod(is_live)
    is_running_ready = staticmethod(is_running_ready)

    def __init__(self, server, namespace: str = "default", version: str = "1.32"):
        self.server, self.ns, self.version = server, namespace, version

    @property
    def new(self) -> bool:
        """kubectl 1.35+ (streaming lists; `deleted from <ns> namespace`)."""
        return self.version != "1.32"

    def deleted(self, what: str) -> str:
        """What `kubectl delete` prints for `what` (e.g. `pod "x"`), by kubectl version."""
        return f"{what} deleted from {self.ns} namespace\n" if self.new else f"{what} deleted\n"

    def __call__(self, *args, **kw):
        return self.server.kubectl(*args, **kw)

    def kubectl(self, *args, **kw):
        return self.server.kubectl(*args, **kw)

    @staticmethod
    def file(name: str) -> str:
        return str(TESTDATA / name)

    def pods(self, selector: str | None = None, namespace: str | None = None) -> list[dict]:
        q = f"?labelSelector={selector}" if selector else ""
        return self.server.get_json(f"/api/v1/namespaces/{namespace or self.ns}/pods{q}")["items"]

    def pod(self, name: str) -> dict:
        return self.server.get_json(f"/api/v1/namespaces/{self.ns}/pods/{name}")

    def deployment(self, name: str, namespace: str | None = None) -> dict:
        return self.server.get_json(f"/apis/apps/v1/namespaces/{namespace or self.ns}/deployments/{name}")

    def wait_running(self, selector: str, n: int, timeout: float = 30, namespace: str | None = None) -> list[str]:
        """Wait until exactly `n` live pods match and all are Running and Ready; return their names."""
        def check():
            pods = [p for p in self.pods(selector, namespace) if is_live(p)]
            phases = sorted(f"{p['metadata']['name']}={(p.get('status') or {}).get('phase')}" for p in pods)
            assert len(pods) == n and all(is_running_ready(p) for p in pods), \
                f"want {n} Running+Ready pods for {selector}, have {phases}"
            return sorted(p["metadata"]["name"] for p in pods)
        return self.server.wait_until(check, timeout, message=f"{n} Running pods with {selector}")

    def wait_rolled_out(self, name: str, timeout: float = 30) -> dict:
        """Wait for the Deployment controller to report the rollout complete (as rollout status judges it)."""
        def check():
            d = self.deployment(name)
            spec, st = d["spec"], d.get("status") or {}
            want = spec.get("replicas", 1)
            ok = (st.get("observedGeneration", 0) >= d["metadata"]["generation"]
                  and st.get("updatedReplicas", 0) == want and st.get("replicas", 0) == want
                  and st.get("availableReplicas", 0) == want)
            assert ok, f"deployment {name} status {json.dumps(st)} (generation {d['metadata']['generation']})"
            return d
        return self.server.wait_until(check, timeout, message=f"deployment {name} rolled out")

    def table(self, *args) -> tuple[list[str], list[dict]]:
        return parse_table(self.kubectl(*args).stdout)
