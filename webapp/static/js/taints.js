// Node taints as kubectl writes them: key[=value]:Effect.

/** "node.kubernetes.io/unreachable:NoExecute", "dedicated=gpu:NoSchedule" */
export function taintText(t) {
  return `${t.key}${t.value ? "=" + t.value : ""}:${t.effect}`;
}

/** The same without the well-known prefix, for a small chip: "unreachable:NoExecute". */
export function shortTaint(t) {
  return taintText(t).replace(/^node\.kubernetes\.io\//, "");
}
