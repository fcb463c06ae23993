"use strict";
/**
 * Finds the factory behind a `type:` name of models.yaml (spec §4.16): a
 * built-in field, or a custom one exported by `<fieldsDir>/<kebab>-field.js`
 * under the type's own name. Published as `dynamo-bao/src/fieldResolver.js`.
 */
const fs = require("node:fs");
const path = require("node:path");

/**
 * The file a custom type lives in: `FooBarField` → `foo-bar-field.js`.
 * @param {string} typeName
 * @returns {string}
 */
function customFieldFileName(typeName) {
  const base = String(typeName).replace(/Field$/, "");
  return `${base.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()}-field.js`;
}

class FieldResolver {
  /**
   * @param {Record<string, any>} builtInFields the `dynamo-bao/src/fields.js` export object
   * @param {string|null} [customFieldsPath] the `paths.fieldsDir` of the config, if any
   */
  constructor(builtInFields, customFieldsPath = null) {
    this.builtInFields = builtInFields || {};
    this.customFieldsPath = customFieldsPath || null;
    this.fieldDefinitionCache = new Map(Object.entries(this.builtInFields));
  }

  /**
   * The path a custom type would be loaded from (`null` without a fieldsDir).
   * @param {string} typeName
   * @returns {string|null}
   */
  customFieldPath(typeName) {
    if (!this.customFieldsPath) return null;
    return path.join(this.customFieldsPath, customFieldFileName(typeName));
  }

  /**
   * The factory (or class) for a field type name.
   * @param {string} typeName e.g. `"StringField"` or a custom `"EmailField"`
   * @returns {Function}
   * @throws {Error} `Field type '<type>' not found in built-in or custom fields`
   */
  getFieldDefinition(typeName) {
    if (this.fieldDefinitionCache.has(typeName)) return this.fieldDefinitionCache.get(typeName);
    const file = typeof typeName === "string" ? this.customFieldPath(typeName) : null;
    if (file && fs.existsSync(file)) {
      let exported;
      try {
        exported = require(file);
      } catch (err) {
        // A broken custom field file is not "not found": say which file failed and why.
        throw new Error(`Field type '${typeName}' could not be loaded from ${file}: ${err.message}`, { cause: err });
      }
      const definition = exported && exported[typeName];
      if (definition) {
        this.fieldDefinitionCache.set(typeName, definition);
        return definition;
      }
    }
    throw new Error(`Field type '${typeName}' not found in built-in or custom fields`);
  }

  /**
   * Whether generated code imports this type from the fieldsDir: a fieldsDir
   * is configured and holds the type's kebab-case file.
   * @param {string} typeName
   * @returns {boolean}
   */
  isCustomField(typeName) {
    const file = typeof typeName === "string" ? this.customFieldPath(typeName) : null;
    return file !== null && fs.existsSync(file);
  }
}

/** The kebab-case file name of a custom type (generated imports use it too). */
FieldResolver.customFieldFileName = customFieldFileName;

module.exports = FieldResolver;
