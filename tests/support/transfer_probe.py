"""Run in a subprocess: one large transfer through a generated client, then its peak memory, as one JSON line.

    python tests/support/transfer_probe.py ROOT PACKAGE BASE_URL download|upload sync|async [FILE]

`download` streams `GET /files/big` with `download_file_stream` and counts and hashes the chunks; `upload` sends
FILE as the `attachment` of `upload_file` (a `File` of a path, streamed). The peak resident set size is the
process's own (Linux `VmHWM`), so neither the server nor the test runner in the parent process counts.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import json
import resource
import sys
from pathlib import Path
from typing import Any


def download(package: Any, api: Any, base_url: str, mode: str) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    if mode == "sync":
        with (
            package.Client(base_url) as client,
            api.download_file_stream(client, name="big") as chunks,
        ):
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
    else:

        async def run() -> int:
            total = 0
            async with (
                package.AsyncClient(base_url) as client,
                await api.download_file_stream_async(client, name="big") as chunks,
            ):
                async for chunk in chunks:
                    digest.update(chunk)
                    total += len(chunk)
            return total

        size = asyncio.run(run())
    return {"size": size, "sha256": digest.hexdigest()}


def upload(
    package: Any, models: Any, api: Any, base_url: str, mode: str, file: Path
) -> dict[str, Any]:
    body = models.Upload(
        attachment=package.File(file, content_type="application/octet-stream"),
        description="a big one",
    )
    if mode == "sync":
        with package.Client(base_url) as client:
            stored = api.upload_file(client, name="big", body=body)
    else:

        async def run() -> Any:
            async with package.AsyncClient(base_url) as client:
                return await api.upload_file_async(client, name="big", body=body)

        stored = asyncio.run(run())
    return {"size": stored.size, "sha256": stored.sha256}


def peak_rss_mb() -> float:
    """This process's peak resident set size, in MiB. `VmHWM` starts afresh at exec; `ru_maxrss` would include the
    parent's size at fork (a large test runner), so it is only the fallback outside Linux."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    [line] = [line for line in status.splitlines() if line.startswith("VmHWM:")]
    return int(line.split()[1]) / 1024


def main(root: str, name: str, base_url: str, what: str, mode: str, *rest: str) -> None:
    sys.path.insert(0, root)
    package = importlib.import_module(name)
    api = importlib.import_module(f"{name}.api")
    models = importlib.import_module(f"{name}.models")
    if what == "download":
        result = download(package, api, base_url, mode)
    else:
        result = upload(package, models, api, base_url, mode, Path(rest[0]))
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:])
