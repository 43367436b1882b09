//! Trying again what lost to another request: DynamoDB transactions cancelled by another
//! transaction, optimistic updates whose item changed between read and write, and the loops of
//! the store, the handlers and the workers that decide again after such a loss. One mechanism,
//! [`Retry`]; each use names its policy.
//!
//! Real DynamoDB cancels a transaction with `TransactionConflict` when another one holds an item
//! it touches; the emulator never does, so this path is covered by the unit tests below.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use crate::{Conflict, StoreError};

/// How a piece of work that can lose to another request is tried again: how many tries, and
/// whether to wait between them. Each use names its policy, so a reader sees why that many
/// tries are enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    tries: u32,
    wait: Wait,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wait {
    /// Nothing was contended: try again at once.
    None,
    /// Full-jitter exponential backoff ([`backoff`]): racing requests spread out.
    Backoff,
}

impl Retry {
    /// A write that lost a race to another request's write on the same items: wait a little,
    /// read again, apply again. Eight tries see off any burst one client makes.
    pub const LOST_RACE: Self = Self {
        tries: 8,
        wait: Wait::Backoff,
    };

    /// A download request charged against its link: each round some racing request wins, so
    /// this covers that many clients of one link requesting at the same moment.
    pub const DOWNLOAD_CHARGE: Self = Self {
        tries: 30,
        wait: Wait::Backoff,
    };

    /// A download's outcome and refund, decided again when the client's other requests changed
    /// meanwhile (only a few are ever in flight at once).
    pub const DOWNLOAD_OUTCOME: Self = Self {
        tries: 10,
        wait: Wait::Backoff,
    };

    /// A freshly drawn random value that was taken already (a 1-in-2^59 event for an access
    /// code): draw again at once.
    pub const NEW_DRAW: Self = Self {
        tries: 3,
        wait: Wait::None,
    };

    /// This policy's tries, for a loop: `while tries.next().await { .. }`.
    pub fn tries(self) -> Tries {
        Tries {
            policy: self,
            started: 0,
        }
    }
}

/// The tries of a [`Retry`] policy, as they are used.
#[derive(Debug)]
pub struct Tries {
    policy: Retry,
    started: u32,
}

impl Tries {
    /// Whether another try may start; before every try but the first, waits as the policy says.
    pub async fn next(&mut self) -> bool {
        if self.started == self.policy.tries {
            return false;
        }
        if self.started > 0 && self.policy.wait == Wait::Backoff {
            wait_after_lost_race(self.started - 1).await;
        }
        self.started += 1;
        true
    }
}

/// Whether an attempt should be tried again.
pub(crate) trait Retryable {
    fn is_transaction_conflict(&self) -> bool;
}

/// Waits before attempt `attempt + 1` of a write that lost a race.
async fn wait_after_lost_race(attempt: u32) {
    // Drawn before the await: the thread-local generator must not live across it.
    let wait = backoff(attempt, &mut rand::thread_rng());
    tracing::debug!(
        attempt,
        wait_ms = wait.as_millis() as u64,
        "lost a race, retrying"
    );
    tokio::time::sleep(wait).await;
}

/// The optimistic update every revisioned record uses: `write` what `change` makes of the record
/// as `read`; when the write lost a race (`Conflict::ConcurrentUpdate`: the record changed
/// since it was read), `reread` and apply `change` again, as [`Retry::LOST_RACE`] allows.
/// `change` must be a delta, so applying it to the fresh record is exactly what was asked.
/// Returns the record it was applied to and what was stored.
pub(crate) async fn reapply_after_lost_races<R, C, T, E, W, Fw, Rr, Fr>(
    mut read: R,
    change: impl Fn(&R) -> Result<C, E>,
    write: W,
    reread: Rr,
) -> Result<(R, T), E>
where
    R: Clone,
    E: From<StoreError>,
    // Owned arguments, not `AsyncFn(&R, C)`: the futures must be provably `Send` for Lambda.
    W: Fn(R, C) -> Fw,
    Fw: Future<Output = Result<T, StoreError>>,
    Rr: Fn() -> Fr,
    Fr: Future<Output = Result<R, StoreError>>,
{
    let mut tries = Retry::LOST_RACE.tries();
    tries.next().await;
    loop {
        match write(read.clone(), change(&read)?).await {
            Err(StoreError::Conflict(Conflict::ConcurrentUpdate)) if tries.next().await => {
                read = reread().await?;
            }
            stored => return Ok((read, stored?)),
        }
    }
}

/// Full-jitter exponential backoff: 0..(20 ms × 2^attempt), capped at 500 ms.
pub(crate) fn backoff(attempt: u32, rng: &mut impl Rng) -> Duration {
    let ceiling_ms = (20u64 << attempt.min(5)).min(500);
    Duration::from_millis(rng.gen_range(0..=ceiling_ms))
}

/// Runs `op` until it succeeds, fails for another reason, or [`Retry::LOST_RACE`] gives up.
pub(crate) async fn on_transaction_conflict<T, E, F, Fut>(mut op: F) -> Result<T, E>
where
    E: Retryable,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut tries = Retry::LOST_RACE.tries();
    tries.next().await;
    loop {
        match op().await {
            Err(err) if err.is_transaction_conflict() && tries.next().await => {}
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[derive(Debug, PartialEq)]
    enum Outcome {
        Conflict,
        Other,
    }

    impl Retryable for Outcome {
        fn is_transaction_conflict(&self) -> bool {
            *self == Outcome::Conflict
        }
    }

    #[tokio::test(start_paused = true)]
    async fn conflicts_are_retried_until_success() {
        let calls = Cell::new(0);
        let result: Result<u32, Outcome> = on_transaction_conflict(|| {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move { if n < 3 { Err(Outcome::Conflict) } else { Ok(n) } }
        })
        .await;
        assert_eq!(result, Ok(3));
        assert_eq!(calls.get(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn other_errors_are_not_retried() {
        let calls = Cell::new(0);
        let result: Result<(), Outcome> = on_transaction_conflict(|| {
            calls.set(calls.get() + 1);
            async { Err(Outcome::Other) }
        })
        .await;
        assert_eq!(result, Err(Outcome::Other));
        assert_eq!(calls.get(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn retrying_gives_up_after_max_attempts() {
        let calls = Cell::new(0);
        let result: Result<(), Outcome> = on_transaction_conflict(|| {
            calls.set(calls.get() + 1);
            async { Err(Outcome::Conflict) }
        })
        .await;
        assert_eq!(result, Err(Outcome::Conflict));
        assert_eq!(calls.get(), Retry::LOST_RACE.tries);
    }

    #[tokio::test(start_paused = true)]
    async fn a_policy_gives_its_tries_waiting_only_between_them() {
        let started = tokio::time::Instant::now();
        let mut tries = Retry::NEW_DRAW.tries();
        let mut n = 0;
        while tries.next().await {
            n += 1;
        }
        assert_eq!(n, 3);
        assert_eq!(
            started.elapsed(),
            Duration::ZERO,
            "a new draw waits for nothing"
        );

        let mut tries = Retry::LOST_RACE.tries();
        assert!(tries.next().await);
        assert_eq!(
            started.elapsed(),
            Duration::ZERO,
            "the first try starts at once"
        );
        let mut n = 1;
        while tries.next().await {
            n += 1;
        }
        assert_eq!(n, 8);
        assert!(!tries.next().await, "spent tries stay spent");
    }

    #[test]
    fn backoff_stays_under_its_cap() {
        let mut rng = rand::thread_rng();
        for attempt in 0..20 {
            assert!(backoff(attempt, &mut rng) <= Duration::from_millis(500));
        }
    }
}
