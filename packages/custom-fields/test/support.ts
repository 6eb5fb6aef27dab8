import type { Actor } from '@crm/kit';
import type { FieldDefinition, FieldDefinitionInput } from '../src';

export const admin: Actor = { userId: 'u-admin', username: 'admin', roles: ['crm-admin'], teams: [] };
export const rep: Actor = { userId: 'u-rep', username: 'rep1', roles: ['sales-rep'], teams: ['sales-east'] };

/** A stored definition for pure tests. */
export function def(
  key: string,
  type: FieldDefinition['type'],
  over: Partial<Omit<FieldDefinitionInput, 'key' | 'type'>> & { archived?: boolean } = {},
): FieldDefinition {
  const at = new Date('2026-01-01T00:00:00Z');
  return {
    entity: 'lead',
    key,
    label: key,
    type,
    required: false,
    constraints: {},
    version: 1,
    archived: false,
    createdAt: at,
    createdBy: 'u-admin',
    updatedAt: at,
    updatedBy: 'u-admin',
    ...over,
  };
}

/** The violations of a thrown ValidationError, as { field: description }. */
export function violations(fn: () => unknown): Record<string, string> {
  try {
    fn();
  } catch (err) {
    const v = (err as { violations?: { field: string; description: string }[] }).violations;
    if (!v) throw err;
    return Object.fromEntries(v.map((x) => [x.field, x.description]));
  }
  throw new Error('expected a ValidationError');
}

export async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}
