// Localisation: the message catalogue of the language chosen, `t()` to read it, and `Intl` for
// what a catalogue cannot hold (numbers, times, durations, lists, plural forms). English is
// built in and is what any missing message falls back to; the other languages are loaded only
// when chosen, so that a visit carries one catalogue, not all of them. Until `setLocale` is
// called (and so in Node's unit tests) everything is English.

import en from './messages/en.js';

/** @typedef {'en' | 'de' | 'es'} Locale */
/**
 * A message: a text with `{placeholders}`, or its plural forms (`Intl.PluralRules` categories,
 * `other` always among them) chosen by the `count` parameter.
 * @typedef {string | Partial<Record<Intl.LDMLPluralRule, string>>} Message
 */
/** @typedef {Record<string, Message>} Catalogue */
/** @typedef {Record<string, string | number>} Params */

/** The languages there are, English first (the fallback). */
export const LOCALES = /** @type {readonly Locale[]} */ (['en', 'de', 'es']);

/** Each language's name in itself: what the switcher offers, readable by whoever needs it. */
export const LOCALE_NAMES = /** @type {Record<Locale, string>} */ ({ en: 'English', de: 'Deutsch', es: 'Español' });

/** @type {Record<Locale, () => Promise<Catalogue>>} */
const LOADERS = {
  en: async () => en,
  de: async () => (await import('./messages/de.js')).default,
  es: async () => (await import('./messages/es.js')).default,
};

/** @type {Locale} */
let current = 'en';
/** @type {Catalogue} */
let catalogue = en;
/** Formatters are costly to make and used on every render: one of each per language and options. @type {Map<string, any>} */
const formatters = new Map();

/**
 * @param {string | null | undefined} value
 * @returns {value is Locale}
 */
export function isLocale(value) {
  return LOCALES.includes(/** @type {Locale} */ (value));
}

/**
 * The language to show: the one chosen before, else the first of the browser's languages we
 * have by its primary subtag ("de-AT" is German), else English.
 * @param {string | null} saved
 * @param {readonly string[]} preferred `navigator.languages`
 * @returns {Locale}
 */
export function pickLocale(saved, preferred) {
  if (isLocale(saved)) return saved;
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split(/[-_]/)[0];
    if (isLocale(primary)) return primary;
  }
  return 'en';
}

/**
 * Loads a language's catalogue and makes it the one `t()` reads. A catalogue that cannot be
 * loaded (a network failure) leaves the language as it was and rejects.
 * @param {Locale} locale
 */
export async function setLocale(locale) {
  const loaded = await LOADERS[locale]();
  catalogue = loaded;
  current = locale;
}

/** @returns {Locale} */
export function locale() {
  return current;
}

/**
 * Whether the catalogue has a message for `key`.
 * @param {string} key
 */
export function has(key) {
  return Object.hasOwn(catalogue, key) || Object.hasOwn(en, key);
}

/**
 * The message `key` in the current language, its placeholders filled in. A number fills a
 * placeholder as the language writes numbers; `count` also picks the plural form. A key the
 * catalogues lack reads as itself, which is easy to spot.
 * @param {string} key
 * @param {Params} [params]
 */
export function t(key, params = {}) {
  return tParts(key, params)
    .map((part) => (typeof part === 'string' ? part : `{${part.slot}}`))
    .join('');
}

/**
 * The message `key` cut where the placeholders missing from `params` are, for the view to put
 * elements there (a button in the middle of a sentence): text, and `{ slot }` for each gap.
 * Cut before filling in, so that a value which looks like a placeholder stays text.
 * @param {string} key
 * @param {Params} [params]
 * @returns {Array<string | { slot: string }>}
 */
export function tParts(key, params = {}) {
  const message = Object.hasOwn(catalogue, key) ? catalogue[key] : Object.hasOwn(en, key) ? en[key] : undefined;
  if (message === undefined) return [key];
  const text = typeof message === 'string' ? message : pluralForm(message, Number(params.count ?? 0));
  /** @type {Array<string | { slot: string }>} */
  const parts = [];
  let at = 0;
  for (const match of text.matchAll(/\{(\w+)\}/g)) {
    if (match.index > at) parts.push(text.slice(at, match.index));
    const value = Object.hasOwn(params, match[1]) ? params[match[1]] : undefined;
    if (value === undefined) parts.push({ slot: match[1] });
    else parts.push(typeof value === 'number' ? formatNumber(value) : value);
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}

/**
 * @param {Partial<Record<Intl.LDMLPluralRule, string>>} forms
 * @param {number} count
 */
function pluralForm(forms, count) {
  const category = formatter('plural', {}, (l) => new Intl.PluralRules(l)).select(count);
  return forms[/** @type {Intl.LDMLPluralRule} */ (category)] ?? forms.other ?? '';
}

/**
 * @template T
 * @param {string} kind
 * @param {object} options
 * @param {(locale: string) => T} make
 * @returns {T}
 */
function formatter(kind, options, make) {
  const key = `${current}|${kind}|${JSON.stringify(options)}`;
  let made = formatters.get(key);
  if (!made) {
    made = make(current);
    formatters.set(key, made);
  }
  return made;
}

/**
 * @param {number} value
 * @param {Intl.NumberFormatOptions} [options]
 */
export function formatNumber(value, options = {}) {
  return formatter('number', options, (l) => new Intl.NumberFormat(l, options)).format(value);
}

/**
 * "67%", "67 %": a share from 0 to 1, in whole percent.
 * @param {number} fraction
 */
export function formatPercent(fraction) {
  return formatNumber(fraction, { style: 'percent', maximumFractionDigits: 0 });
}

/**
 * "Ana, Ben and Carla", "Ana, Ben y Carla"; `disjunction` for alternatives ("… or …").
 * @param {string[]} items
 * @param {'conjunction' | 'disjunction'} [type]
 */
export function formatList(items, type = 'conjunction') {
  return formatter('list', { type }, (l) => new Intl.ListFormat(l, { type })).format(items);
}

/**
 * A list's pieces, for items that are not text (links, buttons): `{ index }` where each item
 * goes, in the language's order, and the words between them.
 * @param {number} count
 * @returns {Array<string | { index: number }>}
 */
export function listParts(count) {
  const list = formatter('list', { type: 'conjunction' }, (l) => new Intl.ListFormat(l, { type: 'conjunction' }));
  let index = 0;
  return list.formatToParts(Array.from({ length: count }, (_, i) => String(i))).map((part) => (part.type === 'element' ? { index: index++ } : part.value));
}

/**
 * A time of day: "14:05", "2:05 PM".
 * @param {number} at milliseconds since the epoch
 */
export function formatTime(at) {
  return formatter('time', {}, (l) => new Intl.DateTimeFormat(l, { hour: '2-digit', minute: '2-digit' })).format(at);
}

/**
 * A day and its time: "12 Mar 2025, 14:05".
 * @param {number} at
 */
export function formatDateTime(at) {
  return formatter('datetime', {}, (l) => new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeStyle: 'short' })).format(at);
}

/**
 * From one time to another, the day said once if it is the same: "Nov 30, 2026, 6:40 – 7:10 PM".
 * @param {number} from
 * @param {number} to
 */
export function formatDateTimeRange(from, to) {
  return formatter('datetime', {}, (l) => new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeStyle: 'short' })).formatRange(from, Math.max(from, to));
}

/**
 * A day as a chart's axis says it: "30 Nov", "30. Nov.".
 * @param {number} at
 */
export function formatDay(at) {
  return formatter('day', {}, (l) => new Intl.DateTimeFormat(l, { day: 'numeric', month: 'short' })).format(at);
}

/**
 * How long ago, for the last hour: "now", "5 minutes ago", "vor 5 Minuten".
 * @param {number} at
 * @param {number} now
 */
export function formatAgo(at, now) {
  const seconds = Math.round((at - now) / 1000);
  const rtf = formatter('relative', {}, (l) => new Intl.RelativeTimeFormat(l, { numeric: 'auto' }));
  return Math.abs(seconds) < 60 ? rtf.format(0, 'second') : rtf.format(Math.round(seconds / 60), 'minute');
}

/**
 * A duration as people say it: "2 hr", "1 hr 30 min", "45 min" ("1 Std. 30 Min." in German).
 * Rounded to whole minutes.
 * @param {number} seconds
 */
export function formatDuration(seconds) {
  const minutes = Math.round(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const unit = (/** @type {number} */ value, /** @type {'hour' | 'minute'} */ name) => formatNumber(value, { style: 'unit', unit: name, unitDisplay: 'short' });
  if (hours === 0) return unit(rest, 'minute');
  return rest === 0 ? unit(hours, 'hour') : `${unit(hours, 'hour')} ${unit(rest, 'minute')}`;
}

/**
 * "5 min", "5 Min.": whole minutes.
 * @param {number} minutes
 */
export function formatMinutes(minutes) {
  return formatNumber(minutes, { style: 'unit', unit: 'minute', unitDisplay: 'short' });
}

/**
 * An error from the server (`{code, message}`) or made here, in words. The server writes its
 * messages in English, naming the specifics (which field, which limit), so an English page
 * shows them as they are; other languages get the catalogue's text for the code, and the
 * server's message only for a code this client does not know.
 * @param {{ code?: string, message?: string } | null | undefined} error
 */
export function errorText(error) {
  const key = `error.${error?.code ?? 'unknown'}`;
  if (error?.message && (current === 'en' || !has(key))) return error.message;
  return t(has(key) ? key : 'error.unknown');
}
