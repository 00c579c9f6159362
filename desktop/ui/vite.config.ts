/// <reference types="vitest" />
import { defineConfig } from "vite";

// Tauri serves `dist/` from inside the binary; `npm run dev` serves on 5173 for `devUrl`.
export default defineConfig({
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { target: "es2022", chunkSizeWarningLimit: 2000, sourcemap: false },
  test: { environment: "jsdom", globals: true, include: ["tests/**/*.test.ts"] },
});
