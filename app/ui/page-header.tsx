/**
 * A page's title and its action buttons. What a button reports (a failure, a test's result) goes in the
 * row below, full width, not beside the buttons where it would squeeze the title: ActionButton finds it
 * by `data-header-messages`.
 */
export function PageHeader({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="mb-4" data-page-header>
      <div className="flex items-center justify-between gap-4">
        <h1 className="text-xl font-semibold">{title}</h1>
        <div className="flex gap-2" data-testid="page-header-actions">{children}</div>
      </div>
      <div className="mt-2 space-y-2 empty:hidden" data-header-messages />
    </div>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="rounded border border-dashed border-slate-300 bg-white p-6 text-center text-slate-500">{children}</p>;
}

export function formatDate(date: Date | null | undefined): string {
  if (!date) return "—";
  return date.toISOString().replace("T", " ").slice(0, 19);
}
