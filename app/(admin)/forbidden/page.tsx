import Link from "next/link";

export default function Forbidden() {
  return (
    <div className="rounded border border-amber-200 bg-amber-50 p-6" data-testid="forbidden">
      <h1 className="mb-1 text-lg font-semibold">Not allowed</h1>
      <p>Your role does not give access to that page. <Link className="link" href="/">Back to the dashboard</Link></p>
    </div>
  );
}
