//! The HTTP GET of `nplint index update`: the registry client `nplint check --online` and the index sync use
//! (`nplint-registry`: timeouts, retries with backoff, credentials sent and never shown), without its cache, since
//! the snapshot it downloads is installed whole into the cache directory anyway.

use std::time::Duration;

use anyhow::Context;
use nplint_registry::{Client, ClientOptions};

/// The whole body of `url`. A failure (unreachable after the retries, timed out, a status other than 2xx) is an
/// error naming the URL, with any credentials in it left out.
pub(crate) fn download(url: &str) -> anyhow::Result<Vec<u8>> {
    let shown = redacted(url);
    let client = Client::new(ClientOptions {
        cache_dir: None,
        freshness: Duration::ZERO,
        ..ClientOptions::default()
    })?;
    client
        .get(url)
        .with_context(|| format!("could not download `{shown}`"))
}

/// `url` with its user name and password left out, for messages.
pub(crate) fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            // Both fail only for URLs that cannot have credentials, which these have.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        // Not a URL: whatever precedes an `@` may be credentials.
        Err(_) => url
            .rsplit_once('@')
            .map_or_else(|| url.to_owned(), |(_, host)| format!("…@{host}")),
    }
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn credentials_are_left_out_of_messages() {
        assert_eq!(
            redacted("https://user:secret@example.invalid/index.json"),
            "https://example.invalid/index.json"
        );
        assert_eq!(
            redacted("https://token@example.invalid/a"),
            "https://example.invalid/a"
        );
        assert_eq!(
            redacted("http://127.0.0.1:1/index.json"),
            "http://127.0.0.1:1/index.json"
        );
    }
}
