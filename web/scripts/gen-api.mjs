// Regenerates src/api/schema.d.ts from the backend's OpenAPI schema.
// `--check` writes to a temp file and fails if the committed file differs (CI drift check).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const web = resolve(here, "..");
const python = resolve(web, "../.venv/bin/python");
const target = join(web, "src/api/schema.d.ts");
const check = process.argv.includes("--check");

const tmp = mkdtempSync(join(tmpdir(), "bw-openapi-"));
const specFile = join(tmp, "openapi.json");
const spec = execFileSync(
  existsSync(python) ? python : "python3",
  ["-c", "import json; from bellwork.app import create_app; print(json.dumps(create_app().openapi()))"],
  { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
);
writeFileSync(specFile, spec);
const out = check ? join(tmp, "schema.d.ts") : target;
execFileSync(
  process.execPath,
  [join(web, "node_modules/openapi-typescript/bin/cli.js"), specFile, "-o", out],
  { stdio: ["ignore", "ignore", "inherit"] },
);
if (check) {
  const fresh = readFileSync(out, "utf8");
  const committed = existsSync(target) ? readFileSync(target, "utf8") : "";
  if (fresh !== committed) {
    console.error("src/api/schema.d.ts is out of date: run `npm run gen:api` and commit it.");
    process.exit(1);
  }
  console.log("API types are up to date.");
} else {
  console.log(`wrote ${target}`);
}
