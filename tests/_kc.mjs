import * as lib from "oauth-callback-rs";
const s = lib.keychainStore({ service: "ocrs-probe", account: "me" });
await s.set("k", { accessToken: "probe-token" });
console.log(await s.get("k"));
