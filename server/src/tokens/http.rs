//! `GET`/`POST /api/v1/tokens` and `DELETE /api/v1/tokens/{id}`: the
//! signed-in user's own tokens, with a browser session only ([`SessionUser`]).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use sealmail_api::routes;
use sealmail_api::tokens::{ApiToken, CreatedApiToken, NewApiToken, TokenExpiry};

use super::Wanted;
use crate::auth::SessionUser;
use crate::error::Result;
use crate::http::{ApiJson, ApiPath, ClientAddress};
use crate::state::AppState;

/// The token routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(routes::TOKENS, get(list).post(create))
        .route(routes::TOKEN, delete(revoke))
}

/// The user's tokens, newest first.
async fn list(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
) -> Result<ApiJson<Vec<ApiToken>>> {
    let tokens = super::list(&state, Some(user.0.id)).await?;
    Ok(ApiJson(
        tokens.into_iter().map(|(token, _)| token).collect(),
    ))
}

/// A new token: 201 with its secret, this once.
async fn create(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    client: ClientAddress,
    ApiJson(request): ApiJson<NewApiToken>,
) -> Result<(StatusCode, ApiJson<CreatedApiToken>)> {
    let wanted = Wanted {
        name: request.name,
        scopes: request.scopes,
        lifetime_secs: match request.expires {
            TokenExpiry::Days(days) => Some(i64::from(days) * 86_400),
            TokenExpiry::Never => None,
        },
    };
    let created = super::create(&state, &user.0, wanted, &user.actor(&client)).await?;
    Ok((StatusCode::CREATED, ApiJson(created)))
}

/// Revokes one of the user's tokens.
async fn revoke(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    client: ClientAddress,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<ApiToken>> {
    let token = super::revoke(&state, id, Some(user.0.id), &user.actor(&client)).await?;
    Ok(ApiJson(token))
}
