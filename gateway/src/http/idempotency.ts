import { createHash } from 'node:crypto';
import type { JetStreamClient } from '@crm/kit';
import type { Logger } from 'pino';

export interface StoredResponse {
  bodyHash: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Where the answers live: a JetStream key-value bucket every replica sees, or one process's memory. */
export interface AnswerBackend {
  get(key: string): Promise<StoredResponse | undefined>;
  /** Keeps the first answer stored under key; a later one is dropped. */
  put(key: string, answer: StoredResponse): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const IDEMPOTENCY_BUCKET = 'gateway_idempotency';
const WRONG_LAST_SEQUENCE = 10071;

type Bucket = Awaited<ReturnType<JetStreamClient['views']['kv']>>;

/**
 * The answers of Idempotency-Key requests, kept for a day. With several gateway replicas behind one
 * Service the store must be shared (`IdempotencyStore.shared`): a client's retry may reach another pod.
 */
export class IdempotencyStore {
  constructor(
    private readonly backend: AnswerBackend = new MemoryAnswers(),
    private readonly logger?: Logger,
  ) {}

  /**
   * Answers in a JetStream key-value bucket whose entries expire after ttlMs (created on first use,
   * with `replicas` copies: NATS_STREAM_REPLICAS, like the services' streams).
   */
  static shared(js: JetStreamClient, logger: Logger, ttlMs = DAY_MS, replicas = 1): IdempotencyStore {
    return new IdempotencyStore(new BucketAnswers(js, ttlMs, replicas), logger);
  }

  /**
   * One key per caller, route and Idempotency-Key, hashed: the header may hold characters a KV key
   * may not ('*', '>', spaces in a route), and the hash keeps every key the same short length.
   */
  static key(idempotencyKey: string, actorId: string, route: string): string {
    return createHash('sha256').update(`${actorId}\u0000${route}\u0000${idempotencyKey}`).digest('hex');
  }

  static hash(body: unknown): string {
    return createHash('sha256')
      .update(JSON.stringify(body ?? null))
      .digest('hex');
  }

  /** Throws when the store cannot be read (NATS away): the caller must not run the request blind. */
  get(key: string): Promise<StoredResponse | undefined> {
    return this.backend.get(key);
  }

  /** Never throws: the request already ran, so a failed store only costs the replay of this answer. */
  async set(key: string, value: StoredResponse): Promise<void> {
    await this.backend.put(key, value).catch((err: Error) => {
      this.logger?.warn({ err: err.message }, 'idempotency answer not stored; a retry will run again');
    });
  }
}

class BucketAnswers implements AnswerBackend {
  private bucket?: Promise<Bucket>;

  constructor(
    private readonly js: JetStreamClient,
    private readonly ttlMs: number,
    private readonly replicas = 1,
  ) {}

  async get(key: string): Promise<StoredResponse | undefined> {
    const entry = await (await this.open()).get(key);
    // A deleted or purged key reads back as an entry without a value.
    if (!entry || entry.operation !== 'PUT') return undefined;
    return entry.json<StoredResponse>();
  }

  async put(key: string, answer: StoredResponse): Promise<void> {
    try {
      await (await this.open()).create(key, JSON.stringify(answer));
    } catch (err) {
      // create refuses a key that has a value (JetStream "wrong last sequence"): a concurrent request
      // with the same key stored its answer first, and the first answer is the one to keep.
      if ((err as { api_error?: { err_code?: number } }).api_error?.err_code !== WRONG_LAST_SEQUENCE)
        throw err;
    }
  }

  /** Creates or binds the bucket when first needed, so the gateway starts while NATS is still away. */
  private open(): Promise<Bucket> {
    this.bucket ??= this.js.views
      .kv(IDEMPOTENCY_BUCKET, { ttl: this.ttlMs, history: 1, replicas: this.replicas })
      .catch((err) => {
        this.bucket = undefined;
        throw err;
      });
    return this.bucket;
  }
}

/** One process's answers: enough for tests and a single replica. Entries live ttlMs, at most max. */
class MemoryAnswers implements AnswerBackend {
  private readonly entries = new Map<string, { at: number; value: StoredResponse }>();
  constructor(
    private readonly max = 10_000,
    private readonly ttlMs = DAY_MS,
  ) {}

  async get(key: string): Promise<StoredResponse | undefined> {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (Date.now() - e.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  async put(key: string, value: StoredResponse): Promise<void> {
    if (this.entries.has(key)) return;
    this.entries.set(key, { at: Date.now(), value });
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
