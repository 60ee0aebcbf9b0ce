//! The recipient's operations, as the server's `recipient` handlers answer them.

use super::operation::{Answer, Body, Caller::*, Operation};
use super::parts::named;
use crate::ErrorCode::{self, *};
use crate::recipient::{
    LinkInfo, MessageView, PasscodeRequest, PasscodeSent, PasscodeSubmit, ReplyRequest, ReplySent,
    SessionOpened,
};
use crate::routes::{self, Method::*};

/// What a link and its message must be for anything to be done with them.
const READABLE: [ErrorCode; 3] = [LinkUnknown, MessageRevoked, MessageExpired];

pub(super) fn operations() -> Vec<Operation> {
    vec![
        Operation::new(
            "link_info",
            Get,
            routes::LINK,
            Anyone,
            "What the link page shows before sign-in; not counted as an open",
        )
        .answers(Answer::Json(named::<LinkInfo>()))
        .fails(&READABLE)
        .fails(&[LinkBlocked]),
        Operation::new(
            "request_passcode",
            Post,
            routes::LINK_PASSCODE,
            Anyone,
            "Mail a passcode to the address bound to the link",
        )
        .takes(Body::OptionalJson(named::<PasscodeRequest>()))
        .answers(Answer::Json(named::<PasscodeSent>()))
        .fails(&READABLE)
        .fails(&[TooManyAttempts, RateLimited, LinkBlocked]),
        Operation::new(
            "open_session",
            Post,
            routes::LINK_SESSION,
            Anyone,
            "Enter the passcode: opens a session, a cookie for this link",
        )
        .takes(Body::Json(named::<PasscodeSubmit>()))
        .answers(Answer::Json(named::<SessionOpened>()))
        .fails(&READABLE)
        .fails(&[PasscodeWrong, PasscodeExpired, TooManyAttempts, LinkBlocked]),
        Operation::new(
            "close_session",
            Delete,
            routes::LINK_SESSION,
            Anyone,
            "Sign out of the link, with a session or without",
        )
        .fails(&[LinkUnknown]),
        Operation::new(
            "read_message",
            Get,
            routes::LINK_MESSAGE,
            Recipient,
            "The decrypted message",
        )
        .answers(Answer::Json(named::<MessageView>()))
        .fails(&READABLE),
        Operation::new(
            "message_body",
            Get,
            routes::LINK_BODY,
            Recipient,
            "The sanitised HTML body, a document of its own for a sandboxed frame",
        )
        .answers(Answer::Html)
        .fails(&READABLE)
        .fails(&[NotFound]),
        Operation::new(
            "download_attachment",
            Get,
            routes::LINK_ATTACHMENT,
            Recipient,
            "An attachment's bytes",
        )
        .answers(Answer::Download)
        .fails(&READABLE)
        .fails(&[NotFound]),
        Operation::new(
            "reply",
            Post,
            routes::LINK_REPLY,
            Recipient,
            "An encrypted reply to the sender, with files or without",
        )
        .takes(Body::JsonOrMultipart {
            part: routes::REPLY_PART,
            json: named::<ReplyRequest>(),
        })
        .answers(Answer::Json(named::<ReplySent>()))
        .fails(&READABLE)
        .fails(&[RateLimited]),
    ]
}
