// A running script's output as complete lines, for whoever watches it live (the CLI). It is fed text
// already masked (MaskedOutput, output.ts), so splitting it can never expose part of a secret; a very
// long line without a newline is handed on in pieces.

export type OutputStream = "stdout" | "stderr";

/** One line of a run's output (without its newline), secrets masked. */
export type OutputLine = { logId: number; server: string; backend: string; stream: OutputStream; text: string };

/** Longest text held back waiting for a newline before it is handed on anyway. */
const MAX_PENDING = 16 * 1024;

export class OutputLines {
  private pending = "";

  constructor(private readonly emit: (text: string) => void) {}

  push(masked: string): void {
    this.pending += masked;
    let newline: number;
    while ((newline = this.pending.indexOf("\n")) >= 0) {
      this.emit(this.pending.slice(0, newline));
      this.pending = this.pending.slice(newline + 1);
    }
    if (this.pending.length > MAX_PENDING) {
      this.emit(this.pending);
      this.pending = "";
    }
  }

  /** The rest, when the output ended without a newline. */
  end(): void {
    if (this.pending) this.emit(this.pending);
    this.pending = "";
  }
}
