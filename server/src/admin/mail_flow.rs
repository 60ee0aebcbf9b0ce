//! The mail-flow rules in the admin API: list, add, edit, move, delete, and
//! try them on a pasted mail. The same checks and audit as `sealmail rule`.

use axum::extract::State;
use axum::http::StatusCode;
use sealmail_api::admin::{
    MailFlowRule, MailFlowTest, MailFlowVerdict, MoveMailFlowRule, NewMailFlowRule,
};

use crate::auth::AdminUser;
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiPath, ClientAddress};
use crate::mailflow::changes;
use crate::state::AppState;
use crate::{ingress, store};

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
    client: ClientAddress,
    ApiJson(rule): ApiJson<NewMailFlowRule>,
) -> Result<(StatusCode, ApiJson<Vec<MailFlowRule>>)> {
    changes::add(&state, &rule, &admin.0.actor(&client)).await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(store::rules::list(&state.db).await?),
    ))
}

/// `PUT /api/v1/admin/mail-flow-rules/{id}`: the rule edited in its place;
/// the rules in order.
pub async fn edit(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientAddress,
    ApiPath(id): ApiPath<String>,
    ApiJson(rule): ApiJson<NewMailFlowRule>,
) -> Result<ApiJson<Vec<MailFlowRule>>> {
    changes::edit(&state, rule_id(&id)?, &rule, &admin.0.actor(&client)).await?;
    Ok(ApiJson(store::rules::list(&state.db).await?))
}

/// `POST /api/v1/admin/mail-flow-rules/{id}/move`: the rules in order.
pub async fn move_to(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientAddress,
    ApiPath(id): ApiPath<String>,
    ApiJson(to): ApiJson<MoveMailFlowRule>,
) -> Result<ApiJson<Vec<MailFlowRule>>> {
    changes::move_to(&state, rule_id(&id)?, to.position, &admin.0.actor(&client)).await?;
    Ok(ApiJson(store::rules::list(&state.db).await?))
}

/// `DELETE /api/v1/admin/mail-flow-rules/{id}`: 204.
pub async fn delete(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientAddress,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode> {
    changes::remove(&state, rule_id(&id)?, &admin.0.actor(&client)).await?;
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

/// A rule id from the path; one that is not a number is no rule's.
fn rule_id(text: &str) -> Result<i64> {
    text.parse()
        .map_err(|_| Error::NotFound("no such mail-flow rule".to_owned()))
}
