"use strict";
/**
 * Field descriptors (spec §4): how a model property is validated and turned
 * into its stored ("dy") form and back. Key strings (`toGsi`) and DynamoDB
 * types are the native core's business; these classes only shape values.
 * Custom fields extend the exported `*FieldClass` classes.
 */
const { ValidationError } = require("./exceptions.js");
// ulid.js loads with the first id made or checked: a read-only process never
// needs it, and require() time is every Lambda's cold start.
let ulidModule = null;
const ulids = () => (ulidModule ??= require("./ulid.js"));
const ulid = () => ulids().ulid();

const isNullish = (v) => v === null || v === undefined;

/** The key-codec string of a stored value, for a field of the given kind. */
function gsiString(field, dy, kind) {
  const { fieldToGsi } = require("./native.js");
  const { fieldKind } = require("./field-kinds.js");
  const { native } = require("./native-errors.js");
  return native(() => fieldToGsi(kind || fieldKind(field), dy === undefined ? undefined : JSON.stringify(dy)));
}

/** Base behaviour shared by every field. Not exported, as in DynamoBao. */
class BaoBaseField {
  /** @param {object} [options] */
  constructor(options) {
    options = options ?? {};
    this.options = options;
    this.required = options.required || false;
    this.defaultValue = options.defaultValue;
  }

  /** The JS value a new instance starts with (a truthy `defaultValue`, called if a function). */
  getInitialValue() {
    if (this.defaultValue) {
      return typeof this.defaultValue === "function" ? this.defaultValue() : this.defaultValue;
    }
    return undefined;
  }

  /** Throws ValidationError for a value this field cannot store. */
  validate(value) {
    if (this.required && isNullish(value)) throw new ValidationError("Field is required", null, value);
    return true;
  }

  /** JS value -> stored value. */
  toDy(value) {
    return value;
  }

  /** Stored value -> JS value. */
  fromDy(value) {
    return value;
  }

  fromGsi(value) {
    return this.fromDy(value);
  }

  /**
   * The string this value has in an index key (the native key codec's form).
   * Custom fields may override it for their own use; keys the library writes
   * always use the built-in form of the class they extend.
   */
  toGsi(value) {
    return gsiString(this, this.toDy(value));
  }

  /** The value written on saves that do not set this field (`undefined`: none). */
  updateBeforeSave(value) {
    return value;
  }
}

class StringFieldClass extends BaoBaseField {
  validate(value) {
    if (this.required && !value) throw new ValidationError("Field is required", null, value);
    return true;
  }
}

class UlidFieldClass extends BaoBaseField {
  constructor(options = {}) {
    super({ ...options, required: true });
    this.autoAssign = options.autoAssign || false;
  }

  getInitialValue() {
    return this.autoAssign ? ulid() : super.getInitialValue();
  }

  validate(value) {
    if (!value && !this.autoAssign) throw new ValidationError("ULID is required", null, value);
    if (value) {
      if (typeof value !== "string" || !/^[0-9A-Z]{26}$/.test(value)) {
        throw new ValidationError("Invalid ULID format", null, value);
      }
      try {
        ulids().decodeTime(value);
      } catch {
        throw new ValidationError("Invalid ULID: could not decode timestamp", null, value);
      }
    }
    return true;
  }
}

class RelatedFieldClass extends BaoBaseField {
  /**
   * @param {string} modelName the related model's class name
   * @param {object} [options]
   */
  constructor(modelName, options = {}) {
    super(options);
    this.modelName = modelName;
  }

  validate(value) {
    if (this.required && !value) throw new ValidationError("Field is required", null, value);
    if (value && typeof value !== "string" && typeof value.getPrimaryId !== "function") {
      throw new ValidationError("Related field value must be a string ID or model instance", null, value);
    }
    return true;
  }

  toDy(value) {
    if (!value) return null;
    if (typeof value === "object" && typeof value.getPrimaryId === "function") return value.getPrimaryId();
    return value;
  }
}

/**
 * The number a numeric field would store, or NaN. Deliberately stricter than
 * DynamoBao, which stores `Number("abc")` (NaN) and lets DynamoDB reject the
 * whole request: numeric fields refuse such values up front.
 */
function numericValue(value) {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") return Number(value);
  return NaN;
}

/** Shared by Integer and Float: `null` unless a default is given. */
class NumberFieldBase extends BaoBaseField {
  getInitialValue() {
    return this.options.defaultValue !== undefined ? this.options.defaultValue : null;
  }

  validate(value) {
    super.validate(value);
    if (!isNullish(value) && !Number.isFinite(numericValue(value))) {
      throw new ValidationError(`${this.constructor.label} value must be a number`, null, value);
    }
    return true;
  }

  toDy(value) {
    return isNullish(value) ? this.getInitialValue() : Number(value);
  }
}

class IntegerFieldClass extends NumberFieldBase {
  static label = "IntegerField";

  /**
   * Integers beyond ±(2^53 − 1) cannot round-trip through a JS number, so
   * they are refused rather than stored rounded.
   */
  validate(value) {
    super.validate(value);
    if (!isNullish(value)) {
      const n = numericValue(value);
      if (!Number.isInteger(n)) throw new ValidationError("IntegerField value must be an integer", null, value);
      if (!Number.isSafeInteger(n)) {
        throw new ValidationError(
          "IntegerField value is outside the safe integer range (±9007199254740991); store larger numbers in a StringField",
          null,
          value,
        );
      }
    }
    return true;
  }

  fromDy(value) {
    return isNullish(value) ? this.getInitialValue() : parseInt(value, 10);
  }
}

class FloatFieldClass extends NumberFieldBase {
  static label = "FloatField";

  toDy(value) {
    if (isNullish(value)) return this.getInitialValue();
    const num = Number(value);
    if (this.options.precision !== undefined && !Number.isNaN(num)) {
      return Number(num.toFixed(this.options.precision));
    }
    return num;
  }

  fromDy(value) {
    return isNullish(value) ? this.getInitialValue() : parseFloat(value);
  }
}

class CounterFieldClass extends BaoBaseField {
  constructor(options = {}) {
    super(options);
    this.defaultValue = options.defaultValue || 0;
  }

  validate(value) {
    super.validate(value);
    if (value !== undefined) {
      if (typeof value === "string" && /^[+-]\d+$/.test(value)) return true;
      if (!Number.isInteger(value)) throw new ValidationError("CounterField value must be an integer", null, value);
      if (!Number.isSafeInteger(value)) {
        throw new ValidationError(
          "CounterField value is outside the safe integer range (±9007199254740991)",
          null,
          value,
        );
      }
    }
    return true;
  }

  getInitialValue() {
    return this.defaultValue;
  }

  fromDy(value) {
    return isNullish(value) ? this.getInitialValue() : parseInt(value, 10);
  }
}

class BooleanFieldClass extends BaoBaseField {
  getInitialValue() {
    return this.options.defaultValue !== undefined ? this.options.defaultValue : null;
  }

  validate(value) {
    super.validate(value);
    if (!isNullish(value) && typeof value !== "boolean") {
      throw new ValidationError("BooleanField value must be a boolean", null, value);
    }
    return true;
  }

  toDy(value) {
    return isNullish(value) ? this.getInitialValue() : Boolean(value);
  }

  fromDy(value) {
    return isNullish(value) ? this.getInitialValue() : Boolean(value);
  }
}

/** Dates are stored as epoch milliseconds (`N`). */
class DateTimeFieldClass extends BaoBaseField {
  validate(value) {
    if (this.required && value === undefined) throw new ValidationError("Field is required", null, value);
    // null clears the field, as for every other type.
    if (value != null && !(value instanceof Date) && typeof value !== "number" && typeof value !== "string") {
      throw new ValidationError(
        "DateTimeField value must be a Date object, timestamp number, or ISO string",
        null,
        value,
      );
    }
    const time = typeof value === "number" ? value : value != null ? new Date(value).getTime() : 0;
    if (!Number.isFinite(time)) {
      // An unparseable string: the original stores NaN and DynamoDB rejects the
      // request. An invalid Date or a non-finite number: it stores null.
      throw new ValidationError(
        "DateTimeField value must be a Date object, timestamp number, or ISO string",
        null,
        value,
      );
    }
  }

  toDy(value) {
    if (!value) return null;
    if (value instanceof Date) return value.getTime();
    if (typeof value === "string") return new Date(value).getTime();
    if (typeof value === "number") return value;
    return null;
  }

  fromDy(value) {
    if (!value) return null;
    return new Date(Number(value));
  }
}

class CreateDateFieldClass extends DateTimeFieldClass {
  constructor(options = {}) {
    super({ ...options, required: true });
  }

  getInitialValue() {
    return new Date();
  }

  toDy(value) {
    if (!value) return Date.now();
    return value instanceof Date ? value.getTime() : value;
  }
}

class ModifiedDateFieldClass extends DateTimeFieldClass {
  constructor(options = {}) {
    super({ ...options, required: true });
  }

  getInitialValue() {
    return new Date();
  }

  toDy() {
    return Date.now();
  }

  updateBeforeSave() {
    return Date.now();
  }
}

/** Stored as epoch seconds; the field must be named `ttl`. */
class TtlFieldClass extends DateTimeFieldClass {
  validate(value) {
    if (isNullish(value)) return true;
    super.validate(value);
    return true;
  }

  toDy(value) {
    if (value === undefined) return undefined;
    if (value === null) return null;
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) {
      throw new ValidationError("Invalid date value provided for TTL field", null, value);
    }
    return Math.floor(date.getTime() / 1000);
  }

  fromDy(value) {
    return isNullish(value) ? null : new Date(value * 1000);
  }

  toGsi(value) {
    return gsiString(this, this.toDy(value), "dateTime");
  }

  getInitialValue() {
    return super.getInitialValue();
  }
}

/** A ULID regenerated on every save (optimistic locking). */
class VersionFieldClass extends BaoBaseField {
  constructor(options = {}) {
    super({ ...options, required: true });
    this.defaultValue = options.defaultValue || ulid;
  }

  validate(value) {
    super.validate(value);
    if (value !== undefined && (typeof value !== "string" || value.length !== 26)) {
      throw new ValidationError("VersionField value must be a valid ULID", null, value);
    }
    return true;
  }

  getInitialValue() {
    return typeof this.defaultValue === "function" ? this.defaultValue() : this.defaultValue;
  }

  updateBeforeSave() {
    return ulid();
  }

  toDy(value) {
    return value || this.getInitialValue();
  }

  fromDy(value) {
    return value || this.getInitialValue();
  }
}

class BinaryFieldClass extends BaoBaseField {
  getInitialValue() {
    if (this.defaultValue) {
      return typeof this.defaultValue === "function" ? this.defaultValue() : this.defaultValue;
    }
    return null;
  }

  validate(value) {
    super.validate(value);
    if (!isNullish(value) && !(value instanceof Buffer) && !(value instanceof Uint8Array)) {
      throw new ValidationError("BinaryField value must be a Buffer or Uint8Array", null, value);
    }
    return true;
  }

  /** A plain Uint8Array becomes a Buffer view, so it crosses to the core as bytes. */
  toDy(value) {
    if (!value) return null;
    if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
    return value;
  }

  /** The core hands binary values over as `{type: "Buffer", data: [...]}`. */
  fromDy(value) {
    if (!value) return null;
    if (value.type === "Buffer" && Array.isArray(value.data)) return Buffer.from(value.data);
    return value;
  }
}

class StringSetFieldClass extends BaoBaseField {
  validate(value) {
    super.validate(value);
    if (isNullish(value)) return true;
    if (!(value instanceof Set) && !Array.isArray(value)) {
      throw new ValidationError("StringSetField value must be a Set or Array", null, value);
    }
    const members = [...value];
    const { maxMemberCount, maxStringLength } = this.options;
    if (maxMemberCount !== undefined && members.length > maxMemberCount) {
      throw new ValidationError(`StringSet exceeds maximum member count of ${maxMemberCount}`, null, value);
    }
    for (const m of members) {
      if (typeof m !== "string") throw new ValidationError("StringSetField can only contain string values", null, value);
      if (maxStringLength !== undefined && m.length > maxStringLength) {
        throw new ValidationError(`String in set exceeds maximum length of ${maxStringLength}`, null, value);
      }
    }
    return true;
  }

  getInitialValue() {
    return new Set();
  }

  toDy(value) {
    if (value === undefined) return undefined;
    if (value === null) return null;
    let arr;
    if (value instanceof Set) arr = Array.from(value);
    else if (Array.isArray(value)) arr = [...new Set(value)];
    else return value;
    return arr.length ? arr : null;
  }

  /**
   * A Set of the stored members. Read through a model property it is a
   * tracking proxy: `add`, `delete` and `clear` update the instance and mark
   * the field changed, so `save()` writes the difference.
   */
  fromDy(value, model, fieldName) {
    const set = Array.isArray(value) ? new Set(value) : new Set();
    if (!model || !fieldName) return set;
    const field = this;
    return new Proxy(set, {
      get(target, prop) {
        const member = Reflect.get(target, prop, target);
        if (typeof member !== "function") return member;
        if (prop === "add" || prop === "delete" || prop === "clear") {
          return (...args) => {
            const result = member.apply(target, args);
            model._dyData[fieldName] = field.toDy(target);
            model._changes.add(fieldName);
            return result === target ? model[fieldName] : result;
          };
        }
        return member.bind(target);
      },
    });
  }
}

/** Factories, one per field class (`StringField(options)` → a StringFieldClass). */
const StringField = (options) => new StringFieldClass(options);
const DateTimeField = (options) => new DateTimeFieldClass(options);
const CreateDateField = (options) => new CreateDateFieldClass(options);
const ModifiedDateField = (options) => new ModifiedDateFieldClass(options);
const UlidField = (options) => new UlidFieldClass(options);
const RelatedField = (modelName, options) => new RelatedFieldClass(modelName, options);
const IntegerField = (options) => new IntegerFieldClass(options);
const FloatField = (options) => new FloatFieldClass(options);
const CounterField = (options) => new CounterFieldClass(options);
const BinaryField = (options) => new BinaryFieldClass(options);
const VersionField = (options) => new VersionFieldClass(options);
const BooleanField = (options) => new BooleanFieldClass(options);
const TtlField = (options) => new TtlFieldClass(options);
const StringSetField = (options) => new StringSetFieldClass(options);

// Listed by name so Node finds the named exports for ESM imports.
module.exports = {
  StringField,
  DateTimeField,
  CreateDateField,
  ModifiedDateField,
  UlidField,
  RelatedField,
  IntegerField,
  FloatField,
  CounterField,
  BinaryField,
  VersionField,
  BooleanField,
  TtlField,
  StringSetField,
  StringFieldClass,
  DateTimeFieldClass,
  CreateDateFieldClass,
  ModifiedDateFieldClass,
  UlidFieldClass,
  RelatedFieldClass,
  IntegerFieldClass,
  FloatFieldClass,
  CounterFieldClass,
  BinaryFieldClass,
  VersionFieldClass,
  BooleanFieldClass,
  TtlFieldClass,
  StringSetFieldClass,
};
