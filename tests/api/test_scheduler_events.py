"""The kube-scheduler's Events as the API serves them: the events.k8s.io/v1 recorder's shape read
as core/v1 (eventTime, no firstTimestamp/lastTimestamp/count, source {}), and `kubectl get
events` / `kubectl describe` columns computed from eventTime and series as printEvent and
DescribeEvents compute them."""
import re

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


def unschedulable(cluster):
    cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "big", "namespace": "default"},
                          "spec": {"containers": [{"name": "c", "image": "nginx:1.27",
                                                   "resources": {"requests": {"cpu": "64"}}}]}})
    cluster.run_until_idle()


def failed_scheduling(client):
    r = client.get("/api/v1/namespaces/default/events")
    assert r.status_code == 200
    return sorted((e for e in r.get_json()["items"] if e["reason"] == "FailedScheduling"),
                  key=lambda e: e["eventTime"])


def test_a_scheduler_event_is_served_with_null_timestamps_and_no_count(cluster, client):
    unschedulable(cluster)
    (ev,) = failed_scheduling(client)
    assert ev["firstTimestamp"] is None and ev["lastTimestamp"] is None
    assert "count" not in ev and ev["source"] == {}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", ev["eventTime"])
    assert (ev["action"], ev["reportingComponent"], ev["reportingInstance"]) == (
        "Scheduling", "default-scheduler", "default-scheduler-kubeplay-control-plane")


def test_the_events_table_shows_a_series_count_and_its_last_observation(cluster, client):
    unschedulable(cluster)
    cluster.advance(300)              # a second Event (the pod has a new resourceVersion)
    cluster.advance(300)              # ... and its repeat: series count 2
    series = failed_scheduling(client)[1]
    assert series["series"]["count"] == 2
    r = client.get("/api/v1/namespaces/default/events", headers={"Accept": TABLE})
    table = r.get_json()
    names = [c["name"] for c in table["columnDefinitions"]]
    rows = {row["cells"][names.index("Name")]: dict(zip(names, row["cells"])) for row in table["rows"]}
    row = rows[series["metadata"]["name"]]
    assert (row["Last Seen"], row["First Seen"], row["Count"]) == ("0s", "5m", 2)
    assert row["Source"] == "default-scheduler, default-scheduler-kubeplay-control-plane"


def test_describe_shows_the_series_as_x2_over(cluster, k):
    unschedulable(cluster)
    cluster.advance(300)
    cluster.advance(300)
    out, code = k("kubectl describe pod big")
    assert code == 0
    lines = [line for line in out.splitlines() if "FailedScheduling" in line]
    assert len(lines) == 2, out
    assert re.search(r"Warning\s+FailedScheduling\s+10m\s+default-scheduler\s+0/3 nodes", lines[0]), out
    assert re.search(r"Warning\s+FailedScheduling\s+0s \(x2 over 5m\)\s+default-scheduler\s+0/3 nodes", lines[1]), out


def test_field_selectors_on_source_and_reporting_component(cluster, client):
    """EventToSelectableFields: `source` is source.component (empty for the scheduler's Events),
    `reportingComponent` the reportingController."""
    unschedulable(cluster)

    def reasons(selector):
        r = client.get("/api/v1/namespaces/default/events", query_string={"fieldSelector": selector})
        assert r.status_code == 200, r.get_json()
        return {e["reason"] for e in r.get_json()["items"]}
    assert reasons("reportingComponent=default-scheduler") == {"FailedScheduling"}
    assert "FailedScheduling" not in reasons("source=default-scheduler")
    assert "FailedScheduling" in reasons("source=")
