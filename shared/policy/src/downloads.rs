//! What a download request may take and what it costs.
//!
//! Download limits are how photographers sell extra downloads, so the rule is exact: a photo
//! counts once, the first time it is in an accepted request, whatever the resolution; downloading
//! it again is free; a request that would pass the limit is refused whole. The policy computes the
//! charge from a snapshot (`used`, the photos already downloaded); the store writes it only if that
//! snapshot still holds, so concurrent requests can't both spend the same remainder.

use std::collections::BTreeSet;

use crate::{AccessSettings, PhotoId, Resolution};

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

/// Why a download request is refused. Nothing is charged for a refused request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DownloadRefusal {
    #[error("downloads are turned off for this gallery")]
    Disabled,
    #[error("the {0:?} resolution is not offered")]
    ResolutionNotAllowed(Resolution),
    #[error("no photos were chosen")]
    NothingChosen,
    #[error("the download limit would be passed: {remaining} photos remain")]
    LimitReached { remaining: u32 },
}

/// An accepted request: what to mark downloaded and the usage the store must write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadCharge {
    /// The chosen photos not downloaded before: each costs one.
    pub newly_charged: BTreeSet<PhotoId>,
    /// `used` before the charge; the store's write holds only while it is still this value.
    pub used_before: u32,
    pub used_after: u32,
}

/// Decides a download request from the grant's effective settings and a snapshot of its usage.
pub fn charge(
    settings: &AccessSettings,
    resolution: Resolution,
    chosen: &BTreeSet<PhotoId>,
    already_downloaded: &BTreeSet<PhotoId>,
    usage: DownloadUsage,
) -> Result<DownloadCharge, DownloadRefusal> {
    if !settings.downloads_enabled {
        return Err(DownloadRefusal::Disabled);
    }
    if !settings.download_resolutions.contains(&resolution) {
        return Err(DownloadRefusal::ResolutionNotAllowed(resolution));
    }
    if chosen.is_empty() {
        return Err(DownloadRefusal::NothingChosen);
    }
    let newly_charged: BTreeSet<PhotoId> = chosen.difference(already_downloaded).copied().collect();
    // At most 2,000 photos a gallery, so the count always fits.
    let cost = u32::try_from(newly_charged.len()).unwrap_or(u32::MAX);
    if let Some(remaining) = usage.remaining()
        && cost > remaining
    {
        return Err(DownloadRefusal::LimitReached { remaining });
    }
    Ok(DownloadCharge {
        newly_charged,
        used_before: usage.used,
        used_after: usage.used.saturating_add(cost),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn photo(n: u8) -> PhotoId {
        PhotoId::from_uuid(uuid::Uuid::from_bytes([n; 16]))
    }

    fn photos(ns: &[u8]) -> BTreeSet<PhotoId> {
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
    fn a_photo_counts_once_and_downloading_it_again_is_free() {
        let settings = open(Some(3));
        let c = charge(
            &settings,
            Resolution::High,
            &photos(&[1, 2, 3]),
            &photos(&[1, 2]),
            usage(2, Some(3)),
        )
        .unwrap();
        assert_eq!(c.newly_charged, photos(&[3]));
        assert_eq!((c.used_before, c.used_after), (2, 3));

        let again = charge(
            &settings,
            Resolution::Web,
            &photos(&[1, 2, 3]),
            &photos(&[1, 2, 3]),
            usage(3, Some(3)),
        )
        .unwrap();
        assert!(again.newly_charged.is_empty());
        assert_eq!(again.used_after, 3);
    }

    #[test]
    fn a_request_that_would_pass_the_limit_is_refused_whole() {
        let refused = charge(
            &open(Some(5)),
            Resolution::Web,
            &photos(&[1, 2, 3]),
            &BTreeSet::new(),
            usage(3, Some(5)),
        );
        assert_eq!(refused, Err(DownloadRefusal::LimitReached { remaining: 2 }));
    }

    #[test]
    fn refusals_for_settings_come_before_the_limit() {
        let mut off = open(Some(0));
        off.downloads_enabled = false;
        let one = photos(&[1]);
        let none = BTreeSet::new();
        assert_eq!(
            charge(&off, Resolution::Web, &one, &none, usage(0, Some(0))),
            Err(DownloadRefusal::Disabled)
        );
        assert_eq!(
            charge(
                &open(None),
                Resolution::Original,
                &one,
                &none,
                usage(0, None)
            ),
            Err(DownloadRefusal::ResolutionNotAllowed(Resolution::Original))
        );
        assert_eq!(
            charge(&open(None), Resolution::Web, &none, &none, usage(0, None)),
            Err(DownloadRefusal::NothingChosen)
        );
    }

    #[test]
    fn remaining_is_never_negative_after_a_lowered_limit() {
        assert_eq!(usage(7, Some(5)).remaining(), Some(0));
        assert_eq!(usage(7, None).remaining(), None);
        assert_eq!(
            charge(
                &open(Some(5)),
                Resolution::Web,
                &photos(&[1]),
                &BTreeSet::new(),
                usage(7, Some(5))
            ),
            Err(DownloadRefusal::LimitReached { remaining: 0 })
        );
    }

    proptest! {
        /// Whatever is chosen and already downloaded, an accepted charge never passes the limit,
        /// charges exactly the new photos, and a refusal happens only when they don't fit.
        #[test]
        fn an_accepted_charge_never_passes_the_limit(
            chosen in proptest::collection::btree_set(0u8..40, 0..30),
            downloaded in proptest::collection::btree_set(0u8..40, 0..30),
            used in 0u32..40,
            limit in proptest::option::of(0u32..40),
        ) {
            let chosen: BTreeSet<PhotoId> = chosen.into_iter().map(photo).collect();
            let downloaded: BTreeSet<PhotoId> = downloaded.into_iter().map(photo).collect();
            let new = chosen.difference(&downloaded).count() as u32;
            match charge(&open(limit), Resolution::Web, &chosen, &downloaded, usage(used, limit)) {
                Ok(c) => {
                    prop_assert_eq!(c.used_after, used + new);
                    prop_assert!(c.newly_charged.is_disjoint(&downloaded));
                    prop_assert!(c.newly_charged.is_subset(&chosen));
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
    }
}
