// The room's webhooks, apart from the page: what a new webhook's URL and events must be, how
// many a room holds, what each delivery in a log says (its state, its answer, its next try)
// and when an open log should be fetched again to follow deliveries still under way.

import { formatDateTime, formatTime, t } from './i18n.js';
import { when } from './history.js';
import { WEBHOOKS } from './protocol.js';

/** @typedef {import('./protocol.js').Webhook} Webhook */
/** @typedef {import('./protocol.js').WebhookEvent} WebhookEvent */
/** @typedef {import('./protocol.js').Delivery} Delivery */
/** Where a delivery stands, as the log says it: a pending one is sent for the first time or retried. @typedef {'sending' | 'retrying' | 'delivered' | 'failed'} DeliveryState */

/** The header a receiver checks a request's origin with. */
export const SIGNATURE_HEADER = 'ReadyRoom-Signature';

/** The header's value, as a receiver's documentation would write it. */
export const SIGNATURE_FORMAT = `${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`;

/** Deliveries a log shows before it is asked for the rest. */
export const SHOWN_FIRST = 10;

/** The soonest and the latest an open log with pending deliveries is fetched again, in ms. */
export const REFRESH = { min: 1_000, max: 30_000 };

/** How long after a retry is due the log looks again: time for the attempt to be made. */
const ATTEMPT_GRACE_MS = 750;

/**
 * What is wrong with a new webhook's URL, or '' when nothing is. The server has the last
 * word (it also refuses private addresses, unless its operator allows them).
 * @param {string} url as typed
 */
export function urlProblem(url) {
  const trimmed = url.trim();
  if (!trimmed) return t('webhooks.urlEmpty');
  if ([...trimmed].length > WEBHOOKS.urlChars) return t('webhooks.urlTooLong', { max: WEBHOOKS.urlChars });
  if (!/^https?:\/\//i.test(trimmed)) return t('webhooks.urlScheme');
  let parsed;
  try {
    parsed = new URL(trimmed);
  } catch {
    return t('webhooks.urlInvalid');
  }
  if (!parsed.hostname) return t('webhooks.urlInvalid');
  return '';
}

/**
 * What is wrong with the events chosen, or '' when nothing is.
 * @param {readonly WebhookEvent[]} events
 */
export function eventsProblem(events) {
  return events.length === 0 ? t('webhooks.eventsEmpty') : '';
}

/**
 * Whether the room holds as many webhooks as it may.
 * @param {Webhook[]} webhooks
 */
export function isFull(webhooks) {
  return webhooks.length >= WEBHOOKS.max;
}

/**
 * The webhooks as listed: the newest first.
 * @template {{ created_at: number }} T
 * @param {T[]} webhooks
 */
export function newestFirst(webhooks) {
  return [...webhooks].sort((a, b) => b.created_at - a.created_at);
}

/**
 * @param {Delivery} delivery
 * @returns {DeliveryState}
 */
export function deliveryState(delivery) {
  if (delivery.status === 'pending') return delivery.attempts > 0 ? 'retrying' : 'sending';
  return delivery.status;
}

/**
 * What the receiver last answered: its HTTP status, else why no answer came (the server's
 * own words), else nothing.
 * @param {Delivery} delivery
 */
export function outcomeText(delivery) {
  if (delivery.response_status !== undefined) return t('webhooks.httpStatus', { status: String(delivery.response_status) });
  return delivery.error ?? '';
}

/**
 * When a delivery will be tried again: "in a moment", "at 14:05" or a date, or '' for one not
 * waiting to be retried.
 * @param {Delivery} delivery
 * @param {number} now
 */
export function retryText(delivery, now) {
  if (deliveryState(delivery) !== 'retrying' || delivery.next_attempt_at === undefined) return '';
  const at = delivery.next_attempt_at;
  if (at - now < 60_000) return t('webhooks.retrySoon');
  const sameDay = new Date(at).toDateString() === new Date(now).toDateString();
  return t('webhooks.retryAt', { time: sameDay ? formatTime(at) : formatDateTime(at) });
}

/**
 * When a delivery was made: how long ago within the hour, a time today, a date before.
 * @param {Delivery} delivery
 * @param {number} now
 */
export function deliveredWhen(delivery, now) {
  return when(delivery.created_at, now);
}

/**
 * How many attempts were made: "1 attempt", "3 attempts"; '' before the first.
 * @param {Delivery} delivery
 */
export function attemptsText(delivery) {
  return delivery.attempts > 0 ? t('webhooks.attempts', { count: delivery.attempts }) : '';
}

/**
 * The deliveries a log shows: the first few, or all of them once asked.
 * @param {Delivery[]} deliveries newest first
 * @param {boolean} all
 */
export function shownDeliveries(deliveries, all) {
  return all ? deliveries : deliveries.slice(0, SHOWN_FIRST);
}

/**
 * How long until an open log should be fetched again to follow its pending deliveries: soon
 * after the next attempt is due (a second while one is under way), at most half a minute,
 * and null when nothing is pending, so that a settled log is left alone.
 * @param {Webhook[]} webhooks
 * @param {number} now
 * @returns {number | null}
 */
export function refreshDelay(webhooks, now) {
  let soonest = Infinity;
  for (const webhook of webhooks) {
    for (const delivery of webhook.deliveries) {
      if (delivery.status !== 'pending') continue;
      soonest = Math.min(soonest, (delivery.next_attempt_at ?? now) - now + ATTEMPT_GRACE_MS);
    }
  }
  if (soonest === Infinity) return null;
  return Math.min(REFRESH.max, Math.max(REFRESH.min, soonest));
}

/**
 * The deliveries among `watched` that have settled (delivered or failed), found in the log.
 * @param {Webhook[]} webhooks
 * @param {ReadonlySet<string>} watched delivery ids
 * @returns {Delivery[]}
 */
export function settled(webhooks, watched) {
  return webhooks.flatMap((webhook) => webhook.deliveries).filter((delivery) => watched.has(delivery.id) && delivery.status !== 'pending');
}
