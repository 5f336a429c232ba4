"""kubeplay's simulated cluster: pure Python, no web imports.

This module is the engine's one door (the facade): the web layer imports `from engine import X`
for the names in `__all__` below and nothing from the engine's modules directly, so the engine's
insides (controllers, scheduler, kubelets, admission, store internals) can be reshaped without
touching webapp. tests/test_architecture.py keeps the rule. docs/engine-facade.md describes the
contract (what a Cluster and its Store promise); docs/architecture.md shows where it sits.

What is here, and why the web layer needs it:

- Building and running a cluster (the CLI does this; `create_app` is handed the result):
  `Cluster`, `Store`, `ScaledClock`, `ManualClock`, `Timings`; `DecisionLog` (the reconcile log's
  shape, which the real-cluster mode's inferred log keeps too).
- The API's vocabulary, as namespaces of small pure helpers the apiserver and kubectl sides both
  use: `errors` (the ApiError family → metav1.Status), `resources` (the ResourceType table:
  kinds, plurals, groups, verbs), `objects` (reading names, labels, owners and times off the
  plain dicts), `quantity` (resource.Quantity), `patch` (the server's patch types and merge-key
  table, which kubectl's client-side apply reads too), `schema` (upstream's generated API
  schemas: the OpenAPI documents /openapi/v3 serves and the strict decoder).
- `eviction`: the pods/eviction subresource (PodDisruptionBudgets honoured), for the API and
  the page's drain alike.
- Selectors as the apiserver parses and matches them: `parse_label_selector`,
  `parse_field_selector`, `matches_requirements`, `matches_fields`, `selector_to_string`.
- `hpa_versions`: the autoscaling/v1 ↔ v2 HorizontalPodAutoscaler conversion (v1 is served from
  the stored v2 objects).
- `usage`: what running containers and nodes use, from each image's behaviour held to its limits
  (the metrics API `kubectl top` reads).
- `doing`: what a container is doing, in a few words for the page's details panel ("serving on
  :80", "runs 3600 s, then exits 0", "allocating 150Mi"), from the image catalog
  (engine/data/images.json): `doing.pod_doing(pod)`.
- `network_policy`: what NetworkPolicies allow, as the network enforces them: `evaluate(store,
  source_pod, source_ip, dest_pod, dest_ip, port, protocol)` -> Verdict, and
  `pod_view(store, pod)` -> the policies selecting a pod per direction, their rules in words
  (the page's details panel).
- `portable`: a cluster's objects as clean manifests (`portable.select(objects)`: what users
  made, without status, server-set fields or dependants, in apply order; `portable.node_copy`),
  for `kubeplay export`/`import` and the page's Export.
- `tokens`: the TokenRequest API (serviceaccounts/token, `kubectl create token`):
  `tokens.request_token(store, now, namespace, name, body)` -> the TokenRequest answered.
- `rbac`: the RBAC authorizer (engine/rbac.py): `rbac.authorize(store, rbac.Attributes(...))`,
  `rbac.rules_for(store, user, namespace)`, the apiserver's 403 (`rbac.forbidden(attrs)`) and the
  escalation check (`rbac.escalation_error`); `tokens.authenticate(store, token, now)` is the
  ServiceAccount token authenticator the API puts in front of it.
- `crds` (engine/crd/definitions.py): what each Established CustomResourceDefinition serves —
  its CRD for a custom resource type (`crds.definition(rt)`), versions, schemas, printer columns,
  deprecation warnings; `crd_paths` (engine/crd/subresources.py): reading and writing custom
  objects by the JSONPaths of printer columns and of the scale subresource.
- `ingress_requests`: a request from the learner's machine to the ingress controller
  (`ingress_requests.send(cluster, host, path)`: the answer and the route it took — Ingress,
  rule, Service, pod), for the page's "Send request" control.
- `deployments`: upstream's deploymentutil (revisions, the new ReplicaSet, conditions). The
  Deployment controller uses it and kubectl's `rollout`/`describe` need the same answers
  (upstream kubectl vendors the same helpers as k8s.io/kubectl/pkg/util/deployment).

Objects are plain Kubernetes-shaped dicts shared with the store: never mutate one; copy first
(`objects.clone`).
"""
from . import (api_warnings, controlplane, errors, eviction, hpa_versions, ingress_requests, network_policy, objects,
               patch, portable, quantity, rbac, resources, tokens, usage)
from .admission import schema
from .admission.fields import RenderedFieldError, go_quote
from .crd import definitions as crds
from .crd import subresources as crd_paths
from .clock import ManualClock, ScaledClock
from .decisions import DecisionLog
from .cluster import Cluster
from .controllers import deployment_util as deployments
from .kubelet import doing
from .loop import Timings
from .resources import ResourceType
from .selectors import (matches_fields, matches_requirements, parse_field_selector, parse_label_selector,
                        selector_to_string)
from .sqlite import StateFileError
from .store import Store, WatchEvent

__all__ = [
    # building and running a cluster
    "Cluster", "Store", "WatchEvent", "ScaledClock", "ManualClock", "Timings", "DecisionLog",
    "StateFileError",     # a --state path that is not ours to open (refused at start)
    # the API's vocabulary
    "errors", "resources", "ResourceType", "objects", "quantity", "patch",
    # the warnings a request's write earns (deprecated fields, unknown fields under
    # fieldValidation=Warn), collected per request as data; the web layer sends them as headers
    "api_warnings",
    # upstream's generated API schemas (OpenAPI documents, strict decoding) and the apiserver's
    # field-error rendering, for the API's review endpoints and /openapi
    "schema", "RenderedFieldError", "go_quote",
    # pods/eviction: the delete that asks the pod's PodDisruptionBudget first (the API's
    # eviction subresource and the page's drain)
    "eviction",
    # the kind-like control plane's components (the page stops and starts them)
    "controlplane",
    # selectors
    "parse_label_selector", "parse_field_selector", "matches_requirements", "matches_fields",
    "selector_to_string",
    # what kubectl shares with the Deployment controller
    "deployments",
    # what running containers use (the metrics API behind `kubectl top`)
    "usage",
    # the TokenRequest API (serviceaccounts/token) and the ServiceAccount token authenticator
    "tokens",
    # the RBAC authorizer: decisions, rules, the apiserver's 403 and escalation texts
    "rbac",
    # a request to the ingress controller from the learner's machine (the page's Send request)
    "ingress_requests",
    # autoscaling/v1 HorizontalPodAutoscalers converted to and from the stored autoscaling/v2
    "hpa_versions",
    # what a container is doing, from the image catalog (the page's details panel)
    "doing",
    # what NetworkPolicies allow, per pod in words (the page's details panel)
    "network_policy",
    # a cluster's objects as portable manifests (kubeplay export/import, the page's Export)
    "portable",
    # CustomResourceDefinitions: what each serves (custom types, versions, schemas, printer
    # columns) and the JSONPaths of custom objects (printer columns, the scale subresource)
    "crds", "crd_paths",
]
