//! Identifiers. Ids are UUIDs, v7 for things listed in creation order (galleries, photos,
//! grants), so DynamoDB sort keys built from them sort by time. A grant id is also the public
//! half of its link: it only *finds* the grant; what makes a link unguessable is the
//! separate 256-bit verifier (see [`crate::tokens::LinkToken`]).

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

use crate::Invalid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps an id the caller generated (random or time-ordered UUID).
            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// Parses an id from a path parameter or stored value.
            pub fn parse(raw: &str) -> Result<Self, Invalid> {
                Uuid::try_parse(raw)
                    .map(Self)
                    .map_err(|_| Invalid::new($field, "not a valid id"))
            }

            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A photographer (the tenant: every other object belongs to exactly one).
    PhotographerId,
    "photographer_id"
);
uuid_id!(
    /// A gallery or sub-gallery.
    GalleryId,
    "gallery_id"
);
uuid_id!(
    /// A photo inside a gallery.
    PhotoId,
    "photo_id"
);
uuid_id!(
    /// An access grant: the gallery's general link or one client's private link.
    GrantId,
    "grant_id"
);
uuid_id!(
    /// A client's download request (one ZIP). Time-ordered, or derived from the client's
    /// `Idempotency-Key` so a retry finds the same request.
    DownloadRequestId,
    "request_id"
);
uuid_id!(
    /// A client login: a long-term client's access code on the photographer's login page.
    ClientLoginId,
    "login_id"
);
uuid_id!(
    /// A notification to the photographer. Time-ordered, so the newest sort last.
    NotificationId,
    "notification_id"
);
