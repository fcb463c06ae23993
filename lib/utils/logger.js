"use strict";
/** DynamoBao's logger (spec §2.7): level from `DYNAMO_BAO_LOG_LEVEL`, default ERROR. */

const LEVELS = { OFF: -1, ERROR: 0, WARN: 1, INFO: 2, DEBUG: 3 };

class Logger {
  /**
   * @param {string} [context]
   * @param {string} [level]
   */
  constructor(context = "Default", level = process.env.DYNAMO_BAO_LOG_LEVEL || "ERROR") {
    this.context = context;
    const l = String(level).toUpperCase();
    this.level = l in LEVELS ? LEVELS[l] : LEVELS.ERROR;
  }

  log(level, ...args) {
    const l = String(level).toUpperCase();
    if (!(l in LEVELS) || this.level === LEVELS.OFF || LEVELS[l] > this.level) return;
    console.log(`[${l}] ${this.context}:`, ...args);
  }

  debug(...args) { this.log("DEBUG", ...args); }
  info(...args) { this.log("INFO", ...args); }
  warn(...args) { this.log("WARN", ...args); }
  error(...args) { this.log("ERROR", ...args); }
}

const defaultLogger = new Logger("Default");

module.exports = { Logger, defaultLogger };
