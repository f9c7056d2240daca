// The session timebox (web/js/timebox.js), run by Node.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clock, DEFAULT_TIMEBOX, perItemSeconds, sessionBudgetSeconds, sessionProgress, spoken } from '../../../web/js/timebox.js';

const item = (id, status = 'new', fields = {}) => ({ id, status, ...fields });

test('a session budget is the sprint share spread over its sessions', () => {
  assert.equal(sessionBudgetSeconds(DEFAULT_TIMEBOX), 2 * 3600, 'two weeks at 5% over two sessions');
  assert.equal(sessionBudgetSeconds({ sprint_days: 15, share_percent: 10, sessions_per_sprint: 1 }), 12 * 3600);
  assert.equal(sessionBudgetSeconds({ sprint_days: 1, share_percent: 1, sessions_per_sprint: 7 }), 41, 'rounded down, as the server does');
});

test('progress counts the time spent and shares what is left among the items to go', () => {
  const items = [item('a'), item('b', 'ready'), item('c', 'new', { split_into: ['d'] }), item('d'), item('e', 'needs_info')];
  const started = 1_000_000;
  const halfHour = sessionProgress({ started_at: started }, DEFAULT_TIMEBOX, items, started + 30 * 60_000);
  assert.deepEqual(halfHour, { budget: 7200, spent: 1800, left: 5400, over: 0, toGo: 3, perItem: 1800 });
  const late = sessionProgress({ started_at: started }, DEFAULT_TIMEBOX, items, started + 2.5 * 3600_000);
  assert.equal(late.over, 1800, 'half an hour over');
  assert.equal(late.perItem, 60, 'at least a minute each, even over budget');
  const skewed = sessionProgress({ started_at: started }, DEFAULT_TIMEBOX, items, started - 5000);
  assert.equal(skewed.spent, 0, 'a clock behind the server spends nothing yet');
});

test('an item share is whole minutes, never more than the longest timer', () => {
  assert.equal(perItemSeconds(10 * 60 + 59, 1), 10 * 60);
  assert.equal(perItemSeconds(3600, 0), 3600, 'nothing to go: the whole rest');
  assert.equal(perItemSeconds(100 * 3600, 1), 4 * 3600);
});

test('durations read as clocks and as speech', () => {
  assert.equal(clock(0), '0:00');
  assert.equal(clock(65), '1:05');
  assert.equal(clock(3723), '1:02:03');
  // Spoken through Intl.NumberFormat's units, in English until a language is chosen.
  assert.equal(spoken(7200), '2 hr');
  assert.equal(spoken(5400), '1 hr 30 min');
  assert.equal(spoken(45 * 60), '45 min');
});
