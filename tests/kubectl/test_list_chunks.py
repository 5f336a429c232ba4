"""kubectl lists in chunks (`--chunk-size`, 500 by default) and follows `metadata.continue`
(webapp/api/paging.py): with a chunk of 2 it asks four times for seven ConfigMaps and prints them
all, in order, under one header — with both kubectl versions."""
from __future__ import annotations

import re


def test_get_follows_continue_tokens_chunk_by_chunk(kube_ns):
    kube = kube_ns
    for i in range(7):
        kube("create", "configmap", f"cm{i}", f"--from-literal=i={i}")
    out = kube("get", "configmaps", "--chunk-size=2", "-v=6")
    requests = [line for line in out.stderr.splitlines() if "/configmaps?" in line and "GET" in line]
    assert len(requests) == 4 and all("limit=2" in line for line in requests), out.stderr
    assert sum("continue=" in line for line in requests) == 3
    rows = out.stdout.splitlines()
    assert re.match(r"NAME\s+DATA\s+AGE$", rows[0]) and len([r for r in rows if r.startswith("NAME")]) == 1
    names = [r.split()[0] for r in rows[1:]]
    assert names == [f"cm{i}" for i in range(7)] + ["kube-root-ca.crt"]        # key (name) order
    assert kube("get", "configmaps", "--chunk-size=3", "-o", "name").stdout.splitlines() == \
        [f"configmap/{n}" for n in names]
