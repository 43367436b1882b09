//! Client activity and milestones: views by people (not link previews, not HEAD) counted on
//! each private link without losing any under concurrency, favourites and downloads summed up,
//! each milestone recorded once per client and gallery with one notification and one email to
//! the photographer (also under ten concurrent first views), the CSV export safe to open in a
//! spreadsheet, and notifications paged, counted and read.

use futures::future::join_all;
use proofsheet_tests::*;
use serde_json::{Value, json};

/// A gallery with `photos` ready photos and a private link for a new client allowing
/// downloads (limited to `limit`); returns (gallery, link path, client email).
async fn shared_gallery(
    t: &TestApp,
    who: &Photographer,
    photos: usize,
    limit: Option<u32>,
) -> (String, String, String) {
    let gallery = t.create_gallery(who, "Smith wedding").await;
    for _ in 0..photos {
        t.ready_photo(who, &gallery).await;
    }
    let email = unique_email("ann");
    let grant = t
        .create_private_access(
            who,
            &gallery,
            json!({
                "email": email,
                "name": "Ann",
                "downloads_enabled": true,
                "download_resolutions": ["web"],
                "download_limit": limit,
            }),
        )
        .await;
    assert_eq!(grant.status, 201, "{grant:?}");
    (
        gallery,
        client_path(grant.json["link"].as_str().unwrap()),
        email,
    )
}

/// The activity row of the gallery's only client.
async fn only_client(t: &TestApp, who: &Photographer, gallery: &str) -> Value {
    let reply = t.gallery_activity(who, gallery, None).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let clients = reply.json["clients"].as_array().unwrap();
    assert_eq!(clients.len(), 1, "{reply:?}");
    clients[0].clone()
}

fn milestones(client: &Value) -> Vec<String> {
    client["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["milestone"].as_str().unwrap().to_owned())
        .collect()
}

async fn photographer_emails(t: &TestApp, who: &Photographer) -> Vec<Value> {
    t.emails_to(&format!("{}@example.com", who.slug)).await
}

#[tokio::test]
async fn every_milestone_is_reached_once_and_told_once() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (gallery, path, client_email) = shared_gallery(&t, &anna, 2, Some(5)).await;
    let photos: Vec<String> = t
        .photos(&anna, &gallery)
        .await
        .iter()
        .map(|p| p["photo_id"].as_str().unwrap().to_owned())
        .collect();

    // Two views: one first view.
    for _ in 0..2 {
        assert_eq!(t.view_gallery(&path, None).await.status, 200);
    }
    // Two lists started: one milestone; more photos on them: none.
    for list in [None, Some("Album"), None] {
        for photo in &photos {
            assert_eq!(t.add_favourite(&path, None, photo, list).await.status, 204);
        }
    }
    // A limited download of one photo, then of the other: the whole gallery, over two requests.
    for photo in &photos {
        let body = json!({ "resolution": "web", "photo_ids": [photo] });
        let accepted = t.create_download_request(&path, None, None, body).await;
        assert_eq!(accepted.status, 202, "{accepted:?}");
    }

    let client = only_client(&t, &anna, &gallery).await;
    assert_eq!(client["name"], "Ann");
    assert_eq!(client["view_count"], 2);
    assert!(client["first_view_at"].is_string());
    assert_eq!(client["favourites"], json!({ "lists": 2, "photos": 2 }));
    assert_eq!(
        client["downloads"],
        json!({ "requests": 2, "photos": 2, "resolutions": ["web"] })
    );
    let reached = milestones(&client);
    assert_eq!(reached.len(), 4, "each milestone once: {reached:?}");
    for m in [
        "first_view",
        "favourites_list_created",
        "limited_download_made",
        "full_gallery_downloaded",
    ] {
        assert!(reached.iter().any(|r| r == m), "{m} in {reached:?}");
    }

    // One notification and one email each.
    let notes = t.notifications(&anna, None).await;
    assert_eq!(notes.status, 200, "{notes:?}");
    assert_eq!(notes.json["notifications"].as_array().unwrap().len(), 4);
    assert_eq!(notes.json["unread"], 4);
    let first = &notes.json["notifications"][3];
    assert_eq!(first["milestone"], "first_view", "oldest last: {notes:?}");
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .contains("opened the gallery for the first time in \"Smith wedding\""),
        "{first}"
    );
    let mails = photographer_emails(&t, &anna).await;
    assert_eq!(mails.len(), 4, "{mails:?}");
    let subject =
        format!("Ann <{client_email}> opened the gallery for the first time in \"Smith wedding\"");
    assert!(
        mails.iter().any(|m| m["subject"] == subject.as_str()),
        "{subject} in {mails:?}"
    );
}

#[tokio::test]
async fn ten_concurrent_first_views_count_ten_and_notify_once() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (gallery, path, _) = shared_gallery(&t, &anna, 1, None).await;
    let views = join_all((0..10).map(|_| t.view_gallery(&path, None))).await;
    assert!(views.iter().all(|v| v.status == 200));
    let client = only_client(&t, &anna, &gallery).await;
    assert_eq!(client["view_count"], 10, "no view lost");
    assert_eq!(milestones(&client), ["first_view"]);
    assert_eq!(t.notifications(&anna, None).await.json["unread"], 1);
    assert_eq!(photographer_emails(&t, &anna).await.len(), 1);
}

#[tokio::test]
async fn link_previews_head_requests_and_the_general_link_are_not_client_views() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (gallery, path, _) = shared_gallery(&t, &anna, 1, None).await;
    for agent in [
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "WhatsApp/2.23.20.0",
        "facebookexternalhit/1.1 Facebot Twitterbot/1.0",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    ] {
        let preview = t
            .call_with_headers("GET", &path, None, &[("user-agent", agent)], None)
            .await;
        assert_eq!(preview.status, 200, "{preview:?}");
    }
    let head = t.call("HEAD", &path, None, None).await;
    assert_ne!(head.status, 200, "{head:?}");
    // Visitors of the general link are anonymous: nobody to count.
    let general = t.general_path(&anna, &gallery).await;
    assert_eq!(t.view_gallery(&general, None).await.status, 200);

    let client = only_client(&t, &anna, &gallery).await;
    assert_eq!(client["view_count"], 0, "{client}");
    assert_eq!(client["first_view_at"], Value::Null);
    assert!(milestones(&client).is_empty());
    assert_eq!(t.notifications(&anna, None).await.json["unread"], 0);
    // The person behind the pasted link then opens it.
    assert_eq!(t.view_gallery(&path, None).await.status, 200);
    assert_eq!(only_client(&t, &anna, &gallery).await["view_count"], 1);
}

#[tokio::test]
async fn the_csv_export_is_a_spreadsheet_that_runs_no_formula() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let gallery = t.create_gallery(&anna, "Smith, wedding").await;
    t.ready_photo(&anna, &gallery).await;
    let grant = t
        .create_private_access(
            &anna,
            &gallery,
            json!({ "email": unique_email("eve"), "name": "=HYPERLINK(\"http://evil\",\"x\")" }),
        )
        .await;
    assert_eq!(grant.status, 201, "{grant:?}");
    let path = client_path(grant.json["link"].as_str().unwrap());
    assert_eq!(t.view_gallery(&path, None).await.status, 200);

    let csv = t
        .gallery_activity(&anna, &gallery, Some("format=csv"))
        .await;
    assert_eq!(csv.status, 200, "{csv:?}");
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"),
        "{csv:?}"
    );
    assert!(
        csv.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("activity.csv")
    );
    let text = csv.json.as_str().expect("CSV text").to_owned();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("name,email,origin,first_view_at"),
        "{text}"
    );
    // The name is quoted (it holds a comma and quotes) and starts with ', never =.
    assert!(
        lines[1].starts_with("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\""),
        "{text}"
    );
    assert!(lines[1].contains(",photographer,"), "{text}");
    assert!(lines[1].contains(",1,"), "one view: {text}");
    assert!(lines[1].ends_with("first_view"), "{text}");
    assert_invalid(
        &t.gallery_activity(&anna, &gallery, Some("format=xls"))
            .await,
        "format",
    );
}

#[tokio::test]
async fn notifications_page_newest_first_and_are_read_once() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ode").await;
    let (gallery, _, _) = shared_gallery(&t, &anna, 1, None).await;
    // Three clients open the gallery: three first views.
    for who in ["bo", "cy", "di"] {
        let grant = t
            .create_private_access(&anna, &gallery, json!({ "email": unique_email(who) }))
            .await;
        let path = client_path(grant.json["link"].as_str().unwrap());
        assert_eq!(t.view_gallery(&path, None).await.status, 200);
    }
    let page = t.notifications(&anna, Some("limit=2")).await;
    assert_eq!(page.status, 200, "{page:?}");
    let first_page = page.json["notifications"].as_array().unwrap().clone();
    assert_eq!(first_page.len(), 2);
    assert_eq!(page.json["unread"], 3);
    let cursor = page.json["next_cursor"].as_str().expect("a next page");
    let rest = t
        .notifications(&anna, Some(&format!("limit=2&cursor={cursor}")))
        .await;
    let second_page = rest.json["notifications"].as_array().unwrap().clone();
    assert_eq!(second_page.len(), 1, "{rest:?}");
    assert_eq!(rest.json["next_cursor"], Value::Null);
    let ids: Vec<&str> = first_page
        .iter()
        .chain(&second_page)
        .map(|n| n["notification_id"].as_str().unwrap())
        .collect();
    let mut newest_first = ids.clone();
    newest_first.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(ids, newest_first);

    // Read twice: counted once. Another photographer can't read it.
    assert_error(&t.read_notification(&ben, ids[0]).await, 404, "not_found");
    for _ in 0..2 {
        assert_eq!(t.read_notification(&anna, ids[0]).await.status, 204);
    }
    let after = t.notifications(&anna, None).await;
    assert_eq!(after.json["unread"], 2);
    assert_eq!(after.json["notifications"][0]["read"], true);
    assert_error(
        &t.read_notification(&anna, "01a231c5-0000-7000-8000-000000000000")
            .await,
        404,
        "not_found",
    );
    assert!(
        t.notifications(&ben, None).await.json["notifications"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    for bad in ["limit=0", "limit=101", "limit=x", "cursor=nope"] {
        let refused = t.notifications(&anna, Some(bad)).await;
        assert_error(&refused, 422, "invalid_request");
    }
}

#[tokio::test]
async fn a_first_view_whose_milestone_failed_is_told_on_the_next_view() {
    use aws_sdk_dynamodb::types::AttributeValue;
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let (gallery, path, _) = shared_gallery(&t, &anna, 1, None).await;
    let grant_id = t.list_private_access(&anna, &gallery).await.json["grants"][0]["grant_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // What a first view leaves when it was counted and its request stopped before the
    // milestone was recorded.
    let sdk = proofsheet_store::load_sdk_config().await;
    aws_sdk_dynamodb::Client::new(&sdk)
        .put_item()
        .table_name(&t.provisioned.resources.table)
        .item("PK", AttributeValue::S(format!("GRANT#{grant_id}")))
        .item("SK", AttributeValue::S("ACTIVITY".into()))
        .item("view_count", AttributeValue::N("1".into()))
        .item("first_view_at", AttributeValue::N("1000".into()))
        .item("last_view_at", AttributeValue::N("1000".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(t.notifications(&anna, None).await.json["unread"], 0);

    for _ in 0..3 {
        assert_eq!(t.view_gallery(&path, None).await.status, 200);
    }
    let client = only_client(&t, &anna, &gallery).await;
    assert_eq!(client["view_count"], 4);
    assert_eq!(milestones(&client), ["first_view"]);
    assert_eq!(t.notifications(&anna, None).await.json["unread"], 1);
    assert_eq!(photographer_emails(&t, &anna).await.len(), 1);
}
