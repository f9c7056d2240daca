// Estimate suggestions from the room's own history and its team rooms' (§24), apart from the page: who is offered
// one when, what it says in words, and the answers kept per round, so that the results being
// drawn again (a vote, someone joining) never asks the server twice.

import { t } from './i18n.js';

/** @typedef {import('./protocol.js').EstimateSuggestion} EstimateSuggestion */
/**
 * A round's suggestion as fetched so far.
 * @typedef {{ state: 'loading' } | { state: 'ready', suggestion: EstimateSuggestion } | { state: 'failed', error: unknown }} SuggestionEntry
 */

/** Rounds whose answers are kept: the one under way and a few before, for going back to one. */
const KEPT_ROUNDS = 8;

/**
 * What the estimation area offers for a round: the suggestion for everyone once the votes are
 * revealed; before that, only the facilitator may ask for it (voters must not be anchored by
 * it); nothing for a round on a WSJF part, which no history of estimates speaks to.
 * @param {import('./protocol.js').Round | null | undefined} round
 * @param {boolean} leads whether this person leads the meeting with the facilitator token
 * @returns {'revealed' | 'on_request' | null}
 */
export function suggestionMode(round, leads) {
  if (!round || round.dimension) return null;
  if (round.revealed) return 'revealed';
  return leads ? 'on_request' : null;
}

/**
 * Answers per round. A failure is kept only until asked again, so that trying again fetches.
 */
export class SuggestionCache {
  constructor() {
    /** @type {Map<string, SuggestionEntry>} */
    this.entries = new Map();
    /** @type {Map<string, Promise<SuggestionEntry>>} */
    this.pending = new Map();
    /** Counts clears: an answer asked for before the latest is not kept. */
    this.generation = 0;
  }

  /** Forgets every answer, and any on its way: what they were worked out from has changed. */
  clear() {
    this.generation += 1;
    this.entries.clear();
    this.pending.clear();
  }

  /**
   * @param {string} key the round's id
   * @returns {SuggestionEntry | undefined}
   */
  get(key) {
    return this.entries.get(key);
  }

  /**
   * The round's answer, fetched with `fetch` unless it is here or on its way.
   * @param {string} key
   * @param {() => Promise<EstimateSuggestion>} fetch
   * @returns {Promise<SuggestionEntry>}
   */
  load(key, fetch) {
    const known = this.entries.get(key);
    if (known?.state === 'ready') return Promise.resolve(known);
    const waiting = this.pending.get(key);
    if (waiting) return waiting;
    this.keep(key, { state: 'loading' });
    const generation = this.generation;
    const loading = fetch().then(
      (suggestion) => /** @type {SuggestionEntry} */ ({ state: 'ready', suggestion }),
      (error) => /** @type {SuggestionEntry} */ ({ state: 'failed', error }),
    ).then((entry) => {
      if (generation !== this.generation) return entry;
      this.pending.delete(key);
      this.keep(key, entry);
      return entry;
    });
    this.pending.set(key, loading);
    return loading;
  }

  /**
   * @param {string} key
   * @param {SuggestionEntry} entry
   */
  keep(key, entry) {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > KEPT_ROUNDS) this.entries.delete(/** @type {string} */ (this.entries.keys().next().value));
  }
}

/**
 * How sure the suggestion is, in words: "High confidence".
 * @param {EstimateSuggestion} suggestion
 */
export function confidenceText(suggestion) {
  return suggestion.confidence ? t(`suggestion.confidence.${suggestion.confidence}`) : '';
}

/**
 * What it was worked out from: "from 4 similar items".
 * @param {EstimateSuggestion} suggestion
 */
export function matchesText(suggestion) {
  return t('suggestion.matches', { count: suggestion.matches });
}

/**
 * Whether there is a card to suggest: the server needs three similar items with estimates.
 * @param {EstimateSuggestion} suggestion
 * @returns {suggestion is EstimateSuggestion & { suggested: string }}
 */
export function hasSuggestion(suggestion) {
  return typeof suggestion.suggested === 'string' && suggestion.references.length > 0;
}
