//! What the ID token's claims say about the person: whether their address
//! may sign in here, and whether they are an administrator.

use serde_json::Value;

use crate::config::OidcConfig;

/// The claim and value that make an administrator (`--oidc-admin-claim
/// groups --oidc-admin-value sealmail-admins`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminClaim {
    /// The claim's name.
    pub name: String,
    /// The value that makes an administrator.
    pub value: String,
}

impl AdminClaim {
    /// From the configuration, when both halves are set.
    pub fn from_config(config: &OidcConfig) -> Option<Self> {
        Some(AdminClaim {
            name: config.oidc_admin_claim.clone()?,
            value: config.oidc_admin_value.clone()?,
        })
    }

    /// Whether `claim` (the token's value of [`AdminClaim::name`], if it has
    /// one) makes an administrator: it equals the value, or is a list that
    /// holds it. A space-separated string (as `scope`-like claims come) counts
    /// as a list too.
    pub fn grants(&self, claim: Option<&Value>) -> bool {
        match claim {
            Some(Value::String(text)) => {
                text == &self.value || text.split(' ').any(|part| part == self.value)
            }
            Some(Value::Array(items)) => items
                .iter()
                .any(|item| item.as_str() == Some(self.value.as_str())),
            Some(Value::Bool(true)) => self.value == "true",
            _ => false,
        }
    }
}

/// Why an address may not sign in here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressRefusal {
    /// The token carries no `email`.
    Missing,
    /// The provider does not say it verified the address (`email_verified`).
    Unverified,
    /// Its domain is not one of `--oidc-allowed-domains`.
    DomainNotAllowed,
}

impl AddressRefusal {
    /// What the audit says.
    pub fn as_str(self) -> &'static str {
        match self {
            AddressRefusal::Missing => "the ID token has no email",
            AddressRefusal::Unverified => "the provider has not verified the email",
            AddressRefusal::DomainNotAllowed => "the email's domain is not allowed",
        }
    }
}

/// The address, lower case, if it may sign in: verified by the provider, and
/// in one of `allowed` (lower case) exactly — a subdomain is another
/// organisation's as far as we know.
pub fn allowed_address(
    email: Option<&str>,
    verified: Option<bool>,
    allowed: &[String],
) -> Result<String, AddressRefusal> {
    let email = email
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
        .ok_or(AddressRefusal::Missing)?;
    if verified != Some(true) {
        return Err(AddressRefusal::Unverified);
    }
    match email.rsplit_once('@') {
        Some((local, domain))
            if !local.is_empty() && !local.contains('@') && allowed.iter().any(|a| a == domain) =>
        {
            Ok(email)
        }
        _ => Err(AddressRefusal::DomainNotAllowed),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_admin_claim_grants_by_equal_value_or_membership() {
        let admin = AdminClaim {
            name: "groups".into(),
            value: "sealmail-admins".into(),
        };
        assert!(admin.grants(Some(&json!(["staff", "sealmail-admins"]))));
        assert!(admin.grants(Some(&json!("sealmail-admins"))));
        assert!(admin.grants(Some(&json!("staff sealmail-admins"))));
        assert!(!admin.grants(Some(&json!(["staff"]))));
        assert!(!admin.grants(Some(&json!("sealmail-admins-not"))));
        assert!(!admin.grants(Some(&json!({"sealmail-admins": true}))));
        assert!(!admin.grants(None));
    }

    #[test]
    fn only_verified_addresses_of_allowed_domains_sign_in() {
        let allowed = vec!["contoso.example".to_owned()];
        assert_eq!(
            allowed_address(Some("Ann@Contoso.example"), Some(true), &allowed),
            Ok("ann@contoso.example".to_owned())
        );
        assert_eq!(
            allowed_address(Some("ann@contoso.example"), None, &allowed),
            Err(AddressRefusal::Unverified)
        );
        assert_eq!(
            allowed_address(Some("ann@contoso.example"), Some(false), &allowed),
            Err(AddressRefusal::Unverified)
        );
        for elsewhere in [
            "ann@evil.example",
            "ann@sub.contoso.example",
            "ann@contoso.example.evil.example",
            "@contoso.example",
            "contoso.example",
            "ann@evil.example@contoso.example",
        ] {
            assert_eq!(
                allowed_address(Some(elsewhere), Some(true), &allowed),
                Err(AddressRefusal::DomainNotAllowed),
                "{elsewhere}"
            );
        }
        assert_eq!(
            allowed_address(None, Some(true), &allowed),
            Err(AddressRefusal::Missing)
        );
    }
}
