"""Where a package lives for the Spark engine: its descriptor opened on the driver, its data files
named as URIs Spark resolves (local paths, `hdfs://`, `s3a://`, per the session's Hadoop
configuration).

A local package is opened as the local engine opens it. A package under a URI has its
descriptor and Table Schema files read through Spark (`wholeTextFiles`) into a temporary folder on
the driver, opened from there; its data files stay where they are and are read by the executors.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ._local import DESCRIPTOR, Package, UnusableInputError, open_package

__all__ = ["Located", "locate"]


@dataclass
class Located:
    package: Package
    base: str          # the package folder as a URI, without a trailing slash
    remote: bool       # not on the driver's file system: the local engine cannot reach it
    display: str       # how the report names the package
    root: str | None   # the package folder on the driver (SARIF paths), if local

    def uri(self, relpath: str) -> str:
        return f"{self.base}/{relpath}"

    def file(self, relpath: str) -> str:
        """How findings name a data file: as the local engine does for a local package."""
        if self.remote:
            return self.uri(relpath)
        return self.package.display(self.package.root / relpath)

    def exists(self, uri: str) -> bool:
        if self.remote:
            return True  # Spark says so when it reads: a missing file fails the job with its path
        return Path(urlparse(uri).path).is_file()


def _is_uri(path: Any) -> bool:
    return isinstance(path, str) and "://" in path


def locate(package: Any, spark: Any) -> Located:
    if isinstance(package, Package):
        pkg = package
    elif _is_uri(package):
        return _remote(str(package).rstrip("/"), spark)
    else:
        pkg = open_package(package)
    root = pkg.root.resolve()
    return Located(pkg, root.as_uri(), False, pkg.display(pkg.descriptor_path), str(root))


def _remote(uri: str, spark: Any) -> Located:
    import json

    if uri.endswith(".json"):
        base, name = uri.rsplit("/", 1)
    else:
        base, name = uri, DESCRIPTOR
    folder = Path(tempfile.mkdtemp(prefix="conflictdata-spark-"))
    text = _read_text(spark, f"{base}/{name}")
    (folder / DESCRIPTOR).write_text(text, encoding="utf-8")
    descriptor = json.loads(text)
    for res in descriptor.get("resources") or []:
        schema = res.get("schema") if isinstance(res, dict) else None
        if isinstance(schema, str) and "://" not in schema and not schema.startswith("/") and ".." not in schema:
            target = folder / schema
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_read_text(spark, f"{base}/{schema}"), encoding="utf-8")
    pkg = open_package(folder)
    return Located(pkg, base, True, f"{base}/{name}", None)


def _read_text(spark: Any, uri: str) -> str:
    got = spark.sparkContext.wholeTextFiles(uri).collect()
    if not got:
        raise UnusableInputError(f"{uri}: no such file")
    return got[0][1]
