// The estimation area: cards to play, the table of who has voted (face down until reveal), the
// results with their chart and the estimate the room's history suggests, and the facilitator's
// controls. Rebuilt only when something it shows changed, keeping the focus (a card, a button)
// and a half-typed "Other value" across rebuilds.

import { formatList, formatNumber, formatPercent, locale, t } from '../i18n.js';
import { isSplit } from '../protocol.js';
import { nextAgendaItem } from '../agenda.js';
import { roundShare, spoken } from '../timebox.js';
import { deckName } from '../decks.js';
import { spread, verdict } from '../results.js';
import { suggestsSplit } from '../split.js';
import { cardButtons, confidencePicker, confidenceSummary } from './cards.js';
import { h, localized, replace } from './dom.js';
import { suggestionPart } from './suggestion.js';

/** What each estimation area was last built from. @type {WeakMap<HTMLElement, string>} */
const builtFrom = new WeakMap();

/**
 * Everything the area shows, as one string: equal strings, equal areas.
 * @param {import('../store.js').RoomStore} store
 */
function renderKey(store) {
  const room = store.room;
  if (!room) return '';
  const round = room.round;
  const common = [locale(), store.you, store.isFacilitator, store.canVote, store.canEdit, room.settings.auto_reveal, room.settings.suggest_split_at, room.settings.default_deck, store.roundDeck, room.settings.anonymous_reveal ?? false];
  if (!round) {
    const selected = store.selected ? store.items.get(store.selected) : undefined;
    // The agenda's next item depends on every status and the order.
    const agenda = store.orderedItems().map((item) => [item.id, item.title, item.status, item.estimate, isSplit(item)]);
    return JSON.stringify([...common, 'idle', selected?.id ?? null, selected?.history.length ?? 0, room.current_item, agenda, sessionShare(store)]);
  }
  const voters = votersOf(store).map((p) => [p.id, p.name]);
  const roundItem = store.items.get(round.item_id);
  return JSON.stringify([...common, round, roundItem?.title ?? null, roundItem?.description ?? '', roundItem?.acceptance_criteria ?? '', voters, round.revealed ? names(store, [...(round.revealed.stats.outliers?.low ?? []), ...(round.revealed.stats.outliers?.high ?? [])]) : '']);
}

/**
 * What has the focus inside `root`, so that the same control can get it back after a rebuild.
 * @param {HTMLElement} root
 */
function focusedControl(root) {
  const active = /** @type {HTMLElement | null} */ (document.activeElement);
  if (!active || active === root || !root.contains(active)) return null;
  const testid = active.getAttribute('data-testid');
  if (!testid) return null;
  const card = active.getAttribute('data-card');
  const confidence = active.getAttribute('data-confidence');
  const selector = `[data-testid="${CSS.escape(testid)}"]${card !== null ? `[data-card="${CSS.escape(card)}"]` : ''}${confidence !== null ? `[data-confidence="${CSS.escape(confidence)}"]` : ''}`;
  const input = active instanceof HTMLInputElement ? active : null;
  return { selector, start: input?.selectionStart ?? null, end: input?.selectionEnd ?? null };
}

/**
 * @param {HTMLElement} root
 * @param {import('../store.js').RoomStore} store
 * @param {any} actions
 * @param {(item: import('../protocol.js').Item) => void} openSplit
 * @param {() => void} openDeck
 */
export function renderEstimation(root, store, actions, openSplit, openDeck) {
  const room = store.room;
  if (!room) return;
  const key = renderKey(store);
  if (builtFrom.get(root) === key) return;
  builtFrom.set(root, key);
  const focus = focusedControl(root);
  const hadFocus = root.contains(document.activeElement);
  const customInput = /** @type {HTMLInputElement | null} */ (root.querySelector('[data-testid="accept-value"]'));
  const custom = customInput && root.dataset.roundId === room.round?.id ? customInput.value : '';
  build(root, store, actions, openSplit, openDeck);
  root.dataset.roundId = room.round?.id ?? '';
  const newInput = /** @type {HTMLInputElement | null} */ (root.querySelector('[data-testid="accept-value"]'));
  if (newInput && custom) newInput.value = custom;
  const target = focus ? /** @type {HTMLElement | null} */ (root.querySelector(focus.selector)) : null;
  if (target && focus) {
    target.focus({ preventScroll: true });
    if (target instanceof HTMLInputElement && focus.start !== null) target.setSelectionRange(focus.start, focus.end ?? focus.start);
  } else if (hadFocus && document.activeElement !== root) {
    // The control pressed is gone (a round started, votes revealed): the focus goes to what
    // comes next here, in this order, rather than falling to the page.
    const next = NEXT_FOCUS.map((selector) => /** @type {HTMLElement | null} */ (root.querySelector(selector))).find(Boolean);
    (next ?? root).focus({ preventScroll: true });
  }
}

/**
 * @param {HTMLElement} root
 * @param {import('../store.js').RoomStore} store
 * @param {any} actions
 * @param {(item: import('../protocol.js').Item) => void} openSplit
 * @param {() => void} openDeck
 */
function build(root, store, actions, openSplit, openDeck) {
  const room = /** @type {import('../protocol.js').Snapshot} */ (store.room);
  const round = room.round;
  root.dataset.phase = round ? round.phase : 'idle';
  if (!round) {
    const selected = store.selected ? store.items.get(store.selected) : undefined;
    replace(
      root,
      h('h2', { text: t('estimation.heading') }),
      store.isFacilitator
        ? h(
            'div',
            { class: 'idle' },
            ...idleFacilitator(store, actions, selected, openDeck),
            autoRevealToggle(store, actions),
          )
        : h('p', { class: 'idle', text: t('estimation.waiting') }),
    );
    return;
  }
  const item = store.items.get(round.item_id);
  const voters = votersOf(store);
  const record = round.revealed;
  const outlier = new Map();
  if (record?.stats.outliers) {
    for (const id of record.stats.outliers.low) outlier.set(id, 'low');
    for (const id of record.stats.outliers.high) outlier.set(id, 'high');
  }
  const cards = new Map(record ? record.votes.map((v) => [v.participant_id, v.card]) : []);
  const confidenceOf = new Map(record ? record.votes.map((v) => [v.participant_id, v.confidence]) : []);
  const voted = new Set(round.voted);
  // The cards turn over once, at the reveal, not again whenever the panel is drawn.
  const revealKey = record ? `${round.id}:${round.number}` : null;
  const flip = revealKey !== null && flippedAt.get(root) !== revealKey;
  if (revealKey) flippedAt.set(root, revealKey);

  replace(
    root,
    h(
      'div',
      { class: 'estimation-head' },
      h(
        'h2',
        {},
        ...localized(
          `estimation.${round.phase === 'voting' ? 'voting' : 'results'}${round.dimension ? 'Dimension' : ''}`,
          round.dimension ? { dimension: t(`wsjf.dimension.${round.dimension}`) } : {},
          { title: h('button', { type: 'button', class: 'link-button', text: item?.title ?? t('item.deleted'), onclick: () => item && store.select(item.id) }) },
        ),
      ),
      h('span', { class: 'round-number', text: t('estimation.round', { number: round.number }) }),
    ),
    record?.anonymous ? anonymousVotes(record, flip) : h(
      'ul',
      { class: `vote-table${flip ? ' flip' : ''}`, 'data-testid': 'vote-table', 'aria-label': t('estimation.votes') },
      ...voters.map((p, index) => {
        const state = record ? 'revealed' : voted.has(p.id) ? 'voted' : 'waiting';
        const card = cards.get(p.id);
        return h(
          'li',
          {
            class: `vote-slot ${state}`,
            'data-testid': 'vote-slot',
            'data-participant-id': p.id,
            'data-state': state,
            'data-outlier': outlier.get(p.id) ?? null,
            style: { '--i': index },
          },
          h('span', {
            class: 'slot-card',
            role: 'img',
            'aria-label': state === 'revealed' ? (card ? t('estimation.slot.revealed', { name: p.name, card }) : t('estimation.slot.revealedNothing', { name: p.name })) : t(`estimation.slot.${state}`, { name: p.name }),
            text: state === 'revealed' ? card ?? '–' : state === 'voted' ? '' : '…',
          }),
          h('span', { class: 'slot-name', text: p.id === store.you ? t('estimation.you') : p.name }),
          confidenceOf.get(p.id) ? h('span', { class: `slot-confidence confidence-${confidenceOf.get(p.id)}`, 'data-testid': 'slot-confidence', text: t(`confidence.${confidenceOf.get(p.id)}`) }) : null,
        );
      }),
    ),
    round.phase === 'voting' ? votingPart(store, actions) : resultsPart(store, actions, openSplit),
  );
}

/**
 * The cards of a reveal without names: each vote face up, with nobody under it.
 * @param {import('../protocol.js').RoundRecord} record
 * @param {boolean} flip
 */
function anonymousVotes(record, flip) {
  const cards = record.stats.distribution.flatMap((d) => Array.from({ length: d.count }, () => d.card));
  return h(
    'div',
    {},
    h(
      'ul',
      { class: `vote-table${flip ? ' flip' : ''}`, 'data-testid': 'vote-table', 'data-anonymous': 'true', 'aria-label': t('estimation.votesAnonymous') },
      ...cards.map((card, index) =>
        h('li', { class: 'vote-slot revealed', 'data-testid': 'vote-slot', 'data-state': 'revealed', style: { '--i': index } }, h('span', { class: 'slot-card', role: 'img', 'aria-label': t('estimation.aVote', { card }), text: card })),
      ),
    ),
    h('p', { class: 'anonymous-note', 'data-testid': 'anonymous-note', text: t('estimation.anonymousRevealed') }),
  );
}

/** Where the focus goes when the control that had it is gone, first match first. */
const NEXT_FOCUS = ['[data-testid="card"][tabindex="0"]', '[data-testid="reveal"]:not(:disabled)', '[data-testid="accept"]', '[data-testid="revote"]', '[data-testid="next-item"]', '[data-testid="start-round-here"]'];

/** Which reveal each panel has shown turning over. @type {WeakMap<HTMLElement, string>} */
const flippedAt = new WeakMap();

/**
 * Everyone who votes in this round: online voters, and anyone who already voted.
 * @param {import('../store.js').RoomStore} store
 */
function votersOf(store) {
  const round = store.room?.round;
  const ids = new Set(round?.revealed ? round.revealed.votes.map((v) => v.participant_id) : round?.voted ?? []);
  return store.orderedParticipants().filter((p) => ids.has(p.id) || (!round?.revealed && p.role === 'voter' && p.online));
}

/**
 * @param {import('../store.js').RoomStore} store
 * @param {any} actions
 */
function votingPart(store, actions) {
  const round = /** @type {import('../protocol.js').Round} */ (store.room?.round);
  const mine = round.my_card;
  const item = store.items.get(round.item_id);
  return h(
    'div',
    { class: 'voting' },
    item &&
      (item.description || item.acceptance_criteria) &&
      h(
        'details',
        {
          class: 'round-item',
          'data-testid': 'round-item',
          open: !aboutFolded.has(round.id),
          ontoggle: (/** @type {Event} */ event) => {
            if (/** @type {HTMLDetailsElement} */ (event.currentTarget).open) aboutFolded.delete(round.id);
            else aboutFolded.add(round.id);
          },
        },
        h('summary', { text: t('estimation.aboutItem') }),
        item.description && h('p', { class: 'round-item-text', text: item.description }),
        item.acceptance_criteria && h('strong', { text: t('item.acceptanceCriteria') }),
        item.acceptance_criteria && h('p', { class: 'round-item-text', text: item.acceptance_criteria }),
      ),
    store.canVote
      ? cardButtons({ cards: round.deck.cards, mine, testid: 'card', label: t('estimation.yourCard'), play: (card) => actions.vote(card) })
      : h('p', { class: 'observer-note', text: t('estimation.observing') }),
    store.canVote && h('p', { class: 'my-vote', 'aria-live': 'polite', text: mine ? t('estimation.played', { card: mine }) : t('estimation.pick') }),
    store.canVote && confidencePicker({ value: round.my_confidence, disabled: !mine, name: 'round-confidence', choose: (confidence) => actions.setConfidence(confidence) }),
    round.anonymous && h('p', { class: 'anonymous-note', 'data-testid': 'anonymous-round', text: t('estimation.anonymousRound') }),
    store.isFacilitator &&
      h(
        'div',
        { class: 'facilitator-controls' },
        h('button', {
          type: 'button',
          class: 'primary',
          'data-testid': 'reveal',
          text: t('estimation.reveal', { count: round.voted.length }),
          disabled: round.voted.length === 0,
          title: t(round.voted.length === 0 ? 'estimation.nobodyVoted' : 'estimation.revealTitle'),
          onclick: () => actions.reveal(),
        }),
        h('button', { type: 'button', 'data-testid': 'cancel-round', text: t('estimation.cancel'), onclick: () => actions.cancelRound() }),
        autoRevealToggle(store, actions),
      ),
    suggestionPart(store, actions),
  );
}

/**
 * @param {import('../store.js').RoomStore} store
 * @param {any} actions
 * @param {(item: import('../protocol.js').Item) => void} openSplit
 */
function resultsPart(store, actions, openSplit) {
  const round = /** @type {import('../protocol.js').Round} */ (store.room?.round);
  const record = /** @type {import('../protocol.js').RoundRecord} */ (round.revealed);
  const stats = record.stats;
  const max = Math.max(1, ...stats.distribution.map((d) => d.count));
  const said = verdict(stats, !!record.anonymous);
  /** @param {string} card */
  const acceptText = (card) => (round.dimension ? t('estimation.acceptDimension', { card, dimension: t(`wsjf.dimension.${round.dimension}`) }) : t('estimation.accept', { card }));
  let custom = /** @type {HTMLInputElement | null} */ (null);
  return h(
    'div',
    { class: 'results', 'data-testid': 'results' },
    h(
      'div',
      { class: 'chart', role: 'img', 'aria-label': t('estimation.distribution', { votes: stats.distribution.map((d) => t('estimation.times', { count: d.count, card: d.card })).join(', ') || t('estimation.noVotes') }) },
      ...stats.distribution.map((d) =>
        h(
          'div',
          { class: `bar${d.card === stats.mode ? ' mode' : ''}`, 'data-testid': 'bar', 'data-card': d.card, 'data-count': d.count },
          h('span', { class: 'bar-count', text: formatNumber(d.count) }),
          h('span', { class: 'bar-fill', style: { height: `${Math.round((d.count / max) * 100)}%` } }),
          h('span', { class: 'bar-card', text: d.card }),
        ),
      ),
      stats.distribution.length === 0 && h('p', { text: t('estimation.nobody') }),
    ),
    h(
      'dl',
      { class: 'stats' },
      stat(t('estimation.average'), stats.average === null ? '—' : formatNumber(stats.average), 'stat-average'),
      stat(t('estimation.median'), stats.median === null ? '—' : formatNumber(stats.median), 'stat-median'),
      stat(t('estimation.mode'), stats.mode ?? '—', 'stat-mode'),
      stat(t('estimation.agreement'), `${formatPercent(stats.agreement)}${stats.consensus ? '\u00a0✓' : ''}`, 'stat-agreement'),
    ),
    spreadLine(record),
    confidenceSummary(stats.confidence),
    h('p', { class: `verdict ${said.kind}`, 'data-testid': 'verdict', 'data-kind': said.kind, text: said.text }),
    splitSuggestion(store, record, openSplit),
    stats.outliers && h('p', { class: 'outliers', text: t('estimation.outliers', { low: stats.outliers.low_card, lowNames: names(store, stats.outliers.low), high: stats.outliers.high_card, highNames: names(store, stats.outliers.high) }) }),
    suggestionPart(store, actions),
    store.isFacilitator &&
      h(
        'div',
        { class: 'facilitator-controls' },
        stats.mode && h('button', { type: 'button', class: 'primary', 'data-testid': 'accept', text: acceptText(stats.mode), onclick: () => actions.accept(stats.mode) }),
        // Without an agreed card, talking and voting again comes first; any tied card can still be taken.
        h('button', { type: 'button', class: stats.mode ? '' : 'primary', 'data-testid': 'revote', text: t('estimation.revote'), onclick: () => actions.revote() }),
        ...said.tied.map((card) => h('button', { type: 'button', 'data-testid': 'accept-tied', 'data-card': card, text: acceptText(card), onclick: () => actions.accept(card) })),
        h(
          'form',
          {
            class: 'accept-custom',
            onsubmit: (/** @type {Event} */ event) => {
              event.preventDefault();
              if (custom?.value.trim()) actions.accept(custom.value.trim());
            },
          },
          (custom = h('input', { 'data-testid': 'accept-value', maxlength: 16, placeholder: t('estimation.otherValue'), 'aria-label': t('estimation.acceptValue') })),
          h('button', { type: 'submit', 'data-testid': 'accept-custom', text: t('estimation.acceptCustom') }),
        ),
        h('button', { type: 'button', class: 'subtle-button', 'data-testid': 'cancel-round', text: t('estimation.close'), onclick: () => actions.cancelRound() }),
      ),
  );
}

/**
 * How far apart the votes are, in cards of the deck.
 * @param {import('../protocol.js').RoundRecord} record
 */
function spreadLine(record) {
  const gap = spread(record);
  if (!gap) return null;
  return h('p', { class: 'spread', 'data-testid': 'spread', text: t('estimation.spread', { low: gap.low, high: gap.high, count: gap.steps }) });
}

/**
 * What the facilitator does between rounds: estimate the open item, or, once it is estimated
 * or ready, go on to the next item on the agenda (and start its round at once, if they like).
 * @param {import('../store.js').RoomStore} store
 * @param {any} actions
 * @param {import('../protocol.js').Item | undefined} selected
 * @param {() => void} openDeck
 */
function idleFacilitator(store, actions, selected, openDeck) {
  if (!selected) return [h('p', { text: t('estimation.openItem') })];
  const next = nextAgendaItem(store.orderedItems(), store.room?.current_item ?? selected.id);
  const done = isSplit(selected) || selected.status === 'ready' || selected.estimate !== null;
  const estimate = !isSplit(selected) && h('button', { type: 'button', class: done ? '' : 'primary', 'data-testid': 'start-round-here', text: t(selected.history.length ? 'item.estimateAgain' : 'item.estimate'), onclick: () => actions.startRound(selected.id) });
  const title = selected.title;
  const text = isSplit(selected)
    ? t('estimation.idle.split', { title })
    : done
      ? selected.status === 'ready'
        ? t('estimation.idle.ready', { title })
        : t('estimation.idle.estimated', { title, estimate: selected.estimate ?? '' })
      : t('estimation.idle.start', { title });
  const withRound = h('input', { type: 'checkbox', 'data-testid': 'next-with-round', checked: nextWithRound });
  withRound.addEventListener('change', () => {
    nextWithRound = withRound.checked;
  });
  return [
    h('p', { text }),
    h(
      'div',
      { class: 'idle-actions' },
      next && h('button', { type: 'button', class: done ? 'primary' : '', 'data-testid': 'next-item', title: t('estimation.nextTitle'), text: t('estimation.next', { title: next.title }), onclick: () => actions.nextItem(nextWithRound) }),
      estimate,
    ),
    next && h('label', { class: 'toggle' }, withRound, ' ', t('estimation.nextWithRound')),
    roundTimeboxToggle(store),
    deckLine(store, openDeck),
    !next && h('p', { class: 'agenda-done', 'data-testid': 'agenda-done', text: t('estimation.agendaDone') }),
  ];
}

/**
 * Which deck the next round uses, and the way to change it.
 * @param {import('../store.js').RoomStore} store
 * @param {() => void} openDeck
 */
function deckLine(store, openDeck) {
  const room = store.room;
  if (!room) return null;
  const deck = store.roundDeck ?? room.settings.default_deck;
  return h(
    'p',
    { class: 'deck-line', 'data-testid': 'deck-line' },
    h('span', { text: t(store.roundDeck ? 'estimation.deckNextRound' : 'estimation.deck', { deck: deckName(deck) }) }),
    h('button', { type: 'button', class: 'small', 'data-testid': 'open-deck', 'aria-haspopup': 'dialog', text: t('estimation.changeDeck'), onclick: openDeck }),
  );
}

/**
 * In a session: whether the rounds the facilitator starts get the item's share of the time left.
 * @param {import('../store.js').RoomStore} store
 */
function roundTimeboxToggle(store) {
  const share = sessionShare(store);
  if (share === null) return null;
  const toggle = h('input', { type: 'checkbox', 'data-testid': 'round-timebox', checked: store.timeboxRounds });
  toggle.addEventListener('change', () => {
    store.timeboxRounds = toggle.checked;
  });
  return h('label', { class: 'toggle' }, toggle, ' ', t('estimation.roundTimebox', { share: spoken(share) }));
}

/**
 * An item's share of what is left of the session, or null outside one.
 * @param {import('../store.js').RoomStore} store
 */
function sessionShare(store) {
  return store.room ? roundShare(store.room, store.orderedItems(), Date.now()) : null;
}

/** Rounds whose "About this item" this person folded away: it stays folded as the area is redrawn. */
const aboutFolded = new Set();

/** Whether "Next item" also starts the next round; kept while the page is open. */
let nextWithRound = false;

/**
 * After votes this large, the item is likely too big for a sprint: say so, and offer the split
 * to whoever may split.
 * @param {import('../store.js').RoomStore} store
 * @param {import('../protocol.js').RoundRecord} record
 * @param {(item: import('../protocol.js').Item) => void} openSplit
 */
function splitSuggestion(store, record, openSplit) {
  const room = /** @type {import('../protocol.js').Snapshot} */ (store.room);
  const item = room.round ? store.items.get(room.round.item_id) : undefined;
  if (!item || isSplit(item) || record.dimension || !suggestsSplit(record, room.settings)) return null;
  return h(
    'div',
    { class: 'split-suggestion', 'data-testid': 'split-suggestion' },
    h('p', { text: t('estimation.splitSuggestion') }),
    store.canEdit && h('button', { type: 'button', 'data-testid': 'split-suggested', text: t('estimation.splitSuggested'), onclick: () => openSplit(item) }),
  );
}

/**
 * @param {string} label
 * @param {string | number} value
 * @param {string} testid
 */
function stat(label, value, testid) {
  return h('div', { class: 'stat' }, h('dt', { text: label }), h('dd', { 'data-testid': testid, text: value }));
}

/**
 * @param {import('../store.js').RoomStore} store
 * @param {string[]} ids
 */
function names(store, ids) {
  return formatList(ids.map((id) => store.nameOf(id)));
}

/**
 * @param {import('../store.js').RoomStore} store
 * @param {any} actions
 */
function autoRevealToggle(store, actions) {
  const settings = store.room?.settings;
  return h(
    'div',
    { class: 'reveal-options' },
    checkbox('auto-reveal', !!settings?.auto_reveal, (on) => actions.setAutoReveal(on), t('estimation.autoReveal')),
    checkbox('anonymous-reveal', !!settings?.anonymous_reveal, (on) => actions.setAnonymousReveal(on), t('estimation.anonymousReveal')),
  );
}

/**
 * A labelled checkbox of the facilitator's.
 * @param {string} testid
 * @param {boolean} checked
 * @param {(on: boolean) => void} change
 * @param {string} text
 */
function checkbox(testid, checked, change, text) {
  return h(
    'label',
    { class: 'toggle' },
    h('input', { type: 'checkbox', 'data-testid': testid, checked, onchange: (/** @type {Event} */ event) => change(/** @type {HTMLInputElement} */ (event.target).checked) }),
    ' ',
    text,
  );
}
