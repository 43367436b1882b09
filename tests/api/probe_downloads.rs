//! Adversarial probes of the download worker and `/d/{token}` (issue 8): forged and altered
//! links, hostile names and originals, charges and refunds under redelivery and races, and
//! what a request that can never be prepared leaves behind. Tests that pin a property the
//! review found to hold stay as regression tests; the others demonstrate a finding.

use std::collections::BTreeSet;

use base64::Engine;
use proofsheet_app::Clock;
use proofsheet_app::messages::Message;
use proofsheet_policy::{DownloadRequestId, DownloadStatus, GrantId};
use proofsheet_tests::*;

use crate::download_worker::{
    Setup, client, entries, request, setup, setup_titled, status, zip_links,
};
use serde_json::{Value, json};

async fn used(t: &TestApp, s: &Setup) -> u64 {
    let manager = t.get_downloads(&s.path, None).await;
    assert_eq!(manager.status, 200, "{manager:?}");
    manager.json["used"].as_u64().unwrap()
}

fn ids(grant: &str, request: &str) -> (GrantId, DownloadRequestId) {
    (
        GrantId::parse(grant).unwrap(),
        DownloadRequestId::parse(request).unwrap(),
    )
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn left_out_reasons(done: &Value) -> Vec<(String, String)> {
    done["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["photo_id"].as_str().unwrap().to_owned(),
                l["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// `jpeg` with its frame header's (SOFn) marker code and size replaced.
fn patch_sof(jpeg: &[u8], marker: u8, width: u16, height: u16) -> Vec<u8> {
    let mut out = jpeg.to_vec();
    let at = out
        .windows(2)
        .position(|w| w[0] == 0xFF && (0xC0..=0xC2).contains(&w[1]))
        .expect("a frame header");
    out[at + 1] = marker;
    out[at + 5..at + 7].copy_from_slice(&height.to_be_bytes());
    out[at + 7..at + 9].copy_from_slice(&width.to_be_bytes());
    out
}

/// A noisy JPEG at a low quality: small on disk, large once rendered again at quality 90.
fn low_quality_noise(width: u32, height: u32, quality: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        let v = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)).rotate_left(7) as u8;
        image::Rgb([v, v.rotate_left(3), v.rotate_left(5)])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&img)
        .unwrap();
    out
}

// ---------------------------------------------------------------------------------------------
// 1. /d/{token}
// ---------------------------------------------------------------------------------------------

/// Holds: only the exact (grant, request, ZIP) a link was signed for opens, and every other
/// token (altered, re-signed for another grant or ZIP, malformed, a share token) is the same
/// plain 404 an unknown token gets.
#[tokio::test]
async fn probe_download_links_open_only_their_own_zip() {
    let t = TestApp::spawn().await;
    let a = setup(&t, json!({})).await;
    let b = client(&t, &a.anna, &a.gallery, json!({})).await;
    let photo = t
        .seed_photo(&a.anna, &a.gallery, "a.jpg", jpeg(320, 240))
        .await;
    let ra = request(&t, &a, "web", &[&photo], "a").await;
    let rb = request(&t, &b, "web", &[&photo], "b").await;
    assert_eq!(t.drain_downloads().await, 2);
    let link = zip_links(&status(&t, &a, &ra).await).remove(0);
    assert_eq!(t.fetch_zip(&link).await.0.status, 302);
    let (ga, qa) = ids(&a.grant_id, &ra);
    let (gb, qb) = ids(&b.grant_id, &rb);
    let secrets = t.app.secrets().unwrap();
    let base = link.split("/d/").next().unwrap().to_owned();
    let d = |token: String| format!("{base}/d/{token}");

    let unknown = t
        .fetch_zip(&d(secrets
            .download_link(
                GrantId::parse(&uuid::Uuid::now_v7().to_string()).unwrap(),
                qa,
                1,
            )
            .encode()))
        .await
        .0;
    assert_eq!(unknown.status, 404, "{unknown:?}");

    let token = link.rsplit('/').next().unwrap().to_owned();
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&token)
        .unwrap();
    let reencode = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let mut other_grant_same_mac = raw.clone();
    other_grant_same_mac[..16].copy_from_slice(gb.as_uuid().as_bytes());
    let mut other_zip_same_mac = raw.clone();
    other_zip_same_mac[33] = 2;
    let link_token = a.path.rsplit('/').next().unwrap().to_owned();
    let cases: Vec<(&str, String)> = vec![
        ("other grant, same MAC", d(reencode(&other_grant_same_mac))),
        ("other zip, same MAC", d(reencode(&other_zip_same_mac))),
        // Authentic, but not this grant's request: B's grant naming A's request and back.
        (
            "B signed for A's request",
            d(secrets.download_link(gb, qa, 1).encode()),
        ),
        (
            "A signed for B's request",
            d(secrets.download_link(ga, qb, 1).encode()),
        ),
        ("zip 0", d(secrets.download_link(ga, qa, 0).encode())),
        ("zip 2 of 1", d(secrets.download_link(ga, qa, 2).encode())),
        (
            "zip 65535",
            d(secrets.download_link(ga, qa, u16::MAX).encode()),
        ),
        ("truncated", d(token[..87].to_owned())),
        ("padded", d(format!("{token}="))),
        ("extended", d(format!("{token}AAAA"))),
        ("case flipped", d(token.to_ascii_uppercase())),
        ("share token", d(link_token.clone())),
        ("empty-ish", d("A".repeat(88))),
    ];
    let mut cases = cases;
    // The standard base64 alphabet spells '-' as '+' (its '/' for '_' would split the path,
    // which the router answers as no route at all).
    let standard = token.replace('-', "+");
    if standard != token {
        cases.push(("standard alphabet", d(standard)));
    }
    for (name, url) in cases {
        let (reply, _) = t.fetch_zip(&url).await;
        assert_eq!(
            (reply.status, &reply.json),
            (unknown.status, &unknown.json),
            "{name}: a forged token must look like an unknown one"
        );
    }
    // A still-queued request's authentic link is unknown too (not 410, not 5xx).
    let pending = request(&t, &a, "high", &[&photo], "pending").await;
    let (_, qp) = ids(&a.grant_id, &pending);
    let reply = t
        .fetch_zip(&d(secrets.download_link(ga, qp, 1).encode()))
        .await
        .0;
    assert_eq!(reply.status, 404, "{reply:?}");
}

/// Holds: a gallery title (quotes, `;`, `../`, backslashes, right-to-left override) cannot add a
/// parameter to the saved file's Content-Disposition, pick a path, or disguise the extension;
/// CR/LF never gets into a title at all.
#[tokio::test]
async fn probe_a_hostile_title_cannot_shape_the_saved_file_name() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let crlf = t
        .create_gallery_raw(&anna, json!({ "title": "Smith\r\nBcc: x@evil.test" }))
        .await;
    assert_eq!(crlf.status, 422, "{crlf:?}");
    let title = "..\\../\"; filename=evil.exe; x=\"\u{202E}piz.exe";
    let s = setup_titled(&t, title, json!({})).await;
    let photo = t
        .seed_photo(&s.anna, &s.gallery, "a.jpg", jpeg(320, 240))
        .await;
    let id = request(&t, &s, "web", &[&photo], "k").await;
    assert_eq!(t.drain_downloads().await, 1);
    let done = status(&t, &s, &id).await;
    let file_name = done["zips"][0]["file_name"].as_str().unwrap().to_owned();
    assert!(file_name.ends_with(" - web.zip"), "{file_name}");
    assert!(
        !file_name.contains(['/', '\\', '"', '\u{202E}']),
        "{file_name:?}"
    );

    let (reply, _) = t.fetch_zip(&zip_links(&done)[0]).await;
    let location = reply.headers["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&t.endpoint), "{location}");
    let got = t.http.get(&location).send().await.unwrap();
    assert!(got.status().is_success());
    let disposition = got.headers()["content-disposition"]
        .to_str()
        .expect("visible ASCII")
        .to_owned();
    // Exactly: attachment; filename="<one quoted string>"; filename*=UTF-8''<percent-encoded>.
    // The title's `; filename=evil.exe` stays inside the quoted string (RFC 6266) and is
    // percent-encoded in `filename*`, which browsers prefer.
    let rest = disposition
        .strip_prefix("attachment; filename=\"")
        .expect(&disposition);
    let (fallback, rest) = rest.split_once('"').expect(&disposition);
    let encoded = rest
        .strip_prefix("; filename*=UTF-8''")
        .expect(&disposition);
    assert!(!encoded.contains([';', '"', ' ', '/']), "{disposition}");
    assert!(fallback.ends_with(" - web.zip"), "{disposition}");
    assert!(encoded.ends_with("%20-%20web.zip"), "{disposition}");
    assert!(!fallback.contains(['/', '\\']), "{disposition}");
}

// ---------------------------------------------------------------------------------------------
// 2. ZIP entry names
// ---------------------------------------------------------------------------------------------

/// Holds: photographers' file names (paths, device names, controls, bidi, 300 characters,
/// case-only duplicates) unzip as safe, distinct files in the ZIP's folder.
#[tokio::test]
async fn probe_hostile_file_names_unzip_as_distinct_safe_files() {
    let t = TestApp::spawn().await;
    let s = setup(&t, json!({ "downloads_watermarked": false })).await;
    let long = format!("{}.jpg", "ä".repeat(300));
    let names = [
        "../../evil.jpg",
        "..\\..\\evil.jpg",
        "/etc/cron.d/evil",
        "C:\\Windows\\System32\\evil.jpg",
        "a\r\nb\u{0}.jpg",
        "CON.jpg",
        "photo\u{202E}gpj.exe",
        "..",
        "",
        long.as_str(),
        "IMG.jpg",
        "img.JPG",
        "Img.jpg",
        "IMG (2).jpg",
    ];
    let mut photos = Vec::new();
    for name in names {
        photos.push(t.seed_photo(&s.anna, &s.gallery, name, jpeg(32, 24)).await);
    }
    let chosen: Vec<&str> = photos.iter().map(String::as_str).collect();
    for resolution in ["web", "original"] {
        let id = request(&t, &s, resolution, &chosen, resolution).await;
        assert_eq!(t.drain_downloads().await, 1);
        let done = status(&t, &s, &id).await;
        assert_eq!(done["status"], "ready", "{done}");
        let (_, zip) = t.fetch_zip(&zip_links(&done)[0]).await;
        let got: Vec<String> = entries(&zip.unwrap()).into_iter().map(|(n, _)| n).collect();
        assert_eq!(got.len(), names.len(), "{got:?}");
        let folded: BTreeSet<String> = got.iter().map(|n| n.to_lowercase()).collect();
        assert_eq!(folded.len(), got.len(), "unique ignoring case: {got:?}");
        for name in &got {
            assert!(
                !name.is_empty()
                    && name.chars().count() <= 150
                    && !name.starts_with('.')
                    && !name.contains(['/', '\\', ':'])
                    && !name
                        .chars()
                        .any(|c| c.is_control() || ('\u{202A}'..='\u{202E}').contains(&c))
                    && !name.to_ascii_uppercase().starts_with("CON."),
                "{name:?}"
            );
        }
    }
}

/// FINDING: two photos whose names differ only in Unicode normalisation (NFC "café" from
/// Windows/Lightroom, NFD "café" from a macOS Finder export) keep both names, which macOS
/// (APFS/HFS+ are normalisation-insensitive) takes for one file: unzipping overwrites a photo
/// or stops to ask.
#[test]
fn probe_names_equal_after_unicode_normalisation_are_numbered() {
    let nfc = "caf\u{E9}.jpg";
    let nfd = "cafe\u{301}.jpg";
    let names = proofsheet_policy::archive::entry_names([nfc, nfd], false);
    let canonical = |n: &str| n.replace("e\u{301}", "\u{E9}").to_lowercase();
    assert_ne!(
        canonical(&names[0]),
        canonical(&names[1]),
        "{names:?} unzip as the same file on macOS"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Charges and refunds
// ---------------------------------------------------------------------------------------------

/// FINDING: a photo in two pending requests is charged by the first only. When the first leaves
/// it out, its refund gives the charge back although the second request delivered the photo:
/// the client holds the photo uncharged (and the manager no longer lists it as downloaded).
/// Realistic trigger: the photographer deletes (culls) a photo while both requests are queued,
/// and the uncharged request happens to run first (separate messages, parallel workers,
/// retries: SQS promises no order). Any other photo left out by one request but delivered by
/// another does the same (e.g. `original` copies bytes that `web` fails to render).
#[tokio::test]
async fn probe_a_refund_does_not_give_back_a_photo_another_request_delivers() {
    let t = TestApp::spawn().await;
    let s = setup(&t, json!({ "download_limit": 5 })).await;
    let good = t
        .seed_photo(&s.anna, &s.gallery, "good.jpg", jpeg(64, 48))
        .await;
    let culled = t
        .seed_photo(&s.anna, &s.gallery, "culled.jpg", jpeg(64, 48))
        .await;
    let first = request(&t, &s, "web", &[&good, &culled], "1").await;
    let second = request(&t, &s, "high", &[&culled], "2").await;
    assert_eq!(
        status(&t, &s, &second).await["charged"],
        0,
        "downloaded already"
    );
    assert_eq!(used(&t, &s).await, 2);
    // Take both messages off the queue and deliver them in the other order.
    assert_eq!(t.download_messages().await.len(), 2);
    let deliver = |request: &str| {
        let (grant_id, request_id) = ids(&s.grant_id, request);
        Message::PrepareDownload {
            grant_id,
            request_id,
        }
    };
    t.app
        .send(&t.provisioned.download_queue_url, &[deliver(&second)])
        .await
        .unwrap();
    assert_eq!(t.drain_downloads().await, 1);
    let second = status(&t, &s, &second).await;
    assert_eq!(second["status"], "ready", "{second}");
    let (_, zip) = t.fetch_zip(&zip_links(&second)[0]).await;
    let delivered: Vec<String> = entries(&zip.unwrap()).into_iter().map(|(n, _)| n).collect();
    assert_eq!(delivered, ["culled.jpg"], "the client has the photo");

    assert_eq!(
        t.delete_photo(&s.anna, &s.gallery, &culled).await.status,
        204
    );
    t.app
        .send(&t.provisioned.download_queue_url, &[deliver(&first)])
        .await
        .unwrap();
    assert_eq!(t.drain_downloads().await, 1);
    let first = status(&t, &s, &first).await;
    assert_eq!(
        left_out_reasons(&first),
        [(culled.clone(), "missing".to_owned())]
    );

    let manager = t.get_downloads(&s.path, None).await.json;
    assert_eq!(
        manager["used"], 2,
        "both delivered photos must count, but the refund gave one back: {manager}"
    );
}

/// Holds: a worker whose lease lapsed and was replaced can record nothing and refund nothing,
/// and a redelivery after the outcome changes nothing either: a refund happens exactly once.
#[tokio::test]
async fn probe_a_replaced_worker_or_a_redelivery_never_refunds_twice() {
    let now = now_secs();
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(now)).await;
    let s = setup(&t, json!({ "download_limit": 5 })).await;
    let good = t
        .seed_photo(&s.anna, &s.gallery, "good.jpg", jpeg(64, 48))
        .await;
    let broken = t
        .seed_photo(&s.anna, &s.gallery, "broken.jpg", b"not an image".to_vec())
        .await;
    let id = request(&t, &s, "web", &[&good, &broken], "k").await;
    let (grant, request_id) = ids(&s.grant_id, &id);
    let lease = t.app.config().download_lease.as_secs();
    let store = t.app.store();
    let stale = match store
        .claim_download_request(grant, request_id, now, lease)
        .await
        .unwrap()
    {
        proofsheet_store::DownloadClaim::Claimed(request) => request,
        other => panic!("{other:?}"),
    };
    t.app.clock().advance(lease + 1);
    let message = Message::PrepareDownload {
        grant_id: grant,
        request_id,
    };
    t.app
        .send(
            &t.provisioned.download_queue_url,
            std::slice::from_ref(&message),
        )
        .await
        .unwrap();
    t.drain_downloads().await;
    let done = status(&t, &s, &id).await;
    assert_eq!(done["status"], "ready", "{done}");
    assert_eq!(used(&t, &s).await, 1, "the broken photo given back once");

    // The replaced worker now tries to record its own outcome, refunding everything.
    let stale_outcome = proofsheet_store::FinishedDownload {
        status: DownloadStatus::Failed,
        zips: Vec::new(),
        left_out: Vec::new(),
        charged: Vec::new(),
        refunded: 2,
        photos_done: 0,
        finished_at: now,
        links_expire_at: None,
    };
    for attempt in [stale.attempts, stale.attempts + 1] {
        let grant_record = store.grant(grant).await.unwrap().unwrap();
        let recorded = store
            .finish_download_request(
                grant,
                request_id,
                attempt,
                &stale_outcome,
                grant_record.download_requests,
            )
            .await
            .unwrap();
        assert_eq!(
            recorded,
            proofsheet_store::Finish::ClaimLost,
            "attempt {attempt} recorded over a finished request"
        );
    }
    t.app
        .send(
            &t.provisioned.download_queue_url,
            &[message.clone(), message],
        )
        .await
        .unwrap();
    t.drain_downloads().await;
    assert_eq!(used(&t, &s).await, 1);
    assert_eq!(status(&t, &s, &id).await["status"], "ready");
}

// ---------------------------------------------------------------------------------------------
// 4. Worker robustness
// ---------------------------------------------------------------------------------------------

/// FINDING: renditions are cached unbounded but read back under the *upload* cap
/// (`max_original_bytes`). A high-resolution original saved at a low JPEG quality renders (at
/// quality 90) into a file larger than the cap; the first request succeeds and caches it, and
/// from then on every request for that photo at that resolution, by any client of the gallery,
/// fails with `TooLarge`, is retried into the DLQ, and stays `rendering`: charged, never
/// emailed, counting towards the 20 pending requests.
#[tokio::test]
async fn probe_a_cached_rendition_larger_than_the_upload_cap_does_not_wedge_later_requests() {
    let original = low_quality_noise(1600, 1200, 10);
    // An upload cap a quarter above the original: it was a legitimate upload.
    let cap = original.len() as u64 * 5 / 4;
    let t = TestApp::spawn_with(&[("MAX_UPLOAD_BYTES", &cap.to_string())]).await;
    let first = setup(&t, json!({ "downloads_watermarked": false })).await;
    assert!(
        (original.len() as u64) < cap,
        "the original fits the cap: {}",
        original.len()
    );
    let photo = t
        .seed_photo(&first.anna, &first.gallery, "dsc.jpg", original)
        .await;
    let id = request(&t, &first, "high", &[&photo], "1").await;
    assert_eq!(t.drain_downloads().await, 1);
    assert_eq!(status(&t, &first, &id).await["status"], "ready");
    let cached = t
        .stored_keys(&format!("download-renditions/{}/{photo}/", first.gallery))
        .await;
    let rendition = t.object(&cached[0]).await.unwrap();
    assert!(
        rendition.len() as u64 > cap,
        "precondition: the rendition ({} bytes) is over the cap",
        rendition.len()
    );

    // Another client of the same gallery asks for the same photo.
    let second = client(
        &t,
        &first.anna,
        &first.gallery,
        json!({ "downloads_watermarked": false }),
    )
    .await;
    let id = request(&t, &second, "high", &[&photo], "2").await;
    assert_eq!(t.drain_downloads().await, 1);
    let done = status(&t, &second, &id).await;
    assert_eq!(
        done["status"], "ready",
        "the cached rendition must serve (or be replaced), not fail the job: {done}"
    );
}

/// Holds: hostile originals (empty, text, header bombs, truncated, a fake arithmetic-coded and a
/// zero-height frame, HEIC) are each left out with a reason, and never crash or stall the job;
/// odd but valid ones (a PNG named .jpg, CMYK, progressive) are delivered; only those count.
#[tokio::test]
async fn probe_hostile_originals_are_left_out_with_a_reason() {
    let t = TestApp::spawn().await;
    let s = setup(&t, json!({ "download_limit": 50 })).await;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.decode(s).unwrap();
    let base = jpeg(64, 48);
    let mut cut = jpeg(640, 480);
    cut.truncate(cut.len() / 2);
    let mut heic = vec![0, 0, 0, 24];
    heic.extend_from_slice(b"ftypheic");
    heic.extend_from_slice(&[0; 12]);
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("empty.jpg", Vec::new()),
        ("text.jpg", b"hello, this is not a photo".to_vec()),
        ("bomb.jpg", patch_sof(&base, 0xC0, 65_535, 65_535)),
        ("wide.jpg", patch_sof(&base, 0xC0, 20_001, 1)),
        ("bomb.png", bomb_png(60_000, 60_000)),
        ("cut.jpg", cut),
        ("arith.jpg", patch_sof(&base, 0xC9, 64, 48)),
        ("zero.jpg", patch_sof(&base, 0xC0, 64, 0)),
        ("iphone.jpg", heic),
    ];
    let good: Vec<(&str, Vec<u8>)> = vec![
        ("png-named.jpg", png(64, 48)),
        ("cmyk.jpg", b64(CMYK_JPEG)),
        ("progressive.jpg", b64(PROGRESSIVE_JPEG)),
        ("plain.jpg", base.clone()),
    ];
    let mut bad_ids = Vec::new();
    for (name, bytes) in bad {
        bad_ids.push(t.seed_photo(&s.anna, &s.gallery, name, bytes).await);
    }
    let mut good_ids = Vec::new();
    for (name, bytes) in &good {
        good_ids.push(t.seed_photo(&s.anna, &s.gallery, name, bytes.clone()).await);
    }
    let all: Vec<&str> = bad_ids
        .iter()
        .chain(&good_ids)
        .map(String::as_str)
        .collect();
    let id = request(&t, &s, "high", &all, "k").await;
    let started = std::time::Instant::now();
    assert_eq!(t.drain_downloads().await, 1);
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
    let done = status(&t, &s, &id).await;
    assert_eq!(done["status"], "ready", "{done}");
    let left: Vec<(String, String)> = left_out_reasons(&done);
    let left_ids: BTreeSet<&str> = left.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        left_ids,
        bad_ids.iter().map(String::as_str).collect::<BTreeSet<_>>(),
        "{done}"
    );
    for (_, reason) in &left {
        assert!(
            !reason.is_empty() && reason != "internal" && reason != "decoder_panicked",
            "{done}"
        );
    }
    assert_eq!(done["charged"], good.len(), "{done}");
    assert_eq!(used(&t, &s).await, good.len() as u64);
    let (_, zip) = t.fetch_zip(&zip_links(&done)[0]).await;
    let got: BTreeSet<String> = entries(&zip.unwrap())
        .into_iter()
        .map(|(n, bytes)| {
            assert!(image::load_from_memory(&bytes).is_ok(), "{n} is a JPEG");
            n
        })
        .collect();
    assert_eq!(got.len(), good.len(), "{got:?}");
}

/// Holds: a message naming a request under another grant (or a grant with someone else's
/// request id) finds nothing: no ZIP, no email, no charge moved, and the real request is
/// unaffected.
#[tokio::test]
async fn probe_a_message_for_another_grants_request_does_nothing() {
    let t = TestApp::spawn().await;
    let a = setup(&t, json!({})).await;
    let b = client(&t, &a.anna, &a.gallery, json!({})).await;
    let photo = t
        .seed_photo(&a.anna, &a.gallery, "a.jpg", jpeg(64, 48))
        .await;
    // Both requests exist; only the crossed messages are handled first.
    let ra = request(&t, &a, "web", &[&photo], "a").await;
    let queued = t.download_messages().await;
    assert_eq!(queued.len(), 1);
    let (ga, qa) = ids(&a.grant_id, &ra);
    let gb = GrantId::parse(&b.grant_id).unwrap();
    t.app
        .send(
            &t.provisioned.download_queue_url,
            &[
                Message::PrepareDownload {
                    grant_id: gb,
                    request_id: qa,
                },
                Message::PrepareDownload {
                    grant_id: ga,
                    request_id: DownloadRequestId::parse(&uuid::Uuid::now_v7().to_string())
                        .unwrap(),
                },
            ],
        )
        .await
        .unwrap();
    assert_eq!(t.drain_downloads().await, 2);
    assert_eq!(status(&t, &a, &ra).await["status"], "queued");
    assert!(
        t.stored_keys(&format!("zips/{}/", a.gallery))
            .await
            .is_empty()
    );
    assert!(
        t.emails_to(&a.email)
            .await
            .iter()
            .all(|m| !m["body"].as_str().unwrap_or_default().contains("/d/"))
    );
    assert!(
        t.emails_to(&b.email)
            .await
            .iter()
            .all(|m| !m["body"].as_str().unwrap_or_default().contains("/d/"))
    );
    assert_eq!(
        t.get_download_request(&b.path, None, &ra).await.status,
        404,
        "B can't see A's request"
    );
    // The real message still works.
    t.app
        .send(
            &t.provisioned.download_queue_url,
            &[Message::PrepareDownload {
                grant_id: ga,
                request_id: qa,
            }],
        )
        .await
        .unwrap();
    assert_eq!(t.drain_downloads().await, 1);
    assert_eq!(status(&t, &a, &ra).await["status"], "ready");
}

/// Holds: a gallery deleted before its request is rendered leaves no ZIP, cache or email.
#[tokio::test]
async fn probe_a_request_of_a_deleted_gallery_leaves_nothing_behind() {
    let t = TestApp::spawn().await;
    let s = setup(&t, json!({})).await;
    let photo = t
        .seed_photo(&s.anna, &s.gallery, "a.jpg", jpeg(64, 48))
        .await;
    request(&t, &s, "web", &[&photo], "k").await;
    assert_eq!(t.delete_gallery(&s.anna, &s.gallery).await.status, 204);
    t.drain_downloads().await;
    for prefix in ["zips/", "download-renditions/"] {
        let left = t.stored_keys(&format!("{prefix}{}/", s.gallery)).await;
        assert!(left.is_empty(), "{left:?}");
    }
    assert!(t.emails_to(&s.email).await.iter().all(|m| {
        !m["subject"]
            .as_str()
            .unwrap_or_default()
            .contains("download")
    }));
}

// ---------------------------------------------------------------------------------------------
// 5. Emails
// ---------------------------------------------------------------------------------------------

/// Holds: the emailed links are exactly the status view's links, every one of them, in order.
#[tokio::test]
async fn probe_the_emailed_links_are_exactly_the_status_views() {
    let t = TestApp::spawn_with(&[("DOWNLOAD_ZIP_MAX_BYTES", "70000")]).await;
    let s = setup(&t, json!({ "downloads_watermarked": false })).await;
    let mut photos = Vec::new();
    for i in 0..3 {
        photos.push(
            t.seed_photo(
                &s.anna,
                &s.gallery,
                &format!("p{i}.jpg"),
                low_quality_noise(200, 150, 95),
            )
            .await,
        );
    }
    let chosen: Vec<&str> = photos.iter().map(String::as_str).collect();
    let id = request(&t, &s, "original", &chosen, "k").await;
    assert_eq!(t.drain_downloads().await, 1);
    let links = zip_links(&status(&t, &s, &id).await);
    assert!(links.len() > 1, "{links:?}");
    let mails = t.emails_to(&s.email).await;
    let body = mails
        .iter()
        .map(|m| m["body"].as_str().unwrap_or_default())
        .find(|b| b.contains("/d/"))
        .expect("the email");
    let in_mail: Vec<&str> = body
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .filter(|w| w.contains("/d/"))
        .collect();
    let mut unique: Vec<&str> = Vec::new();
    for link in in_mail {
        if !unique.contains(&link) {
            unique.push(link);
        }
    }
    assert_eq!(unique, links, "{body}");
}

/// FINDING (low): the title reaches the download email's subject with its bidirectional
/// controls (U+202E and friends), which the ZIP's name strips: a photographer can make the
/// platform's subject line display text other than what it says.
#[tokio::test]
async fn probe_the_download_email_subject_has_no_bidi_controls() {
    let t = TestApp::spawn().await;
    let s = setup_titled(&t, "Smith \u{202E}gnidnaw", json!({})).await;
    let photo = t
        .seed_photo(&s.anna, &s.gallery, "a.jpg", jpeg(64, 48))
        .await;
    request(&t, &s, "web", &[&photo], "k").await;
    assert_eq!(t.drain_downloads().await, 1);
    let mails = t.emails_to(&s.email).await;
    let subject = mails
        .iter()
        .map(|m| m["subject"].as_str().unwrap_or_default())
        .find(|s| s.contains("ready"))
        .expect("the download email")
        .to_owned();
    assert!(!subject.contains(['\r', '\n']), "{subject:?}");
    assert!(
        !subject.chars().any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')),
        "{subject:?}"
    );
}

/// 32×24 CMYK baseline JPEG (jpeg-encoder 0.6, Adobe APP14).
const CMYK_JPEG: &str = "/9j/4AAQSkZJRgABAgAAAQABAAD/7gAOQWRvYmUAAAAAAAAA/8AAFAgAGAAgBAARAQERAQIRAQMiAP/bAEMABQMEBAQDBQQEBAUFBQYHDAgHBwcHDwsLCQwRDxISEQ8RERMWHBcTFBoVEREYIRgaHR0fHx8TFyIkIh4kHB4fHv/bAEMBBQUFBwYHDggIDh4UERQeHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHv/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/EAB8BAAMBAQEBAQEBAQEAAAAAAAABAgMEBQYHCAkKC//EALURAAIBAgQEAwQHBQQEAAECdwABAgMRBAUhMQYSQVEHYXETIjKBCBRCkaGxwQkjM1LwFWJy0QoWJDThJfEXGBkaJicoKSo1Njc4OTpDREVGR0hJSlNUVVZXWFlaY2RlZmdoaWpzdHV2d3h5eoKDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uLj5OXm5+jp6vLz9PX29/j5+v/aAA4EABEBEQIRAwAAPwD9y46+0frf/ESf75+1n1XRRRX8ZcdfaD/iJP8AfAKKKK/s3jr7R/D/APrJje4BRRRX8ZcdfaD/AFkxvcAooor/2Q==";

/// 32×24 progressive JPEG (jpeg-encoder 0.6).
const PROGRESSIVE_JPEG: &str = "/9j/4AAQSkZJRgABAgAAAQABAAD/wgARCAAYACADACIAAREBAhEB/9sAQwAFAwQEBAMFBAQEBQUFBgcMCAcHBwcPCwsJDBEPEhIRDxERExYcFxMUGhURERghGBodHR8fHxMXIiQiHiQcHh8e/9sAQwEFBQUHBgcOCAgOHhQRFB4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4e/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oACAEAAAAAAPnje39/O397fzt/e3//2gAIAQERAAAA+y+d+X+c/9oACAECEQAAAPM/Z/46/Z//2gAIAQAAARQAsNE6fJVhonT5KsNE6fJ+lhonT5KsNE6fJVhonT5P0sNE6fJVhonT5KsdE6fJVjonT5KsdE6fJVjonT5P0//aAAgBAREBFADFZx5mKzjzMVjKhisZUP/aAAgBAhEBFADIs/21Miz/AG1MizCrpqZFmFXTU//aAAgBAAAVKQCqqqqqqqr/2gAIAQERFSkAAP/aAAgBAhEVKQAA/9oACAEAACo/AKqqqqqqqv/aAAgBAREqPwAA/9oACAECESo/AAD/2Q==";
