import { CustomFields, MemoryDefinitionRepository } from '@crm/custom-fields';
import { decodeOffset, encodeOffset, VersionMismatchError } from '@crm/kit';
import { InMemoryVersioned as Collection } from '@crm/kit/testing';
import type {
  OpportunityPorts,
  OpportunityQuery,
  OpportunityRepository,
  PipelineRepository,
} from '../../src/application/ports';
import { canRead } from '../../src/domain/deal-team';
import type { LossReasonsDoc, OpportunityDoc, PipelineDoc } from '../../src/store/opportunity.model';
import { InMemoryApprovals } from './in-memory-approvals';

export class InMemoryPipelines extends Collection<PipelineDoc> implements PipelineRepository {
  async list() {
    return this.all();
  }
}

export class InMemoryOpportunities extends Collection<OpportunityDoc> implements OpportunityRepository {
  async countInStage(pipelineId: string, stageKey: string) {
    return (await this.inStage(pipelineId, stageKey)).length;
  }
  async inStage(pipelineId: string, stageKey: string) {
    return this.all().filter((o) => !o.discardedAt && o.pipelineId === pipelineId && o.stageKey === stageKey);
  }
  /** In the query's order, offset-paged (the store pages by cursor; the order is what matters here). */
  async list(q: OpportunityQuery) {
    const hits = this.all()
      .filter((o) => !o.discardedAt && canRead(q.visibleTo, o))
      .filter((o) => !q.stageKey || o.stageKey === q.stageKey)
      .filter((o) => !q.ownerId || o.ownerId === q.ownerId)
      .filter((o) => !q.teamId || o.teamId === q.teamId)
      .filter((o) => !q.closeDateFrom || o.expectedCloseDate >= q.closeDateFrom)
      .filter((o) => !q.closeDateTo || (!!o.expectedCloseDate && o.expectedCloseDate <= q.closeDateTo))
      .filter((o) => q.amountMinMinor === undefined || o.amountMinor >= q.amountMinMinor)
      .filter((o) => q.amountMaxMinor === undefined || o.amountMinor <= q.amountMaxMinor)
      .filter(
        (o) =>
          !q.stagesIn ||
          q.stagesIn.some((s) => s.pipelineId === o.pipelineId && s.stageKeys.includes(o.stageKey)),
      )
      .filter((o) => !q.accountId || o.accountId === q.accountId)
      .filter((o) => !q.pipelineId || o.pipelineId === q.pipelineId)
      .filter((o) => matchesCustomFilter(o, q.customFilter))
      .sort(
        (a, b) => (q.descending ? -1 : 1) * (compare(a[q.sort], b[q.sort]) || a._id.localeCompare(b._id)),
      );
    const from = decodeOffset(q.cursor);
    const page = hits.slice(from, from + q.limit);
    return {
      opportunities: page,
      nextCursor: from + q.limit < hits.length ? encodeOffset(from + q.limit) : '',
    };
  }
}

const compare = (a: Date | number | string, b: Date | number | string): number =>
  a instanceof Date && b instanceof Date ? a.getTime() - b.getTime() : a < b ? -1 : a > b ? 1 : 0;

/** Custom field filters of plain values (what @crm/custom-fields builds for text, number, enum filters). */
function matchesCustomFilter(o: OpportunityDoc, filter?: Record<string, unknown>): boolean {
  return Object.entries(filter ?? {}).every(([path, want]) => {
    if (want !== null && typeof want === 'object')
      throw new Error(`the in-memory filter knows plain values only, not ${JSON.stringify(want)}`);
    const value = o.customFields[path.replace(/^customFields\./, '')];
    return Array.isArray(value) ? value.includes(want) : value === want;
  });
}

export function inMemoryPorts() {
  const pipelines = new InMemoryPipelines();
  const opportunities = new InMemoryOpportunities();
  const written: string[] = [];
  /** Accounts the account service would show to anyone: add ids to make them exist. */
  const accounts = new Set<string>(['acc-1', 'acc-2']);
  /** Contact id -> its account id. */
  const contacts = new Map<string, string>([
    ['contact-ceo', 'acc-1'],
    ['contact-cfo-2', 'acc-2'],
  ]);
  const approvals = new InMemoryApprovals();
  /** Definitions an admin would make: add them with customFields.put(...) in a test. */
  const customFields = new CustomFields(new MemoryDefinitionRepository(), ['opportunity']);
  let lossReasons: LossReasonsDoc | undefined;
  const ports: OpportunityPorts = {
    pipelines,
    opportunities,
    accounts: {
      isVisible: async (id) => accounts.has(id),
      accountOfContact: async (id) => contacts.get(id),
    },
    approvals,
    customFields,
    lossReasons: {
      get: async () => (lossReasons ? structuredClone(lossReasons) : undefined),
      put: async (version, reasons, actor) => {
        if ((lossReasons?.version ?? 0) !== version)
          throw new VersionMismatchError(version, lossReasons?.version ?? 0);
        lossReasons = {
          _id: 'loss-reasons',
          version: version + 1,
          reasons,
          updatedAt: new Date(),
          updatedBy: actor.userId,
        };
        return structuredClone(lossReasons);
      },
    },
    written: (kind, id) => void written.push(`${kind}:${id}`),
  };
  return { ports, pipelines, opportunities, written, accounts, contacts, approvals, customFields };
}
