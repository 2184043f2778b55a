import { createServer, request, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { PEER_HEADER, UNKNOWN_ADDRESS, clientAddress, installPeerStamp, trustedProxies } from "../lib/client-address";
import { parseProxyList } from "../lib/proxy-list";

/** The headers the app would see for a request sent from 127.0.0.1 with `headers`. */
async function seenHeaders(headers: Record<string, string>): Promise<Headers> {
  const server = createServer((req, res) => {
    res.end(JSON.stringify(req.headers));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const body = await new Promise<string>((resolve, reject) => {
      request({ host: "127.0.0.1", port, headers }, (res) => {
        let data = "";
        res.on("data", (c) => (data += c));
        res.on("end", () => resolve(data));
      })
        .on("error", reject)
        .end();
    });
    return new Headers(JSON.parse(body) as Record<string, string>);
  } finally {
    server.close();
  }
}

describe("client address", () => {
  const none = trustedProxies([]);

  it("believes no header before the stamp is installed", async () => {
    const seen = await seenHeaders({ [PEER_HEADER]: "anything 10.9.9.9", "x-forwarded-for": "10.1.1.1" });
    expect(clientAddress(seen, none)).toBe(UNKNOWN_ADDRESS);
  });

  it("is the socket's peer, whatever forwarded or forged headers say", async () => {
    installPeerStamp([Server]);
    const seen = await seenHeaders({ [PEER_HEADER]: "anything 10.9.9.9", "x-forwarded-for": "10.1.1.1" });
    expect(clientAddress(seen, none)).toBe("127.0.0.1");
  });

  it("takes X-Forwarded-For only from a trusted proxy, right-most untrusted entry", async () => {
    const seen = await seenHeaders({ "x-forwarded-for": "6.6.6.6, 203.0.113.7, 10.0.0.5" });
    expect(clientAddress(seen, trustedProxies(["127.0.0.1", "10.0.0.0/8"]))).toBe("203.0.113.7");
    expect(clientAddress(seen, trustedProxies(["10.0.0.0/8"]))).toBe("127.0.0.1");
  });

  it("validates the proxy list", () => {
    expect(parseProxyList(" 10.0.0.1, ::1 192.168.0.0/16")).toEqual(["10.0.0.1", "::1", "192.168.0.0/16"]);
    expect(parseProxyList(undefined)).toEqual([]);
    expect(() => parseProxyList("proxy.example.net")).toThrow(/not an IP address/);
    expect(() => parseProxyList("10.0.0.0/33")).toThrow(/not an IP address/);
  });
});
