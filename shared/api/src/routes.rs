//! The HTTP API's routes: one Lambda function each in AWS, one table for everything else
//! (the local runner's router, the OpenAPI consistency test, the SAM template check).

use std::collections::HashMap;
use std::sync::OnceLock;

use http::Method;

use crate::SecretKeyUse;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    CreateGallery,
    ListGalleries,
    GetGallery,
    UpdateGallery,
    DeleteGallery,
    CreatePhotoUpload,
    ListPhotos,
    DeletePhoto,
    PutGeneralAccess,
    GetGeneralAccess,
    CreatePrivateAccess,
    ListPrivateAccess,
    UpdatePrivateAccess,
    DeletePrivateAccess,
    CreateLogoUpload,
    ViewGallery,
    UnlockGallery,
}

impl Route {
    /// Whether the route's code makes or checks links, sessions or password-try counters, all
    /// derived from the deployment's secret key: only those functions read the key.
    pub fn secret_key_use(self) -> SecretKeyUse {
        match self {
            Self::PutGeneralAccess
            | Self::GetGeneralAccess
            | Self::CreatePrivateAccess
            | Self::ListPrivateAccess
            | Self::UpdatePrivateAccess
            | Self::ViewGallery
            | Self::UnlockGallery => SecretKeyUse::Needed,
            Self::CreateGallery
            | Self::ListGalleries
            | Self::GetGallery
            | Self::UpdateGallery
            | Self::DeleteGallery
            | Self::CreatePhotoUpload
            | Self::ListPhotos
            | Self::DeletePhoto
            | Self::DeletePrivateAccess
            | Self::CreateLogoUpload => SecretKeyUse::NotNeeded,
        }
    }
}

/// Where a route lives: method, path template (API Gateway syntax) and its function's binary.
#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    pub route: Route,
    pub method: &'static str,
    pub path: &'static str,
    pub function: &'static str,
}

macro_rules! routes {
    ($($route:ident $method:literal $path:literal $function:literal;)*) => {
        pub const ROUTES: &[RouteSpec] = &[
            $(RouteSpec { route: Route::$route, method: $method, path: $path, function: $function },)*
        ];
    };
}

routes! {
    CreateGallery "POST" "/galleries" "create-gallery";
    ListGalleries "GET" "/galleries" "list-galleries";
    GetGallery "GET" "/galleries/{gallery_id}" "get-gallery";
    UpdateGallery "PATCH" "/galleries/{gallery_id}" "update-gallery";
    DeleteGallery "DELETE" "/galleries/{gallery_id}" "delete-gallery";
    CreatePhotoUpload "POST" "/galleries/{gallery_id}/photos" "create-photo-upload";
    ListPhotos "GET" "/galleries/{gallery_id}/photos" "list-photos";
    DeletePhoto "DELETE" "/galleries/{gallery_id}/photos/{photo_id}" "delete-photo";
    PutGeneralAccess "PUT" "/galleries/{gallery_id}/general-access" "put-general-access";
    GetGeneralAccess "GET" "/galleries/{gallery_id}/general-access" "get-general-access";
    CreatePrivateAccess "POST" "/galleries/{gallery_id}/private-access" "create-private-access";
    ListPrivateAccess "GET" "/galleries/{gallery_id}/private-access" "list-private-access";
    UpdatePrivateAccess "PATCH" "/galleries/{gallery_id}/private-access/{grant_id}" "update-private-access";
    DeletePrivateAccess "DELETE" "/galleries/{gallery_id}/private-access/{grant_id}" "delete-private-access";
    CreateLogoUpload "POST" "/watermark-logo" "create-logo-upload";
    ViewGallery "GET" "/g/{token}" "view-gallery";
    UnlockGallery "POST" "/g/{token}/unlock" "unlock-gallery";
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
    ROUTES.iter().find(|spec| spec.route == route)
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
                .replace("{token}", "t1");
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
    fn function_names_are_unique() {
        let mut names: Vec<_> = ROUTES.iter().map(|r| r.function).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ROUTES.len());
    }
}
