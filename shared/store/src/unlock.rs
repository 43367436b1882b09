//! Password tries on a link: reserved on the budgets the policy names before the slow hash check,
//! each with one conditional update, and given back when the password was right.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure};
use proofsheet_policy::{GrantId, TryBudget, UnlockThrottle, UnlockVerdict};
use serde::Deserialize;

use crate::items::{Item, condition_failed, item_refusing_update, key, n, record};
use crate::records::keys;
use crate::{Store, StoreError};

/// The outcome of asking for one password try on a link.
#[derive(Debug)]
pub enum UnlockReservation {
    Reserved(ReservedTry),
    Throttled { retry_after_secs: u64 },
    NotFound,
}

/// A try counted on each of its budgets; [`Store::refund_unlock_attempt`] gives it back.
#[derive(Debug)]
pub struct ReservedTry {
    counted: Vec<CountedTry>,
}

/// Where a try was counted, and in which window, so a refund never touches a later window.
#[derive(Debug)]
struct CountedTry {
    key: Item,
    window_started_at: u64,
}

/// The window part of a counter item (the grant, or a source's own item).
#[derive(Default, Deserialize)]
struct TryWindow {
    #[serde(default)]
    unlock_attempts: u32,
    #[serde(default)]
    unlock_window_started_at: u64,
}

impl Store {
    /// Reserves one password try on a link, from one source (an opaque tag, see
    /// [`UnlockThrottle::source`]), on every budget the policy names, atomically per budget, so
    /// concurrent guesses can't exceed any. A try refused by a later budget is given back to the
    /// earlier ones.
    pub async fn reserve_unlock_attempt(
        &self,
        id: GrantId,
        source: &str,
        known_device: bool,
        now: u64,
    ) -> Result<UnlockReservation, StoreError> {
        let mut reserved = ReservedTry {
            counted: Vec::new(),
        };
        for budget in UnlockThrottle::budgets(known_device) {
            match self.count_try(id, *budget, source, now).await? {
                Ok(counted) => reserved.counted.push(counted),
                Err(refused) => {
                    self.refund_unlock_attempt(reserved).await?;
                    return Ok(refused);
                }
            }
        }
        Ok(UnlockReservation::Reserved(reserved))
    }

    /// Gives a try back to every budget it was counted on, within the window it was counted in.
    pub async fn refund_unlock_attempt(&self, reserved: ReservedTry) -> Result<(), StoreError> {
        for counted in reserved.counted {
            let refunded = self
                .ddb
                .update_item()
                .table_name(&self.resources.table)
                .set_key(Some(counted.key))
                .update_expression("SET unlock_attempts = unlock_attempts - :one")
                // A missing item has no window: a revoked grant is not brought back.
                .condition_expression(
                    "unlock_window_started_at = :started AND unlock_attempts > :zero",
                )
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":zero", n(0))
                .expression_attribute_values(":started", n(counted.window_started_at))
                .send()
                .await;
            match refunded {
                // The window has moved on: its count no longer matters.
                Err(e) if condition_failed(&e) => {}
                other => {
                    other?;
                }
            }
        }
        Ok(())
    }

    /// Counts one try on a budget if its window allows.
    async fn count_try(
        &self,
        id: GrantId,
        budget: TryBudget,
        source: &str,
        now: u64,
    ) -> Result<Result<CountedTry, UnlockReservation>, StoreError> {
        // The link's counter lives on the grant item: it must not outlive (or resurrect) a
        // revoked grant, nor give it an expiry. A source's counter is its own item, created by
        // its first try and expiring (TTL) with its window.
        let (item_key, exists, expiry) = match budget {
            TryBudget::Link => (
                key(keys::grant(id), keys::GRANT),
                "attribute_exists(PK) AND ",
                "",
            ),
            TryBudget::Source => (
                key(keys::grant(id), keys::unlock_source(source)),
                "",
                ", expires_at = :window_end",
            ),
        };
        let throttle = budget.throttle();
        // A few rounds cover a racing window reset; more would mean something is wrong.
        for _ in 0..3 {
            let counted = self
                .ddb
                .update_item()
                .table_name(&self.resources.table)
                .set_key(Some(item_key.clone()))
                .update_expression("SET unlock_attempts = unlock_attempts + :one")
                .condition_expression(format!(
                    "{exists}unlock_window_started_at > :cutoff AND unlock_attempts < :max"
                ))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":cutoff", n(UnlockThrottle::window_cutoff(now)))
                .expression_attribute_values(":max", n(throttle.max_attempts))
                .return_values(ReturnValue::AllNew)
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .send()
                .await;
            let window = match counted {
                Ok(out) => {
                    let window: TryWindow = record(out.attributes.unwrap_or_default())?;
                    return Ok(Ok(CountedTry {
                        key: item_key,
                        window_started_at: window.unlock_window_started_at,
                    }));
                }
                Err(e) if condition_failed(&e) => match item_refusing_update(&e) {
                    Some(old) => record::<TryWindow>(old.clone())?,
                    None if budget == TryBudget::Link => {
                        return Ok(Err(UnlockReservation::NotFound));
                    }
                    None => TryWindow::default(),
                },
                Err(e) => return Err(e.into()),
            };
            match throttle.verdict(window.unlock_attempts, window.unlock_window_started_at, now) {
                UnlockVerdict::Wait { retry_after_secs } => {
                    return Ok(Err(UnlockReservation::Throttled { retry_after_secs }));
                }
                // The counter moved under us; count again.
                UnlockVerdict::CountInWindow => continue,
                UnlockVerdict::StartWindow => {
                    // Only one of several racing tries may start the new window.
                    let mut values = HashMap::from([
                        (":one".to_owned(), n(1)),
                        (":now".to_owned(), n(now)),
                        (":old".to_owned(), n(window.unlock_window_started_at)),
                    ]);
                    if !expiry.is_empty() {
                        values.insert(":window_end".into(), n(UnlockThrottle::window_end(now)));
                    }
                    let started = self
                        .ddb
                        .update_item()
                        .table_name(&self.resources.table)
                        .set_key(Some(item_key.clone()))
                        .update_expression(format!(
                            "SET unlock_attempts = :one, unlock_window_started_at = :now{expiry}"
                        ))
                        .condition_expression(format!(
                            "{exists}(unlock_window_started_at = :old OR attribute_not_exists(unlock_window_started_at))"
                        ))
                        .set_expression_attribute_values(Some(values))
                        .send()
                        .await;
                    match started {
                        Ok(_) => {
                            return Ok(Ok(CountedTry {
                                key: item_key,
                                window_started_at: now,
                            }));
                        }
                        Err(e) if condition_failed(&e) => continue,
                        Err(e) => return Err(e.into()),
                    }
                }
            }
        }
        Ok(Err(UnlockReservation::Throttled {
            retry_after_secs: 1,
        }))
    }
}
