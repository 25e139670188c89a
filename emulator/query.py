"""QBO's query language: parse a ``SELECT`` and run it over a list of entity dicts.

Grammar (keywords, entity and field names case-insensitive)::

    SELECT * | COUNT(*) [, name ...] FROM Entity
        [WHERE field op value [AND ...]]
        [ORDER BY | ORDERBY field [ASC|DESC] [, ...]]
        [STARTPOSITION n] [MAXRESULTS n] [;]

``op`` is one of ``= != < > <= >= IN LIKE``. OR, NOT, JOIN and GROUP BY do not
exist in QBO and are parse errors (4000); out-of-range paging values and
operators ``Id`` does not support are validation errors (4001).
"""
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Iterable

from .clock import parse_timestamp
from .faults import query_parse, query_validation

MAX_RESULTS_LIMIT = 1000
DEFAULT_MAX_RESULTS = 100

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>'(?:[^'\\]|\\.)*')
  | (?P<num>-?(?:\d+(?:\.\d*)?|\.\d+))
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[*,();])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
""", re.X | re.S)
_ESCAPE = re.compile(r"\\(['\\])")
_NUMERIC = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}"
                   r"(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_UNSUPPORTED = {"OR": "OR is not supported", "NOT": "NOT is not supported",
                "JOIN": "JOIN is not supported", "GROUP": "GROUP BY is not supported",
                "HAVING": "HAVING is not supported"}
_COMPARISONS = ("=", "<", ">", "<=", ">=", "!=")
_MISSING = object()


@dataclass
class _Token:
    kind: str      # str, num, op, punct, name, end
    text: str      # as written (strings: unescaped content)
    pos: int

    @property
    def word(self):
        """The upper-cased text of a bare name, for keyword tests."""
        return self.text.upper() if self.kind == "name" else None


class _Literal:
    """A value from the query, pre-digested so matching a row costs little."""

    __slots__ = ("value", "quoted", "text", "num", "boolean", "is_null", "is_date",
                 "_instants")

    def __init__(self, value, quoted):
        self.value = value
        self.quoted = quoted
        self.is_null = value == " "
        self.text = str(value).casefold() if not isinstance(value, bool) else None
        self.boolean = value if isinstance(value, bool) else None
        self.num = None
        self.is_date = False
        self._instants = {}
        if isinstance(value, bool):
            return
        if isinstance(value, (int, float)):
            self.num = float(value)
        elif _NUMERIC.fullmatch(value):
            self.num = float(value)
        elif self.text in ("true", "false"):
            self.boolean = self.text == "true"
        elif _DATE.fullmatch(value):
            self.is_date = True

    def instant(self, tz):
        """Epoch seconds; a literal without offset is read in the company's zone."""
        try:
            return self._instants[tz]
        except KeyError:
            self._instants[tz] = parse_timestamp(self.value, tz)
            return self._instants[tz]


@lru_cache(maxsize=65536)
def _instant(text, tz):
    """Cached: polling clients filter on the same MetaData stamps again and again."""
    return parse_timestamp(text, tz)


def _compare(v, lit, tz):
    """-1/0/1 comparing row value ``v`` with ``lit``, or None if incomparable."""
    if isinstance(v, str):
        if not lit.quoted and lit.num is not None:      # Id = 12 against "12"
            if not _NUMERIC.fullmatch(v):
                return None
            f = float(v)
            return (f > lit.num) - (f < lit.num)
        if lit.is_date and _DATE.fullmatch(v):
            try:
                a, b = _instant(v, tz), lit.instant(tz)
            except ValueError:
                pass
            else:
                return (a > b) - (a < b)
        if lit.boolean is not None and not lit.quoted:  # Active = true against "true"
            s, t = v.casefold(), str(lit.boolean).casefold()
        else:
            s, t = v.casefold(), lit.text
        return (s > t) - (s < t)
    if isinstance(v, bool):
        b = lit.boolean
        return None if b is None else (v > b) - (v < b)
    if isinstance(v, (int, float, Decimal)):
        n = lit.num
        if n is None:
            return None
        f = float(v)
        return (f > n) - (f < n)
    return None


def _is_null(v):
    """QBO's ``' '``: the property is absent or empty."""
    if v is _MISSING or v is None:
        return True
    if isinstance(v, str):
        return not v.strip()
    if isinstance(v, (dict, list)):
        return not v
    return False


class _Many(tuple):
    """The values a path reaches through a list (``AttachableRef.EntityRef.value``)."""


class _Path:
    """A dotted property path, looked up case-insensitively.

    The key spelling found by a scan is remembered, so ``displayname`` costs a
    scan once rather than once per row. A path through a list reaches the
    value in each element (a ``_Many``); a condition matches if one does.
    """

    __slots__ = ("names",)

    def __init__(self, dotted):
        self.names = dotted.split(".")

    def resolve(self, row, start=0):
        """The value at the path (refs and email dicts unwrapped), or _MISSING."""
        v = row
        names = self.names
        for i in range(start, len(names)):
            name = names[i]
            if isinstance(v, list):
                found = [self.resolve(item, i) for item in v]
                return _Many(x for x in found if x is not _MISSING) if found else _MISSING
            if not isinstance(v, dict):
                return _MISSING
            try:
                v = v[name]
            except KeyError:
                low = name.lower()
                for key in v:
                    if key.lower() == low:
                        names[i] = key
                        v = v[key]
                        break
                else:
                    return _MISSING
        if isinstance(v, dict):
            if "value" in v:
                return v["value"]
            if "Address" in v:
                return v["Address"]
        return v


@dataclass
class Condition:
    """``field op value``; ``value`` is a tuple for IN."""
    field: str
    op: str
    value: object
    _path: _Path = field(init=False, repr=False, compare=False)
    _lits: tuple = field(init=False, repr=False, compare=False)
    _like: object = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self):
        self._path = _Path(self.field)
        values = self.value if self.op == "IN" else (self.value,)
        self._lits = tuple(v if isinstance(v, _Literal) else _Literal(v, isinstance(v, str))
                           for v in values)
        self.value = (tuple(lit.value for lit in self._lits) if self.op == "IN"
                      else self._lits[0].value)
        if self.op == "LIKE":
            pattern = ".*".join(re.escape(part) for part in str(self.value).split("%"))
            self._like = re.compile(pattern, re.I | re.S)

    def matches(self, row, tz=0):
        v = self._path.resolve(row)
        if type(v) is _Many:
            return any(self._matches(x, tz) for x in v)
        return self._matches(v, tz)

    def _matches(self, v, tz):
        op = self.op
        if op == "!=":
            lit = self._lits[0]
            if lit.is_null:
                return not _is_null(v)
            return v is _MISSING or _compare(v, lit, tz) != 0
        if op == "=":
            lit = self._lits[0]
            if lit.is_null:
                return _is_null(v)
            return v is not _MISSING and _compare(v, lit, tz) == 0
        if op == "IN":
            if v is _MISSING or v is None:
                return any(lit.is_null for lit in self._lits)
            return any(_is_null(v) if lit.is_null else _compare(v, lit, tz) == 0
                       for lit in self._lits)
        if v is _MISSING or v is None:
            return False
        if op == "LIKE":
            if isinstance(v, bool) or not isinstance(v, (str, int, float, Decimal)):
                return False
            return self._like.fullmatch(str(v)) is not None
        c = _compare(v, self._lits[0], tz)
        if c is None:
            return False
        if op == "<":
            return c < 0
        if op == ">":
            return c > 0
        if op == "<=":
            return c <= 0
        return c >= 0


@dataclass
class Query:
    entity: str
    is_count: bool = False
    conditions: list = field(default_factory=list)     # list[Condition], ANDed
    order_by: list = field(default_factory=list)       # [(field, descending)]
    start_position: int = 1
    max_results: int = DEFAULT_MAX_RESULTS

    def matches(self, row, tz_offset_minutes=0):
        return all(c.matches(row, tz_offset_minutes) for c in self.conditions)


class _Parser:
    def __init__(self, sql, entity_names):
        self.sql = sql
        self.entities = (dict(entity_names) if isinstance(entity_names, dict)
                         else {name.lower(): name for name in entity_names})
        self.tokens = self._tokenize(sql)
        self.i = 0

    # -- tokens -----------------------------------------------------------------
    def _tokenize(self, sql):
        tokens, pos = [], 0
        while pos < len(sql):
            m = _TOKEN.match(sql, pos)
            if not m:
                if sql[pos] == "'":
                    raise self._fail("Unterminated string literal", pos)
                raise self._fail("Unexpected character %r" % sql[pos], pos)
            kind = m.lastgroup
            if kind == "str":
                tokens.append(_Token("str", _ESCAPE.sub(r"\1", m.group()[1:-1]), pos))
            elif kind != "ws":
                tokens.append(_Token(kind, m.group(), pos))
            pos = m.end()
        tokens.append(_Token("end", "<EOF>", len(sql)))
        return tokens

    def _fail(self, text, pos):
        line = self.sql.count("\n", 0, pos) + 1
        column = pos - (self.sql.rfind("\n", 0, pos) + 1) + 1
        return query_parse("%s at line %d, column %d." % (text, line, column))

    def peek(self):
        return self.tokens[self.i]

    def next(self):
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def error(self, expected, tok=None):
        tok = tok or self.peek()
        word = tok.word
        if word in _UNSUPPORTED:
            return self._fail('Encountered "%s": %s' % (tok.text, _UNSUPPORTED[word]), tok.pos)
        return self._fail('Encountered "%s"; was expecting %s' % (tok.text, expected), tok.pos)

    def keyword(self, *words):
        """Consume the next token if it is one of ``words``; return it."""
        if self.peek().word in words:
            return self.next().word
        return None

    def expect(self, word):
        if not self.keyword(word):
            raise self.error(word)

    def expect_punct(self, text):
        tok = self.next()
        if tok.kind != "punct" or tok.text != text:
            raise self.error('"%s"' % text, tok)

    # -- grammar ----------------------------------------------------------------
    def parse(self):
        self.expect("SELECT")
        is_count = self.select_list()
        self.expect("FROM")
        tok = self.next()
        if tok.kind != "name":
            raise self.error("an entity name", tok)
        entity = self.entities.get(tok.text.lower())
        if entity is None:
            raise query_parse("Invalid entity %s" % tok.text)
        query = Query(entity=entity, is_count=is_count)
        seen = set()
        while True:
            tok = self.peek()
            word = tok.word
            if word == "ORDER":
                self.next()
                self.expect("BY")
                word = "ORDERBY"
            elif word in ("WHERE", "ORDERBY", "STARTPOSITION", "MAXRESULTS"):
                self.next()
            else:
                break
            if word in seen:
                raise self._fail("Duplicate %s clause" % word, tok.pos)
            seen.add(word)
            if word == "WHERE":
                query.conditions = self.where()
            elif word == "ORDERBY":
                query.order_by = self.order_by()
            elif word == "STARTPOSITION":
                query.start_position = self.positive_int("STARTPOSITION")
            else:
                query.max_results = self.positive_int("MAXRESULTS")
                if query.max_results > MAX_RESULTS_LIMIT:
                    raise query_validation("value %d is too large. Max allowed value is %d"
                                           % (query.max_results, MAX_RESULTS_LIMIT))
        if self.peek().kind == "punct" and self.peek().text == ";":
            self.next()
        if self.peek().kind != "end":
            raise self.error("WHERE, ORDERBY, STARTPOSITION, MAXRESULTS or end of query")
        return query

    def select_list(self):
        """``*``, ``COUNT(*)``, then any extra names (ignored: QBO returns all fields)."""
        is_count = False
        tok = self.next()
        if tok.kind == "punct" and tok.text == "*":
            pass
        elif tok.word == "COUNT":
            self.expect_punct("(")
            self.expect_punct("*")
            self.expect_punct(")")
            is_count = True
        elif tok.kind != "name" or tok.word == "FROM":
            raise self.error('"*" or COUNT(*)', tok)
        while self.peek().kind == "punct" and self.peek().text == ",":
            self.next()
            tok = self.next()
            if not (tok.kind == "name" or (tok.kind == "punct" and tok.text == "*")):
                raise self.error("a property name", tok)
        return is_count

    def where(self):
        conditions = [self.condition()]
        while self.keyword("AND"):
            conditions.append(self.condition())
        return conditions

    def condition(self):
        tok = self.next()
        if tok.kind != "name" or tok.word in _UNSUPPORTED:
            raise self.error("a property name", tok)
        op_tok = self.next()
        if op_tok.kind == "op" and op_tok.text in _COMPARISONS:
            op = op_tok.text
        elif op_tok.word in ("IN", "LIKE"):
            op = op_tok.word
        else:
            raise self.error("an operator (=, !=, <, >, <=, >=, IN, LIKE)", op_tok)
        if tok.text.lower() == "id" and op not in ("=", "IN"):
            raise query_validation("Property Id does not support operator: %s" % op)
        if op == "IN":
            self.expect_punct("(")
            values = [self.literal()]
            while self.peek().kind == "punct" and self.peek().text == ",":
                self.next()
                values.append(self.literal())
            self.expect_punct(")")
            return Condition(tok.text, op, tuple(values))
        return Condition(tok.text, op, self.literal())

    def literal(self):
        tok = self.next()
        if tok.kind == "str":
            return _Literal(tok.text, True)
        if tok.kind == "num":
            value = float(tok.text) if "." in tok.text else int(tok.text)
            return _Literal(value, False)
        if tok.word in ("TRUE", "FALSE"):
            return _Literal(tok.word == "TRUE", False)
        raise self.error("a quoted string, number, true or false", tok)

    def order_by(self):
        keys = []
        while True:
            tok = self.next()
            if tok.kind != "name":
                raise self.error("a property name", tok)
            keys.append((tok.text, self.keyword("ASC", "DESC") == "DESC"))
            if not (self.peek().kind == "punct" and self.peek().text == ","):
                return keys
            self.next()

    def positive_int(self, clause):
        tok = self.next()
        if tok.kind != "num" or not re.fullmatch(r"-?\d+", tok.text):
            raise self.error("an integer after %s" % clause, tok)
        value = int(tok.text)
        if value < 1:
            raise query_validation("value %d is too small. Min allowed value for %s is 1"
                                   % (value, clause))
        return value


def parse(sql: str, entity_names: Iterable[str]) -> Query:
    """Parse ``sql``; raises QBOFault 4000 (syntax) or 4001 (validation)."""
    return _Parser(sql, entity_names).parse()


def _sort_key(v, tz):
    """Rank missing < numbers < dates < text so mixed columns still sort."""
    if v is _MISSING or v is None:
        return (0, 0)
    if isinstance(v, (bool, int, float, Decimal)):
        return (1, float(v))
    if isinstance(v, str):
        if _NUMERIC.fullmatch(v):
            return (1, float(v))
        if _DATE.fullmatch(v):
            try:
                return (2, _instant(v, tz))
            except ValueError:
                pass
        return (3, v.casefold())
    return (4, repr(v))


def _id_key(row):
    """Numeric Id, the default order; Ids are digit strings, so try int first."""
    v = row.get("Id", _MISSING)
    try:
        return (1, int(v))
    except (TypeError, ValueError):
        return _sort_key(v, 0)


def _filter(query, rows, tz):
    conditions = query.conditions
    if not conditions:
        return list(rows)
    if len(conditions) == 1:
        match = conditions[0].matches
        return [row for row in rows if match(row, tz)]
    return [row for row in rows if all(c.matches(row, tz) for c in conditions)]


def execute(query: Query, rows: list[dict], tz_offset_minutes: int = 0) -> list[dict]:
    """The page of matching rows, ordered: by ``Id`` first, then the ORDER BY keys.

    Sorting by Id before the stable ORDER BY sorts gives ties a fixed order.
    """
    tz = tz_offset_minutes
    found = _filter(query, rows, tz)
    found.sort(key=_id_key)
    for name, descending in reversed(query.order_by):
        path = _Path(name)
        found.sort(key=lambda row: _sort_key(path.resolve(row), tz), reverse=descending)
    start = query.start_position - 1
    return found[start:start + query.max_results]


def count(query: Query, rows: list[dict], tz_offset_minutes: int = 0) -> int:
    """How many rows match, regardless of STARTPOSITION and MAXRESULTS."""
    if not query.conditions:
        return len(rows)
    return len(_filter(query, rows, tz_offset_minutes))
