// Ironfield service worker: keeps the app shell so the app starts without network.
// Generated at build time from src/sw-template.js (the file list and version are filled in).
const VERSION = "ab3c0cbbd6d3de8b";
const CACHE = "ironfield-shell-" + VERSION;
const FILES = ["assets/AccountPage-aN7oZDRy.js","assets/FindStall-DRgU1MeP.js","assets/LeadPage-B9Myyqgb.js","assets/LogVisit-CsJBQs7e.js","assets/Meeting-BnVbzlkf.js","assets/MonthEnd-Ch7lkhst.js","assets/Queue-DNrZtwYh.js","assets/index-BoI43gTL.css","assets/index-CnOtqgrp.js","assets/teams-3PRlzca0.js","icons/icon-192.png","icons/icon-512.png","icons/icon.svg","./","manifest.webmanifest"];
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
