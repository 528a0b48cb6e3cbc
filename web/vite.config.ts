// Vite build settings: the server serves web/dist at "/" on the API's origin.
// `npm run dev` proxies /api (HTTP and the live WebSocket) and /sip (the
// phone's SIP over WebSocket) to SWITCHBOARD_URL.
import { defineConfig } from "vite";

declare const process: { env: Record<string, string | undefined> };
const api = process.env.SWITCHBOARD_URL || "http://127.0.0.1:8080";

export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
  },
  server: {
    proxy: {
      "/api": { target: api, changeOrigin: true, ws: true },
      "/sip": { target: api, changeOrigin: true, ws: true },
    },
  },
});
