"""Reading a typed formula f(x, y) as data: text → a small checked tree (no sympy here).

The text is parsed by Python's ``ast`` (``mode="eval"``) and only this grammar is accepted:

    expr  := number | x | y | pi | e | (expr) | +expr | −expr
           | expr + expr | expr − expr | expr * expr | expr / expr | expr ** expr
           | name(expr[, expr])            (the functions of ``FUNCTIONS``)

``^`` means power too: it is replaced by ``**`` before parsing (Python would read it as
XOR, with a lower precedence than +), so ``x^2 + y^2`` is x² + y² and ``-x^2`` is −(x²).
Nothing is ever evaluated as code. Everything else is refused with a ``ValueError`` naming
what was found and where (1-based column): non-ASCII characters (look-alikes such as "−",
"×", "²" or "𝑥", which Python would otherwise silently normalise), attribute access,
subscripts, strings, lambdas, comprehensions, comparisons, keywords, walrus, f-strings,
unknown names (the message lists the allowed ones), wrong numbers of arguments.

Limits, so that no input of ``MAX_CHARS`` characters can start a long computation:
``MAX_CHARS`` characters, ``MAX_NODES`` tree nodes, ``MAX_CALL_DEPTH`` nested function
calls, ``MAX_DEPTH`` nesting overall, literals of magnitude at most ``MAX_LITERAL``,
constant exponents of magnitude at most ``MAX_EXPONENT``, constant sub-expressions
(folded in floating point) finite and of magnitude at most ``MAX_CONSTANT``, and
``cost`` — an upper estimate of the size of the second derivatives — at most
``MAX_COST``.

The tree: ``("num", value)``, ``("sym", "x" | "y")``, ``("const", "pi" | "e")``,
``("neg", a)``, ``(op, a, b)`` for op in add sub mul div pow, ``("call", name, args)``
with ``name`` the canonical function name (``arctan`` → ``atan``, ``minimum`` → ``min``).
"""

from __future__ import annotations

import ast
import math
import re
import unicodedata

from .errors import show

MAX_CHARS = 300
MAX_NODES = 120
MAX_DEPTH = 40
MAX_CALL_DEPTH = 5
MAX_LITERAL = 1e15
MAX_EXPONENT = 100
MAX_CONSTANT = 1e300
MAX_COST = 2500

# canonical name: (number of arguments, aliases); the page and the messages list these.
FUNCTIONS = {
    "sin": (1, ()), "cos": (1, ()), "tan": (1, ()),
    "asin": (1, ("arcsin",)), "acos": (1, ("arccos",)), "atan": (1, ("arctan",)),
    "atan2": (2, ("arctan2",)),
    "sinh": (1, ()), "cosh": (1, ()), "tanh": (1, ()),
    "exp": (1, ()), "log": (1, ("ln",)), "sqrt": (1, ()), "abs": (1, ()),
    "min": (2, ("minimum",)), "max": (2, ("maximum",)),
}
ALIASES = {alias: name for name, (_, aliases) in FUNCTIONS.items() for alias in (name, *aliases)}
VARIABLES = ("x", "y")
CONSTANTS = {"pi": math.pi, "e": math.e}
ALLOWED = ", ".join([*VARIABLES, *CONSTANTS, *sorted(ALIASES)])
_BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}
_HINTS = {"−": "-", "–": "-", "×": "*", "·": "*", "÷": "/", "²": "**2", "³": "**3", "π": "pi",
          "√": "sqrt(...)", "’": "", "“": "", "”": ""}
_NODE_NAMES = {
    ast.Attribute: "attribute access", ast.Subscript: "a subscript", ast.Lambda: "lambda",
    ast.ListComp: "a list comprehension", ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension", ast.GeneratorExp: "a generator expression",
    ast.JoinedStr: "an f-string", ast.FormattedValue: "an f-string", ast.NamedExpr: "':=' (walrus)",
    ast.Compare: "a comparison", ast.BoolOp: "'and'/'or'", ast.IfExp: "'if ... else'",
    ast.Tuple: "a tuple (a comma)", ast.List: "a list", ast.Set: "a set", ast.Dict: "a dict",
    ast.Starred: "'*' unpacking", ast.Await: "'await'", ast.Yield: "'yield'",
    ast.YieldFrom: "'yield from'", ast.Slice: "a slice",
}
_UNARY = {ast.Not: "'not'", ast.Invert: "'~'"}
_OPS = {ast.Mod: "'%'", ast.FloorDiv: "'//'", ast.MatMult: "'@'", ast.LShift: "'<<'",
        ast.RShift: "'>>'", ast.BitOr: "'|'", ast.BitAnd: "'&'", ast.BitXor: "'^'"}


class ExpressionError(ValueError):
    """A refused expression; the message is the one the page shows at the field."""


def refuse(text: str, why: str) -> ExpressionError:
    return ExpressionError(f"Invalid expression={show(text)}: {why}")


def parse(text) -> tuple:
    """The checked tree of ``text`` (see the module docstring), or ExpressionError."""
    if not isinstance(text, str):
        raise ExpressionError(f"Invalid expression={show(text)}: must be a str such as 'x**2 + 10*y**2'")
    source = _characters(text)
    tree = _ast(text, source)
    node = _Reader(text).read(tree.body, 0, 0)
    check_cost(text, node)
    return node


# ----------------------------------------------------------------------------- text

def _characters(text: str) -> str:
    """Length and character checks; tabs and newlines read as spaces (columns unchanged)."""
    if len(text) > MAX_CHARS:
        raise refuse(text, f"{len(text)} characters, at most {MAX_CHARS}")
    if not text.strip():
        raise refuse(text, "empty: type a formula in x and y such as 'x**2 + 10*y**2'")
    for col, ch in enumerate(text, 1):
        if ch in "\t\n\r":
            continue
        if ch in "#\\;":
            what = {"#": "a comment ('#')", "\\": "a backslash", ";": "';'"}[ch]
            raise refuse(text, f"{what} at column {col} is not allowed")
        if not " " <= ch <= "~":
            raise refuse(text, f"character {_describe(ch)} at column {col}: only ASCII letters, "
                               f"digits, spaces and + - * / ^ ( ) . , are allowed{_hint(ch)}")
    return "".join(" " if ch in "\t\n\r" else ch for ch in text).replace("^", "**")


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"{ch!r} (U+{ord(ch):04X}{' ' + name if name else ''})"


def _hint(ch: str) -> str:
    if ch in _HINTS and _HINTS[ch]:
        return f"; type {_HINTS[ch]!r} instead"
    plain = unicodedata.normalize("NFKC", ch)
    if plain != ch and plain.isascii() and plain.isprintable():
        return f"; type {plain!r} instead"
    return ""


def _column(text: str, col0: int) -> int:
    """1-based column in ``text`` of 0-based column ``col0`` of the text with ^ → **."""
    shift = 0
    for i, ch in enumerate(text):
        if i + shift >= col0:
            return i + 1
        shift += ch == "^"
    return len(text) + 1


def _ast(text: str, source: str) -> ast.Expression:
    try:
        return ast.parse(source, mode="eval")
    except SyntaxError as err:
        col = _column(text, (err.offset or 1) - 1)
        msg = (err.msg or "invalid syntax").split(". Perhaps")[0]
        raise refuse(text, f"syntax error at column {col}: {msg}{_syntax_hint(text, col)}") from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise refuse(text, "nested too deeply") from None


def _syntax_hint(text: str, col: int) -> str:
    product = re.search(r"(\d)\s*([A-Za-z_(])", text[max(col - 2, 0):])
    if product and not re.match(r"\d[eE][-+]?\d", text[max(col - 2, 0) + product.start():]):
        return f" (write {product.group(1)}*{product.group(2)} for a product)"
    if any(word in text.split() for word in ("import", "lambda", "def", "class", "for", "if")):
        return " (only a formula in x and y is accepted)"
    return ""


# ----------------------------------------------------------------------------- tree

class _Reader:
    """Walks the ast, accepting the grammar only; counts nodes and folds constants."""

    def __init__(self, text: str):
        self.text = text
        self.nodes = 0

    def fail(self, node, what: str) -> ExpressionError:
        col = getattr(node, "col_offset", None)
        where = f" at column {_column(self.text, col)}" if col is not None else ""
        return refuse(self.text, f"{what}{where}")

    def read(self, node, depth: int, calls: int) -> tuple:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise refuse(self.text, f"more than {MAX_NODES} terms; simplify the formula")
        if depth > MAX_DEPTH:
            raise refuse(self.text, f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, depth, calls)
        if isinstance(node, ast.BinOp):
            return self.binary(node, depth, calls)
        if isinstance(node, ast.Call):
            return self.call(node, depth, calls)
        raise self.fail(node, f"{_NODE_NAMES.get(type(node), type(node).__name__)} is not allowed")

    def number(self, node) -> tuple:
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            kind = {str: "a string", bytes: "bytes", complex: "an imaginary number"}.get(type(v), show(v))
            raise self.fail(node, f"{kind} is not allowed (only real numbers)")
        if not (math.isfinite(v) if isinstance(v, float) else True) or abs(v) > MAX_LITERAL:
            raise self.fail(node, f"the number {show(v, 24)} is too large (at most {MAX_LITERAL:.0e})")
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return ("num", v)

    def name(self, node) -> tuple:
        n = node.id
        if n in VARIABLES:
            return ("sym", n)
        if n in CONSTANTS:
            return ("const", n)
        if n in ALIASES:
            raise self.fail(node, f"{n} is a function: write {n}(...)")
        if n.startswith("__"):
            raise self.fail(node, f"the name {show(n, 30)} is not allowed (no double underscores)")
        raise self.fail(node, f"unknown name {show(n, 30)}; allowed: {ALLOWED}")

    def unary(self, node, depth, calls) -> tuple:
        if isinstance(node.op, ast.UAdd):
            return self.read(node.operand, depth + 1, calls)
        if isinstance(node.op, ast.USub):
            return fold(self, node, ("neg", self.read(node.operand, depth + 1, calls)))
        raise self.fail(node, f"{_UNARY.get(type(node.op), 'this operator')} is not allowed")

    def binary(self, node, depth, calls) -> tuple:
        op = _BINARY.get(type(node.op))
        if op is None:
            extra = " (for a power write ** or ^)" if isinstance(node.op, ast.BitXor) else ""
            raise self.fail(node, f"the operator {_OPS.get(type(node.op), '?')} is not allowed{extra}")
        a = self.read(node.left, depth + 1, calls)
        b = self.read(node.right, depth + 1, calls)
        exponent = value(b) if _is_constant(b) else None
        if op == "pow" and exponent is not None and abs(exponent) > MAX_EXPONENT:
            raise self.fail(node, f"the exponent {exponent:.6g} is too large (at most {MAX_EXPONENT})")
        if op == "div" and exponent == 0:
            raise self.fail(node, "division by zero")
        return fold(self, node, (op, a, b))

    def call(self, node, depth, calls) -> tuple:
        if not isinstance(node.func, ast.Name):
            if type(node.func) in _NODE_NAMES:
                raise self.fail(node.func, f"{_NODE_NAMES[type(node.func)]} is not allowed")
            extra = " (write 3*(...) for a product)" if isinstance(node.func, ast.Constant) else ""
            raise self.fail(node, f"only named functions can be called, such as sin(x){extra}")
        n = node.func.id
        if n not in ALIASES:
            if n in VARIABLES or n in CONSTANTS:
                raise self.fail(node, f"{n} is not a function (write {n}*(...) for a product)")
            self.name(node.func)
        if node.keywords:
            raise self.fail(node, f"keyword arguments are not allowed in {n}(...)")
        canon = ALIASES[n]
        arity = FUNCTIONS[canon][0]
        if len(node.args) != arity:
            raise self.fail(node, f"{n}(...) takes {arity} argument{'s' * (arity > 1)}, got {len(node.args)}")
        if calls >= MAX_CALL_DEPTH:
            raise self.fail(node, f"functions nested more than {MAX_CALL_DEPTH} deep")
        args = tuple(self.read(a, depth + 1, calls + 1) for a in node.args)
        return fold(self, node, ("call", canon, args))


# ----------------------------------------------------------------------------- constants

def _apply(op: str, args: tuple) -> float:
    """A constant node's value in floating point (raises on overflow or a domain error)."""
    if op == "neg":
        return -args[0]
    if op in ("add", "sub", "mul", "div"):
        a, b = args
        return {"add": a + b, "sub": a - b, "mul": a * b}[op] if op != "div" else a / b
    if op == "pow":
        a, b = args
        r = a ** b
        if isinstance(r, complex):
            raise ValueError("complex")
        return float(r)
    name, args = args
    fn = {"abs": abs, "min": min, "max": max, "log": math.log, "sqrt": math.sqrt, "atan2": math.atan2}
    return float(fn.get(name, getattr(math, name, None))(*args))


def value(node) -> float | None:
    """The float value of a constant tree, None if it depends on x or y."""
    kind = node[0]
    if kind == "num":
        return float(node[1])
    if kind == "const":
        return CONSTANTS[node[1]]
    if kind == "sym":
        return None
    if kind == "call":
        vals = [value(a) for a in node[2]]
        return None if None in vals else _apply("call", (node[1], vals))
    vals = [value(a) for a in node[1:]]
    return None if None in vals else _apply(kind, tuple(vals))


def fold(reader: _Reader, ast_node, node: tuple) -> tuple:
    """Check a constant node's value: finite, real and at most MAX_CONSTANT in size."""
    if not all(_is_constant(child) for child in _children(node)):
        return node
    if node[0] == "pow" and value(node[2]) is not None and abs(value(node[2])) > MAX_EXPONENT:
        raise reader.fail(ast_node, f"the exponent {value(node[2]):.6g} is too large (at most {MAX_EXPONENT})")
    try:
        if node[0] == "pow":
            a, b = value(node[1]), value(node[2])
            if a != 0 and abs(b) * math.log10(abs(a)) > 300:
                raise OverflowError
        v = value(node)
    except (OverflowError, ZeroDivisionError, ValueError, TypeError):
        v = math.nan
    if not math.isfinite(v):
        raise reader.fail(ast_node, "a constant here is undefined, complex or too large "
                                    "(such as 1/0, log(-1), sqrt(-2) or 10**400)")
    if abs(v) > MAX_CONSTANT:
        raise reader.fail(ast_node, f"a constant here is too large ({v:.3g}; at most {MAX_CONSTANT:.0e})")
    return node


def _children(node: tuple) -> tuple:
    if node[0] == "call":
        return node[2]
    if node[0] in ("num", "sym", "const"):
        return ()
    return node[1:]


def _is_constant(node: tuple) -> bool:
    if node[0] == "sym":
        return False
    return all(_is_constant(c) for c in _children(node))


# ----------------------------------------------------------------------------- cost

def sizes(node: tuple) -> tuple[int, int, int]:
    """Upper estimates of the tree sizes of f, ∂f and ∂²f (product and chain rules without
    any simplification): what sympy's derivatives would cost at most."""
    kind = node[0]
    if kind in ("num", "sym", "const"):
        return 1, 1, 1
    parts = [sizes(c) for c in _children(node)]
    if kind in ("neg", "add", "sub") or (kind == "call" and node[1] in ("min", "max", "abs")):
        s, d, dd = (sum(p[i] for p in parts) + 2 for i in range(3))
        return s, d, dd
    if kind == "call":
        (s, d, dd), = parts if len(parts) == 1 else [tuple(sum(p[i] for p in parts) for i in range(3))]
        return s + 1, 2 * s + d + 4, 4 * s + 2 * d + dd + 10
    (sa, da, dda), (sb, db, ddb) = parts
    s = sa + sb + 1
    if kind == "pow" and _is_constant(node[2]):  # n·a^(n−1)·a′, then two terms
        return s, sa + da + 4, 2 * sa + 2 * da + dda + 10
    if kind == "mul":
        return s, da + db + s + 3, dda + ddb + 2 * (da + db) + 2 * s + 6
    # div and pow: a/b = a·b⁻¹ and a**b have the cost of a product with one more factor
    return s, da + db + 3 * s + 6, dda + ddb + 4 * (da + db) + 8 * s + 12


def check_cost(text: str, node: tuple) -> None:
    _, _, dd = sizes(node)
    if dd > MAX_COST:
        raise refuse(text, f"too complex: its second derivatives would have about {dd:,} terms "
                           f"(at most {MAX_COST:,}); simplify or nest fewer functions")


def describe(node: tuple) -> str:
    """The tree as text (for tests and messages)."""
    kind = node[0]
    if kind in ("num", "sym", "const"):
        return str(node[1])
    if kind == "neg":
        return f"(-{describe(node[1])})"
    if kind == "call":
        return f"{node[1]}({', '.join(describe(a) for a in node[2])})"
    return f"({describe(node[1])} {_SYMBOLS[kind]} {describe(node[2])})"
