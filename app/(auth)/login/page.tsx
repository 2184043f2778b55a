import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/session";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  const { callbackUrl } = await searchParams;
  // Only a live session skips the form: an ended one (old cookie) must be able to sign in again.
  if (await currentUser()) redirect("/");
  return (
    <main className="flex min-h-screen items-center justify-center">
      <div className="w-80 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="mb-1 text-lg font-semibold">Orchestra</h1>
        <p className="mb-4 text-slate-500">Sign in to manage your servers.</p>
        <SignInForm callbackUrl={callbackUrl ?? "/"} />
      </div>
    </main>
  );
}
