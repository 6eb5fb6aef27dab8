import { opportunity as pb } from '@crm/proto';
import type { DirectoryUser } from '../src/users/directory';
import { json, jsonHeaders, startApp, type Harness } from './helpers';

const deal = (members: { userId: string; role: string }[]) =>
  pb.Opportunity.fromPartial({
    id: 'O1',
    version: '2',
    name: 'ACME ERP',
    accountId: 'A1',
    teamMembers: members,
  });

const user = (id: string, enabled = true): DirectoryUser => ({
  id,
  username: id,
  firstName: null,
  lastName: null,
  email: null,
  enabled,
  roles: ['sales-rep'],
  teams: [],
});

let h: Harness;
let opportunity: { getOpportunity: jest.Mock; setDealTeam: jest.Mock };
const start = async (users: DirectoryUser[]) => {
  opportunity = {
    getOpportunity: jest.fn(async () => deal([{ userId: 'u-left', role: 'finance' }])),
    setDealTeam: jest.fn(async (req: { members: { userId: string; role: string }[] }) => deal(req.members)),
  };
  h = await startApp({ opportunity, users });
};
afterEach(async () => {
  await h.close();
});

const putTeam = (members: { userId: string; role: string }[]) =>
  fetch(`${h.url}/api/v1/opportunities/O1/team`, {
    method: 'PUT',
    headers: jsonHeaders('rep', { 'if-match': '"2"' }),
    body: JSON.stringify({ members }),
  });

describe('joining a deal team', () => {
  it('takes users of the directory; a member already on the team is not checked again', async () => {
    await start([user('u-presales')]);
    const res = await putTeam([
      { userId: 'u-left', role: 'finance' },
      { userId: 'u-presales', role: 'presales' },
    ]);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ members: [{ userId: 'u-left' }, { userId: 'u-presales' }] });
  });

  it('refuses an unknown or disabled user with a 400 naming the member, before asking the service', async () => {
    await start([user('u-presales'), user('u-gone', false)]);
    const res = await putTeam([
      { userId: 'u-presales', role: 'presales' },
      { userId: 'u-typo', role: 'finance' },
      { userId: 'u-gone', role: 'implementation' },
    ]);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await json(res)).errors).toEqual([
      { field: 'members[1].userId', message: 'is not a user who can sign in' },
      { field: 'members[2].userId', message: 'is not a user who can sign in' },
    ]);
    expect(opportunity.setDealTeam).not.toHaveBeenCalled();
  });
});
