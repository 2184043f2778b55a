import "server-only";
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { authConfig } from "./auth.config";
import { db } from "./lib/db";
import { UNKNOWN_ADDRESS, clientAddress, trustedProxies } from "./lib/client-address";
import { loadEnv } from "./lib/env";
import { verifySignIn } from "./lib/sign-in";

/** Its code carries the seconds to wait ("rate_limited:120") to the sign-in form. */
class RateLimited extends CredentialsSignin {
  constructor(retryAfterSeconds: number) {
    super();
    this.code = `rate_limited:${retryAfterSeconds}`;
  }
}

const credentials = z.object({ email: z.string().trim().toLowerCase().email(), password: z.string().min(1).max(200) });

let proxies: ReturnType<typeof trustedProxies> | undefined;

export const { auth, signIn, signOut, handlers } = NextAuth({
  ...authConfig,
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(raw, request) {
        const parsed = credentials.safeParse(raw);
        if (!parsed.success) return null;
        proxies ??= trustedProxies(loadEnv().ORCHESTRA_TRUSTED_PROXIES);
        const address = clientAddress(request.headers, proxies);
        const result = await verifySignIn(db, parsed.data.email, parsed.data.password, address === UNKNOWN_ADDRESS ? null : address);
        if (!result.ok && result.reason === "rate_limited") throw new RateLimited(result.retryAfterSeconds);
        if (!result.ok) return null;
        const { id, email, name, sessionVersion } = result.user;
        return { id: String(id), email, name, sessionVersion };
      },
    }),
  ],
});
