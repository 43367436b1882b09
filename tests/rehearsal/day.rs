//! A gallery's whole day, every function at least once: the photographer sets a gallery up
//! and uploads, a visitor unlocks it in a browser and leaves an email, a client favourites and
//! downloads a ZIP, another logs in with a code, the photographer signs in to the studio; then
//! the schedules run and everything is deleted again.

use serde_json::{Value, json};

use crate::worlds::{API_ENDPOINT, API_KEY, Answer, Rehearsal, Request, SLUG, rfc3339_in};

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
    Chrome/131.0.0.0 Safari/537.36";
const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
const PASSWORD: &str = "letmein1";
const ACCESS_CODE: &str = "blue-house-42-tango";

pub async fn live(r: &mut Rehearsal) {
    r.photographer().await;

    // The login page, as a client opens it, and the stylesheet it links.
    let page = browse(r, &format!("/p/{SLUG}"), &[]).await;
    expect(r, &page, 200, "the login page");
    match find_between(&page.text(), "href=\"/static/", "\"") {
        Some(file) => {
            let css = browse(r, &format!("/static/{file}"), &[]).await;
            expect(r, &css, 200, "a static asset");
        }
        None => r.fail("the login page links no stylesheet".into()),
    }

    // The photographer's gallery, a sub-gallery, a logo and two photos.
    let gallery = api(
        r,
        "POST",
        "/galleries",
        Some(json!({ "title": "Smith wedding" })),
    )
    .await;
    expect(r, &gallery, 201, "create a gallery");
    let gallery = text(&gallery.json()["id"]);
    let sub = api(
        r,
        "POST",
        "/galleries",
        Some(json!({ "title": "Ceremony", "parent_id": gallery })),
    )
    .await;
    expect(r, &sub, 201, "create a sub-gallery");
    let sub = text(&sub.json()["id"]);
    api(r, "GET", "/galleries", None).await;
    api(r, "GET", &format!("/galleries/{gallery}"), None).await;
    let patched = api(
        r,
        "PATCH",
        &format!("/galleries/{gallery}"),
        Some(json!({ "title": "Smith & Jones wedding" })),
    )
    .await;
    expect(r, &patched, 200, "rename the gallery");

    let logo = proofsheet_tests::logo_png();
    let upload = api(
        r,
        "POST",
        "/watermark-logo",
        Some(json!({ "content_type": "image/png", "size": logo.len() })),
    )
    .await;
    expect(r, &upload, 201, "ask to upload a logo");
    put_both(r, &upload, &logo).await;
    let brand = api(
        r,
        "POST",
        "/account/logo",
        Some(json!({ "content_type": "image/png", "size": logo.len() })),
    )
    .await;
    expect(r, &brand, 201, "ask to upload the brand logo");
    put_both(r, &brand, &logo).await;
    for (i, (w, h)) in [(1600, 1067), (1067, 1600)].into_iter().enumerate() {
        let jpeg = proofsheet_tests::jpeg(w, h);
        let upload = api(
            r,
            "POST",
            &format!("/galleries/{gallery}/photos"),
            Some(json!({
                "filename": format!("ceremony-{:02}.jpg", i + 1),
                "content_type": "image/jpeg",
                "size": jpeg.len(),
            })),
        )
        .await;
        expect(r, &upload, 201, "ask to upload a photo");
        put_both(r, &upload, &jpeg).await;
    }
    r.drain("ingest-photo").await;
    // The brand logo ingest made, as pages and emails fetch it.
    let account = api(r, "GET", "/account", None).await;
    match account.json()["logo"]["url"].as_str().map(path_of) {
        Some(logo) => {
            let served = browse(r, &logo, &[]).await;
            expect(r, &served, 200, "the brand logo");
        }
        None => r.fail(format!("ingest made no brand logo: {}", account.text())),
    }
    let photos = api(r, "GET", &format!("/galleries/{gallery}/photos"), None).await;
    let photo_ids: Vec<String> = photos.json()["photos"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| text(&p["photo_id"]))
        .collect();
    if photo_ids.len() != 2 {
        r.fail(format!(
            "2 photos uploaded, {} listed: {}",
            photo_ids.len(),
            photos.text()
        ));
        return;
    }
    let (first, second) = (photo_ids[0].clone(), photo_ids[1].clone());
    let arranged = api(
        r,
        "PUT",
        &format!("/galleries/{gallery}/order"),
        Some(json!({ "photo_ids": [second, first] })),
    )
    .await;
    expect(r, &arranged, 200, "arrange the photos");

    // The general link with a password, opened in a browser.
    let general = api(
        r,
        "PUT",
        &format!("/galleries/{gallery}/general-access"),
        Some(json!({ "password": PASSWORD })),
    )
    .await;
    expect(r, &general, 200, "set the general access");
    let general = api(
        r,
        "GET",
        &format!("/galleries/{gallery}/general-access"),
        None,
    )
    .await;
    let general_path = path_of(&text(&general.json()["link"]));
    let locked = browse(r, &general_path, &[]).await;
    expect(r, &locked, 401, "the password page");
    let unlocked = form(
        r,
        &format!("{general_path}/unlock"),
        &[("password", PASSWORD)],
        &[],
    )
    .await;
    expect(r, &unlocked, 303, "the password form");
    let cookies: Vec<String> = unlocked
        .cookies
        .iter()
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
        .collect();
    if cookies.is_empty() {
        r.fail("the password form set no cookie".into());
    }
    let page = browse(r, &general_path, &cookies).await;
    expect(r, &page, 200, "the gallery page");
    if page.header("content-encoding") != Some("gzip") {
        r.fail("the gallery page came without gzip".into());
    }

    // A visitor gives an email: a private link of their own, favourites.
    let visitor = client(
        r,
        "POST",
        &format!("{general_path}/identify"),
        &cookies,
        None,
        Some(json!({ "email": "vic@rehearsal.example" })),
    )
    .await;
    expect(r, &visitor, 201, "identify a visitor");
    let visitor_path = path_of(&text(&visitor.json()["link"]));
    let visitor_session = text(&visitor.json()["session"]);
    let session = Some(visitor_session.as_str());
    client(r, "GET", &visitor_path, &[], session, None).await;
    for photo in [&first, &second] {
        let added = client(
            r,
            "PUT",
            &format!("{visitor_path}/favourites/{photo}"),
            &[],
            session,
            None,
        )
        .await;
        expect(r, &added, 204, "add a favourite");
    }
    let removed = client(
        r,
        "DELETE",
        &format!("{visitor_path}/favourites/{second}"),
        &[],
        session,
        None,
    )
    .await;
    expect(r, &removed, 204, "remove a favourite");
    client(
        r,
        "GET",
        &format!("{visitor_path}/favourites"),
        &[],
        session,
        None,
    )
    .await;
    api(r, "GET", &format!("/galleries/{gallery}/favourites"), None).await;
    r.mail().await;

    // A client invited by email downloads a ZIP.
    let invited = api(
        r,
        "POST",
        &format!("/galleries/{gallery}/private-access"),
        Some(json!({
            "email": "bo@rehearsal.example",
            "name": "Bo",
            "downloads_enabled": true,
            "download_resolutions": ["web"],
        })),
    )
    .await;
    expect(r, &invited, 201, "share by email");
    let grant = text(&invited.json()["grant_id"]);
    let bo_path = path_of(&text(&invited.json()["link"]));
    r.mail().await;
    api(
        r,
        "GET",
        &format!("/galleries/{gallery}/private-access"),
        None,
    )
    .await;
    let limited = api(
        r,
        "PATCH",
        &format!("/galleries/{gallery}/private-access/{grant}"),
        Some(json!({ "download_limit": 5 })),
    )
    .await;
    expect(r, &limited, 200, "set a download limit");
    let unlocked = client(
        r,
        "POST",
        &format!("{bo_path}/unlock"),
        &[],
        None,
        Some(json!({ "password": PASSWORD })),
    )
    .await;
    expect(r, &unlocked, 200, "unlock a private link");
    let bo_session = text(&unlocked.json()["session"]);
    let session = Some(bo_session.as_str());
    client(
        r,
        "GET",
        &format!("{bo_path}/downloads"),
        &[],
        session,
        None,
    )
    .await;
    for (method, photo) in [
        ("PUT", &first),
        ("DELETE", &first),
        ("PUT", &first),
        ("PUT", &second),
    ] {
        let answer = client(
            r,
            method,
            &format!("{bo_path}/downloads/{photo}"),
            &[],
            session,
            None,
        )
        .await;
        expect(r, &answer, 204, "select or unselect for download");
    }
    let mut request = Request {
        method: "POST".into(),
        target: format!("{bo_path}/downloads/requests"),
        headers: json_headers(),
        ..Default::default()
    };
    request
        .headers
        .push(("authorization".into(), format!("Bearer {bo_session}")));
    request
        .headers
        .push(("idempotency-key".into(), "rehearsal-1".into()));
    request.body = Some(json!({ "resolution": "web" }).to_string().into_bytes());
    let accepted = r.http(request).await;
    expect(r, &accepted, 202, "request a download");
    let request_id = text(&accepted.json()["request_id"]);
    client(
        r,
        "GET",
        &format!("{bo_path}/downloads/requests"),
        &[],
        session,
        None,
    )
    .await;
    r.drain("prepare-downloads").await;
    let done = client(
        r,
        "GET",
        &format!("{bo_path}/downloads/requests/{request_id}"),
        &[],
        session,
        None,
    )
    .await;
    if done.json()["status"] != "ready" {
        r.fail(format!(
            "the download request is not ready: {}",
            done.text()
        ));
    }
    let mail = r.mail().await;
    let link = mail
        .iter()
        .find_map(|m| find_between(m["body"].as_str().unwrap_or_default(), "/d/", "\""))
        .or_else(|| {
            mail.iter().find_map(|m| {
                let body = m["body"].as_str().unwrap_or_default();
                let at = body.find("/d/")?;
                Some(
                    body[at + 3..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect(),
                )
            })
        });
    match link {
        Some(token) => {
            let opened = browse(r, &format!("/d/{token}"), &[]).await;
            expect(r, &opened, 302, "open the emailed download link");
            zip_entries(r, &opened).await;
        }
        None => r.fail("no download link was emailed".into()),
    }
    r.schedule("resend-download-requests").await;

    // A client login: made, released a gallery, used in a browser, then taken away.
    let login = api(
        r,
        "POST",
        "/client-logins",
        Some(json!({ "name": "Ann Client", "access_code": ACCESS_CODE })),
    )
    .await;
    expect(r, &login, 201, "make a client login");
    let login = text(&login.json()["login_id"]);
    api(r, "GET", "/client-logins", None).await;
    api(r, "GET", &format!("/client-logins/{login}"), None).await;
    let renamed = api(
        r,
        "PATCH",
        &format!("/client-logins/{login}"),
        Some(json!({ "name": "Ann B. Client" })),
    )
    .await;
    expect(r, &renamed, 200, "rename a client login");
    let released = api(
        r,
        "PUT",
        &format!("/client-logins/{login}/galleries/{gallery}"),
        Some(json!({})),
    )
    .await;
    expect(r, &released, 201, "release a gallery");
    api(r, "GET", &format!("/client-logins/{login}/galleries"), None).await;
    let logged_in = form(
        r,
        &format!("/p/{SLUG}/login"),
        &[("access_code", ACCESS_CODE)],
        &[],
    )
    .await;
    expect(r, &logged_in, 303, "the login form");
    let cookies: Vec<String> = logged_in
        .cookies
        .iter()
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
        .collect();
    let mine = browse(r, "/me/galleries", &cookies).await;
    expect(r, &mine, 200, "the client's galleries");
    let out = form(r, &format!("/p/{SLUG}/logout"), &[], &cookies).await;
    expect(r, &out, 303, "log out");
    let withdrawn = api(
        r,
        "DELETE",
        &format!("/client-logins/{login}/galleries/{gallery}"),
        None,
    )
    .await;
    expect(r, &withdrawn, 204, "withdraw a gallery");
    let deleted = api(r, "DELETE", &format!("/client-logins/{login}"), None).await;
    expect(r, &deleted, 204, "delete a client login");

    // The studio: a sign-in link by email, its page, its button, the API through its cookie.
    let asked = form(
        r,
        "/studio/sign-in",
        &[("email", "owner@rehearsal.example")],
        &[],
    )
    .await;
    expect(r, &asked, 202, "ask for a studio sign-in link");
    let mail = r.mail().await;
    let secret = mail.iter().find_map(|m| {
        find_between(
            m["body"].as_str().unwrap_or_default(),
            "/studio/sign-in/",
            "\"",
        )
    });
    match secret {
        Some(secret) => {
            let link = format!("/studio/sign-in/{secret}");
            let page = browse(r, &link, &[]).await;
            expect(r, &page, 200, "the sign-in link's page");
            let signed = form(r, &link, &[], &[]).await;
            expect(r, &signed, 303, "sign in to the studio");
            let cookies: Vec<String> = signed
                .cookies
                .iter()
                .map(|c| c.split(';').next().unwrap_or_default().to_owned())
                .collect();
            let studio = browse(r, "/studio", &cookies).await;
            expect(r, &studio, 200, "the studio");
            let listed = client(r, "GET", "/galleries", &cookies, None, None).await;
            expect(
                r,
                &listed,
                200,
                "the galleries through the studio's session",
            );
            // API keys: the studio's session only.
            let made = studio_script(
                r,
                "POST",
                "/api-keys",
                &cookies,
                Some(json!({ "name": "CLI" })),
            )
            .await;
            expect(r, &made, 201, "make an API key in the studio");
            let keys = studio_script(r, "GET", "/api-keys", &cookies, None).await;
            expect(r, &keys, 200, "list the API keys");
            let key_id = made.json()["key_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let revoked =
                studio_script(r, "DELETE", &format!("/api-keys/{key_id}"), &cookies, None).await;
            expect(r, &revoked, 204, "revoke the API key");
            // A new sign-in address: its link goes there (confirmed in the IAM tour).
            let change = studio_script(
                r,
                "POST",
                "/account/email",
                &cookies,
                Some(json!({ "email": "studio@rehearsal.example" })),
            )
            .await;
            expect(r, &change, 202, "ask for a new sign-in address");
            let out = form(r, "/studio/sign-out", &[], &cookies).await;
            expect(r, &out, 303, "sign out of the studio");
        }
        None => r.fail("no studio sign-in link was emailed".into()),
    }

    // What the photographer reads, and their name as clients see it.
    api(r, "GET", "/account", None).await;
    let renamed = api(
        r,
        "PATCH",
        "/account",
        Some(json!({ "name": "Rehearsal Photography" })),
    )
    .await;
    expect(r, &renamed, 200, "rename the account");
    let removed = api(r, "DELETE", "/account/logo", None).await;
    expect(r, &removed, 204, "take the brand logo off");
    let preview = api(
        r,
        "GET",
        &format!("/galleries/{gallery}/preview?as=general"),
        None,
    )
    .await;
    expect(r, &preview, 200, "preview as the general link");
    api(r, "GET", &format!("/galleries/{gallery}/activity"), None).await;
    api(
        r,
        "GET",
        &format!("/galleries/{gallery}/activity?format=csv"),
        None,
    )
    .await;
    // The read routes not named above, with what the day made: a new one needs no line here.
    let ids = [
        ("gallery_id", gallery.as_str()),
        ("grant_id", grant.as_str()),
        ("photo_id", second.as_str()),
    ];
    let unvisited: Vec<_> = proofsheet_tests::unvisited_reads(|f| r.invoked(f), &ids).collect();
    for (spec, path) in unvisited {
        match path {
            Ok(path) => {
                let read = api(r, "GET", &path, None).await;
                expect(r, &read, 200, spec.path);
            }
            Err(missing) => r.fail(format!("the day has no {missing} for {}", spec.path)),
        }
    }
    let notes = api(r, "GET", "/notifications?limit=5", None).await;
    match notes.json()["notifications"][0]["notification_id"].as_str() {
        Some(id) => {
            let read = api(r, "POST", &format!("/notifications/{id}/read"), None).await;
            expect(r, &read, 204, "read a notification");
        }
        None => r.fail(format!("no milestone was notified: {}", notes.text())),
    }

    // Bo's link ends a day and three seconds from now: its day-before reminder falls due in
    // three seconds, and the next sweep sends it.
    let dated = api(
        r,
        "PATCH",
        &format!("/galleries/{gallery}/private-access/{grant}"),
        Some(json!({ "expires_at": rfc3339_in(24 * 60 * 60 + 3) })),
    )
    .await;
    expect(r, &dated, 200, "date a link");
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let swept = r.schedule("send-expiry-reminders").await;
    if r.mail().await.is_empty() {
        r.fail(format!("the expiry sweep sent no reminder: {swept}"));
    }

    // Everything deleted again.
    let deleted = api(
        r,
        "DELETE",
        &format!("/galleries/{gallery}/photos/{second}"),
        None,
    )
    .await;
    expect(r, &deleted, 204, "delete a photo");
    let revoked = api(
        r,
        "DELETE",
        &format!("/galleries/{gallery}/private-access/{grant}"),
        None,
    )
    .await;
    expect(r, &revoked, 204, "revoke a link");
    for id in [&sub, &gallery] {
        let deleted = api(r, "DELETE", &format!("/galleries/{id}"), None).await;
        expect(r, &deleted, 204, "delete a gallery");
    }
}

fn json_headers() -> Vec<(String, String)> {
    vec![
        ("content-type".into(), "application/json".into()),
        ("user-agent".into(), BROWSER.into()),
    ]
}

/// A photographer's call with the API key.
async fn api(r: &mut Rehearsal, method: &str, target: &str, body: Option<Value>) -> Answer {
    let mut headers = json_headers();
    headers.push(("authorization".into(), format!("Bearer {API_KEY}")));
    r.http(Request {
        method: method.into(),
        target: target.into(),
        headers,
        cookies: vec![],
        body: body.map(|b| b.to_string().into_bytes()),
    })
    .await
}

/// A client page's script calling the API, with a session cookie or a bearer session.
async fn client(
    r: &mut Rehearsal,
    method: &str,
    target: &str,
    cookies: &[String],
    session: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let mut headers = json_headers();
    if let Some(session) = session {
        headers.push(("authorization".into(), format!("Bearer {session}")));
    }
    script(r, method, target, headers, cookies, body).await
}

/// A page's script sending `headers` (and `cookies`) with a JSON body.
async fn script(
    r: &mut Rehearsal,
    method: &str,
    target: &str,
    headers: Vec<(String, String)>,
    cookies: &[String],
    body: Option<Value>,
) -> Answer {
    r.http(Request {
        method: method.into(),
        target: target.into(),
        headers,
        cookies: cookies.to_vec(),
        body: body.map(|b| b.to_string().into_bytes()),
    })
    .await
}

/// The studio's script calling the API: its cookie and its own header, from its own page.
async fn studio_script(
    r: &mut Rehearsal,
    method: &str,
    target: &str,
    cookies: &[String],
    body: Option<Value>,
) -> Answer {
    let mut headers = json_headers();
    headers.push(("x-proofsheet-studio".into(), "1".into()));
    headers.push(("sec-fetch-site".into(), "same-origin".into()));
    script(r, method, target, headers, cookies, body).await
}

/// A browser navigating to a page.
async fn browse(r: &mut Rehearsal, target: &str, cookies: &[String]) -> Answer {
    r.http(Request {
        method: "GET".into(),
        target: target.into(),
        headers: vec![
            ("accept".into(), BROWSER_ACCEPT.into()),
            ("accept-encoding".into(), "gzip, deflate, br, zstd".into()),
            ("user-agent".into(), BROWSER.into()),
        ],
        cookies: cookies.to_vec(),
        body: None,
    })
    .await
}

/// A browser posting one of the pages' forms.
async fn form(
    r: &mut Rehearsal,
    target: &str,
    fields: &[(&str, &str)],
    cookies: &[String],
) -> Answer {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    r.http(Request {
        method: "POST".into(),
        target: target.into(),
        headers: vec![
            ("accept".into(), BROWSER_ACCEPT.into()),
            ("accept-encoding".into(), "gzip, deflate, br, zstd".into()),
            (
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
            ("origin".into(), API_ENDPOINT.into()),
            ("sec-fetch-site".into(), "same-origin".into()),
            ("user-agent".into(), BROWSER.into()),
        ],
        cookies: cookies.to_vec(),
        body: Some(body.into_bytes()),
    })
    .await
}

/// The upload each run was given, carried out in each (S3's presigned PUT: no function).
async fn put_both(r: &mut Rehearsal, lambda_answer: &Answer, bytes: &[u8]) {
    let local_answer = r.last_local.clone().expect("a local answer");
    for answer in [lambda_answer, &local_answer] {
        let upload = answer.json();
        let mut put = reqwest::Client::new()
            .put(text(&upload["upload_url"]))
            .body(bytes.to_vec());
        for (name, value) in upload["upload_headers"].as_object().into_iter().flatten() {
            if name != "content-length" {
                put = put.header(name, text(value));
            }
        }
        match put.send().await {
            Ok(response) if response.status().is_success() => {}
            other => r.fail(format!("an upload to S3 failed: {other:?}")),
        }
    }
}

/// The ZIPs both download links lead to hold the same files (in the order their renders
/// finished: the worker writes each photo as soon as it is done).
async fn zip_entries(r: &mut Rehearsal, lambda_answer: &Answer) {
    let local_answer = r.last_local.clone().expect("a local answer");
    let mut listings = Vec::new();
    for answer in [lambda_answer, &local_answer] {
        let Some(location) = answer.header("location") else {
            r.fail("the download link redirects nowhere".into());
            return;
        };
        let bytes = reqwest::get(location)
            .await
            .and_then(|r| r.error_for_status())
            .expect("the ZIP")
            .bytes()
            .await
            .expect("its bytes");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a ZIP");
        let mut names: Vec<String> = (0..zip.len())
            .map(|i| {
                let entry = zip.by_index(i).expect("an entry");
                entry.name().map(|n| n.into_owned()).unwrap_or_default()
            })
            .collect();
        names.sort();
        listings.push(names);
    }
    if listings[0] != listings[1] || listings[0].is_empty() {
        r.fail(format!(
            "the ZIPs differ: {:?} and {:?}",
            listings[0], listings[1]
        ));
    }
}

fn expect(r: &mut Rehearsal, answer: &Answer, status: u16, what: &str) {
    if answer.status != status {
        r.fail(format!(
            "{what}: {} where {status} was expected: {}",
            answer.status,
            answer.text().chars().take(300).collect::<String>()
        ));
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// A link's path (`/g/…`), without the base URL.
fn path_of(link: &str) -> String {
    match link.find("://") {
        Some(at) => {
            let rest = &link[at + 3..];
            rest.find('/')
                .map_or("/".into(), |slash| rest[slash..].to_owned())
        }
        None => link.to_owned(),
    }
}

fn find_between(haystack: &str, start: &str, end: &str) -> Option<String> {
    let from = haystack.find(start)? + start.len();
    let to = haystack[from..].find(end)? + from;
    Some(haystack[from..to].to_owned())
}
