'use strict';
/**
 * Model classes shared by the integration tests, declared as a user of the package would
 * (root export only). `makeModels()` returns a fresh set of classes each call, because
 * initModels sets statics (table, client, config) on the classes it is given.
 *
 * Prefixes: User "u", Subscription "sub", AllTypes "at", Comp "cp", PkPrefix "pp"
 * (AllTypes / Comp / PkPrefix are the models of the spec's Appendix B).
 */
const {
  initModels,
  BaoModel,
  PrimaryKeyConfig,
  IndexConfig,
  UniqueConstraintConfig,
  TenantContext,
  fields,
} = require('../..');

const {
  StringField,
  UlidField,
  IntegerField,
  FloatField,
  BooleanField,
  DateTimeField,
  CreateDateField,
  ModifiedDateField,
  RelatedField,
} = fields;

function makeModels() {
  /** The guide's User: status defaults to "active", queried through byStatus. */
  class User extends BaoModel {
    static modelPrefix = 'u';
    static iterable = true;
    static iterationBuckets = 4;
    static fields = {
      userId: UlidField({ autoAssign: true }),
      name: StringField({ required: true }),
      email: StringField(),
      status: StringField({ required: true, defaultValue: 'active' }),
      createdAt: CreateDateField(),
      modifiedAt: ModifiedDateField(),
    };
    static primaryKey = PrimaryKeyConfig('userId');
    static indexes = { byStatus: IndexConfig('status', 'createdAt', 'gsi1') };
  }

  /** The guide's Subscription (background-job and stats examples). */
  class Subscription extends BaoModel {
    static modelPrefix = 'sub';
    static fields = {
      subscriptionId: UlidField({ autoAssign: true }),
      userId: RelatedField('User'),
      plan: StringField(),
      status: StringField({ required: true, defaultValue: 'active' }),
      createdAt: CreateDateField(),
    };
    static primaryKey = PrimaryKeyConfig('subscriptionId');
    static indexes = { byStatus: IndexConfig('status', 'createdAt', 'gsi2') };
  }

  /** Appendix B's AllTypes, limited to String/Ulid/Integer/Float/Boolean/DateTime/CreateDate/ModifiedDate/Related. */
  class AllTypes extends BaoModel {
    static modelPrefix = 'at';
    static iterable = true;
    static iterationBuckets = 10;
    static searchable = true;
    static searchConfig = { fields: ['s', 's2'] };
    static fields = {
      id: UlidField({ autoAssign: true }),
      s: StringField(),
      s2: StringField(),
      i: IntegerField(),
      f: FloatField(),
      b: BooleanField(),
      dt: DateTimeField(),
      cd: CreateDateField(),
      md: ModifiedDateField(),
      rel: RelatedField('User'),
    };
    static primaryKey = PrimaryKeyConfig('id');
    static indexes = {
      byS: IndexConfig('s', 'dt', 'gsi1'),
      byI: IndexConfig('i', 'f', 'gsi2'),
      byB: IndexConfig('modelPrefix', 'b', 'gsi3'),
    };
    static uniqueConstraints = { uniqueS2: UniqueConstraintConfig('s2', '_uc1') };
  }

  /** Composite primary key with an integer sort key, one iteration bucket. */
  class Comp extends BaoModel {
    static modelPrefix = 'cp';
    static iterable = true;
    static iterationBuckets = 1;
    static fields = {
      a: StringField({ required: true }),
      n: IntegerField({ required: true }),
      label: StringField(),
    };
    static primaryKey = PrimaryKeyConfig('a', 'n');
  }

  /** Partition key = modelPrefix (tenant-prefixed by this package: "[T]#pp"). */
  class PkPrefix extends BaoModel {
    static modelPrefix = 'pp';
    static fields = {
      k: StringField({ required: true }),
      v: StringField(),
    };
    static primaryKey = PrimaryKeyConfig('modelPrefix', 'k');
  }

  return { User, Subscription, AllTypes, Comp, PkPrefix };
}

function config(models, { tenancy = true } = {}) {
  return {
    aws: { region: process.env.AWS_REGION || 'us-west-2' },
    db: { tableName: process.env.TABLE_NAME },
    tenancy: { enabled: tenancy },
    models,
  };
}

/**
 * initModels with tenancy enabled. initModels itself requires a tenant in scope when
 * tenancy is on, so one is set just for the call and cleared afterwards.
 */
function initTenantModels(models, bootTenant = 'boot') {
  TenantContext.setCurrentTenant(bootTenant);
  try {
    return initModels(config(models));
  } finally {
    TenantContext.clearTenant();
  }
}

module.exports = { makeModels, config, initTenantModels };
