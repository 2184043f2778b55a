// Edge-safe part of the auth setup, shared by proxy.ts and auth.ts: no database, no Node-only modules.
import type { NextAuthConfig } from "next-auth";

export const authConfig = {
  pages: { signIn: "/login" },
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  trustHost: true,
  providers: [],
  callbacks: {
    // Signed-out visitors of any admin page are sent to the sign-in page.
    authorized({ auth, request: { nextUrl } }) {
      const signedIn = Boolean(auth?.user);
      if (nextUrl.pathname.startsWith("/login")) {
        return signedIn ? Response.redirect(new URL("/", nextUrl)) : true;
      }
      return signedIn;
    },
    jwt({ token, user }) {
      if (user?.id) token.uid = user.id;
      return token;
    },
    session({ session, token }) {
      if (token.uid && session.user) session.user.id = String(token.uid);
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
