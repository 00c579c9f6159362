//! Tauri's build step. The UI is built by Vite into `../ui/dist` (`npm run build`, done by the scripts);
//! when it has not been built yet (a plain `cargo build` or `cargo clippy --workspace` on a fresh clone)
//! a one-page placeholder is written there, so the workspace always compiles.

use std::path::Path;

fn main() {
    let dist = Path::new("../ui/dist");
    if !dist.join("index.html").exists() {
        let _ = std::fs::create_dir_all(dist);
        let _ = std::fs::write(
            dist.join("index.html"),
            "<!doctype html><meta charset=utf-8><title>Rempla</title>\
             <p>Interface non construite : lancez <code>npm run build</code> dans <code>desktop/ui</code>.</p>",
        );
    }
    println!("cargo:rerun-if-changed=../ui/dist");
    tauri_build::build();
}
