"use strict";
/**
 * Checks that the addon the package loads is a release build. The package's
 * `install` and `build` scripts pass `--release`; the release profile
 * (Cargo.toml) strips the library, while Cargo's dev profile keeps full
 * DWARF debug info. So an ELF addon with `.debug_info` or a `.symtab` was not
 * built by those scripts. Figures from a debug build would say nothing about
 * what users get, so the benchmark refuses to run on one.
 */
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");

/** Section names of an ELF file (64- and 32-bit, either byte order), or null when it is not ELF. */
function elfSectionNames(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) return null;
  const is64 = buf[4] === 2;
  const le = buf[5] === 1;
  const u16 = (o) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const u64 = (o) => Number(le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o));
  const shoff = is64 ? u64(0x28) : u32(0x20);
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  const shnum = u16(is64 ? 0x3c : 0x30);
  const shstrndx = u16(is64 ? 0x3e : 0x32);
  const section = (i) => {
    const o = shoff + i * shentsize;
    return { name: u32(o), offset: is64 ? u64(o + 0x18) : u32(o + 0x10) };
  };
  const strtab = section(shstrndx).offset;
  const names = [];
  for (let i = 0; i < shnum; i++) {
    const start = strtab + section(i).name;
    let end = start;
    while (end < buf.length && buf[end] !== 0) end++;
    names.push(buf.toString("latin1", start, end));
  }
  return names;
}

/** The addon file lib/native.js loaded in this process. */
function loadedAddon() {
  require(path.join(ROOT, "lib", "native.js"));
  const file = Object.keys(require.cache).find((f) => f.endsWith(".node") && f.startsWith(path.join(ROOT, "native")));
  if (!file) throw new Error("the native addon is not loaded from native/: run `npm run build`");
  return file;
}

/**
 * @returns {{file: string, bytes: number, builtAt: string, release: boolean|null, evidence: string, scripts: string}}
 */
function checkReleaseBuild() {
  const file = loadedAddon();
  const stat = fs.statSync(file);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const scripts = ["install", "build"].every((s) => /--release\b/.test(pkg.scripts?.[s] || ""))
    ? "npm install / npm run build use --release"
    : "WARNING: package.json install/build scripts do not pass --release";
  const names = elfSectionNames(file);
  let release = null;
  let evidence = "not an ELF file: build profile not verifiable on this platform";
  if (names) {
    const debug = names.filter((n) => n.startsWith(".debug_") || n === ".symtab");
    release = debug.length === 0;
    evidence = release
      ? "stripped, no DWARF sections (the release profile)"
      : `has ${debug.join(", ")} (a dev/debug build)`;
  }
  return {
    file: path.relative(ROOT, file),
    bytes: stat.size,
    builtAt: stat.mtime.toISOString(),
    release,
    evidence,
    scripts,
  };
}

module.exports = { checkReleaseBuild, elfSectionNames };
