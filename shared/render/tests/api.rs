//! Error codes, configuration parsing and rendition geometry.

use std::collections::HashSet;

use proofsheet_render::{DecodeLimits, Mark, Position, RenderError, Watermark, target_size};
use proptest::prelude::*;

fn all_errors() -> Vec<RenderError> {
    vec![
        RenderError::NotAnImage,
        RenderError::UnsupportedFormat("GIF".into()),
        RenderError::TooLarge {
            width: 60_000,
            height: 60_000,
            max_width: 20_000,
            max_height: 20_000,
            max_pixels: 120_000_000,
        },
        RenderError::LimitExceeded("x".into()),
        RenderError::Corrupt("x".into()),
        RenderError::Truncated,
        RenderError::LogoInvalid("x".into()),
        RenderError::DecoderPanicked,
        RenderError::Internal("x".into()),
    ]
}

#[test]
fn error_codes_are_distinct_snake_case() {
    let errors = all_errors();
    let codes: HashSet<&str> = errors.iter().map(RenderError::code).collect();
    assert_eq!(codes.len(), errors.len());
    for code in codes {
        assert!(
            code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{code}"
        );
    }
}

#[test]
fn error_messages_read_as_sentences() {
    for err in all_errors() {
        let msg = err.to_string();
        assert!(msg.chars().next().is_some_and(char::is_uppercase), "{msg}");
        assert!(msg.ends_with('.'), "{msg}");
    }
    let too_large = &all_errors()[2];
    assert!(
        too_large.to_string().contains("120 megapixels"),
        "{too_large}"
    );
}

#[test]
fn only_internal_errors_are_retryable() {
    for err in all_errors() {
        assert_eq!(err.is_rejection(), !matches!(err, RenderError::Internal(_)));
    }
}

#[test]
fn default_limits_match_the_contract() {
    let limits = DecodeLimits::default();
    assert_eq!((limits.max_width, limits.max_height), (20_000, 20_000));
    assert_eq!(limits.max_pixels, 120_000_000);
    assert_eq!(limits.max_alloc_bytes, 1 << 30);
}

#[test]
fn position_is_snake_case_and_defaults_to_bottom_right() {
    assert_eq!(Position::default(), Position::BottomRight);
    assert_eq!(
        serde_json::to_string(&Position::TopLeft).unwrap(),
        "\"top_left\""
    );
    let p: Position = serde_json::from_str("\"bottom_right\"").unwrap();
    assert_eq!(p, Position::BottomRight);
}

#[test]
fn watermark_config_fills_defaults() {
    let wm: Watermark = serde_json::from_str(r#"{"mark":{"text":"© Jo"}}"#).unwrap();
    assert_eq!(wm, Watermark::text("© Jo"));
    assert_eq!(wm.position, Position::BottomRight);
    assert_eq!((wm.opacity, wm.scale), (0.5, 0.2));
    let wm: Watermark =
        serde_json::from_str(r#"{"mark":{"logo":[137,80]},"position":"center","opacity":1}"#)
            .unwrap();
    assert_eq!(wm.mark, Mark::Logo(vec![137, 80]));
    assert_eq!(wm.position, Position::Center);
}

proptest! {
    #[test]
    fn target_size_fits_never_upscales_and_keeps_aspect(
        w in 1u32..3000,
        h in 1u32..3000,
        long_edge in 1u32..4000,
    ) {
        let (tw, th) = target_size(w, h, long_edge);
        prop_assert!(tw >= 1 && th >= 1);
        prop_assert!(tw.max(th) <= long_edge.max(1));
        prop_assert!(tw <= w && th <= h);
        if w.max(h) <= long_edge {
            prop_assert_eq!((tw, th), (w, h));
        } else {
            prop_assert_eq!(tw.max(th), long_edge);
        }
        // Aspect within one pixel: the short edge is the exact scaled
        // value, rounded (and never below 1).
        let scale = f64::from(tw.max(th)) / f64::from(w.max(h));
        let exact_w = f64::from(w) * scale;
        let exact_h = f64::from(h) * scale;
        prop_assert!((f64::from(tw) - exact_w).abs() <= 1.0, "{} vs {}", tw, exact_w);
        prop_assert!((f64::from(th) - exact_h).abs() <= 1.0, "{} vs {}", th, exact_h);
    }

    #[test]
    fn target_size_for_the_real_specs(w in 1u32..3000, h in 1u32..3000) {
        for spec in [proofsheet_render::THUMBNAIL, proofsheet_render::PREVIEW] {
            let (tw, th) = target_size(w, h, spec.long_edge);
            prop_assert!(tw.max(th) <= spec.long_edge);
            prop_assert!(tw <= w && th <= h);
        }
    }
}
