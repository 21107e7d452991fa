import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

/** Layers may only depend downwards: ui → upload, workers, platform → core. */
const layer = (files, forbidden) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((group) => ({ group: [group], message: 'This import breaks the layering.' })),
      },
    ],
  },
});

/** What the pure core never imports: UI, transfer and browser-edge code. */
const CORE_FORBIDS = [
  'svelte',
  'svelte/*',
  'comlink',
  '@uppy/*',
  'tus-js-client',
  '**/ui/**',
  '**/upload/**',
  '**/platform/**',
];

export default ts.config(
  { ignores: ['dist', 'node_modules', 'uploads', 'test-results', 'playwright-report', '.tmp'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  prettier,
  ...svelte.configs.prettier,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    // State classes keep big collections in plain Maps and arrays on purpose (no proxies over 100,000 rows)
    // and publish them through explicit $state fields; the rule would push them back into reactive wrappers.
    files: ['src/ui/state/**'],
    rules: { 'svelte/prefer-svelte-reactivity': 'off' },
  },
  layer(['src/core/**'], [...CORE_FORBIDS, '**/workers/**', 'node:*']),
  // Core tests may read CSV text with the folder worker's papaparse reader to build their inputs.
  layer(['src/core/**/*.test.ts'], CORE_FORBIDS),
  layer(['src/platform/**', 'src/workers/**'], ['svelte', 'svelte/*', '@uppy/*', '**/ui/**', '**/upload/**']),
  layer(['src/upload/**'], ['svelte', 'svelte/*', '**/ui/**', '**/workers/**']),
  layer(['src/ui/**'], ['@uppy/*', 'tus-js-client']),
);
