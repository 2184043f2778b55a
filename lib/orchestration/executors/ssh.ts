// Runs scripts over SSH (ssh2): `bash -s` with the script on stdin, output streamed back. One pooled
// connection per server, reused across scripts, closed after it has been idle. Host keys are pinned:
// the first connection records the fingerprint, a different key later is refused.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { Client, type ClientChannel } from "ssh2";
import type { ServerInfo } from "../types";
import { killCommand, parseProbe, probeCommand, superviseCommand } from "./supervisor";
import type { ExecutionResult, RunMarker, RunOptions, ScriptExecutor } from "./types";

/** Connection failures that mean "cannot reach the server" (as opposed to a script that ran too long). */
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET", "EHOSTDOWN", "ETIMEDOUT"]);

export type SshOptions = {
  /** The private key (contents). Read from a file by the caller; never logged. */
  privateKey: Buffer | string;
  connectTimeoutMs?: number;
  idleCloseMs?: number;
  keepaliveMs?: number;
};

export class HostKeyMismatch extends Error {
  constructor(server: string, expected: string, offered: string) {
    super(
      `host key mismatch for ${server}: pinned ${expected}, offered ${offered}. ` +
        "Refusing to connect: the server was reinstalled or someone is in between. If the change is expected, forget the key on the server page.",
    );
    this.name = "HostKeyMismatch";
  }
}

export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

type Pooled = {
  key: string;
  client: Client;
  ready: Promise<void>;
  active: number;
  idleTimer?: NodeJS.Timeout;
  /** The pin the connection was opened with, and the key the server offered. */
  expected: string | null;
  offered?: string;
  closed: boolean;
};

export class SshExecutor implements ScriptExecutor {
  private readonly pool = new Map<string, Pooled>();
  /** Completed SSH handshakes since start (connection reuse is measured with it). */
  handshakes = 0;

  constructor(private readonly options: SshOptions) {}

  static fromKeyFile(path: string, options: Omit<SshOptions, "privateKey"> = {}): SshExecutor {
    let privateKey: Buffer;
    try {
      privateKey = readFileSync(path);
    } catch (error) {
      throw new Error(`cannot read the SSH private key ${path} (set ORCHESTRA_SSH_KEY): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return new SshExecutor({ ...options, privateKey });
  }

  private connectionKey(server: ServerInfo) {
    return `${server.sshUser}@${server.address}:${server.port}`;
  }

  private connect(server: ServerInfo): Pooled {
    const key = this.connectionKey(server);
    const existing = this.pool.get(key);
    if (existing && !existing.closed) {
      const pin = server.hostKeyFingerprint;
      if (!pin || pin === existing.expected || pin === existing.offered) return existing;
      // The pin changed since this connection was opened: do not reuse it.
      if (existing.active === 0) existing.client.end();
      this.drop(existing);
    }

    const client = new Client();
    const pooled: Pooled = { key, client, active: 0, closed: false, ready: Promise.resolve(), expected: server.hostKeyFingerprint };
    let mismatch: HostKeyMismatch | undefined;
    pooled.ready = new Promise<void>((resolve, reject) => {
      client.once("ready", () => {
        this.handshakes++;
        resolve();
      });
      client.once("error", (error) => reject(mismatch ?? error));
      client.once("close", () => reject(mismatch ?? new Error("connection closed before it was ready")));
    });
    pooled.ready.catch(() => undefined);
    client.on("error", () => this.drop(pooled));
    client.on("close", () => this.drop(pooled));
    client.connect({
      host: server.address,
      port: server.port,
      username: server.sshUser,
      privateKey: this.options.privateKey,
      readyTimeout: this.options.connectTimeoutMs ?? 10_000,
      keepaliveInterval: this.options.keepaliveMs ?? 15_000,
      keepaliveCountMax: 3,
      hostVerifier: (hostKey: Buffer) => {
        const offered = fingerprint(hostKey);
        pooled.offered = offered;
        if (server.hostKeyFingerprint && server.hostKeyFingerprint !== offered) {
          mismatch = new HostKeyMismatch(server.name, server.hostKeyFingerprint, offered);
          return false;
        }
        return true;
      },
    });
    // Without TCP_NODELAY, Nagle's algorithm holds each small SSH packet until the previous one is
    // acknowledged, and the server delays that acknowledgement: opening a channel cost ~85 ms of
    // waiting (measured on loopback), on every script.
    client.setNoDelay(true);
    this.pool.set(key, pooled);
    return pooled;
  }

  private drop(pooled: Pooled) {
    pooled.closed = true;
    clearTimeout(pooled.idleTimer);
    if (this.pool.get(pooled.key) === pooled) this.pool.delete(pooled.key);
  }

  private release(pooled: Pooled) {
    pooled.active--;
    if (pooled.active > 0 || pooled.closed) return;
    clearTimeout(pooled.idleTimer);
    pooled.idleTimer = setTimeout(() => pooled.client.end(), this.options.idleCloseMs ?? 60_000);
    pooled.idleTimer.unref();
  }

  async run(server: ServerInfo, script: string, options: RunOptions): Promise<ExecutionResult> {
    return this.withConnection(server, async (pooled) => {
      const result = options.run
        ? await this.supervised(server, pooled, script, options)
        : await this.exec(pooled, "bash --norc -s", script, options);
      return pooled.offered && !server.hostKeyFingerprint ? { ...result, pinnedFingerprint: pooled.offered } : result;
    });
  }

  async probe(server: ServerInfo, keys: readonly string[]): Promise<Map<string, RunMarker>> {
    if (keys.length === 0) return new Map();
    let stdout = "";
    const result = await this.withConnection(server, (pooled) =>
      this.exec(pooled, probeCommand(server, keys), "", { timeoutMs: 30_000, onOutput: (stream, chunk) => void (stream === "stdout" && (stdout += chunk)) }),
    );
    if (result.state !== "SUCCESS") throw new Error(`cannot read run markers on ${server.name}: ${result.error ?? `exit code ${result.exitCode}`}`);
    return parseProbe(stdout);
  }

  async kill(server: ServerInfo, key: string): Promise<void> {
    const result = await this.withConnection(server, (pooled) => this.exec(pooled, killCommand(server, key), "", { timeoutMs: 15_000, onOutput: () => undefined }));
    if (result.state !== "SUCCESS") throw new Error(`cannot stop run ${key} on ${server.name}: ${result.error ?? `exit code ${result.exitCode}`}`);
  }

  private async withConnection(server: ServerInfo, fn: (pooled: Pooled) => Promise<ExecutionResult>): Promise<ExecutionResult> {
    const pooled = this.connect(server);
    pooled.active++;
    clearTimeout(pooled.idleTimer);
    try {
      try {
        await pooled.ready;
      } catch (error) {
        return connectFailure(server, error as Error & { code?: string; level?: string });
      }
      return await fn(pooled);
    } finally {
      this.release(pooled);
    }
  }

  /**
   * Runs the script under the supervisor. On timeout or abort the run's process group is killed on
   * the server (over a second channel) before the result is returned, so nothing of it is left.
   */
  private async supervised(server: ServerInfo, pooled: Pooled, script: string, options: RunOptions): Promise<ExecutionResult> {
    const run = options.run!;
    const controller = new AbortController();
    let why: "timeout" | "cancel" | "lease" | "abort" | undefined;
    const stop = (reason: typeof why) => {
      if (why) return;
      why = reason;
      controller.abort();
    };
    const timer = setTimeout(() => stop("timeout"), options.timeoutMs);
    const onAbort = () => stop(options.signal?.reason === "cancel" ? "cancel" : options.signal?.reason === "lease" ? "lease" : "abort");
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener("abort", onAbort);
    try {
      let result = await this.exec(pooled, superviseCommand(server, run.key, run.lane, script), script, { ...options, timeoutMs: 2 ** 31 - 1, signal: controller.signal });
      if (!why && result.exitCode === null && result.state !== "ERROR") {
        // The channel closed without an exit code (connection dropped): the run may go on detached.
        // Ask the server over a new connection; wait for it while it runs, within the timeout.
        result = await this.settle(server, run.key, () => why !== undefined);
      }
      if (!why) return result;
      let killed = "";
      try {
        await this.kill(server, run.key);
      } catch (error) {
        killed = ` (and stopping it failed: ${(error as Error).message})`;
      }
      if (why === "timeout") return { state: "TIMEOUT", exitCode: null, error: `still running after ${options.timeoutMs} ms: its processes on the server were killed${killed}` };
      if (why === "cancel") return { state: "CANCELLED", exitCode: null, error: `cancelled by an operator: its processes on the server were killed${killed}` };
      if (why === "lease") return { state: "ABORTED", exitCode: null, error: `this run lost its lease (the database was out of reach longer than the lease): its processes on the server were killed; its operations run again${killed}` };
      return { state: "ABORTED", exitCode: null, error: `interrupted: its processes on the server were killed${killed}` };
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** The real outcome of a run whose connection dropped, from its marker on the server. */
  private async settle(server: ServerInfo, key: string, stopped: () => boolean): Promise<ExecutionResult> {
    for (;;) {
      let marker: RunMarker | undefined;
      try {
        marker = (await this.probe(server, [key])).get(key);
      } catch (error) {
        return { state: "ABORTED", exitCode: null, unsettled: true, error: `the connection dropped before the result arrived, and the server cannot be asked now (${(error as Error).message}); the result will be read from its run marker` };
      }
      if (marker?.status === "finished") return { state: marker.exitCode === 0 ? "SUCCESS" : "FAILURE", exitCode: marker.exitCode };
      if (marker?.status !== "running" || stopped()) return { state: "ABORTED", exitCode: null, error: "the connection dropped and the run did not finish on the server" };
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  private exec(pooled: Pooled, command: string, script: string, options: RunOptions): Promise<ExecutionResult> {
    return new Promise((resolve) => {
      let settled = false;
      let channel: ClientChannel | undefined;
      const finish = (result: ExecutionResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        resolve(result);
      };
      const stop = (state: "TIMEOUT" | "ABORTED", error: string) => {
        try {
          channel?.signal("KILL");
          channel?.close();
        } catch {
          /* channel already gone */
        }
        finish({ state, exitCode: null, error });
      };
      const timer = setTimeout(() => stop("TIMEOUT", `still running after ${options.timeoutMs} ms: stopped`), options.timeoutMs);
      const onAbort = () => stop("ABORTED", "interrupted");
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener("abort", onAbort);

      pooled.client.exec(command, (error, stream) => {
        if (error) return finish({ state: "ERROR", exitCode: null, error: `cannot start bash: ${error.message}` });
        channel = stream;
        let exitCode: number | null = null;
        let exitSignal: string | undefined;
        // (one decoder per stream: a character whose bytes arrive in two chunks stays one character)
        const decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
        const take = (name: "stdout" | "stderr") => (chunk: Buffer) => {
          const text = decoders[name].write(chunk);
          if (text) options.onOutput(name, text);
        };
        stream.on("data", take("stdout"));
        stream.stderr.on("data", take("stderr"));
        stream.on("exit", (code: number | null, signal?: string) => {
          exitCode = code;
          exitSignal = signal;
        });
        stream.on("close", () => {
          for (const name of ["stdout", "stderr"] as const) {
            const rest = decoders[name].end();
            if (rest) options.onOutput(name, rest);
          }
          if (exitCode === 0) finish({ state: "SUCCESS", exitCode: 0 });
          else if (exitCode !== null) finish({ state: "FAILURE", exitCode });
          else finish({ state: "ABORTED", exitCode: null, error: `the script ended without an exit code${exitSignal ? ` (signal ${exitSignal})` : ""}` });
        });
        stream.end(script);
      });
    });
  }

  async close(): Promise<void> {
    const all = [...this.pool.values()];
    this.pool.clear();
    await Promise.all(
      all.map(
        (p) =>
          new Promise<void>((resolve) => {
            clearTimeout(p.idleTimer);
            if (p.closed) return resolve();
            p.client.once("close", () => resolve());
            p.client.end();
            setTimeout(resolve, 1000).unref();
          }),
      ),
    );
  }
}

function connectFailure(server: ServerInfo, error: Error & { code?: string; level?: string }): ExecutionResult {
  if (error.name === "HostKeyMismatch") return { state: "ERROR", exitCode: null, error: error.message, notStarted: true };
  const message = error.message;
  if (error.level === "client-authentication" || /authentication/i.test(message)) {
    return { state: "ERROR", exitCode: null, notStarted: true, error: `SSH authentication failed for ${server.sshUser}@${server.address}: ${message}` };
  }
  const where = `${server.address}:${server.port}`;
  if (error.code && UNREACHABLE_CODES.has(error.code)) {
    return { state: "UNREACHABLE", exitCode: null, notStarted: true, error: `cannot reach ${where}: ${message}` };
  }
  if (/timed out/i.test(message)) {
    return { state: "UNREACHABLE", exitCode: null, notStarted: true, error: `cannot reach ${where}: no SSH handshake within the connect timeout (${message})` };
  }
  return { state: "UNREACHABLE", exitCode: null, notStarted: true, error: `cannot reach ${where}: ${message}` };
}
