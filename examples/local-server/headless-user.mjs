// A headless user made of plain HTTP: follows redirects by hand, keeps cookies, and
// submits oidc-provider's login and consent forms (every hidden input included) until
// the browser would land on the client's redirect URI, which it then visits. Used where
// no browser runs (the demo without a display, Bun and Deno tests).

function parseForms(html) {
  const forms = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const action = /action="([^"]*)"/i.exec(m[1])?.[1];
    const fields = [];
    for (const i of m[2].matchAll(/<input\b([^>]*)>/gi)) {
      const name = /name="([^"]*)"/i.exec(i[1])?.[1];
      if (name) fields.push([name, /value="([^"]*)"/i.exec(i[1])?.[1] ?? ""]);
    }
    if (action) forms.push({ action: action.replace(/&amp;/g, "&"), fields });
  }
  return forms;
}

/**
 * Signs in at `url` as `login`. `approve: false` cancels at the login page instead.
 * Resolves once the redirect URI has been requested (and its 303 followed).
 */
export async function headlessSignIn(url, { login = "alice", password = "any-password", approve = true, fetchImpl = fetch } = {}) {
  const jar = new Map();
  let next = { url, method: "GET", body: undefined };
  for (let hop = 0; hop < 30; hop++) {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const headers = { ...(cookie ? { cookie } : {}), ...(next.body ? { "content-type": "application/x-www-form-urlencoded" } : {}) };
    const res = await fetchImpl(next.url, { method: next.method, body: next.body, headers, redirect: "manual" });
    for (const c of res.headers.getSetCookie?.() ?? []) {
      const [pair] = c.split(";");
      const eq = pair.indexOf("=");
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const location = res.headers.get("location");
    const text = await res.text();
    if (res.status >= 300 && res.status < 400 && location) {
      next = { url: new URL(location, next.url).href, method: "GET", body: undefined };
      continue;
    }
    if (res.status !== 200) throw new Error(`headless user: HTTP ${res.status} at ${next.url}: ${text.slice(0, 200)}`);
    const forms = parseForms(text);
    if (forms.length === 0) return { finalUrl: next.url, text };
    if (!approve) {
      const abort = /href="([^"]*abort[^"]*)"/i.exec(text)?.[1];
      if (abort) {
        next = { url: new URL(abort, next.url).href, method: "GET", body: undefined };
        continue;
      }
    }
    const form = forms[0];
    const data = new URLSearchParams();
    for (const [name, value] of form.fields) data.set(name, name === "login" ? login : name === "password" ? password : value);
    next = { url: new URL(form.action, next.url).href, method: "POST", body: data.toString() };
  }
  throw new Error("headless user: too many steps");
}

// As a BROWSER command, the user for a program that opens the system browser:
//   BROWSER="node examples/local-server/headless-user.mjs" node my-cli.mjs
// It signs in at the URL it is given; on failure it exits 1, which the launcher reports.
async function runAsCommand() {
  if (typeof process === "undefined" || !process.argv[1]) return false;
  try {
    const { realpathSync } = await import("node:fs");
    return realpathSync(process.argv[1]) === realpathSync(new URL(import.meta.url).pathname);
  } catch {
    return false;
  }
}
if (await runAsCommand()) {
  const url = process.argv[2];
  if (!url) {
    console.error("usage: node headless-user.mjs <authorization URL>");
    process.exit(2);
  }
  try {
    await headlessSignIn(url);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
