// Insights apart from the page (web/js/insights.js), run by Node: the timeline's rows and ticks,
// the trends, the words for screen readers, and CSV files a spreadsheet reads as they are.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setLocale } from '../../../web/js/i18n.js';
import {
  TRENDS, budgetUse, csvCell, hasTrends, latestFigure, peopleCsv, sessionTitle, splitCsv, ticks, timeline, timelineCsv, timelineSummary, toCsv, trendCsv, trendMax, trendPoints, trendSummary, formatFigure,
} from '../../../web/js/insights.js';

const MIN = 60_000;
// Midday where the tests run: the same day in every time zone.
const T0 = new Date(2026, 10, 30, 12, 0).getTime();
const iso = (at) => new Date(at).toISOString();
const session = (fields = {}) => ({ started_at: T0, budget_seconds: 7200, seconds_on_items: 0, timeline: [], items_estimated: 0, rounds: 0, ...fields });
const trend = (key) => TRENDS.find((t) => t.key === key);

test('the timeline has a row per item, in the order they came up, each with its stretches', () => {
  const s = session({
    ended_at: T0 + 60 * MIN,
    timeline: [
      { item_id: 'a', title: 'Export CSV', from: T0 + 5 * MIN, to: T0 + 20 * MIN },
      { item_id: 'b', title: 'Dark mode', from: T0 + 20 * MIN, to: T0 + 30 * MIN },
      { item_id: 'a', title: 'Export CSV', from: T0 + 30 * MIN, to: T0 + 35 * MIN },
    ],
    seconds_on_items: 30 * 60,
  });
  const drawn = timeline(s);
  assert.equal(drawn.start, T0);
  assert.equal(drawn.end, T0 + 60 * MIN);
  assert.deepEqual(drawn.rows.map((r) => [r.item_id, r.stretches.length, r.seconds]), [['a', 2, 1200], ['b', 1, 600]]);
  assert.deepEqual(drawn.ticks.map((tick) => tick.label), ['0 min', '10 min', '20 min', '30 min', '40 min', '50 min', '1 hr']);
  assert.equal(timelineSummary(s), '2 items discussed, 30 min in all: Export CSV, 20 min; Dark mode, 10 min.');
});

test('a session under way ends at its last stretch; a room without sessions starts at its first', () => {
  const running = timeline(session({ timeline: [{ item_id: 'a', title: 'A', from: T0 + MIN, to: T0 + 3 * MIN }] }));
  assert.equal(running.end, T0 + 3 * MIN);
  const whole = timeline(session({ started_at: 0, timeline: [{ item_id: 'a', title: 'A', from: T0, to: T0 + 10 * MIN }] }));
  assert.equal(whole.start, T0, 'not 1970');
  const empty = timeline(session({ started_at: 0 }));
  assert.equal(empty.end - empty.start, MIN, 'at least a minute, so that nothing divides by nothing');
});

test('ticks fall on round minutes, at most six steps', () => {
  assert.deepEqual(ticks(3 * MIN).map((t) => t.offset / MIN), [0, 1, 2, 3]);
  assert.deepEqual(ticks(95 * MIN).map((t) => t.offset / MIN), [0, 20, 40, 60, 80]);
  assert.ok(ticks(3 * 24 * 60 * MIN).length <= 7);
});

test('time against the budget, and past it', () => {
  assert.deepEqual(budgetUse(session({ seconds_on_items: 3600 })), { spent: 3600, budget: 7200, share: 0.5, over: 0 });
  assert.deepEqual(budgetUse(session({ seconds_on_items: 9000 })), { spent: 9000, budget: 7200, share: 1.25, over: 1800 });
  assert.equal(budgetUse(session({ budget_seconds: 0 })).share, null);
});

test('sessions are named by when they ran', () => {
  assert.equal(sessionTitle(session({ started_at: 0 })), 'Everything so far (no session started yet)');
  assert.match(sessionTitle(session()), /^Session under way since Nov 30, 2026/);
  assert.match(sessionTitle(session({ ended_at: T0 + 60 * MIN })), /^Session of Nov 30, 2026, 12:00\s*–\s*1:00\sPM$/, 'the day said once');
});

test('trends: a bar per session, parts stacked, absent figures kept apart from zero', () => {
  const sessions = [
    session({ unsure_share: 0.1, coffee_share: 0.05, first_round_consensus: 0.5, average_spread: 2.4 }),
    session({ started_at: T0 + 86_400_000 }),
    session({ started_at: T0 + 2 * 86_400_000, unsure_share: 0, coffee_share: 0, first_round_consensus: 0.75 }),
  ];
  const points = trendPoints(sessions, trend('unsure_coffee'));
  assert.deepEqual(points.map((p) => [p.values, p.total === null ? null : Number(p.total.toFixed(2))]), [[[0.1, 0.05], 0.15], [[null, null], null], [[0, 0], 0]]);
  assert.deepEqual(points.map((p) => p.label), ['Nov 30', 'Dec 1', 'Dec 2']);
  assert.equal(trendMax(trend('first_round_consensus'), points), 1);
  assert.equal(trendMax(trend('average_spread'), trendPoints(sessions, trend('average_spread'))), 3, 'the next whole card');
  assert.equal(latestFigure(sessions, trend('first_round_consensus')), 0.75);
  assert.equal(latestFigure(sessions, trend('average_spread')), 2.4, 'the latest session that has one');
  assert.equal(formatFigure(trend('average_spread'), 2.4), '2.4 cards');
  assert.equal(trendSummary(sessions, trend('first_round_consensus')), 'First-round consensus by session: Nov 30: 50%, Dec 1: nothing to count, Dec 2: 75%.');
  assert.equal(hasTrends(sessions), true);
  assert.equal(hasTrends([session()]), false);
});

test('CSV cells are quoted and kept from running as formulas', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('Checkout, one click'), '"Checkout, one click"');
  assert.equal(csvCell('The "fast" path'), '"The ""fast"" path"');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell('a;b'), '"a;b"');
  assert.equal(csvCell('=HYPERLINK("http://evil")'), '"\'=HYPERLINK(""http://evil"")"');
  assert.equal(csvCell('+1 for speed'), "'+1 for speed");
  assert.equal(csvCell('-'), "'-");
  assert.equal(csvCell('@here'), "'@here");
  assert.equal(csvCell(0.6666666), '0.6667');
  assert.equal(csvCell(-1), '-1', 'numbers are numbers');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(undefined), '');
  assert.equal(toCsv([['a', 'b'], [1, 'x']]), '\uFEFFa,b\r\n1,x\r\n');
});

test('each chart’s CSV has a header and a line per thing drawn', () => {
  const s = session({ ended_at: T0 + 60 * MIN, first_round_consensus: 0.5, timeline: [{ item_id: 'a', title: 'Export, CSV', from: T0, to: T0 + 90_000 }] });
  assert.equal(timelineCsv(s), `\uFEFFItem ID,Title,From,To,Minutes\r\na,"Export, CSV",${iso(T0)},${iso(T0 + 90_000)},1.5\r\n`);
  assert.equal(trendCsv([s, session({ started_at: 0 })], trend('first_round_consensus')), `\uFEFFSession start,Session end,First-round consensus\r\n${iso(T0)},${iso(T0 + 60 * MIN)},0.5\r\n,,\r\n`);
  assert.equal(trendCsv([s], trend('unsure_coffee')).split('\r\n')[0], '\uFEFFSession start,Session end,“?” (unsure),“☕” (break)');
  assert.equal(splitCsv([{ item_id: 'e', title: 'SSO', estimate: '13' }]), '\uFEFFItem ID,Title,Estimate\r\ne,SSO,13\r\n');
  assert.equal(peopleCsv([{ participant_id: 'p', name: '=Ben', votes: 3, unsure_share: 1 / 3, outlier_rounds: 0 }]), '\uFEFFName,Votes,“?” share,Outlier rounds,Distance from accepted\r\n\'=Ben,3,0.3333,0,\r\n');
});

test('in German, the charts speak German', async () => {
  try {
    await setLocale('de');
    assert.equal(formatFigure(trend('average_spread'), 1.5), '1,5 Karten');
    assert.match(trendSummary([session({ revote_rate: 0.25 })], trend('revote_rate')), /^Neue Abstimmungen nach Sitzung: 30\. Nov\.?: 25\s%\.$/);
  } finally {
    await setLocale('en');
  }
});
