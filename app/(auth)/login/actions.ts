"use server";
import { AuthError } from "next-auth";
import { signIn } from "@/auth";
import { describeWait } from "@/lib/sign-in";

export type SignInState = { error?: string; email?: string };

// The one public action: it only forwards credentials to next-auth, which rate-limits and verifies.
export async function signInAction(_prev: SignInState, formData: FormData): Promise<SignInState> {
  const email = String(formData.get("email") ?? "");
  const redirectTo = safeRedirect(String(formData.get("callbackUrl") ?? "/"));
  try {
    await signIn("credentials", { email, password: String(formData.get("password") ?? ""), redirectTo });
    return {};
  } catch (error) {
    // A successful sign-in throws NEXT_REDIRECT: only AuthErrors are ours to report.
    if (!(error instanceof AuthError)) throw error;
    const code = (error as AuthError & { code?: string }).code ?? "";
    const limited = /^rate_limited:(\d+)$/.exec(code);
    if (limited) return { email, error: `Too many failed attempts. Try again in ${describeWait(Number(limited[1]))}.` };
    return { email, error: "Wrong e-mail or password." };
  }
}

function safeRedirect(target: string): string {
  try {
    const url = new URL(target, "http://x");
    return url.origin === "http://x" && !url.pathname.startsWith("//") ? url.pathname + url.search : "/";
  } catch {
    return "/";
  }
}
