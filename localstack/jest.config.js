/** @type {import('jest').Config} */
module.exports = {
  displayName: 'localstack',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  moduleNameMapper: {
    '^@zama/api$': '<rootDir>/../api/src/index.ts',
    '^@zama/infra$': '<rootDir>/../infra/index.ts',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
};
