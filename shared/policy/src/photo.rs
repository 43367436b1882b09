//! A photo's life: `uploading` → `ready` | `rejected`, settled once by the ingest worker.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoStatus {
    /// The upload URL was issued; the file has not been validated yet.
    Uploading,
    /// Validated and rendered: thumbnail and preview exist, clean and watermarked.
    Ready,
    /// Not a usable image (the reason is kept for the photographer).
    Rejected,
}

impl PhotoStatus {
    /// Clients only ever see photos that were validated and rendered.
    pub fn visible_to_clients(self) -> bool {
        self == Self::Ready
    }

    /// Only a ready photo has renditions (to show, or to render again with a new watermark).
    pub fn has_renditions(self) -> bool {
        self == Self::Ready
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ready_photos_reach_clients() {
        assert!(PhotoStatus::Ready.visible_to_clients());
        assert!(!PhotoStatus::Uploading.visible_to_clients());
        assert!(!PhotoStatus::Rejected.visible_to_clients());
    }
}
