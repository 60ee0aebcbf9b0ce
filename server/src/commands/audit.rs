//! `sealmail audit`: the access audit, as lines or CSV.

use sealmail_api::Timestamp;
use sealmail_api::admin::{AuditKind, AuditQuery};

use crate::audit::Actor;
use crate::audit::export::{described, filter, to_csv};
use crate::config::{AuditArgs, parse_duration};
use crate::error::Result;
use crate::state::AppState;
use crate::store;

/// Prints the matching events, oldest first; the read is audited.
pub async fn run(state: &AppState, args: &AuditArgs) -> Result<()> {
    let query = AuditQuery {
        since: args.since.as_deref().map(time_arg),
        until: args.until.as_deref().map(time_arg),
        kind: args.kind,
        outcome: None,
        message_id: args.message_id.clone(),
        recipient: args.recipient.clone(),
        cursor: None,
        limit: None,
        format: None,
    };
    let filter = filter(&query)?;
    // Read on the command line too, so as through the API: recorded first.
    let kind = if args.csv {
        AuditKind::AuditExported
    } else {
        AuditKind::AuditViewed
    };
    let actor = Actor::command_line("sealmail audit");
    state.audit.record(actor.did(kind, described(&query))).await;
    let mut events = store::audit::list(&state.db, &filter, None).await?;
    events.reverse();
    if args.csv {
        print!("{}", to_csv(&events));
        return Ok(());
    }
    for e in &events {
        let field = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
        println!(
            "{} {} {} message={} recipient={} actor={} client={} detail={}",
            e.at.0,
            e.kind.as_str(),
            e.outcome.as_str(),
            field(&e.message_id),
            field(&e.recipient),
            field(&e.actor),
            field(&e.client_address),
            field(&e.detail),
        );
    }
    Ok(())
}

/// A time as given: `24h`/`7d` (that long ago), or a date or RFC 3339 time.
fn time_arg(text: &str) -> Timestamp {
    match parse_duration(text) {
        Ok(ago) => store::timestamp(store::now() - ago.as_secs() as i64),
        Err(_) => Timestamp(text.to_owned()),
    }
}
