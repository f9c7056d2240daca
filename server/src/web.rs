//! The web client, embedded in the binary so that it runs from any directory.
//!
//! The page (`index.html`) is never cached without asking; everything it loads is served under
//! `/v/{version}/`, where the version is a digest of every embedded file, so browsers keep
//! those for good (`immutable`) and a new build is a new address. Responses are compressed
//! (brotli or gzip, as the browser accepts) by `tower-http`.

use std::sync::LazyLock;

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};
use tower_http::compression::CompressionLayer;

#[derive(RustEmbed)]
#[folder = "../web/"]
struct Assets;

/// Scripts only from this origin (no inline script), no plugins, no framing, and WebSocket
/// connections only back to this origin.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'self'";

/// The digest of every embedded file, by path: what versions the assets' addresses.
static VERSION: LazyLock<String> = LazyLock::new(digest_of_assets);

/// This build's asset version. A debug build reads `web/` from disk as it changes, so there it
/// is worked out afresh each time (and a changed file gets a new address too).
fn version() -> String {
    if cfg!(debug_assertions) {
        digest_of_assets()
    } else {
        VERSION.clone()
    }
}

fn digest_of_assets() -> String {
    let mut paths: Vec<_> = Assets::iter().collect();
    paths.sort();
    let mut hasher = Sha256::new();
    for path in paths {
        if let Some(file) = Assets::get(&path) {
            hasher.update(path.as_bytes());
            hasher.update(file.metadata.sha256_hash());
        }
    }
    short_hex(&hasher.finalize())
}

/// The first twelve hex digits of a digest: enough to tell builds apart.
fn short_hex(digest: &[u8]) -> String {
    let head: Vec<u8> = digest.iter().take(6).copied().collect();
    crate::room::hex(&head)
}

/// How long an asset may be kept.
#[derive(Clone, Copy)]
enum Caching {
    /// Asked about again on every use (cheaply, with its ETag).
    Revalidate,
    /// Kept for good: its address changes with its content.
    Immutable,
}

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/",
            get(|headers: HeaderMap| async move { page(&headers, None) }),
        )
        .route(
            "/r/{room}",
            get(|Path(room): Path<String>, headers: HeaderMap| async move {
                page(&headers, uuid::Uuid::parse_str(&room).ok())
            }),
        )
        .route(
            "/v/{version}/{*path}",
            get(
                |Path((asked, path)): Path<(String, String)>, headers: HeaderMap| async move {
                    if asked == version() {
                        asset(&path, &headers, Caching::Immutable)
                    } else {
                        // Another build's address: what it held is not here any more. Not
                        // to be remembered either: during a rolling upgrade the same address
                        // may be answered by a node still running that build.
                        (
                            StatusCode::NOT_FOUND,
                            [(header::CACHE_CONTROL, "no-store")],
                            "not found",
                        )
                            .into_response()
                    }
                },
            ),
        )
        .route(
            "/{*path}",
            get(|Path(path): Path<String>, headers: HeaderMap| async move {
                asset(&path, &headers, Caching::Revalidate)
            }),
        )
        .layer(CompressionLayer::new())
}

/// The page, pointing at this build's versioned assets. A room's page also asks for the room's
/// name while its modules load, instead of after.
fn page(headers: &HeaderMap, room: Option<uuid::Uuid>) -> Response {
    let Some(file) = Assets::get("index.html") else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let version = version();
    let prefix = format!("/v/{version}/");
    // The page's own links (to `/`) stay; what it loads moves under the version.
    let mut html = String::from_utf8_lossy(&file.data).into_owned();
    for asset in ["/css/", "/js/", "/favicon.svg"] {
        let moved = format!("=\"{prefix}{}", asset.trim_start_matches('/'));
        html = html.replace(&format!("=\"{asset}"), &moved);
    }
    // A parsed id, written back in its canonical form: nothing from the address enters the
    // page as it was sent.
    let room_lookup = room.map_or_else(String::new, |id| {
        format!("<link rel=\"preload\" href=\"/api/rooms/{id}\" as=\"fetch\" crossorigin=\"anonymous\">\n")
    });
    html = html.replacen(
        "</head>",
        &format!("{room_lookup}{}</head>", module_preloads(&prefix)),
        1,
    );
    let etag = format!(
        "\"{}-{}{}\"",
        version,
        short_hex(&file.metadata.sha256_hash()),
        room.map_or_else(String::new, |id| format!("-{}", id.simple())),
    );
    respond(
        html.into_bytes(),
        "text/html",
        &etag,
        headers,
        Caching::Revalidate,
    )
}

/// Every module the page imports at start, announced in the page: the browser asks for all of
/// them at once instead of discovering them one import level at a time. Modules the page loads
/// only when used (dialogs, the catalogues of other languages) stay out.
fn module_preloads(prefix: &str) -> String {
    startup_modules()
        .iter()
        .map(|path| format!("<link rel=\"modulepreload\" href=\"{prefix}{path}\">\n"))
        .collect()
}

/// `js/main.js` and what it imports statically, import by import. Worked out from the modules
/// themselves, so that moving a module behind an `import()` takes it out of the start with no
/// list to keep up to date.
fn startup_modules() -> Vec<String> {
    let mut found = std::collections::BTreeSet::new();
    let mut pending = vec!["js/main.js".to_owned()];
    while let Some(path) = pending.pop() {
        let Some(file) = Assets::get(&path) else {
            continue;
        };
        if !found.insert(path.clone()) {
            continue;
        }
        let source = String::from_utf8_lossy(&file.data);
        pending.extend(
            static_imports(&source).filter_map(|specifier| resolve_module(&path, specifier)),
        );
    }
    found.into_iter().collect()
}

/// The specifiers of a module's static imports. The client writes each on one line of its own
/// (`import { a } from './a.js';` or `import './a.js';`); `import(…)` is a load on use.
fn static_imports(source: &str) -> impl Iterator<Item = &str> {
    source.lines().filter_map(|line| {
        let rest = line.strip_prefix("import ")?;
        let quoted = rest.rsplit_once(" from ").map_or(rest, |(_, from)| from);
        let quoted = quoted.trim().trim_end_matches(';');
        quoted
            .strip_prefix('\'')
            .and_then(|inner| inner.strip_suffix('\''))
    })
}

/// A relative specifier (`./a.js`, `../b.js`) against the importing module's path.
fn resolve_module(importer: &str, specifier: &str) -> Option<String> {
    let mut parts: Vec<&str> = importer.split('/').collect();
    parts.pop();
    for segment in specifier.split('/') {
        match segment {
            "." => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    Some(parts.join("/"))
}

fn asset(path: &str, headers: &HeaderMap, caching: Caching) -> Response {
    let Some(file) = Assets::get(path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let etag = format!("\"{}\"", crate::room::hex(&file.metadata.sha256_hash()));
    respond(
        file.data.into_owned(),
        file.metadata.mimetype(),
        &etag,
        headers,
        caching,
    )
}

fn respond(
    body: Vec<u8>,
    mime: &str,
    etag: &str,
    headers: &HeaderMap,
    caching: Caching,
) -> Response {
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|tag| tag.as_bytes() == etag.as_bytes());
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(Body::from(body))
    };
    let headers = response.headers_mut();
    if let Ok(mime) = HeaderValue::from_str(mime) {
        headers.insert(header::CONTENT_TYPE, mime);
    }
    if let Ok(tag) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, tag);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(match caching {
            Caching::Revalidate => "no-cache",
            Caching::Immutable => "public, max-age=31536000, immutable",
        }),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}
