// SQLite through one better-sqlite3 connection per client. Prisma's adapter serializes transactions
// with each other, but a plain query issued while another request's transaction is open runs on the
// same connection, inside that transaction: it sees uncommitted rows and is rolled back with it. This
// wrapper makes every plain query wait for the open transaction to finish, so concurrent requests (and
// the in-process worker) are isolated from each other.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, Transaction } from "@prisma/driver-adapter-utils";

class Mutex {
  private tail: Promise<void> = Promise.resolve();

  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return acquired;
  }
}

function guardTransaction(tx: Transaction, release: () => void): Transaction {
  let released = false;
  const once = () => {
    if (!released) {
      released = true;
      release();
    }
  };
  return new Proxy(tx, {
    get(target, prop) {
      if (prop === "commit" || prop === "rollback") {
        return async () => {
          try {
            return await target[prop]();
          } finally {
            once();
          }
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function serialize(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const mutex = new Mutex();
  return new Proxy(adapter, {
    get(target, prop) {
      if (prop === "queryRaw" || prop === "executeRaw") {
        return async (query: Parameters<SqlDriverAdapter["queryRaw"]>[0]) => {
          const release = await mutex.lock();
          try {
            return await (target[prop] as (q: typeof query) => Promise<unknown>)(query);
          } finally {
            release();
          }
        };
      }
      if (prop === "startTransaction") {
        return async (isolationLevel?: Parameters<SqlDriverAdapter["startTransaction"]>[0]) => {
          const release = await mutex.lock();
          try {
            return guardTransaction(await target.startTransaction(isolationLevel), release);
          } catch (error) {
            release();
            throw error;
          }
        };
      }
      // SQLite since 3.32 binds up to 32,766 values (Prisma assumes 999): a unit of work of 1,000
      // objects on 5 servers reads its 5,000 operations by id in one query, as on PostgreSQL.
      if (prop === "getConnectionInfo") {
        return () => ({ supportsRelationJoins: false, ...target.getConnectionInfo?.(), maxBindValues: SQLITE_MAX_BIND_VALUES });
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const SQLITE_MAX_BIND_VALUES = 32_766;

/**
 * Transactions take the write lock when they begin (BEGIN IMMEDIATE), waiting up to the busy timeout
 * for another process (worker, CLI) to finish its write. A deferred BEGIN that reads first and writes
 * later fails at once with SQLITE_BUSY_SNAPSHOT when another process wrote meanwhile: the busy timeout
 * cannot help it, and a save in the admin failed while a worker was writing.
 */
function beginImmediate(adapter: SqlDriverAdapter) {
  const client = (adapter as unknown as { client?: { prepare(sql: string): unknown } }).client;
  if (!client || typeof client.prepare !== "function") throw new Error("unexpected SQLite adapter: cannot make transactions immediate");
  const prepare = client.prepare.bind(client);
  client.prepare = (sql: string) => prepare(sql === "BEGIN" ? "BEGIN IMMEDIATE" : sql);
}

export class SerializedSQLite implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "sqlite" as const;
  readonly adapterName: string;
  private readonly inner: PrismaBetterSQLite3;

  constructor(...args: ConstructorParameters<typeof PrismaBetterSQLite3>) {
    this.inner = new PrismaBetterSQLite3(...args);
    this.adapterName = this.inner.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    const adapter = await this.inner.connect();
    beginImmediate(adapter);
    return serialize(adapter);
  }

  connectToShadowDb(): Promise<SqlDriverAdapter> {
    return this.inner.connectToShadowDb();
  }
}
