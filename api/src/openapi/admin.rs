//! The administrator's operations, as the server's `admin` handlers answer them.

use super::operation::{Answer, Body, Caller::Admin, Operation};
use super::parts::named;
use crate::ErrorCode::*;
use crate::admin::{
    AuditPage, AuditQuery, BrandingTemplate, BrandingTemplateInput, LOGO_TYPES, MailFlowRule,
    MailFlowTest, MailFlowVerdict, MessageStatus, MoveMailFlowRule, NewMailFlowRule, Report,
    ReportQuery, TracePage, TraceQuery,
};
use crate::routes::{self, Method::*};
use crate::sender::{ResendRequest, RevokeRequest};

pub(super) fn operations() -> Vec<Operation> {
    let mut all = messages();
    all.extend(branding());
    all.extend(mail_flow());
    all
}

/// A message by its Message-ID; trace, report and audit.
fn messages() -> Vec<Operation> {
    vec![
        Operation::new(
            "message_status",
            Get,
            routes::ADMIN_MESSAGE,
            Admin,
            "A message's status, by its Message-ID (audited)",
        )
        .answers(Answer::Json(named::<MessageStatus>()))
        .fails(&[NotFound]),
        Operation::new(
            "admin_revoke",
            Post,
            routes::ADMIN_MESSAGE_REVOKE,
            Admin,
            "Revoke a message, or one recipient's access, by its Message-ID",
        )
        .takes(Body::OptionalJson(named::<RevokeRequest>()))
        .answers(Answer::Json(named::<MessageStatus>()))
        .fails(&[NotFound, AlreadyRevoked, MessageExpired]),
        Operation::new(
            "admin_resend",
            Post,
            routes::ADMIN_MESSAGE_RESEND,
            Admin,
            "Mail a recipient a new link, by the message's Message-ID",
        )
        .takes(Body::Json(named::<ResendRequest>()))
        .answers(Answer::Json(named::<MessageStatus>()))
        .fails(&[NotFound, AlreadyRevoked, MessageRevoked, MessageExpired]),
        Operation::new(
            "message_trace",
            Get,
            routes::ADMIN_TRACE,
            Admin,
            "Find messages by sender, recipient, subject and date (audited)",
        )
        .query::<TraceQuery>()
        .answers(Answer::Json(named::<TracePage>())),
        Operation::new(
            "encryption_report",
            Get,
            routes::ADMIN_REPORT,
            Admin,
            "Messages sent, opened, revoked and expired over a period",
        )
        .query::<ReportQuery>()
        .answers(Answer::Json(named::<Report>())),
        Operation::new(
            "access_audit",
            Get,
            routes::ADMIN_AUDIT,
            Admin,
            "Who accessed or changed what, when, from where (audited)",
        )
        .query::<AuditQuery>()
        .answers(Answer::JsonOrCsv(named::<AuditPage>())),
    ]
}

fn branding() -> Vec<Operation> {
    vec![
        Operation::new(
            "list_branding",
            Get,
            routes::ADMIN_BRANDING,
            Admin,
            "Every branding template",
        )
        .answers(Answer::List(named::<BrandingTemplate>())),
        Operation::new(
            "create_branding",
            Post,
            routes::ADMIN_BRANDING,
            Admin,
            "A new branding template",
        )
        .takes(Body::Json(named::<BrandingTemplateInput>()))
        .creates(Answer::Json(named::<BrandingTemplate>())),
        Operation::new(
            "branding_template",
            Get,
            routes::ADMIN_BRANDING_ONE,
            Admin,
            "One branding template",
        )
        .answers(Answer::Json(named::<BrandingTemplate>()))
        .fails(&[NotFound]),
        Operation::new(
            "replace_branding",
            Put,
            routes::ADMIN_BRANDING_ONE,
            Admin,
            "Replace a branding template's name and settings",
        )
        .takes(Body::Json(named::<BrandingTemplateInput>()))
        .answers(Answer::Json(named::<BrandingTemplate>()))
        .fails(&[NotFound]),
        Operation::new(
            "delete_branding",
            Delete,
            routes::ADMIN_BRANDING_ONE,
            Admin,
            "Delete a branding template (the default only when it is the last)",
        )
        .fails(&[NotFound]),
        Operation::new(
            "upload_logo",
            Put,
            routes::ADMIN_BRANDING_LOGO,
            Admin,
            "Set a template's logo: the image's bytes, at most 512 KiB",
        )
        .takes(Body::File(&LOGO_TYPES))
        .answers(Answer::Json(named::<BrandingTemplate>()))
        .fails(&[NotFound]),
        Operation::new(
            "delete_logo",
            Delete,
            routes::ADMIN_BRANDING_LOGO,
            Admin,
            "Remove a template's logo",
        )
        .answers(Answer::Json(named::<BrandingTemplate>()))
        .fails(&[NotFound]),
    ]
}

fn mail_flow() -> Vec<Operation> {
    vec![
        Operation::new(
            "mail_flow_rules",
            Get,
            routes::ADMIN_MAIL_FLOW_RULES,
            Admin,
            "The mail-flow rules, in order",
        )
        .answers(Answer::List(named::<MailFlowRule>())),
        Operation::new(
            "add_mail_flow_rule",
            Post,
            routes::ADMIN_MAIL_FLOW_RULES,
            Admin,
            "Add a mail-flow rule; answers the rules in order",
        )
        .takes(Body::Json(named::<NewMailFlowRule>()))
        .creates(Answer::List(named::<MailFlowRule>())),
        Operation::new(
            "edit_mail_flow_rule",
            Put,
            routes::ADMIN_MAIL_FLOW_RULE,
            Admin,
            "Change a mail-flow rule; answers the rules in order",
        )
        .takes(Body::Json(named::<NewMailFlowRule>()))
        .answers(Answer::List(named::<MailFlowRule>()))
        .fails(&[NotFound]),
        Operation::new(
            "delete_mail_flow_rule",
            Delete,
            routes::ADMIN_MAIL_FLOW_RULE,
            Admin,
            "Remove a mail-flow rule",
        )
        .fails(&[NotFound]),
        Operation::new(
            "move_mail_flow_rule",
            Post,
            routes::ADMIN_MAIL_FLOW_RULE_MOVE,
            Admin,
            "Move a mail-flow rule; answers the rules in order",
        )
        .takes(Body::Json(named::<MoveMailFlowRule>()))
        .answers(Answer::List(named::<MailFlowRule>()))
        .fails(&[NotFound]),
        Operation::new(
            "test_mail_flow",
            Post,
            routes::ADMIN_MAIL_FLOW_TEST,
            Admin,
            "What the rules decide for each recipient of a mail; nothing is sent",
        )
        .takes(Body::Json(named::<MailFlowTest>()))
        .answers(Answer::List(named::<MailFlowVerdict>())),
    ]
}
