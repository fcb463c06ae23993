"use strict";
/**
 * The debug request log: with `DYNAMO_BAO_LOG_LEVEL=DEBUG`, every call into
 * the native core that talks to DynamoDB prints one line when it settles,
 *
 *   [DEBUG] DynamoDB: {"op":"query","model":"User","operation":"Query","tenant":"acme",
 *                      "table":"app","index":"gsi1","capacity":{"read":0.5,"write":0},"ms":4}
 *
 * naming only the library operation, the model, the DynamoDB operation (when
 * the library operation maps to exactly one; for save and delete, the
 * requests they made), the tenant, the table and
 * index, the consumed capacity, the time taken and, on failure, the error
 * code. Never item values, key values, filter values or error messages: the
 * payloads are read only for index names.
 *
 * Installed on the native classes by lib/native.js; costs one level check
 * per call when the level is not DEBUG.
 */
const { Logger } = require("./utils/logger.js");

/**
 * The addon is loaded once per process, but this module once per module
 * registry (Jest makes one per test file): the native prototype is wrapped
 * once, and every copy of this module shares the state kept on it.
 */
const SHARED = Symbol.for("dynamo-bao-native.request-log");

function sharedState(proto) {
  if (!Object.hasOwn(proto, SHARED)) {
    Object.defineProperty(proto, SHARED, {
      value: {
        log: new Logger("DynamoDB"),
        /** NativeModel -> {name, indexes: Map<indexName, DynamoDB index name | null>} */
        models: new WeakMap(),
        /** NativeDb -> {iterationIndexName} */
        dbs: new WeakMap(),
        wrapped: false,
      },
    });
  }
  return proto[SHARED];
}

/** Model operations and the one DynamoDB operation each makes (save and delete vary). */
const MODEL_OPS = {
  find: "GetItem",
  findByUnique: "GetItem",
  batchFind: "BatchGetItem",
  query: "Query",
  count: "Query",
  save: null,
  delete: null,
};
/** Table administration (no tenant). */
const ADMIN_OPS = { auditPage: "Scan", createTable: null, updateTable: null, deleteTable: null };
const READS = new Set(["GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"]);

const parse = (json) => {
  try {
    return JSON.parse(json);
  } catch {
    return null;
  }
};

function rememberModel({ models }, model, schemaJson) {
  const s = parse(schemaJson);
  if (!s) return;
  const indexes = new Map((s.indexes || []).map((ix) => [ix.name, ix.primaryKey ? null : ix.indexId ?? null]));
  models.set(model, { name: s.name, indexes });
}

function rememberDb({ dbs }, db, configJson) {
  const c = parse(configJson);
  dbs.set(db, { iterationIndexName: c?.iterationIndexName || "iter_index" });
}

/**
 * The tenant the operation runs as, from the core's own resolution (which
 * knows `tenancy.strict` and the raw seam's control operations); `null` when
 * it runs without one, or fails before any request for want of one.
 */
function tenantOf(db, scope, als, rawOperation) {
  try {
    return db.operationTenant(scope, als, rawOperation) ?? null;
  } catch {
    return null; // a resolver threw: the operation itself reports it
  }
}

function units(c) {
  return c && typeof c.CapacityUnits === "number" ? c.CapacityUnits : 0;
}

/** `{read, write}` capacity units of a model operation's result. */
function modelCapacity(r) {
  const out = { read: 0, write: 0 };
  if (Array.isArray(r.capacity)) {
    for (const e of r.capacity) if (e && (e.type === "read" || e.type === "write")) out[e.type] += units(e.consumedCapacity);
  } else if (r.consumedCapacity) {
    for (const c of [].concat(r.consumedCapacity)) out.read += units(c);
  }
  return out;
}

function sendCapacity(operation, r) {
  const total = [].concat(r?.ConsumedCapacity ?? []).reduce((sum, c) => sum + units(c), 0);
  return READS.has(operation) ? { read: total, write: 0 } : { read: 0, write: total };
}

/** Table names of a raw request: TableName, or those of a batch or transaction. */
function sendTables(input) {
  if (!input) return [];
  if (typeof input.TableName === "string") return [input.TableName];
  const names = new Set(Object.keys(input.RequestItems || {}));
  for (const item of input.TransactItems || []) {
    for (const part of Object.values(item || {})) if (typeof part?.TableName === "string") names.add(part.TableName);
  }
  return [...names];
}

function emit(log, entry, started, result) {
  const { capacityOf, ...line } = entry;
  if (result && result.error) {
    // No request was sent: the core asks JS for the tenant's credentials first.
    if (result.error.code === "CREDENTIALS_REQUIRED") return;
    line.error = result.error.awsName || result.error.code || "INTERNAL";
  } else if (result) {
    // save and delete make different requests by model and outcome; the core
    // names each one it made next to the capacity it consumed.
    if (line.operation === undefined && Array.isArray(result.capacity)) {
      line.operations = result.capacity.map((e) => e?.operation).filter((o) => typeof o === "string");
    }
    line.capacity = capacityOf(result);
  }
  line.ms = Date.now() - started;
  log.debug(JSON.stringify(line));
}

/** Calls `fn`, then logs `entry` when the promise it returns settles. */
function logged(log, entry, fn) {
  const started = Date.now();
  let promise;
  try {
    promise = fn();
  } catch (err) {
    emit(log, entry, started, { error: { code: err?.code } });
    throw err;
  }
  return Promise.resolve(promise).then(
    (json) => {
      emit(log, entry, started, parse(json) || {});
      return json;
    },
    (err) => {
      emit(log, entry, started, { error: { code: err?.code } });
      throw err;
    },
  );
}

function modelIndex({ models, dbs }, db, model, method, payload) {
  if (method === "count") return dbs.get(db)?.iterationIndexName ?? null;
  if (method !== "query") return null;
  const name = parse(payload)?.index;
  if (name == null) return null; // the table's own key
  const known = models.get(model)?.indexes;
  return known && known.has(name) ? known.get(name) : name;
}

/**
 * Wraps the data methods of the native classes (in place: their prototype
 * methods are writable) and returns the classes to export, whose
 * constructors remember what the log needs.
 * @param {{NativeDb: Function, NativeModel: Function}} addon
 */
function instrument(addon) {
  const proto = addon.NativeDb.prototype;
  const state = sharedState(proto);
  // The level is read once, when the logger is made (as in DynamoBao): below
  // DEBUG the native methods stay as they are and cost nothing per call.
  if (!state.log.isLevelEnabled("DEBUG")) return { NativeDb: addon.NativeDb, NativeModel: addon.NativeModel };
  if (!state.wrapped) wrap(proto, state);
  state.wrapped = true;

  const remembering = (Class, remember) =>
    new Proxy(Class, {
      construct(target, args) {
        const obj = Reflect.construct(target, args);
        remember(state, obj, args[0]);
        return obj;
      },
    });
  return {
    NativeDb: remembering(addon.NativeDb, rememberDb),
    NativeModel: remembering(addon.NativeModel, rememberModel),
  };
}

function wrap(proto, state) {
  const { log, models } = state;
  for (const method of Object.keys(MODEL_OPS)) {
    const orig = proto[method];
    if (typeof orig !== "function") continue;
    proto[method] = function (scope, als, model, payload, ...rest) {
      const tenant = tenantOf(this, scope, als);
      const entry = {
        op: method,
        model: models.get(model)?.name,
        operation: MODEL_OPS[method] ?? undefined,
        tenant,
        table: this.tableName,
        index: modelIndex(state, this, model, method, payload),
        capacityOf: modelCapacity,
      };
      // Run as the tenant just resolved: resolvers are not asked twice, and
      // the line names the tenant the operation used.
      return logged(log, entry, () => orig.call(this, scope, tenant ?? als, model, payload, ...rest));
    };
  }
  const send = proto.send;
  if (typeof send === "function") {
    proto.send = function (scope, als, operation, wire, input, ...rest) {
      const req = parse(input);
      const tables = sendTables(req);
      const tenant = tenantOf(this, scope, als, operation);
      const entry = {
        op: "send",
        operation,
        tenant,
        table: tables.length > 1 ? tables : tables[0] ?? (this.tableName || undefined),
        index: typeof req?.IndexName === "string" ? req.IndexName : null,
        capacityOf: (r) => sendCapacity(operation, r),
      };
      return logged(log, entry, () => send.call(this, scope, tenant ?? als, operation, wire, input, ...rest));
    };
  }
  for (const [method, operation] of Object.entries(ADMIN_OPS)) {
    const orig = proto[method];
    if (typeof orig !== "function") continue;
    proto[method] = function (...args) {
      const entry = {
        op: method,
        operation: operation ?? undefined,
        tenant: null,
        table: this.tableName,
        index: null,
        capacityOf: () => undefined,
      };
      return logged(log, entry, () => orig.apply(this, args));
    };
  }
}

module.exports = { instrument };
