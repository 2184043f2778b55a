// Bounded capture of a script's output: keeps the first and the last part (errors come last), and
// says how much was left out in between.
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
