import "server-only";
import { randomUUID } from "node:crypto";
import { cookies } from "next/headers";
import { revalidatePath } from "next/cache";
import { redirect, unstable_rethrow } from "next/navigation";
import type { TxDb } from "../orchestration";
import { currentUser } from "../session";
import { audited, inUnitOfWork } from "../unit";
import { createActionWrapper } from "./wrapper";
import { encodeFlash, flashCookie, withFlashId } from "./flash";

export type ActionDb = TxDb;

/** `action({ role, schema }, handler)`: the only way this app defines a server action. */
export const { action, directAction } = createActionWrapper<{ db: ActionDb }>({
  getUser: currentUser,
  // The handler's writes and their operations commit together; then the synchronous operations run
  // before the action returns, so the admin sees what happened on each server.
  unitOfWork: inUnitOfWork,
  direct: audited,
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
