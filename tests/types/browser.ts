// The browser entry's types, as a page written in TypeScript uses them.
import { BrowserOAuthClient, init, type WasmLoadOptions, type WasmSource } from "../../npm/dist/index.browser.js";

const bounds: WasmLoadOptions = { signal: new AbortController().signal, timeoutMs: 5_000 };
const source: WasmSource = new URL("https://app.example/assets/authorize.wasm");
await init();
await init(source, undefined, bounds);
await init(undefined, "https://app.example/assets/client.wasm", { timeoutMs: 10_000 });
// @ts-expect-error timeoutMs is a number of milliseconds
await init(source, undefined, { timeoutMs: "5s" });
// @ts-expect-error signal is an AbortSignal
await init(source, undefined, { signal: true });

const client = new BrowserOAuthClient({ issuer: "https://as.example", clientId: "app", redirectUri: "https://app.example/cb", requestTimeoutMs: 10_000 });
const url: string = await client.startLogin(undefined, { signal: AbortSignal.timeout(30_000) });
void url;
