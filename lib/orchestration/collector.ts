// Turns the changes seen in one unit of work into operations, applying the merge rules:
// - a delete cancels a pending save of the same (backend, object);
// - a later save replaces an earlier one (newest state wins), keeping first-seen order and first `before`;
// - a change to a related row is a save of the main object, unless that object is deleted in this unit;
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

  constructor(private readonly registry: BackendRegistry) {}

  get size() {
    return this.entries.size + this.relatedSaves.size;
  }

  add(change: Change): void {
    for (const backend of this.registry.forModel(change.model)) this.addForBackend(backend, change);
    for (const { backend, related } of this.registry.relatedTo(change.model)) {
      const rows = [change.before, change.after].filter((r): r is Snapshot => r !== null);
      for (const row of rows) {
        for (const id of related.mainIds(row)) {
          if (id === null || id === undefined) continue;
          const key = keyOf(backend.name, backend.model, String(id));
          this.relatedSaves.set(key, { backend, id: String(id) });
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
    const entry: Entry = {
      backend: backend.name,
      action,
      model: change.model,
      objectId: change.objectId,
      objectLabel: objectLabel(backend, change.model, snapshot, change.objectId),
      // The state the server last saw is the one before the first change of this unit.
      before: previous ? previous.before : change.before,
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
      this.entries.set(key, {
        backend: backend.name,
        action: "save",
        model: backend.model,
        objectId: id,
        objectLabel: objectLabel(backend, backend.model, object, id),
        before: object,
        after: object,
        viaRelated: true,
      });
    }
    this.relatedSaves.clear();
    return [...this.entries.values()].map(({ viaRelated: _v, ...op }) => op);
  }
}

function keyOf(backend: string, model: string, id: string) {
  return `${backend}\u0000${model}\u0000${id}`;
}
