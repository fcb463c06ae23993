'use strict';
// Set-up style 2: models initialised once, useTestTenant told which models to clean up.
const { TenantContext, initModels } = require('dynamo-bao-native');
const { useTestTenant } = require('dynamo-bao-native/testing');
const { config, Note, Account } = require('./support');
const { isolationTests } = require('./isolation-suite');

beforeAll(() => {
  TenantContext.runWithTenant('jest-setup', () => initModels(config));
});

describe('models initialised in beforeAll', () => {
  const t = useTestTenant({ models: [Note, Account] });
  isolationTests('isolation-2', t, 5);
});
