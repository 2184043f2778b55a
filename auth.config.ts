// The database-free part of the auth setup (auth.ts adds the credentials provider).
import type { NextAuthConfig } from "next-auth";

export const authConfig = {
  pages: { signIn: "/login" },
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  trustHost: true,
  providers: [],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) {
        token.uid = user.id;
        // The account's session version at sign-in: lib/session.ts refuses the token once the account's
        // version has moved on (sign-out, password or role change, "sign out everywhere").
        token.sv = (user as { sessionVersion?: number }).sessionVersion ?? 0;
      }
      return token;
    },
    session({ session, token }) {
      if (token.uid && session.user) session.user.id = String(token.uid);
      (session as { sessionVersion?: number }).sessionVersion = typeof token.sv === "number" ? token.sv : undefined;
      return session;
    },
  },
  logger: {
    // A wrong password is an expected event, not a server error worth a stack trace.
    error(error) {
      const name = (error as { type?: string }).type ?? error.name;
      if (name === "CredentialsSignin") return;
      console.error("[auth]", name, error.message);
    },
  },
} satisfies NextAuthConfig;
