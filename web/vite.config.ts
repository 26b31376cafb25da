import { defineConfig, type Plugin } from "vite";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * Writes `sw.js` from `src/sw-template.js` with the list of files to precache and a
 * version derived from their contents (no timestamps: the build is reproducible).
 */
function serviceWorker(): Plugin {
  return {
    name: "ironfield-service-worker",
    apply: "build",
    enforce: "post",
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle)
        .filter((name) => !name.endsWith(".map"))
        .concat(["manifest.webmanifest", "icons/icon.svg", "icons/icon-192.png", "icons/icon-512.png"])
        .sort();
      const hash = createHash("sha256");
      for (const name of Object.keys(bundle).sort()) {
        const item = bundle[name];
        hash.update(name);
        hash.update(item.type === "chunk" ? item.code : item.source);
      }
      const template = readFileSync(new URL("./src/sw-template.js", import.meta.url), "utf8");
      const source = template
        .replace("__VERSION__", hash.digest("hex").slice(0, 16))
        .replace("__FILES__", JSON.stringify(files.map((f) => (f === "index.html" ? "./" : f))));
      this.emitFile({ type: "asset", fileName: "sw.js", source });
    },
  };
}

export default defineConfig({
  base: "/app/",
  plugins: [serviceWorker()],
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    sourcemap: false,
    assetsInlineLimit: 0,
    target: "es2022",
  },
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
});
