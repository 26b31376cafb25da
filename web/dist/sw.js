// Ironfield service worker: keeps the app shell so the app starts without network.
// Generated at build time from src/sw-template.js (the file list and version are filled in).
const VERSION = "12f122b8fd5a788e";
const CACHE = "ironfield-shell-" + VERSION;
const FILES = ["assets/AccountPage-C9ZDa77P.js","assets/FindStall-Bh9AVcPQ.js","assets/LeadPage-DEZ6ZRbt.js","assets/LogVisit-CHeuo9SP.js","assets/Meeting-Bd5Mp0M8.js","assets/MonthEnd-DKhdlo-1.js","assets/Queue-BoJtJWpM.js","assets/index-BoI43gTL.css","assets/index-BzW_gh4l.js","assets/teams-IbbmImO8.js","icons/icon-192.png","icons/icon-512.png","icons/icon.svg","./","manifest.webmanifest"];
const BASE = new URL("./", self.location).pathname; // "/app/"

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(FILES.map((f) => BASE + (f === "./" ? "" : f))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("ironfield-shell-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(BASE)) return; // the API goes to the network
  if (request.mode === "navigate") {
    // Any page of the app is the shell: answer it from the cache at once (fast on a weak
    // signal, works offline); a new release arrives with a new service worker.
    event.respondWith(
      caches.open(CACHE).then((cache) => cache.match(BASE).then((hit) => hit || fetch(request))),
    );
    return;
  }
  event.respondWith(caches.open(CACHE).then((cache) => cache.match(request).then((hit) => hit || fetch(request))));
});
