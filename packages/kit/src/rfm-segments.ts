/**
 * The customer segments of an RFM analysis (recency, frequency, monetary), best first. One list for
 * analytics (which scores accounts and publishes each account's segment), the account service (whose
 * tier rules may ask for segments) and the gateway (the REST enum): events and gRPC carry the
 * segment as text, so there is no proto enum to take it from.
 */
export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'potential-loyalists',
  'new-customers',
  'at-risk',
  'cannot-lose',
  'hibernating',
  'needs-attention',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];
