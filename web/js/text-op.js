// Text operations (docs/protocol.md §4.2), the same as the server's `TextOp`: a list of steps
// over the old text, where a positive number keeps that many characters, a string inserts
// itself and a negative number deletes that many. Characters are Unicode scalar values, as
// `Array.from` splits a string (never UTF-16 units: an emoji is one). Every function here
// gives the same result as its Rust counterpart, so that a client and the server that
// transform the same operations agree to the character.

/** @typedef {import('./protocol.js').TextOp} TextOp */

/**
 * The length of a text in characters (scalar values).
 * @param {string} text
 */
export function charCount(text) {
  let n = 0;
  for (const _char of text) n += 1;
  return n;
}

/** Builds an operation in canonical form: steps merged, an insert before an adjacent delete. */
class Builder {
  constructor() {
    /** @type {TextOp} */
    this.steps = [];
  }

  /** @param {number} n */
  retain(n) {
    if (n === 0) return this;
    const last = this.steps.length - 1;
    if (typeof this.steps[last] === 'number' && /** @type {number} */ (this.steps[last]) > 0) this.steps[last] = /** @type {number} */ (this.steps[last]) + n;
    else this.steps.push(n);
    return this;
  }

  /** @param {string} text */
  insert(text) {
    if (text === '') return this;
    const steps = this.steps;
    const last = steps.length - 1;
    if (typeof steps[last] === 'string') {
      steps[last] += text;
    } else if (isDelete(steps[last]) && typeof steps[last - 1] === 'string') {
      steps[last - 1] += text;
    } else if (isDelete(steps[last])) {
      steps.splice(last, 0, text);
    } else {
      steps.push(text);
    }
    return this;
  }

  /** @param {number} n */
  delete(n) {
    if (n === 0) return this;
    const last = this.steps.length - 1;
    if (isDelete(this.steps[last])) this.steps[last] = /** @type {number} */ (this.steps[last]) - n;
    else this.steps.push(-n);
    return this;
  }
}

/** @param {string | number | undefined} step */
function isDelete(step) {
  return typeof step === 'number' && step < 0;
}

/**
 * The length of the text an operation applies to.
 * @param {TextOp} op
 */
export function baseLength(op) {
  let n = 0;
  for (const step of op) if (typeof step === 'number') n += Math.abs(step);
  return n;
}

/**
 * The length of the text an operation makes.
 * @param {TextOp} op
 */
export function targetLength(op) {
  let n = 0;
  for (const step of op) n += typeof step === 'string' ? charCount(step) : Math.max(step, 0);
  return n;
}

/**
 * Whether an operation changes nothing.
 * @param {TextOp} op
 */
export function isNoop(op) {
  return op.every((step) => typeof step === 'number' && step > 0);
}

/**
 * The text after `op`, or null if `op` does not cover `text` exactly (this copy has missed
 * something and must be fetched again).
 * @param {string} text
 * @param {TextOp} op
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

/**
 * The operation that replaces all of `old` by `next` (as the server records `update_item`).
 * @param {string} old
 * @param {string} next
 */
export function replaceOp(old, next) {
  return new Builder().insert(next).delete(charCount(old)).steps;
}

/**
 * The operation that turns `old` into `next`, changing one stretch: the common start and end
 * are kept. `caret` (where the caret is in `next`, in characters) settles where a repeated
 * character was typed: "aa" → "aaa" inserts before the caret.
 * @param {string} old
 * @param {string} next
 * @param {number} [caret]
 * @returns {TextOp}
 */
export function diffOp(old, next, caret) {
  const a = Array.from(old);
  const b = Array.from(next);
  let start = 0;
  const most = Math.min(a.length, b.length);
  while (start < most && a[start] === b[start]) start += 1;
  // What was typed ends at the caret: the common start cannot reach past where it began.
  if (caret !== undefined && b.length > a.length) start = Math.min(start, Math.max(0, caret - (b.length - a.length)));
  let end = 0;
  while (end < most - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end += 1;
  return new Builder()
    .retain(start)
    .insert(b.slice(start, b.length - end).join(''))
    .delete(a.length - end - start)
    .retain(end).steps;
}

/** Walks an operation's steps, taking parts of them. */
class Steps {
  /** @param {TextOp} op */
  constructor(op) {
    this.op = op;
    this.index = 0;
    /** Characters of the current step already taken. */
    this.offset = 0;
    /** The current insert's characters, split once. @type {string[] | null} */
    this.chars = null;
  }

  /** @returns {{ kind: 'retain' | 'delete', n: number } | { kind: 'insert', n: number, text: string } | null} */
  peek() {
    const step = this.op[this.index];
    if (step === undefined) return null;
    if (typeof step === 'string') {
      this.chars ??= Array.from(step);
      const text = this.offset === 0 ? step : this.chars.slice(this.offset).join('');
      return { kind: 'insert', n: this.chars.length - this.offset, text };
    }
    return { kind: step > 0 ? 'retain' : 'delete', n: Math.abs(step) - this.offset };
  }

  /** @param {number} n */
  take(n) {
    const step = this.op[this.index];
    const length = typeof step === 'string' ? /** @type {string[]} */ (this.chars ??= Array.from(step)).length : Math.abs(/** @type {number} */ (step));
    this.offset += n;
    if (this.offset >= length) {
      this.index += 1;
      this.offset = 0;
      this.chars = null;
    }
  }
}

/**
 * One operation with the effect of `first` followed by `second`; null if `second` was not
 * made for the text `first` makes.
 * @param {TextOp} first
 * @param {TextOp} second
 * @returns {TextOp | null}
 */
export function compose(first, second) {
  if (targetLength(first) !== baseLength(second)) return null;
  const out = new Builder();
  const a = new Steps(first);
  const b = new Steps(second);
  for (;;) {
    const x = a.peek();
    const y = b.peek();
    if (x?.kind === 'delete') {
      out.delete(x.n);
      a.take(x.n);
    } else if (y?.kind === 'insert') {
      out.insert(y.text);
      b.take(y.n);
    } else if (x && y) {
      const n = Math.min(x.n, y.n);
      if (x.kind === 'retain' && y.kind === 'retain') out.retain(n);
      else if (x.kind === 'insert' && y.kind === 'retain') out.insert(Array.from(x.text).slice(0, n).join(''));
      else if (x.kind === 'retain' && y.kind === 'delete') out.delete(n);
      // An insert deleted right away leaves nothing.
      a.take(n);
      b.take(n);
    } else {
      return out.steps;
    }
  }
}

/**
 * Transforms two operations made on the same text so that each can follow the other: returns
 * `[a', b']` with a ∘ b' = b ∘ a'. Where both insert at the same place, `a`'s text comes
 * first. Null if they were not made for texts of the same length.
 * @param {TextOp} a
 * @param {TextOp} b
 * @returns {[TextOp, TextOp] | null}
 */
export function transform(a, b) {
  if (baseLength(a) !== baseLength(b)) return null;
  const aPrime = new Builder();
  const bPrime = new Builder();
  const left = new Steps(a);
  const right = new Steps(b);
  for (;;) {
    const x = left.peek();
    const y = right.peek();
    if (x?.kind === 'insert') {
      aPrime.insert(x.text);
      bPrime.retain(x.n);
      left.take(x.n);
    } else if (y?.kind === 'insert') {
      aPrime.retain(y.n);
      bPrime.insert(y.text);
      right.take(y.n);
    } else if (x && y) {
      const n = Math.min(x.n, y.n);
      if (x.kind === 'retain' && y.kind === 'retain') {
        aPrime.retain(n);
        bPrime.retain(n);
      } else if (x.kind === 'delete' && y.kind === 'retain') {
        aPrime.delete(n);
      } else if (x.kind === 'retain' && y.kind === 'delete') {
        bPrime.delete(n);
      }
      // Both deleted the same characters: nothing left to do for either.
      left.take(n);
      right.take(n);
    } else {
      return [aPrime.steps, bPrime.steps];
    }
  }
}

/**
 * The operation that undoes `op` on the text `base` it was applied to.
 * @param {TextOp} op
 * @param {string} base
 * @returns {TextOp}
 */
export function invert(op, base) {
  const old = Array.from(base);
  let at = 0;
  const inverse = new Builder();
  for (const step of op) {
    if (typeof step === 'string') {
      inverse.delete(charCount(step));
    } else if (step > 0) {
      inverse.retain(step);
      at += step;
    } else {
      inverse.insert(old.slice(at, at - step).join(''));
      at -= step;
    }
  }
  return inverse.steps;
}

/**
 * Where a caret at `position` goes when `op` is applied: after text inserted right at it when
 * `own` (its owner typed it), before otherwise.
 * @param {TextOp} op
 * @param {number} position
 * @param {boolean} own
 */
export function transformPosition(op, position, own) {
  let old = 0;
  let moved = position;
  for (const step of op) {
    if (old > position) break;
    if (typeof step === 'string') {
      if (old < position || own) moved += charCount(step);
    } else if (step > 0) {
      old += step;
    } else {
      moved -= Math.min(-step, Math.max(0, position - old));
      old -= step;
    }
  }
  return moved;
}

/**
 * Converts a position counted in UTF-16 units (what text inputs report) to characters.
 * @param {string} text
 * @param {number} units
 */
export function unitsToChars(text, units) {
  return charCount(text.slice(0, units));
}

/**
 * Converts a position counted in characters to UTF-16 units.
 * @param {string} text
 * @param {number} chars
 */
export function charsToUnits(text, chars) {
  let units = 0;
  let n = 0;
  for (const c of text) {
    if (n >= chars) break;
    units += c.length;
    n += 1;
  }
  return units;
}
