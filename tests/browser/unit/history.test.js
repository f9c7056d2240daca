// An item's history in words (web/js/history.js), run by Node.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { whatChanged, who } from '../../../web/js/history.js';

const entry = (field, value = null, previous = null, by = 'p1', by_name = 'Ana') => ({ at: 0, by, by_name, field, value, previous });

test('each change reads as a sentence', () => {
  assert.equal(whatChanged(entry('created', 'Export')), 'created it as “Export”');
  assert.equal(whatChanged(entry('title', 'Export CSV', 'Export')), 'renamed it from “Export” to “Export CSV”');
  assert.equal(whatChanged(entry('description')), 'edited the description');
  assert.equal(whatChanged(entry('labels', 'api, billing', 'api')), 'set the labels to api, billing (was api)');
  assert.equal(whatChanged(entry('labels', '', 'api')), 'removed the labels (was api)');
  assert.equal(whatChanged(entry('estimate', '5')), 'estimated it at 5');
  assert.equal(whatChanged(entry('estimate', '8', '5')), 'changed the estimate from 5 to 8');
  assert.equal(whatChanged(entry('status', 'ready', 'needs_info')), 'changed the status from Needs info to Ready');
  assert.equal(whatChanged(entry('criterion', '✓ Small enough')), 'ticked “Small enough”');
  assert.equal(whatChanged(entry('criterion', '✗ Small enough')), 'unticked “Small enough”');
  assert.equal(whatChanged(entry('ready_override', 'ready anyway')), 'marked it ready anyway');
  assert.equal(whatChanged(entry('split', 'One, Two')), 'split it into One, Two');
  assert.equal(whatChanged(entry('deleted')), 'moved it to the trash');
  assert.equal(whatChanged(entry('some_new_field')), 'changed some new field', 'a field from a newer server still reads');
});

test('who did it: a name, someone gone, or the server', () => {
  assert.equal(who(entry('title')), 'Ana');
  assert.equal(who(entry('title', null, null, 'p9', null)), 'Someone who left');
  assert.equal(who(entry('status', 'ready', null, null, null)), 'Ready Room');
});
