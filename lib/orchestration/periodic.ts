// The worker's periodic duties besides lanes: firing due schedules and sending due notification
// deliveries. Each worker round starts them in the background (a drift check or a retention run may
// take minutes and must not hold up the lanes); one search of each kind at a time per worker.
import type { Engine } from "./engine";
import { deliverDue, DELIVERY_POLICY, type DeliveryPolicy } from "./notifications/deliveries";
import { newOwner } from "./outbox";
import { fireDue } from "./schedules/fire";

export type PeriodicOptions = { onError(error: Error): void; deliveryPolicy?: DeliveryPolicy };

export class Periodic {
  private readonly inFlight = new Set<Promise<unknown>>();
  private firing = false;
  private delivering = false;

  constructor(
    private readonly engine: Engine,
    private readonly options: PeriodicOptions,
  ) {}

  /** Starts what is due; the promise settles when all of it has finished (a worker's loop does not wait). */
  round(): Promise<void> {
    const work: Array<Promise<unknown>> = [];
    if (!this.firing) {
      this.firing = true;
      // (free to look again once the occurrences are claimed: a long run must not hold up other schedules)
      const claimed = fireDue(this.engine).finally(() => (this.firing = false));
      work.push(this.track(claimed.then((runs) => Promise.all(runs.map((run) => this.track(run))))));
    }
    if (!this.delivering) {
      this.delivering = true;
      const owner = newOwner("worker");
      work.push(this.track(deliverDue(this.engine, owner, this.options.deliveryPolicy ?? DELIVERY_POLICY).finally(() => (this.delivering = false))));
    }
    return Promise.all(work).then(() => undefined);
  }

  /** Waits for the runs and deliveries under way. */
  async stop(): Promise<void> {
    while (this.inFlight.size) await Promise.all(this.inFlight);
  }

  private track<T>(promise: Promise<T>): Promise<T | undefined> {
    const tracked = promise.catch((error: Error) => {
      this.options.onError(error);
      return undefined;
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return tracked;
  }
}
