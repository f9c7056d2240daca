// Answers that arrive out of order: a part that fetches a list more than once (opening, a
// refresh, a reset) takes only the answer to its latest request.

/**
 * Runs `request` as `owner`'s latest; `null` when a later request (or a reset, which also
 * counts up `owner.sequence`) came in before it answered.
 * @template T
 * @param {{ sequence: number }} owner
 * @param {() => Promise<T>} request
 * @returns {Promise<{ value: T } | { error: any } | null>}
 */
export async function latest(owner, request) {
  const sequence = ++owner.sequence;
  try {
    const value = await request();
    return sequence === owner.sequence ? { value } : null;
  } catch (error) {
    return sequence === owner.sequence ? { error } : null;
  }
}
