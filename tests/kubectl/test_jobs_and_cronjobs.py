"""Jobs and CronJobs through the real kubectl (both versions): the kubernetes.io pi Job runs to
completion and `kubectl logs job/pi` prints pi to 2000 digits; `kubectl wait
--for=condition=complete`; the JOBS and CRONJOBS columns of v1.32; describe; `kubectl create job`,
`create cronjob` and `create job --from=cronjob/x`; a `* * * * *` CronJob firing each simulated
minute (the server runs at 20x: a minute is three wall seconds); deleting a Job deletes its pods."""
from __future__ import annotations

import json
import re
from pathlib import Path

import engine.kubelet as kubelet_pkg

PI = (Path(kubelet_pkg.__file__).parent / "data" / "pi-2000.txt").read_text().strip()


def job(kube, name: str) -> dict:
    return kube.server.get_json(f"/apis/batch/v1/namespaces/{kube.ns}/jobs/{name}")


def cronjob(kube, name: str) -> dict:
    return kube.server.get_json(f"/apis/batch/v1/namespaces/{kube.ns}/cronjobs/{name}")


def jobs(kube) -> list[dict]:
    return kube.server.get_json(f"/apis/batch/v1/namespaces/{kube.ns}/jobs")["items"]


def complete(j: dict) -> bool:
    return any(c["type"] == "Complete" and c["status"] == "True" for c in j["status"].get("conditions") or ())


def test_the_pi_job_completes_and_its_log_is_pi(kube_ns):
    kube = kube_ns
    assert kube("apply", "-f", kube.file("job-pi.yaml")).stdout == "job.batch/pi created\n"
    out = kube("wait", "--for=condition=complete", "job/pi", "--timeout=60s")
    assert out.stdout == "job.batch/pi condition met\n"
    assert PI.startswith("3.14159265358979323846") and len(PI) == 2001
    assert kube("logs", "job/pi").stdout == PI + "\n"
    header, rows = kube.table("get", "jobs")
    assert header == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    (row,) = rows
    assert (row["NAME"], row["STATUS"], row["COMPLETIONS"]) == ("pi", "Complete", "1/1")
    assert re.fullmatch(r"\d+s", row["DURATION"]) and re.fullmatch(kube.AGE, row["AGE"])
    header, rows = kube.table("get", "jobs", "-o", "wide")
    assert header == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]
    uid = job(kube, "pi")["metadata"]["uid"]
    assert (rows[0]["CONTAINERS"], rows[0]["IMAGES"], rows[0]["SELECTOR"]) == \
        ("pi", "perl:5.34.0", f"batch.kubernetes.io/controller-uid={uid}")
    assert kube("get", "jobs", "--field-selector", "status.successful=1", "-o", "name").stdout == "job.batch/pi\n"
    (pod,) = kube.pods("batch.kubernetes.io/job-name=pi")
    assert pod["status"]["phase"] == "Succeeded" and not pod["metadata"].get("finalizers")
    header, rows = kube.table("get", "pods")
    assert [(r["NAME"], r["READY"], r["STATUS"]) for r in rows] == [(pod["metadata"]["name"], "0/1", "Completed")]
    described = kube("describe", "job", "pi").stdout
    for line in ("Name:             pi", "Completions:      1", "Parallelism:      1",
                 "Pods Statuses:    0 Active (0 Ready) / 1 Succeeded / 0 Failed",
                 f"Created pod: {pod['metadata']['name']}", "Completed", "Job completed"):
        assert line in described, described
    assert kube("delete", "job", "pi").stdout == kube.deleted('job.batch "pi"')
    kube.server.wait_until(lambda: not kube.pods("batch.kubernetes.io/job-name=pi"), 30,
                           message="the Job's pods deleted with it")


def test_kubectl_create_job_and_a_failing_job(kube_ns):
    kube = kube_ns
    out = kube("create", "job", "hi", "--image=busybox:1.36", "--", "sh", "-c", "echo hi; sleep 5")
    assert out.stdout == "job.batch/hi created\n"
    kube("wait", "--for=condition=complete", "job/hi", "--timeout=60s")
    assert kube("logs", "job/hi").stdout == "hi\n"
    st = job(kube, "hi")["status"]
    assert st["succeeded"] == 1 and st["uncountedTerminatedPods"] == {}
    out = kube("create", "job", "boom", "--image=busybox:1.36", "--", "sh", "-c", "exit 2")
    kube.server.wait_until(lambda: job(kube, "boom")["status"].get("failed", 0) >= 1, 30, message="a failure")
    kube("patch", "job", "boom", "--type=merge", "-p", json.dumps({"spec": {"activeDeadlineSeconds": 1}}))
    out = kube("wait", "--for=condition=failed", "job/boom", "--timeout=60s")
    assert out.stdout == "job.batch/boom condition met\n"
    header, rows = kube.table("get", "job", "boom")
    assert rows[0]["STATUS"] == "Failed"
    cond = next(c for c in job(kube, "boom")["status"]["conditions"] if c["type"] == "Failed")
    assert (cond["reason"], cond["message"]) == ("DeadlineExceeded", "Job was active longer than specified deadline")


def test_an_invalid_job_is_refused_with_the_apiserver_s_text(kube_ns):
    kube = kube_ns
    body = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "bad"},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}],
                                           "restartPolicy": "Always"}}}}
    out = kube("create", "-f", "-", input=json.dumps(body), check=False)
    assert out.returncode == 1
    assert out.stderr.strip() == ('The Job "bad" is invalid: spec.template.spec.restartPolicy: Unsupported value: '
                                  '"Always": supported values: "OnFailure", "Never"')


def test_a_cronjob_fires_each_minute_and_create_job_from_it(kube_ns):
    kube = kube_ns
    assert kube("apply", "-f", kube.file("cronjob-hello.yaml")).stdout == "cronjob.batch/hello created\n"
    kube.server.wait_until(lambda: len([j for j in jobs(kube) if complete(j)]) >= 2, 60,
                           message="two scheduled Jobs completed")
    names = sorted(j["metadata"]["name"] for j in jobs(kube))
    minutes = [int(n.rsplit("-", 1)[1]) for n in names]
    assert all(re.fullmatch(r"hello-\d{8}", n) for n in names)
    assert minutes == list(range(minutes[0], minutes[0] + len(minutes)))        # one each minute
    header, rows = kube.table("get", "cronjobs")
    assert header == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"]
    assert (rows[0]["NAME"], rows[0]["SCHEDULE"], rows[0]["TIMEZONE"], rows[0]["SUSPEND"]) == \
        ("hello", "* * * * *", "<none>", "False")
    assert re.fullmatch(kube.AGE, rows[0]["LAST SCHEDULE"])
    first = names[0]
    assert kube("logs", f"job/{first}").stdout.endswith("Hello from the Kubernetes cluster\n")
    out = kube("create", "job", "manual", "--from=cronjob/hello")
    assert out.stdout == "job.batch/manual created\n"
    manual = job(kube, "manual")
    assert manual["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
    assert manual["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    kube("wait", "--for=condition=complete", "job/manual", "--timeout=60s")
    described = kube("describe", "cronjob", "hello").stdout
    for line in ("Schedule:                      * * * * *", "Concurrency Policy:            Allow",
                 "SuccessfulCreate", f"Created job {first}"):
        assert line in described, described
    kube("patch", "cronjob", "hello", "--type=merge", "-p", '{"spec":{"suspend":true}}')
    header, rows = kube.table("get", "cj")
    assert rows[0]["SUSPEND"] == "True"
    kube("delete", "cronjob", "hello")
    # its Jobs (the manual one too: kubectl made the CronJob its owner) go with it
    kube.server.wait_until(lambda: not jobs(kube), 30, message="the CronJob's Jobs deleted with it")


def test_kubectl_create_cronjob(kube_ns):
    kube = kube_ns
    out = kube("create", "cronjob", "tick", "--image=busybox:1.36", "--schedule=*/5 * * * *", "--", "echo", "tick")
    assert out.stdout == "cronjob.batch/tick created\n"
    cj = cronjob(kube, "tick")
    assert cj["spec"]["schedule"] == "*/5 * * * *"
    assert cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"
    out = kube("create", "cronjob", "bad", "--image=busybox", "--schedule=61 * * * *", check=False)
    assert out.returncode == 1
    assert 'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61' in out.stderr
    assert "batch/v1" in kube("api-versions").stdout.split()
    res = kube("api-resources", "--api-group=batch").stdout
    assert re.search(r"^cronjobs\s+cj\s+batch/v1\s+true\s+CronJob$", res, re.M), res
    assert re.search(r"^jobs\s+batch/v1\s+true\s+Job$", res, re.M), res


def test_the_terminal_describes_and_lists_jobs_as_kubectl_does(kube):
    """The page's in-process kubectl beside the real one, clock paused: `get` byte for byte, and
    `describe` up to its Events (their ages are the client's wall clock against simulated time)."""
    kube("apply", "-f", kube.file("job-pi.yaml"))
    kube("apply", "-f", kube.file("cronjob-hello.yaml"))
    kube("create", "job", "par", "--image=busybox:1.36", "--", "sleep", "600")
    kube("wait", "--for=condition=complete", "job/pi", "--timeout=60s")
    kube.server.wait_until(lambda: cronjob(kube, "hello").get("status", {}).get("lastScheduleTime"), 30,
                           message="the CronJob fired")
    kube.server.post_json("/kubeplay/v1/clock", {"paused": True}, timeout=20)
    for command in ("get jobs", "get jobs -o wide", "get cronjobs", "get cronjobs -o wide", "get job pi",
                    "describe job pi", "describe job par", "describe cronjob hello", "describe jobs"):
        real = kube(*command.split(), check=False)
        mine = kube.server.post_json("/kubeplay/v1/terminal", {"command": command}, timeout=20)
        want, got = real.stdout + real.stderr, mine["output"]
        if command.startswith("describe"):
            assert "Pod Template:" in want, want
            want = re.sub(r"Events:.*?(?=\n\n\nName:|\Z)", "", want, flags=re.S)
            got = re.sub(r"Events:.*?(?=\n\n\nName:|\Z)", "", got, flags=re.S)
        assert (got, mine["exitCode"]) == (want, real.returncode), command


def test_the_terminal_creates_jobs_and_cronjobs_as_kubectl_does(kube_shared):
    """`create job|cronjob` typed in the page's terminal make the objects the real kubectl makes."""
    kube = kube_shared

    def term(command):
        # In the test's namespace (the real kubectl's context has it): `create <kind> <name> -n <ns> ...`.
        verb, kind, name, rest = command.split(" ", 3)
        command = f"{verb} {kind} {name} -n {kube.ns} {rest}"
        return kube.server.post_json("/kubeplay/v1/terminal", {"command": command}, timeout=20)

    out = kube("create", "job", "j-real", "--image=busybox:1.36", "--", "echo", "hi").stdout
    assert term("create job j-mine --image=busybox:1.36 -- echo hi") == {"output": out.replace("real", "mine"),
                                                                           "exitCode": 0}
    out = kube("create", "cronjob", "c-real", "--image=busybox:1.36", "--schedule=*/5 * * * *",
               "--", "echo", "tick").stdout
    assert term('create cronjob c-mine --image=busybox:1.36 --schedule="*/5 * * * *" -- echo tick') == {
        "output": out.replace("real", "mine"), "exitCode": 0}

    def spec(path, name):
        got = kube.server.get_json(f"/apis/batch/v1/namespaces/{kube.ns}/{path}")["spec"]
        got.pop("selector", None)
        (got.get("template") or {}).pop("metadata", None)
        return json.loads(json.dumps(got).replace(f"-{name}", "-X"))
    assert spec("jobs/j-real", "real") == spec("jobs/j-mine", "mine")
    assert spec("cronjobs/c-real", "real") == spec("cronjobs/c-mine", "mine")
    assert term("create job j2 --image=busybox --from=cronjob/c-real") == {
        "output": "error: --image and --from are mutually exclusive\n", "exitCode": 1}
    assert term("create job j3 --from=cronjob/c-real")["output"] == "job.batch/j3 created\n"
    j3 = job(kube, "j3")
    assert j3["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
    assert j3["metadata"]["ownerReferences"][0]["name"] == "c-real"


def test_an_indexed_job_names_its_pods_by_index_and_ttl_deletes_it(kube_ns):
    kube = kube_ns
    body = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "idx"},
            "spec": {"completions": 3, "parallelism": 3, "completionMode": "Indexed", "ttlSecondsAfterFinished": 200,
                     "template": {"spec": {"containers": [{"name": "c", "image": "busybox:1.36",
                                                           "command": ["sh", "-c", "echo work; sleep 2"]}],
                                           "restartPolicy": "Never"}}}}
    assert kube("create", "-f", "-", input=json.dumps(body)).stdout == "job.batch/idx created\n"
    # (read from the object that met the condition: the TTL clock starts there)
    out = kube("wait", "--for=condition=complete", "job/idx", "--timeout=60s",
               "-o", "jsonpath={.status.completedIndexes} {.status.succeeded}").stdout
    assert out == "0-2 3"
    names = sorted(p["metadata"]["name"] for p in kube.pods("batch.kubernetes.io/job-name=idx"))
    assert [n.rsplit("-", 1)[0] for n in names] == ["idx-0", "idx-1", "idx-2"]
    assert all(re.fullmatch(rf"idx-\d-{kube.SUFFIX}", n) for n in names)
    # 200 simulated seconds after it finished (ten wall seconds at 20x), the Job and its pods go
    out = kube("wait", "--for=delete", "job/idx", "--timeout=60s", check=False)
    assert out.returncode == 0, out.stderr
    kube.server.wait_until(lambda: not kube.pods("batch.kubernetes.io/job-name=idx"), 30,
                           message="the TTL-deleted Job's pods gone")
