import { createHash } from 'node:crypto';

/**
 * Fixed namespaces for ids derived from a creator's creation key: the same key always gives the same
 * id, so a retried saga step finds what its first attempt created. One namespace per record type, so
 * one key may create an account and a contact without their ids colliding.
 */
export const NAMESPACES = {
  account: '5f8e2a3c-7d41-4b6e-9c0a-1e2d3f4a5b6c',
  contact: '9a7b6c5d-4e3f-4a1b-8c2d-0e1f2a3b4c5d',
} as const;

/** RFC 9562 UUID version 5 (SHA-1, name-based). */
export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error('namespace must be a UUID');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const idFromCreationKey = (type: keyof typeof NAMESPACES, key: string): string =>
  uuidV5(key, NAMESPACES[type]);
