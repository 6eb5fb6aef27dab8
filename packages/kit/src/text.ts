import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * Text normalisation shared by every service, so that two records are matched the same way wherever
 * they live. Pure functions: domain code may use them (through @crm/kit/domain).
 */

/** Zero-width characters and C0/C1 controls: invisible, they would make two equal keys differ. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]/g;

/** Trims and collapses runs of white space to one space. */
export const collapseSpace = (s: string | undefined | null) => (s ?? '').trim().replace(/\s+/g, ' ');

/**
 * An email as a key: compatibility forms folded (a fullwidth `ｌ` is an `l`), invisible characters
 * removed, lower-cased. Validation is the caller's; this only makes equal addresses equal.
 */
export const normaliseEmail = (s: string | undefined | null) =>
  (s ?? '').normalize('NFKC').replace(INVISIBLE, '').trim().toLowerCase();

/** A phone number in E.164, or undefined when it is not a valid number. */
export function normalisePhone(s: string, defaultCountry = 'US'): string | undefined {
  const parsed = parsePhoneNumberFromString(s.normalize('NFKC'), defaultCountry as never);
  return parsed?.isValid() ? parsed.number : undefined;
}

/**
 * Folds a company or person name for matching: case, accents, punctuation and legal suffixes do not
 * make two companies different ("ACME, Inc." = "Acme").
 */
export function foldName(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .replace(/\b(inc|ltd|llc|gmbh|co|corp|corporation|company|limited|plc|ag|sa)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** User text inside a regular expression matches itself only (free-text search). */
export const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
