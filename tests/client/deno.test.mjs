// OAuthClient in Deno, with a plain-HTTP user. oidc-provider itself runs in Deno too.
import * as lib from "oauth-callback-rs";
import { headlessSignIn } from "../../examples/local-server/headless-user.mjs";
import { startProvider } from "../../examples/local-server/provider.mjs";
import { clientCases } from "./cases.mjs";
import { oidcCases } from "./oidc-cases.mjs";
import { optionCases } from "./options-cases.mjs";

const env = { startProvider, signIn: (url, opts) => headlessSignIn(url, opts) };
for (const [name, fn] of [...clientCases, ...optionCases, ...oidcCases]) Deno.test({ name, fn: () => fn(lib, env), sanitizeOps: false, sanitizeResources: false });
