// OAuthClient in Bun, with a plain-HTTP user (no browser driver in Bun here).
import { test } from "bun:test";
import * as lib from "oauth-callback-rs";
import { headlessSignIn } from "../../examples/local-server/headless-user.mjs";
import { startProvider } from "../../examples/local-server/provider.mjs";
import { clientCases } from "./cases.mjs";
import { oidcCases } from "./oidc-cases.mjs";
import { optionCases } from "./options-cases.mjs";

const env = { startProvider, signIn: (url, opts) => headlessSignIn(url, opts) };
for (const [name, fn] of [...clientCases, ...optionCases, ...oidcCases]) test(name, () => fn(lib, env), 60_000);
