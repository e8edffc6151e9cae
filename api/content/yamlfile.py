"""YAML reading for content files: safe, dates kept as text, the line of every key, and
reading errors turned into problems for editors."""

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from api.content.problems import Problem

KeyPath = tuple[str | int, ...]


class _ContentLoader(yaml.SafeLoader):
    """Safe loader that leaves dates as strings, so that pydantic reports a bad date itself
    instead of PyYAML raising a bare ValueError on `2026-13-01`."""


class _FastContentLoader(yaml.CSafeLoader):
    """The same on libyaml's parser, ten times faster: the pure Python one took most of a
    knowledge reload's time once entries had dozens of questions. Its error messages are
    worded otherwise, so a file it refuses is read again by `_ContentLoader`, whose wording
    the editors' hints know."""


_ContentLoader.yaml_implicit_resolvers = _FastContentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _collect_lines(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _collect_lines(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _collect_lines(item, (*path, index), lines)


def load_with_lines(text: str) -> tuple[Any, dict[KeyPath, int]]:
    """Parse one YAML document; lines are 1-based and relative to `text`. Raises yaml.YAMLError."""
    try:
        return _load(_FastContentLoader(text))
    except yaml.YAMLError:
        return _load(_ContentLoader(text))


def _load(loader: _ContentLoader | _FastContentLoader) -> tuple[Any, dict[KeyPath, int]]:
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    lines: dict[KeyPath, int] = {}
    _collect_lines(node, (), lines)
    return data, lines


def line_of(lines: dict[KeyPath, int], path: KeyPath, default: int) -> int:
    """Line of the deepest known key on `path` (a missing key is reported at its parent)."""
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return default


def read_yaml(path: Path, problems: list[Problem]) -> tuple[Any, dict[Any, int]]:
    """The data of a YAML content file and the line of each key; `(None, {})` and a problem
    when the file is missing or unreadable."""
    if not path.is_file():
        problems.append(Problem(path, 1, "fichier introuvable", "remettez le fichier d'origine"))
        return None, {}
    try:
        return load_with_lines(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problems.append(
            Problem(
                path,
                line,
                f"YAML illisible : {getattr(error, 'problem', None) or error}",
                "vérifiez l'indentation (espaces, pas de tabulation) et les deux-points",
            )
        )
        return None, {}


def pydantic_problems(
    path: Path, error: ValidationError, lines: dict[Any, int], base: tuple[Any, ...], start: int
) -> list[Problem]:
    """One problem per invalid field, at the line of the field (`base` is where the validated
    mapping sits in the file, `start` its line)."""
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"])
        line = line_of(lines, (*base, *item["loc"]), start)
        problems.append(
            Problem(path, line, f"champ « {field} » invalide ({item['msg']})", "corrigez ce champ")
        )
    return problems
