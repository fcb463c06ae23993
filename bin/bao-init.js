#!/usr/bin/env node
"use strict";
/**
 * `bao-init`: asks for a table name, creates the table (with the search index
 * and TTL), and writes a starter `dynamo-bao.config.js`, `models/` and
 * `models.yaml` when they do not exist yet.
 */
const fs = require("node:fs");
const path = require("node:path");
const readline = require("node:readline/promises");
const { createTable } = require("../lib/admin.js");
const { run } = require("./lib/cli.js");

const EXAMPLE_YAML = `# Model definitions for bao-codegen (see the dynamo-bao docs for every key).
models:
  User:
    modelPrefix: u
    iterable: true
    fields:
      userId: { type: UlidField, autoAssign: true }
      name: { type: StringField, required: true }
      email: { type: StringField, required: true }
      createdAt: { type: CreateDateField }
    primaryKey:
      partitionKey: userId
    uniqueConstraints:
      uniqueEmail: { field: email, uniqueConstraintId: uc1 }
`;

run(async () => {
  const cwd = process.cwd();
  const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1";
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const answer = (await rl.question("Enter table name [dynamo-bao-dev]: ")).trim();
  rl.close();
  const tableName = answer || "dynamo-bao-dev";
  try {
    const r = await createTable({ tableName, region });
    console.log(r.created ? `Created table ${tableName}.` : `Table ${tableName} already exists.`);
    const configFile = path.join(cwd, "dynamo-bao.config.js");
    if (!fs.existsSync(configFile)) {
      fs.writeFileSync(
        configFile,
        `module.exports = ${JSON.stringify(
          {
            aws: { region },
            db: { tableName, iterationIndexName: "iter_search_index" },
            logging: { level: "ERROR" },
            paths: { modelsDir: "./models", modelsDefinitionPath: "./models.yaml", fieldsDir: "./fields" },
            tenancy: { enabled: false },
          },
          null,
          2,
        )};\n`,
      );
      console.log("Wrote dynamo-bao.config.js");
    }
  } catch (err) {
    console.error(`Error creating table: ${err.message}`);
  }
  fs.mkdirSync(path.join(cwd, "models"), { recursive: true });
  const yamlFile = path.join(cwd, "models.yaml");
  if (!fs.existsSync(yamlFile)) {
    fs.writeFileSync(yamlFile, EXAMPLE_YAML);
    console.log("Wrote an example models.yaml; run bao-codegen to generate models.");
  }
  return 0;
});
