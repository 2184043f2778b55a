import { UserError } from "./state";

/**
 * The row a query found, or a UserError with `message` (next to `field` if given): the row an action
 * works on may have been deleted in another tab since the page was rendered.
 *   const route = await findOrFail(db.route.findUnique({ where: { id } }), "This route no longer exists.");
 */
export async function findOrFail<T>(query: PromiseLike<T | null | undefined>, message: string, field?: string): Promise<T> {
  const found = await query;
  if (found == null) throw new UserError(message, field);
  return found;
}
