import { LiveGate } from '../src/application/live-gate';

const tick = () => new Promise((resolve) => setImmediate(resolve));
function later() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('LiveGate', () => {
  it('lets live events apply side by side', async () => {
    const gate = new LiveGate();
    const first = later();
    let running = 0;
    let most = 0;
    const apply = () =>
      gate.live(async () => {
        most = Math.max(most, ++running);
        await first.promise;
        running--;
      });
    const both = Promise.all([apply(), apply()]);
    await tick();
    expect(most).toBe(2);
    first.resolve();
    await both;
  });

  it('runs the swap alone: after the events being applied, before the events that come after it', async () => {
    const gate = new LiveGate();
    const log: string[] = [];
    const inHand = later();
    const applying = gate.live(async () => {
      await inHand.promise;
      log.push('event in hand');
    });
    const swap = gate.alone(async () => void log.push('swap'));
    await tick();
    const next = gate.live(async () => void log.push('next event'));
    await tick();
    expect(log).toEqual([]);
    inHand.resolve();
    await Promise.all([applying, swap, next]);
    expect(log).toEqual(['event in hand', 'swap', 'next event']);
  });
});
