// Trunk post-build hook (Trunk.toml): minifies wasm-bindgen's JS glue in a
// release build with esbuild, and rewrites the Subresource Integrity hash
// that Trunk wrote for it into the bundle's index.html.
//
// Why: Trunk's own JS minifier fails on wasm-bindgen's output and ships it as
// it is (42 KB, 7.7 KB gzip in the recipient's budgeted first load). Trunk
// writes index.html (with each file's `integrity="sha384-…"`) before this
// hook runs, so a changed file needs its new hash there, or the browser
// refuses it. The file's name keeps Trunk's content hash: the minified text
// follows from the original, so one name still means one content.
//
// esbuild comes from npm into .tools/ (`cargo xtask` installs it, pinned in
// xtask/src/tools.rs).

import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

if (process.env.TRUNK_PROFILE !== "release") {
  process.exit(0);
}
const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  fail("TRUNK_STAGING_DIR is not set (run this as a Trunk hook)");
}

const root = process.cwd();
let esbuild;
try {
  esbuild = createRequire(join(root, ".tools", "package.json"))("esbuild");
} catch (e) {
  fail(`esbuild is not installed in .tools/ (run \`cargo xtask setup\`): ${e.message}`);
}

const sri = (bytes) => "sha384-" + createHash("sha384").update(bytes).digest("base64");

const htmlPath = join(staging, "index.html");
let html = readFileSync(htmlPath, "utf8");
for (const file of scripts(staging)) {
  const original = readFileSync(file);
  const { code } = esbuild.transformSync(original.toString("utf8"), {
    minify: true,
    format: "esm",
    legalComments: "none",
  });
  const [before, after] = [sri(original), sri(code)];
  // The glue is named in index.html with its hash; a snippet it imports
  // (in a folder) is not.
  const named = html.includes(before);
  if (!named && dirname(file) === staging) {
    fail(`${file}: its integrity hash ${before} is not in ${htmlPath}`);
  }
  writeFileSync(file, code);
  html = html.split(before).join(after);
  console.log(`minify-glue: ${file}: ${original.length} -> ${Buffer.byteLength(code)} bytes`);
}
writeFileSync(htmlPath, html);

// Every .js file Trunk staged (wasm-bindgen's glue, and its snippets if any).
function scripts(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return scripts(path);
    return entry.name.endsWith(".js") ? [path] : [];
  });
}

function fail(message) {
  console.error(`minify-glue: ${message}`);
  process.exit(1);
}
