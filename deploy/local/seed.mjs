#!/usr/bin/env node
// Seeds approval policies, demo leads, accounts with their contacts and a logged visit, products, a
// renewal pipeline, deals in several stages and one quote waiting for approval, into a running local
// stack through the public API (run by `npm start` once; a re-run adds nothing twice).
//
//   GATEWAY_URL=http://127.0.0.1:8080 KEYCLOAK_URL=http://127.0.0.1:8180 node deploy/local/seed.mjs
//
// Tokens come from Keycloak's password grant (public client crm-cli, demo users admin, rep1, rep2 and
// agent, supportlead, password crm-demo). A 409 (the lead exists) counts as already seeded. Plain Node 20, no deps.

const GATEWAY_URL = (process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const KEYCLOAK_URL = (process.env.KEYCLOAK_URL ?? 'http://127.0.0.1:8180').replace(/\/+$/, '');
const REALM = process.env.KEYCLOAK_REALM ?? 'crm';
const PASSWORD = process.env.CRM_DEMO_PASSWORD ?? 'crm-demo';

const LEADS = {
  rep1: [
    {
      firstName: 'Wei',
      lastName: 'Zhang',
      email: 'wei.zhang@sinoprecision.example',
      phone: '+8613800138000',
      company: 'Sino Precision Machinery Co., Ltd.',
      title: 'Head of Procurement',
      contactLevel: 'director',
      region: 'apac',
      industry: 'manufacturing',
      source: 'event',
      companySize: 2400,
    },
    {
      firstName: 'Anna',
      lastName: 'Schneider',
      email: 'anna.schneider@nordlicht-logistik.example',
      phone: '+4930123456',
      company: 'Nordlicht Logistik GmbH',
      title: 'Chief Operating Officer',
      contactLevel: 'c-level',
      region: 'emea',
      industry: 'logistics',
      source: 'referral',
      companySize: 850,
    },
    {
      firstName: 'James',
      lastName: 'Carter',
      email: 'james.carter@bluepeak-software.example',
      phone: '+14155550123',
      company: 'BluePeak Software Inc.',
      title: 'VP Sales Operations',
      contactLevel: 'vp',
      region: 'na',
      industry: 'software',
      source: 'web',
      companySize: 320,
    },
  ],
  rep2: [
    {
      firstName: 'Li',
      lastName: 'Na',
      email: 'li.na@huaxin-energy.example',
      phone: '+8613912345678',
      company: 'Huaxin Energy Group',
      title: 'IT Manager',
      contactLevel: 'manager',
      region: 'apac',
      industry: 'energy',
      source: 'web',
      companySize: 12000,
    },
    {
      firstName: 'Sophie',
      lastName: 'Martin',
      email: 'sophie.martin@atelier-medical.example',
      phone: '+33142685300',
      company: 'Atelier Médical SAS',
      title: 'Purchasing Director',
      contactLevel: 'director',
      region: 'emea',
      industry: 'healthcare',
      source: 'event',
      companySize: 560,
    },
    {
      firstName: 'Daniel',
      lastName: 'Okafor',
      email: 'daniel.okafor@granite-build.example',
      phone: '+12125550187',
      company: 'Granite Build & Supply',
      title: 'Procurement Specialist',
      contactLevel: 'staff',
      region: 'na',
      industry: 'construction',
      source: 'import',
      companySize: 140,
    },
  ],
};

// Accounts of rep1 with their buying committee and one logged visit each.
const ACCOUNTS = {
  rep1: [
    {
      account: {
        name: 'Nordwind Logistics GmbH',
        website: 'https://www.nordwind-logistics.example',
        industry: 'logistics',
        region: 'emea',
        size: 2300,
        lifecycle: 'customer',
      },
      contacts: [
        { firstName: 'Jonas', lastName: 'Weber', title: 'CFO', buyingRole: 'economic-buyer', primary: true },
        { firstName: 'Mia', lastName: 'Schulz', title: 'Head of IT', buyingRole: 'technical-buyer' },
        { firstName: 'Lena', lastName: 'Fischer', title: 'Operations Lead', buyingRole: 'champion' },
      ],
      visit: {
        subject: 'Quarterly business review',
        outcome: 'Renewal likely',
        nextStep: 'Send renewal offer',
      },
    },
    {
      account: {
        name: 'Pacific Dental Partners',
        website: 'pacificdental.example',
        industry: 'healthcare',
        region: 'na',
        size: 420,
        lifecycle: 'prospect',
      },
      contacts: [
        { firstName: 'Grace', lastName: 'Kim', title: 'COO', buyingRole: 'decision-maker', primary: true },
        { firstName: 'Omar', lastName: 'Haddad', title: 'Practice Manager', buyingRole: 'user' },
      ],
      visit: { subject: 'Discovery visit', outcome: 'Pain points mapped', nextStep: 'Demo for the COO' },
    },
  ],
};

function fail(msg) {
  console.error(`[seed] ERROR: ${msg}`);
  process.exit(1);
}

async function token(username) {
  const url = `${KEYCLOAK_URL}/realms/${REALM}/protocol/openid-connect/token`;
  let res;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'crm-cli',
        username,
        password: PASSWORD,
      }),
    });
  } catch (err) {
    fail(`cannot reach Keycloak at ${url}: ${err.cause?.message ?? err.message}`);
  }
  const text = await res.text();
  if (!res.ok) fail(`token for ${username} failed: HTTP ${res.status} ${text.slice(0, 300)}`);
  const body = JSON.parse(text);
  if (!body.access_token) fail(`token response for ${username} has no access_token`);
  return body.access_token;
}

async function createLead(accessToken, lead) {
  const url = `${GATEWAY_URL}/api/v1/leads`;
  let res;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${accessToken}`,
        'content-type': 'application/json',
        'idempotency-key': `seed-lead-${lead.email}`,
      },
      body: JSON.stringify(lead),
    });
  } catch (err) {
    fail(`cannot reach the gateway at ${url}: ${err.cause?.message ?? err.message}`);
  }
  const text = await res.text();
  if (res.status === 409) return 'exists';
  if (!res.ok) fail(`creating lead ${lead.email} failed: HTTP ${res.status} ${text.slice(0, 500)}`);
  return 'created';
}

/** POST as the user; 409 (already there) is fine on a re-run. Returns the created body or null. */
async function post(accessToken, path, body, key) {
  const url = `${GATEWAY_URL}/api/v1${path}`;
  let res;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${accessToken}`,
        'content-type': 'application/json',
        'idempotency-key': key.replace(/[^\x21-\x7e]/g, '-'),
      },
      body: JSON.stringify(body),
    });
  } catch (err) {
    fail(`cannot reach the gateway at ${url}: ${err.cause?.message ?? err.message}`);
  }
  const text = await res.text();
  // 409: it exists; a replay of our own earlier request: it was created before.
  if (res.status === 409 || res.headers.get('idempotent-replayed') === 'true') return null;
  if (!res.ok) fail(`POST ${path} failed: HTTP ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

// Approval policies first, so the quotes and deals seeded below already meet them.
const APPROVAL_POLICIES = [
  {
    name: 'Quotes over 20% discount',
    subjectType: 'quote',
    condition: 'discountPercent > 20',
    steps: [
      {
        name: 'Sales manager or approver',
        requesterManager: true,
        roles: ['approver'],
        timeLimitMinutes: 1440,
        escalateTo: 'next-level',
      },
    ],
  },
  {
    name: 'Deals of 1,000,000 or more closing won',
    subjectType: 'opportunity-close',
    // Money is in minor units: 1,000,000.00.
    condition: 'amountMinor >= 100000000',
    steps: [
      {
        name: 'Sales manager or approver',
        requesterManager: true,
        roles: ['approver'],
        timeLimitMinutes: 1440,
        escalateTo: 'next-level',
      },
    ],
  },
  {
    // Every recorded receipt is confirmed by finance (the realm role approver: the finance approver).
    name: 'Payments received, confirmed by finance',
    subjectType: 'payment',
    condition: 'amountMinor > 0',
    steps: [{ name: 'Finance', roles: ['approver'], timeLimitMinutes: 2880, escalateTo: 'next-level' }],
  },
];
{
  const adminToken = await token('admin');
  const res = await fetch(`${GATEWAY_URL}/api/v1/approval-policies`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  if (!res.ok) fail(`listing approval policies failed: HTTP ${res.status}`);
  const names = new Set((await res.json()).items.map((p) => p.name));
  let policies = 0;
  for (const policy of APPROVAL_POLICIES.filter((p) => !names.has(p.name))) {
    await post(adminToken, '/approval-policies', policy, `seed-approval-policy-${policy.subjectType}`);
    policies += 1;
  }
  console.log(`[seed] approval policies: ${policies} created`);
}

let created = 0;
let existing = 0;
for (const [user, leads] of Object.entries(LEADS)) {
  const accessToken = await token(user);
  for (const lead of leads) {
    if ((await createLead(accessToken, lead)) === 'created') created += 1;
    else existing += 1;
  }
}
console.log(`[seed] demo leads: ${created} created, ${existing} already present`);

/** Service tickets for the support console, opened by the demo agent for each new account. */
const TICKETS = [
  {
    subject: 'Cannot log in to the customer portal',
    description: 'Since this morning the single sign-on page loops back to the login form.',
    channel: 'email',
    priority: 'high',
    category: 'access',
  },
  {
    subject: 'Invoice lists 12 seats, we have 10',
    description: 'The March invoice charges two seats we cancelled in February.',
    channel: 'phone',
    priority: 'normal',
    category: 'billing',
    reply: 'Thank you, we are checking the seat history with billing.',
  },
];

/** GET as the user; the parsed body. */
async function get(accessToken, path) {
  const res = await fetch(`${GATEWAY_URL}/api/v1${path}`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  if (!res.ok) fail(`GET ${path} failed: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res.json();
}

/** The user id (Keycloak sub) a token was issued to. */
const subjectOf = (accessToken) =>
  JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8')).sub;

/**
 * Makes the user a member of the queue record (as a support manager), so the tickets routed there are
 * handed to them and the console shows them as the user's own. Already a member: nothing changes.
 */
async function joinQueue(managerToken, key, userId) {
  const url = `${GATEWAY_URL}/api/v1/queues/${key}`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${managerToken}` } });
  if (!res.ok) fail(`GET /queues/${key} failed: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  const queue = await res.json();
  if (queue.members.some((m) => m.userId === userId)) return;
  const { name, members, seniorQueue, managerId, assignmentMethod, active } = queue;
  const put = await fetch(url, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${managerToken}`,
      'content-type': 'application/json',
      'if-match': res.headers.get('etag') ?? '*',
    },
    body: JSON.stringify({
      name,
      members: [...members, { userId }],
      seniorQueue,
      managerId,
      assignmentMethod,
      active,
    }),
  });
  if (!put.ok) fail(`PUT /queues/${key} failed: HTTP ${put.status} ${(await put.text()).slice(0, 300)}`);
  console.log(`[seed] ${key} queue: the demo agent is a member`);
}

const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

// The product catalogue: a code is taken once (409), so a re-run finds the products by code.
const PRODUCTS = [
  {
    code: 'CRM-SEAT',
    name: 'CRM Enterprise seat',
    unit: 'seat/year',
    listPrices: [
      { currency: 'EUR', amountMinor: 480_00 },
      { currency: 'USD', amountMinor: 520_00 },
      { currency: 'CNY', amountMinor: 3_600_00 },
    ],
  },
  {
    code: 'IMPL-DAY',
    name: '实施服务 人天（现场）',
    unit: 'day',
    description: 'Implementation services, one consultant on site for a day',
    listPrices: [
      { currency: 'EUR', amountMinor: 1_200_00 },
      { currency: 'USD', amountMinor: 1_300_00 },
      { currency: 'CNY', amountMinor: 8_000_00 },
    ],
  },
  {
    code: 'SUPPORT-PREMIUM',
    name: 'Premium support (24/7)',
    unit: 'year',
    listPrices: [
      { currency: 'EUR', amountMinor: 25_000_00 },
      { currency: 'USD', amountMinor: 27_000_00 },
    ],
  },
];

// A second pipeline next to the built-in "New business" one.
const RENEWAL_PIPELINE = {
  name: 'Renewal',
  stages: [
    { key: 'renewal-review', name: 'Usage review', winProbability: 50, forecastCategory: 'pipeline' },
    { key: 'renewal-offer', name: 'Renewal offer', winProbability: 70, forecastCategory: 'best-case' },
    { key: 'renewal-commit', name: 'Verbal commit', winProbability: 90, forecastCategory: 'commit' },
    { key: 'renewed', name: 'Renewed', winProbability: 100, forecastCategory: 'closed', outcome: 'won' },
    { key: 'churned', name: 'Churned', winProbability: 0, forecastCategory: 'closed', outcome: 'lost' },
  ],
};

/**
 * Deals of each seeded account (made with the account, so only once): moved stage by stage to where
 * they stand, each with its decision-maker named so it may leave needs-analysis. One has a quote with
 * 25% discount submitted, which the quote policy above sends to the approver's inbox.
 */
const DEALS = {
  'Nordwind Logistics GmbH': [
    {
      deal: {
        name: 'Nordwind fleet CRM rollout',
        amountMinor: 1_150_000_00,
        currency: 'EUR',
        expectedCloseDate: day(75),
        nextStep: 'Solution workshop with the IT team',
      },
      decisionMaker: 'Weber',
      stages: ['needs-analysis', 'solution', 'proposal'],
      quote: {
        lines: [
          { code: 'CRM-SEAT', quantity: 250, discountPercent: 25 },
          { code: 'IMPL-DAY', quantity: 40, discountPercent: 25 },
        ],
        taxRatePercent: 19,
        validUntil: day(30),
        note: 'Introductory discount for a three-year commitment',
      },
    },
    {
      deal: {
        name: 'Nordwind support renewal',
        amountMinor: 25_000_00,
        currency: 'EUR',
        expectedCloseDate: day(40),
      },
      pipeline: 'Renewal',
      stages: ['renewal-offer'],
    },
  ],
  'Pacific Dental Partners': [
    {
      deal: {
        name: 'Pacific Dental practice suite',
        amountMinor: 85_000_00,
        currency: 'USD',
        expectedCloseDate: day(45),
        nextStep: 'Demo for the COO',
      },
      decisionMaker: 'Kim',
      stages: ['needs-analysis'],
    },
    {
      deal: { name: 'Pacific Dental analytics add-on', amountMinor: 12_000_00, currency: 'USD' },
      stages: [],
    },
  ],
};

let productIds = new Map();
let pipelineIds = new Map();
{
  const adminToken = await token('admin');
  for (const product of PRODUCTS)
    await post(adminToken, '/products', product, `seed-product-${product.code}`);
  productIds = new Map((await get(adminToken, '/products')).items.map((p) => [p.code, p.id]));
  let pipelines = (await get(adminToken, '/pipelines')).items;
  if (!pipelines.some((p) => p.name === RENEWAL_PIPELINE.name)) {
    await post(adminToken, '/pipelines', RENEWAL_PIPELINE, 'seed-pipeline-renewal');
    pipelines = (await get(adminToken, '/pipelines')).items;
  }
  pipelineIds = new Map(pipelines.map((p) => [p.name, p.id]));
  console.log(
    `[seed] products: ${productIds.size} in the catalogue; pipelines: ${[...pipelineIds.keys()].join(', ')}`,
  );
}

/** The deals of a new account, moved to their stages; returns how many deals and quotes were made. */
async function seedDeals(accessToken, accountId, contactIds, list) {
  let made = 0;
  let quotes = 0;
  for (const { deal, decisionMaker, pipeline, stages, quote } of list) {
    const d = await post(
      accessToken,
      '/opportunities',
      {
        ...deal,
        accountId,
        ...(pipeline ? { pipelineId: pipelineIds.get(pipeline) } : {}),
        ...(decisionMaker && contactIds[decisionMaker]
          ? { decisionMakerContactId: contactIds[decisionMaker] }
          : {}),
      },
      `seed-deal-${accountId}-${deal.name}`,
    );
    if (!d) continue;
    made += 1;
    for (const stageKey of stages)
      await post(accessToken, `/opportunities/${d.id}/stage`, { stageKey }, `seed-stage-${d.id}-${stageKey}`);
    if (!quote) continue;
    const lines = quote.lines.map(({ code, ...line }) => ({ productId: productIds.get(code), ...line }));
    const q = await post(
      accessToken,
      `/opportunities/${d.id}/quotes`,
      { ...quote, lines },
      `seed-quote-${d.id}`,
    );
    if (!q) continue;
    // 25% discount: pending approval (202) under the quote policy seeded above.
    await post(accessToken, `/opportunities/${d.id}/quotes/${q.id}/submit`, {}, `seed-quote-submit-${q.id}`);
    quotes += 1;
  }
  return { made, quotes };
}

let accounts = 0;
let tickets = 0;
let deals = 0;
let pendingQuotes = 0;
const agentToken = await token('agent');
await joinQueue(await token('supportlead'), 'support', subjectOf(agentToken));
for (const [user, list] of Object.entries(ACCOUNTS)) {
  const accessToken = await token(user);
  for (const { account, contacts, visit } of list) {
    const a = await post(accessToken, '/accounts', account, `seed-account-${account.name}`);
    if (!a) continue; // seeded before
    accounts += 1;
    const contactIds = {};
    for (const c of contacts) {
      const made = await post(
        accessToken,
        `/accounts/${a.id}/contacts`,
        c,
        `seed-contact-${a.id}-${c.lastName}`,
      );
      if (made) contactIds[c.lastName] = made.id;
    }
    const seeded = await seedDeals(accessToken, a.id, contactIds, DEALS[account.name] ?? []);
    deals += seeded.made;
    pendingQuotes += seeded.quotes;
    await post(
      accessToken,
      '/activities',
      { type: 'visit', relatedTo: { type: 'account', id: a.id }, ...visit },
      `seed-visit-${a.id}`,
    );
    for (const { reply, ...ticket } of TICKETS) {
      const t = await post(
        agentToken,
        '/tickets',
        { accountId: a.id, ...ticket },
        `seed-ticket-${a.id}-${ticket.category}`,
      );
      if (!t) continue;
      tickets += 1;
      if (reply)
        await post(
          agentToken,
          `/tickets/${t.id}/comments`,
          { visibility: 'public', body: reply },
          `seed-reply-${t.id}`,
        );
    }
  }
}
console.log(
  `[seed] demo accounts: ${accounts} created with their contacts and a visit; ${tickets} service tickets`,
);
console.log(`[seed] deals: ${deals} created in their stages; ${pendingQuotes} quote waiting for approval`);
