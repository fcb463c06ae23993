"use strict";
/**
 * Loads the addon built by `npm install` (`napi build --platform`), which
 * names the file after the platform triple, e.g.
 * `native/dynamo-bao-native.linux-x64-gnu.node`.
 */
const fs = require("node:fs");
const path = require("node:path");
const { Logger } = require("./utils/logger.js");

const dir = path.join(__dirname, "..", "native");

/** The ABI part of the file name for this process (`-gnu`, `-musl`, `-msvc` or none). */
function abiSuffix(platform) {
  if (platform === "win32") return "-msvc";
  if (platform !== "linux") return "";
  return process.report?.getReport?.().header?.glibcVersionRuntime ? "-gnu" : "-musl";
}

function candidates() {
  const { platform, arch } = process;
  const stem = `dynamo-bao-native.${platform}-${arch}`;
  // The names a build for this platform can have are checked one by one:
  // listing the folder would cost ~2 ms of every require() (Node loads its
  // readdir code on first use), more than the rest of the load.
  const mine = ["-gnu", "-musl", "-msvc", ""].map((abi) => `${stem}${abi}.node`).filter((f) => fs.existsSync(path.join(dir, f)));
  if (mine.length === 1) return mine;
  let files = [];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith(".node"));
  } catch {
    // no native/ folder: reported below
  }
  // The ABI only decides between several builds for this platform: finding
  // it out (a diagnostic report) costs more than the rest of the load.
  const exact = `${stem}${abiSuffix(platform)}.node`;
  return [exact, ...files.filter((f) => f !== exact)];
}

function load() {
  const errors = [];
  for (const file of candidates()) {
    const p = path.join(dir, file);
    if (!fs.existsSync(p)) continue;
    try {
      return require(p);
    } catch (e) {
      errors.push(`${file}: ${e.message}`);
    }
  }
  const err = new Error(
    "dynamo-bao-native: the native addon is not built. Run `npm install` (needs a Rust toolchain) " +
      "or `npm run build` in the package folder." + (errors.length ? ` Load errors: ${errors.join("; ")}` : ""),
  );
  err.code = "NATIVE_ADDON_MISSING";
  throw err;
}

/**
 * Argument types of the native free functions. They are called with values
 * the JS layer built, but a wrong type must give a plain error: napi-rs
 * formats a rejected argument into its message, and an object whose
 * `toJSON` calls the same function would re-enter it until the native stack
 * overflows.
 */
const SIGNATURES = {
  buildFilter: ["string", "string"],
  fieldToGsi: ["string", "string?"],
  assertFilterFitsIndex: ["string", "string[]"],
  searchNormalize: ["string", "boolean"],
  searchBuildText: ["string", "string"],
  searchTextUpdate: ["string", "string", "string?", "boolean", "boolean"],
  searchPredicate: ["string", "string", "string"],
  marshallJson: ["string"],
  unmarshallJson: ["string"],
};

function fits(type, v) {
  if (type === "string?") return v === undefined || v === null || typeof v === "string";
  if (type === "string[]") return Array.isArray(v) && v.every((x) => typeof x === "string");
  return typeof v === type;
}

function guarded(addon) {
  const out = { ...addon };
  for (const [name, types] of Object.entries(SIGNATURES)) {
    const fn = addon[name];
    if (typeof fn !== "function") continue;
    out[name] = function (...args) {
      types.forEach((type, i) => {
        if (!fits(type, args[i])) {
          const err = new Error(`${name}: argument ${i + 1} must be ${type.replace("?", " or undefined").replace("[]", " array")}`);
          err.code = "VALIDATION";
          throw err;
        }
      });
      return fn(...args);
    };
  }
  return out;
}

const addon = guarded(load());
// The debug request log (DYNAMO_BAO_LOG_LEVEL=DEBUG) watches every call into
// the core. Below DEBUG its module is not even loaded (require() time is a
// Lambda's cold start), unless an earlier module registry in this process
// (Jest makes one per test file) already installed it on the shared addon.
const REQUEST_LOG_STATE = Symbol.for("dynamo-bao-native.request-log"); // request-log.js's SHARED
if (new Logger().isLevelEnabled("DEBUG") || Object.hasOwn(addon.NativeDb.prototype, REQUEST_LOG_STATE)) {
  Object.assign(addon, require("./request-log.js").instrument(addon));
}

module.exports = addon;
