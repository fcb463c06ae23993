'use strict';
// Style 1 again with a function for the models, so a fourth worker has work at the same time.
const { useTestTenant } = require('dynamo-bao-native/testing');
const { config, Note, Account } = require('./support');
const { isolationTests } = require('./isolation-suite');

const t = useTestTenant({ config, models: () => [Note, Account] });
isolationTests('isolation-4', t, 5);
