// The Webhooks tab of the tracker dialog: the facilitator points the room at receivers (a
// tracker sync, a chat bot) that are sent a signed request when something happens, sees a new
// webhook's signing secret once, sends a test, and follows each webhook's deliveries: the log
// is fetched again while deliveries are under way, and left alone once they have settled, the
// tab is left or the dialog closes. The secret lives in this part only until it is dismissed
// or the dialog closes; the room keeps it to sign with, but never shows it again.

import { errorText, formatDateTime, t } from '../../i18n.js';
import { WEBHOOK_EVENTS, WEBHOOKS } from '../../protocol.js';
import {
  SHOWN_FIRST,
  SIGNATURE_FORMAT,
  SIGNATURE_HEADER,
  attemptsText,
  deliveredWhen,
  deliveryState,
  eventsProblem,
  isFull,
  newestFirst,
  outcomeText,
  refreshDelay,
  retryText,
  settled,
  shownDeliveries,
  urlProblem,
} from '../../webhooks.js';
import { copyRow, h, localized, replace } from '../dom.js';
import { latest } from '../../latest.js';

/** @typedef {import('../../protocol.js').Webhook} Webhook */
/** @typedef {import('../../protocol.js').WebhookEvent} WebhookEvent */
/** @typedef {import('../../protocol.js').Delivery} Delivery */

/** The events a new webhook starts with. */
const DEFAULT_EVENTS = /** @type {WebhookEvent[]} */ (['estimate.accepted']);
/** What each state shows beside its word, so that colour is never all that tells them apart. */
const STATE_MARKS = { sending: '…', retrying: '↻', delivered: '✓', failed: '✕' };

export class Webhooks {
  /**
   * @param {any} actions
   * @param {() => void} close closes the dialog
   */
  constructor(actions, close) {
    this.actions = actions;
    this.close = close;
    this.root = h('div', { class: 'stack webhooks', 'data-testid': 'webhooks' });
    /** Read by screen readers when a test is sent or a delivery settles; kept across redraws. */
    this.live = h('p', { class: 'visually-hidden', role: 'status', 'data-testid': 'webhooks-live' });
    /** @type {HTMLElement | null} */
    this.listSection = null;
    /** The room's webhooks, null until loaded. @type {Webhook[] | null} */
    this.webhooks = null;
    this.loadProblem = '';
    this.refreshProblem = '';
    /** The webhook just created, with its secret: shown until dismissed. @type {{ url: string, secret: string } | null} */
    this.secret = null;
    /** The webhook whose deletion waits for a yes. @type {string | null} */
    this.confirming = null;
    /** What is wrong with the form: the URL, the events, or what the server said. */
    this.problems = { url: '', events: '', create: '' };
    /** A failed ping, retry or deletion, said on its webhook. @type {{ id: string, text: string } | null} */
    this.actionProblem = null;
    this.busy = false;
    /** Webhooks whose test is being queued, deliveries being retried. */
    this.pinging = new Set();
    this.retrying = new Set();
    /** Webhooks whose whole log is shown. */
    this.expanded = new Set();
    /** Deliveries asked for here (tests, retries), announced when they settle. */
    this.watched = new Set();
    /** What was typed and chosen, kept across redraws. @type {{ url: string, events: WebhookEvent[] }} */
    this.draft = { url: '', events: [...DEFAULT_EVENTS] };
    /** Whether the tab is in view, so that its log may be followed. */
    this.active = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    /** Counts fetches and changes: an answer older than the latest is dropped. */
    this.sequence = 0;
  }

  /** Back to the start, the secret forgotten; the list is fetched again when shown. */
  reset() {
    this.stop();
    this.sequence += 1;
    this.webhooks = null;
    this.loadProblem = '';
    this.refreshProblem = '';
    this.secret = null;
    this.confirming = null;
    this.problems = { url: '', events: '', create: '' };
    this.actionProblem = null;
    this.pinging.clear();
    this.retrying.clear();
    this.expanded.clear();
    this.watched.clear();
    this.draft = { url: '', events: [...DEFAULT_EVENTS] };
    this.live.textContent = '';
    this.render();
  }

  /** The secret goes once the dialog is closed, and the log is no longer followed. */
  forget() {
    this.stop();
    this.secret = null;
    this.render();
  }

  /** Stops following the log (the tab was left). */
  stop() {
    this.active = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The tab is in view: fetches the list, or fetches it again to bring the log up to date. */
  async show() {
    this.active = true;
    if (this.webhooks) return this.refresh();
    const answer = latest(this, () => this.actions.listWebhooks());
    this.render();
    const loaded = await answer;
    if (!loaded) return;
    if ('error' in loaded) {
      this.loadProblem = t('webhooks.failed', { reason: errorText(loaded.error) });
    } else {
      this.webhooks = loaded.value;
      this.loadProblem = '';
    }
    this.render();
    this.schedule();
  }

  /** Fetches the list again and redraws it alone (the form keeps what is being typed). */
  async refresh() {
    clearTimeout(this.timer);
    const loaded = await latest(this, () => this.actions.listWebhooks());
    if (!loaded) return;
    if ('error' in loaded) {
      // Said, and not tried again by itself: the Refresh button is there.
      this.refreshProblem = t('webhooks.refreshFailed', { reason: errorText(loaded.error) });
      this.renderList();
      return;
    }
    this.webhooks = loaded.value;
    this.loadProblem = '';
    this.refreshProblem = '';
    this.announceSettled(loaded.value);
    this.renderList();
    this.schedule();
  }

  /** Looks again soon after the next pending attempt is due, while the tab is in view. */
  schedule() {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.active || !this.webhooks) return;
    const delay = refreshDelay(this.webhooks, Date.now());
    if (delay !== null) this.timer = setTimeout(() => this.refresh(), delay);
  }

  /** @param {Webhook[]} webhooks */
  announceSettled(webhooks) {
    const done = settled(webhooks, this.watched);
    for (const delivery of done) this.watched.delete(delivery.id);
    const last = done.at(-1);
    if (!last) return;
    this.announce(last.status === 'delivered' ? t('webhooks.announce.delivered', { event: last.event }) : t('webhooks.announce.failed', { event: last.event }));
  }

  /** @param {string} text */
  announce(text) {
    this.live.textContent = text;
  }

  render() {
    this.listSection = this.listView();
    replace(
      this.root,
      h('p', { class: 'dialog-hint', text: t('webhooks.hint') }),
      this.secret && this.secretView(this.secret),
      this.createForm(),
      this.listSection,
      this.verifyView(),
      this.live,
      h('div', { class: 'dialog-buttons' }, h('button', { type: 'button', 'data-testid': 'webhooks-close', text: t('dialog.close'), onclick: () => this.close() })),
    );
  }

  /** Draws the list again, the focus kept on the control it was on (or near it, if that went). */
  renderList() {
    const old = this.listSection;
    if (!old || !this.root.contains(old)) return this.render();
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    const inside = active && old.contains(active) ? active : null;
    const key = inside?.dataset.focus;
    const fallback = inside?.dataset.focusFallback;
    this.listSection = this.listView();
    old.replaceWith(this.listSection);
    if (!inside) return;
    const target = (key && this.listSection.querySelector(`[data-focus="${CSS.escape(key)}"]`)) || (fallback && this.listSection.querySelector(`[data-focus="${CSS.escape(fallback)}"]`)) || this.listSection.querySelector('#webhooks-list-heading');
    /** @type {HTMLElement | null} */ (target)?.focus();
  }

  /** @param {{ url: string, secret: string }} secret */
  secretView(secret) {
    return h(
      'section',
      { class: 'api-secret webhook-secret-box', 'data-testid': 'webhook-secret-box', 'aria-labelledby': 'webhook-secret-heading', tabindex: -1 },
      h('h3', { id: 'webhook-secret-heading', text: t('webhooks.secretHeading') }),
      h('p', { class: 'webhook-url', text: secret.url }),
      h('p', { class: 'api-secret-warning', text: t('webhooks.secretWarning') }),
      h('label', { class: 'visually-hidden', for: 'webhook-secret', text: t('webhooks.secretLabel') }),
      copyRow({ id: 'webhook-secret', value: secret.secret, fieldTestId: 'webhook-secret', buttonTestId: 'copy-webhook-secret' }),
      h('p', { class: 'dialog-hint' }, ...localized('webhooks.secretHint', {}, { header: h('code', { text: SIGNATURE_HEADER }) })),
      h('div', { class: 'dialog-buttons' }, h('button', { type: 'button', 'data-testid': 'webhook-secret-done', text: t('webhooks.secretDone'), onclick: () => this.dismissSecret() })),
    );
  }

  createForm() {
    const full = !!this.webhooks && isFull(this.webhooks);
    const { url: urlProblemText, events: eventsProblemText, create: createProblem } = this.problems;
    const url = h('input', {
      id: 'webhook-url',
      type: 'url',
      inputmode: 'url',
      'data-testid': 'webhook-url',
      maxlength: WEBHOOKS.urlChars,
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: t('webhooks.urlPlaceholder'),
      value: this.draft.url,
      disabled: full,
      'aria-describedby': urlProblemText ? 'webhook-url-problem' : 'webhook-url-hint',
      'aria-invalid': urlProblemText ? 'true' : undefined,
      oninput: () => {
        this.draft.url = url.value;
      },
    });
    const event = (/** @type {WebhookEvent} */ name) =>
      h(
        'label',
        { class: 'webhook-event-choice' },
        h('input', {
          type: 'checkbox',
          name: 'webhook-events',
          value: name,
          'data-testid': `webhook-event-${name}`,
          checked: this.draft.events.includes(name),
          disabled: full,
          onchange: (/** @type {Event} */ change) => {
            const on = /** @type {HTMLInputElement} */ (change.target).checked;
            this.draft.events = WEBHOOK_EVENTS.filter((other) => (other === name ? on : this.draft.events.includes(other)));
          },
        }),
        h('span', {}, h('strong', { text: t(`webhooks.event.${name}`) }), h('code', { text: name })),
      );
    return h(
      'form',
      {
        class: 'stack api-create webhook-create',
        'data-testid': 'webhook-create-form',
        novalidate: true,
        onsubmit: (/** @type {Event} */ submit) => {
          submit.preventDefault();
          this.create();
        },
      },
      h('h3', { text: t('webhooks.newHeading') }),
      h(
        'div',
        { class: 'api-create-fields' },
        h('label', { for: 'webhook-url' }, t('webhooks.url')),
        url,
        urlProblemText
          ? h('p', { class: 'form-error', id: 'webhook-url-problem', role: 'alert', 'data-testid': 'webhook-url-problem', text: urlProblemText })
          : h('p', { class: 'dialog-hint', id: 'webhook-url-hint', text: t('webhooks.urlHint') }),
      ),
      h(
        'fieldset',
        { class: 'api-scopes webhook-events', 'aria-describedby': eventsProblemText ? 'webhook-events-problem' : undefined },
        h('legend', { text: t('webhooks.events') }),
        ...WEBHOOK_EVENTS.map(event),
      ),
      eventsProblemText && h('p', { class: 'form-error', id: 'webhook-events-problem', role: 'alert', 'data-testid': 'webhook-events-problem', text: eventsProblemText }),
      createProblem && h('p', { class: 'form-error', role: 'alert', 'data-testid': 'webhook-create-problem', text: createProblem }),
      full && h('p', { class: 'dialog-hint', 'data-testid': 'webhooks-full', text: t('webhooks.full', { max: WEBHOOKS.max }) }),
      h('div', { class: 'dialog-buttons' }, h('button', { type: 'submit', class: 'primary', 'data-testid': 'webhook-create', disabled: full, 'aria-disabled': this.busy ? 'true' : undefined, text: t(this.busy ? 'webhooks.creating' : 'webhooks.create') })),
    );
  }

  listView() {
    const webhooks = this.webhooks;
    const heading = h('h3', { id: 'webhooks-list-heading', tabindex: -1 }, t('webhooks.list'), ' ', webhooks && h('span', { class: 'count', text: t('webhooks.count', { count: webhooks.length, max: WEBHOOKS.max }) }));
    let body;
    if (this.loadProblem) body = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'webhooks-error', text: this.loadProblem });
    else if (!webhooks) body = h('p', { class: 'dialog-hint', role: 'status', text: t('webhooks.loading') });
    else if (webhooks.length === 0) body = h('p', { class: 'dialog-hint', 'data-testid': 'webhooks-empty', text: t('webhooks.none') });
    else body = h('ul', { class: 'webhook-list', 'data-testid': 'webhook-list', 'aria-labelledby': 'webhooks-list-heading' }, ...newestFirst(webhooks).map((webhook) => this.webhookView(webhook)));
    return h(
      'section',
      { class: 'api-list webhooks-list' },
      h(
        'div',
        { class: 'webhooks-list-head' },
        heading,
        webhooks && h('button', { type: 'button', class: 'small', 'data-testid': 'webhooks-refresh', 'data-focus': 'refresh', text: t('webhooks.refresh'), onclick: () => this.refresh() }),
      ),
      this.refreshProblem && h('p', { class: 'form-error', role: 'alert', 'data-testid': 'webhooks-refresh-error', text: this.refreshProblem }),
      body,
    );
  }

  /** @param {Webhook} webhook */
  webhookView(webhook) {
    const confirming = this.confirming === webhook.id;
    const pinging = this.pinging.has(webhook.id);
    const problem = this.actionProblem?.id === webhook.id ? this.actionProblem.text : '';
    const urlId = `webhook-url-${webhook.id}`;
    return h(
      'li',
      { class: 'webhook', 'data-testid': 'webhook', 'data-webhook-id': webhook.id },
      h(
        'div',
        { class: 'webhook-main' },
        h('p', { class: 'webhook-url', id: urlId, 'data-testid': 'webhook-url-text', text: webhook.url }),
        h(
          'div',
          { class: 'webhook-meta' },
          h('span', { class: 'visually-hidden', text: t('webhooks.subscribed') }),
          ...webhook.events.map((name) => h('code', { class: 'webhook-event', 'data-testid': 'webhook-event', title: t(`webhooks.event.${name}`), text: name })),
          h('span', { class: 'api-token-date', text: t('webhooks.createdAt', { date: formatDateTime(webhook.created_at) }) }),
        ),
        !confirming &&
          h(
            'div',
            { class: 'webhook-actions' },
            h('button', {
              type: 'button',
              class: 'small',
              'data-testid': 'webhook-ping',
              'data-focus': `ping:${webhook.id}`,
              'aria-describedby': urlId,
              'aria-disabled': pinging ? 'true' : undefined,
              text: t(pinging ? 'webhooks.pinging' : 'webhooks.ping'),
              onclick: () => this.ping(webhook),
            }),
            h('button', { type: 'button', class: 'small danger', 'data-testid': 'webhook-delete', 'data-focus': `delete:${webhook.id}`, 'aria-describedby': urlId, text: t('webhooks.delete'), onclick: () => this.ask(webhook.id) }),
          ),
      ),
      confirming &&
        h(
          'div',
          { class: 'api-confirm', role: 'group', 'aria-labelledby': `webhook-confirm-${webhook.id}` },
          h('p', { id: `webhook-confirm-${webhook.id}`, class: 'webhook-confirm-text', text: t('webhooks.confirm', { url: webhook.url }) }),
          h(
            'div',
            { class: 'dialog-buttons' },
            h('button', { type: 'button', 'data-testid': 'webhook-delete-cancel', 'data-focus': `cancel:${webhook.id}`, text: t('dialog.cancel'), onclick: () => this.ask(null) }),
            h('button', { type: 'button', class: 'primary danger-fill', 'data-testid': 'webhook-delete-confirm', text: t('webhooks.confirmDelete'), onclick: () => this.remove(webhook) }),
          ),
        ),
      problem && h('p', { class: 'form-error', role: 'alert', 'data-testid': 'webhook-action-error', text: problem }),
      this.logView(webhook),
    );
  }

  /** @param {Webhook} webhook */
  logView(webhook) {
    const headingId = `webhook-log-${webhook.id}`;
    const all = this.expanded.has(webhook.id);
    const deliveries = webhook.deliveries;
    const now = Date.now();
    return h(
      'section',
      { class: 'webhook-log', 'data-testid': 'webhook-log', 'aria-labelledby': headingId },
      h('h4', { id: headingId, tabindex: -1, 'data-focus': `log:${webhook.id}` }, t('webhooks.log')),
      deliveries.length === 0
        ? h('p', { class: 'dialog-hint', 'data-testid': 'webhook-log-empty', text: t('webhooks.logEmpty') })
        : h('ul', { class: 'webhook-deliveries', 'aria-labelledby': headingId }, ...shownDeliveries(deliveries, all).map((delivery) => this.deliveryRow(webhook, delivery, now))),
      deliveries.length > SHOWN_FIRST &&
        h('button', {
          type: 'button',
          class: 'link-button small',
          'data-testid': 'webhook-log-more',
          'data-focus': `more:${webhook.id}`,
          'aria-expanded': String(all),
          text: all ? t('webhooks.showFewer') : t('webhooks.showAll', { count: deliveries.length }),
          onclick: () => {
            if (all) this.expanded.delete(webhook.id);
            else this.expanded.add(webhook.id);
            this.renderList();
          },
        }),
    );
  }

  /**
   * @param {Webhook} webhook
   * @param {Delivery} delivery
   * @param {number} now
   */
  deliveryRow(webhook, delivery, now) {
    const state = deliveryState(delivery);
    const outcome = outcomeText(delivery);
    const attempts = attemptsText(delivery);
    const retry = retryText(delivery, now);
    const retrying = this.retrying.has(delivery.id);
    return h(
      'li',
      { class: `webhook-delivery ${state}`, 'data-testid': 'webhook-delivery', 'data-delivery-id': delivery.id, 'data-status': delivery.status, 'data-state': state, 'data-event': delivery.event },
      h('span', { class: `badge delivery-status delivery-${state}`, 'data-testid': 'delivery-status' }, h('span', { 'aria-hidden': 'true', text: STATE_MARKS[state] }), ' ', t(`webhooks.state.${state}`)),
      h('code', { class: 'delivery-event', text: delivery.event }),
      h('time', { class: 'delivery-when', datetime: new Date(delivery.created_at).toISOString(), title: formatDateTime(delivery.created_at), text: deliveredWhen(delivery, now) }),
      h(
        'span',
        { class: 'delivery-detail', 'data-testid': 'delivery-detail' },
        attempts && h('span', { text: attempts }),
        outcome && h('span', { class: state === 'delivered' ? undefined : 'delivery-problem', 'data-testid': 'delivery-outcome', text: outcome }),
        retry && h('span', { class: 'delivery-retry', 'data-testid': 'delivery-retry', text: retry }),
      ),
      delivery.status === 'failed' &&
        h(
          'button',
          {
            type: 'button',
            class: 'small delivery-retry-button',
            'data-testid': 'delivery-retry-button',
            'data-focus': `retry:${delivery.id}`,
            'data-focus-fallback': `log:${webhook.id}`,
            'aria-disabled': retrying ? 'true' : undefined,
            onclick: () => this.retry(webhook, delivery),
          },
          t('webhooks.retry'),
          h('span', { class: 'visually-hidden', text: ` ${t('webhooks.retryWhich', { event: delivery.event, when: formatDateTime(delivery.created_at) })}` }),
        ),
    );
  }

  /** How a receiver knows a request came from this room: always at hand, not only with a new secret. */
  verifyView() {
    return h(
      'section',
      { class: 'api-example webhook-verify' },
      h('h3', { text: t('webhooks.verify') }),
      h('p', { class: 'dialog-hint', text: t('webhooks.verifyHint') }),
      h('pre', { class: 'api-example-code', 'data-testid': 'webhook-signature-format' }, h('code', { text: SIGNATURE_FORMAT })),
      h('p', { class: 'dialog-hint', text: t('webhooks.verifyRepeat') }),
    );
  }

  async create() {
    if (this.busy) return;
    const url = this.draft.url.trim();
    this.problems = { url: urlProblem(url), events: eventsProblem(this.draft.events), create: '' };
    if (this.problems.url || this.problems.events) {
      this.render();
      const first = this.problems.url ? '#webhook-url' : '[name="webhook-events"]';
      /** @type {HTMLElement | null} */ (this.root.querySelector(first))?.focus();
      return;
    }
    this.busy = true;
    this.render();
    this.sequence += 1;
    try {
      const created = await this.actions.createWebhook(url, this.draft.events);
      this.secret = { url: created.url, secret: created.secret };
      this.webhooks = [...(this.webhooks ?? []), { id: created.id, url: created.url, events: created.events, created_at: created.created_at, deliveries: [] }];
      this.draft = { url: '', events: [...DEFAULT_EVENTS] };
    } catch (error) {
      this.problems.create = errorText(/** @type {any} */ (error));
    }
    this.busy = false;
    this.render();
    if (this.secret) /** @type {HTMLInputElement | null} */ (this.root.querySelector('#webhook-secret'))?.focus();
    else /** @type {HTMLElement | null} */ (this.root.querySelector('#webhook-url'))?.focus();
  }

  dismissSecret() {
    this.secret = null;
    this.render();
    /** @type {HTMLElement | null} */ (this.root.querySelector('#webhook-url'))?.focus();
  }

  /** @param {string | null} id the webhook to ask about, or null to ask nothing */
  ask(id) {
    const was = this.confirming;
    this.actionProblem = null;
    this.confirming = id;
    this.renderList();
    const focus = id ? `[data-webhook-id="${CSS.escape(id)}"] [data-testid="webhook-delete-cancel"]` : `[data-webhook-id="${CSS.escape(was ?? '')}"] [data-testid="webhook-delete"]`;
    /** @type {HTMLElement | null} */ (this.root.querySelector(focus))?.focus();
  }

  /** @param {Webhook} webhook */
  async remove(webhook) {
    this.sequence += 1;
    try {
      await this.actions.deleteWebhook(webhook.id);
      this.webhooks = (this.webhooks ?? []).filter((other) => other.id !== webhook.id);
      this.confirming = null;
      this.announce(t('webhooks.announce.deleted', { url: webhook.url }));
    } catch (error) {
      this.confirming = null;
      this.actionProblem = { id: webhook.id, text: t('webhooks.deleteFailed', { reason: errorText(/** @type {any} */ (error)) }) };
    }
    // The form may take a webhook again.
    this.render();
    /** @type {HTMLElement | null} */ (this.root.querySelector('#webhooks-list-heading'))?.focus();
    this.schedule();
  }

  /** @param {Webhook} webhook */
  async ping(webhook) {
    if (this.pinging.has(webhook.id)) return;
    this.pinging.add(webhook.id);
    this.actionProblem = null;
    this.renderList();
    try {
      const { delivery_id: id } = await this.actions.pingWebhook(webhook.id);
      this.watched.add(id);
      this.announce(t('webhooks.announce.sent'));
    } catch (error) {
      this.actionProblem = { id: webhook.id, text: t('webhooks.pingFailed', { reason: errorText(/** @type {any} */ (error)) }) };
    }
    this.pinging.delete(webhook.id);
    await this.refresh();
  }

  /**
   * @param {Webhook} webhook
   * @param {Delivery} delivery
   */
  async retry(webhook, delivery) {
    if (this.retrying.has(delivery.id)) return;
    this.retrying.add(delivery.id);
    this.actionProblem = null;
    this.renderList();
    try {
      await this.actions.retryWebhookDelivery(webhook.id, delivery.id);
      this.watched.add(delivery.id);
      this.announce(t('webhooks.announce.retried'));
    } catch (error) {
      this.actionProblem = { id: webhook.id, text: t('webhooks.retryFailed', { reason: errorText(/** @type {any} */ (error)) }) };
    }
    this.retrying.delete(delivery.id);
    await this.refresh();
  }
}
