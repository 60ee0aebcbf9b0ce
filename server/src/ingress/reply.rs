//! The listener's replies (RFC 5321 §4.2, with RFC 3463 enhanced status
//! codes), written by smtp-proto. Each is a constant or a small constructor,
//! so the session reads as the protocol it speaks.

use std::borrow::Cow;

use smtp_proto::Response;

/// One reply: code, enhanced status code, text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit reply code.
    pub code: u16,
    /// The RFC 3463 status code (`[5, 7, 1]` is `5.7.1`).
    pub esc: [u8; 3],
    /// The text after the codes.
    pub text: Cow<'static, str>,
}

const fn fixed(code: u16, esc: [u8; 3], text: &'static str) -> Reply {
    Reply {
        code,
        esc,
        text: Cow::Borrowed(text),
    }
}

impl Reply {
    /// A reply with text of its own.
    pub fn new(code: u16, esc: [u8; 3], text: impl Into<Cow<'static, str>>) -> Self {
        Reply {
            code,
            esc,
            text: text.into(),
        }
    }

    /// Appends the reply's line to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        let [a, b, c] = self.esc;
        // One line: a client-controlled text (an address) must not break it.
        let text = self.text.replace(['\r', '\n'], " ");
        Response::new(self.code, a, b, c, text)
            .write(out)
            .expect("writing to a Vec cannot fail");
    }

    /// Whether the reply is a success (2xx).
    pub fn is_ok(&self) -> bool {
        (200..300).contains(&self.code)
    }
}

pub const OK: Reply = fixed(250, [2, 0, 0], "OK");
pub const SENDER_OK: Reply = fixed(250, [2, 1, 0], "Sender OK");
pub const RECIPIENT_OK: Reply = fixed(250, [2, 1, 5], "Recipient OK");
pub const RESET: Reply = fixed(250, [2, 0, 0], "Reset");
pub const BYE: Reply = fixed(221, [2, 0, 0], "Bye");
pub const READY_FOR_TLS: Reply = fixed(220, [2, 0, 0], "Ready to start TLS");
pub const AUTH_OK: Reply = fixed(235, [2, 7, 0], "Authentication succeeded");
pub const HELP: Reply = fixed(
    214,
    [2, 0, 0],
    "Sealmail accepts mail here; see `sealmail --help`",
);
pub const CANNOT_VRFY: Reply = fixed(
    252,
    [2, 1, 5],
    "Cannot VRFY; send the mail and it will be handled",
);

pub const TOO_MANY_CONNECTIONS: Reply = fixed(
    421,
    [4, 7, 0],
    "Too many connections at once; try again later",
);
pub const COMMAND_TIMEOUT: Reply = fixed(421, [4, 4, 2], "Timeout waiting for a command");
pub const DATA_TIMEOUT: Reply = fixed(
    421,
    [4, 4, 2],
    "Timeout waiting for the message; nothing was kept",
);
pub const SHUTTING_DOWN: Reply = fixed(421, [4, 3, 2], "Service shutting down; try again later");
pub const MEMORY_FULL: Reply = fixed(
    452,
    [4, 3, 1],
    "Insufficient system storage: too much mail coming in at once; try again later",
);
pub const TOO_MANY_RECIPIENTS: Reply = fixed(452, [4, 5, 3], "Too many recipients");
pub const AUTH_TEMPORARY: Reply = fixed(
    454,
    [4, 7, 0],
    "Temporary authentication failure; try again later",
);
pub const TLS_UNAVAILABLE: Reply = fixed(454, [4, 7, 0], "TLS not available");
pub const LOCAL_ERROR: Reply = fixed(
    451,
    [4, 3, 0],
    "Local error; the message was not kept, try again later",
);

pub const LINE_TOO_LONG: Reply = fixed(500, [5, 5, 2], "Line too long");
pub const UNKNOWN_COMMAND: Reply = fixed(500, [5, 5, 1], "Command unrecognised");
pub const NOT_IMPLEMENTED: Reply = fixed(502, [5, 5, 1], "Command not implemented");
pub const SAY_HELLO_FIRST: Reply = fixed(503, [5, 5, 1], "Say EHLO first");
pub const NESTED_MAIL: Reply = fixed(503, [5, 5, 1], "Sender already given");
pub const NEED_MAIL: Reply = fixed(503, [5, 5, 1], "Need MAIL before RCPT");
pub const NEED_RCPT: Reply = fixed(503, [5, 5, 1], "Need RCPT before DATA");
pub const ALREADY_AUTHENTICATED: Reply = fixed(503, [5, 5, 1], "Already authenticated");
pub const ALREADY_TLS: Reply = fixed(503, [5, 5, 1], "TLS already active");
pub const AUTH_CANCELLED: Reply = fixed(501, [5, 0, 0], "Authentication cancelled");
pub const AUTH_MALFORMED: Reply = fixed(501, [5, 5, 2], "Malformed authentication data");
pub const MECHANISM_UNSUPPORTED: Reply = fixed(
    504,
    [5, 5, 4],
    "Unrecognised authentication mechanism; use PLAIN or LOGIN",
);
pub const AUTH_NEEDS_TLS: Reply = fixed(
    538,
    [5, 7, 11],
    "Encryption required for requested authentication mechanism; use STARTTLS first",
);
pub const AUTH_FAILED: Reply = fixed(535, [5, 7, 8], "Authentication credentials invalid");
pub const AUTH_REQUIRED: Reply = fixed(
    530,
    [5, 7, 0],
    "Authentication required: STARTTLS, then AUTH, to send through Sealmail",
);
pub const RELAY_DENIED: Reply = fixed(
    554,
    [5, 7, 1],
    "Relay access denied: this client may not send through Sealmail",
);
pub const NULL_SENDER_ONLY_BOUNCES: Reply = fixed(
    550,
    [5, 7, 1],
    "A mail from the null sender <> can only be a bounce to a bounce+ID@ address",
);
pub const NO_SUCH_BOUNCE: Reply = fixed(
    550,
    [5, 1, 1],
    "No such bounce address: Sealmail sent no mail with this id",
);
pub const TOO_BIG: Reply = fixed(
    552,
    [5, 3, 4],
    "Message size exceeds the fixed maximum message size",
);
pub const BAD_RECIPIENT: Reply = fixed(501, [5, 1, 3], "Bad recipient address syntax");
pub const BAD_SENDER: Reply = fixed(501, [5, 1, 7], "Bad sender address syntax");

/// 554 for a message the server will never take, with the reason.
pub fn rejected(reason: impl Into<Cow<'static, str>>) -> Reply {
    Reply::new(554, [5, 7, 1], reason)
}

/// 550 5.7.1 for a sender this client may not use.
pub fn sender_refused(reason: impl Into<Cow<'static, str>>) -> Reply {
    Reply::new(550, [5, 7, 1], reason)
}

/// 250 once the message is stored and its mail queued.
pub fn queued(message_id: &str) -> Reply {
    Reply::new(250, [2, 0, 0], format!("Queued as {message_id}"))
}

/// The greeting (RFC 5321 §4.3.1): no enhanced code on it (RFC 2034 §4).
pub fn greeting(hostname: &str) -> Vec<u8> {
    format!("220 {hostname} ESMTP Sealmail\r\n").into_bytes()
}

/// DATA's go-ahead (no enhanced code on 354, RFC 2034 §4).
pub const GO_AHEAD: &[u8] = b"354 Start mail input; end with <CRLF>.<CRLF>\r\n";

/// An AUTH challenge (RFC 4954 §4): `334 ` and the base64 text.
pub fn challenge(base64: &str) -> Vec<u8> {
    format!("334 {base64}\r\n").into_bytes()
}
