import { createHash } from 'node:crypto';

export interface StoredResponse {
  bodyHash: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Small in-memory LRU for Idempotency-Key on POST. Entries live ~24 h.
 * NOTE: this only works with one gateway replica; several replicas need a shared store (e.g. Redis or
 * MongoDB with a TTL index) keyed the same way.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, { at: number; value: StoredResponse }>();
  constructor(
    private readonly max = 10_000,
    private readonly ttlMs = 24 * 60 * 60 * 1000,
  ) {}

  static key(idempotencyKey: string, actorId: string, route: string): string {
    return `${actorId}\u0000${route}\u0000${idempotencyKey}`;
  }

  static hash(body: unknown): string {
    return createHash('sha256')
      .update(JSON.stringify(body ?? null))
      .digest('hex');
  }

  get(key: string): StoredResponse | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (Date.now() - e.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, value: StoredResponse): void {
    this.entries.delete(key);
    this.entries.set(key, { at: Date.now(), value });
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
