// "From your history" in the estimation area: the card similar items were estimated at, how
// sure that is, and the three most similar, once the votes are revealed. Before the reveal the
// facilitator alone may look, on asking: voters who saw it would be anchored by it. It is
// fetched once per round, after the results are drawn, and fills its place when it arrives; a
// similar item from another room of the team names that room. When the rooms it draws on
// change, the suggestion in view is fetched again.

import { errorText, t } from '../i18n.js';
import { SuggestionCache, confidenceText, hasSuggestion, matchesText, suggestionMode } from '../suggestions.js';
import { h, replace } from './dom.js';

/** @typedef {import('../store.js').RoomStore} RoomStore */
/** @typedef {import('../protocol.js').EstimateSuggestion} EstimateSuggestion */

const cache = new SuggestionCache();

/** Rounds in which the facilitator asked to see the suggestion before the reveal. */
const asked = new Set();

/** The suggestion part drawn last, and how to fetch it again. @type {{ root: HTMLElement, reload: () => void } | null} */
let latest = null;

/**
 * Forgets every suggestion fetched, and fetches the one in view again: the rooms it draws on
 * have changed (a team room was linked or unlinked).
 */
export function refreshSuggestions() {
  cache.clear();
  if (latest?.root.isConnected) latest.reload();
}

/**
 * The suggestion's part of the estimation area, or null when this person is not to see one.
 * @param {RoomStore} store
 * @param {any} actions
 * @returns {HTMLElement | null}
 */
export function suggestionPart(store, actions) {
  const round = store.room?.round;
  const mode = suggestionMode(round, !!actions.leadsWithToken);
  if (!round || !mode) return null;
  const key = round.id;
  const root = h('section', { class: mode === 'revealed' ? 'suggestion' : 'suggestion early', 'data-testid': 'suggestion', 'data-mode': mode, 'aria-labelledby': 'suggestion-heading', tabindex: -1 });
  const wanted = () => mode === 'revealed' || asked.has(key);
  const draw = () => {
    const had = root.contains(document.activeElement);
    replace(root, ...(wanted() ? shown(store, mode, key, load, hide) : [offer(show)]));
    if (had && !root.contains(document.activeElement)) (root.querySelector('button') ?? root).focus({ preventScroll: true });
  };
  const load = () => {
    cache.load(key, () => actions.loadSuggestion(round.item_id)).then(() => root.isConnected && draw());
    draw();
  };
  const show = () => {
    asked.add(key);
    load();
  };
  const hide = () => {
    asked.delete(key);
    draw();
  };
  latest = { root, reload: () => (wanted() ? load() : draw()) };
  if (wanted() && cache.get(key)?.state !== 'ready') load();
  else draw();
  return root;
}

/**
 * The facilitator's quiet way to look before the reveal, and why voters do not see it.
 * @param {() => void} show
 */
function offer(show) {
  return h(
    'div',
    { class: 'suggestion-offer' },
    h('h3', { id: 'suggestion-heading', class: 'visually-hidden', text: t('suggestion.heading') }),
    h('button', { type: 'button', class: 'small', 'data-testid': 'show-suggestion', 'aria-describedby': 'suggestion-why', text: t('suggestion.show'), onclick: show }),
    h('p', { id: 'suggestion-why', class: 'suggestion-why', text: t('suggestion.onlyYou') }),
  );
}

/**
 * The suggestion as far as it has come: on its way, failed, too little to go on, or there.
 * @param {RoomStore} store
 * @param {'revealed' | 'on_request'} mode
 * @param {string} key
 * @param {() => void} retry
 * @param {() => void} hide
 */
function shown(store, mode, key, retry, hide) {
  const entry = cache.get(key);
  const head = h(
    'div',
    { class: 'suggestion-head' },
    h('h3', { id: 'suggestion-heading', text: t('suggestion.heading') }),
    mode === 'on_request' && h('button', { type: 'button', class: 'small subtle-button', 'data-testid': 'hide-suggestion', text: t('suggestion.hide'), onclick: hide }),
  );
  const early = mode === 'on_request' && h('p', { class: 'suggestion-why', text: t('suggestion.hiddenFromVoters') });
  if (!entry || entry.state === 'loading') return [head, h('p', { class: 'suggestion-note', role: 'status', 'data-testid': 'suggestion-loading', text: t('suggestion.loading') }), early];
  if (entry.state === 'failed') {
    return [
      head,
      h(
        'p',
        { class: 'suggestion-note', 'data-testid': 'suggestion-error' },
        t('suggestion.failed', { reason: errorText(/** @type {any} */ (entry.error)) }),
        ' ',
        h('button', { type: 'button', class: 'link-button', 'data-testid': 'suggestion-retry', text: t('suggestion.retry'), onclick: retry }),
      ),
      early,
    ];
  }
  const suggestion = entry.suggestion;
  if (!hasSuggestion(suggestion)) return [head, h('p', { class: 'suggestion-note', 'data-testid': 'suggestion-none', text: t('suggestion.notEnough') }), early];
  return [
    head,
    h(
      'div',
      { class: 'suggestion-main' },
      h('span', { class: 'suggestion-card', 'data-testid': 'suggested-card', 'aria-hidden': 'true', text: suggestion.suggested }),
      h(
        'p',
        { class: 'suggestion-words' },
        h('span', { class: 'visually-hidden', text: t('suggestion.suggestedCard', { card: suggestion.suggested }) }),
        h('span', { class: 'suggestion-label', 'aria-hidden': 'true', text: t('suggestion.suggested') }),
        h('strong', { class: `suggestion-confidence confidence-${suggestion.confidence}`, 'data-testid': 'suggestion-confidence', text: confidenceText(suggestion) }),
        h('span', { class: 'suggestion-matches', 'data-testid': 'suggestion-matches', text: matchesText(suggestion) }),
      ),
    ),
    h('ol', { class: 'suggestion-references', 'data-testid': 'suggestion-references', 'aria-label': t('suggestion.references') }, ...suggestion.references.map((reference) => referenceRow(store, reference))),
    early,
  ];
}

/**
 * A similar item: its title (which opens it, if it is still in the backlog), the team room it
 * comes from when not this one, and its estimate.
 * @param {RoomStore} store
 * @param {import('../protocol.js').SuggestionReference} reference
 */
function referenceRow(store, reference) {
  const room = reference.room;
  const known = !room && store.items.has(reference.item_id);
  return h(
    'li',
    { 'data-testid': 'suggestion-reference', 'data-item-id': reference.item_id, 'data-room-id': room?.room_id },
    h(
      'span',
      { class: 'suggestion-what' },
      known
        ? h('button', { type: 'button', class: 'link-button suggestion-title', 'data-testid': 'suggestion-reference-title', text: reference.title, onclick: () => store.select(reference.item_id) })
        : h('span', { class: 'suggestion-title', 'data-testid': 'suggestion-reference-title', text: reference.title }),
      room &&
        h(
          'span',
          { class: 'suggestion-room', 'data-testid': 'suggestion-reference-room' },
          h('span', { 'aria-hidden': 'true', text: t('suggestion.room', { room: room.name }) }),
          h('span', { class: 'visually-hidden', text: t('suggestion.fromRoom', { room: room.name }) }),
        ),
    ),
    h('span', { class: 'mini-card', 'aria-hidden': 'true', text: reference.estimate }),
    h('span', { class: 'visually-hidden', text: t('suggestion.estimatedAt', { estimate: reference.estimate }) }),
  );
}
