//! Finding 2: the GDPR export was built whole in memory (3.6 times the vault), with no limit on how
//! many ran at once. Now it streams (memory measured by `scripts/bench-export.sh`), one per account,
//! a bounded number per instance.

use std::io::Read as _;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use sha2::{Digest, Sha256};
use tower::ServiceExt as _;

use crate::common::users::{User, new_doctor, upload};
use crate::common::{Db, TestApp, app, app_with, backend_tests, test_config};

/// A PDF of about `size` bytes, distinct per `n` (binary content in a stream object).
fn big_pdf(n: u32, size: usize) -> Vec<u8> {
    let mut out = format!("%PDF-1.4\n1 0 obj << /Length {size} >> stream\n").into_bytes();
    let mut x = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while out.len() < size {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.extend_from_slice(b"\nendstream endobj\ntrailer << >>\n%%EOF\n");
    out
}

async fn fill_vault(t: &TestApp, d: &User, files: u32, size: usize) -> Vec<String> {
    let mut sums = Vec::new();
    for n in 0..files {
        let bytes = big_pdf(n, size);
        let (s, v) = upload(
            t,
            d,
            &format!("kind=diploma&name=diplome-{n}.pdf"),
            "application/pdf",
            &bytes,
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        sums.push(format!("{:x}", Sha256::digest(&bytes)));
    }
    sums
}

async fn start_export(t: &TestApp, d: &User) -> Response {
    let req = Request::builder()
        .uri("/v1/me/export")
        .header("authorization", format!("Bearer {}", d.token))
        .body(Body::empty())
        .unwrap();
    t.router.clone().oneshot(req).await.unwrap()
}

async fn body_of(res: Response) -> Vec<u8> {
    axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec()
}

fn document_sums(zip: &[u8]) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut sums = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        // Streamed entries carry data descriptors: streaming readers (Java's `ZipInputStream` on
        // Android) only accept those on deflated entries.
        assert_eq!(
            f.compression(),
            zip::CompressionMethod::Deflated,
            "{}",
            f.name()
        );
        if f.name().starts_with("documents/") && !f.is_dir() {
            let mut buf = Vec::new();
            f.read_to_end(&mut buf).unwrap();
            sums.push(format!("{:x}", Sha256::digest(&buf)));
        }
    }
    sums
}

async fn finding_02_the_export_streams_and_runs_once_per_account(db: Db) {
    let t = app(db).await;
    let d = new_doctor(&t, 1).await;
    // Three documents of 3 MB: each is read in several chunks of its stored text.
    let mut sums = fill_vault(&t, &d, 3, 3_000_000).await;

    let first = start_export(&t, &d).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert!(
        first.headers().get("content-length").is_none(),
        "streamed, not built whole before the answer"
    );
    // While the first download is unread, a second one for the same account is refused.
    let second = start_export(&t, &d).await;
    assert_eq!(second.status(), StatusCode::CONFLICT);
    let refusal: serde_json::Value = serde_json::from_slice(&body_of(second).await).unwrap();
    assert_eq!(refusal["code"], "export_in_progress");

    let zip = body_of(first).await;
    let mut got = document_sums(&zip);
    got.sort();
    sums.sort();
    assert_eq!(got, sums, "every document, byte for byte");
    // Once read, the account may export again.
    let again = start_export(&t, &d).await;
    assert_eq!(again.status(), StatusCode::OK);
    // A download abandoned half-way frees the account's place too.
    drop(again);
    let mut freed = false;
    for _ in 0..50 {
        let res = start_export(&t, &d).await;
        if res.status() == StatusCode::OK {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(freed, "an abandoned export gives its place back");
}
backend_tests!(finding_02_the_export_streams_and_runs_once_per_account);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_02_exports_beyond_the_instance_cap_wait_for_a_place() {
    let mut config = test_config();
    config.max_concurrent_exports = 1;
    let t = app_with(Db::Sqlite, config).await;
    let a = new_doctor(&t, 1).await;
    let b = new_doctor(&t, 2).await;
    fill_vault(&t, &a, 2, 1_500_000).await;
    let held = start_export(&t, &a).await;
    assert_eq!(held.status(), StatusCode::OK);
    let waiting = {
        let router = t.router.clone();
        let token = b.token.clone();
        tokio::spawn(async move {
            let req = Request::builder()
                .uri("/v1/me/export")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap();
            router.oneshot(req).await.unwrap().status()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "the second export waits while the only place is taken"
    );
    let zip = body_of(held).await;
    assert!(zip.starts_with(b"PK"));
    assert_eq!(waiting.await.unwrap(), StatusCode::OK);
}
