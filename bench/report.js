"use strict";
/**
 * Turns the runs into medians, ratios and target checks (issue 8), and
 * renders them as the Markdown the README quotes.
 */
const { median, ratio } = require("./stats.js");
const { OPERATIONS } = require("./workload.js");
const { THRESHOLDS_US } = require("./instantiate.js");

const PHASE_METRICS = [
  "cpuPerOpUs",
  "cpuPerItemUs",
  "serverCpuPerOpUs",
  "serverSerialCpuPerOpUs",
  "machineIdlePct",
  "opsPerSec",
  "p50Ms",
  "p99Ms",
  "wallMs",
];
/** Below this share of idle CPU in a phase, the cores count as busy. */
const IDLE_NOTE_PCT = 10;
const INSTANTIATION = [
  ["simple1k", "new SimpleModel(data), 1k", THRESHOLDS_US.simple],
  ["complex1k", "new ComplexModel(data), 1k", THRESHOLDS_US.complex],
  ["simple10k", "new SimpleModel(data), 10k", THRESHOLDS_US.simple],
  ["complex10k", "new ComplexModel(data), 10k", THRESHOLDS_US.complex],
  ["sparse10k", "new ComplexModel(5 fields), 10k", THRESHOLDS_US.sparse],
  ["simpleFromItem10k", "SimpleModel from a stored item, 10k", THRESHOLDS_US.simple],
  ["complexFromItem10k", "ComplexModel from a stored item, 10k", THRESHOLDS_US.complex],
];

/**
 * @param {{impls: object[], runs: object[], instantiations: object[]}} raw
 *   runs: child results of mode "run" ({impl, phases, requireMs, maxRssKb}); instantiations likewise
 * @param {{cores?: number}} [machine] the cores client and DynamoDB Local share
 */
function summarize(raw, { cores } = {}) {
  const ids = raw.impls.map((i) => i.id);
  const phaseKeys = [];
  for (const r of raw.runs) for (const p of r.phases) if (!phaseKeys.includes(p.key)) phaseKeys.push(p.key);
  const phases = phaseKeys.map((key) => {
    const [opId, conc] = key.split("@");
    const op = OPERATIONS.find((o) => o.id === opId);
    const byImpl = {};
    for (const id of ids) {
      const samples = raw.runs.filter((r) => r.impl === id).map((r) => r.phases.find((p) => p.key === key)).filter(Boolean);
      if (!samples.length) continue;
      const m = { runs: samples.length, ops: samples[0].ops };
      for (const k of PHASE_METRICS) m[k] = median(samples.map((s) => s[k]));
      m.ceilingOpsPerSec = ceiling(cores, m.cpuPerOpUs, m.serverCpuPerOpUs, waveOf(op, Number(conc), kindOf(raw, id)), m.serverSerialCpuPerOpUs);
      const split = samples.map((s) => s.threadCpuPerOpUs).filter(Boolean);
      if (split.length) m.threadCpuPerOpUs = { js: median(split.map((t) => t.js)), tokio: median(split.map((t) => t.tokio)), other: median(split.map((t) => t.other)) };
      byImpl[id] = m;
    }
    return { key, op: opId, label: op.label, conc: Number(conc), itemsPerOp: op.items, byImpl };
  });
  const processFigures = {};
  for (const id of ids) {
    const runs = raw.runs.filter((r) => r.impl === id);
    if (!runs.length) continue;
    processFigures[id] = {
      requireMs: median(raw.requires.filter((r) => r.impl === id).map((r) => r.requireMs)),
      peakRssMb: median(runs.map((r) => r.maxRssKb / 1024)),
      rssAfterSetupMb: median(runs.map((r) => r.rssAfterSetupKb / 1024)),
    };
  }
  const instantiation = {};
  for (const id of ids) {
    const runs = raw.instantiations.filter((r) => r.impl === id);
    if (!runs.length) continue;
    instantiation[id] = {};
    for (const [k] of INSTANTIATION) instantiation[id][k] = median(runs.map((r) => r.instantiation[k]));
  }
  const summary = { cores: cores || null, phases, process: processFigures, instantiation };
  summary.targets = targets(summary, ids);
  return summary;
}

/**
 * Operations per second with every core busy: the client and DynamoDB Local
 * share the machine, so no client can go faster than this; with a client
 * costing nothing it would be `cores / server CPU per operation`. DynamoDB
 * Local's SQLite thread is one thread, so its CPU per operation bounds it
 * too, on any number of cores. A phase of waves (one at a time) is also
 * bound by each wave's batch window, during which nothing is sent: a wave of
 * n takes at least the window plus n operations' time by the bounds above.
 * @param {{size: number, windowMs: number} | null} [wave]
 * @param {number|null} [serialUs] CPU per operation of the server's serial thread
 */
function ceiling(cores, clientUs, serverUs, wave, serialUs) {
  if (!cores || typeof serverUs !== "number" || !(serverUs > 0)) return null;
  const perOpUs = Math.max(((clientUs || 0) + serverUs) / cores, serialUs > 0 ? serialUs : 0);
  if (!wave) return 1e6 / perOpUs;
  return (wave.size * 1e6) / (wave.windowMs * 1000 + wave.size * perOpUs);
}

/** The wave a phase runs as for an implementation of `kind`, or null. */
function waveOf(op, conc, kind) {
  if (!op?.wave) return null;
  return { size: conc, windowMs: kind === "bao" ? op.batchWindowMs || 0 : 0 };
}

/** The ceiling of a client costing nothing, against this package's server CPU (a DynamoBao-style client). */
function zeroCpuCeiling(s, p) {
  const op = OPERATIONS.find((o) => o.id === p.op);
  const native = p.byImpl.native;
  return ceiling(s.cores, 0, native?.serverCpuPerOpUs, waveOf(op, p.conc, "bao"), native?.serverSerialCpuPerOpUs);
}

function kindOf(raw, id) {
  return raw.impls.find((i) => i.id === id)?.kind;
}

/** The issue's targets, checked against each original present (npm first). */
function targets(s, ids) {
  const out = [];
  const originals = ids.filter((id) => id.startsWith("original"));
  const phase = (key) => s.phases.find((p) => p.key === key);
  const add = (name, value, limit, cmp, detail) =>
    out.push({ name, value, limit, met: value == null ? null : cmp === "<=" ? value <= limit : value >= limit, detail });
  for (const orig of originals) {
    for (const op of ["create", "find", "update", "query"]) {
      const p = phase(`${op}@64`);
      if (!p?.byImpl.native) continue;
      add(`${op} c64 CPU/op this/${orig}`, ratio(p.byImpl.native.cpuPerOpUs, p.byImpl[orig]?.cpuPerOpUs), 0.25, "<=");
    }
    const fb = phase("findBatched@64");
    if (fb?.byImpl.native) {
      add(`batched find c64 CPU/item this/${orig}`, ratio(fb.byImpl.native.cpuPerOpUs, fb.byImpl[orig]?.cpuPerOpUs), 0.15, "<=");
    }
    for (const p of s.phases.filter((x) => x.conc === 64 && x.byImpl.native)) {
      // How far a client that cost no CPU at all could take the ratio, given DynamoDB Local's own CPU.
      const reach = ratio(zeroCpuCeiling(s, p), p.byImpl[orig]?.opsPerSec);
      // Idle cores at this package's rate mean its CPU was not what held it back.
      const idle = p.byImpl.native.machineIdlePct;
      const notes = [
        reach == null ? null : `a zero-CPU client would reach ${reach.toFixed(2)}x`,
        idle == null || idle < IDLE_NOTE_PCT ? null : `${idle.toFixed(0)}% of the machine idle at this package's rate`,
      ].filter(Boolean);
      add(`${p.op} c64 ops/s this/${orig}`, ratio(p.byImpl.native.opsPerSec, p.byImpl[orig]?.opsPerSec), 2, ">=", notes.join("; ") || undefined);
    }
    if (s.process.native && s.process[orig]) {
      add(`peak RSS this/${orig}`, ratio(s.process.native.peakRssMb, s.process[orig].peakRssMb), 0.5, "<=");
    }
  }
  for (const op of ["create", "find", "update", "query"]) {
    const p = phase(`${op}@64`);
    if (!p?.byImpl.native) continue;
    add(`${op} c64 CPU/op this/sdk`, ratio(p.byImpl.native.cpuPerOpUs, p.byImpl.sdk?.cpuPerOpUs), 0.35, "<=");
  }
  if (s.process.native) add("require('dynamo-bao-native') ms", s.process.native.requireMs, 10, "<=");
  if (s.instantiation.native) {
    for (const [k, label, limit] of INSTANTIATION) add(`${label} µs/instance`, s.instantiation.native[k], limit, "<=");
  }
  return out;
}

// ---- Markdown ---------------------------------------------------------------

function num(v, digits) {
  if (v == null || !Number.isFinite(v)) return "–";
  if (digits != null) return v.toFixed(digits);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString("en-US");
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

const times = (v) => (v == null ? "–" : `${v.toFixed(2)}x`);

function table(head, rows) {
  const lines = [`| ${head.join(" | ")} |`, `|${head.map((h, i) => (i === 0 ? "---" : "---:")).join("|")}|`];
  for (const r of rows) lines.push(`| ${r.join(" | ")} |`);
  return lines.join("\n");
}

/**
 * @param {object} meta {machine, loadBefore, loadAfter, build, impls, reps, quick, date, durationS}
 * @param {object} s the summary
 */
function markdown(meta, s) {
  const impls = meta.impls;
  const name = (i) => (i.id === "native" ? "this" : i.id === "sdk" ? "lib-dynamodb" : `original ${i.version}`);
  const origs = impls.filter((i) => i.id.startsWith("original"));
  const has = (id) => impls.some((i) => i.id === id);
  const ratioHeads = [...origs.map((o) => `this/${name(o)}`), ...(has("sdk") ? ["this/sdk"] : [])];
  const ratiosOf = (p, metric) => [
    ...origs.map((o) => times(ratio(p.byImpl.native?.[metric], p.byImpl[o.id]?.[metric]))),
    ...(has("sdk") ? [times(ratio(p.byImpl.native?.[metric], p.byImpl.sdk?.[metric]))] : []),
  ];
  const opLabel = (p) => `${p.label} @${p.conc}`;
  const m = meta.machine;
  const out = [];
  out.push(
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB; ${m.platform}; Node ${m.node}; ` +
      `DynamoDB Local ${m.dynamoDbLocal} (Java, same machine). ` +
      `Load average (1/5/15 min) before ${fmtLoad(meta.loadBefore)}, after ${fmtLoad(meta.loadAfter)}.`,
  );
  out.push(
    `Addon: ${meta.build.file}, ${meta.build.release ? "release build" : "NOT VERIFIED AS A RELEASE BUILD"} ` +
      `(${meta.build.evidence}; ${meta.build.scripts}). ` +
      `${meta.quick ? "QUICK MODE (smoke test, figures not comparable). " : ""}` +
      `Median of ${meta.reps} interleaved run${meta.reps === 1 ? "" : "s"} per implementation, each in its own process; ` +
      `${meta.date}, ${Math.round(meta.durationS)} s. Implementations: ${impls.map((i) => `${name(i)} = ${i.label} ${i.version}`).join("; ")}.`,
  );
  out.push("");
  /** One row per phase: the metric for each implementation, then the ratios. */
  const metricTable = (metric) =>
    table(
      ["operation @concurrency", ...impls.map(name), ...ratioHeads],
      s.phases.map((p) => [opLabel(p), ...impls.map((i) => num(p.byImpl[i.id]?.[metric])), ...ratiosOf(p, metric)]),
    );
  out.push("**Client CPU per operation** (µs, user + system of the whole client process; per find for batched finds):");
  out.push("");
  out.push(metricTable("cpuPerOpUs"));
  out.push("");
  out.push("**Operations per second** (finds per second for batched finds):");
  out.push("");
  out.push(metricTable("opsPerSec"));
  out.push("");
  if (s.phases.some((p) => impls.some((i) => p.byImpl[i.id]?.serverCpuPerOpUs != null))) {
    out.push(
      `**DynamoDB Local CPU per operation** (µs, its whole Java process, same phases), the CPU of its ` +
        `**SQLite thread** (one thread runs every SQLite statement, so it is serial work), the **machine idle** ` +
        `during each implementation's phase, and the **ceiling**: ops/s with all ${s.cores} cores busy, ` +
        `${s.cores} s / (client + server CPU per op), or 1 s / the SQLite thread's CPU per op if that is lower. ` +
        `"zero-CPU client" is that ceiling with no client CPU, against this package's server figures, divided ` +
        `by the original's ops/s: the most any client could reach against it here, if CPU were the only bound. ` +
        `Idle cores at 64 requests in flight mean it was not. Batched finds run one wave at a time, and in both ` +
        `DynamoBao implementations each wave first waits its batch window (\`batchDelay\`, 5 ms by default), ` +
        `so their ceilings are waves of n finds in (window + n × the time per find above).`,
    );
    out.push("");
    const pct = (v) => (v == null || !Number.isFinite(v) ? "–" : `${v.toFixed(0)}%`);
    out.push(
      table(
        [
          "operation @concurrency",
          ...impls.map((i) => `server, ${name(i)}`),
          "SQLite thread, this",
          ...impls.map((i) => `idle, ${name(i)}`),
          ...impls.map((i) => `ceiling, ${name(i)}`),
          ...origs.map((o) => `zero-CPU client/${name(o)}`),
        ],
        s.phases.map((p) => [
          opLabel(p),
          ...impls.map((i) => num(p.byImpl[i.id]?.serverCpuPerOpUs)),
          num(p.byImpl.native?.serverSerialCpuPerOpUs),
          ...impls.map((i) => pct(p.byImpl[i.id]?.machineIdlePct)),
          ...impls.map((i) => num(p.byImpl[i.id]?.ceilingOpsPerSec)),
          ...origs.map((o) => times(ratio(zeroCpuCeiling(s, p), p.byImpl[o.id]?.opsPerSec))),
        ]),
      ),
    );
    out.push("");
  }
  if (s.phases.some((p) => p.byImpl.native?.threadCpuPerOpUs)) {
    out.push("**This package's client CPU by thread** (µs per operation, each thread's scheduler run time from /proc/self/task): the JS thread, the addon's tokio workers (the aws-sdk client), and V8's and libuv's helper threads:");
    out.push("");
    out.push(
      table(
        ["operation @concurrency", "JS thread", "tokio workers", "other threads"],
        s.phases
          .filter((p) => p.byImpl.native?.threadCpuPerOpUs)
          .map((p) => {
            const t = p.byImpl.native.threadCpuPerOpUs;
            return [opLabel(p), num(t.js), num(t.tokio), num(t.other)];
          }),
      ),
    );
    out.push("");
  }
  out.push("**Latency p50 / p99** (ms; a batched find waits for its whole wave, including the 5 ms batch delay):");
  out.push("");
  out.push(
    table(
      ["operation @concurrency", ...impls.map(name)],
      s.phases.map((p) => [opLabel(p), ...impls.map((i) => `${num(p.byImpl[i.id]?.p50Ms)} / ${num(p.byImpl[i.id]?.p99Ms)}`)]),
    ),
  );
  out.push("");
  out.push("**Process**: require() in fresh processes that do nothing else, before DynamoDB Local starts (median), peak RSS over the whole run (process.resourceUsage().maxRSS):");
  out.push("");
  out.push(
    table(
      ["", ...impls.map(name), ...ratioHeads],
      [
        ["require() ms", ...impls.map((i) => num(s.process[i.id]?.requireMs)), ...procRatios(s, origs, has("sdk"), "requireMs")],
        ["peak RSS MB", ...impls.map((i) => num(s.process[i.id]?.peakRssMb)), ...procRatios(s, origs, has("sdk"), "peakRssMb")],
      ],
    ),
  );
  const baoImpls = impls.filter((i) => s.instantiation[i.id]);
  if (baoImpls.length) {
    out.push("");
    out.push("**Model instantiation** (µs per instance; DynamoBao's performance.test.js and its thresholds):");
    out.push("");
    out.push(
      table(
        ["", "threshold", ...baoImpls.map(name)],
        INSTANTIATION.map(([k, label, limit]) => [label, `${limit}`, ...baoImpls.map((i) => num(s.instantiation[i.id][k]))]),
      ),
    );
  }
  if (s.targets.length) {
    out.push("");
    out.push("**Targets** (issue 8):");
    out.push("");
    out.push(
      table(
        ["target", "value", "limit", "met", "note"],
        s.targets.map((t) => [
          t.name,
          num(t.value),
          `${t.name.includes("ops/s") ? "≥" : "≤"} ${t.limit}`,
          t.met == null ? "–" : t.met ? "yes" : "**no**",
          t.detail || "",
        ]),
      ),
    );
  }
  return out.join("\n") + "\n";
}

function procRatios(s, origs, sdk, key) {
  const mine = s.process.native?.[key];
  return [...origs.map((o) => times(ratio(mine, s.process[o.id]?.[key]))), ...(sdk ? [times(ratio(mine, s.process.sdk?.[key]))] : [])];
}

function fmtLoad(l) {
  return l ? `${l.one}/${l.five}/${l.fifteen}` : "?";
}

module.exports = { summarize, markdown, num, INSTANTIATION };
