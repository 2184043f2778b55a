// The agent API (lib/agent/api.ts, the code the Next route handlers call) served by a plain HTTP
// server in the test process, so a real agent process can reach it, and Orchestra can be "stopped"
// (the port closed, open long-polls cut) and started again on the same address.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { agentConfig, agentReport } from "../../lib/agent/api";
import type { Engine } from "../../lib/orchestration/engine";

export type AgentApi = {
  url: string;
  /** When each report arrived (ms, performance.now()), with what it said. */
  reports: Array<{ at: number; body: { version: string; results: Array<{ backend: string; state: string }> } }>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

export async function startAgentApi(engine: Engine, { address, port }: { address: string; port: number }): Promise<AgentApi> {
  let server: http.Server | null = null;
  const api: AgentApi = {
    url: `http://${address}:${port}`,
    reports: [],
    async start() {
      server = http.createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const body = Buffer.concat(chunks);
        const controller = new AbortController();
        res.on("close", () => controller.abort());
        const request = new Request(`${api.url}${req.url}`, {
          method: req.method,
          headers: Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as [string, string]] : [])),
          ...(req.method === "POST" ? { body } : {}),
          signal: controller.signal,
        });
        try {
          const path = new URL(request.url).pathname;
          const handler = path === "/api/agent/v1/config" && req.method === "GET" ? agentConfig : path === "/api/agent/v1/reports" && req.method === "POST" ? agentReport : null;
          const response = handler ? await handler(engine, request) : new Response("not found", { status: 404 });
          if (handler === agentReport && response.status === 201) api.reports.push({ at: performance.now(), body: JSON.parse(body.toString("utf8")) });
          res.writeHead(response.status, Object.fromEntries(response.headers));
          res.end(Buffer.from(await response.arrayBuffer()));
        } catch (error) {
          if (!res.headersSent) res.writeHead(500);
          res.end(String(error));
        }
      });
      await new Promise<void>((resolve) => server!.listen(port, address, resolve));
      void (server.address() as AddressInfo);
    },
    async stop() {
      if (!server) return;
      const s = server;
      server = null;
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    },
  };
  await api.start();
  return api;
}
