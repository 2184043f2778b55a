import "server-only";
import { cookies } from "next/headers";
import { revalidatePath } from "next/cache";
import { redirect, unstable_rethrow } from "next/navigation";
import { db, type Db } from "../db";
import { currentUser } from "../session";
import { createActionWrapper } from "./wrapper";
import { FLASH_COOKIE, encodeFlash } from "./flash";

export type ActionDb = Omit<Db, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

/** `action({ role, schema }, handler)`: the only way this app defines a server action. */
export const action = createActionWrapper<{ db: ActionDb }>({
  getUser: currentUser,
  async unitOfWork(_user, fn) {
    const result = await db.$transaction((tx) => fn({ db: tx }), { timeout: 30_000 });
    return { result, runs: [] };
  },
  rethrow: unstable_rethrow,
  async redirect(path, state) {
    // The page we land on shows what happened (message and script runs) once.
    const jar = await cookies();
    jar.set(FLASH_COOKIE, encodeFlash(state), { sameSite: "lax", path: "/", maxAge: 60 });
    revalidatePath("/", "layout");
    redirect(path);
  },
  logError(ref, error) {
    console.error(`[action ${ref}]`, error);
  },
});
