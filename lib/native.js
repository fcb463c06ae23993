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

module.exports = load();
