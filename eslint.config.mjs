import tseslint from 'typescript-eslint';

// Conditional writes go through VersionedWrites (packages/kit/src/versioned-writes.ts), which applies
// the write strategy of the database: on FerretDB a direct updateOne of a document can be lost to, or
// write back a stale copy over, a concurrent writer (see "Writes and the database" in the kit README).
const directWrites = {
  selector:
    'CallExpression[callee.property.name=/^(updateOne|updateMany|findOneAndUpdate|findByIdAndUpdate|replaceOne|findOneAndReplace|bulkWrite)$/]',
  message:
    'Write through VersionedWrites from @crm/kit (updateAtVersion, update, updateEach, inTurn), not the model: on FerretDB a direct conditional update is not atomic.',
};

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/src/gen/**',
      'console/src/api/schema.gen.ts',
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
    // packages/kit is where the write strategies live and are tested; everything else writes through it.
    files: ['packages/**/*.ts', 'services/**/*.ts', 'gateway/**/*.ts'],
    ignores: ['packages/kit/**'],
    rules: { 'no-restricted-syntax': ['error', directWrites] },
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
