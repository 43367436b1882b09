//! Retrying writes that lost a race: DynamoDB transactions cancelled by another transaction,
//! and optimistic updates whose item changed between read and write.
//!
//! Real DynamoDB cancels a transaction with `TransactionConflict` when another one holds an item
//! it touches; the emulator never does, so this path is covered by the unit tests below.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use crate::{Conflict, StoreError};

/// How often a write that keeps losing races is tried before it gives up.
pub(crate) const MAX_ATTEMPTS: u32 = 8;

/// Whether an attempt should be tried again.
pub(crate) trait Retryable {
    fn is_transaction_conflict(&self) -> bool;
}

/// Waits before attempt `attempt + 1` of a write that lost a race: a transaction cancelled by
/// another, or an optimistic update whose item changed between read and write.
pub(crate) async fn wait_after_lost_race(attempt: u32) {
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
/// since it was read), wait, `reread` and apply `change` again, at most `MAX_ATTEMPTS` times.
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
    let mut attempt = 0;
    loop {
        match write(read.clone(), change(&read)?).await {
            Err(StoreError::Conflict(Conflict::ConcurrentUpdate)) if attempt + 1 < MAX_ATTEMPTS => {
                wait_after_lost_race(attempt).await;
                attempt += 1;
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

/// Runs `op` until it succeeds, fails for another reason, or `MAX_ATTEMPTS` conflicts happened.
pub(crate) async fn on_transaction_conflict<T, E, F, Fut>(mut op: F) -> Result<T, E>
where
    E: Retryable,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut attempt = 0;
    loop {
        match op().await {
            Err(err) if err.is_transaction_conflict() && attempt + 1 < MAX_ATTEMPTS => {
                wait_after_lost_race(attempt).await;
                attempt += 1;
            }
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
        assert_eq!(calls.get(), MAX_ATTEMPTS);
    }

    #[test]
    fn backoff_stays_under_its_cap() {
        let mut rng = rand::thread_rng();
        for attempt in 0..20 {
            assert!(backoff(attempt, &mut rng) <= Duration::from_millis(500));
        }
    }
}
