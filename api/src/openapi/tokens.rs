//! A signed-in user's API tokens, as the server's `tokens` handlers answer
//! them: with a browser session only (a token is refused, `token_scope`).

use super::operation::{Answer, Body, Caller::*, Operation};
use super::parts::named;
use crate::ErrorCode::*;
use crate::routes::{self, Method::*};
use crate::tokens::{ApiToken, CreatedApiToken, NewApiToken};

pub(super) fn operations() -> Vec<Operation> {
    vec![
        Operation::new(
            "list_tokens",
            Get,
            routes::TOKENS,
            Sender,
            "The signed-in user's API tokens, newest first (never their secrets)",
        )
        .answers(Answer::List(named::<ApiToken>()))
        .fails(&[TokenInvalid, TokenScope]),
        Operation::new(
            "create_token",
            Post,
            routes::TOKENS,
            Sender,
            "A new API token; its secret is in this answer and never again",
        )
        .takes(Body::Json(named::<NewApiToken>()))
        .creates(Answer::Json(named::<CreatedApiToken>()))
        .fails(&[TokenInvalid, TokenScope]),
        Operation::new(
            "revoke_token",
            Delete,
            routes::TOKEN,
            Sender,
            "Revoke one of the signed-in user's API tokens",
        )
        .answers(Answer::Json(named::<ApiToken>()))
        .fails(&[TokenInvalid, TokenScope, NotFound, AlreadyRevoked]),
    ]
}
