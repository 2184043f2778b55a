// What may enter Postfix maps and Dovecot's passwd-file: plain tokens only. The forms check these,
// and the backends check them again at render time, whatever wrote the row (a refused value makes the
// run ERROR before anything runs).

/** A mail domain: lowercase hostname labels. */
export const MAIL_DOMAIN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
/** A local part: no `:` (passwd-file's separator), whitespace, `@`, quotes, `#` or control characters. */
export const LOCAL_PART = /^[a-z0-9]([a-z0-9._+-]{0,62}[a-z0-9_+-])?$/;
/** A forwarding target: a plain address (local part as above, case-insensitive, and a domain). */
export const MAIL_ADDRESS = /^[A-Za-z0-9]([A-Za-z0-9._+-]{0,62}[A-Za-z0-9_+-])?@(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function refuseMail(kind: string, label: unknown, what: string, value: unknown): never {
  throw new Error(`refusing to render ${kind} ${JSON.stringify(String(label))}: ${what} ${JSON.stringify(value)} cannot go into a mail configuration.`);
}

export function assertDomain(kind: string, label: unknown, name: unknown): asserts name is string {
  if (typeof name !== "string" || !MAIL_DOMAIN.test(name)) refuseMail(kind, label, "the domain", name);
}

export function assertLocalPart(kind: string, label: unknown, local: unknown): asserts local is string {
  if (typeof local !== "string" || !LOCAL_PART.test(local)) refuseMail(kind, label, "the local part", local);
}
