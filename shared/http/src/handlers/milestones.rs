//! Telling the photographer when a client reaches a milestone: once per client, gallery and
//! milestone (the store's claim decides who tells), in the app and by email. Never a reason to
//! fail the client's request: what goes wrong is logged.

use proofsheet_app::App;
use proofsheet_app::email::MilestoneReached;
use proofsheet_policy::{Milestone, NotificationId};
use proofsheet_store::{GrantRecord, NotificationRecord};
use uuid::Uuid;

/// The client of a link as the photographer knows them.
pub(crate) fn client_label(grant: &GrantRecord) -> String {
    match (&grant.name, &grant.email) {
        (Some(name), Some(email)) => format!("{name} <{email}>"),
        (Some(name), None) => name.to_string(),
        (None, Some(email)) => email.to_string(),
        (None, None) => "A client".to_owned(),
    }
}

/// Counts a view of a private link (called alongside the view's own reads). Until the first
/// view's milestone is recorded, each view records it (once: the claim decides), so a failure
/// in between delays it to the next view instead of losing it.
pub(crate) async fn record_view(app: &App, grant: &GrantRecord) {
    let views = match app.store().record_view(grant.id, app.now()).await {
        Ok(views) => views,
        Err(error) => return tracing::warn!(%error, "view not counted"),
    };
    if views.first_view_told {
        return;
    }
    let recorded = match notify(app, grant, Milestone::FirstView).await {
        Ok(()) => app.store().mark_first_view_told(grant.id).await,
        Err(error) => Err(error),
    };
    if let Err(error) = recorded {
        tracing::warn!(%error, "first view not recorded yet; the next view tries again");
    }
}

/// Records that the client of `grant` reached `milestone`, and tells the photographer if this
/// is the first time.
pub(crate) async fn reached(app: &App, grant: &GrantRecord, milestone: Milestone) {
    if let Err(error) = notify(app, grant, milestone).await {
        tracing::warn!(%error, milestone = %milestone, "milestone not recorded");
    }
}

async fn notify(
    app: &App,
    grant: &GrantRecord,
    milestone: Milestone,
) -> Result<(), proofsheet_store::StoreError> {
    let store = app.store();
    let (gallery, photographer) = tokio::try_join!(
        store.gallery(grant.gallery_id),
        store.photographer(grant.owner_id)
    )?;
    let Some(gallery) = gallery else {
        return Ok(());
    };
    let notification = NotificationRecord {
        id: NotificationId::from_uuid(Uuid::now_v7()),
        owner_id: grant.owner_id,
        milestone,
        gallery_id: gallery.id,
        gallery_title: gallery.title.clone(),
        grant_id: grant.id,
        client: client_label(grant),
        created_at: app.now(),
        read_at: None,
    };
    if !store.reach_milestone(grant, &notification).await? {
        return Ok(());
    }
    tracing::info!(milestone = %milestone, "milestone reached");
    let Some(photographer) = photographer else {
        return Ok(());
    };
    let news = MilestoneReached {
        client: &notification.client,
        sentence: milestone.sentence(),
        gallery_title: &gallery.title,
        gallery_id: &gallery.id.to_string(),
    };
    match news.to(photographer.email) {
        Ok(email) => {
            if let Err(error) = store.send_email(&email).await {
                tracing::warn!(%error, "milestone email not sent");
            }
        }
        Err(error) => tracing::error!(%error, "milestone email not rendered"),
    }
    Ok(())
}
