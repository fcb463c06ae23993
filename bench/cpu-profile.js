"use strict";
/**
 * V8 CPU profiles of the measured part of each phase (the inspector's
 * Profiler, as `node --cpu-prof` writes them, but without set-up and
 * warm-up), and a summary of where the main thread's time went.
 *
 * The profile sees the JS thread only: the addon's tokio workers, where the
 * requests, marshalling and JSON encoding of results run, need `perf`
 * (bench/profile.js does both).
 */
const fs = require("node:fs");
const path = require("node:path");

/**
 * Hooks for workload.runPhase that write `<dir>/<impl>-<phase>.cpuprofile`.
 * @param {string} dir
 * @param {string} implId
 * @param {number} [intervalUs] sampling interval
 */
function profilerHooks(dir, implId, intervalUs = 200) {
  const inspector = require("node:inspector");
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) =>
    new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  return {
    async beforeMeasure() {
      await post("Profiler.enable");
      await post("Profiler.setSamplingInterval", { interval: intervalUs });
      await post("Profiler.start");
    },
    async afterMeasure(phase) {
      const { profile } = await post("Profiler.stop");
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${implId}-${phase.key.replace("@", "-c")}.cpuprofile`), JSON.stringify(profile));
    },
  };
}

/** Where a profile node's time belongs. */
function category(node, root) {
  const { functionName, url } = node.callFrame;
  if (!url) {
    if (functionName === "(garbage collector)") return "GC";
    if (functionName === "(idle)") return "idle (waiting for I/O)";
    if (functionName === "(program)") return "native, outside JS (V8, libuv, addon calls on this thread)";
    return `native: ${functionName || "(anonymous)"}`;
  }
  if (url.startsWith("node:")) return `node: ${url.slice(5)}`;
  const file = url.replace(/^file:\/\//, "");
  if (root && file.startsWith(root)) return path.relative(root, file);
  const nm = file.lastIndexOf("node_modules/");
  return nm >= 0 ? file.slice(nm + "node_modules/".length).split("/").slice(0, 2).join("/") : file;
}

/**
 * Self time by function and by file/category.
 * @param {object} profile a .cpuprofile
 * @param {string} [root] paths under it are shown relative to it
 */
function summarizeProfile(profile, root) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const deltas = profile.timeDeltas || [];
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = deltas[i + 1] ?? deltas[i] ?? 0; // a sample's time is the gap to the next one
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) || 0) + dt);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0) || 1;
  const byFunction = new Map();
  const byCategory = new Map();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    const cat = category(node, root);
    const fn = `${node.callFrame.functionName || "(anonymous)"} ${cat}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ""}`;
    byFunction.set(fn, (byFunction.get(fn) || 0) + us);
    byCategory.set(cat, (byCategory.get(cat) || 0) + us);
  }
  const rank = (m) =>
    [...m].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: us / total }));
  return { totalMs: total / 1000, byCategory: rank(byCategory), byFunction: rank(byFunction) };
}

module.exports = { profilerHooks, summarizeProfile };
