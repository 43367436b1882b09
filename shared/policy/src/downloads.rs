//! What a download request may take and what it costs.
//!
//! Download limits are how photographers sell extra downloads, so the rule is exact: a photo
//! counts once, the first time it is in an accepted request, whatever the resolution; downloading
//! it again is free; a request that would pass the limit is refused whole. The policy computes the
//! charge from a snapshot (`used`, the photos already downloaded); the store writes it only if that
//! snapshot still holds, so concurrent requests can't both spend the same remainder.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{AccessSettings, DownloadRequestId, GrantId, Invalid, PhotoId, Resolution};

/// How much of a grant's download limit is spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadUsage {
    pub used: u32,
    /// `None`: unlimited.
    pub limit: Option<u32>,
}

impl DownloadUsage {
    /// Photos that may still be charged; `None` when unlimited. Never negative, even after the
    /// photographer lowers a limit below what was already used.
    pub fn remaining(&self) -> Option<u32> {
        self.limit.map(|limit| limit.saturating_sub(self.used))
    }
}

/// The most photos one request (and so one ZIP) may hold, and so the most a client may select:
/// a full gallery of this size fits one request record and one worker run.
pub const MAX_PHOTOS_PER_REQUEST: usize = 2_000;

/// Requests of one client that may wait for their ZIP at once: each is work for the worker,
/// and a request that charges nothing (photos downloaded before) would otherwise cost nothing.
pub const MAX_PENDING_REQUESTS: usize = 20;

/// Why a download request is refused. Nothing is charged for a refused request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DownloadRefusal {
    #[error("downloads are turned off for this gallery")]
    Disabled,
    #[error("the {0:?} resolution is not offered")]
    ResolutionNotAllowed(Resolution),
    #[error("no photos were chosen")]
    NothingChosen,
    #[error("photo {0} is not a ready photo of this gallery")]
    UnknownPhoto(PhotoId),
    #[error("at most {MAX_PHOTOS_PER_REQUEST} photos a request")]
    TooManyPhotos,
    #[error("the download limit would be passed: {remaining} photos remain")]
    LimitReached { remaining: u32 },
    #[error(
        "{MAX_PENDING_REQUESTS} requests are still being prepared; ask again once one is ready"
    )]
    TooManyPending,
}

/// Which photos a client asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownloadChoice {
    /// What the client selected in the download manager.
    Selected,
    /// These photos, named in the request.
    Photos(BTreeSet<PhotoId>),
    /// Every ready photo of the gallery ("download full gallery").
    All,
}

/// What the store read, in this order: the grant's usage first, then the photos already
/// downloaded (see the store's docs for why the order matters).
#[derive(Debug, Clone, Copy)]
pub struct DownloadSnapshot<'a> {
    pub usage: DownloadUsage,
    pub downloaded: &'a BTreeSet<PhotoId>,
    pub selected: &'a BTreeSet<PhotoId>,
    /// The gallery's photos a client can download now.
    pub ready: &'a BTreeSet<PhotoId>,
    /// The client's requests still waiting for their ZIP.
    pub pending: usize,
}

/// An accepted request: what to mark downloaded and the usage the store must write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadCharge {
    /// Every photo the request takes.
    pub photos: BTreeSet<PhotoId>,
    /// The photos not downloaded before: each costs one.
    pub newly_charged: BTreeSet<PhotoId>,
    /// `used` before the charge; the store's write holds only while it is still this value.
    pub used_before: u32,
    pub used_after: u32,
    /// With this request the client has every photo of the gallery a client can download: the
    /// "whole gallery downloaded" milestone.
    pub completes_gallery: bool,
}

/// Decides a download request from the grant's effective settings and a snapshot of its usage.
pub fn charge(
    settings: &AccessSettings,
    resolution: Resolution,
    choice: &DownloadChoice,
    now: DownloadSnapshot<'_>,
) -> Result<DownloadCharge, DownloadRefusal> {
    if !settings.downloads_enabled {
        return Err(DownloadRefusal::Disabled);
    }
    if !settings.download_resolutions.contains(&resolution) {
        return Err(DownloadRefusal::ResolutionNotAllowed(resolution));
    }
    if now.pending >= MAX_PENDING_REQUESTS {
        return Err(DownloadRefusal::TooManyPending);
    }
    let photos = chosen_photos(choice, now.selected, now.ready)?;
    let newly_charged: BTreeSet<PhotoId> = photos.difference(now.downloaded).copied().collect();
    // At most MAX_PHOTOS_PER_REQUEST photos, so the count always fits.
    let cost = u32::try_from(newly_charged.len()).unwrap_or(u32::MAX);
    if let Some(remaining) = now.usage.remaining()
        && cost > remaining
    {
        return Err(DownloadRefusal::LimitReached { remaining });
    }
    let completes_gallery = !now.ready.is_empty()
        && now
            .ready
            .iter()
            .all(|p| now.downloaded.contains(p) || photos.contains(p));
    Ok(DownloadCharge {
        completes_gallery,
        photos,
        newly_charged,
        used_before: now.usage.used,
        used_after: now.usage.used.saturating_add(cost),
    })
}

/// The photos a choice names. Named photos must all be ready photos of the gallery; a selection
/// quietly loses photos deleted since they were selected (the client can't act on those).
fn chosen_photos(
    choice: &DownloadChoice,
    selected: &BTreeSet<PhotoId>,
    ready: &BTreeSet<PhotoId>,
) -> Result<BTreeSet<PhotoId>, DownloadRefusal> {
    let photos = match choice {
        DownloadChoice::Selected => selected.intersection(ready).copied().collect(),
        DownloadChoice::Photos(named) => {
            if let Some(unknown) = named.difference(ready).next() {
                return Err(DownloadRefusal::UnknownPhoto(*unknown));
            }
            named.clone()
        }
        DownloadChoice::All => ready.clone(),
    };
    if photos.is_empty() {
        return Err(DownloadRefusal::NothingChosen);
    }
    if photos.len() > MAX_PHOTOS_PER_REQUEST {
        return Err(DownloadRefusal::TooManyPhotos);
    }
    Ok(photos)
}

/// A photo's place in the download manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DownloadState {
    /// Chosen for the next request; can still be unselected.
    Selected,
    /// In an accepted request: paid for, stays in the manager for good.
    Downloaded,
}

/// The manager's photos: every downloaded one, and every selected one not downloaded yet.
pub fn manager_states(
    selected: &BTreeSet<PhotoId>,
    downloaded: &BTreeSet<PhotoId>,
) -> BTreeMap<PhotoId, DownloadState> {
    let mut states: BTreeMap<PhotoId, DownloadState> = selected
        .iter()
        .map(|&p| (p, DownloadState::Selected))
        .collect();
    states.extend(downloaded.iter().map(|&p| (p, DownloadState::Downloaded)));
    states
}

/// A downloaded photo can't leave the manager: it was charged, and the client keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this photo was downloaded already and stays in the download manager")]
pub struct AlreadyDownloaded;

pub fn may_unselect(
    photo: PhotoId,
    downloaded: &BTreeSet<PhotoId>,
) -> Result<(), AlreadyDownloaded> {
    if downloaded.contains(&photo) {
        Err(AlreadyDownloaded)
    } else {
        Ok(())
    }
}

/// How long an accepted request's message is left to the call that accepted it. Once older and
/// still unsent (that call stopped first), anyone who comes across it sends it: a retry, its
/// status page, the resend sweep. The worker handles a second message harmlessly, so a rare
/// double send costs nothing; the wait only keeps it rare.
pub const UNSENT_GRACE_SECS: u64 = 30;

/// Whether a request must be sent by whoever sees it now (see [`UNSENT_GRACE_SECS`]).
pub fn left_unsent(
    status: DownloadStatus,
    enqueued_at: Option<u64>,
    created_at: u64,
    now: u64,
) -> bool {
    status == DownloadStatus::Queued
        && enqueued_at.is_none()
        && now >= created_at.saturating_add(UNSENT_GRACE_SECS)
}

/// Whether a download link still works: from when its request is ready until its links
/// expire. A request with no expiry (not ready yet) has no live link.
pub fn link_is_live(links_expire_at: Option<u64>, now: u64) -> bool {
    links_expire_at.is_some_and(|expires| now < expires)
}

/// What a request still charges once the photos `left_out` of its ZIP are given back, and how
/// many that gives back: a photo the client never received never counts against the limit.
/// Photos the request did not charge (downloaded before) give nothing back, and neither does a
/// photo another of the client's requests holds (`held_elsewhere`): that request took it
/// uncharged because this one paid for it, so the charge stays.
pub fn give_back(
    charged: &[PhotoId],
    left_out: &[PhotoId],
    held_elsewhere: &BTreeSet<PhotoId>,
) -> (Vec<PhotoId>, u32) {
    let left_out: BTreeSet<&PhotoId> = left_out
        .iter()
        .filter(|p| !held_elsewhere.contains(p))
        .collect();
    let (returned, kept): (Vec<PhotoId>, Vec<PhotoId>) =
        charged.iter().partition(|id| left_out.contains(id));
    (kept, u32::try_from(returned.len()).unwrap_or(u32::MAX))
}

/// One of a client's other download requests, as far as what it holds goes.
pub struct OtherRequest<'a> {
    pub status: DownloadStatus,
    pub photos: &'a [PhotoId],
    /// The photos it left out of its ZIP.
    pub left_out: &'a [PhotoId],
}

/// The photos a client's other requests deliver, or still may: every photo of a request that
/// did not fail, except those it left out. [`give_back`] keeps their charge.
pub fn held_elsewhere<'a>(others: impl IntoIterator<Item = OtherRequest<'a>>) -> BTreeSet<PhotoId> {
    others
        .into_iter()
        .filter(|other| other.status != DownloadStatus::Failed)
        .flat_map(|other| {
            other
                .photos
                .iter()
                .filter(move |p| !other.left_out.contains(p))
                .copied()
        })
        .collect()
}

/// Whether a download is the photographer's file itself, byte for byte: the original size
/// without a watermark. Anything else is rendered.
pub fn is_copy(resolution: Resolution, watermarked: bool) -> bool {
    resolution == Resolution::Original && !watermarked
}

/// How many times a request is tried (claimed by a worker) before it is given up: failed, its
/// charge given back, the client told. One less than the download queue's `maxReceiveCount`
/// (5), so the last delivery settles it instead of leaving it to the dead-letter queue.
pub const MAX_DOWNLOAD_ATTEMPTS: u32 = 4;

/// Whether a request claimed for the `attempt`-th time (from 1) must be given up.
pub fn out_of_attempts(attempt: u32) -> bool {
    attempt > MAX_DOWNLOAD_ATTEMPTS
}

/// Where a download request is on its way to a ZIP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DownloadStatus {
    Queued,
    Rendering,
    Ready,
    Failed,
}

/// The client's `Idempotency-Key`: a retry carrying the same key is the same request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub const MAX_CHARS: usize = 255;

    /// 1 to 255 visible ASCII characters (a UUID, a counter, whatever the client keeps).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let ok = !raw.is_empty()
            && raw.len() <= Self::MAX_CHARS
            && raw.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Invalid::new(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            ))
        }
    }

    /// The request id a retry with this key gets on this grant: the same every time, and
    /// different on every other grant.
    pub fn request_id(&self, grant: GrantId) -> DownloadRequestId {
        DownloadRequestId::from_uuid(Uuid::new_v5(grant.as_uuid(), self.0.as_bytes()))
    }
}

/// What one download request asks for, as one value kept with it: an `Idempotency-Key` names
/// one request, so a retry must ask for the same thing. The same key with another ask is the
/// client's mistake (a reused key), answered as such, never with the first request's answer.
/// Asks are compared by meaning: the photos as a set, whatever their order in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AskFingerprint(Uuid);

impl AskFingerprint {
    pub fn of(resolution: Resolution, choice: &DownloadChoice) -> Self {
        let photos = match choice {
            DownloadChoice::Selected => "selected".to_owned(),
            DownloadChoice::All => "all".to_owned(),
            DownloadChoice::Photos(ids) => {
                let ids: Vec<String> = ids.iter().map(PhotoId::to_string).collect();
                format!("photos:{}", ids.join(","))
            }
        };
        let ask = format!("{}|{photos}", resolution.as_str());
        Self(Uuid::new_v5(&Self::NAMESPACE, ask.as_bytes()))
    }

    /// Fixed for good: stored fingerprints are compared with new ones.
    const NAMESPACE: Uuid = Uuid::from_u128(0x6a1f_35c2_0d4e_4b8a_9c57_e2b1_4f0a_7d13);

    /// Whether a request asking for `self` repeats the `earlier` one stored under its key. A
    /// request stored before asks were kept is taken at its word.
    pub fn repeats(self, earlier: Option<Self>) -> bool {
        earlier.is_none_or(|earlier| earlier == self)
    }
}

#[cfg(test)]
mod held_and_copied {
    use super::*;
    use uuid::Uuid;

    fn photo(n: u128) -> PhotoId {
        PhotoId::from_uuid(Uuid::from_u128(n))
    }

    #[test]
    fn other_requests_hold_what_they_deliver_and_failed_ones_nothing() {
        let (a, b, c) = ([photo(1), photo(2)], [photo(3)], [photo(4)]);
        let others = [
            OtherRequest {
                status: DownloadStatus::Ready,
                photos: &a,
                left_out: &a[1..],
            },
            OtherRequest {
                status: DownloadStatus::Queued,
                photos: &b,
                left_out: &[],
            },
            OtherRequest {
                status: DownloadStatus::Failed,
                photos: &c,
                left_out: &[],
            },
        ];
        assert_eq!(held_elsewhere(others), BTreeSet::from([photo(1), photo(3)]));
    }

    #[test]
    fn only_an_unwatermarked_original_is_copied() {
        assert!(is_copy(Resolution::Original, false));
        assert!(!is_copy(Resolution::Original, true));
        assert!(!is_copy(Resolution::Web, false));
        assert!(!is_copy(Resolution::High, false));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn photo(n: u16) -> PhotoId {
        let mut bytes = [0u8; 16];
        bytes[..2].copy_from_slice(&n.to_be_bytes());
        PhotoId::from_uuid(Uuid::from_bytes(bytes))
    }

    fn photos(ns: &[u16]) -> BTreeSet<PhotoId> {
        ns.iter().copied().map(photo).collect()
    }

    fn open(limit: Option<u32>) -> AccessSettings {
        AccessSettings {
            downloads_enabled: true,
            download_limit: limit,
            download_resolutions: BTreeSet::from([Resolution::Web, Resolution::High]),
            ..AccessSettings::new_gallery_default()
        }
    }

    fn usage(used: u32, limit: Option<u32>) -> DownloadUsage {
        DownloadUsage { used, limit }
    }

    #[test]
    fn a_link_lives_from_ready_until_its_expiry() {
        assert!(!link_is_live(None, 0), "not ready: no link");
        assert!(link_is_live(Some(100), 99));
        assert!(!link_is_live(Some(100), 100));
        assert!(!link_is_live(Some(100), 5_000));
    }

    #[test]
    fn only_charged_photos_left_out_are_given_back() {
        let charged: Vec<PhotoId> = [1, 2, 3].map(photo).to_vec();
        // 2 was charged and left out; 9 was left out but downloaded before (free).
        let none = BTreeSet::new();
        let (kept, returned) = give_back(&charged, &[photo(2), photo(9)], &none);
        assert_eq!(kept, vec![photo(1), photo(3)]);
        assert_eq!(returned, 1);
        assert_eq!(give_back(&charged, &[], &none), (charged.clone(), 0));
        // Another request delivers 2 uncharged: this one's charge for it stays.
        let (kept, returned) = give_back(&charged, &[photo(2)], &photos(&[2]));
        assert_eq!((kept, returned), (charged.clone(), 0));
    }

    #[test]
    fn a_request_is_tried_four_times_then_given_up() {
        assert!(!out_of_attempts(1));
        assert!(!out_of_attempts(MAX_DOWNLOAD_ATTEMPTS));
        assert!(out_of_attempts(MAX_DOWNLOAD_ATTEMPTS + 1));
    }

    proptest! {
        #[test]
        fn giving_back_keeps_every_charge_exactly_once(
            charged in proptest::collection::btree_set(0u16..50, 0..30),
            left_out in proptest::collection::btree_set(0u16..50, 0..30),
        ) {
            let charged: Vec<PhotoId> = charged.into_iter().map(photo).collect();
            let left: Vec<PhotoId> = left_out.into_iter().map(photo).collect();
            let (kept, returned) = give_back(&charged, &left, &BTreeSet::new());
            prop_assert_eq!(kept.len() + returned as usize, charged.len());
            prop_assert!(kept.iter().all(|p| !left.contains(p) && charged.contains(p)));
        }
    }

    /// A snapshot where every photo 0..100 is ready and nothing is selected.
    fn at<'a>(
        used: u32,
        limit: Option<u32>,
        downloaded: &'a BTreeSet<PhotoId>,
        ready: &'a BTreeSet<PhotoId>,
    ) -> DownloadSnapshot<'a> {
        static NONE: BTreeSet<PhotoId> = BTreeSet::new();
        DownloadSnapshot {
            usage: usage(used, limit),
            downloaded,
            selected: &NONE,
            ready,
            pending: 0,
        }
    }

    fn named(ns: &[u16]) -> DownloadChoice {
        DownloadChoice::Photos(photos(ns))
    }

    fn gallery() -> BTreeSet<PhotoId> {
        (0..100).map(photo).collect()
    }

    #[test]
    fn a_photo_counts_once_and_downloading_it_again_is_free() {
        let (settings, ready) = (open(Some(3)), gallery());
        let downloaded = photos(&[1, 2]);
        let c = charge(
            &settings,
            Resolution::High,
            &named(&[1, 2, 3]),
            at(2, Some(3), &downloaded, &ready),
        )
        .unwrap();
        assert_eq!(c.photos, photos(&[1, 2, 3]));
        assert_eq!(c.newly_charged, photos(&[3]));
        assert_eq!((c.used_before, c.used_after), (2, 3));

        let downloaded = photos(&[1, 2, 3]);
        let again = charge(
            &settings,
            Resolution::Web,
            &named(&[1, 2, 3]),
            at(3, Some(3), &downloaded, &ready),
        )
        .unwrap();
        assert!(again.newly_charged.is_empty());
        assert_eq!(again.used_after, 3);
    }

    #[test]
    fn a_request_that_would_pass_the_limit_is_refused_whole() {
        let (none, ready) = (BTreeSet::new(), gallery());
        let refused = charge(
            &open(Some(5)),
            Resolution::Web,
            &named(&[1, 2, 3]),
            at(3, Some(5), &none, &ready),
        );
        assert_eq!(refused, Err(DownloadRefusal::LimitReached { remaining: 2 }));
    }

    #[test]
    fn refusals_for_settings_come_before_the_photos() {
        let (none, ready) = (BTreeSet::new(), gallery());
        let mut off = open(Some(0));
        off.downloads_enabled = false;
        assert_eq!(
            charge(
                &off,
                Resolution::Web,
                &named(&[500]),
                at(0, Some(0), &none, &ready)
            ),
            Err(DownloadRefusal::Disabled)
        );
        assert_eq!(
            charge(
                &open(None),
                Resolution::Original,
                &named(&[1]),
                at(0, None, &none, &ready)
            ),
            Err(DownloadRefusal::ResolutionNotAllowed(Resolution::Original))
        );
        assert_eq!(
            charge(
                &open(None),
                Resolution::Web,
                &named(&[]),
                at(0, None, &none, &ready)
            ),
            Err(DownloadRefusal::NothingChosen)
        );
    }

    #[test]
    fn named_photos_must_be_ready_photos_of_the_gallery() {
        let (none, ready) = (BTreeSet::new(), gallery());
        assert_eq!(
            charge(
                &open(None),
                Resolution::Web,
                &named(&[1, 500]),
                at(0, None, &none, &ready)
            ),
            Err(DownloadRefusal::UnknownPhoto(photo(500)))
        );
    }

    #[test]
    fn the_selection_loses_deleted_photos_and_all_takes_every_ready_one() {
        let (none, ready) = (BTreeSet::new(), photos(&[1, 2, 3]));
        let selected = photos(&[2, 9]);
        let snapshot = DownloadSnapshot {
            selected: &selected,
            ..at(0, None, &none, &ready)
        };
        let from_selection = charge(
            &open(None),
            Resolution::Web,
            &DownloadChoice::Selected,
            snapshot,
        )
        .unwrap();
        assert_eq!(from_selection.photos, photos(&[2]));
        let all = charge(&open(None), Resolution::Web, &DownloadChoice::All, snapshot).unwrap();
        assert_eq!(all.photos, ready);
        assert_eq!(all.used_after, 3);

        let nothing_left = DownloadSnapshot {
            selected: &photos(&[9]),
            ..snapshot
        };
        assert_eq!(
            charge(
                &open(None),
                Resolution::Web,
                &DownloadChoice::Selected,
                nothing_left
            ),
            Err(DownloadRefusal::NothingChosen)
        );
    }

    /// The milestone counts what was downloaded before too; an empty gallery completes nothing.
    #[test]
    fn a_request_completes_the_gallery_when_nothing_ready_is_left_undownloaded() {
        let (before, ready) = (photos(&[1]), photos(&[1, 2, 3]));
        let ask = |choice, downloaded| {
            charge(
                &open(None),
                Resolution::Web,
                &choice,
                at(0, None, downloaded, &ready),
            )
            .unwrap()
            .completes_gallery
        };
        assert!(ask(named(&[2, 3]), &before));
        assert!(!ask(named(&[2]), &before));
        assert!(ask(DownloadChoice::All, &BTreeSet::new()));
        let (none, empty) = (BTreeSet::new(), BTreeSet::new());
        let snapshot = at(0, None, &none, &empty);
        assert!(
            charge(&open(None), Resolution::Web, &DownloadChoice::All, snapshot)
                .map_or(true, |c| !c.completes_gallery)
        );
    }

    #[test]
    fn a_request_holds_at_most_the_request_maximum() {
        let none = BTreeSet::new();
        let max = MAX_PHOTOS_PER_REQUEST as u16;
        let big: BTreeSet<PhotoId> = (0..=max).map(photo).collect();
        let snapshot = at(0, None, &none, &big);
        assert_eq!(
            charge(&open(None), Resolution::Web, &DownloadChoice::All, snapshot),
            Err(DownloadRefusal::TooManyPhotos)
        );
        let full: BTreeSet<PhotoId> = (0..max).map(photo).collect();
        let snapshot = at(0, None, &none, &full);
        let accepted =
            charge(&open(None), Resolution::Web, &DownloadChoice::All, snapshot).unwrap();
        assert_eq!(accepted.used_after, u32::from(max));
    }

    #[test]
    fn requests_wait_while_too_many_are_being_prepared() {
        let (none, ready) = (BTreeSet::new(), gallery());
        let busy = DownloadSnapshot {
            pending: MAX_PENDING_REQUESTS,
            ..at(0, None, &none, &ready)
        };
        assert_eq!(
            charge(&open(None), Resolution::Web, &named(&[1]), busy),
            Err(DownloadRefusal::TooManyPending)
        );
        let one_less = DownloadSnapshot {
            pending: MAX_PENDING_REQUESTS - 1,
            ..busy
        };
        assert!(charge(&open(None), Resolution::Web, &named(&[1]), one_less).is_ok());
    }

    #[test]
    fn remaining_is_never_negative_after_a_lowered_limit() {
        let (none, ready) = (BTreeSet::new(), gallery());
        assert_eq!(usage(7, Some(5)).remaining(), Some(0));
        assert_eq!(usage(7, None).remaining(), None);
        assert_eq!(
            charge(
                &open(Some(5)),
                Resolution::Web,
                &named(&[1]),
                at(7, Some(5), &none, &ready)
            ),
            Err(DownloadRefusal::LimitReached { remaining: 0 })
        );
    }

    #[test]
    fn downloaded_photos_stay_and_win_over_selection() {
        let states = manager_states(&photos(&[1, 2]), &photos(&[2, 3]));
        assert_eq!(states[&photo(1)], DownloadState::Selected);
        assert_eq!(states[&photo(2)], DownloadState::Downloaded);
        assert_eq!(states[&photo(3)], DownloadState::Downloaded);
        assert_eq!(may_unselect(photo(1), &photos(&[2, 3])), Ok(()));
        assert_eq!(
            may_unselect(photo(2), &photos(&[2, 3])),
            Err(AlreadyDownloaded)
        );
    }

    #[test]
    fn an_unsent_request_is_left_to_its_caller_for_the_grace_period() {
        let sent_by_anyone =
            |status, enqueued_at, age| left_unsent(status, enqueued_at, 1_000, 1_000 + age);
        assert!(!sent_by_anyone(
            DownloadStatus::Queued,
            None,
            UNSENT_GRACE_SECS - 1
        ));
        assert!(sent_by_anyone(
            DownloadStatus::Queued,
            None,
            UNSENT_GRACE_SECS
        ));
        assert!(!sent_by_anyone(DownloadStatus::Queued, Some(1_000), 3_600));
        assert!(!sent_by_anyone(DownloadStatus::Ready, None, 3_600));
    }

    #[test]
    fn a_retry_repeats_a_request_only_when_it_asks_for_the_same() {
        let photos = |ids: &[u128]| {
            DownloadChoice::Photos(
                ids.iter()
                    .map(|n| PhotoId::from_uuid(Uuid::from_u128(*n)))
                    .collect(),
            )
        };
        let web_one = AskFingerprint::of(Resolution::Web, &photos(&[1]));
        assert!(web_one.repeats(Some(AskFingerprint::of(Resolution::Web, &photos(&[1])))));
        // The case: the same key, another resolution and more photos.
        assert!(!AskFingerprint::of(Resolution::High, &photos(&[1, 2, 3])).repeats(Some(web_one)));
        assert!(!AskFingerprint::of(Resolution::High, &photos(&[1])).repeats(Some(web_one)));
        assert!(!AskFingerprint::of(Resolution::Web, &photos(&[1, 2])).repeats(Some(web_one)));
        let selected = AskFingerprint::of(Resolution::Web, &DownloadChoice::Selected);
        let all = AskFingerprint::of(Resolution::Web, &DownloadChoice::All);
        assert_ne!(selected, all);
        assert!(!selected.repeats(Some(web_one)));
        // Photos are a set: their order in the body doesn't make another request.
        assert_eq!(
            AskFingerprint::of(Resolution::Web, &photos(&[3, 1, 2])),
            AskFingerprint::of(Resolution::Web, &photos(&[1, 2, 3]))
        );
        // Requests stored before fingerprints were kept.
        assert!(web_one.repeats(None));
    }

    #[test]
    fn idempotency_keys_name_one_request_per_grant() {
        let grant = |n| GrantId::from_uuid(Uuid::from_bytes([n; 16]));
        let key = IdempotencyKey::parse("9f1c-retry-1").unwrap();
        assert_eq!(key.request_id(grant(1)), key.request_id(grant(1)));
        assert_ne!(key.request_id(grant(1)), key.request_id(grant(2)));
        let other = IdempotencyKey::parse("9f1c-retry-2").unwrap();
        assert_ne!(key.request_id(grant(1)), other.request_id(grant(1)));
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("has space").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(256)).is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(255)).is_ok());
    }

    proptest! {
        /// Whatever is chosen and already downloaded, an accepted charge never passes the limit,
        /// charges exactly the new photos, and a refusal happens only when they don't fit.
        #[test]
        fn an_accepted_charge_never_passes_the_limit(
            chosen in proptest::collection::btree_set(0u16..40, 0..30),
            downloaded in proptest::collection::btree_set(0u16..40, 0..30),
            used in 0u32..40,
            limit in proptest::option::of(0u32..40),
        ) {
            let chosen: BTreeSet<PhotoId> = chosen.into_iter().map(photo).collect();
            let downloaded: BTreeSet<PhotoId> = downloaded.into_iter().map(photo).collect();
            let ready = gallery();
            let new = chosen.difference(&downloaded).count() as u32;
            let choice = DownloadChoice::Photos(chosen.clone());
            match charge(&open(limit), Resolution::Web, &choice, at(used, limit, &downloaded, &ready)) {
                Ok(c) => {
                    prop_assert_eq!(c.used_after, used + new);
                    prop_assert!(c.newly_charged.is_disjoint(&downloaded));
                    prop_assert!(c.newly_charged.is_subset(&chosen));
                    prop_assert_eq!(&c.photos, &chosen);
                    if let Some(limit) = limit {
                        prop_assert!(new == 0 || c.used_after <= limit);
                    }
                }
                Err(DownloadRefusal::NothingChosen) => prop_assert!(chosen.is_empty()),
                Err(DownloadRefusal::LimitReached { remaining }) => {
                    let limit = limit.expect("only a limited grant is refused");
                    prop_assert_eq!(remaining, limit.saturating_sub(used));
                    prop_assert!(new > remaining);
                }
                Err(other) => prop_assert!(false, "unexpected refusal {other:?}"),
            }
        }

        /// Charges applied one after another, as the store serialises them, never take `used`
        /// past the limit, and each photo is charged at most once in all.
        #[test]
        fn a_sequence_of_requests_charges_each_photo_once(
            requests in proptest::collection::vec(proptest::collection::btree_set(0u16..30, 1..8), 1..12),
            limit in proptest::option::of(0u32..25),
        ) {
            let ready = gallery();
            let mut downloaded = BTreeSet::new();
            let mut used = 0;
            let mut charged_total = 0;
            for chosen in requests {
                let choice = DownloadChoice::Photos(chosen.into_iter().map(photo).collect());
                if let Ok(c) = charge(&open(limit), Resolution::Web, &choice, at(used, limit, &downloaded, &ready)) {
                    prop_assert_eq!(c.used_before, used);
                    charged_total += c.newly_charged.len() as u32;
                    downloaded.extend(c.newly_charged);
                    used = c.used_after;
                }
            }
            prop_assert_eq!(used, charged_total);
            prop_assert_eq!(used as usize, downloaded.len());
            if let Some(limit) = limit {
                prop_assert!(used <= limit);
            }
        }
    }
}
