"""Mutation operators over Python's own `ast`: single-point changes a reviewer would call a defect.

Every mutation point of a module is found by one deterministic walk; a mutant is (module, point index), applied
to a fresh parse of the module and written back with `ast.unparse` (comments and layout do not matter to the
interpreter). The operators:

- comparison: `==`<->`!=`, `<`->`<=`, `<=`->`<`, `>`->`>=`, `>=`->`>`, `in`<->`not in`, `is`<->`is not`;
- boolean: `and`<->`or`; `not x` -> `x`; a condition (`if`, `while`, `x if c else y`, `assert`, comprehension
  filter) negated;
- constant: `True`<->`False`; an integer `n` -> `n + 1` and `n - 1` (off-by-one at every threshold); a non-empty
  string -> `""` (not docstrings, f-string parts, or strings inside a collection literal: removing the element
  covers those);
- collection: one element of a list/tuple/set literal (two or more elements) or one entry of a dict literal
  removed (a type dropped from a checked set, a key from a table);
- statement: one expression statement, `raise`, `if`, augmented assignment, `continue` or `break` removed.

Not mutated: docstrings, annotations, `__all__`, documentation keywords (`description=`, `remediation=`, ...),
anything under `if TYPE_CHECKING:`.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DOC_KEYWORDS = frozenset({"description", "remediation", "title", "examples", "url", "help", "doc"})
"""Keyword arguments that only document (a policy's description, a field's description): not behaviour."""

COMPARE_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
REMOVABLE_STATEMENTS = (ast.Expr, ast.Raise, ast.If, ast.Continue)
THRESHOLD_KEYWORDS = frozenset({"ge", "gt", "le", "lt", "min_length", "max_length", "default", "multiple_of"})
"""Keyword arguments whose number is a bound (pydantic `Field(ge=90)`): mutated by one either way."""
AFFIX_METHODS = frozenset({"startswith", "endswith", "removeprefix", "removesuffix"})


@dataclass(frozen=True)
class Point:
    """One mutation point: where, what it does (`before -> after` as source), and how to apply it."""

    line: int
    function: str
    operator: str
    before: str
    after: str
    apply: Callable[[], None]


@dataclass(frozen=True)
class Mutant:
    """A mutant of one module, identified stably (independent of line numbers) by `key`."""

    path: str
    index: int
    line: int
    function: str
    operator: str
    before: str
    after: str
    occurrence: int

    @property
    def key(self) -> str:
        """`path::function::operator::before -> after` (+ `#n` for the n-th identical change in the function):
        what the equivalent-mutant list names."""
        suffix = f" #{self.occurrence}" if self.occurrence > 1 else ""
        return f"{self.path}::{self.function}::{self.operator}::{self.before} -> {self.after}{suffix}"

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


Scope = Callable[[str], bool]
"""Which functions (by qualified name, `""` for module level) of a module to mutate."""


def everything(_function: str) -> bool:
    return True


def _short(node: ast.AST, limit: int = 90) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Walker:
    """Collects the mutation points of a tree in a fixed order; each point mutates the tree in place."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.points: list[Point] = []
        self.functions: list[str] = []

    @property
    def function(self) -> str:
        return ".".join(self.functions)

    def add(self, node: ast.AST, operator: str, before: ast.AST, after: ast.AST, apply: Callable[[], None]) -> None:
        if self.scope(self.function):
            self.points.append(
                Point(
                    getattr(node, "lineno", 0),
                    self.function or "<module>",
                    operator,
                    _short(before),
                    _short(after),
                    apply,
                )
            )

    # -- traversal -------------------------------------------------------------------------------------
    def walk(self, node: ast.AST, *, role: str = "") -> None:
        """`role`: how the parent uses `node` ("compare", "binop", "threshold", "affix" or "")."""
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            self._definition(node)
            return
        if isinstance(node, ast.JoinedStr):
            return  # f-strings: message text, judged by the tests' exact messages elsewhere
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            return
        if isinstance(node, ast.Assign | ast.AnnAssign) and _assigns_all(node):
            return
        self._mutate(node, role=role)
        inner = _role_of_children(node)
        for name, value in ast.iter_fields(node):
            if name in ("annotation", "returns", "type_comment"):
                continue
            if isinstance(node, ast.keyword) and node.arg in DOC_KEYWORDS:
                continue
            if isinstance(value, list):
                self._statements(node, name, value)
                for item in value:
                    if isinstance(item, ast.AST) and not _is_docstring(item, value):
                        self.walk(item, role=inner)
            elif isinstance(value, ast.AST):
                self.walk(value, role=inner)

    def _definition(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            self.walk(decorator)
        if not isinstance(node, ast.ClassDef):
            for default in [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]:
                self.walk(default, role="threshold")
        self.functions.append(node.name)
        self._statements(node, "body", node.body)
        for item in node.body:
            if not _is_docstring(item, node.body):
                self.walk(item)
        self.functions.pop()

    # -- operators -------------------------------------------------------------------------------------
    def _statements(self, parent: ast.AST, field: str, body: list[Any]) -> None:
        if not body or not isinstance(body[0], ast.stmt):
            return
        for index, statement in enumerate(body):
            if not isinstance(statement, REMOVABLE_STATEMENTS) or _is_docstring(statement, body):
                continue
            if isinstance(statement, ast.If) and _is_type_checking(statement.test):
                continue
            if isinstance(statement, ast.Expr) and not isinstance(statement.value, ast.Call):
                continue  # a bare constant (`...`) or name: nothing to remove
            self.add(
                statement,
                "remove-statement",
                _first_line(statement),
                ast.Pass(),
                _replace_statement(parent, field, index),
            )

    def _mutate(self, node: ast.AST, *, role: str) -> None:
        if isinstance(node, ast.Compare):
            for index, op in enumerate(node.ops):
                swap = COMPARE_SWAPS.get(type(op))
                if swap is not None:
                    after = copy.deepcopy(node)
                    after.ops[index] = swap()
                    self.add(node, "comparison", node, after, _set_item(node.ops, index, swap()))
        elif isinstance(node, ast.BoolOp):
            other: ast.boolop = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            self.add(node, "boolean", node, ast.BoolOp(op=other, values=node.values), _set_attr(node, "op", other))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self.add(node, "remove-not", node, node.operand, _become(node, node.operand))
        elif isinstance(node, ast.Constant):
            self._constant(node, role)
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            if len(node.elts) >= 2 and all(_is_type_token(e) for e in node.elts):
                for index, element in enumerate(node.elts):
                    after = copy.deepcopy(node)
                    del after.elts[index]
                    self.add(element, "remove-element", node, after, _delete_item(node.elts, index))
        elif isinstance(node, ast.Dict) and len(node.keys) >= 2:
            for index, key in enumerate(node.keys):
                if key is None or not _is_type_token(key):
                    continue
                self.add(key, "remove-entry", key, ast.Constant("<removed>"), _delete_entry(node, index))
        condition = _condition_of(node)
        if condition is not None and _plain_condition(condition):
            negated = ast.UnaryOp(op=ast.Not(), operand=condition)
            self.add(condition, "negate-condition", condition, negated, _set_condition(node, condition))
        if isinstance(node, ast.comprehension):
            for index, test in enumerate(node.ifs):
                if _plain_condition(test):
                    self.add(
                        test,
                        "negate-condition",
                        test,
                        ast.UnaryOp(op=ast.Not(), operand=test),
                        _set_item(node.ifs, index, ast.UnaryOp(op=ast.Not(), operand=test)),
                    )

    def _constant(self, node: ast.Constant, role: str) -> None:
        value = node.value
        if isinstance(value, bool):
            self.add(node, "constant", node, ast.Constant(not value), _set_attr(node, "value", not value))
        elif isinstance(value, int) and role in ("compare", "threshold"):
            for changed in (value + 1, value - 1):
                self.add(node, "number", node, ast.Constant(changed), _set_attr(node, "value", changed))
        elif isinstance(value, str) and value and role in ("compare", "binop", "affix"):
            self.add(node, "string", node, ast.Constant(""), _set_attr(node, "value", ""))


# -- helpers --------------------------------------------------------------------------------------------
def _is_docstring(item: Any, body: list[Any]) -> bool:
    return (
        item is body[0]
        and isinstance(item, ast.Expr)
        and isinstance(item.value, ast.Constant)
        and isinstance(item.value.value, str)
    )


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _assigns_all(node: ast.Assign | ast.AnnAssign) -> bool:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets)


def _role_of_children(node: ast.AST) -> str:
    """How `node` uses its direct children, for the constant operators."""
    if isinstance(node, ast.Compare):
        return "compare"
    if isinstance(node, ast.BinOp):
        return "binop"
    if isinstance(node, ast.keyword) and node.arg in THRESHOLD_KEYWORDS:
        return "threshold"
    if isinstance(node, ast.Assign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if all(isinstance(t, ast.Name) and t.id.isupper() for t in targets):
            return "threshold"  # a module constant such as MIN_RETENTION_DAYS = 90
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in AFFIX_METHODS:
        return "affix"
    return ""


def _is_type_token(node: ast.AST | None) -> bool:
    """A resource type token literal (`"aws:efs/fileSystem:FileSystem"`): removing one drops a type from a check."""
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("aws:")


def _plain_condition(test: ast.expr) -> bool:
    """A condition no other operator changes (comparisons, `and`/`or` and `not` have their own)."""
    return not isinstance(test, ast.Compare | ast.BoolOp | ast.UnaryOp)


def _first_line(statement: ast.stmt) -> ast.AST:
    if isinstance(statement, ast.If):
        return ast.If(test=statement.test, body=[ast.Expr(ast.Constant(...))], orelse=[])
    return statement


def _condition_of(node: ast.AST) -> ast.expr | None:
    if isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert):
        return node.test
    return None


def _set_attr(node: ast.AST, name: str, value: Any) -> Callable[[], None]:
    return lambda: setattr(node, name, value)


def _set_item(items: list[Any], index: int, value: Any) -> Callable[[], None]:
    def apply() -> None:
        items[index] = value

    return apply


def _delete_item(items: list[Any], index: int) -> Callable[[], None]:
    def apply() -> None:
        del items[index]

    return apply


def _delete_entry(node: ast.Dict, index: int) -> Callable[[], None]:
    def apply() -> None:
        del node.keys[index], node.values[index]

    return apply


def _become(node: ast.UnaryOp, operand: ast.expr) -> Callable[[], None]:
    """`not x` -> `not not x`: the truth of `x`, in place (a node cannot replace itself in its parent)."""
    return lambda: setattr(node, "operand", ast.UnaryOp(op=ast.Not(), operand=operand))


def _set_condition(node: ast.AST, condition: ast.expr) -> Callable[[], None]:
    return lambda: setattr(node, "test", ast.UnaryOp(op=ast.Not(), operand=condition))


def _replace_statement(parent: ast.AST, field: str, index: int) -> Callable[[], None]:
    def apply() -> None:
        getattr(parent, field)[index] = ast.Pass()

    return apply


# -- public ---------------------------------------------------------------------------------------------
def points(source: str, scope: Scope = everything) -> list[Point]:
    """Every mutation point of `source`, in walk order, on a fresh parse (so applying one changes only it)."""
    walker = _Walker(scope)
    walker.walk(ast.parse(source))
    return walker.points


def mutants(path: str, source: str, scope: Scope = everything) -> list[Mutant]:
    """The mutants of one module, with stable keys."""
    seen: dict[tuple[str, str, str, str], int] = {}
    found = []
    for index, point in enumerate(points(source, scope)):
        ident = (point.function, point.operator, point.before, point.after)
        seen[ident] = seen.get(ident, 0) + 1
        found.append(
            Mutant(path, index, point.line, point.function, point.operator, point.before, point.after, seen[ident])
        )
    return found


def mutate(source: str, index: int, scope: Scope = everything) -> str:
    """`source` with mutation point `index` applied, as source text."""
    walker = _Walker(scope)
    tree = ast.parse(source)
    walker.walk(tree)
    walker.points[index].apply()
    return ast.unparse(ast.fix_missing_locations(tree))
