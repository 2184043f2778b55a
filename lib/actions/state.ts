// The value every server action returns to its form (consumed by useActionState).
export type FieldErrors = Record<string, string[] | undefined>;

export type RunReport = {
  logId: number;
  server: string;
  backend: string;
  state: string;
  operations: string[];
};

/** What the admin and the API show of a run (the engine's report has more). */
export function runSummaries(reports: ReadonlyArray<RunReport & Record<string, unknown>>): RunReport[] {
  return reports.map(({ logId, server, backend, state, operations }) => ({ logId, server, backend, state, operations }));
}

export type ActionState = {
  ok: boolean;
  message: string;
  fieldErrors?: FieldErrors;
  /** What the form had, so a failed submit loses nothing. Never holds secrets. */
  values?: Record<string, string>;
  /** Scripts that ran because of this action (the admin's feedback on what happened on servers). */
  runs?: RunReport[];
  /** What the unit of work did not run and why: operations no route matched, routes that failed to evaluate. */
  notices?: string[];
};

export const initialState: ActionState = { ok: false, message: "" };

const USER_ERROR = Symbol.for("orchestra.user-error");

/** An expected, user-facing failure: its message is shown as is (optionally next to a field).
 * Recognised by a registry-wide symbol (isUserError), not `instanceof`: bundles may load this twice. */
export class UserError extends Error {
  readonly [USER_ERROR] = true;
  constructor(
    message: string,
    readonly field?: string,
    /** Several fields at once (a policy check); `message` then heads the form. */
    readonly fieldErrors?: FieldErrors,
  ) {
    super(message);
    this.name = "UserError";
  }
}

export function isUserError(error: unknown): error is UserError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[USER_ERROR] === true;
}
