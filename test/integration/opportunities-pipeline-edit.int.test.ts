import { api, RUN } from './support';

const stage = (key: string, winProbability: number, forecastCategory: string, outcome = '') => ({
  key,
  name: key,
  winProbability,
  forecastCategory,
  exitCriteria: [],
  outcome,
});

describe('editing a pipeline that holds deals (real opportunity service)', () => {
  it('removing a stage with deals asks where they go (409), then moves them there, recorded', async () => {
    const stages = [
      stage('discovery', 10, 'pipeline'),
      stage('pilot', 50, 'best-case'),
      stage('contract', 80, 'commit'),
      stage('won', 100, 'closed', 'won'),
      stage('lost', 0, 'closed', 'lost'),
    ];
    const pipeline = await api('POST', '/api/v1/pipelines', {
      as: 'admin',
      json: { name: `Renewal ${RUN}`, stages },
    });
    expect(pipeline.status).toBe(201);
    const account = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: { name: `Pipeline edit ${RUN}`, website: `https://pipeline-edit-${RUN}.example.com` },
    });
    const deal = await api('POST', '/api/v1/opportunities', {
      as: 'rep1',
      json: {
        name: `Renewal ${RUN}`,
        accountId: account.body.id,
        currency: 'EUR',
        pipelineId: pipeline.body.id,
      },
    });
    expect(deal.status).toBe(201);
    const moved = await api('POST', `/api/v1/opportunities/${deal.body.id}/stage`, {
      as: 'rep1',
      json: { stageKey: 'pilot' },
    });
    expect(moved.status).toBe(200);

    const withoutPilot = stages.filter((s) => s.key !== 'pilot');
    const put = (json: unknown) =>
      api('PUT', `/api/v1/pipelines/${pipeline.body.id}`, {
        as: 'admin',
        headers: { 'if-match': pipeline.headers.get('etag')! },
        json,
      });
    const stranded = await put({ name: `Renewal ${RUN}`, stages: withoutPilot });
    expect(stranded.status).toBe(409);
    const intoClosed = await put({
      name: `Renewal ${RUN}`,
      stages: withoutPilot,
      moveDeals: { pilot: 'won' },
    });
    expect(intoClosed.status).toBe(400);
    expect(intoClosed.body.errors).toEqual([expect.objectContaining({ field: 'moveDeals.pilot' })]);

    const saved = await put({
      name: `Renewal ${RUN}`,
      stages: withoutPilot,
      moveDeals: { pilot: 'discovery' },
    });
    expect(saved.status).toBe(200);
    const after = await api('GET', `/api/v1/opportunities/${deal.body.id}`, { as: 'rep1' });
    expect(after.body.stageKey).toBe('discovery');
    expect(after.body.stageHistory.at(-1)).toMatchObject({ fromStage: 'pilot', toStage: 'discovery' });
  });
});
