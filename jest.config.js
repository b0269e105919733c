/** @type {import('jest').Config} */
module.exports = {
  projects: [
    '<rootDir>/api',
    '<rootDir>/infra',
    '<rootDir>/localstack',
    '<rootDir>/console',
    '<rootDir>/e2e',
  ],
};
