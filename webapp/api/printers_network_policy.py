"""`kubectl get networkpolicies` columns, as upstream's pkg/printers/internalversion/printers.go
(networkPolicyColumnDefinitions, printNetworkPolicy): NAME POD-SELECTOR AGE, the selector in
metav1.FormatLabelSelector's words (`<none>` for the empty one that selects every pod).
tables.py registers them with its other printers."""
from __future__ import annotations

from webapp.api import printers
from webapp.api.printers_policy import _AGE, _NAME, _age, _col, _md

# extensions/v1beta1 NetworkPolicySpec's podSelector doc: upstream's column takes it from there
_POD_SELECTOR_DOC = (
    "Selects the pods to which this NetworkPolicy object applies. The array of ingress rules is applied to any "
    "pods selected by this field. Multiple network policies can select the same set of pods. In this case, the "
    "ingress rules for each are combined additively. This field is NOT optional and follows standard label "
    "selector semantics. An empty podSelector matches all pods in this namespace."
)

NETWORKPOLICY_COLUMNS = (_NAME, _col("Pod-Selector", "string", _POD_SELECTOR_DOC), _AGE)


def networkpolicy_cells(np: dict, now: float) -> list:
    return [_md(np).get("name", ""), printers.format_label_selector((np.get("spec") or {}).get("podSelector") or {}),
            _age(np, now)]


TABLES = {("networking.k8s.io", "networkpolicies"): (NETWORKPOLICY_COLUMNS, networkpolicy_cells)}
