"use strict";
/**
 * models.yaml → one model class per file (spec §8.5, §8.6, §8.8), plus a
 * `.d.ts` beside each for TypeScript users.
 *
 * Each model is first described as a plan (fields, keys, generated methods);
 * the JavaScript and the declarations are both rendered from that plan, and
 * nothing is written until every model has been rendered, so a bad
 * definition leaves the output directory as it was.
 *
 * Deliberate differences from the original generator (spec §9 #37, #38):
 * string literals are escaped, object options are emitted as object
 * literals, a numeric `indexId` works, `findBy` names are capitalised, a
 * model's methods never import its own file, related models are required on
 * first use in CommonJS (so models that refer to each other load), the
 * fallback `query<Model>s` uses queryByPrimaryKey, and duplicate method names
 * are reported instead of silently shadowed.
 */
const fs = require("node:fs");
const path = require("node:path");
const {
  kebabCase,
  fieldTypeOf,
  isMappingModel,
  indexIdNumber,
  constraintIdNumber,
} = require("../lib/process-models.js");

const SRC = "dynamo-bao/src";
const MODULE_SYSTEMS = ["commonjs", "esm"];
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** TypeScript type of each built-in field's property (custom types are `any`). */
const TS_FIELD_TYPES = {
  StringField: "string",
  UlidField: "string",
  RelatedField: "string",
  VersionField: "string",
  IntegerField: "number | null",
  FloatField: "number | null",
  CounterField: "number",
  BooleanField: "boolean | null",
  DateTimeField: "Date | null",
  CreateDateField: "Date | null",
  ModifiedDateField: "Date | null",
  TtlField: "Date | null",
  BinaryField: "Buffer | null",
  StringSetField: "Set<string>",
};

/** Library methods the generated ones call: a generated method of the same name would recurse. */
const RESERVED = {
  static: new Set(["queryByIndex", "queryByPrimaryKey", "findByUniqueConstraint", "getRelatedObjectsViaMap", "find", "create", "update", "delete"]),
  instance: new Set(["getOrLoadRelatedField", "save", "delete", "getPrimaryId"]),
};

// ---- literals -----------------------------------------------------------------------

/** A single-quoted JS string literal; any quote, backslash or control character is escaped. */
function str(value) {
  const json = JSON.stringify(String(value));
  return `'${json.slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

/** An object key: bare when it is an identifier. */
function propKey(key) {
  return IDENTIFIER.test(key) ? key : str(key);
}

/** A JS literal for a YAML value (js-yaml gives strings, numbers, booleans, null, Dates, arrays, objects). */
function literal(value) {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return str(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Date) return `new Date(${str(value.toISOString())})`;
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => `${propKey(k)}: ${literal(v)}`);
    return entries.length ? `{ ${entries.join(", ")} }` : "{}";
  }
  throw new Error(`Cannot emit a ${typeof value} option value`);
}

const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** `postsForUser` → `posts`; names without "For" are used whole. */
function stem(indexName) {
  const i = indexName.indexOf("For");
  return i > 0 ? indexName.slice(0, i) : indexName;
}

/** `uniqueEmail` → `findByEmail`, `emailUnique` → `findByEmailUnique`. */
function findByName(constraintName) {
  const rest = constraintName.replace(/^unique/, "");
  return `findBy${cap(rest || constraintName)}`;
}

// ---- the plan -----------------------------------------------------------------------

function fail(modelName, text) {
  throw new Error(`Invalid model configuration for ${modelName}: ${text}`);
}

function gsiConstant(modelName, indexName, indexId) {
  const n = indexIdNumber(indexId);
  if (n === null) throw new Error(`Invalid indexId format: ${indexId}. Expected format: gsi1, gsi2, etc.`);
  if (n < 1 || n > 5) fail(modelName, `index "${indexName}" has indexId ${indexId}; use gsi1..gsi5`);
  return `GSI_INDEX_ID${n}`;
}

function constraintConstant(modelName, name, constraintId) {
  const n = constraintIdNumber(constraintId);
  if (n === null || n < 1 || n > 3) {
    fail(modelName, `unique constraint "${name}" has uniqueConstraintId ${constraintId}; use uc1..uc3`);
  }
  return `UNIQUE_CONSTRAINT_ID${n}`;
}

/** The RelatedField definition of `fieldName` in model `def`, if it is one. */
function relatedField(def, fieldName) {
  const f = def && def.fields && def.fields[fieldName];
  return f && fieldTypeOf(def, f) === "RelatedField" ? f : null;
}

/**
 * The methods generated on `modelName` (spec §8.6 table), in class-body order.
 * Each entry: `{ name, isStatic, kind, ... }`.
 */
function planMethods(modelName, def, models) {
  const methods = [];
  const add = (m) => methods.push(m);

  // 1. own indexes partitioned by modelPrefix → static query<Stem>
  for (const [indexName, index] of Object.entries(def.indexes || {})) {
    if (index !== "primaryKey" && index && index.partitionKey === "modelPrefix") {
      add({ kind: "prefixQuery", isStatic: true, name: `query${cap(stem(indexName))}`, indexName, returns: modelName });
    }
  }

  // 2. other models' keys that point at this model → instance query<Stem>
  for (const [otherName, other] of Object.entries(models)) {
    if (!other || !other.indexes || !other.fields || !other.primaryKey) continue;
    const pkRel = relatedField(other, other.primaryKey.partitionKey);
    if (pkRel && pkRel.model === modelName) {
      const alias = Object.entries(other.indexes).find(([, ix]) => ix === "primaryKey");
      add({
        kind: "relatedQuery",
        isStatic: false,
        name: alias ? `query${cap(stem(alias[0]))}` : `query${otherName}s`,
        model: otherName,
        indexName: alias ? alias[0] : null, // null: the table's own primary key
        returns: otherName,
      });
    }
    for (const [indexName, index] of Object.entries(other.indexes)) {
      if (index === "primaryKey" || !index) continue;
      const rel = relatedField(other, index.partitionKey);
      if (rel && rel.model === modelName) {
        add({ kind: "relatedQuery", isStatic: false, name: `query${cap(stem(indexName))}`, model: otherName, indexName, returns: otherName });
      }
    }
  }

  // 3. mapping models between this model and another → instance get<Stem>
  for (const [mapName, map] of Object.entries(models)) {
    if (!map || !map.indexes || !map.fields || !map.primaryKey || map.tableType !== "mapping") continue;
    for (const [indexName, index] of Object.entries(map.indexes)) {
      let pkField;
      let skField;
      if (index === "primaryKey") {
        pkField = map.primaryKey.partitionKey;
        skField = map.primaryKey.sortKey;
      } else if (index && index.partitionKey && index.sortKey) {
        pkField = index.partitionKey;
        skField = index.sortKey;
      } else {
        continue;
      }
      const rel = relatedField(map, pkField);
      if (!rel || rel.model !== modelName) continue;
      const related = Object.entries(map.fields).filter(([, f]) => f && fieldTypeOf(map, f) === "RelatedField");
      // The objects to return: the index's sort key when it is a relation, else (as the
      // original) the first relation to another model, else any other relation.
      const target =
        (relatedField(map, skField) && skField !== pkField ? [skField, relatedField(map, skField)] : null) ||
        related.find(([, f]) => f.model !== modelName) ||
        related.find(([name]) => name !== pkField);
      if (!target) continue;
      add({
        kind: "mapGet",
        isStatic: false,
        name: `get${cap(stem(indexName))}`,
        model: mapName,
        indexName,
        targetField: target[0],
        returns: target[1].model,
      });
    }
  }

  // 4. unique constraints → static findBy<Name>
  for (const [name, constraint] of Object.entries(def.uniqueConstraints || {})) {
    add({ kind: "findBy", isStatic: true, name: findByName(name), constraintName: name, field: constraint && constraint.field });
  }

  // 5. own RelatedFields → instance get<Field without "Id">
  for (const [fieldName, f] of Object.entries(def.fields || {})) {
    if (f && fieldTypeOf(def, f) === "RelatedField") {
      const base = fieldName.endsWith("Id") && fieldName.length > 2 ? fieldName.slice(0, -2) : fieldName;
      add({ kind: "relatedGet", isStatic: false, name: `get${cap(base)}`, fieldName, returns: f.model, required: !!f.required });
    }
  }

  return dedupeMethods(modelName, methods);
}

/** Drops methods that would shadow the library, and earlier duplicates (the later one wins, as in the original). */
function dedupeMethods(modelName, methods) {
  const byKey = new Map();
  for (const m of methods) {
    const where = `${modelName}${m.isStatic ? "." : "#"}${m.name}`;
    if ((m.isStatic ? RESERVED.static : RESERVED.instance).has(m.name)) {
      console.warn(`[dynamo-bao] codegen: not generating ${where}: it would replace the library method of that name.`);
      continue;
    }
    const key = `${m.isStatic ? "static " : ""}${m.name}`;
    if (byKey.has(key)) {
      console.warn(`[dynamo-bao] codegen: two generated methods are named ${where}; the later one (${describe(m)}) replaces ${describe(byKey.get(key))}.`);
      byKey.delete(key);
    }
    byKey.set(key, m);
  }
  return [...byKey.values()];
}

function describe(m) {
  if (m.kind === "findBy") return `unique constraint "${m.constraintName}"`;
  if (m.kind === "relatedGet") return `field "${m.fieldName}"`;
  return `${m.model ? `${m.model} ` : ""}index "${m.indexName || "primaryKey"}"`;
}

/** Everything both renderers need about one model. */
function planModel(modelName, def, models, fieldResolver) {
  if (!IDENTIFIER.test(modelName)) fail(modelName, "the model name must be a valid JavaScript class name");
  if (!def || !def.fields) fail(modelName, "missing fields");
  if (!def.primaryKey || !def.primaryKey.partitionKey) fail(modelName, "missing primaryKey.partitionKey");
  if (def.modelPrefix === undefined || def.modelPrefix === null || def.modelPrefix === "") fail(modelName, "missing modelPrefix");

  const builtInTypes = []; // first-use order
  const customTypes = [];
  const fields = Object.entries(def.fields).map(([name, fieldDef]) => {
    const type = fieldTypeOf(def, fieldDef || {});
    if (!type) fail(modelName, `field "${name}" has no type`);
    // Throws "Field type '<t>' not found in built-in or custom fields" for unknown types.
    fieldResolver.getFieldDefinition(type);
    const custom = fieldResolver.isCustomField(type);
    const list = custom ? customTypes : builtInTypes;
    if (!list.includes(type)) list.push(type);
    return { name, type, custom, def: fieldDef || {} };
  });

  const indexes = Object.entries(def.indexes || {}).map(([name, index]) => {
    if (index === "primaryKey") return { name, alias: true };
    if (!index || typeof index !== "object") fail(modelName, `index "${name}" must be "primaryKey" or { partitionKey, sortKey, indexId }`);
    return { name, pk: index.partitionKey, sk: index.sortKey, constant: gsiConstant(modelName, name, index.indexId) };
  });
  const constraints = Object.entries(def.uniqueConstraints || {}).map(([name, c]) => {
    if (!c || typeof c !== "object") fail(modelName, `unique constraint "${name}" must be { field, uniqueConstraintId }`);
    return { name, field: c.field, constant: constraintConstant(modelName, name, c.uniqueConstraintId) };
  });

  const searchable = Boolean(def.searchable && typeof def.searchable === "object");
  return {
    name: modelName,
    def,
    prefix: String(def.modelPrefix),
    iterable: def.iterable === true,
    // `??`: applyModelDefaults gives non-iterable models a deliberate 0.
    iterationBuckets: def.iterationBuckets ?? 100,
    searchable,
    searchConfig: searchable ? def.searchable : null,
    fields,
    builtInTypes,
    customTypes,
    primaryKey: { pk: def.primaryKey.partitionKey, sk: def.primaryKey.sortKey || "modelPrefix" },
    indexes,
    constraints,
    methods: planMethods(modelName, def, models),
  };
}

// ---- JavaScript ---------------------------------------------------------------------

const BANNER = [
  "// 🧨 🧨 🧨 🧨 🧨 🧨 🧨 🧨 🧨 🧨 🧨 🧨 🧨 🧨 🧨",
  "// DO NOT EDIT: Generated by model-codegen",
  "// 🧨 🧨 🧨 🧨 🧨 🧨 🧨 🧨 🧨 🧨 🧨 🧨 🧨 🧨 🧨",
];

function importLine(names, from, esm) {
  const list = `{ ${names.join(", ")} }`;
  return esm ? `import ${list} from ${str(from)};` : `const ${list} = require(${str(from)});`;
}

function fieldExpression(field) {
  const options = Object.entries(field.def).filter(([k, v]) => k !== "type" && v !== undefined);
  if (field.type === "RelatedField") {
    // The original emits `{ required: <bool> }` for every relation; other options follow it.
    const rest = options.filter(([k]) => k !== "model" && k !== "required");
    const opts = [`required: ${!!field.def.required}`, ...rest.map(([k, v]) => `${propKey(k)}: ${literal(v)}`)];
    return `RelatedField(${str(field.def.model)}, { ${opts.join(", ")} })`;
  }
  const body = options.map(([k, v]) => `${propKey(k)}: ${literal(v)}`);
  return `${field.type}(${body.length ? `{ ${body.join(", ")} }` : ""})`;
}

/** `<relative path from outputDir to fieldsDir>/<kebab>-field.js`, always starting with `.`. */
function customFieldSpecifier(type, outputDir, fieldResolver) {
  let rel = path.relative(outputDir, fieldResolver.customFieldsPath).split(path.sep).join("/");
  if (!rel) rel = ".";
  else if (!rel.startsWith(".")) rel = `./${rel}`;
  const fileName = fieldResolver.constructor.customFieldFileName
    ? fieldResolver.constructor.customFieldFileName(type)
    : `${kebabCase(type.replace(/Field$/, ""))}-field.js`;
  return `${rel}/${fileName}`;
}

/** A related model's class inside a method body (CommonJS: required on first use). */
function modelRef(plan, otherName, esm) {
  if (otherName === plan.name || esm) return { prelude: "", name: otherName };
  return {
    prelude: `    const { ${otherName} } = require(${str(`./${kebabCase(otherName)}.js`)});\n`,
    name: otherName,
  };
}

function methodCode(plan, m, esm) {
  switch (m.kind) {
    case "prefixQuery":
      return `  static async ${m.name}(skCondition = null, options = {}) {
    return this.queryByIndex(${str(m.indexName)}, this.modelPrefix, skCondition, options);
  }`;
    case "relatedQuery": {
      const ref = modelRef(plan, m.model, esm);
      const call = m.indexName
        ? `${ref.name}.queryByIndex(${str(m.indexName)}, this._getPkValue(), skCondition, options)`
        : `${ref.name}.queryByPrimaryKey(this._getPkValue(), skCondition, options)`;
      return `  async ${m.name}(skCondition = null, options = {}) {
${ref.prelude}    return ${call};
  }`;
    }
    case "mapGet": {
      const ref = modelRef(plan, m.model, esm);
      return `  async ${m.name}(mapSkCondition = null, limit = null, direction = 'ASC', startKey = null) {
${ref.prelude}    return ${ref.name}.getRelatedObjectsViaMap(
      ${str(m.indexName)},
      this._getPkValue(),
      ${str(m.targetField)},
      mapSkCondition,
      limit,
      direction,
      startKey,
    );
  }`;
    }
    case "findBy":
      return `  static async ${m.name}(value) {
    return this.findByUniqueConstraint(${str(m.constraintName)}, value);
  }`;
    case "relatedGet":
      return `  async ${m.name}() {
    return this.getOrLoadRelatedField(${str(m.fieldName)});
  }`;
    default:
      throw new Error(`unknown method kind ${m.kind}`);
  }
}

function renderJs(plan, esm, outputDir, fieldResolver) {
  const modelImports = ["BaoModel", "PrimaryKeyConfig"];
  if (plan.indexes.some((ix) => !ix.alias)) modelImports.push("IndexConfig");
  if (plan.constraints.length) modelImports.push("UniqueConstraintConfig");
  const constants = [...new Set([...plan.indexes.filter((ix) => !ix.alias).map((ix) => ix.constant), ...plan.constraints.map((c) => c.constant)])];

  const imports = [importLine(modelImports, `${SRC}/model.js`, esm)];
  if (constants.length) imports.push(importLine(constants, `${SRC}/constants.js`, esm));
  if (plan.builtInTypes.length) imports.push(importLine(plan.builtInTypes, `${SRC}/fields.js`, esm));
  for (const type of plan.customTypes) imports.push(importLine([type], customFieldSpecifier(type, outputDir, fieldResolver), esm));
  if (esm) {
    const related = [...new Set(plan.methods.filter((m) => m.model && m.model !== plan.name).map((m) => m.model))];
    for (const name of related) imports.push(importLine([name], `./${kebabCase(name)}.js`, esm));
  }

  const body = [
    `  static modelPrefix = ${str(plan.prefix)};`,
    `  static iterable = ${plan.iterable};`,
    `  static iterationBuckets = ${literal(plan.iterationBuckets)};`,
    `  static searchable = ${plan.searchable};`,
    `  static searchConfig = ${plan.searchable ? JSON.stringify(plan.searchConfig) : "null"};`,
    "",
    "  static fields = {",
    ...plan.fields.map((f) => `    ${propKey(f.name)}: ${fieldExpression(f)},`),
    "  };",
    "",
    `  static primaryKey = PrimaryKeyConfig(${str(plan.primaryKey.pk)}, ${str(plan.primaryKey.sk)});`,
  ];
  if (plan.indexes.length) {
    body.push("", "  static indexes = {");
    for (const ix of plan.indexes) {
      body.push(
        ix.alias
          ? `    ${propKey(ix.name)}: this.primaryKey,`
          : `    ${propKey(ix.name)}: IndexConfig(${str(ix.pk)}, ${str(ix.sk)}, ${ix.constant}),`,
      );
    }
    body.push("  };");
  }
  if (plan.constraints.length) {
    body.push("", "  static uniqueConstraints = {");
    for (const c of plan.constraints) body.push(`    ${propKey(c.name)}: UniqueConstraintConfig(${str(c.field)}, ${c.constant}),`);
    body.push("  };");
  }
  for (const m of plan.methods) body.push("", methodCode(plan, m, esm));

  return [
    ...BANNER,
    ...imports,
    "",
    `class ${plan.name} extends BaoModel {`,
    ...body,
    "}",
    "",
    esm ? `export { ${plan.name} };` : `module.exports = { ${plan.name} };`,
    "",
  ].join("\n");
}

// ---- TypeScript declarations ----------------------------------------------------------

function renderDts(plan, models) {
  const fromRoot = new Set(["BaoModel"]);
  const otherModels = new Set();
  /** The class type of a model name: generated ones by name, anything else as BaoModel. */
  const modelType = (name) => {
    if (name && name !== plan.name && Object.prototype.hasOwnProperty.call(models, name) && IDENTIFIER.test(name)) {
      otherModels.add(name);
      return name;
    }
    return name === plan.name ? name : "BaoModel";
  };
  const fieldType = (f) => (f.custom ? "any" : TS_FIELD_TYPES[f.type] || "any");
  const byName = new Map(plan.fields.map((f) => [f.name, f]));
  const QUERY_PARAMS = "skCondition?: SortKeyCondition | null, options?: QueryOptions";

  const fieldMembers = plan.fields.map((f) => `  ${propKey(f.name)}: ${fieldType(f)};`);
  const methodMembers = [];
  for (const m of plan.methods) {
    let line;
    switch (m.kind) {
      case "prefixQuery":
      case "relatedQuery":
        ["QueryResult", "SortKeyCondition", "QueryOptions"].forEach((n) => fromRoot.add(n));
        line = `${m.name}(${QUERY_PARAMS}): Promise<QueryResult<${modelType(m.returns)}>>;`;
        break;
      case "mapGet":
        ["QueryResult", "SortKeyCondition"].forEach((n) => fromRoot.add(n));
        line =
          `${m.name}(mapSkCondition?: SortKeyCondition | null, limit?: number | null, direction?: "ASC" | "DESC", ` +
          `startKey?: Record<string, unknown> | null): Promise<QueryResult<${modelType(m.returns)}>>;`;
        break;
      case "findBy": {
        fromRoot.add("ObjectNotFound");
        const f = byName.get(m.field);
        const valueType = f ? fieldType(f).replace(/ \| null$/, "") : "unknown";
        line = `${m.name}(value: ${valueType}): Promise<${plan.name} | ObjectNotFound>;`;
        break;
      }
      case "relatedGet":
        fromRoot.add("ObjectNotFound");
        line = `${m.name}(): Promise<${modelType(m.returns)} | ObjectNotFound${m.required ? "" : " | null"}>;`;
        break;
      default:
        throw new Error(`unknown method kind ${m.kind}`);
    }
    methodMembers.push(`  ${m.isStatic ? "static " : ""}${line}`);
  }

  const typeNames = ["QueryResult", "QueryOptions", "SortKeyCondition", "ObjectNotFound"].filter((n) => fromRoot.has(n));
  const lines = [...BANNER, 'import { BaoModel } from "dynamo-bao";'];
  if (typeNames.length) lines.push(`import type { ${typeNames.join(", ")} } from "dynamo-bao";`);
  for (const name of otherModels) lines.push(`import type { ${name} } from "./${kebabCase(name)}.js";`);
  lines.push("", `export declare class ${plan.name} extends BaoModel {`, ...fieldMembers, ...(fieldMembers.length && methodMembers.length ? [""] : []), ...methodMembers, "}", "");
  return lines.join("\n");
}

// ---- files ----------------------------------------------------------------------------

/**
 * Writes `<outputDir>/<kebab(ModelName)>.js` and `.d.ts` for every model
 * (spec §8.4 step 7). All files are rendered before the first is written.
 * @param {Record<string, object>} models definitions after applyModelDefaults
 * @param {string} outputDir created if missing; files of removed models are left alone
 * @param {import("../../lib/field-resolver.js")} [fieldResolver] resolves field types
 *   (default: built-in types only)
 * @param {"commonjs"|"esm"} [moduleSystem]
 * @returns {string[]} the paths written
 */
function generateModelFiles(models, outputDir, fieldResolver, moduleSystem = "commonjs") {
  if (!MODULE_SYSTEMS.includes(moduleSystem)) {
    throw new Error(`Unknown codegen.moduleSystem "${moduleSystem}"; use "commonjs" or "esm".`);
  }
  if (!fieldResolver) {
    const FieldResolver = require("../../lib/field-resolver.js");
    fieldResolver = new FieldResolver(require("../../lib/fields.js"), null);
  }
  const esm = moduleSystem === "esm";
  const outputs = [];
  for (const [modelName, def] of Object.entries(models)) {
    const plan = planModel(modelName, def, models, fieldResolver);
    const base = path.join(outputDir, kebabCase(modelName));
    outputs.push([`${base}.js`, renderJs(plan, esm, outputDir, fieldResolver)]);
    outputs.push([`${base}.d.ts`, renderDts(plan, models)]);
  }
  fs.mkdirSync(outputDir, { recursive: true });
  for (const [file, code] of outputs) {
    // Replace rather than write through: the old file may be a symlink or read-only.
    fs.rmSync(file, { force: true });
    fs.writeFileSync(file, code);
  }
  return outputs.map(([file]) => file);
}

module.exports = { generateModelFiles };
