/** @type {import('jest').Config} */
module.exports = {
  displayName: 'console',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  moduleNameMapper: {
    '^@zama/localstack$': '<rootDir>/../localstack/src/index.ts',
    '^@zama/infra$': '<rootDir>/../infra/index.ts',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
};
