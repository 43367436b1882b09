//! The download worker against moto: an accepted request becomes ZIPs in S3 with the right
//! files, an email with links, and `/d/{token}` → 302 → the ZIP; redelivery, a dead worker,
//! poison messages, bad photos, revocation, expiry, splitting and the rendition cache.

use std::io::{Cursor, Read};

use proofsheet_app::Clock;
use proofsheet_app::messages::Message;
use proofsheet_policy::{DownloadRequestId, GrantId};
use proofsheet_tests::*;
use serde_json::{Value, json};

/// A gallery with one private link (downloads on, every resolution) and the link's path.
pub(crate) struct Setup {
    pub anna: Photographer,
    pub gallery: String,
    pub grant_id: String,
    pub path: String,
    pub email: String,
}

pub(crate) async fn setup(t: &TestApp, settings: Value) -> Setup {
    setup_titled(t, "Smith wedding", settings).await
}

pub(crate) async fn setup_titled(t: &TestApp, title: &str, settings: Value) -> Setup {
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, title).await;
    client(t, &anna, &gallery, settings).await
}

/// Another client's private link on `gallery`, `settings` over the download-friendly defaults.
pub(crate) async fn client(
    t: &TestApp,
    anna: &Photographer,
    gallery: &str,
    settings: Value,
) -> Setup {
    let email = unique_email("client");
    let mut body = json!({
        "email": email,
        "downloads_enabled": true,
        "download_resolutions": ["web", "high", "original"],
    });
    for (k, v) in settings.as_object().unwrap() {
        body[k] = v.clone();
    }
    let grant = t.create_private_access(anna, gallery, body).await;
    assert_eq!(grant.status, 201, "{grant:?}");
    Setup {
        anna: anna.clone(),
        gallery: gallery.to_owned(),
        grant_id: grant.json["grant_id"].as_str().unwrap().to_owned(),
        path: client_path(grant.json["link"].as_str().unwrap()),
        email,
    }
}

/// Asks for `photos` at `resolution`; returns the request id.
pub(crate) async fn request(
    t: &TestApp,
    s: &Setup,
    resolution: &str,
    photos: &[&str],
    key: &str,
) -> String {
    let accepted = t
        .create_download_request(
            &s.path,
            None,
            Some(key),
            json!({ "resolution": resolution, "photo_ids": photos }),
        )
        .await;
    assert_eq!(accepted.status, 202, "{accepted:?}");
    accepted.json["request_id"].as_str().unwrap().to_owned()
}

pub(crate) async fn status(t: &TestApp, s: &Setup, request: &str) -> Value {
    let reply = t.get_download_request(&s.path, None, request).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json
}

/// (name, bytes) of every entry, in the ZIP's order.
pub(crate) fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).expect("a ZIP");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            assert_eq!(file.compression(), zip::CompressionMethod::Stored);
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            (file.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

fn dimensions(jpeg: &[u8]) -> (u32, u32) {
    let img = image::load_from_memory(jpeg).expect("an image");
    (img.width(), img.height())
}

pub(crate) fn zip_links(status: &Value) -> Vec<String> {
    status["zips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["link"].as_str().unwrap().to_owned())
        .collect()
}

/// A photo whose top-left quarter is red and the rest grey: where red ends up shows the
/// orientation.
fn marked_corner(width: u32, height: u32) -> Vec<u8> {
    encode_jpeg(&image::RgbImage::from_fn(width, height, |x, y| {
        if x < width / 4 && y < height / 4 {
            image::Rgb([230, 20, 20])
        } else {
            image::Rgb([120, 120, 120])
        }
    }))
}

fn is_red(p: &image::Rgb<u8>) -> bool {
    p[0] > 180 && p[1] < 80 && p[2] < 80
}

#[tokio::test]
async fn a_request_becomes_a_zip_an_email_and_a_link_that_serves_it() {
    let t = TestApp::spawn().await;
    let s = setup(&t, json!({})).await;
    let big = t
        .seed_photo(&s.anna, &s.gallery, "IMG_0001.JPG", jpeg(3000, 2000))
        .await;
    let twin = t
        .seed_photo(&s.anna, &s.gallery, "IMG_0001.JPG", jpeg(900, 600))
        .await;
    // Stored 400×200 with orientation 6 (rotate 90° clockwise): shown 200×400, red top-right.
    let turned = t
        .seed_photo(
            &s.anna,
            &s.gallery,
            "../../etc/portrait.png",
            with_exif_orientation(&marked_corner(400, 200), 6),
        )
        .await;
    let id = request(&t, &s, "web", &[&big, &twin, &turned], "one").await;
    assert_eq!(status(&t, &s, &id).await["status"], "queued");

    assert_eq!(t.drain_downloads().await, 1);
    let done = status(&t, &s, &id).await;
    assert_eq!(done["status"], "ready", "{done}");
    assert_eq!(done["progress"], json!({ "done": 3, "total": 3 }));
    assert_eq!(done["left_out"], json!([]));
    let links = zip_links(&done);
    assert_eq!(links.len(), 1, "{done}");
    assert_eq!(done["link"], links[0]);
    assert_eq!(
        done["zips"][0]["file_name"], "Smith wedding - web.zip",
        "{done}"
    );
    assert!(done["links_expire_at"].is_string(), "{done}");

    // The email names the gallery and the count, and carries the same link.
    let mails = t.emails_to(&s.email).await;
    let mail = mails
        .iter()
        .find(|m| m["subject"].as_str().unwrap_or_default().contains("ready"))
        .unwrap_or_else(|| panic!("no download email: {mails:?}"));
    let body = mail["body"].as_str().unwrap_or_default();
    assert!(body.contains(&links[0]), "{body}");
    assert!(
        body.contains("Smith wedding") && body.contains("3 photos"),
        "{body}"
    );

    // The link redirects to a short presigned GET that saves the ZIP under its name.
    let (reply, zip) = t.fetch_zip(&links[0]).await;
    let location = reply.headers["location"].to_str().unwrap();
    assert!(
        location.contains("response-content-disposition=attachment"),
        "{location}"
    );
    assert!(
        location.contains("Smith%2520wedding%2520-%2520web.zip")
            || location.contains("Smith%20wedding%20-%20web.zip"),
        "{location}"
    );
    assert!(location.contains("X-Amz-Expires=300"), "{location}");
    // Entries go in as they finish rendering, so look them up by name.
    let files: std::collections::BTreeMap<String, Vec<u8>> =
        entries(&zip.expect("the ZIP")).into_iter().collect();
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(names, ["IMG_0001 (2).JPG", "IMG_0001.JPG", "portrait.jpg"]);
    // Names follow the request's order: the first of the twins (the large one) keeps its name.
    let size = |name: &str| dimensions(&files[name]);
    // Web: the long edge is 2048, and nothing is upscaled.
    assert_eq!(size("IMG_0001.JPG"), (2048, 1365));
    assert_eq!(size("IMG_0001 (2).JPG"), (900, 600));
    // Orientation baked in: shown upright, the red corner at the top right.
    let upright = image::load_from_memory(&files["portrait.jpg"])
        .unwrap()
        .to_rgb8();
    assert_eq!(upright.dimensions(), (200, 400));
    assert!(is_red(upright.get_pixel(190, 10)), "top right is red");
    assert!(!is_red(upright.get_pixel(10, 10)), "top left is not");
}

#[tokio::test]
async fn resolutions_size_the_files_and_the_watermark_is_there_only_when_the_link_says_so() {
    let t = TestApp::spawn().await;
    let clean = setup(&t, json!({ "downloads_watermarked": false })).await;
    let photo = t
        .seed_photo(
            &clean.anna,
            &clean.gallery,
            "a.jpg",
            marked_corner(5000, 2500),
        )
        .await;
    let marked = client(
        &t,
        &clean.anna,
        &clean.gallery,
        json!({ "downloads_watermarked": true }),
    )
    .await;
    let ids = [
        (request(&t, &clean, "high", &[&photo], "h").await, &clean),
        (
            request(&t, &clean, "original", &[&photo], "o").await,
            &clean,
        ),
        (request(&t, &marked, "high", &[&photo], "hw").await, &marked),
    ];
    assert_eq!(t.drain_downloads().await, 3);
    let mut files = Vec::new();
    for (id, s) in &ids {
        let done = status(&t, s, id).await;
        let (_, zip) = t.fetch_zip(&zip_links(&done)[0]).await;
        files.push(entries(&zip.unwrap()).remove(0).1);
    }
    let [high, original, high_marked] = &files[..] else {
        unreachable!()
    };
    assert_eq!(dimensions(high), (4096, 2048));
    // `original` without a watermark is the photographer's file, byte for byte.
    let stored = t
        .object(&format!("originals/{}/{photo}", clean.gallery))
        .await
        .unwrap();
    assert_eq!(original, &stored);

    // Same size, different pixels where the mark sits (bottom right), the same elsewhere.
    assert_eq!(dimensions(high_marked), (4096, 2048));
    let a = image::load_from_memory(high).unwrap().to_rgb8();
    let b = image::load_from_memory(high_marked).unwrap().to_rgb8();
    let difference = |x0: u32, y0: u32, x1: u32, y1: u32| -> f64 {
        let mut sum = 0u64;
        for y in y0..y1 {
            for x in x0..x1 {
                let (p, q) = (a.get_pixel(x, y), b.get_pixel(x, y));
                sum += (0..3).map(|c| p[c].abs_diff(q[c]) as u64).sum::<u64>();
            }
        }
        sum as f64 / f64::from((x1 - x0) * (y1 - y0) * 3)
    };
    let corner = difference(3000, 1600, 4096, 2048);
    let elsewhere = difference(1000, 400, 2000, 1000);
    assert!(corner > 5.0, "the mark changes the corner: {corner}");
    assert!(elsewhere < 1.0, "and nothing else: {elsewhere}");
}

#[tokio::test]
async fn a_redelivered_message_makes_no_second_zip_and_no_second_email() {
    let t = TestApp::spawn().await;
    let s = setup(&t, json!({})).await;
    let photo = t
        .seed_photo(&s.anna, &s.gallery, "a.jpg", jpeg(800, 600))
        .await;
    let id = request(&t, &s, "web", &[&photo], "k").await;
    assert_eq!(t.drain_downloads().await, 1);
    let zip_key = format!("zips/{}/{id}/1.zip", s.gallery);
    let first = t.object(&zip_key).await.expect("the ZIP");
    let emails = t.emails_to(&s.email).await.len();

    // The same message twice more (SQS delivers at least once; the sweep may resend).
    let message = Message::PrepareDownload {
        grant_id: GrantId::parse(&s.grant_id).unwrap(),
        request_id: DownloadRequestId::parse(&id).unwrap(),
    };
    t.app
        .send(
            &t.provisioned.download_queue_url,
            &[message.clone(), message],
        )
        .await
        .unwrap();
    assert_eq!(t.drain_downloads().await, 2);
    assert_eq!(t.emails_to(&s.email).await.len(), emails, "no second email");
    assert_eq!(
        t.stored_keys(&format!("zips/{}/", s.gallery)).await,
        std::slice::from_ref(&zip_key)
    );
    assert_eq!(
        t.object(&zip_key).await.unwrap(),
        first,
        "the ZIP untouched"
    );
    assert_eq!(status(&t, &s, &id).await["status"], "ready");
}

#[tokio::test]
async fn a_worker_that_died_mid_job_is_replaced_once_its_lease_lapses() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(now)).await;
    let s = setup(&t, json!({})).await;
    let photo = t
        .seed_photo(&s.anna, &s.gallery, "a.jpg", jpeg(800, 600))
        .await;
    let id = request(&t, &s, "web", &[&photo], "k").await;
    let grant = GrantId::parse(&s.grant_id).unwrap();
    let request_id = DownloadRequestId::parse(&id).unwrap();

    // A worker claims it, as the first delivery would, and dies before finishing.
    let lease = t.app.config().download_lease.as_secs();
    let claimed = t
        .app
        .store()
        .claim_download_request(grant, request_id, now, lease)
        .await
        .unwrap();
    assert!(matches!(
        claimed,
        proofsheet_store::DownloadClaim::Claimed(_)
    ));

    // While its lease runs, another delivery leaves it to the (presumed live) worker.
    assert_eq!(t.drain_downloads().await, 1);
    assert_eq!(status(&t, &s, &id).await["status"], "rendering");
    assert!(
        t.emails_to(&s.email)
            .await
            .iter()
            .all(|m| !m["subject"].as_str().unwrap_or_default().contains("ready"))
    );

    // The message comes back after the visibility timeout; by then the lease has lapsed.
    t.app.clock().advance(lease + 1);
    let message = Message::PrepareDownload {
        grant_id: grant,
        request_id,
    };
    t.app
        .send(&t.provisioned.download_queue_url, &[message])
        .await
        .unwrap();
    assert_eq!(t.drain_downloads().await, 1);
    let done = status(&t, &s, &id).await;
    assert_eq!(done["status"], "ready", "{done}");
    let (_, zip) = t.fetch_zip(&zip_links(&done)[0]).await;
    assert_eq!(entries(&zip.unwrap()).len(), 1);
}

#[tokio::test]
async fn a_poison_message_is_reported_failed_and_the_queue_sends_it_to_the_dlq() {
    let t = TestApp::spawn().await;
    let poison = |id: &str, body: &str| {
        let mut m = aws_lambda_events::event::sqs::SqsMessage::default();
        m.message_id = Some(id.into());
        m.body = Some(body.into());
        m
    };
    let mut event = aws_lambda_events::event::sqs::SqsEvent::default();
    event.records = vec![
        poison("not-json", "not json"),
        poison(
            "ingest-job",
            r#"{"job":"rerender_gallery","gallery_id":"0190a8d2-8e5c-7c3e-9d55-111111111111"}"#,
        ),
        // A request that doesn't exist (revoked meanwhile): done, not failed.
        poison(
            "gone",
            r#"{"job":"prepare_download","grant_id":"0190a8d2-8e5c-7c3e-9d55-111111111111","request_id":"0190a8d2-8e5c-7c3e-9d55-222222222222"}"#,
        ),
    ];
    let response = proofsheet_workers::runner::handle_batch::<
        proofsheet_workers::download::PrepareDownloads,
    >(&t.app, event)
    .await;
    let mut failed: Vec<&str> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    failed.sort_unstable();
    assert_eq!(failed, ["ingest-job", "not-json"]);

    // A failed message comes back until its receive count passes maxReceiveCount (5), then
    // the queue moves it to the dead-letter queue (receives made visible again at once).
    let sdk = proofsheet_store::load_sdk_config().await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let queue = &t.provisioned.download_queue_url;
    sqs.send_message()
        .queue_url(queue)
        .message_body("not json")
        .send()
        .await
        .unwrap();
    for _ in 0..6 {
        sqs.receive_message()
            .queue_url(queue)
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
    }
    let dlq = queue.replace("-download", "-download-dlq");
    assert_eq!(
        t.depth_of(&dlq).await.0,
        1,
        "the poison message is in the DLQ"
    );
}

#[tokio::test]
async fn a_photo_that_fails_to_render_is_left_out_named_and_given_back() {
    let t = TestApp::spawn().await;
    let s = setup(&t, json!({ "download_limit": 5 })).await;
    let good = t
        .seed_photo(&s.anna, &s.gallery, "good.jpg", jpeg(640, 480))
        .await;
    let mut cut = jpeg(640, 480);
    cut.truncate(cut.len() / 2);
    let broken = t.seed_photo(&s.anna, &s.gallery, "broken.jpg", cut).await;
    let gone = t
        .seed_photo(&s.anna, &s.gallery, "gone.jpg", jpeg(64, 48))
        .await;
    let id = request(&t, &s, "web", &[&good, &broken, &gone], "k").await;
    assert_eq!(t.get_downloads(&s.path, None).await.json["used"], 3);
    // Deleted between the request and its rendering.
    assert_eq!(t.delete_photo(&s.anna, &s.gallery, &gone).await.status, 204);

    assert_eq!(t.drain_downloads().await, 1);
    let done = status(&t, &s, &id).await;
    assert_eq!(done["status"], "ready", "{done}");
    let left: Vec<(&str, &str)> = done["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["photo_id"].as_str().unwrap(),
                l["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        left.contains(&(broken.as_str(), "truncated_image")),
        "{done}"
    );
    assert!(left.contains(&(gone.as_str(), "missing")), "{done}");
    assert_eq!(done["charged"], 1, "{done}");
    // Given back: only the delivered photo counts.
    let manager = t.get_downloads(&s.path, None).await.json;
    assert_eq!(manager["used"], 1, "{manager}");
    assert_eq!(manager["remaining"], 4, "{manager}");
    let (_, zip) = t.fetch_zip(&zip_links(&done)[0]).await;
    let names: Vec<String> = entries(&zip.unwrap()).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["good.jpg"]);
    let mails = t.emails_to(&s.email).await;
    assert!(
        mails.iter().any(|m| m["body"]
            .as_str()
            .unwrap_or_default()
            .contains("broken.jpg")),
        "the email names what was left out: {mails:?}"
    );

    // Nothing renderable at all: failed, everything given back, and the client told.
    let only_broken = request(&t, &s, "web", &[&broken], "k2").await;
    assert_eq!(t.drain_downloads().await, 1);
    let failed = status(&t, &s, &only_broken).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["link"], Value::Null);
    assert_eq!(t.get_downloads(&s.path, None).await.json["used"], 1);
}

#[tokio::test]
async fn a_revoked_grant_or_an_expired_link_serves_nothing() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let t = TestApp::spawn_with_clock(&[("DOWNLOAD_LINK_TTL_DAYS", "7")], Clock::fixed(now)).await;
    let s = setup(&t, json!({})).await;
    let photo = t
        .seed_photo(&s.anna, &s.gallery, "a.jpg", jpeg(640, 480))
        .await;
    let id = request(&t, &s, "web", &[&photo], "k").await;
    assert_eq!(t.drain_downloads().await, 1);
    let link = zip_links(&status(&t, &s, &id).await).remove(0);
    assert_eq!(t.fetch_zip(&link).await.0.status, 302);

    // A forged or altered token is unknown.
    let mut forged = link.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(t.fetch_zip(&forged).await.0.status, 404);

    // Past its lifetime: 410.
    t.app.clock().advance(7 * 24 * 3600 + 1);
    let (expired, _) = t.fetch_zip(&link).await;
    assert_eq!(expired.status, 410, "{expired:?}");
    assert_eq!(expired.error_code(), "expired");

    // Revoked: 404, whatever the date.
    t.app.clock().advance(0);
    let s2 = setup(&t, json!({})).await;
    let photo = t
        .seed_photo(&s2.anna, &s2.gallery, "b.jpg", jpeg(640, 480))
        .await;
    let id = request(&t, &s2, "web", &[&photo], "k").await;
    assert_eq!(t.drain_downloads().await, 1);
    let link = zip_links(&status(&t, &s2, &id).await).remove(0);
    assert_eq!(t.fetch_zip(&link).await.0.status, 302);
    let revoked = t
        .delete_private_access(&s2.anna, &s2.gallery, &s2.grant_id)
        .await;
    assert_eq!(revoked.status, 204);
    assert_eq!(t.fetch_zip(&link).await.0.status, 404);
}

#[tokio::test]
async fn a_download_past_the_zip_size_is_split_into_zips_that_each_have_a_link() {
    let t = TestApp::spawn_with(&[("DOWNLOAD_ZIP_MAX_BYTES", "700000")]).await;
    let s = setup(&t, json!({})).await;
    let mut photos = Vec::new();
    for i in 0..5 {
        // Noisy content, so each file is ~300 KB: two to a ZIP.
        let img = image::RgbImage::from_fn(700, 500, |x, y| {
            let v = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503) ^ i) as u8;
            image::Rgb([v, v.rotate_left(3), v.rotate_left(5)])
        });
        photos.push(
            t.seed_photo(&s.anna, &s.gallery, &format!("p{i}.jpg"), encode_jpeg(&img))
                .await,
        );
    }
    let ids: Vec<&str> = photos.iter().map(String::as_str).collect();
    let id = request(&t, &s, "original", &ids, "k").await;
    assert_eq!(t.drain_downloads().await, 1);
    let done = status(&t, &s, &id).await;
    let zips = done["zips"].as_array().unwrap();
    assert_eq!(zips.len(), 3, "{done}");
    let mut names = Vec::new();
    for (i, zip) in zips.iter().enumerate() {
        assert_eq!(
            zip["file_name"],
            format!("Smith wedding - original ({} of {}).zip", i + 1, zips.len())
        );
        assert!(zip["bytes"].as_u64().unwrap() <= 700_000, "{zip}");
        let (_, bytes) = t.fetch_zip(zip["link"].as_str().unwrap()).await;
        let bytes = bytes.unwrap();
        assert_eq!(bytes.len() as u64, zip["bytes"].as_u64().unwrap());
        names.extend(entries(&bytes).into_iter().map(|(n, _)| n));
    }
    names.sort();
    assert_eq!(names, ["p0.jpg", "p1.jpg", "p2.jpg", "p3.jpg", "p4.jpg"]);
    let mails = t.emails_to(&s.email).await;
    let body = mails
        .iter()
        .map(|m| m["body"].as_str().unwrap_or_default())
        .find(|b| b.contains("/d/"))
        .expect("the email");
    for link in zip_links(&done) {
        assert!(body.contains(&link), "every ZIP's link in the email");
    }
}

#[tokio::test]
async fn a_second_request_uses_the_cached_rendition_until_the_watermark_changes() {
    let t = TestApp::spawn().await;
    let s = setup(&t, json!({ "downloads_watermarked": true })).await;
    let photo = t
        .seed_photo(&s.anna, &s.gallery, "a.jpg", jpeg(1200, 800))
        .await;
    let first = request(&t, &s, "web", &[&photo], "1").await;
    assert_eq!(t.drain_downloads().await, 1);
    let cached = t
        .stored_keys(&format!("download-renditions/{}/{photo}/", s.gallery))
        .await;
    assert_eq!(cached.len(), 1, "{cached:?}");
    let (_, zip) = t
        .fetch_zip(&zip_links(&status(&t, &s, &first).await)[0])
        .await;
    let rendered = entries(&zip.unwrap()).remove(0).1;

    // With the original gone, only the cache can supply the photo: a hit, same bytes.
    let original = format!("originals/{}/{photo}", s.gallery);
    t.app
        .store()
        .delete_objects(std::slice::from_ref(&original))
        .await
        .unwrap();
    let second = request(&t, &s, "web", &[&photo], "2").await;
    assert_eq!(t.drain_downloads().await, 1);
    let done = status(&t, &s, &second).await;
    assert_eq!(done["left_out"], json!([]), "{done}");
    let (_, zip) = t.fetch_zip(&zip_links(&done)[0]).await;
    assert_eq!(entries(&zip.unwrap()).remove(0).1, rendered);

    // A new watermark is a new cache key: no stale mark is served (here: nothing to render
    // from, so the photo is left out rather than served with the old mark).
    let patched = t
        .update_gallery(
            &s.anna,
            &s.gallery,
            json!({ "watermark": { "text": "© New Studio" } }),
        )
        .await;
    assert_eq!(patched.status, 200, "{patched:?}");
    let third = request(&t, &s, "web", &[&photo], "3").await;
    assert_eq!(t.drain_downloads().await, 1);
    let done = status(&t, &s, &third).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["left_out"][0]["reason"], "missing", "{done}");
}

#[tokio::test]
async fn a_request_whose_every_try_failed_is_given_up_refunded_and_the_client_told() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(now)).await;
    let s = setup(&t, json!({ "download_limit": 5 })).await;
    let photo = t
        .seed_photo(&s.anna, &s.gallery, "a.jpg", jpeg(64, 48))
        .await;
    let id = request(&t, &s, "web", &[&photo], "k").await;
    assert_eq!(t.get_downloads(&s.path, None).await.json["used"], 1);
    let grant = GrantId::parse(&s.grant_id).unwrap();
    let request_id = DownloadRequestId::parse(&id).unwrap();

    // Four workers took it and died (or failed) in turn, each after its lease.
    let lease = t.app.config().download_lease.as_secs();
    for _ in 0..proofsheet_policy::downloads::MAX_DOWNLOAD_ATTEMPTS {
        let claimed = t
            .app
            .store()
            .claim_download_request(grant, request_id, t.app.now(), lease)
            .await
            .unwrap();
        assert!(matches!(
            claimed,
            proofsheet_store::DownloadClaim::Claimed(_)
        ));
        t.app.clock().advance(lease + 1);
    }
    // The next delivery settles it instead of trying again.
    assert_eq!(t.drain_downloads().await, 1);
    let done = status(&t, &s, &id).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["left_out"][0]["reason"], "could_not_prepare", "{done}");
    assert_eq!(t.get_downloads(&s.path, None).await.json["used"], 0);
    let mails = t.emails_to(&s.email).await;
    assert!(
        mails.iter().any(|m| m["subject"]
            .as_str()
            .unwrap_or_default()
            .contains("could not be prepared")),
        "{mails:?}"
    );
    // And the client can ask again.
    let again = request(&t, &s, "web", &[&photo], "k2").await;
    assert_eq!(t.drain_downloads().await, 1);
    assert_eq!(status(&t, &s, &again).await["status"], "ready");
}
