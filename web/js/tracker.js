// The tracker round trip, apart from the page: how a CSV import is asked for (columns read
// otherwise than their headers say) and what its refusals and outcomes are called for people.

import { errorText, formatList, t } from './i18n.js';
import { CSV_LIMIT_BYTES } from './protocol.js';

/** @typedef {import('./protocol.js').ImportField} ImportField */
/** @typedef {import('./protocol.js').ImportReport} ImportReport */

/**
 * The `columns` parameter of an import: `2=title,5=estimate`, columns in file order.
 * @param {Map<number, ImportField>} overrides column (from 1) → what it fills in
 */
export function columnsParam(overrides) {
  return [...overrides]
    .sort(([a], [b]) => a - b)
    .map(([column, field]) => `${column}=${field}`)
    .join(',');
}

/**
 * A tracker's name as people know it; a CSV of no tracker in particular is just "CSV".
 * @param {string} tracker
 */
export function trackerName(tracker) {
  return t(`tracker.${tracker === 'jira' || tracker === 'azure' ? tracker : 'plain'}`);
}

/** The largest file the server reads, as people say it: "16 MiB". */
export function csvLimit() {
  return `${CSV_LIMIT_BYTES / 1024 / 1024} MiB`;
}

/**
 * Why an import, its preview or a download failed, in words. A file that cannot be read is
 * refused with the row and column to fix, in the server's words (which name the file's own
 * headers): they are kept in every language, after the page's own sentence.
 * @param {any} error an ApiError, or what fetch throws when the server cannot be reached
 */
export function failureText(error) {
  if (error?.status === 413) return t('tracker.error.tooLarge', { max: csvLimit() });
  if (error?.code === 'invalid_csv' && error.message) return t('tracker.error.invalidCsv', { detail: error.message });
  if (typeof error?.code !== 'string') return t('error.network');
  return errorText(error);
}

/**
 * What an import will do, from its preview: "3 new and 2 updates".
 * @param {ImportReport} report
 */
export function previewCounts(report) {
  const parts = [];
  if (report.created) parts.push(t('tracker.count.new', { count: report.created }));
  if (report.updated) parts.push(t('tracker.count.updates', { count: report.updated }));
  return parts.length ? formatList(parts) : t('tracker.count.none');
}

/**
 * What an import did: "3 added and 2 unchanged", leaving out what did not happen.
 * @param {ImportReport} report
 */
export function resultCounts(report) {
  const parts = [];
  if (report.created) parts.push(t('tracker.count.created', { count: report.created }));
  if (report.updated) parts.push(t('tracker.count.updated', { count: report.updated }));
  if (report.unchanged) parts.push(t('tracker.count.unchanged', { count: report.unchanged }));
  return parts.length ? formatList(parts) : t('tracker.count.none');
}

/**
 * The notice everyone gets when items arrive from a tracker: "3 items imported from Jira,
 * 1 updated"; null when the import changed nothing.
 * @param {import('./protocol.js').ItemsImported} event
 */
export function importedNotice(event) {
  const tracker = trackerName(event.tracker);
  const created = event.created.length;
  const updated = event.updated.length;
  if (created && updated) return t('tracker.notice.both', { created: t('tracker.notice.created', { count: created, tracker }), updated: t('tracker.notice.alsoUpdated', { count: updated }) });
  if (created) return t('tracker.notice.created', { count: created, tracker });
  if (updated) return t('tracker.notice.updated', { count: updated, tracker });
  return null;
}
