//! Names one person writes and another reads (issue 20, item 6): a name can't hide what it
//! says or turn it around, on a page, in JSON or in an export, whether it was written after the
//! rule (cleaned when accepted) or stored before it (cleaned when shown); a favourites list
//! needs a name someone can see.

use proofsheet_tests::*;
use serde_json::{Value, json};

/// U+202E RIGHT-TO-LEFT OVERRIDE: `IMG_1\u{202E}gpj.exe` reads `IMG_1exe.jpg`.
const OVERRIDE: char = '\u{202E}';

/// Every character of the direction controls and the zero-width ones a test plants.
fn hides_or_turns(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{FEFF}')
    })
}

/// The `filename` of each photo in a list of photos.
fn filenames(photos: &Value) -> Vec<String> {
    photos
        .as_array()
        .expect("photos")
        .iter()
        .map(|p| p["filename"].as_str().expect("filename").to_owned())
        .collect()
}

/// Regression: a file name with U+202E was shown as given in the page's alt text and in the
/// JSON of both audiences, so `gpj.exe` read `exe.jpg`.
#[tokio::test]
async fn a_file_name_that_turns_around_reads_as_what_it_is() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t
        .create_gallery(&anna, &format!("Smith {OVERRIDE}gnidnaw\u{200B}"))
        .await;
    // Uploaded now: cleaned when accepted.
    let uploaded = t
        .upload(
            &anna,
            &gallery,
            &format!("IMG_1{OVERRIDE}gpj.exe"),
            jpeg(64, 48),
            "image/jpeg",
        )
        .await;
    t.drain_ingest().await;
    // Stored before the rule (written straight to the table): cleaned when shown.
    let stored = t
        .seed_photo(
            &anna,
            &gallery,
            &format!("\u{FEFF}IMG_2{OVERRIDE}gpj.exe"),
            jpeg(64, 48),
        )
        .await;

    let listed = t.list_photos(&anna, &gallery).await;
    assert_eq!(listed.status, 200, "{listed:?}");
    let mut names = filenames(&listed.json["photos"]);
    names.sort();
    assert_eq!(names, ["IMG_1gpj.exe", "IMG_2gpj.exe"], "{listed:?}");

    let invited = t
        .create_private_access(
            &anna,
            &gallery,
            json!({ "email": unique_email("carol"), "name": "Carol\u{200B}" }),
        )
        .await;
    assert_eq!(invited.status, 201, "{invited:?}");
    assert_eq!(invited.json["name"], "Carol");
    let path = client_path(invited.json["link"].as_str().unwrap());
    let view = t.view_gallery(&path, None).await;
    assert_eq!(view.status, 200, "{view:?}");
    assert_eq!(view.json["title"], "Smith gnidnaw", "{view:?}");
    let mut names = filenames(&view.json["photos"]);
    names.sort();
    assert_eq!(names, ["IMG_1gpj.exe", "IMG_2gpj.exe"], "{view:?}");

    let page = t.browse(&path, None).await;
    assert_eq!(page.status, 200, "{page:?}");
    let html = page.json.as_str().expect("the page");
    assert!(!hides_or_turns(html), "{html}");
    assert!(html.contains("alt=\"Photo IMG_1gpj.exe\""), "{html}");
    assert!(html.contains("alt=\"Photo IMG_2gpj.exe\""), "{html}");
    assert!(html.contains("<h1>Smith gnidnaw</h1>"), "{html}");

    // The photographer's exports show the stored name as safely.
    for photo in [&uploaded, &stored] {
        let added = t.add_favourite(&path, None, photo, Some("Album")).await;
        assert!(added.status < 300, "{added:?}");
    }
    let picked = t.list_gallery_favourites(&anna, &gallery, None).await;
    assert!(!hides_or_turns(&picked.json.to_string()), "{picked:?}");
    let lines = t
        .list_gallery_favourites(&anna, &gallery, Some("format=txt"))
        .await;
    let lines = lines.json.as_str().unwrap_or_default();
    assert!(lines.contains("IMG_2gpj"), "{lines:?}");
    assert!(!hides_or_turns(lines), "{lines:?}");
}

/// Regression: a list named only U+200B was accepted, and showed as nothing.
#[tokio::test]
async fn a_list_named_with_nothing_visible_is_refused() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "G").await;
    let photo = t.ready_photo(&anna, &gallery).await;
    let invited = t
        .create_private_access(&anna, &gallery, json!({ "email": unique_email("carol") }))
        .await;
    let path = client_path(invited.json["link"].as_str().unwrap());
    for invisible in [
        "\u{200B}",
        "\u{200B}\u{200D}\u{FEFF}",
        "\u{3164}",
        " \u{2800} ",
    ] {
        let refused = t.add_favourite(&path, None, &photo, Some(invisible)).await;
        assert_invalid(&refused, "list");
        let message = refused.json["message"].as_str().unwrap_or_default();
        assert!(message.contains("visible"), "{invisible:?}: {message}");
    }
    // Hidden characters around a visible name are dropped: it is the list "Album".
    let added = t
        .add_favourite(&path, None, &photo, Some("\u{200B}Album\u{202E}"))
        .await;
    assert!(added.status < 300, "{added:?}");
    let lists = t.list_favourites(&path, None).await;
    assert_eq!(lists.json["lists"][0]["name"], "Album", "{lists:?}");
    assert_eq!(lists.json["lists"].as_array().map(Vec::len), Some(1));
}
