import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { authSecret } from "./lib/env";

// Sends signed-out visitors to /login (every server action still checks the session itself). It only
// reads the session cookie: next-auth's own middleware re-issues the cookie on every request, and a
// prefetch answered after a sign-out brought the session back.
// A cookie is not proof of a live session: one issued before the account's last sign-out still decodes.
// Proxy runs on Node.js in Next 16 and could ask the database, but pages (app/(admin)/layout.tsx) and
// actions (lib/actions) do so already on every request; here it would only be a second, separately
// bundled database client. So the proxy stays a cookie filter and /login decides for itself.
export default async function proxy(request: NextRequest) {
  const { nextUrl } = request;
  if (nextUrl.pathname === "/login") return NextResponse.next();
  const token = await getToken({ req: request, secret: authSecret(), secureCookie: nextUrl.protocol === "https:" });
  if (token) return NextResponse.next();
  const login = new URL("/login", nextUrl);
  login.searchParams.set("callbackUrl", nextUrl.pathname + nextUrl.search);
  return NextResponse.redirect(login);
}

export const config = {
  matcher: ["/((?!logout|api/health|_next/static|_next/image|favicon.ico).*)"],
};
