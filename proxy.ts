import NextAuth from "next-auth";
import { authConfig } from "./auth.config";

// Redirects signed-out visitors to /login. Every server action still checks the session itself.
const { auth } = NextAuth(authConfig);
export default auth;

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
