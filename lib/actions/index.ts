import "server-only";
import { randomUUID } from "node:crypto";
import { cookies } from "next/headers";
import { revalidatePath } from "next/cache";
import { redirect, unstable_rethrow } from "next/navigation";
import { db } from "../db";
import { engine } from "../orchestra";
import { orchestrate, runUnitOfWork, type TxDb } from "../orchestration";
import { currentUser } from "../session";
import { auditing, type AuditSettings } from "../audit";
import { createActionWrapper } from "./wrapper";
import { encodeFlash, flashCookie, withFlashId } from "./flash";

export type ActionDb = TxDb;

// What the audit trail needs to know about service models, from the backends that declare them.
const auditSettings: AuditSettings = {
  include: (model) => engine.registry.includeFor(model),
  secretFields: (model) => engine.registry.forModel(model).flatMap((b) => b.secretFields ?? []),
};

/** `action({ role, schema }, handler)`: the only way this app defines a server action. */
export const action = createActionWrapper<{ db: ActionDb }>({
  getUser: currentUser,
  // The handler's writes and their operations commit together; then the synchronous operations run
  // before the action returns, so the admin sees what happened on each server.
  async unitOfWork(user, fn) {
    // Every write of the handler is audited in the unit's transaction: no change without its record.
    const unit = await orchestrate(engine, (tx) => fn({ db: auditing(tx, user, auditSettings) }));
    const reports = await runUnitOfWork(engine, unit, { userId: user.id });
    const runs = reports.map(({ logId, server, backend, state, operations }) => ({ logId, server, backend, state, operations }));
    return { result: unit.result, runs };
  },
  // Outside a unit of work each audited write gets its own transaction with its audit row.
  direct: (user, fn) => fn({ db: auditing(db, user, { ...auditSettings, transaction: (write) => db.$transaction((tx) => write(tx)) }) }),
  rethrow: unstable_rethrow,
  async redirect(path, state) {
    // The page we land on shows what happened (message and script runs), that one navigation only:
    // the flash's id in the URL picks its cookie (lib/actions/flash.ts).
    const id = randomUUID().replaceAll("-", "").slice(0, 16);
    const jar = await cookies();
    jar.set(flashCookie(id), encodeFlash(state), { sameSite: "lax", path: "/", maxAge: 60 });
    revalidatePath("/", "layout");
    redirect(withFlashId(path, id));
  },
  logError(ref, error) {
    console.error(`[action ${ref}]`, error);
  },
});
