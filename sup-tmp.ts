import { readFileSync } from "node:fs";
import { SshExecutor } from "./lib/orchestration/executors/ssh";
(async () => {
  const ex = new SshExecutor({ privateKey: readFileSync("/tmp/orchestra-test-keys/id_ed25519") });
  const server = { id: 1, name: "x", address: "127.0.0.9", port: 22299, sshUser: "root", hostKeyFingerprint: null, variables: {} };
  const key = `t${Date.now()}`;
  const ctl = new AbortController();
  const t = Date.now();
  setTimeout(() => { console.log("abort at", Date.now() - t); ctl.abort("cancel"); }, 2000);
  const r = await ex.run(server, "echo start; sleep 20; echo end\n", { timeoutMs: 60000, signal: ctl.signal, onOutput: (s, c) => console.log(Date.now() - t, s, JSON.stringify(c)), run: { key, lane: "1-y" } });
  console.log(r, Date.now() - t);
  console.log((await ex.probe(server, [key])));
  await ex.close();
})();
