// The room's API tokens, apart from the page: what a new token's name must be, how many a room
// holds, and the example that shows a tool how to use one. The example names the token by a
// shell variable, never by its value: the secret is shown once, in its own field, and nothing
// else on the page repeats it.

import { t } from './i18n.js';
import { API_TOKENS } from './protocol.js';

/** @typedef {import('./protocol.js').ApiToken} ApiToken */

/** The shell variable the example reads the token from (which keeps it out of the shell's history). */
export const TOKEN_VARIABLE = 'READYROOM_TOKEN';

/**
 * A command that lists the room's backlog with a token.
 * @param {string} origin the server's address as this page reached it: "https://rr.example.com"
 * @param {string} roomId
 */
export function curlExample(origin, roomId) {
  return `curl -H "Authorization: Bearer $${TOKEN_VARIABLE}" ${origin}/api/rooms/${encodeURIComponent(roomId)}/items`;
}

/**
 * What is wrong with a new token's name, or '' when nothing is.
 * @param {string} name as typed
 */
export function nameProblem(name) {
  const trimmed = name.trim();
  if (!trimmed) return t('apiTokens.nameEmpty');
  if ([...trimmed].length > API_TOKENS.nameChars) return t('apiTokens.nameTooLong', { max: API_TOKENS.nameChars });
  return '';
}

/**
 * Whether the room holds as many tokens as it may.
 * @param {ApiToken[]} tokens
 */
export function isFull(tokens) {
  return tokens.length >= API_TOKENS.max;
}

/**
 * The tokens as listed: the newest first.
 * @param {ApiToken[]} tokens
 */
export function newestFirst(tokens) {
  return [...tokens].sort((a, b) => b.created_at - a.created_at);
}
