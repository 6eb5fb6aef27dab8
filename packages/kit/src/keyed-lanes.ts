/**
 * Runs tasks side by side, but those of one key one after another in the order they were added: a
 * consumer handles the events of different records at once and each record's events in order. At most
 * `limit` tasks are admitted at a time (running or waiting for their key), so a fast stream cannot pile
 * up work without bound: `add` resolves once its task is admitted, not when it is done.
 */
export class KeyedLanes {
  private readonly tails = new Map<string, Promise<void>>();
  private admitted = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    /** Told of a task that threw: the task is expected to handle its own errors. */
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a whole number >= 1');
  }

  async add(key: string, task: () => Promise<void>): Promise<void> {
    while (this.admitted >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.admitted++;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run: Promise<void> = previous
      .then(task)
      .catch(this.onError)
      .finally(() => {
        this.admitted--;
        this.waiting.shift()?.();
        if (this.tails.get(key) === run) this.tails.delete(key);
      });
    this.tails.set(key, run);
  }

  /** Resolves when every admitted task is done. */
  async drain(): Promise<void> {
    while (this.tails.size) await Promise.all([...this.tails.values()]);
  }
}
