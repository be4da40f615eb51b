"""Print every experiment of a Galileo project, one per line, fetching pages as the iteration needs them.

    PYTHONPATH=generated python examples/iterate_experiments.py --project-id PROJECT [--base-url URL]
        [--page-size N] [--max-items N]

The API key is read from OAPIGEN_GALILEO_CLIENT_API_KEY. To try it without an account, serve the spec with Prism (installed by
`make`) and point the example at it; Prism answers with the spec's example page, whose `paginated` is false:

    SCARF_ANALYTICS=false node_modules/.bin/prism mock spec/galileo.yaml --port 4010 &
    OAPIGEN_GALILEO_CLIENT_API_KEY=test PYTHONPATH=generated python examples/iterate_experiments.py \
        --base-url http://127.0.0.1:4010 --project-id demo

With `prism mock -d` (random pages) the server may claim more pages forever; `--max-items` bounds the run.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Sequence

from galileo_client import DEFAULT_BASE_URL, APIError, Client
from galileo_client.api import list_experiments_paginated_iter


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--base-url", default=DEFAULT_BASE_URL, help=f"API base URL (default: {DEFAULT_BASE_URL})"
    )
    parser.add_argument("--project-id", required=True, help="Galileo ID of the project")
    parser.add_argument(
        "--page-size", type=int, default=100, help="experiments per request (default: 100)"
    )
    parser.add_argument(
        "--max-items", type=int, default=None, help="stop after this many experiments"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    count = 0
    with Client(args.base_url) as client:
        experiments = list_experiments_paginated_iter(
            client, project_id=args.project_id, limit=args.page_size
        )
        try:
            # islice stops pulling from the iterator, so no page beyond the last printed item is fetched.
            for experiment in itertools.islice(experiments, args.max_items):
                print(
                    f"{experiment.id}\t{experiment.created_at.isoformat()}\t{experiment.name or ''}"
                )
                count += 1
        except APIError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    print(f"{count} experiment(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
