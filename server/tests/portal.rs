//! The portal's files, the SPA fallback, and the headers every response carries.

mod common;

use axum::http::{StatusCode, header};
use common::*;
use sealmail::http::CSP;
use sealmail_api::routes::pages::{READER_BUNDLE, STAFF_BUNDLE};
use sealmail_api::routes::portal_read_page;

fn assert_security_headers(response: &TestResponse, what: &str) {
    assert_eq!(
        response.header(header::CONTENT_SECURITY_POLICY),
        CSP,
        "{what}"
    );
    assert_eq!(
        response.header(header::X_CONTENT_TYPE_OPTIONS),
        "nosniff",
        "{what}"
    );
    assert_eq!(
        response.header(header::REFERRER_POLICY),
        "no-referrer",
        "{what}"
    );
    assert_eq!(response.header(header::X_FRAME_OPTIONS), "DENY", "{what}");
}

#[tokio::test]
async fn the_portal_is_served_with_the_spa_fallback_and_security_headers() {
    let mut app = TestApp::new().await;
    let dist = app.dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>Sealmail portal</title>",
    )
    .unwrap();
    std::fs::write(dist.join("app.js"), "console.log(1)").unwrap();
    app.rebuild_router();

    let index = app.get("/", None).await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&index.body).contains("Sealmail portal"));
    assert_security_headers(&index, "/");

    // A portal route is not a file: index.html, and the portal's router takes over.
    let page = app.get("/m/SomeLinkToken_-123", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&page.body).contains("Sealmail portal"));
    assert_security_headers(&page, "/m/…");

    let js = app.get("/app.js", None).await;
    assert_eq!(js.body, b"console.log(1)");
    assert!(js.header(header::CONTENT_TYPE).contains("javascript"));
    assert_security_headers(&js, "/app.js");

    // Unknown API routes never fall back to the portal.
    let api = app.get("/api/v1/unknown", None).await;
    assert_eq!(api.code(), sealmail_api::ErrorCode::NotFound);
    assert_security_headers(&api, "/api/v1/unknown");
}

#[tokio::test]
async fn staff_and_reading_pages_get_their_bundles_and_every_other_page_the_recipient_bundle() {
    let mut app = TestApp::new().await;
    let dist = app.dir.path().join("dist");
    std::fs::create_dir_all(dist.join("staff")).unwrap();
    std::fs::create_dir_all(dist.join("reader")).unwrap();
    std::fs::write(dist.join("index.html"), "<title>recipient bundle</title>").unwrap();
    std::fs::write(dist.join("staff/index.html"), "<title>staff bundle</title>").unwrap();
    std::fs::write(dist.join("staff/staff.js"), "console.log(2)").unwrap();
    std::fs::write(
        dist.join("reader/index.html"),
        "<title>reader bundle</title>",
    )
    .unwrap();
    std::fs::write(dist.join("reader/reader.js"), "console.log(3)").unwrap();
    app.rebuild_router();

    let bundle = async |path: &str| {
        let page = app.get(path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_security_headers(&page, path);
        String::from_utf8_lossy(&page.body).into_owned()
    };
    for path in [
        "/signin",
        "/sent",
        "/compose/",
        "/admin",
        "/admin/trace",
        "/admin/unknown",
    ] {
        assert!(bundle(path).await.contains("staff bundle"), "{path}");
    }
    for path in [
        portal_read_page("SomeLinkToken_-123").as_str(),
        "/m/SomeLinkToken_-123/read/",
        portal_read_page("a/b c").as_str(),
    ] {
        assert!(bundle(path).await.contains("reader bundle"), "{path}");
    }
    for path in [
        "/",
        "/m/SomeLinkToken_-123",
        "/m/read",
        "/m/a/b/read",
        "/elsewhere",
        "/administrator",
    ] {
        assert!(bundle(path).await.contains("recipient bundle"), "{path}");
    }
    // Each bundle's own files, under its folder.
    assert_eq!(
        app.get(&format!("{STAFF_BUNDLE}staff.js"), None).await.body,
        b"console.log(2)"
    );
    assert_eq!(
        app.get(&format!("{READER_BUNDLE}reader.js"), None)
            .await
            .body,
        b"console.log(3)"
    );
}

#[tokio::test]
async fn a_link_page_hands_the_browser_the_reader_bundle_to_fetch_ahead() {
    let mut app = TestApp::new().await;
    let dist = app.dir.path().join("dist");
    std::fs::create_dir_all(dist.join("reader")).unwrap();
    let recipient = "<!doctype html><title>recipient bundle</title><link href=/main.css rel=stylesheet></head><body></body></html>";
    std::fs::write(dist.join("index.html"), recipient).unwrap();
    std::fs::write(
        dist.join("reader/index.html"),
        "<!doctype html><title>reader bundle</title><link href=/reader/pages-1.css rel=stylesheet>\
         <link crossorigin href=/reader/sealmail-reader-2.js rel=modulepreload>\
         <link as=fetch crossorigin href=/reader/sealmail-reader-2_bg.wasm rel=preload></head><body></body></html>",
    )
    .unwrap();
    app.rebuild_router();

    let link_page = app.get("/m/SomeLinkToken_-123", None).await;
    assert_eq!(link_page.status, StatusCode::OK);
    assert_security_headers(&link_page, "the link page");
    assert_eq!(
        link_page.headers.get("content-type").unwrap(),
        "text/html; charset=utf-8"
    );
    assert_eq!(link_page.headers.get("cache-control").unwrap(), "no-cache");
    assert_eq!(
        String::from_utf8_lossy(&link_page.body),
        "<!doctype html><title>recipient bundle</title><link href=/main.css rel=stylesheet>\
         <link rel=preload as=fetch crossorigin=use-credentials href=\"/api/v1/links/SomeLinkToken_-123\">\
         <link rel=prefetch href=\"/reader/pages-1.css\">\
         <link rel=prefetch href=\"/reader/sealmail-reader-2.js\" crossorigin>\
         <link rel=prefetch href=\"/reader/sealmail-reader-2_bg.wasm\" crossorigin>\
         </head><body></body></html>"
    );
    // The landing page has no message to read: nothing is fetched ahead.
    assert_eq!(app.get("/", None).await.body, recipient.as_bytes());
}

#[tokio::test]
async fn without_the_staff_and_reader_bundles_their_pages_get_the_recipient_bundle() {
    let mut app = TestApp::new().await;
    let dist = app.dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<title>recipient bundle</title>").unwrap();
    app.rebuild_router();

    let read_page = portal_read_page("SomeLinkToken_-123");
    for path in [read_page.as_str(), "/signin", "/admin/trace"] {
        let page = app.get(path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            String::from_utf8_lossy(&page.body).contains("recipient bundle"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn without_a_built_portal_a_plain_page_says_so() {
    let app = TestApp::new().await;
    let page = app.get("/m/abc", None).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(String::from_utf8_lossy(&page.body).contains("portal is not built"));
    assert_security_headers(&page, "placeholder");
    // The API works regardless.
    let health = app.get(sealmail_api::routes::HEALTH, None).await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json::<String>(), "ok");
    assert_security_headers(&health, "health");
}

#[tokio::test]
async fn api_responses_are_never_cached_and_errors_carry_the_headers_too() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    let token = app.token_for(BOB);
    let info = app.get(&sealmail_api::routes::link(&token), None).await;
    assert_eq!(info.header(header::CACHE_CONTROL), "no-store");
    let error = app
        .get(&sealmail_api::routes::link_message(&token), None)
        .await;
    assert_eq!(error.code(), sealmail_api::ErrorCode::SessionExpired);
    assert_eq!(error.header(header::CONTENT_TYPE), "application/json");
    assert_security_headers(&error, "error");
}

#[tokio::test]
async fn an_inline_boot_script_in_index_html_is_allowed_by_its_hash_only() {
    let mut app = TestApp::new().await;
    let dist = app.dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    // What Trunk's default output looks like: one inline module script.
    let boot = "\nimport init from '/portal.js';\nconst wasm = await init({ module_or_path: '/portal_bg.wasm' });\n";
    std::fs::write(
        dist.join("index.html"),
        format!("<!doctype html><html><head><script src=\"/x.js\"></script></head><body><script type=\"module\">{boot}</script></body></html>"),
    )
    .unwrap();
    // The staff bundle boots with its own script.
    let staff_boot = boot.replace("/portal", "/staff/staff");
    std::fs::create_dir_all(dist.join("staff")).unwrap();
    std::fs::write(
        dist.join("staff/index.html"),
        format!("<body><script type=\"module\">{staff_boot}</script></body>"),
    )
    .unwrap();
    // So does the reader bundle; a script two bundles share is listed once.
    let reader_boot = boot.replace("/portal", "/reader/reader");
    std::fs::create_dir_all(dist.join("reader")).unwrap();
    std::fs::write(
        dist.join("reader/index.html"),
        format!(
            "<body><script type=\"module\">{reader_boot}</script><script type=\"module\">{boot}</script></body>"
        ),
    )
    .unwrap();
    app.rebuild_router();
    use base64::Engine as _;
    let hash = |script: &str| {
        let digest = ring::digest::digest(&ring::digest::SHA256, script.as_bytes());
        format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        )
    };
    let (expected, staff, reader) = (hash(boot), hash(&staff_boot), hash(&reader_boot));
    let csp = app
        .get("/m/abc", None)
        .await
        .header(header::CONTENT_SECURITY_POLICY);
    assert!(
        csp.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' {expected} {staff} {reader};"
        )),
        "{csp}"
    );
    assert_eq!(
        app.get(&portal_read_page("abc"), None)
            .await
            .header(header::CONTENT_SECURITY_POLICY),
        csp,
        "the reading page carries the same policy"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(
        sealmail::http::inline_script_hashes("<script src=\"/a.js\"></script>").len(),
        0
    );
    // The API carries the same policy.
    assert_eq!(
        app.get("/api/v1/health", None)
            .await
            .header(header::CONTENT_SECURITY_POLICY),
        csp
    );
}

#[tokio::test]
async fn content_hashed_files_are_kept_for_a_year_and_pages_are_asked_for_again() {
    let mut app = TestApp::new().await;
    let dist = app.dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<!doctype html><title>p</title>").unwrap();
    let wasm = "sealmail-portal-c845190a02912e60_bg.wasm";
    std::fs::write(dist.join(wasm), b"\0asm").unwrap();
    std::fs::write(dist.join("main-828acdf6841d9cb5.css"), "body{}").unwrap();
    // Trunk drops a hash's leading zeros: 15 digits here.
    let short = "sealmail-reader-73bfc54c32e9da3.js";
    std::fs::write(dist.join(short), "1").unwrap();
    std::fs::write(dist.join("plain.js"), "1").unwrap();
    app.rebuild_router();

    for hashed in [
        format!("/{wasm}"),
        "/main-828acdf6841d9cb5.css".to_owned(),
        format!("/{short}"),
    ] {
        let file = app.get(&hashed, None).await;
        assert_eq!(file.status, StatusCode::OK, "{hashed}");
        assert_eq!(
            file.header(header::CACHE_CONTROL),
            "public, max-age=31536000, immutable",
            "{hashed}"
        );
    }
    // Pages, and a file without a hash, are asked for again every time.
    for path in ["/", "/m/SomeToken", "/plain.js"] {
        let response = app.get(path, None).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert_eq!(response.header(header::CACHE_CONTROL), "no-cache", "{path}");
    }
    // A missing file that looks hashed gets the page (the SPA fallback),
    // which must not be kept under that name.
    let missing = app.get("/app-0123456789abcdef.js", None).await;
    assert_eq!(missing.header(header::CACHE_CONTROL), "no-cache");
}
