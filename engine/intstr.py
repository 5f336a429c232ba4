"""IntOrString values (maxSurge, maxUnavailable, partition percentages): k8s.io/apimachinery
pkg/util/intstr, shared by the Deployment, StatefulSet and DaemonSet controllers."""
from __future__ import annotations

import math


def int_or_percent(value, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent: ints as is; "25%" of total, ceil or floor."""
    if value is None:
        return 0
    if isinstance(value, bool):
        raise ValueError(f"invalid value for IntOrString: {value!r}")
    if isinstance(value, (int, float)):
        return int(value)
    s = str(value)
    if s.endswith("%"):
        pct = int(s[:-1])
        x = float(pct) * float(total) / 100
        return int(math.ceil(x) if round_up else math.floor(x))
    return int(s)
