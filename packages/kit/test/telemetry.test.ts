import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { statementShape } from '../src/telemetry';

describe('database span statements', () => {
  const lead = {
    _id: 'a3c4',
    version: 1,
    email: 'ada@example.com',
    dedupeKeys: ['email:ada@example.com'],
    outbox: [{ id: 'e1', subject: 'crm.lead.v1.LeadCreated', data: Buffer.alloc(300, 7) }],
    createdAt: new Date(0),
  };

  it('hides every value and keeps the shape, as the instrumentation does by default', () => {
    expect(statementShape(lead)).toBe(
      '{"_id":"?","version":"?","email":"?","dedupeKeys":["?"],' +
        '"outbox":[{"id":"?","subject":"?","data":"?"}],"createdAt":"?"}',
    );
    expect(statementShape({ _id: 'a3c4', version: { $lt: 3 } })).toBe('{"_id":"?","version":{"$lt":"?"}}');
  });

  it('writes what the default writes for a command without bytes', () => {
    const byDefault = (command: unknown) =>
      (
        new MongoDBInstrumentation({ enabled: false }) as unknown as {
          _defaultDbStatementSerializer(c: unknown): string;
        }
      )._defaultDbStatementSerializer(command);
    const update = {
      q: { _id: 'a3c4', version: 3, 'outbox.0': { $exists: true } },
      u: { $set: { outbox: [], tags: ['a', undefined, null], 'a"b': { at: new Date(0), n: null } } },
      arrayFilters: [],
    };
    expect(statementShape(update)).toBe(byDefault(update));
  });

  it('writes event bytes as one value, where the default listed each byte', () => {
    const instrumentation = new MongoDBInstrumentation({ enabled: false });
    const byDefault = (
      instrumentation as unknown as { _defaultDbStatementSerializer(c: unknown): string }
    )._defaultDbStatementSerializer(lead);
    expect(byDefault.length).toBeGreaterThan(1200);
    expect(statementShape(lead).length).toBeLessThan(200);
    expect(statementShape(lead)).toBe(byDefault.replace(/\{"type":"\?","data":\[[?",]+\]\}/, '"?"'));
  });
});
