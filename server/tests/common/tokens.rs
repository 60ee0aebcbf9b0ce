//! API tokens: a signed-in user's token page calls, and making one on the
//! command line. A script holding a token is [`TestApp::script`].

use std::path::Path;

use axum::http::{Method, StatusCode};
use sealmail_api::routes;
use sealmail_api::tokens::{ApiToken, CreatedApiToken, NewApiToken, TokenExpiry, TokenScope};

use super::cli::{ok, run_sealmail};
use super::client::Call;
use super::sender::Sender;

/// A new token named `name` with `scopes`, lasting the default 90 days.
pub fn new_token(name: &str, scopes: &[TokenScope]) -> NewApiToken {
    NewApiToken {
        name: name.to_owned(),
        scopes: scopes.to_vec(),
        expires: TokenExpiry::default(),
    }
}

impl<'a> Sender<'a> {
    /// Their tokens, newest first.
    pub fn tokens(&self) -> Call<'a, Vec<ApiToken>> {
        self.call(Method::GET, routes::TOKENS)
    }

    /// Creates a token; its secret comes this once.
    pub fn create_token(&self, token: &NewApiToken) -> Call<'a, CreatedApiToken> {
        self.call(Method::POST, routes::TOKENS)
            .json(token)
            .expect(StatusCode::CREATED)
    }

    /// Revokes one of their tokens.
    pub fn revoke_token(&self, id: i64) -> Call<'a, ApiToken> {
        self.call(Method::DELETE, routes::token(id))
    }
}

/// `sealmail token create --user USER ARGS…` on DATA; the secret it printed
/// (its last line).
pub fn token_create(data: &Path, user: &str, args: &[&str]) -> String {
    let mut all = vec!["token", "create", "--user", user];
    all.extend_from_slice(args);
    let out = ok(run_sealmail(data, &all, ""));
    out.lines().last().unwrap().trim().to_owned()
}
