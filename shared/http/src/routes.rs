//! The HTTP API's routes: one Lambda function each in AWS, one table for everything else
//! (the local runner's router, the OpenAPI consistency test, the SAM template check).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use http::Method;
use lambda_http::{Body, Request, Response};
use proofsheet_app::{App, SecretKeyUse};
use proofsheet_policy::PhotographerId;

use crate::ApiError;
use crate::handlers::{client, photographer, studio};
use crate::pages;

/// Who calls a route, which decides how it is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// With an API key: the handler is given the photographer it belongs to.
    Photographer,
    /// With a link, a login session or nothing: each handler checks what it needs itself.
    Client,
    /// The photographer's studio pages and signing in: an emailed link or the studio's
    /// session cookie, which each handler checks itself.
    Studio,
    /// With the studio's session only, never an API key: what only the photographer signed in
    /// by email may do (make and revoke API keys). The handler is given the photographer.
    StudioSession,
}

/// What a handler returns, boxed so every route's handler has one type.
pub type Handling<'a> = Pin<Box<dyn Future<Output = Result<Response<Body>, ApiError>> + Send + 'a>>;

/// A route's handler, by audience.
#[derive(Clone, Copy)]
pub enum Handler {
    Photographer(for<'a> fn(&'a App, PhotographerId, Request) -> Handling<'a>),
    Client(for<'a> fn(&'a App, Request) -> Handling<'a>),
}

/// A route with its handler. A function's binary names its endpoint in a `const` block
/// (`const { Route::GetGallery.endpoint() }`), so it links that one handler and what it calls,
/// never the whole table.
#[derive(Clone, Copy)]
pub struct Endpoint {
    pub route: Route,
    pub handler: Handler,
}

/// Where a route lives: method, path template (API Gateway syntax), its function's binary, who
/// calls it and whether its function reads the secret key.
#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    pub route: Route,
    pub method: &'static str,
    pub path: &'static str,
    pub function: &'static str,
    pub audience: Audience,
    /// Whether the route makes or checks links, sessions or password-try counters, all derived
    /// from the deployment's secret key: only those functions read the key.
    pub secret_key: SecretKeyUse,
}

macro_rules! handler {
    (Photographer $handler:path) => {
        Handler::Photographer(|app, owner, req| Box::pin($handler(app, owner, req)))
    };
    (Client $handler:path) => {
        Handler::Client(|app, req| Box::pin($handler(app, req)))
    };
    (Studio $handler:path) => {
        Handler::Client(|app, req| Box::pin($handler(app, req)))
    };
    (StudioSession $handler:path) => {
        Handler::Photographer(|app, owner, req| Box::pin($handler(app, owner, req)))
    };
}

/// One line per route: `module => handler` names the handler, and the function of the same name
/// in the module's `doc` its OpenAPI description. Adding a route is a line here, its handler with
/// its description, its IAM statements (`infra/http-functions.yaml`) and its tests; its
/// function's binary, its resource in `infra/template.yaml` and `openapi.json` are generated from
/// this table (`UPDATE_GENERATED=1 cargo test -p proofsheet-http --test generated`, which fails
/// without it when one is missing or stale).
macro_rules! routes {
    ($($route:ident $method:literal $path:literal $function:literal
        $audience:ident $key:ident $($module:ident)::+ => $handler:ident;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Route {
            $($route,)*
        }

        pub const ROUTES: &[RouteSpec] = &[
            $(RouteSpec {
                route: Route::$route,
                method: $method,
                path: $path,
                function: $function,
                audience: Audience::$audience,
                secret_key: SecretKeyUse::$key,
            },)*
        ];

        impl Route {
            pub const fn endpoint(self) -> Endpoint {
                let handler = match self {
                    $(Self::$route => handler!($audience $($module)::+::$handler),)*
                };
                Endpoint { route: self, handler }
            }

            pub const fn spec(self) -> &'static RouteSpec {
                &ROUTES[self as usize]
            }

            pub fn secret_key_use(self) -> SecretKeyUse {
                self.spec().secret_key
            }

            /// How the OpenAPI description tells the route: written next to its handler, in
            /// its module's `doc` (only the OpenAPI generator calls this, so no function's
            /// binary links it).
            pub(crate) fn describe(self) -> crate::openapi::describe::Described {
                match self {
                    $(Self::$route => $($module)::+::doc::$handler().into(),)*
                }
            }
        }
    };
}

routes! {
    CreateGallery "POST" "/galleries" "create-gallery" Photographer NotNeeded photographer::galleries => create;
    ListGalleries "GET" "/galleries" "list-galleries" Photographer NotNeeded photographer::galleries => list;
    GetGallery "GET" "/galleries/{gallery_id}" "get-gallery" Photographer NotNeeded photographer::galleries => get;
    UpdateGallery "PATCH" "/galleries/{gallery_id}" "update-gallery" Photographer NotNeeded photographer::galleries => update;
    DeleteGallery "DELETE" "/galleries/{gallery_id}" "delete-gallery" Photographer NotNeeded photographer::galleries => delete;
    CreatePhotoUpload "POST" "/galleries/{gallery_id}/photos" "create-photo-upload" Photographer NotNeeded photographer::photos => create_upload;
    ListPhotos "GET" "/galleries/{gallery_id}/photos" "list-photos" Photographer NotNeeded photographer::photos => list;
    DeletePhoto "DELETE" "/galleries/{gallery_id}/photos/{photo_id}" "delete-photo" Photographer NotNeeded photographer::photos => delete;
    ArrangePhotos "PUT" "/galleries/{gallery_id}/order" "arrange-photos" Photographer NotNeeded photographer::photos => arrange;
    PutGeneralAccess "PUT" "/galleries/{gallery_id}/general-access" "put-general-access" Photographer Needed photographer::access => put_general;
    GetGeneralAccess "GET" "/galleries/{gallery_id}/general-access" "get-general-access" Photographer Needed photographer::access => get_general;
    CreatePrivateAccess "POST" "/galleries/{gallery_id}/private-access" "create-private-access" Photographer Needed photographer::access => create_private;
    ListPrivateAccess "GET" "/galleries/{gallery_id}/private-access" "list-private-access" Photographer Needed photographer::access => list_private;
    GetPrivateAccess "GET" "/galleries/{gallery_id}/private-access/{grant_id}" "get-private-access" Photographer Needed photographer::access => get_private;
    UpdatePrivateAccess "PATCH" "/galleries/{gallery_id}/private-access/{grant_id}" "update-private-access" Photographer Needed photographer::access => update_private;
    DeletePrivateAccess "DELETE" "/galleries/{gallery_id}/private-access/{grant_id}" "delete-private-access" Photographer NotNeeded photographer::access => delete_private;
    CreateLogoUpload "POST" "/watermark-logo" "create-logo-upload" Photographer NotNeeded photographer::photos => create_logo_upload;
    ListGalleryFavourites "GET" "/galleries/{gallery_id}/favourites" "list-gallery-favourites" Photographer NotNeeded photographer::favourites => list;
    CreateClientLogin "POST" "/client-logins" "create-client-login" Photographer Needed photographer::logins => create;
    ListClientLogins "GET" "/client-logins" "list-client-logins" Photographer NotNeeded photographer::logins => list;
    GetClientLogin "GET" "/client-logins/{login_id}" "get-client-login" Photographer NotNeeded photographer::logins => get;
    UpdateClientLogin "PATCH" "/client-logins/{login_id}" "update-client-login" Photographer Needed photographer::logins => update;
    DeleteClientLogin "DELETE" "/client-logins/{login_id}" "delete-client-login" Photographer NotNeeded photographer::logins => delete;
    ReleaseGallery "PUT" "/client-logins/{login_id}/galleries/{gallery_id}" "release-gallery" Photographer Needed photographer::logins => release;
    WithdrawGallery "DELETE" "/client-logins/{login_id}/galleries/{gallery_id}" "withdraw-gallery" Photographer NotNeeded photographer::logins => withdraw;
    ListReleases "GET" "/client-logins/{login_id}/galleries" "list-releases" Photographer Needed photographer::logins => list_releases;
    GetAccount "GET" "/account" "get-account" Photographer NotNeeded photographer::account => get;
    UpdateAccount "PATCH" "/account" "update-account" Photographer NotNeeded photographer::account => update;
    CreateBrandLogoUpload "POST" "/account/logo" "create-brand-logo-upload" Photographer NotNeeded photographer::account => create_logo_upload;
    RemoveBrandLogo "DELETE" "/account/logo" "remove-brand-logo" Photographer NotNeeded photographer::account => remove_logo;
    RequestEmailChange "POST" "/account/email" "request-email-change" StudioSession Needed photographer::account => change_email;
    PreviewGallery "GET" "/galleries/{gallery_id}/preview" "preview-gallery" Photographer Needed photographer::preview => preview;
    GetGalleryActivity "GET" "/galleries/{gallery_id}/activity" "get-gallery-activity" Photographer NotNeeded photographer::activity => gallery_activity;
    ListGalleryDownloads "GET" "/galleries/{gallery_id}/downloads" "list-gallery-downloads" Photographer NotNeeded photographer::activity => downloads;
    ListNotifications "GET" "/notifications" "list-notifications" Photographer NotNeeded photographer::activity => notifications;
    ReadNotification "POST" "/notifications/{notification_id}/read" "read-notification" Photographer NotNeeded photographer::activity => read_notification;
    ViewGallery "GET" "/g/{token}" "view-gallery" Client Needed client => view_gallery;
    UnlockGallery "POST" "/g/{token}/unlock" "unlock-gallery" Client Needed client => unlock_gallery;
    IdentifyVisitor "POST" "/g/{token}/identify" "identify-visitor" Client Needed client::identify => identify;
    ListFavourites "GET" "/g/{token}/favourites" "list-favourites" Client Needed client::favourites => list;
    AddFavourite "PUT" "/g/{token}/favourites/{photo_id}" "add-favourite" Client Needed client::favourites => add;
    RemoveFavourite "DELETE" "/g/{token}/favourites/{photo_id}" "remove-favourite" Client Needed client::favourites => remove;
    GetDownloads "GET" "/g/{token}/downloads" "get-downloads" Client Needed client::downloads => manager;
    SelectDownload "PUT" "/g/{token}/downloads/{photo_id}" "select-download" Client Needed client::downloads => select;
    UnselectDownload "DELETE" "/g/{token}/downloads/{photo_id}" "unselect-download" Client Needed client::downloads => unselect;
    CreateDownloadRequest "POST" "/g/{token}/downloads/requests" "create-download-request" Client Needed client::downloads => create_request;
    ListDownloadRequests "GET" "/g/{token}/downloads/requests" "list-download-requests" Client Needed client::downloads => list_requests;
    GetDownloadRequest "GET" "/g/{token}/downloads/requests/{request_id}" "get-download-request" Client Needed client::downloads => get_request;
    OpenDownloadLink "GET" "/d/{token}" "open-download-link" Client Needed client::downloads => open_zip;
    LoginPage "GET" "/p/{slug}" "login-page" Client Needed client::logins => login_page;
    LogIn "POST" "/p/{slug}/login" "log-in" Client Needed client::logins => log_in;
    LogOut "POST" "/p/{slug}/logout" "log-out" Client NotNeeded client::logins => log_out;
    MyGalleries "GET" "/me/galleries" "my-galleries" Client Needed client::logins => my_galleries;
    StaticAsset "GET" "/static/{file}" "static-asset" Client NotNeeded pages => static_asset;
    BrandLogo "GET" "/brand/{photographer_id}/{file}" "brand-logo" Client NotNeeded pages => brand_logo;
    StudioPage "GET" "/studio" "studio-page" Studio NotNeeded studio => page;
    RequestSignInLink "POST" "/studio/sign-in" "request-sign-in-link" Studio Needed studio => request_link;
    SignInPage "GET" "/studio/sign-in/{secret}" "sign-in-page" Studio NotNeeded studio => sign_in_page;
    SignIn "POST" "/studio/sign-in/{secret}" "sign-in" Studio NotNeeded studio => sign_in;
    SignOut "POST" "/studio/sign-out" "sign-out" Studio NotNeeded studio => sign_out;
    ListApiKeys "GET" "/api-keys" "list-api-keys" StudioSession NotNeeded photographer::api_keys => list;
    CreateApiKey "POST" "/api-keys" "create-api-key" StudioSession NotNeeded photographer::api_keys => create;
    RevokeApiKey "DELETE" "/api-keys/{key_id}" "revoke-api-key" StudioSession NotNeeded photographer::api_keys => revoke;
}

type Router = HashMap<Method, matchit::Router<Route>>;

fn router() -> &'static Router {
    static ROUTER: OnceLock<Router> = OnceLock::new();
    ROUTER.get_or_init(|| {
        let mut routers: Router = HashMap::new();
        for spec in ROUTES {
            let method =
                Method::from_bytes(spec.method.as_bytes()).unwrap_or_else(|_| unreachable!());
            // The table above is fixed at compile time and tested; a conflict is a programming error.
            if let Err(e) = routers
                .entry(method)
                .or_default()
                .insert(spec.path, spec.route)
            {
                unreachable!("route table conflict at {}: {e}", spec.path);
            }
        }
        routers
    })
}

/// Where a request for this method and path goes: its route's spec (and so its function).
pub fn route_spec(method: &Method, path: &str) -> Option<&'static RouteSpec> {
    let (route, _) = match_route(method, path)?;
    Some(route.spec())
}

/// The route for a method and path, with its path parameters.
pub(crate) fn match_route(method: &Method, path: &str) -> Option<(Route, Vec<(String, String)>)> {
    let matched = router().get(method)?.at(path).ok()?;
    let params = matched
        .params
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    Some((*matched.value, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_reachable_with_its_parameters() {
        for spec in ROUTES {
            let path = spec
                .path
                .replace("{gallery_id}", "g1")
                .replace("{photo_id}", "p1")
                .replace("{grant_id}", "r1")
                .replace("{token}", "t1")
                .replace("{request_id}", "q1")
                .replace("{login_id}", "l1")
                .replace("{slug}", "s1")
                .replace("{notification_id}", "n1")
                .replace("{file}", "f1");
            let method = Method::from_bytes(spec.method.as_bytes()).unwrap();
            let (route, params) = match_route(&method, &path).unwrap();
            assert_eq!(route, spec.route, "{} {}", spec.method, spec.path);
            assert_eq!(params.len(), spec.path.matches('{').count());
        }
    }

    #[test]
    fn unknown_paths_and_methods_match_nothing() {
        assert!(match_route(&Method::GET, "/nope").is_none());
        assert!(match_route(&Method::PUT, "/galleries").is_none());
        assert!(match_route(&Method::GET, "/g/t1/extra").is_none());
    }

    #[test]
    fn each_route_has_its_own_line_in_the_table() {
        for (i, spec) in ROUTES.iter().enumerate() {
            assert_eq!(spec.route as usize, i);
            assert_eq!(spec.route.spec().path, spec.path);
            assert_eq!(spec.route.endpoint().route, spec.route);
        }
    }

    #[test]
    fn client_routes_are_the_link_login_and_page_asset_routes() {
        for spec in ROUTES {
            let is_client = ["/g/", "/d/", "/p/", "/me/", "/static/", "/brand/"]
                .iter()
                .any(|prefix| spec.path.starts_with(prefix));
            assert_eq!(
                spec.audience == Audience::Client,
                is_client,
                "{}",
                spec.path
            );
            let is_studio = spec.path == "/studio" || spec.path.starts_with("/studio/");
            assert_eq!(
                spec.audience == Audience::Studio,
                is_studio,
                "{}",
                spec.path
            );
        }
    }

    #[test]
    fn function_names_are_unique() {
        let mut names: Vec<_> = ROUTES.iter().map(|r| r.function).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ROUTES.len());
    }
}
