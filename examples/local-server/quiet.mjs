// oidc-provider prints development notices (in-memory adapter, dev keys, Node version)
// through console.info / console.warn, some while it loads; for this local server they
// are noise. Imported before oidc-provider so the filter is in place first.
for (const level of ["info", "warn"]) {
  const original = console[level].bind(console);
  console[level] = (...args) => {
    if (typeof args[0] === "string" && /oidc-provider (NOTICE|WARNING)/.test(args[0])) return;
    original(...args);
  };
}
