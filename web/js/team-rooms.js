// The team rooms this room's suggestions draw on, apart from the page: which room a pasted link
// or id names, what is wrong with a link before the server is asked, how many rooms may be
// linked, and what a refusal says. A room's link may be its facilitator link: only the room's
// id is taken from it, and nothing after the `#` ever leaves the page.

import { errorText, locale, t } from './i18n.js';
import { TEAM_ROOMS } from './protocol.js';

/** @typedef {import('./protocol.js').TeamRoom} TeamRoom */

/** A room's id as the server writes it. */
const ROOM_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A room's page: `/r/<id>`, with or without a slash after it. */
const ROOM_PATH = /^\/r\/([^/]+)\/?$/;

/**
 * The room a pasted text names, in lower case, or null: a bare id, or a room's link on any
 * host ("https://rr.example.com/r/<id>", also without "https://", with or without what follows
 * a `#` or `?`).
 * @param {string} text as pasted
 * @returns {string | null}
 */
export function roomIdFrom(text) {
  const trimmed = text.trim();
  if (ROOM_ID.test(trimmed)) return trimmed.toLowerCase();
  if (!trimmed.includes('/r/') || /\s/.test(trimmed)) return null;
  let url;
  try {
    url = new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed.replace(/^\/+/, '')}`);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const id = ROOM_PATH.exec(url.pathname)?.[1] ?? '';
  return ROOM_ID.test(id) ? id.toLowerCase() : null;
}

/**
 * What is wrong with the room to link, or '' when nothing is. The server has the last word:
 * only it knows whether the room exists and the token is one of its.
 * @param {string} address the other room's link or id, as pasted
 * @param {string} ownRoomId this room's id
 * @param {readonly TeamRoom[]} linked the rooms linked already
 */
export function addressProblem(address, ownRoomId, linked) {
  if (!address.trim()) return t('teamRooms.addressEmpty');
  const id = roomIdFrom(address);
  if (!id) return t('teamRooms.addressInvalid');
  if (id === ownRoomId.toLowerCase()) return t('teamRooms.addressOwn');
  // Linking a room again (with a new token) replaces its link, so it is allowed when full.
  if (isFull(linked) && !linked.some((room) => room.room_id === id)) return t('teamRooms.full', { max: TEAM_ROOMS.max });
  return '';
}

/**
 * What is wrong with the other room's API token, or '' when nothing is.
 * @param {string} token as pasted
 */
export function tokenProblem(token) {
  const trimmed = token.trim();
  if (!trimmed) return t('teamRooms.tokenEmpty');
  if (/\s/.test(trimmed)) return t('teamRooms.tokenSpaces');
  return '';
}

/**
 * Whether the room draws on as many other rooms as it may.
 * @param {readonly TeamRoom[]} linked
 */
export function isFull(linked) {
  return linked.length >= TEAM_ROOMS.max;
}

/**
 * The list with a room just linked: in place of its old link, else added.
 * @param {readonly TeamRoom[]} linked
 * @param {TeamRoom} room
 * @returns {TeamRoom[]}
 */
export function withLinked(linked, room) {
  return linked.some((other) => other.room_id === room.room_id) ? linked.map((other) => (other.room_id === room.room_id ? room : other)) : [...linked, room];
}

/**
 * The rooms as listed: the latest linked first.
 * @param {readonly TeamRoom[]} linked
 */
export function latestFirst(linked) {
  return [...linked].sort((a, b) => b.linked_at - a.linked_at);
}

/**
 * Why a link was refused. English shows the server's own words; elsewhere `invalid_value` (once
 * this page has ruled out the room itself and a full list) means the room is unknown or the
 * token is not one of its, which the server answers alike, so as not to tell which.
 * @param {{ code?: string, message?: string }} error
 */
export function refusalText(error) {
  if (error?.code === 'invalid_value' && locale() !== 'en') return t('teamRooms.refused');
  return errorText(error);
}
