"""Creating the Data Catalog table a sink writes (``getSink(..., enableUpdateCatalog=True)``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyspark.sql import DataFrame

_SERDES = {
    "parquet": (
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    ),
    "orc": (
        "org.apache.hadoop.hive.ql.io.orc.OrcSerde",
        "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
        "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat",
    ),
    "json": (
        "org.openx.data.jsonserde.JsonSerDe",
        "org.apache.hadoop.mapred.TextInputFormat",
        "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    ),
    "csv": (
        "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        "org.apache.hadoop.mapred.TextInputFormat",
        "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    ),
}


def ensure_table(
    client: Any, target: tuple[str, str, str | None], df: DataFrame, options: Mapping[str, Any], fmt: str
) -> None:
    database, table_name, catalog_id = target
    scope = {"CatalogId": catalog_id} if catalog_id else {}
    try:
        client.get_table(DatabaseName=database, Name=table_name, **scope)
        return
    except client.exceptions.EntityNotFoundException:
        pass
    name = "parquet" if fmt.lower() == "glueparquet" else fmt.lower()
    serde, input_format, output_format = _SERDES.get(name, _SERDES["parquet"])
    keys = list(options.get("partitionKeys", []))
    columns = [{"Name": f.name, "Type": f.dataType.simpleString()} for f in df.schema.fields if f.name not in keys]
    partitions = [{"Name": f.name, "Type": f.dataType.simpleString()} for f in df.schema.fields if f.name in keys]
    client.create_table(
        DatabaseName=database,
        TableInput={
            "Name": table_name,
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": name},
            "PartitionKeys": partitions,
            "StorageDescriptor": {
                "Columns": columns,
                "Location": str(options["path"]),
                "InputFormat": input_format,
                "OutputFormat": output_format,
                "SerdeInfo": {"SerializationLibrary": serde},
            },
        },
        **scope,
    )
