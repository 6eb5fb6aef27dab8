import mongoose, { type Connection } from 'mongoose';
import type { Logger } from './logger';
import { retry } from './retry';
import { chooseWriteStrategy, type WriteStrategyChoice } from './write-strategy';

/**
 * One connection per service to its own database. Retries at start so a service can come up before its
 * database; then fixes the connection's write strategy (MONGODB_WRITE_STRATEGY, by default from what
 * the server says it is).
 */
export async function connectMongo(
  uri: string,
  dbName: string,
  logger: Logger,
  opts: { writeStrategy?: WriteStrategyChoice } = {},
): Promise<Connection> {
  const conn = mongoose.createConnection();
  await retry(() => conn.openUri(uri, { dbName, serverSelectionTimeoutMS: 5000, autoIndex: false }), {
    what: 'mongodb',
    logger,
  });
  const { strategy, server } = await chooseWriteStrategy(conn, opts.writeStrategy ?? 'auto');
  const serverName = server ? `${server.product} ${server.version}` : 'unknown';
  logger.info({ dbName, server: serverName, writeStrategy: strategy }, 'mongodb connected');
  if (strategy === 'atomic' && server?.product !== 'MongoDB')
    logger.warn(
      { server: serverName },
      'MONGODB_WRITE_STRATEGY=atomic on a server that does not apply conditional updates atomically: concurrent writes may be lost',
    );
  return conn;
}

export async function ensureIndexes(conn: Connection): Promise<void> {
  for (const model of Object.values(conn.models)) await model.createIndexes();
}
