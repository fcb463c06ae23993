'use strict';
/**
 * Reads the journal a fuzz worker writes (see fuzz-worker.js, "Outcome journal") and folds one or
 * more journals into a summary: outcome counts, per-target counts, failures, findings, notes, and
 * the calls that were in flight when a worker died.
 */
const fs = require('node:fs');

function readJournal(file) {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      out.push({ t: '?', raw: line.slice(0, 200) }); // a line cut short by a crash
    }
  }
  return out;
}

/** Calls started but never ended in one journal: what was running when the worker died. */
function inFlight(entries) {
  const open = new Map();
  for (const e of entries) {
    if (e.t === 'S') open.set(e.i, e);
    else if (e.t === 'E' && e.i != null) open.delete(e.i);
  }
  return [...open.values()].map(({ i, target, args }) => ({ i, target, args }));
}

function summarize(journals) {
  const counts = {};
  const perTarget = {};
  const failures = [];
  const findings = new Map();
  const notes = new Map();
  const started = new Map(); // i -> target
  let calls = 0;
  let done = null;
  const fold = (map, e) => {
    const f = map.get(e.key) || { key: e.key, kind: e.kind, count: 0, targets: [], example: null };
    f.count++;
    if (e.target && !f.targets.includes(e.target)) f.targets.push(e.target);
    if (!f.example && e.example) f.example = e.example;
    map.set(e.key, f);
  };
  for (const entries of journals) {
    for (const e of entries) {
      if (e.t === 'S') {
        started.set(e.i, e.target);
        calls++;
      } else if (e.t === 'E') {
        counts[e.o] = (counts[e.o] || 0) + 1;
        const target = started.get(e.i);
        if (target) {
          const pt = (perTarget[target] ||= { calls: 0, ok: 0, errors: 0 });
          pt.calls++;
          if (e.o === 'returned' || e.o === 'resolved') pt.ok++;
          else pt.errors++;
        }
      } else if (e.t === 'F') failures.push(e);
      else if (e.t === 'N') fold(findings, e);
      else if (e.t === 'R') fold(notes, e);
      else if (e.t === 'D') done = e;
    }
  }
  return { calls, counts, perTarget, failures, findings: [...findings.values()], notes: [...notes.values()], done };
}

module.exports = { readJournal, inFlight, summarize };
