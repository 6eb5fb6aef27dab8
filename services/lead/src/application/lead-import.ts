import { randomUUID } from 'node:crypto';
import { allows, canSee, type FieldViolation, ForbiddenError, ValidationError } from '@crm/kit';
import { dedupeKeys, type LeadInput } from '../domain/lead';
import type { LeadDoc } from '../store/lead.model';
import type { LeadRouting } from './lead-routing';
import { validateNewLead } from './leads';
import type { Caller, DuplicateKeys, LeadCustomFields, LeadRepository } from './ports';

/** What became of one row of an import. */
export interface ImportRow {
  row: number;
  outcome: 'created' | 'duplicate' | 'rejected';
  leadId?: string;
  existingLeadId?: string;
  violations: FieldViolation[];
}

export interface LeadImportDeps {
  leads: LeadRepository;
  keys: DuplicateKeys;
  routing: LeadRouting;
  customFields: LeadCustomFields;
  written: (leadId?: string) => void;
}

const MAX_ROWS = 10_000;
/** Rows whose keys are claimed at the same time (claims are a few primary-key writes each). */
const CLAIMS_AT_ONCE = 20;
const STORED_AT_ONCE = 1000;

interface Prepared {
  index: number;
  lead: LeadInput;
  keys: string[];
}

/** Bulk import (CSV): every row validated, de-duplicated and reported on its own. */
export class LeadImport {
  constructor(private readonly d: LeadImportDeps) {}

  /** Validates every row, stores the good ones, and reports each row; bad rows leave nothing behind. */
  async import(rows: LeadInput[], allowDuplicates: boolean, c: Caller): Promise<ImportRow[]> {
    if (!allows(c.actor.roles, 'lead.import'))
      throw new ForbiddenError('import needs a manager, admin or integrator');
    if (allowDuplicates && !allows(c.actor.roles, 'record.force-duplicate'))
      throw new ForbiddenError('only a sales manager or an admin may import duplicates');
    if (rows.length > MAX_ROWS)
      throw new ValidationError([{ field: 'rows', description: `at most ${MAX_ROWS} rows per import` }]);
    const rules = await this.d.routing.rules();
    const fields = await this.d.customFields.fields();
    const results: ImportRow[] = [];
    const prepared: Prepared[] = [];
    rows.forEach((raw, i) => {
      try {
        // CSV cells arrive as text: custom field values are parsed by their type.
        const lead = validateNewLead(fields, raw, { fromText: true });
        prepared.push({ index: i, lead, keys: dedupeKeys(lead) });
        results[i] = { row: i + 1, outcome: 'created', violations: [] };
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        results[i] = { row: i + 1, outcome: 'rejected', violations: err.violations };
      }
    });
    // Keys of the rows created so far (later rows of the same file are duplicates of them).
    const inFile = new Map<string, string>();
    const docs: LeadDoc[] = [];
    const claimed: { id: string; keys: string[] }[] = [];
    try {
      for (let i = 0; i < prepared.length;) {
        // A chunk of rows that share no key is claimed concurrently: the outcome is the one in row order.
        const chunk: Prepared[] = [];
        const chunkKeys = new Set<string>();
        for (; i < prepared.length && chunk.length < CLAIMS_AT_ONCE; i++) {
          const p = prepared[i]!;
          const earlier = p.keys.map((k) => inFile.get(k)).find(Boolean);
          if (earlier && !allowDuplicates) {
            Object.assign(results[p.index]!, { outcome: 'duplicate', existingLeadId: earlier });
            continue;
          }
          if (p.keys.some((k) => chunkKeys.has(k))) break;
          p.keys.forEach((k) => chunkKeys.add(k));
          chunk.push(p);
        }
        const ids = chunk.map(() => randomUUID());
        const dups = await Promise.all(
          chunk.map(async (p, j) => {
            if (allowDuplicates) return undefined;
            const dup = await this.d.keys.claim(ids[j]!, p.keys);
            if (!dup) claimed.push({ id: ids[j]!, keys: p.keys });
            return dup;
          }),
        );
        for (const [j, p] of chunk.entries()) {
          const result = results[p.index]!;
          const dup = dups[j];
          if (dup) {
            // The matched lead is named only to an importer who may see it.
            const holder = await this.d.leads.get(dup.holderId);
            const visible = !!holder && canSee(c.actor, holder);
            Object.assign(result, {
              outcome: 'duplicate',
              existingLeadId: visible ? dup.holderId : undefined,
            });
            continue;
          }
          const doc = await this.d.routing.newLead(p.lead, p.keys, c, rules, ids[j]);
          for (const k of p.keys) inFile.set(k, doc._id);
          result.leadId = doc._id;
          docs.push(doc);
        }
      }
      for (let i = 0; i < docs.length; i += STORED_AT_ONCE)
        await this.d.leads.insertMany(docs.slice(i, i + STORED_AT_ONCE));
    } catch (err) {
      await this.giveBack(claimed);
      throw err;
    }
    if (allowDuplicates) await inBatches(docs, (doc) => this.d.keys.recordIfFree(doc._id, doc.dedupeKeys));
    if (docs.length) this.d.written();
    return results;
  }

  /** The import failed: the keys of the rows that were not stored are free again. */
  private async giveBack(claimed: { id: string; keys: string[] }[]): Promise<void> {
    const stored = new Set<string>();
    for (let i = 0; i < claimed.length; i += 500) {
      const ids = claimed.slice(i, i + 500).map((r) => r.id);
      for (const id of await this.d.leads.storedIds(ids)) stored.add(id);
    }
    await inBatches(
      claimed.filter((r) => !stored.has(r.id)),
      (r) => this.d.keys.release(r.id, r.keys),
    );
  }
}

/** Runs fn over the items, a few at a time. */
async function inBatches<T>(items: T[], fn: (item: T) => Promise<void>, size = CLAIMS_AT_ONCE) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
