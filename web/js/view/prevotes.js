// Pre-votes: while open, each voter works through the items in their own time (only who has
// voted shows); once revealed, what the team agreed on is accepted in one step and the rest
// waits for discussion, widest spread first.

import { errorText, formatDateTime, formatPercent, locale, t } from '../i18n.js';
import { activePrevote, isClosed, myProgress, range, reviewGroups } from '../prevotes.js';
import { SPECIAL_CARDS } from '../protocol.js';
import { cardButtons, confidencePicker, confidenceSummary } from './cards.js';
import { h, replace } from './dom.js';

/** @typedef {import('../prevotes.js').EstimationSnapshot} EstimationSnapshot */
/** @typedef {import('../prevotes.js').PrevoteResult} PrevoteResult */

export class PrevotePanel {
  /**
   * @param {HTMLElement} root
   * @param {import('../store.js').RoomStore} store
   * @param {any} actions
   */
  constructor(root, store, actions) {
    this.root = root;
    this.store = store;
    this.actions = actions;
    /** Agreed items the facilitator left out of the next accept. @type {Set<string>} */
    this.leftOut = new Set();
    this.error = '';
    this.shown = '';
    /** Redraws once the deadline passes, so "closes at" turns into "closed" by itself. */
    this.closing = /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined);
  }

  /** What the panel shows, as one string: equal strings, equal panels. */
  key() {
    const store = this.store;
    const room = /** @type {EstimationSnapshot | null} */ (store.room);
    const titles = (/** @type {{ item_id: string }[]} */ list) => list.map((entry) => store.items.get(entry.item_id)?.title ?? '');
    return JSON.stringify([
      locale(),
      store.you,
      store.isFacilitator,
      store.canVote,
      store.selected,
      room?.prevotes ?? null,
      room?.prevotes ? titles(room.prevotes.rounds) : null,
      room?.prevotes ? isClosed(room.prevotes, Date.now()) : null,
      room?.prevote_review ?? null,
      room?.prevote_review ? titles(room.prevote_review.results) : null,
      room?.round?.item_id ?? null,
      [...this.leftOut],
      this.error,
    ]);
  }

  render() {
    const key = this.key();
    if (key === this.shown) return;
    this.shown = key;
    const room = /** @type {EstimationSnapshot | null} */ (this.store.room);
    const prevotes = room?.prevotes ?? null;
    const review = room?.prevote_review ?? null;
    this.root.hidden = !prevotes && !review;
    clearTimeout(this.closing);
    if (prevotes && !isClosed(prevotes, Date.now())) {
      // Timers cannot wait longer than about 24.8 days; the panel is redrawn before then anyway.
      const wait = Math.min(prevotes.closes_at - Date.now() + 50, 2 ** 31 - 1);
      this.closing = setTimeout(() => this.render(), wait);
    }
    if (this.root.hidden) {
      replace(this.root);
      return;
    }
    const focused = this.focusedControl();
    replace(this.root, prevotes ? this.open(prevotes) : null, review ? this.review(review) : null, this.error ? h('p', { class: 'form-error', role: 'alert', text: this.error }) : null);
    this.restoreFocus(focused);
  }

  /** @returns {string | null} */
  focusedControl() {
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    if (!active || !this.root.contains(active)) return null;
    const testid = active.getAttribute('data-testid');
    const extra = active.getAttribute('data-card') ?? active.getAttribute('data-confidence') ?? active.getAttribute('data-item-id');
    return testid ? `[data-testid="${testid}"]${extra ? `[data-${active.hasAttribute('data-card') ? 'card' : active.hasAttribute('data-confidence') ? 'confidence' : 'item-id'}="${CSS.escape(extra)}"]` : ''}` : null;
  }

  /** @param {string | null} selector */
  restoreFocus(selector) {
    if (!selector) return;
    const again = /** @type {HTMLElement | null} */ (this.root.querySelector(selector));
    again?.focus({ preventScroll: true });
  }

  /**
   * @param {string} what
   * @param {Promise<any>} sent
   */
  async report(what, sent) {
    const reply = await sent;
    this.error = reply?.type === 'error' ? `${what}: ${errorText(reply)}` : '';
    this.render();
  }

  /** @param {import('../prevotes.js').Prevotes} prevotes */
  open(prevotes) {
    const store = this.store;
    const closed = isClosed(prevotes, Date.now());
    const progress = myProgress(prevotes);
    const active = store.canVote && !closed ? activePrevote(prevotes, store.selected) : null;
    const activeItem = active ? store.items.get(active.item_id) : null;
    const votes = prevotes.rounds.reduce((sum, round) => sum + round.voted.length, 0);
    return h(
      'div',
      { class: 'prevotes-open', 'data-testid': 'prevotes-open' },
      h('div', { class: 'panel-head' }, h('h2', { text: t('prevote.heading') }), h('span', { class: closed ? 'badge badge-warning' : 'badge', 'data-testid': 'prevote-deadline', text: closed ? t('prevote.closed') : closesText(prevotes.closes_at) })),
      store.canVote
        ? h('p', { class: 'prevote-progress', 'data-testid': 'prevote-progress', text: t('prevote.progress', { voted: progress.voted, total: progress.total }) })
        : h('p', { class: 'dialog-hint', text: t('prevote.watching') }),
      h(
        'ol',
        { class: 'prevote-list' },
        ...prevotes.rounds.map((round) => {
          const item = store.items.get(round.item_id);
          const current = round === active;
          return h(
            'li',
            { class: current ? 'prevote-row current' : 'prevote-row', 'data-testid': 'prevote-row', 'data-item-id': round.item_id },
            h('button', {
              type: 'button',
              class: 'link-button prevote-title',
              'data-testid': 'prevote-open-item',
              'data-item-id': round.item_id,
              'aria-current': current ? 'true' : undefined,
              text: item?.title ?? '',
              onclick: () => store.select(round.item_id),
            }),
            store.canVote
              ? h(
                  'span',
                  { class: 'prevote-mine', 'data-testid': 'prevote-mine' },
                  h('span', { class: round.my_card != null ? 'mini-card played' : 'mini-card empty', 'aria-hidden': 'true', text: round.my_card ?? '–' }),
                  h('span', { class: 'visually-hidden', text: round.my_card != null ? t('prevote.yourCard', { card: round.my_card }) : t('prevote.notYet') }),
                )
              : null,
            h('span', { class: 'prevote-count', text: t('prevote.voted', { count: round.voted.length }) }),
          );
        }),
      ),
      active && activeItem
        ? h(
            'div',
            { class: 'prevote-active', 'data-testid': 'prevote-active' },
            h('h3', { text: t('prevote.cardFor', { title: activeItem.title }) }),
            cardButtons({
              cards: active.deck.cards,
              mine: active.my_card,
              testid: 'prevote-card',
              label: t('prevote.cardFor', { title: activeItem.title }),
              withKeys: false,
              play: (card) => {
                const again = active.my_card === card;
                this.report(t('prevote.heading'), again ? this.actions.retractVote(active.id) : this.actions.castVote(active.id, card, active.my_confidence ?? null));
              },
            }),
            confidencePicker({
              value: active.my_confidence,
              disabled: active.my_card == null,
              name: 'prevote-confidence',
              choose: (confidence) => {
                if (active.my_card != null) this.report(t('prevote.heading'), this.actions.castVote(active.id, active.my_card, confidence));
              },
            }),
            progress.voted === progress.total ? h('p', { class: 'prevote-done', 'data-testid': 'prevote-done', text: t('prevote.allDone') }) : null,
          )
        : null,
      store.isFacilitator
        ? h(
            'div',
            { class: 'facilitator-controls' },
            h('button', {
              type: 'button',
              class: 'primary',
              'data-testid': 'reveal-prevotes',
              text: t('prevote.revealAll', { count: votes }),
              onclick: () => this.report(t('prevote.heading'), this.actions.revealPrevotes()),
            }),
            h('button', {
              type: 'button',
              'data-testid': 'cancel-prevotes',
              text: t('prevote.cancel'),
              onclick: () => {
                if (votes === 0 || window.confirm(t('prevote.cancelConfirm', { count: votes }))) this.report(t('prevote.heading'), this.actions.cancelPrevotes());
              },
            }),
          )
        : null,
    );
  }

  /** @param {import('../prevotes.js').PrevoteReview} review */
  review(review) {
    const store = this.store;
    const { agreed, discuss } = reviewGroups(review);
    const accepting = agreed.filter((result) => !this.leftOut.has(result.item_id));
    const title = (/** @type {PrevoteResult} */ result) => store.items.get(result.item_id)?.title ?? '';
    const liveOn = store.room?.round?.item_id ?? null;
    return h(
      'div',
      { class: 'prevote-review', 'data-testid': 'prevote-review' },
      h('div', { class: 'panel-head' }, h('h2', { text: t('prevote.resultsHeading') })),
      agreed.length > 0
        ? h(
            'section',
            { class: 'review-group', 'aria-labelledby': 'review-agreed' },
            h('h3', { id: 'review-agreed', text: t('prevote.agreed', { count: agreed.length }) }),
            h(
              'ul',
              { class: 'review-list' },
              ...agreed.map((result) =>
                h(
                  'li',
                  { class: 'review-row', 'data-testid': 'review-agreed', 'data-item-id': result.item_id },
                  store.isFacilitator
                    ? h(
                        'label',
                        { class: 'toggle' },
                        h('input', {
                          type: 'checkbox',
                          'data-testid': 'review-accept-item',
                          'data-item-id': result.item_id,
                          checked: !this.leftOut.has(result.item_id),
                          onchange: (/** @type {Event} */ event) => {
                            if (/** @type {HTMLInputElement} */ (event.target).checked) this.leftOut.delete(result.item_id);
                            else this.leftOut.add(result.item_id);
                            this.render();
                          },
                        }),
                        ' ',
                        h('span', { text: title(result) }),
                      )
                    : h('span', { text: title(result) }),
                  h('span', { class: 'mini-card played', text: result.record.stats.mode ?? '' }),
                  h('span', { class: 'review-meta', text: t('prevote.agreement', { percent: formatPercent(result.record.stats.agreement), count: result.record.stats.votes }) }),
                ),
              ),
            ),
            store.isFacilitator
              ? h('button', {
                  type: 'button',
                  class: 'primary',
                  'data-testid': 'accept-prevotes',
                  disabled: accepting.length === 0,
                  text: t('prevote.acceptAgreed', { count: accepting.length }),
                  onclick: () =>
                    this.report(
                      t('prevote.resultsHeading'),
                      this.actions.acceptPrevotes(accepting.map((result) => result.item_id)),
                    ),
                })
              : null,
          )
        : null,
      discuss.length > 0
        ? h(
            'section',
            { class: 'review-group', 'aria-labelledby': 'review-discuss' },
            h('h3', { id: 'review-discuss', text: t('prevote.discuss', { count: discuss.length }) }),
            h(
              'ol',
              { class: 'review-list' },
              ...discuss.map((result) => {
                const spread = range(result.record, (card) => SPECIAL_CARDS.has(card));
                return h(
                  'li',
                  { class: liveOn === result.item_id ? 'review-row live' : 'review-row', 'data-testid': 'review-discuss', 'data-item-id': result.item_id },
                  h('button', { type: 'button', class: 'link-button', text: title(result), onclick: () => store.select(result.item_id) }),
                  h(
                    'span',
                    { class: 'review-meta' },
                    result.record.stats.votes === 0
                      ? t('prevote.nobody')
                      : spread && spread.low !== spread.high
                        ? t('prevote.range', { low: spread.low, high: spread.high, count: result.record.stats.votes })
                        : t('prevote.noAgreement', { count: result.record.stats.votes }),
                  ),
                  confidenceSummary(result.record.stats.confidence),
                  store.isFacilitator && liveOn !== result.item_id
                    ? h('button', {
                        type: 'button',
                        class: 'small',
                        'data-testid': 'discuss-item',
                        'data-item-id': result.item_id,
                        text: t('prevote.discussNow'),
                        onclick: () => {
                          store.select(result.item_id);
                          this.report(t('prevote.resultsHeading'), this.actions.startRound(result.item_id));
                        },
                      })
                    : liveOn === result.item_id
                      ? h('span', { class: 'badge', text: t('prevote.discussing') })
                      : null,
                );
              }),
            ),
          )
        : null,
      store.isFacilitator
        ? h('button', {
            type: 'button',
            class: 'small',
            'data-testid': 'dismiss-review',
            text: t('prevote.closeReview'),
            onclick: () => this.report(t('prevote.resultsHeading'), this.actions.dismissPrevoteReview()),
          })
        : null,
    );
  }
}

/**
 * "Closes Tue, 1 Dec, 09:00": when pre-votes stop taking votes.
 * @param {number} closesAt
 */
export function closesText(closesAt) {
  return t('prevote.closes', { at: formatDateTime(closesAt) });
}
