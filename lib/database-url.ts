// Shared by the Prisma CLI config, the app and the CLI: no server-only import here.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { databaseUrlSetting } from "./env";

export const DEFAULT_SQLITE_FILE = "data/orchestra.db";

/** DATABASE_URL, or the embedded SQLite file under data/ (git-ignored). */
export function databaseUrl(url: string | undefined = databaseUrlSetting()): string {
  if (url) return url;
  return `file:${path.resolve(process.cwd(), DEFAULT_SQLITE_FILE)}`;
}

export function isPostgres(url: string): boolean {
  return url.startsWith("postgres://") || url.startsWith("postgresql://");
}

/** The SQLite file path of a file: URL, with its folder created (SQLite will not create folders). */
export function sqliteFile(url: string): string {
  const file = url.replace(/^file:/, "");
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  return file;
}
