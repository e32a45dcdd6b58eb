"""Parquet output: the schema and the writer, independent of Scrapy."""

from output.schema import ARTICLE_SCHEMA, SCHEMA_VERSION
from output.writer import ParquetOptions, RollingParquetWriter

__all__ = ["ARTICLE_SCHEMA", "SCHEMA_VERSION", "ParquetOptions", "RollingParquetWriter"]
