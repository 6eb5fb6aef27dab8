import mongoose, { type Connection } from 'mongoose';

// The stack's database answers a lookup by `_id` or by an indexed field from an index, not by reading
// the collection. On FerretDB that takes the GIN twins ferretdb-lookups.sql adds (its own btree
// indexes cannot answer the containment it sends to PostgreSQL); on MongoDB it is the index itself.
describe('lookups on the local stack database', () => {
  let db: Connection;

  beforeAll(async () => {
    db = await mongoose
      .createConnection(process.env.MONGODB_URI!, { dbName: 'crm_test_lookups' })
      .asPromise();
    await db.dropDatabase();
    const people = db.collection('people');
    await people.createIndex({ email: 1 });
    await people.createIndex({ ownerId: 1, status: 1 });
    // Enough rows that reading them all is never the cheaper plan.
    await people.insertMany(
      Array.from({ length: 2000 }, (_, i) => ({
        _id: `p${i}` as never,
        email: `p${i}@example.com`,
        ownerId: `u${i % 50}`,
        status: i % 2 ? 'open' : 'won',
      })),
    );
  }, 60_000);

  afterAll(async () => {
    await db?.dropDatabase();
    await db?.close();
  });

  const planOf = async (filter: Record<string, unknown>) =>
    JSON.stringify(await db.collection('people').find(filter).explain());

  it.each([
    ['_id', { _id: 'p1234' }],
    ['an indexed field', { email: 'p1234@example.com' }],
    ['the first field of a compound index', { ownerId: 'u7' }],
  ])('finds by %s through an index', async (_what, filter) => {
    const plan = await planOf(filter);
    if (plan.includes('ferretdbVersion')) {
      expect(plan).toMatch(/"Index Name":"[^"]+_eq"/);
      expect(plan).not.toContain('Seq Scan');
    } else {
      expect(plan).toMatch(/IXSCAN|IDHACK|EXPRESS_IXSCAN|EXPRESS_CLUSTERED_IXSCAN/);
    }
    expect(await db.collection('people').countDocuments(filter)).toBe(filter.email || filter._id ? 1 : 40);
  });
});
