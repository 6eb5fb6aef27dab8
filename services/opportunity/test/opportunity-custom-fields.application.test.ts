import { Roles, ValidationError } from '@crm/kit';
import { event, opportunityEvents } from '@crm/proto';
import { Opportunities, type OpportunityPatch } from '../src/application/opportunities';
import { Pipelines } from '../src/application/pipelines';
import type { Caller } from '../src/application/ports';
import { toProtoOpportunity } from '../src/grpc/opportunity.mapper';
import { inMemoryPorts } from './support/in-memory-repositories';

const caller = (userId: string, roles: string[], teams: string[] = []): Caller => ({
  actor: { userId, username: userId, roles, teams },
  requestId: `req-${userId}`,
});
const rep1 = caller('rep1', [Roles.rep], ['east']);
const admin = caller('admin', [Roles.admin]);

const deal = (over: OpportunityPatch = {}): OpportunityPatch => ({
  name: 'ACME ERP rollout',
  accountId: 'acc-1',
  amountMinor: 2_000_000_00,
  currency: 'CNY',
  ...over,
});

async function setup() {
  const mem = inMemoryPorts();
  const cf = mem.customFields;
  await cf.put(
    { entity: 'opportunity', key: 'po_number', label: 'PO number', type: 'text' },
    {},
    admin.actor,
  );
  await cf.put(
    {
      entity: 'opportunity',
      key: 'deal_type',
      label: 'Deal type',
      type: 'enum',
      required: true,
      constraints: { options: ['new', 'renewal', 'upsell'] },
    },
    {},
    admin.actor,
  );
  await cf.load();
  return { mem, opportunities: new Opportunities(mem.ports, new Pipelines(mem.ports)) };
}

async function violations(p: Promise<unknown>): Promise<string[]> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ValidationError)) throw new Error(`expected a ValidationError, got ${String(err)}`);
  return err.violations.map((v) => v.field).sort();
}

describe('custom fields of opportunities', () => {
  it('stores valid values with the new deal and names every bad one with the deal’s own problems', async () => {
    const { opportunities } = await setup();
    const created = await opportunities.create(
      deal({ customFields: { deal_type: 'renewal', po_number: 'PO-7' } }),
      '',
      '',
      rep1,
    );
    expect(created.customFields).toEqual({ deal_type: 'renewal', po_number: 'PO-7' });
    expect(
      await violations(
        opportunities.create(
          deal({ name: '', customFields: { deal_type: 'lease', colour: 'red' } }),
          '',
          '',
          rep1,
        ),
      ),
    ).toEqual(['customFields.colour', 'customFields.deal_type', 'name']);
    expect(await violations(opportunities.create(deal(), '', '', rep1))).toEqual(['customFields.deal_type']);
  });

  it('lets a lead conversion (a creation key) open a deal without the required fields it cannot know', async () => {
    const { opportunities } = await setup();
    const converted = await opportunities.create(
      deal(),
      '',
      'lead-1',
      rep1,
      'lead-conversion:lead-1:opportunity',
    );
    expect(converted.customFields).toEqual({});
    await expect(
      violations(
        opportunities.create(deal({ customFields: { deal_type: 'lease' } }), '', 'lead-2', rep1, 'key-2'),
      ),
    ).resolves.toEqual(['customFields.deal_type']);
  });

  it('changes only the keys an update sends, clears one with null, and keeps a required one', async () => {
    const { opportunities, mem } = await setup();
    const created = await opportunities.create(
      deal({ customFields: { deal_type: 'new', po_number: 'PO-1' } }),
      '',
      '',
      rep1,
    );
    const updated = await opportunities.update(created._id, 1, { customFields: { po_number: null } }, rep1);
    expect(updated.customFields).toEqual({ deal_type: 'new' });
    expect(
      await violations(opportunities.update(created._id, 2, { customFields: { deal_type: null } }, rep1)),
    ).toEqual(['customFields.deal_type']);
    // The change is announced like any other field's.
    expect(mem.opportunities.subjects()).toEqual(['OpportunityCreated', 'OpportunityUpdated']);
    const envelope = event.EventEnvelope.decode(mem.opportunities.events[1]!.data);
    const updatedEvent = opportunityEvents.OpportunityUpdated.decode(envelope.payload);
    expect(updatedEvent.changedFields).toEqual(['custom_fields']);
    expect(updatedEvent.opportunity?.customFields).toEqual({ deal_type: 'new' });
  });

  it('filters the list by a custom field and refuses a filter on a field that does not exist', async () => {
    const { opportunities } = await setup();
    await opportunities.create(
      deal({ name: 'renewal', customFields: { deal_type: 'renewal' } }),
      '',
      '',
      rep1,
    );
    await opportunities.create(deal({ name: 'new', customFields: { deal_type: 'new' } }), '', '', rep1);
    const list = (customFilters: Record<string, string>) =>
      opportunities.list(
        {
          stageKey: '',
          ownerId: '',
          teamId: '',
          accountId: '',
          pipelineId: '',
          closeDateFrom: '',
          closeDateTo: '',
          forecastCategory: '',
          customFilters,
          limit: 0,
          cursor: '',
        },
        rep1,
      );
    expect((await list({ deal_type: 'renewal' })).opportunities.map((o) => o.name)).toEqual(['renewal']);
    expect(await violations(list({ colour: 'red' }))).toEqual(['customFields.colour']);
  });

  it('shows readers the active fields only; an archived field’s value stays stored and in events', async () => {
    const { opportunities, mem } = await setup();
    const created = await opportunities.create(
      deal({ customFields: { deal_type: 'new', po_number: 'PO-1' } }),
      '',
      '',
      rep1,
    );
    await mem.customFields.archive('opportunity', 'po_number', 0, admin.actor);
    await mem.customFields.load();
    const shown = (v: unknown) => mem.customFields.visibleNow('opportunity', v);
    expect(toProtoOpportunity(created, shown).customFields).toEqual({ deal_type: 'new' });
    expect(toProtoOpportunity(created).customFields).toEqual({ deal_type: 'new', po_number: 'PO-1' });
  });
});
