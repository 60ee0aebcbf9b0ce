//! Branding templates and the template each message was sent with.

use sealmail_api::admin::{BrandingFields, BrandingTemplateInput};
use sqlx::AssertSqlSafe;

use super::{Db, Serial, on_db, on_tx};
use crate::error::{Error, Result};

/// A stored template (without its logo bytes).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TemplateRow {
    /// Row id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Whether it is the default.
    pub is_default: bool,
    /// The organisation's name, over the server's own.
    pub organisation: Option<String>,
    /// `#rrggbb`.
    pub background_color: String,
    /// Introduction text.
    pub introduction_text: Option<String>,
    /// Read-button text.
    pub read_button_text: Option<String>,
    /// Extra mail text.
    pub email_text: Option<String>,
    /// Disclaimer.
    pub disclaimer_text: Option<String>,
    /// Portal text.
    pub portal_text: Option<String>,
    /// Privacy statement URL.
    pub privacy_statement_url: Option<String>,
    /// OTP enabled.
    pub passcode_enabled: bool,
    /// Expiry in days.
    pub expiry_days: Option<i64>,
    /// The logo's MIME type, if a logo is uploaded.
    pub logo_type: Option<String>,
    /// The language of mail sent with it (`en`, `nl`, `da`, `ja`), if set.
    pub language: Option<String>,
}

impl TemplateRow {
    /// The editable fields, as on the wire.
    pub fn fields(&self) -> BrandingFields {
        BrandingFields {
            organisation: self.organisation.clone(),
            background_color: self.background_color.clone(),
            introduction_text: self.introduction_text.clone(),
            read_button_text: self.read_button_text.clone(),
            email_text: self.email_text.clone(),
            disclaimer_text: self.disclaimer_text.clone(),
            portal_text: self.portal_text.clone(),
            privacy_statement_url: self.privacy_statement_url.clone(),
            passcode_enabled: self.passcode_enabled,
            expiry_days: self.expiry_days.map(|d| d as u32),
            language: self
                .language
                .as_deref()
                .and_then(sealmail_api::Language::from_tag),
        }
    }
}

const COLUMNS: &str = "id, name, is_default, organisation, background_color, introduction_text, read_button_text, \
email_text, disclaimer_text, portal_text, privacy_statement_url, passcode_enabled, expiry_days, logo_type, language";

/// Every template, by name.
pub async fn list(db: &Db) -> Result<Vec<TemplateRow>> {
    Ok(on_db!(db, |c| sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM branding_templates ORDER BY name"
    )))
    .fetch_all(c)
    .await)?)
}

/// One template.
pub async fn get(db: &Db, id: i64) -> Result<Option<TemplateRow>> {
    Ok(on_db!(db, |c| sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM branding_templates WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// The default template, if any.
pub async fn default(db: &Db) -> Result<Option<TemplateRow>> {
    Ok(on_db!(db, |c| sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM branding_templates WHERE is_default"
    )))
    .fetch_optional(c)
    .await)?)
}

fn unique_name(e: sqlx::Error, name: &str) -> Error {
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            Error::InvalidRequest(format!("a branding template named {name:?} already exists"))
        }
        other => other.into(),
    }
}

/// Creates (`id` `None`) or replaces a template, in one transaction: making
/// it the default un-defaults the previous one; the first template is the
/// default whatever it asks. Returns its id, or `None` if `id` is unknown.
pub async fn save(
    db: &Db,
    id: Option<i64>,
    input: &BrandingTemplateInput,
    now: i64,
) -> Result<Option<i64>> {
    let f = &input.fields;
    let mut tx = db.write_serial(Serial::Branding).await?;
    let others: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM branding_templates WHERE id <> COALESCE($1, -1)"
    )
    .bind(id)
    .fetch_one(&mut *c)
    .await)?;
    let make_default = input.is_default || others == 0;
    if make_default {
        on_tx!(tx, |c| {
            sqlx::query("UPDATE branding_templates SET is_default = FALSE WHERE is_default AND id <> COALESCE($1, -1)")
            .bind(id)
            .execute(&mut *c)
            .await.map(|r| r.rows_affected())
        })?;
    }
    let sql = match id {
        None => {
            "INSERT INTO branding_templates (name, is_default, background_color, introduction_text,
                 read_button_text, email_text, disclaimer_text, portal_text, privacy_statement_url,
                 passcode_enabled, expiry_days, updated_at, organisation, language)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14, $15) RETURNING id"
        }
        // A template that is the default stays the default until another one is made it.
        Some(_) => {
            "UPDATE branding_templates SET name = $1, is_default = (is_default OR $2),
                 background_color = $3, introduction_text = $4, read_button_text = $5,
                 email_text = $6, disclaimer_text = $7, portal_text = $8,
                 privacy_statement_url = $9, passcode_enabled = $10, expiry_days = $11,
                 updated_at = $12, organisation = $14, language = $15
             WHERE id = $13 RETURNING id"
        }
    };
    let saved: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(&input.name)
        .bind(make_default)
        .bind(&f.background_color)
        .bind(&f.introduction_text)
        .bind(&f.read_button_text)
        .bind(&f.email_text)
        .bind(&f.disclaimer_text)
        .bind(&f.portal_text)
        .bind(&f.privacy_statement_url)
        .bind(f.passcode_enabled)
        .bind(f.expiry_days.map(i64::from))
        .bind(now)
        .bind(id)
        .bind(&f.organisation)
        .bind(f.language.map(|l| l.code()))
        .fetch_optional(&mut *c)
        .await)
    .map_err(|e| unique_name(e, &input.name))?;
    if saved.is_some() {
        tx.commit().await?;
    }
    Ok(saved)
}

/// Deletes a template. The default can go only when it is the last one
/// (otherwise `Err(())` — make another the default first). `Ok(false)` if unknown.
pub async fn delete(db: &Db, id: i64) -> Result<Result<bool, ()>> {
    let mut tx = db.write_serial(Serial::Branding).await?;
    let row: Option<(bool, i64)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT is_default, (SELECT COUNT(*) FROM branding_templates) FROM branding_templates WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await
    })?;
    match row {
        None => Ok(Ok(false)),
        Some((true, count)) if count > 1 => Ok(Err(())),
        Some(_) => {
            on_tx!(tx, |c| sqlx::query(
                "DELETE FROM branding_templates WHERE id = $1"
            )
            .bind(id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
            tx.commit().await?;
            Ok(Ok(true))
        }
    }
}

/// Stores (or with `None`, removes) a template's logo. Returns whether the template exists.
pub async fn set_logo(db: &Db, id: i64, logo: Option<(&str, &[u8])>) -> Result<bool> {
    Ok(on_db!(db, |c| sqlx::query_scalar::<_, i64>(
        "UPDATE branding_templates SET logo_type = $1, logo = $2 WHERE id = $3 RETURNING id",
    )
    .bind(logo.map(|(t, _)| t))
    .bind(logo.map(|(_, b)| b))
    .bind(id)
    .fetch_optional(c)
    .await)?
    .is_some())
}

/// A template's logo: its MIME type and bytes.
pub async fn logo(db: &Db, id: i64) -> Result<Option<(String, Vec<u8>)>> {
    Ok(on_db!(db, |c| {
        sqlx::query_as(
        "SELECT logo_type, logo FROM branding_templates WHERE id = $1 AND logo IS NOT NULL AND logo_type IS NOT NULL",
    )
    .bind(id)
    .fetch_optional(c)
    .await
    })?)
}

/// Records the template a message was sent with.
pub async fn set_for_message(db: &Db, message: &str, template: i64) -> Result<()> {
    on_db!(db, |c| sqlx::query(
        "INSERT INTO message_branding (message_id, template_id) VALUES ($1, $2)
         ON CONFLICT (message_id) DO UPDATE SET template_id = excluded.template_id",
    )
    .bind(message)
    .bind(template)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The template a message was sent with, if it still exists.
pub async fn for_message(db: &Db, message: &str) -> Result<Option<TemplateRow>> {
    Ok(on_db!(db, |c| sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM branding_templates
         WHERE id = (SELECT template_id FROM message_branding WHERE message_id = $1)"
    )))
    .bind(message)
    .fetch_optional(c)
    .await)?)
}
