// What the browser remembers per room: the participant token (to come back as the same person
// after a reload or a dropped connection) and the facilitator token. Stored in localStorage,
// never sent anywhere but this server's join.

const PREFIX = 'readyroom:';

/** @typedef {{ participantToken?: string, facilitatorToken?: string }} RoomIdentity */

/**
 * @param {string} roomId
 * @returns {RoomIdentity}
 */
export function loadIdentity(roomId) {
  try {
    return JSON.parse(localStorage.getItem(`${PREFIX}room:${roomId}`) || '{}');
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
