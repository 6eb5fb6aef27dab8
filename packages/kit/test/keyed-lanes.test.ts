import { KeyedLanes } from '../src/keyed-lanes';

/** A task that logs its start and end and finishes when told to. */
function gated(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    task: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
    },
    finish: () => finish(),
  };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedLanes', () => {
  it('runs the tasks of different keys side by side, those of one key in the order they came', async () => {
    const log: string[] = [];
    const lanes = new KeyedLanes(4);
    const a1 = gated(log, 'a1');
    const a2 = gated(log, 'a2');
    const b1 = gated(log, 'b1');
    await lanes.add('a', a1.task);
    await lanes.add('a', a2.task);
    await lanes.add('b', b1.task);
    await tick();
    expect(log).toEqual(['start a1', 'start b1']);
    b1.finish();
    a1.finish();
    await tick();
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1', 'start a2']);
    a2.finish();
    await lanes.drain();
    expect(log.at(-1)).toBe('end a2');
  });

  it('admits no more than its limit: add waits until a task is done', async () => {
    const log: string[] = [];
    const lanes = new KeyedLanes(2);
    const x = gated(log, 'x');
    const y = gated(log, 'y');
    await lanes.add('x', x.task);
    await lanes.add('y', y.task);
    let admitted = false;
    const third = lanes.add('z', async () => void log.push('z')).then(() => (admitted = true));
    await tick();
    expect(admitted).toBe(false);
    y.finish();
    await third;
    expect(admitted).toBe(true);
    x.finish();
    await lanes.drain();
    expect(log).toContain('z');
  });

  it('goes on with a key after a task of it failed, and reports the failure', async () => {
    const errors: unknown[] = [];
    const lanes = new KeyedLanes(1, (err) => errors.push(err));
    const ran: string[] = [];
    await lanes.add('k', async () => {
      throw new Error('broken');
    });
    await lanes.add('k', async () => void ran.push('next'));
    await lanes.drain();
    expect(ran).toEqual(['next']);
    expect(errors).toEqual([new Error('broken')]);
  });
});
