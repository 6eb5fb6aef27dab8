/**
 * Runs tasks one after another. The live consumers and the end of a rebuild share one, so the rebuild
 * can read the last events and swap generations with no live event applied to the old one in between.
 */
export class OneAtATime {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
