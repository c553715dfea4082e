// Flat ESLint config. Not type-aware (tsc already runs in `npm test`; type-aware lint doubles the time).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.cache/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', __dirname: 'readonly', __filename: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      // The renderer reaches main only through the bridge.
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/main/*', '**/main'], message: 'The renderer talks to main only through the bridge (preload/bridge.ts).' }], paths: [{ name: 'electron', message: 'No Electron in the renderer.' }] }],
    },
  },
  {
    files: ['main/**/*.ts', 'preload/**/*.ts', 'dev/**/*.ts'],
    ignores: ['main/app/**', 'preload/index.ts'],
    rules: {
      // Only the shell imports Electron: everything else runs in plain Node (tests, CLI, preview).
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: "Only main/app and preload/index.ts may import 'electron'.", allowTypeImports: true }] }],
    },
  },
  {
    files: ['test/**/*.{ts,tsx}'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly', setTimeout: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
