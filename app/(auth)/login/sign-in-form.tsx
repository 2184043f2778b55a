"use client";
import { useActionState } from "react";
import { signInAction, type SignInState } from "./actions";

export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const [state, formAction, pending] = useActionState<SignInState, FormData>(signInAction, {});
  return (
    <form action={formAction} className="space-y-3">
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <label className="block">
        <span className="mb-1 block font-medium">E-mail</span>
        <input className="input" name="email" type="email" autoComplete="username" required defaultValue={state.email} />
      </label>
      <label className="block">
        <span className="mb-1 block font-medium">Password</span>
        <input className="input" name="password" type="password" autoComplete="current-password" required />
      </label>
      {state.error && (
        <p data-testid="sign-in-error" role="alert" className="rounded bg-red-50 px-2 py-1.5 text-red-700">
          {state.error}
        </p>
      )}
      <button className="btn w-full justify-center" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
