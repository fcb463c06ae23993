"use strict";
/**
 * Reads models.yaml (spec §8.4 step 4): one YAML file, or every `*.yaml` /
 * `*.yml` file of a directory (not recursive), merging their `models:` maps
 * in directory order; a later file's model replaces an earlier one of the
 * same name.
 */
const fs = require("node:fs");
const path = require("node:path");
const yaml = require("js-yaml");

function readYaml(file) {
  try {
    return yaml.load(fs.readFileSync(file, "utf8"), { filename: file });
  } catch (err) {
    // js-yaml's message already names the file, line and column.
    throw new Error(`Cannot read model definitions: ${err.message}`, { cause: err });
  }
}

/**
 * Loads model definitions.
 * @param {string} definitionsPath a YAML file or a directory of them
 * @returns {{models: Record<string, object>, files: Record<string, string>}}
 *   the merged `models:` map, and for each model the file that defined it
 *   (`definitionsPath` joined with the file name), for error messages
 */
function loadModelDefinitions(definitionsPath) {
  const models = {};
  const files = {};
  const merge = (file, definition) => {
    for (const name of Object.keys(definition.models)) files[name] = file;
    Object.assign(models, definition.models);
  };

  if (fs.statSync(definitionsPath).isDirectory()) {
    const names = fs.readdirSync(definitionsPath).filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"));
    for (const name of names) {
      const file = path.join(definitionsPath, name);
      const definition = readYaml(file);
      if (definition && definition.models && typeof definition.models === "object") merge(file, definition);
      else console.warn(`Warning: No models found in ${name}`);
    }
  } else {
    const definition = readYaml(definitionsPath);
    if (definition && definition.models && typeof definition.models === "object") merge(definitionsPath, definition);
    else console.warn(`Warning: No models found in ${definitionsPath}`);
  }
  return { models, files };
}

module.exports = { loadModelDefinitions };
