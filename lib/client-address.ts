// Who is on the other end of a request, for rate limits. Next.js hands route handlers and server actions
// a Request without the socket, and only fills in `X-Forwarded-For` when the client sent none: the
// header as the app sees it may be the client's own invention. So the Node server stamps every incoming
// request with the socket's remote address under a header of ours (installPeerStamp, from
// instrumentation.ts), and forwarded headers count only when that peer is a configured proxy.
import { randomBytes } from "node:crypto";
import { BlockList, isIP } from "node:net";

export const PEER_HEADER = "x-orchestra-peer";
/** Unknown peer (no stamp: not served by `next start` with our instrumentation). */
export const UNKNOWN_ADDRESS = "unknown";

type PeerState = { nonce: string; installed: boolean };
// On globalThis: instrumentation and the auth bundle may load this module separately.
const state = ((globalThis as { orchestraPeer?: PeerState }).orchestraPeer ??= {
  nonce: randomBytes(16).toString("hex"),
  installed: false,
});

type Emitter = { emit(event: string | symbol, ...args: unknown[]): boolean };
type IncomingLike = { headers: Record<string, string | string[] | undefined>; socket?: { remoteAddress?: string } };

/** Overwrites PEER_HEADER on every request the process's HTTP(S) servers receive. The value carries a
 * per-process nonce, so a header a client sends (before or after installation) is never believed. */
export function installPeerStamp(servers: { prototype: Emitter }[]) {
  if (state.installed) return;
  for (const Server of servers) {
    const emit = Server.prototype.emit;
    Server.prototype.emit = function (this: Emitter, event: string | symbol, ...args: unknown[]) {
      if (event === "request") {
        const request = args[0] as IncomingLike;
        request.headers[PEER_HEADER] = `${state.nonce} ${request.socket?.remoteAddress ?? ""}`;
      }
      return emit.call(this, event, ...args);
    };
  }
  state.installed = true;
}

/** The socket's remote address as stamped by installPeerStamp, or null when there is no genuine stamp. */
export function peerAddress(headers: Headers): string | null {
  const [nonce, address] = (headers.get(PEER_HEADER) ?? "").split(" ");
  return state.installed && nonce === state.nonce && address ? normalize(address) : null;
}

/** Addresses and CIDR ranges of proxies whose `X-Forwarded-For` is believed. */
export function trustedProxies(list: readonly string[]): BlockList {
  const blocks = new BlockList();
  for (const entry of list) {
    const [address, bits] = entry.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) blocks.addAddress(normalize(address), family);
    else blocks.addSubnet(address, Number(bits), family);
  }
  return blocks;
}

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy, in which case the
 * right-most `X-Forwarded-For` entry that is not itself a trusted proxy (entries left of it were written
 * by whoever the proxy talked to, and can be anything).
 */
export function clientAddress(headers: Headers, trusted: BlockList): string {
  const peer = peerAddress(headers);
  if (!peer) return UNKNOWN_ADDRESS;
  if (!isTrusted(trusted, peer)) return peer;
  const chain = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((a) => normalize(a.trim()))
    .filter((a) => isIP(a));
  for (let i = chain.length - 1; i >= 0; i--) {
    if (!isTrusted(trusted, chain[i])) return chain[i];
  }
  return chain[0] ?? peer;
}

function isTrusted(trusted: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && trusted.check(address, family === 6 ? "ipv6" : "ipv4");
}

/** "::ffff:10.0.0.1" (an IPv4 client on a dual-stack socket) is 10.0.0.1. */
function normalize(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}
