'use strict';
// Set-up style 1: useTestTenant initialises the models for every test (initTestModelsWithTenant).
const { useTestTenant } = require('dynamo-bao-native/testing');
const { config } = require('./support');
const { isolationTests } = require('./isolation-suite');

const t = useTestTenant({ config });
isolationTests('isolation-1', t);
