// Notifications reach real receivers: an SMTP server (smtp-server on 127.0.0.1:2465, with a password)
// and an HTTP receiver (127.0.0.1:2480) that checks the HMAC signature itself. A final failure run by
// the worker e-mails and posts; a failed delivery is retried by the worker; secrets never appear in
// rows or output. A server that cannot be reached is said once per outage, and a scheduled drift check
// on a real sshd host that finds a hand edit posts a drift notification.
import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendRegistry, type Backend } from "../lib/orchestration/backend";
import { runUnitOfWork } from "../lib/orchestration/dispatcher";
import { Engine } from "../lib/orchestration/engine";
import { SshExecutor } from "../lib/orchestration/executors/ssh";
import { attemptDelivery } from "../lib/orchestration/notifications/deliveries";
import { verifyWebhook } from "../lib/orchestration/notifications/webhook";
import { raise } from "../lib/orchestration/notify";
import { newOwner } from "../lib/orchestration/outbox";
import { runScheduleNow } from "../lib/orchestration/schedules/fire";
import { raw } from "../lib/orchestration/shell";
import { orchestrate } from "../lib/orchestration/unit-of-work";
import { Worker } from "../lib/orchestration/worker";
import { createRegistry } from "../lib/services/registry";
import { resetDb, testDb } from "./db";
import { clientKey, closedPort, startSshHost, type SshHost } from "./support/ssh-host";

const db = testDb();
const SMTP_PASSWORD = "smtp-pa55-Zq8v";
const HOOK_SECRET = "hook-s3cret-Kx41";
const keyDir = path.join(os.tmpdir(), "orchestra-test-keys");

type Mail = { from: string; to: string[]; user: string; raw: string };
const mails: Mail[] = [];
type Hook = { headers: http.IncomingHttpHeaders; body: string };
const hooks: Hook[] = [];
/** Status codes the receiver answers with, in turn (then 200). */
let answers: number[] = [];

let smtp: SMTPServer;
let receiver: http.Server;

beforeAll(async () => {
  smtp = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true, // loopback only; the channel's "none" security
    authMethods: ["PLAIN", "LOGIN"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "orchestra" && auth.password === SMTP_PASSWORD) return callback(null, { user: auth.username });
      return callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      let text = "";
      stream.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      stream.on("end", () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), user: String(session.user), raw: text });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => smtp.listen(2465, "127.0.0.1", () => resolve()).once("error", reject));
  receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      hooks.push({ headers: req.headers, body });
      res.statusCode = answers.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => receiver.listen(2480, "127.0.0.1", () => resolve()).once("error", reject));
});

afterAll(async () => {
  await new Promise<void>((r) => smtp?.close(() => r()));
  await new Promise<void>((r) => receiver?.close(() => r()));
});

beforeEach(async () => {
  await resetDb();
  mails.length = 0;
  hooks.length = 0;
  answers = [];
});

const mailChannel = (password = SMTP_PASSWORD, events = ["final-failure"]) =>
  db.notificationChannel.create({
    data: { name: `mail-${password.length}-${events.join("")}`, kind: "email", events, secret: password, settings: { host: "127.0.0.1", port: 2465, security: "none", username: "orchestra", from: "orchestra@example.test", to: ["ops@example.test", "oncall@example.test"] } },
  });
const hookChannel = (name: string, events: string[], active = true) =>
  db.notificationChannel.create({ data: { name, kind: "webhook", events, active, secret: HOOK_SECRET, settings: { url: "http://127.0.0.1:2480/orchestra" } } });

/** What the receiver does, written out: HMAC-SHA256 of "<timestamp>.<body>" with the shared secret. */
function signatureOk(hook: Hook): boolean {
  const ts = String(hook.headers["x-orchestra-timestamp"]);
  const expected = `sha256=${createHmac("sha256", HOOK_SECRET).update(`${ts}.${hook.body}`).digest("hex")}`;
  return hook.headers["x-orchestra-signature"] === expected && Math.abs(Date.now() / 1000 - Number(ts)) < 60;
}

describe("notifications", () => {
  const output: string[] = [];
  beforeEach(() => {
    output.length = 0;
    for (const method of ["log", "warn", "error"] as const) vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void output.push(args.map(String).join(" ")));
  });
  afterEach(() => vi.restoreAllMocks());

  it("a final failure is e-mailed over SMTP and posted as a signed webhook; the failed post is retried by the worker", async () => {
    const mail = await mailChannel();
    const hook = await hookChannel("hook", ["final-failure", "drift"]);
    await hookChannel("drift-only", ["drift"]);
    await hookChannel("disabled", ["final-failure"], false);
    const boom: Backend = { name: "boom", title: "boom", model: "SystemUser", actions: ["save"], method: "local", runLocal: async () => { throw new Error("disk full"); } };
    const engine = new Engine({ db, registry: new BackendRegistry([boom]), executor: () => { throw new Error("no SSH here"); } });
    const server = await db.server.create({ data: { name: "n1", address: "127.0.0.61" } });
    await db.route.create({ data: { backend: "boom", serverId: server.id, async: true } });
    await orchestrate(engine, (tx) => tx.systemUser.create({ data: { username: "doomed" } }));
    answers = [500];

    const policy = { retryFailures: true, maxAttempts: 1, backoffMs: 1 };
    // the run fails for good: a notification with a delivery per channel that takes it
    await new Worker(engine, { policy, periodic: false }).tick();
    const worker = new Worker(engine, { policy });
    const notification = await db.notification.findFirstOrThrow();
    expect(notification).toMatchObject({ event: "final-failure", serverId: server.id, title: "boom failed on n1 for doomed after 1 attempt" });
    const deliveries = () => db.notificationDelivery.findMany({ orderBy: { channelId: "asc" } });
    expect((await deliveries()).map((d) => [d.channelId, d.state])).toEqual([[mail.id, "PENDING"], [hook.id, "PENDING"]]);

    await worker.tick(); // sends: the e-mail goes, the receiver answers 500
    let [sentMail, failedHook] = await deliveries();
    expect(sentMail).toMatchObject({ state: "SENT", attempts: 1, lastError: "" });
    expect(failedHook).toMatchObject({ state: "PENDING", attempts: 1, lastError: "the receiver answered HTTP 500" });
    expect(failedHook.runAfter.getTime() - Date.now()).toBeGreaterThan(25_000); // backing off (30 s)
    await worker.tick();
    expect(hooks).toHaveLength(1); // not due yet

    await db.notificationDelivery.update({ where: { id: failedHook.id }, data: { runAfter: new Date() } }); // 30 s later
    await worker.tick();
    [sentMail, failedHook] = await deliveries();
    expect(failedHook).toMatchObject({ state: "SENT", attempts: 2, lastError: "" });

    // the SMTP server got one message, from the channel's account, to both recipients
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ from: "orchestra@example.test", to: ["ops@example.test", "oncall@example.test"], user: "orchestra" });
    expect(mails[0].raw).toMatch(/^Subject: \[Orchestra\] boom failed on n1 for doomed after 1 attempt$/m);
    expect(mails[0].raw).toMatch(/^X-Orchestra-Event: final-failure$/m);
    expect(mails[0].raw).toContain(`Script log #${notification.scriptLogId} ended FAILURE.`);

    // both posts are signed over their timestamp and body, and are the same delivery
    expect(hooks).toHaveLength(2);
    expect(hooks.map(signatureOk)).toEqual([true, true]);
    expect(hooks.map((h) => h.headers["x-orchestra-delivery"])).toEqual([String(failedHook.id), String(failedHook.id)]);
    const payload = JSON.parse(hooks[1].body);
    expect(payload).toMatchObject({ event: "final-failure", title: notification.title, notification: notification.id, scriptLogId: notification.scriptLogId });
    const headers = { signature: String(hooks[1].headers["x-orchestra-signature"]), timestamp: String(hooks[1].headers["x-orchestra-timestamp"]) };
    expect(verifyWebhook(HOOK_SECRET, headers, hooks[1].body)).toBe(true);
    expect(verifyWebhook(HOOK_SECRET, headers, hooks[1].body.replace("final-failure", "drift"))).toBe(false); // tampered
    expect(verifyWebhook("another secret", headers, hooks[1].body)).toBe(false);
    expect(verifyWebhook(HOOK_SECRET, headers, hooks[1].body, Date.now() + 10 * 60_000)).toBe(false); // replayed later

    // secrets stay where they are: not in any other row, not in anything printed
    const rows = JSON.stringify([await db.notification.findMany(), await deliveries(), await db.scriptLog.findMany()]);
    expect(rows).not.toContain(SMTP_PASSWORD);
    expect(rows).not.toContain(HOOK_SECRET);
    expect(output.join("\n")).not.toMatch(new RegExp(`${SMTP_PASSWORD}|${HOOK_SECRET}`));
  });

  it("a refused SMTP login is retried, records the server's answer but never the password, and gives up after the last attempt", async () => {
    const wrong = "not-the-Pa55word";
    const channel = await mailChannel(wrong);
    const engine = new Engine({ db, registry: new BackendRegistry([]), executor: () => { throw new Error("no SSH here"); } });
    await raise(engine, { event: "test", title: "Test message", channelIds: [channel.id] });
    const [delivery] = await db.notificationDelivery.findMany();
    const policy = { maxAttempts: 2, backoffMs: 1, maxBackoffMs: 1, timeoutMs: 5000 };
    expect(await attemptDelivery(engine, delivery.id, newOwner("worker"), policy)).toMatchObject({ state: "PENDING", detail: expect.stringMatching(/Invalid login: 535/) });
    await new Promise((r) => setTimeout(r, 5));
    const last = await attemptDelivery(engine, delivery.id, newOwner("worker"), policy);
    expect(last).toMatchObject({ state: "FAILED" });
    expect(await db.notificationDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({ state: "FAILED", attempts: 2, lastError: expect.stringMatching(/535/) });
    expect(JSON.stringify(await db.notificationDelivery.findMany())).not.toContain(wrong);
    expect(output.join("\n")).not.toContain(wrong);
    expect(mails).toEqual([]);
    expect(await attemptDelivery(engine, delivery.id, newOwner("worker"), policy)).toBeNull(); // final
  });

  it("a server that cannot be reached is notified once per outage", async () => {
    const executor = SshExecutor.fromKeyFile(clientKey(keyDir), { connectTimeoutMs: 2000 });
    try {
      const engine = new Engine({ db, registry: new BackendRegistry([{ name: "ssh-x", title: "x", model: "SystemUser", actions: ["save"], method: "ssh", save: (ctx) => ctx.append(raw("true")) }]), executor: () => executor });
      const server = await db.server.create({ data: { name: "down", address: "127.0.0.4", port: await closedPort("127.0.0.4") } });
      await db.route.create({ data: { backend: "ssh-x", serverId: server.id } });
      const save = async (username: string) => (await runUnitOfWork(engine, await orchestrate(engine, (tx) => tx.systemUser.create({ data: { username } }))))[0].state;
      expect(await save("u1")).toBe("UNREACHABLE");
      expect(await save("u2")).toBe("UNREACHABLE");
      const notes = () => db.notification.findMany({ where: { event: "unreachable" }, orderBy: { id: "asc" } });
      expect((await notes()).map((n) => [n.title, n.serverId])).toEqual([["down could not be reached", server.id]]);
      expect((await notes())[0].body).toMatch(/did not start\. \[orchestra\] cannot reach .*ECONNREFUSED/);
      // the server answered a run in between (it came back), then went away again: a new outage
      await db.scriptLog.create({ data: { backend: "ssh-x", serverId: server.id, state: "SUCCESS" } });
      expect(await save("u3")).toBe("UNREACHABLE");
      expect(await notes()).toHaveLength(2);
    } finally {
      await executor.close();
    }
  });

  describe("on a real sshd host", () => {
    let host: SshHost;
    let executor: SshExecutor;
    beforeAll(async () => {
      const key = clientKey(keyDir);
      host = await startSshHost({ address: "127.0.0.7", port: 22270, clientKeyFile: key });
      executor = SshExecutor.fromKeyFile(key);
    });
    afterAll(async () => {
      await executor?.close();
      await host?.stop();
    });

    it("a scheduled drift check that finds a hand edit posts a drift notification", async () => {
      const engine = new Engine({ db, registry: createRegistry(), executor: () => executor });
      const hook = await hookChannel("drift-hook", ["drift"]);
      await mailChannel(SMTP_PASSWORD, ["final-failure"]); // takes no drift
      const server = await db.server.create({ data: { name: "drifty", address: host.address, port: host.port, variables: { SYSUSER_PREFIX: host.sandbox } } });
      await db.route.create({ data: { backend: "system-users", serverId: server.id, match: 'object.username.startsWith("nt")' } });
      const reports = await runUnitOfWork(engine, await orchestrate(engine, (tx) => tx.systemUser.create({ data: { username: "ntalice" } })));
      expect(reports.map((r) => r.state)).toEqual(["SUCCESS"]);
      const schedule = await db.schedule.create({ data: { name: "nightly drift", kind: "drift-check", cron: "0 2 * * *", params: { server: "drifty" } } });

      expect(await runScheduleNow(engine, schedule.id)).toMatchObject({ state: "SUCCESS", message: "1 pair(s) checked, 0 drifted." });
      expect(await db.notification.count()).toBe(0);

      const passwd = path.join(host.sandbox, "etc/passwd");
      writeFileSync(passwd, readFileSync(passwd, "utf8").replace(/^(ntalice:.*:)\/bin\/bash$/m, "$1/bin/sh"));
      expect(await runScheduleNow(engine, schedule.id)).toMatchObject({ state: "SUCCESS", message: "1 pair(s) checked, 1 drifted." });
      const [note] = await db.notification.findMany();
      expect(note).toMatchObject({ event: "drift", serverId: server.id, title: "Drift: 1 pair(s) on drifty (schedule nightly drift)" });
      expect(note.body).toBe('- ntalice on drifty (system-users): shell: "/bin/sh" on the server, "/bin/bash" wanted');
      expect((await db.notificationDelivery.findMany()).map((d) => d.channelId)).toEqual([hook.id]);

      await new Worker(engine, { policy: { retryFailures: true, maxAttempts: 1, backoffMs: 1 } }).tick();
      expect(hooks.map(signatureOk)).toEqual([true]);
      expect(JSON.parse(hooks[0].body)).toMatchObject({ event: "drift", body: note.body });
    });
  });
});
