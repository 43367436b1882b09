//! The expiry sweep: what falls due on the way to a gallery's (or a link's own) expiry date.
//! Runs on a schedule (and on a timer in `./scripts/dev`). Each run reads what is due from the
//! store's sparse due-time index, never a Scan:
//! - a reminder goes to every client whose link ends on that date and has an email, at most
//!   once per client, date and reminder (a claim decides; a failed send gives it back);
//! - the photographer is told once when a gallery expires.
//!
//! Whatever changed since the item was scheduled is read fresh: a moved date leaves the old
//! items stale (dropped; the new date has its own), a revoked link or login is skipped.

use lambda_runtime::LambdaEvent;
use proofsheet_app::email::{ExpiryReminder, MilestoneReached, human_date};
use proofsheet_app::{App, SecretKeyUse, startup};
use proofsheet_policy::expiry::{Due, LinkLife, reminder_is_timely};
use proofsheet_policy::{Milestone, NotificationId};
use proofsheet_store::{
    DueRecord, GalleryRecord, GrantKind, GrantRecord, NotificationRecord, StoreError,
};
use uuid::Uuid;

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SweepReport {
    /// Due items handled (and removed from the index).
    pub handled: usize,
    pub reminders_sent: usize,
    pub galleries_expired: usize,
    /// Items left for the next sweep (an email or a write failed).
    pub retry_later: usize,
}

/// Items read per query; a sweep goes on until the due ones run out.
const BATCH: i32 = 50;

/// Handles everything due now.
pub async fn sweep(app: &App) -> Result<SweepReport, StoreError> {
    let now = app.now();
    let mut report = SweepReport::default();
    loop {
        let due = app.store().due_by(now, BATCH).await?;
        let full = due.len() == BATCH as usize;
        let mut failed = 0;
        for item in &due {
            match handle(app, item, now, &mut report).await {
                Ok(()) => {
                    app.store().finish_due(item).await?;
                    report.handled += 1;
                }
                Err(error) => {
                    tracing::warn!(%error, due_at = item.due_at, "left for the next sweep");
                    failed += 1;
                }
            }
        }
        report.retry_later += failed;
        // A batch that failed is read again by the next sweep, not this one: no busy loop.
        if !full || failed > 0 {
            break;
        }
    }
    if report.handled > 0 || report.retry_later > 0 {
        tracing::info!(?report, "expiry sweep");
    }
    Ok(report)
}

async fn handle(
    app: &App,
    due: &DueRecord,
    now: u64,
    report: &mut SweepReport,
) -> Result<(), StoreError> {
    let store = app.store();
    let Some(gallery) = store.gallery(due.subject.gallery_id).await? else {
        return Ok(());
    };
    match due.due {
        Due::Expired => {
            if gallery.expiry == Some(due.expiry) && tell_expired(app, &gallery, due).await? {
                report.galleries_expired += 1;
            }
        }
        Due::Reminder { days } => {
            let grants = match due.subject.grant_id {
                Some(id) => store.grant(id).await?.into_iter().collect(),
                None => store.private_grants_of(gallery.id).await?,
            };
            for grant in &grants {
                if remind(app, &gallery, grant, due, days, now).await? {
                    report.reminders_sent += 1;
                }
            }
        }
    }
    Ok(())
}

/// Reminds the client of `grant` if the reminder is still theirs to get; `true` if it was sent.
async fn remind(
    app: &App,
    gallery: &GalleryRecord,
    grant: &GrantRecord,
    due: &DueRecord,
    days: u32,
    now: u64,
) -> Result<bool, StoreError> {
    let store = app.store();
    let ends = LinkLife::of(gallery.expiry, grant.expiry).ends;
    let Some(to) = grant.email.clone() else {
        return Ok(false);
    };
    // Another date is this link's now (its own, or the gallery's moved): that date's items
    // remind it. A reminder come too late (a late sweep, a schedule written again) would
    // promise more time than is left: the nearer one says it, and a closed link has none.
    if grant.kind != GrantKind::Private
        || ends != Some(due.expiry)
        || !reminder_is_timely(days, due.expiry, now)
    {
        return Ok(false);
    }
    let login_revoked = match grant.login_id {
        Some(login) => store.client_login(login).await?.is_none_or(|l| l.revoked),
        None => false,
    };
    if login_revoked {
        return Ok(false);
    }
    if !store
        .claim_reminder(grant.id, due.expiry, due.due, now)
        .await?
    {
        return Ok(false);
    }
    let sent = send_reminder(app, gallery, grant, to, due.expiry, days).await;
    if let Err(error) = sent {
        // Given back, so the next sweep sends it: at most once, never lost.
        store
            .release_reminder(grant.id, due.expiry, due.due)
            .await?;
        return Err(error);
    }
    tracing::info!(grant_id = %grant.id, days, "expiry reminder sent");
    Ok(true)
}

async fn send_reminder(
    app: &App,
    gallery: &GalleryRecord,
    grant: &GrantRecord,
    to: proofsheet_policy::Email,
    expires_at: u64,
    days: u32,
) -> Result<(), StoreError> {
    let ours = |detail: &str| StoreError::Aws(detail.to_owned());
    let links = app.emailed_links().map_err(|e| ours(&e.to_string()))?;
    let link = links.gallery(grant.id);
    let sender = app.email_sender(gallery.owner_id).await?;
    let reminder = ExpiryReminder {
        photographer: &sender.name,
        look: &sender.look,
        client_name: grant.name.as_ref().map(|n| n.as_str()),
        gallery_title: &gallery.title,
        link: &link,
        expires: human_date(expires_at),
        days,
    };
    let email = reminder
        .to(to)
        .map_err(|e| ours(&format!("the reminder template failed: {e}")))?;
    app.store().send_email(&email).await?;
    Ok(())
}

/// Tells the photographer `gallery` expired, in the app and by email; `true` the first time
/// for this date.
async fn tell_expired(
    app: &App,
    gallery: &GalleryRecord,
    due: &DueRecord,
) -> Result<bool, StoreError> {
    let store = app.store();
    let notification = NotificationRecord {
        id: NotificationId::from_uuid(Uuid::now_v7()),
        owner_id: gallery.owner_id,
        milestone: Milestone::GalleryExpired,
        gallery_id: gallery.id,
        gallery_title: gallery.title.clone(),
        grant_id: gallery.general_grant_id,
        client: "All client links".to_owned(),
        created_at: app.now(),
        read_at: None,
    };
    if !store
        .notify_gallery_expired(gallery, due.expiry, &notification)
        .await?
    {
        return Ok(false);
    }
    // The notification is the record; the email is a courtesy, and not sent twice.
    if let Some(photographer) = store.photographer(gallery.owner_id).await? {
        let news = MilestoneReached {
            client: &notification.client,
            sentence: Milestone::GalleryExpired.sentence(),
            gallery_title: &gallery.title,
            gallery_id: &gallery.id.to_string(),
        };
        match news.to(photographer.email) {
            Ok(email) => {
                if let Err(error) = store.send_email(&email).await {
                    tracing::warn!(%error, "expiry email to the photographer not sent");
                }
            }
            Err(error) => tracing::error!(%error, "expiry email not rendered"),
        }
    }
    Ok(true)
}

/// The scheduled function: one sweep per invocation. A failed sweep fails the invocation, so
/// it shows in the function's error metric; the next one picks up the same items.
pub async fn serve() -> Result<(), lambda_runtime::Error> {
    let app = startup::start(SecretKeyUse::Needed).await;
    let app = &app;
    lambda_runtime::run(lambda_runtime::service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            sweep(app)
                .await
                .map(|report| serde_json::json!(report))
                .map_err(|e| lambda_runtime::Error::from(e.to_string()))
        },
    ))
    .await
}
