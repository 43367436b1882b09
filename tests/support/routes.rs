//! One method per route of `proofsheet_http::ROUTES`, answering what [`TestApp::call`] answers.
//! A photographer route sends the API key of the photographer it is given; a client route takes
//! the link's path (`/g/{token}`, perhaps with a query string) and what the client sends. Tests
//! of odd methods, paths, bodies or credentials use `call`, `call_raw` and `call_from` directly.

use std::net::IpAddr;

use serde_json::{Value, json};

use crate::{CALLER_IP, Photographer, Reply, TestApp};

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
