import { beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { createActionWrapper, type ActionUser, type WrapperDeps } from "../lib/actions/wrapper";
import { UserError, initialState, type ActionState, type RunReport } from "../lib/actions/state";
import { findOrFail } from "../lib/actions/find-or-fail";
import { serverSchema } from "../lib/schemas/server";
import { resetDb, testDb } from "./db";

const db = testDb();
const admin: ActionUser = { id: 1, email: "a@x.test", name: "A", role: "admin" };
const viewer: ActionUser = { ...admin, role: "viewer" };

function wrapperFor(user: ActionUser | null, unitRuns: RunReport[] = []) {
  const redirect = vi.fn(async (path: string, state: ActionState): Promise<never> => {
    throw Object.assign(new Error("REDIRECT"), { path, state });
  });
  const logError = vi.fn();
  const deps: WrapperDeps<{ db: typeof db }> = {
    getUser: async () => user,
    async unitOfWork(_user, fn) {
      const result = await db.$transaction((tx) => fn({ db: tx as unknown as typeof db }));
      return { result, runs: unitRuns };
    },
    direct: (_user, fn) => fn({ db }),
    rethrow: (e) => {
      if (e instanceof Error && e.message === "REDIRECT") throw e;
    },
    redirect,
    logError,
  };
  const unitOfWork = vi.spyOn(deps, "unitOfWork");
  const direct = vi.spyOn(deps, "direct");
  const { action, directAction } = createActionWrapper(deps);
  return { action, directAction, unitOfWork, direct, redirect, logError };
}

function form(fields: Record<string, string>) {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  return data;
}

const goodServer = { name: "web1", address: "127.0.0.2", port: "22", sshUser: "root", os: "debian", description: "", variables: "" };

describe("action wrapper", () => {
  beforeEach(() => resetDb());

  it.each(["action", "directAction"] as const)("%s refuses a request without a session and runs nothing", async (client) => {
    const handler = vi.fn();
    const wrapper = wrapperFor(null);
    const state = await wrapper[client]({ role: "viewer", schema: z.object({}) }, handler)(initialState, form({}));
    expect(state.ok).toBe(false);
    expect(state.message).toMatch(/sign in/i);
    expect(handler).not.toHaveBeenCalled();
    expect(wrapper.unitOfWork).not.toHaveBeenCalled();
    expect(wrapper.direct).not.toHaveBeenCalled();
  });

  it.each(["action", "directAction"] as const)("%s refuses a role below the one required", async (client) => {
    const handler = vi.fn();
    const wrapper = wrapperFor(viewer);
    const state = await wrapper[client]({ role: "admin", schema: serverSchema }, handler)(initialState, form(goodServer));
    expect(state.ok).toBe(false);
    expect(state.message).toMatch(/admin role/);
    expect(handler).not.toHaveBeenCalled();
  });

  it("returns field errors and echoes the form without secret fields", async () => {
    const { action } = wrapperFor(admin);
    const schema = serverSchema.extend({ password: z.string().min(10) });
    const run = action({ role: "admin", schema, secretFields: ["password"] }, async () => {});
    const state = await run(initialState, form({ ...goodServer, address: "not a host!", port: "70000", password: "short" }));
    expect(state.ok).toBe(false);
    expect(Object.keys(state.fieldErrors ?? {}).sort()).toEqual(["address", "password", "port"]);
    expect(state.values?.address).toBe("not a host!");
    expect(state.values).not.toHaveProperty("password");
  });

  it("commits the handler's writes and redirects with the outcome", async () => {
    const { action, redirect } = wrapperFor(admin);
    const run = action({ role: "admin", schema: serverSchema }, async (input, { db }) => {
      const s = await db.server.create({ data: input });
      return { message: `added ${s.name}`, redirectTo: `/servers/${s.id}` };
    });
    await expect(run(initialState, form(goodServer))).rejects.toThrow("REDIRECT");
    const saved = await db.server.findUniqueOrThrow({ where: { name: "web1" } });
    expect(redirect).toHaveBeenCalledWith(`/servers/${saved.id}`, expect.objectContaining({ ok: true, message: "added web1" }));
  });

  it("rolls everything back and hides the details of an unexpected error", async () => {
    const { action, logError } = wrapperFor(admin);
    const run = action({ role: "admin", schema: serverSchema }, async (input, { db }) => {
      await db.server.create({ data: input });
      throw new Error("secret internals: /etc/shadow");
    });
    const state = await run(initialState, form(goodServer));
    expect(state.ok).toBe(false);
    expect(state.message).toMatch(/reference [0-9a-f]{8}/);
    expect(state.message).not.toContain("secret");
    expect(logError).toHaveBeenCalledOnce();
    expect(await db.server.count()).toBe(0);
  });

  it("shows a UserError next to its field", async () => {
    const { action } = wrapperFor(admin);
    const run = action({ role: "admin", schema: serverSchema }, async () => {
      throw new UserError("Reserved name.", "name");
    });
    const state = await run(initialState, form(goodServer));
    expect(state.fieldErrors).toEqual({ name: ["Reserved name."] });
  });

  it("turns a unique-constraint violation into a field error", async () => {
    await db.server.create({ data: { name: "web1", address: "127.0.0.9" } });
    const { action } = wrapperFor(admin);
    const run = action({ role: "admin", schema: serverSchema }, async (input, { db }) => {
      await db.server.create({ data: input });
    });
    const state = await run(initialState, form(goodServer));
    expect(state.fieldErrors).toEqual({ name: ["This value is already taken."] });
    expect(await db.server.count()).toBe(1);
  });

  it("action runs the handler in the unit of work and reports the runs it caused", async () => {
    const failed: RunReport = { logId: 7, server: "web1", backend: "system-users", state: "FAILURE", operations: ["save u1"] };
    const { action, unitOfWork, direct } = wrapperFor(admin, [failed]);
    const state = await action({ role: "admin", schema: serverSchema }, async (input, { db }) => {
      await db.server.create({ data: input });
      return { message: "added" };
    })(initialState, form(goodServer));
    expect(unitOfWork).toHaveBeenCalledOnce();
    expect(direct).not.toHaveBeenCalled();
    expect(state).toMatchObject({ ok: false, message: "added But 1 of 1 script run(s) did not succeed.", runs: [failed] });
  });

  it("directAction runs the handler outside a unit of work: a write before a failure stays", async () => {
    const { directAction, unitOfWork, direct } = wrapperFor(admin);
    const state = await directAction({ role: "admin", schema: serverSchema }, async (input, { db }) => {
      await db.server.create({ data: input });
      throw new UserError("The probe failed.");
    })(initialState, form(goodServer));
    expect(direct).toHaveBeenCalledOnce();
    expect(unitOfWork).not.toHaveBeenCalled();
    expect(state).toMatchObject({ ok: false, message: "The probe failed." });
    expect(await db.server.count()).toBe(1);
  });

  it("directAction passes on the runs its handler reports and redirects like action", async () => {
    const retried: RunReport = { logId: 8, server: "web1", backend: "system-users", state: "SUCCESS", operations: ["save u1"] };
    const { directAction, redirect } = wrapperFor(admin);
    const run = directAction({ role: "viewer", schema: z.object({ id: z.coerce.number() }) }, async ({ id }) => ({ message: `Retry of log #${id}: SUCCESS.`, redirectTo: "/logs/8", runs: [retried] }));
    await expect(run(initialState, form({ id: "3" }))).rejects.toThrow("REDIRECT");
    expect(redirect).toHaveBeenCalledWith("/logs/8", { ok: true, message: "Retry of log #3: SUCCESS.", runs: [retried] });
  });

  it("findOrFail: a row deleted since the page was shown becomes the user's message, next to its field if given", async () => {
    const { action } = wrapperFor(admin);
    const schema = z.object({ id: z.coerce.number() });
    const missing = action({ role: "admin", schema }, async ({ id }, { db }) => {
      await findOrFail(db.server.findUnique({ where: { id } }), "This server no longer exists.");
    });
    expect(await missing(initialState, form({ id: "404" }))).toMatchObject({ ok: false, message: "This server no longer exists." });
    const field = action({ role: "admin", schema }, async ({ id }, { db }) => {
      await findOrFail(db.server.findUnique({ where: { id } }), "This server no longer exists.", "serverId");
    });
    expect((await field(initialState, form({ id: "404" }))).fieldErrors).toEqual({ serverId: ["This server no longer exists."] });
    const server = await db.server.create({ data: { name: "here", address: "127.0.0.3" } });
    expect(await findOrFail(db.server.findUnique({ where: { id: server.id } }), "gone")).toMatchObject({ name: "here" });
  });
});
