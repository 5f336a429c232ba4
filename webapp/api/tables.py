"""Server-side Tables (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): what `kubectl get`
prints, built as a real v1.32 apiserver builds it.

Upstream: k/k `pkg/printers/internalversion/printers.go` (columns and cells per kind),
`pkg/printers/storage` (the apiserver always prints *wide*: every column, priority 1 included;
kubectl hides priority >= 1 columns unless `-o wide`), k/apiserver
`pkg/endpoints/handlers/response.go` (`asTable`: includeObject, PartialObjectMetadata; watch
events carry columnDefinitions only on the first event of a stream) and `pkg/registry/rest/table.go`
(the NAME / CREATED AT fallback for kinds without a printer).

Cells keep upstream's JSON types: integers where Go appends an int64 (RESTARTS is a string: `0` or
`2 (5m ago)`), strings everywhere else, with `<none>` / `<unknown>` / `<unset>` placeholders as
upstream writes them. Row objects reference the caller's dicts (no copy): treat the result as
read-only and serialise it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine import ResourceType, errors
from engine import resources as kinds
from webapp.api import printers, printers_autoscaling, printers_batch, printers_custom, printers_policy, printers_rbac
from webapp.api import printers_network_policy, printers_networking, printers_scheduling, printers_storage

TABLE_API_VERSION = "meta.k8s.io/v1"
INCLUDE_OBJECT_VALUES = ("Metadata", "Object", "None")


def table(rt: ResourceType, objects: list[dict], *, now: float, resource_version: str,
          include_object: str = "Metadata", continue_token: str | None = None,
          remaining_item_count: int | None = None) -> dict:
    """A `meta.k8s.io/v1` Table with one row per object, for a list or a single-object GET.

    include_object: "Metadata" (default; "" means the same) puts a PartialObjectMetadata in each
    row, "Object" the full object, "None" a null object; anything else is BadRequest, as upstream.
    """
    printer = _printer_for(rt)
    rows = [_row(rt, printer, obj, now, include_object) for obj in objects]
    return _table(printer, rows, resource_version=resource_version, headers=True,
                  continue_token=continue_token, remaining_item_count=remaining_item_count)


def table_event_object(rt: ResourceType, obj: dict, *, now: float, first: bool,
                       include_object: str = "Metadata") -> dict:
    """The `object` of one watch event on a Table watch: a one-row Table whose
    metadata.resourceVersion is the object's. Only the first event of a stream carries
    columnDefinitions; later ones have `"columnDefinitions": null`, exactly as the apiserver
    sends them (it switches on TableOptions.NoHeaders after the first event); kubectl keeps the
    headers from the list it printed first."""
    printer = _printer_for(rt)
    row = _row(rt, printer, obj, now, include_object)
    rv = str((obj.get("metadata") or {}).get("resourceVersion") or "")
    return _table(printer, [row], resource_version=rv, headers=first)


def column_definitions(rt: ResourceType) -> list[dict]:
    """The columns a Table of this kind carries (wide ones included, priority 1)."""
    return [dict(c) for c in _printer_for(rt).columns]


def row_cells(rt: ResourceType, obj: dict, *, now: float) -> list:
    """Just the cells of one object's row, in column order."""
    return _printer_for(rt).cells(obj, now)


# --- assembly ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Printer:
    columns: tuple[dict, ...]
    cells: Callable[[dict, float], list]
    conditions: Callable[[dict], list | None] = lambda obj: None
    # Optional split of cells for lists that keep a row's timeless part per stored object:
    # fixed(obj) once per version, at(fixed, now) per answer (cells(obj, now) == at(fixed(obj), now)).
    fixed: Callable[[dict], object] | None = None
    at: Callable[[object, float], list] | None = None


def _printer_for(rt: ResourceType) -> _Printer:
    if kinds.is_custom(rt):         # a custom resource: its CRD's printer columns
        return _Printer(printers_custom.columns(rt), lambda obj, now: printers_custom.cells(rt, obj, now))
    return _PRINTERS.get((rt.group, rt.name), _DEFAULT_PRINTER)


def _table(printer: _Printer, rows: list[dict], *, resource_version: str, headers: bool,
           continue_token: str | None = None, remaining_item_count: int | None = None) -> dict:
    metadata: dict = {}
    if resource_version:
        metadata["resourceVersion"] = str(resource_version)
    if continue_token:
        metadata["continue"] = continue_token
    if remaining_item_count is not None:
        metadata["remainingItemCount"] = remaining_item_count
    return {"kind": "Table", "apiVersion": TABLE_API_VERSION, "metadata": metadata,
            "columnDefinitions": [dict(c) for c in printer.columns] if headers else None,
            "rows": rows}


def _row(rt: ResourceType, printer: _Printer, obj: dict, now: float, include_object: str) -> dict:
    row = _row_head(printer, obj, now)
    row["object"] = _row_object(rt, obj, include_object)
    return row


def _row_head(printer: _Printer, obj: dict, now: float) -> dict:
    row: dict = {"cells": printer.cells(obj, now)}
    conditions = printer.conditions(obj)
    if conditions:
        row["conditions"] = conditions
    return row


def row_maker(rt: ResourceType) -> tuple[Callable[[dict], object], Callable[[object, float], dict]]:
    """For list bodies that write each row's object from text made earlier
    (webapp/api/list_bodies.py): `fixed(obj)`, what of the row does not depend on the time (a
    list may keep it while the stored object is the same), and `head(fixed, now)`, the row
    without its `object` (cells, and conditions when there are any)."""
    printer = _printer_for(rt)
    if printer.fixed is None or printer.at is None:
        return (lambda obj: obj), (lambda obj, now: _row_head(printer, obj, now))
    fixed_of, at = printer.fixed, printer.at

    def fixed(obj: dict) -> object:
        return fixed_of(obj), printer.conditions(obj)

    def head(kept, now: float) -> dict:
        part, conditions = kept
        row: dict = {"cells": at(part, now)}
        if conditions:
            row["conditions"] = conditions
        return row
    return fixed, head


def check_include_object(include_object: str) -> None:
    """includeObject's BadRequest, as _row_object raises it (only when there is a row)."""
    if include_object not in INCLUDE_OBJECT_VALUES and include_object != "":
        _row_object(kinds.POD, {}, include_object)


def _row_object(rt: ResourceType, obj: dict, include_object: str) -> dict | None:
    if include_object in ("Metadata", ""):
        return partial_object_metadata(obj)
    if include_object == "Object":
        if obj.get("apiVersion") == rt.api_version and obj.get("kind") == rt.kind:
            return obj
        return {"apiVersion": rt.api_version, "kind": rt.kind,
                **{k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}}
    if include_object == "None":
        return None
    raise errors.BadRequest(f'unrecognized includeObject value: "{include_object}"')


def partial_object_metadata(obj: dict) -> dict:
    """meta.AsPartialObjectMetadata: the whole ObjectMeta under a PartialObjectMetadata kind."""
    return {"kind": "PartialObjectMetadata", "apiVersion": TABLE_API_VERSION,
            "metadata": obj.get("metadata") or {}}


# --- cells per kind (printers.go print<Kind>, wide) --------------------------------------------

def _name(obj: dict) -> str:
    return (obj.get("metadata") or {}).get("name", "")


def _age(obj: dict, now: float) -> str:
    return printers.translate_timestamp_since((obj.get("metadata") or {}).get("creationTimestamp"), now)


def _spec(obj: dict) -> dict:
    return obj.get("spec") or {}


def _status(obj: dict) -> dict:
    return obj.get("status") or {}


def _template_spec(obj: dict) -> dict:
    return (_spec(obj).get("template") or {}).get("spec") or {}


def _pod_cells(pod: dict, now: float) -> list:
    return printers.pod_row(pod, now)


def _pod_conditions(pod: dict) -> list | None:
    phase = _status(pod).get("phase")
    if phase == "Succeeded":
        return [{"type": "Completed", "status": "True", "reason": "Succeeded",
                 "message": "The pod has completed successfully."}]
    if phase == "Failed":
        return [{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]
    return None


def _node_cells(node: dict, now: float) -> list:
    info = _status(node).get("nodeInfo") or {}
    return [_name(node), printers.node_status(node), printers.node_roles(node), _age(node, now),
            info.get("kubeletVersion", ""),
            printers.node_address(node, "InternalIP"), printers.node_address(node, "ExternalIP"),
            info.get("osImage") or printers.UNKNOWN, info.get("kernelVersion") or printers.UNKNOWN,
            info.get("containerRuntimeVersion") or printers.UNKNOWN]


def _namespace_cells(ns: dict, now: float) -> list:
    return [_name(ns), _status(ns).get("phase", ""), _age(ns, now)]


def _service_cells(svc: dict, now: float) -> list:
    return [_name(svc), _spec(svc).get("type", ""), printers.service_cluster_ip(svc),
            printers.service_external_ip(svc, wide=True), printers.service_ports(svc), _age(svc, now),
            printers.format_labels(_spec(svc).get("selector"))]


def _endpoints_cells(ep: dict, now: float) -> list:
    return [_name(ep), printers.format_endpoints(ep), _age(ep, now)]


def _configmap_cells(cm: dict, now: float) -> list:
    return [_name(cm), len(cm.get("data") or {}) + len(cm.get("binaryData") or {}), _age(cm, now)]


def _secret_cells(sec: dict, now: float) -> list:
    return [_name(sec), sec.get("type", ""), len(sec.get("data") or {}), _age(sec, now)]


def _serviceaccount_cells(sa: dict, now: float) -> list:
    return [_name(sa), len(sa.get("secrets") or ()), _age(sa, now)]


def _event_cells(ev: dict, now: float) -> list:
    last, first, count = printers.event_times(ev, now)
    return [last, ev.get("type", ""), ev.get("reason", ""), printers.event_object(ev),
            (ev.get("involvedObject") or {}).get("fieldPath", ""), printers.event_source(ev),
            (ev.get("message") or "").strip(), first, count, _name(ev)]


def _deployment_cells(d: dict, now: float) -> list:
    spec, status = _spec(d), _status(d)
    try:
        selector = printers.label_selector_string(spec.get("selector"))
    except ValueError:
        selector = "<invalid>"
    names, images = printers.container_cells(_template_spec(d))
    return [_name(d), f"{status.get('readyReplicas') or 0}/{spec.get('replicas', 1)}",
            status.get("updatedReplicas") or 0, status.get("availableReplicas") or 0, _age(d, now),
            names, images, selector]


def _replicaset_cells(rs: dict, now: float) -> list:
    spec, status = _spec(rs), _status(rs)
    names, images = printers.container_cells(_template_spec(rs))
    return [_name(rs), spec.get("replicas", 1), status.get("replicas") or 0,
            status.get("readyReplicas") or 0, _age(rs, now),
            names, images, printers.format_label_selector(spec.get("selector"))]


def _statefulset_cells(sts: dict, now: float) -> list:
    names, images = printers.container_cells(_template_spec(sts))
    return [_name(sts), f"{_status(sts).get('readyReplicas') or 0}/{_spec(sts).get('replicas', 1)}",
            _age(sts, now), names, images]


def _daemonset_cells(ds: dict, now: float) -> list:
    status = _status(ds)
    names, images = printers.container_cells(_template_spec(ds))
    return [_name(ds), status.get("desiredNumberScheduled") or 0,
            status.get("currentNumberScheduled") or 0, status.get("numberReady") or 0,
            status.get("updatedNumberScheduled") or 0, status.get("numberAvailable") or 0,
            printers.format_labels(_template_spec(ds).get("nodeSelector")), _age(ds, now),
            names, images, printers.format_label_selector(_spec(ds).get("selector"))]


def _controllerrevision_cells(cr: dict, now: float) -> list:
    return [_name(cr), printers.controller_name(cr), cr.get("revision") or 0, _age(cr, now)]


def _endpointslice_cells(eps: dict, now: float) -> list:
    return [_name(eps), eps.get("addressType", ""), printers.format_discovery_ports(eps.get("ports")),
            printers.format_discovery_endpoints(eps.get("endpoints")), _age(eps, now)]


def _lease_cells(lease: dict, now: float) -> list:
    return [_name(lease), _spec(lease).get("holderIdentity") or "", _age(lease, now)]


def _default_cells(obj: dict, now: float) -> list:
    """rest.defaultTableConvertor: NAME and CREATED AT (RFC 3339, UTC)."""
    ts = (obj.get("metadata") or {}).get("creationTimestamp")
    return [_name(obj), ts or "0001-01-01T00:00:00Z"]


# --- column definitions ------------------------------------------------------------------------

def _col(name: str, type_: str, description: str, priority: int = 0, format_: str = "") -> dict:
    return {"name": name, "type": type_, "format": format_, "description": description,
            "priority": priority}


# Column descriptions: the SwaggerDoc() texts upstream uses, copied from k8s.io/api and
# k8s.io/apimachinery v0.32.9 (types_swagger_doc_generated.go).
_DOC = {
    'meta.name': (
        'Name must be unique within a namespace. Is required when creating resources,'
        ' although some resources may allow a client to request the generation of an'
        ' appropriate name automatically. Name is primarily intended for creation'
        ' idempotence and configuration definition. Cannot be updated. More info:'
        ' https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names'
    ),
    'meta.creationTimestamp': (
        'CreationTimestamp is a timestamp representing the server time when this object'
        ' was created. It is not guaranteed to be set in happens-before order across'
        ' separate operations. Clients may not set this value. It is represented in'
        ' RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for'
        ' lists. More info:'
        ' https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata'
    ),
    'pod.podIP': (
        'podIP address allocated to the pod. Routable at least within the cluster. Empty'
        ' if not yet allocated.'
    ),
    'pod.nodeName': (
        'NodeName indicates in which node this pod is scheduled. If empty, this pod is a'
        ' candidate for scheduling by the scheduler defined in schedulerName. Once this'
        ' field is set, the kubelet for this node becomes responsible for the lifecycle'
        ' of this pod. This field should not be used to express a desire for the pod to'
        ' be scheduled on a specific node.'
        ' https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename'
    ),
    'pod.nominatedNodeName': (
        'nominatedNodeName is set only when this pod preempts other pods on the node, but'
        ' it cannot be scheduled right away as preemption victims receive their graceful'
        ' termination periods. This field does not guarantee that the pod will be'
        ' scheduled on this node. Scheduler may decide to place the pod elsewhere if'
        ' other nodes become available sooner. Scheduler may also decide to give the'
        ' resources on this node to a higher priority pod that is created after'
        ' preemption. As a result, this field may be different than PodSpec.nodeName when'
        ' the pod is scheduled.'
    ),
    'pod.readinessGates': (
        'If specified, all readiness gates will be evaluated for pod readiness. A pod is'
        ' ready when all its containers are ready AND all conditions specified in the'
        ' readiness gates have status equal to "True" More info:'
        ' https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates'
    ),
    'pod.nodeSelector': (
        'NodeSelector is a selector which must be true for the pod to fit on a node.'
        " Selector which must match a node's labels for the pod to be scheduled on that"
        ' node. More info:'
        ' https://kubernetes.io/docs/concepts/configuration/assign-pod-node/'
    ),
    'svc.type': (
        'type determines how the Service is exposed. Defaults to ClusterIP. Valid options'
        ' are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates'
        ' a cluster-internal IP address for load-balancing to endpoints. Endpoints are'
        ' determined by the selector or if that is not specified, by manual construction'
        ' of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no'
        ' virtual IP is allocated and the endpoints are published as a set of endpoints'
        ' rather than a virtual IP. "NodePort" builds on ClusterIP and allocates a port'
        ' on every node which routes to the same endpoints as the clusterIP.'
        ' "LoadBalancer" builds on NodePort and creates an external load-balancer (if'
        ' supported in the current cloud) which routes to the same endpoints as the'
        ' clusterIP. "ExternalName" aliases this service to the specified externalName.'
        ' Several other fields do not apply to ExternalName services. More info:'
        ' https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types'
    ),
    'svc.clusterIP': (
        'clusterIP is the IP address of the service and is usually assigned randomly. If'
        ' an address is specified manually, is in-range (as per system configuration),'
        ' and is not in use, it will be allocated to the service; otherwise creation of'
        ' the service will fail. This field may not be changed through updates unless the'
        ' type field is also being changed to ExternalName (which requires this field to'
        ' be blank) or the type field is being changed from ExternalName (in which case'
        ' this field may optionally be specified, as describe above).  Valid values are'
        ' "None", empty string (""), or a valid IP address. Setting this to "None" makes'
        ' a "headless service" (no virtual IP), which is useful when direct endpoint'
        ' connections are preferred and proxying is not required.  Only applies to types'
        ' ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating'
        ' a Service of type ExternalName, creation will fail. This field will be wiped'
        ' when updating a Service to type ExternalName. More info:'
        ' https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'
    ),
    'svc.externalIPs': (
        'externalIPs is a list of IP addresses for which nodes in the cluster will also'
        ' accept traffic for this service.  These IPs are not managed by Kubernetes.  The'
        ' user is responsible for ensuring that traffic arrives at a node with this IP. '
        ' A common example is external load-balancers that are not part of the Kubernetes'
        ' system.'
    ),
    'svc.ports': (
        'The list of ports that are exposed by this service. More info:'
        ' https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'
    ),
    'svc.selector': (
        'Route service traffic to pods with label keys and values matching this selector.'
        ' If empty or not present, the service is assumed to have an external process'
        ' managing its endpoints, which Kubernetes will not modify. Only applies to types'
        ' ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More'
        ' info: https://kubernetes.io/docs/concepts/services-networking/service/'
    ),
    'ep.subsets': (
        'The set of all endpoints is the union of all subsets. Addresses are placed into'
        ' subsets according to the IPs they share. A single address with multiple ports,'
        ' some of which are ready and some of which are not (because they come from'
        ' different containers) will result in the address being displayed in different'
        ' subsets for the different ports. No address will appear in both Addresses and'
        ' NotReadyAddresses in the same subset. Sets of addresses and ports that comprise'
        ' a service.'
    ),
    'node.kubeletVersion': (
        'Kubelet Version reported by the node.'
    ),
    'node.addresses': (
        'List of addresses reachable to the node. Queried from cloud provider, if'
        ' available. More info:'
        ' https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This'
        ' field is declared as mergeable, but the merge key is not sufficiently unique,'
        ' which can cause data corruption when it is merged. Callers should instead use a'
        ' full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers'
        ' should assume that addresses can change during the lifetime of a Node. However,'
        ' there are some exceptions where this may not be possible, such as Pods that'
        " inherit a Node's address in its own status or consumers of the downward API"
        ' (status.hostIP).'
    ),
    'node.osImage': (
        'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7'
        ' (wheezy)).'
    ),
    'node.kernelVersion': (
        "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."
    ),
    'node.containerRuntimeVersion': (
        'ContainerRuntime Version reported by the node through runtime remote API (e.g.'
        ' containerd://1.4.2).'
    ),
    'ev.lastTimestamp': (
        'The time at which the most recent occurrence of this event was recorded.'
    ),
    'ev.type': (
        'Type of this event (Normal, Warning), new types could be added in the future'
    ),
    'ev.reason': (
        'This should be a short, machine understandable string that gives the reason for'
        " the transition into the object's current status."
    ),
    'ev.involvedObject': (
        'The object that this event is about.'
    ),
    'ev.fieldPath': (
        'If referring to a piece of an object instead of an entire object, this string'
        ' should contain a valid JSON/Go field access statement, such as'
        ' desiredState.manifest.containers[2]. For example, if the object reference is to'
        ' a container within a pod, this would take on a value like:'
        ' "spec.containers{name}" (where "name" refers to the name of the container that'
        ' triggered the event) or if no container name is specified "spec.containers[2]"'
        ' (container with index 2 in this pod). This syntax is chosen only to have some'
        ' well-defined way of referencing a part of an object.'
    ),
    'ev.source': (
        'The component reporting this event. Should be a short machine understandable'
        ' string.'
    ),
    'ev.message': (
        'A human-readable description of the status of this operation.'
    ),
    'ev.firstTimestamp': (
        'The time at which the event was first recorded. (Time of server receipt is in'
        ' TypeMeta.)'
    ),
    'ev.count': (
        'The number of times this event has occurred.'
    ),
    'cm.data': (
        'Data contains the configuration data. Each key must consist of alphanumeric'
        " characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the"
        ' BinaryData field. The keys stored in Data must not overlap with the keys in the'
        ' BinaryData field, this is enforced during validation process.'
    ),
    'rs.replicas': (
        'Replicas is the number of desired replicas. This is a pointer to distinguish'
        ' between explicit zero and unspecified. Defaults to 1. More info:'
        ' https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'
    ),
    'rs.statusReplicas': (
        'Replicas is the most recently observed number of replicas. More info:'
        ' https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'
    ),
    'rs.readyReplicas': (
        'The number of ready replicas for this replica set.'
    ),
    'rs.selector': (
        'Selector is a label query over pods that should match the replica count. If the'
        ' selector is empty, it is defaulted to the labels present on the pod template.'
        ' Label keys and values that must match in order to be controlled by this replica'
        ' set. More info:'
        ' https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors'
    ),
    'ds.desiredNumberScheduled': (
        'The total number of nodes that should be running the daemon pod (including nodes'
        ' correctly running the daemon pod). More info:'
        ' https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'
    ),
    'ds.currentNumberScheduled': (
        'The number of nodes that are running at least 1 daemon pod and are supposed to'
        ' run the daemon pod. More info:'
        ' https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'
    ),
    'ds.numberReady': (
        'The number of nodes that should be running the daemon pod and have one or more'
        ' of the daemon pod running and ready.'
    ),
    'ds.updatedNumberScheduled': (
        'The total number of nodes that are running updated daemon pod'
    ),
    'ds.numberAvailable': (
        'The number of nodes that should be running the daemon pod and have one or more'
        ' of the daemon pod running and available (ready for at least'
        ' spec.minReadySeconds)'
    ),
    'ds.selector': (
        'A label query over pods that are managed by the daemon set. Must match in order'
        ' to be controlled. If empty, defaulted to labels on Pod template. More info:'
        ' https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors'
    ),
    'deploy.updatedReplicas': (
        'Total number of non-terminated pods targeted by this deployment that have the'
        ' desired template spec.'
    ),
    'deploy.availableReplicas': (
        'Total number of available pods (ready for at least minReadySeconds) targeted by'
        ' this deployment.'
    ),
    'deploy.selector': (
        'Label selector for pods. Existing ReplicaSets whose pods are selected by this'
        ' will be the ones affected by this deployment.'
    ),
    'lease.holderIdentity': (
        'holderIdentity contains the identity of the holder of a current lease. If'
        ' Coordinated Leader Election is used, the holder identity must be equal to the'
        ' elected LeaseCandidate.metadata.name field.'
    ),
    'cr.revision': (
        'revision indicates the revision of the state represented by Data.'
    ),
    'eps.addressType': (
        'addressType specifies the type of address carried by this EndpointSlice. All'
        ' addresses in this slice must be the same type. This field is immutable after'
        ' creation. The following address types are currently supported: * IPv4:'
        ' Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN:'
        ' Represents a Fully Qualified Domain Name.'
    ),
    'eps.ports': (
        'ports specifies the list of network ports exposed by each endpoint in this'
        ' slice. Each port must have a unique name. When ports is empty, it indicates'
        ' that there are no defined ports. When a port is defined with a nil port value,'
        ' it indicates "all ports". Each slice may include a maximum of 100 ports.'
    ),
    'eps.endpoints': (
        'endpoints is a list of unique endpoints in this slice. Each slice may include a'
        ' maximum of 1000 endpoints.'
    ),
}


def _d(key: str) -> str:
    return _DOC[key]


_NAME = _col("Name", "string", _d("meta.name"), format_="name")
_AGE = _col("Age", "string", _d("meta.creationTimestamp"))
_CONTAINERS = _col("Containers", "string", "Names of each container in the template.", 1)
_IMAGES = _col("Images", "string", "Images referenced by each container in the template.", 1)

_POD_COLUMNS = (
    _NAME,
    _col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    _col("Status", "string", "The aggregate status of the containers in this pod."),
    _col("Restarts", "string", "The number of times the containers in this pod have been restarted "
                               "and when the last container in this pod has restarted."),
    _AGE,
    _col("IP", "string", _d("pod.podIP"), 1),
    _col("Node", "string", _d("pod.nodeName"), 1),
    _col("Nominated Node", "string", _d("pod.nominatedNodeName"), 1),
    _col("Readiness Gates", "string", _d("pod.readinessGates"), 1),
)
_NODE_COLUMNS = (
    _NAME,
    _col("Status", "string", "The status of the node"),
    _col("Roles", "string", "The roles of the node"),
    _AGE,
    _col("Version", "string", _d("node.kubeletVersion")),
    _col("Internal-IP", "string", _d("node.addresses"), 1),
    _col("External-IP", "string", _d("node.addresses"), 1),
    _col("OS-Image", "string", _d("node.osImage"), 1),
    _col("Kernel-Version", "string", _d("node.kernelVersion"), 1),
    _col("Container-Runtime", "string", _d("node.containerRuntimeVersion"), 1),
)
_NAMESPACE_COLUMNS = (_NAME, _col("Status", "string", "The status of the namespace"), _AGE)
_SERVICE_COLUMNS = (
    _NAME,
    _col("Type", "string", _d("svc.type")),
    _col("Cluster-IP", "string", _d("svc.clusterIP")),
    _col("External-IP", "string", _d("svc.externalIPs")),
    _col("Port(s)", "string", _d("svc.ports")),
    _AGE,
    _col("Selector", "string", _d("svc.selector"), 1),
)
_ENDPOINTS_COLUMNS = (_NAME, _col("Endpoints", "string", _d("ep.subsets")), _AGE)
_CONFIGMAP_COLUMNS = (_NAME, _col("Data", "string", _d("cm.data")), _AGE)
_SECRET_COLUMNS = (
    _NAME,
    _col("Type", "string", "Used to facilitate programmatic handling of secret data. More info: "
         "https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"),
    _col("Data", "string", "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' "
         "or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary "
         "(possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"),
    _AGE,
)
_SERVICEACCOUNT_COLUMNS = (
    _NAME,
    _col("Secrets", "string", "Secrets is a list of the secrets in the same namespace that pods running using this "
         "ServiceAccount are allowed to use."),
    _AGE,
)
_EVENT_COLUMNS = (
    _col("Last Seen", "string", _d("ev.lastTimestamp")),
    _col("Type", "string", _d("ev.type")),
    _col("Reason", "string", _d("ev.reason")),
    _col("Object", "string", _d("ev.involvedObject")),
    _col("Subobject", "string", _d("ev.fieldPath"), 1),
    _col("Source", "string", _d("ev.source"), 1),
    _col("Message", "string", _d("ev.message")),
    _col("First Seen", "string", _d("ev.firstTimestamp"), 1),
    _col("Count", "string", _d("ev.count"), 1),
    _col("Name", "string", _d("meta.name"), 1, format_="name"),
)
_DEPLOYMENT_COLUMNS = (
    _NAME,
    _col("Ready", "string", "Number of the pod with ready state"),
    _col("Up-to-date", "string", _d("deploy.updatedReplicas")),
    _col("Available", "string", _d("deploy.availableReplicas")),
    _AGE, _CONTAINERS, _IMAGES,
    _col("Selector", "string", _d("deploy.selector"), 1),
)
_REPLICASET_COLUMNS = (
    _NAME,
    _col("Desired", "integer", _d("rs.replicas")),
    _col("Current", "integer", _d("rs.statusReplicas")),
    _col("Ready", "integer", _d("rs.readyReplicas")),
    _AGE, _CONTAINERS, _IMAGES,
    _col("Selector", "string", _d("rs.selector"), 1),
)
_STATEFULSET_COLUMNS = (
    _NAME, _col("Ready", "string", "Number of the pod with ready state"), _AGE, _CONTAINERS, _IMAGES,
)
_DAEMONSET_COLUMNS = (
    _NAME,
    _col("Desired", "integer", _d("ds.desiredNumberScheduled")),
    _col("Current", "integer", _d("ds.currentNumberScheduled")),
    _col("Ready", "integer", _d("ds.numberReady")),
    _col("Up-to-date", "integer", _d("ds.updatedNumberScheduled")),
    _col("Available", "integer", _d("ds.numberAvailable")),
    _col("Node Selector", "string", _d("pod.nodeSelector")),
    _AGE, _CONTAINERS, _IMAGES,
    _col("Selector", "string", _d("ds.selector"), 1),
)
_CONTROLLERREVISION_COLUMNS = (
    _NAME,
    _col("Controller", "string", "Controller of the object"),
    _col("Revision", "string", _d("cr.revision")),
    _AGE,
)
_ENDPOINTSLICE_COLUMNS = (
    _NAME,
    _col("AddressType", "string", _d("eps.addressType")),
    _col("Ports", "string", _d("eps.ports")),
    _col("Endpoints", "string", _d("eps.endpoints")),
    _AGE,
)
_LEASE_COLUMNS = (_NAME, _col("Holder", "string", _d("lease.holderIdentity")), _AGE)
_DEFAULT_COLUMNS = (_NAME, _col("Created At", "date", _d("meta.creationTimestamp")))

_PRINTERS: dict[tuple[str, str], _Printer] = {
    ("", "pods"): _Printer(_POD_COLUMNS, _pod_cells, _pod_conditions, printers.pod_row_fixed, printers.pod_row_at),
    ("", "nodes"): _Printer(_NODE_COLUMNS, _node_cells),
    ("", "namespaces"): _Printer(_NAMESPACE_COLUMNS, _namespace_cells),
    ("", "services"): _Printer(_SERVICE_COLUMNS, _service_cells),
    ("", "endpoints"): _Printer(_ENDPOINTS_COLUMNS, _endpoints_cells),
    ("", "configmaps"): _Printer(_CONFIGMAP_COLUMNS, _configmap_cells),
    ("", "secrets"): _Printer(_SECRET_COLUMNS, _secret_cells),
    ("", "serviceaccounts"): _Printer(_SERVICEACCOUNT_COLUMNS, _serviceaccount_cells),
    ("", "events"): _Printer(_EVENT_COLUMNS, _event_cells),
    ("apps", "deployments"): _Printer(_DEPLOYMENT_COLUMNS, _deployment_cells),
    ("apps", "replicasets"): _Printer(_REPLICASET_COLUMNS, _replicaset_cells),
    ("apps", "statefulsets"): _Printer(_STATEFULSET_COLUMNS, _statefulset_cells),
    ("apps", "daemonsets"): _Printer(_DAEMONSET_COLUMNS, _daemonset_cells),
    ("apps", "controllerrevisions"): _Printer(_CONTROLLERREVISION_COLUMNS, _controllerrevision_cells),
    ("discovery.k8s.io", "endpointslices"): _Printer(_ENDPOINTSLICE_COLUMNS, _endpointslice_cells),
    ("coordination.k8s.io", "leases"): _Printer(_LEASE_COLUMNS, _lease_cells),
    ("batch", "jobs"): _Printer(printers_batch.job_columns(_NAME, _AGE, _CONTAINERS, _IMAGES, _col),
                                printers_batch.job_cells),
    ("batch", "cronjobs"): _Printer(printers_batch.cronjob_columns(_NAME, _AGE, _CONTAINERS, _IMAGES, _col),
                                    printers_batch.cronjob_cells),
    ("", "persistentvolumes"): _Printer(printers_storage.PERSISTENT_VOLUME_COLUMNS,
                                        printers_storage.persistent_volume_cells),
    ("", "persistentvolumeclaims"): _Printer(printers_storage.PERSISTENT_VOLUME_CLAIM_COLUMNS,
                                             printers_storage.persistent_volume_claim_cells),
    ("storage.k8s.io", "storageclasses"): _Printer(printers_storage.STORAGE_CLASS_COLUMNS,
                                                   printers_storage.storage_class_cells),
    ("autoscaling", "horizontalpodautoscalers"): _Printer(printers_autoscaling.columns(_NAME, _AGE, _col),
                                                          printers_autoscaling.cells),
}
_PRINTERS.update({key: _Printer(cols, cells) for key, (cols, cells) in printers_policy.TABLES.items()})
_PRINTERS.update({key: _Printer(cols, cells) for key, (cols, cells) in printers_scheduling.TABLES.items()})
_PRINTERS.update({key: _Printer(cols, cells) for key, (cols, cells) in printers_network_policy.TABLES.items()})
_PRINTERS.update({key: _Printer(cols, cells) for key, (cols, cells) in printers_rbac.TABLES.items()})
_PRINTERS.update({key: _Printer(cols, cells) for key, (cols, cells) in printers_networking.TABLES.items()})
_DEFAULT_PRINTER = _Printer(_DEFAULT_COLUMNS, _default_cells)
