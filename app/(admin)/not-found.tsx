import Link from "next/link";

export default function NotFound() {
  return (
    <div className="rounded border border-slate-200 bg-white p-6">
      <h1 className="mb-1 text-lg font-semibold">Not found</h1>
      <p>It may have been deleted. <Link className="link" href="/">Back to the dashboard</Link></p>
    </div>
  );
}
