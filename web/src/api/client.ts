/**
 * The typed API client, generated from openapi/openapi.json (see `npm run gen:api`). Every
 * call goes through here: no screen writes a path by hand into `fetch`.
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema";
import type { Problem } from "./types";

export const api = createClient<paths>({ baseUrl: location.origin });

/** Supplies the access token for a request (set by the session module). */
let tokenSource: (() => Promise<string | null>) | null = null;
export function setTokenSource(source: () => Promise<string | null>): void {
  tokenSource = source;
}

const PUBLIC = new Set(["/api/v1/auth/login", "/api/v1/auth/refresh"]);

const auth: Middleware = {
  async onRequest({ request, schemaPath }) {
    if (!PUBLIC.has(schemaPath) && tokenSource) {
      const token = await tokenSource();
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
    }
    return request;
  },
};
api.use(auth);

/** Why a call failed: no network at all, or an answer from the API (a problem document). */
export class ApiFailure extends Error {
  constructor(
    readonly kind: "network" | "problem",
    readonly status: number,
    readonly problem?: Problem,
    readonly retryAfter?: number,
  ) {
    super(problem?.detail ?? kind);
  }
  get code(): string {
    return this.problem?.code ?? (this.kind === "network" ? "network" : "unknown");
  }
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** Awaits an openapi-fetch call and returns its data, or throws an `ApiFailure`. */
export async function call<T>(pending: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await pending;
  } catch {
    throw new ApiFailure("network", 0);
  }
  const { data, error, response } = result;
  if (!response.ok) {
    const problem =
      error && typeof error === "object" && "code" in (error as object) ? (error as Problem) : undefined;
    const retry = Number(response.headers.get("Retry-After") ?? "");
    throw new ApiFailure("problem", response.status, problem, Number.isFinite(retry) ? retry : undefined);
  }
  return data as T;
}

export function isOffline(error: unknown): boolean {
  return error instanceof ApiFailure && error.kind === "network";
}
