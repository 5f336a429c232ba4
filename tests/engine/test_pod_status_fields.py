"""A pod status write's managedFields worked out once for the pods written alike
(engine/pod_status_fields.py) come out exactly as the full path (managedfields.record_update)
makes them: every pod version pair of a real scale-up with crash loops and a failed node, each
written twice (the second takes what the first remembered), and the cases the guards send to
the full path."""
import json

from engine import managedfields, objects, pod_status_fields, resources as kinds
from scaleup_writes import modified_pairs

NOW = "2026-01-01T00:01:00Z"


def _pod_pairs():
    return [(old, new) for _rt, old, new in modified_pairs((kinds.POD,))]


def _without_fields(pod: dict, old: dict) -> dict:
    """`pod` as a status write hands it to managedFields: none of its own, the stored version's
    resourceVersion (the write's new one is set after)."""
    out = dict(pod)
    out["metadata"] = {k: v for k, v in pod["metadata"].items() if k != "managedFields"}
    if "resourceVersion" in old["metadata"]:
        out["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
    return out


def _full(old, new, manager="kubelet"):
    new = _without_fields(new, old)
    managedfields.record_update(kinds.POD, old, new, manager, NOW, subresource="status", shared=True)
    return new["metadata"].get("managedFields")


def _fast(old, new, manager="kubelet"):
    new = _without_fields(new, old)
    if not pod_status_fields.record_update(old, new, manager, NOW):
        return None, False
    return new["metadata"].get("managedFields"), True


def _same(got, want):
    assert got == want
    assert json.dumps(got) == json.dumps(want)          # the same key order on the wire


def test_every_pod_status_write_of_a_scale_up_equals_the_full_path():
    pairs = _pod_pairs()
    handled = 0
    for old, new in pairs:
        for manager in ("kubelet", "kube-controller-manager"):
            want = _full(old, new, manager)
            for _ in range(2):
                got, took = _fast(old, new, manager)
                if took:
                    handled += 1
                    _same(got, want)
    # status writes are most of a pod's writes after its binding: the fast path took them
    assert handled > len(pairs)


def _pod(name: str, ips: list[str] | None, entries: list | None = None, **status) -> dict:
    st = {"phase": "Pending", **status}
    if ips is not None:
        st["podIPs"] = [{"ip": ip} for ip in ips]
    md = {"name": name, "namespace": "default", "uid": name + "-uid", "resourceVersion": "7"}
    if entries is not None:
        md["managedFields"] = entries
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": {"containers": [{"name": "app"}]},
            "status": st}


CREATED = [{"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
            "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1",
            "fieldsV1": {"f:spec": {"f:containers": {'k:{"name":"app"}': {".": {}, "f:name": {}}}}}}]


def test_pods_written_alike_share_the_work_and_get_their_own_ips():
    # dual-stack, in an order where the placeholders sort otherwise than the real IPs
    for ips in (["10.244.1.5"], ["10.244.1.6", "fd00::6"], ["fd00::7", "10.244.1.7"]):
        old = _pod("p" + ips[0], None, CREATED)
        new = _pod("p" + ips[0], ips, podIP=ips[0], hostIP="172.18.0.2")
        got, took = _fast(old, new)
        assert took
        _same(got, _full(old, new))
        keys = set(got[-1]["fieldsV1"]["f:status"]["f:podIPs"])
        assert keys == {"."} | {'k:{"ip":"%s"}' % ip for ip in ips}
        # and the pod's next status write, its sets holding its IPs, by the template
        stored = dict(new, metadata=dict(new["metadata"], managedFields=got))
        later = _pod("p" + ips[0], ips, podIP=ips[0], hostIP="172.18.0.2")
        later["status"]["phase"] = "Running"
        got2, took2 = _fast(stored, later)
        assert took2
        _same(got2, _full(stored, later))


def test_writes_the_shortcut_cannot_describe_take_the_full_path():
    owned = objects.clone(CREATED)
    owned[0]["fieldsV1"]["f:status"] = {"f:podIPs": {".": {}, 'k:{"ip":"10.9.9.9"}': {".": {}, "f:ip": {}}}}
    cases = [
        (_pod("a", ["10.0.0.1"], CREATED), _pod("a", ["10.0.0.2"])),           # podIPs changed
        (_pod("b", ["10.0.0.1"], CREATED), _pod("b", None)),                   # podIPs gone
        (_pod("c", None, owned), _pod("c", ["10.0.0.3"])),                     # someone owns old IPs
        (_pod("d", None, CREATED), _pod("d", ["10.0.0.4", "10.0.0.4"])),       # a repeated IP
        (_pod("e", None, CREATED), dict(_pod("e", ["10.0.0.5"]), extra={})),   # another top-level field
        (_pod("f", None, []), _pod("f", ["10.0.0.6"])),                        # untracked object
    ]
    meta_changed = _pod("g", ["10.0.0.7"])
    meta_changed["metadata"]["labels"] = {"a": "b"}
    cases.append((_pod("g", None, CREATED), meta_changed))
    odd_item = _pod("h", None)
    odd_item["status"]["podIPs"] = [{"ip": "10.0.0.8", "extra": "x"}]
    cases.append((_pod("h", None, CREATED), odd_item))
    for old, new in cases:
        got, took = _fast(old, new)
        assert not took, new["metadata"]["name"]
        assert got is None
