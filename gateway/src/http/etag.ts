import type { Request, Response } from 'express';
import { HttpProblem } from './problem';

export function setEtag(res: Response, version: number | string): void {
  res.setHeader('ETag', `"${version}"`);
}

/**
 * The version from `If-Match: "<version>"` (weak tags and bare numbers accepted). Absent or `*` -> 0
 * (no check). A tag that cannot be one of our versions can never match -> 412. `"0"` (the ETag of rules
 * that were never stored) is passed on as 0, which the services treat as "no check".
 */
export function expectedVersion(req: Request): string {
  const raw = req.headers['if-match'];
  if (raw === undefined || raw.trim() === '' || raw.trim() === '*') return '0';
  const m = /^\s*(?:W\/)?"?(\d{1,18})"?\s*$/.exec(raw);
  if (!m || !m[1]) throw new HttpProblem(412, 'If-Match does not match the current version.');
  return String(BigInt(m[1]));
}
