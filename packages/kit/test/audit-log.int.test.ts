import mongoose, { type Connection, Schema } from 'mongoose';
import { connect, type NatsConnection } from 'nats';
import { event as eventProto, lead as leadPb, leadEvents } from '@crm/proto';
import {
  type Actor,
  AuditLog,
  auditService,
  type CallerContext,
  createLogger,
  ensureStream,
  ForbiddenError,
  type OutboxModel,
  OutboxRelay,
  outboxEntry,
  outboxSchema,
} from '../src';
import { ownFerretDb, ownNats, waitFor } from '../src/testing';

const rep1: Actor = { userId: 'u-rep1', username: 'rep1', roles: ['sales-rep'], teams: ['sales-east'] };
const manager: Actor = { userId: 'u-mgr', username: 'manager', roles: ['sales-manager'], teams: [] };
const admin: Actor = { userId: 'u-admin', username: 'admin', roles: ['crm-admin'], teams: [] };

const leadSnapshot = (id: string, version: number, fields: Partial<leadPb.Lead>) =>
  leadPb.Lead.fromPartial({ id, version: String(version), lastName: 'Doe', ...fields });

const created = (id: string, email: string, actor = rep1) =>
  outboxEntry({
    eventType: 'crm.lead.v1.LeadCreated',
    payload: leadEvents.LeadCreated.encode({ lead: leadSnapshot(id, 1, { email }) }).finish(),
    aggregateType: 'lead',
    aggregateId: id,
    aggregateVersion: 1,
    actor,
    requestId: `req-create-${id}`,
  });

const updated = (
  id: string,
  version: number,
  fields: Partial<leadPb.Lead>,
  changed: string[],
  actor = rep1,
) =>
  outboxEntry({
    eventType: 'crm.lead.v1.LeadUpdated',
    payload: leadEvents.LeadUpdated.encode({
      lead: leadSnapshot(id, version, fields),
      changedFields: changed,
    }).finish(),
    aggregateType: 'lead',
    aggregateId: id,
    aggregateVersion: version,
    actor,
    requestId: `req-update-${id}-${version}`,
  });

describe('audit log against a real FerretDB', () => {
  let ferret: Awaited<ReturnType<typeof ownFerretDb>>;
  let db: Connection;
  let log: AuditLog;

  beforeAll(async () => {
    ferret = await ownFerretDb();
    await ferret.start();
    db = await mongoose.createConnection(ferret.uri, { dbName: 'crm_audit_test' }).asPromise();
    log = new AuditLog(db, 30);
    await log.entries.createIndexes();
  }, 60_000);

  afterAll(async () => {
    await db?.close();
    await ferret?.dispose();
  });

  it('records who changed which field from what to what, once however often the relay re-runs', async () => {
    const first = [
      created('l1', 'old@example.com'),
      updated('l1', 2, { email: 'new@example.com' }, ['email']),
    ];
    await log.record(first);
    // The relay crashed before clearing the outbox: the next round sends the same entries and a new one.
    await log.record([
      ...first,
      updated('l1', 3, { email: 'third@example.com', ownerId: 'u-rep1' }, ['email']),
    ]);
    await log.record(first);

    // Events of one write can share a millisecond: read them in version order.
    const entries = (await log.list({ recordId: 'l1' })).entries.sort(
      (a, b) => b.recordVersion - a.recordVersion,
    );
    expect(entries.map((e) => [e.eventType, e.recordVersion])).toEqual([
      ['crm.lead.v1.LeadUpdated', 3],
      ['crm.lead.v1.LeadUpdated', 2],
      ['crm.lead.v1.LeadCreated', 1],
    ]);
    const [third, second, creation] = entries;
    expect(second!.actor).toEqual({ userId: 'u-rep1', username: 'rep1' });
    expect(second!.requestId).toBe('req-update-l1-2');
    expect(second!.changes).toEqual([
      { field: 'email', before: '"old@example.com"', after: '"new@example.com"' },
    ]);
    expect(third!.changes).toEqual([
      { field: 'email', before: '"new@example.com"', after: '"third@example.com"' },
    ]);
    expect(creation!.changes).toContainEqual({ field: 'email', before: 'null', after: '"old@example.com"' });
  });

  it('keeps events without the record as details, and their fields inform the next "before"', async () => {
    const assigned = outboxEntry({
      eventType: 'crm.lead.v1.LeadAssigned',
      payload: leadEvents.LeadAssigned.encode(
        leadEvents.LeadAssigned.fromPartial({ leadId: 'l2', ownerId: 'u-rep2', previousOwnerId: 'u-rep1' }),
      ).finish(),
      aggregateType: 'lead',
      aggregateId: 'l2',
      aggregateVersion: 2,
      actor: manager,
    });
    await log.record([created('l2', 'a@example.com')]);
    await log.record([assigned]);
    await log.record([updated('l2', 3, { ownerId: 'u-rep1' }, ['owner_id'], manager)]);

    const { entries } = await log.list({ recordId: 'l2' });
    const of = (type: string) => entries.find((e) => e.eventType === type)!;
    expect(JSON.parse(of('crm.lead.v1.LeadAssigned').details)).toMatchObject({
      ownerId: 'u-rep2',
      previousOwnerId: 'u-rep1',
    });
    expect(of('crm.lead.v1.LeadUpdated').changes).toEqual([
      { field: 'ownerId', before: '"u-rep2"', after: '"u-rep1"' },
    ]);
  });

  it('filters by who and by time, and pages newest first without gaps or repeats', async () => {
    for (let i = 0; i < 5; i++) await log.record([created(`p${i}`, `p${i}@example.com`, admin)]);
    const byAdmin = await log.list({ actorUserId: 'u-admin' });
    expect(byAdmin.entries.map((e) => e.recordId).sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await log.list({ actorUserId: 'u-admin', limit: 2, cursor });
      seen.push(...page.entries.map((e) => e._id));
      cursor = page.nextCursor || undefined;
    } while (cursor);
    expect(seen).toEqual(byAdmin.entries.map((e) => e._id));

    const future = await log.list({ from: new Date(Date.now() + 60_000) });
    expect(future.entries).toEqual([]);
    const past = await log.list({ to: new Date(Date.now() + 60_000), recordType: 'lead', limit: 200 });
    expect(past.entries.length).toBeGreaterThanOrEqual(10);
  });

  it('answers administrators only', async () => {
    const svc = auditService(log);
    const ask = (actor: Actor) =>
      svc.listAuditEntries(
        {
          actorUserId: '',
          recordType: '',
          recordId: 'l1',
          from: undefined,
          to: undefined,
          page: { limit: 10, cursor: '' },
        },
        { actor, requestId: 'r' } as unknown as CallerContext,
      );
    await expect(ask(manager)).rejects.toBeInstanceOf(ForbiddenError);
    const latest = (await ask(admin)).entries!.find((e) => e.recordVersion === '3');
    expect(latest).toMatchObject({ recordId: 'l1', actorUsername: 'rep1' });
    expect(latest?.changes?.[0]).toEqual({
      field: 'email',
      beforeJson: '"new@example.com"',
      afterJson: '"third@example.com"',
    });
  });

  it('forgets entries older than the retention period and keeps the rest', async () => {
    const e = created('old', 'old@example.com');
    const envelope = eventProto.EventEnvelope.decode(e.data);
    envelope.occurredAt = new Date(Date.now() - 31 * 86_400_000);
    await log.record([{ ...e, data: Buffer.from(eventProto.EventEnvelope.encode(envelope).finish()) }]);
    expect((await log.list({ recordId: 'old' })).entries).toHaveLength(1);

    expect(await log.prune(new Date())).toBe(1);
    expect((await log.list({ recordId: 'old' })).entries).toEqual([]);
    expect((await log.list({ recordId: 'l1' })).entries).toHaveLength(3);
  });

  it('is written by the outbox relay as it publishes, and only once', async () => {
    const nats = await ownNats();
    await nats.start();
    let nc: NatsConnection | undefined;
    try {
      nc = await connect({ servers: nats.url, ...nats.auth });
      await ensureStream(nc, { name: 'CRM_LEAD', subjects: ['crm.lead.>'] });
      const Lead = db.model(
        'RelayedLead',
        new Schema({ _id: String, version: Number, outbox: [outboxSchema] }),
        'relayed_leads',
      ) as unknown as OutboxModel;
      const events = [
        created('r1', 'r1@example.com'),
        updated('r1', 2, { email: 'r2@example.com' }, ['email']),
      ];
      await Lead.create({ _id: 'r1', version: 2, outbox: events });
      const relay = new OutboxRelay([Lead], () => nc!.jetstream(), createLogger('t', 'silent'), 50);
      relay.recordInto(log);
      relay.start();
      relay.kick(Lead, 'r1');
      await waitFor(async () => ((await Lead.findById('r1').lean())?.outbox.length ?? 1) === 0);
      await relay.stop();

      const { entries } = await log.list({ recordId: 'r1' });
      expect(entries.map((e) => e._id).sort()).toEqual(events.map((e) => e.id).sort());
      const update = entries.find((e) => e.recordVersion === 2);
      expect(update?.changes).toEqual([
        { field: 'email', before: '"r1@example.com"', after: '"r2@example.com"' },
      ]);
      expect((await (await nc.jetstreamManager()).streams.info('CRM_LEAD')).state.messages).toBe(2);
    } finally {
      await nc?.close();
      await nats.dispose();
    }
  }, 60_000);
});
