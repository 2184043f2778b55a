// A running script's output as complete lines, each masked with the run's secrets, for whoever watches
// it live (the CLI). A secret split across two chunks is masked because a line is only handed on once
// its newline arrived; a very long line without one is cut, but never inside a secret.
import { maskSecrets } from "./script";

export type OutputStream = "stdout" | "stderr";

/** One line of a run's output (without its newline), secrets masked. */
export type OutputLine = { logId: number; server: string; backend: string; stream: OutputStream; text: string };

/** Longest text held back waiting for a newline before it is handed on anyway. */
const MAX_PENDING = 16 * 1024;

export class MaskedLines {
  private pending = "";
  private readonly longest: number;

  constructor(
    private readonly secrets: readonly string[],
    private readonly emit: (text: string) => void,
  ) {
    this.longest = Math.max(0, ...secrets.map((s) => s.length));
  }

  push(chunk: string): void {
    this.pending += chunk;
    let newline: number;
    while ((newline = this.pending.indexOf("\n")) >= 0) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      this.emit(maskSecrets(line, this.secrets));
    }
    if (this.pending.length > MAX_PENDING) this.cut();
  }

  /** The rest, when the output ended without a newline. */
  end(): void {
    if (this.pending) this.emit(maskSecrets(this.pending, this.secrets));
    this.pending = "";
  }

  private cut() {
    // Keep what could be the start of a secret whose end has not arrived, and move the cut before any
    // whole secret it would split.
    let at = this.pending.length - this.longest;
    for (let moved = true; moved && at > 0; ) {
      moved = false;
      for (const secret of this.secrets) {
        for (let i = this.pending.indexOf(secret); i >= 0 && i < at; i = this.pending.indexOf(secret, i + 1)) {
          if (i + secret.length > at) [at, moved] = [i, true];
        }
      }
    }
    if (at <= 0) return;
    this.emit(maskSecrets(this.pending.slice(0, at), this.secrets));
    this.pending = this.pending.slice(at);
  }
}
