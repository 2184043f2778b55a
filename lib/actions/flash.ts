import type { ActionState } from "./state";

export const FLASH_COOKIE = "orchestra-flash";

export type Flash = Pick<ActionState, "ok" | "message" | "runs" | "notices">;

export function encodeFlash(state: ActionState): string {
  const flash: Flash = { ok: state.ok, message: state.message, runs: state.runs?.slice(0, 20), notices: state.notices?.slice(0, 10) };
  return Buffer.from(JSON.stringify(flash)).toString("base64url");
}

export function decodeFlash(value: string | undefined): Flash | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
    return typeof parsed?.message === "string" ? parsed : null;
  } catch {
    return null;
  }
}
