// Lint, and the layers of the architecture: a wrong import fails `npm test`, not a review.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = { group: ['node:*'], message: 'This layer cannot use Node.js APIs.' };
const contractsOnly = {
  regex: '^(\\.\\./)+(server|electron)/(?!signalling/protocol\\.ts$|errors\\.ts$|contract\\.ts$)',
  message: 'The renderer may import only electron/contract.ts, server/signalling/protocol.ts and server/errors.ts.',
};
const serverPackages = { group: ['mediasoup', 'fastify', 'pino', 'ws', 'conf', 'electron-store'], message: 'Server and main-process packages do not belong in the renderer.' };
const rendererPatterns = [nodeBuiltins, contractsOnly, serverPackages];
const otherFeatures = { regex: '^\\.\\./\\.\\./(?!\\.\\./)', message: 'Features may not import other features; move shared code to renderer/lib.' };
const electronOnly = { name: 'electron', message: 'Only electron/main and electron/preload may import electron.' };

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'release/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Type information, so that lint sees promises nobody waits for or catches.
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['*.js', 'renderer/listener/public/*.js'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      'no-console': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Domain rules are pure: no I/O, no frameworks.
    files: ['server/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [nodeBuiltins, { group: ['mediasoup', 'fastify', '@fastify/*', 'ws', 'pino', 'zod', '../media/*', '../http/*', '../signalling/*', '../spaces/*'], message: 'server/domain is pure rules: no I/O or framework imports.' }],
        },
      ],
    },
  },
  {
    // The renderer sees only the contracts: the IPC contract, the signalling protocol, the error codes.
    files: ['renderer/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', { paths: [electronOnly], patterns: rendererPatterns }] },
  },
  {
    // Feature folders do not import each other (bulletproof-react); the app composes them.
    // (A later block replaces a rule's options, so the renderer's patterns are repeated here.)
    files: ['renderer/studio/features/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', { paths: [electronOnly], patterns: [...rendererPatterns, otherFeatures] }] },
  },
  {
    // Handlers, supervisor and settings run under plain Node: electron enters only in main/ and preload/.
    files: ['electron/**/*.ts'],
    ignores: ['electron/main/**', 'electron/preload/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [electronOnly, { name: 'electron-store', message: 'electron-store imports electron at load time; use a SettingsStore.' }] }] },
  },
  {
    // The preload imports only the contract and electron.
    files: ['electron/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./(?!contract\\.ts$)', message: 'The preload imports only the IPC contract.' }, nodeBuiltins] }],
    },
  },
  {
    // The server never reaches into the studio.
    files: ['server/**/*.ts'],
    ignores: ['server/domain/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+(electron|renderer)/', message: 'The server does not import studio code.' }] }] },
  },
  {
    files: ['test/**/*.ts', '**/*.test.ts'],
    rules: { 'no-console': 'off' },
  },
);
