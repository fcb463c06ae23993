#!/usr/bin/env node
"use strict";
/**
 * `bao-watch`: runs codegen, then again 300 ms after the model definitions
 * change. Watches the definitions (file or folder) named by the config file,
 * not the generated output (so a run does not trigger another).
 */
const fs = require("node:fs");
const path = require("node:path");
const { loadConfig, fail } = require("./lib/cli.js");
const { codegen } = require("./bao-codegen.js");

async function main() {
  const cfg = await loadConfig();
  const target = cfg.paths?.modelsDefinitionPath || path.resolve(process.cwd(), "models.yaml");
  const generate = () =>
    codegen(cfg).then(
      (names) => console.log(`[${new Date().toISOString()}] generated ${names.join(", ")}`),
      (err) => console.error(`Error generating models: ${err.message}`),
    );
  await generate();
  let timer = null;
  const onChange = (_event, file) => {
    if (file && !/\.ya?ml$/.test(String(file))) return;
    clearTimeout(timer);
    timer = setTimeout(generate, 300);
  };
  fs.watch(target, { recursive: fs.statSync(target).isDirectory() }, onChange);
  console.log(`Watching ${target} for changes…`);
}

main().catch((err) => fail(err.message));
