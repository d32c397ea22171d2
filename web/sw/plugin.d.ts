import type { Plugin } from "vite";

/** Writes /sw.js (sw/sw.js with this build's app shell and version). */
export function serviceWorker(): Plugin;
