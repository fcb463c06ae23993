"use strict";
/** Runs one bench/child.js task in its own process; resolves to the message it sent. */
const { fork } = require("node:child_process");
const path = require("node:path");

/**
 * @param {object} task what child.js runs (`mode`, and `impl` for the benchmark)
 * @param {{cwd: string, env?: object, execPath?: string, execArgv?: string[]}} options
 * @returns {Promise<object>}
 */
function runChild(task, { cwd, env = process.env, execPath, execArgv = [] }) {
  const label = [task.impl, task.mode].filter(Boolean).join(" ");
  return new Promise((resolve, reject) => {
    const p = fork(path.join(__dirname, "child.js"), [JSON.stringify(task)], {
      cwd,
      env,
      execPath,
      execArgv,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let message = null;
    p.on("message", (m) => {
      message = m;
    });
    p.on("error", reject);
    p.on("exit", (code, signal) => {
      if (message?.error) return reject(new Error(`${label}: ${message.error}`));
      if (!message) return reject(new Error(`${label}: exited (${signal || code}) without a result`));
      resolve(message);
    });
  });
}

module.exports = { runChild };
