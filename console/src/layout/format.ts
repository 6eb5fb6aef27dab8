/** A timestamp in the user's language, or a dash when there is none. */
export function formatDateTime(iso: string | null | undefined, language: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** An amount in minor units (cents) as money in the user's language. */
export function formatMoney(minor: number, currency: string, language: string): string {
  return new Intl.NumberFormat(language, { style: 'currency', currency: currency || 'USD' }).format(
    minor / 100,
  );
}
