//! Reading one configuration file into [`Options`], with a located [`ConfigError`] for anything nplint does not
//! understand: an unknown key, a value of the wrong type, a rule, severity, Python version, platform or glob that
//! does not parse.

use std::ops::Range;
use std::sync::Arc;

use nplint_diagnostics::{Location, Severity, SourceFile, Span};
use nplint_index::Platform;
use nplint_rules::{PythonRequest, PythonValue, Selector};
use toml_edit::{Document, Item, TableLike, Value};

use crate::patterns::Patterns;

/// The settings one configuration file states; `None` and empty lists leave the default.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub select: Option<Vec<Selector>>,
    pub extend_select: Vec<Selector>,
    pub ignore: Vec<Selector>,
    /// Severity overrides, broad selectors first (so that narrower ones win when applied in order).
    pub severity: Vec<(Selector, Severity)>,
    pub python: Option<PythonRequest>,
    pub platforms: Option<Vec<Platform>>,
    /// Replaces the default exclusions.
    pub exclude: Option<Patterns>,
    pub extend_exclude: Option<Patterns>,
    pub extend_include: Option<Patterns>,
    /// `nplint check --online` for the files this configuration governs.
    pub online: Option<bool>,
}

/// The keys nplint reads, in the order the documentation lists them.
pub const KEYS: &[&str] = &[
    "select",
    "extend-select",
    "ignore",
    "severity",
    "python",
    "platforms",
    "exclude",
    "extend-exclude",
    "extend-include",
    "online",
];

/// Something wrong in a configuration file, located in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub location: Location,
    /// One sentence, no trailing period, names in backticks.
    pub message: String,
    pub label: Option<String>,
    pub help: Option<String>,
}

impl ConfigError {
    pub(crate) fn new(location: Location, message: impl Into<String>) -> Self {
        Self {
            location,
            message: message.into(),
            label: None,
            help: None,
        }
    }

    #[must_use]
    pub(crate) fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    #[must_use]
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let start = self.location.start();
        write!(
            f,
            "{}:{}:{}: {}",
            nplint_diagnostics::portable_path(self.location.file.path()),
            start.line,
            start.column,
            self.message
        )
    }
}

impl std::error::Error for ConfigError {}

/// Which kind of file the settings are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigKind {
    /// `nplint.toml` or `.nplint.toml`: the settings are the top-level keys.
    Nplint,
    /// `pyproject.toml`: the settings are `[tool.nplint]`; a file without that table configures nothing.
    Pyproject,
}

/// The options `file` states, `None` for a `pyproject.toml` without `[tool.nplint]` (or one that is not valid
/// TOML: the check of the file as a manifest reports that, and a broken manifest must not stop the whole run).
pub fn parse(file: &Arc<SourceFile>, kind: ConfigKind) -> Result<Option<Options>, ConfigError> {
    let document = match Document::parse(file.text()) {
        Ok(document) => document,
        Err(_) if kind == ConfigKind::Pyproject => return Ok(None),
        Err(error) => {
            let span = error.span().map_or(Span::empty(0), Span::from_range);
            return Err(ConfigError::new(
                Location::new(file.clone(), span),
                format!("invalid TOML: {}", error.message().trim_end()),
            )
            .with_label("here"));
        }
    };
    let reader = Reader { file };
    match kind {
        ConfigKind::Nplint => {
            let name = file
                .path()
                .file_name()
                .map_or_else(|| "nplint.toml".into(), |name| name.to_string_lossy());
            reader
                .options(document.as_table(), &format!("`{name}`"))
                .map(Some)
        }
        ConfigKind::Pyproject => {
            let Some(tool) = document.get("tool").and_then(Item::as_table_like) else {
                return Ok(None);
            };
            let Some((key, item)) = tool.get_key_value("nplint") else {
                return Ok(None);
            };
            let Some(table) = item.as_table_like() else {
                return Err(ConfigError::new(
                    reader.location(key.span()),
                    format!(
                        "`tool.nplint` must be a table, found {}",
                        describe_item(item)
                    ),
                )
                .with_help("write the settings under a `[tool.nplint]` header"));
            };
            reader.options(table, "`[tool.nplint]`").map(Some)
        }
    }
}

struct Reader<'a> {
    file: &'a Arc<SourceFile>,
}

impl Reader<'_> {
    fn location(&self, span: Option<Range<usize>>) -> Location {
        Location::new(
            self.file.clone(),
            span.map_or(Span::empty(0), Span::from_range),
        )
    }

    fn options(&self, table: &dyn TableLike, section: &str) -> Result<Options, ConfigError> {
        let mut options = Options::default();
        for (key, item) in table.iter() {
            let key_location = self.location(table.key(key).and_then(toml_edit::Key::span));
            match key {
                "select" => options.select = Some(self.selectors(key, item)?),
                "extend-select" => options.extend_select = self.selectors(key, item)?,
                "ignore" => options.ignore = self.selectors(key, item)?,
                "severity" => options.severity = self.severities(key, item)?,
                "python" => options.python = Some(self.pythons(key, item)?),
                "platforms" => options.platforms = Some(self.platforms(key, item)?),
                "exclude" => options.exclude = Some(self.patterns(key, item)?),
                "extend-exclude" => options.extend_exclude = Some(self.patterns(key, item)?),
                "extend-include" => options.extend_include = Some(self.patterns(key, item)?),
                "online" => options.online = Some(self.boolean(key, item)?),
                _ => {
                    let help = match closest_key(key) {
                        Some(known) => format!("did you mean `{known}`?"),
                        None => format!("nplint reads: {}", KEYS.join(", ")),
                    };
                    return Err(ConfigError::new(
                        key_location,
                        format!("unknown key `{key}` in {section}"),
                    )
                    .with_label("not an nplint setting")
                    .with_help(help));
                }
            }
        }
        Ok(options)
    }

    /// The strings of an array (or one string, where a single value reads naturally), with their spans.
    fn strings<'i>(
        &self,
        key: &str,
        item: &'i Item,
        single: bool,
    ) -> Result<Vec<(&'i str, Location)>, ConfigError> {
        let wrong = |found: String| {
            let expected = if single {
                "a string or an array of strings"
            } else {
                "an array of strings"
            };
            ConfigError::new(
                self.location(item.span()),
                format!("`{key}` must be {expected}, found {found}"),
            )
        };
        match item.as_value() {
            Some(Value::String(string)) if single => Ok(vec![(
                string.value().as_str(),
                self.location(string.span()),
            )]),
            Some(Value::Array(array)) => array
                .iter()
                .map(|value| match value {
                    Value::String(string) => {
                        Ok((string.value().as_str(), self.location(string.span())))
                    }
                    other => Err(ConfigError::new(
                        self.location(other.span()),
                        format!(
                            "`{key}` must be {}, found {} in it",
                            if single {
                                "a string or an array of strings"
                            } else {
                                "an array of strings"
                            },
                            describe_value(other)
                        ),
                    )),
                })
                .collect(),
            Some(Value::String(string)) => Err(wrong(describe_item(item)).with_help(format!(
                "write it as an array: `{key} = [{}]`",
                string.display_repr()
            ))),
            _ => Err(wrong(describe_item(item))),
        }
    }

    fn selectors(&self, key: &str, item: &Item) -> Result<Vec<Selector>, ConfigError> {
        self.strings(key, item, false)?
            .into_iter()
            .map(|(written, location)| selector(written, location))
            .collect()
    }

    fn severities(&self, key: &str, item: &Item) -> Result<Vec<(Selector, Severity)>, ConfigError> {
        let Some(table) = item.as_table_like() else {
            return Err(ConfigError::new(
                self.location(item.span()),
                format!(
                    "`{key}` must be a table of rule = severity, found {}",
                    describe_item(item)
                ),
            )
            .with_help("for example `severity = { known-pitfall = \"warning\" }`"));
        };
        let mut out = Vec::new();
        for (rule, value) in table.iter() {
            let key_location = self.location(table.key(rule).and_then(toml_edit::Key::span));
            let selector = selector(rule, key_location)?;
            let value_location = self.location(value.span());
            let severity = match value.as_str() {
                Some("error") => Severity::Error,
                Some("warning") => Severity::Warning,
                Some("info") => Severity::Info,
                Some(other) => {
                    return Err(ConfigError::new(
                        value_location,
                        format!("`{other}` is not a severity"),
                    )
                    .with_label("not a severity")
                    .with_help(
                        "use `error`, `warning` or `info`; to turn a rule off, add it to `ignore`",
                    ));
                }
                None => {
                    return Err(ConfigError::new(
                        value_location,
                        format!(
                            "a severity must be a string, found {}",
                            describe_item(value)
                        ),
                    )
                    .with_help("use `error`, `warning` or `info`"));
                }
            };
            if let Err(fixed) =
                nplint_rules::RuleSelection::default().set_severity(&selector, severity)
            {
                return Err(ConfigError::new(
                    self.location(table.key(rule).and_then(toml_edit::Key::span)),
                    fixed.to_string(),
                ));
            }
            out.push((selector, severity));
        }
        // Broad selectors first: applied in order, the narrower ones win.
        out.sort_by_key(|(selector, _)| selector.specificity());
        Ok(out)
    }

    fn pythons(&self, key: &str, item: &Item) -> Result<PythonRequest, ConfigError> {
        let strings = self.strings(key, item, true)?;
        if strings.is_empty() {
            return Err(ConfigError::new(
                self.location(item.span()),
                "`python` names no Python version",
            )
            .with_help("name the versions to check, such as `python = [\"3.10\", \"3.11\"]`, or remove the key"));
        }
        let values = strings
            .into_iter()
            .map(|(written, location)| {
                written.parse::<PythonValue>().map_err(|_| {
                    ConfigError::new(location, format!("`{written}` is not a Python version"))
                        .with_label("expected MAJOR.MINOR")
                        .with_help("write a CPython minor version, such as `3.11`, or `all`")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        PythonRequest::from_values(&values).map_err(|message| {
            ConfigError::new(self.location(item.span()), format!("`python`: {message}"))
                .with_help("write `python = \"all\"` alone, or list the versions")
        })
    }

    fn platforms(&self, key: &str, item: &Item) -> Result<Vec<Platform>, ConfigError> {
        let strings = self.strings(key, item, true)?;
        if strings.is_empty() {
            return Err(ConfigError::new(
                self.location(item.span()),
                "`platforms` names no platform",
            )
            .with_help("name the platforms to check, or remove the key"));
        }
        strings
            .into_iter()
            .map(|(written, location)| {
                written.parse::<Platform>().map_err(|_| {
                    let names: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
                    ConfigError::new(location, format!("`{written}` is not a platform"))
                        .with_label("unknown platform")
                        .with_help(format!("nplint checks {}", names.join(", ")))
                })
            })
            .collect()
    }

    fn boolean(&self, key: &str, item: &Item) -> Result<bool, ConfigError> {
        item.as_bool().ok_or_else(|| {
            ConfigError::new(
                self.location(item.span()),
                format!("`{key}` must be `true` or `false`"),
            )
            .with_label("not a boolean")
        })
    }

    fn patterns(&self, key: &str, item: &Item) -> Result<Patterns, ConfigError> {
        let strings = self.strings(key, item, false)?;
        let mut patterns = Patterns::builder();
        for (written, location) in strings {
            patterns.add(written).map_err(|error| {
                ConfigError::new(
                    location,
                    format!("`{written}` is not a valid glob: {error}"),
                )
                .with_label("invalid glob")
            })?;
        }
        patterns.build().map_err(|error| {
            ConfigError::new(
                self.location(item.span()),
                format!("invalid globs: {error}"),
            )
        })
    }
}

fn selector(written: &str, location: Location) -> Result<Selector, ConfigError> {
    written.parse::<Selector>().map_err(|error| {
        let help = match error.suggestion {
            Some(name) => format!("did you mean `{name}`?"),
            None => "name rules by name (`abi-mismatch`), code (`NPL020`), code prefix (`NPL02`) or `ALL`; \
                     `nplint rule` lists them"
                .to_owned(),
        };
        let message = format!(
            "`{}` is not a rule name, a rule code or a code prefix",
            error.written
        );
        ConfigError::new(location, message)
            .with_label("unknown rule")
            .with_help(help)
    })
}

/// A known key within two edits of `key`.
fn closest_key(key: &str) -> Option<&'static str> {
    KEYS.iter()
        .map(|known| (nplint_rules::edit_distance(key, known), *known))
        .filter(|&(distance, _)| distance <= 2)
        .min()
        .map(|(_, known)| known)
}

fn describe_item(item: &Item) -> String {
    match item {
        Item::Value(value) => describe_value(value),
        Item::Table(_) => "a table".to_owned(),
        Item::ArrayOfTables(_) => "an array of tables".to_owned(),
        Item::None => "nothing".to_owned(),
    }
}

fn describe_value(value: &Value) -> String {
    let name = value.type_name();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}
