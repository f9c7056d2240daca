// The agenda's next item (web/js/agenda.js), run by Node.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextAgendaItem } from '../../../web/js/agenda.js';

const item = (id, status = 'new', fields = {}) => ({ id, status, ...fields });

test('the next item skips ready and split items and goes round to the top', () => {
  const ordered = [item('a'), item('b', 'ready'), item('c', 'new', { split_into: ['d'] }), item('d'), item('e', 'ready')];
  assert.equal(nextAgendaItem(ordered, 'a')?.id, 'd');
  assert.equal(nextAgendaItem(ordered, 'd')?.id, 'a', 'round to the top');
  assert.equal(nextAgendaItem(ordered, null)?.id, 'a', 'from nowhere: the first');
  assert.equal(nextAgendaItem([item('a'), item('b', 'ready')], 'a'), null, 'nothing left');
});
