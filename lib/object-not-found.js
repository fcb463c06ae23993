"use strict";
/** What `find` returns for a missing item (spec §5.15): `exists()` is false. */
class ObjectNotFound {
  /** @param {{TableName?: string, CapacityUnits?: number}|null} consumedCapacity */
  constructor(consumedCapacity = null) {
    this.consumedCapacity = consumedCapacity;
  }

  exists() {
    return false;
  }

  /** Read units of the lookup that found nothing. */
  getNumericConsumedCapacity(type) {
    return type === "read" ? this.consumedCapacity?.CapacityUnits || 0 : 0;
  }

  toString() {
    return `ObjectNotFound (consumed ${this.consumedCapacity?.CapacityUnits ?? 0} capacity units)`;
  }
}

module.exports = { ObjectNotFound };
