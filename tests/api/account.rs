//! The photographer's own account: the name clients see, the login page's address (the old
//! one keeps leading to the new and stays theirs), and the sign-in address, which changes only
//! through a link sent to the new address, asked from a recent studio session.

use proofsheet_app::Clock;
use proofsheet_policy::StudioSession;
use proofsheet_tests::*;
use serde_json::{Value, json};

const T0: u64 = 1_800_000_000;

/// How many sign-in links an address has been sent.
async fn links_sent_to(t: &TestApp, email: &str) -> usize {
    t.emails_to(email)
        .await
        .iter()
        .filter(|mail| mail.to_string().contains("/studio/sign-in/"))
        .count()
}

#[tokio::test]
async fn the_name_and_the_login_page_change_and_the_old_address_leads_to_the_new() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ortiz").await;
    let made = t
        .create_client_login(
            &anna,
            json!({ "name": "Carol", "access_code": "KIWI-LOTUS-5820" }),
        )
        .await;
    assert_eq!(made.status, 201, "{made:?}");

    let new_slug = format!("{}-studio", anna.slug);
    let changed = t
        .update_account(
            &anna,
            json!({ "name": "Anna Lee Photography", "slug": new_slug }),
        )
        .await;
    assert_eq!(changed.status, 200, "{changed:?}");
    assert_eq!(changed.json["name"], "Anna Lee Photography");
    assert_eq!(changed.json["slug"], new_slug.as_str());
    assert_eq!(
        changed.json["login_page"],
        format!("{BASE_URL}/p/{new_slug}")
    );
    assert_eq!(changed.json["former_slugs"], json!([anna.slug]));
    assert_eq!(t.get_account(&anna).await.json, changed.json);

    // The new page is Anna's, under her new name; her client logs in there.
    let page = t.browse(&format!("/p/{new_slug}"), None).await;
    assert_eq!(page.status, 200, "{page:?}");
    let html = page.json.as_str().unwrap_or_default();
    assert!(html.contains("Anna Lee Photography"), "{html}");
    assert!(
        html.contains(&format!(r#"action="/p/{new_slug}/login""#)),
        "{html}"
    );
    let logged_in = t.log_in(&new_slug, "KIWI-LOTUS-5820").await;
    assert_eq!(logged_in.status, 200, "{logged_in:?}");
    // An old link or bookmark leads there.
    let old = t.browse(&format!("/p/{}", anna.slug), None).await;
    assert_eq!(old.status, 302, "{old:?}");
    assert_eq!(
        old.header("location"),
        Some(format!("/p/{new_slug}").as_str())
    );
    assert_eq!(old.header("cache-control"), Some("no-store"));
    // A login page kept open from before the move still logs in, onto the page where it is now.
    let from_old_form = t
        .post_form(
            &format!("/p/{}/login", anna.slug),
            &[("access_code", "KIWI-LOTUS-5820")],
            None,
        )
        .await;
    assert_eq!(from_old_form.status, 303, "{from_old_form:?}");
    assert_eq!(
        from_old_form.header("location"),
        Some(format!("/p/{new_slug}").as_str())
    );
    let cookie = from_old_form.header("set-cookie").unwrap();
    assert!(cookie.contains(&format!("Path=/p/{new_slug}")), "{cookie}");

    // Nobody else takes either address: the old one would catch Anna's clients' codes.
    for taken in [&anna.slug, &new_slug] {
        let refused = t.update_account(&ben, json!({ "slug": taken })).await;
        assert_error(&refused, 409, "slug_taken");
    }
    assert_eq!(t.get_account(&ben).await.json["slug"], ben.slug.as_str());
    let ben_page = t.browse(&format!("/p/{}", ben.slug), None).await;
    assert_eq!(ben_page.status, 200, "{ben_page:?}");

    // Anna may go back to her old address; the newer one then leads to it.
    let back = t.update_account(&anna, json!({ "slug": anna.slug })).await;
    assert_eq!(back.status, 200, "{back:?}");
    assert_eq!(back.json["name"], "Anna Lee Photography");
    assert_eq!(back.json["former_slugs"], json!([new_slug]));
    let newer = t.browse(&format!("/p/{new_slug}"), None).await;
    assert_eq!(
        newer.header("location"),
        Some(format!("/p/{}", anna.slug).as_str())
    );
    assert_eq!(
        t.browse(&format!("/p/{}", anna.slug), None).await.status,
        200
    );

    // Bad input changes nothing.
    for (body, field) in [
        (json!({ "slug": "Anna Lee" }), "slug"),
        (json!({ "slug": "-anna" }), "slug"),
        (json!({ "name": "" }), "name"),
        (json!({ "name": "Anna\nLee" }), "name"),
    ] {
        let refused = t.update_account(&anna, body.clone()).await;
        assert_error(&refused, 422, "invalid_request");
        assert_eq!(refused.json["field"], field, "{body}");
    }
    let unknown = t
        .update_account(&anna, json!({ "email": "x@example.com" }))
        .await;
    assert_error(&unknown, 400, "invalid_json");
    let account = t.get_account(&anna).await.json;
    assert_eq!(
        (account["name"].clone(), account["slug"].clone()),
        (
            Value::from("Anna Lee Photography"),
            Value::from(anna.slug.as_str())
        )
    );
    // Nothing to change is no change.
    let nothing = t.update_account(&anna, json!({})).await;
    assert_eq!(nothing.json, account);
}

#[tokio::test]
async fn the_sign_in_address_changes_through_a_link_sent_to_the_new_one() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let old_email = anna.email();
    let new_email = unique_email("anna-new");
    let cookie = t.studio_session(&old_email).await;

    // Only the studio's session may ask: a key could hand the account to another inbox.
    let with_key = t
        .call(
            "POST",
            "/account/email",
            Some(&anna.api_key),
            Some(json!({ "email": new_email })),
        )
        .await;
    assert_error(&with_key, 403, "studio_session_required");
    let from_a_form = t
        .call_with_headers(
            "POST",
            "/account/email",
            None,
            &[("cookie", cookie.as_str())],
            Some(json!({ "email": new_email })),
        )
        .await;
    assert_error(&from_a_form, 403, "cross_site_write");
    assert!(t.emails_to(&new_email).await.is_empty());

    let asked = t.request_email_change(&cookie, &new_email).await;
    assert_eq!(asked.status, 202, "{asked:?}");
    assert_eq!(asked.json["pending_email"], new_email.as_str());
    // The link went to the new address; the old one is told, without a link.
    let link = t.emailed_studio_link(&new_email).await;
    let notice = t.emails_to(&old_email).await.last().unwrap().to_string();
    assert!(notice.contains(&new_email), "{notice}");
    assert!(notice.contains("Sign out everywhere"), "{notice}");
    assert_eq!(
        links_sent_to(&t, &old_email).await,
        1,
        "only the first sign-in"
    );

    // Until the link is used nothing changes: the old address signs in, the new one doesn't.
    assert_eq!(t.get_account(&anna).await.json["email"], old_email.as_str());
    let page = t.call("GET", &link, None, None).await;
    assert_eq!(page.json["email"], old_email.as_str());
    assert_eq!(page.json["confirms_email"], new_email.as_str());
    let html = t
        .browse(&link, None)
        .await
        .json
        .as_str()
        .unwrap()
        .to_owned();
    assert!(html.contains("Confirm and sign in"), "{html}");
    t.studio_session(&old_email).await;
    let before = links_sent_to(&t, &new_email).await;
    t.call(
        "POST",
        "/studio/sign-in",
        None,
        Some(json!({ "email": new_email })),
    )
    .await;
    assert_eq!(links_sent_to(&t, &new_email).await, before);

    // The link confirms the address as it signs in.
    let confirmed = t.call("POST", &link, None, None).await;
    assert_eq!(confirmed.status, 200, "{confirmed:?}");
    assert_eq!(confirmed.json["email"], new_email.as_str());
    assert!(confirmed.header("set-cookie").is_some());
    assert_eq!(t.get_account(&anna).await.json["email"], new_email.as_str());
    let again = t.call("POST", &link, None, None).await;
    assert_error(&again, 410, "sign_in_link_spent");
    // Now the new address signs in, and the old one signs in nobody (and is sent nothing).
    t.studio_session(&new_email).await;
    let sent_before = t.emails_to(&old_email).await.len();
    let asked_old = t
        .call(
            "POST",
            "/studio/sign-in",
            None,
            Some(json!({ "email": old_email })),
        )
        .await;
    assert_eq!(asked_old.status, 202);
    assert_eq!(t.emails_to(&old_email).await.len(), sent_before);
}

#[tokio::test]
async fn an_address_change_needs_a_recent_sign_in_a_free_address_and_a_new_one() {
    let t = TestApp::spawn_with_clock(&[], Clock::fixed(T0)).await;
    let anna = t.photographer("Anna Lee").await;
    let ben = t.photographer("Ben Ortiz").await;
    let cookie = t.studio_session(&anna.email()).await;

    let taken = t.request_email_change(&cookie, &ben.email()).await;
    assert_error(&taken, 409, "email_taken");
    let same = t.request_email_change(&cookie, &anna.email()).await;
    assert_error(&same, 422, "invalid_request");
    assert_eq!(same.json["field"], "email");
    let bad = t.request_email_change(&cookie, "not an address").await;
    assert_error(&bad, 422, "invalid_request");

    // Two pending changes to one address: Ben confirms his first, so Anna's link can't, and
    // spends nothing of hers.
    let wanted = unique_email("shared-inbox");
    assert_eq!(t.request_email_change(&cookie, &wanted).await.status, 202);
    let annas_link = t.emailed_studio_link(&wanted).await;
    let bens_cookie = t.studio_session(&ben.email()).await;
    assert_eq!(
        t.request_email_change(&bens_cookie, &wanted).await.status,
        202
    );
    let bens_link = t.emailed_studio_link(&wanted).await;
    assert_eq!(t.call("POST", &bens_link, None, None).await.status, 200);
    let late = t.call("POST", &annas_link, None, None).await;
    assert_error(&late, 409, "email_taken");
    assert_eq!(t.get_account(&anna).await.json["email"], anna.email());
    assert_eq!(t.get_account(&ben).await.json["email"], wanted.as_str());

    // A session opened long enough ago can't ask: signing in again can.
    t.app.clock().advance(StudioSession::RECENT_SECS);
    let stale = t
        .request_email_change(&cookie, &unique_email("anna-later"))
        .await;
    assert_error(&stale, 403, "recent_sign_in_required");
    let fresh = t.studio_session(&anna.email()).await;
    let later = unique_email("anna-later");
    assert_eq!(t.request_email_change(&fresh, &later).await.status, 202);
    assert_eq!(links_sent_to(&t, &later).await, 1);
}

/// A look that would make the pages hard to read, or isn't one, is refused with the field and
/// the reason; `null` brings back Proofsheet's own.
#[tokio::test]
async fn a_look_that_would_hurt_the_pages_is_refused_and_null_brings_back_the_default() {
    let t = TestApp::spawn().await;
    let anna = t.photographer("Anna Lee").await;
    let light = t
        .update_account(&anna, json!({ "accent_colour": "#ffd700" }))
        .await;
    assert_error(&light, 422, "invalid_request");
    assert_eq!(light.json["field"], "accent_colour", "{light:?}");
    assert!(
        light.json["message"].as_str().unwrap().contains("1.4:1"),
        "{light:?}"
    );
    let not_a_colour = t
        .update_account(&anna, json!({ "accent_colour": "teal" }))
        .await;
    assert_eq!(
        not_a_colour.json["field"], "accent_colour",
        "{not_a_colour:?}"
    );
    let address = t
        .update_account(&anna, json!({ "contact_email": "not an address" }))
        .await;
    assert_error(&address, 422, "invalid_request");
    assert_eq!(address.json["field"], "contact_email", "{address:?}");
    let font = t
        .update_account(&anna, json!({ "font_pairing": "comic" }))
        .await;
    assert_eq!(font.status, 400, "{font:?}");
    // Nothing of a refused change was kept.
    let account = t.update_account(&anna, json!({})).await;
    assert_eq!(account.json["accent_colour"], serde_json::Value::Null);
    assert_eq!(account.json["font_pairing"], "system");

    let set = t
        .update_account(
            &anna,
            json!({ "accent_colour": "#234", "font_pairing": "modern",
                    "contact_email": "hi@anna.example", "name": "Anna Lee Studio" }),
        )
        .await;
    assert_eq!(set.status, 200, "{set:?}");
    assert_eq!(set.json["accent_colour"], "#223344");
    assert_eq!(set.json["name"], "Anna Lee Studio");
    let back = t
        .update_account(
            &anna,
            json!({ "accent_colour": null, "contact_email": null, "font_pairing": "system" }),
        )
        .await;
    assert_eq!(back.status, 200, "{back:?}");
    assert_eq!(back.json["accent_colour"], serde_json::Value::Null);
    assert_eq!(back.json["contact_email"], serde_json::Value::Null);
    assert_eq!(back.json["font_pairing"], "system");
    assert_eq!(back.json["name"], "Anna Lee Studio");
    // A name can't be blanked by a null.
    let blank = t.update_account(&anna, json!({ "name": null })).await;
    assert_eq!(blank.status, 400, "{blank:?}");
}
