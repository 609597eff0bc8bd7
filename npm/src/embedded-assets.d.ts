/** A wasm file imported by embedded.ts: esbuild's base64 loader makes it a string. */
declare module "*.wasm" {
  const base64: string;
  export default base64;
}
