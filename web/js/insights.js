// Insights, apart from the page: the server's figures per session made into what the charts
// draw (the latest session's timeline, trends across sessions), said in words for people who
// cannot see the charts, and written as CSV for a spreadsheet.

import { formatDateTime, formatDateTimeRange, formatDay, formatDuration, formatPercent, t } from './i18n.js';

/** @typedef {import('./protocol.js').SessionInsights} SessionInsights */
/** @typedef {import('./protocol.js').PersonInsights} PersonInsights */
/** @typedef {'first_round_consensus' | 'revote_rate' | 'average_spread' | 'unsure_share' | 'coffee_share' | 'accepted_other_than_mode'} Figure */
/**
 * A trend chart: the figures it stacks in one bar per session (`?` and `☕` are parts of the
 * same votes), and whether they are shares (0 to 1) or cards.
 * @typedef {{ key: string, figures: Figure[], unit: 'share' | 'cards' }} Trend
 */

/** The trend charts, in the order shown. */
export const TRENDS = /** @type {readonly Trend[]} */ ([
  { key: 'first_round_consensus', figures: ['first_round_consensus'], unit: 'share' },
  { key: 'revote_rate', figures: ['revote_rate'], unit: 'share' },
  { key: 'average_spread', figures: ['average_spread'], unit: 'cards' },
  { key: 'unsure_coffee', figures: ['unsure_share', 'coffee_share'], unit: 'share' },
  { key: 'accepted_other_than_mode', figures: ['accepted_other_than_mode'], unit: 'share' },
]);

/** A session's shortest stretch of time on the timeline's scale: a few seconds still show. */
const MIN_SPAN_MS = 60_000;

/** Steps between the timeline's ticks, in minutes: the first giving at most `MAX_TICKS` ticks is taken. */
const TICK_MINUTES = [1, 2, 5, 10, 15, 20, 30, 60, 120, 240, 480, 720, 1440, 2880, 10080];
const MAX_TICKS = 6;

/**
 * Whether a session is the whole life of a room that never started one (the server's window from 0).
 * @param {SessionInsights} session
 */
export function isWholeRoom(session) {
  return session.started_at === 0;
}

/**
 * A session as a heading says it: "Session of Nov 30, 2026, 6:00 – 7:10 PM".
 * @param {SessionInsights} session
 */
export function sessionTitle(session) {
  if (isWholeRoom(session)) return t('insights.wholeRoom');
  if (session.ended_at === undefined) return t('insights.sessionUnderWay', { start: formatDateTime(session.started_at) });
  return t('insights.sessionOf', { span: formatDateTimeRange(session.started_at, session.ended_at) });
}

/**
 * A session as an axis says it: "30 Nov".
 * @param {SessionInsights} session
 */
export function sessionLabel(session) {
  return isWholeRoom(session) ? t('insights.soFar') : formatDay(session.started_at);
}

/**
 * What the timeline draws: a row per item in the order it first came up, with each stretch it
 * was the current item; the time from the session's start (or, in a room without sessions,
 * the first stretch) to its end (or the last stretch); ticks along it.
 * @param {SessionInsights} session
 */
export function timeline(session) {
  const stretches = session.timeline;
  const start = isWholeRoom(session) && stretches.length ? Math.min(...stretches.map((s) => s.from)) : session.started_at;
  const last = Math.max(start, ...stretches.map((s) => s.to));
  const end = Math.max(session.ended_at ?? last, start + MIN_SPAN_MS);
  /** @type {Map<string, { item_id: string, title: string, stretches: { from: number, to: number }[], seconds: number }>} */
  const rows = new Map();
  for (const stretch of stretches) {
    let row = rows.get(stretch.item_id);
    if (!row) {
      row = { item_id: stretch.item_id, title: stretch.title, stretches: [], seconds: 0 };
      rows.set(stretch.item_id, row);
    }
    row.stretches.push({ from: stretch.from, to: stretch.to });
    row.seconds += Math.max(0, stretch.to - stretch.from) / 1000;
  }
  return { start, end, rows: [...rows.values()], ticks: ticks(end - start) };
}

/**
 * Ticks along a span: at round numbers of minutes from its start, at most `MAX_TICKS`.
 * @param {number} spanMs
 * @returns {{ offset: number, label: string }[]} offset from the start in milliseconds
 */
export function ticks(spanMs) {
  const minutes = spanMs / 60_000;
  const step = TICK_MINUTES.find((m) => minutes / m <= MAX_TICKS) ?? Math.ceil(minutes / MAX_TICKS);
  const result = [];
  for (let at = 0; at <= minutes + 1e-9; at += step) result.push({ offset: at * 60_000, label: formatDuration(at * 60) });
  return result;
}

/**
 * The time on items against the session's budget.
 * @param {SessionInsights} session
 */
export function budgetUse(session) {
  const spent = session.seconds_on_items;
  const budget = session.budget_seconds;
  return { spent, budget, share: budget > 0 ? spent / budget : null, over: Math.max(0, spent - budget) };
}

/**
 * The timeline in words: "3 items discussed, 52 min in all: Export CSV 20 min, …".
 * @param {SessionInsights} session
 */
export function timelineSummary(session) {
  const { rows } = timeline(session);
  return t('insights.timelineSummary', {
    count: rows.length,
    spent: formatDuration(session.seconds_on_items),
    items: rows.map((row) => t('insights.itemTime', { title: row.title, time: formatDuration(row.seconds) })).join('; '),
  });
}

/**
 * A figure as people read it: "67%", "1.5 cards".
 * @param {Trend} trend
 * @param {number} value
 */
export function formatFigure(trend, value) {
  return trend.unit === 'share' ? formatPercent(value) : t('insights.cards', { count: Number(value.toFixed(1)) });
}

/**
 * A trend's bars: per session, its figures (null where there was nothing to count) and their sum.
 * @param {SessionInsights[]} sessions
 * @param {Trend} trend
 */
export function trendPoints(sessions, trend) {
  return sessions.map((session) => {
    const values = trend.figures.map((figure) => session[figure] ?? null);
    const known = values.filter((value) => value !== null);
    return { label: sessionLabel(session), values, total: known.length ? known.reduce((a, b) => a + b, 0) : null };
  });
}

/**
 * The top of a trend's scale: all of it for shares; for cards, the next whole card above the
 * largest spread (at least one).
 * @param {Trend} trend
 * @param {{ total: number | null }[]} points
 */
export function trendMax(trend, points) {
  if (trend.unit === 'share') return 1;
  return Math.max(1, Math.ceil(Math.max(0, ...points.map((p) => p.total ?? 0))));
}

/**
 * The latest figure a trend has, for the card's headline; null when no session has one.
 * @param {SessionInsights[]} sessions
 * @param {Trend} trend
 */
export function latestFigure(sessions, trend) {
  const points = trendPoints(sessions, trend);
  for (let i = points.length - 1; i >= 0; i--) if (points[i].total !== null) return /** @type {number} */ (points[i].total);
  return null;
}

/**
 * A trend in words, for the chart's text alternative: "First-round consensus by session:
 * 30 Nov 67%, 2 Dec no figure".
 * @param {SessionInsights[]} sessions
 * @param {Trend} trend
 */
export function trendSummary(sessions, trend) {
  const values = trendPoints(sessions, trend).map((point) => {
    const value = point.total === null ? t('insights.noFigure') : formatFigure(trend, point.total);
    return t('insights.pointValue', { session: point.label, value });
  });
  return t('insights.trendSummary', { trend: t(`insights.trend.${trend.key}`), values: values.join(', ') });
}

/**
 * Whether any session has a figure to draw: otherwise the trends say why they are empty.
 * @param {SessionInsights[]} sessions
 */
export function hasTrends(sessions) {
  return TRENDS.some((trend) => latestFigure(sessions, trend) !== null);
}

// ---- CSV ------------------------------------------------------------------------------------

/** @typedef {string | number | null | undefined} Cell */

/**
 * One cell of a CSV file (RFC 4180): quoted when it holds a quote, a separator (a comma, or the
 * semicolon some spreadsheets split on) or a line break; a text a spreadsheet would run as a
 * formula (starting with =, +, -, @ or a tab) gets a leading apostrophe, since titles are
 * anyone's typing.
 * @param {Cell} value
 */
export function csvCell(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(Number(value.toFixed(4))) : '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",;\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A CSV file: a byte-order mark (so that spreadsheets read UTF-8, ☕ and all), lines ending in CRLF.
 * @param {Cell[][]} rows the header first
 */
export function toCsv(rows) {
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** @param {number} at */
function iso(at) {
  return new Date(at).toISOString();
}

/**
 * The timeline's stretches, one a line.
 * @param {SessionInsights} session
 */
export function timelineCsv(session) {
  return toCsv([
    [t('insights.csv.item'), t('insights.csv.title'), t('insights.csv.from'), t('insights.csv.to'), t('insights.csv.minutes')],
    ...session.timeline.map((s) => [s.item_id, s.title, iso(s.from), iso(s.to), Number(((s.to - s.from) / 60_000).toFixed(1))]),
  ]);
}

/**
 * A trend's figures, one session a line (shares from 0 to 1).
 * @param {SessionInsights[]} sessions
 * @param {Trend} trend
 */
export function trendCsv(sessions, trend) {
  return toCsv([
    [t('insights.csv.sessionStart'), t('insights.csv.sessionEnd'), ...trend.figures.map((figure) => t(`insights.figure.${figure}`))],
    ...sessions.map((session) => [isWholeRoom(session) ? '' : iso(session.started_at), session.ended_at === undefined ? '' : iso(session.ended_at), ...trend.figures.map((figure) => session[figure] ?? null)]),
  ]);
}

/** @param {{ item_id: string, title: string, estimate: string }[]} candidates */
export function splitCsv(candidates) {
  return toCsv([[t('insights.csv.item'), t('insights.csv.title'), t('insights.csv.estimate')], ...candidates.map((c) => [c.item_id, c.title, c.estimate])]);
}

/** @param {PersonInsights[]} people */
export function peopleCsv(people) {
  return toCsv([
    [t('insights.person'), t('insights.votes'), t('insights.unsureShare'), t('insights.outlierRounds'), t('insights.distance')],
    ...people.map((p) => [p.name, p.votes, p.unsure_share, p.outlier_rounds, p.distance_from_accepted ?? null]),
  ]);
}

/**
 * A download's name: "readyroom-insights-timeline.csv".
 * @param {string} part
 */
export function csvName(part) {
  return `readyroom-insights-${part}.csv`;
}

/**
 * A person's distance from the accepted estimates, as the table says it.
 * @param {PersonInsights} person
 */
export function distanceText(person) {
  return person.distance_from_accepted === undefined ? '—' : t('insights.cards', { count: Number(person.distance_from_accepted.toFixed(1)) });
}
