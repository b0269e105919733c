/** @type {import('jest').Config} */
module.exports = {
  displayName: 'infra',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  moduleNameMapper: { '^@zama/api$': '<rootDir>/../api/src/index.ts' },
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
};
