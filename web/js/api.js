// The HTTP API: creating and looking up rooms, reading an item's history.

import { t } from './i18n.js';

/**
 * A refusal from the server: its error code (docs/protocol.md §12) and message, said to
 * people by `errorText`.
 */
export class ApiError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * The error a refused request stands for.
 * @param {Response} response
 * @param {any} data its body, when it was JSON
 */
function refusal(response, data) {
  const code = typeof data?.code === 'string' ? data.code : 'http';
  return new ApiError(code, data?.message || t('error.http', { status: String(response.status) }));
}

/**
 * @typedef {{ room_id: string, facilitator_token: string, join_url: string,
 *   facilitator_url: string, ws_url: string }} RoomCreated
 */

/**
 * @param {{ name: string, default_deck: import('./protocol.js').DeckChoice }} body
 * @returns {Promise<RoomCreated>}
 */
export async function createRoom(body) {
  const response = await fetch('/api/rooms', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw refusal(response, data);
  return data;
}

/**
 * @param {string} roomId
 * @returns {Promise<{ room_id: string, name: string } | null>} null if there is no such room
 */
export async function describeRoom(roomId) {
  const response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}`);
  if (response.status === 404) return null;
  if (!response.ok) throw refusal(response, null);
  return response.json();
}

/**
 * An item's history, read with this person's participant token.
 * @param {string} roomId
 * @param {string} itemId
 * @param {string} token
 * @returns {Promise<import('./protocol.js').ItemHistory>}
 */
export async function itemHistory(roomId, itemId, token) {
  const response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/items/${encodeURIComponent(itemId)}/history`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw refusal(response, data);
  return data;
}

/** @param {string} roomId */
export function socketUrl(roomId) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws/rooms/${encodeURIComponent(roomId)}`;
}
