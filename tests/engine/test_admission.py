"""Admission answers writes as a v1.32 apiserver does: the worked examples of k8s-semantics §1.6
with their exact texts, the defaults `kubectl get -o yaml` shows, strict decoding, update rules,
and inputs left untouched."""
import copy
import re

import pytest

from engine import errors
from engine.admission import admit_create, admit_status_update, admit_update, pod_qos_class
from engine.clock import ManualClock
from engine.store import Store

SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                 "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                 "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")

LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
             "start and end with an alphanumeric character (e.g. 'my-name' or '123-abc', regex used for "
             "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")


def deployment(name="web", **spec):
    d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
         "spec": {"selector": {"matchLabels": {"app": "web"}},
                  "template": {"metadata": {"labels": {"app": "web"}},
                               "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}}
    d["spec"].update(spec)
    return d


def pod(name="p", **spec):
    p = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
         "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}
    p["spec"].update(spec)
    return p


def service(name="web", **spec):
    s = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
         "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    s["spec"].update(spec)
    return s


def invalid(obj, fn=admit_create, *args) -> errors.Invalid:
    with pytest.raises(errors.Invalid) as e:
        fn(obj, *args)
    return e.value


def causes(err: errors.Invalid) -> list[str]:
    return [f"{c['field']}: {c['message']}" for c in err.status()["details"]["causes"]]


def stored(obj):
    """An admitted object as the store keeps it (a resourceVersion is required for updates)."""
    out = admit_create(obj)
    out["metadata"]["resourceVersion"] = "1"
    return out


# ---- §1.6 worked examples ---------------------------------------------------------------------

def test_example_1_an_uppercase_name_is_not_a_dns_subdomain():
    err = invalid(deployment("MyApp"))
    assert str(err) == f'Deployment.apps "MyApp" is invalid: metadata.name: Invalid value: "MyApp": {SUBDOMAIN_MSG}'
    st = err.status()
    assert st["code"] == 422 and st["reason"] == "Invalid"
    assert st["details"] == {"name": "MyApp", "group": "apps", "kind": "Deployment", "causes": [
        {"reason": "FieldValueInvalid", "message": f'Invalid value: "MyApp": {SUBDOMAIN_MSG}', "field": "metadata.name"}]}


def test_example_2_a_missing_selector_gives_two_causes():
    d = deployment()
    del d["spec"]["selector"]
    err = invalid(d)
    assert causes(err) == ["spec.selector: Required value",
                           'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`']
    assert str(err).startswith('Deployment.apps "web" is invalid: [spec.selector: Required value, ')
    assert err.status()["details"]["causes"][0]["reason"] == "FieldValueRequired"


def test_example_3_a_selector_that_does_not_match_the_template():
    err = invalid(deployment(selector={"matchLabels": {"app": "api"}}))
    assert str(err) == ('Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: '
                        '{"app":"web"}: `selector` does not match template `labels`')


@pytest.mark.parametrize("kind,api,word", [("Deployment", "apps/v1", "deployment"),
                                           ("ReplicaSet", "apps/v1", "deployment"),
                                           ("DaemonSet", "apps/v1", "daemonset"),
                                           ("StatefulSet", "apps/v1", "statefulset")])
def test_example_4_an_empty_selector_is_invalid(kind, api, word):
    d = deployment(selector={})
    d["kind"] = kind
    err = invalid(d)
    assert f"spec.selector: Invalid value: {{}}: empty selector is invalid for {word}" in causes(err)


def test_example_5_the_selector_is_immutable():
    old = stored(deployment())
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {"matchLabels": {"app": "web", "tier": "front"}}
    new["spec"]["template"]["metadata"]["labels"]["tier"] = "front"
    err = invalid(new, admit_update, old)
    assert str(err) == ('Deployment.apps "web" is invalid: spec.selector: Invalid value: '
                        '{"matchLabels":{"app":"web","tier":"front"}}: field is immutable')


def test_example_6_rolling_update_rules():
    err = invalid(deployment(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}))
    assert causes(err) == ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"]
    err = invalid(deployment(strategy={"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}))
    assert causes(err) == ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]
    err = invalid(deployment(strategy={"rollingUpdate": {"maxUnavailable": "150%"}}))
    assert causes(err) == ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%']


def test_example_7_templates_must_restart_always():
    d = deployment()
    d["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert causes(invalid(d)) == ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']


def test_example_8_node_port_range_through_the_store():
    store = Store(clock=ManualClock())
    store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    svc = service(type="NodePort")
    svc["spec"]["ports"][0]["nodePort"] = 80
    with pytest.raises(errors.Invalid) as e:
        store.create(svc)
    assert str(e.value) == ('Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is '
                            'not in the valid range. The range of valid ports is 30000-32767')


def test_example_9_an_unknown_field_is_a_strict_decoding_error():
    svc = service(ipFamily="IPv4")
    with pytest.raises(errors.BadRequest) as e:
        admit_create(svc)
    assert str(e.value) == ('Service in version "v1" cannot be handled as a Service: strict decoding error: '
                            'unknown field "spec.ipFamily"')
    assert e.value.status()["code"] == 400 and e.value.status()["reason"] == "BadRequest"


# ---- decoding ---------------------------------------------------------------------------------

def test_several_unknown_fields_are_listed_in_document_order():
    d = deployment(replica=3)
    d["spec"]["template"]["spec"]["containers"][0]["imagee"] = "nginx"
    with pytest.raises(errors.BadRequest) as e:
        admit_create(d)
    assert str(e.value) == ('Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
                            'unknown field "spec.template.spec.containers[0].imagee", unknown field "spec.replica"')


def test_without_strict_unknown_fields_are_dropped():
    d = deployment(replica=3)
    out = admit_create(d, strict=False)
    assert "replica" not in out["spec"] and out["spec"]["replicas"] == 1


def test_a_wrongly_typed_field_is_a_decode_error_even_without_strict():
    d = deployment(replicas="3")
    with pytest.raises(errors.BadRequest) as e:
        admit_create(d, strict=False)
    assert str(e.value) == ('Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal '
                            'string into Go struct field DeploymentSpec.spec.replicas of type int32')


def test_a_malformed_quantity_is_a_decode_error():
    p = pod()
    p["spec"]["containers"][0]["resources"] = {"limits": {"memory": "1Gb"}}
    with pytest.raises(errors.BadRequest) as e:
        admit_create(p)
    assert str(e.value) == ("Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular "
                            "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")


# ---- defaults as `kubectl get -o yaml` shows them ---------------------------------------------------

TEMPLATE_SPEC = {"containers": [{"name": "nginx", "image": "nginx", "imagePullPolicy": "Always", "resources": {},
                                 "terminationMessagePath": "/dev/termination-log",
                                 "terminationMessagePolicy": "File"}],
                 "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
                 "securityContext": {}, "terminationGracePeriodSeconds": 30}


def test_a_minimal_deployment_gets_the_real_defaults():
    out = admit_create(deployment())
    assert out["spec"] == {
        "progressDeadlineSeconds": 600, "replicas": 1, "revisionHistoryLimit": 10,
        "selector": {"matchLabels": {"app": "web"}},
        "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": TEMPLATE_SPEC}}


def test_a_minimal_pod_gets_defaults_and_what_admission_plugins_add():
    out = admit_create(pod())
    spec = out["spec"]
    vol = spec["volumes"][0]["name"]
    assert re.fullmatch(r"kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}", vol)
    assert spec == {
        "containers": [{"name": "nginx", "image": "nginx", "imagePullPolicy": "Always", "resources": {},
                        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                        "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                                          "name": vol, "readOnly": True}]}],
        "dnsPolicy": "ClusterFirst", "enableServiceLinks": True, "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0, "restartPolicy": "Always", "schedulerName": "default-scheduler", "securityContext": {},
        "serviceAccount": "default", "serviceAccountName": "default", "terminationGracePeriodSeconds": 30,
        "tolerations": [
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300}],
        "volumes": [{"name": vol, "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
            {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                        "path": "namespace"}]}}]}}]}


def test_pod_templates_get_pod_spec_defaults_but_not_the_pod_only_mutations():
    d = deployment()
    d["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "1"}}
    tspec = admit_create(d)["spec"]["template"]["spec"]
    for absent in ("volumes", "tolerations", "serviceAccountName", "priority", "enableServiceLinks"):
        assert absent not in tspec
    assert tspec["containers"][0]["resources"] == {"limits": {"cpu": "1"}}


def test_pod_requests_default_to_limits_and_quantities_are_canonical():
    p = pod()
    p["spec"]["containers"][0]["image"] = "nginx:1.27"
    p["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "0.5", "memory": "1.5Gi"}, "requests": {"cpu": 0.25}}
    c = admit_create(p)["spec"]["containers"][0]
    assert c["resources"] == {"limits": {"cpu": "500m", "memory": "1536Mi"}, "requests": {"cpu": "250m", "memory": "1536Mi"}}
    assert c["imagePullPolicy"] == "IfNotPresent"


def test_a_minimal_service_gets_the_real_defaults():
    assert admit_create(service())["spec"] == {
        "internalTrafficPolicy": "Cluster", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
        "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}], "selector": {"app": "web"},
        "sessionAffinity": "None", "type": "ClusterIP"}
    lb = admit_create(service(type="LoadBalancer"))["spec"]
    assert lb["externalTrafficPolicy"] == "Cluster" and lb["allocateLoadBalancerNodePorts"] is True


def test_namespace_statefulset_and_daemonset_defaults():
    ns = admit_create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "dev"}
    assert ns["status"] == {"phase": "Active"}
    sts = deployment()
    sts["kind"] = "StatefulSet"
    spec = admit_create(sts)["spec"]
    assert spec["podManagementPolicy"] == "OrderedReady" and spec["replicas"] == 1
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    ds = deployment()
    ds["kind"] = "DaemonSet"
    out = admit_create(ds)
    assert out["spec"]["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    assert out["metadata"]["annotations"] == {"deprecated.daemonset.template.generation": "1"}


# ---- validation beyond the worked examples ---------------------------------------------------------

def test_pod_validation_reports_every_problem_in_upstream_order():
    p = pod()
    p["spec"]["containers"] = [
        {"name": "Web", "image": "nginx", "ports": [{"containerPort": 70000, "protocol": "ICMP"}]},
        {"name": "Web", "image": ""}]
    p["spec"]["restartPolicy"] = "Sometimes"
    assert causes(invalid(p)) == [
        f'spec.containers[0].name: Invalid value: "Web": {LABEL_MSG}',
        "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
        'spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
        f'spec.containers[1].name: Invalid value: "Web": {LABEL_MSG}',
        "spec.containers[1].image: Required value",
        'spec.containers[1].name: Duplicate value: "Web"',
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']


def test_service_port_rules():
    err = invalid(service(ports=[{"port": 80}, {"port": 80, "name": "b"}]))
    assert causes(err) == [
        "spec.ports[0].name: Required value",
        'spec.ports[1]: Duplicate value: {"Name":"","Protocol":"TCP","AppProtocol":null,"Port":80,"TargetPort":0,"NodePort":0}']
    assert causes(invalid(service(ports=[]))) == ["spec.ports: Required value"]
    assert admit_create(service(ports=[], clusterIP="None"))["spec"]["clusterIPs"] == ["None"]


def test_label_and_selector_messages():
    d = deployment()
    d["metadata"]["labels"] = {"bad key!": "ok", "k": "-bad"}
    d["spec"]["selector"] = {"matchLabels": {"app": "web"},
                             "matchExpressions": [{"key": "a", "operator": "In"},
                                                  {"key": "b", "operator": "Exists", "values": ["x"]}]}
    got = causes(invalid(d))
    assert got[:2] == [
        'metadata.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters, '
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName' or 'my.name' or "
        "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        'metadata.labels: Invalid value: "-bad": a valid label must be an empty string or consist of alphanumeric '
        "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue' or "
        "'my_value' or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]
    assert "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'" in got
    assert "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'" in got


def test_two_controller_owner_references():
    p = pod()
    p["metadata"]["ownerReferences"] = [
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "a", "uid": "1", "controller": True},
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "b", "uid": "2", "controller": True}]
    got = causes(invalid(p))
    assert got == ['metadata.ownerReferences: Invalid value: [{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"a",'
                   '"uid":"1","controller":true},{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"b","uid":"2",'
                   '"controller":true}]: Only one reference can have Controller set to true. Found "true" in references '
                   'for ReplicaSet/a and ReplicaSet/b']


def test_name_rules_per_kind():
    svc = service(name="1web")
    assert causes(invalid(svc)) == [
        'metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '
        "'-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name' or 'abc-123', "
        "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]
    sts = deployment("db.1")
    sts["kind"] = "StatefulSet"
    assert causes(invalid(sts)) == ['metadata.name: Invalid value: "db.1": must not contain dots']
    nameless = deployment("")
    assert causes(invalid(nameless)) == ["metadata.name: Required value: name or generateName is required"]
    generated = deployment("")
    generated["metadata"]["generateName"] = "web-"
    assert re.fullmatch(r"web-[a-z0-9]{5}", admit_create(generated)["metadata"]["name"])


def test_progress_deadline_and_replicas():
    got = causes(invalid(deployment(replicas=-1, minReadySeconds=30, progressDeadlineSeconds=10)))
    assert got == ["spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                   "spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds"]


def test_tolerations_and_node_selector():
    p = pod(tolerations=[{"operator": "Equal", "value": "x"}, {"key": "k", "operator": "Exists", "value": "v",
                                                               "effect": "NoSchedule", "tolerationSeconds": 5}],
            nodeSelector={"disk": "ssd!"})
    got = causes(invalid(p))
    assert 'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"' in got
    assert 'spec.tolerations[1].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set' in got
    assert 'spec.tolerations[1].operator: Invalid value: "v": value must be empty when `operator` is \'Exists\'' in got
    assert any(c.startswith('spec.nodeSelector: Invalid value: "ssd!": a valid label must be') for c in got)


def test_resources_must_parse_and_requests_fit_limits():
    p = pod()
    p["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "500m"}, "requests": {"cpu": "1"}}
    assert causes(invalid(p)) == ['spec.containers[0].resources.requests: Invalid value: "1": must be less than or '
                                  'equal to cpu limit of 500m']


def test_unknown_priority_class_is_forbidden():
    with pytest.raises(errors.Forbidden) as e:
        admit_create(pod(priorityClassName="gold"))
    assert str(e.value) == 'pods "p" is forbidden: no PriorityClass with name gold was found'
    assert admit_create(pod(priorityClassName="system-node-critical"))["spec"]["priority"] == 2000001000


# ---- updates --------------------------------------------------------------------------------------

def test_pod_spec_is_immutable_except_images_and_a_few_fields():
    old = stored(pod())
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["image"] = "nginx:1.27"
    new["spec"]["activeDeadlineSeconds"] = 30
    out = admit_update(new, old)
    assert out["spec"]["containers"][0]["image"] == "nginx:1.27"
    new["spec"]["restartPolicy"] = "Never"
    err = invalid(new, admit_update, old)
    assert len(err.errors) == 1
    assert str(err).startswith(
        'Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than '
        '`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,'
        '`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` '
        '(allow it to be set to 1 if it was previously negative)\n  core.PodSpec{')
    assert '- \tRestartPolicy: "Always",' in str(err) and '+ \tRestartPolicy: "Never",' in str(err)


def test_pod_containers_may_not_be_added():
    old = stored(pod())
    new = copy.deepcopy(old)
    new["spec"]["containers"].append({"name": "side", "image": "busybox"})
    assert "spec.containers: Forbidden: pod updates may not add or remove containers" in causes(invalid(new, admit_update, old))


def test_metadata_name_namespace_and_uid_are_immutable():
    old = stored(deployment())
    old["metadata"]["uid"] = "u-1"
    new = copy.deepcopy(old)
    new["metadata"].update(name="web2", uid="u-2")
    assert causes(invalid(new, admit_update, old)) == [
        'metadata.name: Invalid value: "web2": field is immutable',
        'metadata.uid: Invalid value: "u-2": field is immutable']


def test_service_cluster_ip_is_immutable_and_kept_when_left_out():
    old = stored(service())
    old["spec"].update(clusterIP="10.96.0.10", clusterIPs=["10.96.0.10"])
    new = copy.deepcopy(old)
    del new["spec"]["clusterIP"], new["spec"]["clusterIPs"]
    assert admit_update(new, old)["spec"]["clusterIPs"] == ["10.96.0.10"]
    new["spec"]["clusterIP"] = "10.96.0.11"
    assert causes(invalid(new, admit_update, old)) == [
        'spec.clusterIPs[0]: Invalid value: ["10.96.0.11"]: may not change once set']


def test_statefulset_spec_outside_the_mutable_fields_is_forbidden():
    sts = deployment("db")
    sts["kind"] = "StatefulSet"
    old = stored(sts)
    new = copy.deepcopy(old)
    new["spec"]["serviceName"] = "other"
    assert causes(invalid(new, admit_update, old)) == [
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
        "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"]


def test_daemonset_template_change_bumps_the_template_generation_annotation():
    ds = deployment("agent")
    ds["kind"] = "DaemonSet"
    old = stored(ds)
    new = copy.deepcopy(old)
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    assert admit_update(new, old)["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "2"


def test_status_update_checks_counts_and_is_cheap():
    old = stored(deployment())
    new = dict(old, status={"replicas": 1, "readyReplicas": 2})
    assert causes(invalid(new, admit_status_update, old)) == [
        "status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas"]
    ok = dict(old, status={"replicas": 2, "readyReplicas": 2, "availableReplicas": 2})
    assert admit_status_update(ok, old)["status"]["readyReplicas"] == 2


# ---- inputs are never mutated ---------------------------------------------------------------------

@pytest.mark.parametrize("make", [deployment, pod, service])
def test_admission_never_mutates_its_inputs(make):
    obj = make()
    snapshot = copy.deepcopy(obj)
    out = admit_create(obj)
    assert obj == snapshot and out is not obj
    old = stored(make())
    old_snapshot = copy.deepcopy(old)
    new = copy.deepcopy(old)
    new_snapshot = copy.deepcopy(new)
    admit_update(new, old)
    admit_status_update(new, old)
    assert old == old_snapshot and new == new_snapshot


def test_qos_classes():
    assert pod_qos_class(admit_create(pod())) == "BestEffort"
    g = pod()
    g["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "1", "memory": "1Gi"}}
    assert pod_qos_class(admit_create(g)) == "Guaranteed"
    b = pod()
    b["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "100m"}}
    assert pod_qos_class(admit_create(b)) == "Burstable"
