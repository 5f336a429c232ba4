"""The HorizontalPodAutoscaler controller (k/k pkg/controller/podautoscaler/horizontal.go).

Every 15 s of engine time (--horizontal-pod-autoscaler-sync-period) each HPA is synced: read the
target's scale subresource, compute a replica count per metric (replica_calculator.py; the
largest wins), then normalize it — without `behavior`: a scale down holds the highest
recommendation of the last 300 s (the downscale stabilization window) and a scale up is capped at
max(2 × current, 4) per sync; with `behavior`: the rules' stabilization windows and Pods/Percent
policies over their periods, chosen by selectPolicy — and clamp it to [minReplicas, maxReplicas].
A change is written through the target's scale subresource, with a SuccessfulRescale Event.
Status carries currentReplicas, desiredReplicas, currentMetrics, lastScaleTime and the
AbleToScale / ScalingActive / ScalingLimited conditions with upstream's reasons and messages.

The recommendations and scale events the windows and policies look back on live in this
controller's memory, as upstream's do (a restarted controller starts afresh).

Reconciles between syncs (our own status writes wake us too) do nothing but wait for the next
sync, as upstream's workqueue holds each key for the resync period.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .. import errors, objects, quantity, resources as kinds, selectors
from ..crd import definitions as crds
from ..crd import subresources as crd_paths
from ..events import NORMAL, WARNING
from ..loop import Controller, Result, own_key
from . import replica_calculator as calc

SYNC_PERIOD = 15.0
DOWNSCALE_STABILIZATION_WINDOW = 300          # --horizontal-pod-autoscaler-downscale-stabilization
SCALE_UP_LIMIT_FACTOR = 2.0
SCALE_UP_LIMIT_MINIMUM = 4.0
COMPONENT = "horizontal-pod-autoscaler"


@dataclass
class _Recommendation:
    replicas: int
    at: float


@dataclass
class _ScaleEvent:
    change: int
    at: float
    outdated: bool = False


class _Failed(Exception):
    """A sync that stopped early: its status is already written."""


def _milli_text(milli: int) -> str:
    """resource.NewMilliQuantity(v, DecimalSI).String()."""
    return quantity.format_quantity(quantity.parse_quantity(f"{milli}m"))


def _rules_window(rules: dict | None, default: int) -> int:
    w = (rules or {}).get("stabilizationWindowSeconds")
    return default if w is None else int(w)


class HorizontalController(Controller):
    name = "horizontal-pod-autoscaler-controller"
    event_sources = (COMPONENT,)

    def __init__(self, ctx):
        super().__init__(ctx)
        self._next_sync: dict[str, float] = {}
        self.recommendations: dict[str, list[_Recommendation]] = {}
        self.scale_up_events: dict[str, list[_ScaleEvent]] = {}
        self.scale_down_events: dict[str, list[_ScaleEvent]] = {}
        self._said: dict[str, str] = {}

    def handlers(self):
        return {"horizontalpodautoscalers": own_key}

    # ---- the loop ----------------------------------------------------------------------------

    def reconcile(self, key: str) -> Result | None:
        ns, name = objects.split_key(key)
        hpa = self.store.try_get(kinds.HPA, ns, name)
        now = self.clock.now()
        if hpa is None:
            for memory in (self._next_sync, self.recommendations, self.scale_up_events,
                           self.scale_down_events, self._said):
                memory.pop(key, None)
            return None
        due = self._next_sync.get(key)
        if due is None:                       # a new HPA: first synced one period after it is seen
            due = self._next_sync[key] = now + SYNC_PERIOD
        if now < due:
            return Result(due - now)
        self._next_sync[key] = now + SYNC_PERIOD
        try:
            self._sync(key, hpa, now)
        except _Failed:
            pass
        return Result(SYNC_PERIOD)

    # ---- one sync (reconcileAutoscaler) --------------------------------------------------------

    def _sync(self, key: str, hpa: dict, now: float) -> None:
        new = objects.clone(hpa)
        spec, status = new.get("spec") or {}, new.setdefault("status", {})
        ref = spec.get("scaleTargetRef") or {}
        target = self._target(new, ref)
        current = int((target.get("spec") or {}).get("replicas", 0) or 0)
        self._condition(new, "AbleToScale", "True", "SucceededGetScale",
                        "the HPA controller was able to get the target's current scale")
        self.recommendations.setdefault(key, [_Recommendation(current, now)])
        lo = spec.get("minReplicas")
        lo = 1 if lo is None else int(lo)
        hi = int(spec.get("maxReplicas") or 0)
        metric_statuses: list[dict] | None = status.get("currentMetrics")
        reason, desired, rescale = "", 0, True
        story, wanted = "", None
        if current == 0 and lo != 0:
            rescale = False
            self._condition(new, "ScalingActive", "False", "ScalingDisabled",
                            "scaling is disabled since the replica count of the target is zero")
            story = "the target has 0 replicas: autoscaling is disabled until it is scaled up"
        elif current > hi:
            reason, desired = "Current number of replicas above Spec.MaxReplicas", hi
        elif current < lo:
            reason, desired = "Current number of replicas below Spec.MinReplicas", lo
        else:
            proposal, metric_name, metric_statuses, story = self._metrics_replicas(key, new, target, current, now)
            desired = wanted = proposal
            if desired > current:
                reason = f"{metric_name} above target"
            elif desired < current:
                reason = "All metrics below target"
            if spec.get("behavior") is None:
                desired = self._normalize(new, key, current, desired, lo, hi, now)
            else:
                desired = self._normalize_with_behavior(new, key, current, desired, lo, hi, now)
            rescale = desired != current
            story += self._limits_story(new, proposal, desired, current)
        if rescale:
            rt = kinds.for_kind(ref.get("apiVersion") or "", ref.get("kind") or "")
            try:
                assert rt is not None
                merge = {"spec": {"replicas": desired}}
                if kinds.is_custom(rt):
                    merge = crd_paths.replicas_merge(crds.definition(rt), rt.version, desired)
                self.store.patch(rt, objects.namespace_of(new), ref.get("name") or "", "merge",
                                 merge, subresource="scale", sync=False)
            except errors.ApiError as e:
                self.recorder.event(hpa, WARNING, "FailedRescale",
                                    f"New size: {desired}; reason: {reason}; error: {e.message}", component=COMPONENT)
                self._condition(new, "AbleToScale", "False", "FailedUpdateScale",
                                f"the HPA controller was unable to update the target scale: {e.message}")
                self._set_status(new, current, status.get("desiredReplicas", 0), status.get("currentMetrics"), now, False)
                self._write_status(hpa, new)
                raise _Failed from None
            self._condition(new, "AbleToScale", "True", "SucceededRescale",
                            f"the HPA controller was able to update the target scale to {desired}")
            self.recorder.event(hpa, NORMAL, "SuccessfulRescale", f"New size: {desired}; reason: {reason}",
                                component=COMPONENT)
            self._store_scale_event(spec.get("behavior"), key, current, desired, now)
            self.decide(key, f"HorizontalPodAutoscaler {key}: {story} → scaling {ref.get('kind')} "
                             f"{ref.get('name')} from {current} to {desired}"
                             + (f" ({reason})" if reason else ""),
                        action="rescale", observed=current, desired=desired)
            self._said[key] = ""
        else:
            desired = current
            # a change wanted but held back (stabilization, limits): said once per reason
            # (at minReplicas or maxReplicas there is nothing to hold back: not worth a line)
            at_bound = (wanted is not None and ((wanted < current and current <= lo) or (wanted > current and current >= hi)))
            held = self._held_reason(new) if wanted is not None and wanted != current and not at_bound else ""
            if held and self._said.get(key) != held:
                self._said[key] = held
                self.decide(key, f"HorizontalPodAutoscaler {key}: {story} → keeping {current}",
                            action="hold", observed=current, desired=current)
            elif wanted == current:
                self._said[key] = ""
        self._set_status(new, current, desired, metric_statuses, now, rescale)
        self._write_status(hpa, new)

    @staticmethod
    def _conditions(hpa: dict) -> dict[str, dict]:
        return {c.get("type"): c for c in (hpa.get("status") or {}).get("conditions") or []}

    def _held_reason(self, hpa: dict) -> str:
        conds = self._conditions(hpa)
        return "/".join((conds.get(t) or {}).get("reason", "") for t in ("AbleToScale", "ScalingLimited"))

    def _limits_story(self, hpa: dict, proposal: int, desired: int, current: int) -> str:
        """Why the count set differs from the one the metrics asked for, in plain words."""
        if desired == proposal:
            return ""
        conds = self._conditions(hpa)
        behavior = (hpa.get("spec") or {}).get("behavior") or {}
        parts = []
        able = conds.get("AbleToScale") or {}
        if able.get("reason") == "ScaleDownStabilized":
            window = _rules_window(behavior.get("scaleDown"), DOWNSCALE_STABILIZATION_WINDOW)
            parts.append(f"the scale-down stabilization window keeps the highest recommendation of the last {window} s")
        elif able.get("reason") == "ScaleUpStabilized":
            window = _rules_window(behavior.get("scaleUp"), 0)
            parts.append(f"the scale-up stabilization window keeps the lowest recommendation of the last {window} s")
        limited = conds.get("ScalingLimited") or {}
        if limited.get("status") == "True":
            parts.append(limited.get("message") or "")
        return (", but " + " and ".join(parts) if parts else "") + f": {desired}"

    def _target(self, hpa: dict, ref: dict) -> dict:
        """The scale target (its scale subresource: spec.replicas and the selector)."""
        kind, name = ref.get("kind") or "", ref.get("name") or ""
        api_version = ref.get("apiVersion") or ""
        group = api_version.split("/")[0] if "/" in api_version else ""
        rt = kinds.for_kind(api_version, kind)
        if rt is None:
            message = f'no matches for kind "{kind}" in group "{group}"'
        elif "scale" not in rt.subresources:
            message = f"{rt.qualified} \"{name}\" not found"    # no scale subresource to ask
        else:
            obj = self.store.try_get(rt, objects.namespace_of(hpa), name)
            if obj is not None and kinds.is_custom(rt):      # a custom object: its CRD's scale paths
                return crd_paths.scale_target(crds.definition(rt), obj)
            if obj is not None:
                return obj
            message = f'{rt.qualified} "{name}" not found'
        self.recorder.event(hpa, WARNING, "FailedGetScale", message, component=COMPONENT)
        self._condition(hpa, "AbleToScale", "False", "FailedGetScale",
                        f"the HPA controller was unable to get the target's current scale: {message}")
        self._write_status(self.store.get(kinds.HPA, objects.namespace_of(hpa), objects.name_of(hpa)), hpa)
        self._tell(objects.key_of(hpa), f"cannot read the scale of {kind} {name}: {message}")
        raise _Failed

    def _tell(self, key: str, story: str) -> None:
        if self._said.get(key) != story:
            self._said[key] = story
            self.decide(key, f"HorizontalPodAutoscaler {key}: {story}", action="hold")

    # ---- metrics (computeReplicasForMetrics) -------------------------------------------------------

    def _metrics_replicas(self, key: str, hpa: dict, target: dict, current: int,
                          now: float) -> tuple[int, str, list[dict], str]:
        metrics = (hpa.get("spec") or {}).get("metrics") or []
        sel = (target.get("spec") or {}).get("selector")
        if not sel:
            message = "selector is required"
            self.recorder.event(hpa, WARNING, "SelectorRequired", message, component=COMPONENT)
            self._condition(hpa, "ScalingActive", "False", "InvalidSelector", "the HPA target's scale is missing a selector")
            self._fail_metrics(key, hpa, current, now, message)
        matches = selectors.label_selector_matcher(sel)
        pods = [p for p in self.store.iter(kinds.POD, objects.namespace_of(hpa)) if matches(objects.labels_of(p))]
        extra = self.ctx.load.extra_cpu(self.store) if self.ctx.load is not None else {}
        statuses: list[dict] = [{"type": ""} for _ in metrics]
        best, best_name, words = -1, "", []
        invalid, first_error, invalid_condition = 0, "", None
        for i, spec in enumerate(metrics):
            try:
                replicas, name, statuses[i], said = self._metric(spec, hpa, current, pods, now, extra)
            except calc.MetricError as e:
                invalid += 1
                if not first_error:
                    first_error, invalid_condition = str(e), self._last_invalid
                continue
            words.append(said)
            if replicas > best:
                best, best_name = replicas, name
        if invalid >= len(metrics) or (invalid and best < current):
            assert invalid_condition is not None
            self._condition(hpa, "ScalingActive", "False", *invalid_condition)
            self._fail_metrics(key, hpa, current, now,
                               f"invalid metrics ({invalid} invalid out of {len(metrics)}), first error is: {first_error}",
                               statuses)
        self._condition(hpa, "ScalingActive", "True", "ValidMetricFound",
                        f"the HPA was able to successfully calculate a replica count from {best_name}")
        return best, best_name, statuses, "; ".join(words) + f" → {best} wanted"

    def _fail_metrics(self, key: str, hpa: dict, current: int, now: float, message: str,
                      statuses: list[dict] | None = None) -> None:
        status = hpa.get("status") or {}
        self._set_status(hpa, current, status.get("desiredReplicas", 0), status.get("currentMetrics"), now, False)
        self._write_status(self.store.get(kinds.HPA, objects.namespace_of(hpa), objects.name_of(hpa)), hpa)
        self.recorder.event(hpa, WARNING, "FailedComputeMetricsReplicas", message, component=COMPONENT)
        self._tell(key, f"cannot compute a replica count: {message}")
        raise _Failed

    _last_invalid: tuple[str, str] = ("", "")

    def _metric(self, spec: dict, hpa: dict, current: int, pods: list[dict], now: float,
                extra: dict) -> tuple[int, str, dict, str]:
        mtype = spec.get("type")
        if mtype != "Resource":
            reason = {"Pods": "FailedGetPodsMetric", "Object": "FailedGetObjectMetric",
                      "External": "FailedGetExternalMetric",
                      "ContainerResource": "FailedGetContainerResourceMetric"}.get(mtype or "", "InvalidMetricSourceType")
            what = (spec.get(mtype[:1].lower() + mtype[1:]) if mtype else None) or {}
            mname = (what.get("metric") or {}).get("name") or what.get("name") or ""
            err = f"unable to get metric {mname}: no custom metrics API (custom.metrics.k8s.io) registered"
            self._unable(hpa, reason, err)
            raise calc.MetricError(f"failed to get {mname} metric value: {err}")
        src = spec.get("resource") or {}
        resource = src.get("name") or ""
        tgt = src.get("target") or {}
        metrics = calc.pod_metrics(pods, resource, now, extra)
        try:
            if tgt.get("averageValue") is not None:
                target_milli = quantity.milli_value(tgt["averageValue"])
                try:
                    p = calc.raw_resource_replicas(current, target_milli, resource, pods, metrics, now)
                except calc.MetricError as e:
                    raise calc.MetricError(f"failed to get {resource} usage: {e}") from None
                status = {"type": "Resource", "resource": {"name": resource, "current": {
                    "averageValue": _milli_text(p.raw)}}}
                said = f"{resource} {_milli_text(p.raw)} per pod (target {tgt['averageValue']})"
                return p.replicas, f"{resource} resource", status, said
            if tgt.get("averageUtilization") is None:
                raise calc.MetricError("invalid resource metric source: neither an average utilization target "
                                       "nor an average value (usage) target was set")
            goal = int(tgt["averageUtilization"])
            try:
                p = calc.resource_replicas(current, goal, resource, pods, metrics, now)
            except calc.MetricError as e:
                raise calc.MetricError(f"failed to get {resource} utilization: {e}") from None
        except calc.MetricError as e:
            self._unable(hpa, "FailedGetResourceMetric", str(e))
            raise calc.MetricError(f"failed to get {resource} resource metric value: {e}") from None
        status = {"type": "Resource", "resource": {"name": resource, "current": {
            "averageUtilization": p.utilization, "averageValue": _milli_text(p.raw)}}}
        said = f"{resource} at {p.utilization}% of request (target {goal}%)"
        return p.replicas, f"{resource} resource utilization (percentage of request)", status, said

    def _unable(self, hpa: dict, reason: str, message: str) -> None:
        """getUnableComputeReplicaCountCondition: a Warning Event now, the condition if all fail."""
        self.recorder.event(hpa, WARNING, reason, message, component=COMPONENT)
        self._last_invalid = (reason, f"the HPA was unable to compute the replica count: {message}")

    # ---- normalization -------------------------------------------------------------------------

    def _normalize(self, hpa: dict, key: str, current: int, desired: int, lo: int, hi: int, now: float) -> int:
        """normalizeDesiredReplicas: the downscale stabilization window, then the limits."""
        stabilized = desired
        recs = self.recommendations.setdefault(key, [])
        cutoff = now - DOWNSCALE_STABILIZATION_WINDOW
        old = None
        for i, r in enumerate(recs):
            if r.at < cutoff:
                old = i
            elif r.replicas > stabilized:
                stabilized = r.replicas
        if old is not None:
            recs[old] = _Recommendation(desired, now)
        else:
            recs.append(_Recommendation(desired, now))
        if stabilized != desired:
            self._condition(hpa, "AbleToScale", "True", "ScaleDownStabilized",
                            "recent recommendations were higher than current one, applying the highest recent recommendation")
        else:
            self._condition(hpa, "AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size")
        scale_up_limit = int(max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM))
        if hi > scale_up_limit:
            top, reason, message = scale_up_limit, "ScaleUpLimit", \
                "the desired replica count is increasing faster than the maximum scale rate"
        else:
            top, reason, message = hi, "TooManyReplicas", "the desired replica count is more than the maximum replica count"
        if stabilized < lo:
            out, reason, message = lo, "TooFewReplicas", "the desired replica count is less than the minimum replica count"
        elif stabilized > top:
            out = top
        else:
            out, reason, message = stabilized, "DesiredWithinRange", "the desired count is within the acceptable range"
        self._condition(hpa, "ScalingLimited", "False" if out == stabilized else "True", reason, message)
        return out

    def _normalize_with_behavior(self, hpa: dict, key: str, current: int, desired: int, lo: int, hi: int,
                                 now: float) -> int:
        """normalizeDesiredReplicasWithBehaviors: stabilization windows, then rate policies."""
        behavior = (hpa.get("spec") or {}).get("behavior") or {}
        up, down = behavior.get("scaleUp") or {}, behavior.get("scaleDown") or {}
        up_window = _rules_window(up, 0)
        down_window = _rules_window(down, DOWNSCALE_STABILIZATION_WINDOW)
        # stabilizeRecommendationWithBehaviors: the count is held between the lowest
        # recommendation of the scale-up window and the highest of the scale-down window
        up_cutoff, down_cutoff = now - up_window, now - down_window
        up_rec = down_rec = desired
        recs = self.recommendations.setdefault(key, [])
        old = None
        for i, r in enumerate(recs):
            if r.at > up_cutoff:
                up_rec = min(r.replicas, up_rec)
            if r.at > down_cutoff:
                down_rec = max(r.replicas, down_rec)
            if r.at < up_cutoff and r.at < down_cutoff:
                old = i
        stabilized = max(current, up_rec)
        stabilized = min(stabilized, down_rec)
        if old is not None:
            recs[old] = _Recommendation(desired, now)
        else:
            recs.append(_Recommendation(desired, now))
        if desired >= current:
            reason, message = "ScaleUpStabilized", \
                "recent recommendations were lower than current one, applying the lowest recent recommendation"
        else:
            reason, message = "ScaleDownStabilized", \
                "recent recommendations were higher than current one, applying the highest recent recommendation"
        if stabilized != desired:
            self._condition(hpa, "AbleToScale", "True", reason, message)
        else:
            self._condition(hpa, "AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size")
        # convertDesiredReplicasWithBehaviorRate
        out, reason, message = stabilized, "DesiredWithinRange", "the desired count is within the acceptable range"
        if stabilized > current:
            limit = max(_scale_up_limit(current, self.scale_up_events.get(key, []), up, now), current)
            if hi > limit:
                top, why, words = limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"
            else:
                top, why, words = hi, "TooManyReplicas", "the desired replica count is more than the maximum replica count"
            if stabilized > top:
                out, reason, message = top, why, words
        elif stabilized < current:
            limit = min(_scale_down_limit(current, self.scale_down_events.get(key, []), down, now), current)
            if lo < limit:
                bottom, why, words = limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate"
            else:
                bottom, why, words = lo, "TooFewReplicas", "the desired replica count is less than the minimum replica count"
            if stabilized < bottom:
                out, reason, message = bottom, why, words
        self._condition(hpa, "ScalingLimited", "False" if out == stabilized else "True", reason, message)
        return out

    def _store_scale_event(self, behavior: dict | None, key: str, before: int, after: int, now: float) -> None:
        if behavior is None:
            return                       # only the behavior rules look back on scale events
        if after > before:
            rules, events, change = behavior.get("scaleUp") or {}, self.scale_up_events.setdefault(key, []), after - before
        else:
            rules, events, change = behavior.get("scaleDown") or {}, self.scale_down_events.setdefault(key, []), before - after
        longest = max((int(p.get("periodSeconds") or 0) for p in rules.get("policies") or []), default=0)
        for e in events:
            if e.at < now - longest:
                e.outdated = True
        for i, e in enumerate(events):
            if e.outdated:
                events[i] = _ScaleEvent(change, now)
                return
        events.append(_ScaleEvent(change, now))

    # ---- status ---------------------------------------------------------------------------------

    def _condition(self, hpa: dict, ctype: str, status: str, reason: str, message: str) -> None:
        objects.set_condition(hpa.setdefault("status", {}),
                              {"type": ctype, "status": status, "reason": reason, "message": message},
                              self.now_iso())

    def _set_status(self, hpa: dict, current: int, desired: int, metric_statuses, now: float, rescale: bool) -> None:
        old = hpa.get("status") or {}
        status: dict = {}
        if current:
            status["currentReplicas"] = current
        status["desiredReplicas"] = desired
        status["currentMetrics"] = metric_statuses or None
        last = objects.iso(now) if rescale else old.get("lastScaleTime")
        if last:
            status["lastScaleTime"] = last
        if old.get("conditions"):
            status["conditions"] = old["conditions"]
        hpa["status"] = status

    def _write_status(self, stored: dict, new: dict) -> None:
        if stored.get("status") == new.get("status"):
            return                                     # updateStatusIfNeeded
        try:
            self.store.update(new, subresource="status", sync=False)
        except errors.Conflict:
            pass                                       # the next sync re-reads


def _changes_in_period(period: int, events: list[_ScaleEvent], now: float) -> int:
    return sum(e.change for e in events if e.at > now - period)


def _scale_up_limit(current: int, events: list[_ScaleEvent], rules: dict, now: float) -> int:
    """calculateScaleUpLimitWithScalingRules."""
    select = rules.get("selectPolicy") or "Max"
    if select == "Disabled":
        return current
    pick = min if select == "Min" else max
    result: int | None = None
    for p in rules.get("policies") or []:
        start = current - _changes_in_period(int(p.get("periodSeconds") or 0), events, now)
        if p.get("type") == "Pods":
            proposed = start + int(p.get("value") or 0)
        else:
            proposed = math.ceil(start * (1 + int(p.get("value") or 0) / 100))
        result = proposed if result is None else pick(result, proposed)
    return result if result is not None else current


def _scale_down_limit(current: int, events: list[_ScaleEvent], rules: dict, now: float) -> int:
    """calculateScaleDownLimitWithBehaviors."""
    select = rules.get("selectPolicy") or "Max"
    if select == "Disabled":
        return current
    pick = max if select == "Min" else min
    result: int | None = None
    for p in rules.get("policies") or []:
        start = current + _changes_in_period(int(p.get("periodSeconds") or 0), events, now)
        if p.get("type") == "Pods":
            proposed = start - int(p.get("value") or 0)
        else:
            proposed = int(start * (1 - int(p.get("value") or 0) / 100))
        result = proposed if result is None else pick(result, proposed)
    return result if result is not None else current
