import { allows, DomainError, ForbiddenError, Violations } from '@crm/kit';
import { normaliseQueue } from '../domain/ticket';
import type { TicketDoc } from '../store/ticket.model';
import type { Caller } from './ports';
import type { Tickets } from './tickets';

export const BULK_ACTIONS = ['assign', 'status', 'add-tag'] as const;
export const MAX_BULK = 200;
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const KEY = /^[a-z][a-z0-9-]{0,39}$/;

export interface BulkRequest {
  ticketIds: string[];
  action: string;
  assigneeId: string;
  queue: string;
  status: string;
  pendingReason: string;
  tag: string;
}

export type BulkItemResult =
  | { ticketId: string; ok: true; version: number }
  | { ticketId: string; ok: false; errorKind: string; message: string };

/**
 * One action on many tickets for a support manager. Each ticket is its own change, with its own
 * events and checks, so one that fails (gone, closed, changed meanwhile) is reported and the rest go on.
 */
export class BulkActions {
  constructor(private readonly tickets: Tickets) {}

  async run(req: BulkRequest, c: Caller): Promise<BulkItemResult[]> {
    if (!allows(c.actor.roles, 'support.manage'))
      throw new ForbiddenError('bulk actions are for support managers and admins');
    const apply = this.actionOf(req, c);
    const results: BulkItemResult[] = [];
    // One at a time: the service's other writers keep their share of the database.
    for (const ticketId of [...new Set(req.ticketIds.map((x) => x.trim()))]) {
      try {
        const t = await apply(ticketId);
        results.push({ ticketId, ok: true, version: t.version });
      } catch (err) {
        if (err instanceof DomainError)
          results.push({ ticketId, ok: false, errorKind: err.kind, message: err.message });
        else
          results.push({
            ticketId,
            ok: false,
            errorKind: 'unavailable',
            message: 'could not be changed now; try this one again',
          });
      }
    }
    return results;
  }

  /** Checks the request as a whole (a bad one changes nothing) and gives the change of one ticket. */
  private actionOf(req: BulkRequest, c: Caller): (id: string) => Promise<TicketDoc> {
    const v = new Violations();
    const ids = req.ticketIds.map((x) => x.trim());
    if (!ids.length) v.add('ticketIds', 'at least one ticket id');
    if (new Set(ids).size > MAX_BULK) v.add('ticketIds', `at most ${MAX_BULK} tickets at a time`);
    ids.forEach((x, i) => {
      if (!ID.test(x)) v.add(`ticketIds[${i}]`, 'is not an id');
    });
    const action = req.action.trim();
    const assignee = req.assigneeId.trim();
    const status = req.status.trim();
    const tag = req.tag.trim().toLowerCase();
    if (!(BULK_ACTIONS as readonly string[]).includes(action))
      v.add('action', `must be one of ${BULK_ACTIONS.join(', ')}`);
    if (action === 'assign' && !assignee) v.add('assigneeId', 'is required to assign');
    if (action === 'status' && status !== 'open' && status !== 'pending')
      v.add('status', 'must be open or pending (resolving and closing are done ticket by ticket)');
    if (
      action === 'status' &&
      status === 'pending' &&
      !['customer', 'internal'].includes(req.pendingReason.trim())
    )
      v.add('pendingReason', 'must be customer or internal');
    if (action === 'add-tag' && !KEY.test(tag)) v.add('tag', 'must be lower-case letters, digits and dashes');
    v.throwIfAny();
    const queue = action === 'assign' && req.queue.trim() ? normaliseQueue(req.queue) : '';
    if (action === 'assign') return (id) => this.tickets.assign(id, 0, assignee, queue, c);
    if (action === 'status') return (id) => this.tickets.changeStatus(id, 0, status, req.pendingReason, c);
    return (id) => this.tickets.addTag(id, tag, c);
  }
}
