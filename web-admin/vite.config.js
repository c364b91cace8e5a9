// Vite builds the static bundle the control plane serves on its admin port
// (web-admin/dist). `npm run dev -w @palisade/web-admin` serves the UI with
// hot reload and forwards /v1 to a control plane on 127.0.0.1:8001 (the demo's).
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    target: "es2022",
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: { "/v1": { target: process.env.PALISADE_CP_URL ?? "http://127.0.0.1:8001", changeOrigin: false } },
  },
});
