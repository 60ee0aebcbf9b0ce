//! A message's share of the SMTP listener's memory budget (held while it
//! is received, spooled and handled).

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::MEMORY_UNIT;

/// The share of the listener's memory budget a message holds while it is
/// received and handled.
pub(super) struct Held {
    budget: Arc<Semaphore>,
    permit: Option<OwnedSemaphorePermit>,
}

impl Held {
    pub(super) fn new(budget: &Arc<Semaphore>) -> Self {
        Held {
            budget: budget.clone(),
            permit: None,
        }
    }

    /// Grows to cover `bytes` from the shared budget; `false` if the
    /// budget has no room left.
    pub(super) fn cover(&mut self, bytes: usize) -> bool {
        let needed = bytes.div_ceil(MEMORY_UNIT);
        let have = self.permit.as_ref().map_or(0, |p| p.num_permits());
        if needed <= have {
            return true;
        }
        let more = u32::try_from(needed - have).unwrap_or(u32::MAX);
        match self.budget.clone().try_acquire_many_owned(more) {
            Ok(permit) => {
                match self.permit.as_mut() {
                    Some(held) => held.merge(permit),
                    None => self.permit = Some(permit),
                }
                true
            }
            Err(_) => false,
        }
    }

    /// Grows by `bytes` more (a spooled mail read back whole); `false` if
    /// the budget has no room left.
    pub(super) fn add(&mut self, bytes: usize) -> bool {
        let have = self.permit.as_ref().map_or(0, |p| p.num_permits());
        self.cover((have * MEMORY_UNIT).saturating_add(bytes))
    }
}
