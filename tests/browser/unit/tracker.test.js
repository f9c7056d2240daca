// The tracker round trip in words and parameters (web/js/tracker.js), run by Node.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../../web/js/api.js';
import { setLocale } from '../../../web/js/i18n.js';
import { columnsParam, failureText, importedNotice, previewCounts, resultCounts, trackerName } from '../../../web/js/tracker.js';

const report = (created, updated, unchanged = 0) => ({ tracker: 'jira', dry_run: false, columns: [], rows: [], created, updated, unchanged });
const imported = (tracker, created, updated) => ({ type: 'items_imported', tracker, created: Array(created).fill('id'), updated: Array(updated).fill('id') });

test('columns set by hand go as one parameter, in file order', () => {
  assert.equal(columnsParam(new Map([[14, 'ignored'], [2, 'title'], [5, 'estimate']])), '2=title,5=estimate,14=ignored');
  assert.equal(columnsParam(new Map()), '');
});

test('trackers are called as people know them', () => {
  assert.equal(trackerName('jira'), 'Jira');
  assert.equal(trackerName('azure'), 'Azure DevOps');
  assert.equal(trackerName('plain'), 'CSV');
  assert.equal(trackerName('some_new_tracker'), 'CSV', 'a tracker newer than this client is a CSV file still');
});

test('a refused file says where to fix it, in every language', async () => {
  const unreadable = new ApiError('invalid_csv', 'row 3, column “Title”: the title is empty', 400);
  assert.equal(failureText(unreadable), 'Nothing was imported. Fix the file and try again: row 3, column “Title”: the title is empty');
  assert.equal(failureText(new ApiError('invalid_message', 'the body is larger than 16777216 bytes', 413)), 'The file is larger than 16 MiB, the most the server reads. Export fewer issues at once.');
  assert.equal(failureText(new TypeError('Failed to fetch')), 'The server cannot be reached. Check your connection.');
  assert.equal(failureText(new ApiError('invalid_token', "that is not this room's facilitator token", 403)), "that is not this room's facilitator token");
  try {
    await setLocale('de');
    assert.equal(failureText(unreadable), 'Es wurde nichts importiert. Korrigiere die Datei und versuche es erneut: row 3, column “Title”: the title is empty', 'the row and column stay, in the server’s words');
    assert.equal(failureText(new ApiError('invalid_token', "that is not this room's facilitator token", 403)), 'Dieser Link oder diese Identität gehört nicht zu diesem Raum.');
  } finally {
    await setLocale('en');
  }
});

test('counts say what will happen and what happened, leaving out nothing-at-all', () => {
  assert.equal(previewCounts({ ...report(3, 2), dry_run: true }), '3 new and 2 updates');
  assert.equal(previewCounts({ ...report(0, 1), dry_run: true }), '1 update');
  assert.equal(previewCounts({ ...report(0, 0), dry_run: true }), 'Nothing to import');
  assert.equal(resultCounts(report(3, 0)), '3 added');
  assert.equal(resultCounts(report(1, 2, 4)), '1 added, 2 updated, and 4 unchanged');
  assert.equal(resultCounts(report(0, 0, 2)), '2 unchanged');
});

test('everyone is told where the items came from', async () => {
  assert.equal(importedNotice(imported('jira', 3, 1)), '3 items imported from Jira, 1 updated');
  assert.equal(importedNotice(imported('azure', 1, 0)), '1 item imported from Azure DevOps');
  assert.equal(importedNotice(imported('plain', 0, 2)), '2 items updated from CSV');
  assert.equal(importedNotice(imported('jira', 0, 0)), null, 'an import that changed nothing is no news');
  try {
    await setLocale('de');
    assert.equal(importedNotice(imported('jira', 3, 1)), '3 Einträge aus Jira importiert, 1 aktualisiert');
    await setLocale('es');
    assert.equal(importedNotice(imported('azure', 1, 2)), '1 elemento importado de Azure DevOps, 2 actualizados');
  } finally {
    await setLocale('en');
  }
});
