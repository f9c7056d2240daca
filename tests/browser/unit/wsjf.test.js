// The web client's WSJF arithmetic (web/js/wsjf.js), run by Node.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jobSize, movesTo, orderByWsjf, valueEffortQuadrants, wsjfScore } from '../../../web/js/wsjf.js';

function item(id, wsjf = {}, estimate = null, fields = {}) {
  return { id, rank: id, title: id, description: '', acceptance_criteria: '', labels: [], links: [], dependencies: [], estimate, status: 'new', history: [], created_at: 0, wsjf, ...fields };
}

test('the score is the cost of delay over the job size, which defaults to a numeric estimate', () => {
  assert.equal(wsjfScore(item('a', { business_value: 8, time_criticality: 5, risk_reduction: 2, job_size: 3 })), 5);
  assert.equal(wsjfScore(item('b', { business_value: 8, time_criticality: 5, risk_reduction: 2 }, '5')), 3);
  assert.equal(jobSize(item('c', {}, 'XL')), null, 'a T-shirt size is not a number');
  assert.equal(wsjfScore(item('d', { business_value: 8, time_criticality: 5 }, '5')), null, 'every part is needed');
  assert.equal(wsjfScore(item('e', { business_value: 1, time_criticality: 1, risk_reduction: 1 }, '½')), 6);
});

test('ordering puts scored items first, highest score first, ties and the rest as they were', () => {
  const ordered = [
    item('low', { business_value: 1, time_criticality: 1, risk_reduction: 1, job_size: 3 }),
    item('none'),
    item('high', { business_value: 8, time_criticality: 8, risk_reduction: 8, job_size: 1 }),
    item('tie', { business_value: 1, time_criticality: 1, risk_reduction: 1, job_size: 3 }),
    item('split', { business_value: 9, time_criticality: 9, risk_reduction: 9, job_size: 1 }, null, { split_into: ['x'] }),
  ];
  assert.deepEqual(orderByWsjf(ordered).map((i) => i.id), ['high', 'low', 'tie', 'none', 'split']);
});

test('the moves are the fewest, and applying them in order gives the target', () => {
  const apply = (order, moves) => {
    let list = [...order];
    for (const { id, after, before } of moves) {
      list = list.filter((x) => x !== id);
      const at = after !== null ? list.indexOf(after) + 1 : before !== null ? list.indexOf(before) : 0;
      list.splice(at, 0, id);
    }
    return list;
  };
  const cases = [
    [['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd'], 0],
    [['a', 'b', 'c', 'd'], ['d', 'a', 'b', 'c'], 1],
    [['a', 'b', 'c', 'd'], ['b', 'a', 'd', 'c'], 2],
    [['a', 'b', 'c', 'd', 'e'], ['e', 'd', 'c', 'b', 'a'], 4],
  ];
  for (const [current, target, count] of cases) {
    const moves = movesTo(current, target);
    assert.equal(moves.length, count, JSON.stringify([current, target]));
    assert.deepEqual(apply(current, moves), target);
  }
});

test('quadrants split at the medians of value and effort', () => {
  const ordered = [
    item('quick', { business_value: 9, time_criticality: 9, risk_reduction: 9, job_size: 1 }),
    item('bet', { business_value: 9, time_criticality: 9, risk_reduction: 9, job_size: 13 }),
    item('fill', { business_value: 1, time_criticality: 1, risk_reduction: 1, job_size: 1 }),
    item('sink', { business_value: 1, time_criticality: 1, risk_reduction: 1, job_size: 13 }),
    item('unknown'),
  ];
  const q = valueEffortQuadrants(ordered);
  assert.deepEqual([q.quickWins, q.bigBets, q.fillIns, q.timeSinks].map((l) => l.map((i) => i.id)), [['quick'], ['bet'], ['fill'], ['sink']]);
});
