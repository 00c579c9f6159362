//! The few pages the server renders itself, for links opened from an e-mail in any browser: plain
//! French HTML, accessible (labels, headings, language), no script, a policy that lets their forms post
//! back to this server only and nothing else load. Why hand-written rather than a template engine: a
//! handful of small pages whose every variable is escaped here, at one place.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page: `title` (plain text, escaped here) and `body` (HTML the caller built from escaped
/// parts), answered with `status`, never cached (it may hold a link's token), posting only to itself.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let title = escape(title);
    let html = format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — Rempla</title><style>{STYLE}</style></head>\
         <body><main><h1>{title}</h1>{body}</main>\
         <footer><p>Rempla — remplacements médicaux</p></footer></body></html>"
    );
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The page for a form that does not parse (a truncated post, a tampered field): reopen the link.
pub fn unreadable_form() -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Formulaire illisible",
        &para("Rouvrez le lien de l'e-mail et recommencez."),
    )
}

/// A paragraph of escaped text.
pub fn para(text: &str) -> String {
    format!("<p>{}</p>", escape(text))
}

/// A refusal's message (« le champ … est vide ») as a sentence for a page (« Le champ … est vide. »).
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => text.to_owned(),
    }
}

/// An alert box for an error (read out by screen readers at once).
pub fn alert(text: &str) -> String {
    format!("<p class=\"alert\" role=\"alert\">{}</p>", escape(text))
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1b2430}\
main{max-width:36rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-radius:8px;\
box-shadow:0 1px 3px rgba(0,0,0,.12)}h1{font-size:1.4rem;color:#12467a}\
label{display:block;margin:.8rem 0 .2rem;font-weight:600}\
input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;border:1px solid #8a94a3;border-radius:4px}\
button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem;border-radius:4px;border:1px solid #12467a;\
background:#12467a;color:#fff;cursor:pointer}button.secondary{background:#fff;color:#12467a}\
button:focus,input:focus{outline:3px solid #f0b429;outline-offset:1px}\
.alert{background:#fdecea;border-left:4px solid #b3261e;padding:.6rem .8rem}\
.hint{color:#4a5563;font-size:.9rem}footer{text-align:center;color:#4a5563;font-size:.85rem}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_the_page_posts_only_to_itself() {
        assert_eq!(
            escape("<a href=\"x\">'&"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;"
        );
        let r = page(StatusCode::OK, "A <b>", &para("x < y"));
        let csp = r.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        assert!(csp.contains("form-action 'self'") && !csp.contains("script-src"));
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
    }
}
