"use strict";
/**
 * Model definitions between models.yaml and the generator (spec §8.4 steps 5–6,
 * §8.5): `applyModelDefaults` fills in and normalises what the original
 * codegen does (its error texts are matched by DynamoBao's own suite), and
 * `validateModels` reports every definition error at once, before any file
 * is written. Also the naming rules the generator shares.
 */

const fs = require("node:fs");

const SEARCHABLE_OPTIONS = ["fields", "caseSensitive", "minTermLength", "dedupe"];

/** Limits of the single-table design (spec §3.1, §3.7). */
const MAX_GSIS = 5;
const MAX_UNIQUE_CONSTRAINTS = 3;
const MAX_ITERATION_BUCKETS = 1000;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * `TaggedPost` → `tagged-post` (file names of generated models).
 * @param {string} name
 * @returns {string}
 */
function kebabCase(name) {
  return String(name).replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

/**
 * A model's `tableType: mapping` (or the legacy `mapping:` key of spec §9 #39).
 * @param {object} modelDef
 */
function isMappingModel(modelDef) {
  return Boolean(modelDef && (modelDef.tableType === "mapping" || modelDef.mapping));
}

/**
 * The `type` of a field; in a mapping model a missing type means RelatedField.
 * @param {object} modelDef
 * @param {object} fieldDef
 * @returns {string|undefined}
 */
function fieldTypeOf(modelDef, fieldDef) {
  if (fieldDef && fieldDef.type) return fieldDef.type;
  return isMappingModel(modelDef) ? "RelatedField" : undefined;
}

/**
 * The number of an index id: `gsi2`, `2` and `"2"` all give 2 (the original
 * accepts any id ending in digits). `null` when there are no trailing digits.
 * @param {string|number} indexId
 * @returns {number|null}
 */
function indexIdNumber(indexId) {
  const m = typeof indexId === "number" || typeof indexId === "string" ? String(indexId).match(/(\d+)$/) : null;
  return m ? Number(m[1]) : null;
}

/**
 * The number of a unique-constraint id (`uc1`, `_uc1`, `1`).
 * @param {string|number} constraintId
 * @returns {number|null}
 */
function constraintIdNumber(constraintId) {
  return indexIdNumber(constraintId);
}

// ---- applyModelDefaults -------------------------------------------------------------

function applyIterationDefaults(modelDef) {
  // Iteration writes one more index entry per save, so it is opt-in.
  if (modelDef.iterable === undefined) modelDef.iterable = false;
  if (modelDef.iterationBuckets === undefined) modelDef.iterationBuckets = modelDef.iterable ? 10 : 0;
}

/** Replaces `searchable` by `false` or its full object form; throws on a bad value. */
function normaliseSearchable(modelName, modelDef) {
  const raw = modelDef.searchable;
  const fail = (text) => {
    throw new Error(`Model "${modelName}": ${text}`);
  };
  if (raw === undefined || raw === false) {
    modelDef.searchable = false;
    return;
  }
  if (raw === true) {
    fail(
      "`searchable: true` is not supported. Provide an object with `fields` listing the StringField names " +
        "to index, e.g. `searchable: { fields: [title, body] }`.",
    );
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    fail(`\`searchable\` must be either a boolean or an object. Got ${Array.isArray(raw) ? "array" : typeof raw}.`);
  }
  for (const key of Object.keys(raw)) {
    if (!SEARCHABLE_OPTIONS.includes(key)) {
      fail(`\`searchable\` has unknown option "${key}". Known options: ${SEARCHABLE_OPTIONS.join(", ")}.`);
    }
  }
  if (!Array.isArray(raw.fields) || raw.fields.length === 0) {
    fail("`searchable.fields` must be a non-empty array of field names.");
  }
  for (const name of raw.fields) {
    if (typeof name !== "string") fail(`\`searchable.fields\` entries must be strings. Got ${typeof name}.`);
    const fieldDef = modelDef.fields && modelDef.fields[name];
    if (!fieldDef) fail(`\`searchable.fields\` references "${name}" but that field is not defined on the model.`);
    // Only plain StringFields: the search text is built from the stored string as is.
    if (fieldDef.type !== "StringField") {
      fail(`\`searchable.fields\` entry "${name}" must be a StringField, got ${fieldDef.type}.`);
    }
  }
  if (raw.caseSensitive !== undefined && typeof raw.caseSensitive !== "boolean") {
    fail("`searchable.caseSensitive` must be a boolean.");
  }
  if (raw.dedupe !== undefined && typeof raw.dedupe !== "boolean") {
    fail("`searchable.dedupe` must be a boolean.");
  }
  if (raw.minTermLength !== undefined && !(Number.isInteger(raw.minTermLength) && raw.minTermLength >= 1)) {
    fail("`searchable.minTermLength` must be a positive integer.");
  }
  modelDef.searchable = {
    fields: raw.fields.slice(),
    caseSensitive: raw.caseSensitive === true,
    minTermLength: raw.minTermLength === undefined ? 1 : raw.minTermLength,
    dedupe: raw.dedupe === true,
  };
}

/**
 * Fills in the defaults of every model definition in place (spec §8.4 step 5):
 * `iterable` (false), `iterationBuckets` (10 if iterable, else 0), `searchable`
 * (false, or `{fields, caseSensitive, minTermLength, dedupe}`), and the empty
 * `fields`/`indexes`/`methods` of a legacy `mapping:` model (step 6).
 * Warns when a model is searchable but not iterable.
 * @param {Record<string, object>} models the `models:` map of models.yaml
 * @returns {Record<string, object>} the same object
 * @throws {Error} for an invalid `searchable` value (the first one found)
 */
function applyModelDefaults(models) {
  for (const [modelName, modelDef] of Object.entries(models)) {
    if (!modelDef || typeof modelDef !== "object") continue; // validateModels reports it
    applyIterationDefaults(modelDef);
    normaliseSearchable(modelName, modelDef);
    if (modelDef.searchable && !modelDef.iterable) {
      console.warn(
        `[dynamo-bao] Model "${modelName}" has \`searchable\` configured but \`iterable\` is false. ` +
          "_searchText is still written and query filters can use it, but searchAll/searchBucket will throw. " +
          "Set `iterable: true` to enable cross-bucket search.",
      );
    }
    if (modelDef.mapping) {
      models[modelName] = {
        ...modelDef,
        fields: modelDef.fields || {},
        indexes: modelDef.indexes || {},
        methods: modelDef.methods || {},
      };
    }
  }
  return models;
}

// ---- validateModels -----------------------------------------------------------------

let builtInFieldNames = null;
/** The factory names of the built-in fields module (without the `*Class` exports). */
function builtInTypes() {
  if (!builtInFieldNames) {
    builtInFieldNames = new Set(Object.keys(require("../../lib/fields.js")).filter((n) => !n.endsWith("Class")));
  }
  return builtInFieldNames;
}

const isPlainObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const quote = (v) => JSON.stringify(v);

/** Checks one model; `report(key, text)` records a problem. */
function checkModel(modelName, def, report, fieldTypeProblem) {
  if (!IDENTIFIER.test(modelName)) report(null, "the model name must be a valid JavaScript class name");
  if (!isPlainObject(def)) {
    report(null, "the definition must be a mapping (modelPrefix, fields, primaryKey, ...)");
    return;
  }

  if (def.tableType !== undefined && def.tableType !== "standard" && def.tableType !== "mapping") {
    report("tableType", `must be "standard" or "mapping", got ${quote(def.tableType)}`);
  }
  if (def.iterable !== undefined && typeof def.iterable !== "boolean") {
    report("iterable", `must be true or false, got ${quote(def.iterable)}`);
  }
  if (def.iterable === true && def.iterationBuckets !== undefined) {
    const n = def.iterationBuckets;
    if (!Number.isInteger(n) || n < 1 || n > MAX_ITERATION_BUCKETS) {
      report("iterationBuckets", `must be an integer from 1 to ${MAX_ITERATION_BUCKETS}, got ${quote(n)}`);
    }
  }

  // fields
  const fields = def.fields;
  const fieldNames = new Set();
  if (fields === undefined || fields === null) {
    if (!def.mapping) report("fields", "missing (a model needs at least its key fields)");
  } else if (!isPlainObject(fields)) {
    report("fields", "must be a mapping of field names to field definitions");
  } else {
    for (const [name, fieldDef] of Object.entries(fields)) {
      fieldNames.add(name);
      const key = `fields.${name}`;
      if (!IDENTIFIER.test(name)) report(key, "a field name must be a valid JavaScript identifier");
      else if (name.startsWith("_")) report(key, "a field name cannot start with an underscore (reserved for system attributes)");
      if (!isPlainObject(fieldDef)) {
        report(key, "must be a mapping with at least a type");
        continue;
      }
      const type = fieldTypeOf(def, fieldDef);
      if (!type) {
        report(`${key}.type`, "missing");
        continue;
      }
      const typeProblem = fieldTypeProblem(type);
      if (typeProblem) report(`${key}.type`, typeProblem);
      if (type === "RelatedField" && (typeof fieldDef.model !== "string" || !fieldDef.model)) {
        report(`${key}.model`, "a RelatedField needs the name of the model it refers to");
      }
      if (type === "TtlField" && name !== "ttl") {
        report(`${key}.type`, `a TtlField must be named "ttl" (DynamoDB expires items by that attribute), found "${name}"`);
      }
    }
  }
  const checkFieldRef = (key, value) => {
    if (value === undefined || value === null || value === "") report(key, "missing");
    else if (value !== "modelPrefix" && fields && isPlainObject(fields) && !fieldNames.has(value)) {
      report(key, `field ${quote(value)} is not defined in fields`);
    }
  };

  // modelPrefix is checked by the caller (it compares models).

  // primaryKey
  if (!isPlainObject(def.primaryKey)) {
    report("primaryKey", def.primaryKey === undefined ? "missing" : "must be a mapping with partitionKey (and optionally sortKey)");
  } else {
    checkFieldRef("primaryKey.partitionKey", def.primaryKey.partitionKey);
    if (def.primaryKey.sortKey !== undefined) checkFieldRef("primaryKey.sortKey", def.primaryKey.sortKey);
  }

  // indexes
  if (def.indexes !== undefined && def.indexes !== null) {
    if (!isPlainObject(def.indexes)) {
      report("indexes", "must be a mapping of index names to index definitions");
    } else {
      const usedIds = new Map(); // number -> index name
      let gsiCount = 0;
      for (const [indexName, index] of Object.entries(def.indexes)) {
        const key = `indexes.${indexName}`;
        if (!IDENTIFIER.test(indexName)) report(key, "an index name must be a valid JavaScript identifier");
        else if (indexName.startsWith("_")) report(key, "an index name cannot start with an underscore");
        if (index === "primaryKey") continue;
        if (!isPlainObject(index)) {
          report(key, 'must be "primaryKey" or a mapping with partitionKey, sortKey and indexId');
          continue;
        }
        gsiCount += 1;
        checkFieldRef(`${key}.partitionKey`, index.partitionKey);
        checkFieldRef(`${key}.sortKey`, index.sortKey);
        if (index.indexId === undefined || index.indexId === null) {
          report(`${key}.indexId`, "missing (one of gsi1..gsi5)");
          continue;
        }
        const n = indexIdNumber(index.indexId);
        if (n === null || n < 1 || n > MAX_GSIS) {
          report(`${key}.indexId`, `${quote(index.indexId)} is not one of gsi1..gsi${MAX_GSIS}`);
        } else if (usedIds.has(n)) {
          report(`${key}.indexId`, `gsi${n} is already used by index ${quote(usedIds.get(n))}`);
        } else {
          usedIds.set(n, indexName);
        }
      }
      if (gsiCount > MAX_GSIS) {
        report("indexes", `${gsiCount} GSI indexes are defined; a model can have at most ${MAX_GSIS} (gsi1..gsi${MAX_GSIS})`);
      }
    }
  }

  // uniqueConstraints
  if (def.uniqueConstraints !== undefined && def.uniqueConstraints !== null) {
    if (!isPlainObject(def.uniqueConstraints)) {
      report("uniqueConstraints", "must be a mapping of constraint names to { field, uniqueConstraintId }");
    } else {
      const entries = Object.entries(def.uniqueConstraints);
      if (entries.length > MAX_UNIQUE_CONSTRAINTS) {
        report(
          "uniqueConstraints",
          `${entries.length} unique constraints are defined; a model can have at most ${MAX_UNIQUE_CONSTRAINTS} (uc1..uc${MAX_UNIQUE_CONSTRAINTS})`,
        );
      }
      const usedIds = new Map();
      for (const [name, constraint] of entries) {
        const key = `uniqueConstraints.${name}`;
        if (!IDENTIFIER.test(name)) report(key, "a constraint name must be a valid JavaScript identifier");
        if (!isPlainObject(constraint)) {
          report(key, "must be a mapping with field and uniqueConstraintId");
          continue;
        }
        if (constraint.field === "modelPrefix") report(`${key}.field`, "must name a field");
        else checkFieldRef(`${key}.field`, constraint.field);
        if (constraint.uniqueConstraintId === undefined || constraint.uniqueConstraintId === null) {
          report(`${key}.uniqueConstraintId`, "missing (one of uc1..uc3)");
          continue;
        }
        const n = constraintIdNumber(constraint.uniqueConstraintId);
        if (n === null || n < 1 || n > MAX_UNIQUE_CONSTRAINTS) {
          report(`${key}.uniqueConstraintId`, `${quote(constraint.uniqueConstraintId)} is not one of uc1..uc${MAX_UNIQUE_CONSTRAINTS}`);
        } else if (usedIds.has(n)) {
          report(`${key}.uniqueConstraintId`, `uc${n} is already used by constraint ${quote(usedIds.get(n))}`);
        } else {
          usedIds.set(n, name);
        }
      }
    }
  }
}

/**
 * Checks model definitions before anything is generated and reports every
 * problem at once. Each line names the file, the model and the key, e.g.
 * `models.yaml: model "Post", key "indexes.byUser.indexId": gsi1 is already used by index "byTitle"`.
 *
 * Rejects, among others: a missing `fields`, `modelPrefix` or `primaryKey`; a
 * `modelPrefix` shared by two models; unknown field types; a TtlField not
 * named `ttl`; unknown key fields; missing, invalid or repeated index and
 * constraint ids; more than 5 GSIs or 3 unique constraints.
 * @param {Record<string, object>} models the `models:` map (before or after applyModelDefaults)
 * @param {object} [options]
 * @param {string} [options.file] the definitions file named in messages
 * @param {Record<string, string>} [options.files] per-model file (from loadModelDefinitions); wins over `file`
 * @param {{getFieldDefinition(type: string): any}} [options.fieldResolver] to accept custom field types;
 *   without it only the built-in types are known
 * @returns {Record<string, object>} `models`, when valid
 * @throws {Error} listing every problem (`error.problems` holds the lines)
 */
function validateModels(models, { file, files, fieldResolver } = {}) {
  const problems = [];
  const fileOf = (modelName) => (files && files[modelName]) || file || null;
  const where = (modelName, key) =>
    `${fileOf(modelName) ? `${fileOf(modelName)}: ` : ""}model ${quote(modelName)}${key ? `, key ${quote(key)}` : ""}`;

  if (!isPlainObject(models)) {
    const err = new Error(`${file ? `${file}: ` : ""}no \`models:\` mapping found`);
    err.problems = [err.message];
    throw err;
  }

  const typeProblems = new Map();
  const fieldTypeProblem = (type) => {
    if (!typeProblems.has(type)) typeProblems.set(type, findTypeProblem(type, fieldResolver));
    return typeProblems.get(type);
  };

  const prefixOwners = new Map();
  for (const [modelName, def] of Object.entries(models)) {
    const report = (key, text) => problems.push(`${where(modelName, key)}: ${text}`);
    checkModel(modelName, def, report, fieldTypeProblem);
    if (!isPlainObject(def)) continue;
    const prefix = def.modelPrefix;
    if (prefix === undefined || prefix === null || prefix === "") {
      report("modelPrefix", "missing (a short prefix used in every key of the model; it must never change)");
    } else if (typeof prefix !== "string" && typeof prefix !== "number") {
      report("modelPrefix", `must be a string, got ${quote(prefix)}`);
    } else if (prefixOwners.has(String(prefix))) {
      const other = prefixOwners.get(String(prefix));
      const otherFile = fileOf(other) && fileOf(other) !== fileOf(modelName) ? ` (${fileOf(other)})` : "";
      report("modelPrefix", `${quote(String(prefix))} is already used by model ${quote(other)}${otherFile}`);
    } else {
      prefixOwners.set(String(prefix), modelName);
    }
  }

  if (problems.length) {
    const err = new Error(
      `Invalid model definitions (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  ${p}`).join("\n"),
    );
    err.problems = problems;
    throw err;
  }
  return models;
}

/** Why a field type cannot be used (or null when it can). */
function findTypeProblem(type, fieldResolver) {
  if (typeof type !== "string") return `must be a type name, got ${quote(type)}`;
  if (/Class$/.test(type) && builtInTypes().has(type.replace(/Class$/, ""))) {
    return `${quote(type)} is a class; use the factory name ${quote(type.replace(/Class$/, ""))}`;
  }
  if (!fieldResolver) {
    return builtInTypes().has(type) ? null : `unknown field type ${quote(type)} (no fieldsDir given to look for custom types)`;
  }
  try {
    const def = fieldResolver.getFieldDefinition(type);
    if (typeof def !== "function") return `${quote(type)} is not a field factory`;
    return null;
  } catch (err) {
    if (/could not be loaded/.test(err.message)) return err.message.split("\n")[0];
    const file = fieldResolver.customFieldPath && fieldResolver.customFieldPath(type);
    let why = "no fieldsDir is configured";
    if (file) why = fs.existsSync(file) ? `${file} does not export ${type}` : `there is no ${file}`;
    return `unknown field type ${quote(type)} (not built in, and ${why})`;
  }
}

module.exports = {
  applyModelDefaults,
  validateModels,
  kebabCase,
  isMappingModel,
  fieldTypeOf,
  indexIdNumber,
  constraintIdNumber,
};
