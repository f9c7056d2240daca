// What the browser remembers per room, in localStorage (shared by every tab of this browser):
// the participant token (to come back as the same person after a reload or a dropped
// connection), the facilitator token, the room's epoch and the last event seq applied, and the
// counter command ids are drawn from. Per tab, in sessionStorage: the commands sent but not yet
// answered, so that a reload mid-flight sends them again. Nothing here is sent anywhere but to
// this server.

const PREFIX = 'readyroom:';

/**
 * @typedef {{ participantToken?: string, facilitatorToken?: string, epoch?: string,
 *   seq?: number }} RoomIdentity
 */

/**
 * @param {string} roomId
 * @returns {RoomIdentity}
 */
export function loadIdentity(roomId) {
  try {
    const value = JSON.parse(localStorage.getItem(`${PREFIX}room:${roomId}`) || '{}');
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

/**
 * @param {string} roomId
 * @param {RoomIdentity} identity
 */
export function saveIdentity(roomId, identity) {
  try {
    localStorage.setItem(`${PREFIX}room:${roomId}`, JSON.stringify(identity));
  } catch {
    // Private browsing can refuse storage; the session still works, it just won't survive a reload.
  }
}

/**
 * Merges `patch` into what is stored now (another tab may have written meanwhile); a field set
 * to undefined is removed.
 * @param {string} roomId
 * @param {Partial<Record<keyof RoomIdentity, any>>} patch
 */
export function updateIdentity(roomId, patch) {
  const identity = /** @type {Record<string, any>} */ (loadIdentity(roomId));
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete identity[key];
    else identity[key] = value;
  }
  saveIdentity(roomId, identity);
}

/** Per room, the highest command id this tab handed out: used when storage is refused. @type {Map<string, number>} */
const lastIssued = new Map();

/**
 * The next command id of this room, unique across this browser's tabs: one counter per room in
 * localStorage, read, incremented and written back at once (tabs run one task at a time each,
 * and storage events are not needed for that). Never at or below `floor` (the server's
 * `last_cmd`) nor below an id this tab issued already.
 * @param {string} roomId
 * @param {number} floor
 * @returns {number}
 */
export function nextCommandId(roomId, floor) {
  const key = `${PREFIX}cmd:${roomId}`;
  let stored = 0;
  try {
    stored = Number(localStorage.getItem(key)) || 0;
  } catch {
    // Falls back to this tab's own counter.
  }
  const next = Math.max(stored, floor, lastIssued.get(roomId) ?? 0) + 1;
  lastIssued.set(roomId, next);
  try {
    localStorage.setItem(key, String(next));
  } catch {
    // As above.
  }
  return next;
}

/** @typedef {{ cmd: number | null, command: import('./protocol.js').Command, sends: number, held?: boolean }} StoredCommand */

/**
 * The commands this tab had sent or queued, not answered, when the page went away.
 * @param {string} roomId
 * @returns {StoredCommand[]}
 */
export function loadOutbox(roomId) {
  try {
    const value = JSON.parse(sessionStorage.getItem(`${PREFIX}outbox:${roomId}`) || '[]');
    return Array.isArray(value) ? value.filter((e) => e && typeof e.command?.type === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * @param {string} roomId
 * @param {StoredCommand[]} entries
 */
export function saveOutbox(roomId, entries) {
  try {
    const key = `${PREFIX}outbox:${roomId}`;
    if (entries.length) sessionStorage.setItem(key, JSON.stringify(entries));
    else sessionStorage.removeItem(key);
  } catch {
    // Without storage a reload loses what was not answered yet; the session itself is fine.
  }
}

/** @returns {string} */
export function loadName() {
  try {
    return localStorage.getItem(`${PREFIX}name`) || '';
  } catch {
    return '';
  }
}

/** @param {string} name */
export function saveName(name) {
  try {
    localStorage.setItem(`${PREFIX}name`, name);
  } catch {
    // As above: not remembering the name is harmless.
  }
}

/** @returns {'light' | 'dark' | null} */
export function loadTheme() {
  try {
    const theme = localStorage.getItem(`${PREFIX}theme`);
    return theme === 'light' || theme === 'dark' ? theme : null;
  } catch {
    return null;
  }
}

/** @param {'light' | 'dark' | null} theme */
export function saveTheme(theme) {
  try {
    if (theme) localStorage.setItem(`${PREFIX}theme`, theme);
    else localStorage.removeItem(`${PREFIX}theme`);
  } catch {
    // Harmless: the theme falls back to the system's.
  }
}

/** The language chosen with the switcher, or null to follow the browser's. @returns {string | null} */
export function loadLanguage() {
  try {
    return localStorage.getItem(`${PREFIX}language`);
  } catch {
    return null;
  }
}

/** @param {string} language */
export function saveLanguage(language) {
  try {
    localStorage.setItem(`${PREFIX}language`, language);
  } catch {
    // Harmless: the next visit follows the browser's languages again.
  }
}
