"use strict";
/**
 * The storage kind of each built-in field class, as the native schema names
 * it. Kept apart from fields.js, whose export object must hold exactly
 * DynamoBao's names (code enumerates it).
 */
const {
  TtlFieldClass, CreateDateFieldClass, ModifiedDateFieldClass, DateTimeFieldClass, UlidFieldClass,
  RelatedFieldClass, IntegerFieldClass, FloatFieldClass, CounterFieldClass, BooleanFieldClass,
  VersionFieldClass, BinaryFieldClass, StringSetFieldClass, StringFieldClass,
} = require("./fields.js");

/** Most specific class first. */
const KINDS = [
  [TtlFieldClass, "ttl"],
  [CreateDateFieldClass, "createDate"],
  [ModifiedDateFieldClass, "modifiedDate"],
  [DateTimeFieldClass, "dateTime"],
  [UlidFieldClass, "ulid"],
  [RelatedFieldClass, "related"],
  [IntegerFieldClass, "integer"],
  [FloatFieldClass, "float"],
  [CounterFieldClass, "counter"],
  [BooleanFieldClass, "boolean"],
  [VersionFieldClass, "version"],
  [BinaryFieldClass, "binary"],
  [StringSetFieldClass, "stringSet"],
  [StringFieldClass, "string"],
];

/**
 * The storage kind of a field instance, for the native schema.
 * @param {BaoBaseField} field
 * @returns {string}
 */
function fieldKind(field) {
  for (const [cls, kind] of KINDS) if (field instanceof cls) return kind;
  return "string";
}

module.exports = { fieldKind };
