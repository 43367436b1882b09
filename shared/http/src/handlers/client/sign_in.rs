//! What both ways a client signs in share (a link's password, a login page's access code): the
//! throttled check of a secret, and the answer that hands over the session.

use std::future::Future;

use lambda_http::{Body, Request, Response};
use proofsheet_app::App;
use proofsheet_policy::UnlockThrottle;
use proofsheet_store::UnlockReservation;
use serde_json::{Map, Value};

use crate::ApiError;
use crate::http_io::{json, source_ip};
use crate::pages;
use crate::views::timestamp;

/// The request's source, as the try counters know it (a keyed tag, never the address).
pub(crate) fn source(app: &App, req: &Request) -> Result<String, ApiError> {
    Ok(app
        .secrets()?
        .source_tag(&UnlockThrottle::source(source_ip(req))))
}

/// A secret checked under the try budgets. The try was counted (`reservation`) before the
/// secret is checked, so parallel guesses share the budgets; a throttled try is refused with
/// when to come back, and `missing` answers a target the counters don't know. Only a wrong
/// secret uses its try up: a right one gets it back (a failed refund costs one try, not the
/// session).
pub(super) async fn check_secret<T>(
    app: &App,
    reservation: UnlockReservation,
    missing: ApiError,
    check: impl Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    let reserved = match reservation {
        UnlockReservation::Reserved(reserved) => reserved,
        UnlockReservation::Throttled { retry_after_secs } => {
            return Err(ApiError::TooManyAttempts { retry_after_secs });
        }
        UnlockReservation::NotFound => return Err(missing),
    };
    let passed = check.await?;
    if let Err(error) = app.store().refund_unlock_attempt(reserved).await {
        tracing::warn!(%error, "could not give a right secret's try back");
    }
    Ok(passed)
}

/// A signed session for the client: to a page's form, a redirect to `page` with the session
/// in its cookie `cookie`; to an API call, the session, when it ends, and `more` fields. (A
/// form posted from no page of ours, `page` is `None`, is not found.)
pub(super) struct Session<'a> {
    pub signed: String,
    pub expires_at: u64,
    pub ttl_secs: u64,
    pub cookie: &'static str,
    pub page: Option<&'a str>,
}

impl Session<'_> {
    pub(super) fn answer(
        self,
        app: &App,
        req: &Request,
        more: Map<String, Value>,
    ) -> Result<Response<Body>, ApiError> {
        if pages::is_form_post(req) {
            let page = self.page.ok_or(ApiError::NotFound)?;
            return pages::signed_in(app, self.cookie, page, &self.signed, self.ttl_secs);
        }
        let mut body = Map::new();
        body.insert("session".into(), self.signed.into());
        body.insert("expires_at".into(), timestamp(self.expires_at).into());
        body.extend(more);
        json(200, &body)
    }
}
