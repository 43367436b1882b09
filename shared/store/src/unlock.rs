//! Password tries on a link: reserved on the budgets the policy names before the slow hash check,
//! each with one conditional update, and given back when the password was right.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure};
use proofsheet_policy::{GrantId, Guesser, Slug, TryBudget, UnlockThrottle, UnlockVerdict};
use serde::Deserialize;

use crate::items::{Item, condition_failed, item_refusing_update, key, n, record};
use crate::records::keys;
use crate::{Retry, Store, StoreError};

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
    /// Reserves one password try on a link by `guesser` (opaque tags of its source, see
    /// [`UnlockThrottle::source`], and of its device), on every budget the policy names,
    /// atomically per budget, so concurrent guesses can't exceed any. A try refused by a later
    /// budget is given back to the earlier ones.
    pub async fn reserve_unlock_attempt(
        &self,
        id: GrantId,
        guesser: &Guesser<'_>,
        now: u64,
    ) -> Result<UnlockReservation, StoreError> {
        let budgets = UnlockThrottle::budgets(guesser);
        self.reserve_on(TryTarget::Link(id), budgets, guesser, now)
            .await
    }

    /// Counts one email capture (`identify`) of a source on a general link, on the source's
    /// budget and then the link's ceiling (given back to the source if the ceiling refuses).
    /// Captures are never given back otherwise.
    pub async fn reserve_identify_attempt(
        &self,
        id: GrantId,
        source: &str,
        now: u64,
    ) -> Result<UnlockReservation, StoreError> {
        let budgets = [TryBudget::Identify, TryBudget::IdentifyLink];
        let guesser = Guesser::new_device(source);
        self.reserve_on(TryTarget::Link(id), &budgets, &guesser, now)
            .await
    }

    /// Counts one capture email to an address (`email_tag`: an opaque tag of it) on a general
    /// link; `false` when the address has been sent its share this window.
    pub async fn count_identify_email(
        &self,
        id: GrantId,
        email_tag: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        Ok(self
            .count_try(
                TryTarget::Link(id),
                TryBudget::IdentifyEmail,
                &Guesser::new_device(email_tag),
                now,
            )
            .await?
            .is_ok())
    }

    /// Reserves one access-code try on a photographer's login page (by its slug, known or not:
    /// an unknown page is throttled like a real one, so the answers don't tell them apart), on
    /// the budgets the policy names for `guesser`. A right code gives it back.
    pub async fn reserve_login_attempt(
        &self,
        page: &Slug,
        guesser: &Guesser<'_>,
        now: u64,
    ) -> Result<UnlockReservation, StoreError> {
        let budgets = UnlockThrottle::login_budgets(guesser);
        self.reserve_on(TryTarget::LoginPage(page), budgets, guesser, now)
            .await
    }

    /// Counts one studio sign-in request on `budget` (the source's or the address's, by
    /// `guesser`'s tag).
    pub(crate) async fn reserve_studio_try(
        &self,
        budget: TryBudget,
        guesser: &Guesser<'_>,
        now: u64,
    ) -> Result<UnlockReservation, StoreError> {
        self.reserve_on(TryTarget::StudioSignIn, &[budget], guesser, now)
            .await
    }

    /// Counts one try of `guesser` on each of `budgets` in turn, atomically per budget; a try
    /// refused by a later budget is given back to the earlier ones.
    async fn reserve_on(
        &self,
        target: TryTarget<'_>,
        budgets: &[TryBudget],
        guesser: &Guesser<'_>,
        now: u64,
    ) -> Result<UnlockReservation, StoreError> {
        let mut reserved = ReservedTry {
            counted: Vec::new(),
        };
        for budget in budgets {
            match self.count_try(target, *budget, guesser, now).await? {
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
                .ddb()
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

    /// Counts one try on a budget if its window allows: add it to the current window, or start
    /// a new window with it, retrying a few rounds when racing tries move the counter.
    async fn count_try(
        &self,
        target: TryTarget<'_>,
        budget: TryBudget,
        guesser: &Guesser<'_>,
        now: u64,
    ) -> Result<Result<CountedTry, UnlockReservation>, StoreError> {
        let counter = TryCounter::new(target, budget, guesser);
        // A racing try moved the counter or reset the window: count again.
        let mut tries = Retry::LOST_RACE.tries();
        while tries.next().await {
            let window = match self.add_to_window(&counter, now).await? {
                WindowAdd::Counted { window_started_at } => {
                    return Ok(Ok(CountedTry {
                        key: counter.key,
                        window_started_at,
                    }));
                }
                WindowAdd::Refused(Some(window)) => window,
                // The link's counter lives on the grant: no item, no link.
                WindowAdd::Refused(None) if counter.on_grant => {
                    return Ok(Err(UnlockReservation::NotFound));
                }
                // A source's first try: its item doesn't exist yet.
                WindowAdd::Refused(None) => TryWindow::default(),
            };
            let verdict = budget.throttle().verdict(
                window.unlock_attempts,
                window.unlock_window_started_at,
                now,
            );
            match verdict {
                UnlockVerdict::Wait { retry_after_secs } => {
                    return Ok(Err(UnlockReservation::Throttled { retry_after_secs }));
                }
                // The counter moved under us; count again.
                UnlockVerdict::CountInWindow => continue,
                UnlockVerdict::StartWindow => {
                    if self
                        .start_window(&counter, window.unlock_window_started_at, now)
                        .await?
                    {
                        return Ok(Ok(CountedTry {
                            key: counter.key,
                            window_started_at: now,
                        }));
                    }
                }
            }
        }
        Ok(Err(UnlockReservation::Throttled {
            retry_after_secs: 1,
        }))
    }

    /// One conditional update: a try more in the current window, if it is not over or full.
    async fn add_to_window(&self, counter: &TryCounter, now: u64) -> Result<WindowAdd, StoreError> {
        let added = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(counter.key.clone()))
            .update_expression("SET unlock_attempts = unlock_attempts + :one")
            .condition_expression(format!(
                "{}unlock_window_started_at > :cutoff AND unlock_attempts < :max",
                counter.must_exist
            ))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":cutoff", n(UnlockThrottle::window_cutoff(now)))
            .expression_attribute_values(":max", n(counter.budget.throttle().max_attempts))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match added {
            Ok(out) => {
                let window: TryWindow = record(out.attributes.unwrap_or_default())?;
                Ok(WindowAdd::Counted {
                    window_started_at: window.unlock_window_started_at,
                })
            }
            Err(e) if condition_failed(&e) => Ok(WindowAdd::Refused(
                item_refusing_update(&e)
                    .map(|old| record::<TryWindow>(old.clone()))
                    .transpose()?,
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// One conditional update: a new window starting with this try, if no racing try started
    /// one since `old_start` was read. `false` when one did.
    async fn start_window(
        &self,
        counter: &TryCounter,
        old_start: u64,
        now: u64,
    ) -> Result<bool, StoreError> {
        let mut values = HashMap::from([
            (":one".to_owned(), n(1)),
            (":now".to_owned(), n(now)),
            (":old".to_owned(), n(old_start)),
        ]);
        // A source's counter expires (TTL) with its window; the grant never gets an expiry.
        let expiry = if counter.expires {
            values.insert(":window_end".into(), n(UnlockThrottle::window_end(now)));
            ", expires_at = :window_end"
        } else {
            ""
        };
        let started = self
            .ddb()
            .update_item()
            .table_name(&self.resources.table)
            .set_key(Some(counter.key.clone()))
            .update_expression(format!(
                "SET unlock_attempts = :one, unlock_window_started_at = :now{expiry}"
            ))
            .condition_expression(format!(
                "{}(unlock_window_started_at = :old OR attribute_not_exists(unlock_window_started_at))",
                counter.must_exist
            ))
            .set_expression_attribute_values(Some(values))
            .send()
            .await;
        match started {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

/// Where one budget's tries are counted. The link's counter lives on the grant item: it must not
/// outlive (or resurrect) a revoked grant, nor give it an expiry. A source's or a device's
/// counter is its own item, created by its first try and expiring (TTL) with its window. Both
/// ceilings of a login page count on one item: known devices meet a higher bound on the same
/// count.
struct TryCounter {
    key: Item,
    budget: TryBudget,
    /// The counter is the grant item itself: it is never created by a try.
    on_grant: bool,
    /// A condition prefix that keeps an update from creating the item.
    must_exist: &'static str,
    expires: bool,
}

/// What tries are counted on.
#[derive(Clone, Copy)]
enum TryTarget<'a> {
    /// A link: its password, or its email captures.
    Link(GrantId),
    /// A photographer's login page, by its slug.
    LoginPage(&'a Slug),
    /// The studio's sign-in form, which has one for everyone.
    StudioSignIn,
}

/// What a counter key can't be: tags are base64url, so the everyone-together counters of a
/// link or page have keys no guesser's can take.
const EVERYONE: &str = "*";

impl TryCounter {
    fn new(target: TryTarget<'_>, budget: TryBudget, guesser: &Guesser<'_>) -> Self {
        let tag = guesser.tag(budget).unwrap_or(EVERYONE);
        let own_item = |sk: String| Self {
            key: key(
                match target {
                    TryTarget::Link(id) => keys::grant(id),
                    TryTarget::LoginPage(page) => keys::login_page(page),
                    TryTarget::StudioSignIn => keys::STUDIO_SIGN_IN.to_owned(),
                },
                sk,
            ),
            budget,
            on_grant: false,
            must_exist: "",
            expires: true,
        };
        match (target, budget) {
            (TryTarget::Link(id), TryBudget::Link) => Self {
                key: key(keys::grant(id), keys::GRANT),
                budget,
                on_grant: true,
                must_exist: "attribute_exists(PK) AND ",
                expires: false,
            },
            (TryTarget::Link(_), TryBudget::Source) => own_item(keys::unlock_source(tag)),
            (TryTarget::Link(_), TryBudget::Device) => own_item(keys::unlock_device(tag)),
            (
                TryTarget::Link(_),
                TryBudget::Identify | TryBudget::IdentifyEmail | TryBudget::IdentifyLink,
            ) => own_item(keys::identify_source(tag)),
            (_, TryBudget::StudioSignIn) => own_item(keys::studio_sign_ins_from(tag)),
            (_, TryBudget::StudioSignInEmail) => own_item(keys::studio_sign_ins_to(tag)),
            (_, TryBudget::LoginDevice) => own_item(keys::login_device_tries(tag)),
            // The login page's other budgets (a page counts only login budgets, and a link none).
            (_, _) => own_item(keys::login_tries(tag)),
        }
    }
}

/// What adding a try to the current window did.
enum WindowAdd {
    Counted {
        window_started_at: u64,
    },
    /// The window is over or full (the counter as it was), or the item doesn't exist (`None`).
    Refused(Option<TryWindow>),
}
