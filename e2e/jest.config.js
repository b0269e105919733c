/** @type {import('jest').Config} */
module.exports = {
  displayName: 'e2e',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: {
    '^@zama/infra$': '<rootDir>/../infra/index.ts',
    '^@zama/localstack$': '<rootDir>/../localstack/src/index.ts',
  },
  setupFilesAfterEnv: ['<rootDir>/src/jest-setup.ts'],
};
