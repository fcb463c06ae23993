"use strict";
/**
 * ModelManager (spec §2.5): the models registered for one tenant key and the
 * table configuration `init` wires them to (one native table handle per init).
 */
const { NativeDb } = require("./native.js");
const tenantCredentials = require("./tenant-credentials.js");
const { TenantContext } = require("./tenant-context.js");
const { ConfigurationError } = require("./exceptions.js");
const { native } = require("./native-errors.js");
const { pluginManager } = require("./plugin-manager.js");
const { defaultLogger: logger } = require("./utils/logger.js");

class ModelManager {
  /** @type {Map<string, ModelManager>} */
  static _instances = new Map();

  /**
   * The manager for a tenant key (`tenantId || "default"`), created on first use.
   * @param {string|null} [tenantId]
   */
  static getInstance(tenantId = null) {
    const key = tenantId || "default";
    let manager = ModelManager._instances.get(key);
    if (!manager) {
      manager = new ModelManager();
      manager._tenantId = tenantId || null;
      ModelManager._instances.set(key, manager);
    }
    return manager;
  }

  constructor() {
    this._initialized = false;
    this._db = null;
    this._docClient = null;
    this._tableName = null;
    this._tenantId = null;
    this._tenancyEnabled = false;
    /** @type {Map<string, Function>} */
    this._models = new Map();
    this._config = null;
    this.models = {};
  }

  /**
   * Connects the registered models to the configured table. Unlike the
   * original, errors throw here, synchronously, instead of becoming
   * unhandled rejections.
   * @param {object} config the merged config of `initModels`
   */
  init(config) {
    TenantContext.validateTenantRequired(config);
    const tableName = config.db?.tableName;
    const tenancyEnabled = Boolean(config.tenancy?.enabled);
    const tenantId = config.tenantId || config.testId || this._tenantId;
    const creds = config.aws?.credentials;
    const credentialsProvider = config.tenancy?.credentials;
    if (credentialsProvider !== undefined && typeof credentialsProvider !== "function") {
      throw new ConfigurationError("tenancy.credentials must be a function (tenantId) => credentials");
    }
    const dbConfig = {
      region: config.aws?.region,
      endpoint: config.aws?.endpoint,
      credentials:
        creds?.accessKeyId && creds?.secretAccessKey
          ? { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken }
          : undefined,
      requestTimeoutMs: config.aws?.requestTimeoutMs,
      maxAttempts: config.aws?.maxAttempts,
      retryInitialBackoffMs: config.aws?.retryInitialBackoffMs,
      tableName: tableName || "",
      tenancyEnabled,
      tenancyStrict: Boolean(config.tenancy?.strict),
      // Only consulted with tenancy disabled (the legacy testId prefix).
      defaultTenant: tenancyEnabled ? undefined : tenantId || undefined,
      iterationIndexName: config.db?.iterationIndexName,
      tenantCredentials: credentialsProvider !== undefined,
      credentialsRefreshMarginMs: config.tenancy?.credentialsRefreshMarginMs,
      cursorSecret: config.tenancy?.cursorSecret,
    };
    const db = native(() => new NativeDb(JSON.stringify(dbConfig)));
    // Everything that can refuse the config runs before anything changes: a
    // refused init leaves the manager, and the models it had, as they were.
    for (const Model of this._models.values()) Model._validateConfiguration();
    this._config = config;
    this._tableName = tableName;
    this._tenancyEnabled = tenancyEnabled;
    this._tenantId = tenantId;
    this._db = db;
    if (credentialsProvider) tenantCredentials.register(db, credentialsProvider);
    this._docClient = null; // made on first use, for this table handle
    for (const Model of this._models.values()) this._wire(Model);
    this._initialized = true;
    return this;
  }

  /** Connects a validated model class to this manager's table. */
  _wire(Model) {
    Model._manager = this;
    Model._tenantId = this._tenantId;
    Model._testId = this._tenantId;
    Model._db = this._db;
    // A getter, so that the raw seam's module loads only if it is used
    // (require() and init time are a Lambda's cold start); assigning still
    // replaces it, as with DynamoBao's plain static.
    Object.defineProperty(Model, "documentClient", {
      configurable: true,
      enumerable: true,
      get: () => this.documentClient,
      set: (value) => Object.defineProperty(Model, "documentClient", { value, writable: true, configurable: true, enumerable: true }),
    });
    Model.table = this._tableName;
    Model._config = this._config;
  }

  /**
   * What the DynamoDB client of this configuration has done so far: requests,
   * attempts, retries, throttled attempts, 5xx answers and transport errors.
   * @returns {{requests: number, attempts: number, retries: number, throttled: number, serverErrors: number, transportErrors: number}}
   */
  requestStats() {
    if (!this._db) throw new ConfigurationError("initModels() has not run");
    return JSON.parse(this._db.stats());
  }

  /** @param {string} name */
  getModel(name) {
    const Model = this._models.get(name);
    if (!Model) throw new ConfigurationError(`Model ${name} not found`);
    return Model;
  }

  /**
   * Registers a model class (by its class name); validates it at once when
   * the manager is initialised.
   * @param {Function} Model
   */
  registerModel(Model) {
    // Refused before it is registered, so an invalid class is not kept.
    if (this._initialized) Model._validateConfiguration();
    this._models.set(Model.name, Model);
    Model.registerPlugin = function registerPlugin(plugin) {
      pluginManager.registerPlugin(this.name, plugin);
      for (const [name, fn] of Object.entries(plugin.methods || {})) {
        if (name in this.prototype) logger.warn(`Method ${name} already exists for model ${this.name}`);
        this.prototype[name] = fn;
      }
    };
    Model._tenantId = this._tenantId;
    Model._testId = this._tenantId;
    Model._manager = this;
    if (this._initialized) this._wire(Model);
    return Model;
  }

  /** The raw access seam (`send(new GetCommand(...))`) for this manager's table. */
  get documentClient() {
    if (!this._docClient && this._db) {
      const { DynamoDBDocumentClient } = require("./dynamodb-client.js");
      this._docClient = new DynamoDBDocumentClient(this._db);
    }
    return this._docClient;
  }

  get tableName() {
    return this._tableName;
  }

  getTenantId() {
    return this._tenantId;
  }

  getTestId() {
    return this._tenantId;
  }

  isTenancyEnabled() {
    return this._tenancyEnabled;
  }

  listModels() {
    return [...this._models.keys()];
  }

  getModels() {
    return [...this._models.values()];
  }

  getIterationIndexName() {
    return this._config?.db?.iterationIndexName || "iter_index";
  }
}

module.exports = { ModelManager };
