// ESLint: typescript-eslint's type-checked recommended rules over everything tsconfig.json covers.
// A rule is turned off only here, each with the reason on its line.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'public/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A leading underscore marks a value left out on purpose (a destructured field dropped from a copy).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' }],
      // Fastify plugins, hooks and handlers are async by contract, whether or not they await.
      '@typescript-eslint/require-await': 'off',
      // Input checks match control characters on purpose, to refuse them.
      'no-control-regex': 'off',
      // Japanese text uses the ideographic space (U+3000) in JSX text on purpose.
      'no-irregular-whitespace': ['error', { skipJSXText: true, skipStrings: true, skipTemplates: true }],
      // String(value) of values narrowed from unknown (history details, rows, CLI options) is deliberate; the rule reads them as {}.
      '@typescript-eslint/no-base-to-string': 'off',
      // Its fix removes assertions that steer inference (statuses.ts, app.ts), after which tsc fails.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    files: ['src/web/**'],
    rules: {
      // Fastify's decorators (app.csrfProtection, app.staffOnly …) are passed as hooks; Fastify calls them bound to the instance.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['test/**', 'e2e/**'],
    rules: {
      // Tests read JSON bodies (typed any by light-my-request) and assert on them: the assertion is the check.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  // Tool configs in CommonJS (dependency-cruiser's) run in Node.
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
);
