//! S3's event notifications as they arrive in an SQS body: the part the workers need, read
//! leniently (emulators and event versions differ in the fields around it; moto omits
//! `userIdentity`, for one).

use serde::Deserialize;

/// One notification body: object events, or the test event S3 sends when a notification is
/// configured.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum S3Notification {
    Objects {
        #[serde(rename = "Records")]
        records: Vec<S3Record>,
    },
    Test {
        #[serde(rename = "Event")]
        event: S3TestEvent,
    },
}

#[derive(Debug, Deserialize)]
pub enum S3TestEvent {
    #[serde(rename = "s3:TestEvent")]
    Test,
}

#[derive(Debug, Deserialize)]
pub struct S3Record {
    s3: S3Entity,
}

#[derive(Debug, Deserialize)]
struct S3Entity {
    object: S3Object,
}

#[derive(Debug, Deserialize)]
struct S3Object {
    /// URL-encoded (form style, `+` for space), as S3 sends it.
    key: String,
}

impl S3Notification {
    /// The keys of the objects the notification is about, decoded (none for a test event).
    pub fn object_keys(&self) -> Vec<String> {
        match self {
            Self::Objects { records } => records
                .iter()
                .map(|r| decode_key(&r.s3.object.key))
                .collect(),
            Self::Test { .. } => Vec::new(),
        }
    }
}

fn decode_key(encoded: &str) -> String {
    percent_encoding::percent_decode_str(&encoded.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_keys_are_url_decoded() {
        assert_eq!(decode_key("uploads%2Fa%2Fb"), "uploads/a/b");
        assert_eq!(decode_key("logos/my+logo%2B1.png"), "logos/my logo+1.png");
    }

    #[test]
    fn the_test_event_has_no_objects() {
        let body = r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-30T00:00:00.000Z","Bucket":"b","RequestId":"r","HostId":"h"}"#;
        let event: S3Notification = serde_json::from_str(body).unwrap();
        assert!(matches!(event, S3Notification::Test { .. }));
        assert!(event.object_keys().is_empty());
    }
}
