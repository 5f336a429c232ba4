"""The editor tied to the cluster (issue 9 item 2), in real Chromium at 1400×900 and 1024×700:
selecting an object shows its live desired state; an unedited buffer follows the cluster, an
edited one says when the cluster changed under it (after the real `kubectl scale`) and offers
the difference; Apply previews the change and the pods it creates, replaces or deletes before
Confirm; replacing unsaved edits asks first; errors sit at their lines, with plain words for YAML.

Screenshots go to $KUBEPLAY_SHOTS (or the test's tmp dir)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_playground import LOGIN

SIZES = [pytest.param((1400, 900), id="1400x900"), pytest.param((1024, 700), id="1024x700")]


def shot(page, tmp_path, name: str) -> None:
    out = Path(os.environ.get("KUBEPLAY_SHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"{name}.png"))


def editor_text(page) -> str:
    return page.evaluate("() => window.kubeplay.editor.getText()")


def deployment(server, name="login-app") -> dict:
    return server.get_json(f"/apis/apps/v1/namespaces/default/deployments/{name}")


def select_deployment(p, name="login-app"):
    p.page.locator(f'.workload[data-workload="Deployment/{name}"] .wl-title').click()
    panel = p.page.locator("#editor-panel")
    expect(panel).to_have_attribute("data-object", f"Deployment/default/{name}")
    expect(panel).to_have_attribute("data-source", "live")


@pytest.mark.parametrize("size", SIZES)
def test_drift_after_kubectl_scale_and_the_apply_preview(playground, size, tmp_path):
    p = playground
    w, h = size
    p.page.set_viewport_size({"width": w, "height": h})
    panel = p.page.locator("#editor-panel")
    p.type_yaml(LOGIN)
    p.apply()
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(3)

    # Selecting the Deployment shows its live desired state: no status, no server-set fields.
    select_deployment(p)
    text = editor_text(p.page)
    assert "name: login-app" in text and "replicas: 3" in text, text
    for server_set in ("status:", "managedFields", "uid:", "resourceVersion", "creationTimestamp", "generation:"):
        assert server_set not in text, (server_set, text)
    expect(panel).to_have_attribute("data-dirty", "false")

    # Unedited, the editor follows the cluster: + scales to 4 and the editor says replicas: 4.
    p.page.get_by_role("button", name="scale up login-app").click()
    p.page.wait_for_function("() => window.kubeplay.editor.getText().includes('replicas: 4')")
    expect(p.page.locator("#editor-notice")).to_be_hidden()

    # An edit (a new image), then the real kubectl scales the Deployment under it.
    p.type_yaml(editor_text(p.page).replace("image: nginx", "image: nginx:1.27"))
    expect(panel).to_have_attribute("data-dirty", "true")
    p.server.kubectl("scale", "deployment", "login-app", "--replicas=5")
    notice = p.page.locator("#editor-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("deployment.apps/login-app changed in the cluster")
    expect(notice).to_contain_text("replicas 4 → 5")
    expect(panel).to_have_attribute("data-drift", "true")
    assert "image: nginx:1.27" in editor_text(p.page), "the learner's edit is kept"
    notice.get_by_role("button", name="Show difference").click()
    diff = p.page.locator("#editor-diff")
    expect(diff).to_be_visible()
    expect(diff.locator("span.del")).to_contain_text(["replicas: 4", "image: nginx:1.27"])
    expect(diff.locator("span.add")).to_contain_text(["replicas: 5", "image: nginx"])
    shot(p.page, tmp_path, f"lab-drift-{w}x{h}")

    # Apply previews: the diff against the live object, and what happens to the pods (replicas
    # back to 4 deletes one; the new image replaces the rest), before anything changes.
    p.apply(confirm=False)
    expect(panel).to_have_attribute("data-apply", "preview")
    preview = p.page.locator("#apply-preview")
    expect(preview).to_be_visible()
    item = preview.locator('.pv-item[data-kind="Deployment"][data-name="login-app"]')
    expect(item).to_have_attribute("data-action", "configured")
    expect(item.locator('li[data-effect="replace"]')).to_contain_text("4 pods will be replaced by a rolling update")
    expect(item.locator('li[data-effect="delete"]')).to_contain_text("1 pod will be deleted (replicas 5 → 4")
    expect(item.locator("pre.diff span.del")).to_contain_text(["replicas: 5", "image: nginx"])
    expect(item.locator("pre.diff span.add")).to_contain_text(["replicas: 4", "image: nginx:1.27"])
    shot(p.page, tmp_path, f"lab-apply-preview-{w}x{h}")
    assert deployment(p.server)["spec"]["replicas"] == 5, "a preview changes nothing"

    # Cancel: nothing applied. Keep the cluster's replicas, Apply, Confirm: only the image changes.
    p.page.get_by_role("button", name="Cancel", exact=True).click()
    expect(preview).to_be_hidden()
    expect(panel).to_have_attribute("data-apply", "cancelled")
    assert deployment(p.server)["spec"]["replicas"] == 5
    p.type_yaml(editor_text(p.page).replace("replicas: 4", "replicas: 5"))
    p.apply(confirm=False)
    expect(item.locator('li[data-effect="replace"]')).to_contain_text("5 pods will be replaced")
    expect(item.locator('li[data-effect="delete"]')).to_have_count(0)
    p.page.get_by_role("button", name="Confirm apply").click()
    expect(p.message()).to_have_text("deployment.apps/login-app configured")
    expect(p.pods("Deployment/login-app", "Running")).to_have_count(5)
    d = deployment(p.server)
    assert d["spec"]["replicas"] == 5
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"


def test_replacing_unsaved_edits_asks_first(playground):
    p = playground
    panel = p.page.locator("#editor-panel")
    p.type_yaml(LOGIN)
    p.apply()
    expect(p.pods("Deployment/login-app")).to_have_count(3)
    p.type_yaml(LOGIN.replace("replicas: 3", "replicas: 7"))
    expect(panel).to_have_attribute("data-dirty", "true")

    # An Example: asked, kept on "Keep editing".
    p.page.locator("#examples").select_option(index=1)
    notice = p.page.locator("#editor-notice")
    expect(notice).to_contain_text("You have unsaved edits")
    notice.get_by_role("button", name="Keep editing").click()
    expect(notice).to_be_hidden()
    assert "replicas: 7" in editor_text(p.page)

    # Selecting an object: asked, replaced on "Replace my edits".
    p.page.locator('.workload[data-workload="Deployment/login-app"] .wl-title').click()
    expect(notice).to_contain_text("Replace them with deployment.apps/login-app's live state?")
    assert "replicas: 7" in editor_text(p.page)
    notice.get_by_role("button", name="Replace my edits").click()
    expect(panel).to_have_attribute("data-object", "Deployment/default/login-app")
    assert "replicas: 3" in editor_text(p.page)

    # Unedited, a pod's selection replaces it without asking.
    pod = p.pods("Deployment/login-app").first.get_attribute("data-pod")
    p.page.locator(f'[data-pod="{pod}"]').click()
    expect(panel).to_have_attribute("data-object", f"Pod/{pod}")
    assert f"name: {pod.split('/')[1]}" in editor_text(p.page)
    expect(notice).to_be_hidden()


TYPO = LOGIN.replace("      - name: login", "      - nmae: login")


@pytest.mark.parametrize("size", SIZES)
def test_errors_are_at_their_lines_and_yaml_errors_say_what_to_look_for(playground, size, tmp_path):
    p = playground
    w, h = size
    p.page.set_viewport_size({"width": w, "height": h})
    panel = p.page.locator("#editor-panel")
    p.type_yaml(LOGIN)
    p.apply()
    expect(p.pods("Deployment/login-app")).to_have_count(3)

    # A container field typo (the list item loses its merge key `name`): at its line, 16.
    assert TYPO.splitlines()[15] == "      - nmae: login"
    p.type_yaml(TYPO)
    p.apply()
    expect(panel).to_have_attribute("data-apply", "error")
    expect(panel).to_have_attribute("data-error-lines", "16")
    expect(p.message()).to_contain_text("line 16:")
    expect(p.message()).to_contain_text("does not contain declared merge key: name")

    # Bad indentation: the parser's words, and plain ones beside them.
    bad = LOGIN.replace("  replicas: 3\n", "  replicas: 3\n    paused: false\n")
    p.type_yaml(bad)
    p.apply()
    expect(panel).to_have_attribute("data-error-lines", "7")
    expect(p.message()).to_contain_text("line 7, column 11: mapping values are not allowed here")
    expect(p.message()).to_contain_text("a colon inside a value (quote the value), or wrong indentation "
                                        "on this line or the one above")
    shot(p.page, tmp_path, f"lab-yaml-hint-{w}x{h}")
    expect(p.page.locator("#apply-preview")).to_be_hidden()
    assert deployment(p.server)["spec"]["replicas"] == 3, "nothing applied"
