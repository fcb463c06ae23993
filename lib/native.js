"use strict";
/**
 * Loads the addon built by `npm install` (`napi build --platform`), which
 * names the file after the platform triple, e.g.
 * `native/dynamo-bao-native.linux-x64-gnu.node`.
 */
const fs = require("node:fs");
const path = require("node:path");

const dir = path.join(__dirname, "..", "native");

function candidates() {
  const { platform, arch } = process;
  let abi = "";
  if (platform === "linux") {
    const glibc = process.report?.getReport?.().header?.glibcVersionRuntime;
    abi = glibc ? "-gnu" : "-musl";
  } else if (platform === "win32") {
    abi = "-msvc";
  }
  const exact = `dynamo-bao-native.${platform}-${arch}${abi}.node`;
  let others = [];
  try {
    others = fs.readdirSync(dir).filter((f) => f.endsWith(".node") && f !== exact);
  } catch {
    // no native/ folder: reported below
  }
  return [exact, ...others];
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

module.exports = guarded(load());
