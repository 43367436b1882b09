//! One method per route of `proofsheet_http::ROUTES`, answering what [`TestApp::call`] answers.
//! A photographer route sends the API key of the photographer it is given; a client route takes
//! the link's path (`/g/{token}`, perhaps with a query string) and what the client sends. Tests
//! of odd methods, paths, bodies or credentials use `call`, `call_raw` and `call_from` directly.

use std::net::IpAddr;

use serde_json::{Value, json};

use crate::{BASE_URL, CALLER_IP, Photographer, Reply, TestApp};

impl TestApp {
    // -----------------------------------------------------------------------------------------
    // Galleries
    // -----------------------------------------------------------------------------------------

    /// `POST /galleries` with this body (see [`TestApp::create_gallery`] for the usual case).
    pub async fn create_gallery_raw(&self, who: &Photographer, body: Value) -> Reply {
        self.as_photographer(who, "POST", "/galleries", Some(body))
            .await
    }

    /// `GET /galleries`
    pub async fn list_galleries(&self, who: &Photographer) -> Reply {
        self.as_photographer(who, "GET", "/galleries", None).await
    }

    /// `GET /galleries/{gallery_id}`
    pub async fn get_gallery(&self, who: &Photographer, gallery: &str) -> Reply {
        self.as_photographer(who, "GET", &format!("/galleries/{gallery}"), None)
            .await
    }

    /// `PATCH /galleries/{gallery_id}`
    pub async fn update_gallery(&self, who: &Photographer, gallery: &str, body: Value) -> Reply {
        let path = format!("/galleries/{gallery}");
        self.as_photographer(who, "PATCH", &path, Some(body)).await
    }

    /// `DELETE /galleries/{gallery_id}`
    pub async fn delete_gallery(&self, who: &Photographer, gallery: &str) -> Reply {
        let path = format!("/galleries/{gallery}");
        self.as_photographer(who, "DELETE", &path, None).await
    }

    // -----------------------------------------------------------------------------------------
    // Photos and the watermark logo
    // -----------------------------------------------------------------------------------------

    /// `POST /galleries/{gallery_id}/photos`: asks for an upload URL.
    pub async fn create_photo_upload(
        &self,
        who: &Photographer,
        gallery: &str,
        body: Value,
    ) -> Reply {
        let path = format!("/galleries/{gallery}/photos");
        self.as_photographer(who, "POST", &path, Some(body)).await
    }

    /// `GET /galleries/{gallery_id}/photos`
    pub async fn list_photos(&self, who: &Photographer, gallery: &str) -> Reply {
        let path = format!("/galleries/{gallery}/photos");
        self.as_photographer(who, "GET", &path, None).await
    }

    /// `GET /galleries/{gallery_id}/photos?{query}`: a page (`limit=…&cursor=…`).
    pub async fn list_photos_page(&self, who: &Photographer, gallery: &str, query: &str) -> Reply {
        let path = format!("/galleries/{gallery}/photos?{query}");
        self.as_photographer(who, "GET", &path, None).await
    }

    /// `DELETE /galleries/{gallery_id}/photos/{photo_id}`
    pub async fn delete_photo(&self, who: &Photographer, gallery: &str, photo: &str) -> Reply {
        let path = format!("/galleries/{gallery}/photos/{photo}");
        self.as_photographer(who, "DELETE", &path, None).await
    }

    /// `PUT /galleries/{gallery_id}/order`: the photographer's own order (`{"photo_ids": […]}`).
    pub async fn arrange_photos(&self, who: &Photographer, gallery: &str, body: Value) -> Reply {
        let path = format!("/galleries/{gallery}/order");
        self.as_photographer(who, "PUT", &path, Some(body)).await
    }

    /// `POST /watermark-logo`: asks for the logo's upload URL.
    pub async fn create_logo_upload(&self, who: &Photographer, body: Value) -> Reply {
        self.as_photographer(who, "POST", "/watermark-logo", Some(body))
            .await
    }

    // -----------------------------------------------------------------------------------------
    // Access
    // -----------------------------------------------------------------------------------------

    /// `PUT /galleries/{gallery_id}/general-access`
    pub async fn put_general_access(
        &self,
        who: &Photographer,
        gallery: &str,
        body: Value,
    ) -> Reply {
        let path = format!("/galleries/{gallery}/general-access");
        self.as_photographer(who, "PUT", &path, Some(body)).await
    }

    /// `GET /galleries/{gallery_id}/general-access`
    pub async fn get_general_access(&self, who: &Photographer, gallery: &str) -> Reply {
        let path = format!("/galleries/{gallery}/general-access");
        self.as_photographer(who, "GET", &path, None).await
    }

    /// `POST /galleries/{gallery_id}/private-access`: invites a client.
    pub async fn create_private_access(
        &self,
        who: &Photographer,
        gallery: &str,
        body: Value,
    ) -> Reply {
        let path = format!("/galleries/{gallery}/private-access");
        self.as_photographer(who, "POST", &path, Some(body)).await
    }

    /// `GET /galleries/{gallery_id}/private-access`
    pub async fn list_private_access(&self, who: &Photographer, gallery: &str) -> Reply {
        let path = format!("/galleries/{gallery}/private-access");
        self.as_photographer(who, "GET", &path, None).await
    }

    /// `PATCH /galleries/{gallery_id}/private-access/{grant_id}`
    pub async fn update_private_access(
        &self,
        who: &Photographer,
        gallery: &str,
        grant: &str,
        body: Value,
    ) -> Reply {
        let path = format!("/galleries/{gallery}/private-access/{grant}");
        self.as_photographer(who, "PATCH", &path, Some(body)).await
    }

    /// `DELETE /galleries/{gallery_id}/private-access/{grant_id}`
    pub async fn delete_private_access(
        &self,
        who: &Photographer,
        gallery: &str,
        grant: &str,
    ) -> Reply {
        let path = format!("/galleries/{gallery}/private-access/{grant}");
        self.as_photographer(who, "DELETE", &path, None).await
    }

    // -----------------------------------------------------------------------------------------
    // Clients
    // -----------------------------------------------------------------------------------------

    /// `GET /g/{token}` at `path` (the link's path, perhaps with a query string), with a
    /// session or none.
    pub async fn view_gallery(&self, path: &str, session: Option<&str>) -> Reply {
        self.call("GET", path, session, None).await
    }

    /// `POST /g/{token}/unlock` for the link at `path`, from the usual address, without a
    /// session.
    pub async fn unlock_gallery(&self, path: &str, password: &str) -> Reply {
        self.unlock_gallery_from(CALLER_IP.into(), path, None, password)
            .await
    }

    /// `POST /g/{token}/unlock` from `source`, showing `session` (an earlier one) if given.
    pub async fn unlock_gallery_from(
        &self,
        source: IpAddr,
        path: &str,
        session: Option<&str>,
        password: &str,
    ) -> Reply {
        self.call_from(
            source,
            "POST",
            &format!("{path}/unlock"),
            session,
            Some(json!({ "password": password })),
        )
        .await
    }

    /// `POST /g/{token}/identify` for the general link at `path`: a visitor gives an email.
    pub async fn identify(&self, path: &str, session: Option<&str>, email: &str) -> Reply {
        self.identify_from(CALLER_IP.into(), path, session, email)
            .await
    }

    /// `POST /g/{token}/identify` from `source`.
    pub async fn identify_from(
        &self,
        source: IpAddr,
        path: &str,
        session: Option<&str>,
        email: &str,
    ) -> Reply {
        let body = json!({ "email": email });
        self.call_from(
            source,
            "POST",
            &format!("{path}/identify"),
            session,
            Some(body),
        )
        .await
    }

    // -----------------------------------------------------------------------------------------
    // Favourites
    // -----------------------------------------------------------------------------------------

    /// `GET /g/{token}/favourites`
    pub async fn list_favourites(&self, path: &str, session: Option<&str>) -> Reply {
        self.call("GET", &format!("{path}/favourites"), session, None)
            .await
    }

    /// `PUT /g/{token}/favourites/{photo_id}`, to the list named by `list` (`None`: the default).
    pub async fn add_favourite(
        &self,
        path: &str,
        session: Option<&str>,
        photo: &str,
        list: Option<&str>,
    ) -> Reply {
        let path = favourite_path(path, photo, list);
        self.call("PUT", &path, session, None).await
    }

    /// `DELETE /g/{token}/favourites/{photo_id}`
    pub async fn remove_favourite(
        &self,
        path: &str,
        session: Option<&str>,
        photo: &str,
        list: Option<&str>,
    ) -> Reply {
        let path = favourite_path(path, photo, list);
        self.call("DELETE", &path, session, None).await
    }

    /// `GET /galleries/{gallery_id}/favourites`, with `?{query}` when given (`format=txt`).
    pub async fn list_gallery_favourites(
        &self,
        who: &Photographer,
        gallery: &str,
        query: Option<&str>,
    ) -> Reply {
        let mut path = format!("/galleries/{gallery}/favourites");
        if let Some(query) = query {
            path = format!("{path}?{query}");
        }
        self.as_photographer(who, "GET", &path, None).await
    }

    // -----------------------------------------------------------------------------------------
    // Downloads
    // -----------------------------------------------------------------------------------------

    /// `GET /g/{token}/downloads`: the download manager.
    pub async fn get_downloads(&self, path: &str, session: Option<&str>) -> Reply {
        self.call("GET", &format!("{path}/downloads"), session, None)
            .await
    }

    /// `PUT /g/{token}/downloads/{photo_id}`: selects a photo.
    pub async fn select_download(&self, path: &str, session: Option<&str>, photo: &str) -> Reply {
        self.call("PUT", &format!("{path}/downloads/{photo}"), session, None)
            .await
    }

    /// `DELETE /g/{token}/downloads/{photo_id}`: unselects a photo.
    pub async fn unselect_download(&self, path: &str, session: Option<&str>, photo: &str) -> Reply {
        self.call(
            "DELETE",
            &format!("{path}/downloads/{photo}"),
            session,
            None,
        )
        .await
    }

    /// `POST /g/{token}/downloads/requests` with this body and, when given, an
    /// `Idempotency-Key`.
    pub async fn create_download_request(
        &self,
        path: &str,
        session: Option<&str>,
        idempotency_key: Option<&str>,
        body: Value,
    ) -> Reply {
        let headers: Vec<(&str, &str)> = idempotency_key
            .map(|key| ("idempotency-key", key))
            .into_iter()
            .collect();
        let path = format!("{path}/downloads/requests");
        self.call_with_headers("POST", &path, session, &headers, Some(body))
            .await
    }

    /// `GET /g/{token}/downloads/requests`
    pub async fn list_download_requests(&self, path: &str, session: Option<&str>) -> Reply {
        self.call("GET", &format!("{path}/downloads/requests"), session, None)
            .await
    }

    /// `GET /g/{token}/downloads/requests/{request_id}`
    pub async fn get_download_request(
        &self,
        path: &str,
        session: Option<&str>,
        request: &str,
    ) -> Reply {
        let path = format!("{path}/downloads/requests/{request}");
        self.call("GET", &path, session, None).await
    }

    // -----------------------------------------------------------------------------------------
    // Client logins
    // -----------------------------------------------------------------------------------------

    /// `POST /client-logins`
    pub async fn create_client_login(&self, who: &Photographer, body: Value) -> Reply {
        self.as_photographer(who, "POST", "/client-logins", Some(body))
            .await
    }

    /// `GET /client-logins`
    pub async fn list_client_logins(&self, who: &Photographer) -> Reply {
        self.as_photographer(who, "GET", "/client-logins", None)
            .await
    }

    /// `GET /client-logins/{login_id}`
    pub async fn get_client_login(&self, who: &Photographer, login: &str) -> Reply {
        let path = format!("/client-logins/{login}");
        self.as_photographer(who, "GET", &path, None).await
    }

    /// `PATCH /client-logins/{login_id}`
    pub async fn update_client_login(&self, who: &Photographer, login: &str, body: Value) -> Reply {
        let path = format!("/client-logins/{login}");
        self.as_photographer(who, "PATCH", &path, Some(body)).await
    }

    /// `DELETE /client-logins/{login_id}`
    pub async fn delete_client_login(&self, who: &Photographer, login: &str) -> Reply {
        let path = format!("/client-logins/{login}");
        self.as_photographer(who, "DELETE", &path, None).await
    }

    /// `PUT /client-logins/{login_id}/galleries/{gallery_id}` (no body when `None`).
    pub async fn release_gallery(
        &self,
        who: &Photographer,
        login: &str,
        gallery: &str,
        body: Option<Value>,
    ) -> Reply {
        let path = format!("/client-logins/{login}/galleries/{gallery}");
        self.as_photographer(who, "PUT", &path, body).await
    }

    /// `DELETE /client-logins/{login_id}/galleries/{gallery_id}`
    pub async fn withdraw_gallery(&self, who: &Photographer, login: &str, gallery: &str) -> Reply {
        let path = format!("/client-logins/{login}/galleries/{gallery}");
        self.as_photographer(who, "DELETE", &path, None).await
    }

    /// `GET /client-logins/{login_id}/galleries`
    pub async fn list_releases(&self, who: &Photographer, login: &str) -> Reply {
        let path = format!("/client-logins/{login}/galleries");
        self.as_photographer(who, "GET", &path, None).await
    }

    /// `GET /galleries/{gallery_id}/preview?as=…` (`general`, `grant:<id>`, `login:<id>`).
    pub async fn preview_gallery(&self, who: &Photographer, gallery: &str, as_whom: &str) -> Reply {
        let path = format!("/galleries/{gallery}/preview?as={as_whom}");
        self.as_photographer(who, "GET", &path, None).await
    }

    /// `GET /galleries/{gallery_id}/activity`, with a query string (`format=csv`) or not.
    pub async fn gallery_activity(
        &self,
        who: &Photographer,
        gallery: &str,
        query: Option<&str>,
    ) -> Reply {
        let path = match query {
            Some(q) => format!("/galleries/{gallery}/activity?{q}"),
            None => format!("/galleries/{gallery}/activity"),
        };
        self.as_photographer(who, "GET", &path, None).await
    }

    /// `GET /notifications`, with a query string (`limit=…&cursor=…`) or not.
    pub async fn notifications(&self, who: &Photographer, query: Option<&str>) -> Reply {
        let path = match query {
            Some(q) => format!("/notifications?{q}"),
            None => "/notifications".to_owned(),
        };
        self.as_photographer(who, "GET", &path, None).await
    }

    /// `POST /notifications/{notification_id}/read`
    pub async fn read_notification(&self, who: &Photographer, id: &str) -> Reply {
        let path = format!("/notifications/{id}/read");
        self.as_photographer(who, "POST", &path, None).await
    }

    /// `GET /account`
    pub async fn get_account(&self, who: &Photographer) -> Reply {
        self.as_photographer(who, "GET", "/account", None).await
    }

    /// `POST /account/logo`: where to upload the logo on client pages and emails.
    pub async fn create_brand_logo_upload(&self, who: &Photographer, body: Value) -> Reply {
        self.as_photographer(who, "POST", "/account/logo", Some(body))
            .await
    }

    /// `DELETE /account/logo`
    pub async fn remove_brand_logo(&self, who: &Photographer) -> Reply {
        self.as_photographer(who, "DELETE", "/account/logo", None)
            .await
    }

    /// `PATCH /account` with this body (`name`, `slug`).
    pub async fn update_account(&self, who: &Photographer, body: Value) -> Reply {
        self.as_photographer(who, "PATCH", "/account", Some(body))
            .await
    }

    /// `POST /account/email` from the studio's own page, with its session cookie.
    pub async fn request_email_change(&self, cookie: &str, email: &str) -> Reply {
        self.with_cookie(
            "POST",
            "/account/email",
            cookie,
            &crate::FROM_THE_STUDIO,
            Some(json!({ "email": email })),
        )
        .await
    }

    /// `POST /p/{slug}/login`
    pub async fn log_in(&self, slug: &str, access_code: &str) -> Reply {
        let body = json!({ "access_code": access_code });
        self.call("POST", &format!("/p/{slug}/login"), None, Some(body))
            .await
    }

    /// `POST /p/{slug}/login` from another network address.
    pub async fn log_in_from(&self, source: IpAddr, slug: &str, access_code: &str) -> Reply {
        let body = json!({ "access_code": access_code });
        self.call_from(
            source,
            "POST",
            &format!("/p/{slug}/login"),
            None,
            Some(body),
        )
        .await
    }

    /// A new client login for `name` (and `email`); returns (login id, access code as shown).
    pub async fn new_client_login(
        &self,
        who: &Photographer,
        name: &str,
        email: Option<&str>,
    ) -> (String, String) {
        let mut body = json!({ "name": name });
        if let Some(email) = email {
            body["email"] = email.into();
        }
        let created = self.create_client_login(who, body).await;
        assert_eq!(created.status, 201, "{created:?}");
        (
            created.json["login_id"]
                .as_str()
                .expect("login id")
                .to_owned(),
            created.json["access_code"]
                .as_str()
                .expect("access code")
                .to_owned(),
        )
    }

    /// Logs in on `slug`'s page with `code`; returns the session.
    pub async fn login_session(&self, slug: &str, code: &str) -> String {
        let reply = self.log_in(slug, code).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.json["session"].as_str().expect("session").to_owned()
    }

    /// `GET /me/galleries` with a login session.
    pub async fn my_galleries(&self, session: Option<&str>) -> Reply {
        self.call("GET", "/me/galleries", session, None).await
    }

    /// `GET /p/{slug}`, the login page, as a browser opens it, with the page's cookie if given.
    pub async fn login_page(&self, slug: &str, cookie: Option<&str>) -> Reply {
        self.browse(&format!("/p/{slug}"), cookie).await
    }

    /// `GET /static/{file}`, at the path a page links (`/static/app.<hash>.css`).
    pub async fn static_asset(&self, path: &str) -> Reply {
        self.call("GET", path, None, None).await
    }

    /// `GET path` as a browser navigates to it (`Accept: text/html…`), sending `cookie`
    /// (`name=value`) if given. The page's HTML is the reply's `json` string.
    pub async fn browse(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut headers = vec![("accept", crate::BROWSER_ACCEPT)];
        if let Some(cookie) = cookie {
            headers.push(("cookie", cookie));
        }
        self.call_with_headers("GET", path, None, &headers, None)
            .await
    }

    /// A page's form, posted to `path` as a browser posts it (`fields` URL-encoded), sending
    /// `cookie` if given and `Sec-Fetch-Site: same-origin`.
    pub async fn post_form(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> Reply {
        let body = form_body(fields);
        let mut headers = vec![
            ("accept", crate::BROWSER_ACCEPT),
            ("content-type", "application/x-www-form-urlencoded"),
            ("sec-fetch-site", "same-origin"),
        ];
        if let Some(cookie) = cookie {
            headers.push(("cookie", cookie));
        }
        self.send_with_headers(CALLER_IP.into(), "POST", path, None, &headers, Some(body))
            .await
    }

    async fn as_photographer(
        &self,
        who: &Photographer,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        self.call(method, path, Some(&who.api_key), body).await
    }
}

/// `{path}/favourites/{photo}`, with `?list=` (percent-encoded) when a list is named.
fn favourite_path(path: &str, photo: &str, list: Option<&str>) -> String {
    match list {
        None => format!("{path}/favourites/{photo}"),
        Some(name) => {
            let mut url = reqwest::Url::parse(BASE_URL).expect("base URL");
            url.query_pairs_mut().append_pair("list", name);
            format!(
                "{path}/favourites/{photo}?{}",
                url.query().unwrap_or_default()
            )
        }
    }
}

/// Form fields as a browser encodes them (`application/x-www-form-urlencoded`).
pub fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            let v = percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC);
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&")
}
