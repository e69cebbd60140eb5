"""One module per ``ytrec`` subcommand; each has ``register(subparsers)`` and ``run(args)``.

The order here is the order ``ytrec --help`` lists them in.
"""

from ytrec.cli.commands import (
    add,
    build,
    demo,
    evaluate,
    index,
    info,
    publish,
    recommend,
    remove,
    retrain,
    sample,
    search,
    serve,
    train,
    tune,
    upgrade,
)

COMMANDS = (sample, build, train, index, publish, recommend, add, remove, retrain, evaluate, tune, search, info, upgrade,
            demo, serve)
