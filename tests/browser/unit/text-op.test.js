// Property tests of the web client's text operations (web/js/text-op.js), run by Node without
// a browser: the same laws the server's are tested for (protocol/tests/text_op.rs), on random
// text mixing ASCII, emoji, combining marks and CJK. Seeded: a failure names its seed.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyTextOp, baseLength, charCount, charsToUnits, compose, diffOp, invert, replaceOp, targetLength, transform,
  transformPosition, unitsToChars,
} from '../../../web/js/text-op.js';

const CASES = 3000;
const ALPHABET = ['a', 'b', 'c', ' ', '\n', '😀', '👍🏽', 'e\u0301', '漢', '字', 'Ω'];

/** A small seeded generator (mulberry32). @param {number} seed */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomText(next, max) {
  let text = '';
  const n = Math.floor(next() * max);
  for (let i = 0; i < n; i += 1) text += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return text;
}

/** A random operation on `text`, built from a random target so that it is canonical. */
function randomOp(next, text) {
  const chars = Array.from(text);
  const op = [];
  let at = 0;
  const push = (step) => {
    const last = op[op.length - 1];
    if (typeof step === 'string' && typeof last === 'string') op[op.length - 1] = last + step;
    else if (typeof step === 'number' && typeof last === 'number' && Math.sign(step) === Math.sign(last)) op[op.length - 1] = last + step;
    else op.push(step);
  };
  while (at < chars.length) {
    const roll = next();
    const n = 1 + Math.floor(next() * Math.min(4, chars.length - at));
    if (roll < 0.5) {
      push(n);
      at += n;
    } else if (roll < 0.75) {
      push(-n);
      at += n;
    } else {
      push(randomText(next, 4) || 'x');
    }
  }
  if (next() < 0.3) push(randomText(next, 4) || 'y');
  // Canonical order: an insert before an adjacent delete.
  for (let i = 1; i < op.length; i += 1) {
    if (typeof op[i] === 'string' && typeof op[i - 1] === 'number' && op[i - 1] < 0) [op[i - 1], op[i]] = [op[i], op[i - 1]];
  }
  return op;
}

function forCases(name, check) {
  test(name, () => {
    for (let seed = 1; seed <= CASES; seed += 1) {
      const next = rng(seed);
      try {
        check(next);
      } catch (error) {
        error.message = `seed ${seed}: ${error.message}`;
        throw error;
      }
    }
  });
}

forCases('two operations transformed over each other converge (TP1)', (next) => {
  const text = randomText(next, 12);
  const a = randomOp(next, text);
  const b = randomOp(next, text);
  const [a2, b2] = transform(a, b);
  assert.equal(applyTextOp(applyTextOp(text, a), b2), applyTextOp(applyTextOp(text, b), a2));
});

forCases('composing is applying one after the other', (next) => {
  const text = randomText(next, 12);
  const a = randomOp(next, text);
  const middle = applyTextOp(text, a);
  const b = randomOp(next, middle);
  const ab = compose(a, b);
  assert.equal(applyTextOp(text, ab), applyTextOp(middle, b));
  assert.equal(baseLength(ab), charCount(text));
  assert.equal(targetLength(ab), charCount(applyTextOp(middle, b)));
});

forCases('an inverse undoes its operation', (next) => {
  const text = randomText(next, 12);
  const a = randomOp(next, text);
  assert.equal(applyTextOp(applyTextOp(text, a), invert(a, text)), text);
});

forCases('a diff turns one text into the other', (next) => {
  const old = randomText(next, 12);
  const edited = applyTextOp(old, randomOp(next, old));
  assert.equal(applyTextOp(old, diffOp(old, edited)), edited);
  assert.equal(applyTextOp(old, replaceOp(old, edited)), edited);
});

test('positions count characters, not UTF-16 units', () => {
  const text = '😀e\u0301漢';
  assert.equal(charCount(text), 4);
  assert.equal(unitsToChars(text, 2), 1);
  assert.equal(charsToUnits(text, 1), 2);
  // An operation that does not cover the text is refused.
  assert.equal(applyTextOp(text, [3]), null);
  assert.deepEqual(applyTextOp(text, [1, 'A', 3]), '😀Ae\u0301漢');
  // A caret after the emoji moves over an insert before it, not over one after it.
  assert.equal(transformPosition(['x', 4], 1, false), 2);
  assert.equal(transformPosition([1, 'x', 3], 1, false), 1);
  assert.equal(transformPosition([1, 'x', 3], 1, true), 2);
  // Typing a repeated character at the caret inserts it there.
  assert.deepEqual(diffOp('aa', 'aaa', 2), [1, 'a', 1]);
  assert.deepEqual(diffOp('aa', 'aaa', 1), ['a', 2]);
  assert.deepEqual(diffOp('aa', 'aaa', 3), [2, 'a']);
});
