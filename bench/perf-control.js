"use strict";
/**
 * Turns `perf record --control=fifo:CTL,ACK --delay=-1` on and off around
 * the measured operations of a phase, so set-up, require() and warm-up
 * (JIT compilation) stay out of the profile.
 */
const fs = require("node:fs");

function command(ctl, ack, cmd) {
  fs.writeFileSync(ctl, `${cmd}\n`);
  const fd = fs.openSync(ack, "r");
  try {
    fs.readSync(fd, Buffer.alloc(5), 0, 5, null); // "ack\n"
  } finally {
    fs.closeSync(fd);
  }
}

/** @param {string} spec "CTL,ACK": the fifos perf was given */
function perfControlHooks(spec) {
  const [ctl, ack] = spec.split(",");
  return {
    async beforeMeasure() {
      command(ctl, ack, "enable");
    },
    async afterMeasure() {
      command(ctl, ack, "disable");
    },
  };
}

module.exports = { perfControlHooks };
