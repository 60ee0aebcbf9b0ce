//! The sender's operations, as the server's `sender` and `branding` handlers
//! answer them.

use super::operation::{Answer, Body, Caller::*, Operation};
use super::parts::named;
use crate::ErrorCode::*;
use crate::admin::{BrandingTemplate, LOGO_TYPES};
use crate::routes::{self, Method::*};
use crate::sender::{
    ComposeRequest, Composed, ExpiryChange, Me, ResendRequest, RevokeRequest, SentMessage,
    SentPage, SentQuery, SignIn,
};

pub(super) fn operations() -> Vec<Operation> {
    vec![
        Operation::new(
            "sign_in",
            Post,
            routes::SESSION,
            Anyone,
            "Sign in: opens a session, a cookie",
        )
        .takes(Body::Json(named::<SignIn>()))
        .answers(Answer::Json(named::<Me>()))
        .fails(&[CredentialsWrong, RateLimited]),
        Operation::new(
            "sign_out",
            Delete,
            routes::SESSION,
            Anyone,
            "Sign out, with a session or without",
        ),
        Operation::new("me", Get, routes::ME, Sender, "Who is signed in")
            .answers(Answer::Json(named::<Me>())),
        Operation::new(
            "compose",
            Post,
            routes::MESSAGES,
            Sender,
            "Send a new protected message, with its attachments",
        )
        .takes(Body::Multipart {
            part: routes::COMPOSE_PART,
            json: named::<ComposeRequest>(),
        })
        .creates(Answer::Json(named::<Composed>())),
        Operation::new(
            "sent_message",
            Get,
            routes::MESSAGE,
            Sender,
            "One sent message, and where its recipients stand",
        )
        .answers(Answer::Json(named::<SentMessage>()))
        .fails(&[NotFound]),
        Operation::new(
            "change_expiry",
            Patch,
            routes::MESSAGE,
            Sender,
            "A new expiry, or none, for an active message",
        )
        .takes(Body::Json(named::<ExpiryChange>()))
        .answers(Answer::Json(named::<SentMessage>()))
        .fails(&[NotFound, MessageRevoked, MessageExpired]),
        Operation::new(
            "revoke",
            Post,
            routes::MESSAGE_REVOKE,
            Sender,
            "Remove external access: the whole message, or one recipient's",
        )
        .takes(Body::OptionalJson(named::<RevokeRequest>()))
        .answers(Answer::Json(named::<SentMessage>()))
        .fails(&[NotFound, AlreadyRevoked, MessageExpired]),
        Operation::new(
            "resend",
            Post,
            routes::MESSAGE_RESEND,
            Sender,
            "Mail a recipient a new link; the old one stops working",
        )
        .takes(Body::Json(named::<ResendRequest>()))
        .answers(Answer::Json(named::<SentMessage>()))
        .fails(&[NotFound, AlreadyRevoked, MessageRevoked, MessageExpired]),
        Operation::new(
            "sent_list",
            Get,
            routes::SENT,
            Sender,
            "The Sent list, newest first, a page at a time",
        )
        .query::<SentQuery>()
        .answers(Answer::Json(named::<SentPage>())),
        Operation::new(
            "branding_templates",
            Get,
            routes::BRANDING_TEMPLATES,
            Sender,
            "The branding templates a sender may choose from",
        )
        .answers(Answer::List(named::<BrandingTemplate>())),
        Operation::new(
            "branding_logo",
            Get,
            routes::BRANDING_LOGO,
            Anyone,
            "A branding template's logo (public: recipients see it)",
        )
        .answers(Answer::Image(&LOGO_TYPES))
        .fails(&[NotFound]),
    ]
}
