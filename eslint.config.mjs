// Lint for the code (src/, tools/, test/, bench/, web/); content is checked by npm run content:check.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import tseslint from 'typescript-eslint';

const BROWSER = [
  'window',
  'document',
  'navigator',
  'location',
  'URL',
  'URLSearchParams',
  'fetch',
  'WebSocket',
  'setTimeout',
  'clearTimeout',
  'console',
  'WebChat',
  'CustomEvent',
  'Blob',
];

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'coverage/', 'test-artifacts/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { '@stylistic': stylistic },
    rules: {
      // Prettier wraps code at 120; this catches what it cannot wrap (long strings and comments).
      '@stylistic/max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }],
    },
  },
  {
    // In the runtime code not even a URL or a regular expression runs past 120 columns.
    files: ['src/**/*.ts'],
    rules: { '@stylistic/max-len': ['error', { code: 120 }] },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['web/**/*.js'],
    languageOptions: { sourceType: 'script', globals: Object.fromEntries(BROWSER.map((name) => [name, 'readonly'])) },
  },
  {
    files: ['*.js', '*.mjs', 'bench/**/*.js'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly' } },
  },
);
