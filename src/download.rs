//! The CLI's one HTTP GET (`nplint index update`), kept to one function so that it can be replaced by a shared
//! registry client without touching its callers.
//!
//! `ureq` is the client the index sync uses (`xtask/src/index/http.rs`): blocking, pure Rust TLS verified against
//! the platform's trust store (which works behind a TLS-inspecting proxy whose CA the system trusts).

use std::time::Duration;

use anyhow::{Context, bail};

/// Larger than any snapshot (3 MB today) by far, small enough that a wrong URL cannot fill the disk or memory.
const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// The whole body of `url`, within 30 seconds. A failure (unreachable, timed out, a status other than 2xx) is an
/// error naming the URL, with any credentials in it left out.
pub(crate) fn download(url: &str) -> anyhow::Result<Vec<u8>> {
    let shown = redacted(url);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .user_agent(concat!("nplint/", env!("CARGO_PKG_VERSION")))
        .timeout_global(Some(Duration::from_secs(30)))
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                .build(),
        )
        .build()
        .into();
    let mut response = agent
        .get(url)
        .call()
        // ureq's error may repeat the URL, credentials and all: only its kind is told.
        .map_err(|error| anyhow::anyhow!("{}", describe(&error)))
        .with_context(|| format!("could not download `{shown}`"))?;
    let status = response.status();
    if !status.is_success() {
        bail!("could not download `{shown}`: the server answered {status}");
    }
    response
        .body_mut()
        .with_config()
        .limit(MAX_BYTES)
        .read_to_vec()
        .map_err(|error| anyhow::anyhow!("{}", describe(&error)))
        .with_context(|| format!("could not download `{shown}`"))
}

/// What went wrong, without the URL.
fn describe(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(_) => "no answer within 30 seconds".to_owned(),
        ureq::Error::Io(error) => error.to_string(),
        ureq::Error::HostNotFound => "host not found".to_owned(),
        ureq::Error::ConnectionFailed => "connection failed".to_owned(),
        ureq::Error::BadUri(_) => "not a URL nplint can fetch".to_owned(),
        ureq::Error::BodyExceedsLimit(limit) => format!("larger than {limit} bytes"),
        other => other.to_string(),
    }
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
