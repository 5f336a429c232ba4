"""The strict-decoding table knows every field of the served kinds and words problems as
sigs.k8s.io/json does."""
import pytest

from engine.admission import schema


def test_every_child_type_is_in_the_table_and_every_kind_is_served():
    for name, (_, kids) in schema.TYPES.items():
        for field, child in kids.items():
            assert child.lstrip("[]{}") in schema.TYPES, (name, field, child)
    for kind in schema.KINDS:
        assert {"apiVersion", "kind", "metadata"} <= schema.known_fields(kind)


def test_unknown_field_paths_use_dots_and_list_indices():
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x", "labelz": {}},
           "spec": {"replica": 3, "template": {"spec": {"containers": [
               {"name": "a", "imagee": "n", "ports": [{"containerPort": 80, "protcol": "TCP"}]}]}}}}
    assert schema.unknown_fields(obj) == ["metadata.labelz", "spec.replica", "spec.template.spec.containers[0].imagee",
                                          "spec.template.spec.containers[0].ports[0].protcol"]


def test_inline_structs_are_flattened():
    pod = {"kind": "Pod", "spec": {"volumes": [{"name": "v", "configMap": {"name": "c"}}],
                                   "containers": [{"name": "c", "livenessProbe": {"httpGet": {"port": 80}}}]}}
    assert schema.unknown_fields(pod) == []


@pytest.mark.parametrize("obj,message", [
    ({"kind": "Deployment", "spec": {"replicas": "3"}},
     "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"),
    ({"kind": "Pod", "metadata": {"labels": {"a": 1}}},
     "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"),
    ({"kind": "Pod", "spec": {"containers": {}}},
     "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container"),
    ({"kind": "Pod", "spec": {"restartPolicy": 5}},
     "json: cannot unmarshal number into Go struct field PodSpec.spec.restartPolicy of type v1.RestartPolicy"),
    ({"kind": "Pod", "spec": {"containers": [{"ports": [{"containerPort": 1.5}]}]}},
     "json: cannot unmarshal number 1.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"),
    ({"kind": "Service", "spec": {"ports": [{"targetPort": True}]}},
     "json: cannot unmarshal bool into Go value of type int32"),
])
def test_type_mismatches_are_worded_like_go(obj, message):
    assert schema.scan(obj)[0] == message


def test_nulls_are_accepted_anywhere():
    assert schema.scan({"kind": "Pod", "spec": {"nodeName": None, "containers": None}}) == (None, [])


def test_drop_unknown_keeps_known_fields():
    obj = {"kind": "Service", "spec": {"ipFamily": "IPv4", "ports": [{"port": 80, "bogus": 1}]}, "extra": 1}
    schema.drop_unknown(obj)
    assert obj == {"kind": "Service", "spec": {"ports": [{"port": 80}]}}


def test_bad_string_values_print_like_go_percent_q():
    from engine.admission.fields import go_quote, invalid
    assert go_quote('café\n"x"\\\x7f') == '"café\\n\\"x\\"\\\\\\x7f"'
    assert str(invalid("metadata.name", "Café", "bad")) == 'metadata.name: Invalid value: "Café": bad'
