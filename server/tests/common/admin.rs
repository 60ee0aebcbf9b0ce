//! A signed-in administrator: status, revoke and trace by Message-ID, the
//! report, the audit, the branding templates, the mail-flow rules.

use std::ops::Deref;

use axum::http::{Method, StatusCode};
use sealmail_api::admin::{
    AuditPage, AuditQuery, BrandingTemplate, BrandingTemplateInput, MailFlowRule, MailFlowTest,
    MailFlowVerdict, MessageStatus, MoveMailFlowRule, NewMailFlowRule, Report, ReportQuery,
    TracePage, TraceQuery,
};
use sealmail_api::routes;

use super::TestApp;
use super::client::{Call, Revoke};
use super::sender::{ADMIN, Sender};

/// A sender session used on the admin API. Through [`TestApp::admin`] it is
/// an administrator's; through [`Sender::as_admin`] anyone's, to be refused.
/// It derefs to its [`Sender`] (the cookie, the Sent list), except that
/// [`Admin::revoke`] is the admin API's, by Message-ID: a sender's revoke by
/// message id is `admin.as_sender().revoke(id)`.
#[derive(Clone)]
pub struct Admin<'a>(Sender<'a>);

impl TestApp {
    /// [`ADMIN`], an administrator, signed in.
    pub async fn admin(&self) -> Admin<'_> {
        Admin(self.signed_in(ADMIN, true).await)
    }
}

impl<'a> Sender<'a> {
    /// This session on the admin API (refused unless it is an administrator's).
    pub fn as_admin(&self) -> Admin<'a> {
        Admin(self.clone())
    }
}

impl<'a> Deref for Admin<'a> {
    type Target = Sender<'a>;

    fn deref(&self) -> &Sender<'a> {
        &self.0
    }
}

impl<'a> Admin<'a> {
    /// The same session, as a sender (e.g. a sender's revoke by message id).
    pub fn as_sender(&self) -> &Sender<'a> {
        &self.0
    }

    /// A message's status, by Message-ID (with or without `<>`).
    pub fn status(&self, message_id: &str) -> Call<'a, MessageStatus> {
        self.call(Method::GET, routes::admin_message(message_id))
    }

    /// Revokes a message by Message-ID, or `.only(address)` one recipient's access.
    pub fn revoke(&self, message_id: &str) -> Revoke<'a, MessageStatus> {
        Revoke(self.call(Method::POST, routes::admin_message_revoke(message_id)))
    }

    /// Mails `recipient` a new link, by Message-ID.
    pub fn resend(&self, message_id: &str, recipient: &str) -> Call<'a, MessageStatus> {
        self.call(Method::POST, routes::admin_message_resend(message_id))
            .json(&sealmail_api::sender::ResendRequest {
                recipient: recipient.to_owned(),
            })
    }

    /// Message trace.
    pub fn trace(&self, query: &TraceQuery) -> Call<'a, TracePage> {
        self.call(Method::GET, routes::admin_trace(query))
    }

    /// The encryption report.
    pub fn report(&self, query: &ReportQuery) -> Call<'a, Report> {
        self.call(Method::GET, routes::admin_report(query))
    }

    /// A page of the access audit.
    pub fn audit(&self, query: &AuditQuery) -> Call<'a, AuditPage> {
        self.call(Method::GET, routes::admin_audit(query))
    }

    /// The access audit as CSV.
    pub fn audit_csv(&self, query: &AuditQuery) -> Call<'a, String> {
        let query = AuditQuery {
            format: Some("csv".into()),
            ..query.clone()
        };
        self.request(Method::GET, routes::admin_audit(&query))
            .answer(|r| r.text())
    }

    /// The branding templates.
    pub fn templates(&self) -> Call<'a, Vec<BrandingTemplate>> {
        self.call(Method::GET, routes::ADMIN_BRANDING)
    }

    /// One branding template.
    pub fn template(&self, id: &str) -> Call<'a, BrandingTemplate> {
        self.call(Method::GET, routes::admin_branding_one(id))
    }

    /// Creates a branding template.
    pub fn create_template(&self, input: &BrandingTemplateInput) -> Call<'a, BrandingTemplate> {
        self.call(Method::POST, routes::ADMIN_BRANDING)
            .json(input)
            .expect(StatusCode::CREATED)
    }

    /// Replaces a branding template.
    pub fn edit_template(
        &self,
        id: &str,
        input: &BrandingTemplateInput,
    ) -> Call<'a, BrandingTemplate> {
        self.call(Method::PUT, routes::admin_branding_one(id))
            .json(input)
    }

    /// Deletes a branding template.
    pub fn delete_template(&self, id: &str) -> Call<'a, ()> {
        self.request(Method::DELETE, routes::admin_branding_one(id))
            .no_content()
    }

    /// Uploads a template's logo: these bytes, sent as `content_type`.
    pub fn upload_logo(
        &self,
        id: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Call<'a, BrandingTemplate> {
        self.call(Method::PUT, routes::admin_branding_logo(id))
            .bytes(content_type, bytes)
    }

    /// Removes a template's logo.
    pub fn remove_logo(&self, id: &str) -> Call<'a, BrandingTemplate> {
        self.call(Method::DELETE, routes::admin_branding_logo(id))
    }

    /// The mail-flow rules in order.
    pub fn mail_flow_rules(&self) -> Call<'a, Vec<MailFlowRule>> {
        self.call(Method::GET, routes::ADMIN_MAIL_FLOW_RULES)
    }

    /// Adds a mail-flow rule; the rules in order.
    pub fn add_mail_flow_rule(&self, rule: &NewMailFlowRule) -> Call<'a, Vec<MailFlowRule>> {
        self.call(Method::POST, routes::ADMIN_MAIL_FLOW_RULES)
            .json(rule)
            .expect(StatusCode::CREATED)
    }

    /// Edits a mail-flow rule in its place; the rules in order.
    pub fn edit_mail_flow_rule(
        &self,
        id: i64,
        rule: &NewMailFlowRule,
    ) -> Call<'a, Vec<MailFlowRule>> {
        self.call(Method::PUT, routes::admin_mail_flow_rule(&id.to_string()))
            .json(rule)
    }

    /// Moves a mail-flow rule to `position`; the rules in order.
    pub fn move_mail_flow_rule(&self, id: i64, position: i64) -> Call<'a, Vec<MailFlowRule>> {
        self.call(
            Method::POST,
            routes::admin_mail_flow_rule_move(&id.to_string()),
        )
        .json(&MoveMailFlowRule { position })
    }

    /// Deletes a mail-flow rule.
    pub fn delete_mail_flow_rule(&self, id: i64) -> Call<'a, ()> {
        self.request(
            Method::DELETE,
            routes::admin_mail_flow_rule(&id.to_string()),
        )
        .no_content()
    }

    /// Tries the rules on a mail.
    pub fn test_mail_flow(&self, mail: &MailFlowTest) -> Call<'a, Vec<MailFlowVerdict>> {
        self.call(Method::POST, routes::ADMIN_MAIL_FLOW_TEST)
            .json(mail)
    }
}
