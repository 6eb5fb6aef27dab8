import {
  allows,
  checkVersion,
  ForbiddenError,
  NotFoundError,
  retryOnVersionMismatch,
  ValidationError,
} from '@crm/kit';
import {
  type BusinessCalendar,
  normaliseCalendar,
  normalisePolicy,
  type SlaPolicyInput,
} from '../domain/sla';
import { remainingMinutes } from '../domain/sla-clock';
import type { CalendarDoc, PolicyDoc, TicketDoc } from '../store/ticket.model';
import type { Caller, SettingsRepository, TicketPorts } from './ports';

export const DEFAULT_ID = 'default';
const KEY = /^[a-z][a-z0-9-]{0,39}$/;

/** Shipped so that tickets have an SLA from the first day: office hours in China, common B2B targets. */
const DEFAULT_CALENDAR: BusinessCalendar = {
  name: 'Office hours',
  timeZone: 'Asia/Shanghai',
  workingDays: [1, 2, 3, 4, 5],
  opensAt: '09:00',
  closesAt: '18:00',
  holidays: [],
};
const h = 60;
const DEFAULT_POLICY: SlaPolicyInput = {
  name: 'Standard',
  calendarId: DEFAULT_ID,
  warnAtPercent: 80,
  targets: [
    { priority: 'urgent', tier: '', firstResponseMinutes: 1 * h, resolutionMinutes: 8 * h },
    { priority: 'high', tier: '', firstResponseMinutes: 4 * h, resolutionMinutes: 16 * h },
    { priority: 'high', tier: 'A', firstResponseMinutes: 2 * h, resolutionMinutes: 8 * h },
    { priority: 'high', tier: 'strategic', firstResponseMinutes: 1 * h, resolutionMinutes: 8 * h },
    { priority: 'normal', tier: '', firstResponseMinutes: 8 * h, resolutionMinutes: 40 * h },
    { priority: 'low', tier: '', firstResponseMinutes: 16 * h, resolutionMinutes: 80 * h },
  ],
};

/**
 * Business calendars and SLA policies: read by anyone who reads tickets, written by support managers
 * and admins. The "default" ones always exist (seeded at start, replaceable, never removed).
 */
export class SlaSettings {
  constructor(private readonly p: Pick<TicketPorts, 'calendars' | 'policies'>) {}

  /** Inserts the default calendar and policy where missing (inserts by id: safe with several replicas). */
  async seed(now = new Date()): Promise<void> {
    const meta = {
      version: 1,
      createdAt: now,
      createdBy: 'system',
      updatedAt: now,
      updatedBy: 'system',
      outbox: [],
    };
    await this.p.calendars.insert({ _id: DEFAULT_ID, ...meta, ...DEFAULT_CALENDAR });
    await this.p.policies.insert({ _id: DEFAULT_ID, ...meta, ...DEFAULT_POLICY });
  }

  async listCalendars(c: Caller): Promise<CalendarDoc[]> {
    mayRead(c);
    return this.p.calendars.list();
  }

  async listPolicies(c: Caller): Promise<PolicyDoc[]> {
    mayRead(c);
    return this.p.policies.list();
  }

  async calendar(id: string): Promise<CalendarDoc> {
    const cal = await this.p.calendars.get(id);
    if (!cal) throw new NotFoundError('business calendar', id);
    return cal;
  }

  async policy(id: string): Promise<PolicyDoc | undefined> {
    return this.p.policies.get(id);
  }

  /** Business minutes left of each ticket's targets, now (one calendar read per calendar in use). */
  async remainingOf(tickets: TicketDoc[], now = new Date()) {
    const calendars = new Map<string, CalendarDoc | undefined>();
    for (const id of new Set(tickets.map((t) => t.sla?.calendarId).filter(Boolean)))
      calendars.set(id, await this.p.calendars.get(id));
    return tickets.map((t) => remainingMinutes(t, now, calendars.get(t.sla?.calendarId)));
  }

  async saveCalendar(
    id: string,
    expectedVersion: number,
    raw: BusinessCalendar,
    c: Caller,
  ): Promise<CalendarDoc> {
    mayManage(c);
    const input = normaliseCalendar(raw);
    return upsert(this.p.calendars, requireKey(id), expectedVersion, { ...input }, c);
  }

  async savePolicy(id: string, expectedVersion: number, raw: SlaPolicyInput, c: Caller): Promise<PolicyDoc> {
    mayManage(c);
    const input = normalisePolicy(raw);
    if (!(await this.p.calendars.get(input.calendarId)))
      throw new ValidationError([{ field: 'calendarId', description: 'is not a business calendar' }]);
    return upsert(this.p.policies, requireKey(id), expectedVersion, { ...input }, c);
  }
}

function requireKey(id: string): string {
  if (!KEY.test(id))
    throw new ValidationError([{ field: 'id', description: 'must be a key such as premium' }]);
  return id;
}

/** Creates the document when the id is new, else replaces its fields by compare-and-set. */
function upsert<T extends CalendarDoc | PolicyDoc>(
  repo: SettingsRepository<T>,
  id: string,
  expectedVersion: number,
  fields: Partial<T>,
  c: Caller,
): Promise<T> {
  const once = async (): Promise<T> => {
    const current = await repo.get(id);
    if (!current) {
      const now = new Date();
      const doc = {
        _id: id,
        version: 1,
        ...fields,
        createdAt: now,
        createdBy: c.actor.userId,
        updatedAt: now,
        updatedBy: c.actor.userId,
        outbox: [],
      } as unknown as T;
      if (await repo.insert(doc)) return doc;
      return once(); // another writer created it first: replace theirs like any other version
    }
    checkVersion(expectedVersion, current.version);
    return repo.save(current, fields, c.actor, () => []);
  };
  return expectedVersion ? once() : retryOnVersionMismatch(once);
}

function mayRead(c: Caller): void {
  if (!allows(c.actor.roles, 'ticket.read')) throw new ForbiddenError('this role does not read SLA settings');
}

function mayManage(c: Caller): void {
  if (!allows(c.actor.roles, 'support.manage'))
    throw new ForbiddenError('only support managers and admins change calendars and SLA policies');
}
