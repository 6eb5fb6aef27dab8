import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/src/gen/**',
      '**/node_modules/**',
      '.cache/**',
      '.local/**',
      'load-tests/**',
      'deploy/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Domain code is pure rules: no storage, transport or RPC, not even through the kit barrel.
    files: ['services/*/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@crm/kit(?!/domain$)(/.*)?$',
              message: 'domain code imports kit only through @crm/kit/domain (no I/O in the domain)',
            },
            {
              group: ['mongoose', 'mongodb', 'nats', 'nice-grpc*', '@grpc/*', '@crm/proto', '@crm/ownership'],
              message: 'domain code is pure: storage, messaging and RPC belong in store/, events/ and grpc/',
            },
          ],
        },
      ],
    },
  },
);
