"use strict";
/**
 * DynamoBao's logger (spec §2.7): `[LEVEL] context: …` on `console.log` for
 * messages at or above the level of `DYNAMO_BAO_LOG_LEVEL` (OFF, ERROR, WARN,
 * INFO, DEBUG; any case), read when the logger is created; default ERROR.
 * An unknown value prints nothing, as in DynamoBao.
 */

const LEVELS = { OFF: -1, ERROR: 0, WARN: 1, INFO: 2, DEBUG: 3 };

class Logger {
  /**
   * @param {string} [context]
   * @param {string} [level]
   */
  constructor(context = "Default", level = process.env.DYNAMO_BAO_LOG_LEVEL || "ERROR") {
    this.context = context;
    const l = String(level).toUpperCase();
    this.level = l in LEVELS ? LEVELS[l] : LEVELS.OFF;
  }

  /**
   * Whether a message at `level` would be printed (to skip building it otherwise).
   * @param {"ERROR"|"WARN"|"INFO"|"DEBUG"} level
   */
  isLevelEnabled(level) {
    const l = String(level).toUpperCase();
    // As in DynamoBao, only an OFF logger is silent for every level name.
    return l in LEVELS && this.level !== LEVELS.OFF && LEVELS[l] <= this.level;
  }

  log(level, ...args) {
    if (!this.isLevelEnabled(level)) return;
    console.log(`[${String(level).toUpperCase()}] ${this.context}:`, ...args);
  }

  debug(...args) { this.log("DEBUG", ...args); }
  info(...args) { this.log("INFO", ...args); }
  warn(...args) { this.log("WARN", ...args); }
  error(...args) { this.log("ERROR", ...args); }

  /** A logger for `context` at the environment's level (as in DynamoBao). */
  static getLogger(context) {
    return new Logger(context);
  }
}

const defaultLogger = new Logger("Default");

module.exports = { Logger, defaultLogger, LEVELS };
