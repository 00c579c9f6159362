// Cold start of the real desktop app to an interactive dashboard listing ≥ N open requests, through
// tauri-driver (timing from the WebDriver "new session", which launches the process, to the moment the
// dashboard's table is rendered and the page answers a script). Two cases:
//   first start: empty local store → sign in (env) → first sync pulls every request → dashboard;
//   cold start: a new process on the store left by the first run (the usual start of the day).
// Prints one line per run and a summary; used by scripts/bench-desktop.sh.
import { spawn } from "node:child_process";
import { Driver } from "./webdriver.mjs";

const { APP, SERVER, EMAIL, PASSWORD, DATA } = process.env;
const N = Number(process.env.COUNT ?? 1000);
const RUNS = Number(process.env.RUNS ?? 3);
const PORT = Number(process.env.DRIVER_PORT ?? 4446);

const driver = spawn("tauri-driver", ["--port", String(PORT), "--native-port", String(PORT + 1), "--native-driver", "/usr/bin/WebKitWebDriver"], {
  env: {
    ...process.env,
    REMPLA_DESKTOP_DATA: DATA,
    REMPLA_DESKTOP_SERVER: SERVER,
    REMPLA_DESKTOP_EMAIL: EMAIL,
    REMPLA_DESKTOP_PASSWORD: PASSWORD,
    RUST_LOG: "warn",
  },
  stdio: "ignore",
});
process.on("exit", () => driver.kill("SIGKILL"));
for (let i = 0; i < 100; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${PORT}/status`)).ok) break;
  } catch {
    // starting
  }
  await new Promise((r) => setTimeout(r, 100));
}

async function once(label) {
  const d = new Driver(`http://127.0.0.1:${PORT}`);
  const t0 = performance.now();
  await d.start(APP);
  const tWindow = performance.now() - t0;
  const inPage = await d.waitFor(
    `${N} requests on the dashboard`,
    `const c = document.querySelector('#request-count');
     const s = document.querySelector('#dashboard');
     return c && s && s.dataset.ready === 'true' && Number(c.dataset.count) >= arguments[0]
       && document.querySelectorAll('tr[data-request-row]').length >= arguments[0] && Math.round(performance.now())`,
    120000,
    N,
  );
  const total = performance.now() - t0;
  const rows = await d.exec("return document.querySelectorAll('tr[data-request-row]').length");
  await d.quit();
  console.log(`${label}: ${Math.round(total)} ms to an interactive dashboard with ${rows} requests (webview up after ${Math.round(tWindow)} ms; page ready ${inPage} ms after its navigation start)`);
  return total;
}

const first = await once("first start (sign in + first sync)");
const cold = [];
for (let i = 0; i < RUNS; i++) cold.push(await once(`cold start ${i + 1}`));
cold.sort((a, b) => a - b);
console.log(`summary: first start ${Math.round(first)} ms; cold start median ${Math.round(cold[Math.floor(cold.length / 2)])} ms (min ${Math.round(cold[0])}, max ${Math.round(cold[cold.length - 1])}) over ${RUNS} runs`);
driver.kill("SIGTERM");
