"""`kubectl get priorityclasses` columns, as upstream's pkg/printers/internalversion/printers.go
(priorityClassColumnDefinitions, printPriorityClass): NAME VALUE GLOBAL-DEFAULT AGE
PREEMPTIONPOLICY. tables.py registers them with its other printers."""
from __future__ import annotations

from webapp.api.printers_policy import _AGE, _NAME, _age, _col, _md

PRIORITYCLASS_COLUMNS = (
    _NAME,
    _col("Value", "integer", "value represents the integer value of this priority class. This is the actual "
                             "priority that pods receive when they have the name of this class in their pod spec."),
    _col("Global-Default", "boolean",
         "globalDefault specifies whether this PriorityClass should be considered as the default priority for "
         "pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. "
         "However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the "
         "smallest value of such global default PriorityClasses will be used as the default priority."),
    _AGE,
    _col("PreemptionPolicy", "string", "preemptionPolicy is the Policy for preempting pods with lower priority. "
                                       "One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset."),
)

def priorityclass_cells(pc: dict, now: float) -> list:
    return [_md(pc).get("name", ""), int(pc.get("value") or 0), bool(pc.get("globalDefault")), _age(pc, now),
            pc.get("preemptionPolicy") or ""]

TABLES = {("scheduling.k8s.io", "priorityclasses"): (PRIORITYCLASS_COLUMNS, priorityclass_cells)}
