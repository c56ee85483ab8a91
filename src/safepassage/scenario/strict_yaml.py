"""Read a scenario's YAML strictly: YAML 1.2, no duplicate keys, bounded size, depth and aliases.

Why not PyYAML's ``safe_load``: it reads YAML 1.1, where ``people: 0750`` is the octal 488 (but
``0800`` is 800) and ``yes``/``on`` are booleans; it keeps the last of two duplicated keys without a
word; and nothing stops a 700-byte alias bomb (``a1: &a1 [*a0, *a0, ...]`` nine levels deep) from
growing into billions of values, or 2,000 nested ``[`` from a ``RecursionError``.

Here ruamel.yaml (a maintained YAML 1.2 parser) reads the text in three steps, each bounded:

1. the text must be at most ``bounds.MAX_SCENARIO_BYTES``;
2. it is *composed* into a node tree, nesting limited to ``bounds.MAX_NESTING_DEPTH`` while
   composing (ruamel's ``max_depth``), a ``%YAML`` directive other than 1.2 refused;
3. the tree is walked once before any Python value is built: aliases are counted as what they
   expand to (at most ``bounds.MAX_TREE_VALUES`` values, nesting still at most
   ``MAX_NESTING_DEPTH``, no alias inside itself), every mapping key must be a name (text, not a
   number, boolean or null) and appear once, and a written integer may have at most
   ``bounds.MAX_NUMBER_CHARS`` characters.

Only then are Python values constructed (ruamel's safe constructor: no arbitrary objects).
Timestamps are kept as text, so pydantic reads quoted and unquoted instants the same way.
Every problem names the line (and the field path where one exists); values are never echoed whole.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import MaxDepthExceededError
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.docinfo import Version
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from safepassage.bounds import (
    MAX_NESTING_DEPTH,
    MAX_NUMBER_CHARS,
    MAX_SCENARIO_BYTES,
    MAX_TREE_VALUES,
    show_value,
)
from safepassage.errors import Problem, ScenarioError
from safepassage.input_problems import field_path

__all__ = ["read_yaml_mapping"]

_INT_TAG = "tag:yaml.org,2002:int"
_KEY_TAGS = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:merge")  # a key is a name (or a << merge)
_TOO_DEEP = (
    f"lists and mappings nest more than {MAX_NESTING_DEPTH} levels deep (counting what aliases stand "
    f"for); expected at most {MAX_NESTING_DEPTH} levels"
)


class _ScenarioConstructor(SafeConstructor):
    """ruamel's safe constructor, with YAML timestamps left as text (pydantic parses instants)."""


_ScenarioConstructor.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)


def read_yaml_mapping(text: str, label: str) -> dict[str, Any]:
    """The top-level mapping of one YAML 1.2 document; :class:`ScenarioError` naming the line else.

    ``label`` names the file in messages.
    """
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            [Problem(label, "", f"is {size:,} bytes; expected at most {MAX_SCENARIO_BYTES:,} bytes")]
        )
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 2)
    yaml.max_depth = MAX_NESTING_DEPTH
    yaml.allow_duplicate_keys = False
    yaml.Constructor = _ScenarioConstructor
    try:
        root = yaml.compose(io.StringIO(text))
        _check_version(yaml, label)
        if root is not None:
            problems = _TreeCheck(label).run(root)
            if problems:
                raise ScenarioError(problems)
        data = None if root is None else yaml.constructor.construct_document(root)
    except ReaderError as exc:
        what = f"{exc.reason} (character {show_value(exc.character)})"
        raise ScenarioError([Problem(label, _where(text, exc.position), f"not valid YAML: {what}")]) from None
    except MaxDepthExceededError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ScenarioError([Problem(label, where, _TOO_DEEP)]) from None
    except MarkedYAMLError as exc:
        raise ScenarioError([_yaml_problem(exc, label)]) from None
    except YAMLError as exc:
        raise ScenarioError([Problem(label, "", f"not valid YAML: {_first_line(str(exc))}")]) from None
    if not isinstance(data, dict):
        got = "an empty file" if data is None else _kind(data)
        raise ScenarioError([Problem(label, "", f"expected a mapping of fields, got {got}")])
    return data


def _check_version(yaml: YAML, label: str) -> None:
    version = yaml.doc_infos[-1].doc_version if yaml.doc_infos else None
    if version is not None and version != Version(1, 2):
        raise ScenarioError(
            [
                Problem(
                    label,
                    "line 1",
                    f"%YAML {version.major}.{version.minor} is not supported; expected YAML 1.2 "
                    "(remove the %YAML line)",
                )
            ]
        )


@dataclass
class _TreeCheck:
    """One walk over the composed node tree (see the module docstring, step 3)."""

    label: str
    problems: list[Problem] = field(default_factory=list)
    _done: dict[int, tuple[int, int]] = field(default_factory=dict)  # node id -> (values, depth)
    _open: set[int] = field(default_factory=set)
    _total: int = 0

    def run(self, root: Node) -> list[Problem]:
        with contextlib.suppress(_LimitPassedError):
            self._visit(root, (), 1, root)
        return self.problems

    def _stop(self, node: Node, path: tuple[int | str, ...], message: str) -> _LimitPassedError:
        self.problems.append(Problem(self.label, _place(node, path), message))
        return _LimitPassedError()

    def _visit(self, node: Node, path: tuple[int | str, ...], depth: int, parent: Node) -> tuple[int, int]:
        """(values, nesting depth) of ``node`` with aliases expanded; _LimitPassedError past a limit.

        An alias is the very node its anchor names (with the anchor's line), so problems found at
        an alias are placed on the line of the list or mapping that holds the alias.
        """
        key = id(node)
        here = parent if key in self._done or key in self._open else node
        if key in self._open:
            raise self._stop(here, path, "an alias refers to the list or mapping it is in; expected no loops")
        if key not in self._done:
            self._open.add(key)
            self._done[key] = self._measure(node, path, depth)
            self._open.discard(key)
        values, below = self._done[key]
        self._total += values
        if self._total > MAX_TREE_VALUES:
            raise self._stop(
                here,
                path,
                f"the file expands to more than {MAX_TREE_VALUES:,} values (anchors & and aliases * "
                f"count as often as they are used); expected at most {MAX_TREE_VALUES:,}",
            )
        if depth - 1 + below > MAX_NESTING_DEPTH:
            raise self._stop(here, path, _TOO_DEEP)
        return values, below

    def _measure(self, node: Node, path: tuple[int | str, ...], depth: int) -> tuple[int, int]:
        if isinstance(node, ScalarNode):
            if node.tag == _INT_TAG and len(str(node.value)) > MAX_NUMBER_CHARS:
                raise self._stop(
                    node,
                    path,
                    f"a number of {len(str(node.value)):,} characters; expected a number of at most "
                    f"{MAX_NUMBER_CHARS} characters",
                )
            return 1, 0
        saved = self._total
        values, below = 1, 0
        if isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                sub_values, sub_depth = self._visit(item, (*path, index), depth + 1, node)
                values, below = values + sub_values, max(below, sub_depth)
        elif isinstance(node, MappingNode):
            seen: dict[tuple[str, str], int] = {}
            for key_node, value_node in node.value:
                name = self._key(key_node, path, seen)
                sub_values, sub_depth = self._visit(value_node, (*path, name), depth + 1, key_node)
                values, below = values + 1 + sub_values, max(below, sub_depth)
        self._total = saved  # the caller adds this node's whole expansion once
        return values, below + 1

    def _key(self, key_node: Node, path: tuple[int | str, ...], seen: dict[tuple[str, str], int]) -> str:
        """A mapping key: a name (plain text, not a number or null), not seen before in this mapping."""
        if not isinstance(key_node, ScalarNode):
            raise self._stop(key_node, path, "a key is a list or mapping; expected a plain name as the key")
        name = str(key_node.value)
        if key_node.tag not in _KEY_TAGS:
            raise self._stop(
                key_node,
                path,
                f"the key {show_value(name)} is not a name (YAML reads it as a number, a yes/no value or "
                "null); expected a name, in quotes if it looks like a number",
            )
        ident = (str(key_node.tag), name)
        if ident in seen:
            raise self._stop(
                key_node,
                (*path, name),
                f"the key {show_value(name)} appears again (first at line {seen[ident]}); expected each "
                "key once",
            )
        seen[ident] = key_node.start_mark.line + 1
        return name


class _LimitPassedError(Exception):
    """Ends the walk at the first limit passed (the problem is already recorded)."""


def _place(node: Node, path: tuple[int | str, ...]) -> str:
    line = f"line {node.start_mark.line + 1}"
    return f"{field_path(path)} ({line})" if path else line


def _yaml_problem(exc: MarkedYAMLError, label: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = str(exc.problem or exc.context or "unreadable")
    if problem.startswith("but found") and exc.context:
        problem = f"{exc.context}, {problem}"  # e.g. "expected a single document in the stream, but ..."
    return Problem(label, where, f"not valid YAML: {_first_line(str(problem))}")


def _where(text: str, position: int) -> str:
    before = text[: max(0, position)]
    line = before.count("\n") + 1
    column = position - (before.rfind("\n") + 1) + 1
    return f"line {line}, column {column}"


def _first_line(message: str) -> str:
    line = message.strip().splitlines()[0] if message.strip() else "unreadable"
    return line if len(line) <= 200 else line[:197] + "..."


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    return "text" if isinstance(value, str) else "a single value"
