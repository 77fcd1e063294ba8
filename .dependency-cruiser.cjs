/**
 * The layers of docs/architecture.md, enforced: web → services → domain + store.
 * `npm run lint:layers` (part of `npm test`) fails on any violation.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-stays-inside',
      comment: 'The domain is the rules of the manual: it imports only other files of src/domain.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['local'], pathNot: '^src/domain/' },
    },
    {
      name: 'domain-no-io',
      comment: 'The domain does no I/O: no node: modules and no package except pure data (the holiday calendar).',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypesNot: ['local'], pathNot: '^node_modules/@holiday-jp/holiday_jp/' },
    },
    {
      name: 'store-below-services',
      comment: 'The store knows rows and SQL, never the use cases or the web.',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^src/(services|web|jobs|cli|demo)/' },
    },
    {
      name: 'services-below-web',
      comment: 'Use cases do not know HTTP or pages.',
      severity: 'error',
      from: { path: '^src/services/' },
      to: { path: ['^src/(web|jobs|cli|demo)/', '^node_modules/(fastify|@fastify|preact|preact-render-to-string)/'] },
    },
    {
      name: 'web-not-store',
      comment: 'The web reaches the database only through the services (createServices returns use cases only).',
      severity: 'error',
      from: { path: '^src/web/' },
      to: { path: ['^src/store/', '^node_modules/(kysely|pg|better-sqlite3)/'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.tsx', '.js', '.d.ts'] },
  },
};
