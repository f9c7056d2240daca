// The session timebox: a session's budget from the room's sprint settings, the time spent
// against it, and a fair share of what is left for each item still to refine.

import { stillToRefine } from './agenda.js';
import { formatDuration } from './i18n.js';
import { MAX_TIMER_SECONDS, TIMEBOX } from './protocol.js';

/** @typedef {import('./protocol.js').RefinementTimebox} RefinementTimebox */
/** @typedef {import('./protocol.js').Item} Item */

/** What a room has before its facilitator says otherwise (the server's default). */
export const DEFAULT_TIMEBOX = Object.freeze({ sprint_days: 10, share_percent: 5, sessions_per_sprint: 2 });

/**
 * One session's budget in seconds, as the server computes it.
 * @param {RefinementTimebox} timebox
 */
export function sessionBudgetSeconds(timebox) {
  const sprintSeconds = timebox.sprint_days * TIMEBOX.hoursPerDay * 3600;
  return Math.floor(Math.floor((sprintSeconds * timebox.share_percent) / 100) / Math.max(1, timebox.sessions_per_sprint));
}

/**
 * Where a session stands at `now` (milliseconds, the client's clock).
 * @param {{ started_at: number }} session
 * @param {RefinementTimebox} timebox
 * @param {Item[]} items
 * @param {number} now
 */
export function sessionProgress(session, timebox, items, now) {
  const budget = sessionBudgetSeconds(timebox);
  const spent = Math.max(0, Math.floor((now - session.started_at) / 1000));
  const toGo = items.filter(stillToRefine).length;
  return { budget, spent, left: budget - spent, over: Math.max(0, spent - budget), toGo, perItem: perItemSeconds(budget - spent, toGo) };
}

/**
 * The time budget a round started now gets in the room's session: its item's share of what is
 * left; null outside a session.
 * @param {import('./protocol.js').Snapshot} room
 * @param {Item[]} items the backlog
 * @param {number} now
 */
export function roundShare(room, items, now) {
  if (!room.session) return null;
  return sessionProgress(room.session, room.settings.timebox ?? DEFAULT_TIMEBOX, items, now).perItem;
}

/**
 * What is left shared among the items to go, in whole minutes: at least one minute, at most
 * the longest timer.
 * @param {number} leftSeconds
 * @param {number} toGo
 */
export function perItemSeconds(leftSeconds, toGo) {
  const share = Math.floor(Math.max(0, leftSeconds) / Math.max(1, toGo) / 60) * 60;
  return Math.min(MAX_TIMER_SECONDS, Math.max(60, share));
}

/**
 * "1:05:03" from an hour on, "5:03" below.
 * @param {number} seconds
 */
export function clock(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * "2 hr", "1 hr 30 min", "45 min": a budget as people say it, in the page's language.
 * @param {number} seconds
 */
export function spoken(seconds) {
  return formatDuration(seconds);
}
