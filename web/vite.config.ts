import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { serviceWorker } from "./sw/plugin.js";

// The built client is served by the Python backend from src/bellwork/static.
// `npm run dev` proxies /api to a backend on port 8020 (`bellwork serve --demo --port 8020`).
export default defineConfig({
  base: "/",
  plugins: [react(), serviceWorker()],
  build: {
    outDir: "../src/bellwork/static",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (id.includes("node_modules")) {
            if (/[\\/](react|react-dom|react-router|react-router-dom|scheduler)[\\/]/.test(id)) return "react";
            if (/[\\/](@tanstack|openapi-fetch|dayjs)[\\/]/.test(id)) return "vendor";
          }
        },
      },
    },
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8020" },
  },
});
