"""Outcome classes: small boolean predicates over a run's outcomes.

A predicate such as ``"achieved_share >= 0.5 and failed_share < 0.2"`` is parsed with
:mod:`ast` and only comparisons, ``and`` / ``or`` / ``not``, arithmetic, numbers and
outcome names are allowed. Predicates are evaluated column-wise over numpy arrays, so a
whole part of runs is classified at once; a run whose referenced outcomes include a
missing value (NaN or infinite), or that did not finish, gets no class value (null).

What a predicate can do is bounded when it is parsed: its length and nesting depth, the
size of its numbers, and powers (the exponent must be a number of at most
:data:`MAX_EXPONENT`); dividing by a literal zero is refused. Evaluation is in
floating point with every error suppressed: a run for which the predicate is undefined
(a division by zero or an overflow on its values) gets a null class, and is counted.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Not: np.logical_not,
}
_DESCRIBE = {
    ast.Call: "function calls",
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Lambda: "lambdas",
    ast.IfExp: "conditional expressions",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Dict: "dicts",
    ast.Set: "sets",
    ast.ListComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.NamedExpr: "assignment expressions",
    ast.JoinedStr: "strings",
}
MAX_PREDICATE_CHARS = 1000
MAX_DEPTH = 30
MAX_EXPONENT = 64
MAX_NUMBER = 1e15
ALLOWED_HELP = (
    "allowed: outcome names, numbers, comparisons (< <= > >= == !=), "
    "and / or / not, arithmetic (+ - * / // % **) and parentheses"
)


@dataclass(frozen=True)
class Predicate:
    """A parsed, checked outcome-class predicate.

    Attributes:
        name: The class name.
        text: The predicate as written.
        names: Outcome names the predicate refers to, sorted.
    """

    name: str
    text: str
    names: tuple[str, ...]
    _tree: ast.Expression

    def evaluate(self, columns: Mapping[str, np.ndarray], finished: np.ndarray) -> np.ndarray:
        """Evaluate the predicate for many runs at once.

        Args:
            columns: Outcome name -> float array, one value per run.
            finished: Boolean array, True where the run finished (status ``done``).

        Returns:
            An object array of ``True`` / ``False`` / ``None`` (None where the run did not
            finish, a referenced outcome is missing, or the predicate is undefined).
        """
        return self.classify(columns, finished)[0]

    def classify(
        self, columns: Mapping[str, np.ndarray], finished: np.ndarray
    ) -> tuple[np.ndarray, int]:
        """Evaluate like :meth:`evaluate`; also count the runs it is undefined for.

        Returns:
            The class values and how many finished runs with every referenced outcome
            known got no value because the predicate is undefined for them (a division
            by zero, an overflow).
        """
        finished = np.asarray(finished, dtype=bool)
        n = finished.shape[0]
        env = {name: np.asarray(columns[name], dtype=np.float64) for name in self.names}
        known = finished.copy()
        for values in env.values():
            known &= np.isfinite(values)
        out = np.full(n, None, dtype=object)
        undefined = np.zeros(n, dtype=bool)
        try:
            with np.errstate(all="ignore"):
                result = _eval(self._tree.body, env, undefined)
            result = np.broadcast_to(np.asarray(result, dtype=bool), (n,))
        except Exception:  # guarded: a predicate never stops a sweep
            return out, int(known.sum())
        valid = known & ~undefined
        out[valid] = result[valid]
        return out, int((known & undefined).sum())

    def evaluate_one(self, outcomes: Mapping[str, float]) -> bool | None:
        """Evaluate the predicate for one finished run (None if an outcome is NaN)."""
        columns = {name: np.array([outcomes.get(name, np.nan)], dtype=float) for name in self.names}
        return self.evaluate(columns, np.array([True]))[0]


def _is_condition(node: ast.expr) -> bool:
    """Whether an expression yields true/false: a comparison, or and/or/not of them."""
    if isinstance(node, ast.Compare):
        return True
    if isinstance(node, ast.BoolOp):
        return all(_is_condition(v) for v in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _is_condition(node.operand)
    return False


def parse_predicate(name: str, text: str) -> Predicate:
    """Parse and check one class predicate.

    Args:
        name: The class name (used in error messages).
        text: The predicate expression.

    Returns:
        The checked predicate.

    Raises:
        ValueError: On a syntax error or a construct that is not allowed.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"class {name!r}: the predicate must be a non-empty string")
    if len(text) > MAX_PREDICATE_CHARS:
        raise ValueError(
            f"class {name!r}: the predicate is {len(text):,} characters long "
            f"(at most {MAX_PREDICATE_CHARS:,})"
        )
    if _nesting(text) > MAX_DEPTH:
        raise ValueError(
            f"class {name!r}: the predicate nests parentheses more than {MAX_DEPTH} deep"
        )
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        if not isinstance(exc, SyntaxError):
            raise ValueError(f"class {name!r}: cannot parse predicate {text[:80]!r}") from None
        raise ValueError(
            f"class {name!r}: cannot parse predicate {text!r}: {exc.msg}"
            + (f" (at column {exc.offset})" if exc.offset else "")
        ) from None
    if _depth(tree.body) > MAX_DEPTH:
        raise ValueError(f"class {name!r}: the predicate is nested more than {MAX_DEPTH} deep")
    names: set[str] = set()
    _check(tree.body, name, text, names)
    if not _is_condition(tree.body):
        raise ValueError(
            f"class {name!r}: {text!r} is not a condition; compare an outcome with a value, "
            "e.g. 'achieved_share >= 0.5'"
        )
    return Predicate(name=name, text=text, names=tuple(sorted(names)), _tree=tree)


def _nesting(text: str) -> int:
    """Deepest parenthesis nesting in ``text`` (checked before parsing)."""
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


def _depth(node: ast.AST) -> int:
    """Depth of an expression tree (iteratively: a long chain cannot overflow the stack)."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(current))
    return deepest


def _literal(node: ast.AST) -> float | None:
    """The value of a number literal, possibly signed; None for anything else."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        if isinstance(node.value, bool):
            return None
        return sign * float(node.value)
    return None


def check_names(predicates: Iterable[Predicate], known: Iterable[str]) -> None:
    """Check that every name in every predicate is a known outcome.

    Raises:
        ValueError: Naming the class, the unknown name(s) and the known outcomes.
    """
    known_set = set(known)
    problems = []
    for predicate in predicates:
        unknown = [n for n in predicate.names if n not in known_set]
        if unknown:
            problems.append(
                f"class {predicate.name!r} ({predicate.text!r}) uses unknown outcome "
                + ", ".join(repr(u) for u in unknown)
            )
    if problems:
        raise ValueError(
            "; ".join(problems) + "; known outcomes: " + (", ".join(sorted(known_set)) or "none")
        )


def _check(node: ast.AST, cls: str, text: str, names: set[str]) -> None:
    """Walk the tree, refusing anything outside the allowed grammar."""
    match node:
        case ast.BoolOp(values=values):
            for value in values:
                _check(value, cls, text, names)
        case ast.UnaryOp(op=op, operand=operand) if type(op) in _UNARY:
            _check(operand, cls, text, names)
        case ast.BinOp(left=left, op=op, right=right) if type(op) in _BINARY:
            _check_operation(node, cls, text)
            _check(left, cls, text, names)
            _check(right, cls, text, names)
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            bad = [o for o in ops if type(o) not in _COMPARE]
            if bad:
                raise ValueError(
                    f"class {cls!r}: comparison {type(bad[0]).__name__} is not allowed "
                    f"in {text!r}; {ALLOWED_HELP}"
                )
            _check(left, cls, text, names)
            for comparator in comparators:
                _check(comparator, cls, text, names)
        case ast.Name(id=ident):
            names.add(ident)
        case ast.Constant(value=value) if isinstance(value, int | float) and not isinstance(
            value, bool
        ):
            if not abs(value) <= MAX_NUMBER:
                raise ValueError(
                    f"class {cls!r}: the number {value:.3g} in {text!r} is too large "
                    f"(at most {MAX_NUMBER:g} in size)"
                )
        case ast.Constant(value=value):
            raise ValueError(
                f"class {cls!r}: constant {value!r} is not allowed in {text!r} "
                f"(only numbers); {ALLOWED_HELP}"
            )
        case _:
            what = _DESCRIBE.get(type(node), type(node).__name__)
            raise ValueError(f"class {cls!r}: {what} not allowed in {text!r}; {ALLOWED_HELP}")


def _check_operation(node: ast.BinOp, cls: str, text: str) -> None:
    """Refuse what a predicate must never do: divide by a literal zero, unbounded powers."""
    right = _literal(node.right)
    if isinstance(node.op, ast.Div | ast.FloorDiv | ast.Mod) and right == 0:
        raise ValueError(f"class {cls!r}: division by zero in {text!r}")
    if isinstance(node.op, ast.Pow) and (right is None or abs(right) > MAX_EXPONENT):
        raise ValueError(
            f"class {cls!r}: the exponent of ** must be a number of at most {MAX_EXPONENT} "
            f"in size, in {text!r}"
        )


def _eval(node: ast.AST, env: Mapping[str, np.ndarray], undefined: np.ndarray) -> Any:
    """Evaluate a checked tree over float arrays (element-wise logic).

    Where arithmetic gives a non-finite value from finite inputs (a division by zero,
    an overflow), ``undefined`` is set.
    """
    match node:
        case ast.BoolOp(op=ast.And(), values=values):
            return np.logical_and.reduce([_as_bool(_eval(v, env, undefined)) for v in values])
        case ast.BoolOp(op=ast.Or(), values=values):
            return np.logical_or.reduce([_as_bool(_eval(v, env, undefined)) for v in values])
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return np.logical_not(_as_bool(_eval(operand, env, undefined)))
        case ast.UnaryOp(op=op, operand=operand):
            return _UNARY[type(op)](_eval(operand, env, undefined))
        case ast.BinOp(left=left, op=op, right=right):
            result = _BINARY[type(op)](_eval(left, env, undefined), _eval(right, env, undefined))
            undefined |= np.broadcast_to(~np.isfinite(result), undefined.shape)
            return result
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            result = None
            current = _eval(left, env, undefined)
            for op, comparator in zip(ops, comparators, strict=True):
                nxt = _eval(comparator, env, undefined)
                part = _COMPARE[type(op)](current, nxt)
                result = part if result is None else np.logical_and(result, part)
                current = nxt
            return result
        case ast.Name(id=ident):
            return env[ident]
        case ast.Constant(value=value):
            return np.float64(value)
    raise AssertionError(f"unchecked node {type(node).__name__}")  # pragma: no cover


def _as_bool(value: Any) -> Any:
    """Truth of a numeric value, element-wise (non-zero is true)."""
    arr = np.asarray(value)
    return arr if arr.dtype == bool else arr != 0
