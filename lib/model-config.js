"use strict";
/** Key configuration classes (spec §5.1); `instanceof` checks use these. */

class PrimaryKeyConfig {
  /**
   * @param {string} pk partition key field, or "modelPrefix"
   * @param {string} [sk] sort key field, default "modelPrefix"
   */
  constructor(pk, sk = "modelPrefix") {
    this.pk = pk;
    this.sk = sk === undefined ? "modelPrefix" : sk;
  }
  getPkFieldName() { return "_pk"; }
  getSkFieldName() { return "_sk"; }
}

class IndexConfig {
  /**
   * @param {string} pk
   * @param {string} sk
   * @param {string} indexId one of gsi1..gsi5
   */
  constructor(pk, sk, indexId) {
    this.pk = pk;
    this.sk = sk;
    this.indexId = indexId;
  }
  getIndexName() { return this.indexId; }
  getPkFieldName() { return `_${this.indexId}_pk`; }
  getSkFieldName() { return `_${this.indexId}_sk`; }
}

class UniqueConstraintConfig {
  /**
   * @param {string} field
   * @param {string} constraintId one of _uc1.._uc3
   */
  constructor(field, constraintId) {
    this.field = field;
    this.constraintId = constraintId;
  }
}

module.exports = { PrimaryKeyConfig, IndexConfig, UniqueConstraintConfig };
