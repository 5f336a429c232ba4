"""What the apiserver refuses, as kubectl shows it. Issue 2, point 5, and strict field validation."""
from __future__ import annotations


def test_seed_yaml_without_selector_is_refused_and_nothing_is_created(kube_shared):
    kube = kube_shared
    out = kube("apply", "-f", kube.file("login-no-selector.yaml"), check=False)
    assert out.returncode == 1
    assert out.stdout == ""
    # A nil selector also fails the "selector matches template labels" check: two causes.
    assert out.stderr == (
        'The Deployment "login-app" is invalid: \n'
        "* spec.selector: Required value\n"
        '* spec.template.metadata.labels: Invalid value: {"app":"login"}: `selector` does not match template `labels`\n')
    got = kube("get", "deploy")
    assert (got.stdout, got.stderr) == ("", f"No resources found in {kube.ns} namespace.\n")
    got = kube("get", "pods")
    assert (got.stdout, got.stderr) == ("", f"No resources found in {kube.ns} namespace.\n")


def test_seed_yaml_without_selector_is_refused_by_create_too(kube_shared):
    kube = kube_shared
    out = kube("create", "-f", kube.file("login-no-selector.yaml"), check=False)
    assert out.returncode == 1
    assert out.stderr.startswith('The Deployment "login-app" is invalid: \n* spec.selector: Required value\n'), out.stderr


def test_unknown_field_is_refused_under_strict_validation(kube_shared):
    kube = kube_shared
    out = kube("apply", "-f", kube.file("login-typo.yaml"), check=False)
    assert out.returncode == 1
    assert out.stderr == (
        'Error from server (BadRequest): error when creating "' + kube.file("login-typo.yaml") + '": '
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"\n')
    assert kube("get", "deploy").stdout == ""


def test_unknown_field_is_dropped_with_validate_false(kube_shared):
    kube = kube_shared
    out = kube("apply", "--validate=false", "-f", kube.file("login-typo.yaml"))
    assert out.stdout == "deployment.apps/login-app created\n"
    # `replica` was dropped, so replicas defaulted to 1.
    assert kube.deployment("login-app")["spec"]["replicas"] == 1
    kube.wait_running("app=login", 1)


def test_invalid_replica_count_is_refused_with_the_field_path(kube_shared):
    kube = kube_shared
    out = kube("create", "deployment", "web", "--image=nginx", "--replicas=-1", check=False)
    assert out.returncode == 1
    assert "spec.replicas: Invalid value: -1: must be greater than or equal to 0" in out.stderr, out.stderr


def test_uppercase_name_is_refused_with_the_apiserver_message(kube_shared):
    kube = kube_shared
    out = kube("run", "MyApp", "--image=nginx", check=False)
    assert out.returncode == 1
    # kubectl run names the container after the pod, so both names are refused.
    assert out.stderr == (
        'The Pod "MyApp" is invalid: \n'
        '* metadata.name: Invalid value: "MyApp": a lowercase RFC 1123 subdomain must consist of lower case '
        "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
        "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n"
        '* spec.containers[0].name: Invalid value: "MyApp": a lowercase RFC 1123 label must consist of lower case '
        "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name' "
        "or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')\n"), out.stderr


def test_creating_an_existing_deployment_is_already_exists(kube_shared):
    kube = kube_shared
    assert kube("create", "-f", kube.file("login.yaml")).stdout == "deployment.apps/login-app created\n"
    out = kube("create", "-f", kube.file("login.yaml"), check=False)
    assert out.returncode == 1
    assert out.stderr == ('Error from server (AlreadyExists): error when creating "' + kube.file("login.yaml") +
                          '": deployments.apps "login-app" already exists\n')
