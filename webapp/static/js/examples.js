// The Examples menu: small, valid manifests that each show one thing the cluster does. They are
// the YAML files of the repository's examples/ folder (`kubectl apply -f examples/login.yaml`),
// served by GET /kubeplay/v1/examples, so the page and kubectl use one copy of each.

import { api, errorMessage } from "./api.js";

let loading = null;

/** [{id, title, file, yaml}] in the menu's order; fetched once (again after a failure). */
export function loadExamples() {
  if (!loading) {
    loading = api.examples().then((r) => {
      if (r.ok && r.body && Array.isArray(r.body.examples)) return r.body.examples;
      loading = null;
      throw new Error(`the examples could not be loaded: ${errorMessage(r)}`);
    });
  }
  return loading;
}

/** One example's YAML by id (the file name without .yaml), e.g. "pizza". */
export async function exampleYaml(id) {
  const ex = (await loadExamples()).find((e) => e.id === id);
  if (!ex) throw new Error(`no example "${id}" in examples/menu.txt`);
  return ex.yaml;
}
