/**
 * What domain code may import from kit: errors, the actor and its roles, text normalisation and record
 * helpers. Nothing here touches a database, NATS or gRPC; a lint rule keeps `src/domain/**` of every
 * service on this entry point (see eslint.config.mjs).
 */
export * from './actor';
export * from './approval-snapshots';
export * from './buying-roles';
export * from './rfm-segments';
export * from './errors';
export * from './records';
export * from './text';
export * from './permissions';
