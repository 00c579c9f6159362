//! Finding 17 (lists part): `/v1/proposals` and `/v1/missions` answered a facility's whole history in
//! one response. Now they are paged by id (`limit`, at most 200; `before`, the previous page's
//! `next_before`), with the filters in the query so every page is full.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::users::{User, new_staff};
use crate::common::workflow::{
    answer, config, doctor, facility, open_night, propose, request, set_clock,
};
use crate::common::{Db, TestApp, app_with, backend_tests, get};

/// Every id of a paged list, page by page, with the page sizes seen.
async fn walk(t: &TestApp, user: &User, path: &str, key: &str) -> (Vec<String>, Vec<usize>) {
    let (mut ids, mut sizes, mut before) = (Vec::new(), Vec::new(), None::<String>);
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let cursor = before
            .as_ref()
            .map(|b| format!("&before={b}"))
            .unwrap_or_default();
        let (s, v) = get(
            &t.router,
            &format!("{path}{sep}limit=2{cursor}"),
            Some(&user.token),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let page = v[key].as_array().unwrap();
        sizes.push(page.len());
        ids.extend(page.iter().map(|p| p["id"].as_str().unwrap().to_owned()));
        match v.get("next_before").and_then(Value::as_str) {
            Some(next) => before = Some(next.to_owned()),
            None => break,
        }
        assert!(sizes.len() < 20, "the cursor moves on");
    }
    (ids, sizes)
}

async fn finding_17_proposals_and_missions_are_paged(db: Db) {
    let t = app_with(db, config()).await;
    set_clock(&t, "2027-01-08T13:00:00Z");
    let staff = new_staff(&t).await;
    let d = doctor(&t, &staff, 1, true).await;
    let (a, site) = facility(&t, 1).await;
    // Five nights a week apart, each its own request and proposal; three accepted (missions).
    let nights: Vec<(String, String)> = (0..5)
        .map(|i| {
            (
                format!("2027-03-{:02}T19:00:00Z", 1 + 7 * i),
                format!("2027-03-{:02}T07:00:00Z", 2 + 7 * i),
            )
        })
        .collect();
    let mut proposals = Vec::new();
    for (start, end) in &nights {
        open_night(&t, &d, start, end).await;
        let r = request(&t, &a, &site, &[(start.as_str(), end.as_str())]).await;
        let (s, v) = propose(&t, &a, &r, &d, json!({})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        proposals.push(v["proposal"]["id"].as_str().unwrap().to_owned());
    }
    for p in &proposals[..3] {
        let (s, v) = answer(&t, &d, p, "accept").await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let mut newest_first = proposals.clone();
    newest_first.sort_unstable_by(|x, y| y.cmp(x));
    for user in [&a, &d] {
        let (ids, sizes) = walk(&t, user, "/v1/proposals", "proposals").await;
        assert_eq!(ids, newest_first, "every proposal once, newest first");
        assert_eq!(sizes, [2, 2, 1]);
        // A filter pages too, and its pages are full.
        let (ids, sizes) = walk(&t, user, "/v1/proposals?state=accepted", "proposals").await;
        assert_eq!(
            ids.iter().collect::<BTreeSet<_>>(),
            proposals[..3].iter().collect::<BTreeSet<_>>()
        );
        assert_eq!(sizes, [2, 1]);
        let (ids, sizes) = walk(&t, user, "/v1/missions", "missions").await;
        assert_eq!((ids.len(), sizes), (3, vec![2, 1]));
        assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 3);
    }
    // Listed by name, never by id alone: the doctor, the site and the facility.
    let (_, v) = get(&t.router, "/v1/missions", Some(&a.token)).await;
    for m in v["missions"].as_array().unwrap() {
        assert_eq!(
            (
                m["doctor_name"].as_str(),
                m["site_name"].as_str(),
                m["facility_name"].as_str()
            ),
            (Some("Dr Anne Test1"), Some("Site 1"), Some("CH 1")),
            "{m}"
        );
    }
    // The default page holds them all; bounds and cursors are checked.
    let (_, v) = get(&t.router, "/v1/proposals", Some(&a.token)).await;
    assert_eq!(v["proposals"].as_array().unwrap().len(), 5);
    assert!(v.get("next_before").is_none(), "{v}");
    for (query, code) in [
        ("limit=0", "invalid_query"),
        ("limit=201", "invalid_query"),
        ("limit=-1", "invalid_query"),
        ("before=pas-un-id", "invalid_cursor"),
        ("page=2", "invalid_query"),
    ] {
        for path in ["/v1/proposals", "/v1/missions"] {
            let (s, v) = get(&t.router, &format!("{path}?{query}"), Some(&a.token)).await;
            assert_eq!(
                (s, v["detail"].as_str()),
                (StatusCode::BAD_REQUEST, Some(code)),
                "{path}?{query}: {v}"
            );
        }
    }
}

backend_tests!(finding_17_proposals_and_missions_are_paged);
