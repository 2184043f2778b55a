import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";

// Sends signed-out visitors to /login (every server action still checks the session itself). It only
// reads the session cookie: next-auth's own middleware re-issues the cookie on every request, and a
// prefetch answered after a sign-out brought the session back.
export default async function proxy(request: NextRequest) {
  const { nextUrl } = request;
  const token = await getToken({ req: request, secret: process.env.AUTH_SECRET, secureCookie: nextUrl.protocol === "https:" });
  if (nextUrl.pathname === "/login") {
    return token ? NextResponse.redirect(new URL("/", nextUrl)) : NextResponse.next();
  }
  if (token) return NextResponse.next();
  const login = new URL("/login", nextUrl);
  login.searchParams.set("callbackUrl", nextUrl.pathname + nextUrl.search);
  return NextResponse.redirect(login);
}

export const config = {
  matcher: ["/((?!logout|_next/static|_next/image|favicon.ico).*)"],
};
