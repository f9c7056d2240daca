// Saving a file made in memory as the browser saves any download: the page never puts a token
// in an address to let the browser fetch it, so everything saved is fetched first, then handed over.

import { h } from './dom.js';

/** How long a saved file's address is kept: the browser reads the file after the click is handled. */
const SAVED_URL_MS = 60_000;

/**
 * @param {Element} within where the link goes for its click: inside an open modal dialog, since the page behind it is inert
 * @param {{ blob: Blob, name: string }} file
 */
export function saveFile(within, { blob, name }) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: name, hidden: true });
  within.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), SAVED_URL_MS);
}
