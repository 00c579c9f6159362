// Cold start of the real desktop app to an interactive dashboard listing ≥ N open requests, through
// tauri-driver (timing from the WebDriver "new session", which launches the process, to the moment the
// dashboard's table is rendered and the page answers a script). Two cases:
//   first start: empty local store → sign in (env) → first sync pulls every request → dashboard;
//   cold start: a new process on the store left by the first run (the usual start of the day).
// Prints one line per run and a summary; used by scripts/bench-desktop.sh.
import { spawn } from "node:child_process";
import { Driver } from "./webdriver.mjs";

const { APP, SERVER, EMAIL, PASSWORD, DATA } = process.env;
// ROLE=doctor: the doctor's month view (« Mon agenda ») instead of the facility's dashboard.
const DOCTOR = process.env.ROLE === "doctor";
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

const windows = [];
async function once(label) {
  const d = new Driver(`http://127.0.0.1:${PORT}`);
  const t0 = performance.now();
  await d.start(APP);
  const tWindow = performance.now() - t0;
  const inPage = DOCTOR
    ? await d.waitFor(
        "the doctor's month view with its availabilities",
        `const s = document.querySelector('#area-calendar');
         return s && s.dataset.ready === 'true' && Number(s.dataset.occurrences) > 0
           && document.querySelectorAll('#doctor-calendar .availability').length > 0 && Math.round(performance.now())`,
        120000,
      )
    : await d.waitFor(
    `${N} requests on the dashboard`,
    `const c = document.querySelector('#request-count');
     const s = document.querySelector('#dashboard');
     return c && s && s.dataset.ready === 'true' && Number(c.dataset.count) >= arguments[0]
       && document.querySelectorAll('tr[data-request-row]').length >= arguments[0] && Math.round(performance.now())`,
    120000,
    N,
  );
  const total = performance.now() - t0;
  const steps = DOCTOR ? await d.exec("const s = document.querySelector('#area-calendar').dataset; return `grid ${s.tGrid} ms, occurrences read ${s.tRead} ms, drawn ${s.tEvents} ms after the screen was made`") : "";
  const rows = DOCTOR
    ? await d.exec("return document.querySelectorAll('#doctor-calendar .availability').length")
    : await d.exec("return document.querySelectorAll('tr[data-request-row]').length");
  await d.quit();
  const what = DOCTOR ? `the doctor's month view (${rows} availabilities drawn this month)` : `an interactive dashboard with ${rows} requests`;
  console.log(`${label}: ${Math.round(total)} ms to ${what} (webview up after ${Math.round(tWindow)} ms; page ready ${inPage} ms after its navigation start${steps ? `; ${steps}` : ""})`);
  windows.push(tWindow);
  return total;
}

const first = await once("first start (sign in + first sync)");
const cold = [];
for (let i = 0; i < RUNS; i++) cold.push(await once(`cold start ${i + 1}`));
cold.sort((a, b) => a - b);
const median = cold[Math.floor(cold.length / 2)];
const floor = windows.slice(1).sort((a, b) => a - b)[Math.floor((windows.length - 1) / 2)];
// The floor a user cannot beat here: the webview process up with the page loaded, nothing drawn yet.
console.log(`summary: first start ${Math.round(first)} ms; cold start median ${Math.round(median)} ms (min ${Math.round(cold[0])}, max ${Math.round(cold[cold.length - 1])}) over ${RUNS} runs; webview-up floor ${Math.round(floor)} ms → cold start / floor = ${(median / floor).toFixed(2)}×`);
driver.kill("SIGTERM");
