//! The administrator's other pages: trace, the encryption report with its
//! chart, the access audit with its CSV link, and branding with live previews.

mod common;

use common::*;
use sealmail_api::Timestamp;
use sealmail_api::admin::{
    AuditEvent, AuditKind, AuditOutcome, AuditPage, AuditQuery, DomainCount, Report, ReportCounts,
    ReportDay, TracePage, TraceQuery,
};
use sealmail_portal::api::ApiError;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn counts(sent: u64) -> ReportCounts {
    ReportCounts {
        sent,
        opened: sent / 2,
        revoked: 0,
        expired: 0,
    }
}

#[wasm_bindgen_test]
async fn the_report_draws_a_bar_per_day_and_lists_the_top_domains() {
    let report = Report {
        from: Timestamp("2026-11-20T00:00:00Z".into()),
        until: Timestamp("2026-11-23T00:00:00Z".into()),
        totals: counts(6),
        per_day: vec![
            ReportDay {
                date: "2026-11-20".into(),
                counts: counts(1),
            },
            ReportDay {
                date: "2026-11-21".into(),
                counts: counts(0),
            },
            ReportDay {
                date: "2026-11-22".into(),
                counts: counts(5),
            },
        ],
        top_recipient_domains: vec![DomainCount {
            domain: "example.net".into(),
            messages: 4,
        }],
    };
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .admin_report(vec![Ok(report)]);
    let _page = mount_portal(&api, "/admin/report", Some("en"));
    find("report-chart").await;
    let bars = all("chart-bar");
    assert_eq!(bars.len(), 3);
    let height = |i: usize| {
        bars[i]
            .get_attribute("height")
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    assert_eq!(height(1), 0.0);
    assert!(height(2) > height(0) * 4.0, "the bars follow the numbers");
    assert_eq!(text("total-sent"), "6");
    assert!(
        testid("report-chart")
            .unwrap()
            .get_attribute("aria-label")
            .unwrap()
            .contains("6 messages")
    );
    assert_eq!(text("report-domain"), "example.net 4 messages");
    assert!(api.calls().contains(&Call::AdminReport(Default::default())));
}

#[wasm_bindgen_test]
async fn a_report_that_fails_to_load_says_so_and_showing_it_again_retries() {
    let report = Report {
        from: Timestamp("2026-11-20T00:00:00Z".into()),
        until: Timestamp("2026-11-23T00:00:00Z".into()),
        totals: counts(2),
        per_day: Vec::new(),
        top_recipient_domains: Vec::new(),
    };
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .admin_report(vec![Err(ApiError::Unreachable), Ok(report)]);
    let _page = mount_portal(&api, "/admin/report", Some("en"));
    wait_text(
        "report-error",
        "That did not work. Check your connection and try again.",
    )
    .await;
    assert!(testid("report-totals").is_none());

    click("report-show");
    find("report-totals").await;
    assert_eq!(text("total-sent"), "2");
    assert!(testid("report-error").is_none(), "the error is gone");
    let asked = api
        .calls()
        .iter()
        .filter(|c| matches!(c, Call::AdminReport(_)))
        .count();
    assert_eq!(asked, 2, "the same period is asked for again");
}

#[wasm_bindgen_test]
async fn the_trace_searches_by_sender_and_links_to_the_status() {
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .admin_trace(vec![Ok(TracePage {
            messages: vec![message_status()],
            next_cursor: None,
        })]);
    let _page = mount_portal(&api, "/admin/trace", Some("en"));
    find("page-admin-trace").await;
    fill_in("trace-sender", "alice");
    click("trace-search");
    find("trace-row").await;
    assert!(api.calls().contains(&Call::AdminTrace(TraceQuery {
        sender: Some("alice".into()),
        ..TraceQuery::default()
    })));
    assert_eq!(
        testid("trace-status-link")
            .unwrap()
            .get_attribute("href")
            .as_deref(),
        Some("/admin?message_id=%3Cm2%40contoso.example%3E")
    );
}

#[wasm_bindgen_test]
async fn the_audit_filters_and_offers_the_same_filters_as_csv() {
    let event = AuditEvent {
        id: 1,
        at: Timestamp("2026-11-23T10:00:00Z".into()),
        kind: AuditKind::MessageOpened,
        outcome: AuditOutcome::Success,
        message_id: Some("<m2@contoso.example>".into()),
        recipient: Some("bob@example.net".into()),
        actor: None,
        client_address: None,
        detail: None,
    };
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .admin_audit(vec![Ok(AuditPage {
            events: vec![event],
            next_cursor: None,
        })]);
    let _page = mount_portal(&api, "/admin/audit", Some("en"));
    find("audit-row").await;
    assert!(text("audit-row").contains("Message opened"));
    fill_in("audit-recipient", "bob");
    click("audit-search");
    until("the filtered search", || {
        api.calls().contains(&Call::AdminAudit(AuditQuery {
            recipient: Some("bob".into()),
            ..AuditQuery::default()
        }))
    })
    .await;
    until("the CSV link to follow the filters", || {
        testid("audit-csv")
            .unwrap()
            .get_attribute("href")
            .as_deref()
            == Some("/api/v1/admin/audit?recipient=bob&format=csv")
    })
    .await;
}

#[wasm_bindgen_test]
async fn branding_fields_show_at_once_in_both_previews_and_save() {
    let mut template = branding_template("t1", "Contoso", true);
    template.fields.introduction_text = Some("Contoso protects your mail.".into());

    let mut saved = template.clone();
    saved.fields.read_button_text = Some("Open it".into());
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .admin_templates(vec![Ok(vec![template])])
        .save_template(vec![Ok(saved)]);
    let _page = mount_portal(&api, "/admin/branding", Some("en"));
    find("page-admin-branding").await;
    wait_text("preview-intro", "Contoso protects your mail.").await;
    wait_text("preview-portal-button", "Send me a one-time passcode").await;

    fill_in("branding-button", "Open it");
    wait_text("preview-portal-button", "Open it").await;
    wait_text("preview-mail-button", "Open it").await;
    fill_in("branding-email-text", "Questions? Call us.");
    wait_text("preview-email-text", "Questions? Call us.").await;

    fill_in("branding-color-text", "blue");
    click("branding-save");
    wait_text(
        "branding-error",
        "Enter the colour as #rrggbb, for example #1e3a8a.",
    )
    .await;
    fill_in("branding-color-text", "#0b5394");
    click("branding-save");
    wait_text("branding-saved", "Saved.").await;
    let call = api
        .calls()
        .into_iter()
        .find_map(|c| match c {
            Call::SaveTemplate { id, input } => Some((id, input)),
            _ => None,
        })
        .unwrap();
    assert_eq!(call.0.as_deref(), Some("t1"));
    assert_eq!(call.1.fields.read_button_text.as_deref(), Some("Open it"));
    assert_eq!(
        call.1.fields.email_text.as_deref(),
        Some("Questions? Call us.")
    );
}

#[wasm_bindgen_test]
async fn a_trace_result_opens_its_status_page_in_place() {
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .admin_trace(vec![Ok(TracePage {
            messages: vec![message_status()],
            next_cursor: None,
        })]);
    let _page = mount_portal(&api, "/admin/trace", Some("en"));
    find("page-admin-trace").await;
    click("trace-search");
    find("trace-status-link").await;
    click("trace-status-link");
    find("admin-result").await;
    assert_eq!(
        current_url(),
        "/admin?message_id=%3Cm2%40contoso.example%3E"
    );
    assert_eq!(text("admin-subject"), "Your mortgage offer");
    assert!(
        api.calls()
            .contains(&Call::AdminMessage("<m2@contoso.example>".into()))
    );
}
