// The flash: what an action that redirects tells the page it lands on (message and script runs).
// It belongs to that one navigation: the action gives it an id, stores it in a cookie of its own
// (`orchestra-flash-<id>`) and adds `?flash=<id>` to the redirect. The page shows the flash whose id
// its URL carries, and only then. Another tab's flash (cookies are shared by every tab), a later page
// of the same tab, or the same page reached again by Back or a link carry no id, and show nothing.
import type { ActionState } from "./state";

export const FLASH_COOKIE = "orchestra-flash";
export const FLASH_PARAM = "flash";

export type Flash = Pick<ActionState, "ok" | "message" | "runs" | "notices">;

const ID = /^[a-z0-9]{8,32}$/;

export function flashCookie(id: string): string {
  return `${FLASH_COOKIE}-${id}`;
}

/** `path` with the flash's id in its query (its own query and fragment kept). */
export function withFlashId(path: string, id: string): string {
  const url = new URL(path, "http://orchestra.invalid");
  url.searchParams.set(FLASH_PARAM, id);
  return `${url.pathname}${url.search}${url.hash}`;
}

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

/** The flashes waiting in the request's cookies, by id. */
export function readFlashes(cookies: ReadonlyArray<{ name: string; value: string }>): Record<string, Flash> {
  const out: Record<string, Flash> = {};
  for (const { name, value } of cookies) {
    const id = name.startsWith(`${FLASH_COOKIE}-`) ? name.slice(FLASH_COOKIE.length + 1) : "";
    const flash = ID.test(id) ? decodeFlash(value) : null;
    if (flash) out[id] = flash;
  }
  return out;
}

export function isFlashId(value: string | null | undefined): value is string {
  return typeof value === "string" && ID.test(value);
}
