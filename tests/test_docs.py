"""The documentation keeps up with the code (docs/development.md, "Documentation").

* every CLI command, sub-command and option, and every training-config key, is documented, and
  every command is also explained in a page outside the generated references;
* the generated references (scripts/gen_docs.py) are current;
* command lines in the docs use commands and options that exist (hidden, deprecated spellings
  do not count);
* the site builds with ``mkdocs build --strict``;
* README.md stays short; relative links resolve to files and headings; cited source and test
  paths (and ``tests/…::test_name``) exist; pages and sections that code comments cite exist;
* nothing in src/, tests/ or docs/ points outside the repository.

Everything but the site build reads files only and takes well under a second.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import re
import shlex
import subprocess
import sys
import unicodedata
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
REFERENCE = DOCS / "reference"
README_MAX_LINES = 200


# --------------------------------------------------------------------------- helpers


@cache
def gen_docs():  # noqa: ANN201 - the scripts/gen_docs.py module
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def commands() -> tuple[tuple[tuple[str, ...], object], ...]:
    return tuple(gen_docs().walk(gen_docs().cli_root()))


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def prose_pages() -> list[Path]:
    """Pages written by people: everything but the generated references."""
    generated = {REFERENCE / "cli.md", REFERENCE / "config.md"}
    return [p for p in pages() if p not in generated]


_FENCE = re.compile(r"^(```|~~~)")


def split_fences(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(the text outside fenced code blocks, [(language, code) of each block])."""
    outside, blocks, lang, code, fence = [], [], None, [], None
    for line in text.splitlines():
        stripped = line.strip()
        if fence is None and _FENCE.match(stripped):
            fence, lang, code = stripped[:3], stripped[3:].strip(), []
            continue
        if fence is not None and stripped.startswith(fence):
            blocks.append((lang, "\n".join(code)))
            fence = None
            continue
        (code if fence is not None else outside).append(line)
    return "\n".join(outside), blocks


def slugify(title: str) -> str:
    """The anchor Python-Markdown's toc extension gives a heading (GitHub's agrees on ASCII titles)."""
    title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title).replace("`", "")
    title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    title = re.sub(r"[^\w\s-]", "", title).strip().lower()
    return re.sub(r"[-\s]+", "-", title)


@cache
def headings(path: Path) -> tuple[tuple[str, ...], frozenset[str]]:
    """(heading titles, their anchors) of a Markdown file."""
    outside, _ = split_fences(path.read_text(encoding="utf-8"))
    titles = tuple(m.group(1).strip() for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", outside, re.M))
    return titles, frozenset(slugify(t) for t in titles)


def sections(path: Path) -> dict[str, str]:
    """Level-2 sections of a page: title → text."""
    parts = re.split(r"^## (.+)$", path.read_text(encoding="utf-8"), flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


# --------------------------------------------------------------------------- completeness


def test_every_command_and_option_is_in_the_cli_reference() -> None:
    page = REFERENCE / "cli.md"
    by_title = sections(page)
    g = gen_docs()
    missing = []
    for path, command in commands():
        title = " ".join(path)
        if title not in by_title:
            missing.append(f"command {title}")
            continue
        body = by_title[title]
        for param in g.visible_params(command):
            names = [(param.metavar or param.name).upper()] if g.is_argument(param) else g.option_names(param)
            missing += [f"{title} {n}" for n in names if f"`{n}`" not in body]
            if not (getattr(param, "help", None) or "").strip():
                missing.append(f"{title} {names[0]}: no help text")
    assert not missing, f"not in {page.relative_to(ROOT)}: {missing}; run `python scripts/gen_docs.py`"


def test_every_command_is_explained_outside_the_reference() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in prose_pages())
    missing = [" ".join(path) for path, _ in commands()[1:] if " ".join(path) not in text]
    assert not missing, f"commands no guide or concept page mentions: {missing}"


def test_every_training_config_key_is_in_the_config_reference() -> None:
    from editcaption.train.config import CONFIG_CLASSES, describe

    text = (REFERENCE / "config.md").read_text(encoding="utf-8")
    missing = [f"{kind}: {key}" for kind, cls in CONFIG_CLASSES.items() for key, *_ in describe(cls)
               if f"| `{key}` |" not in text]
    assert not missing, f"training-config keys missing from docs/reference/config.md: {missing}"


def test_generated_references_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    code = gen_docs().main(["--check"])
    assert code == 0, capsys.readouterr().err


def test_the_generator_writes_nothing_terminal_dependent(monkeypatch: pytest.MonkeyPatch) -> None:
    first = gen_docs().render_cli()
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setenv("TERM", "dumb")
    assert gen_docs().render_cli() == first


# --------------------------------------------------------------------------- command lines


_SEPARATORS = {"|", "||", "&&", ";", ">", ">>", "<", "&", "2>"}


def command_lines(text: str) -> list[list[str]]:
    """The token lists of every `editcaption …` invocation in the shell blocks of a page."""
    _, blocks = split_fences(text)
    found = []
    for lang, code in blocks:
        if lang not in ("bash", "sh", "shell", "console"):
            continue
        for line in code.replace("\\\n", " ").splitlines():
            lexer = shlex.shlex(line, posix=True)
            lexer.whitespace_split = True
            lexer.commenters = "#"
            try:
                tokens = list(lexer)
            except ValueError:  # an unbalanced quote in an illustrative line
                continue
            segment: list[str] = []
            for token in [*tokens, ";"]:
                if token in _SEPARATORS:
                    start = next((i for i, t in enumerate(segment) if t in ("editcaption", "editcaption.cli")), None)
                    if start is not None:
                        found.append(segment[start + 1:])
                    segment = []
                else:
                    segment.append(token)
    return found


def check_command_line(tokens: list[str]) -> str | None:
    """Why a tokenised invocation is wrong, or None."""
    g = gen_docs()
    command, path = commands()[0][1], ["editcaption"]
    rest = list(tokens)
    while g.subcommands(command):
        if not rest or rest[0] in ("-h", "--help", "--version"):
            return None
        names = dict(g.subcommands(command))
        if rest[0] not in names:
            return f"{' '.join(path)}: no command {rest[0]!r}"
        path.append(rest[0])
        command = names[rest.pop(0)]
    known = {"-h", "--help"}
    for param in g.visible_params(command):
        if not g.is_argument(param):
            known.update(g.option_names(param))
    for token in rest:
        if token == "--":
            break
        if token.startswith("-") and len(token) > 1 and not re.match(r"^-\d", token):
            name = token.split("=", 1)[0]
            if name not in known:
                return f"{' '.join(path)}: no option {name}"
    return None


def test_command_lines_in_the_docs_use_real_commands_and_options() -> None:
    """Also the examples in the commands' help, which the CLI reference shows."""
    problems = []
    for path in [README, *prose_pages(), REFERENCE / "cli.md"]:
        for tokens in command_lines(path.read_text(encoding="utf-8")):
            why = check_command_line(tokens)
            if why:
                problems.append(f"{path.relative_to(ROOT)}: {why}  (editcaption {' '.join(tokens)})")
    assert not problems, "\n".join(problems)


def test_the_command_line_check_catches_mistakes() -> None:
    assert check_command_line(["caption", "--model", "delta", "--json"]) is None
    assert check_command_line(["caption", "--no-such-option"]) == "editcaption caption: no option --no-such-option"
    assert check_command_line(["pairs", "nonsense"]) == "editcaption pairs: no command 'nonsense'"
    lines = command_lines("```bash\nprintf 'x\\n' | editcaption annotate user add ana --password-stdin  # note\n"
                          "editcaption export prefs \\\n    --near-dup-distance -1\n```\n")
    assert lines == [["annotate", "user", "add", "ana", "--password-stdin"], ["export", "prefs", "--near-dup-distance", "-1"]]


# --------------------------------------------------------------------------- the site


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    for module in ("mkdocs", "material", "mkdocstrings_handlers.python", "latex2mathml"):
        pytest.importorskip(module)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    html = (tmp_path / "site" / "method.html").read_text(encoding="utf-8")
    assert "<math" in html and "ECMATH" not in html  # the formulas became MathML
    assert "fonts.googleapis" not in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- README and links


def test_readme_is_short_and_keeps_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= README_MAX_LINES, f"README.md has {len(text.splitlines())} lines"
    for command in ("make demo", "make test"):
        assert command in text


_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def link_files() -> list[Path]:
    return [README, ROOT / "benchmarks" / "README.md", *pages()]


def test_relative_links_resolve_to_files_and_headings() -> None:
    broken = []
    for path in link_files():
        outside, _ = split_fences(path.read_text(encoding="utf-8"))
        outside = re.sub(r"`[^`\n]*`", "", outside)
        for target in _LINK.findall(outside):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                continue
            file_part, _, anchor = target.partition("#")
            dest = (path.parent / file_part).resolve() if file_part else path
            where = f"{path.relative_to(ROOT)} → {target}"
            if not dest.exists():
                broken.append(f"{where}: no such file")
            elif not dest.is_relative_to(ROOT):
                broken.append(f"{where}: outside the repository")
            elif anchor and dest.suffix == ".md" and anchor not in headings(dest)[1]:
                broken.append(f"{where}: no such heading")
    assert not broken, "\n".join(broken)


_TOP_DIRS = ("src", "tests", "benchmarks", "examples", "scripts", "docs")
_PRODUCED = {"benchmarks/results/gpu-check.md"}  # written by `make gpu-check` on a GPU machine
_CITED = re.compile(r"`([\w.-]+(?:/[\w.*-]+)+/?)(?:::(\w+))?`")


def test_cited_source_and_test_paths_exist() -> None:
    """Backticked paths such as `src/editcaption/train/hae.py`, `train/hae.py` (short for
    src/editcaption/...) and `tests/x.py::test_name` name things that exist."""
    packages = {p.name for p in (ROOT / "src" / "editcaption").iterdir() if p.is_dir()}
    missing = []
    for path in [README, *prose_pages()]:
        for cited, test_name in _CITED.findall(path.read_text(encoding="utf-8")):
            first = cited.split("/", 1)[0]
            if first in _TOP_DIRS:
                base = ROOT
            elif first in packages and "." in cited.rsplit("/", 1)[-1]:
                base = ROOT / "src" / "editcaption"
            else:
                continue  # a path inside a workspace, an export or a run folder
            hits = glob.glob(str(base / cited))
            if not hits and cited not in _PRODUCED:
                missing.append(f"{path.relative_to(ROOT)}: {cited}")
            elif hits and test_name and not re.search(rf"^\s*(?:async\s+)?def {test_name}\(", Path(hits[0]).read_text(), re.M):
                missing.append(f"{path.relative_to(ROOT)}: {cited}::{test_name}")
    assert not missing, f"cited paths that do not exist: {missing}"


_DOC_CITATION = re.compile(r"(?<![\w/.-])docs/([\w./-]+\.md)(?:\s*,\s*[\"'“]([^\"'”]+)[\"'”])?")


def test_pages_and_sections_that_the_code_cites_exist() -> None:
    missing = []
    for base in ("src", "tests", "scripts", "benchmarks", "examples"):
        for path in (ROOT / base).rglob("*"):
            if path.suffix not in (".py", ".yaml", ".yml", ".md", ".txt", ".sh") or not path.is_file():
                continue
            for page, section in _DOC_CITATION.findall(path.read_text(encoding="utf-8", errors="replace")):
                doc = DOCS / page
                where = f"{path.relative_to(ROOT)} cites docs/{page}"
                if not doc.exists():
                    missing.append(where)
                elif section and section.strip() not in headings(doc)[0]:
                    missing.append(f"{where}, section {section!r}")
    assert not missing, "\n".join(missing)


# --------------------------------------------------------------------------- inside the repository

# Built from pieces so that this file does not match itself.
_OUTSIDE = re.compile("|".join([re.escape("DESIGN" + ".md"), r"(?<![\w.:/-])" + "research" + "/",
                                re.escape(".." + "/shared")]))


def test_nothing_points_outside_the_repository() -> None:
    found = []
    files = [README, ROOT / "mkdocs.yml"]
    for base in ("src", "tests", "docs"):
        files += [p for p in (ROOT / base).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # images and other binary files
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in _OUTSIDE.finditer(text)]
    assert not found, f"references to files outside the repository: {found}"
