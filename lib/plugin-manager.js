"use strict";
/**
 * Plugins (spec §5.14): per model class name, hooks awaited in registration
 * order. Global, as in DynamoBao: plugins are shared by every manager.
 */
const { defaultLogger: logger } = require("./utils/logger.js");

const HOOKS = ["beforeSave", "afterSave", "beforeDelete", "afterDelete"];

class PluginManager {
  constructor() {
    /** @type {Map<string, object[]>} */
    this.plugins = new Map();
  }

  /**
   * @param {string} modelName
   * @param {{methods?: object, beforeSave?: Function, afterSave?: Function, beforeDelete?: Function, afterDelete?: Function}} plugin
   */
  registerPlugin(modelName, plugin) {
    const list = this.plugins.get(modelName) || [];
    for (const name of Object.keys(plugin.methods || {})) {
      if (list.some((p) => p.methods && name in p.methods)) {
        logger.warn(`Method ${name} already exists for model ${modelName}. It will be overwritten.`);
      }
    }
    list.push(plugin);
    this.plugins.set(modelName, list);
  }

  /**
   * Whether a model has plugins. Without any, the write paths skip the hook
   * calls: each is an async call, and with AsyncLocalStorage active every
   * promise it makes runs Node's async hooks.
   * @param {string} modelName
   */
  hasPlugins(modelName) {
    const list = this.plugins.get(modelName);
    return list !== undefined && list.length > 0;
  }

  /** Runs one hook of every plugin of a model, in order. */
  async executeHooks(modelName, hook, ...args) {
    if (!HOOKS.includes(hook)) return;
    for (const plugin of this.plugins.get(modelName) || []) {
      if (typeof plugin[hook] === "function") await plugin[hook](...args);
    }
  }

  applyMethodsToInstance(instance, modelName) {
    for (const plugin of this.plugins.get(modelName) || []) Object.assign(instance, plugin.methods || {});
  }
}

const pluginManager = new PluginManager();

module.exports = { pluginManager };
