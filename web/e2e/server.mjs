// Starts a real `ironfield serve` (the workspace's debug binary) over a fresh database.
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const ADMIN_EMAIL = "admin@e2e.ironfield.dev";
export const PASSWORD = "e2e passphrase 12345";

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** backend: "sqlite" | "postgres". Returns { base, stop }. */
export async function startServer(backend) {
  const bin = process.env.IRONFIELD_BIN ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(ROOT, "target"), "debug/ironfield");
  const port = await freePort();
  const tag = `e2e_${process.pid}_${Date.now()}`;
  let url;
  let cleanup = () => {};
  if (backend === "postgres") {
    const admin = process.env.E2E_POSTGRES ?? "postgres://postgres@127.0.0.1:5432";
    execFileSync("psql", [`${admin}/postgres`, "-qc", `CREATE DATABASE ${tag}`]);
    url = `${admin}/${tag}`;
    cleanup = () => execFileSync("psql", [`${admin}/postgres`, "-qc", `DROP DATABASE IF EXISTS ${tag} WITH (FORCE)`]);
  } else {
    const file = `/tmp/${tag}.db`;
    url = `sqlite://${file}`;
    cleanup = () => ["", "-wal", "-shm"].forEach((s) => rmSync(file + s, { force: true }));
  }
  const child = spawn(bin, ["serve"], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      IRONFIELD_ADDR: `127.0.0.1:${port}`,
      IRONFIELD_ADMIN_EMAIL: ADMIN_EMAIL,
      IRONFIELD_ADMIN_PASSWORD: PASSWORD,
      IRONFIELD_JWT_SECRET: "an e2e signing secret of at least 32 bytes",
      RUST_LOG: process.env.RUST_LOG ?? "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/health/ready`)).ok) break;
    } catch {
      /* not yet */
    }
    if (child.exitCode !== null) throw new Error(`ironfield exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      cleanup();
    },
  };
}

/** A tiny JSON client for seeding and checking through the API. */
export function apiClient(base) {
  async function request(method, path, token, body) {
    const response = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return json;
  }
  return {
    request,
    login: async (email) => (await request("POST", "/auth/login", null, { email, password: PASSWORD })).access_token,
    get: (path, token) => request("GET", path, token),
    post: (path, token, body) => request("POST", path, token, body),
    put: (path, token, body) => request("PUT", path, token, body),
    patch: (path, token, body) => request("PATCH", path, token, body),
  };
}

/** Counts every item of a paginated list. */
export async function countAll(api, path, token) {
  let count = 0;
  let cursor = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page = await api.get(`${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, token);
    count += page.items.length;
    cursor = page.next_cursor;
  } while (cursor);
  return count;
}
