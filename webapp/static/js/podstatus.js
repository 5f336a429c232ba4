// The STATUS, READY and RESTARTS columns `kubectl get pods` prints, ported from kubectl's printPod
// (k/k pkg/printers/internalversion/printers.go; summarised in shared/reference/k8s-semantics.md §6).
// Pure functions of a Pod object: the page colours each pod by exactly what kubectl would print.

const NODE_LOST = "NodeLost";
const TERMINAL_PHASES = new Set(["Succeeded", "Failed"]);

function isRestartableInit(container) {
  return !!container && container.restartPolicy === "Always";
}

function hasCondition(status, type) {
  return (status.conditions || []).some((c) => c.type === type && c.status === "True");
}

/** {status, ready, total, restarts} as kubectl computes them. */
export function podColumns(pod) {
  const spec = pod.spec || {};
  const status = pod.status || {};
  const meta = pod.metadata || {};
  const containers = spec.containers || [];
  const initSpecs = spec.initContainers || [];
  let total = containers.length;
  let ready = 0;
  let restarts = 0;

  let reason = status.phase || "";
  if (status.reason) reason = status.reason;
  for (const c of status.conditions || []) {
    if (c.type === "PodScheduled" && c.reason === "SchedulingGated") reason = "SchedulingGated";
  }

  const initByName = new Map();
  for (const c of initSpecs) {
    initByName.set(c.name, c);
    if (isRestartableInit(c)) total++;
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses || [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const state = cs.state || {};
    restarts += cs.restartCount || 0;
    if (state.terminated && (state.terminated.exitCode || 0) === 0) continue;
    if (isRestartableInit(initByName.get(cs.name)) && cs.started) {
      if (cs.ready) ready++;
      continue;
    }
    if (state.terminated) {
      const t = state.terminated;
      if (!t.reason) reason = t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode || 0}`;
      else reason = "Init:" + t.reason;
    } else if (state.waiting && state.waiting.reason && state.waiting.reason !== "PodInitializing") {
      reason = "Init:" + state.waiting.reason;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(status, "Initialized")) {
    restarts = 0;
    let hasRunning = false;
    const cstatuses = status.containerStatuses || [];
    for (let i = cstatuses.length - 1; i >= 0; i--) {
      const cs = cstatuses[i];
      const state = cs.state || {};
      restarts += cs.restartCount || 0;
      if (state.waiting && state.waiting.reason) {
        reason = state.waiting.reason;
      } else if (state.terminated && state.terminated.reason) {
        reason = state.terminated.reason;
      } else if (state.terminated) {
        const t = state.terminated;
        reason = t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode || 0}`;
      } else if (cs.ready && state.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === "Completed" && hasRunning) {
      reason = hasCondition(status, "Ready") ? "Running" : "NotReady";
    }
  }

  if (meta.deletionTimestamp && status.reason === NODE_LOST) {
    reason = "Unknown";
  } else if (meta.deletionTimestamp && !TERMINAL_PHASES.has(status.phase)) {
    reason = "Terminating";
  }
  return { status: reason, ready, total, restarts };
}

export function podStatus(pod) {
  return podColumns(pod).status;
}

/** A colour family for a STATUS value (CSS class suffix). */
export function statusCategory(status) {
  switch (status) {
    case "Running": return "running";
    case "Pending": case "SchedulingGated": return "pending";
    case "ContainerCreating": case "PodInitializing": return "creating";
    case "Terminating": return "terminating";
    case "Completed": case "Succeeded": return "succeeded";
    case "Unknown": case "NotReady": return "unknown";
    default:
      if (status.startsWith("Init:")) return /^Init:\d+\/\d+$/.test(status) ? "creating" : "failed";
      return "failed";     // CrashLoopBackOff, ErrImagePull, ImagePullBackOff, Error, OOMKilled, Evicted, ...
  }
}
