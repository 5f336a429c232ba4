"""The kubernetes.io CRD task's "Validation rules" section with the real kubectl (both versions):
a CRD whose schema carries x-kubernetes-validations, an object breaking its rules refused with the
apiserver's text as kubectl prints it (one cause on the line, several as a list), an immutable
field's transition rule on update, a messageExpression, a rule added later (an unchanged value is
only warned about), and a CRD whose rule does not compile refused.
Manifests: testdata/crd-tutorial."""
from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "testdata" / "crd-tutorial"


def _f(name: str) -> str:
    return str(DATA / name)


def test_validation_rules_refuse_objects_with_the_apiservers_text(kube_crontab):
    kube = kube_crontab
    kube("apply", "-f", _f("resourcedefinition-rules.yaml"))
    kube("wait", "--for", "condition=established", "--timeout=20s", "crd/crontabs.stable.example.com")
    assert "maxReplicas\t<integer> -required-" in kube("explain", "crontab.spec").stdout

    cp = kube("create", "-f", _f("my-crontab-rules-invalid.yaml"), check=False)
    assert cp.returncode == 1
    assert cp.stderr == ('The CronTab "my-new-cron-object" is invalid: spec: Invalid value: "object": replicas '
                         "should be smaller than or equal to maxReplicas.\n")
    cp = kube("apply", "-f", _f("my-crontab-rules-invalid.yaml"), check=False)
    assert cp.returncode == 1
    assert cp.stderr == ('The CronTab "my-new-cron-object" is invalid: spec: Invalid value: "object": replicas '
                         "should be smaller than or equal to maxReplicas.\n")

    assert kube("apply", "-f", _f("my-crontab-rules-valid.yaml")).stdout == \
        "crontab.stable.example.com/my-new-cron-object created\n"
    # two rules broken at once, and a messageExpression's text
    cp = kube("patch", "ct", "my-new-cron-object", "--type=merge",
              "-p", '{"spec":{"minReplicas":30,"maxReplicas":200}}', check=False)
    assert cp.returncode == 1
    assert cp.stderr == ('The CronTab "my-new-cron-object" is invalid: \n'
                         '* spec: Invalid value: "object": replicas should be greater than or equal to minReplicas.\n'
                         '* spec.maxReplicas: Invalid value: "integer": maxReplicas 200 is above 100\n')
    # the transition rule: image is immutable once set
    cp = kube("patch", "ct", "my-new-cron-object", "--type=merge", "-p", '{"spec":{"image":"other"}}', check=False)
    assert cp.returncode == 1
    assert cp.stderr == ('The CronTab "my-new-cron-object" is invalid: spec.image: Invalid value: "string": '
                         "image is immutable\n")
    assert kube("patch", "ct", "my-new-cron-object", "--type=merge", "-p", '{"spec":{"replicas":6}}').stdout == \
        "crontab.stable.example.com/my-new-cron-object patched\n"

    # a rule added later: the object's unchanged cronSpec breaks it, which is only a warning
    kube("apply", "-f", _f("resourcedefinition-rules-later.yaml"))
    cp = kube("patch", "ct", "my-new-cron-object", "--type=merge", "-p", '{"spec":{"replicas":7}}')
    assert cp.stdout == "crontab.stable.example.com/my-new-cron-object patched\n"
    assert cp.stderr == 'Warning: spec.cronSpec: Invalid value: "string": cronSpec must start with */\n'
    cp = kube("patch", "ct", "my-new-cron-object", "--type=merge", "-p", '{"spec":{"cronSpec":"5 * * * *"}}',
              check=False)
    assert cp.returncode == 1
    assert cp.stderr == ('The CronTab "my-new-cron-object" is invalid: spec.cronSpec: Invalid value: "string": '
                         "cronSpec must start with */\n")


def test_a_rule_that_does_not_compile_refuses_the_crd(kube_crontab):
    kube = kube_crontab
    cp = kube("apply", "-f", _f("resourcedefinition-rules-broken.yaml"), check=False)
    assert cp.returncode == 1
    assert cp.stderr == (
        'The CustomResourceDefinition "crontabs.stable.example.com" is invalid: '
        "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[1].rule: Invalid value: "
        'apiextensions.ValidationRule{Rule:"self.replicas <= self.maxReplicas +", '
        'Message:"replicas should be smaller than or equal to maxReplicas.", MessageExpression:"", '
        'Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: '
        "compilation failed: ERROR: <input>:1:36: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', "
        "'.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n"
        " | self.replicas <= self.maxReplicas +\n"
        " | ...................................^\n")
