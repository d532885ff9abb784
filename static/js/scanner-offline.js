// Offline support for the door scanner: a queue of scans in IndexedDB, each with a client nonce
// (so a resent scan is never counted twice), and the SHA-256 digests of the valid badge tokens
// of a checkpoint, so that offline a known badge can be told from an unknown one.

const DB_NAME = "checkin";
const DB_VERSION = 1;

let opened = null;

function open() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "nonce" });
        if (!db.objectStoreNames.contains("digests")) db.createObjectStore("digests", { keyPath: "checkpoint" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opened;
}

async function run(storeName, mode, action) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const request = action(transaction.objectStore(storeName));
    transaction.oncomplete = () => resolve(request ? request.result : undefined);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

export const queue = {
  add: (item) => run("queue", "readwrite", (store) => store.put(item)),
  remove: (nonce) => run("queue", "readwrite", (store) => store.delete(nonce)),
  all: () => run("queue", "readonly", (store) => store.getAll()),
  count: () => run("queue", "readonly", (store) => store.count()),
};

export async function saveDigests(checkpoint, digests) {
  await run("digests", "readwrite", (store) => store.put({ checkpoint, digests, at: Date.now() }));
}

export async function loadDigests(checkpoint) {
  const row = await run("digests", "readonly", (store) => store.get(checkpoint));
  return row ? row.digests : [];
}

export async function sha256Hex(text) {
  const bytes = new TextEncoder().encode(text);
  const hash = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function newNonce() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
