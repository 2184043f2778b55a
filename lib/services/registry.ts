// Every backend this installation knows, and a typed sample object per model (to check route
// expressions). Adding a service: its backend here, its pages under app/(admin)/services/.
import { BackendRegistry } from "../orchestration/backend";
import type { Snapshot } from "../orchestration/types";
import { systemUserBackend } from "./system-users/backend";
import { systemUserSample } from "./system-users/schema";
import { websiteBackend } from "./websites/backend";
import { websiteIndexBackend } from "./websites/index-backend";
import { websiteSample } from "./websites/schema";

export function createRegistry(): BackendRegistry {
  return new BackendRegistry([systemUserBackend, websiteBackend, websiteIndexBackend]);
}

export const MODEL_SAMPLES: Record<string, Snapshot> = {
  SystemUser: systemUserSample,
  Website: websiteSample,
};
