// The CLI the bundling test builds with each tool: what a CLI author writes. The login
// itself is cli-plain.mjs; this one embeds the wasm core first, as the README says. No
// top-level await: a CommonJS bundle (esbuild --format=cjs, a Node SEA) cannot have one.
import "oauth-callback-rs/embedded";
import "./cli-plain.mjs";
