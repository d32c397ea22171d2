import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Root } from "./app/Root";
import "./app/global.css";
import { registerServiceWorker } from "./features/push/device";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);

// The installable app's worker: offline page, Web Push (production builds only).
registerServiceWorker();
