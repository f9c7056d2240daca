// An item's history in words: one sentence per change, as people would say it, and who did it.
// The server notes some values in its own English words (a WSJF part's name, a remark's kind,
// an override): they are read here and said in the page's language.

import { formatAgo, formatDateTime, formatTime, has, t } from './i18n.js';
import { criterionText } from './readiness.js';

/** @typedef {import('./protocol.js').HistoryEntry} HistoryEntry */

/** @param {string | null} status */
const statusLabel = (status) => (status && has(`status.${status}`) ? t(`status.${status}`) : status ?? '');

/** The server's names of the WSJF parts in its history values. */
const SERVER_WSJF_NAMES = /** @type {Record<string, string>} */ ({
  'business value': 'business_value',
  'time criticality': 'time_criticality',
  'risk reduction': 'risk_reduction',
  'job size': 'job_size',
});

/**
 * Who did something: their name, someone since removed, or the server itself.
 * @param {string | null} id
 * @param {string | null | undefined} name their name, if they are still in the room
 * @param {boolean} [opening] whether the words open a sentence
 */
export function doer(id, name, opening = true) {
  if (name) return name;
  if (!id) return 'Ready Room';
  return t(opening ? 'history.someoneLeft' : 'history.someoneLeftInline');
}

/**
 * Who made a change.
 * @param {HistoryEntry} entry
 */
export function who(entry) {
  return doer(entry.by, entry.by_name);
}

/**
 * "business value 5, job size 3" (the server's words) in the page's language.
 * @param {string} value
 */
function wsjfParts(value) {
  return value
    .split(', ')
    .map((part) => {
      const match = /^(.+) (\d+)$/.exec(part);
      const key = match ? SERVER_WSJF_NAMES[match[1]] : undefined;
      return match && key ? t('history.wsjfPart', { part: t(`wsjf.dimension.${key}`), value: Number(match[2]) }) : part;
    })
    .join(', ');
}

/**
 * "Decision: text", "Question: text → answer" (the server's words) as a sentence.
 * @param {string} value
 */
function remarkNoted(value) {
  const match = /^(Decision|Question): ([\s\S]*)$/.exec(value);
  if (!match) return t('history.remark', { remark: value });
  if (match[1] === 'Decision') return t('history.decision', { text: match[2] });
  const answered = match[2].indexOf(' → ');
  if (answered < 0) return t('history.question', { text: match[2] });
  return t('history.answer', { text: match[2].slice(0, answered), answer: match[2].slice(answered + 3) });
}

/**
 * What the change did, after who did it ("renamed it from … to …").
 * @param {HistoryEntry} entry
 */
export function whatChanged(entry) {
  const { value, previous } = entry;
  // "(was …)" after the sentence: the value before, when the server kept it.
  const was = (/** @type {string} */ text) => (previous ? t('history.was', { text, previous }) : text);
  switch (entry.field) {
    case 'created':
      return t('history.created', { title: value ?? '' });
    case 'title':
      return previous ? t('history.renamedFrom', { previous, title: value ?? '' }) : t('history.renamed', { title: value ?? '' });
    case 'description':
      return t('history.description');
    case 'acceptance_criteria':
      return t('history.acceptanceCriteria');
    case 'notes':
      return t('history.notes');
    case 'labels':
      return was(value ? t('history.labels', { labels: value }) : t('history.labelsRemoved'));
    case 'links':
      return value ? t('history.links', { links: value }) : t('history.linksRemoved');
    case 'dependencies':
      return value ? t('history.dependencies', { titles: value }) : t('history.dependenciesRemoved');
    case 'estimate':
      if (!value) return was(t('history.estimateCleared'));
      return previous ? t('history.estimateChanged', { previous, estimate: value }) : t('history.estimated', { estimate: value });
    case 'status':
      return previous ? t('history.statusChanged', { previous: statusLabel(previous), status: statusLabel(value) }) : t('history.status', { status: statusLabel(value) });
    case 'wsjf':
      return value ? t('history.wsjf', { parts: wsjfParts(value) }) : t('history.wsjfCleared');
    case 'split':
      return t('history.split', { titles: value ?? '' });
    case 'criterion': {
      if (!value) return t('history.checklist');
      // A criterion since removed from the Definition of Ready is named by its number.
      const named = value.slice(1).trim();
      const removed = /^criterion (\d+)$/.exec(named);
      const text = removed ? t('definition.criterion', { number: Number(removed[1]) }) : criterionText(named);
      return value.startsWith('✓') ? t('history.ticked', { text }) : t('history.unticked', { text });
    }
    case 'ready_override':
      return t(value === 'ready anyway' ? 'history.readyAnyway' : 'history.checklistDecides');
    case 'remark':
      return value ? remarkNoted(value) : t('history.remarkRemoved');
    case 'deleted':
      return t('history.deleted');
    case 'restored':
      return t('history.restored');
    default:
      return t('history.changedField', { field: entry.field.replaceAll('_', ' ') });
  }
}

/**
 * When: how long ago within the last hour, a clock time earlier today, a date before.
 * @param {number} at
 * @param {number} now
 */
export function when(at, now) {
  if (now - at < 3_600_000) return formatAgo(at, now);
  const sameDay = new Date(at).toDateString() === new Date(now).toDateString();
  return sameDay ? formatTime(at) : formatDateTime(at);
}
