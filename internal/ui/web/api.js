// Calls to Herald's JSON API. When the server answers 401 the user is asked
// for its token once; the token is kept in sessionStorage and sent as a
// bearer token from then on.

const tokenKey = "herald-ui-token";
let asking = null;

function headers() {
  const token = sessionStorage.getItem(tokenKey);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

function askToken() {
  if (!asking) {
    asking = Promise.resolve().then(() => {
      const token = window.prompt("This Herald UI needs a token (--ui-token):");
      if (token) sessionStorage.setItem(tokenKey, token.trim());
      return Boolean(token);
    });
  }
  return asking;
}

export async function getJSON(path) {
  let resp = await fetch(path, { headers: headers() });
  if (resp.status === 401 && (await askToken())) {
    resp = await fetch(path, { headers: headers() });
  }
  if (!resp.ok) {
    let detail = resp.statusText;
    try {
      detail = (await resp.json()).error || detail;
    } catch {
      // not JSON: keep the status text
    }
    throw new Error(`${path}: ${resp.status} ${detail}`);
  }
  return resp.json();
}

export const flow = () => getJSON("api/v1/flow");

export function recentEvents(filter, limit = 20) {
  const q = new URLSearchParams({ ...filter, limit: String(limit) });
  return getJSON(`api/v1/events?${q}`).then((r) => r.events || []);
}

export const eventTrace = (id) => getJSON(`api/v1/events/${encodeURIComponent(id)}`);
