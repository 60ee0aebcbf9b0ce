//! The portal's four languages: which one to use, and every string in each.
//! Plain data and functions, no Leptos: the views reach the current language
//! through [`crate::translate`].
//!
//! Each language is one `Strings` value, so a string missing from one language is
//! a compile error rather than an English word on a Japanese page.

mod da;
mod en;
pub mod format;
mod ja;
mod nl;
mod recipient;

use sealmail_api::Protection;

/// The languages the portal speaks (the seeds' languages, and English).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Nl,
    Da,
    Ja,
}

impl Lang {
    /// Every language, in the order the switch lists them.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Nl, Lang::Da, Lang::Ja];

    /// The BCP 47 tag, for `lang=` and for `Intl` formatting.
    pub const fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nl => "nl",
            Lang::Da => "da",
            Lang::Ja => "ja",
        }
    }

    /// The same language in the API's terms (the language of the server's mail).
    pub const fn language(self) -> sealmail_api::Language {
        match self {
            Lang::En => sealmail_api::Language::En,
            Lang::Nl => sealmail_api::Language::Nl,
            Lang::Da => sealmail_api::Language::Da,
            Lang::Ja => sealmail_api::Language::Ja,
        }
    }

    /// The language named in itself, as the switch shows it.
    pub const fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Nl => "Nederlands",
            Lang::Da => "Dansk",
            Lang::Ja => "日本語",
        }
    }

    /// The language of a tag such as `"nl-BE"` or `"ja"`, if we speak it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|lang| lang.code() == primary)
    }

    /// The strings the reader bundle needs: the staff pages' left out (see
    /// [`recipient`]). Only the reader bundle names this, the recipient's
    /// first bundle names [`Lang::gate_strings`], and only the staff bundle
    /// and the tests name [`Lang::strings`], so each wasm carries the text it
    /// shows.
    pub const fn recipient_strings(self) -> &'static Strings {
        match self {
            Lang::En => &recipient::EN,
            Lang::Nl => &recipient::NL,
            Lang::Da => &recipient::DA,
            Lang::Ja => &recipient::JA,
        }
    }

    /// The strings the gate needs (the recipient's first bundle): the
    /// recipient's without the message view's and the reply form's.
    pub const fn gate_strings(self) -> &'static Strings {
        match self {
            Lang::En => &recipient::GATE_EN,
            Lang::Nl => &recipient::GATE_NL,
            Lang::Da => &recipient::GATE_DA,
            Lang::Ja => &recipient::GATE_JA,
        }
    }

    /// Every string of the portal in this language.
    pub const fn strings(self) -> &'static Strings {
        match self {
            Lang::En => &en::EN,
            Lang::Nl => &nl::NL,
            Lang::Da => &da::DA,
            Lang::Ja => &ja::JA,
        }
    }
}

/// Picks the language: the reader's own earlier choice, else the first of the
/// browser's preferred languages we speak, else English.
pub fn choose(stored: Option<&str>, preferred: &[String]) -> Lang {
    stored
        .and_then(Lang::from_tag)
        .or_else(|| preferred.iter().find_map(|tag| Lang::from_tag(tag)))
        .unwrap_or(Lang::En)
}

/// Where the reader's choice is remembered (`localStorage`).
pub const STORAGE_KEY: &str = "sealmail.lang";

/// Fills the `{}` in a translated template with a value.
pub fn fill(template: &str, value: &str) -> String {
    template.replacen("{}", value, 1)
}

/// The language to start in: the reader's earlier choice (remembered in this
/// browser), else the browser's preferred languages, else English.
pub fn preferred() -> Lang {
    let stored = local_storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    choose(stored.as_deref(), &browser_languages())
}

/// Remembers the reader's choice for their next visit.
pub fn remember(lang: Lang) {
    if let Some(storage) = local_storage() {
        // Storage can be full or disabled (private mode): the switch still works.
        let _ = storage.set_item(STORAGE_KEY, lang.code());
    }
}

fn browser_languages() -> Vec<String> {
    let Some(window) = web_sys::window() else {
        return Vec::new();
    };
    let navigator = window.navigator();
    let mut tags: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|tag| tag.as_string())
        .collect();
    if let Some(tag) = navigator.language() {
        tags.push(tag);
    }
    tags
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

impl Strings {
    /// A protection's name and what it means for the reader (the link page
    /// and the message view say it alike).
    pub fn protection_named(&self, protection: Protection) -> (&'static str, &'static str) {
        match protection {
            Protection::EncryptOnly => (self.encrypt_only, self.encrypt_only_explained),
            Protection::DoNotForward => (self.do_not_forward, self.do_not_forward_explained),
        }
    }
}

/// Every string the portal shows. `{}` marks where a value goes (see [`fill`]).
pub struct Strings {
    // Chrome shared by every page.
    pub language: &'static str,
    pub loading: &'static str,
    pub protected_by: &'static str,
    pub privacy_statement: &'static str,
    pub home_status: &'static str,

    // The link page.
    pub protected_message: &'static str,
    /// `{}`: the sender.
    pub sent_you: &'static str,
    pub protection: &'static str,
    pub encrypt_only: &'static str,
    pub encrypt_only_explained: &'static str,
    pub do_not_forward: &'static str,
    pub do_not_forward_explained: &'static str,
    /// `{}`: a date.
    pub expires: &'static str,
    pub passcode_intro: &'static str,
    pub send_passcode: &'static str,
    pub sending: &'static str,
    pub session_ended: &'static str,
    pub signed_out: &'static str,
    /// `{}`: minutes.
    pub rate_limited: &'static str,

    // The passcode step.
    pub passcode_title: &'static str,
    /// `{}`: the masked address.
    pub passcode_sent_to: &'static str,
    /// `{}`: minutes.
    pub passcode_valid_for: &'static str,
    pub passcode_label: &'static str,
    pub passcode_hint: &'static str,
    pub read_message: &'static str,
    pub checking: &'static str,
    pub send_new_code: &'static str,
    pub new_code_sent: &'static str,
    pub passcode_missing: &'static str,
    pub passcode_wrong: &'static str,
    pub tries_left_one: &'static str,
    /// `{}`: how many.
    pub tries_left_other: &'static str,
    pub passcode_used_up: &'static str,
    pub passcode_expired: &'static str,
    pub something_failed: &'static str,

    // The message view.
    pub from: &'static str,
    pub to: &'static str,
    pub cc: &'static str,
    pub date: &'static str,
    pub message_body: &'static str,
    pub sign_out: &'static str,
    pub dnf_notice: &'static str,
    pub dnf_print: &'static str,
    pub attachments: &'static str,
    /// `{}`: the file name.
    pub download: &'static str,
    pub size_units: [&'static str; 4],

    // The reply form.
    pub reply: &'static str,
    pub reply_text: &'static str,
    pub reply_files: &'static str,
    pub reply_send: &'static str,
    pub reply_missing: &'static str,
    pub reply_too_large: &'static str,
    /// `{}`: the sender.
    pub reply_sent: &'static str,
    pub reply_another: &'static str,

    // Error pages.
    pub revoked_title: &'static str,
    pub revoked_body: &'static str,
    pub expired_title: &'static str,
    pub expired_body: &'static str,
    pub unknown_title: &'static str,
    pub unknown_body: &'static str,
    pub locked_title: &'static str,
    pub locked_body: &'static str,
    /// `{}`: minutes.
    pub locked_retry: &'static str,
    /// The end page of a link blocked for good (`link_blocked`).
    pub blocked_title: &'static str,
    pub blocked_body: &'static str,
    /// `{}`: the date and time the lock ends.
    pub locked_until: &'static str,
    pub unavailable_title: &'static str,
    pub unavailable_body: &'static str,
    pub retry: &'static str,

    // The sender's and administrator's pages.
    pub nav_label: &'static str,
    pub nav_sent: &'static str,
    pub nav_compose: &'static str,
    pub nav_admin: &'static str,
    pub cancel: &'static str,
    pub forbidden_title: &'static str,
    pub forbidden_body: &'static str,
    /// `{}`: minutes.
    pub rate_limited_later: &'static str,
    pub not_found: &'static str,
    pub payload_too_large: &'static str,
    pub already_revoked: &'static str,
    pub signed_out_elsewhere: &'static str,
    pub invalid_request: &'static str,
    pub signin_title: &'static str,
    pub signed_out_staff: &'static str,
    pub email_address: &'static str,
    pub password: &'static str,
    pub signin_missing: &'static str,
    pub credentials_wrong: &'static str,
    pub sign_in: &'static str,
    pub signing_in: &'static str,
    /// `{}`: the identity provider's name (single sign-on).
    pub sign_in_with: &'static str,
    /// Between single sign-on and the password form.
    pub sign_in_or: &'static str,
    pub sso_state_invalid: &'static str,
    pub sso_token_invalid: &'static str,
    pub sso_account_refused: &'static str,
    pub sso_unavailable: &'static str,
    pub sent_title: &'static str,
    pub search_label: &'static str,
    pub search: &'static str,
    pub sent_empty: &'static str,
    pub load_more: &'static str,
    pub remove_access: &'static str,
    /// `{}`: the recipient.
    pub remove_access_for: &'static str,
    pub confirm_message_title: &'static str,
    /// `{}`: the subject.
    pub confirm_message_body: &'static str,
    pub confirm_recipient_title: &'static str,
    /// `{}`: the recipient, then the subject.
    pub confirm_recipient_body: &'static str,
    pub revoked_done: &'static str,
    pub resend_link: &'static str,
    /// `{}`: the recipient.
    pub resend_link_for: &'static str,
    pub confirm_resend_title: &'static str,
    /// `{}`: the recipient, then the subject.
    pub confirm_resend_body: &'static str,
    /// `{}`: the recipient.
    pub resend_done: &'static str,
    pub state_sent: &'static str,
    pub state_opened: &'static str,
    /// `{}`: a date.
    pub state_opened_at: &'static str,
    pub delivery_queued: &'static str,
    pub delivery_sent_at: &'static str,
    pub delivery_deferred: &'static str,
    pub delivery_bounced: &'static str,
    /// Not sent: the message (or the recipient's access) ended first.
    pub delivery_cancelled: &'static str,
    pub delivery_gave_up: &'static str,
    pub state_revoked: &'static str,
    pub state_expired: &'static str,
    pub message_active: &'static str,
    pub message_revoked: &'static str,
    pub message_expired: &'static str,
    pub recipients: &'static str,
    pub replies: &'static str,
    pub message_id: &'static str,
    pub no_expiry: &'static str,
    pub expiry: &'static str,
    pub expiry_date: &'static str,
    pub change_expiry: &'static str,
    pub remove_expiry: &'static str,
    pub expiry_changed: &'static str,
    pub expiry_not_future: &'static str,
    pub admin_status_title: &'static str,
    pub admin_status_intro: &'static str,
    pub look_up: &'static str,
    pub no_such_message: &'static str,
    pub message_id_missing: &'static str,
    pub admin_revoked_done: &'static str,
    pub revoke_message: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub subject: &'static str,
    pub status: &'static str,
    pub compose_title: &'static str,
    pub compose_sent: &'static str,
    pub compose_sent_hint: &'static str,
    pub compose_another: &'static str,
    pub addresses_hint: &'static str,
    /// `{}`: what was typed.
    pub not_addresses: &'static str,
    pub no_recipient: &'static str,
    pub fix_addresses: &'static str,
    pub markdown_option: &'static str,
    pub read_receipt_option: &'static str,
    pub mail_language: &'static str,
    pub mail_language_default: &'static str,
    pub do_not_forward_sender: &'static str,
    pub branding_template: &'static str,
    /// `{}`: days.
    pub expiry_template: &'static str,
    pub expiry_on_date: &'static str,
    pub drop_hint: &'static str,
    pub remove: &'static str,
    /// `{}`: the file name.
    pub remove_file: &'static str,
    pub uploading: &'static str,
    pub send_protected: &'static str,
    pub trace_title: &'static str,
    pub report_title: &'static str,
    pub audit_title: &'static str,
    pub branding_title: &'static str,
    pub sender: &'static str,
    pub recipient: &'static str,
    pub period_from: &'static str,
    pub period_until: &'static str,
    pub show_report: &'static str,
    pub nothing_found: &'static str,
    pub count_sent: &'static str,
    pub count_opened: &'static str,
    pub count_revoked: &'static str,
    pub count_expired: &'static str,
    pub per_day_title: &'static str,
    pub top_domains: &'static str,
    /// `{}`: how many.
    pub messages_count: &'static str,
    /// `{}`: how many.
    pub chart_summary: &'static str,
    pub audit_kind: &'static str,
    pub audit_outcome: &'static str,
    pub audit_actor: &'static str,
    pub audit_detail: &'static str,
    pub any: &'static str,
    pub outcome_success: &'static str,
    pub outcome_failure: &'static str,
    pub download_csv: &'static str,
    pub audit_passcode_requested: &'static str,
    pub audit_passcode_entered: &'static str,
    pub audit_message_opened: &'static str,
    pub audit_attachment_downloaded: &'static str,
    pub audit_reply_sent: &'static str,
    pub audit_revoked: &'static str,
    pub audit_expiry_changed: &'static str,
    pub audit_sign_in: &'static str,
    pub audit_notification_resent: &'static str,
    pub audit_message_status_viewed: &'static str,
    pub audit_message_trace_searched: &'static str,
    pub audit_audit_viewed: &'static str,
    pub audit_audit_exported: &'static str,
    pub audit_branding_template_created: &'static str,
    pub audit_branding_template_changed: &'static str,
    pub audit_branding_template_deleted: &'static str,
    pub audit_branding_logo_uploaded: &'static str,
    pub audit_branding_logo_removed: &'static str,
    pub audit_mail_flow_rule_added: &'static str,
    pub audit_mail_flow_rule_changed: &'static str,
    pub audit_mail_flow_rule_moved: &'static str,
    pub audit_mail_flow_rule_removed: &'static str,
    pub audit_api_token_created: &'static str,
    pub audit_api_token_revoked: &'static str,
    pub audit_api_token_used: &'static str,
    pub branding_new: &'static str,
    pub branding_name: &'static str,
    pub branding_color: &'static str,
    pub branding_intro: &'static str,
    pub branding_button: &'static str,
    pub branding_email_text: &'static str,
    pub branding_portal_text: &'static str,
    pub branding_disclaimer: &'static str,
    pub branding_privacy: &'static str,
    pub branding_expiry_days: &'static str,
    /// The label of the template's mail language.
    pub branding_language: &'static str,
    /// The choice that leaves the mail language to the server.
    pub branding_language_default: &'static str,
    pub branding_default: &'static str,
    pub branding_name_missing: &'static str,
    pub branding_bad_color: &'static str,
    pub branding_organisation: &'static str,
    pub branding_logo: &'static str,
    pub branding_logo_hint: &'static str,
    pub branding_logo_save_first: &'static str,
    pub branding_logo_bad_type: &'static str,
    pub branding_logo_too_big: &'static str,
    pub branding_logo_remove: &'static str,
    pub branding_logo_saved: &'static str,
    pub branding_delete: &'static str,
    pub branding_delete_body: &'static str,
    pub branding_deleted: &'static str,
    pub branding_default_kept: &'static str,
    pub expiry_never: &'static str,
    pub compose_too_large: &'static str,
    pub saved: &'static str,
    pub save: &'static str,
    pub preview_portal: &'static str,
    pub preview_mail: &'static str,
    pub preview_organisation: &'static str,
    pub home_sign_in: &'static str,
    pub encrypt_only_sender: &'static str,

    // The mail-flow rules page.
    pub rules_title: &'static str,
    pub rules_intro: &'static str,
    pub rules_empty: &'static str,
    pub rules_if_all: &'static str,
    pub rules_always: &'static str,
    /// `{}`: the action in words.
    pub rules_then: &'static str,
    pub rules_move_up: &'static str,
    pub rules_move_down: &'static str,
    pub rules_edit: &'static str,
    pub rules_delete: &'static str,
    /// `{}`: the rule's name.
    pub rules_delete_body: &'static str,
    pub rules_deleted: &'static str,
    pub rules_added: &'static str,
    pub rules_add_title: &'static str,
    /// `{}`: the rule's name.
    pub rules_edit_title: &'static str,
    pub rules_name: &'static str,
    pub rules_conditions: &'static str,
    pub rules_conditions_hint: &'static str,
    /// `{}`: the condition's number.
    pub rules_condition: &'static str,
    pub rules_add_condition: &'static str,
    /// `{}`: the condition's number.
    pub rules_remove_condition: &'static str,
    pub rules_kind_outside: &'static str,
    pub rules_kind_inside: &'static str,
    pub rules_kind_subject: &'static str,
    pub rules_kind_body: &'static str,
    pub rules_kind_header: &'static str,
    pub rules_kind_sender: &'static str,
    pub rules_kind_attachments: &'static str,
    pub rules_kind_size: &'static str,
    pub rules_words: &'static str,
    pub rules_strip: &'static str,
    pub rules_header_name: &'static str,
    pub rules_header_contains: &'static str,
    pub rules_sender_is: &'static str,
    pub rules_has_attachments: &'static str,
    pub rules_has_no_attachments: &'static str,
    pub rules_size_bytes: &'static str,
    pub rules_action: &'static str,
    pub rules_action_protect: &'static str,
    pub rules_action_relay: &'static str,
    pub rules_action_reject: &'static str,
    pub rules_template_default: &'static str,
    pub rules_reason: &'static str,
    pub rules_add: &'static str,
    pub rules_name_missing: &'static str,
    /// `{}`: the condition's number.
    pub rules_words_missing: &'static str,
    /// `{}`: the condition's number.
    pub rules_header_missing: &'static str,
    /// `{}`: the condition's number.
    pub rules_sender_missing: &'static str,
    /// `{}`: the condition's number.
    pub rules_size_bad: &'static str,
    pub rules_expiry_bad: &'static str,
    pub rules_reason_missing: &'static str,
    /// `{}`: the words.
    pub rules_desc_subject: &'static str,
    pub rules_desc_strip: &'static str,
    /// `{}`: the words.
    pub rules_desc_body: &'static str,
    /// `{}`: the header's name, then what its value holds.
    pub rules_desc_header: &'static str,
    /// `{}`: the header's name.
    pub rules_desc_header_present: &'static str,
    /// `{}`: an address or a domain.
    pub rules_desc_sender: &'static str,
    /// `{}`: a size.
    pub rules_desc_size: &'static str,
    /// `{}`: the protection's name.
    pub rules_desc_protect: &'static str,
    /// `{}`: the template's name.
    pub rules_desc_template: &'static str,
    /// `{}`: days.
    pub rules_desc_expiry: &'static str,
    pub rules_desc_relay: &'static str,
    /// `{}`: the reason.
    pub rules_desc_reject: &'static str,
    pub rules_test_title: &'static str,
    pub rules_test_intro: &'static str,
    pub rules_test_eml: &'static str,
    pub rules_test_recipients: &'static str,
    pub rules_test_sender: &'static str,
    pub rules_test_run: &'static str,
    pub rules_test_missing: &'static str,
    pub rules_test_results: &'static str,
    pub rules_test_nobody: &'static str,
    /// `{}`: the rule's name.
    pub rules_verdict_rule: &'static str,
    pub rules_verdict_none: &'static str,
    pub rules_verdict_because: &'static str,
    pub rules_verdict_passed_over: &'static str,
    /// `{}`: the rule's name, then why (a `rules_why_` sentence).
    pub rules_verdict_missed: &'static str,
    /// `{}`: the recipient's domain.
    pub rules_why_outside: &'static str,
    /// `{}`: the recipient's domain.
    pub rules_why_inside: &'static str,
    /// `{}`: the word found.
    pub rules_why_subject: &'static str,
    /// `{}`: the subject.
    pub rules_why_subject_none: &'static str,
    /// `{}`: the header's name, then its value.
    pub rules_why_header: &'static str,
    /// `{}`: the header's name.
    pub rules_why_header_absent: &'static str,
    /// `{}`: the sender's address.
    pub rules_why_sender: &'static str,
    /// `{}`: the word found.
    pub rules_why_body: &'static str,
    pub rules_why_body_none: &'static str,
    pub rules_why_attachments_none: &'static str,
    pub rules_why_attachments_one: &'static str,
    /// `{}`: how many.
    pub rules_why_attachments_other: &'static str,
    /// `{}`: the message's size, then the rule's.
    pub rules_why_size_over: &'static str,
    /// `{}`: the message's size, then the rule's.
    pub rules_why_size_not_over: &'static str,

    // The API tokens page.
    pub nav_tokens: &'static str,
    pub tokens_title: &'static str,
    pub tokens_intro: &'static str,
    pub tokens_empty: &'static str,
    pub tokens_new: &'static str,
    pub token_name: &'static str,
    /// The list's column of names.
    pub token_name_header: &'static str,
    pub token_scopes: &'static str,
    pub token_scope_send: &'static str,
    pub token_scope_status: &'static str,
    pub token_scope_revoke: &'static str,
    pub token_scope_admin: &'static str,
    pub token_expires: &'static str,
    /// `{}`: how many days.
    pub token_days: &'static str,
    pub token_never: &'static str,
    pub token_create: &'static str,
    pub token_created: &'static str,
    pub token_secret_label: &'static str,
    pub token_copy_hint: &'static str,
    pub token_name_missing: &'static str,
    pub token_scope_missing: &'static str,
    pub token_starts_with: &'static str,
    pub token_created_at: &'static str,
    pub token_last_used: &'static str,
    pub token_never_used: &'static str,
    pub token_revoke: &'static str,
    pub token_revoke_title: &'static str,
    /// `{}`: the token's name.
    pub token_revoke_body: &'static str,
    pub token_revoked: &'static str,
}
