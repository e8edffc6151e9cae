"""Splits a knowledge file into its YAML front matter and its Markdown answer, keeping lines."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from api.content.problems import Problem
from api.content.yamlfile import KeyPath, load_with_lines

FENCE = "---"
# PyYAML's wording for the mistakes editors make most, with a fix in plain French.
_YAML_HINTS = {
    "mapping values are not allowed here": (
        "une valeur contient un deux-points : mettez-la entre guillemets, "
        'par exemple title: "Cahors : les lycées"'
    ),
    "could not find expected ':'": "chaque ligne doit être de la forme « champ: valeur »",
    "found character '\\t' that cannot start any token": (
        "remplacez les tabulations par des espaces"
    ),
    "expected <block end>, but found": "vérifiez l'alignement (indentation) de cette ligne",
    "did not find expected key": "vérifiez l'alignement (indentation) de cette ligne",
    "found undefined alias": "un « * » en début de valeur doit être mis entre guillemets",
}


@dataclass
class ParsedFile:
    path: Path
    data: dict[str, Any] | None = None
    key_lines: dict[KeyPath, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    problems: list[Problem] = field(default_factory=list)

    def line(self, key_path: KeyPath) -> int:
        """Line of a front matter key; the opening `---` when the key is absent."""
        for end in range(len(key_path), 0, -1):
            if key_path[:end] in self.key_lines:
                return self.key_lines[key_path[:end]]
        return 1


def _yaml_hint(problem: str) -> str:
    for known, hint in _YAML_HINTS.items():
        if problem.startswith(known):
            return hint
    return "vérifiez la syntaxe : « champ: valeur », indentation par espaces, guillemets fermés"


def parse_file(path: Path) -> ParsedFile:
    parsed = ParsedFile(path=path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        parsed.problems.append(
            Problem(path, 1, "le fichier n'est pas en UTF-8", "enregistrez-le en UTF-8")
        )
        return parsed
    lines = text.splitlines()
    if not lines or lines[0].rstrip() != FENCE:
        parsed.problems.append(
            Problem(
                path,
                1,
                "l'en-tête (front matter) est absent : la première ligne doit être « --- »",
                "commencez le fichier par « --- », les champs id, theme, title, scope, sources, "
                "reviewed, puis une ligne « --- » avant le texte de la réponse",
            )
        )
        return parsed
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() == FENCE), None)
    if closing is None:
        parsed.problems.append(
            Problem(
                path,
                1,
                "l'en-tête ouvert ligne 1 par « --- » n'est jamais fermé",
                "ajoutez une ligne « --- » après le dernier champ, avant le texte de la réponse",
            )
        )
        return parsed
    front = "\n".join(lines[1:closing])
    try:
        data, key_lines = load_with_lines(front)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = str(getattr(error, "problem", None) or error)
        parsed.problems.append(
            Problem(
                path,
                (mark.line + 2) if mark is not None else 1,
                f"YAML illisible ({problem})",
                _yaml_hint(problem),
            )
        )
        return parsed
    if not isinstance(data, dict):
        parsed.problems.append(
            Problem(
                path,
                2,
                "l'en-tête doit être une liste de champs « champ: valeur »",
                "reprenez l'exemple du guide des éditeurs (docs/guide-editeurs.md)",
            )
        )
        return parsed
    # Key lines come from the YAML text, which starts on the file's line 2.
    parsed.key_lines = {key: line + 1 for key, line in key_lines.items()}
    parsed.data = data
    parsed.body = "\n".join(lines[closing + 1 :]).strip()
    parsed.body_line = closing + 2
    return parsed
