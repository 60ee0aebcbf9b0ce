//! Each error page, chosen by the API's error code alone.

mod common;

use common::*;
use sealmail_api::{ErrorBody, ErrorCode, Timestamp};
use sealmail_portal::api::ApiError;
use sealmail_portal::gate::{Back, Failure};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Opens the link with the server answering `error`; returns the mounted page.
async fn open_link_failing_with(error: ApiError, lang: &str, page: &str) -> Mounted {
    let api = FakeApi::new().link(vec![Err(error)]);
    let mounted = mount_flow(&api, Some(lang));
    find(page).await;
    wait_focus("page-title").await;
    mounted
}

#[wasm_bindgen_test]
async fn a_revoked_message_says_so_in_the_seeds_wording_in_every_language() {
    for (lang, wording) in [
        ("en", "The message has been revoked by the sender"),
        ("nl", "Het bericht is ingetrokken door de afzender"),
        ("da", "Meddelelsen er blevet tilbagekaldt af afsenderen"),
        ("ja", "メッセージは、送信者によって失効されています"),
    ] {
        let _page =
            open_link_failing_with(error(ErrorCode::MessageRevoked), lang, "page-revoked").await;
        assert_eq!(text("page-title"), wording, "in {lang}");
        let title = format!("{wording} — Sealmail");
        until("the tab title", || document().title() == title).await;
        assert_eq!(html_lang(), lang);
        assert!(
            testid("language").is_some(),
            "the switch is on the error page"
        );
    }
}

#[wasm_bindgen_test]
async fn an_expired_message_has_its_own_page() {
    let _page =
        open_link_failing_with(error(ErrorCode::MessageExpired), "en", "page-expired").await;
    assert_eq!(text("page-title"), "The message has expired");
    drop(_page);
    let _page =
        open_link_failing_with(error(ErrorCode::MessageExpired), "ja", "page-expired").await;
    assert_eq!(text("page-title"), "メッセージの有効期限が切れています");
}

#[wasm_bindgen_test]
async fn an_unknown_link_has_its_own_page() {
    let _page =
        open_link_failing_with(error(ErrorCode::LinkUnknown), "en", "page-unknown-link").await;
    assert_eq!(text("page-title"), "This link is not valid");
    drop(_page);
    let _page =
        open_link_failing_with(error(ErrorCode::LinkUnknown), "ja", "page-unknown-link").await;
    assert_eq!(text("page-title"), "このリンクは無効です");
}

#[wasm_bindgen_test]
async fn a_blocked_link_sends_the_reader_to_the_sender_in_every_language() {
    for (lang, title, ask) in [
        ("en", "Link blocked", "Ask the sender"),
        ("nl", "Koppeling geblokkeerd", "Vraag de afzender"),
        ("da", "Linket er spærret", "Bed afsenderen"),
        ("ja", "リンクはブロックされました", "送信者に新しいリンク"),
    ] {
        let _page =
            open_link_failing_with(error(ErrorCode::LinkBlocked), lang, "page-blocked").await;
        assert_eq!(text("page-title"), title, "in {lang}");
        wait_text_contains("page-blocked", ask).await;
        assert!(testid("locked-retry").is_none(), "no time to wait for");
    }
}

#[wasm_bindgen_test]
async fn a_locked_link_says_when_to_try_again_in_japanese() {
    let _page = open_link_failing_with(
        retry_after(ErrorCode::TooManyAttempts, 600),
        "ja",
        "page-locked",
    )
    .await;
    assert_eq!(text("page-title"), "試行回数が多すぎます");
    assert_eq!(text("locked-retry"), "10 分後にもう一度お試しください。");
}

#[wasm_bindgen_test]
async fn a_link_opened_while_locked_says_until_when_in_japanese() {
    let mut locked = link_info();
    locked.locked_until = Some(Timestamp("2026-11-23T10:45:00Z".into()));
    let api = FakeApi::new().link(vec![Ok(locked)]);
    let _page = mount_flow(&api, Some("ja"));

    find("page-locked").await;
    assert_eq!(text("page-title"), "試行回数が多すぎます");
    wait_text_contains("locked-until", "2026年11月23日").await;
    assert!(text("locked-until").ends_with(" までロックされています。"));
    assert!(
        testid("locked-retry").is_none(),
        "no minutes without the error"
    );
    assert!(testid("send-passcode").is_none());
    assert_eq!(api.calls(), vec![Call::Link]);
}

#[wasm_bindgen_test]
async fn an_unreachable_server_offers_a_retry_that_recovers() {
    let api = FakeApi::new().link(vec![Err(ApiError::Unreachable), Ok(link_info())]);
    let _page = mount_flow(&api, Some("en"));
    find("page-unavailable").await;
    assert_eq!(text("page-title"), "Sealmail cannot be reached");
    wait_focus("page-title").await;

    click("retry");

    find("page-link").await;
    assert_eq!(api.calls(), vec![Call::Link, Call::Link]);
}

#[wasm_bindgen_test]
async fn a_server_failure_shows_the_unavailable_page_in_japanese() {
    let _page = open_link_failing_with(error(ErrorCode::Internal), "ja", "page-unavailable").await;
    assert_eq!(text("page-title"), "Sealmail に接続できません");
    assert_eq!(text("retry"), "再試行");
}

#[wasm_bindgen_test]
async fn a_reader_sent_back_after_an_ended_session_is_asked_for_a_passcode() {
    // The reader bundle sends the reader back with `?back=session-ended`
    // (tests/message_view.rs); the gate says why and asks for a new passcode.
    let api = FakeApi::new();
    let _page = mount_gate(&api, Some(TOKEN), Some(Back::SessionEnded), Some("ja"));

    find("session-ended").await;
    assert_eq!(
        text("session-ended"),
        "セッションが終了しました。続けて読むには、新しいワンタイム パスコードを送信してください。"
    );
    click("send-passcode");
    find("page-passcode").await;
}

#[wasm_bindgen_test]
async fn a_revoked_message_found_after_the_passcode_shows_the_revoked_page() {
    let api = FakeApi::new().session(vec![Err(error(ErrorCode::MessageRevoked))]);
    let _page = mount_flow(&api, Some("da"));
    ask_and_submit_passcode("12345678").await;

    find("page-revoked").await;
    assert_eq!(
        text("page-title"),
        "Meddelelsen er blevet tilbagekaldt af afsenderen"
    );
}

#[wasm_bindgen_test]
fn pages_are_chosen_by_the_code_alone() {
    let page = |code| Failure::from_error(&ApiError::Api(ErrorBody::new(code, "not read")));
    assert_eq!(page(ErrorCode::MessageRevoked), Failure::Revoked);
    assert_eq!(page(ErrorCode::MessageExpired), Failure::Expired);
    assert_eq!(page(ErrorCode::LinkUnknown), Failure::UnknownLink);
    assert_eq!(page(ErrorCode::TooManyAttempts), Failure::Locked(None));
    assert_eq!(page(ErrorCode::Internal), Failure::Unavailable);
    assert_eq!(
        Failure::from_error(&ApiError::Unreachable),
        Failure::Unavailable
    );
    // The message text never matters, only the code.
    let misleading = ErrorBody::new(ErrorCode::MessageRevoked, "link not found (404)");
    assert_eq!(
        Failure::from_error(&ApiError::Api(misleading)),
        Failure::Revoked
    );
    // Every code leads somewhere.
    for code in ErrorCode::ALL {
        let _ = page(code);
    }
}
