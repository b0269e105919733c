/** @type {import('jest').Config} */
module.exports = {
  displayName: 'e2e',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: { '^@zama/localstack$': '<rootDir>/../localstack/src' },
  // Emulator start-up plus a four-stack CloudFormation deploy.
  testTimeout: 15 * 60 * 1000,
};
