// The HTTP API: creating, importing and looking up rooms, reading an item's history, the
// tracker round trip (CSV in, CSV, JSON and Markdown out), estimate suggestions, insights, the
// room's API tokens, its webhooks and the team rooms its suggestions draw on. Tokens go in the
// Authorization header, never in an address.

import { t } from './i18n.js';

/**
 * A refusal from the server: its error code (docs/protocol.md §12) and message, said to
 * people by `errorText`.
 */
export class ApiError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {number} [status] the HTTP status it came with
   */
  constructor(code, message, status = 0) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/**
 * The error a refused request stands for.
 * @param {Response} response
 * @param {any} data its body, when it was JSON
 */
function refusal(response, data) {
  const code = typeof data?.code === 'string' ? data.code : 'http';
  return new ApiError(code, data?.message || t('error.http', { status: String(response.status) }), response.status);
}

/** @param {string} roomId */
function roomPath(roomId) {
  return `/api/rooms/${encodeURIComponent(roomId)}`;
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
 * Opens a room's JSON export as a new room, of which this browser gets the facilitator token.
 * @param {Blob} exported the file, sent as it is
 * @returns {Promise<RoomCreated>}
 */
export async function importRoom(exported) {
  const response = await fetch('/api/rooms/import', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: exported,
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
  const response = await fetch(roomPath(roomId));
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
  const response = await fetch(`${roomPath(roomId)}/items/${encodeURIComponent(itemId)}/history`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw refusal(response, data);
  return data;
}

/**
 * A JSON request with a room's token; the answer's JSON, or null for one without a body (204).
 * @param {string} path
 * @param {string} token
 * @param {{ method?: string, body?: unknown }} [options]
 */
async function withToken(path, token, { method = 'GET', body } = {}) {
  /** @type {Record<string, string>} */
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  const data = response.status === 204 ? null : await response.json().catch(() => ({}));
  if (!response.ok) throw refusal(response, data);
  return data;
}

/**
 * The estimate the room's history (and its team rooms') suggests for an item (§24). A participant's token gets
 * it only once the item's votes are revealed (`403 forbidden` before), the facilitator's at any time.
 * @param {string} roomId
 * @param {string} itemId
 * @param {string} token
 * @returns {Promise<import('./protocol.js').EstimateSuggestion>}
 */
export function suggestion(roomId, itemId, token) {
  return withToken(`${roomPath(roomId)}/items/${encodeURIComponent(itemId)}/suggestion`, token);
}

/**
 * How the room refines, session by session; figures per person only with the facilitator token.
 * @param {string} roomId
 * @param {string} token
 * @returns {Promise<import('./protocol.js').Insights>}
 */
export function insights(roomId, token) {
  return withToken(`${roomPath(roomId)}/insights`, token);
}

/**
 * The room's API tokens, without their secrets (facilitator token).
 * @param {string} roomId
 * @param {string} token
 * @returns {Promise<import('./protocol.js').ApiToken[]>}
 */
export function apiTokens(roomId, token) {
  return withToken(`${roomPath(roomId)}/tokens`, token);
}

/**
 * Issues an API token; its secret is in this answer and nowhere else, ever.
 * @param {string} roomId
 * @param {string} token the facilitator token
 * @param {{ name: string, scope: import('./protocol.js').ApiScope }} body
 * @returns {Promise<import('./protocol.js').ApiToken & { token: string }>}
 */
export function createApiToken(roomId, token, body) {
  return withToken(`${roomPath(roomId)}/tokens`, token, { method: 'POST', body });
}

/**
 * @param {string} roomId
 * @param {string} token the facilitator token
 * @param {string} id the API token's id
 * @returns {Promise<null>}
 */
export function revokeApiToken(roomId, token, id) {
  return withToken(`${roomPath(roomId)}/tokens/${encodeURIComponent(id)}`, token, { method: 'DELETE' });
}

/**
 * The room's webhooks, each with its latest deliveries, newest first (facilitator token).
 * @param {string} roomId
 * @param {string} token
 * @returns {Promise<import('./protocol.js').Webhook[]>}
 */
export function webhooks(roomId, token) {
  return withToken(`${roomPath(roomId)}/webhooks`, token);
}

/**
 * Adds a webhook; the secret its requests are signed with is in this answer and nowhere else.
 * @param {string} roomId
 * @param {string} token the facilitator token
 * @param {{ url: string, events: import('./protocol.js').WebhookEvent[] }} body
 * @returns {Promise<import('./protocol.js').WebhookCreated>}
 */
export function createWebhook(roomId, token, body) {
  return withToken(`${roomPath(roomId)}/webhooks`, token, { method: 'POST', body });
}

/**
 * @param {string} roomId
 * @param {string} token the facilitator token
 * @param {string} id the webhook's id
 * @returns {Promise<null>}
 */
export function deleteWebhook(roomId, token, id) {
  return withToken(`${roomPath(roomId)}/webhooks/${encodeURIComponent(id)}`, token, { method: 'DELETE' });
}

/**
 * Queues a `ping` to a webhook, to check its receiver.
 * @param {string} roomId
 * @param {string} token the facilitator token
 * @param {string} id the webhook's id
 * @returns {Promise<{ delivery_id: string }>}
 */
export function pingWebhook(roomId, token, id) {
  return withToken(`${roomPath(roomId)}/webhooks/${encodeURIComponent(id)}/ping`, token, { method: 'POST' });
}

/**
 * Sends a failed delivery again, from its first attempt.
 * @param {string} roomId
 * @param {string} token the facilitator token
 * @param {string} webhookId
 * @param {string} deliveryId
 */
export function retryDelivery(roomId, token, webhookId, deliveryId) {
  return withToken(`${roomPath(roomId)}/webhooks/${encodeURIComponent(webhookId)}/deliveries/${encodeURIComponent(deliveryId)}/retry`, token, { method: 'POST' });
}

/**
 * The team's other rooms this room's suggestions draw on (facilitator token).
 * @param {string} roomId
 * @param {string} token
 * @returns {Promise<import('./protocol.js').TeamRoom[]>}
 */
export function teamRooms(roomId, token) {
  return withToken(`${roomPath(roomId)}/team-rooms`, token);
}

/**
 * Links another room of the team, with one of its API tokens as its facilitator's consent.
 * Linking a room again replaces its link.
 * @param {string} roomId
 * @param {string} token the facilitator token
 * @param {{ room_id: string, token: string }} body the other room and an API token of it
 * @returns {Promise<import('./protocol.js').TeamRoom>}
 */
export function linkTeamRoom(roomId, token, body) {
  return withToken(`${roomPath(roomId)}/team-rooms`, token, { method: 'POST', body });
}

/**
 * @param {string} roomId
 * @param {string} token the facilitator token
 * @param {string} otherId the linked room's id
 * @returns {Promise<null>}
 */
export function unlinkTeamRoom(roomId, token, otherId) {
  return withToken(`${roomPath(roomId)}/team-rooms/${encodeURIComponent(otherId)}`, token, { method: 'DELETE' });
}

/**
 * Reads a tracker's CSV file into the room or, with `dryRun`, says what that would do.
 * @param {string} roomId
 * @param {string} token the facilitator token
 * @param {Blob | string} csv a chosen file, sent as it is (the server judges its encoding), or pasted text
 * @param {{ dryRun: boolean, format?: string, trackerUrl?: string, columns?: string }} options
 * @returns {Promise<import('./protocol.js').ImportReport>}
 */
export async function importCsv(roomId, token, csv, { dryRun, format, trackerUrl, columns }) {
  const query = new URLSearchParams();
  if (format) query.set('format', format);
  if (trackerUrl) query.set('tracker_url', trackerUrl);
  if (columns) query.set('columns', columns);
  if (dryRun) query.set('dry_run', 'true');
  const response = await fetch(`${roomPath(roomId)}/import/csv?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: csv,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw refusal(response, data);
  return data;
}

/** @typedef {'jira' | 'azure' | 'plain' | 'json' | 'summary'} ExportKind */

/** Where each download is, under the room's address, and its name should the reply suggest none. */
const EXPORTS = /** @type {Record<ExportKind, { path: string, name: string }>} */ ({
  jira: { path: 'export/csv?format=jira', name: 'readyroom-jira.csv' },
  azure: { path: 'export/csv?format=azure', name: 'readyroom-azure.csv' },
  plain: { path: 'export/csv?format=plain', name: 'readyroom.csv' },
  json: { path: 'export', name: 'readyroom.json' },
  summary: { path: 'summary.md', name: 'readyroom-summary.md' },
});

/**
 * A file the server writes for download: the backlog as a tracker's CSV or the room's JSON
 * export (with the facilitator token), or the summary in Markdown (with any of the room's
 * tokens); named as the server suggests.
 * @param {string} roomId
 * @param {ExportKind} kind
 * @param {string} token
 * @returns {Promise<{ blob: Blob, name: string }>}
 */
export async function exportFile(roomId, kind, token) {
  const { path, name } = EXPORTS[kind];
  const response = await fetch(`${roomPath(roomId)}/${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw refusal(response, await response.json().catch(() => null));
  const suggested = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '');
  return { blob: await response.blob(), name: suggested?.[1] ?? name };
}

/** @param {string} roomId */
export function socketUrl(roomId) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws/rooms/${encodeURIComponent(roomId)}`;
}
