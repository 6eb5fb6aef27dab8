import { gatherParts, type OverviewPart } from '../src/accounts/overview';

const part = (name: string, fetch: OverviewPart<object>['fetch']): OverviewPart<object> => ({ name, fetch });
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    });
  });

describe('overview aggregator', () => {
  it('answers every part that is there in time', async () => {
    const { parts, partial, unavailable } = await gatherParts(
      [part('contacts', async () => ({ items: [1, 2] })), part('activities', async () => ({ items: [] }))],
      {},
      200,
    );
    expect(partial).toBe(false);
    expect(unavailable).toEqual([]);
    expect(parts).toEqual({
      contacts: { status: 'ok', items: [1, 2] },
      activities: { status: 'ok', items: [] },
    });
  });

  it('marks a slow part and a failing part unavailable and keeps the rest', async () => {
    let aborted = false;
    const errors: string[] = [];
    const started = Date.now();
    const { parts, partial, unavailable } = await gatherParts(
      [
        part('contacts', async () => ({ items: ['ok'] })),
        part('opportunities', async (_ctx, signal) => {
          signal.addEventListener('abort', () => (aborted = true));
          await sleep(5_000, signal);
          return { items: [] };
        }),
        part('tickets', async () => {
          throw new Error('UNAVAILABLE: connection refused');
        }),
      ],
      {},
      100,
      (name) => errors.push(name),
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(partial).toBe(true);
    expect(unavailable.sort()).toEqual(['opportunities', 'tickets']);
    expect(parts.contacts).toEqual({ status: 'ok', items: ['ok'] });
    expect(parts.opportunities).toEqual({ status: 'unavailable', detail: 'no answer within 100 ms' });
    expect(parts.tickets).toMatchObject({ status: 'unavailable' });
    // The internal error text is not passed to the client.
    expect(JSON.stringify(parts.tickets)).not.toMatch(/connection refused/);
    expect(aborted).toBe(true);
    expect(errors.sort()).toEqual(['opportunities', 'tickets']);
  });

  it('gives each part the same deadline and runs them in parallel', async () => {
    const started = Date.now();
    const deadlines: number[] = [];
    await gatherParts(
      [1, 2, 3].map((i) =>
        part(`p${i}`, async (_c, _s, deadline) => {
          deadlines.push(deadline.getTime() - started);
          await sleep(80);
          return {};
        }),
      ),
      {},
      1_000,
    );
    expect(Date.now() - started).toBeLessThan(240);
    for (const d of deadlines) expect(d).toBeGreaterThanOrEqual(900);
  });
});
