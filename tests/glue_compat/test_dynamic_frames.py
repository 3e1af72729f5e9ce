"""DynamicFrame scripts in the styles of AWS's samples: from_options + ApplyMapping + a partitioned
Parquet sink, from_catalog, resolveChoice/toDF/fromDF, Join + relationalize."""

from __future__ import annotations

import pytest

from tests.glue_compat.conftest import GlueUser, data_uri
from tests.glue_compat.s3data import (
    as_tuples,
    data_objects,
    json_rows,
    parquet_columns,
    parquet_rows,
    put_json_lines,
    put_text,
)

pytestmark = pytest.mark.glue_compat

ORDERS_CSV = 'order_id,customer,amount,country\n1,"Smith, Ann",10.5,DE\n2,Bob,20.25,FR\n3,Cy,7.0,DE\n'


@pytest.mark.parametrize("output_format", ["parquet", "glueparquet"])
def test_from_options_apply_mapping_to_partitioned_parquet(user: GlueUser, output_format: str) -> None:
    root = f"mapping-{output_format}"
    put_text(user.s3, data_uri(root, "in", "2026", "orders.csv"), ORDERS_CSV)  # found by "recurse"
    job = user.deploy(f"compat_apply_mapping_{output_format}", "from_options_apply_mapping.py")
    output = data_uri(root, "out") + "/"
    user.run_ok(job, {"--input": data_uri(root, "in") + "/", "--output": output, "--output_format": output_format})
    files = data_objects(user.s3, output)
    assert {key.split("/")[0] for key, _ in files} == {"country=DE", "country=FR"}
    for _, body in files:  # partition columns live in the path, the mapped types in the files
        assert parquet_columns(body) == {"order_id": "int64", "customer_name": "string", "amount": "double"}
    assert as_tuples(parquet_rows(user.s3, output), "order_id", "customer_name", "amount", "country") == [
        (1, "Smith, Ann", 10.5, "DE"),
        (2, "Bob", 20.25, "FR"),
        (3, "Cy", 7.0, "DE"),
    ]


def test_from_catalog_reads_the_tables_location_and_format(user: GlueUser, products_table: tuple[str, str]) -> None:
    database, table = products_table
    job = user.deploy("compat_from_catalog", "from_catalog.py")
    output = data_uri("from-catalog", "out")
    user.run_ok(job, {"--database": database, "--table": table, "--output": output})
    assert as_tuples(parquet_rows(user.s3, output), "product_id", "product_name", "qty") == [
        (1, "widget", 7),
        (2, "gadget", 3),
        (3, "gizmo", 12),
    ]


def test_resolve_choice_cast_and_project(user: GlueUser) -> None:
    items: list[dict[str, object]] = [
        {"id": 1, "price": 10},
        {"id": 2, "price": "12"},
        {"id": 3, "price": "n/a"},
        {"id": 4, "price": 7},
    ]
    put_json_lines(user.s3, data_uri("choice", "in", "items.json"), items)
    job = user.deploy("compat_resolve_choice", "resolve_choice.py")
    output = data_uri("choice", "out")
    inputs = {"--input": data_uri("choice", "in") + "/", "--output": output}
    user.run_ok(job, {**inputs, "--project": "cast:string"})
    # cast:<type> casts every value (a string that is no number becomes null, as on Glue).
    assert as_tuples(parquet_rows(user.s3, output), "id", "price_long", "price_string") == [
        (1, 10, "10"),
        (2, 12, "12"),
        (3, None, "n/a"),
        (4, 7, "7"),
    ]
    # project:string keeps only the values that were strings on Glue; locally Spark has already turned
    # the numbers into strings, so the run fails loudly (README: differences) instead of keeping them.
    failed = user.run(job, {**inputs, "--project": "project:string"})
    assert failed["JobRunState"] == "FAILED"
    assert "resolveChoice project:string on 'price' of records read from csv/json" in failed["ErrorMessage"]


PERSONS: list[dict[str, object]] = [
    {"id": "p1", "name": "Ana", "contact_details": [{"type": "email", "value": "ana@example.org"},
                                                   {"type": "phone", "value": "+1-555-0101"}]},
    {"id": "p2", "name": "Ben", "contact_details": [{"type": "twitter", "value": "@ben"}]},
    {"id": "p3", "name": "Cy", "contact_details": [{"type": "email", "value": "cy@example.org"}]},
]  # fmt: skip
MEMBERSHIPS: list[dict[str, object]] = [
    {"person_id": "p1", "organization_id": "o1", "role": "member"},
    {"person_id": "p2", "organization_id": "o1", "role": "chair"},
    {"person_id": "p2", "organization_id": "o2", "role": "member"},
]
ORGANIZATIONS: list[dict[str, object]] = [
    {"id": "o1", "name": "Senate", "classification": "upper house",
     "other_names": [{"name": "Upper"}], "identifiers": [{"scheme": "x", "identifier": "1"}]},
    {"id": "o2", "name": "House", "classification": "lower house",
     "other_names": [{"name": "Lower"}], "identifiers": [{"scheme": "x", "identifier": "2"}]},
]  # fmt: skip


def test_join_and_relationalize(user: GlueUser) -> None:
    sources: dict[str, list[dict[str, object]]] = {
        "persons": PERSONS, "memberships": MEMBERSHIPS, "organizations": ORGANIZATIONS
    }  # fmt: skip
    for name, records in sources.items():
        put_json_lines(user.s3, data_uri("legislators", name, f"{name}.json"), records)
    job = user.deploy("compat_join_relationalize", "join_relationalize.py")
    output = data_uri("legislators", "out")
    paths = {f"--{name}": data_uri("legislators", name) + "/" for name in sources}
    user.run_ok(job, {**paths, "--output": output})

    assert {key.split("/")[0] for key, _ in data_objects(user.s3, output)} == {"hist_root", "hist_root_contact_details"}
    root = json_rows(user.s3, f"{output}/hist_root")
    columns = ("id", "name", "organization_id", "role", "org_name", "classification")
    assert as_tuples(root, *columns) == [  # p3 has no membership: the inner joins drop Cy
        ("p1", "Ana", "o1", "member", "Senate", "upper house"),
        ("p2", "Ben", "o1", "chair", "Senate", "upper house"),
        ("p2", "Ben", "o2", "member", "House", "lower house"),
    ]
    assert all(set(row) == {*columns, "contact_details"} for row in root)  # org_id/person_id dropped
    # each root row's array became rows of the child table, keyed by the root's contact_details id
    contacts = json_rows(user.s3, f"{output}/hist_root_contact_details")
    by_id = {row["contact_details"]: row for row in root}
    assert len(by_id) == 3
    joined = [{**by_id[c["id"]], **c} for c in contacts]
    assert as_tuples(joined, "name", "org_name", "index", "contact_details.val.type", "contact_details.val.value") == [
        ("Ana", "Senate", 0, "email", "ana@example.org"),
        ("Ana", "Senate", 1, "phone", "+1-555-0101"),
        ("Ben", "House", 0, "twitter", "@ben"),
        ("Ben", "Senate", 0, "twitter", "@ben"),
    ]


def test_get_source_get_sink_and_record_transforms(user: GlueUser) -> None:
    lines: list[dict[str, object]] = [
        {"sku": "a", "qty": 2, "price": 3, "note": None},
        {"sku": "b", "qty": 0, "price": 5, "note": None},
        {"sku": "c", "qty": 4, "price": 1, "note": None},
    ]
    put_json_lines(user.s3, data_uri("transforms", "in", "lines.json"), lines)
    job = user.deploy("compat_transforms_chain", "transforms_chain.py")
    output = data_uri("transforms", "out")
    user.run_ok(job, {"--input": data_uri("transforms", "in") + "/", "--output": output})
    files = data_objects(user.s3, output)
    assert files
    for _, body in files:  # "note" was null in every record: DropNullFields dropped it
        assert set(parquet_columns(body)) == {"product", "total"}
    assert as_tuples(parquet_rows(user.s3, output), "product", "total") == [("a", 6), ("c", 4)]


def test_apply_mapping_with_dotted_names_nests_and_unnests(user: GlueUser) -> None:
    customers: list[dict[str, object]] = [
        {"id": 1, "city": "Lyon", "zip": "69001", "profile": {"tier": "gold"}},
        {"id": 2, "city": "Nice", "zip": "06000", "profile": {"tier": "basic"}},
    ]
    put_json_lines(user.s3, data_uri("nested", "in", "customers.json"), customers)
    job = user.deploy("compat_nested_mapping", "nested_mapping.py")
    output = data_uri("nested", "out")
    user.run_ok(job, {"--input": data_uri("nested", "in") + "/", "--output": output})
    assert sorted(json_rows(user.s3, output), key=lambda r: str(r["customer_id"])) == [
        {"customer_id": 1, "address": {"city": "Lyon", "zip": "69001"}, "tier": "gold"},
        {"customer_id": 2, "address": {"city": "Nice", "zip": "06000"}, "tier": "basic"},
    ]
