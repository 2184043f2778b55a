// `npm run db:deploy`: brings the database of DATABASE_URL up to date (see lib/migrate.ts).
import { databaseUrl } from "../lib/database-url";
import { dbKind } from "../lib/db-client";
import { migrate } from "../lib/migrate";

migrate(databaseUrl())
  .then((applied) => console.log(`database ready (${dbKind()})${applied.length ? `: applied ${applied.join(", ")}` : ""}`))
  .catch((error) => {
    console.error(`db-setup: ${error.message}`);
    process.exit(1);
  });
