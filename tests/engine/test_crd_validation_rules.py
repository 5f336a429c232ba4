"""CRDs' x-kubernetes-validations in the engine (engine/crd/cel_rules.py, crd_rule_checks.py): the
kubernetes.io page's CronTab rules on create and update with the apiserver's texts (the node's type
as the value, message / messageExpression / `failed rule:`, reason, fieldPath, `<nil>` at the
root), transition rules and optionalOldSelf, evaluation errors, rules kept from running by schema
errors, ratcheting of unchanged values, rules under lists and maps; and on the CRD side, the rules'
own checks and compile errors."""
from __future__ import annotations

import copy

import pytest

from engine import api_warnings, crds, errors
from engine import resources as kinds

SPEC = {
    "type": "object",
    "x-kubernetes-validations": [
        {"rule": "self.minReplicas <= self.replicas", "message": "replicas should be greater than or equal to minReplicas."},
        {"rule": "self.replicas <= self.maxReplicas", "message": "replicas should be smaller than or equal to maxReplicas."},
    ],
    "properties": {
        "minReplicas": {"type": "integer"},
        "replicas": {"type": "integer"},
        "maxReplicas": {"type": "integer"},
        "image": {"type": "string", "maxLength": 40},
    },
    "required": ["minReplicas", "replicas", "maxReplicas"],
}


def _crd(spec_schema: dict | None = None, root_rules: list | None = None) -> dict:
    schema: dict = {"type": "object", "properties": {"spec": copy.deepcopy(spec_schema or SPEC)}}
    if root_rules:
        schema["x-kubernetes-validations"] = root_rules
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "crontabs.stable.example.com"},
            "spec": {"group": "stable.example.com", "scope": "Namespaced",
                     "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab", "shortNames": ["ct"]},
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": schema}, "subresources": {"status": {}}}]}}


def _ct(name="my-new-cron-object", **spec) -> dict:
    return {"apiVersion": "stable.example.com/v1", "kind": "CronTab",
            "metadata": {"name": name, "namespace": "default"}, "spec": spec}


@pytest.fixture(autouse=True)
def no_custom_types_left_behind():
    yield
    crds.reset(())


def _refused(store, obj, update=False) -> errors.Invalid:
    with pytest.raises(errors.Invalid) as e:
        store.update(obj) if update else store.create(obj)
    return e.value


def _causes(e: errors.ApiError) -> list[str]:
    return [f'{c["field"]}: {c["message"]}' for c in e.status()["details"]["causes"]]


def test_the_pages_crontab_rules_refuse_with_the_apiservers_text(cluster):
    cluster.store.create(_crd())
    e = _refused(cluster.store, _ct(minReplicas=0, replicas=20, maxReplicas=10))
    assert e.message == ('CronTab.stable.example.com "my-new-cron-object" is invalid: spec: Invalid value: "object": '
                         "replicas should be smaller than or equal to maxReplicas.")
    assert e.status()["details"]["causes"] == [
        {"reason": "FieldValueInvalid", "field": "spec",
         "message": 'Invalid value: "object": replicas should be smaller than or equal to maxReplicas.'}]
    e = _refused(cluster.store, _ct(minReplicas=30, replicas=20, maxReplicas=10))
    assert _causes(e) == [
        'spec: Invalid value: "object": replicas should be greater than or equal to minReplicas.',
        'spec: Invalid value: "object": replicas should be smaller than or equal to maxReplicas.']
    assert e.message.endswith('is invalid: [spec: Invalid value: "object": replicas should be greater than or equal '
                              'to minReplicas., spec: Invalid value: "object": replicas should be smaller than or '
                              'equal to maxReplicas.]')
    made = cluster.store.create(_ct(minReplicas=0, replicas=5, maxReplicas=10))
    assert made["spec"]["replicas"] == 5
    bigger = copy.deepcopy(made)
    bigger["spec"]["replicas"] = 11
    assert _causes(_refused(cluster.store, bigger, update=True)) == [
        'spec: Invalid value: "object": replicas should be smaller than or equal to maxReplicas.']


def test_without_a_message_the_rule_is_quoted_and_a_root_rule_is_at_nil(cluster):
    spec = copy.deepcopy(SPEC)
    for rule in spec["x-kubernetes-validations"]:
        del rule["message"]
    cluster.store.create(_crd(spec, root_rules=[{"rule": "self.metadata.name.startsWith('my-')"},
                                                {"rule": "self.kind == 'CronTab' && self.apiVersion.endsWith('/v1')"}]))
    e = _refused(cluster.store, _ct("other", minReplicas=0, replicas=20, maxReplicas=10))
    assert _causes(e) == [
        "<nil>: Invalid value: \"object\": failed rule: self.metadata.name.startsWith('my-')",
        'spec: Invalid value: "object": failed rule: self.replicas <= self.maxReplicas']


def test_message_expression_reason_and_field_path(cluster):
    spec = {"type": "object", "properties": {
        "replicas": {"type": "integer"}, "maxReplicas": {"type": "integer"},
        "owner": {"type": "string"}, "ports": {"type": "array", "items": {"type": "integer"}},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}}},
        "x-kubernetes-validations": [
            {"rule": "self.replicas <= self.maxReplicas",
             "messageExpression": "'replicas ' + string(self.replicas) + ' exceed maxReplicas ' + string(self.maxReplicas)",
             "fieldPath": ".replicas"},
            {"rule": "has(self.owner)", "reason": "FieldValueRequired", "message": "an owner is required",
             "fieldPath": ".owner"},
            {"rule": "self.ports.size() < 3", "reason": "FieldValueForbidden", "message": "at most two ports"},
            {"rule": "self.ports.all(p, self.ports.exists_one(q, q == p))", "reason": "FieldValueDuplicate",
             "fieldPath": ".ports"},
            {"rule": "!('bad' in self.labels)", "message": "no bad label", "fieldPath": "['labels'].bad"},
            {"rule": "self.replicas > 100", "messageExpression": "self.missing + ''",
             "message": "fallback when messageExpression fails"}]}
    spec["properties"]["missing"] = {"type": "string"}
    cluster.store.create(_crd(spec))
    e = _refused(cluster.store, _ct(replicas=20, maxReplicas=10, ports=[1, 1, 2], labels={"bad": "x"}))
    assert _causes(e) == [
        'spec.replicas: Invalid value: "object": replicas 20 exceed maxReplicas 10',
        "spec.owner: Required value: an owner is required",
        "spec: Forbidden: at most two ports",
        'spec.ports: Duplicate value: "object"',
        'spec.labels[bad]: Invalid value: "object": no bad label',
        'spec: Invalid value: "object": fallback when messageExpression fails']
    reasons = [c["reason"] for c in e.status()["details"]["causes"]]
    assert reasons == ["FieldValueInvalid", "FieldValueRequired", "FieldValueForbidden", "FieldValueDuplicate",
                       "FieldValueInvalid", "FieldValueInvalid"]


def test_transition_rules_immutability_and_optional_old_self(cluster):
    spec = {"type": "object", "properties": {
        "title": {"type": "string", "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "Value is immutable"}]},
        "level": {"type": "integer", "x-kubernetes-validations": [
            {"rule": "self >= oldSelf", "message": "level may only grow"}]},
        "mode": {"type": "string", "x-kubernetes-validations": [
            {"rule": "oldSelf.hasValue() ? oldSelf.value() == self : self == 'initial'", "optionalOldSelf": True,
             "message": "mode starts as initial and never changes"}]}},
        "x-kubernetes-validations": [{"rule": "!has(oldSelf.title) || has(self.title)",
                                      "message": "title cannot be removed once set"}]}
    cluster.store.create(_crd(spec))
    # on create a transition rule is skipped, an optionalOldSelf one runs with oldSelf absent
    assert _causes(_refused(cluster.store, _ct(title="a", level=5, mode="other"))) == [
        'spec.mode: Invalid value: "string": mode starts as initial and never changes']
    made = cluster.store.create(_ct(title="a", level=5, mode="initial"))
    changed = copy.deepcopy(made)
    changed["spec"].update(title="b", level=4, mode="other")
    assert _causes(_refused(cluster.store, changed, update=True)) == [
        'spec.title: Invalid value: "string": Value is immutable',
        'spec.level: Invalid value: "integer": level may only grow',
        'spec.mode: Invalid value: "string": mode starts as initial and never changes']
    removed = copy.deepcopy(made)
    del removed["spec"]["title"]
    assert _causes(_refused(cluster.store, removed, update=True)) == [
        'spec: Invalid value: "object": title cannot be removed once set']
    grown = copy.deepcopy(made)
    grown["spec"].update(level=6)
    assert cluster.store.update(grown)["spec"]["level"] == 6
    # a field set for the first time on update has no old value: its transition rule is skipped
    other = cluster.store.create(_ct("other", mode="initial"))
    later = copy.deepcopy(other)
    later["spec"]["title"] = "set-later"
    assert cluster.store.update(later)["spec"]["title"] == "set-later"


def test_a_message_expression_sees_the_optional_old_self_its_rule_sees(cluster):
    spec = {"type": "object", "properties": {"mode": {"type": "string", "x-kubernetes-validations": [
        {"rule": "oldSelf.hasValue() ? oldSelf.value() == self : self == 'initial'", "optionalOldSelf": True,
         "message": "fallback", "messageExpression": "'was ' + oldSelf.orValue('nothing')"}]}}}
    cluster.store.create(_crd(spec))
    assert _causes(_refused(cluster.store, _ct(mode="other"))) == ['spec.mode: Invalid value: "string": was nothing']
    made = cluster.store.create(_ct(mode="initial"))
    changed = copy.deepcopy(made)
    changed["spec"]["mode"] = "other"
    assert _causes(_refused(cluster.store, changed, update=True)) == [
        'spec.mode: Invalid value: "string": was initial']


def test_evaluation_errors_and_int_or_string(cluster):
    spec = {"type": "object", "properties": {
        "replicas": {"type": "integer"}, "maxReplicas": {"type": "integer"},
        "port": {"x-kubernetes-int-or-string": True, "x-kubernetes-validations": [
            {"rule": "type(self) == int ? self < 65536 : self.matches('^[a-z]+$')", "message": "bad port"},
            {"rule": "self > 0"}]},
        "ratio": {"type": "number", "x-kubernetes-validations": [{"rule": "self <= 1.0"}]}},
        "x-kubernetes-validations": [{"rule": "self.replicas <= self.maxReplicas"},
                                     {"rule": "self.replicas * 4611686018427387904 >= 0", "message": "overflows"}]}
    cluster.store.create(_crd(spec))
    e = _refused(cluster.store, _ct(replicas=2, port="http", ratio=2))
    assert _causes(e) == [
        'spec: Invalid value: "object": no such key: maxReplicas evaluating rule: self.replicas <= self.maxReplicas',
        'spec: Invalid value: "object": integer overflow evaluating rule: overflows',
        "spec.port: Invalid value: \"\": 'no such overload': call arguments did not match a supported operator, "
        "function or macro signature for rule: self > 0",
        'spec.ratio: Invalid value: "number": failed rule: self <= 1.0']
    assert cluster.store.create(_ct(replicas=0, maxReplicas=1, port=8080, ratio=1))["spec"]["port"] == 8080


def test_schema_errors_keep_the_rules_from_running(cluster):
    cluster.store.create(_crd())
    e = _refused(cluster.store, _ct(minReplicas="0", replicas=20, maxReplicas=10))
    assert _causes(e) == [
        'spec.minReplicas: Invalid value: "string": spec.minReplicas in body must be of type integer: "string"',
        '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; '
        "correct the existing errors to complete validation"]
    e = _refused(cluster.store, _ct(replicas=20, maxReplicas=10))
    assert _causes(e)[-1].startswith("<nil>: Invalid value: \"null\": some validation rules were not checked")


def test_unchanged_values_ratchet_to_warnings_on_update(cluster):
    spec = {"type": "object", "properties": {
        "replicas": {"type": "integer"}, "note": {"type": "string"}, "image": {"type": "string"}}}
    cluster.store.create(_crd(spec))
    made = cluster.store.create(_ct(replicas=2, image="nginx"))
    # rules added to the CRD after the object was made
    crd = copy.deepcopy(cluster.store.get(kinds.CRD, "", "crontabs.stable.example.com"))
    spec_schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    spec_schema["x-kubernetes-validations"] = [{"rule": "self.replicas <= 1", "message": "one replica at most"}]
    spec_schema["properties"]["image"]["x-kubernetes-validations"] = [
        {"rule": "self.contains(':')", "message": "tag the image"}]
    cluster.store.update(crd)
    changed = copy.deepcopy(made)
    changed["spec"]["note"] = "touched"
    collected, token = api_warnings.begin()
    try:
        # spec changed, so its rule's failure is an error; spec.image did not: its failure is a warning
        assert _causes(_refused(cluster.store, changed, update=True)) == [
            'spec: Invalid value: "object": one replica at most']
        assert collected.texts == ['spec.image: Invalid value: "string": tag the image']
        changed["spec"]["replicas"] = 1
        assert cluster.store.update(changed)["spec"]["note"] == "touched"
        # a changed value gets the error
        changed = copy.deepcopy(cluster.store.get(kinds.lookup("stable.example.com", "crontabs"), "default",
                                                  "my-new-cron-object"))
        changed["spec"]["image"] = "redis"
        assert _causes(_refused(cluster.store, changed, update=True)) == [
            'spec.image: Invalid value: "string": tag the image']
    finally:
        api_warnings.end(token)


def test_rules_under_lists_and_maps_name_each_element(cluster):
    spec = {"type": "object", "properties": {
        "containers": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                       "items": {"type": "object", "required": ["name"],
                                 "properties": {"name": {"type": "string"}, "cpu": {"type": "integer"}},
                                 "x-kubernetes-validations": [
                                     {"rule": "self.cpu <= 4", "message": "at most 4 cpus"},
                                     {"rule": "!has(oldSelf.cpu) || self.cpu >= oldSelf.cpu",
                                      "message": "cpu may not shrink"}]}},
        "hosts": {"type": "array", "items": {"type": "string",
                                              "x-kubernetes-validations": [{"rule": "self.endsWith('.example.com')"}]}},
        "limits": {"type": "object", "additionalProperties": {"type": "integer",
                                                               "x-kubernetes-validations": [{"rule": "self > 0"}]}}}}
    cluster.store.create(_crd(spec))
    e = _refused(cluster.store, _ct(containers=[{"name": "a", "cpu": 2}, {"name": "b", "cpu": 8}],
                                    hosts=["a.example.com", "b.example.org"], limits={"x": 1, "y": 0}))
    assert _causes(e) == ['spec.containers[1]: Invalid value: "object": at most 4 cpus',
                          "spec.hosts[1]: Invalid value: \"string\": failed rule: self.endsWith('.example.com')",
                          'spec.limits[y]: Invalid value: "integer": failed rule: self > 0']
    made = cluster.store.create(_ct(containers=[{"name": "a", "cpu": 2}, {"name": "b", "cpu": 3}]))
    reordered = copy.deepcopy(made)
    reordered["spec"]["containers"] = [{"name": "b", "cpu": 1}, {"name": "a", "cpu": 2}, {"name": "c", "cpu": 1}]
    # the old item is found by its key (b moved to index 0); the new item c has no old value
    assert _causes(_refused(cluster.store, reordered, update=True)) == [
        'spec.containers[0]: Invalid value: "object": cpu may not shrink']


# ---- the CRD side --------------------------------------------------------------------------------

RULES = "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations"


def _crd_refused(cluster, rules: list, spec: dict | None = None) -> list[str]:
    schema = copy.deepcopy(spec or SPEC)
    schema["x-kubernetes-validations"] = rules
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(_crd(schema))
    return [str(f) for f in e.value.errors]


def test_a_rule_that_does_not_compile_refuses_the_crd(cluster):
    got = _crd_refused(cluster, [{"rule": "self.replicas <"}, {"rule": "self.replicaz > 1", "message": "m"},
                                 {"rule": "self.replicas", "reason": "FieldValueForbidden"}])
    assert got == [
        f'{RULES}[0].rule: Invalid value: apiextensions.ValidationRule{{Rule:"self.replicas <", Message:"", '
        'MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", '
        "OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:16: Syntax error: mismatched input "
        "'<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, "
        "STRING, BYTES, IDENTIFIER}\n | self.replicas <\n | ...............^",
        f'{RULES}[1].rule: Invalid value: apiextensions.ValidationRule{{Rule:"self.replicaz > 1", Message:"m", '
        'MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", '
        "OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:5: undefined field 'replicaz'\n"
        " | self.replicaz > 1\n | ....^",
        f'{RULES}[2].rule: Invalid value: apiextensions.ValidationRule{{Rule:"self.replicas", Message:"", '
        'MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(0xc000a1c2b0), FieldPath:"", '
        "OptionalOldSelf:(*bool)(nil)}: cel expression must evaluate to a bool"]
    assert cluster.store.list(kinds.CRD)[0] == []


@pytest.mark.parametrize("rule, want", [
    ({"rule": " "}, f"{RULES}[0].rule: Required value: rule is not specified"),
    ({"rule": "true", "message": " "}, f'{RULES}[0].message: Invalid value: " ": message must be non-empty if specified'),
    ({"rule": "true", "message": "a\nb"}, f'{RULES}[0].message: Invalid value: "a\\nb": message must not contain line breaks'),
    ({"rule": "true &&\ntrue"}, f"{RULES}[0].message: Required value: message must be specified if rule contains line breaks"),
    ({"rule": "true", "messageExpression": " "},
     f"{RULES}[0].messageExpression: Required value: messageExpression must be non-empty if specified"),
    ({"rule": "true", "reason": "FieldValueWrong"},
     f'{RULES}[0].reason: Unsupported value: "FieldValueWrong": supported values: "FieldValueDuplicate", '
     '"FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"'),
    ({"rule": "true", "fieldPath": ".nope"}, f'{RULES}[0].fieldPath: Invalid value: ".nope": fieldPath must be a valid path'),
    ({"rule": "true", "optionalOldSelf": True},
     f"{RULES}[0].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule"),
    ({"rule": "true", "messageExpression": "self.replicas"},
     f'{RULES}[0].messageExpression: Invalid value: apiextensions.ValidationRule{{Rule:"true", Message:"", '
     'MessageExpression:"self.replicas", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", '
     "OptionalOldSelf:(*bool)(nil)}: messageExpression must evaluate to a string"),
])
def test_the_rules_own_fields_are_checked(cluster, rule, want):
    assert _crd_refused(cluster, [rule]) == [want]


def test_old_self_is_refused_inside_a_list_that_does_not_correlate(cluster):
    spec = {"type": "object", "properties": {"hosts": {"type": "array", "items": {
        "type": "string", "x-kubernetes-validations": [{"rule": "self == oldSelf"}]}}}}
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(_crd(spec))
    assert [str(f) for f in e.value.errors] == [
        "spec.validation.openAPIV3Schema.properties[spec].properties[hosts].items.x-kubernetes-validations[0]"
        '.rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema '
        "within spec.validation.openAPIV3Schema.properties[spec].properties[hosts]"]


def test_valid_rules_are_accepted_and_kept_on_the_crd(cluster):
    made = cluster.store.create(_crd())
    rules = made["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["x-kubernetes-validations"]
    assert rules == SPEC["x-kubernetes-validations"]


def test_null_fields_are_absent_and_map_lists_compare_by_key(cluster):
    spec = {"type": "object", "properties": {
        "note": {"type": "string", "nullable": True},
        "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                  "items": {"type": "object", "required": ["name"], "properties": {
                      "name": {"type": "string"}, "port": {"type": "integer"}}},
                  "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "ports are immutable"}]}},
        "x-kubernetes-validations": [{"rule": "!has(self.note)", "message": "no note"}]}
    cluster.store.create(_crd(spec))
    made = cluster.store.create(_ct(note=None, ports=[{"name": "a", "port": 1}, {"name": "b", "port": 2}]))
    assert made["spec"]["note"] is None
    reordered = copy.deepcopy(made)
    reordered["spec"]["ports"].reverse()          # the same map list, in another order: equal
    assert cluster.store.update(reordered)["spec"]["ports"][0]["name"] == "b"
    changed = copy.deepcopy(cluster.store.get(kinds.lookup("stable.example.com", "crontabs"), "default",
                                              "my-new-cron-object"))
    changed["spec"]["ports"][0]["port"] = 9
    changed["spec"]["note"] = "x"
    assert _causes(_refused(cluster.store, changed, update=True)) == [
        'spec: Invalid value: "object": no note', 'spec.ports: Invalid value: "array": ports are immutable']


def test_versions_with_their_own_schemas_report_rules_per_version(cluster):
    crd = _crd()
    v2 = copy.deepcopy(crd["spec"]["versions"][0])
    v2.update(name="v2", storage=False)
    v2["schema"]["openAPIV3Schema"]["properties"]["spec"]["x-kubernetes-validations"] = [{"rule": "self.nope"}]
    crd["spec"]["versions"].append(v2)
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(crd)
    assert [f.field for f in e.value.errors] == [
        "spec.versions[1].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule"]
    assert "compilation failed: ERROR: <input>:1:5: undefined field 'nope'" in str(e.value.errors[0])


def test_rules_run_on_status_subresource_writes(cluster):
    schema = _crd()
    root = schema["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    root["properties"]["status"] = {"type": "object", "properties": {"ready": {"type": "integer"}},
                                    "x-kubernetes-validations": [
                                        {"rule": "!has(oldSelf.ready) || self.ready >= oldSelf.ready",
                                         "message": "ready may not go down"}]}
    cluster.store.create(schema)
    rt = kinds.lookup("stable.example.com", "crontabs")
    cluster.store.create(_ct(minReplicas=0, replicas=1, maxReplicas=2))
    cluster.store.patch(rt, "default", "my-new-cron-object", "merge", {"status": {"ready": 2}}, subresource="status")
    with pytest.raises(errors.Invalid) as e:
        cluster.store.patch(rt, "default", "my-new-cron-object", "merge", {"status": {"ready": 1}},
                            subresource="status")
    assert _causes(e.value) == ['status: Invalid value: "object": ready may not go down']


def test_a_rule_on_a_node_without_a_cel_type_is_refused(cluster):
    spec = {"type": "object", "properties": {"free": {"x-kubernetes-preserve-unknown-fields": True,
                                                      "x-kubernetes-validations": [{"rule": "true"}]}}}
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(_crd(spec))
    assert [str(f) for f in e.value.errors] == [
        "spec.validation.openAPIV3Schema.properties[spec].properties[free].x-kubernetes-validations: Internal error: "
        "rule declared on schema that does not support validation rules type: '' "
        "x-kubernetes-preserve-unknown-fields: 'true'"]


def test_defaults_are_checked_against_the_rules_when_the_crd_is_written(cluster):
    spec = {"type": "object", "properties": {
        "worker": {"type": "object", "default": {},
                   "properties": {"min": {"type": "integer", "default": 1}, "max": {"type": "integer", "default": 3},
                                  "mode": {"type": "string", "default": "Slow",
                                           "x-kubernetes-validations": [{"rule": "self in ['fast', 'slow']",
                                                                         "message": "fast or slow"}]}},
                   "x-kubernetes-validations": [{"rule": "self.min <= self.max"}]}}}
    with pytest.raises(errors.Invalid) as e:
        cluster.store.create(_crd(spec))
    # a default is checked as it is written: {} has no min (the fields' own defaults do not apply)
    assert [str(f) for f in e.value.errors] == [
        'spec.validation.openAPIV3Schema.properties[spec].properties[worker].default: Invalid value: "object": '
        "no such key: min evaluating rule: self.min <= self.max",
        'spec.validation.openAPIV3Schema.properties[spec].properties[worker].properties[mode].default: Invalid value: '
        '"string": fast or slow']
    spec["properties"]["worker"]["default"] = {"min": 1, "max": 3}
    spec["properties"]["worker"]["properties"]["mode"]["default"] = "slow"
    made = cluster.store.create(_crd(spec))
    assert made["metadata"]["name"] == "crontabs.stable.example.com"
