//! Proofsheet's storage: DynamoDB, S3, SQS and SES through the real AWS SDK clients.
//!
//! The store does what the policy crate decided, and enforces the invariants that must hold under
//! concurrency *in the database* (conditional writes and transactions), never by reading first and
//! writing after. Clients come from `aws-config`, so `AWS_ENDPOINT_URL` points every one of them at
//! a local emulator (moto) in development and tests, through the same code that runs in AWS.
//!
//! # Table design (one table, `TABLE_NAME`)
//!
//! Keys are strings `PK`/`SK`; global secondary indexes `GSI1` on `GSI1PK`/`GSI1SK` and `GSI2`
//! on `GSI2PK`/`GSI2SK` (all attributes projected; GSI2 holds only file-name order). Ids are
//! UUIDs (v7 where time order matters, so sort keys sort by age).
//!
//! | entity | record | PK | SK | GSI1PK | GSI1SK |
//! |---|---|---|---|---|---|
//! | photographer | `PhotographerRecord` | `PHOTOGRAPHER#<id>` | `PROFILE` | | |
//! | slug claim (unique login-page name) | `PhotographerClaim` | `SLUG#<slug>` | `SLUG` | | |
//! | API key (SHA-256 of the key, hex) | `PhotographerClaim` | `APIKEY#<sha256>` | `APIKEY` | | |
//! | … and its record, listed in the studio (name, hint, hash; written and deleted with it) | `ApiKeyRecord` | `PHOTOGRAPHER#<id>` | `APIKEY#<key id>` | | |
//! | email claim (one photographer per address: the studio's sign-in) | `PhotographerClaim` | `EMAIL#<email>` | `EMAIL` | | |
//! | studio sign-in link (SHA-256 of its secret, hex; single use; TTL `expires_at`) | `SignInLinkRecord` | `SIGNIN#<sha256>` | `SIGNIN` | | |
//! | studio session (SHA-256 of its secret, hex; TTL `expires_at`) | `StudioSessionRecord` | `PHOTOGRAPHER#<id>` | `STUDIOSESSION#<sha256>` | | |
//! | sign-in links asked for by one source, or sent to one address (HMAC tag; TTL) | `TryCounter` fields | `STUDIOSIGNIN` | `SOURCE#<tag>`, `EMAIL#<tag>` | | |
//! | gallery | `GalleryRecord` | `GALLERY#<id>` | `META` | `OWNER#<photographer>` | `GALLERY#<id>` |
//! | photo | `PhotoRecord` | `GALLERY#<id>` | `PHOTO#<photo id>` | | |
//! | … once ready: its place in capture order (taken, else uploaded) | | | | `BYCAPTURE#<gallery>` | `<secs, 12 digits>#<photo id>` |
//! | … once ready: its place in file-name order (GSI2PK / GSI2SK) | | | | `BYNAME#<gallery>` | `<natural sort key of its name> <photo id>` |
//! | the photographer's arrangement (photo ids, a list; revision) | `ManualOrderRecord` | `GALLERY#<id>` | `MANUALORDER` | | |
//! | sub-gallery pointer (written with the sub-gallery) | `ChildPointer` | `GALLERY#<parent id>` | `CHILD#<child id>` | | |
//! | client claim (one private grant per email and gallery) | `ClientClaim` | `GALLERY#<id>` | `CLIENT#<email>` | | |
//! | grant (general link) | `GrantRecord` | `GRANT#<grant id>` | `GRANT` | `GALLERY#<id>` | `GENERAL` |
//! | grant (private link) | `GrantRecord` | `GRANT#<grant id>` | `GRANT` | `GALLERY#<id>` | `PRIVATE#<grant id>` |
//! | password tries of one source on a link (HMAC tag of the address; TTL `expires_at`) | `TryCounter` fields | `GRANT#<grant id>` | `UNLOCK#<tag>` | | |
//! | password tries of one known device on a link (HMAC tag of its earlier session; TTL) | `TryCounter` fields | `GRANT#<grant id>` | `UNLOCKDEVICE#<tag>` | | |
//! | email captures of one source on a general link (same, for `identify`) | `TryCounter` fields | `GRANT#<grant id>` | `IDENTIFY#<tag>` | | |
//! | a client's favourites list (photos: a string set) | `FavouriteListRecord` | `GRANT#<grant id>` | `FAVLIST#<name>` | `GALLERY#<id>` | `FAVLIST#<grant id>#<name>` |
//! | a client's download selection (photos: a string set) | `Selection` | `GRANT#<grant id>` | `DLSELECTION` | | |
//! | a client's views (count, first, last) | `ViewCount` | `GRANT#<grant id>` | `ACTIVITY` | | |
//! | a milestone a client reached in a gallery (once per client: login, email or link) | `MilestoneRecord` | `GALLERY#<id>` | `ACT#<client>#<milestone>` | | |
//! | a notification to the photographer | `NotificationRecord` | `PHOTOGRAPHER#<id>` | `NOTE#<notification id>` | | |
//! | the photographer's unread count | `unread` | `PHOTOGRAPHER#<id>` | `UNREAD` | | |
//! | client login | `ClientLoginRecord` | `LOGIN#<login id>` | `LOGIN` | `LOGINS#<photographer>` | `LOGIN#<login id>` |
//! | access code claim (argon2id of the code, base64url; unique per login page) | `AccessCodeClaim` | `PHOTOGRAPHER#<id>` | `CODE#<hash>` | | |
//! | gallery released to a login (its grant: a private one, origin `login`) | `ReleaseRecord` | `LOGIN#<login id>` | `RELEASE#<gallery id>` | | |
//! | access-code tries of one source on a login page (tag; `*` for the page; TTL) | `TryCounter` fields | `LOGINPAGE#<slug>` | `TRIES#<tag>` | | |
//! | access-code tries of one known device on a login page (HMAC tag of its login; TTL) | `TryCounter` fields | `LOGINPAGE#<slug>` | `DEVICETRIES#<tag>` | | |
//! | something due before an expiry date (a reminder `7d`, `1d`…, or the photographer's notice `expired`; deleted when handled) | `DueRecord` | `GALLERY#<id>`, or `GRANT#<id>` for a link's own date | `EXPIRY#<date, 12 digits>#<what>` | `EXPIRY#DUE` | `<due at, 12 digits>#<PK>#<SK>` |
//! | a client's reminder, claimed by whoever sends it (once per link, date and reminder) | `SentClaim` | `GRANT#<grant id>` | `REMINDED#<date>#<what>` | | |
//! | the photographer's notice that a gallery expired (once per date) | `SentClaim` | `GALLERY#<id>` | `EXPIRED#<date>` | | |
//! | a download request (photos, what it charged, status) | `DownloadRequestRecord` | `GRANT#<grant id>` | `DLJOB#<request id>` | `DLJOB#UNSENT` until its message is sent | `<accepted at, 12 digits>#<request id>` |
//!
//! Every item is a serde record of `records.rs` (`item_with_keys` adds the key attributes);
//! new records are built in one place each (`GalleryRecord::new` with its general grant,
//! `GrantRecord::new_private`), from the policy crate's defaults.
//!
//! Inside a gallery's partition, sort keys that a client may see (`META`, `PHOTO#…`) sort at or
//! after `META`; photographer-only ones (`CLIENT#…`) sort before it. Later entities follow the same
//! rule: per-client data (favourites, the download selection and requests) goes under the grant's
//! own partition, so the grant item stays small and a charge is one transaction over the grant
//! and one request, however many photos it holds (see the `downloads` module). The grant item
//! keeps only the names of its favourites lists (`favourite_lists`, a string set), which bounds
//! their number in a condition.
//!
//! # Access patterns
//!
//! | pattern | how | round trips |
//! |---|---|---|
//! | authenticate a photographer | GetItem `APIKEY#<sha256>` | 1 |
//! | a photographer's galleries | Query GSI1 `OWNER#<id>` | 1+ (paged) |
//! | sub-galleries of a gallery | Query `GALLERY#<id>` SK begins_with `CHILD#`, then GetItem each child's META (in parallel) | 2 |
//! | one gallery (owner check) | GetItem `GALLERY#<id>`/`META` | 1 |
//! | a page of a gallery's photos (photographer) | Query `GALLERY#<id>`, SK begins_with `PHOTO#`, `Limit` page + 1, `ExclusiveStartKey` `PHOTO#<cursor>` | 1+ |
//! | **client opens `/g/{token}`** (first page) | GetItem `GRANT#<id>`, GetItem `META` (has the link expired? which order?), then the page in that order: Query GSI1 `BYCAPTURE#<id>` or GSI2 `BYNAME#<id>` with `Limit`, or GetItem `MANUALORDER` + BatchGetItem of a page of its ids; alongside the page, the way up and down (the parent's META, the sub-galleries: see above) | **3** (4 in manual order or with sub-galleries to show) |
//! | … through a link released to a client login | the same, plus GetItem `LOGIN#<id>` (a revoked login's links stop at once) | 4 (5 in manual order) |
//! | a later page of a client's view | the same, the page after the cursor: Query its index, SK > the cursor's key (or `MANUALORDER` + BatchGetItem from the cursor's offset); a cursor of another order than the gallery's reads the first page of the gallery's order | 3 (4 in manual order) |
//! | a gallery's private grants | Query GSI1 `GALLERY#<id>`, SK begins_with `PRIVATE#` | 1+ |
//! | log in on a login page | GetItem `SLUG#<slug>`, tries (UpdateItem ×2), GetItem `CODE#<hash>`, GetItem the login | 5 |
//! | a login's galleries (`/me/galleries`) | GetItem login, Query `LOGIN#<id>` begins_with `RELEASE#`, per gallery (in parallel) GetItem META + Query its photos (count, cover; + GetItem `MANUALORDER` when an arrangement decides the cover) | 2 + 2 per gallery |
//! | count a client's view | UpdateItem `GRANT#<id>`/`ACTIVITY` (`ADD`), alongside the view's own read | 0 sequential |
//! | a milestone (with its notification) | one transaction: claim `ACT#…` + `NOTE#…` + `UNREAD` | 1, once per client and milestone |
//! | a gallery's activity | its private grants and Query `ACT#` (milestones), then Query each grant's partition (in parallel) | 2 |
//! | notifications (newest first) | Query `PHOTOGRAPHER#<id>` begins_with `NOTE#` backwards, GetItem `UNREAD` | 2 |
//! | general settings | GetItem `GRANT#<general grant id from the gallery>` | 1 |
//! | a client's favourites | Query `GRANT#<id>` SK begins_with `FAVLIST#`, then Query the gallery's photos (deleted ones drop out) | 2+ |
//! | a gallery's favourites (photographer) | Query GSI1 `GALLERY#<id>` begins_with `FAVLIST#`, its private grants, its photos | 3+ |
//! | add a favourite | UpdateItem the list (`ADD`, size condition); a new list: one transaction (grant's list names + list) | 1–2 |
//! | the download manager | GetItem grant, Query `GRANT#<id>` begins_with `DLJOB#`, GetItem `DLSELECTION` | 3 |
//! | accept a download request | GetItem grant, GetItem request (a retry?), the manager's reads, Query the gallery's photos, one transaction, SendMessageBatch, UpdateItem (sent) | 7+ |
//! | requests whose message never went out | Query GSI1 `DLJOB#UNSENT`, GSI1SK < cutoff | 1+ |
//! | a client route on an expired link | GetItem `GRANT#<id>`, GetItem `META` (its date), then GetItem the photographer (whom to ask) | 3 |
//! | what is due (the expiry sweep) | Query GSI1 `EXPIRY#DUE`, GSI1SK < now; per item GetItem `META`, Query the gallery's private grants (or GetItem the one), PutItem each claim | 1 + 2 per item |
//! | ingest a photo | GetItem photo, GetItem gallery, GetObject upload, GetItem photographer (text mark), PutObject original + 4 renditions, UpdateItem photo (ready, capture time, order index keys), UpdateItem `MANUALORDER` (appended, if arranged), GetItem photo (deleted meanwhile?) | 6 + 6 S3 |
//! | arrange a gallery's photos | GetItem gallery, Query its photos, UpdateItem `MANUALORDER`, Query its photos again (ready meanwhile? appended), PutItem gallery (`photo_order`) | 5 |
//! | re-render a gallery (worker) | GetItem gallery, then Query its photos a page of 500 at a time | 2+ |
//!
//! # Queues
//!
//! Message bodies are typed: the project's own are one serde enum, `proofsheet_app::messages::Message`
//! (tagged by `job`: `rerender_gallery`, `rerender_photo` on the ingest queue, `prepare_download`
//! on the download queue); S3's notifications on the ingest queue
//! are parsed into `proofsheet_workers::s3_event::S3Notification`. The store only moves strings
//! (`send_messages`, and `receive_messages`/`delete_message` for the local poller).
//!
//! No operation scans. A page reads one photo past its end, so the last page says it is the
//! last; photos a client can't see are skipped in code, and reading goes on until the page is
//! full or the partition ends (a DynamoDB page can be short and still have a next key).
//!
//! # Conditional writes
//!
//! - Photographer creation: one transaction putting profile, slug claim and API key, each
//!   `attribute_not_exists(PK)`: a taken slug fails the whole thing (409), nothing half-written.
//! - Gallery creation: META and its general grant in one transaction, both `attribute_not_exists`;
//!   a sub-gallery adds a ConditionCheck that its parent's META exists with the same `owner_id`,
//!   so a parent deleted meanwhile gets no orphan child (404 → 422 `parent_id`), and puts the
//!   parent's `CHILD#` pointer to it in the same transaction.
//! - Photo creation: the photo `attribute_not_exists` + ConditionCheck gallery META exists, in
//!   one transaction: a gallery deleted meanwhile gets no photo (404).
//! - Gallery/photo/grant updates: `attribute_exists(PK)` so a concurrent delete can't be undone
//!   by a late update (it becomes 404).
//! - Grant settings: written only over the `settings_revision` they were computed from; a lost
//!   race re-reads and re-applies the change (a delta), so concurrent changes all land.
//! - Gallery updates also name the `revision` they read (`revision = :expected`, written as
//!   `:expected + 1`): a concurrent change makes the write fail (`concurrent_update`, told apart
//!   from a delete by the old item coming back) and the caller re-applies its change to a fresh
//!   read, so no change is lost.
//! - Photo ingest: `status = uploading` → `ready`/`rejected`, so a redelivered S3 event is a no-op.
//!   The update that makes a photo ready also writes its capture time and its order index keys,
//!   so an index never holds a photo that is not ready. A ready photo is appended to its
//!   gallery's arrangement if `attribute_exists(photo_ids) AND NOT contains(photo_ids, :id) AND
//!   size(photo_ids) < :max` (once, however often delivered; a redelivery for a ready photo
//!   appends again, in case the first stopped in between). Arranging writes the list, then
//!   reads the ready photos again and appends those it missed: whichever of the two writes
//!   comes last, a photo made ready meanwhile is in the list.
//!   Uploads land at `uploads/…` through a presigned PUT carrying `If-None-Match: *`; ingest
//!   writes the validated bytes to `originals/…` itself, so no upload URL can replace a
//!   validated original. The upload stays (a lifecycle rule expires it after a day), so S3
//!   refuses every replay of its URL while the URL lives.
//! - Private grant creation: grant `attribute_not_exists` + client claim `attribute_not_exists` +
//!   ConditionCheck gallery exists, in one transaction: one link per client, retries are harmless.
//! - Password tries: the source's counter, then (unless the device unlocked the link before) the
//!   link's on the grant item, are each reserved with a conditional update (`unlock_attempts <
//!   :max`, window start compared to a precomputed cutoff; no arithmetic in conditions) *before*
//!   the password hash is checked; a right password (or a refusal by the later counter) gives
//!   the try back, conditioned on the same window. Only source counters carry `expires_at`.
//! - Favourites: a list's add is `ADD photos` if `contains(photos, :id) OR size(photos) < :max`;
//!   a new list is one transaction adding its name to the grant's `favourite_lists` if the grant
//!   exists and `size(favourite_lists) < :max` (or has it), with the list `attribute_not_exists`.
//!   A list left empty is deleted (`attribute_not_exists(photos)`) with its name, in one
//!   transaction, so a photo added meanwhile keeps it.
//! - Download requests: see the `downloads` module (one transaction: the grant's
//!   `downloads_used` over the value and settings revision the decision read, and the request
//!   `attribute_not_exists`).
//! - Visitor grants (`identify`): the same transaction as private grants, so one email is one
//!   grant per gallery however many captures race.
//! - Transactions that hit `TransactionConflict` are retried with jittered backoff.

mod activity;
mod api_keys;
mod client_logins;
mod download_requests;
mod downloads;
mod error;
mod expiry;
mod favourites;
mod galleries;
mod grants;
mod items;
mod mail;
mod objects;
mod order;
mod photographers;
mod photos;
pub mod provision;
mod queue;
mod records;
mod retry;
pub use retry::{Retry, Tries};
mod sdk;
mod studio;
mod transact;
mod unlock;

pub use activity::{ClientActivity, MilestoneRecord, NotificationRecord, ViewCount};
pub use api_keys::ApiKeyRecord;
pub use download_requests::{DownloadClaim, Finish, FinishedDownload};
pub use downloads::{DownloadLedger, RecordedDownload};
pub use error::{Conflict, StoreError};
pub use expiry::{DueFor, DueRecord};
pub use galleries::ParentAsRead;
pub use grants::EmailsAccess;
pub use mail::OutgoingEmail;
pub use objects::{
    MultipartUpload, ObjectReader, Overwrite, PresignedRequest, StoredObject, object_keys,
};
pub use photos::{PhotosPage, PhotosSummary};
pub use proofsheet_policy::GrantOrigin;
pub use queue::QueueMessage;
pub use records::{
    ClientLoginRecord, DownloadRequestRecord, FavouriteListRecord, GalleryRecord, GrantKind,
    GrantRecord, LeftOutPhoto, PhotoRecord, PhotoStatus, PhotographerRecord, ReleaseRecord,
    ZipFileRecord,
};
pub use sdk::load_sdk_config;
pub use studio::{SignInLinkRecord, StudioSessionRecord};
pub use unlock::{ReservedTry, UnlockReservation};

pub use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;

use std::sync::{Arc, OnceLock};

/// Names of the AWS resources one deployment uses.
#[derive(Debug, Clone)]
pub struct Resources {
    pub table: String,
    pub bucket: String,
    pub sender_email: String,
}

/// All AWS access, built once per cold start and shared by every request (clones share it).
///
/// Each SDK client is built the first time a method needs it, and only code that calls a
/// method reaches that client's construction: a function's binary links the clients its route
/// uses and no others, and its cold start builds only those.
#[derive(Clone)]
pub struct Store {
    clients: Arc<Clients>,
    resources: Resources,
}

struct Clients {
    sdk_config: aws_config::SdkConfig,
    interceptors: Vec<SharedInterceptor>,
    ddb: OnceLock<aws_sdk_dynamodb::Client>,
    s3: OnceLock<aws_sdk_s3::Client>,
    ses: OnceLock<aws_sdk_sesv2::Client>,
    sqs: OnceLock<aws_sdk_sqs::Client>,
}

/// Builds one SDK client from the shared configuration, with the interceptors on it.
macro_rules! client {
    ($clients:expr, $field:ident, $sdk:ident $(, $tune:expr)?) => {{
        let clients = $clients;
        clients.$field.get_or_init(|| {
            let mut config = $sdk::config::Builder::from(&clients.sdk_config);
            $( ($tune)(&mut config, &clients.sdk_config); )?
            for interceptor in &clients.interceptors {
                config.push_interceptor(interceptor.clone());
            }
            $sdk::Client::from_conf(config.build())
        })
    }};
}

impl Store {
    /// Keeps one loaded `aws-config` for the clients to come.
    pub fn new(sdk_config: &aws_config::SdkConfig, resources: Resources) -> Self {
        Self::with_interceptors(sdk_config, resources, &[])
    }

    /// Like [`Store::new`], with SDK interceptors on every client: the tests record each AWS
    /// call a function makes, to check its IAM policy covers them.
    pub fn with_interceptors(
        sdk_config: &aws_config::SdkConfig,
        resources: Resources,
        interceptors: &[SharedInterceptor],
    ) -> Self {
        Self {
            clients: Arc::new(Clients {
                sdk_config: sdk_config.clone(),
                interceptors: interceptors.to_vec(),
                ddb: OnceLock::new(),
                s3: OnceLock::new(),
                ses: OnceLock::new(),
                sqs: OnceLock::new(),
            }),
            resources,
        }
    }

    fn ddb(&self) -> &aws_sdk_dynamodb::Client {
        client!(&*self.clients, ddb, aws_sdk_dynamodb)
    }

    /// A custom endpoint (`AWS_ENDPOINT_URL`, a local emulator) gets path-style addressing:
    /// virtual-host names don't resolve there.
    fn s3(&self) -> &aws_sdk_s3::Client {
        client!(
            &*self.clients,
            s3,
            aws_sdk_s3,
            |config: &mut aws_sdk_s3::config::Builder, sdk: &aws_config::SdkConfig| {
                config.set_force_path_style(Some(sdk.endpoint_url().is_some()));
            }
        )
    }

    fn ses(&self) -> &aws_sdk_sesv2::Client {
        client!(&*self.clients, ses, aws_sdk_sesv2)
    }

    fn sqs(&self) -> &aws_sdk_sqs::Client {
        client!(&*self.clients, sqs, aws_sdk_sqs)
    }

    pub fn resources(&self) -> &Resources {
        &self.resources
    }
}
