// Servers for the machine-client and discovery tests: an MCP server made of the MCP SDK's
// own pieces (RFC 9728 metadata naming any authorization server, bearer auth, one tool),
// and small authorization servers on node:http whose every check is written out here:
// - a token endpoint for the client credentials grant that verifies `private_key_jwt`
//   assertions with node:crypto (a second implementation: signature, iss, sub, aud, exp,
//   unique jti) and client_secret_basic / client_secret_post;
// - metadata that lies about its issuer (a mix-up), with everything else counted so a
//   test can show nothing was sent there.
import { createPublicKey, createVerify, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import express from "express";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import { InvalidTokenError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

async function listen(handler) {
  const server = createServer(handler);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections?.();
        server.close(r);
      }),
  };
}

async function body(req) {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text;
}

function json(res, status, value) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(value));
}

/** The claims of a compact JWS, after node:crypto checked its signature with `publicKey`. */
function verifiedClaims(jwt, publicKey) {
  const [h, p, s] = jwt.split(".");
  const header = JSON.parse(Buffer.from(h, "base64url").toString());
  const hash = { ES256: "sha256", RS256: "sha256", PS256: "sha256" }[header.alg];
  if (!hash) throw new Error(`alg ${header.alg}`);
  const verify = createVerify(hash);
  verify.update(`${h}.${p}`);
  const options = header.alg === "ES256" ? { key: publicKey, dsaEncoding: "ieee-p1363" } : header.alg === "PS256" ? { key: publicKey, padding: 6, saltLength: 32 } : publicKey;
  if (!verify.verify(options, Buffer.from(s, "base64url"))) throw new Error("bad signature");
  return { header, claims: JSON.parse(Buffer.from(p, "base64url").toString()) };
}

/**
 * An authorization server for one machine client `clientId`, authenticated by `secret`
 * (basic or post) or by assertions signed with the private key whose public JWK is
 * `publicJwk`. `methods` is its token_endpoint_auth_methods_supported; `expiresIn` the
 * lifetime of each token. Resolves to { url, tokens (issued), requests, assertions, errors, close }.
 */
export async function startMachineAs({ clientId, secret, publicJwk, methods, expiresIn = 3600 }) {
  const tokens = new Set();
  const requests = [];
  const assertions = [];
  const errors = [];
  const seenJti = new Set();
  let url;
  const server = await listen(async (req, res) => {
    if (req.method === "GET" && req.url === "/.well-known/oauth-authorization-server") {
      return json(res, 200, { issuer: url, authorization_endpoint: `${url}/authorize`, token_endpoint: `${url}/token`, grant_types_supported: ["client_credentials"], token_endpoint_auth_methods_supported: methods, response_types_supported: ["code"] });
    }
    if (req.method !== "POST" || req.url !== "/token") return json(res, 404, { error: "not_found" });
    const form = new URLSearchParams(await body(req));
    const basic = req.headers.authorization?.startsWith("Basic ") ? Buffer.from(req.headers.authorization.slice(6), "base64").toString() : undefined;
    const seen = { grant: form.get("grant_type"), method: undefined, scope: form.get("scope"), resource: form.getAll("resource") };
    requests.push(seen);
    try {
      if (form.get("grant_type") !== "client_credentials") throw new Error(`grant_type ${form.get("grant_type")}`);
      if (form.has("client_assertion")) {
        seen.method = "private_key_jwt";
        if (form.get("client_assertion_type") !== "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") throw new Error("client_assertion_type");
        const { header, claims } = verifiedClaims(form.get("client_assertion"), createPublicKey({ key: publicJwk, format: "jwk" }));
        const now = Date.now() / 1000;
        if (claims.iss !== clientId || claims.sub !== clientId) throw new Error("iss/sub");
        if (claims.aud !== url) throw new Error(`aud ${claims.aud}`);
        if (!(claims.exp > now && claims.exp <= now + 3600 && claims.iat <= now + 5)) throw new Error("exp/iat");
        if (typeof claims.jti !== "string" || seenJti.has(claims.jti)) throw new Error("jti replayed");
        seenJti.add(claims.jti);
        assertions.push({ header, claims, jwt: form.get("client_assertion") });
      } else if (basic !== undefined) {
        seen.method = "client_secret_basic";
        const [id, s] = basic.split(":").map(decodeURIComponent);
        if (id !== clientId || s !== secret) throw new Error("basic credentials");
      } else {
        seen.method = "client_secret_post";
        if (form.get("client_id") !== clientId || form.get("client_secret") !== secret) throw new Error("post credentials");
      }
      if (!methods.includes(seen.method)) throw new Error(`method ${seen.method} not offered`);
    } catch (err) {
      errors.push(err.message);
      return json(res, 401, { error: "invalid_client", error_description: err.message });
    }
    const token = randomBytes(24).toString("base64url");
    tokens.add(token);
    return json(res, 200, { access_token: token, token_type: "Bearer", expires_in: expiresIn });
  });
  url = server.url;
  return { url, tokens, requests, assertions, errors, close: server.close };
}

/**
 * An MCP server (the SDK's McpServer behind requireBearerAuth) whose RFC 9728 metadata
 * names `authorizationServer()`; `accepts(token)` decides which bearer tokens pass.
 * Resolves to { url, counts: { unauthorized, calls }, close }.
 */
export async function startMcp({ authorizationServer, accepts = () => false }) {
  const app = express();
  const counts = { unauthorized: 0, calls: 0, prm: 0 };
  let base;
  app.get("/.well-known/oauth-protected-resource/mcp", (_req, res) => {
    counts.prm++;
    res.json({ resource: `${base}/mcp`, authorization_servers: [authorizationServer()] });
  });
  const verifier = {
    async verifyAccessToken(token) {
      if (!accepts(token)) throw new InvalidTokenError("unknown token");
      return { token, clientId: "machine", scopes: [], expiresAt: Math.floor(Date.now() / 1000) + 3600 };
    },
  };
  app.post(
    "/mcp",
    (req, res, next) => {
      res.on("finish", () => res.statusCode === 401 && counts.unauthorized++);
      requireBearerAuth({ verifier, resourceMetadataUrl: `${base}/.well-known/oauth-protected-resource/mcp` })(req, res, next);
    },
    express.json(),
    async (req, res) => {
      const server = new McpServer({ name: "machine-test", version: "1.0.0" });
      server.registerTool("ping", { description: "pong" }, async () => {
        counts.calls++;
        return { content: [{ type: "text", text: "pong" }] };
      });
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on("close", () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    },
  );
  const http = createServer(app);
  await new Promise((r) => http.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${http.address().port}`;
  return {
    url: `${base}/mcp`,
    counts,
    close: () =>
      new Promise((r) => {
        http.closeAllConnections?.();
        http.close(r);
      }),
  };
}

/**
 * An MCP server that answers every MCP request with 401 and an authorization server
 * whose metadata names `issuer(asUrl, mcpOrigin)` instead of itself. `prm: false` serves
 * no RFC 9728 metadata (the MCP 2025-03-26 fallback: the metadata then comes from the MCP
 * server's own origin). Counts every request that reaches either.
 */
export async function startMixup({ prm = true, issuer }) {
  const counts = { metadata: 0, register: 0, authorize: 0, token: 0, other: 0 };
  let asUrl;
  let mcpUrl;
  const metadata = () => {
    const iss = issuer(asUrl, mcpUrl);
    return { issuer: iss, authorization_endpoint: `${iss}/authorize`, token_endpoint: `${iss}/token`, registration_endpoint: `${iss}/register`, response_types_supported: ["code"], code_challenge_methods_supported: ["S256"] };
  };
  const count = (req) => {
    if (req.url.startsWith("/.well-known/oauth-authorization-server") || req.url.startsWith("/.well-known/openid-configuration")) counts.metadata++;
    else if (req.url.endsWith("/register")) counts.register++;
    else if (req.url.includes("/authorize")) counts.authorize++;
    else if (req.url.endsWith("/token")) counts.token++;
    else counts.other++;
  };
  const as = await listen(async (req, res) => {
    count(req);
    if (req.method === "GET" && req.url === "/.well-known/oauth-authorization-server") return json(res, 200, metadata());
    return json(res, 404, { error: "not_found" });
  });
  asUrl = as.url;
  const mcp = await listen(async (req, res) => {
    await body(req);
    if (req.method === "GET" && req.url === "/.well-known/oauth-protected-resource/mcp" && prm) return json(res, 200, { resource: `${mcpUrl}/mcp`, authorization_servers: [asUrl] });
    if (req.url === "/mcp") {
      res.writeHead(401, { "www-authenticate": prm ? `Bearer resource_metadata="${mcpUrl}/.well-known/oauth-protected-resource/mcp"` : "Bearer" });
      return res.end();
    }
    if (!prm && req.method === "GET" && req.url === "/.well-known/oauth-authorization-server") {
      count(req);
      return json(res, 200, metadata());
    }
    if (!prm) count(req);
    return json(res, 404, { error: "not_found" });
  });
  mcpUrl = mcp.url;
  return {
    url: `${mcpUrl}/mcp`,
    asUrl,
    counts,
    close: async () => {
      await as.close();
      await mcp.close();
    },
  };
}

/**
 * An authorization server for the authorization code flow that approves at once: it
 * redirects with a code and `state`, counts registrations, and records the `client_id` of
 * each authorization and token request. `cimd`: it advertises
 * `client_id_metadata_document_supported` (and accepts an https URL as client ID).
 */
export async function startCodeAs({ cimd }) {
  const seen = { registrations: 0, authorizeClientIds: [], tokenClientIds: [] };
  let url;
  const server = await listen(async (req, res) => {
    const u = new URL(req.url, url);
    if (req.method === "GET" && u.pathname === "/.well-known/oauth-authorization-server") {
      return json(res, 200, {
        issuer: url,
        authorization_endpoint: `${url}/authorize`,
        token_endpoint: `${url}/token`,
        registration_endpoint: `${url}/register`,
        response_types_supported: ["code"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["none"],
        ...(cimd ? { client_id_metadata_document_supported: true } : {}),
      });
    }
    if (req.method === "POST" && u.pathname === "/register") {
      seen.registrations++;
      const meta = JSON.parse(await body(req));
      return json(res, 201, { ...meta, client_id: `registered-${seen.registrations}`, token_endpoint_auth_method: "none" });
    }
    if (req.method === "GET" && u.pathname === "/authorize") {
      seen.authorizeClientIds.push(u.searchParams.get("client_id"));
      const to = new URL(u.searchParams.get("redirect_uri"));
      to.searchParams.set("code", "code-1");
      to.searchParams.set("state", u.searchParams.get("state"));
      res.writeHead(302, { location: to.href });
      return res.end();
    }
    if (req.method === "POST" && u.pathname === "/token") {
      seen.tokenClientIds.push(new URLSearchParams(await body(req)).get("client_id"));
      return json(res, 200, { access_token: randomBytes(16).toString("hex"), token_type: "Bearer", expires_in: 3600 });
    }
    return json(res, 404, { error: "not_found" });
  });
  url = server.url;
  return { url, seen, close: server.close };
}
