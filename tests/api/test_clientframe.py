"""webapp/api/clientframe.py and webapp/api/timeshift.py: timestamps served in the client's frame
(the unit parts; the real kubectl's view is tests/kubectl/test_time_and_kubectl_ages.py)."""
from __future__ import annotations

import time

from engine import ManualClock, ScaledClock
from webapp.api.timeshift import shift_seconds, shifted


def test_the_clocks_lead_over_the_wall_clock():
    assert ManualClock().lead() == 0.0
    clock = ScaledClock(speed=1.0, start=time.time() + 300)
    assert 299 < clock.lead() < 301
    clock.pause()
    clock.step(60)
    assert 359 < clock.lead() < 361


def test_the_shift_is_whole_seconds_rounded_up_and_none_under_a_second():
    assert [shift_seconds(x) for x in (0.0, 0.4, -0.9, 1.2, 359.01, -30.7)] == [0, 0, 0, 2, 360, -30]


def test_only_timestamps_move_and_user_maps_stay():
    pod = {"metadata": {"name": "p", "creationTimestamp": "2026-12-03T06:10:00Z",
                        "annotations": {"time": "2026-12-03T06:10:00Z"},
                        "managedFields": [{"manager": "kubectl", "time": "2026-12-03T06:10:00Z"}]},
           "status": {"conditions": [{"type": "Ready", "lastTransitionTime": "2026-12-03T06:10:05Z"}],
                      "startTime": "not a time"}}
    lease = {"spec": {"renewTime": "2026-12-03T06:10:00.250000Z"}}
    out = shifted(pod, 65)
    assert out["metadata"]["creationTimestamp"] == "2026-12-03T06:08:55Z"
    assert out["metadata"]["managedFields"][0]["time"] == "2026-12-03T06:08:55Z"
    assert out["metadata"]["annotations"] == {"time": "2026-12-03T06:10:00Z"}
    assert out["status"]["conditions"][0]["lastTransitionTime"] == "2026-12-03T06:09:00Z"
    assert out["status"]["startTime"] == "not a time"
    assert pod["metadata"]["creationTimestamp"] == "2026-12-03T06:10:00Z", "the stored object is not changed"
    assert shifted(lease, -10)["spec"]["renewTime"] == "2026-12-03T06:10:10.250000Z"
    assert shifted(pod, 0) is pod
