// Text operations as the server sends them in `text_edited` (docs/protocol.md §4.2): a list
// of steps over the old text, where a positive number keeps that many characters, a string
// inserts itself and a negative number deletes that many. Characters are Unicode scalar
// values, as `Array.from` splits a string (never UTF-16 units: an emoji is one).

/**
 * The text after `op`, or null if `op` does not cover `text` exactly (this copy has missed
 * something and must be fetched again).
 * @param {string} text
 * @param {import('./protocol.js').TextOp} op
 * @returns {string | null}
 */
export function applyTextOp(text, op) {
  const old = Array.from(text);
  let at = 0;
  let result = '';
  for (const step of op) {
    if (typeof step === 'string') {
      result += step;
    } else if (step > 0) {
      if (at + step > old.length) return null;
      result += old.slice(at, at + step).join('');
      at += step;
    } else {
      if (at - step > old.length) return null;
      at -= step;
    }
  }
  return at === old.length ? result : null;
}
