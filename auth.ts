import "server-only";
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { authConfig } from "./auth.config";
import { db } from "./lib/db";
import { verifySignIn } from "./lib/sign-in";

class RateLimited extends CredentialsSignin {
  code = "rate_limited";
}

const credentials = z.object({ email: z.string().trim().toLowerCase().email(), password: z.string().min(1).max(200) });

export const { auth, signIn, signOut, handlers } = NextAuth({
  ...authConfig,
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(raw, request) {
        const parsed = credentials.safeParse(raw);
        if (!parsed.success) return null;
        const address = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || "local";
        const result = await verifySignIn(db, parsed.data.email, parsed.data.password, address);
        if (result === "rate_limited") throw new RateLimited();
        if (!result) return null;
        return { id: String(result.id), email: result.email, name: result.name };
      },
    }),
  ],
});
