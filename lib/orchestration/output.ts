// Bounded capture of a script's output: keeps the first and the last part (errors come last), and
// says how much was left out in between.
import { maskSecrets, safeCut } from "./script";

export class BoundedOutput {
  private head = "";
  private tail = "";
  private dropped = 0;

  constructor(private readonly limit: number) {}

  push(chunk: string): void {
    const half = Math.floor(this.limit / 2);
    if (this.head.length < half) {
      const take = chunk.slice(0, half - this.head.length);
      this.head += take;
      chunk = chunk.slice(take.length);
    }
    if (!chunk) return;
    this.tail += chunk;
    if (this.tail.length > half) {
      this.dropped += this.tail.length - half;
      this.tail = this.tail.slice(this.tail.length - half);
    }
  }

  get truncated(): boolean {
    return this.dropped > 0;
  }

  toString(): string {
    if (!this.dropped) return this.head + this.tail;
    return `${this.head}\n[… ${this.dropped} characters truncated …]\n${this.tail}`;
  }
}

/**
 * A running script's output, masked before anything is kept: the bounded capture (and whoever watches
 * the run) only ever sees masked text, so neither a chunk boundary nor the cut of a long output can
 * split a secret. A tail that could be the beginning of a secret waits for the next chunk.
 */
export class MaskedOutput {
  private pending = "";
  private readonly bounded: BoundedOutput;

  constructor(
    limit: number,
    private readonly secrets: readonly string[],
    private readonly onMasked?: (text: string) => void,
  ) {
    this.bounded = new BoundedOutput(limit);
  }

  push(chunk: string): void {
    this.pending += chunk;
    const at = this.secrets.length ? safeCut(this.pending, this.secrets) : this.pending.length;
    if (at === 0) return;
    this.hand(this.pending.slice(0, at));
    this.pending = this.pending.slice(at);
  }

  /** The output ended: the held-back tail too. */
  end(): void {
    if (this.pending) this.hand(this.pending);
    this.pending = "";
  }

  get truncated(): boolean {
    return this.bounded.truncated;
  }

  /** What is kept so far, masked (without a held-back tail until `end`). */
  toString(): string {
    return this.bounded.toString();
  }

  private hand(raw: string) {
    const text = maskSecrets(raw, this.secrets);
    this.bounded.push(text);
    this.onMasked?.(text);
  }
}
