//! Which attributes of the `numpy` module a Python file uses, read from its tokens: the detector behind the
//! `removed_api` scan (see [`super::scan`]).
//!
//! The tokens are Ruff's (`ruff_python_parser`, Python 3.14 syntax; an old Python 2 file still tokenizes). A file
//! with a lexical error yields `None` and is skipped. What counts as a use of `name`:
//! - `X.name`, where `X` was bound to the module by `import numpy as X`, `import numpy` or `import numpy.sub`
//!   (both bind `numpy`), anywhere in the file before; the token before `X` is not a `.` (`self.np.float` is
//!   someone else's attribute), and the expression is not the target of a plain assignment (`np.float = float`
//!   is a compatibility shim, which works on every NumPy);
//! - `from numpy import name [as other]`, once per import.
//!
//! `import numpy.sub as X` binds a submodule, not the namespace, and `from numpy import *` names nothing: neither
//! is followed. Strings and comments are single tokens, so `"np.float"` never matches.
//!
//! Scope: [`ApiScope::Import`] for code that runs unconditionally when the module is imported (module level and
//! class bodies outside any compound statement, annotated assignments among them, decorators, default values and
//! annotations of a `def` line);
//! [`ApiScope::Function`] for the straight-line body of a function the module defines unconditionally (at module
//! level, or in a class at module level), named with its classes (`BorutaPy._fit`): it fails whenever the function
//! is called;
//! [`ApiScope::Call`] for everything else: inside a function body under a condition, loop or `with` (which may test
//! the NumPy version), in a nested function or a `lambda`, in a function defined under a condition, or
//! under a condition or loop (`if`/`elif`/`else`, `for`, `while`, `with`, `except`, `finally`, `match`), where it
//! runs only when that code does. `if numpy_version < (2, 0):` (numba), `if NUMPY_LT_2_0:` (astropy) and
//! `if __name__ == "__main__":` (statsmodels' sandbox) keep removed names out of the import path on the NumPy that
//! removed them: counting them as import-time uses would flag releases that import fine.
//! Guards: a use inside the body of a `try:` block, or of an `if`/`elif` whose condition calls `hasattr`, is not
//! reported at all, whatever the handler catches: such code usually tests for the name and has a fallback. A
//! function defined inside a guard is not guarded (its body runs later, outside the `try`).

use nplint_index::source::ApiScope;
use ruff_python_ast::token::{Token, TokenKind};
use ruff_python_parser::{Mode, ParseErrorType, ParseOptions, parse_unchecked};
use ruff_text_size::Ranged;

/// One use of an attribute of the `numpy` module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub name: String,
    pub scope: ApiScope,
    /// 1-based.
    pub line: u32,
    /// For [`ApiScope::Function`]: the function, qualified by its classes (`BorutaPy._fit`).
    pub function: Option<String>,
}

/// What encloses a token: a block opened by an indented body, a one-line body, or a lambda's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Function,
    Class,
    /// The body of `try:`, or of an `if` testing `hasattr`.
    Guard,
    /// The body of any other compound statement: it runs only under a condition.
    Conditional,
}

/// The uses of attributes of `numpy` in a Python file, in source order; `None` when the file does not tokenize.
pub fn numpy_uses(source: &str) -> Option<Vec<Use>> {
    let parsed = parse_unchecked(source, ParseOptions::from(Mode::Module));
    if parsed
        .errors()
        .iter()
        .any(|error| matches!(error.error, ParseErrorType::Lexical(_)))
    {
        return None;
    }
    let tokens: Vec<Token> = parsed
        .tokens()
        .iter()
        .copied()
        .filter(|token| {
            !matches!(
                token.kind(),
                TokenKind::Comment | TokenKind::NonLogicalNewline
            )
        })
        .collect();
    let lines = LineIndex::new(source);
    Some(Detector::new(source, &tokens, &lines).run())
}

struct Detector<'a> {
    source: &'a str,
    tokens: &'a [Token],
    lines: &'a LineIndex,
    /// Names bound to the `numpy` module.
    aliases: Vec<String>,
    /// Blocks opened by `Indent`, innermost last, with the name a `def` or `class` header gives its block.
    blocks: Vec<(Block, Option<&'a str>)>,
    /// The kind of block the current logical line's header opens (`def ...:` opens a function).
    line_kind: Block,
    /// The name the current logical line's header defines (`def name`, `class name`).
    line_name: Option<&'a str>,
    /// The header colon has not been seen yet on this line.
    header_open: bool,
    /// The first token of the current logical line.
    line_first: usize,
    /// The one-line body after a header colon, until the end of the logical line.
    inline: Option<Block>,
    /// Open lambdas: the bracket depth of `lambda`, and whether its body (after its colon) has begun.
    lambdas: Vec<(u32, bool)>,
    depth: u32,
    uses: Vec<Use>,
}

impl<'a> Detector<'a> {
    fn new(source: &'a str, tokens: &'a [Token], lines: &'a LineIndex) -> Self {
        Self {
            source,
            tokens,
            lines,
            aliases: Vec::new(),
            blocks: Vec::new(),
            line_kind: Block::Conditional,
            line_name: None,
            header_open: false,
            line_first: 0,
            inline: None,
            lambdas: Vec::new(),
            depth: 0,
            uses: Vec::new(),
        }
    }

    fn kind(&self, index: usize) -> Option<TokenKind> {
        self.tokens.get(index).map(Token::kind)
    }

    fn text(&self, index: usize) -> &'a str {
        let range = self.tokens[index].range();
        &self.source[range.start().to_usize()..range.end().to_usize()]
    }

    fn is_name(&self, index: usize, name: &str) -> bool {
        self.kind(index) == Some(TokenKind::Name) && self.text(index) == name
    }

    /// Where a use at the current token runs; `None` when it is guarded.
    fn scope(&self) -> Option<ApiScope> {
        let lambdas = self
            .lambdas
            .iter()
            .rev()
            .filter(|(_, body)| *body)
            .map(|_| Block::Function);
        let enclosing = lambdas
            .chain(self.inline)
            .chain(self.blocks.iter().rev().map(|(block, _)| *block));
        let mut conditional = false;
        for block in enclosing {
            match block {
                Block::Function => return Some(ApiScope::Call),
                Block::Guard => return None,
                Block::Conditional => conditional = true,
                Block::Class => {}
            }
        }
        Some(if conditional {
            ApiScope::Call
        } else {
            ApiScope::Import
        })
    }

    /// Whether the logical line holding `at` has an `if` other than its statement keyword: a conditional
    /// expression (`{np.asfarray} if NUMPY_LT_2_0 else set()`, astropy) or a comprehension's filter, either of
    /// which may skip the use.
    fn in_conditional_expression(&self, at: usize) -> bool {
        let end = self.tokens[at..]
            .iter()
            .position(|token| token.kind() == TokenKind::Newline)
            .map_or(self.tokens.len(), |offset| at + offset);
        self.tokens[self.line_first..end]
            .iter()
            .enumerate()
            .any(|(offset, token)| offset > 0 && token.kind() == TokenKind::If)
    }

    /// The function whose straight-line body holds the current token, qualified by its classes, when the module
    /// defines it unconditionally: the innermost block is the function's body, and every block around the `def`
    /// is a class body (a method of a nested function, or a `def` under `if NUMPY_LT_2_0:`, exists only when that
    /// code runs).
    fn function(&self) -> Option<String> {
        if self.lambdas.iter().any(|(_, body)| *body) {
            return None;
        }
        let inline = self.inline.map(|block| (block, self.line_name));
        let mut enclosing = inline.into_iter().chain(self.blocks.iter().rev().copied());
        let (Block::Function, Some(function)) = enclosing.next()? else {
            return None;
        };
        let mut path = vec![function];
        for (block, name) in enclosing {
            match (block, name) {
                (Block::Class, Some(name)) => path.push(name),
                _ => return None,
            }
        }
        path.reverse();
        Some(path.join("."))
    }

    fn record(&mut self, name: &str, at: usize) {
        if let Some(mut scope) = self.scope() {
            let conditional = self.in_conditional_expression(at);
            if scope == ApiScope::Import && conditional {
                scope = ApiScope::Call;
            }
            let function = if scope == ApiScope::Call && !conditional {
                self.function()
            } else {
                None
            };
            if function.is_some() {
                scope = ApiScope::Function;
            }
            let line = self.lines.line(self.tokens[at].start().to_u32());
            self.uses.push(Use {
                name: name.to_string(),
                scope,
                line,
                function,
            });
        }
    }

    /// The name a `def` or `class` header starting at `start` defines.
    fn header_name(&self, start: usize) -> Option<&'a str> {
        let at = match self.kind(start)? {
            TokenKind::Def | TokenKind::Class => start + 1,
            TokenKind::Async if self.kind(start + 1) == Some(TokenKind::Def) => start + 2,
            _ => return None,
        };
        (self.kind(at) == Some(TokenKind::Name)).then(|| self.text(at))
    }

    /// Whether the logical line starting at `start` is a compound statement's header. A soft keyword used as a
    /// name (`match: int = 1`) is a `Name` token, as the parser classified it.
    fn opens_block(&self, start: usize) -> bool {
        matches!(
            self.kind(start),
            Some(
                TokenKind::Def
                    | TokenKind::Async
                    | TokenKind::Class
                    | TokenKind::Try
                    | TokenKind::Except
                    | TokenKind::Finally
                    | TokenKind::If
                    | TokenKind::Elif
                    | TokenKind::Else
                    | TokenKind::For
                    | TokenKind::While
                    | TokenKind::With
                    | TokenKind::Match
                    | TokenKind::Case
            )
        )
    }

    /// What the logical line starting at `start` opens, when it is a compound statement's header.
    fn header_kind(&self, start: usize) -> Block {
        match self.kind(start) {
            Some(TokenKind::Def) => Block::Function,
            Some(TokenKind::Async) if self.kind(start + 1) == Some(TokenKind::Def) => {
                Block::Function
            }
            Some(TokenKind::Class) => Block::Class,
            Some(TokenKind::Try) => Block::Guard,
            Some(TokenKind::If | TokenKind::Elif) => {
                let tests_hasattr = self.tokens[start..]
                    .iter()
                    .enumerate()
                    .take_while(|(_, token)| token.kind() != TokenKind::Newline)
                    .any(|(offset, _)| {
                        self.is_name(start + offset, "hasattr")
                            && self.kind(start + offset + 1) == Some(TokenKind::Lpar)
                    });
                if tests_hasattr {
                    Block::Guard
                } else {
                    Block::Conditional
                }
            }
            // Only compound statements open blocks: every other one (`for`, `while`, `with`, `else`, `except`,
            // `finally`, `match`, `case`) runs its body conditionally or repeatedly.
            _ => Block::Conditional,
        }
    }

    fn run(mut self) -> Vec<Use> {
        let mut line_start = true;
        let mut last_line_kind = Block::Conditional;
        let mut last_line_name = None;
        let mut index = 0;
        while index < self.tokens.len() {
            let kind = self.tokens[index].kind();
            if line_start && !matches!(kind, TokenKind::Indent | TokenKind::Dedent) {
                line_start = false;
                self.line_first = index;
                self.line_kind = self.header_kind(index);
                self.line_name = self.header_name(index);
                // Only a compound statement's header ends in a block-opening colon; on any other line a colon
                // outside brackets annotates (`X: tuple[...] = (np.unicode_,)` runs at import) or ends a lambda's
                // parameters.
                self.header_open = self.opens_block(index);
            }
            match kind {
                TokenKind::Newline => {
                    self.lambdas.clear();
                    self.inline = None;
                    self.depth = 0;
                    last_line_kind = self.line_kind;
                    last_line_name = self.line_name;
                    line_start = true;
                }
                TokenKind::Indent => self.blocks.push((last_line_kind, last_line_name)),
                TokenKind::Dedent => {
                    self.blocks.pop();
                }
                TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => self.depth += 1,
                TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                    self.depth = self.depth.saturating_sub(1);
                    let depth = self.depth;
                    self.lambdas.retain(|(at, _)| *at <= depth);
                }
                TokenKind::Comma | TokenKind::Semi => {
                    let depth = self.depth;
                    while self
                        .lambdas
                        .last()
                        .is_some_and(|(at, body)| *body && *at == depth)
                    {
                        self.lambdas.pop();
                    }
                }
                TokenKind::Lambda => self.lambdas.push((self.depth, false)),
                TokenKind::Colon => {
                    let depth = self.depth;
                    if let Some(lambda) = self
                        .lambdas
                        .iter_mut()
                        .rev()
                        .find(|(at, body)| *at == depth && !*body)
                    {
                        lambda.1 = true;
                    } else if self.header_open && depth == 0 {
                        self.header_open = false;
                        self.inline = Some(self.line_kind);
                    }
                }
                TokenKind::Import if self.statement_starts(index) => {
                    index = self.import(index + 1);
                    continue;
                }
                TokenKind::From if self.statement_starts(index) => {
                    index = self.import_from(index);
                    continue;
                }
                TokenKind::Name => self.attribute(index),
                _ => {}
            }
            index += 1;
        }
        self.uses
    }

    /// Whether the token at `index` begins a simple statement.
    fn statement_starts(&self, index: usize) -> bool {
        index == 0
            || matches!(
                self.kind(index - 1),
                Some(
                    TokenKind::Newline
                        | TokenKind::Indent
                        | TokenKind::Dedent
                        | TokenKind::Semi
                        | TokenKind::Colon
                )
            )
    }

    /// `X.name` with `X` an alias of `numpy`.
    fn attribute(&mut self, index: usize) {
        if index > 0 && self.kind(index - 1) == Some(TokenKind::Dot) {
            return;
        }
        let alias = self.text(index);
        if !self.aliases.iter().any(|known| known == alias)
            || self.kind(index + 1) != Some(TokenKind::Dot)
            || self.kind(index + 2) != Some(TokenKind::Name)
            || self.kind(index + 3) == Some(TokenKind::Equal)
        {
            return;
        }
        let name = self.text(index + 2);
        self.record(name, index);
    }

    /// `import a.b as c, d`: binds aliases of `numpy`. Returns the index after the statement.
    fn import(&mut self, mut index: usize) -> usize {
        loop {
            let mut path = Vec::new();
            while self.kind(index) == Some(TokenKind::Name) {
                path.push(self.text(index));
                index += 1;
                if self.kind(index) == Some(TokenKind::Dot) {
                    index += 1;
                } else {
                    break;
                }
            }
            let alias = if self.kind(index) == Some(TokenKind::As)
                && self.kind(index + 1) == Some(TokenKind::Name)
            {
                index += 2;
                Some(self.text(index - 1))
            } else {
                None
            };
            if path.first() == Some(&"numpy") {
                let bound = match alias {
                    None => Some("numpy"),
                    Some(alias) if path.len() == 1 => Some(alias),
                    Some(_) => None,
                };
                if let Some(bound) = bound
                    && !self.aliases.iter().any(|known| known == bound)
                {
                    self.aliases.push(bound.to_string());
                }
            }
            if self.kind(index) == Some(TokenKind::Comma) {
                index += 1;
            } else {
                return index;
            }
        }
    }

    /// `from numpy import a as b, (c)`: one use per imported name. Returns the index after the names.
    fn import_from(&mut self, from: usize) -> usize {
        if !(self.is_name(from + 1, "numpy") && self.kind(from + 2) == Some(TokenKind::Import)) {
            return from + 1;
        }
        let mut index = from + 3;
        let parenthesized = self.kind(index) == Some(TokenKind::Lpar);
        if parenthesized {
            index += 1;
        }
        while self.kind(index) == Some(TokenKind::Name) {
            let name = self.text(index);
            self.record(name, index);
            index += 1;
            if self.kind(index) == Some(TokenKind::As) {
                index += 2;
            }
            if self.kind(index) == Some(TokenKind::Comma) {
                index += 1;
            } else {
                break;
            }
        }
        if parenthesized && self.kind(index) == Some(TokenKind::Rpar) {
            index += 1;
        }
        index
    }
}

/// Byte offsets to 1-based line numbers.
struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    fn new(source: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(
                source
                    .bytes()
                    .enumerate()
                    .filter(|(_, byte)| *byte == b'\n')
                    .map(|(at, _)| at as u32 + 1),
            )
            .collect();
        Self { starts }
    }

    fn line(&self, offset: u32) -> u32 {
        self.starts.partition_point(|&start| start <= offset) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `name@line:scope` for every use, `i` for import time, `c` for call time, and `f=function` for the
    /// straight-line body of a function.
    fn uses(source: &str) -> Vec<String> {
        numpy_uses(source)
            .expect("tokenizes")
            .into_iter()
            .map(|found| {
                let scope = match found.scope {
                    ApiScope::Import => "i".to_owned(),
                    ApiScope::Call => "c".to_owned(),
                    ApiScope::Function => format!("f={}", found.function.unwrap_or_default()),
                };
                format!("{}@{}:{scope}", found.name, found.line)
            })
            .collect()
    }

    #[test]
    fn follows_aliases_of_the_module() {
        let source = "\
import numpy as np
import numpy
import numpy.linalg as la
import os, numpy as onp
x = np.float(1) + numpy.NaN + onp.product([1])
y = la.norm + np.float64(1)
";
        assert_eq!(
            uses(source),
            ["float@5:i", "NaN@5:i", "product@5:i", "float64@6:i"]
        );
    }

    #[test]
    fn a_submodule_import_binds_numpy() {
        assert_eq!(uses("import numpy.random\nnumpy.float\n"), ["float@2:i"]);
        assert!(uses("import numpy.random as nr\nnr.float\n").is_empty());
    }

    #[test]
    fn no_alias_no_use() {
        assert!(uses("np.float(1)\n").is_empty());
    }

    #[test]
    fn attribute_chains_of_other_objects_do_not_count() {
        let source = "\
import numpy as np
self.np.float
foo.numpy.float
np.float = float
np.float == 1
";
        assert_eq!(uses(source), ["float@5:i"]);
    }

    #[test]
    fn strings_and_comments_are_not_code() {
        let source = "\
import numpy as np
# np.float is gone
s = 'np.float'
t = \"\"\"
np.NaN
\"\"\"
u = f\"{np.NaN} np.float\"
";
        assert_eq!(uses(source), ["NaN@7:i"]);
    }

    #[test]
    fn functions_and_lambdas_run_later() {
        let source = "\
import numpy as np

class A:
    x = np.float_
    def f(self, default=np.NaN):
        return np.product(1)
    async def g(self):
        return np.NaN
    def h(self): return np.Inf

key = lambda v: np.float, np.int
def k(): pass
m = [lambda: np.msort, np.alltrue]
";
        assert_eq!(
            uses(source),
            [
                "float_@4:i",
                "NaN@5:i",
                "product@6:f=A.f",
                "NaN@8:f=A.g",
                "Inf@9:f=A.h",
                "float@11:c",
                "int@11:i",
                "msort@13:c",
                "alltrue@13:i",
            ]
        );
    }

    #[test]
    fn annotated_assignments_run_where_they_stand() {
        // xarray 2023.6.0 (xarray-2023.6.0-py3-none-any.whl, `xarray/core/dtypes.py`, lines 40 to 44): the
        // annotation's colon is no block's, and the tuple is built at import, which fails on NumPy 2.
        let xarray = "\
import numpy as np
PROMOTE_TO_OBJECT: tuple[tuple[type[np.generic], type[np.generic]], ...] = (
    (np.number, np.character),  # numpy promotes to character
    (np.bool_, np.character),  # numpy promotes to character
    (np.bytes_, np.unicode_),  # numpy promotes to unicode
)
";
        assert_eq!(
            uses(xarray),
            [
                "generic@2:i",
                "generic@2:i",
                "number@3:i",
                "character@3:i",
                "bool_@4:i",
                "character@4:i",
                "bytes_@5:i",
                "unicode_@5:i",
            ]
        );
        let source = "\
import numpy as np
class A:
    x: type = np.float_
    y: int
def f(a: int = np.NaN, *, b: dict = {1: np.Inf}) -> np.float_:
    z: float = np.product(1)
    return z
w: dict = {\"a\": np.string_, 1: np.cfloat}
v: list = values[1:np.int_]
match: int = np.msort
u: object = lambda x: np.alltrue
t: int = 1; s: object = np.sometrue
";
        assert_eq!(
            uses(source),
            [
                "float_@3:i",
                "NaN@5:i",
                "Inf@5:i",
                "float_@5:i",
                "product@6:f=f",
                "string_@8:i",
                "cfloat@8:i",
                "int_@9:i",
                "msort@10:i",
                "alltrue@11:c",
                "sometrue@12:i",
            ]
        );
        // A compound statement's colon still opens its block, whatever annotations its header holds.
        let source = "\
import numpy as np
if x: y: int = np.float_
for i in range(3): np.NaN
with open(f) as g: h: int = np.Inf
";
        assert_eq!(uses(source), ["float_@2:c", "NaN@3:c", "Inf@4:c"]);
    }

    #[test]
    fn straight_line_function_bodies_name_their_function() {
        // boruta 0.3 (Boruta-0.3-py3-none-any.whl, `boruta/boruta_py.py`, lines 249 to 265, shortened): `fit`
        // calls `_fit`, whose first statements build arrays with `dtype=np.int`.
        let boruta = "\
import numpy as np
class BorutaPy(BaseEstimator, TransformerMixin):
    def fit(self, X, y):
        return self._fit(X, y)

    def _fit(self, X, y):
        n_feat = X.shape[1]
        dec_reg = np.zeros(n_feat, dtype=np.int)
        imp_history = np.zeros(n_feat, dtype=np.float)
        while np.any(dec_reg == 0):
            hit_reg = np.zeros(n_feat, dtype=np.int)
        self.support_ = np.zeros(n_feat, dtype=np.bool)
";
        assert_eq!(
            uses(boruta),
            [
                "zeros@8:f=BorutaPy._fit",
                "int@8:f=BorutaPy._fit",
                "zeros@9:f=BorutaPy._fit",
                "float@9:f=BorutaPy._fit",
                "any@10:f=BorutaPy._fit",
                "zeros@11:c",
                "int@11:c",
                "zeros@12:f=BorutaPy._fit",
                "bool@12:f=BorutaPy._fit",
            ]
        );
        // What runs only under a condition inside the function, a `def` that exists only under a condition (astropy's
        // `if NUMPY_LT_1_24:` helpers), a nested function, and a conditional expression stay call-time uses.
        let source = "\
import numpy as np
def f(x):
    if NUMPY_LT_2_0:
        return np.product(x)
    with np.errstate():
        y = np.NaN
    return np.float_ if OLD else np.float64
if NUMPY_LT_2_0:
    def g():
        return np.round_(1)
def h():
    def inner():
        return np.Inf
    return inner
";
        assert_eq!(
            uses(source),
            [
                "product@4:c",
                "errstate@5:f=f",
                "NaN@6:c",
                "float_@7:c",
                "float64@7:c",
                "round_@10:c",
                "Inf@13:c",
            ]
        );
    }

    #[test]
    fn a_class_inside_a_function_runs_with_the_function() {
        let source = "\
import numpy as np
def f():
    class B:
        y = np.float
    return B
z = np.int
";
        assert_eq!(uses(source), ["float@4:c", "int@6:i"]);
    }

    #[test]
    fn guarded_uses_are_not_reported() {
        let source = "\
import numpy as np
try:
    from numpy import product
    x = np.float
except AttributeError:
    x = np.float64
try: y = np.NaN
except Exception: pass
if hasattr(np, 'float'):
    z = np.float
else:
    z = float
try:
    def later():
        return np.NaN
finally:
    w = np.Inf
";
        // An `except` or `finally` body runs on a condition, like an `else`.
        assert_eq!(uses(source), ["float64@6:c", "NaN@15:c", "Inf@17:c"]);
    }

    #[test]
    fn conditional_module_code_is_not_the_import_path() {
        let source = "\
import numpy as np
numpy_version = tuple(map(int, np.__version__.split('.')[:2]))
if numpy_version < (2, 0):
    ROUND = np.round_
for name in ('a',):
    FLOAT = np.float_
class A:
    if True:
        x = np.NaN
    y = np.Inf
if __name__ == '__main__':
    data = np.recfromcsv('x.csv')
z = np.product
HELPS = {np.copy} | ({np.asfarray} if NUMPY_LT_2_0 else set())
NAMES = [np.sometrue for flag in FLAGS if flag]
";
        assert_eq!(
            uses(source),
            [
                "__version__@2:i",
                "round_@4:c",
                "float_@6:c",
                "NaN@9:c",
                "Inf@10:i",
                "recfromcsv@12:c",
                "product@13:i",
                "copy@14:c",
                "asfarray@14:c",
                "sometrue@15:c"
            ]
        );
    }

    #[test]
    fn from_imports_count_once_per_name() {
        let source = "\
from numpy import float_ as f, NaN
from numpy import (
    product,
    float64,
)
from numpy.linalg import norm
from . import numpy
from numpy import *
def g():
    from numpy import alltrue
    return f
";
        assert_eq!(
            uses(source),
            [
                "float_@1:i",
                "NaN@1:i",
                "product@3:i",
                "float64@4:i",
                "alltrue@10:f=g"
            ]
        );
    }

    #[test]
    fn python_2_code_still_tokenizes() {
        let source = "\
import numpy as np
print 'hello', np.float
exec 'x = 1'
";
        assert_eq!(uses(source), ["float@2:i"]);
    }

    #[test]
    fn lexical_errors_skip_the_file() {
        assert_eq!(numpy_uses("import numpy as np\nx = `np.float`\n"), None);
    }
}
