"""The `ytrec` command: one module per subcommand in ``cli/commands`` (huggingface_hub style).

Commands parse arguments and print; all logic lives in the core modules. Errors users can act on
(``YtrecError``) become one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys

from ytrec import __version__
from ytrec.cli.commands import COMMANDS
from ytrec.errors import YtrecError
from ytrec.progress import set_quiet


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    set_quiet(args.quiet)
    try:
        return args.handler(args) or 0
    except YtrecError as exc:
        print(f"ytrec: error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ytrec: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `ytrec info --json | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _one_line(message: str) -> str:
    return message.splitlines()[0] if message else "unknown error"


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="ytrec",
        description="Hybrid content-based video recommendations from thumbnails and titles.",
    )
    root.add_argument("--version", action="version", version=f"ytrec {__version__}")
    root.add_argument("-q", "--quiet", action="store_true", help="no progress bars or log lines")
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return root


if __name__ == "__main__":
    sys.exit(main())
