'use strict';
/**
 * The Jest project of the test suite: test files that use `dynamo-bao-native/testing`
 * the way an application's tests would, run by `npm test` in parallel workers
 * (`scripts/jest-project.js`) against the suite's DynamoDB Local.
 */
module.exports = {
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.jest.js'],
  testEnvironment: 'node',
  // Plain CommonJS: nothing to transform.
  transform: {},
  testTimeout: 30000,
};
