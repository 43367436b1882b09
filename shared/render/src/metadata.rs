//! What a photo's EXIF block says about it: how to turn it, and when it was taken. The block is
//! the one the decoder already read (the TIFF structure of a JPEG's APP1 `Exif` segment or a
//! PNG's `eXIf` chunk); nothing reads the file again.

use ::exif::{DateTime, Field, In, Reader, Tag, Value};
use image::metadata::Orientation;

/// The orientation (`NoTransforms` when absent or unreadable) and the capture time.
pub(crate) fn facts(tiff: Option<&[u8]>) -> (Orientation, Option<u64>) {
    let Some(tiff) = tiff else {
        return (Orientation::NoTransforms, None);
    };
    let orientation = Orientation::from_exif_chunk(tiff).unwrap_or(Orientation::NoTransforms);
    (orientation, capture_time(tiff))
}

/// When the photo was taken, in Unix seconds: `DateTimeOriginal`, at the offset of
/// `OffsetTimeOriginal` when the camera recorded one (else read as UTC: most cameras record
/// local time and no zone, and a gallery's photos share the camera's clock, which is what their
/// order needs). `None` when the block has no such date or an unusable one (blank, malformed,
/// an impossible day, before 1970): never a reason to refuse a photo. A damaged entry elsewhere
/// in the block (a maker note, say) does not hide a readable date.
pub fn capture_time(tiff: &[u8]) -> Option<u64> {
    let exif = match Reader::new()
        .continue_on_error(true)
        .read_raw(tiff.to_vec())
    {
        Ok(exif) => exif,
        Err(e) => e.distill_partial_result(|_| {}).ok()?,
    };
    let mut taken =
        DateTime::from_ascii(ascii(exif.get_field(Tag::DateTimeOriginal, In::PRIMARY)?)?).ok()?;
    if let Some(offset) = exif
        .get_field(Tag::OffsetTimeOriginal, In::PRIMARY)
        .and_then(ascii)
    {
        // A malformed offset reads as none: the local time is still the best we have.
        if taken.parse_offset(offset).is_err() {
            taken.offset = None;
        }
    }
    let local = chrono::NaiveDate::from_ymd_opt(
        i32::from(taken.year),
        u32::from(taken.month),
        u32::from(taken.day),
    )?
    .and_hms_opt(
        u32::from(taken.hour),
        u32::from(taken.minute),
        u32::from(taken.second),
    )?;
    let offset_secs = i64::from(taken.offset.unwrap_or(0)) * 60;
    u64::try_from(local.and_utc().timestamp() - offset_secs).ok()
}

/// The first string of an ASCII field.
fn ascii(field: &Field) -> Option<&[u8]> {
    match &field.value {
        Value::Ascii(strings) => strings.first().map(Vec::as_slice),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little-endian TIFF block: IFD0 pointing at an Exif IFD with these ASCII entries.
    fn tiff(entries: &[(u16, &[u8])]) -> Vec<u8> {
        let mut out = b"II*\0".to_vec();
        out.extend_from_slice(&8u32.to_le_bytes());
        // IFD0: one entry, the Exif IFD pointer (LONG), then no next IFD.
        let exif_ifd = 8 + 2 + 12 + 4;
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&0x8769u16.to_le_bytes());
        out.extend_from_slice(&4u16.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&(exif_ifd as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        // The Exif IFD; values longer than 4 bytes go after it.
        let mut data_at = exif_ifd + 2 + 12 * entries.len() + 4;
        let mut data = Vec::new();
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        for (tag, value) in entries {
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&2u16.to_le_bytes()); // ASCII
            out.extend_from_slice(&(value.len() as u32).to_le_bytes());
            if value.len() <= 4 {
                let mut inline = value.to_vec();
                inline.resize(4, 0);
                out.extend_from_slice(&inline);
            } else {
                out.extend_from_slice(&(data_at as u32).to_le_bytes());
                data.extend_from_slice(value);
                data_at += value.len();
            }
        }
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&data);
        out
    }

    const DATE: u16 = 0x9003;
    const OFFSET: u16 = 0x9011;

    #[test]
    fn the_original_date_is_read_at_its_offset() {
        // 2024-06-01 12:30:15 UTC is 1717245015.
        let utc = tiff(&[(DATE, b"2024:06:01 12:30:15\0")]);
        assert_eq!(capture_time(&utc), Some(1_717_245_015));
        let paris = tiff(&[(DATE, b"2024:06:01 14:30:15\0"), (OFFSET, b"+02:00\0")]);
        assert_eq!(capture_time(&paris), Some(1_717_245_015));
        let quito = tiff(&[(DATE, b"2024:06:01 07:30:15\0"), (OFFSET, b"-05:00\0")]);
        assert_eq!(capture_time(&quito), Some(1_717_245_015));
    }

    #[test]
    fn unusable_dates_are_none() {
        for date in [
            &b"0000:00:00 00:00:00\0"[..],
            b"                   \0",
            b"2024:13:01 12:00:00\0",
            b"2024:02:30 12:00:00\0",
            b"2024-06-01 12:30:15\0",
            b"1969:12:31 23:59:59\0",
            b"2024:06\0",
        ] {
            assert_eq!(capture_time(&tiff(&[(DATE, date)])), None, "{date:?}");
        }
        assert_eq!(capture_time(&tiff(&[])), None);
        assert_eq!(capture_time(b"not a tiff block"), None);
        assert_eq!(capture_time(&[]), None);
        // A malformed offset leaves the local time read as UTC.
        let odd = tiff(&[(DATE, b"2024:06:01 12:30:15\0"), (OFFSET, b"02h00\0")]);
        assert_eq!(capture_time(&odd), Some(1_717_245_015));
    }

    #[test]
    fn the_orientation_and_the_date_come_from_one_block() {
        assert_eq!(facts(None), (Orientation::NoTransforms, None));
        let block = tiff(&[(DATE, b"2024:06:01 12:30:15\0")]);
        assert_eq!(
            facts(Some(&block)),
            (Orientation::NoTransforms, Some(1_717_245_015))
        );
    }

    #[test]
    fn cut_blocks_are_undated_not_errors() {
        let block = tiff(&[(DATE, b"2024:06:01 12:30:15\0"), (OFFSET, b"+02:00\0")]);
        for cut in 0..block.len() {
            // Any prefix: a date or none, never a panic.
            let _ = capture_time(&block[..cut]);
        }
    }
}
