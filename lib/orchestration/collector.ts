// Turns the changes seen in one unit of work into operations, applying the merge rules:
// - a delete cancels a pending save of the same (backend, object);
// - a later save replaces an earlier one (newest state wins), keeping first-seen order and first `before`;
// - a change to a related row is a save of the main object, unless that object is deleted in this unit;
//   its `before` is the main object as it was before the unit's first write to it or to a related row;
// - an update that changes only ignored fields produces nothing.
import { objectLabel, type Backend, type BackendRegistry } from "./backend";
import type { Change, PendingOperation, Snapshot } from "./types";

/** Fields that change on every write and never matter to a server. */
const ALWAYS_IGNORED = new Set(["updatedAt", "createdAt"]);

export function changedFields(before: Snapshot | null, after: Snapshot | null): string[] {
  if (!before || !after) return Object.keys(after ?? before ?? {});
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

type Entry = PendingOperation & { viaRelated?: boolean };

export type LoadObject = (model: string, id: string) => Promise<Snapshot | null>;

export class Collector {
  private readonly entries = new Map<string, Entry>();
  /** Main objects touched through a related model, resolved to saves at the end. */
  private readonly relatedSaves = new Map<string, { backend: Backend; id: string }>();
  /**
   * Main objects (model, id) as they were before the first related write of this unit touched them.
   * Read before that write is applied: read after it, a website's domains would already be the new ones
   * and the operation would show no change of domains.
   */
  private readonly mainBefore = new Map<string, Snapshot | null>();

  constructor(private readonly registry: BackendRegistry) {}

  get size() {
    return this.entries.size + this.relatedSaves.size;
  }

  /** Whether writes to `model` change some backend's main objects (it is a related model). */
  isRelated(model: string): boolean {
    return this.registry.relatedTo(model).length > 0;
  }

  /**
   * Called before a write to a related model is applied, with the rows it will touch: the existing
   * rows and the data written (whose foreign key names the main object). Snapshots each main object
   * not seen yet in this unit, so its operation's `before` is the state the server last saw.
   */
  async beforeRelatedWrite(model: string, rows: ReadonlyArray<Record<string, unknown> | null | undefined>, load: LoadObject): Promise<void> {
    for (const { backend, related } of this.registry.relatedTo(model)) {
      for (const row of rows) {
        if (!row) continue;
        for (const id of mainIdsOf(related.mainIds(row as Snapshot))) {
          const key = keyOf("", backend.model, id);
          if (this.mainBefore.has(key) || this.entries.has(keyOf(backend.name, backend.model, id))) continue;
          this.mainBefore.set(key, await load(backend.model, id));
        }
      }
    }
  }

  add(change: Change): void {
    for (const backend of this.registry.forModel(change.model)) this.addForBackend(backend, change);
    for (const { backend, related } of this.registry.relatedTo(change.model)) {
      const rows = [change.before, change.after].filter((r): r is Snapshot => r !== null);
      for (const row of rows) {
        for (const id of mainIdsOf(related.mainIds(row))) {
          this.relatedSaves.set(keyOf(backend.name, backend.model, id), { backend, id });
        }
      }
    }
  }

  private addForBackend(backend: Backend, change: Change): void {
    const action = change.kind === "delete" ? "delete" : "save";
    if (!backend.actions.includes(action)) return;
    if (change.kind === "update") {
      const changed = changedFields(change.before, change.after).filter((f) => !ALWAYS_IGNORED.has(f));
      const ignored = new Set(backend.ignoreFields ?? []);
      if (changed.length > 0 && changed.every((f) => ignored.has(f))) return;
    }
    const key = keyOf(backend.name, change.model, change.objectId);
    const previous = this.entries.get(key);
    const snapshot = change.after ?? change.before;
    // A related row written earlier in this unit already changed what `change.before` shows.
    const first = this.mainBefore.get(keyOf("", change.model, change.objectId));
    const entry: Entry = {
      backend: backend.name,
      action,
      model: change.model,
      objectId: change.objectId,
      objectLabel: objectLabel(backend, change.model, snapshot, change.objectId),
      // The state the server last saw is the one before the first change of this unit.
      before: previous ? previous.before : first !== undefined ? first : change.before,
      after: action === "delete" ? null : change.after,
    };
    if (action === "delete") entry.before = change.before ?? previous?.after ?? previous?.before ?? null;
    // Map.set on an existing key keeps its position: first-seen order.
    this.entries.set(key, entry);
  }

  /** The merged operations, related saves resolved with `load` (inside the same transaction). */
  async operations(load: LoadObject): Promise<PendingOperation[]> {
    for (const [key, { backend, id }] of this.relatedSaves) {
      const existing = this.entries.get(key);
      if (existing?.action === "delete") continue; // the main object goes away: nothing to save
      if (existing) {
        // Saved in this unit already, maybe before the related change: take the newest state.
        existing.after = (await load(backend.model, id)) ?? existing.after;
        continue;
      }
      if (!backend.actions.includes("save")) continue;
      const object = await load(backend.model, id);
      if (!object) continue; // deleted outside the watched writes (e.g. cascade)
      // Unknown only when the related write did not name its main object by foreign key (a nested
      // `connect`): then the state after the write is the best there is.
      const before = this.mainBefore.get(keyOf("", backend.model, id));
      this.entries.set(key, {
        backend: backend.name,
        action: "save",
        model: backend.model,
        objectId: id,
        objectLabel: objectLabel(backend, backend.model, object, id),
        before: before !== undefined ? before : object,
        after: object,
        viaRelated: true,
      });
    }
    this.relatedSaves.clear();
    this.mainBefore.clear();
    return [...this.entries.values()].map(({ viaRelated: _v, ...op }) => op);
  }
}

/** The main ids a related row names; values that are not plain ids (`{ set: 3 }` in update data) are skipped. */
function mainIdsOf(ids: ReadonlyArray<unknown>): string[] {
  return ids.filter((id) => typeof id === "string" || (typeof id === "number" && Number.isFinite(id))).map(String);
}

function keyOf(backend: string, model: string, id: string) {
  return `${backend}\u0000${model}\u0000${id}`;
}
