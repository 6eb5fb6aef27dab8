#!/usr/bin/env node
// Seeds approval policies, demo leads, and accounts with their contacts and a logged visit, into a
// running local stack through the public API (run by `npm start` once).
//
//   GATEWAY_URL=http://127.0.0.1:8080 KEYCLOAK_URL=http://127.0.0.1:8180 node deploy/local/seed.mjs
//
// Tokens come from Keycloak's password grant (public client crm-cli, demo users rep1, rep2 and agent,
// password crm-demo). A 409 (the lead exists) counts as already seeded. Plain Node 20, no deps.

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
      { name: 'Sales manager', requesterManager: true, timeLimitMinutes: 1440, escalateTo: 'next-level' },
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

let accounts = 0;
let tickets = 0;
const agentToken = await token('agent');
for (const [user, list] of Object.entries(ACCOUNTS)) {
  const accessToken = await token(user);
  for (const { account, contacts, visit } of list) {
    const a = await post(accessToken, '/accounts', account, `seed-account-${account.name}`);
    if (!a) continue; // seeded before
    accounts += 1;
    for (const c of contacts)
      await post(accessToken, `/accounts/${a.id}/contacts`, c, `seed-contact-${a.id}-${c.lastName}`);
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
