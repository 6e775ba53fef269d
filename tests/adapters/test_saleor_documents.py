"""Every GraphQL document the Saleor adapter can send is valid against Saleor's real schema."""

from __future__ import annotations

import graphql
import pytest

from adapters.saleor import documents
from tests.adapters.conftest import SALEOR_SCHEMA_PATH, saleor_validation_errors


def _name(document: str) -> str:
    tree = graphql.parse(document)
    operation = next(d for d in tree.definitions if isinstance(d, graphql.OperationDefinitionNode))
    return operation.name.value if operation.name else "anonymous"


def test_schema_is_the_real_saleor_schema() -> None:
    assert SALEOR_SCHEMA_PATH.stat().st_size > 500_000


def test_all_documents_lists_every_document_constant() -> None:
    constants = [
        value
        for name, value in vars(documents).items()
        if name.isupper() and isinstance(value, str) and ("query " in value or "mutation " in value)
    ]
    assert set(constants) == set(documents.ALL_DOCUMENTS)
    names = [_name(d) for d in documents.ALL_DOCUMENTS]
    assert len(names) == len(set(names)), "operation names must be unique"


@pytest.mark.parametrize("document", documents.ALL_DOCUMENTS, ids=_name)
def test_document_validates_against_saleor_schema(saleor_schema: graphql.GraphQLSchema, document: str) -> None:
    assert saleor_validation_errors(saleor_schema, document) == []


def test_an_invalid_field_fails_validation(saleor_schema: graphql.GraphQLSchema) -> None:
    broken = documents.PRODUCT.replace("seoTitle", "seoHeadline")
    errors = saleor_validation_errors(saleor_schema, broken)
    assert any("seoHeadline" in message for message in errors)


def test_a_wrong_argument_type_fails_validation(saleor_schema: graphql.GraphQLSchema) -> None:
    broken = documents.PRODUCT_CREATE.replace("ProductCreateInput!", "ProductInput!")
    assert saleor_validation_errors(saleor_schema, broken) != []
