//! A photo's life: `uploading` → `ready` | `rejected`, settled once by the ingest worker.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoStatus {
    /// The upload URL was issued; the file has not been validated yet.
    Uploading,
    /// Validated and rendered: thumbnail, preview and grid sizes exist, clean and watermarked.
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

/// The widths the gallery's grid and cover may load a photo at (`srcset`), as WebP. A tile is
/// shown at its row's height times its ratio: from about 70 CSS px (a portrait on a phone) to
/// the whole row (a panorama, or a photo alone before a wide one), 358 CSS px on a 390 px phone,
/// which at 3 device pixels per CSS pixel needs 1074. Each step is at most 1.5 times the one
/// before, so a tile never loads more than 2.25 times the pixels it shows: a ladder of doublings
/// (240/480/960/1440) loaded up to four times, and Lighthouse counted the excess of a 190 CSS px
/// tile on its 1.75× phone (333 device px, served 480) against the page. Six steps keep each
/// photo at six URLs on the page (each one presigned).
pub const GRID_WIDTHS: [u32; 6] = [240, 360, 480, 720, 960, 1440];

/// The steps that name the file of a width that is no step (a photo narrower than the step
/// above its width): the first ladder's, which named every file before the half steps came, so
/// a photo rendered then keeps finding its files.
const FILE_STEPS: [u32; 4] = [240, 480, 960, 1440];

/// The longest edge of any grid size: the preview's. Every client of a link may load the grid
/// sizes, so none may show more of a photo than the preview does (a download at "web" size is
/// the same), whatever its shape.
pub const MAX_GRID_LONG_EDGE: u32 = 2048;

/// The grid widths a `width` × `height` photo is rendered at: the steps of [`GRID_WIDTHS`],
/// none wider than the photo (a narrow photo's widest is its own width) nor longer than
/// [`MAX_GRID_LONG_EDGE`] (a tall strip's widest is as wide as that allows), narrowest first.
pub fn grid_widths(width: u32, height: u32) -> Vec<u32> {
    let (width, height) = (width.max(1), height.max(1));
    let within_long_edge = u64::from(MAX_GRID_LONG_EDGE) * u64::from(width) / u64::from(height);
    let widest = u32::try_from(within_long_edge)
        .unwrap_or(u32::MAX)
        .min(width)
        .max(1);
    let mut widths: Vec<u32> = GRID_WIDTHS.iter().map(|&step| step.min(widest)).collect();
    widths.dedup();
    widths
}

/// The step of [`GRID_WIDTHS`] that names a grid width's file: a step names itself; a photo's own
/// narrower width is named by the narrowest of the first ladder's steps at least that wide
/// (`FILE_STEPS`, as before the half steps: a photo rendered then keeps its files' names).
/// Only a photo's widest can be no step, and its name is wider than every other width it has,
/// so each of a photo's widths has its own file; every file a photo may have is known without
/// its widths (to delete them all).
pub fn grid_step(width: u32) -> u32 {
    if GRID_WIDTHS.contains(&width) {
        return width;
    }
    FILE_STEPS
        .into_iter()
        .find(|&step| step >= width)
        .unwrap_or(FILE_STEPS[FILE_STEPS.len() - 1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_photo_gets_every_step_up_to_its_own_width() {
        assert_eq!(grid_widths(6000, 4000), vec![240, 360, 480, 720, 960, 1440]);
        assert_eq!(grid_widths(1440, 960), vec![240, 360, 480, 720, 960, 1440]);
        assert_eq!(grid_widths(1200, 800), vec![240, 360, 480, 720, 960, 1200]);
        assert_eq!(grid_widths(480, 320), vec![240, 360, 480]);
        assert_eq!(grid_widths(100, 100), vec![100]);
        assert_eq!(grid_widths(0, 0), vec![1]);
    }

    #[test]
    fn a_photo_rendered_before_the_half_steps_keeps_its_files_names() {
        // The first ladder (240/480/960/1440) named a 700 px photo's widest file by 960 and a
        // 300 px one's by 480: so do we, and every step names itself.
        assert_eq!(grid_step(700), 960);
        assert_eq!(grid_step(300), 480);
        assert_eq!(grid_step(1200), 1440);
        assert_eq!(grid_step(100), 240);
        for step in GRID_WIDTHS {
            assert_eq!(grid_step(step), step);
        }
    }

    #[test]
    fn no_grid_size_is_longer_than_the_preview() {
        // A 2:3 portrait: 1365 × 2048 at most, as its preview.
        assert_eq!(grid_widths(4000, 6000), vec![240, 360, 480, 720, 960, 1365]);
        // A 1:4 strip: 512 × 2048.
        assert_eq!(grid_widths(1500, 6000), vec![240, 360, 480, 512]);
        // A 1:20 strip: 102 × 2040.
        assert_eq!(grid_widths(1000, 20_000), vec![102]);
    }

    proptest! {
        #[test]
        fn grid_widths_rise_and_never_pass_the_photo_or_the_preview(
            width in 0u32..20_000,
            height in 0u32..20_000,
        ) {
            let widths = grid_widths(width, height);
            prop_assert!(!widths.is_empty());
            prop_assert!(widths.windows(2).all(|pair| pair[0] < pair[1]));
            prop_assert!(widths.iter().all(|&w| w <= width.max(1)));
            // No size is longer than the preview (its height rounded as the renderer does).
            for &w in &widths {
                let h = (u64::from(height.max(1)) * u64::from(w) + u64::from(width.max(1)) / 2)
                    / u64::from(width.max(1));
                prop_assert!(h <= u64::from(MAX_GRID_LONG_EDGE) || w == 1, "{w} x {h}");
            }
            // A landscape's widest is as wide as the grid ever needs, or the whole photo.
            if width >= height {
                prop_assert_eq!(*widths.last().unwrap(), width.clamp(1, 1440));
            }
            // Each width has a step of its own.
            let steps: Vec<u32> = widths.iter().map(|&w| grid_step(w)).collect();
            prop_assert!(steps.windows(2).all(|pair| pair[0] < pair[1]));
            prop_assert!(steps.iter().all(|step| GRID_WIDTHS.contains(step)));
        }
    }

    #[test]
    fn only_ready_photos_reach_clients() {
        assert!(PhotoStatus::Ready.visible_to_clients());
        assert!(!PhotoStatus::Uploading.visible_to_clients());
        assert!(!PhotoStatus::Rejected.visible_to_clients());
    }
}
