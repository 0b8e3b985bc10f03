// Lint configuration: typescript-eslint's recommended rules over the sources, checks, tests and scripts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'fixtures/', 'test/golden/', '.tmp/', '.stryker-tmp/', 'reports/', 'release/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.{js,mjs}', '*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
