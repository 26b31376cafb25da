/** A small promise wrapper over IndexedDB: the phone's store for the queue and cached reads. */
const DB_NAME = "ironfield";
const VERSION = 1;
export type StoreName = "queue" | "cache";

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "id" });
        if (!db.objectStoreNames.contains("cache")) db.createObjectStore("cache");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function store(name: StoreName, mode: IDBTransactionMode): Promise<IDBObjectStore> {
  return (await open()).transaction(name, mode).objectStore(name);
}

export async function get<T>(name: StoreName, key: string): Promise<T | undefined> {
  return done((await store(name, "readonly")).get(key)) as Promise<T | undefined>;
}

export async function all<T>(name: StoreName): Promise<T[]> {
  return done((await store(name, "readonly")).getAll()) as Promise<T[]>;
}

/** Writes and resolves once the transaction has committed (the record is on disk). */
export async function put(name: StoreName, value: unknown, key?: string): Promise<void> {
  const db = await open();
  const tx = db.transaction(name, "readwrite");
  if (key === undefined) tx.objectStore(name).put(value);
  else tx.objectStore(name).put(value, key);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export async function remove(name: StoreName, key: string): Promise<void> {
  const db = await open();
  const tx = db.transaction(name, "readwrite");
  tx.objectStore(name).delete(key);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}
