import { readFileSync } from "node:fs";
import path from "node:path";
import { HOSTS_FILE } from "./global-setup";

export type E2eHost = {
  address: string;
  port: number;
  sandbox: string;
  fingerprint: string;
  nginx: { address: string; port: number; variables: Record<string, string> };
  /** The private Postfix + Dovecot of the first host. */
  mail: { address: string; smtpPort: number; imapPort: number; variables: Record<string, string> } | null;
  /** The private PHP-FPM master beside the second host's nginx. */
  php: { dir: string; variables: Record<string, string> } | null;
};

/** The sshd test hosts started by global-setup.ts. */
export function e2eHosts(): E2eHost[] {
  return JSON.parse(readFileSync(HOSTS_FILE, "utf8"));
}

export function passwd(host: E2eHost): string {
  return readFileSync(path.join(host.sandbox, "etc/passwd"), "utf8");
}
