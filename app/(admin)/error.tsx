"use client";

// Never a stack trace in the browser: the digest lets an admin find the error in the server log.
export default function AdminError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="rounded border border-red-200 bg-red-50 p-6">
      <h1 className="mb-1 text-lg font-semibold text-red-800">This page could not be shown</h1>
      <p className="mb-3">Something went wrong on the server{error.digest ? ` (reference ${error.digest})` : ""}.</p>
      <button className="btn-secondary" onClick={reset}>Try again</button>
    </div>
  );
}
