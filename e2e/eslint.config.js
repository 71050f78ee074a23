// ESLint (flat config) for the repository's JavaScript: the page (www/) and the end-to-end tests
// (e2e/). It lives here because e2e/ is the repository's npm project: `npm ci` in e2e/ installs
// eslint, @eslint/js and globals at the versions pinned in wasm-pack.toml [toolchain].
// Run it with `make lint` (scripts/lint.sh), which lints from the repository root:
//   e2e/node_modules/.bin/eslint --config e2e/eslint.config.js www e2e

import js from '@eslint/js';
import globals from 'globals';

// No string may become HTML (README: "nothing from the address is ever inserted as HTML"): the
// page builds its DOM with createElement and textContent only.
const NO_HTML_STRINGS = [
  ...['innerHTML', 'outerHTML'].map((property) => ({
    property,
    message: 'The page never puts strings into HTML: build elements and set textContent.',
  })),
  {
    property: 'insertAdjacentHTML',
    message: 'The page never puts strings into HTML: build elements and append them.',
  },
  { object: 'document', property: 'write', message: 'document.write puts a string into HTML.' },
  { object: 'document', property: 'writeln', message: 'document.writeln puts a string into HTML.' },
];

const RULES = {
  ...js.configs.recommended.rules,
  'no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_', ignoreRestSiblings: true, caughtErrors: 'all', caughtErrorsIgnorePattern: '^_' }],
  'no-undef': 'error',
  eqeqeq: ['error', 'always'],
  'prefer-const': 'error',
  'no-var': 'error',
  'no-eval': 'error',
  'no-implied-eval': 'error',
  'no-new-func': 'error',
  'no-restricted-properties': ['error', ...NO_HTML_STRINGS],
  'no-restricted-syntax': [
    'error',
    { selector: "CallExpression[callee.name='Function']", message: 'Function() evaluates a string as code.' },
    { selector: "NewExpression[callee.name='DOMParser']", message: 'The page never parses strings as HTML.' },
    { selector: "CallExpression[callee.property.name='createContextualFragment']", message: 'The page never parses strings as HTML.' },
  ],
};

// The page's state has one owner, App (www/app.js): controls.js and panels.js change it only
// through App's actions. App hands out `app.state` as a read-only view that throws on any write
// when it runs; this rule finds the written-out writes (`this.app.state.x = ...`) without running
// the page. A write through an alias (`const s = app.state; s.x = ...`) only the view catches.
const STATE_WRITE = 'controls.js and panels.js never write app.state: add or call an action of App (www/app.js).';
// `app.state` or `<anything>.app.state`, anywhere in the target of a write.
const APP_STATE = ":matches(MemberExpression[property.name='state'][object.name='app'], MemberExpression[property.name='state'][object.property.name='app'])";
const STATE_RULES = {
  'no-restricted-syntax': [
    ...RULES['no-restricted-syntax'],
    ...[
      `AssignmentExpression > ${APP_STATE}.left`,
      `AssignmentExpression > MemberExpression.left ${APP_STATE}`,
      `UpdateExpression > MemberExpression.argument ${APP_STATE}`,
      `UnaryExpression[operator='delete'] ${APP_STATE}`,
    ].map((selector) => ({ selector, message: STATE_WRITE })),
  ],
};

export default [
  { ignores: ['www/pkg/**', '**/node_modules/**', 'target/**', 'out/**'] },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: RULES,
  },
  // The page: browser modules.
  {
    files: ['www/**/*.js'],
    ignores: ['www/worker.js', 'www/bench-worker.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  // The harness's misbehaving page (a browser module).
  {
    files: ['e2e/fixtures/**/page.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  // Module workers: no DOM.
  {
    files: ['www/worker.js', 'www/bench-worker.js', 'e2e/fixtures/**/worker.js'],
    languageOptions: { globals: { ...globals.worker } },
  },
  {
    files: ['www/controls.js', 'www/panels.js'],
    rules: STATE_RULES,
  },
  // The tests and the bench driver run in Node.js; the functions they hand to page.evaluate and
  // page.waitForFunction run in the page, so browser globals are allowed there too.
  {
    files: ['e2e/**/*.mjs', 'e2e/**/*.js'],
    ignores: ['e2e/fixtures/**'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
];
