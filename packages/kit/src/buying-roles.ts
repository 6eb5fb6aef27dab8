/**
 * Roles in a buying committee, in the order key persons are shown (most decisive first). One list for
 * the account service (validation, key-person order) and the gateway (the REST enum): contacts carry
 * the role as text in gRPC, so there is no proto enum to take it from.
 */
export const BUYING_ROLES = [
  'decision-maker',
  'economic-buyer',
  'champion',
  'technical-buyer',
  'influencer',
  'blocker',
  'user',
] as const;
export type BuyingRole = (typeof BUYING_ROLES)[number];
