// A minimal W3C WebDriver client over fetch (Node ≥ 18): just what the end-to-end test needs, with no
// dependency. tauri-driver forwards these calls to WebKitWebDriver, which drives the real app.
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export class Driver {
  constructor(base) {
    this.base = base;
    this.session = null;
  }

  async cmd(method, path, body) {
    const url = `${this.base}${this.session && !path.startsWith("/session") ? `/session/${this.session}` : ""}${path}`;
    const res = await fetch(url, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) {
      const v = json.value ?? {};
      throw new Error(`${method} ${path}: ${res.status} ${v.error ?? ""} ${v.message ?? JSON.stringify(json)}`);
    }
    return json.value;
  }

  async start(application, env) {
    const caps = { capabilities: { alwaysMatch: { "tauri:options": { application, ...(env ? { env } : {}) } } } };
    const value = await this.cmd("POST", "/session", caps);
    this.session = value.sessionId;
    return value;
  }

  async quit() {
    if (this.session) await this.cmd("DELETE", `/session/${this.session}`).catch(() => undefined);
    this.session = null;
  }

  async find(css) {
    const v = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return v[ELEMENT];
  }

  async click(css) {
    // Notices (bottom right) may cover the target: a user would close them; the test removes them.
    await this.exec("document.querySelectorAll('.notice').forEach((n) => n.remove())");
    const id = await this.find(css);
    await this.cmd("POST", `/element/${id}/click`, {});
  }

  /** A real pointer click (W3C actions) at (x, y) pixels inside the element `css` (e.g. a map canvas). */
  async clickAt(css, x, y) {
    await this.exec("document.querySelectorAll('.notice').forEach((n) => n.remove())");
    const id = await this.find(css);
    const rect = await this.cmd("GET", `/element/${id}/rect`);
    const at = { x: Math.round(rect.x + x), y: Math.round(rect.y + y) };
    await this.cmd("POST", "/actions", {
      actions: [
        {
          type: "pointer",
          id: "mouse",
          parameters: { pointerType: "mouse" },
          actions: [
            { type: "pointerMove", duration: 0, origin: "viewport", ...at },
            { type: "pointerDown", button: 0 },
            { type: "pause", duration: 50 },
            { type: "pointerUp", button: 0 },
          ],
        },
      ],
    });
    await this.cmd("DELETE", "/actions").catch(() => undefined);
  }

  async type(css, text) {
    const id = await this.find(css);
    await this.cmd("POST", `/element/${id}/clear`, {});
    await this.cmd("POST", `/element/${id}/value`, { text });
  }

  /** Chooses the file at `path` in the file input `css`, as the picker would (WebDriver sends the path). */
  async upload(css, path) {
    const id = await this.find(css);
    await this.cmd("POST", `/element/${id}/value`, { text: path });
  }

  async exec(script, ...args) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  async screenshot() {
    return Buffer.from(await this.cmd("GET", "/screenshot"), "base64");
  }

  /** Polls `script` (a function body returning a truthy value when done) until it holds. */
  async waitFor(what, script, timeoutMs = 20000, ...args) {
    const end = Date.now() + timeoutMs;
    let last;
    while (Date.now() < end) {
      try {
        last = await this.exec(script, ...args);
        if (last) return last;
      } catch (e) {
        last = String(e);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
  }
}
