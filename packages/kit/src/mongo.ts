import mongoose, { type Connection } from 'mongoose';
import type { Logger } from './logger';
import { retry } from './retry';

/**
 * One connection per service to its own database. Retries at start so a service can come up before its
 * database; then creates the indexes of every model registered on the connection.
 */
export async function connectMongo(uri: string, dbName: string, logger: Logger): Promise<Connection> {
  const conn = mongoose.createConnection();
  await retry(() => conn.openUri(uri, { dbName, serverSelectionTimeoutMS: 5000, autoIndex: false }), {
    what: 'mongodb',
    logger,
  });
  logger.info({ dbName }, 'mongodb connected');
  return conn;
}

export async function ensureIndexes(conn: Connection): Promise<void> {
  for (const model of Object.values(conn.models)) await model.createIndexes();
}
