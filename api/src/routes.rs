//! Route paths, written once for both sides.
//!
//! The constants use axum's `{param}` syntax and are what the server mounts; the
//! functions fill the parameters in and are what clients call.

use crate::query::encode_segment;
use crate::tokens::{TokenNeeds, TokenScope};

/// Every state-changing request must carry this header with the value [`CSRF_VALUE`].
/// A cross-site HTML form cannot set a custom header, so this blocks forged posts
/// even where `SameSite` cookies are not honoured.
pub const CSRF_HEADER: &str = "x-sealmail";
/// The value of [`CSRF_HEADER`].
pub const CSRF_VALUE: &str = "1";

/// Name of the recipient's session cookie (HttpOnly; one per link, scoped by path).
pub const RECIPIENT_SESSION_COOKIE: &str = "sealmail_link";
/// [`RECIPIENT_SESSION_COOKIE`]'s name when the portal is served over https:
/// the `__Secure-` prefix makes browsers refuse it from a non-https origin
/// (`__Host-` would forbid the per-link path).
pub const RECIPIENT_SESSION_COOKIE_HTTPS: &str = "__Secure-sealmail_link";

/// Name of the multipart part that carries a reply's JSON.
pub const REPLY_PART: &str = "reply";

/// The portal's page for a recipient link; the notification mail links here.
pub const PORTAL_LINK_PAGE: &str = "/m/{token}";

/// The portal's page for reading a link's message, where the link page goes
/// once the passcode has opened a session. It is served the reader bundle
/// ([`pages::READER_BUNDLE`]), so the link page's first load stays small.
pub const PORTAL_READ_PAGE: &str = "/m/{token}/read";

/// The portal's pages (not API routes) and the bundles that draw them. The
/// portal is built as three bundles so a recipient's first load carries only
/// what the link page needs: the server answers the staff pages below with the
/// staff bundle's `index.html`, a reading page ([`super::PORTAL_READ_PAGE`])
/// with the reader bundle's, and every other page path with the recipient
/// bundle's.
pub mod pages {
    /// Sign in.
    pub const SIGN_IN: &str = "/signin";
    /// The Sent list.
    pub const SENT: &str = "/sent";
    /// A new message.
    pub const COMPOSE: &str = "/compose";
    /// Look a message up by Message-ID.
    pub const ADMIN: &str = "/admin";
    /// Message trace.
    pub const ADMIN_TRACE: &str = "/admin/trace";
    /// The encryption report.
    pub const ADMIN_REPORT: &str = "/admin/report";
    /// The access audit.
    pub const ADMIN_AUDIT: &str = "/admin/audit";
    /// The branding templates.
    pub const ADMIN_BRANDING: &str = "/admin/branding";
    /// The mail-flow rules: list, add, edit, reorder, delete, try on a mail.
    pub const ADMIN_RULES: &str = "/admin/rules";
    /// The signed-in user's API tokens: list, create (the secret shown once), revoke.
    pub const TOKENS: &str = "/tokens";
    /// Where the staff bundle's files are served from.
    pub const STAFF_BUNDLE: &str = "/staff/";
    /// Where the reader bundle's files are served from.
    pub const READER_BUNDLE: &str = "/reader/";

    /// Whether `path` is a staff page: one of the above, with or without a
    /// trailing slash, or anything under `/admin/` (the staff bundle shows
    /// its landing page for an admin path it does not know).
    pub fn is_staff(path: &str) -> bool {
        let path = path.trim_end_matches('/');
        matches!(path, SIGN_IN | SENT | COMPOSE | ADMIN | TOKENS) || path.starts_with("/admin/")
    }

    /// Whether `path` is a reading page ([`super::PORTAL_READ_PAGE`]), with or
    /// without a trailing slash: `/m/{token}/read` with a non-empty token that
    /// holds no `/` (as [`super::portal_read_page`] encodes it).
    pub fn is_reader(path: &str) -> bool {
        path.trim_end_matches('/')
            .strip_prefix("/m/")
            .and_then(|rest| rest.strip_suffix("/read"))
            .is_some_and(|token| !token.is_empty() && !token.contains('/'))
    }
}

/// `GET` → [`crate::recipient::LinkInfo`].
pub const LINK: &str = "/api/v1/links/{token}";
/// `POST` (optionally [`crate::recipient::PasscodeRequest`]) → [`crate::recipient::PasscodeSent`].
pub const LINK_PASSCODE: &str = "/api/v1/links/{token}/passcode";
/// `POST` [`crate::recipient::PasscodeSubmit`] → [`crate::recipient::SessionOpened`]; `DELETE` ends it.
pub const LINK_SESSION: &str = "/api/v1/links/{token}/session";
/// `GET` → [`crate::recipient::MessageView`].
pub const LINK_MESSAGE: &str = "/api/v1/links/{token}/message";
/// `GET` → the sanitised HTML body as its own `text/html` document, for the
/// message view's sandboxed frame (same checks as [`LINK_MESSAGE`]; errors are JSON).
pub const LINK_BODY: &str = "/api/v1/links/{token}/body";
/// `GET` → the attachment's bytes.
pub const LINK_ATTACHMENT: &str = "/api/v1/links/{token}/attachments/{id}";
/// `POST` [`crate::recipient::ReplyRequest`] → [`crate::recipient::ReplySent`].
pub const LINK_REPLY: &str = "/api/v1/links/{token}/reply";
/// `GET` → `"ok"` when the server runs (for load balancers and scripts).
pub const HEALTH: &str = "/api/v1/health";
/// `GET` → this API's OpenAPI 3.1 description, generated from this crate
/// (its `openapi` feature): every route in [`ALL`], every [`crate::ErrorCode`].
pub const OPENAPI: &str = "/api/v1/openapi.json";

/// Name of the sender's session cookie (HttpOnly, SameSite=Strict, path `/`).
pub const SENDER_SESSION_COOKIE: &str = "sealmail_session";
/// [`SENDER_SESSION_COOKIE`]'s name when the portal is served over https: the
/// `__Host-` prefix binds it to this host (no `Domain`, path `/`, `Secure`),
/// so a sibling subdomain cannot set or shadow it.
pub const SENDER_SESSION_COOKIE_HTTPS: &str = "__Host-sealmail_session";

/// Name of the multipart part that carries a new message's JSON
/// ([`crate::sender::ComposeRequest`]); it comes before the file parts.
pub const COMPOSE_PART: &str = "message";

/// `POST` [`crate::sender::SignIn`] → [`crate::sender::Me`] (sets the session
/// cookie); `DELETE` signs out (204).
pub const SESSION: &str = "/api/v1/session";
/// `GET` → [`crate::sender::Me`].
pub const ME: &str = "/api/v1/me";
/// `POST` multipart ([`COMPOSE_PART`] + files) → [`crate::sender::Composed`].
pub const MESSAGES: &str = "/api/v1/messages";
/// `GET` → [`crate::sender::SentMessage`]; `PATCH` [`crate::sender::ExpiryChange`]
/// → [`crate::sender::SentMessage`]. `{id}` is [`crate::sender::Composed::id`].
pub const MESSAGE: &str = "/api/v1/messages/{id}";
/// `POST` [`crate::sender::RevokeRequest`] (or no body) → [`crate::sender::SentMessage`].
pub const MESSAGE_REVOKE: &str = "/api/v1/messages/{id}/revoke";
/// `POST` [`crate::sender::ResendRequest`] → [`crate::sender::SentMessage`]: a
/// recipient gets a new link (the old one stops working).
pub const MESSAGE_RESEND: &str = "/api/v1/messages/{id}/resend";
/// `GET` with [`crate::sender::SentQuery`] → [`crate::sender::SentPage`].
pub const SENT: &str = "/api/v1/sent";
/// `GET` → `Vec<`[`crate::admin::BrandingTemplate`]`>`: the templates a sender
/// may choose from (any signed-in sender).
pub const BRANDING_TEMPLATES: &str = "/api/v1/branding";
/// `GET` → the template's logo image (public: the portal shows it to recipients).
pub const BRANDING_LOGO: &str = "/api/v1/branding/{id}/logo";

/// `GET` → [`crate::admin::MessageStatus`] (admins only; like `sealmail status`).
/// `{message_id}` is the Message-ID, with or without `<>`.
pub const ADMIN_MESSAGE: &str = "/api/v1/admin/messages/{message_id}";
/// `POST` [`crate::sender::RevokeRequest`] (or no body) → [`crate::admin::MessageStatus`]
/// (admins only; like `sealmail revoke`).
pub const ADMIN_MESSAGE_REVOKE: &str = "/api/v1/admin/messages/{message_id}/revoke";
/// `POST` [`crate::sender::ResendRequest`] → [`crate::admin::MessageStatus`]
/// (admins only; like `sealmail resend`).
pub const ADMIN_MESSAGE_RESEND: &str = "/api/v1/admin/messages/{message_id}/resend";
/// `GET` with [`crate::admin::TraceQuery`] → [`crate::admin::TracePage`].
pub const ADMIN_TRACE: &str = "/api/v1/admin/trace";
/// `GET` with [`crate::admin::ReportQuery`] → [`crate::admin::Report`].
pub const ADMIN_REPORT: &str = "/api/v1/admin/report";
/// `GET` with [`crate::admin::AuditQuery`] → [`crate::admin::AuditPage`], or CSV
/// with `format=csv` (columns [`crate::admin::AUDIT_CSV_HEADER`]).
pub const ADMIN_AUDIT: &str = "/api/v1/admin/audit";
/// `GET` → `Vec<`[`crate::admin::BrandingTemplate`]`>`; `POST`
/// [`crate::admin::BrandingTemplateInput`] → [`crate::admin::BrandingTemplate`] (201).
pub const ADMIN_BRANDING: &str = "/api/v1/admin/branding";
/// `GET` → [`crate::admin::BrandingTemplate`]; `PUT`
/// [`crate::admin::BrandingTemplateInput`] → [`crate::admin::BrandingTemplate`];
/// `DELETE` (204; the default template can only be deleted when it is the last one).
pub const ADMIN_BRANDING_ONE: &str = "/api/v1/admin/branding/{id}";
/// `PUT` the image's bytes (`Content-Type` `image/png`, `image/jpeg`, `image/gif`
/// or `image/webp`; at most 512 KiB) → [`crate::admin::BrandingTemplate`];
/// `DELETE` removes the logo → [`crate::admin::BrandingTemplate`].
pub const ADMIN_BRANDING_LOGO: &str = "/api/v1/admin/branding/{id}/logo";
/// `GET` → the mail-flow rules in order ([`crate::admin::MailFlowRule`]s);
/// `POST` a [`crate::admin::NewMailFlowRule`] → 201 with the rules in order.
pub const ADMIN_MAIL_FLOW_RULES: &str = "/api/v1/admin/mail-flow-rules";
/// `PUT` a [`crate::admin::NewMailFlowRule`] → the rules in order (the rule
/// keeps its id and place); `DELETE` a rule → 204.
pub const ADMIN_MAIL_FLOW_RULE: &str = "/api/v1/admin/mail-flow-rules/{id}";
/// `POST` a [`crate::admin::MoveMailFlowRule`] → the rules in order.
pub const ADMIN_MAIL_FLOW_RULE_MOVE: &str = "/api/v1/admin/mail-flow-rules/{id}/move";
/// `POST` a [`crate::admin::MailFlowTest`] → a [`crate::admin::MailFlowVerdict`]
/// per recipient; nothing is sent.
pub const ADMIN_MAIL_FLOW_TEST: &str = "/api/v1/admin/mail-flow-test";

// ---- Single sign-on (issue 20) ---------------------------------------------

/// `GET` → [`crate::sso::SignInOptions`]: how staff may sign in here (anyone).
pub const SIGN_IN_OPTIONS: &str = "/api/v1/sign-in-options";
/// `GET` with [`crate::sso::SsoStart`] → 303 to the identity provider: a
/// browser navigation (a link on the sign-in page), which begins an OpenID
/// Connect sign-in (authorization code with PKCE). `not_found` when single
/// sign-on is not configured; a browser (`Accept: text/html`) that cannot
/// begin is sent to the sign-in page with the code, as from [`OIDC_CALLBACK`].
pub const OIDC_START: &str = "/api/v1/oidc/start";
/// `GET` with [`crate::sso::SsoCallback`]: where the identity provider sends
/// the browser back. Signed in: the session cookie is set and a browser
/// (`Accept: text/html`) is sent on (303) to the page the sign-in was for;
/// any other client gets [`crate::sender::Me`]. Refused: an `sso_*` error
/// code, as JSON — or, for a browser, a 303 to the sign-in page with the
/// code in [`crate::sso::SIGN_IN_ERROR_PARAM`].
pub const OIDC_CALLBACK: &str = "/api/v1/oidc/callback";
/// Name of the cookie that ties a sign-in to the browser that began it
/// (HttpOnly, SameSite=Lax so it comes back with the provider's redirect,
/// path [`OIDC_CALLBACK`], ten minutes): a callback from another browser —
/// an attacker's code planted in a victim's browser — is refused.
pub const OIDC_FLOW_COOKIE: &str = "sealmail_oidc";
/// [`OIDC_FLOW_COOKIE`]'s name when the portal is served over https.
pub const OIDC_FLOW_COOKIE_HTTPS: &str = "__Secure-sealmail_oidc";

/// [`OIDC_START`] with its query string.
pub fn oidc_start(query: &crate::sso::SsoStart) -> String {
    format!("{OIDC_START}{}", query.to_query_string())
}

// ---- API tokens (issue 20) ------------------------------------------------

/// `GET` → the signed-in user's `Vec<`[`crate::tokens::ApiToken`]`>`, newest
/// first; `POST` [`crate::tokens::NewApiToken`] → 201
/// [`crate::tokens::CreatedApiToken`]. With a browser session only: a token
/// cannot list or mint tokens (`token_scope`).
pub const TOKENS: &str = "/api/v1/tokens";
/// `DELETE` → the revoked [`crate::tokens::ApiToken`] (`already_revoked` if
/// it was; `not_found` for another user's). With a browser session only, as
/// [`TOKENS`].
pub const TOKEN: &str = "/api/v1/tokens/{id}";

/// The path of [`TOKEN`] for a token id.
pub fn token(id: i64) -> String {
    fill(TOKEN, &[("id", &id.to_string())])
}

/// A route that takes an API token, and what the token needs there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenRoute {
    /// The method.
    pub method: Method,
    /// The route as mounted (one of the constants above).
    pub route: &'static str,
    /// What the token needs.
    pub needs: TokenNeeds,
}

const fn needs(method: Method, route: &'static str, scope: TokenScope) -> TokenRoute {
    TokenRoute {
        method,
        route,
        needs: TokenNeeds::Scope(scope),
    }
}

/// Every route that takes `Authorization: Bearer <token>`, each with what
/// the token needs there: the sender and admin API. Any other route (signing
/// in, managing tokens, the recipient's routes) refuses a token with
/// `token_scope`, so a route added without a line here is closed to tokens
/// rather than open to every scope. The account counts too: an admin route
/// also needs the account to be an administrator at the time of the request.
pub const TOKEN_ROUTES: &[TokenRoute] = {
    use Method::{Delete, Get, Patch, Post, Put};
    use TokenScope::{Admin, Revoke, Send, Status};
    &[
        TokenRoute {
            method: Get,
            route: ME,
            needs: TokenNeeds::AnyScope,
        },
        needs(Post, MESSAGES, Send),
        needs(Get, BRANDING_TEMPLATES, Send),
        needs(Get, SENT, Status),
        needs(Get, MESSAGE, Status),
        needs(Patch, MESSAGE, Revoke),
        needs(Post, MESSAGE_REVOKE, Revoke),
        needs(Post, MESSAGE_RESEND, Revoke),
        needs(Get, ADMIN_MESSAGE, Admin),
        needs(Post, ADMIN_MESSAGE_REVOKE, Admin),
        needs(Post, ADMIN_MESSAGE_RESEND, Admin),
        needs(Get, ADMIN_TRACE, Admin),
        needs(Get, ADMIN_REPORT, Admin),
        needs(Get, ADMIN_AUDIT, Admin),
        needs(Get, ADMIN_BRANDING, Admin),
        needs(Post, ADMIN_BRANDING, Admin),
        needs(Get, ADMIN_BRANDING_ONE, Admin),
        needs(Put, ADMIN_BRANDING_ONE, Admin),
        needs(Delete, ADMIN_BRANDING_ONE, Admin),
        needs(Put, ADMIN_BRANDING_LOGO, Admin),
        needs(Delete, ADMIN_BRANDING_LOGO, Admin),
        needs(Get, ADMIN_MAIL_FLOW_RULES, Admin),
        needs(Post, ADMIN_MAIL_FLOW_RULES, Admin),
        needs(Put, ADMIN_MAIL_FLOW_RULE, Admin),
        needs(Delete, ADMIN_MAIL_FLOW_RULE, Admin),
        needs(Post, ADMIN_MAIL_FLOW_RULE_MOVE, Admin),
        needs(Post, ADMIN_MAIL_FLOW_TEST, Admin),
    ]
};

/// What a token needs for `method` (its name, upper case) on `route` (as
/// mounted), or `None` if the route takes no token. `HEAD` is asked as
/// `GET`, as the server answers it.
pub fn token_needs(method: &str, route: &str) -> Option<TokenNeeds> {
    let method = if method == "HEAD" { "GET" } else { method };
    TOKEN_ROUTES
        .iter()
        .find(|r| r.method.as_str() == method && r.route == route)
        .map(|r| r.needs)
}

// ---- end of API tokens ------------------------------------------------------

/// An HTTP method an API route takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET` (the server answers `HEAD` too).
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// Every method an API route may take.
    pub const ALL: [Method; 5] = [
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
    ];

    /// The method's name on the wire (`"GET"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// Whether the request changes something: then it must carry [`CSRF_HEADER`].
    pub const fn is_state_changing(self) -> bool {
        !matches!(self, Method::Get)
    }
}

/// Every API route, each method it takes on its own line, in the order of
/// the constants above. The server's tests check that it answers each and
/// refuses every other method on these paths (`method_not_allowed`); the
/// OpenAPI document describes exactly these; a test below fails when a path
/// constant is missing here.
pub const ALL: &[(Method, &str)] = &[
    (Method::Get, LINK),
    (Method::Post, LINK_PASSCODE),
    (Method::Post, LINK_SESSION),
    (Method::Delete, LINK_SESSION),
    (Method::Get, LINK_MESSAGE),
    (Method::Get, LINK_BODY),
    (Method::Get, LINK_ATTACHMENT),
    (Method::Post, LINK_REPLY),
    (Method::Get, HEALTH),
    (Method::Get, OPENAPI),
    (Method::Post, SESSION),
    (Method::Delete, SESSION),
    (Method::Get, ME),
    (Method::Post, MESSAGES),
    (Method::Get, MESSAGE),
    (Method::Patch, MESSAGE),
    (Method::Post, MESSAGE_REVOKE),
    (Method::Post, MESSAGE_RESEND),
    (Method::Get, SENT),
    (Method::Get, BRANDING_TEMPLATES),
    (Method::Get, BRANDING_LOGO),
    (Method::Get, ADMIN_MESSAGE),
    (Method::Post, ADMIN_MESSAGE_REVOKE),
    (Method::Post, ADMIN_MESSAGE_RESEND),
    (Method::Get, ADMIN_TRACE),
    (Method::Get, ADMIN_REPORT),
    (Method::Get, ADMIN_AUDIT),
    (Method::Get, ADMIN_BRANDING),
    (Method::Post, ADMIN_BRANDING),
    (Method::Get, ADMIN_BRANDING_ONE),
    (Method::Put, ADMIN_BRANDING_ONE),
    (Method::Delete, ADMIN_BRANDING_ONE),
    (Method::Put, ADMIN_BRANDING_LOGO),
    (Method::Delete, ADMIN_BRANDING_LOGO),
    (Method::Get, ADMIN_MAIL_FLOW_RULES),
    (Method::Post, ADMIN_MAIL_FLOW_RULES),
    (Method::Put, ADMIN_MAIL_FLOW_RULE),
    (Method::Delete, ADMIN_MAIL_FLOW_RULE),
    (Method::Post, ADMIN_MAIL_FLOW_RULE_MOVE),
    (Method::Post, ADMIN_MAIL_FLOW_TEST),
    // API tokens (issue 20).
    (Method::Get, TOKENS),
    (Method::Post, TOKENS),
    (Method::Delete, TOKEN),
    // Single sign-on (issue 20).
    (Method::Get, SIGN_IN_OPTIONS),
    (Method::Get, OIDC_START),
    (Method::Get, OIDC_CALLBACK),
];

/// The portal page for a link token.
pub fn portal_link_page(token: &str) -> String {
    fill(PORTAL_LINK_PAGE, &[("token", token)])
}
/// The portal's reading page ([`PORTAL_READ_PAGE`]) for a link token.
pub fn portal_read_page(token: &str) -> String {
    fill(PORTAL_READ_PAGE, &[("token", token)])
}
/// The path of [`LINK`] for a token.
pub fn link(token: &str) -> String {
    fill(LINK, &[("token", token)])
}
/// The path of [`LINK_PASSCODE`] for a token.
pub fn link_passcode(token: &str) -> String {
    fill(LINK_PASSCODE, &[("token", token)])
}
/// The path of [`LINK_SESSION`] for a token.
pub fn link_session(token: &str) -> String {
    fill(LINK_SESSION, &[("token", token)])
}
/// The path of [`LINK_MESSAGE`] for a token.
pub fn link_message(token: &str) -> String {
    fill(LINK_MESSAGE, &[("token", token)])
}
/// The path of [`LINK_BODY`] for a token.
pub fn link_body(token: &str) -> String {
    fill(LINK_BODY, &[("token", token)])
}
/// The path of [`LINK_ATTACHMENT`] for a token and attachment id.
pub fn link_attachment(token: &str, id: &str) -> String {
    fill(LINK_ATTACHMENT, &[("token", token), ("id", id)])
}
/// The path of [`LINK_REPLY`] for a token.
pub fn link_reply(token: &str) -> String {
    fill(LINK_REPLY, &[("token", token)])
}

/// The path of [`MESSAGE`] for a message id.
pub fn message(id: &str) -> String {
    fill(MESSAGE, &[("id", id)])
}
/// The path of [`MESSAGE_REVOKE`] for a message id.
pub fn message_revoke(id: &str) -> String {
    fill(MESSAGE_REVOKE, &[("id", id)])
}
/// The path of [`MESSAGE_RESEND`] for a message id.
pub fn message_resend(id: &str) -> String {
    fill(MESSAGE_RESEND, &[("id", id)])
}
/// [`SENT`] with its query string.
pub fn sent(query: &crate::sender::SentQuery) -> String {
    format!("{SENT}{}", query.to_query_string())
}
/// The path of [`BRANDING_LOGO`] for a template id.
pub fn branding_logo(id: &str) -> String {
    fill(BRANDING_LOGO, &[("id", id)])
}
/// The path of [`ADMIN_MESSAGE`] for a Message-ID.
pub fn admin_message(message_id: &str) -> String {
    fill(ADMIN_MESSAGE, &[("message_id", message_id)])
}
/// The path of [`ADMIN_MESSAGE_REVOKE`] for a Message-ID.
pub fn admin_message_revoke(message_id: &str) -> String {
    fill(ADMIN_MESSAGE_REVOKE, &[("message_id", message_id)])
}
/// The path of [`ADMIN_MESSAGE_RESEND`] for a Message-ID.
pub fn admin_message_resend(message_id: &str) -> String {
    fill(ADMIN_MESSAGE_RESEND, &[("message_id", message_id)])
}
/// [`ADMIN_TRACE`] with its query string.
pub fn admin_trace(query: &crate::admin::TraceQuery) -> String {
    format!("{ADMIN_TRACE}{}", query.to_query_string())
}
/// [`ADMIN_REPORT`] with its query string.
pub fn admin_report(query: &crate::admin::ReportQuery) -> String {
    format!("{ADMIN_REPORT}{}", query.to_query_string())
}
/// [`ADMIN_AUDIT`] with its query string.
pub fn admin_audit(query: &crate::admin::AuditQuery) -> String {
    format!("{ADMIN_AUDIT}{}", query.to_query_string())
}
/// The path of [`ADMIN_MAIL_FLOW_RULE`] for a rule id.
pub fn admin_mail_flow_rule(id: &str) -> String {
    fill(ADMIN_MAIL_FLOW_RULE, &[("id", id)])
}
/// The path of [`ADMIN_MAIL_FLOW_RULE_MOVE`] for a rule id.
pub fn admin_mail_flow_rule_move(id: &str) -> String {
    fill(ADMIN_MAIL_FLOW_RULE_MOVE, &[("id", id)])
}
/// The path of [`ADMIN_BRANDING_ONE`] for a template id.
pub fn admin_branding_one(id: &str) -> String {
    fill(ADMIN_BRANDING_ONE, &[("id", id)])
}
/// The path of [`ADMIN_BRANDING_LOGO`] for a template id.
pub fn admin_branding_logo(id: &str) -> String {
    fill(ADMIN_BRANDING_LOGO, &[("id", id)])
}

/// Replaces each `{name}` in `template` with its value, percent-encoding
/// anything that is not URL-safe so a value cannot change the path's shape.
fn fill(template: &str, params: &[(&str, &str)]) -> String {
    let mut path = template.to_owned();
    for (name, value) in params {
        path = path.replace(&format!("{{{name}}}"), &encode_segment(value));
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_filled_and_parameters_cannot_escape_their_segment() {
        assert_eq!(link("abc_-DEF"), "/api/v1/links/abc_-DEF");
        assert_eq!(link_body("t"), "/api/v1/links/t/body");
        assert_eq!(link_attachment("t", "a1"), "/api/v1/links/t/attachments/a1");
        assert_eq!(link("../admin"), "/api/v1/links/..%2Fadmin");
        assert_eq!(portal_link_page("x y"), "/m/x%20y");
        assert_eq!(portal_read_page("x y"), "/m/x%20y/read");
        assert_eq!(portal_read_page("../admin"), "/m/..%2Fadmin/read");
        assert_eq!(
            admin_message("<abc@sealmail.test>"),
            "/api/v1/admin/messages/%3Cabc%40sealmail.test%3E"
        );
        assert_eq!(message_revoke("m1"), "/api/v1/messages/m1/revoke");
        assert_eq!(admin_branding_logo("7"), "/api/v1/admin/branding/7/logo");
    }

    #[test]
    fn staff_pages_are_told_apart_from_the_recipient_pages() {
        for path in [
            "/signin",
            "/sent/",
            "/compose",
            "/admin",
            "/admin/",
            "/admin/trace",
            pages::ADMIN_RULES,
            pages::TOKENS,
            "/tokens/",
            "/admin/x",
        ] {
            assert!(pages::is_staff(path), "{path}");
        }
        for path in [
            "/",
            "/m/abc",
            "/m/signin",
            "/administrator",
            "/sentinel",
            "/tokensmith",
            "/staff/x.js",
            "",
        ] {
            assert!(!pages::is_staff(path), "{path}");
        }
    }

    #[test]
    fn reading_pages_are_told_apart_from_the_link_pages() {
        for token in ["abc_-DEF", "x y", "a/b", "read"] {
            let path = portal_read_page(token);
            assert!(pages::is_reader(&path), "{path}");
            assert!(pages::is_reader(&format!("{path}/")), "{path}/");
            assert!(!pages::is_staff(&path), "{path}");
        }
        for path in [
            "/m/abc",
            "/m/read",
            "/m/read/",
            "/m//read",
            "/m/a/b/read",
            "/m/abc/read/more",
            "/m/abc/reader",
            "/reader/x.js",
            "/signin",
            "/",
            "",
        ] {
            assert!(!pages::is_reader(path), "{path}");
        }
    }

    /// The values of this file's `pub const X: &str = "/api/…";` lines: what
    /// a new API route adds, read from the source so none can be forgotten.
    fn api_path_constants() -> Vec<&'static str> {
        include_str!("routes.rs")
            .lines()
            .filter_map(|line| line.trim().strip_prefix("pub const "))
            .filter_map(|rest| rest.split_once(": &str = \""))
            .filter_map(|(_, value)| value.strip_suffix("\";"))
            .filter(|path| path.starts_with("/api/"))
            .collect()
    }

    #[test]
    fn every_api_route_constant_is_in_all_with_a_method() {
        let constants = api_path_constants();
        assert!(constants.len() >= 30, "the scan found {constants:?}");
        assert!(constants.contains(&LINK) && constants.contains(&OPENAPI));
        for path in &constants {
            assert!(
                ALL.iter().any(|(_, p)| p == path),
                "{path} is an API route constant missing from routes::ALL"
            );
        }
        for (method, path) in ALL {
            assert!(constants.contains(path), "{path} in ALL is not a constant");
            let same = ALL.iter().filter(|(m, p)| m == method && p == path);
            assert_eq!(same.count(), 1, "{} {path} twice", method.as_str());
        }
    }

    #[test]
    fn query_strings_hold_only_what_is_set_and_are_encoded() {
        use crate::sender::SentQuery;
        assert_eq!(sent(&SentQuery::default()), "/api/v1/sent");
        let query = SentQuery {
            q: Some("a&b c".into()),
            cursor: None,
            limit: Some(20),
        };
        assert_eq!(sent(&query), "/api/v1/sent?q=a%26b%20c&limit=20");
        let audit = crate::admin::AuditQuery {
            kind: Some(crate::admin::AuditKind::MessageOpened),
            format: Some("csv".into()),
            ..Default::default()
        };
        assert_eq!(
            admin_audit(&audit),
            "/api/v1/admin/audit?kind=message_opened&format=csv"
        );
    }
}
