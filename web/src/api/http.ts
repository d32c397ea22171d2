/**
 * The one way to the server: a typed openapi-fetch client plus `call()`, which turns a failed
 * answer into an ApiError carrying the server's problem body. CSRF header on every non-GET.
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema";
import type { ProblemBody } from "./types";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: ProblemBody;
  constructor(problem: ProblemBody) {
    super(problem.title);
    this.status = problem.status;
    this.code = problem.code;
    this.problem = problem;
  }
}

export function readCookie(name: string): string | null {
  const m = document.cookie.match(new RegExp("(?:^|; )" + name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "=([^;]*)"));
  return m ? decodeURIComponent(m[1]) : null;
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (request.method !== "GET" && request.method !== "HEAD") {
      const token = readCookie("bw_csrf");
      if (token) request.headers.set("X-CSRF-Token", token);
    }
    return request;
  },
};

/**
 * Workaround for a server race (reported to the backend): the server commits a request's
 * transaction only after it has sent the answer, so a read sent right after logging in may not
 * see the new session yet and get a 401. A GET answered 401 within a few seconds of a login is
 * retried once, a moment later. Remove once the server commits before answering.
 */
let lastLoginAt = 0;
const freshSessionRetry: Middleware = {
  async onResponse({ request, response }) {
    if (response.status !== 401 || request.method !== "GET" || Date.now() - lastLoginAt > 5000) return undefined;
    await new Promise((r) => setTimeout(r, 300));
    return fetch(new Request(request));
  },
};

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(csrf);
api.use(freshSessionRetry);

/**
 * Bumped at every login and logout. A 401 from a request sent before the latest login (a slow
 * /me probe from the login page, say) must not log the fresh session out again.
 */
let authEpoch = 0;
export function bumpAuthEpoch(loggedIn = false): void {
  authEpoch += 1;
  if (loggedIn) lastLoginAt = Date.now();
}
export function currentAuthEpoch(): number {
  return authEpoch;
}

type Listener = (err: ApiError) => void;
const authListeners = new Set<Listener>();
/** Called for 401 (not logged in) and 403 password_change_required, wherever they happen. */
export function onAuthProblem(fn: Listener): () => void {
  authListeners.add(fn);
  return () => authListeners.delete(fn);
}

function toProblem(status: number, body: unknown, fallback: string): ProblemBody {
  if (body && typeof body === "object" && "title" in body) {
    const b = body as Partial<ProblemBody>;
    return { title: String(b.title), status, code: b.code ?? "http_error", errors: b.errors };
  }
  return { title: fallback, status, code: status === 0 ? "network_error" : "http_error" };
}

export function raise(status: number, body: unknown, fallback = `HTTP ${status}`, epoch?: number): never {
  const err = new ApiError(toProblem(status, body, fallback));
  const stale = epoch !== undefined && epoch !== authEpoch;
  if (!stale && (status === 401 || (status === 403 && err.code === "password_change_required"))) {
    authListeners.forEach((fn) => fn(err));
  }
  throw err;
}

/** Unwraps an openapi-fetch answer: data, or throws ApiError. */
export async function call<T>(
  p: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const epoch = authEpoch;
  let res;
  try {
    res = await p;
  } catch {
    raise(0, null, "Network error");
  }
  if (res.response.ok) return res.data as T;
  raise(res.response.status, res.error, undefined, epoch);
}

/** For multipart uploads (openapi-fetch types them as strings): plain fetch with the CSRF header. */
export async function postForm<T>(url: string, form: FormData, method: "POST" | "PUT" = "POST"): Promise<T> {
  const epoch = authEpoch;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      body: form,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": readCookie("bw_csrf") ?? "" },
    });
  } catch {
    raise(0, null, "Network error");
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) raise(res.status, body, undefined, epoch);
  return body as T;
}

/**
 * A multipart upload that reports its progress (0–1) as the bytes go: XMLHttpRequest, since
 * fetch cannot tell upload progress. Aborting through `signal` rejects with an AbortError.
 */
export function postFormWithProgress<T>(url: string, form: FormData, onProgress: (done: number) => void, signal?: AbortSignal): Promise<T> {
  const epoch = authEpoch;
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.withCredentials = true;
    xhr.setRequestHeader("X-CSRF-Token", readCookie("bw_csrf") ?? "");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    const fail = (status: number, body: unknown) => {
      try {
        raise(status, body, status === 0 ? "Network error" : undefined, epoch);
      } catch (err) {
        reject(err);
      }
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON: a proxy's page */
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else fail(xhr.status, body);
    };
    xhr.onerror = () => fail(0, null);
    xhr.onabort = () => reject(new DOMException("Upload cancelled", "AbortError"));
    if (signal) {
      if (signal.aborted) {
        reject(new DOMException("Upload cancelled", "AbortError"));
        return;
      }
      signal.addEventListener("abort", () => xhr.abort(), { once: true });
    }
    xhr.send(form);
  });
}
