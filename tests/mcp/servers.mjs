// A protected MCP server made of the MCP SDK's own server pieces, for the browserAuth
// tests and examples/mcp-client.mjs:
// - mcpAuthRouter: authorization server metadata (RFC 8414, plus RFC 9207 `iss`), RFC 9728
//   protected resource metadata, dynamic registration, /authorize, /token, /revoke;
// - behind it an in-memory OAuthServerProvider that rotates refresh tokens and, when a
//   rotated one comes back, revokes the whole grant (RFC 9700 §4.14.2), binds every
//   grant to its RFC 8707 resource, and compares redirect URIs exactly (as many servers do);
// - requireBearerAuth (checking the token's resource) in front of a Streamable HTTP MCP
//   endpoint with one tool, `whoami`.
// It counts what reached it and remembers every secret it issued, so a test can prove
// what did (not) happen and that no secret leaked into any output.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import express from "express";
import { createOAuthMetadata, getOAuthProtectedResourceMetadataUrl, mcpAuthRouter } from "@modelcontextprotocol/sdk/server/auth/router.js";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import { InvalidGrantError, InvalidTokenError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

const random = () => randomBytes(24).toString("base64url");

/**
 * Starts the server on 127.0.0.1 (an ephemeral port). Resolves to
 * { url, issuer, counts, seen, secrets, expireAccessTokens, revokeGrants, control, close }.
 */
export async function startMcpServer({ accessTokenTtl = 3600, exactRedirect = true } = {}) {
  const app = express();
  const http = createServer(app);
  await new Promise((r) => http.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${http.address().port}`;
  const mcpUrl = new URL(`${base}/mcp`);
  const issuerUrl = new URL(`${base}/`);
  const counts = { metadata: 0, registration: 0, authorize: 0, login: 0, authorization_code: 0, refresh: 0, refreshOk: 0, reuse: 0, unauthorized: 0, toolCalls: 0 };
  /** RFC 8707 resources as received, and redirect URIs asked for. */
  const seen = { authorizeResource: [], codeResource: [], refreshResource: [], redirectUris: [] };
  const secrets = new Set();
  const control = { refreshStatus: 0, hangRefresh: false, refuseTokens: false };
  const hung = new Set();
  const clients = new Map();
  const pending = new Map();
  const codes = new Map();
  const access = new Map();
  const refresh = new Map();
  const grants = new Map();

  function issue(grant) {
    const at = random();
    const rt = random();
    access.set(at, { grant, expiresAt: Date.now() + accessTokenTtl * 1000 });
    refresh.set(rt, { grant, used: false });
    secrets.add(at);
    secrets.add(rt);
    return { access_token: at, token_type: "Bearer", expires_in: accessTokenTtl, refresh_token: rt, scope: grant.scopes.join(" ") };
  }

  const provider = {
    clientsStore: {
      getClient: async (id) => clients.get(id),
      registerClient: async (client) => {
        counts.registration++;
        clients.set(client.client_id, client);
        if (client.client_secret) secrets.add(client.client_secret);
        return client;
      },
    },
    async authorize(client, params, res) {
      counts.authorize++;
      seen.authorizeResource.push(params.resource?.href);
      seen.redirectUris.push(params.redirectUri);
      const id = random();
      pending.set(id, { client, params });
      res.type("html").send(`<!doctype html><title>Allow access?</title><form method="post" action="/consent"><input type="hidden" name="request" value="${id}"><button type="submit" id="allow">Allow</button></form>`);
    },
    async challengeForAuthorizationCode(client, code) {
      const c = codes.get(code);
      if (!c || c.client.client_id !== client.client_id) throw new InvalidGrantError("unknown authorization code");
      return c.params.codeChallenge;
    },
    async exchangeAuthorizationCode(client, code, _verifier, redirectUri, resource) {
      counts.authorization_code++;
      seen.codeResource.push(resource?.href);
      const c = codes.get(code);
      codes.delete(code);
      if (!c || c.client.client_id !== client.client_id) throw new InvalidGrantError("unknown authorization code");
      if (redirectUri !== c.params.redirectUri) throw new InvalidGrantError("redirect_uri differs from the authorization request");
      if (resource?.href !== c.params.resource?.href) throw new InvalidGrantError("resource differs from the authorization request");
      const grant = { clientId: client.client_id, resource: c.params.resource?.href, scopes: c.params.scopes ?? [], revoked: false };
      grants.set(random(), grant);
      return issue(grant);
    },
    async exchangeRefreshToken(client, token, _scopes, resource) {
      counts.refresh++;
      seen.refreshResource.push(resource?.href);
      const r = refresh.get(token);
      if (!r || r.grant.clientId !== client.client_id) throw new InvalidGrantError("unknown refresh token");
      if (r.used) {
        // RFC 9700 §4.14.2: a rotated refresh token came back; someone holds a copy.
        counts.reuse++;
        r.grant.revoked = true;
        throw new InvalidGrantError("refresh token reused; the grant is revoked");
      }
      if (r.grant.revoked) throw new InvalidGrantError("the grant is revoked");
      if (resource !== undefined && resource.href !== r.grant.resource) throw new InvalidGrantError("resource differs from the grant");
      r.used = true;
      counts.refreshOk++;
      return issue(r.grant);
    },
    async verifyAccessToken(token) {
      if (control.refuseTokens) throw new InvalidTokenError("this server refuses every token today");
      const a = access.get(token);
      if (!a || a.grant.revoked) throw new InvalidTokenError("unknown or revoked access token");
      return { token, clientId: a.grant.clientId, scopes: a.grant.scopes, expiresAt: Math.floor(a.expiresAt / 1000), ...(a.grant.resource ? { resource: new URL(a.grant.resource) } : {}) };
    },
    async revokeToken(_client, { token }) {
      const r = refresh.get(token) ?? access.get(token);
      if (r) r.grant.revoked = true;
    },
  };

  // RFC 9207: this server names itself in every redirect, and says so in its metadata.
  app.use("/.well-known", (_req, _res, next) => {
    counts.metadata++;
    next();
  });
  const metadata = { ...createOAuthMetadata({ provider, issuerUrl }), authorization_response_iss_parameter_supported: true };
  app.get("/.well-known/oauth-authorization-server", (_req, res) => res.json(metadata));
  // Exact redirect URI comparison, as many deployed servers still do.
  app.get("/authorize", (req, res, next) => {
    const client = clients.get(String(req.query.client_id));
    if (exactRedirect && client && !client.redirect_uris.includes(String(req.query.redirect_uri))) return res.status(400).json({ error: "invalid_request", error_description: "unregistered redirect_uri" });
    next();
  });
  app.post("/token", express.urlencoded({ extended: false }), (req, res, next) => {
    if (req.body?.grant_type !== "refresh_token") return next();
    if (control.hangRefresh) {
      counts.refresh++;
      hung.add(res);
      return undefined;
    }
    if (control.refreshStatus) {
      counts.refresh++;
      return res.status(control.refreshStatus).type("html").send("<h1>Service Unavailable</h1>");
    }
    return next();
  });
  const off = { rateLimit: false };
  app.use(mcpAuthRouter({ provider, issuerUrl, resourceServerUrl: mcpUrl, scopesSupported: ["mcp:tools"], resourceName: "browserAuth test server", authorizationOptions: off, tokenOptions: off, clientRegistrationOptions: off, revocationOptions: off }));
  app.post("/consent", express.urlencoded({ extended: false }), (req, res) => {
    const p = pending.get(String(req.body?.request));
    pending.delete(String(req.body?.request));
    if (!p) return res.status(400).send("unknown request");
    counts.login++;
    const code = random();
    secrets.add(code);
    codes.set(code, p);
    const to = new URL(p.params.redirectUri);
    to.searchParams.set("code", code);
    if (p.params.state !== undefined) to.searchParams.set("state", p.params.state);
    to.searchParams.set("iss", metadata.issuer);
    return res.redirect(302, to.href);
  });

  const bearer = requireBearerAuth({ verifier: provider, resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl), expectedResource: mcpUrl });
  const countRefusals = (_req, res, next) => {
    res.on("finish", () => {
      if (res.statusCode === 401) counts.unauthorized++;
    });
    next();
  };
  app.post("/mcp", countRefusals, bearer, express.json(), async (req, res) => {
    const server = new McpServer({ name: "browserAuth-test", version: "1.0.0" });
    server.registerTool("whoami", { description: "The client the token was issued to" }, async (extra) => {
      counts.toolCalls++;
      return { content: [{ type: "text", text: `hello, ${extra.authInfo?.clientId}` }] };
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  app.all("/mcp", countRefusals, bearer, (_req, res) => res.status(405).set("allow", "POST").end());

  return {
    url: mcpUrl.href,
    issuer: metadata.issuer,
    counts,
    seen,
    secrets,
    control,
    /** Every access token is expired, as far as this server is concerned. */
    expireAccessTokens() {
      for (const a of access.values()) a.expiresAt = Date.now() - 1000;
    },
    /** Every grant is revoked: its access and refresh tokens stop working. */
    revokeGrants() {
      for (const g of grants.values()) g.revoked = true;
    },
    close: () =>
      new Promise((r) => {
        for (const res of hung) res.destroy();
        http.closeAllConnections?.();
        http.close(r);
      }),
  };
}
