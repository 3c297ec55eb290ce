// Lint: typescript-eslint recommended, plus the rule that proxy/ and spawner/ never import hub/.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['proxy/**/*.ts', 'spawner/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/hub/**', '../hub', '../../hub'] }] },
  },
);
