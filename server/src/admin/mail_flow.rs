//! The mail-flow rules in the admin API: list, add, move, delete, and try
//! them on a pasted mail. The same store and checks as `sealmail rule`.

use axum::extract::State;
use axum::http::StatusCode;
use sealmail_api::admin::{
    MailFlowRule, MailFlowTest, MailFlowVerdict, MoveMailFlowRule, NewMailFlowRule,
};

use crate::auth::AdminUser;
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::{ingress, mailflow, store};

/// `GET /api/v1/admin/mail-flow-rules`: the rules in order.
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> Result<ApiJson<Vec<MailFlowRule>>> {
    Ok(ApiJson(store::rules::list(&state.db).await?))
}

/// `POST /api/v1/admin/mail-flow-rules`: 201 with the rules in order.
pub async fn add(
    State(state): State<AppState>,
    admin: AdminUser,
    ApiJson(rule): ApiJson<NewMailFlowRule>,
) -> Result<(StatusCode, ApiJson<Vec<MailFlowRule>>)> {
    mailflow::check(&rule)?;
    let id = store::rules::add(&state.db, &rule, store::now()).await?;
    tracing::info!(rule = id, admin = admin.0.0.id, "mail-flow rule added");
    Ok((
        StatusCode::CREATED,
        ApiJson(store::rules::list(&state.db).await?),
    ))
}

/// `POST /api/v1/admin/mail-flow-rules/{id}/move`: the rules in order.
pub async fn move_to(
    State(state): State<AppState>,
    admin: AdminUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(to): ApiJson<MoveMailFlowRule>,
) -> Result<ApiJson<Vec<MailFlowRule>>> {
    let id = rule_id(&id)?;
    if !store::rules::move_to(&state.db, id, to.position).await? {
        return Err(not_found());
    }
    tracing::info!(
        rule = id,
        to = to.position,
        admin = admin.0.0.id,
        "mail-flow rule moved"
    );
    Ok(ApiJson(store::rules::list(&state.db).await?))
}

/// `DELETE /api/v1/admin/mail-flow-rules/{id}`: 204.
pub async fn delete(
    State(state): State<AppState>,
    admin: AdminUser,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode> {
    let id = rule_id(&id)?;
    if !store::rules::remove(&state.db, id).await? {
        return Err(not_found());
    }
    tracing::info!(rule = id, admin = admin.0.0.id, "mail-flow rule removed");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/admin/mail-flow-test`: each recipient's verdict; nothing is sent.
pub async fn test(
    State(state): State<AppState>,
    _admin: AdminUser,
    ApiJson(mail): ApiJson<MailFlowTest>,
) -> Result<ApiJson<Vec<MailFlowVerdict>>> {
    let verdicts = ingress::try_rules(
        &state,
        mail.eml.as_bytes(),
        &mail.recipients,
        mail.sender.as_deref(),
    )
    .await?;
    Ok(ApiJson(verdicts))
}

fn rule_id(text: &str) -> Result<i64> {
    text.parse().map_err(|_| not_found())
}

fn not_found() -> Error {
    Error::NotFound("no such mail-flow rule".to_owned())
}
