"""`nplint server` driven by a real LSP client (pytest-lsp), announcing the capabilities of real editors:
Neovim 0.11 (pulls diagnostics, UTF-8 positions) and VS Code 1.65 (diagnostics pushed, UTF-16 positions).

Run from the repository's root after `cargo build`: `python -m pytest tests/lsp` (`NPLINT` names another binary).
"""

import asyncio
import os
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = pathlib.Path(__file__).resolve().parents[2]
NPLINT = os.environ.get("NPLINT", str(ROOT / "target" / "debug" / "nplint"))
EDITORS = ["neovim@v0.11.0", "visual-studio-code@v1.65.2"]

CONFLICT = "# classifier\ntensorflow==2.5.0\nnumpy>=1.21  # the newest\n"
PYPROJECT = (
    '[project]\nname = "sample"\nversion = "0.1.0"\nrequires-python = ">=3.11,<3.13"\n'
    'dependencies = ["numpy>=2"]\n'
)
DRIFTED_LOCK = (ROOT / "tests/cmd/inputs/lockfiles/drift/uv.lock").read_text()


@pytest_lsp.fixture(params=EDITORS, config=ClientServerConfig(server_command=[NPLINT, "server"]))
async def client(request, lsp_client: LanguageClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    params = types.InitializeParams(
        capabilities=client_capabilities(request.param),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="project")],
    )
    lsp_client.root = root
    lsp_client.registrations = []

    # VS Code accepts the file watchers the server registers; pytest-lsp's client needs telling.
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        lsp_client.registrations.extend(params.registrations)

    lsp_client.pulls = request.param.startswith("neovim")
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


def open_document(client: LanguageClient, path: pathlib.Path, text: str):
    path.write_text(text)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=path.as_uri(), language_id="plaintext", version=1, text=text
            )
        )
    )


def replace_text(client: LanguageClient, path: pathlib.Path, version: int, text: str):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def diagnostics(client: LanguageClient, path: pathlib.Path, until=lambda items: True, timeout: float = 30):
    """The document's diagnostics once `until` holds of them: pulled again and again, or, for a client that gets
    them pushed, the last ones published (waiting on the next notification could miss one that arrived while the
    test was busy)."""
    uri = path.as_uri()
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        report = None
        if client.pulls:
            report = await client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
            )
            items = report.items
        else:
            items = client.diagnostics.get(uri)
        if items is not None and until(items):
            return items, report
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"diagnostics of {uri} never satisfied the test: {items}")
        await asyncio.sleep(0.02)


def has(code: str):
    return lambda items: any(d.code == code for d in items)


def lacks(code: str):
    return lambda items: not any(d.code == code for d in items)


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Applies text edits (the texts here are ASCII: UTF-8 and UTF-16 positions agree)."""
    lines = text.splitlines(keepends=True)

    def offset(position: types.Position) -> int:
        return sum(len(line) for line in lines[: position.line]) + position.character

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
        lines = text.splitlines(keepends=True)
    return text


async def test_diagnostics_then_a_quick_fix_clears_them(client: LanguageClient):
    # On CPython 3.9 on Linux, where TensorFlow 2.5.0 installs, only NumPy's requirement conflicts: the fix pins it.
    (client.root / "nplint.toml").write_text('python = ["3.9"]\nplatforms = ["linux-x86_64"]\n')
    path = client.root / "requirements.txt"
    open_document(client, path, CONFLICT)
    found, _ = await diagnostics(client, path, until=has("numpy-conflict"))
    conflict = next(d for d in found if d.code == "numpy-conflict")
    assert conflict.severity == types.DiagnosticSeverity.Error
    assert conflict.range == types.Range(
        start=types.Position(line=2, character=0), end=types.Position(line=2, character=11)
    )
    assert "tensorflow==2.5.0" in conflict.message

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            range=types.Range(start=types.Position(line=2, character=3), end=types.Position(line=2, character=3)),
            context=types.CodeActionContext(diagnostics=[conflict], only=[types.CodeActionKind.QuickFix]),
        )
    )
    fix = next(a for a in actions if "numpy==1.19.5" in a.title)
    fixed = apply(CONFLICT, fix.edit.changes[path.as_uri()])
    assert fixed == "# classifier\ntensorflow==2.5.0\nnumpy==1.19.5  # the newest\n"

    replace_text(client, path, 2, fixed)
    await diagnostics(client, path, until=lambda items: all(d.severity != types.DiagnosticSeverity.Error for d in items))


async def test_file_watchers_are_registered_where_the_client_accepts_them(client: LanguageClient):
    path = client.root / "requirements.txt"
    open_document(client, path, "numpy\n")
    await diagnostics(client, path)
    methods = [registration.method for registration in client.registrations]
    dynamic = client.capabilities.workspace.did_change_watched_files.dynamic_registration
    assert methods == (["workspace/didChangeWatchedFiles"] if dynamic else [])


async def test_hover_on_a_requirement(client: LanguageClient):
    path = client.root / "requirements.txt"
    open_document(client, path, "tensorflow==2.5.0\ngensim==4.3.3\nnumpy\n")
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri()),
            position=types.Position(line=0, character=2),
        )
    )
    assert hover.contents.kind == types.MarkupKind.Markdown
    # The same text the server's own tests hold as a snapshot.
    snapshot = (ROOT / "crates/nplint-server/tests/snapshots/protocol__hover-tensorflow.snap").read_text()
    expected = snapshot.split("---\n", 2)[2]
    assert hover.contents.value.strip() == expected.strip()


async def test_a_lockfile_updates_with_its_manifest(client: LanguageClient):
    manifest, lock = client.root / "pyproject.toml", client.root / "uv.lock"
    lock.write_text(DRIFTED_LOCK)
    open_document(client, manifest, PYPROJECT)
    open_document(client, lock, DRIFTED_LOCK)
    await diagnostics(client, lock, until=has("lock-drift"))

    replace_text(client, manifest, 2, PYPROJECT.replace("numpy>=2", "numpy>=1.26"))
    if client.pulls:
        # The client pulls the document it changed; the lockfile's report comes with it.
        _, report = await diagnostics(client, manifest)
        related = report.related_documents[lock.as_uri()]
        assert not any(d.code == "lock-drift" for d in related.items), related
    else:
        await diagnostics(client, lock, until=lacks("lock-drift"))
