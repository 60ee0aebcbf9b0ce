//! Who the provider says signed in: the verified ID token's claims, and —
//! for what the token lacks (the address, the admin claim) — the provider's
//! UserInfo endpoint, asked with the access token for the same subject
//! (OpenID Connect Core §5.3; some providers put groups only there).

use openidconnect::core::CoreGenderClaim;
use openidconnect::{AccessToken, IdTokenClaims, UserInfoClaims};
use serde_json::Value;

use super::provider::{Client, OtherClaims, chain};
use super::sso::Sso;

/// What the sign-in needs to know about the person.
#[derive(Debug, Default)]
pub struct Person {
    /// Their address, as the provider gives it.
    pub email: Option<String>,
    /// Whether the provider verified that address (from the same source as it).
    pub email_verified: Option<bool>,
    /// Their name.
    pub name: Option<String>,
    /// The value of `--oidc-admin-claim`, if configured and given.
    pub admin_claim: Option<Value>,
}

impl Person {
    /// From the ID token's claims.
    fn of_token(claims: &IdTokenClaims<OtherClaims, CoreGenderClaim>, sso: &Sso) -> Self {
        Person {
            email: claims.email().map(|e| e.as_str().to_owned()),
            email_verified: claims.email_verified(),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned()),
            admin_claim: sso
                .admin
                .as_ref()
                .and_then(|admin| claims.additional_claims().get(&admin.name).cloned()),
        }
    }

    /// Fills what is missing from the UserInfo answer: an address with its
    /// own `email_verified`, never one half from each.
    fn fill_from(&mut self, info: &UserInfoClaims<OtherClaims, CoreGenderClaim>, sso: &Sso) {
        if self.email.is_none() {
            self.email = info.email().map(|e| e.as_str().to_owned());
            self.email_verified = info.email_verified();
        }
        if self.name.is_none() {
            self.name = info
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned());
        }
        if self.admin_claim.is_none() {
            self.admin_claim = sso
                .admin
                .as_ref()
                .and_then(|admin| info.additional_claims().get(&admin.name).cloned());
        }
    }

    /// Whether the ID token left out something the sign-in uses.
    fn incomplete(&self, sso: &Sso) -> bool {
        self.email.is_none() || (sso.admin.is_some() && self.admin_claim.is_none())
    }
}

/// The person of a verified ID token: its claims, completed from the
/// UserInfo endpoint when they lack something and the provider has one.
/// `Err`: the endpoint failed (why, for the audit).
pub async fn person(
    sso: &Sso,
    client: &Client,
    claims: &IdTokenClaims<OtherClaims, CoreGenderClaim>,
    access_token: &AccessToken,
) -> Result<Person, String> {
    let mut person = Person::of_token(claims, sso);
    if !person.incomplete(sso) {
        return Ok(person);
    }
    // No UserInfo endpoint: the token is all there is.
    let Ok(request) = client.user_info(access_token.clone(), Some(claims.subject().clone())) else {
        return Ok(person);
    };
    let info: UserInfoClaims<OtherClaims, CoreGenderClaim> = request
        .request_async(&sso.provider.http)
        .await
        .map_err(|e| format!("the UserInfo endpoint: {}", chain(&e)))?;
    person.fill_from(&info, sso);
    Ok(person)
}
