// An item's history in words: one sentence per change, as people would say it, and who did it.

import { STATUS_LABELS } from './protocol.js';

/** @typedef {import('./protocol.js').HistoryEntry} HistoryEntry */

/** @param {string | null} status */
const statusLabel = (status) => (status ? STATUS_LABELS[/** @type {keyof typeof STATUS_LABELS} */ (status)] ?? status : '');

/**
 * Who did something: their name, someone since removed, or the server itself.
 * @param {string | null} id
 * @param {string | null | undefined} name their name, if they are still in the room
 * @param {boolean} [opening] whether the words open a sentence
 */
export function doer(id, name, opening = true) {
  if (name) return name;
  if (!id) return 'Ready Room';
  return opening ? 'Someone who left' : 'someone who left';
}

/**
 * Who made a change.
 * @param {HistoryEntry} entry
 */
export function who(entry) {
  return doer(entry.by, entry.by_name);
}

/**
 * What the change did, after who did it ("renamed it from … to …").
 * @param {HistoryEntry} entry
 */
export function whatChanged(entry) {
  const { value, previous } = entry;
  const from = previous ? ` (was ${previous})` : '';
  switch (entry.field) {
    case 'created':
      return `created it as “${value}”`;
    case 'title':
      return previous ? `renamed it from “${previous}” to “${value}”` : `renamed it to “${value}”`;
    case 'description':
      return 'edited the description';
    case 'acceptance_criteria':
      return 'edited the acceptance criteria';
    case 'notes':
      return 'edited the notes';
    case 'labels':
      return value ? `set the labels to ${value}${from}` : `removed the labels${from}`;
    case 'links':
      return value ? `set the links to ${value}` : 'removed the links';
    case 'dependencies':
      return value ? `made it wait for ${value}` : 'removed what it waited for';
    case 'estimate':
      if (!value) return `cleared the estimate${from}`;
      return previous ? `changed the estimate from ${previous} to ${value}` : `estimated it at ${value}`;
    case 'status':
      return previous ? `changed the status from ${statusLabel(previous)} to ${statusLabel(value)}` : `set the status to ${statusLabel(value)}`;
    case 'wsjf':
      return value ? `set its WSJF parts: ${value}` : 'cleared its WSJF parts';
    case 'split':
      return `split it into ${value}`;
    case 'criterion':
      if (!value) return 'changed its checklist';
      return value.startsWith('✓') ? `ticked “${value.slice(1).trim()}”` : `unticked “${value.slice(1).trim()}”`;
    case 'ready_override':
      return value === 'ready anyway' ? 'marked it ready anyway' : 'let its checklist decide again';
    case 'remark':
      return value ? `noted ${value}` : 'removed a decision or question';
    case 'deleted':
      return 'moved it to the trash';
    case 'restored':
      return 'restored it from the trash';
    default:
      return `changed ${entry.field.replaceAll('_', ' ')}`;
  }
}

/**
 * When, as a clock time today or a date before.
 * @param {number} at
 * @param {number} now
 */
export function when(at, now) {
  const date = new Date(at);
  const sameDay = date.toDateString() === new Date(now).toDateString();
  return sameDay ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : date.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}
