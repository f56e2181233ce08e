import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['imports/**', 'dist/**', 'node_modules/**', '.crds/**', '.cache/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'output must be deterministic' },
        { object: 'Date', property: 'now', message: 'output must be deterministic' },
      ],
    },
  },
  {
    files: ['**/*.cjs', 'jest.config.js', 'lib/validate/formats.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // constructs receive typed config; only the config loader and entry points read the environment
    files: ['lib/**/*.ts'],
    ignores: ['lib/config/load.ts', 'lib/synth/**', 'lib/validate/cli.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'read configuration in lib/config/load.ts only' },
        { object: 'Math', property: 'random', message: 'output must be deterministic' },
        { object: 'Date', property: 'now', message: 'output must be deterministic' },
      ],
    },
  },
);
