//! Index URLs and their credentials: a URL's userinfo, else the `~/.netrc` (or `$NETRC`) entry for its host, as
//! pip does. Credentials are kept apart from the URL, so that the URL can name cache entries and appear in
//! messages; they leave this crate only as an `Authorization` header.

use std::fmt;
use std::path::PathBuf;

use base64::Engine as _;

/// A user name and password for HTTP basic authentication. Its `Debug` shows no password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    username: String,
    password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"***")
            .finish()
    }
}

impl Credentials {
    /// The value of an `Authorization` header.
    pub(crate) fn header(&self) -> String {
        let pair = format!("{}:{}", self.username, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }
}

/// The base URL of a simple-API index (`https://host/simple`), without credentials, and the credentials to send
/// to its host. `Display` writes it with any credentials it was given as `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct IndexUrl {
    /// Scheme, host, port and path, no userinfo, no trailing `/`.
    url: String,
    credentials: Option<Credentials>,
    /// Whether the credentials were written in the URL (then `Display` shows that some were).
    in_url: bool,
}

impl fmt::Debug for IndexUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IndexUrl({self})")
    }
}

impl fmt::Display for IndexUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.in_url {
            let (scheme, rest) = self.url.split_once("://").unwrap_or(("", &self.url));
            write!(f, "{scheme}://***@{rest}")
        } else {
            f.write_str(&self.url)
        }
    }
}

impl std::str::FromStr for IndexUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Self::parse(text)
    }
}

impl IndexUrl {
    /// Reads `http(s)://[user[:password]@]host[:port][/path]`; without userinfo, the credentials of the netrc
    /// file's entry for the host (`$NETRC`, else `~/.netrc`), if any. The error never repeats the URL, which may
    /// hold a password.
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::parse_with_netrc(text, netrc_path().as_deref())
    }

    /// A file's URL, as [`IndexUrl::parse`] reads it but with its path kept as written (a trailing `/` too).
    pub(crate) fn file(text: &str) -> Result<Self, String> {
        let mut url = Self::parse(text)?;
        let path_end = text.trim().len();
        if text.trim()[..path_end].ends_with('/') && !url.url.ends_with('/') {
            url.url.push('/');
        }
        Ok(url)
    }

    fn parse_with_netrc(text: &str, netrc: Option<&std::path::Path>) -> Result<Self, String> {
        let text = text.trim();
        let (scheme, rest) = text
            .split_once("://")
            .ok_or("an index URL starts with `http://` or `https://`")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(format!("an index URL is `http` or `https`, not `{scheme}`"));
        }
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(authority_end);
        let (userinfo, host) = match authority.rfind('@') {
            Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
            None => (None, authority),
        };
        if host.is_empty() {
            return Err("the index URL names no host".to_owned());
        }
        let url = format!(
            "{scheme}://{}{}",
            host.to_ascii_lowercase(),
            path.trim_end_matches('/')
        );
        let credentials = userinfo.map(|userinfo| {
            let (username, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            Credentials {
                username: percent_decode(username),
                password: percent_decode(password),
            }
        });
        let in_url = credentials.is_some();
        let credentials = credentials.or_else(|| {
            let host = host_name(host);
            netrc
                .and_then(|path| std::fs::read_to_string(path).ok())
                .and_then(|netrc| netrc_lookup(&netrc, host))
        });
        Ok(Self {
            url,
            credentials,
            in_url,
        })
    }

    /// The URL without credentials and without a trailing `/`: what cache keys and messages use.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    pub(crate) fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// `scheme://host[:port]`: the scope credentials are sent to.
    pub(crate) fn origin(&self) -> &str {
        origin(&self.url)
    }
}

/// `scheme://host[:port]` of an absolute URL.
pub(crate) fn origin(url: &str) -> &str {
    let start = url.find("://").map_or(0, |at| at + 3);
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |at| start + at);
    &url[..end]
}

/// The host of `host[:port]` (an IPv6 literal keeps its brackets).
fn host_name(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority
            .find(']')
            .map_or(authority, |end| &authority[..=end]);
    }
    authority.split(':').next().unwrap_or(authority)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let decoded = (bytes[at] == b'%')
            .then(|| text.get(at + 1..at + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        if let Some(byte) = decoded {
            out.push(byte);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `$NETRC`, else `~/.netrc`.
fn netrc_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("NETRC").filter(|path| !path.is_empty()) {
        return Some(PathBuf::from(path));
    }
    etcetera::home_dir().ok().map(|home| home.join(".netrc"))
}

/// The login and password of `host`'s `machine` entry, else of the `default` entry (the netrc format of ftp(1),
/// as Python's `netrc` module reads it; `macdef` bodies are skipped).
fn netrc_lookup(netrc: &str, host: &str) -> Option<Credentials> {
    let mut tokens = netrc.split_whitespace().peekable();
    let mut found: Option<Credentials> = None;
    let mut default: Option<Credentials> = None;
    // Which entry the `login`/`password` tokens belong to: `Some(true)` the host's, `Some(false)` the default.
    let mut current: Option<bool> = None;
    let mut entry = Credentials {
        username: String::new(),
        password: String::new(),
    };
    let mut finish = |current: Option<bool>, entry: &mut Credentials| {
        let done = std::mem::replace(
            entry,
            Credentials {
                username: String::new(),
                password: String::new(),
            },
        );
        match current {
            Some(true) if found.is_none() => found = Some(done),
            Some(false) if default.is_none() => default = Some(done),
            _ => {}
        }
    };
    while let Some(token) = tokens.next() {
        match token {
            "machine" => {
                finish(current, &mut entry);
                let machine = tokens.next().unwrap_or_default();
                current = machine.eq_ignore_ascii_case(host).then_some(true);
            }
            "default" => {
                finish(current, &mut entry);
                current = Some(false);
            }
            "login" => tokens
                .next()
                .unwrap_or_default()
                .clone_into(&mut entry.username),
            "password" => tokens
                .next()
                .unwrap_or_default()
                .clone_into(&mut entry.password),
            "account" => {
                tokens.next();
            }
            "macdef" => {
                // A macro's body runs to a blank line, which whitespace splitting cannot see: skip to the next
                // entry.
                while tokens
                    .peek()
                    .is_some_and(|next| !matches!(*next, "machine" | "default"))
                {
                    tokens.next();
                }
            }
            _ => {}
        }
    }
    finish(current, &mut entry);
    found.or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_kept_apart_and_redacted() {
        let url = IndexUrl::parse_with_netrc("http://user:s%40cret@127.0.0.1:8080/simple/", None)
            .unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:8080/simple");
        assert_eq!(url.to_string(), "http://***@127.0.0.1:8080/simple");
        assert_eq!(
            format!("{url:?}"),
            "IndexUrl(http://***@127.0.0.1:8080/simple)"
        );
        let credentials = url.credentials().unwrap();
        assert_eq!(credentials.password, "s@cret");
        assert!(!format!("{credentials:?}").contains("cret"));
        assert_eq!(credentials.header(), "Basic dXNlcjpzQGNyZXQ=");
        assert_eq!(url.origin(), "http://127.0.0.1:8080");
    }

    #[test]
    fn reads_credentials_from_netrc() {
        // A macro's body is not an entry's login and password.
        let netrc = "machine other.invalid login a password b\n\
                     machine 127.0.0.1\n  login user\n  password secret\n\
                     macdef init\n  login nobody password nothing\n\n\
                     default login anonymous password guest\n";
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("netrc");
        std::fs::write(&path, netrc).unwrap();
        let url = IndexUrl::parse_with_netrc("http://127.0.0.1:9/simple", Some(&path)).unwrap();
        assert_eq!(url.credentials().unwrap().username, "user");
        assert_eq!(url.credentials().unwrap().password, "secret");
        // Credentials from netrc are not shown as if they were in the URL.
        assert_eq!(url.to_string(), "http://127.0.0.1:9/simple");
        let elsewhere =
            IndexUrl::parse_with_netrc("https://else.invalid/simple", Some(&path)).unwrap();
        assert_eq!(elsewhere.credentials().unwrap().username, "anonymous");
        // The URL's own credentials win.
        let own = IndexUrl::parse_with_netrc("http://me:pw@127.0.0.1/simple", Some(&path)).unwrap();
        assert_eq!(own.credentials().unwrap().username, "me");
    }

    #[test]
    fn rejects_what_is_not_an_http_url() {
        assert!(IndexUrl::parse_with_netrc("127.0.0.1/simple", None).is_err());
        assert!(IndexUrl::parse_with_netrc("ftp://127.0.0.1/simple", None).is_err());
        let error = IndexUrl::parse_with_netrc("ftp://user:secret@127.0.0.1/", None).unwrap_err();
        assert!(!error.contains("secret"), "{error}");
    }
}
