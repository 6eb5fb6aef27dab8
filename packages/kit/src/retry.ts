import type { Logger } from './logger';

/** Retries with capped exponential backoff; used for start-up dependencies, never for user requests. */
export async function retry<T>(
  fn: () => Promise<T>,
  opts: { what: string; logger: Logger; attempts?: number; maxDelayMs?: number },
): Promise<T> {
  const attempts = opts.attempts ?? 30;
  let delay = 200;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
      opts.logger.warn(
        { err: (err as Error).message, attempt: i },
        `${opts.what} not reachable yet, retrying`,
      );
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 5000);
    }
  }
}
