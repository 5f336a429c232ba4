"""`kubeplay import --kubeconfig FILE`: a copy of a real cluster's workloads and nodes, written
into the running playground — to try a drain, a rollout or a node failure on the copy first.

Reading: the official `kubernetes` client, with its own kubeconfig loading (client certificates,
bearer tokens, exec credential plugins, proxies), lists the cluster's Deployments, StatefulSets,
DaemonSets, ReplicaSets, Jobs, CronJobs, Pods, Services, ConfigMaps, Secrets (sent only with
--include-secrets), PersistentVolumeClaims, PodDisruptionBudgets, HorizontalPodAutoscalers and
Namespaces, and its Nodes. engine/portable.py keeps what users made (a Deployment, not its
ReplicaSets and Pods; not kube-system) and cleans it as `kubeplay export` does.

Writing: the copy goes to the running playground (webapp/playground_client.py) as one
POST /kubeplay/v1/import (webapp/page/importing.py), which checks all of it before changing
anything and replaces the playground's nodes with copies of the real ones (name, cpu, memory,
pods, labels, taints). A refusal, an unreachable cluster, or a 401/403 from its apiserver is one
line on stderr with the apiserver's own text, and exit code 1."""
from __future__ import annotations

import json
import sys
from collections import Counter

from .playground_client import Playground, PlaygroundError

# (API class, all-namespaces list method, per-namespace list method) for what is read.
_NAMESPACED = (
    ("AppsV1Api", "list_deployment_for_all_namespaces", "list_namespaced_deployment"),
    ("AppsV1Api", "list_stateful_set_for_all_namespaces", "list_namespaced_stateful_set"),
    ("AppsV1Api", "list_daemon_set_for_all_namespaces", "list_namespaced_daemon_set"),
    # read so that their Pods are known as theirs; a Deployment's own ReplicaSets stay behind
    ("AppsV1Api", "list_replica_set_for_all_namespaces", "list_namespaced_replica_set"),
    ("BatchV1Api", "list_job_for_all_namespaces", "list_namespaced_job"),
    ("BatchV1Api", "list_cron_job_for_all_namespaces", "list_namespaced_cron_job"),
    ("CoreV1Api", "list_pod_for_all_namespaces", "list_namespaced_pod"),
    ("CoreV1Api", "list_service_for_all_namespaces", "list_namespaced_service"),
    ("CoreV1Api", "list_config_map_for_all_namespaces", "list_namespaced_config_map"),
    ("CoreV1Api", "list_persistent_volume_claim_for_all_namespaces", "list_namespaced_persistent_volume_claim"),
    ("PolicyV1Api", "list_pod_disruption_budget_for_all_namespaces", "list_namespaced_pod_disruption_budget"),
    ("AutoscalingV2Api", "list_horizontal_pod_autoscaler_for_all_namespaces",
     "list_namespaced_horizontal_pod_autoscaler"),
)
_SECRETS = ("CoreV1Api", "list_secret_for_all_namespaces", "list_namespaced_secret")
# What each list's items are (a list's items carry no apiVersion/kind of their own).
_ITEM_KINDS = {"DeploymentList": "Deployment", "StatefulSetList": "StatefulSet", "DaemonSetList": "DaemonSet",
               "ReplicaSetList": "ReplicaSet", "JobList": "Job", "CronJobList": "CronJob", "PodList": "Pod",
               "ServiceList": "Service", "ConfigMapList": "ConfigMap", "SecretList": "Secret",
               "PersistentVolumeClaimList": "PersistentVolumeClaim", "NamespaceList": "Namespace",
               "PodDisruptionBudgetList": "PodDisruptionBudget", "NodeList": "Node",
               "HorizontalPodAutoscalerList": "HorizontalPodAutoscaler"}
PAGE = 500


class ClusterError(Exception):
    """The real cluster could not be read: one line for the user."""


def _load(kubeconfig: str, context: str | None):
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException
    configuration = client.Configuration()
    try:
        config.load_kube_config(config_file=kubeconfig, context=context, client_configuration=configuration,
                                persist_config=False)
    except ConfigException as e:
        raise ClusterError(f"cannot use kubeconfig {kubeconfig}: {e}")
    except OSError as e:
        raise ClusterError(f"cannot read kubeconfig {kubeconfig}: {e.strerror or e}")
    configuration.retries = 0             # an unreachable cluster fails at once, not after retries
    return client, client.ApiClient(configuration), configuration.host


def _call(client, host: str, api, method: str, *args) -> list[dict]:
    """Every item of one list (pages of PAGE, following `continue`), with apiVersion and kind."""
    from kubernetes.client.rest import ApiException
    from urllib3.exceptions import HTTPError
    items: list[dict] = []
    token = None
    while True:
        kw = {"limit": PAGE, "_preload_content": False, "_request_timeout": 30}
        if token:
            kw["_continue"] = token
        try:
            raw = getattr(api, method)(*args, **kw)
            body = json.loads(raw.data)
        except ApiException as e:
            raise ClusterError(_refusal(host, e))
        except (HTTPError, OSError) as e:
            raise ClusterError(f"cannot reach the cluster at {host}: {_reason(e)}")
        except ValueError:
            raise ClusterError(f"the cluster at {host} answered {method} with something that is not JSON")
        kind = _ITEM_KINDS.get(body.get("kind", ""), body.get("kind", "").removesuffix("List"))
        for item in body.get("items") or ():
            item.setdefault("apiVersion", body.get("apiVersion"))
            item.setdefault("kind", kind)
            items.append(item)
        token = (body.get("metadata") or {}).get("continue")
        if not token:
            return items


def _refusal(host: str, e) -> str:
    """The apiserver's own text for a refusal (its Status message), with the code."""
    try:
        message = json.loads(e.body)["message"]
    except (ValueError, KeyError, TypeError):
        message = (e.body.decode(errors="replace") if isinstance(e.body, bytes) else str(e.body or "")).strip()
    return f"the cluster at {host} refused: {message or e.reason} ({e.status} {e.reason})"


def _reason(e) -> str:
    reason = getattr(e, "reason", None)
    return str(reason or e)


def read_cluster(kubeconfig: str, context: str | None, namespaces: list[str], include_secrets: bool,
                 with_nodes: bool) -> tuple[list[dict], list[dict] | None, str, list[str]]:
    """(objects, nodes or None, the cluster's address, warnings)."""
    client, api_client, host = _load(kubeconfig, context)
    warnings: list[str] = []
    try:
        apis = {name: getattr(client, name)(api_client) for name in ("CoreV1Api", "AppsV1Api", "BatchV1Api",
                                                                      "PolicyV1Api", "AutoscalingV2Api")}
        lists = list(_NAMESPACED) + ([_SECRETS] if include_secrets else [])
        objs: list[dict] = []
        if namespaces:
            for ns in namespaces:
                objs.extend(_namespace_object(client, host, apis["CoreV1Api"], ns))
                for api_name, _, per_ns in lists:
                    objs.extend(_call(client, host, apis[api_name], per_ns, ns))
        else:
            objs.extend(_call(client, host, apis["CoreV1Api"], "list_namespace"))
            for api_name, all_ns, _ in lists:
                objs.extend(_call(client, host, apis[api_name], all_ns))
        nodes = None
        if with_nodes:
            try:
                nodes = _call(client, host, apis["CoreV1Api"], "list_node") or None
            except ClusterError as e:
                warnings.append(f"nodes not copied, the playground keeps its own: {e}")
            else:
                if nodes is None:
                    warnings.append("the cluster lists no nodes: the playground keeps its own")
        return objs, nodes, host, warnings
    finally:
        api_client.close()


def _namespace_object(client, host: str, core, ns: str) -> list[dict]:
    """The Namespace itself; a user who may read it only from inside gets a plain one."""
    from kubernetes.client.rest import ApiException
    try:
        raw = core.read_namespace(ns, _preload_content=False, _request_timeout=30)
        obj = json.loads(raw.data)
    except ApiException as e:
        if e.status != 403:
            raise ClusterError(_refusal(host, e))
        obj = {"metadata": {"name": ns}}
    except Exception as e:                  # noqa: BLE001 - urllib3/OS errors: one line
        raise ClusterError(f"cannot reach the cluster at {host}: {_reason(e)}")
    obj.setdefault("apiVersion", "v1")
    obj.setdefault("kind", "Namespace")
    return [obj]


def run(args, runtime_file: str) -> int:
    try:
        import kubernetes  # noqa: F401
    except ImportError:
        print("kubeplay: `kubeplay import` reads clusters with the `kubernetes` Python client: "
              "pip install kubernetes", file=sys.stderr)
        return 1
    from engine import portable
    namespaces = list(dict.fromkeys(args.namespace or ()))
    try:
        playground = Playground.find(runtime_file, args.server, args.token)
        objs, nodes, host, warnings = read_cluster(args.kubeconfig, args.context, namespaces,
                                                   args.include_secrets, not args.keep_nodes)
    except (ClusterError, PlaygroundError) as e:
        print(f"kubeplay: {e}", file=sys.stderr)
        return 1
    for w in warnings:
        print(f"kubeplay: warning: {w}", file=sys.stderr)
    manifests = portable.select(objs, namespaces=namespaces or None, kinds=portable.IMPORT_KINDS,
                                include_secrets=args.include_secrets)
    used = portable.used_namespaces(manifests) | set(namespaces)
    manifests = [m for m in manifests if m["kind"] != "Namespace" or m["metadata"]["name"] in used]
    copies = [portable.node_copy(n) for n in nodes] if nodes is not None else None
    try:
        raw, _ = playground.request("POST", "/kubeplay/v1/import", {"objects": manifests, "nodes": copies},
                                    timeout=600)
    except PlaygroundError as e:
        print(f"kubeplay: {e}", file=sys.stderr)
        return 1
    answer = json.loads(raw)
    counts = Counter(c["kind"] for c in answer.get("created") or ())
    what = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in sorted(counts.items())) or "no objects"
    print(f"imported from {host} into {playground.url}: {what}")
    report = answer.get("nodes")
    if report:
        for key, label in (("added", "nodes added"), ("updated", "nodes updated"), ("removed", "nodes removed"),
                           ("kept", "kept (the playground's control plane)")):
            if report.get(key):
                print(f"  {label}: {', '.join(report[key])}")
    for note in answer.get("notes") or ():
        print(f"  note: {note}")
    return 0


def add_parser(sub, runtime_file: str) -> None:
    i = sub.add_parser("import", help="copy a real cluster's workloads and nodes into the playground",
                       description="Copy a cluster's workloads (Deployments, StatefulSets, DaemonSets, Jobs, "
                                   "CronJobs, bare Pods), Services, ConfigMaps, claims, PDBs and HPAs into the "
                                   "running playground, and replace its nodes with copies of the cluster's "
                                   "(capacity, labels, taints), to try a drain, a rollout or a node failure "
                                   "on the copy first. Read-only on the cluster.")
    i.add_argument("--kubeconfig", required=True, metavar="FILE", help="the cluster's kubeconfig")
    i.add_argument("--context", metavar="NAME", help="the kubeconfig context to use (default: its current one)")
    i.add_argument("-n", "--namespace", action="append", metavar="NS",
                   help="copy only this namespace (repeatable) (default: every namespace but kube-*)")
    i.add_argument("--include-secrets", action="store_true", help="copy Secrets too (default: off)")
    i.add_argument("--keep-nodes", action="store_true",
                   help="leave the playground's nodes as they are (default: replace them with copies)")
    i.add_argument("--server", metavar="URL", help="the kubeplay server to write to (default: the running one, "
                                                   "from ~/.kubeplay/server.json)")
    i.add_argument("--token", metavar="T", help="its bearer token (default: the running one's)")
    i.set_defaults(func=lambda args: run(args, runtime_file))
