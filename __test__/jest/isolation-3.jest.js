'use strict';
// Set-up style 3: the guide's own beforeEach with initTestModelsWithTenant(config, tenantId).
const { useTestTenant, initTestModelsWithTenant } = require('dynamo-bao-native/testing');
const { config } = require('./support');
const { isolationTests } = require('./isolation-suite');

const t = useTestTenant(); // cleans up the models registered for the test's tenant
beforeEach(() => {
  const manager = initTestModelsWithTenant(config, t.tenantId);
  expect(manager.getModel('Note')).toBe(config.models.Note);
});
isolationTests('isolation-3', t);
