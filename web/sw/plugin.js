// The build's service worker (vite.config.ts): bundles sw/sw.js and what it imports from src/
// (the do-not-disturb rule, the page's names for where it keeps one's window) with esbuild
// into /sw.js, with the app shell it caches (the entry's scripts and styles, as this build
// named them) and a version made from their names, so each build is a new worker that
// replaces the old one and its cache. Build only: the dev server has no service worker.
// (Plain JS beside its .d.ts: the web client's TypeScript has no Node types.)
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export function serviceWorker() {
  return {
    name: "bellwork-service-worker",
    apply: "build",
    async generateBundle(_options, bundle) {
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
      const entry = fileURLToPath(new URL("./sw.js", import.meta.url));
      // One classic script (a worker registered without `type: "module"`), unminified: the
      // same worker as before bundling, with the imported functions inlined. The placeholders
      // stay identifiers through esbuild and are filled in after (esbuild's `define` would
      // leave their names in a comment).
      const out = await build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        format: "iife",
        platform: "browser",
        target: "es2022",
        charset: "utf8",
        logLevel: "silent",
      });
      const bundled = out.outputFiles[0].text;
      if (!bundled.includes("__VERSION__") || !bundled.includes("__SHELL__")) throw new Error("sw/sw.js: __VERSION__ or __SHELL__ not found");
      const source = bundled.replaceAll("__VERSION__", JSON.stringify(version)).replaceAll("__SHELL__", JSON.stringify(files));
      this.emitFile({ type: "asset", fileName: "sw.js", source });
    },
  };
}
