//! Route paths, written once for both sides.
//!
//! The constants use axum's `{param}` syntax and are what the server mounts; the
//! functions fill the parameters in and are what clients call.

/// Every state-changing request must carry this header with the value [`CSRF_VALUE`].
/// A cross-site HTML form cannot set a custom header, so this blocks forged posts
/// even where `SameSite` cookies are not honoured.
pub const CSRF_HEADER: &str = "x-sealmail";
/// The value of [`CSRF_HEADER`].
pub const CSRF_VALUE: &str = "1";

/// Name of the recipient's session cookie (HttpOnly; one per link, scoped by path).
pub const RECIPIENT_SESSION_COOKIE: &str = "sealmail_link";

/// Name of the multipart part that carries a reply's JSON.
pub const REPLY_PART: &str = "reply";

/// The portal's page for a recipient link; the notification mail links here.
pub const PORTAL_LINK_PAGE: &str = "/m/{token}";

/// `GET` → [`crate::recipient::LinkInfo`].
pub const LINK: &str = "/api/v1/links/{token}";
/// `POST` → [`crate::recipient::PasscodeSent`].
pub const LINK_PASSCODE: &str = "/api/v1/links/{token}/passcode";
/// `POST` [`crate::recipient::PasscodeSubmit`] → [`crate::recipient::SessionOpened`]; `DELETE` ends it.
pub const LINK_SESSION: &str = "/api/v1/links/{token}/session";
/// `GET` → [`crate::recipient::MessageView`].
pub const LINK_MESSAGE: &str = "/api/v1/links/{token}/message";
/// `GET` → the attachment's bytes.
pub const LINK_ATTACHMENT: &str = "/api/v1/links/{token}/attachments/{id}";
/// `POST` [`crate::recipient::ReplyRequest`] → [`crate::recipient::ReplySent`].
pub const LINK_REPLY: &str = "/api/v1/links/{token}/reply";
/// `GET` → `"ok"` when the server runs (for load balancers and scripts).
pub const HEALTH: &str = "/api/v1/health";

/// The portal page for a link token.
pub fn portal_link_page(token: &str) -> String {
    fill(PORTAL_LINK_PAGE, &[("token", token)])
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
/// The path of [`LINK_ATTACHMENT`] for a token and attachment id.
pub fn link_attachment(token: &str, id: &str) -> String {
    fill(LINK_ATTACHMENT, &[("token", token), ("id", id)])
}
/// The path of [`LINK_REPLY`] for a token.
pub fn link_reply(token: &str) -> String {
    fill(LINK_REPLY, &[("token", token)])
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

fn encode_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_filled_and_parameters_cannot_escape_their_segment() {
        assert_eq!(link("abc_-DEF"), "/api/v1/links/abc_-DEF");
        assert_eq!(link_attachment("t", "a1"), "/api/v1/links/t/attachments/a1");
        assert_eq!(link("../admin"), "/api/v1/links/..%2Fadmin");
        assert_eq!(portal_link_page("x y"), "/m/x%20y");
    }
}
