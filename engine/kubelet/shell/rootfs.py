"""A container instance's filesystem and environment, as the kubelet and the runtime make them:
the image's files (the image catalog, engine/data/images.json: data per distribution base and
each image's `filesystem`), the files the kubelet
manages (/etc/hosts, /etc/resolv.conf, /etc/hostname), the pod's mounted volumes, and the
environment (image ENV, HOSTNAME, the container's env/envFrom with the downward API, Service
links). Volumes are `Dir`s handed in by the caller, which decides how long each lives."""
from __future__ import annotations

import base64
import functools
import math
import posixpath
import re
from dataclasses import dataclass
from fractions import Fraction

from ... import image_catalog, quantity
from ..images import ImageRef
from .fs import Dir, File, FileSystem
from .interpreter import Flavour
from .resolver import tools as network_tools

CLUSTER_DNS = "10.96.0.10"
# What a pod finds in ca.crt of its service account volume (kube-root-ca.crt): the shape of the
# cluster's CA certificate; there is no TLS inside the playground to check it against.
CLUSTER_CA = ("-----BEGIN CERTIFICATE-----\n"
              "MIIDBTCCAe2gAwIBAgIIKubeplayMA0GCSqGSIb3DQEBCwUAMBUxEzARBgNVBAMTCmt1\n"
              "YmVybmV0ZXMwHhcNMjYwMTAxMDAwMDAwWhcNMzYwMTAxMDAwMDAwWjAVMRMwEQYDVQQD\n"
              "EwprdWJlcm5ldGVzMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAa3ViZXBs\n"
              "YXk=\n"
              "-----END CERTIFICATE-----\n")
CLUSTER_DOMAIN = "cluster.local"


@functools.lru_cache(maxsize=1)
def _catalog() -> dict:
    """The catalog's filesystem facts in the shape this module reads: bases, variants, and the
    images in catalog order with each one's `filesystem`, the fallback (`*`) last."""
    cat = image_catalog.data()
    images = [{"repository": e["repository"], **e["filesystem"]} for e in cat["images"] if "filesystem" in e]
    images.append({"repository": "*", **cat["fallback"]["filesystem"]})
    return {"bases": cat["bases"], "variants": cat["variants"], "images": images}


@dataclass(frozen=True)
class Profile:
    """What one image holds, for its shell: the distribution base merged with the image's own data."""
    base: str
    shells: dict          # shell name -> style ("ash", "dash", "bash")
    busybox: bool
    commands: frozenset
    dirs: tuple
    files: dict
    env: dict
    workdir: str
    command: tuple        # PID 1's command line(s) when the pod gives none

    def flavour(self, shell: str = "sh", *, home_prompt: str = "") -> Flavour:
        style = self.shells.get(shell, "ash")
        name = "bash" if style == "bash" and shell == "bash" else shell
        return Flavour(name=name, style=style, busybox=self.busybox, commands=self.commands)


@functools.lru_cache(maxsize=512)
def profile(ref: ImageRef) -> Profile:
    cat = _catalog()
    entry = next(e for e in cat["images"] if _matches(e["repository"], ref.repository))
    base_name = entry.get("base", "debian")
    for word, variant in cat["variants"].items():
        if word in re.split(r"[-.]", ref.tag or "") and base_name != "none":
            base_name = variant
    base = cat["bases"][base_name]
    version = entry.get("version", "")
    m = re.match(r"v?(\d+(?:\.\d+)*)", ref.tag or "")
    if m and version:
        version = m.group(1) + version[len(m.group(1)):] if version.startswith(m.group(1)) else m.group(1)
    env = dict(base.get("env", {}))
    env.update({k: v.replace("{version}", version) for k, v in entry.get("env", {}).items()})
    files = dict(base.get("files", {}))
    variant = base_name != entry.get("base", "debian")
    for path, text in entry.get("files", {}).items():
        # an -alpine variant keeps the image's own files, not its Debian user database
        if not (variant and path in ("/etc/passwd", "/etc/group")):
            files[path] = text
    commands = set(base.get("commands", ()))
    shells = dict(entry.get("shells") or base.get("shells", {}))
    commands.update(shells)
    commands.update(network_tools(base_name, ref.repository)[0])
    return Profile(base_name, shells, bool(base.get("busybox")), frozenset(commands),
                   tuple(base.get("dirs", ())) + tuple(entry.get("dirs", ())), files, env,
                   entry.get("workdir", "/"), tuple(entry.get("command", ())))


def _matches(pattern: str, repository: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith("/*"):
        return repository.startswith(pattern[:-1])
    return pattern == repository


# ---- the filesystem --------------------------------------------------------------------------------

def build_fs(prof: Profile, *, pod: dict, pod_ip: str, now: float, clock) -> FileSystem:
    fs = FileSystem(clock)
    for d in ("/tmp",) + prof.dirs:
        fs.mkdir(d, parents=True)
    for path, text in prof.files.items():
        fs.mkdir(posixpath.dirname(path), parents=True)
        fs.write(path, text.encode(), mode=0o755 if path.endswith(".sh") else 0o644)
    if prof.workdir:
        fs.mkdir(prof.workdir, parents=True)
    fs.root.entries["tmp"].mode = 0o1777
    fs.mkdir("/etc", parents=True)
    fs.write("/etc/hosts", hosts_file(pod, pod_ip).encode())
    fs.write("/etc/resolv.conf", resolv_conf(pod).encode())
    fs.write("/etc/hostname", (hostname_of(pod) + "\n").encode())
    for _, node in fs.walk("/"):
        node.mtime = node.mtime or now
    return fs


def hostname_of(pod: dict) -> str:
    spec = pod.get("spec") or {}
    return spec.get("hostname") or (pod.get("metadata") or {}).get("name", "")


def hosts_file(pod: dict, pod_ip: str) -> str:
    """The kubelet's managed /etc/hosts (k/k pkg/kubelet/kubelet_pods.go managedHostsFileContent)."""
    spec, md = pod.get("spec") or {}, pod.get("metadata") or {}
    lines = ["# Kubernetes-managed hosts file.", "127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback",
             "fe00::0\tip6-localnet", "fe00::0\tip6-mcastprefix", "fe00::1\tip6-allnodes", "fe00::2\tip6-allrouters"]
    host = hostname_of(pod)
    if spec.get("subdomain"):
        fqdn = f"{host}.{spec['subdomain']}.{md.get('namespace', 'default')}.svc.{CLUSTER_DOMAIN}"
        lines.append(f"{pod_ip}\t{fqdn}\t{host}")
    elif pod_ip:
        lines.append(f"{pod_ip}\t{host}")
    aliases = spec.get("hostAliases") or []
    if aliases:
        lines.append("")
        lines.append("# Entries added by HostAliases.")
        for a in aliases:
            lines.append(f"{a.get('ip', '')}\t" + "\t".join(a.get("hostnames") or []))
    return "\n".join(lines) + "\n"


def resolv_conf(pod: dict) -> str:
    spec, md = pod.get("spec") or {}, pod.get("metadata") or {}
    ns = md.get("namespace", "default")
    policy = spec.get("dnsPolicy") or "ClusterFirst"
    cfg = spec.get("dnsConfig") or {}
    if policy == "None":
        servers, searches = list(cfg.get("nameservers") or []), list(cfg.get("searches") or [])
        options = [o.get("name") + (f":{o['value']}" if o.get("value") else "") for o in cfg.get("options") or []]
    elif policy == "Default" or (policy == "ClusterFirst" and spec.get("hostNetwork")):
        servers, searches, options = ["10.0.0.2"], [], []
        servers += cfg.get("nameservers") or []
    else:
        servers = [CLUSTER_DNS] + list(cfg.get("nameservers") or [])
        searches = [f"{ns}.svc.{CLUSTER_DOMAIN}", f"svc.{CLUSTER_DOMAIN}", CLUSTER_DOMAIN] + list(cfg.get("searches") or [])
        options = ["ndots:5"] + [o.get("name") + (f":{o['value']}" if o.get("value") else "") for o in cfg.get("options") or []]
    out = []
    if searches:
        out.append("search " + " ".join(searches))
    out.extend(f"nameserver {s}" for s in servers)
    if options:
        out.append("options " + " ".join(options))
    return "\n".join(out) + "\n"


# ---- volumes ---------------------------------------------------------------------------------------

def data_dir(items: dict[str, bytes], mapping: list | None, now: float) -> Dir:
    """A ConfigMap/Secret volume: one file per key (or per `items` entry), read-only."""
    root = Dir(mtime=now)
    chosen = [(i.get("key"), i.get("path")) for i in mapping] if mapping else [(k, k) for k in sorted(items)]
    for key, path in chosen:
        if key not in items or not path:
            continue
        node = root
        parts = [p for p in path.split("/") if p]
        for part in parts[:-1]:
            node = node.entries.setdefault(part, Dir(mtime=now, readonly=True))
        node.entries[parts[-1]] = File(items[key], 0o644, now)
    root.readonly = True
    return root


def configmap_items(cm: dict | None) -> dict[str, bytes]:
    if cm is None:
        return {}
    out = {k: str(v).encode() for k, v in (cm.get("data") or {}).items()}
    for k, v in (cm.get("binaryData") or {}).items():
        try:
            out[k] = base64.b64decode(v)
        except ValueError:
            pass
    return out


def secret_items(secret: dict | None) -> dict[str, bytes]:
    if secret is None:
        return {}
    out = {}
    for k, v in (secret.get("data") or {}).items():
        try:
            out[k] = base64.b64decode(v)
        except ValueError:
            pass
    for k, v in (secret.get("stringData") or {}).items():
        out[k] = str(v).encode()
    return out


# ---- the environment -------------------------------------------------------------------------------

def field_value(pod: dict, path: str, host_ip: str) -> str:
    md, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    m = re.fullmatch(r"metadata\.(labels|annotations)\['(.*)'\]", path)
    if m:
        return str((md.get(m.group(1)) or {}).get(m.group(2), ""))
    if path in ("metadata.labels", "metadata.annotations"):
        return "\n".join(f'{k}="{v}"' for k, v in sorted((md.get(path.split(".")[1]) or {}).items()))
    simple = {"metadata.name": md.get("name"), "metadata.namespace": md.get("namespace"),
              "metadata.uid": md.get("uid"), "spec.nodeName": spec.get("nodeName"),
              "spec.serviceAccountName": spec.get("serviceAccountName") or "default",
              "status.hostIP": host_ip or status.get("hostIP"), "status.podIP": status.get("podIP"),
              "status.podIPs": ",".join(p.get("ip", "") for p in status.get("podIPs") or []) or status.get("podIP"),
              "status.hostIPs": host_ip or status.get("hostIP")}
    return str(simple.get(path) or "")


def resource_value(container: dict, ref: dict, node_allocatable: dict) -> str:
    """resourceFieldRef as the kubelet computes it: the limit (or the node's allocatable when
    there is none) divided by the divisor, rounded up."""
    res = ref.get("resource", "")
    kind, _, name = res.partition(".")
    resources = container.get("resources") or {}
    value = (resources.get(kind) or {}).get(name)
    if value is None and kind == "limits":
        value = node_allocatable.get(name)
    if value is None and kind == "requests":
        value = "0"
    try:
        amount = quantity.parse_quantity(str(value))
        divisor = quantity.parse_quantity(str(ref.get("divisor") or "1"))
    except (ValueError, quantity.QuantityError):
        return "0"
    if divisor == 0:
        return "0"
    return str(math.ceil(Fraction(amount) / Fraction(divisor)))


_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


def expand_refs(value: str, env: dict) -> str:
    """`$(VAR)` in an env value or command: the earlier variable, `$$` a literal `$`."""
    def sub(m):
        if m.group(0) == "$$":
            return "$"
        return env.get(m.group(1), m.group(0))
    return _REF.sub(sub, value)


def service_env(services: list[dict]) -> dict:
    """The docker-links-style variables for each Service (k/k pkg/kubelet/envvars)."""
    out: dict[str, str] = {}
    for svc in sorted(services, key=lambda s: (s.get("metadata") or {}).get("name", "")):
        spec = svc.get("spec") or {}
        ip = spec.get("clusterIP")
        if not ip or ip == "None":
            continue
        name = (svc.get("metadata") or {}).get("name", "").upper().replace("-", "_")
        ports = spec.get("ports") or []
        if not ports:
            continue
        out[f"{name}_SERVICE_HOST"] = ip
        out[f"{name}_SERVICE_PORT"] = str(ports[0].get("port"))
        for p in ports:
            if p.get("name"):
                out[f"{name}_SERVICE_PORT_{p['name'].upper().replace('-', '_')}"] = str(p.get("port"))
        first = ports[0]
        proto = (first.get("protocol") or "TCP").lower()
        out[f"{name}_PORT"] = f"{proto}://{ip}:{first.get('port')}"
        for p in ports:
            proto = p.get("protocol") or "TCP"
            prefix = f"{name}_PORT_{p.get('port')}_{proto}"
            out[prefix] = f"{proto.lower()}://{ip}:{p.get('port')}"
            out[prefix + "_PROTO"] = proto.lower()
            out[prefix + "_PORT"] = str(p.get("port"))
            out[prefix + "_ADDR"] = ip
    return out
