// The performance goals as the benches measured them in this run, printed together at the end.
type Goal = { what: string; measured: string; met: boolean; target: string };

const goals: Goal[] = [];

/** Records one row of the goals table (printed by printGoals). */
export function goal(what: string, measured: string, met: boolean, target: string): void {
  goals.push({ what, measured, met, target });
}

export function printGoals(): void {
  if (goals.length === 0) return;
  const width = Math.max(...goals.map((g) => g.what.length));
  console.log("\ngoals (measured in this run):");
  for (const g of goals) console.log(`  ${g.met ? "met " : "MISS"} ${g.what.padEnd(width)}  ${g.measured.padStart(12)}  goal ${g.target}`);
}
