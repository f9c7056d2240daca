// The message catalogues (web/js/messages/) and the localisation helpers (web/js/i18n.js), run
// by Node: every language has every message, with the same placeholders and plural forms its
// language has; every key the client asks for exists; `t()` and the `Intl` helpers behave.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import en from '../../../web/js/messages/en.js';
import de from '../../../web/js/messages/de.js';
import es from '../../../web/js/messages/es.js';
import { LOCALES, errorText, formatDuration, formatList, formatNumber, formatPercent, locale, pickLocale, setLocale, t, tParts } from '../../../web/js/i18n.js';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web');
const CATALOGUES = { en, de, es };

/** @param {string} text */
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** The placeholders of a message, over all its plural forms. */
const placeholdersOf = (message) => [...new Set(typeof message === 'string' ? placeholders(message) : Object.values(message).flatMap(placeholders))].sort();

test('there is a catalogue for every language offered, and only those', () => {
  assert.deepEqual([...LOCALES].sort(), Object.keys(CATALOGUES).sort());
  const files = readdirSync(path.join(WEB, 'js/messages')).map((file) => file.replace(/\.js$/, ''));
  assert.deepEqual(files.sort(), [...LOCALES].sort());
});

test('every catalogue has exactly the English keys', () => {
  const keys = Object.keys(en).sort();
  for (const [name, catalogue] of Object.entries(CATALOGUES)) {
    const have = Object.keys(catalogue).sort();
    assert.deepEqual(have.filter((key) => !keys.includes(key)), [], `${name} has keys English lacks`);
    assert.deepEqual(keys.filter((key) => !have.includes(key)), [], `${name} lacks keys`);
  }
});

test('every message has the same placeholders and shape in every language, and no empty text', () => {
  for (const [key, english] of Object.entries(en)) {
    for (const [name, catalogue] of Object.entries(CATALOGUES)) {
      const message = catalogue[key];
      assert.equal(typeof message, typeof english, `${name} ${key}: a text in one language, plural forms in another`);
      assert.deepEqual(placeholdersOf(message), placeholdersOf(english), `${name} ${key}: placeholders`);
      const texts = typeof message === 'string' ? [message] : Object.values(message);
      for (const text of texts) assert.ok(typeof text === 'string' && text.trim() !== '', `${name} ${key}: empty text`);
      // Typographic quotes of the language, not another's (German „…“, Spanish «…»).
      if (name !== 'en') for (const text of texts) assert.doesNotMatch(text, /“[^”„]*”/, `${name} ${key}: English quotes`);
    }
  }
});

test('plural forms are the ones each language has, with `other` always, each with the same placeholders', () => {
  for (const [name, catalogue] of Object.entries(CATALOGUES)) {
    const categories = new Intl.PluralRules(name).resolvedOptions().pluralCategories;
    for (const [key, message] of Object.entries(catalogue)) {
      if (typeof message === 'string') continue;
      const forms = Object.keys(message);
      for (const form of forms) assert.ok(categories.includes(form), `${name} ${key}: "${form}" is no plural category of ${name} (${categories.join(', ')})`);
      assert.ok(forms.includes('other'), `${name} ${key}: no "other" form`);
      if (categories.includes('one')) assert.ok(forms.includes('one'), `${name} ${key}: no "one" form`);
      for (const form of forms) assert.deepEqual(placeholders(message[form]), placeholders(message.other), `${name} ${key}: the "${form}" form says less than "other"`);
    }
  }
});

test('every key the client asks for by name is in the catalogue', () => {
  // The client is the page and the modules it reaches from main.js (a module nothing imports
  // yet is not shown to anyone).
  const sources = [readFileSync(path.join(WEB, 'index.html'), 'utf8')];
  const reached = new Set();
  const visit = (file) => {
    if (reached.has(file)) return;
    reached.add(file);
    const source = readFileSync(file, 'utf8');
    sources.push(source);
    for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)'(\.{1,2}\/[^']+\.js)'/g)) visit(path.resolve(path.dirname(file), match[1]));
  };
  visit(path.join(WEB, 'js/main.js'));
  assert.ok(reached.size > 30, `reached only ${reached.size} modules: is the scan still right?`);
  const used = new Set();
  for (const source of sources) {
    for (const match of source.matchAll(/\b(?:t|localized|tParts)\(\s*'([\w.]+)'/g)) used.add(match[1]);
    for (const match of source.matchAll(/data-i18n(?:-[\w-]+)?="([\w.]+)"/g)) used.add(match[1]);
    // Keys picked between two: t(cond ? 'a' : 'b').
    for (const match of source.matchAll(/\bt\([^()'`]*\?\s*'([\w.]+)'\s*:\s*'([\w.]+)'/g)) used.add(match[1]).add(match[2]);
  }
  assert.ok(used.size > 200, `found only ${used.size} keys: is the scan still right?`);
  assert.deepEqual([...used].filter((key) => !Object.hasOwn(en, key)), []);
});

test('a language is picked from the one chosen, else the browser’s by primary subtag, else English', () => {
  assert.equal(pickLocale(null, ['de-AT', 'en']), 'de');
  assert.equal(pickLocale(null, ['fr-FR', 'es-MX', 'de']), 'es');
  assert.equal(pickLocale(null, ['fr', 'it']), 'en');
  assert.equal(pickLocale(null, []), 'en');
  assert.equal(pickLocale('es', ['de-DE']), 'es', 'what was chosen comes first');
  assert.equal(pickLocale('xx', ['de-DE']), 'de', 'a stored value that is no language is ignored');
});

test('messages are filled in, counted and formatted for the language', async () => {
  try {
    assert.equal(locale(), 'en');
    assert.equal(t('questions.open', { count: 1 }), '1 open question');
    assert.equal(t('questions.open', { count: 1200 }), '1,200 open questions');
    assert.equal(t('no.such.key'), 'no.such.key', 'a missing key shows itself');
    assert.deepEqual(tParts('estimation.voting', {}), ['Voting on ', { slot: 'title' }]);
    assert.equal(t('announce.joined', { name: '{room}' }), '{room} joined.', 'a value is never read as a placeholder');
    assert.equal(formatList(['8', '13', '21']), '8, 13, and 21');
    assert.equal(errorText({ code: 'forbidden', message: 'only the facilitator may do that' }), 'only the facilitator may do that', 'English shows the server’s own words');

    await setLocale('de');
    assert.equal(locale(), 'de');
    assert.equal(t('questions.open', { count: 1 }), '1 offene Frage');
    assert.equal(t('questions.open', { count: 1200 }), '1.200 offene Fragen');
    assert.equal(formatNumber(4.5), '4,5');
    assert.match(formatPercent(0.67), /^67\s%$/, 'a (narrow) space before the percent sign');
    assert.equal(formatList(['8', '13', '21']), '8, 13 und 21');
    assert.equal(formatDuration(5400), '1 Std. 30 Min.');
    assert.equal(errorText({ code: 'forbidden', message: 'only the facilitator may do that' }), 'Deine Rolle erlaubt das nicht.');
    assert.equal(errorText({ code: 'some_future_code', message: 'a newer server' }), 'a newer server', 'an unknown code keeps the server’s words');

    await setLocale('es');
    assert.equal(t('questions.open', { count: 2 }), '2 preguntas abiertas');
    assert.equal(t('questions.open', { count: 1_000_000 }), '1.000.000 preguntas abiertas', 'Spanish "many" falls back to "other"');
    assert.equal(formatList(['8', '13']), '8 y 13');
  } finally {
    await setLocale('en');
  }
});
