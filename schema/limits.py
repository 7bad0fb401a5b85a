"""Limits on what one GraphQL request may ask for, checked before any Cypher runs.

Depth, aliases and directives are validation rules; the token limit stops the parser
early; the cost limit needs the request's variables (page sizes) and runs just before
execution. Each refusal names the setting and its value, with
``extensions.code = "LIMIT_EXCEEDED"``.

Everything that depends on the document alone is worked out once per document (the
cache in schema/documents.py keeps it): the rule classes are built once per set of
limits, and the cost of an operation is kept as a small polynomial in its page-size
variables, so pricing a request with its variables is a few multiplications. Fragments
count wherever they are spread: aliases, directives, depth and cost alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from graphql import (
    ASTValidationRule,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from service.settings import Settings

LIMIT_EXCEEDED = "LIMIT_EXCEEDED"


@dataclass(frozen=True)
class Limits:
    """The settings the limits read; hashable, so rules and analyses can be shared."""

    max_query_depth: int
    max_aliases: int
    max_directives: int
    max_query_cost: int
    max_tokens: int
    default_page_size: int
    assumed_fan_out: int
    introspection: bool

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            max_query_depth=settings.max_query_depth,
            max_aliases=settings.max_aliases,
            max_directives=settings.max_directives,
            max_query_cost=settings.max_query_cost,
            max_tokens=settings.max_tokens,
            default_page_size=settings.default_page_size,
            assumed_fan_out=settings.assumed_fan_out,
            introspection=settings.introspection,
        )


def limit_error(message: str, *, setting: str, value: int) -> GraphQLError:
    return GraphQLError(
        message, extensions={"code": LIMIT_EXCEEDED, "limit": setting, "value": value}
    )


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def query_depth(document: DocumentNode, operation: OperationDefinitionNode) -> int:
    """Fields nested below the root, through fragments; introspection is not counted."""
    fragments = _fragments(document)
    known: dict[str, int] = {}

    def fragment_depth(name: str, seen: frozenset[str]) -> int:
        if name not in known:
            fragment = fragments.get(name)
            known[name] = depth(fragment.selection_set, seen | {name}) if fragment else 0
        return known[name]

    def depth(selection_set: SelectionSetNode | None, seen: frozenset[str]) -> int:
        deepest = 0
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                if node.name.value.startswith("__"):
                    continue
                deepest = max(deepest, 1 + depth(node.selection_set, seen))
            elif isinstance(node, InlineFragmentNode):
                deepest = max(deepest, depth(node.selection_set, seen))
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
                deepest = max(deepest, fragment_depth(node.name.value, seen))
        return deepest

    return depth(operation.selection_set, frozenset())


def _nodes(root: Node) -> Iterator[Any]:
    """Every node below ``root`` (itself included), walked without recursion."""
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        yield node
        for key in node.keys:
            value = getattr(node, key, None)
            if isinstance(value, tuple | list):
                stack.extend(item for item in value if isinstance(item, Node))
            elif isinstance(value, Node):
                stack.append(value)


def alias_and_directive_counts(
    document: DocumentNode, operation: OperationDefinitionNode
) -> tuple[int, int]:
    """Aliases and directives of one operation, each fragment counted once per spread."""
    fragments = _fragments(document)
    known: dict[str, tuple[int, int]] = {}

    def counts(root: Node, seen: frozenset[str]) -> tuple[int, int]:
        aliases = directives = 0
        for node in _nodes(root):
            if isinstance(node, FieldNode) and node.alias:
                aliases += 1
            elif isinstance(node, DirectiveNode):
                directives += 1
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                if name in seen or name not in fragments:
                    continue  # a cycle or an unknown fragment: validation reports those
                if name not in known:
                    known[name] = counts(fragments[name], seen | {name})
                aliases += known[name][0]
                directives += known[name][1]
        return aliases, directives

    return counts(operation, frozenset())


@lru_cache(maxsize=32)
def validation_rules(limits: Limits) -> tuple[type[ASTValidationRule], ...]:
    """The limit rules for these limits, as graphql-core validation rule classes.

    Built once per set of limits: new classes on every request would make every
    validation unique, and nothing keyed on the rules could be reused.
    """

    class DepthLimit(ASTValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            found = query_depth(self.context.document, node)
            if found > limits.max_query_depth:
                self.report_error(
                    limit_error(
                        f"Query depth {found} exceeds MAX_QUERY_DEPTH = {limits.max_query_depth}.",
                        setting="MAX_QUERY_DEPTH",
                        value=limits.max_query_depth,
                    )
                )

    class CountLimits(ASTValidationRule):
        """Aliases and directives of each operation, fragments counted per spread."""

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            found = [alias_and_directive_counts(document, o) for o in operations] or [(0, 0)]
            aliases = max(count for count, _ in found)
            directives = max(count for _, count in found)
            if aliases > limits.max_aliases:
                self.report_error(
                    limit_error(
                        f"{aliases} aliases exceed MAX_ALIASES = {limits.max_aliases}.",
                        setting="MAX_ALIASES",
                        value=limits.max_aliases,
                    )
                )
            if directives > limits.max_directives:
                self.report_error(
                    limit_error(
                        f"{directives} directives exceed MAX_DIRECTIVES = {limits.max_directives}.",
                        setting="MAX_DIRECTIVES",
                        value=limits.max_directives,
                    )
                )

    rules: tuple[type[ASTValidationRule], ...] = (DepthLimit, CountLimits)
    if not limits.introspection:
        rules += (NoSchemaIntrospectionCustomRule,)
    return rules


# Root fields that read the whole graph's evidence, whatever they select: priced for that
# work once per use, so that one request cannot ask for a handful of them under aliases.
VIEW_COSTS: Final = {
    ("Query", "evidenceGapMap"): 25_000,
    ("Query", "practiceGap"): 25_000,
    ("Query", "recommend"): 25_000,
}
# Their lists hold a row per intervention (the gap map's cells, one per intervention and
# outcome with evidence), not the handful ASSUMED_FAN_OUT stands for.
LIST_ROWS: Final = {
    ("EvidenceGapMap", "interventions"): 1_000,
    ("EvidenceGapMap", "cells"): 1_000,
    ("PracticeGap", "widelyUsedWeaklyEvidenced"): 100,
    ("PracticeGap", "wellEvidencedRarelyUsed"): 100,
    ("PracticeGap", "ranking"): 1_000,
    ("Recommendations", "recommendations"): 200,
    ("Recommendations", "excluded"): 200,
}

# A page size taken from a variable: its name and the operation's default for it.
PageVariable = tuple[str, Any]


@dataclass(frozen=True)
class CostModel:
    """An operation's cost as a sum of terms: coefficient x the page-size variables.

    Roughly how many values the answer holds: each field counts once per row it is
    resolved for. A connection, root or nested, multiplies what is below it by its page
    size (``first`` or ``last``, or DEFAULT_PAGE_SIZE); any other list by ASSUMED_FAN_OUT,
    the rows assumed per relationship. So ``first: 100`` with two nested lists below costs
    about 100 x 5 x 5 per selected field. Literal page sizes are folded into the
    coefficients. The whole-graph evidence views add a fixed price (VIEW_COSTS) and count
    their long lists by LIST_ROWS.
    """

    terms: tuple[tuple[int, tuple[PageVariable, ...]], ...]
    default_page_size: int

    def cost(self, variables: Mapping[str, Any]) -> int:
        total = 0
        for coefficient, page_variables in self.terms:
            for name, default in page_variables:
                # As execution does: a variable left out takes the operation's default.
                coefficient *= self._page_size(variables.get(name, default))
            total += coefficient
        return total

    def _page_size(self, value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        return self.default_page_size


Terms = Counter[tuple[PageVariable, ...]]


def cost_model(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    limits: Limits,
) -> CostModel:
    """The cost polynomial of ``operation``; fragments are priced once and scaled per spread."""
    fragments = _fragments(document)
    defaults = {
        definition.variable.name.value: value_from_ast_untyped(definition.default_value)
        if definition.default_value
        else None
        for definition in operation.variable_definitions or ()
    }
    known: dict[str, Terms] = {}

    def page_size(field: FieldNode) -> int | PageVariable:
        # ``first`` or ``last`` (backward pages), whichever the field gives; both is refused.
        for argument in field.arguments or ():
            if argument.name.value not in ("first", "last"):
                continue
            if isinstance(argument.value, IntValueNode) and int(argument.value.value) > 0:
                return int(argument.value.value)
            if isinstance(argument.value, VariableNode):
                name = argument.value.name.value
                return (name, defaults.get(name))
        return limits.default_page_size

    def terms(selection_set: SelectionSetNode | None, parent: Any, seen: frozenset[str]) -> Terms:
        """The cost of a selection set for one row of ``parent``."""
        found: Terms = Counter()
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                found[()] += 1
                name = node.name.value
                if name.startswith("__") or not isinstance(
                    parent, GraphQLObjectType | GraphQLInterfaceType
                ):
                    continue
                found[()] += VIEW_COSTS.get((parent.name, name), 0)
                definition = parent.fields.get(name)
                if definition is None or node.selection_set is None:
                    continue
                below = terms(node.selection_set, get_named_type(definition.type), seen)
                if "first" in definition.args:
                    size = page_size(node)
                    if isinstance(size, int):
                        _add(found, below, factor=size)
                    else:
                        _add(found, below, variable=size)
                elif _is_list(definition.type) and not parent.name.endswith("Connection"):
                    rows = LIST_ROWS.get((parent.name, name), limits.assumed_fan_out)
                    _add(found, below, factor=rows)
                else:
                    _add(found, below)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                child_parent = schema.get_type(condition.name.value) if condition else parent
                _add(found, terms(node.selection_set, child_parent, seen))
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
                name = node.name.value
                fragment = fragments.get(name)
                if fragment is None:
                    continue
                if name not in known:
                    fragment_type = schema.get_type(fragment.type_condition.name.value)
                    known[name] = terms(fragment.selection_set, fragment_type, seen | {name})
                _add(found, known[name])
        return found

    root = schema.get_root_type(operation.operation)
    found = terms(operation.selection_set, root, frozenset())
    return CostModel(
        terms=tuple((coefficient, key) for key, coefficient in found.items()),
        default_page_size=limits.default_page_size,
    )


def _add(
    into: Terms, terms: Terms, *, factor: int = 1, variable: PageVariable | None = None
) -> None:
    for key, coefficient in terms.items():
        scaled = tuple(sorted((*key, variable), key=repr)) if variable is not None else key
        into[scaled] += coefficient * factor


def _is_list(type_: Any) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def cost_error(found: int, limits: Limits) -> GraphQLError:
    return limit_error(
        f"Query cost {found} exceeds MAX_QUERY_COST = {limits.max_query_cost} "
        f"(page sizes x {limits.assumed_fan_out} rows assumed per nested list).",
        setting="MAX_QUERY_COST",
        value=limits.max_query_cost,
    )
