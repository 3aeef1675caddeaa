// Lint as Jest's own repository does, in small: @eslint/js and
// typescript-eslint's recommended rules, Prettier for layout
// (eslint-config-prettier turns off what it owns), and no line longer than
// Prettier's width (long strings excepted: they are not broken).
import eslintJs from '@eslint/js';
import eslintConfigPrettier from 'eslint-config-prettier';
import globals from 'globals';
import typescriptEslint from 'typescript-eslint';

export default typescriptEslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      '.tmp/',
      '.jest-cache/',
      'coverage/',
      'fixtures/',
    ],
  },
  eslintJs.configs.recommended,
  ...typescriptEslint.configs.recommended,
  eslintConfigPrettier,
  {
    languageOptions: {globals: {...globals.node}},
    rules: {
      eqeqeq: ['error', 'smart'],
      // Escape codes are what tests of colour output strip; padding is what
      // they match.
      'no-control-regex': 'off',
      'no-regex-spaces': 'off',
      // Lazy requires keep optional peers (jsdom) and Node-only modules off the
      // load path.
      '@typescript-eslint/no-require-imports': 'off',
      'max-len': [
        'error',
        {
          code: 80,
          ignoreUrls: true,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'none',
        },
      ],
    },
  },
  {
    files: [
      'test/**',
      'bench/suite/**',
      'bench/many/**',
      'bench/big/**',
      'bench/large/**',
    ],
    languageOptions: {globals: {...globals.jest}},
  },
);
