// The build's service worker (vite.config.ts): writes /sw.js from sw/sw.js with the app shell
// it caches (the entry's scripts and styles, as this build named them) and a version made from
// their names, so each build is a new worker that replaces the old one and its cache. Build
// only: the dev server has no service worker. (Plain JS beside its .d.ts: the web client's
// TypeScript has no Node types.)
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function serviceWorker() {
  return {
    name: "bellwork-service-worker",
    apply: "build",
    generateBundle(_options, bundle) {
      const shell = new Set();
      const visit = (name) => {
        const item = bundle[name];
        if (!item || shell.has(`/${name}`)) return;
        shell.add(`/${name}`);
        if (item.type === "chunk") {
          item.imports.forEach(visit);
          item.viteMetadata?.importedCss?.forEach((css) => shell.add(`/${css}`));
        }
      };
      for (const [name, item] of Object.entries(bundle)) if (item.type === "chunk" && item.isEntry) visit(name);
      const files = [...shell].sort();
      const version = createHash("sha256").update(files.join("\n")).digest("hex").slice(0, 12);
      const source = readFileSync(fileURLToPath(new URL("./sw.js", import.meta.url)), "utf8")
        .replace('const VERSION = "__VERSION__";', `const VERSION = "${version}";`)
        .replace("const SHELL = __SHELL__;", `const SHELL = ${JSON.stringify(files)};`);
      if (source.includes("__SHELL__;") || source.includes('"__VERSION__";')) throw new Error("sw/sw.js: VERSION or SHELL not found");
      this.emitFile({ type: "asset", fileName: "sw.js", source });
    },
  };
}
