// Cron expressions of schedules, read by croner (not a parser of our own): five fields (minute hour
// day month weekday), or six with seconds first, or a nickname (@daily, @hourly…), in an IANA time zone.
// Pure: the same functions check a form, compute a schedule's next occurrence in a worker, and show
// the next occurrences on a page (croner runs in the browser too).
import { Cron } from "croner";

/** Why a time zone cannot be used, or null. */
export function timeZoneError(timeZone: string): string | null {
  if (!timeZone.trim()) return "Enter a time zone, e.g. UTC or Europe/Paris.";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return null;
  } catch {
    return `Unknown time zone ${JSON.stringify(timeZone.slice(0, 60))}: use an IANA name such as UTC, Europe/Paris or America/New_York.`;
  }
}

function cronOf(expression: string, timeZone: string): Cron {
  // paused: croner can also run timers; schedules are fired by the workers, never by croner itself
  return new Cron(expression.trim(), { paused: true, timezone: timeZone, mode: "5-or-6-parts" });
}

/** Why an expression cannot be used as a schedule, in words for the form, or null. */
export function cronError(expression: string, timeZone = "UTC"): string | null {
  const text = expression.trim();
  if (!text) return "Enter a cron expression, e.g. 0 3 * * * (every day at 03:00).";
  if (text.length > 200) return "At most 200 characters.";
  const zone = timeZoneError(timeZone);
  if (zone) return null; // the time zone field says what is wrong
  const fields = text.split(/\s+/).length;
  if (!text.startsWith("@") && fields !== 5 && fields !== 6) {
    return `Write five fields (minute hour day month weekday, e.g. */15 * * * *) or six with seconds first; this has ${fields}.`;
  }
  let cron: Cron;
  try {
    cron = cronOf(text, timeZone);
  } catch (error) {
    // croner's messages name the field and the value ("Invalid value for minute: 61")
    return `Not a cron expression: ${(error as Error).message.replace(/^CronPattern: /, "").replace(/\.$/, "")}.`;
  }
  if (!cron.nextRun()) return "This expression never fires.";
  return null;
}

/** The first occurrence strictly after `after`, or null (an expression that never fires again). */
export function nextOccurrence(expression: string, timeZone: string, after: Date): Date | null {
  return cronOf(expression, timeZone).nextRun(after);
}

/** The next `count` occurrences after `after`. */
export function nextOccurrences(expression: string, timeZone: string, count: number, after: Date = new Date()): Date[] {
  return cronOf(expression, timeZone).nextRuns(count, after);
}

/** An instant as the schedule's time zone shows it ("2026-11-27 03:00:00 Europe/Paris"). */
export function formatInZone(date: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${timeZone}`;
}
