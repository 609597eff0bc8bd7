import { build } from "esbuild";
import { gzipSync, constants } from "node:zlib";
import { execFileSync } from "node:child_process";
for (const name of process.argv.slice(2)) {
  const r = await build({ entryPoints: [`${process.cwd()}/pages/${name}.js`], bundle: true, minify: true, platform: "browser", format: "esm", write: false, outdir: "/tmp/x", alias: { "oauth-callback-rs": "../npm/src/index.browser.ts" }, logLevel: "error" });
  const buf = Buffer.from(r.outputFiles[0].contents);
  const gz = execFileSync("gzip", ["-9", "-n", "-c"], { input: buf }).length;
  console.log(name, buf.length, gz);
}
