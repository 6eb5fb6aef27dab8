/**
 * The live consumers apply events side by side (`live`); the end of a rebuild runs `alone`: it waits for
 * the events being applied, holds new ones back, reads the last events and swaps generations, so no live
 * event lands in the old generation in between. A waiting `alone` goes before live events that come
 * after it, so a busy stream cannot hold a rebuild back.
 */
export class LiveGate {
  private running = 0;
  /** Set while a task waits to run alone or runs. */
  private closed: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  async live<T>(task: () => Promise<T>): Promise<T> {
    while (this.closed) await this.closed;
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      if (this.running === 0) this.drained?.();
    }
  }

  async alone<T>(task: () => Promise<T>): Promise<T> {
    while (this.closed) await this.closed;
    let open!: () => void;
    this.closed = new Promise<void>((resolve) => (open = resolve));
    try {
      if (this.running > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      this.drained = undefined;
      return await task();
    } finally {
      this.closed = undefined;
      open();
    }
  }
}
